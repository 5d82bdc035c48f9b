/* strdb: Familias .fam files (the pedigree, genotypes and frequency
 * database Familias and forrel/dvir users exchange).
 *
 * The layout (docs/missing-persons.md) is line-based: a header, the persons
 * with their genotypes as indexes into the database, the "Known relations"
 * (extra persons and parent-child pairs), zero or more pedigrees with
 * relations of their own, then the database: per locus the mutation models
 * and rates for females and males and the alleles with their frequencies.
 * strdb's reader is its own; the grammar follows pedFamilias's readFam.
 */
#ifndef STRDB_FAM_H
#define STRDB_FAM_H

#include "strdb/locus.h"
#include "strdb/profile.h"
#include "strdb/stats.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One locus of the database. */
typedef struct sdb_fam_locus {
    const sdb_locus *locus;
    int n;               /* alleles, the silent one excluded */
    sdb_allele *alleles; /* n */
    double *freq;        /* n */
    sdb_mutation female, male;
} sdb_fam_locus;

/* One pedigree: the persons of the file, the extras, and their parents. */
typedef struct sdb_fam_pedigree {
    char *name;
    int n;               /* persons of the file + this pedigree's extras */
    char **ids;          /* n; extras are named extra_N / extra_PED_N */
    char *sex;           /* n; 'M' or 'F' */
    int *father, *mother; /* n; index or -1 */
} sdb_fam_pedigree;

/* One reference family of a DVI file ([DVI] [[Reference Families]]): the
 * pedigree DVI uses (the family's second pedigree when it has several, as
 * dvir's familias2dvir reads it, else its only one) over the family's
 * persons and the extras its relations name ("Missing person"); the missing
 * persons are those whose name begins with "Missing" and who are related to
 * someone in that pedigree. An extra's sex is the opposite of its
 * co-parent's, 'F' for a lone parent (as pedFamilias), 'U' otherwise. */
typedef struct sdb_fam_dvi_family {
    char *name;
    sdb_fam_pedigree ped;
    sdb_profile *profiles; /* ped.n; n_calls 0: untyped */
    int n_missing;
    int *missing;          /* n_missing indexes into ped */
} sdb_fam_dvi_family;

/* The [DVI] part: the unidentified persons (victims) and the families. */
typedef struct sdb_fam_dvi {
    int n_victims;
    sdb_profile *victims; /* sample_id = the Name */
    char *victim_sex;     /* 'M', 'F' or 'U' */
    int n_families;
    sdb_fam_dvi_family *families;
} sdb_fam_dvi;

typedef struct sdb_fam {
    char *version;
    int n_persons;           /* persons of the file (with genotypes or not) */
    sdb_profile *profiles;   /* n_persons; sample_id = the person's name; n_calls 0: untyped */
    int n_pedigrees;         /* at least 1 (the known relations alone when none is given) */
    sdb_fam_pedigree *pedigrees;
    int n_loci;
    sdb_fam_locus *loci;
    double theta;
    sdb_fam_dvi *dvi;        /* the [DVI] part, NULL when the file has none */
} sdb_fam;

/* Parses a whole .fam file in memory, the [DVI] part included (genotypes
 * there are allele names, checked against the catalog's loci). SDB_OK, SDB_EFORMAT or SDB_EINVAL
 * with d naming file, line, field and reason (a file cut in the middle names
 * the line it ends at and what was expected there); unknown loci and
 * unreadable alleles are refused, never guessed. */
int sdb_fam_parse(sdb_fam **out, const char *name, const char *text, size_t len,
                  const sdb_catalog *cat, sdb_diag *d) SDB_WUR;
void sdb_fam_free(sdb_fam *f);

/* The database as a frequency table of one population named name. */
int sdb_fam_freq(const sdb_fam *f, const char *name, sdb_freq **out, sdb_diag *d) SDB_WUR;

#ifdef __cplusplus
}
#endif
#endif
