/* Identity and Y-STR searches: a scan over the packed rows with the query
 * translated into the index's allele ids once; rows that did not fit the
 * packed layout (mixtures, Y duplications) take the same predicate on their
 * full allele lists. Ranges of rows run on separate threads; the hits are
 * merged and ranked afterwards, so the result does not depend on threads. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "index/index_internal.h"
#include "strdb/search.h"

#define SET_MAX 64

/* A set of allele ids at one locus: known ids sorted and unique, plus
 * whether a wildcard is present. */
typedef struct aset {
    uint8_t v[SET_MAX];
    int n, wild, typed;
} aset;

static void aset_add(aset *s, uint8_t id)
{
    s->typed = 1;
    if (id == SDB_IDX_WILDCARD) {
        s->wild = 1;
        return;
    }
    int i = 0;
    while (i < s->n && s->v[i] < id)
        i++;
    if (i < s->n && s->v[i] == id) return;
    if (s->n == SET_MAX) return;
    memmove(s->v + i + 1, s->v + i, (size_t)(s->n - i));
    s->v[i] = id;
    s->n++;
}

static int contains(const aset *s, uint8_t id)
{
    for (int i = 0; i < s->n; i++)
        if (s->v[i] == id) return 1;
    return 0;
}

/* Every known id of a is in b, or b has a wildcard. */
static int covered(const aset *a, const aset *b)
{
    if (b->wild) return 1;
    for (int i = 0; i < a->n; i++)
        if (!contains(b, a->v[i])) return 0;
    return 1;
}

static int locus_ok(const aset *q, const aset *t, sdb_stringency s)
{
    switch (s) {
    case SDB_STRINGENCY_HIGH: return covered(q, t) && covered(t, q);
    case SDB_STRINGENCY_MODERATE: return covered(q, t) || covered(t, q);
    default:
        if (q->wild || t->wild || !q->n || !t->n) return 1;
        for (int i = 0; i < q->n; i++)
            if (contains(t, q->v[i])) return 1;
        return 0;
    }
}

/* The set of row r at index locus k (from the row or the full profile). */
static void target_set(const sdb_idx *x, long r, int k, const sdb_profile *over, aset *t)
{
    memset(t, 0, sizeof *t);
    if (over) {
        const sdb_call *c = sdb_profile_call(over, x->locus[k]);
        for (uint32_t j = 0; c && j < c->n; j++)
            aset_add(t, idx_allele_id(x, k, over->alleles[c->first + j]));
        return;
    }
    const uint8_t *slot = idx_slot(x, r, k);
    for (int j = 0; j < x->width[k]; j++)
        if (slot[j] != SDB_IDX_UNTYPED) aset_add(t, slot[j]);
}

const char *sdb_stringency_name(sdb_stringency s)
{
    return s == SDB_STRINGENCY_HIGH ? "high" : s == SDB_STRINGENCY_MODERATE ? "moderate" : "low";
}

int sdb_stringency_parse(const char *s, sdb_stringency *out)
{
    if (!strcmp(s, "high"))
        *out = SDB_STRINGENCY_HIGH;
    else if (!strcmp(s, "moderate"))
        *out = SDB_STRINGENCY_MODERATE;
    else if (!strcmp(s, "low"))
        *out = SDB_STRINGENCY_LOW;
    else
        return SDB_EINVAL;
    return SDB_OK;
}

void sdb_search_opts_init(sdb_search_opts *o)
{
    memset(o, 0, sizeof *o);
    o->min_loci = 1;
    o->threads = 1;
}

void sdb_ysearch_opts_init(sdb_ysearch_opts *o)
{
    memset(o, 0, sizeof *o);
    o->min_loci = 1;
    o->threads = 1;
}

static int cmp_allele(const void *a, const void *b);

/* The query at each index locus, translated once. */
typedef struct prepared {
    aset q[SDB_IDX_MAX_LOCI];
    int active[SDB_IDX_MAX_LOCI], n_active; /* index loci the query types */
    uint8_t pair[SDB_IDX_MAX_LOCI][2];      /* fast path: two known ids, no wildcard */
    int fast[SDB_IDX_MAX_LOCI];
    /* Y fast path: the query's repeat numbers per copy (integer alleles) */
    uint8_t yrep[SDB_IDX_MAX_LOCI][4];
    int yfast[SDB_IDX_MAX_LOCI];
    sdb_allele codes[SDB_IDX_MAX_LOCI][SET_MAX]; /* Y: sorted allele codes */
    int n_codes[SDB_IDX_MAX_LOCI];
    int query_loci, outside; /* query loci, and those the index lacks */
} prepared;

