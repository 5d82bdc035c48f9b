/* Sample intake through a session (docs/intake.md): the role check, one
 * audit record per call (a refusal too), and the store's intake functions
 * (store/intake.c) in the same transaction as the record. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "governance_internal.h"

typedef struct issued {
    char (*acc)[64];
    int n;
} issued;

static int keep_accession(void *arg, const char *accession)
{
    issued *is = arg;
    snprintf(is->acc[is->n++], 64, "%s", accession);
    return 0;
}

/* A refusal of the store's checks is audited like the role's. */
static int refused(sdb_session *s, const char *action, const char *params, int rc, sdb_diag *d)
{
    if (rc == SDB_EPERM || rc == SDB_EINVAL || rc == SDB_ENOTFOUND)
        return sdb_gov_refuse(s, action, params, rc, d);
    return rc;
}

int sdb_session_intake_kit(sdb_session *s, const char *prefix, const char *type, const char *lot,
                           const char *expires, int count, sdb_intake_fn fn, void *arg,
                           long *kit_id, sdb_diag *d)
{
    char params[512];
    snprintf(params, sizeof params, "prefix=%s\ntype=%s\nlot=%s\nexpires=%s\ncount=%d",
             prefix ? prefix : "", type ? type : "", lot ? lot : "", expires ? expires : "", count);
    int rc = sdb_gov_role(s, "intake", params, d);
    if (rc) return rc;
    issued is = {calloc(count > 0 && count <= 10000 ? (size_t)count : 1, 64), 0};
    if (!is.acc) return SDB_ENOMEM;
    long kit = 0;
    rc = sdb_store_exec(s->db, "BEGIN IMMEDIATE", d);
    if (!rc) {
        rc = sdb_intake_kits(s->db, s->ctx.actor, prefix, type, lot, expires, count, keep_accession,
                             &is, &kit, d);
        /* the record hashes the stored rows, so that audit verify can recompute it */
        char stored[1024];
        if (!rc) rc = sdb_intake_kit_params(s->db, kit, stored, sizeof stored);
        if (!rc) rc = sdb_audit_append(s->db, &s->ctx, "intake-kit", stored, is.n, "ok");
        if (!rc) s->last_seq = sqlite3_last_insert_rowid(s->db->sql);
        if (!rc) rc = sdb_intake_seal(s->db, s->last_seq);
        rc = sdb_store_finish(s->db, rc, d);
    }
    if (rc) {
        free(is.acc);
        return refused(s, "intake-kit", params, rc, d);
    }
    if (kit_id) *kit_id = kit;
    for (int i = 0; !rc && fn && i < is.n; i++)
        rc = fn(arg, is.acc[i]);
    free(is.acc);
    return rc;
}

int sdb_session_intake_event(sdb_session *s, const sdb_intake_event *e, long long *seq, sdb_diag *d)
{
    char params[2048];
    snprintf(params, sizeof params, "accession=%s\nevent=%s\nat=%s\nplace=%s\nbasis=%s\nnote=%s",
             e->accession ? e->accession : "", e->event ? e->event : "", e->at ? e->at : "",
             e->place ? e->place : "", e->basis ? e->basis : "", e->note ? e->note : "");
    int rc = sdb_gov_role(s, "intake", params, d);
    if (rc) return rc;
    if (!e->accession || !e->accession[0]) {
        sdb_diag_set(d, NULL, 0, "accession", "required");
        return refused(s, "intake-event", params, SDB_EINVAL, d);
    }
    rc = sdb_store_exec(s->db, "BEGIN IMMEDIATE", d);
    if (rc) return rc;
    long long event = 0;
    char stored[2048];
    rc = sdb_intake_event_add(s->db, s->ctx.actor, e, &event, d);
    if (!rc) rc = sdb_intake_event_params(s->db, event, stored, sizeof stored);
    if (!rc) rc = sdb_audit_append(s->db, &s->ctx, "intake-event", stored, 1, "ok");
    long long n = rc ? 0 : sqlite3_last_insert_rowid(s->db->sql);
    const char *ids[] = {e->accession};
    if (!rc) rc = sdb_audit_touch(s->db, ids, 1);
    if (!rc) rc = sdb_intake_seal(s->db, n);
    rc = sdb_store_finish(s->db, rc, d);
    if (rc) return refused(s, "intake-event", params, rc, d);
    s->last_seq = n;
    if (seq) *seq = n;
    return SDB_OK;
}

