/* Kinship likelihood ratios from IBD coefficients, parent-child mutation
 * models, trio paternity index, exclusion power. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "stats_internal.h"

static const struct {
    const char *name;
    double kappa[3];
} relationships[] = {
    [SDB_REL_PO] = {"PO", {0, 1, 0}},     [SDB_REL_FS] = {"FS", {0.25, 0.5, 0.25}},
    [SDB_REL_HS] = {"HS", {0.5, 0.5, 0}}, [SDB_REL_GP] = {"GP", {0.5, 0.5, 0}},
    [SDB_REL_AV] = {"AV", {0.5, 0.5, 0}}, [SDB_REL_FC] = {"FC", {0.75, 0.25, 0}},
};

const char *sdb_relationship_name(sdb_relationship r)
{
    return (unsigned)r <= SDB_REL_FC ? relationships[r].name : "?";
}

int sdb_relationship_parse(const char *s, sdb_relationship *out)
{
    for (int i = 0; i <= SDB_REL_FC; i++)
        if (!strcmp(s, relationships[i].name)) {
            *out = (sdb_relationship)i;
            return SDB_OK;
        }
    return SDB_EINVAL;
}

void sdb_relationship_kappa(sdb_relationship r, double kappa[3])
{
    memcpy(kappa, relationships[r].kappa, sizeof relationships[r].kappa);
}

void sdb_mutation_init(sdb_mutation *m)
{
    memset(m, 0, sizeof *m);
    m->rate2 = 1e-6;
    m->range = 0.1;
}

int sdb_mutation_parse(const char *s, sdb_mutation_kind *out)
{
    static const char *names[] = {"none", "equal", "proportional", "stepwise"};
    for (int i = 0; i < 4; i++)
        if (!strcmp(s, names[i])) {
            *out = (sdb_mutation_kind)i;
            return SDB_OK;
        }
    return SDB_EINVAL;
}

/* The alleles a locus's mutation model works over: the table's alleles plus
 * any typed allele the table lacks (at its minimum frequency). */
typedef struct allele_set {
    sdb_allele a[256];
    double p[256];
    int n;
} allele_set;

static int set_add(allele_set *s, sdb_allele a, double p)
{
    for (int i = 0; i < s->n; i++)
        if (s->a[i] == a) return i;
    if (s->n == 256) return -1;
    s->a[s->n] = a;
    s->p[s->n] = p;
    return s->n++;
}

/* Mutation probability from allele i to allele j of s (pedmut-style models,
 * docs/statistics.md). */
static double mutation(const sdb_mutation *m, const allele_set *s, int i, int j)
{
    if (m->kind == SDB_MUT_NONE) return i == j;
    if (m->kind == SDB_MUT_EQUAL) return i == j ? 1 - m->rate : m->rate / (s->n - 1);
    if (m->kind == SDB_MUT_PROPORTIONAL) {
        double h = 0;
        for (int k = 0; k < s->n; k++)
            h += s->p[k] * (1 - s->p[k]);
        double alpha = m->rate / h;
        return i == j ? 1 - alpha * (1 - s->p[i]) : alpha * s->p[j];
    }
    /* stepwise: same fractional part -> geometric in steps, share `rate`;
     * other fractional part -> share `rate2` evenly. */
    double w_same = 0;
    int n_other = 0;
    for (int k = 0; k < s->n; k++) {
        if (k == i) continue;
        int steps = abs(s->a[k] - s->a[i]);
        if (steps % 10 == 0)
            w_same += pow(m->range, steps / 10 - 1);
        else
            n_other++;
    }
    double stay = 1 - (w_same > 0 ? m->rate : 0) - (n_other ? m->rate2 : 0);
    if (i == j) return stay;
    int steps = abs(s->a[j] - s->a[i]);
    if (steps % 10) return m->rate2 / n_other;
    return m->rate * pow(m->range, steps / 10 - 1) / w_same;
}

