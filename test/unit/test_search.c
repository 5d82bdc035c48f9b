/* Searches against brute force: random databases and queries (loci missing
 * at random, wildcards, mixtures, two-copy Y loci, microvariants, Y
 * duplications); every search type must return exactly what a direct
 * computation over the profiles returns. Also the DNAtools all-pairs table
 * of dbExample.csv, cell by cell. */
#include <math.h>

#include "unit.h"

#define KA SDB_TEST_DATA "/known-answers/"

static const sdb_catalog *cat;

static int setup(void **state)
{
    cat = sdb_catalog_default();
    return sdb_init();
}

static unsigned long long rng_state = 12345;

static unsigned rnd(unsigned n)
{
    rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (unsigned)((rng_state >> 33) % n);
}

static const char *auto_loci[] = {"D3S1358", "vWA",    "FGA",    "TH01",
                                  "D8S1179", "D21S11", "D18S51", "TPOX"};
static const char *y_loci[] = {"DYS19",  "DYS385",   "DYS390", "DYS391",
                               "DYS392", "DYF387S1", "DYS389I"};

static sdb_allele random_allele(int k)
{
    if (rnd(40) == 0) return SDB_ALLELE_ANY;
    sdb_allele a = (sdb_allele)(100 + 10 * (int)rnd(5) + 10 * k % 30);
    if (rnd(15) == 0) a += 3; /* a microvariant */
    return a;
}

static void random_autosomal(sdb_profile *p, const char *id, int mixtures)
{
    sdb_profile_reset(p);
    assert_int_equal(sdb_profile_set_id(p, id, -1), SDB_OK);
    for (int k = 0; k < 8; k++) {
        if (rnd(5) == 0) continue; /* untyped */
        const sdb_locus *l = sdb_catalog_find(cat, auto_loci[k], strlen(auto_loci[k]));
        int n = 1 + (int)rnd(2) + (mixtures && rnd(6) == 0 ? 1 + (int)rnd(2) : 0);
        for (int j = 0; j < n; j++)
            assert_int_equal(sdb_profile_add(p, l, random_allele(k)), SDB_OK);
    }
    assert_int_equal(sdb_profile_finish(p, cat), SDB_OK);
}

static void random_y(sdb_profile *p, const char *id)
{
    sdb_profile_reset(p);
    assert_int_equal(sdb_profile_set_id(p, id, -1), SDB_OK);
    for (int k = 0; k < 7; k++) {
        if (rnd(6) == 0) continue;
        const sdb_locus *l = sdb_catalog_find(cat, y_loci[k], strlen(y_loci[k]));
        int n = l->copies + (rnd(25) == 0); /* sometimes a duplication */
        for (int j = 0; j < n; j++) {
            sdb_allele a = (sdb_allele)(130 + 10 * (int)rnd(3));
            if (rnd(20) == 0) a += 2;
            assert_int_equal(sdb_profile_add(p, l, a), SDB_OK);
        }
    }
    assert_int_equal(sdb_profile_finish(p, cat), SDB_OK);
}

/* ---- brute force, over allele codes ---- */

typedef struct codes {
    sdb_allele v[32];
    int n, wild;
} codes;

static void codes_of(const sdb_profile *p, unsigned locus, codes *c)
{
    memset(c, 0, sizeof *c);
    const sdb_call *call = sdb_profile_call(p, locus);
    for (uint32_t j = 0; call && j < call->n; j++) {
        sdb_allele a = p->alleles[call->first + j];
        if (a == SDB_ALLELE_ANY)
            c->wild = 1;
        else
            c->v[c->n++] = a;
    }
}

static int in(const codes *c, sdb_allele a)
{
    for (int i = 0; i < c->n; i++)
        if (c->v[i] == a) return 1;
    return 0;
}

static int all_in(const codes *a, const codes *b)
{
    if (b->wild) return 1;
    for (int i = 0; i < a->n; i++)
        if (!in(b, a->v[i])) return 0;
    return 1;
}

static int brute_locus(const codes *q, const codes *t, sdb_stringency s)
{
    if (s == SDB_STRINGENCY_HIGH) return all_in(q, t) && all_in(t, q);
    if (s == SDB_STRINGENCY_MODERATE) return all_in(q, t) || all_in(t, q);
    if (q->wild || t->wild || !q->n || !t->n) return 1;
    for (int i = 0; i < q->n; i++)
        if (in(t, q->v[i])) return 1;
    return 0;
}

/* Loci typed in both, matching and mismatching under s, over the allele
 * codes of the profiles themselves. */
static void brute_counts(const sdb_profile *q, const sdb_profile *t, sdb_stringency s, int *shared,
                         int *match, int *miss)
{
    *shared = *match = *miss = 0;
    for (int k = 0; k < 8; k++) {
        unsigned l = sdb_catalog_find(cat, auto_loci[k], strlen(auto_loci[k]))->id;
        codes a, b;
        codes_of(q, l, &a);
        codes_of(t, l, &b);
        if ((!a.n && !a.wild) || (!b.n && !b.wild)) continue;
        ++*shared;
        if (brute_locus(&a, &b, s))
            ++*match;
        else
            ++*miss;
    }
}

