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

/* One record as stored. */
typedef struct sdb_audit_record {
    long long seq;
    const char *at, *actor, *action, *purpose, *case_ref, *params_digest, *outcome;
    long long result_count;
    const char *prev_hash, *hash;
    const char *state; /* schema 5: what the record vouches for (docs/store.md); NULL before */
} sdb_audit_record;

/* Hex SHA-256 of text (used for parameter digests). */
void sdb_sha256_hex(const void *data, size_t len, char out[SDB_HASH_HEX]);

#ifdef __cplusplus
}
#endif
#endif
