/* Statistics against published values: all 120 NRC II 4.10 rows of the
 * positive controls, the applicable upstream (forrel/pedprobr) vectors, the
 * 2800M 20-locus RMP, the frequency table layouts, Y counting and kappa, and
 * the calibration of the meioses posterior on simulated father-son chains. */
#include <math.h>

#include "unit.h"

#define KA SDB_TEST_DATA "/known-answers/"
#define FREQ SDB_TEST_DATA "/frequencies/"

static const sdb_catalog *cat;

static int setup(void **state)
{
    cat = sdb_catalog_default();
    return sdb_init();
}

static void assert_rel(double got, double want, double tol, const char *what)
{
    double err = want == 0 ? fabs(got) : fabs(got - want) / fabs(want);
    if (!(err <= tol)) fail_msg("%s: got %.15g, want %.15g (rel err %.3g)", what, got, want, err);
}

static sdb_freq *load(const char *path)
{
    sdb_freq *f = NULL;
    sdb_diag d;
    if (sdb_freq_load(&f, path, cat, 0, &d)) fail_msg("%s: %s", path, d.reason);
    return f;
}

static sdb_freq *load_text(const char *name, const char *text)
{
    sdb_freq *f = NULL;
    sdb_diag d;
    if (sdb_freq_load_mem(&f, name, text, strlen(text), cat, 0, &d))
        fail_msg("%s: %s", name, d.reason);
    return f;
}

static void genotype(sdb_profile *p, const char *g)
{
    sdb_diag d;
    if (sdb_genotype_parse(p, cat, g, &d)) fail_msg("%s: %s", g, d.reason);
}

/* All 120 rows: the formula with the row's own frequencies, and sdb_rmp
 * per locus with the NIST 1036 Caucasian table. */
static void test_nrc2_410_positive_controls(void **state)
{
    char *text = read_file(KA "match_prob_NRCII_4.10_positive_controls.csv", NULL);
    assert_non_null(text);
    sdb_freq *f = load(FREQ "NIST1036freqs.csv");
    int cauc = sdb_freq_find_population(f, "Cauc"), rows = 0;
    assert_true(cauc >= 0);
    sdb_profile p;
    sdb_profile_init(&p);
    char *save, *line = strtok_r(text, "\n", &save); /* header */
    while ((line = strtok_r(NULL, "\n", &save))) {
        char control[16], locus[32], gt[32], freqs[128];
        double theta, want;
        if (sscanf(line, "%15[^,],%31[^,],%31[^,],%lf,%127[^,],%lf", control, locus, gt, &theta,
                   freqs, &want) != 6)
            fail_msg("bad row: %s", line);
        double fr[2];
        int nf = sscanf(freqs, "%*[^=]=%lf;%*[^=]=%lf", &fr[0], &fr[1]);
        int hom = nf == 1;
        assert_rel(sdb_match_probability(fr[0], hom ? fr[0] : fr[1], hom, theta), want, 1e-9, line);
        char g[80];
        snprintf(g, sizeof g, "%s=%s", locus, gt);
        genotype(&p, g);
        sdb_locus_stat st[2];
        int n;
        double total;
        sdb_diag d;
        assert_int_equal(sdb_rmp(f, cauc, &p, theta, st, &n, &total, &d), SDB_OK);
        assert_rel(total, want, 1e-9, g);
        rows++;
    }
    assert_int_equal(rows, 120);
    sdb_profile_free(&p);
    sdb_freq_free(f);
    free(text);
}

static const char *g2800m =
    "D3S1358=17/18;vWA=16/19;D16S539=9/13;CSF1PO=12;TPOX=11;D8S1179=14/15;D21S11=29/31.2;"
    "D18S51=16/18;TH01=6/9.3;FGA=20/23;D5S818=12;D13S317=9/11;D7S820=8/11;D2S1338=22/25;"
    "D19S433=13/14;D1S1656=12/13;D12S391=18/23;D2S441=10/14;D10S1248=13/15;D22S1045=16";

