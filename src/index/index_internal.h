/* Private to src/index and src/search: the packed layout of sdb_idx. */
#ifndef STRDB_INDEX_INTERNAL_H
#define STRDB_INDEX_INTERNAL_H

#include "engine_internal.h"
#include "strdb/index.h"

#define IDX_QUERY_ONLY 254 /* a query allele the index never saw */
#define IDX_MAX_ID 253

struct sdb_idx {
    sdb_kind kind;
    const sdb_catalog *cat;
    int n_loci;
    unsigned locus[SDB_IDX_MAX_LOCI];       /* catalog ids, ascending */
    int width[SDB_IDX_MAX_LOCI];            /* slots of the locus in a row */
    int offset[SDB_IDX_MAX_LOCI];           /* first slot of the locus */
    int row;                                /* bytes per row */
    sdb_allele code[SDB_IDX_MAX_LOCI][256]; /* id -> allele code; ids follow allele order */
    int n_codes[SDB_IDX_MAX_LOCI];
    /* per locus: n * width[k] bytes (structure of arrays): autosomal loci hold
     * dictionary ids, Y loci repeat numbers (0 untyped) */
    uint8_t *col[SDB_IDX_MAX_LOCI];
    size_t col_mapped[SDB_IDX_MAX_LOCI]; /* bytes mapped for col[k] (sdb_idx_column_set), 0: malloc */
    /* autosomal: per locus, the share of rows holding each allele id and the
     * share untyped (from a sample: sdb_idx_sample_alleles), for ordering scans */
    float *allele_share[SDB_IDX_MAX_LOCI];
    float untyped_share[SDB_IDX_MAX_LOCI];
    long n;
    char *ids;      /* sample ids, NUL-separated */
    size_t ids_len; /* bytes of ids used */
    size_t *id_off; /* per row */
    /* rows whose alleles did not fit (mixtures, Y duplications), ascending */
    long *over_row;
    sdb_profile *over;
    long n_over;
    /* autosomal indexes are kept in search order (src/index/order.c): rows
     * [0, n_sorted) sorted by their genotypes at the loci level[0..n_levels)
     * (most selective first), the overflow rows after them in input order */
    int n_levels;
    int level[SDB_IDX_MAX_LOCI]; /* index loci */
    long n_sorted;
    uint32_t *src; /* input position of each row; NULL: rows are in input order */
    /* directory of the search order's first two levels: node e (one key at
     * level 0 and one at level 1) starts at row dir_lo[e] and has the keys
     * dir_key[2 e], dir_key[2 e + 1]; n_dir 0 when there is none
     * (sdb_idx_build_directory) */
    long n_dir;
    uint32_t *dir_lo;
    uint16_t *dir_key;
};

/* Levels of the search order (at most; fewer when the index has fewer loci). */
#define IDX_LEVELS 8

/* The genotype key of row r at autosomal index locus k: the two ids. */
static inline unsigned idx_key(const sdb_idx *x, int k, long r)
{
    const uint8_t *s = x->col[k] + 2 * (size_t)r;
    return (unsigned)s[0] << 8 | s[1];
}

/* Replaces locus k's column with new memory of the given bytes (the old
 * one freed): large columns are mapped 2 MB aligned and marked for
 * transparent huge pages (a search touches a few lines in many columns, and
 * with 4 KB pages each of those costs a TLB miss). NULL when out of memory
 * (the old column is kept). sdb_idx_column_free() releases either kind. */
uint8_t *sdb_idx_column_set(sdb_idx *x, int k, size_t bytes);
void sdb_idx_column_free(sdb_idx *x, int k);
/* The two halves of sdb_idx_column_set: memory for a column (*mapped: bytes
 * mapped, 0 when malloc'd), and handing it to the index as col[k]. */
uint8_t *sdb_idx_column_map(size_t bytes, size_t *mapped);
#define IDX_MAP_MIN ((size_t)4 << 20) /* columns from this size up are mapped */
void sdb_idx_column_adopt(sdb_idx *x, int k, uint8_t *col, size_t mapped);

/* Builds the directory of the first two levels (one pass over their
 * columns; none when the index has fewer than two levels, or when its nodes
 * average under 256 rows and the walk does better without). */
int sdb_idx_build_directory(sdb_idx *x);

