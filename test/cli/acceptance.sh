#!/bin/sh
# The acceptance run of the foundation issue, through the strdb command:
# real exports import with the right counts, export/import/export is
# byte-identical, every class of bad input exits non-zero with one line
# naming file, line, field and reason and leaves the database unchanged,
# and the audit chain verifies and catches a one-byte change.
# Needs $STRDB; prints PASS/FAIL lines.
. test/cli/lib.sh
q() { "$S" "$@" 2>/dev/null; }

q init "$T/db"
q import "$T/db" $D/NIST1036_genotypes.csv --index population --basis population-study
check "NIST1036 imports as 1036 autosomal profiles" \
    sh -c "'$S' stat '$T/db' --json | grep -A3 '\"index\": \"population\"' | grep -q '\"profiles\": 1036'"
check "NIST1036: the two empty cells are two missing loci (two partial profiles, 28 loci)" \
    sh -c "'$S' export '$T/db' --purpose administration | grep '\"partial\"' | grep -c . | grep -qx 2"

for fmt in jsonl csv; do
    q export "$T/db" --purpose administration --format $fmt -o "$T/e1.$fmt"
    q init "$T/db2.$fmt"
    q import "$T/db2.$fmt" "$T/e1.$fmt" --index population --basis population-study
    q export "$T/db2.$fmt" --purpose administration --format $fmt -o "$T/e2.$fmt"
    check "export $fmt, import into a new database, export again: identical" cmp "$T/e1.$fmt" "$T/e2.$fmt"
done

q init "$T/gm"
check "databaseESX17.txt (GeneMapper, spaced headers) imports as 77 profiles" \
    sh -c "'$S' import '$T/gm' $D/databaseESX17.txt --index offender --basis conviction 2>&1 | grep -q ' 77 imported'"
check "set3.txt (dotted headers, OL, 20 alleles) imports into a forensic index, mixtures flagged" \
    sh -c "'$S' import '$T/gm' $D/set3.txt --index forensic-mixture --basis crime-scene --skip-invalid 2>&1 | grep -q ' 34 imported' &&
           '$S' show '$T/gm' 01-Pos.ktr.__ --purpose casework | grep -q '^flags .*mixture' &&
           '$S' show '$T/gm' 01-Pos.ktr.__ --purpose casework | grep -q 'AMEL *X/Y/OL'"
check "stain.txt (CRLF) imports into a forensic index with the mixture flag" \
    sh -c "'$S' import '$T/gm' $D/stain.txt --index forensic-mixture --basis crime-scene 2>/dev/null &&
           '$S' show '$T/gm' evid1 --purpose casework | grep -q '^flags *mixture'"
gzip -dc $D/y23_haplotypes.csv.gz >"$T/y23_haplotypes.csv"
check "y23_haplotypes.csv imports as 19,630 Y haplotypes (ids repeat: --id-from-line)" \
    sh -c "'$S' import '$T/gm' '$T/y23_haplotypes.csv' --index population --basis population-study --id-from-line --id-prefix Y23- 2>&1 | grep -q ' 19630 imported' &&
           '$S' stat '$T/gm' --json | grep -B1 -A1 '\"kind\": \"Y\"' | grep -q '\"profiles\": 19630'"
check "y23: DYS385 is one two-copy locus" \
    sh -c "'$S' show '$T/gm' Y23-2 --purpose population-study | grep -q '^  DYS385 *11/14$'"
check "y23 without --id-from-line is refused: its ids repeat" \
    sh -c "! '$S' import '$T/gm' '$T/y23_haplotypes.csv' --index population --basis population-study 2>&1 | grep -q 'duplicate sample id'; [ \$? = 1 ]"

# Bad input: one line on stderr naming file, line, field and reason; exit
# non-zero; same export and the audit chain still verifies.
q import "$T/gm" $D/bad/good3.csv --index offender --basis conviction --id-prefix old-
before="$T/before.jsonl"
q export "$T/gm" --purpose administration -o "$before"
bad() { # file, expected line, expected field ('' = none), reason, [extra import args]
    f=$1 line=$2 field=$3 reason=$4
    shift 4
    "$S" import "$T/gm" "$f" --index offender --basis conviction "$@" >"$T/.o" 2>"$T/.e"
    rc=$?
    msg=$(cat "$T/.e")
    want="strdb import: $f:$line: "
    [ -n "$field" ] && want="${want}field '$field': "
    ok=1
    [ $rc != 0 ] || ok=0
    [ "$(grep -c . "$T/.e")" = 1 ] || ok=0
    case "$msg" in "$want"*"$reason"*) ;; *) ok=0 ;; esac
    q export "$T/gm" --purpose administration -o "$T/after.jsonl"
    cmp -s "$before" "$T/after.jsonl" || ok=0
    "$S" audit verify "$T/gm" >/dev/null 2>&1 || ok=0
    if [ $ok = 1 ]; then echo "PASS bad input $(basename "$f"): $msg"; else
        echo "FAIL bad input $(basename "$f") (exit $rc): got '$msg', want '$want...$reason'"; fi
}
bad $D/bad/unknown_locus.csv 1 D99S999.1 "unknown locus"
bad $D/bad/allele_931.csv 3 D10S1248.1 "unreadable allele '9.3.1'"
bad $D/bad/allele_abc.csv 3 CSF1PO.2 "unreadable allele 'abc'"
bad $D/bad/three_alleles.txt 5 D18S51 "3 alleles in single-source index 'offender'"
bad $D/bad/good3.csv 2 "sample id" "duplicate sample id 'old-GT37019' (already stored" --id-prefix old-
bad $D/bad/duplicate_id.csv 4 "sample id" "duplicate sample id 'GT37019' (also at line 2"
bad $D/bad/empty.csv 1 "" "empty file"
bad $D/bad/header_only.csv 1 "" "header only"
bad $D/bad/truncated.csv 4 "" "truncated line"
bad $D/bad/garbage.bin 1 "" "binary data"
bad $D/bad/utf16.csv 1 "" "UTF-16"
"$S" import "$T/gm" $D/bad/good3.csv --index offender >"$T/.o" 2>"$T/.e"
rc=$?
if [ $rc != 0 ] && [ "$(grep -c . "$T/.e")" = 1 ] && grep -q "field '--basis': no legal basis" "$T/.e"; then
    echo "PASS missing --basis: $(cat "$T/.e")"
else echo "FAIL missing --basis (exit $rc): $(cat "$T/.e")"; fi

check "audit verify passes after the whole run" "$S" audit verify "$T/gm"
cp "$T/gm" "$T/tampered"
sqlite3 "$T/tampered" "UPDATE audit SET purpose = 'casewerk' WHERE seq = 4"
check "one changed byte in audit row 4 makes verify fail and name record 4" \
    sh -c "! '$S' audit verify '$T/tampered' 2>&1 | grep -q 'audit record 4:' ; [ \$? = 1 ]"
check "a refused read (no purpose) is itself audited" \
    sh -c "! '$S' show '$T/gm' evid1 2>/dev/null; '$S' audit log '$T/gm' | tail -1 | grep -q 'refused'"
