/* The pedigree likelihood engine against an independent brute-force
 * enumeration over every person's ordered genotype (the four missing-person
 * pedigree types of issue 14, with and without the stepwise model, NIST 1036
 * Caucasian frequencies taken as given), hand-derived values, the pedprobr
 * test vectors, the kinship code, loops, theta, drop-out, silent alleles and
 * bad pedigrees. */
#include <math.h>

#include "unit.h"

#define KA SDB_TEST_DATA "/known-answers/"
#define FREQ SDB_TEST_DATA "/frequencies/"

static const sdb_catalog *cat;
static sdb_freq *nist;
static int cauc;

static int setup(void **state)
{
    (void)state;
    cat = sdb_catalog_default();
    int rc = sdb_init();
    sdb_diag d;
    if (!rc) rc = sdb_freq_load(&nist, FREQ "NIST1036freqs.csv", cat, 0, &d);
    if (rc) return rc;
    sdb_freq_set_minimum(nist, SDB_MIN_NONE, 0);
    cauc = sdb_freq_find_population(nist, "Cauc");
    return cauc < 0;
}

static int teardown(void **state)
{
    (void)state;
    sdb_freq_free(nist);
    return 0;
}

static void assert_rel(double got, double want, double tol, const char *what)
{
    double err = want == 0 ? fabs(got) : fabs(got - want) / fabs(want);
    if (!(err <= tol)) fail_msg("%s: got %.15g, want %.15g (rel err %.3g)", what, got, want, err);
}

static const sdb_locus *locus(const char *name)
{
    const sdb_locus *l = sdb_catalog_find(cat, name, strlen(name));
    if (!l) fail_msg("no locus %s", name);
    return l;
}

static sdb_allele allele(const char *s)
{
    sdb_allele a;
    if (sdb_allele_parse(s, strlen(s), &a)) fail_msg("bad allele %s", s);
    return a;
}

/* "a/b", "a/?" or "" (untyped) */
static sdb_ped_obs obs_of(const char *g)
{
    sdb_ped_obs o = {0};
    if (!*g) return o;
    const char *slash = strchr(g, '/');
    char a[16], b[16];
    snprintf(a, sizeof a, "%.*s", (int)(slash - g), g);
    snprintf(b, sizeof b, "%s", slash + 1);
    o.typed = 1;
    o.a[0] = allele(a);
    o.a[1] = strcmp(b, "?") ? allele(b) : SDB_ALLELE_ANY;
    return o;
}

static sdb_freq *table(const char *text)
{
    sdb_freq *f = NULL;
    sdb_diag d;
    if (sdb_freq_load_mem(&f, "t.csv", text, strlen(text), cat, 0, &d))
        fail_msg("table: %s", d.reason);
    sdb_freq_set_minimum(f, SDB_MIN_NONE, 0);
    return f;
}

static sdb_pedlik *pedigree(int n, const int *fa, const int *mo, const char *sex)
{
    sdb_pedlik *p = NULL;
    sdb_diag d;
    if (sdb_pedlik_new(&p, n, fa, mo, sex, &d)) fail_msg("pedigree: %s: %s", d.field, d.reason);
    return p;
}

/* ---- the brute-force reference ------------------------------------------------ */

#define BF_MAX 16

typedef struct bf {
    int n, q;
    const int *fa, *mo;
    int k;
    sdb_allele a[BF_MAX];
    double p[BF_MAX];
    double male[BF_MAX * BF_MAX], female[BF_MAX * BF_MAX];
    double theta;
    const sdb_ped_obs *obs, *poi;
    int g[32][2];
    int cnt[BF_MAX], drawn;
    double total, with_poi;
} bf;

static int same_genotype(const bf *b, int x, int y, const sdb_ped_obs *o)
{
    return (b->a[x] == o->a[0] && b->a[y] == o->a[1]) || (b->a[x] == o->a[1] && b->a[y] == o->a[0]);
}

/* One founder allele drawn after the ones before it (Balding-Nichols). */
static double draw(bf *b, int x)
{
    double w = (b->cnt[x] * b->theta + (1 - b->theta) * b->p[x]) / (1 + (b->drawn - 1) * b->theta);
    b->cnt[x]++;
    b->drawn++;
    return w;
}

static void undraw(bf *b, int x)
{
    b->cnt[x]--;
    b->drawn--;
}

static void bf_person(bf *b, int i, double w)
{
    if (w == 0) return;
    if (i == b->n) {
        b->total += w;
        if (same_genotype(b, b->g[b->q][0], b->g[b->q][1], b->poi)) b->with_poi += w;
        return;
    }
    const sdb_ped_obs *o = &b->obs[i];
    for (int x = 0; x < b->k; x++)
        for (int y = 0; y < b->k; y++) {
            if (o->typed && !same_genotype(b, x, y, o)) continue;
            const int *gf = b->fa[i] >= 0 ? b->g[b->fa[i]] : NULL;
            const int *gm = b->mo[i] >= 0 ? b->g[b->mo[i]] : NULL;
            double t = 1;
            if (gf) t *= 0.5 * (b->male[gf[0] * b->k + x] + b->male[gf[1] * b->k + x]);
            if (gm) t *= 0.5 * (b->female[gm[0] * b->k + y] + b->female[gm[1] * b->k + y]);
            if (!gf) t *= draw(b, x);
            if (!gm) t *= draw(b, y);
            b->g[i][0] = x;
            b->g[i][1] = y;
            bf_person(b, i + 1, w * t);
            if (!gm) undraw(b, y);
            if (!gf) undraw(b, x);
        }
}

/* LR of "poi is person q" by enumeration; persons must be in an order where
 * parents come first. */
static double bf_lr(const sdb_freq *f, int pop, const sdb_locus *l, int n, const int *fa,
                    const int *mo, const sdb_ped_obs *obs, int q, const sdb_ped_obs *poi,
                    const sdb_mutation *male, const sdb_mutation *female, double theta)
{
    static bf b;
    memset(&b, 0, sizeof b);
    b.n = n;
    b.q = q;
    b.fa = fa;
    b.mo = mo;
    b.obs = obs;
    b.poi = poi;
    b.theta = theta;
    b.k = sdb_freq_locus_alleles(f, pop, l->id);
    assert_true(b.k > 0 && b.k <= BF_MAX);
    for (int i = 0; i < b.k; i++)
        assert_int_equal(sdb_freq_locus_allele(f, pop, l->id, i, &b.a[i], &b.p[i]), SDB_OK);
    assert_int_equal(sdb_mutation_matrix(male, b.a, b.p, b.k, b.male), SDB_OK);
    assert_int_equal(sdb_mutation_matrix(female, b.a, b.p, b.k, b.female), SDB_OK);
    bf_person(&b, 0, 1);
    double pp = 0;
    for (int x = 0; x < b.k; x++)
        for (int y = 0; y < b.k; y++)
            if (same_genotype(&b, x, y, poi))
                pp += x == y ? b.p[x] * (theta + (1 - theta) * b.p[x]) : b.p[x] * b.p[y] * (1 - theta);
    return b.with_poi / b.total / pp;
}

