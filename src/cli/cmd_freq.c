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
    sdb_db *db;
    if (cli_open("freq", "freq", argv[optind], 0, &ctx, &db)) return EXIT_FAIL;
    char params[256];
    snprintf(params, sizeof params, "index=%s\nby_population=%d", index, by_pop);
    char allowed[1024];
    int rc = cli_policy("freq", db, &ctx, "freq", index, params, allowed, sizeof allowed);
    if (rc) {
        sdb_db_close(db);
        return rc;
    }
    sdb_freq *f = NULL;
    sdb_iter *it = NULL;
    sdb_profile p;
    sdb_profile_init(&p);
    long n = 0;
    int st = sdb_freq_count_new(&f);
    if (!st) st = sdb_iter_open(&it, db, index, NULL);
    while (!st && (st = sdb_iter_next(it, &p, NULL)) == SDB_OK) {
        if (p.kind != SDB_KIND_AUTOSOMAL || (p.flags & SDB_PF_MIXTURE)) continue;
        const char *pop = by_pop && p.population && p.population[0] ? p.population : index;
        st = sdb_freq_count_add(f, pop, sdb_db_catalog(db), &p);
        n++;
    }
    sdb_iter_close(it);
    if (st == SDB_END) st = SDB_OK;
    FILE *out = stdout;
    if (!st && outpath && !(out = fopen(outpath, "w"))) st = SDB_EIO;
    if (!st) {
        sdb_freq_count_finish(f);
        st = sdb_freq_write(f, sdb_db_catalog(db), out);
        if (out != stdout && fclose(out)) st = SDB_EIO;
    }
    if (sdb_audit_append(db, &ctx, "freq", params, n, st ? "failed" : "ok"))
        st = st ? st : SDB_ESTORE;
    if (st)
        cli_error("freq", "%s", sdb_strerror(st));
    else
        fprintf(stderr, "[strdb freq] %ld profiles counted from index %s\n", n, index);
    sdb_profile_free(&p);
    sdb_freq_free(f);
    sdb_db_close(db);
    return st ? EXIT_FAIL : EXIT_OK;
}
