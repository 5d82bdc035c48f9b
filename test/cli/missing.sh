#!/bin/sh
# Missing persons over a database (issue 14): families imported from the
# pedigree CSV (columns family, missing), relatives' references and remains
# imported into their indexes; mp search ranks the true family first and
# agrees with mp lr over files; governance keeps relatives' profiles away
# from casework and offender indexes in both directions; mp draw and
# mp dvi DB; bad family files refused whole. Needs $STRDB.
. test/cli/lib.sh
M=$D/mp/store
N=$D/frequencies/NIST1036freqs.csv
DB=$T/mp.db
"$S" init "$DB" 2>/dev/null
"$S" import "$DB" $M/relatives.csv --index relative-of-missing --basis missing-person-report 2>/dev/null
"$S" import "$DB" $M/remains.csv --index unidentified-remains --basis missing-person-report 2>/dev/null
"$S" import "$DB" $M/offender.csv --index offender --basis conviction 2>/dev/null
check "three families import with their references" \
    sh -c "'$S' pedigree import '$DB' $M/families.csv --case MP-2026-1 2>&1 | grep -q '13 persons, 8 profile links, 3 missing-person families'"
"$S" mp search "$DB" --freq $N --pop Cauc --top 3 >"$T/s" 2>"$T/e"
check "mp search: each related remains has its true family and missing person at rank 1" \
    sh -c "grep -q '^1  *UHR-001  *FAM-A  *A-C1 ' '$T/s' && grep -q '^1  *UHR-003  *FAM-B  *B-X2 ' '$T/s' &&
           grep -q '^1  *UHR-004  *FAM-C  *C-G ' '$T/s' && ! grep -q 'UHR-002' '$T/s'"
"$S" mp search "$DB" --freq $N --pop Cauc --family FAM-C --remains UHR-004 --json >"$T/j" 2>/dev/null
"$S" mp lr --freq $N --pop Cauc --pedigree $M/family_c.csv --missing C-G --reference "C-GM=$(cat $M/ref_gm.txt)" \
    --reference "C-W=$(cat $M/ref_w.txt)" --poi "$(cat $M/poi.txt)" --json >"$T/l" 2>/dev/null
check "mp search equals mp lr over files (the same family, references and remains) to 1e-9" \
    sh -c "a=\$(grep -m1 '\"lr\":' '$T/j' | tr -dc '0-9.e+-'); b=\$(grep -m1 '\"lr\":' '$T/l' | tr -dc '0-9.e+-');
           awk -v a=\"\$a\" -v b=\"\$b\" 'BEGIN{d=(a-b)/b; if(d<0)d=-d; exit !(b>1e6 && d<1e-9)}'"
check "mp search --json: per-locus LRs, references and excluded loci" \
    sh -c "grep -q '\"loci_compared\": 15' '$T/j' && grep -q '\"sample\": \"REL-W3\"' '$T/j' && grep -q '\"excluded_loci\": \\[\\]' '$T/j'"
"$S" mp search "$DB" --freq $N --pop Cauc --family FAM-C --min-lr 0 >"$T/s" 2>/dev/null
check "mp search --family: the family's remains ranked, exclusions named" \
    sh -c "grep -q '^1  *UHR-004  *FAM-C  *C-G ' '$T/s' && grep -q '^2 .* 0  *-inf .*D8S1179' '$T/s'"
check "the search is audited with its candidates (subject report of the remains)" \
    sh -c "'$S' subject-report '$DB' UHR-001 | grep -q 'mp-search  missing-person'"
# governance, both directions
check "mp search under purpose casework is refused" \
    sh -c "! '$S' mp search '$DB' --freq $N --pop Cauc --purpose casework 2>'$T/e' && grep -q \"serve purpose 'missing-person' only\" '$T/e'"
check "relatives' references are never compared with the offender index" \
    sh -c "! '$S' mp search '$DB' --freq $N --pop Cauc --remains-index offender 2>'$T/e' && grep -q \"never with 'offender'\" '$T/e'"
check "a casework search of a relative's genotype finds the offender only, never the relative" \
    sh -c "'$S' search '$DB' --genotype '$(cat $M/ref_f1.txt)' --purpose casework >'$T/o' 2>/dev/null && grep -q OFF-002 '$T/o' && ! grep -q REL-F1 '$T/o'"