int sdb_mutation_matrix(const sdb_mutation *m, const sdb_allele *a, const double *p, int n,
                        double *out)
{
    if (n < 1 || n > 256 || !(m->rate >= 0 && m->rate <= 1) ||
        (m->kind == SDB_MUT_STEPWISE && !(m->rate2 >= 0 && m->rate + m->rate2 <= 1 && m->range > 0)))
        return SDB_EINVAL;
    allele_set s;
    s.n = n;
    memcpy(s.a, a, (size_t)n * sizeof *a);
    memcpy(s.p, p, (size_t)n * sizeof *p);
    sdb_mutation none;
    sdb_mutation_init(&none);
    const sdb_mutation *use = n == 1 ? &none : m;
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++)
            out[i * n + j] = mutation(use, &s, i, j);
    return SDB_OK;
}

/* Transmission probability T(x | parent g) = (M(g0 -> x) + M(g1 -> x)) / 2. */
static double transmit(const sdb_mutation *m, const allele_set *s, const int g[2], int x)
{
    return 0.5 * (mutation(m, s, g[0], x) + mutation(m, s, g[1], x));
}

/* Builds the allele set of locus l and the indexes of the genotypes' alleles. */
static int locus_alleles(const sdb_freq *f, int pop, const sdb_locus *l, const genotype2 *const *g,
                         int n_g, allele_set *s, int idx[][2], sdb_diag *d)
{
    s->n = 0;
    int k = sdb_freq_locus_alleles(f, pop, l->id);
    for (int i = 0; i < k && s->n < 256; i++) {
        sdb_allele a;
        double p, q;
        int how;
        if (sdb_freq_locus_allele(f, pop, l->id, i, &a, &p)) continue;
        if (sdb_freq_get(f, pop, l, a, &q, &how, NULL)) q = p;
        set_add(s, a, q);
    }
    for (int i = 0; i < n_g; i++)
        for (int j = 0; j < 2; j++) {
            double p;
            int how, rc = sdb_freq_get(f, pop, l, g[i]->a[j], &p, &how, d);
            if (rc) return rc;
            if ((idx[i][j] = set_add(s, g[i]->a[j], p)) < 0) return SDB_ENOMEM;
        }
    return SDB_OK;
}

/* LR of one locus for genotypes a, b (no wildcards). */
static int locus_kinship(const sdb_freq *f, int pop, const sdb_locus *l, const double kappa[3],
                         const genotype2 *a, const genotype2 *b, double theta,
                         const sdb_mutation *mut, sdb_locus_stat *st, sdb_diag *d)
{
    allele_set s;
    int idx[2][2];
    const genotype2 *gs[2] = {a, b};
    int rc = locus_alleles(f, pop, l, gs, 2, &s, idx, d);
    if (rc) return rc;
    double pb0 = s.p[idx[1][0]], pb1 = s.p[idx[1][1]];
    int b_hom = b->a[0] == b->a[1];
    const sdb_allele *seen = a->a;
    sdb_allele seen3[3] = {a->a[0], a->a[1], b->a[0]};
    /* P(b | a) unrelated, sampling b's alleles after a's */
    double p0 = (b_hom ? 1 : 2) * sdb_sample_next(pb0, b->a[0], seen, 2, theta) *
                sdb_sample_next(pb1, b->a[1], seen3, 3, theta);
    /* P(b | one allele of b IBD with a): the other allele is a new draw */
    double p1 = 0;
    if (mut && mut->kind != SDB_MUT_NONE && kappa[1] == 1) {
        /* parent-offspring with mutation: b receives T(x | a) and draws the other */
        p1 = transmit(mut, &s, idx[0], idx[1][0]) * sdb_sample_next(pb1, b->a[1], seen, 2, theta);
        if (!b_hom)
            p1 += transmit(mut, &s, idx[0], idx[1][1]) * sdb_sample_next(pb0, b->a[0], seen, 2, theta);
        st->formula = "kinship LR, parent-offspring with mutation model";
    } else {
        for (int k = 0; k < 2; k++) { /* each allele of a transmitted with 1/2 */
            if (a->a[k] == b->a[0]) p1 += 0.5 * sdb_sample_next(pb1, b->a[1], seen, 2, theta);
            if (!b_hom && a->a[k] == b->a[1]) p1 += 0.5 * sdb_sample_next(pb0, b->a[0], seen, 2, theta);
        }
        st->formula = "kinship LR from IBD coefficients (kappa0 + kappa1 T1 + kappa2 T2)";
    }
    double p2 = (a->a[0] == b->a[0] && a->a[1] == b->a[1]) ? 1.0 : 0.0;
    st->value = kappa[0] + (kappa[1] * p1 + kappa[2] * p2) / p0;
    st->freq[0] = pb0;
    st->freq[1] = pb1;
    return SDB_OK;
}

