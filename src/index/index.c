/* Building the packed index in one pass over the profiles (or the stored
 * genotype blobs, unpacked without building profiles): a column opens when
 * its locus first occurs, so rows are only as wide as the loci that occur;
 * allele ids are renumbered in allele order at the end, and an autosomal
 * index is then put in search order (order.c). */
#include <pthread.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <string.h>

#include "index_internal.h"
#include "strdb/queue.h"

/* One profile as the builder reads it: the sample id and its (locus,
 * allele) entries sorted by locus then allele (the store's order), and the
 * profile itself when the source has one (an overflow row keeps a copy). */
typedef struct entries {
    const char *id;
    const uint16_t *locus;
    const sdb_allele *allele;
    int n;
    const sdb_profile *p;
} entries;

/* A source: next fills e (valid until the next call) and returns SDB_OK,
 * SDB_END or an error. */
typedef struct source {
    int (*next)(void *arg, entries *e);
    void *arg;
} source;

/* Entries of a profile into buffers that grow as needed. */
typedef struct entry_buf {
    uint16_t *locus;
    sdb_allele *allele;
    int cap;
} entry_buf;

/* Room for n entries. */
static int reserve(entry_buf *b, int n)
{
    if (n <= b->cap) return SDB_OK;
    int cap = n * 2;
    uint16_t *l = realloc(b->locus, (size_t)cap * sizeof *l);
    if (l) b->locus = l;
    sdb_allele *a = realloc(b->allele, (size_t)cap * sizeof *a);
    if (a) b->allele = a;
    if (!l || !a) return SDB_ENOMEM;
    b->cap = cap;
    return SDB_OK;
}

static int entries_of(const sdb_profile *p, entry_buf *b, entries *e)
{
    if (reserve(b, p->n_alleles)) return SDB_ENOMEM;
    int n = 0;
    for (int i = 0; i < p->n_calls; i++)
        for (uint32_t k = 0; k < p->calls[i].n; k++) {
            b->locus[n] = (uint16_t)p->calls[i].locus;
            b->allele[n++] = p->alleles[p->calls[i].first + k];
        }
    *e = (entries){p->sample_id, b->locus, b->allele, n, p};
    return SDB_OK;
}

/* The builder reads the source once: allele ids are given in order of first
 * sight, and the columns of every locus that occurs grow with the rows; at
 * the end the ids are renumbered in allele order (so sorted ids are sorted
 * alleles) and the loci laid out in catalog order. */
typedef struct builder {
    sdb_idx *x;
    uint8_t *id_of[SDB_LOCUS_ID_MAX + 1];    /* autosomal: allele code -> id (first sight) */
    sdb_allele *codes[SDB_LOCUS_ID_MAX + 1]; /* id -> allele code */
    int n_ids[SDB_LOCUS_ID_MAX + 1];
    uint8_t *col[SDB_LOCUS_ID_MAX + 1];  /* per catalog locus: width bytes a row */
    int width[SDB_LOCUS_ID_MAX + 1];     /* 0: not wanted or not seen yet */
    int skip[SDB_LOCUS_ID_MAX + 1];      /* a locus of the other kind */
    unsigned open[SDB_LOCUS_ID_MAX + 1]; /* the loci with a column, in order of first sight */
    int n_open;
    /* autosomal: per locus, a small direct-mapped memo of allele code -> id
     * (code << 8 | id), so that most lookups stay in the first-level cache */
    uint32_t *memo[SDB_LOCUS_ID_MAX + 1];
    long cap, over_cap;
    size_t ids_cap;
} builder;

/* A new locus column, zero (untyped) for the rows so far. */
static int open_locus(builder *b, unsigned l, sdb_diag *d)
{
    const sdb_locus *loc = sdb_catalog_by_id(b->x->cat, l);
    if (!loc) return SDB_EFORMAT; /* a locus id the catalog lacks: a damaged record */
    int want =
        (b->x->kind == SDB_KIND_Y ? loc->type == SDB_LOCUS_Y : loc->type == SDB_LOCUS_AUTOSOMAL);
    if (!want) {
        b->skip[l] = 1;
        return SDB_OK;
    }
    b->width[l] = b->x->kind == SDB_KIND_Y ? loc->copies : 2;
    if (b->width[l] < 1 || b->width[l] > 8) {
        sdb_diag_set(d, NULL, 0, loc->name, "%d copies: not indexable", b->width[l]);
        return SDB_EINVAL;
    }
    size_t bytes = (size_t)(b->cap ? b->cap : 1) * (size_t)b->width[l];
    if (!(b->col[l] = calloc(bytes, 1))) return SDB_ENOMEM;
    b->open[b->n_open++] = l;
    if (b->x->kind == SDB_KIND_AUTOSOMAL &&
        (!(b->id_of[l] = calloc(65536, 1)) || !(b->codes[l] = calloc(256, sizeof(sdb_allele))) ||
         !(b->memo[l] = calloc(256, sizeof(uint32_t)))))
        return SDB_ENOMEM;
    return SDB_OK;
}

