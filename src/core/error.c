/* Status texts, diagnostics and the logging gate. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "strdb/error.h"

const char *sdb_strerror(int status)
{
    switch (status) {
    case SDB_OK: return "success";
    case SDB_END: return "end of input";
    case SDB_ENOMEM: return "out of memory";
    case SDB_EIO: return "input/output error";
    case SDB_EFORMAT: return "unreadable file";
    case SDB_EINVAL: return "invalid input";
    case SDB_EDUP: return "duplicate sample id";
    case SDB_ESTORE: return "database error";
    case SDB_ENOTFOUND: return "not found";
    case SDB_EVERSION: return "unsupported version";
    case SDB_EAUDIT: return "audit chain broken";
    case SDB_EPERM: return "refused";
    case SDB_EEXIST: return "already exists";
    case SDB_EBUSY: return "busy: another connection is open";
    case SDB_EAUTH: return "refused: not authenticated";
    case SDB_EROLE: return "refused: not allowed for this role";
    case SDB_EPOLICY: return "refused by the purpose policy";
    case SDB_ERANGE: return "too large to compute exactly";
    default: return "unknown error";
    }
}

void sdb_diag_clear(sdb_diag *d)
{
    if (d) memset(d, 0, sizeof *d);
}

void sdb_diag_set(sdb_diag *d, const char *file, long line, const char *field, const char *fmt, ...)
{
    if (!d) return;
    snprintf(d->file, sizeof d->file, "%s", file ? file : "");
    d->line = line;
    snprintf(d->field, sizeof d->field, "%s", field ? field : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(d->reason, sizeof d->reason, fmt, ap);
    va_end(ap);
}

void sdb_diag_prefix(sdb_diag *d, const char *fmt, ...)
{
    if (!d) return;
    char head[sizeof d->reason], old[sizeof d->reason];
    memcpy(old, d->reason, sizeof old);
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(head, sizeof head, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    size_t k = (size_t)n < sizeof head ? (size_t)n : sizeof head - 1;
    memcpy(d->reason, head, k);
    size_t rest = strnlen(old, sizeof old - 1);
    if (rest > sizeof d->reason - 1 - k) rest = sizeof d->reason - 1 - k;
    memcpy(d->reason + k, old, rest);
    d->reason[k + rest] = '\0';
}

char *sdb_diag_format(const sdb_diag *d, char *buf, size_t size)
{
    size_t n = 0;
    buf[0] = '\0';
    if (d->file[0]) n += snprintf(buf + n, size - n, "%s:", d->file);
    if (n < size && d->line > 0) n += snprintf(buf + n, size - n, "%ld:", d->line);
    if (n < size && n > 0) n += snprintf(buf + n, size - n, " ");
    if (n < size && d->field[0]) n += snprintf(buf + n, size - n, "field '%s': ", d->field);
    if (n < size) snprintf(buf + n, size - n, "%s", d->reason[0] ? d->reason : "error");
    return buf;
}

static int log_level = SDB_LOG_WARNING;
static sdb_log_sink log_sink;
static void *log_arg;

void sdb_log_set_level(int level)
{
    log_level = level;
}

int sdb_log_get_level(void)
{
    return log_level;
}

void sdb_log_set_sink(sdb_log_sink sink, void *arg)
{
    log_sink = sink;
    log_arg = arg;
}

void sdb_log(int level, const char *fmt, ...)
{
    if (level > log_level || level <= SDB_LOG_OFF) return;
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (log_sink)
        log_sink(log_arg, level, msg);
    else
        fprintf(stderr, "[strdb] %s\n", msg);
}