static double engine_lr(const sdb_freq *f, int pop, const sdb_locus *l, const sdb_pedlik *p,
                        const sdb_pedlik_model *m, const sdb_ped_obs *obs, int q,
                        const sdb_ped_obs *poi)
{
    double lr = 0;
    sdb_diag d;
    if (sdb_pedlik_mp_lr(p, m, f, pop, l, obs, q, poi, &lr, &d))
        fail_msg("%s: %s: %s", l->name, d.field, d.reason);
    return lr;
}

/* ---- the four pedigree types ---------------------------------------------------- */

typedef struct ped_case {
    const char *name;
    int n, q;
    int fa[6], mo[6];
    char sex[7];
    const char *typed[6]; /* per person; "" untyped */
    const char *poi;
} ped_case;

/* Persons in parent-first order. */
static const ped_case cases[] = {
    /* missing child (2) with both parents typed */
    {"child, parents", 3, 2, {-1, -1, 0}, {-1, -1, 1}, "MFM", {"6/9.3", "8/9.3", ""}, "6/8"},
    {"child, parents, poi needs a mutation", 3, 2, {-1, -1, 0}, {-1, -1, 1}, "MFM",
     {"6/9.3", "8/9.3", ""}, "6/10"},
    {"child, parents, 9.3 step", 3, 2, {-1, -1, 0}, {-1, -1, 1}, "MFF", {"9/9.3", "7/7", ""},
     "7/9.3"},
    /* missing child (3) with the mother (1) and a full sibling (2) typed; father 0 */
    {"child, mother + full sib", 4, 3, {-1, -1, 0, 0}, {-1, -1, 1, 1}, "MFMM",
     {"", "6/7", "7/9.3", ""}, "6/9.3"},
    {"child, mother + full sib, inconsistent with mother", 4, 3, {-1, -1, 0, 0}, {-1, -1, 1, 1},
     "MFMM", {"", "6/7", "7/9.3", ""}, "8/9.3"},
    /* missing father (0) with the mother (1) and two children (2, 3) */
    {"father, mother + two children", 4, 0, {-1, -1, 0, 0}, {-1, -1, 1, 1}, "MFMF",
     {"", "6/7", "6/8", "7/9"}, "8/9"},
    {"father, mother + two children, one step", 4, 0, {-1, -1, 0, 0}, {-1, -1, 1, 1}, "MFMF",
     {"", "6/7", "6/8", "7/9"}, "8/10"},
    /* one full sibling only (2), missing person 3 */
    {"full sib", 4, 3, {-1, -1, 0, 0}, {-1, -1, 1, 1}, "MFMM", {"", "", "6/9.3", ""}, "6/9.3"},
    {"full sib, nothing shared", 4, 3, {-1, -1, 0, 0}, {-1, -1, 1, 1}, "MFMM",
     {"", "", "6/9.3", ""}, "7/8"},
};

static void test_four_types_vs_brute_force(void **state)
{
    (void)state;
    const char *loci[] = {"TH01", "TPOX"};
    sdb_pedlik_model none, step;
    sdb_pedlik_model_init(&none);
    sdb_pedlik_model_init(&step);
    step.male.kind = step.female.kind = SDB_MUT_STEPWISE;
    step.male.rate = step.female.rate = 0.005;
    step.male.rate2 = step.female.rate2 = 1e-6;
    step.male.range = step.female.range = 0.1;
    int checked = 0;
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
        const ped_case *pc = &cases[c];
        sdb_pedlik *p = pedigree(pc->n, pc->fa, pc->mo, pc->sex);
        sdb_ped_obs obs[6], poi = obs_of(pc->poi);
        for (int i = 0; i < pc->n; i++)
            obs[i] = obs_of(pc->typed[i]);
        for (int li = 0; li < 2; li++) {
            const sdb_locus *l = locus(loci[li]);
            /* TPOX lacks 9.3 and 6 in Cauc? skip genotypes the table cannot give */
            int ok = 1;
            for (int i = 0; i <= pc->n && ok; i++) {
                const sdb_ped_obs *o = i < pc->n ? &obs[i] : &poi;
                for (int j = 0; j < 2 && o->typed; j++) {
                    double fr;
                    int how;
                    ok = ok && !sdb_freq_get(nist, cauc, l, o->a[j], &fr, &how, NULL);
                }
            }
            if (!ok) continue;
            for (int mi = 0; mi < 2; mi++) {
                const sdb_pedlik_model *m = mi ? &step : &none;
                double want = bf_lr(nist, cauc, l, pc->n, pc->fa, pc->mo, obs, pc->q, &poi,
                                    &m->male, &m->female, 0);
                double got = engine_lr(nist, cauc, l, p, m, obs, pc->q, &poi);
                char what[160];
                snprintf(what, sizeof what, "%s at %s, %s", pc->name, l->name,
                         mi ? "stepwise" : "no mutation");
                assert_rel(got, want, 1e-12, what);
                checked++;
            }
        }
        sdb_pedlik_free(p);
    }
    assert_true(checked >= 18);
}

