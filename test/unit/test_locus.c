/* The locus catalog: contents required by the issue, alias normalisation,
 * kits, and refusal of broken catalogs. */
#include "unit.h"

static const sdb_catalog *cat;

static int setup(void **state)
{
    cat = sdb_catalog_default();
    return cat ? 0 : -1;
}

static const sdb_locus *find(const char *name)
{
    return sdb_catalog_find(cat, name, strlen(name));
}

static void assert_alias(const char *alias, const char *canonical)
{
    const sdb_locus *l = find(alias);
    if (!l) fail_msg("alias '%s' not found", alias);
    assert_string_equal(l->name, canonical);
}

static void test_required_loci(void **state)
{
    static const char *codis20[] = {"CSF1PO",  "D3S1358",  "D5S818",  "D7S820",  "D8S1179",
                                    "D13S317", "D16S539",  "D18S51",  "D21S11",  "FGA",
                                    "TH01",    "TPOX",     "vWA",     "D1S1656", "D2S441",
                                    "D2S1338", "D10S1248", "D12S391", "D19S433", "D22S1045"};
    int n = 0;
    for (int i = 0; i < sdb_catalog_count(cat); i++)
        n += sdb_locus_in_set(sdb_catalog_at(cat, i), "CODIS 20");
    assert_int_equal(n, 20);
    for (size_t i = 0; i < 20; i++)
        assert_true(sdb_locus_in_set(find(codis20[i]), "CODIS 20"));
    static const char *more[] = {"AMEL", "SE33", "Penta D", "Penta E", "D6S1043"};
    for (size_t i = 0; i < 5; i++)
        assert_non_null(find(more[i]));
    int ess = 0;
    for (int i = 0; i < sdb_catalog_count(cat); i++)
        ess += sdb_locus_in_set(sdb_catalog_at(cat, i), "ESS");
    assert_int_equal(ess, 12);
}

static int kit_size(const char *kit)
{
    int n = 0;
    for (int i = 0; i < sdb_catalog_count(cat); i++) {
        const sdb_locus *l = sdb_catalog_at(cat, i);
        if (sdb_locus_in_set(l, kit)) n += l->copies;
    }
    return n;
}

static void test_kits(void **state)
{
    /* marker counts as the manufacturers give them (two-copy loci count twice) */
    assert_int_equal(kit_size("Yfiler"), 17);
    assert_int_equal(kit_size("Yfiler Plus"), 27);
    assert_int_equal(kit_size("PowerPlex Y23"), 23);
    assert_int_equal(kit_size("Identifiler"), 16);
    assert_int_equal(kit_size("GlobalFiler"), 24);
    assert_int_equal(kit_size("ESX17"), 17);
    assert_int_equal(kit_size("Fusion 6C"), 27);
    assert_true(sdb_catalog_has_set(cat, "yfiler_plus"));
    assert_false(sdb_catalog_has_set(cat, "NoSuchKit"));
}

static void test_aliases(void **state)
{
    assert_alias("VWA", "vWA");
    assert_alias("vwa", "vWA");
    assert_alias("PENTA_E", "Penta E");
    assert_alias("Penta_E", "Penta E");
    assert_alias("Penta E", "Penta E");
    assert_alias("Y-GATA-H4", "YGATAH4");
    assert_alias("GATAH4", "YGATAH4");
    assert_alias("DYS389 I", "DYS389I");
    assert_alias("DYS389 II", "DYS389II");
    assert_alias("DYS385ab", "DYS385");
    assert_alias("DYS385 a/b", "DYS385");
    assert_alias("DYS385a", "DYS385");
    assert_alias("DYF387S1b", "DYF387S1");
    assert_alias("AM", "AMEL");
    assert_alias("Amelogenin", "AMEL");
    assert_alias("THO1", "TH01");
    assert_alias("DYS389II.I", "DYS389II-I");
    assert_null(find("D99S999"));
    assert_null(find(""));
    assert_null(find("vWA.1")); /* a column suffix is the reader's business, not an alias */
}

