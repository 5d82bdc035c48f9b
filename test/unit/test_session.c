/* The session layer through the library's public API: authentication, the
 * role x purpose x operation matrix (every cell: result, refusal code and
 * exactly one audit record), records written before results leave, and no
 * results when the record cannot be written. */
#include <pthread.h>

#include "unit.h"

#include <sqlite3.h>

static char path[1024], ypath[1100];
static char tokens[4][SDB_HASH_HEX];
static const char *const roles[4] = {"admin", "custodian", "analyst", "auditor"};

static void cleanup(void)
{
    const char *suffix[] = {"", "-wal", "-shm"};
    char f[1200];
    for (int i = 0; i < 3; i++) {
        snprintf(f, sizeof f, "%s%s", path, suffix[i]);
        remove(f);
    }
    remove(ypath);
    char cmd[1300];
    snprintf(cmd, sizeof cmd, "rm -f '%s'.index-*", path);
    if (system(cmd)) (void)0;
}

static long long audit_count(void)
{
    sdb_db *db;
    sdb_diag d;
    long long n = -1;
    if (sdb_db_open(&db, path, 1, &d)) return -1;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(sdb_db_sqlite(db), "SELECT count(*) FROM audit", -1, &st, NULL) == 0 &&
        sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sdb_db_close(db);
    return n;
}

/* The newest record's action and result count. */
static void last_record(char *action, size_t size, long long *count)
{
    sdb_db *db;
    sdb_diag d;
    action[0] = '\0';
    if (sdb_db_open(&db, path, 1, &d)) return;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(sdb_db_sqlite(db),
                           "SELECT action, result_count FROM audit ORDER BY seq DESC LIMIT 1", -1,
                           &st, NULL) == 0 &&
        sqlite3_step(st) == SQLITE_ROW) {
        snprintf(action, size, "%s", (const char *)sqlite3_column_text(st, 0));
        *count = sqlite3_column_int64(st, 1);
    }
    sqlite3_finalize(st);
    sdb_db_close(db);
}

static sdb_session *open_as(int role, const char *purpose, const char *authorization)
{
    sdb_session_opts o;
    sdb_session_opts_init(&o);
    o.token = tokens[role];
    o.purpose = purpose;
    o.authorization = authorization;
    sdb_session *s = NULL;
    sdb_diag d;
    assert_int_equal(sdb_session_open(&s, path, &o, &d), SDB_OK);
    return s;
}

/* A governed database: NIST 1036 in offender, a few Y haplotypes in
 * population, four users. */
static int setup(void **state)
{
    temp_db_path(path, sizeof path, "session");
    snprintf(ypath, sizeof ypath, "%s.y.csv", path);
    cleanup();
    FILE *f = fopen(ypath, "w");
    fputs("Sample,DYS19,DYS389I,DYS390,DYS391,DYS392,DYS393,DYS437,DYS438,DYS439\n"
          "YH-1,14,13,24,11,13,13,14,12,12\nYH-2,14,13,24,11,13,13,14,12,13\n"
          "YH-3,15,12,23,10,11,13,15,10,11\n",
          f);
    fclose(f);
    sdb_session_opts o;
    sdb_session_opts_init(&o);
    o.actor = "owner";
    o.purpose = "administration";
    sdb_session *s;
    sdb_diag d;
    sdb_import_opts io;
    sdb_import_stats st;
    assert_int_equal(sdb_session_create(&s, path, &o, &d), SDB_OK);
    sdb_import_opts_init(&io);
    io.index = "offender";
    io.basis = "conviction";
    assert_int_equal(sdb_session_import(s, SDB_TEST_DATA "/NIST1036_genotypes.csv", &io, &st, &d),
                     SDB_OK);
    io.index = "population";
    io.basis = "population-study";
    assert_int_equal(sdb_session_import(s, ypath, &io, &st, &d), SDB_OK);
    assert_int_equal(sdb_session_user_add(s, "ada", "admin", tokens[0], &d), SDB_OK);
    sdb_session_close(s);
    s = open_as(0, "administration", NULL);
    assert_int_equal(sdb_session_user_add(s, "cus", "custodian", tokens[1], &d), SDB_OK);
    assert_int_equal(sdb_session_user_add(s, "ann", "analyst", tokens[2], &d), SDB_OK);
    assert_int_equal(sdb_session_user_add(s, "aud", "auditor", tokens[3], &d), SDB_OK);
    sdb_session_close(s);
    return 0;
}

