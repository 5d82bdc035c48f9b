/* Pedigree likelihoods at one locus by variable elimination
 * (docs/missing-persons.md).
 *
 * Every person of the pedigree has two allele variables, paternal (2i) and
 * maternal (2i + 1), over the locus's states: the allele list of the
 * population table plus any typed allele it lacks, and a silent allele when
 * the model has one. The factors are the founders' allele frequencies, the
 * transmissions T(parent's pair -> child's allele) = (M(x -> z) + M(y -> z)) / 2
 * with the male matrix from fathers and the female one from mothers, and the
 * evidence of each typed person (with drop-out and silent alleles). Variables
 * are summed out in a greedy min-weight order; loops need no special case.
 * With theta the founders' alleles are enumerated and weighted by the
 * Balding-Nichols (Dirichlet-multinomial) sampling formula, as pedprobr does. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "stats_internal.h"

#define MAX_STATES (SDB_PED_MAX_ALLELES + 1)
#define MAX_SCOPE 32
#define MAX_TABLE ((size_t)1 << 24) /* entries of a factor made by elimination */
#define MAX_WORK ((size_t)1 << 28)  /* products summed in one elimination */
#define MAX_COMBOS 100000           /* founder allele assignments under theta */
#define MAX_PERSONS 100000

struct sdb_pedlik {
    int n;
    int *father, *mother;
    char *sex;
};

/* ---- pedigree ---------------------------------------------------------------- */

static int person_error(sdb_diag *d, int i, const char *reason)
{
    char field[32];
    snprintf(field, sizeof field, "person %d", i);
    sdb_diag_set(d, NULL, 0, field, "%s", reason);
    return SDB_EINVAL;
}

/* Kahn's order: persons left unvisited lie on or below a cycle. */
static int find_cycle(int n, const int *father, const int *mother)
{
    int *pending = calloc((size_t)n, sizeof *pending), *first = malloc((size_t)n * sizeof *first),
        *next = malloc((size_t)n * 2 * sizeof *next), *queue = malloc((size_t)n * sizeof *queue);
    int bad = -2;
    if (!pending || !first || !next || !queue) goto done;
    for (int i = 0; i < n; i++)
        first[i] = -1;
    for (int i = 0; i < n; i++) { /* child lists: slot 2i via father, 2i+1 via mother */
        const int par[2] = {father[i], mother[i]};
        for (int k = 0; k < 2; k++)
            if (par[k] >= 0) {
                pending[i]++;
                next[2 * i + k] = first[par[k]];
                first[par[k]] = 2 * i + k;
            }
    }
    int head = 0, tail = 0;
    for (int i = 0; i < n; i++)
        if (!pending[i]) queue[tail++] = i;
    while (head < tail)
        for (int s = first[queue[head++]]; s >= 0; s = next[s])
            if (!--pending[s / 2]) queue[tail++] = s / 2;
    bad = -1;
    for (int i = 0; i < n && bad < 0; i++)
        if (pending[i]) bad = i;
done:
    free(pending);
    free(first);
    free(next);
    free(queue);
    return bad;
}

int sdb_pedlik_new(sdb_pedlik **out, int n, const int *father, const int *mother, const char *sex,
                   sdb_diag *d)
{
    *out = NULL;
    if (n < 1 || n > MAX_PERSONS) {
        sdb_diag_set(d, NULL, 0, "pedigree", "%d persons: a pedigree has 1 to %d", n, MAX_PERSONS);
        return SDB_EINVAL;
    }
    for (int i = 0; i < n; i++) {
        if (sex[i] != 'M' && sex[i] != 'F' && sex[i] != 'U')
            return person_error(d, i, "sex must be M, F or U");
        const int par[2] = {father[i], mother[i]};
        for (int k = 0; k < 2; k++) {
            if (par[k] < -1 || par[k] >= n)
                return person_error(d, i, "a parent index is not in the pedigree");
            if (par[k] == i) return person_error(d, i, "the person is their own parent");
        }
        if (father[i] >= 0 && sex[father[i]] != 'M')
            return person_error(d, i, "the father is not male");
        if (mother[i] >= 0 && sex[mother[i]] != 'F')
            return person_error(d, i, "the mother is not female");
    }
    int cyc = find_cycle(n, father, mother);
    if (cyc == -2) return SDB_ENOMEM;
    if (cyc >= 0)
        return person_error(d, cyc, "the pedigree has a cycle: this person is their own ancestor or descends from one who is");
    sdb_pedlik *p = calloc(1, sizeof *p);
    if (!p) return SDB_ENOMEM;
    p->n = n;
    p->father = malloc((size_t)n * sizeof *p->father);
    p->mother = malloc((size_t)n * sizeof *p->mother);
    p->sex = malloc((size_t)n);
    if (!p->father || !p->mother || !p->sex) {
        sdb_pedlik_free(p);
        return SDB_ENOMEM;
    }
    memcpy(p->father, father, (size_t)n * sizeof *father);
    memcpy(p->mother, mother, (size_t)n * sizeof *mother);
    memcpy(p->sex, sex, (size_t)n);
    *out = p;
    return SDB_OK;
}

