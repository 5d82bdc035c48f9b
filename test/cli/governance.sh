#!/bin/sh
# Governance through the strdb command: expunge leaves neither the sample id
# nor the genotype bytes in the database file, its WAL or the snapshots and
# the chain still verifies; signed checkpoints (keygen, checkpoint, verify
# --pubkey --checkpoints) catch a tail cut off together with the stored
# checkpoints. Needs $STRDB and sqlite3; prints PASS/FAIL lines.
. test/cli/lib.sh

"$S" init "$T/db" 2>/dev/null
"$S" import "$T/db" $D/NIST1036_genotypes.csv --index population --basis population-study 2>/dev/null
"$S" search "$T/db" --index population --genotype 'D3S1358=15/16' --purpose database-health >/dev/null 2>&1
check "before: the sample id is in the database file and the snapshot" \
    sh -c "grep -q -a UA16895 '$T/db' && grep -q -a UA16895 '$T'/db.index-autosomal-population"
check "expunge without --reason is refused and changes nothing" \
    sh -c "! '$S' expunge '$T/db' UA16895 2>&1 && '$S' show '$T/db' UA16895 --purpose administration >/dev/null"
check "expunge with another purpose is refused" \
    sh -c "! '$S' expunge '$T/db' UA16895 --reason x --purpose casework"
check "expunge UA16895 --reason --authorization" \
    "$S" expunge "$T/db" UA16895 --reason "acquitted" --authorization "CO-2026-17"
check "after: the sample id is nowhere in the database file, its WAL or a snapshot" \
    sh -c "[ \"\$(cat '$T'/db '$T'/db-wal '$T'/db.index-* 2>/dev/null | grep -c -a UA16895)\" = 0 ]"
check "after: show finds nothing, the audit chain verifies, the record holds no id" \
    sh -c "! '$S' show '$T/db' UA16895 --purpose administration 2>/dev/null &&
           '$S' audit verify '$T/db' && '$S' audit export '$T/db' | grep -q '\"action\":\"expunge\"' &&
           ! '$S' audit export '$T/db' | grep -q UA16895"

"$S" audit keygen --key "$T/k" --pubkey "$T/k.pub"
check "the secret key file is private (mode 600)" sh -c "ls -l '$T/k' | grep -q '^-rw-------'"
check "keygen never overwrites a key" sh -c "! '$S' audit keygen --key '$T/k' --pubkey '$T/k2.pub' 2>/dev/null"
"$S" audit checkpoint "$T/db" --key "$T/k" -o "$T/outside.jsonl"
"$S" show "$T/db" UA00001 --purpose administration >/dev/null 2>&1
"$S" audit checkpoint "$T/db" --key "$T/k" -o "$T/outside.jsonl"
check "verify --pubkey: two checkpoints hold" \
    sh -c "'$S' audit verify '$T/db' --pubkey '$T/k.pub' --checkpoints '$T/outside.jsonl' | grep -q '2 signed checkpoints hold'"
cp "$T/db" "$T/cut"
last=$(sqlite3 "$T/cut" "SELECT max(seq) FROM audit_checkpoint")
sqlite3 "$T/cut" "DELETE FROM audit WHERE seq >= $last - 1; DELETE FROM audit_checkpoint WHERE seq >= $last - 1"
check "a cut-off tail with its stored checkpoint deleted: the chain alone verifies" "$S" audit verify "$T/cut"
check "... but the outside checkpoints catch it and name the first untrusted record" \
    sh -c "'$S' audit verify '$T/cut' --pubkey '$T/k.pub' --checkpoints '$T/outside.jsonl' >'$T/v' 2>&1
           [ \$? = 1 ] && grep 'cut off' '$T/v' | grep -q \"audit record $((last - 1)):\""

# The purpose policy: the same 1036 genotypes in an offender, a missing-person
# and a relatives-of-missing-persons index; a low-stringency query hits all.
"$S" init "$T/pp" 2>/dev/null
"$S" import "$T/pp" $D/NIST1036_genotypes.csv --index offender --basis conviction 2>/dev/null
"$S" import "$T/pp" $D/NIST1036_genotypes.csv --index missing-person --basis missing-person-report --id-prefix MP- 2>/dev/null
"$S" import "$T/pp" $D/NIST1036_genotypes.csv --index relative-of-missing --basis consent --id-prefix REL- 2>/dev/null
G='D3S1358=15/16;vWA=17/18;TH01=6/9.3'
O="--stringency low --min-loci 3"
hits() { # PURPOSE [options]: the sample ids of the hits
    p=$1
    shift
    "$S" search "$T/pp" --genotype "$G" $O --purpose "$p" --json "$@" | sed -n 's/.*"sample_id": "\([^"]*\)".*/\1/p'
}
hits missing-person >"$T/mp"
check "a missing-person search returns missing-person and relatives' profiles only, never an offender" \
    sh -c "grep -q '^MP-' '$T/mp' && grep -q '^REL-' '$T/mp' && ! grep -v -q '^MP-\|^REL-' '$T/mp'"
