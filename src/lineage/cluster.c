/* Lineage clustering: pigeonhole block join over groups of haplotypes that
 * type the same loci, union-find over the links. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "index/index_internal.h"
#include "strdb/lineage.h"
#include "strdb/search.h"

void sdb_lineage_opts_init(sdb_lineage_opts *o)
{
    o->max_loci = 2;
    o->max_steps = -1;
    o->min_loci = 10;
    o->threads = 2;
}

/* ---- union-find (by size, path halving) --------------------------------------- */

static long uf_find(long *parent, long a)
{
    while (parent[a] != a) {
        parent[a] = parent[parent[a]];
        a = parent[a];
    }
    return a;
}

/* Joins the sets of a and b; the root is always the smaller row, so the
 * final labels need no extra pass to be "smallest row". */
static int uf_union(long *parent, long a, long b)
{
    a = uf_find(parent, a);
    b = uf_find(parent, b);
    if (a == b) return 0;
    if (a < b)
        parent[b] = a;
    else
        parent[a] = b;
    return 1;
}

/* ---- the pair test -------------------------------------------------------------- */

/* 1 when rows a and b are linked: at least min_loci typed in both, at most
 * max_loci of them differ, by at most max_steps steps. */
static int linked(const sdb_idx *x, const sdb_lineage_opts *o, long a, long b)
{
    const sdb_profile *oa = x->n_over ? sdb_idx_overflow(x, a) : NULL;
    const sdb_profile *ob = x->n_over ? sdb_idx_overflow(x, b) : NULL;
    int compared = 0, differing = 0, steps = 0;
    for (int k = 0; k < x->n_loci; k++) {
        const uint8_t *sa = idx_slot(x, a, k), *sb = idx_slot(x, b, k);
        if (sa[0] == SDB_IDX_UNTYPED || sb[0] == SDB_IDX_UNTYPED) continue;
        compared++;
        int differs = 0, st = 0;
        if (!oa && !ob) {
            for (int c = 0; c < x->width[k]; c++) {
                int diff = sa[c] - sb[c];
                differs |= diff != 0;
                st += diff < 0 ? -diff : diff;
            }
        } else {
            sdb_allele va[64], vb[64];
            int na = sdb_idx_y_alleles(x, a, k, oa, va), nb = sdb_idx_y_alleles(x, b, k, ob, vb);
            sdb_idx_y_compare(va, na, vb, nb, &differs, &st);
        }
        differing += differs;
        steps += st;
        if (differing > o->max_loci) return 0;
    }
    return compared >= o->min_loci && (o->max_steps < 0 || steps <= o->max_steps);
}

/* ---- keys (block keys: index/index_internal.h) ---------------------------------- */

static int same_slots(const sdb_idx *x, long a, long b, uint64_t mask)
{
    for (int k = 0; k < x->n_loci; k++)
        if (mask >> k & 1 && memcmp(idx_slot(x, a, k), idx_slot(x, b, k), (size_t)x->width[k]))
            return 0;
    return 1;
}

typedef struct entry {
    uint64_t key;
    long row;
} entry;

/* LSD radix sort of entries by key (8 passes of 8 bits); tmp as large as e. */
static void sort_entries(entry *e, entry *tmp, long n)
{
    for (int shift = 0; shift < 64; shift += 8) {
        long count[257] = {0};
        for (long i = 0; i < n; i++)
            count[(e[i].key >> shift & 255) + 1]++;
        if (count[(e[0].key >> shift & 255) + 1] == n) continue; /* one bucket: nothing to do */
        for (int b = 0; b < 256; b++)
            count[b + 1] += count[b];
        for (long i = 0; i < n; i++)
            tmp[count[e[i].key >> shift & 255]++] = e[i];
        memcpy(e, tmp, (size_t)n * sizeof *e);
    }
}

/* ---- groups of rows typing the same loci ---------------------------------------- */

typedef struct group {
    uint64_t mask;
    long *rows; /* distinct haplotypes (representatives) */
    long n;
    uint8_t *fresh; /* per representative: some row it stands for is fresh */
} group;

typedef struct ctx {
    const sdb_idx *x;
    const sdb_lineage_opts *o;
    long *parent;
    pthread_mutex_t lock;
    long candidates, links;
} ctx;

