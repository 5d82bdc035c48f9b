/* Missing-person search (include/strdb/missing.h, docs/missing-persons.md).
 *
 * The fast path turns each (family, missing person, locus) into a table
 * of log10 LR over the genotypes the population's alleles make, indexed
 * like the remains' codes, then adds the tables up over every remains: the
 * pedigree is peeled once per family and locus instead of once per pair.
 * Remains that a table cannot answer (an allele outside the population's
 * list, a partial call, drop-out) take the per-pair peeling at that locus,
 * which is exact as well; the test is that both paths agree. */
#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "engine_internal.h"
#include "strdb/missing.h"

enum { CODE_NONE = -1, CODE_PAIR = -2 }; /* untyped; per-pair peeling */

int sdb_mp_family_init(sdb_mp_family *fam, int n)
{
    memset(fam, 0, sizeof *fam);
    fam->n = n;
    fam->ids = calloc((size_t)n + 1, sizeof *fam->ids);
    fam->sex = calloc((size_t)n + 1, 1);
    fam->father = malloc(((size_t)n + 1) * sizeof *fam->father);
    fam->mother = malloc(((size_t)n + 1) * sizeof *fam->mother);
    fam->missing = calloc((size_t)n + 1, 1);
    fam->typed = calloc((size_t)n + 1, sizeof *fam->typed);
    if (!fam->ids || !fam->sex || !fam->father || !fam->mother || !fam->missing || !fam->typed)
        return SDB_ENOMEM;
    for (int i = 0; i < n; i++) {
        fam->father[i] = fam->mother[i] = -1;
        fam->sex[i] = 'U';
    }
    return SDB_OK;
}

int sdb_mp_family_finish(sdb_mp_family *fam, sdb_diag *d)
{
    fam->n_typed = 0;
    for (int i = 0; i < fam->n; i++)
        fam->n_typed += fam->typed[i] != NULL;
    sdb_pedlik_free(fam->ped);
    fam->ped = NULL;
    return sdb_pedlik_new(&fam->ped, fam->n, fam->father, fam->mother, fam->sex, d);
}

void sdb_mp_family_free(sdb_mp_family *fam)
{
    if (!fam) return;
    for (int i = 0; i < fam->n; i++) {
        if (fam->ids) free(fam->ids[i]);
        if (fam->typed && fam->typed[i]) {
            sdb_profile_free(fam->typed[i]);
            free(fam->typed[i]);
        }
    }
    free(fam->name);
    free(fam->case_ref);
    free(fam->ids);
    free(fam->sex);
    free(fam->father);
    free(fam->mother);
    free(fam->missing);
    free(fam->typed);
    sdb_pedlik_free(fam->ped);
    memset(fam, 0, sizeof *fam);
}

void sdb_mp_opts_init(sdb_mp_opts *o)
{
    memset(o, 0, sizeof *o);
    sdb_pedlik_model_init(&o->model);
    o->min_lr = 1;
    o->top = 10;
    o->threads = 2;
}

void sdb_mp_result_free(sdb_mp_result *r)
{
    if (!r) return;
    free(r->by_remains);
    free(r->by_family);
    memset(r, 0, sizeof *r);
}

/* ---- per pair --------------------------------------------------------------- */

/* The references' observations at locus l into obs (person q untyped);
 * 1 if some reference is typed there. */
static int family_obs(const sdb_mp_family *fam, const sdb_locus *l, sdb_ped_obs *obs, int *any,
                      sdb_diag *d)
{
    *any = 0;
    for (int i = 0; i < fam->n; i++) {
        int rc = sdb_pedlik_obs(fam->typed[i], l, 0, &obs[i], d);
        if (rc) return rc;
        *any |= obs[i].typed;
    }
    return SDB_OK;
}

/* "family F, locus L: reason" for a refusal of the pedigree engine. */
static void name_family(sdb_diag *d, const sdb_mp_family *fam, const sdb_locus *l)
{
    sdb_diag_prefix(d, "family '%s', locus %s: ", fam->name, l->name);
}

