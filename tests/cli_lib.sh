# tests/cli_lib.sh — shared by the end-to-end scripts (tests/cli*.sh), sourced after they set
# NAME: the binary and source tree from `make check` (MYELIN_BIN, MYELIN_SRCDIR), a scratch
# folder removed on exit, and TAP-style checks that count failures.
M=${MYELIN_BIN:-./myelin}
S=${MYELIN_SRCDIR:-.}
export MYELIN_SRCDIR="$S"
T=$(mktemp -d "${TMPDIR:-/tmp}/myelin-$NAME.XXXXXX")
trap 'rm -rf "$T"' EXIT
fails=0
n=0

ok() { n=$((n + 1)); echo "ok $n - $1"; }
bad() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - $1"; [ -f "$T/err" ] && sed 's/^/#   /' "$T/err" | head -5; }

# expect CODE DESCRIPTION CMD... : runs CMD (stdout to $T/out, stderr to $T/err), checks its status
expect() {
    code=$1; desc=$2; shift 2
    "$@" >"$T/out" 2>"$T/err"
    got=$?
    if [ "$got" -eq "$code" ]; then ok "$desc (exit $got)"; else bad "$desc: exit $got, expected $code"; fi
}
# stderr_has / stdout_has FRAGMENT DESCRIPTION : the last command's output contains FRAGMENT
stderr_has() {
    if grep -qF -- "$1" "$T/err"; then ok "$2"; else bad "$2: stderr lacks '$1'"; fi
}
stdout_has() {
    if grep -qF -- "$1" "$T/out"; then ok "$2"; else bad "$2: stdout lacks '$1'"; fi
}
