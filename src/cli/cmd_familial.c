/* strdb familial: kinship LR of a profile against every reference profile,
 * ranked; per-locus breakdown of the top; the Y-STR step. */
#include <jansson.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "strdb/familial.h"

static const char familial_usage[] =
    "usage: strdb familial DB (--profile FILE | --genotype G) --freq FILE --pop NAME[,NAME...]\n"
    "                     [--rel PO,FS] [--top N] [--theta T] [--min-loci N]\n"
    "                     [--mutation equal|proportional|stepwise --rate R]\n"
    "                     [--breakdown K] [--y-profile FILE | --y-genotype G] [--y-max-loci K]\n"
    "                     [--min-freq R] [--index NAME] [--threads T] [--json]\n"
    "                     --authorization REF [--purpose P] [--case REF] [--actor NAME]\n\n"
    "Familial search: the kinship likelihood ratio of the query against every autosomal\n"
    "reference profile (one pass over the index with per-locus LR tables, both cores),\n"
    "LR = P(genotypes | relationship) / P(genotypes | unrelated) per locus from the IBD\n"
    "coefficients (docs/statistics.md), multiplied over the loci typed in both.\n"
    "  --rel R,...     relationships to score (PO, FS, HS, GP, AV, FC; default PO,FS); a\n"
    "                  candidate ranks by the largest of them\n"
    "  --pop A,B,...   with several populations each relationship's LR is the smallest\n"
    "                  over them (Ge & Budowle 2012)\n"
    "  --mutation M --rate R  parent-offspring mutation model (so one mutation does not\n"
    "                  exclude a true parent); default none\n"
    "  --top N         candidates listed (default 20); --min-loci N loci compared (default 8)\n"
    "  --min-freq R    none, 5/2N (default) or F: the minimum allele frequency rule\n"
    "                  (docs/statistics.md)\n"
    "  --breakdown K   per-locus LRs of the first K candidates (default 3)\n"
    "  --y-profile FILE / --y-genotype G  the query's Y haplotype: each candidate's Y\n"
    "                  haplotype (through his person record) is compared: consistent (at\n"
    "                  most --y-max-loci differing loci, default 2), excluded, untyped,\n"
    "                  female, or no person record\n"
    "Candidates are listed by specimen id only. Purpose default familial, which needs\n"
    "--authorization REF (the approval of the familial search). Audited.\n" POLICY_HELP;

enum {
    O_PROFILE = 1,
    O_GENOTYPE,
    O_FREQ,
    O_POP,
    O_REL,
    O_TOP,
    O_THETA,
    O_MINL,
    O_MUT,
    O_RATE,
    O_BREAK,
    O_YPROF,
    O_YGEN,
    O_YMAX,
    O_MINF,
    O_INDEX,
    O_THREADS,
    O_JSON
};

typedef struct args {
    const char *file, *genotype, *freq, *pops, *rels, *yfile, *ygenotype, *index;
    int breakdown, y_max, json;
    cli_minimum min_freq;
    sdb_familial_opts o;
} args;

