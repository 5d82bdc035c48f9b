/* The versioned binary genotype encoding stored in profile.genotype. */
#include <string.h>

#include "store_internal.h"

long genotype_encode(const sdb_profile *p, unsigned char *buf, size_t cap)
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

int genotype_decode(sdb_profile *p, const sdb_catalog *cat, const void *blob, size_t len)
{
    const unsigned char *b = blob;
    if (len < SDB_GT_HEADER || b[0] != SDB_GT_MAGIC0 || b[1] != SDB_GT_MAGIC1 ||
        (len - SDB_GT_HEADER) % SDB_GT_ENTRY)
        return SDB_EFORMAT;
    if (b[2] != SDB_GT_VERSION) return SDB_EVERSION;
    p->n_pend = 0;
    for (size_t off = SDB_GT_HEADER; off < len; off += SDB_GT_ENTRY) {
        unsigned locus = b[off];
        sdb_allele a = (sdb_allele)(b[off + 1] | (unsigned)b[off + 2] << 8);
        const sdb_locus *l = sdb_catalog_by_id(cat, locus);
        if (!l || !sdb_allele_is_valid(a)) return SDB_EFORMAT;
        if (sdb_profile_add(p, l, a)) return SDB_ENOMEM;
    }
    return sdb_profile_finish(p, cat);
}
