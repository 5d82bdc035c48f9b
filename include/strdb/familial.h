/* strdb: familial search — the kinship likelihood ratio of a query against
 * every reference profile of an autosomal index, ranked.
 *
 * Per query, one table per locus holds log10 LR for every (reference
 * genotype, relationship, population) the index can hold; the scan then adds
 * one small vector per locus per row (both cores). With several populations
 * the smallest LR of each relationship counts (Ge & Budowle); a row ranks by
 * the largest of those over the relationships asked for. docs/familial.md.
 */
#ifndef STRDB_FAMILIAL_H
#define STRDB_FAMILIAL_H

#include "strdb/index.h"
#include "strdb/stats.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SDB_FAMILIAL_MAX_REL 6
#define SDB_FAMILIAL_MAX_POP 8

typedef struct sdb_familial_opts {
    const sdb_freq *freq;
    int pops[SDB_FAMILIAL_MAX_POP]; /* population indexes of freq */
    int n_pops;
    sdb_relationship rels[SDB_FAMILIAL_MAX_REL];
    int n_rels;
    double theta;
    sdb_mutation mutation; /* parent-offspring only (default none) */
    long top;              /* candidates kept (default 100) */
    int min_loci;          /* loci compared for a row to rank (default 8) */
    int threads;           /* default 2 */
} sdb_familial_opts;

/* Defaults: PO and FS, theta 0, no mutation, top 100, min_loci 8, 2 threads;
 * the caller sets freq and pops. */
void sdb_familial_opts_init(sdb_familial_opts *o);

typedef struct sdb_familial_hit {
    long target;                         /* row of the index */
    int compared;                        /* loci in the LR */
    double log10_lr[SDB_FAMILIAL_MAX_REL]; /* per relationship: smallest over the populations */
    int best;                            /* relationship (index into rels) that ranks the row */
    double score;                        /* log10_lr[best] */
} sdb_familial_hit;

/* Ranks every row of x (autosomal) by kinship LR to query. Rows whose
 * genotypes do not fit two alleles per locus (mixtures) are skipped and
 * counted in *skipped. Loci the query lacks, where it has a wildcard, or that a
 * population's table lacks are left out for every row (the count in
 * *loci_used). hits: the best o->top rows, best first (ties: lower row);
 * free() it. SDB_EINVAL with d naming the problem (an allele without a
 * frequency and no minimum, more than 6 relationships or 8 populations, a
 * query without any usable locus). */
int sdb_familial(const sdb_idx *x, const sdb_profile *query, const sdb_familial_opts *o,
                 sdb_familial_hit **hits, long *n_hits, long *skipped, int *loci_used,
                 sdb_diag *d) SDB_WUR;

/* The same ranking computed row by row with sdb_kinship_lr (the brute-force
 * reference of the tests): slow, exact in double. */
int sdb_familial_reference(const sdb_idx *x, const sdb_profile *query, const sdb_familial_opts *o,
                           sdb_familial_hit **hits, long *n_hits, sdb_diag *d) SDB_WUR;

#ifdef __cplusplus
}
#endif
#endif