static void test_2800m_20_loci(void **state)
{
    sdb_freq *f = load(FREQ "NIST1036freqs.csv");
    sdb_profile p;
    sdb_profile_init(&p);
    genotype(&p, g2800m);
    sdb_locus_stat st[32];
    int n;
    double total;
    sdb_diag d;
    int cauc = sdb_freq_find_population(f, "Cauc");
    assert_int_equal(sdb_rmp(f, cauc, &p, 0, st, &n, &total, &d), SDB_OK);
    assert_int_equal(n, 20);
    assert_rel(total, 5.625923e-26, 1e-6, "2800M theta 0");
    assert_int_equal(sdb_rmp(f, cauc, &p, 0.03, st, &n, &total, &d), SDB_OK);
    assert_rel(total, 1.166860e-23, 1e-6, "2800M theta 0.03");
    sdb_profile_free(&p);
    sdb_freq_free(f);
}

/* A two-allele table in Familias layout: allele "1" freq p, "2" freq q. */
static sdb_freq *two_allele_table(double p, double q)
{
    static char text[256];
    snprintf(text, sizeof text, "TH01\n1\t%.17g\n2\t%.17g\n\nFGA\n1\t%.17g\n2\t%.17g\n", p, q, p,
             q);
    return load_text("two.txt", text);
}

static double lr(sdb_freq *f, sdb_relationship rel, const char *a, const char *b, double theta,
                 const sdb_mutation *mut)
{
    sdb_profile pa, pb;
    sdb_profile_init(&pa);
    sdb_profile_init(&pb);
    genotype(&pa, a);
    genotype(&pb, b);
    sdb_locus_stat st[8];
    int n;
    double total;
    sdb_diag d;
    int rc = sdb_kinship_lr(f, 0, rel, &pa, &pb, theta, mut, st, &n, &total, &d);
    if (rc) fail_msg("kinship: %s", d.reason);
    sdb_profile_free(&pa);
    sdb_profile_free(&pb);
    return total;
}

static int pi(sdb_freq *f, const char *m, const char *c, const char *af, const sdb_mutation *mut,
              double *total)
{
    sdb_profile pm, pc, pf;
    sdb_profile_init(&pm);
    sdb_profile_init(&pc);
    sdb_profile_init(&pf);
    genotype(&pm, m);
    genotype(&pc, c);
    genotype(&pf, af);
    sdb_locus_stat st[8];
    int n;
    sdb_diag d;
    int rc = sdb_paternity_index(f, 0, &pm, &pc, &pf, mut, st, &n, total, &d);
    sdb_profile_free(&pm);
    sdb_profile_free(&pc);
    sdb_profile_free(&pf);
    return rc;
}

/* upstream_test_vectors.csv rows that this API covers (U13, a three-
 * generation pedigree likelihood, needs pedigree peeling: not here). */
