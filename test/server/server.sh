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
    sh -c "grep -q '\"openapi\": \"3' '$T/body' && for p in /health /openapi.json /search /ysearch /profiles/ /stat /audit /audit/verify /users /expunge /import /stats/rmp; do grep -q \"\\\"\$p\" '$T/body' || { echo missing \$p; exit 1; }; done"
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
check "SIGTERM: a clean exit, the index built once per database state and shared" \
    sh -c "[ $rc = 0 ] && grep -q 'stopped:' '$T/log' && grep 'stopped:' '$T/log' | awk '{for(i=1;i<=NF;i++) if(\$(i+1)==\"index\" && \$(i+2)==\"builds,\") b=\$i; else if(\$(i+1)==\"index\" && \$(i+2)==\"reuses\") r=\$i} END{exit !(b <= 4 && r >= 8)}'"
check "one log line per request: id, method, path, status, time, actor" \
    sh -c "grep -q '^\[strdb serve\] id=[0-9]* POST /api/v1/search 200 [0-9.]* ms actor=ann$' '$T/log'"
check "audit verify after the session (CLI)" sh -c "STRDB_TOKEN=$AUDITOR '$S' audit verify '$DB' >/dev/null"