/* The hits are exactly the profiles of db the brute force accepts, with its
 * counts, ranked. */
static void expect_brute(const sdb_idx *x, const sdb_profile *q, const sdb_profile *db, int n_db,
                         const sdb_search_opts *o, const sdb_hit *hits, long n)
{
    long expect = 0, *at = malloc((size_t)n_db * sizeof *at); /* input position -> hit */
    for (int i = 0; i < n_db; i++)
        at[i] = -1;
    for (long h = 0; h < n; h++) {
        long i = sdb_idx_input_row(x, hits[h].target);
        assert_true(i >= 0 && i < n_db && at[i] < 0);
        at[i] = h;
    }
    for (int i = 0; i < n_db; i++) {
        int shared, match, miss;
        brute_counts(q, &db[i], o->stringency, &shared, &match, &miss);
        if (shared < o->min_loci || miss > o->max_mismatch) continue;
        if (at[i] < 0)
            fail_msg("stringency %d mismatch %d: %s missing", o->stringency, o->max_mismatch,
                     db[i].sample_id);
        const sdb_hit *h = &hits[at[i]];
        assert_string_equal(sdb_idx_sample_id(x, h->target), db[i].sample_id);
        assert_int_equal(h->shared, shared);
        assert_int_equal(h->matching, match);
        assert_int_equal(h->mismatching, miss);
        expect++;
    }
    free(at);
    assert_int_equal(n, expect);
}

/* The search at the processor's best SIMD level into *hits, after checking
 * that every other level it has (down to the scalar twins) gives the same. */
static void search_every_level(const sdb_idx *x, const sdb_profile *q, const sdb_search_opts *o,
                               sdb_hit **hits, long *n)
{
    sdb_diag d;
    sdb_search_simd(-1);
    assert_int_equal(sdb_search(x, q, o, hits, n, &d), SDB_OK);
    for (int level = SDB_SIMD_SCALAR; level < SDB_SIMD_AVX512; level++) {
        if (sdb_search_simd(level) != level) continue;
        sdb_hit *twin;
        long n_twin;
        assert_int_equal(sdb_search(x, q, o, &twin, &n_twin, &d), SDB_OK);
        assert_int_equal(*n, n_twin);
        if (n_twin) assert_memory_equal(*hits, twin, (size_t)n_twin * sizeof *twin);
        free(twin);
    }
    sdb_search_simd(-1);
}

static void test_identity_differential(void **state)
{
    enum { N = 5000, Q = 10 };
    sdb_profile db[N], q;
    const sdb_profile *ptr[N];
    char id[32];
    for (int i = 0; i < N; i++) {
        sdb_profile_init(&db[i]);
        snprintf(id, sizeof id, "S%04d", i);
        random_autosomal(&db[i], id, 1);
        ptr[i] = &db[i];
    }
    sdb_idx *x;
    sdb_diag d;
    assert_int_equal(sdb_idx_build_profiles(&x, cat, ptr, N, SDB_KIND_AUTOSOMAL, &d), SDB_OK);
    sdb_profile_init(&q);
    long checked = 0;
    for (int t = 0; t < Q; t++) {
        random_autosomal(&q, "query", t % 3 == 0);
        if (t % 5 == 0) assert_int_equal(sdb_profile_copy(&q, &db[rnd(N)]), SDB_OK);
        for (int s = 0; s < 3; s++)
            for (int mm = 0; mm <= 2; mm += 2) {
                sdb_search_opts o;
                sdb_search_opts_init(&o);
                o.stringency = (sdb_stringency)s;
                o.max_mismatch = mm;
                o.min_loci = 3;
                o.threads = 1 + (t % 2);
                sdb_hit *hits;
                long n;
                search_every_level(x, &q, &o, &hits, &n);
                expect_brute(x, &q, db, N, &o, hits, n);
                for (long h = 1; h < n; h++) /* ranked */
                    assert_true(hits[h - 1].matching > hits[h].matching ||
                                (hits[h - 1].matching == hits[h].matching &&
                                 hits[h - 1].mismatching <= hits[h].mismatching));
                checked += n;
                free(hits);
            }
    }
    assert_true(checked > 100);
    sdb_profile_free(&q);
    for (int i = 0; i < N; i++)
        sdb_profile_free(&db[i]);
    sdb_idx_free(x);
}

/* A population with few alleles per locus, so that the search order is a
 * deep trie (thousands of rows share a genotype at several loci), and
 * queries taken from it and changed: the walk must find exactly what the
 * brute force finds at every stringency, mismatch allowance and min-loci,
 * including rows that are untyped, wildcards or mixtures at a level locus. */
static int narrow_loci; /* 1: two alleles a locus, few and large trie nodes (a directory) */

