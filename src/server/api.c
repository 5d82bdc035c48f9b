/* The endpoints of /api/v1 (docs/http-api.md, web/openapi.json). Each
 * handler opens the session with the request's token and purpose, runs one
 * session operation (which checks role and policy and writes the audit
 * record) and turns its result into JSON. */
#include <math.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "server.h"

/* ---- JSON of profiles ---- */

static json_t *alleles_json(const sdb_profile *p, const sdb_call *c)
{
    json_t *a = json_array();
    for (uint32_t i = 0; i < c->n; i++) {
        char buf[SDB_ALLELE_STRLEN];
        sdb_allele_format(p->alleles[c->first + i], buf);
        json_array_append_new(a, json_string(buf));
    }
    return a;
}

static json_t *profile_json(const sdb_catalog *cat, const sdb_profile *p)
{
    json_t *loci = json_object();
    for (int i = 0; i < (int)p->n_calls; i++) {
        const sdb_locus *l = sdb_catalog_by_id(cat, p->calls[i].locus);
        json_object_set_new(loci, l ? l->name : "?", alleles_json(p, &p->calls[i]));
    }
    return json_pack("{s:s,s:o}", "sample_id", p->sample_id ? p->sample_id : "", "loci", loci);
}

/* Per locus typed in either: query and candidate alleles and how they compare. */
static json_t *compare_json(const sdb_catalog *cat, const sdb_profile *q, const sdb_profile *t)
{
    json_t *arr = json_array();
    for (int side = 0; side < 2; side++) {
        const sdb_profile *a = side ? t : q, *b = side ? q : t;
        for (int i = 0; i < (int)a->n_calls; i++) {
            const sdb_call *ca = &a->calls[i], *cb = sdb_profile_call(b, ca->locus);
            if (side && cb) continue; /* listed from the query's side */
            const sdb_locus *l = sdb_catalog_by_id(cat, ca->locus);
            const char *status;
            if (!cb)
                status = side ? "candidate only" : "query only";
            else {
                int shared = 0;
                for (uint32_t x = 0; x < ca->n; x++)
                    for (uint32_t y = 0; y < cb->n; y++)
                        shared += a->alleles[ca->first + x] == b->alleles[cb->first + y];
                int same = ca->n == cb->n && shared == (int)ca->n;
                status = same ? "match" : shared ? "partial" : "mismatch";
            }
            const sdb_call *cq = side ? cb : ca, *ct = side ? ca : cb;
            json_array_append_new(arr, json_pack("{s:s,s:o,s:o,s:s}", "locus", l ? l->name : "?",
                                                 "query", cq ? alleles_json(q, cq) : json_null(),
                                                 "candidate", ct ? alleles_json(t, ct) : json_null(),
                                                 "status", status));
        }
    }
    return arr;
}

/* ---- body fields ---- */

static const char *field_str(req *r, const char *name)
{
    json_t *v = r->json ? json_object_get(r->json, name) : NULL;
    return json_is_string(v) ? json_string_value(v) : NULL;
}

/* An integer field within [lo, hi] (default when absent); -1 and an error answer when bad. */
static int field_int(req *r, const char *name, long lo, long hi, long def, long *out)
{
    json_t *v = r->json ? json_object_get(r->json, name) : NULL;
    if (!v) {
        *out = def;
        return 0;
    }
    if (!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) > hi)
        return srv_fail(r, 422, "invalid", name, "expected an integer %ld..%ld", lo, hi), -1;
    *out = (long)json_integer_value(v);
    return 0;
}

/* The body's "genotype" as a profile (named "query"). */
static int body_genotype(req *r, sdb_profile *q)
{
    const char *g = field_str(r, "genotype");
    if (!g) return srv_fail(r, 422, "invalid", "genotype", "a genotype is required (\"L=a/b;...\")"), -1;
    sdb_diag d;
    sdb_diag_clear(&d);
    int rc = sdb_genotype_parse(q, sdb_catalog_default(), g, &d);
    if (!rc) rc = sdb_profile_set_id(q, "query", -1);
    if (rc) {
        srv_fail(r, 422, "invalid", d.field[0] ? d.field : "genotype", "genotype: %s", d.reason);
        return -1;
    }
    return 0;
}

static int need_json(req *r)
{
    if (r->json) return 0;
    return srv_fail(r, 400, "malformed_json", NULL, "a JSON object body is required"), -1;
}

/* ---- endpoints ---- */

static int h_health(req *r)
{
    r->status = 200;
    r->out = json_pack("{s:s,s:s}", "status", "ok", "version", SDB_VERSION);
    return 1;
}

static int h_openapi(req *r)
{
    size_t len;
    const char *doc = srv_openapi(&len);
    r->status = 200;
    r->raw = malloc(len + 1);
    if (!r->raw) return srv_fail(r, 500, "memory", NULL, "out of memory"), 1;
    memcpy(r->raw, doc, len);
    r->raw_len = len;
    r->raw_type = "application/json";
    return 1;
}

typedef struct show_arg {
    json_t *out;
    const sdb_catalog *cat;
} show_arg;

static int show_one(void *arg, const sdb_profile *p, const sdb_stored *m)
{
    show_arg *a = arg;
    a->out = profile_json(a->cat, p);
    json_object_set_new(a->out, "index", json_string(m->index));
    json_object_set_new(a->out, "basis", json_string(m->basis));
    json_object_set_new(a->out, "retain_until",
                        m->retain_until ? json_string(m->retain_until) : json_null());
    json_object_set_new(a->out, "source_file", json_string(m->source_file ? m->source_file : ""));
    json_object_set_new(a->out, "source_line", json_integer(m->source_line));
    json_object_set_new(a->out, "batch", json_integer(m->batch_id));
    json_object_set_new(a->out, "imported_at", json_string(m->imported_at ? m->imported_at : ""));
    return 0;
}

static int h_profile(req *r, const char *sample)
{
    if (srv_session(r, "casework")) return 1;
    show_arg a = {NULL, sdb_session_catalog(r->s)};
    sdb_diag d;
    sdb_diag_clear(&d);
    int rc = sdb_session_show(r->s, sample, show_one, &a, &d);
    if (rc) {
        json_decref(a.out);
        return srv_fail_rc(r, rc, &d), 1;
    }
    r->status = 200;
    r->out = a.out;
    return 1;
}

static int h_search(req *r)
{
    if (need_json(r) || srv_session(r, "casework")) return 1;
    sdb_profile q;
    sdb_profile_init(&q);
    sdb_search_opts o;
    sdb_search_opts_init(&o);
    long min_loci, max_mm, limit, with;
    const char *st = field_str(r, "stringency"), *index = field_str(r, "index");
    if (!body_genotype(r, &q) && !field_int(r, "min_loci", 1, 100, 8, &min_loci) &&
        !field_int(r, "max_mismatch", 0, 100, 0, &max_mm) &&
        !field_int(r, "limit", 1, 10000, 50, &limit) &&
        !field_int(r, "with_profiles", 0, 200, 20, &with)) {
        if (st && sdb_stringency_parse(st, &o.stringency)) {
            srv_fail(r, 422, "invalid", "stringency", "expected high, moderate or low, got '%s'", st);
        } else {
            o.min_loci = (int)min_loci;
            o.max_mismatch = (int)max_mm;
            o.limit = limit;
            o.threads = 1;
            sdb_result res = {0};
            sdb_diag d;
            sdb_diag_clear(&d);
            int rc = sdb_session_search(r->s, index, &q, &o, with, &res, &d);
            if (rc)
                srv_fail_rc(r, rc, &d);
            else {
                const sdb_catalog *cat = sdb_session_catalog(r->s);
                json_t *hits = json_array();
                for (long i = 0; i < res.n; i++) {
                    json_t *h = json_pack("{s:s,s:i,s:i,s:i}", "sample_id", res.sample_id[i],
                                          "shared", res.hits[i].shared, "matching",
                                          res.hits[i].matching, "mismatching",
                                          res.hits[i].mismatching);
                    if (i < res.n_profiles)
                        json_object_set_new(h, "loci", compare_json(cat, &q, &res.profiles[i]));
                    json_array_append_new(hits, h);
                }
                r->status = 200;
                r->out = json_pack("{s:I,s:s,s:I,s:o,s:o}", "record", (json_int_t)res.audit_seq,
                                   "stringency", sdb_stringency_name(o.stringency), "searched",
                                   (json_int_t)res.searched, "query", profile_json(cat, &q),
                                   "hits", hits);
                sdb_result_free(&res);
            }
        }
    }
    sdb_profile_free(&q);
    return 1;
}

