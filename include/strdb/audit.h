/* strdb: the tamper-evident audit chain.
 *
 * Every import, export, show, search and policy change appends one record:
 * sequence number, UTC time, actor, action, purpose, case reference, the
 * SHA-256 of the canonical parameters (never a genotype), a result count, an
 * outcome ("ok" or "refused: ..."), the previous record's hash and its own
 * hash = SHA-256 over all of these. docs/store.md gives the exact encoding.
 */
#ifndef STRDB_AUDIT_H
#define STRDB_AUDIT_H

#include "strdb/store.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SDB_HASH_HEX 65 /* 64 hex digits + NUL */

/* Appends a record in its own transaction (or inside the caller's, if one is
 * open). params is a canonical text of the request without genotypes; it
 * is stored only as its digest. Returns SDB_OK or SDB_ESTORE. */
int sdb_audit_append(sdb_db *db, const sdb_ctx *ctx, const char *action, const char *params,
                     long result_count, const char *outcome) SDB_WUR;

/* One record as stored. */
typedef struct sdb_audit_record {
    long long seq;
    const char *at, *actor, *action, *purpose, *case_ref, *params_digest, *outcome;
    long long result_count;
    const char *prev_hash, *hash;
} sdb_audit_record;

/* Calls fn for every record in sequence order; stops at the first non-zero
 * return of fn and returns it. */
int sdb_audit_foreach(sdb_db *db, int (*fn)(void *arg, const sdb_audit_record *r), void *arg);

/* Recomputes the chain. SDB_OK (n_records and head filled) or SDB_EAUDIT with
 * *bad_seq the first broken record and d->reason saying how. */
int sdb_audit_verify(sdb_db *db, long long *n_records, char head[SDB_HASH_HEX], long long *bad_seq,
                     sdb_diag *d) SDB_WUR;

/* Hex SHA-256 of text (used for parameter digests). */
void sdb_sha256_hex(const void *data, size_t len, char out[SDB_HASH_HEX]);

#ifdef __cplusplus
}
#endif
#endif
