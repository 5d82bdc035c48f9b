/* strdb engine-internal API: the functions that read or change a database
 * directly, below the session. They do not authenticate, check the policy or
 * (except where they say so) audit, so they are not part of the public API:
 * this header is not installed, and only the library's own modules, the
 * unit tests, the benchmarks and the fuzz harnesses include it (test_layers
 * checks that the command-line tool does not). Everything an embedder
 * needs goes through include/strdb/session.h.
 */
#ifndef STRDB_ENGINE_INTERNAL_H
#define STRDB_ENGINE_INTERNAL_H

#include <stdio.h>

#include "strdb/strdb.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- threads ---- */

/* The most threads one call uses (thread counts above it are clamped). */
#define SDB_MAX_THREADS 64

/* Runs fn(arg, tid) for tid 0 .. n_threads - 1 (clamped to 1 ..
 * SDB_MAX_THREADS): tid 0 on the calling thread, the others on threads of
 * their own (a part whose thread cannot start runs on the caller). Returns
 * when all are done: the first non-zero return by tid, SDB_ENOMEM if the
 * bookkeeping cannot be allocated (then fn never runs), else SDB_OK. */
int sdb_parallel_for(int n_threads, int (*fn)(void *arg, int tid), void *arg) SDB_WUR;

/* ---- from strdb/store.h ---- */
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

/* Imports a file as one transaction. Without skip_invalid, the first invalid
 * record aborts the import and the database keeps exactly its previous
 * content (one audit record notes the refusal). Returns SDB_OK, SDB_EINVAL,
 * SDB_EFORMAT, SDB_EDUP, SDB_ENOTFOUND (index/basis), SDB_EPERM (missing
 * basis) or SDB_ESTORE, with d naming file, line, field and reason. */
int sdb_db_import(sdb_db *db, const sdb_ctx *ctx, const char *path, const sdb_import_opts *o,
                  sdb_import_stats *stats, sdb_diag *d) SDB_WUR;

int sdb_iter_open(sdb_iter **out, sdb_db *db, const char *index, const char *sample_id) SDB_WUR;

/* SDB_OK with p (and meta, if not NULL) filled, SDB_END, or an error
 * (SDB_EFORMAT/SDB_EVERSION for a damaged or unknown genotype encoding).
 * meta's strings stay valid until the next call or sdb_iter_close(). */
int sdb_iter_next(sdb_iter *it, sdb_profile *p, sdb_stored *meta) SDB_WUR;

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

/* All of f from where it stands into *buf (malloc'd, *len bytes, not
 * NUL-terminated). SDB_OK, SDB_ENOMEM or SDB_EIO (a read error). */
int sdb_slurp(FILE *f, char **buf, size_t *len) SDB_WUR;

/* A digest of the store state an index of (index or NULL, kind) depends
 * on, in O(1): the profile digest and count of the newest audit record's
 * state, into which every import, replacement and deletion is folded (a
 * chain without state: the count, last import batch and highest row id of
 * those profiles, a scan). 64 hex characters + NUL. SDB_OK or SDB_ESTORE. */
int sdb_db_stamp(sdb_db *db, const char *index, sdb_kind kind, char stamp[65]) SDB_WUR;

/* The raw SQLite handle, for inspection tools and tests only (owned by db). */
struct sqlite3 *sdb_db_sqlite(sdb_db *db);

/* ---- from strdb/audit.h ---- */
/* One column value of a profile row as the state digest encodes it
 * (type: SQLITE_INTEGER, SQLITE_TEXT, SQLITE_BLOB or SQLITE_NULL; i for an
 * integer, p and n for text and blobs). */
typedef struct sdb_cell {
    int type;
    long long i;
    const void *p;
    size_t n;
} sdb_cell;

/* The profile columns the state digest covers, in its order (the cells an
 * import hashes, the insert binds). */
#define SDB_STATE_COLS "sample_id, index_name, kind, flags, n_loci, genotype, basis," \
                       " retain_until, batch_id, source_line, kit, population"
#define SDB_STATE_NCOLS 12

/* The profile accumulator's lanes (2048 bits, src/governance/state.c). */
#define SDB_ACC_LANES 32

/* The state value of a profile row (cells in SDB_STATE_COLS order), and
 * folding it into the connection's delta as a newly inserted row: the
 * import's path, in place of an insert trigger (which cost more than the
 * hash). Thread-safe; sdb_state_fold only on the connection's thread. */
void sdb_state_lanes(const sdb_cell *cells, uint64_t lanes[SDB_ACC_LANES]);
void sdb_state_fold(sdb_db *db, const uint64_t lanes[SDB_ACC_LANES]);