static int h_ysearch(req *r)
{
    if (need_json(r) || srv_session(r, "casework")) return 1;
    sdb_profile q;
    sdb_profile_init(&q);
    sdb_ysearch_opts o;
    sdb_ysearch_opts_init(&o);
    long max_loci, max_steps, limit;
    if (!body_genotype(r, &q) && !field_int(r, "max_loci", 0, 50, 0, &max_loci) &&
        !field_int(r, "max_steps", -1, 1000, -2, &max_steps) &&
        !field_int(r, "limit", 1, 10000, 50, &limit)) {
        o.max_loci = (int)max_loci;
        o.max_steps = max_steps == -2 ? (max_loci ? -1 : 0) : (int)max_steps;
        o.limit = limit;
        o.threads = 1;
        sdb_result res = {0};
        sdb_diag d;
        sdb_diag_clear(&d);
        int rc = sdb_session_ysearch(r->s, field_str(r, "index"), &q, &o, &res, &d);
        if (rc)
            srv_fail_rc(r, rc, &d);
        else {
            json_t *hits = json_array();
            for (long i = 0; i < res.n; i++)
                json_array_append_new(hits, json_pack("{s:s,s:i,s:i,s:i,s:i}", "sample_id",
                                                      res.sample_id[i], "compared",
                                                      res.yhits[i].compared, "differing",
                                                      res.yhits[i].differing, "steps",
                                                      res.yhits[i].steps, "missing",
                                                      res.yhits[i].missing));
            r->status = 200;
            r->out = json_pack("{s:I,s:o,s:o}", "searched", (json_int_t)res.searched, "query",
                               profile_json(sdb_session_catalog(r->s), &q), "hits", hits);
            sdb_result_free(&res);
        }
    }
    sdb_profile_free(&q);
    return 1;
}

typedef struct rows_arg {
    json_t *out; /* section -> array of row objects */
} rows_arg;

static int add_row(void *arg, const char *section, int n, const char *const *names,
                   const char *const *values)
{
    rows_arg *a = arg;
    json_t *arr = json_object_get(a->out, section ? section : "rows");
    if (!arr) {
        arr = json_array();
        json_object_set_new(a->out, section ? section : "rows", arr);
    }
    json_t *row = json_object();
    for (int i = 0; i < n; i++)
        json_object_set_new(row, names[i], values[i] ? json_string(values[i]) : json_null());
    json_array_append_new(arr, row);
    return 0;
}

static int h_stat(req *r)
{
    if (srv_session(r, "administration")) return 1;
    rows_arg a = {json_object()};
    sdb_diag d;
    sdb_diag_clear(&d);
    const char *lists[] = {"summary", "by-index", "indexes", "legal-bases", "purposes"};
    for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++) {
        json_t *one = json_object();
        rows_arg b = {one};
        int rc = sdb_session_list(r->s, lists[i], add_row, &b, &d);
        if (rc) {
            json_decref(one);
            json_decref(a.out);
            return srv_fail_rc(r, rc, &d), 1;
        }
        json_t *rows = json_object_get(one, lists[i]);
        if (!rows) rows = json_object_get(one, "rows");
        json_object_set(a.out, lists[i], rows ? rows : json_array());
        json_decref(one);
    }
    r->status = 200;
    r->out = a.out;
    return 1;
}

typedef struct audit_arg {
    json_t *arr;
    long long from;
    long limit, n;
} audit_arg;

static int audit_row(void *arg, const sdb_audit_record *x)
{
    audit_arg *a = arg;
    if (x->seq < a->from || a->n >= a->limit) return 0;
    a->n++;
    json_array_append_new(
        a->arr, json_pack("{s:I,s:s,s:s,s:s,s:o,s:o,s:I,s:s,s:s}", "seq", (json_int_t)x->seq, "at",
                          x->at, "actor", x->actor, "action", x->action, "purpose",
                          x->purpose ? json_string(x->purpose) : json_null(), "case_ref",
                          x->case_ref ? json_string(x->case_ref) : json_null(), "result_count",
                          (json_int_t)x->result_count, "outcome", x->outcome, "hash", x->hash));
    return 0;
}

static int h_audit(req *r)
{
    if (srv_session(r, "administration")) return 1;
    const char *from = srv_arg(r, "from"), *limit = srv_arg(r, "limit");
    audit_arg a = {json_array(), from ? atoll(from) : 1, limit ? atol(limit) : 200, 0};
    if (a.limit < 1 || a.limit > 10000) a.limit = 200;
    sdb_diag d;
    sdb_diag_clear(&d);
    int rc = sdb_session_audit_foreach(r->s, audit_row, &a, &d);
    if (rc) {
        json_decref(a.arr);
        return srv_fail_rc(r, rc, &d), 1;
    }
    r->status = 200;
    r->out = json_pack("{s:o}", "records", a.arr);
    return 1;
}

static int h_audit_verify(req *r)
{
    if (srv_session(r, "administration")) return 1;
    long long n = 0, ncp = 0, tail = 0, bad = 0;
    char head[SDB_HASH_HEX] = "";
    sdb_diag d;
    sdb_diag_clear(&d);
    int rc = sdb_session_audit_verify(r->s, NULL, NULL, 0, &n, &ncp, &tail, head, &bad, &d);
    if (rc && rc != SDB_EAUDIT) return srv_fail_rc(r, rc, &d), 1;
    r->status = 200;
    r->out = json_pack("{s:b,s:I,s:s,s:o,s:o}", "ok", rc == SDB_OK, "records", (json_int_t)n,
                       "head", head, "first_bad", bad ? json_integer(bad) : json_null(), "reason",
                       rc ? json_string(d.reason) : json_null());
    return 1;
}

static int user_row(void *arg, const char *name, const char *role, const char *created,
                    int disabled)
{
    json_array_append_new(arg, json_pack("{s:s,s:s,s:s,s:b}", "name", name, "role", role,
                                         "created", created, "disabled", disabled));
    return 0;
}

static int h_users(req *r)
{
    if (srv_session(r, "administration")) return 1;
    json_t *arr = json_array();
    sdb_diag d;
    sdb_diag_clear(&d);
    int rc = sdb_session_user_foreach(r->s, user_row, arr, &d);
    if (rc) {
        json_decref(arr);
        return srv_fail_rc(r, rc, &d), 1;
    }
    r->status = 200;
    r->out = json_pack("{s:o}", "users", arr);
    return 1;
}

static int h_expunge(req *r)
{
    if (need_json(r) || srv_session(r, "administration")) return 1;
    const char *sample = field_str(r, "sample_id"), *reason = field_str(r, "reason");
    if (!sample || !reason)
        return srv_fail(r, 422, "invalid", sample ? "reason" : "sample_id",
                        "sample_id and reason are required"), 1;
    sdb_diag d;
    sdb_diag_clear(&d);
    pthread_mutex_lock(&r->srv->writer);
    int rc = sdb_session_expunge(r->s, sample, reason, &d);
    pthread_mutex_unlock(&r->srv->writer);
    if (rc && rc != SDB_EBUSY) return srv_fail_rc(r, rc, &d), 1;
    r->status = 200;
    r->out = json_pack("{s:s,s:b}", "expunged", sample, "scrub_pending", rc == SDB_EBUSY);
    return 1;
}

typedef struct reject_list {
    json_t *arr;
} reject_list;

static void on_reject(void *arg, const sdb_diag *d)
{
    reject_list *l = arg;
    json_array_append_new(l->arr, json_pack("{s:I,s:o,s:s}", "line", (json_int_t)d->line, "field",
                                            d->field[0] ? json_string(d->field) : json_null(),
                                            "reason", d->reason));
}

/* POST /api/v1/import?index=I&basis=B[&format=F][&skip_invalid=1]: the body is
 * the file (GeneMapper export, CSV or JSON lines), imported in one
 * transaction as strdb import does. */
