#!/bin/sh
# tests/fuzz_smoke.sh — builds the fuzz harnesses (fuzz/build.sh) and runs each for a few seconds
# plus its committed crash reproducers (fuzz/smoke.sh).  Skipped (exit 77, with a message) when
# clang cannot build libFuzzer targets.
src=${MYELIN_SRCDIR:?}
if [ -n "${MYELIN_SKIP_FUZZ_SMOKE:-}" ]; then
    echo "fuzz smoke run skipped (MYELIN_SKIP_FUZZ_SMOKE is set: make check-sanitize)"
    exit 77
fi
out=${MYELIN_BUILDDIR:-.}/fuzz
mkdir -p "$out"
sh "$src/fuzz/build.sh" "$src" "$out" >"${out}.build.log" 2>&1
rc=$?
if [ $rc -eq 77 ]; then
    tail -n 1 "${out}.build.log"
    exit 77
fi
if [ $rc -ne 0 ]; then
    cat "${out}.build.log"
    echo "not ok - the fuzz harnesses do not build"
    exit 1
fi
sh "$src/fuzz/smoke.sh" "$src" "$out" "${MYELIN_FUZZ_SMOKE_SECONDS:-3}"
