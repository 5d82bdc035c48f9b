/* Import: read a file, validate every record against the index rule, insert
 * it in one transaction with its provenance, and audit the result.
 *
 * Reading runs in a second thread (stage.c) so that parsing and SQLite's
 * inserts overlap. Without skip_invalid the first bad record rolls everything back; the only
 * trace of the attempt is one "refused" audit record. With skip_invalid, the
 * rejects go to import_reject (file, line, field, reason) and to the
 * caller's on_reject callback, and the rest is imported.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_internal.h"

void sdb_import_opts_init(sdb_import_opts *o)
{
    memset(o, 0, sizeof *o);
    sdb_read_opts_init(&o->read);
}

typedef struct import_job {
    sdb_db *db;
    const sdb_ctx *ctx;
    const char *path;
    const sdb_import_opts *o;
    sdb_import_stats *stats;
    sdb_diag *d;
    sdb_index_rule rule;
    sqlite3_stmt *insert, *exists, *reject, *origin;
    const char *from; /* sdb_reader_origin */
} import_job;

static const char insert_sql[] = "INSERT INTO profile (" SDB_STATE_COLS ")"
                                 " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)";
static const char upsert_tail[] =
    " ON CONFLICT (sample_id) DO UPDATE SET index_name = excluded.index_name,"
    " kind = excluded.kind, flags = excluded.flags, n_loci = excluded.n_loci,"
    " genotype = excluded.genotype, basis = excluded.basis,"
    " retain_until = excluded.retain_until, batch_id = excluded.batch_id,"
    " source_line = excluded.source_line, kit = excluded.kit, population = excluded.population";

static int check_options(sdb_db *db, const sdb_import_opts *o, sdb_diag *d)
{
    if (!o->basis || !o->basis[0]) {
        sdb_diag_set(d, NULL, 0, "--basis",
                     "no legal basis given: a profile without a recorded legal basis is refused");
        return SDB_EPERM;
    }
    if (!o->index || !o->index[0]) {
        sdb_diag_set(d, NULL, 0, "--index", "no index given");
        return SDB_EPERM;
    }
    if (!sdb_db_has_basis(db, o->basis)) {
        sdb_diag_set(d, NULL, 0, "--basis", "unknown legal basis '%s' (see 'strdb stat')",
                     o->basis);
        return SDB_ENOTFOUND;
    }
    if (!sdb_db_has_index(db, o->index)) {
        sdb_diag_set(d, NULL, 0, "--index", "unknown index '%s' (see 'strdb stat')", o->index);
        return SDB_ENOTFOUND;
    }
    const char *r = o->retain_until;
    if (r && (strlen(r) != 10 || r[4] != '-' || r[7] != '-')) {
        sdb_diag_set(d, NULL, 0, "--retain-until", "expected YYYY-MM-DD, got '%s'", r);
        return SDB_EINVAL;
    }
    return SDB_OK;
}

static int prepare_job(import_job *j)
{
    char sql[sizeof insert_sql + sizeof upsert_tail];
    snprintf(sql, sizeof sql, "%s%s", insert_sql, j->o->replace ? upsert_tail : "");
    if (sdb_store_prepare(j->db, sql, &j->insert, j->d) ||
        sdb_store_prepare(j->db, "SELECT 1 FROM profile WHERE sample_id = ?", &j->exists, j->d) ||
        sdb_store_prepare(j->db, "INSERT INTO import_reject VALUES (?, ?, ?, ?, ?)", &j->reject,
                      j->d) ||
        sdb_store_prepare(j->db,
                      "SELECT b.file, p.source_line, p.batch_id FROM profile p"
                      " JOIN import_batch b ON b.id = p.batch_id WHERE p.sample_id = ?",
                      &j->origin, j->d))
        return SDB_ESTORE;
    return SDB_OK;
}

/* Releases the statements; safe to call twice. */
static void finalize_job(import_job *j)
{
    sqlite3_finalize(j->insert);
    sqlite3_finalize(j->exists);
    sqlite3_finalize(j->reject);
    sqlite3_finalize(j->origin);
    j->insert = j->exists = j->reject = j->origin = NULL;
}

