/* Y-STR haplotype statistics: counting with a Clopper-Pearson bound,
 * augmented counting, Brenner's kappa, and the posterior over meioses. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "stats_internal.h"

/* Continued fraction of the regularized incomplete beta (modified Lentz). */
static double beta_cf(double a, double b, double x)
{
    const double tiny = 1e-300;
    double c = 1, d = 1 - (a + b) * x / (a + 1);
    if (fabs(d) < tiny) d = tiny;
    d = 1 / d;
    double h = d;
    for (int m = 1; m <= 300; m++) {
        double m2 = 2 * m, aa = m * (b - m) * x / ((a + m2 - 1) * (a + m2));
        d = 1 + aa * d;
        d = fabs(d) < tiny ? 1 / tiny : 1 / d;
        c = 1 + aa / c;
        if (fabs(c) < tiny) c = tiny;
        h *= d * c;
        aa = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1));
        d = 1 + aa * d;
        d = fabs(d) < tiny ? 1 / tiny : 1 / d;
        c = 1 + aa / c;
        if (fabs(c) < tiny) c = tiny;
        double del = d * c;
        h *= del;
        if (fabs(del - 1) < 1e-15) break;
    }
    return h;
}

/* Regularized incomplete beta I_x(a, b). */
static double beta_inc(double a, double b, double x)
{
    if (x <= 0) return 0;
    if (x >= 1) return 1;
    double ln = lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x);
    if (x < (a + 1) / (a + b + 2)) return exp(ln) * beta_cf(a, b, x) / a;
    return 1 - exp(ln) * beta_cf(b, a, 1 - x) / b;
}

double sdb_clopper_pearson_upper(long x, long n, double level)
{
    if (n <= 0 || x >= n) return 1.0;
    double alpha = 1 - level;
    if (x == 0) return 1 - pow(alpha, 1.0 / (double)n);
    /* P(X <= x | n, p) = I_{1-p}(n - x, x + 1) falls as p grows: bisect. */
    double lo = (double)x / (double)n, hi = 1;
    for (int i = 0; i < 200; i++) {
        double mid = 0.5 * (lo + hi);
        if (beta_inc((double)(n - x), (double)(x + 1), 1 - mid) > alpha)
            lo = mid;
        else
            hi = mid;
    }
    return 0.5 * (lo + hi);
}

/* 1 if ref types every locus of q with the same allele list. */
static int same_haplotype(const sdb_profile *q, const sdb_profile *ref, int *typed)
{
    *typed = 1;
    int same = 1;
    for (int i = 0; i < q->n_calls; i++) {
        const sdb_call *c = &q->calls[i], *r = sdb_profile_call(ref, c->locus);
        if (!r) {
            *typed = 0;
            return 0;
        }
        if (r->n != c->n ||
            memcmp(q->alleles + c->first, ref->alleles + r->first, c->n * sizeof(sdb_allele)))
            same = 0;
    }
    return same;
}

