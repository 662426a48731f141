/* host: per-host table (uthash keyed by name) and per-depth FIFO queues.
 * Must not decide policy: the crawl loop decides when a host may start. */
#include "host.h"

#include "robots.h"
#include "xalloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

void host_table_init(struct host_table *t, int max_depth, size_t queue_budget,
                     const char *queue_dir)
{
    memset(t, 0, sizeof *t);
    t->max_depth = max_depth;
    queue_store_init(&t->store, queue_budget, queue_dir);
}

void host_table_free(struct host_table *t)
{
    struct host *h, *tmp;
    HASH_ITER(hh, t->by_name, h, tmp)
    {
        HASH_DEL(t->by_name, h);
        for (int d = 0; d < h->nqueues; d++)
            queue_clear(&t->store, &h->queues[d]);
        free(h->queues);
        free(h->name);
        free(h->origin);
        robots_free(h->robots);
        free(h);
    }
    free(t->heap.a);
    queue_store_free(&t->store);
    memset(t, 0, sizeof *t);
}

struct host *host_get(struct host_table *t, const char *name, size_t len)
{
    struct host *h = NULL;
    HASH_FIND(hh, t->by_name, name, len, h);
    if (h)
        return h;
    h = xcalloc(1, sizeof *h);
    h->name = xmemdup0(name, len);
    h->nqueues = t->max_depth + 2; /* + checked external links of the last level */
    h->queues = xcalloc((size_t)h->nqueues, sizeof *h->queues);
    h->heap_idx = HOST_NOT_IN_HEAP;
    HASH_ADD_KEYPTR(hh, t->by_name, h->name, len, h);
    if (t->last)
        t->last->next_all = h;
    else
        t->first = h;
    t->last = h;
    t->count++;
    return h;
}

void host_push(struct host_table *t, struct host *h, int depth, uint32_t seq, const char *url,
               const char *parent)
{
    queue_push(&t->store, &h->queues[depth], seq, url, parent);
    h->queued++;
}

int host_pop(struct host_table *t, struct host *h, int *depth, struct queue_item *it)
{
    if (!h->queued)
        return 0;
    for (int d = 0; d < h->nqueues; d++) {
        if (queue_pop(&t->store, &h->queues[d], it)) {
            h->queued--;
            *depth = d;
            return 1;
        }
    }
    return 0;
}

static void host_heap_place(struct host_heap *hp, size_t i, struct host *h)
{
    hp->a[i] = h;
    h->heap_idx = i;
}

static void host_heap_up(struct host_heap *hp, size_t i)
{
    struct host *h = hp->a[i];
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (hp->a[p]->ready_at <= h->ready_at)
            break;
        host_heap_place(hp, i, hp->a[p]);
        i = p;
    }
    host_heap_place(hp, i, h);
}

static void host_heap_down(struct host_heap *hp, size_t i)
{
    struct host *h = hp->a[i];
    for (;;) {
        size_t l = 2 * i + 1, m = i;
        int64_t best = h->ready_at;
        if (l < hp->n && hp->a[l]->ready_at < best)
            m = l, best = hp->a[l]->ready_at;
        if (l + 1 < hp->n && hp->a[l + 1]->ready_at < best)
            m = l + 1;
        if (m == i)
            break;
        host_heap_place(hp, i, hp->a[m]);
        i = m;
    }
    host_heap_place(hp, i, h);
}

void host_heap_set(struct host_table *t, struct host *h, int64_t ready_at)
{
    struct host_heap *hp = &t->heap;
    if (h->heap_idx == HOST_NOT_IN_HEAP) {
        if (hp->n == hp->cap) {
            hp->cap = hp->cap ? hp->cap * 2 : 16;
            hp->a = xrealloc(hp->a, hp->cap * sizeof *hp->a);
        }
        h->ready_at = ready_at;
        host_heap_place(hp, hp->n++, h);
        host_heap_up(hp, h->heap_idx);
        return;
    }
    int64_t old = h->ready_at;
    h->ready_at = ready_at;
    if (ready_at < old)
        host_heap_up(hp, h->heap_idx);
    else
        host_heap_down(hp, h->heap_idx);
}

void host_heap_remove(struct host_table *t, struct host *h)
{
    struct host_heap *hp = &t->heap;
    size_t i = h->heap_idx;
    if (i == HOST_NOT_IN_HEAP)
        return;
    h->heap_idx = HOST_NOT_IN_HEAP;
    struct host *last = hp->a[--hp->n];
    if (i == hp->n)
        return;
    host_heap_place(hp, i, last);
    host_heap_up(hp, i);
    host_heap_down(hp, last->heap_idx);
}

struct host *host_heap_top(const struct host_table *t)
{
    return t->heap.n ? t->heap.a[0] : NULL;
}
