/* Lineages in the store: build (full or incremental), father-son links from
 * the person table, per-lineage statistics, one transaction. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "index/index_internal.h"
#include "strdb/lineage.h"
#include "store/store_internal.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* ---- rows <-> profile ids ------------------------------------------------------ */

static int cmp_row_id(const void *a, const void *b, void *arg)
{
    const sdb_idx *x = arg;
    return strcmp(sdb_idx_sample_id(x, *(const long *)a), sdb_idx_sample_id(x, *(const long *)b));
}

/* Row of sample_id in x (rows sorted by sample id in sorted[]), or -1. */
static long row_of(const sdb_idx *x, const long *sorted, const char *sample_id)
{
    long lo = 0, hi = x->n - 1;
    while (lo <= hi) {
        long mid = (lo + hi) / 2;
        int c = strcmp(sdb_idx_sample_id(x, sorted[mid]), sample_id);
        if (!c) return sorted[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return -1;
}

/* pid[row] = profile.id of every row (the index was built from these
 * indexes). The index is built by the same scan in the same order, so the
 * ids are read in step with the rows; only if the sample ids disagree (an
 * index built another way) are the rows looked up by sample id. */
static int profile_ids(sdb_db *db, const sdb_idx *x, const char *indexes, long long *pid,
                       sdb_diag *d)
{
    sqlite3_stmt *st;
    if (sdb_store_prepare(db,
                      "SELECT id, sample_id FROM profile WHERE " STORE_INDEX_IN("index_name")
                      " AND kind = 'Y'",
                      &st, d))
        return SDB_ESTORE;
    sqlite3_bind_text(st, 1, indexes, -1, SQLITE_STATIC);
    for (long r = 0; r < x->n; r++)
        pid[r] = -1;
    long *sorted = NULL, r = 0;
    int step, rc = SDB_OK;
    while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW) {
        const char *sid = (const char *)sqlite3_column_text(st, 1);
        if (!sorted && r < x->n && !strcmp(sdb_idx_sample_id(x, r), sid)) {
            pid[r++] = sqlite3_column_int64(st, 0);
            continue;
        }
        if (!sorted) { /* out of step: look rows up from here on */
            if (!(sorted = malloc((size_t)(x->n ? x->n : 1) * sizeof *sorted))) {
                rc = SDB_ENOMEM;
                break;
            }
            for (long i = 0; i < x->n; i++)
                sorted[i] = i;
            if (x->n > 1) qsort_r(sorted, (size_t)x->n, sizeof *sorted, cmp_row_id, (void *)x);
        }
        long row = row_of(x, sorted, sid);
        if (row >= 0) pid[row] = sqlite3_column_int64(st, 0);
    }
    sqlite3_finalize(st);
    free(sorted);
    if (rc) return rc;
    for (long i = 0; i < x->n && step == SQLITE_DONE; i++)
        if (pid[i] < 0) {
            sdb_diag_set(d, NULL, 0, NULL, "the index holds '%s', the store does not: rebuild it",
                         sdb_idx_sample_id(x, i));
            return SDB_EINVAL;
        }
    return step == SQLITE_DONE ? SDB_OK : SDB_ESTORE;
}

typedef struct pid_row {
    long long pid;
    long row;
} pid_row;

static int cmp_pid(const void *a, const void *b)
{
    long long x = ((const pid_row *)a)->pid, y = ((const pid_row *)b)->pid;
    return (x > y) - (x < y);
}

static long row_of_pid(const pid_row *m, long n, long long pid)
{
    pid_row key = {pid, 0};
    const pid_row *f = bsearch(&key, m, (size_t)n, sizeof *m, cmp_pid);
    return f ? f->row : -1;
}

/* ---- father-son links ----------------------------------------------------------- */

/* Paternal root of every person (ids are dense enough to index arrays). */
typedef struct persons {
    long long max_id;
    long long *father; /* 0: none */
    long long *root;
} persons;

static void persons_free(persons *p)
{
    free(p->father);
    free(p->root);
}

static int load_persons(sdb_db *db, persons *p, sdb_diag *d)
{
    memset(p, 0, sizeof *p);
    sqlite3_stmt *st;
    if (sdb_store_prepare(db, "SELECT coalesce(max(id), 0) FROM person", &st, d)) return SDB_ESTORE;
    if (sqlite3_step(st) == SQLITE_ROW) p->max_id = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    p->father = calloc((size_t)p->max_id + 1, sizeof *p->father);
    p->root = calloc((size_t)p->max_id + 1, sizeof *p->root);
    if (!p->father || !p->root) return SDB_ENOMEM;
    if (sdb_store_prepare(db, "SELECT id, father FROM person WHERE father IS NOT NULL", &st, d))
        return SDB_ESTORE;
    int rc = SDB_OK;
    while (sdb_store_row(st, &rc))
        p->father[sqlite3_column_int64(st, 0)] = sqlite3_column_int64(st, 1);
    sqlite3_finalize(st);
    return rc;
}

static long long paternal_root(persons *p, long long id)
{
    if (id < 1 || id > p->max_id) return id;
    if (p->root[id]) return p->root[id];
    /* walk up (imports refuse cycles), then memoise the path */
    long long r = id;
    while (p->father[r] && !p->root[r])
        r = p->father[r];
    if (p->root[r]) r = p->root[r];
    for (long long a = id; a && !p->root[a]; a = p->father[a])
        p->root[a] = r;
    return r;
}

/* Pairs of rows whose men are on one paternal line (typed men linked to
 * persons of sex M). */
static int father_son_links(sdb_db *db, const pid_row *pm, long n, long (**out)[2], long *n_out,
                            uint8_t *has_person, sdb_diag *d)
{
    *out = NULL;
    *n_out = 0;
    persons p;
    int rc = load_persons(db, &p, d);
    sqlite3_stmt *st = NULL;
    pid_row *rr = NULL; /* (root, row) */
    long m = 0, cap = 0;
    if (!rc && sdb_store_prepare(db,
                             "SELECT pp.person_id, pp.profile_id FROM person_profile pp"
                             " JOIN person pe ON pe.id = pp.person_id"
                             " JOIN profile pr ON pr.id = pp.profile_id"
                             " WHERE pe.sex = 'M' AND pr.kind = 'Y'",
                             &st, d))
        rc = SDB_ESTORE;
    while (!rc && sdb_store_row(st, &rc)) {
        long row = row_of_pid(pm, n, sqlite3_column_int64(st, 1));
        if (row < 0) continue;
        if (m == cap) {
            pid_row *t = realloc(rr, (size_t)(cap = cap ? 2 * cap : 1024) * sizeof *rr);
            if (!t) {
                rc = SDB_ENOMEM;
                break;
            }
            rr = t;
        }
        rr[m++] = (pid_row){paternal_root(&p, sqlite3_column_int64(st, 0)), row};
        has_person[row] = 1;
    }
    sqlite3_finalize(st);
    persons_free(&p);
    if (!rc && m) {
        qsort(rr, (size_t)m, sizeof *rr, cmp_pid);
        if (!(*out = malloc((size_t)m * sizeof **out))) rc = SDB_ENOMEM;
        for (long i = 1; !rc && i < m; i++)
            if (rr[i].pid == rr[i - 1].pid) {
                (*out)[*n_out][0] = rr[i - 1].row;
                (*out)[(*n_out)++][1] = rr[i].row;
            }
    }
    free(rr);
    return rc;
}

/* ---- statistics of one lineage -------------------------------------------------- */

static int cmp_tuple(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* Modal haplotype (per locus the most common allele tuple among the members
 * typing it; ties: the smaller), distinct haplotypes and the haplotype
 * diversity n/(n-1) (1 - sum p_i^2) of rows[0..m). buf gets the modal text. */
static int lineage_stats(const sdb_idx *x, const long *rows, long m, uint32_t *tup,
                         uint64_t *hash, char *buf, size_t size, long *distinct, double *div)
{
    sdb_profile modal;
    sdb_profile_init(&modal);
    int rc = SDB_OK;
    if (m == 1) { /* one man: his haplotype is the modal one */
        rc = sdb_idx_profile(x, rows[0], &modal);
        if (!rc) rc = sdb_genotype_format(&modal, x->cat, buf, size);
        sdb_profile_free(&modal);
        *distinct = 1;
        *div = 0;
        return rc;
    }
    for (int k = 0; k < x->n_loci && !rc; k++) {
        long t = 0;
        for (long i = 0; i < m; i++) {
            const uint8_t *s = idx_slot(x, rows[i], k);
            if (s[0] == SDB_IDX_UNTYPED) continue;
            uint32_t v = 0;
            for (int c = 0; c < x->width[k] && c < 4; c++)
                v = v << 8 | s[c];
            tup[t++] = v;
        }
        if (!t) continue;
        qsort(tup, (size_t)t, sizeof *tup, cmp_tuple);
        uint32_t best = tup[0];
        long best_n = 0;
        for (long i = 0, j; i < t; i = j) {
            for (j = i; j < t && tup[j] == tup[i];)
                j++;
            if (j - i > best_n) best = tup[i], best_n = j - i;
        }
        const sdb_locus *l = sdb_catalog_by_id(x->cat, x->locus[k]);
        int w = x->width[k] < 4 ? x->width[k] : 4;
        for (int c = 0; c < w && !rc; c++) {
            uint8_t v = (uint8_t)(best >> (8 * (w - 1 - c)));
            rc = sdb_profile_add(&modal, l, v == SDB_IDX_WILDCARD ? SDB_ALLELE_ANY : (sdb_allele)(v * 10));
        }
    }
    if (!rc) rc = sdb_profile_finish(&modal, x->cat);
    if (!rc) rc = sdb_genotype_format(&modal, x->cat, buf, size);
    sdb_profile_free(&modal);
    for (long i = 0; i < m; i++) {
        uint64_t h = 0x9e3779b97f4a7c15ULL; /* slots of every locus, overflow rows by row */
        const sdb_profile *over = x->n_over ? sdb_idx_overflow(x, rows[i]) : NULL;
        for (int k = 0; k < x->n_loci; k++) {
            const uint8_t *s = idx_slot(x, rows[i], k);
            for (int c = 0; c < x->width[k]; c++)
                h = (h ^ s[c]) * 0x100000001b3ULL;
        }
        hash[i] = over ? h ^ (uint64_t)rows[i] * 0x9e3779b97f4a7c15ULL : h;
    }
    qsort(hash, (size_t)m, sizeof *hash, cmp_u64);
    double sum = 0;
    *distinct = 0;
    for (long i = 0, j; i < m; i = j) {
        for (j = i; j < m && hash[j] == hash[i];)
            j++;
        double p = (double)(j - i) / (double)m;
        sum += p * p;
        (*distinct)++;
    }
    *div = m > 1 ? (double)m / (double)(m - 1) * (1 - sum) : 0;
    return rc;
}

/* ---- the build ------------------------------------------------------------------ */

typedef struct prev_build {
    int found, max_loci, max_steps, min_loci;
    char indexes[1024];
} prev_build;

static int last_build(sdb_db *db, prev_build *p, sdb_diag *d)
{
    memset(p, 0, sizeof *p);
    sqlite3_stmt *st;
    if (sdb_store_prepare(db,
                      "SELECT max_loci, max_steps, min_loci, indexes FROM lineage_build"
                      " ORDER BY id DESC LIMIT 1",
                      &st, d))
        return SDB_ESTORE;
    if (sqlite3_step(st) == SQLITE_ROW) {
        p->found = 1;
        p->max_loci = sqlite3_column_int(st, 0);
        p->max_steps = sqlite3_column_int(st, 1);
        p->min_loci = sqlite3_column_int(st, 2);
        snprintf(p->indexes, sizeof p->indexes, "%s", sqlite3_column_text(st, 3));
    }
    sqlite3_finalize(st);
    return SDB_OK;
}

/* Previous membership: comp[row] = a row of the same stored lineage (the
 * first met), fresh[row] = 1 for rows without a lineage. lin[row] = the
 * stored lineage id or 0. */
static int previous_partition(sdb_db *db, const pid_row *pm, long n, long *comp, uint8_t *fresh,
                              long long *lin, long long *max_id, sdb_diag *d)
{
    for (long r = 0; r < n; r++) {
        comp[r] = r;
        fresh[r] = 1;
        lin[r] = 0;
    }
    sqlite3_stmt *st;
    if (sdb_store_prepare(db, "SELECT coalesce(max(id), 0) FROM lineage", &st, d)) return SDB_ESTORE;
    *max_id = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_finalize(st);
    long *first = malloc((size_t)(*max_id + 1) * sizeof *first);
    if (!first) return SDB_ENOMEM;
    for (long long i = 0; i <= *max_id; i++)
        first[i] = -1;
    if (sdb_store_prepare(db, "SELECT profile_id, lineage_id FROM lineage_member", &st, d)) {
        free(first);
        return SDB_ESTORE;
    }
    int rc = SDB_OK;
    while (sdb_store_row(st, &rc)) {
        long r = row_of_pid(pm, n, sqlite3_column_int64(st, 0));
        long long l = sqlite3_column_int64(st, 1);
        if (r < 0 || l < 1 || l > *max_id) continue;
        if (first[l] < 0) first[l] = r;
        comp[r] = first[l];
        fresh[r] = 0;
        lin[r] = l;
    }
    sqlite3_finalize(st);
    free(first);
    return rc;
}

typedef struct comp_order {
    long size, first;
} comp_order;

static int cmp_comp(const void *a, const void *b)
{
    const comp_order *x = a, *y = b;
    if (x->size != y->size) return x->size > y->size ? -1 : 1;
    return (x->first > y->first) - (x->first < y->first);
}

/* Writes the lineages: every component (full) or those holding a fresh row
 * (incremental; merged lineages keep the smallest old id, the others go). */
/* The statements and scratch buffers of one store pass. */
typedef struct writer {
    sqlite3_stmt *ins_l, *ins_m, *del_l;
    uint32_t *tup;
    uint64_t *hash;
} writer;

static int writer_open(sdb_db *db, writer *w, long n, sdb_diag *d)
{
    memset(w, 0, sizeof *w);
    w->tup = malloc((size_t)(n ? n : 1) * sizeof *w->tup);
    w->hash = malloc((size_t)(n ? n : 1) * sizeof *w->hash);
    if (!w->tup || !w->hash) return SDB_ENOMEM;
    if (sdb_store_prepare(db,
                      "INSERT OR REPLACE INTO lineage(id, size, modal, diversity,"
                      " distinct_haplotypes, persons) VALUES (?, ?, ?, ?, ?, ?)",
                      &w->ins_l, d) ||
        sdb_store_prepare(db,
                      "INSERT OR REPLACE INTO lineage_member(profile_id, lineage_id) VALUES (?, ?)",
                      &w->ins_m, d) ||
        sdb_store_prepare(db, "DELETE FROM lineage WHERE id = ?", &w->del_l, d))
        return SDB_ESTORE;
    return SDB_OK;
}

static void writer_close(writer *w)
{
    sqlite3_finalize(w->ins_l);
    sqlite3_finalize(w->ins_m);
    sqlite3_finalize(w->del_l);
    free(w->tup);
    free(w->hash);
}

/* Rows grouped by component (counting sort on the root row): the rows of the
 * component rooted at r are members[start[r] .. start[r + 1]). */
static int group_members(const long *comp, long n, long **start, long **members)
{
    *start = calloc((size_t)n + 1, sizeof **start);
    *members = malloc((size_t)(n ? n : 1) * sizeof **members);
    long *fill = malloc((size_t)(n ? n : 1) * sizeof *fill);
    if (!*start || !*members || !fill) {
        free(fill);
        return SDB_ENOMEM;
    }
    for (long r = 0; r < n; r++)
        (*start)[comp[r] + 1]++;
    for (long r = 0; r < n; r++)
        (*start)[r + 1] += (*start)[r];
    for (long r = 0; r < n; r++)
        fill[r] = (*start)[r];
    for (long r = 0; r < n; r++)
        (*members)[fill[comp[r]]++] = r;
    free(fill);
    return SDB_OK;
}

/* Writes the row of lineage id with members m[0..size). */
static int write_lineage(writer *w, const sdb_idx *x, const long *m, long size, long long id,
                         const uint8_t *has_person)
{
    char modal[4096];
    long distinct, n_persons = 0;
    double div;
    int rc = lineage_stats(x, m, size, w->tup, w->hash, modal, sizeof modal, &distinct, &div);
    for (long i = 0; i < size; i++)
        n_persons += has_person[m[i]];
    sqlite3_bind_int64(w->ins_l, 1, id);
    sqlite3_bind_int64(w->ins_l, 2, size);
    sqlite3_bind_text(w->ins_l, 3, modal, -1, SQLITE_STATIC);
    sqlite3_bind_double(w->ins_l, 4, div);
    sqlite3_bind_int64(w->ins_l, 5, distinct);
    sqlite3_bind_int64(w->ins_l, 6, n_persons);
    if (!rc && sqlite3_step(w->ins_l) != SQLITE_DONE) rc = SDB_ESTORE;
    sqlite3_reset(w->ins_l);
    return rc;
}

static int cmp_ll(const void *a, const void *b)
{
    long long x = *(const long long *)a, y = *(const long long *)b;
    return (x > y) - (x < y);
}

/* Memberships in row order (profile ids ascend with rows, so the inserts
 * append to the table's b-tree): every row whose lineage changed. Stored
 * lineages merged into another go once their members have moved (the
 * members reference them). */
static int write_members(writer *w, const long long *pid, const long *comp, long n,
                         const long long *comp_id, const long long *lin)
{
    long long *merged = NULL;
    long n_merged = 0, cap = 0;
    int rc = SDB_OK;
    for (long r = 0; r < n && !rc; r++) {
        long long id = comp_id[comp[r]];
        if (!id || (lin && lin[r] == id)) continue; /* unchanged */
        if (lin && lin[r]) {
            long long *t = n_merged == cap ? realloc(merged, (size_t)(cap = cap ? 2 * cap : 64) * sizeof *t) : merged;
            if (!t) {
                rc = SDB_ENOMEM;
                break;
            }
            merged = t;
            merged[n_merged++] = lin[r];
        }
        sqlite3_bind_int64(w->ins_m, 1, pid[r]);
        sqlite3_bind_int64(w->ins_m, 2, id);
        if (sqlite3_step(w->ins_m) != SQLITE_DONE) rc = SDB_ESTORE;
        sqlite3_reset(w->ins_m);
    }
    if (!rc && n_merged) qsort(merged, (size_t)n_merged, sizeof *merged, cmp_ll);
    for (long i = 0; !rc && i < n_merged; i++) {
        if (i && merged[i] == merged[i - 1]) continue;
        sqlite3_bind_int64(w->del_l, 1, merged[i]);
        if (sqlite3_step(w->del_l) != SQLITE_DONE) rc = SDB_ESTORE;
        sqlite3_reset(w->del_l);
    }
    free(merged);
    return rc;
}

/* Writes the lineages: every component, numbered by size (full), or those
 * that hold a fresh row or merge stored lineages (incremental: a component
 * keeps the smallest stored id among its members, else takes a new one). */
static int store_lineages(sdb_db *db, const sdb_idx *x, const long long *pid, const long *comp,
                          const uint8_t *fresh, const long long *lin, long long max_id,
                          const uint8_t *has_person, long *n_lineages, sdb_diag *d)
{
    long n = x->n, n_comp = 0, *start = NULL, *members = NULL;
    comp_order *co = malloc((size_t)(n ? n : 1) * sizeof *co);
    long long *comp_id = calloc((size_t)(n ? n : 1), sizeof *comp_id); /* by root row; 0: unchanged */
    writer w;
    int rc = writer_open(db, &w, n, d);
    if (!rc) rc = co && comp_id ? group_members(comp, n, &start, &members) : SDB_ENOMEM;
    for (long r = 0; !rc && r < n; r++)
        if (comp[r] == r) co[n_comp++] = (comp_order){start[r + 1] - start[r], r};
    /* a full build rewrites every membership: without the lineage_id index
     * the deletes and the appends touch one b-tree; the index is built once
     * at the end (sorting beats 10^7 random index inserts: 130 -> ~20 s).
     * IMPORTANT: the index is the one of schema_v4 (src/store/schema.c). */
    if (!rc && !fresh) {
        if (n_comp > 1) qsort(co, (size_t)n_comp, sizeof *co, cmp_comp);
        rc = sdb_store_exec(db,
                        "DROP INDEX lineage_member_lineage; DELETE FROM lineage_member;"
                        " DELETE FROM lineage",
                        d);
    }
    long long next = max_id;
    *n_lineages = 0;
    for (long c = 0; c < n_comp && !rc; c++) {
        const long *m = members + start[co[c].first];
        long size = co[c].size;
        int changed = !fresh;
        long long id = 0;
        for (long i = 0; fresh && i < size; i++) {
            changed |= fresh[m[i]] || (lin[m[i]] && id && lin[m[i]] != id);
            if (lin[m[i]] && (!id || lin[m[i]] < id)) id = lin[m[i]];
        }
        if (!changed) continue;
        if (!id) id = fresh ? ++next : (long long)(c + 1);
        comp_id[co[c].first] = id;
        rc = write_lineage(&w, x, m, size, id, has_person);
        (*n_lineages)++;
    }
    if (!rc) rc = write_members(&w, pid, comp, n, comp_id, fresh ? lin : NULL);
    if (!rc && !fresh)
        rc = sdb_store_exec(db, "CREATE INDEX lineage_member_lineage ON lineage_member(lineage_id)", d);
    writer_close(&w);
    free(start);
    free(members);
    free(co);
    free(comp_id);
    if (rc == SDB_ENOMEM) sdb_diag_set(d, NULL, 0, NULL, "out of memory");
    return rc;
}

void sdb_lineage_build_params(char *buf, size_t size, const char *indexes,
                              const sdb_lineage_opts *o, int full)
{
    snprintf(buf, size, "index=%s\nmax_loci=%d\nmax_steps=%d\nmin_loci=%d\nfull=%d",
             indexes ? indexes : "*", o->max_loci, o->max_steps, o->min_loci, full);
}

int sdb_lineage_build(sdb_db *db, const sdb_ctx *ctx, const sdb_idx *x, const char *indexes,
                      const sdb_lineage_opts *o, int full, sdb_lineage_build_stats *st,
                      sdb_diag *d)
{
    memset(st, 0, sizeof *st);
    long n = x->n;
    size_t nn = (size_t)(n ? n : 1);
    long *comp = malloc(nn * sizeof *comp);
    long (*links)[2] = NULL;
    long n_links = 0;
    long long *pid = malloc(nn * sizeof *pid), *lin = malloc(nn * sizeof *lin), max_id = 0;
    uint8_t *fresh = malloc(nn), *has_person = calloc(nn, 1);
    pid_row *pm = malloc(nn * sizeof *pm);
    prev_build prev;
    const char *idx_text = indexes ? indexes : "*";
    int rc = sdb_store_exec(db, "BEGIN IMMEDIATE", d);
    if (rc) goto out;
    if (!comp || !pid || !lin || !fresh || !has_person || !pm) rc = SDB_ENOMEM;
    if (!rc) rc = profile_ids(db, x, indexes, pid, d);
    for (long r = 0; !rc && r < n; r++)
        pm[r] = (pid_row){pid[r], r};
    if (!rc) qsort(pm, nn, sizeof *pm, cmp_pid);
    if (!rc) rc = last_build(db, &prev, d);
    int incremental = !rc && !full && prev.found && prev.max_loci == o->max_loci &&
                      prev.max_steps == o->max_steps && prev.min_loci == o->min_loci &&
                      !strcmp(prev.indexes, idx_text);
    if (!rc && incremental)
        rc = previous_partition(db, pm, n, comp, fresh, lin, &max_id, d);
    for (long r = 0; !rc && incremental && r < n; r++)
        st->fresh += fresh[r];
    if (!rc && !incremental) st->fresh = n;
    if (!rc) rc = father_son_links(db, pm, n, &links, &n_links, has_person, d);
    double t0 = now_s();
    if (!rc)
        rc = sdb_lineage_cluster(x, o, (const long(*)[2])links, n_links,
                                 incremental ? fresh : NULL, comp, &st->cluster, d);
    double t1 = now_s();
    st->seconds_cluster = t1 - t0;
    st->incremental = incremental;
    if (!rc)
        rc = store_lineages(db, x, pid, comp, incremental ? fresh : NULL, lin, max_id,
                            has_person, &st->lineages, d);
    if (!rc) {
        sqlite3_stmt *ins;
        char now[32];
        sdb_store_now(now);
        rc = sdb_store_prepare(db,
                           "INSERT INTO lineage_build(built_at, indexes, max_loci, max_steps,"
                           " min_loci, haplotypes, lineages, incremental, actor)"
                           " VALUES (?, ?, ?, ?, ?, ?, (SELECT count(*) FROM lineage), ?, ?)",
                           &ins, d);
        if (!rc) {
            sqlite3_bind_text(ins, 1, now, -1, SQLITE_STATIC);
            sqlite3_bind_text(ins, 2, idx_text, -1, SQLITE_STATIC);
            sqlite3_bind_int(ins, 3, o->max_loci);
            sqlite3_bind_int(ins, 4, o->max_steps);
            sqlite3_bind_int(ins, 5, o->min_loci);
            sqlite3_bind_int64(ins, 6, n);
            sqlite3_bind_int(ins, 7, incremental);
            sqlite3_bind_text(ins, 8, ctx && ctx->actor ? ctx->actor : "", -1, SQLITE_STATIC);
            if (sqlite3_step(ins) != SQLITE_DONE) rc = SDB_ESTORE;
            sqlite3_finalize(ins);
        }
    }
    /* the record is part of the build's transaction: a build is stored with its record or not
     * at all. IMPORTANT: sdb_session_lineage_build writes the same params for a failure. */
    if (!rc) {
        char params[512];
        sdb_lineage_build_params(params, sizeof params, indexes, o, full);
        rc = sdb_audit_append(db, ctx, "lineage-build", params, st->lineages, "ok");
    }
    rc = sdb_store_finish(db, rc, d);
    st->seconds_store = now_s() - t1;
out:
    free(comp);
    free(links);
    free(pid);
    free(lin);
    free(fresh);
    free(has_person);
    free(pm);
    return rc;
}

int sdb_lineage_print(sdb_db *db, long long id, const char *indexes, long top, FILE *out,
                      sdb_diag *d)
{
    sqlite3_stmt *st;
    if (!id) {
        if (sdb_store_prepare(db,
                          "SELECT id, size, distinct_haplotypes, diversity, persons, modal"
                          " FROM lineage ORDER BY size DESC, id LIMIT ?",
                          &st, d))
            return SDB_ESTORE;
        sqlite3_bind_int64(st, 1, top);
        long n = 0;
        int rc = SDB_OK;
        while (sdb_store_row(st, &rc)) {
            if (!n)
                fprintf(out, "%8s %8s %8s %9s %8s  %s\n", "lineage", "men", "distinct",
                        "diversity", "persons", "modal haplotype");
            fprintf(out, "%8lld %8lld %8lld %9.4f %8lld  %s\n", sqlite3_column_int64(st, 0),
                    sqlite3_column_int64(st, 1), sqlite3_column_int64(st, 2),
                    sqlite3_column_double(st, 3), sqlite3_column_int64(st, 4),
                    sqlite3_column_text(st, 5));
            n++;
        }
        sqlite3_finalize(st);
        if (rc) return rc;
        if (!n) {
            sdb_diag_set(d, NULL, 0, NULL,
                         "no lineages stored: run strdb lineage build (over at least one Y "
                         "haplotype) first");
            return SDB_ENOTFOUND;
        }
        return SDB_OK;
    }
    if (sdb_store_prepare(db,
                      "SELECT size, distinct_haplotypes, diversity, persons, modal FROM lineage"
                      " WHERE id = ?",
                      &st, d))
        return SDB_ESTORE;
    sqlite3_bind_int64(st, 1, id);
    int found = sqlite3_step(st) == SQLITE_ROW;
    if (found)
        fprintf(out,
                "lineage %lld: %lld men, %lld distinct haplotypes, diversity %.4f, %lld with "
                "pedigree records\nmodal haplotype: %s\nmembers:\n",
                id, sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1),
                sqlite3_column_double(st, 2), sqlite3_column_int64(st, 3), sqlite3_column_text(st, 4));
    sqlite3_finalize(st);
    if (!found) {
        sdb_diag_set(d, NULL, 0, "lineage", "no lineage %lld", id);
        return SDB_ENOTFOUND;
    }
    if (sdb_store_prepare(db,
                      "SELECT p.sample_id, (SELECT pe.ext_id FROM person_profile pp JOIN person pe"
                      " ON pe.id = pp.person_id WHERE pp.profile_id = p.id LIMIT 1)"
                      " FROM lineage_member m JOIN profile p ON p.id = m.profile_id"
                      " WHERE m.lineage_id = ?2 AND " STORE_INDEX_IN("p.index_name")
                      " ORDER BY p.sample_id LIMIT ?3",
                      &st, d))
        return SDB_ESTORE;
    sqlite3_bind_text(st, 1, indexes, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, id);
    sqlite3_bind_int64(st, 3, top);
    int rc = SDB_OK;
    while (sdb_store_row(st, &rc))
        fprintf(out, "  %s%s%s\n", sqlite3_column_text(st, 0),
                sqlite3_column_type(st, 1) == SQLITE_NULL ? "" : "  person ",
                sqlite3_column_type(st, 1) == SQLITE_NULL ? "" : (const char *)sqlite3_column_text(st, 1));
    sqlite3_finalize(st);
    return rc;
}
