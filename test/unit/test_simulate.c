/* The simulator: Mendelian consistency of every trio, Y haplotypes that
 * differ from the father's exactly by the recorded mutations, identical
 * output with 1 and 2 threads, and at 100,000 persons the statistical
 * checks: per-locus Y mutations per meiosis inside the binomial 99% interval
 * of the catalog rate, founder allele counts consistent with the table
 * (chi-square p > 0.001 per locus). */
#include <math.h>

#include "unit.h"

static const sdb_catalog *cat;
static sdb_freq *nist;

static int setup(void **state)
{
    cat = sdb_catalog_default();
    if (sdb_init() || sdb_freq_builtin_nist1036(&nist, cat)) return -1;
    return 0;
}

static int teardown(void **state)
{
    sdb_freq_free(nist);
    return 0;
}

/* Everything the checks need about one person, kept by generation index. */
typedef struct rec {
    uint64_t father, mother;
    int male, y_mut, n_y, n_a;
    sdb_allele y[40]; /* Y alleles in profile order */
    uint16_t y_locus[40];
    sdb_allele a[40][2]; /* autosomal: per locus, the two alleles (homozygote repeated) */
    uint16_t a_locus[40];
} rec;

typedef struct collect {
    rec *r[64]; /* per generation */
    long n[64], cap[64];
    uint64_t digest;
} collect;

static void fill_rec(rec *x, const sdb_sim_person *p)
{
    x->father = p->father;
    x->mother = p->mother;
    x->male = p->male;
    x->y_mut = p->y_mutations;
    x->n_y = x->n_a = 0;
    if (p->y)
        for (int i = 0; i < p->y->n_calls; i++)
            for (uint32_t k = 0; k < p->y->calls[i].n; k++) {
                x->y_locus[x->n_y] = p->y->calls[i].locus;
                x->y[x->n_y++] = p->y->alleles[p->y->calls[i].first + k];
            }
    if (p->autosomal)
        for (int i = 0; i < p->autosomal->n_calls; i++) {
            const sdb_call *c = &p->autosomal->calls[i];
            x->a_locus[x->n_a] = c->locus;
            x->a[x->n_a][0] = p->autosomal->alleles[c->first];
            x->a[x->n_a][1] = p->autosomal->alleles[c->first + c->n - 1];
            x->n_a++;
        }
}

static int on_person(void *arg, const sdb_sim_person *p)
{
    collect *c = arg;
    int g = p->generation;
    if (c->n[g] == c->cap[g]) {
        c->cap[g] = c->cap[g] ? 2 * c->cap[g] : 1024;
        c->r[g] = realloc(c->r[g], (size_t)c->cap[g] * sizeof *c->r[g]);
    }
    rec *x = &c->r[g][c->n[g]++];
    fill_rec(x, p);
    /* order-sensitive digest of everything the callback sees */
    c->digest = sdb_sim_hash(c->digest, p->id, p->father ^ (p->mother << 1), (uint64_t)p->male);
    for (int i = 0; i < x->n_y; i++)
        c->digest = sdb_sim_hash(c->digest, 1, x->y_locus[i], x->y[i]);
    for (int i = 0; i < x->n_a; i++)
        c->digest = sdb_sim_hash(c->digest, x->a_locus[i], x->a[i][0], x->a[i][1]);
    return 0;
}

static void free_collect(collect *c)
{
    for (int g = 0; g < 64; g++)
        free(c->r[g]);
    memset(c, 0, sizeof *c);
}

static const rec *lookup(const collect *c, uint64_t id)
{
    int g = (int)(id >> 40);
    long i = (long)(id & ((1ULL << 40) - 1));
    return g < 64 && i < c->n[g] ? &c->r[g][i] : NULL;
}

static void run(collect *c, long founders, int gens, int threads, double shape)
{
    sdb_sim_opts o;
    sdb_sim_opts_init(&o);
    o.seed = 42;
    o.founders = founders;
    o.generations = gens;
    o.growth = 0.02;
    o.family_shape = shape;
    o.y_kit = "Yfiler Plus";
    o.autosomal_kit = "CODIS 20";
    o.freq = nist;
    o.pop = sdb_freq_find_population(nist, "Cauc");
    o.threads = threads;
    sdb_diag d;
    memset(c, 0, sizeof *c);
    if (sdb_simulate(cat, &o, on_person, c, &d)) fail_msg("simulate: %s", d.reason);
}

