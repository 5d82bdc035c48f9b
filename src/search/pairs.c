/* All-pairs comparison with DNAtools' semantics: per pair, m loci with the
 * same genotype and p loci sharing exactly one allele, over the loci typed
 * in both (wildcard calls count as untyped). 64-bit counters; rows split
 * between threads by a triangular schedule so each gets about the same
 * number of pairs. Rows that hold a mixture are left out (DNAtools compares
 * reference profiles). */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "index/index_internal.h"
#include "strdb/search.h"

typedef struct pair_job {
    const sdb_idx *x;
    long begin, end; /* first rows i of pairs (i, j > i) */
    int hit_m;
    uint64_t *counts;
    long *ha, *hb;
    int *hm, *hp;
    long n_hits, cap;
    int rc;
} pair_job;

static int push_pair(pair_job *j, long a, long b, int m, int p)
{
    if (j->n_hits == j->cap) {
        long cap = j->cap ? 2 * j->cap : 256;
        long *na = realloc(j->ha, (size_t)cap * sizeof *na),
             *nb = realloc(j->hb, (size_t)cap * sizeof *nb);
        if (na) j->ha = na;
        if (nb) j->hb = nb;
        int *nm = realloc(j->hm, (size_t)cap * sizeof *nm),
            *np = realloc(j->hp, (size_t)cap * sizeof *np);
        if (nm) j->hm = nm;
        if (np) j->hp = np;
        if (!na || !nb || !nm || !np) return SDB_ENOMEM;
        j->cap = cap;
    }
    j->ha[j->n_hits] = a;
    j->hb[j->n_hits] = b;
    j->hm[j->n_hits] = m;
    j->hp[j->n_hits++] = p;
    return SDB_OK;
}

/* Pair kernel: row i's genotype (a0, a1) at one locus against a block of
 * rows k: adds full matches to m[k] and one-allele matches to p[k]. Built
 * scalar (the reference) and for AVX2, chosen at run time. */
#define BLOCK 4096

static inline __attribute__((always_inline)) void pair_body(const uint8_t *restrict col, long n,
                                                            uint8_t a0, uint8_t a1,
                                                            uint8_t *restrict m,
                                                            uint8_t *restrict p)
{
    for (long r = 0; r < n; r++) {
        uint8_t b0 = col[2 * r], b1 = col[2 * r + 1];
        uint8_t typed = (uint8_t)((b0 != 0) & (b1 != SDB_IDX_WILDCARD));
        uint8_t full = (uint8_t)((a0 == b0) & (a1 == b1));
        uint8_t one = (uint8_t)((a0 == b0) | (a0 == b1) | (a1 == b0) | (a1 == b1));
        m[r] = (uint8_t)(m[r] + (typed & full));
        p[r] = (uint8_t)(p[r] + (typed & (full ^ 1) & one));
    }
}

#if defined(__GNUC__) && !defined(__clang__)
__attribute__((optimize("no-tree-vectorize")))
#endif
static void
pair_scalar(const uint8_t *restrict col, long n, uint8_t a0, uint8_t a1, uint8_t *restrict m,
            uint8_t *restrict p)
{
    pair_body(col, n, a0, a1, m, p);
}

#if defined(__x86_64__) && defined(__GNUC__)
#if !defined(__clang__)
__attribute__((optimize("O3")))
#endif
__attribute__((target("avx2"))) static void
pair_avx2(const uint8_t *restrict col, long n, uint8_t a0, uint8_t a1, uint8_t *restrict m,
          uint8_t *restrict p)
{
    pair_body(col, n, a0, a1, m, p);
}
#endif

typedef void (*pair_fn)(const uint8_t *, long, uint8_t, uint8_t, uint8_t *, uint8_t *);

/* For each row i of the job, the rows k > i in blocks: every locus row i
 * types runs the kernel over the block, then the block's (m, p) go into the
 * table. Rows holding a mixture are skipped on both sides. */
static void *pair_run(void *arg)
{
    pair_job *j = arg;
    const sdb_idx *x = j->x;
    int L = x->n_loci;
    pair_fn kernel = pair_scalar;
#if defined(__x86_64__) && defined(__GNUC__)
    if (search_use_avx2()) kernel = pair_avx2;
#endif
    uint8_t m[BLOCK], p[BLOCK];
    for (long i = j->begin; i < j->end && !j->rc; i++) {
        if (x->n_over && idx_overflow(x, i)) continue;
        long next_over = 0;
        while (next_over < x->n_over && x->over_row[next_over] <= i)
            next_over++;
        for (long b = i + 1; b < x->n && !j->rc; b += BLOCK) {
            long n = x->n - b < BLOCK ? x->n - b : BLOCK;
            memset(m, 0, (size_t)n);
            memset(p, 0, (size_t)n);
            for (int l = 0; l < L; l++) {
                const uint8_t *a = x->col[l] + 2 * i;
                if (!a[0] || a[1] == SDB_IDX_WILDCARD) continue;
                kernel(x->col[l] + 2 * b, n, a[0], a[1], m, p);
            }
            for (long r = 0; r < n; r++) {
                if (next_over < x->n_over && x->over_row[next_over] == b + r) {
                    next_over++;
                    continue;
                }
                j->counts[m[r] * (L + 1) + p[r]]++;
                if (j->hit_m >= 0 && m[r] >= j->hit_m &&
                    (j->rc = push_pair(j, i, b + r, m[r], p[r])))
                    break;
            }
        }
    }
    return NULL;
}