check "casework may not show a relative's profile" \
    sh -c "! '$S' show '$DB' REL-F1 --purpose casework >/dev/null 2>&1"
check "no policy opens relative-of-missing to casework" \
    sh -c "! '$S' policy '$DB' --allow casework:search:relative-of-missing 2>'$T/e' && grep -q 'serves purpose' '$T/e'"
check "purpose missing-person may not search the offender index" \
    sh -c "! '$S' search '$DB' --genotype '$(cat $M/ref_f1.txt)' --purpose missing-person --index offender >/dev/null 2>&1"
# drawing and DVI from the store
check "mp draw writes the family with its best candidate in the caption" \
    sh -c "'$S' mp draw '$DB' FAM-C --svg '$T/c.svg' --freq $N --pop Cauc 2>/dev/null && grep -q 'best candidate: remains UHR-004 as C-G' '$T/c.svg' &&
           grep -q 'stroke-dasharray' '$T/c.svg' && grep -q '>REL-W3<' '$T/c.svg'"
check "mp dvi DB --case: the joint assignment of the case's remains" \
    sh -c "'$S' mp dvi '$DB' --case MP-2026-1 --freq $N --pop Cauc --remains UHR-001,UHR-002,UHR-003,UHR-004 --top 2 >'$T/v' 2>/dev/null &&
           grep -q '^1  *A-C1  *\\*  *B-X2  *C-G ' '$T/v' && grep -q 'UHR-001 = A-C1' '$T/v'"
"$S" audit verify "$DB" >/dev/null 2>&1
check "the audit chain verifies after all of it" sh -c "'$S' audit verify '$DB' >/dev/null"
# bad family files: one line with file, line, field and reason; nothing changes
before=$(sqlite3 "$DB" "SELECT (SELECT count(*) FROM person) || '/' || (SELECT count(*) FROM mp_family)")
bad() { # file line field reason
    "$S" pedigree import "$DB" "$M/bad/$1" >"$T/o" 2>"$T/e"
    rc=$?
    after=$(sqlite3 "$DB" "SELECT (SELECT count(*) FROM person) || '/' || (SELECT count(*) FROM mp_family)")
    if [ $rc = 1 ] && [ "$(grep -c . "$T/e")" = 1 ] && grep -q "$M/bad/$1:$2: field '$3': .*$4" "$T/e" && [ "$after" = "$before" ]; then
        echo "PASS bad family file $1: $(cat "$T/e")"
    else echo "FAIL bad family file $1 (exit $rc, $before -> $after): $(cat "$T/e")"; fi
}
bad typed_missing.csv 3 missing "missing person 'X-C' is typed: profile 'REL-F1' of index 'relative-of-missing'"
bad no_missing.csv 2 family "family 'FAM-Y' has no missing person"
bad parent_outside.csv 3 father "father 'Z-F' of 'Z-C' is not in family 'FAM-Z'"
bad missing_no_family.csv 2 missing "missing person 'W-C' has no family"
bad family_stored.csv 2 family "family 'FAM-A' is already stored"
bad bad_flag.csv 2 missing "unreadable flag 'maybe'"
# the simulator's families: import, search, truth
"$S" simulate --mp-families 60 --mp-unrelated 20 --seed 3 --out "$T/sim" --db "$T/sim.db" 2>"$T/e"
check "simulate --mp-families writes and imports families, references, remains and truth" \
    sh -c "grep -q '60 missing-person families imported' '$T/e' && [ \$(wc -l <'$T/sim/mp_truth.csv') -gt 40 ] &&
           grep -q '^id,father,mother,sex,sample_id,family,missing$' '$T/sim/mp_families.csv'"
"$S" mp search "$T/sim.db" --freq $N --pop Cauc --top 1 >"$T/s" 2>/dev/null
check "the true family is first for most simulated remains (and the same seed gives the same files)" \
    sh -c "n=0; k=0; while IFS=, read r f m s; do [ -n \"\$f\" ] || continue; n=\$((n+1));
           grep -q \"^1  *\$r  *\$f  *\$m \" '$T/s' && k=\$((k+1)); done <'$T/sim/mp_truth.csv'; [ \$((k * 10)) -ge \$((n * 8)) ] &&
           '$S' simulate --mp-families 60 --mp-unrelated 20 --seed 3 --out '$T/sim2' 2>/dev/null && cmp -s '$T/sim/mp_remains.jsonl' '$T/sim2/mp_remains.jsonl'"
