/* Delimited-text tokenizer and whole-file text checks shared by the readers. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "io_internal.h"

void sdb_table_init(table *t, const char *buf, size_t len, char delim)
{
    memset(t, 0, sizeof *t);
    t->buf = buf;
    t->len = len;
    t->delim = delim;
    t->next_line = 1;
}

void sdb_table_free(table *t)
{
    free(t->fields);
    free(t->scratch);
    free(t->win);
    if (t->src && t->src != stdin) fclose(t->src);
    t->fields = NULL;
    t->scratch = NULL;
    t->win = NULL;
    t->src = NULL;
}

/* Returned inside this file by a row that runs past the window. */
#define NEED_MORE 2
#define BLANK 3

/* 1 when nothing more can come: an in-memory table, or the whole file read
 * and checked. */
static int at_end(const table *t)
{
    return !t->src || (t->eof && t->len == t->raw);
}

static long check_bytes(const unsigned char *u, size_t from, size_t to, size_t avail,
                        size_t base, long line_base, const char *name, sdb_diag *d);

/* Reads more of the file into the window: drops the bytes before pos,
 * grows the window when it is full, checks what was read. */
static int refill(table *t, sdb_diag *d)
{
    if (!t->src || t->eof) {
        if (t->src && t->len < t->raw) { /* the last bytes, now that no more come */
            long c = check_bytes((const unsigned char *)t->win, t->len, t->raw, t->raw,
                                 t->base, t->base_line, t->name, d);
            if (c < 0) return (int)c;
            t->len = t->raw;
        }
        return SDB_OK;
    }
    if (t->pos > 0) {
        /* pos is at the start of a row: the line number there is next_line */
        memmove(t->win, t->win + t->pos, t->raw - t->pos);
        t->base += t->pos;
        t->raw -= t->pos;
        t->len -= t->pos;
        t->pos = 0;
        t->base_line = t->next_line;
    }
    if (t->raw == t->cap) {
        char *w = realloc(t->win, t->cap * 2);
        if (!w) return SDB_ENOMEM;
        t->win = w;
        t->cap *= 2;
    }
    t->buf = t->win;
    while (t->raw < t->cap && !t->eof) {
        size_t got = fread(t->win + t->raw, 1, t->cap - t->raw, t->src);
        t->raw += got;
        if (got == 0) {
            if (ferror(t->src)) {
                sdb_diag_set(d, t->name, 0, NULL, "cannot read: %s", strerror(errno));
                return SDB_EIO;
            }
            t->eof = 1;
        }
    }
    /* a UTF-8 sequence may run past what was read: the last 3 bytes wait for the next read */
    size_t to = t->eof ? t->raw : t->raw > 3 ? t->raw - 3 : 0;
    if (to > t->len) {
        long c = check_bytes((const unsigned char *)t->win, t->len, to, t->raw, t->base,
                             t->base_line, t->name, d);
        if (c < 0) return (int)c;
        t->len = (size_t)c;
    }
    if (t->eof && t->len < t->raw) return refill(t, d);
    return SDB_OK;
}

#define WINDOW (4u << 20)

int sdb_table_stream(table *t, FILE *f, const char *name, sdb_diag *d)
{
    memset(t, 0, sizeof *t);
    t->src = f;
    t->name = name;
    t->next_line = t->base_line = 1;
    t->delim = ',';
    /* STRDB_READ_WINDOW (bytes, >= 8): a small window for tests of the refill */
    const char *w = getenv("STRDB_READ_WINDOW");
    t->cap = w && atol(w) >= 8 ? (size_t)atol(w) : WINDOW;
    if (!(t->win = malloc(t->cap))) return SDB_ENOMEM;
    t->buf = t->win;
    const unsigned char *u = (const unsigned char *)t->win;
    while (t->raw < 4 && !t->eof) { /* enough to see a BOM or UTF-16 */
        size_t got = fread(t->win + t->raw, 1, t->cap - t->raw, f);
        t->raw += got;
        if (!got) t->eof = 1;
    }
    if (ferror(f)) {
        sdb_diag_set(d, name, 0, NULL, "cannot read: %s", strerror(errno));
        return SDB_EIO;
    }
    if (t->raw >= 2 && ((u[0] == 0xFF && u[1] == 0xFE) || (u[0] == 0xFE && u[1] == 0xFF))) {
        sdb_diag_set(d, name, 1, NULL, "file is UTF-16 encoded; convert it to UTF-8");
        return SDB_EFORMAT;
    }
    if (t->raw >= 3 && u[0] == 0xEF && u[1] == 0xBB && u[2] == 0xBF) t->pos = t->len = 3;
    int rc = refill(t, d);
    if (rc) return rc;
    u = (const unsigned char *)t->win; /* the refill may have moved it */
    size_t k = t->pos;
    while (k < t->len && (u[k] == ' ' || u[k] == '\t' || u[k] == '\r' || u[k] == '\n'))
        k++;
    if (k == t->len && at_end(t)) {
        sdb_diag_set(d, name, 1, NULL, "empty file");
        return SDB_EFORMAT;
    }
    return SDB_OK;
}

