/* strdb rmp | kinship | paternity | meioses: statistics on the command line. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "strdb/stats.h"

static const char rmp_usage[] =
    "usage: strdb rmp --freq FILE [--pop NAME[,NAME...]] [--theta T]\n"
    "                 (--genotype \"L=a/b;...\" | --profile FILE) [--min-freq R] [--strict] "
    "[--json]\n\n"
    "Random match probability of a single-source profile: per autosomal locus the\n"
    "conditional match probability (NRC II 4.10; theta = 0 is the product rule 4.1)\n"
    "and the product. By default alleles missing from the table, or rarer than 5/2N,\n"
    "get the NRC II minimum frequency 5/2N (reported; --min-freq chooses). With\n"
    "several populations each is computed and the largest RMP (the smallest\n"
    "likelihood ratio) is reported.\n\n"
    "  --freq FILE     frequency table: long (population,locus,allele,frequency[,n_alleles]),\n"
    "                  FSIgen wide, strvalidator database.txt or Familias text\n"
    "  --pop NAME      population(s); optional when the table has one\n"
    "  --theta T       coancestry coefficient (default 0)\n"
    "  --genotype G    \"D3S1358=15/16;vWA=17/18;...\"\n"
    "  --profile FILE  the first profile of a GeneMapper, CSV or JSON lines file\n"
    "  --min-freq R    none (the table as given, as Familias and forrel compute), 5/2N\n"
    "                  (default: NRC II, alleles rarer than 5/2N raised where the table has\n"
    "                  allele counts) or F (every allele unseen or rarer than F gets F)\n"
    "  --strict        a locus whose frequencies do not sum to 1 is an error, not a warning\n"
    "  --json          {\"rmp\": ..., \"loci\": [...], ...}\n";

static const char kinship_usage[] =
    "usage: strdb kinship --freq FILE [--pop NAME] --rel PO|FS|HS|GP|AV|FC --a G --b G\n"
    "                     [--theta T] [--mutation equal|proportional|stepwise --rate R\n"
    "                     [--rate2 R2] [--range X]]\n"
    "                     [--min-freq R] [--strict] [--json]\n\n"
    "Likelihood ratio of relationship REL against unrelated for two single-source\n"
    "genotypes, per shared autosomal locus and in total, from the IBD coefficients\n"
    "(PO 0,1,0; FS 1/4,1/2,1/4; HS, GP, AV 1/2,1/2,0; FC 3/4,1/4,0) with the\n"
    "Balding-Nichols correction theta. For PO a mutation model with rate R keeps a\n"
    "locus that is inconsistent with paternity from zeroing the LR. The models are\n"
    "pedmut's: equal, proportional, and stepwise (--rate2 between integer alleles\n"
    "and microvariants, default 1e-6; --range, P(n+1 steps)/P(n steps), default 0.1).\n\n"
    "  --a G, --b G    genotypes \"TH01=6/9.3;FGA=21/22;...\"\n"
    "  --min-freq R    none (the table as given, as Familias and forrel compute), 5/2N\n"
    "                  (default: NRC II, alleles rarer than 5/2N raised where the table has\n"
    "                  allele counts) or F (every allele unseen or rarer than F gets F)\n"
    "  --json          {\"lr\": ..., \"min_freq\": ..., \"loci\": [...], ...}\n";

static const char paternity_usage[] =
    "usage: strdb paternity --freq FILE [--pop NAME] --mother G --child G --alleged-father G\n"
    "                       [--mutation equal|proportional|stepwise --rate R [--rate2 R2]\n"
    "                       [--range X]] [--min-freq R] [--json]\n\n"
    "Trio paternity index P(child | mother, alleged father) / P(child | mother,\n"
    "random man), per locus and combined (theta = 0). Without a mutation model a\n"
    "locus where the alleged father cannot have given the paternal allele gives 0.\n\n"
    "  --min-freq R    none (the table as given, as Familias and forrel compute), 5/2N\n"
    "                  (default: NRC II, alleles rarer than 5/2N raised where the table has\n"
    "                  allele counts) or F (every allele unseen or rarer than F gets F)\n"
    "  --json          {\"pi\": ..., \"min_freq\": ..., \"loci\": [...], ...}\n";

static const char meioses_usage[] =
    "usage: strdb meioses --a G --b G [--kit K] [--max N] [--json]\n\n"
    "Posterior over the number of meioses separating two Y-STR haplotypes under the\n"
    "symmetric single-step mutation model with the catalog's YHRD per-locus rates\n"
    "(each copy of a two-copy locus mutates on its own), with a uniform prior on\n"
    "1..N meioses (default N = 20). Prints the posterior, its mode, mean, a central\n"
    "95% interval and the most probable relationship class.\n\n"
    "  --a G, --b G  haplotypes \"DYS19=14;DYS385=11/14;...\"\n"
    "  --kit K       compare only the loci of kit K (e.g. \"Yfiler Plus\")\n";

enum {
    O_RATE2 = 100,
    O_RANGE,
    O_FREQ = 1,
    O_POP,
    O_THETA,
    O_GENOTYPE,
    O_PROFILE,
    O_MINF,
    O_STRICT,
    O_JSON,
    O_REL,
    O_A,
    O_B,
    O_MUT,
    O_RATE,
    O_MOTHER,
    O_CHILD,
    O_FATHER,
    O_KIT,
    O_MAX
};

typedef struct stat_args {
    const char *freq, *pops, *genotype, *profile, *a, *b, *mother, *child, *father, *kit;
    double theta;
    cli_minimum min_freq;
    int strict, json, max;
    sdb_relationship rel;
    int have_rel;
    sdb_mutation mut;
} stat_args;

/* Parses the options shared by the statistics commands. Returns 0, or the
 * exit code (-1: help shown). */
