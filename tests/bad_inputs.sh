#!/bin/sh
# tests/bad_inputs.sh — the bad-input corpus (tests/data/bad/, written by make_corpus.py): every
# file is read by the command its MANIFEST line gives, and must fail cleanly: the recorded exit
# code (never 0, never 70 "internal", never a signal or a timeout), exactly one line on stderr
# that names the file, carries the recorded message fragment and line:column (YAML, JSON), nothing
# on stdout, no file written into the scratch output folder, and the input itself untouched.
#   MANIFEST: file<TAB>exit<TAB>line:col or -<TAB>fragment<TAB>command
#   sh tests/bad_inputs.sh --record   rewrites MANIFEST from MANIFEST.in (review the diff!)
set -u
NAME=bad
. "$(dirname "$0")/cli_lib.sh"
D="$S/tests/data/bad"
TIMEOUT=${MYELIN_BAD_TIMEOUT:-60}
record=0
[ "${1:-}" = "--record" ] && record=1

run_case() { # run_case FILE COMMAND : sets got, $T/out, $T/err
    rm -rf "$T/out.d" "$T/scratch"
    mkdir -p "$T/scratch"
    cmd=$(printf '%s' "$2" | sed "s|{F}|$D/$1|g; s|{D}|$D|g; s|{S}|$S|g; s|{T}|$T/scratch|g")
    sum_before=$(cat "$D/$1" 2>/dev/null | cksum)
    # shellcheck disable=SC2086
    timeout "$TIMEOUT" "$M" $cmd >"$T/out" 2>"$T/err" </dev/null
    got=$?
    sum_after=$(cat "$D/$1" 2>/dev/null | cksum)
}

if [ $record -eq 1 ]; then
    out="$D/MANIFEST"
    printf '# file\texit\tline:col\tfragment\tcommand  (written by tests/bad_inputs.sh --record; reviewed)\n' >"$out"
    grep -v '^#' "$D/MANIFEST.in" | while IFS='	' read -r file tmpl; do
        run_case "$file" "$tmpl"
        first=$(head -n 1 "$T/err")
        where=$(printf '%s' "$first" | sed -n 's/.*:\([0-9][0-9]*:[0-9][0-9]*\): error: .*/\1/p')
        frag=$(printf '%s' "$first" | sed 's/.*error: //' | cut -c1-40 | sed 's/[[:space:]]*$//')
        printf '%s\t%s\t%s\t%s\t%s\n' "$file" "$got" "${where:--}" "$frag" "$tmpl" >>"$out"
    done
    echo "recorded $(grep -vc '^#' "$out") cases in $out"
    exit 0
fi

while IFS='	' read -r file code where frag cmd; do
    case "$file" in '#'*|'') continue ;; esac
    tmpl=$cmd
    run_case "$file" "$tmpl"
    base=$(basename "$file")
    why=""
    [ "$got" -eq "$code" ] || why="exit $got, expected $code"
    case "$got" in 0|70|124|1[2-9][0-9]|2[0-9][0-9]) why="$why; exit $got is not a clean refusal" ;; esac
    [ "$(wc -l <"$T/err")" -eq 1 ] || why="$why; $(wc -l <"$T/err") lines on stderr, expected one"
    # the line names the file at fault: the case file, or a file it or the command refers to
    named=0
    for w in $(printf '%s' "$cmd" | tr ' :' '\n\n' | grep / ) "$base" $(sed -n 's/^weights: //p' "$D/$file" 2>/dev/null); do
        grep -qF -- "$(basename "$w")" "$T/err" && named=1
    done
    [ $named -eq 1 ] || why="$why; stderr does not name $base"
    grep -qF -- "$frag" "$T/err" || why="$why; stderr lacks '$frag'"
    [ "$where" = "-" ] || grep -qF -- ":$where: error:" "$T/err" || why="$why; no position $where"
    [ -s "$T/out" ] && why="$why; partial output on stdout"
    [ -n "$(find "$T/scratch" -type f)" ] && why="$why; files written: $(find "$T/scratch" -type f | head -n 3)"
    [ "$sum_before" = "$sum_after" ] || why="$why; the input was modified"
    if [ -z "$why" ]; then ok "$file: exit $got"; else bad "$file ($cmd): $why"; fi
done <"$D/MANIFEST"
echo "1..$n"
[ "$fails" -eq 0 ]