/* Links the representatives of groups g and h (g == h: within one group)
 * with the block join over the loci both type. The blocks take the loci in
 * turn (locus i into block i mod (K + 1)), so each mixes fast and slow loci. */
static int join(ctx *c, const group *g, const group *h, int b, entry *e, entry *tmp)
{
    const sdb_idx *x = c->x;
    uint64_t inter = g->mask & h->mask;
    int n_loci = __builtin_popcountll(inter), nb = c->o->max_loci + 1;
    if (nb > n_loci) nb = n_loci;
    if (n_loci < c->o->min_loci || b >= nb) return 0;
    uint64_t block[65] = {0};
    for (int k = 0, i = 0; k < x->n_loci; k++)
        if (inter >> k & 1) block[i++ % nb] |= 1ULL << k;
    long n = g->n + (g == h ? 0 : h->n);
    long cand = 0, links = 0;
    {
        for (long i = 0; i < g->n; i++)
            e[i] = (entry){idx_block_key(x, g->rows[i], block[b]) & ~1ULL, i};
        if (g != h)
            for (long i = 0; i < h->n; i++) /* the lowest key bit says which group */
                e[g->n + i] = (entry){idx_block_key(x, h->rows[i], block[b]) | 1ULL, i};
        sort_entries(e, tmp, n);
        for (long s = 0; s < n;) {
            long t = s;
            while (t < n && (e[t].key | 1ULL) == (e[s].key | 1ULL))
                t++;
            for (long i = s; i < t; i++) {
                int gi = !(e[i].key & 1);
                if (g != h && !gi) continue;
                long ra = g->rows[e[i].row];
                int fa = g->fresh ? g->fresh[e[i].row] : 1;
                for (long j = g == h ? i + 1 : s; j < t; j++) {
                    if (g != h && !(e[j].key & 1)) continue;
                    const group *hj = g == h ? g : h;
                    long rb = hj->rows[e[j].row];
                    if (!fa && !(hj->fresh ? hj->fresh[e[j].row] : 1)) continue;
                    /* an earlier block on which both agree has seen the pair */
                    int seen = 0;
                    for (int p = 0; p < b && !seen; p++)
                        seen = same_slots(x, ra, rb, block[p]);
                    if (seen || !same_slots(x, ra, rb, block[b])) continue;
                    cand++;
                    if (!linked(x, c->o, ra, rb)) continue;
                    links++;
                    pthread_mutex_lock(&c->lock);
                    uf_union(c->parent, ra, rb);
                    pthread_mutex_unlock(&c->lock);
                }
            }
            s = t;
        }
    }
    pthread_mutex_lock(&c->lock);
    c->candidates += cand;
    c->links += links;
    pthread_mutex_unlock(&c->lock);
    return 0;
}

/* Work list: (pair of groups, block), handed out to threads in turn. */
typedef struct work {
    ctx *c;
    group *gs;
    int n_groups;
    long next; /* pair counter, under c->lock */
    entry *e[SDB_MAX_THREADS], *tmp[SDB_MAX_THREADS];
} work;

typedef struct worker {
    work *w;
    int id;
} worker;

static void *run_worker(void *arg)
{
    worker *wk = arg;
    work *w = wk->w;
    int nb = w->c->o->max_loci + 1;
    long n_items = (long)w->n_groups * (w->n_groups + 1) / 2 * nb;
    for (;;) {
        pthread_mutex_lock(&w->c->lock);
        long p = w->next++;
        pthread_mutex_unlock(&w->c->lock);
        if (p >= n_items) break;
        int b = (int)(p % nb);
        p /= nb;
        int g = 0; /* pair p -> (g, h) with g <= h */
        while (p >= w->n_groups - g) {
            p -= w->n_groups - g;
            g++;
        }
        join(w->c, &w->gs[g], &w->gs[g + p], b, w->e[wk->id], w->tmp[wk->id]);
    }
    return NULL;
}

/* One group: the rows order[s..t) (same mask). Identical haplotypes (not
 * overflow rows, whose packed slots do not say everything) get one
 * representative; a representative is fresh when any row it stands for is. */