/* Room for one more row in every column and the id offsets. */
static int grow(builder *b)
{
    sdb_idx *x = b->x;
    long cap = b->cap ? 2 * b->cap : 1024;
    for (int i = 0; i < b->n_open; i++) {
        unsigned l = b->open[i];
        uint8_t *t = realloc(b->col[l], (size_t)cap * (size_t)b->width[l]);
        if (!t) return SDB_ENOMEM;
        b->col[l] = t;
    }
    size_t *o = realloc(x->id_off, (size_t)cap * sizeof *o);
    if (!o) return SDB_ENOMEM;
    x->id_off = o;
    b->cap = cap;
    return SDB_OK;
}

static int add_id(builder *b, const char *id)
{
    sdb_idx *x = b->x;
    size_t len = strlen(id) + 1;
    if (x->ids_len + len > b->ids_cap) {
        size_t cap = b->ids_cap ? 2 * b->ids_cap : 1 << 16;
        while (cap < x->ids_len + len)
            cap *= 2;
        char *t = realloc(x->ids, cap);
        if (!t) return SDB_ENOMEM;
        x->ids = t;
        b->ids_cap = cap;
    }
    memcpy(x->ids + x->ids_len, id, len);
    x->id_off[x->n] = x->ids_len;
    x->ids_len += len;
    return SDB_OK;
}

/* Sort order of alleles in a slot: by code, the wildcard last (its id 255
 * is the largest). */
static unsigned slot_order(sdb_allele a)
{
    return a == SDB_ALLELE_ANY ? 0x10000u : (unsigned)a;
}

/* The slots of one locus of the row from its alleles a[0..n); returns 1 when
 * they do not fit (the row goes to the overflow). */
static int fill_locus(builder *b, unsigned l, const sdb_allele *in, int n, sdb_diag *d)
{
    sdb_idx *x = b->x;
    sdb_allele a[64];
    n = n < 64 ? n : 64;
    memcpy(a, in, (size_t)n * sizeof *a);
    for (int i = 1; i < n; i++) /* a few alleles: insertion sort */
        for (int j = i; j > 0 && slot_order(a[j - 1]) > slot_order(a[j]); j--) {
            sdb_allele t = a[j];
            a[j] = a[j - 1];
            a[j - 1] = t;
        }
    uint8_t *slot = b->col[l] + (size_t)x->n * (size_t)b->width[l];
    if (x->kind == SDB_KIND_Y) {
        /* Y slots hold repeat numbers (1..254), sorted as the alleles are;
         * anything else (microvariants, symbols, other copy numbers) keeps
         * its full list in the overflow */
        int over = n != b->width[l];
        for (int j = 0; j < b->width[l]; j++) {
            sdb_allele v = a[j < n ? j : n - 1];
            int integer = sdb_allele_is_numeric(v) && v % 10 == 0 && v >= 10 && v <= 2540;
            over |= !integer;
            slot[j] = integer ? (uint8_t)(v / 10) : SDB_IDX_WILDCARD;
        }
        return over;
    }
    uint8_t ids[2] = {0, 0};
    for (int j = 0; j < 2 && j < n; j++) {
        if (a[j] == SDB_ALLELE_ANY) {
            ids[j] = SDB_IDX_WILDCARD;
            continue;
        }
        uint32_t *memo = &b->memo[l][(a[j] ^ a[j] >> 8) & 255];
        if (*memo && *memo >> 8 == (uint32_t)a[j]) {
            ids[j] = (uint8_t)*memo;
            continue;
        }
        uint8_t *id = &b->id_of[l][a[j]];
        if (!*id) {
            if (b->n_ids[l] == IDX_MAX_ID) {
                sdb_diag_set(d, NULL, 0, sdb_catalog_by_id(x->cat, l)->name,
                             "more than %d distinct alleles", IDX_MAX_ID);
                return -1;
            }
            *id = (uint8_t)++b->n_ids[l];
            b->codes[l][*id] = a[j];
        }
        *memo = (uint32_t)a[j] << 8 | *id;
        ids[j] = *id;
    }
    for (int j = 2; j < n; j++) /* a mixture's further alleles still enter the dictionary */
        if (a[j] != SDB_ALLELE_ANY && !b->id_of[l][a[j]]) {
            if (b->n_ids[l] == IDX_MAX_ID) {
                sdb_diag_set(d, NULL, 0, sdb_catalog_by_id(x->cat, l)->name,
                             "more than %d distinct alleles", IDX_MAX_ID);
                return -1;
            }
            b->id_of[l][a[j]] = (uint8_t)++b->n_ids[l];
            b->codes[l][b->n_ids[l]] = a[j];
        }
    slot[0] = ids[0];
    slot[1] = n > 1 ? ids[1] : ids[0];
    return n > 2;
}

