/* Search benchmark on a simulated database (the simulator's living
 * generation, CODIS 20 + Yfiler Plus): index build rate and bytes per
 * profile, identity search latency per stringency, Y search latency, batch
 * throughput and all-pairs pairs/s, each beside a baseline measured in the
 * same run: a brute-force scan over the decoded profiles for searches, and
 * the SQL a lab would write against a (sample, locus, allele1, allele2)
 * table for identity search. Prints one JSON object.
 *
 *   bench_search N [PAIRS_N] */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "bench.h"
#include "engine_internal.h"


typedef struct store {
    sdb_profile *a, *y;
    long na, ny, cap_a, cap_y, want;
} store;

static int keep(void *arg, const sdb_sim_person *p)
{
    store *s = arg;
    if (p->generation != 1) return 0;
    if (p->autosomal && s->na < s->want) {
        sdb_profile_init(&s->a[s->na]);
        if (sdb_profile_copy(&s->a[s->na++], p->autosomal)) return SDB_ENOMEM;
    }
    if (p->y && s->ny < s->want) {
        sdb_profile_init(&s->y[s->ny]);
        if (sdb_profile_copy(&s->y[s->ny++], p->y)) return SDB_ENOMEM;
    }
    return 0;
}

static int only_living(void *arg, uint64_t id, int generation)
{
    (void)arg;
    (void)id;
    return generation == 1;
}


/* Brute force: high stringency over decoded profiles (set equality). */
static long brute_high(const sdb_profile *q, const sdb_profile *db, long n, int min_loci)
{
    long hits = 0;
    for (long i = 0; i < n; i++) {
        int shared = 0, miss = 0;
        for (int k = 0; k < q->n_calls && !miss; k++) {
            const sdb_call *a = &q->calls[k], *b = sdb_profile_call(&db[i], a->locus);
            if (!b) continue;
            shared++;
            miss = a->n != b->n || memcmp(q->alleles + a->first, db[i].alleles + b->first,
                                          a->n * sizeof(sdb_allele));
        }
        hits += !miss && shared >= min_loci;
    }
    return hits;
}

/* The lab's SQL: genotypes as rows, one query joining them. */
static sqlite3 *sql_table(const sdb_profile *db, long n)
{
    sqlite3 *s;
    sqlite3_stmt *st;
    if (sqlite3_open(":memory:", &s)) return NULL;
    sqlite3_exec(s,
                 "CREATE TABLE g(sample INTEGER, locus INTEGER, a1 INTEGER, a2 INTEGER);"
                 "BEGIN",
                 NULL, NULL, NULL);
    sqlite3_prepare_v2(s, "INSERT INTO g VALUES (?, ?, ?, ?)", -1, &st, NULL);
    for (long i = 0; i < n; i++)
        for (int k = 0; k < db[i].n_calls; k++) {
            const sdb_call *c = &db[i].calls[k];
            sqlite3_bind_int64(st, 1, i);
            sqlite3_bind_int(st, 2, c->locus);
            sqlite3_bind_int(st, 3, db[i].alleles[c->first]);
            sqlite3_bind_int(st, 4, db[i].alleles[c->first + c->n - 1]);
            sqlite3_step(st);
            sqlite3_reset(st);
        }
    sqlite3_finalize(st);
    sqlite3_exec(s, "COMMIT; CREATE INDEX g_lookup ON g(locus, a1, a2);", NULL, NULL, NULL);
    return s;
}

static double sql_search(sqlite3 *s, const sdb_profile *q, int min_loci)
{
    char sql[8192];
    int n = snprintf(sql, sizeof sql, "SELECT sample FROM g WHERE ");
    for (int k = 0; k < q->n_calls; k++) {
        const sdb_call *c = &q->calls[k];
        n += snprintf(sql + n, sizeof sql - (size_t)n, "%s(locus = %u AND a1 = %d AND a2 = %d)",
                      k ? " OR " : "", c->locus, q->alleles[c->first],
                      q->alleles[c->first + c->n - 1]);
    }
    snprintf(sql + n, sizeof sql - (size_t)n, " GROUP BY sample HAVING count(*) >= %d", min_loci);
    sqlite3_stmt *st;
    double t0 = bench_now();
    if (sqlite3_prepare_v2(s, sql, -1, &st, NULL)) return -1;
    while (sqlite3_step(st) == SQLITE_ROW)
        continue;
    sqlite3_finalize(st);
    return bench_now() - t0;
}

