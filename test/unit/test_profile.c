/* Profiles: sorting and set semantics, kind and flags, index rules. */
#include "unit.h"

static const sdb_catalog *cat;

static int setup(void **state)
{
    cat = sdb_catalog_default();
    return cat ? 0 : -1;
}

static void parse(sdb_profile *p, const char *g)
{
    sdb_diag d;
    if (sdb_genotype_parse(p, cat, g, &d)) fail_msg("%s: %s", g, d.reason);
}

static const sdb_index_rule *rule(const char *name)
{
    for (int i = 0; i < sdb_index_rule_default_count(); i++)
        if (!strcmp(sdb_index_rule_default(i)->name, name)) return sdb_index_rule_default(i);
    return NULL;
}

static const char *ten_loci =
    "D3S1358=15/16;vWA=17/18;D8S1179=12/13;D21S11=28/30;D18S51=14/15;TH01=6/9.3;FGA=20/22;"
    "D1S1656=12/13;D2S441=10/11;D10S1248=13/14";

static void test_sorted_sets(void **state)
{
    sdb_profile p;
    sdb_profile_init(&p);
    /* loci given out of catalog order, alleles unsorted, a homozygote twice */
    parse(&p, "vWA=18/17;D3S1358=16/15;TH01=9.3/9.3;DYS385=14/11;DYS19=14/14");
    assert_int_equal(p.n_calls, 5);
    for (int i = 1; i < p.n_calls; i++)
        assert_true(p.calls[i - 1].locus < p.calls[i].locus);
    const sdb_call *th01 = sdb_profile_call(&p, sdb_catalog_find(cat, "TH01", 4)->id);
    assert_int_equal(th01->n, 1); /* a set: 9.3/9.3 is one allele */
    const sdb_call *dys19 = sdb_profile_call(&p, sdb_catalog_find(cat, "DYS19", 5)->id);
    assert_int_equal(dys19->n, 1);
    const sdb_call *dys385 = sdb_profile_call(&p, sdb_catalog_find(cat, "DYS385", 6)->id);
    assert_int_equal(p.alleles[dys385->first], 110);
    parse(&p, "DYS385=13/13;DYS19=14");
    dys385 = sdb_profile_call(&p, sdb_catalog_find(cat, "DYS385", 6)->id);
    assert_int_equal(dys385->n, 2); /* two copies: 13,13 keeps both */
    assert_int_equal(p.kind, SDB_KIND_Y);
    sdb_profile_free(&p);
}

static void test_flags_and_kind(void **state)
{
    sdb_profile p;
    sdb_profile_init(&p);
    parse(&p, "D3S1358=14/15/16;vWA=*;TH01=OL;AMEL=X/Y");
    assert_int_equal(p.kind, SDB_KIND_AUTOSOMAL);
    assert_true(p.flags & SDB_PF_MIXTURE);
    assert_true(p.flags & SDB_PF_WILDCARD);
    assert_true(p.flags & SDB_PF_OFFLADDER);
    char buf[128];
    assert_string_equal(sdb_flags_format(p.flags, buf, sizeof buf), "mixture|wildcard|off-ladder");
    parse(&p, "DYS19=14;DYS448=19/20;AMEL=Y");
    assert_int_equal(p.kind, SDB_KIND_Y);
    assert_true(p.flags & SDB_PF_YMULTICOPY);
    parse(&p, "D3S1358=15;vWA=");
    assert_true(p.flags & SDB_PF_PARTIAL);
    sdb_profile_free(&p);
}

static void test_rules(void **state)
{
    sdb_profile p;
    sdb_diag d;
    sdb_profile_init(&p);
    parse(&p, ten_loci);
    assert_int_equal(sdb_profile_validate(&p, cat, rule("offender"), &d), SDB_OK);
    char mixed[512];
    snprintf(mixed, sizeof mixed, "%s;D16S539=9/10/11", ten_loci);
    parse(&p, mixed);
    assert_int_equal(sdb_profile_validate(&p, cat, rule("offender"), &d), SDB_EINVAL);
    assert_string_equal(d.field, "D16S539");
    assert_int_equal(sdb_profile_validate(&p, cat, rule("forensic-mixture"), &d), SDB_OK);
    parse(&p, "D3S1358=15/16;vWA=17/18");
    assert_int_equal(sdb_profile_validate(&p, cat, rule("forensic-unknown"), &d), SDB_EINVAL);
    assert_non_null(strstr(d.reason, "needs at least 8"));
    /* Y duplications: refused in offender, accepted (flagged) in population */
    parse(&p, "DYS19=14/15;DYS389I=13;DYS389II=29;DYS390=24;DYS391=11;DYS392=13;DYS393=13");
    assert_int_equal(sdb_profile_validate(&p, cat, rule("offender"), &d), SDB_EINVAL);
    assert_string_equal(d.field, "DYS19");
    assert_int_equal(sdb_profile_validate(&p, cat, rule("population"), &d), SDB_OK);
    assert_true(p.flags & SDB_PF_YMULTICOPY);
    /* a kit: untyped kit loci mark the profile partial; unknown kits are refused */
    parse(&p, ten_loci);
    assert_int_equal(sdb_profile_set_kit(&p, "GlobalFiler", -1), SDB_OK);
    assert_int_equal(sdb_profile_validate(&p, cat, rule("offender"), &d), SDB_OK);
    assert_true(p.flags & SDB_PF_PARTIAL);
    assert_int_equal(sdb_profile_set_kit(&p, "NoKit", -1), SDB_OK);
    assert_int_equal(sdb_profile_validate(&p, cat, rule("offender"), &d), SDB_EINVAL);
    assert_string_equal(d.field, "kit");
    sdb_profile_reset(&p);
    assert_int_equal(sdb_profile_finish(&p, cat), SDB_OK);
    assert_int_equal(sdb_profile_validate(&p, cat, rule("forensic-mixture"), &d), SDB_EINVAL);
    sdb_profile_free(&p);
    sdb_profile_free(NULL);
}

static void test_copy_equal(void **state)
{
    sdb_profile a, b;
    sdb_profile_init(&a);
    sdb_profile_init(&b);
    parse(&a, ten_loci);
    assert_int_equal(sdb_profile_set_id(&a, "S1", -1), SDB_OK);
    assert_int_equal(sdb_profile_copy(&b, &a), SDB_OK);
    assert_true(sdb_profile_equal(&a, &b));
    b.alleles[3]++;
    assert_false(sdb_profile_equal(&a, &b));
    sdb_profile_free(&a);
    sdb_profile_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sorted_sets),
        cmocka_unit_test(test_flags_and_kind),
        cmocka_unit_test(test_rules),
        cmocka_unit_test(test_copy_equal),
    };
    return cmocka_run_group_tests_name("profile", tests, setup, NULL);
}
