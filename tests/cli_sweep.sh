#!/bin/sh
# tests/cli_sweep.sh — end-to-end checks of `myelin sweep`: usage and bad sweep files, the five
# table formats and the plot, the Pareto front, resume after --stop-after and after kill -9
# (identical outputs), and `mpirun -np 2` byte-identical to the serial run (skipped without MPI).
set -u
NAME=cli-sweep
. "$(dirname "$0")/cli_lib.sh"

cp "$S/workloads/zoo/quant/w8.yaml" "$T/w8.yaml"
cat >"$T/s.yaml" <<'YAML'
arch: generic-45nm
workloads: [tiny, spikformer-4-384-cifar10]
quant: [float, w8.yaml]
params:
  array.rows: [1, 4, 16]
  array.cols: [4, 16]
  core.accumulator_lanes: {from: 4, to: 16, step: 12}
YAML

expect 0 "myelin sweep --help" "$M" sweep --help
stdout_has "usage: myelin sweep" "--help prints usage"
expect 64 "no sweep file" "$M" sweep
expect 66 "a sweep file that does not exist" "$M" sweep "$T/none.yaml"
printf 'arch: generic-45nm\nworkloads: [tiny]\nparams:\n  array.rowz: [1, 2]\n' >"$T/bad1.yaml"
expect 65 "an unknown parameter" "$M" sweep "$T/bad1.yaml" --out "$T/x"
stderr_has "bad1.yaml:4:3:" "the error names file:line:col"
stderr_has "did you mean 'array.rows'" "the error suggests the nearest parameter"
printf 'arch: generic-45nm\nworkloads: [tiny]\nparams:\n  array.rows: {from: 4, to: 1, step: 1}\n' >"$T/bad2.yaml"
expect 65 "a range that runs backwards" "$M" sweep "$T/bad2.yaml" --out "$T/x"
printf 'arch: generic-45nm\nworkloads: [tiny]\nparams:\n  core.accumulator_lanes: [4.5]\n' >"$T/bad3.yaml"
expect 65 "a fractional lane count" "$M" sweep "$T/bad3.yaml" --out "$T/x"
printf 'arch: generic-45nm\nworkload: [tiny]\n' >"$T/bad4.yaml"
expect 65 "an unknown top-level key" "$M" sweep "$T/bad4.yaml" --out "$T/x"
stderr_has "did you mean 'workloads'" "the top-level error suggests the key"

expect 0 "a 48-point sweep" "$M" sweep "$T/s.yaml" --out "$T/serial"
for f in points.txt points.csv points.json points.md points.tex pareto.csv pareto.md pareto.gp pareto.dat; do
    if [ -s "$T/serial/$f" ]; then ok "wrote $f"; else bad "no $f"; fi
done
np=$(($(grep -vc "^#" "$T/serial/points.csv") - 1))  # ("#" lines: provenance, caption)
if [ "$np" -eq 48 ]; then ok "48 points in points.csv"; else bad "points.csv has $np points"; fi
if grep -q 'does not fit' "$T/serial/points.csv"; then ok "a point that does not fit gives the mapper's reason"; else bad "no mapper reason"; fi
if command -v python3 >/dev/null 2>&1; then
    if python3 - "$T/serial/points.json" <<'PY'
import json, sys
pts = json.load(open(sys.argv[1]))["points"]
fit = [p for p in pts if p["fits"] == "yes"]
assert fit and all(p["energy_J"] > 0 and p["latency_s"] > 0 and p["area_mm2"] > 0 for p in fit)
for p in fit:  # EDP is energy x latency
    assert abs(p["EDP_Js"] - p["energy_J"] * p["latency_s"]) <= 1e-5 * p["EDP_Js"]
# the front: no fitting point of the same group dominates a front point; every other point is dominated
for p in fit:
    g = [q for q in fit if q["workload"] == p["workload"] and q["quant"] == p["quant"] and q is not p]
    dom = any(q["energy_J"] <= p["energy_J"] and q["latency_s"] <= p["latency_s"] and q["area_mm2"] <= p["area_mm2"]
              and (q["energy_J"], q["latency_s"], q["area_mm2"]) != (p["energy_J"], p["latency_s"], p["area_mm2"]) for q in g)
    assert (p["pareto"] == "yes") == (not dom), p["point"]
# more lanes never slow a fitting point down
by = {(p["workload"], p["quant"], p["array.rows"], p["array.cols"], p["core.accumulator_lanes"]): p for p in fit}
for k, p in by.items():
    q = by.get(k[:4] + (16,))
    if k[4] == 4 and q:
        assert q["latency_s"] <= p["latency_s"] * 1.0001
PY
    then ok "EDP, the Pareto front and the lanes' direction check out"; else bad "points.json fails the checks"; fi
fi

# ---- resume: --stop-after, and kill -9 in the middle of a longer sweep ----
expect 3 "--stop-after 7 stops with exit 3" "$M" sweep "$T/s.yaml" --out "$T/res" --stop-after 7
expect 0 "the rerun resumes" "$M" sweep "$T/s.yaml" --out "$T/res"
same=1
for f in points.txt points.csv points.json points.md points.tex pareto.csv pareto.dat pareto.gp; do
    cmp -s "$T/serial/$f" "$T/res/$f" || same=0
