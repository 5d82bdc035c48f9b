/* Shared includes and helpers of the cmocka unit tests. */
#ifndef STRDB_TEST_UNIT_H
#define STRDB_TEST_UNIT_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "engine_internal.h"

#ifndef SDB_TEST_DATA
#define SDB_TEST_DATA "test/data"
#endif

/* Reads a whole file into a malloc'd NUL-terminated buffer (test helper). */
static inline char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    if (buf) buf[n] = '\0';
    if (len) *len = (size_t)n;
    return buf;
}

/* A fresh path for a temporary database (removed first). */
static inline void temp_db_path(char *buf, size_t size, const char *tag)
{
    snprintf(buf, size, "%s/strdb-unit-%s-%d.db", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", tag,
             (int)getpid());
    char side[1100];
    remove(buf);
    snprintf(side, sizeof side, "%s-wal", buf);
    remove(side);
    snprintf(side, sizeof side, "%s-shm", buf);
    remove(side);
}

#endif