static int teardown(void **state)
{
    cleanup();
    return 0;
}

static void test_authentication(void **state)
{
    sdb_session_opts o;
    sdb_session_opts_init(&o);
    sdb_session *s = NULL;
    sdb_diag d;
    long long before = audit_count();
    o.token = "0000000000000000000000000000000000000000000000000000000000000000";
    o.purpose = "casework";
    assert_int_equal(sdb_session_open(&s, path, &o, &d), SDB_EAUTH);
    assert_null(s);
    o.token = NULL; /* controlled mode: an actor alone is not enough */
    o.actor = "ada";
    assert_int_equal(sdb_session_open(&s, path, &o, &d), SDB_EAUTH);
    o.token = tokens[2];
    o.actor = "ada"; /* the analyst's token claiming to be the admin */
    assert_int_equal(sdb_session_open(&s, path, &o, &d), SDB_EAUTH);
    assert_int_equal(audit_count(), before + 3);
    o.actor = NULL;
    assert_int_equal(sdb_session_open(&s, path, &o, &d), SDB_OK);
    assert_string_equal(sdb_session_actor(s), "ann");
    assert_string_equal(sdb_session_role(s), "analyst");
    sdb_session_close(s);
}

typedef struct seen {
    long calls;
    int audited_first; /* the record was in the chain at the first callback */
    const char *action;
} seen;

static int on_profile(void *arg, const sdb_profile *p, const sdb_stored *m)
{
    seen *v = arg;
    if (v->calls++ == 0) {
        char action[64];
        long long count = -1;
        last_record(action, sizeof action, &count);
        v->audited_first = !strcmp(action, v->action) && count > 0;
    }
    return 0;
}

/* Runs operation op in session s; returns its status and counts results. */
static int run_op(sdb_session *s, const char *op, long *results)
{
    sdb_diag d;
    sdb_diag_clear(&d);
    seen v = {0, 0, op};
    int rc = SDB_OK;
    sdb_result r;
    sdb_profile q;
    sdb_profile_init(&q);
    *results = 0;
    if (!strcmp(op, "show")) {
        rc = sdb_session_show(s, "GT37019", on_profile, &v, &d);
        *results = v.calls;
        if (!rc) assert_true(v.audited_first);
    } else if (!strcmp(op, "export")) {
        long n;
        rc = sdb_session_export(s, NULL, 1, on_profile, &v, &n, &d);
        *results = v.calls;
        if (!rc && n) assert_true(v.audited_first);
    } else if (!strcmp(op, "search") || !strcmp(op, "pairs")) {
        assert_int_equal(sdb_genotype_parse(&q, sdb_catalog_default(),
                                            "D8S1179=12/13;D21S11=28/30;TH01=9.3/9.3", &d),
                         SDB_OK);
        sdb_search_opts o;
        sdb_search_opts_init(&o);
        o.stringency = SDB_STRINGENCY_LOW;
        if (!strcmp(op, "search")) {
            rc = sdb_session_search(s, NULL, &q, &o, 0, &r, &d);
            if (!rc) *results = r.n, sdb_result_free(&r);
        } else {
            sdb_pairs_ids pr;
            rc = sdb_session_pairs(s, NULL, -1, 1, &pr, &d);
            if (!rc) *results = (long)pr.pairs.pairs + 1, sdb_pairs_ids_free(&pr);
        }
    } else if (!strcmp(op, "ysearch") || !strcmp(op, "yfreq")) {
        assert_int_equal(sdb_genotype_parse(&q, sdb_catalog_default(),
                                            "DYS19=14;DYS390=24;DYS391=11", &d),
                         SDB_OK);
        if (!strcmp(op, "ysearch")) {
            sdb_ysearch_opts o;
            sdb_ysearch_opts_init(&o);
            rc = sdb_session_ysearch(s, NULL, &q, &o, &r, &d);
            if (!rc) *results = r.n + 1, sdb_result_free(&r);
        } else {
            sdb_yfreq_result yr;
            rc = sdb_session_yfreq(s, "population", &q, &yr, &d);
            if (!rc) *results = (long)yr.n + 1;
        }
    } else if (!strcmp(op, "freq")) {
        sdb_freq *f = NULL;
        long n = 0;
        rc = sdb_session_freq(s, NULL, 0, "all", &f, &n, &d);
        if (!rc) *results = n + 1;
        sdb_freq_free(f);
    }
    sdb_profile_free(&q);
    return rc;
}

