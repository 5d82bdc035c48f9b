/* Session operations on lineages, pedigrees, the audit chain, the policy,
 * users, retention and metadata listings (include/strdb/session.h). The
 * lower functions they call audit themselves where they change data; the
 * session adds the role check (and, for reads, the policy and the record). */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "governance_internal.h"
#include "store/store_internal.h"

/* ---- lineages and pedigrees ---------------------------------------------------------- */

int sdb_session_lineage_build(sdb_session *s, const char *index, const sdb_lineage_opts *o,
                              int full, sdb_lineage_build_stats *st, sdb_diag *d)
{
    char params[512], allowed[1024];
    sdb_lineage_build_params(params, sizeof params, index, o, full);
    const sdb_idx *x;
    int rc = sdb_gov_gate(s, "ysearch", "ysearch", index, params, allowed, sizeof allowed, d);
    if (!rc) rc = sdb_gov_index(s, allowed, SDB_KIND_Y, &x, d);
    if (rc) return rc;
    /* a build that is stored writes its record in its own transaction */
    int built = sdb_lineage_build(s->db, &s->ctx, x, allowed, o, full, st, d);
    if (built) rc = sdb_gov_audit(s, "lineage-build", params, 0, NULL, 0, "failed", d);
    return built ? built : rc;
}

int sdb_session_lineage_search(sdb_session *s, const char *index, const sdb_profile *q,
                               const sdb_lineage_search_opts *o, long limit,
                               sdb_lineage_result *r, sdb_diag *d)
{
    char params[512], allowed[1024];
    snprintf(params, sizeof params, "index=%s\nkit=%s\nmax_meioses=%d", index ? index : "*",
             o->kit ? o->kit : "", o->max_meioses);
    memset(r, 0, sizeof *r);
    const sdb_idx *x;
    int rc = sdb_gov_gate(s, "ysearch", "ysearch", index, params, allowed, sizeof allowed, d);
    if (!rc) rc = sdb_gov_index(s, allowed, SDB_KIND_Y, &x, d);
    if (rc) return rc;
    sdb_lineage_search_opts so = *o;
    so.indexes = allowed;
    int st = sdb_lineage_search(s->db, x, q, &so, r, d);
    /* every member listed is a returned sample: recorded for subject reports */
    long n = st ? 0 : r->n_members < limit ? r->n_members : limit;
    const char **ids = malloc((size_t)(n ? n : 1) * sizeof *ids);
    for (long i = 0; ids && i < n; i++)
        ids[i] = r->members[i].sample_id;
    rc = ids ? sdb_gov_audit(s, "lineage-search", params, n, ids, n, st ? "failed" : "ok", d)
             : SDB_ENOMEM;
    free(ids);
    if (!st && rc) sdb_lineage_result_free(r);
    return rc ? rc : st;
}

/* Writes buf to out after the record: the drawing or listing was made in
 * memory so that nothing leaves before it. */
static int audit_then_write(sdb_session *s, const char *action, const char *params, int st,
                            char *buf, size_t len, FILE *out, sdb_diag *d)
{
    int rc = sdb_gov_audit(s, action, params, 0, NULL, 0, st ? "failed" : "ok", d);
    if (!rc && !st && len && fwrite(buf, 1, len, out) != len) rc = SDB_EIO;
    free(buf);
    return rc ? rc : st;
}

int sdb_session_lineage_show(sdb_session *s, const char *index, long long id, long top, int svg,
                             sdb_lineage_view view, int max_nodes, FILE *out, sdb_diag *d)
{
    char params[256], allowed[1024];
    snprintf(params, sizeof params, "lineage=%lld\nsvg=%d", id, svg);
    int rc = sdb_gov_gate(s, "ysearch", "ysearch", index, params, allowed, sizeof allowed, d);
    if (rc) return rc;
    char *buf = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&buf, &len);
    if (!mem) return SDB_ENOMEM;
    int st = svg ? sdb_draw_lineage(s->db, id, allowed, view, max_nodes, mem, d)
                 : sdb_lineage_print(s->db, id, allowed, top, mem, d);
    if (fclose(mem) && !st) st = SDB_ENOMEM;
    return audit_then_write(s, "lineage-show", params, st, buf, len, out, d);
}

