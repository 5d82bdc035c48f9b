/* An index cache shared by the sessions of one process (a server): each
 * (kind, allowed indexes, database stamp) is built or loaded once and handed
 * to every session that needs it; a stale entry (the database changed) is
 * freed when its last session lets go. Sessions search an index read-only,
 * so one index serves many threads. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "governance_internal.h"

#define CACHE_SLOTS 32

typedef struct cache_entry {
    sdb_idx *x;
    int kind, refs, stale;
    char stamp[65];
    char indexes[1024];
} cache_entry;

struct sdb_index_cache {
    pthread_mutex_t mu;
    cache_entry e[CACHE_SLOTS];
    long builds, hits;
};

int sdb_index_cache_new(sdb_index_cache **out)
{
    sdb_index_cache *c = calloc(1, sizeof *c);
    if (!c) return SDB_ENOMEM;
    if (pthread_mutex_init(&c->mu, NULL)) {
        free(c);
        return SDB_ENOMEM;
    }
    *out = c;
    return SDB_OK;
}

void sdb_index_cache_free(sdb_index_cache *c)
{
    if (!c) return;
    for (int i = 0; i < CACHE_SLOTS; i++)
        sdb_idx_free(c->e[i].x);
    pthread_mutex_destroy(&c->mu);
    free(c);
}

void sdb_index_cache_counts(sdb_index_cache *c, long *builds, long *hits)
{
    pthread_mutex_lock(&c->mu);
    *builds = c->builds;
    *hits = c->hits;
    pthread_mutex_unlock(&c->mu);
}

/* Lets go of entry (held by a session); the last holder of a stale entry frees it. */
void sdb_gov_cache_release(sdb_index_cache *c, void *entry)
{
    cache_entry *e = entry;
    if (!c || !e) return;
    pthread_mutex_lock(&c->mu);
    if (--e->refs == 0 && e->stale) {
        sdb_idx_free(e->x);
        memset(e, 0, sizeof *e);
    }
    pthread_mutex_unlock(&c->mu);
}

int sdb_gov_cache_get(sdb_index_cache *c, const char *allowed, int kind, const char *stamp,
                      sdb_gov_build_fn build, void *arg, sdb_idx **x, void **entry, sdb_diag *d)
{
    const char *ix = allowed ? allowed : "";
    pthread_mutex_lock(&c->mu);
    cache_entry *free_slot = NULL;
    for (int i = 0; i < CACHE_SLOTS; i++) {
        cache_entry *e = &c->e[i];
        if (!e->x) {
            if (!free_slot) free_slot = e;
            continue;
        }
        if (e->stale || e->kind != kind || strcmp(e->indexes, ix)) continue;
        if (!strcmp(e->stamp, stamp)) {
            e->refs++;
            c->hits++;
            pthread_mutex_unlock(&c->mu);
            *x = e->x;
            *entry = e;
            return SDB_OK;
        }
        /* the database changed since this one was built */
        e->stale = 1;
        if (!e->refs) {
            sdb_idx_free(e->x);
            memset(e, 0, sizeof *e);
            if (!free_slot) free_slot = e;
        }
    }
    if (!free_slot) { /* every slot held: evict an unreferenced one */
        for (int i = 0; i < CACHE_SLOTS && !free_slot; i++)
            if (!c->e[i].refs) {
                sdb_idx_free(c->e[i].x);
                memset(&c->e[i], 0, sizeof c->e[i]);
                free_slot = &c->e[i];
            }
    }
    if (!free_slot) {
        pthread_mutex_unlock(&c->mu);
        sdb_diag_set(d, NULL, 0, NULL, "index cache full: %d indexes held at once", CACHE_SLOTS);
        return SDB_EBUSY;
    }
    /* built under the lock: concurrent requests for the same index wait for it */
    int rc = build(arg, x, d);
    if (!rc) {
        free_slot->x = *x;
        free_slot->kind = kind;
        free_slot->refs = 1;
        free_slot->stale = 0;
        sdb_gov_copy(free_slot->stamp, sizeof free_slot->stamp, stamp);
        sdb_gov_copy(free_slot->indexes, sizeof free_slot->indexes, ix);
        c->builds++;
        *entry = free_slot;
    }
    pthread_mutex_unlock(&c->mu);
    return rc;
}