/* The overflow copy of a row that did not fit. */
static int add_overflow(builder *b, const entries *e)
{
    sdb_idx *x = b->x;
    if (x->n_over == b->over_cap) {
        long cap = b->over_cap ? 2 * b->over_cap : 64;
        long *r = realloc(x->over_row, (size_t)cap * sizeof *r);
        if (r) x->over_row = r;
        sdb_profile *o = realloc(x->over, (size_t)cap * sizeof *o);
        if (o) x->over = o;
        if (!r || !o) return SDB_ENOMEM;
        b->over_cap = cap;
    }
    sdb_profile *p = &x->over[x->n_over];
    sdb_profile_init(p);
    x->over_row[x->n_over++] = x->n; /* freed with the index from here on */
    if (e->p) return sdb_profile_copy(p, e->p) ? SDB_ENOMEM : SDB_OK;
    if (sdb_profile_set_id(p, e->id, -1)) return SDB_ENOMEM;
    return sdb_profile_set_sorted(p, x->cat, e->locus, e->allele, e->n);
}

static int add_row(builder *b, const entries *e, sdb_diag *d)
{
    sdb_idx *x = b->x;
    int rc;
    if (x->n == b->cap && (rc = grow(b))) return rc;
    if ((rc = add_id(b, e->id))) return rc;
    for (int i = 0; i < b->n_open; i++) { /* untyped unless the row says otherwise */
        unsigned l = b->open[i];
        uint8_t *slot = b->col[l] + (size_t)x->n * (size_t)b->width[l];
        if (b->width[l] == 2) /* autosomal: two stores, not a memset call per locus and row */
            slot[0] = slot[1] = 0;
        else
            for (int c = 0; c < b->width[l]; c++)
                slot[c] = 0;
    }
    int over = 0;
    for (int i = 0; i < e->n;) {
        unsigned l = e->locus[i];
        int j = i;
        while (j < e->n && e->locus[j] == l)
            j++;
        if (l > SDB_LOCUS_ID_MAX) return SDB_EINVAL;
        if (!b->col[l] && !b->skip[l] && (rc = open_locus(b, l, d))) return rc;
        if (b->col[l]) {
            int o = fill_locus(b, l, e->allele + i, j - i, d);
            if (o < 0) return SDB_EINVAL;
            over |= o;
        }
        i = j;
    }
    if (over && (rc = add_overflow(b, e))) return rc;
    x->n++;
    return SDB_OK;
}

static int cmp_allele(const void *a, const void *b)
{
    sdb_allele x = *(const sdb_allele *)a, y = *(const sdb_allele *)b;
    return (x > y) - (x < y);
}

/* The loci in catalog order, each autosomal locus's ids renumbered in allele
 * order; the columns move into the index. */
