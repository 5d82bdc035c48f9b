/* Allele frequency tables: four layouts, several populations, the NRC II
 * minimum frequency. Parser states are per layout; each reads the whole file
 * with the io tokenizer after the same UTF-8/binary check as profile files. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "io/io_internal.h"
#include "strdb/stats.h"

typedef struct entry {
    sdb_allele allele;
    double freq;
} entry;

typedef struct locus_table {
    entry *e;
    int n, cap;
    long n_alleles; /* 2N, 0 if the table does not say */
    int present;
} locus_table;

typedef struct pop_table {
    char name[96];
    locus_table loci[SDB_LOCUS_ID_MAX + 1];
} pop_table;

struct sdb_freq {
    pop_table *pops;
    int n_pops;
    sdb_min_rule min_rule;
    double min_freq;
    char *warnings;
    size_t warn_len;
    int counting; /* built by sdb_freq_count_*: entries hold counts until finish */
};

void sdb_freq_free(sdb_freq *f)
{
    if (!f) return;
    for (int i = 0; i < f->n_pops; i++)
        for (int l = 0; l <= SDB_LOCUS_ID_MAX; l++)
            free(f->pops[i].loci[l].e);
    free(f->pops);
    free(f->warnings);
    free(f);
}

static int add_population(sdb_freq *f, const char *name, size_t len)
{
    for (int i = 0; i < f->n_pops; i++)
        if (strlen(f->pops[i].name) == len && !memcmp(f->pops[i].name, name, len)) return i;
    pop_table *p = realloc(f->pops, (size_t)(f->n_pops + 1) * sizeof *p);
    if (!p) return SDB_ENOMEM;
    f->pops = p;
    memset(&p[f->n_pops], 0, sizeof *p);
    snprintf(p[f->n_pops].name, sizeof p[f->n_pops].name, "%.*s", (int)len, name);
    return f->n_pops++;
}

/* Adds (or for counting tables, increments) one allele's value. */
static int put(sdb_freq *f, int pop, unsigned locus, sdb_allele a, double value)
{
    locus_table *t = &f->pops[pop].loci[locus];
    t->present = 1;
    for (int i = 0; i < t->n; i++)
        if (t->e[i].allele == a) {
            if (!f->counting) return SDB_EDUP;
            t->e[i].freq += value;
            return SDB_OK;
        }
    if (t->n == t->cap) {
        int cap = t->cap ? 2 * t->cap : 16;
        entry *e = realloc(t->e, (size_t)cap * sizeof *e);
        if (!e) return SDB_ENOMEM;
        t->e = e;
        t->cap = cap;
    }
    int k = t->n++;
    for (; k > 0 && t->e[k - 1].allele > a; k--)
        t->e[k] = t->e[k - 1];
    t->e[k] = (entry){a, value};
    return SDB_OK;
}

static void warn_sum(sdb_freq *f, double sum, const char *locus, const char *pop)
{
    char line[256];
    int n = snprintf(line, sizeof line, "locus %s in population '%s': frequencies sum to %.6f",
                     locus, pop, sum);
    char *w = realloc(f->warnings, f->warn_len + (size_t)n + 2);
    if (!w) return;
    f->warnings = w;
    if (f->warn_len) w[f->warn_len++] = '\n';
    memcpy(w + f->warn_len, line, (size_t)n + 1);
    f->warn_len += (size_t)n;
}

/* Sums per population and locus must be 1 within 0.01. */
static int check_sums(sdb_freq *f, const sdb_catalog *cat, int strict, const char *name,
                      sdb_diag *d)
{
    for (int i = 0; i < f->n_pops; i++)
        for (int l = 0; l <= SDB_LOCUS_ID_MAX; l++) {
            const locus_table *t = &f->pops[i].loci[l];
            if (!t->present) continue;
            double sum = 0;
            for (int k = 0; k < t->n; k++)
                sum += t->e[k].freq;
            if (fabs(sum - 1.0) <= 0.01) continue;
            const char *ln = sdb_catalog_by_id(cat, (unsigned)l)->name;
            if (strict) {
                sdb_diag_set(d, name, 0, ln, "frequencies in population '%s' sum to %.6f, not 1",
                             f->pops[i].name, sum);
                return SDB_EINVAL;
            }
            warn_sum(f, sum, ln, f->pops[i].name);
        }
    return SDB_OK;
}

