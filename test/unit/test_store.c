/* The SQLite store: import/iterate round trip against the reader, export
 * round trip, all-or-nothing imports, duplicates, rejects, the audit chain,
 * the genotype codec on random profiles, and schema version checks. */
#include <pthread.h>
#include <sqlite3.h>
#include <unistd.h>

#include "unit.h"
#include "store/store_internal.h"

static const sdb_ctx ctx = {"unit-test", "administration", "CASE-1", NULL};
static char path[1024], path2[1024];

static int setup(void **state)
{
    temp_db_path(path, sizeof path, "a");
    temp_db_path(path2, sizeof path2, "b");
    return sdb_init();
}

static int teardown(void **state)
{
    temp_db_path(path, sizeof path, "a");
    temp_db_path(path2, sizeof path2, "b");
    return 0;
}

static sdb_db *fresh(const char *p)
{
    sdb_db *db = NULL;
    sdb_diag d;
    char tag[1100];
    remove(p);
    snprintf(tag, sizeof tag, "%s-wal", p);
    remove(tag);
    assert_int_equal(sdb_db_create(&db, p, &ctx, &d), SDB_OK);
    return db;
}

static int import(sdb_db *db, const char *file, const char *index, const char *basis, int skip,
                  int replace, sdb_import_stats *st, sdb_diag *d)
{
    sdb_import_opts o;
    sdb_import_opts_init(&o);
    o.index = index;
    o.basis = basis;
    o.skip_invalid = skip;
    o.replace = replace;
    sdb_diag_clear(d);
    return sdb_db_import(db, &ctx, file, &o, st, d);
}

/* Writes every profile as JSON lines (with index and basis) to f. */
static void write_all(sdb_db *db, FILE *f)
{
    sdb_iter *it;
    sdb_profile p;
    sdb_stored m;
    sdb_profile_init(&p);
    assert_int_equal(sdb_iter_open(&it, db, NULL, NULL), SDB_OK);
    while (sdb_iter_next(it, &p, &m) == SDB_OK) {
        sdb_profile_meta meta = {m.index, m.basis, m.retain_until};
        assert_int_equal(sdb_write_jsonl(f, sdb_db_catalog(db), &p, &meta), SDB_OK);
    }
    sdb_iter_close(it);
    sdb_profile_free(&p);
}

/* SHA-256 of the JSON lines export: the "content" of a database. */
static void content_digest(sdb_db *db, char out[SDB_HASH_HEX])
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    write_all(db, f);
    fclose(f);
    sdb_sha256_hex(buf, len, out);
    free(buf);
}

static void test_import_matches_reader(void **state)
{
    sdb_db *db = fresh(path);
    sdb_import_stats st;
    sdb_diag d;
    const char *nist = SDB_TEST_DATA "/NIST1036_genotypes.csv";
    assert_int_equal(import(db, nist, "population", "population-study", 0, 0, &st, &d), SDB_OK);
    assert_int_equal(st.n_imported, 1036);
    sdb_reader *r;
    assert_int_equal(sdb_reader_open(&r, nist, sdb_db_catalog(db), NULL, &d), SDB_OK);
    sdb_profile a, b;
    sdb_profile_init(&a);
    sdb_profile_init(&b);
    int n = 0;
    while (sdb_reader_next(r, &a, &d) == SDB_OK) {
        assert_int_equal(sdb_db_get(db, a.sample_id, &b), SDB_OK);
        assert_true(sdb_profile_equal(&a, &b));
        assert_int_equal(a.flags, b.flags);
        assert_string_equal(a.population, b.population);
        n++;
    }
    assert_int_equal(n, 1036);
    assert_int_equal(sdb_db_get(db, "no-such-sample", &b), SDB_ENOTFOUND);
    sdb_profile_free(&a);
    sdb_profile_free(&b);
    sdb_reader_close(r);
    sdb_db_close(db);
}

/* The index built from the store (its reader on a second thread, in
 * batches of 1,024 rows) holds the same rows as one built from the same
 * profiles in memory; a damaged genotype blob in a later batch, or the
 * first, fails the build (no hang, no partial index). */