static int begin_batch(import_job *j, sdb_format format)
{
    sqlite3_stmt *st;
    char now[32];
    sdb_store_now(now);
    if (sdb_store_prepare(j->db,
                      "INSERT INTO import_batch (file, format, index_name, basis, kit, actor,"
                      " started_at, case_ref, origin) VALUES (?, ?, ?, ?, ?, ?, ?, ?, nullif(?, ''))",
                      &st, j->d))
        return SDB_ESTORE;
    const char *v[] = {j->path,        sdb_format_name(format), j->o->index, j->o->basis,
                       j->o->read.kit, j->ctx->actor,           now,         j->ctx->case_ref,
                       j->from};
    for (int i = 0; i < 9; i++)
        sqlite3_bind_text(st, i + 1, v[i], -1, SQLITE_STATIC);
    int rc = sqlite3_step(st) == SQLITE_DONE ? SDB_OK : SDB_ESTORE;
    sqlite3_finalize(st);
    j->stats->batch_id = (long)sqlite3_last_insert_rowid(j->db->sql);
    return rc;
}

/* Explains a duplicate sample id: earlier in this file or already stored. */
static void duplicate_diag(import_job *j, const char *sample_id, long at_line)
{
    sqlite3_stmt *st = j->origin;
    sqlite3_bind_text(st, 1, sample_id, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW) {
        long line = (long)sqlite3_column_int64(st, 1);
        if (sqlite3_column_int64(st, 2) == j->stats->batch_id)
            sdb_diag_set(j->d, j->path, at_line, "sample id",
                         "duplicate sample id '%s' (also at line %ld of this file; "
                         "--replace keeps the last)",
                         sample_id, line);
        else
            sdb_diag_set(j->d, j->path, at_line, "sample id",
                         "duplicate sample id '%s' (already stored from %s:%ld; --replace "
                         "replaces it)",
                         sample_id, (const char *)sqlite3_column_text(st, 0), line);
    } else {
        sdb_diag_set(j->d, j->path, at_line, "sample id", "duplicate sample id '%s'", sample_id);
    }
    sqlite3_reset(st);
}

static const char *arena_text(const stage_batch *b, size_t off)
{
    return off == STAGE_NONE ? NULL : b->arena + off;
}

static sdb_cell text_cell(const char *t)
{
    return t ? (sdb_cell){SQLITE_TEXT, 0, t, strlen(t)} : (sdb_cell){SQLITE_NULL, 0, NULL, 0};
}

static sdb_cell int_cell(long long i)
{
    return (sdb_cell){SQLITE_INTEGER, i, NULL, 0};
}

/* The row a staged record becomes, as the state digest sees it
 * (SDB_STATE_COLS): what the insert binds and what the lanes hash. */
static void row_cells(const import_job *j, const stage_batch *b, const staged *x,
                      sdb_cell cells[SDB_STATE_NCOLS])
{
    const sdb_cell row[SDB_STATE_NCOLS] = {
        text_cell(arena_text(b, x->id)),
        text_cell(j->o->index),
        text_cell(sdb_kind_name(x->kind)),
        int_cell((int)x->flags),
        int_cell(x->n_calls),
        {SQLITE_BLOB, 0, b->arena + x->blob, x->blob_len},
        text_cell(j->o->basis),
        text_cell(j->o->retain_until),
        int_cell(j->stats->batch_id),
        int_cell(x->line),
        text_cell(arena_text(b, x->kit)),
        text_cell(arena_text(b, x->population)),
    };
    memcpy(cells, row, sizeof row);
}

/* The lanes of a staged row, on whichever thread has time (stage.c). */
static void seal_row(void *arg, const stage_batch *b, staged *x)
{
    sdb_cell cells[SDB_STATE_NCOLS];
    row_cells(arg, b, x, cells);
    sdb_state_lanes(cells, x->lanes);
}

static int insert_staged(import_job *j, const stage_batch *b, const staged *x)
{
    const char *id = arena_text(b, x->id);
    int replaced = 0;
    if (j->o->require_accession && sdb_intake_may_store(j->db, id, j->o->basis, j->d)) {
        j->d->line = x->line;
        snprintf(j->d->file, sizeof j->d->file, "%s", j->path);
        return SDB_EINVAL;
    }
    if (j->o->replace) {
        sqlite3_bind_text(j->exists, 1, id, -1, SQLITE_STATIC);
        replaced = sqlite3_step(j->exists) == SQLITE_ROW;
        j->stats->n_replaced += replaced;
        sqlite3_reset(j->exists);
    }
    sdb_cell cells[SDB_STATE_NCOLS];
    row_cells(j, b, x, cells);
    sqlite3_stmt *st = j->insert;
    for (int i = 0; i < SDB_STATE_NCOLS; i++) {
        const sdb_cell *c = &cells[i];
        if (c->type == SQLITE_INTEGER)
            sqlite3_bind_int64(st, i + 1, c->i);
        else if (c->type == SQLITE_BLOB)
            sqlite3_bind_blob(st, i + 1, c->p, (int)c->n, SQLITE_STATIC);
        else
            sqlite3_bind_text(st, i + 1, c->p, (int)c->n, SQLITE_STATIC);
    }
    int step = sqlite3_step(st);
    int ext = sqlite3_extended_errcode(j->db->sql);
    sqlite3_reset(st);
    if (step == SQLITE_DONE) {
        /* a replaced row passes the update trigger, which folds in old and new */
        if (!replaced) sdb_state_fold(j->db, x->lanes);
        if (!j->o->require_accession) return SDB_OK;
        /* the chain of custody records the profile, sealed with the import's audit record */
        char place[64];
        snprintf(place, sizeof place, "import batch %ld", j->stats->batch_id);
        sdb_intake_event e = {.accession = id, .event = "stored", .place = place};
        int rc = sdb_intake_event_add(j->db, j->ctx->actor, &e, NULL, j->d);
        if (rc) j->d->line = x->line;
        return rc ? SDB_ESTORE : SDB_OK; /* sdb_intake_may_store passed: only the store fails */
    }
    if (ext == SQLITE_CONSTRAINT_UNIQUE) {
        duplicate_diag(j, id, x->line);
        return SDB_EDUP;
    }
    sdb_diag_set(j->d, j->path, x->line, NULL, "%s", sqlite3_errmsg(j->db->sql));
    return SDB_ESTORE;
}