/* A locus column or name kept by a table: NULL with *skip set for loci that
 * frequency tables do not serve (sex, Y, control); NULL otherwise = unknown. */
static const sdb_locus *table_locus(const sdb_catalog *cat, field name, int *skip)
{
    name = sdb_field_trim(name);
    const sdb_locus *l = sdb_catalog_find(cat, name.s, name.len);
    *skip =
        l && (l->type == SDB_LOCUS_SEX || l->type == SDB_LOCUS_Y || l->type == SDB_LOCUS_CONTROL);
    return *skip ? NULL : l;
}

/* A non-negative integer field (sample or allele counts); 0 if unreadable. */
static long field_count(field v)
{
    v = sdb_field_trim(v);
    long n = 0;
    for (size_t i = 0; i < v.len && n < 1000000000L; i++) {
        if (v.s[i] < '0' || v.s[i] > '9') return 0;
        n = n * 10 + (v.s[i] - '0');
    }
    return n;
}

static int parse_freq(field v, double *out)
{
    char buf[64];
    v = sdb_field_trim(v);
    if (!v.len || v.len >= sizeof buf) return -1;
    memcpy(buf, v.s, v.len);
    buf[v.len] = '\0';
    /* a decimal comma (EuroForMix and LRmix tables from European spreadsheets):
     * one comma, no point, in a field that the delimiter did not split */
    char *comma = strchr(buf, ',');
    if (comma && !strchr(buf, '.') && !strchr(comma + 1, ',')) *comma = '.';
    char *end;
    double x = strtod(buf, &end);
    if (*end || !(x >= 0 && x <= 1)) return -1;
    *out = x;
    return 0;
}

static int bad_field(sdb_diag *d, const char *name, long line, const char *column, field v,
                     const char *what)
{
    v = sdb_field_trim(v);
    sdb_diag_set(d, name, line, column, "%s '%.*s'", what, (int)(v.len > 40 ? 40 : v.len), v.s);
    return SDB_EINVAL;
}

/* Adds one value, turning parse and duplicate problems into diagnostics. */
static int put_text(sdb_freq *f, int pop, const sdb_locus *l, field allele, double value,
                    const char *name, long line, sdb_diag *d)
{
    sdb_allele a;
    field t = sdb_field_trim(allele);
    char buf[32];
    const char *comma = t.len < sizeof buf ? memchr(t.s, ',', t.len) : NULL;
    if (comma && !memchr(t.s, '.', t.len)) { /* "9,3": a decimal comma */
        memcpy(buf, t.s, t.len);
        buf[comma - t.s] = '.';
        t.s = buf;
    }
    if (sdb_allele_parse(t.s, t.len, &a) || !sdb_allele_is_numeric(a))
        return bad_field(d, name, line, "allele", allele, "unreadable allele");
    int rc = put(f, pop, l->id, a, value);
    if (rc == SDB_EDUP) return bad_field(d, name, line, l->name, allele, "allele listed twice:");
    return rc;
}

/* Long layout: [population,]locus,allele,frequency[,n_alleles]. */
static int read_long(sdb_freq *f, table *t, const sdb_catalog *cat, const char *name,
                     const char *single, sdb_diag *d)
{
    int c_pop = -1, c_locus = -1, c_allele = -1, c_freq = -1, c_n = -1;
    for (int i = 0; i < t->n_fields; i++) {
        char key[64];
        sdb_header_key(&t->fields[i], key, sizeof key);
        if (!strcmp(key, "POPULATION"))
            c_pop = i;
        else if (!strcmp(key, "LOCUS") || !strcmp(key, "MARKER"))
            c_locus = i;
        else if (!strcmp(key, "ALLELE"))
            c_allele = i;
        else if (!strcmp(key, "FREQUENCY"))
            c_freq = i;
        else if (!strcmp(key, "NALLELES"))
            c_n = i;
    }
    int n_cols = t->n_fields, rc;
    if (c_locus < 0 || c_allele < 0 || c_freq < 0) {
        sdb_diag_set(d, name, t->line, NULL, "header needs locus, allele and frequency columns");
        return SDB_EFORMAT;
    }
    int single_pop = c_pop < 0 ? add_population(f, single, strlen(single)) : -1;
    if (single_pop < -1) return single_pop;
    while ((rc = sdb_table_next(t, name, d)) == 1) {
        field *v = t->fields;
        if (t->n_fields != n_cols) {
            sdb_diag_set(d, name, t->line, NULL, "%d fields, header has %d", t->n_fields, n_cols);
            return SDB_EINVAL;
        }
        int skip;
        const sdb_locus *l = table_locus(cat, v[c_locus], &skip);
        if (skip) continue;
        if (!l) return bad_field(d, name, t->line, "locus", v[c_locus], "unknown locus");
        int pop = single_pop;
        if (c_pop >= 0) {
            field pn = sdb_field_trim(v[c_pop]);
            if ((pop = add_population(f, pn.s, pn.len)) < 0) return pop;
        }
        double x;
        if (parse_freq(v[c_freq], &x))
            return bad_field(d, name, t->line, "frequency", v[c_freq], "not a frequency:");
        if ((rc = put_text(f, pop, l, v[c_allele], x, name, t->line, d))) return rc;
        if (c_n >= 0) f->pops[pop].loci[l->id].n_alleles = field_count(v[c_n]);
    }
    return rc < 0 ? rc : SDB_OK;
}

