/* Governance: expungement leaves no trace of the sample id or genotype
 * bytes in the database file, its WAL or the snapshots; signed checkpoints
 * catch a cut-off or rewritten tail; the hash chain catches edited, deleted,
 * reordered and appended records. */
#include <sqlite3.h>

#include "unit.h"
#include "governance/governance_internal.h"

static const sdb_ctx admin = {"unit-test", "administration", "CASE-9", NULL};
static char path[1024], key[1100], pub[1100], key2[1100], pub2[1100];

static void rm(const char *base, const char *suffix)
{
    char p[1200];
    snprintf(p, sizeof p, "%s%s", base, suffix);
    remove(p);
}

static void cleanup(void)
{
    const char *suffixes[] = {"", "-wal", "-shm", ".key", ".pub", ".key2", ".pub2",
                              ".index-autosomal-population"};
    for (size_t i = 0; i < sizeof suffixes / sizeof *suffixes; i++)
        rm(path, suffixes[i]);
}

static int setup(void **state)
{
    temp_db_path(path, sizeof path, "gov");
    snprintf(key, sizeof key, "%s.key", path);
    snprintf(pub, sizeof pub, "%s.pub", path);
    snprintf(key2, sizeof key2, "%s.key2", path);
    snprintf(pub2, sizeof pub2, "%s.pub2", path);
    cleanup();
    return sdb_init();
}

static int teardown(void **state)
{
    cleanup();
    return 0;
}

static sdb_db *fresh_with_nist(void)
{
    sdb_db *db = NULL;
    sdb_diag d;
    sdb_import_opts o;
    sdb_import_stats st;
    cleanup();
    assert_int_equal(sdb_db_create(&db, path, &admin, &d), SDB_OK);
    sdb_import_opts_init(&o);
    o.index = "population";
    o.basis = "population-study";
    assert_int_equal(sdb_db_import(db, &admin, SDB_TEST_DATA "/NIST1036_genotypes.csv", &o, &st, &d),
                     SDB_OK);
    return db;
}

/* Occurrences of needle in the file at base+suffix (0 for a missing file). */
static int count_in(const char *base, const char *suffix, const void *needle, size_t n)
{
    char p[1200];
    size_t len;
    snprintf(p, sizeof p, "%s%s", base, suffix);
    char *buf = read_file(p, &len);
    int hits = 0;
    for (const char *at = buf; buf && n && (at = memmem(at, len - (size_t)(at - buf), needle, n));
         at++)
        hits++;
    free(buf);
    return hits;
}

static int traces(const void *needle, size_t n)
{
    return count_in(path, "", needle, n) + count_in(path, "-wal", needle, n) +
           count_in(path, ".index-autosomal-population", needle, n);
}

/* The genotype blob of sample_id (malloc'd) and its length. */
static unsigned char *genotype_bytes(sdb_db *db, const char *sample_id, size_t *n)
{
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(sdb_db_sqlite(db),
                                        "SELECT genotype FROM profile WHERE sample_id = ?", -1, &st,
                                        NULL),
                     SQLITE_OK);
    sqlite3_bind_text(st, 1, sample_id, -1, SQLITE_STATIC);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    *n = (size_t)sqlite3_column_bytes(st, 0);
    unsigned char *g = malloc(*n);
    memcpy(g, sqlite3_column_blob(st, 0), *n);
    sqlite3_finalize(st);
    return g;
}

