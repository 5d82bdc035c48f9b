/* The session: authentication, role, purpose policy and the audit record
 * around every operation of the library on a database (include/strdb/
 * session.h). Each operation follows one shape:
 *
 *   gate (role, then policy)  ->  run into memory  ->  audit  ->  hand out
 *
 * so a caller that dies while reading the results (a closed pipe) has
 * already left its record, and a record that cannot be written returns
 * nothing. Refusals are audited by the gate. */
#include <stdlib.h>
#include <string.h>

#include "engine_internal.h"
#include "governance_internal.h"
#include "store/store_internal.h"

/* ---- opening ------------------------------------------------------------------ */

void sdb_session_opts_init(sdb_session_opts *o)
{
    memset(o, 0, sizeof *o);
}

void sdb_gov_copy(char *dst, size_t size, const char *src)
{
    snprintf(dst, size, "%s", src ? src : "");
}

static const char *or_null(const char *s)
{
    return s && s[0] ? s : NULL;
}

int sdb_session_set_purpose(sdb_session *s, const char *purpose, const char *case_ref,
                            const char *authorization)
{
    if ((purpose && strlen(purpose) >= sizeof s->purpose) ||
        (case_ref && strlen(case_ref) >= sizeof s->case_ref) ||
        (authorization && strlen(authorization) >= sizeof s->authorization))
        return SDB_EINVAL;
    sdb_gov_copy(s->purpose, sizeof s->purpose, purpose);
    sdb_gov_copy(s->case_ref, sizeof s->case_ref, case_ref);
    sdb_gov_copy(s->authorization, sizeof s->authorization, authorization);
    s->ctx.purpose = or_null(s->purpose);
    s->ctx.case_ref = or_null(s->case_ref);
    s->ctx.authorization = or_null(s->authorization);
    return SDB_OK;
}

/* Audits a refusal at open on a writable connection (the session's own, or
 * a second one when it is read-only). */
static void audit_open_refusal(sdb_session *s, const char *actor, const char *why)
{
    sdb_db *w = s->db;
    sdb_diag d;
    if (s->readonly && sdb_db_open(&w, s->path, 0, &d)) return;
    sdb_ctx r = {actor, s->ctx.purpose, s->ctx.case_ref, NULL};
    if (sdb_audit_append(w, &r, "session", s->path, 0, why))
        sdb_log(SDB_LOG_ERROR, "%s: could not audit a refused session", s->path);
    if (w != s->db) sdb_db_close(w);
}

/* Controlled mode: the token's user becomes the actor. */
static int authenticate(sdb_session *s, const sdb_session_opts *o, sdb_diag *d)
{
    char name[64], role[16], why[256] = "";
    int unknown = sdb_user_auth(s->db, o->token, name, role) != SDB_OK;
    if (unknown)
        snprintf(why, sizeof why, "refused: controlled mode needs a valid token (STRDB_TOKEN or "
                                  "--token-file); it is missing, wrong or disabled");
    else if (o->actor && o->actor[0] && strcmp(o->actor, name))
        snprintf(why, sizeof why, "refused: --actor '%s' is not the token's user '%s'", o->actor,
                 name);
    if (why[0]) {
        sdb_diag_set(d, NULL, 0, unknown ? "token" : "--actor", "%s", why);
        audit_open_refusal(s, unknown ? "(unauthenticated)" : name, why);
        return SDB_EAUTH;
    }
    sdb_gov_copy(s->actor, sizeof s->actor, name);
    sdb_gov_copy(s->role, sizeof s->role, role);
    return SDB_OK;
}

/* An expunction whose scrub did not run (the process was killed after its
 * commit) leaves a mark: the scrub runs now, before anything is read. A
 * reader elsewhere that keeps the WAL only delays it to the next open. */
