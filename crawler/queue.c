/* queue: packed FIFO blocks in memory, spilled to one unlinked file past
 * the memory budget. Knows nothing of hosts, depths or the seen set. */
#include "queue.h"

#include "log.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define QUEUE_BLOCK_MAX   65536 /* a full block is the unit of spilling */
#define QUEUE_BLOCK_FIRST 256
#define QUEUE_ITEM_HEAD   8 /* seq (4), url length (2), parent length (2) */

struct queue_block {
    struct queue_block *next;
    char *data; /* NULL while on disk */
    size_t len; /* bytes of items */
    size_t cap; /* bytes allocated (0 on disk) */
    size_t off; /* read position */
    off_t pos;  /* where it lies in the spill file */
};

void queue_store_init(struct queue_store *st, size_t budget, const char *dir)
{
    memset(st, 0, sizeof *st);
    st->budget = budget;
    st->dir = dir;
    st->fd = -1;
}

void queue_store_free(struct queue_store *st)
{
    if (st->fd >= 0)
        close(st->fd);
    st->fd = -1;
}

static void queue_block_free(struct queue_store *st, struct queue_block *b)
{
    st->mem -= b->cap;
    free(b->data);
    free(b);
}

static int queue_spill_open(struct queue_store *st)
{
    if (st->fd >= 0)
        return 0;
    if (st->failed)
        return -1;
    const char *dir = st->dir;
    if (!dir)
        dir = getenv("TMPDIR");
    if (!dir || !*dir)
        dir = "/tmp";
    size_t n = strlen(dir);
    char *path = xmalloc(n + sizeof "/crawl-frontier-XXXXXX");
    memcpy(path, dir, n);
    memcpy(path + n, "/crawl-frontier-XXXXXX", sizeof "/crawl-frontier-XXXXXX");
    st->fd = mkstemp(path);
    if (st->fd < 0) {
        log_warn("cannot create a frontier spill file in %s (%s): queued URLs stay in memory", dir,
                 strerror(errno));
        st->failed = 1;
    } else {
        unlink(path);
        fcntl(st->fd, F_SETFD, FD_CLOEXEC);
    }
    free(path);
    return st->fd >= 0 ? 0 : -1;
}

/* Write a full block to the spill file and free its memory. */
static void queue_spill(struct queue_store *st, struct queue_block *b)
{
    if (queue_spill_open(st) < 0)
        return;
    size_t done = 0;
    while (done < b->len) {
        ssize_t w = pwrite(st->fd, b->data + done, b->len - done, st->end + (off_t)done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            log_warn("frontier spill file: %s: queued URLs stay in memory from now on",
                     w < 0 ? strerror(errno) : "short write");
            st->failed = 1;
            close(st->fd);
            st->fd = -1;
            return;
        }
        done += (size_t)w;
    }
    b->pos = st->end;
    st->end += (off_t)b->len;
    st->mem -= b->cap;
    free(b->data);
    b->data = NULL;
    b->cap = 0;
    st->spilled++;
}

/* Read a spilled block back. A failing read is fatal: the URLs in it
 * cannot be recovered any other way, and going on would lose them. */
static void queue_unspill(struct queue_store *st, struct queue_block *b)
{
    b->data = xmalloc(b->len);
    b->cap = b->len;
    st->mem += b->cap;
    size_t done = 0;
    while (done < b->len) {
        ssize_t r = pread(st->fd, b->data + done, b->len - done, b->pos + (off_t)done);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            log_error("frontier spill file unreadable: %s", r < 0 ? strerror(errno) : "short");
            abort();
        }
        done += (size_t)r;
    }
}

static struct queue_block *queue_block_new(struct queue_store *st, struct queue *q, size_t need)
{
    /* A queue that outgrew its first block gets full-size ones. */
    size_t cap = q->tail ? QUEUE_BLOCK_MAX : QUEUE_BLOCK_FIRST;
    while (cap < need)
        cap *= 2;
    struct queue_block *b = xcalloc(1, sizeof *b);
    b->data = xmalloc(cap);
    b->cap = cap;
    st->mem += cap;
    if (q->tail)
        q->tail->next = b;
    else
        q->head = b;
    q->tail = b;
    return b;
}

void queue_push(struct queue_store *st, struct queue *q, uint32_t seq, const char *url,
                const char *parent)
{
    size_t ul = strlen(url), pl = parent ? strlen(parent) : 0;
    size_t need = QUEUE_ITEM_HEAD + ul + pl;
    struct queue_block *b = q->tail;
    if (b && b->data && b->len + need > b->cap && b->cap < QUEUE_BLOCK_MAX) {
        size_t cap = b->cap;
        while (cap < b->len + need && cap < QUEUE_BLOCK_MAX)
            cap *= 2;
        if (b->len + need <= cap) {
            b->data = xrealloc(b->data, cap);
            st->mem += cap - b->cap;
            b->cap = cap;
        }
    }
    if (!b || !b->data || b->len + need > b->cap) {
        /* A full tail that nobody reads yet may go to disk. */
        if (b && b->data && b != q->head && st->mem > st->budget)
            queue_spill(st, b);
        b = queue_block_new(st, q, need);
    }
    char *p = b->data + b->len;
    uint16_t u16 = (uint16_t)ul, p16 = (uint16_t)pl;
    memcpy(p, &seq, 4);
    memcpy(p + 4, &u16, 2);
    memcpy(p + 6, &p16, 2);
    memcpy(p + QUEUE_ITEM_HEAD, url, ul);
    if (pl)
        memcpy(p + QUEUE_ITEM_HEAD + ul, parent, pl);
    b->len += need;
    q->count++;
}

int queue_pop(struct queue_store *st, struct queue *q, struct queue_item *it)
{
    struct queue_block *b = q->head;
    while (b && b->off == b->len) {
        q->head = b->next;
        if (q->tail == b)
            q->tail = NULL;
        queue_block_free(st, b);
        b = q->head;
    }
    if (!b)
        return 0;
    if (!b->data)
        queue_unspill(st, b);
    const char *p = b->data + b->off;
    uint16_t u16, p16;
    memcpy(&it->seq, p, 4);
    memcpy(&u16, p + 4, 2);
    memcpy(&p16, p + 6, 2);
    it->url = p + QUEUE_ITEM_HEAD;
    it->url_len = u16;
    it->parent = p16 ? p + QUEUE_ITEM_HEAD + u16 : NULL;
    it->parent_len = p16;
    b->off += QUEUE_ITEM_HEAD + (size_t)u16 + p16;
    q->count--;
    return 1;
}

void queue_clear(struct queue_store *st, struct queue *q)
{
    while (q->head) {
        struct queue_block *b = q->head;
        q->head = b->next;
        queue_block_free(st, b);
    }
    q->tail = NULL;
    q->count = 0;
}
