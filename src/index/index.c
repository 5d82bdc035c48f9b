/* Building the packed index: two passes over the profiles (loci and allele
 * dictionaries first, rows second), so rows are only as wide as the loci
 * that occur. */
#include <stdlib.h>
#include <string.h>

#include "index_internal.h"

/* A source of profiles that can be read twice. */
typedef struct source {
    int (*next)(void *arg, sdb_profile *p); /* SDB_OK, SDB_END or an error */
    int (*rewind)(void *arg);
    void *arg;
} source;

typedef struct builder {
    sdb_idx *x;
    uint8_t *id_of[SDB_LOCUS_ID_MAX + 1]; /* per catalog locus: allele code -> id (pass 1) */
    int n_ids[SDB_LOCUS_ID_MAX + 1];
    sdb_allele *codes[SDB_LOCUS_ID_MAX + 1];
    int present[SDB_LOCUS_ID_MAX + 1];
    size_t ids_len, ids_cap;
    long cap, over_cap;
} builder;

static int wanted(const sdb_idx *x, const sdb_locus *l)
{
    return x->kind == SDB_KIND_Y ? l->type == SDB_LOCUS_Y : l->type == SDB_LOCUS_AUTOSOMAL;
}

/* Pass 1: loci present and allele dictionaries. */
static int scan_profile(builder *b, const sdb_profile *p, sdb_diag *d)
{
    for (int i = 0; i < p->n_calls; i++) {
        const sdb_call *c = &p->calls[i];
        const sdb_locus *l = sdb_catalog_by_id(b->x->cat, c->locus);
        if (!wanted(b->x, l)) continue;
        b->present[c->locus] = 1;
        if (!b->id_of[c->locus]) {
            b->id_of[c->locus] = calloc(65536, 1);
            b->codes[c->locus] = calloc(256, sizeof(sdb_allele));
            if (!b->id_of[c->locus] || !b->codes[c->locus]) return SDB_ENOMEM;
        }
        for (uint32_t k = c->first; k < c->first + c->n; k++) {
            sdb_allele a = p->alleles[k];
            if (a == SDB_ALLELE_ANY || b->id_of[c->locus][a]) continue;
            if (b->n_ids[c->locus] == IDX_MAX_ID) {
                sdb_diag_set(d, NULL, 0, l->name, "more than %d distinct alleles", IDX_MAX_ID);
                return SDB_EINVAL;
            }
            b->id_of[c->locus][a] = (uint8_t)++b->n_ids[c->locus];
            b->codes[c->locus][b->n_ids[c->locus]] = a;
        }
    }
    return SDB_OK;
}

static int cmp_allele(const void *a, const void *b)
{
    sdb_allele x = *(const sdb_allele *)a, y = *(const sdb_allele *)b;
    return (x > y) - (x < y);
}

static int layout(builder *b, sdb_diag *d)
{
    sdb_idx *x = b->x;
    for (unsigned l = 1; l <= SDB_LOCUS_ID_MAX; l++) {
        if (!b->present[l]) continue;
        if (x->n_loci == SDB_IDX_MAX_LOCI) {
            sdb_diag_set(d, NULL, 0, NULL, "more than %d loci", SDB_IDX_MAX_LOCI);
            return SDB_EINVAL;
        }
        int k = x->n_loci++;
        x->locus[k] = l;
        x->width[k] = x->kind == SDB_KIND_Y ? sdb_catalog_by_id(x->cat, l)->copies : 2;
        x->offset[k] = x->row;
        x->row += x->width[k];
        /* ids in allele order, so that sorted ids are sorted alleles */
        int n = x->n_codes[k] = b->n_ids[l];
        sdb_allele *codes = b->codes[l];
        qsort(codes + 1, (size_t)n, sizeof *codes, cmp_allele);
        for (int i = 1; i <= n; i++)
            b->id_of[l][codes[i]] = (uint8_t)i;
        memcpy(x->code[k], codes, 256 * sizeof(sdb_allele));
        x->code[k][SDB_IDX_WILDCARD] = SDB_ALLELE_ANY;
    }
    return SDB_OK;
}

