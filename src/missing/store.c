/* Missing-person families and remains read from the store
 * (missing_internal.h): the session layer calls these after its gate. */
#include <stdlib.h>
#include <string.h>

#include "missing/missing_internal.h"
#include "store/store_internal.h"

static int grow(sdb_mp_family **fams, int n, int *cap)
{
    if (n < *cap) return SDB_OK;
    int c = *cap ? 2 * *cap : 64;
    sdb_mp_family *g = realloc(*fams, (size_t)c * sizeof *g);
    if (!g) return SDB_ENOMEM;
    *fams = g;
    *cap = c;
    return SDB_OK;
}

/* The persons of family id (rows ordered by family, then person id) into
 * fam: ids, sexes, missing flags, parents by index. */
static int read_members(sqlite3_stmt *st, int *step, sdb_mp_family *fam, long long **pid)
{
    memset(fam, 0, sizeof *fam);
    long long id = sqlite3_column_int64(st, 0);
    int cap = 8, n = 0, rc = SDB_OK;
    long long *ids = malloc((size_t)cap * sizeof *ids), *par = malloc((size_t)cap * 2 * sizeof *par);
    char *sex = malloc((size_t)cap), *miss = malloc((size_t)cap);
    char **ext = malloc((size_t)cap * sizeof *ext);
    char *name = strdup((const char *)sqlite3_column_text(st, 1));
    const unsigned char *case_ref = sqlite3_column_text(st, 2);
    char *cref = case_ref ? strdup((const char *)case_ref) : NULL;
    while (*step == SQLITE_ROW && sqlite3_column_int64(st, 0) == id) {
        if (n == cap) {
            cap *= 2;
            long long *a = realloc(ids, (size_t)cap * sizeof *a);
            if (a) ids = a;
            long long *b = realloc(par, (size_t)cap * 2 * sizeof *b);
            if (b) par = b;
            char *c = realloc(sex, (size_t)cap), *e = realloc(miss, (size_t)cap);
            if (c) sex = c;
            if (e) miss = e;
            char **x = realloc(ext, (size_t)cap * sizeof *x);
            if (x) ext = x;
            if (!a || !b || !c || !e || !x) {
                rc = SDB_ENOMEM;
                break;
            }
        }
        ids[n] = sqlite3_column_int64(st, 3);
        ext[n] = strdup((const char *)sqlite3_column_text(st, 4));
        sex[n] = (char)sqlite3_column_text(st, 5)[0];
        par[2 * n] = sqlite3_column_type(st, 6) == SQLITE_NULL ? 0 : sqlite3_column_int64(st, 6);
        par[2 * n + 1] = sqlite3_column_type(st, 7) == SQLITE_NULL ? 0 : sqlite3_column_int64(st, 7);
        miss[n] = (char)sqlite3_column_int(st, 8);
        n++;
        *step = sqlite3_step(st);
    }
    if (!rc) rc = sdb_mp_family_init(fam, n);
    fam->name = name;
    fam->case_ref = cref;
    for (int i = 0; i < n; i++) {
        if (rc) {
            free(ext[i]);
            continue;
        }
        fam->ids[i] = ext[i];
        fam->sex[i] = sex[i];
        fam->missing[i] = (unsigned char)miss[i];
        for (int k = 0; k < 2; k++)
            for (int j = 0; j < n && par[2 * i + k]; j++)
                if (ids[j] == par[2 * i + k]) (k ? fam->mother : fam->father)[i] = j;
    }
    if (rc) fam->n = 0;
    free(ext);
    free(sex);
    free(miss);
    free(par);
    *pid = ids;
    return rc;
}

/* The references: each member's autosomal profiles of the given indexes
 * (the first by sample id when a person has several). */
static int read_references(sdb_db *db, sdb_mp_family *fams, int n, long long **pids,
                           const char *indexes, sdb_diag *d)
{
    sqlite3_stmt *st;
    if (sdb_store_prepare(db,
                          "SELECT p.sample_id, p.genotype FROM person_profile pp"
                          " JOIN profile p ON p.id = pp.profile_id WHERE pp.person_id = ?2"
                          " AND p.kind = 'autosomal' AND " STORE_INDEX_IN("p.index_name")
                          " ORDER BY p.sample_id LIMIT 1",
                          &st, d))
        return SDB_ESTORE;
    sqlite3_bind_text(st, 1, indexes, -1, SQLITE_STATIC);
    int rc = SDB_OK;
    for (int f = 0; f < n && !rc; f++)
        for (int i = 0; i < fams[f].n && !rc; i++) {
            if (fams[f].missing[i]) continue; /* a direct reference is for strdb search */
            sqlite3_bind_int64(st, 2, pids[f][i]);
            int step = sqlite3_step(st);
            if (step == SQLITE_ROW) {
                sdb_profile *p = fams[f].typed[i] = calloc(1, sizeof *p);
                if (!p) rc = SDB_ENOMEM;
                if (!rc) {
                    sdb_profile_init(p);
                    rc = sdb_genotype_decode(p, db->cat, sqlite3_column_blob(st, 1),
                                             (size_t)sqlite3_column_bytes(st, 1));
                }
                if (!rc) rc = sdb_profile_set_id(p, (const char *)sqlite3_column_text(st, 0), -1);
            } else if (step != SQLITE_DONE)
                rc = SDB_ESTORE;
            sqlite3_reset(st);
        }
    sqlite3_finalize(st);
    return rc;
}