static int parse_stat_args(const char *cmd, const char *usage, int argc, char **argv, stat_args *s)
{
    static const struct option longopts[] = {{"freq", required_argument, NULL, O_FREQ},
                                             {"pop", required_argument, NULL, O_POP},
                                             {"theta", required_argument, NULL, O_THETA},
                                             {"genotype", required_argument, NULL, O_GENOTYPE},
                                             {"profile", required_argument, NULL, O_PROFILE},
                                             {"min-freq", required_argument, NULL, O_MINF},
                                             {"strict", no_argument, NULL, O_STRICT},
                                             {"json", no_argument, NULL, O_JSON},
                                             {"rel", required_argument, NULL, O_REL},
                                             {"a", required_argument, NULL, O_A},
                                             {"b", required_argument, NULL, O_B},
                                             {"mutation", required_argument, NULL, O_MUT},
                                             {"rate", required_argument, NULL, O_RATE},
                                             {"mother", required_argument, NULL, O_MOTHER},
                                             {"child", required_argument, NULL, O_CHILD},
                                             {"alleged-father", required_argument, NULL, O_FATHER},
                                             {"rate2", required_argument, NULL, O_RATE2},
                                             {"range", required_argument, NULL, O_RANGE},
                                             {"kit", required_argument, NULL, O_KIT},
                                             {"max", required_argument, NULL, O_MAX},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    memset(s, 0, sizeof *s);
    sdb_mutation_init(&s->mut);
    s->max = 20;
    int c;
    double v;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case O_FREQ: s->freq = optarg; break;
        case O_POP: s->pops = optarg; break;
        case O_THETA:
            if (cli_number(cmd, "--theta", optarg, 0, 0.5, &s->theta)) return EXIT_USAGE;
            break;
        case O_GENOTYPE: s->genotype = optarg; break;
        case O_PROFILE: s->profile = optarg; break;
        case O_MINF:
            if (cli_min_freq(cmd, optarg, &s->min_freq)) return EXIT_USAGE;
            break;
        case O_STRICT: s->strict = 1; break;
        case O_JSON: s->json = 1; break;
        case O_REL:
            if (sdb_relationship_parse(optarg, &s->rel)) {
                cli_error(cmd, "--rel: expected PO, FS, HS, GP, AV or FC, got '%s'", optarg);
                return EXIT_USAGE;
            }
            s->have_rel = 1;
            break;
        case O_A: s->a = optarg; break;
        case O_B: s->b = optarg; break;
        case O_MUT:
        case O_RATE:
        case O_RATE2:
        case O_RANGE:
            if (cli_mutation_option(cmd, c == O_MUT ? "mutation" : c == O_RATE ? "rate"
                                         : c == O_RATE2 ? "rate2" : "range",
                                    optarg, &s->mut))
                return EXIT_USAGE;
            break;
        case O_MOTHER: s->mother = optarg; break;
        case O_CHILD: s->child = optarg; break;
        case O_FATHER: s->father = optarg; break;
        case O_KIT: s->kit = optarg; break;
        case O_MAX:
            if (cli_number(cmd, "--max", optarg, 1, 200, &v)) return EXIT_USAGE;
            s->max = (int)v;
            break;
        case 'h': cli_usage(usage, 0); return -1;
        default: return cli_usage(usage, 1);
        }
    }
    if (optind != argc) return cli_usage(usage, 1);
    if (cli_mutation_check(cmd, &s->mut)) return EXIT_USAGE;
    return 0;
}

