/* strdb yfreq DB (--haplotype FILE | --genotype G) [--index NAME] [--json] */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "strdb/stats.h"

static const char yfreq_usage[] =
    "usage: strdb yfreq DB (--haplotype FILE | --genotype G) [--index NAME] [--json]\n"
    "                  [--purpose P] [--case REF] [--actor NAME]\n\n"
    "Frequency of a Y-STR haplotype among the Y haplotypes of an index (default\n"
    "population) that type every locus of the query: the count, the frequency, its\n"
    "one-sided 95% Clopper-Pearson upper bound, the augmented estimate (x+1)/(n+1),\n"
    "and Brenner's kappa (the fraction of singletons) with the match probability\n"
    "(1-kappa)/n of a haplotype never seen before. Audited (purpose default\n"
    "population-study); no genotype is printed but the query's.\n\n"
    "  --haplotype FILE  the first haplotype of a CSV, GeneMapper or JSON lines file\n"
    "  --genotype G      \"DYS19=14;DYS385=11/14;...\"\n";

static void print_result(const sdb_yfreq_result *r, const char *index, int json)
{
    if (json) {
        json_t *o = json_pack("{s:s,s:I,s:I,s:f,s:f,s:f,s:I,s:f,s:f}", "index", index, "n",
                              (json_int_t)r->n, "matches", (json_int_t)r->matches, "frequency",
                              r->frequency, "upper95_clopper_pearson", r->upper95, "augmented",
                              r->augmented, "singletons", (json_int_t)r->singletons, "kappa",
                              r->kappa, "kappa_match_probability", r->kappa_match_probability);
        json_dumpf(o, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
        putchar('\n');
        json_decref(o);
        return;
    }
    printf("index %s: %ld haplotypes type every query locus, %ld match\n", index, r->n, r->matches);
    printf("frequency                 %.6g\n", r->frequency);
    printf("95%% upper bound (CP)      %.6g\n", r->upper95);
    printf("augmented (x+1)/(n+1)     %.6g\n", r->augmented);
    printf("kappa (singletons/n)      %.6g (%ld singletons)\n", r->kappa, r->singletons);
    printf("kappa match probability   %.6g (for a haplotype not seen before)\n",
           r->kappa_match_probability);
}

int main_yfreq(int argc, char **argv)
{
    static const struct option longopts[] = {{"haplotype", required_argument, NULL, 'H'},
                                             {"genotype", required_argument, NULL, 'g'},
                                             {"index", required_argument, NULL, 'i'},
                                             {"json", no_argument, NULL, 'j'},
                                             CTX_LONG_OPTIONS,
                                             {NULL, 0, NULL, 0}};
    sdb_ctx ctx = {0};
    const char *file = NULL, *genotype = NULL, *index = "population";
    int json = 0, c;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        if (cli_ctx_option(c, optarg, &ctx)) continue;
        if (c == 'H')
            file = optarg;
        else if (c == 'g')
            genotype = optarg;
        else if (c == 'i')
            index = optarg;
        else if (c == 'j')
            json = 1;
        else
            return cli_usage(yfreq_usage, c != 'h');
    }
    if (optind + 1 != argc) return cli_usage(yfreq_usage, 1);
    if (cli_one_query("yfreq", !!file + !!genotype, "--haplotype FILE or --genotype G"))
        return EXIT_USAGE;
    cli_ctx_finish(&ctx);
    if (!ctx.purpose) ctx.purpose = "population-study";
    sdb_profile q;
    sdb_profile_init(&q);
    int rc;
    if (cli_read_query("yfreq", file, genotype, &q)) {
        sdb_profile_free(&q);
        return EXIT_FAIL;
    }
    if (q.kind != SDB_KIND_Y) {
        cli_error("yfreq", "the query is not a Y haplotype (it types autosomal loci)");
        sdb_profile_free(&q);
        return EXIT_FAIL;
    }
    sdb_session *db;
    if (cli_session("yfreq", argv[optind], &ctx, 0, &db)) {
        sdb_profile_free(&q);
        return EXIT_FAIL;
    }
    sdb_yfreq_result r;
    sdb_diag d;
    sdb_diag_clear(&d);
    int st = sdb_session_yfreq(db, index, &q, &r, &d);
    if (st)
        cli_diag("yfreq", st, &d);
    else
        print_result(&r, index, json);
    rc = st ? EXIT_FAIL : EXIT_OK;
    sdb_profile_free(&q);
    sdb_session_close(db);
    return rc;
}
