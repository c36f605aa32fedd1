"""myelin — Python front end of libmyelin (ctypes; no compiled extension).

The library does the work (api/api.h: one C call per task); this module only loads it, passes
arguments and turns the JSON each call returns into dicts.  Errors from the library raise
MyelinError with the library's message and position.

    import myelin
    wl = myelin.Workload("tiny")                    # a zoo name or a YAML path
    rep = myelin.cost(wl, "generic-45nm", quant="workloads/zoo/quant/w8.yaml")
    for row in rep["layers"]:                       # one dict per layer, as `myelin cost --format json`
        print(row["layer"], row["total_pJ"])
    r = myelin.run(wl, limit=100, drift=True)       # as `myelin run --json`
    print(r["top1_percent"], r["drift_mean"])

The shared library is found, in order: $MYELIN_LIB (a path to libmyelin.so), the build tree this
file sits in (../../.libs/libmyelin.so, i.e. python/myelin/ inside a built source tree), the
libdir `make install` recorded in _config.py, then the dynamic linker's own search (libmyelin.so.0).
"""
import ctypes
import json
import os

__all__ = ["MyelinError", "Workload", "Arch", "Quant", "cost", "run", "sim", "search",
           "version", "library_path"]


class _Error(ctypes.Structure):
    """base/error.h's struct myelin_error."""
    _fields_ = [("code", ctypes.c_int), ("file", ctypes.c_char * 512), ("line", ctypes.c_int),
                ("column", ctypes.c_int), ("message", ctypes.c_char * 1024)]


class MyelinError(Exception):
    """An error reported by libmyelin: code (a negative MYELIN_E* status), file, line, column
    (0 when unknown) and message; str() is the command line's `file:line:col: error: message`."""

    def __init__(self, code, file, line, column, message):
        self.code, self.file, self.line, self.column, self.message = code, file, line, column, message
        where = file
        if file and line:
            where += ":%d" % line
            if column:
                where += ":%d" % column
        super().__init__("%s: error: %s" % (where, message) if where else "error: " + message)


def _candidates():
    env = os.environ.get("MYELIN_LIB")
    if env:
        return [env]
    here = os.path.dirname(os.path.abspath(__file__))
    out = [os.path.normpath(os.path.join(here, "..", "..", ".libs", "libmyelin.so"))]
    try:
        from . import _config
        out.append(os.path.join(_config.LIBDIR, "libmyelin.so.0"))
    except ImportError:
        pass
    out.append("libmyelin.so.0")
    return out


def _load():
    tried = []
    for path in _candidates():
        if os.sep in path and not os.path.exists(path):
            tried.append(path + " (absent)")
            continue
        try:
            return ctypes.CDLL(path), path
        except OSError as e:
            tried.append("%s (%s)" % (path, e))
    raise ImportError("myelin: cannot load libmyelin; tried: " + "; ".join(tried) +
                      " (set MYELIN_LIB to the library's path)")


_lib, library_path = _load()

_P = ctypes.c_void_p
_S = ctypes.c_char_p
_E = ctypes.POINTER(_Error)
_OUT = ctypes.POINTER(ctypes.c_void_p)


def _proto(name, *args):
    f = getattr(_lib, name)
    f.argtypes = list(args)
    f.restype = ctypes.c_int
    return f


_lib.myelin_api_version.restype = _S
_lib.myelin_api_version.argtypes = []
_lib.myelin_api_free.argtypes = [_P]
_lib.myelin_api_free.restype = None
for _name in ("myelin_workload_free", "myelin_arch_free", "myelin_qsetting_free"):
    getattr(_lib, _name).argtypes = [_P]
    getattr(_lib, _name).restype = None
_workload_load = _proto("myelin_api_workload_load", _S, _OUT, _E)
_arch_load = _proto("myelin_api_arch_load", _S, _OUT, _E)
_quant_load = _proto("myelin_api_quant_load", _S, ctypes.c_int, _OUT, _E)
_workload_json = _proto("myelin_api_workload_json", _P, _OUT, _E)
_cost = _proto("myelin_api_cost", _P, _P, _P, ctypes.c_double, _S, _OUT, _E)
_run = _proto("myelin_api_run", _P, _S, _P, _S, _S, ctypes.c_int64, ctypes.c_int, ctypes.c_int,
              _OUT, _E)
_sim = _proto("myelin_api_sim", _P, _S, _P, _P, ctypes.c_int, _S, ctypes.c_int64, ctypes.c_double,
              ctypes.c_uint64, _OUT, _E)
_search = _proto("myelin_api_search", _P, _S, ctypes.POINTER(_S), _OUT, _E)


def _enc(s):
    if s is None:
        return None
    return os.fsencode(s) if isinstance(s, (str, os.PathLike)) else bytes(s)


def _call(fn, *args):
    """Calls fn(*args, &out, &err); raises MyelinError on failure; returns out (a void pointer)."""
    out = ctypes.c_void_p()
    err = _Error()
    rc = fn(*args, ctypes.byref(out), ctypes.byref(err))
    if rc != 0:
        raise MyelinError(err.code or rc, os.fsdecode(err.file), err.line, err.column,
                          err.message.decode("utf-8", "replace"))
    return out


def _json(fn, *args):
    out = _call(fn, *args)
    try:
        return json.loads(ctypes.string_at(out.value).decode("utf-8"))
    finally:
        _lib.myelin_api_free(out)


def version():
    """The library's version string."""
    return _lib.myelin_api_version().decode()


