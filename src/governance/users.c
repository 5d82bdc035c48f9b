/* Users, roles and tokens. Tokens are 32 random bytes shown once as hex;
 * the database keeps BLAKE2b-256 of the token keyed with its own secret
 * (the same meta secret as the keyed sample hashes). A token has 256 bits
 * of entropy, so a fast keyed hash is as safe as a slow password hash. */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "store/store_internal.h"
#include "strdb/governance.h"

/* The role x action matrix. IMPORTANT: docs/governance.md prints it. */
static const struct {
    const char *action;
    const char *roles; /* space-separated */
} matrix[] = {
    {"import", "custodian"},
    {"export", "custodian"},
    {"show", "custodian analyst"},
    {"search", "analyst"},
    {"ysearch", "analyst"},
    {"pairs", "analyst"},
    {"mp-search", "analyst"},
    {"report", "analyst"},
    {"freq", "analyst"},
    {"yfreq", "analyst"},
    {"stat", "admin custodian analyst auditor"},
    {"rules-show", "admin custodian analyst auditor"},
    {"rules-set", "admin custodian"},
    {"policy-show", "admin custodian analyst auditor"},
    {"policy-set", "admin custodian"},
    {"retention-report", "admin custodian auditor"},
    {"retention-run", "custodian"},
    {"retention-set", "admin custodian"},
    {"consent", "custodian"},
    {"intake", "custodian"},
    {"intake-show", "custodian analyst auditor"},
    {"expunge", "custodian"},
    {"audit-read", "admin custodian auditor"},
    {"audit-checkpoint", "admin auditor"},
    {"user-admin", "admin"},
    {"subject-report", "custodian auditor"},
};

int sdb_role_allows(const char *role, const char *action)
{
    size_t n = strlen(role);
    for (size_t i = 0; i < sizeof matrix / sizeof *matrix; i++) {
        if (strcmp(matrix[i].action, action)) continue;
        for (const char *r = matrix[i].roles; (r = strstr(r, role)); r += n)
            if ((r == matrix[i].roles || r[-1] == ' ') && (r[n] == ' ' || r[n] == '\0'))
                return 1;
        return 0;
    }
    return 0;
}

long sdb_user_count(sdb_db *db)
{
    sqlite3_stmt *st;
    if (sdb_store_prepare(db, "SELECT count(*) FROM app_user", &st, NULL)) return -1;
    long n = sqlite3_step(st) == SQLITE_ROW ? (long)sqlite3_column_int64(st, 0) : -1;
    sqlite3_finalize(st);
    return n;
}

/* Keyed hash of a token: the sample-key construction (expunge.c) applied
 * to the token text. */
static int token_hash(sdb_db *db, const char *token, char out[SDB_HASH_HEX])
{
    return sdb_sample_key(db, token, out);
}

static int new_token(sdb_db *db, char token[SDB_HASH_HEX], char hash[SDB_HASH_HEX])
{
    unsigned char raw[32];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2hex(token, SDB_HASH_HEX, raw, sizeof raw);
    sodium_memzero(raw, sizeof raw);
    return token_hash(db, token, hash);
}

static int valid_role(const char *role)
{
    return !strcmp(role, "admin") || !strcmp(role, "custodian") || !strcmp(role, "analyst") ||
           !strcmp(role, "auditor");
}

static int audited(sdb_db *db, const sdb_ctx *ctx, const char *action, const char *name,
                   const char *role)
{
    char params[256];
    snprintf(params, sizeof params, "name=%s\nrole=%s", name, role ? role : "");
    return sdb_audit_append(db, ctx, action, params, 1, "ok");
}

int sdb_user_add(sdb_db *db, const sdb_ctx *ctx, const char *name, const char *role,
                 char token[SDB_HASH_HEX], sdb_diag *d)
{
    char hash[SDB_HASH_HEX], at[32];
    if (!valid_role(role)) {
        sdb_diag_set(d, NULL, 0, "--role", "unknown role '%s' (admin, custodian, analyst, auditor)",
                     role);
        return SDB_EINVAL;
    }
    if (!name[0] || strlen(name) > 63 || strspn(name, "abcdefghijklmnopqrstuvwxyz"
                                                      "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") !=
                                             strlen(name)) {
        sdb_diag_set(d, NULL, 0, "name", "user names are 1-63 letters, digits, '.', '_' or '-'");
        return SDB_EINVAL;
    }
    if (sdb_store_exec(db, "BEGIN IMMEDIATE", d)) return SDB_ESTORE;
    int rc = SDB_OK;
    if (sdb_user_count(db) == 0 && strcmp(role, "admin")) {
        sdb_diag_set(d, NULL, 0, "--role", "the first user must be an admin");
        rc = SDB_EPERM;
    }
    if (!rc) rc = new_token(db, token, hash);
    sqlite3_stmt *st = NULL;
    if (!rc) rc = sdb_store_prepare(db, "INSERT INTO app_user VALUES (?, ?, ?, ?, 0)", &st, d);
    if (!rc) {
        sdb_store_now(at);
        const char *v[] = {name, role, hash, at};
        for (int i = 0; i < 4; i++)
            sqlite3_bind_text(st, i + 1, v[i], -1, SQLITE_STATIC);
        int step = sqlite3_step(st);
        if (step == SQLITE_CONSTRAINT) {
            sdb_diag_set(d, NULL, 0, "name", "user '%s' exists", name);
            rc = SDB_EDUP;
        } else if (step != SQLITE_DONE)
            rc = SDB_ESTORE;
    }
    sqlite3_finalize(st);
    if (!rc) rc = audited(db, ctx, "user-add", name, role);
    return sdb_store_finish(db, rc, d);
}