static int h_import(req *r)
{
    const char *index = srv_arg(r, "index"), *basis = srv_arg(r, "basis");
    const char *fmt = srv_arg(r, "format"), *skip = srv_arg(r, "skip_invalid");
    const char *name = srv_arg(r, "name");
    const char *ct = srv_header(r, "Content-Type");
    if (!ct || (strncasecmp(ct, "text/", 5) && strncasecmp(ct, "application/x-ndjson", 20) &&
                strncasecmp(ct, "application/octet-stream", 24)))
        return srv_fail(r, 415, "content_type", "Content-Type",
                        "an import body is text/csv, text/tab-separated-values, text/plain, "
                        "application/x-ndjson or application/octet-stream, got '%s'",
                        ct ? ct : "(none)"), 1;
    if (!r->body_len) return srv_fail(r, 422, "invalid", "body", "the file to import is empty"), 1;
    if (srv_session(r, "administration")) return 1;
    sdb_import_opts o;
    sdb_import_opts_init(&o);
    o.index = index;
    o.basis = basis;
    o.retain_until = srv_arg(r, "retain_until");
    o.skip_invalid = skip && !strcmp(skip, "1");
    reject_list rl = {json_array()};
    o.on_reject = on_reject;
    o.reject_arg = &rl;
    sdb_diag d;
    sdb_diag_clear(&d);
    if (fmt && sdb_format_parse(fmt, &o.read.format)) {
        json_decref(rl.arr);
        return srv_fail(r, 422, "invalid", "format", "unknown format '%s'", fmt), 1;
    }
    /* the body goes to a private temporary file: the importer reads a path */
    char path[] = "/tmp/strdb-upload-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0) {
        json_decref(rl.arr);
        return srv_fail(r, 500, "io", NULL, "cannot stage the upload"), 1;
    }
    ssize_t w = write(fd, r->body, r->body_len);
    close(fd);
    sdb_import_stats st;
    int rc = SDB_EIO;
    if (w == (ssize_t)r->body_len) {
        char shown[200];
        snprintf(shown, sizeof shown, "%s", name && name[0] ? name : "upload");
        pthread_mutex_lock(&r->srv->writer);
        rc = sdb_session_import(r->s, path, &o, &st, &d);
        pthread_mutex_unlock(&r->srv->writer);
        if (rc && d.file[0] && !strcmp(d.file, path)) snprintf(d.file, sizeof d.file, "%s", shown);
    }
    unlink(path);
    if (rc) {
        srv_fail_rc(r, rc, &d);
        json_object_set_new(json_object_get(r->out, "error"), "line",
                            d.line ? json_integer(d.line) : json_null());
        json_decref(rl.arr);
        return 1;
    }
    r->status = 200;
    r->out = json_pack("{s:I,s:I,s:I,s:I,s:o}", "records", (json_int_t)st.n_records, "imported",
                       (json_int_t)st.n_imported, "rejected", (json_int_t)st.n_rejected, "batch",
                       (json_int_t)st.batch_id, "rejects", rl.arr);
    return 1;
}

static int h_rmp(req *r)
{
    if (need_json(r)) return 1;
    if (!r->srv->freq)
        return srv_fail(r, 404, "not_found", NULL, "statistics need the server started with --freq"), 1;
    /* a statistic reads no stored data; the token is still required */
    if (srv_session(r, "casework")) return 1;
    sdb_profile q;
    sdb_profile_init(&q);
    double theta = 0;
    json_t *th = json_object_get(r->json, "theta");
    if (th && (!json_is_number(th) || json_number_value(th) < 0 || json_number_value(th) >= 1)) {
        sdb_profile_free(&q);
        return srv_fail(r, 422, "invalid", "theta", "expected a number 0 <= theta < 1"), 1;
    }
    if (th) theta = json_number_value(th);
    const char *popname = field_str(r, "population");
    const sdb_freq *f = r->srv->freq;
    int only = popname ? sdb_freq_find_population(f, popname) : -1;
    if (popname && only < 0) {
        sdb_profile_free(&q);
        return srv_fail(r, 422, "invalid", "population", "no population '%s' in %s", popname,
                        r->srv->freq_path), 1;
    }
    if (!body_genotype(r, &q)) {
        /* one population, or every one with the most conservative (largest) first */
        sdb_locus_stat *ls = calloc(q.n_calls + 1, sizeof *ls), *best = calloc(q.n_calls + 1, sizeof *best);
        json_t *by = json_array();
        int n = 0, n_best = 0, best_pop = -1, rc = ls && best ? SDB_OK : SDB_ENOMEM;
        double total = 0, worst = -1;
        sdb_diag d;
        sdb_diag_clear(&d);
        for (int pop = 0; !rc && pop < sdb_freq_n_populations(f); pop++) {
            if (only >= 0 && pop != only) continue;
            rc = sdb_rmp(f, pop, &q, theta, ls, &n, &total, &d);
            if (rc) break;
            json_array_append_new(by, json_pack("{s:s,s:f,s:f}", "population", sdb_freq_population(f, pop),
                                                "rmp", total, "one_in", total > 0 ? 1 / total : INFINITY));
            if (total > worst) {
                worst = total;
                best_pop = pop;
                n_best = n;
                memcpy(best, ls, (size_t)n * sizeof *ls);
            }
        }
        if (rc)
            srv_fail_rc(r, rc, &d);
        else {
            json_t *loci = json_array();
            const sdb_catalog *cat = sdb_catalog_default();
            for (int i = 0; i < n_best; i++) {
                const sdb_locus *l = sdb_catalog_by_id(cat, best[i].locus);
                json_array_append_new(loci, json_pack("{s:s,s:f,s:s?,s:s?}", "locus",
                                                      l ? l->name : "?", "value", best[i].value,
                                                      "formula", best[i].formula, "note",
                                                      best[i].note));
            }
            r->status = 200;
            r->out = json_pack("{s:f,s:f,s:s,s:f,s:o,s:o}", "rmp", worst, "one_in",
                               worst > 0 ? 1 / worst : INFINITY, "population",
                               sdb_freq_population(f, best_pop), "theta", theta, "loci", loci,
                               "by_population", by);
            by = NULL;
        }
        json_decref(by);
        free(ls);
        free(best);
    }
    sdb_profile_free(&q);
    return 1;
}

/* ---- relatives, drawings, administration ---- */

/* POST /api/v1/familial {"genotype", "relationships": "PO,FS", "populations": "Cauc,...",
 * "theta", "top", "min_loci", "index"}: kinship LR against every reference profile (the
 * server's --freq); purposes marked so need X-Strdb-Authorization. */
static int h_familial(req *r)
{
    if (need_json(r)) return 1;
    if (!r->srv->freq)
        return srv_fail(r, 404, "not_found", NULL, "familial search needs the server started with --freq"), 1;
    if (srv_session(r, "familial")) return 1;
    sdb_profile q;
    sdb_profile_init(&q);
    sdb_familial_opts o;
    sdb_familial_opts_init(&o);
    o.freq = r->srv->freq;
    const char *rels = field_str(r, "relationships"), *pops = field_str(r, "populations");
    long top, min_loci;
    json_t *th = json_object_get(r->json, "theta");
    int bad = body_genotype(r, &q) || field_int(r, "top", 1, 10000, 50, &top) ||
              field_int(r, "min_loci", 1, 100, 8, &min_loci);
    if (!bad && th && (!json_is_number(th) || json_number_value(th) < 0 || json_number_value(th) >= 1))
        bad = 1, srv_fail(r, 422, "invalid", "theta", "expected 0 <= theta < 1");
    if (!bad && th) o.theta = json_number_value(th);
    if (!bad && rels) {
        o.n_rels = 0;
        for (const char *s = rels; *s && !bad;) {
            size_t n = strcspn(s, ",");
            char one[16];
            snprintf(one, sizeof one, "%.*s", (int)(n < 15 ? n : 15), s);
            if (o.n_rels == SDB_FAMILIAL_MAX_REL || sdb_relationship_parse(one, &o.rels[o.n_rels]))
                bad = 1, srv_fail(r, 422, "invalid", "relationships", "unknown relationship '%s'", one);
            o.n_rels++;
            s += n + (s[n] == ',');
        }
    }
    o.n_pops = 0;
    for (int p = 0; !bad && p < sdb_freq_n_populations(o.freq) && o.n_pops < SDB_FAMILIAL_MAX_POP; p++) {
        const char *name = sdb_freq_population(o.freq, p);
        int listed = !pops;
        for (const char *s = pops; s && *s;) {
            size_t n = strcspn(s, ",");
            listed |= strlen(name) == n && !strncmp(s, name, n);
            s += n + (s[n] == ',');
        }
        if (listed) o.pops[o.n_pops++] = p;
    }
    if (!bad && !o.n_pops) bad = 1, srv_fail(r, 422, "invalid", "populations", "no such population");
    if (!bad) {
        o.top = top;
        o.min_loci = (int)min_loci;
        o.threads = 1;
        sdb_result res = {0};
        sdb_diag d;
        sdb_diag_clear(&d);
        sdb_profile qy;
        sdb_profile_init(&qy);
        int rc = sdb_session_familial(r->s, field_str(r, "index"), &q, &o, &qy, 0, 0, &res, &d);
        sdb_profile_free(&qy);
        if (rc)
            srv_fail_rc(r, rc, &d);
        else {
            json_t *hits = json_array();
            for (long i = 0; i < res.n; i++) {
                json_t *lr = json_object();
                for (int k = 0; k < o.n_rels; k++)
                    json_object_set_new(lr, sdb_relationship_name(o.rels[k]),
                                        json_real(pow(10, res.familial[i].log10_lr[k])));
                json_array_append_new(hits, json_pack("{s:s,s:i,s:s,s:f,s:o}", "sample_id",
                                                      res.sample_id[i], "compared",
                                                      res.familial[i].compared, "best",
                                                      sdb_relationship_name(o.rels[res.familial[i].best]),
                                                      "log10_lr", res.familial[i].score, "lr", lr));
            }
            r->status = 200;
            r->out = json_pack("{s:I,s:I,s:f,s:o}", "searched", (json_int_t)res.searched, "skipped",
                               (json_int_t)res.skipped, "theta", o.theta, "hits", hits);
            sdb_result_free(&res);
        }
    }
    sdb_profile_free(&q);
    return 1;
}

