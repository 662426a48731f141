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
#include "chain.h"
#include "clock.h"
#include "fetch.h"
#include "frontier.h"
#include "journal.h"
#include "log.h"
#include "node.h"
#include "records.h"
#include "outcome.h"
#include "redirect.h"
#include "robots.h"
#include "sched.h"
#include "share.h"
#include "seed.h"
#include "sig.h"
#include "stop.h"
#include "transfer.h"
#include "url.h"
#include "xalloc.h"

#include <curl/curl.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#define CRAWL_MAX_POLLFDS      260
#define CRAWL_ROBOTS_MAX       512000 /* robots.txt bytes parsed (RFC: >= 500 KiB) */
#define CRAWL_ROBOTS_REDIRECTS 5
#define CRAWL_SKIPS_PER_TURN   4096       /* skipped records written per loop turn */
#define CRAWL_OUTPUT_BACKLOG   (8u << 20) /* output bytes waiting for a slow reader */

/* A page handed to a parser worker. */
struct job {
    uint32_t id;
    struct record *rec;
    UT_hash_handle hh;
};

struct crawl {
    const struct options *opt;
    const struct scope *scope;
    struct records *rec; /* the frontier and the records */
    struct sched *sched;
    struct seeds *seeds;
    struct fetcher *fetch;
    struct pool *pool;
    struct output *out;
    struct crawl_stats *st;
    struct journal *journal;
    const struct crawl_io *io;
    size_t active;                /* transfers in flight */
    size_t conc_limit;            /* -c, lowered when we run out of descriptors */
    long started;                 /* pages admitted (--max-pages) */
    struct transfer_list backlog; /* bodies awaiting a worker */
    size_t backlog_cap;
    struct job *jobs; /* submitted to the pool, by id */
    uint32_t next_job;
    struct stop stop;
    struct host **start_hosts; /* credentials go to these hosts only */
    size_t nstart_hosts;
    int64_t next_tick;
    int failed;        /* output, journal or archive failed */
    struct node *node; /* --redis: this process is one node of a cluster crawl */
    struct share *share;
    size_t sm_pending; /* sitemap files asked for and not read yet */
    char **sm_hosts;   /* cluster: hosts whose sitemaps this node reads */
    size_t nsm_hosts;
};

static int crawl_failed(const struct crawl *c);
static void crawl_lower_concurrency(struct crawl *c);

/* ---- sitemaps (seed.c's callbacks) ---- */

/* A sitemap file to fetch: parked on its host, counted as a possible
 * source of depth-0 URLs until read. */
static void crawl_on_sitemap_url(void *ctx, char *url)
{
    struct crawl *c = ctx;
    records_pin(c->rec);
    c->sm_pending++;
    sched_park(c->sched, records_host(c->rec, url), transfer_new(TRANSFER_SITEMAP, url));
}

/* A URL from a sitemap joins the crawl as a start URL (depth 0). */
static void crawl_on_sitemap_start(void *ctx, char *url)
{
    struct crawl *c = ctx;
    records_add_seed(c->rec, url);
    free(url);
}

/* A parse worker read a sitemap (pool_sitemap_fn). Its pin goes. */
static void crawl_sitemap_over(struct crawl *c);

static void crawl_on_sitemap_parsed(void *ctx, uint32_t job_id, int err, const char *cause,
                                    const char *url, struct sitemap *sm)
{
    struct crawl *c = ctx;
    (void)job_id;
    if (c->stop.cut) { /* after the grace period: a late result is ignored */
        if (err == POOL_OK)
            sitemap_free(sm);
        return;
    }
    if (err == POOL_OK) {
        seeds_found(c->seeds, url, sm);
        sitemap_free(sm);
    } else {
        log_warn("sitemap %s could not be read: %s", url, cause ? cause : "unknown");
    }
    crawl_sitemap_over(c);
    records_settle(c->rec, 0);
}

/* A sitemap file was fetched: a worker parses it (libxml2 never reads
 * network input in the parent). */
