/* Reader front end: load the file, check its encoding, pick the format. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io_internal.h"

void sdb_read_opts_init(sdb_read_opts *o)
{
    memset(o, 0, sizeof *o);
    o->format = SDB_FMT_AUTO;
    o->id_prefix = "";
}

static const char *const format_names[] = {"auto", "genemapper", "csv", "jsonl", "long", "alleles", "cmf"};

const char *sdb_format_name(sdb_format f)
{
    return (unsigned)f < 7 ? format_names[f] : "?";
}

int sdb_format_parse(const char *s, sdb_format *out)
{
    for (int i = 0; i < 7; i++)
        if (!strcmp(s, format_names[i])) {
            *out = (sdb_format)i;
            return SDB_OK;
        }
    if (!strcmp(s, "wide") || !strcmp(s, "tsv"))
        *out = SDB_FMT_WIDE;
    else if (!strcmp(s, "json"))
        *out = SDB_FMT_JSONL;
    else
        return SDB_EINVAL;
    return SDB_OK;
}

/* The delimiter of a header line: a tab, else ';' where it outnumbers ','
 * (EuroForMix, LRmix and European spreadsheets), else ','. */
char sdb_header_delim(const char *s, size_t hl)
{
    if (memchr(s, '\t', hl)) return '\t';
    size_t semi = 0, comma = 0;
    for (size_t i = 0; i < hl; i++)
        semi += s[i] == ';', comma += s[i] == ',';
    return semi > comma ? ';' : ',';
}

/* Auto-detection: '{' first means JSON lines; otherwise the header row
 * decides: a Marker (or Locus) column means a long layout (an Allele column:
 * one allele per row; an Alleles column: an allele list per locus; Allele 1,
 * Allele 2, ...: GeneMapper), anything else the wide layout. */
static sdb_format detect(const char *s, size_t len)
{
    size_t i = 0;
    while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n'))
        i++;
    if (i < len && s[i] == '{') return SDB_FMT_JSONL;
    if (i < len && s[i] == '<') return SDB_FMT_CMF;
    const char *nl = memchr(s, '\n', len);
    size_t hl = nl ? (size_t)(nl - s) : len;
    table t;
    sdb_table_init(&t, s, hl, sdb_header_delim(s, hl));
    sdb_format f = SDB_FMT_WIDE;
    int marker = 0, one = 0, list = 0;
    if (sdb_table_next(&t, "", NULL) == 1)
        for (int k = 0; k < t.n_fields; k++) {
            char key[64];
            sdb_header_key(&t.fields[k], key, sizeof key);
            marker |= !strcmp(key, "MARKER") || !strcmp(key, "LOCUS");
            one |= !strcmp(key, "ALLELE");
            list |= !strcmp(key, "ALLELES");
        }
    if (marker) f = one ? SDB_FMT_LONG : list ? SDB_FMT_ALLELES : SDB_FMT_GENEMAPPER;
    sdb_table_free(&t);
    return f;
}

/* The format (if auto) and the delimiter from the start of the table, then
 * the format's own open. A streamed table shows its first window here. */
static int open_table(sdb_reader *r, sdb_diag *d)
{
    const char *s = r->tab.buf + r->tab.pos;
    size_t len = r->tab.len - r->tab.pos;
    sdb_format named = r->format, seen = detect(s, len);
    if (r->format == SDB_FMT_AUTO) r->format = seen;
    if (named != SDB_FMT_AUTO && named != SDB_FMT_CMF && seen == SDB_FMT_CMF) {
        sdb_diag_set(d, r->name, 1, NULL,
                     "an XML document (a CODIS CMF message?) cannot be read as %s: name "
                     "--format cmf or leave the format to detection",
                     sdb_format_name(named));
        return SDB_EFORMAT;
    }
    const char *nl = memchr(s, '\n', len);
    r->tab.delim = sdb_header_delim(s, nl ? (size_t)(nl - s) : len);
    switch (r->format) {
    case SDB_FMT_GENEMAPPER:
    case SDB_FMT_LONG:
    case SDB_FMT_ALLELES: return sdb_genemapper_open(r, d);
    case SDB_FMT_WIDE: return sdb_wide_open(r, d);
    case SDB_FMT_JSONL: return sdb_jsonl_open(r, d);
    case SDB_FMT_CMF: return sdb_cmf_open(r, d);
    default: return SDB_EINVAL;
    }
}

static int open_buffer(sdb_reader *r, sdb_diag *d)
{
    long start = sdb_text_check(r->buf, r->len, r->name, d);
    if (start < 0) return (int)start;
    r->start = (size_t)start;
    sdb_table_init(&r->tab, r->buf + r->start, r->len - r->start, ',');
    return open_table(r, d);
}

static int reader_new(sdb_reader **out, const char *name, const sdb_catalog *cat,
                      const sdb_read_opts *opts)
{
    sdb_reader *r = calloc(1, sizeof *r);
    if (!r) return SDB_ENOMEM;
    snprintf(r->name, sizeof r->name, "%s", name);
    r->cat = cat;
    if (opts)
        r->opts = *opts;
    else
        sdb_read_opts_init(&r->opts);
    if (!r->opts.id_prefix) r->opts.id_prefix = "";
    r->format = r->opts.format;
    *out = r;
    return SDB_OK;
}

/* 1 when f holds XML (or format says CMF): its first non-blank byte, after a
 * UTF-8 byte-order mark, is '<'. f is rewound. */
