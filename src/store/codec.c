/* The versioned binary genotype encoding stored in profile.genotype. */
#include <stdlib.h>
#include <string.h>

#include "store_internal.h"

long sdb_genotype_encode(const sdb_profile *p, unsigned char *buf, size_t cap)
{
    size_t need = SDB_GT_HEADER + SDB_GT_ENTRY * (size_t)p->n_alleles;
    if (need > cap) return SDB_ENOMEM;
    buf[0] = SDB_GT_MAGIC0;
    buf[1] = SDB_GT_MAGIC1;
    buf[2] = SDB_GT_VERSION;
    buf[3] = 0;
    unsigned char *o = buf + SDB_GT_HEADER;
    for (int i = 0; i < p->n_calls; i++) {
        const sdb_call *c = &p->calls[i];
        for (uint32_t k = c->first; k < c->first + c->n; k++) {
            uint32_t a = (uint32_t)p->alleles[k];
            o[0] = (unsigned char)c->locus;
            o[1] = (unsigned char)(a & 0xFF);
            o[2] = (unsigned char)(a >> 8);
            o += SDB_GT_ENTRY;
        }
    }
    return (long)need;
}

int sdb_genotype_unpack(const void *blob, size_t len, uint16_t *loci, sdb_allele *alleles, int cap,
                        int *n_out)
{
    const unsigned char *b = blob;
    if (len < SDB_GT_HEADER || b[0] != SDB_GT_MAGIC0 || b[1] != SDB_GT_MAGIC1 ||
        (len - SDB_GT_HEADER) % SDB_GT_ENTRY)
        return SDB_EFORMAT;
    if (b[2] != SDB_GT_VERSION) return SDB_EVERSION;
    size_t n = (len - SDB_GT_HEADER) / SDB_GT_ENTRY;
    if (n > (size_t)cap) return SDB_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        const unsigned char *e = b + SDB_GT_HEADER + i * SDB_GT_ENTRY;
        loci[i] = e[0];
        alleles[i] = (sdb_allele)(e[1] | (unsigned)e[2] << 8);
        if (!sdb_allele_is_valid(alleles[i]) || (i && loci[i] < loci[i - 1])) return SDB_EFORMAT;
    }
    *n_out = (int)n;
    return SDB_OK;
}

int sdb_genotype_decode(sdb_profile *p, const sdb_catalog *cat, const void *blob, size_t len)
{
    int n = len > SDB_GT_HEADER ? (int)((len - SDB_GT_HEADER) / SDB_GT_ENTRY) : 0;
    uint16_t loci_buf[512] = {0}, *loci = loci_buf; /* zeroed: quiets -Wmaybe-uninitialized under LTO */
    sdb_allele alleles_buf[512] = {0}, *alleles = alleles_buf;
    if (n > 512) {
        loci = malloc((size_t)n * sizeof *loci);
        alleles = malloc((size_t)n * sizeof *alleles);
    }
    int rc = loci && alleles ? SDB_OK : SDB_ENOMEM;
    if (!rc) rc = sdb_genotype_unpack(blob, len, loci, alleles, n > 512 ? n : 512, &n);
    if (!rc) rc = sdb_profile_set_sorted(p, cat, loci, alleles, n);
    if (rc == SDB_EINVAL) rc = SDB_EFORMAT; /* entries out of order: a damaged blob */
    if (loci != loci_buf) free(loci);
    if (alleles != alleles_buf) free(alleles);
    return rc;
}