/* Readies a connection for state digests (src/governance/state.c): the SQL
 * functions sdb_acc, sdb_acc_sum and sdb_gov_changed, and with triggers
 * (read-write connections, once the schema exists) the temporary triggers
 * that feed the connection's delta (profile updates and deletions; inserts
 * come from the import, sdb_state_fold) and mark governance changes,
 * a rollback hook that drops both and a commit hook that refuses a change
 * of profiles no audit record folded in. */
int sdb_state_connect(sdb_db *db, int triggers, sdb_diag *d) SDB_WUR;

/* Appends a record in its own transaction (or inside the caller's, if one is
 * open). params is a canonical text of the request without genotypes; it
 * is stored only as its digest. Returns SDB_OK or SDB_ESTORE. */
int sdb_audit_append(sdb_db *db, const sdb_ctx *ctx, const char *action, const char *params,
                     long result_count, const char *outcome) SDB_WUR;

/* Calls fn for every record in sequence order; stops at the first non-zero
 * return of fn and returns it. */
int sdb_audit_foreach(sdb_db *db, int (*fn)(void *arg, const sdb_audit_record *r), void *arg);

/* Recomputes the chain. SDB_OK (n_records and head filled) or SDB_EAUDIT with
 * *bad_seq the first broken record and d->reason saying how. */
int sdb_audit_verify(sdb_db *db, long long *n_records, char head[SDB_HASH_HEX], long long *bad_seq,
                     sdb_diag *d) SDB_WUR;

/* ---- from strdb/index.h ---- */
/* Builds the index of every profile of one kind in db, optionally of one
 * db index (NULL: all). The caller frees *out with sdb_idx_free(). Not
 * audited: callers that search append the audit record. Returns SDB_OK,
 * SDB_ENOMEM, SDB_EINVAL (more than 254 alleles at a locus or more than 64
 * loci; d says which) or a store error. */
int sdb_idx_build(sdb_idx **out, sdb_db *db, const char *index, sdb_kind kind, sdb_diag *d) SDB_WUR;

/* ---- from strdb/index.h: snapshot files beside a database ---- */
/* Writes x with stamp to path (atomically: a temporary file renamed).
 * Returns SDB_OK or SDB_EIO. */
int sdb_idx_save(const sdb_idx *x, const char stamp[65], const char *path) SDB_WUR;

/* Reads a snapshot. SDB_EFORMAT for a file that is not a snapshot or whose
 * checksum fails, SDB_EVERSION for another version, SDB_ENOTFOUND when
 * want_stamp is given and differs (the store changed: rebuild), SDB_EIO. */
int sdb_idx_load(sdb_idx **out, const sdb_catalog *cat, const char *path, const char *want_stamp,
                 sdb_diag *d) SDB_WUR;

/* ---- from strdb/governance.h ---- */
/* Removes the profile sample_id: its row, its genotype bytes, import
 * rejects that name it, and every index snapshot beside the database (they
 * hold genotype bytes). The audit chain and the expunction table keep only a
 * keyed BLAKE2b hash of the sample id (the key is a random secret in the
 * database's meta table), the index name and the reason. SQLite's
 * secure_delete zeroes the freed cells; a WAL checkpoint with truncation
 * then empties the WAL, so neither the sample id nor the genotype bytes
 * remain in the database file or its WAL. Needs ctx->purpose
 * "administration" and a non-empty reason. Returns SDB_OK, SDB_ENOTFOUND,
 * SDB_EPERM, SDB_EBUSY (expunged, but another connection kept the WAL from
 * being truncated: run sdb_db_truncate_wal when it has closed) or
 * SDB_ESTORE. */
int sdb_expunge(sdb_db *db, const sdb_ctx *ctx, const char *sample_id, const char *reason,
                const char *authorization, sdb_diag *d) SDB_WUR;

/* Checkpoints the WAL into the database file and truncates it to zero
 * bytes. SDB_OK, SDB_EBUSY (a reader holds it) or SDB_ESTORE. */
int sdb_db_truncate_wal(sdb_db *db, sdb_diag *d) SDB_WUR;

/* The keyed hash the audit chain keeps for an expunged sample id (hex
 * BLAKE2b-256 keyed with the database's secret): lets a custodian answer
 * "was this sample expunged?" without the database holding the id. */
int sdb_sample_key(sdb_db *db, const char *sample_id, char out[SDB_HASH_HEX]) SDB_WUR;

/* Signs the current head with the secret key file, stores the checkpoint
 * in the database (audit_checkpoint), appends an audit record for it and
 * fills *out (print it and keep it off the machine too: a checkpoint copied
 * elsewhere still proves the chain after someone deletes the stored ones).
 * SDB_OK, SDB_EINVAL (empty chain, bad key file), SDB_EIO, SDB_ESTORE. */
