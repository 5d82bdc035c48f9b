/* strdb: statistics. Allele frequency tables, match probabilities (NRC II
 * 4.1 and 4.10), kinship likelihood ratios from IBD coefficients with theta
 * and parent-child mutation models, paternity indices, exclusion power, and
 * Y-STR haplotype statistics (counting with a Clopper-Pearson bound,
 * augmented counting, Brenner's kappa, a posterior over meioses).
 * docs/statistics.md gives every formula with its reference.
 *
 * All functions are pure (no I/O, no logging) except the table loaders, and
 * are thread-safe on const inputs.
 */
#ifndef STRDB_STATS_H
#define STRDB_STATS_H

#include <stdio.h>

#include "strdb/profile.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- frequency tables ---------------------------------------------------- */

typedef struct sdb_freq sdb_freq;

/* Loads a table, detecting its layout (docs/statistics.md):
 *  - long: population,locus,allele,frequency[,n_alleles] (NIST1036freqs.csv, FBI2015freqs.csv)
 *    or locus,allele,frequency (one population named "default");
 *  - wide FSIgen: Allele,<locus>,... rows of frequencies, a last row "N" of sample sizes
 *    (one population, named after the file without directory and extension);
 *  - strvalidator database.txt: Database,N,Allele,<locus>,... (tab separated);
 *  - Familias: a locus name line, then "allele<TAB>frequency" lines, a blank line between loci.
 * Unknown loci are errors; sex, Y and control loci are skipped (autosomal
 * and X statistics only). Frequencies must lie in [0, 1]. A locus whose
 * frequencies do not sum to 1 within 0.01 is a warning (sdb_freq_warnings),
 * or an error with strict. The caller frees *out with sdb_freq_free(). */
int sdb_freq_load(sdb_freq **out, const char *path, const sdb_catalog *cat, int strict,
                  sdb_diag *d) SDB_WUR;
int sdb_freq_load_mem(sdb_freq **out, const char *name, const char *text, size_t len,
                      const sdb_catalog *cat, int strict, sdb_diag *d) SDB_WUR;
void sdb_freq_free(sdb_freq *f);

/* The NIST 1036 table (4 populations: AfAm, Asian, Cauc, Hisp; Hill et al.
 * 2013, public domain) compiled into the library: the simulator's default
 * founder frequencies. Caller frees with sdb_freq_free(). */
int sdb_freq_builtin_nist1036(sdb_freq **out, const sdb_catalog *cat) SDB_WUR;

/* Estimating a table from profiles (`strdb freq` counts an index): an empty
 * table, then one call per single-source profile naming its population
 * (mixtures and loci with more than two alleles are skipped), then finish,
 * which turns counts into frequencies and records 2N per locus. */
int sdb_freq_count_new(sdb_freq **out) SDB_WUR;
int sdb_freq_count_add(sdb_freq *f, const char *population, const sdb_catalog *cat,
                       const sdb_profile *p) SDB_WUR;
void sdb_freq_count_finish(sdb_freq *f);

/* Writes f in the long layout (population,locus,allele,frequency,n_alleles),
 * populations in order, loci in catalog order, alleles ascending, with 17
 * significant digits so that loading the output gives the same table. */
int sdb_freq_write(const sdb_freq *f, const sdb_catalog *cat, FILE *out) SDB_WUR;
/* The table in a named layout: "long" (sdb_freq_write, every population),
 * "euroformix" (Allele;L1;L2;... of population pop, as EuroForMix, LRmix
 * Studio and CaseSolver read it) or "familias" (Familias frequency text of
 * pop). SDB_EINVAL for another layout or population. */
int sdb_freq_write_layout(const sdb_freq *f, const sdb_catalog *cat, const char *layout, int pop,
                          FILE *out) SDB_WUR;

int sdb_freq_n_populations(const sdb_freq *f);
const char *sdb_freq_population(const sdb_freq *f, int i);
/* Index of a population by name, or -1. */
int sdb_freq_find_population(const sdb_freq *f, const char *name);
/* Lines of warnings gathered while loading ("locus X in population P sums to 0.97"),
 * joined by '\n'; "" if none. Owned by f. */
const char *sdb_freq_warnings(const sdb_freq *f);