/* Copies changed between a father's and a son's Y haplotype, each change
 * one or two steps. Copies of a multi-copy locus are stored sorted, so they
 * are matched in the way that changes the fewest (all orders tried). */
static int y_changes(const rec *son, const rec *father)
{
    int total = 0;
    for (int k = 0; k < son->n_y;) {
        int n = 1;
        while (k + n < son->n_y && son->y_locus[k + n] == son->y_locus[k])
            n++;
        int best = 99, perm[4] = {0, 1, 2, 3};
        for (int round = 0; round < 24; round++) {
            int changed = 0, ok = 1;
            for (int i = 0; i < n; i++) {
                int diff = abs(son->y[k + i] - father->y[k + perm[i]]);
                ok &= diff == 0 || diff == 10 || diff == 20;
                changed += diff != 0;
            }
            if (ok && changed < best) best = changed;
            /* next permutation of perm[0..n) */
            int i = n - 2;
            while (i >= 0 && perm[i] > perm[i + 1])
                i--;
            if (i < 0) break;
            int j = n - 1;
            while (perm[j] < perm[i])
                j--;
            int t = perm[i];
            perm[i] = perm[j];
            perm[j] = t;
            for (int a = i + 1, b = n - 1; a < b; a++, b--) {
                t = perm[a];
                perm[a] = perm[b];
                perm[b] = t;
            }
        }
        total += best;
        k += n;
    }
    return total;
}

static int has(const sdb_allele *pair, sdb_allele a)
{
    return pair[0] == a || pair[1] == a;
}

static void test_mendel_and_y(void **state)
{
    collect c;
    run(&c, 600, 6, 1, 1.0);
    long trios = 0, sons = 0;
    for (int g = 1; g <= 6; g++)
        for (long i = 0; i < c.n[g]; i++) {
            const rec *x = &c.r[g][i], *f = lookup(&c, x->father), *m = lookup(&c, x->mother);
            assert_non_null(f);
            assert_non_null(m);
            assert_true(f->male && !m->male);
            for (int k = 0; k < x->n_a; k++) {
                const sdb_allele *ca = x->a[k];
                int ok = (has(f->a[k], ca[0]) && has(m->a[k], ca[1])) ||
                         (has(f->a[k], ca[1]) && has(m->a[k], ca[0]));
                if (!ok)
                    fail_msg("generation %d person %ld: not Mendelian at locus %u", g, i,
                             x->a_locus[k]);
            }
            trios++;
            if (!x->male) continue;
            /* the son's Y = the father's but for y_mut single- or two-step changes */
            assert_int_equal(x->n_y, f->n_y);
            assert_int_equal(y_changes(x, f), x->y_mut);
            sons++;
        }
    assert_true(trios > 3000 && sons > 1000);
    free_collect(&c);
}

static void test_same_seed_any_threads(void **state)
{
    collect c;
    uint64_t digest[3];
    for (int t = 1; t <= 3; t++) {
        run(&c, 800, 4, t, 0.5);
        digest[t - 1] = c.digest;
        free_collect(&c);
    }
    assert_true(digest[0] == digest[1]);
    assert_true(digest[0] == digest[2]);
}

/* Upper regularized gamma Q(a, x) for the chi-square p-value. */
static double gamma_q(double a, double x)
{
    if (x <= 0) return 1;
    double ln = a * log(x) - x - lgamma(a);
    if (x < a + 1) { /* series for P */
        double sum = 1 / a, term = sum;
        for (int n = 1; n < 1000 && fabs(term) > 1e-15 * fabs(sum); n++) {
            term *= x / (a + n);
            sum += term;
        }
        return 1 - exp(ln) * sum;
    }
    double b = x + 1 - a, c = 1e300, d = 1 / b, h = d; /* continued fraction for Q */
    for (int i = 1; i < 1000; i++) {
        double an = -i * (i - a);
        b += 2;
        d = an * d + b;
        d = fabs(d) < 1e-300 ? 1e300 : 1 / d;
        c = b + an / c;
        if (fabs(c) < 1e-300) c = 1e-300;
        double del = d * c;
        h *= del;
        if (fabs(del - 1) < 1e-15) break;
    }
    return exp(ln) * h;
}