static void skewed_autosomal(sdb_profile *p, const char *id)
{
    sdb_profile_reset(p);
    assert_int_equal(sdb_profile_set_id(p, id, -1), SDB_OK);
    for (int k = 0; k < 8; k++) {
        if (rnd(12) == 0) continue; /* untyped */
        const sdb_locus *l = sdb_catalog_find(cat, auto_loci[k], strlen(auto_loci[k]));
        int n = rnd(120) == 0 ? 3 : 2, variety = narrow_loci ? 2 : 2 + k % 4;
        for (int j = 0; j < n; j++) {
            /* skewed: the first allele about half the time */
            sdb_allele a = (sdb_allele)(100 + 10 * (rnd(2) ? 0 : (int)rnd((unsigned)variety)));
            if (rnd(300) == 0) a = SDB_ALLELE_ANY;
            assert_int_equal(sdb_profile_add(p, l, a), SDB_OK);
        }
    }
    assert_int_equal(sdb_profile_finish(p, cat), SDB_OK);
}

static void identity_walk(void)
{
    enum { N = 20000, Q = 16 };
    static sdb_profile db[N];
    static const sdb_profile *ptr[N];
    char id[32];
    for (int i = 0; i < N; i++) {
        sdb_profile_init(&db[i]);
        snprintf(id, sizeof id, "W%05d", i);
        skewed_autosomal(&db[i], id);
        ptr[i] = &db[i];
    }
    sdb_idx *x;
    sdb_diag d;
    assert_int_equal(sdb_idx_build_profiles(&x, cat, ptr, N, SDB_KIND_AUTOSOMAL, &d), SDB_OK);
    /* rows are in search order; each still names its input position */
    int *seen = calloc(N, sizeof *seen);
    for (long r = 0; r < N; r++) {
        long i = sdb_idx_input_row(x, r);
        assert_true(i >= 0 && i < N && !seen[i]);
        seen[i] = 1;
        assert_string_equal(sdb_idx_sample_id(x, r), db[i].sample_id);
    }
    free(seen);
    sdb_profile q;
    sdb_profile_init(&q);
    long checked = 0;
    for (int t = 0; t < Q; t++) {
        if (t % 4 == 0) {
            skewed_autosomal(&q, "query");
        } else { /* a stored profile, one locus changed, dropped or made a wildcard */
            const sdb_profile *src = &db[rnd(N)];
            sdb_profile_reset(&q);
            assert_int_equal(sdb_profile_set_id(&q, "query", -1), SDB_OK);
            int change = (int)rnd(8);
            for (int k = 0; k < 8; k++) {
                const sdb_locus *l = sdb_catalog_find(cat, auto_loci[k], strlen(auto_loci[k]));
                const sdb_call *c = sdb_profile_call(src, l->id);
                if (!c || (k == change && t % 4 == 2)) continue;
                for (uint32_t j = 0; j < c->n; j++) {
                    sdb_allele a = src->alleles[c->first + j];
                    if (k == change && t % 4 == 1 && j == 0) a = 100 + 10 * (int)rnd(3);
                    if (k == change && t % 4 == 3 && j == 0) a = SDB_ALLELE_ANY;
                    assert_int_equal(sdb_profile_add(&q, l, a), SDB_OK);
                }
            }
            assert_int_equal(sdb_profile_finish(&q, cat), SDB_OK);
        }
        for (int s = 0; s < 3; s++)
            for (int mm = 0; mm <= 2; mm++) {
                sdb_search_opts o;
                sdb_search_opts_init(&o);
                o.stringency = (sdb_stringency)s;
                o.max_mismatch = mm;
                o.min_loci = t % 2 ? 1 : 6;
                o.threads = 1 + (t % 3 == 0);
                sdb_hit *hits;
                long n;
                if (mm == 0) /* the pass-mask kernels: every level */
                    search_every_level(x, &q, &o, &hits, &n);
                else
                    assert_int_equal(sdb_search(x, &q, &o, &hits, &n, &d), SDB_OK);
                expect_brute(x, &q, db, N, &o, hits, n);
                checked += n;
                free(hits);
            }
    }
    assert_true(checked > 1000);
    sdb_profile_free(&q);
    for (int i = 0; i < N; i++)
        sdb_profile_free(&db[i]);
    sdb_idx_free(x);
}

/* The walk on two populations: the first's trie nodes are small (no
 * directory), the second's (two alleles a locus) large enough for the
 * directory of the first two levels. */
static void test_identity_walk(void **state)
{
    for (narrow_loci = 0; narrow_loci <= 1; narrow_loci++)
        identity_walk();
    narrow_loci = 0;
}

static int cmp_code(const void *a, const void *b)
{
    sdb_allele x = *(const sdb_allele *)a, y = *(const sdb_allele *)b;
    return (x > y) - (x < y);
}

