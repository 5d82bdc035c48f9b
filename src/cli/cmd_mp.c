/* strdb mp lr: missing-person likelihood ratios over a family pedigree. */
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char mp_usage[] =
    "usage: strdb mp lr --freq FILE [--pop NAME] --pedigree PED.csv --missing ID\n"
    "                   --reference \"ID=L=a/b;L=a/b;...\" [--reference ...] --poi \"L=a/b;...\"\n"
    "                   [--mutation equal|proportional|stepwise --rate R [--rate2 R2]\n"
    "                   [--range X] [--female-rate R]] [--theta T] [--silent S]\n"
    "                   [--dropout D] [--min-freq none|5/2N|F] [--strict] [--json]\n"
    "       strdb mp lr --fam FILE.fam [--fam-pedigree NAME] --missing ID (--poi G |\n"
    "                   --poi-person ID) [--fam-mutation | --mutation ...] [options]\n"
    "       strdb mp power --freq FILE [--pop NAME] --pedigree PED.csv --missing ID\n"
    "                   --reference \"ID=L=a/b;...\" [--reference ...] [model options as for lr]\n"
    "                   [--nsim N] [--seed S] [--json]\n"
    "       strdb mp search DB --freq FILE [--pop NAME] [--family NAME] [--remains S[,S...]]\n"
    "                   [--remains-index I] [--rank remains|family] [--top N] [--min-lr X]\n"
    "                   [model options as for lr] [--dropout D] [--threads N] [--json]\n"
    "       strdb mp draw DB FAMILY --svg FILE --freq FILE [--pop NAME] [model options]\n"
    "       strdb mp dvi DB --case REF (or --family NAME) --freq FILE [--remains S,...]\n"
    "                   [options as for dvi over files]\n"
    "       strdb mp dvi --freq FILE [--pop NAME] --pedigree AM.csv --missing ID[,ID...]\n"
    "                   [--reference \"ID=L=a/b;...\" ...] --victim \"ID[:M|F|U]=L=a/b;...\"\n"
    "                   [--victim ...] [--top N] [--undisputed T] [--dropout D]\n"
    "                   [--ignore-sex] [model options as for lr] [--json]\n"
    "       strdb mp dvi --fam FILE.fam [--freq FILE [--pop NAME]] [--victim ...]\n"
    "                   [--fam-mutation | --mutation ...] [--ignore-sex] [options]\n\n"
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
    "  --fam FILE.fam      a Familias file instead of --pedigree: the pedigree (choose one\n"
    "                      with --fam-pedigree when it has several), its typed persons as\n"
    "                      references, its database as the frequencies (unless --freq)\n"
    "  --poi-person ID     the POI is that typed person of the .fam file (left untyped in\n"
    "                      the family): e.g. --missing AF --poi-person AF is a paternity LR\n"
    "  --fam-mutation      the file's mutation models (when every locus has the same)\n"
    "  --rate R            mutation rate per transmission (fathers and mothers)\n"
    "  --female-rate R     a different rate for transmissions from mothers\n"
    "  --theta T           coancestry of the family's founders (default 0)\n"
    "  --silent S          frequency of a silent (null) allele (default 0: none)\n"
    "  --dropout D         drop-out probability of each allele copy of the POI\n"
    "                      (degraded remains; default 0)\n"
    "  --min-freq R        none (the table as given, as Familias and forrel compute), 5/2N\n"
    "                      (default: NRC II) or F\n"
    "  --json              {\"lr\": ..., \"log10_lr\": ..., \"loci\": [...], ...}\n\n"
    "mp power tells how well the typed references can identify the missing person, over\n"
    "the loci typed in any reference (as forrel's missingPersonEP and LRpower): the\n"
    "exclusion power (the probability that a random unrelated person is excluded at some\n"
    "locus, without mutation), the exact expected log10 LR of the true missing person,\n"
    "and the distribution of its log10 LR from N draws of its genotype given the\n"
    "references (--nsim, default 10000; --seed, default 1: the same seed, the same\n"
    "figures). Run it with and without a relative's reference to see what typing that\n"
    "relative would add.\n\n"
    "mp dvi assigns victims (remains) to missing persons jointly, across families, as\n"
    "dvir's jointDVI: each connected part of AM.csv that holds a missing person is a\n"
    "family (at most 8 missing persons each, 64 victims in all). It prints the pairwise\n"
    "LR of every victim and missing person, the --top N assignments (default 10) by LR\n"
    "against \"nobody identified\" (exact, by branch and bound; no cap on the\n"
    "assignments tried), their posterior with a flat prior and the posterior\n"
    "probability of each pairing (exact sums, up to 20 victims), and the undisputed\n"
    "identifications as dvir's findUndisputed: pairwise LR above T (default 10000)\n"
    "with every other pairwise LR of that victim and that missing person at most 1\n"
    "(strict), or at most LR / T (relaxed), in rounds. A victim's sex (default U)\n"
    "must match the missing person's (--ignore-sex: any victim with any missing\n"
    "person); --dropout applies to every victim. --fam reads a Familias DVI file:\n"
    "its unidentified persons are the victims, its reference families the families\n"
    "(each family's second pedigree, as dvir's familias2dvir; the missing persons are\n"
    "those named Missing..., labelled M1, M2, ...), its database the frequencies\n"
    "unless --freq; --fam-mutation applies the file's mutation models.\n\n"
    "Over a database (purpose missing-person, the default; role analyst): the families\n"
    "are those imported with strdb pedigree import (columns family and missing), their\n"
    "references the members' profiles in index relative-of-missing; the remains are the\n"
    "profiles of unidentified-remains (--remains-index missing-person for direct\n"
    "references; no other index is ever compared with relatives' profiles). mp search\n"
    "ranks, for each remains (or with --family, for that family; --rank family), the\n"
    "best --top N (default 10) pairs with LR >= --min-lr (default 1), each with the\n"
    "loci compared, the loci inconsistent without mutation and the number of typed\n"
    "references; --json adds per-locus LRs. Each family's table per locus is computed\n"
    "once and gathered over all remains (docs/missing-persons.md). Audited, with every\n"
    "candidate recorded for subject reports. mp draw writes the family's pedigree as\n"
    "SVG (missing persons ringed, typed references filled) with its best candidate\n"
    "among the remains and the LR in the caption. mp dvi DB --case REF solves the\n"
    "case's families jointly against the remains (--remains S,... or all; at most 64);\n"
    "a victim's sex comes from Amelogenin.\n";

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
    O_JSON,
    O_NSIM,
    O_SEED,
    O_FAM,
    O_FAMPED,
    O_FAMMUT,
    O_POIP,
    O_VICTIM,
    O_TOP,
    O_UNDISPUTED,
    O_FAMILY,
    O_REMAINS,
    O_REMAINS_INDEX,
    O_MIN_LR,
    O_THREADS,
    O_RANK,
    O_SVG,
    O_IGNORE_SEX
};