/* Common walk over the autosomal loci typed in every profile given. */
typedef int (*locus_fn)(void *arg, const sdb_locus *l, const genotype2 *g, sdb_locus_stat *st,
                        sdb_diag *d);

static int each_shared_locus(const sdb_profile *const *ps, int n, locus_fn fn, void *arg,
                             sdb_locus_stat *out, int *n_out, double *total, sdb_diag *d)
{
    const sdb_catalog *cat = sdb_catalog_default();
    *total = 1.0;
    *n_out = 0;
    for (int i = 0; i < ps[0]->n_calls; i++) {
        const sdb_locus *l = sdb_catalog_by_id(cat, ps[0]->calls[i].locus);
        genotype2 g[3];
        sdb_locus_stat *st = &out[*n_out];
        memset(st, 0, sizeof *st);
        st->locus = l->id;
        st->value = 1.0;
        int typed = 1, wild = 0;
        for (int k = 0; k < n && typed; k++) {
            const sdb_call *c = sdb_profile_call(ps[k], l->id);
            if (!c)
                typed = 0;
            else if (sdb_genotype_of(ps[k], c, &g[k])) {
                sdb_diag_set(d, NULL, 0, l->name, "more than two alleles: not single-source");
                return SDB_EINVAL;
            } else
                wild += g[k].wildcard;
        }
        if (!typed || l->type != SDB_LOCUS_AUTOSOMAL) continue;
        (*n_out)++;
        if (wild) {
            st->note = "wildcard allele: not counted";
            continue;
        }
        int rc = fn(arg, l, g, st, d);
        if (rc == SDB_ENOTFOUND) {
            st->note = "locus not in the frequency table: not counted";
            continue;
        }
        if (rc) return rc;
        *total *= st->value;
    }
    return SDB_OK;
}

typedef struct kin_arg {
    const sdb_freq *f;
    int pop;
    double kappa[3], theta;
    const sdb_mutation *mut;
} kin_arg;

static int kin_locus(void *arg, const sdb_locus *l, const genotype2 *g, sdb_locus_stat *st,
                     sdb_diag *d)
{
    kin_arg *k = arg;
    return locus_kinship(k->f, k->pop, l, k->kappa, &g[0], &g[1], k->theta, k->mut, st, d);
}

int sdb_kinship_lr(const sdb_freq *f, int pop, sdb_relationship rel, const sdb_profile *a,
                   const sdb_profile *b, double theta, const sdb_mutation *mut, sdb_locus_stat *out,
                   int *n_out, double *total, sdb_diag *d)
{
    if (pop < 0 || pop >= sdb_freq_n_populations(f) || theta < 0 || theta >= 1 ||
        (unsigned)rel > SDB_REL_FC)
        return SDB_EINVAL;
    if (mut && mut->kind != SDB_MUT_NONE && rel != SDB_REL_PO) {
        sdb_diag_set(d, NULL, 0, "--mutation", "mutation models apply to parent-offspring (PO)");
        return SDB_EINVAL;
    }
    kin_arg k = {f, pop, {0}, theta, mut};
    sdb_relationship_kappa(rel, k.kappa);
    const sdb_profile *ps[2] = {a, b};
    return each_shared_locus(ps, 2, kin_locus, &k, out, n_out, total, d);
}

