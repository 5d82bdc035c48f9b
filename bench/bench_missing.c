/* Missing-person search benchmark (issue 14). Prints one JSON object.
 *
 *   bench_missing F R [threads]
 *
 * F simulated families (five shapes at random, CODIS 20, NIST 1036 Cauc)
 * and R remains, half of them the found missing persons of the families
 * (each locus lost with probability 0.1), half unrelated. The whole
 * forward search (every remains against every missing person, both rankings:
 * best per remains and best per family) is timed; then one remains against
 * all families and one family against all remains (latency percentiles);
 * the baseline, per-pair peeling (sdb_pedlik_mp_lr per pair and locus), on a
 * sample of families x remains in the same run, projected to F x R, with
 * the fast path on the same sample (largest difference in log10 LR); and
 * the recall of the true family at rank 1 by pedigree shape, without and
 * (on F/10 families) with mutation (simulated 0.002 one-step, searched with
 * the equal model at 0.002). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "bench.h"
#include "engine_internal.h"

static sdb_freq *freq;
static int cauc;

static int simulate(long f, long r, double mutation, sdb_sim_mp *m)
{
    sdb_sim_mp_opts o;
    sdb_sim_mp_opts_init(&o);
    o.seed = 7;
    o.families = f;
    o.found = (double)r / 2 / (double)f > 1 ? 1 : (double)r / 2 / (double)f;
    o.unrelated = r - (long)(o.found * (double)f);
    o.freq = freq;
    o.pop = cauc;
    o.mutation = mutation;
    sdb_diag d;
    int rc = sdb_sim_missing(sdb_catalog_default(), &o, m, &d);
    if (rc) fprintf(stderr, "simulate: %s\n", d.reason);
    return rc;
}

/* Recall at rank 1 by shape: the best hit of each related remains is its
 * family and missing person. */
static void recall(const sdb_sim_mp *m, const sdb_mp_result *r, const char *key, FILE *out)
{
    long n[8] = {0}, hit[8] = {0};
    for (long i = 0; i < r->n_by_remains; i++) {
        const sdb_mp_hit *h = &r->by_remains[i];
        if (i && r->by_remains[i - 1].remains == h->remains) continue;
        long f = m->truth_family[h->remains];
        if (f < 0) continue;
        hit[m->shape[f]] += h->family == f && h->person == m->truth_person[h->remains];
    }
    for (long x = 0; x < m->n_remains; x++)
        if (m->truth_family[x] >= 0) n[m->shape[m->truth_family[x]]]++;
    fprintf(out, ", \"%s\": {", key);
    for (int s = 0; sdb_sim_mp_shape(s); s++)
        fprintf(out, "%s\"%s\": {\"remains\": %ld, \"rank1\": %ld, \"recall\": %.4f}", s ? ", " : "",
                sdb_sim_mp_shape(s), n[s], hit[s], n[s] ? (double)hit[s] / (double)n[s] : 0);
    fprintf(out, "}");
}

static int run(sdb_mp_family *fams, long nf, const sdb_profile *rem, long nr,
               const sdb_mp_opts *o, sdb_mp_result *r, double *secs)
{
    sdb_diag d;
    double t0 = bench_now();
    int rc = sdb_mp_search(fams, (int)nf, rem, nr, freq, cauc, o, r, &d);
    *secs = bench_now() - t0;
    if (rc) fprintf(stderr, "search: %s\n", d.reason);
    return rc;
}

