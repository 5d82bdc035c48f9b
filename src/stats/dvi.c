/* Joint disaster victim identification over families (include/strdb/stats.h,
 * docs/missing-persons.md): exact top assignments by branch and bound, and
 * the exact sum over all assignments by dynamic programming over victim
 * sets for posteriors. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "stats_internal.h"

#define DP_MAX_VICTIMS 20
#define DP_MAX_CELLS ((size_t)1 << 26)

typedef struct bb {
    int nv, nf, top, n_out;
    const sdb_dvi_option *const *opt;
    const int **order; /* per family: option indexes, best first */
    const int *n_opt;
    double *rest;      /* rest[f]: the most families f.. can add (log10) */
    int chosen[256];   /* option per family, -1 = empty */
    sdb_dvi_assignment *out;
} bb;

static void record(bb *b, double score)
{
    int pos = b->n_out < b->top ? b->n_out : b->top - 1;
    if (b->n_out == b->top && score <= b->out[pos].log10_lr) return;
    while (pos > 0 && b->out[pos - 1].log10_lr < score) {
        if (pos < b->top) b->out[pos] = b->out[pos - 1];
        pos--;
    }
    sdb_dvi_assignment *a = &b->out[pos];
    for (int v = 0; v < b->nv; v++)
        a->missing_of[v] = -1;
    for (int f = 0; f < b->nf; f++) {
        if (b->chosen[f] < 0) continue;
        const sdb_dvi_option *o = &b->opt[f][b->chosen[f]];
        for (int k = 0; k < o->n; k++)
            a->missing_of[o->victim[k]] = o->missing[k];
    }
    a->log10_lr = score;
    a->posterior = NAN;
    if (b->n_out < b->top) b->n_out++;
}

static void search(bb *b, int f, uint64_t used, double score)
{
    if (b->n_out == b->top && score + b->rest[f] < b->out[b->top - 1].log10_lr - 1e-12) return;
    if (f == b->nf) {
        record(b, score);
        return;
    }
    /* options best first; the empty option (0) in its place */
    int empty_done = 0;
    for (int i = 0; i <= b->n_opt[f]; i++) {
        if (!empty_done && (i == b->n_opt[f] || b->opt[f][b->order[f][i]].log10_lr < 0)) {
            empty_done = 1;
            b->chosen[f] = -1;
            search(b, f + 1, used, score);
            i--;
            continue;
        }
        if (i == b->n_opt[f]) break;
        const sdb_dvi_option *o = &b->opt[f][b->order[f][i]];
        if ((o->victims & used) || !(o->log10_lr > -INFINITY)) continue; /* excluded */
        if (b->n_out == b->top &&
            score + o->log10_lr + b->rest[f + 1] < b->out[b->top - 1].log10_lr - 1e-12)
            break; /* sorted: no later option does better */
        b->chosen[f] = b->order[f][i];
        search(b, f + 1, used | o->victims, score + o->log10_lr);
    }
}

/* Option indexes of one family, best LR first (insertion sort: no shared
 * state, so the solver stays thread-safe). */
static void sort_options(const sdb_dvi_option *o, int *idx, int n)
{
    for (int i = 1; i < n; i++) {
        int x = idx[i], j = i;
        for (; j > 0 && o[idx[j - 1]].log10_lr < o[x].log10_lr; j--)
            idx[j] = idx[j - 1];
        idx[j] = x;
    }
}

/* Sum over all assignments: forward F[f][mask], backward sums S over
 * subsets, the marginals of every option. Values are scaled per family by
 * 10^-max so that they stay in range; the scale is returned in log10. */
