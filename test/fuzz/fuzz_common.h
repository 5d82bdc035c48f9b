/* Shared body of the reader fuzz harnesses: read every record of the input
 * in one format; every profile that reads must survive a JSON lines round
 * trip unchanged (abort otherwise, so the fuzzer reports it). */
#ifndef STRDB_FUZZ_COMMON_H
#define STRDB_FUZZ_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

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

static int fuzz_reader(const uint8_t *data, size_t size, sdb_format format)
{
    if (sdb_init()) return 0;
    const sdb_catalog *cat = sdb_catalog_default();
    sdb_read_opts o;
    sdb_read_opts_init(&o);
    o.format = format;
    sdb_reader *r;
    sdb_diag d;
    if (sdb_reader_open_mem(&r, "fuzz", data, size, cat, &o, &d)) return 0;
    sdb_profile p;
    sdb_profile_init(&p);
    int rc, n = 0;
    while ((rc = sdb_reader_next(r, &p, &d)) != SDB_END && n++ < 100000) {
        if (rc == SDB_OK)
            roundtrip_or_abort(cat, &p);
        else if (rc != SDB_EINVAL)
            break;
    }
    sdb_profile_free(&p);
    sdb_reader_close(r);
    return 0;
}

#endif
