/* host: the per-host table and each host's queue of URLs waiting to be
 * fetched, one FIFO per depth so the lowest depth always goes first.
 * Owns the host structs and their names; entries are only linked here,
 * the frontier owns them. Knows nothing about curl. */
#ifndef CRAWL_HOST_H
#define CRAWL_HOST_H

#include <stddef.h>

#include "uthash.h"

struct entry;

/* An intrusive doubly linked FIFO of entries. */
struct elist {
    struct entry *head;
    struct entry *tail;
};

struct host {
    char *name;            /* lowercased host name ("" for file: URLs); owned */
    int active;            /* transfers in flight to this host */
    size_t queued;         /* entries in all queues */
    int nqueues;           /* max_depth + 1 */
    struct elist *queues;  /* [nqueues], by depth */
    struct host *next_all; /* in host_table's list, creation order */
    UT_hash_handle hh;
};

struct host_table {
    struct host *by_name; /* uthash head */
    struct host *first, *last;
    int max_depth;
    size_t count;
};

void host_table_init(struct host_table *t, int max_depth);
void host_table_free(struct host_table *t);
/* Find or create the host named name (len bytes). Never NULL. */
struct host *host_get(struct host_table *t, const char *name, size_t len);

/* Intrusive list primitives (entry->prev/next), used by the frontier's
 * pending list too. */
void host_list_append(struct elist *q, struct entry *e);
void host_list_remove(struct elist *q, struct entry *e);

/* Queue operations. An entry is in at most one queue, at its depth. */
void host_enqueue(struct host *h, struct entry *e);
void host_unqueue(struct host *h, struct entry *e);
/* Remove and return the first entry of the lowest non-empty depth, or NULL. */
struct entry *host_pop(struct host *h);

#endif
