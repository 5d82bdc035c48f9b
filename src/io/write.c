/* Writers: JSON lines and wide CSV. Both are lossless: reading the output
 * back gives the same sample ids, loci and alleles. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "io_internal.h"

static json_t *alleles_json(const sdb_profile *p, const sdb_call *c)
{
    json_t *arr = json_array();
    for (uint32_t k = c->first; arr && k < c->first + c->n; k++) {
        char buf[SDB_ALLELE_STRLEN];
        sdb_allele_format(p->alleles[k], buf);
        if (json_array_append_new(arr, json_string(buf))) {
            json_decref(arr);
            return NULL;
        }
    }
    return arr;
}

static int set_opt(json_t *obj, const char *key, const char *value)
{
    return value && value[0] ? json_object_set_new(obj, key, json_string(value)) : 0;
}

int sdb_write_jsonl(FILE *out, const sdb_catalog *cat, const sdb_profile *p,
                    const sdb_profile_meta *meta)
{
    json_t *obj = json_object(), *loci = json_object(), *flags = json_array();
    int rc = SDB_ENOMEM;
    if (!obj || !loci || !flags) goto done;
    if (json_object_set_new(obj, "sample_id", json_string(p->sample_id ? p->sample_id : "")) ||
        json_object_set_new(obj, "kind", json_string(sdb_kind_name(p->kind))))
        goto done;
    if (meta && (set_opt(obj, "index", meta->index) || set_opt(obj, "basis", meta->basis) ||
                 set_opt(obj, "retain_until", meta->retain_until)))
        goto done;
    if (set_opt(obj, "kit", p->kit) || set_opt(obj, "population", p->population)) goto done;
    char fl[128];
    sdb_flags_format(p->flags, fl, sizeof fl);
    for (char *f = strtok(fl, "|"); f; f = strtok(NULL, "|"))
        if (json_array_append_new(flags, json_string(f))) goto done;
    if (json_object_set(obj, "flags", flags)) goto done;
    for (int i = 0; i < p->n_calls; i++) {
        const sdb_locus *l = sdb_catalog_by_id(cat, p->calls[i].locus);
        json_t *arr = alleles_json(p, &p->calls[i]);
        if (!l || !arr || json_object_set_new(loci, l->name, arr)) goto done;
    }
    if (json_object_set(obj, "loci", loci)) goto done;
    rc = SDB_EIO;
    if (json_dumpf(obj, out, JSON_COMPACT | JSON_PRESERVE_ORDER) || fputc('\n', out) == EOF)
        goto done;
    rc = SDB_OK;
done:
    json_decref(flags);
    json_decref(loci);
    json_decref(obj);
    return rc;
}

struct sdb_csv_layout {
    const sdb_catalog *cat;
    int *width; /* per catalog position: allele columns (0 = locus absent) */
};

int sdb_csv_layout_new(sdb_csv_layout **out, const sdb_catalog *cat)
{
    sdb_csv_layout *l = calloc(1, sizeof *l);
    if (!l || !(l->width = calloc((size_t)sdb_catalog_count(cat), sizeof *l->width))) {
        free(l);
        return SDB_ENOMEM;
    }
    l->cat = cat;
    *out = l;
    return SDB_OK;
}

void sdb_csv_layout_free(sdb_csv_layout *l)
{
    if (!l) return;
    free(l->width);
    free(l);
}

/* Catalog position of a locus id (the catalog is small; linear is fine). */
static int position_of(const sdb_catalog *cat, unsigned id)
{
    for (int i = 0; i < sdb_catalog_count(cat); i++)
        if (sdb_catalog_at(cat, i)->id == id) return i;
    return -1;
}

void sdb_csv_layout_add(sdb_csv_layout *l, const sdb_profile *p)
{
    for (int i = 0; i < p->n_calls; i++) {
        int pos = position_of(l->cat, p->calls[i].locus);
        if (pos < 0) continue;
        int w = sdb_catalog_at(l->cat, pos)->type == SDB_LOCUS_Y ? 1 : p->calls[i].n;
        if (w < 1) w = 1;
        if (w > l->width[pos]) l->width[pos] = w;
    }
}