int sdb_session_pedigree_import(sdb_session *s, const char *path, sdb_pedigree_stats *st,
                                sdb_diag *d)
{
    char params[1100];
    snprintf(params, sizeof params, "file=%s", path);
    int rc = sdb_gov_role(s, "import", params, d);
    return rc ? rc : sdb_pedigree_import(s->db, &s->ctx, path, st, d);
}

int sdb_session_fam_import(sdb_session *s, const char *path, const sdb_fam_import_opts *o,
                           sdb_fam_import_stats *st, sdb_diag *d)
{
    char params[1400];
    snprintf(params, sizeof params, "file=%s\nindex=%s\nremains_index=%s", path,
             o->ref_index ? o->ref_index : "", o->remains_index ? o->remains_index : "");
    int rc = sdb_gov_role(s, "import", params, d);
    return rc ? rc : sdb_fam_import(s->db, &s->ctx, path, o, st, d);
}

int sdb_session_pedigree_draw(sdb_session *s, const char *person, int up, int down, FILE *out,
                              sdb_diag *d)
{
    char params[512];
    snprintf(params, sizeof params, "person=%s\nup=%d\ndown=%d", person, up, down);
    int rc = sdb_gov_role(s, "show", params, d);
    if (rc) return rc;
    char *buf = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&buf, &len);
    if (!mem) return SDB_ENOMEM;
    int st = sdb_draw_pedigree(s->db, person, up, down, mem, d);
    if (fclose(mem) && !st) st = SDB_ENOMEM;
    return audit_then_write(s, "pedigree-draw", params, st, buf, len, out, d);
}

/* ---- listings ------------------------------------------------------------------------ */

/* IMPORTANT: session.h lists these names, actions and columns. */
static const struct listing {
    const char *name, *action, *sql;
} listings[] = {
    {"summary", "stat",
     "SELECT (SELECT count(*) FROM profile) AS profiles,"
     " (SELECT count(*) FROM import_batch) AS import_batches,"
     " (SELECT count(*) FROM import_reject) AS rejects, (SELECT count(*) FROM audit) AS "
     "audit_records"},
    {"by-index", "stat",
     "SELECT index_name AS 'index', kind, count(*) AS profiles, sum(flags & 1 != 0) AS partial,"
     " sum(flags & 2 != 0) AS mixture FROM profile GROUP BY index_name, kind"
     " ORDER BY index_name, kind"},
    {"indexes", "stat", "SELECT name FROM db_index ORDER BY rowid"},
    {"legal-bases", "stat", "SELECT code FROM legal_basis ORDER BY rowid"},
    {"purposes", "stat", "SELECT code FROM purpose ORDER BY rowid"},
    {"policy", "policy-show",
     "SELECT p.code AS purpose, CASE p.needs_authorization WHEN 1 THEN 'required' ELSE '-' END"
     " AS authorization, r.operation AS operation, group_concat(r.index_name, ',') AS indexes"
     " FROM purpose p LEFT JOIN (SELECT * FROM policy ORDER BY index_name) r"
     " ON r.purpose = p.code GROUP BY p.code, r.operation ORDER BY p.code, r.operation"},
    {"rules", "rules-show",
     "SELECT name AS 'index', CASE single_source WHEN 1 THEN 'yes' ELSE 'no' END AS single,"
     " min_autosomal_loci AS min_loci, min_y_loci,"
     " CASE y_multicopy WHEN 1 THEN 'allowed' ELSE 'refused' END AS y_multicopy, description"
     " FROM db_index ORDER BY rowid"},
    {"retention", "retention-report",
     "SELECT code AS basis, retention AS rule FROM legal_basis ORDER BY code"},
};

