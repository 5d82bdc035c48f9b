/* Familial search: per-locus log10 LR tables over the index's dictionary
 * genotypes, one gather-add per locus per row, top-N per thread, merged. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "index/index_internal.h"
#include "strdb/familial.h"

#define BLOCK 256 /* rows accumulated together (acc stays in L1) */

typedef float v4f __attribute__((vector_size(16)));

void sdb_familial_opts_init(sdb_familial_opts *o)
{
    memset(o, 0, sizeof *o);
    o->rels[0] = SDB_REL_PO;
    o->rels[1] = SDB_REL_FS;
    o->n_rels = 2;
    sdb_mutation_init(&o->mutation);
    o->top = 100;
    o->min_loci = 8;
    o->threads = 2;
}

/* The prepared query: loci used and their tables. Lane r * n_pops + p holds
 * log10 LR of relationship r in population p; the last used lane counts the
 * locus (1) when the reference is typed there. */
typedef struct plan {
    int n_used, used[SDB_IDX_MAX_LOCI]; /* index loci */
    int stride[SDB_IDX_MAX_LOCI];       /* dictionary size + 1 */
    float *table[SDB_IDX_MAX_LOCI];     /* stride^2 entries of `lanes` floats */
    int lanes, count_lane;              /* lanes: a multiple of 4 */
} plan;

static void plan_free(plan *pl)
{
    for (int u = 0; u < pl->n_used; u++)
        free(pl->table[u]);
}

static const sdb_mutation *mutation_for(const sdb_familial_opts *o, sdb_relationship r)
{
    return r == SDB_REL_PO && o->mutation.kind != SDB_MUT_NONE ? &o->mutation : NULL;
}

/* The query's usable loci: autosomal, in the index, two known alleles, and
 * in every population's table. */
static int usable(const sdb_idx *x, const sdb_familial_opts *o, const sdb_profile *q, int k,
                  sdb_allele a[2])
{
    const sdb_call *c = sdb_profile_call(q, x->locus[k]);
    if (!c || c->n < 1 || c->n > 2) return 0;
    a[0] = q->alleles[c->first];
    a[1] = q->alleles[c->first + c->n - 1];
    if (a[0] == SDB_ALLELE_ANY || a[1] == SDB_ALLELE_ANY) return 0;
    for (int p = 0; p < o->n_pops; p++)
        if (sdb_freq_locus_alleles(o->freq, o->pops[p], x->locus[k]) <= 0) return 0;
    return 1;
}

static int check_opts(const sdb_idx *x, const sdb_familial_opts *o, sdb_diag *d)
{
    if (sdb_idx_kind(x) != SDB_KIND_AUTOSOMAL) {
        sdb_diag_set(d, NULL, 0, NULL, "familial search needs an autosomal index");
        return SDB_EINVAL;
    }
    if (o->n_rels < 1 || o->n_rels > SDB_FAMILIAL_MAX_REL || o->n_pops < 1 ||
        o->n_pops > SDB_FAMILIAL_MAX_POP || !o->freq) {
        sdb_diag_set(d, NULL, 0, NULL, "1 to 6 relationships and 1 to 8 populations");
        return SDB_EINVAL;
    }
    return SDB_OK;
}

static int build_plan(const sdb_idx *x, const sdb_profile *q, const sdb_familial_opts *o, plan *pl,
                      sdb_diag *d)
{
    memset(pl, 0, sizeof *pl);
    int rp = o->n_rels * o->n_pops;
    pl->count_lane = rp;
    pl->lanes = (rp + 1 + 3) / 4 * 4;
    for (int k = 0; k < x->n_loci; k++) {
        sdb_allele qa[2];
        if (!usable(x, o, q, k, qa)) continue;
        int s = x->n_codes[k] + 1, u = pl->n_used;
        float *t = calloc((size_t)s * (size_t)s * (size_t)pl->lanes, sizeof *t);
        if (!t) return SDB_ENOMEM;
        pl->used[u] = k;
        pl->stride[u] = s;
        pl->table[u] = t;
        pl->n_used++;
        for (int i = 1; i < s; i++)
            for (int j = i; j < s; j++) {
                sdb_allele rb[2] = {x->code[k][i], x->code[k][j]};
                float *e = t + ((size_t)i * (size_t)s + (size_t)j) * (size_t)pl->lanes;
                for (int r = 0; r < o->n_rels; r++)
                    for (int p = 0; p < o->n_pops; p++) {
                        double lr;
                        int rc = sdb_kinship_locus_lr(o->freq, o->pops[p], o->rels[r],
                                                      x->locus[k], qa, rb, o->theta,
                                                      mutation_for(o, o->rels[r]), &lr, d);
                        if (rc) return rc;
                        e[r * o->n_pops + p] = lr > 0 ? (float)log10(lr) : -INFINITY;
                    }
                e[pl->count_lane] = 1.0f;
                memcpy(t + ((size_t)j * (size_t)s + (size_t)i) * (size_t)pl->lanes, e,
                       (size_t)pl->lanes * sizeof *e);
            }
    }
    if (!pl->n_used) {
        sdb_diag_set(d, NULL, 0, NULL,
                     "the query has no locus typed with two known alleles that the index and "
                     "every population's table hold");
        return SDB_EINVAL;
    }
    return SDB_OK;
}

