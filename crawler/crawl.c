/* crawl: the loop and the crawl policy (what is followed, when a record is
 * written). Owns the transfers in flight (struct transfer: one request
 * chain of a page, a robots.txt or a sitemap, with its response until the
 * response's consumers are done) and the records in the making (record.h)
 * until they are held by the frontier or written. Asks the scheduler what
 * to start and reports back; never decides when a host may be contacted,
 * never parses HTML or talks to curl directly (fetch and pool do that). */
#include "crawl.h"

#include "archive.h"
#include "charset.h"
#include "clock.h"
#include "fetch.h"
#include "frontier.h"
#include "journal.h"
#include "log.h"
#include "record.h"
#include "robots.h"
#include "sched.h"
#include "seed.h"
#include "sig.h"
#include "stop.h"
#include "url.h"
#include "xalloc.h"

#include <curl/curl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#define CRAWL_MAX_POLLFDS      260
#define CRAWL_ROBOTS_MAX       512000 /* robots.txt bytes parsed (RFC: >= 500 KiB) */
#define CRAWL_ROBOTS_REDIRECTS 5
#define CRAWL_SKIPS_PER_TURN   4096 /* skipped records written per loop turn */
#define CRAWL_HOST_PINNED      1    /* host: a depth-0 pin until its sitemaps are known */

enum transfer_kind {
    TRANSFER_PAGE = 0, /* a URL's record (possibly a redirect chain) */
    TRANSFER_ROBOTS,   /* a host's robots.txt */
    TRANSFER_SITEMAP   /* a sitemap file (--sitemaps) */
};

/* One request chain in flight or parked. Owns url, resp and (pages) rec
 * until the record is handed on. */
struct transfer {
    enum transfer_kind kind;
    char *url;         /* the current hop */
    struct host *host; /* charged for the current request */
    int attempts;      /* requests of the current hop so far */
    struct fetch_response *resp;
    struct record *rec;    /* pages */
    struct transfer *next; /* parse backlog */
};

/* A page handed to a parser worker. */
struct job {
    uint32_t id;
    struct record *rec;
    UT_hash_handle hh;
};

struct crawl {
    const struct options *opt;
    const struct scope *scope;
    struct frontier fr;
    struct sched *sched;
    struct seeds *seeds;
    struct fetcher *fetch;
    struct pool *pool;
    struct output *out;
    struct crawl_stats *st;
    struct journal *journal;
    const struct crawl_io *io;
    size_t active;                           /* transfers in flight */
    size_t conc_limit;                       /* -c, lowered when we run out of descriptors */
    long started;                            /* pages admitted (--max-pages) */
    struct transfer *backlog, *backlog_tail; /* bodies awaiting a worker */
    size_t nbacklog;
    size_t backlog_cap;
    struct job *jobs; /* submitted to the pool, by id */
    uint32_t next_job;
    struct stop stop;
    int64_t next_tick;
    int failed; /* output, journal or archive failed */
};

static void crawl_expand(struct crawl *c, struct entry *e, struct record *rec);

/* ---- transfers ---- */

static struct transfer *crawl_transfer_new(enum transfer_kind kind, char *url)
{
    struct transfer *t = xcalloc(1, sizeof *t);
    t->kind = kind;
    t->url = url;
    return t;
}

static void crawl_transfer_free(struct transfer *t)
{
    if (!t)
        return;
    fetch_response_free(t->resp);
    record_free(t->rec);
    free(t->url);
    free(t);
}

/* ---- records ---- */

/* The record of e is out: make it durable, then journal it. */
static void crawl_journal_done(struct crawl *c, const struct record *rec)
{
    size_t n = 0;
    const char **hops = xmalloc((rec->nhops + 1) * sizeof *hops);
    if (output_flush(c->out) < 0) {
        c->failed = 1;
        free(hops);
        return;
    }
    for (size_t i = 1; i < rec->nhops; i++)
        hops[n++] = rec->hops[i].url;
    if (rec->end_url)
        hops[n++] = rec->end_url; /* the fetched end of the chain */
    if (journal_done(c->journal, rec->fetched ? JOURNAL_FETCHED : JOURNAL_SKIPPED, rec->e->url,
                     hops, n) < 0)
        c->failed = 1;
    free(hops);
}

static void crawl_journal_seen(struct crawl *c, int nofollow, int depth, const char *url,
                               const char *parent)
{
    if (c->journal && journal_seen(c->journal, nofollow ? JOURNAL_NOFOLLOW : JOURNAL_DISCOVERED,
                                   depth, url, parent) < 0)
        c->failed = 1;
}

static void crawl_count(struct crawl *c, const struct output_record *r)
{
    c->st->bytes += r->bytes;
    if (r->error)
        c->st->errors++;
    else if (r->status >= 200 && r->status < 300)
        c->st->pages_ok++;
    else if (r->status >= 400)
        c->st->http_errors++;
    if (r->reason) {
        c->st->skipped++;
        if (!strncmp(r->reason, "robots", 6))
            c->st->robots_blocked++;
    }
    c->st->records++;
    stats_add(&c->st->detail, r->status, r->content_type, r->error, r->reason);
    if (log_get_level() >= LOG_LEVEL_INFO)
        log_info("%s %ld %s%s", r->url, r->status, r->error ? r->error : "",
                 r->reason ? r->reason : "");
}