/* Rows of one prepared statement (?1 bound to bind) to fn under section. */
static int each_row(sqlite3_stmt *st, const char *section, sdb_row_fn fn, void *arg)
{
    int n = sqlite3_column_count(st), step, rc = SDB_OK;
    const char *names[32], *values[32];
    if (n > 32) n = 32;
    for (int i = 0; i < n; i++)
        names[i] = sqlite3_column_name(st, i);
    while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW) {
        for (int i = 0; i < n; i++)
            values[i] = (const char *)sqlite3_column_text(st, i);
        rc = fn(arg, section, n, names, values);
    }
    if (!rc && step != SQLITE_DONE) rc = SDB_ESTORE;
    return rc;
}

static int run_listing(sdb_db *db, const char *sql, const char *bind, const char *section,
                       sdb_row_fn fn, void *arg, sdb_diag *d)
{
    sqlite3_stmt *st;
    if (sdb_store_prepare(db, sql, &st, d)) return SDB_ESTORE;
    if (bind) sqlite3_bind_text(st, 1, bind, -1, SQLITE_STATIC);
    int rc = each_row(st, section, fn, arg);
    sqlite3_finalize(st);
    return rc;
}

/* "loci": how many profiles type each locus, by decoding every genotype. */
static int locus_coverage(sdb_db *db, sdb_row_fn fn, void *arg)
{
    const sdb_catalog *cat = sdb_db_catalog(db);
    int n = sdb_catalog_count(cat);
    long *count = calloc((size_t)n, sizeof *count);
    int *position = malloc(65536 * sizeof *position); /* catalog position by locus id */
    sdb_iter *it = NULL;
    int rc = count && position ? sdb_iter_open(&it, db, NULL, NULL) : SDB_ENOMEM;
    for (int k = 0; !rc && k < n; k++)
        position[sdb_catalog_at(cat, k)->id] = k;
    sdb_profile p;
    sdb_profile_init(&p);
    while (!rc && (rc = sdb_iter_next(it, &p, NULL)) == SDB_OK)
        for (int i = 0; i < p.n_calls; i++)
            count[position[p.calls[i].locus]]++;
    sdb_iter_close(it);
    sdb_profile_free(&p);
    if (rc == SDB_END) rc = SDB_OK;
    static const char *const names[] = {"locus", "type", "profiles"};
    for (int k = 0; !rc && k < n; k++) {
        if (!count[k]) continue;
        char num[32];
        snprintf(num, sizeof num, "%ld", count[k]);
        const char *values[] = {sdb_catalog_at(cat, k)->name,
                                sdb_locus_type_name(sdb_catalog_at(cat, k)->type), num};
        rc = fn(arg, "loci", 3, names, values);
    }
    free(count);
    free(position);
    return rc;
}

int sdb_session_list(sdb_session *s, const char *listing, sdb_row_fn fn, void *arg, sdb_diag *d)
{
    const char *action = !strcmp(listing, "loci") ? "stat" : NULL, *sql = NULL;
    for (size_t i = 0; !action && i < sizeof listings / sizeof *listings; i++)
        if (!strcmp(listings[i].name, listing)) action = listings[i].action, sql = listings[i].sql;
    if (!action) {
        sdb_diag_set(d, NULL, 0, "listing", "unknown listing '%s'", listing);
        return SDB_EINVAL;
    }
    int rc = sdb_gov_role(s, action, listing, d);
    if (rc) return rc;
    return sql ? run_listing(s->db, sql, NULL, listing, fn, arg, d) : locus_coverage(s->db, fn, arg);
}

/* ---- the audit chain ------------------------------------------------------------------- */

int sdb_session_audit_foreach(sdb_session *s, int (*fn)(void *arg, const sdb_audit_record *r),
                              void *arg, sdb_diag *d)
{
    int rc = sdb_gov_role(s, "audit-read", "log", d);
    return rc ? rc : sdb_audit_foreach(s->db, fn, arg);
}

