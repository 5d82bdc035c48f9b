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
$S audit verify "$DB"