static long long scalar(sdb_db *db, const char *sql)
{
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(sdb_db_sqlite(db), sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    long long v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

static void snapshot(sdb_db *db)
{
    sdb_idx *x = NULL;
    sdb_diag d;
    char stamp[65], snap[1200];
    snprintf(snap, sizeof snap, "%s.index-autosomal-population", path);
    assert_int_equal(sdb_db_stamp(db, "population", SDB_KIND_AUTOSOMAL, stamp), SDB_OK);
    assert_int_equal(sdb_idx_build(&x, db, "population", SDB_KIND_AUTOSOMAL, &d), SDB_OK);
    assert_int_equal(sdb_idx_save(x, stamp, snap), SDB_OK);
    sdb_idx_free(x);
}

static void test_expunge_proof(void **state)
{
    sdb_db *db = fresh_with_nist();
    sdb_diag d;
    snapshot(db);
    /* 25 profiles spread over the table, each checked before and after */
    const char *ids[25];
    unsigned char *geno[25];
    size_t glen[25];
    char sql[128];
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(sdb_db_sqlite(db),
                                        "SELECT sample_id FROM profile WHERE id % 41 = 3 LIMIT 25",
                                        -1, &st, NULL),
                     SQLITE_OK);
    for (int i = 0; i < 25; i++) {
        assert_int_equal(sqlite3_step(st), SQLITE_ROW);
        ids[i] = strdup((const char *)sqlite3_column_text(st, 0));
        geno[i] = genotype_bytes(db, ids[i], &glen[i]);
    }
    sqlite3_finalize(st);
    assert_int_equal(sdb_db_truncate_wal(db, &d), SDB_OK); /* everything in the main file */
    for (int i = 0; i < 25; i++) {
        assert_true(traces(ids[i], strlen(ids[i])) >= 2); /* row and unique index, snapshot */
        assert_true(traces(geno[i], glen[i]) >= 1);
    }
    /* refusals change nothing */
    sdb_ctx casework = {"unit-test", "casework", NULL, NULL};
    assert_int_equal(sdb_expunge(db, &casework, ids[0], "x", NULL, &d), SDB_EPERM);
    assert_int_equal(sdb_expunge(db, &admin, ids[0], "", NULL, &d), SDB_EPERM);
    assert_int_equal(sdb_expunge(db, &admin, "no-such-id", "x", NULL, &d), SDB_ENOTFOUND);
    assert_int_equal(scalar(db, "SELECT count(*) FROM profile"), 1036);
    for (int i = 0; i < 25; i++) {
        sdb_diag_clear(&d);
        assert_int_equal(sdb_expunge(db, &admin, ids[i], "acquitted", "CO-2026-17", &d), SDB_OK);
    }
    assert_int_equal(scalar(db, "SELECT count(*) FROM profile"), 1036 - 25);
    assert_int_equal(scalar(db, "SELECT count(*) FROM expunction"), 25);
    for (int i = 0; i < 25; i++) {
        assert_int_equal(traces(ids[i], strlen(ids[i])), 0);
        assert_int_equal(traces(geno[i], glen[i]), 0);
        /* the keyed hash answers "was it expunged?" without the id */
        char k[SDB_HASH_HEX];
        assert_int_equal(sdb_sample_key(db, ids[i], k), SDB_OK);
        snprintf(sql, sizeof sql, "SELECT count(*) FROM expunction WHERE sample_key = '%s'", k);
        assert_int_equal(scalar(db, sql), 1);
    }
    long long n, bad;
    char head[SDB_HASH_HEX];
    assert_int_equal(sdb_audit_verify(db, &n, head, &bad, &d), SDB_OK);
    assert_int_equal(n, 2 + 25); /* init, import, 25 expunctions: refusals before any write */
    sdb_db_close(db);
    for (int i = 0; i < 25; i++) {
        free((void *)ids[i]);
        free(geno[i]);
    }
}

/* Pages of the database file (page_size bytes each) that are interior
 * pages of the b-tree called name, and its depth in levels, from SQLite's
 * dbstat table (a page's path has one '/' per level). */
static int interior_pages(sdb_db *db, const char *name, long long *pages, int cap, int *depth)
{
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(sdb_db_sqlite(db),
                                        "SELECT pageno, pagetype, length(path) - length(replace(path, '/', ''))"
                                        " FROM dbstat WHERE name = ?",
                                        -1, &st, NULL),
                     SQLITE_OK);
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    int n = 0;
    *depth = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        int level = sqlite3_column_int(st, 2);
        if (level > *depth) *depth = level;
        if (!strcmp((const char *)sqlite3_column_text(st, 1), "internal") && n < cap)
            pages[n++] = sqlite3_column_int64(st, 0);
    }
    sqlite3_finalize(st);
    return n;
}

/* Expunction on a database whose sample-id index is a deep b-tree (long
 * ids: 8000 rows make three levels, as 300,000 short ids do), expunging ids that are dividers in
 * its interior pages, where balancing copies keys between pages, and ids
 * spread over the leaves: afterwards no byte sequence of any of them, id or
 * genotype blob, is anywhere in the database file or its WAL. */
