/* Relatives benchmark on simulated populations. Prints one JSON object.
 *
 *   bench_relatives familial N      familial search over N CODIS 20 profiles (the
 *                                   living generation): latency p50/p99 of PO+FS with
 *                                   one and with four populations; baseline in the
 *                                   same run: sdb_kinship_lr row by row (the
 *                                   reference) on a sample, projected to N.
 *   bench_relatives lineage N       lineage clustering of the N men of the last of 11
 *                                   generations (Yfiler Plus, variance in family size):
 *                                   time, peak RSS, pairs compared; baseline: every
 *                                   pair compared (ysearch from each row) on a sample,
 *                                   projected to N; projection to 70 M.
 *   bench_relatives lineage-check N the block join against every pair compared on N
 *                                   haplotypes of the same population (exit 1 if the
 *                                   partitions differ).
 *   bench_relatives lsearch DB Q    on a database with lineages built (strdb lineage
 *                                   build): lineage search latency p50/p99 over the
 *                                   haplotypes of file Q, beside ysearch alone.
 *
 * Profiles are kept packed (two bytes an allele) and handed to the index
 * builder through a source, so 10^7 profiles fit in memory. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include <unistd.h>

#include "bench.h"
#include "engine_internal.h"

static const char *self_path;

static double peak_mb(void)
{
    return (double)bench_peak_rss_kb() / 1024.0;
}

/* ---- packed profiles: every profile types the same loci ---------------------- */

typedef struct packed {
    uint16_t loci[64];
    int width; /* alleles per profile */
    sdb_allele *alleles;
    char (*ids)[24];
    long n, cap, want, i;
    int generation; /* kept: persons of this generation */
    sdb_kind kind;
} packed;

/* Autosomal homozygotes are stored with their allele twice, so every
 * profile has the same width. */
static int keep(void *arg, const sdb_sim_person *p)
{
    packed *s = arg;
    const sdb_profile *q = s->kind == SDB_KIND_Y ? p->y : p->autosomal;
    if (p->generation != s->generation || !q || s->n >= s->want) return 0;
    int auto_ = s->kind == SDB_KIND_AUTOSOMAL, w = 0;
    if (!s->width) { /* the layout from the first profile */
        for (int c = 0; c < q->n_calls; c++)
            for (uint32_t k = 0; k < (auto_ ? 2 : q->calls[c].n); k++)
                s->loci[s->width++] = q->calls[c].locus;
        s->alleles = malloc((size_t)s->want * (size_t)s->width * sizeof *s->alleles);
        s->ids = malloc((size_t)s->want * sizeof *s->ids);
        if (!s->alleles || !s->ids) return SDB_ENOMEM;
    }
    sdb_allele *out = s->alleles + (size_t)s->n * (size_t)s->width;
    for (int c = 0; c < q->n_calls; c++) {
        const sdb_call *call = &q->calls[c];
        uint32_t n = auto_ ? 2 : call->n;
        for (uint32_t k = 0; k < n; k++) {
            if (w == s->width || s->loci[w] != call->locus) return 0; /* another layout: skip */
            out[w++] = q->alleles[call->first + (k < call->n ? k : call->n - 1u)];
        }
    }
    if (w != s->width) return 0;
    snprintf(s->ids[s->n], sizeof s->ids[s->n], "%s", q->sample_id);
    s->n++;
    return 0;
}

static int packed_next(void *arg, sdb_profile *p)
{
    packed *s = arg;
    if (s->i == s->n) return SDB_END;
    int rc = sdb_profile_set_sorted(p, sdb_catalog_default(), s->loci,
                                    s->alleles + (size_t)s->i * (size_t)s->width, s->width);
    if (!rc) rc = sdb_profile_set_id(p, s->ids[s->i], -1);
    s->i++;
    return rc;
}

static int packed_rewind(void *arg)
{
    ((packed *)arg)->i = 0;
    return SDB_OK;
}

/* Profiles are built only for the generation kept (the callbacks share arg). */
static int only_generation(void *arg, uint64_t id, int generation)
{
    (void)id;
    return generation == ((packed *)arg)->generation;
}