static int recover(sdb_session *s, sdb_diag *d)
{
    sqlite3_stmt *st;
    if (sdb_store_prepare(s->db, "SELECT 1 FROM meta WHERE key = 'scrub_pending'", &st, d))
        return SDB_ESTORE;
    int step = sqlite3_step(st);
    sqlite3_finalize(st);
    if (step == SQLITE_DONE) return SDB_OK;
    if (step != SQLITE_ROW) return SDB_ESTORE;
    int rc = sdb_gov_scrub(s->db, d);
    if (rc == SDB_EBUSY) {
        sdb_log(SDB_LOG_WARNING, "%s: an expunction's scrub waits for another connection",
                s->path);
        rc = SDB_OK;
    }
    return rc;
}

static int session_start(sdb_session **out, sdb_db *db, const char *path,
                         const sdb_session_opts *o, sdb_diag *d)
{
    sdb_session *s = calloc(1, sizeof *s);
    if (!s) {
        sdb_db_close(db);
        return SDB_ENOMEM;
    }
    s->db = db;
    s->readonly = o->readonly;
    s->index_cache = o->index_cache;
    sdb_gov_copy(s->path, sizeof s->path, path);
    int rc = sdb_session_set_purpose(s, o->purpose, o->case_ref, o->authorization);
    if (rc) sdb_diag_set(d, NULL, 0, NULL, "purpose, case or authorization too long");
    long users = rc ? 0 : sdb_user_count(db);
    if (!rc && users < 0) rc = SDB_ESTORE;
    s->controlled = users > 0;
    if (!rc && s->controlled)
        rc = authenticate(s, o, d);
    else if (!rc && !or_null(o->actor) && !or_null(o->default_actor)) {
        sdb_diag_set(d, NULL, 0, "--actor", "an open-mode session needs an actor");
        rc = SDB_EINVAL;
    } else if (!rc)
        sdb_gov_copy(s->actor, sizeof s->actor, or_null(o->actor) ? o->actor : o->default_actor);
    s->ctx.actor = s->actor;
    if (!rc && !s->readonly) rc = recover(s, d);
    if (rc) {
        sdb_session_close(s);
        return rc;
    }
    *out = s;
    return SDB_OK;
}

int sdb_session_open(sdb_session **out, const char *path, const sdb_session_opts *o,
                     sdb_diag *d)
{
    sdb_db *db;
    int rc = sdb_db_open(&db, path, o->readonly, d);
    return rc ? rc : session_start(out, db, path, o, d);
}

int sdb_session_create(sdb_session **out, const char *path, const sdb_session_opts *o,
                       sdb_diag *d)
{
    const char *actor = or_null(o->actor) ? o->actor : o->default_actor;
    if (!or_null(actor)) {
        sdb_diag_set(d, NULL, 0, "--actor", "creating a database needs an actor");
        return SDB_EINVAL;
    }
    sdb_ctx ctx = {actor, o->purpose, o->case_ref, NULL};
    sdb_db *db;
    int rc = sdb_db_create(&db, path, &ctx, d);
    return rc ? rc : session_start(out, db, path, o, d);
}

static void drop_index(sdb_session *s, int k);

int sdb_database_controlled(const char *path, int *controlled, sdb_diag *d)
{
    sdb_db *db;
    int rc = sdb_db_open(&db, path, 1, d);
    if (rc) return rc;
    long users = sdb_user_count(db);
    sdb_db_close(db);
    if (users < 0) return SDB_ESTORE;
    *controlled = users > 0;
    return SDB_OK;
}

void sdb_session_close(sdb_session *s)
{
    if (!s) return;
    for (int k = 0; k < 2; k++)
        drop_index(s, k);
    sdb_db_close(s->db);
    free(s);
}

const char *sdb_session_actor(const sdb_session *s) { return s->actor; }
const char *sdb_session_role(const sdb_session *s) { return s->role; }
const char *sdb_session_purpose(const sdb_session *s) { return s->purpose; }
const char *sdb_session_path(const sdb_session *s) { return s->path; }
const sdb_catalog *sdb_session_catalog(const sdb_session *s) { return sdb_db_catalog(s->db); }
int sdb_session_controlled(const sdb_session *s) { return s->controlled; }

