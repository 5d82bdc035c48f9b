/* Forward simulation of a population with pedigrees and genotypes.
 *
 * Per generation: fitness weights for the parents (Gamma, by a
 * Marsaglia-Tsang draw keyed on the parent), alias tables for men and women,
 * then the children in parallel ranges: each child's sex, parents, Y
 * haplotype and autosomal alleles come from sdb_sim_hash(seed, generation,
 * child, purpose), so any split of the range gives the same result. The
 * callback then sees the children on the calling thread in index order. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine_internal.h"
#include "strdb/simulate.h"

#define ID_SHIFT 40

/* Typical founder alleles of Y loci (repeat numbers): the allele of the kit's
 * positive control in kit_panels_loci.csv (Yfiler Plus, PowerPlex Y23), or a
 * common allele for loci without one. Founders without a real haplotype
 * draw center + round(N(0, 1.5)) per copy. */
static const struct {
    const char *locus;
    double center[4];
} y_centers[] = {
    {"DYS19", {14}},
    {"DYS385", {11, 14}},
    {"DYS389I", {13}},
    {"DYS389II", {29}},
    {"DYS389II-I", {16}},
    {"DYS390", {24}},
    {"DYS391", {10}},
    {"DYS392", {13}},
    {"DYS393", {13}},
    {"DYS437", {14}},
    {"DYS438", {12}},
    {"DYS439", {12}},
    {"DYS448", {19}},
    {"DYS449", {30}},
    {"DYS456", {15}},
    {"DYS458", {17}},
    {"DYS460", {11}},
    {"DYS481", {22}},
    {"DYS518", {37}},
    {"DYS527", {20, 22}},
    {"DYS533", {12}},
    {"DYS549", {13}},
    {"DYS570", {17}},
    {"DYS576", {18}},
    {"DYS627", {21}},
    {"DYS635", {23}},
    {"DYS643", {10}},
    {"DYF387S1", {35, 37}},
    {"DYS464", {12, 13, 15, 16}},
    {"YGATAH4", {11}},
    {"Yindel", {2}},
};

void sdb_sim_opts_init(sdb_sim_opts *o)
{
    memset(o, 0, sizeof *o);
    o->seed = 1;
    o->generations = 10;
    o->founders = 1000;
    o->two_step = 0.03;
    o->threads = 1;
}

