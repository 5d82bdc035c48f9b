#!/bin/sh
# The record is written before results leave: a reader that stops early (a
# closed pipe) still leaves exactly one record, and a read that cannot write
# its record returns nothing. Needs $STRDB and sqlite3; prints PASS/FAIL lines.
. test/cli/lib.sh
db=$T/s.db
"$S" init "$db" 2>/dev/null
"$S" import "$db" "$D/NIST1036_genotypes.csv" --index offender --basis conviction 2>/dev/null
records() { "$S" audit log "$db" --json | grep -c "\"action\":\"$1\"" || true; }

n0=$(records export)
"$S" export "$db" --purpose administration | head -1 >"$T/one"
check "export | head -1 prints one profile" sh -c "[ \$(wc -l <'$T/one') = 1 ]"
check "export | head -1 leaves one export record" sh -c "[ \$('$S' audit log '$db' --json | grep -c '\"action\":\"export\"') = $((n0 + 1)) ]"
check "its count is every profile the export read (1036)" \
    sh -c "'$S' audit log '$db' --json | grep '\"action\":\"export\"' | tail -1 | grep -q '\"result_count\":1036'"

n0=$(records search)
"$S" search "$db" --genotype 'TH01=9.3/9.3' --stringency low --min-loci 1 --json | head -1 >/dev/null
check "search | head -1 leaves one search record" sh -c "[ \$('$S' audit log '$db' --json | grep -c '\"action\":\"search\"') = $((n0 + 1)) ]"
"$S" export "$db" --purpose administration -o - | head -1 >"$T/dash"
check "-o - writes to stdout" sh -c "[ \$(wc -l <'$T/dash') = 1 ]"

# another connection holds the write lock: nothing is printed, exit 1, one line why
sqlite3 "$db" "BEGIN IMMEDIATE; SELECT 1 WHERE 0; " >/dev/null 2>&1 # warm-up (no lock kept)
lock() { (printf 'BEGIN IMMEDIATE;\nSELECT 1;\n'; sleep 4; printf 'ROLLBACK;\n') | sqlite3 "$db" >/dev/null 2>&1 & }
n0=$("$S" audit log "$db" | wc -l)
lock
sleep 0.5
for cmd in export search ysearch; do
    case $cmd in
    export) args="--purpose administration" ;;
    search) args="--genotype TH01=9.3/9.3 --stringency low --min-loci 1" ;;
    ysearch) args="--genotype DYS19=14" ;;
    esac
    STRDB_BUSY_TIMEOUT_MS=100 "$S" $cmd "$db" $args >"$T/out" 2>"$T/err"
    rc=$?
    check "$cmd under another writer's lock: exit 1, nothing on stdout, one line on stderr" \
        sh -c "[ $rc = 1 ] && [ ! -s '$T/out' ] && [ \$(wc -l <'$T/err') = 1 ] && grep -q 'audit record could not be written' '$T/err'"
done
wait
check "... and no record was added for them" sh -c "[ \$('$S' audit log '$db' | wc -l) = $n0 ]"
check "the chain verifies" "$S" audit verify "$db"

# concurrent writers wait for each other (busy timeout) and lose nothing
c=$T/c.db
"$S" init "$c" 2>/dev/null
"$S" import "$c" "$D/NIST1036_genotypes.csv" --index offender --basis conviction --id-prefix A- 2>/dev/null &
"$S" import "$c" "$D/NIST1036_genotypes.csv" --index offender --basis conviction --id-prefix B- 2>/dev/null &
wait
check "two imports at once: both land (2072 profiles)" \
    sh -c "'$S' stat '$c' --json | grep -q '\"profiles\": 2072'"
"$S" import "$c" "$D/NIST1036_genotypes.csv" --index offender --basis conviction --id-prefix C- 2>/dev/null &
"$S" search "$c" --genotype 'TH01=9.3/9.3' --stringency low --min-loci 1 >"$T/s1" 2>&1 &
wait
check "an import beside a search: both finish, the import lands (3108 profiles)" \
    sh -c "'$S' stat '$c' --json | grep -q '\"profiles\": 3108' && grep -q 'hits among' '$T/s1'"
"$S" expunge "$c" A-GT37019 --reason twice 2>"$T/e1" &
"$S" expunge "$c" B-GT37019 --reason twice 2>"$T/e2" &
wait
check "two expunctions at once: both land" \
    sh -c "'$S' stat '$c' --json | grep -q '\"profiles\": 3106' && grep -q removed '$T/e1' && grep -q removed '$T/e2'"
check "... and the chain verifies" "$S" audit verify "$c"
