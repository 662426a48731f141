/* sched: the per-host scheduler. Decides when each host may start its next
 * request (per-host connection cap, --wait with --random-wait, robots.txt
 * Crawl-delay, backoff after failures, the --rate token bucket) and keeps
 * hosts in a min-heap keyed by that time, so a waiting host never delays
 * another and costs nothing per loop turn. Also owns each host's robots.txt
 * life cycle and the retry policy. Must not write records itself: it hands
 * finished chains back to crawl.c. */
#include "crawl_int.h"

#include "clock.h"
#include "log.h"
#include "robots.h"
#include "url.h"
#include "xalloc.h"

#include <curl/curl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SCHED_BACKOFF_BASE_MS  500    /* first retry delay, doubled per failure */
#define SCHED_BACKOFF_MAX_MS   60000  /* exponential backoff ceiling */
#define SCHED_NO_FDS_WAIT_MS   100    /* out of descriptors: try again after */
#define SCHED_ROBOTS_MAX       512000 /* robots.txt bytes parsed (RFC: >= 500 KiB) */
#define SCHED_ROBOTS_REDIRECTS 5

double sched_random(struct crawl *c)
{
    uint64_t x = c->rng ? c->rng : (uint64_t)clock_ms() * 2654435761u + 1;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    c->rng = x;
    return (double)(x >> 11) / 9007199254740992.0;
}

static int sched_robots_needed(const struct crawl *c, const struct host *h)
{
    return c->opt->robots && h->robots_state == HOST_ROBOTS_UNKNOWN && h->name[0];
}

/* When the --rate bucket next holds a whole token. */
static int64_t sched_token_ready(const struct crawl *c, const struct host *h)
{
    if (c->opt->rate <= 0 || h->tokens >= 1.0)
        return 0;
    return h->tokens_at + (int64_t)ceil((1.0 - h->tokens) * 1000.0 / c->opt->rate);
}

static void sched_refill(const struct crawl *c, struct host *h, int64_t now)
{
    double burst = (double)c->opt->per_host;
    if (c->opt->rate <= 0)
        return;
    if (h->tokens_at == 0) {
        h->tokens = burst;
    } else {
        h->tokens += (double)(now - h->tokens_at) * c->opt->rate / 1000.0;
        if (h->tokens > burst)
            h->tokens = burst;
    }
    h->tokens_at = now;
}

void sched_update(struct crawl *c, struct host *h)
{
    int work = h->parked_head || h->queued;
    if (!work || h->robots_state == HOST_ROBOTS_FETCHING || h->active >= c->opt->per_host) {
        host_heap_remove(&c->hosts, h);
        return;
    }
    int64_t ready = h->next_start;
    if (h->backoff_until > ready)
        ready = h->backoff_until;
    int64_t tok = sched_token_ready(c, h);
    if (tok > ready)
        ready = tok;
    host_heap_set(&c->hosts, h, ready);
}

/* A request to h starts now: the next one waits the effective gap. */
static void sched_started(struct crawl *c, struct host *h, int64_t now)
{
    double gap = c->opt->wait_s;
    if (c->opt->random_wait)
        gap *= 0.5 + sched_random(c);
    if (h->crawl_delay_s > gap)
        gap = h->crawl_delay_s;
    h->last_start = now;
    h->next_start = now + (int64_t)(gap * 1000.0);
    if (c->opt->rate > 0) {
        sched_refill(c, h, now);
        h->tokens -= 1.0;
    }
}

static void sched_start_robots(struct crawl *c, struct host *h)
{
    struct page_result *pr = xcalloc(1, sizeof *pr);
    size_t n = strlen(h->origin);
    pr->kind = PAGE_KIND_ROBOTS;
    pr->own_url = xmalloc(n + sizeof "/robots.txt");
    memcpy(pr->own_url, h->origin, n);
    memcpy(pr->own_url + n, "/robots.txt", sizeof "/robots.txt");
    pr->cur_url = pr->own_url;
    h->robots_state = HOST_ROBOTS_FETCHING;
    log_debug("fetching %s", pr->cur_url);
    crawl_start_transfer(c, pr, h);
}

