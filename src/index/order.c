/* Search order of an autosomal index: the rows sorted by their genotypes at
 * the IDX_LEVELS most selective loci, so that the rows with one genotype at
 * a locus are a contiguous range, and within it the rows with one genotype
 * at the next locus, and so on (a trie over the loci with no extra memory).
 * An identity search walks it (src/search/search.c) and scans only the
 * ranges whose genotypes can pass; rows that did not fit the packed layout
 * (overflow) come last, in input order, and are always scanned.
 *
 * Selectivity of a locus: the chance that a random row passes a random
 * query's genotype there, sum(f_g^2) over genotypes plus the untyped share
 * (an untyped locus never fails). Sorting is a stable LSD radix sort of the
 * row numbers, one 16-bit counting pass per level. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "index_internal.h"

typedef struct scored {
    double score;
    int k;
} scored;

static int cmp_scored(const void *a, const void *b)
{
    const scored *x = a, *y = b;
    if (x->score != y->score) return x->score < y->score ? -1 : 1;
    return x->k - y->k;
}

/* Every row up to 2^20 of them, else an even sample of about 2^20: what the
 * samples decide only orders work (the search is exact whatever it is). */
static long sample_step(const sdb_idx *x)
{
    return x->n >> 20 ? (x->n >> 20) + 1 : 1;
}

int sdb_idx_sample_alleles(sdb_idx *x)
{
    if (x->kind != SDB_KIND_AUTOSOMAL || x->n == 0) return SDB_OK;
    long step = sample_step(x), seen = (x->n + step - 1) / step;
    uint32_t count[256];
    for (int k = 0; k < x->n_loci; k++) {
        if (!x->allele_share[k] && !(x->allele_share[k] = malloc(256 * sizeof(float))))
            return SDB_ENOMEM;
        memset(count, 0, sizeof count);
        for (long r = 0; r < x->n; r += step) { /* count[0]: untyped rows */
            const uint8_t *t = x->col[k] + 2 * r;
            count[t[0]]++;
            count[t[1]] += t[1] != t[0];
        }
        for (int id = 0; id < 256; id++)
            x->allele_share[k][id] = (float)count[id] / (float)seen;
        x->untyped_share[k] = x->allele_share[k][SDB_IDX_UNTYPED];
    }
    return SDB_OK;
}

/* Nodes must average this many rows for the directory to pay (measured,
 * simulated CODIS 20: 80 rows a node at 1 M profiles, where searches were
 * faster without it (low p50 0.23 vs 0.35 ms); 216 at 3 M, the same either
 * way; 669 at 10 M, 1.6 vs 1.8 ms with it). */
#define DIR_MIN_ROWS 256

int sdb_idx_build_directory(sdb_idx *x)
{
    free(x->dir_lo);
    free(x->dir_key);
    x->dir_lo = NULL;
    x->dir_key = NULL;
    x->n_dir = 0;
    if (x->n_levels < 2 || x->n_sorted == 0) return SDB_OK;
    int k0 = x->level[0], k1 = x->level[1];
    long most = x->n_sorted / DIR_MIN_ROWS; /* one pass, given up once past this */
    x->dir_lo = malloc((size_t)(most + 1) * sizeof *x->dir_lo);
    x->dir_key = malloc(2 * (size_t)(most + 1) * sizeof *x->dir_key);
    if (!x->dir_lo || !x->dir_key) return SDB_ENOMEM;
    long n = 0;
    for (long r = 0; r < x->n_sorted && n <= most; r++) {
        unsigned a = idx_key(x, k0, r), b = idx_key(x, k1, r);
        if (n && a == x->dir_key[2 * n - 2] && b == x->dir_key[2 * n - 1]) continue;
        if (n == most) { /* nodes too small for the directory to pay */
            n++;
            break;
        }
        x->dir_lo[n] = (uint32_t)r;
        x->dir_key[2 * n] = (uint16_t)a;
        x->dir_key[2 * n++ + 1] = (uint16_t)b;
    }
    if (n > most) {
        free(x->dir_lo);
        free(x->dir_key);
        x->dir_lo = NULL;
        x->dir_key = NULL;
        return SDB_OK;
    }
    x->n_dir = n;
    return SDB_OK;
}

/* Chooses the levels: every locus scored from its genotype counts. */
static int choose_levels(sdb_idx *x, uint32_t *count)
{
    scored s[SDB_IDX_MAX_LOCI];
    long step = sample_step(x), seen = (x->n + step - 1) / step;
    for (int k = 0; k < x->n_loci; k++) {
        memset(count, 0, 65536 * sizeof *count);
        for (long r = 0; r < x->n; r += step)
            count[idx_key(x, k, r)]++;
        double n = (double)seen, score = count[0] / n;
        for (unsigned g = 1; g < 65536; g++)
            score += (double)count[g] / n * ((double)count[g] / n);
        s[k] = (scored){score, k};
    }
    qsort(s, (size_t)x->n_loci, sizeof *s, cmp_scored);
    x->n_levels = x->n_loci < IDX_LEVELS ? x->n_loci : IDX_LEVELS;
    for (int i = 0; i < x->n_levels; i++)
        x->level[i] = s[i].k;
    return SDB_OK;
}

/* perm[0, n) stably sorted by the key of locus k into tmp. The keys are
 * gathered once into key[] (one random read a row, not two: at 10 M rows
 * the columns no longer fit in cache). */
