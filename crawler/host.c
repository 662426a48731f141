/* host: per-host table (uthash keyed by name) and per-depth FIFO queues.
 * Must not decide policy: the crawl loop decides when a host may start. */
#include "host.h"

#include "frontier.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

void host_table_init(struct host_table *t, int max_depth)
{
    memset(t, 0, sizeof *t);
    t->max_depth = max_depth;
}

void host_table_free(struct host_table *t)
{
    struct host *h, *tmp;
    HASH_ITER(hh, t->by_name, h, tmp)
    {
        HASH_DEL(t->by_name, h);
        free(h->queues);
        free(h->name);
        free(h);
    }
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
    h->nqueues = t->max_depth + 1;
    h->queues = xcalloc((size_t)h->nqueues, sizeof *h->queues);
    HASH_ADD_KEYPTR(hh, t->by_name, h->name, len, h);
    if (t->last)
        t->last->next_all = h;
    else
        t->first = h;
    t->last = h;
    t->count++;
    return h;
}

void host_list_append(struct elist *q, struct entry *e)
{
    e->next = NULL;
    e->prev = q->tail;
    if (q->tail)
        q->tail->next = e;
    else
        q->head = e;
    q->tail = e;
}

void host_list_remove(struct elist *q, struct entry *e)
{
    if (e->prev)
        e->prev->next = e->next;
    else
        q->head = e->next;
    if (e->next)
        e->next->prev = e->prev;
    else
        q->tail = e->prev;
    e->prev = e->next = NULL;
}

void host_enqueue(struct host *h, struct entry *e)
{
    host_list_append(&h->queues[e->depth], e);
    h->queued++;
}

void host_unqueue(struct host *h, struct entry *e)
{
    host_list_remove(&h->queues[e->depth], e);
    h->queued--;
}

struct entry *host_pop(struct host *h)
{
    if (!h->queued)
        return NULL;
    for (int d = 0; d < h->nqueues; d++) {
        struct entry *e = h->queues[d].head;
        if (e) {
            host_unqueue(h, e);
            return e;
        }
    }
    return NULL;
}
