/* Readers against golden files, the acceptance counts of the real exports,
 * and every class of bad input. SDB_UPDATE_GOLDEN=1 rewrites the goldens
 * (review the diff before committing them). */
#include "unit.h"

static const sdb_catalog *cat;

static int setup(void **state)
{
    cat = sdb_catalog_default();
    return cat ? 0 : -1;
}

/* Reads every record of path and renders it: one JSON line per profile,
 * "REJECT <diag>" per invalid record, "FATAL <diag>" if reading stops. */
static char *render(const char *path, const sdb_read_opts *opts)
{
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);
    sdb_reader *r;
    sdb_diag d;
    sdb_diag_clear(&d);
    char buf[1024];
    int rc = sdb_reader_open(&r, path, cat, opts, &d);
    if (rc) {
        fprintf(f, "FATAL %s\n", sdb_diag_format(&d, buf, sizeof buf));
        fclose(f);
        return out;
    }
    fprintf(f, "FORMAT %s\n", sdb_format_name(sdb_reader_format(r)));
    sdb_profile p;
    sdb_profile_init(&p);
    while ((rc = sdb_reader_next(r, &p, &d)) != SDB_END) {
        if (rc == SDB_OK) {
            assert_int_equal(sdb_write_jsonl(f, cat, &p, NULL), SDB_OK);
        } else {
            fprintf(f, "%s %s\n", rc == SDB_EINVAL ? "REJECT" : "FATAL",
                    sdb_diag_format(&d, buf, sizeof buf));
            if (rc != SDB_EINVAL) break;
        }
        sdb_diag_clear(&d);
    }
    sdb_profile_free(&p);
    sdb_reader_close(r);
    fclose(f);
    return out;
}

static void check_golden(const char *input, const char *golden, const sdb_read_opts *opts)
{
    char in[512], gold[512];
    snprintf(in, sizeof in, SDB_TEST_DATA "/%s", input);
    snprintf(gold, sizeof gold, SDB_TEST_DATA "/golden/%s", golden);
    char *got = render(in, opts);
    if (getenv("SDB_UPDATE_GOLDEN")) {
        FILE *f = fopen(gold, "w");
        fputs(got, f);
        fclose(f);
    }
    char *want = read_file(gold, NULL);
    if (!want) fail_msg("missing golden file %s", gold);
    if (strcmp(got, want)) fail_msg("%s differs from %s:\n%s", input, gold, got);
    free(got);
    free(want);
}

static void test_golden_genemapper(void **state)
{
    check_golden("golden/gm_spaced.txt", "gm_spaced.out", NULL);
    check_golden("golden/gm_dotted.txt", "gm_dotted.out", NULL);
    check_golden("stain.txt", "stain.out", NULL);
    check_golden("ref3.txt", "ref3.out", NULL);
    check_golden("golden/gm_qs.txt", "gm_qs.out", NULL); /* quality sensor rows skipped */
}

static void test_golden_wide(void **state)
{
    check_golden("golden/wide_auto.csv", "wide_auto.out", NULL);
    check_golden("golden/wide_y.csv", "wide_y.out", NULL);
    sdb_read_opts o;
    sdb_read_opts_init(&o);
    o.id_from_line = 1;
    o.id_prefix = "L";
    o.kit = "Yfiler Plus";
    check_golden("golden/wide_y.csv", "wide_y_lineids.out", &o);
}

static void test_golden_jsonl(void **state)
{
    check_golden("golden/profiles.jsonl", "profiles.out", NULL);
}

/* Counts profiles and rejects of a real file. */
static void count_file(const char *path, const sdb_read_opts *o, int *n_ok, int *n_bad,
                       int *n_mixed)
{
    sdb_reader *r;
    sdb_diag d;
    *n_ok = *n_bad = *n_mixed = 0;
    assert_int_equal(sdb_reader_open(&r, path, cat, o, &d), SDB_OK);
    sdb_profile p;
    sdb_profile_init(&p);
    int rc;
    while ((rc = sdb_reader_next(r, &p, &d)) != SDB_END) {
        assert_true(rc == SDB_OK || rc == SDB_EINVAL);
        if (rc == SDB_OK)
            (*n_ok)++, *n_mixed += (p.flags & SDB_PF_MIXTURE) != 0;
        else
            (*n_bad)++;
    }
    sdb_profile_free(&p);
    sdb_reader_close(r);
}