static int exact_sum(int nv, int nm, int nf, const sdb_dvi_option *const *opt, const int *n_opt,
                     double *log10_z, double *marginal)
{
    size_t cells = (size_t)1 << nv;
    double *F = calloc((nf + 1) * cells, sizeof *F), *S = calloc((nf + 1) * cells, sizeof *S);
    double *scale = calloc((size_t)nf + 1, sizeof *scale);
    if (!F || !S || !scale) {
        free(F);
        free(S);
        free(scale);
        return SDB_ENOMEM;
    }
    for (int f = 0; f < nf; f++) {
        double mx = 0;
        for (int i = 0; i < n_opt[f]; i++)
            if (opt[f][i].log10_lr > mx) mx = opt[f][i].log10_lr;
        scale[f] = mx;
    }
#define LRS(f, i) pow(10, opt[f][i].log10_lr - scale[f])
    F[0] = 1;
    for (int f = 0; f < nf; f++) {
        double *cur = F + f * cells, *nx = F + (f + 1) * cells, e = pow(10, -scale[f]);
        for (size_t m = 0; m < cells; m++) {
            if (cur[m] == 0) continue;
            nx[m] += cur[m] * e;
            for (int i = 0; i < n_opt[f]; i++)
                if (!(opt[f][i].victims & m)) nx[m | opt[f][i].victims] += cur[m] * LRS(f, i);
        }
    }
    /* B[f][mask]: families f.. using exactly mask; S = sums over subsets */
    double *B = calloc(2 * cells, sizeof *B);
    if (!B) {
        free(F);
        free(S);
        free(scale);
        return SDB_ENOMEM;
    }
    double *bn = B, *bc = B + cells;
    memset(bn, 0, cells * sizeof *bn);
    bn[0] = 1;
    for (int f = nf; f >= 0; f--) {
        double *sf = S + f * cells;
        memcpy(sf, bn, cells * sizeof *sf);
        for (int v = 0; v < nv; v++)
            for (size_t m = 0; m < cells; m++)
                if (m & ((size_t)1 << v)) sf[m] += sf[m ^ ((size_t)1 << v)];
        if (f == 0) break;
        int g = f - 1;
        double e = pow(10, -scale[g]);
        memset(bc, 0, cells * sizeof *bc);
        for (size_t m = 0; m < cells; m++) {
            if (bn[m] == 0) continue;
            bc[m] += bn[m] * e;
            for (int i = 0; i < n_opt[g]; i++)
                if (!(opt[g][i].victims & m)) bc[m | opt[g][i].victims] += bn[m] * LRS(g, i);
        }
        double *t = bn;
        bn = bc;
        bc = t;
    }
    double z = 0, total_scale = 0;
    for (size_t m = 0; m < cells; m++)
        z += F[nf * cells + m];
    for (int f = 0; f < nf; f++)
        total_scale += scale[f];
    *log10_z = log10(z) + total_scale;
    for (int i = 0; i < nv * (nm + 1); i++)
        marginal[i] = 0;
    size_t full = cells - 1;
    for (int f = 0; f < nf; f++) {
        const double *cur = F + f * cells, *nxs = S + (f + 1) * cells;
        for (int i = 0; i < n_opt[f]; i++) {
            double acc = 0;
            uint64_t ov = opt[f][i].victims;
            for (size_t m = 0; m < cells; m++)
                if (cur[m] != 0 && !(m & ov)) acc += cur[m] * nxs[full & ~(m | ov)];
            double p = acc * LRS(f, i) / z;
            for (int k = 0; k < opt[f][i].n; k++)
                marginal[opt[f][i].victim[k] * (nm + 1) + opt[f][i].missing[k]] += p;
        }
    }
#undef LRS
    for (int v = 0; v < nv; v++) {
        double s = 0;
        for (int m = 0; m < nm; m++)
            s += marginal[v * (nm + 1) + m];
        marginal[v * (nm + 1) + nm] = s < 1 ? 1 - s : 0;
    }
    free(F);
    free(S);
    free(B);
    free(scale);
    return SDB_OK;
}

int sdb_dvi_solve(int n_victims, int n_missing, int n_families, const sdb_dvi_option *const *opt,
                  const int *n_opt, int top, sdb_dvi_assignment *out, int *n_out,
                  double *marginal, int *have_marginal, sdb_diag *d)
{
    *n_out = 0;
    *have_marginal = 0;
    if (n_victims < 0 || n_victims > SDB_DVI_MAX_VICTIMS || n_families < 0 || n_families > 256 ||
        top < 1) {
        sdb_diag_set(d, NULL, 0, "dvi", "%d victims and %d families: at most %d and 256",
                     n_victims, n_families, SDB_DVI_MAX_VICTIMS);
        return SDB_EINVAL;
    }
    bb b = {n_victims, n_families, top, 0, opt, NULL, n_opt, NULL, {0}, out};
    int **order = calloc((size_t)n_families + 1, sizeof *order);
    b.rest = calloc((size_t)n_families + 1, sizeof *b.rest);
    int rc = order && b.rest ? SDB_OK : SDB_ENOMEM;
    for (int f = 0; f < n_families && !rc; f++) {
        if (!(order[f] = malloc(((size_t)n_opt[f] + 1) * sizeof **order))) {
            rc = SDB_ENOMEM;
            break;
        }
        for (int i = 0; i < n_opt[f]; i++)
            order[f][i] = i;
        sort_options(opt[f], order[f], n_opt[f]);
    }
    if (!rc) {
        for (int f = n_families - 1; f >= 0; f--) {
            double best = 0;
            for (int i = 0; i < n_opt[f]; i++)
                if (opt[f][i].log10_lr > best) best = opt[f][i].log10_lr;
            b.rest[f] = b.rest[f + 1] + best;
        }
        b.order = (const int **)order;
        search(&b, 0, 0, 0);
        *n_out = b.n_out;
        size_t cells = n_victims <= DP_MAX_VICTIMS ? (size_t)1 << n_victims : 0;
        double log10_z;
        if (cells && (size_t)(n_families + 1) * cells <= DP_MAX_CELLS &&
            !(rc = exact_sum(n_victims, n_missing, n_families, opt, n_opt, &log10_z, marginal))) {
            *have_marginal = 1;
            for (int i = 0; i < *n_out; i++)
                out[i].posterior = pow(10, out[i].log10_lr - log10_z);
        }
    }
    for (int f = 0; order && f < n_families; f++)
        free(order[f]);
    free(order);
    free(b.rest);
    return rc;
}