static void test_y_differential(void **state)
{
    enum { N = 5000, Q = 12 };
    sdb_profile db[N], q;
    const sdb_profile *ptr[N];
    char id[32];
    for (int i = 0; i < N; i++) {
        sdb_profile_init(&db[i]);
        snprintf(id, sizeof id, "Y%04d", i);
        random_y(&db[i], id);
        ptr[i] = &db[i];
    }
    sdb_idx *x;
    sdb_diag d;
    assert_int_equal(sdb_idx_build_profiles(&x, cat, ptr, N, SDB_KIND_Y, &d), SDB_OK);
    sdb_profile_init(&q);
    long checked = 0;
    for (int t = 0; t < Q; t++) {
        random_y(&q, "query");
        for (int ml = 0; ml <= 3; ml++) {
            sdb_ysearch_opts o;
            sdb_ysearch_opts_init(&o);
            o.max_loci = ml;
            o.max_steps = ml == 3 ? -1 : ml;
            o.min_loci = 2;
            o.threads = 1 + (t % 2);
            sdb_yhit *hits, *twin;
            long n, n_twin;
            /* the SIMD kernel and its scalar twin agree */
            sdb_search_force_scalar(1);
            assert_int_equal(sdb_ysearch(x, &q, &o, &twin, &n_twin, &d), SDB_OK);
            sdb_search_force_scalar(0);
            assert_int_equal(sdb_ysearch(x, &q, &o, &hits, &n, &d), SDB_OK);
            assert_int_equal(n, n_twin);
            if (n) assert_memory_equal(hits, twin, (size_t)n * sizeof *hits);
            free(twin);
            long expect = 0;
            for (int i = 0; i < N; i++) {
                int compared = 0, differing = 0, steps = 0, missing = 0;
                for (int k = 0; k < 7; k++) {
                    unsigned l = sdb_catalog_find(cat, y_loci[k], strlen(y_loci[k]))->id;
                    codes a, b;
                    codes_of(&q, l, &a);
                    codes_of(&db[i], l, &b);
                    if (!a.n) continue;
                    if (!b.n) {
                        missing++;
                        continue;
                    }
                    compared++;
                    qsort(a.v, (size_t)a.n, sizeof *a.v, cmp_code);
                    qsort(b.v, (size_t)b.n, sizeof *b.v, cmp_code);
                    int diff = a.n != b.n;
                    for (int j = 0; a.n == b.n && j < a.n; j++) {
                        if (a.v[j] == b.v[j]) continue;
                        diff = 1;
                        if ((a.v[j] - b.v[j]) % 10 == 0) steps += abs(a.v[j] - b.v[j]) / 10;
                    }
                    differing += diff;
                }
                if (compared < o.min_loci || differing > ml ||
                    (o.max_steps >= 0 && steps > o.max_steps))
                    continue;
                int found = 0;
                for (long h = 0; h < n; h++)
                    if (!strcmp(sdb_idx_sample_id(x, hits[h].target), db[i].sample_id)) {
                        found = 1;
                        assert_int_equal(hits[h].compared, compared);
                        assert_int_equal(hits[h].differing, differing);
                        assert_int_equal(hits[h].steps, steps);
                        assert_int_equal(hits[h].missing, missing);
                    }
                if (!found) fail_msg("query %d max_loci %d: %s missing", t, ml, db[i].sample_id);
                expect++;
            }
            assert_int_equal(n, expect);
            checked += n;
            free(hits);
        }
    }
    assert_true(checked > 100);
    sdb_profile_free(&q);
    for (int i = 0; i < N; i++)
        sdb_profile_free(&db[i]);
    sdb_idx_free(x);
}

/* Reads a file's profiles into an array. */
static long read_all(const char *path, sdb_profile **out)
{
    sdb_reader *r = NULL;
    sdb_diag d;
    assert_int_equal(sdb_reader_open(&r, path, cat, NULL, &d), SDB_OK);
    long n = 0, cap = 1024;
    *out = malloc((size_t)cap * sizeof **out);
    for (;;) {
        if (n == cap) *out = realloc(*out, (size_t)(cap *= 2) * sizeof **out);
        sdb_profile_init(&(*out)[n]);
        if (sdb_reader_next(r, &(*out)[n], &d) != SDB_OK) {
            sdb_profile_free(&(*out)[n]);
            break;
        }
        n++;
    }
    sdb_reader_close(r);
    return n;
}