/* POST /api/v1/lineage/search {"genotype", "index", "limit"}: the lineages a Y haplotype joins. */
static int h_lineage_search(req *r)
{
    if (need_json(r) || srv_session(r, "casework")) return 1;
    sdb_profile q;
    sdb_profile_init(&q);
    long limit;
    if (!body_genotype(r, &q) && !field_int(r, "limit", 1, 10000, 50, &limit)) {
        sdb_lineage_search_opts o;
        sdb_lineage_search_opts_init(&o);
        o.threads = 1;
        sdb_lineage_result res;
        memset(&res, 0, sizeof res);
        sdb_diag d;
        sdb_diag_clear(&d);
        int rc = sdb_session_lineage_search(r->s, field_str(r, "index"), &q, &o, limit, &res, &d);
        if (rc)
            srv_fail_rc(r, rc, &d);
        else {
            json_t *lin = json_array(), *mem = json_array(), *leads = json_array();
            for (long i = 0; i < res.n_lineages; i++)
                json_array_append_new(lin, json_pack("{s:I,s:i}", "id", (json_int_t)res.lineages[i],
                                                     "size", (int)res.lineage_size[i]));
            for (long i = 0; i < res.n_members && i < limit; i++) {
                const sdb_lineage_member *m = &res.members[i];
                json_array_append_new(
                    mem, json_pack("{s:s,s:o,s:I,s:i,s:i,s:i,s:i,s:f}", "sample_id", m->sample_id,
                                   "person", m->person ? json_string(m->person) : json_null(),
                                   "lineage", (json_int_t)m->lineage, "loci_differing",
                                   m->meioses.loci_differing, "meioses_mode", m->meioses.mode,
                                   "meioses_lower", m->meioses.lower, "meioses_upper",
                                   m->meioses.upper, "p_close", m->p_close));
            }
            for (long i = 0; i < res.n_leads && i < limit; i++) {
                const sdb_lineage_lead *l = &res.leads[i];
                json_array_append_new(
                    leads, json_pack("{s:s,s:o,s:I,s:s,s:i,s:i,s:i}", "person", l->person,
                                     "sample_id", l->sample_id ? json_string(l->sample_id) : json_null(),
                                     "lineage", (json_int_t)l->lineage, "via", l->via ? l->via : "",
                                     "estimate", l->estimate, "lower", l->lower, "upper", l->upper));
            }
            r->status = 200;
            r->out = json_pack("{s:I,s:I,s:o,s:o,s:o}", "near_matches", (json_int_t)res.near_matches,
                               "unassigned", (json_int_t)res.unassigned, "lineages", lin,
                               "members", mem, "leads", leads);
            sdb_lineage_result_free(&res);
        }
    }
    sdb_profile_free(&q);
    return 1;
}

/* An SVG answer from a session call that writes to a FILE. */
static int svg_answer(req *r, int rc, char *buf, size_t len, const sdb_diag *d)
{
    if (rc) {
        free(buf);
        return srv_fail_rc(r, rc, d), 1;
    }
    r->status = 200;
    r->raw = buf;
    r->raw_len = len;
    r->raw_type = "image/svg+xml";
    return 1;
}

/* GET /api/v1/lineage/{id}.svg?view=auto|tree|network */
static int h_lineage_svg(req *r, const char *idtext)
{
    char *end;
    long long id = strtoll(idtext, &end, 10);
    if (end == idtext || strcmp(end, ".svg") || id < 1)
        return srv_fail(r, 404, "not_found", NULL, "expected /api/v1/lineage/ID.svg"), 1;
    const char *v = srv_arg(r, "view");
    sdb_lineage_view view = !v || !strcmp(v, "auto") ? SDB_VIEW_AUTO
                            : !strcmp(v, "tree")     ? SDB_VIEW_TREE
                            : !strcmp(v, "network")  ? SDB_VIEW_NETWORK
                                                     : (sdb_lineage_view)-1;
    if ((int)view < 0) return srv_fail(r, 422, "invalid", "view", "view is auto, tree or network"), 1;
    if (srv_session(r, "casework")) return 1;
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    sdb_diag d;
    sdb_diag_clear(&d);
    int rc = out ? sdb_session_lineage_show(r->s, NULL, id, 50, 1, view, 400, out, &d) : SDB_ENOMEM;
    if (out && fclose(out) && !rc) rc = SDB_ENOMEM;
    return svg_answer(r, rc, buf, len, &d);
}

/* GET /api/v1/pedigree/{person}.svg?up=N&down=N */
static int h_pedigree_svg(req *r, const char *person)
{
    size_t n = strlen(person);
    if (n < 5 || strcmp(person + n - 4, ".svg"))
        return srv_fail(r, 404, "not_found", NULL, "expected /api/v1/pedigree/PERSON.svg"), 1;
    char id[512];
    snprintf(id, sizeof id, "%.*s", (int)(n - 4), person);
    const char *up = srv_arg(r, "up"), *down = srv_arg(r, "down");
    int u = up ? atoi(up) : 1, dn = down ? atoi(down) : 1;
    if (u < 0 || u > 50 || dn < 0 || dn > 50)
        return srv_fail(r, 422, "invalid", up ? "up" : "down", "expected 0 to 50"), 1;
    if (srv_session(r, "administration")) return 1;
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    sdb_diag d;
    sdb_diag_clear(&d);
    int rc = out ? sdb_session_pedigree_draw(r->s, id, u, dn, out, &d) : SDB_ENOMEM;
    if (out && fclose(out) && !rc) rc = SDB_ENOMEM;
    return svg_answer(r, rc, buf, len, &d);
}

/* POST /api/v1/users {"name", "role"} (admin): the new user's token, shown once. */
static int h_user_add(req *r)
{
    if (need_json(r) || srv_session(r, "administration")) return 1;
    const char *name = field_str(r, "name"), *role = field_str(r, "role");
    if (!name || !role)
        return srv_fail(r, 422, "invalid", name ? "role" : "name", "name and role are required"), 1;
    char token[SDB_HASH_HEX];
    sdb_diag d;
    sdb_diag_clear(&d);
    pthread_mutex_lock(&r->srv->writer);
    int rc = sdb_session_user_add(r->s, name, role, token, &d);
    pthread_mutex_unlock(&r->srv->writer);
    if (rc) return srv_fail_rc(r, rc, &d), 1;
    r->status = 201;
    r->out = json_pack("{s:s,s:s,s:s}", "name", name, "role", role, "token", token);
    sodium_memzero(token, sizeof token);
    return 1;
}

