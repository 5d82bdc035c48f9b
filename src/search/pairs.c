/* All-pairs comparison with DNAtools' semantics: per pair, m loci with the
 * same genotype and p loci sharing exactly one allele, over the loci typed
 * in both (wildcard calls count as untyped). 64-bit counters. Rows that
 * hold a mixture are left out (DNAtools compares reference profiles).
 *
 * Blocked and bit-parallel (docs/search.md, "All pairs"): the rows j are
 * taken a tile of TILE_ROWS at a time and turned into bitsets per locus and
 * allele id ("has the allele", "homozygous for it"); every row i before the
 * tile's end is then compared with the tile's rows j > i by a few word
 * operations per locus (pairs_kernel.h), 64 to 512 rows at once. The
 * per-row counts (m, any) are counted in a cell table of 32-bit counters,
 * four copies so that runs of one cell do not wait on each other, added
 * into the 64-bit table before they can overflow. Threads take tiles, the
 * largest first. */
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#endif

#include "index/index_internal.h"
#include "strdb/search.h"

#define TILE_ROWS 4096 /* rows j per tile: its bitsets (~400 KB for CODIS 20) stay in L2 */
#define PK_GROUP 7     /* loci summed per carry-save step (pairs_kernel.h) */
#define CELL_COPIES 4

/* Unslicing: P bit planes of words u64 (planes[k * words + q]: rows
 * 64 q .. 64 q + 63) to one byte per row, the value the planes hold. */
static inline uint64_t spread8(uint64_t b) /* bit j of b -> byte j, 0 or 1 */
{
    return ((((b * 0x0101010101010101ULL) & 0x8040201008040201ULL) + 0x7F7F7F7F7F7F7F7FULL) >> 7) &
           0x0101010101010101ULL;
}

static inline __attribute__((always_inline)) void unslice_scalar(const uint64_t *planes, int words,
                                                                 int P, uint8_t *out)
{
    for (int q = 0; q < words; q++)
        for (int j = 0; j < 8; j++) {
            uint64_t v = 0;
            for (int k = 0; k < P; k++)
                v |= spread8(planes[k * words + q] >> 8 * j & 255) << k;
            memcpy(out + 64 * q + 8 * j, &v, sizeof v);
        }
}

#define PK_NAME codes_scalar
#define PK_W uint64_t
#if defined(__GNUC__) && !defined(__clang__)
#define PK_ATTR __attribute__((optimize("no-tree-vectorize")))
#else
#define PK_ATTR
#endif
#define PK_UNSLICE unslice_scalar
#include "pairs_kernel.h"

#if defined(__x86_64__) && defined(__GNUC__)
/* 32 rows at a time: each byte picks its row's bit from the broadcast plane
 * word and compares it with its own bit mask. */
__attribute__((target("avx2"))) static inline __attribute__((always_inline)) void
unslice_avx2(const uint64_t *planes, int words, int P, uint8_t *out)
{
    const __m256i pick = _mm256_setr_epi8(0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2,
                                          2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3),
                  bit = _mm256_set1_epi64x((long long)0x8040201008040201ULL);
    for (int h = 0; h < 2 * words; h++) {
        __m256i v = _mm256_setzero_si256();
        for (int k = 0; k < P; k++) {
            uint32_t b;
            memcpy(&b, (const uint32_t *)(planes + k * words) + h, sizeof b);
            __m256i x = _mm256_shuffle_epi8(_mm256_set1_epi32((int)b), pick);
            x = _mm256_cmpeq_epi8(_mm256_and_si256(x, bit), bit);
            v = _mm256_or_si256(v, _mm256_and_si256(x, _mm256_set1_epi8((char)(1 << k))));
        }
        _mm256_storeu_si256((__m256i *)(out + 32 * h), v);
    }
}

typedef uint64_t v4u __attribute__((vector_size(32)));
#define PK_NAME codes_avx2
#define PK_W v4u
#define PK_ATTR __attribute__((target("avx2")))
#define PK_UNSLICE unslice_avx2
#include "pairs_kernel.h"

/* 64 rows at a time: each plane word is a byte mask adding its weight. */
__attribute__((target("avx512f,avx512bw"))) static inline __attribute__((always_inline)) void
unslice_avx512(const uint64_t *planes, int words, int P, uint8_t *out)
{
    for (int q = 0; q < words; q++) {
        __m512i v = _mm512_setzero_si512();
        for (int k = 0; k < P; k++)
            v = _mm512_mask_add_epi8(v, (__mmask64)planes[k * words + q], v,
                                     _mm512_set1_epi8((char)(1 << k)));
        _mm512_storeu_si512((void *)(out + 64 * q), v);
    }
}

