/* strdb init DB */
#include "cli.h"

static const char init_usage[] =
    "usage: strdb init DB [--actor NAME]\n\n"
    "Create a new, empty strdb database (an SQLite file) with the locus catalog,\n"
    "the legal bases, purposes and indexes seeded, and the first audit record.\n"
    "Refuses to touch an existing non-empty file.\n\n"
    "  --actor NAME   who does it (default: $STRDB_ACTOR, else the login name)\n";

int main_init(int argc, char **argv)
{
    static const struct option longopts[] = {CTX_LONG_OPTIONS, {NULL, 0, NULL, 0}};
    sdb_ctx ctx = {0};
    int c;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        if (cli_ctx_option(c, optarg, &ctx)) continue;
        return cli_usage(init_usage, c != 'h');
    }
    if (optind + 1 != argc) return cli_usage(init_usage, 1);
    cli_ctx_finish(&ctx);
    sdb_session *s;
    sdb_session_opts o;
    sdb_session_opts_init(&o);
    o.actor = ctx.actor;
    o.purpose = ctx.purpose;
    o.case_ref = ctx.case_ref;
    sdb_diag d;
    sdb_diag_clear(&d);
    int rc = sdb_session_create(&s, argv[optind], &o, &d);
    if (rc) {
        cli_diag("init", rc, &d);
        return EXIT_FAIL;
    }
    sdb_session_close(s);
    fprintf(stderr, "[strdb init] created %s (schema %d)\n", argv[optind], SDB_SCHEMA_VERSION);
    return EXIT_OK;
}
