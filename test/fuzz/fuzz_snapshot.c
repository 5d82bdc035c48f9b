/* libFuzzer harness: the index snapshot loader (make fuzz; replayed by make
 * check). The input is a snapshot without its checksum: the harness appends
 * a valid BLAKE2b-256, so the fuzzer reaches the parser behind the check.
 * Every snapshot that loads must answer a search. */
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (sdb_init() || size > (1 << 20)) return 0;
    char path[64];
    snprintf(path, sizeof path, "/tmp/strdb-fuzz-snapshot-%d", (int)getpid());
    FILE *f = fopen(path, "wb");
    if (!f) return 0;
    unsigned char sum[32];
    crypto_generichash(sum, sizeof sum, data, size, NULL, 0);
    fwrite(data, 1, size, f);
    fwrite(sum, 1, sizeof sum, f);
    fclose(f);
    sdb_idx *x;
    sdb_diag d;
    if (sdb_idx_load(&x, sdb_catalog_default(), path, NULL, &d) == SDB_OK) {
        sdb_profile q;
        sdb_profile_init(&q);
        if (sdb_genotype_parse(&q, sdb_catalog_default(), "TH01=6/9.3;FGA=20/23;DYS19=14", &d) ==
            SDB_OK) {
            sdb_search_opts o;
            sdb_search_opts_init(&o);
            sdb_hit *hits = NULL;
            long n;
            if (sdb_idx_kind(x) == SDB_KIND_AUTOSOMAL &&
                sdb_genotype_parse(&q, sdb_catalog_default(), "TH01=6/9.3;FGA=20/23", &d) == SDB_OK &&
                sdb_search(x, &q, &o, &hits, &n, &d) == SDB_OK)
                free(hits);
        }
        sdb_profile_free(&q);
        sdb_idx_free(x);
    }
    remove(path);
    return 0;
}