/* Hand-derived values (no mutation), NIST 1036 Cauc TH01. */
static void test_hand_values(void **state)
{
    (void)state;
    const sdb_locus *l = locus("TH01");
    double p6, p7, p8, p9, p93, fr;
    int how;
    assert_int_equal(sdb_freq_get(nist, cauc, l, allele("6"), &p6, &how, NULL), SDB_OK);
    assert_int_equal(sdb_freq_get(nist, cauc, l, allele("7"), &p7, &how, NULL), SDB_OK);
    assert_int_equal(sdb_freq_get(nist, cauc, l, allele("8"), &p8, &how, NULL), SDB_OK);
    assert_int_equal(sdb_freq_get(nist, cauc, l, allele("9"), &p9, &how, NULL), SDB_OK);
    assert_int_equal(sdb_freq_get(nist, cauc, l, allele("9.3"), &p93, &how, NULL), SDB_OK);
    assert_rel(p93, 0.344875346260388, 1e-15, "p(9.3) as given");
    (void)fr;
    sdb_pedlik_model m;
    sdb_pedlik_model_init(&m);
    /* child of 6/9.3 and 8/9.3 showing 6/8: 1/4 over 2 p6 p8 */
    const ped_case *c = &cases[0];
    sdb_pedlik *p = pedigree(c->n, c->fa, c->mo, c->sex);
    sdb_ped_obs obs[6] = {obs_of("6/9.3"), obs_of("8/9.3"), obs_of("")}, poi = obs_of("6/8");
    assert_rel(engine_lr(nist, cauc, l, p, &m, obs, 2, &poi), 0.25 / (2 * p6 * p8), 1e-13,
               "child of both parents");
    poi = obs_of("6/10"); /* no mutation: excluded */
    assert_true(engine_lr(nist, cauc, l, p, &m, obs, 2, &poi) == 0);
    sdb_pedlik_free(p);
    /* father of 6/8 and 7/9 with a 6/7 mother must be 8/9: 1 / (2 p8 p9) */
    c = &cases[5];
    p = pedigree(c->n, c->fa, c->mo, c->sex);
    sdb_ped_obs o2[4] = {obs_of(""), obs_of("6/7"), obs_of("6/8"), obs_of("7/9")};
    poi = obs_of("8/9");
    assert_rel(engine_lr(nist, cauc, l, p, &m, o2, 0, &poi), 1 / (2 * p8 * p9), 1e-13,
               "father of two");
    sdb_pedlik_free(p);
    /* one full sib, both 6/9.3: k0 + k1 (p6 + p93) / (4 p6 p93) + k2 / (2 p6 p93) */
    c = &cases[7];
    p = pedigree(c->n, c->fa, c->mo, c->sex);
    sdb_ped_obs o3[4] = {obs_of(""), obs_of(""), obs_of("6/9.3"), obs_of("")};
    poi = obs_of("6/9.3");
    double fs = 0.25 + 0.5 * (p6 + p93) / (4 * p6 * p93) + 0.25 / (2 * p6 * p93);
    assert_rel(engine_lr(nist, cauc, l, p, &m, o3, 3, &poi), fs, 1e-13, "full sib by hand");
    /* and the kinship code agrees for every genotype pair of the sib */
    const char *gs[] = {"6/6", "6/7", "7/9.3", "9.3/9.3", "8/10", "5/11"};
    for (int i = 0; i < 6; i++)
        for (int j = 0; j < 6; j++) {
            o3[2] = obs_of(gs[i]);
            poi = obs_of(gs[j]);
            double kin;
            sdb_diag d;
            assert_int_equal(sdb_kinship_locus_lr(nist, cauc, SDB_REL_FS, l->id, o3[2].a, poi.a,
                                                  0, NULL, &kin, &d),
                             SDB_OK);
            assert_rel(engine_lr(nist, cauc, l, p, &m, o3, 3, &poi), kin, 1e-12, "FS vs kinship");
        }
    sdb_pedlik_free(p);
    (void)p7;
}

/* A missing father typed against one child, with the male mutation model
 * (equal, proportional, stepwise). The kinship LR takes the child's
 * probability under "unrelated" from Hardy-Weinberg; the pedigree LR (as
 * forrel's missingPersonLR) from the pedigree with the father untyped, which
 * differs unless the model keeps the frequencies stationary:
 *   LR_kinship = LR_pedigree P_ped(child) / P_HW(child). */
static void test_po_with_mutation_vs_kinship(void **state)
{
    (void)state;
    const int fa[3] = {-1, -1, 0}, mo[3] = {-1, -1, 1};
    sdb_pedlik *p = pedigree(3, fa, mo, "MFM");
    const char *loci[] = {"TH01", "D21S11", "FGA"};
    const char *pairs[][2] = {{"6/9.3", "7/8"}, {"9.3/9.3", "10/10"}, {"7/9", "6/9"}};
    const char *pairs21[][2] = {{"29/30", "31.2/32"}, {"28/28", "29/30.2"}, {"30/31", "30/31"}};
    const char *pairsfga[][2] = {{"21/22", "23/24"}, {"22.2/24", "23/25"}, {"20/20", "21/21"}};
    for (int k = SDB_MUT_EQUAL; k <= SDB_MUT_STEPWISE; k++)
        for (int li = 0; li < 3; li++)
            for (int t = 0; t < 3; t++) {
                const sdb_locus *l = locus(loci[li]);
                const char *(*pr)[2] = li == 0 ? pairs : li == 1 ? pairs21 : pairsfga;
                sdb_pedlik_model m;
                sdb_pedlik_model_init(&m);
                m.male.kind = (sdb_mutation_kind)k;
                m.male.rate = 0.002;
                m.male.rate2 = 1e-6;
                m.male.range = 0.1;
                sdb_ped_obs obs[3] = {obs_of(""), obs_of(""), obs_of(pr[t][1])};
                sdb_ped_obs poi = obs_of(pr[t][0]);
                double kin, got = engine_lr(nist, cauc, l, p, &m, obs, 0, &poi), ll = 0, pa, pb;
                sdb_diag d;
                int how;
                assert_int_equal(sdb_pedlik_locus(p, &m, nist, cauc, l, obs, &ll, &d), SDB_OK);
                assert_int_equal(sdb_freq_get(nist, cauc, l, obs[2].a[0], &pa, &how, &d), SDB_OK);
                assert_int_equal(sdb_freq_get(nist, cauc, l, obs[2].a[1], &pb, &how, &d), SDB_OK);
                double hw = obs[2].a[0] == obs[2].a[1] ? pa * pa : 2 * pa * pb;
                if (k == SDB_MUT_PROPORTIONAL) assert_rel(exp(ll), hw, 1e-12, "stationary");
                got *= exp(ll) / hw;
                assert_int_equal(sdb_kinship_locus_lr(nist, cauc, SDB_REL_PO, l->id, poi.a,
                                                      obs[2].a, 0, &m.male, &kin, &d),
                                 SDB_OK);
                char what[96];
                snprintf(what, sizeof what, "PO %s %s/%s model %d", l->name, pr[t][0], pr[t][1],
                         k);
                assert_rel(got, kin, 1e-12, what);
            }
    sdb_pedlik_free(p);
}

static double loglik(const sdb_pedlik *p, const sdb_pedlik_model *m, const sdb_freq *f,
                     const char *lname, const sdb_ped_obs *obs)
{
    double ll = 0;
    sdb_diag d;
    if (sdb_pedlik_locus(p, m, f, 0, locus(lname), obs, &ll, &d)) fail_msg("%s", d.reason);
    return ll;
}