/* The per-pair LR at one locus: *lr, or *skip when the references are
 * impossible there (the locus then counts for no pair of this family). */
static int pair_locus(const sdb_mp_family *fam, int q, const sdb_pedlik_model *m,
                      const sdb_freq *f, int pop, const sdb_locus *l, const sdb_ped_obs *obs,
                      const sdb_ped_obs *poi, double *lr, int *skip, sdb_diag *d)
{
    *skip = 0;
    sdb_diag dd;
    sdb_diag_clear(&dd);
    int rc = sdb_pedlik_mp_lr(fam->ped, m, f, pop, l, obs, q, poi, lr, &dd);
    if (rc == SDB_EINVAL && strstr(dd.reason, "references are impossible")) {
        *skip = 1;
        return SDB_OK;
    }
    if (rc) {
        *d = dd;
        name_family(d, fam, l);
    }
    return rc;
}

/* sdb_mp_pair; exclusions 0 skips the no-mutation pass (the search's
 * per-pair reference needs only the LR). */
static int pair_all(const sdb_mp_family *fam, int person, const sdb_profile *remains,
                    const sdb_freq *f, int pop, const sdb_mp_opts *o, int exclusions,
                    sdb_locus_stat *out, int *n_out, double *log10_lr, int *excluded, sdb_diag *d)
{
    const sdb_catalog *cat = sdb_catalog_default();
    *n_out = *excluded = 0;
    *log10_lr = 0;
    sdb_ped_obs *obs = malloc(((size_t)fam->n + 1) * sizeof *obs);
    if (!obs) return SDB_ENOMEM;
    sdb_pedlik_model none;
    sdb_pedlik_model_init(&none);
    none.theta = o->model.theta;
    none.silent = o->model.silent;
    int rc = SDB_OK;
    for (int k = 0; k < remains->n_calls && !rc; k++) {
        const sdb_locus *l = sdb_catalog_by_id(cat, remains->calls[k].locus);
        if (!l || l->type != SDB_LOCUS_AUTOSOMAL || !sdb_freq_locus_alleles(f, pop, l->id))
            continue;
        sdb_ped_obs po;
        int any, skip;
        double lr;
        if ((rc = sdb_pedlik_obs(remains, l, o->dropout, &po, d))) break;
        if (!po.typed) continue;
        if ((rc = family_obs(fam, l, obs, &any, d)) || !any) continue;
        if ((rc = pair_locus(fam, person, &o->model, f, pop, l, obs, &po, &lr, &skip, d)) || skip)
            continue;
        sdb_locus_stat *st = &out[(*n_out)++];
        memset(st, 0, sizeof *st);
        st->locus = l->id;
        st->value = lr;
        st->formula = "pedigree likelihood ratio (variable elimination)";
        double lr0 = lr;
        if (exclusions &&
            (o->model.male.kind != SDB_MUT_NONE || o->model.female.kind != SDB_MUT_NONE))
            rc = pair_locus(fam, person, &none, f, pop, l, obs, &po, &lr0, &skip, d);
        if (lr0 == 0) {
            st->note = "excluded without mutation";
            ++*excluded;
        }
        *log10_lr += lr > 0 ? log10(lr) : -INFINITY;
    }
    free(obs);
    return rc;
}

int sdb_mp_pair(const sdb_mp_family *fam, int person, const sdb_profile *remains,
                const sdb_freq *f, int pop, const sdb_mp_opts *o, sdb_locus_stat *out,
                int *n_out, double *log10_lr, int *excluded, sdb_diag *d)
{
    return pair_all(fam, person, remains, f, pop, o, 1, out, n_out, log10_lr, excluded, d);
}

/* ---- the fast path ------------------------------------------------------------ */

typedef struct mp_locus {
    const sdb_locus *l;
    int k;              /* the population's alleles at the locus */
    sdb_allele a[SDB_PED_MAX_ALLELES];
} mp_locus;