static int parse(int argc, char **argv, args *a, sdb_ctx *ctx)
{
    static const struct option lo[] = {{"profile", required_argument, NULL, O_PROFILE},
                                       {"genotype", required_argument, NULL, O_GENOTYPE},
                                       {"freq", required_argument, NULL, O_FREQ},
                                       {"pop", required_argument, NULL, O_POP},
                                       {"rel", required_argument, NULL, O_REL},
                                       {"top", required_argument, NULL, O_TOP},
                                       {"theta", required_argument, NULL, O_THETA},
                                       {"min-loci", required_argument, NULL, O_MINL},
                                       {"mutation", required_argument, NULL, O_MUT},
                                       {"rate", required_argument, NULL, O_RATE},
                                       {"breakdown", required_argument, NULL, O_BREAK},
                                       {"y-profile", required_argument, NULL, O_YPROF},
                                       {"y-genotype", required_argument, NULL, O_YGEN},
                                       {"y-max-loci", required_argument, NULL, O_YMAX},
                                       {"min-freq", required_argument, NULL, O_MINF},
                                       {"index", required_argument, NULL, O_INDEX},
                                       {"threads", required_argument, NULL, O_THREADS},
                                       {"json", no_argument, NULL, O_JSON},
                                       CTX_LONG_OPTIONS,
                                       {NULL, 0, NULL, 0}};
    memset(a, 0, sizeof *a);
    sdb_familial_opts_init(&a->o);
    a->o.top = 20;
    a->breakdown = 3;
    a->y_max = 2;
    a->rels = "PO,FS";
    int c;
    double v;
    while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
        if (cli_ctx_option(c, optarg, ctx)) continue;
        int bad = 0;
        switch (c) {
        case O_PROFILE: a->file = optarg; break;
        case O_GENOTYPE: a->genotype = optarg; break;
        case O_FREQ: a->freq = optarg; break;
        case O_POP: a->pops = optarg; break;
        case O_REL: a->rels = optarg; break;
        case O_TOP: bad = cli_number("familial", "--top", optarg, 1, 1e6, &v), a->o.top = (long)v; break;
        case O_THETA: bad = cli_number("familial", "--theta", optarg, 0, 0.5, &a->o.theta); break;
        case O_MINL: bad = cli_number("familial", "--min-loci", optarg, 0, 64, &v), a->o.min_loci = (int)v; break;
        case O_MUT:
            if ((bad = sdb_mutation_parse(optarg, &a->o.mutation.kind) != 0))
                cli_error("familial", "--mutation: expected equal, proportional or stepwise");
            break;
        case O_RATE: bad = cli_number("familial", "--rate", optarg, 0, 0.5, &a->o.mutation.rate); break;
        case O_BREAK: bad = cli_number("familial", "--breakdown", optarg, 0, 100, &v), a->breakdown = (int)v; break;
        case O_YPROF: a->yfile = optarg; break;
        case O_YGEN: a->ygenotype = optarg; break;
        case O_YMAX: bad = cli_number("familial", "--y-max-loci", optarg, 0, 64, &v), a->y_max = (int)v; break;
        case O_MINF: bad = cli_min_freq("familial", optarg, &a->min_freq) != EXIT_OK; break;
        case O_INDEX: a->index = optarg; break;
        case O_THREADS: bad = cli_number("familial", "--threads", optarg, 1, 64, &v), a->o.threads = (int)v; break;
        case O_JSON: a->json = 1; break;
        case 'h': cli_usage(familial_usage, 0); return -1;
        default: return cli_usage(familial_usage, 1);
        }
        if (bad) return EXIT_USAGE;
    }
    if (optind + 1 != argc) return cli_usage(familial_usage, 1);
    if (cli_one_query("familial", !!a->file + !!a->genotype, "--profile FILE or --genotype G") ||
        (a->yfile && a->ygenotype && cli_one_query("familial", 2, "--y-profile or --y-genotype")))
        return EXIT_USAGE;
    if (a->o.mutation.kind != SDB_MUT_NONE && a->o.mutation.rate <= 0) {
        cli_error("familial", "--mutation needs --rate R (0 < R <= 0.5)");
        return EXIT_USAGE;
    }
    a->o.n_rels = 0;
    for (const char *s = a->rels; *s;) {
        size_t n = strcspn(s, ",");
        char name[16];
        snprintf(name, sizeof name, "%.*s", (int)(n < 15 ? n : 15), s);
        if (a->o.n_rels == SDB_FAMILIAL_MAX_REL ||
            sdb_relationship_parse(name, &a->o.rels[a->o.n_rels])) {
            cli_error("familial", "--rel: expected up to 6 of PO, FS, HS, GP, AV, FC, got '%s'",
                      name);
            return EXIT_USAGE;
        }
        a->o.n_rels++;
        s += n + (s[n] == ',');
    }
    if (a->o.mutation.kind != SDB_MUT_NONE) {
        a->o.mutation.rate2 = 1e-6;
        a->o.mutation.range = 0.1;
    }
    return EXIT_OK;
}

/* Per-locus LRs of candidate t for every relationship and population,
 * recomputed in double with sdb_kinship_lr: appended to arr, or printed
 * when arr is NULL. */
static void breakdown(const sdb_freq *f, const sdb_familial_opts *o, const sdb_profile *q,
                      const sdb_profile *t, json_t *arr)
{
    const sdb_catalog *cat = sdb_catalog_default();
    sdb_locus_stat st[SDB_IDX_MAX_LOCI * 2];
    for (int r = 0; r < o->n_rels; r++)
        for (int p = 0; p < o->n_pops; p++) {
            int n;
            double total;
            sdb_diag d;
            sdb_diag_clear(&d);
            const sdb_mutation *m =
                o->rels[r] == SDB_REL_PO && o->mutation.kind ? &o->mutation : NULL;
            if (sdb_kinship_lr(f, o->pops[p], o->rels[r], q, t, o->theta, m, st, &n, &total, &d))
                continue;
            const char *rel = sdb_relationship_name(o->rels[r]), *pop = sdb_freq_population(f, o->pops[p]);
            json_t *loci = arr ? json_object() : NULL;
            if (!arr) printf("  %s %s LR %.4g:", rel, pop, total);
            for (int i = 0; i < n; i++) {
                if (st[i].note) continue;
                const char *name = sdb_catalog_by_id(cat, st[i].locus)->name;
                if (arr)
                    json_object_set_new(loci, name, json_real(st[i].value));
                else
                    printf(" %s %.3g", name, st[i].value);
            }
            if (arr)
                json_array_append_new(arr, json_pack("{s:s,s:s,s:f,s:o}", "relationship", rel,
                                                     "population", pop, "lr", total, "loci", loci));
            else
                putchar('\n');
        }
}

/* --pop A,B,...: the populations of the table (the only one when absent). */
static int resolve_pops(const char *pops, const sdb_freq *f, sdb_familial_opts *o)
{
    const char *s = pops;
    do {
        size_t n = s ? strcspn(s, ",") : 0;
        int p = cli_find_pop("familial", f, s, n);
        if (p < 0) return EXIT_USAGE;
        if (o->n_pops == SDB_FAMILIAL_MAX_POP) {
            cli_error("familial", "--pop: at most 8 populations");
            return EXIT_USAGE;
        }
        o->pops[o->n_pops++] = p;
        s = s && s[n] ? s + n + 1 : NULL;
    } while (s);
    return EXIT_OK;
}

