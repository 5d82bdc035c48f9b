/* Lineage search: the lineages a haplotype joins, their typed members ranked
 * by the posterior number of meioses, and the paternal family trees of the
 * pedigree store expanded into the investigative leads list. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_internal.h"
#include "strdb/lineage.h"
#include "strdb/search.h"

void sdb_lineage_search_opts_init(sdb_lineage_search_opts *o)
{
    memset(o, 0, sizeof *o);
    o->max_loci = -1; /* the last build's */
    o->max_steps = -2;
    o->min_loci = -1;
    o->max_meioses = 40;
    o->threads = 2;
    o->max_tree = 100000;
}

void sdb_lineage_result_free(sdb_lineage_result *r)
{
    for (long i = 0; i < r->n_members; i++) {
        free(r->members[i].sample_id);
        free(r->members[i].person);
    }
    for (long i = 0; i < r->n_leads; i++) {
        free(r->leads[i].person);
        free(r->leads[i].sample_id);
        free(r->leads[i].via);
    }
    free(r->members);
    free(r->leads);
    free(r->lineages);
    free(r->lineage_size);
    memset(r, 0, sizeof *r);
}

static char *dup_text(const unsigned char *s)
{
    return s ? strdup((const char *)s) : NULL;
}

/* The options of the last build fill what the caller left at -1. */
static int build_options(sdb_db *db, sdb_lineage_search_opts *o, sdb_diag *d)
{
    sqlite3_stmt *st;
    if (sdb_store_prepare(db,
                      "SELECT max_loci, max_steps, min_loci FROM lineage_build ORDER BY id DESC"
                      " LIMIT 1",
                      &st, d))
        return SDB_ESTORE;
    int step = sqlite3_step(st);
    if (step == SQLITE_ROW) {
        if (o->max_loci < 0) o->max_loci = sqlite3_column_int(st, 0);
        if (o->max_steps == -2) o->max_steps = sqlite3_column_int(st, 1);
        if (o->min_loci < 0) o->min_loci = sqlite3_column_int(st, 2);
    }
    sqlite3_finalize(st);
    if (step != SQLITE_ROW) {
        sdb_diag_set(d, NULL, 0, NULL, "no lineages built yet: run strdb lineage build first");
        return SDB_ENOTFOUND;
    }
    return SDB_OK;
}

static int add_lineage(sdb_lineage_result *r, long long id, long size)
{
    for (long i = 0; i < r->n_lineages; i++)
        if (r->lineages[i] == id) return SDB_OK;
    long long *t = realloc(r->lineages, (size_t)(r->n_lineages + 1) * sizeof *t);
    long *s = t ? realloc(r->lineage_size, (size_t)(r->n_lineages + 1) * sizeof *s) : NULL;
    if (t) r->lineages = t;
    if (!s) return SDB_ENOMEM;
    r->lineage_size = s;
    r->lineages[r->n_lineages] = id;
    r->lineage_size[r->n_lineages++] = size;
    return SDB_OK;
}