int sdb_table_line_ready(table *t, sdb_diag *d)
{
    for (;;) {
        if (at_end(t) || memchr(t->buf + t->pos, '\n', t->len - t->pos)) return SDB_OK;
        int rc = refill(t, d);
        if (rc) return rc;
    }
}

static int push_field(table *t, const char *s, size_t len)
{
    if (t->n_fields == t->cap_fields) {
        int cap = t->cap_fields ? 2 * t->cap_fields : 64;
        field *f = realloc(t->fields, (size_t)cap * sizeof *f);
        if (!f) return SDB_ENOMEM;
        t->fields = f;
        t->cap_fields = cap;
    }
    t->fields[t->n_fields++] = (field){s, len};
    return SDB_OK;
}

/* Ensures room for need more bytes of unescaped text. Fields already
 * pushed may point into the scratch buffer, so a move rebases them. */
static int reserve_scratch(table *t, size_t need)
{
    if (t->scratch_len + need <= t->scratch_cap) return SDB_OK;
    size_t cap = t->scratch_cap ? t->scratch_cap : 256;
    while (cap < t->scratch_len + need)
        cap *= 2;
    char *old = t->scratch, *s = malloc(cap);
    if (!s) return SDB_ENOMEM;
    if (old) memcpy(s, old, t->scratch_len);
    for (int i = 0; old && i < t->n_fields; i++)
        if (t->fields[i].s >= old && t->fields[i].s < old + t->scratch_cap)
            t->fields[i].s = s + (t->fields[i].s - old);
    free(old);
    t->scratch = s;
    t->scratch_cap = cap;
    return SDB_OK;
}

/* Reads a quoted field starting at the opening quote at t->pos: one pass to
 * find its end and size, one to copy it unescaped. Text after the closing
 * quote up to the delimiter is kept verbatim. */
static int quoted_field(table *t, const char *name, sdb_diag *d)
{
    size_t i = t->pos + 1, n = 0;
    for (;; i++, n++) {
        if (i >= t->len) {
            if (!at_end(t)) return NEED_MORE;
            sdb_diag_set(d, name, t->next_line, NULL,
                         "unterminated quoted field (truncated file?)");
            return SDB_EFORMAT;
        }
        if (t->buf[i] == '"') {
            if (i + 1 >= t->len && !at_end(t)) return NEED_MORE; /* "" across the window */
            if (i + 1 < t->len && t->buf[i + 1] == '"')
                i++;
            else
                break;
        }
    }
    size_t close = i, end = i + 1;
    while (end < t->len && t->buf[end] != t->delim && t->buf[end] != '\n' && t->buf[end] != '\r')
        end++;
    if (end >= t->len && !at_end(t)) return NEED_MORE;
    n += end - close - 1;
    if (reserve_scratch(t, n + 1)) return SDB_ENOMEM; /* +1: never a NULL scratch */
    char *out = t->scratch + t->scratch_len;
    size_t k = 0;
    for (i = t->pos + 1; i < close; i++) {
        if (t->buf[i] == '"') i++; /* a doubled quote: keep one */
        if (t->buf[i] == '\n') t->next_line++;
        out[k++] = t->buf[i];
    }
    memcpy(out + k, t->buf + close + 1, end - close - 1);
    t->pos = end;
    t->scratch_len += n;
    return push_field(t, out, n);
}

