/* libFuzzer harness: the frequency table loader, all four layouts (make fuzz;
 * replayed by make check). Every table that loads must answer lookups. */
#include <stdint.h>

#include "strdb/strdb.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (sdb_init()) return 0;
    const sdb_catalog *cat = sdb_catalog_default();
    sdb_freq *f = NULL;
    sdb_diag d;
    if (sdb_freq_load_mem(&f, "fuzz.csv", (const char *)data, size, cat, 0, &d)) return 0;
    for (int pop = 0; pop < sdb_freq_n_populations(f); pop++)
        for (int i = 0; i < sdb_catalog_count(cat); i++) {
            const sdb_locus *l = sdb_catalog_at(cat, i);
            double p;
            int how;
            if (sdb_freq_get(f, pop, l, 100, &p, &how, &d) == SDB_OK && !(p > 0 && p <= 1))
                __builtin_trap();
        }
    sdb_freq_free(f);
    return 0;
}