int sdb_audit_checkpoint(sdb_db *db, const sdb_ctx *ctx, const char *secret_path,
                         sdb_checkpoint *out, sdb_diag *d) SDB_WUR;

/* Verifies the chain (sdb_audit_verify) and then every checkpoint stored in
 * the database and in extra (n_extra of them, from an outside copy) against
 * the public key file: the signature must hold and record seq must exist
 * with exactly that hash, so a truncated or rewritten tail is caught.
 * *n_checkpoints counts the checkpoints checked, *unsigned_tail the records
 * after the newest one. SDB_OK or SDB_EAUDIT with *bad_seq the first record
 * that cannot be trusted and d saying why. */
int sdb_audit_verify_signed(sdb_db *db, const char *public_path, const sdb_checkpoint *extra,
                            int n_extra, long long *n_records, long long *n_checkpoints,
                            long long *unsigned_tail, long long *bad_seq, sdb_diag *d) SDB_WUR;

/* The purpose policy: which (purpose, operation, index) triples are allowed
 * (table policy; docs/governance.md gives the defaults). Operations: show,
 * export, search, ysearch, pairs, freq, yfreq.
 *
 * Checks a read before any profile is read. With index NULL, fills out
 * with the comma-separated list of every index the purpose may use for
 * operation (pass it on as the index filter); with an index, checks that
 * one and copies it. Refusals: SDB_EPERM with d naming the rule (no or
 * unknown purpose; purpose needs an authorization reference; purpose may
 * not do operation on index; purpose allows operation on no index),
 * SDB_ENOTFOUND for an unknown index. The caller audits the refusal. */
int sdb_policy_indexes(sdb_db *db, const sdb_ctx *ctx, const char *operation, const char *index,
                       char *out, size_t size, sdb_diag *d) SDB_WUR;

/* Whether purpose needs an authorization reference; audited as
 * "policy-set". SDB_ENOTFOUND for an unknown purpose. */
int sdb_policy_set_authorization(sdb_db *db, const sdb_ctx *ctx, const char *purpose, int needs,
                                 sdb_diag *d) SDB_WUR;

/* Allows (allow = 1) or forbids one triple; audited as "policy-set". */
int sdb_policy_set(sdb_db *db, const sdb_ctx *ctx, const char *purpose, const char *operation,
                   const char *index, int allow, sdb_diag *d) SDB_WUR;

/* Users and roles. A database without users is in open mode (a
 * single-user workstation: the actor is the login name). Once a user exists
 * it is in controlled mode: every command authenticates with a token. Roles:
 * admin (users, policy, rules, retention rules, audit checkpoints),
 * custodian (imports, exports, expunction, retention, consent; edits the
 * policy, rules and retention rules like the admin),
 * analyst (reads and searches under the policy), auditor (the audit chain,
 * reports). docs/governance.md has the full matrix. */
long sdb_user_count(sdb_db *db);

/* Adds a user; token gets a new random token (64 hex digits) to hand over
 * once: only its keyed hash is stored. The first user must be an admin.
 * SDB_OK, SDB_EDUP, SDB_EINVAL (role), SDB_EPERM (first user not admin). */
int sdb_user_add(sdb_db *db, const sdb_ctx *ctx, const char *name, const char *role,
                 char token[SDB_HASH_HEX], sdb_diag *d) SDB_WUR;

/* A new token for name (the old one stops working), or disables name. */
int sdb_user_rotate(sdb_db *db, const sdb_ctx *ctx, const char *name, char token[SDB_HASH_HEX],
                    sdb_diag *d) SDB_WUR;

int sdb_user_disable(sdb_db *db, const sdb_ctx *ctx, const char *name, sdb_diag *d) SDB_WUR;

/* Calls fn(arg, name, role, created_at, disabled) for every user by name. */
int sdb_user_foreach(sdb_db *db,
                     int (*fn)(void *arg, const char *name, const char *role, const char *created,
                               int disabled),
                     void *arg) SDB_WUR;

/* The enabled user holding token: SDB_OK with name and role filled, else
 * SDB_EPERM. */
int sdb_user_auth(sdb_db *db, const char *token, char name[64], char role[16]) SDB_WUR;

/* Which profiles a read returned: records the keyed hashes of ids[0..n)
 * against the newest audit record (call right after its sdb_audit_append),
 * so that a subject report can list every consultation that touched a
 * sample without the audit holding sample ids. */
int sdb_audit_touch(sdb_db *db, const char *const *ids, long n) SDB_WUR;

/* Calls fn for every audit record that touched sample_id (by its keyed
 * hash), in sequence order. */
int sdb_audit_touching(sdb_db *db, const char *sample_id,
                       int (*fn)(void *arg, const sdb_audit_record *r), void *arg) SDB_WUR;

/* Calls fn for every profile due at as_of (YYYY-MM-DD; NULL: today, UTC) in
 * due-date order; stops at fn's first non-zero return and returns it. */
