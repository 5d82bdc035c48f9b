/* Private to src/io: the delimited-table tokenizer and the reader vtable. */
#ifndef STRDB_IO_INTERNAL_H
#define STRDB_IO_INTERNAL_H

#include "engine_internal.h"
#include "strdb/io.h"

/* A field of the current row; text is not NUL-terminated. */
typedef struct field {
    const char *s;
    size_t len;
} field;

/* Tokenizer over an in-memory buffer or a stream: RFC 4180 quoting (a
 * quoted field may hold the delimiter, newlines and doubled quotes), CRLF or
 * LF line ends, blank lines skipped. Unquoted fields point into the buffer;
 * quoted ones into a scratch buffer owned by the table; both stay valid
 * until the next sdb_table_next.
 *
 * Streaming (sdb_table_stream): buf is a window over the file. Before a row
 * is read the window is refilled once less than half of it is left (the
 * bytes before the row are dropped, so memory follows the window, not the
 * file); a row that does not fit grows the window. Each byte read is checked
 * as sdb_text_check checks a whole file (NUL, UTF-8). */
typedef struct table {
    const char *buf;
    size_t len, pos;
    FILE *src;       /* streaming: the file (owned unless stdin), else NULL */
    char *win;       /* streaming: the window (buf == win), owned */
    size_t cap;      /* streaming: window capacity */
    size_t base;     /* streaming: file offset of buf[0] */
    size_t raw;      /* streaming: bytes in the window; [len, raw) not yet checked */
    long base_line;  /* streaming: line number of buf[0] */
    int eof;         /* streaming: the file has been read to its end */
    const char *name; /* streaming: the file's name, for diagnostics */
    char delim;
    size_t row_at;  /* file offset of the row last returned (streaming: >= base) */
    long line;      /* line of the row last returned (1-based) */
    long next_line; /* line where the next row starts */
    field *fields;
    int n_fields, cap_fields;
    char *scratch;
    size_t scratch_len, scratch_cap;
} table;

void sdb_table_init(table *t, const char *buf, size_t len, char delim);
/* A table over an open file read through a window (the table closes f
 * unless it is stdin). Reads and checks the first window: SDB_OK, SDB_EIO,
 * SDB_ENOMEM or SDB_EFORMAT (UTF-16, binary, not UTF-8, empty) with d
 * filled. The delimiter is set afterwards (sdb_table_set_delim). */
int sdb_table_stream(table *t, FILE *f, const char *name, sdb_diag *d);
/* Makes sure the window holds the whole rest of the current line (for line
 * readers): SDB_OK or an error as sdb_table_next returns them. */
int sdb_table_line_ready(table *t, sdb_diag *d);
void sdb_table_free(table *t);
/* 1: a row in t->fields; 0: end of input; SDB_EFORMAT: unterminated quote
 * (d filled with file name `name`); SDB_ENOMEM. */
int sdb_table_next(table *t, const char *name, sdb_diag *d);

/* Checks the whole buffer: not empty, not UTF-16, no NUL byte, valid UTF-8.
 * Returns the number of leading bytes to skip (a UTF-8 BOM) or a negative
 * SDB_EFORMAT with d filled. */
long sdb_text_check(const char *buf, size_t len, const char *name, sdb_diag *d);

/* Key of a header name for comparisons: upper case, no spaces/'_'/'-'. */
void sdb_header_key(const field *f, char *key, size_t size);

/* Trims blanks around a field. */
field sdb_field_trim(field f);

/* 1 if the (trimmed) field is empty or "NA". */
int sdb_field_is_missing(field f);

/* Parses every allele of a cell separated by ',' and adds it at locus.
 * Returns SDB_OK, SDB_EINVAL (d->reason set, field left to the caller) or
 * SDB_ENOMEM; *n_added counts the alleles added. */
int sdb_add_cell_alleles(sdb_profile *p, const sdb_locus *l, field f, int *n_added, sdb_diag *d);

/* The reader object; each format supplies `next` and `free_state`. */
struct sdb_reader {
    sdb_format format;
    char name[256];
    char *buf; /* owned copy of the input */
    size_t len;
    size_t start; /* after a BOM */
    const sdb_catalog *cat;
    sdb_read_opts opts;
    table tab;
    void *state;
    int (*next)(sdb_reader *r, sdb_profile *p, sdb_diag *d);
    void (*free_state)(void *state);
    char origin[256]; /* sdb_reader_origin */
};

int sdb_genemapper_open(sdb_reader *r, sdb_diag *d);
int sdb_wide_open(sdb_reader *r, sdb_diag *d);
int sdb_jsonl_open(sdb_reader *r, sdb_diag *d);

/* Reads the header row into r->tab.fields (SDB_EFORMAT if there is none). */
int sdb_reader_header(sdb_reader *r, sdb_diag *d);
/* Checks that a data row follows the header without consuming it
 * ("header only" is SDB_EFORMAT). */
int sdb_reader_expect_rows(sdb_reader *r, sdb_diag *d);

/* Sets p's sample id to opts.id_prefix + text (or + line with id_from_line).
 * An empty or overlong id is SDB_EINVAL with d filled. */
int sdb_reader_set_id(sdb_reader *r, sdb_profile *p, field id, long line, sdb_diag *d);

/* Whether allele a may stand at locus l: X and Y only at Amelogenin (and
 * other sex loci), repeat numbers never there. */
int sdb_allele_fits(const sdb_locus *l, sdb_allele a);

/* CMF: the whole message from r->buf (io/cmf.c). */
int sdb_cmf_open(sdb_reader *r, sdb_diag *d);

/* The delimiter of a header line: tab, ';' (where it outnumbers ','), ','. */
char sdb_header_delim(const char *s, size_t hl);

#endif