/* Loads the table and prints its warnings. */
static int load_freq(const char *cmd, const stat_args *s, sdb_freq **f)
{
    return cli_load_freq(cmd, s->freq, s->strict, &s->min_freq, f);
}

/* A genotype from --genotype-style text. */
static int parse_genotype(const char *cmd, const char *opt, const char *text, sdb_profile *p)
{
    sdb_diag d;
    sdb_diag_clear(&d);
    if (!text) {
        cli_error(cmd, "%s is required", opt);
        return EXIT_USAGE;
    }
    int rc = sdb_genotype_parse(p, sdb_catalog_default(), text, &d);
    if (rc) {
        cli_error(cmd, "%s: %s%s%s", opt, d.field[0] ? d.field : "", d.field[0] ? ": " : "",
                  d.reason);
        return EXIT_FAIL;
    }
    return EXIT_OK;
}

static json_t *loci_json(const sdb_profile *p, const sdb_locus_stat *st, int n)
{
    const sdb_catalog *cat = sdb_catalog_default();
    json_t *arr = json_array();
    for (int i = 0; i < n; i++) {
        const sdb_call *c = sdb_profile_call(p, st[i].locus);
        json_t *alleles = json_array();
        for (uint32_t k = c ? c->first : 0; c && k < c->first + c->n; k++) {
            char buf[SDB_ALLELE_STRLEN];
            sdb_allele_format(p->alleles[k], buf);
            json_array_append_new(alleles, json_string(buf));
        }
        json_t *o = json_pack("{s:s,s:o}", "locus", sdb_catalog_by_id(cat, st[i].locus)->name,
                              "alleles", alleles);
        if (st[i].note) {
            json_object_set_new(o, "note", json_string(st[i].note));
        } else {
            json_object_set_new(o, "value", json_real(st[i].value));
            json_object_set_new(o, "frequencies", json_pack("[f,f]", st[i].freq[0], st[i].freq[1]));
            json_object_set_new(o, "minimum_frequency_used", json_boolean(st[i].minimum_used));
            json_object_set_new(o, "formula", json_string(st[i].formula));
        }
        json_array_append_new(arr, o);
    }
    return arr;
}

static void print_loci_text(const sdb_profile *p, const sdb_locus_stat *st, int n,
                            const char *minimum)
{
    const sdb_catalog *cat = sdb_catalog_default();
    printf("%-12s %-12s %-10s %-10s %-22s %s\n", "locus", "genotype", "freq1", "freq2", "value",
           "formula");
    for (int i = 0; i < n; i++) {
        char g[128] = "-";
        const sdb_call *c = sdb_profile_call(p, st[i].locus);
        if (c) cli_alleles(p, c, g, sizeof g);
        const char *name = sdb_catalog_by_id(cat, st[i].locus)->name;
        if (st[i].note) {
            printf("%-12s %-12s %s\n", name, g, st[i].note);
            continue;
        }
        printf("%-12s %-12s %-10.6g %-10.6g %-22.15g %s", name, g, st[i].freq[0], st[i].freq[1],
               st[i].value, st[i].formula);
        if (st[i].minimum_used) printf(" [minimum frequency %s]", minimum);
        putchar('\n');
    }
}

/* Reports alleles that got the minimum frequency. */
static void note_minimum(const char *cmd, const sdb_locus_stat *st, int n, const char *minimum)
{
    for (int i = 0; i < n; i++)
        if (st[i].minimum_used)
            fprintf(stderr,
                    "strdb %s: note: %s: an allele is absent from the table or rarer than "
                    "%s; the minimum frequency %s was used\n",
                    cmd, sdb_catalog_by_id(sdb_catalog_default(), st[i].locus)->name, minimum,
                    minimum);
}

