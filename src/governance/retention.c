/* Retention rules per legal basis, consent records, and the retention run
 * that expunges what is due. Dates are ISO text (YYYY-MM-DD), compared as
 * text. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "governance_internal.h"

/* Due date per profile: its own retain_until, else the basis rule. */
static const char due_sql[] =
    "SELECT sample_id, index_name, basis, rule, due FROM (SELECT p.sample_id, p.index_name,"
    " p.basis, CASE WHEN p.retain_until IS NOT NULL THEN 'retain-until' ELSE b.retention END"
    " AS rule, CASE WHEN p.retain_until IS NOT NULL THEN substr(p.retain_until, 1, 10)"
    "  WHEN b.retention GLOB 'years:*' THEN date(ib.started_at,"
    "   '+' || substr(b.retention, 7) || ' years')"
    "  WHEN b.retention = 'consent' THEN (SELECT substr(withdrawn_at, 1, 10) FROM consent c"
    "   WHERE c.sample_id = p.sample_id)"
    "  WHEN b.retention = 'case' THEN (SELECT substr(closed_at, 1, 10) FROM case_closure k"
    "   WHERE k.case_ref = ib.case_ref)"
    " END AS due FROM profile p JOIN legal_basis b ON b.code = p.basis"
    " JOIN import_batch ib ON ib.id = p.batch_id)"
    " WHERE due IS NOT NULL AND due <= coalesce(?1, date('now')) ORDER BY due, sample_id";

static int valid_date(const char *s)
{
    return strlen(s) == 10 && s[4] == '-' && s[7] == '-' &&
           strspn(s, "0123456789-") == 10;
}

int sdb_retention_due(sdb_db *db, const char *as_of, int (*fn)(void *arg, const sdb_due *due),
                      void *arg, sdb_diag *d)
{
    if (as_of && !valid_date(as_of)) {
        sdb_diag_set(d, NULL, 0, "--as-of", "expected YYYY-MM-DD, got '%s'", as_of);
        return SDB_EINVAL;
    }
    sqlite3_stmt *st;
    if (sdb_store_prepare(db, due_sql, &st, d)) return SDB_ESTORE;
    sqlite3_bind_text(st, 1, as_of, -1, SQLITE_STATIC);
    int rc = SDB_OK, step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
#define TXT(i) ((const char *)sqlite3_column_text(st, i))
        sdb_due due = {TXT(0), TXT(1), TXT(2), TXT(3), TXT(4)};
#undef TXT
        if ((rc = fn(arg, &due))) break;
    }
    if (!rc && step != SQLITE_DONE) {
        sdb_diag_set(d, db->path, 0, NULL, "%s", sqlite3_errmsg(db->sql));
        rc = SDB_ESTORE;
    }
    sqlite3_finalize(st);
    return rc;
}

typedef struct due_list {
    char **ids, **reasons;
    long n, cap;
} due_list;

static int collect(void *arg, const sdb_due *due)
{
    due_list *l = arg;
    if (l->n == l->cap) {
        long cap = l->cap ? 2 * l->cap : 64;
        char **ids = realloc(l->ids, (size_t)cap * sizeof *ids);
        if (ids) l->ids = ids;
        char **reasons = realloc(l->reasons, (size_t)cap * sizeof *reasons);
        if (reasons) l->reasons = reasons;
        if (!ids || !reasons) return SDB_ENOMEM;
        l->cap = cap;
    }
    char reason[256];
    snprintf(reason, sizeof reason, "retention: basis %s, rule %s, due %s", due->basis, due->rule,
             due->due);
    l->ids[l->n] = strdup(due->sample_id);
    l->reasons[l->n] = strdup(reason);
    if (!l->ids[l->n] || !l->reasons[l->n]) return SDB_ENOMEM;
    l->n++;
    return SDB_OK;
}

int sdb_retention_run(sdb_db *db, const sdb_ctx *ctx, const char *as_of, int dry_run, long *n,
                      sdb_diag *d)
{
    due_list l = {0};
    *n = 0;
    /* collected first: expunging while the due query runs would change it */
    int rc = sdb_retention_due(db, as_of, collect, &l, d);
    /* one transaction: a run that is stopped expunges nothing, never some */
    int txn = !rc && !dry_run && l.n > 0;
    if (txn) rc = sdb_store_exec(db, "BEGIN IMMEDIATE", d);
    for (long i = 0; !rc && i < l.n; i++) {
        if (!dry_run) rc = sdb_gov_expunge_rows(db, ctx, l.ids[i], l.reasons[i], NULL, d);
        if (!rc) ++*n;
    }
    if (txn) rc = sdb_store_finish(db, rc, d);
    if (rc) *n = 0;
    /* snapshots and the WAL are scrubbed once for the whole run */
    if (!dry_run && *n) {
        int scrub = sdb_gov_scrub(db, d);
        if (!rc) rc = scrub;
    }
    for (long i = 0; i < l.n; i++) {
        free(l.ids[i]);
        free(l.reasons[i]);
    }
    free(l.ids);
    free(l.reasons);
    return rc;
}

/* sdb_gov_run, with SDB_ENOTFOUND when no row changed. */
static int exec_bound(sdb_db *db, const char *sql, const char *const *v, int n)
{
    int changes = 0, rc = sdb_gov_run(db, sql, v, n, &changes);
    return !rc && !changes ? SDB_ENOTFOUND : rc;
}

