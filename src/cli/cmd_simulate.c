/* strdb simulate: a population with pedigrees and genotypes, a database
 * sample, query profiles and the truth about their relatives. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "strdb/simulate.h"

static const char simulate_usage[] =
    "usage: strdb simulate --out DIR [--db DB] [options]\n\n"
    "Forward Wright-Fisher simulation of a population with family trees, Y-STR\n"
    "lineages and autosomal genotypes (docs/simulate.md). Writes into DIR:\n"
    "  database.jsonl  the sampled database profiles (or database.csv with --format csv)\n"
    "  queries.jsonl   query profiles: living persons not in the database with relatives in it\n"
    "  truth.csv       query_id,relative_id,meioses,paternal_line for every relative of a query\n"
    "                  in the database within 2 x --truth-depth meioses (paternal_line 1: the\n"
    "                  two are linked through fathers only, so their Y haplotypes are related)\n"
    "Persons are named G<generation>-<index>; a man's Y haplotype is a second record\n"
    "with sample id G<generation>-<index>Y.\n"
    "  pedigree.csv    id,father,mother,sex,generation for every person (unless --no-pedigree)\n"
    "With --db DB the database profiles are also imported into DB (created if missing).\n"
    "strdb simulate --mp-families N writes missing-person families instead\n"
    "(strdb simulate --mp-families 1 --help).\n"
    "The same --seed gives byte-identical output whatever --threads.\n\n"
    "population\n"
    "  --seed N            random seed (default 1)\n"
    "  --founders N        persons in generation 0 (default 1000)\n"
    "  --generations G     generations after the founders (default 10)\n"
    "  --growth R          growth per generation, e.g. 0.02 (default 0)\n"
    "  --family-shape K    Gamma shape of parents' fitness: variance in family size\n"
    "                      (default 0 = plain Wright-Fisher; 1 = strong variance)\n"
    "  --couples P         share of children born to their mother's one partner, so that\n"
    "                      full siblings occur (default 0: random mating)\n"
    "genotypes\n"
    "  --y-kit K           Y loci (default \"Yfiler Plus\"; \"none\" for no Y)\n"
    "  --y-founders FILE   draw founder haplotypes from this file (CSV, GeneMapper, JSON lines);\n"
    "                      loci it lacks come from typical alleles +- N(0, 1.5) steps\n"
    "  --two-step F        fraction of Y mutations that are two steps (default 0.03)\n"
    "  --kit K             autosomal loci (default \"CODIS 20\"; \"none\" for no autosomal)\n"
    "  --freq FILE         founder allele frequencies (default: built-in NIST 1036)\n"
    "  --pop NAME          population of the table (default Cauc)\n"
    "  --mutation R        autosomal mutation rate per locus and transmission (default 0)\n"
    "sampling\n"
    "  --living L          the last L generations are alive (default 1)\n"
    "  --db-fraction F     fraction of the living put in the database (default 0.05)\n"
    "  --queries Q         query profiles wanted (default 100)\n"
    "  --truth-depth D     relatives up to D generations up each side (default 3: 6 meioses)\n"
    "  --random-queries    queries are any living persons outside the database, with or\n"
    "                      without relatives in it (default: only those with relatives)\n"
    "  --index NAME        index of --db (default offender), --basis B (default conviction)\n"
    "  --y-index NAME      write the men's Y haplotypes to database_y.jsonl and import them\n"
    "                      into this index instead (default: with the autosomal profiles)\n"
    "output\n"
    "  --format F          jsonl (default) or csv for the profile files\n"
    "  --no-pedigree       do not write pedigree.csv\n"
    "  --threads T         worker threads (default 1)\n";

enum {
    O_OUT = 1,
    O_DB,
    O_SEED,
    O_FOUNDERS,
    O_GENS,
    O_GROWTH,
    O_SHAPE,
    O_COUPLES,
    O_YKIT,
    O_YFOUND,
    O_TWOSTEP,
    O_KIT,
    O_FREQ,
    O_POP,
    O_MUT,
    O_LIVING,
    O_FRAC,
    O_QUERIES,
    O_DEPTH,
    O_INDEX,
    O_BASIS,
    O_FORMAT,
    O_NOPED,
    O_THREADS,
    O_RANDOMQ,
    O_YINDEX
};

typedef struct sim_cli {
    const char *out, *db, *y_founders, *freq, *pop, *index, *basis, *y_index;
    sdb_format format;
    int living, depth, pedigree, random_queries;
    double fraction;
    long queries;
    sdb_sim_opts o;
} sim_cli;

/* Kept per person of the last generations: parents and sampling role. */
typedef struct person_rec {
    uint64_t father, mother;
    uint8_t male, role; /* role: 0 none, 1 database, 2 query candidate */
} person_rec;

