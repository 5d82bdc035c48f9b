/* strdb stat DB [--json] */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include <sqlite3.h>

static const char stat_usage[] =
    "usage: strdb stat DB [--json]\n\n"
    "Summarise a database without showing any genotype: schema version, profiles\n"
    "per index and kind (with partial and mixture counts), how many profiles type\n"
    "each locus, import batches, audit records, and the indexes, legal bases and\n"
    "purposes defined.\n";

typedef struct index_row {
    char index[48], kind[16];
    long profiles, partial, mixture;
} index_row;

static long scalar(sqlite3 *sql, const char *q)
{
    sqlite3_stmt *st;
    long v = -1;
    if (sqlite3_prepare_v2(sql, q, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        v = (long)sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

/* Per-locus counts of profiles typing it, by decoding every genotype. */
static int locus_coverage(sdb_db *db, long *count, int n)
{
    sdb_iter *it;
    sdb_profile p;
    int rc = sdb_iter_open(&it, db, NULL, NULL);
    if (rc) return rc;
    const sdb_catalog *cat = sdb_db_catalog(db);
    int *position = malloc(65536 * sizeof *position); /* catalog position by locus id */
    if (!position) {
        sdb_iter_close(it);
        return SDB_ENOMEM;
    }
    for (int k = 0; k < n; k++)
        position[sdb_catalog_at(cat, k)->id] = k;
    sdb_profile_init(&p);
    while ((rc = sdb_iter_next(it, &p, NULL)) == SDB_OK)
        for (int i = 0; i < p.n_calls; i++)
            count[position[p.calls[i].locus]]++;
    sdb_iter_close(it);
    free(position);
    sdb_profile_free(&p);
    return rc == SDB_END ? SDB_OK : rc;
}

static json_t *name_list(sqlite3 *sql, const char *q)
{
    json_t *arr = json_array();
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(sql, q, -1, &st, NULL) != SQLITE_OK) return arr;
    while (sqlite3_step(st) == SQLITE_ROW)
        json_array_append_new(arr, json_string((const char *)sqlite3_column_text(st, 0)));
    sqlite3_finalize(st);
    return arr;
}

static int collect_indexes(sqlite3 *sql, index_row **rows, int *n)
{
    sqlite3_stmt *st;
    *rows = NULL;
    *n = 0;
    if (sqlite3_prepare_v2(sql,
                           "SELECT index_name, kind, count(*), sum(flags & 1 != 0),"
                           " sum(flags & 2 != 0) FROM profile GROUP BY index_name, kind"
                           " ORDER BY index_name, kind",
                           -1, &st, NULL) != SQLITE_OK)
        return SDB_ESTORE;
    while (sqlite3_step(st) == SQLITE_ROW) {
        index_row *r = realloc(*rows, (size_t)(*n + 1) * sizeof **rows);
        if (!r) break;
        *rows = r;
        r = &r[(*n)++];
        snprintf(r->index, sizeof r->index, "%s", (const char *)sqlite3_column_text(st, 0));
        snprintf(r->kind, sizeof r->kind, "%s", (const char *)sqlite3_column_text(st, 1));
        r->profiles = (long)sqlite3_column_int64(st, 2);
        r->partial = (long)sqlite3_column_int64(st, 3);
        r->mixture = (long)sqlite3_column_int64(st, 4);
    }
    sqlite3_finalize(st);
    return SDB_OK;
}

static void print_json(const char *path, sqlite3 *sql, const index_row *rows, int n_rows,
                       const sdb_catalog *cat, const long *cov)
{
    json_t *o = json_object(), *idx = json_array(), *loci = json_array();
    json_object_set_new(o, "database", json_string(path));
    json_object_set_new(o, "schema_version", json_integer(SDB_SCHEMA_VERSION));
    json_object_set_new(o, "profiles", json_integer(scalar(sql, "SELECT count(*) FROM profile")));
    for (int i = 0; i < n_rows; i++)
        json_array_append_new(
            idx, json_pack("{s:s,s:s,s:I,s:I,s:I}", "index", rows[i].index, "kind", rows[i].kind,
                           "profiles", (json_int_t)rows[i].profiles, "partial",
                           (json_int_t)rows[i].partial, "mixture", (json_int_t)rows[i].mixture));
    json_object_set_new(o, "by_index", idx);
    for (int k = 0; k < sdb_catalog_count(cat); k++)
        if (cov[k])
            json_array_append_new(loci,
                                  json_pack("{s:s,s:I}", "locus", sdb_catalog_at(cat, k)->name,
                                            "profiles", (json_int_t)cov[k]));
    json_object_set_new(o, "loci", loci);
    json_object_set_new(o, "import_batches",
                        json_integer(scalar(sql, "SELECT count(*) FROM import_batch")));
    json_object_set_new(o, "rejects",
                        json_integer(scalar(sql, "SELECT count(*) FROM import_reject")));
    json_object_set_new(o, "audit_records",
                        json_integer(scalar(sql, "SELECT count(*) FROM audit")));
    json_object_set_new(o, "indexes", name_list(sql, "SELECT name FROM db_index ORDER BY rowid"));
    json_object_set_new(o, "legal_bases",
                        name_list(sql, "SELECT code FROM legal_basis ORDER BY rowid"));
    json_object_set_new(o, "purposes", name_list(sql, "SELECT code FROM purpose ORDER BY rowid"));
    json_dumpf(o, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    putchar('\n');
    json_decref(o);
}

static void print_text(const char *path, sqlite3 *sql, const index_row *rows, int n_rows,
                       const sdb_catalog *cat, const long *cov)
{
    printf("database        %s\nschema          %d\nprofiles        %ld\n", path,
           SDB_SCHEMA_VERSION, scalar(sql, "SELECT count(*) FROM profile"));
    printf("import batches  %ld (%ld rejects recorded)\naudit records   %ld\n\n",
           scalar(sql, "SELECT count(*) FROM import_batch"),
           scalar(sql, "SELECT count(*) FROM import_reject"),
           scalar(sql, "SELECT count(*) FROM audit"));
    printf("%-22s %-10s %9s %9s %9s\n", "index", "kind", "profiles", "partial", "mixture");
    for (int i = 0; i < n_rows; i++)
        printf("%-22s %-10s %9ld %9ld %9ld\n", rows[i].index, rows[i].kind, rows[i].profiles,
               rows[i].partial, rows[i].mixture);
    printf("\n%-14s %-10s %9s\n", "locus", "type", "profiles");
    for (int k = 0; k < sdb_catalog_count(cat); k++)
        if (cov[k])
            printf("%-14s %-10s %9ld\n", sdb_catalog_at(cat, k)->name,
                   sdb_locus_type_name(sdb_catalog_at(cat, k)->type), cov[k]);
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
    sdb_db *db;
    if (cli_open("stat", "stat", argv[optind], 1, NULL, &db)) return EXIT_FAIL;
    const sdb_catalog *cat = sdb_db_catalog(db);
    long *cov = calloc((size_t)sdb_catalog_count(cat), sizeof *cov);
    index_row *rows = NULL;
    int n_rows = 0;
    int rc = cov ? collect_indexes(sdb_db_sqlite(db), &rows, &n_rows) : SDB_ENOMEM;
    if (!rc) rc = locus_coverage(db, cov, sdb_catalog_count(cat));
    if (rc)
        cli_error("stat", "%s", sdb_strerror(rc));
    else if (json)
        print_json(argv[optind], sdb_db_sqlite(db), rows, n_rows, cat, cov);
    else
        print_text(argv[optind], sdb_db_sqlite(db), rows, n_rows, cat, cov);
    free(rows);
    free(cov);
    sdb_db_close(db);
    return rc ? EXIT_FAIL : EXIT_OK;
}
