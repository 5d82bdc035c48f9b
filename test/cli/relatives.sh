#!/bin/sh
# Familial search, lineages and drawings through the strdb command, on a
# simulated population with its pedigree and the truth: true parents rank at
# the top, the Y step says consistent for the father, lineage search finds
# the paternal relatives and places the donor himself among the leads, an
# incremental build equals a full rebuild, expunction shrinks a lineage, and
# the SVGs open in headless chromium. Needs $STRDB.
. test/cli/lib.sh
SIM=$T/sim
DB=$T/rel.db
"$S" simulate --out "$SIM" --founders 800 --generations 5 --living 2 --db-fraction 0.4 \
    --queries 40 --family-shape 1 --truth-depth 2 --seed 7 --db "$DB" >/dev/null 2>&1
"$S" pedigree import "$DB" "$SIM/pedigree.csv" >/dev/null 2>&1
F=data/frequencies/NIST1036freqs.csv

# a man (query, not in the database) whose son is in the database
father_pair=$(awk -F, 'NR > 1 && $3 == 1 && $4 == 1' "$SIM/truth.csv" | while IFS=, read q r m p; do
    if grep -q "\"sample_id\":\"${q}Y\"" "$SIM/queries.jsonl" && grep -q "^$r,$q,[^,]*,M," "$SIM/pedigree.csv"
    then echo "$q $r"; break; fi; done)