void sdb_pedlik_free(sdb_pedlik *p)
{
    if (!p) return;
    free(p->father);
    free(p->mother);
    free(p->sex);
    free(p);
}

int sdb_pedlik_size(const sdb_pedlik *p) { return p->n; }

char sdb_pedlik_sex(const sdb_pedlik *p, int i) { return i >= 0 && i < p->n ? p->sex[i] : 'U'; }

void sdb_pedlik_model_init(sdb_pedlik_model *m)
{
    memset(m, 0, sizeof *m);
    sdb_mutation_init(&m->male);
    sdb_mutation_init(&m->female);
}

/* ---- states of a locus --------------------------------------------------------- */

typedef struct states {
    int n;      /* real alleles */
    int ns;     /* n, plus the silent allele */
    int silent; /* its index, or -1 */
    double theta;
    sdb_allele a[MAX_STATES];
    double p[MAX_STATES];     /* frequency as the table gives it (mutation models) */
    double prior[MAX_STATES]; /* founder draw: p (1 - s); s for the silent allele */
    double male[MAX_STATES * MAX_STATES], female[MAX_STATES * MAX_STATES];
} states;

static int state_add(states *st, sdb_allele a, double p)
{
    for (int i = 0; i < st->n; i++)
        if (st->a[i] == a) return i;
    if (st->n == SDB_PED_MAX_ALLELES) return -1;
    st->a[st->n] = a;
    st->p[st->n] = p;
    return st->n++;
}

static int state_of(const states *st, sdb_allele a)
{
    for (int i = 0; i < st->n; i++)
        if (st->a[i] == a) return i;
    return -1;
}

static int add_typed(states *st, const sdb_freq *f, int pop, const sdb_locus *l,
                     const sdb_ped_obs *o, sdb_diag *d)
{
    if (!o || !o->typed) return SDB_OK;
    for (int j = 0; j < 2; j++) {
        if (o->a[j] == SDB_ALLELE_ANY) continue;
        if (state_of(st, o->a[j]) >= 0) continue;
        double p;
        int how, rc = sdb_freq_get(f, pop, l, o->a[j], &p, &how, d);
        if (rc) return rc;
        if (state_add(st, o->a[j], p) < 0) {
            sdb_diag_set(d, NULL, 0, l->name, "more than %d alleles", SDB_PED_MAX_ALLELES);
            return SDB_EINVAL;
        }
    }
    return SDB_OK;
}

static int model_check(const sdb_pedlik_model *m, sdb_diag *d)
{
    if (!(m->theta >= 0 && m->theta < 1)) {
        sdb_diag_set(d, NULL, 0, "theta", "%g is not in [0, 1)", m->theta);
        return SDB_EINVAL;
    }
    if (!(m->silent >= 0 && m->silent < 1)) {
        sdb_diag_set(d, NULL, 0, "silent", "%g is not in [0, 1)", m->silent);
        return SDB_EINVAL;
    }
    return SDB_OK;
}

static int embed_matrix(states *st, const sdb_mutation *m, double *out, const char *who,
                        const sdb_locus *l, sdb_diag *d)
{
    static _Thread_local double tmp[SDB_PED_MAX_ALLELES * SDB_PED_MAX_ALLELES];
    if (sdb_mutation_matrix(m, st->a, st->p, st->n, tmp)) {
        sdb_diag_set(d, NULL, 0, who, "bad %s mutation model at %s (rate, rate2 or range)", who,
                     l->name);
        return SDB_EINVAL;
    }
    int ns = st->ns;
    for (int i = 0; i < ns; i++)
        for (int j = 0; j < ns; j++)
            out[i * ns + j] = i < st->n && j < st->n ? tmp[i * st->n + j] : i == j;
    return SDB_OK;
}

static int build_states(states *st, const sdb_pedlik_model *m, const sdb_freq *f, int pop,
                        const sdb_locus *l, const sdb_ped_obs *obs, int n, const sdb_ped_obs *poi,
                        int n_poi, sdb_diag *d)
{
    int rc = model_check(m, d);
    if (rc) return rc;
    st->n = 0;
    int k = sdb_freq_locus_alleles(f, pop, l->id);
    if (k == 0) {
        sdb_diag_set(d, NULL, 0, l->name, "the locus is not in the frequency table");
        return SDB_ENOTFOUND;
    }
    for (int i = 0; i < k; i++) {
        sdb_allele a;
        double p, q;
        int how;
        if (sdb_freq_locus_allele(f, pop, l->id, i, &a, &p)) continue;
        if (sdb_freq_get(f, pop, l, a, &q, &how, NULL)) q = p;
        if (state_add(st, a, q) < 0) {
            sdb_diag_set(d, NULL, 0, l->name, "more than %d alleles", SDB_PED_MAX_ALLELES);
            return SDB_EINVAL;
        }
    }
    for (int i = 0; i < n; i++)
        if ((rc = add_typed(st, f, pop, l, &obs[i], d))) return rc;
    for (int i = 0; i < n_poi; i++)
        if ((rc = add_typed(st, f, pop, l, &poi[i], d))) return rc;
    st->theta = m->theta;
    st->silent = m->silent > 0 ? st->n : -1;
    st->ns = st->n + (m->silent > 0);
    for (int i = 0; i < st->n; i++)
        st->prior[i] = st->p[i] * (1 - m->silent);
    if (st->silent >= 0) {
        st->a[st->silent] = 0;
        st->p[st->silent] = m->silent;
        st->prior[st->silent] = m->silent;
    }
    if ((rc = embed_matrix(st, &m->male, st->male, "male", l, d))) return rc;
    return embed_matrix(st, &m->female, st->female, "female", l, d);
}

