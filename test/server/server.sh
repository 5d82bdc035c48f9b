#!/bin/bash
# strdb serve, started for real on 127.0.0.1 (a free port): every endpoint
# with good and bad requests (missing token, wrong token, another role's
# token, wrong purpose, malformed JSON, wrong content type, oversize body, a
# path with '..', a token in the URL, a slow client that never finishes its
# headers), each with its status and JSON error, one audit record per request
# that reads or changes data, the server up throughout, shared index, and a
# clean exit on SIGTERM. Needs $STRDB and curl. Prints PASS/FAIL lines.
. test/cli/lib.sh
DB=$T/srv.db
"$S" init "$DB" 2>/dev/null
"$S" import "$DB" $D/NIST1036_genotypes.csv --index offender --basis conviction 2>/dev/null
"$S" import "$DB" $D/mp/store/remains.csv --index unidentified-remains --basis missing-person-report 2>/dev/null
"$S" import "$DB" $D/mp/store/relatives.csv --index relative-of-missing --basis missing-person-report 2>/dev/null
"$S" pedigree import "$DB" $D/mp/store/families.csv --case MP-2026-1 2>/dev/null
printf 'Sample,DYS19,DYS389I,DYS390,DYS391,DYS392,DYS393,DYS437,DYS438,DYS439\nYH-1,14,13,24,11,13,13,14,12,12\nYH-2,14,13,24,11,13,13,14,12,13\nYH-3,15,12,23,10,11,13,15,10,11\n' >"$T/y.csv"
"$S" import "$DB" "$T/y.csv" --index offender --basis conviction 2>/dev/null
sed 's/^YH-/YP-/' "$T/y.csv" >"$T/yp.csv"
"$S" import "$DB" "$T/yp.csv" --index population --basis population-study 2>/dev/null
"$S" lineage build "$DB" --max-loci 1 --min-loci 9 >/dev/null 2>&1
printf 'id,father,mother,sex,sample_id\nP-F,,,M,YH-1\nP-S,P-F,,M,YH-2\n' >"$T/ped.csv"
"$S" pedigree import "$DB" "$T/ped.csv" 2>/dev/null
ADMIN=$("$S" user add "$DB" admin --role admin 2>/dev/null)
export STRDB_TOKEN=$ADMIN
ANALYST=$("$S" user add "$DB" ann --role analyst 2>/dev/null)
CUSTODIAN=$("$S" user add "$DB" cus --role custodian 2>/dev/null)
AUDITOR=$("$S" user add "$DB" aud --role auditor 2>/dev/null)
unset STRDB_TOKEN

check "serve refuses a database in open mode" \
    sh -c "'$S' init '$T/open.db' 2>/dev/null; ! '$S' serve '$T/open.db' --listen 127.0.0.1:0 2>'$T/e' && grep -q 'needs controlled mode' '$T/e'"

"$S" serve "$DB" --listen 127.0.0.1:0 --port-file "$T/port" --threads 4 --timeout 2 --max-body 65536 \
    --rate 100000 --freq $D/frequencies/NIST1036freqs.csv 2>"$T/log" &
PID=$!
for _ in $(seq 50); do [ -s "$T/port" ] && break; sleep 0.1; done
P=$(cat "$T/port")
URL=http://127.0.0.1:$P
# call METHOD PATH TOKEN [curl args...]: status in $T/code, body in $T/body
call() {
    m=$1 p=$2 tok=$3
    shift 3
    if [ -n "$tok" ]; then set -- -H "Authorization: Bearer $tok" "$@"; fi
    curl -s -o "$T/body" -w '%{http_code}' -X "$m" "$@" "$URL$p" >"$T/code"
}
# expect NAME STATUS [ERROR-CODE]: the last call's status (and error code)
expect() {
    name=$1 want=$2 code=${3:-}
    got=$(cat "$T/code")
    if [ "$got" = "$want" ] && { [ -z "$code" ] || grep -q "\"code\": \"$code\"" "$T/body"; }; then
        echo "PASS $name ($got${code:+ $code})"
    else
        echo "FAIL $name: status $got, want $want${code:+ $code}"
        head -c 400 "$T/body" | sed 's/^/    /'
    fi
}
records() { sqlite3 "$DB" 'SELECT count(*) FROM audit'; }
alive() { curl -s -o /dev/null -w '%{http_code}' "$URL/api/v1/health" | grep -q 200; }
J='Content-Type: application/json'
Q='{"genotype":"D3S1358=16/17;vWA=17/18;FGA=21/25;D8S1179=13/14;D21S11=29/30;D18S51=14/15;D5S818=11/12;D13S317=11/11","stringency":"low","limit":3}'
SID=$(sed -n '2s/,.*//p' $D/NIST1036_genotypes.csv)
G=$(tr -d '\r' <$D/NIST1036_genotypes.csv | awk -F, 'NR==1{for(i=2;i<=NF;i++)h[i]=$i} NR==2{s="";for(i=3;i<=NF;i+=2){split(h[i],a,".");if($i!="")s=s (s?";":"") a[1] "=" $i "/" $(i+1)} print s}')

