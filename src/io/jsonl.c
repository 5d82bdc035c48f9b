/* strdb JSON lines: one object per line,
 *   {"sample_id":"S1","loci":{"D3S1358":["15","16"],"AMEL":["X","Y"]},
 *    "kit":"GlobalFiler","population":"Cauc", ...}
 * Alleles are strings (integers are accepted, other numbers refused: a float
 * cannot say 9.3 exactly). An empty array is a locus that was tested but not
 * called, and "flags" holding "partial" marks the profile partial; the other
 * flags and the keys kind, index, basis and retain_until (written by the
 * exporter) are ignored on input: the store derives or assigns them.
 */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "io_internal.h"

static int jsonl_next(sdb_reader *r, sdb_profile *p, sdb_diag *d);

int sdb_jsonl_open(sdb_reader *r, sdb_diag *d)
{
    r->next = jsonl_next;
    return SDB_OK;
}

/* Next non-blank line: [*s, *s + *len); returns 1, 0 at the end, or an
 * error (a streamed file that cannot be read on). */
static int next_line(sdb_reader *r, const char **s, size_t *len, sdb_diag *d)
{
    table *t = &r->tab;
    for (;;) {
        int rc = t->src ? sdb_table_line_ready(t, d) : SDB_OK;
        if (rc) return rc;
        if (t->pos >= t->len) return 0;
        const char *b = t->buf + t->pos;
        const char *nl = memchr(b, '\n', t->len - t->pos);
        size_t n = nl ? (size_t)(nl - b) : t->len - t->pos;
        t->pos += n + (nl != NULL);
        t->line = t->next_line++;
        size_t k = 0;
        while (k < n && (b[k] == ' ' || b[k] == '\t' || b[k] == '\r'))
            k++;
        if (k == n) continue;
        *s = b;
        *len = n;
        return 1;
    }
}

static int allele_text(json_t *v, char *buf, size_t size, const char **out)
{
    if (json_is_string(v)) {
        *out = json_string_value(v);
        return SDB_OK;
    }
    if (json_is_integer(v)) {
        snprintf(buf, size, "%lld", (long long)json_integer_value(v));
        *out = buf;
        return SDB_OK;
    }
    return SDB_EINVAL;
}

static int add_locus(sdb_reader *r, sdb_profile *p, const char *name, json_t *arr, sdb_diag *d)
{
    long line = r->tab.line;
    const sdb_locus *l = sdb_catalog_find(r->cat, name, strlen(name));
    if (!l) {
        sdb_diag_set(d, r->name, line, "loci", "unknown locus '%.60s'", name);
        return SDB_EINVAL;
    }
    if (l->type == SDB_LOCUS_CONTROL) return SDB_OK; /* quality sensor: skipped */
    if (!json_is_array(arr)) {
        sdb_diag_set(d, r->name, line, l->name, "alleles must be an array of strings");
        return SDB_EINVAL;
    }
    size_t i;
    json_t *v;
    int typed = 0;
    json_array_foreach(arr, i, v)
    {
        char num[32];
        const char *s;
        int n;
        if (allele_text(v, num, sizeof num, &s)) {
            sdb_diag_set(d, r->name, line, l->name, "allele must be a string, as \"9.3\"");
            return SDB_EINVAL;
        }
        int rc = sdb_add_cell_alleles(p, l, (field){s, strlen(s)}, &n, d);
        if (rc) {
            snprintf(d->file, sizeof d->file, "%s", r->name);
            d->line = line;
            snprintf(d->field, sizeof d->field, "%s", l->name);
            return rc;
        }
        typed += n;
    }
    if (!typed) p->n_empty_loci++;
    return SDB_OK;
}

static int optional_string(sdb_reader *r, json_t *obj, const char *key, const char **out,
                           sdb_diag *d)
{
    json_t *v = json_object_get(obj, key);
    *out = NULL;
    if (!v || json_is_null(v)) return SDB_OK;
    if (!json_is_string(v)) {
        sdb_diag_set(d, r->name, r->tab.line, key, "must be a string");
        return SDB_EINVAL;
    }
    *out = json_string_value(v);
    return SDB_OK;
}

static int parse_object(sdb_reader *r, json_t *obj, sdb_profile *p, sdb_diag *d)
{
    long line = r->tab.line;
    const char *id, *kit, *pop;
    if (!json_is_object(obj)) {
        sdb_diag_set(d, r->name, line, NULL, "line is not a JSON object");
        return SDB_EINVAL;
    }
    int rc;
    if ((rc = optional_string(r, obj, "sample_id", &id, d)) ||
        (rc = optional_string(r, obj, "kit", &kit, d)) ||
        (rc = optional_string(r, obj, "population", &pop, d)))
        return rc;
    if ((rc = sdb_reader_set_id(r, p, (field){id ? id : "", id ? strlen(id) : 0}, line, d))) return rc;
    if ((kit && sdb_profile_set_kit(p, kit, -1)) || (pop && sdb_profile_set_population(p, pop, -1)))
        return SDB_ENOMEM;
    json_t *flags = json_object_get(obj, "flags"), *flag;
    size_t k;
    json_array_foreach(flags, k, flag)
    {
        if (json_is_string(flag) && !strcmp(json_string_value(flag), "partial"))
            p->flags |= SDB_PF_PARTIAL;
    }
    json_t *loci = json_object_get(obj, "loci");
    if (!json_is_object(loci)) {
        sdb_diag_set(d, r->name, line, "loci", "missing or not an object");
        return SDB_EINVAL;
    }
    const char *name;
    json_t *arr;
    json_object_foreach(loci, name, arr)
    {
        if ((rc = add_locus(r, p, name, arr, d))) return rc;
    }
    return SDB_OK;
}

static int jsonl_next(sdb_reader *r, sdb_profile *p, sdb_diag *d)
{
    const char *s = NULL;
    size_t len = 0;
    int got = next_line(r, &s, &len, d);
    if (got <= 0) return got < 0 ? got : SDB_END;
    p->line = r->tab.line;
    json_error_t err;
    json_t *obj = json_loadb(s, len, JSON_REJECT_DUPLICATES, &err);
    if (!obj) {
        sdb_diag_set(d, r->name, r->tab.line, NULL, "invalid JSON at column %d: %s", err.column,
                     err.text);
        return SDB_EINVAL;
    }
    int rc = parse_object(r, obj, p, d);
    json_decref(obj);
    return rc;
}