/* P(the person shows o | allele states x, y): each copy of a real allele is
 * seen with probability 1 - dropout, a silent one never; the seen set must be
 * the observed set (or contain a, for a partial call a/?). */
static double evidence(const states *st, const sdb_ped_obs *o, int x, int y)
{
    double dr = o->dropout, e = 0;
    int partial = o->a[1] == SDB_ALLELE_ANY;
    for (int vx = 0; vx < 2; vx++)
        for (int vy = 0; vy < 2; vy++) {
            double w = (x == st->silent ? !vx : vx ? 1 - dr : dr) *
                       (y == st->silent ? !vy : vy ? 1 - dr : dr);
            if (w == 0) continue;
            sdb_allele seen[2];
            int ns = 0;
            if (vx) seen[ns++] = st->a[x];
            if (vy && !(ns && seen[0] == st->a[y])) seen[ns++] = st->a[y];
            int ok;
            if (partial)
                ok = (ns > 0 && seen[0] == o->a[0]) || (ns > 1 && seen[1] == o->a[0]);
            else {
                int no = o->a[0] == o->a[1] ? 1 : 2;
                ok = ns == no;
                for (int i = 0; i < ns && ok; i++)
                    ok = seen[i] == o->a[0] || seen[i] == o->a[1];
            }
            if (ok) e += w;
        }
    return e;
}

/* ---- variable elimination ---------------------------------------------------- */

typedef struct factor {
    int nv;
    int v[MAX_SCOPE];
    size_t size;
    double *t; /* row-major over v[0..nv), last fastest */
} factor;

typedef struct problem {
    const sdb_pedlik *ped;
    const states *st;
    const sdb_ped_obs *obs;
    int q;          /* person whose genotype is kept, or -1 */
    char *relevant; /* typed, q, or an ancestor of one */
    int *nd;        /* domain size of each variable */
    const int **dom;
    int full[MAX_STATES];
    int (*typed_dom)[3]; /* per person: observed states (+ silent) */
    const double *prior; /* founders' draw, or NULL for 1 (theta enumeration) */
    factor *f;
    int nf, cap;
    double logscale;
} problem;

static int push(problem *pb, factor *x)
{
    if (pb->nf == pb->cap) {
        int cap = pb->cap ? 2 * pb->cap : 64;
        factor *g = realloc(pb->f, (size_t)cap * sizeof *g);
        if (!g) return SDB_ENOMEM;
        pb->f = g;
        pb->cap = cap;
    }
    pb->f[pb->nf++] = *x;
    return SDB_OK;
}

static int new_factor(problem *pb, factor *x, int nv, const int *v)
{
    x->nv = nv;
    x->size = 1;
    for (int i = 0; i < nv; i++) {
        x->v[i] = v[i];
        x->size *= (size_t)pb->nd[v[i]];
    }
    x->t = malloc(x->size * sizeof *x->t);
    return x->t ? SDB_OK : SDB_ENOMEM;
}

static int add_prior(problem *pb, int v)
{
    factor x;
    if (new_factor(pb, &x, 1, &v)) return SDB_ENOMEM;
    for (int i = 0; i < pb->nd[v]; i++)
        x.t[i] = pb->prior ? pb->prior[pb->dom[v][i]] : 1;
    return push(pb, &x);
}

static int add_transmission(problem *pb, int parent, int child_var, const double *mat)
{
    factor x;
    const int v[3] = {2 * parent, 2 * parent + 1, child_var};
    if (new_factor(pb, &x, 3, v)) return SDB_ENOMEM;
    int ns = pb->st->ns, n0 = pb->nd[v[0]], n1 = pb->nd[v[1]], n2 = pb->nd[v[2]];
    size_t k = 0;
    for (int i = 0; i < n0; i++)
        for (int j = 0; j < n1; j++)
            for (int c = 0; c < n2; c++) {
                int a = pb->dom[v[0]][i], b = pb->dom[v[1]][j], z = pb->dom[v[2]][c];
                x.t[k++] = 0.5 * (mat[a * ns + z] + mat[b * ns + z]);
            }
    return push(pb, &x);
}

