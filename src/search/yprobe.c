/* The Y probe: for every group of rows typing the same loci and every one of
 * K + 1 blocks of those loci, the rows sorted by the 32-bit block key, so
 * that the rows within K differing loci of a query are found by K + 1 binary
 * searches (pigeonhole: such a row agrees with the query on a whole block)
 * and verified with ysearch's comparison. docs/search.md, docs/lineage.md. */
#include <stdlib.h>
#include <string.h>

#include "index/index_internal.h"
#include "strdb/search.h"

/* 8 bytes a row and block: the low 32 bits of the block key, the row. */
typedef struct pentry {
    uint32_t key, row;
} pentry;

/* LSD radix sort by key (4 passes of 8 bits); tmp as large as e. */
static void sort_pentries(pentry *e, pentry *tmp, long n)
{
    for (int shift = 0; shift < 32; shift += 8) {
        long count[257] = {0};
        for (long i = 0; i < n; i++)
            count[(e[i].key >> shift & 255) + 1]++;
        for (int b = 0; b < 256; b++)
            count[b + 1] += count[b];
        for (long i = 0; i < n; i++)
            tmp[count[e[i].key >> shift & 255]++] = e[i];
        memcpy(e, tmp, (size_t)n * sizeof *e);
    }
}


typedef struct probe_group {
    uint64_t mask, block[64];
    int n_blocks;   /* K + 1, or 0: the group is scanned */
    long *rows, n;  /* rows of the group */
    pentry *e;      /* n_blocks runs of n entries, each sorted by key */
} probe_group;

struct sdb_yprobe {
    const sdb_idx *x;
    int max_loci, min_loci;
    probe_group *g;
    int n_groups;
};

void sdb_yprobe_free(sdb_yprobe *p)
{
    if (!p) return;
    for (int i = 0; i < p->n_groups; i++) {
        free(p->g[i].rows);
        free(p->g[i].e);
    }
    free(p->g);
    free(p);
}

int sdb_yprobe_build(sdb_yprobe **out, const sdb_idx *x, int max_loci, int min_loci)
{
    *out = NULL;
    if (sdb_idx_kind(x) != SDB_KIND_Y || max_loci < 0 || max_loci > 63 || x->n > UINT32_MAX)
        return SDB_EINVAL;
    sdb_yprobe *p = calloc(1, sizeof *p);
    long n = x->n;
    size_t nn = (size_t)(n ? n : 1);
    long *order = malloc(nn * sizeof *order);
    uint64_t *mask = malloc(nn * sizeof *mask);
    pentry *tmp = malloc(nn * sizeof *tmp);
    int rc = p && order && mask && tmp ? SDB_OK : SDB_ENOMEM;
    for (long r = 0; !rc && r < n; r++) {
        order[r] = r;
        mask[r] = idx_typed_mask(x, r);
    }
    if (!rc) {
        p->x = x;
        p->max_loci = max_loci;
        p->min_loci = min_loci;
        qsort_r(order, nn, sizeof *order, idx_cmp_mask_row, mask);
    }
    for (long s = 0, e2; !rc && s < n; s = e2) {
        for (e2 = s; e2 < n && mask[order[e2]] == mask[order[s]];)
            e2++;
        uint64_t m = mask[order[s]];
        int n_loci = __builtin_popcountll(m);
        if (n_loci < min_loci) continue; /* links to nothing */
        probe_group *ng = realloc(p->g, (size_t)(p->n_groups + 1) * sizeof *ng);
        if (!ng) {
            rc = SDB_ENOMEM;
            break;
        }
        p->g = ng;
        probe_group *g = &p->g[p->n_groups++];
        memset(g, 0, sizeof *g);
        g->mask = m;
        g->n = e2 - s;
        g->n_blocks = n_loci >= max_loci + 1 ? max_loci + 1 : 0;
        for (int k = 0, i = 0; g->n_blocks && k < x->n_loci; k++)
            if (m >> k & 1) g->block[i++ % g->n_blocks] |= 1ULL << k;
        g->rows = malloc((size_t)g->n * sizeof *g->rows);
        g->e = g->n_blocks ? malloc((size_t)g->n * (size_t)g->n_blocks * sizeof *g->e) : NULL;
        if (!g->rows || (g->n_blocks && !g->e)) {
            rc = SDB_ENOMEM;
            break;
        }
        memcpy(g->rows, order + s, (size_t)g->n * sizeof *g->rows);
        for (int b = 0; b < g->n_blocks; b++) {
            pentry *e = g->e + (size_t)b * (size_t)g->n;
            for (long i = 0; i < g->n; i++)
                e[i] = (pentry){(uint32_t)idx_block_key(x, g->rows[i], g->block[b]),
                                (uint32_t)g->rows[i]};
            sort_pentries(e, tmp, g->n);
        }
    }
    free(order);
    free(mask);
    free(tmp);
    if (rc) {
        sdb_yprobe_free(p);
        return rc;
    }
    *out = p;
    return SDB_OK;
}

