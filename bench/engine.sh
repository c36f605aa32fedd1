#!/bin/sh
# bench/engine.sh — `make bench`: images per second of the functional engine against a fair PyTorch
# (bench/torch_bench.py: OpenBLAS, BatchNorm folded, inference_mode, batched, same threads, same
# images and graph, predictions checked first) on tiny, the Fashion-MNIST model (when
# workloads/zoo/fashion.yaml exists), Spikformer-4-384 CIFAR-10 and Spikformer-8-384; Myelin float,
# w8 and w4; 1 and 2 threads; alternating repetitions, medians, ratios.  Never part of `make check`.
# Environment: MYELIN_BIN, MYELIN_SRCDIR, PYTHON3 (with torch: tools/deps.sh --with-torch),
# BENCH_THREADS (default 1,2), BENCH_REPS (default 3), BENCH_MODELS, BENCH_MODES (default
# float,w8,w4), BENCH_IMAGES (per model, e.g. tiny=400,spikformer-8-384=2), BENCH_F64=1 (also
# PyTorch in float64, the precision of Myelin's float mode: an extra table, for information).
# OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE (set on some machines for old OpenBLAS builds) are unset
# for the PyTorch process only, so OpenBLAS picks its own kernel; the script prints which.
set -eu
M=${MYELIN_BIN:-./myelin}
S=${MYELIN_SRCDIR:-.}
PY=${PYTHON3:-/usr/bin/python3}
if [ -x "$PY" ] && "$PY" -c 'import torch, yaml' 2>/dev/null; then
    set -- --myelin "$M" --srcdir "$S" --threads "${BENCH_THREADS:-1,2}" --reps "${BENCH_REPS:-3}" --markdown
    [ -n "${BENCH_MODELS:-}" ] && set -- "$@" --models "$BENCH_MODELS"
    [ -n "${BENCH_MODES:-}" ] && set -- "$@" --modes "$BENCH_MODES"
    [ -n "${BENCH_IMAGES:-}" ] && set -- "$@" --images "$BENCH_IMAGES"
    [ -n "${BENCH_F64:-}" ] && set -- "$@" --f64
    exec env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$PY" "$S/bench/torch_bench.py" "$@"
fi
# no PyTorch: Myelin alone, one line per model and mode
echo "# PyTorch comparison skipped: $PY with torch and yaml is needed (sh tools/deps.sh --with-torch)"
Z="$S/workloads/zoo"
printf '%-26s %-6s %7s %8s %14s\n' model mode threads images myelin_img_per_s
for m in tiny:16:3:400 spikformer-4-384-cifar10:32:3:16 spikformer-8-384:224:3:2; do
    IFS=: read -r name px c n <<EOF
$m
EOF
    w=""
    [ "$name" = tiny ] || w="--weights random:1"
    for q in float w8; do
        for th in $(echo "${BENCH_THREADS:-1,2}" | tr , ' '); do
            # shellcheck disable=SC2086
            r=$("$M" run --workload "$Z/$name.yaml" $w --quant "$Z/quant/$q.yaml" --threads "$th" --limit "$n" \
                --dataset "synthetic:split=test,count=$n,seed=1,h=$px,w=$px,c=$c,classes=10" |
                awk -v n="$n" '/^speed/ { printf "%.3f", n / $4 }')
            printf '%-26s %-6s %7s %8s %14s\n' "$name" "$q" "$th" "$n" "$r"
        done
    done
done