static void test_upstream_vectors(void **state)
{
    sdb_mutation none;
    sdb_mutation_init(&none);
    /* U1, U2: paternity duo, father A/A child A/A: 1/p(A) */
    sdb_freq *f = two_allele_table(0.05, 0.95);
    assert_rel(lr(f, SDB_REL_PO, "TH01=1/1", "TH01=1/1", 0, &none), 20, 1e-9, "U1");
    sdb_freq_free(f);
    f = two_allele_table(0.1, 0.9);
    assert_rel(lr(f, SDB_REL_PO, "TH01=1/1", "TH01=1/1", 0, &none), 10, 1e-9, "U2/U4");
    sdb_freq_free(f);
    /* U3: two loci, product rule (p = 0.05 at one, 0.1 at the other) */
    f = load_text("u3.txt", "TH01\n1\t0.05\n2\t0.95\n\nFGA\n1\t0.1\n2\t0.9\n");
    assert_rel(lr(f, SDB_REL_PO, "TH01=1;FGA=1", "TH01=1;FGA=1", 0, &none), 200, 1e-9, "U3");
    sdb_freq_free(f);
    /* U5-U8: genotype probabilities */
    assert_rel(sdb_genotype_probability(0.3, 0.3, 1, 0.01), 0.0921, 1e-9, "U5");
    assert_rel(sdb_genotype_probability(0.1, 0.1, 1, 0), 0.01, 1e-9, "U6");
    assert_rel(sdb_genotype_probability(0.1, 0.9, 0, 0), 0.18, 1e-9, "U7");
    assert_rel(sdb_genotype_probability(0.1, 0.1, 1, 0) * sdb_genotype_probability(0.9, 0.9, 1, 0),
               0.0081, 1e-9, "U8");
    /* U9: father 1/1, mother 1/1, child 2/2: impossible without mutation */
    f = two_allele_table(0.1, 0.9);
    double total;
    assert_int_equal(pi(f, "TH01=1", "TH01=2", "TH01=1", &none, &total), SDB_EINVAL);
    sdb_freq_free(f);
    /* U10: trio all 1/2, p=0.2: joint = P(F)P(M) PI P(C|M,random) = 0.0512 */
    f = two_allele_table(0.2, 0.8);
    assert_int_equal(pi(f, "TH01=1/2", "TH01=1/2", "TH01=1/2", &none, &total), SDB_OK);
    assert_rel(0.32 * 0.32 * total * (0.5 * 0.8 + 0.5 * 0.2), 0.0512, 1e-9, "U10");
    /* U11: duo both 1/2: joint P(F) LR P(C) = p q */
    assert_rel(0.32 * lr(f, SDB_REL_PO, "TH01=1/2", "TH01=1/2", 0, &none) * 0.32, 0.16, 1e-9,
               "U11");
    /* U12: full siblings both 2/2, q=0.8: LR = 0.5184 / q^4 = 1.265625 */
    assert_rel(lr(f, SDB_REL_FS, "TH01=2", "TH01=2", 0, &none), 1.265625, 1e-9, "U12");
    sdb_freq_free(f);
    /* U14: partial genotype 2/-, p(1)=0.8, p(2)=0.2: 2pq + q^2 = 0.36 */
    f = two_allele_table(0.8, 0.2);
    sdb_profile p;
    sdb_profile_init(&p);
    genotype(&p, "TH01=2/*");
    sdb_locus_stat st[4];
    int n;
    sdb_diag d;
    assert_int_equal(sdb_rmp(f, 0, &p, 0, st, &n, &total, &d), SDB_OK);
    assert_rel(total, 0.36, 1e-9, "U14");
    sdb_profile_free(&p);
    sdb_freq_free(f);
    /* U15: trio, equal model rate 0.1, parents 1/1, child 2/2, p(1)=0.9:
     * joint p^4 rr^2 = 0.006561 = P(F) P(M) PI P(C|M,random) */
    f = two_allele_table(0.9, 0.1);
    sdb_mutation eq = none;
    eq.kind = SDB_MUT_EQUAL;
    eq.rate = 0.1;
    assert_int_equal(pi(f, "TH01=1", "TH01=2", "TH01=1", &eq, &total), SDB_OK);
    assert_rel(0.81 * 0.81 * total * (0.1 * 0.1), 0.006561, 1e-9, "U15");
    /* U16: duo, proportional model rate 0.1 (1->2 = 0.0555556): joint 0.0045 */
    sdb_mutation prop = none;
    prop.kind = SDB_MUT_PROPORTIONAL;
    prop.rate = 0.1;
    assert_rel(0.81 * lr(f, SDB_REL_PO, "TH01=1", "TH01=2", 0, &prop) * 0.01, 0.0045, 1e-9, "U16");
    sdb_freq_free(f);
    /* U17: exclusion power, nobody typed: 2 p^2 q^2 */
    double fr[2] = {0.1, 0.9};
    assert_rel(sdb_exclusion_power(fr, 2), 0.0162, 1e-9, "U17");
    /* U18: child typed 1/1, afreq 0.5, 0.3, 0.2: (1 - p1)^2 */
    double fr3[3] = {0.5, 0.3, 0.2};
    assert_rel(sdb_exclusion_power_given_child(fr3, 0, 0), 0.25, 1e-9, "U18");
    /* U19: parents 1/1 and 2/2: a random child is excluded unless 1/2: 1 - 2 p1 p2 */
    int mo[2] = {0, 0}, fa[2] = {1, 1};
    assert_rel(sdb_exclusion_power_of_child(fr3, mo, fa), 0.7, 1e-9, "U19");
    /* U20: inbred founder F = 0.25: homozygote F p + (1-F) p^2, heterozygote (1-F) 2pq */
    assert_rel(sdb_genotype_probability_inbred(0.1, 0.1, 1, 0.25), 0.0325, 1e-9, "U20");
    assert_rel(sdb_genotype_probability_inbred(0.1, 0.9, 0, 0.25), 0.135, 1e-9, "U20 het");
}