/* Hash of ref's alleles at the query's loci (for counting singletons). */
static uint64_t projected_hash(const sdb_profile *q, const sdb_profile *ref)
{
    uint64_t h = 1469598103934665603ULL;
    for (int i = 0; i < q->n_calls; i++) {
        const sdb_call *r = sdb_profile_call(ref, q->calls[i].locus);
        for (uint32_t k = r->first; k < r->first + r->n; k++)
            h = (h ^ (uint64_t)ref->alleles[k]) * 1099511628211ULL;
        h = (h ^ 0xFFFF) * 1099511628211ULL;
    }
    return h;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

int sdb_yfreq(const sdb_profile *query, const sdb_profile *const *refs, long n,
              sdb_yfreq_result *out)
{
    memset(out, 0, sizeof *out);
    uint64_t *hashes = malloc((size_t)(n > 0 ? n : 1) * sizeof *hashes);
    if (!hashes) return SDB_ENOMEM;
    for (long i = 0; i < n; i++) {
        int typed;
        int same = same_haplotype(query, refs[i], &typed);
        if (!typed) continue;
        hashes[out->n++] = projected_hash(query, refs[i]);
        out->matches += same;
    }
    /* Singletons: distinct projected haplotypes seen exactly once. A 64-bit
     * hash collision would merge two haplotypes; at 10^8 haplotypes the
     * chance of any is below 10^-3 and it can only lower kappa. */
    qsort(hashes, (size_t)out->n, sizeof *hashes, cmp_u64);
    for (long i = 0; i < out->n;) {
        long j = i;
        while (j < out->n && hashes[j] == hashes[i])
            j++;
        out->singletons += j - i == 1;
        i = j;
    }
    free(hashes);
    out->frequency = out->n ? (double)out->matches / (double)out->n : 0;
    out->upper95 = sdb_clopper_pearson_upper(out->matches, out->n, 0.95);
    out->augmented = (double)(out->matches + 1) / (double)(out->n + 1);
    out->kappa = out->n ? (double)out->singletons / (double)out->n : 0;
    out->kappa_match_probability = out->n ? (1 - out->kappa) / (double)out->n : 1;
    return SDB_OK;
}

/* P(net difference d | m meioses, rate mu): binomial number of mutations,
 * each one step up or down with equal probability:
 *   sum over k = d, d + 2, ... <= m of C(m, k) mu^k (1 - mu)^(m - k) C(k, (k + d) / 2) / 2^k.
 * The first term from lgamma, each next one from the previous by the ratio
 *   (m - k)(m - k - 1) / ((a + 1)(b + 1)) * mu^2 / (4 (1 - mu)^2),  a = (k + d)/2, b = (k - d)/2,
 * stopping once the terms no longer change the sum (they fall fast: mu ~ 1e-3). */
static double step_likelihood(int d, int m, double mu)
{
    d = abs(d);
    if (d > m) return 0;
    double t = exp(lgamma(m + 1.0) - lgamma(d + 1.0) - lgamma(m - d + 1.0) + d * log(mu) +
                   (m - d) * log1p(-mu) - d * log(2.0));
    double total = 0, r = mu * mu / (4 * (1 - mu) * (1 - mu));
    for (int k = d; k <= m && t > 0; k += 2) {
        total += t;
        if (t < total * 1e-17) break;
        double a = (k + d) / 2, b = (k - d) / 2;
        t *= (double)(m - k) * (double)(m - k - 1) / ((a + 1) * (b + 1)) * r;
    }
    return total;
}

const char *sdb_meioses_class(int m)
{
    static const char *names[] = {"same man",
                                  "father-son",
                                  "brothers or grandfather-grandson",
                                  "uncle-nephew or great-grandfather",
                                  "paternal first cousins",
                                  "first cousins once removed",
                                  "paternal second cousins"};
    return m >= 0 && m <= 6 ? names[m] : "distant paternal relatives";
}

/* Per-locus step differences between a and b; -1 if the locus is not usable. */
static int locus_steps(const sdb_profile *a, const sdb_call *ca, const sdb_profile *b,
                       const sdb_call *cb, int *steps, int *n)
{
    if (ca->n != cb->n || ca->n > 4) return -1;
    for (int k = 0; k < ca->n; k++) {
        sdb_allele x = a->alleles[ca->first + k], y = b->alleles[cb->first + k];
        if (!sdb_allele_is_numeric(x) || !sdb_allele_is_numeric(y) || (x - y) % 10) return -1;
        steps[k] = (x - y) / 10;
    }
    *n = ca->n;
    return 0;
}

int sdb_meioses_posterior(const sdb_catalog *cat, const sdb_profile *a, const sdb_profile *b,
                          const char *kit, int max_meioses, double *posterior,
                          sdb_meioses_result *out, sdb_diag *d)
{
    memset(out, 0, sizeof *out);
    if (max_meioses < 1 || max_meioses > 200) return SDB_EINVAL;
    double *loglik = calloc((size_t)max_meioses + 1, sizeof *loglik);
    if (!loglik) return SDB_ENOMEM;
    for (int i = 0; i < a->n_calls; i++) {
        const sdb_locus *l = sdb_catalog_by_id(cat, a->calls[i].locus);
        const sdb_call *cb = sdb_profile_call(b, l->id);
        if (l->type != SDB_LOCUS_Y || !cb || (kit && !sdb_locus_in_set(l, kit))) continue;
        int steps[4], n;
        if (l->mutation_rate <= 0 || locus_steps(a, &a->calls[i], b, cb, steps, &n)) {
            out->n_skipped++;
            continue;
        }
        out->loci_compared++;
        int differs = 0;
        for (int k = 0; k < n; k++) {
            differs |= steps[k] != 0;
            out->total_steps += abs(steps[k]);
            for (int m = 1; m <= max_meioses; m++)
                loglik[m] += log(step_likelihood(steps[k], m, l->mutation_rate));
        }
        out->loci_differing += differs;
    }
    if (out->loci_compared == 0) {
        free(loglik);
        sdb_diag_set(d, NULL, 0, NULL, "no Y locus with a mutation rate is typed in both");
        return SDB_EINVAL;
    }
    double best = -INFINITY, sum = 0;
    for (int m = 1; m <= max_meioses; m++)
        best = fmax(best, loglik[m]);
    if (!isfinite(best)) {
        free(loglik);
        sdb_diag_set(d, NULL, 0, NULL, "the haplotypes differ by more steps than %d meioses allow",
                     max_meioses);
        return SDB_EINVAL;
    }
    posterior[0] = 0;
    for (int m = 1; m <= max_meioses; m++)
        sum += posterior[m] = exp(loglik[m] - best);
    double cum = 0;
    out->lower = 0;
    for (int m = 1; m <= max_meioses; m++) {
        posterior[m] /= sum;
        out->mean += m * posterior[m];
        if (!out->mode || posterior[m] > posterior[out->mode]) out->mode = m;
        cum += posterior[m];
        if (!out->lower && cum >= 0.025) out->lower = m;
        if (!out->upper && cum >= 0.975) out->upper = m;
    }
    if (!out->upper) out->upper = max_meioses;
    free(loglik);
    return SDB_OK;
}