static void test_copies_and_rates(void **state)
{
    assert_int_equal(find("DYS385")->copies, 2);
    assert_int_equal(find("DYF387S1")->copies, 2);
    assert_int_equal(find("DYS527")->copies, 2);
    assert_int_equal(find("DYS464")->copies, 4);
    assert_int_equal(find("DYS19")->copies, 1);
    assert_int_equal(find("D22S1045")->repeat_len, 3);
    assert_int_equal(find("Penta E")->repeat_len, 5);
    assert_int_equal(find("DYS448")->repeat_len, 6);
    /* YHRD counts from ystr_markers.csv: DYS19 36/16090 */
    const sdb_locus *l = find("DYS19");
    assert_int_equal(l->mutations, 36);
    assert_int_equal(l->meioses, 16090);
    assert_true(l->mutation_rate > 0.002237 && l->mutation_rate < 0.002238);
    assert_int_equal(find("DYS570")->type, SDB_LOCUS_Y);
    assert_int_equal(find("AMEL")->type, SDB_LOCUS_SEX);
    assert_int_equal(find("DXS7132")->type, SDB_LOCUS_X);
    for (int i = 0; i < sdb_catalog_count(cat); i++) {
        const sdb_locus *x = sdb_catalog_at(cat, i);
        assert_ptr_equal(sdb_catalog_by_id(cat, x->id), x);
    }
}

static void parse_bad(const char *text, const char *want)
{
    sdb_catalog *c = NULL;
    sdb_diag d;
    sdb_diag_clear(&d);
    assert_int_equal(sdb_catalog_parse(&c, "t.tsv", text, strlen(text), &d), SDB_EFORMAT);
    assert_null(c);
    if (!strstr(d.reason, want)) fail_msg("reason '%s' lacks '%s'", d.reason, want);
}

static void test_bad_catalogs(void **state)
{
    const char *hdr =
        "id\tname\ttype\tcopies\trepeat_len\tmutation_rate\tmutations\tmeioses\tsets\taliases\n";
    char buf[1024];
    parse_bad("", "no locus");
    parse_bad("1\tA\tautosomal\t1\t4\t\t\t\t\t\n", "header");
    snprintf(buf, sizeof buf, "%s1\tA\tautosomal\t1\t4\t\t\t\t\t\n1\tB\tY\t1\t4\t\t\t\t\t\n", hdr);
    parse_bad(buf, "used twice");
    snprintf(buf, sizeof buf, "%s1\tA\tautosomal\t1\t4\t\t\t\t\tX\n2\tB\tY\t1\t4\t\t\t\t\tx\n",
             hdr);
    parse_bad(buf, "shared by");
    snprintf(buf, sizeof buf, "%s1\tA\tplasmid\t1\t4\t\t\t\t\t\n", hdr);
    parse_bad(buf, "malformed");
    snprintf(buf, sizeof buf, "%s1\tA\tY\t1\t4\t2.5\t\t\t\t\n", hdr);
    parse_bad(buf, "probability");
    snprintf(buf, sizeof buf, "%s1\tA\tY\t1\t4\n", hdr);
    parse_bad(buf, "fields");
    /* a bad line after a good one (found by fuzzing: returned success, no catalog) */
    snprintf(buf, sizeof buf, "%s1\tA\tY\t1\t4\t\t\t\t\t\n2\tB\n", hdr);
    parse_bad(buf, "fields");
    sdb_catalog *c;
    snprintf(buf, sizeof buf, "# c\n%s7\tA\tY\t2\t4\t0.01\t1\t100\tK|L\tA1|A 2\n", hdr);
    assert_int_equal(sdb_catalog_parse(&c, "t", buf, strlen(buf), NULL), SDB_OK);
    assert_string_equal(sdb_catalog_find(c, "a2", 2)->name, "A");
    assert_true(sdb_locus_in_set(sdb_catalog_by_id(c, 7), "l"));
    sdb_catalog_free(c);
    sdb_catalog_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_required_loci), cmocka_unit_test(test_kits),
        cmocka_unit_test(test_aliases),       cmocka_unit_test(test_copies_and_rates),
        cmocka_unit_test(test_bad_catalogs),
    };
    return cmocka_run_group_tests_name("locus", tests, setup, NULL);
}
