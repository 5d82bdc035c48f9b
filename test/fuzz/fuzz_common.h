/* Shared body of the reader fuzz harnesses: read every record of the input
 * in one format; every profile that reads must survive a JSON lines round
 * trip unchanged (abort otherwise, so the fuzzer reports it). */
#ifndef STRDB_FUZZ_COMMON_H
#define STRDB_FUZZ_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine_internal.h"

static void roundtrip_or_abort(const sdb_catalog *cat, const sdb_profile *p)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f) return;
    int rc = sdb_write_jsonl(f, cat, p, NULL);
    fclose(f);
    if (rc) abort();
    sdb_reader *r;
    sdb_read_opts o;
    sdb_read_opts_init(&o);
    o.format = SDB_FMT_JSONL;
    sdb_profile q;
    sdb_profile_init(&q);
    if (sdb_reader_open_mem(&r, "rt", buf, len, cat, &o, NULL) ||
        sdb_reader_next(r, &q, &(sdb_diag){0}) || !sdb_profile_equal(p, &q))
        abort();
    sdb_reader_close(r);
    sdb_profile_free(&q);
    free(buf);
}

/* text with line breaks escaped, so that each rendered record is one line */
static void put_line_safe(FILE *f, const char *text)
{
    for (; *text; text++)
        if (*text == '\n')
            fputs("\\n", f);
        else if (*text == '\r')
            fputs("\\r", f);
        else
            fputc(*text, f);
}

/* One reject or error: code, line, field and reason on one line. */
static void put_diag(FILE *f, const char *head, int rc, const sdb_diag *d)
{
    fprintf(f, "%s%d %ld ", head, rc, d->line);
    put_line_safe(f, d->field);
    fputc(' ', f);
    put_line_safe(f, d->reason);
    fputc('\n', f);
}

/* What a reader makes of its input, as text: each profile as JSON lines,
 * each reject or fatal error with its line, field and reason (not the file
 * name: the two readers below name the input differently). */
static char *render_reader(sdb_reader *r, int open_rc, const sdb_diag *open_d)
{
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);
    if (!f) abort();
    const sdb_catalog *cat = sdb_catalog_default();
    if (open_rc) {
        put_diag(f, "open ", open_rc, open_d);
        fclose(f);
        return out;
    }
    sdb_profile p;
    sdb_profile_init(&p);
    sdb_diag d;
    int rc, n = 0;
    while ((rc = sdb_reader_next(r, &p, &d)) != SDB_END && n++ < 100000) {
        if (rc == SDB_OK) {
            roundtrip_or_abort(cat, &p);
            if (sdb_write_jsonl(f, cat, &p, NULL)) abort();
        } else {
            put_diag(f, "", rc, &d);
            if (rc != SDB_EINVAL) break;
        }
    }
    sdb_profile_free(&p);
    fclose(f);
    return out;
}

/* Reads the input whole from memory and again streamed from a file through
 * a small window (8 to 71 bytes, so rows, quoted fields and UTF-8 sequences
 * are cut everywhere); the two must agree exactly. */
static int fuzz_reader(const uint8_t *data, size_t size, sdb_format format)
{
    if (sdb_init()) return 0;
    const sdb_catalog *cat = sdb_catalog_default();
    sdb_read_opts o;
    sdb_read_opts_init(&o);
    o.format = format;
    sdb_reader *r = NULL;
    sdb_diag d;
    sdb_diag_clear(&d);
    int rc = sdb_reader_open_mem(&r, "fuzz", data, size, cat, &o, &d);
    char *whole = render_reader(r, rc, &d);
    sdb_reader_close(r);

    static char path[64];
    if (!path[0]) snprintf(path, sizeof path, "/tmp/strdb-fuzz-%d", (int)getpid());
    FILE *f = fopen(path, "wb");
    if (!f) abort();
    if (size && fwrite(data, 1, size, f) != size) abort();
    fclose(f);
    char window[16];
    snprintf(window, sizeof window, "%d", 8 + (size ? data[size - 1] % 64 : 0));
    setenv("STRDB_READ_WINDOW", window, 1);
    r = NULL;
    sdb_diag_clear(&d);
    rc = sdb_reader_open(&r, path, cat, &o, &d);
    char *streamed = render_reader(r, rc, &d);
    sdb_reader_close(r);
    unsetenv("STRDB_READ_WINDOW");
    unlink(path);
    /* bad encoding refuses the file either way: whole, at open (the text is checked up front);
     * streamed, when the window reaches the byte, or at an error it meets first (profiles
     * before it may have been read) */
    const char *last = strrchr(streamed, '\n') && strlen(streamed) > 1 ? streamed : NULL;
    if (last) {
        const char *p = streamed + strlen(streamed) - 1;
        while (p > streamed && p[-1] != '\n')
            p--;
        last = p;
    }
    int encoding = !strncmp(whole, "open -4 ", 8) &&
                   (strstr(whole, "not UTF-8 text") || strstr(whole, "binary data")) && last &&
                   (!strncmp(last, "open ", 5) || last[0] == '-');
    /* a file of blanks longer than the window: "empty file" whole; streamed, a header error
     * or no record at all */
    int blank = !strcmp(whole, "open -4 1  empty file\n") &&
                (!streamed[0] || !strncmp(streamed, "open -", 6));
    if (!encoding && !blank && strcmp(whole, streamed)) {
        fprintf(stderr, "window %s: streamed\n%s\nwhole\n%s\n", window, streamed, whole);
        abort();
    }
    free(whole);
    free(streamed);
    return 0;
}

#endif
