/* strdb stat DB [--json] */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char stat_usage[] =
    "usage: strdb stat DB [--json]\n\n"
    "Summarise a database without showing any genotype: schema version, profiles\n"
    "per index and kind (with partial and mixture counts), how many profiles type\n"
    "each locus, import batches, audit records, and the indexes, legal bases and\n"
    "purposes defined.\n";

/* Rows of every listing a summary shows, gathered as JSON. */
static int add_row(void *arg, const char *section, int n, const char *const *names,
                   const char *const *values)
{
    json_t *arr = json_object_get(arg, section), *o = json_object();
    for (int i = 0; i < n; i++) {
        char *end;
        long long v = values[i] ? strtoll(values[i], &end, 10) : 0;
        json_t *j = !values[i]                 ? json_null()
                    : *values[i] && !*end ? json_integer(v)
                                          : json_string(values[i]);
        json_object_set_new(o, names[i], j);
    }
    if (n == 1 && strcmp(section, "loci")) { /* a list of names */
        json_array_append(arr, json_object_iter_value(json_object_iter(o)));
        json_decref(o);
    } else {
        json_array_append_new(arr, o);
    }
    return 0;
}

static long count_of(json_t *summary, const char *key)
{
    return (long)json_integer_value(json_object_get(json_array_get(summary, 0), key));
}

static void names_line(const char *label, json_t *arr)
{
    size_t i;
    json_t *v;
    printf("%-15s ", label);
    json_array_foreach(arr, i, v) printf("%s%s", i ? ", " : "", json_string_value(v));
    printf("%s\n", json_array_size(arr) ? "" : "(none)");
}

static void print_json(const char *path, json_t *all)
{
    json_t *sum = json_object_get(all, "summary");
    json_t *o = json_pack("{s:s,s:i,s:I}", "database", path, "schema_version", SDB_SCHEMA_VERSION,
                          "profiles", (json_int_t)count_of(sum, "profiles"));
    json_object_set(o, "by_index", json_object_get(all, "by-index"));
    json_t *loci = json_array(), *v;
    size_t i;
    json_array_foreach(json_object_get(all, "loci"), i, v)
        json_array_append_new(loci, json_pack("{s:O,s:O}", "locus", json_object_get(v, "locus"),
                                              "profiles", json_object_get(v, "profiles")));
    json_object_set_new(o, "loci", loci);
    json_object_set_new(o, "import_batches", json_integer(count_of(sum, "import_batches")));
    json_object_set_new(o, "rejects", json_integer(count_of(sum, "rejects")));
    json_object_set_new(o, "audit_records", json_integer(count_of(sum, "audit_records")));
    json_object_set(o, "indexes", json_object_get(all, "indexes"));
    json_object_set(o, "legal_bases", json_object_get(all, "legal-bases"));
    json_object_set(o, "purposes", json_object_get(all, "purposes"));
    json_dumpf(o, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    putchar('\n');
    json_decref(o);
}

static void print_text(const char *path, json_t *all)
{
    json_t *sum = json_object_get(all, "summary"), *v;
    size_t i;
    printf("database        %s\nschema          %d\nprofiles        %ld\n", path,
           SDB_SCHEMA_VERSION, count_of(sum, "profiles"));
    printf("import batches  %ld (%ld rejects recorded)\naudit records   %ld\n",
           count_of(sum, "import_batches"), count_of(sum, "rejects"),
           count_of(sum, "audit_records"));
    names_line("indexes", json_object_get(all, "indexes"));
    names_line("legal bases", json_object_get(all, "legal-bases"));
    names_line("purposes", json_object_get(all, "purposes"));
    printf("\n%-22s %-10s %9s %9s %9s\n", "index", "kind", "profiles", "partial", "mixture");
    json_array_foreach(json_object_get(all, "by-index"), i, v)
        printf("%-22s %-10s %9lld %9lld %9lld\n", json_string_value(json_object_get(v, "index")),
               json_string_value(json_object_get(v, "kind")),
               (long long)json_integer_value(json_object_get(v, "profiles")),
               (long long)json_integer_value(json_object_get(v, "partial")),
               (long long)json_integer_value(json_object_get(v, "mixture")));
    if (!json_array_size(json_object_get(all, "by-index"))) printf("(no profiles yet)\n");
    printf("\n%-14s %-10s %9s\n", "locus", "type", "profiles");
    json_array_foreach(json_object_get(all, "loci"), i, v)
        printf("%-14s %-10s %9lld\n", json_string_value(json_object_get(v, "locus")),
               json_string_value(json_object_get(v, "type")),
               (long long)json_integer_value(json_object_get(v, "profiles")));
}

int main_stat(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"json", no_argument, NULL, 'j'}, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    int json = 0, c;
    while ((c = getopt_long(argc, argv, "hj", longopts, NULL)) != -1) {
        if (c == 'j')
            json = 1;
        else
            return cli_usage(stat_usage, c != 'h');
    }
    if (optind + 1 != argc) return cli_usage(stat_usage, 1);
    sdb_session *db;
    if (cli_session("stat", argv[optind], NULL, 1, &db)) return EXIT_FAIL;
    static const char *const sections[] = {"summary", "by-index", "loci", "indexes",
                                           "legal-bases", "purposes"};
    json_t *all = json_object();
    sdb_diag d;
    sdb_diag_clear(&d);
    int rc = SDB_OK;
    for (size_t i = 0; !rc && i < sizeof sections / sizeof *sections; i++) {
        json_object_set_new(all, sections[i], json_array());
        rc = sdb_session_list(db, sections[i], add_row, all, &d);
    }
    if (rc)
        cli_diag("stat", rc, &d);
    else if (json)
        print_json(argv[optind], all);
    else
        print_text(argv[optind], all);
    json_decref(all);
    sdb_session_close(db);
    return rc ? EXIT_FAIL : EXIT_OK;
}