int sdb_session_audit_verify(sdb_session *s, const char *public_path,
                             const sdb_checkpoint *extra, int n_extra, long long *n_records,
                             long long *n_checkpoints, long long *unsigned_tail,
                             char head[SDB_HASH_HEX], long long *bad_seq, sdb_diag *d)
{
    char h[SDB_HASH_HEX];
    int rc = sdb_gov_role(s, "audit-read", "verify", d);
    if (rc) return rc;
    *n_checkpoints = *unsigned_tail = 0;
    if (public_path)
        rc = sdb_audit_verify_signed(s->db, public_path, extra, n_extra, n_records, n_checkpoints,
                                     unsigned_tail, bad_seq, d);
    if (!rc) rc = sdb_audit_verify(s->db, n_records, head ? head : h, bad_seq, d);
    return rc;
}

int sdb_session_audit_checkpoint(sdb_session *s, const char *secret_path, sdb_checkpoint *out,
                                 sdb_diag *d)
{
    int rc = sdb_gov_role(s, "audit-checkpoint", "checkpoint", d);
    return rc ? rc : sdb_audit_checkpoint(s->db, &s->ctx, secret_path, out, d);
}

/* ---- subject reports --------------------------------------------------------------------- */

/* Rows and records held until the report's record is written. */
typedef struct held {
    char *section;
    int n;
    char **names, **values;
    sdb_audit_record rec;
    int is_record;
} held;

typedef struct held_list {
    held *v;
    long n, cap;
} held_list;

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

static held *hold_next(held_list *l)
{
    if (l->n == l->cap) {
        held *t = realloc(l->v, (size_t)(l->cap = l->cap ? 2 * l->cap : 16) * sizeof *t);
        if (!t) return NULL;
        l->v = t;
    }
    held *h = &l->v[l->n++];
    memset(h, 0, sizeof *h);
    return h;
}

static int hold_row(void *arg, const char *section, int n, const char *const *names,
                    const char *const *values)
{
    held *h = hold_next(arg);
    if (!h) return SDB_ENOMEM;
    h->section = strdup(section);
    h->n = n;
    h->names = calloc((size_t)n + 1, sizeof *h->names);
    h->values = calloc((size_t)n + 1, sizeof *h->values);
    if (!h->section || !h->names || !h->values) return SDB_ENOMEM;
    for (int i = 0; i < n; i++) {
        h->names[i] = strdup(names[i]);
        h->values[i] = dup_or_null(values[i]);
    }
    return SDB_OK;
}

static int hold_record(void *arg, const sdb_audit_record *r)
{
    held *h = hold_next(arg);
    if (!h) return SDB_ENOMEM;
    h->is_record = 1;
    h->rec = *r;
    const char **f[] = {&h->rec.at,      &h->rec.actor,   &h->rec.action,   &h->rec.purpose,
                        &h->rec.case_ref, &h->rec.params_digest, &h->rec.outcome,
                        &h->rec.prev_hash, &h->rec.hash, &h->rec.state};
    for (size_t i = 0; i < sizeof f / sizeof *f; i++)
        *f[i] = dup_or_null(*f[i]);
    return SDB_OK;
}

static void held_free(held_list *l)
{
    for (long i = 0; i < l->n; i++) {
        held *h = &l->v[i];
        for (int k = 0; k < h->n; k++) {
            free(h->names[k]);
            free(h->values[k]);
        }
        free(h->names);
        free(h->values);
        free(h->section);
        const char *f[] = {h->rec.at,      h->rec.actor,         h->rec.action,
                           h->rec.purpose, h->rec.case_ref,      h->rec.params_digest,
                           h->rec.outcome, h->rec.prev_hash,     h->rec.hash,
                           h->rec.state};
        for (size_t k = 0; h->is_record && k < sizeof f / sizeof *f; k++)
            free((char *)f[k]);
    }
    free(l->v);
}