/* POST /api/v1/users/{name}/disable (admin) */
static int h_user_disable(req *r, const char *name)
{
    if (srv_session(r, "administration")) return 1;
    sdb_diag d;
    sdb_diag_clear(&d);
    pthread_mutex_lock(&r->srv->writer);
    int rc = sdb_session_user_disable(r->s, name, &d);
    pthread_mutex_unlock(&r->srv->writer);
    if (rc) return srv_fail_rc(r, rc, &d), 1;
    r->status = 200;
    r->out = json_pack("{s:s,s:b}", "name", name, "disabled", 1);
    return 1;
}

/* GET /api/v1/policy: the purpose policy; POST {"purpose", "operation", "index", "allow"} (admin, custodian) */
static int h_policy(req *r)
{
    if (!strcmp(r->method, "GET")) {
        if (srv_session(r, "administration")) return 1;
        rows_arg a = {json_object()};
        sdb_diag d;
        sdb_diag_clear(&d);
        int rc = sdb_session_list(r->s, "policy", add_row, &a, &d);
        if (rc) {
            json_decref(a.out);
            return srv_fail_rc(r, rc, &d), 1;
        }
        json_t *rows = json_object_get(a.out, "policy");
        r->status = 200;
        r->out = json_pack("{s:O}", "policy", rows ? rows : json_array());
        json_decref(a.out);
        return 1;
    }
    if (need_json(r) || srv_session(r, "administration")) return 1;
    const char *purpose = field_str(r, "purpose"), *op = field_str(r, "operation");
    const char *index = field_str(r, "index");
    json_t *allow = json_object_get(r->json, "allow");
    if (!purpose || !op || !index || !json_is_boolean(allow))
        return srv_fail(r, 422, "invalid", NULL, "purpose, operation, index and allow (true/false) are required"), 1;
    sdb_diag d;
    sdb_diag_clear(&d);
    pthread_mutex_lock(&r->srv->writer);
    int rc = sdb_session_policy_set(r->s, purpose, op, index, json_is_true(allow), &d);
    pthread_mutex_unlock(&r->srv->writer);
    if (rc) return srv_fail_rc(r, rc, &d), 1;
    r->status = 200;
    r->out = json_pack("{s:s,s:s,s:s,s:b}", "purpose", purpose, "operation", op, "index", index,
                       "allow", json_is_true(allow));
    return 1;
}

static int due_row(void *arg, const sdb_due *x)
{
    json_array_append_new(arg, json_pack("{s:s,s:s,s:s,s:s,s:s}", "sample_id", x->sample_id, "index",
                                         x->index, "basis", x->basis, "rule", x->rule, "due", x->due));
    return 0;
}

/* GET /api/v1/retention?as_of=DATE: what is due; POST {"as_of", "dry_run"} runs it (custodian). */
static int h_retention(req *r)
{
    int get = !strcmp(r->method, "GET");
    if ((!get && need_json(r)) || srv_session(r, "administration")) return 1;
    const char *as_of = get ? srv_arg(r, "as_of") : field_str(r, "as_of");
    sdb_diag d;
    sdb_diag_clear(&d);
    if (get) {
        json_t *arr = json_array();
        int rc = sdb_session_retention_due(r->s, as_of, due_row, arr, &d);
        if (rc) {
            json_decref(arr);
            return srv_fail_rc(r, rc, &d), 1;
        }
        r->status = 200;
        r->out = json_pack("{s:o}", "due", arr);
        return 1;
    }
    json_t *dry = json_object_get(r->json, "dry_run");
    long n = 0;
    pthread_mutex_lock(&r->srv->writer);
    int rc = sdb_session_retention_run(r->s, as_of, dry ? json_is_true(dry) : 1, &n, &d);
    pthread_mutex_unlock(&r->srv->writer);
    if (rc) return srv_fail_rc(r, rc, &d), 1;
    r->status = 200;
    r->out = json_pack("{s:b,s:I}", "dry_run", dry ? json_is_true(dry) : 1, "expunged", (json_int_t)n);
    return 1;
}

/* POST /api/v1/consent {"sample_id", "scope"} gives, {"sample_id", "withdraw": true} withdraws
 * (which expunges); custodian. */
static int h_consent(req *r)
{
    if (need_json(r) || srv_session(r, "administration")) return 1;
    const char *sample = field_str(r, "sample_id"), *scope = field_str(r, "scope");
    const char *at = field_str(r, "at");
    int withdraw = json_is_true(json_object_get(r->json, "withdraw"));
    if (!sample || (!withdraw && !scope))
        return srv_fail(r, 422, "invalid", sample ? "scope" : "sample_id",
                        "sample_id and scope (or withdraw: true) are required"), 1;
    sdb_diag d;
    sdb_diag_clear(&d);
    pthread_mutex_lock(&r->srv->writer);
    int rc = withdraw ? sdb_session_consent_withdraw(r->s, sample, at, &d)
                      : sdb_session_consent_give(r->s, sample, scope, at, &d);
    pthread_mutex_unlock(&r->srv->writer);
    if (rc && !(withdraw && rc == SDB_EBUSY)) return srv_fail_rc(r, rc, &d), 1;
    r->status = 200;
    r->out = json_pack("{s:s,s:s}", "sample_id", sample, "consent", withdraw ? "withdrawn (expunged)" : "given");
    return 1;
}

/* ---- sample intake (docs/intake.md) ---- */

static int add_accession(void *arg, const char *accession)
{
    return json_array_append_new(arg, json_string(accession));
}

/* POST /api/v1/intake/kits {"type", "lot", "expires", "count", "prefix"}: registers kits and
 * answers the accession numbers issued (custodian). */
static int h_intake_kits(req *r)
{
    if (need_json(r) || srv_session(r, "administration")) return 1;
    json_t *c = json_object_get(r->json, "count");
    if (c && (!json_is_integer(c) || json_integer_value(c) < 1 || json_integer_value(c) > 10000))
        return srv_fail(r, 422, "invalid", "count", "count is an integer from 1 to 10000"), 1;
    json_t *acc = json_array();
    long kit = 0;
    sdb_diag d;
    sdb_diag_clear(&d);
    pthread_mutex_lock(&r->srv->writer);
    int rc = sdb_session_intake_kit(r->s, field_str(r, "prefix"), field_str(r, "type"),
                                    field_str(r, "lot"), field_str(r, "expires"),
                                    c ? (int)json_integer_value(c) : 1, add_accession, acc, &kit,
                                    &d);
    pthread_mutex_unlock(&r->srv->writer);
    if (rc) {
        json_decref(acc);
        return srv_fail_rc(r, rc, &d), 1;
    }
    r->status = 201;
    r->out = json_pack("{s:I,s:o}", "kit", (json_int_t)kit, "accessions", acc);
    return 1;
}

/* POST /api/v1/intake/events {"accession", "event", "place", "at", "basis", "note"}: one
 * chain-of-custody event; out of order is 403 with the reason (custodian). */
static int h_intake_events(req *r)
{
    if (need_json(r) || srv_session(r, "administration")) return 1;
    sdb_intake_event e = {field_str(r, "accession"), field_str(r, "event"), field_str(r, "at"),
                          field_str(r, "place"),     field_str(r, "basis"), field_str(r, "note")};
    if (!e.accession || !e.event)
        return srv_fail(r, 422, "invalid", e.accession ? "event" : "accession",
                        "accession and event are required"), 1;
    sdb_diag d;
    sdb_diag_clear(&d);
    long long seq = 0;
    pthread_mutex_lock(&r->srv->writer);
    int rc = sdb_session_intake_event(r->s, &e, &seq, &d);
    pthread_mutex_unlock(&r->srv->writer);
    if (rc) return srv_fail_rc(r, rc, &d), 1;
    r->status = 201;
    r->out = json_pack("{s:s,s:s,s:I}", "accession", e.accession, "event", e.event,
                       "audit_record", (json_int_t)seq);
    return 1;
}

/* GET /api/v1/intake/samples: every sample; GET /api/v1/intake/samples/{accession}: its kit,
 * state and events (custodian, analyst, auditor); .../{accession}/label.svg|label.pdf: its
 * label (custodian). */