static int add_evidence(problem *pb, int i)
{
    factor x;
    const int v[2] = {2 * i, 2 * i + 1};
    if (new_factor(pb, &x, 2, v)) return SDB_ENOMEM;
    size_t k = 0;
    for (int a = 0; a < pb->nd[v[0]]; a++)
        for (int b = 0; b < pb->nd[v[1]]; b++)
            x.t[k++] = evidence(pb->st, &pb->obs[i], pb->dom[v[0]][a], pb->dom[v[1]][b]);
    return push(pb, &x);
}

static void drop_factors(problem *pb)
{
    for (int i = 0; i < pb->nf; i++)
        free(pb->f[i].t);
    pb->nf = 0;
}

static int build_factors(problem *pb)
{
    const sdb_pedlik *p = pb->ped;
    for (int i = 0; i < p->n; i++) {
        if (!pb->relevant[i]) continue;
        int rc = p->father[i] >= 0 ? add_transmission(pb, p->father[i], 2 * i, pb->st->male)
                                   : add_prior(pb, 2 * i);
        if (!rc)
            rc = p->mother[i] >= 0 ? add_transmission(pb, p->mother[i], 2 * i + 1, pb->st->female)
                                   : add_prior(pb, 2 * i + 1);
        if (!rc && pb->obs[i].typed && i != pb->q) rc = add_evidence(pb, i);
        if (rc) return rc;
    }
    return SDB_OK;
}

static int in_scope(const factor *x, int v)
{
    for (int i = 0; i < x->nv; i++)
        if (x->v[i] == v) return 1;
    return 0;
}

/* Multiplies the factors marked in use and sums out variable sum (-1: none)
 * into *out. SDB_ERANGE when the tables would be too large. */
static int combine(problem *pb, const char *use, int sum, factor *out, sdb_diag *d)
{
    int u[MAX_SCOPE + 1], nu = 0;
    for (int k = 0; k < pb->nf; k++) {
        if (!use[k]) continue;
        for (int i = 0; i < pb->f[k].nv; i++) {
            int v = pb->f[k].v[i], seen = v == sum;
            for (int j = 0; j < nu && !seen; j++)
                seen = u[j] == v;
            if (seen) continue;
            if (nu == MAX_SCOPE) goto too_large;
            u[nu++] = v;
        }
    }
    size_t res = 1, inner = sum >= 0 ? (size_t)pb->nd[sum] : 1;
    for (int j = 0; j < nu; j++) {
        res *= (size_t)pb->nd[u[j]];
        if (res > MAX_TABLE) goto too_large;
    }
    if (res * inner > MAX_WORK) goto too_large;
    int nall = nu;
    if (sum >= 0) u[nall++] = sum;
    if (new_factor(pb, out, nu, u)) return SDB_ENOMEM;
    /* strides of each used factor along the coordinates of u */
    int nk = 0;
    static _Thread_local size_t stride[256][MAX_SCOPE + 1];
    const factor *fk[256];
    for (int k = 0; k < pb->nf; k++) {
        if (!use[k]) continue;
        if (nk == 256) {
            free(out->t);
            goto too_large;
        }
        fk[nk] = &pb->f[k];
        for (int j = 0; j < nall; j++) {
            stride[nk][j] = 0;
            size_t s = 1;
            for (int i = fk[nk]->nv - 1; i >= 0; i--) {
                if (fk[nk]->v[i] == u[j]) stride[nk][j] = s;
                s *= (size_t)pb->nd[fk[nk]->v[i]];
            }
        }
        nk++;
    }
    int c[MAX_SCOPE + 1] = {0};
    size_t off[256] = {0};
    for (size_t r = 0; r < res; r++) {
        double acc = 0;
        for (size_t s = 0; s < inner; s++) {
            double prod = 1;
            for (int k = 0; k < nk && prod != 0; k++)
                prod *= fk[k]->t[off[k]];
            acc += prod;
            /* odometer step over u[nall-1] .. u[0] */
            for (int j = nall - 1; j >= 0; j--) {
                for (int k = 0; k < nk; k++)
                    off[k] += stride[k][j];
                if (++c[j] < pb->nd[u[j]]) break;
                for (int k = 0; k < nk; k++)
                    off[k] -= stride[k][j] * (size_t)pb->nd[u[j]];
                c[j] = 0;
            }
        }
        out->t[r] = acc;
    }
    return SDB_OK;
too_large:
    sdb_diag_set(d, NULL, 0, "pedigree",
                 "too complex to compute exactly: an elimination step needs more than 2^24 "
                 "entries (type fewer untyped ancestors, or split the pedigree)");
    return SDB_ERANGE;
}

/* Scales x to a maximum of 1; returns 0 when x is all zero. */
static int rescale(problem *pb, factor *x)
{
    double mx = 0;
    for (size_t i = 0; i < x->size; i++)
        if (x->t[i] > mx) mx = x->t[i];
    if (mx == 0) return 0;
    if (mx != 1) {
        for (size_t i = 0; i < x->size; i++)
            x->t[i] /= mx;
        pb->logscale += log(mx);
    }
    return 1;
}

