/* Reading profiles back: iteration in sample id order and lookup by id. */
#include <stdlib.h>
#include <string.h>

#include "store_internal.h"

struct sdb_iter {
    sdb_db *db;
    sqlite3_stmt *st;
    int lean; /* sample_id, genotype, flags, kind only */
};

#define SELECT_PROFILE                                                                             \
    "SELECT p.id, p.sample_id, p.index_name, p.kind, p.flags, p.genotype, p.basis,"                \
    " p.retain_until, b.file, p.source_line, p.batch_id, b.started_at, p.kit, p.population,"      \
    " b.origin FROM profile p JOIN import_batch b ON b.id = p.batch_id"

/* Fills p and meta from the current row of st. */
static int load_row(sdb_db *db, sqlite3_stmt *st, sdb_profile *p, sdb_stored *meta)
{
    sdb_profile_reset(p);
    if (sdb_profile_set_id(p, (const char *)sqlite3_column_text(st, 1), -1) ||
        sdb_profile_set_kit(p, (const char *)sqlite3_column_text(st, 12), -1) ||
        sdb_profile_set_population(p, (const char *)sqlite3_column_text(st, 13), -1))
        return SDB_ENOMEM;
    int rc = sdb_genotype_decode(p, db->cat, sqlite3_column_blob(st, 5),
                             (size_t)sqlite3_column_bytes(st, 5));
    if (rc) {
        sdb_log(SDB_LOG_ERROR, "%s: profile '%s': damaged genotype encoding", db->path,
                p->sample_id);
        return rc;
    }
    sdb_kind kind;
    if (sdb_kind_parse((const char *)sqlite3_column_text(st, 3), &kind)) return SDB_EFORMAT;
    /* SDB_CHECK-style guard: the stored kind must agree with the genotype. */
    if (kind != p->kind) {
        sdb_log(SDB_LOG_ERROR, "%s: profile '%s': stored kind disagrees with its genotype",
                db->path, p->sample_id);
        return SDB_EFORMAT;
    }
    p->flags = (uint32_t)sqlite3_column_int(st, 4);
    p->line = (long)sqlite3_column_int64(st, 9);
    if (meta) {
        meta->rowid = sqlite3_column_int64(st, 0);
        meta->index = (const char *)sqlite3_column_text(st, 2);
        meta->basis = (const char *)sqlite3_column_text(st, 6);
        meta->retain_until = (const char *)sqlite3_column_text(st, 7);
        meta->source_file = (const char *)sqlite3_column_text(st, 8);
        meta->source_line = (long)sqlite3_column_int64(st, 9);
        meta->batch_id = (long)sqlite3_column_int64(st, 10);
        meta->imported_at = (const char *)sqlite3_column_text(st, 11);
        meta->origin = (const char *)sqlite3_column_text(st, 14);
    }
    return SDB_OK;
}

int sdb_iter_open(sdb_iter **out, sdb_db *db, const char *index, const char *sample_id)
{
    sdb_iter *it = calloc(1, sizeof *it);
    if (!it) return SDB_ENOMEM;
    it->db = db;
    const char *sql = SELECT_PROFILE " WHERE " STORE_INDEX_IN("p.index_name")
                                     " AND (?2 IS NULL OR p.sample_id = ?2) ORDER BY p.sample_id";
    if (sdb_store_prepare(db, sql, &it->st, NULL)) {
        free(it);
        return SDB_ESTORE;
    }
    sqlite3_bind_text(it->st, 1, index, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(it->st, 2, sample_id, -1, SQLITE_TRANSIENT);
    *out = it;
    return SDB_OK;
}

/* Fills p from a row of the lean statement. */
static int load_lean(sdb_db *db, sqlite3_stmt *st, sdb_profile *p)
{
    sdb_profile_reset(p);
    if (sdb_profile_set_id(p, (const char *)sqlite3_column_text(st, 0), -1)) return SDB_ENOMEM;
    int rc = sdb_genotype_decode(p, db->cat, sqlite3_column_blob(st, 1),
                             (size_t)sqlite3_column_bytes(st, 1));
    if (rc) return rc;
    p->flags = (uint32_t)sqlite3_column_int(st, 2);
    return SDB_OK;
}

int sdb_iter_next(sdb_iter *it, sdb_profile *p, sdb_stored *meta)
{
    int step = sqlite3_step(it->st);
    if (step == SQLITE_DONE) return SDB_END;
    if (step != SQLITE_ROW) return SDB_ESTORE;
    if (it->lean) return meta ? SDB_EINVAL : load_lean(it->db, it->st, p);
    return load_row(it->db, it->st, p, meta);
}

int sdb_iter_next_raw(sdb_iter *it, const char **sample_id, const void **genotype, size_t *len)
{
    if (!it->lean) return SDB_EINVAL;
    int step = sqlite3_step(it->st);
    if (step == SQLITE_DONE) return SDB_END;
    if (step != SQLITE_ROW) return SDB_ESTORE;
    *sample_id = (const char *)sqlite3_column_text(it->st, 0);
    *genotype = sqlite3_column_blob(it->st, 1);
    *len = (size_t)sqlite3_column_bytes(it->st, 1);
    return *sample_id ? SDB_OK : SDB_ENOMEM;
}

int sdb_iter_open_genotypes(sdb_iter **out, sdb_db *db, const char *index, sdb_kind kind)
{
    sdb_iter *it = calloc(1, sizeof *it);
    if (!it) return SDB_ENOMEM;
    it->db = db;
    it->lean = 1;
    if (sdb_store_prepare(db,
                      "SELECT sample_id, genotype, flags FROM profile"
                      " WHERE " STORE_INDEX_IN("index_name") " AND kind = ?2",
                      &it->st, NULL)) {
        free(it);
        return SDB_ESTORE;
    }
    sqlite3_bind_text(it->st, 1, index, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(it->st, 2, sdb_kind_name(kind), -1, SQLITE_STATIC);
    *out = it;
    return SDB_OK;
}

void sdb_iter_close(sdb_iter *it)
{
    if (!it) return;
    sqlite3_finalize(it->st);
    free(it);
}

int sdb_db_get(sdb_db *db, const char *sample_id, sdb_profile *p)
{
    sdb_iter *it;
    int rc = sdb_iter_open(&it, db, NULL, sample_id);
    if (rc) return rc;
    rc = sdb_iter_next(it, p, NULL);
    sdb_iter_close(it);
    return rc == SDB_END ? SDB_ENOTFOUND : rc;
}