typedef struct mp_job {
    const sdb_mp_family *fams;
    int nf;
    const sdb_profile *remains;
    long nr;
    const sdb_freq *f;
    int pop;
    const sdb_mp_opts *o;
    mp_locus *loci;
    int nl;
    int *code;          /* nr x nl: i * k + j (i <= j), CODE_NONE or CODE_PAIR */
    sdb_ped_obs *pobs;  /* nr x nl: the remains' observations */
    atomic_int next;    /* the next family to take */
    int threads;
    struct mp_part {
        sdb_mp_hit *by_remains; /* nr x top */
        int *n_by_remains;      /* nr */
        sdb_mp_hit *by_family;
        long n_by_family, cap_by_family;
        long long pairs;
        long fallback;
        sdb_diag d;
    } *part;
} mp_job;

/* Inserts h into the list of at most top hits, best first. */
static void top_insert(sdb_mp_hit *list, int *n, int top, const sdb_mp_hit *h)
{
    if (*n == top && h->log10_lr <= list[top - 1].log10_lr) return;
    int i = *n < top ? (*n)++ : top - 1;
    while (i > 0 && list[i - 1].log10_lr < h->log10_lr) {
        list[i] = list[i - 1];
        i--;
    }
    list[i] = *h;
}

static int locus_index(const mp_locus *L, sdb_allele a)
{
    for (int i = 0; i < L->k; i++)
        if (L->a[i] == a) return i;
    return -1;
}

/* The remains' codes and observations at every locus. */
static int encode_remains(mp_job *j, sdb_diag *d)
{
    for (long r = 0; r < j->nr; r++)
        for (int x = 0; x < j->nl; x++) {
            sdb_ped_obs *o = &j->pobs[r * j->nl + x];
            int rc = sdb_pedlik_obs(&j->remains[r], j->loci[x].l, j->o->dropout, o, d);
            if (rc) {
                sdb_diag_prefix(d, "remains '%s': ",
                                j->remains[r].sample_id ? j->remains[r].sample_id : "?");
                return rc;
            }
            int *c = &j->code[r * j->nl + x];
            *c = CODE_NONE;
            if (!o->typed) continue;
            int a = locus_index(&j->loci[x], o->a[0]);
            int b = o->a[1] == SDB_ALLELE_ANY ? -1 : locus_index(&j->loci[x], o->a[1]);
            if (a < 0 || b < 0 || o->dropout > 0)
                *c = CODE_PAIR;
            else
                *c = a < b ? a * j->loci[x].k + b : b * j->loci[x].k + a;
        }
    return SDB_OK;
}

/* Per-family scratch: the observations, and the log10 LR tables of the
 * loci where a reference is typed. */
typedef struct fam_tables {
    sdb_ped_obs *obs;    /* nl x persons */
    double *lt;          /* nl x 255 x 255 */
    int *active;         /* loci with a table */
    int n_active;
    sdb_ped_table *t;
} fam_tables;

static int build_tables(mp_job *j, const sdb_mp_family *fam, int q, fam_tables *ft, sdb_diag *d)
{
    ft->n_active = 0;
    int np = fam->n;
    for (int x = 0; x < j->nl; x++) {
        const mp_locus *L = &j->loci[x];
        sdb_ped_obs *obs = &ft->obs[(size_t)x * np];
        int any, rc = family_obs(fam, L->l, obs, &any, d);
        if (rc) return rc;
        if (!any) continue;
        sdb_diag dd;
        sdb_diag_clear(&dd);
        rc = sdb_pedlik_table(fam->ped, &j->o->model, j->f, j->pop, L->l, obs, q, ft->t, &dd);
        if (rc == SDB_EINVAL && strstr(dd.reason, "references are impossible")) continue;
        if (rc) {
            *d = dd;
            name_family(d, fam, L->l);
            return rc;
        }
        /* the table lists the population's alleles first, then any others */
        double *lt = &ft->lt[(size_t)x * SDB_PED_MAX_ALLELES * SDB_PED_MAX_ALLELES];
        int map[SDB_PED_MAX_ALLELES], kt = ft->t->k;
        for (int i = 0; i < L->k; i++) {
            map[i] = i < kt && ft->t->a[i] == L->a[i] ? i : -1;
            for (int u = 0; map[i] < 0 && u < kt; u++)
                if (ft->t->a[u] == L->a[i]) map[i] = u;
        }
        for (int a = 0; a < L->k; a++)
            for (int b = a; b < L->k; b++) {
                double lr = map[a] >= 0 && map[b] >= 0 ? ft->t->lr[map[a] * kt + map[b]] : NAN;
                lt[a * L->k + b] = lr > 0 ? log10(lr) : lr == 0 ? -INFINITY : NAN;
            }
        ft->active[ft->n_active++] = x;
    }
    return SDB_OK;
}

