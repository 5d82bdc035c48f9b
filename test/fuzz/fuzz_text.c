/* libFuzzer harness: the small text parsers: allele codes, the --genotype
 * syntax and the locus catalog (make fuzz; replayed by make check). */
#include <stdlib.h>
#include <string.h>

#include "strdb/strdb.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (sdb_init()) return 0;
    const sdb_catalog *cat = sdb_catalog_default();
    sdb_allele a;
    if (sdb_allele_parse((const char *)data, size, &a) == SDB_OK) {
        char buf[SDB_ALLELE_STRLEN];
        sdb_allele b;
        /* whatever parses must format and parse back to the same code */
        if (sdb_allele_format(a, buf) < 0 || sdb_allele_parse(buf, strlen(buf), &b) || a != b)
            __builtin_trap();
    }
    char *text = malloc(size + 1);
    if (!text) return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    sdb_profile p;
    sdb_profile_init(&p);
    sdb_diag d;
    if (sdb_genotype_parse(&p, cat, text, &d) == SDB_OK && p.n_calls < 0) __builtin_trap();
    sdb_profile_free(&p);
    sdb_catalog *c = NULL;
    if (sdb_catalog_parse(&c, "fuzz", text, size, &d) == SDB_OK) {
        for (int i = 0; i < sdb_catalog_count(c); i++) {
            const sdb_locus *l = sdb_catalog_at(c, i);
            if (sdb_catalog_find(c, l->name, strlen(l->name)) != l) __builtin_trap();
        }
    }
    sdb_catalog_free(c);
    free(text);
    return 0;
}