/* Runs sql (?1 = name, ?2 = optional text) on one existing user. */
static int update_user(sdb_db *db, const sdb_ctx *ctx, const char *action, const char *sql,
                       const char *name, const char *text, sdb_diag *d)
{
    if (sdb_store_exec(db, "BEGIN IMMEDIATE", d)) return SDB_ESTORE;
    sqlite3_stmt *st;
    int rc = sdb_store_prepare(db, sql, &st, d);
    if (!rc) {
        sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, text, -1, SQLITE_STATIC);
        rc = sqlite3_step(st) == SQLITE_DONE ? SDB_OK : SDB_ESTORE;
        if (!rc && sqlite3_changes(db->sql) == 0) {
            sdb_diag_set(d, NULL, 0, "name", "no user '%s'", name);
            rc = SDB_ENOTFOUND;
        }
        sqlite3_finalize(st);
    }
    if (!rc) rc = audited(db, ctx, action, name, NULL);
    return sdb_store_finish(db, rc, d);
}

int sdb_user_rotate(sdb_db *db, const sdb_ctx *ctx, const char *name, char token[SDB_HASH_HEX],
                    sdb_diag *d)
{
    char hash[SDB_HASH_HEX];
    int rc = new_token(db, token, hash);
    if (rc) return rc;
    return update_user(db, ctx, "user-rotate", "UPDATE app_user SET token_hash = ?2 WHERE name = ?1",
                       name, hash, d);
}

int sdb_user_disable(sdb_db *db, const sdb_ctx *ctx, const char *name, sdb_diag *d)
{
    return update_user(db, ctx, "user-disable",
                       "UPDATE app_user SET disabled = 1 WHERE name = ?1 AND ?2 IS NULL", name,
                       NULL, d);
}

int sdb_user_foreach(sdb_db *db,
                     int (*fn)(void *arg, const char *name, const char *role, const char *created,
                               int disabled),
                     void *arg)
{
    sqlite3_stmt *st;
    if (sdb_store_prepare(db, "SELECT name, role, created_at, disabled FROM app_user ORDER BY name",
                      &st, NULL))
        return SDB_ESTORE;
    int rc = SDB_OK;
    while (!rc && sdb_store_row(st, &rc))
        rc = fn(arg, (const char *)sqlite3_column_text(st, 0),
                (const char *)sqlite3_column_text(st, 1), (const char *)sqlite3_column_text(st, 2),
                sqlite3_column_int(st, 3));
    sqlite3_finalize(st);
    return rc;
}

int sdb_user_auth(sdb_db *db, const char *token, char name[64], char role[16])
{
    char hash[SDB_HASH_HEX];
    if (!token || strlen(token) != 64) return SDB_EPERM;
    /* read-only connections cannot create the secret; no users means none exists to match */
    if (token_hash(db, token, hash)) return SDB_EPERM;
    /* every enabled user's hash is compared in constant time, none skipped: the time taken
     * says nothing about how close a wrong token came */
    sqlite3_stmt *st;
    if (sdb_store_prepare(db, "SELECT name, role, token_hash FROM app_user WHERE disabled = 0",
                      &st, NULL))
        return SDB_ESTORE;
    int rc = SDB_EPERM, step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        const char *h = (const char *)sqlite3_column_text(st, 2);
        int same = h && strlen(h) == strlen(hash) && sodium_memcmp(h, hash, strlen(hash)) == 0;
        if (same && rc != SDB_OK) {
            snprintf(name, 64, "%s", (const char *)sqlite3_column_text(st, 0));
            snprintf(role, 16, "%s", (const char *)sqlite3_column_text(st, 1));
            rc = SDB_OK;
        }
    }
    if (step != SQLITE_DONE) rc = SDB_ESTORE;
    sqlite3_finalize(st);
    return rc;
}

int sdb_role_may_use_purpose(const char *role, const char *purpose)
{
    if (!role || !role[0]) return 1; /* open mode */
    if (!strcmp(purpose, "administration")) return strcmp(role, "analyst") != 0;
    return 1;
}
