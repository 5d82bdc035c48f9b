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

/* ---- a family's options from the pedigree engine ------------------------- */

#define MAX_OPTIONS ((size_t)1 << 22)

typedef struct fam_work {
    const sdb_dvi_family *fam;
    const sdb_pedlik_model *m;
    const sdb_freq *f;
    int pop, nv, nl, first;
    const sdb_dvi_victim *victims;
    const sdb_locus **loci;
    sdb_ped_obs *base;   /* nl x persons: the references */
    double *base_ll;     /* nl */
    sdb_ped_obs *vobs;   /* nl x (persons + nv): the references', then the victims' */
    double *single_ll;   /* nv x nl */
    sdb_ped_obs *scratch; /* persons */
    unsigned char *keep;  /* persons: the missing */
    double *pairwise;    /* nv x n_missing */
    int pick[8];         /* victim per missing person, -1 none */
    uint64_t used;
    sdb_dvi_option *out;
    size_t n, cap;
    sdb_diag *d;
} fam_work;

/* log10 LR of the victims pick[] at their missing persons. */
static int option_lr(fam_work *w, double *log10_lr)
{
    int np = sdb_pedlik_size(w->fam->ped);
    double sum = 0;
    for (int l = 0; l < w->nl; l++) {
        int any = 0;
        memcpy(w->scratch, &w->base[(size_t)l * np], (size_t)np * sizeof *w->scratch);
        for (int j = 0; j < w->fam->n_missing; j++) {
            int v = w->pick[j];
            const sdb_ped_obs *vo = &w->vobs[(size_t)l * (np + w->nv) + np + v];
            if (v < 0 || !vo->typed) continue;
            w->scratch[w->fam->missing[j]] = *vo;
            sum -= w->single_ll[(size_t)v * w->nl + l];
            any = 1;
        }
        if (!any) continue;
        double ll;
        int rc = sdb_pedlik_locus_over(w->fam->ped, w->m, w->f, w->pop, w->loci[l], w->scratch,
                                       &w->vobs[(size_t)l * (np + w->nv)], np + w->nv, w->keep, &ll,
                                       w->d);
        if (rc) return rc;
        if (ll == -INFINITY) {
            *log10_lr = -INFINITY;
            return SDB_OK;
        }
        sum += ll - w->base_ll[l];
    }
    *log10_lr = sum / log(10);
    return SDB_OK;
}

static int sex_fits(char a, char b) { return a == 'U' || b == 'U' || a == b; }

/* Every choice for missing persons j.. given the choices before. */
static int enumerate(fam_work *w, int j, int pairs)
{
    const sdb_dvi_family *fam = w->fam;
    if (j == fam->n_missing) {
        if (!pairs) return SDB_OK;
        double lr = 0;
        int rc = SDB_OK, only = -1;
        for (int k = 0; k < fam->n_missing; k++)
            if (w->pick[k] >= 0) only = k;
        if (pairs == 1) /* a single pairing: its pairwise LR */
            lr = w->pairwise[(size_t)w->pick[only] * fam->n_missing + only];
        else
            rc = option_lr(w, &lr);
        if (rc || lr == -INFINITY) return rc;
        if (w->n == w->cap) {
            if (w->cap == MAX_OPTIONS) {
                sdb_diag_set(w->d, NULL, 0, "dvi",
                             "a family with %d missing persons has over %zu possible options "
                             "with these victims",
                             fam->n_missing, MAX_OPTIONS);
                return SDB_ERANGE;
            }
            size_t cap = w->cap ? 2 * w->cap : 64;
            sdb_dvi_option *g = realloc(w->out, cap * sizeof *g);
            if (!g) return SDB_ENOMEM;
            w->out = g;
            w->cap = cap;
        }
        sdb_dvi_option *o = &w->out[w->n++];
        memset(o, 0, sizeof *o);
        o->victims = w->used;
        o->log10_lr = lr;
        for (int k = 0; k < fam->n_missing; k++)
            if (w->pick[k] >= 0) {
                o->victim[o->n] = w->pick[k];
                o->missing[o->n++] = w->first + k;
            }
        return SDB_OK;
    }
    w->pick[j] = -1;
    int rc = enumerate(w, j + 1, pairs);
    for (int v = 0; v < w->nv && !rc; v++) {
        if (w->used >> v & 1 || w->pairwise[(size_t)v * fam->n_missing + j] == -INFINITY) continue;
        w->pick[j] = v;
        w->used |= (uint64_t)1 << v;
        rc = enumerate(w, j + 1, pairs + 1);
        w->used &= ~((uint64_t)1 << v);
        w->pick[j] = -1;
    }
    return rc;
}

/* The loci, the references' and the victims' observations and the
 * likelihoods every option shares. */
