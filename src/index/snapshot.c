/* Index snapshot files. Sections in order, all little-endian:
 *   "SDBIDX\0\0" | u32 version | char stamp[64] | u32 kind | u64 n | u32 n_loci
 *   per locus: u32 locus id, u32 width, u32 n_codes, i32 code[256]
 *   u64 ids_len, ids bytes | u64 id_off[n]
 *   per locus: the column, n * width bytes
 *   u64 n_over, then per overflow row: u64 row, u32 entries, (u16 locus, i32 allele)...
 *   the sample id of each overflow profile is the row's
 *   u32 n_levels, u32 level[n_levels] | u64 n_sorted | u32 has_src, u32 src[n] if has_src
 *   BLAKE2b-256 (libsodium crypto_generichash) of all bytes above.
 * The loader checks the checksum before trusting any field. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "index_internal.h"

static const char magic[8] = {'S', 'D', 'B', 'I', 'D', 'X', 0, 0};

typedef struct writer {
    FILE *f;
    crypto_generichash_state h;
    int err;
} writer;

static void put(writer *w, const void *p, size_t n)
{
    if (w->err || !n) return;
    if (fwrite(p, 1, n, w->f) != n) w->err = 1;
    crypto_generichash_update(&w->h, p, n);
}

static void put_u32(writer *w, uint32_t v)
{
    unsigned char b[4] = {(unsigned char)v, (unsigned char)(v >> 8), (unsigned char)(v >> 16),
                          (unsigned char)(v >> 24)};
    put(w, b, 4);
}

static void put_u64(writer *w, uint64_t v)
{
    put_u32(w, (uint32_t)v);
    put_u32(w, (uint32_t)(v >> 32));
}

static void put_overflow(writer *w, const sdb_idx *x)
{
    put_u64(w, (uint64_t)x->n_over);
    for (long i = 0; i < x->n_over; i++) {
        const sdb_profile *p = &x->over[i];
        put_u64(w, (uint64_t)x->over_row[i]);
        put_u32(w, (uint32_t)p->n_alleles);
        for (int c = 0; c < p->n_calls; c++)
            for (uint32_t k = 0; k < p->calls[c].n; k++) {
                unsigned char e[2] = {(unsigned char)p->calls[c].locus,
                                      (unsigned char)(p->calls[c].locus >> 8)};
                put(w, e, 2);
                put_u32(w, (uint32_t)p->alleles[p->calls[c].first + k]);
            }
    }
}

int sdb_idx_save(const sdb_idx *x, const char stamp[65], const char *path)
{
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    writer w = {fopen(tmp, "wb"), {{0}}, 0};
    if (!w.f) return SDB_EIO;
    crypto_generichash_init(&w.h, NULL, 0, 32);
    put(&w, magic, 8);
    put_u32(&w, SDB_IDX_SNAPSHOT_VERSION);
    put(&w, stamp, 64);
    put_u32(&w, (uint32_t)x->kind);
    put_u64(&w, (uint64_t)x->n);
    put_u32(&w, (uint32_t)x->n_loci);
    for (int k = 0; k < x->n_loci; k++) {
        put_u32(&w, x->locus[k]);
        put_u32(&w, (uint32_t)x->width[k]);
        put_u32(&w, (uint32_t)x->n_codes[k]);
        for (int i = 0; i < 256; i++)
            put_u32(&w, (uint32_t)x->code[k][i]);
    }
    put_u64(&w, x->ids_len);
    put(&w, x->ids, x->ids_len);
    for (long i = 0; i < x->n; i++)
        put_u64(&w, x->id_off[i]);
    for (int k = 0; k < x->n_loci; k++)
        put(&w, x->col[k], (size_t)x->n * (size_t)x->width[k]);
    put_overflow(&w, x);
    put_u32(&w, (uint32_t)x->n_levels);
    for (int i = 0; i < x->n_levels; i++)
        put_u32(&w, (uint32_t)x->level[i]);
    put_u64(&w, (uint64_t)x->n_sorted);
    put_u32(&w, x->src != NULL);
    if (x->src)
        for (long i = 0; i < x->n; i++)
            put_u32(&w, x->src[i]);
    unsigned char sum[32];
    crypto_generichash_final(&w.h, sum, sizeof sum);
    if (!w.err && fwrite(sum, 1, sizeof sum, w.f) != sizeof sum) w.err = 1;
    if (fclose(w.f)) w.err = 1;
    if (w.err || rename(tmp, path)) {
        remove(tmp);
        return SDB_EIO;
    }
    return SDB_OK;
}

/* Reading from the (checked) file image in memory. */
typedef struct reader {
    const unsigned char *p, *end;
    int err;
} reader;

static const unsigned char *take(reader *r, size_t n)
{
    if (r->err || (size_t)(r->end - r->p) < n) {
        r->err = 1;
        return NULL;
    }
    const unsigned char *q = r->p;
    r->p += n;
    return q;
}