static void test_pairs_dbexample(void **state)
{
    sdb_profile *ps;
    long n = read_all(SDB_TEST_DATA "/dbExample.csv", &ps);
    assert_int_equal(n, 1000);
    const sdb_profile **ptr = malloc((size_t)n * sizeof *ptr);
    for (long i = 0; i < n; i++)
        ptr[i] = &ps[i];
    sdb_idx *x;
    sdb_diag d;
    assert_int_equal(sdb_idx_build_profiles(&x, cat, ptr, n, SDB_KIND_AUTOSOMAL, &d), SDB_OK);
    assert_true(sdb_idx_bytes_per_profile(x) <= 64);
    char *text = read_file(KA "dbExample_match_partialmatch_counts.csv", NULL);
    assert_non_null(text);
    for (int threads = 1; threads <= 3; threads++) {
        sdb_pairs_result r;
        assert_int_equal(sdb_pairs(x, 6, threads, &r), SDB_OK);
        assert_int_equal(r.n_loci, 10);
        assert_true(r.pairs == 499500);
        /* every cell of the published table */
        char *save, *copy = strdup(text), *line = strtok_r(copy, "\r\n", &save);
        int rows = 0;
        while ((line = strtok_r(NULL, "\r\n", &save))) {
            int m = atoi(line), p = 0;
            for (char *c = strchr(line, ','); c; c = strchr(c + 1, ','), p++) {
                if (c[1] == ',' || c[1] == '\0') continue; /* empty cell: m + p > 10 */
                assert_true(r.counts[m * 11 + p] == strtoull(c + 1, NULL, 10));
            }
            rows++;
        }
        assert_int_equal(rows, 11);
        assert_int_equal(r.n_hits, 5); /* the table's m >= 6 pairs: 2 + 3 */
        free(copy);
        sdb_pairs_free(&r);
    }
    free(text);
    for (long i = 0; i < n; i++)
        sdb_profile_free(&ps[i]);
    free(ps);
    free(ptr);
    sdb_idx_free(x);
}

/* Random profiles over nl loci (the first nl autosomal loci of the catalog)
 * with few alleles each, so that genotypes repeat: a locus is untyped one
 * time in five, a wildcard or a mixture now and then (mixtures only where
 * the row number is a multiple of 10), and one profile in eight is a copy
 * of an earlier one with a locus or two changed, so m reaches nl. */
static void random_wide(sdb_profile *db, int n, int nl)
{
    const sdb_locus *loci[64];
    for (int i = 0, k = 0; k < nl; i++)
        if (sdb_catalog_at(cat, i)->type == SDB_LOCUS_AUTOSOMAL) loci[k++] = sdb_catalog_at(cat, i);
    sdb_allele(*gen)[64][3] = calloc((size_t)n, sizeof *gen); /* 0: no allele */
    char id[32];
    for (int i = 0; i < n; i++) {
        if (i > 0 && rnd(8) == 0) {
            memcpy(gen[i], gen[rnd((unsigned)i)], sizeof gen[i]);
            int k = (int)rnd((unsigned)nl);
            gen[i][k][0] = 120;
            gen[i][k][1] = rnd(2) ? 130 : 0;
            gen[i][k][2] = 0;
        } else
            for (int k = 0; k < nl; k++) {
                if (rnd(5) == 0) continue;
                int alleles = 1 + (int)rnd(2) + (i % 10 == 0 && rnd(6) == 0);
                for (int j = 0; j < alleles; j++)
                    gen[i][k][j] = rnd(50) == 0 ? SDB_ALLELE_ANY : (sdb_allele)(100 + 10 * rnd(4));
            }
        sdb_profile_init(&db[i]);
        snprintf(id, sizeof id, "W%05d", i);
        assert_int_equal(sdb_profile_set_id(&db[i], id, -1), SDB_OK);
        for (int k = 0; k < nl; k++)
            for (int j = 0; j < 3 && gen[i][k][j]; j++)
                assert_int_equal(sdb_profile_add(&db[i], loci[k], gen[i][k][j]), SDB_OK);
        assert_int_equal(sdb_profile_finish(&db[i], cat), SDB_OK);
    }
    free(gen);
}

/* A profile's genotypes at the index's loci for the brute force: 0 untyped
 * (or a wildcard), 1 typed (g[0] <= g[1]); -1 at [0] when it holds a mixture. */
static void brute_genotypes(const sdb_profile *p, const sdb_idx *x, int L, int *typed,
                            sdb_allele (*g)[2])
{
    for (int l = 0; l < L; l++) {
        codes c;
        codes_of(p, sdb_idx_locus(x, l), &c);
        typed[l] = c.n && !c.wild;
        g[l][0] = c.n ? c.v[0] : 0;
        g[l][1] = c.n > 1 ? c.v[1] : g[l][0];
        if (g[l][0] > g[l][1]) {
            sdb_allele t = g[l][0];
            g[l][0] = g[l][1];
            g[l][1] = t;
        }
    }
    for (int c = 0; c < p->n_calls; c++)
        if (p->calls[c].n > 2) typed[0] = -1;
}

/* sdb_pairs on db[0..n) against a direct double loop: every cell, and the
 * hits (m >= hit_m) in input order, at each SIMD level and 1 or 2 threads. */
