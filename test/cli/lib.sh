# Shared by the CLI acceptance scripts (sourced): $D test data, $T a temporary
# directory removed at exit, $S the strdb binary, check NAME CMD... prints
# PASS NAME if CMD succeeds, else FAIL NAME and CMD's output indented.
set -u
D=test/data
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
S="$STRDB"
check() {
    name=$1
    shift
    if "$@" >"$T/.out" 2>&1; then echo "PASS $name"; else echo "FAIL $name"; sed 's/^/    /' "$T/.out"; fi
}