/* Write rec's record, finish its entry, free rec. */
static void crawl_emit(struct crawl *c, struct record *rec)
{
    struct output_record r;
    record_view(rec, &r);
    crawl_count(c, &r);
    if (output_write(c->out, &r) < 0)
        c->failed = 1;
    else if (c->journal && !(r.error && !strcmp(r.error, "interrupted")))
        crawl_journal_done(c, rec);
    frontier_finish(&c->fr, rec->e);
    record_free(rec);
}

/* Write held records whose depth became final (all of them with `all`),
 * lowest depth first; each costs O(1) in the number held. */
static void crawl_settle_held(struct crawl *c, int all)
{
    struct entry *e;
    while ((e = frontier_next_final(&c->fr, all))) {
        struct record *rec = e->held;
        e->held = NULL;
        crawl_emit(c, rec);
    }
}

/* Write rec now if its depth is final, else hold it. Never settles other
 * records: safe in the middle of a link expansion. */
static void crawl_write_or_hold(struct crawl *c, struct record *rec)
{
    struct entry *e = rec->e;
    if (frontier_depth_final(&c->fr, e)) {
        crawl_emit(c, rec);
    } else {
        e->held = rec;
        frontier_pend(&c->fr, e);
    }
}

/* A URL decided without a fetch (reason code, and the error behind it or
 * NULL). Held like a page's record while a shorter path may appear. */
static void crawl_skip_hold(struct crawl *c, struct entry *e, const char *reason, const char *error)
{
    struct record *rec = record_new(e);
    rec->reason = reason;
    rec->error = error;
    crawl_write_or_hold(c, rec);
}

/* The chain behind rec is over: expand its links, archive them, then
 * write or hold the record. */
static void crawl_complete(struct crawl *c, struct record *rec)
{
    if (rec->parsed) {
        crawl_expand(c, rec->e, rec);
        if (c->io->warc && archive_links(c->io->warc, rec->end_url ? rec->end_url : rec->e->url,
                                         rec->when, rec->warc_id, &rec->page) < 0)
            c->failed = 1;
    }
    crawl_write_or_hold(c, rec);
    crawl_settle_held(c, 0);
}

/* ---- discovery ---- */

static struct host *crawl_host_of(struct crawl *c, const char *url)
{
    struct host *h = sched_host(c->sched, url);
    /* With --sitemaps, a host's sitemaps may still bring depth-0 URLs
     * until its robots.txt is known: pages two levels down are not final
     * before that. */
    if (c->opt->sitemaps && c->opt->robots && h->name[0] && h->robots_state != HOST_ROBOTS_READY &&
        !(h->marks & CRAWL_HOST_PINNED)) {
        h->marks |= CRAWL_HOST_PINNED;
        frontier_pin(&c->fr);
    }
    return h;
}

static void crawl_push(struct crawl *c, const char *url, const char *parent, int depth,
                       uint32_t seq)
{
    sched_push(c->sched, crawl_host_of(c, url), depth, seq, url, parent);
}

/* A new URL to fetch at depth: queued, unless its host's queue is full. */
static void crawl_admit(struct crawl *c, const char *url, uint64_t fp, const char *parent,
                        int depth)
{
    struct host *h = crawl_host_of(c, url);
    if (c->opt->max_queue && h->queued >= (size_t)c->opt->max_queue) {
        crawl_skip_hold(c, frontier_add_active(&c->fr, fp, url, parent, depth), "queue_full", NULL);
        return;
    }
    uint32_t seq = frontier_add_queued(&c->fr, fp, depth);
    crawl_journal_seen(c, 0, depth, url, parent);
    sched_push(c->sched, h, depth, seq, url, parent);
}

static void crawl_set_parent(struct entry *x, const char *parent)
{
    free(x->parent);
    x->parent = parent ? xstrdup(parent) : NULL;
}

/* A shorter path to url (in seen state st at depth old) was found: move
 * it to depth d. */
static void crawl_relax(struct crawl *c, const char *url, uint64_t fp, int st, int old, int d,
                        const char *parent)
{
    struct entry *x;
    switch (st) {
    case SEEN_QUEUED:
        crawl_push(c, url, parent, d, frontier_requeue(&c->fr, fp, old, d));
        crawl_journal_seen(c, 0, d, url, parent);
        return;
    case SEEN_LIVE:
    case SEEN_NOFOLLOW:
        x = frontier_entry(&c->fr, fp);
        if (!x)
            return;
        frontier_set_depth(&c->fr, x, d);
        crawl_set_parent(x, parent);
        crawl_journal_seen(c, st == SEEN_NOFOLLOW, d, url, parent);
        if (x->state == ENTRY_PENDING)
            crawl_expand(c, x, x->held); /* its children may get closer too */
        return;
    default:
        return; /* written already (or a redirect hop): depth is kept */
    }
}

/* Does meta robots (or a link's rel) say nofollow? */
static int crawl_has_token(const char *list, const char *tok)
{
    size_t n = strlen(tok);
    for (const char *p = list; p && *p;) {
        p += strspn(p, " \t\r\n,");
        size_t l = strcspn(p, " \t\r\n,");
        if (l == n && !strncasecmp(p, tok, n))
            return 1;
        p += l;
    }
    return 0;
}

