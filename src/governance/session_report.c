/* The data of a case report (include/strdb/session.h, docs/reports.md):
 * an identity-search record, its stored query checked against the record,
 * and the record's hits that are still stored, with their profiles and
 * provenance. The report is itself an audited read. */
#include <stdlib.h>
#include <string.h>

#include "governance_internal.h"

void sdb_report_free(sdb_report *r)
{
    if (!r) return;
    sdb_profile_free(&r->query);
    for (long i = 0; i < r->n; i++) {
        free(r->candidates[i].sample_id);
        sdb_profile_free(&r->candidates[i].profile);
    }
    free(r->candidates);
    memset(r, 0, sizeof *r);
}

/* The value of key in the parameter text ("key=value" lines) into out. */
static int param(const char *params, const char *key, char *out, size_t size)
{
    size_t k = strlen(key);
    for (const char *p = params; p && *p;) {
        const char *e = strchr(p, '\n');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        if (n > k && !strncmp(p, key, k) && p[k] == '=') {
            snprintf(out, size, "%.*s", (int)(n - k - 1), p + k + 1);
            return 1;
        }
        p = e ? e + 1 : NULL;
    }
    out[0] = '\0';
    return 0;
}

static void copy(char *dst, size_t size, const char *src)
{
    snprintf(dst, size, "%s", src ? src : "");
}

/* The record and its query into r; SDB_OK, SDB_ENOTFOUND or SDB_EAUDIT. */
static int read_record(sdb_session *s, long long seq, sdb_report *r, sdb_diag *d)
{
    sqlite3_stmt *st;
    if (sdb_store_prepare(s->db,
                          "SELECT a.at, a.actor, a.action, a.purpose, a.case_ref, a.params_digest,"
                          " a.outcome, q.query, q.params FROM audit a JOIN search_query q"
                          " ON q.seq = a.seq WHERE a.seq = ?",
                          &st, d))
        return SDB_ESTORE;
    sqlite3_bind_int64(st, 1, seq);
    int step = sqlite3_step(st), rc = SDB_OK;
    if (step != SQLITE_ROW) {
        sqlite3_finalize(st);
        if (step != SQLITE_DONE) return SDB_ESTORE;
        sdb_diag_set(d, NULL, 0, "--search-record",
                     "record %lld is not an identity search with a stored query (searches are "
                     "kept for reports from schema 7 on)", seq);
        return SDB_ENOTFOUND;
    }
    const char *action = (const char *)sqlite3_column_text(st, 2);
    const char *outcome = (const char *)sqlite3_column_text(st, 6);
    const char *digest = (const char *)sqlite3_column_text(st, 5);
    r->seq = seq;
    copy(r->at, sizeof r->at, (const char *)sqlite3_column_text(st, 0));
    copy(r->actor, sizeof r->actor, (const char *)sqlite3_column_text(st, 1));
    copy(r->purpose, sizeof r->purpose, (const char *)sqlite3_column_text(st, 3));
    copy(r->case_ref, sizeof r->case_ref, (const char *)sqlite3_column_text(st, 4));
    copy(r->params, sizeof r->params, (const char *)sqlite3_column_text(st, 8));
    char check[SDB_HASH_HEX], qhash[SDB_HASH_HEX];
    sdb_sha256_hex(r->params, strlen(r->params), check);
    const void *blob = sqlite3_column_blob(st, 7);
    size_t blen = (size_t)sqlite3_column_bytes(st, 7);
    sdb_sha256_hex(blob, blen, qhash);
    param(r->params, "query_sha256", r->query_sha256, sizeof r->query_sha256);
    if (strcmp(action ? action : "", "search") || strcmp(outcome ? outcome : "", "ok")) {
        sdb_diag_set(d, NULL, 0, "--search-record", "record %lld is a '%s' (%s), not a search "
                     "that returned results", seq, action ? action : "", outcome ? outcome : "");
        rc = SDB_ENOTFOUND;
    } else if (strcmp(check, digest ? digest : "") || strcmp(qhash, r->query_sha256)) {
        sdb_diag_set(d, NULL, 0, "--search-record", "the stored query of record %lld does not "
                     "match the record's digest: it was changed outside strdb", seq);
        rc = SDB_EAUDIT;
    } else if (sdb_genotype_decode(&r->query, sdb_db_catalog(s->db), blob, blen)) {
        sdb_diag_set(d, NULL, 0, "--search-record", "the query of record %lld cannot be read", seq);
        rc = SDB_EFORMAT;
    }
    sqlite3_finalize(st);
    if (!rc) rc = sdb_profile_set_id(&r->query, "query", -1);
    return rc;
}

/* 1 when the record returned the sample (its keyed hash is recorded). */
static int was_returned(sdb_db *db, long long seq, const char *key)
{
    sqlite3_stmt *st;
    if (sdb_store_prepare(db, "SELECT 1 FROM audit_touch WHERE seq = ? AND sample_key = ?", &st,
                          NULL))
        return -1;
    sqlite3_bind_int64(st, 1, seq);
    sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
    int step = sqlite3_step(st);
    sqlite3_finalize(st);
    return step == SQLITE_ROW ? 1 : step == SQLITE_DONE ? 0 : -1;
}

