#!/bin/sh
# Crash safety, proven by killing: runs `strdb import`, `expunge`, `lineage
# build` and `retention run` on copies of one database and kills each with
# SIGKILL at a random moment of its run. After every kill:
#   - PRAGMA integrity_check says ok,
#   - strdb audit verify passes,
#   - the content (profiles with their genotypes, lineages, expunctions,
#     import batches, the audit actions with their outcomes and counts) is
#     exactly the state before the command or exactly the state after it,
#   - after an expunction, once a read-write session has opened the file
#     (the pending scrub runs then), the sample id is nowhere in the file.
# Usage: crash.sh KILLS [PERSONS]  (PERSONS: size of the simulated population
# whose profiles are stored; default 4000). Needs $STRDB and sqlite3. Prints
# PASS/FAIL lines and a JSON summary on the last line.
set -u
KILLS=${1:-20}
PERSONS=${2:-4000}
S=${STRDB:?set STRDB to the strdb binary}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
export STRDB_ACTOR=crash-test
fail=0
pass=0
say() { if [ "$1" = ok ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL $2"; fi; }

# The base database: simulated autosomal and Y profiles (offender and
# population indexes, the Y haplotypes for lineages), every offender profile
# due for retention, a second file to import.
gens=8
founders=$((PERSONS / gens))
"$S" simulate --out "$T/sim" --seed 7 --founders "$founders" --generations "$gens" --living 3 \
    --db-fraction 0.5 --queries 10 --no-pedigree >/dev/null 2>&1 || { echo "FAIL simulate"; exit 1; }
base=$T/base.db
"$S" init "$base" 2>/dev/null
"$S" import "$base" "$T/sim/database.jsonl" --index offender --basis conviction \
    --retain-until 2001-01-01 2>/dev/null || { echo "FAIL base import"; exit 1; }
"$S" import "$base" "$T/sim/queries.jsonl" --index arrestee --basis arrest --id-prefix Q- 2>/dev/null ||
    { echo "FAIL second import"; exit 1; }
# an offender whose id is inside no other id (G1-12 is inside G1-123 and G1-12Y)
victim=$(sqlite3 "$base" "SELECT sample_id FROM profile p WHERE index_name = 'offender' AND NOT EXISTS
    (SELECT 1 FROM profile q WHERE q.id != p.id AND instr(q.sample_id, p.sample_id) > 0) LIMIT 1")
cp "$T/sim/queries.jsonl" "$T/more.jsonl"
n_profiles=$(sqlite3 "$base" "SELECT count(*) FROM profile")

# The content a state is judged by (no times or hashes: they differ run to run).
digest() {
    sqlite3 "$1" "SELECT sample_id, index_name, hex(genotype) FROM profile ORDER BY sample_id;
        SELECT 'lineages', count(*), (SELECT count(*) FROM lineage_member),
               (SELECT count(*) FROM lineage_build) FROM lineage;
        SELECT 'expunctions', count(*) FROM expunction;
        SELECT 'batches', count(*) FROM import_batch;
        SELECT action, outcome, result_count FROM audit ORDER BY seq;" 2>&1 | sha256sum | cut -c1-16
}

# exec: in a background subshell the kill must reach strdb itself, not a shell around it
run_cmd() { # name db
    case $1 in
    import) exec "$S" import "$2" "$T/more.jsonl" --index arrestee --basis arrest --id-prefix M- ;;
    expunge) exec "$S" expunge "$2" "$victim" --reason "crash test" ;;
    lineage) exec "$S" lineage build "$2" --full ;;
    retention) exec "$S" retention run "$2" --as-of 2026-01-01 ;;
    esac
}

before=$(digest "$base")
cmds="import expunge lineage retention"
for c in $cmds; do
    cp "$base" "$T/ref-$c.db"
    t0=$(date +%s%N)
    (run_cmd "$c" "$T/ref-$c.db") >/dev/null 2>&1 || { echo "FAIL $c does not run"; exit 1; }
    t1=$(date +%s%N)
    eval "after_$c=\$(digest \"\$T/ref-\$c.db\")"
    eval "ms_$c=$(((t1 - t0) / 1000000 + 1))"
done

killed=0
finished=0
i=0
while [ $i -lt "$KILLS" ]; do
    set -- $cmds
    k=$((i % 4 + 1))
    eval "c=\${$k}"
    eval "ms=\$ms_$c after=\$after_$c"
    db=$T/k.db
    rm -f "$db" "$db-wal" "$db-shm" "$db".index-*
    cp "$base" "$db"
    # a moment in the command's run: from its start to just before the end of its reference run
    delay=$(awk -v s="$(od -An -N4 -tu4 /dev/urandom)" -v ms="$ms" 'BEGIN { srand(s); printf "%.3f", rand() * ms * 0.9 / 1000 }')
    (run_cmd "$c" "$db") >/dev/null 2>&1 &
    pid=$!
    sleep "$delay"
    if kill -9 "$pid" 2>/dev/null; then killed=$((killed + 1)); else finished=$((finished + 1)); fi
    wait "$pid" 2>/dev/null
    i=$((i + 1))
    ic=$(sqlite3 "$db" "PRAGMA integrity_check" 2>&1)
    if [ "$ic" = ok ]; then say ok; else say bad "kill $i ($c after ${delay}s): integrity_check: $ic"; fi
    if "$S" audit verify "$db" >/dev/null 2>&1; then say ok; else say bad "kill $i ($c): audit verify"; fi
    now=$(digest "$db")
    if [ "$now" = "$before" ]; then
        state=before
    elif [ "$now" = "$after" ]; then
        state=after
    else
        state=mixed
    fi
    if [ $state = mixed ]; then
        say bad "kill $i ($c after ${delay}s): a state that is neither before nor after"
        sqlite3 "$db" "SELECT 'profiles', count(*) FROM profile; SELECT 'expunctions', count(*) FROM expunction;
            SELECT action, outcome, count(*) FROM audit GROUP BY action, outcome" | sed 's/^/    /'
    else
        say ok
    fi
    if [ "$c" != import ] && [ "$c" != lineage ] && [ $state = after ]; then
        # the next read-write session runs a pending scrub
        "$S" show "$db" "$victim" --purpose administration >/dev/null 2>&1
        if grep -qaF "$victim" "$db" "$db-wal" 2>/dev/null; then
            say bad "kill $i ($c): the expunged id is still in the file after recovery"
        else
            say ok
        fi
    fi
    eval "n_$state=\$((\${n_$state:-0} + 1))"
done
echo "PASS crash tool: $KILLS kills across $cmds ($killed while running, $finished after the end), $fail failed checks"
printf '{"bench":"crash","profiles":%s,"kills":%s,"killed_running":%s,"state_before":%s,"state_after":%s,"mixed_or_corrupt":%s,"ms":{"import":%s,"expunge":%s,"lineage":%s,"retention":%s}}\n' \
    "$n_profiles" "$KILLS" "$killed" "${n_before:-0}" "${n_after:-0}" "$fail" "$ms_import" "$ms_expunge" "$ms_lineage" "$ms_retention"
[ "$fail" = 0 ]