static uint64_t mix(uint64_t z)
{
    z += 0x9E3779B97F4A7C15ULL;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

uint64_t sdb_sim_hash(uint64_t seed, uint64_t a, uint64_t b, uint64_t c)
{
    return mix(mix(mix(mix(seed) ^ a) ^ b) ^ c);
}

/* A per-person random stream: successive draws of one key. */
typedef struct rng {
    uint64_t key, n;
} rng;

static rng rng_for(uint64_t seed, uint64_t gen, uint64_t index, uint64_t purpose)
{
    return (rng){sdb_sim_hash(seed, gen, index, purpose), 0};
}

static uint64_t next_u64(rng *r)
{
    return mix(r->key + r->n++ * 0x9E3779B97F4A7C15ULL);
}

static double next_unit(rng *r) /* [0, 1) */
{
    return (double)(next_u64(r) >> 11) * 0x1.0p-53;
}

static double next_normal(rng *r)
{
    double u = next_unit(r), v = next_unit(r);
    return sqrt(-2 * log(1 - u)) * cos(2 * M_PI * v);
}

/* Gamma(shape, scale 1/shape), mean 1 (Marsaglia and Tsang 2000; for
 * shape < 1, Gamma(shape + 1) * U^(1/shape)). */
static double next_gamma(rng *r, double shape)
{
    double a = shape, boost = 1;
    if (a < 1) {
        boost = pow(next_unit(r), 1 / a);
        a += 1;
    }
    double d = a - 1.0 / 3, c = 1 / sqrt(9 * d);
    for (;;) {
        double x = next_normal(r), v = 1 + c * x;
        if (v <= 0) continue;
        v = v * v * v;
        double u = next_unit(r);
        if (log(u) < 0.5 * x * x + d - d * v + d * log(v)) return boost * d * v / shape;
    }
}

/* Walker alias table over weights w[0..n). */
typedef struct alias {
    double *prob;
    uint32_t *other;
    uint32_t *member; /* person index of entry i */
    long n;
} alias;

static void alias_free(alias *a)
{
    free(a->prob);
    free(a->other);
    free(a->member);
    memset(a, 0, sizeof *a);
}

static int alias_build(alias *a, const double *w, const uint32_t *member, long n)
{
    a->n = n;
    a->prob = malloc((size_t)(n ? n : 1) * sizeof *a->prob);
    a->other = malloc((size_t)(n ? n : 1) * sizeof *a->other);
    a->member = malloc((size_t)(n ? n : 1) * sizeof *a->member);
    uint32_t *small = malloc((size_t)(n ? n : 1) * sizeof *small),
             *large = malloc((size_t)(n ? n : 1) * sizeof *large);
    if (!a->prob || !a->other || !a->member || !small || !large) {
        free(small);
        free(large);
        return SDB_ENOMEM;
    }
    double sum = 0;
    for (long i = 0; i < n; i++)
        sum += w[i];
    long ns = 0, nl = 0;
    for (long i = 0; i < n; i++) {
        a->member[i] = member[i];
        a->prob[i] = w[i] * (double)n / sum;
        a->other[i] = (uint32_t)i;
        if (a->prob[i] < 1)
            small[ns++] = (uint32_t)i;
        else
            large[nl++] = (uint32_t)i;
    }
    while (ns && nl) {
        uint32_t s = small[--ns], l = large[nl - 1];
        a->other[s] = l;
        a->prob[l] -= 1 - a->prob[s];
        if (a->prob[l] < 1) {
            nl--;
            small[ns++] = l;
        }
    }
    while (nl)
        a->prob[large[--nl]] = 1;
    while (ns)
        a->prob[small[--ns]] = 1;
    free(small);
    free(large);
    return SDB_OK;
}

static uint32_t alias_draw(const alias *a, rng *r)
{
    uint64_t x = next_u64(r);
    long i = (long)((x >> 32) % (uint64_t)a->n);
    double u = (double)(x & 0xFFFFFFFFu) * 0x1.0p-32;
    return a->member[u < a->prob[i] ? i : a->other[i]];
}

/* The loci simulated, in catalog order: Y loci (with copies) then autosomal. */
typedef struct sim_loci {
    const sdb_locus *y[64];
    int n_y, y_slots; /* y_slots: total copies */
    const sdb_locus *a[128];
    int n_a;
} sim_loci;

/* One generation: per person sex, parents and genotypes in flat arrays. */
typedef struct generation {
    long n;
    uint8_t *male;
    uint32_t *father, *mother; /* indexes into the previous generation */
    uint16_t *y;               /* n * y_slots allele codes */
    uint16_t *autosomal;       /* n * n_a * 2 allele codes */
    uint16_t *y_mut;           /* mutations received */
} generation;

static void gen_free(generation *g)
{
    free(g->male);
    free(g->father);
    free(g->mother);
    free(g->y);
    free(g->autosomal);
    free(g->y_mut);
    memset(g, 0, sizeof *g);
}

static int gen_alloc(generation *g, long n, const sim_loci *L)
{
    size_t m = (size_t)(n ? n : 1);
    g->n = n;
    g->male = calloc(m, 1);
    g->father = calloc(m, sizeof *g->father);
    g->mother = calloc(m, sizeof *g->mother);
    g->y = calloc(m * (size_t)(L->y_slots ? L->y_slots : 1), sizeof *g->y);
    g->autosomal = calloc(m * (size_t)(L->n_a ? 2 * L->n_a : 1), sizeof *g->autosomal);
    g->y_mut = calloc(m, sizeof *g->y_mut);
    return g->male && g->father && g->mother && g->y && g->autosomal && g->y_mut ? SDB_OK
                                                                                 : SDB_ENOMEM;
}

typedef struct sim {
    const sdb_catalog *cat;
    const sdb_sim_opts *o;
    sim_loci L;
    uint64_t *cum_freq[128]; /* per autosomal locus: cumulative thresholds */
    uint16_t *freq_allele[128];
    int n_freq[128];
    generation prev, cur;
    alias men, women;
    int g;
} sim;

static int find_center(const sdb_locus *l, double *center)
{
    for (size_t i = 0; i < sizeof y_centers / sizeof *y_centers; i++)
        if (!strcmp(y_centers[i].locus, l->name)) {
            memcpy(center, y_centers[i].center, sizeof y_centers[i].center);
            return 0;
        }
    return -1;
}

static int choose_loci(sim *s, sdb_diag *d)
{
    for (int i = 0; i < sdb_catalog_count(s->cat); i++) {
        const sdb_locus *l = sdb_catalog_at(s->cat, i);
        if (s->o->y_kit && l->type == SDB_LOCUS_Y && sdb_locus_in_set(l, s->o->y_kit)) {
            if (s->L.n_y == 64) return SDB_EINVAL;
            s->L.y[s->L.n_y++] = l;
            s->L.y_slots += l->copies;
        }
        if (s->o->autosomal_kit && l->type == SDB_LOCUS_AUTOSOMAL &&
            sdb_locus_in_set(l, s->o->autosomal_kit)) {
            if (s->L.n_a == 128) return SDB_EINVAL;
            s->L.a[s->L.n_a++] = l;
        }
    }
    if (s->o->y_kit && !s->L.n_y) {
        sdb_diag_set(d, NULL, 0, "--y-kit", "no Y locus in kit '%s'", s->o->y_kit);
        return SDB_EINVAL;
    }
    if (s->o->autosomal_kit && !s->L.n_a) {
        sdb_diag_set(d, NULL, 0, "--kit", "no autosomal locus in kit '%s'", s->o->autosomal_kit);
        return SDB_EINVAL;
    }
    return SDB_OK;
}

/* Cumulative founder distributions from the frequency table (normalised). */
static int build_freqs(sim *s, sdb_diag *d)
{
    for (int k = 0; k < s->L.n_a; k++) {
        const sdb_locus *l = s->L.a[k];
        int n = sdb_freq_locus_alleles(s->o->freq, s->o->pop, l->id);
        if (n == 0) {
            sdb_diag_set(d, NULL, 0, l->name, "locus not in the frequency table");
            return SDB_EINVAL;
        }
        s->cum_freq[k] = malloc((size_t)n * sizeof *s->cum_freq[k]);
        s->freq_allele[k] = malloc((size_t)n * sizeof *s->freq_allele[k]);
        if (!s->cum_freq[k] || !s->freq_allele[k]) return SDB_ENOMEM;
        double total = 0, run = 0;
        for (int i = 0; i < n; i++) {
            sdb_allele a;
            double p;
            if (!sdb_freq_locus_allele(s->o->freq, s->o->pop, l->id, i, &a, &p)) total += p;
        }
        for (int i = 0; i < n; i++) {
            sdb_allele a;
            double p = 0;
            if (sdb_freq_locus_allele(s->o->freq, s->o->pop, l->id, i, &a, &p)) a = 0;
            run += p / total;
            s->cum_freq[k][i] = i == n - 1 ? UINT64_MAX : (uint64_t)(run * 18446744073709551615.0);
            s->freq_allele[k][i] = (uint16_t)a;
        }
        s->n_freq[k] = n;
    }
    return SDB_OK;
}

static uint16_t draw_founder_allele(const sim *s, int k, rng *r)
{
    uint64_t x = next_u64(r);
    int lo = 0, hi = s->n_freq[k] - 1;
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (x <= s->cum_freq[k][mid])
            hi = mid;
        else
            lo = mid + 1;
    }
    return s->freq_allele[k][lo];
}

