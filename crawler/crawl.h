/* crawl: the event loop. One single-threaded parent: the frontier, the
 * per-host scheduler, the libcurl multi handle (through fetch), the worker
 * pool's channels and the output. Each turn reads like a list of phases:
 * fill transfers, dispatch bodies to idle workers, poll, handle finished
 * transfers and worker replies. Never blocks on a peer. */
#ifndef CRAWL_CRAWL_H
#define CRAWL_CRAWL_H

#include "options.h"
#include "output.h"
#include "pool.h"
#include "scope.h"

struct crawl_stats {
    unsigned long records;
    unsigned long fetched;     /* transfers completed (hops included) */
    unsigned long pages_ok;    /* 2xx */
    unsigned long http_errors; /* 4xx/5xx */
    unsigned long errors;      /* records with an error code */
    unsigned long skipped;     /* records with a reason */
    unsigned long parsed;
    unsigned long parse_errors;
    unsigned long retries;
    unsigned long robots_fetched;
    unsigned long robots_blocked; /* records skipped for robots */
    unsigned long long bytes;
};

/* Run a crawl of the canonical start URLs (`starts`, n of them) within
 * `scope`, with workers already forked into `pool` and records written to
 * `out`. Borrows everything. Returns 0 when the crawl completed, -1 when
 * it stopped because the output failed. */
int crawl_run(const struct options *opt, const struct scope *scope, char **starts, size_t n,
              struct pool *pool, struct output *out, struct crawl_stats *stats);

#endif
