/* Wide tables: one row per sample. Columns are the sample id, optional
 * metadata (population, kit) and loci, either "<locus>.<n>" (one allele per
 * column, as NIST1036_genotypes.csv) or "<locus>" (every allele of the locus
 * in one cell separated by ',', as "11,14" for DYS385 in y23_haplotypes.csv).
 * Several columns may name one locus (DYS385a and DYS385b). A column that is
 * neither metadata nor a known locus is an error: loci are never guessed.
 */
#include <stdlib.h>
#include <string.h>

#include "io_internal.h"

typedef struct wide_state {
    int col_id, col_pop, col_kit, col_flags;
    const sdb_locus **col_locus; /* per column, NULL for metadata */
    char **col_name;             /* per column, the header text (for diagnostics) */
    int *order;                  /* locus columns sorted by locus id, then position: adding
                                    alleles in this order hands sdb_profile_finish sorted runs */
    int n_order;
    int n_cols;
    uint32_t *typed_gen; /* per locus id: record number that typed it */
    uint32_t *seen_gen;  /* per locus id: record number whose row has it */
    uint32_t gen;
    unsigned max_id;
} wide_state;

static int wide_next(sdb_reader *r, sdb_profile *p, sdb_diag *d);

static void wide_free(void *s)
{
    wide_state *st = s;
    if (st) {
        for (int i = 0; st->col_name && i < st->n_cols; i++)
            free(st->col_name[i]);
        free(st->col_name);
        free(st->col_locus);
        free(st->order);
        free(st->typed_gen);
        free(st->seen_gen);
    }
    free(st);
}

static int key_is(const char *key, const char *const *names)
{
    for (; *names; names++)
        if (!strcmp(key, *names)) return 1;
    return 0;
}

/* The locus of a header: the whole name, else the name without a ".<digits>"
 * suffix. NULL if neither is a catalog name. */
static const sdb_locus *column_locus(const sdb_catalog *cat, field h)
{
    h = sdb_field_trim(h);
    const sdb_locus *l = sdb_catalog_find(cat, h.s, h.len);
    if (l) return l;
    size_t i = h.len;
    while (i > 0 && h.s[i - 1] >= '0' && h.s[i - 1] <= '9')
        i--;
    if (i == h.len || i < 2 || h.s[i - 1] != '.') return NULL;
    return sdb_catalog_find(cat, h.s, i - 1);
}

static int classify_column(sdb_reader *r, wide_state *st, int i, sdb_diag *d)
{
    static const char *const id_names[] = {"SAMPLE", "SAMPLENAME", "SAMPLE.NAME", "SAMPLEID",
                                           "ID",     "SPECIMENID", NULL};
    static const char *const pop_names[] = {"POP", "POPULATION", NULL};
    static const char *const kit_names[] = {"KIT", NULL};
    /* written by strdb export; the store assigns these itself on import */
    static const char *const export_names[] = {"KIND", "INDEX", "BASIS", "RETAINUNTIL", NULL};
    field h = r->tab.fields[i];
    char key[64], want[64];
    sdb_header_key(&h, key, sizeof key);
    if (r->opts.id_column) {
        field w = {r->opts.id_column, strlen(r->opts.id_column)};
        sdb_header_key(&w, want, sizeof want);
        if (!strcmp(key, want) && st->col_id < 0) {
            st->col_id = i;
            return SDB_OK;
        }
    } else if (key_is(key, id_names) && st->col_id < 0) {
        st->col_id = i;
        return SDB_OK;
    }
    if (key_is(key, pop_names) && st->col_pop < 0)
        st->col_pop = i;
    else if (key_is(key, kit_names) && st->col_kit < 0)
        st->col_kit = i;
    else if (!strcmp(key, "FLAGS") && st->col_flags < 0)
        st->col_flags = i;
    else if (key_is(key, export_names))
        return SDB_OK;
    else if ((st->col_locus[i] = column_locus(r->cat, h)) &&
             st->col_locus[i]->type == SDB_LOCUS_CONTROL)
        st->col_locus[i] = NULL; /* quality sensor: skipped */
    else if (!st->col_locus[i]) {
        field t = sdb_field_trim(h);
        sdb_diag_set(d, r->name, r->tab.line, NULL, "unknown locus (column %d)", i + 1);
        snprintf(d->field, sizeof d->field, "%.*s", (int)(t.len > 60 ? 60 : t.len), t.s);
        return SDB_EINVAL;
    }
    return SDB_OK;
}

