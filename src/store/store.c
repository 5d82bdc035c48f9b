/* Opening, creating and closing databases; small lookups. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "strdb/strdb.h"
#include "store_internal.h"

int sdb_store_exec(sdb_db *db, const char *sql, sdb_diag *d)
{
    char *msg = NULL;
    if (sqlite3_exec(db->sql, sql, NULL, NULL, &msg) == SQLITE_OK) return SDB_OK;
    sdb_diag_set(d, db->path, 0, NULL, "%s", msg ? msg : sqlite3_errmsg(db->sql));
    sqlite3_free(msg);
    return SDB_ESTORE;
}

int sdb_store_prepare(sdb_db *db, const char *sql, sqlite3_stmt **st, sdb_diag *d)
{
    if (sqlite3_prepare_v2(db->sql, sql, -1, st, NULL) == SQLITE_OK) return SDB_OK;
    sdb_diag_set(d, db->path, 0, NULL, "%s", sqlite3_errmsg(db->sql));
    return SDB_ESTORE;
}

int sdb_store_finish(sdb_db *db, int rc, sdb_diag *d)
{
    if (!rc) rc = sdb_store_exec(db, "COMMIT", d);
    if (!rc) return SDB_OK;
    if (rc == SDB_ESTORE && d && !d->reason[0])
        sdb_diag_set(d, db->path, 0, NULL, "%s", sqlite3_errmsg(db->sql));
    sdb_store_exec(db, "ROLLBACK", NULL);
    return rc;
}

int sdb_store_begin(sdb_db *db, sdb_diag *d)
{
    if (db->tx_depth == (int)sizeof db->tx_own) {
        sdb_diag_set(d, db->path, 0, NULL, "transactions nested too deep");
        return SDB_ESTORE;
    }
    int own = sqlite3_get_autocommit(db->sql);
    if (sdb_store_exec(db, own ? "BEGIN IMMEDIATE" : "SAVEPOINT sdb_nested", d)) return SDB_ESTORE;
    db->tx_own[db->tx_depth++] = (unsigned char)own;
    return SDB_OK;
}

int sdb_store_end(sdb_db *db, int rc, sdb_diag *d)
{
    int own = db->tx_own[--db->tx_depth];
    if (own) return sdb_store_finish(db, rc, d);
    if (!rc) return sdb_store_exec(db, "RELEASE sdb_nested", d) ? SDB_ESTORE : SDB_OK;
    sdb_store_exec(db, "ROLLBACK TO sdb_nested", NULL);
    sdb_store_exec(db, "RELEASE sdb_nested", NULL);
    return rc;
}

void sdb_store_now(char buf[32])
{
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    size_t n = strftime(buf, 32, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf + n, 32 - n, ".%03ldZ", ts.tv_nsec / 1000000);
}

/* Settings every connection gets: WAL, foreign keys, secure_delete, and a
 * generous page cache for imports. A new file gets 8 KiB pages (bulk imports
 * measured about 20% faster than with 4 KiB); page_size must come before WAL. */
static int configure(sdb_db *db, int create, sdb_diag *d)
{
    /* a writer waits this long for another's lock (STRDB_BUSY_TIMEOUT_MS, default 5 s) */
    const char *busy = getenv("STRDB_BUSY_TIMEOUT_MS");
    sqlite3_busy_timeout(db->sql, busy && *busy ? atoi(busy) : 5000);
    if (create && sdb_store_exec(db, "PRAGMA page_size = 8192;", d)) return SDB_ESTORE;
    if (db->readonly) return sdb_store_exec(db, "PRAGMA foreign_keys = ON;", d);
    return sdb_store_exec(db,
                      "PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON;"
                      "PRAGMA secure_delete = ON; PRAGMA synchronous = FULL;"
                      "PRAGMA cache_size = -65536; PRAGMA temp_store = MEMORY;",
                      d);
}

static int pragma_int(sdb_db *db, const char *sql, int *out)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db->sql, sql, -1, &st, NULL) != SQLITE_OK) return SDB_ESTORE;
    int rc = sqlite3_step(st) == SQLITE_ROW ? SDB_OK : SDB_ESTORE;
    if (!rc) *out = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return rc;
}

static int db_new(sdb_db **out, const char *path, int readonly, int create, sdb_diag *d)
{
    int rc = sdb_init();
    if (rc) return rc;
    sdb_db *db = calloc(1, sizeof *db);
    if (!db) return SDB_ENOMEM;
    snprintf(db->path, sizeof db->path, "%s", path);
    db->readonly = readonly;
    db->cat = sdb_catalog_default();
    int flags = readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;
    if (create) flags |= SQLITE_OPEN_CREATE;
    if (sqlite3_open_v2(path, &db->sql, flags, NULL) != SQLITE_OK) {
        sdb_diag_set(d, path, 0, NULL, "cannot open database: %s",
                     db->sql ? sqlite3_errmsg(db->sql) : "out of memory");
        sdb_db_close(db);
        return SDB_ESTORE;
    }
    if ((rc = configure(db, create, d))) {
        sdb_db_close(db);
        return rc;
    }
    *out = db;
    return SDB_OK;
}