int mp_parse(int argc, char **argv, mp_args *a, const char *cmd, int need_poi)
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
                                             {"nsim", required_argument, NULL, O_NSIM},
                                             {"seed", required_argument, NULL, O_SEED},
                                             {"fam", required_argument, NULL, O_FAM},
                                             {"fam-pedigree", required_argument, NULL, O_FAMPED},
                                             {"fam-mutation", no_argument, NULL, O_FAMMUT},
                                             {"poi-person", required_argument, NULL, O_POIP},
                                             {"victim", required_argument, NULL, O_VICTIM},
                                             {"top", required_argument, NULL, O_TOP},
                                             {"undisputed", required_argument, NULL, O_UNDISPUTED},
                                             {"family", required_argument, NULL, O_FAMILY},
                                             {"remains", required_argument, NULL, O_REMAINS},
                                             {"remains-index", required_argument, NULL, O_REMAINS_INDEX},
                                             {"min-lr", required_argument, NULL, O_MIN_LR},
                                             {"threads", required_argument, NULL, O_THREADS},
                                             {"rank", required_argument, NULL, O_RANK},
                                             {"svg", required_argument, NULL, O_SVG},
                                             {"ignore-sex", no_argument, NULL, O_IGNORE_SEX},
                                             CTX_LONG_OPTIONS,
                                             {NULL, 0, NULL, 0}};
    memset(a, 0, sizeof *a);
    sdb_pedlik_model_init(&a->model);
    sdb_mutation *m = &a->model.male;
    int c;
    a->nsim = 10000;
    a->seed = 1;
    a->top = 10;
    a->undisputed = 1e4;
    a->min_lr = 1;
    a->threads = 2;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        if (cli_ctx_option(c, optarg, &a->ctx)) continue;
        switch (c) {
        case O_FREQ: a->freq = optarg; break;
        case O_POP: a->pop = optarg; break;
        case O_PED: a->ped = optarg; break;
        case O_MISSING:
            if (a->n_missing == SDB_DVI_MAX_VICTIMS) {
                cli_error(cmd, "--missing: at most %d missing persons", SDB_DVI_MAX_VICTIMS);
                return EXIT_USAGE;
            }
            a->missing = a->missings[a->n_missing++] = optarg;
            break;
        case O_VICTIM:
            if (a->n_victims == SDB_DVI_MAX_VICTIMS) {
                cli_error(cmd, "--victim: at most %d victims", SDB_DVI_MAX_VICTIMS);
                return EXIT_USAGE;
            }
            a->victims[a->n_victims++] = optarg;
            break;
        case O_TOP:
            if (cli_integer(cmd, "--top", optarg, 1, 100000, &a->top)) return EXIT_USAGE;
            a->top_given = 1;
            break;
        case O_FAMILY: a->family = optarg; break;
        case O_REMAINS: a->remains = optarg; break;
        case O_REMAINS_INDEX: a->remains_index = optarg; break;
        case O_RANK: a->rank = optarg; break;
        case O_SVG: a->svg = optarg; break;
        case O_IGNORE_SEX: a->ignore_sex = 1; break;
        case O_MIN_LR:
            if (cli_number(cmd, "--min-lr", optarg, 0, 1e300, &a->min_lr)) return EXIT_USAGE;
            break;
        case O_THREADS:
            if (cli_integer(cmd, "--threads", optarg, 1, 64, &a->threads)) return EXIT_USAGE;
            break;
        case O_UNDISPUTED:
            if (cli_number(cmd, "--undisputed", optarg, 1, 1e300, &a->undisputed))
                return EXIT_USAGE;
            break;
        case O_REF:
            if (a->n_refs == MAX_REFS) {
                cli_error(cmd, "--reference: at most %d references", MAX_REFS);
                return EXIT_USAGE;
            }
            a->refs[a->n_refs++] = optarg;
            break;
        case O_POI: a->poi = optarg; break;
        case O_FAM: a->fam = optarg; break;
        case O_FAMPED: a->fam_pedigree = optarg; break;
        case O_FAMMUT: a->fam_mutation = 1; break;
        case O_POIP: a->poi_person = optarg; break;
        case O_MUT:
        case O_RATE:
        case O_RATE2:
        case O_RANGE:
            if (cli_mutation_option(cmd, c == O_MUT ? "mutation" : c == O_RATE ? "rate"
                                         : c == O_RATE2 ? "rate2" : "range",
                                    optarg, m))
                return EXIT_USAGE;
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
        case O_NSIM:
            if (cli_integer(cmd, "--nsim", optarg, 1, 10000000, &a->nsim)) return EXIT_USAGE;
            break;
        case O_SEED: {
            long v;
            if (cli_integer(cmd, "--seed", optarg, 0, 2147483647L, &v)) return EXIT_USAGE;
            a->seed = (unsigned long long)v;
            break;
        }
        case 'h': cli_usage(mp_usage, 0); return -1;
        default: return cli_usage(mp_usage, 1);
        }
    }
    while (optind < argc && a->n_pos < 2)
        a->pos[a->n_pos++] = argv[optind++];
    if (optind != argc) return cli_usage(mp_usage, 1);
    cli_ctx_finish(&a->ctx);
    if (!a->ctx.purpose) a->ctx.purpose = "missing-person";
    if (cli_mutation_check(cmd, m)) return EXIT_USAGE;
    if (a->have_female_rate && m->kind == SDB_MUT_NONE) {
        cli_error(cmd, "--female-rate needs --mutation");
        return EXIT_USAGE;
    }
    a->model.female = *m;
    if (a->have_female_rate) a->model.female.rate = a->female_rate;
    int dvi = !strcmp(cmd, "mp dvi"), draw = !strcmp(cmd, "mp draw");
    if (!strcmp(cmd, "mp search") || draw || (dvi && a->n_pos))
        return a->n_pos == 1 + draw ? 0 : cli_usage(mp_usage, 1);
    if (a->n_pos) return cli_usage(mp_usage, 1);
    if (!dvi && (a->n_missing > 1 || a->n_victims)) {
        cli_error(cmd, a->n_victims ? "--victim is for mp dvi"
                                    : "--missing: one missing person (mp dvi takes several)");
        return EXIT_USAGE;
    }
    if (a->fam && a->ped) {
        cli_error(cmd, "--fam FILE and --pedigree PED.csv: give one");
        return EXIT_USAGE;
    }
    if (a->ignore_sex && !dvi) {
        cli_error(cmd, "--ignore-sex is for mp dvi");
        return EXIT_USAGE;
    }
    if (dvi && a->fam) {
        if (a->fam_pedigree || a->poi_person || a->poi || a->n_missing || a->n_refs) {
            cli_error(cmd, "mp dvi --fam takes the families, references and missing persons "
                           "from the file's [DVI] part (--victim adds victims)");
            return EXIT_USAGE;
        }
        if (a->fam_mutation && m->kind != SDB_MUT_NONE) {
            cli_error(cmd, "--fam-mutation and --mutation: give one");
            return EXIT_USAGE;
        }
        return 0;
    }
    if (a->fam) a->ped = a->fam;
    if ((a->fam_pedigree || a->fam_mutation || a->poi_person) && !a->fam) {
        cli_error(cmd, "--fam-pedigree, --fam-mutation and --poi-person need --fam FILE");
        return EXIT_USAGE;
    }
    if (a->fam_mutation && m->kind != SDB_MUT_NONE) {
        cli_error(cmd, "--fam-mutation and --mutation: give one");
        return EXIT_USAGE;
    }
    if (a->poi && a->poi_person) {
        cli_error(cmd, "--poi and --poi-person: give one");
        return EXIT_USAGE;
    }
    const char *need[][2] = {{a->ped, "--pedigree PED.csv (or --fam FILE)"},
                             {a->missing, "--missing ID"},
                             {a->poi ? a->poi : a->poi_person, "--poi G"}};
    for (int i = 0; i < 2 + need_poi; i++)
        if (!need[i][0]) {
            cli_error(cmd, "%s is required", need[i][1]);
            return EXIT_USAGE;
        }
    return 0;
}

