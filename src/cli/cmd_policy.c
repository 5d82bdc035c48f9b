/* strdb policy DB [--allow|--deny PURPOSE:OPERATION:INDEX]... */
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

static int change(sdb_session *db, const char *spec, int allow)
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
    int rc = sdb_session_policy_set(db, buf, op, index, allow, &d);
    if (rc) cli_diag("policy", rc, &d);
    return rc ? EXIT_FAIL : EXIT_OK;
}

/* "P=yes" / "P=no" */
static int change_authorization(sdb_session *db, const char *spec)
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
    int rc = sdb_session_policy_set_authorization(db, buf, !strcmp(eq + 1, "yes"), &d);
    if (rc) cli_diag("policy", rc, &d);
    return rc ? EXIT_FAIL : EXIT_OK;
}

static int print_rule(void *arg, const char *section, int n, const char *const *names,
                      const char *const *v)
{
    printf("%-18s %-13s %-8s %s\n", v[0], v[1], v[2] ? v[2] : "-", v[3] ? v[3] : "(none)");
    return 0;
}

static int show(sdb_session *db)
{
    sdb_diag d;
    sdb_diag_clear(&d);
    printf("%-18s %-13s %-8s %s\n", "purpose", "authorization", "op", "indexes");
    int rc = sdb_session_list(db, "policy", print_rule, NULL, &d);
    if (rc) cli_diag("policy", rc, &d);
    return rc ? EXIT_FAIL : EXIT_OK;
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
    sdb_session *db;
    if (cli_session("policy", argv[optind], &ctx, n == 0, &db)) return EXIT_FAIL;
    int rc = EXIT_OK;
    for (int i = 0; i < n && !rc; i++)
        rc = allow[i] < 0 ? change_authorization(db, specs[i]) : change(db, specs[i], allow[i]);
    if (!rc && !n) rc = show(db);
    sdb_session_close(db);
    return rc;
}