/* Writes one CSV field, quoted when it holds a comma, quote or line end. */
static void csv_field(FILE *out, const char *s, int first)
{
    if (!first) fputc(',', out);
    if (!s) return;
    if (!strpbrk(s, ",\"\r\n")) {
        fputs(s, out);
        return;
    }
    fputc('"', out);
    for (; *s; s++) {
        if (*s == '"') fputc('"', out);
        fputc(*s, out);
    }
    fputc('"', out);
}

static const char *const meta_columns[] = {"sample_id",    "kind", "index", "basis",
                                           "retain_until", "kit",  "flags"};

int sdb_csv_write_header(FILE *out, const sdb_csv_layout *l)
{
    for (int i = 0; i < 7; i++)
        csv_field(out, meta_columns[i], i == 0);
    for (int i = 0; i < sdb_catalog_count(l->cat); i++) {
        const sdb_locus *loc = sdb_catalog_at(l->cat, i);
        if (loc->type == SDB_LOCUS_Y && l->width[i]) {
            csv_field(out, loc->name, 0);
            continue;
        }
        for (int k = 1; k <= l->width[i]; k++) {
            char name[96];
            snprintf(name, sizeof name, "%s.%d", loc->name, k);
            csv_field(out, name, 0);
        }
    }
    return fputc('\n', out) == EOF ? SDB_EIO : SDB_OK;
}

/* The alleles of call c joined by ',' into buf. */
static void join_alleles(const sdb_profile *p, const sdb_call *c, char *buf, size_t size)
{
    size_t n = 0;
    buf[0] = '\0';
    for (uint32_t k = c->first; k < c->first + c->n && n + SDB_ALLELE_STRLEN + 1 < size; k++) {
        if (k > c->first) buf[n++] = ',';
        n += (size_t)sdb_allele_format(p->alleles[k], buf + n);
    }
}

int sdb_csv_write_row(FILE *out, const sdb_csv_layout *l, const sdb_profile *p,
                      const sdb_profile_meta *meta)
{
    csv_field(out, p->sample_id, 1);
    csv_field(out, sdb_kind_name(p->kind), 0);
    csv_field(out, meta ? meta->index : NULL, 0);
    csv_field(out, meta ? meta->basis : NULL, 0);
    csv_field(out, meta ? meta->retain_until : NULL, 0);
    csv_field(out, p->kit, 0);
    char flags[128];
    csv_field(out, sdb_flags_format(p->flags, flags, sizeof flags), 0);
    for (int i = 0; i < sdb_catalog_count(l->cat); i++) {
        const sdb_locus *loc = sdb_catalog_at(l->cat, i);
        if (!l->width[i]) continue;
        const sdb_call *c = sdb_profile_call(p, loc->id);
        char buf[SDB_ALLELE_STRLEN * 64];
        if (loc->type == SDB_LOCUS_Y) {
            if (c) join_alleles(p, c, buf, sizeof buf);
            csv_field(out, c ? buf : NULL, 0);
            continue;
        }
        for (int k = 0; k < l->width[i]; k++) {
            if (c && k < c->n) sdb_allele_format(p->alleles[c->first + (uint32_t)k], buf);
            csv_field(out, c && k < c->n ? buf : NULL, 0);
        }
    }
    return fputc('\n', out) == EOF ? SDB_EIO : SDB_OK;
}

void sdb_xml_escape(FILE *out, const char *s)
{
    for (; s && *s; s++)
        switch (*s) {
        case '<': fputs("&lt;", out); break;
        case '>': fputs("&gt;", out); break;
        case '&': fputs("&amp;", out); break;
        case '"': fputs("&quot;", out); break;
        default: fputc(*s, out);
        }
}
