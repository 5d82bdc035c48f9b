/* GeneMapper ID/ID-X genotype tables (long layout: one row per sample and
 * marker), and two relatives (docs/formats.md): the one-allele-per-row
 * layout of strvalidator and EuroForMix (Sample.Name, Marker, Allele; the
 * rows of one marker follow each other), and the allele-list layout of the
 * positive-control tables (control, locus, alleles "14;15"; AMEL 1 = X,
 * 2 = Y). Header names are matched by key, so "Sample Name", "Sample.Name"
 * and "SampleName" are one column, and "Allele 1", "Allele.1", "Allele1" are
 * allele columns. Every other column (Dye, Size n, Height n, Data Point n,
 * Remark, ADO, ...) is ignored.
 *
 * Record boundaries: consecutive rows with one sample name form one record;
 * a marker that repeats inside a run starts a new record with the same name
 * (a re-injection), which the store then treats as a duplicate sample id.
 */
#include <stdlib.h>
#include <string.h>

#include "io_internal.h"

typedef struct gm_state {
    int mode; /* SDB_FMT_GENEMAPPER, SDB_FMT_LONG or SDB_FMT_ALLELES */
    int col_sample, col_marker, col_kit;
    int *allele_cols;
    int n_allele_cols;
    int n_header;
    int have_row; /* tab.fields holds the next record's first row */
    char sample[SDB_SAMPLE_ID_MAX + 1];
    uint8_t seen[65536 / 8]; /* markers seen in the current record, by locus id */
    uint16_t seen_list[512];
    int n_seen;
} gm_state;

static int gm_next(sdb_reader *r, sdb_profile *p, sdb_diag *d);

static void gm_free(void *s)
{
    gm_state *st = s;
    if (st) free(st->allele_cols);
    free(st);
}

/* 1 if key is "ALLELE<digits>" or "ALLELE.<digits>". */
static int is_allele_key(const char *key)
{
    if (strncmp(key, "ALLELE", 6)) return 0;
    key += 6;
    if (*key == '.') key++;
    if (!*key) return 0;
    for (; *key; key++)
        if (*key < '0' || *key > '9') return 0;
    return 1;
}

static int gm_header(sdb_reader *r, gm_state *st, sdb_diag *d)
{
    table *t = &r->tab;
    int rc = sdb_reader_header(r, d);
    if (rc) return rc;
    st->col_sample = st->col_marker = st->col_kit = -1;
    st->n_header = t->n_fields;
    if (!(st->allele_cols = malloc((size_t)t->n_fields * sizeof *st->allele_cols)))
        return SDB_ENOMEM;
    for (int i = 0; i < t->n_fields; i++) {
        char key[64];
        sdb_header_key(&t->fields[i], key, sizeof key);
        if (!strcmp(key, "SAMPLENAME") || !strcmp(key, "SAMPLE.NAME") || !strcmp(key, "SAMPLE") ||
            (st->mode == SDB_FMT_ALLELES && !strcmp(key, "CONTROL")))
            st->col_sample = st->col_sample < 0 ? i : st->col_sample;
        else if (!strcmp(key, "MARKER") || !strcmp(key, "LOCUS"))
            st->col_marker = i;
        else if (!strcmp(key, "KIT"))
            st->col_kit = i;
        else if (st->mode == SDB_FMT_GENEMAPPER ? is_allele_key(key)
                 : !strcmp(key, st->mode == SDB_FMT_LONG ? "ALLELE" : "ALLELES"))
            st->allele_cols[st->n_allele_cols++] = i;
    }
    static const char *const layout[] = {[SDB_FMT_GENEMAPPER] = "GeneMapper",
                                         [SDB_FMT_LONG] = "one-allele-per-row (long)",
                                         [SDB_FMT_ALLELES] = "allele-list"};
    const char *missing = st->col_sample < 0   ? "Sample Name"
                          : st->col_marker < 0 ? "Marker"
                          : !st->n_allele_cols ? (st->mode == SDB_FMT_GENEMAPPER ? "Allele 1"
                                                  : st->mode == SDB_FMT_LONG     ? "Allele"
                                                                                 : "Alleles")
                                               : NULL;
    if (missing) {
        sdb_diag_set(d, r->name, t->line, NULL, "%s header lacks a '%s' column", layout[st->mode],
                     missing);
        return SDB_EFORMAT;
    }
    if (st->mode != SDB_FMT_GENEMAPPER && st->n_allele_cols > 1) {
        sdb_diag_set(d, r->name, t->line, NULL, "%s header has %d '%s' columns", layout[st->mode],
                     st->n_allele_cols, st->mode == SDB_FMT_LONG ? "Allele" : "Alleles");
        return SDB_EFORMAT;
    }
    return SDB_OK;
}