/* Item 2 of the missing-persons issue: with the table taken as given
 * (--min-freq none), strdb's parent-offspring LRs with each mutation model
 * equal pedmut's: the matrix over the Cauc allele list of the NIST 1036
 * table at the locus, M built by pedmut's mutationMatrix() formulas (the
 * expected values were derived from those formulas independently of this
 * code, rate 0.005, rate2 1e-6, range 0.1); LR = sum over the child's
 * ordered alleles (x from the parent, y random) T(x | parent) p_y / P(child).
 * Under the default 5/2N the rare TH01 alleles 5 and 11 are raised, which
 * changes the proportional model (its alpha sums over p(1 - p)). */
static void test_kinship_pedmut(void **state)
{
    sdb_freq *f = load(FREQ "NIST1036freqs.csv");
    int cauc = sdb_freq_find_population(f, "Cauc");
    static const struct {
        const char *a, *b;
        double lr[3]; /* equal, proportional, stepwise */
    } cases[] = {
        {"TH01=6/9.3", "TH01=7/8", {0.005578896776101747, 0.0065391331399841475, 0.0036737138680402325}},
        {"TH01=9.3/9.3", "TH01=10/10", {0.085952380952381, 0.006539133139984147, 1.71904761904762e-05}},
        {"D21S11=30/31.2", "D21S11=28/32.2",
         {0.0028976588628762535, 0.006032458004101223, 0.006636662231531104}},
        {"FGA=20/22", "FGA=21/23", {0.002338564536238958, 0.005818317379812844, 0.01004185984602113}},
    };
    sdb_freq_set_minimum(f, SDB_MIN_NONE, 0);
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++)
        for (int k = 0; k < 3; k++) {
            sdb_mutation m;
            sdb_mutation_init(&m);
            m.kind = (sdb_mutation_kind)(SDB_MUT_EQUAL + k);
            m.rate = 0.005;
            sdb_profile pa, pb;
            sdb_profile_init(&pa);
            sdb_profile_init(&pb);
            genotype(&pa, cases[c].a);
            genotype(&pb, cases[c].b);
            sdb_locus_stat st[2];
            int n;
            double total;
            sdb_diag d;
            assert_int_equal(sdb_kinship_lr(f, cauc, SDB_REL_PO, &pa, &pb, 0, &m, st, &n, &total, &d),
                             SDB_OK);
            assert_rel(total, cases[c].lr[k], 1e-12, cases[c].a);
            sdb_profile_free(&pa);
            sdb_profile_free(&pb);
        }
    /* the stepwise matrix of D21S11 (16 Cauc alleles, 9 integer, 7 .2): entries */
    const sdb_locus *d21 = sdb_catalog_find(cat, "D21S11", 6);
    int n = sdb_freq_locus_alleles(f, cauc, d21->id);
    assert_int_equal(n, 16);
    sdb_allele al[16];
    double p[16], M[256];
    for (int i = 0; i < n; i++)
        assert_int_equal(sdb_freq_locus_allele(f, cauc, d21->id, i, &al[i], &p[i]), SDB_OK);
    sdb_mutation sw;
    sdb_mutation_init(&sw);
    sw.kind = SDB_MUT_STEPWISE;
    sw.rate = 0.005;
    assert_int_equal(sdb_mutation_matrix(&sw, al, p, n, M), SDB_OK);
    static const struct {
        sdb_allele from, to;
        double want;
    } e[] = {{300, 300, 0.994999},           {300, 310, 0.002252140659697042},
             {300, 320, 0.00022521406596970423}, {300, 312, 1.4285714285714285e-07},
             {312, 322, 0.002262433201659712}, {312, 312, 0.994999}};
    for (size_t k = 0; k < sizeof e / sizeof *e; k++) {
        int i = -1, j = -1;
        for (int x = 0; x < n; x++) {
            if (al[x] == e[k].from) i = x;
            if (al[x] == e[k].to) j = x;
        }
        assert_true(i >= 0 && j >= 0);
        assert_rel(M[i * n + j], e[k].want, 1e-12, "stepwise entry");
    }
    for (int i = 0; i < n; i++) { /* rows sum to 1 */
        double sum = 0;
        for (int j = 0; j < n; j++)
            sum += M[i * n + j];
        assert_rel(sum, 1, 1e-12, "row sum");
    }
    /* equal and proportional, every entry against the formulas */
    double h = 0;
    for (int i = 0; i < n; i++)
        h += p[i] * (1 - p[i]);
    for (int k = 0; k < 2; k++) {
        sdb_mutation m = sw;
        m.kind = k ? SDB_MUT_PROPORTIONAL : SDB_MUT_EQUAL;
        assert_int_equal(sdb_mutation_matrix(&m, al, p, n, M), SDB_OK);
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) {
                double alpha = 0.005 / h;
                double want = k == 0 ? (i == j ? 0.995 : 0.005 / 15)
                                     : (i == j ? 1 - alpha : 0) + alpha * p[j];
                assert_rel(M[i * n + j], want, 1e-12, "equal/proportional entry");
            }
    }
    /* the default rule raises the rare TH01 alleles, and says so */
    char buf[32];
    assert_string_equal(sdb_freq_minimum_text(f, buf, sizeof buf), "none");
    sdb_freq_set_minimum(f, SDB_MIN_NRC, 0);
    assert_string_equal(sdb_freq_minimum_text(f, buf, sizeof buf), "5/2N");
    sdb_mutation pr;
    sdb_mutation_init(&pr);
    pr.kind = SDB_MUT_PROPORTIONAL;
    pr.rate = 0.005;
    double raised = lr(f, SDB_REL_PO, "TH01=6/9.3", "TH01=7/8", 0, &pr);
    assert_true(fabs(raised / 0.0065391331399841475 - 1) > 1e-3);
    sdb_freq_free(f);
}