/* Per-link flags, computed once per page. */
static void crawl_classify(struct crawl *c, struct record *rec)
{
    const struct html_page *p = &rec->page;
    if (rec->external || !p->nlinks)
        return;
    int page_nofollow = c->opt->robots && (crawl_has_token(p->meta_robots, "nofollow") ||
                                           crawl_has_token(p->meta_robots, "none"));
    rec->external = xmalloc(p->nlinks);
    for (size_t i = 0; i < p->nlinks; i++) {
        int nofollow =
            page_nofollow || (c->opt->robots && crawl_has_token(p->links[i].rel, "nofollow"));
        int external = !scope_check(c->scope, p->links[i].url, NULL);
        rec->external[i] = (unsigned char)((external ? OUTPUT_LINK_EXTERNAL : 0) |
                                           (nofollow ? OUTPUT_LINK_NOFOLLOW : 0));
    }
}

/* One in-scope link target u of e (NULL for a start) at depth nd. */
static void crawl_discover(struct crawl *c, struct entry *e, const char *u, int nd, int nofollow)
{
    uint64_t fp;
    int depth = 0;
    const char *parent = e ? e->url : NULL;
    int st = frontier_lookup(&c->fr, u, &fp, &depth);
    if (st == SEEN_NOFOLLOW && !nofollow) {
        /* Followable after all: it joins the crawl. Its depth and parent
         * are those of the followable path: the nofollow ones never
         * counted. */
        uint32_t seq = frontier_follow(&c->fr, frontier_entry(&c->fr, fp), nd);
        crawl_journal_seen(c, 0, nd, u, parent);
        crawl_push(c, u, parent, nd, seq);
        return;
    }
    if (st != SEEN_NONE) {
        if (depth > nd)
            crawl_relax(c, u, fp, st, depth, nd, parent);
        return;
    }
    const char *why = scope_rule(c->scope, u);
    if (why) {
        crawl_skip_hold(c, frontier_add_active(&c->fr, fp, u, parent, nd), why, NULL);
        return;
    }
    if (nofollow) {
        frontier_add_nofollow(&c->fr, fp, u, parent, nd);
        crawl_journal_seen(c, 1, nd, u, parent);
        return;
    }
    crawl_admit(c, u, fp, parent, nd);
}

static void crawl_expand(struct crawl *c, struct entry *e, struct record *rec)
{
    const struct html_page *p = &rec->page;
    int nd = e->depth + 1;
    crawl_classify(c, rec);
    if (nd > c->opt->depth)
        return;
    for (size_t i = 0; i < p->nlinks; i++)
        if (!(rec->external[i] & OUTPUT_LINK_EXTERNAL))
            crawl_discover(c, e, p->links[i].url, nd, rec->external[i] & OUTPUT_LINK_NOFOLLOW);
}

/* ---- sitemaps (seed.c's callbacks) ---- */

/* A sitemap file to fetch: parked on its host, counted as a possible
 * source of depth-0 URLs until read. */
static void crawl_on_sitemap_url(void *ctx, char *url)
{
    struct crawl *c = ctx;
    frontier_pin(&c->fr);
    sched_park(c->sched, crawl_host_of(c, url), crawl_transfer_new(TRANSFER_SITEMAP, url));
}

/* A URL from a sitemap joins the crawl as a start URL (depth 0). */
static void crawl_on_sitemap_start(void *ctx, char *url)
{
    struct crawl *c = ctx;
    crawl_discover(c, NULL, url, 0, 0);
    free(url);
}

static void crawl_sitemap_done(struct crawl *c, struct transfer *t)
{
    struct fetch_response *r = t->resp;
    if (r && !r->err && r->status >= 200 && r->status < 300 && r->body)
        seeds_read(c->seeds, t->url, r->body, r->body_len);
    else
        log_info("sitemap %s: %s", t->url,
                 r && r->err ? fetch_err_code(r->err) : "no sitemap there");
    frontier_unpin(&c->fr);
    crawl_transfer_free(t);
    crawl_settle_held(c, 0);
}

/* h's sitemaps can be asked for now (its robots.txt is known, or off). */
static void crawl_seed_host(struct crawl *c, struct host *h)
{
    if (c->opt->sitemaps && h->name[0])
        seeds_host(c->seeds, h->origin, h->robots);
    if (h->marks & CRAWL_HOST_PINNED) {
        h->marks &= ~CRAWL_HOST_PINNED;
        frontier_unpin(&c->fr);
    }
}

/* ---- robots.txt ---- */

static void crawl_robots_done(struct crawl *c, struct transfer *t)
{
    struct host *h = t->host;
    struct fetch_response *r = t->resp;
    char token[64];
    struct robots *rules = NULL;
    int unreachable = 0;
    robots_product_token(c->opt->user_agent, token, sizeof token);
    if (r->err == FETCH_OK && r->status >= 200 && r->status < 300) {
        rules = robots_parse(r->body ? r->body : "", r->body ? r->body_len : 0, token);
    } else if (r->err == FETCH_OK && r->status >= 400 && r->status < 500 && r->status != 429) {
        /* unavailable: everything allowed */
    } else if (r->err == FETCH_ERR_REDIRECTS ||
               (r->err == FETCH_OK && r->status >= 300 && r->status < 400)) {
        /* more than 5 redirects: unavailable (RFC 9309 2.3.1.2) */
    } else {
        unreachable = 1; /* 5xx, 429, or no answer: nothing allowed */
        log_warn("%s: %s: every URL of %s is disallowed", t->url,
                 r->err ? fetch_err_code(r->err) : "server error", h->name);
    }
    sched_robots_done(c->sched, h, rules, unreachable, r->err ? fetch_err_code(r->err) : NULL);
    c->st->robots_fetched++;
    crawl_seed_host(c, h);
    crawl_transfer_free(t);
    crawl_settle_held(c, 0);
}