int main(int argc, char **argv)
{
    long F = argc > 1 ? atol(argv[1]) : 100000, R = argc > 2 ? atol(argv[2]) : 10000;
    int threads = argc > 3 ? atoi(argv[3]) : 2;
    if (sdb_init() || sdb_freq_builtin_nist1036(&freq, sdb_catalog_default())) return 1;
    cauc = sdb_freq_find_population(freq, "Cauc");
    sdb_sim_mp m;
    double t0 = bench_now();
    if (simulate(F, R, 0, &m)) return 1;
    double t_sim = bench_now() - t0;
    fprintf(stderr, "[bench] %ld families, %ld remains simulated in %.1f s\n", m.n_families,
            m.n_remains, t_sim);
    sdb_mp_opts o;
    sdb_mp_opts_init(&o);
    o.threads = threads;
    o.top = 10;
    sdb_mp_result full;
    double t_full;
    if (run(m.families, m.n_families, m.remains, m.n_remains, &o, &full, &t_full)) return 1;
    fprintf(stderr, "[bench] forward search: %.1f s\n", t_full);
    /* one remains against all families; one family against all remains */
    double lat_r[5], lat_f[50];
    for (int i = 0; i < 5; i++) {
        sdb_mp_result r;
        if (run(m.families, m.n_families, &m.remains[(long)i * m.n_remains / 5], 1, &o, &r,
                &lat_r[i]))
            return 1;
        sdb_mp_result_free(&r);
    }
    for (int i = 0; i < 50; i++) {
        sdb_mp_result r;
        if (run(&m.families[(long)i * m.n_families / 50], 1, m.remains, m.n_remains, &o, &r,
                &lat_f[i]))
            return 1;
        sdb_mp_result_free(&r);
    }
    /* baseline: per-pair peeling on a sample, and the fast path on it */
    long sf = F < 20 ? F : 20, sr = m.n_remains < 500 ? m.n_remains : 500;
    sdb_mp_opts po = o;
    po.per_pair = 1;
    po.top = (int)(sr * 2);
    po.min_lr = 0;
    sdb_mp_result slow, fast;
    double t_slow, t_fast;
    if (run(m.families, sf, m.remains, sr, &po, &slow, &t_slow)) return 1;
    po.per_pair = 0;
    if (run(m.families, sf, m.remains, sr, &po, &fast, &t_fast)) return 1;
    double maxdiff = 0, *want = malloc((size_t)(sf * 8 * sr) * sizeof *want);
    long same = fast.n_by_family == slow.n_by_family && want;
    for (long i = 0; same && i < sf * 8 * sr; i++)
        want[i] = NAN;
    for (long i = 0; same && i < slow.n_by_family; i++) {
        const sdb_mp_hit *b = &slow.by_family[i];
        want[((long)b->family * 8 + b->person) * sr + b->remains] = b->log10_lr;
    }
    for (long i = 0; same && i < fast.n_by_family; i++) {
        const sdb_mp_hit *a = &fast.by_family[i];
        double w = want[((long)a->family * 8 + a->person) * sr + a->remains];
        if (isnan(w) || isfinite(w) != isfinite(a->log10_lr))
            same = 0;
        else if (isfinite(w) && fabs(w - a->log10_lr) > maxdiff)
            maxdiff = fabs(w - a->log10_lr);
    }
    free(want);
    double pair_rate = (double)slow.pairs / t_slow;
    double projected = (double)full.pairs / pair_rate;
    printf("{\"bench\": \"missing_persons\", \"threads\": %d, \"families\": %ld, \"remains\": %ld,"
           " \"pairs\": %lld, \"forward_search_s\": %.2f, \"pairs_per_s\": %.4g,"
           " \"fallback_loci\": %ld, \"simulate_s\": %.2f, \"peak_rss_mb\": %.1f,"
           " \"one_remains_vs_all_families_ms\": {\"p50\": %.1f, \"p99\": %.1f},"
           " \"one_family_vs_all_remains_ms\": {\"p50\": %.2f, \"p99\": %.2f},"
           " \"baseline_per_pair\": {\"sample_pairs\": %lld, \"seconds\": %.2f, \"pairs_per_s\":"
           " %.4g, \"projected_full_s\": %.4g, \"fast_same_sample_s\": %.3f, \"same_ranking\": %s,"
           " \"max_abs_diff_log10\": %.3g}, \"speedup_vs_per_pair\": %.1f",
           threads, m.n_families, m.n_remains, full.pairs, t_full, (double)full.pairs / t_full,
           full.fallback_loci, t_sim, (double)bench_peak_rss_kb() / 1024, bench_pct(lat_r, 5, 0.5) * 1e3,
           bench_pct(lat_r, 5, 0.99) * 1e3, bench_pct(lat_f, 50, 0.5) * 1e3,
           bench_pct(lat_f, 50, 0.99) * 1e3, slow.pairs, t_slow, pair_rate, projected, t_fast,
           same ? "true" : "false", maxdiff, projected / t_full);
    recall(&m, &full, "recall_no_mutation", stdout);
    sdb_mp_result_free(&full);
    sdb_mp_result_free(&slow);
    sdb_mp_result_free(&fast);
    sdb_sim_mp_free(&m);
    /* with mutation: a tenth of the families */
    if (simulate(F / 10 > 0 ? F / 10 : 1, R / 5 > 0 ? R / 5 : 1, 0.002, &m)) return 1;
    o.model.male.kind = o.model.female.kind = SDB_MUT_EQUAL;
    o.model.male.rate = o.model.female.rate = 0.002;
    double t_mut;
    if (run(m.families, m.n_families, m.remains, m.n_remains, &o, &full, &t_mut)) return 1;
    printf(", \"mutation_run\": {\"families\": %ld, \"remains\": %ld, \"seconds\": %.2f}",
           m.n_families, m.n_remains, t_mut);
    recall(&m, &full, "recall_mutation_equal_0.002", stdout);
    printf("}\n");
    sdb_mp_result_free(&full);
    sdb_sim_mp_free(&m);
    sdb_freq_free(freq);
    return 0;
}