int main_rmp(int argc, char **argv)
{
    stat_args s;
    int rc = parse_stat_args("rmp", rmp_usage, argc, argv, &s);
    if (rc) return rc < 0 ? EXIT_OK : rc;
    if (!s.genotype == !s.profile) {
        cli_error("rmp", "give exactly one of --genotype and --profile");
        return EXIT_USAGE;
    }
    sdb_freq *f = NULL;
    sdb_profile p;
    sdb_profile_init(&p);
    if ((rc = load_freq("rmp", &s, &f)) ||
        (rc = s.genotype ? parse_genotype("rmp", "--genotype", s.genotype, &p)
                         : cli_read_query("rmp", s.profile, NULL, &p)))
        goto done;
    sdb_locus_stat *st = calloc((size_t)p.n_calls + 1, sizeof *st), *best_st = NULL;
    double best = -1;
    int best_pop = -1, n = 0, best_n = 0;
    json_t *by_pop = json_array();
    const char *list = s.pops;
    do { /* each population of --pop (or the only one) */
        size_t len = list ? strcspn(list, ",") : 0;
        int pop = cli_find_pop("rmp", f, list, len);
        if (pop < 0) {
            rc = EXIT_FAIL;
            break;
        }
        double total;
        sdb_diag d;
        sdb_diag_clear(&d);
        int st_rc = sdb_rmp(f, pop, &p, s.theta, st, &n, &total, &d);
        if (st_rc) {
            cli_diag("rmp", st_rc, &d);
            rc = EXIT_FAIL;
            break;
        }
        json_array_append_new(by_pop, json_pack("{s:s,s:f}", "population",
                                                sdb_freq_population(f, pop), "rmp", total));
        if (total > best) {
            best = total;
            best_pop = pop;
            free(best_st);
            best_st = malloc(((size_t)n + 1) * sizeof *st);
            if (best_st) memcpy(best_st, st, (size_t)n * sizeof *st);
            best_n = n;
        }
        list = list && list[len] ? list + len + 1 : NULL;
    } while (list);
    char minimum[32];
    if (f) sdb_freq_minimum_text(f, minimum, sizeof minimum);
    if (!rc && best_st) {
        note_minimum("rmp", best_st, best_n, minimum);
        if (s.json) {
            json_t *o = json_pack("{s:s,s:f,s:s,s:f,s:f,s:o,s:o}", "population",
                                  sdb_freq_population(f, best_pop), "theta", s.theta, "min_freq",
                                  minimum, "rmp", best, "likelihood_ratio", 1 / best, "loci",
                                  loci_json(&p, best_st, best_n), "by_population", by_pop);
            by_pop = NULL;
            json_dumpf(o, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
            putchar('\n');
            json_decref(o);
        } else {
            printf("population %s, theta %g, minimum frequency %s\n",
                   sdb_freq_population(f, best_pop), s.theta, minimum);
            print_loci_text(&p, best_st, best_n, minimum);
            printf("RMP %.7g (1 in %.4g)\n", best, 1 / best);
        }
    }
    json_decref(by_pop);
    free(st);
    free(best_st);
done:
    sdb_profile_free(&p);
    sdb_freq_free(f);
    return rc;
}

/* Prints the result of an LR-like statistic (kinship, paternity). */
static void print_lr(const char *key, const char *label, const stat_args *s, const sdb_freq *f,
                     int pop, const sdb_profile *shown, const sdb_locus_stat *st, int n,
                     double total)
{
    char minimum[32];
    sdb_freq_minimum_text(f, minimum, sizeof minimum);
    note_minimum(key[0] == 'l' ? "kinship" : "paternity", st, n, minimum);
    if (s->json) {
        json_t *o = json_pack("{s:s,s:f,s:s,s:f,s:o}", "population", sdb_freq_population(f, pop),
                              "theta", s->theta, "min_freq", minimum, key, total, "loci",
                              loci_json(shown, st, n));
        if (s->have_rel)
            json_object_set_new(o, "relationship", json_string(sdb_relationship_name(s->rel)));
        json_dumpf(o, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
        putchar('\n');
        json_decref(o);
        return;
    }
    printf("population %s, theta %g, minimum frequency %s\n", sdb_freq_population(f, pop),
           s->theta, minimum);
    print_loci_text(shown, st, n, minimum);
    printf("%s %.15g\n", label, total);
}

int main_kinship(int argc, char **argv)
{
    stat_args s;
    int rc = parse_stat_args("kinship", kinship_usage, argc, argv, &s);
    if (rc) return rc < 0 ? EXIT_OK : rc;
    if (!s.have_rel) {
        cli_error("kinship", "--rel PO|FS|HS|GP|AV|FC is required");
        return EXIT_USAGE;
    }
    sdb_freq *f = NULL;
    sdb_profile a, b;
    sdb_profile_init(&a);
    sdb_profile_init(&b);
    int pop = -1;
    if (!(rc = load_freq("kinship", &s, &f)) && !(rc = parse_genotype("kinship", "--a", s.a, &a)) &&
        !(rc = parse_genotype("kinship", "--b", s.b, &b)) &&
        (pop = cli_find_pop("kinship", f, s.pops, s.pops ? strlen(s.pops) : 0)) < 0)
        rc = EXIT_FAIL;
    if (!rc) {
        sdb_locus_stat *st = calloc((size_t)b.n_calls + (size_t)a.n_calls + 1, sizeof *st);
        double total;
        int n;
        sdb_diag d;
        sdb_diag_clear(&d);
        int st_rc = sdb_kinship_lr(f, pop, s.rel, &a, &b, s.theta, &s.mut, st, &n, &total, &d);
        if (st_rc) {
            cli_diag("kinship", st_rc, &d);
            rc = EXIT_FAIL;
        } else {
            print_lr("lr", "LR", &s, f, pop, &b, st, n, total);
        }
        free(st);
    }
    sdb_profile_free(&a);
    sdb_profile_free(&b);
    sdb_freq_free(f);
    return rc;
}

int main_paternity(int argc, char **argv)
{
    stat_args s;
    int rc = parse_stat_args("paternity", paternity_usage, argc, argv, &s);
    if (rc) return rc < 0 ? EXIT_OK : rc;
    sdb_freq *f = NULL;
    sdb_profile m, c, af;
    sdb_profile_init(&m);
    sdb_profile_init(&c);
    sdb_profile_init(&af);
    int pop = -1;
    if (!(rc = load_freq("paternity", &s, &f)) &&
        !(rc = parse_genotype("paternity", "--mother", s.mother, &m)) &&
        !(rc = parse_genotype("paternity", "--child", s.child, &c)) &&
        !(rc = parse_genotype("paternity", "--alleged-father", s.father, &af)) &&
        (pop = cli_find_pop("paternity", f, s.pops, s.pops ? strlen(s.pops) : 0)) < 0)
        rc = EXIT_FAIL;
    if (!rc) {
        sdb_locus_stat *st = calloc((size_t)m.n_calls + 1, sizeof *st);
        double total;
        int n;
        sdb_diag d;
        sdb_diag_clear(&d);
        int st_rc = sdb_paternity_index(f, pop, &m, &c, &af, &s.mut, st, &n, &total, &d);
        if (st_rc) {
            cli_diag("paternity", st_rc, &d);
            rc = EXIT_FAIL;
        } else {
            print_lr("pi", "PI", &s, f, pop, &c, st, n, total);
        }
        free(st);
    }
    sdb_profile_free(&m);
    sdb_profile_free(&c);
    sdb_profile_free(&af);
    sdb_freq_free(f);
    return rc;
}

int main_meioses(int argc, char **argv)
{
    stat_args s;
    int rc = parse_stat_args("meioses", meioses_usage, argc, argv, &s);
    if (rc) return rc < 0 ? EXIT_OK : rc;
    const sdb_catalog *cat = sdb_catalog_default();
    if (s.kit && !sdb_catalog_has_set(cat, s.kit)) {
        cli_error("meioses", "unknown kit '%s' (strdb loci --kits)", s.kit);
        return EXIT_FAIL;
    }
    sdb_profile a, b;
    sdb_profile_init(&a);
    sdb_profile_init(&b);
    double post[201];
    sdb_meioses_result r;
    sdb_diag d;
    sdb_diag_clear(&d);
    if (!(rc = parse_genotype("meioses", "--a", s.a, &a)) &&
        !(rc = parse_genotype("meioses", "--b", s.b, &b))) {
        int st = sdb_meioses_posterior(cat, &a, &b, s.kit, s.max, post, &r, &d);
        if (st) {
            cli_diag("meioses", st, &d);
            rc = EXIT_FAIL;
        } else if (s.json) {
            json_t *arr = json_array();
            for (int m = 1; m <= s.max; m++)
                json_array_append_new(arr, json_real(post[m]));
            json_t *o =
                json_pack("{s:i,s:s,s:[i,i],s:f,s:i,s:i,s:i,s:i,s:s,s:o}", "mode", r.mode, "class",
                          sdb_meioses_class(r.mode), "interval95", r.lower, r.upper, "mean", r.mean,
                          "loci_compared", r.loci_compared, "loci_differing", r.loci_differing,
                          "total_steps", r.total_steps, "loci_skipped", r.n_skipped, "prior",
                          "uniform on 1..max meioses", "posterior", arr);
            json_dumpf(o, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
            putchar('\n');
            json_decref(o);
        } else {
            printf("loci compared %d, differing %d, total steps %d, skipped %d\n", r.loci_compared,
                   r.loci_differing, r.total_steps, r.n_skipped);
            printf("most probable: %d meioses (%s); 95%% interval %d..%d; mean %.2f\n", r.mode,
                   sdb_meioses_class(r.mode), r.lower, r.upper, r.mean);
            for (int m = 1; m <= s.max; m++)
                printf("%3d  %.6f\n", m, post[m]);
        }
    }
    sdb_profile_free(&a);
    sdb_profile_free(&b);
    return rc;
}
