/* strdb policy DB [--allow|--deny PURPOSE:OPERATION:INDEX]... */
#include <sqlite3.h>
#include <string.h>

#include "cli.h"

static const char policy_usage[] =
    "usage: strdb policy [show] DB\n"
    "       strdb policy [set] DB [--allow|--deny PURPOSE:OPERATION:INDEX]...\n"
    "                             [--authorization-required PURPOSE=yes|no]...\n\n"
    "Show the purpose policy: for every purpose, whether it needs --authorization, and\n"
    "which operations it may run on which indexes. A read names its purpose; the\n"
    "policy narrows it to those indexes or refuses it (audited) before any profile is\n"
    "read. Operations: show, export, search, ysearch, pairs, freq, yfreq.\n"
    "docs/governance.md gives the defaults and the rules they follow.\n\n"
    "  --allow P:OP:INDEX   allow purpose P to run OP on INDEX (audited)\n"
    "  --deny P:OP:INDEX    forbid it (audited)\n"
    "  --authorization-required P=yes|no\n"
    "                       whether purpose P needs --authorization REF (audited)\n"
    "  --actor NAME         who changes it (default: $STRDB_ACTOR, else the login name)\n";

static int change(sdb_db *db, const sdb_ctx *ctx, const char *spec, int allow)
{
    char buf[256], *op, *index;
    snprintf(buf, sizeof buf, "%s", spec);
    if (!(op = strchr(buf, ':')) || !(index = strchr(op + 1, ':'))) {
        cli_error("policy", "'%s': expected PURPOSE:OPERATION:INDEX", spec);
        return EXIT_USAGE;
    }
    *op++ = '\0';
    *index++ = '\0';
    sdb_diag d;
    sdb_diag_clear(&d);
    int rc = sdb_policy_set(db, ctx, buf, op, index, allow, &d);
    if (rc) cli_diag("policy", rc, &d);
    return rc ? EXIT_FAIL : EXIT_OK;
}

/* "P=yes" / "P=no" */
static int change_authorization(sdb_db *db, const sdb_ctx *ctx, const char *spec)
{
    char buf[128], *eq;
    snprintf(buf, sizeof buf, "%s", spec);
    if (!(eq = strchr(buf, '=')) || (strcmp(eq + 1, "yes") && strcmp(eq + 1, "no"))) {
        cli_error("policy", "'%s': expected PURPOSE=yes or PURPOSE=no", spec);
        return EXIT_USAGE;
    }
    *eq = '\0';
    sdb_diag d;
    sdb_diag_clear(&d);
    int rc = sdb_policy_set_authorization(db, ctx, buf, !strcmp(eq + 1, "yes"), &d);
    if (rc) cli_diag("policy", rc, &d);
    return rc ? EXIT_FAIL : EXIT_OK;
}

static int show(sdb_db *db)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(sdb_db_sqlite(db),
                           "SELECT p.code, p.needs_authorization, r.operation,"
                           " group_concat(r.index_name, ',') FROM purpose p"
                           " LEFT JOIN (SELECT * FROM policy ORDER BY index_name) r"
                           " ON r.purpose = p.code GROUP BY p.code, r.operation"
                           " ORDER BY p.code, r.operation",
                           -1, &st, NULL) != SQLITE_OK)
        return EXIT_FAIL;
    printf("%-18s %-13s %-8s %s\n", "purpose", "authorization", "op", "indexes");
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *op = (const char *)sqlite3_column_text(st, 2);
        const char *idx = (const char *)sqlite3_column_text(st, 3);
        printf("%-18s %-13s %-8s %s\n", sqlite3_column_text(st, 0),
               sqlite3_column_int(st, 1) ? "required" : "-", op ? op : "-", idx ? idx : "(none)");
    }
    sqlite3_finalize(st);
    return EXIT_OK;
}

int main_policy(int argc, char **argv)
{
    enum { OPT_ALLOW = 1, OPT_DENY, OPT_AUTHREQ };
    static const struct option longopts[] = {{"allow", required_argument, NULL, OPT_ALLOW},
                                             {"deny", required_argument, NULL, OPT_DENY},
                                             {"authorization-required", required_argument, NULL,
                                              OPT_AUTHREQ},
                                             CTX_LONG_OPTIONS,
                                             {NULL, 0, NULL, 0}};
    const char *specs[64];
    int allow[64], n = 0, c;
    sdb_ctx ctx = {0};
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        if ((c == OPT_ALLOW || c == OPT_DENY || c == OPT_AUTHREQ) && n < 64) {
            specs[n] = optarg;
            allow[n++] = c == OPT_ALLOW ? 1 : c == OPT_DENY ? 0 : -1;
        } else if (!cli_ctx_option(c, optarg, &ctx))
            return cli_usage(policy_usage, c != 'h');
    }
    /* "policy show DB" and "policy set DB ..." read the same as without the verb */
    if (optind + 2 == argc && (!strcmp(argv[optind], "show") || !strcmp(argv[optind], "set"))) {
        if (!strcmp(argv[optind], "show") != !n) return cli_usage(policy_usage, 1);
        optind++;
    }
    if (optind + 1 != argc) return cli_usage(policy_usage, 1);
    cli_ctx_finish(&ctx);
    ctx.purpose = "administration";
    sdb_db *db;
    if (cli_open("policy", n ? "policy-set" : "policy-show", argv[optind], n == 0, &ctx, &db)) return EXIT_FAIL;
    int rc = EXIT_OK;
    for (int i = 0; i < n && !rc; i++)
        rc = allow[i] < 0 ? change_authorization(db, &ctx, specs[i])
                          : change(db, &ctx, specs[i], allow[i]);
    if (!rc && !n) rc = show(db);
    sdb_db_close(db);
    return rc;
}
