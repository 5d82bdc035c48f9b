/* Private to src/governance. */
#ifndef STRDB_GOVERNANCE_INTERNAL_H
#define STRDB_GOVERNANCE_INTERNAL_H

#include <sodium.h>

#include "store/store_internal.h"
#include "strdb/governance.h"

/* Runs one statement with text parameters args[0..n); *changes (if not
 * NULL) gets the number of rows it changed. SDB_OK or SDB_ESTORE. */
int gov_run(sdb_db *db, const char *sql, const char *const *args, int n, int *changes);

/* The database's secret for keyed hashes (created on first use), and the
 * keyed BLAKE2b-256 of text with it, in hex: read the secret once, hash
 * many (sdb_sample_key does both for one text). */
int gov_secret(sdb_db *db, unsigned char key[crypto_generichash_KEYBYTES]);
void gov_keyed_hex(const unsigned char key[crypto_generichash_KEYBYTES], const char *text,
                   char out[SDB_HASH_HEX]);

/* sdb_expunge in two steps: the rows (one transaction), and the scrub
 * (snapshots removed, WAL truncated), which a run of many expunctions does
 * once at the end. */
int gov_expunge_rows(sdb_db *db, const sdb_ctx *ctx, const char *sample_id, const char *reason,
                     const char *authorization, sdb_diag *d);
int gov_scrub(sdb_db *db, sdb_diag *d);

#endif