static const char *const subject_sql[][2] = {
    {"stored", "SELECT p.index_name AS 'index', p.kind, p.basis, b.retention AS retention_rule,"
               " p.retain_until, p.n_loci AS loci, p.flags, ib.file AS import_file,"
               " ib.started_at AS imported_at, ib.actor AS imported_by, p.source_line"
               " FROM profile p JOIN legal_basis b ON b.code = p.basis"
               " JOIN import_batch ib ON ib.id = p.batch_id WHERE p.sample_id = ?1"},
    {"consent", "SELECT scope, given_at, withdrawn_at FROM consent WHERE sample_id = ?1"},
    {"expunged", "SELECT at, actor, index_name AS 'index', reason, authorization"
                 " FROM expunction WHERE sample_key = ?1"},
};

int sdb_session_subject(sdb_session *s, const char *sample_id, sdb_row_fn rows,
                        int (*records)(void *arg, const sdb_audit_record *r), void *arg,
                        sdb_diag *d)
{
    char params[512], key[SDB_HASH_HEX];
    snprintf(params, sizeof params, "sample_id=%s", sample_id);
    int rc = sdb_gov_role(s, "subject-report", params, d);
    if (rc) return rc;
    held_list l = {0};
    int st = sdb_sample_key(s->db, sample_id, key);
    for (int i = 0; !st && i < 3; i++)
        st = run_listing(s->db, subject_sql[i][1], i == 2 ? key : sample_id, subject_sql[i][0],
                         hold_row, &l, d);
    if (!st) st = sdb_audit_touching(s->db, sample_id, hold_record, &l);
    rc = sdb_gov_audit(s, "subject-report", params, 1, &sample_id, 1, st ? "failed" : "ok", d);
    for (long i = 0; !rc && !st && i < l.n; i++) {
        const held *h = &l.v[i];
        st = h->is_record ? records(arg, &h->rec)
                          : rows(arg, h->section, h->n, (const char *const *)h->names,
                                 (const char *const *)h->values);
    }
    held_free(&l);
    return rc ? rc : st;
}

/* ---- policy, rules, users ------------------------------------------------------------------ */

int sdb_session_policy_set(sdb_session *s, const char *purpose, const char *operation,
                           const char *index, int allow, sdb_diag *d)
{
    int rc = sdb_gov_role(s, "policy-set", purpose, d);
    return rc ? rc : sdb_policy_set(s->db, &s->ctx, purpose, operation, index, allow, d);
}

int sdb_session_policy_set_authorization(sdb_session *s, const char *purpose, int needs,
                                         sdb_diag *d)
{
    int rc = sdb_gov_role(s, "policy-set", purpose, d);
    return rc ? rc : sdb_policy_set_authorization(s->db, &s->ctx, purpose, needs, d);
}

int sdb_session_index_rule(sdb_session *s, const char *index, sdb_index_rule *out, sdb_diag *d)
{
    int rc = sdb_gov_role(s, "rules-show", index, d);
    if (!rc && (rc = sdb_db_index_rule(s->db, index, out)) == SDB_ENOTFOUND) {
        sdb_diag_set(d, NULL, 0, "--index", "unknown index '%s'", index);
        sdb_gov_list_indexes(s->db, d);
    }
    return rc;
}

int sdb_session_set_index_rule(sdb_session *s, const sdb_index_rule *rule, sdb_diag *d)
{
    int rc = sdb_gov_role(s, "rules-set", rule->name, d);
    return rc ? rc : sdb_db_set_index_rule(s->db, &s->ctx, rule);
}

/* In open mode the first user (an admin) is added by the owner of the file. */
static int first_user_check(sdb_session *s, sdb_diag *d)
{
    struct stat sb;
    if (s->controlled) return SDB_OK;
    if (!stat(s->path, &sb) && sb.st_uid == getuid()) return SDB_OK;
    sdb_diag_set(d, NULL, 0, NULL, "refused: the first user of an open database is added by the "
                                   "owner of the database file");
    return sdb_gov_refuse(s, "user-admin", "first-user", SDB_EROLE, d);
}

