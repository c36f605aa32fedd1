#!/bin/sh
# tests/cli_search.sh — end-to-end checks of `myelin search` on the embedded tiny model with a
# reduced budget: every method finishes and its chosen setting, re-evaluated by `myelin run` and
# `myelin cost`, meets the constraint and gives the reported accuracy, memory and energy; a search
# stopped (--stop-after) or killed (kill -9) midway resumes to byte-identical outputs; serial and
# threaded runs agree; bad arguments exit 64 with a clear message.
# Run by `make check` with MYELIN_BIN (the built binary) and MYELIN_SRCDIR (the source tree).
set -u
NAME=search
. "$(dirname "$0")/cli_lib.sh"

# same_outputs DIR1 DIR2 DESC : every output except the journal and the SVGs is byte-identical
same_outputs() {
    d=0
    for f in "$1"/*; do
        b=$(basename "$f")
        case "$b" in *journal*|*.svg) continue ;; esac
        cmp -s "$f" "$2/$b" || { d=1; echo "#   $b differs"; }
    done
    [ "$d" -eq 0 ] && ok "$3" || bad "$3"
}
# field CSV ROW COL : one cell of a CSV file (ROW 1 = header)
field() { awk -F, -v r="$2" -v c="$3" '/^#/ { next } ++n == r { print $c }' "$1"; }  # ("#" lines: provenance, caption)

VAL="synthetic:split=test,count=100,seed=2"
CAL="synthetic:split=test,count=8,seed=3"
TST="synthetic:split=test,count=100,seed=1"
BUDGET="--val $VAL --calib $CAL --test $TST --bits 8,4,2 --max-drop 1.5 --no-timing --quiet"

# ---- usage ----
expect 0 "search --help" "$M" search --help
expect 64 "an unknown option" "$M" search --no-such-option
expect 64 "an unknown method" "$M" search --method simulated-annealing
stderr_has "expected greedy, beam, qsvit or hetero" "the method error lists the methods"
expect 64 "a bad gate" "$M" search --gate topk:0
stderr_has "topk:K wants an integer K >= 1" "the gate error says what K must be"
expect 64 "bad bit widths" "$M" search --bits 8,x
expect 64 "a bit width out of range" "$M" search --bits 17
expect 64 "a bad granularity" "$M" search --granularity tile
expect 64 "a bad drop" "$M" search --max-drop -1
expect 64 "a bad thread count" "$M" search --threads 0
expect 64 "a stray argument" "$M" search extra
expect 66 "a missing architecture" "$M" search --arch no-such-preset $BUDGET --out "$T/x"

# ---- every method: the chosen setting re-evaluated by run and cost ----
check_method() {
    meth=$1; shift
    out="$T/$meth"
    expect 0 "search --method $meth $*" "$M" search --method "$meth" $BUDGET --out "$out" "$@"
    [ -f "$out/chosen.yaml" ] || { bad "$meth wrote no chosen.yaml"; return; }
    acc=$(field "$out/summary.csv" 3 5)
    drop=$(field "$out/summary.csv" 3 6)
    mem=$(field "$out/summary.csv" 3 8)
    key=$(field "$out/summary.csv" 3 4)
    pj=$(awk -F, -v k="$key" '!/^#/ && NR > 1 && $5 == k && $9 == "yes" { print $18; exit }' "$out/candidates.csv")
    if awk -v d="$drop" 'BEGIN { exit !(d <= 1.5) }'; then ok "$meth meets the constraint (drop $drop)"; else bad "$meth drop $drop > 1.5"; fi
    "$M" run --quant "$out/chosen.yaml" --dataset "$VAL" --json "$T/act_$meth.json" --quiet >"$T/run_$meth" 2>"$T/err"
    racc=$(sed -n 's/.*top-1 \([0-9.]*\) %.*/\1/p' "$T/run_$meth")
    [ "$racc" = "$acc" ] && ok "$meth: myelin run gives the reported accuracy ($acc %)" || bad "$meth: run says $racc %, search said $acc %"
    "$M" cost --quant "$out/chosen.yaml" --activity "$T/act_$meth.json" --format json >"$T/cost_$meth.json" 2>"$T/err"
    cmem=$(grep -o '"param_bytes": [0-9]*' "$T/cost_$meth.json" | tail -1 | sed 's/.*: //')
    cpj=$(grep -o '"total_pJ": [0-9.e+-]*' "$T/cost_$meth.json" | tail -1 | sed 's/.*: //')
    [ "$cmem" = "$mem" ] && ok "$meth: myelin cost gives the reported memory ($mem bytes)" || bad "$meth: cost says $cmem bytes, search said $mem"
    if awk -v a="$cpj" -v b="$pj" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(b > 0 && d <= 1e-6 * b) }'; then
        ok "$meth: myelin cost gives the reported energy ($pj pJ)"
    else
        bad "$meth: cost says $cpj pJ, search said $pj pJ"
    fi
}
check_method greedy --granularity block --threads 2
check_method beam --granularity network --beam-width 2
check_method qsvit --granularity block
check_method hetero --granularity network
[ -f "$T/qsvit/sensitivity.csv" ] && ok "qsvit writes its sensitivity table" || bad "qsvit wrote no sensitivity table"
for f in candidates.csv candidates.json pareto.csv summary.txt summary.csv summary.json summary.md summary.tex acc_vs_memory.gp acc_vs_memory.dat acc_vs_energy.gp layer_bits.dat; do
    [ -s "$T/greedy/$f" ] || bad "greedy did not write $f"
