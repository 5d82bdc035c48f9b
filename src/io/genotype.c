/* The --genotype syntax: "D3S1358=15/16;vWA=17,18;AMEL=X/Y". */
#include <string.h>

#include "io_internal.h"

int sdb_genotype_parse(sdb_profile *p, const sdb_catalog *cat, const char *text, sdb_diag *d)
{
    sdb_profile_reset(p);
    const char *s = text;
    while (*s) {
        const char *semi = strchr(s, ';');
        size_t n = semi ? (size_t)(semi - s) : strlen(s);
        field item = sdb_field_trim((field){s, n});
        s += n + (semi != NULL);
        if (!item.len) continue;
        const char *eq = memchr(item.s, '=', item.len);
        if (!eq) {
            sdb_diag_set(d, "--genotype", 0, NULL, "expected LOCUS=ALLELES, got '%.*s'",
                         (int)item.len, item.s);
            return SDB_EINVAL;
        }
        field name = sdb_field_trim((field){item.s, (size_t)(eq - item.s)});
        const sdb_locus *l = sdb_catalog_find(cat, name.s, name.len);
        if (!l) {
            sdb_diag_set(d, "--genotype", 0, NULL, "unknown locus '%.*s'", (int)name.len, name.s);
            return SDB_EINVAL;
        }
        if (l->type == SDB_LOCUS_CONTROL) continue;
        char cell[512];
        size_t vlen = item.len - (size_t)(eq + 1 - item.s);
        if (vlen >= sizeof cell) vlen = sizeof cell - 1;
        memcpy(cell, eq + 1, vlen);
        for (size_t k = 0; k < vlen; k++)
            if (cell[k] == '/') cell[k] = ',';
        int added, rc = sdb_add_cell_alleles(p, l, (field){cell, vlen}, &added, d);
        if (rc) {
            snprintf(d->file, sizeof d->file, "--genotype");
            snprintf(d->field, sizeof d->field, "%s", l->name);
            return rc;
        }
        if (!added) p->n_empty_loci++;
    }
    return sdb_profile_finish(p, cat);
}

int sdb_genotype_format(const sdb_profile *p, const sdb_catalog *cat, char *buf, size_t size)
{
    size_t n = 0;
    if (size) buf[0] = '\0';
    for (int i = 0; i < p->n_calls; i++) {
        const sdb_call *c = &p->calls[i];
        const char *name = sdb_catalog_by_id(cat, c->locus)->name;
        if (n + strlen(name) + 2 + (size_t)c->n * (SDB_ALLELE_STRLEN + 1) >= size) return SDB_ENOMEM;
        n += (size_t)sprintf(buf + n, "%s%s=", i ? ";" : "", name);
        for (uint32_t k = 0; k < c->n; k++) {
            if (k) buf[n++] = '/';
            n += (size_t)sdb_allele_format(p->alleles[c->first + k], buf + n);
        }
        buf[n] = '\0';
    }
    return SDB_OK;
}