/* Founder Y haplotype: a real one (its loci; others from the centers). */
static void founder_y(const sim *s, long i, rng *r, uint16_t *y)
{
    const sdb_profile *real = NULL;
    if (s->o->n_y_founders > 0) real = s->o->y_founders[next_u64(r) % (uint64_t)s->o->n_y_founders];
    int slot = 0;
    for (int k = 0; k < s->L.n_y; k++) {
        const sdb_locus *l = s->L.y[k];
        const sdb_call *c = real ? sdb_profile_call(real, l->id) : NULL;
        double center[4] = {0};
        int have_center = find_center(l, center) == 0;
        for (int cp = 0; cp < l->copies; cp++) {
            uint16_t a;
            if (c && c->n == l->copies && sdb_allele_is_numeric(real->alleles[c->first + cp]))
                a = (uint16_t)real->alleles[c->first + cp];
            else {
                double base = have_center ? center[cp] : 15;
                long v = lround(base + 1.5 * next_normal(r));
                a = (uint16_t)(10 * (v < 1 ? 1 : v));
            }
            y[slot + cp] = a;
        }
        /* keep multi-copy loci sorted, as profiles store them */
        for (int x = 1; x < l->copies; x++)
            for (int z = x; z > 0 && y[slot + z - 1] > y[slot + z]; z--) {
                uint16_t t = y[slot + z];
                y[slot + z] = y[slot + z - 1];
                y[slot + z - 1] = t;
            }
        slot += l->copies;
    }
    (void)i;
}