/* Replaces the factors of use[] with x. */
static void replace(problem *pb, const char *use, factor *x)
{
    int w = 0;
    for (int k = 0; k < pb->nf; k++)
        if (use[k])
            free(pb->f[k].t);
        else
            pb->f[w++] = pb->f[k];
    pb->f[w++] = *x;
    pb->nf = w;
}

/* Sums out every variable but q's. On return *possible is 0 when the
 * evidence is impossible; else out (ns x ns for q, 1 entry otherwise) holds
 * the result times exp(-pb->logscale). */
static int eliminate(problem *pb, double *out, int *possible, sdb_diag *d)
{
    int rc = build_factors(pb);
    if (rc) return rc;
    *possible = 1;
    if (pb->nf == 0) { /* nobody typed: the likelihood is 1 */
        out[0] = 1;
        return SDB_OK;
    }
    int nvar = 2 * pb->ped->n;
    char *done = calloc((size_t)nvar, 1), *use = malloc((size_t)pb->cap + 1);
    if (!done || !use) {
        rc = SDB_ENOMEM;
        goto out;
    }
    *possible = 1;
    for (;;) {
        int best = -1;
        double best_w = 0;
        for (int v = 0; v < nvar; v++) {
            if (done[v] || !pb->relevant[v / 2] || v / 2 == pb->q) continue;
            int u[MAX_SCOPE * 4], nu = 0;
            double w = 1;
            for (int k = 0; k < pb->nf; k++) {
                if (!in_scope(&pb->f[k], v)) continue;
                for (int i = 0; i < pb->f[k].nv; i++) {
                    int x = pb->f[k].v[i], seen = 0;
                    for (int j = 0; j < nu && !seen; j++)
                        seen = u[j] == x;
                    if (!seen && nu < MAX_SCOPE * 4) {
                        u[nu++] = x;
                        w *= pb->nd[x];
                    }
                }
            }
            if (best < 0 || w < best_w) {
                best = v;
                best_w = w;
            }
        }
        if (best < 0) break;
        done[best] = 1;
        for (int k = 0; k < pb->nf; k++)
            use[k] = (char)in_scope(&pb->f[k], best);
        factor x;
        if ((rc = combine(pb, use, best, &x, d))) goto out;
        replace(pb, use, &x);
        if (!rescale(pb, &pb->f[pb->nf - 1])) {
            *possible = 0;
            goto out;
        }
    }
    memset(use, 1, (size_t)pb->nf);
    factor x;
    if ((rc = combine(pb, use, -1, &x, d))) goto out;
    replace(pb, use, &x);
    factor *r = &pb->f[0];
    if (!rescale(pb, r)) {
        *possible = 0;
        goto out;
    }
    if (pb->q < 0) {
        out[0] = r->t[0];
    } else { /* r is over q's two variables, in either order */
        int ns = pb->st->ns, pv = 2 * pb->q, mv = pv + 1, np = pb->nd[pv], nm = pb->nd[mv];
        int pat_first = r->v[0] == pv;
        memset(out, 0, (size_t)ns * (size_t)ns * sizeof *out);
        for (int i = 0; i < np; i++)
            for (int j = 0; j < nm; j++)
                out[pb->dom[pv][i] * ns + pb->dom[mv][j]] =
                    pat_first ? r->t[i * nm + j] : r->t[j * np + i];
    }
out:
    drop_factors(pb);
    free(done);
    free(use);
    return rc;
}

/* Sets up domains and the relevant persons. */
static int problem_init(problem *pb, const sdb_pedlik *p, const states *st,
                        const sdb_ped_obs *obs, int q, const unsigned char *keep)
{
    memset(pb, 0, sizeof *pb);
    pb->ped = p;
    pb->st = st;
    pb->obs = obs;
    pb->q = q;
    int n = p->n;
    pb->relevant = calloc((size_t)n, 1);
    pb->nd = malloc((size_t)n * 2 * sizeof *pb->nd);
    pb->dom = malloc((size_t)n * 2 * sizeof *pb->dom);
    pb->typed_dom = malloc((size_t)n * sizeof *pb->typed_dom);
    int *stack = malloc((size_t)n * sizeof *stack);
    if (!pb->relevant || !pb->nd || !pb->dom || !pb->typed_dom || !stack) {
        free(stack);
        return SDB_ENOMEM;
    }
    for (int s = 0; s < st->ns; s++)
        pb->full[s] = s;
    int top = 0;
    for (int i = 0; i < n; i++)
        if ((obs[i].typed || i == q || (keep && keep[i])) && !pb->relevant[i]) {
            pb->relevant[i] = 1;
            stack[top++] = i;
        }
    while (top) {
        int i = stack[--top];
        const int par[2] = {p->father[i], p->mother[i]};
        for (int k = 0; k < 2; k++)
            if (par[k] >= 0 && !pb->relevant[par[k]]) {
                pb->relevant[par[k]] = 1;
                stack[top++] = par[k];
            }
    }
    free(stack);
    for (int i = 0; i < n; i++) {
        const sdb_ped_obs *o = &obs[i];
        int narrow = o->typed && i != q && o->dropout == 0 && o->a[1] != SDB_ALLELE_ANY;
        int nd = st->ns;
        const int *dom = pb->full;
        if (narrow) {
            int k = 0;
            pb->typed_dom[i][k++] = state_of(st, o->a[0]);
            if (o->a[1] != o->a[0]) pb->typed_dom[i][k++] = state_of(st, o->a[1]);
            if (st->silent >= 0) pb->typed_dom[i][k++] = st->silent;
            nd = k;
            dom = pb->typed_dom[i];
        }
        for (int k = 0; k < 2; k++) {
            pb->nd[2 * i + k] = nd;
            pb->dom[2 * i + k] = dom;
        }
    }
    pb->prior = st->prior;
    return SDB_OK;
}