/* Make robots.txt transfers libcurl-followed (RFC 9309: at least five
 * redirects) and truncated at the parse limit instead of failing. */
static const struct fetch_req crawl_robots_req = {
    .follow = CRAWL_ROBOTS_REDIRECTS,
    .max_size = CRAWL_ROBOTS_MAX,
    .truncate = 1,
    .keep_any = 1,
};
static const struct fetch_req crawl_sitemap_req = {.keep_any = 1};

/* ---- starting and finishing transfers ---- */

static void crawl_on_fetched(struct crawl *c, struct fetch_response *r, int64_t now);

/* Start the current hop of t on h (the scheduler already counted it). */
static void crawl_start(struct crawl *c, struct transfer *t, struct host *h, int64_t now)
{
    const char *root = NULL;
    scope_check(c->scope, t->url, &root);
    const struct fetch_req *req = t->kind == TRANSFER_ROBOTS    ? &crawl_robots_req
                                  : t->kind == TRANSFER_SITEMAP ? &crawl_sitemap_req
                                                                : NULL;
    fetch_response_free(t->resp);
    t->resp = NULL;
    t->host = h;
    t->attempts++;
    c->active++;
    if (fetch_start(c->fetch, t->url, root, t, req) < 0) {
        /* libcurl refused the handle: report it like a failed transfer */
        struct fetch_response *r = xcalloc(1, sizeof *r);
        r->owner = t;
        r->err = FETCH_ERR_TRANSPORT;
        crawl_on_fetched(c, r, now);
    }
}

/* Bodies held by the parent (transfers in flight plus fetched bodies
 * waiting for a worker) never exceed concurrency + backlog_cap. Counting
 * them together, rather than stopping all fetching once the backlog is
 * full, keeps transfers flowing while workers drain the backlog. */
static int crawl_room(const struct crawl *c)
{
    return !c->failed && c->active < c->conc_limit &&
           c->active + c->nbacklog < (size_t)c->opt->concurrency + c->backlog_cap;
}

/* A queued URL came up: the transfer to start for it, or NULL when it is
 * decided away (a stale item; a skip, then *skipped is set). */
static struct transfer *crawl_take_queued(struct crawl *c, struct sched_decision *d, int *skipped)
{
    const struct queue_item *it = &d->item;
    uint64_t fp = seen_fp(it->url, it->url_len);
    struct entry *e = frontier_take(&c->fr, fp, d->depth, it->seq, it->url, it->url_len, it->parent,
                                    it->parent_len);
    if (!e)
        return NULL; /* a shorter path queued it again, or it is done */
    e->host = d->host;
    const char *why = NULL;
    if (c->opt->max_pages && c->started >= c->opt->max_pages)
        why = "max_pages";
    else
        why = sched_robots_verdict(c->sched, d->host, e->url);
    if (why) {
        crawl_skip_hold(c, e, why, why[0] == 'r' ? d->host->robots_error : NULL);
        *skipped = 1;
        return NULL;
    }
    c->started++;
    struct transfer *t = crawl_transfer_new(TRANSFER_PAGE, xstrdup(e->url));
    t->rec = record_new(e);
    return t;
}

/* A parked transfer's host is ready: t to start it, or NULL when a
 * redirect hop leads into a disallowed URL (its chain ends there). */
static struct transfer *crawl_take_parked(struct crawl *c, struct transfer *t, struct host *h)
{
    const char *why = t->kind == TRANSFER_PAGE ? sched_robots_verdict(c->sched, h, t->url) : NULL;
    if (!why)
        return t;
    struct record *rec = t->rec;
    t->rec = NULL;
    rec->reason = why;
    rec->error = h->robots_error;
    rec->final_url = xstrdup(t->url); /* the last 3xx stays the record's response */
    crawl_transfer_free(t);
    crawl_complete(c, rec);
    return NULL;
}

static char *crawl_robots_url(const struct host *h)
{
    size_t n = strlen(h->origin);
    char *u = xmalloc(n + sizeof "/robots.txt");
    memcpy(u, h->origin, n);
    memcpy(u + n, "/robots.txt", sizeof "/robots.txt");
    return u;
}

/* Phase 2: start what the scheduler says is ready, within the caps. The
 * scheduler hears of each decision before the transfer starts (a start
 * libcurl refuses finishes at once). */
static void crawl_fill(struct crawl *c, int64_t now)
{
    struct sched_decision d;
    int skips = 0;
    while (crawl_room(c) && skips < CRAWL_SKIPS_PER_TURN && sched_next(c->sched, now, &d)) {
        struct transfer *t = NULL;
        int skipped = 0;
        switch (d.action) {
        case SCHED_ROBOTS:
            t = crawl_transfer_new(TRANSFER_ROBOTS, crawl_robots_url(d.host));
            log_debug("fetching %s", t->url);
            break;
        case SCHED_PARKED:
            t = crawl_take_parked(c, d.transfer, d.host);
            break;
        case SCHED_QUEUED:
            t = crawl_take_queued(c, &d, &skipped);
            skips += skipped;
            break;
        }
        sched_decided(c->sched, d.host, t != NULL, now);
        if (t)
            crawl_start(c, t, d.host, now);
    }
}

/* Retry-After as seconds from now: delta-seconds or an HTTP date. -1 if
 * absent or unparsable. */
static long crawl_retry_after(const char *v)
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

