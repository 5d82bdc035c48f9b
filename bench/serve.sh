#!/bin/sh
# make bench: `strdb serve` under load. BENCH_SERVE_N profiles (default 1,000,000: the NIST
# 1036 genotypes replicated under new ids) are imported; 200 of the NIST genotypes are the
# queries (each has hits). Baseline in the same run: the same 200 queries as one CLI batch
# search (`strdb search --batch`, which loads the index once). Then the server (4 threads,
# no rate limit) answers identity searches from 1 and from 4 concurrent clients
# (bench/serve_client.mjs, keep-alive HTTP): requests per second, latency percentiles, the
# server's peak RSS. Every request is audited (one record each), as in production.
set -eu
B=${1:-build/rel}
S=$(cd "$B" && pwd)/strdb
N=${BENCH_SERVE_N:-1000000}
W=$(mktemp -d)
trap 'kill $PID 2>/dev/null || true; rm -rf "$W"' EXIT
PID=
NIST=test/data/NIST1036_genotypes.csv
awk -F, -v n="$N" 'NR == 1 { print; next } { row[NR - 1] = $0; k = NR - 1 }
    END { for (i = 0; i < n; i++) { r = row[i % k + 1]; sub(/^[^,]*/, "", r); print "S" i r } }' \
    "$NIST" >"$W/db.csv"
"$S" init "$W/db" >/dev/null 2>&1
ADMIN=$("$S" user add "$W/db" admin --role admin 2>/dev/null)
CUST=$(STRDB_TOKEN=$ADMIN "$S" user add "$W/db" cust --role custodian 2>/dev/null)
ANAL=$(STRDB_TOKEN=$ADMIN "$S" user add "$W/db" anal --role analyst 2>/dev/null)
STRDB_TOKEN=$CUST "$S" import "$W/db" "$W/db.csv" --index offender --basis conviction 2>&1 | sed 's/^/[bench] /' >&2
rm -f "$W/db.csv"
# the queries: 200 NIST genotypes, as CSV for the CLI and as genotype strings for the server
head -201 "$NIST" | tr -d '\r' | sed '2,$s/^[^,]*/Q&/' >"$W/q.csv"
awk -F, 'NR == 1 { for (i = 3; i <= NF; i++) { l = $i; sub(/\.[0-9]+$/, "", l); name[i] = l }; next }
    { g = ""; for (i = 3; i < NF; i += 2) if ($i != "") g = g (g == "" ? "" : ";") name[i] "=" $i "/" $(i + 1)
      print g }' "$W/q.csv" >"$W/q.txt"
t0=$(date +%s.%N)
STRDB_TOKEN=$ANAL "$S" search "$W/db" --batch "$W/q.csv" --stringency high --limit 10 >"$W/batch.out"
t1=$(date +%s.%N)
awk -v a="$t0" -v b="$t1" -v n="$N" 'END { printf "{\"bench\":\"serve_baseline_cli_batch\",\"profiles\":%d,\"queries\":%d,\"seconds\":%.2f,\"queries_per_s\":%.1f}\n", n, NR, b - a, NR / (b - a) }' "$W/batch.out"
"$S" serve "$W/db" --listen 127.0.0.1:0 --port-file "$W/port" --threads 4 --rate 1000000 2>"$W/serve.log" &
PID=$!
for _ in $(seq 600); do [ -s "$W/port" ] && break; sleep 0.1; done
URL=http://127.0.0.1:$(cat "$W/port")
node bench/serve_client.mjs "$URL" "$ANAL" "$W/q.txt" 1 20 >/dev/null # warm: the index is loaded once
for c in 1 4; do
    r=$(node bench/serve_client.mjs "$URL" "$ANAL" "$W/q.txt" $c $((c * 300)))
    rss=$(awk '/VmHWM/ { print $2 }' /proc/$PID/status)
    echo "$r" | sed "s/^{/{\"bench\":\"serve_search\",\"profiles\":$N,\"server_threads\":4,\"server_peak_rss_kb\":$rss,/"
done
kill -TERM $PID
wait $PID || true
PID=