int sdb_genemapper_open(sdb_reader *r, sdb_diag *d)
{
    gm_state *st = calloc(1, sizeof *st);
    if (!st) return SDB_ENOMEM;
    st->mode = r->format == SDB_FMT_LONG || r->format == SDB_FMT_ALLELES ? r->format
                                                                        : SDB_FMT_GENEMAPPER;
    r->state = st;
    r->free_state = gm_free;
    r->next = NULL;
    int rc = gm_header(r, st, d);
    if (rc) return rc;
    r->next = gm_next;
    /* A header with no row after it is an error, not an empty import. */
    if ((rc = sdb_reader_expect_rows(r, d))) return rc;
    if ((rc = sdb_table_next(&r->tab, r->name, d)) < 0) return rc;
    st->have_row = 1;
    return SDB_OK;
}

static void seen_clear(gm_state *st)
{
    for (int i = 0; i < st->n_seen; i++)
        st->seen[st->seen_list[i] >> 3] = 0;
    st->n_seen = 0;
}

/* An allele list "14;15" (also "14/15", "14,15") of the allele-list layout;
 * at a sex locus 1 is X and 2 is Y, as the positive-control tables write them. */
static int add_list(sdb_profile *p, const sdb_locus *l, field cell, int *n, sdb_diag *d)
{
    *n = 0;
    for (size_t i = 0; i < cell.len;) {
        size_t k = i;
        while (k < cell.len && !strchr(";/,", cell.s[k]))
            k++;
        field one = sdb_field_trim((field){cell.s + i, k - i});
        i = k + 1;
        if (!one.len) continue;
        sdb_allele a;
        if (l->type == SDB_LOCUS_SEX && one.len == 1 && (one.s[0] == '1' || one.s[0] == '2'))
            a = one.s[0] == '1' ? SDB_ALLELE_X : SDB_ALLELE_Y;
        else {
            int m;
            int rc = sdb_add_cell_alleles(p, l, one, &m, d);
            if (rc) return rc;
            *n += m;
            continue;
        }
        if (sdb_profile_add(p, l, a)) return SDB_ENOMEM;
        (*n)++;
    }
    return SDB_OK;
}

/* The row's alleles into p at locus l (more: a further row of the marker
 * before, in the one-allele-per-row layout). */
static int add_alleles(sdb_reader *r, gm_state *st, sdb_profile *p, const sdb_locus *l, field *f,
                       sdb_diag *d, int more)
{
    table *t = &r->tab;
    int typed = 0;
    p->add_line = t->line;
    for (int i = 0; i < st->n_allele_cols; i++) {
        field a = f[st->allele_cols[i]];
        if (sdb_field_is_missing(a)) continue;
        int n;
        int rc = st->mode == SDB_FMT_ALLELES ? add_list(p, l, sdb_field_trim(a), &n, d)
                                             : sdb_add_cell_alleles(p, l, a, &n, d);
        if (rc) {
            snprintf(d->file, sizeof d->file, "%s", r->name);
            d->line = t->line;
            if (st->mode == SDB_FMT_GENEMAPPER)
                snprintf(d->field, sizeof d->field, "Allele %d", i + 1);
            else
                snprintf(d->field, sizeof d->field, "%s", st->mode == SDB_FMT_LONG ? "Allele" : "Alleles");
            return rc;
        }
        typed += n;
    }
    if (!typed && !more) p->n_empty_loci++;
    return SDB_OK;
}

/* Processes one row of the current record. Returns SDB_OK, SDB_END when the
 * row's marker was already seen (a new record starts here), SDB_EINVAL. */