int sdb_kinship_locus_lr(const sdb_freq *f, int pop, sdb_relationship rel, unsigned locus_id,
                         const sdb_allele a[2], const sdb_allele b[2], double theta,
                         const sdb_mutation *mut, double *lr, sdb_diag *d)
{
    const sdb_locus *l = sdb_catalog_by_id(sdb_catalog_default(), locus_id);
    if (!l || pop < 0 || pop >= sdb_freq_n_populations(f) || theta < 0 || theta >= 1 ||
        (unsigned)rel > SDB_REL_FC || (mut && mut->kind != SDB_MUT_NONE && rel != SDB_REL_PO))
        return SDB_EINVAL;
    kin_arg k = {f, pop, {0}, theta, mut};
    sdb_relationship_kappa(rel, k.kappa);
    genotype2 g[2] = {{{a[0] < a[1] ? a[0] : a[1], a[0] < a[1] ? a[1] : a[0]}, 0},
                      {{b[0] < b[1] ? b[0] : b[1], b[0] < b[1] ? b[1] : b[0]}, 0}};
    sdb_locus_stat st;
    memset(&st, 0, sizeof st);
    int rc = kin_locus(&k, l, g, &st, d);
    if (!rc) *lr = st.value;
    return rc;
}

/* Trio locus: sum over the assignments of the child's alleles to mother
 * (x) and father (y). */
static int pi_locus(void *arg, const sdb_locus *l, const genotype2 *g, sdb_locus_stat *st,
                    sdb_diag *d)
{
    kin_arg *k = arg;
    allele_set s;
    int idx[3][2];
    const genotype2 *gs[3] = {&g[0], &g[1], &g[2]}; /* mother, child, father */
    int rc = locus_alleles(k->f, k->pop, l, gs, 3, &s, idx, d);
    if (rc) return rc;
    sdb_mutation none;
    sdb_mutation_init(&none);
    const sdb_mutation *m = k->mut ? k->mut : &none;
    double num = 0, den = 0;
    for (int o = 0; o < (g[1].a[0] == g[1].a[1] ? 1 : 2); o++) {
        int x = idx[1][o], y = idx[1][1 - o];
        double tm = transmit(m, &s, idx[0], x);
        num += tm * transmit(m, &s, idx[2], y);
        den += tm * s.p[y];
    }
    if (den == 0) {
        sdb_diag_set(d, NULL, 0, l->name,
                     "the child's alleles cannot come from the mother (give --mutation)");
        return SDB_EINVAL;
    }
    st->value = num / den;
    st->freq[0] = s.p[idx[1][0]];
    st->freq[1] = s.p[idx[1][1]];
    st->formula = "trio paternity index P(C|M,AF)/P(C|M,random man)";
    return SDB_OK;
}

int sdb_paternity_index(const sdb_freq *f, int pop, const sdb_profile *mother,
                        const sdb_profile *child, const sdb_profile *father,
                        const sdb_mutation *mut, sdb_locus_stat *out, int *n_out, double *total,
                        sdb_diag *d)
{
    if (pop < 0 || pop >= sdb_freq_n_populations(f)) return SDB_EINVAL;
    kin_arg k = {f, pop, {0}, 0, mut};
    const sdb_profile *ps[3] = {mother, child, father};
    return each_shared_locus(ps, 3, pi_locus, &k, out, n_out, total, d);
}

double sdb_exclusion_power(const double *freq, int k)
{
    double pe = 0;
    for (int i = 0; i < k; i++)
        for (int j = i; j < k; j++) {
            double pc = i == j ? freq[i] * freq[i] : 2 * freq[i] * freq[j];
            double share = i == j ? freq[i] : freq[i] + freq[j];
            pe += pc * (1 - share) * (1 - share);
        }
    return pe;
}

double sdb_exclusion_power_given_child(const double *freq, int i, int j)
{
    double share = i == j ? freq[i] : freq[i] + freq[j];
    return (1 - share) * (1 - share);
}

double sdb_exclusion_power_of_child(const double *freq, const int m[2], const int f[2])
{
    /* the distinct genotypes {m[a], f[b]} the parents can produce */
    int seen[4][2], n = 0;
    double compatible = 0;
    for (int a = 0; a < 2; a++)
        for (int b = 0; b < 2; b++) {
            int x = m[a] < f[b] ? m[a] : f[b], y = m[a] < f[b] ? f[b] : m[a], dup = 0;
            for (int k = 0; k < n; k++)
                dup |= seen[k][0] == x && seen[k][1] == y;
            if (dup) continue;
            seen[n][0] = x;
            seen[n++][1] = y;
            compatible += x == y ? freq[x] * freq[x] : 2 * freq[x] * freq[y];
        }
    return 1 - compatible;
}