static int h_intake_samples(req *r, const char *rest)
{
    char acc[128] = "";
    const char *label = strstr(rest, "/label.");
    if (label) {
        int pdf = !strcmp(label, "/label.pdf");
        if (!pdf && strcmp(label, "/label.svg"))
            return srv_fail(r, 404, "not_found", NULL, "labels are label.svg or label.pdf"), 1;
        snprintf(acc, sizeof acc, "%.*s", (int)(label - rest), rest);
        if (srv_session(r, "administration")) return 1;
        char type[129], lot[65];
        sdb_diag d;
        sdb_diag_clear(&d);
        int rc = sdb_session_intake_label(r->s, acc, type, lot, &d);
        if (rc) return srv_fail_rc(r, rc, &d), 1;
        char *buf = NULL, why[512] = "";
        size_t len = 0;
        FILE *out = open_memstream(&buf, &len);
        rc = out ? cli_intake_label(out, pdf, acc, type, lot, why, sizeof why) : EXIT_FAIL;
        if (out && fclose(out)) rc = EXIT_FAIL;
        if (rc) {
            free(buf);
            return srv_fail(r, 500, "label", NULL, "%s", why[0] ? why : "out of memory"), 1;
        }
        r->status = 200;
        r->raw = buf;
        r->raw_len = len;
        r->raw_type = pdf ? "application/pdf" : "image/svg+xml";
        return 1;
    }
    if (srv_session(r, "administration")) return 1;
    json_t *out = NULL;
    sdb_diag d;
    sdb_diag_clear(&d);
    int rc = cli_intake_show_json(r->s, rest[0] ? rest : NULL, &out, &d);
    if (rc) return srv_fail_rc(r, rc, &d), 1;
    r->status = 200;
    r->out = out;
    return 1;
}

/* POST /api/v1/mp/search {"family", "case", "remains", "rank": "remains"|"family", "top",
 * "min_lr"}: every remains against every family (purpose missing-person; the server's --freq,
 * its first population unless "population"). */
static int h_mp_search(req *r)
{
    if (need_json(r)) return 1;
    if (!r->srv->freq)
        return srv_fail(r, 404, "not_found", NULL, "missing-person search needs the server started with --freq"), 1;
    if (srv_session(r, "missing-person")) return 1;
    const char *popname = field_str(r, "population"), *rank = field_str(r, "rank");
    int pop = popname ? sdb_freq_find_population(r->srv->freq, popname) : 0;
    if (pop < 0) return srv_fail(r, 422, "invalid", "population", "no population '%s'", popname), 1;
    if (rank && strcmp(rank, "remains") && strcmp(rank, "family"))
        return srv_fail(r, 422, "invalid", "rank", "rank is remains or family"), 1;
    long top;
    if (field_int(r, "top", 1, 1000, 10, &top)) return 1;
    sdb_mp_opts o;
    sdb_mp_opts_init(&o);
    o.top = (int)top;
    o.threads = 1;
    json_t *ml = json_object_get(r->json, "min_lr");
    if (ml && !json_is_number(ml)) return srv_fail(r, 422, "invalid", "min_lr", "expected a number"), 1;
    if (ml) o.min_lr = json_number_value(ml);
    sdb_mp_query q = {field_str(r, "family"), field_str(r, "case"), field_str(r, "remains"), NULL};
    sdb_mp_data m;
    memset(&m, 0, sizeof m);
    sdb_mp_result res;
    memset(&res, 0, sizeof res);
    sdb_diag d;
    sdb_diag_clear(&d);
    int rc = sdb_session_mp_search(r->s, &q, r->srv->freq, pop, &o, &m, &res, &d);
    if (rc) {
        sdb_mp_data_free(&m);
        return srv_fail_rc(r, rc, &d), 1;
    }
    int by_family = rank && !strcmp(rank, "family");
    const sdb_mp_hit *h = by_family ? res.by_family : res.by_remains;
    long n = by_family ? res.n_by_family : res.n_by_remains;
    json_t *hits = json_array();
    for (long i = 0; i < n; i++) {
        const sdb_mp_family *f = &m.families[h[i].family];
        json_array_append_new(hits, json_pack("{s:s,s:s,s:s,s:o,s:f,s:i,s:i}", "remains",
                                              m.remains[h[i].remains].sample_id, "family", f->name,
                                              "missing", f->ids[h[i].person], "lr",
                                              isinf(h[i].log10_lr) ? json_real(0) : json_real(pow(10, h[i].log10_lr)),
                                              "log10_lr", isinf(h[i].log10_lr) ? -1e308 : h[i].log10_lr,
                                              "loci", h[i].loci, "references", f->n_typed));
    }
    r->status = 200;
    r->out = json_pack("{s:s,s:I,s:i,s:I,s:o}", "rank", by_family ? "family" : "remains", "pairs",
                       (json_int_t)res.pairs, "families", m.n_families, "remains_searched",
                       (json_int_t)m.n_remains, "hits", hits);
    sdb_mp_result_free(&res);
    sdb_mp_data_free(&m);
    return 1;
}

/* ---- statistics of genotypes given in the body (the server's --freq) ---- */

/* A genotype field name of the body as a profile; -1 and an error answer when bad. */
static int body_profile(req *r, const char *name, sdb_profile *p)
{
    const char *g = field_str(r, name);
    if (!g) return srv_fail(r, 422, "invalid", name, "%s is required (\"L=a/b;...\")", name), -1;
    sdb_diag d;
    sdb_diag_clear(&d);
    if (sdb_genotype_parse(p, sdb_catalog_default(), g, &d))
        return srv_fail(r, 422, "invalid", d.field[0] ? d.field : name, "%s: %s", name, d.reason), -1;
    return 0;
}

/* The population and theta of a statistics body; -1 and an error answer when bad. */
static int body_pop_theta(req *r, int *pop, double *theta)
{
    const char *name = field_str(r, "population");
    *pop = name ? sdb_freq_find_population(r->srv->freq, name) : 0;
    if (*pop < 0) return srv_fail(r, 422, "invalid", "population", "no population '%s'", name), -1;
    json_t *th = json_object_get(r->json, "theta");
    if (th && (!json_is_number(th) || json_number_value(th) < 0 || json_number_value(th) >= 1))
        return srv_fail(r, 422, "invalid", "theta", "expected 0 <= theta < 1"), -1;
    *theta = th ? json_number_value(th) : 0;
    return 0;
}

/* A mutation model from the body: "mutation", "rate" (default none). */
static int body_mutation(req *r, sdb_mutation *m)
{
    sdb_mutation_init(m);
    const char *k = field_str(r, "mutation");
    if (!k) return 0;
    if (sdb_mutation_parse(k, &m->kind))
        return srv_fail(r, 422, "invalid", "mutation", "expected equal, proportional or stepwise"), -1;
    json_t *rate = json_object_get(r->json, "rate");
    if (m->kind != SDB_MUT_NONE &&
        (!json_is_number(rate) || json_number_value(rate) <= 0 || json_number_value(rate) >= 1))
        return srv_fail(r, 422, "invalid", "rate", "a mutation model needs 0 < rate < 1"), -1;
    if (rate) m->rate = json_number_value(rate);
    return 0;
}

static json_t *loci_json(const sdb_locus_stat *ls, int n)
{
    json_t *a = json_array();
    for (int i = 0; i < n; i++) {
        const sdb_locus *l = sdb_catalog_by_id(sdb_catalog_default(), ls[i].locus);
        json_array_append_new(a, json_pack("{s:s,s:f,s:s?}", "locus", l ? l->name : "?", "value",
                                           ls[i].value, "note", ls[i].note));
    }
    return a;
}

static int need_freq(req *r)
{
    if (r->srv->freq) return 0;
    return srv_fail(r, 404, "not_found", NULL, "statistics need the server started with --freq"), -1;
}

/* POST /api/v1/stats/kinship {"a", "b", "relationship", "population", "theta", "mutation", "rate"} */
static int h_kinship(req *r)
{
    if (need_json(r) || need_freq(r) || srv_session(r, "casework")) return 1;
    sdb_profile a, b;
    sdb_profile_init(&a);
    sdb_profile_init(&b);
    sdb_relationship rel = SDB_REL_PO;
    const char *rs = field_str(r, "relationship");
    int pop;
    double theta;
    sdb_mutation m;
    if (!body_profile(r, "a", &a) && !body_profile(r, "b", &b) && !body_pop_theta(r, &pop, &theta) &&
        !body_mutation(r, &m)) {
        if (rs && sdb_relationship_parse(rs, &rel))
            srv_fail(r, 422, "invalid", "relationship", "unknown relationship '%s'", rs);
        else {
            sdb_locus_stat *ls = calloc(a.n_calls + 1, sizeof *ls);
            int n = 0;
            double total = 0;
            sdb_diag d;
            sdb_diag_clear(&d);
            int rc = ls ? sdb_kinship_lr(r->srv->freq, pop, rel, &a, &b, theta, &m, ls, &n, &total, &d)
                        : SDB_ENOMEM;
            if (rc)
                srv_fail_rc(r, rc, &d);
            else {
                r->status = 200;
                r->out = json_pack("{s:s,s:f,s:s,s:f,s:o}", "relationship", sdb_relationship_name(rel),
                                   "lr", total, "population", sdb_freq_population(r->srv->freq, pop),
                                   "theta", theta, "loci", loci_json(ls, n));
            }
            free(ls);
        }
    }
    sdb_profile_free(&a);
    sdb_profile_free(&b);
    return 1;
}