static void test_expunge_deep_btree(void **state)
{
    enum { N = 8000, PICK = 40 };
    char csv[1200];
    snprintf(csv, sizeof csv, "%s.csv", path);
    FILE *f = fopen(csv, "w");
    assert_non_null(f);
    static const char *const loci[] = {"CSF1PO", "D3S1358", "D5S818", "D7S820", "D8S1179",
                                       "D13S317", "D16S539", "D18S51", "D21S11", "FGA",
                                       "TH01", "TPOX", "vWA"};
    fprintf(f, "id");
    for (int l = 0; l < 13; l++)
        fprintf(f, ",%s.1,%s.2", loci[l], loci[l]);
    fprintf(f, "\n");
    unsigned long long r = 0x9E3779B97F4A7C15ULL;
    char filler[181];
    memset(filler, 'q', 180);
    filler[180] = 0;
    for (int i = 0; i < N; i++) {
        fprintf(f, "D%06d-%s-%06d", i, filler, i);
        for (int l = 0; l < 26; l++) {
            r ^= r << 13, r ^= r >> 7, r ^= r << 17;
            fprintf(f, ",%d", 6 + (int)(r % 20));
        }
        fprintf(f, "\n");
    }
    fclose(f);
    sdb_db *db = NULL;
    sdb_diag d;
    sdb_import_opts o;
    sdb_import_stats st;
    cleanup();
    assert_int_equal(sdb_db_create(&db, path, &admin, &d), SDB_OK);
    sdb_import_opts_init(&o);
    o.index = "population";
    o.basis = "population-study";
    assert_int_equal(sdb_db_import(db, &admin, csv, &o, &st, &d), SDB_OK);
    remove(csv);
    assert_int_equal(st.n_imported, N);
    assert_int_equal(sdb_db_truncate_wal(db, &d), SDB_OK);

    long long pages[64];
    int depth;
    int n_int = interior_pages(db, "sqlite_autoindex_profile_1", pages, 64, &depth);
    assert_true(depth >= 3); /* root, interior pages, leaves */
    assert_true(n_int >= 2);
    long long page_size = scalar(db, "PRAGMA page_size");
    char fpath[1200];
    size_t flen;
    snprintf(fpath, sizeof fpath, "%s", path);
    unsigned char *file = (unsigned char *)read_file(fpath, &flen);
    assert_non_null(file);
    /* the ids that are keys of interior pages, then every 97th row */
    char *ids[PICK];
    int n_ids = 0, dividers = 0;
    for (int k = 0; k < n_int && n_ids < PICK / 2; k++) {
        const unsigned char *pg = file + (pages[k] - 1) * page_size;
        for (long long b = 0; b + 7 < page_size && n_ids < PICK / 2; b++) {
            if (pg[b] != 'D' || memcmp(pg + b + 7, "-qqq", 4)) continue;
            char id[200];
            snprintf(id, sizeof id, "%.8s%s-%.6s", (const char *)pg + b, filler,
                     (const char *)pg + b + 1);
            int seen = 0;
            for (int i = 0; i < n_ids; i++)
                seen |= !strcmp(ids[i], id);
            if (!seen) ids[n_ids++] = strdup(id), dividers++;
        }
    }
    free(file);
    assert_true(dividers >= 2);
    for (int i = 0; n_ids < PICK; i += 97) {
        char id[256];
        snprintf(id, sizeof id, "D%06d-%s-%06d", i, filler, i);
        int seen = 0;
        for (int j = 0; j < n_ids; j++)
            seen |= !strcmp(ids[j], id);
        if (!seen) ids[n_ids++] = strdup(id);
    }
    unsigned char *geno[PICK];
    size_t glen[PICK];
    for (int i = 0; i < n_ids; i++) {
        geno[i] = genotype_bytes(db, ids[i], &glen[i]);
        assert_true(traces(ids[i], strlen(ids[i])) >= 2); /* table row, index leaf */
    }
    for (int i = 0; i < n_ids; i++) {
        sdb_diag_clear(&d);
        assert_int_equal(sdb_expunge(db, &admin, ids[i], "acquitted", NULL, &d), SDB_OK);
    }
    assert_int_equal(scalar(db, "SELECT count(*) FROM profile"), N - n_ids);
    for (int i = 0; i < n_ids; i++) {
        assert_int_equal(traces(ids[i], strlen(ids[i])), 0);
        assert_int_equal(traces(geno[i], glen[i]), 0);
        free(ids[i]);
        free(geno[i]);
    }
    long long n, bad;
    char head[SDB_HASH_HEX];
    assert_int_equal(sdb_audit_verify(db, &n, head, &bad, &d), SDB_OK);
    sdb_db_close(db);
}