static void crawl_sitemap_done(struct crawl *c, struct transfer *t)
{
    struct fetch_response *r = t->resp;
    if (r && !r->err && r->status >= 200 && r->status < 300 && r->body) {
        /* Job ids come from the same counter as pages', so they never clash. */
        if (pool_submit_sitemap(c->pool, c->next_job++, t->url, r->body, r->body_len,
                                crawl_on_sitemap_parsed, c) == 0) {
            r->body = NULL; /* the pool owns it now; still pinned until parsed */
            transfer_free(t);
            return;
        }
        log_warn("sitemap %s: too many sitemaps waiting for a worker: not read", t->url);
    } else {
        log_info("sitemap %s: %s", t->url,
                 r && r->err ? fetch_err_code(r->err) : "no sitemap there");
    }
    crawl_sitemap_over(c);
    transfer_free(t);
    records_settle(c->rec, 0);
}

/* A cluster node's sitemap reading is over (none pending): the hosts it
 * read them for no longer pin depth 0 in the job. */
static void crawl_sitemaps_check(struct crawl *c)
{
    if (!c->share || c->sm_pending || !c->nsm_hosts || c->stop.signo)
        return;
    node_smdone(c->node, (const char *const *)c->sm_hosts, c->nsm_hosts);
    for (size_t i = 0; i < c->nsm_hosts; i++)
        free(c->sm_hosts[i]);
    c->nsm_hosts = 0;
}

/* h's sitemaps can be asked for now (its robots.txt is known, or off);
 * in a cluster, only if the job has not read them yet. */
static void crawl_seed_host(struct crawl *c, struct host *h)
{
    int read =
        c->opt->sitemaps && h->name[0] && (!c->share || share_sitemaps_due(c->share, h->name));
    if (read && c->share) {
        c->sm_hosts = xrealloc(c->sm_hosts, (c->nsm_hosts + 1) * sizeof *c->sm_hosts);
        c->sm_hosts[c->nsm_hosts++] = xstrdup(h->name);
    }
    if (read)
        seeds_host(c->seeds, h->origin, h->robots);
    crawl_sitemaps_check(c);
    records_host_known(c->rec, h);
}

static void crawl_sitemap_over(struct crawl *c)
{
    records_unpin(c->rec);
    if (c->sm_pending)
        c->sm_pending--;
    crawl_sitemaps_check(c);
}

/* ---- robots.txt ---- */

static void crawl_robots_done(struct crawl *c, struct transfer *t)
{
    struct host *h = t->host;
    struct fetch_response *r = t->resp;
    char token[64];
    struct robots *rules = NULL;
    if (r->err == FETCH_ERR_NO_FDS && c->active) {
        /* Out of descriptors is not the host's answer: ask again later. */
        crawl_lower_concurrency(c);
        sched_robots_retry(c->sched, h);
        transfer_free(t);
        return;
    }
    robots_product_token(c->opt->user_agent, token, sizeof token);
    int unreachable = outcome_robots(r, token, &rules);
    if (unreachable && r->err)
        log_warn("%s: %s: the URLs of %s are not fetched (robots_unreachable)", t->url,
                 fetch_err_code(r->err), h->name);
    else if (unreachable)
        log_warn("%s: server error %ld: RFC 9309 disallows every URL of %s (robots_unreachable)",
                 t->url, r->status, h->name);
    sched_robots_done(c->sched, h, rules, unreachable, r->err ? fetch_err_code(r->err) : NULL);
    c->st->robots_fetched++;
    if (c->share) /* once per host for the whole cluster job */
        share_robots_store(c->share, h, r, rules != NULL, unreachable);
    crawl_seed_host(c, h);
    transfer_free(t);
    records_settle(c->rec, 0);
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
    /* --base-url: the site's URLs are read from its directory */
    char *file = root && strncmp(t->url, "file:", 5) ? scope_site_file(c->scope, t->url) : NULL;
    const struct fetch_req *base = t->kind == TRANSFER_ROBOTS    ? &crawl_robots_req
                                   : t->kind == TRANSFER_SITEMAP ? &crawl_sitemap_req
                                                                 : NULL;
    struct fetch_req req = base ? *base : (struct fetch_req){0};
    req.head = t->check && !t->get;
    /* --user/--password/--netrc: only to a start host, so never to another
     * host a page links or redirects to */
    for (size_t i = 0; i < c->nstart_hosts && !req.auth; i++)
        req.auth = c->start_hosts[i] == h;
    fetch_response_free(t->resp);
    t->resp = NULL;
    t->host = h;
    t->attempts++;
    c->active++;
    /* an encoded '/' in a site path: never read, never fetched live */
    int unmapped = root && !file && strncmp(t->url, "file:", 5);
    int rc = unmapped ? -1 : fetch_start(c->fetch, file ? file : t->url, root, t, &req);
    free(file);
    if (rc < 0) {
        /* libcurl refused the handle: report it like a failed transfer */
        struct fetch_response *r = xcalloc(1, sizeof *r);
        r->owner = t;
        r->err = unmapped ? FETCH_ERR_NOT_FOUND : FETCH_ERR_TRANSPORT;
        crawl_on_fetched(c, r, now);
    }
}

