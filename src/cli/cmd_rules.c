/* strdb rules DB [--index NAME --min-loci N ...] */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

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

static int print_rule(void *arg, const char *section, int n, const char *const *names,
                      const char *const *v)
{
    printf("%-22s %-7s %8s %10s %-11s %s\n", v[0], v[1], v[2], v[3], v[4], v[5] ? v[5] : "");
    return 0;
}

static int list_rules(sdb_session *db)
{
    sdb_diag d;
    sdb_diag_clear(&d);
    printf("%-22s %-7s %-8s %-10s %-11s %s\n", "index", "single", "min_loci", "min_y_loci",
           "y_multicopy", "description");
    int rc = sdb_session_list(db, "rules", print_rule, NULL, &d);
    if (rc) cli_diag("rules", rc, &d);
    return rc ? EXIT_FAIL : EXIT_OK;
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
    sdb_session *db;
    if (cli_session("rules", argv[optind], &ctx, !changes, &db)) return EXIT_FAIL;
    int rc = EXIT_OK;
    if (!changes) {
        rc = list_rules(db);
    } else {
        sdb_index_rule r;
        sdb_diag d;
        sdb_diag_clear(&d);
        int st = sdb_session_index_rule(db, index, &r, &d);
        if (st) {
            cli_diag("rules", st, &d);
            rc = EXIT_FAIL;
        } else {
            if (set[0] >= 0) r.single_source = set[0];
            if (set[1] >= 0) r.min_autosomal_loci = set[1];
            if (set[2] >= 0) r.min_y_loci = set[2];
            if (set[3] >= 0) r.y_multicopy = set[3];
            st = sdb_session_set_index_rule(db, &r, &d);
            if (st) cli_diag("rules", st, &d);
            rc = st ? EXIT_FAIL : EXIT_OK;
        }
    }
    sdb_session_close(db);
    return rc;
}