static int prepare(fam_work *w)
{
    const sdb_catalog *cat = sdb_catalog_default();
    const sdb_dvi_family *fam = w->fam;
    int np = sdb_pedlik_size(fam->ped), rc = SDB_OK;
    unsigned char seen[65536 / 8] = {0};
    w->loci = malloc(((size_t)SDB_DVI_MAX_VICTIMS * 64 + 1) * sizeof *w->loci);
    if (!w->loci) return SDB_ENOMEM;
    for (int v = 0; v < w->nv; v++) {
        const sdb_profile *p = w->victims[v].profile;
        for (int k = 0; p && k < p->n_calls; k++) {
            const sdb_locus *l = sdb_catalog_by_id(cat, p->calls[k].locus);
            unsigned id = p->calls[k].locus;
            if (!l || l->type != SDB_LOCUS_AUTOSOMAL || seen[id / 8] >> (id % 8) & 1) continue;
            if (w->nl == SDB_DVI_MAX_VICTIMS * 64) break;
            seen[id / 8] |= (unsigned char)(1u << (id % 8));
            w->loci[w->nl++] = l;
        }
    }
    size_t nl = (size_t)w->nl + 1, nv = (size_t)w->nv + 1;
    w->base = calloc(nl * (size_t)np, sizeof *w->base);
    w->base_ll = calloc(nl, sizeof *w->base_ll);
    w->vobs = calloc(nl * ((size_t)np + nv), sizeof *w->vobs);
    w->single_ll = calloc(nv * nl, sizeof *w->single_ll);
    w->scratch = calloc((size_t)np, sizeof *w->scratch);
    w->keep = calloc((size_t)np, 1);
    if (!w->base || !w->base_ll || !w->vobs || !w->single_ll || !w->scratch || !w->keep)
        return SDB_ENOMEM;
    for (int j = 0; j < fam->n_missing; j++)
        w->keep[fam->missing[j]] = 1;
    const int none = -1;
    sdb_pedlik *one = NULL;
    if ((rc = sdb_pedlik_new(&one, 1, &none, &none, "U", w->d))) return rc;
    /* IMPORTANT: every likelihood at a locus is over one allele list (the
     * table's, the references' and every victim's), or their ratios would
     * mix state spaces when frequencies do not sum to 1 or a mutation model
     * spans the list */
    for (int l = 0; l < w->nl && !rc; l++) {
        sdb_ped_obs *b = &w->base[(size_t)l * np], *all = &w->vobs[(size_t)l * (np + w->nv)];
        int na = np + w->nv;
        for (int i = 0; i < np && !rc; i++)
            rc = sdb_pedlik_obs(fam->typed[i], w->loci[l], 0, &b[i], w->d);
        memcpy(all, b, (size_t)np * sizeof *b);
        for (int v = 0; v < w->nv && !rc; v++)
            rc = sdb_pedlik_obs(w->victims[v].profile, w->loci[l], w->victims[v].dropout,
                                &all[np + v], w->d);
        if (rc) break;
        if ((rc = sdb_pedlik_locus_over(fam->ped, w->m, w->f, w->pop, w->loci[l], b, all, na,
                                        w->keep, &w->base_ll[l], w->d)))
            break;
        if (w->base_ll[l] == -INFINITY) {
            sdb_diag_set(w->d, NULL, 0, w->loci[l]->name,
                         "the references of the family are impossible together at this locus"
                         "%s",
                         w->m->male.kind == SDB_MUT_NONE ? " without mutation" : "");
            rc = SDB_EINVAL;
            break;
        }
        for (int v = 0; v < w->nv && !rc; v++)
            if (all[np + v].typed)
                rc = sdb_pedlik_locus_over(one, w->m, w->f, w->pop, w->loci[l], &all[np + v], all,
                                           na, NULL, &w->single_ll[(size_t)v * w->nl + l], w->d);
    }
    sdb_pedlik_free(one);
    return rc;
}

int sdb_dvi_family_options(const sdb_dvi_family *fam, const sdb_pedlik_model *m, const sdb_freq *f,
                           int pop, const sdb_dvi_victim *victims, int n_victims,
                           int first_missing, sdb_dvi_option **out, int *n_out, double *pairwise,
                           sdb_diag *d)
{
    *out = NULL;
    *n_out = 0;
    if (fam->n_missing < 1 || fam->n_missing > 8 || n_victims < 0 ||
        n_victims > SDB_DVI_MAX_VICTIMS) {
        sdb_diag_set(d, NULL, 0, "dvi", "%d missing persons and %d victims: a family has 1 to 8, "
                     "a case at most %d victims", fam->n_missing, n_victims, SDB_DVI_MAX_VICTIMS);
        return SDB_EINVAL;
    }
    for (int j = 0; j < fam->n_missing; j++)
        if (fam->typed[fam->missing[j]]) {
            char field[32];
            snprintf(field, sizeof field, "person %d", fam->missing[j]);
            sdb_diag_set(d, NULL, 0, field, "a missing person must be untyped");
            return SDB_EINVAL;
        }
    fam_work w = {.fam = fam, .m = m, .f = f, .pop = pop, .nv = n_victims,
                  .first = first_missing, .victims = victims, .d = d};
    w.pairwise = pairwise ? pairwise
                          : malloc(((size_t)n_victims * (size_t)fam->n_missing + 1) * sizeof(double));
    int rc = w.pairwise ? prepare(&w) : SDB_ENOMEM;
    for (int v = 0; v < n_victims && !rc; v++)
        for (int j = 0; j < fam->n_missing && !rc; j++) {
            double *pw = &w.pairwise[(size_t)v * fam->n_missing + j];
            *pw = -INFINITY;
            if (!sex_fits(victims[v].sex, sdb_pedlik_sex(fam->ped, fam->missing[j]))) continue;
            for (int k = 0; k < fam->n_missing; k++)
                w.pick[k] = k == j ? v : -1;
            rc = option_lr(&w, pw);
        }
    for (int k = 0; k < 8; k++)
        w.pick[k] = -1;
    if (!rc) rc = enumerate(&w, 0, 0);
    if (rc) {
        free(w.out);
        w.out = NULL;
        w.n = 0;
    }
    *out = w.out;
    *n_out = (int)w.n;
    if (!pairwise) free(w.pairwise);
    free(w.loci);
    free(w.base);
    free(w.base_ll);
    free(w.vobs);
    free(w.single_ll);
    free(w.scratch);
    free(w.keep);
    return rc;
}