/* Lineages of the near matches. */
static int find_lineages(sdb_db *db, const sdb_idx *x, const sdb_profile *q,
                         const sdb_lineage_search_opts *o, sdb_lineage_result *r, sdb_diag *d)
{
    sdb_ysearch_opts yo;
    sdb_ysearch_opts_init(&yo);
    yo.max_loci = o->max_loci;
    yo.max_steps = o->max_steps;
    yo.min_loci = o->min_loci;
    yo.threads = o->threads;
    yo.probe = o->probe;
    long *rows = NULL, n_hits = 0;
    sdb_yhit *hits = NULL;
    int rc = sdb_ysearch(x, q, &yo, &hits, &n_hits, d);
    rows = !rc && n_hits ? malloc((size_t)n_hits * sizeof *rows) : NULL;
    if (!rc && n_hits && !rows) rc = SDB_ENOMEM;
    for (long i = 0; !rc && i < n_hits; i++)
        rows[i] = hits[i].target;
    free(hits);
    if (rc) return rc;
    r->near_matches = n_hits;
    sqlite3_stmt *st;
    if (sdb_store_prepare(db,
                      "SELECT l.id, l.size FROM profile p JOIN lineage_member m ON m.profile_id = p.id"
                      " JOIN lineage l ON l.id = m.lineage_id WHERE p.sample_id = ?",
                      &st, d)) {
        free(rows);
        return SDB_ESTORE;
    }
    for (long i = 0; i < n_hits && !rc; i++) {
        sqlite3_bind_text(st, 1, sdb_idx_sample_id(x, rows[i]), -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW)
            rc = add_lineage(r, sqlite3_column_int64(st, 0), (long)sqlite3_column_int64(st, 1));
        else
            r->unassigned++; /* imported after the last build */
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    free(rows);
    return rc;
}

static int cmp_member(const void *a, const void *b)
{
    const sdb_lineage_member *x = a, *y = b;
    if (x->meioses.mode != y->meioses.mode) return x->meioses.mode - y->meioses.mode;
    if (x->meioses.loci_differing != y->meioses.loci_differing)
        return x->meioses.loci_differing - y->meioses.loci_differing;
    if (x->meioses.total_steps != y->meioses.total_steps)
        return x->meioses.total_steps - y->meioses.total_steps;
    return strcmp(x->sample_id, y->sample_id);
}

/* Every typed member of the lineages found (in the indexes allowed), with
 * the meioses posterior against the query and his person, if any. */
static int rank_members(sdb_db *db, const sdb_profile *q, const sdb_lineage_search_opts *o,
                        sdb_lineage_result *r, sdb_diag *d)
{
    sqlite3_stmt *st;
    if (sdb_store_prepare(db,
                      "SELECT p.sample_id, p.genotype, (SELECT pe.ext_id FROM person_profile pp"
                      " JOIN person pe ON pe.id = pp.person_id WHERE pp.profile_id = p.id"
                      " AND pe.sex = 'M' LIMIT 1)"
                      " FROM lineage_member m JOIN profile p ON p.id = m.profile_id"
                      " WHERE m.lineage_id = ?2 AND " STORE_INDEX_IN("p.index_name"),
                      &st, d))
        return SDB_ESTORE;
    sqlite3_bind_text(st, 1, o->indexes, -1, SQLITE_STATIC);
    double *post = malloc((size_t)(o->max_meioses + 1) * sizeof *post);
    sdb_profile t;
    sdb_profile_init(&t);
    long cap = 0;
    int rc = post ? SDB_OK : SDB_ENOMEM;
    for (long l = 0; l < r->n_lineages && !rc; l++) {
        sqlite3_bind_int64(st, 2, r->lineages[l]);
        int step;
        while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW) {
            rc = sdb_genotype_decode(&t, db->cat, sqlite3_column_blob(st, 1),
                                 (size_t)sqlite3_column_bytes(st, 1));
            if (rc) break;
            if (r->n_members == cap) {
                sdb_lineage_member *m = realloc(r->members, (size_t)(cap = cap ? 2 * cap : 64) * sizeof *m);
                if (!m) {
                    rc = SDB_ENOMEM;
                    break;
                }
                r->members = m;
            }
            sdb_lineage_member *m = &r->members[r->n_members];
            memset(m, 0, sizeof *m);
            m->lineage = r->lineages[l];
            rc = sdb_meioses_posterior(db->cat, q, &t, o->kit, o->max_meioses, post, &m->meioses, d);
            if (rc) break;
            m->p_close = 0; /* P(m <= 2 | haplotypes) */
            for (int k = 1; k <= 2 && k <= o->max_meioses; k++)
                m->p_close += post[k];
            m->sample_id = dup_text(sqlite3_column_text(st, 0));
            m->person = dup_text(sqlite3_column_text(st, 2));
            r->n_members++;
            if (!m->sample_id) rc = SDB_ENOMEM;
        }
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    sdb_profile_free(&t);
    free(post);
    if (!rc && r->n_members > 1) qsort(r->members, (size_t)r->n_members, sizeof *r->members, cmp_member);
    return rc;
}

/* ---- family trees ----------------------------------------------------------------- */

typedef struct node {
    long long id, father; /* person ids (father 0: none or outside the tree) */
    int depth, birth_year;
    long up;      /* index of the father in the tree, -1 for the root */
    long typed;   /* member index, or -1 */
    char *ext_id;
} node;

static int cmp_node_id(const void *a, const void *b)
{
    long long x = ((const node *)a)->id, y = ((const node *)b)->id;
    return (x > y) - (x < y);
}

static long node_of(const node *v, long n, long long id)
{
    node key = {.id = id};
    const node *f = bsearch(&key, v, (size_t)n, sizeof *v, cmp_node_id);
    return f ? f - v : -1;
}

static int cmp_lead(const void *a, const void *b)
{
    const sdb_lineage_lead *x = a, *y = b;
    if (x->estimate != y->estimate) return x->estimate - y->estimate;
    if (x->tree_meioses != y->tree_meioses) return x->tree_meioses - y->tree_meioses;
    return strcmp(x->person, y->person);
}

/* Paternal root of a person (climbs father links). */
static int root_of(sqlite3_stmt *father, long long id, long long *root)
{
    for (int guard = 0; guard < 100000; guard++) {
        sqlite3_bind_int64(father, 1, id);
        int step = sqlite3_step(father);
        long long f = step == SQLITE_ROW && sqlite3_column_type(father, 0) != SQLITE_NULL
                          ? sqlite3_column_int64(father, 0)
                          : 0;
        sqlite3_reset(father);
        if (step != SQLITE_ROW) return SDB_ESTORE;
        if (!f) break;
        id = f;
    }
    *root = id;
    return SDB_OK;
}

/* One tree: every man descending from root through sons (at most
 * o->max_tree), sorted by person id, each with the member index of his Y
 * haplotype among r's members (or -1). */
static int load_tree(sdb_db *db, long long root, const sdb_lineage_result *r,
                     const sdb_lineage_search_opts *o, node **out, long *n_out, sdb_diag *d)
{
    sqlite3_stmt *st, *typed;
    if (sdb_store_prepare(db,
                      "WITH RECURSIVE t(id, depth) AS (SELECT ?1, 0 UNION ALL"
                      " SELECT p.id, t.depth + 1 FROM person p JOIN t ON p.father = t.id"
                      " WHERE p.sex = 'M' LIMIT ?2)"
                      " SELECT t.id, coalesce(p.father, 0), t.depth, coalesce(p.birth_year, 0),"
                      " p.ext_id FROM t JOIN person p ON p.id = t.id",
                      &st, d))
        return SDB_ESTORE;
    if (sdb_store_prepare(db,
                      "SELECT pr.sample_id FROM person_profile pp JOIN profile pr"
                      " ON pr.id = pp.profile_id WHERE pp.person_id = ? AND pr.kind = 'Y'",
                      &typed, d)) {
        sqlite3_finalize(st);
        return SDB_ESTORE;
    }
    sqlite3_bind_int64(st, 1, root);
    sqlite3_bind_int64(st, 2, o->max_tree);
    node *v = NULL;
    long n = 0, cap = 0;
    int rc = SDB_OK;
    while (!rc && sdb_store_row(st, &rc)) {
        node *t = n == cap ? realloc(v, (size_t)(cap = cap ? 2 * cap : 64) * sizeof *v) : v;
        if (!t) {
            rc = SDB_ENOMEM;
            break;
        }
        v = t;
        v[n++] = (node){sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1),
                        sqlite3_column_int(st, 2), sqlite3_column_int(st, 3), -1, -1,
                        dup_text(sqlite3_column_text(st, 4))};
    }
    sqlite3_finalize(st);
    if (!rc && n > 1) qsort(v, (size_t)n, sizeof *v, cmp_node_id);
    for (long i = 0; !rc && i < n; i++) {
        v[i].up = v[i].id == root ? -1 : node_of(v, n, v[i].father);
        sqlite3_bind_int64(typed, 1, v[i].id);
        while (sdb_store_row(typed, &rc)) {
            const char *sid = (const char *)sqlite3_column_text(typed, 0);
            for (long m = 0; m < r->n_members; m++)
                if (!strcmp(r->members[m].sample_id, sid)) v[i].typed = m;
        }
        sqlite3_reset(typed);
    }
    sqlite3_finalize(typed);
    *out = v;
    *n_out = n;
    return rc;
}