static void expect_pairs(const sdb_profile *db, int n, int hit_m)
{
    const sdb_profile **ptr = malloc((size_t)n * sizeof *ptr);
    for (int i = 0; i < n; i++)
        ptr[i] = &db[i];
    sdb_idx *x;
    sdb_diag d;
    assert_int_equal(sdb_idx_build_profiles(&x, cat, ptr, n, SDB_KIND_AUTOSOMAL, &d), SDB_OK);
    int L = sdb_idx_n_loci(x);
    int(*typed)[64] = calloc((size_t)n, sizeof *typed);
    sdb_allele(*g)[64][2] = calloc((size_t)n, sizeof *g);
    uint64_t *want = calloc((size_t)(L + 1) * (L + 1), sizeof *want);
    long cap = 1024, n_want = 0, *want_hits = malloc((size_t)cap * 2 * sizeof *want_hits);
    for (int i = 0; i < n; i++)
        brute_genotypes(&db[i], x, L, typed[i], g[i]);
    for (int i = 0; i < n; i++)
        for (int k = i + 1; k < n && typed[i][0] >= 0; k++) {
            if (typed[k][0] < 0) continue;
            int m = 0, p = 0;
            for (int l = 0; l < L; l++) {
                if (!typed[i][l] || !typed[k][l]) continue;
                const sdb_allele *a = g[i][l], *b = g[k][l];
                if (a[0] == b[0] && a[1] == b[1])
                    m++;
                else
                    p += a[0] == b[0] || a[0] == b[1] || a[1] == b[0] || a[1] == b[1];
            }
            want[m * (L + 1) + p]++;
            if (hit_m < 0 || m < hit_m) continue;
            if (n_want == cap)
                want_hits = realloc(want_hits, (size_t)(cap *= 2) * 2 * sizeof(long));
            want_hits[2 * n_want] = i;
            want_hits[2 * n_want++ + 1] = k;
        }
    for (int level = SDB_SIMD_SCALAR; level <= SDB_SIMD_AVX512; level++) {
        if (sdb_search_simd(level) != level) continue; /* the processor lacks it */
        for (int threads = 1; threads <= 2; threads++) {
            sdb_pairs_result r;
            assert_int_equal(sdb_pairs(x, hit_m, threads, &r), SDB_OK);
            assert_int_equal(r.n_loci, L);
            for (int c = 0; c < (L + 1) * (L + 1); c++)
                assert_true(r.counts[c] == want[c]);
            assert_int_equal(r.n_hits, n_want);
            for (long h = 0; h < n_want; h++) {
                assert_int_equal(sdb_idx_input_row(x, r.hit_a[h]), want_hits[2 * h]);
                assert_int_equal(sdb_idx_input_row(x, r.hit_b[h]), want_hits[2 * h + 1]);
                assert_true(r.hit_m[h] >= hit_m);
            }
            sdb_pairs_free(&r);
        }
    }
    sdb_search_simd(-1);
    free(typed);
    free(g);
    free(want);
    free(want_hits);
    free(ptr);
    sdb_idx_free(x);
}

/* All pairs on random profiles (missing loci, wildcards, mixtures) against a
 * direct double loop, with each SIMD kernel and the scalar twin: eight loci
 * over more than one tile of rows (4,096) with a partial last one; and 40
 * loci (counters of 7 bit planes) with copies, so that m reaches 40. */
static void test_pairs_differential(void **state)
{
    enum { N = 4700, WIDE = 1200 };
    sdb_profile *db = calloc(N, sizeof *db);
    char id[32];
    for (int i = 0; i < N; i++) {
        sdb_profile_init(&db[i]);
        snprintf(id, sizeof id, "P%04d", i);
        random_autosomal(&db[i], id, i % 10 == 0);
    }
    expect_pairs(db, N, 6);
    expect_pairs(db, 300, 0); /* every pair listed, but not a mixture's */
    for (int i = 0; i < N; i++)
        sdb_profile_free(&db[i]);
    random_wide(db, WIDE, 40);
    expect_pairs(db, WIDE, 30);
    for (int i = 0; i < WIDE; i++)
        sdb_profile_free(&db[i]);
    free(db);
}

/* Snapshots: a saved index loads back to the same searches; a changed
 * stamp, a damaged byte and another version are all refused. */
