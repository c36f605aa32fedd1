#!/bin/sh
# bench/engine.sh — `make bench`: images per second of the functional engine (float and 8-bit) on
# the tiny model and on Spikformer-8-384 (random weights, 224 px synthetic images), and, when
# /usr/bin/python3 has torch, the same networks in PyTorch on this machine in the same run, with the
# ratio myelin/torch.  Never part of `make check`.  Environment: MYELIN_BIN, MYELIN_SRCDIR, PYTHON3,
# BENCH_TINY_IMAGES (default 1000), BENCH_BIG_IMAGES (default 4).  The 224-px images use 250
# synthetic classes because IDX labels (the bridge to PyTorch) are bytes.
set -eu
M=${MYELIN_BIN:-./myelin}
S=${MYELIN_SRCDIR:-.}
PY=${PYTHON3:-/usr/bin/python3}
NT=${BENCH_TINY_IMAGES:-1000}
NB=${BENCH_BIG_IMAGES:-4}
Z="$S/workloads/zoo"

# img_per_s ARGS... : runs myelin run, prints images/s from its wall time
img_per_s() {
    n=$1; shift
    t0=$(date +%s.%N)
    "$M" run --quiet --limit "$n" "$@" >/dev/null
    t1=$(date +%s.%N)
    echo "$n $t0 $t1" | awk '{ printf "%.2f", $1 / ($3 - $2) }'
}

tiny_ds="synthetic:split=test,count=$NT,seed=1"
big_ds="synthetic:split=test,count=$NB,seed=1,h=224,w=224,c=3,classes=250"
echo "# myelin engine benchmark ($(uname -m), $(nproc) cores; one thread)"
printf '%-22s %-7s %8s %14s\n' model mode images myelin_img_per_s
r1=$(img_per_s "$NT" --workload "$Z/tiny.yaml" --dataset "$tiny_ds")
printf '%-22s %-7s %8s %14s\n' tiny float "$NT" "$r1"
r2=$(img_per_s "$NT" --workload "$Z/tiny.yaml" --dataset "$tiny_ds" --quant "$Z/quant/w8.yaml")
printf '%-22s %-7s %8s %14s\n' tiny w8 "$NT" "$r2"
r3=$(img_per_s "$NB" --workload "$Z/spikformer-8-384.yaml" --weights random:1 --dataset "$big_ds")
printf '%-22s %-7s %8s %14s\n' spikformer-8-384 float "$NB" "$r3"
r4=$(img_per_s "$NB" --workload "$Z/spikformer-8-384.yaml" --weights random:1 --dataset "$big_ds" --quant "$Z/quant/w8.yaml")
printf '%-22s %-7s %8s %14s\n' spikformer-8-384 w8 "$NB" "$r4"

if [ -x "$PY" ] && "$PY" -c 'import torch' 2>/dev/null && [ -f "$S/bench/torch_bench.py" ]; then
    echo
    echo "# PyTorch on the same machine, same images (float32, eval); ratio = myelin float / torch"
    "$PY" "$S/bench/torch_bench.py" --myelin "$M" --srcdir "$S" --tiny-images "$NT" --big-images "$NB" \
        --myelin-tiny "$r1" --myelin-big "$r3"
else
    echo "# PyTorch comparison skipped: $PY with torch (python3-torch) and bench/torch_bench.py are needed"
fi