static int layout(builder *b, sdb_diag *d)
{
    sdb_idx *x = b->x;
    for (unsigned l = 0; l <= SDB_LOCUS_ID_MAX; l++) {
        if (!b->col[l]) continue;
        if (x->n_loci == SDB_IDX_MAX_LOCI) {
            sdb_diag_set(d, NULL, 0, NULL, "more than %d loci", SDB_IDX_MAX_LOCI);
            return SDB_EINVAL;
        }
        int k = x->n_loci++;
        x->locus[k] = l;
        x->width[k] = b->width[l];
        x->offset[k] = x->row;
        x->row += x->width[k];
        x->col[k] = b->col[l];
        b->col[l] = NULL;
        x->code[k][SDB_IDX_WILDCARD] = SDB_ALLELE_ANY;
        if (x->kind == SDB_KIND_Y) continue;
        int n = x->n_codes[k] = b->n_ids[l];
        sdb_allele sorted[256];
        memcpy(sorted, b->codes[l], sizeof sorted);
        qsort(sorted + 1, (size_t)n, sizeof *sorted, cmp_allele);
        uint8_t remap[256];
        for (int i = 0; i < 256; i++)
            remap[i] = (uint8_t)i; /* 0 untyped and 255 wildcard stay */
        for (int i = 1; i <= n; i++) {
            remap[b->id_of[l][sorted[i]]] = (uint8_t)i;
            x->code[k][i] = sorted[i];
        }
        uint8_t *c = x->col[k];
        for (size_t i = 0, end = (size_t)x->n * 2; i < end; i += 2) {
            uint8_t u = remap[c[i]], v = remap[c[i + 1]];
            c[i] = u < v ? u : v; /* renumbering keeps the order; kept sorted anyway */
            c[i + 1] = u < v ? v : u;
        }
    }
    return SDB_OK;
}

static int build(sdb_idx **out, const sdb_catalog *cat, source *src, sdb_kind kind, sdb_diag *d)
{
    builder b;
    memset(&b, 0, sizeof b);
    if (!(b.x = calloc(1, sizeof *b.x))) return SDB_ENOMEM;
    b.x->kind = kind;
    b.x->cat = cat;
    entries e;
    int rc;
    while ((rc = src->next(src->arg, &e)) == SDB_OK)
        if ((rc = add_row(&b, &e, d))) break;
    if (rc == SDB_END) rc = layout(&b, d);
    if (!rc) rc = sdb_idx_sort_rows(b.x);
    if (!rc) rc = sdb_idx_sample_alleles(b.x);
    if (!rc) rc = sdb_idx_build_directory(b.x);
    for (int l = 0; l <= SDB_LOCUS_ID_MAX; l++) {
        free(b.id_of[l]);
        free(b.codes[l]);
        free(b.memo[l]);
        free(b.col[l]);
    }
    if (rc) {
        sdb_idx_free(b.x);
        return rc;
    }
    *out = b.x;
    return SDB_OK;
}

/* Profiles from an array or a caller's reader: those of the index's kind. */
typedef struct profile_src {
    const sdb_profile *const *ps; /* the array, or NULL */
    long n, i;
    int (*next)(void *arg, sdb_profile *p); /* the caller's reader */
    void *arg;
    sdb_profile p;
    sdb_kind kind;
    entry_buf buf;
} profile_src;

static int profile_next(void *arg, entries *e)
{
    profile_src *s = arg;
    for (;;) {
        const sdb_profile *p;
        if (s->ps) {
            if (s->i == s->n) return SDB_END;
            p = s->ps[s->i++];
        } else {
            int rc = s->next(s->arg, &s->p);
            if (rc) return rc;
            p = &s->p;
        }
        if (p->kind == s->kind) return entries_of(p, &s->buf, e);
    }
}

static int build_profiles(sdb_idx **out, const sdb_catalog *cat, profile_src *s, sdb_kind kind,
                          sdb_diag *d)
{
    s->kind = kind;
    sdb_profile_init(&s->p);
    source src = {profile_next, s};
    int rc = build(out, cat, &src, kind, d);
    sdb_profile_free(&s->p);
    free(s->buf.locus);
    free(s->buf.allele);
    return rc;
}

int sdb_idx_build_profiles(sdb_idx **out, const sdb_catalog *cat, const sdb_profile *const *ps,
                           long n, sdb_kind kind, sdb_diag *d)
{
    profile_src s = {.ps = ps, .n = n};
    return build_profiles(out, cat, &s, kind, d);
}