/* Columns of a wide table from column `first` on: locus per column or NULL. */
static int wide_columns(const table *t, int first, const sdb_catalog *cat, const sdb_locus **cols,
                        const char *name, sdb_diag *d)
{
    for (int i = first; i < t->n_fields; i++) {
        int skip;
        cols[i] = table_locus(cat, t->fields[i], &skip);
        if (!cols[i] && !skip)
            return bad_field(d, name, t->line, "header", t->fields[i], "unknown locus");
    }
    return SDB_OK;
}

/* One row of a wide table: frequencies per locus column for `allele`. */
static int wide_row(sdb_freq *f, int pop, const table *t, int first, const sdb_locus **cols,
                    field allele, const char *name, sdb_diag *d)
{
    for (int i = first; i < t->n_fields; i++) {
        if (!cols[i] || sdb_field_is_missing(t->fields[i])) continue;
        double x;
        if (parse_freq(t->fields[i], &x))
            return bad_field(d, name, t->line, cols[i]->name, t->fields[i], "not a frequency:");
        int rc = put_text(f, pop, cols[i], allele, x, name, t->line, d);
        if (rc) return rc;
    }
    return SDB_OK;
}

/* FSIgen wide layout: Allele,<locus>,...; a last row "N" of sample sizes. */
static int read_fsigen(sdb_freq *f, table *t, const sdb_catalog *cat, const char *name,
                       const char *single, sdb_diag *d)
{
    const sdb_locus **cols = calloc((size_t)t->n_fields, sizeof *cols);
    int n_cols = t->n_fields, rc = SDB_ENOMEM;
    int pop = add_population(f, single, strlen(single));
    if (!cols || pop < 0) goto done;
    if ((rc = wide_columns(t, 1, cat, cols, name, d))) goto done;
    while ((rc = sdb_table_next(t, name, d)) == 1) {
        rc = SDB_EINVAL;
        if (t->n_fields != n_cols) {
            sdb_diag_set(d, name, t->line, NULL, "%d fields, header has %d", t->n_fields, n_cols);
            goto done;
        }
        field a = sdb_field_trim(t->fields[0]);
        if (a.len == 1 && (a.s[0] == 'N' || a.s[0] == 'n')) { /* sample sizes */
            for (int i = 1; i < n_cols; i++)
                if (cols[i])
                    f->pops[pop].loci[cols[i]->id].n_alleles = 2 * field_count(t->fields[i]);
            continue;
        }
        if ((rc = wide_row(f, pop, t, 1, cols, a, name, d))) goto done;
    }
done:
    free(cols);
    return rc < 0 ? rc : SDB_OK;
}