static void test_index_from_store(void **state)
{
    sdb_db *db = fresh(path);
    sdb_import_stats st;
    sdb_diag d;
    assert_int_equal(import(db, SDB_TEST_DATA "/NIST1036_genotypes.csv", "population",
                            "population-study", 0, 0, &st, &d),
                     SDB_OK);
    sdb_profile *ps = calloc(1037, sizeof *ps); /* and one the last read fails into */
    const sdb_profile **ptr = calloc(1037, sizeof *ptr);
    sdb_iter *it;
    long n = 0;
    assert_int_equal(sdb_iter_open(&it, db, NULL, NULL), SDB_OK);
    for (sdb_profile_init(&ps[n]); sdb_iter_next(it, &ps[n], NULL) == SDB_OK;
         sdb_profile_init(&ps[++n]))
        ptr[n] = &ps[n];
    sdb_iter_close(it);
    assert_int_equal(n, 1036);
    char **ids = calloc(1036, sizeof *ids); /* the sample ids in the order the build reads */
    const char *id;
    const void *blob;
    size_t len;
    long m = 0;
    assert_int_equal(sdb_iter_open_genotypes(&it, db, NULL, SDB_KIND_AUTOSOMAL), SDB_OK);
    while (m < n && sdb_iter_next_raw(it, &id, &blob, &len) == SDB_OK)
        ids[m++] = strdup(id);
    sdb_iter_close(it);
    assert_int_equal(m, n);
    sdb_idx *x, *y;
    assert_int_equal(sdb_idx_build(&x, db, NULL, SDB_KIND_AUTOSOMAL, &d), SDB_OK);
    assert_int_equal(sdb_idx_build_profiles(&y, sdb_db_catalog(db), ptr, n, SDB_KIND_AUTOSOMAL, &d),
                     SDB_OK);
    assert_int_equal(sdb_idx_count(x), n);
    assert_int_equal(sdb_idx_count(y), n);
    sdb_profile a, b;
    sdb_profile_init(&a);
    sdb_profile_init(&b);
    for (long r = 0; r < n; r++) {
        assert_int_equal(sdb_idx_profile(x, r, &a), SDB_OK);
        assert_int_equal(sdb_idx_profile(y, r, &b), SDB_OK);
        assert_true(sdb_profile_equal(&a, &b));
        assert_string_equal(a.sample_id, ps[sdb_idx_input_row(y, r)].sample_id);
        assert_string_equal(a.sample_id, ids[sdb_idx_input_row(x, r)]);
    }
    for (long i = 0; i < n; i++)
        free(ids[i]);
    free(ids);
    sdb_idx_free(x);
    sdb_idx_free(y);
    for (int damaged = 0; damaged < 2; damaged++) {
        char sql[200];
        snprintf(sql, sizeof sql, "UPDATE profile SET genotype = x'ff01' WHERE sample_id = '%s'",
                 ps[damaged ? 1030 : 3].sample_id);
        sqlite3 *raw; /* damaged by another program: the engine's connection would refuse it */
        assert_int_equal(sqlite3_open(path, &raw), SQLITE_OK);
        assert_int_equal(sqlite3_exec(raw, sql, NULL, NULL, NULL), SQLITE_OK);
        sqlite3_close(raw);
        x = NULL;
        assert_int_not_equal(sdb_idx_build(&x, db, NULL, SDB_KIND_AUTOSOMAL, &d), SDB_OK);
        assert_null(x);
    }
    for (long i = 0; i <= n; i++)
        sdb_profile_free(&ps[i]);
    free(ps);
    free(ptr);
    sdb_profile_free(&a);
    sdb_profile_free(&b);
    sdb_db_close(db);
}

static void test_refused_import_changes_nothing(void **state)
{
    sdb_db *db = fresh(path);
    sdb_import_stats st;
    sdb_diag d;
    assert_int_equal(
        import(db, SDB_TEST_DATA "/databaseESX17.txt", "offender", "conviction", 0, 0, &st, &d),
        SDB_OK);
    char before[SDB_HASH_HEX], after[SDB_HASH_HEX], head[SDB_HASH_HEX];
    long long n_audit, n_audit2, bad;
    content_digest(db, before);
    assert_int_equal(sdb_audit_verify(db, &n_audit, head, &bad, &d), SDB_OK);
    static const char *bad_files[] = {"unknown_locus.csv", "allele_931.csv",   "allele_abc.csv",
                                      "three_alleles.txt", "duplicate_id.csv", "empty.csv",
                                      "header_only.csv",   "truncated.csv",    "garbage.bin",
                                      "utf16.csv"};
    for (size_t i = 0; i < sizeof bad_files / sizeof *bad_files; i++) {
        char f[512];
        snprintf(f, sizeof f, SDB_TEST_DATA "/bad/%s", bad_files[i]);
        int rc = import(db, f, "offender", "conviction", 0, 0, &st, &d);
        assert_true(rc < 0);
        assert_string_equal(d.file, f);
        assert_true(d.reason[0] != '\0');
        content_digest(db, after);
        assert_string_equal(before, after);
    }
    /* no basis: refused before the file is read */
    assert_int_equal(import(db, SDB_TEST_DATA "/bad/good3.csv", "offender", NULL, 0, 0, &st, &d),
                     SDB_EPERM);
    assert_string_equal(d.field, "--basis");
    content_digest(db, after);
    assert_string_equal(before, after);
    /* one audit record per refusal, and the chain still verifies */
    assert_int_equal(sdb_audit_verify(db, &n_audit2, head, &bad, &d), SDB_OK);
    assert_int_equal(n_audit2, n_audit + 11);
    sdb_db_close(db);
}

