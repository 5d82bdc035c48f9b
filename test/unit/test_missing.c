/* Missing-person search: the fast path (tables per family, missing person
 * and locus, then a gather over the remains) against per-pair peeling on
 * random families and remains: several pedigree shapes (two missing
 * persons in one), references typed at random loci, remains drawn from the
 * true missing person (with mutations, missing loci, partial calls and
 * off-table alleles) and unrelated ones, three models (none; stepwise;
 * equal with a female rate and a silent allele) over three of the
 * NIST 1036 populations. */
#include <math.h>

#include "unit.h"

static const sdb_catalog *cat;
static sdb_freq *nist;

static const char *const loci_names[] = {"D3S1358", "vWA",     "FGA",    "D8S1179", "D21S11",
                                         "D18S51",  "D5S818",  "D13S317", "D7S820", "TH01",
                                         "CSF1PO",  "D16S539"};
#define NL ((int)(sizeof loci_names / sizeof *loci_names))

static uint64_t rng = 88172645463325252ULL;
static double unif(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (double)(rng >> 11) / 9007199254740992.0;
}

static int setup(void **state)
{
    (void)state;
    cat = sdb_catalog_default();
    sdb_diag d;
    int rc = sdb_init();
    if (!rc) rc = sdb_freq_load(&nist, SDB_TEST_DATA "/frequencies/NIST1036freqs.csv", cat, 0, &d);
    return rc;
}

static int teardown(void **state)
{
    (void)state;
    sdb_freq_free(nist);
    return 0;
}

/* An allele of the population's table at locus l, drawn by frequency. */
static sdb_allele draw(int pop, const sdb_locus *l)
{
    int k = sdb_freq_locus_alleles(nist, pop, l->id);
    double u = unif(), acc = 0;
    sdb_allele a = 0;
    for (int i = 0; i < k; i++) {
        double p = 0;
        assert_int_equal(sdb_freq_locus_allele(nist, pop, l->id, i, &a, &p), SDB_OK);
        if ((acc += p) >= u) return a;
    }
    return a;
}

/* Shapes: persons with parents (indexes before them), sexes, missing, typed. */
typedef struct shape {
    int n;
    int fa[6], mo[6];
    const char *sex;
    const char *missing, *typed; /* '1' per person */
} shape;

static const shape shapes[] = {
    {3, {-1, -1, 0}, {-1, -1, 1}, "MFM", "001", "110"},                     /* child, both parents */
    {4, {-1, -1, 0, 0}, {-1, -1, 1, 1}, "MFMF", "0010", "0101"},            /* child, mother, sib */
    {4, {-1, -1, 0, 0}, {-1, -1, 1, 1}, "MFMF", "1000", "0111"},            /* father, mother, 2 */
    {4, {-1, -1, 0, 0}, {-1, -1, 1, 1}, "MFMM", "0010", "0001"},            /* one sibling */
    {5, {-1, -1, 0, -1, 2}, {-1, -1, 1, -1, 3}, "MFMFM", "00101", "11010"}, /* son and grandson */
};
#define NSHAPES ((int)(sizeof shapes / sizeof *shapes))

/* One family of shape s with genotypes gene-dropped into truth[person]. */
static void make_family(sdb_mp_family *fam, const shape *s, int pop, int id, sdb_profile *truth)
{
    assert_int_equal(sdb_mp_family_init(fam, s->n), SDB_OK);
    char name[32];
    snprintf(name, sizeof name, "F%d", id);
    fam->name = strdup(name);
    sdb_allele g[6][NL][2];
    for (int i = 0; i < s->n; i++) {
        char pid[32];
        snprintf(pid, sizeof pid, "F%d-%d", id, i);
        fam->ids[i] = strdup(pid);
        fam->sex[i] = s->sex[i];
        fam->father[i] = s->fa[i];
        fam->mother[i] = s->mo[i];
        fam->missing[i] = s->missing[i] == '1';
        sdb_profile_init(&truth[i]);
        for (int x = 0; x < NL; x++) {
            const sdb_locus *l = sdb_catalog_find(cat, loci_names[x], strlen(loci_names[x]));
            for (int k = 0; k < 2; k++) {
                int par = k ? s->mo[i] : s->fa[i];
                g[i][x][k] = par < 0 ? draw(pop, l) : g[par][x][unif() < 0.5];
                if (par >= 0 && unif() < 0.02) g[i][x][k] += unif() < 0.5 ? 10 : -10;
                assert_int_equal(sdb_profile_add(&truth[i], l, g[i][x][k]), SDB_OK);
            }
        }
        assert_int_equal(sdb_profile_finish(&truth[i], cat), SDB_OK);
        if (s->typed[i] != '1') continue;
        /* the reference: most loci */
        sdb_profile *p = fam->typed[i] = calloc(1, sizeof *p);
        sdb_profile_init(p);
        assert_int_equal(sdb_profile_set_id(p, pid, -1), SDB_OK);
        for (int x = 0; x < NL; x++) {
            if (unif() < 0.2) continue;
            const sdb_locus *l = sdb_catalog_find(cat, loci_names[x], strlen(loci_names[x]));
            for (int k = 0; k < 2; k++)
                assert_int_equal(sdb_profile_add(p, l, g[i][x][k]), SDB_OK);
        }
        assert_int_equal(sdb_profile_finish(p, cat), SDB_OK);
    }
    sdb_diag d;
    assert_int_equal(sdb_mp_family_finish(fam, &d), SDB_OK);
}