static void make_founder(const sim *s, long i, generation *g)
{
    rng r = rng_for(s->o->seed, 0, (uint64_t)i, 1);
    g->male[i] = next_u64(&r) & 1;
    g->father[i] = g->mother[i] = UINT32_MAX;
    if (s->L.n_y && g->male[i]) founder_y(s, i, &r, g->y + (size_t)i * (size_t)s->L.y_slots);
    for (int k = 0; k < s->L.n_a; k++)
        for (int h = 0; h < 2; h++)
            g->autosomal[((size_t)i * (size_t)s->L.n_a + (size_t)k) * 2 + (size_t)h] =
                draw_founder_allele(s, k, &r);
}

/* One step up or down (two with probability two_step), floored at 1 repeat. */
static uint16_t mutate_step(uint16_t a, double two_step, rng *r)
{
    int steps = next_unit(r) < two_step ? 2 : 1;
    int up = next_u64(r) & 1;
    int v = a + (up ? 10 : -10) * steps;
    return (uint16_t)(v < 10 ? a : v);
}

static void make_child(const sim *s, long i, generation *g)
{
    rng r = rng_for(s->o->seed, (uint64_t)s->g, (uint64_t)i, 2);
    g->male[i] = next_u64(&r) & 1;
    uint32_t f = alias_draw(&s->men, &r), m = alias_draw(&s->women, &r);
    if (s->o->couples > 0 && next_unit(&r) < s->o->couples) {
        /* the mother's partner: one man per woman, drawn from her own key */
        rng pr = rng_for(s->o->seed, (uint64_t)s->g - 1, m, 3);
        f = alias_draw(&s->men, &pr);
    }
    g->father[i] = f;
    g->mother[i] = m;
    g->y_mut[i] = 0;
    if (s->L.n_y && g->male[i]) {
        const uint16_t *fy = s->prev.y + (size_t)f * (size_t)s->L.y_slots;
        uint16_t *y = g->y + (size_t)i * (size_t)s->L.y_slots;
        int slot = 0;
        for (int k = 0; k < s->L.n_y; k++) {
            const sdb_locus *l = s->L.y[k];
            for (int cp = 0; cp < l->copies; cp++) {
                y[slot + cp] = fy[slot + cp];
                if (next_unit(&r) < l->mutation_rate) {
                    y[slot + cp] = mutate_step(y[slot + cp], s->o->two_step, &r);
                    g->y_mut[i]++;
                }
            }
            slot += l->copies;
        }
    }
    size_t na = (size_t)s->L.n_a;
    for (size_t k = 0; k < na; k++) {
        const uint16_t *pf = s->prev.autosomal + ((size_t)f * na + k) * 2,
                       *pm = s->prev.autosomal + ((size_t)m * na + k) * 2;
        uint16_t *c = g->autosomal + ((size_t)i * na + k) * 2;
        c[0] = pf[next_u64(&r) & 1];
        c[1] = pm[next_u64(&r) & 1];
        for (int h = 0; h < 2; h++)
            if (s->o->autosomal_mutation > 0 && next_unit(&r) < s->o->autosomal_mutation)
                c[h] = mutate_step(c[h], 0, &r);
    }
}

