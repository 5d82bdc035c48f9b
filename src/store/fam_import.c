/* Import of a Familias DVI file (the [DVI] part of a .fam, include/strdb/fam.h)
 * into the store in one transaction: the typed members of its reference
 * families as profiles of the references' index, its unidentified persons
 * as profiles of the remains index, and each family as a missing-person
 * family (persons, parents, missing flags) under the import's case. The
 * parts go through the ordinary profile and pedigree imports (their checks,
 * provenance and audit records) nested in this transaction, so a refusal
 * anywhere leaves the database as it was. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_internal.h"
#include "strdb/fam.h"
#include "strdb/io.h"

void sdb_fam_import_opts_init(sdb_fam_import_opts *o)
{
    memset(o, 0, sizeof *o);
    o->ref_index = "relative-of-missing";
    o->remains_index = "unidentified-remains";
}

/* A family member's id in the store: "FAMILY/NAME". */
static void member_id(char *buf, size_t size, const sdb_fam_dvi_family *f, int i)
{
    snprintf(buf, size, "%s/%s", f->name, f->ped.ids[i]);
}

/* Names go into CSV fields: no commas, quotes or line breaks. */
static int check_name(const char *path, const char *what, const char *s, sdb_diag *d)
{
    if (!strpbrk(s, ",\"\r\n")) return SDB_OK;
    sdb_diag_set(d, path, 0, what, "'%.60s': a name with a comma or a quote cannot be stored", s);
    return SDB_EINVAL;
}

/* The references (typed members, ids FAMILY/NAME) or the victims as JSON lines. */
static int profiles_jsonl(const sdb_catalog *cat, const sdb_fam_dvi *x, int victims, char **buf,
                          size_t *len, long *n)
{
    FILE *out = open_memstream(buf, len);
    if (!out) return SDB_ENOMEM;
    int rc = SDB_OK;
    *n = 0;
    sdb_profile p;
    sdb_profile_init(&p);
    for (int v = 0; victims && !rc && v < x->n_victims; v++, ++*n)
        rc = sdb_write_jsonl(out, cat, &x->victims[v], NULL);
    for (int k = 0; !victims && !rc && k < x->n_families; k++) {
        const sdb_fam_dvi_family *f = &x->families[k];
        for (int i = 0; !rc && i < f->ped.n; i++) {
            if (!f->profiles[i].n_calls) continue;
            char id[600];
            member_id(id, sizeof id, f, i);
            if (!(rc = sdb_profile_copy(&p, &f->profiles[i])) &&
                !(rc = sdb_profile_set_id(&p, id, -1)))
                rc = sdb_write_jsonl(out, cat, &p, NULL);
            ++*n;
        }
    }
    sdb_profile_free(&p);
    if (fclose(out) && !rc) rc = SDB_ENOMEM;
    return rc;
}

/* The families as the pedigree CSV of docs/pedigree.md. */
static int families_csv(const char *path, const sdb_fam_dvi *x, char **buf, size_t *len,
                        sdb_diag *d)
{
    FILE *out = open_memstream(buf, len);
    if (!out) return SDB_ENOMEM;
    int rc = SDB_OK;
    fprintf(out, "id,father,mother,sex,sample_id,family,missing\n");
    for (int k = 0; !rc && k < x->n_families; k++) {
        const sdb_fam_dvi_family *f = &x->families[k];
        const sdb_fam_pedigree *p = &f->ped;
        rc = check_name(path, "family", f->name, d);
        for (int i = 0; !rc && i < p->n; i++) {
            if ((rc = check_name(path, f->name, p->ids[i], d))) break;
            char id[600], fa[600] = "", mo[600] = "";
            int missing = 0;
            member_id(id, sizeof id, f, i);
            if (p->father[i] >= 0) member_id(fa, sizeof fa, f, p->father[i]);
            if (p->mother[i] >= 0) member_id(mo, sizeof mo, f, p->mother[i]);
            for (int m = 0; m < f->n_missing; m++)
                missing |= f->missing[m] == i;
            fprintf(out, "%s,%s,%s,%c,%s,%s,%d\n", id, fa, mo, p->sex[i],
                    f->profiles[i].n_calls ? id : "", f->name, missing);
        }
    }
    if (fclose(out) && !rc) rc = SDB_ENOMEM;
    return rc;
}