/* The minimum frequency rule (docs/statistics.md, "Minimum frequency"):
 *  SDB_MIN_NRC    (the default) alleles unseen or rarer than 5/2N get 5/2N
 *                 (NRC II, 2N = the table's allele count at the locus); at a
 *                 locus without a count, value if it is > 0, else an unseen
 *                 allele is an error;
 *  SDB_MIN_NONE   the table as given: no allele is raised, an unseen allele
 *                 is an error (as Familias and forrel compute);
 *  SDB_MIN_FIXED  alleles unseen or rarer than value get value, at every
 *                 locus. */
typedef enum sdb_min_rule { SDB_MIN_NRC, SDB_MIN_NONE, SDB_MIN_FIXED } sdb_min_rule;

void sdb_freq_set_minimum(sdb_freq *f, sdb_min_rule rule, double value);
/* "none", "5/2N" or a number in (0, 1] (FIXED). SDB_EINVAL for other text. */
int sdb_min_rule_parse(const char *text, sdb_min_rule *rule, double *value) SDB_WUR;
/* The rule in the words of the option ("5/2N", "none", "0.001"); buf of 32. */
const char *sdb_freq_minimum_text(const sdb_freq *f, char *buf, size_t size);

/* How a frequency was obtained. */
enum { SDB_FREQ_TABLE = 0, SDB_FREQ_MINIMUM = 1 };

/* Frequency of allele a at locus in population pop: the table's value, or
 * the minimum of the table's rule when the allele is unseen or rarer than
 * that; *how says which. Returns SDB_OK, SDB_ENOTFOUND (locus absent from
 * the population) or SDB_EINVAL (allele unseen and no minimum applies; d
 * says so). */
int sdb_freq_get(const sdb_freq *f, int pop, const sdb_locus *locus, sdb_allele a, double *freq,
                 int *how, sdb_diag *d) SDB_WUR;

/* Number of alleles listed at a locus (0 if absent) and the i-th. */
int sdb_freq_locus_alleles(const sdb_freq *f, int pop, unsigned locus_id);
int sdb_freq_locus_allele(const sdb_freq *f, int pop, unsigned locus_id, int i, sdb_allele *a,
                          double *freq);

/* ---- genotype and match probabilities -------------------------------------- */

/* Probability of one genotype in a subpopulation (Balding-Nichols sampling
 * formula): homozygote p(theta + (1-theta)p), heterozygote 2 p q (1-theta).
 * theta = 0 gives Hardy-Weinberg p^2 and 2pq. */
double sdb_genotype_probability(double p, double q, int homozygous, double theta);

/* Conditional match probability, NRC II (4.10a/b); theta = 0 is (4.1):
 *   homozygote   [2t + (1-t)p][3t + (1-t)p] / [(1+t)(1+2t)]
 *   heterozygote 2[t + (1-t)p][t + (1-t)q] / [(1+t)(1+2t)] */
double sdb_match_probability(double p, double q, int homozygous, double theta);

/* Per-locus result of a statistic. */
typedef struct sdb_locus_stat {
    uint16_t locus;
    double value;        /* the locus's match probability or likelihood ratio */
    double freq[2];      /* allele frequencies used (first two alleles) */
    int minimum_used;    /* 1 if a minimum frequency replaced an unseen or rare allele */
    const char *formula; /* e.g. "NRC II 4.10a" (static string) */
    const char *note;    /* NULL, or why the locus was skipped (static string) */
} sdb_locus_stat;

/* Random match probability of a single-source profile: per typed autosomal
 * locus (X, sex, Y loci skipped with a note) the conditional match
 * probability, and their product in *total. A one-allele locus is a
 * homozygote; a wildcard second allele sums the match probabilities of every
 * genotype the partial call allows; more than two alleles is SDB_EINVAL.
 * out must hold p->n_calls entries; *n_out is set. */
int sdb_rmp(const sdb_freq *f, int pop, const sdb_profile *p, double theta, sdb_locus_stat *out,
            int *n_out, double *total, sdb_diag *d) SDB_WUR;

/* ---- kinship ----------------------------------------------------------------- */

typedef enum sdb_relationship {
    SDB_REL_PO, /* parent-offspring   kappa (0, 1, 0) */
    SDB_REL_FS, /* full siblings      (1/4, 1/2, 1/4) */
    SDB_REL_HS, /* half siblings      (1/2, 1/2, 0) */
    SDB_REL_GP, /* grandparent        (1/2, 1/2, 0) */
    SDB_REL_AV, /* avuncular          (1/2, 1/2, 0) */
    SDB_REL_FC, /* first cousins      (3/4, 1/4, 0) */
} sdb_relationship;