/* Remains from a true genotype: loci lost, partial calls, an off-table allele. */
static void make_remains(sdb_profile *r, const sdb_profile *truth, int pop, const char *id)
{
    sdb_profile_init(r);
    assert_int_equal(sdb_profile_set_id(r, id, -1), SDB_OK);
    for (int x = 0; x < NL; x++) {
        const sdb_locus *l = sdb_catalog_find(cat, loci_names[x], strlen(loci_names[x]));
        if (unif() < 0.15) continue;
        const sdb_call *c = truth ? sdb_profile_call(truth, l->id) : NULL;
        sdb_allele a[2] = {c ? truth->alleles[c->first] : draw(pop, l),
                           c ? truth->alleles[c->first + c->n - 1] : draw(pop, l)};
        double u = unif();
        if (u < 0.05)
            a[1] = SDB_ALLELE_ANY;
        else if (u < 0.08)
            a[0] = 990; /* 99: in no table */
        for (int k = 0; k < 2; k++)
            assert_int_equal(sdb_profile_add(r, l, a[k]), SDB_OK);
    }
    assert_int_equal(sdb_profile_finish(r, cat), SDB_OK);
}

static const sdb_mp_hit *find_hit(const sdb_mp_result *r, int f, int q, long x)
{
    for (long i = 0; i < r->n_by_family; i++)
        if (r->by_family[i].family == f && r->by_family[i].person == q &&
            r->by_family[i].remains == x)
            return &r->by_family[i];
    return NULL;
}

static void one_case(const char *pop_name, const sdb_pedlik_model *m, int nf, int nr_unrelated)
{
    int pop = sdb_freq_find_population(nist, pop_name);
    assert_true(pop >= 0);
    sdb_mp_family *fams = calloc((size_t)nf, sizeof *fams);
    sdb_profile truth[6];
    long nr = 0, cap = (long)nf * 2 + nr_unrelated;
    sdb_profile *remains = calloc((size_t)cap, sizeof *remains);
    for (int f = 0; f < nf; f++) {
        const shape *s = &shapes[f % NSHAPES];
        make_family(&fams[f], s, pop, f, truth);
        for (int i = 0; i < s->n; i++) {
            if (fams[f].missing[i] && unif() < 0.8) {
                char id[48];
                snprintf(id, sizeof id, "R-%s", fams[f].ids[i]);
                make_remains(&remains[nr++], &truth[i], pop, id);
            }
            sdb_profile_free(&truth[i]);
        }
    }
    for (int u = 0; u < nr_unrelated; u++) {
        char id[32];
        snprintf(id, sizeof id, "U%d", u);
        make_remains(&remains[nr++], NULL, pop, id);
    }
    sdb_mp_opts o;
    sdb_mp_opts_init(&o);
    o.model = *m;
    o.min_lr = 0; /* every pair, excluded ones too */
    o.top = (int)nr * 2;
    sdb_mp_result fast, slow;
    sdb_diag d;
    sdb_diag_clear(&d);
    int rc = sdb_mp_search(fams, nf, remains, nr, nist, pop, &o, &fast, &d);
    if (rc) fail_msg("search: %d %s", rc, d.reason);
    o.per_pair = 1;
    o.threads = 1;
    assert_int_equal(sdb_mp_search(fams, nf, remains, nr, nist, pop, &o, &slow, &d), SDB_OK);
    assert_true(fast.fallback_loci > 0);
    assert_int_equal(fast.pairs, slow.pairs);
    assert_int_equal(fast.n_by_family, slow.n_by_family);
    long checked = 0, excluded = 0, first = 0;
    for (int f = 0; f < nf; f++)
        for (int q = 0; q < fams[f].n; q++) {
            if (!fams[f].missing[q]) continue;
            for (long x = 0; x < nr; x++) {
                sdb_locus_stat st[64];
                int n_out, exc;
                double want;
                assert_int_equal(sdb_mp_pair(&fams[f], q, &remains[x], nist, pop, &o, st, &n_out,
                                             &want, &exc, &d),
                                 SDB_OK);
                const sdb_mp_hit *h = find_hit(&fast, f, q, x), *hs = find_hit(&slow, f, q, x);
                if (!n_out) {
                    assert_null(h);
                    continue;
                }
                assert_non_null(h);
                assert_non_null(hs);
                assert_int_equal(h->loci, n_out);
                if (want == -INFINITY) {
                    assert_true(h->log10_lr == -INFINITY && hs->log10_lr == -INFINITY);
                    excluded++;
                } else if (!(fabs(h->log10_lr - want) <= 1e-9 * fmax(1, fabs(want))) ||
                           !(fabs(hs->log10_lr - want) <= 1e-9 * fmax(1, fabs(want))))
                    fail_msg("%s x %s: fast %.15g, per pair %.15g (search %.15g)",
                             fams[f].ids[q], remains[x].sample_id, h->log10_lr, want,
                             hs->log10_lr);
                checked++;
            }
        }
    /* the true missing person is first for most of its remains */
    for (long i = 0; i < fast.n_by_remains; i++) {
        const sdb_mp_hit *h = &fast.by_remains[i];
        if ((i == 0 || fast.by_remains[i - 1].remains != h->remains) &&
            !strncmp(remains[h->remains].sample_id, "R-", 2) &&
            !strcmp(remains[h->remains].sample_id + 2, fams[h->family].ids[h->person]))
            first++;
    }
    print_message("%s: %ld pairs checked (%ld excluded), %ld fallback loci, true family "
                  "first for %ld of %ld related remains\n",
                  pop_name, checked, excluded, fast.fallback_loci, first, nr - nr_unrelated);
    assert_true(checked > 100);
    assert_true(first * 2 > nr - nr_unrelated);
    if (m->male.kind == SDB_MUT_NONE) assert_true(excluded > 0);
    sdb_mp_result_free(&fast);
    sdb_mp_result_free(&slow);
    for (long x = 0; x < nr; x++)
        sdb_profile_free(&remains[x]);
    free(remains);
    for (int f = 0; f < nf; f++)
        sdb_mp_family_free(&fams[f]);
    free(fams);
}