done
ok "greedy writes every table and plot script"
grep -q toprule "$T/greedy/summary.tex" && ok "the LaTeX summary uses booktabs" || bad "LaTeX summary"

# ---- determinism: serial = threaded, rerun = same ----
expect 0 "greedy, one thread" "$M" search $BUDGET --granularity block --threads 1 --out "$T/serial"
same_outputs "$T/serial" "$T/greedy" "one thread and two threads give identical outputs"
expect 0 "greedy rerun from its journal" "$M" search $BUDGET --granularity block --threads 2 --out "$T/greedy"
same_outputs "$T/serial" "$T/greedy" "a rerun over a complete journal gives identical outputs"

# ---- stop and resume ----
expect 3 "search stopped after 4 evaluations" "$M" search $BUDGET --granularity block --out "$T/stop" --stop-after 4
stderr_has "rerun to resume" "the stop says how to resume"
[ "$(wc -l <"$T/stop/journal.jsonl")" -eq 5 ] && ok "the journal holds a header and 4 records" || bad "journal lines: $(wc -l <"$T/stop/journal.jsonl")"
expect 3 "resumed, stopped again" "$M" search $BUDGET --granularity block --out "$T/stop" --stop-after 5
expect 0 "resumed to the end" "$M" search $BUDGET --granularity block --out "$T/stop"
same_outputs "$T/serial" "$T/stop" "a stopped and resumed search equals an uninterrupted one"

# ---- MPI: two ranks (each evaluation's image chunks dealt to them) give the serial outputs ----
if ! "$M" search --help | grep -q "MPI: built in"; then
    echo "# skipped: this myelin was built without Open MPI"
elif command -v "${MPIRUN:-mpirun}" >/dev/null 2>&1; then
    # under make check-sanitize: full stacks at malloc, so tests/lsan.supp can name Open MPI's own
    # never-freed allocations (harmless without ASan)
    MR="env OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}fast_unwind_on_malloc=0 ${MPIRUN:-mpirun} --allow-run-as-root --oversubscribe -np 2"
    expect 0 "mpirun -np 2 search" $MR "$M" search $BUDGET --granularity block --threads 1 --out "$T/mpi"
    same_outputs "$T/serial" "$T/mpi" "mpirun -np 2 gives byte-identical outputs to the serial search"
    expect 3 "mpirun -np 2 search stopped after 3 evaluations" $MR "$M" search $BUDGET --granularity block --threads 1 --out "$T/mpistop" --stop-after 3
    expect 0 "resumed serially from rank 0's journal" "$M" search $BUDGET --granularity block --out "$T/mpistop"
    same_outputs "$T/serial" "$T/mpistop" "a search stopped under MPI resumes to the serial outputs"
