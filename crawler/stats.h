/* stats: crawl statistics beyond the plain counters: records by status
 * class, by content type and by error code, and their JSON form for
 * --stats-json and --stats-interval; the first few broken URLs for the
 * closing summary. Owns its tallies and that list. */
#ifndef CRAWL_STATS_H
#define CRAWL_STATS_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "uthash.h"

struct stats_tally {
    char *key;
    unsigned long n;
    UT_hash_handle hh;
};

#define STATS_BROKEN_MAX 10 /* broken URLs kept for the closing summary */

/* A broken URL: what failed (an error code or the HTTP status) and the
 * page that first linked to it (NULL for a start URL). Strings owned. */
struct stats_broken {
    char *url;
    char *what;
    char *parent;
};

struct stats {
    unsigned long status_class[6];                /* [0] no status, [1..5] 1xx..5xx */
    struct stats_broken broken[STATS_BROKEN_MAX]; /* the first ones, in order */
    size_t nbroken;
    struct stats_tally *ctypes;  /* media type -> records */
    struct stats_tally *errors;  /* error code -> records */
    struct stats_tally *reasons; /* reason code -> records */
};

/* Count one record. content_type is the raw header value (or NULL). */
void stats_add(struct stats *s, long status, const char *content_type, const char *error,
               const char *reason);
/* Keep a broken URL if fewer than STATS_BROKEN_MAX are kept (strings
 * copied; parent may be NULL). */
void stats_broken_add(struct stats *s, const char *url, const char *what, const char *parent);
void stats_free(struct stats *s);

/* Figures known only to the caller, written next to the tallies. */
struct stats_extra {
    const char *phase; /* "running", "done", "interrupted" */
    double elapsed_s;
    unsigned long records, fetches, queued, in_flight, parsing;
    unsigned long parsed, parse_errors, worker_restarts, retries, robots_blocked;
    unsigned long links_rendered; /* pages whose links a worker rendered */
    unsigned long long bytes;
    unsigned long long links_dropped;     /* links past --max-links */
    unsigned long held_peak;              /* records held at once, at most */
    unsigned long long settle_steps;      /* work of writing held records */
    unsigned long long redis_round_trips; /* a cluster node's commands answered */
    long peak_rss_kb;                     /* the parent */
    long peak_rss_workers_kb;             /* the largest reaped worker */
};

/* One JSON object (no newline) into b. */
int stats_json(const struct stats *s, const struct stats_extra *x, struct buf *b);

#endif