static void test_fast_equals_per_pair(void **state)
{
    (void)state;
    sdb_pedlik_model m;
    sdb_pedlik_model_init(&m);
    one_case("Cauc", &m, 15, 10);
    m.male.kind = SDB_MUT_STEPWISE;
    m.male.rate = 0.005;
    m.male.rate2 = 1e-6;
    m.male.range = 0.1;
    m.female = m.male;
    one_case("AfAm", &m, 15, 10);
    sdb_pedlik_model_init(&m);
    m.male.kind = SDB_MUT_EQUAL;
    m.male.rate = 0.002;
    m.female = m.male;
    m.female.rate = 0.0005;
    m.silent = 0.001; /* theta: test_pedlik (four untyped founders exceed its exact sum) */
    one_case("Hisp", &m, 10, 5);
}

/* One remains against one family through the per-locus form: per-locus
 * values multiply to the total; a locus inconsistent without mutation is
 * named under a mutation model. */
static void test_pair_exclusions(void **state)
{
    (void)state;
    sdb_mp_family fam;
    assert_int_equal(sdb_mp_family_init(&fam, 3), SDB_OK);
    fam.name = strdup("trio");
    const int fa[3] = {-1, -1, 0}, mo[3] = {-1, -1, 1};
    for (int i = 0; i < 3; i++) {
        fam.father[i] = fa[i];
        fam.mother[i] = mo[i];
        fam.sex[i] = "MFM"[i];
        fam.ids[i] = strdup((const char *[]){"F", "M", "C"}[i]);
    }
    fam.missing[2] = 1;
    sdb_diag d;
    const char *g[2] = {"TH01=6/7;FGA=20/21", "TH01=8/9;FGA=22/23"};
    for (int i = 0; i < 2; i++) {
        fam.typed[i] = calloc(1, sizeof(sdb_profile));
        sdb_profile_init(fam.typed[i]);
        assert_int_equal(sdb_genotype_parse(fam.typed[i], cat, g[i], &d), SDB_OK);
    }
    assert_int_equal(sdb_mp_family_finish(&fam, &d), SDB_OK);
    assert_int_equal(fam.n_typed, 2);
    sdb_profile r;
    sdb_profile_init(&r);
    assert_int_equal(sdb_genotype_parse(&r, cat, "TH01=6/8;FGA=20/24;D3S1358=15/16", &d), SDB_OK);
    sdb_mp_opts o;
    sdb_mp_opts_init(&o);
    o.model.male.kind = o.model.female.kind = SDB_MUT_EQUAL;
    o.model.male.rate = o.model.female.rate = 0.002;
    sdb_locus_stat st[8];
    int n, exc;
    double lr;
    int cauc = sdb_freq_find_population(nist, "Cauc");
    assert_int_equal(sdb_mp_pair(&fam, 2, &r, nist, cauc, &o, st, &n, &lr, &exc, &d), SDB_OK);
    assert_int_equal(n, 2); /* D3S1358: no reference typed there */
    assert_int_equal(exc, 1);
    for (int k = 0; k < n; k++) {
        int fga = !strcmp(sdb_catalog_by_id(cat, st[k].locus)->name, "FGA");
        assert_true(fga ? st[k].note != NULL && st[k].value > 0 : st[k].note == NULL);
    }
    assert_true(fabs(log10(st[0].value) + log10(st[1].value) - lr) < 1e-12);
    sdb_profile_free(&r);
    sdb_mp_family_free(&fam);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fast_equals_per_pair),
        cmocka_unit_test(test_pair_exclusions),
    };
    return cmocka_run_group_tests_name("missing", tests, setup, teardown);
}
