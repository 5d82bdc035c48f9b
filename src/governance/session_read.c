/* Session operations that read profiles: show, export, import, frequencies
 * (include/strdb/session.h). Each passes sdb_gov_gate, reads into memory (or,
 * for an export, counts in the read transaction it then streams from),
 * appends its one audit record with sdb_gov_audit, and only then hands
 * anything to the caller. */
#include <stdlib.h>
#include <string.h>

#include "governance_internal.h"
#include "store/store_internal.h"

void sdb_gov_list_indexes(sdb_db *db, sdb_diag *d)
{
    sdb_gov_list_names(db, "SELECT name FROM db_index ORDER BY rowid", d);
}

void sdb_gov_list_names(sdb_db *db, const char *sql, sdb_diag *d)
{
    sqlite3_stmt *st;
    if (!d || sdb_store_prepare(db, sql, &st, NULL)) return;
    size_t n = strlen(d->reason);
    int first = 1;
    while (sqlite3_step(st) == SQLITE_ROW && n + 40 < sizeof d->reason) {
        int w = snprintf(d->reason + n, sizeof d->reason - n, "%s%s", first ? " (one of: " : ", ",
                         (const char *)sqlite3_column_text(st, 0));
        if (w > 0) n += (size_t)w < sizeof d->reason - n ? (size_t)w : 0;
        first = 0;
    }
    sqlite3_finalize(st);
    if (!first && n + 2 < sizeof d->reason) snprintf(d->reason + n, sizeof d->reason - n, ")");
}

int sdb_session_import(sdb_session *s, const char *path, const sdb_import_opts *o,
                       sdb_import_stats *stats, sdb_diag *d)
{
    char params[1280];
    snprintf(params, sizeof params, "file=%s\nindex=%s", path, o->index ? o->index : "");
    int rc = sdb_gov_role(s, "import", params, d);
    return rc ? rc : sdb_db_import(s->db, &s->ctx, path, o, stats, d);
}

/* ---- show ----------------------------------------------------------------------- */

/* The index of sample (metadata only, read before the policy allows the
 * profile itself): "" if there is no such sample. */
