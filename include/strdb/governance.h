/* strdb: governance in the engine. Expungement with proof, and signed
 * checkpoints of the audit chain (Ed25519, the signing key kept outside
 * the database). docs/governance.md gives each feature next to the rule it
 * serves.
 */
#ifndef STRDB_GOVERNANCE_H
#define STRDB_GOVERNANCE_H

#include "strdb/audit.h"
#include "strdb/store.h"

#ifdef __cplusplus
extern "C" {
#endif

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

/* Signing keys: hex text files. The secret key file is created mode 0600
 * and refused if it exists. SDB_OK, SDB_EDUP or SDB_EIO. */
int sdb_sign_keygen(const char *secret_path, const char *public_path, sdb_diag *d) SDB_WUR;

/* One signed checkpoint: the chain head (seq, hash) at a time, signed with
 * Ed25519 over "strdb-checkpoint-v1\n<seq>\n<head>\n<at>\n". */
typedef struct sdb_checkpoint {
    long long seq;
    char head[SDB_HASH_HEX];
    char at[32];
    char public_key[65]; /* hex */
    char signature[129]; /* hex */
} sdb_checkpoint;

/* Signs the current head with the secret key file, stores the checkpoint
 * in the database (audit_checkpoint), appends an audit record for it and
 * fills *out (print it and keep it off the machine too: a checkpoint copied
 * elsewhere still proves the chain after someone deletes the stored ones).
 * SDB_OK, SDB_EINVAL (empty chain, bad key file), SDB_EIO, SDB_ESTORE. */
int sdb_audit_checkpoint(sdb_db *db, const sdb_ctx *ctx, const char *secret_path,
                         sdb_checkpoint *out, sdb_diag *d) SDB_WUR;

/* One checkpoint as a line of text (JSON) and back. */
void sdb_checkpoint_format(const sdb_checkpoint *c, char *buf, size_t size);
int sdb_checkpoint_parse(const char *line, sdb_checkpoint *c) SDB_WUR;

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
/* 1 if role may run action (the command-level actions of the matrix:
 * import, export, show, search, ysearch, pairs, freq, yfreq, stat,
 * rules-show, rules-set, policy-show, policy-set, retention-report,
 * retention-run, retention-set, consent, expunge, audit-read,
 * audit-checkpoint, user-admin, subject-report). */
int sdb_role_allows(const char *role, const char *action);

/* Which profiles a read returned: records the keyed hashes of ids[0..n)
 * against the newest audit record (call right after its sdb_audit_append),
 * so that a subject report can list every consultation that touched a
 * sample without the audit holding sample ids. */
int sdb_audit_touch(sdb_db *db, const char *const *ids, long n) SDB_WUR;

/* Calls fn for every audit record that touched sample_id (by its keyed
 * hash), in sequence order. */
int sdb_audit_touching(sdb_db *db, const char *sample_id,
                       int (*fn)(void *arg, const sdb_audit_record *r), void *arg) SDB_WUR;

/* Retention. Each legal basis has a rule (legal_basis.retention):
 * "indefinite", "years:N" (N years from collection: the import date of the
 * profile's batch), "consent" (until the person withdraws consent) or
 * "case" (until the case its batch was imported under, import --case, is
 * closed: sdb_case_close). A
 * profile's own retain_until (import --retain-until) takes precedence. A
 * profile is due on its due date (YYYY-MM-DD) and after. */
typedef struct sdb_due {
    const char *sample_id, *index, *basis, *rule, *due; /* borrowed, valid in the callback */
} sdb_due;

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

#ifdef __cplusplus
}
#endif
#endif
