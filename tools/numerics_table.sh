#!/bin/sh
# tools/numerics_table.sh — the quantized engine against float on a trained model, as a Markdown table:
# top-1 and predictions identical to float for uniform per-channel weight bits 16 8 6 4 3 2 at one
# membrane width, and w16 at a second one.  Used by `make results-numerics` (results/numerics_*.md).
#
#   sh tools/numerics_table.sh MYELIN WORKLOAD DATASET LIMIT OUT.md [MBITS [MBITS2]]
#
# MYELIN   the myelin binary;  WORKLOAD  a workload YAML;  DATASET  a dataset spec (fashion-mnist:...);
# LIMIT    images (0: all);    OUT.md    written atomically;  MBITS membrane bits (default 16),
# MBITS2   the second membrane width for w16 (default 24).
# Every run is `MYELIN run --workload W --dataset D [--limit N] --quant Q --logits F.csv --quiet`, so
# any row can be re-measured alone; the table records the version, inputs and this command.
set -eu
if [ $# -lt 5 ]; then
    sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 64
fi
bin=$1 wl=$2 ds=$3 limit=$4 out=$5 mb=${6:-16} mb2=${7:-24}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/myelin-numerics.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
lim=
[ "$limit" -gt 0 ] && lim="--limit $limit"

# run TAG WBITS MBITS: logits of one setting into $tmp/TAG.csv (WBITS float: the reference)
run() {
    if [ "$2" = float ]; then
        printf 'default:\n  weight_bits: float\n  membrane_bits: float\n' >"$tmp/$1.yaml"
    else
        printf 'default:\n  weight_bits: %s\n  membrane_bits: %s\n  scheme: uniform\n  granularity: channel\n' \
            "$2" "$3" >"$tmp/$1.yaml"
    fi
    echo "numerics_table: $wl w$2/m$3 ..." >&2
    # shellcheck disable=SC2086
    "$bin" run --workload "$wl" --dataset "$ds" $lim --quant "$tmp/$1.yaml" --logits "$tmp/$1.csv" \
        --quiet >/dev/null
}

# argmax of every logits row: "index label prediction"
preds() {
    awk -F, 'NR > 1 { b = 3; for (i = 4; i <= NF; i++) if ($i + 0 > $b + 0) b = i; print $1, $2, b - 3 }' "$1"
}

# row LABEL TAG: | label | top-1 % | drop | identical % | over $tmp/float
row() {
    preds "$tmp/$2.csv" >"$tmp/$2.p"
    paste -d' ' "$tmp/float.p" "$tmp/$2.p" | awk -v lab="$1" -v ref="$ref_top1" '
        { n++; if ($6 == $5) c++; if ($6 == $3) same++ }
        END { t = 100 * c / n; printf "| %s | %.2f | %+.2f | %.2f |\n", lab, t, t - ref, 100 * same / n }'
}

run float float float
preds "$tmp/float.csv" >"$tmp/float.p"
ref_top1=$(awk '{ n++; if ($3 == $2) c++ } END { printf "%.2f", 100 * c / n }' "$tmp/float.p")
nimg=$(wc -l <"$tmp/float.p" | tr -d ' ')
for w in 16 8 6 4 3 2; do
    run "w$w" "$w" "$mb"
done
run "w16m2" 16 "$mb2"

{
    echo "<!-- $("$bin" --version): sh tools/numerics_table.sh MYELIN $wl $ds $limit OUT $mb $mb2 -->"
    echo
    echo "Quantized against float on \`$wl\`, dataset \`$ds\`, $nimg images (uniform per-channel weights,"
    echo "8-bit unsigned input codes). *identical* = share of images whose prediction equals the float engine's."
    echo
    echo "| weights / membrane (bits) | top-1 (%) | vs float (points) | identical to float (%) |"
    echo "|---|---|---|---|"
    echo "| float / float | $ref_top1 | — | 100.00 |"
    for w in 16 8 6 4 3 2; do
        row "$w / $mb" "w$w"
    done
    row "16 / $mb2" "w16m2"
} >"$tmp/table.md"
mv "$tmp/table.md" "$out.tmp.$$" && mv "$out.tmp.$$" "$out"
echo "numerics_table: wrote $out" >&2
