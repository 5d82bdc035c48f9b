/* strdb: a bounded blocking queue, the pipeline primitive.
 *
 * One or more producers push pointers, one or more consumers pop them; push
 * blocks while the queue is full and pop while it is empty, so a fast stage
 * cannot run ahead of a slow one by more than the capacity. Two queues
 * (full and free) between two threads make a two-stage pipeline that
 * recycles its buffers instead of allocating per item (src/store/import.c).
 * All functions are thread-safe.
 */
#ifndef STRDB_QUEUE_H
#define STRDB_QUEUE_H

#include "strdb/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sdb_queue sdb_queue;

/* A queue of capacity slots (>= 1). The caller frees it with sdb_queue_free()
 * once no thread uses it. Returns SDB_OK, SDB_EINVAL or SDB_ENOMEM. */
int sdb_queue_new(sdb_queue **out, int capacity) SDB_WUR;

/* Frees the queue (not the items still in it); NULL is a no-op. */
void sdb_queue_free(sdb_queue *q);

/* Appends item, waiting while the queue is full. SDB_OK, or SDB_END if the
 * queue was closed or aborted (item not queued). */
int sdb_queue_push(sdb_queue *q, void *item) SDB_WUR;

/* Takes the oldest item, waiting while the queue is empty. SDB_OK, or
 * SDB_END once the queue is closed and drained, or aborted. */
int sdb_queue_pop(sdb_queue *q, void **item) SDB_WUR;

/* The number of items queued now (a snapshot: another thread may change it
 * at once); a producer asks it to learn whether its consumer is behind. */
int sdb_queue_length(sdb_queue *q);

/* No more pushes: poppers drain what is queued, then get SDB_END. */
void sdb_queue_close(sdb_queue *q);

/* Stop now: every waiting and later push or pop returns SDB_END. */
void sdb_queue_abort(sdb_queue *q);

#ifdef __cplusplus
}
#endif
#endif
