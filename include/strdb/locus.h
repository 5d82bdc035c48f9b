/* strdb: the locus catalog.
 *
 * The catalog (data/loci.tsv, compiled into the library) names every locus
 * strdb knows: canonical name, aliases, type, copies per haplotype, repeat
 * length, Y-STR mutation rate and membership in core sets and kits. Input
 * names are matched against names and aliases ignoring case, spaces, '_' and
 * '-'; a name that matches nothing is an error, never guessed.
 */
#ifndef STRDB_LOCUS_H
#define STRDB_LOCUS_H

#include <stddef.h>
#include <stdint.h>
#include "strdb/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum sdb_locus_type {
    SDB_LOCUS_AUTOSOMAL = 0,
    SDB_LOCUS_Y = 1,
    SDB_LOCUS_X = 2,
    SDB_LOCUS_SEX = 3,     /* Amelogenin */
    SDB_LOCUS_CONTROL = 4, /* a kit's quality sensor (QS1, QS2): known, never stored */
} sdb_locus_type;

/* One catalog row. Strings are owned by the catalog and live as long as it. */
/* Locus ids are 1..255: the stored genotype encoding gives them one byte. */
#define SDB_LOCUS_ID_MAX 255

typedef struct sdb_locus {
    uint16_t id;      /* stable, never reused; stored in the database */
    const char *name; /* canonical spelling */
    sdb_locus_type type;
    uint8_t copies;       /* 1, or 2 for DYS385/DYF387S1/DYS527, 4 for DYS464 */
    uint8_t repeat_len;   /* bp; 0 for Amelogenin and Yindel */
    double mutation_rate; /* per meiosis (Y loci with YHRD counts), else 0 */
    int mutations;        /* YHRD observed mutations (0 if unknown) */
    int meioses;          /* YHRD observed meioses (0 if unknown) */
    const char *sets;     /* '|'-separated kit and core-set names */
    const char *aliases;  /* '|'-separated alternative spellings */
} sdb_locus;

typedef struct sdb_catalog sdb_catalog;

/* The built-in catalog, parsed once on first use (thread-safe). Never NULL
 * unless the built-in table is corrupt, which a unit test rules out. Do not
 * free it. */
const sdb_catalog *sdb_catalog_default(void);

/* Parses a catalog in the loci.tsv layout from text[0..len); name is used
 * in diagnostics. On success *out is a new catalog the caller frees with
 * sdb_catalog_free(). Returns SDB_OK, SDB_ENOMEM or SDB_EFORMAT (d says
 * where). */
int sdb_catalog_parse(sdb_catalog **out, const char *name, const char *text, size_t len,
                      sdb_diag *d) SDB_WUR;

/* Frees a catalog from sdb_catalog_parse(); NULL is a no-op. */
void sdb_catalog_free(sdb_catalog *cat);

/* Number of loci, and the i-th in file order (0 <= i < count). */
int sdb_catalog_count(const sdb_catalog *cat);
const sdb_locus *sdb_catalog_at(const sdb_catalog *cat, int i);

/* Locus by stable id, or NULL. */
const sdb_locus *sdb_catalog_by_id(const sdb_catalog *cat, unsigned id);

/* Locus by name or alias (s[0..len), normalised as above), or NULL. */
const sdb_locus *sdb_catalog_find(const sdb_catalog *cat, const char *s, size_t len);

/* 1 if kit (normalised like names) is the name of a set in the catalog. */
int sdb_catalog_has_set(const sdb_catalog *cat, const char *kit);

/* 1 if locus belongs to the set kit, else 0. */
int sdb_locus_in_set(const sdb_locus *locus, const char *kit);

/* "autosomal", "Y", "X", "sex" or "control". */
const char *sdb_locus_type_name(sdb_locus_type t);

/* Writes the comparison key of s[0..len) (upper case, without spaces, '_'
 * and '-') into key (size bytes); returns its length, or -1 if too long. */
int sdb_name_key(const char *s, size_t len, char *key, size_t size);

#ifdef __cplusplus
}
#endif
#endif