static void problem_free(problem *pb)
{
    drop_factors(pb);
    free(pb->f);
    free(pb->relevant);
    free(pb->nd);
    free(pb->dom);
    free(pb->typed_dom);
}

/* The result of a locus: *log_scale + log(out[...]); out as in eliminate,
 * summed over founder allele assignments when theta > 0. *possible = 0 when
 * every term is zero. */
static int solve(problem *pb, double *out, double *log_scale, int *possible, sdb_diag *d)
{
    const states *st = pb->st;
    size_t nout = pb->q >= 0 ? (size_t)st->ns * (size_t)st->ns : 1;
    if (st->theta == 0) {
        pb->logscale = 0;
        int rc = eliminate(pb, out, possible, d);
        *log_scale = pb->logscale;
        return rc;
    }
    /* theta: enumerate the founders' alleles (the founder variables keep the
     * domains the evidence allows), weight each assignment by the
     * sequential Balding-Nichols draw and eliminate the rest. */
    const sdb_pedlik *p = pb->ped;
    int nfv = 0, rc = SDB_OK;
    int *fv = malloc((size_t)p->n * 2 * sizeof *fv), *c = calloc((size_t)p->n * 2, sizeof *c);
    const int **orig = malloc((size_t)p->n * 2 * sizeof *orig);
    int *orig_nd = malloc((size_t)p->n * 2 * sizeof *orig_nd);
    double *one = malloc(nout * sizeof *one);
    if (!fv || !c || !orig || !orig_nd || !one) {
        rc = SDB_ENOMEM;
        goto done;
    }
    double combos = 1;
    for (int i = 0; i < p->n; i++) {
        if (!pb->relevant[i]) continue;
        if (p->father[i] < 0) fv[nfv++] = 2 * i;
        if (p->mother[i] < 0) fv[nfv++] = 2 * i + 1;
    }
    for (int k = 0; k < nfv; k++)
        combos *= pb->nd[fv[k]];
    if (combos > MAX_COMBOS) {
        sdb_diag_set(d, NULL, 0, "theta",
                     "%.0f founder allele assignments (more than %d): too many to sum "
                     "exactly with theta; type more founders or use theta 0",
                     combos, MAX_COMBOS);
        rc = SDB_ERANGE;
        goto done;
    }
    for (int k = 0; k < nfv; k++) {
        orig[k] = pb->dom[fv[k]];
        orig_nd[k] = pb->nd[fv[k]];
        pb->nd[fv[k]] = 1;
    }
    pb->prior = NULL;
    memset(out, 0, nout * sizeof *out);
    double acc_scale = -INFINITY;
    int cnt[MAX_STATES];
    *possible = 0;
    for (;;) {
        double w = 1;
        memset(cnt, 0, sizeof cnt);
        for (int k = 0; k < nfv; k++) {
            int s = orig[k][c[k]];
            pb->dom[fv[k]] = &orig[k][c[k]];
            w *= (cnt[s] * st->theta + (1 - st->theta) * st->prior[s]) / (1 + (k - 1) * st->theta);
            cnt[s]++;
        }
        if (w > 0) {
            int ok;
            pb->logscale = 0;
            if ((rc = eliminate(pb, one, &ok, d))) goto done;
            if (ok) {
                double s = pb->logscale + log(w);
                if (s > acc_scale) {
                    double shrink = exp(acc_scale - s);
                    for (size_t i = 0; i < nout; i++)
                        out[i] *= shrink;
                    acc_scale = s;
                }
                double g = exp(s - acc_scale);
                for (size_t i = 0; i < nout; i++)
                    out[i] += g * one[i];
                *possible = 1;
            }
        }
        int k = nfv - 1;
        for (; k >= 0; k--) {
            if (++c[k] < orig_nd[k]) break;
            c[k] = 0;
        }
        if (k < 0) break;
    }
    for (int k = 0; k < nfv; k++) {
        pb->dom[fv[k]] = orig[k];
        pb->nd[fv[k]] = orig_nd[k];
    }
    *log_scale = acc_scale;
done:
    free(fv);
    free(c);
    free(orig);
    free(orig_nd);
    free(one);
    return rc;
}

/* ---- public entry points ------------------------------------------------------ */