const char *sched_robots_verdict(const struct crawl *c, const struct host *h, const char *url)
{
    struct url_view v;
    char pq[URL_MAX_LEN + 2];
    if (!c->opt->robots || !h->name[0])
        return NULL;
    if (h->robots_unreachable)
        return "robots_unreachable";
    if (!h->robots || url_split(url, &v) < 0)
        return NULL;
    size_t n = v.path_len;
    memcpy(pq, v.path, n);
    if (v.has_query) {
        pq[n++] = '?';
        memcpy(pq + n, v.query, v.query_len);
        n += v.query_len;
    }
    pq[n] = '\0';
    return robots_allowed(h->robots, pq) ? NULL : "robots";
}

/* Start at most one transfer for h (a robots.txt, a parked chain, or the
 * next URL of the lowest depth). URLs that may not be fetched are written
 * as skipped records on the way. */
static void sched_start_one(struct crawl *c, struct host *h, int64_t now)
{
    if (sched_robots_needed(c, h)) {
        sched_start_robots(c, h);
        sched_started(c, h, now);
        return;
    }
    struct page_result *pr = h->parked_head;
    if (pr) {
        h->parked_head = pr->next;
        if (!h->parked_head)
            h->parked_tail = NULL;
        pr->next = NULL;
        c->parked--;
        const char *why =
            pr->kind == PAGE_KIND_PAGE ? sched_robots_verdict(c, h, pr->cur_url) : NULL;
        if (why) {
            /* A redirect hop into a disallowed URL ends the chain there. */
            pr->reason = why;
            pr->error = h->robots_error;
            pr->final_url = xstrdup(pr->cur_url); /* the 3xx stays in pr->resp */
            crawl_complete(c, pr);
            return;
        }
        crawl_start_transfer(c, pr, h);
        sched_started(c, h, now);
        return;
    }
    struct entry *e;
    while ((e = host_pop(h))) {
        c->queued--;
        const char *why = NULL;
        if (c->opt->max_pages && c->started >= c->opt->max_pages)
            why = "max_pages";
        else
            why = sched_robots_verdict(c, h, e->url);
        if (why) {
            crawl_skip(c, e, why, why[0] == 'r' ? h->robots_error : NULL);
            continue;
        }
        c->started++;
        e->state = ENTRY_ACTIVE;
        pr = xcalloc(1, sizeof *pr);
        pr->kind = PAGE_KIND_PAGE;
        pr->e = e;
        pr->cur_url = e->url;
        crawl_start_transfer(c, pr, h);
        sched_started(c, h, now);
        return;
    }
}

/* Bodies held by the parent (transfers in flight plus fetched bodies
 * waiting for a worker) never exceed concurrency + backlog_cap. Counting
 * them together, rather than stopping all fetching once the backlog is
 * full, keeps transfers flowing while workers drain the backlog. */
static int sched_room(const struct crawl *c)
{
    size_t conc = (size_t)c->opt->concurrency;
    return !c->stop && c->active < conc && c->active + c->nbacklog < conc + c->backlog_cap;
}

void sched_fill(struct crawl *c, int64_t now)
{
    struct host *h;
    while (sched_room(c) && (h = host_heap_top(&c->hosts)) && h->ready_at <= now) {
        host_heap_remove(&c->hosts, h);
        sched_start_one(c, h, now);
        sched_update(c, h);
    }
}

int64_t sched_wait_ms(const struct crawl *c, int64_t now)
{
    const struct host *h = host_heap_top(&c->hosts);
    if (!h || !sched_room(c))
        return -1; /* a transfer or a worker finishing wakes the loop */
    return h->ready_at <= now ? 0 : h->ready_at - now;
}

void sched_release(struct crawl *c, struct host *h)
{
    h->active--;
    c->active--;
    sched_update(c, h);
}

void sched_park(struct crawl *c, struct host *h, struct page_result *pr)
{
    pr->host = h;
    pr->next = NULL;
    if (h->parked_tail)
        h->parked_tail->next = pr;
    else
        h->parked_head = pr;
    h->parked_tail = pr;
    c->parked++;
    sched_update(c, h);
}

void sched_success(struct host *h)
{
    h->backoff_level = 0;
}

/* Retry-After as seconds from now: delta-seconds or an HTTP date. -1 if
 * absent or unparsable. */
static long sched_retry_after(const char *v)
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

static int sched_retryable(const struct fetch_response *r)
{
    switch (r->err) {
    case FETCH_ERR_TIMEOUT:
    case FETCH_ERR_CONNECT:
    case FETCH_ERR_TRANSPORT:
    case FETCH_ERR_NO_FDS:
        return 1;
    case FETCH_OK:
        return r->status == 429 || r->status == 502 || r->status == 503 || r->status == 504;
    default:
        return 0;
    }
}