int sdb_idx_build_source(sdb_idx **out, const sdb_catalog *cat,
                         int (*next)(void *arg, sdb_profile *p), int (*rewind)(void *arg),
                         void *arg, sdb_kind kind, sdb_diag *d)
{
    (void)rewind; /* read once now; kept for callers written for two passes */
    profile_src s = {.next = next, .arg = arg};
    return build_profiles(out, cat, &s, kind, d);
}

/* The store's rows, read raw: the genotype blobs are unpacked straight into
 * entries, without building a profile for each. */
/* The store is read on a second thread: batches of rows (sample ids and
 * unpacked entries) go from the reader to the builder through a queue and
 * come back empty through another, so SQLite and the blob unpacking (about
 * half of a build) overlap the filling of the columns. */
#define BATCH_ROWS 1024
#define BATCHES 4

typedef struct batch {
    int rows, rc; /* rc: SDB_OK, or SDB_END / an error after the last row */
    char *ids;
    size_t ids_len, ids_cap;
    size_t id_at[BATCH_ROWS], first[BATCH_ROWS + 1]; /* into ids; into the entries */
    entry_buf buf;
} batch;

typedef struct store_src {
    sdb_iter *it;
    sdb_queue *full, *empty;
    batch pool[BATCHES], *cur;
    int at; /* the next row of cur */
} store_src;

/* One row of the store into b; SDB_END at the end. */
static int read_row(store_src *s, batch *b)
{
    const char *id;
    const void *blob;
    size_t len, id_len;
    int rc = sdb_iter_next_raw(s->it, &id, &blob, &len);
    if (rc) return rc;
    id_len = strlen(id) + 1;
    if (b->ids_len + id_len > b->ids_cap) {
        size_t cap = 2 * (b->ids_len + id_len) + 4096;
        char *t = realloc(b->ids, cap);
        if (!t) return SDB_ENOMEM;
        b->ids = t;
        b->ids_cap = cap;
    }
    size_t at = b->first[b->rows];
    int n = (int)(len / 3) + 1, have = 0; /* at least the entries of a blob of len bytes */
    if (reserve(&b->buf, (int)at + n)) return SDB_ENOMEM;
    rc = sdb_genotype_unpack(blob, len, b->buf.locus + at, b->buf.allele + at, b->buf.cap - (int)at,
                             &have);
    if (rc) {
        sdb_log(SDB_LOG_ERROR, "profile '%s': damaged genotype encoding", id);
        return rc;
    }
    memcpy(b->ids + b->ids_len, id, id_len);
    b->id_at[b->rows] = b->ids_len;
    b->ids_len += id_len;
    b->first[++b->rows] = at + (size_t)have;
    return SDB_OK;
}

static void *reader_run(void *arg)
{
    store_src *s = arg;
    void *item;
    while (sdb_queue_pop(s->empty, &item) == SDB_OK) {
        batch *b = item;
        b->rows = b->rc = 0;
        b->ids_len = b->first[0] = 0;
        while (b->rows < BATCH_ROWS && !(b->rc = read_row(s, b)))
            continue;
        if (sdb_queue_push(s->full, b) || b->rc) break;
    }
    sdb_queue_close(s->full);
    return NULL;
}

static int store_next(void *arg, entries *e)
{
    store_src *s = arg;
    while (!s->cur || s->at == s->cur->rows) {
        if (s->cur && s->cur->rc) return s->cur->rc;
        void *item;
        if (s->cur && sdb_queue_push(s->empty, s->cur)) return SDB_END;
        s->cur = NULL;
        if (sdb_queue_pop(s->full, &item)) return SDB_END;
        s->cur = item;
        s->at = 0;
    }
    const batch *b = s->cur;
    int r = s->at++;
    *e = (entries){b->ids + b->id_at[r], b->buf.locus + b->first[r], b->buf.allele + b->first[r],
                   (int)(b->first[r + 1] - b->first[r]), NULL};
    return SDB_OK;
}