static int prepare(const sdb_idx *x, const sdb_profile *q, sdb_kind kind, prepared *pq, sdb_diag *d)
{
    memset(pq, 0, sizeof *pq);
    for (int i = 0; i < q->n_calls; i++) {
        const sdb_call *c = &q->calls[i];
        const sdb_locus *l = sdb_catalog_by_id(x->cat, c->locus);
        if (l->type == SDB_LOCUS_SEX) continue;
        int is_y = l->type == SDB_LOCUS_Y;
        if ((kind == SDB_KIND_AUTOSOMAL && is_y) || (kind == SDB_KIND_Y && !is_y)) {
            sdb_diag_set(d, NULL, 0, l->name, "%s locus in a%s search",
                         is_y ? "a Y" : "an autosomal", kind == SDB_KIND_Y ? " Y" : "n autosomal");
            return SDB_EINVAL;
        }
        pq->query_loci++;
        int k = idx_locus_pos(x, c->locus);
        if (k < 0) {
            pq->outside++;
            continue;
        }
        for (uint32_t j = 0; j < c->n && j < SET_MAX; j++) {
            aset_add(&pq->q[k], idx_allele_id(x, k, q->alleles[c->first + j]));
            pq->codes[k][pq->n_codes[k]++] = q->alleles[c->first + j];
        }
    }
    for (int k = 0; k < x->n_loci; k++) {
        if (!pq->q[k].typed) continue;
        if (kind == SDB_KIND_Y && pq->n_codes[k] == x->width[k] && x->width[k] <= 4) {
            qsort(pq->codes[k], (size_t)pq->n_codes[k], sizeof(sdb_allele), cmp_allele);
            pq->yfast[k] = 1;
            for (int c = 0; c < x->width[k]; c++) {
                sdb_allele qa = pq->codes[k][c];
                int integer = sdb_allele_is_numeric(qa) && qa % 10 == 0 && qa >= 10 && qa <= 2540;
                pq->yfast[k] &= integer;
                pq->yrep[k][c] = integer ? (uint8_t)(qa / 10) : 0;
            }
        }
        pq->active[pq->n_active++] = k;
        pq->fast[k] = !pq->q[k].wild && pq->q[k].n >= 1 && pq->q[k].n <= 2;
        pq->pair[k][0] = pq->q[k].v[0];
        pq->pair[k][1] = pq->q[k].n == 2 ? pq->q[k].v[1] : pq->q[k].v[0];
    }
    if (pq->query_loci == 0) {
        sdb_diag_set(d, NULL, 0, NULL, "the query types no %s locus",
                     kind == SDB_KIND_Y ? "Y" : "autosomal");
        return SDB_EINVAL;
    }
    return SDB_OK;
}

/* Growable hit vectors, one per thread. */
typedef struct hits {
    void *v;
    long n, cap;
    size_t size;
} hits;

static int push_hit(hits *h, const void *hit)
{
    if (h->n == h->cap) {
        long cap = h->cap ? 2 * h->cap : 64;
        void *t = realloc(h->v, (size_t)cap * h->size);
        if (!t) return SDB_ENOMEM;
        h->v = t;
        h->cap = cap;
    }
    memcpy((char *)h->v + (size_t)h->n++ * h->size, hit, h->size);
    return SDB_OK;
}

typedef struct job {
    const sdb_idx *x;
    const prepared *pq;
    const void *opts;
    long begin, end;
    hits out;
    int rc;
    void (*scan)(struct job *j);
} job;

/* The common case in bytes: query and target both hold one or two known
 * alleles (sorted pairs, a homozygote repeated). Same answers as locus_ok
 * on the sets (the differential tests hold both to the brute force). */
static int pair_ok(const uint8_t *q, const uint8_t *t, sdb_stringency s)
{
    switch (s) {
    case SDB_STRINGENCY_HIGH: return q[0] == t[0] && q[1] == t[1];
    case SDB_STRINGENCY_MODERATE:
        return ((q[0] == t[0] || q[0] == t[1]) && (q[1] == t[0] || q[1] == t[1])) ||
               ((t[0] == q[0] || t[0] == q[1]) && (t[1] == q[0] || t[1] == q[1]));
    default: return q[0] == t[0] || q[0] == t[1] || q[1] == t[0] || q[1] == t[1];
    }
}