/* The query as packed slots: 0 when some typed locus of the index is not a
 * list of integer repeats of the locus's copy number (then the caller scans). */
static int query_slots(const sdb_idx *x, const sdb_profile *q, uint8_t (*qs)[4], uint64_t *qmask,
                       sdb_allele (*codes)[64], int *n_codes)
{
    *qmask = 0;
    for (int k = 0; k < x->n_loci; k++) {
        n_codes[k] = 0;
        const sdb_call *c = sdb_profile_call(q, x->locus[k]);
        if (!c) continue;
        if (c->n != (unsigned)x->width[k] || x->width[k] > 4) return 0;
        for (int j = 0; j < x->width[k]; j++) {
            sdb_allele a = q->alleles[c->first + (uint32_t)j];
            if (!sdb_allele_is_numeric(a) || a % 10 || a < 10 || a > 2540) return 0;
            codes[k][n_codes[k]++] = a;
        }
        for (int j = 1; j < n_codes[k]; j++) /* sorted, as rows are */
            for (int i = j; i > 0 && codes[k][i - 1] > codes[k][i]; i--) {
                sdb_allele t = codes[k][i];
                codes[k][i] = codes[k][i - 1];
                codes[k][i - 1] = t;
            }
        for (int j = 0; j < n_codes[k]; j++)
            qs[k][j] = (uint8_t)(codes[k][j] / 10);
        *qmask |= 1ULL << k;
    }
    return 1;
}

/* The query against row r with ysearch's rules. */
static int query_matches(const sdb_idx *x, const uint8_t (*qs)[4], const sdb_allele (*codes)[64],
                         const int *n_codes, uint64_t qmask, long r, int max_loci, int max_steps,
                         int min_loci)
{
    const sdb_profile *over = x->n_over ? sdb_idx_overflow(x, r) : NULL;
    int compared = 0, differing = 0, steps = 0;
    for (int k = 0; k < x->n_loci; k++) {
        if (!(qmask >> k & 1)) continue;
        const uint8_t *t = idx_slot(x, r, k);
        if (t[0] == SDB_IDX_UNTYPED) continue;
        compared++;
        int differs = 0, st = 0;
        if (!over) {
            for (int c = 0; c < x->width[k]; c++) {
                int diff = t[c] - qs[k][c];
                differs |= diff != 0;
                st += diff < 0 ? -diff : diff;
            }
        } else {
            sdb_allele v[64];
            int nv = sdb_idx_y_alleles(x, r, k, over, v);
            sdb_idx_y_compare(codes[k], n_codes[k], v, nv, &differs, &st);
        }
        differing += differs;
        steps += st;
        if (differing > max_loci) return 0;
    }
    return compared >= min_loci && (max_steps < 0 || steps <= max_steps);
}

static int push_row(long **rows, long *n, long *cap, long r)
{
    if (*n == *cap) {
        long *t = realloc(*rows, (size_t)(*cap = *cap ? 2 * *cap : 64) * sizeof *t);
        if (!t) return SDB_ENOMEM;
        *rows = t;
    }
    (*rows)[(*n)++] = r;
    return SDB_OK;
}

static int cmp_row(const void *a, const void *b)
{
    long x = *(const long *)a, y = *(const long *)b;
    return (x > y) - (x < y);
}