call GET /api/v1/health ""
expect "health without a token" 200
call GET /api/v1/openapi.json ""
expect "the OpenAPI document" 200
check "the OpenAPI document is OpenAPI 3 and names every endpoint the server answers" \
    sh -c "grep -q '\"openapi\": \"3' '$T/body' && for p in /health /openapi.json /search /ysearch /profiles/ /stat /audit /audit/verify /users /expunge /import /stats/rmp /report /familial /lineage/search /lineage/{id}.svg /pedigree/{person}.svg /users/{name}/disable /policy /retention /consent /mp/search /stats/kinship /stats/paternity /stats/meioses /stats/yfreq /audit/export /parse /intake/kits /intake/events /intake/samples /intake/samples/{accession} /intake/samples/{accession}/label.svg /intake/samples/{accession}/label.pdf; do grep -q \"\\\"\$p\" '$T/body' || { echo missing \$p; exit 1; }; done"
call GET / ""
expect "the web page" 200
check "the web page has a Content-Security-Policy, no CORS header and no cookie" \
    sh -c "curl -s -D - -o /dev/null '$URL/' | tr -d '\r' >'$T/h'; grep -q \"^Content-Security-Policy: default-src 'self'\" '$T/h' && ! grep -qi '^Access-Control' '$T/h' && ! grep -qi '^Set-Cookie' '$T/h'"

# authentication and roles
n0=$(records)
call POST /api/v1/search "" -H "$J" -d "$Q"
expect "search without a token" 401 auth
call POST /api/v1/search 0000000000000000000000000000000000000000000000000000000000000000 -H "$J" -d "$Q"
expect "search with a wrong token" 401 auth
check "a wrong token leaves one audit record (the refusal), a missing one none" \
    sh -c "[ \$(sqlite3 '$DB' 'SELECT count(*) FROM audit') = $((n0 + 1)) ]"
call GET "/api/v1/stat?token=$ANALYST" ""
expect "a token in the URL is refused" 400 token_in_url
check "the log never shows a token" sh -c "! grep -q '$ANALYST' '$T/log' && ! grep -q '$ADMIN' '$T/log'"
call GET /api/v1/users "$ANALYST"
expect "an analyst may not list users" 403 role
call GET /api/v1/users "$ADMIN"
expect "an admin lists users" 200
check "the users are listed, no token among them" \
    sh -c "grep -q '\"name\": \"ann\"' '$T/body' && ! grep -q '$ANALYST' '$T/body'"

# searches
n0=$(records)
call POST /api/v1/search "$ANALYST" -H "$J" -d "$Q"
expect "identity search (analyst, casework)" 200
check "the search returns hits with a per-locus side-by-side comparison, and one audit record" \
    sh -c "grep -q '\"sample_id\": \"[A-Z]' '$T/body' && grep -q '\"status\": \"match\"' '$T/body' && [ \$(sqlite3 '$DB' 'SELECT count(*) FROM audit') = $((n0 + 1)) ]"
call POST /api/v1/search "$ANALYST" -H "$J" -d "{\"genotype\":\"$G\"}"
expect "identity search of a stored profile's genotype" 200
check "the stored profile is the first hit, every locus matching" \
    sh -c "grep -m1 '\"sample_id\": \"GT' '$T/body' | grep -q '$SID' && ! grep -q '\"status\": \"mismatch\"' '$T/body'"