static int is_xml(FILE *f, sdb_format format)
{
    if (format == SDB_FMT_CMF) return 1;
    if (format != SDB_FMT_AUTO) return 0;
    unsigned char head[256];
    size_t n = fread(head, 1, sizeof head, f);
    size_t i = n >= 3 && head[0] == 0xEF && head[1] == 0xBB && head[2] == 0xBF ? 3 : 0;
    rewind(f);
    while (i < n && (head[i] == ' ' || head[i] == '\t' || head[i] == '\r' || head[i] == '\n'))
        i++;
    return i < n && head[i] == '<';
}

int sdb_reader_open(sdb_reader **out, const char *path, const sdb_catalog *cat,
                    const sdb_read_opts *opts, sdb_diag *d)
{
    sdb_reader *r;
    int rc = reader_new(&r, path, cat, opts);
    if (rc) return rc;
    FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
    if (!f) {
        sdb_diag_set(d, path, 0, NULL, "cannot open: %s", strerror(errno));
        rc = SDB_EIO;
        goto fail;
    }
    /* an XML message (CMF) is parsed whole: read it into memory */
    if (f != stdin && is_xml(f, r->format)) {
        rc = sdb_slurp(f, &r->buf, &r->len);
        fclose(f);
        if (rc) {
            sdb_diag_set(d, path, 0, NULL, "cannot read: %s", strerror(errno));
            goto fail;
        }
        if ((rc = open_buffer(r, d))) goto fail;
        *out = r;
        return SDB_OK;
    }
    /* streamed through a window: a file of 10^8 rows needs no more memory than one of 10 */
    if ((rc = sdb_table_stream(&r->tab, f, r->name, d))) goto fail;
    /* the format and the delimiter are told from the first line: all of it in the window */
    if ((rc = sdb_table_line_ready(&r->tab, d))) goto fail;
    if ((rc = open_table(r, d))) goto fail;
    *out = r;
    return SDB_OK;
fail:
    sdb_reader_close(r);
    return rc;
}

int sdb_reader_open_mem(sdb_reader **out, const char *name, const void *buf, size_t len,
                        const sdb_catalog *cat, const sdb_read_opts *opts, sdb_diag *d)
{
    sdb_reader *r;
    int rc = reader_new(&r, name, cat, opts);
    if (rc) return rc;
    rc = SDB_ENOMEM;
    if (!(r->buf = malloc(len ? len : 1))) goto fail;
    if (len) memcpy(r->buf, buf, len);
    r->len = len;
    if ((rc = open_buffer(r, d))) goto fail;
    *out = r;
    return SDB_OK;
fail:
    sdb_reader_close(r);
    return rc;
}

int sdb_reader_next(sdb_reader *r, sdb_profile *p, sdb_diag *d)
{
    sdb_profile_reset(p);
    int rc = r->next(r, p, d);
    if (rc == SDB_OK && r->opts.kit && r->opts.kit[0] && !(p->kit && p->kit[0]) &&
        sdb_profile_set_kit(p, r->opts.kit, -1))
        return SDB_ENOMEM;
    if (rc == SDB_OK && (rc = sdb_profile_finish(p, r->cat))) return rc;
    if (rc == SDB_EINVAL || rc == SDB_EFORMAT) {
        if (!d->file[0]) snprintf(d->file, sizeof d->file, "%s", r->name);
    }
    return rc;
}

sdb_format sdb_reader_format(const sdb_reader *r)
{
    return r->format;
}

const char *sdb_reader_origin(const sdb_reader *r)
{
    return r->origin;
}

void sdb_reader_close(sdb_reader *r)
{
    if (!r) return;
    if (r->free_state) r->free_state(r->state);
    sdb_table_free(&r->tab);
    free(r->buf);
    free(r);
}

int sdb_reader_header(sdb_reader *r, sdb_diag *d)
{
    int rc = sdb_table_next(&r->tab, r->name, d);
    if (rc == 0) sdb_diag_set(d, r->name, 1, NULL, "empty file");
    return rc < 0 ? rc : rc == 0 ? SDB_EFORMAT : SDB_OK;
}

int sdb_reader_expect_rows(sdb_reader *r, sdb_diag *d)
{
    long header_line = r->tab.line;
    int rc = sdb_table_next(&r->tab, r->name, d);
    if (rc < 0) return rc;
    if (rc == 1) {
        /* rewind: the reader reads that row again (a refill drops only the
         * bytes before the row it reads, so the row is still in the window) */
        r->tab.pos = r->tab.row_at - r->tab.base;
        r->tab.next_line = r->tab.line;
    }
    if (rc == 0) {
        sdb_diag_set(d, r->name, header_line, NULL, "header only: no rows after it");
        return SDB_EFORMAT;
    }
    return SDB_OK;
}

int sdb_reader_set_id(sdb_reader *r, sdb_profile *p, field id, long line, sdb_diag *d)
{
    char text[32];
    if (r->opts.id_from_line) {
        snprintf(text, sizeof text, "%ld", line);
        id = (field){text, strlen(text)};
    }
    id = sdb_field_trim(id);
    size_t plen = strlen(r->opts.id_prefix);
    if (id.len == 0 || plen + id.len > SDB_SAMPLE_ID_MAX) {
        sdb_diag_set(d, r->name, line, "sample id",
                     id.len ? "sample id longer than %d bytes" : "empty sample id",
                     SDB_SAMPLE_ID_MAX);
        return SDB_EINVAL;
    }
    char full[SDB_SAMPLE_ID_MAX + 1];
    memcpy(full, r->opts.id_prefix, plen);
    memcpy(full + plen, id.s, id.len);
    return sdb_profile_set_id(p, full, (long)(plen + id.len));
}