/* Pass 2: one row; returns 1 if the profile does not fit the row. */
static int fill_row(builder *b, const sdb_profile *p, uint8_t *row)
{
    sdb_idx *x = b->x;
    int over = 0;
    memset(row, 0, (size_t)x->row);
    for (int i = 0; i < p->n_calls; i++) {
        const sdb_call *c = &p->calls[i];
        int k = idx_locus_pos(x, c->locus);
        if (k < 0) continue;
        uint8_t ids[64];
        int n = c->n < 64 ? c->n : 64;
        for (int j = 0; j < n; j++) {
            sdb_allele a = p->alleles[c->first + (uint32_t)j];
            ids[j] = a == SDB_ALLELE_ANY ? SDB_IDX_WILDCARD : b->id_of[c->locus][a];
        }
        for (int i1 = 1; i1 < n; i1++) /* a few ids: insertion sort (qsort cost 3% of a build) */
            for (int i2 = i1; i2 > 0 && ids[i2 - 1] > ids[i2]; i2--) {
                uint8_t t = ids[i2];
                ids[i2] = ids[i2 - 1];
                ids[i2 - 1] = t;
            }
        uint8_t *slot = row + x->offset[k];
        if (x->kind == SDB_KIND_AUTOSOMAL) {
            over |= n > 2;
            slot[0] = ids[0];
            slot[1] = n > 1 ? ids[1] : ids[0];
        } else {
            /* Y slots hold repeat numbers (1..254), sorted as the alleles are;
             * anything else (microvariants, symbols, other copy numbers) keeps
             * its full list in the overflow */
            over |= n != x->width[k];
            for (int j = 0; j < x->width[k]; j++) {
                sdb_allele a = p->alleles[c->first + (uint32_t)(j < n ? j : n - 1)];
                int integer = sdb_allele_is_numeric(a) && a % 10 == 0 && a >= 10 && a <= 2540;
                over |= !integer;
                slot[j] = integer ? (uint8_t)(a / 10) : SDB_IDX_WILDCARD;
            }
        }
    }
    return over;
}

static int add_row(builder *b, const sdb_profile *p)
{
    sdb_idx *x = b->x;
    if (x->n == b->cap) {
        long cap = b->cap ? 2 * b->cap : 1024;
        for (int k = 0; k < x->n_loci; k++) {
            uint8_t *t = realloc(x->col[k], (size_t)cap * (size_t)x->width[k]);
            if (!t) return SDB_ENOMEM;
            x->col[k] = t;
        }
        size_t *o = realloc(x->id_off, (size_t)cap * sizeof *o);
        if (!o) return SDB_ENOMEM;
        x->id_off = o;
        b->cap = cap;
    }
    size_t len = strlen(p->sample_id) + 1;
    if (b->ids_len + len > b->ids_cap) {
        size_t cap = b->ids_cap ? 2 * b->ids_cap : 1 << 16;
        while (cap < b->ids_len + len)
            cap *= 2;
        char *t = realloc(x->ids, cap);
        if (!t) return SDB_ENOMEM;
        x->ids = t;
        b->ids_cap = cap;
    }
    memcpy(x->ids + b->ids_len, p->sample_id, len);
    x->id_off[x->n] = b->ids_len;
    b->ids_len += len;
    uint8_t row[SDB_IDX_MAX_LOCI * 8];
    int over = fill_row(b, p, row);
    for (int k = 0; k < x->n_loci; k++) /* scatter into the columns */
        memcpy(x->col[k] + (size_t)x->n * (size_t)x->width[k], row + x->offset[k],
               (size_t)x->width[k]);
    if (over) {
        if (x->n_over == b->over_cap) {
            long cap = b->over_cap ? 2 * b->over_cap : 64;
            long *r = realloc(x->over_row, (size_t)cap * sizeof *r);
            sdb_profile *o = realloc(x->over, (size_t)cap * sizeof *o);
            if (r) x->over_row = r;
            if (o) x->over = o;
            if (!r || !o) return SDB_ENOMEM;
            b->over_cap = cap;
        }
        sdb_profile_init(&x->over[x->n_over]);
        if (sdb_profile_copy(&x->over[x->n_over], p)) return SDB_ENOMEM;
        x->over_row[x->n_over++] = x->n;
    }
    x->n++;
    return SDB_OK;
}

static int build(sdb_idx **out, const sdb_catalog *cat, source *src, sdb_kind kind, sdb_diag *d)
{
    builder b;
    memset(&b, 0, sizeof b);
    sdb_profile p;
    sdb_profile_init(&p);
    int rc = SDB_ENOMEM;
    if (!(b.x = calloc(1, sizeof *b.x))) return SDB_ENOMEM;
    b.x->kind = kind;
    b.x->cat = cat;
    while ((rc = src->next(src->arg, &p)) == SDB_OK)
        if (p.kind == kind && (rc = scan_profile(&b, &p, d))) break;
    if (rc == SDB_END) rc = layout(&b, d);
    if (!rc) rc = src->rewind(src->arg);
    while (!rc && (rc = src->next(src->arg, &p)) == SDB_OK)
        if (p.kind == kind) rc = add_row(&b, &p);
    if (rc == SDB_END) rc = SDB_OK;
    for (int l = 0; l <= SDB_LOCUS_ID_MAX; l++) {
        free(b.id_of[l]);
        free(b.codes[l]);
    }
    sdb_profile_free(&p);
    if (rc) {
        sdb_idx_free(b.x);
        return rc;
    }
    *out = b.x;
    return SDB_OK;
}

typedef struct array_src {
    const sdb_profile *const *ps;
    long n, i;
} array_src;

static int array_next(void *arg, sdb_profile *p)
{
    array_src *s = arg;
    if (s->i == s->n) return SDB_END;
    return sdb_profile_copy(p, s->ps[s->i++]);
}

static int array_rewind(void *arg)
{
    ((array_src *)arg)->i = 0;
    return SDB_OK;
}

