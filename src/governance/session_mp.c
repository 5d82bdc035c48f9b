/* Session operations of the missing-persons unit (include/strdb/session.h):
 * the purpose must be missing-person, the references come from
 * relative-of-missing and the remains from unidentified-remains or
 * missing-person, and the policy must allow the purpose to search them. */
#include <stdlib.h>
#include <string.h>

#include "governance_internal.h"
#include "missing/missing_internal.h"

void sdb_mp_data_free(sdb_mp_data *m)
{
    if (!m) return;
    for (int f = 0; f < m->n_families; f++)
        sdb_mp_family_free(&m->families[f]);
    for (long r = 0; r < m->n_remains; r++)
        sdb_profile_free(&m->remains[r]);
    free(m->families);
    free(m->remains);
    memset(m, 0, sizeof *m);
}

static int in_list(const char *list, const char *name)
{
    size_t n = strlen(name);
    for (const char *s = list; (s = strstr(s, name)); s += n)
        if ((s == list || s[-1] == ',') && (s[n] == ',' || !s[n])) return 1;
    return 0;
}

/* The gate of both operations: role and policy, then the fixed rules
 * (purpose missing-person; the remains' index) and the two indexes. */
static int mp_gate(sdb_session *s, const char *action, const sdb_mp_query *q, const char *params,
                   const char **remains_index, sdb_diag *d)
{
    char allowed[1024];
    const char *ri = q->remains_index ? q->remains_index : "unidentified-remains";
    *remains_index = ri;
    int rc = sdb_gov_gate(s, action, "search", NULL, params, allowed, sizeof allowed, d);
    if (rc) return rc;
    if (!s->ctx.purpose || strcmp(s->ctx.purpose, "missing-person")) {
        sdb_diag_set(d, NULL, 0, "--purpose",
                     "refused: missing-person searches serve purpose 'missing-person' only "
                     "(this session: '%s')",
                     s->ctx.purpose ? s->ctx.purpose : "");
        return sdb_gov_refuse(s, action, params, SDB_EPOLICY, d);
    }
    if (strcmp(ri, "unidentified-remains") && strcmp(ri, "missing-person")) {
        sdb_diag_set(d, NULL, 0, "--remains-index",
                     "refused: relatives' references are compared with unidentified-remains "
                     "or missing-person only, never with '%s'",
                     ri);
        return sdb_gov_refuse(s, action, params, SDB_EPOLICY, d);
    }
    const char *need[2] = {"relative-of-missing", ri};
    for (int k = 0; k < 2; k++)
        if (!in_list(allowed, need[k])) {
            sdb_diag_set(d, NULL, 0, "--purpose",
                         "refused by policy: purpose 'missing-person' may not search index '%s' "
                         "(strdb policy DB lists the rules)",
                         need[k]);
            return sdb_gov_refuse(s, action, params, SDB_EPOLICY, d);
        }
    return SDB_OK;
}

static void mp_params(char *buf, size_t size, const sdb_mp_query *q, const sdb_mp_opts *o)
{
    int n = snprintf(buf, size, "family=%s\ncase=%s\nremains=%s\nremains_index=%s",
                     q->family ? q->family : "*", q->case_ref ? q->case_ref : "*",
                     q->remains ? q->remains : "*",
                     q->remains_index ? q->remains_index : "unidentified-remains");
    if (o && n > 0 && (size_t)n < size)
        snprintf(buf + n, size - (size_t)n,
                 "\nmutation=%d:%g:%g\ntheta=%g\ndropout=%g\nmin_lr=%g\ntop=%d",
                 o->model.male.kind, o->model.male.rate, o->model.female.rate, o->model.theta,
                 o->dropout, o->min_lr, o->top);
}

