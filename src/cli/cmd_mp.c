/* strdb mp lr: missing-person likelihood ratios over a family pedigree. */
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "strdb/pedigree.h"
#include "strdb/stats.h"

static const char mp_usage[] =
    "usage: strdb mp lr --freq FILE [--pop NAME] --pedigree PED.csv --missing ID\n"
    "                   --reference \"ID=L=a/b;L=a/b;...\" [--reference ...] --poi \"L=a/b;...\"\n"
    "                   [--mutation equal|proportional|stepwise --rate R [--rate2 R2]\n"
    "                   [--range X] [--female-rate R]] [--theta T] [--silent S]\n"
    "                   [--dropout D] [--min-freq none|5/2N|F] [--strict] [--json]\n\n"
    "Missing-person likelihood ratio: \"the person of interest (POI; remains) is the\n"
    "missing person ID of the family pedigree\" against \"the POI is unrelated to the\n"
    "family\", per autosomal locus of the POI and in total, as forrel's\n"
    "missingPersonLR. Each locus is the exact pedigree likelihood by variable\n"
    "elimination (loops such as a cousin marriage included; docs/missing-persons.md);\n"
    "founders are in Hardy-Weinberg equilibrium, or drawn jointly with --theta\n"
    "(Balding-Nichols, as pedprobr). The mutation model applies to every\n"
    "transmission under both hypotheses, with the models and parameters of\n"
    "strdb kinship (pedmut's), built over the population's allele list at each locus.\n\n"
    "  --pedigree PED.csv  the family: id,father,mother,sex (docs/pedigree.md); every\n"
    "                      parent named must be a row of the file\n"
    "  --missing ID        the missing person (untyped)\n"
    "  --reference S       a typed relative: ID=genotype; repeat for each\n"
    "  --poi G             the person of interest's genotype\n"
    "  --rate R            mutation rate per transmission (fathers and mothers)\n"
    "  --female-rate R     a different rate for transmissions from mothers\n"
    "  --theta T           coancestry of the family's founders (default 0)\n"
    "  --silent S          frequency of a silent (null) allele (default 0: none)\n"
    "  --dropout D         drop-out probability of each allele copy of the POI\n"
    "                      (degraded remains; default 0)\n"
    "  --min-freq R        none (the table as given, as Familias and forrel compute), 5/2N\n"
    "                      (default: NRC II) or F\n"
    "  --json              {\"lr\": ..., \"log10_lr\": ..., \"loci\": [...], ...}\n";

enum {
    O_FREQ = 1,
    O_POP,
    O_PED,
    O_MISSING,
    O_REF,
    O_POI,
    O_MUT,
    O_RATE,
    O_RATE2,
    O_RANGE,
    O_FRATE,
    O_THETA,
    O_SILENT,
    O_DROPOUT,
    O_MINF,
    O_STRICT,
    O_JSON
};

#define MAX_REFS 256

typedef struct mp_args {
    const char *freq, *pop, *ped, *missing, *poi;
    const char *refs[MAX_REFS];
    int n_refs;
    sdb_pedlik_model model;
    double female_rate, dropout;
    int have_female_rate, strict, json;
    cli_minimum min_freq;
} mp_args;