typedef uint64_t v8u __attribute__((vector_size(64)));
#define PK_NAME codes_avx512
#define PK_W v8u
#define PK_ATTR __attribute__((target("avx512f,avx512bw")))
#define PK_UNSLICE unslice_avx512
#include "pairs_kernel.h"
#endif

/* Computes m_out and any_out for the tile rows of words [w0, w1) (w0, w1
 * multiples of 8: 512 rows) against one row's offset list. */
typedef void (*pair_codes_fn)(const uint64_t *bits, const uint32_t *off, int groups, long w0,
                              long w1, uint8_t *m_out, uint8_t *any_out);

static pair_codes_fn pick_kernel(int planes)
{
    int level = sdb_search_simd_level();
    (void)level;
#if defined(__x86_64__) && defined(__GNUC__)
    if (level >= SDB_SIMD_AVX512) return planes == 5 ? codes_avx5125 : codes_avx5127;
    if (level >= SDB_SIMD_AVX2) return planes == 5 ? codes_avx25 : codes_avx27;
#endif
    return planes == 5 ? codes_scalar5 : codes_scalar7;
}

/* What every thread reads: the index, the layout of a tile's bitsets, the
 * kernel; and the next tile to take. */
typedef struct pair_plan {
    const sdb_idx *x;
    long tile_rows, tile_words; /* rows per tile (a multiple of 512), words per bitset */
    size_t *has, *hom;          /* per locus: the word offset of allele id 0's bitset */
    size_t words;               /* a tile's bitsets, the all-zero one at 0 first */
    int planes, shift;          /* counter planes; a cell is m << shift | any */
    size_t cells;               /* (n_loci + 1) << shift */
    pair_codes_fn kernel;
    long n_tiles, next_tile;
} pair_plan;

