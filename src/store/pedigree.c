/* Pedigree import: persons and their profile links, one transaction. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_internal.h"
#include "strdb/pedigree.h"

/* The statements of the link pass, prepared once for the whole file. */
typedef struct link_stmts {
    sqlite3_stmt *find, *parents, *link;
} link_stmts;

static int link_stmts_open(sdb_db *db, link_stmts *s, sdb_diag *d)
{
    memset(s, 0, sizeof *s);
    if (sdb_store_prepare(db, "SELECT id, sex FROM person WHERE ext_id = ?", &s->find, d) ||
        sdb_store_prepare(db, "UPDATE person SET father = ?2, mother = ?3 WHERE id = ?1", &s->parents,
                      d) ||
        sdb_store_prepare(db,
                      "INSERT INTO person_profile SELECT ?1, id FROM profile WHERE sample_id = ?2"
                      " OR (?3 AND sample_id = ?2 || 'Y')",
                      &s->link, d))
        return SDB_ESTORE;
    return SDB_OK;
}

static void link_stmts_close(link_stmts *s)
{
    sqlite3_finalize(s->find);
    sqlite3_finalize(s->parents);
    sqlite3_finalize(s->link);
}

/* id and sex of a stored person, or SDB_ENOTFOUND. */
static int stored_person(sqlite3_stmt *find, const char *ext_id, long long *id, char *sex)
{
    sqlite3_bind_text(find, 1, ext_id, -1, SQLITE_STATIC);
    int step = sqlite3_step(find);
    if (step == SQLITE_ROW) {
        *id = sqlite3_column_int64(find, 0);
        *sex = ((const char *)sqlite3_column_text(find, 1))[0];
    }
    sqlite3_reset(find);
    return step == SQLITE_ROW ? SDB_OK : step == SQLITE_DONE ? SDB_ENOTFOUND : SDB_ESTORE;
}

static int read_all(const char *path, char **text, size_t *len, sdb_diag *d)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        sdb_diag_set(d, path, 0, NULL, "cannot read the file");
        return SDB_EIO;
    }
    int rc = sdb_slurp(f, text, len);
    fclose(f);
    if (rc == SDB_EIO) sdb_diag_set(d, path, 0, NULL, "cannot read the file");
    return rc;
}

