/* Private to src/stats. */
#ifndef STRDB_STATS_INTERNAL_H
#define STRDB_STATS_INTERNAL_H

#include "engine_internal.h"
#include "strdb/stats.h"

/* The alleles of one typed locus as a single-source genotype: two codes
 * (a homozygote repeats its allele), or a failure reason. */
typedef struct genotype2 {
    sdb_allele a[2];
    int wildcard; /* number of wildcard positions (0..2) */
} genotype2;

/* Fills g from call c of p; returns NULL or the reason the locus is unusable
 * (a mixture). */
const char *sdb_genotype_of(const sdb_profile *p, const sdb_call *c, genotype2 *g);

/* Probability of drawing allele x given the seen alleles (Balding-Nichols
 * sampling formula): (m theta + (1 - theta) p) / (1 + (n - 1) theta), m the
 * copies of x among the n seen. */
double sdb_sample_next(double p, sdb_allele x, const sdb_allele *seen, int n, double theta);

/* sdb_pedlik_locus over the allele list of the table, the observations and
 * extra[0 .. n_extra), summing the persons keep flags (and their ancestors)
 * even when untyped: the likelihoods of one DVI case then share one state
 * space and one set of summed persons, so their ratios stay those of
 * sdb_pedlik_mp_lr when the frequencies do not sum to 1 (a 5/2N minimum)
 * or a mutation model spans the list. keep may be NULL. */
int sdb_pedlik_locus_over(const sdb_pedlik *p, const sdb_pedlik_model *m, const sdb_freq *f,
                          int pop, const sdb_locus *l, const sdb_ped_obs *obs,
                          const sdb_ped_obs *extra, int n_extra, const unsigned char *keep,
                          double *loglik, sdb_diag *d);

#endif
