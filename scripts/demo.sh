#!/bin/sh
# make demo: build demo/demo.db from the public files in data/demo and print
# what is in it. Runs on a clean checkout; needs only the strdb binary.
set -eu
export STRDB_ACTOR=${STRDB_ACTOR:-demo}
S=${1:-build/rel/strdb}
DIR=demo
DB=$DIR/demo.db
rm -rf "$DIR"
mkdir -p "$DIR"
$S init "$DB"
$S import "$DB" data/demo/NIST1036_genotypes.csv --index population --basis population-study
$S import "$DB" data/demo/databaseESX17.txt --index offender --basis conviction --kit ESX17
$S import "$DB" data/demo/stain.txt --index forensic-mixture --basis crime-scene
# danes.csv has one row per distinct haplotype and its count n: one row per man.
awk -F, 'NR == 1 { sub(/,"n"$/, ""); print "\"id\"," $0; next }
         { n = $NF; sub(/,[0-9]+$/, ""); for (k = 1; k <= n; k++) printf "\"DK%03d-%d\",%s\n", NR - 1, k, $0 }' \
    data/demo/danes.csv >"$DIR/danes_men.csv"
$S import "$DB" "$DIR/danes_men.csv" --index population --basis population-study
echo
$S stat "$DB"
echo
$S show "$DB" evid1 --purpose casework --case DEMO-1
echo
echo "== identity search (casework: offender and forensic indexes only): 10 loci of an ESX17 offender"
$S search "$DB" --min-loci 8 --case DEMO-1 \
    --genotype "D3S1358=17/18;D8S1179=11/13;D16S539=11/13;D18S51=12/19;D21S11=28/29;FGA=22/25;TH01=6/9;vWA=17;D1S1656=15/16.3;D12S391=18/21"
echo
echo "== moderate stringency against the mixture index (the reference is in the stain)"
$S search "$DB" --index forensic-mixture --stringency moderate --min-loci 6 --case DEMO-1 \
    --genotype "D3S1358=14/15;TH01=6/9.3;D21S11=27/29;D18S51=15/17;FGA=21/22;vWA=14/17"
echo
echo "== Y search: one Danish haplotype, up to 1 differing locus"
$S ysearch "$DB" --max-loci 1 --limit 10 --purpose population-study \
    --genotype "DYS19=14;DYS389I=13;DYS389II=29;DYS390=24;DYS391=11;DYS392=13;DYS393=13;DYS437=15;DYS438=12;DYS439=12"
echo
echo "== governance: expunge one population sample, then sign and verify the audit chain"
$S expunge "$DB" GT37019 --reason "demo: the donor withdrew consent" --authorization DEMO-1
if grep -q -a GT37019 "$DB"; then echo "GT37019 still in the file" >&2; exit 1; fi
echo "GT37019: 0 occurrences left in $DB"
$S audit keygen --key "$DIR/audit.key" --pubkey "$DIR/audit.pub"
$S audit checkpoint "$DB" --key "$DIR/audit.key" -o "$DIR/checkpoints.jsonl"
$S audit verify "$DB" --pubkey "$DIR/audit.pub" --checkpoints "$DIR/checkpoints.jsonl"
echo
echo "== relatives: a simulated population (3,000 founders, 6 generations, 80% of children to couples) in $DIR/relatives.db"
R=$DIR/relatives.db
$S simulate --out "$DIR/sim" --founders 3000 --generations 6 --living 2 --db-fraction 0.3 \
    --queries 20 --family-shape 1 --couples 0.8 --truth-depth 2 --seed 2026 --db "$R" --threads 2
$S pedigree import "$R" "$DIR/sim/pedigree.csv"
# a man outside the database whose son is in it: the query of both searches
pair=$(awk -F, 'NR > 1 && $3 == 1 && $4 == 1' "$DIR/sim/truth.csv" | while IFS=, read q r m p; do
    if grep -q "\"sample_id\":\"${q}Y\"" "$DIR/sim/queries.jsonl" && grep -q "^$r,$q,[^,]*,M," "$DIR/sim/pedigree.csv"
    then echo "$q $r"; break; fi; done)
Q=${pair% *}
grep "\"sample_id\":\"$Q\"" "$DIR/sim/queries.jsonl" >"$DIR/query.jsonl"
grep "\"sample_id\":\"${Q}Y\"" "$DIR/sim/queries.jsonl" >"$DIR/query_y.jsonl"
echo "query: $Q (not in the database; truth: his son ${pair#* } is)"
echo
echo "== familial search (PO and FS over every offender profile, NIST 1036 Cauc and AfAm, smallest LR; the Y step)"
$S familial "$R" --profile "$DIR/query.jsonl" --y-profile "$DIR/query_y.jsonl" \
    --freq data/frequencies/NIST1036freqs.csv --pop Cauc,AfAm --top 8 --breakdown 1 \
    --authorization DEMO-FS-1 --case DEMO-2
echo
echo "== paternal lineages: build, then search the query's Y haplotype (members and family-tree leads)"
$S lineage build "$R"
$S lineage search "$R" --haplotype "$DIR/query_y.jsonl" --limit 8 --leads 12 --case DEMO-2
L=$($S lineage search "$R" --haplotype "$DIR/query_y.jsonl" --json --case DEMO-2 |
    sed -n 's/.*"id": \([0-9]*\),.*/\1/p' | head -1)
$S lineage show "$R" "$L" --svg "$DIR/lineage.svg"
$S lineage show "$R" "$L" --svg "$DIR/lineage-network.svg" --view network
$S pedigree draw "$R" "$Q" --svg "$DIR/pedigree.svg"
echo "drawings: $DIR/lineage.svg (paternal family tree), $DIR/lineage-network.svg (haplotype network), $DIR/pedigree.svg"
echo
echo "== missing persons: 2,000 simulated families (five pedigree shapes), their references and 1,500 remains in $DIR/mp.db"
MP=$DIR/mp.db
$S simulate --mp-families 2000 --mp-unrelated 500 --mp-found 0.5 --seed 2026 --out "$DIR/mp" --db "$MP"
echo "== missing-person search: every remains against every family (purpose missing-person), the first 8 lines"
$S mp search "$MP" --freq data/frequencies/NIST1036freqs.csv --pop Cauc --top 1 | head -10
T1=$(sed -n 2p "$DIR/mp/mp_truth.csv")
echo "truth of the first remains: $T1"
F1=$(echo "$T1" | cut -d, -f2)
$S mp draw "$MP" "$F1" --svg "$DIR/family.svg" --freq data/frequencies/NIST1036freqs.csv --pop Cauc
echo
echo "== a small disaster (dvir's example2): three victims, two families, three missing persons, solved jointly"
$S mp dvi --freq test/data/dvi/example2_freq.csv --min-freq none --pedigree test/data/dvi/example2_am.csv \
    --missing M1,M2,M3 --reference "R1=TH01=2/2" --reference "R2=TH01=3/3" \
    --victim "V1:M=TH01=1/1" --victim "V2:M=TH01=1/2" --victim "V3:F=TH01=3/4" --top 5
echo "drawing: $DIR/family.svg (family $F1, its best candidate in the caption)"