int sdb_idx_build_profiles(sdb_idx **out, const sdb_catalog *cat, const sdb_profile *const *ps,
                           long n, sdb_kind kind, sdb_diag *d)
{
    array_src a = {ps, n, 0};
    source src = {array_next, array_rewind, &a};
    return build(out, cat, &src, kind, d);
}

int sdb_idx_build_source(sdb_idx **out, const sdb_catalog *cat,
                         int (*next)(void *arg, sdb_profile *p), int (*rewind)(void *arg),
                         void *arg, sdb_kind kind, sdb_diag *d)
{
    source src = {next, rewind, arg};
    return build(out, cat, &src, kind, d);
}

typedef struct store_src {
    sdb_db *db;
    const char *index;
    sdb_kind kind;
    sdb_iter *it;
} store_src;

static int store_next(void *arg, sdb_profile *p)
{
    store_src *s = arg;
    return sdb_iter_next(s->it, p, NULL);
}

static int store_rewind(void *arg)
{
    store_src *s = arg;
    sdb_iter_close(s->it);
    s->it = NULL;
    return sdb_iter_open_genotypes(&s->it, s->db, s->index, s->kind);
}

int sdb_idx_build(sdb_idx **out, sdb_db *db, const char *index, sdb_kind kind, sdb_diag *d)
{
    store_src s = {db, index, kind, NULL};
    int rc = sdb_iter_open_genotypes(&s.it, db, index, kind);
    if (rc) return rc;
    source src = {store_next, store_rewind, &s};
    rc = build(out, sdb_db_catalog(db), &src, kind, d);
    sdb_iter_close(s.it);
    return rc;
}

void sdb_idx_free(sdb_idx *x)
{
    if (!x) return;
    for (long i = 0; i < x->n_over; i++)
        sdb_profile_free(&x->over[i]);
    free(x->over);
    free(x->over_row);
    for (int k = 0; k < x->n_loci; k++)
        free(x->col[k]);
    free(x->ids);
    free(x->id_off);
    free(x);
}

long sdb_idx_count(const sdb_idx *x)
{
    return x->n;
}

sdb_kind sdb_idx_kind(const sdb_idx *x)
{
    return x->kind;
}

const char *sdb_idx_sample_id(const sdb_idx *x, long i)
{
    return i >= 0 && i < x->n ? x->ids + x->id_off[i] : NULL;
}

int sdb_idx_n_loci(const sdb_idx *x)
{
    return x->n_loci;
}

unsigned sdb_idx_locus(const sdb_idx *x, int k)
{
    return k >= 0 && k < x->n_loci ? x->locus[k] : 0;
}

double sdb_idx_bytes_per_profile(const sdb_idx *x)
{
    return (double)x->row;
}

int idx_locus_pos(const sdb_idx *x, unsigned locus)
{
    for (int k = 0; k < x->n_loci; k++)
        if (x->locus[k] == locus) return k;
    return -1;
}

uint8_t idx_allele_id(const sdb_idx *x, int k, sdb_allele a)
{
    if (a == SDB_ALLELE_ANY) return SDB_IDX_WILDCARD;
    for (int i = 1; i <= x->n_codes[k]; i++)
        if (x->code[k][i] == a) return (uint8_t)i;
    return IDX_QUERY_ONLY;
}

const sdb_profile *idx_overflow(const sdb_idx *x, long row)
{
    long lo = 0, hi = x->n_over - 1;
    while (lo <= hi) {
        long mid = (lo + hi) / 2;
        if (x->over_row[mid] == row) return &x->over[mid];
        if (x->over_row[mid] < row)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return NULL;
}

int sdb_idx_profile(const sdb_idx *x, long row, sdb_profile *out)
{
    if (row < 0 || row >= x->n) return SDB_EINVAL;
    const sdb_profile *over = x->n_over ? idx_overflow(x, row) : NULL;
    if (over) return sdb_profile_copy(out, over);
    sdb_profile_reset(out);
    const char *id = sdb_idx_sample_id(x, row);
    int rc = sdb_profile_set_id(out, id, (long)strlen(id));
    for (int k = 0; k < x->n_loci && !rc; k++) {
        const uint8_t *slot = idx_slot(x, row, k);
        if (slot[0] == SDB_IDX_UNTYPED) continue;
        const sdb_locus *l = sdb_catalog_by_id(x->cat, x->locus[k]);
        for (int j = 0; j < x->width[k] && !rc; j++) {
            if (x->kind == SDB_KIND_AUTOSOMAL && j == 1 && slot[1] == slot[0]) break;
            sdb_allele a = slot[j] == SDB_IDX_WILDCARD ? SDB_ALLELE_ANY
                           : x->kind == SDB_KIND_Y     ? (sdb_allele)(slot[j] * 10)
                                                       : x->code[k][slot[j]];
            rc = sdb_profile_add(out, l, a);
        }
    }
    return rc ? rc : sdb_profile_finish(out, x->cat);
}