done
if [ "$same" -eq 1 ]; then ok "a resumed sweep writes byte-identical outputs"; else bad "resumed outputs differ"; fi
sed 's/step: 12/step: 1/' "$T/s.yaml" >"$T/long.yaml" # 13 lane values: 312 points
"$M" sweep "$T/long.yaml" --out "$T/full" >/dev/null 2>&1
"$M" sweep "$T/long.yaml" --out "$T/kill" >/dev/null 2>&1 &
pid=$!
sleep 1
kill -9 "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
printf '{"kind":"point","key":"p9' >>"$T/kill/journal.jsonl" # a torn last line, as a kill leaves
"$M" sweep "$T/long.yaml" --out "$T/kill" >/dev/null 2>"$T/err"
if cmp -s "$T/full/points.csv" "$T/kill/points.csv" && cmp -s "$T/full/points.json" "$T/kill/points.json"; then
    ok "after kill -9 (and a torn journal line) the rerun writes identical outputs"
else
    bad "outputs after kill -9 differ"
fi

# ---- --sim: SystemC runs of the best points, journaled ----
expect 64 "--sim with a bad spec" "$M" sweep "$T/s.yaml" --out "$T/x" --sim top:0
stderr_has "--sim wants top:K" "the --sim error says what it wants"
expect 0 "--sim top:3" "$M" sweep "$T/s.yaml" --out "$T/sim" --sim top:3
if command -v python3 >/dev/null 2>&1; then
    if python3 - "$T/sim/points.json" "$T/serial/points.json" <<'PY'
import json, sys
pts = json.load(open(sys.argv[1]))["points"]
ref = json.load(open(sys.argv[2]))["points"]
sim = [p for p in pts if p["sim_energy_J"] is not None]  # (null: not simulated)
fit = [p for p in pts if p["fits"] == "yes"]
# per workload and setting: the Pareto front first, then the rest, each by EDP; three of each
want = []
for g in sorted({(p["workload"], p["quant"]) for p in fit}):
    grp = [p for p in fit if (p["workload"], p["quant"]) == g]
    want += sorted(grp, key=lambda p: (p["pareto"] != "yes", p["EDP_Js"], p["point"]))[:3]
assert sorted(p["point"] for p in want) == sorted(p["point"] for p in sim), (want, sim)
for p in sim:
    assert abs(p["sim_over_cost_energy"] - p["sim_energy_J"] / p["energy_J"]) < 1e-3
    # the default options' agreement bar: 5 % energy, 25 % latency
    assert 0.95 <= p["sim_over_cost_energy"] <= 1.05, p
    assert 0.75 <= p["sim_over_cost_latency"] <= 1.25, p
# the cost columns are those of the sweep without --sim
for a, b in zip(pts, ref):
    assert a["energy_J"] == b["energy_J"] and a["pareto"] == b["pareto"]
PY
    then ok "--sim top:3 simulates the three best front points (EDP) of each workload and setting, within 5 % / 25 % of the cost model"; else bad "--sim columns fail the checks"; fi
fi
expect 3 "--sim with --stop-after stops between simulations" "$M" sweep "$T/s.yaml" --out "$T/simres" --sim top:3 --stop-after 49
expect 0 "and resumes" "$M" sweep "$T/s.yaml" --out "$T/simres" --sim top:3
if cmp -s "$T/sim/points.csv" "$T/simres/points.csv"; then ok "a resumed --sim sweep writes identical outputs"; else bad "resumed --sim outputs differ"; fi

# ---- MPI: two ranks give byte-identical outputs ----
if ! "$M" sweep --help | grep -q "MPI: built in"; then
    echo "# skipped: this myelin was built without Open MPI (install libopenmpi-dev openmpi-bin, reconfigure)"
elif [ -n "${MPIRUN:-}" ] || command -v mpirun >/dev/null 2>&1; then
    R=${MPIRUN:-mpirun}
    OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 \
        "$R" --allow-run-as-root --oversubscribe -np 2 "$M" sweep "$T/s.yaml" --out "$T/mpi" >"$T/out" 2>"$T/err"
    same=1
    for f in points.txt points.csv points.json points.md points.tex pareto.csv pareto.dat pareto.gp; do
        cmp -s "$T/serial/$f" "$T/mpi/$f" || same=0
    done
    if [ "$same" -eq 1 ]; then ok "mpirun -np 2 writes byte-identical outputs"; else bad "mpirun -np 2 outputs differ from the serial run"; fi
    OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 \
        "$R" --allow-run-as-root --oversubscribe -np 2 "$M" sweep "$T/s.yaml" --out "$T/mpisim" --sim top:3 >"$T/out" 2>"$T/err"
    if cmp -s "$T/sim/points.csv" "$T/mpisim/points.csv" && cmp -s "$T/sim/points.json" "$T/mpisim/points.json"; then
        ok "mpirun -np 2 --sim top:3 writes byte-identical outputs"
    else
        bad "mpirun -np 2 --sim outputs differ from the serial run"
    fi
else
    echo "# skipped: mpirun not found (install openmpi-bin libopenmpi-dev and reconfigure)"
fi

echo "1..$n"
[ "$fails" -eq 0 ]
