#!/bin/sh
# make bench: import benchmark on BENCH_N profiles (default 1,000,000; BENCH_RUNS runs,
# default 3, medians reported), then the simulation benchmark on BENCH_SIM_N persons
# (default 10,000,000) and the search benchmark on BENCH_SEARCH_N profiles (default 1,000,000;
# all-pairs on BENCH_PAIRS_N of them, default 20,000), then the relatives benchmarks:
# familial search over BENCH_FAMILIAL_N profiles and lineage clustering of BENCH_LINEAGE_N
# haplotypes (default 10,000,000 each), lineage search on a database of BENCH_LSEARCH_N men
# (default 1,000,000); last the crash tool: BENCH_CRASH_KILLS SIGKILLs (default 200) of import,
# expunge, lineage build and retention run on BENCH_CRASH_PERSONS simulated persons' profiles
# (default 100,000); the missing-person search (bench_missing) and the server (bench/serve.sh,
# BENCH_SERVE_N profiles) before it. JSON on stdout.
set -eu
B=${1:-build/rel}
N=${BENCH_N:-1000000}
W=${BENCH_DIR:-$(mktemp -d)}
echo "[bench] $N profiles in $W (machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'))" >&2
"$B"/bench/bench_import "$N" "${BENCH_RUNS:-3}" test/data/NIST1036_genotypes.csv "$W"
rm -rf "$W"
"$B"/bench/bench_simulate "${BENCH_SIM_N:-10000000}"
"$B"/bench/bench_search "${BENCH_SEARCH_N:-1000000}" "${BENCH_PAIRS_N:-20000}"
"$B"/bench/bench_relatives familial "${BENCH_FAMILIAL_N:-10000000}"
"$B"/bench/bench_relatives lineage "${BENCH_LINEAGE_N:-10000000}"
# lineage search on a database: BENCH_LSEARCH_N men (default 1,000,000: the import and the
# lineage build through the CLI), 200 random men outside it as queries
L=$(mktemp -d)
LN=${BENCH_LSEARCH_N:-1000000}
"$B"/strdb simulate --out "$L/sim" --founders $((LN * 2 + LN / 5)) --generations 10 --family-shape 1 \
    --kit none --db-fraction 0.9 --queries 200 --random-queries --no-pedigree --threads 2 \
    --db "$L/y.db" >&2
/usr/bin/env time -f '[bench] lineage build through the CLI: %e s, %M KB peak' "$B"/strdb lineage build "$L/y.db" >&2
"$B"/bench/bench_relatives lsearch "$L/y.db" "$L/sim/queries.jsonl"
rm -rf "$L"
# missing persons: BENCH_MP_FAMILIES families (default 100,000) x BENCH_MP_REMAINS remains
# (default 10,000), both rankings in one pass, per-pair peeling baseline on a sample
"$B"/bench/bench_missing "${BENCH_MP_FAMILIES:-100000}" "${BENCH_MP_REMAINS:-10000}"
# strdb serve: identity searches over HTTP on BENCH_SERVE_N profiles (default 1,000,000), from
# 1 and 4 clients, with the CLI batch search of the same queries as the baseline
sh bench/serve.sh "$B"
STRDB=$(cd "$B" && pwd)/strdb sh test/crash/crash.sh "${BENCH_CRASH_KILLS:-200}" "${BENCH_CRASH_PERSONS:-100000}" |
    grep '^{'