/* One row the slow way: any query, any target (overflow, wildcards). */
static void identity_row(const job *j, long r, sdb_hit *h)
{
    const sdb_idx *x = j->x;
    const sdb_search_opts *o = j->opts;
    const prepared *pq = j->pq;
    const sdb_profile *over = x->n_over ? idx_overflow(x, r) : NULL;
    *h = (sdb_hit){r, 0, 0, 0};
    for (int a = 0; a < pq->n_active; a++) {
        int k = pq->active[a], ok;
        const uint8_t *t = idx_slot(x, r, k);
        if (!over && t[0] == SDB_IDX_UNTYPED) continue;
        if (!over && pq->fast[k] && t[1] != SDB_IDX_WILDCARD) {
            ok = pair_ok(pq->pair[k], t, o->stringency);
        } else {
            aset ts;
            target_set(x, r, k, over, &ts);
            if (!ts.typed) continue;
            ok = locus_ok(&pq->q[k], &ts, o->stringency);
        }
        h->shared++;
        if (ok)
            h->matching++;
        else if (++h->mismatching > o->max_mismatch)
            break;
    }
}

/* Column kernels. For a block of rows and one locus whose query is a plain
 * pair, add to each row's shared and mismatch counters and flag rows with a
 * wildcard (they take the slow path). Branch-free over the rows, so the
 * compiler vectorises the loop; built twice, for AVX2 and for the baseline
 * ISA, and chosen at run time (SDB_FORCE_SCALAR=1 or
 * sdb_search_force_scalar() picks the scalar twin; the tests compare both). */
#define BLOCK 4096

static inline __attribute__((always_inline)) void column_body(const uint8_t *col, long n,
                                                              uint8_t q0, uint8_t q1,
                                                              sdb_stringency s, uint8_t *shared,
                                                              uint8_t *mism, uint8_t *slow)
{
    for (long r = 0; r < n; r++) {
        uint8_t t0 = col[2 * r], t1 = col[2 * r + 1];
        uint8_t use = (uint8_t)((t0 != 0) & (t1 != SDB_IDX_WILDCARD));
        uint8_t ok;
        if (s == SDB_STRINGENCY_HIGH)
            ok = (uint8_t)((q0 == t0) & (q1 == t1));
        else if (s == SDB_STRINGENCY_MODERATE)
            ok = (uint8_t)((((q0 == t0) | (q0 == t1)) & ((q1 == t0) | (q1 == t1))) |
                           (((t0 == q0) | (t0 == q1)) & ((t1 == q0) | (t1 == q1))));
        else
            ok = (uint8_t)((q0 == t0) | (q0 == t1) | (q1 == t0) | (q1 == t1));
        shared[r] = (uint8_t)(shared[r] + use);
        mism[r] = (uint8_t)(mism[r] + (use & (ok ^ 1)));
        slow[r] |= (uint8_t)(t1 == SDB_IDX_WILDCARD);
    }
}

/* gcc 12 at -O2 uses its "very cheap" vectoriser cost model, which leaves
 * this loop scalar; the AVX2 kernel asks for -O3 (clang vectorises anyway). */
#if defined(__GNUC__) && !defined(__clang__)
#define VECTORISE __attribute__((optimize("O3")))
#else
#define VECTORISE
#endif

typedef void (*column_fn)(const uint8_t *, long, uint8_t, uint8_t, sdb_stringency, uint8_t *,
                          uint8_t *, uint8_t *);

/* The scalar twin: the reference the SIMD kernel is tested against. */
#if defined(__GNUC__) && !defined(__clang__)
__attribute__((optimize("no-tree-vectorize")))
#endif
static void
column_scalar(const uint8_t *restrict col, long n, uint8_t q0, uint8_t q1, sdb_stringency s,
              uint8_t *restrict shared, uint8_t *restrict mism, uint8_t *restrict slow)
{
    if (s == SDB_STRINGENCY_HIGH)
        column_body(col, n, q0, q1, SDB_STRINGENCY_HIGH, shared, mism, slow);
    else if (s == SDB_STRINGENCY_MODERATE)
        column_body(col, n, q0, q1, SDB_STRINGENCY_MODERATE, shared, mism, slow);
    else
        column_body(col, n, q0, q1, SDB_STRINGENCY_LOW, shared, mism, slow);
}