static enum sched_result crawl_result_of(const struct fetch_response *r)
{
    switch (r->err) {
    case FETCH_OK:
        if (r->status == 429 || r->status == 502 || r->status == 503 || r->status == 504)
            return SCHED_RESULT_BUSY;
        return r->status >= 500 ? SCHED_RESULT_FINAL : SCHED_RESULT_OK;
    case FETCH_ERR_TIMEOUT:
    case FETCH_ERR_CONNECT:
    case FETCH_ERR_TRANSPORT:
        return SCHED_RESULT_FAILED;
    default:
        return SCHED_RESULT_FINAL;
    }
}

/* After a transfer: tell the scheduler how it went; park it for another
 * try when that is the decision. Returns 1 when t was parked. */
static int crawl_retry(struct crawl *c, struct transfer *t, int64_t now)
{
    struct fetch_response *r = t->resp;
    enum sched_result res = crawl_result_of(r);
    long ra = (r->status == 429 || r->status == 503) ? crawl_retry_after(r->retry_after) : -1;
    int64_t delay = sched_outcome(c->sched, t->host, res, t->attempts, ra, now);
    if (delay < 0)
        return 0;
    log_info("%s: %s, retry %d of %d in %lld ms", t->url,
             r->err ? fetch_err_code(r->err) : "server busy", t->attempts, c->opt->retries,
             (long long)delay);
    c->st->retries++;
    fetch_response_free(t->resp);
    t->resp = NULL;
    sched_park(c->sched, t->host, t);
    return 1;
}

static int crawl_in_chain(const struct record *rec, const char *url)
{
    if (!strcmp(rec->e->url, url))
        return 1;
    for (size_t i = 0; i < rec->nhops; i++)
        if (!strcmp(rec->hops[i].url, url))
            return 1;
    return 0;
}

/* A 3xx with a Location: follow it ourselves, hop by hop, if it stays in
 * scope and is new. Every redirecting response becomes a hop; when the
 * chain ends without a fetch (target seen already, off-site, another
 * scheme, a loop, too many hops, a scope rule) final_url names the target.
 * Returns 1 when the chain goes on (t is parked on the target's host). */
static int crawl_redirect(struct crawl *c, struct transfer *t)
{
    struct fetch_response *r = t->resp;
    struct record *rec = t->rec;
    char *target = NULL;
    int rc = url_resolve(t->url, r->location, strlen(r->location), &target);
    if (rc == URL_ERR_SCHEME) {
        /* ftp:, mailto:... never followed: the chain ends pointing there. */
        size_t n = strlen(r->location);
        while (n && (r->location[n - 1] == ' ' || r->location[n - 1] == '\t'))
            n--;
        target = xmemdup0(r->location, n);
    } else if (rc != URL_OK) {
        rec->error = "bad_redirect";
        return 0;
    }
    record_add_hop(rec, t->url, r->status);
    int from_file = !strncmp(t->url, "file:", 5);
    int to_file = !strncmp(target, "file:", 5);
    const char *why = NULL;
    uint64_t fp = 0;
    int depth;
    if (rc == URL_ERR_SCHEME) {
        /* not ours to fetch */
    } else if (crawl_in_chain(rec, target)) {
        rec->error = "redirect_loop";
    } else if (frontier_lookup(&c->fr, target, &fp, &depth) != SEEN_NONE || from_file != to_file ||
               !scope_check(c->scope, target, NULL)) {
        /* It has its own record, or is not ours to fetch: stop here. */
    } else if (rec->nhops > (size_t)c->opt->max_redirects) {
        rec->error = "too_many_redirects";
    } else if ((why = scope_rule(c->scope, target))) {
        rec->reason = why;
    } else {
        frontier_add_done(&c->fr, fp);
        free(t->url);
        t->url = target;
        t->attempts = 0;
        fetch_response_free(t->resp);
        t->resp = NULL;
        sched_park(c->sched, crawl_host_of(c, target), t);
        return 1;
    }
    free(rec->final_url);
    rec->final_url = target;
    return 0;
}

static void crawl_backlog_push(struct crawl *c, struct transfer *t)
{
    t->next = NULL;
    if (c->backlog_tail)
        c->backlog_tail->next = t;
    else
        c->backlog = t;
    c->backlog_tail = t;
    c->nbacklog++;
}

static struct transfer *crawl_backlog_pop(struct crawl *c)
{
    struct transfer *t = c->backlog;
    if (!t)
        return NULL;
    c->backlog = t->next;
    if (!c->backlog)
        c->backlog_tail = NULL;
    c->nbacklog--;
    return t;
}

/* A page transfer is over (not retried): finish its record, or queue its
 * body for a parser worker. */
static void crawl_page_done(struct crawl *c, struct transfer *t)
{
    struct fetch_response *r = t->resp;
    struct record *rec = t->rec;
    record_set_response(rec, r);
    if (r->err) {
        rec->error = fetch_err_code(r->err);
        if (r->err != FETCH_ERR_TOO_LARGE)
            rec->status = 0; /* nothing trustworthy was received */
        log_debug("%s: %s", t->url, rec->error);
    } else if (r->status >= 300 && r->status < 400 && r->location) {
        if (crawl_redirect(c, t))
            return;
    } else if (rec->nhops) {
        rec->end_url = xstrdup(t->url);
    }
    if (!r->err && r->is_html && r->body && r->status >= 200 && r->status < 300) {
        /* Only real pages are parsed: an error page's links are not the
         * site's (the body still counts in bytes). */
        crawl_backlog_push(c, t);
        return;
    }
    t->rec = NULL;
    crawl_transfer_free(t);
    crawl_complete(c, rec);
}

