/* Identity and Y-STR searches. The query is translated into the index's
 * allele ids once. An identity search first walks the search order of the
 * index (src/index/order.c; the walk is below) to the ranges of rows whose
 * genotypes at the level loci can pass, then scans only those; a Y search
 * scans every row (or asks its probe, src/search/yprobe.c). Rows that did
 * not fit the packed layout (mixtures, Y duplications) take the same
 * predicate on their full allele lists. Ranges of rows run on separate
 * threads; the hits are merged and ranked afterwards, so the result does not
 * depend on threads. */
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#endif

#include "index/index_internal.h"
#include "strdb/search.h"

/* A locus's allele set: at most 254 distinct ids exist per locus (index.h),
 * so a set of 256 holds any target row; a query with more than QUERY_MAX
 * alleles at one locus is refused (prepare), never cut short. */
#define SET_MAX 256
#define QUERY_MAX 64

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
            aset_add(t, sdb_idx_allele_id(x, k, over->alleles[c->first + j]));
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
    sdb_allele codes[SDB_IDX_MAX_LOCI][QUERY_MAX]; /* Y: sorted allele codes */
    int n_codes[SDB_IDX_MAX_LOCI];
    int query_loci, outside;   /* query loci, and those the index lacks */
    sdb_stringency stringency; /* identity searches */
    int all_fast;              /* every active locus is a plain pair (identity) */
    /* the active loci in the order short ranges test them (src/index/order.c):
     * loci the walk does not filter first, then the levels, deepest first */
    int order[SDB_IDX_MAX_LOCI];
    /* the active loci in the order blocks scan them: the most likely to
     * fail first (pass_chance); a block takes its BLOCK_LEVELS shallowest
     * unsettled levels before them (block_order) */
    int scan[SDB_IDX_MAX_LOCI];
} prepared;

/* The chance that a row passes the query at locus k (untyped rows pass),
 * from the index's sampled allele shares a (rows holding the allele; an
 * allele's frequency is about a / 2). Only orders the scan. */
static double pass_chance(const sdb_idx *x, const prepared *pq, int k)
{
    const float *share = x->allele_share[k];
    if (!share || !pq->fast[k]) return 1;
    const uint8_t *q = pq->pair[k];
    double a0 = share[q[0]], a1 = q[1] != q[0] ? share[q[1]] : 0, hit;
    if (pq->stringency == SDB_STRINGENCY_LOW)
        hit = a0 + a1;
    else if (pq->stringency == SDB_STRINGENCY_MODERATE)
        hit = a1 ? (a0 + a1) * (a0 + a1) / 4 : a0;
    else
        hit = a1 ? a0 * a1 / 2 : a0 * a0 / 4;
    return x->untyped_share[k] + (hit < 1 ? hit : 1);
}

