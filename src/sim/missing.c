/* Missing-person families for tests and benchmarks (strdb/simulate.h,
 * docs/simulate.md): pedigrees of the usual shapes with genotypes dropped
 * from founders drawn from a frequency table, some relatives typed as
 * references, the missing person's remains found with some probability
 * (losing loci, as degraded remains do), unrelated remains beside them, and
 * the truth. Every draw is a hash of (seed, family, person, purpose), so
 * the output does not depend on the order or the threads. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strdb/missing.h"
#include "strdb/simulate.h"

/* IMPORTANT: docs/simulate.md and docs/validation.md name these shapes. */
static const struct mp_shape {
    const char *name;
    int n;
    int father[6], mother[6];
    const char *sex, *role[6];
    const char *missing, *typed; /* '1' per person */
} shapes[] = {
    {"child-both-parents", 3, {-1, -1, 0}, {-1, -1, 1}, "MFM", {"F", "M", "C"}, "001", "110"},
    {"child-mother-sibling", 4, {-1, -1, 0, 0}, {-1, -1, 1, 1}, "MFMF", {"F", "M", "C", "S"},
     "0010", "0101"},
    {"father-mother-two-children", 4, {-1, -1, 0, 0}, {-1, -1, 1, 1}, "MFMF",
     {"F", "M", "C1", "C2"}, "1000", "0111"},
    {"one-full-sibling", 4, {-1, -1, 0, 0}, {-1, -1, 1, 1}, "MFMM", {"F", "M", "C", "S"}, "0010",
     "0001"},
    {"grandchild-grandparents-mother", 5, {-1, -1, 0, -1, 2}, {-1, -1, 1, -1, 3}, "MFMFM",
     {"GF", "GM", "P", "W", "C"}, "00001", "11010"},
};
#define N_SHAPES ((int)(sizeof shapes / sizeof *shapes))

const char *sdb_sim_mp_shape(int i) { return i >= 0 && i < N_SHAPES ? shapes[i].name : NULL; }

void sdb_sim_mp_opts_init(sdb_sim_mp_opts *o)
{
    memset(o, 0, sizeof *o);
    o->seed = 1;
    o->families = 100;
    o->unrelated = 100;
    o->found = 0.5;
    o->locus_loss = 0.1;
    o->kit = "CODIS 20";
    o->shape = -1;
}

void sdb_sim_mp_free(sdb_sim_mp *m)
{
    if (!m) return;
    for (long f = 0; f < m->n_families; f++)
        sdb_mp_family_free(&m->families[f]);
    for (long r = 0; r < m->n_remains; r++)
        sdb_profile_free(&m->remains[r]);
    free(m->families);
    free(m->remains);
    free(m->truth_family);
    free(m->truth_person);
    free(m->shape);
    memset(m, 0, sizeof *m);
}

static double u01(uint64_t seed, uint64_t a, uint64_t b, uint64_t c)
{
    return (double)(sdb_sim_hash(seed, a, b, c) >> 11) / 9007199254740992.0;
}

typedef struct mp_loci {
    const sdb_locus *l[64];
    int n;
} mp_loci;

/* A founder allele of locus k, drawn by frequency with uniform u. */
static sdb_allele founder_allele(const sdb_sim_mp_opts *o, const sdb_locus *l, double u)
{
    int k = sdb_freq_locus_alleles(o->freq, o->pop, l->id);
    double acc = 0, p = 0;
    sdb_allele a = 0;
    for (int i = 0; i < k; i++) {
        if (sdb_freq_locus_allele(o->freq, o->pop, l->id, i, &a, &p)) continue;
        if ((acc += p) >= u) break;
    }
    return a;
}

enum { P_FOUNDER, P_TRANSMIT, P_MUTATE, P_DIRECTION, P_SHAPE, P_FOUND, P_LOSS, P_TYPED };

/* Genotypes of one family: g[person][locus][2], parents before children. */
static void drop_genes(const sdb_sim_mp_opts *o, const mp_loci *L, const struct mp_shape *s,
                       uint64_t fam, sdb_allele g[][64][2])
{
    for (int i = 0; i < s->n; i++)
        for (int x = 0; x < L->n; x++)
            for (int k = 0; k < 2; k++) {
                uint64_t who = fam << 8 | (uint64_t)i, what = (uint64_t)x << 1 | (uint64_t)k;
                int par = k ? s->mother[i] : s->father[i];
                if (par < 0) {
                    g[i][x][k] = founder_allele(o, L->l[x], u01(o->seed, who, what, P_FOUNDER));
                    continue;
                }
                g[i][x][k] = g[par][x][u01(o->seed, who, what, P_TRANSMIT) < 0.5];
                if (o->mutation > 0 && u01(o->seed, who, what, P_MUTATE) < o->mutation) {
                    int up = u01(o->seed, who, what, P_DIRECTION) < 0.5;
                    if (up || g[i][x][k] > 10) g[i][x][k] = (sdb_allele)(g[i][x][k] + (up ? 10 : -10));
                }
            }
}

/* A profile of genotype g (loci lost with probability loss). */
static int make_profile(sdb_profile *p, const mp_loci *L, sdb_allele g[64][2], const char *id,
                        const sdb_catalog *cat, double loss, uint64_t seed, uint64_t who)
{
    sdb_profile_init(p);
    int rc = sdb_profile_set_id(p, id, -1);
    for (int x = 0; x < L->n && !rc; x++) {
        if (loss > 0 && u01(seed, who, (uint64_t)x, P_LOSS) < loss) continue;
        for (int k = 0; k < 2 && !rc; k++)
            rc = sdb_profile_add(p, L->l[x], g[x][k]);
    }
    return rc ? rc : sdb_profile_finish(p, cat);
}

