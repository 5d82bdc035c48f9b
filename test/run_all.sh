#!/bin/sh
# Runs every test layer against the build in $1 (unit tests, fuzz corpus
# replay, the embedding example, CLI golden tables and the acceptance run)
# and ends with one line: "N passed, N failed". Exits 1 if anything failed.
B=${1:-build/rel}
# fontconfig's cache outlives every call by design (test/lsan.supp)
LSAN_OPTIONS="suppressions=$(pwd)/test/lsan.supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
export LSAN_OPTIONS
pass=0
fail=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

count() { # name status
    if [ "$2" = 0 ]; then pass=$((pass + 1)); echo "PASS $1"; else fail=$((fail + 1)); echo "FAIL $1"; fi
}

for t in "$B"/test/test_*; do
    "$t" >"$log" 2>&1
    rc=$?
    p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log")
    f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log" | head -1)
    p=${p:-0}
    f=${f:-0}
    if [ "$rc" != 0 ] && [ "$f" = 0 ]; then f=1; fi # crashed (sanitizer) without a summary
    pass=$((pass + p))
    fail=$((fail + f))
    echo "unit $(basename "$t"): $p passed, $f failed"
    [ "$f" = 0 ] || sed 's/^/    /' "$log"
done

for r in "$B"/test/replay_fuzz_*; do
    h=${r##*/replay_fuzz_}
    "$r" test/fuzz/corpus/"$h" test/fuzz/corpus/regress >"$log" 2>&1
    rc=$?
    count "fuzz corpus replay: $h ($(sed -n 's/.*: \([0-9]*\) inputs/\1/p' "$log") inputs)" $rc
    [ $rc = 0 ] || sed 's/^/    /' "$log"
done

T=$(mktemp -d)
"$B"/examples/embed "$T/embed.db" test/data/NIST1036_genotypes.csv >"$log" 2>&1
rc=$?
count "examples/embed" $rc
[ $rc = 0 ] || sed 's/^/    /' "$log"
rm -rf "$T"

STRDB=$(cd "$B" && pwd)/strdb
export STRDB
sh test/cli/run_tst.sh test/cli/*.tst >"$log" 2>&1
cat "$log"
pass=$((pass + $(grep -c '^PASS' "$log")))
fail=$((fail + $(grep -c '^FAIL' "$log")))
{ sh test/cli/acceptance.sh; sh test/cli/governance.sh; sh test/cli/roles.sh; sh test/cli/pedigree.sh; sh test/cli/relatives.sh; sh test/cli/missing.sh; sh test/cli/report.sh; sh test/cli/session.sh; sh test/cli/layers.sh; sh test/cli/install.sh; sh test/cli/cmf.sh; sh test/cli/intake.sh; bash test/server/server.sh; bash test/web/browser.sh;
  sh test/crash/crash.sh 24 | grep -v '^{'; } >"$log" 2>&1
cat "$log"
pass=$((pass + $(grep -c '^PASS' "$log")))
fail=$((fail + $(grep -c '^FAIL' "$log")))

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
