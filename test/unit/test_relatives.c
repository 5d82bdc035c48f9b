/* Familial search and lineage clustering against their brute-force
 * references on random data: the familial ranking against sdb_kinship_lr
 * row by row (relationships, populations, theta, mutation, threads), the
 * lineage partition against ysearch from every row (block join, identical
 * haplotypes, missing loci, duplications, microvariants, steps, pedigree
 * links, the incremental join). */
#include <math.h>

#include "unit.h"

static const sdb_catalog *cat;
static sdb_freq *nist;

static int setup(void **state)
{
    cat = sdb_catalog_default();
    if (sdb_init()) return -1;
    return sdb_freq_builtin_nist1036(&nist, cat);
}

static int teardown(void **state)
{
    sdb_freq_free(nist);
    return 0;
}

static unsigned long long rng_state = 777;

static unsigned rnd(unsigned n)
{
    rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (unsigned)((rng_state >> 33) % n);
}

static const char *auto_loci[] = {"D3S1358", "vWA",   "FGA",     "TH01",    "D8S1179",
                                  "D21S11",  "D18S51", "TPOX",   "CSF1PO",  "D5S818",
                                  "D13S317", "D7S820", "D16S539", "D2S1338", "D19S433"};
#define N_AUTO (int)(sizeof auto_loci / sizeof *auto_loci)

static sdb_allele table_allele(const sdb_locus *l)
{
    int pop = sdb_freq_find_population(nist, "Cauc");
    int n = sdb_freq_locus_alleles(nist, pop, l->id);
    sdb_allele a = 0;
    double p;
    assert_int_equal(sdb_freq_locus_allele(nist, pop, l->id, (int)rnd((unsigned)n), &a, &p), 0);
    return a;
}

/* A random person, or (parent != NULL) a child of parent and a random other
 * parent; some loci missing, a few wildcards and mixtures. */
static void person(sdb_profile *p, const char *id, const sdb_profile *parent, int noise)
{
    sdb_profile_reset(p);
    assert_int_equal(sdb_profile_set_id(p, id, -1), SDB_OK);
    for (int k = 0; k < N_AUTO; k++) {
        const sdb_locus *l = sdb_catalog_find(cat, auto_loci[k], strlen(auto_loci[k]));
        if (noise && rnd(8) == 0) continue;
        sdb_allele a = table_allele(l), b = table_allele(l);
        const sdb_call *c = parent ? sdb_profile_call(parent, l->id) : NULL;
        if (c) a = parent->alleles[c->first + rnd(c->n)];
        if (noise && rnd(60) == 0) a = SDB_ALLELE_ANY;
        assert_int_equal(sdb_profile_add(p, l, a), SDB_OK);
        assert_int_equal(sdb_profile_add(p, l, b), SDB_OK);
        if (noise && rnd(80) == 0) assert_int_equal(sdb_profile_add(p, l, table_allele(l)), 0);
    }
    assert_int_equal(sdb_profile_finish(p, cat), SDB_OK);
}

static void expect_same_ranking(const sdb_familial_hit *a, long na, const sdb_familial_hit *b,
                                long nb)
{
    assert_int_equal(na, nb);
    for (long i = 0; i < na; i++) {
        /* scores agree (float sums against double products); the targets
         * agree unless two scores tie within the float error */
        if (isinf(a[i].score) || isinf(b[i].score))
            assert_true(isinf(a[i].score) && isinf(b[i].score));
        else
            assert_true(fabs(a[i].score - b[i].score) < 1e-3);
        if (a[i].target != b[i].target) {
            long j = i + 1 < na ? i + 1 : i - 1;
            assert_true(fabs(a[i].score - a[j].score) < 1e-3);
            continue;
        }
        assert_int_equal(a[i].compared, b[i].compared);
        assert_int_equal(a[i].best, b[i].best);
    }
}