/* The nearest typed member of a man: est = tree meioses + the member's
 * posterior mode; ties go to the smaller member index (the better ranked). */
typedef struct place {
    int est, dist;
    long member; /* -1: none */
} place;

static int place_better(place a, place b)
{
    if (b.member < 0) return a.member >= 0;
    if (a.member < 0) return 0;
    return a.est != b.est ? a.est < b.est : a.member < b.member;
}

static place place_step(place p)
{
    if (p.member >= 0) p.est++, p.dist++;
    return p;
}

static int cmp_depth(const void *a, const void *b, void *arg)
{
    const node *v = arg;
    long x = *(const long *)a, y = *(const long *)b;
    if (v[x].depth != v[y].depth) return v[x].depth - v[y].depth;
    return (x > y) - (x < y);
}

/* Every man of tree v[0..n) gets his nearest typed member in two passes (a
 * tree: the best place is either below him or through his father): up from
 * the deepest men, then down from the root. Appends the placed men as leads. */
static int place_leads(sdb_lineage_result *r, const node *v, long n, long *cap)
{
    place *pl = malloc((size_t)(n ? n : 1) * sizeof *pl);
    long *order = malloc((size_t)(n ? n : 1) * sizeof *order);
    if (!pl || !order) {
        free(pl);
        free(order);
        return SDB_ENOMEM;
    }
    for (long i = 0; i < n; i++) {
        order[i] = i;
        pl[i] = (place){v[i].typed >= 0 ? r->members[v[i].typed].meioses.mode : 0, 0, v[i].typed};
    }
    if (n > 1) qsort_r(order, (size_t)n, sizeof *order, cmp_depth, (void *)v);
    for (long k = n - 1; k > 0; k--) { /* from below */
        long i = order[k], u = v[i].up;
        if (u >= 0 && place_better(place_step(pl[i]), pl[u])) pl[u] = place_step(pl[i]);
    }
    for (long k = 0; k < n; k++) { /* through the father */
        long i = order[k], u = v[i].up;
        if (u >= 0 && place_better(place_step(pl[u]), pl[i])) pl[i] = place_step(pl[u]);
    }
    int rc = SDB_OK;
    for (long i = 0; i < n && !rc; i++) {
        if (pl[i].member < 0) continue;
        if (r->n_leads == *cap) {
            sdb_lineage_lead *t = realloc(r->leads, (size_t)(*cap = *cap ? 2 * *cap : 64) * sizeof *t);
            if (!t) {
                rc = SDB_ENOMEM;
                break;
            }
            r->leads = t;
        }
        const sdb_lineage_member *m = &r->members[pl[i].member];
        int dist = pl[i].dist;
        sdb_lineage_lead *l = &r->leads[r->n_leads++];
        *l = (sdb_lineage_lead){strdup(v[i].ext_id ? v[i].ext_id : ""),
                                v[i].typed >= 0 ? strdup(r->members[v[i].typed].sample_id) : NULL,
                                m->lineage,
                                strdup(m->sample_id),
                                dist,
                                pl[i].est,
                                m->meioses.lower - dist > 0 ? m->meioses.lower - dist : 0,
                                m->meioses.upper + dist,
                                v[i].birth_year,
                                v[i].depth};
        if (!l->person || !l->via || (v[i].typed >= 0 && !l->sample_id)) rc = SDB_ENOMEM;
    }
    free(pl);
    free(order);
    return rc;
}

