/* strdb: persons and pedigrees.
 *
 * A pedigree file is CSV with a header naming at least id, father, mother
 * and sex (M, F or U; also male/female/unknown), optionally birth_year and
 * sample_id, and family and missing for missing-person families (other
 * columns, such as the simulator's generation, are ignored). Empty father/mother: unknown. docs/pedigree.md has the rules.
 */
#ifndef STRDB_PEDIGREE_H
#define STRDB_PEDIGREE_H

#include "strdb/store.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sdb_person {
    char *id, *father, *mother, *sample_id; /* NULL when empty */
    char *family;                           /* missing-person family, NULL when none */
    int missing;                            /* 1: a missing person of the family */
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
 * file), cycles (a person who is their own ancestor), and families: a
 * missing person needs a family, a member's parents must be rows of the
 * file in the same family, and each family needs a missing person. Parents not in
 * the file are left to sdb_pedigree_import (they may be stored). SDB_OK,
 * SDB_EFORMAT or SDB_EINVAL with d naming name, line, field and reason. */
int sdb_pedigree_parse(sdb_pedigree **out, const char *name, const char *text, size_t len,
                       sdb_diag *d) SDB_WUR;
void sdb_pedigree_free(sdb_pedigree *p);

typedef struct sdb_pedigree_stats {
    long persons, linked_profiles;
    long families; /* missing-person families */
    long mendel_flags; /* typed parent-child pairs sharing no allele at some locus */
    long y_flags;      /* typed father-son pairs whose Y haplotypes differ */
} sdb_pedigree_stats;

#ifdef __cplusplus
}
#endif
#endif
