#!/bin/sh
# fuzz/smoke.sh — `make check`'s short fuzz run: every committed crash reproducer
# (fuzz/regressions/TARGET/) once, then a few seconds of fuzzing from the seeds per harness.
#   sh fuzz/smoke.sh SRCDIR OUTDIR [SECONDS]     (exit 77 = skipped: no clang/libFuzzer)
set -u
src=$1
out=$2
secs=${3:-3}
status=0
for b in "$out"/fuzz_*; do
    [ -x "$b" ] || continue
    t=${b##*/fuzz_}
    reg="$src/fuzz/regressions/$t"
    if [ -d "$reg" ] && [ -n "$(ls "$reg")" ]; then
        if "$b" -rss_limit_mb=2048 "$reg"/* >"$out/smoke_$t.log" 2>&1; then
            echo "ok - fuzz_$t: $(ls "$reg" | wc -l) regression inputs"
        else
            echo "not ok - fuzz_$t: a regression input fails again (see $out/smoke_$t.log)"
            status=1
        fi
    fi
    work="$out/smoke_corpus_$t"
    rm -rf "$work"
    mkdir -p "$work"
    [ -d "$out/seeds/$t" ] && cp "$out/seeds/$t"/* "$work"/ 2>/dev/null
    if "$b" -max_total_time="$secs" -max_len=65536 -rss_limit_mb=2048 -timeout=20 -artifact_prefix="$out/crash_$t-" \
        "$work" >"$out/smoke_$t.log" 2>&1; then
        echo "ok - fuzz_$t: $(grep -o 'Done [0-9]* runs' "$out/smoke_$t.log" | tail -n 1) in ${secs}s"
    else
        echo "not ok - fuzz_$t crashed: reproducer $(ls "$out"/crash_"$t"-* 2>/dev/null | head -n 1), log $out/smoke_$t.log"
        status=1
    fi
    rm -rf "$work"
done
exit $status