char *mp_slurp(const char *path, size_t *len)
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

int mp_find_person(const family *fam, const char *id, size_t len)
{
    for (int i = 0; i < fam->n; i++)
        if (strlen(fam->ids[i]) == len && !memcmp(fam->ids[i], id, len)) return i;
    return -1;
}

int mp_root(int *up, int i)
{
    while (up[i] != i)
        i = up[i] = up[up[i]];
    return i;
}

int mp_load_family(const char *cmd, const char *path, family *fam)
{
    memset(fam, 0, sizeof *fam);
    size_t len = 0;
    char *text = mp_slurp(path, &len);
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
    int n = fam->n = (int)fam->ped->n;
    fam->ids = malloc((size_t)n * sizeof *fam->ids + 1);
    for (int i = 0; fam->ids && i < n; i++)
        fam->ids[i] = fam->ped->persons[i].id;
    int *fa = malloc((size_t)n * sizeof *fa), *mo = malloc((size_t)n * sizeof *mo);
    char *sex = malloc((size_t)n + 1);
    fam->component = malloc((size_t)n * sizeof *fam->component);
    if (!fa || !mo || !sex || !fam->component || !fam->ids) {
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
            *dst[k] = par[k] ? mp_find_person(fam, par[k], strlen(par[k])) : -1;
            if (par[k] && *dst[k] < 0) {
                sdb_diag_set(&d, path, p->line, field[k],
                             "'%s' is not a person of the file (every parent must have a row)",
                             par[k]);
                cli_diag(cmd, SDB_EINVAL, &d);
                rc = EXIT_FAIL;
            } else if (par[k]) {
                fam->component[mp_root(fam->component, i)] = mp_root(fam->component, *dst[k]);
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

void mp_family_free(family *fam)
{
    sdb_pedlik_free(fam->lik);
    sdb_pedigree_free(fam->ped);
    if (!fam->file) free(fam->ids);
    sdb_fam_free(fam->file);
    free(fam->component);
}

int mp_genotype(const char *cmd, const char *opt, const char *text, sdb_profile *p)
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

void mp_mutation_text(const sdb_pedlik_model *m, char *buf, size_t size)
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

/* The family of a Familias file: the pedigree named --fam-pedigree (or the
 * only one), its typed persons as references. */
int mp_read_fam(const char *cmd, const char *path, sdb_fam **out)
{
    size_t len = 0;
    char *text = mp_slurp(path, &len);
    if (!text) {
        cli_error(cmd, "%s: %s", path, strerror(errno ? errno : ENOMEM));
        return EXIT_FAIL;
    }
    sdb_diag d;
    sdb_diag_clear(&d);
    int rc = sdb_fam_parse(out, path, text, len, sdb_catalog_default(), &d);
    free(text);
    if (rc) {
        cli_diag(cmd, rc, &d);
        return EXIT_FAIL;
    }
    return EXIT_OK;
}

static int load_fam_file(const char *cmd, const mp_args *a, family *fam)
{
    memset(fam, 0, sizeof *fam);
    sdb_diag d;
    sdb_diag_clear(&d);
    if (mp_read_fam(cmd, a->fam, &fam->file)) return EXIT_FAIL;
    const sdb_fam *f = fam->file;
    const sdb_fam_pedigree *p = NULL;
    for (int i = 0; i < f->n_pedigrees; i++)
        if (a->fam_pedigree ? !strcmp(f->pedigrees[i].name, a->fam_pedigree) : f->n_pedigrees == 1)
            p = &f->pedigrees[i];
    if (!p) {
        char names[512] = "";
        size_t k = 0;
        for (int i = 0; i < f->n_pedigrees && k < sizeof names - 1; i++)
            k += (size_t)snprintf(names + k, sizeof names - k, "%s%s", i ? ", " : "",
                                  f->pedigrees[i].name);
        cli_error(cmd, "%s: %s (the file's pedigrees: %s)", a->fam,
                  a->fam_pedigree ? "no such pedigree" : "choose a pedigree with --fam-pedigree",
                  names);
        return EXIT_FAIL;
    }
    fam->n = p->n;
    fam->ids = p->ids;
    fam->component = malloc((size_t)p->n * sizeof *fam->component);
    if (!fam->component) return EXIT_FAIL;
    for (int i = 0; i < p->n; i++)
        fam->component[i] = i;
    for (int i = 0; i < p->n; i++) {
        if (p->father[i] >= 0) fam->component[mp_root(fam->component, i)] = mp_root(fam->component, p->father[i]);
        if (p->mother[i] >= 0) fam->component[mp_root(fam->component, i)] = mp_root(fam->component, p->mother[i]);
    }
    if (sdb_pedlik_new(&fam->lik, p->n, p->father, p->mother, p->sex, &d)) {
        cli_diag(cmd, SDB_EINVAL, &d);
        return EXIT_FAIL;
    }
    return EXIT_OK;
}

/* The file's mutation model when every locus has the same one. */
static int fam_model(const char *cmd, const sdb_fam *f, sdb_pedlik_model *m)
{
    for (int i = 0; i < f->n_loci; i++) {
        const sdb_fam_locus *l = &f->loci[i], *l0 = &f->loci[0];
        if (memcmp(&l->male, &l0->male, sizeof l->male) ||
            memcmp(&l->female, &l0->female, sizeof l->female)) {
            cli_error(cmd, "--fam-mutation: the loci of the file have different mutation models "
                           "(%s differs from %s); give one with --mutation",
                      l->locus->name, l0->locus->name);
            return EXIT_FAIL;
        }
    }
    if (f->n_loci) {
        m->male = f->loci[0].male;
        m->female = f->loci[0].female;
    }
    return EXIT_OK;
}

/* The family, the missing person's index and the references by person
 * (typed[i], NULL when untyped): every check of the command line. */
static int load_case(const char *cmd, const mp_args *ap, family *fam, int *qp,
                     sdb_profile **refs_out, const sdb_profile ***typed_out)
{
    const mp_args a = *ap;
    *refs_out = NULL;
    *typed_out = NULL;
    int rc = a.fam ? load_fam_file(cmd, &a, fam) : mp_load_family(cmd, a.ped, fam);
    if (rc) return rc;
    int n = fam->n, q;
    if ((q = *qp = mp_find_person(fam, a.missing, strlen(a.missing))) < 0) {
        cli_error(cmd, "--missing: '%s' is not in %s", a.missing, a.ped);
        return EXIT_FAIL;
    }
    sdb_profile *refs = *refs_out = calloc((size_t)a.n_refs + 1, sizeof *refs);
    const sdb_profile **typed = *typed_out = calloc((size_t)n, sizeof *typed);
    if (!refs || !typed) {
        cli_error(cmd, "out of memory");
        return EXIT_FAIL;
    }
    for (int r = 0; r < a.n_refs; r++)
        sdb_profile_init(&refs[r]);
    for (int i = 0; fam->file && i < fam->file->n_persons; i++) {
        const sdb_profile *p = &fam->file->profiles[i];
        if (!p->n_calls || (a.poi_person && !strcmp(a.poi_person, fam->ids[i]))) continue;
        if (i == q) {
            cli_error(cmd, "--missing: '%s' is typed in %s (the missing person must be untyped; "
                           "--poi-person %s compares that profile)",
                      a.missing, a.ped, a.missing);
            return EXIT_FAIL;
        }
        if (mp_root(fam->component, i) == mp_root(fam->component, q)) typed[i] = p;
    }
    for (int r = 0; r < a.n_refs && !rc; r++) {
        const char *eq = strchr(a.refs[r], '=');
        if (!eq || eq == a.refs[r]) {
            cli_error(cmd, "--reference: expected ID=genotype, got '%s'", a.refs[r]);
            rc = EXIT_USAGE;
            break;
        }
        int len = (int)(eq - a.refs[r]), i = mp_find_person(fam, a.refs[r], (size_t)len);
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
        } else if (mp_root(fam->component, i) != mp_root(fam->component, q)) {
            cli_error(cmd,
                      "--reference: '%.*s' has no path to the missing person '%s' in %s "
                      "(not related through the pedigree)",
                      len, a.refs[r], a.missing, a.ped);
            rc = EXIT_FAIL;
        } else if (!(rc = mp_genotype(cmd, "--reference", eq + 1, &refs[r]))) {
            typed[i] = &refs[r];
        }
    }
    return rc;
}

static void free_case(const mp_args *a, sdb_profile *refs, const sdb_profile **typed)
{
    if (refs)
        for (int r = 0; r < a->n_refs; r++)
            sdb_profile_free(&refs[r]);
    free(refs);
    free(typed);
}

/* A diagnostic's "person N" field as the person's id. */
void mp_name_person(sdb_diag *d, const family *fam)
{
    if (strncmp(d->field, "person ", 7)) return;
    int i = atoi(d->field + 7);
    if (i >= 0 && i < fam->n) snprintf(d->field, sizeof d->field, "%s", fam->ids[i]);
}

/* --freq, else the database of the --fam file; then the model of the file
 * when --fam-mutation. */
int mp_case_model(const char *cmd, mp_args *a, const family *fam, sdb_freq **f, int *pop)
{
    int rc;
    if (a->freq || !fam->file) {
        if ((rc = cli_load_freq(cmd, a->freq, a->strict, &a->min_freq, f))) return rc;
    } else {
        sdb_diag d;
        sdb_diag_clear(&d);
        if ((rc = sdb_fam_freq(fam->file, "fam", f, &d))) {
            cli_diag(cmd, rc, &d);
            return EXIT_FAIL;
        }
        sdb_freq_set_minimum(*f, a->min_freq.rule, a->min_freq.value);
    }
    if ((*pop = cli_find_pop(cmd, *f, a->pop, a->pop ? strlen(a->pop) : 0)) < 0) return EXIT_FAIL;
    if (a->fam_mutation && (rc = fam_model(cmd, fam->file, &a->model))) return rc;
    return EXIT_OK;
}

static int lr_main(int argc, char **argv)
{
    const char *cmd = "mp lr";
    mp_args a;
    int rc = mp_parse(argc, argv, &a, cmd, 1);
    if (rc) return rc < 0 ? EXIT_OK : rc;
    family fam;
    memset(&fam, 0, sizeof fam);
    sdb_freq *f = NULL;
    sdb_profile poi, *refs = NULL;
    const sdb_profile **typed = NULL;
    sdb_locus_stat *st = NULL;
    sdb_profile_init(&poi);
    int pop = -1, q = -1, n = 0;
    if ((rc = load_case(cmd, &a, &fam, &q, &refs, &typed))) goto out;
    n = fam.n;
    if (a.poi_person) {
        int i = mp_find_person(&fam, a.poi_person, strlen(a.poi_person));
        if (i < 0 || i >= fam.file->n_persons || !fam.file->profiles[i].n_calls) {
            cli_error(cmd, "--poi-person: '%s' is not a typed person of %s", a.poi_person, a.fam);
            rc = EXIT_FAIL;
            goto out;
        }
        if (sdb_profile_copy(&poi, &fam.file->profiles[i])) {
            rc = EXIT_FAIL;
            goto out;
        }
    } else if ((rc = mp_genotype(cmd, "--poi", a.poi, &poi))) {
        goto out;
    }
    if ((rc = mp_case_model(cmd, &a, &fam, &f, &pop))) goto out;
    st = calloc((size_t)poi.n_calls + 1, sizeof *st);
    double total = 1;
    int n_out = 0, excluded = 0;
    sdb_diag d;
    sdb_diag_clear(&d);
    int lrc = st ? sdb_pedlik_mp_profiles(fam.lik, &a.model, f, pop, typed, q, &poi, a.dropout,
                                          st, &n_out, &total, &excluded, &d)
                 : SDB_ENOMEM;
    if (lrc) {
        mp_name_person(&d, &fam);
        cli_diag(cmd, lrc, &d);
        rc = EXIT_FAIL;
        goto out;
    }
    char minimum[32], mut[160];
    sdb_freq_minimum_text(f, minimum, sizeof minimum);
    mp_mutation_text(&a.model, mut, sizeof mut);
    const sdb_catalog *cat = sdb_catalog_default();
    if (a.json) {
        json_t *loci = json_array(), *refs_j = json_array();
        for (int i = 0; i < n; i++)
            if (typed[i]) json_array_append_new(refs_j, json_string(fam.ids[i]));
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
    free_case(&a, refs, typed);
    free(st);
    sdb_profile_free(&poi);
    sdb_freq_free(f);
    mp_family_free(&fam);
    return rc;
}

/* ---- mp power --------------------------------------------------------------- */

typedef struct locus_power {
    const sdb_locus *l;
    int ng;            /* unordered genotypes of the table's alleles */
    double *cum;       /* cumulative P(missing person = g | references) */
    double *log10_lr;  /* LR of remains showing g (-inf when 0) */
    double ep;         /* P(a random person is excluded), no mutation */
    double expected;   /* E[log10 LR | true missing person] */
    double p_zero;     /* P(LR = 0 | true missing person) */
} locus_power;

static double unordered_bn(double pi, double pj, int hom, double theta)
{
    return hom ? pi * (theta + (1 - theta) * pi) : 2 * pi * pj * (1 - theta);
}

/* The power figures of one locus from the two tables. */
static int locus_power_of(const sdb_freq *f, int pop, const sdb_ped_table *t,
                          const sdb_ped_table *t0, double theta, locus_power *lp)
{
    int k = t->k;
    lp->ng = k * (k + 1) / 2;
    lp->cum = malloc((size_t)lp->ng * sizeof *lp->cum);
    lp->log10_lr = malloc((size_t)lp->ng * sizeof *lp->log10_lr);
    if (!lp->cum || !lp->log10_lr) return SDB_ENOMEM;
    double *p = malloc((size_t)k * sizeof *p);
    if (!p) return SDB_ENOMEM;
    for (int i = 0; i < k; i++) {
        int how;
        if (sdb_freq_get(f, pop, lp->l, t->a[i], &p[i], &how, NULL)) p[i] = 0;
    }
    double acc = 0, ep = 0, e = 0, z = 0;
    int g = 0;
    for (int i = 0; i < k; i++)
        for (int j = i; j < k; j++, g++) {
            double h2 = unordered_bn(p[i], p[j], i == j, theta), lr = t->lr[i * k + j];
            double p1 = lr * h2;
            if (t0->lr[i * k + j] == 0) ep += h2;
            acc += p1;
            lp->cum[g] = acc;
            lp->log10_lr[g] = lr > 0 ? log10(lr) : -INFINITY;
            if (p1 > 0) {
                if (lr > 0)
                    e += p1 * log10(lr);
                else
                    z += p1;
            }
        }
    for (g = 0; g < lp->ng; g++)
        lp->cum[g] /= acc;
    lp->ep = ep;
    lp->expected = e / acc;
    lp->p_zero = z / acc;
    free(p);
    return SDB_OK;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static int power_main(int argc, char **argv)
{
    const char *cmd = "mp power";
    mp_args a;
    int rc = mp_parse(argc, argv, &a, cmd, 0);
    if (rc) return rc < 0 ? EXIT_OK : rc;
    family fam;
    sdb_freq *f = NULL;
    sdb_profile *refs = NULL;
    const sdb_profile **typed = NULL;
    locus_power *lp = NULL;
    int nl = 0, pop = -1, q = -1;
    sdb_ped_table *t = malloc(sizeof *t), *t0 = malloc(sizeof *t0);
    sdb_ped_obs *obs = NULL;
    double *sims = NULL;
    memset(&fam, 0, sizeof fam);
    if (!t || !t0) {
        cli_error(cmd, "out of memory");
        rc = EXIT_FAIL;
        goto out;
    }
    if ((rc = load_case(cmd, &a, &fam, &q, &refs, &typed))) goto out;
    if ((rc = mp_case_model(cmd, &a, &fam, &f, &pop))) goto out;
    int n = fam.n;
    const sdb_catalog *cat = sdb_catalog_default();
    lp = calloc((size_t)sdb_catalog_count(cat) + 1, sizeof *lp);
    obs = calloc((size_t)n, sizeof *obs);
    if (!lp || !obs) {
        cli_error(cmd, "out of memory");
        rc = EXIT_FAIL;
        goto out;
    }
    sdb_pedlik_model none = a.model;
    sdb_mutation_init(&none.male);
    sdb_mutation_init(&none.female);
    sdb_diag d;
    sdb_diag_clear(&d);
    for (int ci = 0; ci < sdb_catalog_count(cat) && !rc; ci++) {
        const sdb_locus *l = sdb_catalog_at(cat, ci);
        if (l->type != SDB_LOCUS_AUTOSOMAL) continue;
        int any = 0;
        for (int i = 0; i < n && !rc; i++) {
            if (sdb_pedlik_obs(typed[i], l, 0, &obs[i], &d)) rc = SDB_EINVAL;
            any |= obs[i].typed;
        }
        if (rc || !any) continue;
        lp[nl].l = l;
        if ((rc = sdb_pedlik_table(fam.lik, &a.model, f, pop, l, obs, q, t, &d)) ||
            (rc = sdb_pedlik_table(fam.lik, &none, f, pop, l, obs, q, t0, &d)))
            break;
        if ((rc = locus_power_of(f, pop, t, t0, a.model.theta, &lp[nl]))) break;
        nl++;
    }
    if (rc) {
        mp_name_person(&d, &fam);
        cli_diag(cmd, rc, &d);
        rc = EXIT_FAIL;
        goto out;
    }
    /* the LR of the true missing person: expected log10 exactly, quantiles by
     * simulating its genotype given the references */
    sims = malloc((size_t)a.nsim * sizeof *sims);
    if (!sims) {
        cli_error(cmd, "out of memory");
        rc = EXIT_FAIL;
        goto out;
    }
    double keep = 1, expected = 0, p_nonzero = 1;
    for (int k = 0; k < nl; k++) {
        keep *= 1 - lp[k].ep;
        expected += lp[k].expected;
        p_nonzero *= 1 - lp[k].p_zero;
    }
    long above[4] = {0}; /* LR > 1, 10^3, 10^6, 10^9 */
    double sim_mean = 0;  /* over the draws with LR > 0 */
    for (long s = 0; s < a.nsim; s++) {
        double sum = 0;
        for (int k = 0; k < nl; k++) {
            double u = (double)(sdb_sim_hash(a.seed, (uint64_t)s, (uint64_t)k, 77) >> 11) * 0x1p-53;
            int lo = 0, hi = lp[k].ng - 1;
            while (lo < hi) {
                int mid = (lo + hi) / 2;
                if (lp[k].cum[mid] > u)
                    hi = mid;
                else
                    lo = mid + 1;
            }
            sum += lp[k].log10_lr[lo];
        }
        sims[s] = sum;
        sim_mean += isfinite(sum) ? sum / (double)a.nsim : 0;
        for (int b = 0; b < 4; b++)
            above[b] += sum > 3 * b;
    }
    qsort(sims, (size_t)a.nsim, sizeof *sims, cmp_double);
    static const double qs[] = {0.05, 0.25, 0.5, 0.75, 0.95};
    double qv[5];
    for (int i = 0; i < 5; i++)
        qv[i] = sims[(long)(qs[i] * (double)(a.nsim - 1) + 0.5)];
    char minimum[32], mut[160];
    sdb_freq_minimum_text(f, minimum, sizeof minimum);
    mp_mutation_text(&a.model, mut, sizeof mut);
    if (a.json) {
        json_t *loci = json_array(), *quant = json_object(), *pa = json_object();
        for (int k = 0; k < nl; k++)
            json_array_append_new(loci, json_pack("{s:s,s:f,s:f}", "locus", lp[k].l->name,
                                                  "exclusion_power", lp[k].ep,
                                                  "expected_log10_lr", lp[k].expected));
        for (int i = 0; i < 5; i++) {
            char key[8];
            snprintf(key, sizeof key, "%.2f", qs[i]);
            json_object_set_new(quant, key, isfinite(qv[i]) ? json_real(qv[i]) : json_null());
        }
        static const char *keys[] = {"lr_above_1", "lr_above_1e3", "lr_above_1e6", "lr_above_1e9"};
        for (int b = 0; b < 4; b++)
            json_object_set_new(pa, keys[b], json_real((double)above[b] / (double)a.nsim));
        json_t *o = json_pack("{s:s,s:s,s:s,s:f,s:s,s:s,s:f,s:f,s:f,s:I,s:I,s:f,s:o,s:o,s:o}",
                              "missing", a.missing, "pedigree", a.ped, "population",
                              sdb_freq_population(f, pop), "theta", a.model.theta, "min_freq",
                              minimum, "mutation", mut, "exclusion_power", 1 - keep,
                              "expected_log10_lr", expected, "p_lr_zero", 1 - p_nonzero,
                              "simulations", (json_int_t)a.nsim, "seed", (json_int_t)a.seed,
                              "simulated_mean_log10_lr", sim_mean,
                              "log10_lr_quantiles", quant, "p", pa, "loci", loci);
        json_dumpf(o, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17));
        putchar('\n');
        json_decref(o);
    } else {
        printf("missing person %s of %s; population %s, theta %g, minimum frequency %s, "
               "mutation %s\n",
               a.missing, a.ped, sdb_freq_population(f, pop), a.model.theta, minimum, mut);
        printf("%-12s %-16s %s\n", "locus", "exclusion power", "E[log10 LR | missing person]");
        for (int k = 0; k < nl; k++)
            printf("%-12s %-16.6g %.6g\n", lp[k].l->name, lp[k].ep, lp[k].expected);
        printf("exclusion power %.10g (a random unrelated person is excluded at some locus)\n",
               1 - keep);
        printf("expected log10 LR of the true missing person %.6g (exact)", expected);
        if (p_nonzero < 1) printf(", P(LR = 0) %.6g", 1 - p_nonzero);
        printf("\nlog10 LR of the true missing person, %ld simulations (seed %llu): "
               "5%% %.3f, 25%% %.3f, median %.3f, 75%% %.3f, 95%% %.3f; mean %.6g\n",
               a.nsim, (unsigned long long)a.seed, qv[0], qv[1], qv[2], qv[3], qv[4], sim_mean);
        printf("P(LR > 1) %.4f, P(LR > 1e3) %.4f, P(LR > 1e6) %.4f, P(LR > 1e9) %.4f\n",
               (double)above[0] / (double)a.nsim, (double)above[1] / (double)a.nsim,
               (double)above[2] / (double)a.nsim, (double)above[3] / (double)a.nsim);
    }
out:
    for (int k = 0; lp && k < nl + 1; k++) {
        free(lp[k].cum);
        free(lp[k].log10_lr);
    }
    free(lp);
    free(obs);
    free(sims);
    free(t);
    free(t0);
    free_case(&a, refs, typed);
    sdb_freq_free(f);
    mp_family_free(&fam);
    return rc;
}

int main_mp(int argc, char **argv)
{
    if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        cli_usage(mp_usage, 0);
        return EXIT_OK;
    }
    if (argc >= 2 && !strcmp(argv[1], "lr")) return lr_main(argc - 1, argv + 1);
    if (argc >= 2 && !strcmp(argv[1], "power")) return power_main(argc - 1, argv + 1);
    if (argc >= 2 && !strcmp(argv[1], "dvi")) return mp_dvi_main(argc - 1, argv + 1);
    if (argc >= 2 && (!strcmp(argv[1], "search") || !strcmp(argv[1], "draw")))
        return mp_db_main(argc - 1, argv + 1);
    return cli_usage(mp_usage, 1);
}