# a Familias DVI file into the store (dvir's planecrash): one transaction, then mp dvi DB
PC=$D/dvi/planecrash/Solution3_3.fam
FDB=$T/fam.db
"$S" init "$FDB" 2>/dev/null
state() { sqlite3 "$FDB" "SELECT (SELECT count(*) FROM profile) || '/' || (SELECT count(*) FROM person) || '/' || (SELECT count(*) FROM mp_family)"; }
fambad() { # name file reason: refused, one line, nothing changed
    before=$(state)
    "$S" pedigree import "$FDB" "$2" --basis missing-person-report --case PLANE-1 >"$T/o" 2>"$T/e"
    rc=$?
    if [ $rc != 0 ] && [ "$(grep -c . "$T/e")" = 1 ] && grep -q "$3" "$T/e" && [ "$(state)" = "$before" ]; then
        echo "PASS bad .fam import ($1): $(cat "$T/e")"
    else echo "FAIL bad .fam import ($1) (exit $rc, $before -> $(state)): $(cat "$T/e")"; fi
}
head -n 1500 "$PC" >"$T/cut.fam"
fambad "cut in the middle" "$T/cut.fam" "cut.fam:1500: field 'Mother': the file ends here"
sed 's/^Name= Family 3$/Name= Family 3, north/' "$PC" >"$T/comma.fam"
fambad "a family name with a comma" "$T/comma.fam" "a name with a comma or a quote cannot be stored"
check "a .fam import without --basis is refused (a profile needs a legal basis)" \
    sh -c "! '$S' pedigree import '$FDB' '$PC' --case PLANE-1 2>'$T/e' && grep -q -- '--basis CODE is required' '$T/e' && [ \"\$(sqlite3 '$FDB' 'SELECT count(*) FROM profile')\" = 0 ]"
check "pedigree import of planecrash: 5 families, 5 references, 8 unidentified persons in one go" \
    sh -c "'$S' pedigree import '$FDB' '$PC' --basis missing-person-report --case PLANE-1 2>&1 |
           grep -q '5 missing-person families, 14 persons, 5 reference profiles (relative-of-missing), 8 unidentified persons (unidentified-remains)' &&
           [ \"\$(sqlite3 '$FDB' \"SELECT count(*) FROM profile WHERE index_name = 'relative-of-missing' AND sample_id = 'Family 2/Brother'\")\" = 1 ] &&
           '$S' audit verify '$FDB' >/dev/null"
fambad "imported twice (ids stored)" "$PC" "already"
sed 's/^Name= PM\([0-9]\)$/Name= X\1/; s/^Name= Father$/Name= Dad/; s/^Parent= Father$/Parent= Dad/; s/^Name= Mother$/Name= Mum/; s/^Parent= Mother$/Parent= Mum/; s/^Name= Son$/Name= Boy/; s/^Child= Son$/Child= Boy/; s/^Name= Brother$/Name= Bro/; s/^Child= Brother$/Child= Bro/' "$PC" >"$T/renamed.fam"
fambad "new profiles, family members already stored: the new profiles roll back too" "$T/renamed.fam" "person 'Family 1/Missing person' is already stored"
"$S" mp dvi "$FDB" --case PLANE-1 --freq "$PC" --ignore-sex --mutation proportional --rate 0.001 --json >"$T/dj" 2>/dev/null
"$S" mp dvi --fam "$PC" --ignore-sex --fam-mutation --json >"$T/fj" 2>/dev/null
check "mp dvi over the imported case equals mp dvi --fam over the file (pairwise LRs, assignments)" \
    sh -c "a=\$(sed -n '/pairwise_lr/,/posterior_pairing/p' '$T/dj' | grep -v '\"name\"\|\"id\"\|family'); b=\$(sed -n '/pairwise_lr/,/posterior_pairing/p' '$T/fj' | grep -v '\"name\"\|\"id\"\|family');
           [ -n \"\$a\" ] && [ \"\$a\" = \"\$b\" ] && grep -q '5.2653858960' '$T/dj'"
