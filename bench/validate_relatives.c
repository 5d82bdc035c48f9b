/* Validation of lineage search and familial search against the truth of a
 * simulated population (docs/validation.md). Prints Markdown tables.
 *
 *   validate_relatives MEN [GENERATIONS] [QUERIES] [Y_FOUNDERS]
 *
 * Y_FOUNDERS: a haplotype file the founders draw from (e.g. the 19,630 real
 * PowerPlex Y23 haplotypes: unrelated lines then start from real, often
 * shared haplotypes, which measures false positives more honestly).
 * A constant population of 2 x MEN persons per generation (MEN men), Gamma(1)
 * variance in family size, 80% of children born to couples (full siblings), GENERATIONS generations (default 20) after the
 * founders, Yfiler Plus and CODIS 20 (NIST 1036 Cauc founders). The last two
 * generations are alive; the database is 1%, 5% and 10% of the living (nested
 * samples), the queries are living persons outside every sample.
 *
 * Lineage search: lineages built with the defaults (K = 2 differing loci,
 * 10 loci compared, no step limit); a query's members are those of every
 * lineage holding a haplotype within the limits of his (as sdb_lineage_search).
 * Truth: the paternal-line distance (meioses through the last common paternal
 * ancestor) between the query and each man of the database.
 *
 * Familial search: PO and FS, population Cauc, top 100, min 8 loci; the rank
 * of every parent, child and full sibling of the query in the database.
 *
 * Also, with MEN <= 200000, lineage clustering against the brute-force
 * partition (every pair compared) on the 10% database. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench.h"
#include "engine_internal.h"

#define SEED 20261127ULL


typedef struct world {
    long gen_size;
    int generations;
    uint32_t **father, **mother; /* per generation, per index (UINT32_MAX: founder) */
    uint8_t **male;
    /* kept profiles: living persons of the database (10%) and the queries */
    sdb_profile *auto_p, *y_p;
    long *who_a, *who_y; /* person key (generation << 32 | index) */
    long n_a, n_y, cap_a, cap_y;
    long n_queries_wanted;
} world;

static double uniform(uint64_t id)
{
    return (double)(sdb_sim_hash(SEED, id, 7, 7) >> 11) / 9007199254740992.0;
}

/* 0..0.10: in the database at coverage >= u; [0.5, 0.5 + q): a query. */
static int wanted(world *w, uint64_t id, int generation)
{
    if (generation < w->generations - 1) return 0;
    double u = uniform(id);
    return u < 0.10 || (u >= 0.5 && u < 0.5 + (double)w->n_queries_wanted / (2.0 * (double)w->gen_size));
}

static int want_profiles(void *arg, uint64_t id, int generation)
{
    return wanted(arg, id, generation);
}

static long key_of(uint64_t id)
{
    return (long)((id >> 40) << 32 | (id & ((1ULL << 40) - 1)));
}

static int push(sdb_profile **v, long **who, long *n, long *cap, const sdb_profile *p, long key)
{
    if (*n == *cap) {
        *cap = *cap ? 2 * *cap : 1024;
        sdb_profile *t = realloc(*v, (size_t)*cap * sizeof **v);
        long *u = realloc(*who, (size_t)*cap * sizeof **who);
        if (!t || !u) return SDB_ENOMEM;
        *v = t;
        *who = u;
    }
    sdb_profile_init(&(*v)[*n]);
    (*who)[*n] = key;
    return sdb_profile_copy(&(*v)[(*n)++], p);
}

static int person(void *arg, const sdb_sim_person *p)
{
    world *w = arg;
    long g = p->generation, i = (long)(p->id & ((1ULL << 40) - 1));
    w->father[g][i] = p->father ? (uint32_t)(p->father & ((1ULL << 40) - 1)) : UINT32_MAX;
    w->mother[g][i] = p->mother ? (uint32_t)(p->mother & ((1ULL << 40) - 1)) : UINT32_MAX;
    w->male[g][i] = (uint8_t)p->male;
    if (!wanted(w, p->id, p->generation)) return 0;
    int rc = SDB_OK;
    if (p->autosomal) rc = push(&w->auto_p, &w->who_a, &w->n_a, &w->cap_a, p->autosomal, key_of(p->id));
    if (!rc && p->y) rc = push(&w->y_p, &w->who_y, &w->n_y, &w->cap_y, p->y, key_of(p->id));
    return rc;
}

