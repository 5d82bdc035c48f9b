/* strdb expunge DB SAMPLE_ID --reason TEXT [--authorization REF] */
#include <string.h>

#include "cli.h"

static const char expunge_usage[] =
    "usage: strdb expunge DB SAMPLE_ID --reason TEXT [--authorization REF] [--actor NAME]\n"
    "       strdb expunge DB --finish\n\n"
    "Removes one profile for good: its row and genotype bytes, import rejects that\n"
    "name it, and the index snapshots beside the database (the next search rebuilds\n"
    "them). The audit chain and the expunction table keep only a keyed hash of the\n"
    "sample id, the index, the reason and the authorisation. Freed pages are zeroed\n"
    "(secure_delete) and the WAL is checkpointed and truncated, so neither the sample\n"
    "id nor the genotype bytes remain in the database file or its WAL. The purpose\n"
    "is 'administration' (any other --purpose is refused).\n\n"
    "  --reason TEXT         why (court order, acquittal, retention expiry, ...); required\n"
    "  --authorization REF   the decision that orders it\n"
    "  --finish              only truncate the WAL (after 'busy': another reader was open)\n"
    "  --actor NAME          who (default: $STRDB_ACTOR, else the login name)\n"
    "  --case REF            case reference recorded in the audit\n";

int main_expunge(int argc, char **argv)
{
    enum { OPT_REASON = 1, OPT_FINISH };
    static const struct option longopts[] = {{"reason", required_argument, NULL, OPT_REASON},
                                             {"finish", no_argument, NULL, OPT_FINISH},
                                             CTX_LONG_OPTIONS,
                                             {NULL, 0, NULL, 0}};
    sdb_ctx ctx = {0};
    const char *reason = NULL;
    int finish = 0, c;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        if (c == OPT_REASON)
            reason = optarg;
        else if (c == OPT_FINISH)
            finish = 1;
        else if (!cli_ctx_option(c, optarg, &ctx))
            return cli_usage(expunge_usage, c != 'h');
    }
    if (optind + (finish ? 1 : 2) != argc) return cli_usage(expunge_usage, 1);
    cli_ctx_finish(&ctx);
    if (!ctx.purpose) ctx.purpose = "administration"; /* any other is refused */
    sdb_session *db;
    if (cli_session("expunge", argv[optind], &ctx, 0, &db)) return EXIT_FAIL;
    sdb_diag d;
    sdb_diag_clear(&d);
    int rc = finish ? sdb_session_truncate_wal(db, &d)
                    : sdb_session_expunge(db, argv[optind + 1], reason, &d);
    if (rc == SDB_EBUSY && !finish) {
        /* the rows are gone; the scrub is marked pending and the next session runs it */
        fprintf(stderr, "[strdb expunge] %s removed; another connection keeps the WAL, which is "
                        "scrubbed when the next session opens the database\n",
                argv[optind + 1]);
        rc = SDB_OK;
    } else if (rc) {
        cli_diag("expunge", rc, &d);
    } else if (!finish) {
        fprintf(stderr, "[strdb expunge] %s removed; database file and WAL scrubbed\n",
                argv[optind + 1]);
    }
    sdb_session_close(db);
    return rc ? EXIT_FAIL : EXIT_OK;
}
