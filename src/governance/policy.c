/* The purpose policy: (purpose, operation, index) triples in table policy.
 * A read names its purpose; the policy says which indexes it may touch, and
 * the read is refused, or narrowed to those indexes, before any profile is
 * read. */
#include <stdio.h>
#include <string.h>

#include "governance_internal.h"
#include "strdb/governance.h"

static int purpose_needs_authorization(sdb_db *db, const char *purpose, int *needs)
{
    sqlite3_stmt *st;
    if (sdb_store_prepare(db, "SELECT needs_authorization FROM purpose WHERE code = ?", &st, NULL))
        return SDB_ESTORE;
    sqlite3_bind_text(st, 1, purpose, -1, SQLITE_STATIC);
    int step = sqlite3_step(st);
    if (step == SQLITE_ROW) *needs = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return step == SQLITE_ROW ? SDB_OK : step == SQLITE_DONE ? SDB_ENOTFOUND : SDB_ESTORE;
}

int sdb_policy_indexes(sdb_db *db, const sdb_ctx *ctx, const char *operation, const char *index,
                       char *out, size_t size, sdb_diag *d)
{
    const char *purpose = ctx ? ctx->purpose : NULL;
    int needs = 0;
    if (!purpose || !purpose[0]) {
        sdb_diag_set(d, NULL, 0, "--purpose", "refused: reading profiles needs --purpose");
        return SDB_EPOLICY;
    }
    int rc = purpose_needs_authorization(db, purpose, &needs);
    if (rc == SDB_ENOTFOUND) {
        sdb_diag_set(d, NULL, 0, "--purpose", "refused: unknown purpose '%s'", purpose);
        sdb_gov_list_names(db, "SELECT code FROM purpose ORDER BY rowid", d);
        return SDB_EPOLICY;
    }
    if (rc) return rc;
    if (needs && (!ctx->authorization || !ctx->authorization[0])) {
        sdb_diag_set(d, NULL, 0, "--authorization",
                     "refused by policy: purpose '%s' needs an authorization reference", purpose);
        return SDB_EPOLICY;
    }
    if (index && !sdb_db_has_index(db, index)) {
        sdb_diag_set(d, NULL, 0, "--index", "unknown index '%s'", index);
        return SDB_ENOTFOUND;
    }
    sqlite3_stmt *st;
    if (sdb_store_prepare(db,
                      "SELECT index_name FROM policy WHERE purpose = ?1 AND operation = ?2"
                      " AND (?3 IS NULL OR index_name = ?3) ORDER BY index_name",
                      &st, d))
        return SDB_ESTORE;
    sqlite3_bind_text(st, 1, purpose, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, operation, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, index, -1, SQLITE_STATIC);
    size_t n = 0;
    int step;
    out[0] = '\0';
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(st, 0);
        int w = snprintf(out + n, size - n, "%s%s", n ? "," : "", name);
        if (w < 0 || (size_t)w >= size - n) {
            step = SQLITE_ERROR;
            break;
        }
        n += (size_t)w;
    }
    sqlite3_finalize(st);
    if (step != SQLITE_DONE) {
        sdb_diag_set(d, db->path, 0, NULL, "policy: %s", n ? "index list too long" : "store error");
        return SDB_ESTORE;
    }
    if (n) return SDB_OK;
    if (index)
        sdb_diag_set(d, NULL, 0, "--index",
                     "refused by policy: purpose '%s' may not %s index '%s' (strdb policy DB "
                     "lists the rules)",
                     purpose, operation, index);
    else
        sdb_diag_set(d, NULL, 0, "--purpose", "refused by policy: purpose '%s' allows no %s",
                     purpose, operation);
    return SDB_EPOLICY;
}

/* IMPORTANT: the CHECK of table policy lists the same operations. */
static const char *const operations[] = {"show", "export", "search", "ysearch",
                                         "pairs", "freq", "yfreq"};

int sdb_policy_set(sdb_db *db, const sdb_ctx *ctx, const char *purpose, const char *operation,
                   const char *index, int allow, sdb_diag *d)
{
    size_t k = 0, n_ops = sizeof operations / sizeof *operations;
    while (k < n_ops && strcmp(operations[k], operation))
        k++;
    if (k == n_ops) {
        sdb_diag_set(d, NULL, 0, "operation",
                     "unknown operation '%s' (show, export, search, ysearch, pairs, freq, yfreq)",
                     operation);
        return SDB_EINVAL;
    }
    if (!sdb_db_has_purpose(db, purpose) || !sdb_db_has_index(db, index)) {
        sdb_diag_set(d, NULL, 0, NULL, "unknown %s '%s'",
                     sdb_db_has_purpose(db, purpose) ? "index" : "purpose",
                     sdb_db_has_purpose(db, purpose) ? index : purpose);
        return SDB_ENOTFOUND;
    }
    /* relatives gave their profiles to find their missing kin, nothing else
     * (docs/governance.md): no policy opens them to another purpose */
    if (allow && !strcmp(index, "relative-of-missing") && strcmp(purpose, "missing-person") &&
        strcmp(purpose, "administration")) {
        sdb_diag_set(d, NULL, 0, "index",
                     "index 'relative-of-missing' serves purpose 'missing-person' (and the "
                     "custodian's 'administration') only; it cannot be opened to '%s'",
                     purpose);
        return SDB_EPOLICY;
    }
    if (sdb_store_exec(db, "BEGIN IMMEDIATE", d)) return SDB_ESTORE;
    sqlite3_stmt *st;
    int rc = sdb_store_prepare(db,
                           allow ? "INSERT OR IGNORE INTO policy VALUES (?1, ?2, ?3)"
                                 : "DELETE FROM policy WHERE purpose = ?1 AND operation = ?2"
                                   " AND index_name = ?3",
                           &st, d);
    if (!rc) {
        sqlite3_bind_text(st, 1, purpose, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, operation, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, index, -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_DONE) rc = SDB_ESTORE;
        sqlite3_finalize(st);
    }
    char params[512];
    snprintf(params, sizeof params, "purpose=%s\noperation=%s\nindex=%s\nallow=%d", purpose,
             operation, index, allow);
    if (!rc) rc = sdb_audit_append(db, ctx, "policy-set", params, 1, "ok");
    return sdb_store_finish(db, rc, d);
}

int sdb_policy_set_authorization(sdb_db *db, const sdb_ctx *ctx, const char *purpose, int needs,
                                 sdb_diag *d)
{
    if (!sdb_db_has_purpose(db, purpose)) {
        sdb_diag_set(d, NULL, 0, "purpose", "unknown purpose '%s'", purpose);
        return SDB_ENOTFOUND;
    }
    if (sdb_store_exec(db, "BEGIN IMMEDIATE", d)) return SDB_ESTORE;
    sqlite3_stmt *st;
    int rc = sdb_store_prepare(db, "UPDATE purpose SET needs_authorization = ?2 WHERE code = ?1", &st, d);
    if (!rc) {
        sqlite3_bind_text(st, 1, purpose, -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 2, needs != 0);
        if (sqlite3_step(st) != SQLITE_DONE) rc = SDB_ESTORE;
        sqlite3_finalize(st);
    }
    char params[256];
    snprintf(params, sizeof params, "purpose=%s\nneeds_authorization=%d", purpose, needs != 0);
    if (!rc) rc = sdb_audit_append(db, ctx, "policy-set", params, 1, "ok");
    return sdb_store_finish(db, rc, d);
}
