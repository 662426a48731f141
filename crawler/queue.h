/* queue: FIFOs of URLs waiting to be fetched (one per host and depth), as
 * packed bytes (sequence number, URL, parent URL) in blocks of up to
 * 64 KiB. While the blocks of all queues together stay within the memory
 * budget they live in memory; past it, a queue's full blocks are written
 * to one append-only spill file (created in the frontier directory and
 * unlinked at once, so it vanishes with the process) and read back when
 * the queue reaches them. Only the head block being read and the tail
 * block being filled of each queue need memory.
 *
 * The spill file is written and read with plain pwrite/pread: these are
 * page-cache copies of whole blocks, a few per 64 KiB of URLs. If the
 * spill file cannot be created or written, queues stay in memory (one
 * warning): nothing is lost. Owns the blocks and the spill fd. */
#ifndef CRAWL_QUEUE_H
#define CRAWL_QUEUE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct queue_block;

struct queue {
    struct queue_block *head, *tail;
    size_t count; /* items pushed and not popped */
};

struct queue_store {
    size_t budget;    /* bytes of blocks kept in memory before spilling */
    size_t mem;       /* bytes of blocks in memory now */
    const char *dir;  /* where the spill file goes; NULL: $TMPDIR or /tmp */
    int fd;           /* spill file, -1 until the first spill */
    int failed;       /* spilling failed once: keep everything in memory */
    off_t end;        /* spill file size */
    uint64_t spilled; /* blocks written to the spill file */
};

/* One popped item; the pointers stay valid until the next operation on
 * the same queue. parent is NULL for start URLs. */
struct queue_item {
    uint32_t seq;
    const char *url;
    size_t url_len;
    const char *parent;
    size_t parent_len;
};

void queue_store_init(struct queue_store *st, size_t budget, const char *dir);
void queue_store_free(struct queue_store *st);

/* Append an item (url and parent are copied; parent may be NULL). Both
 * must be shorter than 64 KiB. */
void queue_push(struct queue_store *st, struct queue *q, uint32_t seq, const char *url,
                const char *parent);
/* Take the oldest item into *it. Returns 1, or 0 when q is empty. */
int queue_pop(struct queue_store *st, struct queue *q, struct queue_item *it);
/* Drop every item of q. */
void queue_clear(struct queue_store *st, struct queue *q);

#endif
