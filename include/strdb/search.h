/* strdb: searches over an index: autosomal identity search with CODIS-style
 * stringency, Y-STR near matches, and the all-pairs comparison.
 *
 * Locus semantics (sets of alleles A of the query and B of a target, at a
 * locus typed in both; a wildcard stands for one unknown allele):
 *   high      the sets are equal (a known allele of one side must be in the
 *             other unless the other holds a wildcard)
 *   moderate  one set contains the other (a wildcard in the larger absorbs
 *             anything)
 *   low       the sets share an allele (a wildcard shares with anything)
 * A target is a hit when at least min_loci loci are typed in both and at
 * most max_mismatch of those fail the stringency.
 */
#ifndef STRDB_SEARCH_H
#define STRDB_SEARCH_H

#include <stdint.h>

#include "strdb/index.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum sdb_stringency {
    SDB_STRINGENCY_HIGH,
    SDB_STRINGENCY_MODERATE,
    SDB_STRINGENCY_LOW,
} sdb_stringency;

const char *sdb_stringency_name(sdb_stringency s);
int sdb_stringency_parse(const char *s, sdb_stringency *out) SDB_WUR;

typedef struct sdb_search_opts {
    sdb_stringency stringency; /* default high */
    int min_loci;              /* loci typed in both (default 1) */
    int max_mismatch;          /* loci failing the stringency (default 0) */
    long limit;                /* hits kept, best first (0 = all) */
    int threads;               /* default 1 */
} sdb_search_opts;

void sdb_search_opts_init(sdb_search_opts *o);

typedef struct sdb_hit {
    long target; /* row of the index */
    int shared, matching, mismatching;
} sdb_hit;

/* Identity search of an autosomal query over an autosomal index. *hits is a
 * new array (free()) ranked by matching loci (more first), mismatching
 * (fewer), then sample id. Y loci in the query are an error (SDB_EINVAL). */
int sdb_search(const sdb_idx *x, const sdb_profile *query, const sdb_search_opts *o, sdb_hit **hits,
               long *n_hits, sdb_diag *d) SDB_WUR;

/* Searches and all-pairs run vectorised kernels chosen at run time (AVX2,
 * and AVX-512BW for all-pairs, where the processor has them) beside their
 * scalar twins. sdb_search_simd(max_level) caps the level used
 * (SDB_SIMD_SCALAR, SDB_SIMD_AVX2, SDB_SIMD_AVX512; -1 = the best the
 * processor has) and returns the level that will run. SDB_FORCE_SCALAR=1 in
 * the environment caps it at scalar at first use. sdb_search_force_scalar(1)
 * is sdb_search_simd(SDB_SIMD_SCALAR), (0) sdb_search_simd(-1). For tests and
 * benchmarks; not thread-safe against running searches. */
enum { SDB_SIMD_SCALAR = 0, SDB_SIMD_AVX2 = 1, SDB_SIMD_AVX512 = 2 };
int sdb_search_simd(int max_level);
void sdb_search_force_scalar(int on);

typedef struct sdb_yprobe sdb_yprobe;

typedef struct sdb_ysearch_opts {
    int max_loci;  /* differing loci allowed (default 0) */
    int max_steps; /* total repeat steps allowed (default 0; -1 = any) */
    int min_loci;  /* loci compared (typed in both), default 1 */
    long limit;
    int threads;
    /* A probe of the same index (sdb_yprobe_build) serving max_loci and
     * min_loci, or NULL: then the rows are found by block-key lookups instead
     * of a scan; the hits are the same. */
    const sdb_yprobe *probe;
} sdb_ysearch_opts;

void sdb_ysearch_opts_init(sdb_ysearch_opts *o);

typedef struct sdb_yhit {
    long target;
    int compared;  /* loci typed in both */
    int differing; /* loci whose allele lists differ */
    int steps;     /* repeat steps summed over comparable copies */
    int missing;   /* query loci the target lacks */
} sdb_yhit;

/* Y-STR near-match search: two-copy loci compare as sorted lists; a
 * microvariant against an integer, or a different number of copies, makes a
 * differing locus without steps. Ranked by differing loci, steps, sample id. */
int sdb_ysearch(const sdb_idx *x, const sdb_profile *query, const sdb_ysearch_opts *o,
                sdb_yhit **hits, long *n_hits, sdb_diag *d) SDB_WUR;

/* The Y probe: for every group of haplotypes typing the same loci and each of
 * max_loci + 1 blocks of those loci, the rows sorted by a 32-bit block key
 * (8 bytes a row and block). A haplotype within max_loci differing loci of a
 * query agrees with it on a whole block (pigeonhole), so K + 1 binary searches
 * and a verification find exactly what a scan finds. Built in O(N log N);
 * serves searches with at most max_loci differing loci and at least min_loci
 * compared (groups typing fewer loci are left out). x must outlive the probe;
 * sdb_yprobe_free(NULL) is a no-op. Safe to share between threads. */
int sdb_yprobe_build(sdb_yprobe **out, const sdb_idx *x, int max_loci, int min_loci) SDB_WUR;
void sdb_yprobe_free(sdb_yprobe *p);
/* Rows of the probe's index within the limits of q (the rows sdb_ysearch
 * returns), ascending; queries off the packed path (microvariants, other copy
 * numbers) are scanned. free() *rows. SDB_EINVAL for limits the probe does not
 * serve. */
int sdb_yprobe_find(const sdb_yprobe *p, const sdb_profile *q, int max_loci, int max_steps,
                    int min_loci, long **rows, long *n_rows, sdb_diag *d) SDB_WUR;

/* All-pairs comparison (DNAtools semantics) over an autosomal index: for
 * every pair, m = loci typed in both with the same genotype, p = loci
 * sharing exactly one allele. counts[m * (n_loci + 1) + p] is the number of
 * pairs; pairs with m >= hit_m are listed (hit_m < 0: none), in input order
 * (sdb_idx_input_row(hit_a) < sdb_idx_input_row(hit_b); by a, then b). */
typedef struct sdb_pairs_result {
    int n_loci;
    uint64_t *counts; /* (n_loci + 1)^2 */
    uint64_t pairs;
    long *hit_a, *hit_b;
    int *hit_m, *hit_p;
    long n_hits;
} sdb_pairs_result;

int sdb_pairs(const sdb_idx *x, int hit_m, int threads, sdb_pairs_result *out) SDB_WUR;
void sdb_pairs_free(sdb_pairs_result *r);

#ifdef __cplusplus
}
#endif
#endif