#if defined(__x86_64__) && defined(__GNUC__)
__attribute__((target("avx2"))) VECTORISE static void
column_avx2(const uint8_t *restrict col, long n, uint8_t q0, uint8_t q1, sdb_stringency s,
            uint8_t *restrict shared, uint8_t *restrict mism, uint8_t *restrict slow)
{
    if (s == SDB_STRINGENCY_HIGH)
        column_body(col, n, q0, q1, SDB_STRINGENCY_HIGH, shared, mism, slow);
    else if (s == SDB_STRINGENCY_MODERATE)
        column_body(col, n, q0, q1, SDB_STRINGENCY_MODERATE, shared, mism, slow);
    else
        column_body(col, n, q0, q1, SDB_STRINGENCY_LOW, shared, mism, slow);
}
#endif

static int force_scalar = -1; /* -1: not decided yet */

void sdb_search_force_scalar(int on)
{
    force_scalar = on;
}

int search_use_avx2(void)
{
    if (force_scalar < 0) {
        const char *env = getenv("SDB_FORCE_SCALAR");
        force_scalar = env && env[0] == '1';
    }
#if defined(__x86_64__) && defined(__GNUC__)
    return !force_scalar && __builtin_cpu_supports("avx2");
#else
    return 0;
#endif
}

static column_fn pick_column(void)
{
#if defined(__x86_64__) && defined(__GNUC__)
    if (search_use_avx2()) return column_avx2;
#endif
    return column_scalar;
}

/* Blocks of rows: every fast query locus runs its column kernel over the
 * block, then rows flagged slow (wildcards, overflow rows) or any block when
 * the query itself needs the slow path are evaluated row by row. */
static void scan_identity(job *j)
{
    const sdb_idx *x = j->x;
    const sdb_search_opts *o = j->opts;
    const prepared *pq = j->pq;
    column_fn column = pick_column();
    int all_fast = 1;
    for (int a = 0; a < pq->n_active; a++)
        all_fast &= pq->fast[pq->active[a]];
    uint8_t shared[BLOCK], mism[BLOCK], slow[BLOCK];
    long next_over = 0;
    while (next_over < x->n_over && x->over_row[next_over] < j->begin)
        next_over++;
    for (long b = j->begin; b < j->end && !j->rc; b += BLOCK) {
        long n = j->end - b < BLOCK ? j->end - b : BLOCK;
        memset(shared, 0, (size_t)n);
        memset(mism, 0, (size_t)n);
        memset(slow, all_fast ? 0 : 1, (size_t)n);
        for (; next_over < x->n_over && x->over_row[next_over] < b + n; next_over++)
            slow[x->over_row[next_over] - b] = 1;
        for (int a = 0; all_fast && a < pq->n_active; a++) {
            int k = pq->active[a];
            column(x->col[k] + 2 * b, n, pq->pair[k][0], pq->pair[k][1], o->stringency, shared,
                   mism, slow);
        }
        for (long i = 0; i < n && !j->rc; i++) {
            sdb_hit h = {b + i, shared[i], shared[i] - mism[i], mism[i]};
            if (slow[i]) identity_row(j, b + i, &h);
            if (h.mismatching <= o->max_mismatch && h.shared >= o->min_loci)
                j->rc = push_hit(&j->out, &h);
        }
    }
}

/* Y locus comparison: sorted allele codes of the query and of the target. */
void idx_y_compare(const sdb_allele *a, int na, const sdb_allele *b, int nb, int *differs,
                   int *steps)
{
    *differs = na != nb;
    *steps = 0;
    if (na != nb) return;
    for (int i = 0; i < na; i++) {
        if (a[i] == b[i]) continue;
        *differs = 1;
        int diff = abs(a[i] - b[i]);
        if (sdb_allele_is_numeric(a[i]) && sdb_allele_is_numeric(b[i]) && diff % 10 == 0)
            *steps += diff / 10;
    }
}

static int cmp_allele(const void *a, const void *b)
{
    sdb_allele x = *(const sdb_allele *)a, y = *(const sdb_allele *)b;
    return (x > y) - (x < y);
}

