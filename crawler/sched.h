/* sched: the per-host scheduler, with its own state (the host table, the
 * ready heap, the queues' store, a random source) and a clock it is given
 * (every call takes `now`, so tests drive it with a fake clock). It
 * decides when each host may start its next request: per-host connection
 * cap, --wait with --random-wait, robots.txt Crawl-delay, backoff after
 * failures, the --rate token bucket, and robots.txt first. Hosts wait in a
 * min-heap keyed by that time, so a waiting host costs nothing per turn.
 *
 * One-way: sched never calls the crawl. The loop asks sched_next for the
 * next thing to start and reports back with sched_decided; transfers and
 * their outcomes come back through sched_release and sched_outcome, which
 * return decisions (retry or not, after how long). Parked transfers
 * (redirect hops, retries, sitemap files) are the caller's objects, held
 * here as opaque pointers until their host may start them. */
#ifndef CRAWL_SCHED_H
#define CRAWL_SCHED_H

#include <stddef.h>
#include <stdint.h>

#include "host.h"
#include "queue.h"

struct robots;

struct sched_config {
    int per_host;             /* connections to one host at once */
    double wait_s;            /* --wait */
    int random_wait;          /* --random-wait: each gap 0.5x..1.5x */
    double rate;              /* --rate, requests/s per host; 0 = off */
    double max_crawl_delay_s; /* cap on Crawl-delay and Retry-After */
    int retries;              /* --retries */
    int robots;               /* fetch robots.txt before a host's URLs */
    const char *offline_host; /* --base-url: a host read from disk, which
                                 needs no robots.txt (borrowed), or NULL */
    int max_depth;            /* queues per host: max_depth + 1 */
    size_t queue_budget;      /* queue bytes kept in memory (queue.h) */
    const char *queue_dir;    /* spill directory, NULL = $TMPDIR */
    uint64_t seed;            /* random source; 0 = from the clock */
};

struct sched;

struct sched *sched_create(const struct sched_config *cfg);
/* Frees the hosts and their queues; parked transfers must have been taken
 * back (sched_take_parked) first. */
void sched_free(struct sched *s);

/* The host of url (by host name; "" for file: URLs, which never need
 * robots.txt), created with its origin (scheme://host[:port]) if new. */
struct host *sched_host(struct sched *s, const char *url);
/* The host named name, or NULL when there is none yet. */
struct host *sched_find_host(struct sched *s, const char *name);
/* Queue a URL (copied) at depth on h. */
void sched_push(struct sched *s, struct host *h, int depth, uint32_t seq, const char *url,
                const char *parent);
/* Take h's next queued item without starting it (the host went to
 * another node): 1 with *depth and *it set (valid until the next sched
 * call), or 0 when none is left. */
int sched_take_queued(struct sched *s, struct host *h, int *depth, struct queue_item *it);
/* Queue items on all hosts (stale ones included) and parked transfers. */
size_t sched_queued(const struct sched *s);
size_t sched_parked(const struct sched *s);
/* Hold a transfer to run on h before h's queued URLs. */
void sched_park(struct sched *s, struct host *h, void *transfer);
/* Take back any one parked transfer (after a signal), or NULL. */
void *sched_take_parked(struct sched *s);

enum sched_action {
    SCHED_ROBOTS = 1, /* fetch h's robots.txt now */
    SCHED_PARKED,     /* start the parked transfer d->transfer now */
    SCHED_QUEUED      /* the next queued URL of h: d->item, d->depth */
};

struct sched_decision {
    enum sched_action action;
    struct host *host;
    void *transfer;         /* SCHED_PARKED */
    struct queue_item item; /* SCHED_QUEUED: valid until the next sched call */
    int depth;
};

/* The next thing to start now, if a host is ready: 1 with *d filled, or 0.
 * Every decision must be answered by sched_decided before the next call. */
int sched_next(struct sched *s, int64_t now, struct sched_decision *d);
/* started: a request to d->host began now (it holds a connection until
 * sched_release); 0: nothing started (a stale or skipped URL). */
void sched_decided(struct sched *s, struct host *h, int started, int64_t now);
/* A request to h ended: its connection is free. */
void sched_release(struct sched *s, struct host *h);

enum sched_result {
    SCHED_RESULT_OK = 0, /* an answer: reset the backoff */
    SCHED_RESULT_BUSY,   /* 429, 502, 503, 504: retry_after_s may say how long */
    SCHED_RESULT_FAILED, /* timeout, connection failure, truncated */
    SCHED_RESULT_LOCAL,  /* our fault (out of file descriptors): not the host's */
    SCHED_RESULT_FINAL   /* any other failure: never retried */
};

/* How a transfer on h ended, after `attempts` tries (1 for the first);
 * retry_after_s < 0 when the server gave none. Returns the delay in ms
 * before the transfer may run again (park it), or -1 when it is over. A
 * backoff or Retry-After pauses the host only for a transfer that will be
 * retried; Retry-After is capped by max_crawl_delay_s. A LOCAL failure is
 * retried without counting against --retries and without a pause. */
int64_t sched_outcome(struct sched *s, struct host *h, enum sched_result res, int attempts,
                      long retry_after_s, int64_t now);

/* robots.txt of h is known: rules (owned by sched from now on; NULL =
 * allow all) or unreachable (everything disallowed, `error` the transfer
 * error code or NULL). Crawl-delay takes effect from the robots.txt
 * request's own start. */
void sched_robots_done(struct sched *s, struct host *h, struct robots *rules, int unreachable,
                       const char *error);
/* h's robots.txt could not be asked for (a local failure): ask again. */
void sched_robots_retry(struct sched *s, struct host *h);
/* Reason code when robots.txt forbids url on h ("robots" or
 * "robots_unreachable"), else NULL. */
const char *sched_robots_verdict(const struct sched *s, const struct host *h, const char *url);

/* Milliseconds until a host is ready (0: now), or -1 when none waits. */
int64_t sched_wait_ms(const struct sched *s, int64_t now);
/* Uniform random number in [0, 1) from sched's source (jitter). */
double sched_random(struct sched *s);

#endif