/* "PO", "FS", ... and the inverse (SDB_EINVAL for other text). kappa gets
 * (kappa0, kappa1, kappa2). */
const char *sdb_relationship_name(sdb_relationship r);
int sdb_relationship_parse(const char *s, sdb_relationship *out) SDB_WUR;
void sdb_relationship_kappa(sdb_relationship r, double kappa[3]);

/* Parent-child mutation models (as pedmut): none, equal, proportional,
 * stepwise (integer steps with geometric range, microvariant changes at
 * rate2). */
typedef enum sdb_mutation_kind {
    SDB_MUT_NONE,
    SDB_MUT_EQUAL,
    SDB_MUT_PROPORTIONAL,
    SDB_MUT_STEPWISE,
} sdb_mutation_kind;

typedef struct sdb_mutation {
    sdb_mutation_kind kind;
    double rate;  /* total mutation probability per transmission */
    double rate2; /* stepwise: rate of changes between fractional parts (default 1e-6) */
    double range; /* stepwise: P(n+1 steps) / P(n steps) (default 0.1) */
} sdb_mutation;

void sdb_mutation_init(sdb_mutation *m); /* none */
int sdb_mutation_parse(const char *s, sdb_mutation_kind *out) SDB_WUR;

/* The model's matrix over n alleles a[] (allele codes, any order) with
 * frequencies p[] (used by proportional): out[i * n + j] = P(a[i] -> a[j]),
 * as pedmut's mutationMatrix(model, alleles, afreq, rate, rate2, range)
 * (docs/statistics.md). SDB_EINVAL for n < 1 or n > 256 or a rate outside
 * [0, 1]; a model none (or one allele) gives the identity. */
int sdb_mutation_matrix(const sdb_mutation *m, const sdb_allele *a, const double *p, int n,
                        double *out) SDB_WUR;

/* Kinship likelihood ratio of genotypes a and b for relationship rel
 * against unrelated, per shared autosomal locus and in total:
 *   LR = kappa0 + kappa1 P(b | one allele IBD with a) / P(b | a) + kappa2 [b = a] / P(b | a)
 * with every probability from the Balding-Nichols sampling formula given the
 * alleles already seen (theta = 0: Hardy-Weinberg). For PO a mutation model
 * replaces identity by descent with transmission probabilities, so one
 * inconsistent locus does not make the LR zero. out must hold a->n_calls
 * entries. */
int sdb_kinship_lr(const sdb_freq *f, int pop, sdb_relationship rel, const sdb_profile *a,
                   const sdb_profile *b, double theta, const sdb_mutation *mut, sdb_locus_stat *out,
                   int *n_out, double *total, sdb_diag *d) SDB_WUR;

/* The same for one locus given as two allele pairs (no wildcards): what the
 * familial search tabulates. SDB_ENOTFOUND when the locus is not in the
 * population's table. */
int sdb_kinship_locus_lr(const sdb_freq *f, int pop, sdb_relationship rel, unsigned locus_id,
                         const sdb_allele a[2], const sdb_allele b[2], double theta,
                         const sdb_mutation *mut, double *lr, sdb_diag *d) SDB_WUR;

/* Trio paternity index: P(child | mother, alleged father) / P(child | mother,
 * random man), per locus and in total, with an optional mutation model for
 * both transmissions (theta = 0). out must hold child->n_calls entries. */
int sdb_paternity_index(const sdb_freq *f, int pop, const sdb_profile *mother,
                        const sdb_profile *child, const sdb_profile *father,
                        const sdb_mutation *mut, sdb_locus_stat *out, int *n_out, double *total,
                        sdb_diag *d) SDB_WUR;

/* Paternity exclusion power of a locus with the given allele frequencies
 * (k alleles), nobody typed: sum over genotypes of a random man and a child
 * of the probability that the man cannot be the father. */
double sdb_exclusion_power(const double *freq, int k);
/* The same with the child typed (alleles i, j as indexes into freq; i == j
 * for a homozygote): the chance a random man shares no allele with it. */
double sdb_exclusion_power_given_child(const double *freq, int i, int j);
/* Chance that a random person is excluded as the child of typed parents
 * (allele indexes m[2], f[2]): one minus the probability of the genotypes
 * the parents can produce. */