/* The LR of one remains against (family, q) from the tables; NaN entries
 * (an allele the table lacked) and CODE_PAIR take the per-pair path. */
static int score(mp_job *j, struct mp_part *pt, const sdb_mp_family *fam, int q,
                 const fam_tables *ft, long r, double *out, int *loci, sdb_diag *d)
{
    double s = 0;
    int n = 0;
    const int *code = &j->code[r * j->nl];
    for (int i = 0; i < ft->n_active; i++) {
        int x = ft->active[i], c = code[x];
        if (c == CODE_NONE) continue;
        double v = c >= 0 ? ft->lt[(size_t)x * SDB_PED_MAX_ALLELES * SDB_PED_MAX_ALLELES + c]
                          : NAN;
        if (isnan(v)) {
            int skip;
            double lr;
            pt->fallback++;
            int rc = pair_locus(fam, q, &j->o->model, j->f, j->pop, j->loci[x].l,
                                &ft->obs[(size_t)x * fam->n], &j->pobs[r * j->nl + x], &lr,
                                &skip, d);
            if (rc) return rc;
            if (skip) continue;
            v = lr > 0 ? log10(lr) : -INFINITY;
        }
        s += v;
        n++;
    }
    *out = s;
    *loci = n;
    return SDB_OK;
}

static int family_search(mp_job *j, struct mp_part *pt, int fi, fam_tables *ft)
{
    const sdb_mp_family *fam = &j->fams[fi];
    const sdb_mp_opts *o = j->o;
    double min = o->min_lr > 0 ? log10(o->min_lr) : -INFINITY;
    sdb_mp_hit *ftop = malloc((size_t)o->top * sizeof *ftop);
    if (!ftop) return SDB_ENOMEM;
    int nft = 0, rc = SDB_OK;
    for (int q = 0; q < fam->n && !rc; q++) {
        if (!fam->missing[q]) continue;
        if ((rc = build_tables(j, fam, q, ft, &pt->d))) break;
        for (long r = 0; r < j->nr && !rc; r++) {
            sdb_mp_hit h = {fi, q, r, 0, 0};
            if (o->per_pair) {
                sdb_locus_stat st[256];
                int n_out = 0, excluded;
                rc = j->remains[r].n_calls <= 256
                         ? pair_all(fam, q, &j->remains[r], j->f, j->pop, o, 0, st, &n_out,
                                    &h.log10_lr, &excluded, &pt->d)
                         : SDB_EINVAL;
                h.loci = n_out;
            } else
                rc = score(j, pt, fam, q, ft, r, &h.log10_lr, &h.loci, &pt->d);
            pt->pairs++;
            if (rc || h.log10_lr < min || !h.loci) continue;
            top_insert(&pt->by_remains[r * o->top], &pt->n_by_remains[r], o->top, &h);
            top_insert(ftop, &nft, o->top, &h);
        }
    }
    if (!rc && pt->n_by_family + nft > pt->cap_by_family) {
        long cap = 2 * (pt->n_by_family + nft) + 64;
        sdb_mp_hit *g = realloc(pt->by_family, (size_t)cap * sizeof *g);
        if (!g) rc = SDB_ENOMEM;
        else {
            pt->by_family = g;
            pt->cap_by_family = cap;
        }
    }
    if (!rc) {
        if (nft) memcpy(pt->by_family + pt->n_by_family, ftop, (size_t)nft * sizeof *ftop);
        pt->n_by_family += nft;
    }
    free(ftop);
    return rc;
}

