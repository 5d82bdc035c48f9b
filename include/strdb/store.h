/* strdb: the SQLite store.
 *
 * A database is one SQLite file in WAL mode with STRICT tables, foreign keys
 * and secure_delete; its schema version is PRAGMA user_version and newer
 * code migrates older files forward at open (never backward: a file newer
 * than this build is refused with SDB_EVERSION). Schema: docs/store.md.
 *
 * One sdb_db handle is used by one thread at a time. The store is the only
 * writer of the file.
 */
#ifndef STRDB_STORE_H
#define STRDB_STORE_H

#include "strdb/io.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SDB_SCHEMA_VERSION 4

typedef struct sdb_db sdb_db;

/* Who does what, and why: every audited call takes one. Strings borrowed.
 * actor is required; purpose is required for reads of profiles; case_ref
 * is optional; authorization is the reference of the decision that allows
 * the request, required by purposes marked so in the policy (familial). */
typedef struct sdb_ctx {
    const char *actor;
    const char *purpose;
    const char *case_ref;
    const char *authorization;
} sdb_ctx;

/* Creates a new database at path (refused with SDB_EEXIST if the file exists
 * and is not empty) and records an "init" audit record. */
int sdb_db_create(sdb_db **out, const char *path, const sdb_ctx *ctx, sdb_diag *d) SDB_WUR;

/* Opens an existing database (migrating it if older). readonly opens it
 * without write access (audited calls then fail with SDB_ESTORE). */
int sdb_db_open(sdb_db **out, const char *path, int readonly, sdb_diag *d) SDB_WUR;

/* Closes; NULL is a no-op. */
void sdb_db_close(sdb_db *db);

/* The catalog the database was opened with (the built-in one). */
const sdb_catalog *sdb_db_catalog(const sdb_db *db);

/* Import options; initialise with sdb_import_opts_init(). */
typedef struct sdb_import_opts {
    const char *index;        /* required: an index name of the db_index table */
    const char *basis;        /* required: a code of the legal_basis table */
    const char *retain_until; /* optional ISO date YYYY-MM-DD */
    int skip_invalid;         /* 1: import the valid records, record each reject */
    int replace;              /* 1: a sample id already present is replaced */
    sdb_read_opts read;
    /* Called for every rejected record when skip_invalid is set. */
    void (*on_reject)(void *arg, const sdb_diag *d);
    void *reject_arg;
} sdb_import_opts;

void sdb_import_opts_init(sdb_import_opts *o);

typedef struct sdb_import_stats {
    long n_records;  /* records read */
    long n_imported; /* inserted or replaced */
    long n_replaced;
    long n_rejected;
    long batch_id;
    sdb_format format;
} sdb_import_stats;

/* Imports a file as one transaction. Without skip_invalid, the first invalid
 * record aborts the import and the database keeps exactly its previous
 * content (one audit record notes the refusal). Returns SDB_OK, SDB_EINVAL,
 * SDB_EFORMAT, SDB_EDUP, SDB_ENOTFOUND (index/basis), SDB_EPERM (missing
 * basis) or SDB_ESTORE, with d naming file, line, field and reason. */
int sdb_db_import(sdb_db *db, const sdb_ctx *ctx, const char *path, const sdb_import_opts *o,
                  sdb_import_stats *stats, sdb_diag *d) SDB_WUR;

/* Stored metadata of one profile (strings valid until the next call of the
 * iterator or the end of sdb_db_get's callback). */
typedef struct sdb_stored {
    long long rowid;
    const char *index;
    const char *basis;
    const char *retain_until; /* NULL if none */
    const char *source_file;
    long source_line;
    long batch_id;
    const char *imported_at;
} sdb_stored;

/* Iterates profiles in sample id order, optionally of some indexes and/or
 * one sample id (NULL for all). Wherever an index argument filters
 * profiles (here, sdb_iter_open_genotypes, sdb_db_stamp, sdb_idx_build) it
 * is one index name or a comma-separated list of them, as
 * sdb_policy_indexes returns. Not audited by itself: callers that read
 * profiles append an audit record (see sdb_audit_append). The iterator
 * borrows db; close it before closing db. */
typedef struct sdb_iter sdb_iter;
int sdb_iter_open(sdb_iter **out, sdb_db *db, const char *index, const char *sample_id) SDB_WUR;
/* SDB_OK with p (and meta, if not NULL) filled, SDB_END, or an error
 * (SDB_EFORMAT/SDB_EVERSION for a damaged or unknown genotype encoding).
 * meta's strings stay valid until the next call or sdb_iter_close(). */
int sdb_iter_next(sdb_iter *it, sdb_profile *p, sdb_stored *meta) SDB_WUR;
/* NULL is a no-op. */
/* The raw form of a genotype iterator's next row, for index builders: the
 * sample id and the stored genotype blob (docs/store.md), both valid until
 * the next call. SDB_OK, SDB_END, SDB_ESTORE; SDB_EINVAL on an iterator
 * not opened with sdb_iter_open_genotypes. */
int sdb_iter_next_raw(sdb_iter *it, const char **sample_id, const void **genotype,
                      size_t *len) SDB_WUR;

/* Unpacks a stored genotype blob into at most cap (locus id, allele)
 * entries, sorted by locus; *n is their number. SDB_EFORMAT for a damaged
 * blob (header, length, an invalid allele, loci out of order), SDB_EVERSION
 * for another encoding version, SDB_ENOMEM when more than cap entries. */
int sdb_genotype_unpack(const void *blob, size_t len, uint16_t *loci, sdb_allele *alleles, int cap,
                        int *n) SDB_WUR;

void sdb_iter_close(sdb_iter *it);

/* A lean iterator for bulk readers (index builds): profiles of one kind,
 * optionally of one index, in storage order, with sample id, genotype and
 * flags only (sdb_iter_next's meta must be NULL). */
int sdb_iter_open_genotypes(sdb_iter **out, sdb_db *db, const char *index, sdb_kind kind) SDB_WUR;

/* Reads one profile by sample id: SDB_OK, SDB_ENOTFOUND or an error. */
int sdb_db_get(sdb_db *db, const char *sample_id, sdb_profile *p) SDB_WUR;

/* 1 if name is an index / a legal basis / a purpose of the database. */
int sdb_db_has_index(sdb_db *db, const char *name);
int sdb_db_has_basis(sdb_db *db, const char *code);
int sdb_db_has_purpose(sdb_db *db, const char *code);

/* Reads / changes the validation rule of an index. */
int sdb_db_index_rule(sdb_db *db, const char *index, sdb_index_rule *out) SDB_WUR;
int sdb_db_set_index_rule(sdb_db *db, const sdb_ctx *ctx, const sdb_index_rule *rule) SDB_WUR;

/* A digest of the store state an index of (index or NULL, kind) depends
 * on: the profile count, the last import batch and the highest row id of
 * those profiles, so any import, replacement or deletion changes it. 64 hex
 * characters + NUL. SDB_OK or SDB_ESTORE. */
int sdb_db_stamp(sdb_db *db, const char *index, sdb_kind kind, char stamp[65]) SDB_WUR;

/* The raw SQLite handle, for inspection tools and tests only (owned by db). */
struct sqlite3 *sdb_db_sqlite(sdb_db *db);

#ifdef __cplusplus
}
#endif
#endif