/* pedprobr's test vectors U5-U16 (known-answers/upstream_test_vectors.csv). */
static void test_pedprobr_vectors(void **state)
{
    (void)state;
    sdb_pedlik_model m;
    sdb_pedlik_model_init(&m);
    sdb_freq *f19 = table("locus,allele,frequency\nTH01,1,0.1\nTH01,2,0.9\n");
    sdb_freq *f28 = table("locus,allele,frequency\nTH01,1,0.2\nTH01,2,0.8\n");
    sdb_freq *f82 = table("locus,allele,frequency\nTH01,1,0.8\nTH01,2,0.2\n");
    sdb_freq *f91 = table("locus,allele,frequency\nTH01,1,0.9\nTH01,2,0.1\n");
    sdb_freq *f37 = table("locus,allele,frequency\nTH01,1,0.3\nTH01,2,0.7\n");
    const int trio_f[3] = {-1, -1, 0}, trio_m[3] = {-1, -1, 1};
    sdb_pedlik *trio = pedigree(3, trio_f, trio_m, "MFM");
    sdb_ped_obs o[8];
    /* U6, U7: one person */
    o[0] = obs_of("1/1"), o[1] = obs_of(""), o[2] = obs_of("");
    assert_rel(exp(loglik(trio, &m, f19, "TH01", o)), 0.01, 1e-12, "U6");
    o[0] = obs_of("1/2");
    assert_rel(exp(loglik(trio, &m, f19, "TH01", o)), 0.18, 1e-12, "U7");
    /* U8: both parents typed */
    o[0] = obs_of("1/1"), o[1] = obs_of("2/2");
    assert_rel(exp(loglik(trio, &m, f19, "TH01", o)), 0.0081, 1e-12, "U8");
    /* U9: incompatible trio */
    o[0] = obs_of("1/1"), o[1] = obs_of("1/1"), o[2] = obs_of("2/2");
    assert_true(loglik(trio, &m, f19, "TH01", o) == -INFINITY);
    /* U10, U11 */
    o[0] = obs_of("1/2"), o[1] = obs_of("1/2"), o[2] = obs_of("1/2");
    assert_rel(exp(loglik(trio, &m, f28, "TH01", o)), 0.0512, 1e-12, "U10");
    o[1] = obs_of("");
    assert_rel(exp(loglik(trio, &m, f28, "TH01", o)), 0.16, 1e-12, "U11");
    /* U12: full sibs both 2/2 */
    const int sib_f[4] = {-1, -1, 0, 0}, sib_m[4] = {-1, -1, 1, 1};
    sdb_pedlik *sibs = pedigree(4, sib_f, sib_m, "MFMF");
    o[0] = obs_of(""), o[1] = obs_of(""), o[2] = obs_of("2/2"), o[3] = obs_of("2/2");
    assert_rel(exp(loglik(sibs, &m, f28, "TH01", o)), 0.5184, 1e-12, "U12");
    /* U13: nuclearPed(1) + addParents(1) + addParents(2); 4, 7 and 3 are 1/2.
     * Here 0 = 4, 1 = 5, 2 = 6, 3 = 7 (grandparents), 4 = 1, 5 = 2, 6 = 3. */
    const int u13_f[7] = {-1, -1, -1, -1, 0, 2, 4}, u13_m[7] = {-1, -1, -1, -1, 1, 3, 5};
    sdb_pedlik *u13 = pedigree(7, u13_f, u13_m, "MFMFMFM");
    for (int i = 0; i < 7; i++)
        o[i] = obs_of(i == 0 || i == 3 || i == 6 ? "1/2" : "");
    assert_rel(exp(loglik(u13, &m, f28, "TH01", o)), 0.046592, 1e-12, "U13");
    /* U14: partial genotype 2/? */
    o[0] = obs_of("2/?"), o[1] = obs_of(""), o[2] = obs_of("");
    assert_rel(exp(loglik(trio, &m, f82, "TH01", o)), 0.36, 1e-12, "U14");
    /* U15: equal model rate 0.1, trio 1/1, 1/1, 2/2 */
    sdb_pedlik_model mu = m;
    mu.male.kind = mu.female.kind = SDB_MUT_EQUAL;
    mu.male.rate = mu.female.rate = 0.1;
    o[0] = obs_of("1/1"), o[1] = obs_of("1/1"), o[2] = obs_of("2/2");
    assert_rel(exp(loglik(trio, &mu, f91, "TH01", o)), 0.006561, 1e-12, "U15");
    /* U16: proportional rate 0.1, duo father 1/1 child 2/2 */
    mu.male.kind = mu.female.kind = SDB_MUT_PROPORTIONAL;
    o[1] = obs_of("");
    assert_rel(exp(loglik(trio, &mu, f91, "TH01", o)), 0.0045, 1e-12, "U16");
    /* U5: theta 0.01, only the grandchild of linearPed(2) typed A/A:
     * 0 father, 1 mother, 2 their son, 3 his wife, 4 the grandchild */
    const int lin_f[5] = {-1, -1, 0, -1, 2}, lin_m[5] = {-1, -1, 1, -1, 3};
    sdb_pedlik *lin = pedigree(5, lin_f, lin_m, "MFMFF");
    sdb_pedlik_model th = m;
    th.theta = 0.01;
    for (int i = 0; i < 5; i++)
        o[i] = obs_of(i == 4 ? "1/1" : "");
    assert_rel(exp(loglik(lin, &th, f37, "TH01", o)), 0.0921, 1e-12, "U5");
    sdb_pedlik_free(lin);
    sdb_pedlik_free(u13);
    sdb_pedlik_free(sibs);
    sdb_pedlik_free(trio);
    sdb_freq_free(f19);
    sdb_freq_free(f28);
    sdb_freq_free(f82);
    sdb_freq_free(f91);
    sdb_freq_free(f37);
}

/* A first-cousin marriage: the inbred child's genotype probability is
 * F p + (1 - F) p^2 with F = 1/16, and its MP LR against the grandfather and
 * an aunt equals the enumeration (loops are exact). */
static void test_loops(void **state)
{
    (void)state;
    sdb_freq *f = table("locus,allele,frequency\nTH01,6,0.2\nTH01,7,0.5\nTH01,8,0.3\n");
    /* 0 GF, 1 GM, 2 son, 3 daughter, 4 son's wife, 5 daughter's husband,
     * 6 son's son, 7 daughter's daughter, 8 their child */
    const int fa[9] = {-1, -1, 0, 0, -1, -1, 2, 5, 6}, mo[9] = {-1, -1, 1, 1, -1, -1, 4, 3, 7};
    sdb_pedlik *p = pedigree(9, fa, mo, "MFMFFMMFM");
    sdb_pedlik_model m;
    sdb_pedlik_model_init(&m);
    sdb_ped_obs o[9];
    for (int i = 0; i < 9; i++)
        o[i] = obs_of(i == 8 ? "6/6" : "");
    assert_rel(exp(loglik(p, &m, f, "TH01", o)), sdb_genotype_probability_inbred(0.2, 0.2, 1, 1.0 / 16),
               1e-12, "inbred homozygote");
    o[8] = obs_of("6/8");
    assert_rel(exp(loglik(p, &m, f, "TH01", o)), sdb_genotype_probability_inbred(0.2, 0.3, 0, 1.0 / 16),
               1e-12, "inbred heterozygote");
    o[8] = obs_of("");
    o[0] = obs_of("6/7");
    o[3] = obs_of("7/8");
    o[4] = obs_of("6/6");
    const char *pois[] = {"6/6", "6/7", "7/7", "6/8", "8/8", "7/8"};
    sdb_pedlik_model step = m;
    step.male.kind = step.female.kind = SDB_MUT_STEPWISE;
    step.male.rate = 0.01;
    step.female.rate = 0.003;
    for (int mi = 0; mi < 2; mi++)
        for (int i = 0; i < 6; i++) {
            const sdb_pedlik_model *mm = mi ? &step : &m;
            sdb_ped_obs poi = obs_of(pois[i]);
            double want = bf_lr(f, 0, locus("TH01"), 9, fa, mo, o, 8, &poi, &mm->male, &mm->female, 0);
            assert_rel(engine_lr(f, 0, locus("TH01"), p, mm, o, 8, &poi), want, 1e-11,
                       "cousin-marriage MP LR");
        }
    sdb_pedlik_free(p);
    sdb_freq_free(f);
}

