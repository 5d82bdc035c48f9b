/* Import benchmark: N autosomal profiles (NIST1036 replicated with renamed
 * ids) from wide CSV into a fresh database, with two baselines measured in
 * the same run: parsing alone (the reader's share) and a bare SQLite insert
 * of the same number of rows with the same blob size (the store's floor).
 * Prints one JSON object.
 *
 *   bench_import N NIST1036_genotypes.csv WORKDIR
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>

#include "bench.h"
#include "engine_internal.h"


/* Writes n rows: the NIST rows over and over, ids "R<copy>-<id>". */
static int make_csv(const char *src, const char *dst, long n)
{
    FILE *in = fopen(src, "r"), *out = fopen(dst, "w");
    if (!in || !out) return -1;
    char *header = NULL, **rows = NULL;
    size_t cap = 0;
    long n_rows = 0;
    if (getline(&header, &cap, in) < 0) return -1;
    fputs(header, out);
    char *line = NULL;
    while (getline(&line, &cap, in) > 0) {
        rows = realloc(rows, (size_t)(n_rows + 1) * sizeof *rows);
        rows[n_rows++] = strdup(line);
    }
    for (long i = 0; i < n; i++)
        fprintf(out, "R%ld-%s", i / n_rows, rows[i % n_rows]);
    for (long i = 0; i < n_rows; i++)
        free(rows[i]);
    free(rows);
    free(line);
    free(header);
    fclose(in);
    return fclose(out);
}

static double parse_only(const char *csv, long *count)
{
    sdb_reader *r;
    sdb_diag d;
    sdb_profile p;
    sdb_profile_init(&p);
    double t0 = bench_now();
    if (sdb_reader_open(&r, csv, sdb_catalog_default(), NULL, &d)) return -1;
    *count = 0;
    while (sdb_reader_next(r, &p, &d) == SDB_OK)
        (*count)++;
    sdb_reader_close(r);
    sdb_profile_free(&p);
    return bench_now() - t0;
}

/* The floor: SQLite alone. A fresh strdb database (same schema, pragmas,
 * foreign keys and unique sample ids) receives n rows through the store's
 * own INSERT, with a blob of the size NIST1036 profiles encode to, in one
 * transaction: what the import would cost with free parsing. */
static double sqlite_floor(const char *path, long n)
{
    sdb_ctx ctx = {"bench", "administration", NULL, NULL};
    sdb_db *db;
    sdb_diag d;
    sqlite3_stmt *st;
    remove(path);
    if (sdb_db_create(&db, path, &ctx, &d)) return -1;
    sqlite3 *sql = sdb_db_sqlite(db);
    sqlite3_exec(sql,
                 "INSERT INTO import_batch (file, format, index_name, basis, actor, started_at)"
                 " VALUES ('floor', 'csv', 'population', 'population-study', 'bench', 'now')",
                 NULL, NULL, NULL);
    unsigned char blob[4 + 58 * 3];
    memset(blob, 7, sizeof blob);
    double t0 = bench_now();
    sqlite3_exec(sql, "BEGIN IMMEDIATE", NULL, NULL, NULL);
    sqlite3_prepare_v2(sql,
                       "INSERT INTO profile (sample_id, index_name, kind, flags, n_loci, genotype,"
                       " basis, retain_until, batch_id, source_line, kit, population)"
                       " VALUES (?, 'population', 'autosomal', 0, 29, ?, 'population-study',"
                       " NULL, 1, ?, NULL, 'AfAm')",
                       -1, &st, NULL);
    char id[64];
    for (long i = 0; i < n; i++) {
        snprintf(id, sizeof id, "R%ld-GT%05ld", i / 1036, (i * 7919) % 1036);
        sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
        sqlite3_bind_blob(st, 2, blob, sizeof blob, SQLITE_STATIC);
        sqlite3_bind_int64(st, 3, i + 2);
        if (sqlite3_step(st) != SQLITE_DONE) return -1;
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    sqlite3_exec(sql, "COMMIT", NULL, NULL, NULL);
    double t = bench_now() - t0;
    sdb_db_close(db);
    return t;
}

/* One import of csv into a fresh database at dbp; returns seconds. */
static double import_once(const char *dbp, const char *csv, sdb_import_stats *st)
{
    sdb_ctx ctx = {"bench", "administration", NULL, NULL};
    sdb_db *db;
    sdb_diag d;
    sdb_import_opts o;
    remove(dbp);
    if (sdb_db_create(&db, dbp, &ctx, &d)) return -1;
    sdb_import_opts_init(&o);
    o.index = "population";
    o.basis = "population-study";
    double t0 = bench_now();
    int rc = sdb_db_import(db, &ctx, csv, &o, st, &d);
    double t = bench_now() - t0;
    sdb_db_close(db);
    if (rc) fprintf(stderr, "bench_import: %s\n", d.reason);
    return rc ? -1 : t;
}


static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, bench_cmp_double);
    return v[n / 2];
}