/* ---- the scan ---------------------------------------------------------------- */

typedef struct heap {
    sdb_familial_hit *v;
    long n, cap;
} heap;

/* a ranks before b: higher score, then lower row */
static int better(const sdb_familial_hit *a, const sdb_familial_hit *b)
{
    if (a->score != b->score) return a->score > b->score;
    return a->target < b->target;
}

/* Min-heap on rank (the root is the worst kept). */
static void heap_push(heap *h, const sdb_familial_hit *hit)
{
    if (h->n == h->cap) {
        if (!h->cap || !better(hit, &h->v[0])) return;
        long i = 0; /* replace the root and sift down */
        for (;;) {
            long c = 2 * i + 1;
            if (c >= h->n) break;
            if (c + 1 < h->n && better(&h->v[c], &h->v[c + 1])) c++;
            if (better(hit, &h->v[c])) {
                h->v[i] = h->v[c];
                i = c;
            } else
                break;
        }
        h->v[i] = *hit;
        return;
    }
    long i = h->n++;
    while (i > 0 && better(&h->v[(i - 1) / 2], hit)) {
        h->v[i] = h->v[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    h->v[i] = *hit;
}

typedef struct job {
    const sdb_idx *x;
    const sdb_familial_opts *o;
    const plan *pl;
    long lo, hi, skipped;
    heap h;
} job;

/* acc[r][lanes] += table[locus][genotype of r]: lanes/4 vector adds. */
static inline __attribute__((always_inline)) void
add_locus(const uint8_t *restrict col, long n, const float *restrict t, int s, int vecs,
          v4f *restrict acc)
{
    for (long r = 0; r < n; r++) {
        unsigned i = col[2 * r], j = col[2 * r + 1];
        i = i == SDB_IDX_WILDCARD ? 0 : i;
        j = j == SDB_IDX_WILDCARD ? 0 : j;
        const v4f *e = (const v4f *)(const void *)(t + (size_t)(i * (unsigned)s + j) * 4 * (size_t)vecs);
        for (int v = 0; v < vecs; v++)
            acc[r * vecs + v] += e[v];
    }
}

static void add_any(const uint8_t *col, long n, const float *t, int s, int vecs, v4f *acc)
{
    switch (vecs) { /* constant trip counts for the common widths */
    case 1: add_locus(col, n, t, s, 1, acc); break;
    case 2: add_locus(col, n, t, s, 2, acc); break;
    case 3: add_locus(col, n, t, s, 3, acc); break;
    case 4: add_locus(col, n, t, s, 4, acc); break;
    default: add_locus(col, n, t, s, vecs, acc);
    }
}

static void score_row(const sdb_familial_opts *o, const float *lane, long row,
                      sdb_familial_hit *h)
{
    h->target = row;
    h->compared = (int)lane[o->n_rels * o->n_pops];
    h->best = 0;
    for (int r = 0; r < o->n_rels; r++) {
        float m = lane[r * o->n_pops];
        for (int p = 1; p < o->n_pops; p++)
            m = lane[r * o->n_pops + p] < m ? lane[r * o->n_pops + p] : m;
        h->log10_lr[r] = m;
        if (m > h->log10_lr[h->best]) h->best = r;
    }
    h->score = h->log10_lr[h->best];
}

static void *scan(void *arg)
{
    job *j = arg;
    const sdb_idx *x = j->x;
    const plan *pl = j->pl;
    int vecs = pl->lanes / 4;
    v4f *acc = aligned_alloc(64, (size_t)BLOCK * (size_t)vecs * sizeof(v4f));
    if (!acc) return (void *)1;
    long over = 0; /* next overflow row at or after the block */
    while (over < x->n_over && x->over_row[over] < j->lo)
        over++;
    for (long b = j->lo; b < j->hi; b += BLOCK) {
        long n = j->hi - b < BLOCK ? j->hi - b : BLOCK;
        memset(acc, 0, (size_t)n * (size_t)vecs * sizeof(v4f));
        for (int u = 0; u < pl->n_used; u++) {
            int k = pl->used[u];
            add_any(x->col[k] + 2 * (size_t)b, n, pl->table[u], pl->stride[u], vecs, acc);
        }
        for (long i = 0; i < n; i++) {
            if (over < x->n_over && x->over_row[over] == b + i) {
                over++;
                j->skipped++;
                continue;
            }
            const float *lane = (const float *)(const void *)&acc[i * vecs];
            if ((int)lane[pl->count_lane] < j->o->min_loci) continue;
            sdb_familial_hit h;
            score_row(j->o, lane, b + i, &h);
            heap_push(&j->h, &h);
        }
    }
    free(acc);
    return NULL;
}

/* A scan that could not allocate its heap fails the search. */
static int scan_part(void *jobs, int k)
{
    return scan(&((job *)jobs)[k]) ? SDB_ENOMEM : SDB_OK;
}

static int cmp_rank(const void *a, const void *b)
{
    return better(a, b) ? -1 : better(b, a) ? 1 : 0;
}

int sdb_familial(const sdb_idx *x, const sdb_profile *query, const sdb_familial_opts *o,
                 sdb_familial_hit **hits, long *n_hits, long *skipped, int *loci_used,
                 sdb_diag *d)
{
    *hits = NULL;
    *n_hits = *skipped = 0;
    *loci_used = 0;
    int rc = check_opts(x, o, d);
    if (rc || x->n == 0) return rc; /* an empty index: no candidates */
    plan pl;
    rc = build_plan(x, query, o, &pl, d);
    if (rc) {
        plan_free(&pl);
        return rc;
    }
    *loci_used = pl.n_used;
    int t = o->threads < 1 ? 1 : o->threads > SDB_MAX_THREADS ? SDB_MAX_THREADS : o->threads;
    long top = o->top < 0 ? 0 : o->top;
    job jobs[SDB_MAX_THREADS];
    for (int k = 0; k < t; k++) {
        jobs[k] = (job){x, o, &pl, x->n * k / t, x->n * (k + 1) / t, 0, {NULL, 0, top}};
        if (top && !(jobs[k].h.v = malloc((size_t)top * sizeof *jobs[k].h.v))) rc = SDB_ENOMEM;
    }
    if (!rc) rc = sdb_parallel_for(t, scan_part, jobs);
    heap all = {NULL, 0, top};
    if (!rc && top && !(all.v = malloc((size_t)top * sizeof *all.v))) rc = SDB_ENOMEM;
    for (int k = 0; k < t; k++) {
        for (long i = 0; !rc && i < jobs[k].h.n; i++)
            heap_push(&all, &jobs[k].h.v[i]);
        *skipped += jobs[k].skipped;
        free(jobs[k].h.v);
    }
    plan_free(&pl);
    if (rc) {
        free(all.v);
        return rc;
    }
    if (all.n > 1) qsort(all.v, (size_t)all.n, sizeof *all.v, cmp_rank);
    *hits = all.v;
    *n_hits = all.n;
    return SDB_OK;
}

/* ---- the brute-force reference ------------------------------------------------- */

int sdb_familial_reference(const sdb_idx *x, const sdb_profile *query, const sdb_familial_opts *o,
                           sdb_familial_hit **hits, long *n_hits, sdb_diag *d)
{
    *hits = NULL;
    *n_hits = 0;
    int rc = check_opts(x, o, d);
    if (rc) return rc;
    /* the query restricted to the usable loci */
    sdb_profile q, t;
    sdb_profile_init(&q);
    sdb_profile_init(&t);
    for (int k = 0; k < x->n_loci && !rc; k++) {
        sdb_allele a[2];
        if (!usable(x, o, query, k, a)) continue;
        const sdb_locus *l = sdb_catalog_by_id(x->cat, x->locus[k]);
        rc = sdb_profile_add(&q, l, a[0]);
        if (!rc && a[1] != a[0]) rc = sdb_profile_add(&q, l, a[1]);
    }
    if (!rc) rc = sdb_profile_finish(&q, x->cat);
    sdb_familial_hit *v = x->n ? malloc((size_t)x->n * sizeof *v) : NULL;
    sdb_locus_stat st[SDB_IDX_MAX_LOCI];
    long n = 0;
    if (x->n && !v) rc = SDB_ENOMEM;
    for (long r = 0; r < x->n && !rc; r++) {
        if (x->n_over && sdb_idx_overflow(x, r)) continue;
        rc = sdb_idx_profile(x, r, &t);
        sdb_familial_hit h = {r, 0, {0}, 0, 0};
        for (int i = 0; i < q.n_calls; i++) {
            const sdb_call *c = sdb_profile_call(&t, q.calls[i].locus);
            int wild = 0;
            for (uint32_t j = 0; c && j < c->n; j++)
                wild |= t.alleles[c->first + j] == SDB_ALLELE_ANY;
            h.compared += c && !wild;
        }
        for (int ri = 0; ri < o->n_rels && !rc; ri++) {
            double m = INFINITY;
            for (int p = 0; p < o->n_pops && !rc; p++) {
                int n_out;
                double total = 0;
                rc = sdb_kinship_lr(o->freq, o->pops[p], o->rels[ri], &q, &t, o->theta,
                                    mutation_for(o, o->rels[ri]), st, &n_out, &total, d);
                double lg = total > 0 ? log10(total) : -INFINITY;
                m = lg < m ? lg : m;
            }
            h.log10_lr[ri] = m;
            if (m > h.log10_lr[h.best]) h.best = ri;
        }
        h.score = h.log10_lr[h.best];
        if (!rc && h.compared >= o->min_loci) v[n++] = h;
    }
    sdb_profile_free(&q);
    sdb_profile_free(&t);
    if (rc) {
        free(v);
        return rc;
    }
    if (n > 1) qsort(v, (size_t)n, sizeof *v, cmp_rank);
    if (n > o->top) n = o->top;
    *hits = v;
    *n_hits = n;
    return SDB_OK;
}