REC=$(sed -n 's/^  "record": \([0-9]*\),$/\1/p' "$T/body")
call GET "/api/v1/report?record=$REC&candidate=$SID&format=pdf" "$ANALYST" -H 'X-Strdb-Case: CASE-7'
expect "the case report of that search (PDF)" 200
check "the PDF report names the search record, the candidate and the RMP" \
    sh -c "head -c 5 '$T/body' | grep -q '%PDF-' && pdftotext '$T/body' - | tr '\n' ' ' >'$T/pdf.txt' && grep -q 'Search record $REC' '$T/pdf.txt' &&
           grep -q '$SID: index offender' '$T/pdf.txt' && grep -q 'Cauc: RMP' '$T/pdf.txt'"
call GET "/api/v1/report?record=$REC&format=html" "$ANALYST"
expect "the case report as HTML" 200
call GET "/api/v1/report?record=$REC" "$AUDITOR"
expect "an auditor may not make a report" 403 role
call GET "/api/v1/report?record=1" "$ANALYST"
expect "a report of a record that is no search" 404 not_found
call GET "/api/v1/report?record=x" "$ANALYST"
expect "a report without a record number" 422 invalid
call POST /api/v1/search "$ANALYST" -H "$J" -H 'X-Strdb-Purpose: population-study' -d "$Q"
expect "search under a purpose the policy does not allow" 403 policy
call POST /api/v1/search "$ANALYST" -H "$J" -d '{"genotype": "D3S1358=16/17", "stringency"'
expect "malformed JSON" 400 malformed_json
call POST /api/v1/search "$ANALYST" -H 'Content-Type: text/plain' -d "$Q"
expect "wrong content type" 415 content_type
call POST /api/v1/search "$ANALYST" -H "$J" -d '{"genotype":"D99S1=1/2"}'
expect "an unknown locus" 422 invalid
call POST /api/v1/search "$ANALYST" -H "$J" -d '{"genotype":"TH01=6/7","stringency":"medium"}'
expect "an unknown stringency" 422 invalid
call GET /api/v1/search "$ANALYST"
expect "a search by GET" 405 method
head -c 70000 /dev/zero | tr '\0' ' ' >"$T/big"
call POST /api/v1/search "$ANALYST" -H "$J" --data-binary @"$T/big"
expect "an oversize body" 413 too_large
call POST /api/v1/ysearch "$ANALYST" -H "$J" -d '{"genotype":"DYS19=14;DYS390=24;DYS391=11","max_loci":1}'
expect "Y search" 200
call GET "/api/v1/profiles/$SID" "$ANALYST"
expect "a profile (casework may show offenders)" 200
check "the profile with its provenance" sh -c "grep -q '\"index\": \"offender\"' '$T/body' && grep -q '\"source_line\": 2' '$T/body'"
call GET /api/v1/profiles/UHR-001 "$ANALYST"
expect "a remains profile under casework: not found, existence not confirmed" 404 not_found
call GET /api/v1/profiles/NOPE "$ANALYST"
expect "no such profile" 404 not_found
call POST /api/v1/stats/rmp "$ANALYST" -H "$J" -d "{\"genotype\":\"$G\",\"population\":\"Cauc\"}"
expect "random match probability" 200
check "the RMP is a small number with per-locus NRC II values" \
    sh -c "grep -q '\"formula\": \"NRC II 4.1' '$T/body' && awk '/\"rmp\":/{gsub(/[,]/,\"\",\$2); exit !(\$2 > 0 && \$2 < 1e-10)}' '$T/body'"
call GET /api/v1/stat "$ANALYST"
expect "database statistics" 200
call GET /api/v1/nothing "$ANALYST"
expect "an unknown endpoint" 404 not_found
call GET /api/v2/health ""
expect "another API version" 404 not_found

# relatives and drawings
call POST /api/v1/familial "$ANALYST" -H "$J" -d "{\"genotype\":\"$G\"}"
expect "familial search without the authorization the purpose needs" 403 policy
call POST /api/v1/familial "$ANALYST" -H "$J" -H 'X-Strdb-Authorization: WARRANT-2026-3' -d "{\"genotype\":\"$G\",\"relationships\":\"PO,FS\",\"top\":5}"
expect "familial search with an authorization" 200
check "familial: the profile itself ranks first, with an LR per relationship" \
    sh -c "grep -m1 '\"sample_id\"' '$T/body' | grep -q '$SID' && grep -q '\"PO\":' '$T/body' && grep -q '\"FS\":' '$T/body'"
