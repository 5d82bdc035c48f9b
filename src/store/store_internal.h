/* Private to src/store. */
#ifndef STRDB_STORE_INTERNAL_H
#define STRDB_STORE_INTERNAL_H

#include <sqlite3.h>

#include "strdb/audit.h"
#include "strdb/store.h"

#define SDB_APPLICATION_ID 0x53544442 /* "STDB" in PRAGMA application_id */

struct sdb_db {
    sqlite3 *sql;
    const sdb_catalog *cat;
    int readonly;
    char path[1024];
};

/* Runs SQL without results; on failure fills d with SQLite's message. */
int store_exec(sdb_db *db, const char *sql, sdb_diag *d);

/* Prepares SQL; on failure fills d. */
int store_prepare(sdb_db *db, const char *sql, sqlite3_stmt **st, sdb_diag *d);

/* Creates the schema of version SDB_SCHEMA_VERSION and its seed rows in an
 * empty database; migrates an older one forward. */
int schema_create(sdb_db *db, sdb_diag *d);
int schema_migrate(sdb_db *db, int from_version, sdb_diag *d);
/* Adds catalog loci the database lacks; checks that shared ids agree. */
int schema_sync_loci(sdb_db *db, sdb_diag *d);

/* Genotype blob (docs/store.md): "SG", version 1, 0, then per allele a
 * little-endian u16 locus id and u16 allele code, sorted by locus. */
#define SDB_GT_MAGIC0 'S'
#define SDB_GT_MAGIC1 'G'
#define SDB_GT_VERSION 1
#define SDB_GT_HEADER 4
/* Encodes p into buf (capacity cap, at least SDB_GT_HEADER + 4 * alleles);
 * returns the length or SDB_ENOMEM if cap is too small. */
long genotype_encode(const sdb_profile *p, unsigned char *buf, size_t cap);
/* Decodes a blob into p's calls and alleles (p reset first except the id).
 * SDB_EVERSION for an unknown version, SDB_EFORMAT for a damaged blob or an
 * unknown locus id. */
int genotype_decode(sdb_profile *p, const sdb_catalog *cat, const void *blob, size_t len);

/* Current UTC time as "YYYY-MM-DDTHH:MM:SS.mmmZ". */
void store_now(char buf[32]);

#endif