/* Phase 5a: a transfer finished. */
static void crawl_on_fetched(struct crawl *c, struct fetch_response *r, int64_t now)
{
    struct transfer *t = r->owner;
    sched_release(c->sched, t->host, now);
    c->active--;
    c->st->fetched++;
    fetch_response_free(t->resp);
    t->resp = r;
    if (c->io->warc &&
        archive_transfer(c->io->warc, t->url, r, t->rec ? t->rec->warc_id : (char[48]){0}, 48) < 0)
        c->failed = 1; /* the archive cannot be written: stop, as for the output */
    if (t->kind == TRANSFER_ROBOTS) {
        crawl_robots_done(c, t);
        return;
    }
    if (r->err != FETCH_ERR_INTERRUPTED && crawl_retry(c, t, now))
        return;
    if (t->kind == TRANSFER_SITEMAP)
        crawl_sitemap_done(c, t);
    else
        crawl_page_done(c, t);
}

/* ---- parsing ---- */

/* Phase 3: hand fetched bodies to idle workers. */
static void crawl_dispatch(struct crawl *c)
{
    while (c->backlog && pool_can_submit(c->pool)) {
        struct transfer *t = c->backlog;
        struct fetch_response *r = t->resp;
        char label[64];
        const char *enc = NULL;
        if (charset_from_content_type(r->content_type, label, sizeof label)) {
            size_t bom = 0;
            enc = charset_sniff((const unsigned char *)r->body, r->body_len, label, &bom);
        }
        uint32_t id = c->next_job++;
        if (pool_submit(c->pool, id, t->url, enc, r->body, r->body_len) < 0)
            break;
        r->body = NULL; /* the pool owns it now */
        crawl_backlog_pop(c);
        struct job *j = xmalloc(sizeof *j);
        j->id = id;
        j->rec = t->rec;
        t->rec = NULL;
        HASH_ADD(hh, c->jobs, id, sizeof j->id, j);
        crawl_transfer_free(t); /* the response's last consumer is done */
    }
}

static void crawl_on_parsed(void *ctx, uint32_t job_id, int err, const char *cause,
                            struct html_page *page)
{
    struct crawl *c = ctx;
    struct job *j = NULL;
    HASH_FIND(hh, c->jobs, &job_id, sizeof job_id, j);
    if (!j)
        return;
    HASH_DEL(c->jobs, j);
    struct record *rec = j->rec;
    free(j);
    if (err == POOL_OK) {
        rec->page = *page;
        memset(page, 0, sizeof *page);
        rec->parsed = 1;
        c->st->parsed++;
    } else {
        log_warn("%s: parse failed: %s", rec->end_url ? rec->end_url : rec->e->url,
                 cause ? cause : "unknown");
        rec->error = "parse_error";
        c->st->parse_errors++;
        if (err == POOL_ERR_NO_WORKERS)
            c->st->parse_gave_up++;
    }
    crawl_complete(c, rec);
}

/* ---- interruption ---- */

static void crawl_interrupt(struct crawl *c, struct transfer *t)
{
    if (t->kind != TRANSFER_PAGE) {
        if (t->kind == TRANSFER_SITEMAP)
            frontier_unpin(&c->fr);
        crawl_transfer_free(t);
        return;
    }
    struct record *rec = t->rec;
    t->rec = NULL;
    if (t->resp)
        record_set_response(rec, t->resp);
    rec->error = "interrupted";
    c->st->interrupted++;
    crawl_transfer_free(t);
    crawl_complete(c, rec);
}

/* The grace period is over: everything still in flight gets its record. */
static void crawl_cut(struct crawl *c, int64_t now)
{
    fetch_cancel_all(c->fetch); /* they come back as "interrupted" */
    struct fetch_response *r;
    while ((r = fetch_next(c->fetch))) {
        struct transfer *t = r->owner;
        sched_release(c->sched, t->host, now);
        c->active--;
        fetch_response_free(t->resp);
        t->resp = r;
        crawl_interrupt(c, t);
    }
    struct transfer *t;
    while ((t = crawl_backlog_pop(c)))
        crawl_interrupt(c, t);
    struct job *j, *tmp;
    HASH_ITER(hh, c->jobs, j, tmp)
    {
        HASH_DEL(c->jobs, j); /* a late parse result is ignored */
        struct record *rec = j->rec;
        free(j);
        rec->error = "interrupted";
        c->st->interrupted++;
        crawl_complete(c, rec);
    }
}

/* Redirect hops and retries that never restarted are in flight too. */
static void crawl_interrupt_parked(struct crawl *c)
{
    struct transfer *t;
    while ((t = sched_take_parked(c->sched)))
        crawl_interrupt(c, t);
}

static void crawl_on_signal(struct crawl *c, int signo, int64_t now)
{
    switch (stop_signal(&c->stop, signo, 1, now)) {
    case STOP_NOW:
        log_warn("second signal: stopping now");
        output_flush(c->out);
        _exit(128 + c->stop.signo);
    case STOP_GRACE:
        log_warn("signal %d: finishing the transfers in flight (%zu), then stopping; send it "
                 "again to stop at once",
                 signo, c->active);
        break;
    default:
        break;
    }
}

/* ---- the loop ---- */