/* 100,000 persons: Y mutation rates and founder allele frequencies. */
static void test_statistics_100k(void **state)
{
    collect c;
    run(&c, 20000, 4, 2, 0); /* 20,000 x (1 + 1.02 + ... ) ~ 104,000 persons */
    long persons = 0;
    for (int g = 0; g <= 4; g++)
        persons += c.n[g];
    assert_true(persons >= 100000);
    /* Y: per locus copy, mutations over father-son transmissions */
    const rec *any = NULL;
    for (long i = 0; i < c.n[1] && !any; i++)
        if (c.r[1][i].male) any = &c.r[1][i];
    long meioses = 0, mutations[40] = {0};
    for (int g = 1; g <= 4; g++)
        for (long i = 0; i < c.n[g]; i++) {
            const rec *x = &c.r[g][i];
            if (!x->male) continue;
            const rec *f = lookup(&c, x->father);
            meioses++;
            for (int k = 0; k < x->n_y; k++)
                mutations[k] += x->y[k] != f->y[k];
        }
    int outside = 0;
    for (int k = 0; k < any->n_y; k++) {
        double mu = sdb_catalog_by_id(cat, any->y_locus[k])->mutation_rate;
        double mean = mu * (double)meioses, sd = sqrt(mean * (1 - mu));
        /* binomial 99% interval, normal approximation (mean >= 50 here) */
        if (fabs((double)mutations[k] - mean) > 2.576 * sd + 0.5) outside++;
    }
    /* 31 copies at 99% each: 0 or 1 outside is expected; 3 or more would not be */
    assert_true(outside <= 2);
    /* founders: allele counts against the table, categories with expected >= 5 */
    int cauc = sdb_freq_find_population(nist, "Cauc");
    for (int k = 0; k < c.r[0][0].n_a; k++) {
        unsigned locus = c.r[0][0].a_locus[k];
        int n_al = sdb_freq_locus_alleles(nist, cauc, locus);
        double total = 0, chi = 0, pool_obs = 0, pool_exp = 0;
        long count[128] = {0};
        for (long i = 0; i < c.n[0]; i++)
            for (int h = 0; h < 2; h++)
                for (int j = 0; j < n_al; j++) {
                    sdb_allele a;
                    double p;
                    if (!sdb_freq_locus_allele(nist, cauc, locus, j, &a, &p) &&
                        a == c.r[0][i].a[k][h])
                        count[j]++;
                }
        for (int j = 0; j < n_al; j++) {
            sdb_allele a;
            double p;
            if (!sdb_freq_locus_allele(nist, cauc, locus, j, &a, &p)) total += p;
        }
        int df = -1;
        for (int j = 0; j < n_al; j++) {
            sdb_allele a;
            double p;
            if (sdb_freq_locus_allele(nist, cauc, locus, j, &a, &p)) continue;
            double e = p / total * 2.0 * (double)c.n[0];
            if (e < 5) {
                pool_obs += (double)count[j];
                pool_exp += e;
                continue;
            }
            chi += ((double)count[j] - e) * ((double)count[j] - e) / e;
            df++;
        }
        if (pool_exp > 0) {
            chi += (pool_obs - pool_exp) * (pool_obs - pool_exp) / pool_exp;
            df++;
        }
        double pval = gamma_q(df / 2.0, chi / 2.0);
        if (pval <= 0.001)
            fail_msg("locus %u: chi-square %.2f, df %d, p %.2g", locus, chi, df, pval);
    }
    free_collect(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mendel_and_y),
        cmocka_unit_test(test_same_seed_any_threads),
        cmocka_unit_test(test_statistics_100k),
    };
    return cmocka_run_group_tests_name("simulate", tests, setup, teardown);
}
