#!/bin/sh
# tests/python.sh — the Python module (python/myelin) over the built libmyelin: loads, cost, run,
# sim, a short search and errors, each checked against what the `myelin` command prints for the
# same inputs (tests/python_api.py does the comparing).  Skipped (77) without Debian's python3.
# Environment (Makefile.am's TESTS_ENVIRONMENT): MYELIN_BIN, MYELIN_SRCDIR, MYELIN_DATADIR, PYTHON3.
set -u
BIN=${MYELIN_BIN:?}
SRC=${MYELIN_SRCDIR:?}
PY=${PYTHON3:-}
if [ -z "$PY" ] || ! [ -x "$PY" ]; then
    echo "SKIP: no python3 found by configure (PYTHON3='$PY'); the Python module is not tested"
    exit 77
fi
LIB=$(dirname "$BIN")/.libs/libmyelin.so
[ -f "$LIB" ] || { echo "FAIL: $LIB missing (libmyelin not built?)"; exit 1; }
# a library built with AddressSanitizer (make check-sanitize) loads into python3 only with the
# ASan runtime first in the process: preload it for the interpreter, leak checks off (the
# interpreter keeps its own objects at exit; the C suites check Myelin's leaks)
PYENV=
# (libtool links the runtime into the program, not the library: the library only refers to it)
if nm -D --undefined-only "$LIB" 2>/dev/null | grep -q ' __asan_init'; then
    ASAN_RT=$(${CC:-gcc} -print-file-name=libasan.so)
    PYENV="LD_PRELOAD=$ASAN_RT ASAN_OPTIONS=detect_leaks=0"
    echo "note: libmyelin is built with AddressSanitizer; python3 runs with $ASAN_RT preloaded"
fi
T=$(mktemp -d) || exit 99
trap 'rm -rf "$T"' EXIT
fail=0
cmd() { # NAME CMD...: run a myelin command, its stdout into $T/NAME
    n=$1; shift
    "$@" > "$T/$n" 2> "$T/$n.err" || { echo "FAIL: $*: $(tail -n 3 "$T/$n.err")"; fail=1; }
}
W8=$SRC/workloads/zoo/quant/w8.yaml
VAL=synthetic:split=test,count=20,seed=2
CAL=synthetic:split=test,count=4,seed=3
TST=synthetic:split=test,count=20,seed=1
cmd cost_tiny.json "$BIN" cost --workload tiny --arch generic-45nm --quant "$W8" --format json
cmd cost_cifar.json "$BIN" cost --workload spikformer-4-384-cifar10 --arch paper-45nm --rate 0.2 --format json
cmd run.out "$BIN" run --workload tiny --quant "$W8" --limit 30 --drift --threads 2 --quiet --json "$T/run.json"
cmd sim.json "$BIN" sim --workload tiny --limit 2 --format json --quiet
cmd search.out "$BIN" search --workload tiny --val "$VAL" --calib "$CAL" --test "$TST" --bits 8,4 \
    --threads 1 --no-timing --quiet --out "$T/search_cli"
[ $fail = 0 ] || exit 1
MYELIN_LIB=$LIB PYTHONPATH=$SRC/python env $PYENV "$PY" "$SRC/tests/python_api.py" "$T" "$W8" "$VAL" "$CAL" "$TST" ||
    fail=1
# the library found without MYELIN_LIB: next to the module in a built tree (in-tree builds only)
if [ "$(cd "$(dirname "$BIN")" && pwd)" = "$(cd "$SRC" && pwd)" ]; then
    p=$(cd / && env -u MYELIN_LIB $PYENV PYTHONPATH=$SRC/python "$PY" -c 'import myelin; print(myelin.library_path)') &&
        [ "$p" = "$(cd "$SRC" && pwd)/.libs/libmyelin.so" ] && echo "ok: the build tree's library found next to the module" ||
        { echo "FAIL: library lookup in the build tree: '$p'"; fail=1; }
fi
exit $fail