/* ---- the gate ------------------------------------------------------------------- */

int sdb_gov_refuse(sdb_session *s, const char *action, const char *params, int code,
                   sdb_diag *d)
{
    char outcome[sizeof d->reason + 16];
    snprintf(outcome, sizeof outcome, "%s%s", strncmp(d->reason, "refused", 7) ? "refused: " : "",
             d->reason);
    if (s->readonly) {
        audit_open_refusal(s, s->actor, outcome);
        return code;
    }
    if (sdb_audit_append(s->db, &s->ctx, action, params ? params : "", 0, outcome))
        sdb_log(SDB_LOG_ERROR, "%s: could not audit a refusal", s->path);
    return code;
}

int sdb_gov_role(sdb_session *s, const char *action, const char *params, sdb_diag *d)
{
    /* tables changed outside strdb since the newest record: nothing runs but
     * reading the audit chain (no record either: it would vouch for them) */
    int rc = strcmp(action, "audit-read") ? sdb_state_check(s->db, d) : SDB_OK;
    if (rc) return rc;
    if (!s->controlled || sdb_role_allows(s->role, action)) return SDB_OK;
    sdb_diag_set(d, NULL, 0, NULL, "refused: role '%s' may not %s", s->role, action);
    return sdb_gov_refuse(s, action, params, SDB_EROLE, d);
}

int sdb_gov_gate(sdb_session *s, const char *action, const char *operation, const char *index,
                 const char *params, char *allowed, size_t size, sdb_diag *d)
{
    int rc = sdb_gov_role(s, action, params, d);
    if (rc) return rc;
    if (s->controlled && s->ctx.purpose && !sdb_role_may_use_purpose(s->role, s->ctx.purpose)) {
        sdb_diag_set(d, NULL, 0, "--purpose", "refused: role '%s' may not act under purpose '%s'",
                     s->role, s->ctx.purpose);
        return sdb_gov_refuse(s, action, params, SDB_EPOLICY, d);
    }
    if (!operation) return SDB_OK;
    sdb_diag_clear(d);
    rc = sdb_policy_indexes(s->db, &s->ctx, operation, index, allowed, size, d);
    if (rc == SDB_ENOTFOUND) sdb_gov_list_indexes(s->db, d);
    return rc ? sdb_gov_refuse(s, action, params, rc, d) : SDB_OK;
}

int sdb_gov_audit_query(sdb_session *s, const char *action, const char *params, long count,
                        const char *const *ids, long n_ids, const char *outcome,
                        const void *query, size_t query_len, sdb_diag *d)
{
    int rc = sdb_store_exec(s->db, "BEGIN IMMEDIATE", d);
    if (!rc) rc = sdb_audit_append(s->db, &s->ctx, action, params, count, outcome);
    long long seq = rc ? 0 : sqlite3_last_insert_rowid(s->db->sql);
    if (!rc && n_ids > 0) rc = sdb_audit_touch(s->db, ids, n_ids);
    if (!rc && query) {
        sqlite3_stmt *st;
        rc = sdb_store_prepare(s->db, "INSERT INTO search_query VALUES (?, ?, ?)", &st, d);
        if (!rc) {
            sqlite3_bind_int64(st, 1, seq);
            sqlite3_bind_blob(st, 2, query, (int)query_len, SQLITE_STATIC);
            sqlite3_bind_text(st, 3, params, -1, SQLITE_STATIC);
            rc = sqlite3_step(st) == SQLITE_DONE ? SDB_OK : SDB_ESTORE;
            sqlite3_finalize(st);
        }
    }
    rc = sdb_store_finish(s->db, rc, d);
    if (rc)
        sdb_diag_set(d, s->path, 0, NULL, "the audit record could not be written (%s): "
                     "nothing is returned", sdb_strerror(rc));
    else
        s->last_seq = seq;
    return rc ? SDB_ESTORE : SDB_OK;
}