static int simulate(packed *s, sdb_sim_opts *o)
{
    sdb_diag d;
    sdb_diag_clear(&d);
    s->generation = o->generations;
    o->want_profiles = only_generation;
    return sdb_simulate(sdb_catalog_default(), o, keep, s, &d);
}

/* ---- familial ------------------------------------------------------------------ */

static int bench_familial(long n)
{
    sdb_freq *f = NULL;
    if (sdb_freq_builtin_nist1036(&f, sdb_catalog_default())) return 1;
    packed s = {.want = n, .kind = SDB_KIND_AUTOSOMAL};
    sdb_sim_opts o;
    sdb_sim_opts_init(&o);
    o.founders = n + n / 2; /* the living generation holds about n with two alleles everywhere */
    o.generations = 1;
    o.y_kit = NULL;
    o.autosomal_kit = "CODIS 20";
    o.freq = f;
    o.pop = sdb_freq_find_population(f, "Cauc");
    o.threads = 2;
    double t0 = bench_now();
    if (simulate(&s, &o)) return 1;
    double t_sim = bench_now() - t0;
    sdb_idx *x;
    sdb_diag d;
    sdb_diag_clear(&d);
    t0 = bench_now();
    if (sdb_idx_build_source(&x, sdb_catalog_default(), packed_next, packed_rewind, &s,
                             SDB_KIND_AUTOSOMAL, &d))
        return 1;
    double t_idx = bench_now() - t0;
    enum { Q = 21 };
    double lat1[Q], lat4[Q];
    sdb_profile q;
    sdb_profile_init(&q);
    long hits_total = 0;
    for (int pops = 1; pops <= 4; pops += 3)
        for (int i = 0; i < Q; i++) {
            if (sdb_idx_profile(x, (long)((unsigned long)i * 7919UL % (unsigned long)s.n), &q)) return 1;
            sdb_familial_opts fo;
            sdb_familial_opts_init(&fo);
            fo.freq = f;
            for (int p = 0; p < pops; p++)
                fo.pops[fo.n_pops++] = p;
            fo.top = 100;
            sdb_familial_hit *h;
            long nh, sk;
            int used;
            t0 = bench_now();
            if (sdb_familial(x, &q, &fo, &h, &nh, &sk, &used, &d)) return 1;
            (pops == 1 ? lat1 : lat4)[i] = bench_now() - t0;
            hits_total += nh;
            free(h);
        }
    /* baseline: the row-by-row reference on a sample of the index */
    long sample = s.n < 20000 ? s.n : 20000;
    s.n = sample;
    s.i = 0;
    sdb_idx *xs;
    if (sdb_idx_build_source(&xs, sdb_catalog_default(), packed_next, packed_rewind, &s,
                             SDB_KIND_AUTOSOMAL, &d))
        return 1;
    sdb_familial_opts fo;
    sdb_familial_opts_init(&fo);
    fo.freq = f;
    fo.pops[fo.n_pops++] = 0;
    sdb_familial_hit *h;
    long nh;
    t0 = bench_now();
    if (sdb_familial_reference(xs, &q, &fo, &h, &nh, &d)) return 1;
    double t_ref = bench_now() - t0;
    free(h);
    printf("{\"familial\": {\"profiles\": %ld, \"simulate_s\": %.2f, \"index_build_s\": %.2f,"
           " \"bytes_per_profile\": %.1f, \"queries\": %d, \"threads\": 2,"
           " \"po_fs_1pop_p50_s\": %.4f, \"po_fs_1pop_p99_s\": %.4f,"
           " \"po_fs_4pop_p50_s\": %.4f, \"po_fs_4pop_p99_s\": %.4f,"
           " \"rows_per_s_1pop\": %.0f,"
           " \"baseline\": {\"what\": \"sdb_kinship_lr row by row (the reference)\","
           " \"rows\": %ld, \"seconds\": %.3f, \"projected_s_at_n\": %.1f},"
           " \"peak_rss_mb\": %.0f}}\n",
           sdb_idx_count(x), t_sim, t_idx, sdb_idx_bytes_per_profile(x), Q, bench_pct(lat1, Q, 0.5),
           bench_pct(lat1, Q, 0.99), bench_pct(lat4, Q, 0.5), bench_pct(lat4, Q, 0.99),
           (double)sdb_idx_count(x) / bench_pct(lat1, Q, 0.5), sample, t_ref,
           t_ref * (double)sdb_idx_count(x) / (double)sample, peak_mb());
    (void)hits_total;
    sdb_profile_free(&q);
    sdb_idx_free(x);
    sdb_idx_free(xs);
    sdb_freq_free(f);
    return 0;
}

