/* strdb freq DB [--index NAME] [--by-population] [-o FILE] */
#include <string.h>

#include "cli.h"
#include "strdb/stats.h"

static const char freq_usage[] =
    "usage: strdb freq DB [--index NAME] [--by-population] [--format F [--pop NAME]] [-o FILE]\n"
    "                 [--purpose P] [--case REF] [--actor NAME]\n"
    "       strdb freq --from TABLE --format F [--pop NAME] [-o FILE]\n\n"
    "Estimate an allele frequency table from the autosomal single-source profiles\n"
    "of an index (default population): allele counts over 2N per locus, in the long\n"
    "layout (population,locus,allele,frequency,n_alleles) that --freq reads. The\n"
    "population is the index name, or with --by-population each profile's own\n"
    "population label (e.g. the Pop column of NIST1036_genotypes.csv). Audited\n"
    "(purpose default population-study).\n"
    "--format long (default), euroformix (Allele;L1;L2;..., as EuroForMix, LRmix\n"
    "Studio and CaseSolver read it) or familias (Familias frequency text); the last\n"
    "two hold one population: --pop NAME (default the first). --from TABLE converts a\n"
    "frequency file of any layout --freq reads (long, FSIgen/EuroForMix wide,\n"
    "strvalidator, Familias, .fam) instead of counting a database (docs/formats.md).\n";

/* The table in layout to outpath (NULL or "-": stdout); prints why not. */
static int write_table(const sdb_freq *f, const sdb_catalog *cat, const char *layout,
                       const char *popname, const char *outpath)
{
    int pop = popname ? sdb_freq_find_population(f, popname) : 0;
    if (pop < 0) {
        cli_error("freq", "--pop: no population '%s' in the table", popname);
        return EXIT_FAIL;
    }
    FILE *out = stdout;
    if (outpath && strcmp(outpath, "-") && !(out = fopen(outpath, "w"))) {
        cli_error("freq", "cannot write %s", outpath);
        return EXIT_FAIL;
    }
    int st = sdb_freq_write_layout(f, cat, layout, pop, out);
    if (out != stdout && fclose(out) && !st) st = SDB_EIO;
    if (st) cli_error("freq", "%s", sdb_strerror(st));
    return st ? EXIT_FAIL : EXIT_OK;
}

int main_freq(int argc, char **argv)
{
    static const struct option longopts[] = {{"index", required_argument, NULL, 'i'},
                                             {"by-population", no_argument, NULL, 'b'},
                                             {"format", required_argument, NULL, 'f'},
                                             {"pop", required_argument, NULL, 'p'},
                                             {"from", required_argument, NULL, 'F'},
                                             CTX_LONG_OPTIONS,
                                             {NULL, 0, NULL, 0}};
    sdb_ctx ctx = {0};
    const char *index = "population", *outpath = NULL, *layout = "long", *popname = NULL,
               *from = NULL;
    int by_pop = 0, c;
    while ((c = getopt_long(argc, argv, "ho:", longopts, NULL)) != -1) {
        if (cli_ctx_option(c, optarg, &ctx)) continue;
        if (c == 'i')
            index = optarg;
        else if (c == 'b')
            by_pop = 1;
        else if (c == 'o')
            outpath = optarg;
        else if (c == 'f')
            layout = optarg;
        else if (c == 'p')
            popname = optarg;
        else if (c == 'F')
            from = optarg;
        else
            return cli_usage(freq_usage, c != 'h');
    }
    if (strcmp(layout, "long") && strcmp(layout, "euroformix") && strcmp(layout, "familias")) {
        cli_error("freq", "--format: expected long, euroformix or familias, got '%s'", layout);
        return EXIT_USAGE;
    }
    if (from) {
        if (optind != argc) return cli_usage(freq_usage, 1);
        sdb_freq *t = NULL;
        if (cli_load_freq("freq", from, 0, NULL, &t)) return EXIT_FAIL;
        int rc = write_table(t, sdb_catalog_default(), layout, popname, outpath);
        sdb_freq_free(t);
        return rc;
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
    (void)out;
    if (st)
        cli_diag("freq", st, &d);
    else if (write_table(f, sdb_session_catalog(db), layout, popname, outpath))
        st = SDB_EIO;
    else
        fprintf(stderr, "[strdb freq] %ld profiles counted from index %s\n", n, index);
    sdb_freq_free(f);
    sdb_session_close(db);
    return st ? EXIT_FAIL : EXIT_OK;
}