static int sample_index(sdb_db *db, const char *sample, char *index, size_t size, sdb_diag *d)
{
    sqlite3_stmt *st;
    if (sdb_store_prepare(db, "SELECT index_name FROM profile WHERE sample_id = ?", &st, d))
        return SDB_ESTORE;
    sqlite3_bind_text(st, 1, sample, -1, SQLITE_STATIC);
    int step = sqlite3_step(st);
    index[0] = '\0';
    if (step == SQLITE_ROW) snprintf(index, size, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    return step == SQLITE_ROW || step == SQLITE_DONE ? SDB_OK : SDB_ESTORE;
}

/* A profile's metadata with its own copies of the strings. */
typedef struct held_meta {
    sdb_stored m;
    char index[64], basis[64], retain[32], file[1024], at[32];
} held_meta;

static void hold_meta(held_meta *h, const sdb_stored *m)
{
    h->m = *m;
    sdb_gov_copy(h->index, sizeof h->index, m->index);
    sdb_gov_copy(h->basis, sizeof h->basis, m->basis);
    sdb_gov_copy(h->retain, sizeof h->retain, m->retain_until);
    sdb_gov_copy(h->file, sizeof h->file, m->source_file);
    sdb_gov_copy(h->at, sizeof h->at, m->imported_at);
    h->m.index = h->index;
    h->m.basis = h->basis;
    h->m.retain_until = m->retain_until ? h->retain : NULL;
    h->m.source_file = h->file;
    h->m.imported_at = h->at;
}

static const char not_shown[] = "no profile that purpose '%s' may show with this sample id";

int sdb_session_show(sdb_session *s, const char *sample_id, sdb_profile_fn fn, void *arg,
                     sdb_diag *d)
{
    char params[512], index[128], allowed[1024];
    snprintf(params, sizeof params, "sample_id=%s", sample_id);
    int rc = sdb_gov_gate(s, "show", NULL, NULL, params, NULL, 0, d); /* role, purpose binding */
    if (!rc) rc = sample_index(s->db, sample_id, index, sizeof index, d);
    if (rc) return rc;
    /* an unknown sample still needs a purpose that may show something */
    rc = sdb_gov_gate(s, "show", "show", index[0] ? index : NULL, params, allowed, sizeof allowed,
                      d);
    if (rc == SDB_EPOLICY && index[0] && s->ctx.purpose &&
        sdb_policy_indexes(s->db, &s->ctx, "show", NULL, allowed, sizeof allowed, NULL) == 0) {
        /* the purpose may show other indexes: do not confirm where (or that) the sample is
         * stored; the audit record keeps the rule */
        sdb_diag_set(d, NULL, 0, NULL, not_shown, s->ctx.purpose);
        return SDB_ENOTFOUND;
    }
    if (rc) return rc;
    sdb_profile p;
    held_meta h;
    sdb_stored m;
    sdb_iter *it = NULL;
    sdb_profile_init(&p);
    int st = sdb_iter_open(&it, s->db, NULL, sample_id);
    if (!st) st = sdb_iter_next(it, &p, &m);
    if (st == SDB_OK) hold_meta(&h, &m);
    sdb_iter_close(it);
    int found = st == SDB_OK;
    rc = sdb_gov_audit(s, "show", params, found, &sample_id, found, found ? "ok" : "not found", d);
    if (!rc && st == SDB_END) {
        sdb_diag_set(d, NULL, 0, NULL, not_shown, s->ctx.purpose);
        rc = SDB_ENOTFOUND;
    } else if (!rc && st) {
        rc = st;
    } else if (!rc) {
        rc = fn(arg, &p, &h.m);
    }
    sdb_profile_free(&p);
    return rc;
}

/* ---- export --------------------------------------------------------------------- */

static int count_profiles(sdb_db *db, const char *indexes, long *n)
{
    sqlite3_stmt *st;
    if (sdb_store_prepare(db, "SELECT count(*) FROM profile WHERE " STORE_INDEX_IN("index_name"), &st,
                      NULL))
        return SDB_ESTORE;
    sqlite3_bind_text(st, 1, indexes, -1, SQLITE_STATIC);
    int step = sqlite3_step(st);
    if (step == SQLITE_ROW) *n = (long)sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return step == SQLITE_ROW ? SDB_OK : SDB_ESTORE;
}

/* Streams the profiles of allowed from a read transaction of its own: the
 * count is taken in it, the record is written on the session's connection
 * (the reader's snapshot does not see it), then the same snapshot is read. */
static int stream_profiles(sdb_session *s, const char *action, const char *params,
                           const char *allowed, int passes, sdb_profile_fn fn, void *arg, long *n,
                           sdb_diag *d)
{
    sdb_db *r;
    int rc = sdb_db_open(&r, s->path, 1, d);
    if (rc) return rc;
    *n = 0;
    rc = sdb_store_exec(r, "BEGIN", d);
    if (!rc) rc = count_profiles(r, allowed, n);
    if (!rc) rc = sdb_gov_audit(s, action, params, *n, NULL, 0, "ok", d);
    sdb_profile p;
    sdb_stored m;
    sdb_profile_init(&p);
    for (int pass = 0; !rc && pass < passes; pass++) {
        sdb_iter *it = NULL;
        if (pass) rc = fn(arg, NULL, NULL);
        if (!rc) rc = sdb_iter_open(&it, r, allowed, NULL);
        while (!rc && (rc = sdb_iter_next(it, &p, &m)) == SDB_OK)
            rc = fn(arg, &p, &m);
        sdb_iter_close(it);
        if (rc == SDB_END) rc = SDB_OK;
    }
    sdb_profile_free(&p);
    (void)sdb_store_exec(r, "COMMIT", NULL);
    sdb_db_close(r);
    return rc;
}

int sdb_session_export(sdb_session *s, const char *index, int passes, sdb_profile_fn fn,
                       void *arg, long *n, sdb_diag *d)
{
    char params[512], allowed[1024];
    snprintf(params, sizeof params, "index=%s", index ? index : "*");
    *n = 0;
    int rc = sdb_gov_gate(s, "export", "export", index, params, allowed, sizeof allowed, d);
    return rc ? rc : stream_profiles(s, "export", params, allowed, passes, fn, arg, n, d);
}

/* ---- frequencies ------------------------------------------------------------------ */

int sdb_session_freq(sdb_session *s, const char *index, int by_population, const char *name,
                     sdb_freq **out, long *n, sdb_diag *d)
{
    char params[512], allowed[1024];
    snprintf(params, sizeof params, "index=%s\nby_population=%d", index ? index : "*",
             by_population);
    *out = NULL;
    *n = 0;
    int rc = sdb_gov_gate(s, "freq", "freq", index, params, allowed, sizeof allowed, d);
    if (rc) return rc;
    sdb_freq *f = NULL;
    sdb_iter *it = NULL;
    sdb_profile p;
    sdb_profile_init(&p);
    int st = sdb_freq_count_new(&f);
    if (!st) st = sdb_iter_open(&it, s->db, allowed, NULL);
    while (!st && (st = sdb_iter_next(it, &p, NULL)) == SDB_OK) {
        if (p.kind != SDB_KIND_AUTOSOMAL || (p.flags & SDB_PF_MIXTURE)) continue;
        const char *pop = by_population && p.population && p.population[0] ? p.population : name;
        st = sdb_freq_count_add(f, pop, sdb_db_catalog(s->db), &p);
        (*n)++;
    }
    sdb_iter_close(it);
    sdb_profile_free(&p);
    if (st == SDB_END) st = SDB_OK;
    if (!st) sdb_freq_count_finish(f);
    rc = sdb_gov_audit(s, "freq", params, st ? 0 : *n, NULL, 0, st ? "failed" : "ok", d);
    if (rc || st) {
        sdb_freq_free(f);
        return rc ? rc : st;
    }
    *out = f;
    return SDB_OK;
}

/* Every Y haplotype of allowed, in memory. */
static int load_haplotypes(sdb_db *db, const char *allowed, sdb_profile **refs, long *n)
{
    sdb_iter *it;
    long cap = 1024;
    *n = 0;
    *refs = malloc((size_t)cap * sizeof **refs);
    if (!*refs) return SDB_ENOMEM;
    int rc = sdb_iter_open(&it, db, allowed, NULL);
    while (!rc) {
        if (*n == cap) {
            sdb_profile *t = realloc(*refs, (size_t)(cap *= 2) * sizeof *t);
            if (!t) {
                rc = SDB_ENOMEM;
                break;
            }
            *refs = t;
        }
        sdb_profile *p = &(*refs)[*n];
        sdb_profile_init(p);
        if ((rc = sdb_iter_next(it, p, NULL)) != SDB_OK)
            sdb_profile_free(p);
        else if (p->kind == SDB_KIND_Y)
            (*n)++;
        else
            sdb_profile_free(p);
    }
    sdb_iter_close(it);
    return rc == SDB_END ? SDB_OK : rc;
}

int sdb_session_yfreq(sdb_session *s, const char *index, const sdb_profile *q,
                      sdb_yfreq_result *r, sdb_diag *d)
{
    char params[512], allowed[1024];
    snprintf(params, sizeof params, "index=%s\nquery_loci=%d", index ? index : "*", q->n_calls);
    int rc = sdb_gov_gate(s, "yfreq", "yfreq", index, params, allowed, sizeof allowed, d);
    if (rc) return rc;
    sdb_profile *refs = NULL;
    long n = 0;
    int st = load_haplotypes(s->db, allowed, &refs, &n);
    const sdb_profile **ptrs = malloc((size_t)(n + 1) * sizeof *ptrs);
    for (long i = 0; ptrs && i < n; i++)
        ptrs[i] = &refs[i];
    if (!st) st = ptrs ? sdb_yfreq(q, ptrs, n, r) : SDB_ENOMEM;
    rc = sdb_gov_audit(s, "yfreq", params, st ? 0 : r->matches, NULL, 0, st ? "failed" : "ok", d);
    free(ptrs);
    for (long i = 0; i < n; i++)
        sdb_profile_free(&refs[i]);
    free(refs);
    return rc ? rc : st;
}