call POST /api/v1/familial "$ANALYST" -H "$J" -H 'X-Strdb-Authorization: W' -d "{\"genotype\":\"$G\",\"relationships\":\"XX\"}"
expect "familial with an unknown relationship" 422 invalid
call POST /api/v1/lineage/search "$ANALYST" -H "$J" -d '{"genotype":"DYS19=14;DYS389I=13;DYS390=24;DYS391=11;DYS392=13;DYS393=13;DYS437=14;DYS438=12;DYS439=12"}'
expect "lineage search" 200
LIN=$(sed -n 's/^ *"lineage": \([0-9]*\),*$/\1/p' "$T/body" | head -1)
check "the haplotype joins a lineage with its members and meioses" \
    sh -c "[ -n '$LIN' ] && grep -q '\"sample_id\": \"YH-1\"' '$T/body' && grep -q '\"meioses_mode\"' '$T/body'"
call GET "/api/v1/lineage/$LIN.svg?view=network" "$ANALYST"
expect "the lineage drawing (SVG)" 200
check "the drawing is SVG naming its haplotypes" sh -c "grep -q '<svg' '$T/body' && grep -q 'YH-' '$T/body'"
call GET "/api/v1/lineage/999999.svg" "$ANALYST"
expect "a lineage that does not exist" 404 not_found
call GET "/api/v1/pedigree/P-S.svg?up=1&down=1" "$CUSTODIAN"
expect "a pedigree drawing (SVG)" 200
check "the pedigree drawing shows father and son" sh -c "grep -q '<svg' '$T/body' && grep -q 'P-F' '$T/body'"
call GET "/api/v1/pedigree/P-S.svg?up=99" "$CUSTODIAN"
expect "a pedigree drawing out of range" 422 invalid

# statistics of given genotypes, audit export, parsing an upload
call POST /api/v1/stats/kinship "$ANALYST" -H "$J" -d '{"a":"TH01=6/7;FGA=20/21","b":"TH01=6/8;FGA=20/22","relationship":"PO","population":"Cauc"}'
expect "kinship LR" 200
check "the parent-child LR is the product of two positive per-locus LRs" \
    sh -c "grep -q '\"relationship\": \"PO\"' '$T/body' && [ \$(grep -c '\"locus\"' '$T/body') = 2 ]"
call POST /api/v1/stats/kinship "$ANALYST" -H "$J" -d '{"a":"TH01=6/7","b":"TH01=8/9","relationship":"PO","mutation":"stepwise"}'
expect "a mutation model without a rate" 422 invalid
call POST /api/v1/stats/paternity "$ANALYST" -H "$J" -d '{"mother":"TH01=6/7;FGA=20/21","child":"TH01=6/8;FGA=20/22","father":"TH01=8/9;FGA=22/23","population":"Cauc"}'
expect "trio paternity index" 200
check "the paternity index and the probability of paternity" sh -c "grep -q '\"paternity_index\"' '$T/body' && grep -q '\"probability_50_50\": 0.9' '$T/body'"
call POST /api/v1/stats/meioses "$ANALYST" -H "$J" -d '{"a":"DYS19=14;DYS390=24;DYS391=11","b":"DYS19=15;DYS390=24;DYS391=11"}'
expect "meioses posterior of two Y haplotypes" 200
call POST /api/v1/stats/yfreq "$ANALYST" -H "$J" -d '{"genotype":"DYS19=14;DYS389I=13;DYS390=24;DYS391=11;DYS392=13;DYS393=13;DYS437=14;DYS438=12;DYS439=12"}'
expect "Y haplotype frequency under population-study" 200
check "the haplotype is counted once among the stored ones" sh -c "grep -q '\"matches\": 1' '$T/body' && grep -q '\"n\": 3' '$T/body'"
call GET /api/v1/audit/export "$AUDITOR"
expect "the audit chain as JSON lines" 200
check "every record of the chain, with its hashes" \
    sh -c "[ \$(grep -c '\"prev_hash\"' '$T/body') -ge \$(sqlite3 '$DB' 'SELECT count(*) FROM audit') ]"