int sched_retry(struct crawl *c, struct page_result *pr, int64_t now)
{
    struct fetch_response *r = pr->resp;
    struct host *h = pr->host;
    if (!sched_retryable(r))
        return 0;
    /* Out of descriptors is this process's shortage, not the host's
     * failure: no backoff, and while another transfer is in flight (it
     * will give its descriptor back) the try does not count. */
    int no_fds = r->err == FETCH_ERR_NO_FDS;
    if (no_fds && c->active)
        pr->attempts--;
    /* Back the host off: Retry-After when the server gave one (429/503),
     * capped like a Crawl-delay, else exponential with jitter. Every URL
     * of the host waits, but only for a URL that will be retried. */
    long ra = (r->status == 429 || r->status == 503) ? sched_retry_after(r->retry_after) : -1;
    int64_t delay;
    if (no_fds) {
        delay = SCHED_NO_FDS_WAIT_MS;
    } else if (ra >= 0) {
        double s = (double)ra < c->opt->max_crawl_delay_s ? (double)ra : c->opt->max_crawl_delay_s;
        delay = (int64_t)(s * 1000.0);
    } else {
        double d = SCHED_BACKOFF_BASE_MS * pow(2.0, h->backoff_level);
        if (d > SCHED_BACKOFF_MAX_MS)
            d = SCHED_BACKOFF_MAX_MS;
        delay = (int64_t)(d * (0.5 + sched_random(c)));
    }
    if (!no_fds)
        h->backoff_level++;
    if (pr->attempts > c->opt->retries)
        return 0;
    if (now + delay > h->backoff_until)
        h->backoff_until = now + delay;
    log_info("%s: %s, retry %d of %d in %lld ms", pr->cur_url,
             r->err ? fetch_err_code(r->err) : "server busy", pr->attempts, c->opt->retries,
             (long long)delay);
    c->st->retries++;
    fetch_response_free(pr->resp);
    pr->resp = NULL;
    sched_park(c, h, pr);
    return 1;
}

void sched_on_robots(struct crawl *c, struct page_result *pr)
{
    struct host *h = pr->host;
    struct fetch_response *r = pr->resp;
    char token[64];
    robots_product_token(c->opt->user_agent, token, sizeof token);
    if (r->err == FETCH_OK && r->status >= 200 && r->status < 300) {
        h->robots = robots_parse(r->body ? r->body : "", r->body ? r->body_len : 0, token);
    } else if (r->err == FETCH_OK && r->status >= 400 && r->status < 500 && r->status != 429) {
        h->robots = NULL; /* unavailable: everything allowed */
    } else if (r->err == FETCH_ERR_REDIRECTS ||
               (r->err == FETCH_OK && r->status >= 300 && r->status < 400)) {
        h->robots = NULL; /* more than 5 redirects: unavailable (RFC 9309 2.3.1.2) */
    } else {
        h->robots_unreachable = 1; /* 5xx, 429, or no answer: nothing allowed */
        h->robots_error = r->err ? fetch_err_code(r->err) : NULL;
        log_warn("%s: %s: every URL of %s is disallowed", pr->cur_url,
                 r->err ? fetch_err_code(r->err) : "server error", h->name);
    }
    if (h->robots && robots_crawl_delay(h->robots) > 0) {
        double d = robots_crawl_delay(h->robots);
        h->crawl_delay_s = d > c->opt->max_crawl_delay_s ? c->opt->max_crawl_delay_s : d;
        /* The robots.txt request itself was the last start. */
        int64_t next = h->last_start + (int64_t)(h->crawl_delay_s * 1000.0);
        if (next > h->next_start)
            h->next_start = next;
    }
    h->robots_state = HOST_ROBOTS_READY;
    c->st->robots_fetched++;
    if (c->opt->sitemaps)
        crawl_on_sitemap(c, pr); /* with pr->kind == ROBOTS: seed from its Sitemap: lines */
    crawl_result_free(pr);
    sched_update(c, h);
}

/* Make robots.txt transfers libcurl-followed (RFC 9309: at least five
 * redirects) and truncated at the parse limit instead of failing. */
const struct fetch_req sched_robots_req = {
    .follow = SCHED_ROBOTS_REDIRECTS,
    .max_size = SCHED_ROBOTS_MAX,
    .truncate = 1,
    .keep_any = 1,
};