static int crawl_alive(const struct crawl *c)
{
    if (c->failed)
        return 0;
    if (c->stop.cut)
        return c->active || fetch_in_flight(c->fetch); /* the pool's jobs were dropped */
    int busy = c->active || c->nbacklog || pool_pending(c->pool) || fetch_in_flight(c->fetch);
    if (c->stop.signo)
        return busy; /* interrupted: queued URLs stay for --resume */
    return busy || sched_queued(c->sched) || sched_parked(c->sched);
}

static void crawl_add_starts(struct crawl *c, char **starts, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        uint64_t fp;
        int depth;
        if (frontier_lookup(&c->fr, starts[i], &fp, &depth) != SEEN_NONE)
            continue; /* the same start given twice */
        uint32_t seq = frontier_add_queued(&c->fr, fp, 0);
        crawl_journal_seen(c, 0, 0, starts[i], NULL);
        crawl_push(c, starts[i], NULL, 0, seq);
        /* Without robots.txt there is no Sitemap: line to wait for. */
        struct host *h = crawl_host_of(c, starts[i]);
        if (c->opt->sitemaps && !c->opt->robots && h->name[0])
            crawl_seed_host(c, h);
    }
}

/* Phase 4: one poll over curl's sockets, the worker channels, the next
 * host-ready time and the pool's next deadline; then the pool does its
 * reads, writes and kills. */
static int crawl_poll(struct crawl *c)
{
    struct pollfd pfds[CRAWL_MAX_POLLFDS];
    struct curl_waitfd wfds[CRAWL_MAX_POLLFDS];
    size_t n = pool_pollfds(c->pool, pfds, CRAWL_MAX_POLLFDS - 1);
    size_t nall = n;
    if (c->io->sig_fd >= 0) {
        wfds[nall].fd = c->io->sig_fd;
        wfds[nall].events = CURL_WAIT_POLLIN;
        wfds[nall].revents = 0;
        nall++;
    }
    for (size_t i = 0; i < n; i++) {
        wfds[i].fd = pfds[i].fd;
        wfds[i].events = (short)((pfds[i].events & POLLIN ? CURL_WAIT_POLLIN : 0) |
                                 (pfds[i].events & POLLOUT ? CURL_WAIT_POLLOUT : 0));
        wfds[i].revents = 0;
    }
    int64_t now = clock_ms();
    int64_t wait = 1000;
    int64_t deadline = pool_next_deadline(c->pool);
    if (deadline >= 0 && deadline - now < wait)
        wait = deadline - now;
    /* A ready host counts only when there is room to start it. */
    int64_t ready = c->stop.signo || !crawl_room(c) ? -1 : sched_wait_ms(c->sched, now);
    if (ready >= 0 && ready < wait)
        wait = ready;
    int64_t cut = stop_wait_ms(&c->stop, now);
    if (cut >= 0 && cut < wait)
        wait = cut;
    if (c->io->tick && c->next_tick - now < wait)
        wait = c->next_tick - now;
    if (wait < 0)
        wait = 0;
    if (fetch_wait(c->fetch, wfds, (unsigned)nall, (int)wait) < 0) {
        log_error("curl multi failed");
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        short re = wfds[i].revents;
        pfds[i].revents =
            (short)((re & CURL_WAIT_POLLIN ? POLLIN : 0) | (re & CURL_WAIT_POLLOUT ? POLLOUT : 0) |
                    (re & CURL_WAIT_POLLPRI ? POLLPRI : 0));
    }
    if (nall > n && wfds[n].revents)
        crawl_on_signal(c, sig_take(c->io->sig_fd), clock_ms());
    pool_service(c->pool, pfds, n, clock_ms(), crawl_on_parsed, c);
    return 0;
}

/* URLs seen only through nofollow links get their record at the end. */
static void crawl_flush_nofollow(struct crawl *c)
{
    struct entry *e;
    while ((e = frontier_any_nofollow(&c->fr))) {
        struct record *rec = record_new(e);
        rec->reason = "nofollow";
        crawl_emit(c, rec);
    }
}

static void crawl_tick(struct crawl *c)
{
    struct crawl_progress p = {
        .st = c->st,
        .queued = sched_queued(c->sched),
        .in_flight = c->active,
        .parsing = c->nbacklog + pool_pending(c->pool),
    };
    c->io->tick(c->io->tick_ctx, &p);
}

/* --resume: rebuild the frontier from the journal. */
static void crawl_on_journal(void *ctx, enum journal_kind kind, int depth, const char *url,
                             const char *parent, const char *const *hops, size_t nhops)
{
    struct crawl *c = ctx;
    char *canon = NULL;
    uint64_t fp, pfp;
    int d = 0, pd;
    /* URLs are canonical; anything else is damage: skip it. */
    int ok = url_canonicalize(url, &canon) == URL_OK && !strcmp(canon, url) &&
             (!parent || frontier_lookup(&c->fr, parent, &pfp, &pd) != SEEN_NONE);
    free(canon);
    if (!ok) {
        log_warn("state file: skipping a damaged entry for %s", url);
        return;
    }
    int st = frontier_lookup(&c->fr, url, &fp, &d);
    if (kind == JOURNAL_DISCOVERED || kind == JOURNAL_NOFOLLOW) {
        if (depth > c->opt->depth)
            return;
        if (st == SEEN_NONE) {
            if (kind == JOURNAL_NOFOLLOW)
                frontier_add_nofollow(&c->fr, fp, url, parent, depth);
            else
                crawl_push(c, url, parent, depth, frontier_add_queued(&c->fr, fp, depth));
        } else if (st == SEEN_NOFOLLOW && kind == JOURNAL_DISCOVERED) {
            crawl_push(c, url, parent, depth,
                       frontier_follow(&c->fr, frontier_entry(&c->fr, fp), depth));
        } else if (depth < d) {
            crawl_relax(c, url, fp, st, d, depth, parent);
        }
        return;
    }
    /* F or S: the record is in an earlier run's output. */
    frontier_mark_done(&c->fr, fp);
    if (kind == JOURNAL_FETCHED)
        c->started++;
    for (size_t i = 0; i < nhops; i++)
        if (frontier_lookup(&c->fr, hops[i], &fp, &d) == SEEN_NONE)
            frontier_add_done(&c->fr, fp);
}