/* Fitness alias tables of the men and the women of s->prev. */
static int build_parents(sim *s)
{
    long n = s->prev.n, nm = 0, nw = 0;
    double *wm = malloc((size_t)(n ? n : 1) * sizeof *wm),
           *ww = malloc((size_t)(n ? n : 1) * sizeof *ww);
    uint32_t *im = malloc((size_t)(n ? n : 1) * sizeof *im),
             *iw = malloc((size_t)(n ? n : 1) * sizeof *iw);
    int rc = SDB_ENOMEM;
    if (!wm || !ww || !im || !iw) goto done;
    for (long i = 0; i < n; i++) {
        double w = 1;
        if (s->o->family_shape > 0) {
            rng r = rng_for(s->o->seed, (uint64_t)(s->g - 1), (uint64_t)i, 3);
            w = next_gamma(&r, s->o->family_shape);
        }
        if (s->prev.male[i])
            wm[nm] = w, im[nm++] = (uint32_t)i;
        else
            ww[nw] = w, iw[nw++] = (uint32_t)i;
    }
    rc = SDB_EINVAL;
    if (!nm || !nw) goto done; /* a generation without men or women: extinct */
    alias_free(&s->men);
    alias_free(&s->women);
    rc = alias_build(&s->men, wm, im, nm);
    if (!rc) rc = alias_build(&s->women, ww, iw, nw);
done:
    free(wm);
    free(ww);
    free(im);
    free(iw);
    return rc;
}

typedef struct range_job {
    sim *s;
    long begin, end;
    int founders;
} range_job;

static void *run_range(void *arg)
{
    range_job *j = arg;
    for (long i = j->begin; i < j->end; i++) {
        if (j->founders)
            make_founder(j->s, i, &j->s->cur);
        else
            make_child(j->s, i, &j->s->cur);
    }
    return NULL;
}

static int range_part(void *jobs, int k)
{
    run_range(&((range_job *)jobs)[k]);
    return SDB_OK;
}

/* Parallel-for over the persons of the current generation. */
static int fill_generation(sim *s, int founders)
{
    int t = s->o->threads < 1 ? 1 : s->o->threads > SDB_MAX_THREADS ? SDB_MAX_THREADS : s->o->threads;
    range_job jobs[SDB_MAX_THREADS];
    long n = s->cur.n;
    for (int k = 0; k < t; k++)
        jobs[k] = (range_job){s, n * k / t, n * (k + 1) / t, founders};
    return sdb_parallel_for(t, range_part, jobs);
}

void sdb_sim_name(uint64_t id, char buf[32])
{
    snprintf(buf, 32, "G%llu-%llu", (unsigned long long)(id >> ID_SHIFT),
             (unsigned long long)(id & ((1ULL << ID_SHIFT) - 1)));
}

/* Builds person i's profiles: Y haplotype (men) and autosomal genotype. */
static int build_profiles(const sim *s, long i, const char *name, sdb_profile *a, sdb_profile *y)
{
    char yname[40];
    snprintf(yname, sizeof yname, "%sY", name);
    sdb_profile_reset(a);
    sdb_profile_reset(y);
    if (sdb_profile_set_id(a, name, -1) || sdb_profile_set_id(y, yname, -1)) return SDB_ENOMEM;
    size_t slot = (size_t)i * (size_t)s->L.y_slots;
    for (int k = 0; k < s->L.n_y && s->cur.male[i]; k++)
        for (int cp = 0; cp < s->L.y[k]->copies; cp++)
            if (sdb_profile_add(y, s->L.y[k], s->cur.y[slot++])) return SDB_ENOMEM;
    size_t base = (size_t)i * (size_t)s->L.n_a * 2;
    for (int k = 0; k < s->L.n_a; k++)
        for (int h = 0; h < 2; h++)
            if (sdb_profile_add(a, s->L.a[k], s->cur.autosomal[base + (size_t)k * 2 + (size_t)h]))
                return SDB_ENOMEM;
    if (sdb_profile_finish(a, s->cat) || sdb_profile_finish(y, s->cat)) return SDB_ENOMEM;
    return SDB_OK;
}