static double u_of(long key)
{
    return uniform((uint64_t)(key >> 32) << 40 | (uint64_t)(key & 0xffffffffL));
}

/* Paternal-line meioses between two men (keys), -1 when their lines meet
 * in no simulated man (different founders). */
static int paternal_distance(const world *w, long a, long b)
{
    int ga = (int)(a >> 32), gb = (int)(b >> 32);
    uint32_t ia = (uint32_t)a, ib = (uint32_t)b;
    int da = 0, db = 0;
    while (ga > gb) ia = w->father[ga--][ia], da++;
    while (gb > ga) ib = w->father[gb--][ib], db++;
    while (ia != ib) {
        if (ga == 0) return -1;
        ia = w->father[ga][ia];
        ib = w->father[gb][ib];
        ga--, gb--, da++, db++;
    }
    return da + db;
}

static int bin_of(int m)
{
    return m < 0 ? 5 : m <= 2 ? 0 : m <= 4 ? 1 : m <= 6 ? 2 : m <= 10 ? 3 : 4;
}

static const char *bins[] = {"1-2", "3-4", "5-6", "7-10", "> 10", "unrelated"};

static int cmp_long(const void *a, const void *b)
{
    long x = *(const long *)a, y = *(const long *)b;
    return (x > y) - (x < y);
}