static int parse(int argc, char **argv, mp_args *a)
{
    static const struct option longopts[] = {{"freq", required_argument, NULL, O_FREQ},
                                             {"pop", required_argument, NULL, O_POP},
                                             {"pedigree", required_argument, NULL, O_PED},
                                             {"missing", required_argument, NULL, O_MISSING},
                                             {"reference", required_argument, NULL, O_REF},
                                             {"poi", required_argument, NULL, O_POI},
                                             {"mutation", required_argument, NULL, O_MUT},
                                             {"rate", required_argument, NULL, O_RATE},
                                             {"rate2", required_argument, NULL, O_RATE2},
                                             {"range", required_argument, NULL, O_RANGE},
                                             {"female-rate", required_argument, NULL, O_FRATE},
                                             {"theta", required_argument, NULL, O_THETA},
                                             {"silent", required_argument, NULL, O_SILENT},
                                             {"dropout", required_argument, NULL, O_DROPOUT},
                                             {"min-freq", required_argument, NULL, O_MINF},
                                             {"strict", no_argument, NULL, O_STRICT},
                                             {"json", no_argument, NULL, O_JSON},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    memset(a, 0, sizeof *a);
    sdb_pedlik_model_init(&a->model);
    sdb_mutation *m = &a->model.male;
    const char *cmd = "mp lr";
    int c;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case O_FREQ: a->freq = optarg; break;
        case O_POP: a->pop = optarg; break;
        case O_PED: a->ped = optarg; break;
        case O_MISSING: a->missing = optarg; break;
        case O_REF:
            if (a->n_refs == MAX_REFS) {
                cli_error(cmd, "--reference: at most %d references", MAX_REFS);
                return EXIT_USAGE;
            }
            a->refs[a->n_refs++] = optarg;
            break;
        case O_POI: a->poi = optarg; break;
        case O_MUT:
            if (sdb_mutation_parse(optarg, &m->kind)) {
                cli_error(cmd, "--mutation: expected equal, proportional or stepwise, got '%s'",
                          optarg);
                return EXIT_USAGE;
            }
            break;
        case O_RATE:
            if (cli_number(cmd, "--rate", optarg, 0, 0.5, &m->rate)) return EXIT_USAGE;
            break;
        case O_RATE2:
            if (cli_number(cmd, "--rate2", optarg, 0, 0.5, &m->rate2)) return EXIT_USAGE;
            break;
        case O_RANGE:
            if (cli_number(cmd, "--range", optarg, 1e-9, 1e9, &m->range)) return EXIT_USAGE;
            break;
        case O_FRATE:
            if (cli_number(cmd, "--female-rate", optarg, 0, 0.5, &a->female_rate))
                return EXIT_USAGE;
            a->have_female_rate = 1;
            break;
        case O_THETA:
            if (cli_number(cmd, "--theta", optarg, 0, 0.5, &a->model.theta)) return EXIT_USAGE;
            break;
        case O_SILENT:
            if (cli_number(cmd, "--silent", optarg, 0, 0.5, &a->model.silent)) return EXIT_USAGE;
            break;
        case O_DROPOUT:
            if (cli_number(cmd, "--dropout", optarg, 0, 0.99, &a->dropout)) return EXIT_USAGE;
            break;
        case O_MINF:
            if (cli_min_freq(cmd, optarg, &a->min_freq)) return EXIT_USAGE;
            break;
        case O_STRICT: a->strict = 1; break;
        case O_JSON: a->json = 1; break;
        case 'h': cli_usage(mp_usage, 0); return -1;
        default: return cli_usage(mp_usage, 1);
        }
    }
    if (optind != argc) return cli_usage(mp_usage, 1);
    if (m->kind != SDB_MUT_NONE && m->rate <= 0) {
        cli_error(cmd, "--mutation needs --rate R (0 < R <= 0.5)");
        return EXIT_USAGE;
    }
    if (a->have_female_rate && m->kind == SDB_MUT_NONE) {
        cli_error(cmd, "--female-rate needs --mutation");
        return EXIT_USAGE;
    }
    a->model.female = *m;
    if (a->have_female_rate) a->model.female.rate = a->female_rate;
    const char *need[][2] = {{a->ped, "--pedigree PED.csv"}, {a->missing, "--missing ID"},
                             {a->poi, "--poi G"}};
    for (int i = 0; i < 3; i++)
        if (!need[i][0]) {
            cli_error(cmd, "%s is required", need[i][1]);
            return EXIT_USAGE;
        }
    return 0;
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    size_t k;
    while (buf && (k = fread(buf + n, 1, cap - n, f)) > 0) {
        n += k;
        if (n == cap) {
            char *g = realloc(buf, cap *= 2);
            if (!g) free(buf);
            buf = g;
        }
    }
    fclose(f);
    *len = n;
    return buf;
}

