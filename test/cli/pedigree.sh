#!/bin/sh
# Persons and pedigrees through the strdb command: a good file links persons
# to profiles; every class of bad pedigree file is refused whole with one line
# naming file, line, field and reason, and changes nothing. Needs $STRDB.
. test/cli/lib.sh
P=$D/pedigree
"$S" init "$T/db" 2>/dev/null
"$S" import "$T/db" $D/bad/good3.csv --index offender --basis conviction 2>/dev/null
check "a good pedigree imports: 5 persons, 2 profile links, parents resolved; the unrelated typed father-son pair is flagged" \
    sh -c "'$S' pedigree import '$T/db' $P/good.csv >'$T/imp' 2>&1 && grep -q '5 persons, 2 profile links, 0 missing-person families, 1 Mendelian' '$T/imp' &&
           grep -q 'P5 and its father differ at 12 autosomal' '$T/imp' &&
           [ \"\$(sqlite3 '$T/db' \"SELECT f.ext_id || '+' || m.ext_id FROM person c JOIN person f ON f.id = c.father JOIN person m ON m.id = c.mother WHERE c.ext_id = 'P3'\")\" = P1+P2 ]"
before=$(sqlite3 "$T/db" "SELECT count(*) FROM person") 
bad() { # file line field reason
    "$S" pedigree import "$T/db" "$P/$1" >"$T/o" 2>"$T/e"
    rc=$?
    after=$(sqlite3 "$T/db" "SELECT count(*) FROM person")
    if [ $rc = 1 ] && [ "$(grep -c . "$T/e")" = 1 ] && grep -q "$P/$1:$2: field '$3': .*$4" "$T/e" && [ "$after" = "$before" ]; then
        echo "PASS bad pedigree $1: $(cat "$T/e")"
    else echo "FAIL bad pedigree $1 (exit $rc, persons $before -> $after): $(cat "$T/e")"; fi
}
bad cycle.csv 2 id "cycle: person 'A' is their own ancestor"
bad unknown_parent.csv 3 mother "unknown mother 'Z9'"
bad duplicate.csv 4 id "duplicate person id 'A' (also at line 2)"
bad father_female.csv 3 father "father 'A' of 'B' is female"
bad mother_male.csv 3 mother "mother 'A' of 'B' is male"
bad bad_sex.csv 2 sex "unreadable sex 'X'"
bad own_parent.csv 2 father "person 'A' is their own father"
bad unknown_sample.csv 2 sample_id "no stored profile 'NOPE-1'"
bad no_father_column.csv 1 father "header lacks column 'father'"
bad good.csv 2 id "person 'P1' is already stored"
printf 'id,father,mother,sex\nQ1,P4,,M\n' >"$T/female_stored.csv"
"$S" pedigree import "$T/db" "$T/female_stored.csv" >/dev/null 2>"$T/e"
check "a stored parent of the wrong sex is refused too" sh -c "grep -q \"father 'P4' is female\" '$T/e'"
"$S" simulate --out "$T/sim" --founders 200 --generations 3 --db-fraction 0.5 --db "$T/sim.db" >/dev/null 2>&1
check "the simulator's pedigree.csv imports as it is and links persons to their profiles" \
    sh -c "'$S' pedigree import '$T/sim.db' '$T/sim/pedigree.csv' 2>&1 | grep -q '800 persons' &&
           [ \"\$(sqlite3 '$T/sim.db' 'SELECT count(*) FROM person_profile')\" -gt 0 ]"
check "expunging a linked profile removes its pedigree link" \
    sh -c "'$S' expunge '$T/db' GT37020 --reason test 2>/dev/null &&
           [ \"\$(sqlite3 '$T/db' \"SELECT count(*) FROM person_profile\")\" = 1 ] && '$S' audit verify '$T/db' >/dev/null"
