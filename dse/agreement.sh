#!/bin/sh
# dse/agreement.sh — the README's agreement table: `myelin sim` against `myelin cost` with default
# options (the one statistical activity model) for every zoo workload x preset, unicast and with
# noc.multicast: tree.  Workloads with weights run them on 100 images of the data their rates were
# measured on: tiny its synthetic test set (the default), the Fashion-MNIST models the first
# validation images (fashion-mnist:split=train,first=55000; rgb32-mapped for fashion-rgb32).  loihi-like supports integer
# weights only, so it runs with workloads/zoo/quant/w8.yaml.  Writes OUT (markdown) and prints it.
# Usage: MYELIN_BIN=./myelin MYELIN_SRCDIR=. [WORKLOADS="tiny fashion"] sh dse/agreement.sh OUT.md
set -eu
M=${MYELIN_BIN:-./myelin}
S=${MYELIN_SRCDIR:-.}
OUT=${1:-agreement.md}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
W8="$S/workloads/zoo/quant/w8.yaml"
{
    echo "| workload | preset | unicast: energy sim vs cost / latency sim ÷ cost | multicast tree |"
    echo "|---|---|---:|---:|"
    for w in ${WORKLOADS:-tiny fashion fashion-rgb32 spikformer-4-384-cifar10 spikformer-8-384 spikformer-8-512 spikformer-8-768}; do
        for p in generic-45nm paper-45nm loihi-like; do
            q=""
            [ "$p" = loihi-like ] && q="--quant $W8"
            case $w in
            fashion) q="$q --dataset fashion-mnist:split=train,first=55000" ;;
            fashion-rgb32) q="$q --dataset fashion-mnist:split=train,first=55000,map=rgb32" ;;
            esac
            # the preset with multicast: the same file with `multicast: tree` in its noc mapping
            sed 's/^noc: {\(.*\)}/noc: {\1, multicast: tree}/' "$S/arch/presets/$p.yaml" >"$T/$p-tree.yaml"
            row="| $w | $p"
            for a in "$p" "$T/$p-tree.yaml"; do
                # shellcheck disable=SC2086
                if MYELIN_SRCDIR="$S" "$M" sim --workload "$w" --arch "$a" $q --format json --quiet >"$T/o.json" 2>"$T/err"; then
                    cell=$(sed -n 's/^  "energy_vs_default_cost_pct": \(.*\),$/\1/p; s/^  "latency_vs_default_cost_ratio": \(.*\),$/\1/p' "$T/o.json" |
                        awk 'NR == 1 { e = $1 } NR == 2 { l = $1 }
                             END { b = (e > 5 || e < -5 || l > 1.25 || l < 0.8) ? "**" : "";
                                   printf "%s%+.2f %% / %.3f%s", b, e, l, b }')
                else
                    cell="failed: $(head -c 120 "$T/err")"
                fi
                row="$row | $cell"
            done
            echo "$row |"
        done
    done
} >"$OUT"
cat "$OUT"
