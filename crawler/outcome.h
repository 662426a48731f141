/* outcome: what a finished transfer means for its host (the scheduler's
 * result class), when to try again (Retry-After), and what a robots.txt
 * answer allows. Pure functions. */
#ifndef CRAWL_OUTCOME_H
#define CRAWL_OUTCOME_H

#include "fetch.h"
#include "sched.h"

/* 429, 502, 503, 504: BUSY; timeouts and connection failures: FAILED;
 * other errors and 5xx: FINAL; any other answer: OK. */
enum sched_result outcome_of(const struct fetch_response *r);
/* Retry-After as seconds from now: delta-seconds or an HTTP date; -1 if
 * absent or unparsable. */
long outcome_retry_after(const char *v);

/* A robots.txt response (RFC 9309): 2xx gives *rules (owned by the
 * caller; NULL = allow all), 4xx but 429 and too many redirects allow
 * everything; returns 1 when the host is unreachable (5xx, 429, no
 * answer): nothing allowed. */
struct robots;
int outcome_robots(const struct fetch_response *r, const char *token, struct robots **rules);

#endif