static int check_query(const sdb_pedlik *p, const sdb_ped_obs *obs, int q, sdb_diag *d)
{
    if (q < 0 || q >= p->n) {
        sdb_diag_set(d, NULL, 0, "missing", "person %d is not in the pedigree", q);
        return SDB_EINVAL;
    }
    if (obs[q].typed) {
        char field[32];
        snprintf(field, sizeof field, "person %d", q);
        sdb_diag_set(d, NULL, 0, field, "the missing person is typed: compare the profile directly");
        return SDB_EINVAL;
    }
    return SDB_OK;
}

static int observations_check(const sdb_ped_obs *obs, int n, const sdb_ped_obs *poi, sdb_diag *d)
{
    for (int i = 0; i <= n; i++) {
        const sdb_ped_obs *o = i < n ? &obs[i] : poi;
        if (!o || !o->typed) continue;
        if (!(o->dropout >= 0 && o->dropout <= 1) || o->a[0] == SDB_ALLELE_ANY) {
            char field[32];
            snprintf(field, sizeof field, i < n ? "person %d" : "poi", i);
            sdb_diag_set(d, NULL, 0, field,
                         o->a[0] == SDB_ALLELE_ANY ? "the first allele is a wildcard"
                                                   : "drop-out probability not in [0, 1]");
            return SDB_EINVAL;
        }
    }
    return SDB_OK;
}

int sdb_pedlik_locus(const sdb_pedlik *p, const sdb_pedlik_model *m, const sdb_freq *f, int pop,
                     const sdb_locus *l, const sdb_ped_obs *obs, double *loglik, sdb_diag *d)
{
    return sdb_pedlik_locus_over(p, m, f, pop, l, obs, NULL, 0, NULL, loglik, d);
}

int sdb_pedlik_locus_over(const sdb_pedlik *p, const sdb_pedlik_model *m, const sdb_freq *f,
                          int pop, const sdb_locus *l, const sdb_ped_obs *obs,
                          const sdb_ped_obs *extra, int n_extra, const unsigned char *keep,
                          double *loglik, sdb_diag *d)
{
    int rc = observations_check(obs, p->n, NULL, d);
    if (rc) return rc;
    states *st = malloc(sizeof *st);
    if (!st) return SDB_ENOMEM;
    problem pb;
    if ((rc = build_states(st, m, f, pop, l, obs, p->n, extra, n_extra, d))) goto out0;
    if ((rc = problem_init(&pb, p, st, obs, -1, keep))) goto out;
    double v, scale;
    int ok;
    if ((rc = solve(&pb, &v, &scale, &ok, d))) goto out;
    *loglik = ok ? scale + log(v) : -INFINITY;
out:
    problem_free(&pb);
out0:
    free(st);
    return rc;
}

/* P_BN of the ordered genotype (x, y) for one person. */
static double single_bn(const states *st, int x, int y)
{
    double px = st->prior[x], py = st->prior[y], t = st->theta;
    return x == y ? px * (t + (1 - t) * px) : px * py * (1 - t);
}

/* T (ns x ns, unnormalised, times exp(*scale)) = P(obs, q = (x, y)). */
static int query_table(const sdb_pedlik *p, const sdb_pedlik_model *m, const sdb_freq *f,
                       int pop, const sdb_locus *l, const sdb_ped_obs *obs, int q,
                       const sdb_ped_obs *poi, states *st, double **t, double *scale, int *ok,
                       sdb_diag *d)
{
    *t = NULL;
    int rc = check_query(p, obs, q, d);
    if (!rc) rc = observations_check(obs, p->n, poi, d);
    if (!rc) rc = build_states(st, m, f, pop, l, obs, p->n, poi, poi ? 1 : 0, d);
    if (rc) return rc;
    problem pb;
    if ((rc = problem_init(&pb, p, st, obs, q, NULL))) goto out;
    if (!(*t = malloc((size_t)st->ns * (size_t)st->ns * sizeof **t))) {
        rc = SDB_ENOMEM;
        goto out;
    }
    rc = solve(&pb, *t, scale, ok, d);
    if (!rc && !*ok) {
        sdb_diag_set(d, NULL, 0, l->name,
                     "the references are impossible in this pedigree (no mutation model "
                     "explains them)");
        rc = SDB_EINVAL;
    }
out:
    if (rc) {
        free(*t);
        *t = NULL;
    }
    problem_free(&pb);
    return rc;
}

int sdb_pedlik_mp_lr(const sdb_pedlik *p, const sdb_pedlik_model *m, const sdb_freq *f, int pop,
                     const sdb_locus *l, const sdb_ped_obs *obs, int q, const sdb_ped_obs *poi,
                     double *lr, sdb_diag *d)
{
    states *st = malloc(sizeof *st);
    if (!st) return SDB_ENOMEM;
    double *t, scale;
    int ok, rc = query_table(p, m, f, pop, l, obs, q, poi, st, &t, &scale, &ok, d);
    if (!rc) {
        int ns = st->ns;
        double num = 0, sum = 0, den = 0;
        for (int x = 0; x < ns; x++)
            for (int y = 0; y < ns; y++) {
                double e = poi && poi->typed ? evidence(st, poi, x, y) : 1;
                num += t[x * ns + y] * e;
                sum += t[x * ns + y];
                den += single_bn(st, x, y) * e;
            }
        *lr = den > 0 ? num / sum / den : 0;
        free(t);
    }
    free(st);
    return rc;
}