int sdb_mp_load_families(sdb_db *db, const char *family, const char *case_ref,
                         const char *ref_indexes, sdb_mp_family **out, int *n_out, sdb_diag *d)
{
    *out = NULL;
    *n_out = 0;
    sqlite3_stmt *st;
    if (sdb_store_prepare(db,
                          "SELECT f.id, f.name, f.case_ref, pe.id, pe.ext_id, pe.sex, pe.father,"
                          " pe.mother, m.missing FROM mp_family f"
                          " JOIN mp_member m ON m.family_id = f.id"
                          " JOIN person pe ON pe.id = m.person_id"
                          " WHERE (?1 IS NULL OR f.name = ?1) AND (?2 IS NULL OR f.case_ref = ?2)"
                          " ORDER BY f.id, pe.id",
                          &st, d))
        return SDB_ESTORE;
    sqlite3_bind_text(st, 1, family, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, case_ref, -1, SQLITE_STATIC);
    sdb_mp_family *fams = NULL;
    long long **pids = NULL;
    int n = 0, cap = 0, rc = SDB_OK, step = sqlite3_step(st);
    while (!rc && step == SQLITE_ROW) {
        if ((rc = grow(&fams, n, &cap))) break;
        long long **g = realloc(pids, (size_t)cap * sizeof *g);
        if (!g) {
            rc = SDB_ENOMEM;
            break;
        }
        pids = g;
        rc = read_members(st, &step, &fams[n], &pids[n]);
        n++;
    }
    if (!rc && step != SQLITE_DONE) rc = SDB_ESTORE;
    sqlite3_finalize(st);
    if (!rc) rc = read_references(db, fams, n, pids, ref_indexes, d);
    for (int f = 0; f < n && !rc; f++)
        if ((rc = sdb_mp_family_finish(&fams[f], d))) {
            sdb_diag_prefix(d, "family '%s': ", fams[f].name);
        }
    for (int f = 0; pids && f < n; f++)
        free(pids[f]);
    free(pids);
    if (!rc && (family || case_ref) && !n) {
        if (family)
            sdb_diag_set(d, NULL, 0, "family", "no family '%s' is stored%s%s", family,
                         case_ref ? " under case " : "", case_ref ? case_ref : "");
        else
            sdb_diag_set(d, NULL, 0, "case", "no family is stored under case '%s'", case_ref);
        rc = SDB_ENOTFOUND;
    }
    if (rc) {
        for (int f = 0; f < n; f++)
            sdb_mp_family_free(&fams[f]);
        free(fams);
        return rc;
    }
    *out = fams;
    *n_out = n;
    return SDB_OK;
}

int sdb_mp_load_remains(sdb_db *db, const char *indexes, const char *samples, sdb_profile **out,
                        long *n_out, sdb_diag *d)
{
    *out = NULL;
    *n_out = 0;
    sqlite3_stmt *st;
    if (sdb_store_prepare(db,
                          "SELECT sample_id, genotype FROM profile WHERE kind = 'autosomal' AND "
                          STORE_INDEX_IN("index_name") " AND (?2 IS NULL OR"
                          " instr(',' || ?2 || ',', ',' || sample_id || ',') > 0)"
                          " ORDER BY id",
                          &st, d))
        return SDB_ESTORE;
    sqlite3_bind_text(st, 1, indexes, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, samples, -1, SQLITE_STATIC);
    sdb_profile *p = NULL;
    long n = 0, cap = 0;
    int rc = SDB_OK;
    while (sdb_store_row(st, &rc)) {
        if (n == cap) {
            cap = cap ? 2 * cap : 256;
            sdb_profile *g = realloc(p, (size_t)cap * sizeof *g);
            if (!g) {
                rc = SDB_ENOMEM;
                break;
            }
            p = g;
        }
        sdb_profile_init(&p[n]);
        rc = sdb_genotype_decode(&p[n], db->cat, sqlite3_column_blob(st, 1),
                                 (size_t)sqlite3_column_bytes(st, 1));
        if (!rc) rc = sdb_profile_set_id(&p[n], (const char *)sqlite3_column_text(st, 0), -1);
        n++;
        if (rc) break;
    }
    sqlite3_finalize(st);
    /* every sample named must be there */
    for (const char *x = samples; !rc && x && *x;) {
        size_t len = strcspn(x, ",");
        long i = 0;
        while (i < n && (strlen(p[i].sample_id) != len || memcmp(p[i].sample_id, x, len)))
            i++;
        if (i == n) {
            sdb_diag_set(d, NULL, 0, "remains", "no remains profile '%.*s' in %s", (int)len, x,
                         indexes);
            rc = SDB_ENOTFOUND;
        }
        x += len + (x[len] == ',');
    }
    if (rc) {
        for (long i = 0; i < n; i++)
            sdb_profile_free(&p[i]);
        free(p);
        return rc;
    }
    *out = p;
    *n_out = n;
    return SDB_OK;
}