static int read_file(const char *path, char **text, size_t *len, sdb_diag *d)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        sdb_diag_set(d, path, 0, NULL, "cannot open the file");
        return SDB_EIO;
    }
    FILE *mem = open_memstream(text, len);
    char chunk[65536];
    size_t k;
    int rc = mem ? SDB_OK : SDB_ENOMEM;
    while (!rc && (k = fread(chunk, 1, sizeof chunk, f)) > 0)
        if (fwrite(chunk, 1, k, mem) != k) rc = SDB_ENOMEM;
    if (ferror(f) && !rc) {
        sdb_diag_set(d, path, 0, NULL, "read error");
        rc = SDB_EIO;
    }
    fclose(f);
    if (mem && fclose(mem) && !rc) rc = SDB_ENOMEM;
    return rc;
}

/* One nested profile import of a generated JSON lines text. */
static int import_part(sdb_db *db, const sdb_ctx *ctx, const char *path, const char *what,
                       const char *buf, size_t len, const char *index,
                       const sdb_fam_import_opts *o, sdb_diag *d)
{
    sdb_import_opts io;
    sdb_import_opts_init(&io);
    io.index = index;
    io.basis = o->basis;
    io.retain_until = o->retain_until;
    io.read.format = SDB_FMT_JSONL;
    char name[1200];
    snprintf(name, sizeof name, "%s (%s)", path, what);
    sdb_import_stats st;
    return sdb_db_import_mem(db, ctx, name, buf, len, &io, &st, d);
}

int sdb_fam_import(sdb_db *db, const sdb_ctx *ctx, const char *path, const sdb_fam_import_opts *o,
                   sdb_fam_import_stats *st, sdb_diag *d)
{
    memset(st, 0, sizeof *st);
    char *text = NULL, *refs = NULL, *vics = NULL, *peds = NULL;
    size_t len = 0, refs_len = 0, vics_len = 0, peds_len = 0;
    sdb_fam *fam = NULL;
    int victims = o->remains_index && o->remains_index[0];
    int rc = read_file(path, &text, &len, d);
    if (!rc) rc = sdb_fam_parse(&fam, path, text, len, db->cat, d);
    free(text);
    if (!rc && !fam->dvi) {
        sdb_diag_set(d, path, 0, NULL,
                     "no [DVI] part: only Familias DVI files hold missing-person families");
        rc = SDB_EINVAL;
    }
    if (!rc) rc = profiles_jsonl(db->cat, fam->dvi, 0, &refs, &refs_len, &st->references);
    if (!rc && victims) rc = profiles_jsonl(db->cat, fam->dvi, 1, &vics, &vics_len, &st->victims);
    if (!rc) rc = families_csv(path, fam->dvi, &peds, &peds_len, d);
    char params[1200];
    snprintf(params, sizeof params, "file=%s", path);
    if (!rc) rc = sdb_store_begin(db, d);
    if (!rc) {
        if (st->references)
            rc = import_part(db, ctx, path, "references", refs, refs_len, o->ref_index, o, d);
        if (!rc && st->victims)
            rc = import_part(db, ctx, path, "unidentified persons", vics, vics_len,
                             o->remains_index, o, d);
        char name[1200];
        snprintf(name, sizeof name, "%s (families)", path);
        sdb_pedigree_stats ps;
        if (!rc) rc = sdb_pedigree_import_mem(db, ctx, name, peds, peds_len, &ps, d);
        if (!rc) {
            st->families = ps.families;
            st->persons = ps.persons;
            rc = sdb_audit_append(db, ctx, "fam-import", params, st->families, "ok");
        }
        rc = sdb_store_end(db, rc, d);
    }
    if (rc) { /* the nested records are rolled back with the rest: one refusal */
        char outcome[256];
        snprintf(outcome, sizeof outcome, "refused: %s at line %ld", sdb_strerror(rc), d->line);
        if (sdb_audit_append(db, ctx, "fam-import", params, 0, outcome))
            sdb_log(SDB_LOG_ERROR, "could not audit the refused .fam import");
    }
    sdb_fam_free(fam);
    free(refs);
    free(vics);
    free(peds);
    return rc;
}