double sdb_exclusion_power_of_child(const double *freq, const int m[2], const int f[2]);

/* Genotype probability of an inbred person with inbreeding coefficient F:
 * homozygote F p + (1 - F) p^2, heterozygote (1 - F) 2 p q. */
double sdb_genotype_probability_inbred(double p, double q, int homozygous, double inbreeding);

/* ---- pedigree likelihood (missing persons) ----------------------------------
 *
 * The exact likelihood of a pedigree at one locus with some members typed,
 * by variable elimination over the two allele variables of every person
 * (docs/missing-persons.md). Pedigrees with loops (cousin marriage, double
 * first cousins) are computed exactly as well; a pedigree whose elimination
 * would need a table above 2^24 entries is refused with SDB_ERANGE, never
 * approximated. */

typedef struct sdb_pedlik sdb_pedlik;

/* Builds a pedigree of n persons (1 <= n <= 100000): father[i] and mother[i]
 * are indexes in 0 .. n-1, or -1 when not in the pedigree (that parent's
 * allele is then drawn from the population, as a founder's); sex[i] is 'M',
 * 'F' or 'U'. Refused with SDB_EINVAL and d naming person i (field "person
 * N"): a parent index out of range, a person who is their own parent, a
 * father who is not male, a mother who is not female, a cycle. The caller
 * frees *out with sdb_pedlik_free (NULL is a no-op). */
int sdb_pedlik_new(sdb_pedlik **out, int n, const int *father, const int *mother,
                   const char *sex, sdb_diag *d) SDB_WUR;
void sdb_pedlik_free(sdb_pedlik *p);
int sdb_pedlik_size(const sdb_pedlik *p);

/* The genetic model of a pedigree computation. */
typedef struct sdb_pedlik_model {
    sdb_mutation male, female; /* per transmission from a father / a mother */
    double theta;              /* founders' alleles drawn jointly (Balding-Nichols), [0, 1) */
    double silent;             /* frequency of a silent (null) allele, [0, 1); 0 = none */
} sdb_pedlik_model;

/* No mutation, theta 0, no silent allele. */
void sdb_pedlik_model_init(sdb_pedlik_model *m);

/* One person's observation at one locus: untyped (typed == 0), a genotype
 * a[0]/a[1] (a homozygote repeats its allele; a[1] == SDB_ALLELE_ANY for a
 * partial call "a/?"), and the probability that each allele copy of this
 * person drops out (0 for a reference sample; degraded remains > 0). */
typedef struct sdb_ped_obs {
    int typed;
    sdb_allele a[2];
    double dropout;
} sdb_ped_obs;

/* Natural log of the likelihood of the observations obs[0 .. n-1] at locus l,
 * alleles and frequencies from population pop of f under f's minimum rule
 * (the mutation models work over that allele list plus any typed allele the
 * table lacks). -INFINITY when the observations are impossible. Returns
 * SDB_OK, SDB_ENOTFOUND (locus not in the table), SDB_EINVAL (an allele the
 * table cannot give a frequency, a bad model), SDB_ERANGE (too complex: the
 * elimination would need a table over 2^24 entries, or theta with more than
 * 10^5 founder allele combinations), SDB_ENOMEM; d says which. Thread-safe. */
int sdb_pedlik_locus(const sdb_pedlik *p, const sdb_pedlik_model *m, const sdb_freq *f, int pop,
                     const sdb_locus *l, const sdb_ped_obs *obs, double *loglik,
                     sdb_diag *d) SDB_WUR;

/* The most alleles a locus may list for the pedigree functions. */
#define SDB_PED_MAX_ALLELES 255

/* The missing person's genotype given the family: for person q (untyped in
 * obs) and every genotype {a[i], a[j]} over the locus's alleles, the
 * likelihood ratio LR(i, j) = P(obs, q = {a[i], a[j]}) / (P(obs) P({a[i], a[j]})),
 * P(genotype) by Balding-Nichols with the model's theta: the LR of "remains
 * showing that genotype (no drop-out) are q" against "unrelated". The
 * alleles are the table's plus those typed in obs; remains with an allele
 * outside a[] need sdb_pedlik_mp_lr. The table is large (about 0.5 MB):
 * allocate it. */
