#!/bin/sh
# tests/valgrind.sh — `make check-valgrind`: every command of `myelin` on small inputs under
# Valgrind's memcheck (invalid accesses, uninitialised values, definite leaks), then the Check
# suites (in one process, except check_sim: a child per test). The SystemC model's threads
# register their stacks with Valgrind (sim/stack_note.h); tests/valgrind-systemc.supp suppresses
# only what libsystemc itself still reports. Not part of `make check`: 29 minutes on two shared
# cores (check_search alone about 15).
# Usage (from the build folder): sh tests/valgrind.sh [SRCDIR]
S=${1:-.}
command -v valgrind >/dev/null 2>&1 || { echo "valgrind is not installed (apt-get install valgrind)"; exit 1; }
T=$(mktemp -d) || exit 1
trap 'rm -rf "$T"' EXIT
VG="./libtool --mode=execute valgrind -q --error-exitcode=99 --leak-check=full --show-possibly-lost=no --errors-for-leak-kinds=definite --suppressions=$S/tests/valgrind-systemc.supp"
n=0 fails=0
vg() { # what, then the command
    what=$1
    shift
    n=$((n + 1))
    if $VG "$@" >"$T/out" 2>"$T/err"; then
        echo "ok $n - $what"
    else
        echo "not ok $n - $what (exit $?)"
        sed -n '1,40p' "$T/err"
        fails=$((fails + 1))
    fi
}
W8=$S/workloads/zoo/quant/w8.yaml
vg "info" ./myelin info tiny
vg "run, float" ./myelin run -q --limit 20
vg "run, w8 with drift, JSON and logits" ./myelin run -q --limit 10 --quant "$W8" --drift --json "$T/r.json" --logits "$T/r.csv"
vg "run, Fashion-MNIST model, 2 threads" ./myelin run -q --workload fashion --quant "$W8" --limit 10 --threads 2
vg "cost, tiny" ./myelin cost -q
vg "cost, Spikformer-8-384 statistical, LaTeX" ./myelin cost -q --workload spikformer-8-384 --format latex
vg "cost, activity file of a run" ./myelin cost -q --activity "$T/r.json" --quant "$W8"
vg "sim, real weights" ./myelin sim -q --limit 2 --quant "$W8"
vg "sim, statistical, loihi-like" ./myelin sim -q --statistical --limit 1 --arch loihi-like --quant "$W8"
vg "search, small synthetic sets" ./myelin search -q --bits 8,4 --threads 2 --no-timing \
    --val synthetic:split=test,count=60,seed=2 --calib synthetic:split=test,count=8,seed=3 \
    --test synthetic:split=test,count=60,seed=1 --out "$T/search"
printf 'arch: generic-45nm\nworkloads: [tiny]\nparams:\n  array.rows: [4, 8]\n  core.accumulator_lanes: [8, 16]\n' >"$T/s.yaml"
vg "sweep, 4 points" ./myelin sweep "$T/s.yaml" --out "$T/sweep" -q
for suite in ${VALGRIND_SUITES-check_myelin check_sim check_search}; do
    # check_sim forks a child per test (one SystemC elaboration per process); Valgrind follows
    # the fork, and a child's error exit fails its test
    fork=no
    [ "$suite" = check_sim ] && fork=yes
    [ -x "tests/$suite" ] && CK_FORK=$fork vg "Check suite $suite (CK_FORK=$fork)" "tests/$suite"
done
echo "1..$n"
[ "$fails" -eq 0 ]
