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

/* Signing keys: hex text files. The secret key file is created mode 0600
 * and refused if it exists. SDB_OK, SDB_EDUP or SDB_EIO. */
int sdb_sign_keygen(const char *secret_path, const char *public_path, sdb_diag *d) SDB_WUR;

/* Ed25519 signature of text with the secret key file, and the key's public
 * half (both hex); sdb_sign_check: 1 if signature is public_key's over text. */
int sdb_sign_text(const char *secret_path, const char *text, size_t len, char public_key[65],
                  char signature[129], sdb_diag *d) SDB_WUR;
int sdb_sign_check(const char *public_key, const char *text, size_t len, const char *signature);

/* One signed checkpoint: the chain head (seq, hash) at a time, signed with
 * Ed25519 over "strdb-checkpoint-v1\n<seq>\n<head>\n<at>\n". */
typedef struct sdb_checkpoint {
    long long seq;
    char head[SDB_HASH_HEX];
    char at[32];
    char public_key[65]; /* hex */
    char signature[129]; /* hex */
} sdb_checkpoint;

/* One checkpoint as a line of text (JSON) and back. */
void sdb_checkpoint_format(const sdb_checkpoint *c, char *buf, size_t size);
int sdb_checkpoint_parse(const char *line, sdb_checkpoint *c) SDB_WUR;

/* 1 if role may run action (the command-level actions of the matrix:
 * import, export, show, search, ysearch, pairs, freq, yfreq, stat,
 * rules-show, rules-set, policy-show, policy-set, retention-report,
 * retention-run, retention-set, consent, expunge, audit-read,
 * audit-checkpoint, user-admin, subject-report). */
int sdb_role_allows(const char *role, const char *action);

/* 1 if role may act under purpose: purposes are bound to roles as well as
 * to indexes ("administration" is the custodian's, the admin's and the
 * auditor's, never an analyst's). */
int sdb_role_may_use_purpose(const char *role, const char *purpose);

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

#ifdef __cplusplus
}
#endif
#endif