static int make_group(const sdb_idx *x, const long *order, long s, long t, uint64_t mask,
                      const uint8_t *fresh, long *parent, group *g)
{
    long m = t - s;
    *g = (group){mask, malloc((size_t)m * sizeof(long)), 0, fresh ? calloc((size_t)m, 1) : NULL};
    entry *ge = malloc((size_t)m * sizeof *ge), *gt = malloc((size_t)m * sizeof *gt);
    long *pos = malloc((size_t)m * sizeof *pos);
    int rc = SDB_ENOMEM;
    if (!g->rows || (fresh && !g->fresh) || !ge || !gt || !pos) goto done;
    for (long i = 0; i < m; i++) {
        long r = order[s + i];
        int over = x->n_over && sdb_idx_overflow(x, r);
        ge[i] = (entry){over ? idx_mix((uint64_t)r) | 1ULL : idx_block_key(x, r, mask) & ~1ULL, r};
    }
    sort_entries(ge, gt, m);
    for (long i = 0; i < m;) {
        long j = i + 1;
        while (j < m && ge[j].key == ge[i].key)
            j++;
        for (long a = i; a < j; a++) {
            long rep = -1;
            for (long b = i; b < a && rep < 0 && !(ge[a].key & 1); b++)
                if (same_slots(x, ge[a].row, ge[b].row, mask)) rep = pos[b];
            if (rep < 0) {
                rep = g->n;
                g->rows[g->n++] = ge[a].row;
            } else
                uf_union(parent, ge[a].row, g->rows[rep]);
            pos[a] = rep;
            if (fresh) g->fresh[rep] |= fresh[ge[a].row];
        }
        i = j;
    }
    rc = SDB_OK;
done:
    free(ge);
    free(gt);
    free(pos);
    return rc;
}

static void free_groups(group *gs, int n_groups)
{
    for (int g = 0; g < n_groups; g++) {
        free(gs[g].rows);
        free(gs[g].fresh);
    }
    free(gs);
}

/* The groups of rows typing the same loci (at least min_loci of them), each
 * with its distinct haplotypes; *pair_max: the most entries one join needs
 * (the two largest groups together). */
static int make_groups(const sdb_idx *x, const sdb_lineage_opts *o, const uint8_t *fresh,
                       long *parent, group **out, int *n_out, long *pair_max,
                       sdb_lineage_stats *st)
{
    long n = x->n, first = 0, second = 0;
    size_t nn = (size_t)(n ? n : 1);
    long *order = malloc(nn * sizeof *order);
    uint64_t *mask = malloc(nn * sizeof *mask);
    group *gs = NULL;
    int n_groups = 0, rc = order && mask ? SDB_OK : SDB_ENOMEM;
    for (long r = 0; !rc && r < n; r++) {
        order[r] = r;
        mask[r] = idx_typed_mask(x, r);
    }
    if (!rc) qsort_r(order, nn, sizeof *order, idx_cmp_mask_row, mask);
    for (long s = 0, e; !rc && s < n; s = e) {
        for (e = s; e < n && mask[order[e]] == mask[order[s]];)
            e++;
        if (__builtin_popcountll(mask[order[s]]) < o->min_loci) continue; /* links to nothing */
        group *ng = realloc(gs, (size_t)(n_groups + 1) * sizeof *gs);
        if (!ng) {
            rc = SDB_ENOMEM;
            break;
        }
        gs = ng;
        rc = make_group(x, order, s, e, mask[order[s]], fresh, parent, &gs[n_groups++]);
        long u = gs[n_groups - 1].n;
        st->unique += u;
        if (u > first)
            second = first, first = u;
        else if (u > second)
            second = u;
    }
    free(order);
    free(mask);
    if (rc) {
        free_groups(gs, n_groups);
        return rc;
    }
    *out = gs;
    *n_out = n_groups;
    *pair_max = first + second + 1;
    return SDB_OK;
}

static int worker_part(void *workers, int k)
{
    run_worker(&((worker *)workers)[k]);
    return SDB_OK;
}

/* The join over threads: (pair of groups, block) items handed out in turn,
 * each thread with its own entry buffers of pair_max entries. */