/* Every role, purpose and read operation through the session: the outcome is
 * the conjunction of the role matrix, the purpose's binding to the role and
 * the purpose policy (asked of the policy table directly), a refusal returns
 * nothing, and every call leaves exactly one record. */
static void test_matrix(void **state)
{
    static const char *const purposes[] = {"casework", "familial",         "missing-person",
                                           "contamination", "database-health", "population-study",
                                           "administration", "gossip"};
    static const char *const ops[] = {"show", "export", "search", "ysearch", "pairs", "freq",
                                      "yfreq"};
    sdb_db *db;
    sdb_diag d;
    assert_int_equal(sdb_db_open(&db, path, 1, &d), SDB_OK);
    int allowed_cells = 0, refused_cells = 0;
    for (int r = 0; r < 4; r++)
        for (size_t p = 0; p < sizeof purposes / sizeof *purposes; p++) {
            sdb_session *s = open_as(r, purposes[p], "AUTH-1");
            for (size_t o = 0; o < sizeof ops / sizeof *ops; o++) {
                const char *op = ops[o];
                sdb_ctx c = {"x", purposes[p], NULL, "AUTH-1"};
                char list[1024];
                const char *index = !strcmp(op, "show") ? "offender"
                                    : !strcmp(op, "yfreq") ? "population"
                                                           : NULL;
                int policy = sdb_policy_indexes(db, &c, op, index, list, sizeof list, NULL);
                int role_ok = sdb_role_allows(roles[r], op);
                int purpose_ok = sdb_role_may_use_purpose(roles[r], purposes[p]);
                long long before = audit_count();
                long results;
                int rc = run_op(s, op, &results);
                assert_int_equal(audit_count(), before + 1);
                if (role_ok && purpose_ok && policy == SDB_OK) {
                    assert_int_equal(rc, SDB_OK);
                    allowed_cells++;
                    continue;
                }
                refused_cells++;
                if (rc == SDB_OK || results)
                    print_message("cell %s %s %s: rc %d\n", roles[r], purposes[p], op, rc);
                assert_int_equal(results, 0);
                if (!role_ok)
                    assert_int_equal(rc, SDB_EROLE);
                else if (!strcmp(op, "show"))
                    assert_true(rc == SDB_EPOLICY || rc == SDB_ENOTFOUND);
                else {
                    if (rc != SDB_EPOLICY)
                        print_message("cell %s %s %s: rc %d\n", roles[r], purposes[p], op, rc);
                    assert_int_equal(rc, SDB_EPOLICY);
                }
            }
            sdb_session_close(s);
        }
    sdb_db_close(db);
    assert_true(allowed_cells > 10);
    assert_true(refused_cells > 100);
    /* the hole the attack found: an analyst may not read with the custodian's purpose */
    sdb_session *s = open_as(2, "administration", NULL);
    long results;
    assert_int_equal(run_op(s, "show", &results), SDB_EPOLICY);
    sdb_session_close(s);
}

/* Another connection holds the write lock: the record cannot be written, so
 * the search returns nothing (and says why). */
