/* strdb retention report|run|rules|set ...   strdb consent give|withdraw ... */
#include <jansson.h>
#include <string.h>

#include "cli.h"

static const char retention_usage[] =
    "usage: strdb retention report DB [--as-of DATE] [--json]\n"
    "       strdb retention run DB [--as-of DATE] [--dry-run] [--actor NAME]\n"
    "       strdb retention rules DB\n"
    "       strdb retention set DB BASIS RULE [--actor NAME]\n"
    "       strdb retention close-case DB CASE_REF [--at DATE]\n\n"
    "Each legal basis has a retention rule: indefinite, years:N (N years from\n"
    "collection, i.e. the import date of the profile's batch), consent (until the\n"
    "person withdraws it) or case (until the case the profile was imported under,\n"
    "import --case REF, is closed). A profile's own --retain-until date takes precedence.\n"
    "The shipped rules follow the UK Protection of Freedoms Act 2012 (docs/governance.md).\n\n"
    "report  list the profiles due at DATE (default today, UTC): sample, index, basis,\n"
    "        rule, due date\n"
    "run     expunge every profile due at DATE (strdb expunge, reason naming the rule);\n"
    "        --dry-run only counts them\n"
    "rules   list the legal bases and their rules\n"
    "set     change the rule of one basis (audited)\n"
    "close-case  record that a case closed (audited): profiles kept under rule 'case'\n"
    "        and imported with that --case become due on that date\n\n"
    "  --as-of DATE   YYYY-MM-DD: evaluate the rules as on that day\n"
    "  --at DATE      YYYY-MM-DD: the closing date (default: now)\n";

static const char consent_usage[] =
    "usage: strdb consent give DB SAMPLE_ID --scope PURPOSES [--at DATE]\n"
    "       strdb consent withdraw DB SAMPLE_ID [--at DATE]\n\n"
    "Record a person's consent (the purposes it covers, comma-separated) or its\n"
    "withdrawal. Withdrawing the consent a profile is kept under (legal basis with\n"
    "rule 'consent') expunges the profile at once. Both audited.\n\n"
    "  --scope P,...   purposes the consent covers (give)\n"
    "  --at DATE       YYYY-MM-DD (default: now)\n"
    "  --actor NAME    who records it (default: $STRDB_ACTOR, else the login name)\n";

typedef struct report_to {
    int json;
    json_t *arr;
} report_to;

static int print_due(void *arg, const sdb_due *due)
{
    report_to *r = arg;
    if (r->json)
        json_array_append_new(r->arr, json_pack("{s:s,s:s,s:s,s:s,s:s}", "sample_id",
                                                due->sample_id, "index", due->index, "basis",
                                                due->basis, "rule", due->rule, "due", due->due));
    else
        printf("%-24s %-20s %-22s %-12s %s\n", due->sample_id, due->index, due->basis, due->rule,
               due->due);
    return SDB_OK;
}

static int print_basis(void *arg, const char *section, int n, const char *const *names,
                       const char *const *v)
{
    printf("%-22s %s\n", v[0], v[1]);
    return 0;
}

static int rules(sdb_session *db)
{
    sdb_diag d;
    sdb_diag_clear(&d);
    printf("%-22s %s\n", "basis", "retention");
    int rc = sdb_session_list(db, "retention", print_basis, NULL, &d);
    if (rc) cli_diag("retention", rc, &d);
    return rc ? EXIT_FAIL : EXIT_OK;
}