/* Runs sql (one text parameter, or none) and gives each row to fn as section. */
static int rows(sdb_session *s, const char *sql, const char *param, const char *section,
                sdb_row_fn fn, void *arg, long *count, sdb_diag *d)
{
    sqlite3_stmt *st;
    if (sdb_store_prepare(s->db, sql, &st, d)) return SDB_ESTORE;
    if (param) sqlite3_bind_text(st, 1, param, -1, SQLITE_STATIC);
    int n = sqlite3_column_count(st), rc = SDB_OK, step;
    const char *names[16], *values[16];
    for (int i = 0; i < n && i < 16; i++)
        names[i] = sqlite3_column_name(st, i);
    while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW) {
        for (int i = 0; i < n && i < 16; i++)
            values[i] = (const char *)sqlite3_column_text(st, i);
        (*count)++;
        rc = fn ? fn(arg, section, n, names, values) : 0;
    }
    if (!rc && step != SQLITE_DONE) rc = SDB_ESTORE;
    sqlite3_finalize(st);
    return rc;
}

static const char sample_sql[] =
    "SELECT s.sample_id AS accession, s.kit_id AS kit, k.kit_type, k.lot, k.expires, s.state,"
    " s.basis, CASE WHEN EXISTS (SELECT 1 FROM profile p WHERE p.sample_id = s.sample_id)"
    " THEN 'stored' ELSE 'none' END AS profile"
    " FROM intake_sample s JOIN intake_kit k ON k.id = s.kit_id WHERE s.sample_id = ?";
static const char events_sql[] =
    "SELECT row_number() OVER (ORDER BY e.id) AS n, e.event, e.at, e.actor, e.place, s.basis,"
    " e.note, e.audit_seq AS audit_record FROM intake_event e"
    " JOIN intake_sample s ON s.id = e.sample WHERE s.sample_id = ? ORDER BY e.id";
static const char samples_sql[] =
    "SELECT s.sample_id AS accession, k.kit_type, k.lot, s.state,"
    " (SELECT max(at) FROM intake_event e WHERE e.sample = s.id) AS last_event_at"
    " FROM intake_sample s JOIN intake_kit k ON k.id = s.kit_id ORDER BY s.id";

int sdb_session_intake_show(sdb_session *s, const char *accession, sdb_row_fn fn, void *arg,
                            sdb_diag *d)
{
    char params[512];
    snprintf(params, sizeof params, "accession=%s", accession ? accession : "");
    int rc = sdb_gov_role(s, "intake-show", params, d);
    if (rc) return rc;
    long n = 0;
    if (accession) {
        /* the sample must exist: a refusal names it */
        rc = rows(s, sample_sql, accession, "sample", NULL, NULL, &n, d);
        if (!rc && !n) {
            sdb_intake_not_issued(accession, d);
            return refused(s, "intake-show", params, SDB_ENOTFOUND, d);
        }
    }
    const char *ids[] = {accession};
    /* audited before anything leaves */
    if (!rc) rc = sdb_gov_audit(s, "intake-show", params, n, ids, accession ? 1 : 0, "ok", d);
    n = 0;
    if (!rc && accession) {
        rc = rows(s, sample_sql, accession, "sample", fn, arg, &n, d);
        if (!rc) rc = rows(s, events_sql, accession, "event", fn, arg, &n, d);
    } else if (!rc) {
        rc = rows(s, samples_sql, NULL, "samples", fn, arg, &n, d);
    }
    return rc;
}

int sdb_session_intake_label(sdb_session *s, const char *accession, char kit_type[129],
                             char lot[65], sdb_diag *d)
{
    char params[512];
    snprintf(params, sizeof params, "accession=%s", accession ? accession : "");
    int rc = sdb_gov_role(s, "intake", params, d);
    if (rc) return rc;
    sqlite3_stmt *st;
    if (sdb_store_prepare(s->db,
                          "SELECT k.kit_type, k.lot FROM intake_sample s"
                          " JOIN intake_kit k ON k.id = s.kit_id WHERE s.sample_id = ?",
                          &st, d))
        return SDB_ESTORE;
    sqlite3_bind_text(st, 1, accession ? accession : "", -1, SQLITE_STATIC);
    int found = sqlite3_step(st) == SQLITE_ROW;
    if (found) {
        sdb_gov_copy(kit_type, 129, (const char *)sqlite3_column_text(st, 0));
        sdb_gov_copy(lot, 65, (const char *)sqlite3_column_text(st, 1));
    }
    sqlite3_finalize(st);
    if (!found) {
        sdb_intake_not_issued(accession ? accession : "", d);
        return refused(s, "intake-label", params, SDB_ENOTFOUND, d);
    }
    const char *ids[] = {accession};
    return sdb_gov_audit(s, "intake-label", params, 1, ids, 1, "ok", d);
}