/* strvalidator database.txt: Database<TAB>N<TAB>Allele<TAB><locus>... */
static int read_strvalidator(sdb_freq *f, table *t, const sdb_catalog *cat, const char *name,
                             sdb_diag *d)
{
    int c_db = -1, c_n = -1, c_allele = -1, n_cols = t->n_fields, rc = SDB_ENOMEM;
    for (int i = 0; i < n_cols; i++) {
        char key[64];
        sdb_header_key(&t->fields[i], key, sizeof key);
        if (!strcmp(key, "DATABASE"))
            c_db = i;
        else if (!strcmp(key, "N"))
            c_n = i;
        else if (!strcmp(key, "ALLELE"))
            c_allele = i;
    }
    if (c_db < 0 || c_n < 0 || c_allele < 0) {
        sdb_diag_set(d, name, t->line, NULL, "strvalidator header needs Database, N and Allele");
        return SDB_EFORMAT;
    }
    const sdb_locus **cols = calloc((size_t)n_cols, sizeof *cols);
    if (!cols || (rc = wide_columns(t, c_allele + 1, cat, cols, name, d))) goto done;
    while ((rc = sdb_table_next(t, name, d)) == 1) {
        rc = SDB_EINVAL;
        if (t->n_fields != n_cols) {
            sdb_diag_set(d, name, t->line, NULL, "%d fields, header has %d", t->n_fields, n_cols);
            goto done;
        }
        field db = sdb_field_trim(t->fields[c_db]);
        int pop = add_population(f, db.s, db.len);
        if (pop < 0) goto done;
        long n = field_count(t->fields[c_n]);
        for (int i = c_allele + 1; i < n_cols; i++)
            if (cols[i]) f->pops[pop].loci[cols[i]->id].n_alleles = 2 * n;
        if ((rc = wide_row(f, pop, t, c_allele + 1, cols, t->fields[c_allele], name, d))) goto done;
    }
done:
    free(cols);
    return rc < 0 ? rc : SDB_OK;
}

/* Familias text: "<locus>" line, "allele<TAB>frequency" lines, blank line. */
static int read_familias(sdb_freq *f, const char *text, size_t len, const sdb_catalog *cat,
                         const char *name, const char *single, sdb_diag *d)
{
    int pop = add_population(f, single, strlen(single));
    if (pop < 0) return pop;
    const sdb_locus *cur = NULL;
    int skipping = 0, in_block = 0;
    long line = 0;
    for (size_t pos = 0; pos < len;) {
        const char *s = text + pos, *nl = memchr(s, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - s) : len - pos;
        pos += n + (nl != NULL);
        line++;
        field row = sdb_field_trim((field){s, n});
        if (row.len && row.s[row.len - 1] == '\r') row = sdb_field_trim((field){row.s, row.len - 1});
        if (!row.len) {
            in_block = 0;
            continue;
        }
        const char *tab = memchr(row.s, '\t', row.len);
        if (!in_block) { /* a locus name line */
            cur = table_locus(cat, row, &skipping);
            if (!cur && !skipping) return bad_field(d, name, line, "locus", row, "unknown locus");
            in_block = 1;
            continue;
        }
        if (!tab) return bad_field(d, name, line, NULL, row, "expected allele<TAB>frequency, got");
        if (skipping) continue;
        field a = {row.s, (size_t)(tab - row.s)};
        field v = {tab + 1, row.len - (size_t)(tab - row.s) - 1};
        double x;
        if (parse_freq(v, &x)) return bad_field(d, name, line, cur->name, v, "not a frequency:");
        int rc = put_text(f, pop, cur, a, x, name, line, d);
        if (rc) return rc;
    }
    return SDB_OK;
}

/* The population name of single-population layouts: the file's base name. */
static void base_name(const char *path, char *out, size_t size)
{
    const char *b = strrchr(path, '/');
    b = b ? b + 1 : path;
    size_t n = strcspn(b, ".");
    snprintf(out, size, "%.*s", (int)(n ? n : strlen(b)), b);
}

/* Layout detection from the first line: a tab-separated header starting
 * with Database is strvalidator; a first field Allele is the wide layout of
 * FSIgen, EuroForMix, LRmix Studio and CaseSolver (comma, semicolon or tab;
 * decimal point or comma; an empty cell: the allele is absent there); a header
 * naming locus/allele/frequency columns is the long layout; anything else is
 * Familias text. */