static void test_snapshot(void **state)
{
    enum { N = 800 };
    sdb_profile db[N], q;
    const sdb_profile *ptr[N];
    char id[32], path[256];
    for (int i = 0; i < N; i++) {
        sdb_profile_init(&db[i]);
        snprintf(id, sizeof id, "S%04d", i);
        random_autosomal(&db[i], id, 1);
        ptr[i] = &db[i];
    }
    sdb_idx *x, *y;
    sdb_diag d;
    assert_int_equal(sdb_idx_build_profiles(&x, cat, ptr, N, SDB_KIND_AUTOSOMAL, &d), SDB_OK);
    snprintf(path, sizeof path, "%s/strdb-unit-snapshot-%d",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", (int)getpid());
    char stamp[65];
    memset(stamp, 'a', 64);
    stamp[64] = 0;
    assert_int_equal(sdb_idx_save(x, stamp, path), SDB_OK);
    assert_int_equal(sdb_idx_load(&y, cat, path, stamp, &d), SDB_OK);
    assert_int_equal(sdb_idx_count(y), N);
    sdb_profile_init(&q);
    for (int t = 0; t < 10; t++) {
        random_autosomal(&q, "q", 1);
        sdb_search_opts o;
        sdb_search_opts_init(&o);
        o.stringency = (sdb_stringency)(t % 3);
        o.max_mismatch = t % 2;
        sdb_hit *a, *b;
        long na, nb;
        assert_int_equal(sdb_search(x, &q, &o, &a, &na, &d), SDB_OK);
        assert_int_equal(sdb_search(y, &q, &o, &b, &nb, &d), SDB_OK);
        assert_int_equal(na, nb);
        if (na) assert_memory_equal(a, b, (size_t)na * sizeof *a);
        free(a);
        free(b);
    }
    sdb_idx_free(y);
    char other[65];
    memset(other, 'b', 64);
    other[64] = 0;
    assert_int_equal(sdb_idx_load(&y, cat, path, other, &d), SDB_ENOTFOUND);
    /* one changed byte: the checksum catches it */
    FILE *f = fopen(path, "r+b");
    fseek(f, 200, SEEK_SET);
    int c = fgetc(f);
    fseek(f, 200, SEEK_SET);
    fputc(c ^ 1, f);
    fclose(f);
    assert_int_equal(sdb_idx_load(&y, cat, path, stamp, &d), SDB_EFORMAT);
    assert_non_null(strstr(d.reason, "checksum"));
    assert_int_equal(sdb_idx_load(&y, cat, "/nonexistent/snapshot", stamp, &d), SDB_ENOTFOUND);
    remove(path);
    sdb_profile_free(&q);
    for (int i = 0; i < N; i++)
        sdb_profile_free(&db[i]);
    sdb_idx_free(x);
}

/* Indexes of one to three profiles, mostly mixtures (rows that did not fit
 * the packed layout): such small indexes are not put in search order, so
 * their overflow rows are not at the end; every search type still finds
 * exactly what the brute force finds, at every SIMD level. */
static void test_tiny_indexes(void **state)
{
    sdb_profile db[3], q;
    const sdb_profile *ptr[3];
    sdb_profile_init(&q);
    for (int i = 0; i < 3; i++) {
        sdb_profile_init(&db[i]);
        ptr[i] = &db[i];
    }
    long checked = 0;
    for (int trial = 0; trial < 60; trial++) {
        int n = 1 + trial % 3;
        for (int i = 0; i < n; i++)
            random_autosomal(&db[i], i ? "T1" : "T0", 1);
        sdb_idx *x;
        sdb_diag d;
        assert_int_equal(sdb_idx_build_profiles(&x, cat, ptr, n, SDB_KIND_AUTOSOMAL, &d), SDB_OK);
        /* the query: the first and last alleles of each call of a row (a
         * plain query that a mixture row contains, but not its first two) */
        const sdb_profile *src = &db[rnd((unsigned)n)];
        sdb_profile_reset(&q);
        assert_int_equal(sdb_profile_set_id(&q, "q", -1), SDB_OK);
        for (int c = 0; c < src->n_calls; c++)
            for (uint32_t a = 0;
                 a<src->calls[c].n; a += src->calls[c].n> 1 ? src->calls[c].n - 1 : 1)
                assert_int_equal(sdb_profile_add(&q, sdb_catalog_by_id(cat, src->calls[c].locus),
                                                 src->alleles[src->calls[c].first + a]),
                                 SDB_OK);
        assert_int_equal(sdb_profile_finish(&q, cat), SDB_OK);
        for (int s = 0; s < 3; s++)
            for (int mm = 0; mm <= 1; mm++) {
                sdb_search_opts o;
                sdb_search_opts_init(&o);
                o.stringency = (sdb_stringency)s;
                o.max_mismatch = mm;
                o.min_loci = 2;
                sdb_hit *hits;
                long nh;
                search_every_level(x, &q, &o, &hits, &nh);
                expect_brute(x, &q, db, n, &o, hits, nh);
                checked += nh;
                free(hits);
            }
        sdb_idx_free(x);
    }
    assert_true(checked > 60);
    sdb_profile_free(&q);
    for (int i = 0; i < 3; i++)
        sdb_profile_free(&db[i]);
}

static void test_bad_queries(void **state)
{
    sdb_profile a, q;
    const sdb_profile *ptr[1] = {&a};
    sdb_profile_init(&a);
    sdb_profile_init(&q);
    random_autosomal(&a, "A", 0);
    sdb_idx *x;
    sdb_diag d;
    assert_int_equal(sdb_idx_build_profiles(&x, cat, ptr, 1, SDB_KIND_AUTOSOMAL, &d), SDB_OK);
    sdb_search_opts o;
    sdb_search_opts_init(&o);
    sdb_hit *hits;
    long n;
    assert_int_equal(sdb_genotype_parse(&q, cat, "TH01=6/9.3;DYS19=14", &d), SDB_OK);
    assert_int_equal(sdb_search(x, &q, &o, &hits, &n, &d), SDB_EINVAL);
    assert_string_equal(d.field, "DYS19");
    sdb_profile_reset(&q);
    assert_int_equal(sdb_profile_finish(&q, cat), SDB_OK);
    assert_int_equal(sdb_search(x, &q, &o, &hits, &n, &d), SDB_EINVAL);
    sdb_idx_free(x);
    sdb_profile_free(&a);
    sdb_profile_free(&q);
}

/* A locus with more alleles than the old 64-entry sets held: a mixture
 * target with 100 alleles at one locus still contains the query's alleles
 * past the 64th (moderate stringency), and a query with more than 64 alleles
 * at a locus is refused, never cut short. */
static void test_many_alleles(void **state)
{
    const sdb_catalog *catalog = sdb_catalog_default();
    char text[4096] = "D8S1179=", q_text[64];
    size_t n = strlen(text);
    for (int i = 0; i < 100; i++)
        n += (size_t)snprintf(text + n, sizeof text - n, "%s%d.%d", i ? "/" : "", 5 + i / 4, i % 4);
    snprintf(text + n, sizeof text - n, ";TH01=6/7");
    sdb_profile p[2], q;
    sdb_diag d;
    sdb_profile_init(&p[0]);
    sdb_profile_init(&p[1]);
    sdb_profile_init(&q);
    assert_int_equal(sdb_genotype_parse(&p[0], catalog, text, &d), SDB_OK);
    assert_int_equal(sdb_profile_set_id(&p[0], "mix", -1), SDB_OK);
    p[0].flags |= SDB_PF_MIXTURE;
    assert_int_equal(sdb_genotype_parse(&p[1], catalog, "D8S1179=12/13;TH01=6/7", &d), SDB_OK);
    assert_int_equal(sdb_profile_set_id(&p[1], "single", -1), SDB_OK);
    const sdb_profile *ptr[2] = {&p[0], &p[1]};
    sdb_idx *x;
    assert_int_equal(sdb_idx_build_profiles(&x, catalog, ptr, 2, SDB_KIND_AUTOSOMAL, &d), SDB_OK);
    /* alleles 96 and 99 of the mixture: 29.0 and 29.3 */
    snprintf(q_text, sizeof q_text, "D8S1179=29/29.3;TH01=6/7");
    assert_int_equal(sdb_genotype_parse(&q, catalog, q_text, &d), SDB_OK);
    sdb_search_opts o;
    sdb_search_opts_init(&o);
    o.stringency = SDB_STRINGENCY_MODERATE;
    o.min_loci = 2;
    sdb_hit *hits;
    long n_hits;
    assert_int_equal(sdb_search(x, &q, &o, &hits, &n_hits, &d), SDB_OK);
    assert_int_equal(n_hits, 1);
    assert_string_equal(sdb_idx_sample_id(x, hits[0].target), "mix");
    assert_int_equal(hits[0].matching, 2);
    free(hits);
    /* the mixture as the query: 100 alleles at a locus are refused */
    assert_int_equal(sdb_search(x, &p[0], &o, &hits, &n_hits, &d), SDB_EINVAL);
    assert_non_null(strstr(d.reason, "at most 64"));
    sdb_idx_free(x);
    sdb_profile_free(&p[0]);
    sdb_profile_free(&p[1]);
    sdb_profile_free(&q);
}

static int mark_tid(void *arg, int tid)
{
    __atomic_fetch_add(&((int *)arg)[tid], 1, __ATOMIC_RELAXED);
    return tid >= 3 ? SDB_EINVAL - tid : SDB_OK; /* parts 3.. fail, each with its own code */
}

/* The engine's one parallel-for: every part runs exactly once, the first
 * failure by thread id is returned, thread counts are clamped. */
static void test_parallel_for(void **state)
{
    int seen[SDB_MAX_THREADS + 1] = {0};
    assert_int_equal(sdb_parallel_for(3, mark_tid, seen), SDB_OK);
    for (int k = 0; k < 3; k++)
        assert_int_equal(seen[k], 1);
    memset(seen, 0, sizeof seen);
    assert_int_equal(sdb_parallel_for(6, mark_tid, seen), SDB_EINVAL - 3);
    for (int k = 0; k < 6; k++)
        assert_int_equal(seen[k], 1);
    memset(seen, 0, sizeof seen);
    assert_int_equal(sdb_parallel_for(0, mark_tid, seen), SDB_OK);
    assert_int_equal(seen[0], 1);
    memset(seen, 0, sizeof seen);
    assert_int_equal(sdb_parallel_for(1000, mark_tid, seen), SDB_EINVAL - 3);
    for (int k = 0; k < SDB_MAX_THREADS; k++)
        assert_int_equal(seen[k], 1);
    assert_int_equal(seen[SDB_MAX_THREADS], 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_identity_differential),
        cmocka_unit_test(test_identity_walk),
        cmocka_unit_test(test_tiny_indexes),
        cmocka_unit_test(test_y_differential),
        cmocka_unit_test(test_pairs_dbexample),
        cmocka_unit_test(test_pairs_differential),
        cmocka_unit_test(test_snapshot),
        cmocka_unit_test(test_bad_queries),
        cmocka_unit_test(test_many_alleles),
        cmocka_unit_test(test_parallel_for),
    };
    return cmocka_run_group_tests_name("search", tests, setup, NULL);
}
