#!/bin/sh
# tests/cli_install.sh — the command line as an installed program and a library user see it:
# -V/--version, --workload and zoo names on every command, -q/--quiet everywhere, output folders
# created, exit 66 (EX_NOINPUT) for a missing input, the data-folder search order, and a man page
# and bash completion that match the commands' --help.
# Run by `make check` (MYELIN_BIN, MYELIN_SRCDIR, MYELIN_DATADIR = the source tree).
set -u
NAME=install
. "$(dirname "$0")/cli_lib.sh"
Z="$S/workloads/zoo"
FASHION_SYN="synthetic:split=test,count=4,seed=1,h=28,w=28,c=1"

# ---- version ----
expect 0 "myelin -V" "$M" -V
v1=$(cat "$T/out")
expect 0 "myelin --version" "$M" --version
[ -n "$v1" ] && [ "$v1" = "$(cat "$T/out")" ] && grep -qx 'myelin [0-9][0-9.]*' "$T/out" &&
    ok "-V and --version print 'myelin VERSION'" || bad "-V/--version disagree or print '$v1'"

# ---- --workload and zoo names everywhere ----
expect 0 "info --workload tiny" "$M" info --workload tiny --format csv
cp "$T/out" "$T/info_name.csv"
expect 0 "info tiny (positional shorthand)" "$M" info tiny --format csv
cmp -s "$T/out" "$T/info_name.csv" && ok "positional and --workload give the same table" || bad "positional differs"
expect 0 "info FILE" "$M" info "$Z/tiny.yaml" --format csv
cmp -s "$T/out" "$T/info_name.csv" && ok "a zoo name and its file give the same table" || bad "zoo name differs from file"
expect 64 "info without a workload" "$M" info
stderr_has "expected a workload" "info says a workload is missing"
expect 64 "info with two workloads" "$M" info --workload tiny fashion
expect 66 "info --workload on an unknown zoo name" "$M" info --workload no-such-model
stderr_has "no workload file or zoo model called 'no-such-model'" "the unknown name is said"
expect 0 "run --workload fashion (zoo name, its weights file)" "$M" run --workload fashion --dataset "$FASHION_SYN" --quiet
stdout_has "top-1" "run on a zoo name reports accuracy"
expect 0 "cost --workload spikformer-8-384 --arch generic-45nm" "$M" cost --workload spikformer-8-384 --arch generic-45nm

# ---- exit 66 (EX_NOINPUT) for a missing input file, 74 for one that cannot be written ----
expect 66 "info on a missing file" "$M" info "$T/nope.yaml"
expect 66 "cost with a missing quantization file" "$M" cost --quant "$T/none.yaml"
expect 66 "run with a missing weights file" "$M" run --weights "$T/none.safetensors" --limit 1
expect 66 "cost with a missing activity file" "$M" cost --activity "$T/none.json"
expect 66 "cost with an unknown preset" "$M" cost --arch no-such-preset
touch "$T/plainfile"
expect 74 "cost --out into a path under a file" "$M" cost --out "$T/plainfile/x.txt"

# ---- -q/--quiet on every command ----
expect 0 "info -q" "$M" info -q tiny
expect 0 "run -q" "$M" run -q --limit 3
[ "$(wc -l < "$T/out")" -eq 1 ] && ok "run -q prints one line" || bad "run -q printed $(wc -l < "$T/out") lines"
expect 0 "run --quiet" "$M" run --quiet --limit 3
expect 0 "dataset info -q" "$M" dataset info -q "synthetic:split=test,count=3,seed=1"
expect 0 "cost -q" "$M" cost -q
expect 0 "cost --quant FILE (long option still works)" "$M" cost --quant "$Z/quant/w8.yaml" -q
expect 0 "sim -q" "$M" sim -q --limit 1 --statistical
expect 0 "search -q (with --help)" "$M" search -q --help

# ---- output folders are created ----
expect 0 "cost --tables into a folder that does not exist" "$M" cost -q --tables "$T/new/tables"
[ -s "$T/new/tables/zoo_memory.md" ] && ok "cost --tables created the folder and wrote its tables" ||
    bad "no $T/new/tables/zoo_memory.md"
[ -s "$T/err" ] && bad "cost -q --tables wrote to stderr: $(head -n 1 "$T/err")" || ok "cost -q --tables is silent"

[ -s "$T/new/tables/zoo_energy.csv" ] && [ -s "$T/new/tables/zoo_memory.tex" ] &&
    ok "cost --tables writes the zoo tables as CSV and LaTeX too" || bad "no zoo CSV/LaTeX tables"
printf 'arch: generic-45nm\nworkloads: [tiny]\nparams:\n  array.rows: [64, 128]\n' > "$T/sweep.yaml"
expect 0 "sweep into a folder that does not exist, -q" "$M" sweep -q "$T/sweep.yaml" --out "$T/new/sweep"
[ -s "$T/new/sweep/points.csv" ] && ok "sweep --out created the folder" || bad "no $T/new/sweep/points.csv"
[ -s "$T/err" ] && bad "sweep -q wrote to stderr: $(head -n 1 "$T/err")" || ok "sweep -q is silent"

# ---- --format: the five formats on every command that prints a table; provenance in each ----
for f in table csv json markdown latex; do
    for c in "info tiny" "cost" "run --limit 2" "sim --limit 1 --statistical"; do
        # shellcheck disable=SC2086
        expect 0 "$c --format $f" "$M" $c --format $f
        grep -qE "myelin\"?:? \"?[0-9]+\.[0-9]" "$T/out" && ok "$c --format $f records the version" ||
            bad "$c --format $f: no version in the output"
    done
