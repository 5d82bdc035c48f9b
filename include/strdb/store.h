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

#define SDB_SCHEMA_VERSION 8

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

/* Import options; initialise with sdb_import_opts_init(). */
typedef struct sdb_import_opts {
    const char *index;        /* required: an index name of the db_index table */
    const char *basis;        /* required: a code of the legal_basis table */
    const char *retain_until; /* optional ISO date YYYY-MM-DD */
    int skip_invalid;         /* 1: import the valid records, record each reject */
    int replace;              /* 1: a sample id already present is replaced */
    int require_accession;    /* 1: every sample id must be an accession number of this
                               * database's intake, typed, collected under basis; its
                               * "stored" event is recorded with the import (docs/intake.md) */
    sdb_read_opts read;
    /* Called for every rejected record when skip_invalid is set. */
    void (*on_reject)(void *arg, const sdb_diag *d);
    void *reject_arg;
} sdb_import_opts;

void sdb_import_opts_init(sdb_import_opts *o);

/* Sample intake (docs/intake.md): one chain-of-custody event of a sample. */
typedef struct sdb_intake_event {
    const char *accession; /* the sample's accession number (its sample id) */
    const char *event;     /* collected, received, extracted, typed, stored, destroyed */
    const char *at;        /* YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS]Z, UTC; NULL: now */
    const char *place;     /* required: where it happened */
    const char *basis;     /* "collected" only, and required there: the legal basis */
    const char *note;      /* optional */
} sdb_intake_event;
/* Receives each accession number issued; non-zero stops. */
typedef int (*sdb_intake_fn)(void *arg, const char *accession);

typedef struct sdb_import_stats {
    long n_records;  /* records read */
    long n_imported; /* inserted or replaced */
    long n_replaced;
    long n_rejected;
    long batch_id;
    sdb_format format;
} sdb_import_stats;

/* Import of a Familias DVI file (sdb_session_fam_import; docs/missing-persons.md):
 * the typed members of its reference families as profiles of ref_index
 * (sample id and person id "FAMILY/NAME"), its unidentified persons as
 * profiles of remains_index (their names as sample ids; NULL or "": not
 * imported), and each family as a missing-person family under ctx's case,
 * all in one transaction with basis (and retain_until) for every profile.
 * Initialise the options with sdb_fam_import_opts_init() (relative-of-missing,
 * unidentified-remains). */
typedef struct sdb_fam_import_opts {
    const char *basis, *retain_until, *ref_index, *remains_index;
} sdb_fam_import_opts;

typedef struct sdb_fam_import_stats {
    long families, persons, references, victims;
} sdb_fam_import_stats;

void sdb_fam_import_opts_init(sdb_fam_import_opts *o);

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
    const char *origin; /* where the file said it came from (a CMF source lab), NULL if not */
} sdb_stored;

/* Iterates profiles in sample id order, optionally of some indexes and/or
 * one sample id (NULL for all). Wherever an index argument filters
 * profiles (here, sdb_iter_open_genotypes, sdb_db_stamp, sdb_idx_build) it
 * is one index name or a comma-separated list of them, as
 * sdb_policy_indexes returns. Not audited by itself: callers that read
 * profiles append an audit record (see sdb_audit_append). The iterator
 * borrows db; close it before closing db. */
typedef struct sdb_iter sdb_iter;
/* NULL is a no-op. */

#ifdef __cplusplus
}
#endif
#endif