/* Target alleles (codes, sorted) of row r at Y locus k. */
int idx_y_alleles(const sdb_idx *x, long r, int k, const sdb_profile *over, sdb_allele *out)
{
    int n = 0;
    if (over) {
        const sdb_call *c = sdb_profile_call(over, x->locus[k]);
        for (uint32_t j = 0; c && j < c->n && n < SET_MAX; j++)
            out[n++] = over->alleles[c->first + j];
        return n;
    }
    const uint8_t *slot = idx_slot(x, r, k);
    if (slot[0] == SDB_IDX_UNTYPED) return 0;
    for (int j = 0; j < x->width[k]; j++)
        out[n++] = (sdb_allele)(slot[j] * 10); /* sorted */
    return n;
}

/* One Y locus of a packed row (repeat numbers, sorted) against a query of
 * the same copy number with integer alleles: position by position. */
static void y_fast(const prepared *pq, int k, int width, const uint8_t *t, int *differs, int *steps)
{
    *differs = 0;
    *steps = 0;
    for (int c = 0; c < width; c++) {
        int diff = t[c] - pq->yrep[k][c];
        *differs |= diff != 0;
        *steps += diff < 0 ? -diff : diff;
    }
}

/* One Y row the slow way (overflow rows, queries off the fast path). */
static void y_row(const job *j, long r, sdb_yhit *hp)
{
    const sdb_idx *x = j->x;
    const prepared *pq = j->pq;
    const sdb_profile *over = x->n_over ? idx_overflow(x, r) : NULL;
    sdb_yhit h = {r, 0, 0, 0, pq->outside};
    for (int a = 0; a < pq->n_active; a++) {
        int k = pq->active[a], differs, steps;
        const uint8_t *slot = idx_slot(x, r, k);
        if (!over && slot[0] == SDB_IDX_UNTYPED) {
            h.missing++;
            continue;
        }
        if (!over && pq->yfast[k]) {
            y_fast(pq, k, x->width[k], slot, &differs, &steps);
        } else {
            sdb_allele t[SET_MAX];
            int nt = idx_y_alleles(x, r, k, over, t);
            if (!nt) {
                h.missing++;
                continue;
            }
            idx_y_compare(pq->codes[k], pq->n_codes[k], t, nt, &differs, &steps);
        }
        h.compared++;
        h.differing += differs;
        h.steps += steps;
    }
    *hp = h;
}

/* Y column kernels, for loci of one or two copies whose query alleles are
 * integers: per row, count typed loci, differing loci, repeat steps and
 * missing loci. Scalar twin and AVX2 build, as for identity search. */
static inline __attribute__((always_inline)) void
ycol_body(const uint8_t *restrict col, long n, int width, uint8_t q0, uint8_t q1,
          uint8_t *restrict cmp, uint8_t *restrict dif, uint16_t *restrict stp,
          uint8_t *restrict mis)
{
    for (long r = 0; r < n; r++) {
        uint8_t t0 = col[width * r], t1 = width == 2 ? col[2 * r + 1] : q1;
        uint8_t typed = (uint8_t)(t0 != 0);
        uint8_t d0 = (uint8_t)(t0 > q0 ? t0 - q0 : q0 - t0);
        uint8_t d1 = (uint8_t)(t1 > q1 ? t1 - q1 : q1 - t1);
        cmp[r] = (uint8_t)(cmp[r] + typed);
        mis[r] = (uint8_t)(mis[r] + (typed ^ 1));
        dif[r] = (uint8_t)(dif[r] + (typed & ((d0 | d1) != 0)));
        stp[r] = (uint16_t)(stp[r] + (typed ? d0 + d1 : 0));
    }
}

#if defined(__GNUC__) && !defined(__clang__)
__attribute__((optimize("no-tree-vectorize")))
#endif
static void
ycol_scalar(const uint8_t *restrict col, long n, int width, uint8_t q0, uint8_t q1,
            uint8_t *restrict cmp, uint8_t *restrict dif, uint16_t *restrict stp,
            uint8_t *restrict mis)
{
    if (width == 1)
        ycol_body(col, n, 1, q0, q1, cmp, dif, stp, mis);
    else
        ycol_body(col, n, 2, q0, q1, cmp, dif, stp, mis);
}

#if defined(__x86_64__) && defined(__GNUC__)
__attribute__((target("avx2"))) VECTORISE static void
ycol_avx2(const uint8_t *restrict col, long n, int width, uint8_t q0, uint8_t q1,
          uint8_t *restrict cmp, uint8_t *restrict dif, uint16_t *restrict stp,
          uint8_t *restrict mis)
{
    if (width == 1)
        ycol_body(col, n, 1, q0, q1, cmp, dif, stp, mis);
    else
        ycol_body(col, n, 2, q0, q1, cmp, dif, stp, mis);
}
#endif