int sdb_retention_set(sdb_db *db, const sdb_ctx *ctx, const char *basis, const char *rule,
                      sdb_diag *d)
{
    const char *digits = !strncmp(rule, "years:", 6) ? rule + 6 : NULL;
    if (strcmp(rule, "indefinite") && strcmp(rule, "consent") && strcmp(rule, "case") &&
        !(digits && digits[0] && strspn(digits, "0123456789") == strlen(digits) &&
          strlen(digits) < 4)) {
        sdb_diag_set(d, NULL, 0, "rule", "'%s': expected indefinite, consent, case or years:N", rule);
        return SDB_EINVAL;
    }
    if (sdb_store_exec(db, "BEGIN IMMEDIATE", d)) return SDB_ESTORE;
    const char *v[] = {rule, basis};
    int rc = exec_bound(db, "UPDATE legal_basis SET retention = ?1 WHERE code = ?2", v, 2);
    if (rc == SDB_ENOTFOUND) sdb_diag_set(d, NULL, 0, "basis", "unknown legal basis '%s'", basis);
    char params[256];
    snprintf(params, sizeof params, "basis=%s\nrule=%s", basis, rule);
    if (!rc) rc = sdb_audit_append(db, ctx, "retention-set", params, 1, "ok");
    return sdb_store_finish(db, rc, d);
}

/* at (YYYY-MM-DD) or now, into out. */
static int date_or_now(const char *at, char out[32], sdb_diag *d)
{
    if (!at) {
        sdb_store_now(out);
        return SDB_OK;
    }
    if (!valid_date(at)) {
        sdb_diag_set(d, NULL, 0, "--at", "expected YYYY-MM-DD, got '%s'", at);
        return SDB_EINVAL;
    }
    snprintf(out, 32, "%s", at);
    return SDB_OK;
}

int sdb_consent_give(sdb_db *db, const sdb_ctx *ctx, const char *sample_id, const char *scope,
                     const char *at, sdb_diag *d)
{
    char when[32];
    int rc = date_or_now(at, when, d);
    if (rc) return rc;
    if (!scope || !scope[0]) {
        sdb_diag_set(d, NULL, 0, "--scope", "consent needs a scope (the purposes it covers)");
        return SDB_EINVAL;
    }
    if (sdb_store_exec(db, "BEGIN IMMEDIATE", d)) return SDB_ESTORE;
    const char *v[] = {sample_id, scope, when};
    rc = exec_bound(db,
                    "INSERT INTO consent SELECT ?1, ?2, ?3, NULL WHERE EXISTS"
                    " (SELECT 1 FROM profile WHERE sample_id = ?1) ON CONFLICT (sample_id) DO"
                    " UPDATE SET scope = excluded.scope, given_at = excluded.given_at,"
                    " withdrawn_at = NULL",
                    v, 3);
    if (rc == SDB_ENOTFOUND) sdb_diag_set(d, NULL, 0, "sample id", "no profile '%s'", sample_id);
    char params[512];
    snprintf(params, sizeof params, "sample_id=%s\nscope=%s\nat=%s", sample_id, scope, when);
    if (!rc) rc = sdb_audit_append(db, ctx, "consent-give", params, 1, "ok");
    return sdb_store_finish(db, rc, d);
}

int sdb_consent_withdraw(sdb_db *db, const sdb_ctx *ctx, const char *sample_id, const char *at,
                         sdb_diag *d)
{
    char when[32];
    int rc = date_or_now(at, when, d);
    if (rc) return rc;
    if (sdb_store_exec(db, "BEGIN IMMEDIATE", d)) return SDB_ESTORE;
    const char *v[] = {when, sample_id};
    rc = exec_bound(db, "UPDATE consent SET withdrawn_at = ?1 WHERE sample_id = ?2", v, 2);
    if (rc == SDB_ENOTFOUND)
        sdb_diag_set(d, NULL, 0, "sample id", "no consent recorded for '%s'", sample_id);
    /* the digest only: the id must not outlive the expunction in clear */
    char params[512];
    snprintf(params, sizeof params, "sample_id=%s\nat=%s", sample_id, when);
    if (!rc) rc = sdb_audit_append(db, ctx, "consent-withdraw", params, 1, "ok");
    if ((rc = sdb_store_finish(db, rc, d))) return rc;
    /* kept under this consent? then it goes now */
    sqlite3_stmt *st;
    if (sdb_store_prepare(db,
                      "SELECT 1 FROM profile p JOIN legal_basis b ON b.code = p.basis"
                      " WHERE p.sample_id = ? AND b.retention = 'consent'",
                      &st, d))
        return SDB_ESTORE;
    sqlite3_bind_text(st, 1, sample_id, -1, SQLITE_STATIC);
    int kept_by_consent = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
    if (!kept_by_consent) return SDB_OK;
    sdb_ctx admin = *ctx;
    admin.purpose = "administration";
    return sdb_expunge(db, &admin, sample_id, "consent withdrawn", ctx->authorization, d);
}

int sdb_case_close(sdb_db *db, const sdb_ctx *ctx, const char *case_ref, const char *at,
                   sdb_diag *d)
{
    char when[32];
    int rc = date_or_now(at, when, d);
    if (rc) return rc;
    if (sdb_store_exec(db, "BEGIN IMMEDIATE", d)) return SDB_ESTORE;
    const char *v[] = {case_ref, when};
    rc = exec_bound(db,
                    "INSERT INTO case_closure VALUES (?1, ?2) ON CONFLICT (case_ref) DO UPDATE"
                    " SET closed_at = excluded.closed_at",
                    v, 2);
    char params[512];
    snprintf(params, sizeof params, "case=%s\nat=%s", case_ref, when);
    if (!rc) rc = sdb_audit_append(db, ctx, "case-close", params, 1, "ok");
    return sdb_store_finish(db, rc, d);
}
