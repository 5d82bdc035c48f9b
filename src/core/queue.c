/* Bounded blocking queue: a ring of pointers under one mutex. */
#include <pthread.h>
#include <stdlib.h>

#include "strdb/queue.h"

struct sdb_queue {
    pthread_mutex_t lock;
    pthread_cond_t not_full, not_empty;
    void **slots;
    int capacity, head, count;
    int closed, aborted;
};

int sdb_queue_new(sdb_queue **out, int capacity)
{
    if (capacity < 1) return SDB_EINVAL;
    sdb_queue *q = calloc(1, sizeof *q);
    if (!q || !(q->slots = calloc((size_t)capacity, sizeof *q->slots))) {
        free(q);
        return SDB_ENOMEM;
    }
    pthread_mutex_init(&q->lock, NULL);
    pthread_cond_init(&q->not_full, NULL);
    pthread_cond_init(&q->not_empty, NULL);
    q->capacity = capacity;
    *out = q;
    return SDB_OK;
}

void sdb_queue_free(sdb_queue *q)
{
    if (!q) return;
    pthread_mutex_destroy(&q->lock);
    pthread_cond_destroy(&q->not_full);
    pthread_cond_destroy(&q->not_empty);
    free(q->slots);
    free(q);
}

int sdb_queue_push(sdb_queue *q, void *item)
{
    pthread_mutex_lock(&q->lock);
    while (q->count == q->capacity && !q->closed && !q->aborted)
        pthread_cond_wait(&q->not_full, &q->lock);
    int rc = SDB_END;
    if (!q->closed && !q->aborted) {
        q->slots[(q->head + q->count) % q->capacity] = item;
        q->count++;
        pthread_cond_signal(&q->not_empty);
        rc = SDB_OK;
    }
    pthread_mutex_unlock(&q->lock);
    return rc;
}

int sdb_queue_pop(sdb_queue *q, void **item)
{
    pthread_mutex_lock(&q->lock);
    while (q->count == 0 && !q->closed && !q->aborted)
        pthread_cond_wait(&q->not_empty, &q->lock);
    int rc = SDB_END;
    if (!q->aborted && q->count > 0) {
        *item = q->slots[q->head];
        q->head = (q->head + 1) % q->capacity;
        q->count--;
        pthread_cond_signal(&q->not_full);
        rc = SDB_OK;
    }
    pthread_mutex_unlock(&q->lock);
    return rc;
}

int sdb_queue_length(sdb_queue *q)
{
    pthread_mutex_lock(&q->lock);
    int n = q->count;
    pthread_mutex_unlock(&q->lock);
    return n;
}

static void set_flag(sdb_queue *q, int *flag)
{
    pthread_mutex_lock(&q->lock);
    *flag = 1;
    pthread_cond_broadcast(&q->not_full);
    pthread_cond_broadcast(&q->not_empty);
    pthread_mutex_unlock(&q->lock);
}

void sdb_queue_close(sdb_queue *q)
{
    set_flag(q, &q->closed);
}

void sdb_queue_abort(sdb_queue *q)
{
    set_flag(q, &q->aborted);
}
