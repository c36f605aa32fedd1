#!/bin/sh
# tests/installcheck.sh — `make installcheck`: the installed Myelin used as a library.  Builds a
# small C program and the example cost-model plugin against the installed headers and library with
# nothing but `pkg-config --cflags --libs myelin`, runs the program, has the installed `myelin`
# dlopen the plugin (which starts from the built-in counts: myelin_cost_builtin in libmyelin), and runs `myelin cost`, `sim`
# and a short `search` from / on installed data found by name.
# Then the installed Python module (python/myelin) runs a cost and a short search from /.
# Environment (set by Makefile.am): MYELIN_PREFIX_BIN, PKG_CONFIG_PATH, PKG_CONFIG, CC, MYELIN_SRCDIR,
# MYELIN_PYTHON_DIR, PYTHON3.
set -u
BIN=${MYELIN_PREFIX_BIN:?}/myelin
PKG_CONFIG=${PKG_CONFIG:-pkg-config}
CC=${CC:-cc}
SRC=${MYELIN_SRCDIR:?}
fail=0
ok() { echo "ok: $1"; }
bad() { echo "FAIL: $1"; fail=1; }
T=$(mktemp -d) || exit 99
trap 'rm -rf "$T"' EXIT
# nothing below may find data through the build's variables: only the installed data folder
unset MYELIN_DATADIR MYELIN_SRCDIR

CFLAGS_M=$($PKG_CONFIG --cflags myelin) && LIBS_M=$($PKG_CONFIG --libs myelin) ||
    { echo "FAIL: pkg-config finds no myelin (PKG_CONFIG_PATH=$PKG_CONFIG_PATH)"; exit 1; }
LIBDIR=$($PKG_CONFIG --variable=libdir myelin)
INCDIR=$($PKG_CONFIG --variable=includedir myelin)
DATADIR=$($PKG_CONFIG --variable=pkgdatadir myelin)
ok "pkg-config: $CFLAGS_M $LIBS_M"

MYELIN_INCLUDEDIR=$INCDIR CC=$CC sh "$SRC/tests/headers.sh" || bad "installed headers"

# ---- a program: a zoo workload and a preset by name, mapped and priced ----
cat > "$T/prog.c" <<'PROG'
#include <stdio.h>
#include <stdlib.h>
#include <myelin/arch.h>
#include <myelin/cost.h>
#include <myelin/mapper.h>
#include <myelin/qsetting.h>
#include <myelin/workload.h>
int main(void)
{
    myelin_error err;
    myelin_workload *wl = NULL;
    myelin_qsetting *qs = NULL;
    myelin_arch *arch = NULL;
    myelin_mapping *map = NULL;
    char wpath[1024], apath[1024];
    if (myelin_workload_resolve("spikformer-8-384", wpath, sizeof wpath, &err) ||
        myelin_workload_load(wpath, &wl, &err) || myelin_qsetting_float(&qs, &err) ||
        myelin_arch_resolve("generic-45nm", apath, sizeof apath, &err) ||
        myelin_arch_load(apath, &arch, &err)) {
        fprintf(stderr, "%s\n", err.message);
        return 1;
    }
    myelin_layer_quant *lq = calloc((size_t)wl->n_layers, sizeof *lq);
    if (!lq || myelin_qsetting_resolve(qs, wl, lq, &err) || myelin_map(wl, lq, arch, &map, &err)) {
        fprintf(stderr, "%s\n", err.message);
        return 1;
    }
    long long params = 0, neurons = 0;
    for (int i = 0; i < wl->n_layers; i++) {
        params += myelin_layer_params(&wl->layers[i]);
        neurons += myelin_layer_neurons(&wl->layers[i]);
    }
    printf("workload %s\narch %s\nlayers %d\nparams %lld\nneurons %lld\n", wpath, apath,
           wl->n_layers, params, neurons);
    myelin_mapping_free(map);
    free(lq);
    myelin_arch_free(arch);
    myelin_qsetting_free(qs);
    myelin_workload_free(wl);
    return 0;
}
PROG
if $CC -std=c11 -Wall -Wextra -Werror -o "$T/prog" "$T/prog.c" $CFLAGS_M $LIBS_M -Wl,-rpath,"$LIBDIR" 2> "$T/err"; then
    ok "a program builds with pkg-config alone"
    if (cd / && "$T/prog") > "$T/prog.out" 2> "$T/err"; then
        ok "it runs from /"
        grep -qx "workload $DATADIR/workloads/zoo/spikformer-8-384.yaml" "$T/prog.out" &&
            ok "the zoo name resolved to the installed data folder" || bad "zoo path: $(head -n 1 "$T/prog.out")"
        grep -qx "arch $DATADIR/arch/presets/generic-45nm.yaml" "$T/prog.out" &&
            ok "the preset resolved to the installed data folder" || bad "preset path: $(sed -n 2p "$T/prog.out")"
        grep -qx 'params 16816024' "$T/prog.out" && ok "Spikformer-8-384 has the paper's 16,816,024 parameters" ||
            bad "parameters: $(grep params "$T/prog.out")"
    else
        bad "the program failed: $(cat "$T/err")"
    fi
else
    bad "the program does not build: $(cat "$T/err")"
fi