static int worker(void *arg, int tid)
{
    mp_job *j = arg;
    struct mp_part *pt = &j->part[tid];
    int maxp = 1;
    for (int f = 0; f < j->nf; f++)
        if (j->fams[f].n > maxp) maxp = j->fams[f].n;
    fam_tables ft = {0};
    ft.obs = malloc(((size_t)j->nl + 1) * (size_t)maxp * sizeof *ft.obs);
    ft.lt = malloc(((size_t)j->nl + 1) * SDB_PED_MAX_ALLELES * SDB_PED_MAX_ALLELES * sizeof *ft.lt);
    ft.active = malloc(((size_t)j->nl + 1) * sizeof *ft.active);
    ft.t = malloc(sizeof *ft.t);
    int rc = ft.obs && ft.lt && ft.active && ft.t ? SDB_OK : SDB_ENOMEM;
    for (int f; !rc && (f = atomic_fetch_add(&j->next, 1)) < j->nf;)
        rc = family_search(j, pt, f, &ft);
    free(ft.obs);
    free(ft.lt);
    free(ft.active);
    free(ft.t);
    return rc;
}

static int cmp_hit_remains(const void *a, const void *b)
{
    const sdb_mp_hit *x = a, *y = b;
    if (x->remains != y->remains) return x->remains < y->remains ? -1 : 1;
    if (x->log10_lr != y->log10_lr) return x->log10_lr > y->log10_lr ? -1 : 1;
    if (x->family != y->family) return x->family < y->family ? -1 : 1;
    return (x->person > y->person) - (x->person < y->person);
}

static int cmp_hit_family(const void *a, const void *b)
{
    const sdb_mp_hit *x = a, *y = b;
    if (x->family != y->family) return x->family < y->family ? -1 : 1;
    if (x->log10_lr != y->log10_lr) return x->log10_lr > y->log10_lr ? -1 : 1;
    if (x->remains != y->remains) return x->remains < y->remains ? -1 : 1;
    return (x->person > y->person) - (x->person < y->person);
}

/* The parts' lists into r: per remains the best top of all threads; per
 * family each thread's list is whole already. */
static int merge(mp_job *j, sdb_mp_result *r)
{
    int top = j->o->top, nt = j->threads;
    long n = 0, nf = 0;
    for (int t = 0; t < nt; t++) {
        nf += j->part[t].n_by_family;
        for (long x = 0; x < j->nr; x++)
            n += j->part[t].n_by_remains[x];
    }
    r->by_remains = malloc(((size_t)n + 1) * sizeof *r->by_remains);
    r->by_family = malloc(((size_t)nf + 1) * sizeof *r->by_family);
    if (!r->by_remains || !r->by_family) return SDB_ENOMEM;
    for (int t = 0; t < nt; t++) {
        struct mp_part *pt = &j->part[t];
        for (long x = 0; x < j->nr; x++)
            for (int i = 0; i < pt->n_by_remains[x]; i++)
                r->by_remains[r->n_by_remains++] = pt->by_remains[x * top + i];
        if (pt->n_by_family)
            memcpy(r->by_family + r->n_by_family, pt->by_family,
                   (size_t)pt->n_by_family * sizeof *pt->by_family);
        r->n_by_family += pt->n_by_family;
        r->pairs += pt->pairs;
        r->fallback_loci += pt->fallback;
    }
    qsort(r->by_remains, (size_t)r->n_by_remains, sizeof *r->by_remains, cmp_hit_remains);
    qsort(r->by_family, (size_t)r->n_by_family, sizeof *r->by_family, cmp_hit_family);
    /* keep top per remains */
    long w = 0;
    for (long i = 0, run = 0; i < r->n_by_remains; i++) {
        run = i && r->by_remains[i].remains == r->by_remains[i - 1].remains ? run + 1 : 0;
        if (run < top) r->by_remains[w++] = r->by_remains[i];
    }
    r->n_by_remains = w;
    return SDB_OK;
}