static int run_join(ctx *c, group *gs, int n_groups, int threads, long pair_max)
{
    work w;
    memset(&w, 0, sizeof w);
    w.c = c;
    w.gs = gs;
    w.n_groups = n_groups;
    worker wk[SDB_MAX_THREADS];
    int rc = SDB_OK;
    for (int k = 0; k < threads && !rc; k++) {
        w.e[k] = malloc((size_t)pair_max * sizeof(entry));
        w.tmp[k] = malloc((size_t)pair_max * sizeof(entry));
        if (!w.e[k] || !w.tmp[k]) rc = SDB_ENOMEM;
        wk[k] = (worker){&w, k};
    }
    if (!rc) rc = sdb_parallel_for(threads, worker_part, wk);
    for (int k = 0; k < threads; k++) {
        free(w.e[k]);
        free(w.tmp[k]);
    }
    return rc;
}

int sdb_lineage_cluster(const sdb_idx *x, const sdb_lineage_opts *o, const long (*extra)[2],
                        long n_extra, const uint8_t *fresh, long *comp, sdb_lineage_stats *st,
                        sdb_diag *d)
{
    memset(st, 0, sizeof *st);
    if (sdb_idx_kind(x) != SDB_KIND_Y || o->max_loci < 0 || o->max_loci > 63) {
        sdb_diag_set(d, NULL, 0, NULL, "lineages need a Y index and 0 <= max-loci < 64");
        return SDB_EINVAL;
    }
    long n = x->n, pair_max = 0;
    st->rows = n;
    long *parent = malloc((size_t)(n ? n : 1) * sizeof *parent);
    if (!parent) return SDB_ENOMEM;
    for (long r = 0; r < n; r++)
        parent[r] = r;
    if (fresh) /* the previous partition of the old rows */
        for (long r = 0; r < n; r++)
            if (!fresh[r] && comp[r] >= 0 && comp[r] < n) uf_union(parent, r, comp[r]);
    for (long i = 0; i < n_extra; i++)
        if (extra[i][0] >= 0 && extra[i][0] < n && extra[i][1] >= 0 && extra[i][1] < n) {
            uf_union(parent, extra[i][0], extra[i][1]);
            st->extra_links++;
        }
    group *gs = NULL;
    int n_groups = 0, threads = o->threads < 1 ? 1 : o->threads > SDB_MAX_THREADS ? SDB_MAX_THREADS : o->threads;
    ctx c = {x, o, parent, PTHREAD_MUTEX_INITIALIZER, 0, 0};
    int rc = make_groups(x, o, fresh, parent, &gs, &n_groups, &pair_max, st);
    if (!rc) {
        rc = run_join(&c, gs, n_groups, threads, pair_max);
        free_groups(gs, n_groups);
    }
    st->candidates = c.candidates;
    st->links = c.links;
    for (long r = 0; !rc && r < n; r++) {
        comp[r] = uf_find(parent, r);
        st->components += comp[r] == r;
    }
    free(parent);
    pthread_mutex_destroy(&c.lock);
    if (rc) sdb_diag_set(d, NULL, 0, NULL, "out of memory");
    return rc;
}

int sdb_lineage_cluster_reference(const sdb_idx *x, const sdb_lineage_opts *o,
                                  const long (*extra)[2], long n_extra, long *comp, sdb_diag *d)
{
    long n = x->n;
    long *parent = malloc((size_t)(n ? n : 1) * sizeof *parent);
    if (!parent) return SDB_ENOMEM;
    for (long r = 0; r < n; r++)
        parent[r] = r;
    for (long i = 0; i < n_extra; i++)
        uf_union(parent, extra[i][0], extra[i][1]);
    sdb_ysearch_opts yo;
    sdb_ysearch_opts_init(&yo);
    yo.max_loci = o->max_loci;
    yo.max_steps = o->max_steps;
    yo.min_loci = o->min_loci;
    sdb_profile q;
    sdb_profile_init(&q);
    int rc = SDB_OK;
    for (long r = 0; r < n && !rc; r++) {
        sdb_yhit *hits = NULL;
        long n_hits = 0;
        rc = sdb_idx_profile(x, r, &q);
        if (!rc && q.n_calls) rc = sdb_ysearch(x, &q, &yo, &hits, &n_hits, d);
        for (long i = 0; i < n_hits; i++)
            uf_union(parent, r, hits[i].target);
        free(hits);
    }
    sdb_profile_free(&q);
    for (long r = 0; r < n; r++)
        comp[r] = uf_find(parent, r);
    free(parent);
    return rc;
}