static void test_familial_differential(void **state)
{
    enum { N = 3000, Q = 6 };
    static sdb_profile db[N];
    const sdb_profile *ptr[N];
    char id[32];
    for (int i = 0; i < N; i++) {
        sdb_profile_init(&db[i]);
        snprintf(id, sizeof id, "R%04d", i);
        /* every fifth profile a child of an earlier one */
        person(&db[i], id, i >= 10 && i % 5 == 0 ? &db[rnd((unsigned)i)] : NULL, 1);
        ptr[i] = &db[i];
    }
    sdb_idx *x;
    sdb_diag d;
    sdb_diag_clear(&d);
    assert_int_equal(sdb_idx_build_profiles(&x, cat, ptr, N, SDB_KIND_AUTOSOMAL, &d), SDB_OK);
    sdb_profile q;
    sdb_profile_init(&q);
    long checked = 0;
    for (int t = 0; t < Q; t++) {
        int parent = (int)rnd(N);
        person(&q, "Q", t % 3 ? &db[parent] : NULL, t == 5);
        sdb_familial_opts o;
        sdb_familial_opts_init(&o);
        o.freq = nist;
        o.pops[o.n_pops++] = sdb_freq_find_population(nist, "Cauc");
        if (t % 2) o.pops[o.n_pops++] = sdb_freq_find_population(nist, "AfAm");
        if (t == 2) o.rels[o.n_rels++] = SDB_REL_HS;
        if (t == 3) o.theta = 0.01;
        if (t == 4) {
            o.mutation.kind = SDB_MUT_STEPWISE;
            o.mutation.rate = 0.002;
            o.mutation.rate2 = 1e-6;
            o.mutation.range = 0.1;
        }
        o.top = t == 1 ? 5 : 200;
        o.min_loci = t == 0 ? 1 : 8;
        sdb_familial_hit *ref, *fast;
        long n_ref, n_fast, skipped;
        int used;
        assert_int_equal(sdb_familial_reference(x, &q, &o, &ref, &n_ref, &d), SDB_OK);
        for (int th = 1; th <= 3; th++) {
            o.threads = th;
            assert_int_equal(sdb_familial(x, &q, &o, &fast, &n_fast, &skipped, &used, &d), 0);
            expect_same_ranking(fast, n_fast, ref, n_ref);
            assert_true(skipped > 0); /* the mixtures */
            free(fast);
        }
        if (t % 3) { /* the true parent ranks first for PO (no other relative is that close) */
            int found = 0;
            for (long i = 0; i < n_ref && i < 3; i++)
                found |= sdb_idx_input_row(x, ref[i].target) == parent && ref[i].best == 0;
            assert_true(found || ref[0].score > 3); /* a mixture-parent is skipped */
        }
        checked += n_ref;
        free(ref);
    }
    assert_true(checked > 500);
    /* a query without any usable locus is refused */
    sdb_profile_reset(&q);
    assert_int_equal(sdb_profile_set_id(&q, "E", -1), 0);
    const sdb_locus *th01 = sdb_catalog_find(cat, "TH01", 4);
    assert_int_equal(sdb_profile_add(&q, th01, SDB_ALLELE_ANY), 0);
    assert_int_equal(sdb_profile_finish(&q, cat), 0);
    sdb_familial_opts o;
    sdb_familial_opts_init(&o);
    o.freq = nist;
    o.pops[o.n_pops++] = 0;
    sdb_familial_hit *h;
    long nh, sk;
    int used;
    assert_int_equal(sdb_familial(x, &q, &o, &h, &nh, &sk, &used, &d), SDB_EINVAL);
    sdb_profile_free(&q);
    sdb_idx_free(x);
    for (int i = 0; i < N; i++)
        sdb_profile_free(&db[i]);
}

/* ---- lineages ---- */

static const char *y_loci[] = {"DYS19",   "DYS385",  "DYS389I", "DYS389II", "DYS390",
                               "DYS391",  "DYS392",  "DYS393",  "DYS437",   "DYS438",
                               "DYS439",  "DYS448",  "DYS456",  "DYS458",   "DYF387S1"};
#define N_Y (int)(sizeof y_loci / sizeof *y_loci)

typedef struct hap {
    sdb_allele a[N_Y][2];
} hap;

/* Random lineages: founders, then sons of random earlier men with a few
 * single-step mutations; some loci missing (a smaller kit), some
 * duplications and microvariants. */
