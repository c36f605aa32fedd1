#!/bin/sh
# search/results.sh — regenerates the search tables and plots of the Fashion-MNIST model in
# RESULTS_DIR (`make results-search`): AQ4SViT greedy with its adaptive gate and without a gate
# (the speed-up), greedy with top-k, AQ4SViT beam gated and ungated, QSViT guided (block and layer
# groups), greedy at layer groups and the heterogeneous search, on generic-45nm, each with the
# workload's own data (its YAML's dataset: validation, calibration carved from train, test); then
# search_summary.md gathers their rows next to the papers' figures.
# Journals go to a scratch folder, so every run here starts from nothing and its wall time is real.
# The second model, fashion-rgb32 (which the search was not tuned on), gets the gated and the
# ungated greedy search (search_rgb32_*) and its own table.
# Environment: RESULTS_SEARCH_WORKLOAD (default workloads/zoo/fashion.yaml), RESULTS_SEARCH_DATA
# (extra dataset options, e.g. a reduced "--val SPEC"; default none: the workload's splits),
# RESULTS_SEARCH_METHODS (space-separated run names; default all), RESULTS_SEARCH_WORKLOAD2 (default
# workloads/zoo/fashion-rgb32.yaml; "none" skips it), RESULTS_SEARCH_METHODS2 (default
# "greedy greedy_ungated"), MYELIN_THREADS (default 2).
set -eu
M=${MYELIN_BIN:-./myelin}
S=${MYELIN_SRCDIR:-.}
R=${1:-results}
WL=${RESULTS_SEARCH_WORKLOAD:-$S/workloads/zoo/fashion.yaml}
DATA=${RESULTS_SEARCH_DATA:-}
ALL="greedy greedy_ungated greedy_topk2 beam beam_ungated qsvit greedy_layer qsvit_layer hetero"
RUNS=${RESULTS_SEARCH_METHODS:-$ALL}
WL2=${RESULTS_SEARCH_WORKLOAD2:-$S/workloads/zoo/fashion-rgb32.yaml}
RUNS2=${RESULTS_SEARCH_METHODS2:-greedy greedy_ungated}
J=$(mktemp -d "${TMPDIR:-/tmp}/myelin-results-search.XXXXXX")
trap 'rm -rf "$J"' EXIT
mkdir -p "$R"

args_of() { # NAME -> the method's options
    case "$1" in
    greedy) echo "--method greedy --gate adaptive" ;;
    greedy_ungated) echo "--method greedy --gate none" ;;
    greedy_topk2) echo "--method greedy --gate topk:2" ;;
    beam) echo "--method beam --beam-width 3 --gate adaptive" ;;
    beam_ungated) echo "--method beam --beam-width 3 --gate none" ;;
    qsvit) echo "--method qsvit" ;;
    greedy_layer) echo "--method greedy --gate adaptive --granularity layer" ;;
    qsvit_layer) echo "--method qsvit --granularity layer" ;;
    hetero) echo "--method hetero --gate adaptive" ;;
    *) echo "search/results.sh: unknown run $1" >&2; exit 64 ;;
    esac
}
# search/results.sh DIR --summary-only: rebuild search_summary.md from the summaries already in DIR
run_set() { # WORKLOAD PREFIX RUNS...: each run's outputs as RESULTS_DIR/search_PREFIXNAME_*
    wl=$1 pre=$2
    shift 2
    for name in "$@"; do
        # shellcheck disable=SC2046 # word splitting of the option lists is intended
        set -- $(args_of "$name") $DATA
        echo "myelin search --workload $wl $* -> $R/search_$pre${name}_*" >&2
        "$M" search --workload "$wl" "$@" --threads "${MYELIN_THREADS:-2}" --out "$R" \
            --prefix "search_$pre${name}_" --journal "$J/$pre$name.jsonl" --quiet >/dev/null
    done
}
if [ "${2:-}" != "--summary-only" ]; then
    # shellcheck disable=SC2086 # the run lists are word lists
    run_set "$WL" "" $RUNS
    # shellcheck disable=SC2086
    [ "$WL2" = none ] || run_set "$WL2" rgb32_ $RUNS2
fi