static int record_reject(import_job *j, const sdb_diag *rd)
{
    sqlite3_stmt *st = j->reject;
    sqlite3_bind_int64(st, 1, j->stats->batch_id);
    sqlite3_bind_text(st, 2, rd->file[0] ? rd->file : j->path, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, rd->line);
    sqlite3_bind_text(st, 4, rd->field[0] ? rd->field : NULL, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, rd->reason, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st) == SQLITE_DONE ? SDB_OK : SDB_ESTORE;
    sqlite3_reset(st);
    j->stats->n_rejected++;
    if (j->o->on_reject) j->o->on_reject(j->o->reject_arg, rd);
    return rc;
}

/* Stores one staged record. Returns SDB_OK (stored or rejected) or the
 * error that ends the import (j->d says where). */
static int store_staged(import_job *j, const stage_batch *b, const staged *x)
{
    if (x->rc != SDB_OK && x->rc != SDB_EINVAL) {
        if (x->rc == SDB_ENOMEM)
            sdb_diag_set(j->d, j->path, x->line, NULL, "out of memory");
        else
            *j->d = b->diags[x->diag];
        return x->rc;
    }
    j->stats->n_records++;
    int rc = x->rc;
    sdb_diag rd;
    if (rc == SDB_OK) {
        rc = insert_staged(j, b, x);
        if (rc == SDB_OK) {
            j->stats->n_imported++;
            return SDB_OK;
        }
        if (rc != SDB_EDUP && rc != SDB_EINVAL) return rc;
        rd = *j->d;
    } else {
        rd = b->diags[x->diag];
    }
    if (!j->o->skip_invalid) {
        *j->d = rd;
        return rc;
    }
    return record_reject(j, &rd) ? SDB_ESTORE : SDB_OK;
}

/* The importing side of the pipeline: inserts batches as the reader thread
 * fills them. */
static int import_records(import_job *j, sdb_reader *r)
{
    stager *s;
    int rc = sdb_stage_start(&s, r, j->db->cat, &j->rule, j->path, seal_row, j);
    if (rc) return rc;
    stage_batch *b;
    while (rc == SDB_OK && sdb_stage_next(s, &b) == SDB_OK) {
        sdb_stage_seal(s, b);
        for (int i = 0; rc == SDB_OK && i < b->n; i++)
            rc = store_staged(j, b, &b->rec[i]);
        sdb_stage_recycle(s, b);
    }
    sdb_stage_stop(s);
    return rc;
}

static int finish_batch(import_job *j)
{
    sqlite3_stmt *st;
    if (sdb_store_prepare(j->db,
                      "UPDATE import_batch SET n_records = ?, n_imported = ?, n_rejected = ?"
                      " WHERE id = ?",
                      &st, j->d))
        return SDB_ESTORE;
    sqlite3_bind_int64(st, 1, j->stats->n_records);
    sqlite3_bind_int64(st, 2, j->stats->n_imported);
    sqlite3_bind_int64(st, 3, j->stats->n_rejected);
    sqlite3_bind_int64(st, 4, j->stats->batch_id);
    int rc = sqlite3_step(st) == SQLITE_DONE ? SDB_OK : SDB_ESTORE;
    sqlite3_finalize(st);
    return rc;
}