static void y_population(sdb_profile *ps, int n, int founders)
{
    hap *h = malloc((size_t)n * sizeof *h);
    assert_non_null(h);
    char id[32];
    for (int i = 0; i < n; i++) {
        if (i < founders) {
            for (int k = 0; k < N_Y; k++)
                for (int c = 0; c < 2; c++)
                    h[i].a[k][c] = (sdb_allele)(100 + 10 * (int)rnd(6));
        } else {
            h[i] = h[rnd((unsigned)i)];
            for (int m = (int)rnd(3); m > 0; m--) {
                int k = (int)rnd(N_Y), c = (int)rnd(2);
                h[i].a[k][c] = (sdb_allele)(h[i].a[k][c] + (rnd(2) ? 10 : -10));
            }
        }
        sdb_profile_init(&ps[i]);
        snprintf(id, sizeof id, "Y%05d", i);
        assert_int_equal(sdb_profile_set_id(&ps[i], id, -1), 0);
        int kit = rnd(10) == 0 ? 11 : N_Y; /* some typed with a smaller kit */
        for (int k = 0; k < kit; k++) {
            if (rnd(40) == 0) continue; /* a dropped locus */
            const sdb_locus *l = sdb_catalog_find(cat, y_loci[k], strlen(y_loci[k]));
            for (int c = 0; c < l->copies; c++) {
                sdb_allele a = h[i].a[k][c];
                if (rnd(200) == 0) a += 2; /* a microvariant */
                assert_int_equal(sdb_profile_add(&ps[i], l, a), 0);
            }
            if (rnd(150) == 0) assert_int_equal(sdb_profile_add(&ps[i], l, 150), 0);
        }
        assert_int_equal(sdb_profile_finish(&ps[i], cat), 0);
    }
    free(h);
}

static void expect_same_partition(const long *a, const long *b, long n)
{
    for (long r = 0; r < n; r++)
        if (a[r] != b[r]) fail_msg("row %ld: component %ld, reference %ld", r, a[r], b[r]);
}

static void test_lineage_differential(void **state)
{
    enum { N = 3000 };
    static sdb_profile ps[N];
    const sdb_profile *ptr[N];
    y_population(ps, N, 400);
    for (int i = 0; i < N; i++)
        ptr[i] = &ps[i];
    sdb_idx *x, *old;
    sdb_diag d;
    sdb_diag_clear(&d);
    assert_int_equal(sdb_idx_build_profiles(&x, cat, ptr, N, SDB_KIND_Y, &d), SDB_OK);
    long *comp = malloc(N * sizeof *comp), *ref = malloc(N * sizeof *ref);
    long extra[3][2] = {{5, 2900}, {17, 18}, {2500, 40}};
    static const struct {
        int k, steps, min_loci, n_extra;
    } cases[] = {{0, -1, 8, 0}, {1, -1, 8, 0}, {2, -1, 10, 3}, {2, 2, 6, 0}, {3, -1, 12, 0}};
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
        sdb_lineage_opts o;
        sdb_lineage_opts_init(&o);
        o.max_loci = cases[c].k;
        o.max_steps = cases[c].steps;
        o.min_loci = cases[c].min_loci;
        sdb_lineage_stats st;
        assert_int_equal(sdb_lineage_cluster_reference(x, &o, (const long(*)[2])extra,
                                                       cases[c].n_extra, ref, &d),
                         0);
        for (int th = 1; th <= 2; th++) {
            o.threads = th;
            assert_int_equal(sdb_lineage_cluster(x, &o, (const long(*)[2])extra,
                                                 cases[c].n_extra, NULL, comp, &st, &d),
                             0);
            expect_same_partition(comp, ref, N);
        }
        /* nontrivial: components both joined and separate */
        assert_true(st.components > 1 && st.components < N - 100);
        assert_true(st.unique < N && st.candidates >= st.links);
        /* incremental: the first 2,000 clustered alone, the rest joined */
        enum { OLD = 2000 };
        assert_int_equal(sdb_idx_build_profiles(&old, cat, ptr, OLD, SDB_KIND_Y, &d), 0);
        long *prev = malloc(N * sizeof *prev);
        uint8_t *fresh = malloc(N);
        assert_int_equal(sdb_lineage_cluster(old, &o, NULL, 0, NULL, prev, &st, &d), 0);
        for (long r = 0; r < N; r++)
            fresh[r] = r >= OLD;
        assert_int_equal(sdb_lineage_cluster(x, &o, (const long(*)[2])extra, cases[c].n_extra,
                                             fresh, prev, &st, &d),
                         0);
        expect_same_partition(prev, ref, N);
        free(prev);
        free(fresh);
        sdb_idx_free(old);
    }
    free(comp);
    free(ref);
    sdb_idx_free(x);
    for (int i = 0; i < N; i++)
        sdb_profile_free(&ps[i]);
}

