/* libFuzzer harness: the Familias .fam reader (make fuzz; replayed by make
 * check). A file that parses has persons with ids, pedigrees whose parents
 * are in range and of the right sex, database frequencies in [0, 1], and a
 * [DVI] part whose families have untyped missing persons. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "strdb/strdb.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sdb_fam *f = NULL;
    sdb_diag d;
    if (sdb_fam_parse(&f, "fuzz.fam", (const char *)data, size, sdb_catalog_default(), &d))
        return 0;
    for (int i = 0; i < f->n_pedigrees; i++) {
        const sdb_fam_pedigree *p = &f->pedigrees[i];
        if (p->n < f->n_persons) abort();
        for (int k = 0; k < p->n; k++) {
            if (!p->ids[k] || (p->father[k] >= 0 && p->sex[p->father[k]] != 'M') ||
                (p->mother[k] >= 0 && p->sex[p->mother[k]] != 'F') || p->father[k] >= p->n ||
                p->mother[k] >= p->n)
                abort();
        }
    }
    for (int i = 0; i < f->n_loci; i++)
        for (int k = 0; k < f->loci[i].n; k++)
            if (!(f->loci[i].freq[k] >= 0 && f->loci[i].freq[k] <= 1)) abort();
    for (int i = 0; f->dvi && i < f->dvi->n_families; i++) {
        const sdb_fam_dvi_family *fam = &f->dvi->families[i];
        const sdb_fam_pedigree *p = &fam->ped;
        if (fam->n_missing < 1 || fam->n_missing > p->n) abort();
        for (int k = 0; k < fam->n_missing; k++)
            if (fam->missing[k] < 0 || fam->missing[k] >= p->n || fam->profiles[fam->missing[k]].n_calls)
                abort();
        for (int k = 0; k < p->n; k++)
            if (!p->ids[k] || (p->father[k] >= 0 && p->sex[p->father[k]] != 'M') ||
                (p->mother[k] >= 0 && p->sex[p->mother[k]] != 'F') || p->father[k] >= p->n ||
                p->mother[k] >= p->n)
                abort();
    }
    for (int i = 0; f->dvi && i < f->dvi->n_victims; i++)
        if (!f->dvi->victims[i].sample_id || !strchr("MFU", f->dvi->victim_sex[i])) abort();
    sdb_freq *t = NULL;
    if (!sdb_fam_freq(f, "fam", &t, &d)) sdb_freq_free(t);
    sdb_fam_free(f);
    return 0;
}
