/* strdb audit verify|log|export|checkpoint|keygen */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char audit_usage[] =
    "usage: strdb audit verify DB [--pubkey FILE [--checkpoints FILE]] [--json]\n"
    "       strdb audit log DB [--json]\n"
    "       strdb audit export DB [-o FILE]\n"
    "       strdb audit checkpoint DB --key FILE [-o FILE]\n"
    "       strdb audit keygen --key FILE --pubkey FILE\n\n"
    "verify      recompute the SHA-256 hash chain of the audit records; on success\n"
    "            print the record count and the head hash, else name the first broken\n"
    "            record and exit 1. With --pubkey also check every signed checkpoint\n"
    "            (stored ones and those in --checkpoints, a copy kept elsewhere): a\n"
    "            truncated or rewritten tail is named like a broken record\n"
    "log         list every audit record: sequence, time, actor, action, purpose,\n"
    "            case, result count, outcome, parameter digest and hash\n"
    "export      every record as JSON lines, for an external auditor\n"
    "checkpoint  sign the chain head (Ed25519) with the secret key file, store the\n"
    "            checkpoint, and print it as one JSON line (append it with -o to a\n"
    "            file kept off this machine)\n"
    "keygen      create a signing key pair: the secret key file (mode 0600; keep it\n"
    "            outside the database and its machine) and the public key file\n\n"
    "  --key FILE          secret key file (checkpoint, keygen)\n"
    "  --pubkey FILE       public key file (verify, keygen)\n"
    "  --checkpoints FILE  JSON lines of checkpoints printed by 'checkpoint'\n"
    "  -o, --output FILE   append to FILE instead of writing to stdout\n"
    "  --actor NAME        who (checkpoint; default: $STRDB_ACTOR, else the login name)\n";

typedef struct print_to {
    int json;
    FILE *out;
} print_to;

static int print_record(void *arg, const sdb_audit_record *r)
{
    const print_to *to = arg;
    int json = to->json;
    if (json) {
        json_t *o =
            json_pack("{s:I,s:s,s:s,s:s,s:s?,s:s?,s:s,s:I,s:s,s:s,s:s,s:s?}", "seq",
                      (json_int_t)r->seq, "at", r->at, "actor", r->actor, "action", r->action,
                      "purpose", r->purpose, "case", r->case_ref, "params_digest",
                      r->params_digest, "result_count", (json_int_t)r->result_count, "outcome",
                      r->outcome, "prev_hash", r->prev_hash, "hash", r->hash, "state", r->state);
        if (!o) return SDB_EFORMAT; /* a NULL where the schema forbids one */
        json_dumpf(o, to->out, JSON_COMPACT | JSON_PRESERVE_ORDER);
        fputc('\n', to->out);
        json_decref(o);
        return SDB_OK;
    }
    fprintf(to->out, "%6lld  %s  %-12s %-10s %-16s %-12s %8lld  %-s  %.16s\n", r->seq, r->at, r->actor,
           r->action, r->purpose ? r->purpose : "-", r->case_ref ? r->case_ref : "-",
           r->result_count, r->outcome, r->hash);
    return SDB_OK;
}

/* Reads checkpoint lines; prints the reason and returns EXIT_FAIL on a bad one. */
static int read_checkpoints(const char *path, sdb_checkpoint **out, int *n)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        cli_error("audit verify", "%s: cannot read", path);
        return EXIT_FAIL;
    }
    char line[1024];
    int lineno = 0, rc = EXIT_OK;
    *out = NULL;
    *n = 0;
    while (!rc && fgets(line, sizeof line, f)) {
        lineno++;
        if (line[strspn(line, " \t\r\n")] == '\0') continue;
        sdb_checkpoint *c = realloc(*out, (size_t)(*n + 1) * sizeof *c);
        if (!c) {
            rc = EXIT_FAIL;
            break;
        }
        *out = c;
        if (sdb_checkpoint_parse(line, &c[*n])) {
            cli_error("audit verify", "%s:%d: not a checkpoint line", path, lineno);
            rc = EXIT_FAIL;
        }
        ++*n;
    }
    fclose(f);
    return rc;
}

