/* Private to src/governance: helpers shared by its files, the session's
 * state and the gate every operation of session_*.c passes (session.c). */
#ifndef STRDB_GOVERNANCE_INTERNAL_H
#define STRDB_GOVERNANCE_INTERNAL_H

#include <sodium.h>

#include "engine_internal.h"
#include "store/store_internal.h"

/* Runs one statement with text parameters args[0..n); *changes (if not
 * NULL) gets the number of rows it changed. SDB_OK or SDB_ESTORE. */
int sdb_gov_run(sdb_db *db, const char *sql, const char *const *args, int n, int *changes);

/* The database's secret for keyed hashes (created on first use), and the
 * keyed BLAKE2b-256 of text with it, in hex: read the secret once, hash
 * many (sdb_sample_key does both for one text). */
int sdb_gov_secret(sdb_db *db, unsigned char key[crypto_generichash_KEYBYTES]);
void sdb_gov_keyed_hex(const unsigned char key[crypto_generichash_KEYBYTES], const char *text,
                   char out[SDB_HASH_HEX]);

/* sdb_expunge in two steps: the rows (one transaction), and the scrub
 * (snapshots removed, WAL truncated), which a run of many expunctions does
 * once at the end. */
int sdb_gov_expunge_rows(sdb_db *db, const sdb_ctx *ctx, const char *sample_id, const char *reason,
                     const char *authorization, sdb_diag *d);
int sdb_gov_scrub(sdb_db *db, sdb_diag *d);

/* The columns the i-th step of an expunction clears ("table.column ...",
 * "" for a step that prepares), NULL past the last: the one list of every
 * column that holds a sample, profile or person id (expunge.c). */
const char *sdb_gov_id_columns(size_t i);

struct sdb_session {
    sdb_db *db;
    sdb_ctx ctx; /* points into the buffers below */
    char actor[64], role[16], purpose[64], case_ref[256], authorization[256];
    char path[1024];
    int controlled, readonly;
    struct {
        sdb_idx *x;
        char stamp[65];
        char indexes[1024];
        void *shared; /* the entry of index_cache holding x, when shared */
    } cache[2]; /* autosomal, Y */
    sdb_index_cache *index_cache;
    long long last_seq; /* the session's newest audit record */
};

/* The shared cache (index_cache.c): build makes the index when no entry
 * has it; *entry is then held until sdb_gov_cache_release. */
typedef int (*sdb_gov_build_fn)(void *arg, sdb_idx **x, sdb_diag *d);
int sdb_gov_cache_get(sdb_index_cache *c, const char *allowed, int kind, const char *stamp,
                      sdb_gov_build_fn build, void *arg, sdb_idx **x, void **entry, sdb_diag *d);
void sdb_gov_cache_release(sdb_index_cache *c, void *entry);

/* Audits a refusal (d->reason says why) under action and returns code. */
int sdb_gov_refuse(sdb_session *s, const char *action, const char *params, int code,
                   sdb_diag *d);
/* The role check alone: SDB_OK or SDB_EROLE (audited). */
int sdb_gov_role(sdb_session *s, const char *action, const char *params, sdb_diag *d);
/* Role for action, the purpose's binding to the role, then (operation not
 * NULL) the purpose policy for operation on index (NULL: every index the
 * purpose may use), the allowed indexes copied to allowed. Refusals are
 * audited under action and return SDB_EROLE / SDB_EPOLICY / SDB_ENOTFOUND. */
int sdb_gov_gate(sdb_session *s, const char *action, const char *operation, const char *index,
                 const char *params, char *allowed, size_t size, sdb_diag *d);
/* The one record of an operation (and the keyed hashes of ids[0..n_ids),
 * the samples it returned), in one transaction. SDB_ESTORE if it could not
 * be written: then the caller returns nothing. */
int sdb_gov_audit(sdb_session *s, const char *action, const char *params, long count,
                  const char *const *ids, long n_ids, const char *outcome, sdb_diag *d);
/* sdb_gov_audit with the query of an identity search (its encoded genotype)
 * stored beside the record (table search_query) in the same transaction. */
int sdb_gov_audit_query(sdb_session *s, const char *action, const char *params, long count,
                        const char *const *ids, long n_ids, const char *outcome,
                        const void *query, size_t query_len, sdb_diag *d);
/* The index of the allowed indexes and kind, cached by the session. */
int sdb_gov_index(sdb_session *s, const char *allowed, sdb_kind kind, const sdb_idx **out,
                  sdb_diag *d);
/* Copies src (NULL: "") into dst of size bytes, cut to fit. */
void sdb_gov_copy(char *dst, size_t size, const char *src);
/* Appends "(the database has: a, b, ...)" of the index names to d->reason. */
void sdb_gov_list_indexes(sdb_db *db, sdb_diag *d);
/* The same for the names the one-column query sql returns. */
void sdb_gov_list_names(sdb_db *db, const char *sql, sdb_diag *d);

/* State digests (state.c, docs/store.md): the state string the next audit
 * record carries, folding in the connection's profile delta (SDB_EAUDIT
 * when the profile digest no longer matches the newest record); the
 * governance tables against the newest record (SDB_EAUDIT naming the
 * table), and that plus every profile row (sdb_state_verify). */
int sdb_state_next(sdb_db *db, char *out, size_t size, sdb_diag *d);
int sdb_state_check(sdb_db *db, sdb_diag *d);
int sdb_state_verify(sdb_db *db, sdb_diag *d);

#endif