# ---- the example plugin, built against the installed library, loaded by the installed myelin ----
if $CC -std=c11 -Wall -Wextra -Werror -shared -fPIC -o "$T/example_plugin.so" \
        "$SRC/models/plugins/example_plugin.c" $CFLAGS_M $LIBS_M 2> "$T/err"; then
    ok "the example plugin builds with pkg-config alone"
else
    bad "the example plugin does not build: $(cat "$T/err")"
fi
nm -D --undefined-only "$T/example_plugin.so" | grep -q ' myelin_cost_builtin$' &&
    ok "the plugin calls myelin_cost_builtin from libmyelin" || bad "the plugin does not import myelin_cost_builtin"
cp "$DATADIR/arch/presets/generic-45nm.yaml" "$T/plugged.yaml"
printf 'plugins: [example_plugin.so]\ncost_models: {linear: example-dense-linear}\n' >> "$T/plugged.yaml"
if (cd / && "$BIN" cost --workload tiny --arch "$T/plugged.yaml" --format csv) > "$T/plug.csv" 2> "$T/err"; then
    grep -q 'example-dense-linear' "$T/plug.csv" && ok "the installed myelin dlopen'ed the plugin and priced with it" ||
        bad "no layer priced by the plugin"
    grep -q 'warning' "$T/err" && bad "the plugin lost actions: $(cat "$T/err")" ||
        ok "the plugin kept the built-in NoC counts (no warning)"
else
    bad "myelin cost with the plugin failed: $(cat "$T/err")"
fi

# ---- the installed command from /, data by name ----
run() { # DESC CMD... : exit 0 from /
    d=$1; shift
    if (cd / && "$@") > "$T/out" 2> "$T/err"; then ok "$d"; else bad "$d: $(tail -n 3 "$T/err")"; fi
}
run "myelin cost --workload spikformer-8-384 --arch generic-45nm" "$BIN" cost --workload spikformer-8-384 --arch generic-45nm
grep -q 'total' "$T/out" || bad "cost printed no total"
run "myelin run --workload fashion on 20 synthetic 28x28 images (zoo weights)" "$BIN" run --workload fashion --dataset synthetic:split=test,count=20,seed=1,h=28,w=28,c=1 --quiet
run "myelin info --workload spikformer-8-384" "$BIN" info --workload spikformer-8-384
run "myelin sim --limit 2" "$BIN" sim --limit 2 --quiet
run "myelin search (short)" "$BIN" search --val synthetic:split=test,count=20,seed=2 \
    --calib synthetic:split=test,count=4,seed=3 --test synthetic:split=test,count=20,seed=1 \
    --bits 8,4 --no-timing --quiet --out "$T/search"
[ -s "$T/search/summary.csv" ] && ok "the search wrote its summary" || bad "no search summary"
"$BIN" --version | grep -q '^myelin [0-9]' && ok "myelin --version" || bad "myelin --version"

# ---- the installed Python module: finds the installed library by itself, from / ----
PY=${PYTHON3:-}
if [ -n "$PY" ] && [ -x "$PY" ]; then
    PYDIR=${MYELIN_PYTHON_DIR:?}
    [ -f "$PYDIR/myelin/__init__.py" ] && [ -f "$PYDIR/myelin/_config.py" ] &&
        ok "the Python module is installed in $PYDIR" || bad "no Python module in $PYDIR"
    (cd / && "$BIN" cost --workload spikformer-8-384 --arch generic-45nm --format json) > "$T/cost.json" 2> "$T/err" ||
        bad "myelin cost --format json: $(cat "$T/err")"
    if (cd / && env -u MYELIN_LIB PYTHONPATH="$PYDIR" "$PY" - "$T" > "$T/py.out" 2> "$T/err") <<'PYEOF'
import json, os, sys
import myelin
d = sys.argv[1]
print("lib", myelin.library_path)
c = myelin.cost("spikformer-8-384", "generic-45nm")
# the command's provenance and caption record how it resolved its inputs; every figure must match
bare = lambda x: {k: v for k, v in x.items() if k not in ("provenance", "caption")}
with open(os.path.join(d, "cost.json")) as f:
    print("cost_equal", bare(c) == bare(json.load(f)))
r = myelin.search("tiny", val="synthetic:split=test,count=20,seed=2",
                  calib="synthetic:split=test,count=4,seed=3",
                  test="synthetic:split=test,count=20,seed=1", bits=[8, 4])
print("chosen", r["chosen"], r["figures"]["full_evals"])
PYEOF
    then
        grep -qx "lib $LIBDIR/libmyelin.so.0" "$T/py.out" && ok "the module loaded the installed library ($LIBDIR)" ||
            bad "library: $(grep '^lib' "$T/py.out")"
        grep -qx 'cost_equal True' "$T/py.out" && ok "python: myelin.cost equals the installed myelin cost --format json" ||
            bad "python cost differs"
        grep -q '^chosen ' "$T/py.out" && ok "python: a short search ($(grep '^chosen' "$T/py.out"))" || bad "python search"
    else
        bad "the installed Python module failed: $(tail -n 5 "$T/err")"
    fi
else
    echo "skip: no python3 (PYTHON3='$PY'): the Python module is not checked"
fi
[ -f "$($PKG_CONFIG --variable=prefix myelin)/share/man/man1/myelin.1" ] || [ -n "$(find "$($PKG_CONFIG --variable=prefix myelin)" -name myelin.1 | head -n 1)" ] &&
    ok "the man page is installed" || bad "no installed myelin.1"
exit $fail
