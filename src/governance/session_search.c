/* Session operations that search: identity, batch, Y, familial, all pairs
 * (include/strdb/session.h). The index is the session's (built or loaded
 * for the indexes the purpose may read); the hits are copied out with their
 * sample ids, so nothing the caller holds points into the index. */
#include <stdlib.h>
#include <string.h>

#include "governance_internal.h"

void sdb_result_free(sdb_result *r)
{
    if (!r) return;
    for (long i = 0; i < r->n; i++) {
        if (r->sample_id) free(r->sample_id[i]);
        if (r->y_status) free(r->y_status[i]);
    }
    for (long i = 0; i < r->n_profiles; i++)
        sdb_profile_free(&r->profiles[i]);
    free(r->sample_id);
    free(r->y_status);
    free(r->profiles);
    free(r->hits);
    free(r->yhits);
    free(r->familial);
    memset(r, 0, sizeof *r);
}

/* Copies the sample ids (rows at stride bytes from hits, a long at offset
 * off) and the first with_profiles profiles of the hits into r. */
static int fill_result(sdb_result *r, const sdb_idx *x, const void *hits, long n, size_t stride,
                       size_t off, long with_profiles)
{
    r->searched = sdb_idx_count(x);
    r->n = n;
    r->sample_id = calloc((size_t)(n ? n : 1), sizeof *r->sample_id);
    if (!r->sample_id) return SDB_ENOMEM;
    long np = with_profiles < n ? with_profiles : n;
    if (np > 0 && !(r->profiles = calloc((size_t)np, sizeof *r->profiles))) return SDB_ENOMEM;
    for (long i = 0; i < n; i++) {
        long row;
        memcpy(&row, (const char *)hits + (size_t)i * stride + off, sizeof row);
        if (!(r->sample_id[i] = strdup(sdb_idx_sample_id(x, row)))) return SDB_ENOMEM;
        if (i >= np) continue;
        sdb_profile_init(&r->profiles[i]);
        r->n_profiles = i + 1;
        int rc = sdb_idx_profile(x, row, &r->profiles[i]);
        if (rc) return rc;
    }
    return SDB_OK;
}

/* Audits a search that ran (st its status) and returns what the caller
 * gets: nothing if the record failed or the search failed. */
static int finish_search_query(sdb_session *s, const char *action, const char *params, int st,
                               sdb_result *r, const void *query, size_t query_len, sdb_diag *d)
{
    long n = st ? 0 : r->n;
    int rc = sdb_gov_audit_query(s, action, params, n, (const char *const *)r->sample_id, n,
                                 st ? "failed" : "ok", st ? NULL : query, query_len, d);
    if (rc || st) sdb_result_free(r);
    if (!rc && !st) r->audit_seq = s->last_seq;
    return rc ? rc : st;
}

static int finish_search(sdb_session *s, const char *action, const char *params, int st,
                         sdb_result *r, sdb_diag *d)
{
    return finish_search_query(s, action, params, st, r, NULL, 0, d);
}

static void search_params(char *buf, size_t size, const char *index, const sdb_search_opts *o,
                          const char *batch)
{
    snprintf(buf, size, "index=%s\nstringency=%s\nmin_loci=%d\nmax_mismatch=%d\nbatch=%s",
             index ? index : "*", sdb_stringency_name(o->stringency), o->min_loci,
             o->max_mismatch, batch ? batch : "");
}

/* One identity search into r (no audit). */
static int run_search(const sdb_idx *x, const sdb_profile *q, const sdb_search_opts *o,
                      long with_profiles, sdb_result *r, sdb_diag *d)
{
    memset(r, 0, sizeof *r);
    long n = 0;
    int st = sdb_search(x, q, o, &r->hits, &n, d);
    if (!st) st = fill_result(r, x, r->hits, n, sizeof *r->hits, offsetof(sdb_hit, target),
                              with_profiles);
    return st;
}

int sdb_session_search(sdb_session *s, const char *index, const sdb_profile *q,
                       const sdb_search_opts *o, long with_profiles, sdb_result *r, sdb_diag *d)
{
    char params[900], allowed[1024], digest[SDB_HASH_HEX];
    unsigned char blob[8192];
    memset(r, 0, sizeof *r);
    /* the query is kept beside the record; its digest is in the record's parameters */
    long blen = sdb_genotype_encode(q, blob, sizeof blob);
    if (blen < 0) {
        sdb_diag_set(d, NULL, 0, "query", "the query cannot be encoded (too many alleles)");
        return SDB_EINVAL;
    }
    sdb_sha256_hex(blob, (size_t)blen, digest);
    search_params(params, sizeof params, index, o, NULL);
    size_t k = strlen(params);
    snprintf(params + k, sizeof params - k, "\nquery_sha256=%s", digest);
    const sdb_idx *x;
    int rc = sdb_gov_gate(s, "search", "search", index, params, allowed, sizeof allowed, d);
    if (!rc) rc = sdb_gov_index(s, allowed, SDB_KIND_AUTOSOMAL, &x, d);
    if (rc) return rc;
    int st = run_search(x, q, o, with_profiles, r, d);
    return finish_search_query(s, "search", params, st, r, blob, (size_t)blen, d);
}