static int verify(sdb_session *db, const char *pubkey, const char *extra_path, int json)
{
    long long n = 0, bad = 0, n_cp = 0, tail = 0;
    char head[SDB_HASH_HEX] = "";
    sdb_checkpoint *extra = NULL;
    int n_extra = 0;
    sdb_diag d;
    sdb_diag_clear(&d);
    if (extra_path && read_checkpoints(extra_path, &extra, &n_extra)) {
        free(extra);
        return EXIT_FAIL;
    }
    int rc = sdb_session_audit_verify(db, pubkey, extra, n_extra, &n, &n_cp, &tail, head, &bad, &d);
    free(extra);
    if (rc) {
        cli_diag("audit verify", rc, &d);
        if (json) {
            const char *c = strstr(d.reason, ": ");
            const char *reason = rc != SDB_EAUDIT             ? sdb_strerror(rc)
                                 : strncmp(d.reason, "audit record ", 13) || !c ? d.reason
                                                                                : c + 2;
            json_t *o = json_pack("{s:b,s:I,s:s}", "ok", 0, "first_bad_seq", (json_int_t)bad,
                                  "reason", reason);
            json_dumpf(o, stdout, JSON_COMPACT | JSON_PRESERVE_ORDER);
            putchar('\n');
            json_decref(o);
        }
        return EXIT_FAIL;
    }
    if (json && pubkey)
        printf("{\"ok\":true,\"records\":%lld,\"head\":\"%s\",\"checkpoints\":%lld,"
               "\"unsigned_tail\":%lld}\n",
               n, head, n_cp, tail);
    else if (json)
        printf("{\"ok\":true,\"records\":%lld,\"head\":\"%s\"}\n", n, head);
    else if (pubkey)
        printf("audit chain ok: %lld records, head %s; %lld signed checkpoints hold, %lld "
               "records after the newest\n",
               n, head, n_cp, tail);
    else
        printf("audit chain ok: %lld records, head %s\n", n, head);
    if (pubkey && !n_cp)
        cli_error("audit verify", "warning: no signed checkpoint: a cut-off tail cannot be seen");
    return EXIT_OK;
}

static FILE *open_output(const char *cmd, const char *path)
{
    if (!path) return stdout;
    FILE *f = fopen(path, "a");
    if (!f) cli_error(cmd, "%s: cannot write", path);
    return f;
}

int main_audit(int argc, char **argv)
{
    enum { OPT_KEY = 1, OPT_PUBKEY, OPT_CHECKPOINTS };
    static const struct option longopts[] = {{"json", no_argument, NULL, 'j'},
                                             {"key", required_argument, NULL, OPT_KEY},
                                             {"pubkey", required_argument, NULL, OPT_PUBKEY},
                                             {"checkpoints", required_argument, NULL,
                                              OPT_CHECKPOINTS},
                                             {"output", required_argument, NULL, 'o'},
                                             CTX_LONG_OPTIONS,
                                             {NULL, 0, NULL, 0}};
    sdb_ctx ctx = {0};
    const char *key = NULL, *pubkey = NULL, *extra = NULL, *output = NULL;
    int json = 0, c;
    while ((c = getopt_long(argc, argv, "hjo:", longopts, NULL)) != -1) {
        if (c == 'j')
            json = 1;
        else if (c == OPT_KEY)
            key = optarg;
        else if (c == OPT_PUBKEY)
            pubkey = optarg;
        else if (c == OPT_CHECKPOINTS)
            extra = optarg;
        else if (c == 'o')
            output = optarg;
        else if (!cli_ctx_option(c, optarg, &ctx))
            return cli_usage(audit_usage, c != 'h');
    }
    if (optind >= argc) return cli_usage(audit_usage, 1);
    const char *verb = argv[optind];
    sdb_diag d;
    sdb_diag_clear(&d);
    if (!strcmp(verb, "keygen")) {
        if (optind + 1 != argc || !key || !pubkey) return cli_usage(audit_usage, 1);
        int rc = sdb_sign_keygen(key, pubkey, &d);
        if (rc) cli_diag("audit keygen", rc, &d);
        return rc ? EXIT_FAIL : EXIT_OK;
    }
    int known = !strcmp(verb, "verify") || !strcmp(verb, "log") || !strcmp(verb, "export") ||
                !strcmp(verb, "checkpoint");
    if (!known || optind + 2 != argc || (!strcmp(verb, "checkpoint") && !key) ||
        (extra && !pubkey))
        return cli_usage(audit_usage, 1);
    int writes = !strcmp(verb, "checkpoint");
    cli_ctx_finish(&ctx);
    sdb_session *db;
    if (cli_session("audit", argv[optind + 1], &ctx, !writes, &db)) return EXIT_FAIL;
    int rc = EXIT_OK;
    if (!strcmp(verb, "verify")) {
        rc = verify(db, pubkey, extra, json);
    } else if (!strcmp(verb, "checkpoint")) {
        sdb_checkpoint cp;
        char line[512];
        FILE *out = open_output("audit checkpoint", output);
        int st = out ? sdb_session_audit_checkpoint(db, key, &cp, &d) : SDB_EIO;
        if (st && out) cli_diag("audit checkpoint", st, &d);
        if (!st) {
            sdb_checkpoint_format(&cp, line, sizeof line);
            fprintf(out, "%s\n", line);
        }
        if (out && out != stdout && fclose(out)) st = SDB_EIO;
        rc = st ? EXIT_FAIL : EXIT_OK;
    } else {
        print_to to = {json || !strcmp(verb, "export"), open_output("audit", output)};
        int st = to.out ? sdb_session_audit_foreach(db, print_record, &to, &d) : SDB_EIO;
        if (st) cli_diag("audit", st, &d);
        if (to.out && to.out != stdout && fclose(to.out)) st = SDB_EIO;
        rc = st ? EXIT_FAIL : EXIT_OK;
    }
    sdb_session_close(db);
    return rc;
}