typedef struct sdb_ped_table {
    int k; /* alleles listed */
    sdb_allele a[SDB_PED_MAX_ALLELES];
    double lr[SDB_PED_MAX_ALLELES * SDB_PED_MAX_ALLELES]; /* k x k, row-major, symmetric */
    double loglik;                                        /* log P(obs) */
} sdb_ped_table;

int sdb_pedlik_table(const sdb_pedlik *p, const sdb_pedlik_model *m, const sdb_freq *f, int pop,
                     const sdb_locus *l, const sdb_ped_obs *obs, int q, sdb_ped_table *out,
                     sdb_diag *d) SDB_WUR;

/* Missing-person likelihood ratio at one locus: "poi is person q" against
 * "poi is unrelated to the family", with obs[q] untyped:
 *   LR = sum_g P(obs, q = g) P(poi | g) / (P(obs) sum_g P_BN(g) P(poi | g))
 * over ordered genotypes g, P(poi | g) the drop-out and silent-allele
 * model of docs/missing-persons.md. Same returns as sdb_pedlik_locus;
 * *lr is 0 when poi cannot be q (and P(obs) > 0), SDB_EINVAL (d says so) when
 * the references themselves are impossible. */
int sdb_pedlik_mp_lr(const sdb_pedlik *p, const sdb_pedlik_model *m, const sdb_freq *f, int pop,
                     const sdb_locus *l, const sdb_ped_obs *obs, int q, const sdb_ped_obs *poi,
                     double *lr, sdb_diag *d) SDB_WUR;

/* The observation of profile p (NULL: untyped) at a locus, with the given
 * drop-out probability: untyped when the locus is absent or all wildcards,
 * a/? for one wildcard. SDB_EINVAL (d names the locus) for more than two
 * alleles. */
int sdb_pedlik_obs(const sdb_profile *p, const sdb_locus *l, double dropout, sdb_ped_obs *o,
                   sdb_diag *d) SDB_WUR;

/* Multilocus missing-person LR: typed[i] is person i's reference profile
 * (NULL: untyped), poi the profile of the person of interest (remains, with
 * drop-out probability dropout). Every autosomal locus of poi counts;
 * out[k].value is its LR (out[k].note "no reference typed" when no reference
 * is typed there, the value still computed), and *total their product.
 * out must hold poi->n_calls entries; *n_out is set; *excluded counts loci
 * where the LR is 0. A locus the table lacks is SDB_ENOTFOUND (d names it);
 * a reference with more than two alleles at a locus is SDB_EINVAL. */
int sdb_pedlik_mp_profiles(const sdb_pedlik *p, const sdb_pedlik_model *m, const sdb_freq *f,
                           int pop, const sdb_profile *const *typed, int q,
                           const sdb_profile *poi, double dropout, sdb_locus_stat *out,
                           int *n_out, double *total, int *excluded, sdb_diag *d) SDB_WUR;

/* ---- joint disaster victim identification --------------------------------
 *
 * Victims 0 .. V-1 are assigned to missing persons 0 .. M-1 of F families
 * jointly. Families are independent given an assignment, so the LR of an
 * assignment against "nobody identified" is the product of its families'
 * LRs; each family lists its options (which of its missing persons get which
 * victim) with the option's log10 LR; the empty option (LR 1) is implicit. */

#define SDB_DVI_MAX_VICTIMS 64

typedef struct sdb_dvi_option {
    uint64_t victims;  /* bit v: victim v is used */
    int n;             /* pairs */
    int victim[8], missing[8];
    double log10_lr;
} sdb_dvi_option;

typedef struct sdb_dvi_assignment {
    int missing_of[SDB_DVI_MAX_VICTIMS]; /* per victim: missing person or -1 */
    double log10_lr;
    double posterior; /* LR / sum of the LRs of every assignment (flat prior); NaN if not summed */
} sdb_dvi_assignment;

/* The top assignments by LR (exact: branch and bound over families, each
 * family's options best first, bounded by the best the remaining families
 * can add), at most top of them into out (*n_out set); and, when V <= 20
 * and F 2^V <= 2^26, the exact sum over every assignment by dynamic
 * programming over sets of victims, giving each top assignment's posterior
 * and marginal[v (M + 1) + m], the posterior probability that victim v is
 * missing person m (m = M: nobody), which *have_marginal says. */
int sdb_dvi_solve(int n_victims, int n_missing, int n_families, const sdb_dvi_option *const *opt,
                  const int *n_opt, int top, sdb_dvi_assignment *out, int *n_out,
                  double *marginal, int *have_marginal, sdb_diag *d) SDB_WUR;