int sdb_db_create(sdb_db **out, const char *path, const sdb_ctx *ctx, sdb_diag *d)
{
    struct stat sb;
    if (stat(path, &sb) == 0 && sb.st_size > 0) {
        sdb_diag_set(d, path, 0, NULL, "file exists; refusing to overwrite it");
        return SDB_EEXIST;
    }
    sdb_db *db;
    int rc = db_new(&db, path, 0, 1, d);
    if (rc) return rc;
    rc = sdb_store_exec(db, "BEGIN IMMEDIATE", d);
    if (!rc) rc = sdb_schema_create(db, d);
    if (!rc) rc = sdb_state_connect(db, 1, d);
    if (!rc) rc = sdb_audit_append(db, ctx, "init", path, 0, "ok");
    if (!rc) rc = sdb_store_exec(db, "COMMIT", d);
    if (rc) {
        if (!d || !d->reason[0]) sdb_diag_set(d, path, 0, NULL, "cannot create the schema");
        sdb_db_close(db);
        remove(path);
        return rc;
    }
    *out = db;
    return SDB_OK;
}

int sdb_db_open(sdb_db **out, const char *path, int readonly, sdb_diag *d)
{
    struct stat sb;
    if (stat(path, &sb) != 0) {
        sdb_diag_set(d, path, 0, NULL, "no such database (create one with 'strdb init')");
        return SDB_ENOTFOUND;
    }
    sdb_db *db;
    int rc = db_new(&db, path, readonly, 0, d);
    if (rc) return rc;
    int app = 0, version = 0;
    if (pragma_int(db, "PRAGMA application_id", &app) ||
        pragma_int(db, "PRAGMA user_version", &version) || app != SDB_APPLICATION_ID) {
        sdb_diag_set(d, path, 0, NULL, "not a strdb database");
        rc = SDB_EFORMAT;
    } else if (version > SDB_SCHEMA_VERSION) {
        sdb_diag_set(d, path, 0, NULL, "schema version %d is newer than this build (%d)", version,
                     SDB_SCHEMA_VERSION);
        rc = SDB_EVERSION;
    } else if (version < SDB_SCHEMA_VERSION && readonly) {
        sdb_diag_set(d, path, 0, NULL, "schema version %d needs a migration: open read-write",
                     version);
        rc = SDB_EVERSION;
    } else if (version < SDB_SCHEMA_VERSION) {
        rc = sdb_schema_migrate(db, version, d);
    }
    if (!rc) rc = sdb_schema_sync_loci(db, d);
    if (!rc) rc = sdb_state_connect(db, !readonly, d);
    if (rc) {
        sdb_db_close(db);
        return rc;
    }
    *out = db;
    return SDB_OK;
}

void sdb_db_close(sdb_db *db)
{
    if (!db) return;
    sqlite3_close_v2(db->sql);
    free(db);
}

const sdb_catalog *sdb_db_catalog(const sdb_db *db)
{
    return db->cat;
}

struct sqlite3 *sdb_db_sqlite(sdb_db *db)
{
    return db->sql;
}

/* 1 if `SELECT 1 FROM table WHERE col = ?` finds value. */
static int has_row(sdb_db *db, const char *sql, const char *value)
{
    sqlite3_stmt *st;
    if (!value || sqlite3_prepare_v2(db->sql, sql, -1, &st, NULL) != SQLITE_OK) return 0;
    sqlite3_bind_text(st, 1, value, -1, SQLITE_STATIC);
    int found = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
    return found;
}

int sdb_db_has_index(sdb_db *db, const char *name)
{
    return has_row(db, "SELECT 1 FROM db_index WHERE name = ?", name);
}

int sdb_db_has_basis(sdb_db *db, const char *code)
{
    return has_row(db, "SELECT 1 FROM legal_basis WHERE code = ?", code);
}

int sdb_db_has_purpose(sdb_db *db, const char *code)
{
    return has_row(db, "SELECT 1 FROM purpose WHERE code = ?", code);
}