class _Handle:
    _free = None

    def __init__(self, ptr):
        self._ptr = ptr

    def close(self):
        if self._ptr is not None and self._ptr.value:
            getattr(_lib, self._free)(self._ptr)
        self._ptr = None

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class Workload(_Handle):
    """A workload: a zoo name (tiny, fashion, spikformer-8-384, ...) or a YAML path.
    .name, .info (a dict: name, source, weights_path, timesteps, classes, input, parameters, ...:
    `myelin info --format json` with the workload's own fields), .layers (a list of dicts: that
    table's rows, name, kind, input_shape, ..., with in_shape/out_shape as [c, h, w])."""
    _free = "myelin_workload_free"

    def __init__(self, name_or_path):
        super().__init__(_call(_workload_load, _enc(str(name_or_path))))
        self.info = _json(_workload_json, self._ptr)
        self.name = self.info["name"]
        self.layers = self.info["layers"]

    def __repr__(self):
        return "Workload(%r)" % self.name


class Arch(_Handle):
    """A core array: a preset name (generic-45nm, paper-45nm, loihi-like) or a YAML path."""
    _free = "myelin_arch_free"

    def __init__(self, name_or_path="generic-45nm"):
        super().__init__(_call(_arch_load, _enc(str(name_or_path))))
        self.name = str(name_or_path)

    def __repr__(self):
        return "Arch(%r)" % self.name


class Quant(_Handle):
    """A quantization setting: a YAML path, or None / "float" for the float reference;
    input_bits (2..16) overrides the setting's input width."""
    _free = "myelin_qsetting_free"

    def __init__(self, path=None, input_bits=0):
        super().__init__(_call(_quant_load, _enc(None if path is None else str(path)),
                               int(input_bits)))
        self.path = "float" if path in (None, "", "float") else str(path)

    def __repr__(self):
        return "Quant(%r)" % self.path


def _workload(w):
    return w if isinstance(w, Workload) else Workload(w)


def _arch(a):
    return a if isinstance(a, Arch) else Arch(a)


def _quant(q):
    if q is None or isinstance(q, Quant):
        return q
    return Quant(q)


def _ptr(h):
    return None if h is None else h._ptr


def cost(workload, arch="generic-45nm", quant=None, rate=None, activity=None):
    """Per-layer cost, as `myelin cost --format json`: a dict with workload, arch, activity,
    latency_s, total_J, area, "layers" (one dict per layer: layer, kind, model, cores, rate_in,
    synaptic_ops, ..., compute_pJ, ..., total_pJ, actions, energy_pJ) and "total".
    rate: every spiking layer at this rate; activity: the JSON file of `myelin run --json`;
    neither: the workload's statistical rates."""
    w, a, q = _workload(workload), _arch(arch), _quant(quant)
    return _json(_cost, w._ptr, _ptr(q), a._ptr, -1.0 if rate is None else float(rate),
                 _enc(None if activity is None else str(activity)))


def run(workload, weights=None, quant=None, dataset=None, limit=0, drift=False, threads=0):
    """Runs the functional engine, as `myelin run --json`: a dict with top1_percent (top5_percent
    with more than 5 classes), images, drift_mean/drift_max (with drift) and "layers" (spikes,
    firing rates, saturation and drift per layer).  weights: None (the workload's file), a
    safetensors path or "random[:SEED]"; dataset: a spec (None: 1000 synthetic images)."""
    w, q = _workload(workload), _quant(quant)
    return _json(_run, w._ptr, _enc(weights), _ptr(q), _enc(q.path if q else None),
                 _enc(dataset), int(limit), 1 if drift else 0, int(threads))


def sim(workload, arch="generic-45nm", quant=None, weights=None, statistical=False, dataset=None,
        limit=0, rate=None, seed=1):
    """The cycle-level SystemC model (run in a child process): a dict with latency_cycles,
    latency_s, energy_J, cost_model_energy_J, top1_percent (real weights) and "report", the
    simulated counts priced per layer (cost()'s layout).  statistical (or a workload without
    weights): neurons fire at the workload's rates (or rate), seeded by seed."""
    w, a, q = _workload(workload), _arch(arch), _quant(quant)
    return _json(_sim, w._ptr, _enc(weights), _ptr(q), a._ptr, 1 if statistical else 0,
                 _enc(dataset), int(limit), -1.0 if rate is None else float(rate), int(seed))


def search(workload, weights=None, **options):
    """A per-layer quantization search.  Options as `myelin search` spells them, with
    underscores: method, gate, granularity, bits ("8,4" or a list), schemes, membrane_bits,
    input_bits, objective, max_drop, beam_width, arch, val, calib, test (dataset specs; by default
    the workload's declared splits), val_count, val_first, threads, seed, gate_check, out (a folder
    for the tables, plots and chosen.yaml), journal, stop_after, prefix.  Returns {"summary": the
    summary table (as `myelin search --format json --no-timing`), "chosen": the chosen setting,
    "note", "figures": {name: value} (the library's figures table, rows figure/value)}."""
    w = _workload(workload)
    flat = []
    for k, v in options.items():
        if v is None:
            continue
        if isinstance(v, (list, tuple)):
            v = ",".join(str(x) for x in v)
        flat += [_enc(k), _enc(str(v))]
    arr = (_S * (len(flat) + 1))(*flat, None)
    res = _json(_search, w._ptr, _enc(weights), arr)
    res["figures"] = {row["figure"]: row["value"] for row in res["figures"]}
    return res