int sdb_gov_audit(sdb_session *s, const char *action, const char *params, long count,
                  const char *const *ids, long n_ids, const char *outcome, sdb_diag *d)
{
    return sdb_gov_audit_query(s, action, params, count, ids, n_ids, outcome, NULL, 0, d);
}

/* ---- the index of a read ------------------------------------------------------------ */

/* The index of (allowed, kind): the session's cached one when the store has
 * not changed, else the snapshot beside the database when its stamp
 * matches, else built from the store (and the snapshot rewritten; a
 * read-only directory only costs the rebuild). Owned by the session. */
typedef struct build_args {
    sdb_session *s;
    const char *allowed;
    sdb_kind kind;
    const char *stamp;
} build_args;

/* Loads the index from its snapshot (when the stamp matches) or builds it
 * and saves the snapshot. */
static int load_or_build(void *arg, sdb_idx **out, sdb_diag *d)
{
    build_args *a = arg;
    sdb_session *s = a->s;
    int k = a->kind == SDB_KIND_Y, rc;
    char snap[2048];
    snprintf(snap, sizeof snap, "%s.index-%s%s%s", s->path, k ? "y" : "autosomal",
             a->allowed ? "-" : "", a->allowed ? a->allowed : "");
    sdb_idx *x = NULL;
    int use_snapshot = !getenv("STRDB_NO_SNAPSHOT");
    if (use_snapshot) {
        rc = sdb_idx_load(&x, sdb_db_catalog(s->db), snap, a->stamp, d);
        if (rc && rc != SDB_ENOTFOUND)
            sdb_log(SDB_LOG_WARNING, "%s; rebuilding the index", d->reason);
        sdb_diag_clear(d);
    }
    if (!x) {
        rc = sdb_idx_build(&x, s->db, a->allowed, a->kind, d);
        if (rc) return rc;
        if (use_snapshot && sdb_idx_save(x, a->stamp, snap))
            sdb_log(SDB_LOG_WARNING, "could not write the index snapshot %s", snap);
    }
    *out = x;
    return SDB_OK;
}

/* Lets go of the session's index of kind k (its own, or its hold on a shared one). */
static void drop_index(sdb_session *s, int k)
{
    if (s->cache[k].shared)
        sdb_gov_cache_release(s->index_cache, s->cache[k].shared);
    else
        sdb_idx_free(s->cache[k].x);
    s->cache[k].x = NULL;
    s->cache[k].shared = NULL;
}

int sdb_gov_index(sdb_session *s, const char *allowed, sdb_kind kind, const sdb_idx **out,
                  sdb_diag *d)
{
    int k = kind == SDB_KIND_Y;
    char stamp[65];
    int rc = sdb_db_stamp(s->db, allowed, kind, stamp);
    if (rc) return rc;
    if (s->cache[k].x && !strcmp(s->cache[k].stamp, stamp) &&
        !strcmp(s->cache[k].indexes, allowed ? allowed : "")) {
        *out = s->cache[k].x;
        return SDB_OK;
    }
    drop_index(s, k);
    build_args a = {s, allowed, kind, stamp};
    sdb_idx *x = NULL;
    void *entry = NULL;
    rc = s->index_cache
             ? sdb_gov_cache_get(s->index_cache, allowed, k, stamp, load_or_build, &a, &x, &entry, d)
             : load_or_build(&a, &x, d);
    if (rc) return rc;
    s->cache[k].x = x;
    s->cache[k].shared = entry;
    sdb_gov_copy(s->cache[k].stamp, sizeof s->cache[k].stamp, stamp);
    sdb_gov_copy(s->cache[k].indexes, sizeof s->cache[k].indexes, allowed ? allowed : "");
    *out = x;
    return SDB_OK;
}
