"""tools/python_dir.py PREFIX — prints where the Python module goes under PREFIX, relative to it
(configure's default for --with-python-dir): the site folder this python3 already searches when
one lies under PREFIX (Debian: /usr/local -> lib/python3.X/dist-packages), else the posix_prefix
scheme's purelib (lib/python3.X/site-packages, to be put on PYTHONPATH).  Prints nothing when
neither lies under PREFIX."""
import sys
import sysconfig

prefix = sys.argv[1].rstrip('/') or '/'
candidates = [sysconfig.get_path('purelib')]
candidates += [d for d in sys.path if d.endswith('-packages')]
candidates.append(sysconfig.get_path('purelib', 'posix_prefix',
                                     vars={'base': prefix, 'platbase': prefix}))
for c in candidates:
    if c.startswith(prefix + '/'):
        print(c[len(prefix) + 1:])
        break
