/* strdb: population simulation with family trees, Y-STR lineages and
 * autosomal genotypes (the test-data factory; `strdb simulate`).
 *
 * A forward Wright-Fisher simulation over non-overlapping generations:
 * generation g holds round(founders * (1 + growth)^g) persons, half male on
 * average; every person of generation g + 1 draws a father among the men and
 * a mother among the women of generation g, with probability proportional
 * to a per-parent fitness drawn from Gamma(shape, 1/shape) (shape 0: equal
 * fitness, i.e. plain Wright-Fisher; smaller shapes give more variance in
 * family size). Sons inherit the father's Y haplotype with single-step
 * mutations (a two_step fraction of them two steps) at the catalog's
 * per-locus rates; every child inherits one random allele of each parent at
 * each autosomal locus, optionally mutated one step.
 *
 * Every random draw is a function of (seed, generation, person, purpose), so
 * the output is identical whatever the number of threads. Only the
 * generations needed for the truth (parents, grandparents ...) stay in
 * memory; persons stream out through callbacks.
 */
#ifndef STRDB_SIMULATE_H
#define STRDB_SIMULATE_H

#include <stdint.h>

#include "strdb/stats.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sdb_sim_opts {
    uint64_t seed;
    int generations;           /* after the founders (>= 1) */
    long founders;             /* persons in generation 0 */
    double growth;             /* per generation, e.g. 0.02 */
    double family_shape;       /* Gamma shape of parent fitness; 0 = plain Wright-Fisher */
    double couples;            /* share of children born to the mother's one partner (full
                                  siblings); 0 = random mating (default) */
    const char *y_kit;         /* Y loci simulated (NULL: none), e.g. "Yfiler Plus" */
    double two_step;           /* fraction of Y mutations that are two steps (default 0.03) */
    const char *autosomal_kit; /* autosomal loci (NULL: none), e.g. "CODIS 20" */
    const sdb_freq *freq;      /* founder allele frequencies (needed with autosomal_kit) */
    int pop;                   /* population of freq */
    double autosomal_mutation; /* per locus and transmission (default 0) */
    const sdb_profile *const *y_founders; /* real haplotypes to draw founders from, or NULL */
    long n_y_founders;
    int threads; /* >= 1 */
    /* Optional: called before each person's callback; when it returns 0 the
     * person's profiles are not built (x->autosomal and x->y are NULL), which
     * saves most of the time when only a sample is written. */
    int (*want_profiles)(void *arg, uint64_t id, int generation);
} sdb_sim_opts;

void sdb_sim_opts_init(sdb_sim_opts *o);

/* A simulated person as the callbacks see it. */
typedef struct sdb_sim_person {
    uint64_t id;             /* unique; generation * 2^40 + index */
    uint64_t father, mother; /* 0 for founders */
    int generation;
    int male;
    int y_mutations;              /* Y mutations received from the father (recorded) */
    const char *name;             /* "G<generation>-<index>": the person's printable id */
    const sdb_profile *autosomal; /* sample id = name; NULL without autosomal loci */
    const sdb_profile *y;         /* sample id = name + "Y"; NULL for women or without Y loci */
} sdb_sim_person;

/* Writes the printable name of person id ("G<generation>-<index>"). */
void sdb_sim_name(uint64_t id, char buf[32]);

/* Called for every person in generation order, then index order (on the
 * calling thread). A non-zero return stops the simulation with that code. */
typedef int (*sdb_sim_person_fn)(void *arg, const sdb_sim_person *p);

/* Runs the simulation. Returns SDB_OK, SDB_EINVAL (d says which option) or
 * SDB_ENOMEM, or the callback's code. */
int sdb_simulate(const sdb_catalog *cat, const sdb_sim_opts *o, sdb_sim_person_fn fn, void *arg,
                 sdb_diag *d) SDB_WUR;

/* The deterministic hash the simulation draws from (splitmix64 finaliser
 * over the key words): exposed for tests and for sampling in the CLI. */
uint64_t sdb_sim_hash(uint64_t seed, uint64_t a, uint64_t b, uint64_t c);

/* ---- missing-person families (src/sim/missing.c) ---------------------------- */

typedef struct sdb_sim_mp_opts {
    uint64_t seed;
    long families;      /* pedigrees, shapes in turn at random (sdb_sim_mp_shape) */
    long unrelated;     /* remains of persons outside every family */
    double found;       /* P(a missing person's remains are among the remains), default 0.5 */
    double locus_loss;  /* P(a locus of remains is lost), default 0.1 */
    double mutation;    /* per locus and transmission, one step (default 0) */
    const char *kit;    /* autosomal loci (default "CODIS 20") */
    const sdb_freq *freq;
    int pop;
    int shape;          /* -1: at random; else every family of that shape */
} sdb_sim_mp_opts;

void sdb_sim_mp_opts_init(sdb_sim_mp_opts *o);

/* The families (references typed, missing persons untyped), the remains
 * (found missing persons first by family, then the unrelated) and the
 * truth: truth_family[r] (-1: unrelated) and truth_person[r]; shape[f]. */
typedef struct sdb_sim_mp {
    struct sdb_mp_family *families;
    long n_families;
    sdb_profile *remains;
    long n_remains;
    long *truth_family;
    int *truth_person;
    int *shape;
} sdb_sim_mp;

/* Shape i's name ("child-both-parents", ...), NULL past the last. */
const char *sdb_sim_mp_shape(int i);
int sdb_sim_missing(const sdb_catalog *cat, const sdb_sim_mp_opts *o, sdb_sim_mp *m,
                    sdb_diag *d) SDB_WUR;
void sdb_sim_mp_free(sdb_sim_mp *m);

#ifdef __cplusplus
}
#endif
#endif