int main_retention(int argc, char **argv)
{
    enum { OPT_ASOF = 1, OPT_DRY, OPT_JSON, OPT_CLOSED_AT };
    static const struct option longopts[] = {{"as-of", required_argument, NULL, OPT_ASOF},
                                             {"at", required_argument, NULL, OPT_CLOSED_AT},
                                             {"dry-run", no_argument, NULL, OPT_DRY},
                                             {"json", no_argument, NULL, OPT_JSON},
                                             CTX_LONG_OPTIONS,
                                             {NULL, 0, NULL, 0}};
    const char *as_of = NULL, *closed_at = NULL;
    int dry = 0, json = 0, c;
    sdb_ctx ctx = {0};
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        if (c == OPT_ASOF)
            as_of = optarg;
        else if (c == OPT_DRY)
            dry = 1;
        else if (c == OPT_CLOSED_AT)
            closed_at = optarg;
        else if (c == OPT_JSON)
            json = 1;
        else if (!cli_ctx_option(c, optarg, &ctx))
            return cli_usage(retention_usage, c != 'h');
    }
    if (optind + 2 > argc) return cli_usage(retention_usage, 1);
    const char *verb = argv[optind];
    int is_set = !strcmp(verb, "set"), is_close = !strcmp(verb, "close-case");
    if ((strcmp(verb, "report") && strcmp(verb, "run") && strcmp(verb, "rules") && !is_set &&
         !is_close) ||
        optind + (is_set ? 4 : is_close ? 3 : 2) != argc)
        return cli_usage(retention_usage, 1);
    cli_ctx_finish(&ctx);
    ctx.purpose = "administration";
    int writes = is_set || is_close || (!strcmp(verb, "run") && !dry);
    sdb_session *db;
    if (cli_session("retention", argv[optind + 1], &ctx, !writes, &db)) return EXIT_FAIL;
    sdb_diag d;
    sdb_diag_clear(&d);
    int st = SDB_OK, rc = EXIT_OK;
    if (!strcmp(verb, "rules")) {
        rc = rules(db);
    } else if (is_close) {
        st = sdb_session_case_close(db, argv[optind + 2], closed_at, &d);
    } else if (is_set) {
        st = sdb_session_retention_set(db, argv[optind + 2], argv[optind + 3], &d);
    } else if (!strcmp(verb, "report")) {
        report_to r = {json, json ? json_array() : NULL};
        if (!json) printf("%-24s %-20s %-22s %-12s %s\n", "sample_id", "index", "basis", "rule", "due");
        st = sdb_session_retention_due(db, as_of, print_due, &r, &d);
        if (json && !st) {
            json_dumpf(r.arr, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
            putchar('\n');
        }
        json_decref(r.arr);
    } else {
        long n = 0;
        cli_ticker_start("strdb retention run");
        st = sdb_session_retention_run(db, as_of, dry, &n, &d);
        cli_ticker_stop();
        fprintf(stderr, "[strdb retention] %ld profile%s %s\n", n, n == 1 ? "" : "s",
                dry ? "due (dry run: nothing changed)" : "expunged");
    }
    if (st) {
        cli_diag("retention", st, &d);
        rc = EXIT_FAIL;
    }
    sdb_session_close(db);
    return rc;
}

int main_consent(int argc, char **argv)
{
    enum { OPT_SCOPE = 1, OPT_AT };
    static const struct option longopts[] = {{"scope", required_argument, NULL, OPT_SCOPE},
                                             {"at", required_argument, NULL, OPT_AT},
                                             CTX_LONG_OPTIONS,
                                             {NULL, 0, NULL, 0}};
    const char *scope = NULL, *at = NULL;
    int c;
    sdb_ctx ctx = {0};
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        if (c == OPT_SCOPE)
            scope = optarg;
        else if (c == OPT_AT)
            at = optarg;
        else if (!cli_ctx_option(c, optarg, &ctx))
            return cli_usage(consent_usage, c != 'h');
    }
    if (optind + 3 != argc) return cli_usage(consent_usage, 1);
    const char *verb = argv[optind];
    if (strcmp(verb, "give") && strcmp(verb, "withdraw")) return cli_usage(consent_usage, 1);
    cli_ctx_finish(&ctx);
    ctx.purpose = "administration";
    sdb_session *db;
    if (cli_session("consent", argv[optind + 1], &ctx, 0, &db)) return EXIT_FAIL;
    sdb_diag d;
    sdb_diag_clear(&d);
    const char *id = argv[optind + 2];
    int st = !strcmp(verb, "give") ? sdb_session_consent_give(db, id, scope, at, &d)
                                   : sdb_session_consent_withdraw(db, id, at, &d);
    if (st) cli_diag("consent", st, &d);
    sdb_session_close(db);
    return st ? EXIT_FAIL : EXIT_OK;
}
