#!/bin/sh
# bench/sim.sh — `make bench-sim`: speed of the SystemC core-array model (simulated spike packets
# per second beside bursts per second and SystemC process wake-ups per second, wall time per
# inference; packets inside a burst are not simulated one by one) on the tiny model (real weights, 8-bit, synthetic images,
# against the functional engine on the same images in the same run) and on Spikformer-8-384
# (statistical mode, T = 4, one inference), then the agreement of its energy with the analytical
# cost model on every shipped workload and preset (quantization as `myelin cost --tables`: float on
# paper-45nm and generic-45nm, 8-bit weights / 16-bit membranes on loihi-like).  Never part of
# `make check`.  Environment: MYELIN_BIN, MYELIN_SRCDIR, BENCH_SIM_TINY_IMAGES (default 200),
# BENCH_SIM_AGREEMENT=0 skips the agreement table (its loihi-like ImageNet runs take minutes),
# BENCH_SIM_REAL_BIG=0 skips Spikformer-8-384 with (random) real weights against the engine.
set -eu
M=${MYELIN_BIN:-./myelin}
S=${MYELIN_SRCDIR:-.}
export MYELIN_SRCDIR="$S"
NT=${BENCH_SIM_TINY_IMAGES:-200}
Z="$S/workloads/zoo"
W8="$Z/quant/w8.yaml"
OUT=$(mktemp "${TMPDIR:-/tmp}/myelin-bench-sim.XXXXXX")
trap 'rm -f "$OUT"' EXIT

now() { date +%s.%N; }

# speed_of FILE: "wall_s packets_per_s images_per_s bursts_per_s wakeups_per_s" from myelin sim's
# "speed" line
speed_of() { awk '/^speed/ { print $2, $5, $8, $10, $12 }' "$1"; }

echo "# myelin sim benchmark ($(uname -m), $(nproc) cores; one thread)"
t0=$(now)
"$M" run --quiet --threads 1 --limit "$NT" --quant "$W8" >/dev/null
t1=$(now)
eng=$(echo "$NT $t0 $t1" | awk '{ printf "%.1f", $1 / ($3 - $2) }')
t0=$(now)
"$M" sim --limit "$NT" --quant "$W8" >"$OUT"
t1=$(now)
tiny_proc=$(echo "$t0 $t1" | awk '{ printf "%.3f", $2 - $1 }')
set -- $(speed_of "$OUT")
tiny_wall=$1; tiny_pps=$2; tiny_ips=$3; tiny_bps=$4; tiny_wps=$5
tiny_lat=$(awk '/^latency/ { print $2 }' "$OUT")
t0=$(now)
"$M" sim --workload "$Z/spikformer-8-384.yaml" >"$OUT"
t1=$(now)
set -- $(speed_of "$OUT")
big_sim=$1; big_pps=$2; big_bps=$4; big_wps=$5
big_wall=$(echo "$t0 $t1" | awk '{ printf "%.2f", $2 - $1 }')
big_lat=$(awk '/^latency/ { print $2 }' "$OUT")
big_pk=$(awk '/^noc/ { print $2 }' "$OUT")

printf '\n| model | mode | images | process wall s | simulation wall s | s per inference | simulated packets/s | bursts/s | SystemC wake-ups/s | simulated cycles per inference | engine img/s (process) | sim img/s (process) | sim time / engine time |\n'
printf '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n'
echo "$NT $tiny_proc $tiny_wall $tiny_pps $tiny_lat $eng $tiny_bps $tiny_wps" | awk '{ printf "| tiny | real weights, w8, generic-45nm | %d | %.3f | %.3f | %.5f | %.3g | %.3g | %.3g | %s | %s | %.1f | %.2fx |\n", $1, $2, $3, $3 / $1, $4, $7, $8, $5, $6, $1 / $2, $6 / ($1 / $2) }'
echo "$big_wall $big_sim $big_pps $big_lat $big_pk $big_bps $big_wps" | awk '{ printf "| spikformer-8-384 | statistical, float, generic-45nm, T=4 | 1 | %.2f | %.2f | %.2f | %.3g | %.3g | %.3g | %s | - | - | - |\n", $1, $2, $2, $3, $6, $7, $4 }'
if [ "${BENCH_SIM_REAL_BIG:-1}" != 0 ]; then
    big_ds="synthetic:split=test,count=1,seed=1,h=224,w=224,c=3,classes=250"
    t0=$(now)
    "$M" run --quiet --threads 1 --limit 1 --workload "$Z/spikformer-8-384.yaml" --weights random:1 --dataset "$big_ds" >/dev/null
    t1=$(now)
    "$M" sim --limit 1 --workload "$Z/spikformer-8-384.yaml" --weights random:1 --dataset "$big_ds" >"$OUT"
    t2=$(now)
    set -- $(speed_of "$OUT")
    echo "$t0 $t1 $t2 $1 $2 $4 $5" | awk '{ printf "| spikformer-8-384 | real (random) weights, float, generic-45nm, T=4 | 1 | %.2f | %.2f | %.2f | %.3g | %.3g | %.3g | - | %.3f | %.3f | %.1fx |\n", $3 - $2, $4, $4, $5, $6, $7, 1 / ($2 - $1), 1 / ($3 - $2), ($3 - $2) / ($2 - $1) }'
fi
echo "(spikformer-8-384: $big_pk spike packets per inference; goal: under 30 s per inference in statistical mode)"
echo "(a burst is one (source core, destination core, timestep) group of spike packets sent back to back;"
echo " the model times it whole, so packets inside a burst are not simulated one by one: packets/s"
echo " counts spikes accounted for, bursts/s and SystemC wake-ups/s the work the simulator really does)"

[ "${BENCH_SIM_AGREEMENT:-1}" = 0 ] && exit 0
printf '\n# energy of the SystemC model vs the analytical cost model (same mapping, activity measured in the same run)\n'
printf '| workload | preset | quant | sim J | cost model J | total diff | without leakage | sim cycles | cost model cycles | wall s |\n'
printf '|---|---|---|---:|---:|---:|---:|---:|---:|---:|\n'
for w in tiny spikformer-4-384-cifar10 spikformer-8-384 spikformer-8-512 spikformer-8-768; do
    for a in paper-45nm generic-45nm loihi-like; do
        q="$Z/quant/float.yaml"; qn=float
        [ "$a" = loihi-like ] && { q="$W8"; qn=w8; }
        extra=""
        [ "$w" = tiny ] && extra="--limit 100"
        t0=$(now)
        "$M" sim --workload "$Z/$w.yaml" --arch "$a" --quant "$q" $extra --quiet >"$OUT" 2>&1 || true
        t1=$(now)
        awk -v w="$w" -v a="$a" -v q="$qn" -v t0="$t0" -v t1="$t1" '
            /^latency/ { cyc = $2 }
            /^energy/ { sim = $2; cost = $12; tot = $14; dyn = $18; sub(/[(]/, "", tot); cc = $23; sub(/[)]/, "", cc) }
            /error/ { err = $0 }
            END { if (err != "") printf "| %s | %s | %s | %s |||||||\n", w, a, q, err;
                  else printf "| %s | %s | %s | %.4g | %.4g | %s %% | %s %% | %.4g | %.4g | %.1f |\n", w, a, q, sim, cost, tot, dyn, cyc, cc, t1 - t0 }' "$OUT"
    done
done
