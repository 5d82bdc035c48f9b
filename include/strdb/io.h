/* strdb: readers and writers of profile files.
 *
 * Readers: GeneMapper ID/ID-X genotype tables (one row per sample and
 * marker, "Sample Name"/"Sample.Name", any number of "Allele n" columns;
 * tab or comma separated), wide CSV (one row per sample, "<locus>.1,
 * <locus>.2" columns or one column per locus holding "a,b"), and strdb's own
 * JSON lines. Every reader takes CRLF, a UTF-8 byte-order mark and quoted
 * fields, and refuses UTF-16, binary data and unknown loci with a diagnostic
 * naming file, line, field and reason. Formats are described in
 * docs/formats.md.
 */
#ifndef STRDB_IO_H
#define STRDB_IO_H

#include <stdio.h>
#include "strdb/profile.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum sdb_format {
    SDB_FMT_AUTO = 0,
    SDB_FMT_GENEMAPPER = 1, /* long: sample x marker rows */
    SDB_FMT_WIDE = 2,       /* wide CSV/TSV: one row per sample */
    SDB_FMT_JSONL = 3,      /* strdb JSON lines */
    SDB_FMT_LONG = 4,       /* one allele per row: Sample.Name, Marker, Allele (strvalidator, EuroForMix) */
    SDB_FMT_ALLELES = 5,    /* one locus per row with an alleles list: control, locus, alleles */
    SDB_FMT_CMF = 6,        /* CODIS CMF 3.2 XML, validated against the CMF schema */
} sdb_format;

/* "auto", "genemapper", "csv" (= wide), "jsonl"; parse returns SDB_EINVAL for
 * other names. */
const char *sdb_format_name(sdb_format f);
int sdb_format_parse(const char *s, sdb_format *out) SDB_WUR;

/* Reader options; initialise with sdb_read_opts_init(). Strings are borrowed
 * and must outlive the reader. */
typedef struct sdb_read_opts {
    sdb_format format;     /* SDB_FMT_AUTO detects from the content */
    const char *id_column; /* wide CSV: sample id column (default: first of
                              Sample, Sample Name, SampleName, sample_id, id) */
    int id_from_line;      /* 1: sample id = id_prefix + input line number */
    const char *id_prefix; /* prepended to every sample id (default "") */
    const char *kit;       /* kit recorded on each profile unless the file names one */
    const char *index;     /* CMF: the import's index; a specimen whose category maps to
                              another index is refused (the import sets it) */
} sdb_read_opts;

void sdb_read_opts_init(sdb_read_opts *o);

/* CODIS CMF 3.2 messages (docs/formats.md). The category an index is
 * exported as (NULL: none, e.g. relative-of-missing), the CMF name of a
 * locus (NULL: CMF has none), the timestamp format of a message; a message
 * is begin, specimens, end. sdb_cmf_specimen leaves out loci CMF has no
 * name for (*skipped counts them) and is SDB_EINVAL for a profile with no
 * CMF locus left. */
const char *sdb_cmf_category(const char *index);
const char *sdb_cmf_locus_name(const sdb_catalog *cat, const sdb_locus *l);
void sdb_cmf_now(char out[32]);
void sdb_cmf_begin(FILE *o, const char *lab, const char *dest, const char *user, const char *now);
int sdb_cmf_specimen(FILE *o, const sdb_catalog *cat, const sdb_profile *p, const char *category,
                     const char *user, const char *now, int *skipped) SDB_WUR;
void sdb_cmf_end(FILE *o);

typedef struct sdb_reader sdb_reader;

/* Opens path (read whole; "-" is stdin) or an in-memory buffer (copied).
 * Fatal problems of the file as a whole (empty, UTF-16, binary, no or bad
 * header, unknown locus column) are reported here as SDB_EFORMAT or
 * SDB_EINVAL with d filled. On success the caller owns *out and closes it
 * with sdb_reader_close(). */
int sdb_reader_open(sdb_reader **out, const char *path, const sdb_catalog *cat,
                    const sdb_read_opts *opts, sdb_diag *d) SDB_WUR;
int sdb_reader_open_mem(sdb_reader **out, const char *name, const void *buf, size_t len,
                        const sdb_catalog *cat, const sdb_read_opts *opts, sdb_diag *d) SDB_WUR;

/* Reads the next record into p (which it resets first). Returns SDB_OK for
 * a finished profile, SDB_END at the end, SDB_EINVAL when this record is
 * invalid (d says why; the next call continues with the next record), or
 * SDB_EFORMAT/SDB_ENOMEM when reading cannot go on. */
int sdb_reader_next(sdb_reader *r, sdb_profile *p, sdb_diag *d) SDB_WUR;

/* The format in use (after detection). */
sdb_format sdb_reader_format(const sdb_reader *r);

/* Where the input says it comes from ("" when it does not: only a CMF
 * message names its source lab), kept in the import's provenance. */
const char *sdb_reader_origin(const sdb_reader *r);

/* NULL is a no-op. */
void sdb_reader_close(sdb_reader *r);

/* Metadata written beside a profile (all optional, NULL to leave out). */
typedef struct sdb_profile_meta {
    const char *index;
    const char *basis;
    const char *retain_until;
} sdb_profile_meta;

/* JSON lines writer: one object per profile, keys in a fixed order, alleles
 * as strings (docs/formats.md). Returns SDB_OK, SDB_EIO or SDB_ENOMEM. */
/* Writes s (NULL: nothing) to out with <, >, & and " as entities: XML or
 * HTML element text and double-quoted attribute values. */
void sdb_xml_escape(FILE *out, const char *s);

int sdb_write_jsonl(FILE *out, const sdb_catalog *cat, const sdb_profile *p,
                    const sdb_profile_meta *meta) SDB_WUR;

/* Wide CSV writer. The column layout must be known before the first row:
 * collect it over every profile with sdb_csv_layout_add(), then write the
 * header and the rows. Autosomal, X and sex loci get "<locus>.1..<locus>.k"
 * columns (k = most alleles seen), Y loci one column with alleles joined by
 * ','. Columns sample_id,kind,index,basis,retain_until,kit,flags come first;
 * the reader ignores kind/index/basis/retain_until and takes "partial" from
 * flags (the other flags follow from the alleles). */
typedef struct sdb_csv_layout sdb_csv_layout;
int sdb_csv_layout_new(sdb_csv_layout **out, const sdb_catalog *cat) SDB_WUR;
void sdb_csv_layout_add(sdb_csv_layout *l, const sdb_profile *p);
int sdb_csv_write_header(FILE *out, const sdb_csv_layout *l) SDB_WUR;
int sdb_csv_write_row(FILE *out, const sdb_csv_layout *l, const sdb_profile *p,
                      const sdb_profile_meta *meta) SDB_WUR;
void sdb_csv_layout_free(sdb_csv_layout *l);

/* Parses "L=a/b;L2=c,d;..." (the --genotype syntax; '/' or ',' between
 * alleles) into p (reset first; sample id left unset) and finishes it. */
int sdb_genotype_parse(sdb_profile *p, const sdb_catalog *cat, const char *text,
                       sdb_diag *d) SDB_WUR;

/* The inverse: p's calls as "L=a/b;L2=c" into buf (SDB_ENOMEM when size is
 * too small). */
int sdb_genotype_format(const sdb_profile *p, const sdb_catalog *cat, char *buf, size_t size);

#ifdef __cplusplus
}
#endif
#endif