/* theta > 0 against the enumeration with Balding-Nichols founder draws, and
 * the search table against per-genotype LRs. */
static void test_theta_and_table(void **state)
{
    (void)state;
    const sdb_locus *l = locus("TH01");
    sdb_pedlik_model m;
    sdb_pedlik_model_init(&m);
    m.theta = 0.03;
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
        const ped_case *pc = &cases[c];
        sdb_pedlik *p = pedigree(pc->n, pc->fa, pc->mo, pc->sex);
        sdb_ped_obs obs[6], poi = obs_of(pc->poi);
        for (int i = 0; i < pc->n; i++)
            obs[i] = obs_of(pc->typed[i]);
        double want = bf_lr(nist, cauc, l, pc->n, pc->fa, pc->mo, obs, pc->q, &poi, &m.male,
                            &m.female, m.theta);
        char what[96];
        snprintf(what, sizeof what, "theta: %s", pc->name);
        assert_rel(engine_lr(nist, cauc, l, p, &m, obs, pc->q, &poi), want, 1e-11, what);
        /* the table */
        sdb_ped_table *t = malloc(sizeof *t);
        sdb_diag d;
        sdb_pedlik_model step;
        sdb_pedlik_model_init(&step);
        step.male.kind = step.female.kind = SDB_MUT_STEPWISE;
        step.male.rate = step.female.rate = 0.005;
        assert_int_equal(sdb_pedlik_table(p, &step, nist, cauc, l, obs, pc->q, t, &d), SDB_OK);
        assert_int_equal(t->k, 8);
        for (int i = 0; i < t->k; i++)
            for (int j = 0; j < t->k; j++) {
                sdb_ped_obs g = {1, {t->a[i], t->a[j]}, 0};
                assert_rel(t->lr[i * t->k + j], engine_lr(nist, cauc, l, p, &step, obs, pc->q, &g),
                           1e-12, "table entry");
            }
        free(t);
        sdb_pedlik_free(p);
    }
}

/* Drop-out and a silent allele, by hand. */
static void test_dropout_silent(void **state)
{
    (void)state;
    sdb_freq *f = table("locus,allele,frequency\nTH01,6,0.2\nTH01,7,0.5\nTH01,8,0.3\n");
    const int fa[3] = {-1, -1, 0}, mo[3] = {-1, -1, 1};
    sdb_pedlik *p = pedigree(3, fa, mo, "MFM");
    sdb_pedlik_model m;
    sdb_pedlik_model_init(&m);
    double dr = 0.3, pa = 0.2;
    sdb_ped_obs o[3] = {obs_of("6/6"), obs_of(""), obs_of("")};
    o[0].dropout = dr;
    double want = pa * pa * (1 - dr * dr) + 2 * pa * (1 - pa) * (1 - dr) * dr;
    assert_rel(exp(loglik(p, &m, f, "TH01", o)), want, 1e-13, "drop-out homozygote");
    /* remains showing only 6 (drop-out 0.3) against the child of 6/7 x 6/7 */
    o[0] = obs_of("6/7"), o[1] = obs_of("6/7");
    sdb_ped_obs poi = obs_of("6/6");
    poi.dropout = dr;
    double num = (1 - dr * dr) / 4 + (1 - dr) * dr / 2, den = want;
    assert_rel(engine_lr(f, 0, locus("TH01"), p, &m, o, 2, &poi), num / den, 1e-13,
               "drop-out remains");
    /* a silent allele of frequency s: 6/6 is 6/6 or 6/silent */
    m.silent = 0.01;
    o[0] = obs_of("6/6"), o[1] = obs_of("");
    double ps = pa * (1 - m.silent);
    assert_rel(exp(loglik(p, &m, f, "TH01", o)), ps * ps + 2 * ps * m.silent, 1e-13,
               "silent allele");
    /* a father 7/7 and a child 6/6 are consistent through a silent allele */
    o[0] = obs_of("7/7"), o[1] = obs_of(""), o[2] = obs_of("6/6");
    assert_true(loglik(p, &m, f, "TH01", o) > -INFINITY);
    m.silent = 0;
    assert_true(loglik(p, &m, f, "TH01", o) == -INFINITY);
    sdb_pedlik_free(p);
    sdb_freq_free(f);
}

static void test_bad_input(void **state)
{
    (void)state;
    sdb_pedlik *p = NULL;
    sdb_diag d;
    const int cf[3] = {2, -1, 0}, cm[3] = {-1, -1, 1};
    assert_int_equal(sdb_pedlik_new(&p, 3, cf, cm, "MFM", &d), SDB_EINVAL);
    assert_null(p);
    assert_non_null(strstr(d.reason, "cycle"));
    const int f1[3] = {-1, -1, 0}, m1[3] = {-1, -1, 1};
    assert_int_equal(sdb_pedlik_new(&p, 3, f1, m1, "MMM", &d), SDB_EINVAL);
    assert_string_equal(d.field, "person 2");
    assert_non_null(strstr(d.reason, "mother is not female"));
    assert_int_equal(sdb_pedlik_new(&p, 3, f1, m1, "FFM", &d), SDB_EINVAL);
    assert_non_null(strstr(d.reason, "father is not male"));
    const int own[3] = {-1, -1, 2};
    assert_int_equal(sdb_pedlik_new(&p, 3, own, m1, "MFM", &d), SDB_EINVAL);
    assert_non_null(strstr(d.reason, "own parent"));
    const int far[3] = {-1, -1, 7};
    assert_int_equal(sdb_pedlik_new(&p, 3, far, m1, "MFM", &d), SDB_EINVAL);
    assert_int_equal(sdb_pedlik_new(&p, 3, f1, m1, "MFX", &d), SDB_EINVAL);
    assert_int_equal(sdb_pedlik_new(&p, 0, f1, m1, "", &d), SDB_EINVAL);

    p = pedigree(3, f1, m1, "MFM");
    sdb_pedlik_model m;
    sdb_pedlik_model_init(&m);
    sdb_ped_obs o[3] = {obs_of("6/7"), obs_of(""), obs_of("6/6")}, poi = obs_of("6/7");
    double lr = 0;
    const sdb_locus *th01 = locus("TH01");
    assert_int_equal(sdb_pedlik_mp_lr(p, &m, nist, cauc, th01, o, 2, &poi, &lr, &d), SDB_EINVAL);
    assert_non_null(strstr(d.reason, "missing person is typed"));
    o[2] = obs_of("");
    o[1] = obs_of("6/77"); /* an allele the table cannot give under "none" */
    assert_int_equal(sdb_pedlik_mp_lr(p, &m, nist, cauc, th01, o, 2, &poi, &lr, &d), SDB_EINVAL);
    /* the references contradict each other without mutation */
    sdb_pedlik_free(p);
    const int sf[4] = {-1, -1, 0, 0}, sm[4] = {-1, -1, 1, 1};
    p = pedigree(4, sf, sm, "MFMM");
    sdb_ped_obs o4[4] = {obs_of("6/6"), obs_of("7/7"), obs_of("8/9"), obs_of("")};
    assert_int_equal(sdb_pedlik_mp_lr(p, &m, nist, cauc, th01, o4, 3, &poi, &lr, &d), SDB_EINVAL);
    assert_non_null(strstr(d.reason, "impossible"));
    m.theta = 1.5;
    assert_int_equal(sdb_pedlik_mp_lr(p, &m, nist, cauc, th01, o4, 3, &poi, &lr, &d), SDB_EINVAL);
    assert_string_equal(d.field, "theta");
    sdb_pedlik_free(p);
    /* theta with four untyped founders: too many assignments to sum */
    const int bf_[7] = {-1, -1, -1, -1, 0, 2, 4}, bm[7] = {-1, -1, -1, -1, 1, 3, 5};
    p = pedigree(7, bf_, bm, "MFMFMFM");
    sdb_ped_obs o7[7] = {obs_of(""), obs_of(""), obs_of(""), obs_of(""), obs_of("6/7"),
                         obs_of("7/8"), obs_of("")};
    m.theta = 0.01;
    assert_int_equal(sdb_pedlik_mp_lr(p, &m, nist, cauc, th01, o7, 6, &poi, &lr, &d), SDB_ERANGE);
    assert_non_null(strstr(d.reason, "founder allele assignments"));
    m.theta = 0;
    assert_int_equal(sdb_pedlik_mp_lr(p, &m, nist, cauc, th01, o7, 6, &poi, &lr, &d), SDB_OK);
    sdb_pedlik_free(p);
}