/* The loci of the population's table, with their allele lists. */
static int table_loci(mp_job *j)
{
    const sdb_catalog *cat = sdb_catalog_default();
    int nc = sdb_catalog_count(cat);
    j->loci = malloc(((size_t)nc + 2) * sizeof *j->loci);
    if (!j->loci) return SDB_ENOMEM;
    for (int id = 0; id <= nc + 1; id++) {
        const sdb_locus *l = sdb_catalog_by_id(cat, (unsigned)id);
        if (!l || l->type != SDB_LOCUS_AUTOSOMAL) continue;
        int k = sdb_freq_locus_alleles(j->f, j->pop, l->id);
        if (k <= 0 || k > SDB_PED_MAX_ALLELES || j->nl == nc + 2) continue;
        mp_locus *L = &j->loci[j->nl];
        L->l = l;
        L->k = 0;
        for (int i = 0; i < k; i++) {
            double p;
            if (!sdb_freq_locus_allele(j->f, j->pop, l->id, i, &L->a[L->k], &p) &&
                locus_index(L, L->a[L->k]) < 0)
                L->k++;
        }
        j->nl++;
    }
    return SDB_OK;
}

int sdb_mp_search(const sdb_mp_family *fams, int n_families, const sdb_profile *remains,
                  long n_remains, const sdb_freq *f, int pop, const sdb_mp_opts *o,
                  sdb_mp_result *r, sdb_diag *d)
{
    memset(r, 0, sizeof *r);
    if (o->top < 1) {
        sdb_diag_set(d, NULL, 0, "top", "top must be at least 1");
        return SDB_EINVAL;
    }
    mp_job j = {.fams = fams, .nf = n_families, .remains = remains, .nr = n_remains, .f = f,
                .pop = pop, .o = o};
    atomic_init(&j.next, 0);
    j.threads = o->threads < 1 ? 1 : o->threads > SDB_MAX_THREADS ? SDB_MAX_THREADS : o->threads;
    int rc = table_loci(&j);
    size_t cells = (size_t)n_remains * (size_t)(j.nl ? j.nl : 1) + 1;
    if (!rc) {
        j.code = malloc(cells * sizeof *j.code);
        j.pobs = malloc(cells * sizeof *j.pobs);
        j.part = calloc((size_t)j.threads, sizeof *j.part);
        rc = j.code && j.pobs && j.part ? encode_remains(&j, d) : SDB_ENOMEM;
    }
    for (int t = 0; !rc && t < j.threads; t++) {
        j.part[t].by_remains = malloc(((size_t)n_remains * (size_t)o->top + 1) *
                                      sizeof *j.part[t].by_remains);
        j.part[t].n_by_remains = calloc((size_t)n_remains + 1, sizeof *j.part[t].n_by_remains);
        if (!j.part[t].by_remains || !j.part[t].n_by_remains) rc = SDB_ENOMEM;
        sdb_diag_clear(&j.part[t].d);
    }
    if (!rc) {
        rc = sdb_parallel_for(j.threads, worker, &j);
        for (int t = 0; rc && t < j.threads; t++)
            if (j.part[t].d.reason[0]) {
                *d = j.part[t].d;
                break;
            }
    }
    if (!rc) rc = merge(&j, r);
    for (int t = 0; j.part && t < j.threads; t++) {
        free(j.part[t].by_remains);
        free(j.part[t].n_by_remains);
        free(j.part[t].by_family);
    }
    free(j.part);
    free(j.code);
    free(j.pobs);
    free(j.loci);
    if (rc) sdb_mp_result_free(r);
    return rc;
}