/* ---- lineage clustering --------------------------------------------------------- */

/* The lineage benchmarks' population: the n men of the last of 11
 * generations (about n men a generation, Gamma(1) family sizes, Yfiler Plus),
 * packed in s and indexed in *x. */
static int lineage_population(long n, packed *s, sdb_idx **x, double *t_sim, double *t_idx)
{
    *s = (packed){.want = n, .kind = SDB_KIND_Y};
    sdb_sim_opts o;
    sdb_sim_opts_init(&o);
    o.founders = 2 * n + n / 10;
    o.generations = 10;
    o.family_shape = 1;
    o.y_kit = "Yfiler Plus";
    o.autosomal_kit = NULL;
    o.threads = 2;
    double t0 = bench_now();
    if (simulate(s, &o)) return 1;
    *t_sim = bench_now() - t0;
    sdb_diag d;
    sdb_diag_clear(&d);
    t0 = bench_now();
    if (sdb_idx_build_source(x, sdb_catalog_default(), packed_next, packed_rewind, s, SDB_KIND_Y,
                             &d))
        return 1;
    *t_idx = bench_now() - t0;
    return 0;
}

static int bench_lineage(long n)
{
    packed s;
    sdb_idx *x;
    sdb_diag d;
    sdb_diag_clear(&d);
    double t_sim, t_idx, t0;
    if (lineage_population(n, &s, &x, &t_sim, &t_idx)) return 1;
    double rss_sim = peak_mb();
    /* the clustering runs in a fresh process from an index snapshot, as
     * strdb lineage build does, so its peak memory is its own */
    char snap[] = "/tmp/strdb-bench-lineage-XXXXXX";
    int fd = mkstemp(snap);
    if (fd < 0) return 1;
    close(fd);
    char stamp[65];
    memset(stamp, '0', 64);
    stamp[64] = '\0';
    if (sdb_idx_save(x, stamp, snap)) return 1;
    char cmd[512];
    snprintf(cmd, sizeof cmd, "%s lineage-snapshot %s", self_path, snap);
    FILE *child = popen(cmd, "r");
    char child_json[1024] = "";
    if (!child || !fgets(child_json, sizeof child_json, child) || pclose(child)) return 1;
    remove(snap);
    child_json[strcspn(child_json, "\n")] = '\0';
    sdb_lineage_opts lo;
    sdb_lineage_opts_init(&lo);
    long *comp = malloc((size_t)s.n * sizeof *comp);
    sdb_lineage_stats st;
    t0 = bench_now();
    if (sdb_lineage_cluster(x, &lo, NULL, 0, NULL, comp, &st, &d)) return 1;
    double t_cl = bench_now() - t0;
    long largest = 0, *size = calloc((size_t)s.n, sizeof *size);
    for (long r = 0; r < s.n; r++)
        if (++size[comp[r]] > largest) largest = size[comp[r]];
    /* baseline: every pair compared, on a sample */
    long sample = s.n < 5000 ? s.n : 5000;
    long keep_n = s.n;
    s.n = sample;
    s.i = 0;
    sdb_idx *xs;
    if (sdb_idx_build_source(&xs, sdb_catalog_default(), packed_next, packed_rewind, &s,
                             SDB_KIND_Y, &d))
        return 1;
    s.n = keep_n;
    t0 = bench_now();
    if (sdb_lineage_cluster_reference(xs, &lo, NULL, 0, comp, &d)) return 1;
    double t_ref = bench_now() - t0;
    double pairs_s = (double)sample * (double)sample / t_ref;
    double proj = (double)s.n * (double)s.n / pairs_s;
    printf("{\"lineage\": {\"haplotypes\": %ld, \"kit\": \"Yfiler Plus\", \"generations\": 11,"
           " \"simulate_s\": %.1f, \"index_build_s\": %.2f, \"max_loci\": %d, \"min_loci\": %d,"
           " \"distinct\": %ld, \"candidate_pairs\": %ld, \"links\": %ld, \"lineages\": %ld,"
           " \"largest\": %ld, \"cluster_s\": %.2f, \"threads\": %d,"
           " \"peak_rss_mb_with_simulator\": %.0f, \"from_snapshot\": %s,"
           " \"projected_70M_s\": %.0f,"
           " \"baseline\": {\"what\": \"every pair compared (ysearch from each row)\","
           " \"rows\": %ld, \"seconds\": %.2f, \"pairs_per_s\": %.3g, \"projected_s_at_n\": %.0f}}}\n",
           s.n, t_sim, t_idx, lo.max_loci, lo.min_loci, st.unique, st.candidates, st.links,
           st.components, largest, t_cl, lo.threads, rss_sim, child_json,
           t_cl * 7.0 * 1.1 /* n log n sorts: 7x rows, log factor ~1.1 */, sample, t_ref, pairs_s,
           proj);
    free(comp);
    free(size);
    sdb_idx_free(x);
    sdb_idx_free(xs);
    return 0;
}