call GET /api/v1/audit/export "$ANALYST"
expect "an analyst may not export the audit chain" 403 role
n0=$(records)
call POST "/api/v1/parse?name=ident.txt" "$ANALYST" -H 'Content-Type: text/plain' --data-binary @$D/golden/gm_qs.txt
expect "parse a GeneMapper export for a search" 200
check "the export's samples come back as genotype strings, nothing stored or audited" \
    sh -c "grep -q '\"genotype\": \"' '$T/body' && [ \$(sqlite3 '$DB' 'SELECT count(*) FROM audit') = $n0 ]"

# missing persons
call POST /api/v1/mp/search "$ANALYST" -H "$J" -d '{"top":3}'
expect "missing-person search (purpose missing-person by default)" 200
check "each related remains has its true family first" \
    sh -c "grep -A2 '\"remains\": \"UHR-001\"' '$T/body' | grep -q '\"family\": \"FAM-A\"' && grep -A2 '\"remains\": \"UHR-004\"' '$T/body' | grep -q '\"family\": \"FAM-C\"'"
call POST /api/v1/mp/search "$ANALYST" -H "$J" -H 'X-Strdb-Purpose: casework' -d '{}'
expect "missing-person search under casework" 403 policy
call POST /api/v1/mp/search "$ANALYST" -H "$J" -d '{"family":"FAM-C","rank":"family"}'
expect "one family against every remains" 200

# administration: users, policy, retention, consent
call POST /api/v1/users "$ANALYST" -H "$J" -d '{"name":"eve","role":"admin"}'
expect "an analyst may not add a user" 403 role
call POST /api/v1/users "$ADMIN" -H "$J" -d '{"name":"bob","role":"analyst"}'
expect "an admin adds a user (the token shown once)" 201
BOB=$(sed -n 's/^  "token": "\([0-9a-f]*\)"$/\1/p' "$T/body")
call GET /api/v1/stat "$BOB"
expect "the new user's token works" 200
call POST /api/v1/users/bob/disable "$ADMIN"
expect "an admin disables the user" 200
call GET /api/v1/stat "$BOB"
expect "a disabled user's token is refused" 401 auth
call GET /api/v1/policy "$AUDITOR"
expect "the purpose policy" 200
call POST /api/v1/policy "$ANALYST" -H "$J" -d '{"purpose":"casework","operation":"search","index":"population","allow":true}'
expect "an analyst may not change the policy" 403 role
call POST /api/v1/policy "$ADMIN" -H "$J" -d '{"purpose":"casework","operation":"search","index":"volunteer","allow":false}'
expect "an admin changes the policy" 200
call GET "/api/v1/retention?as_of=2100-01-01" "$CUSTODIAN"
expect "what retention has due" 200
call POST /api/v1/retention "$CUSTODIAN" -H "$J" -d '{"as_of":"2026-01-01","dry_run":true}'
expect "a retention dry run" 200
call POST /api/v1/consent "$CUSTODIAN" -H "$J" -d '{"sample_id":"YH-3","scope":"research"}'
expect "consent recorded" 200
call POST /api/v1/consent "$ANALYST" -H "$J" -d '{"sample_id":"YH-3","scope":"research"}'
expect "an analyst may not record consent" 403 role

# sample intake: kits, events in order, the chain, the label
call POST /api/v1/intake/kits "$CUSTODIAN" -H "$J" -d '{"type":"Bode SecurSwab 2","lot":"L7","count":2}'
expect "a custodian registers two kits" 201
ACC=$(node -e 'const b=JSON.parse(require("fs").readFileSync(process.argv[1]));if(b.accessions.length!==2)process.exit(1);console.log(b.accessions[0])' "$T/body")
call POST /api/v1/intake/kits "$ANALYST" -H "$J" -d '{"type":"Swab","lot":"L8"}'
expect "an analyst may not register kits" 403 role
call POST /api/v1/intake/kits "$CUSTODIAN" -H "$J" -d '{"type":"Swab","lot":"L8","count":"many"}'
expect "a count that is no integer" 422 invalid
call POST /api/v1/intake/events "$CUSTODIAN" -H "$J" -d "{\"accession\":\"$ACC\",\"event\":\"received\",\"place\":\"lab\"}"
expect "received before collected is refused" 403 refused
call POST /api/v1/intake/events "$CUSTODIAN" -H "$J" -d "{\"accession\":\"$ACC\",\"event\":\"collected\",\"place\":\"station 4\",\"basis\":\"arrest\"}"
expect "a collection with its legal basis" 201
call POST /api/v1/intake/events "$CUSTODIAN" -H "$J" -d "{\"accession\":\"$ACC\",\"event\":\"received\",\"place\":\"lab\"}"
expect "then received" 201
call GET "/api/v1/intake/samples/$ACC" "$ANALYST"
expect "an analyst reads the chain" 200
check "the chain lists collected and received with their audit records" \
    node -e 'const b=JSON.parse(require("fs").readFileSync(process.argv[1]));if(b.state!=="received"||b.events.map(e=>e.event).join()!=="collected,received"||!b.events.every(e=>+e.audit_record>0))process.exit(1)' "$T/body"
