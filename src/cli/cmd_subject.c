/* strdb subject-report DB SAMPLE_ID [--json] */
#include <jansson.h>
#include <sqlite3.h>
#include <string.h>

#include "cli.h"

static const char subject_usage[] =
    "usage: strdb subject-report DB SAMPLE_ID [--json] [--actor NAME] [--case REF]\n\n"
    "A data-subject access report for one sample: what is stored about it (index,\n"
    "kind, legal basis and its retention rule, retain-until date, consent, import\n"
    "file, date and actor, flags, typed loci) and every audited consultation that\n"
    "returned it (show, search and ysearch hits; the report itself), found through\n"
    "the keyed hash of the sample id. For an expunged sample it says when and why.\n"
    "Audited; purpose administration.\n";

/* Rows of one query as a JSON object per row (column names as keys). */
static json_t *rows(sqlite3 *sql, const char *q, const char *bind)
{
    sqlite3_stmt *st;
    json_t *arr = json_array();
    if (sqlite3_prepare_v2(sql, q, -1, &st, NULL) != SQLITE_OK) return arr;
    sqlite3_bind_text(st, 1, bind, -1, SQLITE_STATIC);
    while (sqlite3_step(st) == SQLITE_ROW) {
        json_t *o = json_object();
        for (int i = 0; i < sqlite3_column_count(st); i++) {
            const char *v = (const char *)sqlite3_column_text(st, i);
            json_object_set_new(o, sqlite3_column_name(st, i), v ? json_string(v) : json_null());
        }
        json_array_append_new(arr, o);
    }
    sqlite3_finalize(st);
    return arr;
}

static int add_record(void *arg, const sdb_audit_record *r)
{
    json_array_append_new(arg, json_pack("{s:I,s:s,s:s,s:s,s:s?,s:s?,s:s}", "seq",
                                         (json_int_t)r->seq, "at", r->at, "actor", r->actor,
                                         "action", r->action, "purpose", r->purpose, "case",
                                         r->case_ref, "outcome", r->outcome));
    return 0;
}

static void print_text(json_t *rep)
{
    const char *key;
    json_t *v;
    json_t *stored = json_array_get(json_object_get(rep, "stored"), 0);
    printf("sample          %s\n", json_string_value(json_object_get(rep, "sample_id")));
    if (stored)
        json_object_foreach(stored, key, v) printf("%-15s %s\n", key,
                                                   json_is_string(v) ? json_string_value(v) : "-");
    else
        printf("stored          nothing\n");
    size_t i;
    json_array_foreach(json_object_get(rep, "expunged"), i, v)
        printf("expunged        %s by %s: %s\n", json_string_value(json_object_get(v, "at")),
               json_string_value(json_object_get(v, "actor")),
               json_string_value(json_object_get(v, "reason")));
    json_array_foreach(json_object_get(rep, "consent"), i, v)
        printf("consent         %s (given %s%s%s)\n", json_string_value(json_object_get(v, "scope")),
               json_string_value(json_object_get(v, "given_at")),
               json_is_string(json_object_get(v, "withdrawn_at")) ? ", withdrawn " : "",
               json_is_string(json_object_get(v, "withdrawn_at"))
                   ? json_string_value(json_object_get(v, "withdrawn_at"))
                   : "");
    json_t *c = json_object_get(rep, "consultations");
    printf("\n%zu consultations returned this sample\n", json_array_size(c));
    json_array_foreach(c, i, v)
        printf("%6lld  %s  %-12s %-10s %-16s %s\n",
               (long long)json_integer_value(json_object_get(v, "seq")),
               json_string_value(json_object_get(v, "at")),
               json_string_value(json_object_get(v, "actor")),
               json_string_value(json_object_get(v, "action")),
               json_is_string(json_object_get(v, "purpose"))
                   ? json_string_value(json_object_get(v, "purpose"))
                   : "-",
               json_is_string(json_object_get(v, "case"))
                   ? json_string_value(json_object_get(v, "case"))
                   : "-");
}

int main_subject(int argc, char **argv)
{
    enum { OPT_JSON = 1 };
    static const struct option longopts[] = {
        {"json", no_argument, NULL, OPT_JSON}, CTX_LONG_OPTIONS, {NULL, 0, NULL, 0}};
    int json = 0, c;
    sdb_ctx ctx = {0};
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        if (c == OPT_JSON)
            json = 1;
        else if (!cli_ctx_option(c, optarg, &ctx))
            return cli_usage(subject_usage, c != 'h');
    }
    if (optind + 2 != argc) return cli_usage(subject_usage, 1);
    cli_ctx_finish(&ctx);
    ctx.purpose = "administration";
    const char *id = argv[optind + 1];
    sdb_db *db;
    if (cli_open("subject-report", "subject-report", argv[optind], 0, &ctx, &db)) return EXIT_FAIL;
    sqlite3 *sql = sdb_db_sqlite(db);
    char key[SDB_HASH_HEX];
    int rc = sdb_sample_key(db, id, key) ? EXIT_FAIL : EXIT_OK;
    json_t *rep = json_pack("{s:s}", "sample_id", id);
    json_object_set_new(rep, "stored",
                        rows(sql,
                             "SELECT p.index_name AS 'index', p.kind, p.basis,"
                             " b.retention AS retention_rule, p.retain_until, p.n_loci AS loci,"
                             " p.flags, ib.file AS import_file, ib.started_at AS imported_at,"
                             " ib.actor AS imported_by, p.source_line FROM profile p"
                             " JOIN legal_basis b ON b.code = p.basis"
                             " JOIN import_batch ib ON ib.id = p.batch_id WHERE p.sample_id = ?1",
                             id));
    json_object_set_new(rep, "consent",
                        rows(sql, "SELECT scope, given_at, withdrawn_at FROM consent"
                                  " WHERE sample_id = ?1",
                             id));
    json_object_set_new(rep, "expunged",
                        rows(sql, "SELECT at, actor, index_name AS 'index', reason, authorization"
                                  " FROM expunction WHERE sample_key = ?1",
                             key));
    json_t *cons = json_array();
    if (!rc && sdb_audit_touching(db, id, add_record, cons)) rc = EXIT_FAIL;
    json_object_set_new(rep, "consultations", cons);
    if (!rc && json) {
        json_dumpf(rep, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        putchar('\n');
    } else if (!rc) {
        print_text(rep);
    }
    json_decref(rep);
    char params[512];
    snprintf(params, sizeof params, "sample_id=%s", id);
    if (sdb_audit_append(db, &ctx, "subject-report", params, 1, rc ? "failed" : "ok") ||
        sdb_audit_touch(db, &id, 1))
        rc = EXIT_FAIL;
    if (rc) cli_error("subject-report", "could not read or audit the report");
    sdb_db_close(db);
    return rc;
}