/* One family of a DVI case: its pedigree, each person's reference profile
 * (NULL: untyped) and its missing persons (1 .. 8 person indexes, untyped). */
typedef struct sdb_dvi_family {
    const sdb_pedlik *ped;
    const sdb_profile *const *typed;
    int n_missing;
    const int *missing;
} sdb_dvi_family;

/* A victim (remains): profile, sex (M, F, or U: pairs with anyone) and the
 * drop-out probability of each allele copy. */
typedef struct sdb_dvi_victim {
    const sdb_profile *profile;
    char sex;
    double dropout;
} sdb_dvi_victim;

/* The options of one family (every way to give some of its missing persons
 * distinct victims of the right sex, excluded ones left out), the family's
 * missing person j numbered first_missing + j in the options; *out is
 * malloc'd (free it). An option's log10 LR, over the autosomal loci of its
 * victims, is log10 [P(refs, victims at their places) / (P(refs) prod P(victim))],
 * each likelihood by sdb_pedlik_locus. pairwise (n_victims x n_missing,
 * may be NULL) gets each single pairing's log10 LR, -inf where excluded or
 * of the wrong sex; a pairing that is impossible alone is impossible in every
 * option, which prunes the enumeration without changing it. SDB_ERANGE past
 * 2^22 options, SDB_EINVAL when the references are impossible at a locus or
 * a victim's locus has no frequencies (d names it). */
int sdb_dvi_family_options(const sdb_dvi_family *fam, const sdb_pedlik_model *m, const sdb_freq *f,
                           int pop, const sdb_dvi_victim *victims, int n_victims,
                           int first_missing, sdb_dvi_option **out, int *n_out, double *pairwise,
                           sdb_diag *d) SDB_WUR;

/* Person i's sex in the pedigree: 'M', 'F' or 'U'. */
char sdb_pedlik_sex(const sdb_pedlik *p, int i);

/* ---- Y-STR ----------------------------------------------------------------- */

/* One-sided upper confidence bound of a binomial proportion (Clopper-Pearson):
 * the p with P(X <= x | n, p) = 1 - level (level 0.95 -> 95% bound). */
double sdb_clopper_pearson_upper(long x, long n, double level);

/* Result of a haplotype frequency estimate. */
typedef struct sdb_yfreq_result {
    long n;                         /* reference haplotypes typing every query locus */
    long matches;                   /* identical to the query there */
    double frequency;               /* matches / n */
    double upper95;                 /* one-sided 95% Clopper-Pearson bound */
    double augmented;               /* (matches + 1) / (n + 1) */
    long singletons;                /* haplotypes seen once among the n (on the query loci) */
    double kappa;                   /* singletons / n (Brenner 2010) */
    double kappa_match_probability; /* (1 - kappa) / n for an unseen haplotype */
} sdb_yfreq_result;

/* Counts the query's haplotype among n reference haplotypes (an array of
 * finished Y profiles), on the query's typed Y loci. */
int sdb_yfreq(const sdb_profile *query, const sdb_profile *const *refs, long n,
              sdb_yfreq_result *out) SDB_WUR;

/* Posterior over the number of meioses m = 1..max_meioses between two Y
 * haplotypes under the symmetric single-step mutation model with per-locus
 * rates from the catalog (each copy of a multi-copy locus mutates on its
 * own), with a uniform prior on 1..max_meioses. Loci missing on either side,
 * without a rate, or whose alleles differ in their fractional part are left
 * out and counted in *n_skipped. posterior must hold max_meioses + 1 values
 * (index 0 unused). */
typedef struct sdb_meioses_result {
    int loci_compared, loci_differing, total_steps, n_skipped;
    int mode;         /* most probable m */
    int lower, upper; /* central 95% interval */
    double mean;
} sdb_meioses_result;

int sdb_meioses_posterior(const sdb_catalog *cat, const sdb_profile *a, const sdb_profile *b,
                          const char *kit, int max_meioses, double *posterior,
                          sdb_meioses_result *out, sdb_diag *d) SDB_WUR;

/* Name of the paternal relationship most often at m meioses
 * ("father-son", "brothers or grandfather-grandson", ...). */
const char *sdb_meioses_class(int m);

#ifdef __cplusplus
}
#endif
#endif