/* POST /api/v1/stats/paternity {"mother", "child", "father", "population", "mutation", "rate"} */
static int h_paternity(req *r)
{
    if (need_json(r) || need_freq(r) || srv_session(r, "casework")) return 1;
    sdb_profile mo, ch, fa;
    sdb_profile_init(&mo);
    sdb_profile_init(&ch);
    sdb_profile_init(&fa);
    int pop;
    double theta;
    sdb_mutation m;
    if (!body_profile(r, "mother", &mo) && !body_profile(r, "child", &ch) &&
        !body_profile(r, "father", &fa) && !body_pop_theta(r, &pop, &theta) && !body_mutation(r, &m)) {
        sdb_locus_stat *ls = calloc(ch.n_calls + 1, sizeof *ls);
        int n = 0;
        double total = 0;
        sdb_diag d;
        sdb_diag_clear(&d);
        int rc = ls ? sdb_paternity_index(r->srv->freq, pop, &mo, &ch, &fa, &m, ls, &n, &total, &d)
                    : SDB_ENOMEM;
        if (rc)
            srv_fail_rc(r, rc, &d);
        else {
            r->status = 200;
            r->out = json_pack("{s:f,s:f,s:s,s:o}", "paternity_index", total, "probability_50_50",
                               total / (total + 1), "population", sdb_freq_population(r->srv->freq, pop),
                               "loci", loci_json(ls, n));
        }
        free(ls);
    }
    sdb_profile_free(&mo);
    sdb_profile_free(&ch);
    sdb_profile_free(&fa);
    return 1;
}

/* POST /api/v1/stats/meioses {"a", "b", "kit", "max_meioses"}: posterior over the meioses between
 * two Y haplotypes (YHRD rates of the catalog); no stored data, no --freq needed. */
static int h_meioses(req *r)
{
    if (need_json(r) || srv_session(r, "casework")) return 1;
    sdb_profile a, b;
    sdb_profile_init(&a);
    sdb_profile_init(&b);
    long maxm;
    if (!body_profile(r, "a", &a) && !body_profile(r, "b", &b) &&
        !field_int(r, "max_meioses", 1, 1000, 40, &maxm)) {
        double *post = calloc((size_t)maxm + 1, sizeof *post);
        sdb_meioses_result mr;
        sdb_diag d;
        sdb_diag_clear(&d);
        int rc = post ? sdb_meioses_posterior(sdb_catalog_default(), &a, &b, field_str(r, "kit"),
                                              (int)maxm, post, &mr, &d)
                      : SDB_ENOMEM;
        if (rc)
            srv_fail_rc(r, rc, &d);
        else {
            json_t *pp = json_array();
            for (long k = 1; k <= maxm; k++)
                json_array_append_new(pp, json_real(post[k]));
            r->status = 200;
            r->out = json_pack("{s:i,s:i,s:i,s:i,s:i,s:i,s:f,s:o}", "loci_compared", mr.loci_compared,
                               "loci_differing", mr.loci_differing, "steps", mr.total_steps, "mode",
                               mr.mode, "lower", mr.lower, "upper", mr.upper, "mean", mr.mean,
                               "posterior", pp);
        }
        free(post);
    }
    sdb_profile_free(&a);
    sdb_profile_free(&b);
    return 1;
}

/* POST /api/v1/stats/yfreq {"genotype", "index"}: the haplotype's frequency among the stored
 * Y profiles (counting, Clopper-Pearson bound, kappa); audited. */
static int h_yfreq(req *r)
{
    if (need_json(r) || srv_session(r, "population-study")) return 1;
    sdb_profile q;
    sdb_profile_init(&q);
    if (!body_genotype(r, &q)) {
        sdb_yfreq_result y;
        sdb_diag d;
        sdb_diag_clear(&d);
        int rc = sdb_session_yfreq(r->s, field_str(r, "index"), &q, &y, &d);
        if (rc)
            srv_fail_rc(r, rc, &d);
        else {
            r->status = 200;
            r->out = json_pack("{s:I,s:I,s:f,s:f,s:f,s:f,s:f}", "n", (json_int_t)y.n, "matches",
                               (json_int_t)y.matches, "frequency", y.frequency, "upper95", y.upper95,
                               "augmented", y.augmented, "kappa", y.kappa, "kappa_match_probability",
                               y.kappa_match_probability);
        }
    }
    sdb_profile_free(&q);
    return 1;
}

/* GET /api/v1/audit/export: the whole chain as JSON lines (auditor, admin, custodian), one
 * record per line with its hashes, for an outside verifier. */
typedef struct export_arg {
    FILE *out;
} export_arg;

static int export_row(void *arg, const sdb_audit_record *x)
{
    export_arg *a = arg;
    json_t *o = json_pack("{s:I,s:s,s:s,s:s,s:o,s:o,s:s,s:I,s:s,s:s,s:s,s:o}", "seq", (json_int_t)x->seq,
                          "at", x->at, "actor", x->actor, "action", x->action, "purpose",
                          x->purpose ? json_string(x->purpose) : json_null(), "case_ref",
                          x->case_ref ? json_string(x->case_ref) : json_null(), "params_digest",
                          x->params_digest, "result_count", (json_int_t)x->result_count, "outcome",
                          x->outcome, "prev_hash", x->prev_hash, "hash", x->hash, "state",
                          x->state ? json_string(x->state) : json_null());
    json_dumpf(o, a->out, JSON_COMPACT | JSON_PRESERVE_ORDER);
    fputc('\n', a->out);
    json_decref(o);
    return 0;
}

static int h_audit_export(req *r)
{
    if (srv_session(r, "administration")) return 1;
    char *buf = NULL;
    size_t len = 0;
    export_arg a = {open_memstream(&buf, &len)};
    if (!a.out) return srv_fail(r, 500, "memory", NULL, "out of memory"), 1;
    sdb_diag d;
    sdb_diag_clear(&d);
    int rc = sdb_session_audit_foreach(r->s, export_row, &a, &d);
    if (fclose(a.out) && !rc) rc = SDB_ENOMEM;
    if (rc) {
        free(buf);
        return srv_fail_rc(r, rc, &d), 1;
    }
    r->status = 200;
    r->raw = buf;
    r->raw_len = len;
    r->raw_type = "application/x-ndjson";
    return 1;
}

/* POST /api/v1/parse?format=F: the profiles of an uploaded file (GeneMapper export, CSV, JSON
 * lines) as genotype strings, for a search from the page; nothing is stored or read from the
 * database, so no audit record (a token is still required). */