static void crawl_cleanup(struct crawl *c)
{
    /* Transfers still in flight (the output failed, or setup broke): their
     * responses come back through fetch_next and their owners are freed. */
    if (c->fetch) {
        fetch_cancel_all(c->fetch);
        struct fetch_response *r;
        while ((r = fetch_next(c->fetch))) {
            struct transfer *t = r->owner;
            fetch_response_free(t->resp);
            t->resp = r;
            crawl_transfer_free(t);
        }
    }
    struct transfer *t;
    while ((t = crawl_backlog_pop(c)))
        crawl_transfer_free(t);
    struct job *j, *jtmp;
    HASH_ITER(hh, c->jobs, j, jtmp)
    {
        HASH_DEL(c->jobs, j);
        record_free(j->rec);
        free(j);
    }
    struct entry *e, *etmp;
    HASH_ITER(hh, c->fr.live, e, etmp)
    {
        record_free(e->held);
        e->held = NULL;
    }
    if (c->sched)
        while ((t = sched_take_parked(c->sched)))
            crawl_transfer_free(t);
    seeds_free(c->seeds);
    fetch_destroy(c->fetch);
    sched_free(c->sched);
    frontier_free(&c->fr);
    journal_close(c->journal);
}

int crawl_run(const struct options *opt, const struct scope *scope, char **starts, size_t n,
              const struct crawl_io *io, struct crawl_stats *stats, int *signo)
{
    struct crawl c = {0};
    int rc = CRAWL_END_DONE;
    char err[512];
    struct fetch_config fc = {
        .max_size = opt->max_size,
        .timeout_s = opt->timeout_s,
        .connect_timeout_s = opt->connect_timeout_s,
        .concurrency = opt->concurrency,
        .per_host = opt->per_host,
        .user_agent = opt->user_agent,
        .limit_rate = opt->limit_rate,
        .stall_s = opt->stall_s,
        .capture = io->warc != NULL,
    };
    struct sched_config sc = {
        .per_host = opt->per_host,
        .wait_s = opt->wait_s,
        .random_wait = opt->random_wait,
        .rate = opt->rate,
        .max_crawl_delay_s = opt->max_crawl_delay_s,
        .retries = opt->retries,
        .robots = opt->robots,
        .max_depth = opt->depth,
        .queue_budget = opt->frontier_memory,
        .queue_dir = opt->frontier_dir,
        .seed = (uint64_t)clock_ms() * 2654435761u + 1,
    };
    c.opt = opt;
    c.scope = scope;
    c.pool = io->pool;
    c.out = io->out;
    c.io = io;
    c.st = stats;
    c.conc_limit = (size_t)opt->concurrency;
    c.backlog_cap = (size_t)opt->workers * 2 + 2;
    *signo = 0;
    frontier_init(&c.fr, opt->depth);
    c.sched = sched_create(&sc);
    c.seeds = seeds_create(scope, opt->max_size, crawl_on_sitemap_url, crawl_on_sitemap_start, &c);
    c.fetch = fetch_create(&fc);
    if (!c.fetch) {
        log_error("cannot create the curl multi handle");
        rc = CRAWL_END_SETUP;
        goto out;
    }
    if (opt->state) {
        c.journal = journal_open(opt->state, opt->resume, crawl_on_journal, &c, err, sizeof err);
        if (!c.journal) {
            log_error("%s", err);
            rc = CRAWL_END_SETUP;
            goto out;
        }
    }
    crawl_add_starts(&c, starts, n);
    c.next_tick = clock_ms() + io->tick_ms;
    while (crawl_alive(&c)) {
        int64_t now = clock_ms();
        if (io->tick && now >= c.next_tick) {
            crawl_tick(&c);
            c.next_tick = now + io->tick_ms;
        }
        if (!c.stop.signo)
            crawl_fill(&c, now);
        else if (stop_cut_due(&c.stop, now))
            crawl_cut(&c, now);
        crawl_dispatch(&c);
        if (!crawl_alive(&c))
            break;
        if (crawl_poll(&c) < 0) {
            rc = CRAWL_END_SETUP;
            break;
        }
        struct fetch_response *r;
        now = clock_ms();
        while ((r = fetch_next(c.fetch)))
            crawl_on_fetched(&c, r, now);
    }
    if (c.stop.signo && !c.failed)
        crawl_interrupt_parked(&c);
    /* Records still held wait only for each other now, or, after a signal,
     * for URLs that will not be fetched in this run: write them all. */
    if (!c.failed)
        crawl_settle_held(&c, c.stop.signo != 0);
    if (!c.failed && !c.stop.signo)
        crawl_flush_nofollow(&c);
    if (c.failed)
        rc = CRAWL_END_OUTPUT;
    else if (c.stop.signo)
        rc = CRAWL_END_INTERRUPTED;
    *signo = c.stop.signo;
out:
    crawl_cleanup(&c);
    return rc;
}