/* A batch's queries and their results, kept until the record is written. */
typedef struct batch_query {
    char *id;
    int rc;
    sdb_diag d;
    sdb_result r;
} batch_query;

int sdb_session_search_batch(sdb_session *s, const char *index, const char *file,
                             const sdb_search_opts *o, sdb_batch_fn fn, void *arg,
                             long *n_queries, long *n_hits, sdb_diag *d)
{
    char params[1536], allowed[1024];
    search_params(params, sizeof params, index, o, file);
    *n_queries = *n_hits = 0;
    const sdb_idx *x;
    int rc = sdb_gov_gate(s, "search", "search", index, params, allowed, sizeof allowed, d);
    if (!rc) rc = sdb_gov_index(s, allowed, SDB_KIND_AUTOSOMAL, &x, d);
    if (rc) return rc;
    sdb_reader *rd;
    if ((rc = sdb_reader_open(&rd, file, sdb_catalog_default(), NULL, d))) return rc;
    batch_query *qs = NULL;
    long n = 0, cap = 0;
    sdb_profile q;
    sdb_profile_init(&q);
    for (;;) {
        if (n == cap) {
            batch_query *t = realloc(qs, (size_t)(cap = cap ? 2 * cap : 64) * sizeof *t);
            if (!t) {
                rc = SDB_ENOMEM;
                break;
            }
            qs = t;
        }
        batch_query *b = &qs[n];
        memset(b, 0, sizeof *b);
        b->rc = sdb_reader_next(rd, &q, &b->d);
        if (b->rc == SDB_END) break;
        n++;
        b->id = strdup(b->rc == SDB_OK && q.sample_id ? q.sample_id : "");
        if (b->rc == SDB_OK) b->rc = run_search(x, &q, o, 0, &b->r, &b->d);
        if (b->rc == SDB_OK) *n_hits += b->r.n;
    }
    sdb_profile_free(&q);
    sdb_reader_close(rd);
    *n_queries = n;
    /* batch hits are not recorded per sample (docs/governance.md) */
    int audit = sdb_gov_audit(s, "search-batch", params, *n_hits, NULL, 0, rc ? "failed" : "ok", d);
    for (long i = 0; i < n; i++) {
        if (!rc && !audit && fn) rc = fn(arg, qs[i].id, qs[i].rc, &qs[i].d, &qs[i].r);
        free(qs[i].id);
        sdb_result_free(&qs[i].r);
    }
    free(qs);
    return audit ? audit : rc;
}

int sdb_session_ysearch(sdb_session *s, const char *index, const sdb_profile *q,
                        const sdb_ysearch_opts *o, sdb_result *r, sdb_diag *d)
{
    char params[512], allowed[1024];
    snprintf(params, sizeof params, "index=%s\nmax_loci=%d\nmax_steps=%d", index ? index : "*",
             o->max_loci, o->max_steps);
    memset(r, 0, sizeof *r);
    const sdb_idx *x;
    int rc = sdb_gov_gate(s, "ysearch", "ysearch", index, params, allowed, sizeof allowed, d);
    if (!rc) rc = sdb_gov_index(s, allowed, SDB_KIND_Y, &x, d);
    if (rc) return rc;
    long n = 0;
    int st = sdb_ysearch(x, q, o, &r->yhits, &n, d);
    if (!st)
        st = fill_result(r, x, r->yhits, n, sizeof *r->yhits, offsetof(sdb_yhit, target), 0);
    return finish_search(s, "ysearch", params, st, r, d);
}

/* How candidate sample_id's Y haplotype (through his person record)
 * compares with qy. */
static char *y_status(sdb_db *db, const char *sample_id, const char *y_indexes,
                      const sdb_profile *qy, int y_max)
{
    char sex = 0, buf[256];
    sdb_profile y;
    sdb_profile_init(&y);
    int rc = sdb_person_y_profile(db, sample_id, y_indexes, &sex, &y);
    const char *out = buf;
    if (rc) {
        out = !sex ? "no person record" : sex == 'F' ? "female" : "untyped";
    } else {
        double post[41];
        sdb_meioses_result m;
        sdb_diag d;
        sdb_diag_clear(&d);
        if (sdb_meioses_posterior(sdb_catalog_default(), qy, &y, NULL, 40, post, &m, &d))
            out = "not comparable";
        else if (m.loci_compared == 0)
            out = "no Y locus in common";
        else
            snprintf(buf, sizeof buf, "%s (%s: %d of %d loci differ)",
                     m.loci_differing <= y_max ? "consistent" : "excluded", y.sample_id,
                     m.loci_differing, m.loci_compared);
    }
    char *copy = strdup(out);
    sdb_profile_free(&y);
    return copy;
}