typedef struct pair_job {
    pair_plan *plan;
    int hit_m;
    uint64_t *counts; /* (n_loci + 1)^2, m * (n_loci + 1) + p */
    uint64_t *bits;
    uint8_t *m, *any; /* a tile's rows */
    uint32_t *cell;   /* CELL_COPIES x plan->cells */
    uint64_t pending; /* pairs in cell since it was last emptied */
    uint32_t *off;    /* a row's offset list */
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

/* Lays out a tile's bitsets: the all-zero one (the padding of offset
 * lists), then per locus has[id] and hom[id] for ids 0..n_codes. */
static int plan_init(pair_plan *pl, const sdb_idx *x)
{
    int L = x->n_loci;
    memset(pl, 0, sizeof *pl);
    pl->x = x;
    long rows = (x->n + 511) / 512 * 512;
    pl->tile_rows = rows < 512 ? 512 : rows < TILE_ROWS ? rows : TILE_ROWS;
    pl->tile_words = pl->tile_rows / 64;
    pl->planes = pl->shift = L <= 31 ? 5 : 7; /* SDB_IDX_MAX_LOCI is 64 */
    pl->cells = (size_t)(L + 1) << pl->shift;
    pl->kernel = pick_kernel(pl->planes);
    pl->n_tiles = (x->n + pl->tile_rows - 1) / pl->tile_rows;
    if (!(pl->has = malloc(2 * (size_t)(L + 1) * sizeof *pl->has))) return SDB_ENOMEM;
    pl->hom = pl->has + L + 1;
    size_t w = (size_t)pl->tile_words, ids_words;
    for (int k = 0; k < L; k++) {
        ids_words = ((size_t)x->n_codes[k] + 1) * (size_t)pl->tile_words;
        pl->has[k] = w;
        pl->hom[k] = w + ids_words;
        w += 2 * ids_words;
    }
    pl->words = w;
    return SDB_OK;
}

/* The bitsets of tile rows [t0, t1): rows untyped or wildcard at a locus,
 * and rows holding a mixture, set no bit there. */
static void fill_tile(pair_job *j, long t0, long t1)
{
    const pair_plan *pl = j->plan;
    const sdb_idx *x = pl->x;
    size_t tw = (size_t)pl->tile_words;
    memset(j->bits, 0, pl->words * sizeof *j->bits);
    long q = 0;
    while (q < x->n_over && x->over_row[q] < t0)
        q++;
    for (long r = t0; r < t1; r++) {
        if (q < x->n_over && x->over_row[q] == r) {
            q++;
            continue;
        }
        uint64_t bit = 1ULL << ((r - t0) & 63);
        size_t w = (size_t)(r - t0) >> 6;
        for (int k = 0; k < x->n_loci; k++) {
            const uint8_t *g = x->col[k] + 2 * r;
            if (!g[0] || g[1] == SDB_IDX_WILDCARD) continue;
            j->bits[pl->has[k] + g[0] * tw + w] |= bit;
            j->bits[pl->has[k] + g[1] * tw + w] |= bit;
            if (g[0] == g[1]) j->bits[pl->hom[k] + g[0] * tw + w] |= bit;
        }
    }
}

/* Row i's offset list (pairs_kernel.h): three offsets per locus it types,
 * padded with the all-zero bitset to whole groups. Returns the groups. */
static int row_offsets(const pair_plan *pl, long i, uint32_t *off)
{
    const sdb_idx *x = pl->x;
    size_t tw = (size_t)pl->tile_words;
    int n = 0;
    for (int k = 0; k < x->n_loci; k++) {
        const uint8_t *g = x->col[k] + 2 * i;
        if (!g[0] || g[1] == SDB_IDX_WILDCARD) continue;
        uint32_t *o = off + 3 * n++;
        o[0] = (uint32_t)(pl->has[k] + g[0] * tw);
        o[1] = (uint32_t)(pl->has[k] + g[1] * tw);
        o[2] = g[0] == g[1] ? (uint32_t)(pl->hom[k] + g[0] * tw) : o[0];
    }
    int groups = (n + PK_GROUP - 1) / PK_GROUP;
    memset(off + 3 * n, 0, 3 * (size_t)(groups * PK_GROUP - n) * sizeof *off);
    return groups;
}

/* Adds the 32-bit cell tables into the 64-bit table and empties them. */
static void flush_cells(pair_job *j)
{
    const pair_plan *pl = j->plan;
    int L = pl->x->n_loci;
    for (int m = 0; m <= L; m++)
        for (int any = m; any <= L; any++) { /* any counts the full matches too */
            size_t c = (size_t)m << pl->shift | (size_t)any;
            uint64_t sum = 0;
            for (int k = 0; k < CELL_COPIES; k++)
                sum += j->cell[k * pl->cells + c];
            j->counts[m * (L + 1) + any - m] += sum;
        }
    memset(j->cell, 0, CELL_COPIES * pl->cells * sizeof *j->cell);
    j->pending = 0;
}

/* Counts the (m, any) of tile rows [first, end) in the cell tables, four
 * rows at a time into the four copies. */
static void count_cells(pair_job *j, long first, long end)
{
    const uint8_t *m = j->m, *any = j->any;
    int s = j->plan->shift;
    size_t n = j->plan->cells;
    uint32_t *c0 = j->cell, *c1 = c0 + n, *c2 = c1 + n, *c3 = c2 + n;
    long r = first;
    for (; r + 4 <= end; r += 4) {
        c0[m[r] << s | any[r]]++;
        c1[m[r + 1] << s | any[r + 1]]++;
        c2[m[r + 2] << s | any[r + 2]]++;
        c3[m[r + 3] << s | any[r + 3]]++;
    }
    for (; r < end; r++)
        c0[m[r] << s | any[r]]++;
    j->pending += (uint64_t)(end - first);
    if (j->pending > UINT32_MAX - TILE_ROWS) flush_cells(j);
}

static int list_hits(pair_job *j, long i, long t0, long first, long end)
{
    const sdb_idx *x = j->plan->x;
    for (long r = first; r < end; r++) {
        if (j->m[r] < j->hit_m) continue;
        /* with hit_m 0 every pair is listed, but not a mixture's (no bits) */
        if (j->hit_m == 0 && x->n_over && sdb_idx_overflow(x, t0 + r)) continue;
        int rc = push_pair(j, i, t0 + r, j->m[r], j->any[r] - j->m[r]);
        if (rc) return rc;
    }
    return SDB_OK;
}

/* Row i against the tile's rows j > i in [t0, t1). */
static int compare_row(pair_job *j, long i, long t0, long t1)
{
    const pair_plan *pl = j->plan;
    int groups = row_offsets(pl, i, j->off);
    long first = i + 1 > t0 ? i + 1 - t0 : 0, end = t1 - t0;
    pl->kernel(j->bits, j->off, groups, first / 512 * 8, (end + 511) / 512 * 8, j->m, j->any);
    count_cells(j, first, end);
    return j->hit_m >= 0 ? list_hits(j, i, t0, first, end) : SDB_OK;
}

/* A thread: tiles from the last (the most rows before it) to the first;
 * per tile, every row before its end that does not hold a mixture. */
static void *pair_run(void *arg)
{
    pair_job *j = arg;
    pair_plan *pl = j->plan;
    const sdb_idx *x = pl->x;
    long t;
    while (!j->rc && (t = __atomic_fetch_add(&pl->next_tile, 1, __ATOMIC_RELAXED)) < pl->n_tiles) {
        long t0 = (pl->n_tiles - 1 - t) * pl->tile_rows,
             t1 = t0 + pl->tile_rows < x->n ? t0 + pl->tile_rows : x->n, q = 0;
        fill_tile(j, t0, t1);
        for (long i = 0; i < t1 - 1 && !j->rc; i++) {
            while (q < x->n_over && x->over_row[q] < i)
                q++;
            if (q < x->n_over && x->over_row[q] == i) continue;
            j->rc = compare_row(j, i, t0, t1);
        }
    }
    flush_cells(j);
    return NULL;
}

static int job_init(pair_job *j, pair_plan *pl, int hit_m)
{
    int L = pl->x->n_loci;
    size_t bytes = (pl->words * sizeof(uint64_t) + 63) / 64 * 64;
    *j = (pair_job){.plan = pl, .hit_m = hit_m};
    j->counts = calloc((size_t)(L + 1) * (size_t)(L + 1), sizeof *j->counts);
    j->bits = aligned_alloc(64, bytes);
    j->m = malloc((size_t)pl->tile_rows);
    j->any = malloc((size_t)pl->tile_rows);
    j->cell = calloc(CELL_COPIES * pl->cells, sizeof *j->cell);
    j->off = malloc(3 * (size_t)(L + PK_GROUP) * sizeof *j->off);
    return j->counts && j->bits && j->m && j->any && j->cell && j->off ? SDB_OK : SDB_ENOMEM;
}

static void job_free(pair_job *j)
{
    free(j->counts);
    free(j->bits);
    free(j->m);
    free(j->any);
    free(j->cell);
    free(j->off);
    free(j->ha);
    free(j->hb);
    free(j->hm);
    free(j->hp);
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

static int pair_part(void *jobs, int k)
{
    pair_run(&((pair_job *)jobs)[k]);
    return SDB_OK;
}

int sdb_pairs(const sdb_idx *x, int hit_m, int threads, sdb_pairs_result *out)
{
    memset(out, 0, sizeof *out);
    if (x->kind != SDB_KIND_AUTOSOMAL) return SDB_EINVAL;
    int t = threads < 1 ? 1 : threads > SDB_MAX_THREADS ? SDB_MAX_THREADS : threads, L = x->n_loci;
    size_t cells = (size_t)(L + 1) * (size_t)(L + 1);
    pair_plan plan;
    pair_job jobs[SDB_MAX_THREADS];
    out->n_loci = L;
    int rc = plan_init(&plan, x);
    if (!rc && !(out->counts = calloc(cells, sizeof *out->counts))) rc = SDB_ENOMEM;
    if (t > plan.n_tiles) t = plan.n_tiles > 0 ? (int)plan.n_tiles : 1;
    for (int k = 0; k < t; k++) {
        int jrc = job_init(&jobs[k], &plan, hit_m);
        if (!rc) rc = jrc;
    }
    if (!rc) rc = sdb_parallel_for(t, pair_part, jobs);
    for (int k = 0; k < t; k++) {
        if (!rc) rc = jobs[k].rc;
        for (size_t c = 0; !rc && c < cells; c++)
            out->counts[c] += jobs[k].counts[c];
    }
    /* a mixture's row has no bits: its pairs with the rows before it that
     * were compared all fell in cell (0, 0) */
    for (long q = 0; !rc && q < x->n_over; q++)
        out->counts[0] -= (uint64_t)(x->over_row[q] - q);
    for (size_t c = 0; !rc && c < cells; c++)
        out->pairs += out->counts[c];
    if (!rc) rc = merge_hits(x, jobs, t, out);
    for (int k = 0; k < t; k++)
        job_free(&jobs[k]);
    free(plan.has);
    if (rc) sdb_pairs_free(out);
    return rc;
}
