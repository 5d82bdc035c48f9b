/* Private to src/index and src/search: the packed layout of sdb_idx. */
#ifndef STRDB_INDEX_INTERNAL_H
#define STRDB_INDEX_INTERNAL_H

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
    long n;
    char *ids;      /* sample ids, NUL-separated */
    size_t *id_off; /* per row */
    /* rows whose alleles did not fit (mixtures, Y duplications), ascending */
    long *over_row;
    sdb_profile *over;
    long n_over;
};

/* The ids of row r at index locus k (width[k] bytes). */
static inline const uint8_t *idx_slot(const sdb_idx *x, long r, int k)
{
    return x->col[k] + (size_t)r * (size_t)x->width[k];
}

/* 1 when the SIMD kernels may run (AVX2 present, not forced scalar by
 * sdb_search_force_scalar() or SDB_FORCE_SCALAR=1). In src/search/search.c. */
int search_use_avx2(void);

/* Position of catalog locus id in the index, or -1. */
int idx_locus_pos(const sdb_idx *x, unsigned locus);
/* Id of allele a at index locus k: 1..253, SDB_IDX_WILDCARD, or
 * IDX_QUERY_ONLY for an allele the index never saw. */
uint8_t idx_allele_id(const sdb_idx *x, int k, sdb_allele a);
/* The full profile of an overflow row, or NULL if the row fits. */
const sdb_profile *idx_overflow(const sdb_idx *x, long row);

/* Y locus comparison of two sorted allele lists (as ysearch compares): a
 * different copy number or any differing copy makes the locus differ; steps
 * add up between integer alleles. In src/search/search.c. */
void idx_y_compare(const sdb_allele *a, int na, const sdb_allele *b, int nb, int *differs,
                   int *steps);
/* The alleles (codes, sorted) of row r at Y locus k: from the overflow
 * profile over when given, else the packed repeats; 0 when untyped. At most
 * 32 are written. */
int idx_y_alleles(const sdb_idx *x, long r, int k, const sdb_profile *over, sdb_allele *out);

#endif
