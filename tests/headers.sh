#!/bin/sh
# tests/headers.sh — every public header compiles on its own, with nothing but the include folder
# on the path (as a user of the installed library sees them): C11 and, when CXX is set, C++17.
# Run by `make check` on the build's include/ (MYELIN_INCLUDEDIR) and by tests/installcheck.sh on
# the installed $(includedir).  Environment: MYELIN_INCLUDEDIR, CC, optional CXX.
INC=${MYELIN_INCLUDEDIR:?}
CC=${CC:-cc}
fail=0
n=0
T=$(mktemp -d) || exit 99
trap 'rm -rf "$T"' EXIT
for h in "$INC"/myelin/*.h; do
    [ -f "$h" ] || { echo "FAIL: no headers in $INC/myelin"; exit 1; }
    name=$(basename "$h")
    n=$((n + 1))
    if grep -n '^#include "[^"]*/' "$h"; then
        echo "FAIL: $name includes a header by a folder path (not installable)"; fail=1
    fi
    printf '#include <myelin/%s>\n' "$name" > "$T/t.c"
    if ! $CC -std=c11 -Wall -Wextra -Werror -fsyntax-only -I"$INC" "$T/t.c" 2> "$T/err"; then
        echo "FAIL: <myelin/$name> does not compile alone as C11:"; cat "$T/err"; fail=1
    fi
    if [ -n "${CXX:-}" ]; then
        cp "$T/t.c" "$T/t.cpp"
        if ! $CXX -std=c++17 -Wall -Wextra -Werror -fsyntax-only -I"$INC" "$T/t.cpp" 2> "$T/err"; then
            echo "FAIL: <myelin/$name> does not compile alone as C++17:"; cat "$T/err"; fail=1
        fi
    fi
done
[ "$fail" = 0 ] && echo "ok: $n public headers compile alone (C11${CXX:+ and C++17}) from $INC"
exit $fail