int sdb_freq_load_mem(sdb_freq **out, const char *name, const char *text, size_t len,
                      const sdb_catalog *cat, int strict, sdb_diag *d)
{
    *out = NULL;
    long start = sdb_text_check(text, len, name, d);
    if (start < 0) return (int)start;
    text += start;
    len -= (size_t)start;
    sdb_freq *f = calloc(1, sizeof *f);
    if (!f) return SDB_ENOMEM;
    char single[96];
    base_name(name, single, sizeof single);
    const char *nl = memchr(text, '\n', len);
    char delim = sdb_header_delim(text, nl ? (size_t)(nl - text) : len);
    table t;
    sdb_table_init(&t, text, len, delim);
    int rc = sdb_table_next(&t, name, d);
    char k0[64] = "";
    int has_locus = 0, has_freq = 0;
    for (int i = 0; rc == 1 && i < t.n_fields; i++) {
        char key[64];
        sdb_header_key(&t.fields[i], key, sizeof key);
        if (i == 0) memcpy(k0, key, sizeof k0);
        has_locus |= !strcmp(key, "LOCUS") || !strcmp(key, "MARKER");
        has_freq |= !strcmp(key, "FREQUENCY");
    }
    if (rc == 1 && delim == '\t' && !strcmp(k0, "DATABASE"))
        rc = read_strvalidator(f, &t, cat, name, d);
    else if (rc == 1 && !strcmp(k0, "ALLELE"))
        rc = read_fsigen(f, &t, cat, name, single, d);
    else if (rc == 1 && has_locus && has_freq)
        rc = read_long(f, &t, cat, name, single, d);
    else if (rc >= 0)
        rc = read_familias(f, text, len, cat, name, single, d);
    sdb_table_free(&t);
    if (!rc && f->n_pops == 0) {
        sdb_diag_set(d, name, 0, NULL, "no frequency found");
        rc = SDB_EFORMAT;
    }
    if (!rc) rc = check_sums(f, cat, strict, name, d);
    if (rc) {
        sdb_freq_free(f);
        return rc;
    }
    *out = f;
    return SDB_OK;
}

int sdb_freq_load(sdb_freq **out, const char *path, const sdb_catalog *cat, int strict, sdb_diag *d)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        sdb_diag_set(d, path, 0, NULL, "cannot open the frequency table");
        return SDB_EIO;
    }
    char *buf = NULL;
    size_t len = 0;
    int rc = sdb_slurp(fp, &buf, &len);
    fclose(fp);
    if (rc) {
        sdb_diag_set(d, path, 0, NULL,
                     rc == SDB_EIO ? "cannot read the frequency table" : "out of memory");
        return rc;
    }
    rc = sdb_freq_load_mem(out, path, buf, len, cat, strict, d);
    free(buf);
    return rc;
}

int sdb_freq_n_populations(const sdb_freq *f)
{
    return f->n_pops;
}

const char *sdb_freq_population(const sdb_freq *f, int i)
{
    return i >= 0 && i < f->n_pops ? f->pops[i].name : NULL;
}

int sdb_freq_find_population(const sdb_freq *f, const char *name)
{
    for (int i = 0; i < f->n_pops; i++)
        if (!strcmp(f->pops[i].name, name)) return i;
    return -1;
}

const char *sdb_freq_warnings(const sdb_freq *f)
{
    return f->warnings ? f->warnings : "";
}

void sdb_freq_set_minimum(sdb_freq *f, sdb_min_rule rule, double value)
{
    f->min_rule = rule;
    f->min_freq = value;
}

int sdb_min_rule_parse(const char *text, sdb_min_rule *rule, double *value)
{
    *value = 0;
    if (!strcmp(text, "none")) {
        *rule = SDB_MIN_NONE;
        return SDB_OK;
    }
    if (!strcmp(text, "5/2N")) {
        *rule = SDB_MIN_NRC;
        return SDB_OK;
    }
    char *end;
    double v = strtod(text, &end);
    if (end == text || *end || !(v > 0 && v <= 1)) return SDB_EINVAL;
    *rule = SDB_MIN_FIXED;
    *value = v;
    return SDB_OK;
}

const char *sdb_freq_minimum_text(const sdb_freq *f, char *buf, size_t size)
{
    if (f->min_rule == SDB_MIN_FIXED)
        snprintf(buf, size, "%.10g", f->min_freq);
    else
        snprintf(buf, size, "%s", f->min_rule == SDB_MIN_NONE ? "none" : "5/2N");
    return buf;
}