/* --min-freq none|5/2N|F: parsing and each rule's frequency. */
static void test_min_freq_rules(void **state)
{
    sdb_min_rule r;
    double v;
    assert_int_equal(sdb_min_rule_parse("none", &r, &v), SDB_OK);
    assert_int_equal(r, SDB_MIN_NONE);
    assert_int_equal(sdb_min_rule_parse("5/2N", &r, &v), SDB_OK);
    assert_int_equal(r, SDB_MIN_NRC);
    assert_int_equal(sdb_min_rule_parse("0.002", &r, &v), SDB_OK);
    assert_int_equal(r, SDB_MIN_FIXED);
    assert_rel(v, 0.002, 1e-15, "F");
    const char *bad[] = {"", "0", "1.5", "-0.1", "5/2n", "0.01x", "medium"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        assert_int_equal(sdb_min_rule_parse(bad[i], &r, &v), SDB_EINVAL);
    sdb_freq *f = load(FREQ "NIST1036freqs.csv");
    int cauc = sdb_freq_find_population(f, "Cauc");
    const sdb_locus *th01 = sdb_catalog_find(cat, "TH01", 4);
    double p;
    int how;
    sdb_diag d;
    /* TH01 5: 0.00138504155124654 in the table, 5/2N = 5/722 */
    assert_int_equal(sdb_freq_get(f, cauc, th01, 50, &p, &how, &d), SDB_OK);
    assert_rel(p, 5.0 / 722, 1e-12, "5/2N");
    assert_int_equal(how, SDB_FREQ_MINIMUM);
    sdb_freq_set_minimum(f, SDB_MIN_NONE, 0);
    assert_int_equal(sdb_freq_get(f, cauc, th01, 50, &p, &how, &d), SDB_OK);
    assert_rel(p, 0.00138504155124654, 1e-12, "as given");
    assert_int_equal(how, SDB_FREQ_TABLE);
    assert_int_equal(sdb_freq_get(f, cauc, th01, 130, &p, &how, &d), SDB_EINVAL);
    assert_string_equal(d.field, "TH01");
    assert_non_null(strstr(d.reason, "allele 13 is not in the table"));
    sdb_freq_set_minimum(f, SDB_MIN_FIXED, 0.05);
    assert_int_equal(sdb_freq_get(f, cauc, th01, 50, &p, &how, &d), SDB_OK);
    assert_rel(p, 0.05, 1e-12, "F");
    assert_int_equal(sdb_freq_get(f, cauc, th01, 130, &p, &how, &d), SDB_OK);
    assert_rel(p, 0.05, 1e-12, "F unseen");
    assert_int_equal(sdb_freq_get(f, cauc, th01, 60, &p, &how, &d), SDB_OK);
    assert_rel(p, 0.235457063711911, 1e-12, "common allele unchanged");
    sdb_freq_free(f);
}

static void test_kinship_properties(void **state)
{
    sdb_freq *f = load(FREQ "NIST1036freqs.csv");
    int cauc = sdb_freq_find_population(f, "Cauc");
    sdb_mutation none, step;
    sdb_mutation_init(&none);
    sdb_mutation_init(&step);
    step.kind = SDB_MUT_STEPWISE;
    step.rate = 0.002;
    sdb_profile a, b;
    sdb_profile_init(&a);
    sdb_profile_init(&b);
    genotype(&a, "TH01=6/9.3;FGA=21/22");
    genotype(&b, "TH01=6/8;FGA=23/24"); /* FGA excludes paternity */
    sdb_locus_stat st[4];
    int n;
    double t0, t1, t2;
    sdb_diag d;
    assert_int_equal(sdb_kinship_lr(f, cauc, SDB_REL_PO, &a, &b, 0, &none, st, &n, &t0, &d),
                     SDB_OK);
    assert_true(t0 == 0);
    assert_int_equal(sdb_kinship_lr(f, cauc, SDB_REL_PO, &a, &b, 0, &step, st, &n, &t1, &d),
                     SDB_OK);
    assert_true(t1 > 0 && t1 < 1); /* one step from 22 to 23: small but not zero */
    /* theta lowers the LR of a shared common allele */
    genotype(&b, "TH01=6/9.3;FGA=21/22");
    assert_int_equal(sdb_kinship_lr(f, cauc, SDB_REL_FS, &a, &b, 0, &none, st, &n, &t1, &d),
                     SDB_OK);
    assert_int_equal(sdb_kinship_lr(f, cauc, SDB_REL_FS, &a, &b, 0.03, &none, st, &n, &t2, &d),
                     SDB_OK);
    assert_true(t2 < t1 && t2 > 1);
    assert_int_equal(sdb_kinship_lr(f, cauc, SDB_REL_FS, &a, &b, 0, &step, st, &n, &t2, &d),
                     SDB_EINVAL); /* mutation models are for PO */
    sdb_profile_free(&a);
    sdb_profile_free(&b);
    sdb_freq_free(f);
}

static void test_tables(void **state)
{
    sdb_freq *f = load(FREQ "NIST1036freqs.csv");
    assert_int_equal(sdb_freq_n_populations(f), 4);
    assert_string_equal(sdb_freq_warnings(f), "");
    sdb_freq_free(f);
    f = load(FREQ "FBI2015freqs.csv");
    assert_int_equal(sdb_freq_n_populations(f), 12);
    sdb_freq_free(f);
    f = load(FREQ "FBI_extended_Cauc_022024.csv");
    assert_int_equal(sdb_freq_n_populations(f), 1);
    assert_string_equal(sdb_freq_population(f, 0), "FBI_extended_Cauc_022024");
    const sdb_locus *th01 = sdb_catalog_find(cat, "TH01", 4);
    double p;
    int how;
    sdb_diag d;
    assert_int_equal(sdb_freq_get(f, 0, th01, 93, &p, &how, &d), SDB_OK);
    assert_rel(p, 0.3045, 1e-9, "FBI extended TH01 9.3");
    /* an unseen allele gets 5/2N with N = 404 individuals */
    assert_int_equal(sdb_freq_get(f, 0, th01, 30, &p, &how, &d), SDB_OK);
    assert_int_equal(how, SDB_FREQ_MINIMUM);
    assert_rel(p, 5.0 / 808, 1e-12, "5/2N");
    sdb_freq_free(f);
    f = load(FREQ "strvalidator_database.txt");
    assert_int_equal(sdb_freq_n_populations(f), 2);
    assert_true(sdb_freq_find_population(f, "ESX 17 Hill") >= 0);
    sdb_freq_free(f);
    f = load(FREQ "NorwegianFrequencies.csv");
    assert_int_equal(sdb_freq_n_populations(f), 1);
    /* no allele counts: an unseen allele needs a minimum frequency */
    assert_int_equal(sdb_freq_get(f, 0, th01, 30, &p, &how, &d), SDB_EINVAL);
    assert_non_null(strstr(d.reason, "--min-freq"));
    sdb_freq_set_minimum(f, SDB_MIN_NRC, 0.001);
    assert_int_equal(sdb_freq_get(f, 0, th01, 30, &p, &how, &d), SDB_OK);
    assert_rel(p, 0.001, 1e-12, "min freq");
    sdb_freq_free(f);
}

static void test_bad_tables(void **state)
{
    sdb_freq *f = NULL;
    sdb_diag d;
    const char *off = "locus,allele,frequency\nTH01,6,0.5\nTH01,7,0.4\n";
    assert_int_equal(sdb_freq_load_mem(&f, "sum.csv", off, strlen(off), cat, 0, &d), SDB_OK);
    assert_non_null(strstr(sdb_freq_warnings(f), "sum to 0.900000"));
    sdb_freq_free(f);
    assert_int_equal(sdb_freq_load_mem(&f, "sum.csv", off, strlen(off), cat, 1, &d), SDB_EINVAL);
    assert_string_equal(d.field, "TH01");
    const char *unk = "locus,allele,frequency\nD99S1,6,1\n";
    assert_int_equal(sdb_freq_load_mem(&f, "u.csv", unk, strlen(unk), cat, 0, &d), SDB_EINVAL);
    assert_non_null(strstr(d.reason, "unknown locus"));
    assert_int_equal(d.line, 2);
    const char *bad = "locus,allele,frequency\nTH01,6,1.5\n";
    assert_int_equal(sdb_freq_load_mem(&f, "b.csv", bad, strlen(bad), cat, 0, &d), SDB_EINVAL);
    assert_string_equal(d.field, "frequency");
    const char *dup = "locus,allele,frequency\nTH01,6,0.5\nTH01,6,0.5\n";
    assert_int_equal(sdb_freq_load_mem(&f, "d.csv", dup, strlen(dup), cat, 0, &d), SDB_EINVAL);
    assert_int_equal(sdb_freq_load_mem(&f, "e.csv", "", 0, cat, 0, &d), SDB_EFORMAT);
}

static void test_clopper_pearson(void **state)
{
    /* x = 0: 1 - 0.05^(1/n) */
    assert_rel(sdb_clopper_pearson_upper(0, 19630, 0.95), 1 - pow(0.05, 1.0 / 19630), 1e-12,
               "CP x=0");
    /* x > 0: the bound p solves P(X <= x | n, p) = 0.05 */
    long n = 100, x = 5;
    double u = sdb_clopper_pearson_upper(x, n, 0.95), cdf = 0;
    for (long k = 0; k <= x; k++)
        cdf += exp(lgamma(n + 1.0) - lgamma(k + 1.0) - lgamma(n - k + 1.0) + k * log(u) +
                   (n - k) * log1p(-u));
    assert_rel(cdf, 0.05, 1e-9, "CP x=5 n=100");
    assert_true(u > 0.05 && u < 0.11);
    assert_true(sdb_clopper_pearson_upper(3, 3, 0.95) == 1.0);
}

static void test_yfreq_counts(void **state)
{
    static const char *haps[] = {
        "DYS19=14;DYS390=24;DYS385=11/14", "DYS19=14;DYS390=24;DYS385=11/14",
        "DYS19=15;DYS390=24;DYS385=11/14", "DYS19=14;DYS390=23;DYS385=11/14",
        "DYS19=14;DYS385=11/14" /* lacks DYS390: not counted */};
    sdb_profile p[5], q;
    const sdb_profile *refs[5];
    for (int i = 0; i < 5; i++) {
        sdb_profile_init(&p[i]);
        genotype(&p[i], haps[i]);
        refs[i] = &p[i];
    }
    sdb_profile_init(&q);
    genotype(&q, "DYS19=14;DYS390=24;DYS385=11/14");
    sdb_yfreq_result r;
    assert_int_equal(sdb_yfreq(&q, refs, 5, &r), SDB_OK);
    assert_int_equal(r.n, 4);
    assert_int_equal(r.matches, 2);
    assert_int_equal(r.singletons, 2);
    assert_rel(r.kappa, 0.5, 1e-12, "kappa");
    assert_rel(r.augmented, 3.0 / 5, 1e-12, "augmented");
    assert_rel(r.kappa_match_probability, 0.5 / 4, 1e-12, "kappa mp");
    for (int i = 0; i < 5; i++)
        sdb_profile_free(&p[i]);
    sdb_profile_free(&q);
}

/* Calibration: pairs of Yfiler Plus haplotypes separated by m meioses
 * (single-step mutations at the catalog rates) against the posterior. */
static void test_meioses_calibration(void **state)
{
    const char *start = "DYS576=18;DYS389I=13;DYS635=23;DYS389II=29;DYS627=21;DYS460=11;"
                        "DYS458=17;DYS19=14;YGATAH4=12;DYS448=19;DYS391=11;DYS456=15;DYS390=24;"
                        "DYS438=12;DYS392=13;DYS518=38;DYS570=18;DYS437=15;DYS385=11/14;"
                        "DYS449=30;DYS393=13;DYS439=12;DYS481=22;DYF387S1=35/38;DYS533=12";
    sdb_profile a, b;
    sdb_profile_init(&a);
    sdb_profile_init(&b);
    genotype(&a, start);
    srand(2026);
    static const int truth[] = {1, 2, 4, 8, 12};
    double post[41];
    FILE *table = getenv("SDB_CALIBRATION") ? stdout : NULL;
    if (table) printf("true m | mean mode | mean posterior | 95%% interval covers truth\n");
    double prev_mean = 0;
    for (size_t t = 0; t < sizeof truth / sizeof *truth; t++) {
        int covered = 0, runs = 400;
        double mode_sum = 0, mean_sum = 0;
        for (int run = 0; run < runs; run++) {
            assert_int_equal(sdb_profile_copy(&b, &a), SDB_OK);
            for (int m = 0; m < truth[t]; m++)
                for (int i = 0; i < b.n_calls; i++) {
                    const sdb_locus *l = sdb_catalog_by_id(cat, b.calls[i].locus);
                    for (uint32_t k = b.calls[i].first; k < b.calls[i].first + b.calls[i].n; k++)
                        if ((double)rand() / RAND_MAX < l->mutation_rate)
                            b.alleles[k] += rand() % 2 ? 10 : -10;
                }
            sdb_meioses_result r;
            sdb_diag d;
            assert_int_equal(sdb_meioses_posterior(cat, &a, &b, "Yfiler Plus", 40, post, &r, &d),
                             SDB_OK);
            covered += r.lower <= truth[t] && truth[t] <= r.upper;
            mode_sum += r.mode;
            mean_sum += r.mean;
        }
        double mean = mean_sum / runs, coverage = (double)covered / runs;
        if (table)
            printf("%6d | %9.2f | %14.2f | %.3f\n", truth[t], mode_sum / runs, mean, coverage);
        assert_true(mean > prev_mean); /* the estimate grows with the truth */
        assert_true(coverage >= 0.80);
        prev_mean = mean;
    }
    sdb_profile_free(&a);
    sdb_profile_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nrc2_410_positive_controls),
        cmocka_unit_test(test_2800m_20_loci),
        cmocka_unit_test(test_upstream_vectors),
        cmocka_unit_test(test_kinship_properties),
        cmocka_unit_test(test_kinship_pedmut),
        cmocka_unit_test(test_min_freq_rules),
        cmocka_unit_test(test_tables),
        cmocka_unit_test(test_bad_tables),
        cmocka_unit_test(test_clopper_pearson),
        cmocka_unit_test(test_yfreq_counts),
        cmocka_unit_test(test_meioses_calibration),
    };
    return cmocka_run_group_tests_name("stats", tests, setup, NULL);
}
