/* strdb pedigree import DB FILE */
#include <string.h>

#include "cli.h"

static const char pedigree_usage[] =
    "usage: strdb pedigree import DB FILE [--actor NAME] [--case REF]\n\n"
    "Import persons and pedigrees: CSV with a header naming id, father, mother, sex\n"
    "(M, F or U) and optionally birth_year and sample_id; the simulator's\n"
    "pedigree.csv works as it is (persons are linked to the profiles named after\n"
    "them). One transaction: a file with a duplicate id, an unknown parent (neither\n"
    "in the file nor stored), a father who is not male or a mother who is not female,\n"
    "a person who is their own ancestor, an unreadable field or an unknown sample id is\n"
    "refused whole with file, line, field and reason, and changes nothing. Typed\n"
    "parent-child pairs that share no allele at a locus (autosomal) or whose Y\n"
    "haplotypes differ (father-son) are flagged on stderr and counted, not refused.\n"
    "Audited. docs/pedigree.md has the format.\n";

int main_pedigree(int argc, char **argv)
{
    static const struct option longopts[] = {CTX_LONG_OPTIONS, {NULL, 0, NULL, 0}};
    sdb_ctx ctx = {0};
    int c;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1)
        if (!cli_ctx_option(c, optarg, &ctx)) return cli_usage(pedigree_usage, c != 'h');
    if (optind + 3 != argc || strcmp(argv[optind], "import")) return cli_usage(pedigree_usage, 1);
    cli_ctx_finish(&ctx);
    if (!ctx.purpose) ctx.purpose = "administration";
    sdb_db *db;
    if (cli_open("pedigree", "import", argv[optind + 1], 0, &ctx, &db)) return EXIT_FAIL;
    sdb_diag d;
    sdb_diag_clear(&d);
    sdb_pedigree_stats st;
    int rc = sdb_pedigree_import(db, &ctx, argv[optind + 2], &st, &d);
    if (rc)
        cli_diag("pedigree import", rc, &d);
    else
        fprintf(stderr,
                "[strdb pedigree] %s: %ld persons, %ld profile links, %ld Mendelian and %ld Y "
                "inconsistencies flagged\n",
                argv[optind + 2], st.persons, st.linked_profiles, st.mendel_flags, st.y_flags);
    sdb_db_close(db);
    return rc ? EXIT_FAIL : EXIT_OK;
}