static void test_real_exports(void **state)
{
    int ok, bad, mixed;
    count_file(SDB_TEST_DATA "/NIST1036_genotypes.csv", NULL, &ok, &bad, &mixed);
    assert_int_equal(ok, 1036);
    assert_int_equal(bad, 0);
    count_file(SDB_TEST_DATA "/databaseESX17.txt", NULL, &ok, &bad, &mixed);
    assert_int_equal(ok, 77);
    assert_int_equal(mixed, 0);
    /* set3: 40 sample runs; ladders and positive controls are mixed-looking */
    count_file(SDB_TEST_DATA "/set3.txt", NULL, &ok, &bad, &mixed);
    assert_int_equal(ok + bad, 40);
    assert_true(mixed > 0);
}

/* NIST1036: the two empty cells become two missing loci, flagged partial. */
static void test_nist_empty_cells(void **state)
{
    sdb_reader *r;
    sdb_diag d;
    assert_int_equal(sdb_reader_open(&r, SDB_TEST_DATA "/NIST1036_genotypes.csv", cat, NULL, &d),
                     SDB_OK);
    sdb_profile p;
    sdb_profile_init(&p);
    int partial = 0, calls = 0;
    while (sdb_reader_next(r, &p, &d) == SDB_OK) {
        calls += p.n_calls;
        if (p.flags & SDB_PF_PARTIAL) {
            partial++;
            assert_int_equal(p.n_calls, 28);
            assert_true(!strcmp(p.sample_id, "OT05588") || !strcmp(p.sample_id, "C88H"));
        }
    }
    assert_int_equal(partial, 2);
    assert_int_equal(calls, 1036 * 29 - 2);
    sdb_profile_free(&p);
    sdb_reader_close(r);
}

/* Fatal or per-record errors for each bad file, with location and reason. */
static void expect_error(const char *file, int fatal, long line, const char *field,
                         const char *reason)
{
    char path[512];
    snprintf(path, sizeof path, SDB_TEST_DATA "/bad/%s", file);
    sdb_reader *r = NULL;
    sdb_diag d;
    sdb_diag_clear(&d);
    int rc = sdb_reader_open(&r, path, cat, NULL, &d);
    if (!fatal) {
        assert_int_equal(rc, SDB_OK);
        sdb_profile p;
        sdb_profile_init(&p);
        while ((rc = sdb_reader_next(r, &p, &d)) == SDB_OK)
            continue;
        sdb_profile_free(&p);
        sdb_reader_close(r);
        assert_int_equal(rc, SDB_EINVAL);
    } else {
        assert_true(rc == SDB_EFORMAT || rc == SDB_EINVAL);
        assert_null(r);
    }
    assert_string_equal(d.file, path);
    assert_int_equal(d.line, line);
    assert_string_equal(d.field, field);
    if (!strstr(d.reason, reason)) fail_msg("%s: reason '%s' lacks '%s'", file, d.reason, reason);
}

/* render() through sdb_reader_open_mem, the whole file in memory. */
static char *render_mem(const char *path)
{
    size_t len = 0;
    char *text = read_file(path, &len);
    assert_non_null(text);
    char *out = NULL;
    size_t olen = 0;
    FILE *f = open_memstream(&out, &olen);
    sdb_reader *r;
    sdb_diag d;
    sdb_diag_clear(&d);
    char buf[1024];
    int rc = sdb_reader_open_mem(&r, path, text, len, cat, NULL, &d);
    if (rc) {
        fprintf(f, "FATAL %s\n", sdb_diag_format(&d, buf, sizeof buf));
    } else {
        fprintf(f, "FORMAT %s\n", sdb_format_name(sdb_reader_format(r)));
        sdb_profile p;
        sdb_profile_init(&p);
        while ((rc = sdb_reader_next(r, &p, &d)) != SDB_END) {
            if (rc == SDB_OK)
                assert_int_equal(sdb_write_jsonl(f, cat, &p, NULL), SDB_OK);
            else
                fprintf(f, "%s %s\n", rc == SDB_EINVAL ? "REJECT" : "FATAL",
                        sdb_diag_format(&d, buf, sizeof buf));
            if (rc && rc != SDB_EINVAL) break;
            sdb_diag_clear(&d);
        }
        sdb_profile_free(&p);
        sdb_reader_close(r);
    }
    fclose(f);
    free(text);
    return out;
}

/* Files are read through a window that refills: every reader gives the
 * same profiles, rejects and diagnostics through windows of 8 bytes up to
 * the default as from the whole file in memory (rows and quoted fields cut
 * at every position, CRLF, BOM, bad bytes past the first window). */
