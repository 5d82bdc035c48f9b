/* strdb: persons and pedigrees.
 *
 * A pedigree file is CSV with a header naming at least id, father, mother
 * and sex (M, F or U; also male/female/unknown), optionally birth_year and
 * sample_id (other columns, such as the simulator's generation, are
 * ignored). Empty father/mother: unknown. docs/pedigree.md has the rules.
 */
#ifndef STRDB_PEDIGREE_H
#define STRDB_PEDIGREE_H

#include "strdb/store.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sdb_person {
    char *id, *father, *mother, *sample_id; /* NULL when empty */
    char sex;                               /* 'M', 'F' or 'U' */
    int birth_year;                         /* 0 when unknown */
    long line;
} sdb_person;

typedef struct sdb_pedigree {
    sdb_person *persons;
    long n;
    char *text; /* owns the strings */
} sdb_pedigree;

/* Parses and checks a pedigree in memory as a whole: header, fields, sex,
 * birth year, duplicate ids, a person who is their own parent, a father who
 * is not male or a mother who is not female (when the parent is in the
 * file), and cycles (a person who is their own ancestor). Parents not in
 * the file are left to sdb_pedigree_import (they may be stored). SDB_OK,
 * SDB_EFORMAT or SDB_EINVAL with d naming name, line, field and reason. */
int sdb_pedigree_parse(sdb_pedigree **out, const char *name, const char *text, size_t len,
                       sdb_diag *d) SDB_WUR;
void sdb_pedigree_free(sdb_pedigree *p);

typedef struct sdb_pedigree_stats {
    long persons, linked_profiles;
    long mendel_flags; /* typed parent-child pairs sharing no allele at some locus */
    long y_flags;      /* typed father-son pairs whose Y haplotypes differ */
} sdb_pedigree_stats;

/* Imports a pedigree file in one transaction: sdb_pedigree_parse's checks,
 * then parents must be in the file or already stored (with the right sex),
 * ids must be new, sample ids must name stored profiles (without a
 * sample_id column a person is linked to the profile whose sample id is the
 * person id, as the simulator writes them). Typed parent-child pairs are
 * compared and inconsistencies counted and reported through
 * sdb_log (flagged, not refused). Audited "pedigree-import". */
int sdb_pedigree_import(sdb_db *db, const sdb_ctx *ctx, const char *path,
                        sdb_pedigree_stats *st, sdb_diag *d) SDB_WUR;

/* The Y haplotype of the person linked to profile sample_id (in one of the
 * indexes of the comma list; NULL: any): SDB_OK with y filled (y's sample id
 * set), SDB_ENOTFOUND when there is none. *sex is the person's sex ('M', 'F',
 * 'U'), or 0 when the profile has no person. */
int sdb_person_y_profile(sdb_db *db, const char *sample_id, const char *indexes, char *sex,
                         sdb_profile *y) SDB_WUR;

#ifdef __cplusplus
}
#endif
#endif