/* The Y probe returns exactly the rows ysearch returns, and ysearch through
 * the probe the same hits as its scan. */
static void test_probe_equals_ysearch(void **state)
{
    enum { N = 3000 };
    static sdb_profile ps[N];
    const sdb_profile *ptr[N];
    y_population(ps, N, 300);
    for (int i = 0; i < N; i++)
        ptr[i] = &ps[i];
    sdb_idx *x;
    sdb_diag d;
    sdb_diag_clear(&d);
    assert_int_equal(sdb_idx_build_profiles(&x, cat, ptr, N, SDB_KIND_Y, &d), SDB_OK);
    long checked = 0, nonempty = 0;
    for (int k = 0; k <= 3; k++) {
        int min_loci = 6 + 2 * k, steps = k == 2 ? 2 : -1;
        sdb_yprobe *p;
        assert_int_equal(sdb_yprobe_build(&p, x, k, min_loci), SDB_OK);
        for (int i = 0; i < N; i += 37) {
            /* the stored haplotypes themselves (partial kits, duplications,
             * microvariants included) and a mutated copy */
            const sdb_profile *q = &ps[i];
            sdb_profile m;
            sdb_profile_init(&m);
            if (i % 2) {
                assert_int_equal(sdb_profile_copy(&m, q), 0);
                m.alleles[rnd((unsigned)m.n_alleles)] += 10;
                q = &m;
            }
            sdb_ysearch_opts yo;
            sdb_ysearch_opts_init(&yo);
            yo.max_loci = k;
            yo.max_steps = steps;
            yo.min_loci = min_loci;
            sdb_yhit *h;
            long nh, *rows = NULL, nr = 0;
            assert_int_equal(sdb_ysearch(x, q, &yo, &h, &nh, &d), 0);
            assert_int_equal(sdb_yprobe_find(p, q, k, steps, min_loci, &rows, &nr, &d), 0);
            /* and sdb_ysearch through the probe gives the same hits, field by field */
            sdb_yhit *hp;
            long nhp;
            yo.probe = p;
            assert_int_equal(sdb_ysearch(x, q, &yo, &hp, &nhp, &d), 0);
            assert_int_equal(nhp, nh);
            for (long j = 0; j < nh; j++)
                assert_memory_equal(&hp[j], &h[j], sizeof *hp);
            free(hp);
            long *want = malloc((size_t)(nh ? nh : 1) * sizeof *want);
            for (long j = 0; j < nh; j++)
                want[j] = h[j].target;
            for (long a = 1; a < nh; a++) /* ascending rows */
                for (long b = a; b > 0 && want[b - 1] > want[b]; b--) {
                    long t = want[b];
                    want[b] = want[b - 1];
                    want[b - 1] = t;
                }
            assert_int_equal(nr, nh);
            for (long j = 0; j < nh; j++)
                assert_int_equal(rows[j], want[j]);
            checked++;
            nonempty += nh > 0;
            free(want);
            free(rows);
            free(h);
            sdb_profile_free(&m);
        }
        sdb_yprobe_free(p);
    }
    assert_true(checked > 300 && nonempty > checked / 2);
    sdb_idx_free(x);
    for (int i = 0; i < N; i++)
        sdb_profile_free(&ps[i]);
}