/* The family: persons of the file as indexes, with the connected component
 * of each (to find references with no path to the missing person). */
typedef struct family {
    sdb_pedigree *ped;
    sdb_pedlik *lik;
    int *component;
} family;

static int find_person(const sdb_pedigree *p, const char *id, size_t len)
{
    for (long i = 0; i < p->n; i++)
        if (strlen(p->persons[i].id) == len && !memcmp(p->persons[i].id, id, len)) return (int)i;
    return -1;
}

static int root(int *up, int i)
{
    while (up[i] != i)
        i = up[i] = up[up[i]];
    return i;
}

static int load_family(const char *cmd, const char *path, family *fam)
{
    memset(fam, 0, sizeof *fam);
    size_t len = 0;
    char *text = slurp(path, &len);
    if (!text) {
        cli_error(cmd, "%s: %s", path, strerror(errno ? errno : ENOMEM));
        return EXIT_FAIL;
    }
    sdb_diag d;
    sdb_diag_clear(&d);
    int rc = sdb_pedigree_parse(&fam->ped, path, text, len, &d);
    free(text);
    if (rc) {
        cli_diag(cmd, rc, &d);
        return EXIT_FAIL;
    }
    int n = (int)fam->ped->n;
    int *fa = malloc((size_t)n * sizeof *fa), *mo = malloc((size_t)n * sizeof *mo);
    char *sex = malloc((size_t)n + 1);
    fam->component = malloc((size_t)n * sizeof *fam->component);
    if (!fa || !mo || !sex || !fam->component) {
        rc = EXIT_FAIL;
        cli_error(cmd, "out of memory");
        goto out;
    }
    for (int i = 0; i < n; i++)
        fam->component[i] = i;
    for (int i = 0; i < n && !rc; i++) {
        const sdb_person *p = &fam->ped->persons[i];
        const char *par[2] = {p->father, p->mother}, *field[2] = {"father", "mother"};
        int *dst[2] = {&fa[i], &mo[i]};
        sex[i] = p->sex;
        for (int k = 0; k < 2 && !rc; k++) {
            *dst[k] = par[k] ? find_person(fam->ped, par[k], strlen(par[k])) : -1;
            if (par[k] && *dst[k] < 0) {
                sdb_diag_set(&d, path, p->line, field[k],
                             "'%s' is not a person of the file (every parent must have a row)",
                             par[k]);
                cli_diag(cmd, SDB_EINVAL, &d);
                rc = EXIT_FAIL;
            } else if (par[k]) {
                fam->component[root(fam->component, i)] = root(fam->component, *dst[k]);
            }
        }
    }
    if (!rc && sdb_pedlik_new(&fam->lik, n, fa, mo, sex, &d)) {
        cli_diag(cmd, SDB_EINVAL, &d);
        rc = EXIT_FAIL;
    }
out:
    free(fa);
    free(mo);
    free(sex);
    return rc;
}

static void family_free(family *fam)
{
    sdb_pedlik_free(fam->lik);
    sdb_pedigree_free(fam->ped);
    free(fam->component);
}

static int genotype(const char *cmd, const char *opt, const char *text, sdb_profile *p)
{
    sdb_diag d;
    sdb_diag_clear(&d);
    int rc = sdb_genotype_parse(p, sdb_catalog_default(), text, &d);
    if (rc) {
        cli_error(cmd, "%s: %s%s%s", opt, d.field[0] ? d.field : "", d.field[0] ? ": " : "",
                  d.reason);
        return EXIT_FAIL;
    }
    return EXIT_OK;
}

