/* strdb: status codes, diagnostics and the logging gate.
 *
 * Every status-returning function in libstrdb returns 0 (SDB_OK) on success
 * and a negative SDB_E* code on failure. Iterators return SDB_END at the end.
 * Functions that can fail on bad input also fill an sdb_diag, which names the
 * file, line, field and reason, so a caller can print one precise line.
 */
#ifndef STRDB_ERROR_H
#define STRDB_ERROR_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define SDB_WUR __attribute__((warn_unused_result))
#define SDB_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define SDB_WUR
#define SDB_PRINTF(f, a)
#endif

enum sdb_status {
    SDB_OK = 0,
    SDB_END = -1,       /* iterator end: not an error */
    SDB_ENOMEM = -2,    /* out of memory */
    SDB_EIO = -3,       /* a file could not be read or written */
    SDB_EFORMAT = -4,   /* a file is unreadable as a whole (encoding, layout) */
    SDB_EINVAL = -5,    /* one record or argument is invalid */
    SDB_EDUP = -6,      /* duplicate sample id */
    SDB_ESTORE = -7,    /* the SQLite store reported an error */
    SDB_ENOTFOUND = -8, /* no such sample, index, basis or locus */
    SDB_EVERSION = -9,  /* schema or file version this build cannot read */
    SDB_EAUDIT = -10,   /* the audit chain does not verify */
    SDB_EPERM = -11,    /* refused: a required purpose, basis or rule is missing */
    SDB_EEXIST = -12,   /* the database already exists */
    SDB_EBUSY = -13,    /* another connection holds what this call needs */
    SDB_EAUTH = -14,    /* refused: missing, wrong or disabled token (controlled mode) */
    SDB_EROLE = -15,    /* refused: the user's role may not run this operation */
    SDB_EPOLICY = -16,  /* refused: the purpose policy (purpose, index, authorization) */
    SDB_ERANGE = -17,   /* a computation too large to run exactly (d says which limit) */
};

/* Short English text for a status code; never NULL, static storage. */
const char *sdb_strerror(int status);

/* Where and why an input was refused. All strings are NUL-terminated and
 * owned by the struct (fixed buffers); line 0 means "not line-specific". */
typedef struct sdb_diag {
    char file[256];
    long line;
    char field[96];
    char reason[320];
} sdb_diag;

/* Clears a diagnostic. NULL is a no-op. */
void sdb_diag_clear(sdb_diag *d);

/* Fills a diagnostic (d may be NULL: then nothing happens). field may be NULL. */
void sdb_diag_set(sdb_diag *d, const char *file, long line, const char *field, const char *fmt, ...)
    SDB_PRINTF(5, 6);

/* Puts the formatted text before d's reason (cut to fit): "family 'F': "
 * in front of what the engine said. NULL is a no-op. */
void sdb_diag_prefix(sdb_diag *d, const char *fmt, ...) SDB_PRINTF(2, 3);

/* Formats "FILE:LINE: field 'F': REASON" (parts that are empty are left out)
 * into buf; returns buf. */
char *sdb_diag_format(const sdb_diag *d, char *buf, size_t size);

/* Logging gate: the library never prints except through this. Levels follow
 * htslib: 0 off, 1 error, 2 warning, 3 info, 4 debug. The default level is 2
 * and the default sink is stderr with a "[strdb] " tag. */
enum sdb_log_level { SDB_LOG_OFF, SDB_LOG_ERROR, SDB_LOG_WARNING, SDB_LOG_INFO, SDB_LOG_DEBUG };
typedef void (*sdb_log_sink)(void *arg, int level, const char *message);
void sdb_log_set_level(int level);
int sdb_log_get_level(void);
/* Replaces the sink (NULL restores stderr). Not thread-safe against logging. */
void sdb_log_set_sink(sdb_log_sink sink, void *arg);
void sdb_log(int level, const char *fmt, ...) SDB_PRINTF(2, 3);

#ifdef __cplusplus
}
#endif
#endif
