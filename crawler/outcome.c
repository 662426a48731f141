/* outcome: what a finished transfer means for its host and its retry:
 * the scheduler's result class, and the server's Retry-After. Pure
 * functions of the response. */
#include "outcome.h"

#include "robots.h"

#include <curl/curl.h>
#include <stdlib.h>
#include <time.h>

/* Retry-After as seconds from now: delta-seconds or an HTTP date. -1 if
 * absent or unparsable. */
long outcome_retry_after(const char *v)
{
    if (!v)
        return -1;
    while (*v == ' ' || *v == '\t')
        v++;
    if (*v >= '0' && *v <= '9') {
        char *end;
        long s = strtol(v, &end, 10);
        return (*end == '\0' || *end == ' ' || *end == '\r') && s >= 0 ? s : -1;
    }
    time_t when = curl_getdate(v, NULL);
    if (when < 0)
        return -1;
    time_t now = time(NULL);
    return when > now ? (long)(when - now) : 0;
}

enum sched_result outcome_of(const struct fetch_response *r)
{
    switch (r->err) {
    case FETCH_OK:
        if (r->status == 429 || r->status == 502 || r->status == 503 || r->status == 504)
            return SCHED_RESULT_BUSY;
        return r->status >= 500 ? SCHED_RESULT_FINAL : SCHED_RESULT_OK;
    case FETCH_ERR_TIMEOUT:
    case FETCH_ERR_CONNECT:
    case FETCH_ERR_TRANSPORT:
    case FETCH_ERR_NO_FDS: /* with nothing else in flight, waiting cannot help */
        return SCHED_RESULT_FAILED;
    default:
        return SCHED_RESULT_FINAL;
    }
}

int outcome_robots(const struct fetch_response *r, const char *token, struct robots **rules)
{
    *rules = NULL;
    if (r->err == FETCH_OK && r->status >= 200 && r->status < 300) {
        *rules = robots_parse(r->body ? r->body : "", r->body ? r->body_len : 0, token);
        return 0;
    }
    if (r->err == FETCH_OK && r->status >= 400 && r->status < 500 && r->status != 429)
        return 0; /* unavailable: everything allowed */
    if (r->err == FETCH_ERR_REDIRECTS ||
        (r->err == FETCH_OK && r->status >= 300 && r->status < 400))
        return 0; /* more than 5 redirects: unavailable (RFC 9309 2.3.1.2) */
    return 1;     /* 5xx, 429, or no answer: nothing allowed */
}