static void radix_pass(const sdb_idx *x, int k, const uint32_t *perm, uint32_t *tmp, long n,
                       uint32_t *count, uint16_t *key)
{
    memset(count, 0, 65537 * sizeof *count);
    for (long i = 0; i < n; i++) {
        key[i] = (uint16_t)idx_key(x, k, perm[i]);
        count[key[i] + 1]++;
    }
    for (unsigned g = 1; g <= 65536; g++)
        count[g] += count[g - 1];
    for (long i = 0; i < n; i++)
        tmp[count[key[i]]++] = perm[i];
}

/* The sorted columns' memory, mapped and touched page by page by a helper
 * thread while the rows are sorted: the first touch of fresh (huge) pages is
 * slow on some machines (a virtual machine's host backs them then: 1.3 s
 * for 400 MB at 10 M profiles here), and the other core is idle then. */
typedef struct fresh {
    int n_loci;
    size_t bytes;
    uint8_t *col[SDB_IDX_MAX_LOCI];
    size_t mapped[SDB_IDX_MAX_LOCI];
} fresh;

static void *fresh_run(void *arg)
{
    fresh *f = arg;
    for (int k = 0; k < f->n_loci; k++) {
        if (!(f->col[k] = sdb_idx_column_map(f->bytes, &f->mapped[k]))) return NULL;
        for (size_t off = 0; off < f->bytes; off += 4096)
            f->col[k][off] = 0;
    }
    return NULL;
}

static void fresh_free(fresh *f)
{
    for (int k = 0; k < f->n_loci; k++) {
        if (f->mapped[k])
            munmap(f->col[k], f->mapped[k]);
        else
            free(f->col[k]);
    }
}

/* Moves every column (into the fresh memory, which the index then owns)
 * and sample id into the order of perm: through the inverse permutation,
 * reading the old columns in order and writing the new ones (huge pages)
 * where the rows go, which costs fewer TLB misses than gathering. */
static int apply(sdb_idx *x, const uint32_t *perm, fresh *f)
{
    uint32_t *to_row = malloc((size_t)x->n * sizeof *to_row);
    size_t *off = malloc((size_t)x->n * sizeof *off);
    if (!to_row || !off) {
        free(to_row);
        free(off);
        return SDB_ENOMEM;
    }
    for (long i = 0; i < x->n; i++)
        to_row[perm[i]] = (uint32_t)i;
    int rc = SDB_OK;
    for (int k = 0; k < x->n_loci && !rc; k++) {
        if (!f->col[k]) {
            rc = SDB_ENOMEM;
            break;
        }
        const uint16_t *from = (const uint16_t *)(const void *)x->col[k];
        uint16_t *to = (uint16_t *)(void *)f->col[k];
        for (long r = 0; r < x->n; r++)
            to[to_row[r]] = from[r];
        sdb_idx_column_adopt(x, k, f->col[k], f->mapped[k]);
        f->col[k] = NULL;
        f->mapped[k] = 0;
    }
    for (long r = 0; !rc && r < x->n; r++)
        off[to_row[r]] = x->id_off[r];
    free(to_row);
    if (rc) {
        free(off);
        return rc;
    }
    free(x->id_off);
    x->id_off = off;
    return SDB_OK;
}

int sdb_idx_sort_rows(sdb_idx *x)
{
    x->n_sorted = x->n;
    if (x->kind != SDB_KIND_AUTOSOMAL || x->n < 2 || x->n_loci == 0) return SDB_OK;
    if (x->n > (long)UINT32_MAX) return SDB_EINVAL;
    uint32_t *perm = malloc((size_t)x->n * sizeof *perm);
    uint32_t *tmp = malloc((size_t)x->n * sizeof *tmp);
    uint32_t *count = malloc(65537 * sizeof *count);
    int rc = perm && tmp && count ? SDB_OK : SDB_ENOMEM;
    fresh f = {.n_loci = x->n_loci, .bytes = (size_t)x->n * 2 + 1};
    pthread_t helper;
    /* a helper only where columns are mapped: small ones come from malloc */
    int helping =
        !rc && f.bytes >= IDX_MAP_MIN && pthread_create(&helper, NULL, fresh_run, &f) == 0;
    if (!rc) rc = choose_levels(x, count);
    if (!rc) {
        long n = 0, o = 0; /* packed rows first, overflow rows kept aside */
        for (long r = 0; r < x->n; r++) {
            if (o < x->n_over && x->over_row[o] == r)
                o++;
            else
                perm[n++] = (uint32_t)r;
        }
        uint16_t *key = malloc((size_t)(n + 1) * sizeof *key);
        if (!key) rc = SDB_ENOMEM;
        for (int i = x->n_levels - 1; i >= 0 && key; i--) {
            radix_pass(x, x->level[i], perm, tmp, n, count, key);
            uint32_t *t = perm;
            perm = tmp;
            tmp = t;
        }
        free(key);
    }
    if (!rc) {
        long n = x->n - x->n_over;
        x->n_sorted = n;
        for (long j = 0; j < x->n_over; j++) {
            perm[n + j] = (uint32_t)x->over_row[j];
            x->over_row[j] = n + j; /* over[] is in input order, as the tail */
        }
    }
    if (helping)
        pthread_join(helper, NULL);
    else if (!rc)
        fresh_run(&f);
    if (!rc) rc = apply(x, perm, &f);
    fresh_free(&f);
    free(tmp);
    free(count);
    if (rc) {
        free(perm);
        return rc;
    }
    x->src = perm;
    return SDB_OK;
}