static int gm_row(sdb_reader *r, gm_state *st, sdb_profile *p, sdb_diag *d)
{
    table *t = &r->tab;
    field *f = t->fields;
    if (t->n_fields < st->n_header) {
        sdb_diag_set(d, r->name, t->line, NULL, "truncated line: %d of %d fields", t->n_fields,
                     st->n_header);
        return SDB_EINVAL;
    }
    for (int i = st->n_header; i < t->n_fields; i++)
        if (sdb_field_trim(f[i]).len) {
            sdb_diag_set(d, r->name, t->line, NULL, "more fields than the header (%d > %d)",
                         t->n_fields, st->n_header);
            return SDB_EINVAL;
        }
    field m = sdb_field_trim(f[st->col_marker]);
    const sdb_locus *l = sdb_catalog_find(r->cat, m.s, m.len);
    if (!l) {
        sdb_diag_set(d, r->name, t->line, "Marker", "unknown locus '%.*s'",
                     (int)(m.len > 60 ? 60 : m.len), m.s);
        return SDB_EINVAL;
    }
    if (l->type == SDB_LOCUS_CONTROL) return SDB_OK; /* QS1/QS2 rows: not a genotype */
    uint8_t bit = (uint8_t)(1u << (l->id & 7));
    /* one allele per row: the marker of the row before goes on */
    int more = st->mode == SDB_FMT_LONG && st->n_seen && st->seen_list[st->n_seen - 1] == l->id;
    if (more) return add_alleles(r, st, p, l, f, d, 1);
    if (st->seen[l->id >> 3] & bit) return SDB_END;
    if (st->n_seen == (int)(sizeof st->seen_list / sizeof *st->seen_list)) {
        sdb_diag_set(d, r->name, t->line, "Marker", "too many markers in one sample");
        return SDB_EINVAL;
    }
    st->seen[l->id >> 3] |= bit;
    st->seen_list[st->n_seen++] = l->id;
    if (st->col_kit >= 0 && (!p->kit || !p->kit[0]) && sdb_field_trim(f[st->col_kit]).len) {
        field k = sdb_field_trim(f[st->col_kit]);
        if (sdb_profile_set_kit(p, k.s, (long)k.len)) return SDB_ENOMEM;
    }
    return add_alleles(r, st, p, l, f, d, 0);
}

/* States: START (have_row holds the first row of a record) -> ROWS (rows of
 * the same sample, until the name changes, a marker repeats or input ends).
 * After an invalid row the remaining rows of the record are still consumed
 * so that the next call starts cleanly at the next sample. */
static int gm_next(sdb_reader *r, sdb_profile *p, sdb_diag *d)
{
    gm_state *st = r->state;
    table *t = &r->tab;
    if (!st->have_row) return SDB_END;
    seen_clear(st);
    field s = sdb_field_trim(t->fields[st->col_sample < t->n_fields ? st->col_sample : 0]);
    int bad = SDB_OK;
    p->line = t->line;
    if (st->col_sample >= t->n_fields || s.len == 0 || s.len > SDB_SAMPLE_ID_MAX) {
        sdb_diag_set(d, r->name, t->line, "Sample Name",
                     s.len ? "sample name too long" : "empty sample name");
        bad = SDB_EINVAL;
        s.len = 0;
    }
    memcpy(st->sample, s.s, s.len);
    st->sample[s.len] = '\0';
    if (!bad) bad = sdb_reader_set_id(r, p, s, t->line, d);
    for (;;) {
        int rc = bad ? SDB_OK : gm_row(r, st, p, d);
        if (rc == SDB_END) return bad ? bad : SDB_OK; /* repeated marker: row is next record's */
        if (rc == SDB_ENOMEM) return rc;
        if (rc == SDB_EINVAL) bad = rc;
        rc = sdb_table_next(t, r->name, d);
        if (rc < 0) return rc;
        if (rc == 0) {
            st->have_row = 0;
            return bad;
        }
        field n = sdb_field_trim(t->fields[st->col_sample < t->n_fields ? st->col_sample : 0]);
        if (s.len == 0 || n.len != s.len || memcmp(n.s, st->sample, s.len)) return bad;
    }
}
