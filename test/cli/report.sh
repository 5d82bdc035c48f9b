#!/bin/sh
# strdb report (issue 15): the case report of an identity-search record as
# PDF (read back with pdftotext), HTML and signed text; the stored query is
# checked against its record, the report is audited, and refusals (another
# role, a record that is no search, a changed query, a candidate that was no
# hit, an expunged candidate) name the reason. Needs $STRDB.
. test/cli/lib.sh
DB=$T/r.db
N=$D/frequencies/NIST1036freqs.csv
"$S" init "$DB" 2>/dev/null
"$S" import "$DB" $D/NIST1036_genotypes.csv --index offender --basis conviction 2>/dev/null
SID=$(sed -n '2s/,.*//p' $D/NIST1036_genotypes.csv)
G=$(tr -d '\r' <$D/NIST1036_genotypes.csv | awk -F, 'NR==1{for(i=2;i<=NF;i++)h[i]=$i} NR==2{s="";for(i=3;i<=NF;i+=2){split(h[i],a,".");if($i!="")s=s (s?";":"") a[1] "=" $i "/" $(i+1)} print s}')
"$S" search "$DB" --genotype "$G" --case CASE-2026-9 >/dev/null 2>"$T/e"
REC=$(sed -n 's/.*audit record \([0-9]*\) .*/\1/p' "$T/e")
check "strdb search names its audit record on stderr" sh -c "[ -n '$REC' ] && [ '$REC' -gt 1 ]"
"$S" audit keygen --key "$T/k.sec" --pubkey "$T/k.pub" 2>/dev/null
check "a PDF report of the search record, signed" \
    sh -c "'$S' report '$DB' --search-record $REC -o '$T/r.pdf' --freq $N --sign-key '$T/k.sec' 2>'$T/e' && grep -q 'candidate $SID: ' '$T/e' && head -c 5 '$T/r.pdf' | grep -q '%PDF-'"
pdftotext -layout "$T/r.pdf" "$T/r.txt" 2>/dev/null
HEAD=$("$S" audit log "$DB" | tail -1 | awk '{print $NF}')
check "the PDF holds the case, both records, the candidate and its provenance" \
    sh -c "grep -q 'Case reference: CASE-2026-9' '$T/r.txt' && grep -q 'Search record $REC:' '$T/r.txt' &&
           grep -q 'Report record $((REC + 1))' '$T/r.txt' && grep -q '$SID: index offender, legal basis conviction' '$T/r.txt' &&
           grep -q 'NIST1036_genotypes.csv line 2' '$T/r.txt'"
check "the PDF holds the loci side by side, the RMP per population with theta and the LR" \
    sh -c "grep -q 'D3S1358 *16 *16 *match' '$T/r.txt' && grep -q 'Loci typed in both: 29; matching 29' '$T/r.txt' &&
           grep -q '4.10, theta 0.01' '$T/r.txt' && grep -q 'Cauc: RMP [0-9.e-]* (1 in [0-9.e+]*); LR [0-9.e+]*' '$T/r.txt'"
check "the PDF holds the chain head after the report, and the signature" \
    sh -c "grep -q '$HEAD' '$T/r.txt' && grep -q 'Signed (Ed25519' '$T/r.txt' && grep -q \"\$(cat '$T/k.pub')\" '$T/r.txt'"
"$S" report "$DB" --search-record $REC -o "$T/r.html" --freq $N --pop Cauc,Hisp --theta 0.03 2>/dev/null
check "an HTML report with the chosen populations and theta, not signed" \
    sh -c "grep -q '<tr class=\"match\"><td>D3S1358</td><td>16</td><td>16</td><td>match</td></tr>' '$T/r.html' &&
           grep -q 'theta 0.03' '$T/r.html' && grep -q '<td>Hisp</td>' '$T/r.html' && ! grep -q '<td>AfAm</td>' '$T/r.html' && grep -q 'Not signed' '$T/r.html'"
"$S" report "$DB" --search-record $REC -o "$T/r.txt2.txt" --freq $N --sign-key "$T/k.sec" 2>/dev/null
check "the signed text verifies with its public key" \
    sh -c "'$S' report --verify '$T/r.txt2.txt' --pubkey '$T/k.pub' | grep -q 'signature ok'"
check "a changed text does not verify" \
    sh -c "sed 's/matching: 29/matching: 28/' '$T/r.txt2.txt' >'$T/bad.txt'; ! '$S' report --verify '$T/bad.txt' 2>'$T/e' && grep -q 'does not match the text' '$T/e'"
check "the report is audited, with the candidate (subject report)" \
    sh -c "'$S' audit log '$DB' | grep -q ' report ' && '$S' subject-report '$DB' $SID | grep -q 'report'"
# refusals
check "a record that is no search is refused" \
    sh -c "! '$S' report '$DB' --search-record 1 -o '$T/x.pdf' 2>'$T/e' && grep -q 'record 1 is not an identity search' '$T/e' && [ ! -e '$T/x.pdf' ]"
check "a candidate that was no hit of the record is refused" \
    sh -c "! '$S' report '$DB' --search-record $REC --candidate NOPE -o '$T/x.pdf' 2>'$T/e' && grep -q \"'NOPE' is not a stored hit of record $REC\" '$T/e'"
check "a wrong file suffix is refused" \
    sh -c "! '$S' report '$DB' --search-record $REC -o '$T/x.doc' 2>'$T/e' && grep -q 'ends in .pdf, .html or .txt' '$T/e'"
cp "$DB" "$T/tampered.db"
sqlite3 "$T/tampered.db" "UPDATE search_query SET query = (SELECT genotype FROM profile LIMIT 1 OFFSET 5) WHERE seq = $REC"
check "a query changed outside strdb is refused (its digest is in the record)" \
    sh -c "! '$S' report '$T/tampered.db' --search-record $REC -o '$T/x.pdf' 2>'$T/e' && grep -q 'does not match the record' '$T/e'"
"$S" user add "$DB" admin --role admin >"$T/admin.tok" 2>/dev/null
STRDB_TOKEN=$(cat "$T/admin.tok") "$S" user add "$DB" aud --role auditor >"$T/aud.tok" 2>/dev/null
check "an auditor may not make a report (role analyst)" \
    sh -c "STRDB_TOKEN=\$(cat '$T/aud.tok') '$S' report '$DB' --search-record $REC -o '$T/x.pdf' 2>'$T/e'; [ \$? = 1 ] && grep -q \"may not report\" '$T/e'"
STRDB_TOKEN=$(cat "$T/admin.tok") "$S" user add "$DB" cus --role custodian >"$T/cus.tok" 2>/dev/null
STRDB_TOKEN=$(cat "$T/cus.tok") "$S" expunge "$DB" "$SID" --reason "court order" --purpose administration >/dev/null 2>&1
check "after the candidate is expunged, its search keeps no query (the query was its genotype)" \
    sh -c "[ \$(sqlite3 '$DB' 'SELECT count(*) FROM search_query WHERE seq = $REC') = 0 ]"