hits casework >"$T/cw"
check "a casework search returns offender profiles and never touches the relatives' index" \
    sh -c "[ -s '$T/cw' ] && ! grep -q '^REL-\|^MP-' '$T/cw'"
check "casework on the relatives' index is refused before reading, naming the rule, and audited" \
    sh -c "! '$S' search '$T/pp' --genotype '$G' $O --purpose casework --index relative-of-missing 2>'$T/e' &&
           grep -q \"refused by policy: purpose 'casework' may not search index 'relative-of-missing'\" '$T/e' &&
           '$S' audit log '$T/pp' | tail -1 | grep -q 'search .*casework .*refused by policy'"
check "missing-person on the offender index is refused" \
    sh -c "! '$S' search '$T/pp' --genotype '$G' $O --purpose missing-person --index offender 2>/dev/null"
check "show of a relative's profile for casework is refused" \
    sh -c "! '$S' show '$T/pp' REL-UA16895 --purpose casework 2>/dev/null && '$S' show '$T/pp' REL-UA16895 --purpose missing-person >/dev/null"
check "a show refused by policy prints exactly what an unknown sample prints (existence not confirmed)" \
    sh -c "! '$S' show '$T/pp' REL-UA16895 --purpose casework 2>'$T/e1' && ! '$S' show '$T/pp' REL-NOBODY --purpose casework 2>'$T/e2' &&
           cmp '$T/e1' '$T/e2' && '$S' audit log '$T/pp' | grep -q 'refused by policy: purpose .casework. may not show index .relative-of-missing.'"
check "familial without --authorization is refused" \
    sh -c "! '$S' search '$T/pp' --genotype '$G' $O --purpose familial 2>'$T/e' && grep -q 'needs an authorization reference' '$T/e'"
check "familial with --authorization runs" \
    sh -c "'$S' search '$T/pp' --genotype '$G' $O --purpose familial --authorization FS-2026-3 >/dev/null"
check "policy --deny takes effect and is audited; --allow restores it" \
    sh -c "'$S' policy '$T/pp' --deny casework:search:offender &&
           ! '$S' search '$T/pp' --genotype '$G' $O --purpose casework --index offender 2>/dev/null &&
           '$S' audit log '$T/pp' | grep -q 'policy-set' &&
           '$S' policy '$T/pp' --allow casework:search:offender &&
           '$S' search '$T/pp' --genotype '$G' $O --purpose casework --index offender >/dev/null"
check "policy set --authorization-required missing-person=yes: then refused without a reference" \
    sh -c "'$S' policy set '$T/pp' --authorization-required missing-person=yes &&
           ! '$S' search '$T/pp' --genotype '$G' $O --purpose missing-person 2>/dev/null &&
           '$S' search '$T/pp' --genotype '$G' $O --purpose missing-person --authorization MP-7 >/dev/null &&
           '$S' policy show '$T/pp' | grep -q '^missing-person *required'"
check "policy rejects an unknown operation" \
    sh -c "! '$S' policy '$T/pp' --allow casework:delete:offender 2>/dev/null"

