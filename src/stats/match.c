/* Genotype and match probabilities (NRC II 1996, 4.1 and 4.10). */
#include <string.h>

#include "stats_internal.h"

double sdb_genotype_probability(double p, double q, int homozygous, double theta)
{
    if (homozygous) return p * (theta + (1 - theta) * p);
    return 2 * p * q * (1 - theta);
}

double sdb_genotype_probability_inbred(double p, double q, int homozygous, double inbreeding)
{
    if (homozygous) return inbreeding * p + (1 - inbreeding) * p * p;
    return (1 - inbreeding) * 2 * p * q;
}

double sdb_match_probability(double p, double q, int homozygous, double theta)
{
    double denom = (1 + theta) * (1 + 2 * theta);
    if (homozygous) return (2 * theta + (1 - theta) * p) * (3 * theta + (1 - theta) * p) / denom;
    return 2 * (theta + (1 - theta) * p) * (theta + (1 - theta) * q) / denom;
}

double sdb_sample_next(double p, sdb_allele x, const sdb_allele *seen, int n, double theta)
{
    int m = 0;
    for (int i = 0; i < n; i++)
        m += seen[i] == x;
    return (m * theta + (1 - theta) * p) / (1 + (n - 1) * theta);
}

const char *sdb_genotype_of(const sdb_profile *p, const sdb_call *c, genotype2 *g)
{
    if (c->n > 2) return "more than two alleles: not a single-source genotype";
    g->a[0] = p->alleles[c->first];
    g->a[1] = c->n == 2 ? p->alleles[c->first + 1] : g->a[0];
    g->wildcard = (g->a[0] == SDB_ALLELE_ANY) + (g->a[1] == SDB_ALLELE_ANY);
    if (g->a[0] == SDB_ALLELE_ANY && g->wildcard == 1) { /* keep the known allele first */
        g->a[0] = g->a[1];
        g->a[1] = SDB_ALLELE_ANY;
    }
    return NULL;
}

/* Match probability of a call with one wildcard: the sum over every
 * genotype the partial call allows, i.e. (i,i) and (i,j) for each other
 * allele j of the table at that locus. */
static int partial_match(const sdb_freq *f, int pop, const sdb_locus *l, sdb_allele known,
                         double theta, sdb_locus_stat *st, sdb_diag *d)
{
    double pi;
    int how;
    int rc = sdb_freq_get(f, pop, l, known, &pi, &how, d);
    if (rc) return rc;
    double v = sdb_match_probability(pi, pi, 1, theta);
    int k = sdb_freq_locus_alleles(f, pop, l->id);
    for (int i = 0; i < k; i++) {
        sdb_allele a;
        double pj;
        if (sdb_freq_locus_allele(f, pop, l->id, i, &a, &pj) || a == known) continue;
        v += sdb_match_probability(pi, pj, 0, theta);
    }
    st->value = v;
    st->freq[0] = pi;
    st->minimum_used = how == SDB_FREQ_MINIMUM;
    st->formula = theta > 0 ? "NRC II 4.10, summed over the unknown allele"
                            : "NRC II 4.1, summed over the unknown allele (2p - p^2)";
    return SDB_OK;
}

static int locus_match(const sdb_freq *f, int pop, const sdb_locus *l, const genotype2 *g,
                       double theta, sdb_locus_stat *st, sdb_diag *d)
{
    if (g->wildcard == 2) {
        st->note = "no allele known: not counted";
        return SDB_OK;
    }
    if (g->wildcard == 1) return partial_match(f, pop, l, g->a[0], theta, st, d);
    int how0, how1, rc;
    if ((rc = sdb_freq_get(f, pop, l, g->a[0], &st->freq[0], &how0, d)) ||
        (rc = sdb_freq_get(f, pop, l, g->a[1], &st->freq[1], &how1, d)))
        return rc;
    int hom = g->a[0] == g->a[1];
    st->value = sdb_match_probability(st->freq[0], st->freq[1], hom, theta);
    st->minimum_used = how0 == SDB_FREQ_MINIMUM || how1 == SDB_FREQ_MINIMUM;
    st->formula = theta > 0 ? (hom ? "NRC II 4.10a" : "NRC II 4.10b")
                            : (hom ? "NRC II 4.1 (p^2)" : "NRC II 4.1 (2pq)");
    return SDB_OK;
}

int sdb_rmp(const sdb_freq *f, int pop, const sdb_profile *p, double theta, sdb_locus_stat *out,
            int *n_out, double *total, sdb_diag *d)
{
    *total = 1.0;
    *n_out = 0;
    if (pop < 0 || pop >= sdb_freq_n_populations(f) || theta < 0 || theta >= 1) return SDB_EINVAL;
    const sdb_catalog *cat = sdb_catalog_default();
    for (int i = 0; i < p->n_calls; i++) {
        const sdb_call *c = &p->calls[i];
        const sdb_locus *l = sdb_catalog_by_id(cat, c->locus);
        sdb_locus_stat *st = &out[(*n_out)++];
        memset(st, 0, sizeof *st);
        st->locus = c->locus;
        st->value = 1.0;
        if (l->type != SDB_LOCUS_AUTOSOMAL) {
            st->note = "not an autosomal locus: not counted";
            continue;
        }
        genotype2 g;
        const char *why = sdb_genotype_of(p, c, &g);
        if (why) {
            sdb_diag_set(d, NULL, 0, l->name, "%s", why);
            return SDB_EINVAL;
        }
        int rc = locus_match(f, pop, l, &g, theta, st, d);
        if (rc == SDB_ENOTFOUND) {
            st->note = "locus not in the frequency table: not counted";
            continue;
        }
        if (rc) return rc;
        *total *= st->value;
    }
    return SDB_OK;
}
