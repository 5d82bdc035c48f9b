/* strdb freq DB [--index NAME] [--by-population] [-o FILE] */
#include <string.h>

#include "cli.h"
#include "strdb/stats.h"

static const char freq_usage[] =
    "usage: strdb freq DB [--index NAME] [--by-population] [-o FILE]\n"
    "                 [--purpose P] [--case REF] [--actor NAME]\n\n"
    "Estimate an allele frequency table from the autosomal single-source profiles\n"
    "of an index (default population): allele counts over 2N per locus, in the long\n"
    "layout (population,locus,allele,frequency,n_alleles) that --freq reads. The\n"
    "population is the index name, or with --by-population each profile's own\n"
    "population label (e.g. the Pop column of NIST1036_genotypes.csv). Audited\n"
    "(purpose default population-study).\n";

int main_freq(int argc, char **argv)
{
    static const struct option longopts[] = {{"index", required_argument, NULL, 'i'},
                                             {"by-population", no_argument, NULL, 'b'},
                                             CTX_LONG_OPTIONS,
                                             {NULL, 0, NULL, 0}};
    sdb_ctx ctx = {0};
    const char *index = "population", *outpath = NULL;
    int by_pop = 0, c;
    while ((c = getopt_long(argc, argv, "ho:", longopts, NULL)) != -1) {
        if (cli_ctx_option(c, optarg, &ctx)) continue;
        if (c == 'i')
            index = optarg;
        else if (c == 'b')
            by_pop = 1;
        else if (c == 'o')
            outpath = optarg;
        else
            return cli_usage(freq_usage, c != 'h');
    }
    if (optind + 1 != argc) return cli_usage(freq_usage, 1);
    cli_ctx_finish(&ctx);
    if (!ctx.purpose) ctx.purpose = "population-study";
    sdb_session *db;
    if (cli_session("freq", argv[optind], &ctx, 0, &db)) return EXIT_FAIL;
    sdb_freq *f = NULL;
    long n = 0;
    sdb_diag d;
    sdb_diag_clear(&d);
    int st = sdb_session_freq(db, index, by_pop, index, &f, &n, &d);
    FILE *out = stdout;
    if (st)
        cli_diag("freq", st, &d);
    else if (outpath && strcmp(outpath, "-") && !(out = fopen(outpath, "w")))
        cli_error("freq", "cannot write %s", outpath), st = SDB_EIO;
    if (!st) {
        st = sdb_freq_write(f, sdb_session_catalog(db), out);
        if (out != stdout && fclose(out) && !st) st = SDB_EIO;
        if (st)
            cli_error("freq", "%s", sdb_strerror(st));
        else
            fprintf(stderr, "[strdb freq] %ld profiles counted from index %s\n", n, index);
    }
    sdb_freq_free(f);
    sdb_session_close(db);
    return st ? EXIT_FAIL : EXIT_OK;
}