int sdb_freq_get(const sdb_freq *f, int pop, const sdb_locus *locus, sdb_allele a, double *freq,
                 int *how, sdb_diag *d)
{
    const locus_table *t = &f->pops[pop].loci[locus->id];
    if (!t->present) {
        sdb_diag_set(d, NULL, 0, locus->name, "locus not in population '%s' of the table",
                     f->pops[pop].name);
        return SDB_ENOTFOUND;
    }
    double x = 0;
    int lo = 0, hi = t->n - 1;
    while (lo <= hi) {
        int mid = (lo + hi) / 2;
        if (t->e[mid].allele == a) {
            x = t->e[mid].freq;
            break;
        }
        if (t->e[mid].allele < a)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    /* 5/2N; a table of fewer than 5 alleles at a locus makes that 1 at most */
    double minimum = f->min_rule == SDB_MIN_NONE    ? 0
                     : f->min_rule == SDB_MIN_FIXED ? f->min_freq
                     : t->n_alleles > 0             ? fmin(5.0 / (double)t->n_alleles, 1.0)
                                                    : f->min_freq;
    *how = SDB_FREQ_TABLE;
    if (x >= minimum && x > 0) {
        *freq = x;
        return SDB_OK;
    }
    if (minimum <= 0) {
        char text[SDB_ALLELE_STRLEN];
        sdb_allele_format(a, text);
        if (f->min_rule == SDB_MIN_NONE)
            sdb_diag_set(d, NULL, 0, locus->name,
                         "allele %s is not in the table, which --min-freq none takes as given: "
                         "add it to the table or choose a minimum (--min-freq 5/2N or F)",
                         text);
        else
            sdb_diag_set(d, NULL, 0, locus->name,
                         "allele %s is not in the table and the table gives no allele count for "
                         "the 5/2N minimum: set a minimum frequency (--min-freq F)",
                         text);
        return SDB_EINVAL;
    }
    *freq = minimum;
    *how = SDB_FREQ_MINIMUM;
    return SDB_OK;
}

int sdb_freq_locus_alleles(const sdb_freq *f, int pop, unsigned locus_id)
{
    return locus_id <= SDB_LOCUS_ID_MAX ? f->pops[pop].loci[locus_id].n : 0;
}

int sdb_freq_locus_allele(const sdb_freq *f, int pop, unsigned locus_id, int i, sdb_allele *a,
                          double *freq)
{
    const locus_table *t = &f->pops[pop].loci[locus_id];
    if (i < 0 || i >= t->n) return SDB_ENOTFOUND;
    *a = t->e[i].allele;
    *freq = t->e[i].freq;
    return SDB_OK;
}

int sdb_freq_count_new(sdb_freq **out)
{
    sdb_freq *f = calloc(1, sizeof *f);
    if (!f) return SDB_ENOMEM;
    f->counting = 1;
    *out = f;
    return SDB_OK;
}

int sdb_freq_count_add(sdb_freq *f, const char *population, const sdb_catalog *cat,
                       const sdb_profile *p)
{
    int pop = add_population(f, population, strlen(population));
    if (pop < 0) return pop;
    for (int i = 0; i < p->n_calls; i++) {
        const sdb_call *c = &p->calls[i];
        const sdb_locus *l = sdb_catalog_by_id(cat, c->locus);
        if (l->type != SDB_LOCUS_AUTOSOMAL || c->n > 2) continue;
        for (uint32_t k = c->first; k < c->first + c->n; k++) {
            if (!sdb_allele_is_numeric(p->alleles[k])) continue;
            /* a homozygote (one listed allele) carries two copies */
            int rc = put(f, pop, c->locus, p->alleles[k], c->n == 1 ? 2.0 : 1.0);
            if (rc) return rc;
            f->pops[pop].loci[c->locus].n_alleles += c->n == 1 ? 2 : 1;
        }
    }
    return SDB_OK;
}

void sdb_freq_count_finish(sdb_freq *f)
{
    for (int i = 0; i < f->n_pops; i++)
        for (int l = 0; l <= SDB_LOCUS_ID_MAX; l++) {
            locus_table *t = &f->pops[i].loci[l];
            for (int k = 0; k < t->n; k++)
                t->e[k].freq /= (double)t->n_alleles;
        }
    f->counting = 0;
}

/* The loci of population pop that have alleles, in catalog order. */
static int pop_loci(const sdb_freq *f, int pop, const sdb_catalog *cat, const sdb_locus **out)
{
    int n = 0;
    for (int c = 0; c < sdb_catalog_count(cat); c++) {
        const sdb_locus *l = sdb_catalog_at(cat, c);
        if (f->pops[pop].loci[l->id].n) out[n++] = l;
    }
    return n;
}

static int cmp_allele(const void *a, const void *b)
{
    sdb_allele x = *(const sdb_allele *)a, y = *(const sdb_allele *)b;
    return x < y ? -1 : x > y;
}

/* The EuroForMix / LRmix wide layout of one population: Allele;L1;L2;...,
 * one row per allele of any locus (sorted), empty where a locus lacks it. */
static int write_euroformix(const sdb_freq *f, int pop, const sdb_catalog *cat, FILE *out)
{
    const sdb_locus *loci[SDB_LOCUS_ID_MAX + 1];
    int nl = pop_loci(f, pop, cat, loci);
    size_t cap = 0, n = 0;
    for (int i = 0; i < nl; i++)
        cap += (size_t)f->pops[pop].loci[loci[i]->id].n;
    sdb_allele *all = malloc(cap * sizeof *all + 1);
    if (!all) return SDB_ENOMEM;
    for (int i = 0; i < nl; i++) {
        const locus_table *t = &f->pops[pop].loci[loci[i]->id];
        for (int k = 0; k < t->n; k++)
            all[n++] = t->e[k].allele;
    }
    qsort(all, n, sizeof *all, cmp_allele);
    fputs("Allele", out);
    for (int i = 0; i < nl; i++)
        fprintf(out, ";%s", loci[i]->name);
    fputc('\n', out);
    for (size_t k = 0; k < n; k++) {
        if (k && all[k] == all[k - 1]) continue;
        char a[SDB_ALLELE_STRLEN];
        sdb_allele_format(all[k], a);
        fputs(a, out);
        for (int i = 0; i < nl; i++) {
            const locus_table *t = &f->pops[pop].loci[loci[i]->id];
            fputc(';', out);
            for (int e = 0; e < t->n; e++)
                if (t->e[e].allele == all[k]) fprintf(out, "%.15g", t->e[e].freq);
        }
        fputc('\n', out);
    }
    free(all);
    return ferror(out) ? SDB_EIO : SDB_OK;
}

/* Familias frequency text of one population: a locus name line, then
 * "allele<TAB>frequency" lines, a blank line between loci. */
static int write_familias(const sdb_freq *f, int pop, const sdb_catalog *cat, FILE *out)
{
    const sdb_locus *loci[SDB_LOCUS_ID_MAX + 1];
    int nl = pop_loci(f, pop, cat, loci);
    for (int i = 0; i < nl; i++) {
        const locus_table *t = &f->pops[pop].loci[loci[i]->id];
        fprintf(out, "%s%s\n", i ? "\n" : "", loci[i]->name);
        for (int k = 0; k < t->n; k++) {
            char a[SDB_ALLELE_STRLEN];
            sdb_allele_format(t->e[k].allele, a);
            fprintf(out, "%s\t%.15g\n", a, t->e[k].freq);
        }
    }
    return ferror(out) ? SDB_EIO : SDB_OK;
}

int sdb_freq_write_layout(const sdb_freq *f, const sdb_catalog *cat, const char *layout, int pop,
                          FILE *out)
{
    if (!strcmp(layout, "long")) return sdb_freq_write(f, cat, out);
    if (pop < 0 || pop >= f->n_pops) return SDB_EINVAL;
    if (!strcmp(layout, "euroformix")) return write_euroformix(f, pop, cat, out);
    if (!strcmp(layout, "familias")) return write_familias(f, pop, cat, out);
    return SDB_EINVAL;
}

int sdb_freq_write(const sdb_freq *f, const sdb_catalog *cat, FILE *out)
{
    fprintf(out, "population,locus,allele,frequency,n_alleles\n");
    for (int i = 0; i < f->n_pops; i++)
        for (int c = 0; c < sdb_catalog_count(cat); c++) {
            const sdb_locus *l = sdb_catalog_at(cat, c);
            const locus_table *t = &f->pops[i].loci[l->id];
            for (int k = 0; k < t->n; k++) {
                char a[SDB_ALLELE_STRLEN];
                sdb_allele_format(t->e[k].allele, a);
                fprintf(out, "\"%s\",\"%s\",\"%s\",%.17g,%ld\n", f->pops[i].name, l->name, a,
                        t->e[k].freq, t->n_alleles);
            }
        }
    return ferror(out) ? SDB_EIO : SDB_OK;
}

/* Generated at build time from data/frequencies/NIST1036freqs.csv. */
extern const char sdb_nist1036_csv[];
extern const size_t sdb_nist1036_csv_len;

int sdb_freq_builtin_nist1036(sdb_freq **out, const sdb_catalog *cat)
{
    return sdb_freq_load_mem(out, "NIST1036freqs.csv", sdb_nist1036_csv, sdb_nist1036_csv_len, cat,
                             0, NULL);
}
