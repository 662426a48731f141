/* host: the per-host table and each host's queue of URLs waiting to be
 * fetched, one FIFO per depth so the lowest depth always goes first (the
 * FIFOs are queue.c's packed, spillable blocks). Owns the host structs,
 * their names and their queues. Knows nothing about curl. */
#ifndef CRAWL_HOST_H
#define CRAWL_HOST_H

#include <stddef.h>
#include <stdint.h>

#include "queue.h"
#include "uthash.h"

struct robots;

/* A transfer parked on a host (the caller's object). */
struct host_parked {
    void *transfer;
    struct host_parked *next;
};

enum host_robots {
    HOST_ROBOTS_UNKNOWN = 0, /* robots.txt not asked for yet */
    HOST_ROBOTS_FETCHING,    /* its transfer is in flight */
    HOST_ROBOTS_READY        /* rules known (or robots off / file: host) */
};

struct host {
    char *name;            /* lowercased host name ("" for file: URLs); owned */
    char *origin;          /* scheme://host[:port] of the first URL seen; owned */
    int active;            /* transfers in flight to this host */
    int marks;             /* the crawl's own flags (CRAWL_HOST_*), not read here */
    size_t queued;         /* items in all queues (stale ones included) */
    int nqueues;           /* max_depth + 2 */
    struct queue *queues;  /* [nqueues], by depth */
    struct host *next_all; /* in host_table's list, creation order */
    /* Scheduling (all times clock_ms). The effective gap between request
     * starts is the largest of --wait, Crawl-delay and the backoff. */
    int64_t next_start;    /* earliest next request start */
    int64_t last_start;    /* when the last request started */
    int64_t backoff_until; /* paused after 429/5xx/timeouts until then */
    int backoff_level;     /* consecutive failures, for the exponent */
    double tokens;         /* --rate bucket */
    int64_t tokens_at;     /* when tokens was last refilled */
    double crawl_delay_s;  /* from robots.txt, capped; 0 = none */
    size_t heap_idx;       /* position in the scheduler heap */
    int64_t ready_at;      /* heap key */
    /* robots.txt */
    enum host_robots robots_state;
    struct robots *robots;    /* owned; NULL = allow all */
    int robots_unreachable;   /* 5xx or unreachable: everything disallowed */
    const char *robots_error; /* the transfer error behind it, or NULL */
    /* Transfers already under way (redirect hops, retries, sitemaps),
     * started before new URLs of this host. */
    struct host_parked *parked_head, *parked_tail;
    UT_hash_handle hh;
};

#define HOST_NOT_IN_HEAP ((size_t)-1)

/* A binary min-heap of hosts keyed by ready_at: waiting hosts cost nothing
 * per loop turn. */
struct host_heap {
    struct host **a;
    size_t n;
    size_t cap;
};

struct host_table {
    struct queue_store store; /* every host's queue blocks */
    struct host *by_name;     /* uthash head */
    struct host *first, *last;
    int max_depth;
    size_t count;
    struct host_heap heap;
};

/* queue_budget and queue_dir: see queue_store_init. */
void host_table_init(struct host_table *t, int max_depth, size_t queue_budget,
                     const char *queue_dir);
void host_table_free(struct host_table *t);
/* Find or create the host named name (len bytes). Never NULL. */
struct host *host_get(struct host_table *t, const char *name, size_t len);

/* Insert h with key ready_at, or move it if already in the heap. */
void host_heap_set(struct host_table *t, struct host *h, int64_t ready_at);
void host_heap_remove(struct host_table *t, struct host *h);
/* The host with the smallest ready_at, or NULL. Not removed. */
struct host *host_heap_top(const struct host_table *t);

/* Queue a URL at depth (copied; parent may be NULL). */
void host_push(struct host_table *t, struct host *h, int depth, uint32_t seq, const char *url,
               const char *parent);
/* Take the oldest item of the lowest non-empty depth. Returns 1 with
 * *depth and *it set (valid until the host's next queue operation), or 0
 * when every queue of h is empty. */
int host_pop(struct host_table *t, struct host *h, int *depth, struct queue_item *it);

#endif