int sdb_session_familial(sdb_session *s, const char *index, const sdb_profile *q,
                         const sdb_familial_opts *o, const sdb_profile *qy, int y_max,
                         long with_profiles, sdb_result *r, sdb_diag *d)
{
    int have_y = qy && qy->n_calls > 0;
    char params[768], allowed[1024], y_indexes[1024] = "";
    snprintf(params, sizeof params,
             "index=%s\nrels=%d\npops=%d\ntheta=%g\nmutation=%s:%g\ntop=%ld\nmin_loci=%d\ny=%d",
             index ? index : "*", o->n_rels, o->n_pops, o->theta, o->mutation.kind ? "on" : "none",
             o->mutation.rate, o->top, o->min_loci, have_y);
    memset(r, 0, sizeof *r);
    const sdb_idx *x;
    int rc = sdb_gov_gate(s, "search", "search", index, params, allowed, sizeof allowed, d);
    if (!rc && have_y)
        rc = sdb_gov_gate(s, "search", "ysearch", NULL, params, y_indexes, sizeof y_indexes, d);
    if (!rc) rc = sdb_gov_index(s, allowed, SDB_KIND_AUTOSOMAL, &x, d);
    if (rc) return rc;
    long n = 0;
    int st = sdb_familial(x, q, o, &r->familial, &n, &r->skipped, &r->query_loci, d);
    long skipped = r->skipped;
    int used = r->query_loci;
    if (!st)
        st = fill_result(r, x, r->familial, n, sizeof *r->familial,
                         offsetof(sdb_familial_hit, target), with_profiles);
    r->skipped = skipped;
    r->query_loci = used;
    if (!st && have_y && !(r->y_status = calloc((size_t)(n ? n : 1), sizeof *r->y_status)))
        st = SDB_ENOMEM;
    for (long i = 0; !st && have_y && i < n; i++)
        if (!(r->y_status[i] = y_status(s->db, r->sample_id[i], y_indexes, qy, y_max)))
            st = SDB_ENOMEM;
    return finish_search(s, "familial", params, st, r, d);
}

void sdb_pairs_ids_free(sdb_pairs_ids *r)
{
    if (!r) return;
    for (long i = 0; i < r->pairs.n_hits; i++) {
        if (r->id_a) free(r->id_a[i]);
        if (r->id_b) free(r->id_b[i]);
    }
    free(r->id_a);
    free(r->id_b);
    sdb_pairs_free(&r->pairs);
    memset(r, 0, sizeof *r);
}

int sdb_session_pairs(sdb_session *s, const char *index, int hit_m, int threads,
                      sdb_pairs_ids *r, sdb_diag *d)
{
    char params[512], allowed[1024];
    snprintf(params, sizeof params, "index=%s\nhit=%d", index ? index : "*", hit_m);
    memset(r, 0, sizeof *r);
    const sdb_idx *x;
    int rc = sdb_gov_gate(s, "pairs", "pairs", index, params, allowed, sizeof allowed, d);
    if (!rc) rc = sdb_gov_index(s, allowed, SDB_KIND_AUTOSOMAL, &x, d);
    if (rc) return rc;
    int st = sdb_pairs(x, hit_m, threads, &r->pairs);
    int got = st == SDB_OK;
    long n = st ? 0 : r->pairs.n_hits;
    if (!st) {
        r->profiles = sdb_idx_count(x);
        r->id_a = calloc((size_t)(n ? n : 1), sizeof *r->id_a);
        r->id_b = calloc((size_t)(n ? n : 1), sizeof *r->id_b);
        if (!r->id_a || !r->id_b) st = SDB_ENOMEM;
        for (long i = 0; !st && i < n; i++) {
            r->id_a[i] = strdup(sdb_idx_sample_id(x, r->pairs.hit_a[i]));
            r->id_b[i] = strdup(sdb_idx_sample_id(x, r->pairs.hit_b[i]));
            if (!r->id_a[i] || !r->id_b[i]) st = SDB_ENOMEM;
        }
    }
    rc = sdb_gov_audit(s, "pairs", params, st ? 0 : (long)r->pairs.pairs, NULL, 0,
                       st ? "failed" : "ok", d);
    if (!got)
        memset(r, 0, sizeof *r);
    else if (rc || st)
        sdb_pairs_ids_free(r);
    return rc ? rc : st;
}