# Retention: 1036 arrestee profiles (PoFA: 3 years) collected 2020-02-15, one
# conviction profile with its own --retain-until, two volunteers under consent.
"$S" init "$T/r" 2>/dev/null
"$S" import "$T/r" $D/NIST1036_genotypes.csv --index arrestee --basis arrest 2>/dev/null
sqlite3 "$T/r" "UPDATE import_batch SET started_at = '2020-02-15T10:00:00.000Z'"
"$S" import "$T/r" $D/bad/good3.csv --index offender --basis conviction --id-prefix C- --retain-until 2021-01-01 2>/dev/null
"$S" import "$T/r" $D/bad/good3.csv --index volunteer --basis consent --id-prefix V- 2>/dev/null
check "years:3 — not due the day before the third anniversary" sh -c "[ \"\$('$S' retention report '$T/r' --as-of 2023-02-14 | grep -c ' arrest ')\" = 0 ]"
check "years:3 — all 1036 due on it" sh -c "[ \"\$('$S' retention report '$T/r' --as-of 2023-02-15 | grep -c ' arrest ')\" = 1036 ]"
check "retain-until — not due the day before, due on the day (conviction itself is indefinite)" \
    sh -c "[ \"\$('$S' retention report '$T/r' --as-of 2020-12-31 | grep -c '^C-')\" = 0 ] &&
           [ \"\$('$S' retention report '$T/r' --as-of 2021-01-01 | grep -c '^C-')\" = 2 ]"
check "consent — never due while consent stands" sh -c "[ \"\$('$S' retention report '$T/r' --as-of 2099-01-01 | grep -c '^V-')\" = 0 ]"
check "retention run --dry-run counts and changes nothing" \
    sh -c "'$S' retention run '$T/r' --as-of 2023-02-15 --dry-run 2>&1 | grep -q '1038 profiles due' &&
           [ \"\$('$S' retention report '$T/r' --as-of 2023-02-15 | tail -n +2 | wc -l)\" = 1038 ]"
check "retention set arrest years:5 moves the boundary (audited)" \
    sh -c "'$S' retention set '$T/r' arrest years:5 &&
           [ \"\$('$S' retention report '$T/r' --as-of 2025-02-14 | grep -c ' arrest ')\" = 0 ] &&
           [ \"\$('$S' retention report '$T/r' --as-of 2025-02-15 | grep -c ' arrest ')\" = 1036 ] &&
           '$S' audit log '$T/r' | grep -q retention-set"
check "retention set refuses a malformed rule" sh -c "! '$S' retention set '$T/r' arrest years:x 2>/dev/null"
check "retention run expunges what is due, the ids leave the file, the chain verifies" \
    sh -c "'$S' retention run '$T/r' --as-of 2025-02-15 2>/dev/null &&
           [ \"\$('$S' retention report '$T/r' --as-of 2025-02-15 | tail -n +2 | wc -l)\" = 0 ] &&
           ! grep -q -a 'UA16895' '$T/r' && '$S' audit verify '$T/r' >/dev/null"
check "consent give, then withdraw: the volunteer's profile is expunged at once" \
    sh -c "'$S' consent give '$T/r' V-GT37019 --scope casework,familial --at 2024-05-01 &&
           '$S' show '$T/r' V-GT37019 --purpose administration >/dev/null &&
           '$S' consent withdraw '$T/r' V-GT37019 &&
           ! '$S' show '$T/r' V-GT37019 --purpose administration 2>/dev/null &&
           ! grep -q -a 'V-GT37019' '$T/r'"
"$S" import "$T/r" $D/bad/good3.csv --index missing-person --basis missing-person-report --id-prefix MP- --case MP-2026-1 2>/dev/null
check "case — not due while the case is open" sh -c "[ \"\$('$S' retention report '$T/r' --as-of 2099-01-01 | grep -c '^MP-')\" = 0 ]"
check "case — closed 2026-06-30: not due on the 29th, both due on the 30th" \
    sh -c "'$S' retention close-case '$T/r' MP-2026-1 --at 2026-06-30 &&
           [ \"\$('$S' retention report '$T/r' --as-of 2026-06-29 | grep -c '^MP-')\" = 0 ] &&
           [ \"\$('$S' retention report '$T/r' --as-of 2026-06-30 | grep -c '^MP-')\" = 2 ]"
check "consent for an unknown sample is refused" sh -c "! '$S' consent give '$T/r' nobody --scope casework 2>/dev/null"

# Subject access report: what is stored, and every consultation that returned the sample.
"$S" init "$T/s" 2>/dev/null
"$S" import "$T/s" $D/NIST1036_genotypes.csv --index offender --basis conviction 2>/dev/null
"$S" show "$T/s" UA16895 --purpose casework --case K-1 >/dev/null
"$S" show "$T/s" UA00001 --purpose casework --case K-9 >/dev/null 2>&1
Q=$(sqlite3 "$T/s" "SELECT group_concat(locus || '=' || alleles, ';') FROM genotype WHERE sample_id = 'UA16895'")
"$S" search "$T/s" --genotype "$Q" --case K-2 >/dev/null
"$S" search "$T/s" --genotype "$Q" --stringency high --min-loci 29 --index arrestee --purpose casework >/dev/null 2>&1
check "subject-report: stored data and exactly the show and the search that returned it" \
    sh -c "'$S' subject-report '$T/s' UA16895 --json >'$T/sr' &&
           grep -q '\"basis\": \"conviction\"' '$T/sr' && grep -q '\"retention_rule\": \"indefinite\"' '$T/sr' &&
           [ \"\$(grep -c '\"action\":' '$T/sr')\" = 2 ] && grep -q '\"case\": \"K-1\"' '$T/sr' && grep -q '\"case\": \"K-2\"' '$T/sr'"
"$S" expunge "$T/s" UA16895 --reason acquitted 2>/dev/null
check "subject-report after expunction: nothing stored, when and why it went, the consultations stay" \
    sh -c "'$S' subject-report '$T/s' UA16895 >'$T/sr2' && grep -q 'stored          nothing' '$T/sr2' &&
           grep -q 'expunged .*acquitted' '$T/sr2' && grep -q '^3 consultations' '$T/sr2' &&
           ! grep -q -a UA16895 '$T/s'"
