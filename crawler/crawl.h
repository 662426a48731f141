/* crawl: the event loop. One single-threaded parent: the frontier, the
 * per-host scheduler, the libcurl multi handle (through fetch), the worker
 * pool's channels and the output. Each turn reads like a list of phases:
 * fill transfers, dispatch bodies to idle workers, poll, handle finished
 * transfers and worker replies. Never blocks on a peer. */
#ifndef CRAWL_CRAWL_H
#define CRAWL_CRAWL_H

#include "settings.h"
#include "output.h"
#include "pool.h"
#include "scope.h"
#include "stats.h"

struct crawl_stats {
    unsigned long records;
    unsigned long fetched;     /* transfers completed (hops included) */
    unsigned long pages_ok;    /* 2xx */
    unsigned long http_errors; /* 4xx/5xx */
    unsigned long errors;      /* records with an error code */
    unsigned long skipped;     /* records with a reason */
    unsigned long parsed;
    unsigned long links_rendered; /* parsed pages whose links a worker wrote as JSONL */
    unsigned long parse_errors;
    unsigned long parse_gave_up; /* pages failed because no worker stayed alive */
    unsigned long retries;
    unsigned long interrupted;
    unsigned long robots_fetched;
    unsigned long robots_blocked; /* records skipped for robots */
    unsigned long long bytes;
    unsigned long broken;                 /* records with a status >= 400 or a failure */
    char broken_first[700];               /* the first: "URL (what), linked from PARENT" */
    unsigned long starts;                 /* records of start URLs (depth 0, no parent) */
    unsigned long starts_unreachable;     /* ... whose host could not be reached */
    char start_error[600];                /* the first of those: "URL: what happened" */
    unsigned long long links_dropped;     /* links past --max-links, all pages */
    unsigned long held_peak;              /* records held for a final depth at once */
    unsigned long long settle_steps;      /* steps spent finding held records to write */
    unsigned long long redis_round_trips; /* --redis: commands answered */
    struct stats detail;                  /* by status class, content type, error, reason */
};

/* A snapshot for the progress line and periodic statistics. */
struct crawl_progress {
    const struct crawl_stats *st;
    unsigned long queued;    /* waiting in host queues */
    unsigned long in_flight; /* transfers */
    unsigned long parsing;   /* bodies waiting for or inside a worker */
};

typedef void (*crawl_tick_fn)(void *ctx, const struct crawl_progress *p);

/* What the crawl works with, all borrowed. */
struct crawl_io {
    struct pool *pool;  /* workers, already forked */
    struct output *out; /* where records go */
    int sig_fd;         /* self-pipe read end (sig.h), or -1 */
    crawl_tick_fn tick; /* called every tick_ms while crawling, or NULL */
    void *tick_ctx;
    int tick_ms;
    struct warc *warc; /* --warc archive, or NULL */
};

enum crawl_end {
    CRAWL_END_DONE = 0,         /* every URL decided */
    CRAWL_END_OUTPUT = -1,      /* the output (or the state file) failed */
    CRAWL_END_INTERRUPTED = -2, /* SIGINT/SIGTERM; *signo says which */
    CRAWL_END_SETUP = -3        /* could not start (reason logged) */
};

/* Run a crawl of the canonical start URLs (`starts`, n of them) within
 * `scope`. With opt->state, the journal is opened (and with opt->resume,
 * loaded) here. First signal: stop admitting URLs, let in-flight work
 * finish for a short grace period, then write an "interrupted" record for
 * every URL still in flight. Second signal: flush complete records and
 * exit at once. Returns an enum crawl_end. */
int crawl_run(const struct options *opt, const struct scope *scope, char **starts, size_t n,
              const struct crawl_io *io, struct crawl_stats *stats, int *signo);

#endif