/* Row splitting states: at the start of a field either a quote opens a
 * quoted field or plain text runs to the delimiter / line end. One row:
 * 1, BLANK for a blank line, NEED_MORE when it runs past the window. */
static int one_row(table *t, const char *name, sdb_diag *d)
{
    t->n_fields = 0;
    t->scratch_len = 0;
    t->line = t->next_line;
    for (;;) {
        int rc;
        if (t->pos < t->len && t->buf[t->pos] == '"') {
            if ((rc = quoted_field(t, name, d))) return rc;
        } else {
            size_t s = t->pos;
            while (t->pos < t->len && t->buf[t->pos] != t->delim && t->buf[t->pos] != '\n')
                t->pos++;
            if (t->pos >= t->len && !at_end(t)) return NEED_MORE;
            size_t e = t->pos;
            if (e > s && t->buf[e - 1] == '\r' && (e == t->len || t->buf[e] == '\n')) e--;
            if ((rc = push_field(t, t->buf + s, e - s))) return rc;
        }
        if (t->pos < t->len && t->buf[t->pos] == '\r') t->pos++;
        if (t->pos >= t->len) {
            if (!at_end(t)) return NEED_MORE; /* the '\n' of a CRLF may be next */
            break;
        }
        if (t->buf[t->pos] == '\n') {
            t->pos++;
            break;
        }
        t->pos++; /* delimiter */
    }
    t->next_line++;
    return t->n_fields == 1 && t->fields[0].len == 0 ? BLANK : 1;
}

int sdb_table_next(table *t, const char *name, sdb_diag *d)
{
    for (;;) {
        int rc;
        if (t->src && t->len - t->pos < t->cap / 2 && (rc = refill(t, d))) return rc;
        if (t->pos >= t->len && at_end(t)) return 0;
        size_t start = t->pos;
        long line = t->next_line;
        rc = one_row(t, name, d);
        if (rc == BLANK) continue;
        t->row_at = t->base + start;
        if (rc != NEED_MORE) return rc;
        t->pos = start; /* the row again, with more of the file */
        t->next_line = line;
        if ((rc = refill(t, d))) return rc;
    }
}

/* Length of the UTF-8 sequence starting at p (0 if invalid). */
static int utf8_seq(const unsigned char *p, size_t avail)
{
    unsigned c = p[0];
    int n;
    if (c < 0x80) return 1;
    if (c >= 0xC2 && c <= 0xDF)
        n = 2;
    else if (c >= 0xE0 && c <= 0xEF)
        n = 3;
    else if (c >= 0xF0 && c <= 0xF4)
        n = 4;
    else
        return 0;
    if ((size_t)n > avail) return 0;
    for (int i = 1; i < n; i++)
        if ((p[i] & 0xC0) != 0x80) return 0;
    if (n == 3 && ((c == 0xE0 && p[1] < 0xA0) || (c == 0xED && p[1] > 0x9F))) return 0;
    if (n == 4 && ((c == 0xF0 && p[1] < 0x90) || (c == 0xF4 && p[1] > 0x8F))) return 0;
    return n;
}

/* Line number of byte offset off (for diagnostics only). */
static long line_of(const unsigned char *u, size_t off)
{
    long line = 1;
    for (size_t i = 0; i < off; i++)
        line += u[i] == '\n';
    return line;
}

/* 1 if any byte of the 8-byte word w is zero or has its high bit set. */
static int word_needs_check(uint64_t w)
{
    const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
    return ((w - ones) & ~w & highs) != 0 || (w & highs) != 0;
}

/* Checks bytes [from, to) of u (sequences may read up to avail): NUL or
 * invalid UTF-8 is SDB_EFORMAT with d naming the line (line_base: the line
 * of u[0]); else the offset checked up to (>= to). Plain ASCII runs are
 * skipped a word at a time; only words with a NUL or a non-ASCII byte are
 * looked at byte by byte. */