static int prepare(const sdb_idx *x, const sdb_profile *q, sdb_kind kind, const void *opts,
                   prepared *pq, sdb_diag *d)
{
    memset(pq, 0, sizeof *pq);
    if (kind == SDB_KIND_AUTOSOMAL) pq->stringency = ((const sdb_search_opts *)opts)->stringency;
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
        int k = sdb_idx_locus_pos(x, c->locus);
        if (k < 0) {
            pq->outside++;
            continue;
        }
        if (c->n > QUERY_MAX) {
            sdb_diag_set(d, NULL, 0, l->name, "%u alleles at one locus: a search takes at most %d",
                         c->n, QUERY_MAX);
            return SDB_EINVAL;
        }
        for (uint32_t j = 0; j < c->n; j++) {
            aset_add(&pq->q[k], sdb_idx_allele_id(x, k, q->alleles[c->first + j]));
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
    pq->all_fast = 1;
    for (int a = 0; a < pq->n_active; a++)
        pq->all_fast &= pq->fast[pq->active[a]];
    int n = 0, is_level[SDB_IDX_MAX_LOCI] = {0};
    for (int i = 0; i < x->n_levels; i++)
        is_level[x->level[i]] = 1;
    for (int a = 0; a < pq->n_active; a++)
        if (!is_level[pq->active[a]]) pq->order[n++] = pq->active[a];
    for (int i = x->n_levels - 1; i >= 0; i--)
        if (pq->q[x->level[i]].typed) pq->order[n++] = x->level[i];
    double chance[SDB_IDX_MAX_LOCI];
    for (int a = 0; a < pq->n_active; a++) { /* insertion sort by the chance to pass */
        int k = pq->active[a], i = a;
        chance[k] = kind == SDB_KIND_AUTOSOMAL ? pass_chance(x, pq, k) : 1;
        for (; i > 0 && chance[pq->scan[i - 1]] > chance[k]; i--)
            pq->scan[i] = pq->scan[i - 1];
        pq->scan[i] = k;
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

/* Ranges of rows [lo, hi) to scan. */
typedef struct span {
    long lo, hi;
    int verified; /* the first `verified` levels pass in every row (a K = 0 walk says so) */
} span;

typedef struct spans {
    span *v;
    long n, cap;
} spans;

static int push_span(spans *s, long lo, long hi, int verified)
{
    if (lo >= hi) return SDB_OK;
    if (s->n && s->v[s->n - 1].hi == lo) { /* adjacent: one range, verified as the lesser */
        s->v[s->n - 1].hi = hi;
        if (verified < s->v[s->n - 1].verified) s->v[s->n - 1].verified = verified;
        return SDB_OK;
    }
    if (s->n == s->cap) {
        long cap = s->cap ? 2 * s->cap : 64;
        span *t = realloc(s->v, (size_t)cap * sizeof *t);
        if (!t) return SDB_ENOMEM;
        s->v = t;
        s->cap = cap;
    }
    s->v[s->n++] = (span){lo, hi, verified};
    return SDB_OK;
}

typedef struct job {
    const sdb_idx *x;
    const prepared *pq;
    const void *opts;
    struct chunks *work; /* the rows, taken a chunk at a time (run_scan) */
    int verified;        /* of the chunk being scanned (span.verified) */
    hits out;
    int rc;
    void (*scan)(struct job *j, long begin, long end);
} job;

/* First overflow row >= r (an index into over_row). */
static long first_over(const sdb_idx *x, long r)
{
    long lo = 0, hi = x->n_over;
    while (lo < hi) {
        long mid = lo + (hi - lo) / 2;
        if (x->over_row[mid] < r)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

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
    const sdb_profile *over = x->n_over ? sdb_idx_overflow(x, r) : NULL;
    memset(h, 0, sizeof *h); /* padding too: hits are compared as bytes in tests */
    h->target = r;
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

static int simd_cap = -1; /* highest level allowed; -1: not decided yet */

int sdb_search_simd(int max_level)
{
    simd_cap = max_level < 0 ? SDB_SIMD_AVX512 : max_level;
    return sdb_search_simd_level();
}

void sdb_search_force_scalar(int on)
{
    sdb_search_simd(on ? SDB_SIMD_SCALAR : -1);
}

int sdb_search_simd_level(void)
{
    if (simd_cap < 0) {
        const char *env = getenv("SDB_FORCE_SCALAR");
        simd_cap = env && env[0] == '1' ? SDB_SIMD_SCALAR : SDB_SIMD_AVX512;
    }
    int have = SDB_SIMD_SCALAR;
#if defined(__x86_64__) && defined(__GNUC__)
    if (__builtin_cpu_supports("avx2")) have = SDB_SIMD_AVX2;
    if (have && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw"))
        have = SDB_SIMD_AVX512;
#endif
    return have < simd_cap ? have : simd_cap;
}

int sdb_search_use_avx2(void)
{
    return sdb_search_simd_level() >= SDB_SIMD_AVX2;
}

static column_fn pick_column(void)
{
#if defined(__x86_64__) && defined(__GNUC__)
    if (sdb_search_use_avx2()) return column_avx2;
#endif
    return column_scalar;
}

/* Pass masks, for searches without mismatches: for the whole words of a
 * block listed in live (64 rows each), alive[w] &= the rows that pass the locus:
 * untyped rows and wildcards pass (wildcard rows are finished exactly by
 * identity_row, as every row left is), typed rows pass pair_ok. Scalar
 * twin, AVX2 and AVX-512BW. */
typedef int (*pass_fn)(const uint8_t *col, const uint8_t *next, uint16_t *live, int n_live,
                       uint8_t q0, uint8_t q1, sdb_stringency s, uint64_t *alive);

/* After a word: keeps it in the live list (shortened in place) while any of
 * its rows is alive, and prefetches its alive lines in the next locus's
 * column (NULL: none), which the next kernel call will read. */
static inline __attribute__((always_inline)) void
keep_word(const uint64_t *alive, long w, const uint8_t *next, uint16_t *live, int *n)
{
    if (!alive[w]) return;
    live[(*n)++] = (uint16_t)w;
    if (!next) return;
    if ((uint32_t)alive[w]) __builtin_prefetch(next + 128 * w);
    if (alive[w] >> 32) __builtin_prefetch(next + 128 * w + 64);
}

static int row_passes(const uint8_t *t, const uint8_t *q, sdb_stringency s)
{
    return t[0] == SDB_IDX_UNTYPED || t[1] == SDB_IDX_WILDCARD || pair_ok(q, t, s);
}

static int pass_scalar(const uint8_t *col, const uint8_t *next, uint16_t *live, int n_live,
                       uint8_t q0, uint8_t q1, sdb_stringency s, uint64_t *alive)
{
    const uint8_t q[2] = {q0, q1};
    int n = 0;
    for (int i = 0; i < n_live; i++) {
        long w = live[i];
        uint64_t m = 0;
        for (int r = 0; r < 64; r++)
            m |= (uint64_t)row_passes(col + 2 * (64 * w + r), q, s) << r;
        alive[w] &= m;
        keep_word(alive, w, next, live, &n);
    }
    return n;
}

#if defined(__x86_64__) && defined(__GNUC__)
/* 16 rows (16-bit lanes t0 | t1 << 8): all ones where the row passes. */
__attribute__((target("avx2"))) static inline __m256i pass16_avx2(__m256i v, uint8_t q0, uint8_t q1,
                                                                  sdb_stringency s)
{
    const __m256i zero = _mm256_setzero_si256(), ones = _mm256_set1_epi8(-1);
    __m256i e0 = _mm256_cmpeq_epi8(v, _mm256_set1_epi8((char)q0)),
            e1 = _mm256_cmpeq_epi8(v, _mm256_set1_epi8((char)q1)), e = _mm256_or_si256(e0, e1), ok;
    if (s == SDB_STRINGENCY_HIGH) /* the same pair */
        ok = _mm256_cmpeq_epi16(v, _mm256_set1_epi16((short)(q0 | q1 << 8)));
    else if (s == SDB_STRINGENCY_LOW) /* an allele in common */
        ok = _mm256_xor_si256(_mm256_cmpeq_epi16(e, zero), ones);
    else /* both target alleles in the query, or both query alleles in the target */
        ok = _mm256_or_si256(
            _mm256_cmpeq_epi16(e, ones),
            _mm256_xor_si256(
                _mm256_or_si256(_mm256_cmpeq_epi16(e0, zero), _mm256_cmpeq_epi16(e1, zero)), ones));
    __m256i untyped = _mm256_cmpeq_epi16(v, zero),
            wild = _mm256_cmpeq_epi16(_mm256_or_si256(v, _mm256_set1_epi16(0x00FF)), ones);
    return _mm256_or_si256(ok, _mm256_or_si256(untyped, wild));
}

__attribute__((target("avx2"))) static int pass_avx2(const uint8_t *col, const uint8_t *next,
                                                     uint16_t *live, int n_live, uint8_t q0,
                                                     uint8_t q1, sdb_stringency s, uint64_t *alive)
{
    int n = 0;
    for (int i = 0; i < n_live; i++) {
        long w = live[i];
        uint64_t m = 0;
        for (int h = 0; h < 2; h++) { /* 32 rows: two 16-lane halves packed to bytes */
            if (!(uint32_t)(alive[w] >> 32 * h)) continue; /* that cache line is dead */
            const uint8_t *c = col + 128 * w + 64 * h;
            __m256i a = pass16_avx2(_mm256_loadu_si256((const __m256i *)c), q0, q1, s),
                    b = pass16_avx2(_mm256_loadu_si256((const __m256i *)(c + 32)), q0, q1, s),
                    p = _mm256_permute4x64_epi64(_mm256_packs_epi16(a, b), 0xD8);
            m |= (uint64_t)(uint32_t)_mm256_movemask_epi8(p) << 32 * h;
        }
        alive[w] &= m;
        keep_word(alive, w, next, live, &n);
    }
    return n;
}

/* 32 rows: bit r set where row r passes. */
__attribute__((target("avx512f,avx512bw"))) static inline __mmask32
pass32_avx512(__m512i v, uint8_t q0, uint8_t q1, sdb_stringency s)
{
    __mmask64 e0 = _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8((char)q0)),
              e1 = _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8((char)q1));
    __m512i e = _mm512_movm_epi8(e0 | e1);
    __mmask32 ok;
    if (s == SDB_STRINGENCY_HIGH)
        ok = _mm512_cmpeq_epi16_mask(v, _mm512_set1_epi16((short)(q0 | q1 << 8)));
    else if (s == SDB_STRINGENCY_LOW)
        ok = _mm512_test_epi16_mask(e, e);
    else {
        __m512i a0 = _mm512_movm_epi8(e0), a1 = _mm512_movm_epi8(e1);
        ok = _mm512_cmpeq_epi16_mask(e, _mm512_set1_epi8(-1)) |
             (_mm512_test_epi16_mask(a0, a0) & _mm512_test_epi16_mask(a1, a1));
    }
    return ok | _mm512_testn_epi16_mask(v, v) |
           _mm512_cmpge_epu16_mask(v, _mm512_set1_epi16((short)0xFF00));
}

__attribute__((target("avx512f,avx512bw"))) static int
pass_avx512(const uint8_t *col, const uint8_t *next, uint16_t *live, int n_live, uint8_t q0,
            uint8_t q1, sdb_stringency s, uint64_t *alive)
{
    int n = 0;
    for (int i = 0; i < n_live; i++) {
        long w = live[i];
        const uint8_t *c = col + 128 * w; /* a half (one cache line) only while alive */
        uint64_t lo = (uint32_t)alive[w]
                          ? pass32_avx512(_mm512_loadu_si512((const void *)c), q0, q1, s)
                          : 0,
                 hi = alive[w] >> 32
                          ? pass32_avx512(_mm512_loadu_si512((const void *)(c + 64)), q0, q1, s)
                          : 0;
        alive[w] &= lo | hi << 32;
        keep_word(alive, w, next, live, &n);
    }
    return n;
}
#endif

static pass_fn pick_pass(void)
{
    int level = sdb_search_simd_level();
    (void)level;
#if defined(__x86_64__) && defined(__GNUC__)
    if (level >= SDB_SIMD_AVX512) return pass_avx512;
    if (level >= SDB_SIMD_AVX2) return pass_avx2;
#endif
    return pass_scalar;
}

/* Rows per group: what a block scan drops as a whole once no row in it can
 * hit any more (64 rows: two cache lines of a locus column). */
#define GROUP 64

/* The groups of alive (bit g: rows [64 g, 64 g + 64) of a block of n) that
 * still hold a row with at most kmax mismatches, or a row flagged slow
 * (its counters do not tell). Twins as the column kernels. */
static inline __attribute__((always_inline)) uint64_t
alive_body(const uint8_t *mism, const uint8_t *slow, long n, uint64_t alive, uint8_t kmax)
{
    for (uint64_t rest = alive; rest; rest &= rest - 1) {
        int g = __builtin_ctzll(rest);
        long lo = (long)g * GROUP, hi = lo + GROUP < n ? lo + GROUP : n;
        uint8_t least = 255;
        for (long r = lo; r < hi; r++) {
            uint8_t v = (uint8_t)(mism[r] & (uint8_t)(slow[r] - 1)); /* slow: 0 */
            least = v < least ? v : least;
        }
        if (least > kmax) alive &= ~(1ULL << g);
    }
    return alive;
}

typedef uint64_t (*alive_fn)(const uint8_t *, const uint8_t *, long, uint64_t, uint8_t);

#if defined(__GNUC__) && !defined(__clang__)
__attribute__((optimize("no-tree-vectorize")))
#endif
static uint64_t
alive_scalar(const uint8_t *mism, const uint8_t *slow, long n, uint64_t alive, uint8_t kmax)
{
    return alive_body(mism, slow, n, alive, kmax);
}

#if defined(__x86_64__) && defined(__GNUC__)
__attribute__((target("avx2"))) VECTORISE static uint64_t
alive_avx2(const uint8_t *mism, const uint8_t *slow, long n, uint64_t alive, uint8_t kmax)
{
    return alive_body(mism, slow, n, alive, kmax);
}
#endif

static alive_fn pick_alive(void)
{
#if defined(__x86_64__) && defined(__GNUC__)
    if (sdb_search_use_avx2()) return alive_avx2;
#endif
    return alive_scalar;
}

/* Blocks of rows: every fast query locus runs its column kernel over the
 * block, then rows flagged slow (wildcards, overflow rows) or any block when
 * the query itself needs the slow path are evaluated row by row. */
/* Short ranges (most of what a walk leaves) row by row instead: a row is
 * dropped as soon as more than max_mismatch loci fail (pair_ok, loci in
 * pq->order); the few rows left are counted exactly by identity_row. Only
 * for queries of plain pairs over rows without overflow; a wildcard in a
 * row sends the row to identity_row. */
#define SHORT_RANGE 128

static inline __attribute__((always_inline)) int
row_may_hit(const sdb_idx *x, const prepared *pq, long r, sdb_stringency s, int max_mismatch)
{
    int miss = 0;
    for (int a = 0; a < pq->n_active; a++) {
        int k = pq->order[a];
        const uint8_t *t = x->col[k] + 2 * (size_t)r;
        if (t[0] == SDB_IDX_UNTYPED) continue;
        if (t[1] == SDB_IDX_WILDCARD) return 1;
        if (!pair_ok(pq->pair[k], t, s) && ++miss > max_mismatch) return 0;
    }
    return 1;
}

static inline __attribute__((always_inline)) void short_body(job *j, long begin, long end,
                                                             sdb_stringency s)
{
    const sdb_search_opts *o = j->opts;
    for (long r = begin; r < end && !j->rc; r++) {
        if (!row_may_hit(j->x, j->pq, r, s, o->max_mismatch)) continue;
        sdb_hit h;
        identity_row(j, r, &h);
        if (h.mismatching <= o->max_mismatch && h.shared >= o->min_loci)
            j->rc = push_hit(&j->out, &h);
    }
}

static void scan_short(job *j, long begin, long end)
{
    switch (((const sdb_search_opts *)j->opts)->stringency) {
    case SDB_STRINGENCY_HIGH: short_body(j, begin, end, SDB_STRINGENCY_HIGH); break;
    case SDB_STRINGENCY_MODERATE: short_body(j, begin, end, SDB_STRINGENCY_MODERATE); break;
    default: short_body(j, begin, end, SDB_STRINGENCY_LOW); break;
    }
}

/* Levels whose key is the same in every row of the block [b, b + n) (the
 * walk left such blocks: rows sorted by the levels' keys, so a level is
 * constant where it and every level above it agree at both ends): counted
 * once for all rows into *shared and *mism, and marked settled. */
static void settle_levels(const sdb_idx *x, const prepared *pq, sdb_stringency st, long b, long n,
                          int *settled, int *shared, int *mism)
{
    if (b + n > x->n_sorted) return;
    for (int i = 0; i < x->n_levels; i++) {
        int k = x->level[i];
        const uint8_t *t = x->col[k] + 2 * b;
        if (idx_key(x, k, b) != idx_key(x, k, b + n - 1) || t[1] == SDB_IDX_WILDCARD) return;
        if (!pq->q[k].typed) continue;
        settled[k] = 1;
        if (t[0] == SDB_IDX_UNTYPED) continue;
        (*shared)++;
        *mism += !pair_ok(pq->pair[k], t, st);
    }
}

/* The unsettled query loci of a block in the order to scan them: first the
 * BLOCK_LEVELS shallowest levels the block has not settled (their keys run
 * in stretches of many rows there, so failing rows come in whole words and
 * cache lines), then the others in pq->scan order. Returns how many. */
#define BLOCK_LEVELS 2

static int block_order(const sdb_idx *x, const prepared *pq, const int *settled, int *order)
{
    int n = 0, taken[SDB_IDX_MAX_LOCI] = {0};
    for (int i = 0; i < x->n_levels && n < BLOCK_LEVELS; i++) {
        int k = x->level[i];
        if (pq->q[k].typed && !settled[k]) taken[k] = 1, order[n++] = k;
    }
    for (int a = 0; a < pq->n_active; a++)
        if (!settled[pq->scan[a]] && !taken[pq->scan[a]]) order[n++] = pq->scan[a];
    return n;
}

/* One block of plain-pair query loci: settled levels first, then each other
 * locus (pq->scan order) runs its column kernel over the groups still alive;
 * a group is dropped once none of its rows can hit. The block's counters
 * are the per-row ones plus the settled ones. Returns the alive groups. */
static uint64_t scan_block(const job *j, long b, long n, uint8_t *shared, uint8_t *mism,
                           uint8_t *slow, int *c_shared, int *c_mism)
{
    const sdb_idx *x = j->x;
    const sdb_search_opts *o = j->opts;
    const prepared *pq = j->pq;
    column_fn column = pick_column();
    alive_fn still_alive = pick_alive();
    int settled[SDB_IDX_MAX_LOCI] = {0};
    settle_levels(x, pq, o->stringency, b, n, settled, c_shared, c_mism);
    if (*c_mism > o->max_mismatch) return 0;
    long groups = (n + GROUP - 1) / GROUP;
    uint64_t alive = groups == 64 ? ~0ULL : (1ULL << groups) - 1;
    int order[SDB_IDX_MAX_LOCI], n_order = block_order(x, pq, settled, order);
    for (int a = 0; a < n_order && alive; a++) {
        int k = order[a];
        for (uint64_t rest = alive; rest;) { /* runs of alive groups */
            int g = __builtin_ctzll(rest);
            uint64_t run = rest >> g;
            int len = ~run ? __builtin_ctzll(~run) : 64 - g;
            long lo = (long)g * GROUP, hi = (long)(g + len) * GROUP < n ? (g + len) * GROUP : n;
            column(x->col[k] + 2 * (b + lo), hi - lo, pq->pair[k][0], pq->pair[k][1], o->stringency,
                   shared + lo, mism + lo, slow + lo);
            rest = g + len == 64 ? 0 : rest & ~(((1ULL << len) - 1) << g);
        }
        alive = still_alive(mism, slow, n, alive, (uint8_t)(o->max_mismatch - *c_mism));
    }
    return alive;
}

/* Rows per block of the pass-mask scan (measured at 3 M profiles: 4,096 and
 * 65,536 both slower than this). */
#define PASS_BLOCK 16384

/* Prefetches the cache lines (32 rows each) of a column that hold alive
 * rows (the first locus of a block; the kernels prefetch the next locus's
 * lines of the words they keep, while they run: ranges are short and
 * scattered, which the hardware prefetcher does not follow). */
static void prefetch_alive(const uint8_t *col, const uint64_t *alive, const uint16_t *live,
                           int n_live)
{
    for (int i = 0; i < n_live; i++) {
        long w = live[i];
        if ((uint32_t)alive[w]) __builtin_prefetch(col + 128 * w);
        if (alive[w] >> 32) __builtin_prefetch(col + 128 * w + 64);
    }
}

/* A block of the sorted rows for a query of plain pairs and no mismatch
 * allowed: settled levels, then each other locus clears the rows that fail
 * it from the block's alive bits (the live list of whole words of 64 rows,
 * shortened as words die; the last few rows one by one); the rows left are
 * counted exactly by identity_row. */
static void scan_block_pass(job *j, long b, long n)
{
    const sdb_idx *x = j->x;
    const sdb_search_opts *o = j->opts;
    const prepared *pq = j->pq;
    pass_fn pass = pick_pass();
    int settled[SDB_IDX_MAX_LOCI] = {0}, c_shared = 0, c_mism = 0;
    for (int i = 0; i < j->verified && i < x->n_levels; i++) /* the walk passed them */
        settled[x->level[i]] = 1;
    settle_levels(x, pq, o->stringency, b, n, settled, &c_shared, &c_mism);
    if (c_mism) return;
    int words = (int)(n / 64), n_live = words, tail = (int)(n % 64);
    uint64_t alive[PASS_BLOCK / 64 + 1];
    uint16_t live[PASS_BLOCK / 64 + 1];
    for (int w = 0; w <= words; w++) {
        alive[w] = w < words ? ~0ULL : tail ? (1ULL << tail) - 1 : 0;
        live[w] = (uint16_t)w; /* live[words]: the tail, for prefetching */
    }
    int order[SDB_IDX_MAX_LOCI], n_order = block_order(x, pq, settled, order);
    if (n_order) prefetch_alive(x->col[order[0]] + 2 * b, alive, live, n_live + 1);
    for (int a = 0; a < n_order && (n_live || alive[words]); a++) {
        int k = order[a];
        const uint8_t *col = x->col[k] + 2 * b,
                      *next = a + 1 < n_order ? x->col[order[a + 1]] + 2 * b : NULL;
        n_live =
            pass(col, next, live, n_live, pq->pair[k][0], pq->pair[k][1], o->stringency, alive);
        for (uint64_t rest = alive[words]; rest; rest &= rest - 1) {
            long r = 64L * words + __builtin_ctzll(rest);
            if (!row_passes(col + 2 * r, pq->pair[k], o->stringency))
                alive[words] &= ~(1ULL << (r & 63));
        }
    }
    for (int w = 0; w <= words && !j->rc; w++)
        for (uint64_t rest = alive[w]; rest && !j->rc; rest &= rest - 1) {
            sdb_hit h;
            identity_row(j, b + 64L * w + __builtin_ctzll(rest), &h);
            if (h.mismatching <= o->max_mismatch && h.shared >= o->min_loci)
                j->rc = push_hit(&j->out, &h);
        }
}

static void scan_identity(job *j, long begin, long end)
{
    const sdb_idx *x = j->x;
    const sdb_search_opts *o = j->opts;
    const prepared *pq = j->pq;
    int all_fast = pq->all_fast;
    long next_over = first_over(x, begin);
    if (all_fast && end - begin < SHORT_RANGE &&
        (next_over == x->n_over || x->over_row[next_over] >= end)) {
        scan_short(j, begin, end);
        return;
    }
    /* rows before the first overflow row (and sorted: small indexes are not)
     * take the pass masks */
    long plain = next_over < x->n_over ? x->over_row[next_over] : x->n;
    if (plain > x->n_sorted) plain = x->n_sorted;
    if (all_fast && o->max_mismatch == 0 && begin < plain) {
        long stop = end < plain ? end : plain;
        for (long b = begin; b < stop && !j->rc; b += PASS_BLOCK)
            scan_block_pass(j, b, stop - b < PASS_BLOCK ? stop - b : PASS_BLOCK);
        begin = stop;
    }
    uint8_t shared[BLOCK], mism[BLOCK], slow[BLOCK];
    for (long b = begin; b < end && !j->rc; b += BLOCK) {
        long n = end - b < BLOCK ? end - b : BLOCK;
        memset(shared, 0, (size_t)n);
        memset(mism, 0, (size_t)n);
        memset(slow, all_fast ? 0 : 1, (size_t)n);
        for (; next_over < x->n_over && x->over_row[next_over] < b + n; next_over++)
            slow[x->over_row[next_over] - b] = 1;
        int c_shared = 0, c_mism = 0;
        uint64_t alive = ~0ULL; /* without fast loci every row takes the slow path */
        if (all_fast) alive = scan_block(j, b, n, shared, mism, slow, &c_shared, &c_mism);
        for (; alive && !j->rc; alive &= alive - 1) {
            long lo = (long)__builtin_ctzll(alive) * GROUP, hi = lo + GROUP < n ? lo + GROUP : n;
            for (long i = lo; i < hi && !j->rc; i++) {
                sdb_hit h;
                if (slow[i]) {
                    identity_row(j, b + i, &h);
                } else {
                    memset(&h, 0, sizeof h);
                    h.target = b + i;
                    h.shared = shared[i] + c_shared;
                    h.mismatching = mism[i] + c_mism;
                    h.matching = h.shared - h.mismatching;
                }
                if (h.mismatching <= o->max_mismatch && h.shared >= o->min_loci)
                    j->rc = push_hit(&j->out, &h);
            }
        }
    }
}

/* Y locus comparison: sorted allele codes of the query and of the target. */
void sdb_idx_y_compare(const sdb_allele *a, int na, const sdb_allele *b, int nb, int *differs,
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
int sdb_idx_y_alleles(const sdb_idx *x, long r, int k, const sdb_profile *over, sdb_allele *out)
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
    const sdb_profile *over = x->n_over ? sdb_idx_overflow(x, r) : NULL;
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
            int nt = sdb_idx_y_alleles(x, r, k, over, t);
            if (!nt) {
                h.missing++;
                continue;
            }
            sdb_idx_y_compare(pq->codes[k], pq->n_codes[k], t, nt, &differs, &steps);
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

static void scan_y(job *j, long begin, long end)
{
    const sdb_idx *x = j->x;
    const sdb_ysearch_opts *o = j->opts;
    const prepared *pq = j->pq;
    ycol_fn kernel = ycol_scalar;
#if defined(__x86_64__) && defined(__GNUC__)
    if (sdb_search_use_avx2()) kernel = ycol_avx2;
#endif
    int all_fast = 1;
    for (int a = 0; a < pq->n_active; a++) {
        int k = pq->active[a];
        all_fast &= pq->yfast[k] && x->width[k] <= 2;
    }
    uint8_t cmp[BLOCK], dif[BLOCK], mis[BLOCK], slow[BLOCK];
    uint16_t stp[BLOCK];
    long next_over = first_over(x, begin);
    for (long b = begin; b < end && !j->rc; b += BLOCK) {
        long n = end - b < BLOCK ? end - b : BLOCK;
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

/* Rows a thread takes at a time: the spans are cut into chunks of about an
 * eighth of a thread's share (at least CHUNK_MIN rows), taken in turn from a
 * shared counter, so that a thread whose rows are cheap (dead words, settled
 * blocks) takes more of them. */
#define CHUNK_MIN 16384

typedef struct chunks {
    const span *v;
    long n, next; /* next: the first chunk not taken */
} chunks;

static void *run_job(void *arg)
{
    job *j = arg;
    chunks *c = j->work;
    long i;
    while (!j->rc && (i = __atomic_fetch_add(&c->next, 1, __ATOMIC_RELAXED)) < c->n) {
        j->verified = c->v[i].verified;
        j->scan(j, c->v[i].lo, c->v[i].hi);
    }
    return NULL;
}

static int job_part(void *jobs, int k)
{
    run_job(&((job *)jobs)[k]);
    return SDB_OK;
}

/* Fewer rows than this run on the calling thread alone. */
#define MIN_ROWS_PER_THREAD 32768

/* Runs the scan over the rows of `all` on `threads` threads taking chunks
 * in turn, and concatenates the hits (ranked afterwards, so their order
 * here does not matter). A thread that cannot start leaves its chunks to
 * the others. */
static int run_scan(const sdb_idx *x, const prepared *pq, const void *opts, int threads,
                    const spans *rows, size_t hit_size, void (*scan)(job *, long, long), hits *all)
{
    long total = 0;
    for (long i = 0; i < rows->n; i++)
        total += rows->v[i].hi - rows->v[i].lo;
    int t = threads < 1 ? 1 : threads > SDB_MAX_THREADS ? SDB_MAX_THREADS : threads;
    if (total / t < MIN_ROWS_PER_THREAD) t = total > MIN_ROWS_PER_THREAD ? 2 : 1;
    if (t > threads) t = threads < 1 ? 1 : threads;
    long size = total / (8L * t) > CHUNK_MIN ? total / (8L * t) : CHUNK_MIN, n = 0;
    for (long i = 0; i < rows->n; i++)
        n += (rows->v[i].hi - rows->v[i].lo + size - 1) / size;
    span *cut = malloc((size_t)(n + 1) * sizeof *cut);
    if (!cut) return SDB_ENOMEM;
    chunks c = {cut, 0, 0};
    for (long i = 0; i < rows->n; i++)
        for (long lo = rows->v[i].lo; lo < rows->v[i].hi; lo += size)
            cut[c.n++] = (span){lo, lo + size < rows->v[i].hi ? lo + size : rows->v[i].hi,
                                rows->v[i].verified};
    job jobs[SDB_MAX_THREADS];
    for (int k = 0; k < t; k++)
        jobs[k] = (job){x, pq, opts, &c, 0, {NULL, 0, 0, hit_size}, SDB_OK, scan};
    int rc = sdb_parallel_for(t, job_part, jobs);
    free(cut);
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
    int c = strcmp(sdb_idx_sample_id(arg, x->target), sdb_idx_sample_id(arg, y->target));
    return c ? c
             : (x->target > y->target) -
                   (x->target < y->target); /* threads take rows in any order */
}

static int cmp_yhit(const void *a, const void *b, void *arg)
{
    const sdb_yhit *x = a, *y = b;
    if (x->differing != y->differing) return x->differing - y->differing;
    if (x->steps != y->steps) return x->steps - y->steps;
    if (x->compared != y->compared) return y->compared - x->compared;
    int c = strcmp(sdb_idx_sample_id(arg, x->target), sdb_idx_sample_id(arg, y->target));
    return c ? c : (x->target > y->target) - (x->target < y->target);
}

static void rank(const sdb_idx *x, hits *h, int (*cmp)(const void *, const void *, void *),
                 long limit)
{
    if (h->n > 1) qsort_r(h->v, (size_t)h->n, h->size, cmp, (void *)x);
    if (limit > 0 && h->n > limit) h->n = limit;
}

/* Shared by both searches: translate the query, choose the rows (all, or
 * those rows_of picks), scan them, rank. */
static int search_common(const sdb_idx *x, const sdb_profile *query, sdb_kind kind,
                         const void *opts, int threads, long limit, size_t hit_size,
                         int (*rows_of)(const sdb_idx *, const prepared *, const void *, spans *),
                         void (*scan)(job *, long, long),
                         int (*cmp)(const void *, const void *, void *), void **out, long *n_out,
                         sdb_diag *d)
{
    *out = NULL;
    *n_out = 0;
    if (x->kind != kind) return SDB_EINVAL;
    prepared *pq = malloc(sizeof *pq);
    if (!pq) return SDB_ENOMEM;
    int rc = prepare(x, query, kind, opts, pq, d);
    hits all = {NULL, 0, 0, hit_size};
    spans rows = {NULL, 0, 0};
    if (!rc) rc = rows_of ? rows_of(x, pq, opts, &rows) : push_span(&rows, 0, x->n, 0);
    if (!rc) rc = run_scan(x, pq, opts, threads, &rows, hit_size, scan, &all);
    free(rows.v);
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

/* ---- the walk over the search order (src/index/order.c) ------------------------
 *
 * Rows [0, n_sorted) are sorted by their genotype keys (two ids) at the loci
 * level[0], level[1], ...: a trie. Per level, the keys that pass the query
 * at that locus (the stringency's test on the key's allele set; untyped keys
 * never fail; every key when the query does not type the locus) form a few
 * intervals of keys. Walking the trie with at most max_mismatch failing
 * levels on the way visits exactly the ranges whose rows can be hits; the
 * scan then tests them at every locus (so the walk only has to be
 * conservative: it drops a row only when more than max_mismatch of the
 * level loci fail, which rules the row out). Ranges of at most LEAF rows are
 * scanned whole: the block scan drops failing rows a word at a time, and
 * cheaply where a level's keys run in long stretches, so deeper walking
 * gains little (measured, 3 M profiles: moderate p99 2.2 ms at 96 rows, 0.8
 * at 16,384; high the same from 96 to 16,384). */
#define LEAF 8192
/* Low stringency passes most genotypes at every level, so walking deep
 * costs more than it saves; its walk stops at larger ranges. */
#define LEAF_LOW 65536

typedef struct lplan {
    uint16_t *lo, *hi; /* passing keys, as ascending intervals */
    int n;
    uint64_t ok[1024]; /* passing keys as a bitmap (walks with mismatches left) */
} lplan;

typedef struct walker {
    const sdb_idx *x;
    lplan *lv;
    spans *out;
    long leaf; /* ranges of at most this many rows are scanned whole */
    int max_mismatch;
    int rc;
} walker;

/* Adds one key (ascending) to the level's intervals. */
static void plan_key(lplan *L, unsigned key, int ok, int *open, int bitmap)
{
    if (ok && *open)
        L->hi[L->n - 1] = (uint16_t)key;
    else if (ok) {
        L->lo[L->n] = L->hi[L->n] = (uint16_t)key;
        L->n++;
    }
    *open = ok;
    if (ok && bitmap) L->ok[key >> 6] |= 1ULL << (key & 63);
}

/* The keys of one level that pass the query: every key the index can hold,
 * in ascending order ((0,0) untyped, then (t0, t1) with t0 <= t1 among the
 * dictionary's ids and the wildcard 255), tested and merged into intervals. */
static int plan_level(const sdb_idx *x, const prepared *pq, sdb_stringency st, int k, lplan *L,
                      int bitmap)
{
    int nc = x->n_codes[k], m = 0, open = 0;
    long cap = (long)(nc + 1) * (nc + 2) / 2 + 2;
    uint8_t ids[256];
    for (int i = 1; i <= nc; i++)
        ids[m++] = (uint8_t)i;
    ids[m++] = SDB_IDX_WILDCARD;
    L->n = 0;
    L->lo = malloc((size_t)cap * sizeof *L->lo);
    L->hi = malloc((size_t)cap * sizeof *L->hi);
    if (!L->lo || !L->hi) return SDB_ENOMEM;
    if (bitmap) memset(L->ok, 0, sizeof L->ok);
    const aset *q = &pq->q[k];
    plan_key(L, 0, 1, &open, bitmap); /* untyped never fails */
    for (int a = 0; a < m; a++)
        for (int b = a; b < m; b++) {
            uint8_t t[2] = {ids[a], ids[b]};
            int ok;
            if (!q->typed) {
                ok = 1;
            } else if (pq->fast[k] && t[1] != SDB_IDX_WILDCARD) {
                ok = pair_ok(pq->pair[k], t, st);
            } else {
                aset ts;
                memset(&ts, 0, sizeof ts);
                aset_add(&ts, t[0]);
                aset_add(&ts, t[1]);
                ok = locus_ok(q, &ts, st);
            }
            plan_key(L, (unsigned)t[0] << 8 | t[1], ok, &open, bitmap);
        }
    return SDB_OK;
}

/* First row in [lo, hi) whose key at locus k is >= key (keys ascend there):
 * galloping from lo, as the walk moves forward. */
static long key_bound(const sdb_idx *x, int k, long lo, long hi, unsigned key)
{
    if (lo >= hi || idx_key(x, k, lo) >= key) return lo;
    long a = lo, step = 1; /* key(a) < key */
    while (a + step < hi && idx_key(x, k, a + step) < key) {
        a += step;
        step *= 2;
    }
    long b = a + step < hi ? a + step : hi;
    a++;
    while (a < b) {
        long mid = a + (b - a) / 2;
        if (idx_key(x, k, mid) < key)
            a = mid + 1;
        else
            b = mid;
    }
    return a;
}

/* First interval of L at or after i whose upper end is >= key. */
static int next_interval(const lplan *L, int i, unsigned key)
{
    int lo = i, hi = L->n;
    while (lo < hi) {
        int mid = lo + (hi - lo) / 2;
        if (L->hi[mid] < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static void walk(walker *w, int lv, long lo, long hi, int budget);

/* The children of one node (one key each) in [a, b) at level lv. */
static void walk_children(walker *w, int lv, long a, long b, int budget)
{
    const sdb_idx *x = w->x;
    int k = x->level[lv];
    for (long c = a; c < b && !w->rc;) {
        unsigned key = idx_key(x, k, c);
        long e = key_bound(x, k, c, b, key + 1);
        int fails = budget > 0 && !(w->lv[lv].ok[key >> 6] >> (key & 63) & 1);
        walk(w, lv + 1, c, e, budget - fails);
        c = e;
    }
}

static void walk(walker *w, int lv, long lo, long hi, int budget)
{
    const sdb_idx *x = w->x;
    if (w->rc || lo >= hi) return;
    if (lv == x->n_levels || hi - lo <= w->leaf) {
        w->rc = push_span(w->out, lo, hi, w->max_mismatch ? 0 : lv);
        return;
    }
    if (budget > 0) { /* every child; failing ones spend one mismatch */
        walk_children(w, lv, lo, hi, budget);
        return;
    }
    int k = x->level[lv];
    const lplan *L = &w->lv[lv];
    long p = lo;
    for (int i = next_interval(L, 0, idx_key(x, k, p)); i < L->n && p < hi && !w->rc;) {
        long a = key_bound(x, k, p, hi, L->lo[i]);
        long b = key_bound(x, k, a, hi, (unsigned)L->hi[i] + 1);
        if (b - a <= w->leaf || lv + 1 == x->n_levels)
            w->rc = push_span(w->out, a, b, lv + 1);
        else if (L->lo[i] == L->hi[i])
            walk(w, lv + 1, a, b, 0);
        else
            walk_children(w, lv, a, b, 0);
        p = b;
        if (p < hi) i = next_interval(L, i + 1, idx_key(x, k, p));
    }
}

/* The first two levels through the index's directory of their nodes
 * (src/index/order.c): every node whose two keys pass is a range verified
 * at both levels, walked further when larger than the leaf. No binary
 * searches: the directory is small and read in order. K = 0 only. */
static void walk_directory(walker *w)
{
    const sdb_idx *x = w->x;
    const uint64_t *ok0 = w->lv[0].ok, *ok1 = w->lv[1].ok;
    for (long e = 0; e < x->n_dir && !w->rc; e++) {
        unsigned k0 = x->dir_key[2 * e], k1 = x->dir_key[2 * e + 1];
        if (!(ok0[k0 >> 6] >> (k0 & 63) & 1) || !(ok1[k1 >> 6] >> (k1 & 63) & 1)) continue;
        long lo = x->dir_lo[e], hi = e + 1 < x->n_dir ? (long)x->dir_lo[e + 1] : x->n_sorted;
        if (hi - lo > w->leaf && x->n_levels > 2)
            walk(w, 2, lo, hi, 0);
        else
            w->rc = push_span(w->out, lo, hi, 2);
    }
}

/* The rows an identity search must scan: the ranges of the walk, and the
 * overflow rows after the sorted ones. */
static int identity_rows(const sdb_idx *x, const prepared *pq, const void *opts, spans *out)
{
    const sdb_search_opts *o = opts;
    if (!x->n_levels) return push_span(out, 0, x->n, 0);
    lplan *lv = calloc((size_t)x->n_levels, sizeof *lv);
    int rc = lv ? SDB_OK : SDB_ENOMEM;
    for (int i = 0; !rc && i < x->n_levels; i++) /* bitmaps for the directory and for K > 0 */
        rc = plan_level(x, pq, o->stringency, x->level[i], &lv[i],
                        o->max_mismatch > 0 || (x->n_dir && i < 2));
    walker w = {x, lv, out, o->stringency == SDB_STRINGENCY_LOW ? LEAF_LOW : LEAF, o->max_mismatch,
                rc};
    if (!rc && x->n_dir && !o->max_mismatch)
        walk_directory(&w);
    else if (!rc)
        walk(&w, 0, 0, x->n_sorted, o->max_mismatch);
    rc = w.rc;
    if (!rc) rc = push_span(out, x->n_sorted, x->n, 0);
    for (int i = 0; lv && i < x->n_levels; i++) {
        free(lv[i].lo);
        free(lv[i].hi);
    }
    free(lv);
    return rc;
}

int sdb_search(const sdb_idx *x, const sdb_profile *query, const sdb_search_opts *o, sdb_hit **out,
               long *n_out, sdb_diag *d)
{
    return search_common(x, query, SDB_KIND_AUTOSOMAL, o, o->threads, o->limit, sizeof(sdb_hit),
                         identity_rows, scan_identity, cmp_hit, (void **)out, n_out, d);
}

/* ysearch through a probe: the candidate rows from block-key lookups, each
 * hit filled by the same row comparison as the scan. 1: the probe cannot
 * answer this query (off the packed path): scan. */
static int ysearch_probed(const sdb_idx *x, const sdb_profile *query, const sdb_ysearch_opts *o,
                          sdb_yhit **out, long *n_out, sdb_diag *d)
{
    long *rows, n_rows;
    int rc = sdb_yprobe_rows(o->probe, query, o->max_loci, o->max_steps, o->min_loci, &rows, &n_rows);
    if (rc) return rc;
    prepared *pq = malloc(sizeof *pq);
    hits all = {NULL, 0, 0, sizeof(sdb_yhit)};
    rc = pq ? prepare(x, query, SDB_KIND_Y, o, pq, d) : SDB_ENOMEM;
    job j = {x, pq, o, NULL, 0, {NULL, 0, 0, sizeof(sdb_yhit)}, SDB_OK, scan_y};
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
    if (o->probe && sdb_yprobe_index(o->probe) == x && x->kind == SDB_KIND_Y &&
        sdb_yprobe_serves(o->probe, o->max_loci, o->min_loci)) {
        int rc = ysearch_probed(x, query, o, out, n_out, d);
        if (rc != 1) return rc;
    }
    return search_common(x, query, SDB_KIND_Y, o, o->threads, o->limit, sizeof(sdb_yhit), NULL,
                         scan_y, cmp_yhit, (void **)out, n_out, d);
}