/* Hands the current generation to the callback, person by person. */
static int emit(sim *s, sdb_sim_person_fn fn, void *arg, sdb_profile *a, sdb_profile *y)
{
    for (long i = 0; i < s->cur.n; i++) {
        char name[32];
        sdb_sim_person x = {((uint64_t)s->g << ID_SHIFT) | (uint64_t)i,
                            0,
                            0,
                            s->g,
                            s->cur.male[i],
                            s->cur.y_mut[i],
                            name,
                            NULL,
                            NULL};
        if (s->g > 0) {
            x.father = ((uint64_t)(s->g - 1) << ID_SHIFT) | s->cur.father[i];
            x.mother = ((uint64_t)(s->g - 1) << ID_SHIFT) | s->cur.mother[i];
        }
        sdb_sim_name(x.id, name);
        if (!s->o->want_profiles || s->o->want_profiles(arg, x.id, x.generation)) {
            if (build_profiles(s, i, name, a, y)) return SDB_ENOMEM;
            x.autosomal = s->L.n_a ? a : NULL;
            x.y = s->L.n_y && x.male ? y : NULL;
        }
        int rc = fn(arg, &x);
        if (rc) return rc;
    }
    return SDB_OK;
}

static int check_opts(const sdb_sim_opts *o, sdb_diag *d)
{
    const char *bad = o->generations < 0 || o->generations > 100000            ? "--generations"
                      : o->founders < 2 || o->founders > (1L << 32) - 1        ? "--founders"
                      : o->growth < -0.5 || o->growth > 10                     ? "--growth"
                      : o->family_shape < 0                                    ? "--family-shape"
                      : o->couples < 0 || o->couples > 1                       ? "--couples"
                      : o->two_step < 0 || o->two_step > 1                     ? "--two-step"
                      : o->autosomal_mutation < 0 || o->autosomal_mutation > 1 ? "--mutation"
                      : o->autosomal_kit && !o->freq                           ? "--freq"
                      : !o->y_kit && !o->autosomal_kit                         ? "--y-kit/--kit"
                                                                               : NULL;
    if (bad) sdb_diag_set(d, NULL, 0, bad, "invalid or missing value");
    return bad ? SDB_EINVAL : SDB_OK;
}

int sdb_simulate(const sdb_catalog *cat, const sdb_sim_opts *o, sdb_sim_person_fn fn, void *arg,
                 sdb_diag *d)
{
    int rc = check_opts(o, d);
    if (rc) return rc;
    sim *s = calloc(1, sizeof *s);
    if (!s) return SDB_ENOMEM;
    s->cat = cat;
    s->o = o;
    sdb_profile p, py;
    sdb_profile_init(&p);
    sdb_profile_init(&py);
    if ((rc = choose_loci(s, d)) || (o->autosomal_kit && (rc = build_freqs(s, d)))) goto done;
    if ((rc = gen_alloc(&s->cur, o->founders, &s->L)) || (rc = fill_generation(s, 1)) ||
        (rc = emit(s, fn, arg, &p, &py)))
        goto done;
    for (s->g = 1; s->g <= o->generations; s->g++) {
        gen_free(&s->prev);
        s->prev = s->cur;
        memset(&s->cur, 0, sizeof s->cur);
        long n = lround((double)o->founders * pow(1 + o->growth, s->g));
        if (n < 2) n = 2;
        if ((rc = build_parents(s))) {
            if (rc == SDB_EINVAL)
                sdb_diag_set(d, NULL, 0, NULL, "generation %d has no men or no women", s->g - 1);
            goto done;
        }
        if ((rc = gen_alloc(&s->cur, n, &s->L)) || (rc = fill_generation(s, 0)) ||
            (rc = emit(s, fn, arg, &p, &py)))
            goto done;
    }
done:
    sdb_profile_free(&p);
    sdb_profile_free(&py);
    gen_free(&s->prev);
    gen_free(&s->cur);
    alias_free(&s->men);
    alias_free(&s->women);
    for (int k = 0; k < 128; k++) {
        free(s->cum_freq[k]);
        free(s->freq_allele[k]);
    }
    free(s);
    return rc;
}
