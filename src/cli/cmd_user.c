/* strdb user add|list|disable|rotate */
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

static const char user_usage[] =
    "usage: strdb user add DB NAME --role admin|custodian|analyst|auditor\n"
    "       strdb user list DB\n"
    "       strdb user disable DB NAME\n"
    "       strdb user rotate DB NAME\n\n"
    "A database without users is in open mode: a single-user workstation, the actor\n"
    "is the login name, everything is audited. Once a user exists it is in\n"
    "controlled mode: every command needs a token ($STRDB_TOKEN or --token-file) and\n"
    "the user's role decides which commands run (docs/governance.md). The first\n"
    "'user add' must be run by the owner of the database file and creates an admin;\n"
    "later changes need an admin's token. add and rotate print the new token once:\n"
    "only its keyed hash is stored.\n\n"
    "  --role ROLE        admin, custodian, analyst or auditor\n"
    "  --token-file FILE  read the caller's token from FILE instead of $STRDB_TOKEN\n";

static int print_user(void *arg, const char *name, const char *role, const char *created,
                      int disabled)
{
    printf("%-20s %-10s %s%s\n", name, role, created, disabled ? "  disabled" : "");
    return 0;
}

int main_user(int argc, char **argv)
{
    enum { OPT_ROLE = 1 };
    static const struct option longopts[] = {
        {"role", required_argument, NULL, OPT_ROLE}, CTX_LONG_OPTIONS, {NULL, 0, NULL, 0}};
    const char *role = NULL;
    int c;
    sdb_ctx ctx = {0};
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        if (c == OPT_ROLE)
            role = optarg;
        else if (!cli_ctx_option(c, optarg, &ctx))
            return cli_usage(user_usage, c != 'h');
    }
    if (optind + 2 > argc) return cli_usage(user_usage, 1);
    const char *verb = argv[optind], *path = argv[optind + 1];
    int list = !strcmp(verb, "list");
    if ((!list && strcmp(verb, "add") && strcmp(verb, "disable") && strcmp(verb, "rotate")) ||
        optind + (list ? 2 : 3) != argc || (!strcmp(verb, "add") && !role))
        return cli_usage(user_usage, 1);
    cli_ctx_finish(&ctx);
    ctx.purpose = "administration";
    sdb_session *db;
    if (cli_session("user", path, &ctx, list, &db)) return EXIT_FAIL;
    sdb_diag d;
    sdb_diag_clear(&d);
    int st = SDB_OK;
    char token[SDB_HASH_HEX] = "";
    if (list)
        st = sdb_session_user_foreach(db, print_user, NULL, &d);
    else if (!strcmp(verb, "add"))
        st = sdb_session_user_add(db, argv[optind + 2], role, token, &d);
    else if (!strcmp(verb, "rotate"))
        st = sdb_session_user_rotate(db, argv[optind + 2], token, &d);
    else
        st = sdb_session_user_disable(db, argv[optind + 2], &d);
    if (st && d.reason[0]) cli_diag("user", st, &d);
    if (!st && token[0]) {
        printf("%s\n", token);
        fprintf(stderr, "[strdb user] token for %s printed once; only its keyed hash is stored\n",
                argv[optind + 2]);
    }
    sdb_session_close(db);
    return st ? EXIT_FAIL : EXIT_OK;
}