int sdb_retention_due(sdb_db *db, const char *as_of, int (*fn)(void *arg, const sdb_due *due),
                      void *arg, sdb_diag *d) SDB_WUR;

/* Expunges every profile due at as_of (sdb_expunge, reason "retention:
 * basis B, rule R, due D"); with dry_run only counts them. *n gets the
 * count. Needs ctx->purpose "administration". */
int sdb_retention_run(sdb_db *db, const sdb_ctx *ctx, const char *as_of, int dry_run, long *n,
                      sdb_diag *d) SDB_WUR;

/* Changes the rule of a legal basis (audited "retention-set"). SDB_EINVAL
 * for a rule that is not one of the three forms, SDB_ENOTFOUND. */
int sdb_retention_set(sdb_db *db, const sdb_ctx *ctx, const char *basis, const char *rule,
                      sdb_diag *d) SDB_WUR;

/* Records that case_ref closed at a date (NULL: now); audited "case-close". */
int sdb_case_close(sdb_db *db, const sdb_ctx *ctx, const char *case_ref, const char *at,
                   sdb_diag *d) SDB_WUR;

/* Consent records of a sample: given (scope: the purposes, comma-separated)
 * or withdrawn at a date (NULL: now). Withdrawal of the consent a profile
 * is kept under expunges it at once (reason "consent withdrawn"). Both
 * audited. SDB_ENOTFOUND if the sample (or, to withdraw, its consent) is
 * unknown. */
int sdb_consent_give(sdb_db *db, const sdb_ctx *ctx, const char *sample_id, const char *scope,
                     const char *at, sdb_diag *d) SDB_WUR;

int sdb_consent_withdraw(sdb_db *db, const sdb_ctx *ctx, const char *sample_id, const char *at,
                         sdb_diag *d) SDB_WUR;

/* ---- from strdb/lineage.h ---- */
/* Builds (or, with full == 0 and a previous build with the same options,
 * extends) the lineages of the Y profiles of the given indexes (comma list;
 * NULL: all) and stores them in one transaction. Father-son links: every two
 * typed men of the person store on the same paternal line (through untyped
 * men too) are linked. Members whose lineage changed are rewritten; the
 * build is recorded in lineage_build (actor from ctx). Audited by the caller. */
/* The parameter text of a lineage build's audit record. */
void sdb_lineage_build_params(char *buf, size_t size, const char *indexes,
                              const sdb_lineage_opts *o, int full);
int sdb_lineage_build(sdb_db *db, const sdb_ctx *ctx, const sdb_idx *x, const char *indexes,
                      const sdb_lineage_opts *o, int full, sdb_lineage_build_stats *st,
                      sdb_diag *d) SDB_WUR;

/* Prints lineage id (its statistics and up to `top` members of the given
 * indexes), or with id 0 the `top` largest lineages. SDB_ENOTFOUND for an
 * unknown id or when no lineage was built. */
int sdb_lineage_print(sdb_db *db, long long id, const char *indexes, long top, FILE *out,
                      sdb_diag *d) SDB_WUR;

/* Lineages of the haplotype q: those holding a haplotype of x within the
 * build's limits (sdb_ysearch), every typed member ranked by the posterior
 * number of meioses (sdb_meioses_posterior), and every man of the paternal
 * family trees that hold typed members, placed against the nearest typed
 * member. SDB_ENOTFOUND when no lineage was built. */
int sdb_lineage_search(sdb_db *db, const sdb_idx *x, const sdb_profile *q,
                       const sdb_lineage_search_opts *o, sdb_lineage_result *r,
                       sdb_diag *d) SDB_WUR;

/* ---- from strdb/pedigree.h ---- */
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

/* ---- from strdb/draw.h ---- */
/* Draws lineage id (members of the given indexes only; NULL: all) to out.
 * The network shows at most max_nodes distinct haplotypes (the most common;
 * the caption says how many were left out). SDB_ENOTFOUND for an unknown
 * lineage or a tree view without pedigree records. */
int sdb_draw_lineage(sdb_db *db, long long id, const char *indexes, sdb_lineage_view view,
                     int max_nodes, FILE *out, sdb_diag *d) SDB_WUR;

/* Draws the pedigree around person ext_id: the descendants (with their
 * partners) of his or her ancestor `up` generations up the father's line (the
 * mother's where no father is recorded), down to `down` generations below
 * the person. Squares men, circles women, diamonds unknown sex; filled when
 * typed (a linked profile); the person marked by an arrow. */
int sdb_draw_pedigree(sdb_db *db, const char *ext_id, int up, int down, FILE *out,
                      sdb_diag *d) SDB_WUR;

#ifdef __cplusplus
}
#endif
#endif