/* A query: a database profile with a few loci dropped (a partial stain). */
static void make_query(const sdb_profile *src, sdb_profile *q, unsigned seed)
{
    const sdb_catalog *cat = sdb_catalog_default();
    sdb_profile_reset(q);
    if (sdb_profile_set_id(q, "q", -1)) return;
    for (int k = 0; k < src->n_calls; k++) {
        if ((seed + (unsigned)k * 7u) % 10 < 2) continue; /* drop ~20% of loci */
        const sdb_call *c = &src->calls[k];
        for (uint32_t j = 0; j < c->n; j++)
            if (sdb_profile_add(q, sdb_catalog_by_id(cat, c->locus), src->alleles[c->first + j]))
                return;
    }
    if (sdb_profile_finish(q, cat)) return;
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 1000000, pairs_n = argc > 2 ? atol(argv[2]) : 20000;
    const sdb_catalog *cat = sdb_catalog_default();
    sdb_freq *f;
    if (sdb_init() || sdb_freq_builtin_nist1036(&f, cat)) return 1;
    store s = {calloc((size_t)n, sizeof(sdb_profile)),
               calloc((size_t)n, sizeof(sdb_profile)),
               0,
               0,
               n,
               n,
               n};
    sdb_sim_opts o;
    sdb_sim_opts_init(&o);
    o.founders = n + n / 10;
    o.generations = 1;
    o.y_kit = "Yfiler Plus";
    o.autosomal_kit = "CODIS 20";
    o.freq = f;
    o.pop = sdb_freq_find_population(f, "Cauc");
    o.threads = 2;
    o.want_profiles = only_living;
    sdb_diag d;
    if (sdb_simulate(cat, &o, keep, &s, &d)) return 1;
    const sdb_profile **pa = malloc((size_t)s.na * sizeof *pa),
                      **py = malloc((size_t)s.ny * sizeof *py);
    for (long i = 0; i < s.na; i++)
        pa[i] = &s.a[i];
    for (long i = 0; i < s.ny; i++)
        py[i] = &s.y[i];
    double t0 = bench_now();
    sdb_idx *xa, *xy;
    if (sdb_idx_build_profiles(&xa, cat, pa, s.na, SDB_KIND_AUTOSOMAL, &d)) return 1;
    double build_a = (double)s.na / (bench_now() - t0);
    if (sdb_idx_build_profiles(&xy, cat, py, s.ny, SDB_KIND_Y, &d)) return 1;
    enum { Q = 60 };
    double lat[3][Q], ylat[Q], yplat[Q], brute[Q / 6], sqlt[Q / 6];
    sdb_profile q;
    sdb_profile_init(&q);
    long hits_total = 0;
    for (int stg = 0; stg < 3; stg++)
        for (int i = 0; i < Q; i++) {
            make_query(&s.a[(i * 7919L) % s.na], &q, (unsigned)i);
            sdb_search_opts so;
            sdb_search_opts_init(&so);
            so.stringency = (sdb_stringency)stg;
            so.min_loci = 10;
            so.threads = 2;
            so.limit = 100;
            sdb_hit *hits;
            long nh;
            t0 = bench_now();
            if (sdb_search(xa, &q, &so, &hits, &nh, &d)) return 1;
            lat[stg][i] = (bench_now() - t0) * 1e3;
            hits_total += nh;
            free(hits);
        }
    double lat_sum = 0;
    for (int i = 0; i < Q; i++)
        lat_sum += lat[0][i];
    double batch_qps = Q / (lat_sum / 1e3); /* sequential queries, each on both cores */
    for (int i = 0; i < Q / 6; i++) {
        make_query(&s.a[(i * 7919L) % s.na], &q, (unsigned)i);
        t0 = bench_now();
        hits_total += brute_high(&q, s.a, s.na, 10);
        brute[i] = (bench_now() - t0) * 1e3;
    }
    double sql_build0 = bench_now();
    sqlite3 *sq = sql_table(s.a, s.na > 200000 ? 200000 : s.na);
    double sql_build = bench_now() - sql_build0;
    for (int i = 0; i < Q / 6; i++) {
        make_query(&s.a[(i * 7919L) % (s.na > 200000 ? 200000 : s.na)], &q, (unsigned)i);
        sqlt[i] = sql_search(sq, &q, 10) * 1e3;
    }
    sqlite3_close(sq);
    /* Y within 4 loci: the scan, and through a probe built once (K = 4) */
    sdb_yprobe *probe;
    t0 = bench_now();
    if (sdb_yprobe_build(&probe, xy, 4, 1)) return 1;
    double probe_build = bench_now() - t0;
    long y_hits_scan = 0, y_hits_probe = 0;
    for (int pass = 0; pass < 2; pass++)
        for (int i = 0; i < Q; i++) {
            if (sdb_profile_copy(&q, &s.y[(i * 7919L) % s.ny])) return 1;
            sdb_ysearch_opts yo;
            sdb_ysearch_opts_init(&yo);
            yo.max_loci = 4;
            yo.max_steps = -1;
            yo.threads = 2;
            yo.limit = 100;
            yo.probe = pass ? probe : NULL;
            sdb_yhit *yh;
            long nh;
            t0 = bench_now();
            if (sdb_ysearch(xy, &q, &yo, &yh, &nh, &d)) return 1;
            (pass ? yplat : ylat)[i] = (bench_now() - t0) * 1e3;
            *(pass ? &y_hits_probe : &y_hits_scan) += nh;
            free(yh);
        }
    if (y_hits_probe != y_hits_scan) {
        fprintf(stderr, "bench_search: the probe found %ld Y hits, the scan %ld\n", y_hits_probe,
                y_hits_scan);
        return 1;
    }
    sdb_yprobe_free(probe);
    /* all pairs on the first pairs_n profiles */
    sdb_idx *xp;
    if (pairs_n > s.na) pairs_n = s.na;
    if (sdb_idx_build_profiles(&xp, cat, pa, pairs_n, SDB_KIND_AUTOSOMAL, &d)) return 1;
    sdb_pairs_result pr;
    t0 = bench_now();
    if (sdb_pairs(xp, -1, 2, &pr)) return 1;
    double pairs_s = (double)pr.pairs / (bench_now() - t0);
    sdb_pairs_free(&pr);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf(
        "{\n  \"benchmark\": \"search\",\n  \"autosomal_profiles\": %ld,\n  \"y_haplotypes\": "
        "%ld,\n"
        "  \"index_build_profiles_per_s\": %.0f,\n"
        "  \"bytes_per_autosomal_profile\": %.0f,\n  \"bytes_per_y_haplotype\": %.0f,\n"
        "  \"batch_queries_per_s\": %.0f,\n"
        "  \"identity_high_ms_p50\": %.3f,\n  \"identity_high_ms_p99\": %.3f,\n"
        "  \"identity_moderate_ms_p50\": %.3f,\n  \"identity_moderate_ms_p99\": %.3f,\n"
        "  \"identity_low_ms_p50\": %.3f,\n  \"identity_low_ms_p99\": %.3f,\n"
        "  \"baseline_brute_force_high_ms_p50\": %.3f,\n"
        "  \"baseline_sql_high_ms_p50_on_200k\": %.3f,\n  \"baseline_sql_table_build_s\": %.2f,\n"
        "  \"y_search_4_loci_ms_p50\": %.3f,\n  \"y_search_4_loci_ms_p99\": %.3f,\n"
        "  \"y_search_4_loci_probe_ms_p50\": %.3f,\n  \"y_search_4_loci_probe_ms_p99\": %.3f,\n"
        "  \"y_probe_build_s\": %.2f,\n"
        "  \"all_pairs_profiles\": %ld,\n  \"all_pairs_pairs_per_s\": %.3g,\n"
        "  \"all_pairs_vs_dnatools_6.5e6\": %.1f,\n  \"peak_rss_kb\": %ld,\n"
        "  \"hits_checksum\": %ld\n}\n",
        s.na, s.ny, build_a, sdb_idx_bytes_per_profile(xa), sdb_idx_bytes_per_profile(xy),
        batch_qps, bench_pct(lat[0], Q, 0.5), bench_pct(lat[0], Q, 0.99), bench_pct(lat[1], Q, 0.5),
        bench_pct(lat[1], Q, 0.99), bench_pct(lat[2], Q, 0.5), bench_pct(lat[2], Q, 0.99), bench_pct(brute, Q / 6, 0.5),
        bench_pct(sqlt, Q / 6, 0.5), sql_build, bench_pct(ylat, Q, 0.5), bench_pct(ylat, Q, 0.99),
        bench_pct(yplat, Q, 0.5), bench_pct(yplat, Q, 0.99), probe_build, pairs_n, pairs_s,
        pairs_s / 6.5e6, ru.ru_maxrss, hits_total);
    return 0;
}
