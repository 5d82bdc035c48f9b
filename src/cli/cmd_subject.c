/* strdb subject-report DB SAMPLE_ID [--json] */
#include <jansson.h>
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

/* The report's sections as JSON arrays of objects (column names as keys). */
static int add_row(void *arg, const char *section, int n, const char *const *names,
                   const char *const *values)
{
    json_t *o = json_object();
    for (int i = 0; i < n; i++)
        json_object_set_new(o, names[i], values[i] ? json_string(values[i]) : json_null());
    json_array_append_new(json_object_get(arg, section), o);
    return 0;
}

static int add_record(void *arg, const sdb_audit_record *r)
{
    json_array_append_new(json_object_get(arg, "consultations"), json_pack("{s:I,s:s,s:s,s:s,s:s?,s:s?,s:s}", "seq",
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
    sdb_session *db;
    if (cli_session("subject-report", argv[optind], &ctx, 0, &db)) return EXIT_FAIL;
    json_t *rep = json_pack("{s:s,s:[],s:[],s:[],s:[]}", "sample_id", id, "stored", "consent",
                            "expunged", "consultations");
    sdb_diag d;
    sdb_diag_clear(&d);
    int st = sdb_session_subject(db, id, add_row, add_record, rep, &d);
    if (st)
        cli_diag("subject-report", st, &d);
    else if (json) {
        json_dumpf(rep, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        putchar('\n');
    } else {
        print_text(rep);
    }
    json_decref(rep);
    sdb_session_close(db);
    return st ? EXIT_FAIL : EXIT_OK;
}