static void lineage_validation(world *w, double cov, int check_brute)
{
    /* the database men at this coverage; the query men */
    long n_db = 0, n_q = 0;
    const sdb_profile **db = malloc((size_t)w->n_y * sizeof *db);
    long *db_key = malloc((size_t)w->n_y * sizeof *db_key), *q_idx = malloc((size_t)w->n_y * sizeof *q_idx);
    for (long i = 0; i < w->n_y; i++) {
        double u = u_of(w->who_y[i]);
        if (u < cov) {
            db[n_db] = &w->y_p[i];
            db_key[n_db++] = w->who_y[i];
        } else if (u >= 0.5)
            q_idx[n_q++] = i;
    }
    sdb_idx *x;
    sdb_diag d;
    sdb_diag_clear(&d);
    if (sdb_idx_build_profiles(&x, sdb_catalog_default(), db, n_db, SDB_KIND_Y, &d)) exit(1);
    sdb_lineage_opts lo;
    sdb_lineage_opts_init(&lo);
    long *comp = malloc((size_t)(n_db ? n_db : 1) * sizeof *comp);
    sdb_lineage_stats st;
    double t0 = bench_now();
    if (sdb_lineage_cluster(x, &lo, NULL, 0, NULL, comp, &st, &d)) exit(1);
    double t_cl = bench_now() - t0;
    if (check_brute) {
        long *ref = malloc((size_t)(n_db ? n_db : 1) * sizeof *ref);
        t0 = bench_now();
        if (sdb_lineage_cluster_reference(x, &lo, NULL, 0, ref, &d)) exit(1);
        long diff = 0;
        for (long r = 0; r < n_db; r++)
            diff += comp[r] != ref[r];
        printf("\nBrute-force check at %.0f%% coverage: %ld haplotypes, %ld lineages; block join "
               "%.2f s, every pair %.1f s; rows whose lineage differs: %ld\n",
               100 * cov, n_db, st.components, t_cl, bench_now() - t0, diff);
        free(ref);
    }
    /* members of the component of each row */
    long *order = malloc((size_t)(n_db ? n_db : 1) * sizeof *order), *start = calloc((size_t)n_db + 1, sizeof *start);
    for (long r = 0; r < n_db; r++)
        start[comp[r] + 1]++;
    for (long r = 0; r < n_db; r++)
        start[r + 1] += start[r];
    long *fill = malloc((size_t)(n_db ? n_db : 1) * sizeof *fill);
    for (long r = 0; r < n_db; r++)
        fill[r] = start[r];
    for (long r = 0; r < n_db; r++)
        order[fill[comp[r]]++] = r;
    long present[6] = {0}, found[6] = {0}, queries = 0, with_hit = 0, members_total = 0;
    uint8_t *returned = calloc((size_t)n_db + 1, 1);
    long *ret_list = malloc((size_t)(n_db ? n_db : 1) * sizeof *ret_list);
    for (long qi = 0; qi < n_q && queries < 1000; qi++) {
        const sdb_profile *q = &w->y_p[q_idx[qi]];
        long qkey = w->who_y[q_idx[qi]];
        sdb_ysearch_opts yo;
        sdb_ysearch_opts_init(&yo);
        yo.max_loci = lo.max_loci;
        yo.min_loci = lo.min_loci;
        yo.max_steps = -1;
        yo.threads = 2;
        sdb_yhit *h;
        long nh, n_ret = 0;
        if (sdb_ysearch(x, q, &yo, &h, &nh, &d)) exit(1);
        for (long i = 0; i < nh; i++) {
            long c = comp[h[i].target];
            if (returned[c] & 2) continue;
            returned[c] |= 2; /* component taken */
            for (long k = start[c]; k < start[c + 1]; k++) {
                returned[order[k]] |= 1;
                ret_list[n_ret++] = order[k];
            }
        }
        free(h);
        queries++;
        with_hit += n_ret > 0;
        members_total += n_ret;
        for (long r = 0; r < n_db; r++) {
            int m = paternal_distance(w, qkey, db_key[r]);
            int b = bin_of(m);
            present[b]++;
            found[b] += returned[r] & 1;
        }
        for (long i = 0; i < n_ret; i++) {
            returned[ret_list[i]] = 0;
            returned[comp[ret_list[i]]] = 0;
        }
    }
    printf("\n| coverage | database men | lineages (largest) | queries | queries in a lineage | "
           "mean members returned | clustering s |\n|---|---|---|---|---|---|---|\n");
    long largest = 0;
    for (long r = 0; r < n_db; r++)
        if (start[r + 1] - start[r] > largest) largest = start[r + 1] - start[r];
    printf("| %.0f%% | %ld | %ld (%ld) | %ld | %ld | %.1f | %.2f |\n", 100 * cov, n_db,
           st.components, largest, queries, with_hit, queries ? (double)members_total / queries : 0,
           t_cl);
    printf("\n| true paternal meioses | pairs (query, database man) | returned | recall |\n|---|---|---|---|\n");
    for (int b = 0; b < 6; b++)
        printf(b == 5 ? "| %s | %ld | %ld | false positives; share %.2g |\n" : "| %s | %ld | %ld | %.3f |\n",
               bins[b], present[b], found[b], present[b] ? (double)found[b] / present[b] : 0);
    fflush(stdout);
    free(returned);
    free(ret_list);
    free(order);
    free(start);
    free(fill);
    free(comp);
    free(db);
    free(db_key);
    free(q_idx);
    sdb_idx_free(x);
}

/* ---- familial ---------------------------------------------------------------- */

typedef struct rel {
    long row;
    int kind; /* 0 parent, 1 child, 2 full sibling */
} rel;