else
    echo "# skipped: mpirun not found"
fi

# kill -9 midway (a bigger validation set, so there is a middle to kill in)
KV="--val synthetic:split=test,count=300,seed=2 --calib $CAL --test $TST --bits 8,4,2 --granularity block --no-timing --quiet"
expect 0 "uninterrupted reference" "$M" search $KV --out "$T/ref9" --threads 1
"$M" search $KV --out "$T/kill9" --threads 1 >/dev/null 2>&1 &
pid=$!
i=0
while [ "$i" -lt 200 ]; do
    [ -f "$T/kill9/journal.jsonl" ] && [ "$(wc -l <"$T/kill9/journal.jsonl")" -ge 4 ] && break
    sleep 0.05
    i=$((i + 1))
done
kill -9 "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
lines=$(wc -l <"$T/kill9/journal.jsonl")
[ ! -f "$T/kill9/summary.csv" ] && ok "killed midway ($lines journal lines, no summary yet)" || ok "killed (the search had already finished: $lines lines)"
expect 0 "rerun after kill -9" "$M" search $KV --out "$T/kill9" --threads 2
same_outputs "$T/ref9" "$T/kill9" "a killed and resumed search equals an uninterrupted one"

# ---- a journal of other arguments is set aside ----
expect 0 "other arguments, same folder" "$M" search $BUDGET --granularity network --out "$T/stop" --progress
[ -f "$T/stop/journal.jsonl.old" ] && ok "the old journal was moved aside" || bad "no journal.jsonl.old"
stderr_has "started afresh" "the restart is reported"

# ---- an array without some widths: the search keeps to the supported ones ----
expect 69 "an array without float weights" "$M" search $BUDGET --arch loihi-like --out "$T/loihi"
stderr_has "no float weights" "the error says why"

# ---- the proxy sees the head: lowering only the head has a non-zero proxy ----
hp=$(awk -F, '!/^#/ && NR > 1 && $5 == "f.f.f.u2" { print $24 }' "$T/greedy/candidates.csv")
if [ -n "$hp" ] && awk -v p="$hp" 'BEGIN { exit !(p > 0) }'; then ok "a head-only candidate has a proxy > 0 ($hp)"; else
    hp=$(awk -F, '!/^#/ && NR > 1 && $5 ~ /^f\.f\.f\.u/ { print $24; exit }' "$T/greedy/candidates.csv")
    if [ -n "$hp" ] && awk -v p="$hp" 'BEGIN { exit !(p > 0) }'; then ok "a head-only candidate has a proxy > 0 ($hp)"; else bad "head-only proxy '$hp'"; fi
fi
[ "$(field "$T/greedy/summary.csv" 1 20)" = "test_drop_pct" ] && ok "the summary reports the test drop" || bad "summary header: $(head -1 "$T/greedy/summary.csv")"

# ---- gated vs ungated greedy (reduced budget): the direction of the acceptance figures ----
expect 0 "ungated greedy" "$M" search $BUDGET --granularity block --gate none --out "$T/ungated"
ug_full=$(field "$T/ungated/summary.csv" 3 15); ug_mem=$(field "$T/ungated/summary.csv" 3 9)
g_full=$(field "$T/serial/summary.csv" 3 15); g_mem=$(field "$T/serial/summary.csv" 3 9)
if awk -v a="$g_mem" -v b="$ug_mem" 'BEGIN { exit !(a >= b - 1) }'; then ok "gated memory saving $g_mem % within 1 point of ungated $ug_mem %"; else bad "gated $g_mem % vs ungated $ug_mem %"; fi
if awk -v a="$g_full" -v b="$ug_full" 'BEGIN { exit !(2 * a <= b) }'; then ok "gated greedy: $g_full full evaluations, ungated $ug_full (at least 2x fewer)"; else bad "gated $g_full vs ungated $ug_full full evaluations"; fi
rho=$(field "$T/ungated/summary.csv" 3 24)
if awk -v r="$rho" 'BEGIN { exit !(r > 0) }'; then ok "the proxy ranks the ungated candidates (Spearman $rho > 0)"; else bad "Spearman '$rho'"; fi