/* The candidate's stored profile and provenance. */
static int fill_candidate(sdb_db *db, const char *sample, sdb_report_candidate *c)
{
    sdb_iter *it;
    sdb_stored m;
    int rc = sdb_iter_open(&it, db, NULL, sample);
    if (rc) return rc;
    rc = sdb_iter_next(it, &c->profile, &m);
    if (!rc) {
        copy(c->index, sizeof c->index, m.index);
        copy(c->basis, sizeof c->basis, m.basis);
        copy(c->retain_until, sizeof c->retain_until, m.retain_until);
        copy(c->source_file, sizeof c->source_file, m.source_file);
        copy(c->imported_at, sizeof c->imported_at, m.imported_at);
        c->source_line = m.source_line;
        c->batch_id = m.batch_id;
    }
    sdb_iter_close(it);
    return rc == SDB_END ? SDB_ENOTFOUND : rc;
}

static int audit_report(sdb_session *s, const char *params, sdb_report *r, int st, sdb_diag *d)
{
    char **ids = calloc((size_t)r->n + 1, sizeof *ids);
    if (!ids) return SDB_ENOMEM;
    for (long i = 0; i < r->n; i++)
        ids[i] = r->candidates[i].sample_id;
    int rc = sdb_gov_audit(s, "report", params, st ? 0 : r->n, (const char *const *)ids,
                           st ? 0 : r->n, st ? "failed" : "ok", d);
    free(ids);
    if (rc) return rc;
    r->report_seq = s->last_seq;
    sqlite3_stmt *q;
    if (sdb_store_prepare(s->db, "SELECT hash FROM audit WHERE seq = ?", &q, d)) return SDB_ESTORE;
    sqlite3_bind_int64(q, 1, r->report_seq);
    if (sqlite3_step(q) == SQLITE_ROW) copy(r->head, sizeof r->head, (const char *)sqlite3_column_text(q, 0));
    sqlite3_finalize(q);
    return st;
}

int sdb_session_report(sdb_session *s, long long seq, const char *candidate, sdb_report *r,
                       sdb_diag *d)
{
    memset(r, 0, sizeof *r);
    sdb_profile_init(&r->query);
    char params[1400], allowed[1024], index[128], v[64];
    snprintf(params, sizeof params, "record=%lld\ncandidate=%s", seq, candidate ? candidate : "*");
    int rc = sdb_gov_role(s, "report", params, d);
    if (!rc) rc = read_record(s, seq, r, d);
    if (rc) {
        if (rc != SDB_EROLE) sdb_gov_refuse(s, "report", params, rc, d);
        sdb_report_free(r);
        return rc;
    }
    param(r->params, "index", index, sizeof index);
    const char *ix = strcmp(index, "*") && index[0] ? index : NULL;
    sdb_search_opts o;
    sdb_search_opts_init(&o);
    if (param(r->params, "stringency", v, sizeof v) && sdb_stringency_parse(v, &o.stringency))
        o.stringency = SDB_STRINGENCY_HIGH;
    if (param(r->params, "min_loci", v, sizeof v)) o.min_loci = atoi(v);
    if (param(r->params, "max_mismatch", v, sizeof v)) o.max_mismatch = atoi(v);
    r->stringency = o.stringency;
    r->min_loci = o.min_loci;
    r->max_mismatch = o.max_mismatch;
    /* the search again, under this session's purpose, over the record's index */
    const sdb_idx *x;
    rc = sdb_gov_gate(s, "report", "search", ix, params, allowed, sizeof allowed, d);
    if (!rc) rc = sdb_gov_index(s, allowed, SDB_KIND_AUTOSOMAL, &x, d);
    if (rc) {
        sdb_report_free(r);
        return rc;
    }
    sdb_hit *hits = NULL;
    long n = 0;
    int st = sdb_search(x, &r->query, &o, &hits, &n, d);
    unsigned char key[crypto_generichash_KEYBYTES];
    if (!st) st = sdb_gov_secret(s->db, key);
    if (!st && !(r->candidates = calloc((size_t)n + 1, sizeof *r->candidates))) st = SDB_ENOMEM;
    for (long i = 0; !st && i < n; i++) {
        const char *sample = sdb_idx_sample_id(x, hits[i].target);
        if (candidate && strcmp(candidate, sample)) continue;
        char h[SDB_HASH_HEX];
        sdb_gov_keyed_hex(key, sample, h);
        int was = was_returned(s->db, seq, h);
        if (was < 0) st = SDB_ESTORE;
        if (was <= 0) continue;
        sdb_report_candidate *c = &r->candidates[r->n];
        sdb_profile_init(&c->profile);
        c->hit = hits[i];
        if (!(c->sample_id = strdup(sample))) st = SDB_ENOMEM;
        r->n++;
        if (!st) st = fill_candidate(s->db, sample, c);
    }
    free(hits);
    if (!st && candidate && !r->n) {
        sdb_diag_set(d, NULL, 0, "--candidate", "'%s' is not a stored hit of record %lld",
                     candidate, seq);
        st = SDB_ENOTFOUND;
    }
    rc = audit_report(s, params, r, st, d);
    if (rc) sdb_report_free(r);
    return rc;
}