/* Bodies held by the parent (transfers in flight plus fetched bodies
 * waiting for a worker) never exceed concurrency + backlog_cap; the jobs
 * already in the workers' lines come on top (at most POOL_DEPTH each, and
 * beyond two only while their private bodies stay under POOL_LINE_BYTES).
 * Counting the first two together, rather than stopping all fetching once
 * the backlog is full, keeps transfers flowing while workers drain it. */
static int crawl_room(const struct crawl *c)
{
    /* A reader that does not keep up stops the fetching, not the loop. */
    if (output_pending(c->out) > CRAWL_OUTPUT_BACKLOG)
        return 0;
    return !crawl_failed(c) && c->active < c->conc_limit &&
           c->active + c->backlog.n < (size_t)c->opt->concurrency + c->backlog_cap;
}

/* A queued URL came up: the transfer to start for it, or NULL when it is
 * decided away (a stale item; a skip, then *skipped is set). */
static struct transfer *crawl_take_queued(struct crawl *c, struct sched_decision *d, int *skipped)
{
    struct entry *e = records_take(c->rec, d);
    if (!e)
        return NULL; /* a shorter path queued it again, or it is done */
    const char *why = NULL;
    if (c->opt->max_pages && c->started >= c->opt->max_pages)
        why = "max_pages";
    else
        why = sched_robots_verdict(c->sched, d->host, e->url);
    if (why) {
        records_skip(c->rec, e, why, why[0] == 'r' ? d->host->robots_error : NULL);
        *skipped = 1;
        return NULL;
    }
    c->started++;
    struct transfer *t = transfer_new(TRANSFER_PAGE, xstrdup(e->url));
    t->rec = record_new(e);
    /* only --check-external queues off-site URLs: no scope check otherwise */
    t->check = c->opt->check_external && !scope_check(c->scope, e->url, NULL);
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
    transfer_free(t);
    records_complete(c->rec, rec);
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
            t = transfer_new(TRANSFER_ROBOTS, crawl_robots_url(d.host));
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

static void crawl_lower_concurrency(struct crawl *c)
{
    size_t lim = c->active ? c->active : 1;
    if (lim >= c->conc_limit)
        return;
    if (c->conc_limit == (size_t)c->opt->concurrency)
        log_warn("out of file descriptors with %zu transfers in flight: at most %zu from now on",
                 c->active, lim);
    c->conc_limit = lim;
}

/* After a transfer: tell the scheduler how it went; park it for another
 * try when that is the decision. Returns 1 when t was parked. */
static int crawl_retry(struct crawl *c, struct transfer *t, int64_t now)
{
    struct fetch_response *r = t->resp;
    enum sched_result res = outcome_of(r);
    if (r->err == FETCH_ERR_NO_FDS && c->active) {
        /* Out of descriptors while other transfers hold them: not the
         * host's fault and not this URL's try. Start no more transfers
         * than are running now; this one goes again when one ends. */
        crawl_lower_concurrency(c);
        res = SCHED_RESULT_LOCAL;
        t->attempts--;
    }
    long ra = (r->status == 429 || r->status == 503) ? outcome_retry_after(r->retry_after) : -1;
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

/* The chain of t goes on at target (taken): parked on target's host. */
static void crawl_follow(struct crawl *c, struct transfer *t, char *target)
{
    free(t->url);
    t->url = target;
    t->attempts = 0;
    fetch_response_free(t->resp);
    t->resp = NULL;
    sched_park(c->sched, records_host(c->rec, target), t);
}

/* The chain of t goes on at another host (t->hop): handed to that host's
 * lease holder with the hops so far. */
static void crawl_handoff(struct crawl *c, struct transfer *t)
{
    node_handoff(c->node, t->rec->e->url, t->hop, t->rec->hops, t->rec->nhops, t);
}

/* A 3xx with a Location: the chain goes on (t parked on the target's
 * host, or waiting for the cluster to say whether the target is known) or
 * ends (redirect.c decides). Returns 1 when the chain goes on. */
static int crawl_redirect(struct crawl *c, struct transfer *t)
{
    struct fetch_response *r = t->resp;
    char *target = NULL;
    switch (redirect_next(c->rec, c->scope, c->opt->max_redirects, c->node != NULL, t->url,
                          r->status, r->location, t->rec, &target)) {
    case REDIRECT_ASK:
        t->hop = target; /* known in the cluster? (crawl_node_hop) */
        node_hop(c->node, target, t);
        return 1;
    case REDIRECT_HANDOFF:
        t->hop = target; /* the target host's lease holder goes on (crawl_node_handoff) */
        crawl_handoff(c, t);
        return 1;
    case REDIRECT_FOLLOW:
        crawl_follow(c, t, target);
        return 1;
    default:
        return 0;
    }
}

/* A page transfer is over (not retried): finish its record, or queue its
 * body for a parser worker. */
static void crawl_page_done(struct crawl *c, struct transfer *t)
{
    struct fetch_response *r = t->resp;
    struct record *rec = t->rec;
    if (t->check && !t->get && !r->err && (r->status == 405 || r->status == 501)) {
        /* HEAD refused: ask again with GET */
        t->get = 1;
        t->attempts = 0;
        fetch_response_free(t->resp);
        t->resp = NULL;
        sched_park(c->sched, t->host, t);
        return;
    }
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
    if (!t->check && !r->err && r->is_html && r->body && r->status >= 200 && r->status < 300 &&
        !(c->opt->no_parse_leaves && rec->e->depth >= c->opt->depth &&
          records_depth_final(c->rec, rec->e))) {
        /* Only real pages are parsed: an error page's links are not the
         * site's (the body still counts in bytes); with --no-parse-leaves
         * not the pages at the depth limit either, once that depth is
         * final (a page found later by a shorter path needs its links). */
        transfer_list_push(&c->backlog, t);
        return;
    }
    t->rec = NULL;
    transfer_free(t);
    records_complete(c->rec, rec);
}

/* Phase 5a: a transfer finished. */
static void crawl_on_fetched(struct crawl *c, struct fetch_response *r, int64_t now)
{
    struct transfer *t = r->owner;
    sched_release(c->sched, t->host);
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
    while (c->backlog.head && pool_can_submit(c->pool)) {
        struct transfer *t = c->backlog.head;
        struct fetch_response *r = t->resp;
        char label[64];
        const char *enc = NULL;
        if (charset_from_content_type(r->content_type, label, sizeof label)) {
            size_t bom = 0;
            enc = charset_sniff((const unsigned char *)r->body, r->body_len, label, &bom);
        }
        uint32_t id = c->next_job++;
        if (pool_submit(c->pool, id, t->url, enc, r->body, r->body_len,
                        records_leaf_render(c->rec, t->rec->e)) < 0)
            break;
        r->body = NULL; /* the pool owns it now */
        transfer_list_pop(&c->backlog);
        struct job *j = xmalloc(sizeof *j);
        j->id = id;
        j->rec = t->rec;
        t->rec = NULL;
        HASH_ADD(hh, c->jobs, id, sizeof j->id, j);
        transfer_free(t); /* the response's last consumer is done */
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
        c->st->links_rendered += rec->page.links_json != NULL;
    } else {
        log_warn("%s: parse failed: %s", rec->end_url ? rec->end_url : rec->e->url,
                 cause ? cause : "unknown");
        rec->error = "parse_error";
        c->st->parse_errors++;
        if (err == POOL_ERR_NO_WORKERS)
            c->st->parse_gave_up++;
    }
    records_complete(c->rec, rec);
}

/* ---- interruption ---- */

static void crawl_interrupt_record(struct crawl *c, struct record *rec)
{
    if (c->node) { /* given back to the cluster (node_leave): redone there */
        records_forget(c->rec, rec);
        return;
    }
    rec->error = "interrupted";
    c->st->interrupted++;
    records_complete(c->rec, rec);
}

static void crawl_interrupt(struct crawl *c, struct transfer *t)
{
    if (t->kind != TRANSFER_PAGE) {
        if (t->kind == TRANSFER_SITEMAP)
            crawl_sitemap_over(c);
        transfer_free(t);
        return;
    }
    struct record *rec = t->rec;
    t->rec = NULL;
    if (t->resp)
        record_set_response(rec, t->resp);
    transfer_free(t);
    crawl_interrupt_record(c, rec);
}

/* The grace period is over: everything still in flight gets its record. */
static void crawl_cut(struct crawl *c)
{
    fetch_cancel_all(c->fetch); /* they come back as "interrupted" */
    struct fetch_response *r;
    while ((r = fetch_next(c->fetch))) {
        struct transfer *t = r->owner;
        sched_release(c->sched, t->host);
        c->active--;
        fetch_response_free(t->resp);
        t->resp = r;
        crawl_interrupt(c, t);
    }
    struct transfer *t;
    while ((t = transfer_list_pop(&c->backlog)))
        crawl_interrupt(c, t);
    struct job *j, *tmp;
    HASH_ITER(hh, c->jobs, j, tmp)
    {
        HASH_DEL(c->jobs, j); /* a late parse result is ignored */
        struct record *rec = j->rec;
        free(j);
        crawl_interrupt_record(c, rec);
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
    switch (stop_signal(&c->stop, signo, now)) {
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

static int crawl_failed(const struct crawl *c)
{
    return c->failed || records_failed(c->rec);
}

static int crawl_alive(const struct crawl *c)
{
    if (crawl_failed(c))
        return 0;
    if (c->stop.cut)
        return c->active || fetch_in_flight(c->fetch); /* the pool's jobs were dropped */
    int busy = c->active || c->backlog.n || pool_pending(c->pool) || fetch_in_flight(c->fetch);
    if (c->stop.signo) /* interrupted: queued URLs stay for --resume; a node
                        * first hears where its last records stand */
        return busy || (c->node && node_outstanding(c->node));
    if (c->node && (node_failed(c->node, NULL) || node_busy(c->node)))
        return !node_failed(c->node, NULL);
    return busy || sched_queued(c->sched) || sched_parked(c->sched);
}

/* ---- a cluster node (--redis): share.c does the rest ---- */

/* node_hop's answer for t's redirect target: known elsewhere in the
 * cluster (the chain ends there), or now a hop of t's chain (followed);
 * known < 0: the node is going away. */
static void crawl_node_hop(void *ctx, void *token, int known)
{
    struct crawl *c = ctx;
    struct transfer *t = token;
    char *target = t->hop;
    t->hop = NULL;
    if (known < 0) {
        free(target);
        transfer_free(t);
        return;
    }
    if (!known && !records_known(c->rec, target, 1)) {
        crawl_follow(c, t, target);
        return;
    }
    struct record *rec = t->rec;
    t->rec = NULL;
    free(rec->final_url);
    rec->final_url = target;
    transfer_free(t);
    records_complete(c->rec, rec);
}

/* node_handoff's answer for t: handed (the record is the other node's
 * now), the target known (the chain ends here), or t's URL is not this
 * node's any more. */
static void crawl_node_handoff(void *ctx, void *token, int result)
{
    struct crawl *c = ctx;
    struct transfer *t = token;
    char *target = t->hop;
    t->hop = NULL;
    struct record *rec = t->rec;
    t->rec = NULL;
    if (result == 1) {
        free(rec->final_url);
        rec->final_url = target;
        transfer_free(t);
        records_complete(c->rec, rec);
        return;
    }
    free(target);
    transfer_free(t);
    records_forget(c->rec, rec);
}

/* A chain handed from another node: url's record is this node's now, and
 * its chain goes on at target, on a host this node leases. */
static void crawl_node_chain(void *ctx, int depth, const char *url, const char *parent,
                             const char *chain, const char *target)
{
    struct crawl *c = ctx;
    struct entry *e = records_add_handed(c->rec, url, parent, depth);
    if (!e)
        return;
    struct record *rec = record_new(e);
    const char *hop;
    size_t len;
    long status;
    for (size_t i = 0; chain_hop(chain, i, &hop, &len, &status); i++) {
        char *u = xmemdup0(hop, len);
        record_add_hop(rec, u, status);
        free(u);
    }
    records_known(c->rec, target, 1); /* a hop of this chain (crawl_handoff) */
    struct transfer *t = transfer_new(TRANSFER_PAGE, xstrdup(target));
    t->rec = rec;
    t->check = c->opt->check_external && !scope_check(c->scope, target, NULL);
    sched_park(c->sched, records_host(c->rec, target), t);
}

static void crawl_node_known(void *ctx, struct host *h)
{
    crawl_seed_host(ctx, h);
}

static int crawl_node_room(void *ctx)
{
    struct crawl *c = ctx;
    return !c->stop.signo && crawl_room(c);
}

static int crawl_node_open(struct crawl *c, char **starts, size_t n, char *err, size_t errlen)
{
    struct share_config sc = {
        .opt = c->opt,
        .rec = c->rec,
        .sched = c->sched,
        .ctx = c,
        .room = crawl_node_room,
        .on_hop = crawl_node_hop,
        .on_handoff = crawl_node_handoff,
        .on_known = crawl_node_known,
        .on_chain = crawl_node_chain,
    };
    c->share = share_open(&sc, starts, n, err, errlen);
    if (!c->share)
        return -1;
    c->node = share_node(c->share);
    /* credentials go to the start hosts only, as in a single process */
    for (size_t i = 0; i < n; i++) {
        struct host *h = records_host(c->rec, starts[i]);
        c->start_hosts = xrealloc(c->start_hosts, (c->nstart_hosts + 1) * sizeof *c->start_hosts);
        c->start_hosts[c->nstart_hosts++] = h;
    }
    return 0;
}

static void crawl_add_starts(struct crawl *c, char **starts, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        records_add_start(c->rec, starts[i]);
        /* Without robots.txt there is no Sitemap: line to wait for. */
        struct host *h = records_host(c->rec, starts[i]);
        c->start_hosts = xrealloc(c->start_hosts, (c->nstart_hosts + 1) * sizeof *c->start_hosts);
        c->start_hosts[c->nstart_hosts++] = h;
        if (c->opt->sitemaps && !c->opt->robots && h->name[0])
            crawl_seed_host(c, h);
    }
}

/* Phase 4: one poll over curl's sockets, the worker channels, the next
 * host-ready time and the pool's next deadline; then the pool does its
 * reads, writes and kills. */
static int crawl_poll(struct crawl *c)
{
    if (c->node) { /* records written this turn go out, then the cluster hears */
        records_node_sync(c->rec);
        node_flush(c->node);
    }
    struct pollfd pfds[CRAWL_MAX_POLLFDS];
    size_t n = pool_pollfds(c->pool, pfds, CRAWL_MAX_POLLFDS - 3);
    size_t nall = n;
    size_t sig_i = SIZE_MAX, out_i = SIZE_MAX, node_i = SIZE_MAX;
    if (c->io->sig_fd >= 0) {
        sig_i = nall++;
        pfds[sig_i] = (struct pollfd){.fd = c->io->sig_fd, .events = POLLIN};
    }
    short node_ev = 0;
    int node_fd = c->node ? node_pollfd(c->node, &node_ev) : -1;
    if (node_fd >= 0) {
        node_i = nall++;
        pfds[node_i] = (struct pollfd){.fd = node_fd, .events = node_ev};
    }
    int out_fd = output_pollfd(c->out);
    if (out_fd >= 0) {
        out_i = nall++;
        pfds[out_i] = (struct pollfd){.fd = out_fd, .events = POLLOUT};
    }
    int64_t now = clock_ms();
    int64_t wait = 1000;
    int64_t deadline = pool_next_deadline(c->pool);
    if (deadline >= 0 && deadline - now < wait)
        wait = deadline - now;
    /* A ready host counts only when there is room to start it. */
    int64_t ready = c->stop.signo || !crawl_room(c) || (c->node && node_paused(c->node, now))
                        ? -1
                        : sched_wait_ms(c->sched, now);
    if (ready >= 0 && ready < wait)
        wait = ready;
    int64_t cut = stop_wait_ms(&c->stop, now);
    if (cut >= 0 && cut < wait)
        wait = cut;
    if (c->io->tick && c->next_tick - now < wait)
        wait = c->next_tick - now;
    int64_t commit = records_commit_wait_ms(c->rec, now);
    if (commit >= 0 && commit < wait)
        wait = commit;
    int64_t nw = c->node ? node_wait_ms(c->node, now) : -1;
    if (nw >= 0 && nw < wait)
        wait = nw;
    if (wait < 0)
        wait = 0;
    if (fetch_wait(c->fetch, pfds, (unsigned)nall, (int)wait) < 0) {
        log_error("curl multi failed");
        return -1;
    }
    if (out_i != SIZE_MAX && pfds[out_i].revents && output_drain(c->out) < 0)
        c->failed = 1;
    if (c->node) {
        short re = node_i != SIZE_MAX ? pfds[node_i].revents : 0;
        int64_t t = clock_ms();
        share_set_now(c->share, t);
        node_service(c->node, re, t);
        records_settle(c->rec, 0); /* the cluster's counts may allow more */
    }
    if (sig_i != SIZE_MAX && pfds[sig_i].revents) {
        int signo;
        while ((signo = sig_take(c->io->sig_fd))) /* each one counts */
            crawl_on_signal(c, signo, clock_ms());
    }
    pool_service(c->pool, pfds, n, clock_ms(), crawl_on_parsed, c);
    return 0;
}

static void crawl_tick(struct crawl *c)
{
    if (c->node)
        c->st->redis_round_trips = node_round_trips(c->node);
    struct crawl_progress p = {
        .st = c->st,
        .queued = sched_queued(c->sched),
        .in_flight = c->active,
        .parsing = c->backlog.n + pool_pending(c->pool),
    };
    c->io->tick(c->io->tick_ctx, &p);
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
            transfer_free(t);
        }
    }
    struct transfer *t;
    while ((t = transfer_list_pop(&c->backlog)))
        transfer_free(t);
    struct job *j, *jtmp;
    HASH_ITER(hh, c->jobs, j, jtmp)
    {
        HASH_DEL(c->jobs, j);
        record_free(j->rec);
        free(j);
    }
    if (c->sched)
        while ((t = sched_take_parked(c->sched)))
            transfer_free(t);
    seeds_free(c->seeds);
    if (fetch_destroy(c->fetch) < 0)
        c->failed = 1; /* --save-cookies could not be written */
    free(c->start_hosts);
    share_free(c->share);
    for (size_t i = 0; i < c->nsm_hosts; i++)
        free(c->sm_hosts[i]);
    free(c->sm_hosts);
    sched_free(c->sched);
    records_free(c->rec);
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
        .headers = opt->headers,
        .nheaders = (size_t)opt->nheaders,
        .cookies = opt->cookies,
        .load_cookies = opt->load_cookies,
        .save_cookies = opt->save_cookies,
        .user = opt->user,
        .password = opt->password,
        .netrc = opt->netrc,
        .proxy = opt->proxy,
        .insecure = opt->insecure,
        .ca_file = opt->ca_certificate,
        .http11 = opt->http11,
    };
    struct sched_config sc = {
        .per_host = opt->per_host,
        .wait_s = opt->wait_s,
        .random_wait = opt->random_wait,
        .rate = opt->rate,
        .max_crawl_delay_s = opt->max_crawl_delay_s,
        .retries = opt->retries,
        .robots = opt->robots,
        .offline_host = scope->site_host,
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
    c.sched = sched_create(&sc);
    struct records_config rc_cfg = {.opt = opt,
                                    .scope = scope,
                                    .sched = c.sched,
                                    .out = io->out,
                                    .st = stats,
                                    .warc = io->warc};
    c.rec = records_create(&rc_cfg);
    c.seeds = seeds_create(scope, crawl_on_sitemap_url, crawl_on_sitemap_start, &c);
    c.fetch = fetch_create(&fc, err, sizeof err);
    if (!c.fetch) {
        log_error("%s", err);
        rc = CRAWL_END_SETUP;
        goto out;
    }
    if (opt->state) {
        c.journal =
            journal_open(opt->state, opt->resume, records_on_journal, c.rec, err, sizeof err);
        if (!c.journal) {
            log_error("%s", err);
            rc = CRAWL_END_SETUP;
            goto out;
        }
        records_set_journal(c.rec, c.journal);
        c.started = records_resumed(c.rec);
    }
    if (opt->redis) {
        if (crawl_node_open(&c, starts, n, err, sizeof err) < 0) {
            log_error("%s", err);
            rc = CRAWL_END_SETUP;
            goto out;
        }
    } else {
        crawl_add_starts(&c, starts, n);
    }
    c.next_tick = clock_ms() + io->tick_ms;
    while (crawl_alive(&c)) {
        int64_t now = clock_ms();
        records_commit(c.rec, now, 0);
        if (io->tick && now >= c.next_tick) {
            crawl_tick(&c);
            c.next_tick = now + io->tick_ms;
        }
        if (!c.stop.signo && !(c.node && node_paused(c.node, now)))
            crawl_fill(&c, now);
        else if (stop_cut_due(&c.stop, now))
            crawl_cut(&c);
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
    if (c.stop.signo && !crawl_failed(&c))
        crawl_interrupt_parked(&c);
    /* Records still held wait only for each other now, or, after a signal,
     * for URLs that will not be fetched in this run: write them all. In a
     * cluster, only the final ones: node_leave gives the rest back. */
    if (!crawl_failed(&c))
        records_settle(c.rec, c.stop.signo != 0 && !c.node);
    if (!crawl_failed(&c) && !c.stop.signo && !c.node)
        records_flush_nofollow(c.rec);
    const char *why = NULL;
    if (c.node && node_failed(c.node, &why)) {
        log_error("cluster: %s", why);
        c.failed = 1;
    }
    if (c.node) {
        records_node_sync(c.rec);
        node_leave(c.node);
        stats->redis_round_trips = node_round_trips(c.node);
    }
    records_commit(c.rec, clock_ms(), 1);
    if (crawl_failed(&c))
        rc = CRAWL_END_OUTPUT;
    else if (c.stop.signo)
        rc = CRAWL_END_INTERRUPTED;
    *signo = c.stop.signo;
out:
    crawl_cleanup(&c);
    if (c.failed && rc == CRAWL_END_DONE)
        rc = CRAWL_END_OUTPUT; /* the cookie jar could not be saved */
    return rc;
}