static int load(sdb_session *s, const sdb_mp_query *q, const char *ri, sdb_mp_data *m,
                sdb_diag *d)
{
    int rc = sdb_mp_load_families(s->db, q->family, q->case_ref, "relative-of-missing",
                                  &m->families, &m->n_families, d);
    if (!rc) rc = sdb_mp_load_remains(s->db, ri, q->remains, &m->remains, &m->n_remains, d);
    if (rc) sdb_mp_data_free(m);
    return rc;
}

/* The sample ids to record: remains[which] and the references of the
 * families flagged (all when flags is NULL). */
static int touched(const sdb_mp_data *m, const char *fam_flag, const char *rem_flag,
                   const char ***ids, long *n)
{
    long cap = m->n_remains + 1;
    for (int f = 0; f < m->n_families; f++)
        cap += m->families[f].n_typed;
    const char **v = *ids = malloc((size_t)cap * sizeof *v);
    if (!v) return SDB_ENOMEM;
    *n = 0;
    for (long r = 0; r < m->n_remains; r++)
        if (!rem_flag || rem_flag[r]) v[(*n)++] = m->remains[r].sample_id;
    for (int f = 0; f < m->n_families; f++)
        for (int i = 0; (!fam_flag || fam_flag[f]) && i < m->families[f].n; i++)
            if (m->families[f].typed[i]) v[(*n)++] = m->families[f].typed[i]->sample_id;
    return SDB_OK;
}

int sdb_session_mp_data(sdb_session *s, const sdb_mp_query *q, sdb_mp_data *m, sdb_diag *d)
{
    char params[1536];
    const char *ri;
    memset(m, 0, sizeof *m);
    mp_params(params, sizeof params, q, NULL);
    int rc = mp_gate(s, "mp-read", q, params, &ri, d);
    if (rc) return rc;
    int st = load(s, q, ri, m, d);
    const char **ids = NULL;
    long n = 0;
    if (!st) st = touched(m, NULL, NULL, &ids, &n);
    rc = sdb_gov_audit(s, "mp-read", params, st ? 0 : n, ids, st ? 0 : n, st ? "failed" : "ok", d);
    free(ids);
    if (rc || st) sdb_mp_data_free(m);
    return rc ? rc : st;
}

int sdb_session_mp_search(sdb_session *s, const sdb_mp_query *q, const sdb_freq *f, int pop,
                          const sdb_mp_opts *o, sdb_mp_data *m, sdb_mp_result *r, sdb_diag *d)
{
    char params[1536];
    const char *ri;
    memset(m, 0, sizeof *m);
    memset(r, 0, sizeof *r);
    mp_params(params, sizeof params, q, o);
    int rc = mp_gate(s, "mp-search", q, params, &ri, d);
    if (rc) return rc;
    int st = load(s, q, ri, m, d);
    if (!st) st = sdb_mp_search(m->families, m->n_families, m->remains, m->n_remains, f, pop, o, r, d);
    /* the candidates: every remains and family in a result list */
    char *ff = st ? NULL : calloc((size_t)m->n_families + 1, 1);
    char *rf = st ? NULL : calloc((size_t)m->n_remains + 1, 1);
    if (!st && (!ff || !rf)) st = SDB_ENOMEM;
    for (long i = 0; !st && i < r->n_by_remains; i++) {
        ff[r->by_remains[i].family] = 1;
        rf[r->by_remains[i].remains] = 1;
    }
    for (long i = 0; !st && i < r->n_by_family; i++) {
        ff[r->by_family[i].family] = 1;
        rf[r->by_family[i].remains] = 1;
    }
    const char **ids = NULL;
    long n = 0;
    if (!st) st = touched(m, ff, rf, &ids, &n);
    long hits = st ? 0 : r->n_by_remains > r->n_by_family ? r->n_by_remains : r->n_by_family;
    rc = sdb_gov_audit(s, "mp-search", params, hits, ids, st ? 0 : n, st ? "failed" : "ok", d);
    free(ids);
    free(ff);
    free(rf);
    if (rc || st) {
        sdb_mp_data_free(m);
        sdb_mp_result_free(r);
    }
    return rc ? rc : st;
}