/* ---- the leads list against brute force ---- */

enum { LM = 400, LGEN = 6 }; /* men, generations */

/* Meioses between men a and b of the forest (father[] indexes, -1 for a
 * founder; gen[] their generations), -1 in different trees. */
static int forest_distance(const int *father, const int *gen, int a, int b)
{
    int d = 0;
    while (a != b) {
        if (a < 0 || b < 0) return -1;
        if (gen[a] >= gen[b])
            a = father[a];
        else
            b = father[b];
        d++;
    }
    return d;
}

static void test_leads_brute_force(void **state)
{
    char dir[] = "/tmp/strdb-leads-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char db_path[256], ped_path[256], y_path[256];
    snprintf(db_path, sizeof db_path, "%s/l.db", dir);
    snprintf(ped_path, sizeof ped_path, "%s/ped.csv", dir);
    snprintf(y_path, sizeof y_path, "%s/y.jsonl", dir);
    /* a paternal forest: 40 founders, each later man the son of a random man
     * of the generation before; Y haplotypes inherited with rare mutations;
     * about a third of the men typed */
    static int father[LM], gen[LM], typed[LM], yhap[LM][12];
    static const char *loci[12] = {"DYS19",  "DYS389I", "DYS389II", "DYS390", "DYS391", "DYS392",
                                   "DYS393", "DYS437",  "DYS438",   "DYS439", "DYS448", "DYS456"};
    FILE *yf = fopen(y_path, "w");
    assert_non_null(yf);
    for (int i = 0; i < LM; i++) {
        gen[i] = i < 40 ? 0 : 1 + (i - 40) * (LGEN - 1) / (LM - 40);
        father[i] = -1;
        if (gen[i] > 0) {
            int lo = 0, hi = i;
            while (gen[lo] < gen[i] - 1)
                lo++;
            while (hi > 0 && gen[hi - 1] >= gen[i])
                hi--;
            father[i] = lo + (int)rnd((unsigned)(hi - lo));
        }
        for (int k = 0; k < 12; k++)
            yhap[i][k] = father[i] < 0 ? 10 + (int)rnd(8) : yhap[father[i]][k] + (rnd(30) == 0);
        typed[i] = rnd(3) == 0;
        if (typed[i]) {
            fprintf(yf, "{\"sample_id\":\"M%dY\",\"loci\":{", i);
            for (int k = 0; k < 12; k++)
                fprintf(yf, "%s\"%s\":[\"%d\"]", k ? "," : "", loci[k], yhap[i][k]);
            fprintf(yf, "}}\n");
        }
    }
    fclose(yf);
    /* the pedigree: the sample_id column names the typed men's haplotypes */
    FILE *ped = fopen(ped_path, "w");
    assert_non_null(ped);
    fprintf(ped, "id,father,mother,sex,sample_id\n");
    for (int i = 0; i < LM; i++) {
        char f[16] = "", sid[16] = "";
        if (father[i] >= 0) snprintf(f, sizeof f, "M%d", father[i]);
        if (typed[i]) snprintf(sid, sizeof sid, "M%dY", i);
        fprintf(ped, "M%d,%s,,M,%s\n", i, f, sid);
    }
    fclose(ped);
    sdb_ctx ctx = {"test", "casework", NULL, NULL};
    sdb_db *db;
    sdb_diag d;
    sdb_diag_clear(&d);
    assert_int_equal(sdb_db_create(&db, db_path, &ctx, &d), SDB_OK);
    sdb_import_opts io;
    sdb_import_opts_init(&io);
    io.index = "offender";
    io.basis = "conviction";
    sdb_import_stats ist;
    assert_int_equal(sdb_db_import(db, &ctx, y_path, &io, &ist, &d), SDB_OK);
    sdb_pedigree_stats pst;
    assert_int_equal(sdb_pedigree_import(db, &ctx, ped_path, &pst, &d), SDB_OK);
    sdb_idx *x;
    assert_int_equal(sdb_idx_build(&x, db, NULL, SDB_KIND_Y, &d), SDB_OK);
    sdb_lineage_opts lo;
    sdb_lineage_opts_init(&lo);
    lo.min_loci = 8;
    sdb_lineage_build_stats bst;
    assert_int_equal(sdb_lineage_build(db, &ctx, x, NULL, &lo, 1, &bst, &d), SDB_OK);
    long checked = 0;
    for (int qi = 0; qi < LM; qi += 7) { /* untyped and typed men's haplotypes as queries */
        sdb_profile q;
        sdb_profile_init(&q);
        for (int k = 0; k < 12; k++)
            assert_int_equal(sdb_profile_add(&q, sdb_catalog_find(cat, loci[k], strlen(loci[k])),
                                             (sdb_allele)(yhap[qi][k] * 10)),
                             0);
        assert_int_equal(sdb_profile_finish(&q, cat), 0);
        sdb_lineage_search_opts so;
        sdb_lineage_search_opts_init(&so);
        sdb_lineage_result r;
        assert_int_equal(sdb_lineage_search(db, x, &q, &so, &r, &d), SDB_OK);
        /* brute force: every man of a tree holding a typed member, placed by
         * the member minimising tree meioses + posterior mode */
        int in_tree[LM] = {0}, n_expected = 0;
        for (long m = 0; m < r.n_members; m++) {
            int mi = atoi(r.members[m].person + 1);
            for (int i = 0; i < LM; i++)
                in_tree[i] |= forest_distance(father, gen, i, mi) >= 0;
        }
        for (int i = 0; i < LM; i++)
            n_expected += in_tree[i];
        assert_int_equal(r.n_leads, n_expected);
        for (long l = 0; l < r.n_leads; l++) {
            const sdb_lineage_lead *ld = &r.leads[l];
            int li = atoi(ld->person + 1), best = -1;
            for (long m = 0; m < r.n_members; m++) {
                int dist = forest_distance(father, gen, li, atoi(r.members[m].person + 1));
                int est = dist < 0 ? -1 : dist + r.members[m].meioses.mode;
                if (est >= 0 && (best < 0 || est < best)) best = est;
            }
            assert_int_equal(ld->estimate, best);
            int via = -1; /* the member named places him at that estimate */
            for (long m = 0; m < r.n_members; m++)
                if (!strcmp(r.members[m].sample_id, ld->via)) via = (int)m;
            assert_true(via >= 0);
            int dv = forest_distance(father, gen, li, atoi(r.members[via].person + 1));
            assert_int_equal(ld->tree_meioses, dv);
            assert_int_equal(dv + r.members[via].meioses.mode, ld->estimate);
            assert_int_equal(!!ld->sample_id, typed[li]);
            checked++;
        }
        sdb_lineage_result_free(&r);
        sdb_profile_free(&q);
    }
    assert_true(checked > 200);
    /* an index whose rows are not in the store's order (built from profiles
     * in reverse): the build maps rows to profiles by sample id and stores
     * the same lineages */
    long n = sdb_idx_count(x), before = bst.lineages;
    sdb_profile *rev = calloc((size_t)n, sizeof *rev);
    const sdb_profile **rp = calloc((size_t)n, sizeof *rp);
    for (long i = 0; i < n; i++) {
        sdb_profile_init(&rev[i]);
        assert_int_equal(sdb_idx_profile(x, n - 1 - i, &rev[i]), 0);
        rp[i] = &rev[i];
    }
    sdb_idx *xr;
    assert_int_equal(sdb_idx_build_profiles(&xr, cat, rp, n, SDB_KIND_Y, &d), SDB_OK);
    assert_int_equal(sdb_lineage_build(db, &ctx, xr, NULL, &lo, 1, &bst, &d), SDB_OK);
    assert_int_equal(bst.lineages, before);
    sdb_idx_free(xr);
    for (long i = 0; i < n; i++)
        sdb_profile_free(&rev[i]);
    free(rev);
    free(rp);
    sdb_idx_free(x);
    sdb_db_close(db);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_familial_differential),
        cmocka_unit_test(test_lineage_differential),
        cmocka_unit_test(test_probe_equals_ysearch),
        cmocka_unit_test(test_leads_brute_force),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