/* The block join against every pair compared (sdb_ysearch from each row), on
 * N haplotypes of the same simulated population: the partitions must be equal. */
static int bench_lineage_check(long n)
{
    packed s;
    sdb_idx *x;
    sdb_diag d;
    sdb_diag_clear(&d);
    double t_sim, t_idx;
    if (lineage_population(n, &s, &x, &t_sim, &t_idx)) return 1;
    long *a = malloc((size_t)s.n * sizeof *a), *b = malloc((size_t)s.n * sizeof *b), diff = 0;
    sdb_lineage_opts lo;
    sdb_lineage_opts_init(&lo);
    sdb_lineage_stats st;
    double t0 = bench_now();
    if (sdb_lineage_cluster(x, &lo, NULL, 0, NULL, a, &st, &d)) return 1;
    double t_block = bench_now() - t0;
    t0 = bench_now();
    if (sdb_lineage_cluster_reference(x, &lo, NULL, 0, b, &d)) return 1;
    double t_ref = bench_now() - t0;
    for (long r = 0; r < s.n; r++)
        diff += a[r] != b[r];
    printf("{\"lineage_check\": {\"haplotypes\": %ld, \"lineages\": %ld, \"block_join_s\": %.2f,"
           " \"every_pair_s\": %.1f, \"rows_whose_lineage_differs\": %ld}}\n",
           s.n, st.components, t_block, t_ref, diff);
    free(a);
    free(b);
    sdb_idx_free(x);
    return diff != 0;
}

/* A lineage build in a process of its own: load the snapshot, cluster. */
static int bench_lineage_snapshot(const char *path)
{
    sdb_idx *x;
    sdb_diag d;
    sdb_diag_clear(&d);
    double t0 = bench_now();
    if (sdb_idx_load(&x, sdb_catalog_default(), path, NULL, &d)) return 1;
    double t_load = bench_now() - t0;
    long *comp = malloc((size_t)sdb_idx_count(x) * sizeof *comp);
    sdb_lineage_opts lo;
    sdb_lineage_opts_init(&lo);
    sdb_lineage_stats st;
    t0 = bench_now();
    if (!comp || sdb_lineage_cluster(x, &lo, NULL, 0, NULL, comp, &st, &d)) return 1;
    printf("{\"snapshot_load_s\": %.2f, \"cluster_s\": %.2f, \"lineages\": %ld,"
           " \"peak_rss_mb\": %.0f}\n",
           t_load, bench_now() - t0, st.components, peak_mb());
    free(comp);
    sdb_idx_free(x);
    return 0;
}

/* ---- lineage search --------------------------------------------------------------- */