# ---- more dimensions and objectives ----
expect 0 "image widths and membrane widths as dimensions, energy objective" "$M" search $BUDGET --granularity network --input-bits 8,4 --membrane-bits 16,8 --objective energy --out "$T/dims"
grep -q '\.i4\|\.i8\|m8' "$T/dims/candidates.csv" && ok "candidates vary the image and membrane widths" || bad "no image/membrane width in the keys"
[ "$(field "$T/dims/summary.csv" 3 22)" = "energy" ] && ok "the summary names the objective" || bad "objective column"
expect 64 "a bad objective" "$M" search --objective speed
stderr_has "expected memory, energy or edp" "the objective error lists the objectives"

# ---- --weights random:1 as run takes it ----
expect 0 "search --weights random:1" "$M" search $BUDGET --granularity network --weights random:1 --out "$T/random"
expect 64 "a bad random seed" "$M" search --weights random:x

# ---- splits from the workload's dataset; carving; run reproduces val and test ----
sed "s#^weights:.*#weights: $S/workloads/zoo/tiny.safetensors#" "$S/workloads/zoo/tiny.yaml" >"$T/tinyds.yaml"
printf 'dataset:\n  train: "synthetic:split=train,count=600,seed=7"\n  val: "%s"\n  val_range: [10, 80]\n  test: "%s"\n' "$VAL" "$TST" >>"$T/tinyds.yaml"
expect 0 "a workload that declares its dataset, no dataset options" "$M" search --workload "$T/tinyds.yaml" --bits 8,4,2 --granularity network --no-timing --quiet --out "$T/ds"
stderr_has "declares its dataset" "the search says it uses the workload's dataset"
stderr_has "images 10..89" "the validation set is the workload's val_range"
expect 0 "--val-from-train 100,3" "$M" search --workload "$T/tinyds.yaml" --val-from-train 100,3 --bits 8,4,2 --granularity block --no-timing --quiet --out "$T/carve"
[ -s "$T/carve/val-images-idx3-ubyte" ] && ok "the carved validation set is written as IDX" || bad "no val IDX"
acc=$(field "$T/carve/summary.csv" 3 5); tacc=$(field "$T/carve/summary.csv" 3 7)
"$M" run --workload "$T/tinyds.yaml" --quant "$T/carve/chosen.yaml" --dataset "$T/carve/val-images-idx3-ubyte" --quiet >"$T/run_carve" 2>"$T/err"
racc=$(sed -n 's/.*top-1 \([0-9.]*\) %.*/\1/p' "$T/run_carve")
[ "$racc" = "$acc" ] && ok "myelin run on the carved set gives the reported validation accuracy ($acc %)" || bad "run $racc %, search $acc %"
"$M" run --workload "$T/tinyds.yaml" --quant "$T/carve/chosen.yaml" --dataset "$TST" --quiet >"$T/run_test" 2>"$T/err"
rt=$(sed -n 's/.*top-1 \([0-9.]*\) %.*/\1/p' "$T/run_test")
[ "$rt" = "$tacc" ] && ok "myelin run gives the reported test accuracy ($tacc %)" || bad "run $rt %, search test $tacc %"
expect 64 "--val-from-train without a train split" "$M" search --val-from-train 10,1 --out "$T/x"
stderr_has "needs a train split" "the error says what is missing"

echo "1..$n"
[ "$fails" -eq 0 ]