/* A reader holding the WAL: expunge reports busy, --finish completes it. */
static void test_expunge_busy_reader(void **state)
{
    sdb_db *db = fresh_with_nist();
    sdb_diag d;
    size_t glen;
    unsigned char *g = genotype_bytes(db, "UA16895", &glen);
    sqlite3 *reader;
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_open_v2(path, &reader, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(reader, "SELECT id FROM profile", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW); /* an open read transaction */
    sdb_diag_clear(&d);
    assert_int_equal(sdb_expunge(db, &admin, "UA16895", "retention expired", NULL, &d), SDB_EBUSY);
    assert_non_null(strstr(d.reason, "--finish"));
    sqlite3_finalize(st);
    sqlite3_close(reader);
    assert_int_equal(sdb_db_truncate_wal(db, &d), SDB_OK);
    assert_int_equal(traces("UA16895", 7), 0);
    assert_int_equal(traces(g, glen), 0);
    assert_int_equal(count_in(path, "-wal", "", 0), 0);
    sdb_db_close(db);
    free(g);
}

/* Swaps the contents of records a and b, keeping their sequence numbers. */
static void swap_records(sqlite3 *sql, int a, int b)
{
    char q[512];
    snprintf(q, sizeof q,
             "CREATE TEMP TABLE t AS SELECT * FROM audit WHERE seq IN (%d, %d);"
             "DELETE FROM audit WHERE seq IN (%d, %d);"
             "UPDATE t SET seq = %d + %d - seq; INSERT INTO audit SELECT * FROM t; DROP TABLE t;",
             a, b, a, b, a, b);
    assert_int_equal(sqlite3_exec(sql, q, 0, 0, 0), SQLITE_OK);
}

static void test_chain_tamper(void **state)
{
    sdb_db *db = fresh_with_nist();
    sdb_diag d;
    long long n, bad;
    char head[SDB_HASH_HEX];
    sqlite3 *sql = sdb_db_sqlite(db);
    for (int i = 0; i < 4; i++)
        assert_int_equal(sdb_audit_append(db, &admin, "show", "sample_id=x", 1, "ok"), SDB_OK);
    assert_int_equal(sdb_audit_verify(db, &n, head, &bad, &d), SDB_OK);
    assert_int_equal(n, 6);
    /* reordered */
    swap_records(sql, 3, 4);
    assert_int_equal(sdb_audit_verify(db, &n, head, &bad, &d), SDB_EAUDIT);
    assert_int_equal(bad, 3);
    swap_records(sql, 3, 4);
    assert_int_equal(sdb_audit_verify(db, &n, head, &bad, &d), SDB_OK);
    /* appended with a made-up hash */
    assert_int_equal(sqlite3_exec(sql,
                                  "INSERT INTO audit SELECT seq + 1, at, actor, 'export', purpose,"
                                  " case_ref, params_digest, 1036, outcome, hash, hash, state"
                                  " FROM audit WHERE seq = 6",
                                  0, 0, 0),
                     SQLITE_OK);
    assert_int_equal(sdb_audit_verify(db, &n, head, &bad, &d), SDB_EAUDIT);
    assert_int_equal(bad, 7);
    assert_non_null(strstr(d.reason, "altered"));
    sdb_db_close(db);
}

static void test_signed_checkpoints(void **state)
{
    sdb_db *db = fresh_with_nist();
    sdb_diag d;
    sdb_checkpoint cp1, cp2;
    long long n, n_cp, tail, bad;
    sqlite3 *sql = sdb_db_sqlite(db);
    assert_int_equal(sdb_sign_keygen(key, pub, &d), SDB_OK);
    assert_int_equal(sdb_sign_keygen(key, pub, &d), SDB_EDUP); /* never overwrites a key */
    assert_int_equal(sdb_sign_keygen(key2, pub2, &d), SDB_OK);
    assert_int_equal(sdb_audit_checkpoint(db, &admin, key, &cp1, &d), SDB_OK); /* seq 3 */
    assert_int_equal(cp1.seq, 2);
    for (int i = 0; i < 3; i++)
        assert_int_equal(sdb_audit_append(db, &admin, "show", "sample_id=x", 1, "ok"), SDB_OK);
    assert_int_equal(sdb_audit_checkpoint(db, &admin, key, &cp2, &d), SDB_OK);
    assert_int_equal(cp2.seq, 6);
    assert_int_equal(
        sdb_audit_verify_signed(db, pub, NULL, 0, &n, &n_cp, &tail, &bad, &d), SDB_OK);
    assert_int_equal(n, 7);
    assert_int_equal(n_cp, 2);
    assert_int_equal(tail, 1);
    /* the checkpoint line round-trips */
    char line[512];
    sdb_checkpoint back;
    sdb_checkpoint_format(&cp2, line, sizeof line);
    assert_int_equal(sdb_checkpoint_parse(line, &back), SDB_OK);
    assert_int_equal(back.seq, cp2.seq);
    assert_string_equal(back.head, cp2.head);
    assert_string_equal(back.at, cp2.at);
    assert_string_equal(back.public_key, cp2.public_key);
    assert_string_equal(back.signature, cp2.signature);
    assert_int_not_equal(sdb_checkpoint_parse("{\"seq\":1}", &back), SDB_OK);
    /* another key's public half: refused */
    assert_int_equal(sdb_audit_verify_signed(db, pub2, NULL, 0, &n, &n_cp, &tail, &bad, &d),
                     SDB_EAUDIT);
    assert_non_null(strstr(d.reason, "another key"));
    /* a forged signature */
    assert_int_equal(sqlite3_exec(sql,
                                  "UPDATE audit_checkpoint SET head = (SELECT head FROM"
                                  " audit_checkpoint WHERE seq = 2) WHERE seq = 6",
                                  0, 0, 0),
                     SQLITE_OK);
    assert_int_equal(sdb_audit_verify_signed(db, pub, NULL, 0, &n, &n_cp, &tail, &bad, &d),
                     SDB_EAUDIT);
    assert_non_null(strstr(d.reason, "signature"));
    assert_int_equal(bad, 3); /* checkpoint 1 still vouches for records 1-2 */
    assert_int_equal(sqlite3_exec(sql, "DELETE FROM audit_checkpoint WHERE seq = 6", 0, 0, 0),
                     SQLITE_OK);
    /* the tail cut off after the second checkpoint, the stored checkpoint
     * deleted too: the chain alone still verifies, the outside copy does not */
    assert_int_equal(sqlite3_exec(sql, "DELETE FROM audit WHERE seq >= 5", 0, 0, 0), SQLITE_OK);
    assert_int_equal(sdb_audit_verify(db, &n, NULL, &bad, &d), SDB_OK);
    assert_int_equal(sdb_audit_verify_signed(db, pub, &cp2, 1, &n, &n_cp, &tail, &bad, &d),
                     SDB_EAUDIT);
    assert_non_null(strstr(d.reason, "cut off"));
    assert_int_equal(bad, 3);
    /* rewritten: new valid records in place of the cut ones */
    for (int i = 0; i < 3; i++)
        assert_int_equal(sdb_audit_append(db, &admin, "show", "sample_id=y", 0, "ok"), SDB_OK);
    assert_int_equal(sdb_audit_verify(db, &n, NULL, &bad, &d), SDB_OK);
    assert_int_equal(sdb_audit_verify_signed(db, pub, &cp2, 1, &n, &n_cp, &tail, &bad, &d),
                     SDB_EAUDIT);
    assert_non_null(strstr(d.reason, "rewritten"));
    assert_int_equal(bad, 3);
    sdb_db_close(db);
}

/* The default policy through the library: narrowing, refusals, changes. */
static void test_policy(void **state)
{
    sdb_db *db = fresh_with_nist();
    sdb_diag d;
    char allowed[1024];
    sdb_ctx c = {"unit-test", "casework", NULL, NULL};
    assert_int_equal(sdb_policy_indexes(db, &c, "search", NULL, allowed, sizeof allowed, &d), SDB_OK);
    assert_string_equal(allowed, "arrestee,forensic-mixture,forensic-unknown,offender");
    assert_int_equal(
        sdb_policy_indexes(db, &c, "search", "relative-of-missing", allowed, sizeof allowed, &d),
        SDB_EPOLICY);
    assert_non_null(strstr(d.reason, "may not search index 'relative-of-missing'"));
    assert_int_equal(sdb_policy_indexes(db, &c, "search", "nope", allowed, sizeof allowed, &d),
                     SDB_ENOTFOUND);
    assert_int_equal(sdb_policy_indexes(db, &c, "export", NULL, allowed, sizeof allowed, &d),
                     SDB_EPOLICY); /* casework exports nothing */
    c.purpose = "familial";
    assert_int_equal(sdb_policy_indexes(db, &c, "search", NULL, allowed, sizeof allowed, &d),
                     SDB_EPOLICY);
    assert_non_null(strstr(d.reason, "authorization"));
    c.authorization = "FS-1";
    assert_int_equal(sdb_policy_indexes(db, &c, "search", NULL, allowed, sizeof allowed, &d), SDB_OK);
    c.purpose = NULL;
    assert_int_equal(sdb_policy_indexes(db, &c, "show", NULL, allowed, sizeof allowed, &d),
                     SDB_EPOLICY);
    c.purpose = "gossip";
    assert_int_equal(sdb_policy_indexes(db, &c, "show", NULL, allowed, sizeof allowed, &d),
                     SDB_EPOLICY);
    /* the population index: a casework search sees none of its 1036 profiles */
    c.purpose = "casework";
    assert_int_equal(sdb_policy_indexes(db, &c, "search", NULL, allowed, sizeof allowed, &d), SDB_OK);
    sdb_idx *x = NULL;
    assert_int_equal(sdb_idx_build(&x, db, allowed, SDB_KIND_AUTOSOMAL, &d), SDB_OK);
    assert_int_equal(sdb_idx_count(x), 0);
    sdb_idx_free(x);
    assert_int_equal(sdb_policy_set(db, &admin, "casework", "search", "population", 1, &d), SDB_OK);
    assert_int_equal(sdb_policy_indexes(db, &c, "search", NULL, allowed, sizeof allowed, &d), SDB_OK);
    assert_int_equal(sdb_idx_build(&x, db, allowed, SDB_KIND_AUTOSOMAL, &d), SDB_OK);
    assert_int_equal(sdb_idx_count(x), 1036);
    sdb_idx_free(x);
    assert_int_equal(sdb_policy_set(db, &admin, "casework", "delete", "population", 1, &d),
                     SDB_EINVAL);
    assert_int_equal(sdb_policy_set(db, &admin, "gossip", "search", "population", 1, &d),
                     SDB_ENOTFOUND);
    long long n, bad;
    assert_int_equal(sdb_audit_verify(db, &n, NULL, &bad, &d), SDB_OK);
    assert_int_equal(n, 3); /* init, import, one policy-set */
    sdb_db_close(db);
}

static char clean[1100], ann_token[SDB_HASH_HEX];

/* Copies a closed database file (no WAL left) from one path to another. */
static void copy_db(const char *from, const char *to)
{
    size_t len = 0;
    char *bytes = read_file(from, &len);
    assert_non_null(bytes);
    rm(to, "-wal");
    rm(to, "-shm");
    FILE *f = fopen(to, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(bytes, 1, len, f), len);
    fclose(f);
    free(bytes);
}

/* Rehashes the newest record as a record without a state (docs/store.md:
 * "strdb-audit-v1\n", then each field as <length>:<bytes>\n), as a forger
 * who read the documentation would. */
static void rehash_head_v1(void)
{
    sqlite3 *raw;
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_open(path, &raw), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(raw,
                                        "SELECT seq, at, actor, action, purpose, case_ref,"
                                        " params_digest, result_count, outcome, prev_hash"
                                        " FROM audit ORDER BY seq DESC LIMIT 1",
                                        -1, &st, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    crypto_hash_sha256_state h;
    crypto_hash_sha256_init(&h);
    crypto_hash_sha256_update(&h, (const unsigned char *)"strdb-audit-v1\n", 15);
    for (int i = 0; i < 10; i++) {
        const char *v = (const char *)sqlite3_column_text(st, i);
        char head[32];
        int n = v ? snprintf(head, sizeof head, "%zu:", strlen(v)) : snprintf(head, sizeof head, "-:");
        crypto_hash_sha256_update(&h, (const unsigned char *)head, (unsigned long long)n);
        if (v) crypto_hash_sha256_update(&h, (const unsigned char *)v, strlen(v));
        crypto_hash_sha256_update(&h, (const unsigned char *)"\n", 1);
    }
    long long seq = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    unsigned char bin[32];
    char hex[SDB_HASH_HEX], sql[256];
    crypto_hash_sha256_final(&h, bin);
    sodium_bin2hex(hex, sizeof hex, bin, sizeof bin);
    snprintf(sql, sizeof sql, "UPDATE audit SET hash = '%s' WHERE seq = %lld", hex, seq);
    assert_int_equal(sqlite3_exec(raw, sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(raw);
}

/* SQL run by someone who holds the file, on a connection of his own. */
static void outside(const char *sql)
{
    sqlite3 *raw;
    assert_int_equal(sqlite3_open(path, &raw), SQLITE_OK);
    char *err = NULL;
    if (sqlite3_exec(raw, sql, NULL, NULL, &err) != SQLITE_OK) fail_msg("%s: %s", sql, err);
    sqlite3_close(raw);
}

static long long records(sdb_db *db)
{
    long long n = 0, bad;
    sdb_diag d;
    return sdb_audit_verify(db, &n, NULL, &bad, &d) == SDB_OK ? n : -1;
}

/* Each edit must make verify fail naming what changed (want), and every
 * session operation but reading the chain refuse without a record. */
static void expect_tampered(const char *edit, const char *want, int session_refuses)
{
    sdb_db *db;
    sdb_diag d;
    long long n, bad;
    outside(edit);
    assert_int_equal(sdb_db_open(&db, path, 0, &d), SDB_OK);
    sdb_diag_clear(&d);
    if (sdb_audit_verify(db, &n, NULL, &bad, &d) != SDB_EAUDIT)
        fail_msg("audit verify passes after: %s", edit);
    if (!strstr(d.reason, want)) fail_msg("after %s: '%s' lacks '%s'", edit, d.reason, want);
    long long before = scalar(db, "SELECT count(*) FROM audit");
    sdb_db_close(db);
    sdb_session *s = NULL;
    sdb_session_opts o;
    sdb_session_opts_init(&o);
    o.actor = "ann";
    o.token = ann_token;
    o.purpose = "database-health";
    int rc = sdb_session_open(&s, path, &o, &d);
    if (rc == SDB_EAUTH && session_refuses) { /* the tokens' key itself was changed */
        assert_int_equal(sdb_db_open(&db, path, 0, &d), SDB_OK);
        assert_int_equal(scalar(db, "SELECT count(*) FROM audit"), before);
        sdb_db_close(db);
        return;
    }
    assert_int_equal(rc, SDB_OK);
    sdb_profile q;
    sdb_profile_init(&q);
    assert_int_equal(sdb_genotype_parse(&q, sdb_catalog_default(), "TH01=6/9.3;FGA=20/23", &d),
                     SDB_OK);
    sdb_search_opts so;
    sdb_search_opts_init(&so);
    so.min_loci = 2;
    sdb_result r;
    rc = sdb_session_search(s, NULL, &q, &so, 0, &r, &d);
    if (session_refuses) {
        if (rc != SDB_EAUDIT) fail_msg("a search runs after: %s", edit);
    } else {
        assert_int_equal(rc, SDB_OK);
        sdb_result_free(&r);
    }
    sdb_profile_free(&q);
    sdb_session_close(s);
    assert_int_equal(sdb_db_open(&db, path, 0, &d), SDB_OK);
    assert_int_equal(scalar(db, "SELECT count(*) FROM audit"), before + !session_refuses);
    sdb_db_close(db);
}

/* What the chain vouches for besides its records: an edit of a governance
 * table or of a stored profile by someone who holds the file is named by
 * audit verify, and a governance edit stops every operation; the profile
 * digest kept in meta cannot be reset to hide an edit; a forged record
 * without a state is named. Legitimate changes (import, replacement,
 * expunction, a rolled-back import, policy and user changes) verify. */
static void test_state_tamper(void **state)
{
    sdb_db *db = fresh_with_nist();
    sdb_diag d;
    char token[SDB_HASH_HEX];
    sdb_import_opts o;
    sdb_import_stats st;
    long long n, bad;
    assert_int_equal(sdb_user_add(db, &admin, "boss", "admin", token, &d), SDB_OK);
    assert_int_equal(sdb_user_add(db, &admin, "ann", "analyst", ann_token, &d), SDB_OK);
    assert_int_equal(sdb_expunge(db, &admin, "UA16895", "test", NULL, &d), SDB_OK);
    sdb_import_opts_init(&o);
    o.index = "population";
    o.basis = "population-study";
    o.replace = 1;
    assert_int_equal(sdb_db_import(db, &admin, SDB_TEST_DATA "/bad/good3.csv", &o, &st, &d),
                     SDB_OK);
    assert_int_equal(st.n_replaced, 2);
    /* a failed import rolls back its rows and their digest */
    assert_int_not_equal(
        sdb_db_import(db, &admin, SDB_TEST_DATA "/bad/allele_abc.csv", &o, &st, &d), SDB_OK);
    assert_int_equal(sdb_policy_set(db, &admin, "casework", "search", "population", 1, &d), SDB_OK);
    assert_int_equal(sdb_audit_verify(db, &n, NULL, &bad, &d), SDB_OK);
    assert_int_equal(scalar(db, "SELECT count(*) FROM profile"), 1035);
    sdb_db_close(db);
    snprintf(clean, sizeof clean, "%s.clean", path);
    copy_db(path, clean);
    static const struct {
        const char *edit, *want;
        int refuses;
    } attacks[] = {
        {"UPDATE profile SET genotype = (SELECT genotype FROM profile WHERE id = 6) WHERE id = 5", "stored profiles", 0},
        {"DELETE FROM profile WHERE id = 9", "stored profiles", 0},
        {"INSERT INTO profile SELECT 100000, 'forged', index_name, kind, flags, n_loci, genotype,"
         " basis, retain_until, batch_id, source_line, kit, population FROM profile WHERE id = 5",
         "stored profiles", 0},
        {"INSERT INTO policy VALUES ('casework', 'search', 'relative-of-missing')", "table policy",
         1},
        {"UPDATE app_user SET role = 'admin' WHERE name = 'ann'", "table app_user", 1},
        {"DELETE FROM app_user", "table app_user", 1},
        {"UPDATE legal_basis SET retention = 'indefinite' WHERE code = 'arrest'",
         "table legal_basis", 1},
        {"UPDATE db_index SET min_autosomal_loci = 1", "table db_index", 1},
        {"UPDATE purpose SET needs_authorization = 0", "table purpose", 1},
        {"UPDATE meta SET value = '00' WHERE key = 'sample_key_secret'", "table meta", 1},
        /* a forged newest record in the old format, hashed correctly */
        {"INSERT INTO audit SELECT seq + 1, at, actor, action, purpose, case_ref, params_digest,"
         " result_count, outcome, hash, hash, NULL FROM audit ORDER BY seq DESC LIMIT 1",
         "no state", 1},
    };
    for (size_t i = 0; i < sizeof attacks / sizeof *attacks; i++) {
        copy_db(clean, path);
        if (strstr(attacks[i].want, "no state")) {
            /* hashed as v1, so that only its missing state betrays it */
            outside(attacks[i].edit);
            rehash_head_v1();
            expect_tampered("SELECT 1", attacks[i].want, attacks[i].refuses);
            continue;
        }
        expect_tampered(attacks[i].edit, attacks[i].want, attacks[i].refuses);
    }
    /* a profile edited and the digest kept in meta reset: the next record is refused */
    copy_db(clean, path);
    outside("UPDATE profile SET genotype = (SELECT genotype FROM profile WHERE id = 6) WHERE id = 5;"
            " DELETE FROM meta WHERE key = 'profile_acc'");
    assert_int_equal(sdb_db_open(&db, path, 0, &d), SDB_OK);
    assert_int_equal(sdb_audit_append(db, &admin, "show", "x", 1, "ok"), SDB_EAUDIT);
    sdb_db_close(db);
    copy_db(clean, path);
    outside("UPDATE meta SET value = replace(value, 'a', 'b') WHERE key = 'profile_acc'");
    assert_int_equal(sdb_db_open(&db, path, 0, &d), SDB_OK);
    assert_int_equal(sdb_audit_append(db, &admin, "show", "x", 1, "ok"), SDB_EAUDIT);
    /* but a lost cache alone is rebuilt from the rows it vouched for */
    sdb_db_close(db);
    copy_db(clean, path);
    outside("DELETE FROM meta WHERE key = 'profile_acc'");
    assert_int_equal(sdb_db_open(&db, path, 0, &d), SDB_OK);
    assert_int_equal(sdb_expunge(db, &admin, "UA16896", "test", NULL, &d), SDB_OK);
    assert_int_equal(sdb_audit_verify(db, &n, NULL, &bad, &d), SDB_OK);
    /* a change of profiles on the engine's own connection without a record does not commit */
    assert_int_not_equal(sqlite3_exec(sdb_db_sqlite(db), "DELETE FROM profile WHERE id = 5", 0,
                                      0, 0),
                         SQLITE_OK);
    assert_int_equal(sdb_audit_verify(db, &n, NULL, &bad, &d), SDB_OK);
    assert_true(records(db) > 0);
    sdb_db_close(db);
    rm(clean, "");
}

/* A version 1 file (no governance tables) migrates forward at open. */
static void test_migration_from_v1(void **state)
{
    sdb_db *db = fresh_with_nist();
    sdb_diag d;
    assert_int_equal(sqlite3_exec(sdb_db_sqlite(db),
                                  "DROP TABLE intake_event; DROP TABLE intake_sample; DROP TABLE intake_kit;"
                                  " ALTER TABLE import_batch DROP COLUMN origin;"
                                  " DROP TABLE search_query; DROP TABLE mp_member; DROP TABLE mp_family;"
                                  " DROP TABLE lineage_member; DROP TABLE lineage; DROP TABLE lineage_build;"
                                  " DROP TABLE person_profile; DROP TABLE person;"
                                  " DROP TABLE expunction; DROP TABLE audit_checkpoint;"
                                  " DROP TABLE policy; DROP TABLE consent; DROP TABLE app_user; DROP TABLE audit_touch;"
                                  " ALTER TABLE legal_basis DROP COLUMN retention; DROP TABLE case_closure;"
                                  " ALTER TABLE import_batch DROP COLUMN case_ref;"
                                  " ALTER TABLE purpose DROP COLUMN needs_authorization;"
                                  " ALTER TABLE audit DROP COLUMN state; PRAGMA user_version = 1",
                                  0, 0, 0),
                     SQLITE_OK);
    sdb_db_close(db);
    assert_int_equal(sdb_db_open(&db, path, 1, &d), SDB_EVERSION); /* read-only cannot migrate */
    assert_int_equal(sdb_db_open(&db, path, 0, &d), SDB_OK);
    assert_int_equal(scalar(db, "PRAGMA user_version"), SDB_SCHEMA_VERSION);
    assert_int_equal(sdb_expunge(db, &admin, "UA16895", "migrated", NULL, &d), SDB_OK);
    assert_int_equal(scalar(db, "SELECT count(*) FROM expunction"), 1);
    assert_int_equal(scalar(db, "SELECT count(*) FROM policy WHERE purpose = 'casework'"), 12);
    assert_int_equal(scalar(db, "SELECT count(*) FROM legal_basis WHERE retention = 'years:3'"), 2);
    sdb_db_close(db);
}

/* 1 if an expunction step names table.column. */
static int expunction_clears(const char *table, const char *column)
{
    char want[256];
    snprintf(want, sizeof want, "%s.%s", table, column);
    size_t n = strlen(want);
    for (size_t i = 0; sdb_gov_id_columns(i); i++)
        for (const char *c = sdb_gov_id_columns(i); (c = strstr(c, want)); c += n)
            if ((c == sdb_gov_id_columns(i) || c[-1] == ' ') && (c[n] == ' ' || !c[n])) return 1;
    return 0;
}

/* Every column of the schema that holds a sample id, a profile row id or a
 * person id (by name, or as a foreign key to profile or person) is named by
 * the expunction's one list: a new table that holds ids fails here until
 * the expunction clears it. */
static void test_expunction_knows_every_id_column(void **state)
{
    sdb_db *db = fresh_with_nist();
    sqlite3_stmt *st;
    assert_int_equal(
        sqlite3_prepare_v2(sdb_db_sqlite(db),
                           "SELECT m.name, c.name, coalesce((SELECT f.\"table\" FROM"
                           " pragma_foreign_key_list(m.name) f WHERE f.\"from\" = c.name), '')"
                           " FROM sqlite_master m, pragma_table_info(m.name) c"
                           " WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'",
                           -1, &st, NULL),
        SQLITE_OK);
    int columns = 0, id_columns = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *table = (const char *)sqlite3_column_text(st, 0);
        const char *column = (const char *)sqlite3_column_text(st, 1);
        const char *fk = (const char *)sqlite3_column_text(st, 2);
        columns++;
        int holds = !strcmp(column, "sample_id") || !strcmp(column, "profile_id") ||
                    !strcmp(column, "person_id") || !strcmp(column, "ext_id") ||
                    !strcmp(fk, "profile") || !strcmp(fk, "person") ||
                    (!strcmp(column, "id") && (!strcmp(table, "profile") || !strcmp(table, "person"))) ||
                    (!strcmp(table, "import_reject") && !strcmp(column, "reason"));
        if (!holds) continue;
        id_columns++;
        if (!expunction_clears(table, column))
            print_message("%s.%s holds ids but no expunction step names it\n", table, column);
        assert_true(expunction_clears(table, column));
    }
    sqlite3_finalize(st);
    assert_true(columns > 50);
    assert_true(id_columns >= 11);
    sdb_db_close(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_expunge_proof),
        cmocka_unit_test(test_expunge_deep_btree),
        cmocka_unit_test(test_expunge_busy_reader),
        cmocka_unit_test(test_chain_tamper),
        cmocka_unit_test(test_signed_checkpoints),
        cmocka_unit_test(test_policy),
        cmocka_unit_test(test_migration_from_v1),
        cmocka_unit_test(test_state_tamper),
        cmocka_unit_test(test_expunction_knows_every_id_column),
    };
    return cmocka_run_group_tests_name("governance", tests, setup, teardown);
}