static void familial_validation(world *w, const sdb_freq *f, double cov)
{
    long n_db = 0;
    const sdb_profile **db = malloc((size_t)w->n_a * sizeof *db);
    long *db_key = malloc((size_t)w->n_a * sizeof *db_key);
    for (long i = 0; i < w->n_a; i++)
        if (u_of(w->who_a[i]) < cov) {
            db[n_db] = &w->auto_p[i];
            db_key[n_db++] = w->who_a[i];
        }
    sdb_idx *x;
    sdb_diag d;
    sdb_diag_clear(&d);
    if (sdb_idx_build_profiles(&x, sdb_catalog_default(), db, n_db, SDB_KIND_AUTOSOMAL, &d)) exit(1);
    /* database persons by key, to find relatives */
    long *sorted = malloc((size_t)(n_db ? n_db : 1) * 2 * sizeof *sorted);
    for (long r = 0; r < n_db; r++) {
        sorted[2 * r] = db_key[r];
        sorted[2 * r + 1] = r;
    }
    qsort(sorted, (size_t)n_db, 2 * sizeof *sorted, cmp_long);
    long total[3] = {0}, at10[3] = {0}, at100[3] = {0}, queries = 0, fp10 = 0;
    double t_sum = 0;
    for (long i = 0; i < w->n_a && queries < 300; i++) {
        long qk = w->who_a[i];
        if (u_of(qk) < 0.5) continue;
        int g = (int)(qk >> 32);
        uint32_t qi = (uint32_t)qk;
        rel rels[64];
        int nr = 0;
        for (long r = 0; r < n_db && nr < 64; r++) {
            long k = db_key[r];
            int gr = (int)(k >> 32);
            uint32_t ri = (uint32_t)k;
            if (gr == g - 1 && (w->father[g][qi] == ri || w->mother[g][qi] == ri))
                rels[nr++] = (rel){r, 0};
            else if (gr == g + 1 && (w->father[gr][ri] == qi || w->mother[gr][ri] == qi))
                rels[nr++] = (rel){r, 1};
            else if (gr == g && w->father[g][qi] != UINT32_MAX && w->father[g][qi] == w->father[g][ri] &&
                     w->mother[g][qi] == w->mother[g][ri])
                rels[nr++] = (rel){r, 2};
        }
        if (!nr) continue;
        sdb_familial_opts o;
        sdb_familial_opts_init(&o);
        o.freq = f;
        o.pops[o.n_pops++] = sdb_freq_find_population(f, "Cauc");
        o.top = 100;
        sdb_familial_hit *h;
        long nh, sk;
        int used;
        double t0 = bench_now();
        if (sdb_familial(x, &w->auto_p[i], &o, &h, &nh, &sk, &used, &d)) exit(1);
        t_sum += bench_now() - t0;
        queries++;
        for (int k = 0; k < nr; k++) {
            total[rels[k].kind]++;
            for (long j = 0; j < nh; j++)
                if (sdb_idx_input_row(x, h[j].target) == rels[k].row) {
                    at10[rels[k].kind] += j < 10;
                    at100[rels[k].kind]++;
                }
        }
        for (long j = 0; j < nh && j < 10; j++) {
            int first_degree = 0;
            for (int k = 0; k < nr; k++)
                first_degree |= rels[k].row == sdb_idx_input_row(x, h[j].target);
            fp10 += !first_degree;
        }
        free(h);
    }
    printf("\n| coverage | database persons | queries | true relative | in database | rank <= 10 | "
           "rank <= 100 |\n|---|---|---|---|---|---|---|\n");
    static const char *kinds[] = {"parent", "child", "full sibling"};
    for (int k = 0; k < 3; k++)
        printf("| %.0f%% | %ld | %ld | %s | %ld | %ld (%.3f) | %ld (%.3f) |\n", 100 * cov, n_db, queries,
               kinds[k], total[k], at10[k], total[k] ? (double)at10[k] / total[k] : 0, at100[k],
               total[k] ? (double)at100[k] / total[k] : 0);
    printf("\nTop 10 entries that are no parent, child or full sibling of the query: %ld of %ld "
           "(%.2f a query); mean search time %.4f s over %ld profiles.\n",
           fp10, 10 * queries, queries ? (double)fp10 / queries : 0, queries ? t_sum / queries : 0, n_db);
    fflush(stdout);
    free(sorted);
    free(db);
    free(db_key);
    sdb_idx_free(x);
}