done
expect 0 "info --format json" "$M" info tiny --format json
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["provenance"]["workload"] == "tiny" and len(d["layers"]) > 5' "$T/out" 2>/dev/null &&
    ok "info's JSON parses and names its workload in the provenance" || bad "info JSON"
expect 0 "cost --format latex" "$M" cost --workload spikformer-8-384 --format latex
grep -q "resizebox\|estimated width [0-9]* pt at" "$T/out" && ! grep -q "synapse_util" "$T/out" &&
    ok "cost's LaTeX is sized to a page and leaves out the detail columns" || bad "cost LaTeX width"
expect 0 "cost --columns" "$M" cost -q --columns layer,total_uJ --format csv
[ "$(grep -v '^#' "$T/out" | head -n 1)" = "layer,total_pJ" ] && ok "--columns chooses and orders the columns (total_uJ is total_pJ in CSV)" ||
    bad "--columns gave '$(grep -v '^#' "$T/out" | head -n 1)'"
expect 64 "cost --columns with an unknown column" "$M" cost --columns layer,joules
stderr_has "unknown column 'joules'" "the unknown column is named"
expect 64 "info --format with an unknown format" "$M" info tiny --format xml
stderr_has "expected table, csv, json, markdown or latex" "the formats are listed"
(cd "$T" && "$M" cost --workload "$Z/tiny.yaml" --format csv > "$T/c1.csv" 2>/dev/null)
(cd "$T" && "$M" cost --workload "$Z/tiny.yaml" --format csv > "$T/c2.csv" 2>/dev/null)
cmp -s "$T/c1.csv" "$T/c2.csv" && ok "cost outputs are byte-identical across runs" || bad "cost reruns differ"
head -n 1 "$T/c1.csv" | grep -qF "workload_file ../" && ! head -n 1 "$T/c1.csv" | grep -qF "file /" &&
    ok "provenance paths are relative to the working folder" || bad "provenance: $(head -n 1 "$T/c1.csv")"
expect 0 "run --progress with a pipe for stderr" "$M" run --limit 60 --progress -q
stderr_has "60/60 images" "--progress shows progress when stderr is not a terminal"

# ---- data folders: $MYELIN_DATADIR first, then the installed one, then the source tree ----
D="$T/data"
mkdir -p "$D/arch/presets" "$D/workloads/zoo"
cp "$S/arch/presets/generic-45nm.yaml" "$D/arch/presets/mine.yaml"
expect 66 "a preset that is only in another data folder" env MYELIN_DATADIR= "$M" cost --arch mine
stderr_has "looked for" "a missing preset lists where it looked"
expect 0 "the same preset with MYELIN_DATADIR" env MYELIN_DATADIR="$D" "$M" cost --arch mine
printf 'mesh: {rows: oops}\n' > "$D/arch/presets/generic-45nm.yaml"
expect 65 "MYELIN_DATADIR comes before the source tree" env MYELIN_DATADIR="$D" "$M" cost --arch generic-45nm
stderr_has "$D/arch/presets/generic-45nm.yaml" "the error names the MYELIN_DATADIR copy"
cp "$Z/tiny.yaml" "$D/workloads/zoo/mymodel.yaml"
cp "$Z/tiny.safetensors" "$D/workloads/zoo/"
expect 0 "a zoo name found in MYELIN_DATADIR (its weights beside it)" env MYELIN_DATADIR="$D" "$M" run --workload mymodel --limit 2 -q
expect 66 "an unknown name lists every data folder" env MYELIN_DATADIR="$D" "$M" cost --arch no-such-preset
first=$(sed -n 's/.*looked for \([^,]*\),.*/\1/p' "$T/err")
[ "$first" = "$D/arch/presets/no-such-preset.yaml" ] && ok "MYELIN_DATADIR is searched first" ||
    bad "first folder searched: '$first'"
grep -qF "$S/arch/presets/no-such-preset.yaml" "$T/err" && ok "the source tree is searched" || bad "source tree not searched"

# ---- man page and completion agree with --help ----
MAN="$S/cli/myelin.1"
sed 's/\\-/-/g' "$MAN" > "$T/man.txt"   # roff's \- is a plain hyphen
for c in info run dataset cost sim search sweep; do
    missing=""
    for o in $("$M" "$c" --help 2>/dev/null | grep -o -- '--[a-z][a-z-]*' | sort -u); do
        grep -qE -- "$o([^a-z-]|\$)" "$T/man.txt" || missing="$missing $o"
    done
    [ -z "$missing" ] && ok "myelin.1 documents every option of '$c --help'" || bad "myelin.1 lacks$missing ($c)"
done
if command -v groff >/dev/null 2>&1; then
    groff -man -Tutf8 -ww -z "$MAN" 2> "$T/err" && [ ! -s "$T/err" ] && ok "myelin.1 renders without warnings" ||
        bad "groff warnings on myelin.1"
fi
if command -v bash >/dev/null 2>&1; then
    bash -n "$S/cli/completion/myelin" && ok "the bash completion parses" || bad "bash completion syntax"
    out=$(PATH="$(dirname "$M"):$PATH" bash -c '. "$1"; COMP_WORDS=(myelin cost --ar); COMP_CWORD=2; _myelin; echo "${COMPREPLY[*]}"' _ "$S/cli/completion/myelin")
    [ "$out" = "--arch" ] && ok "completion offers --arch from 'cost --help'" || bad "completion gave '$out'"
    out=$(MYELIN_DATADIR="$S" bash -c '. "$1"; COMP_WORDS=(myelin cost --arch gen); COMP_CWORD=3; _myelin; echo "${COMPREPLY[*]}"' _ "$S/cli/completion/myelin")
    [ "$out" = "generic-45nm" ] && ok "completion offers preset names" || bad "preset completion gave '$out'"
fi

echo "1..$n"
[ "$fails" -eq 0 ]
