/* strdb audit verify DB | strdb audit log DB [--json] */
#include <jansson.h>
#include <string.h>

#include "cli.h"

static const char audit_usage[] =
    "usage: strdb audit verify DB [--json]\n"
    "       strdb audit log DB [--json]\n\n"
    "verify  recompute the SHA-256 hash chain of the audit records; on success print\n"
    "        the record count and the head hash, else name the first broken record\n"
    "        and exit 1\n"
    "log     list every audit record: sequence, time, actor, action, purpose, case,\n"
    "        result count, outcome, parameter digest and hash\n";

static int print_record(void *arg, const sdb_audit_record *r)
{
    int json = *(int *)arg;
    if (json) {
        json_t *o =
            json_pack("{s:I,s:s,s:s,s:s,s:s?,s:s?,s:s,s:I,s:s,s:s,s:s}", "seq", (json_int_t)r->seq,
                      "at", r->at, "actor", r->actor, "action", r->action, "purpose", r->purpose,
                      "case", r->case_ref, "params_digest", r->params_digest, "result_count",
                      (json_int_t)r->result_count, "outcome", r->outcome, "prev_hash", r->prev_hash,
                      "hash", r->hash);
        if (!o) return SDB_EFORMAT; /* a NULL where the schema forbids one */
        json_dumpf(o, stdout, JSON_COMPACT | JSON_PRESERVE_ORDER);
        putchar('\n');
        json_decref(o);
        return SDB_OK;
    }
    printf("%6lld  %s  %-12s %-10s %-16s %-12s %8lld  %-s  %.16s\n", r->seq, r->at, r->actor,
           r->action, r->purpose ? r->purpose : "-", r->case_ref ? r->case_ref : "-",
           r->result_count, r->outcome, r->hash);
    return SDB_OK;
}

int main_audit(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"json", no_argument, NULL, 'j'}, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    int json = 0, c;
    while ((c = getopt_long(argc, argv, "hj", longopts, NULL)) != -1) {
        if (c == 'j')
            json = 1;
        else
            return cli_usage(audit_usage, c != 'h');
    }
    if (optind + 2 != argc) return cli_usage(audit_usage, 1);
    const char *verb = argv[optind];
    if (strcmp(verb, "verify") && strcmp(verb, "log")) return cli_usage(audit_usage, 1);
    sdb_db *db;
    if (cli_open("audit", argv[optind + 1], 1, &db)) return EXIT_FAIL;
    int rc;
    if (!strcmp(verb, "log")) {
        rc = sdb_audit_foreach(db, print_record, &json);
        if (rc) cli_error("audit log", "%s", sdb_strerror(rc));
    } else {
        long long n = 0, bad = 0;
        char head[SDB_HASH_HEX];
        sdb_diag d;
        sdb_diag_clear(&d);
        rc = sdb_audit_verify(db, &n, head, &bad, &d);
        if (rc) {
            cli_diag("audit verify", rc, &d);
            if (json)
                printf("{\"ok\":false,\"first_bad_seq\":%lld,\"reason\":\"%s\"}\n", bad,
                       rc == SDB_EAUDIT ? strchr(d.reason, ':') + 2 : sdb_strerror(rc));
        } else if (json) {
            printf("{\"ok\":true,\"records\":%lld,\"head\":\"%s\"}\n", n, head);
        } else {
            printf("audit chain ok: %lld records, head %s\n", n, head);
        }
    }
    sdb_db_close(db);
    return rc ? EXIT_FAIL : EXIT_OK;
}