/* The Y haplotypes of a file (founders), or exit. */
static const sdb_profile **load_founders(const char *path, long *n)
{
    sdb_reader *r;
    sdb_diag d;
    sdb_diag_clear(&d);
    if (sdb_reader_open(&r, path, sdb_catalog_default(), NULL, &d)) {
        fprintf(stderr, "validate_relatives: %s: %s\n", path, d.reason);
        exit(1);
    }
    long cap = 0;
    sdb_profile *v = NULL;
    *n = 0;
    for (int rc;;) {
        if (*n == cap && !(v = realloc(v, (size_t)(cap = cap ? 2 * cap : 1024) * sizeof *v))) exit(1);
        sdb_profile_init(&v[*n]);
        if ((rc = sdb_reader_next(r, &v[*n], &d)) == SDB_END) break;
        if (rc == SDB_OK && v[*n].kind == SDB_KIND_Y) (*n)++;
    }
    sdb_reader_close(r);
    const sdb_profile **ptr = malloc((size_t)(*n ? *n : 1) * sizeof *ptr);
    for (long i = 0; ptr && i < *n; i++)
        ptr[i] = &v[i];
    return ptr;
}

int main(int argc, char **argv)
{
    if (argc < 2 || sdb_init()) {
        fprintf(stderr, "usage: validate_relatives MEN [GENERATIONS] [QUERIES]\n");
        return 2;
    }
    world w;
    memset(&w, 0, sizeof w);
    long men = atol(argv[1]);
    w.generations = argc > 2 ? atoi(argv[2]) : 20;
    w.n_queries_wanted = argc > 3 ? atol(argv[3]) : 600;
    w.gen_size = 2 * men;
    w.father = calloc((size_t)w.generations + 1, sizeof *w.father);
    w.mother = calloc((size_t)w.generations + 1, sizeof *w.mother);
    w.male = calloc((size_t)w.generations + 1, sizeof *w.male);
    for (int g = 0; g <= w.generations; g++) {
        w.father[g] = malloc((size_t)w.gen_size * sizeof **w.father);
        w.mother[g] = malloc((size_t)w.gen_size * sizeof **w.mother);
        w.male[g] = malloc((size_t)w.gen_size);
        if (!w.father[g] || !w.mother[g] || !w.male[g]) return 1;
    }
    sdb_freq *f = NULL;
    if (sdb_freq_builtin_nist1036(&f, sdb_catalog_default())) return 1;
    sdb_sim_opts o;
    sdb_sim_opts_init(&o);
    o.seed = SEED;
    o.founders = w.gen_size;
    o.generations = w.generations;
    o.family_shape = 1;
    o.couples = 0.8;
    o.y_kit = "Yfiler Plus";
    o.autosomal_kit = "CODIS 20";
    o.freq = f;
    o.pop = sdb_freq_find_population(f, "Cauc");
    o.threads = 2;
    o.want_profiles = want_profiles;
    if (argc > 4) o.y_founders = load_founders(argv[4], &o.n_y_founders);
    sdb_diag d;
    sdb_diag_clear(&d);
    double t0 = bench_now();
    if (sdb_simulate(sdb_catalog_default(), &o, person, &w, &d)) return 1;
    printf("# Simulated population\n\n%ld persons per generation (%ld men), %d generations after the "
           "founders, Gamma(1) family sizes, 80%% of children born to couples, seed %llu, Yfiler Plus and CODIS 20 (NIST 1036 Cauc); "
           "the last 2 generations living; kept %ld autosomal and %ld Y profiles (%.0f s).\n",
           w.gen_size, men, w.generations, SEED, w.n_a, w.n_y, bench_now() - t0);
    if (argc > 4)
        printf("\nY founders drawn from the %ld haplotypes of %s (loci it lacks: the model).\n",
               o.n_y_founders, argv[4]);
    printf("\n## Lineage search (K = 2 differing loci, >= 10 loci compared, any steps)\n");
    double covs[] = {0.01, 0.05, 0.10};
    for (int c = 0; c < 3; c++)
        lineage_validation(&w, covs[c], c == 2 && men <= 200000);
    printf("\n## Familial search (PO and FS, Cauc, top 100, >= 8 loci)\n");
    for (int c = 0; c < 3; c++)
        familial_validation(&w, f, covs[c]);
    return 0;
}