static void test_streaming_windows(void **state)
{
    static const char *const files[] = {
        "golden/gm_dotted.txt", "golden/gm_qs.txt", "golden/gm_spaced.txt", "golden/profiles.jsonl",
        "golden/wide_auto.csv", "golden/wide_y.csv", "ref3.txt", "stain.txt", "set3.txt",
        "dbExample.csv", "NIST1036_genotypes.csv", "bad/allele_931.csv", "bad/allele_abc.csv",
        "bad/empty.csv", "bad/header_only.csv", "bad/truncated.csv", "bad/garbage.bin",
        "bad/utf16.csv", "bad/three_alleles.txt", "bad/unknown_locus.csv", "bad/good3.csv"};
    static const char *const windows[] = {"8", "13", "64", "4093", NULL};
    /* and blank lines (LF and CRLF) after the header and between rows, which
     * the check for rows after the header reads past and rewinds over */
    char blanks[] = "/tmp/strdb-blanks-XXXXXX";
    int fd = mkstemp(blanks);
    assert_true(fd >= 0);
    size_t glen = 0;
    char *good = read_file(SDB_TEST_DATA "/bad/good3.csv", &glen);
    FILE *bf = fdopen(fd, "w");
    for (size_t k = 0; k < glen; k++) {
        fputc(good[k], bf);
        if (good[k] == '\n') fputs("\n\r\n\n", bf);
    }
    fclose(bf);
    free(good);
    for (size_t i = 0; i <= sizeof files / sizeof *files; i++) {
        char path[512];
        if (i == sizeof files / sizeof *files)
            snprintf(path, sizeof path, "%s", blanks);
        else
            snprintf(path, sizeof path, SDB_TEST_DATA "/%s", files[i]);
        char *want = render_mem(path);
        for (int w = 0; w < 5; w++) {
            if (windows[w] && strstr(path, "NIST1036_genotypes.csv") && w < 2) continue;
            if (windows[w])
                setenv("STRDB_READ_WINDOW", windows[w], 1);
            else
                unsetenv("STRDB_READ_WINDOW");
            char *got = render(path, NULL);
            if (strcmp(got, want))
                fail_msg("%s through a window of %s bytes differs:\n%s\nwant:\n%s", path,
                         windows[w] ? windows[w] : "default", got, want);
            free(got);
        }
        unsetenv("STRDB_READ_WINDOW");
        free(want);
    }
    unlink(blanks);
}

static void test_bad_inputs(void **state)
{
    expect_error("unknown_locus.csv", 1, 1, "D99S999.1", "unknown locus");
    expect_error("allele_931.csv", 0, 3, "D10S1248.1", "unreadable allele '9.3.1'");
    expect_error("allele_abc.csv", 0, 3, "CSF1PO.2", "unreadable allele 'abc'");
    expect_error("empty.csv", 1, 1, "", "empty file");
    expect_error("header_only.csv", 1, 1, "", "header only");
    expect_error("truncated.csv", 0, 4, "", "truncated line");
    expect_error("garbage.bin", 1, 1, "", "binary data");
    expect_error("utf16.csv", 1, 1, "", "UTF-16");
}

static void test_genotype_syntax(void **state)
{
    sdb_profile p;
    sdb_diag d;
    sdb_profile_init(&p);
    assert_int_equal(sdb_genotype_parse(&p, cat, "vWA=18/17; D3S1358=15,16;AMEL=X/Y", &d), SDB_OK);
    assert_int_equal(p.n_calls, 3);
    const sdb_call *c = sdb_profile_call(&p, sdb_catalog_find(cat, "vWA", 3)->id);
    assert_int_equal(c->n, 2);
    assert_int_equal(p.alleles[c->first], 170); /* sorted */
    assert_int_equal(sdb_genotype_parse(&p, cat, "vWA=18/x", &d), SDB_EINVAL);
    assert_string_equal(d.field, "vWA");
    assert_int_equal(sdb_genotype_parse(&p, cat, "FOO=1", &d), SDB_EINVAL);
    assert_int_equal(sdb_genotype_parse(&p, cat, "AMEL=1/2", &d), SDB_EINVAL);
    sdb_profile_free(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_golden_genemapper), cmocka_unit_test(test_golden_wide),
        cmocka_unit_test(test_golden_jsonl),      cmocka_unit_test(test_real_exports),
        cmocka_unit_test(test_nist_empty_cells),  cmocka_unit_test(test_bad_inputs),
        cmocka_unit_test(test_genotype_syntax),
        cmocka_unit_test(test_streaming_windows),
    };
    return cmocka_run_group_tests_name("readers", tests, setup, NULL);
}