/* Fills allele_share and untyped_share from every row, or an even sample of
 * about 2^20 rows (src/index/order.c). */
int sdb_idx_sample_alleles(sdb_idx *x);

/* Puts an autosomal index in search order (a no-op for Y). */
int sdb_idx_sort_rows(sdb_idx *x);

/* The ids of row r at index locus k (width[k] bytes). */
static inline const uint8_t *idx_slot(const sdb_idx *x, long r, int k)
{
    return x->col[k] + (size_t)r * (size_t)x->width[k];
}

/* The SIMD level kernels may use (SDB_SIMD_*: what the processor has, capped
 * by sdb_search_simd() or SDB_FORCE_SCALAR=1); sdb_search_use_avx2() is level >=
 * AVX2. In src/search/search.c. */
int sdb_search_simd_level(void);
int sdb_search_use_avx2(void);

/* Position of catalog locus id in the index, or -1. */
int sdb_idx_locus_pos(const sdb_idx *x, unsigned locus);
/* Id of allele a at index locus k: 1..253, SDB_IDX_WILDCARD, or
 * IDX_QUERY_ONLY for an allele the index never saw. */
uint8_t sdb_idx_allele_id(const sdb_idx *x, int k, sdb_allele a);
/* The full profile of an overflow row, or NULL if the row fits. */
const sdb_profile *sdb_idx_overflow(const sdb_idx *x, long row);

/* Y locus comparison of two sorted allele lists (as ysearch compares): a
 * different copy number or any differing copy makes the locus differ; steps
 * add up between integer alleles. In src/search/search.c. */
void sdb_idx_y_compare(const sdb_allele *a, int na, const sdb_allele *b, int nb, int *differs,
                   int *steps);
/* The alleles (codes, sorted) of row r at Y locus k: from the overflow
 * profile over when given, else the packed repeats; 0 when untyped. At most
 * 32 are written. */
int sdb_idx_y_alleles(const sdb_idx *x, long r, int k, const sdb_profile *over, sdb_allele *out);

/* The Y probe (src/search/yprobe.c) for sdb_ysearch: the rows within the
 * limits, ascending; 1 when the query is off the packed path (then scan). */
struct sdb_yprobe;
int sdb_yprobe_rows(const struct sdb_yprobe *p, const sdb_profile *q, int max_loci, int max_steps,
                int min_loci, long **rows, long *n_rows);
const sdb_idx *sdb_yprobe_index(const struct sdb_yprobe *p);
int sdb_yprobe_serves(const struct sdb_yprobe *p, int max_loci, int min_loci);

/* ---- block keys of Y rows (the lineage block join and the Y probe) ------------- */

/* Loci of the index typed in row r (bit k: index locus k). */
static inline uint64_t idx_typed_mask(const sdb_idx *x, long r)
{
    uint64_t m = 0;
    for (int k = 0; k < x->n_loci; k++)
        if (idx_slot(x, r, k)[0] != SDB_IDX_UNTYPED) m |= 1ULL << k;
    return m;
}

static inline uint64_t idx_mix(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h;
}

#define IDX_KEY_SEED 0x9e3779b97f4a7c15ULL

/* Folds one locus's slots (width bytes, index locus k) into a block key. */
static inline uint64_t idx_key_fold(uint64_t h, const uint8_t *s, int width, int k)
{
    for (int c = 0; c < width; c++)
        h = idx_mix(h ^ ((uint64_t)s[c] << 8 | (uint64_t)k));
    return h;
}

/* The block key of row r over the loci of mask. */
static inline uint64_t idx_block_key(const sdb_idx *x, long r, uint64_t mask)
{
    uint64_t h = IDX_KEY_SEED;
    for (int k = 0; k < x->n_loci; k++)
        if (mask >> k & 1) h = idx_key_fold(h, idx_slot(x, r, k), x->width[k], k);
    return h;
}

/* qsort_r order of row numbers by mask[row], then row (arg: the masks). */
static inline int idx_cmp_mask_row(const void *a, const void *b, void *arg)
{
    const uint64_t *mask = arg;
    long x = *(const long *)a, y = *(const long *)b;
    if (mask[x] != mask[y]) return mask[x] < mask[y] ? -1 : 1;
    return (x > y) - (x < y);
}

#endif