static int one_family(const sdb_catalog *cat, const sdb_sim_mp_opts *o, const mp_loci *L, long f,
                      sdb_sim_mp *m)
{
    int si = (int)(sdb_sim_hash(o->seed, (uint64_t)f, 0, P_SHAPE) % N_SHAPES);
    if (o->shape >= 0 && o->shape < N_SHAPES) si = o->shape;
    const struct mp_shape *s = &shapes[si];
    sdb_mp_family *fam = &m->families[f];
    int rc = sdb_mp_family_init(fam, s->n);
    if (rc) return rc;
    char buf[96];
    snprintf(buf, sizeof buf, "MPF%ld", f + 1);
    fam->name = strdup(buf);
    m->shape[f] = si;
    sdb_allele g[6][64][2];
    drop_genes(o, L, s, (uint64_t)f, g);
    for (int i = 0; i < s->n && !rc; i++) {
        snprintf(buf, sizeof buf, "MPF%ld-%s", f + 1, s->role[i]);
        fam->ids[i] = strdup(buf);
        fam->sex[i] = s->sex[i];
        fam->father[i] = s->father[i];
        fam->mother[i] = s->mother[i];
        fam->missing[i] = s->missing[i] == '1';
        if (!fam->ids[i] || !fam->name) rc = SDB_ENOMEM;
        if (rc || s->typed[i] != '1') continue;
        snprintf(buf, sizeof buf, "MPF%ld-%s-ref", f + 1, s->role[i]);
        if (!(fam->typed[i] = malloc(sizeof *fam->typed[i]))) return SDB_ENOMEM;
        rc = make_profile(fam->typed[i], L, g[i], buf, cat, 0, o->seed, 0);
    }
    if (!rc) rc = sdb_mp_family_finish(fam, NULL);
    /* the missing person found among the remains */
    for (int i = 0; i < s->n && !rc; i++) {
        if (!fam->missing[i] || u01(o->seed, (uint64_t)f, (uint64_t)i, P_FOUND) >= o->found)
            continue;
        long r = m->n_remains++;
        snprintf(buf, sizeof buf, "UHR-F%ld-%s", f + 1, s->role[i]);
        rc = make_profile(&m->remains[r], L, g[i], buf, cat, o->locus_loss, o->seed,
                          (uint64_t)f << 8 | (uint64_t)i);
        m->truth_family[r] = f;
        m->truth_person[r] = i;
    }
    return rc;
}

int sdb_sim_missing(const sdb_catalog *cat, const sdb_sim_mp_opts *o, sdb_sim_mp *m, sdb_diag *d)
{
    memset(m, 0, sizeof *m);
    if (!o->freq || o->families < 0 || o->unrelated < 0 || !(o->found >= 0 && o->found <= 1) ||
        !(o->locus_loss >= 0 && o->locus_loss < 1) || !(o->mutation >= 0 && o->mutation < 1)) {
        sdb_diag_set(d, NULL, 0, "mp", "families, unrelated >= 0, found and loss in [0, 1), "
                     "mutation in [0, 1) and a frequency table are needed");
        return SDB_EINVAL;
    }
    mp_loci L = {{0}, 0};
    int nc = sdb_catalog_count(cat);
    for (int id = 0; id <= nc + 1 && L.n < 64; id++) {
        const sdb_locus *l = sdb_catalog_by_id(cat, (unsigned)id);
        if (l && l->type == SDB_LOCUS_AUTOSOMAL && sdb_locus_in_set(l, o->kit) &&
            sdb_freq_locus_alleles(o->freq, o->pop, l->id) > 0)
            L.l[L.n++] = l;
    }
    if (!L.n) {
        sdb_diag_set(d, NULL, 0, "--kit", "no autosomal locus of kit '%s' in the table", o->kit);
        return SDB_EINVAL;
    }
    long cap = o->families * 2 + o->unrelated + 1;
    m->families = calloc((size_t)o->families + 1, sizeof *m->families);
    m->shape = calloc((size_t)o->families + 1, sizeof *m->shape);
    m->remains = calloc((size_t)cap, sizeof *m->remains);
    m->truth_family = malloc((size_t)cap * sizeof *m->truth_family);
    m->truth_person = malloc((size_t)cap * sizeof *m->truth_person);
    if (!m->families || !m->shape || !m->remains || !m->truth_family || !m->truth_person) {
        sdb_sim_mp_free(m);
        return SDB_ENOMEM;
    }
    int rc = SDB_OK;
    for (long f = 0; f < o->families && !rc; f++) {
        rc = one_family(cat, o, &L, f, m);
        m->n_families = f + 1;
    }
    for (long u = 0; u < o->unrelated && !rc; u++) {
        sdb_allele g[64][2];
        for (int x = 0; x < L.n; x++)
            for (int k = 0; k < 2; k++)
                g[x][k] = founder_allele(o, L.l[x],
                                         u01(o->seed, (uint64_t)1 << 62 | (uint64_t)u,
                                             (uint64_t)x << 1 | (uint64_t)k, P_FOUNDER));
        char id[48];
        snprintf(id, sizeof id, "UHR-U%ld", u + 1);
        long r = m->n_remains++;
        rc = make_profile(&m->remains[r], &L, g, id, cat, o->locus_loss, o->seed,
                          (uint64_t)1 << 62 | (uint64_t)u);
        m->truth_family[r] = -1;
        m->truth_person[r] = -1;
    }
    if (rc) {
        sdb_diag_set(d, NULL, 0, "mp", "%s", sdb_strerror(rc));
        sdb_sim_mp_free(m);
    }
    return rc;
}
