/* The parallel-for of the engine (STYLE.md: threads through a parallel-for
 * with a thread id and a bounded pipeline). Every fan-out of the engine
 * (all pairs, identity and Y scans, familial scans, lineage joins, the
 * simulator's generations) runs through it. */
#include <pthread.h>
#include <stdlib.h>

#include "engine_internal.h"

typedef struct part {
    int (*fn)(void *arg, int tid);
    void *arg;
    int tid, rc;
} part;

static void *run_part(void *p)
{
    part *t = p;
    t->rc = t->fn(t->arg, t->tid);
    return NULL;
}

int sdb_parallel_for(int n_threads, int (*fn)(void *arg, int tid), void *arg)
{
    int n = n_threads < 1 ? 1 : n_threads > SDB_MAX_THREADS ? SDB_MAX_THREADS : n_threads;
    part *parts = calloc((size_t)n, sizeof *parts);
    pthread_t *th = calloc((size_t)n, sizeof *th);
    char *started = calloc((size_t)n, 1);
    int rc = SDB_OK;
    if (!parts || !th || !started) {
        rc = SDB_ENOMEM;
        n = 0;
    }
    for (int k = 0; k < n; k++) {
        parts[k] = (part){fn, arg, k, SDB_OK};
        if (k > 0) started[k] = pthread_create(&th[k], NULL, run_part, &parts[k]) == 0;
    }
    /* tid 0 on this thread, then any part whose thread could not start */
    for (int k = 0; k < n; k++)
        if (!started[k]) run_part(&parts[k]);
    for (int k = 0; k < n; k++) {
        if (started[k]) pthread_join(th[k], NULL);
        if (!rc) rc = parts[k].rc;
    }
    free(parts);
    free(th);
    free(started);
    return rc;
}
