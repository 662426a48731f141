/* sched: per-host politeness, robots.txt first, retries and backoff. Owns
 * the host table (hosts, queues, heap) and the parked-transfer lists, not
 * the transfers themselves. Never writes records and never calls the
 * crawl: it answers questions and returns decisions. */
#include "sched.h"

#include "robots.h"
#include "scope.h"
#include "url.h"
#include "xalloc.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define SCHED_BACKOFF_BASE_MS 500   /* first retry delay, doubled per failure */
#define SCHED_BACKOFF_MAX_MS  60000 /* exponential backoff ceiling */

struct sched {
    struct sched_config cfg;
    struct host_table hosts;
    size_t queued; /* queue items on all hosts */
    size_t parked; /* parked transfers on all hosts */
    uint64_t rng;  /* xorshift state */
};

struct sched *sched_create(const struct sched_config *cfg)
{
    struct sched *s = xcalloc(1, sizeof *s);
    s->cfg = *cfg;
    s->rng = cfg->seed ? cfg->seed : 0x9e3779b97f4a7c15ULL ^ (uint64_t)(uintptr_t)s;
    host_table_init(&s->hosts, cfg->max_depth, cfg->queue_budget, cfg->queue_dir);
    return s;
}

void sched_free(struct sched *s)
{
    if (!s)
        return;
    for (struct host *h = s->hosts.first; h; h = h->next_all) {
        while (h->parked_head) {
            struct host_parked *p = h->parked_head;
            h->parked_head = p->next;
            free(p);
        }
    }
    host_table_free(&s->hosts);
    free(s);
}

double sched_random(struct sched *s)
{
    uint64_t x = s->rng;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    s->rng = x;
    return (double)(x >> 11) / 9007199254740992.0;
}

struct host *sched_host(struct sched *s, const char *url)
{
    size_t hl;
    const char *name = scope_host(url, &hl);
    struct host *h = host_get(&s->hosts, name ? name : "", name ? hl : 0);
    if (!h->origin) {
        struct url_view v;
        size_t n = url_split(url, &v) == 0 ? (size_t)(v.path - url) : strlen(url);
        h->origin = xmemdup0(url, n); /* scheme://host[:port] */
        const char *off = s->cfg.offline_host;
        if (!name || !s->cfg.robots || (off && strlen(off) == hl && !memcmp(off, name, hl)))
            h->robots_state = HOST_ROBOTS_READY; /* files have no robots.txt */
    }
    return h;
}

struct host *sched_find_host(struct sched *s, const char *name)
{
    struct host *h;
    HASH_FIND(hh, s->hosts.by_name, name, strlen(name), h);
    return h;
}

/* When the --rate bucket next holds a whole token. */
static int64_t sched_token_ready(const struct sched *s, const struct host *h)
{
    if (s->cfg.rate <= 0 || h->tokens >= 1.0)
        return 0;
    return h->tokens_at + (int64_t)ceil((1.0 - h->tokens) * 1000.0 / s->cfg.rate);
}

static void sched_refill(const struct sched *s, struct host *h, int64_t now)
{
    double burst = (double)s->cfg.per_host;
    if (h->tokens_at == 0) {
        h->tokens = burst;
    } else {
        h->tokens += (double)(now - h->tokens_at) * s->cfg.rate / 1000.0;
        if (h->tokens > burst)
            h->tokens = burst;
    }
    h->tokens_at = now;
}

/* Recompute h's place in the ready heap after anything about it changed. */
static void sched_update(struct sched *s, struct host *h)
{
    int work = h->parked_head || h->queued;
    if (!work || h->robots_state == HOST_ROBOTS_FETCHING || h->active >= s->cfg.per_host) {
        host_heap_remove(&s->hosts, h);
        return;
    }
    int64_t ready = h->next_start;
    if (h->backoff_until > ready)
        ready = h->backoff_until;
    int64_t tok = sched_token_ready(s, h);
    if (tok > ready)
        ready = tok;
    host_heap_set(&s->hosts, h, ready);
}

void sched_push(struct sched *s, struct host *h, int depth, uint32_t seq, const char *url,
                const char *parent)
{
    host_push(&s->hosts, h, depth, seq, url, parent);
    s->queued++;
    /* A host in the heap keeps its key: more work does not move it. */
    if (h->heap_idx == HOST_NOT_IN_HEAP)
        sched_update(s, h);
}

int sched_take_queued(struct sched *s, struct host *h, int *depth, struct queue_item *it)
{
    if (!host_pop(&s->hosts, h, depth, it))
        return 0;
    s->queued--;
    return 1;
}

size_t sched_queued(const struct sched *s)
{
    return s->queued;
}

size_t sched_parked(const struct sched *s)
{
    return s->parked;
}

void sched_park(struct sched *s, struct host *h, void *transfer)
{
    struct host_parked *p = xmalloc(sizeof *p);
    p->transfer = transfer;
    p->next = NULL;
    if (h->parked_tail)
        h->parked_tail->next = p;
    else
        h->parked_head = p;
    h->parked_tail = p;
    s->parked++;
    sched_update(s, h);
}