static void import_params(const char *path, const sdb_import_opts *o, char *buf, size_t size)
{
    snprintf(buf, size,
             "file=%s\nformat=%s\nindex=%s\nbasis=%s\nretain_until=%s\nkit=%s\n"
             "skip_invalid=%d\nreplace=%d%s",
             path, sdb_format_name(o->read.format), o->index ? o->index : "",
             o->basis ? o->basis : "", o->retain_until ? o->retain_until : "",
             o->read.kit ? o->read.kit : "", o->skip_invalid, o->replace,
             o->require_accession ? "\nrequire_accession=1" : "");
}

/* A refused import leaves one audit record naming where it failed (never
 * the rejected text itself: it may hold alleles). */
static void audit_refusal(sdb_db *db, const sdb_ctx *ctx, const char *params, int rc,
                          const sdb_diag *d)
{
    char outcome[512];
    if (d->line)
        snprintf(outcome, sizeof outcome, "refused: %s at line %ld%s%s", sdb_strerror(rc), d->line,
                 d->field[0] ? ", field " : "", d->field);
    else
        snprintf(outcome, sizeof outcome, "refused: %s%s%s", sdb_strerror(rc),
                 d->field[0] ? ", field " : "", d->field);
    if (sdb_audit_append(db, ctx, "import", params, 0, outcome))
        sdb_log(SDB_LOG_ERROR, "could not audit the refused import");
}

/* The import of the file path, or of buf (len bytes, named path) when not NULL. */
static int import_source(sdb_db *db, const sdb_ctx *ctx, const char *path, const char *buf,
                         size_t len, const sdb_import_opts *o, sdb_import_stats *stats,
                         sdb_diag *d)
{
    sdb_import_stats local;
    char params[2048];
    if (!stats) stats = &local;
    memset(stats, 0, sizeof *stats);
    import_params(path, o, params, sizeof params);
    import_job j = {.db = db, .ctx = ctx, .path = path, .o = o, .stats = stats, .d = d};
    sdb_reader *r = NULL;
    int rc = ctx && ctx->actor && ctx->actor[0] ? check_options(db, o, d) : SDB_EPERM;
    if (!rc) rc = sdb_db_index_rule(db, o->index, &j.rule);
    sdb_read_opts ro = o->read;
    ro.index = o->index; /* CMF specimens name their category: it must be this index */
    if (!rc) rc = buf ? sdb_reader_open_mem(&r, path, buf, len, db->cat, &ro, d)
                      : sdb_reader_open(&r, path, db->cat, &ro, d);
    if (rc) goto refused;
    stats->format = sdb_reader_format(r);
    j.from = sdb_reader_origin(r);
    /* IMPORTANT: foreign keys are off for the bulk insert only (SQLite's
     * parent lookups cost about 15% of an import). Every row this import
     * writes refers to the index and legal basis checked by check_options()
     * and to the batch row inserted in the same transaction, so the
     * constraints hold by construction; keep it so if the insert changes.
     * The pragma is a no-op inside a transaction, hence set before BEGIN
     * (and without effect when this import nests in a caller's). */
    if ((rc = sdb_store_exec(db, "PRAGMA foreign_keys = OFF", d))) goto refused;
    if ((rc = sdb_store_begin(db, d))) {
        sdb_store_exec(db, "PRAGMA foreign_keys = ON", NULL);
        goto refused;
    }
    if (!(rc = prepare_job(&j)) && !(rc = begin_batch(&j, stats->format)) &&
        !(rc = import_records(&j, r)) && !(rc = finish_batch(&j)))
        rc = sdb_audit_append(db, ctx, "import", params, stats->n_imported, "ok");
    if (!rc && o->require_accession) rc = sdb_intake_seal(db, sqlite3_last_insert_rowid(db->sql));
    finalize_job(&j);
    rc = sdb_store_end(db, rc, d);
    if (sdb_store_exec(db, "PRAGMA foreign_keys = ON", rc ? NULL : d) && !rc) rc = SDB_ESTORE;
    if (rc) goto refused;
    sdb_reader_close(r);
    return SDB_OK;
refused:
    finalize_job(&j);
    audit_refusal(db, ctx, params, rc, d);
    sdb_reader_close(r);
    return rc;
}

int sdb_db_import(sdb_db *db, const sdb_ctx *ctx, const char *path, const sdb_import_opts *o,
                  sdb_import_stats *stats, sdb_diag *d)
{
    return import_source(db, ctx, path, NULL, 0, o, stats, d);
}

int sdb_db_import_mem(sdb_db *db, const sdb_ctx *ctx, const char *name, const char *buf,
                      size_t len, const sdb_import_opts *o, sdb_import_stats *stats, sdb_diag *d)
{
    return import_source(db, ctx, name, buf ? buf : "", len, o, stats, d);
}