int sdb_pedlik_table(const sdb_pedlik *p, const sdb_pedlik_model *m, const sdb_freq *f, int pop,
                     const sdb_locus *l, const sdb_ped_obs *obs, int q, sdb_ped_table *out,
                     sdb_diag *d)
{
    states *st = malloc(sizeof *st);
    if (!st) return SDB_ENOMEM;
    double *t, scale;
    int ok, rc = query_table(p, m, f, pop, l, obs, q, NULL, st, &t, &scale, &ok, d);
    if (!rc) {
        int ns = st->ns, k = st->n, s = st->silent;
        double sum = 0;
        for (int i = 0; i < ns * ns; i++)
            sum += t[i];
        out->k = k;
        memcpy(out->a, st->a, (size_t)k * sizeof *st->a);
        out->loglik = scale + log(sum);
        for (int i = 0; i < k; i++)
            for (int j = i; j < k; j++) {
                double num = t[i * ns + j] + (i != j ? t[j * ns + i] : 0);
                double den = single_bn(st, i, j) + (i != j ? single_bn(st, j, i) : 0);
                if (i == j && s >= 0) {
                    num += t[i * ns + s] + t[s * ns + i];
                    den += single_bn(st, i, s) + single_bn(st, s, i);
                }
                out->lr[i * k + j] = out->lr[j * k + i] = num / sum / den;
            }
        free(t);
    }
    free(st);
    return rc;
}

/* ---- profiles ------------------------------------------------------------------ */

int sdb_pedlik_obs(const sdb_profile *p, const sdb_locus *l, double dropout, sdb_ped_obs *o,
                   sdb_diag *d)
{
    memset(o, 0, sizeof *o);
    const sdb_call *c = p ? sdb_profile_call(p, l->id) : NULL;
    if (!c || c->n == 0) return SDB_OK;
    genotype2 g;
    const char *why = sdb_genotype_of(p, c, &g);
    if (why) {
        sdb_diag_set(d, NULL, 0, l->name, "%s", why);
        return SDB_EINVAL;
    }
    if (g.wildcard == 2) return SDB_OK;
    o->typed = 1;
    o->a[0] = g.a[0];
    o->a[1] = g.a[1];
    o->dropout = dropout;
    return SDB_OK;
}

int sdb_pedlik_mp_profiles(const sdb_pedlik *p, const sdb_pedlik_model *m, const sdb_freq *f,
                           int pop, const sdb_profile *const *typed, int q,
                           const sdb_profile *poi, double dropout, sdb_locus_stat *out,
                           int *n_out, double *total, int *excluded, sdb_diag *d)
{
    const sdb_catalog *cat = sdb_catalog_default();
    *n_out = 0;
    *total = 1;
    *excluded = 0;
    sdb_ped_obs *obs = malloc((size_t)p->n * sizeof *obs);
    if (!obs) return SDB_ENOMEM;
    int rc = SDB_OK;
    for (int k = 0; k < poi->n_calls && !rc; k++) {
        const sdb_locus *l = sdb_catalog_by_id(cat, poi->calls[k].locus);
        if (!l || l->type != SDB_LOCUS_AUTOSOMAL) continue;
        sdb_ped_obs po;
        if ((rc = sdb_pedlik_obs(poi, l, dropout, &po, d))) break;
        if (!po.typed) continue;
        int any = 0;
        for (int i = 0; i < p->n && !rc; i++) {
            rc = sdb_pedlik_obs(typed[i], l, 0, &obs[i], d);
            any |= obs[i].typed;
        }
        if (rc) break;
        sdb_locus_stat *st = &out[(*n_out)++];
        memset(st, 0, sizeof *st);
        st->locus = l->id;
        st->formula = "pedigree likelihood ratio (variable elimination)";
        if (!any) st->note = "no reference typed";
        if ((rc = sdb_pedlik_mp_lr(p, m, f, pop, l, obs, q, &po, &st->value, d))) break;
        if (po.a[0] != SDB_ALLELE_ANY) {
            int how = 0;
            if (sdb_freq_get(f, pop, l, po.a[0], &st->freq[0], &how, NULL) == SDB_OK)
                st->minimum_used |= how == SDB_FREQ_MINIMUM;
            if (po.a[1] != SDB_ALLELE_ANY &&
                sdb_freq_get(f, pop, l, po.a[1], &st->freq[1], &how, NULL) == SDB_OK)
                st->minimum_used |= how == SDB_FREQ_MINIMUM;
        }
        *excluded += st->value == 0;
        *total *= st->value;
    }
    free(obs);
    return rc;
}