typedef struct gen_store {
    int generation;
    person_rec *p;
    long n, cap;
} gen_store;

typedef struct run_state {
    sim_cli *c;
    FILE *pedigree, *database, *database_y; /* database_y: with --y-index */
    sdb_csv_layout *layout;
    gen_store *gens; /* ring of the last keep generations */
    int keep;
    uint64_t *members; /* database member ids */
    long n_members, cap_members;
    char **cand_text; /* query candidates: id and serialized profile */
    uint64_t *cand_id;
    long n_cand, cap_cand;
    double cand_fraction;
    long persons;
    struct timespec t0;
} run_state;

static int parse_args(int argc, char **argv, sim_cli *c)
{
    static const struct option lo[] = {{"out", required_argument, NULL, O_OUT},
                                       {"db", required_argument, NULL, O_DB},
                                       {"seed", required_argument, NULL, O_SEED},
                                       {"founders", required_argument, NULL, O_FOUNDERS},
                                       {"generations", required_argument, NULL, O_GENS},
                                       {"growth", required_argument, NULL, O_GROWTH},
                                       {"family-shape", required_argument, NULL, O_SHAPE},
                                       {"couples", required_argument, NULL, O_COUPLES},
                                       {"y-kit", required_argument, NULL, O_YKIT},
                                       {"y-founders", required_argument, NULL, O_YFOUND},
                                       {"two-step", required_argument, NULL, O_TWOSTEP},
                                       {"kit", required_argument, NULL, O_KIT},
                                       {"freq", required_argument, NULL, O_FREQ},
                                       {"pop", required_argument, NULL, O_POP},
                                       {"mutation", required_argument, NULL, O_MUT},
                                       {"living", required_argument, NULL, O_LIVING},
                                       {"db-fraction", required_argument, NULL, O_FRAC},
                                       {"queries", required_argument, NULL, O_QUERIES},
                                       {"truth-depth", required_argument, NULL, O_DEPTH},
                                       {"index", required_argument, NULL, O_INDEX},
                                       {"basis", required_argument, NULL, O_BASIS},
                                       {"format", required_argument, NULL, O_FORMAT},
                                       {"no-pedigree", no_argument, NULL, O_NOPED},
                                       {"threads", required_argument, NULL, O_THREADS},
                                       {"random-queries", no_argument, NULL, O_RANDOMQ},
                                       {"y-index", required_argument, NULL, O_YINDEX},
                                       {"help", no_argument, NULL, 'h'},
                                       {NULL, 0, NULL, 0}};
    memset(c, 0, sizeof *c);
    sdb_sim_opts_init(&c->o);
    c->o.y_kit = "Yfiler Plus";
    c->o.autosomal_kit = "CODIS 20";
    c->pop = "Cauc";
    c->index = "offender";
    c->basis = "conviction";
    c->format = SDB_FMT_JSONL;
    c->living = 1;
    c->depth = 3;
    c->pedigree = 1;
    c->fraction = 0.05;
    c->queries = 100;
    int opt;
    double v;
    while ((opt = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
        int bad = 0;
        switch (opt) {
        case O_OUT: c->out = optarg; break;
        case O_DB: c->db = optarg; break;
        case O_SEED:
            bad = cli_parse_double(optarg, 0, 9007199254740992.0, &v), c->o.seed = (uint64_t)v;
            break;
        case O_FOUNDERS: bad = cli_parse_double(optarg, 2, 4e9, &v), c->o.founders = (long)v; break;
        case O_GENS: bad = cli_parse_double(optarg, 1, 100000, &v), c->o.generations = (int)v; break;
        case O_GROWTH: bad = cli_parse_double(optarg, -0.5, 10, &c->o.growth); break;
        case O_SHAPE: bad = cli_parse_double(optarg, 0, 1e6, &c->o.family_shape); break;
        case O_COUPLES: bad = cli_parse_double(optarg, 0, 1, &c->o.couples); break;
        case O_YKIT: c->o.y_kit = strcmp(optarg, "none") ? optarg : NULL; break;
        case O_YFOUND: c->y_founders = optarg; break;
        case O_TWOSTEP: bad = cli_parse_double(optarg, 0, 1, &c->o.two_step); break;
        case O_KIT: c->o.autosomal_kit = strcmp(optarg, "none") ? optarg : NULL; break;
        case O_FREQ: c->freq = optarg; break;
        case O_POP: c->pop = optarg; break;
        case O_MUT: bad = cli_parse_double(optarg, 0, 1, &c->o.autosomal_mutation); break;
        case O_LIVING: bad = cli_parse_double(optarg, 1, 10, &v), c->living = (int)v; break;
        case O_FRAC: bad = cli_parse_double(optarg, 0, 1, &c->fraction); break;
        case O_QUERIES: bad = cli_parse_double(optarg, 0, 1e7, &v), c->queries = (long)v; break;
        case O_DEPTH: bad = cli_parse_double(optarg, 1, 8, &v), c->depth = (int)v; break;
        case O_INDEX: c->index = optarg; break;
        case O_BASIS: c->basis = optarg; break;
        case O_FORMAT:
            bad = sdb_format_parse(optarg, &c->format) ||
                  (c->format != SDB_FMT_JSONL && c->format != SDB_FMT_WIDE);
            break;
        case O_NOPED: c->pedigree = 0; break;
        case O_RANDOMQ: c->random_queries = 1; break;
        case O_YINDEX: c->y_index = optarg; break;
        case O_THREADS: bad = cli_parse_double(optarg, 1, 64, &v), c->o.threads = (int)v; break;
        case 'h': cli_usage(simulate_usage, 0); return -1;
        default: return cli_usage(simulate_usage, 1);
        }
        if (bad) {
            cli_error("simulate", "invalid value '%s' for %s", optarg, argv[optind - 1]);
            return EXIT_USAGE;
        }
    }
    if (optind != argc || !c->out) return cli_usage(simulate_usage, 1);
    if (c->living > c->o.generations + 1) c->living = c->o.generations + 1;
    return 0;
}

static FILE *open_out(const char *dir, const char *name)
{
    char path[2048];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (!f) cli_error("simulate", "cannot write %s: %s", path, strerror(errno));
    return f;
}

/* Role of a living person: database member, query candidate, or neither,
 * from the hash of (seed, id): the same whatever the threads. */
static int role_of(const run_state *s, uint64_t id)
{
    double u = (double)(sdb_sim_hash(s->c->o.seed, id, 7, 7) >> 11) * 0x1.0p-53;
    if (u < s->c->fraction) return 1;
    double v = (double)(sdb_sim_hash(s->c->o.seed, id, 8, 8) >> 11) * 0x1.0p-53;
    return v < s->cand_fraction ? 2 : 0;
}

static int write_one(run_state *s, FILE *f, const sdb_profile *p)
{
    sdb_profile_meta meta = {NULL, NULL, NULL};
    if (s->c->format == SDB_FMT_JSONL) return sdb_write_jsonl(f, sdb_catalog_default(), p, &meta);
    return sdb_csv_write_row(f, s->layout, p, &meta);
}

/* A person's records: the autosomal profile, then the Y haplotype (men). */
static int write_profile(run_state *s, FILE *f, const sdb_sim_person *x)
{
    int rc = x->autosomal ? write_one(s, f, x->autosomal) : SDB_OK;
    if (!rc && x->y) rc = write_one(s, f, x->y);
    return rc;
}

static int keep_person(run_state *s, const sdb_sim_person *x, int role)
{
    gen_store *g = &s->gens[x->generation % s->keep];
    if (g->generation != x->generation) {
        g->generation = x->generation;
        g->n = 0;
    }
    if (g->n == g->cap) {
        long cap = g->cap ? 2 * g->cap : 1024;
        person_rec *p = realloc(g->p, (size_t)cap * sizeof *p);
        if (!p) return SDB_ENOMEM;
        g->p = p;
        g->cap = cap;
    }
    g->p[g->n++] = (person_rec){x->father, x->mother, (uint8_t)x->male, (uint8_t)role};
    return SDB_OK;
}

static int remember_candidate(run_state *s, const sdb_sim_person *x)
{
    if (s->n_cand == s->cap_cand) {
        long cap = s->cap_cand ? 2 * s->cap_cand : 256;
        char **t = realloc(s->cand_text, (size_t)cap * sizeof *t);
        uint64_t *ids = realloc(s->cand_id, (size_t)cap * sizeof *ids);
        if (!t || !ids) return SDB_ENOMEM;
        s->cand_text = t;
        s->cand_id = ids;
        s->cap_cand = cap;
    }
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    if (!m) return SDB_ENOMEM;
    int rc = write_profile(s, m, x);
    fclose(m);
    s->cand_text[s->n_cand] = buf;
    s->cand_id[s->n_cand++] = x->id;
    return rc;
}

static int wants_profiles(void *arg, uint64_t id, int generation)
{
    const run_state *s = arg;
    return generation > s->c->o.generations - s->c->living && role_of(s, id) != 0;
}

static int on_person(void *arg, const sdb_sim_person *x)
{
    run_state *s = arg;
    int living = x->generation > s->c->o.generations - s->c->living;
    int role = living ? role_of(s, x->id) : 0;
    if (s->pedigree) {
        char f[32] = "", m[32] = "";
        if (x->generation > 0) {
            sdb_sim_name(x->father, f);
            sdb_sim_name(x->mother, m);
        }
        fprintf(s->pedigree, "%s,%s,%s,%s,%d\n", x->name, f, m, x->male ? "M" : "F", x->generation);
    }
    int rc = keep_person(s, x, role);
    if (!rc && role == 1) {
        if (s->database_y) {
            rc = x->autosomal ? write_one(s, s->database, x->autosomal) : SDB_OK;
            if (!rc && x->y) rc = write_one(s, s->database_y, x->y);
        } else {
            rc = write_profile(s, s->database, x);
        }
        if (s->n_members == s->cap_members) {
            long cap = s->cap_members ? 2 * s->cap_members : 1024;
            uint64_t *t = realloc(s->members, (size_t)cap * sizeof *t);
            if (!t) return SDB_ENOMEM;
            s->members = t;
            s->cap_members = cap;
        }
        s->members[s->n_members++] = x->id;
    }
    if (!rc && role == 2) rc = remember_candidate(s, x);
    if (++s->persons % 1000000 == 0 && isatty(2)) {
        struct timespec t;
        clock_gettime(CLOCK_MONOTONIC, &t);
        fprintf(stderr, "\r[strdb simulate::%.1f] %ld persons, generation %d",
                (double)(t.tv_sec - s->t0.tv_sec) + (t.tv_nsec - s->t0.tv_nsec) * 1e-9, s->persons,
                x->generation);
    }
    return rc;
}

/* The kept record of a person, or NULL if its generation was dropped. */
static const person_rec *record_of(const run_state *s, uint64_t id)
{
    int g = (int)(id >> 40);
    const gen_store *gs = &s->gens[g % s->keep];
    long i = (long)(id & ((1ULL << 40) - 1));
    return gs->generation == g && i < gs->n ? &gs->p[i] : NULL;
}

/* An ancestor reached from a person: id, generations up, all-paternal path. */
typedef struct anc {
    uint64_t ancestor, person;
    uint8_t depth, paternal;
} anc;

/* Appends p (depth 0) and its ancestors up to depth to *out. */
static int ancestors(const run_state *s, uint64_t p, int depth, anc **out, long *n, long *cap)
{
    long start = *n;
    if (*n == *cap) {
        *cap = *cap ? 2 * *cap : 4096;
        anc *t = realloc(*out, (size_t)*cap * sizeof *t);
        if (!t) return SDB_ENOMEM;
        *out = t;
    }
    (*out)[(*n)++] = (anc){p, p, 0, 1};
    for (long k = start; k < *n; k++) {
        anc a = (*out)[k];
        const person_rec *r = record_of(s, a.ancestor);
        if (a.depth >= depth || !r || !r->father) continue;
        for (int side = 0; side < 2; side++) {
            if (*n == *cap) {
                *cap *= 2;
                anc *t = realloc(*out, (size_t)*cap * sizeof *t);
                if (!t) return SDB_ENOMEM;
                *out = t;
            }
            (*out)[(*n)++] = (anc){side ? r->mother : r->father, p, (uint8_t)(a.depth + 1),
                                   (uint8_t)(a.paternal && !side)};
        }
    }
    return SDB_OK;
}

static int cmp_anc(const void *a, const void *b)
{
    const anc *x = a, *y = b;
    if (x->ancestor != y->ancestor) return x->ancestor < y->ancestor ? -1 : 1;
    return (x->person > y->person) - (x->person < y->person);
}

/* A relative of a query: the fewest meioses over the shared ancestors. */
typedef struct relative {
    uint64_t id;
    int meioses, paternal;
} relative;

static int cmp_rel(const void *a, const void *b)
{
    const relative *x = a, *y = b;
    if (x->id != y->id) return x->id < y->id ? -1 : 1;
    if (x->meioses != y->meioses) return x->meioses - y->meioses;
    return y->paternal - x->paternal; /* a paternal path first: their Y haplotypes relate */
}

/* Relatives of q among the database members (index = their sorted ancestors). */
static long relatives_of(const run_state *s, uint64_t q, const anc *index, long n_index,
                         relative **rel, long *cap)
{
    anc *mine = NULL;
    long n = 0, mcap = 0, nr = 0;
    if (ancestors(s, q, s->c->depth, &mine, &n, &mcap)) return -1;
    for (long k = 0; k < n; k++) {
        anc key = {mine[k].ancestor, 0, 0, 0};
        long lo = 0, hi = n_index;
        while (lo < hi) { /* first entry of this ancestor */
            long mid = (lo + hi) / 2;
            if (index[mid].ancestor < key.ancestor)
                lo = mid + 1;
            else
                hi = mid;
        }
        for (long i = lo; i < n_index && index[i].ancestor == key.ancestor; i++) {
            if (index[i].person == q) continue;
            if (nr == *cap) {
                *cap = *cap ? 2 * *cap : 64;
                relative *t = realloc(*rel, (size_t)*cap * sizeof *t);
                if (!t) return -1;
                *rel = t;
            }
            (*rel)[nr++] = (relative){index[i].person, mine[k].depth + index[i].depth,
                                      mine[k].paternal && index[i].paternal};
        }
    }
    free(mine);
    qsort(*rel, (size_t)nr, sizeof **rel, cmp_rel);
    long out = 0; /* keep the closest path per relative */
    for (long i = 0; i < nr; i++)
        if (!out || (*rel)[out - 1].id != (*rel)[i].id) (*rel)[out++] = (*rel)[i];
    return out;
}

/* Picks the queries (candidates with a relative in the database, in id
 * order) and writes them and the truth. */
static int write_queries(run_state *s, FILE *queries, FILE *truth)
{
    anc *index = NULL;
    long n = 0, cap = 0;
    for (long m = 0; m < s->n_members; m++)
        if (ancestors(s, s->members[m], s->c->depth, &index, &n, &cap)) return SDB_ENOMEM;
    qsort(index, (size_t)n, sizeof *index, cmp_anc);
    fprintf(truth, "query_id,relative_id,meioses,paternal_line\n");
    relative *rel = NULL;
    long rcap = 0, written = 0;
    for (long c = 0; c < s->n_cand && written < s->c->queries; c++) {
        long nr = relatives_of(s, s->cand_id[c], index, n, &rel, &rcap);
        if (nr < 0) return SDB_ENOMEM;
        if (nr == 0 && !s->c->random_queries) continue;
        fputs(s->cand_text[c], queries);
        char qn[32], rn[32];
        sdb_sim_name(s->cand_id[c], qn);
        for (long i = 0; i < nr; i++) {
            sdb_sim_name(rel[i].id, rn);
            fprintf(truth, "%s,%s,%d,%d\n", qn, rn, rel[i].meioses, rel[i].paternal);
        }
        written++;
    }
    free(rel);
    free(index);
    fprintf(stderr, "[strdb simulate] %ld database profiles, %ld queries (of %ld candidates)\n",
            s->n_members, written, s->n_cand);
    return SDB_OK;
}

static int load_founders(const char *path, sdb_profile **out, long *n)
{
    sdb_reader *r;
    sdb_diag d;
    sdb_diag_clear(&d);
    long cap = 1024;
    *n = 0;
    *out = malloc((size_t)cap * sizeof **out);
    int rc = *out ? sdb_reader_open(&r, path, sdb_catalog_default(), NULL, &d) : SDB_ENOMEM;
    if (rc) {
        cli_diag("simulate", rc, &d);
        return rc;
    }
    for (;;) {
        if (*n == cap && !(*out = realloc(*out, (size_t)(cap *= 2) * sizeof **out))) {
            rc = SDB_ENOMEM;
            break;
        }
        sdb_profile_init(&(*out)[*n]);
        rc = sdb_reader_next(r, &(*out)[*n], &d);
        if (rc == SDB_END) {
            sdb_profile_free(&(*out)[*n]);
            rc = SDB_OK;
            break;
        }
        if (rc == SDB_OK && (*out)[*n].kind == SDB_KIND_Y)
            (*n)++;
        else
            sdb_profile_free(&(*out)[*n]);
        if (rc && rc != SDB_EINVAL) break;
    }
    sdb_reader_close(r);
    if (rc) cli_diag("simulate", rc, &d);
    return rc;
}

/* The CSV layout needs the loci up front: every locus of both kits. */
static int csv_layout(run_state *s)
{
    const sdb_catalog *cat = sdb_catalog_default();
    if (sdb_csv_layout_new(&s->layout, cat)) return SDB_ENOMEM;
    sdb_profile p;
    sdb_profile_init(&p);
    for (int i = 0; i < sdb_catalog_count(cat); i++) {
        const sdb_locus *l = sdb_catalog_at(cat, i);
        int in = (s->c->o.y_kit && l->type == SDB_LOCUS_Y && sdb_locus_in_set(l, s->c->o.y_kit)) ||
                 (s->c->o.autosomal_kit && l->type == SDB_LOCUS_AUTOSOMAL &&
                  sdb_locus_in_set(l, s->c->o.autosomal_kit));
        for (int k = 0; in && k < (l->type == SDB_LOCUS_Y ? l->copies : 2); k++)
            if (sdb_profile_add(&p, l, (sdb_allele)(100 + 10 * k))) return SDB_ENOMEM;
    }
    int rc = sdb_profile_finish(&p, cat);
    sdb_csv_layout_add(s->layout, &p);
    sdb_profile_free(&p);
    return rc;
}

/* Imports one output file into index of DB (created if missing). */
static int import_into(const sim_cli *c, const char *file, const char *index)
{
    sdb_session *db = NULL;
    sdb_diag d;
    sdb_diag_clear(&d);
    int rc = cli_session_or_create("simulate", c->db, &db) ? SDB_EPERM : SDB_OK;
    if (rc) return rc; /* the reason is printed */
    if (!rc) {
        sdb_import_opts o;
        sdb_import_opts_init(&o);
        o.index = index;
        o.basis = c->basis;
        sdb_import_stats st;
        rc = sdb_session_import(db, file, &o, &st, &d);
        if (!rc)
            fprintf(stderr, "[strdb simulate] %ld profiles imported into %s (%s)\n", st.n_imported,
                    c->db, index);
        sdb_session_close(db);
    }
    if (rc) cli_diag("simulate", rc, &d);
    return rc;
}

int main_simulate(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--mp-families") || !strncmp(argv[i], "--mp-families=", 14))
            return main_simulate_mp(argc, argv);
    sim_cli c;
    int rc = parse_args(argc, argv, &c);
    if (rc) return rc < 0 ? EXIT_OK : rc;
    const sdb_catalog *cat = sdb_catalog_default();
    if (cli_make_dir("simulate", c.out)) return EXIT_FAIL;
    sdb_freq *freq = NULL;
    sdb_profile *founders = NULL;
    const sdb_profile **fptr = NULL;
    long n_founders = 0;
    sdb_diag d;
    sdb_diag_clear(&d);
    run_state s = {.c = &c, .keep = c.depth + c.living + 1};
    clock_gettime(CLOCK_MONOTONIC, &s.t0);
    s.gens = calloc((size_t)s.keep, sizeof *s.gens);
    for (int i = 0; s.gens && i < s.keep; i++)
        s.gens[i].generation = -1;
    rc = EXIT_FAIL;
    if (!s.gens) goto done;
    if (c.o.autosomal_kit) {
        if (cli_sim_freq(c.freq, c.pop, &freq, &c.o.pop)) goto done;
        c.o.freq = freq;
    }
    if (c.y_founders) {
        if (load_founders(c.y_founders, &founders, &n_founders)) goto done;
        if (!(fptr = malloc((size_t)(n_founders + 1) * sizeof *fptr))) goto done;
        for (long i = 0; i < n_founders; i++)
            fptr[i] = &founders[i];
        c.o.y_founders = fptr;
        c.o.n_y_founders = n_founders;
    }
    /* query candidates: about 20 times the queries wanted, from the living */
    double living = 0; /* persons in the living generations */
    for (int g = c.o.generations - c.living + 1; g <= c.o.generations; g++)
        living += (double)c.o.founders * pow(1 + c.o.growth, g);
    s.cand_fraction = living > 0 ? 20.0 * (double)c.queries / living : 0;
    if (s.cand_fraction > 1) s.cand_fraction = 1;
    const char *dbname = c.format == SDB_FMT_JSONL ? "database.jsonl" : "database.csv";
    const char *qname = c.format == SDB_FMT_JSONL ? "queries.jsonl" : "queries.csv";
    FILE *queries = NULL, *truth = NULL;
    const char *yname = c.format == SDB_FMT_JSONL ? "database_y.jsonl" : "database_y.csv";
    if (c.y_index && !(s.database_y = open_out(c.out, yname))) goto close;
    if (!(s.database = open_out(c.out, dbname)) || !(queries = open_out(c.out, qname)) ||
        !(truth = open_out(c.out, "truth.csv")) ||
        (c.pedigree && !(s.pedigree = open_out(c.out, "pedigree.csv"))))
        goto close;
    if (c.format == SDB_FMT_WIDE &&
        (csv_layout(&s) || sdb_csv_write_header(s.database, s.layout) ||
         (s.database_y && sdb_csv_write_header(s.database_y, s.layout)) ||
         sdb_csv_write_header(queries, s.layout)))
        goto close;
    if (s.pedigree) fprintf(s.pedigree, "id,father,mother,sex,generation\n");
    c.o.want_profiles = wants_profiles;
    int st = sdb_simulate(cat, &c.o, on_person, &s, &d);
    if (isatty(2)) fputc('\n', stderr);
    if (st) {
        cli_diag("simulate", st, &d);
        goto close;
    }
    if (write_queries(&s, queries, truth)) goto close;
    rc = EXIT_OK;
close:
    if (s.database && fclose(s.database)) rc = EXIT_FAIL;
    if (s.database_y && fclose(s.database_y)) rc = EXIT_FAIL;
    if (queries && fclose(queries)) rc = EXIT_FAIL;
    if (truth && fclose(truth)) rc = EXIT_FAIL;
    if (s.pedigree && fclose(s.pedigree)) rc = EXIT_FAIL;
    if (!rc && c.db) {
        char path[2048];
        snprintf(path, sizeof path, "%s/%s", c.out, dbname);
        if (import_into(&c, path, c.index)) rc = EXIT_FAIL;
        snprintf(path, sizeof path, "%s/%s", c.out, yname);
        if (!rc && c.y_index && import_into(&c, path, c.y_index)) rc = EXIT_FAIL;
    }
done:
    for (int i = 0; s.gens && i < s.keep; i++)
        free(s.gens[i].p);
    free(s.gens);
    free(s.members);
    for (long i = 0; i < s.n_cand; i++)
        free(s.cand_text[i]);
    free(s.cand_text);
    free(s.cand_id);
    sdb_csv_layout_free(s.layout);
    for (long i = 0; i < n_founders; i++)
        sdb_profile_free(&founders[i]);
    free(founders);
    free(fptr);
    sdb_freq_free(freq);
    return rc;
}
