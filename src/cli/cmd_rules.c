/* strdb rules DB [--index NAME --min-loci N ...] */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include <sqlite3.h>

static const char rules_usage[] =
    "usage: strdb rules DB [--index NAME [--single-source 0|1] [--min-loci N]\n"
    "                        [--min-y-loci N] [--y-multicopy 0|1] [--actor NAME]]\n\n"
    "Without changes, list the validation rule of every index. With --index and\n"
    "one or more settings, change that index's rule (audited). Rules apply to\n"
    "imports from then on; stored profiles are not re-checked.\n\n"
    "  --single-source 0|1  reference index: at most 2 alleles per autosomal locus\n"
    "                       and at most `copies` per Y locus\n"
    "  --min-loci N         typed autosomal loci an autosomal profile needs\n"
    "  --min-y-loci N       typed Y loci a Y haplotype needs\n"
    "  --y-multicopy 0|1    allow more alleles than copies at a Y locus (duplications,\n"
    "                       flagged y-multicopy) in a single-source index\n";

enum { OPT_INDEX = 1, OPT_SINGLE, OPT_MIN, OPT_MINY, OPT_YMULTI };

static int parse_count(const char *s, int max, int *out)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (*s == '\0' || *end || v < 0 || v > max) return -1;
    *out = (int)v;
    return 0;
}

static int list_rules(sdb_db *db)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(sdb_db_sqlite(db),
                           "SELECT name, single_source, min_autosomal_loci, min_y_loci,"
                           " y_multicopy, description FROM db_index ORDER BY rowid",
                           -1, &st, NULL) != SQLITE_OK)
        return EXIT_FAIL;
    printf("%-22s %-7s %-8s %-10s %-11s %s\n", "index", "single", "min_loci", "min_y_loci",
           "y_multicopy", "description");
    while (sqlite3_step(st) == SQLITE_ROW)
        printf("%-22s %-7s %8d %10d %-11s %s\n", sqlite3_column_text(st, 0),
               sqlite3_column_int(st, 1) ? "yes" : "no", sqlite3_column_int(st, 2),
               sqlite3_column_int(st, 3), sqlite3_column_int(st, 4) ? "allowed" : "refused",
               sqlite3_column_text(st, 5));
    sqlite3_finalize(st);
    return EXIT_OK;
}

int main_rules(int argc, char **argv)
{
    static const struct option longopts[] = {{"index", required_argument, NULL, OPT_INDEX},
                                             {"single-source", required_argument, NULL, OPT_SINGLE},
                                             {"min-loci", required_argument, NULL, OPT_MIN},
                                             {"min-y-loci", required_argument, NULL, OPT_MINY},
                                             {"y-multicopy", required_argument, NULL, OPT_YMULTI},
                                             CTX_LONG_OPTIONS,
                                             {NULL, 0, NULL, 0}};
    sdb_ctx ctx = {0};
    const char *index = NULL;
    int set[4] = {-1, -1, -1, -1}, c, bad = 0;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        if (cli_ctx_option(c, optarg, &ctx)) continue;
        switch (c) {
        case OPT_INDEX: index = optarg; break;
        case OPT_SINGLE: bad |= parse_count(optarg, 1, &set[0]); break;
        case OPT_MIN: bad |= parse_count(optarg, 100, &set[1]); break;
        case OPT_MINY: bad |= parse_count(optarg, 100, &set[2]); break;
        case OPT_YMULTI: bad |= parse_count(optarg, 1, &set[3]); break;
        default: return cli_usage(rules_usage, c != 'h');
        }
    }
    int changes = set[0] >= 0 || set[1] >= 0 || set[2] >= 0 || set[3] >= 0;
    if (bad || optind + 1 != argc || (changes && !index) || (index && !changes))
        return cli_usage(rules_usage, 1);
    cli_ctx_finish(&ctx);
    if (!ctx.purpose) ctx.purpose = "administration";
    sdb_db *db;
    if (cli_open("rules", changes ? "rules-set" : "rules-show", argv[optind], !changes, &ctx, &db)) return EXIT_FAIL;
    int rc = EXIT_OK;
    if (!changes) {
        rc = list_rules(db);
    } else {
        sdb_index_rule r;
        if (sdb_db_index_rule(db, index, &r)) {
            cli_error("rules", "unknown index '%s'", index);
            rc = EXIT_FAIL;
        } else {
            if (set[0] >= 0) r.single_source = set[0];
            if (set[1] >= 0) r.min_autosomal_loci = set[1];
            if (set[2] >= 0) r.min_y_loci = set[2];
            if (set[3] >= 0) r.y_multicopy = set[3];
            int st = sdb_db_set_index_rule(db, &ctx, &r);
            if (st) cli_error("rules", "%s", sdb_strerror(st));
            rc = st ? EXIT_FAIL : EXIT_OK;
        }
    }
    sdb_db_close(db);
    return rc;
}
