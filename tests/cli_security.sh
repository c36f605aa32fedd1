#!/bin/sh
# tests/cli_security.sh — no input reaches a shell, a loader or a rename it should not: the exact
# injection payloads of issue 10 through --out and a workload name (nothing runs; gnuplot still
# draws), a journal path that is not a journal (refused untouched, /dev/null included), two
# searches into one --out (the second refused), SIGINT/SIGTERM (exit 130/143 with a message, the
# journal resumable), info --format json with hostile names, and one file for two outputs.
set -u
NAME=security
. "$(dirname "$0")/cli_lib.sh"
SMALL="--val synthetic:split=test,count=20,seed=2 --calib synthetic:split=test,count=4,seed=3 --test synthetic:split=test,count=20,seed=1 --bits 8 --max-drop 50 --no-timing --quiet"
cd "$T" || exit 1

# ---- shell injection through the output folder ----
OUT="x'; touch pwned; echo '"
# shellcheck disable=SC2086
expect 0 "search --out with a quote-and-command payload" "$M" search $SMALL --out "$OUT"
[ ! -e pwned ] && [ ! -e "$OUT/pwned" ] && ok "the --out payload ran nothing" || bad "the --out payload created 'pwned'"
[ -f "$OUT/chosen.yaml" ] && ok "the outputs are in the folder of that literal name" || bad "no outputs under '$OUT'"
if command -v gnuplot >/dev/null 2>&1; then
    [ -s "$OUT/acc_vs_memory.svg" ] && ok "gnuplot (no shell) drew the plots in that folder" || bad "no SVG from gnuplot"
fi
mkdir -p "t'; touch pwned2; echo '"
expect 0 "cost --tables into a payload folder" "$M" cost --tables "t'; touch pwned2; echo '"
[ ! -e pwned2 ] && ok "the --tables payload ran nothing" || bad "the --tables payload created 'pwned2'"

# ---- gnuplot injection from a workload name ----
cp "$S/workloads/zoo/tiny.safetensors" .
sed "s/^name: tiny/name: \"x'; print system('touch pwned3'); a='\"/" "$S/workloads/zoo/tiny.yaml" >evil.yaml
# shellcheck disable=SC2086
expect 0 "a search of a workload whose name is a gnuplot payload" "$M" search --workload evil.yaml $SMALL --out evil
[ ! -e pwned3 ] && [ ! -e evil/pwned3 ] && ok "the name payload ran nothing in gnuplot" || bad "the name payload created 'pwned3'"
grep -qF "set title 'greedy search on x''; print system(''touch pwned3''); a='': " evil/acc_vs_memory.gp &&
    ok "the name stays inside one gnuplot string (quotes doubled)" || bad "the title is not one escaped string"