static long check_bytes(const unsigned char *u, size_t from, size_t to, size_t avail,
                        size_t base, long line_base, const char *name, sdb_diag *d)
{
    size_t i = from;
    while (i < to) {
        uint64_t w;
        if (i + 8 <= to) {
            memcpy(&w, u + i, 8);
            if (!word_needs_check(w)) {
                i += 8;
                continue;
            }
        }
        if (u[i] == 0) {
            sdb_diag_set(d, name, line_base - 1 + line_of(u, i), NULL,
                         "binary data (NUL byte at offset %zu)", base + i);
            return SDB_EFORMAT;
        }
        int n = utf8_seq(u + i, avail - i);
        if (n == 0) {
            sdb_diag_set(d, name, line_base - 1 + line_of(u, i), NULL,
                         "not UTF-8 text (byte 0x%02X at offset %zu)", u[i], base + i);
            return SDB_EFORMAT;
        }
        i += (size_t)n;
    }
    return (long)i;
}

/* An in-memory file is checked whole up front, so the readers can trust
 * that they see UTF-8 text (a stream is checked as its window fills). */
long sdb_text_check(const char *buf, size_t len, const char *name, sdb_diag *d)
{
    const unsigned char *u = (const unsigned char *)buf;
    if (len >= 2 && ((u[0] == 0xFF && u[1] == 0xFE) || (u[0] == 0xFE && u[1] == 0xFF))) {
        sdb_diag_set(d, name, 1, NULL, "file is UTF-16 encoded; convert it to UTF-8");
        return SDB_EFORMAT;
    }
    size_t start = (len >= 3 && u[0] == 0xEF && u[1] == 0xBB && u[2] == 0xBF) ? 3 : 0;
    long c = check_bytes(u, start, len, len, 0, 1, name, d);
    if (c < 0) return c;
    size_t k = start;
    while (k < len && (u[k] == ' ' || u[k] == '\t' || u[k] == '\r' || u[k] == '\n'))
        k++;
    if (k == len) {
        sdb_diag_set(d, name, 1, NULL, "empty file");
        return SDB_EFORMAT;
    }
    return (long)start;
}

field sdb_field_trim(field f)
{
    while (f.len && (f.s[0] == ' ' || f.s[0] == '\t'))
        f.s++, f.len--;
    while (f.len && (f.s[f.len - 1] == ' ' || f.s[f.len - 1] == '\t'))
        f.len--;
    return f;
}

int sdb_field_is_missing(field f)
{
    f = sdb_field_trim(f);
    return f.len == 0 || (f.len == 2 && f.s[0] == 'N' && f.s[1] == 'A');
}

void sdb_header_key(const field *f, char *key, size_t size)
{
    field t = sdb_field_trim(*f);
    if (sdb_name_key(t.s, t.len, key, size) < 0) key[0] = '\0';
}

int sdb_allele_fits(const sdb_locus *l, sdb_allele a)
{
    int sex_symbol = a == SDB_ALLELE_X || a == SDB_ALLELE_Y;
    return !(sex_symbol && l->type != SDB_LOCUS_SEX) &&
           !(sdb_allele_is_numeric(a) && l->type == SDB_LOCUS_SEX);
}

int sdb_add_cell_alleles(sdb_profile *p, const sdb_locus *l, field f, int *n_added, sdb_diag *d)
{
    *n_added = 0;
    size_t i = 0;
    while (i < f.len) {
        size_t start = i;
        while (i < f.len && f.s[i] != ',')
            i++;
        field one = sdb_field_trim((field){f.s + start, i - start});
        i++; /* past the comma */
        sdb_allele a;
        if (sdb_allele_parse(one.s, one.len, &a)) {
            if (one.len == 0 && i >= f.len && *n_added == 0) return SDB_OK; /* blank cell */
            sdb_diag_set(d, NULL, 0, NULL, "unreadable allele '%.*s' at locus %s",
                         (int)(one.len > 40 ? 40 : one.len), one.s, l->name);
            return SDB_EINVAL;
        }
        if (!sdb_allele_fits(l, a)) {
            sdb_diag_set(d, NULL, 0, NULL, "allele '%.*s' is not valid at locus %s", (int)one.len,
                         one.s, l->name);
            return SDB_EINVAL;
        }
        if (sdb_profile_add(p, l, a)) return SDB_ENOMEM;
        (*n_added)++;
    }
    return SDB_OK;
}