static void mutation_text(const sdb_pedlik_model *m, char *buf, size_t size)
{
    static const char *names[] = {"none", "equal", "proportional", "stepwise"};
    if (m->male.kind == SDB_MUT_NONE) {
        snprintf(buf, size, "none");
        return;
    }
    int n = snprintf(buf, size, "%s, rate %g (fathers) %g (mothers)", names[m->male.kind],
                     m->male.rate, m->female.rate);
    if (m->male.kind == SDB_MUT_STEPWISE && n > 0 && (size_t)n < size)
        snprintf(buf + n, size - (size_t)n, ", rate2 %g, range %g", m->male.rate2,
                 m->male.range);
}

static int lr_main(int argc, char **argv)
{
    const char *cmd = "mp lr";
    mp_args a;
    int rc = parse(argc, argv, &a);
    if (rc) return rc < 0 ? EXIT_OK : rc;
    family fam;
    sdb_freq *f = NULL;
    sdb_profile poi, *refs = NULL;
    const sdb_profile **typed = NULL;
    sdb_locus_stat *st = NULL;
    sdb_profile_init(&poi);
    int pop = -1, q = -1, n = 0;
    if ((rc = load_family(cmd, a.ped, &fam))) goto out;
    n = (int)fam.ped->n;
    if ((q = find_person(fam.ped, a.missing, strlen(a.missing))) < 0) {
        cli_error(cmd, "--missing: '%s' is not in %s", a.missing, a.ped);
        rc = EXIT_FAIL;
        goto out;
    }
    refs = calloc((size_t)a.n_refs + 1, sizeof *refs);
    typed = calloc((size_t)n, sizeof *typed);
    if (!refs || !typed) {
        cli_error(cmd, "out of memory");
        rc = EXIT_FAIL;
        goto out;
    }
    for (int r = 0; r < a.n_refs; r++)
        sdb_profile_init(&refs[r]);
    for (int r = 0; r < a.n_refs && !rc; r++) {
        const char *eq = strchr(a.refs[r], '=');
        if (!eq || eq == a.refs[r]) {
            cli_error(cmd, "--reference: expected ID=genotype, got '%s'", a.refs[r]);
            rc = EXIT_USAGE;
            break;
        }
        int len = (int)(eq - a.refs[r]), i = find_person(fam.ped, a.refs[r], (size_t)len);
        if (i < 0) {
            cli_error(cmd, "--reference: '%.*s' is not in %s", len, a.refs[r], a.ped);
            rc = EXIT_FAIL;
        } else if (i == q) {
            cli_error(cmd, "--reference: '%.*s' is the missing person, who must be untyped "
                           "(compare a direct reference with strdb search)",
                      len, a.refs[r]);
            rc = EXIT_FAIL;
        } else if (typed[i]) {
            cli_error(cmd, "--reference: '%.*s' is given twice", len, a.refs[r]);
            rc = EXIT_USAGE;
        } else if (root(fam.component, i) != root(fam.component, q)) {
            cli_error(cmd,
                      "--reference: '%.*s' has no path to the missing person '%s' in %s "
                      "(not related through the pedigree)",
                      len, a.refs[r], a.missing, a.ped);
            rc = EXIT_FAIL;
        } else if (!(rc = genotype(cmd, "--reference", eq + 1, &refs[r]))) {
            typed[i] = &refs[r];
        }
    }
    if (rc || (rc = genotype(cmd, "--poi", a.poi, &poi))) goto out;
    if ((rc = cli_load_freq(cmd, a.freq, a.strict, &a.min_freq, &f))) goto out;
    if ((pop = cli_find_pop(cmd, f, a.pop, a.pop ? strlen(a.pop) : 0)) < 0) {
        rc = EXIT_FAIL;
        goto out;
    }
    st = calloc((size_t)poi.n_calls + 1, sizeof *st);
    double total = 1;
    int n_out = 0, excluded = 0;
    sdb_diag d;
    sdb_diag_clear(&d);
    int lrc = st ? sdb_pedlik_mp_profiles(fam.lik, &a.model, f, pop, typed, q, &poi, a.dropout,
                                          st, &n_out, &total, &excluded, &d)
                 : SDB_ENOMEM;
    if (lrc) {
        if (!strncmp(d.field, "person ", 7)) { /* name the person by id */
            int i = atoi(d.field + 7);
            if (i >= 0 && i < n) snprintf(d.field, sizeof d.field, "%s", fam.ped->persons[i].id);
        }
        cli_diag(cmd, lrc, &d);
        rc = EXIT_FAIL;
        goto out;
    }
    char minimum[32], mut[160];
    sdb_freq_minimum_text(f, minimum, sizeof minimum);
    mutation_text(&a.model, mut, sizeof mut);
    const sdb_catalog *cat = sdb_catalog_default();
    if (a.json) {
        json_t *loci = json_array(), *refs_j = json_array();
        for (int i = 0; i < n; i++)
            if (typed[i]) json_array_append_new(refs_j, json_string(fam.ped->persons[i].id));
        for (int k = 0; k < n_out; k++) {
            char g[128] = "-";
            cli_alleles(&poi, sdb_profile_call(&poi, st[k].locus), g, sizeof g);
            json_t *o = json_pack("{s:s,s:s,s:f,s:b}", "locus",
                                  sdb_catalog_by_id(cat, st[k].locus)->name, "poi", g, "lr",
                                  st[k].value, "excluded", st[k].value == 0);
            if (st[k].note) json_object_set_new(o, "note", json_string(st[k].note));
            json_array_append_new(loci, o);
        }
        json_t *o = json_pack(
            "{s:f,s:o,s:s,s:s,s:o,s:s,s:f,s:s,s:s,s:f,s:f,s:i,s:o}", "lr", total, "log10_lr",
            total > 0 ? json_real(log10(total)) : json_null(), "missing", a.missing, "pedigree",
            a.ped, "references", refs_j, "population", sdb_freq_population(f, pop), "theta",
            a.model.theta, "min_freq", minimum, "mutation", mut, "silent", a.model.silent,
            "dropout", a.dropout, "excluded_loci", excluded, "loci", loci);
        json_dumpf(o, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17));
        putchar('\n');
        json_decref(o);
    } else {
        int n_typed = 0;
        for (int i = 0; i < n; i++)
            n_typed += typed[i] != NULL;
        printf("missing person %s of %s (%d persons, %d typed); population %s, theta %g, "
               "minimum frequency %s, mutation %s\n",
               a.missing, a.ped, n, n_typed, sdb_freq_population(f, pop), a.model.theta, minimum,
               mut);
        printf("%-12s %-12s %s\n", "locus", "poi", "LR");
        for (int k = 0; k < n_out; k++) {
            char g[128] = "-";
            cli_alleles(&poi, sdb_profile_call(&poi, st[k].locus), g, sizeof g);
            printf("%-12s %-12s %.12g%s%s%s\n", sdb_catalog_by_id(cat, st[k].locus)->name, g,
                   st[k].value, st[k].value == 0 ? "  excluded" : "", st[k].note ? "  " : "",
                   st[k].note ? st[k].note : "");
        }
        printf("LR %.12g", total);
        if (total > 0) printf(" (log10 %.4f)", log10(total));
        if (excluded) printf(", %d locus%s excluded without mutation", excluded,
                             excluded == 1 ? "" : "es");
        putchar('\n');
    }
out:
    if (refs)
        for (int r = 0; r < a.n_refs; r++)
            sdb_profile_free(&refs[r]);
    free(refs);
    free(typed);
    free(st);
    sdb_profile_free(&poi);
    sdb_freq_free(f);
    if (fam.ped || fam.lik) family_free(&fam);
    return rc;
}

int main_mp(int argc, char **argv)
{
    if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        cli_usage(mp_usage, 0);
        return EXIT_OK;
    }
    if (argc >= 2 && !strcmp(argv[1], "lr")) return lr_main(argc - 1, argv + 1);
    return cli_usage(mp_usage, 1);
}