static uint32_t get_u32(reader *r)
{
    const unsigned char *b = take(r, 4);
    return b ? (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24
             : 0;
}

static uint64_t get_u64(reader *r)
{
    uint64_t lo = get_u32(r);
    return lo | (uint64_t)get_u32(r) << 32;
}

static int read_file(const char *path, unsigned char **buf, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return SDB_ENOTFOUND;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    *buf = n > 0 ? malloc((size_t)n) : NULL;
    int rc = *buf && fread(*buf, 1, (size_t)n, f) == (size_t)n ? SDB_OK : SDB_EIO;
    fclose(f);
    *len = (size_t)n;
    return rc;
}

static int get_overflow(reader *r, sdb_idx *x)
{
    uint64_t n_over = get_u64(r);
    if (r->err || n_over > (uint64_t)x->n) return SDB_EFORMAT;
    x->over_row = calloc((size_t)n_over + 1, sizeof *x->over_row);
    x->over = calloc((size_t)n_over + 1, sizeof *x->over);
    if (!x->over_row || !x->over) return SDB_ENOMEM;
    for (uint64_t i = 0; i < n_over; i++) {
        sdb_profile *p = &x->over[i];
        sdb_profile_init(p);
        x->n_over = (long)i + 1; /* freed up to here on failure */
        x->over_row[i] = (long)get_u64(r);
        uint32_t n = get_u32(r);
        if (r->err || x->over_row[i] < 0 || x->over_row[i] >= x->n || n > 100000)
            return SDB_EFORMAT;
        /* the searches binary-search over_row and mark rows of a block by it: ascending, once */
        if (i > 0 && x->over_row[i] <= x->over_row[i - 1]) return SDB_EFORMAT;
        if (sdb_profile_set_id(p, x->ids + x->id_off[x->over_row[i]], -1)) return SDB_ENOMEM;
        for (uint32_t k = 0; k < n; k++) {
            const unsigned char *e = take(r, 2);
            sdb_allele a = (sdb_allele)get_u32(r);
            const sdb_locus *l = e ? sdb_catalog_by_id(x->cat, e[0] | (unsigned)e[1] << 8) : NULL;
            if (!l || !sdb_allele_is_valid(a) || sdb_profile_add(p, l, a)) return SDB_EFORMAT;
        }
        if (sdb_profile_finish(p, x->cat)) return SDB_ENOMEM;
    }
    return SDB_OK;
}

/* The walk binary-searches the sorted rows level by level: a snapshot whose
 * rows are not in that order (idx_key of level 0, then 1, ...) is refused. */
static int check_sorted(const sdb_idx *x)
{
    for (long r = 1; r < x->n_sorted; r++)
        for (int i = 0; i < x->n_levels; i++) {
            unsigned a = idx_key(x, x->level[i], r - 1), b = idx_key(x, x->level[i], r);
            if (a < b) break;
            if (a > b) return SDB_EFORMAT;
        }
    return SDB_OK;
}

/* The search order: levels, sorted rows, input positions. The overflow rows
 * must be the tail after the sorted rows (the search scans them apart). */
static int get_order(reader *r, sdb_idx *x)
{
    uint32_t n_levels = get_u32(r);
    if (r->err || n_levels > (uint32_t)x->n_loci) return SDB_EFORMAT;
    x->n_levels = (int)n_levels;
    for (int i = 0; i < x->n_levels; i++) {
        x->level[i] = (int)get_u32(r);
        if (x->level[i] < 0 || x->level[i] >= x->n_loci || x->width[x->level[i]] != 2)
            return SDB_EFORMAT;
    }
    uint64_t n_sorted = get_u64(r);
    if (r->err || n_sorted > (uint64_t)x->n) return SDB_EFORMAT;
    x->n_sorted = (long)n_sorted;
    for (long j = 0; j < x->n_over; j++)
        if (x->n_levels && x->over_row[j] != x->n_sorted + j) return SDB_EFORMAT;
    if (x->n_levels && x->n_sorted + x->n_over != x->n) return SDB_EFORMAT;
    uint32_t has_src = get_u32(r);
    if (r->err || has_src > 1) return SDB_EFORMAT;
    if (!has_src) return SDB_OK;
    if ((uint64_t)x->n > (uint64_t)(r->end - r->p) / 4) return SDB_EFORMAT;
    if (!(x->src = malloc((size_t)x->n * sizeof *x->src + 1))) return SDB_ENOMEM;
    for (long i = 0; i < x->n; i++)
        if ((x->src[i] = get_u32(r)) >= (uint64_t)x->n) return SDB_EFORMAT;
    return SDB_OK;
}

static int parse(reader *r, sdb_idx *x, const char *want_stamp, sdb_diag *d, const char *path)
{
    const unsigned char *m = take(r, 8);
    if (!m || memcmp(m, magic, 8)) {
        sdb_diag_set(d, path, 0, NULL, "not an strdb index snapshot");
        return SDB_EFORMAT;
    }
    uint32_t version = get_u32(r);
    if (version != SDB_IDX_SNAPSHOT_VERSION) {
        sdb_diag_set(d, path, 0, NULL, "snapshot version %u, this build reads %d", version,
                     SDB_IDX_SNAPSHOT_VERSION);
        return SDB_EVERSION;
    }
    const unsigned char *stamp = take(r, 64);
    if (stamp && want_stamp && memcmp(stamp, want_stamp, 64)) return SDB_ENOTFOUND;
    x->kind = (sdb_kind)get_u32(r);
    uint64_t n = get_u64(r);
    uint32_t n_loci = get_u32(r);
    /* IMPORTANT: sdb_idx_free trusts n_loci and n_over: assign them only once checked */
    if (r->err || n > (1ULL << 40) || n_loci > SDB_IDX_MAX_LOCI ||
        (x->kind != SDB_KIND_AUTOSOMAL && x->kind != SDB_KIND_Y))
        return SDB_EFORMAT;
    x->n = (long)n;
    x->n_loci = (int)n_loci;
    for (int k = 0; k < x->n_loci; k++) {
        x->locus[k] = get_u32(r);
        x->width[k] = (int)get_u32(r);
        x->n_codes[k] = (int)get_u32(r);
        if (x->width[k] < 1 || x->width[k] > 8 || x->n_codes[k] < 0 || x->n_codes[k] > 253 ||
            !sdb_catalog_by_id(x->cat, x->locus[k]))
            return SDB_EFORMAT;
        x->offset[k] = x->row;
        x->row += x->width[k];
        for (int i = 0; i < 256; i++)
            x->code[k][i] = (sdb_allele)get_u32(r);
    }
    uint64_t ids_len = get_u64(r);
    const unsigned char *ids = take(r, ids_len);
    if (!ids || (ids_len && ids[ids_len - 1])) return SDB_EFORMAT;
    /* n must fit what is left: 8 bytes of offset and row bytes per profile */
    if ((uint64_t)x->n > (uint64_t)(r->end - r->p) / (8 + (uint64_t)x->row)) return SDB_EFORMAT;
    if (!(x->ids = malloc(ids_len + 1)) ||
        !(x->id_off = malloc(((size_t)x->n + 1) * sizeof(size_t))))
        return SDB_ENOMEM;
    memcpy(x->ids, ids, ids_len);
    x->ids_len = ids_len;
    for (long i = 0; i < x->n; i++)
        if ((x->id_off[i] = get_u64(r)) >= ids_len) return SDB_EFORMAT;
    for (int k = 0; k < x->n_loci; k++) {
        size_t bytes = (size_t)x->n * (size_t)x->width[k];
        const unsigned char *c = take(r, bytes);
        if (!c) return SDB_EFORMAT;
        if (!sdb_idx_column_set(x, k, bytes)) return SDB_ENOMEM;
        memcpy(x->col[k], c, bytes);
    }
    int rc = get_overflow(r, x);
    if (!rc) rc = get_order(r, x);
    if (!rc) rc = check_sorted(x);
    if (!rc) rc = sdb_idx_sample_alleles(x);
    if (!rc) rc = sdb_idx_build_directory(x);
    if (!rc && (r->err || r->p != r->end)) rc = SDB_EFORMAT;
    return rc;
}

int sdb_idx_load(sdb_idx **out, const sdb_catalog *cat, const char *path, const char *want_stamp,
                 sdb_diag *d)
{
    unsigned char *buf = NULL;
    size_t len = 0;
    int rc = read_file(path, &buf, &len);
    if (rc) {
        free(buf);
        if (rc == SDB_EIO) sdb_diag_set(d, path, 0, NULL, "cannot read the snapshot");
        return rc;
    }
    unsigned char sum[32];
    if (len < 8 + 32)
        rc = SDB_EFORMAT;
    else {
        crypto_generichash(sum, sizeof sum, buf, len - 32, NULL, 0);
        if (sodium_memcmp(sum, buf + len - 32, 32)) rc = SDB_EFORMAT;
    }
    if (rc) {
        sdb_diag_set(d, path, 0, NULL, "snapshot checksum does not match (damaged file)");
        free(buf);
        return rc;
    }
    sdb_idx *x = calloc(1, sizeof *x);
    if (!x) {
        free(buf);
        return SDB_ENOMEM;
    }
    x->cat = cat;
    reader r = {buf, buf + len - 32, 0};
    rc = parse(&r, x, want_stamp, d, path);
    free(buf);
    if (rc == SDB_EFORMAT && !d->reason[0]) sdb_diag_set(d, path, 0, NULL, "malformed snapshot");
    if (rc) {
        sdb_idx_free(x);
        return rc;
    }
    *out = x;
    return SDB_OK;
}