call GET /api/v1/intake/samples "$AUDITOR"
expect "an auditor lists the samples" 200
call GET /api/v1/intake/samples/SDB26-9999999-0 "$CUSTODIAN"
expect "an accession never issued" 404 not_found
call GET "/api/v1/intake/samples/$ACC/label.pdf" "$CUSTODIAN"
expect "the label as PDF" 200
check "the PDF label's text holds the accession number" sh -c "pdftotext '$T/body' - | grep -q '$ACC'"
call GET "/api/v1/intake/samples/$ACC/label.svg" "$CUSTODIAN"
expect "the label as SVG" 200
call GET "/api/v1/intake/samples/$ACC/label.png" "$CUSTODIAN"
expect "a label in another format" 404 not_found

# a path with '..', a static file that does not exist
code=$(curl -s --path-as-is -o "$T/body" -w '%{http_code}' "$URL/../../etc/passwd")
echo "$code" >"$T/code"
expect "a path with '..'" 400 bad_path
code=$(curl -s -o "$T/body" -w '%{http_code}' "$URL/%2e%2e/etc/passwd")
echo "$code" >"$T/code"
expect "a path with an encoded '..'" 400 bad_path
call GET /etc/passwd ""
expect "a file outside the page" 404 not_found

# audit (auditor), verify
call GET /api/v1/audit "$AUDITOR"
expect "the audit log (auditor)" 200
check "the audit log lists the searches with actor and purpose" \
    sh -c "grep -q '\"action\": \"search\"' '$T/body' && grep -q '\"actor\": \"ann\"' '$T/body'"
call GET /api/v1/audit/verify "$AUDITOR"
expect "audit verify" 200
check "the chain verifies" sh -c "grep -q '\"ok\": true' '$T/body'"

# import (custodian) and the shared index kept current
H10='sample_id,D3S1358.1,D3S1358.2,vWA.1,vWA.2,FGA.1,FGA.2,D8S1179.1,D8S1179.2,D21S11.1,D21S11.2,D18S51.1,D18S51.2,D5S818.1,D5S818.2,D13S317.1,D13S317.2,TH01.1,TH01.2,D16S539.1,D16S539.2'
printf '%s\nNEW-1,16,17,17,18,21,25,13,14,29,30,14,15,11,12,11,11,6,9.3,11,12\n' "$H10" >"$T/new.csv"
call POST "/api/v1/import?index=offender&basis=conviction&name=new.csv" "$ANALYST" -H 'Content-Type: text/csv' --data-binary @"$T/new.csv"
expect "import by an analyst" 403 role
n0=$(sqlite3 "$DB" 'SELECT count(*) FROM profile')
call POST "/api/v1/import?index=offender&basis=conviction&name=new.csv" "$CUSTODIAN" -H 'Content-Type: text/csv' --data-binary @"$T/new.csv"
expect "import by a custodian" 200
QN='{"genotype":"D3S1358=16/17;vWA=17/18;FGA=21/25;D8S1179=13/14;D21S11=29/30;D18S51=14/15;D5S818=11/12;D13S317=11/11;TH01=6/9.3;D16S539=11/12"}'
call POST /api/v1/search "$ANALYST" -H "$J" -d "$QN"
check "the new profile is found at once (the shared index follows the import)" sh -c "grep -q '\"sample_id\": \"NEW-1\"' '$T/body'"
printf '%s\nBAD-1,16,17,17,18,21,25,13,14,29,30,14,15,11,12,11,11,6,9.3,11,12\nBAD-2,16,17,17,18,21,25,13,14,29,30,14,15,11,12,11,11,6,x9,11,12\n' "$H10" >"$T/bad.csv"
call POST "/api/v1/import?index=offender&basis=conviction&name=bad.csv" "$CUSTODIAN" -H 'Content-Type: text/csv' --data-binary @"$T/bad.csv"
expect "an import with a bad record" 422
check "the refusal names the upload, line and field, and nothing is imported" \
    sh -c "grep -q 'line 3' '$T/body' && [ \$(sqlite3 '$DB' 'SELECT count(*) FROM profile') = $((n0 + 1)) ]"
