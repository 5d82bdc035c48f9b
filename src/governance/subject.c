/* Consultation records per sample: the keyed hashes of the profiles each
 * audited read returned, for data-subject access requests. */
#include <string.h>

#include "governance_internal.h"

int sdb_audit_touch(sdb_db *db, const char *const *ids, long n)
{
    if (n <= 0) return SDB_OK;
    int own = sqlite3_get_autocommit(db->sql);
    if (own && sdb_store_exec(db, "BEGIN IMMEDIATE", NULL)) return SDB_ESTORE;
    sqlite3_stmt *st = NULL;
    unsigned char secret[crypto_generichash_KEYBYTES];
    int rc = sdb_gov_secret(db, secret); /* once, not per hit */
    if (!rc) rc = sdb_store_prepare(db, "INSERT INTO audit_touch SELECT max(seq), ?1 FROM audit", &st, NULL);
    for (long i = 0; !rc && i < n; i++) {
        char key[SDB_HASH_HEX];
        sdb_gov_keyed_hex(secret, ids[i], key);
        sqlite3_bind_text(st, 1, key, -1, SQLITE_TRANSIENT);
        if (sqlite3_step(st) != SQLITE_DONE) rc = SDB_ESTORE;
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    sodium_memzero(secret, sizeof secret);
    return own ? sdb_store_finish(db, rc, NULL) : rc;
}

int sdb_audit_touching(sdb_db *db, const char *sample_id,
                       int (*fn)(void *arg, const sdb_audit_record *r), void *arg)
{
    char key[SDB_HASH_HEX];
    int rc = sdb_sample_key(db, sample_id, key);
    return rc ? rc : sdb_store_audit_each(db, key, fn, arg);
}