static void *sched_unpark(struct sched *s, struct host *h)
{
    struct host_parked *p = h->parked_head;
    if (!p)
        return NULL;
    h->parked_head = p->next;
    if (!h->parked_head)
        h->parked_tail = NULL;
    void *t = p->transfer;
    free(p);
    s->parked--;
    return t;
}

void *sched_take_parked(struct sched *s)
{
    for (struct host *h = s->hosts.first; h; h = h->next_all) {
        if (h->parked_head) {
            void *t = sched_unpark(s, h);
            sched_update(s, h);
            return t;
        }
    }
    return NULL;
}

static int sched_robots_needed(const struct sched *s, const struct host *h)
{
    return s->cfg.robots && h->robots_state == HOST_ROBOTS_UNKNOWN && h->name[0];
}

int sched_next(struct sched *s, int64_t now, struct sched_decision *d)
{
    struct host *h;
    while ((h = host_heap_top(&s->hosts)) && h->ready_at <= now) {
        host_heap_remove(&s->hosts, h);
        memset(d, 0, sizeof *d);
        d->host = h;
        if (sched_robots_needed(s, h)) {
            h->robots_state = HOST_ROBOTS_FETCHING;
            d->action = SCHED_ROBOTS;
            return 1;
        }
        if (h->parked_head) {
            d->action = SCHED_PARKED;
            d->transfer = sched_unpark(s, h);
            return 1;
        }
        if (host_pop(&s->hosts, h, &d->depth, &d->item)) {
            s->queued--;
            d->action = SCHED_QUEUED;
            return 1;
        }
        sched_update(s, h); /* nothing left: out of the heap */
    }
    return 0;
}

void sched_decided(struct sched *s, struct host *h, int started, int64_t now)
{
    if (started) {
        double gap = s->cfg.wait_s;
        if (s->cfg.random_wait)
            gap *= 0.5 + sched_random(s);
        if (h->crawl_delay_s > gap)
            gap = h->crawl_delay_s;
        h->active++;
        h->last_start = now;
        h->next_start = now + (int64_t)(gap * 1000.0);
        if (s->cfg.rate > 0) {
            sched_refill(s, h, now);
            h->tokens -= 1.0;
        }
    }
    sched_update(s, h);
}

void sched_release(struct sched *s, struct host *h)
{
    h->active--;
    sched_update(s, h);
}

int64_t sched_outcome(struct sched *s, struct host *h, enum sched_result res, int attempts,
                      long retry_after_s, int64_t now)
{
    switch (res) {
    case SCHED_RESULT_OK:
        h->backoff_level = 0;
        return -1;
    case SCHED_RESULT_FINAL:
        return -1;
    case SCHED_RESULT_LOCAL:
        return 0; /* not the host's fault: no pause, no retry counted */
    default:
        break;
    }
    if (attempts > s->cfg.retries)
        return -1; /* not retried: no reason to hold the host's other URLs */
    int64_t delay;
    if (res == SCHED_RESULT_BUSY && retry_after_s >= 0) {
        double cap = s->cfg.max_crawl_delay_s;
        delay = (int64_t)(((double)retry_after_s > cap ? cap : (double)retry_after_s) * 1000.0);
    } else {
        double b = SCHED_BACKOFF_BASE_MS * pow(2.0, h->backoff_level);
        if (b > SCHED_BACKOFF_MAX_MS)
            b = SCHED_BACKOFF_MAX_MS;
        delay = (int64_t)(b * (0.5 + sched_random(s)));
    }
    h->backoff_level++;
    if (now + delay > h->backoff_until)
        h->backoff_until = now + delay;
    sched_update(s, h);
    return delay;
}

void sched_robots_done(struct sched *s, struct host *h, struct robots *rules, int unreachable,
                       const char *error)
{
    robots_free(h->robots);
    h->robots = rules;
    h->robots_unreachable = unreachable;
    h->robots_error = unreachable ? error : NULL;
    if (rules && robots_crawl_delay(rules) > 0) {
        double d = robots_crawl_delay(rules);
        h->crawl_delay_s = d > s->cfg.max_crawl_delay_s ? s->cfg.max_crawl_delay_s : d;
        /* The robots.txt request itself was the last start. */
        int64_t next = h->last_start + (int64_t)(h->crawl_delay_s * 1000.0);
        if (next > h->next_start)
            h->next_start = next;
    }
    h->robots_state = HOST_ROBOTS_READY;
    sched_update(s, h);
}

void sched_robots_retry(struct sched *s, struct host *h)
{
    h->robots_state = HOST_ROBOTS_UNKNOWN;
    sched_update(s, h);
}

const char *sched_robots_verdict(const struct sched *s, const struct host *h, const char *url)
{
    struct url_view v;
    char pq[URL_MAX_LEN + 2];
    if (!s->cfg.robots || !h->name[0])
        return NULL;
    if (h->robots_unreachable)
        return "robots_unreachable";
    if (!h->robots || url_split(url, &v) < 0 || v.path_len + v.query_len + 1 > URL_MAX_LEN)
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

int64_t sched_wait_ms(const struct sched *s, int64_t now)
{
    const struct host *h = host_heap_top(&s->hosts);
    if (!h)
        return -1;
    return h->ready_at <= now ? 0 : h->ready_at - now;
}