/* The ranked list: text with the breakdown after it, or one JSON object. */
static void report(const args *a, const sdb_freq *f, const sdb_profile *q, const sdb_result *res)
{
    const sdb_familial_hit *hits = res->familial;
    long n_hits = res->n;
    const sdb_familial_opts *o = &a->o;
    int have_y = res->y_status != NULL;
    json_t *arr = a->json ? json_array() : NULL;
    if (!a->json) {
        printf("familial search of %ld profiles (%ld skipped: not single-source), %d query loci "
               "used, population%s %s%s\n",
               res->searched, res->skipped, res->query_loci, o->n_pops > 1 ? "s" : "",
               a->pops ? a->pops : sdb_freq_population(f, 0),
               o->n_pops > 1 ? " (smallest LR ranks)" : "");
        printf("%-4s %-24s %4s", "rank", "sample_id", "loci");
        for (int r = 0; r < o->n_rels; r++)
            printf(" %10s", sdb_relationship_name(o->rels[r]));
        printf("  %-4s%s\n", "best", have_y ? "  Y" : "");
    }
    for (long i = 0; i < n_hits; i++) {
        const sdb_familial_hit *h = &hits[i];
        const char *id = res->sample_id[i], *best = sdb_relationship_name(o->rels[h->best]);
        const char *y = have_y ? res->y_status[i] : NULL;
        if (!a->json) {
            printf("%-4ld %-24s %4d", i + 1, id, h->compared);
            for (int r = 0; r < o->n_rels; r++)
                printf(" %10.3f", h->log10_lr[r]);
            printf("  %-4s%s%s\n", best, y ? "  " : "", y ? y : "");
            continue;
        }
        json_t *lr = json_object();
        for (int r = 0; r < o->n_rels; r++)
            json_object_set_new(lr, sdb_relationship_name(o->rels[r]),
                                isinf(h->log10_lr[r]) ? json_null() : json_real(h->log10_lr[r]));
        json_t *c = json_pack("{s:i,s:s,s:i,s:o,s:s}", "rank", (int)i + 1, "sample_id", id, "loci",
                              h->compared, "log10_lr", lr, "best", best);
        if (y) json_object_set_new(c, "y", json_string(y));
        if (i < res->n_profiles) {
            json_t *b = json_array();
            breakdown(f, o, q, &res->profiles[i], b);
            json_object_set_new(c, "breakdown", b);
        }
        json_array_append_new(arr, c);
    }
    if (!a->json && a->breakdown > 0 && n_hits > 0) {
        printf("\nper-locus LR of the first %ld (log10 above; the LR per locus below):\n",
               n_hits < a->breakdown ? n_hits : (long)a->breakdown);
        for (long i = 0; i < res->n_profiles; i++) {
            printf("%s\n", res->sample_id[i]);
            breakdown(f, o, q, &res->profiles[i], NULL);
        }
    }
    if (a->json) {
        json_t *out = json_pack("{s:I,s:I,s:i,s:o}", "searched", (json_int_t)res->searched,
                                "skipped", (json_int_t)res->skipped, "query_loci",
                                res->query_loci, "candidates", arr);
        json_dumpf(out, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        putchar('\n');
        json_decref(out);
    }
}

int main_familial(int argc, char **argv)
{
    args a;
    sdb_ctx ctx = {0};
    int rc = parse(argc, argv, &a, &ctx);
    if (rc) return rc < 0 ? EXIT_OK : rc;
    cli_ctx_finish(&ctx);
    if (!ctx.purpose) ctx.purpose = "familial";
    sdb_freq *f = NULL;
    if (cli_load_freq("familial", a.freq, 0, &a.min_freq, &f)) return EXIT_USAGE;
    a.o.freq = f;
    sdb_profile q, qy;
    sdb_profile_init(&q);
    sdb_profile_init(&qy);
    int have_y = a.yfile || a.ygenotype;
    rc = resolve_pops(a.pops, f, &a.o);
    if (!rc && (cli_read_query("familial", a.file, a.genotype, &q) ||
                (have_y && cli_read_query("familial", a.yfile, a.ygenotype, &qy))))
        rc = EXIT_FAIL;
    sdb_session *db = NULL;
    if (!rc && cli_session("familial", argv[optind], &ctx, 0, &db)) rc = EXIT_FAIL;
    if (!rc) {
        sdb_result res;
        sdb_diag d;
        sdb_diag_clear(&d);
        int st = sdb_session_familial(db, a.index, &q, &a.o, have_y ? &qy : NULL, a.y_max,
                                      a.breakdown, &res, &d);
        if (st) {
            cli_diag("familial", st, &d);
            rc = EXIT_FAIL;
        } else {
            report(&a, f, &q, &res);
            sdb_result_free(&res);
        }
    }
    sdb_session_close(db);
    sdb_freq_free(f);
    sdb_profile_free(&q);
    sdb_profile_free(&qy);
    return rc;
}
