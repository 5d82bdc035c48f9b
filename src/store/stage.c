/* Import staging: the reader thread of the import pipeline.
 *
 * Reading, validating and encoding a record costs about as much as SQLite's
 * insert, so on two cores the import runs the two in parallel: this thread
 * fills batches of STAGE_BATCH records and the importing thread inserts
 * them. Records keep their input order, so errors are met in the same order
 * as a serial import would meet them. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "store_internal.h"

#define N_BATCHES 4

struct stager {
    sdb_reader *reader;
    const sdb_catalog *cat;
    const sdb_index_rule *rule;
    void (*seal)(void *arg, const stage_batch *b, staged *x);
    void *seal_arg;
    const char *path;
    sdb_queue *full, *free_batches;
    stage_batch batches[N_BATCHES];
    pthread_t thread;
    int started;
};

/* Appends len bytes to the arena; returns the offset or STAGE_NONE. */
static size_t arena_put(stage_batch *b, const void *data, size_t len)
{
    if (b->arena_len + len > b->arena_cap) {
        size_t cap = b->arena_cap ? b->arena_cap : 1 << 16;
        while (cap < b->arena_len + len)
            cap *= 2;
        char *a = realloc(b->arena, cap);
        if (!a) return STAGE_NONE;
        b->arena = a;
        b->arena_cap = cap;
    }
    size_t off = b->arena_len;
    memcpy(b->arena + off, data, len);
    b->arena_len += len;
    return off;
}

static size_t arena_string(stage_batch *b, const char *s, int *failed)
{
    if (!s || !s[0]) return STAGE_NONE;
    size_t off = arena_put(b, s, strlen(s) + 1);
    *failed |= off == STAGE_NONE;
    return off;
}

static int add_diag(stage_batch *b, const sdb_diag *d)
{
    if (b->n_diags == b->diags_cap) {
        int cap = b->diags_cap ? 2 * b->diags_cap : 8;
        sdb_diag *t = realloc(b->diags, (size_t)cap * sizeof *t);
        if (!t) return -1;
        b->diags = t;
        b->diags_cap = cap;
    }
    b->diags[b->n_diags] = *d;
    return b->n_diags++;
}

/* Stages one record read with status rc: validates and encodes a profile,
 * or keeps the reader's diagnostic. */
static void stage_one(stager *s, stage_batch *b, int rc, sdb_profile *p, sdb_diag *rd)
{
    staged *x = &b->rec[b->n++];
    memset(x, 0, sizeof *x);
    x->line = p->line;
    x->id = x->kit = x->population = x->blob = STAGE_NONE;
    if (rc == SDB_OK && (rc = sdb_profile_validate(p, s->cat, s->rule, rd)) != SDB_OK) {
        snprintf(rd->file, sizeof rd->file, "%s", s->path);
        if (!rd->line) rd->line = p->line;
    }
    int failed = 0;
    if (rc == SDB_OK) {
        unsigned char buf[SDB_GT_HEADER + SDB_GT_ENTRY * 512];
        unsigned char *blob = buf;
        size_t need = SDB_GT_HEADER + SDB_GT_ENTRY * (size_t)p->n_alleles;
        if (need > sizeof buf && !(blob = malloc(need))) failed = 1;
        if (!failed) {
            x->blob_len = (size_t)sdb_genotype_encode(p, blob, need);
            x->blob = arena_put(b, blob, x->blob_len);
            failed |= x->blob == STAGE_NONE;
        }
        if (blob != buf) free(blob);
        x->id = arena_string(b, p->sample_id, &failed);
        x->kit = arena_string(b, p->kit, &failed);
        x->population = arena_string(b, p->population, &failed);
        x->flags = p->flags;
        x->kind = p->kind;
        x->n_calls = p->n_calls;
    } else {
        x->id = arena_string(b, p->sample_id, &failed);
        if ((x->diag = add_diag(b, rd)) < 0) failed = 1;
    }
    x->rc = failed ? SDB_ENOMEM : rc;
}

static void seal_batch(stager *s, stage_batch *b)
{
    if (s->seal)
        for (int i = 0; i < b->n; i++)
            if (b->rec[i].rc == SDB_OK) s->seal(s->seal_arg, b, &b->rec[i]);
    b->sealed = 1;
}

void sdb_stage_seal(stager *s, stage_batch *b)
{
    if (!b->sealed) seal_batch(s, b);
}

static void *reader_thread(void *arg)
{
    stager *s = arg;
    sdb_profile p;
    sdb_profile_init(&p);
    int done = 0;
    while (!done) {
        stage_batch *b;
        if (sdb_queue_pop(s->free_batches, (void **)&b)) break; /* aborted */
        b->n = b->n_diags = b->sealed = 0;
        b->arena_len = 0;
        while (b->n < STAGE_BATCH) {
            sdb_diag rd;
            sdb_diag_clear(&rd);
            int rc = sdb_reader_next(s->reader, &p, &rd);
            if (rc == SDB_END) {
                done = 1;
                break;
            }
            stage_one(s, b, rc, &p, &rd);
            if (b->rec[b->n - 1].rc != SDB_OK && b->rec[b->n - 1].rc != SDB_EINVAL) {
                done = 1; /* fatal: the importer stops at this record */
                break;
            }
        }
        if (sdb_queue_length(s->full) > 0) seal_batch(s, b); /* the importer is behind */
        if (sdb_queue_push(s->full, b)) break;
    }
    sdb_queue_close(s->full);
    sdb_profile_free(&p);
    return NULL;
}

int sdb_stage_start(stager **out, sdb_reader *r, const sdb_catalog *cat, const sdb_index_rule *rule,
                    const char *path, void (*seal)(void *arg, const stage_batch *b, staged *x),
                    void *arg)
{
    stager *s = calloc(1, sizeof *s);
    if (!s) return SDB_ENOMEM;
    *s = (stager){.reader = r, .cat = cat, .rule = rule, .path = path, .seal = seal,
                  .seal_arg = arg};
    int rc = SDB_ENOMEM;
    if (sdb_queue_new(&s->full, N_BATCHES) || sdb_queue_new(&s->free_batches, N_BATCHES)) goto fail;
    for (int i = 0; i < N_BATCHES; i++)
        if (sdb_queue_push(s->free_batches, &s->batches[i])) goto fail;
    if (pthread_create(&s->thread, NULL, reader_thread, s)) goto fail;
    s->started = 1;
    *out = s;
    return SDB_OK;
fail:
    sdb_stage_stop(s);
    return rc;
}

int sdb_stage_next(stager *s, stage_batch **b)
{
    return sdb_queue_pop(s->full, (void **)b);
}

void sdb_stage_recycle(stager *s, stage_batch *b)
{
    if (sdb_queue_push(s->free_batches, b)) return; /* stopping: nothing to do */
}

void sdb_stage_stop(stager *s)
{
    if (!s) return;
    if (s->started) {
        sdb_queue_abort(s->free_batches);
        sdb_queue_abort(s->full);
        pthread_join(s->thread, NULL);
    }
    for (int i = 0; i < N_BATCHES; i++) {
        free(s->batches[i].arena);
        free(s->batches[i].diags);
    }
    sdb_queue_free(s->full);
    sdb_queue_free(s->free_batches);
    free(s);
}