int sdb_wide_open(sdb_reader *r, sdb_diag *d)
{
    wide_state *st = calloc(1, sizeof *st);
    if (!st) return SDB_ENOMEM;
    r->state = st;
    r->free_state = wide_free;
    r->next = wide_next;
    int rc = sdb_reader_header(r, d);
    if (rc) return rc;
    st->n_cols = r->tab.n_fields;
    st->col_id = st->col_pop = st->col_kit = st->col_flags = -1;
    for (int i = 0; i < sdb_catalog_count(r->cat); i++)
        if (sdb_catalog_at(r->cat, i)->id > st->max_id) st->max_id = sdb_catalog_at(r->cat, i)->id;
    st->col_locus = calloc((size_t)st->n_cols, sizeof *st->col_locus);
    st->col_name = calloc((size_t)st->n_cols, sizeof *st->col_name);
    st->typed_gen = calloc(st->max_id + 1, sizeof *st->typed_gen);
    st->seen_gen = calloc(st->max_id + 1, sizeof *st->seen_gen);
    if (!st->col_locus || !st->col_name || !st->typed_gen || !st->seen_gen) return SDB_ENOMEM;
    for (int i = 0; i < st->n_cols; i++) {
        field h = sdb_field_trim(r->tab.fields[i]);
        if (!(st->col_name[i] = strndup(h.s, h.len > 80 ? 80 : h.len))) return SDB_ENOMEM;
    }
    int n_loci = 0;
    for (int i = 0; i < st->n_cols; i++) {
        if ((rc = classify_column(r, st, i, d))) return rc;
        n_loci += st->col_locus[i] != NULL;
    }
    if (!(st->order = malloc((size_t)st->n_cols * sizeof *st->order))) return SDB_ENOMEM;
    for (int i = 0; i < st->n_cols; i++) {
        if (!st->col_locus[i]) continue;
        int k = st->n_order++;
        for (; k > 0 && st->col_locus[st->order[k - 1]]->id > st->col_locus[i]->id; k--)
            st->order[k] = st->order[k - 1];
        st->order[k] = i;
    }
    if (st->col_id < 0 && !r->opts.id_from_line) {
        sdb_diag_set(d, r->name, r->tab.line, NULL, "no sample id column (%s)",
                     r->opts.id_column ? r->opts.id_column : "Sample, Sample Name or id");
        return SDB_EFORMAT;
    }
    if (n_loci == 0) {
        sdb_diag_set(d, r->name, r->tab.line, NULL, "header names no locus column");
        return SDB_EFORMAT;
    }
    return sdb_reader_expect_rows(r, d);
}

/* The exported flags cell ("partial|mixture"): only "partial" is taken, the
 * other flags follow from the alleles. */
static int flags_say_partial(field f)
{
    static const char word[] = "partial";
    for (size_t i = 0; i + sizeof word - 1 <= f.len; i++)
        if (!memcmp(f.s + i, word, sizeof word - 1)) return 1;
    return 0;
}

static int wide_next(sdb_reader *r, sdb_profile *p, sdb_diag *d)
{
    wide_state *st = r->state;
    table *t = &r->tab;
    int rc = sdb_table_next(t, r->name, d);
    if (rc <= 0) return rc == 0 ? SDB_END : rc;
    p->line = t->line;
    if (t->n_fields != st->n_cols) {
        sdb_diag_set(d, r->name, t->line, NULL, "%s line: %d of %d fields",
                     t->n_fields < st->n_cols ? "truncated" : "overlong", t->n_fields, st->n_cols);
        return SDB_EINVAL;
    }
    field *f = t->fields;
    if ((rc = sdb_reader_set_id(r, p, st->col_id >= 0 ? f[st->col_id] : (field){"", 0}, t->line, d)))
        return rc;
    if (st->col_pop >= 0 && !sdb_field_is_missing(f[st->col_pop])) {
        field v = sdb_field_trim(f[st->col_pop]);
        if (sdb_profile_set_population(p, v.s, (long)v.len)) return SDB_ENOMEM;
    }
    if (st->col_kit >= 0 && !sdb_field_is_missing(f[st->col_kit])) {
        field v = sdb_field_trim(f[st->col_kit]);
        if (sdb_profile_set_kit(p, v.s, (long)v.len)) return SDB_ENOMEM;
    }
    if (st->col_flags >= 0 && flags_say_partial(f[st->col_flags])) p->flags |= SDB_PF_PARTIAL;
    uint32_t gen = ++st->gen;
    for (int k = 0; k < st->n_order; k++) {
        int i = st->order[k];
        const sdb_locus *l = st->col_locus[i];
        st->seen_gen[l->id] = gen;
        if (sdb_field_is_missing(f[i])) continue;
        int n;
        if ((rc = sdb_add_cell_alleles(p, l, f[i], &n, d))) {
            snprintf(d->file, sizeof d->file, "%s", r->name);
            d->line = t->line;
            snprintf(d->field, sizeof d->field, "%s", st->col_name[i]);
            return rc;
        }
        if (n) st->typed_gen[l->id] = gen;
    }
    for (int i = 0; i < st->n_cols; i++) {
        const sdb_locus *l = st->col_locus[i];
        if (l && st->seen_gen[l->id] == gen && st->typed_gen[l->id] != gen) {
            p->n_empty_loci++;
            st->seen_gen[l->id] = 0; /* count each locus once */
        }
    }
    return SDB_OK;
}