int sdb_yprobe_rows(const sdb_yprobe *p, const sdb_profile *q, int max_loci, int max_steps,
                int min_loci, long **rows, long *n_rows)
{
    const sdb_idx *x = p->x;
    *rows = NULL;
    *n_rows = 0;
    long cap = 0;
    uint8_t qs[SDB_IDX_MAX_LOCI][4];
    sdb_allele codes[SDB_IDX_MAX_LOCI][64];
    int n_codes[SDB_IDX_MAX_LOCI];
    uint64_t qmask;
    if (!query_slots(x, q, qs, &qmask, codes, n_codes)) return 1;
    int rc = SDB_OK;
    for (int gi = 0; gi < p->n_groups && !rc; gi++) {
        const probe_group *g = &p->g[gi];
        if (__builtin_popcountll(g->mask & qmask) < min_loci) continue;
        if (!g->n_blocks || (g->mask & ~qmask)) { /* blocks need every group locus: scan */
            for (long i = 0; i < g->n && !rc; i++)
                if (query_matches(x, qs, codes, n_codes, qmask, g->rows[i], max_loci, max_steps,
                                  min_loci))
                    rc = push_row(rows, n_rows, &cap, g->rows[i]);
            continue;
        }
        uint32_t qkey[64];
        for (int b = 0; b < g->n_blocks; b++) {
            uint64_t h = IDX_KEY_SEED;
            for (int k = 0; k < x->n_loci; k++)
                if (g->block[b] >> k & 1) h = idx_key_fold(h, qs[k], x->width[k], k);
            qkey[b] = (uint32_t)h;
        }
        for (int b = 0; b < g->n_blocks && !rc; b++) {
            const pentry *e = g->e + (size_t)b * (size_t)g->n;
            long lo = 0, hi = g->n;
            while (lo < hi) { /* first entry with key >= qkey[b] */
                long mid = (lo + hi) / 2;
                if (e[mid].key < qkey[b])
                    lo = mid + 1;
                else
                    hi = mid;
            }
            for (long i = lo; i < g->n && e[i].key == qkey[b] && !rc; i++) {
                long r = (long)e[i].row;
                /* a row agreeing with the query on an earlier block was seen there */
                int seen = 0;
                for (int pb = 0; pb < b && !seen; pb++) {
                    int same = 1;
                    for (int k = 0; k < x->n_loci && same; k++)
                        if (g->block[pb] >> k & 1)
                            same = !memcmp(idx_slot(x, r, k), qs[k], (size_t)x->width[k]);
                    seen = same;
                }
                if (!seen && query_matches(x, qs, codes, n_codes, qmask, r, max_loci, max_steps,
                                           min_loci))
                    rc = push_row(rows, n_rows, &cap, r);
            }
        }
    }
    if (!rc && *n_rows > 1) qsort(*rows, (size_t)*n_rows, sizeof **rows, cmp_row);
    return rc;
}

int sdb_yprobe_find(const sdb_yprobe *p, const sdb_profile *q, int max_loci, int max_steps,
                    int min_loci, long **rows, long *n_rows, sdb_diag *d)
{
    if (max_loci < 0 || max_loci > p->max_loci || min_loci < p->min_loci) {
        sdb_diag_set(d, NULL, 0, NULL, "the probe serves up to %d differing loci and at least %d "
                     "loci compared", p->max_loci, p->min_loci);
        return SDB_EINVAL;
    }
    int rc = sdb_yprobe_rows(p, q, max_loci, max_steps, min_loci, rows, n_rows);
    if (rc != 1) return rc;
    /* off the packed path (microvariants, other copy numbers): a scan */
    sdb_ysearch_opts yo;
    sdb_ysearch_opts_init(&yo);
    yo.max_loci = max_loci;
    yo.max_steps = max_steps;
    yo.min_loci = min_loci;
    sdb_yhit *h;
    long nh, cap = 0;
    rc = sdb_ysearch(p->x, q, &yo, &h, &nh, d);
    for (long i = 0; !rc && i < nh; i++)
        rc = push_row(rows, n_rows, &cap, h[i].target);
    free(h);
    if (!rc && *n_rows > 1) qsort(*rows, (size_t)*n_rows, sizeof **rows, cmp_row);
    return rc;
}

const sdb_idx *sdb_yprobe_index(const sdb_yprobe *p)
{
    return p->x;
}

int sdb_yprobe_serves(const sdb_yprobe *p, int max_loci, int min_loci)
{
    return max_loci >= 0 && max_loci <= p->max_loci && min_loci >= p->min_loci;
}
