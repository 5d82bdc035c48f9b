/* strdb: missing-person search (docs/missing-persons.md).
 *
 * A family is a pedigree with typed references and untyped missing
 * persons; remains are profiles of unidentified human remains. The search
 * ranks every (remains, family, missing person) by the pedigree likelihood
 * ratio "the remains are the missing person" against "the remains are
 * unrelated to the family". The fast path computes, once per family,
 * missing person and locus, the LR of every genotype the remains can show
 * (sdb_pedlik_table) and then gathers over all remains; remains with an
 * allele outside the population's table, a partial call or drop-out take
 * the per-pair computation at that locus (sdb_pedlik_mp_lr), which is also
 * the reference the fast path is tested against.
 */
#ifndef STRDB_MISSING_H
#define STRDB_MISSING_H

#include "strdb/stats.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sdb_mp_family {
    char *name, *case_ref;
    int n;                 /* persons */
    char **ids;            /* n */
    char *sex;             /* n: 'M', 'F', 'U' */
    int *father, *mother;  /* n: person index or -1 */
    unsigned char *missing;/* n: 1 for a missing person */
    sdb_profile **typed;   /* n: the reference of each person, NULL when untyped */
    int n_typed;
    sdb_pedlik *ped;       /* built by sdb_mp_family_finish */
} sdb_mp_family;

/* Allocates the n-person arrays of fam (zeroed, parents -1). */
int sdb_mp_family_init(sdb_mp_family *fam, int n) SDB_WUR;
/* Builds fam->ped from the arrays (SDB_EINVAL, d naming the person, for a
 * bad pedigree) and counts the typed references. */
int sdb_mp_family_finish(sdb_mp_family *fam, sdb_diag *d) SDB_WUR;
void sdb_mp_family_free(sdb_mp_family *fam);

typedef struct sdb_mp_opts {
    sdb_pedlik_model model;
    double dropout;  /* of each allele copy of the remains */
    double min_lr;   /* report LR >= min_lr (default 1) */
    int top;         /* best per remains and per family (default 10) */
    int threads;     /* default 2 */
    int per_pair;    /* 1: every pair by per-pair peeling (the reference; slow) */
} sdb_mp_opts;

void sdb_mp_opts_init(sdb_mp_opts *o);

typedef struct sdb_mp_hit {
    int family, person; /* the family and its missing person */
    long remains;
    double log10_lr;    /* -inf when excluded */
    int loci;           /* loci typed in the remains and in some reference */
} sdb_mp_hit;

/* The results: the best o->top families (person) for each remains and the
 * best o->top remains for each family, LR >= o->min_lr, each list by
 * decreasing LR; pairs counts every (remains, missing person) compared. */
typedef struct sdb_mp_result {
    sdb_mp_hit *by_remains; /* n_by_remains, grouped by remains in order */
    long n_by_remains;
    sdb_mp_hit *by_family;  /* n_by_family, grouped by family in order */
    long n_by_family;
    long long pairs;
    long fallback_loci;     /* (pair, locus) computed per pair by the fast path */
} sdb_mp_result;

/* Every remains against every missing person of every family. A locus of a
 * remains profile counts where the population's table has it and some
 * reference of the family is typed there (elsewhere the LR is 1 when no
 * other missing person of the family is typed there). SDB_EINVAL when a
 * family's references are impossible at a locus (d names the family and
 * locus), SDB_ENOMEM. */
int sdb_mp_search(const sdb_mp_family *fams, int n_families, const sdb_profile *remains,
                  long n_remains, const sdb_freq *f, int pop, const sdb_mp_opts *o,
                  sdb_mp_result *r, sdb_diag *d) SDB_WUR;
void sdb_mp_result_free(sdb_mp_result *r);

/* One pair by per-pair peeling, per locus (as sdb_pedlik_mp_profiles, over
 * the loci where some reference is typed): out must hold remains->n_calls
 * entries; *excluded counts the loci inconsistent without mutation. */
int sdb_mp_pair(const sdb_mp_family *fam, int person, const sdb_profile *remains,
                const sdb_freq *f, int pop, const sdb_mp_opts *o, sdb_locus_stat *out,
                int *n_out, double *log10_lr, int *excluded, sdb_diag *d) SDB_WUR;

#ifdef __cplusplus
}
#endif
#endif