void sdb_pairs_free(sdb_pairs_result *r)
{
    free(r->counts);
    free(r->hit_a);
    free(r->hit_b);
    free(r->hit_m);
    free(r->hit_p);
    memset(r, 0, sizeof *r);
}

typedef struct pair_hit {
    long a, b; /* input positions, a < b */
    long ra, rb;
    int m, p;
} pair_hit;

static int cmp_pair_hit(const void *x, const void *y)
{
    const pair_hit *u = x, *v = y;
    if (u->a != v->a) return u->a < v->a ? -1 : 1;
    return (u->b > v->b) - (u->b < v->b);
}

/* Merges the threads' hit lists into out, in the order of the input (the
 * rows of an autosomal index are in search order, not input order): each
 * pair (a, b) with a read before b, pairs by a then b. */
static int merge_hits(const sdb_idx *x, pair_job *jobs, int t, sdb_pairs_result *out)
{
    long n = 0;
    for (int k = 0; k < t; k++)
        n += jobs[k].n_hits;
    out->hit_a = malloc((size_t)(n + 1) * sizeof *out->hit_a);
    out->hit_b = malloc((size_t)(n + 1) * sizeof *out->hit_b);
    out->hit_m = malloc((size_t)(n + 1) * sizeof *out->hit_m);
    out->hit_p = malloc((size_t)(n + 1) * sizeof *out->hit_p);
    if (!out->hit_a || !out->hit_b || !out->hit_m || !out->hit_p) return SDB_ENOMEM;
    for (int k = 0; k < t; k++)
        for (long i = 0; i < jobs[k].n_hits; i++) {
            out->hit_a[out->n_hits] = jobs[k].ha[i];
            out->hit_b[out->n_hits] = jobs[k].hb[i];
            out->hit_m[out->n_hits] = jobs[k].hm[i];
            out->hit_p[out->n_hits++] = jobs[k].hp[i];
        }
    pair_hit *h = malloc((size_t)(n + 1) * sizeof *h);
    if (!h) return SDB_ENOMEM;
    for (long i = 0; i < n; i++) {
        long a = out->hit_a[i], b = out->hit_b[i];
        long ia = sdb_idx_input_row(x, a), ib = sdb_idx_input_row(x, b);
        h[i] = ia < ib ? (pair_hit){ia, ib, a, b, out->hit_m[i], out->hit_p[i]}
                       : (pair_hit){ib, ia, b, a, out->hit_m[i], out->hit_p[i]};
    }
    if (n > 1) qsort(h, (size_t)n, sizeof *h, cmp_pair_hit);
    for (long i = 0; i < n; i++) {
        out->hit_a[i] = h[i].ra;
        out->hit_b[i] = h[i].rb;
        out->hit_m[i] = h[i].m;
        out->hit_p[i] = h[i].p;
    }
    free(h);
    return SDB_OK;
}

int sdb_pairs(const sdb_idx *x, int hit_m, int threads, sdb_pairs_result *out)
{
    memset(out, 0, sizeof *out);
    if (x->kind != SDB_KIND_AUTOSOMAL) return SDB_EINVAL;
    int t = threads < 1 ? 1 : threads > 64 ? 64 : threads, L = x->n_loci, started[64] = {0};
    size_t cells = (size_t)(L + 1) * (size_t)(L + 1);
    pair_job jobs[64];
    pthread_t th[64];
    out->n_loci = L;
    if (!(out->counts = calloc(cells, sizeof *out->counts))) return SDB_ENOMEM;
    /* row i starts n-1-i pairs: cut the triangle into t equal areas */
    double total = (double)x->n * (double)(x->n - 1) / 2, done = 0;
    long row = 0;
    for (int k = 0; k < t; k++) {
        jobs[k] = (pair_job){.x = x,
                             .begin = row,
                             .end = row,
                             .hit_m = hit_m,
                             .counts = calloc(cells, sizeof(uint64_t))};
        double target = total * (k + 1) / t;
        while (jobs[k].end < x->n && (k == t - 1 || done < target))
            done += (double)(x->n - 1 - jobs[k].end++);
        row = jobs[k].end;
        if (!jobs[k].counts)
            jobs[k].rc = SDB_ENOMEM;
        else if (k > 0)
            started[k] = pthread_create(&th[k], NULL, pair_run, &jobs[k]) == 0;
    }
    for (int k = 0; k < t; k++)
        if (!started[k] && jobs[k].counts) pair_run(&jobs[k]);
    int rc = SDB_OK;
    for (int k = 0; k < t; k++) {
        if (started[k]) pthread_join(th[k], NULL);
        if (jobs[k].rc) rc = jobs[k].rc;
        for (size_t c = 0; jobs[k].counts && c < cells; c++)
            out->counts[c] += jobs[k].counts[c];
    }
    for (size_t c = 0; c < cells; c++)
        out->pairs += out->counts[c];
    if (!rc) rc = merge_hits(x, jobs, t, out);
    for (int k = 0; k < t; k++) {
        free(jobs[k].counts);
        free(jobs[k].ha);
        free(jobs[k].hb);
        free(jobs[k].hm);
        free(jobs[k].hp);
    }
    if (rc) sdb_pairs_free(out);
    return rc;
}