int sdb_session_user_add(sdb_session *s, const char *name, const char *role,
                         char token[SDB_HASH_HEX], sdb_diag *d)
{
    int rc = sdb_gov_role(s, "user-admin", name, d);
    if (!rc) rc = first_user_check(s, d);
    return rc ? rc : sdb_user_add(s->db, &s->ctx, name, role, token, d);
}

int sdb_session_user_rotate(sdb_session *s, const char *name, char token[SDB_HASH_HEX],
                            sdb_diag *d)
{
    int rc = sdb_gov_role(s, "user-admin", name, d);
    if (!rc) rc = first_user_check(s, d);
    return rc ? rc : sdb_user_rotate(s->db, &s->ctx, name, token, d);
}

int sdb_session_user_disable(sdb_session *s, const char *name, sdb_diag *d)
{
    int rc = sdb_gov_role(s, "user-admin", name, d);
    if (!rc) rc = first_user_check(s, d);
    return rc ? rc : sdb_user_disable(s->db, &s->ctx, name, d);
}

int sdb_session_user_foreach(sdb_session *s,
                             int (*fn)(void *arg, const char *name, const char *role,
                                       const char *created, int disabled),
                             void *arg, sdb_diag *d)
{
    int rc = sdb_gov_role(s, "user-admin", "list", d);
    return rc ? rc : sdb_user_foreach(s->db, fn, arg);
}

/* ---- retention, consent, expunction ----------------------------------------------------------- */

int sdb_session_retention_due(sdb_session *s, const char *as_of,
                              int (*fn)(void *arg, const sdb_due *due), void *arg, sdb_diag *d)
{
    int rc = sdb_gov_role(s, "retention-report", as_of ? as_of : "today", d);
    return rc ? rc : sdb_retention_due(s->db, as_of, fn, arg, d);
}

int sdb_session_retention_run(sdb_session *s, const char *as_of, int dry_run, long *n,
                              sdb_diag *d)
{
    int rc = sdb_gov_role(s, "retention-run", as_of ? as_of : "today", d);
    return rc ? rc : sdb_retention_run(s->db, &s->ctx, as_of, dry_run, n, d);
}

int sdb_session_retention_set(sdb_session *s, const char *basis, const char *rule, sdb_diag *d)
{
    int rc = sdb_gov_role(s, "retention-set", basis, d);
    return rc ? rc : sdb_retention_set(s->db, &s->ctx, basis, rule, d);
}

int sdb_session_case_close(sdb_session *s, const char *case_ref, const char *at, sdb_diag *d)
{
    int rc = sdb_gov_role(s, "retention-run", case_ref, d);
    return rc ? rc : sdb_case_close(s->db, &s->ctx, case_ref, at, d);
}

int sdb_session_consent_give(sdb_session *s, const char *sample_id, const char *scope,
                             const char *at, sdb_diag *d)
{
    int rc = sdb_gov_role(s, "consent", "give", d);
    return rc ? rc : sdb_consent_give(s->db, &s->ctx, sample_id, scope, at, d);
}

int sdb_session_consent_withdraw(sdb_session *s, const char *sample_id, const char *at,
                                 sdb_diag *d)
{
    int rc = sdb_gov_role(s, "consent", "withdraw", d);
    return rc ? rc : sdb_consent_withdraw(s->db, &s->ctx, sample_id, at, d);
}

int sdb_session_expunge(sdb_session *s, const char *sample_id, const char *reason, sdb_diag *d)
{
    int rc = sdb_gov_role(s, "expunge", "expunge", d);
    return rc ? rc
              : sdb_expunge(s->db, &s->ctx, sample_id, reason, s->ctx.authorization, d);
}

int sdb_session_truncate_wal(sdb_session *s, sdb_diag *d)
{
    int rc = sdb_gov_role(s, "expunge", "truncate-wal", d);
    return rc ? rc : sdb_db_truncate_wal(s->db, d);
}