static void test_duplicates_and_replace(void **state)
{
    sdb_db *db = fresh(path);
    sdb_import_stats st;
    sdb_diag d;
    const char *good = SDB_TEST_DATA "/bad/good3.csv";
    assert_int_equal(import(db, good, "offender", "conviction", 0, 0, &st, &d), SDB_OK);
    assert_int_equal(import(db, good, "arrestee", "arrest", 0, 0, &st, &d), SDB_EDUP);
    assert_non_null(strstr(d.reason, "already stored"));
    assert_int_equal(import(db, good, "arrestee", "arrest", 0, 1, &st, &d), SDB_OK);
    assert_int_equal(st.n_replaced, 2);
    sdb_iter *it;
    sdb_profile p;
    sdb_stored m;
    sdb_profile_init(&p);
    assert_int_equal(sdb_iter_open(&it, db, "arrestee", NULL), SDB_OK);
    int n = 0;
    while (sdb_iter_next(it, &p, &m) == SDB_OK) {
        assert_string_equal(m.basis, "arrest");
        n++;
    }
    assert_int_equal(n, 2);
    sdb_iter_close(it);
    sdb_profile_free(&p);
    /* within one file: refused, or with skip_invalid the first is kept */
    assert_int_equal(
        import(db, SDB_TEST_DATA "/bad/duplicate_id.csv", "offender", "conviction", 1, 0, &st, &d),
        SDB_OK);
    assert_int_equal(st.n_rejected, 3); /* two already stored, one repeated in the file */
    sqlite3_stmt *q;
    assert_int_equal(sqlite3_prepare_v2(sdb_db_sqlite(db),
                                        "SELECT count(*) FROM import_reject WHERE line > 0", -1, &q,
                                        NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(q, 0), 3);
    sqlite3_finalize(q);
    sdb_db_close(db);
}

static void export_jsonl(sdb_db *db, const char *file)
{
    FILE *f = fopen(file, "w");
    write_all(db, f);
    fclose(f);
}

static void test_export_roundtrip(void **state)
{
    char f1[1100], f2[1100];
    snprintf(f1, sizeof f1, "%s.1.jsonl", path);
    snprintf(f2, sizeof f2, "%s.2.jsonl", path);
    sdb_import_stats st;
    sdb_diag d;
    sdb_db *a = fresh(path), *b = fresh(path2);
    assert_int_equal(
        import(a, SDB_TEST_DATA "/set3.txt", "forensic-mixture", "crime-scene", 1, 0, &st, &d),
        SDB_OK);
    assert_true(st.n_imported > 30);
    export_jsonl(a, f1);
    assert_int_equal(import(b, f1, "forensic-mixture", "crime-scene", 0, 0, &st, &d), SDB_OK);
    export_jsonl(b, f2);
    size_t l1 = 0, l2 = 0;
    char *t1 = read_file(f1, &l1), *t2 = read_file(f2, &l2);
    assert_int_equal(l1, l2);
    assert_memory_equal(t1, t2, l1);
    free(t1);
    free(t2);
    remove(f1);
    remove(f2);
    sdb_db_close(a);
    sdb_db_close(b);
}

static void test_audit_tamper(void **state)
{
    sdb_db *db = fresh(path);
    sdb_import_stats st;
    sdb_diag d;
    assert_int_equal(
        import(db, SDB_TEST_DATA "/bad/good3.csv", "offender", "conviction", 0, 0, &st, &d),
        SDB_OK);
    assert_int_equal(sdb_audit_append(db, &ctx, "show", "sample_id=x", 1, "ok"), SDB_OK);
    long long n, bad;
    char head[SDB_HASH_HEX];
    assert_int_equal(sdb_audit_verify(db, &n, head, &bad, &d), SDB_OK);
    assert_int_equal(n, 3);
    sqlite3 *sql = sdb_db_sqlite(db);
    assert_int_equal(sqlite3_exec(sql, "UPDATE audit SET result_count = 3 WHERE seq = 2", 0, 0, 0),
                     SQLITE_OK);
    assert_int_equal(sdb_audit_verify(db, &n, head, &bad, &d), SDB_EAUDIT);
    assert_int_equal(bad, 2);
    assert_non_null(strstr(d.reason, "record 2"));
    assert_int_equal(sqlite3_exec(sql, "UPDATE audit SET result_count = 2 WHERE seq = 2", 0, 0, 0),
                     SQLITE_OK);
    assert_int_equal(sdb_audit_verify(db, &n, head, &bad, &d), SDB_OK);
    assert_int_equal(sqlite3_exec(sql, "DELETE FROM audit WHERE seq = 2", 0, 0, 0), SQLITE_OK);
    assert_int_equal(sdb_audit_verify(db, &n, head, &bad, &d), SDB_EAUDIT);
    assert_int_equal(bad, 3);
    /* an actor is required */
    sdb_ctx anon = {NULL, "administration", NULL, NULL};
    assert_int_equal(sdb_audit_append(db, &anon, "show", "", 0, "ok"), SDB_EPERM);
    sdb_db_close(db);
}

/* Random profiles survive encode/decode exactly. */
static void test_codec_random(void **state)
{
    const sdb_catalog *cat = sdb_catalog_default();
    sdb_profile p, q;
    sdb_profile_init(&p);
    sdb_profile_init(&q);
    srand(7);
    unsigned char buf[8192];
    for (int iter = 0; iter < 2000; iter++) {
        sdb_profile_reset(&p);
        int n = rand() % 40;
        for (int k = 0; k < n; k++) {
            const sdb_locus *l = sdb_catalog_at(cat, rand() % sdb_catalog_count(cat));
            sdb_allele a = l->type == SDB_LOCUS_SEX ? SDB_ALLELE_X + rand() % 2
                           : rand() % 10 == 0       ? SDB_ALLELE_OL
                                                    : rand() % (SDB_ALLELE_NUMERIC_MAX + 1);
            assert_int_equal(sdb_profile_add(&p, l, a), SDB_OK);
        }
        assert_int_equal(sdb_profile_finish(&p, cat), SDB_OK);
        long len = sdb_genotype_encode(&p, buf, sizeof buf);
        assert_true(len >= SDB_GT_HEADER);
        sdb_profile_reset(&q);
        assert_int_equal(sdb_genotype_decode(&q, cat, buf, (size_t)len), SDB_OK);
        assert_true(sdb_profile_equal(&p, &q));
    }
    buf[2] = 9; /* unknown version */
    assert_int_equal(sdb_genotype_decode(&q, cat, buf, SDB_GT_HEADER), SDB_EVERSION);
    assert_int_equal(sdb_genotype_decode(&q, cat, "SG\1\0\1", 5), SDB_EFORMAT);
    sdb_profile_free(&p);
    sdb_profile_free(&q);
}

static void test_schema_versions(void **state)
{
    sdb_db *db = fresh(path);
    sdb_diag d;
    assert_int_equal(sqlite3_exec(sdb_db_sqlite(db), "PRAGMA user_version = 99", 0, 0, 0),
                     SQLITE_OK);
    sdb_db_close(db);
    assert_int_equal(sdb_db_open(&db, path, 0, &d), SDB_EVERSION);
    assert_non_null(strstr(d.reason, "newer"));
    /* a SQLite file that is not strdb's */
    sqlite3 *raw;
    remove(path2);
    assert_int_equal(sqlite3_open(path2, &raw), SQLITE_OK);
    assert_int_equal(sqlite3_exec(raw, "CREATE TABLE t(x)", 0, 0, 0), SQLITE_OK);
    sqlite3_close(raw);
    assert_int_equal(sdb_db_open(&db, path2, 0, &d), SDB_EFORMAT);
    assert_int_equal(sdb_db_create(&db, path2, &ctx, &d), SDB_EEXIST);
    assert_int_equal(sdb_db_open(&db, "/nonexistent/x.db", 1, &d), SDB_ENOTFOUND);
}

static void test_index_rules(void **state)
{
    sdb_db *db = fresh(path);
    sdb_import_stats st;
    sdb_diag d;
    sdb_index_rule r;
    assert_int_equal(sdb_db_index_rule(db, "offender", &r), SDB_OK);
    assert_int_equal(r.min_autosomal_loci, 10);
    r.min_autosomal_loci = 30; /* NIST has 29 loci: now every profile is refused */
    assert_int_equal(sdb_db_set_index_rule(db, &ctx, &r), SDB_OK);
    assert_int_equal(
        import(db, SDB_TEST_DATA "/bad/good3.csv", "offender", "conviction", 0, 0, &st, &d),
        SDB_EINVAL);
    assert_non_null(strstr(d.reason, "needs at least 30"));
    assert_int_equal(sdb_db_index_rule(db, "no-such-index", &r), SDB_ENOTFOUND);
    sdb_db_close(db);
}

/* The import pipeline's shared work (sdb_stage_seal): every valid record is
 * sealed exactly once, invalid ones never; the first batch, pushed to an
 * idle importer, is sealed on the importing thread, and while the importer
 * is behind (it sleeps on each batch) the reader thread seals batches. */
typedef struct seal_count {
    pthread_t importer;
    int n_sealed, on_reader, on_importer;
    unsigned char seen[8 * STAGE_BATCH];
} seal_count;

static void count_seal(void *arg, const stage_batch *b, staged *x)
{
    seal_count *c = arg;
    int reader = !pthread_equal(pthread_self(), c->importer);
    __atomic_add_fetch(reader ? &c->on_reader : &c->on_importer, 1, __ATOMIC_RELAXED);
    __atomic_add_fetch(&c->n_sealed, 1, __ATOMIC_RELAXED);
    c->seen[x->line - 2]++;
    x->lanes[0] = (uint64_t)x->line; /* the record it was called for */
}

static void test_stage_sealing(void **state)
{
    (void)state;
    const int n = 8 * STAGE_BATCH;
    size_t cap = (size_t)n * 48 + 64, len = 0;
    char *text = malloc(cap);
    assert_non_null(text);
    len += (size_t)snprintf(text, cap, "id,D3S1358.1,D3S1358.2,vWA.1,vWA.2,TH01.1,TH01.2\n");
    for (int i = 0; i < n; i++) /* every seventh record has an unreadable allele */
        len += (size_t)snprintf(text + len, cap - len, "S%d,15,16,%s,18,6,9.3\n", i,
                                i % 7 == 3 ? "x7" : "17");
    const sdb_catalog *cat = sdb_catalog_default();
    sdb_index_rule rule = *sdb_index_rule_default(0);
    rule.min_autosomal_loci = 1;
    for (int slow = 0; slow < 2; slow++) {
        sdb_reader *r = NULL;
        sdb_diag d;
        assert_int_equal(sdb_reader_open_mem(&r, "mem.csv", text, len, cat, NULL, &d), SDB_OK);
        seal_count c = {.importer = pthread_self()};
        stager *s = NULL;
        assert_int_equal(sdb_stage_start(&s, r, cat, &rule, "mem.csv", count_seal, &c), SDB_OK);
        stage_batch *b;
        int batches = 0, records = 0, valid = 0, reader_sealed = 0;
        while (sdb_stage_next(s, &b) == SDB_OK) {
            int by_reader = b->sealed;
            if (batches == 0) assert_false(by_reader);
            reader_sealed += by_reader;
            sdb_stage_seal(s, b);
            records += b->n;
            for (int i = 0; i < b->n; i++) {
                const staged *x = &b->rec[i];
                assert_int_equal(x->rc == SDB_OK, (x->line - 2) % 7 != 3);
                if (x->rc != SDB_OK) continue;
                valid++;
                assert_int_equal(x->lanes[0], (uint64_t)x->line);
            }
            batches++;
            if (slow) usleep(40000);
            sdb_stage_recycle(s, b);
        }
        sdb_stage_stop(s);
        sdb_reader_close(r);
        assert_int_equal(records, n);
        assert_true(batches >= 8); /* the last may be empty */
        assert_int_equal(c.n_sealed, valid);
        assert_int_equal(c.on_reader + c.on_importer, valid);
        for (int i = 0; i < n; i++)
            assert_int_equal(c.seen[i], i % 7 != 3);
        if (slow) assert_true(reader_sealed > 0 && c.on_reader > 0);
        assert_true(c.on_importer > 0);
    }
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_import_matches_reader),
        cmocka_unit_test(test_index_from_store),
        cmocka_unit_test(test_refused_import_changes_nothing),
        cmocka_unit_test(test_duplicates_and_replace),
        cmocka_unit_test(test_export_roundtrip),
        cmocka_unit_test(test_audit_tamper),
        cmocka_unit_test(test_codec_random),
        cmocka_unit_test(test_schema_versions),
        cmocka_unit_test(test_index_rules),
        cmocka_unit_test(test_stage_sealing),
    };
    return cmocka_run_group_tests_name("store", tests, setup, teardown);
}