static void test_no_record_no_results(void **state)
{
    setenv("STRDB_BUSY_TIMEOUT_MS", "50", 1);
    sqlite3 *lock;
    assert_int_equal(sqlite3_open(path, &lock), SQLITE_OK);
    sdb_session *s = open_as(2, "casework", NULL);
    long results;
    assert_int_equal(run_op(s, "search", &results), SDB_OK); /* loads the index once */
    assert_int_equal(sqlite3_exec(lock, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
    long long before = audit_count();
    assert_int_equal(run_op(s, "search", &results), SDB_ESTORE);
    assert_int_equal(results, 0);
    sdb_session_close(s);
    s = open_as(1, "administration", NULL);
    assert_int_equal(run_op(s, "export", &results), SDB_ESTORE);
    assert_int_equal(results, 0);
    assert_int_equal(run_op(s, "show", &results), SDB_ESTORE);
    assert_int_equal(results, 0);
    sdb_session_close(s);
    assert_int_equal(sqlite3_exec(lock, "ROLLBACK", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(lock);
    assert_int_equal(audit_count(), before);
    unsetenv("STRDB_BUSY_TIMEOUT_MS");
}

/* Searches return copies: sample ids and profiles outlive the session. */
static void test_results_are_copies(void **state)
{
    sdb_session *s = open_as(2, "casework", NULL);
    sdb_profile q;
    sdb_diag d;
    sdb_profile_init(&q);
    assert_int_equal(sdb_genotype_parse(&q, sdb_catalog_default(),
                                        "D8S1179=12/13;D21S11=28/30;TH01=9.3/9.3", &d),
                     SDB_OK);
    sdb_search_opts o;
    sdb_search_opts_init(&o);
    o.stringency = SDB_STRINGENCY_LOW;
    o.min_loci = 3;
    sdb_result r;
    assert_int_equal(sdb_session_search(s, NULL, &q, &o, 2, &r, &d), SDB_OK);
    sdb_session_close(s);
    assert_true(r.n > 2);
    assert_int_equal(r.n_profiles, 2);
    assert_string_equal(r.profiles[0].sample_id, r.sample_id[0]);
    for (long i = 0; i < r.n; i++)
        assert_true(r.sample_id[i][0] != '\0');
    sdb_result_free(&r);
    sdb_profile_free(&q);
}

/* Sessions sharing an index cache (strdb serve): the same index for the same
 * database state is built once, handed to every session (also from several
 * threads at once), rebuilt after an import, and the searches agree with a
 * session of its own. */
typedef struct cache_job {
    sdb_index_cache *c;
    long hits;
    int rc;
} cache_job;

static long search_hits(sdb_session *s, const char *genotype)
{
    sdb_profile q;
    sdb_diag d;
    sdb_profile_init(&q);
    assert_int_equal(sdb_genotype_parse(&q, sdb_catalog_default(), genotype, &d), SDB_OK);
    sdb_search_opts o;
    sdb_search_opts_init(&o);
    o.stringency = SDB_STRINGENCY_LOW;
    o.min_loci = 3;
    sdb_result r;
    long n = sdb_session_search(s, NULL, &q, &o, 0, &r, &d) ? -1 : r.n;
    if (n >= 0) sdb_result_free(&r);
    sdb_profile_free(&q);
    return n;
}

static void *cache_worker(void *arg)
{
    cache_job *j = arg;
    sdb_session_opts o;
    sdb_session_opts_init(&o);
    o.token = tokens[2];
    o.purpose = "casework";
    o.index_cache = j->c;
    sdb_session *s = NULL;
    sdb_diag d;
    j->rc = sdb_session_open(&s, path, &o, &d);
    if (!j->rc) j->hits = search_hits(s, "D8S1179=12/13;D21S11=28/30;TH01=9.3/9.3");
    sdb_session_close(s);
    return NULL;
}

static void test_shared_index_cache(void **state)
{
    const char *g = "D8S1179=12/13;D21S11=28/30;TH01=9.3/9.3";
    sdb_session *own = open_as(2, "casework", NULL);
    long want = search_hits(own, g);
    sdb_session_close(own);
    assert_true(want > 2);
    sdb_index_cache *c = NULL;
    assert_int_equal(sdb_index_cache_new(&c), SDB_OK);
    pthread_t t[4];
    cache_job j[4];
    for (int i = 0; i < 4; i++) {
        j[i] = (cache_job){c, 0, 0};
        assert_int_equal(pthread_create(&t[i], NULL, cache_worker, &j[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(t[i], NULL);
        assert_int_equal(j[i].rc, SDB_OK);
        assert_int_equal(j[i].hits, want);
    }
    long builds, hits;
    sdb_index_cache_counts(c, &builds, &hits);
    assert_int_equal(builds, 1);
    assert_int_equal(hits, 3);
    /* an import changes the stamp: the next search builds a new index */
    sdb_session_opts o;
    sdb_session_opts_init(&o);
    o.token = tokens[1];
    o.purpose = "administration";
    o.index_cache = c;
    sdb_session *s;
    sdb_diag d;
    assert_int_equal(sdb_session_open(&s, path, &o, &d), SDB_OK);
    char csv[1200];
    snprintf(csv, sizeof csv, "%s.new.csv", path);
    FILE *f = fopen(csv, "w");
    fputs("Sample,D3S1358.1,D3S1358.2,vWA.1,vWA.2,FGA.1,FGA.2,D8S1179.1,D8S1179.2,D21S11.1,D21S11.2,"
          "D18S51.1,D18S51.2,D5S818.1,D5S818.2,D13S317.1,D13S317.2,TH01.1,TH01.2,D16S539.1,D16S539.2\n"
          "CACHE-1,16,17,17,18,21,25,12,13,28,30,14,15,11,12,11,11,9.3,9.3,11,12\n",
          f);
    fclose(f);
    sdb_import_opts io;
    sdb_import_stats st;
    sdb_import_opts_init(&io);
    io.index = "offender";
    io.basis = "conviction";
    assert_int_equal(sdb_session_import(s, csv, &io, &st, &d), SDB_OK);
    remove(csv);
    sdb_session_close(s);
    cache_job k = {c, 0, 0};
    cache_worker(&k);
    assert_int_equal(k.rc, SDB_OK);
    assert_int_equal(k.hits, want + 1);
    sdb_index_cache_counts(c, &builds, &hits);
    assert_int_equal(builds, 2);
    sdb_index_cache_free(c);
    /* put the database back as the other tests expect it */
    s = open_as(1, "administration", NULL);
    assert_int_equal(sdb_session_expunge(s, "CACHE-1", "test", &d), SDB_OK);
    sdb_session_close(s);
}

static int interrupt_soon(void *arg)
{
    return ++*(int *)arg > 5; /* a few VM steps into the statement, then stop it */
}

static int count_user(void *arg, const char *name, const char *role, const char *created,
                      int disabled)
{
    ++*(int *)arg;
    return 0;
}

static int count_record(void *arg, const sdb_audit_record *r)
{
    ++*(int *)arg;
    return 0;
}

/* A step that fails in the middle of a loop over rows is an error, never the
 * end of the rows (it used to end user and lineage listings quietly). */
static void test_failed_step_is_an_error(void **state)
{
    sdb_db *db;
    sdb_diag d;
    assert_int_equal(sdb_db_open(&db, path, 0, &d), SDB_OK);
    int n = 0, steps = 0;
    assert_int_equal(sdb_user_foreach(db, count_user, &n), SDB_OK);
    assert_int_equal(n, 4);
    sqlite3_progress_handler(sdb_db_sqlite(db), 1, interrupt_soon, &steps);
    n = 0;
    assert_int_equal(sdb_user_foreach(db, count_user, &n), SDB_ESTORE);
    assert_true(n < 4);
    steps = 0;
    assert_int_equal(sdb_lineage_print(db, 0, NULL, 10, stdout, &d), SDB_ESTORE);
    steps = 0;
    n = 0;
    assert_int_equal(sdb_audit_foreach(db, count_record, &n), SDB_ESTORE);
    sqlite3_progress_handler(sdb_db_sqlite(db), 0, NULL, NULL);
    sdb_db_close(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_authentication),
        cmocka_unit_test(test_matrix),
        cmocka_unit_test(test_no_record_no_results),
        cmocka_unit_test(test_results_are_copies),
        cmocka_unit_test(test_failed_step_is_an_error),
        cmocka_unit_test(test_shared_index_cache),
    };
    if (sdb_init()) return 1;
    return cmocka_run_group_tests(tests, setup, teardown);
}