/* Pass 1: insert every person without parents, checking ids are new. */
static int insert_persons(sdb_db *db, const sdb_pedigree *p, const char *path, sdb_diag *d)
{
    sqlite3_stmt *st;
    if (sdb_store_prepare(db,
                      "INSERT INTO person(ext_id, sex, birth_year, source_file, source_line)"
                      " VALUES (?, ?, ?, ?, ?)",
                      &st, d))
        return SDB_ESTORE;
    int rc = SDB_OK;
    for (long i = 0; !rc && i < p->n; i++) {
        const sdb_person *x = &p->persons[i];
        char sex[2] = {x->sex, 0};
        sqlite3_bind_text(st, 1, x->id, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, sex, -1, SQLITE_TRANSIENT);
        if (x->birth_year)
            sqlite3_bind_int(st, 3, x->birth_year);
        else
            sqlite3_bind_null(st, 3);
        sqlite3_bind_text(st, 4, path, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 5, x->line);
        int step = sqlite3_step(st);
        if (step == SQLITE_CONSTRAINT) {
            sdb_diag_set(d, path, x->line, "id", "person '%s' is already stored", x->id);
            rc = SDB_EDUP;
        } else if (step != SQLITE_DONE)
            rc = SDB_ESTORE;
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    return rc;
}

/* Pass 2: parents (in the file or stored, right sex) and profile links. */
static int link_person(sdb_db *db, link_stmts *q, const sdb_person *x, int named_samples,
                       const char *path, sdb_pedigree_stats *stats, sdb_diag *d)
{
    long long self, parent[2] = {0, 0};
    char sex, psex;
    int rc = stored_person(q->find, x->id, &self, &sex);
    const char *names[2] = {x->father, x->mother};
    for (int k = 0; !rc && k < 2; k++) {
        if (!names[k]) continue;
        rc = stored_person(q->find, names[k], &parent[k], &psex);
        if (rc == SDB_ENOTFOUND)
            sdb_diag_set(d, path, x->line, k ? "mother" : "father",
                         "unknown %s '%s' (neither in the file nor stored)", k ? "mother" : "father",
                         names[k]);
        else if (!rc && psex == (k ? 'M' : 'F')) {
            sdb_diag_set(d, path, x->line, k ? "mother" : "father", "%s '%s' is %s",
                         k ? "mother" : "father", names[k], k ? "male" : "female");
            rc = SDB_EINVAL;
        }
    }
    if (!rc && (parent[0] || parent[1])) {
        sqlite3_bind_int64(q->parents, 1, self);
        for (int k = 0; k < 2; k++)
            if (parent[k])
                sqlite3_bind_int64(q->parents, 2 + k, parent[k]);
            else
                sqlite3_bind_null(q->parents, 2 + k);
        if (sqlite3_step(q->parents) != SQLITE_DONE) rc = SDB_ESTORE;
        sqlite3_reset(q->parents);
    }
    /* simulator output: the person's id and its Y record "<id>Y"; a named
     * file: the sample ids of the column, ';' between several */
    const char *sample = named_samples ? x->sample_id : x->id;
    if (rc || !sample) return rc;
    int linked = 0;
    for (const char *s = sample; !rc && *s;) {
        size_t len = strcspn(s, ";");
        sqlite3_bind_int64(q->link, 1, self);
        sqlite3_bind_text(q->link, 2, s, (int)len, SQLITE_STATIC);
        sqlite3_bind_int(q->link, 3, !named_samples);
        if (sqlite3_step(q->link) != SQLITE_DONE) rc = SDB_ESTORE;
        int one = sqlite3_changes(db->sql);
        sqlite3_reset(q->link);
        if (!rc && !one && named_samples) {
            sdb_diag_set(d, path, x->line, "sample_id", "no stored profile '%.*s'", (int)len, s);
            rc = SDB_ENOTFOUND;
        }
        linked += one;
        s += len + (s[len] == ';');
    }
    stats->linked_profiles += linked;
    return rc;
}

/* Typed parent-child pairs of the file: an autosomal locus typed in both
 * with no shared allele (a Mendelian inconsistency or a mutation) and Y
 * haplotypes of father and son that differ are counted and logged. */
static int compare_typed(sdb_db *db, const char *path, sdb_pedigree_stats *stats)
{
    static const char sql[] =
        "SELECT c.ext_id, cp.sample_id, pp.sample_id, p.sex, cp.kind FROM person c"
        " JOIN person p ON p.id IN (c.father, c.mother)"
        " JOIN person_profile cl ON cl.person_id = c.id JOIN profile cp ON cp.id = cl.profile_id"
        " JOIN person_profile pl ON pl.person_id = p.id JOIN profile pp ON pp.id = pl.profile_id"
        " WHERE c.source_file = ?1 AND cp.kind = pp.kind AND (cp.kind = 'autosomal' OR"
        " (p.sex = 'M' AND c.sex = 'M'))";
    sqlite3_stmt *st;
    if (sdb_store_prepare(db, sql, &st, NULL)) return SDB_ESTORE;
    sqlite3_bind_text(st, 1, path, -1, SQLITE_STATIC);
    int rc = SDB_OK;
    sdb_profile a, b;
    sdb_profile_init(&a);
    sdb_profile_init(&b);
    while (sdb_store_row(st, &rc)) {
        const char *child = (const char *)sqlite3_column_text(st, 0);
        int y = !strcmp((const char *)sqlite3_column_text(st, 4), "Y");
        if (sdb_db_get(db, (const char *)sqlite3_column_text(st, 1), &a) ||
            sdb_db_get(db, (const char *)sqlite3_column_text(st, 2), &b))
            continue;
        int bad = 0;
        for (int i = 0, j = 0; i < a.n_calls && j < b.n_calls;) {
            const sdb_call *ca = &a.calls[i], *cb = &b.calls[j];
            if (ca->locus != cb->locus) {
                ca->locus < cb->locus ? i++ : j++;
                continue;
            }
            int shared = 0, same = ca->n == cb->n;
            for (uint32_t u = 0; u < ca->n; u++)
                for (uint32_t v = 0; v < cb->n; v++) {
                    shared |= a.alleles[ca->first + u] == b.alleles[cb->first + v];
                    same &= u != v || a.alleles[ca->first + u] == b.alleles[cb->first + v];
                }
            bad += y ? !same : !shared;
            i++, j++;
        }
        if (!bad) continue;
        if (y)
            stats->y_flags++;
        else
            stats->mendel_flags++;
        sdb_log(SDB_LOG_WARNING, "%s: %s and its %s differ at %d %s locus/loci (%s)", path, child,
                sqlite3_column_text(st, 3)[0] == 'M' ? "father" : "mother", bad,
                y ? "Y" : "autosomal", y ? "mutations or a false paternity" : "Mendelian inconsistency or mutation");
    }
    sqlite3_finalize(st);
    sdb_profile_free(&a);
    sdb_profile_free(&b);
    return rc;
}

/* The missing-person families of the file: one row each (a name already
 * stored is refused), its members, and no missing person typed with a
 * relative's or any other profile than a direct reference. */
static int insert_families(sdb_db *db, const sdb_ctx *ctx, const sdb_pedigree *p, const char *path,
                           sdb_pedigree_stats *stats, sdb_diag *d)
{
    sqlite3_stmt *fam = NULL, *find = NULL, *member = NULL, *typed = NULL;
    int rc = sdb_store_prepare(db,
                               "INSERT INTO mp_family(name, case_ref, source_file, source_line)"
                               " VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING",
                               &fam, d);
    if (!rc) rc = sdb_store_prepare(db, "SELECT id, source_file = ?2 FROM mp_family WHERE name = ?1", &find, d);
    if (!rc)
        rc = sdb_store_prepare(db,
                               "INSERT INTO mp_member SELECT ?1, id, ?3 FROM person WHERE ext_id = ?2",
                               &member, d);
    if (!rc)
        rc = sdb_store_prepare(db,
                               "SELECT pr.sample_id, pr.index_name FROM person pe"
                               " JOIN person_profile pp ON pp.person_id = pe.id"
                               " JOIN profile pr ON pr.id = pp.profile_id"
                               " WHERE pe.ext_id = ?1 AND pr.index_name <> 'missing-person'",
                               &typed, d);
    for (long i = 0; !rc && i < p->n; i++) {
        const sdb_person *x = &p->persons[i];
        if (!x->family) continue;
        sqlite3_bind_text(fam, 1, x->family, -1, SQLITE_STATIC);
        if (ctx && ctx->case_ref)
            sqlite3_bind_text(fam, 2, ctx->case_ref, -1, SQLITE_STATIC);
        else
            sqlite3_bind_null(fam, 2);
        sqlite3_bind_text(fam, 3, path, -1, SQLITE_STATIC);
        sqlite3_bind_int64(fam, 4, x->line);
        if (sqlite3_step(fam) != SQLITE_DONE) rc = SDB_ESTORE;
        stats->families += sqlite3_changes(db->sql);
        sqlite3_reset(fam);
        long long id = 0;
        int ours = 0;
        sqlite3_bind_text(find, 1, x->family, -1, SQLITE_STATIC);
        sqlite3_bind_text(find, 2, path, -1, SQLITE_STATIC);
        if (!rc && sqlite3_step(find) == SQLITE_ROW) {
            id = sqlite3_column_int64(find, 0);
            ours = sqlite3_column_int(find, 1);
        } else if (!rc)
            rc = SDB_ESTORE;
        sqlite3_reset(find);
        /* a name stored by an earlier import: this file's rows would join another's family */
        if (!rc && !ours) {
            sdb_diag_set(d, path, x->line, "family", "family '%s' is already stored", x->family);
            rc = SDB_EDUP;
        }
        sqlite3_bind_int64(member, 1, id);
        sqlite3_bind_text(member, 2, x->id, -1, SQLITE_STATIC);
        sqlite3_bind_int(member, 3, x->missing);
        if (!rc && sqlite3_step(member) != SQLITE_DONE) rc = SDB_ESTORE;
        sqlite3_reset(member);
        if (rc || !x->missing) continue;
        sqlite3_bind_text(typed, 1, x->id, -1, SQLITE_STATIC);
        if (sqlite3_step(typed) == SQLITE_ROW) {
            sdb_diag_set(d, path, x->line, "missing",
                         "missing person '%s' is typed: profile '%s' of index '%s' is linked "
                         "(a missing person's own profile belongs in the missing-person index)",
                         x->id, sqlite3_column_text(typed, 0), sqlite3_column_text(typed, 1));
            rc = SDB_EINVAL;
        }
        sqlite3_reset(typed);
    }
    sqlite3_finalize(fam);
    sqlite3_finalize(find);
    sqlite3_finalize(member);
    sqlite3_finalize(typed);
    return rc;
}

/* The import of a parsed pedigree (freed here). */
static int import_parsed(sdb_db *db, const sdb_ctx *ctx, const char *path, sdb_pedigree *p,
                         sdb_pedigree_stats *stats, sdb_diag *d)
{
    int named_samples = 0, rc;
    for (long i = 0; i < p->n; i++)
        named_samples |= p->persons[i].sample_id != NULL;
    if (sdb_store_begin(db, d)) {
        sdb_pedigree_free(p);
        return SDB_ESTORE;
    }
    link_stmts q = {0};
    rc = insert_persons(db, p, path, d);
    if (!rc) rc = link_stmts_open(db, &q, d);
    for (long i = 0; !rc && i < p->n; i++)
        rc = link_person(db, &q, &p->persons[i], named_samples, path, stats, d);
    link_stmts_close(&q);
    if (!rc) rc = insert_families(db, ctx, p, path, stats, d);
    if (!rc) {
        stats->persons = p->n;
        rc = compare_typed(db, path, stats);
    }
    char params[1200];
    snprintf(params, sizeof params, "file=%s", path);
    if (!rc) rc = sdb_audit_append(db, ctx, "pedigree-import", params, p->n, "ok");
    sdb_pedigree_free(p);
    return sdb_store_end(db, rc, d);
}

int sdb_pedigree_import(sdb_db *db, const sdb_ctx *ctx, const char *path,
                        sdb_pedigree_stats *stats, sdb_diag *d)
{
    memset(stats, 0, sizeof *stats);
    char *text = NULL;
    size_t len = 0;
    sdb_pedigree *p = NULL;
    int rc = read_all(path, &text, &len, d);
    if (!rc) rc = sdb_pedigree_parse(&p, path, text, len, d);
    free(text);
    return rc ? rc : import_parsed(db, ctx, path, p, stats, d);
}

int sdb_pedigree_import_mem(sdb_db *db, const sdb_ctx *ctx, const char *name, const char *text,
                            size_t len, sdb_pedigree_stats *stats, sdb_diag *d)
{
    memset(stats, 0, sizeof *stats);
    sdb_pedigree *p = NULL;
    int rc = sdb_pedigree_parse(&p, name, text, len, d);
    return rc ? rc : import_parsed(db, ctx, name, p, stats, d);
}

int sdb_person_y_profile(sdb_db *db, const char *sample_id, const char *indexes, char *sex,
                         sdb_profile *y)
{
    sqlite3_stmt *st;
    *sex = 0;
    if (sdb_store_prepare(db,
                      "SELECT pe.sex, y.sample_id, y.genotype FROM profile a"
                      " JOIN person_profile pa ON pa.profile_id = a.id"
                      " JOIN person pe ON pe.id = pa.person_id"
                      " LEFT JOIN (SELECT py.person_id, p.sample_id, p.genotype FROM person_profile py"
                      "  JOIN profile p ON p.id = py.profile_id WHERE p.kind = 'Y' AND "
                      STORE_INDEX_IN("p.index_name") ") y ON y.person_id = pe.id"
                      " WHERE a.sample_id = ?2 ORDER BY y.sample_id IS NULL, y.sample_id LIMIT 1",
                      &st, NULL))
        return SDB_ESTORE;
    sqlite3_bind_text(st, 1, indexes, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, sample_id, -1, SQLITE_STATIC);
    int rc = SDB_ENOTFOUND, step = sqlite3_step(st);
    if (step == SQLITE_ROW) {
        *sex = ((const char *)sqlite3_column_text(st, 0))[0];
        if (sqlite3_column_type(st, 1) != SQLITE_NULL) {
            rc = sdb_genotype_decode(y, db->cat, sqlite3_column_blob(st, 2),
                                 (size_t)sqlite3_column_bytes(st, 2));
            if (!rc) rc = sdb_profile_set_id(y, (const char *)sqlite3_column_text(st, 1), -1);
        }
    } else if (step != SQLITE_DONE)
        rc = SDB_ESTORE;
    sqlite3_finalize(st);
    return rc;
}