static int h_parse(req *r)
{
    const char *ct = srv_header(r, "Content-Type");
    if (!ct || (strncasecmp(ct, "text/", 5) && strncasecmp(ct, "application/octet-stream", 24) &&
                strncasecmp(ct, "application/x-ndjson", 20)))
        return srv_fail(r, 415, "content_type", "Content-Type", "a file is text/* or application/octet-stream"), 1;
    if (srv_session(r, "casework")) return 1;
    sdb_read_opts ro;
    sdb_read_opts_init(&ro);
    const char *fmt = srv_arg(r, "format");
    if (fmt && sdb_format_parse(fmt, &ro.format))
        return srv_fail(r, 422, "invalid", "format", "unknown format '%s'", fmt), 1;
    const char *name = srv_arg(r, "name");
    sdb_reader *rd = NULL;
    sdb_diag d;
    sdb_diag_clear(&d);
    int rc = sdb_reader_open_mem(&rd, name && name[0] ? name : "upload", r->body ? r->body : "",
                                 r->body_len, sdb_catalog_default(), &ro, &d);
    if (rc) return srv_fail_rc(r, rc, &d), 1;
    json_t *arr = json_array(), *bad = json_array();
    sdb_profile p;
    sdb_profile_init(&p);
    const sdb_catalog *cat = sdb_catalog_default();
    while ((rc = sdb_reader_next(rd, &p, &d)) != SDB_END) {
        if (rc == SDB_EINVAL) {
            json_array_append_new(bad, json_pack("{s:I,s:o,s:s}", "line", (json_int_t)d.line, "field",
                                                 d.field[0] ? json_string(d.field) : json_null(),
                                                 "reason", d.reason));
            continue;
        }
        if (rc) break;
        char g[8192];
        size_t k = 0;
        g[0] = '\0';
        for (int i = 0; i < (int)p.n_calls && k + 64 < sizeof g; i++) {
            const sdb_call *c = &p.calls[i];
            const sdb_locus *l = sdb_catalog_by_id(cat, c->locus);
            k += (size_t)snprintf(g + k, sizeof g - k, "%s%s=", i ? ";" : "", l ? l->name : "?");
            for (uint32_t j = 0; j < c->n && k + 16 < sizeof g; j++) {
                char a[SDB_ALLELE_STRLEN];
                sdb_allele_format(p.alleles[c->first + j], a);
                k += (size_t)snprintf(g + k, sizeof g - k, "%s%s", j ? "/" : "", a);
            }
        }
        json_array_append_new(arr, json_pack("{s:s,s:s,s:i}", "sample_id", p.sample_id ? p.sample_id : "",
                                             "genotype", g, "loci", (int)p.n_calls));
        if (json_array_size(arr) >= 1000) break;
    }
    sdb_profile_free(&p);
    sdb_reader_close(rd);
    if (rc && rc != SDB_END && rc != SDB_EINVAL) {
        json_decref(arr);
        json_decref(bad);
        return srv_fail_rc(r, rc, &d), 1;
    }
    r->status = 200;
    r->out = json_pack("{s:o,s:o}", "profiles", arr, "rejects", bad);
    return 1;
}

/* GET /api/v1/report?record=N[&candidate=S][&format=pdf|html|text][&pop=P][&theta=T]:
 * the case report of a search record, as strdb report writes it. */
static int h_report(req *r)
{
    const char *rec = srv_arg(r, "record"), *cand = srv_arg(r, "candidate");
    const char *fmt = srv_arg(r, "format"), *theta_s = srv_arg(r, "theta");
    char *end = NULL;
    long long seq = rec ? strtoll(rec, &end, 10) : 0;
    if (!rec || *end || seq < 1)
        return srv_fail(r, 422, "invalid", "record", "record=N (a search's audit record) is required"), 1;
    int kind = !fmt || !strcmp(fmt, "pdf") ? CLI_REPORT_PDF
               : !strcmp(fmt, "html")      ? CLI_REPORT_HTML
               : !strcmp(fmt, "text")      ? CLI_REPORT_TEXT
                                           : -1;
    if (kind < 0) return srv_fail(r, 422, "invalid", "format", "format is pdf, html or text"), 1;
    double theta = theta_s ? strtod(theta_s, &end) : 0.01;
    if (theta_s && (*end || !(theta >= 0 && theta < 1)))
        return srv_fail(r, 422, "invalid", "theta", "expected 0 <= theta < 1"), 1;
    if (srv_session(r, "casework")) return 1;
    sdb_report rep;
    sdb_diag d;
    sdb_diag_clear(&d);
    int rc = sdb_session_report(r->s, seq, cand && cand[0] ? cand : NULL, &rep, &d);
    if (rc) return srv_fail_rc(r, rc, &d), 1;
    char *buf = NULL, why[512];
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    /* fonts and layouts are made one report at a time */
    static pthread_mutex_t render = PTHREAD_MUTEX_INITIALIZER;
    pthread_mutex_lock(&render);
    int erc = out ? cli_report_render(&rep, r->srv->freq, r->srv->freq_path, srv_arg(r, "pop"),
                                      theta, r->srv->sign_key, kind, out, why, sizeof why)
                  : EXIT_FAIL;
    pthread_mutex_unlock(&render);
    if (out && fclose(out)) erc = EXIT_FAIL;
    sdb_report_free(&rep);
    if (erc) {
        free(buf);
        return srv_fail(r, 422, "invalid", "record", "%s", out ? why : "out of memory"), 1;
    }
    r->status = 200;
    r->raw = buf;
    r->raw_len = len;
    r->raw_type = kind == CLI_REPORT_PDF ? "application/pdf"
                  : kind == CLI_REPORT_HTML ? "text/html; charset=utf-8"
                                            : "text/plain; charset=utf-8";
    return 1;
}

static int h_users_any(req *r)
{
    if (!strcmp(r->method, "POST")) return h_user_add(r);
    if (strcmp(r->method, "GET")) return srv_fail(r, 405, "method", NULL, "/users takes GET or POST"), 1;
    return h_users(r);
}

/* ---- routing ---- */

int srv_api(req *r)
{
    const char *p = r->path;
    int get = !strcmp(r->method, "GET"), post = !strcmp(r->method, "POST");
    if (strncmp(p, "/api/", 5)) return 0;
    if (strncmp(p, "/api/v1/", 8))
        return srv_fail(r, 404, "not_found", NULL, "this server speaks /api/v1"), 1;
    p += 8;
    struct route {
        const char *path;
        int post;
        int (*fn)(req *);
    } routes[] = {{"health", 0, h_health},       {"openapi.json", 0, h_openapi},
                  {"search", 1, h_search},       {"ysearch", 1, h_ysearch},
                  {"stat", 0, h_stat},           {"audit", 0, h_audit},
                  {"audit/verify", 0, h_audit_verify}, {"users", -1, h_users_any},
                  {"expunge", 1, h_expunge},     {"import", 1, h_import},
                  {"stats/rmp", 1, h_rmp},       {"report", 0, h_report},
                  {"familial", 1, h_familial},   {"lineage/search", 1, h_lineage_search},
                  {"retention", -1, h_retention}, {"consent", 1, h_consent},
                  {"policy", -1, h_policy},      {"mp/search", 1, h_mp_search},
                  {"stats/kinship", 1, h_kinship}, {"stats/paternity", 1, h_paternity},
                  {"stats/meioses", 1, h_meioses}, {"stats/yfreq", 1, h_yfreq},
                  {"audit/export", 0, h_audit_export}, {"parse", 1, h_parse},
                  {"intake/kits", 1, h_intake_kits}, {"intake/events", 1, h_intake_events}};
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++)
        if (!strcmp(p, routes[i].path)) {
            if (routes[i].post >= 0 && (routes[i].post ? !post : !get))
                return srv_fail(r, 405, "method", NULL, "%s takes %s", r->path,
                                routes[i].post ? "POST" : "GET"), 1;
            return routes[i].fn(r);
        }
    if (!strncmp(p, "users/", 6) && strstr(p + 6, "/disable") && post) {
        char name[128];
        snprintf(name, sizeof name, "%.*s", (int)(strstr(p + 6, "/disable") - (p + 6)), p + 6);
        return h_user_disable(r, name);
    }
    struct {
        const char *prefix;
        int (*fn)(req *, const char *);
    } getters[] = {{"profiles/", h_profile},
                   {"lineage/", h_lineage_svg},
                   {"pedigree/", h_pedigree_svg},
                   {"intake/samples/", h_intake_samples}};
    if (!strcmp(p, "intake/samples")) {
        if (!get) return srv_fail(r, 405, "method", NULL, "%s takes GET", r->path), 1;
        return h_intake_samples(r, "");
    }
    for (size_t i = 0; i < sizeof getters / sizeof getters[0]; i++) {
        size_t k = strlen(getters[i].prefix);
        if (strncmp(p, getters[i].prefix, k) || !p[k]) continue;
        if (!get) return srv_fail(r, 405, "method", NULL, "%s takes GET", r->path), 1;
        return getters[i].fn(r, p + k);
    }
    return srv_fail(r, 404, "not_found", NULL, "no such endpoint: %s %s", r->method, r->path), 1;
}

const char *srv_openapi(size_t *len)
{
    for (int i = 0; i < srv_n_assets; i++)
        if (!strcmp(srv_assets[i].path, "/openapi.json")) {
            *len = srv_assets[i].len;
            return srv_assets[i].data;
        }
    *len = 2;
    return "{}";
}