static int bench_lsearch(const char *db_path, const char *queries)
{
    sdb_db *db;
    sdb_diag d;
    sdb_diag_clear(&d);
    if (sdb_db_open(&db, db_path, 0, &d)) return 1;
    sdb_idx *x;
    double t0 = bench_now();
    if (sdb_idx_build(&x, db, NULL, SDB_KIND_Y, &d)) return 1;
    double t_idx = bench_now() - t0;
    /* the probe with the default build options (checked against the build) */
    int max_loci = 2, min_loci = 10;
    sdb_yprobe *probe;
    t0 = bench_now();
    if (sdb_yprobe_build(&probe, x, max_loci, min_loci)) return 1;
    double t_probe = bench_now() - t0;
    sdb_reader *r;
    if (sdb_reader_open(&r, queries, sdb_catalog_default(), NULL, &d)) return 1;
    enum { QMAX = 200 };
    double lat[QMAX], ylat[QMAX];
    int nq = 0;
    long members = 0, leads = 0;
    sdb_profile q;
    sdb_profile_init(&q);
    while (nq < QMAX && sdb_reader_next(r, &q, &d) == SDB_OK) {
        if (q.kind != SDB_KIND_Y) continue;
        sdb_lineage_search_opts o;
        sdb_lineage_search_opts_init(&o);
        o.probe = probe;
        sdb_lineage_result res;
        t0 = bench_now();
        if (sdb_lineage_search(db, x, &q, &o, &res, &d)) return 1;
        lat[nq] = bench_now() - t0;
        if (res.max_loci != max_loci || res.min_loci != min_loci) {
            fprintf(stderr, "bench_relatives: the lineages were built with other options\n");
            return 1;
        }
        members += res.n_members;
        leads += res.n_leads;
        sdb_lineage_search_opts_init(&o);
        sdb_ysearch_opts yo;
        sdb_ysearch_opts_init(&yo);
        yo.max_loci = res.max_loci;
        yo.min_loci = res.min_loci;
        yo.threads = 2;
        sdb_lineage_result_free(&res);
        sdb_yhit *h;
        long nh;
        t0 = bench_now();
        if (sdb_ysearch(x, &q, &yo, &h, &nh, &d)) return 1;
        ylat[nq++] = bench_now() - t0;
        free(h);
    }
    sdb_reader_close(r);
    sdb_profile_free(&q);
    printf("{\"lineage_search\": {\"haplotypes\": %ld, \"index_build_s\": %.2f,"
           " \"probe_build_s\": %.2f, \"queries\": %d,"
           " \"p50_s\": %.4f, \"p99_s\": %.4f, \"mean_members\": %.1f, \"mean_leads\": %.1f,"
           " \"baseline\": {\"what\": \"ysearch scan alone within the build's limits\","
           " \"p50_s\": %.4f}, \"peak_rss_mb\": %.0f}}\n",
           sdb_idx_count(x), t_idx, t_probe, nq, nq ? bench_pct(lat, nq, 0.5) : 0, nq ? bench_pct(lat, nq, 0.99) : 0,
           nq ? (double)members / nq : 0, nq ? (double)leads / nq : 0,
           nq ? bench_pct(ylat, nq, 0.5) : 0, peak_mb());
    sdb_yprobe_free(probe);
    sdb_idx_free(x);
    sdb_db_close(db);
    return 0;
}

int main(int argc, char **argv)
{
    if (sdb_init()) return 1;
    if (argc == 3 && !strcmp(argv[1], "familial")) return bench_familial(atol(argv[2]));
    self_path = argv[0];
    if (argc == 3 && !strcmp(argv[1], "lineage")) return bench_lineage(atol(argv[2]));
    if (argc == 3 && !strcmp(argv[1], "lineage-check")) return bench_lineage_check(atol(argv[2]));
    if (argc == 3 && !strcmp(argv[1], "lineage-snapshot")) return bench_lineage_snapshot(argv[2]);
    if (argc == 4 && !strcmp(argv[1], "lsearch")) return bench_lsearch(argv[2], argv[3]);
    fprintf(stderr, "usage: bench_relatives familial N | lineage N | lineage-check N | lsearch DB QUERIES\n");
    return 2;
}