static sdb_fam *fam_file(const char *path, sdb_diag *d, int *rc)
{
    size_t len = 0;
    char *text = read_file(path, &len);
    if (!text) fail_msg("cannot read %s", path);
    sdb_fam *f = NULL;
    *rc = sdb_fam_parse(&f, path, text, len, cat, d);
    free(text);
    return f;
}

/* pedFamilias's example paternity.fam (Familias 3.3.1): persons, pedigrees,
 * genotypes and the database as written; the H1 LR of AF against CH equals
 * the PO kinship LR over the file's own frequencies. */
static void test_fam_reader(void **state)
{
    (void)state;
    sdb_diag d;
    int rc;
    sdb_fam *f = fam_file(SDB_TEST_DATA "/fam/paternity.fam", &d, &rc);
    if (rc) fail_msg("%s:%ld: %s: %s", d.file, d.line, d.field, d.reason);
    assert_string_equal(f->version, "3.3.1");
    assert_int_equal(f->n_persons, 3);
    assert_int_equal(f->n_pedigrees, 2);
    assert_int_equal(f->n_loci, 10);
    const sdb_fam_pedigree *h1 = &f->pedigrees[0], *h2 = &f->pedigrees[1];
    assert_string_equal(h1->name, "H1");
    assert_string_equal(h2->name, "H2");
    assert_string_equal(h1->ids[2], "CH");
    assert_int_equal(h1->father[2], 0);
    assert_int_equal(h1->mother[2], 1);
    assert_int_equal(h2->father[2], -1);
    assert_int_equal(h1->sex[0], 'M');
    assert_int_equal(h1->sex[1], 'F');
    assert_int_equal(f->profiles[0].n_calls, 10);
    assert_int_equal(f->profiles[1].n_calls, 0);
    const sdb_fam_locus *th = &f->loci[1];
    assert_string_equal(th->locus->name, "TH01");
    assert_int_equal(th->n, 10);
    assert_int_equal(th->alleles[6], allele("9.3"));
    assert_rel(th->freq[6], 0.3404967867, 1e-15, "TH01 9.3");
    assert_int_equal(th->male.kind, SDB_MUT_STEPWISE);
    assert_rel(th->male.rate, 0.002, 1e-15, "male rate");
    assert_rel(th->female.rate, 0.001, 1e-15, "female rate");
    assert_rel(th->male.rate2, 1e-6, 1e-15, "rate2");
    assert_rel(f->loci[4].freq[13], 5.251539999e-005, 1e-15, "Penta E 17.4");
    sdb_freq *t = NULL;
    assert_int_equal(sdb_fam_freq(f, "fam", &t, &d), SDB_OK);
    sdb_freq_set_minimum(t, SDB_MIN_NONE, 0);
    sdb_pedlik *p = pedigree(h1->n, h1->father, h1->mother, h1->sex);
    const sdb_profile *typed[3] = {NULL, NULL, &f->profiles[2]};
    sdb_pedlik_model m;
    sdb_pedlik_model_init(&m);
    sdb_locus_stat st[16];
    int n, excluded;
    double total = 0;
    assert_int_equal(sdb_pedlik_mp_profiles(p, &m, t, 0, typed, 0, &f->profiles[0], 0, st, &n,
                                            &total, &excluded, &d),
                     SDB_OK);
    assert_int_equal(n, 10);
    sdb_locus_stat kst[16];
    int kn;
    double ktotal = 0;
    assert_int_equal(sdb_kinship_lr(t, 0, SDB_REL_PO, &f->profiles[0], &f->profiles[2], 0, NULL,
                                    kst, &kn, &ktotal, &d),
                     SDB_OK);
    /* the file's frequencies sum to 1 within ~1e-10 per locus: the pedigree
     * draws the mother's untransmitted allele from them, kinship does not */
    assert_rel(total, ktotal, 1e-8, "paternity.fam H1 = PO kinship");
    sdb_freq_free(t);
    sdb_pedlik_free(p);
    sdb_fam_free(f);

    /* bad files: one precise line each */
    static const struct {
        const char *file;
        long line;
        const char *field, *reason;
    } bad[] = {
        {"cut.fam", 265, "D18S51", "cut in the middle"},
        {"cut_lines.fam", 120, "D3S1358", "the file ends here: expected an allele frequency"},
        {"unknown_locus.fam", 144, "locus", "unknown locus 'D99S9'"},
        {"bad_allele.fam", 0, "TH01", "unreadable allele, got 'nine'"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        char path[256];
        snprintf(path, sizeof path, "test/fuzz/corpus/fam/%s", bad[i].file);
        f = fam_file(path, &d, &rc);
        assert_null(f);
        assert_true(rc == SDB_EFORMAT || rc == SDB_EINVAL);
        if (bad[i].line && d.line != bad[i].line)
            fail_msg("%s: line %ld, want %ld (%s)", bad[i].file, d.line, bad[i].line, d.reason);
        assert_string_equal(d.field, bad[i].field);
        if (!strstr(d.reason, bad[i].reason)) fail_msg("%s: %s", bad[i].file, d.reason);
    }
}

/* log10 LR of victims placed at missing persons of pedigree p (obs holds
 * the references; victims' genotypes go to positions at[]). */
static double option_lr(const sdb_pedlik *p, const sdb_freq *f, sdb_ped_obs *obs, int k,
                        const int *at, const char *const *g)
{
    sdb_pedlik_model m;
    sdb_pedlik_model_init(&m);
    const int one_f[1] = {-1}, one_m[1] = {-1};
    sdb_pedlik *single = pedigree(1, one_f, one_m, "U");
    double l0 = loglik(p, &m, f, "TH01", obs), lv = 0;
    sdb_ped_obs saved[4];
    for (int i = 0; i < k; i++) {
        saved[i] = obs[at[i]];
        obs[at[i]] = obs_of(g[i]);
        sdb_ped_obs o1[1] = {obs_of(g[i])};
        lv += loglik(single, &m, f, "TH01", o1);
    }
    double l1 = loglik(p, &m, f, "TH01", obs);
    for (int i = 0; i < k; i++)
        obs[at[i]] = saved[i];
    sdb_pedlik_free(single);
    return (l1 - l0 - lv) / log(10);
}

/* dvir's example2 (three victims, two families, three missing persons):
 * jointDVI's ten assignments with LRs 250, 50, 25, 5 (x4), 1 (x3) and
 * Bmarginal's posterior pairing probabilities (dvir tests/testthat/test-joint.R). */
/* dvir's planecrash (data-raw/Solution3_3.fam, Familias' DVI module): the
 * [DVI] part as read, and every pairwise LR of its 8 victims and 5
 * single-reference families against a brute-force sum over the untyped
 * parents' ordered genotypes (father-child, mother-child, child-parent with
 * the other parent random, full siblings), without mutation and with the
 * file's proportional model (rate 0.001), over the file's database as given. */
static const sdb_fam_locus *fam_locus(const sdb_fam *f, const sdb_locus *l)
{
    for (int i = 0; i < f->n_loci; i++)
        if (f->loci[i].locus == l) return &f->loci[i];
    return NULL;
}

static int allele_at(const sdb_fam_locus *l, sdb_allele a)
{
    for (int i = 0; i < l->n; i++)
        if (l->alleles[i] == a) return i;
    fail_msg("allele not in the database");
    return -1;
}

/* P(child genotype {c1, c2} | transmissions t1 from one parent, t2 from the other) */
static double child_given(const double *t1, const double *t2, int c1, int c2)
{
    return c1 == c2 ? t1[c1] * t2[c1] : t1[c1] * t2[c2] + t1[c2] * t2[c1];
}

/* The transmission from parent genotype (a, b): 1/2 (M[a][.] + M[b][.]). */
static void transmit(const double *m, int n, int a, int b, double *t)
{
    for (int x = 0; x < n; x++)
        t[x] = 0.5 * (m[a * n + x] + m[b * n + x]);
}

/* One locus' LR of "victim v is the missing person" for family shape k:
 * 0 parent typed (r) and missing child, 1 missing parent of typed child r,
 * 2 full siblings (parents untyped). */
static double brute_locus(int shape, const sdb_fam_locus *l, const double *m, int r1, int r2,
                          int v1, int v2)
{
    int n = l->n;
    const double *f = l->freq;
    double *tr = malloc(2 * (size_t)n * sizeof *tr), *tv = tr + n;
    double pr = r1 == r2 ? f[r1] * f[r1] : 2 * f[r1] * f[r2];
    double pv = v1 == v2 ? f[v1] * f[v1] : 2 * f[v1] * f[v2], num = 0;
    if (shape < 2) { /* parent (a, b), child gets one allele from the random other parent */
        int pa = shape ? v1 : r1, pb = shape ? v2 : r2, c1 = shape ? r1 : v1, c2 = shape ? r2 : v2;
        transmit(m, n, pa, pb, tr);
        num = (shape ? pv : pr) * child_given(tr, f, c1, c2);
    } else {
        for (int a = 0; a < n; a++)
            for (int b = 0; b < n; b++)
                for (int c = 0; c < n; c++)
                    for (int e = 0; e < n; e++) {
                        double w = f[a] * f[b] * f[c] * f[e];
                        transmit(m, n, a, b, tr);
                        transmit(m, n, c, e, tv);
                        num += w * child_given(tr, tv, r1, r2) * child_given(tr, tv, v1, v2);
                    }
    }
    free(tr);
    return num / (pr * pv);
}

static void test_fam_dvi_planecrash(void **state)
{
    (void)state;
    size_t len = 0;
    char *text = read_file(SDB_TEST_DATA "/dvi/planecrash/Solution3_3.fam", &len);
    assert_non_null(text);
    sdb_fam *fam = NULL;
    sdb_diag d;
    assert_int_equal(sdb_fam_parse(&fam, "Solution3_3.fam", text, len, cat, &d), SDB_OK);
    const sdb_fam_dvi *x = fam->dvi;
    assert_non_null(x);
    assert_int_equal(x->n_victims, 8);
    assert_int_equal(x->n_families, 5);
    assert_string_equal(x->victims[6].sample_id, "PM7");
    assert_int_equal(x->victim_sex[0], 'M');
    assert_int_equal(x->victim_sex[7], 'F');
    assert_int_equal(x->victims[0].n_calls, 15);
    /* the second pedigree of each family; "Missing person" an extra, its
     * sex unknown as a child and 'F' as the lone parent of family 4 */
    const char *ped_name[5] = {"Father", "Brother", "Mother", "Son", "Family tree"};
    const int shape[5] = {0, 2, 0, 1, 2};
    for (int k = 0; k < 5; k++) {
        const sdb_fam_dvi_family *fk = &x->families[k];
        assert_string_equal(fk->ped.name, ped_name[k]);
        assert_int_equal(fk->n_missing, 1);
        assert_string_equal(fk->ped.ids[fk->missing[0]], "Missing person");
        assert_int_equal(fk->ped.sex[fk->missing[0]], k == 3 ? 'F' : 'U');
        assert_int_equal(fk->profiles[0].n_calls, 15);
    }
    sdb_freq *f;
    assert_int_equal(sdb_fam_freq(fam, "fam", &f, &d), SDB_OK);
    sdb_freq_set_minimum(f, SDB_MIN_NONE, 0);
    for (int with_mut = 0; with_mut < 2; with_mut++) {
        sdb_pedlik_model model;
        sdb_pedlik_model_init(&model);
        if (with_mut) model.male = fam->loci[0].male, model.female = fam->loci[0].female;
        assert_int_equal(model.male.kind, with_mut ? SDB_MUT_PROPORTIONAL : SDB_MUT_NONE);
        sdb_dvi_victim vic[8];
        for (int v = 0; v < 8; v++)
            vic[v] = (sdb_dvi_victim){&x->victims[v], 'U', 0};
        for (int k = 0; k < 5; k++) {
            const sdb_fam_dvi_family *fk = &x->families[k];
            sdb_pedlik *ped;
            assert_int_equal(sdb_pedlik_new(&ped, fk->ped.n, fk->ped.father, fk->ped.mother,
                                            fk->ped.sex, &d), SDB_OK);
            const sdb_profile *typed[4] = {NULL, NULL, NULL, NULL};
            typed[0] = &fk->profiles[0];
            sdb_dvi_family df = {ped, typed, 1, fk->missing};
            sdb_dvi_option *opt;
            int n_opt;
            double pw[8];
            assert_int_equal(sdb_dvi_family_options(&df, &model, f, 0, vic, 8, 0, &opt, &n_opt, pw, &d),
                             SDB_OK);
            for (int v = 0; v < 8; v++) {
                double want = 0; /* log10 */
                for (int c = 0; c < (int)x->victims[v].n_calls; c++) {
                    const sdb_call *cv = &x->victims[v].calls[c];
                    const sdb_locus *l = sdb_catalog_by_id(cat, cv->locus);
                    const sdb_call *cr = sdb_profile_call(typed[0], cv->locus);
                    const sdb_fam_locus *fl = fam_locus(fam, l);
                    assert_non_null(cr);
                    assert_non_null(fl);
                    double *m = malloc((size_t)fl->n * (size_t)fl->n * sizeof *m);
                    assert_int_equal(sdb_mutation_matrix(&fl->male, fl->alleles, fl->freq, fl->n, m), SDB_OK);
                    if (!with_mut)
                        for (int i = 0; i < fl->n * fl->n; i++)
                            m[i] = i % (fl->n + 1) == 0;
                    const sdb_allele *av = x->victims[v].alleles + cv->first, *ar = typed[0]->alleles + cr->first;
                    double lr = brute_locus(shape[k], fl, m, allele_at(fl, ar[0]), allele_at(fl, ar[cr->n - 1]),
                                            allele_at(fl, av[0]), allele_at(fl, av[cv->n - 1]));
                    want += log10(lr);
                    free(m);
                }
                if (want == -INFINITY)
                    assert_true(pw[v] == -INFINITY);
                else if (fabs(pw[v] - want) > 1e-9 * fmax(1, fabs(want)) + 4.3e-10)
                    fail_msg("family %d victim %d mutation %d: log10 LR %.12g, brute force %.12g", k + 1,
                             v + 1, with_mut, pw[v], want);
            }
            free(opt);
            sdb_pedlik_free(ped);
        }
    }
    sdb_freq_free(f);
    sdb_fam_free(fam);
    free(text);
}

static void test_dvi_example2(void **state)
{
    (void)state;
    sdb_freq *f = table("locus,allele,frequency\nTH01,1,0.1\nTH01,2,0.1\nTH01,3,0.1\nTH01,4,0.1\n"
                        "TH01,5,0.1\nTH01,6,0.1\nTH01,7,0.1\nTH01,8,0.1\nTH01,9,0.1\nTH01,10,0.1\n");
    /* family 1: 0 M1 (father, missing 0), 1 R1 (2/2), 2 M2 (son, missing 1);
     * family 2: 0 R2 (3/3), 1 MO2, 2 M3 (daughter, missing 2) */
    const int fa[3] = {-1, -1, 0}, mo[3] = {-1, -1, 1};
    sdb_pedlik *p1 = pedigree(3, fa, mo, "MFM"), *p2 = pedigree(3, fa, mo, "MFF");
    sdb_ped_obs o1[3] = {obs_of(""), obs_of("2/2"), obs_of("")};
    sdb_ped_obs o2[3] = {obs_of("3/3"), obs_of(""), obs_of("")};
    const char *vg[3] = {"1/1", "1/2", "3/4"}; /* V1, V2 male; V3 female */
    sdb_dvi_option f1[6], f2[1];
    int n1 = 0;
    for (int v = 0; v < 2; v++)      /* one victim */
        for (int mp = 0; mp < 2; mp++) {
            int at[1] = {mp ? 2 : 0};
            const char *g[1] = {vg[v]};
            f1[n1] = (sdb_dvi_option){(uint64_t)1 << v, 1, {v}, {mp}, option_lr(p1, f, o1, 1, at, g)};
            n1++;
        }
    for (int v = 0; v < 2; v++) { /* V(v) = M1, the other = M2 */
        int at[2] = {0, 2};
        const char *g[2] = {vg[v], vg[1 - v]};
        f1[n1++] = (sdb_dvi_option){3, 2, {v, 1 - v}, {0, 1}, option_lr(p1, f, o1, 2, at, g)};
    }
    int at3[1] = {2};
    const char *g3[1] = {vg[2]};
    f2[0] = (sdb_dvi_option){4, 1, {2}, {2}, option_lr(p2, f, o2, 1, at3, g3)};
    const sdb_dvi_option *opts[2] = {f1, f2};
    const int n_opt[2] = {n1, 1};
    sdb_dvi_assignment top[12];
    double marginal[3 * 4];
    int n, have;
    sdb_diag d;
    assert_int_equal(sdb_dvi_solve(3, 3, 2, opts, n_opt, 12, top, &n, marginal, &have, &d), SDB_OK);
    assert_int_equal(n, 10); /* every assignment: the rest are excluded */
    const double want[10] = {250, 50, 25, 5, 5, 5, 5, 1, 1, 1};
    double sum = 0;
    for (int i = 0; i < 10; i++) {
        assert_rel(pow(10, top[i].log10_lr), want[i], 1e-9, "jointDVI LR");
        sum += want[i];
    }
    assert_int_equal(top[0].missing_of[0], 0);
    assert_int_equal(top[0].missing_of[1], 1);
    assert_int_equal(top[0].missing_of[2], 2);
    assert_true(have);
    assert_rel(top[0].posterior, 250 / sum, 1e-9, "posterior");
    const double bm[12] = {0.87931034, 0, 0, 0.12068966, 0.01724138, 0.94827586, 0, 0.03448276,
                           0, 0, 0.83333333, 0.16666667};
    for (int i = 0; i < 12; i++)
        if (fabs(marginal[i] - bm[i]) > 1e-8) fail_msg("Bmarginal %d: %.10f, want %.8f", i, marginal[i], bm[i]);
    /* top 3 only: the same three, found by branch and bound */
    assert_int_equal(sdb_dvi_solve(3, 3, 2, opts, n_opt, 3, top, &n, marginal, &have, &d), SDB_OK);
    assert_int_equal(n, 3);
    assert_rel(pow(10, top[2].log10_lr), 25, 1e-9, "third");
    sdb_pedlik_free(p1);
    sdb_pedlik_free(p2);
    sdb_freq_free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_four_types_vs_brute_force),
        cmocka_unit_test(test_hand_values),
        cmocka_unit_test(test_po_with_mutation_vs_kinship),
        cmocka_unit_test(test_pedprobr_vectors),
        cmocka_unit_test(test_loops),
        cmocka_unit_test(test_theta_and_table),
        cmocka_unit_test(test_dropout_silent),
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_fam_reader),
        cmocka_unit_test(test_dvi_example2),
        cmocka_unit_test(test_fam_dvi_planecrash),
    };
    return cmocka_run_group_tests_name("pedlik", tests, setup, teardown);
}