Q=${father_pair% *}
R=${father_pair#* }
grep "\"sample_id\":\"$Q\"" "$SIM/queries.jsonl" >"$T/q.jsonl"
grep "\"sample_id\":\"${Q}Y\"" "$SIM/queries.jsonl" >"$T/qy.jsonl"
check "the simulation gives a query ($Q) whose son ($R) is in the database" test -n "$Q" -a -s "$T/qy.jsonl"

check "familial search without an authorisation reference is refused by policy, and audited" \
    sh -c "! '$S' familial '$DB' --profile '$T/q.jsonl' --freq $F --pop Cauc 2>'$T/e' &&
           grep -q \"purpose 'familial' needs an authorization reference\" '$T/e' &&
           sqlite3 '$DB' \"SELECT outcome FROM audit WHERE action = 'search' ORDER BY seq DESC LIMIT 1\" | grep -q refused"
"$S" familial "$DB" --profile "$T/q.jsonl" --freq $F --pop Cauc --top 10 --authorization FS-1 \
    --y-profile "$T/qy.jsonl" >"$T/fam" 2>&1
check "familial search ranks the true son first, as parent-offspring" \
    sh -c "sed -n 3p '$T/fam' | grep -q '^1 *$R  .* PO  '"
check "the Y step calls the son consistent and says why for the others" \
    sh -c "sed -n 3p '$T/fam' | grep -q 'consistent (${R}Y: 0 of 25 loci differ)\\|consistent (${R}Y: [12] of 25' &&
           grep -q 'excluded\\|female\\|untyped' '$T/fam'"
check "the per-locus breakdown lists every locus of the top candidate for PO and FS" \
    sh -c "grep -A3 '^per-locus' '$T/fam' | grep -q '  PO Cauc LR .* D3S1358 ' &&
           grep -A3 '^per-locus' '$T/fam' | grep -q '  FS Cauc LR '"
"$S" familial "$DB" --profile "$T/q.jsonl" --freq $F --pop Cauc,AfAm,Hisp --top 5 --json \
    --authorization FS-1 --mutation stepwise --rate 0.002 >"$T/fam.json" 2>&1
check "familial --json with three populations (smallest LR) and a mutation model: 5 candidates, the son first" \
    sh -c "[ \$(grep -c '\"rank\"' '$T/fam.json') = 5 ] && grep -m1 '\"sample_id\"' '$T/fam.json' | grep -q '\"$R\"'"
check "familial refuses a Y-only query with one line" \
    sh -c "! '$S' familial '$DB' --profile '$T/qy.jsonl' --freq $F --pop Cauc --authorization FS-1 2>'$T/e' &&
           [ \$(grep -c . '$T/e') = 1 ] && grep -q 'no locus typed' '$T/e'"

check "lineage search before any build says to build first" \
    sh -c "! '$S' lineage search '$DB' --haplotype '$T/qy.jsonl' 2>'$T/e' && grep -q 'lineage build first' '$T/e'"
check "lineage build links haplotypes and pedigree father-son pairs" \
    sh -c "'$S' lineage build '$DB' >'$T/b1' && grep -q '^full build: .* father-son links from pedigrees' '$T/b1' &&
           [ \$(sqlite3 '$DB' 'SELECT count(*) FROM lineage_member') = \$(sqlite3 '$DB' \"SELECT count(*) FROM profile WHERE kind = 'Y'\") ]"
check "a second build with the same options joins nothing new" \
    sh -c "'$S' lineage build '$DB' | grep -q '^incremental join: .*, 0 new)'"
"$S" lineage search "$DB" --haplotype "$T/qy.jsonl" >"$T/ls" 2>&1
check "lineage search finds the son's lineage, ranks him among the members and places the donor (his father, untyped) among the leads" \
    sh -c "grep -q '^${R}Y ' '$T/ls' && awk '/^leads/,0' '$T/ls' | grep -q '^$Q '"
"$S" lineage search "$DB" --haplotype "$T/qy.jsonl" --json >"$T/ls.json" 2>&1
check "lineage search --json lists members with the meioses posterior and leads" \
    sh -c "grep -q '\"meioses_mode\"' '$T/ls.json' && grep -q '\"leads\"' '$T/ls.json' && grep -q '\"person\": \"$Q\"' '$T/ls.json'"

# incremental join equals a full rebuild: import more haplotypes, join, compare partitions
grep '"sample_id":"G[0-9]*-[0-9]*Y"' "$SIM/queries.jsonl" >"$T/more.jsonl"
"$S" import "$DB" "$T/more.jsonl" --index offender --basis conviction >/dev/null 2>&1
partition() { sqlite3 "$DB" "SELECT group_concat(s, ' ') FROM (SELECT m.lineage_id l, p.sample_id s FROM lineage_member m JOIN profile p ON p.id = m.profile_id ORDER BY s) GROUP BY l ORDER BY min(s)"; }
"$S" lineage build "$DB" >"$T/b2"
partition >"$T/inc"
"$S" lineage build "$DB" --full >/dev/null
partition >"$T/full"
check "an incremental join of new haplotypes gives the same lineages as a full rebuild" \
    sh -c "grep -q 'incremental join: .* [1-9][0-9]* new)' '$T/b2' && cmp -s '$T/inc' '$T/full' && [ -s '$T/full' ]"

# a bridge: h2 = a lone man's haplotype 5 repeats off at DYS19, DYS390 and DYS391 (a lineage of
# its own), then h3 = off at DYS19 and DYS390 only: 2 loci from the man, 1 from h2, so the
# next incremental join must merge the two lineages and drop the emptied one
lone=$(sqlite3 "$DB" "SELECT p.sample_id FROM lineage l JOIN lineage_member m ON m.lineage_id = l.id JOIN profile p ON p.id = m.profile_id WHERE l.size = 1 AND p.flags = 0 ORDER BY p.sample_id LIMIT 1")
grep "\"sample_id\":\"$lone\"" "$SIM/database.jsonl" >"$T/lone.jsonl"
shift_locus() { # file locus -> the file with that locus's allele + 5
    v=$(sed -n "s/.*\"$2\":\[\"\([0-9]*\)\"\].*/\1/p" "$1")
    sed -i "s/\"$2\":\[\"$v\"\]/\"$2\":[\"$((v + 5))\"]/" "$1"
}
sed "s/\"$lone\"/\"BRIDGE-2\"/" "$T/lone.jsonl" >"$T/h2.jsonl"
for l in DYS19 DYS390 DYS391; do shift_locus "$T/h2.jsonl" $l; done
sed "s/\"$lone\"/\"BRIDGE-3\"/" "$T/lone.jsonl" >"$T/h3.jsonl"
for l in DYS19 DYS390; do shift_locus "$T/h3.jsonl" $l; done
"$S" import "$DB" "$T/h2.jsonl" --index offender --basis conviction >/dev/null 2>&1
"$S" lineage build "$DB" >/dev/null
before=$(sqlite3 "$DB" "SELECT count(DISTINCT lineage_id) FROM lineage_member m JOIN profile p ON p.id = m.profile_id WHERE p.sample_id IN ('$lone', 'BRIDGE-2')")
"$S" import "$DB" "$T/h3.jsonl" --index offender --basis conviction >/dev/null 2>&1
"$S" lineage build "$DB" >/dev/null
partition >"$T/inc2"
merged=$(sqlite3 "$DB" "SELECT count(DISTINCT lineage_id) FROM lineage_member m JOIN profile p ON p.id = m.profile_id WHERE p.sample_id IN ('$lone', 'BRIDGE-2', 'BRIDGE-3')")
orphans=$(sqlite3 "$DB" 'SELECT count(*) FROM lineage WHERE id NOT IN (SELECT lineage_id FROM lineage_member)')
wrong_size=$(sqlite3 "$DB" 'SELECT count(*) FROM lineage l WHERE size != (SELECT count(*) FROM lineage_member m WHERE m.lineage_id = l.id)')
"$S" lineage build "$DB" --full >/dev/null
partition >"$T/full2"
check "a new haplotype that bridges two lineages merges them; no lineage is left without members" \
    sh -c "[ '$before' = 2 ] && [ '$merged' = 1 ] && [ '$orphans' = 0 ] && [ '$wrong_size' = 0 ] &&
           cmp -s '$T/inc2' '$T/full2'"

L=$(sqlite3 "$DB" "SELECT id FROM lineage WHERE persons > 1 ORDER BY size DESC, id LIMIT 1")
check "lineage show lists the largest lineages and one lineage's modal haplotype and members" \
    sh -c "'$S' lineage show '$DB' --top 3 | grep -q 'modal haplotype' &&
           '$S' lineage show '$DB' $L | grep -q '^modal haplotype: DYS19='"
victim=$(sqlite3 "$DB" "SELECT p.sample_id FROM lineage_member m JOIN profile p ON p.id = m.profile_id WHERE m.lineage_id = $L LIMIT 1")
size=$(sqlite3 "$DB" "SELECT size FROM lineage WHERE id = $L")
check "expunging a member removes him from his lineage" \
    sh -c "'$S' expunge '$DB' $victim --reason test 2>/dev/null &&
           [ \$(sqlite3 '$DB' 'SELECT size FROM lineage WHERE id = $L') = \$(($size - 1)) ] &&
           [ \$(sqlite3 '$DB' 'SELECT count(*) FROM lineage_member WHERE lineage_id = $L') = \$(($size - 1)) ]"
check "lineage show of an unknown lineage: one line, exit 1" \
    sh -c "! '$S' lineage show '$DB' 999999 2>'$T/e' && [ \$(grep -c . '$T/e') = 1 ]"

"$S" lineage show "$DB" "$L" --svg "$T/tree.svg" 2>/dev/null
"$S" lineage show "$DB" "$L" --svg "$T/net.svg" --view network 2>/dev/null
"$S" pedigree draw "$DB" "$Q" --svg "$T/ped.svg" 2>/dev/null
check "the drawings are SVG: a family tree of squares, a network of circles with labelled edges, a pedigree with the person's arrow" \
    sh -c "grep -q '<svg xmlns' '$T/tree.svg' && grep -q 'paternal family tree' '$T/tree.svg' && grep -q '<rect x=' '$T/tree.svg' &&
           grep -q '<circle' '$T/net.svg' && grep -q 'distinct' '$T/net.svg' &&
           grep -q 'Pedigree of $Q' '$T/ped.svg' && grep -q '<path d=' '$T/ped.svg'"
check "the same store draws the same bytes" \
    sh -c "'$S' pedigree draw '$DB' '$Q' --svg '$T/ped2.svg' 2>/dev/null && cmp -s '$T/ped.svg' '$T/ped2.svg'"
check "pedigree draw of an unknown person: one line, exit 1, no file" \
    sh -c "! '$S' pedigree draw '$DB' NOBODY --svg '$T/no.svg' 2>'$T/e' && [ \$(grep -c . '$T/e') = 1 ] && [ ! -e '$T/no.svg' ]"

# headless chromium opens each drawing; a blank page of the same size is the yardstick
shot() { # svg png
    timeout 120 chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1200,800 \
        --screenshot="$2" "file://$1" >"$T/chromium.log" 2>&1 && [ -s "$2" ] &&
        [ "$(od -An -tx1 -N8 "$2" | tr -d ' \n')" = 89504e470d0a1a0a ]
}
printf '<svg xmlns="http://www.w3.org/2000/svg" width="1200" height="800"><rect width="100%%" height="100%%" fill="white"/></svg>\n' >"$T/blank.svg"
if command -v chromium >/dev/null 2>&1; then
    shot "$T/blank.svg" "$T/blank.png"
    blank=$(wc -c <"$T/blank.png")
    for f in tree net ped; do
        shot "$T/$f.svg" "$T/$f.png"
        rc=$?
        check "headless chromium opens $f.svg and takes a screenshot without error; it is not blank" \
            sh -c "[ $rc = 0 ] && [ \$(wc -c <'$T/$f.png') -gt $((2 * blank)) ]"
    done
else
    echo "FAIL chromium is missing (scripts/deps.sh installs it)"
fi
check "every familial and lineage action is in the audit chain, which verifies" \
    sh -c "[ \$(sqlite3 '$DB' \"SELECT count(DISTINCT action) FROM audit WHERE action IN ('familial', 'lineage-build', 'lineage-search', 'lineage-show', 'pedigree-draw')\") = 5 ] &&
           '$S' audit verify '$DB' >/dev/null"

# controlled mode: familial runs as search, lineage commands as ysearch, pedigree draw as show
ADMIN=$("$S" user add "$DB" alice --role admin 2>/dev/null)
CUST=$(STRDB_TOKEN=$ADMIN "$S" user add "$DB" bob --role custodian 2>/dev/null)
ANAL=$(STRDB_TOKEN=$ADMIN "$S" user add "$DB" carol --role analyst 2>/dev/null)
check "controlled mode: the analyst may run familial and lineage search, the custodian may not" \
    sh -c "STRDB_TOKEN=$ANAL '$S' familial '$DB' --profile '$T/q.jsonl' --freq $F --pop Cauc --authorization FS-2 >/dev/null 2>&1 &&
           STRDB_TOKEN=$ANAL '$S' lineage search '$DB' --haplotype '$T/qy.jsonl' >/dev/null 2>&1 &&
           ! STRDB_TOKEN=$CUST '$S' familial '$DB' --profile '$T/q.jsonl' --freq $F --pop Cauc --authorization FS-2 2>'$T/e' &&
           grep -q \"role 'custodian' may not search\" '$T/e' &&
           ! STRDB_TOKEN=$CUST '$S' lineage build '$DB' 2>'$T/e' && grep -q \"role 'custodian' may not ysearch\" '$T/e'"
check "controlled mode: the admin may not draw a pedigree (reads no profile data), the custodian may" \
    sh -c "! STRDB_TOKEN=$ADMIN '$S' pedigree draw '$DB' '$Q' --svg '$T/a.svg' 2>'$T/e' &&
           grep -q \"role 'admin' may not show\" '$T/e' &&
           STRDB_TOKEN=$CUST '$S' pedigree draw '$DB' '$Q' --svg '$T/c.svg' 2>/dev/null && [ -s '$T/c.svg' ]"
