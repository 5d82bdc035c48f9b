/* Allele codes: parsing, formatting, symbols, and refusals. */
#include "unit.h"

static sdb_allele parse_ok(const char *s)
{
    sdb_allele a = -1;
    assert_int_equal(sdb_allele_parse(s, strlen(s), &a), SDB_OK);
    return a;
}

static void parse_bad(const char *s)
{
    sdb_allele a = 12345;
    assert_int_equal(sdb_allele_parse(s, strlen(s), &a), SDB_EINVAL);
    assert_int_equal(a, 12345); /* untouched on failure */
}

static void test_numeric(void **state)
{
    assert_int_equal(parse_ok("10"), 100);
    assert_int_equal(parse_ok("9.3"), 93);
    assert_int_equal(parse_ok("17.2"), 172);
    assert_int_equal(parse_ok("33.2"), 332);
    assert_int_equal(parse_ok(" 15 "), 150);
    assert_int_equal(parse_ok("0"), 0);
    assert_int_equal(parse_ok("999.9"), 9999);
    assert_int_equal(parse_ok("10.0"), 100);
}

static void test_symbols(void **state)
{
    assert_int_equal(parse_ok("OL"), SDB_ALLELE_OL);
    assert_int_equal(parse_ok("ol"), SDB_ALLELE_OL);
    assert_int_equal(parse_ok("X"), SDB_ALLELE_X);
    assert_int_equal(parse_ok("y"), SDB_ALLELE_Y);
    assert_int_equal(parse_ok("*"), SDB_ALLELE_ANY);
    assert_int_equal(parse_ok("F"), SDB_ALLELE_ANY);
    /* symbols sort after every number: X < Y < OL < wildcard */
    assert_true(SDB_ALLELE_NUMERIC_MAX < SDB_ALLELE_X);
    assert_true(SDB_ALLELE_X < SDB_ALLELE_Y && SDB_ALLELE_Y < SDB_ALLELE_OL);
    assert_true(SDB_ALLELE_OL < SDB_ALLELE_ANY);
}

static void test_refused(void **state)
{
    parse_bad("9.3.1");
    parse_bad("abc");
    parse_bad("");
    parse_bad("  ");
    parse_bad("10.");
    parse_bad(".3");
    parse_bad("10.12");
    parse_bad("-1");
    parse_bad("1000");
    parse_bad("12a");
    parse_bad("OLX");
    parse_bad("9,3");
    parse_bad("1e1");
    parse_bad("<8");
}

static void test_format_roundtrip(void **state)
{
    static const char *texts[] = {"9.3", "10", "17.2", "OL", "X", "Y", "*", "0", "999.9", "6"};
    for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
        char buf[SDB_ALLELE_STRLEN];
        int n = sdb_allele_format(parse_ok(texts[i]), buf);
        assert_int_equal(n, (int)strlen(texts[i]));
        assert_string_equal(buf, texts[i]);
    }
    char buf[SDB_ALLELE_STRLEN];
    assert_int_equal(sdb_allele_format(-5, buf), SDB_EINVAL);
    assert_int_equal(sdb_allele_format(0xFFF5, buf), SDB_EINVAL);
    /* every numeric code survives format -> parse */
    for (sdb_allele a = 0; a <= SDB_ALLELE_NUMERIC_MAX; a++) {
        sdb_allele_format(a, buf);
        assert_int_equal(parse_ok(buf), a);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_numeric),
        cmocka_unit_test(test_symbols),
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_format_roundtrip),
    };
    return cmocka_run_group_tests_name("allele", tests, NULL, NULL);
}
