#!/bin/bash
# Browser tests (issue 15): a real strdb serve on a free port, Playwright
# (npm playwright-core, installed into test/web/node_modules on first run)
# driving Debian's chromium. Screenshots in $STRDB_SHOTS (default
# build/screenshots). Needs $STRDB; prints PASS/FAIL lines.
. test/cli/lib.sh
SHOTS=${STRDB_SHOTS:-build/screenshots}
mkdir -p "$SHOTS"
if [ ! -d test/web/node_modules/playwright-core ]; then
    (cd test/web && npm install --no-audit --no-fund --silent >"$T/npm.log" 2>&1) ||
        { echo "FAIL browser: npm install playwright-core"; sed 's/^/    /' "$T/npm.log"; exit 0; }
fi
DB=$T/web.db
"$S" init "$DB" 2>/dev/null
"$S" import "$DB" $D/NIST1036_genotypes.csv --index offender --basis conviction 2>/dev/null
printf 'Sample,DYS19,DYS389I,DYS390,DYS391,DYS392,DYS393,DYS437,DYS438,DYS439\nYH-1,14,13,24,11,13,13,14,12,12\nYH-2,14,13,24,11,13,13,14,12,13\nYH-3,15,12,23,10,11,13,15,10,11\n' >"$T/y.csv"
"$S" import "$DB" "$T/y.csv" --index offender --basis conviction 2>/dev/null
"$S" lineage build "$DB" --max-loci 1 --min-loci 9 >/dev/null 2>&1
printf 'id,father,mother,sex,sample_id\nP-F,,,M,YH-1\nP-S,P-F,,M,YH-2\n' >"$T/ped.csv"
"$S" pedigree import "$DB" "$T/ped.csv" 2>/dev/null
"$S" import "$DB" $D/mp/store/remains.csv --index unidentified-remains --basis missing-person-report 2>/dev/null
"$S" import "$DB" $D/mp/store/relatives.csv --index relative-of-missing --basis missing-person-report 2>/dev/null
"$S" pedigree import "$DB" $D/mp/store/families.csv --case MP-2026-1 2>/dev/null
ADMIN=$("$S" user add "$DB" admin --role admin 2>/dev/null)
ANALYST=$(STRDB_TOKEN=$ADMIN "$S" user add "$DB" ann --role analyst 2>/dev/null)
CUSTODIAN=$(STRDB_TOKEN=$ADMIN "$S" user add "$DB" cus --role custodian 2>/dev/null)
SID=$(sed -n '2s/,.*//p' $D/NIST1036_genotypes.csv)
G=$(tr -d '\r' <$D/NIST1036_genotypes.csv | awk -F, 'NR==1{for(i=2;i<=NF;i++)h[i]=$i} NR==2{s="";for(i=3;i<=NF;i+=2){split(h[i],a,".");if($i!="")s=s (s?";":"") a[1] "=" $i "/" $(i+1)} print s}')
"$S" serve "$DB" --listen 127.0.0.1:0 --port-file "$T/port" --freq $D/frequencies/NIST1036freqs.csv 2>"$T/log" &
PID=$!
for _ in $(seq 50); do [ -s "$T/port" ] && break; sleep 0.1; done
node test/web/browser.mjs "http://127.0.0.1:$(cat "$T/port")" "$ANALYST" "$G" "$SID" \
    "DYS19=14;DYS389I=13;DYS390=24;DYS391=11;DYS392=13;DYS393=13;DYS437=14;DYS438=12;DYS439=12" "$SHOTS" \
    "$CUSTODIAN" "$D/golden/gm_qs.txt"
kill -TERM $PID
wait $PID