typedef void (*ycol_fn)(const uint8_t *, long, int, uint8_t, uint8_t, uint8_t *, uint8_t *,
                        uint16_t *, uint8_t *);

static void scan_y(job *j)
{
    const sdb_idx *x = j->x;
    const sdb_ysearch_opts *o = j->opts;
    const prepared *pq = j->pq;
    ycol_fn kernel = ycol_scalar;
#if defined(__x86_64__) && defined(__GNUC__)
    if (search_use_avx2()) kernel = ycol_avx2;
#endif
    int all_fast = 1;
    for (int a = 0; a < pq->n_active; a++) {
        int k = pq->active[a];
        all_fast &= pq->yfast[k] && x->width[k] <= 2;
    }
    uint8_t cmp[BLOCK], dif[BLOCK], mis[BLOCK], slow[BLOCK];
    uint16_t stp[BLOCK];
    long next_over = 0;
    while (next_over < x->n_over && x->over_row[next_over] < j->begin)
        next_over++;
    for (long b = j->begin; b < j->end && !j->rc; b += BLOCK) {
        long n = j->end - b < BLOCK ? j->end - b : BLOCK;
        memset(cmp, 0, (size_t)n);
        memset(dif, 0, (size_t)n);
        memset(mis, 0, (size_t)n);
        memset(stp, 0, (size_t)n * sizeof *stp);
        memset(slow, all_fast ? 0 : 1, (size_t)n);
        for (; next_over < x->n_over && x->over_row[next_over] < b + n; next_over++)
            slow[x->over_row[next_over] - b] = 1;
        for (int a = 0; all_fast && a < pq->n_active; a++) {
            int k = pq->active[a], w = x->width[k];
            kernel(x->col[k] + (size_t)w * (size_t)b, n, w, pq->yrep[k][0],
                   w == 2 ? pq->yrep[k][1] : 0, cmp, dif, stp, mis);
        }
        for (long i = 0; i < n && !j->rc; i++) {
            sdb_yhit h = {b + i, cmp[i], dif[i], stp[i], pq->outside + mis[i]};
            if (slow[i]) y_row(j, b + i, &h);
            if (h.differing <= o->max_loci && (o->max_steps < 0 || h.steps <= o->max_steps) &&
                h.compared >= o->min_loci)
                j->rc = push_hit(&j->out, &h);
        }
    }
}

static void *run_job(void *arg)
{
    job *j = arg;
    j->scan(j);
    return NULL;
}

/* Runs the scan over `threads` row ranges and concatenates the hits in
 * row order. A range whose thread cannot start runs on this thread. */
static int run_scan(const sdb_idx *x, const prepared *pq, const void *opts, int threads,
                    size_t hit_size, void (*scan)(job *), hits *all)
{
    int t = threads < 1 ? 1 : threads > 64 ? 64 : threads, started[64] = {0};
    job jobs[64];
    pthread_t th[64];
    int rc = SDB_OK;
    for (int k = 0; k < t; k++) {
        jobs[k] = (job){x,      pq,  opts, x->n * k / t, x->n * (k + 1) / t, {NULL, 0, 0, hit_size},
                        SDB_OK, scan};
        if (k > 0) started[k] = pthread_create(&th[k], NULL, run_job, &jobs[k]) == 0;
    }
    for (int k = 0; k < t; k++)
        if (!started[k]) run_job(&jobs[k]);
    for (int k = 1; k < t; k++)
        if (started[k]) pthread_join(th[k], NULL);
    all->size = hit_size;
    for (int k = 0; k < t; k++) {
        for (long i = 0; !rc && !jobs[k].rc && i < jobs[k].out.n; i++)
            rc = push_hit(all, (char *)jobs[k].out.v + (size_t)i * hit_size);
        if (!rc) rc = jobs[k].rc;
        free(jobs[k].out.v);
    }
    return rc;
}

static int cmp_hit(const void *a, const void *b, void *arg)
{
    const sdb_hit *x = a, *y = b;
    if (x->matching != y->matching) return y->matching - x->matching;
    if (x->mismatching != y->mismatching) return x->mismatching - y->mismatching;
    if (x->shared != y->shared) return y->shared - x->shared;
    return strcmp(sdb_idx_sample_id(arg, x->target), sdb_idx_sample_id(arg, y->target));
}