int sdb_db_index_rule(sdb_db *db, const char *index, sdb_index_rule *out)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db->sql,
                           "SELECT single_source, min_autosomal_loci, min_y_loci, y_multicopy"
                           " FROM db_index WHERE name = ?",
                           -1, &st, NULL) != SQLITE_OK)
        return SDB_ESTORE;
    sqlite3_bind_text(st, 1, index, -1, SQLITE_STATIC);
    int rc = SDB_ENOTFOUND;
    if (sqlite3_step(st) == SQLITE_ROW) {
        memset(out, 0, sizeof *out);
        snprintf(out->name, sizeof out->name, "%s", index);
        out->single_source = sqlite3_column_int(st, 0);
        out->min_autosomal_loci = sqlite3_column_int(st, 1);
        out->min_y_loci = sqlite3_column_int(st, 2);
        out->y_multicopy = sqlite3_column_int(st, 3);
        rc = SDB_OK;
    }
    sqlite3_finalize(st);
    return rc;
}

int sdb_db_set_index_rule(sdb_db *db, const sdb_ctx *ctx, const sdb_index_rule *r)
{
    char params[256];
    snprintf(params, sizeof params,
             "index=%s\nsingle_source=%d\nmin_autosomal_loci=%d\nmin_y_loci=%d\ny_multicopy=%d",
             r->name, r->single_source, r->min_autosomal_loci, r->min_y_loci, r->y_multicopy);
    sqlite3_stmt *st;
    if (sdb_store_exec(db, "BEGIN IMMEDIATE", NULL)) return SDB_ESTORE;
    int rc = SDB_ESTORE;
    if (sqlite3_prepare_v2(db->sql,
                           "UPDATE db_index SET single_source = ?, min_autosomal_loci = ?,"
                           " min_y_loci = ?, y_multicopy = ? WHERE name = ?",
                           -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_int(st, 1, r->single_source);
        sqlite3_bind_int(st, 2, r->min_autosomal_loci);
        sqlite3_bind_int(st, 3, r->min_y_loci);
        sqlite3_bind_int(st, 4, r->y_multicopy);
        sqlite3_bind_text(st, 5, r->name, -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_DONE)
            rc = sqlite3_changes(db->sql) == 1 ? SDB_OK : SDB_ENOTFOUND;
        sqlite3_finalize(st);
    }
    if (!rc) rc = sdb_audit_append(db, ctx, "rules-set", params, 1, "ok");
    if (!rc) rc = sdb_store_exec(db, "COMMIT", NULL);
    if (rc) sdb_store_exec(db, "ROLLBACK", NULL);
    return rc;
}

/* The profile part of the newest audit record's state ("profiles=H n=N",
 * docs/store.md) into out: every change of the stored profiles strdb makes
 * is folded into the next record, so it names the profile set in O(1).
 * 0 when the chain carries no state (before schema 5). */
static int head_profiles(sdb_db *db, char *out, size_t size)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(sdb_db_sqlite(db),
                           "SELECT state FROM audit ORDER BY seq DESC LIMIT 1", -1, &st,
                           NULL) != SQLITE_OK)
        return 0;
    int found = 0;
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) == SQLITE_TEXT) {
        const char *p = strstr((const char *)sqlite3_column_text(st, 0), "profiles=");
        if (p) found = snprintf(out, size, "%s", p) < (int)size;
    }
    sqlite3_finalize(st);
    return found;
}

int sdb_db_stamp(sdb_db *db, const char *index, sdb_kind kind, char stamp[65])
{
    /* O(1): the chain's profile digest; a chain without one, a scan of the rows */
    char text[512], profiles[256];
    if (head_profiles(db, profiles, sizeof profiles)) {
        int n = snprintf(text, sizeof text, "strdb-stamp-v2|%s|%s|%s", index ? index : "*",
                         sdb_kind_name(kind), profiles);
        sdb_sha256_hex(text, (size_t)n, stamp);
        return SDB_OK;
    }
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(sdb_db_sqlite(db),
                           "SELECT count(*), coalesce(max(batch_id), 0), coalesce(max(id), 0)"
                           " FROM profile WHERE " STORE_INDEX_IN("index_name") " AND kind = ?2",
                           -1, &st, NULL) != SQLITE_OK)
        return SDB_ESTORE;
    sqlite3_bind_text(st, 1, index, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, sdb_kind_name(kind), -1, SQLITE_STATIC);
    int rc = SDB_ESTORE;
    if (sqlite3_step(st) == SQLITE_ROW) {
        int n = snprintf(text, sizeof text, "strdb-stamp-v%d|%s|%s|%lld|%lld|%lld", 1,
                         index ? index : "*", sdb_kind_name(kind), sqlite3_column_int64(st, 0),
                         sqlite3_column_int64(st, 1), sqlite3_column_int64(st, 2));
        sdb_sha256_hex(text, (size_t)n, stamp);
        rc = SDB_OK;
    }
    sqlite3_finalize(st);
    return rc;
}
