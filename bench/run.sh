#!/bin/sh
# make bench: import benchmark on BENCH_N profiles (default 1,000,000; BENCH_RUNS runs,
# default 3, medians reported), then the simulation benchmark on BENCH_SIM_N persons
# (default 10,000,000) and the search benchmark on BENCH_SEARCH_N profiles (default 1,000,000;
# all-pairs on BENCH_PAIRS_N of them, default 20,000). JSON on stdout.
set -eu
B=${1:-build/rel}
N=${BENCH_N:-1000000}
W=${BENCH_DIR:-$(mktemp -d)}
echo "[bench] $N profiles in $W (machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'))" >&2
"$B"/bench/bench_import "$N" "${BENCH_RUNS:-3}" test/data/NIST1036_genotypes.csv "$W"
rm -rf "$W"
"$B"/bench/bench_simulate "${BENCH_SIM_N:-10000000}"
"$B"/bench/bench_search "${BENCH_SEARCH_N:-1000000}" "${BENCH_PAIRS_N:-20000}"