v() { # RUN COLUMN: a cell of the chosen row of a run's summary.csv ("-" when absent)
    f="$R/search_$1_summary.csv"
    [ -f "$f" ] && awk -F, -v c="$2" '/^#/ { next } ++n == 3 { print $c }' "$f" || echo "-"
}
# gated_vs_ungated PREFIX: the line comparing a model's gated and ungated greedy runs
gated_vs_ungated() {
    gf=$(v "$1greedy" 15); uf=$(v "$1greedy_ungated" 15); g=$(v "$1greedy" 14); u=$(v "$1greedy_ungated" 14)
    gm=$(v "$1greedy" 9); um=$(v "$1greedy_ungated" 9)
    if [ "$gf" != "-" ] && [ "$uf" != "-" ]; then
        awk -v g="$g" -v u="$u" -v gf="$gf" -v uf="$uf" -v gm="$gm" -v um="$um" 'BEGIN {
            printf "Gated vs ungated greedy: %d vs %d full evaluations (%.2fx fewer), %s s vs %s s wall", gf, uf, (gf > 0 ? uf / gf : 0), g, u
            if (g + 0 > 0) printf " (%.2fx faster)", u / g
            printf "; memory saving %.2f %% vs %.2f %% (%+.2f points).\n", gm, um, gm - um }'
    fi
}
# table PREFIX RUNS...: the float row and one row per run found
table() {
    pre=$1
    shift
    echo "| run | setting | val top-1 % | val drop | test top-1 % | test drop | test within | memory (bytes) | memory saving % | energy (uJ) | energy saving % | avg bits | compression x | wall (s) | full evals | drift evals | gated out | skipped | gate-check false rejections | proxy Spearman |"
    echo "|---|---|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    first=$(for name in "$@"; do [ -f "$R/search_$pre${name}_summary.csv" ] && { echo "$name"; break; }; done)
    [ -n "$first" ] && awk -F, '/^#/ { next } ++n == 2 { printf "| float | %s | %s | %s | %s | - | - | %s | %s | %s | %s | %s | %s | - | - | - | - | - | - | - |\n", $4, $5, $6, $7, $8, $9, $10, $11, $12, $13 }' "$R/search_$pre${first}_summary.csv"
    for name in "$@"; do
        f="$R/search_$pre${name}_summary.csv"
        [ -f "$f" ] || continue
        awk -F, -v n="$name" '/^#/ { next } ++r == 3 { printf "| %s (%s, %s) | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", n, $2, $3, $4, $5, $6, $7, $20, $21, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $24 }' "$f"
    done
}
out="$R/search_summary.md"
{
    echo "# Quantization search on the Fashion-MNIST model (generic-45nm)"
    echo
    echo "Regenerated by \`make results-search\` (search/results.sh) on \`$(basename "$WL")\` with the workload's"
    echo "own data${DATA:+ and \`$DATA\`}: validation, calibration (32 images carved from the training"
    echo "split, disjoint from validation), test (never seen by the search). Constraint: validation top-1 at"
    echo "most 1.5 points below float. Energy per inference from the cost models with the activity measured"
    echo "in each candidate's own validation run. Memory = parameters x bits + 32-bit per-channel scales."
    echo "Wall time on this machine's 2 cores, shared with other jobs (${MYELIN_THREADS:-2} thread(s) per search)."
    echo
    # shellcheck disable=SC2086
    table "" $ALL
    missing=$(for name in $ALL; do [ -f "$R/search_${name}_summary.csv" ] || printf ' %s' "$name"; done)
    [ -n "$missing" ] && { echo; echo "Not run in this (reduced) regeneration:$missing (\`make results-search\` runs them all)."; }
    echo
    gated_vs_ungated ""
    if [ -f "$R/search_greedy_ungated_summary.csv" ]; then
        echo
        echo "Proxy quality over every candidate of the ungated greedy run (Spearman rank correlation with the"
        echo "measured validation drop; search/README.md): proxy $(v greedy_ungated 24)."
    fi
    if [ -f "$R/search_rgb32_greedy_summary.csv" ] || [ -f "$R/search_rgb32_greedy_ungated_summary.csv" ]; then
        echo
        echo "## The second model: fashion-rgb32 (not used to tune the search)"
        echo
        echo "Two blocks, dim 32, Fashion-MNIST mapped to 3x32x32 colour (workloads/zoo/fashion-rgb32.yaml); the"
        echo "same data options and constraint."
        echo
        table rgb32_ greedy greedy_ungated
        echo
        gated_vs_ungated rgb32_
    fi
    echo
    echo "## Against the papers"
    echo
    echo "The papers report ImageNet-scale Spikformers with op-count energy (paper-45nm style); these are a"
    echo "small Spikformer trained on Fashion-MNIST, on generic-45nm, whose energy also counts memory reads,"
    echo "neuron updates, NoC and leakage."
    echo
    echo "| figure | paper | Myelin, Fashion-MNIST model |"
    echo "|---|---|---|"
    echo "| QSViT memory saving, drop | 22.75 %, within 2.1 % | $(v qsvit 9) % (block groups), $(v qsvit_layer 9) % (layer groups); val drop $(v qsvit 6) / $(v qsvit_layer 6), test drop $(v qsvit 20) / $(v qsvit_layer 20) points |"
    echo "| QSViT power saving | 21.33 % | $(v qsvit 11) % energy per inference |"
    echo "| AQ4SViT greedy memory saving, drop | 82.5 %, within 1.5 % | $(v greedy 9) % (block), $(v greedy_layer 9) % (layer); val drop $(v greedy 6) / $(v greedy_layer 6), test drop $(v greedy 20) / $(v greedy_layer 20) points |"
    echo "| AQ4SViT gated vs ungated search | 6.6x faster | $(v greedy 15) vs $(v greedy_ungated 15) full evaluations; wall $(v greedy 14) s vs $(v greedy_ungated 14) s |"
    echo "| AQ4SViT beam saving, search time | 90 %, 4.5x greedy | $(v beam 9) % (val drop $(v beam 6), test drop $(v beam 20)); wall $(v beam 14) s vs greedy $(v greedy 14) s |"
    echo "| heterogeneous average bits, compression | 3.14-3.67, 8.71-10.19x | $(v hetero 12) bits, $(v hetero 13)x |"
    echo "| heterogeneous energy reduction, drop | 5.69-10.2x, < 1 % | $(v hetero 11) % energy saving; val drop $(v hetero 6), test drop $(v hetero 20) points |"
} >"$out.tmp"
mv "$out.tmp" "$out"
echo "wrote $out" >&2