int sdb_idx_build(sdb_idx **out, sdb_db *db, const char *index, sdb_kind kind, sdb_diag *d)
{
    store_src s;
    memset(&s, 0, sizeof s);
    int rc = sdb_iter_open_genotypes(&s.it, db, index, kind);
    if (rc) return rc;
    pthread_t reader;
    int reading = 0;
    if (!(rc = sdb_queue_new(&s.full, BATCHES)) && !(rc = sdb_queue_new(&s.empty, BATCHES))) {
        for (int i = 0; i < BATCHES && !rc; i++)
            rc = sdb_queue_push(s.empty, &s.pool[i]) ? SDB_ENOMEM : SDB_OK;
        if (!rc) {
            reading = pthread_create(&reader, NULL, reader_run, &s) == 0;
            if (!reading) rc = SDB_ENOMEM;
        }
    }
    if (!rc) {
        source src = {store_next, &s};
        rc = build(out, sdb_db_catalog(db), &src, kind, d);
    }
    if (s.full) sdb_queue_abort(s.full); /* a reader still waiting stops */
    if (s.empty) sdb_queue_abort(s.empty);
    if (reading) pthread_join(reader, NULL);
    sdb_queue_free(s.full);
    sdb_queue_free(s.empty);
    sdb_iter_close(s.it);
    for (int i = 0; i < BATCHES; i++) {
        free(s.pool[i].ids);
        free(s.pool[i].buf.locus);
        free(s.pool[i].buf.allele);
    }
    return rc;
}

void sdb_idx_free(sdb_idx *x)
{
    if (!x) return;
    for (long i = 0; i < x->n_over; i++)
        sdb_profile_free(&x->over[i]);
    free(x->over);
    free(x->over_row);
    for (int k = 0; k < x->n_loci; k++) {
        sdb_idx_column_free(x, k);
        free(x->allele_share[k]);
    }
    free(x->ids);
    free(x->id_off);
    free(x->src);
    free(x->dir_lo);
    free(x->dir_key);
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

long sdb_idx_input_row(const sdb_idx *x, long row)
{
    if (row < 0 || row >= x->n) return -1;
    return x->src ? (long)x->src[row] : row;
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
    return (double)x->row + (x->src ? sizeof *x->src : 0);
}

int sdb_idx_locus_pos(const sdb_idx *x, unsigned locus)
{
    for (int k = 0; k < x->n_loci; k++)
        if (x->locus[k] == locus) return k;
    return -1;
}

uint8_t sdb_idx_allele_id(const sdb_idx *x, int k, sdb_allele a)
{
    if (a == SDB_ALLELE_ANY) return SDB_IDX_WILDCARD;
    for (int i = 1; i <= x->n_codes[k]; i++)
        if (x->code[k][i] == a) return (uint8_t)i;
    return IDX_QUERY_ONLY;
}

void *sdb_idx_column_alloc(size_t bytes)
{
    const size_t huge = (size_t)2 << 20;
    if (bytes < IDX_MAP_MIN) return malloc(bytes ? bytes : 1);
    size_t round = (bytes + huge - 1) & ~(huge - 1);
    void *p;
    if (posix_memalign(&p, huge, round)) return NULL;
#ifdef MADV_HUGEPAGE
    madvise(p, round, MADV_HUGEPAGE); /* advice only: without it the column still works */
#endif
    return p;
}

uint8_t *sdb_idx_column_map(size_t bytes, size_t *mapped)
{
    const size_t huge = (size_t)2 << 20;
    *mapped = 0;
    if (bytes < IDX_MAP_MIN) return malloc(bytes ? bytes : 1);
    size_t len = (bytes + huge - 1) & ~(huge - 1);
    void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) return NULL;
#ifdef MADV_HUGEPAGE
    madvise(p, len, MADV_HUGEPAGE); /* advice: the column works without it */
#endif
    *mapped = len;
    return p;
}

void sdb_idx_column_adopt(sdb_idx *x, int k, uint8_t *col, size_t mapped)
{
    sdb_idx_column_free(x, k);
    x->col[k] = col;
    x->col_mapped[k] = mapped;
}

uint8_t *sdb_idx_column_set(sdb_idx *x, int k, size_t bytes)
{
    size_t mapped;
    uint8_t *c = sdb_idx_column_map(bytes, &mapped);
    if (c) sdb_idx_column_adopt(x, k, c, mapped);
    return c;
}

void sdb_idx_column_free(sdb_idx *x, int k)
{
    if (x->col_mapped[k])
        munmap(x->col[k], x->col_mapped[k]);
    else
        free(x->col[k]);
    x->col[k] = NULL;
    x->col_mapped[k] = 0;
}

const sdb_profile *sdb_idx_overflow(const sdb_idx *x, long row)
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
    const sdb_profile *over = x->n_over ? sdb_idx_overflow(x, row) : NULL;
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