static int expand_tree(sdb_db *db, long long root, sdb_lineage_result *r,
                       const sdb_lineage_search_opts *o, long *cap, sdb_diag *d)
{
    node *v = NULL;
    long n = 0;
    int rc = load_tree(db, root, r, o, &v, &n, d);
    if (!rc) rc = place_leads(r, v, n, cap);
    for (long i = 0; i < n; i++)
        free(v[i].ext_id);
    free(v);
    return rc;
}

static int expand_trees(sdb_db *db, sdb_lineage_result *r, const sdb_lineage_search_opts *o,
                        sdb_diag *d)
{
    sqlite3_stmt *father, *person;
    if (sdb_store_prepare(db, "SELECT father FROM person WHERE id = ?", &father, d)) return SDB_ESTORE;
    if (sdb_store_prepare(db,
                      "SELECT pe.id FROM person pe JOIN person_profile pp ON pp.person_id = pe.id"
                      " JOIN profile pr ON pr.id = pp.profile_id WHERE pr.sample_id = ?"
                      " AND pe.sex = 'M'",
                      &person, d)) {
        sqlite3_finalize(father);
        return SDB_ESTORE;
    }
    long long *roots = NULL;
    long n_roots = 0;
    int rc = SDB_OK;
    for (long m = 0; m < r->n_members && !rc; m++) {
        if (!r->members[m].person) continue;
        sqlite3_bind_text(person, 1, r->members[m].sample_id, -1, SQLITE_STATIC);
        long long id = sqlite3_step(person) == SQLITE_ROW ? sqlite3_column_int64(person, 0) : 0;
        sqlite3_reset(person);
        long long root;
        if (!id || (rc = root_of(father, id, &root))) continue;
        int seen = 0;
        for (long i = 0; i < n_roots; i++)
            seen |= roots[i] == root;
        if (seen) continue;
        long long *t = realloc(roots, (size_t)(n_roots + 1) * sizeof *t);
        if (!t) {
            rc = SDB_ENOMEM;
            break;
        }
        roots = t;
        roots[n_roots++] = root;
    }
    sqlite3_finalize(father);
    sqlite3_finalize(person);
    long cap = 0;
    for (long i = 0; i < n_roots && !rc; i++)
        rc = expand_tree(db, roots[i], r, o, &cap, d);
    r->trees = n_roots;
    free(roots);
    if (!rc && r->n_leads > 1) qsort(r->leads, (size_t)r->n_leads, sizeof *r->leads, cmp_lead);
    return rc;
}

int sdb_lineage_search(sdb_db *db, const sdb_idx *x, const sdb_profile *q,
                       const sdb_lineage_search_opts *opts, sdb_lineage_result *r, sdb_diag *d)
{
    memset(r, 0, sizeof *r);
    sdb_lineage_search_opts o = *opts;
    int rc = build_options(db, &o, d);
    if (!rc) {
        r->max_loci = o.max_loci;
        r->max_steps = o.max_steps;
        r->min_loci = o.min_loci;
        rc = find_lineages(db, x, q, &o, r, d);
    }
    if (!rc) rc = rank_members(db, q, &o, r, d);
    if (!rc) rc = expand_trees(db, r, &o, d);
    if (rc == SDB_ESTORE && !d->reason[0])
        sdb_diag_set(d, NULL, 0, NULL, "store: %s", sqlite3_errmsg(db->sql));
    if (rc) sdb_lineage_result_free(r);
    return rc;
}