call POST "/api/v1/import?index=offender&basis=conviction" "$CUSTODIAN" -H 'Content-Type: application/json' --data-binary @"$T/new.csv"
expect "an import with a JSON content type" 415 content_type
call POST /api/v1/expunge "$ANALYST" -H "$J" -d '{"sample_id":"NEW-1","reason":"test"}'
expect "expunge by an analyst" 403 role
call POST /api/v1/expunge "$CUSTODIAN" -H "$J" -d '{"sample_id":"NEW-1","reason":"court order 2026-7"}'
expect "expunge by a custodian" 200
call POST /api/v1/search "$ANALYST" -H "$J" -d "$QN"
check "the expunged profile is gone from searches at once" sh -c "grep -q '\"hits\"' '$T/body' && ! grep -q 'NEW-1' '$T/body'"

# a slow client that never finishes its headers: dropped after --timeout, the server stays up
exec 3<>/dev/tcp/127.0.0.1/"$P"
printf 'GET /api/v1/health HTTP/1.1\r\nHost: x\r\n' >&3
check "while a slow client holds a connection, others are served" alive
sleep 3
check "the slow client is dropped after the timeout" sh -c "timeout 2 cat <&3 >/dev/null"
exec 3<&-
# concurrent searches share one index
for i in $(seq 8); do
    curl -s -o /dev/null -H "Authorization: Bearer $ANALYST" -H "$J" -d "$Q" "$URL/api/v1/search" &
done
wait $(jobs -p | grep -v "^$PID$") 2>/dev/null
check "the server is up after every bad request" alive
kill -TERM $PID
wait $PID
rc=$?
check "SIGTERM: a clean exit; an index is built once per database state and kind (at most 6 here) and shared by the other requests" \
    sh -c "[ $rc = 0 ] && grep -q 'stopped:' '$T/log' && grep 'stopped:' '$T/log' | awk '{for(i=1;i<=NF;i++) if(\$(i+1)==\"index\" && \$(i+2)==\"builds,\") b=\$i; else if(\$(i+1)==\"index\" && \$(i+2)==\"reuses\") r=\$i} END{exit !(b <= 6 && r >= 8)}'"
check "one log line per request: id, method, path, status, time, actor" \
    sh -c "grep -q '^\[strdb serve\] id=[0-9]* POST /api/v1/search 200 [0-9.]* ms actor=ann$' '$T/log'"
check "audit verify after the session (CLI)" sh -c "STRDB_TOKEN=$AUDITOR '$S' audit verify '$DB' >/dev/null"
# TLS (GnuTLS through libmicrohttpd): a self-signed certificate for 127.0.0.1
if openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/key.pem" -out "$T/cert.pem" -days 1 \
    -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 >/dev/null 2>&1; then
    rm -f "$T/port"
    "$S" serve "$DB" --listen 127.0.0.1:0 --port-file "$T/port" --tls-cert "$T/cert.pem" --tls-key "$T/key.pem" 2>"$T/tls.log" &
    TPID=$!
    for _ in $(seq 50); do [ -s "$T/port" ] && break; sleep 0.1; done
    TP=$(cat "$T/port")
    check "TLS: the API answers over https with the certificate verified" \
        sh -c "curl -s --cacert '$T/cert.pem' -H 'Authorization: Bearer $ANALYST' https://127.0.0.1:$TP/api/v1/stat | grep -q '\"summary\"'"
    check "TLS: plain http to the TLS port gets no answer" \
        sh -c "! curl -s -m 3 -o /dev/null http://127.0.0.1:$TP/api/v1/health"
    check "TLS: the log says https" sh -c "grep -q 'on https://127.0.0.1:$TP' '$T/tls.log'"
    kill -TERM $TPID
    wait $TPID
else
    echo "FAIL TLS: openssl could not make a test certificate"
fi
check "--tls-cert without --tls-key is refused" \
    sh -c "! '$S' serve '$DB' --tls-cert '$T/cert.pem' 2>'$T/e' && grep -q 'go together' '$T/e'"