expect 0 "info --format json of that workload" "$M" info evil.yaml --format json
if python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["workload"].startswith("x'"'"'; print")' "$T/out" 2>/dev/null; then
    ok "info --format json is valid JSON holding the name as written"
else bad "info --format json is not valid JSON"; fi
printf 'name: "q\\"\\n\\u001b[31mred"\n' >nl.yaml
sed '/^name:/d' "$S/workloads/zoo/tiny.yaml" >>nl.yaml
expect 0 "info --format json of a name with a quote, a newline and ESC" "$M" info nl.yaml --format json
python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$T/out" 2>/dev/null && ok "still valid JSON" || bad "invalid JSON"
if grep -q "$(printf '\033')" "$T/out"; then bad "an escape character reached the output"; else ok "no raw escape character in the output"; fi

# ---- the journal touches only its own files ----
printf 'my notes\n' >notes.txt
# shellcheck disable=SC2086
expect 64 "--journal at a file that is not a journal" "$M" search $SMALL --out j1 --journal notes.txt
stderr_has "not a Myelin journal" "the refusal says why"
[ "$(cat notes.txt)" = "my notes" ] && [ ! -e notes.txt.old ] && ok "the file is untouched, not renamed" || bad "notes.txt was touched"
# shellcheck disable=SC2086
expect 64 "--journal /dev/null" "$M" search $SMALL --out j2 --journal /dev/null
[ -c /dev/null ] && [ ! -e /dev/null.old ] && ok "/dev/null is still the device" || bad "/dev/null was moved"
ln -s notes.txt link.jsonl
# shellcheck disable=SC2086
expect 64 "--journal at a symbolic link" "$M" search $SMALL --out j3 --journal link.jsonl
# a journal of other arguments is set aside under its real name
# shellcheck disable=SC2086
expect 0 "a search writes its journal" "$M" search $SMALL --out j4
head -n 1 j4/journal.jsonl | grep -q '^{"journal":"myelin-search","version":1,"args":"' && ok "line 1 identifies a Myelin journal" || bad "no journal header"
# shellcheck disable=SC2086
expect 0 "the same journal with other arguments" "$M" search $SMALL --max-drop 40 --out j4
stderr_has "moved it to j4/journal.jsonl.old" "the note names the real .old path"
# a corrupt middle line stops the resume, naming the line
awk 'NR == 3 { print "{\"kind\":\"full\",BROKEN"; next } { print }' j4/journal.jsonl >j4/broken && mv j4/broken j4/journal.jsonl
lines=$(wc -l <j4/journal.jsonl)
# shellcheck disable=SC2086
expect 65 "a corrupt journal line" "$M" search $SMALL --max-drop 40 --out j4
stderr_has "journal.jsonl:3:1: error: corrupt journal record" "the error names the line"
[ "$(wc -l <j4/journal.jsonl)" -eq "$lines" ] && ok "no record was dropped" || bad "the journal was cut"

# ---- one search per output folder; signals ----
mkdir -p lock
flock lock sleep 30 &
holder=$!
sleep 1
# shellcheck disable=SC2086
expect 64 "a second search into a locked --out" "$M" search $SMALL --out lock
stderr_has "another myelin process is writing into this folder" "the refusal says why"
kill "$holder" 2>/dev/null
wait "$holder" 2>/dev/null
for sig in INT TERM; do
    # a search long enough (seconds) to be caught mid-way: signal it once its journal holds a
    # finished evaluation (line 1 is the header), not after a fixed sleep
    "$M" search --val synthetic:split=test,count=4000,seed=2 --calib synthetic:split=test,count=8,seed=3 \
        --test synthetic:split=test,count=400,seed=1 --no-timing --quiet --out "sig$sig" >"$T/out" 2>"$T/err" &
    pid=$!
    tries=0
    while [ "$(cat "sig$sig/journal.jsonl" 2>/dev/null | wc -l)" -lt 2 ] && [ "$tries" -lt 300 ]; do
        sleep 0.1
        tries=$((tries + 1))
    done
    kill -s "$sig" "$pid"
    wait "$pid"
    got=$?
    want=130; [ "$sig" = TERM ] && want=143
    [ "$got" -eq "$want" ] && ok "SIG$sig: exit $got" || bad "SIG$sig: exit $got, expected $want"
    stderr_has "interrupted; every finished evaluation is in the journal" "SIG$sig: the message says the journal keeps the work"
done

# ---- one file for two outputs ----
expect 64 "run --json x --logits x" "$M" run --json same --logits same --limit 1 --quiet
stderr_has "name the same file" "the error says so"
[ ! -e same ] && ok "nothing written" || bad "'same' was written"
expect 64 "dataset export --images x --labels x" "$M" dataset export --images same --labels same synthetic
[ ! -e same ] && ok "nothing exported" || bad "'same' was written"

expect 74 "dataset export with an unwritable labels path" "$M" dataset export --images part.idx \
    --labels no/such/folder/labels.idx synthetic:split=test,count=3,seed=1
[ ! -e part.idx ] && [ -z "$(ls part.idx.tmp.* 2>/dev/null)" ] && ok "no partial export left" || bad "a partial export was left"

echo "1..$n"
[ "$fails" -eq 0 ]