static int cmp_yhit(const void *a, const void *b, void *arg)
{
    const sdb_yhit *x = a, *y = b;
    if (x->differing != y->differing) return x->differing - y->differing;
    if (x->steps != y->steps) return x->steps - y->steps;
    if (x->compared != y->compared) return y->compared - x->compared;
    return strcmp(sdb_idx_sample_id(arg, x->target), sdb_idx_sample_id(arg, y->target));
}

static void rank(const sdb_idx *x, hits *h, int (*cmp)(const void *, const void *, void *),
                 long limit)
{
    if (h->n > 1) qsort_r(h->v, (size_t)h->n, h->size, cmp, (void *)x);
    if (limit > 0 && h->n > limit) h->n = limit;
}

/* Shared by both searches: translate the query, scan, rank. */
static int search_common(const sdb_idx *x, const sdb_profile *query, sdb_kind kind,
                         const void *opts, int threads, long limit, size_t hit_size,
                         void (*scan)(job *), int (*cmp)(const void *, const void *, void *),
                         void **out, long *n_out, sdb_diag *d)
{
    *out = NULL;
    *n_out = 0;
    if (x->kind != kind) return SDB_EINVAL;
    prepared *pq = malloc(sizeof *pq);
    if (!pq) return SDB_ENOMEM;
    int rc = prepare(x, query, kind, pq, d);
    hits all = {NULL, 0, 0, hit_size};
    if (!rc) rc = run_scan(x, pq, opts, threads, hit_size, scan, &all);
    free(pq);
    if (rc) {
        free(all.v);
        return rc;
    }
    rank(x, &all, cmp, limit);
    *out = all.v;
    *n_out = all.n;
    return SDB_OK;
}

int sdb_search(const sdb_idx *x, const sdb_profile *query, const sdb_search_opts *o, sdb_hit **out,
               long *n_out, sdb_diag *d)
{
    return search_common(x, query, SDB_KIND_AUTOSOMAL, o, o->threads, o->limit, sizeof(sdb_hit),
                         scan_identity, cmp_hit, (void **)out, n_out, d);
}

/* ysearch through a probe: the candidate rows from block-key lookups, each
 * hit filled by the same row comparison as the scan. 1: the probe cannot
 * answer this query (off the packed path): scan. */
static int ysearch_probed(const sdb_idx *x, const sdb_profile *query, const sdb_ysearch_opts *o,
                          sdb_yhit **out, long *n_out, sdb_diag *d)
{
    long *rows, n_rows;
    int rc = yprobe_rows(o->probe, query, o->max_loci, o->max_steps, o->min_loci, &rows, &n_rows);
    if (rc) return rc;
    prepared *pq = malloc(sizeof *pq);
    hits all = {NULL, 0, 0, sizeof(sdb_yhit)};
    rc = pq ? prepare(x, query, SDB_KIND_Y, pq, d) : SDB_ENOMEM;
    job j = {x, pq, o, 0, 0, {NULL, 0, 0, sizeof(sdb_yhit)}, SDB_OK, scan_y};
    for (long i = 0; !rc && i < n_rows; i++) {
        sdb_yhit h;
        y_row(&j, rows[i], &h);
        rc = push_hit(&all, &h);
    }
    free(rows);
    free(pq);
    if (rc) {
        free(all.v);
        return rc;
    }
    rank(x, &all, cmp_yhit, o->limit);
    *out = all.v;
    *n_out = all.n;
    return SDB_OK;
}

int sdb_ysearch(const sdb_idx *x, const sdb_profile *query, const sdb_ysearch_opts *o,
                sdb_yhit **out, long *n_out, sdb_diag *d)
{
    *out = NULL;
    *n_out = 0;
    if (o->probe && yprobe_index(o->probe) == x && x->kind == SDB_KIND_Y &&
        yprobe_serves(o->probe, o->max_loci, o->min_loci)) {
        int rc = ysearch_probed(x, query, o, out, n_out, d);
        if (rc != 1) return rc;
    }
    return search_common(x, query, SDB_KIND_Y, o, o->threads, o->limit, sizeof(sdb_yhit), scan_y,
                         cmp_yhit, (void **)out, n_out, d);
}