/* Removes a database and its WAL side files. */
static void remove_db(const char *path)
{
    char side[1100];
    remove(path);
    snprintf(side, sizeof side, "%s-wal", path);
    remove(side);
    snprintf(side, sizeof side, "%s-shm", path);
    remove(side);
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: bench_import N RUNS NIST1036_genotypes.csv WORKDIR\n");
        return 2;
    }
    long n = atol(argv[1]);
    int runs = atoi(argv[2]);
    if (runs < 1 || runs > 15) runs = 3;
    char csv[1024], dbp[1024], floorp[1024];
    snprintf(csv, sizeof csv, "%s/bench_profiles.csv", argv[4]);
    snprintf(dbp, sizeof dbp, "%s/bench.db", argv[4]);
    snprintf(floorp, sizeof floorp, "%s/floor.db", argv[4]);
    if (sdb_init() || make_csv(argv[3], csv, n)) {
        fprintf(stderr, "bench_import: cannot prepare %s\n", csv);
        return 1;
    }
    struct stat sb;
    stat(csv, &sb);
    long parsed = 0;
    double t_parse[15], t_import[15], t_floor[15];
    sdb_import_stats st;
    /* Interleaved runs, so that drift of the machine hits both alike. */
    for (int i = 0; i < runs; i++) {
        t_parse[i] = parse_only(csv, &parsed);
        t_floor[i] = sqlite_floor(floorp, n);
        remove_db(floorp);
        t_import[i] = import_once(dbp, csv, &st);
        if (t_import[i] < 0 || t_floor[i] < 0 || t_parse[i] < 0) return 1;
        if (i + 1 < runs) remove_db(dbp);
    }
    char each[512] = "";
    for (int i = 0; i < runs; i++)
        snprintf(each + strlen(each), sizeof each - strlen(each), "%s%.0f", i ? ", " : "",
                 (double)n / t_import[i]);
    double imp = (double)n / median(t_import, runs), flo = (double)n / median(t_floor, runs);
    double par = (double)n / median(t_parse, runs);

    sdb_db *db;
    sdb_diag d;
    sdb_iter *it;
    sdb_profile p;
    sdb_profile_init(&p);
    long read_back = 0;
    double t0 = bench_now();
    if (sdb_db_open(&db, dbp, 1, &d)) return 1;
    if (sdb_iter_open(&it, db, NULL, NULL) == SDB_OK) {
        while (sdb_iter_next(it, &p, NULL) == SDB_OK)
            read_back++;
        sdb_iter_close(it);
    }
    double t_read = bench_now() - t0;
    sdb_profile_free(&p);
    sdb_db_close(db);
    /* open + index build: what a search command does before it searches */
    t0 = bench_now();
    sdb_idx *x = NULL;
    if (sdb_db_open(&db, dbp, 1, &d) || sdb_idx_build(&x, db, NULL, SDB_KIND_AUTOSOMAL, &d))
        return 1;
    double t_open_build = bench_now() - t0;
    /* and from a snapshot, as the search commands do once one exists */
    char snap[1100], stamp[65];
    snprintf(snap, sizeof snap, "%s.index-autosomal", dbp);
    if (sdb_db_stamp(db, NULL, SDB_KIND_AUTOSOMAL, stamp) || sdb_idx_save(x, stamp, snap)) return 1;
    sdb_idx_free(x);
    sdb_db_close(db);
    t0 = bench_now();
    if (sdb_db_open(&db, dbp, 1, &d) || sdb_db_stamp(db, NULL, SDB_KIND_AUTOSOMAL, stamp) ||
        sdb_idx_load(&x, sdb_catalog_default(), snap, stamp, &d))
        return 1;
    double t_open_snapshot = bench_now() - t0;
    sdb_idx_free(x);
    sdb_db_close(db);
    remove(snap);
    struct stat dbs;
    stat(dbp, &dbs);
    printf("{\n  \"benchmark\": \"import\",\n  \"profiles\": %ld,\n  \"runs\": %d,\n"
           "  \"csv_bytes\": %lld,\n"
           "  \"import_profiles_per_s\": %.0f,\n  \"import_runs_profiles_per_s\": [%s],\n"
           "  \"baseline_sqlite_floor_rows_per_s\": %.0f,\n"
           "  \"import_vs_sqlite_floor\": %.3f,\n"
           "  \"parse_only_profiles_per_s\": %.0f,\n"
           "  \"read_back_profiles_per_s\": %.0f,\n"
           "  \"open_and_index_build_profiles_per_s\": %.0f,\n"
           "  \"open_and_snapshot_load_profiles_per_s\": %.0f,\n"
           "  \"db_bytes_per_profile\": %.1f,\n  \"peak_rss_kb\": %ld,\n"
           "  \"target_import_profiles_per_s\": 300000\n}\n",
           st.n_imported, runs, (long long)sb.st_size, imp, each, flo, imp / flo, par,
           (double)read_back / t_read, (double)n / t_open_build, (double)n / t_open_snapshot,
           (double)dbs.st_size / (double)n, bench_peak_rss_kb());
    remove(csv);
    remove_db(dbp);
    return read_back == n && parsed == n ? 0 : 1;
}
