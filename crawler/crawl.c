/* crawl: the loop and the crawl policy (what is followed, when a record is
 * written). Owns the in-flight page state (struct page_result) from the
 * moment a URL leaves its host queue until its record is written. Must not
 * parse HTML or talk to curl directly: fetch and pool do that. */
#include "crawl.h"

#include "charset.h"
#include "clock.h"
#include "fetch.h"
#include "frontier.h"
#include "host.h"
#include "log.h"
#include "url.h"
#include "xalloc.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#define CRAWL_MAX_POLLFDS 260

/* Everything known about one record while it is being produced. */
struct page_result {
    struct entry *e;
    struct host *host;       /* host charged for the current transfer */
    const char *cur_url;     /* URL of the current hop (an entry's url) */
    struct output_hop *hops; /* hops before the current one */
    size_t nhops;
    struct fetch_response *resp;
    struct html_page page;
    int parsed;
    unsigned char *external; /* [page.nlinks] */
    char *final_url;         /* where a chain ended without a fetch; owned */
    const char *error;
    uint32_t job_id;
    UT_hash_handle hh;        /* crawl.jobs, by job_id */
    struct page_result *next; /* backlog or hop-wait list */
};

struct crawl {
    const struct options *opt;
    const struct scope *scope;
    struct frontier fr;
    struct host_table hosts;
    struct host *cursor; /* round-robin position among hosts */
    struct fetcher *fetch;
    struct pool *pool;
    struct output *out;
    struct crawl_stats *st;
    size_t queued;                              /* entries in host queues */
    size_t active;                              /* transfers in flight */
    long started;                               /* pages admitted (for --max-pages) */
    struct page_result *backlog, *backlog_tail; /* bodies awaiting a worker */
    size_t nbacklog;
    size_t backlog_cap;
    struct page_result *hop_wait; /* redirect hops waiting for a host slot */
    struct page_result *jobs;     /* submitted to the pool, by job id */
    uint32_t next_job;
    int stop; /* output failed */
};

static void crawl_expand(struct crawl *c, struct entry *e, struct page_result *pr);

static void crawl_result_free(struct page_result *pr)
{
    fetch_response_free(pr->resp);
    html_page_free(&pr->page);
    free(pr->external);
    free(pr->hops);
    free(pr->final_url);
    free(pr);
}

static void crawl_emit(struct crawl *c, struct entry *e, struct page_result *pr, const char *reason)
{
    struct output_record r = {0};
    r.seq = e->seq;
    r.url = e->url;
    r.final_url = !pr ? e->url : pr->final_url ? pr->final_url : pr->cur_url;
    r.depth = e->depth;
    r.parent = e->parent ? e->parent->url : NULL;
    r.reason = reason;
    if (pr) {
        if (pr->resp) {
            r.status = pr->resp->status;
            r.content_type = pr->resp->content_type;
            r.bytes = pr->resp->bytes;
            r.fetch_ms = pr->resp->ms;
        }
        r.error = pr->error;
        r.hops = pr->hops;
        r.nhops = pr->nhops;
        if (pr->parsed) {
            r.page = &pr->page;
            r.external = pr->external;
        }
        c->st->bytes += r.bytes;
        if (r.error)
            c->st->errors++;
        else if (r.status >= 200 && r.status < 300)
            c->st->pages_ok++;
        else if (r.status >= 400)
            c->st->http_errors++;
    }
    if (reason)
        c->st->skipped++;
    c->st->records++;
    if (log_get_level() >= LOG_LEVEL_INFO)
        log_info("%s %ld %s%s", r.url, r.status, r.error ? r.error : "", reason ? reason : "");
    if (output_write(c->out, &r) < 0)
        c->stop = 1;
}

/* Write every held record whose depth became final. */
static void crawl_settle(struct crawl *c)
{
    int changed = 1;
    while (changed) {
        changed = 0;
        struct entry *e = c->fr.pending.head;
        while (e) {
            struct entry *nx = e->next;
            if (frontier_depth_final(&c->fr, e)) {
                struct page_result *pr = e->held;
                frontier_unpend(&c->fr, e);
                e->held = NULL;
                crawl_emit(c, e, pr, NULL);
                frontier_finish(&c->fr, e);
                crawl_result_free(pr);
                changed = 1;
            }
            e = nx;
        }
    }
}

/* The page behind pr is fetched (and parsed if HTML): follow its links,
 * then write its record now or hold it until its depth is final. */
static void crawl_complete(struct crawl *c, struct page_result *pr)
{
    struct entry *e = pr->e;
    if (pr->parsed)
        crawl_expand(c, e, pr);
    if (frontier_depth_final(&c->fr, e)) {
        crawl_emit(c, e, pr, NULL);
        frontier_finish(&c->fr, e);
        crawl_result_free(pr);
    } else {
        e->held = pr;
        frontier_pend(&c->fr, e);
    }
    crawl_settle(c);
}

/* A shorter path to x was found: move it to depth d. */
static void crawl_relax(struct crawl *c, struct entry *x, int d, struct entry *parent)
{
    switch (x->state) {
    case ENTRY_QUEUED:
        host_unqueue(x->host, x);
        frontier_set_depth(&c->fr, x, d);
        host_enqueue(x->host, x);
        break;
    case ENTRY_ACTIVE:
        frontier_set_depth(&c->fr, x, d);
        break;
    case ENTRY_PENDING:
        frontier_set_depth(&c->fr, x, d);
        x->parent = parent;
        crawl_expand(c, x, x->held); /* its children may get closer too */
        return;
    default:
        return; /* written already (or a redirect hop): depth is kept */
    }
    x->parent = parent;
}

static struct host *crawl_host_of(struct crawl *c, const char *url)
{
    size_t hl;
    const char *h = scope_host(url, &hl);
    return host_get(&c->hosts, h ? h : "", h ? hl : 0);
}

static void crawl_expand(struct crawl *c, struct entry *e, struct page_result *pr)
{
    const struct html_page *p = &pr->page;
    int nd = e->depth + 1;
    if (!pr->external && p->nlinks) {
        pr->external = xmalloc(p->nlinks);
        for (size_t i = 0; i < p->nlinks; i++)
            pr->external[i] = !scope_check(c->scope, p->links[i].url, NULL);
    }
    if (nd > c->opt->depth)
        return;
    for (size_t i = 0; i < p->nlinks; i++) {
        if (pr->external[i])
            continue;
        const char *u = p->links[i].url;
        struct entry *x = frontier_find(&c->fr, u);
        if (x) {
            if (x->depth > nd)
                crawl_relax(c, x, nd, e);
            continue;
        }
        x = frontier_add(&c->fr, xstrdup(u), e, nd, ENTRY_QUEUED);
        x->host = crawl_host_of(c, u);
        host_enqueue(x->host, x);
        c->queued++;
    }
}

static void crawl_start_transfer(struct crawl *c, struct page_result *pr, struct host *h)
{
    const char *root = NULL;
    scope_check(c->scope, pr->cur_url, &root);
    pr->host = h;
    h->active++;
    c->active++;
    if (fetch_start(c->fetch, pr->cur_url, root, pr) < 0) {
        h->active--;
        c->active--;
        pr->error = "transport";
        crawl_complete(c, pr);
    }
}

static int crawl_host_ready(const struct crawl *c, const struct host *h)
{
    return h->active < c->opt->per_host;
}

/* Phase 2: start transfers while the caps allow. */
static void crawl_fill(struct crawl *c)
{
    /* Redirect hops first: their record is already under way. */
    struct page_result **pp = &c->hop_wait;
    while (*pp && c->active < (size_t)c->opt->concurrency) {
        struct page_result *pr = *pp;
        if (!crawl_host_ready(c, pr->host)) {
            pp = &pr->next;
            continue;
        }
        *pp = pr->next;
        crawl_start_transfer(c, pr, pr->host);
    }
    size_t idle_hosts = 0;
    while (c->queued && c->active < (size_t)c->opt->concurrency && c->nbacklog < c->backlog_cap &&
           !c->stop) {
        struct host *h = c->cursor ? c->cursor : c->hosts.first;
        c->cursor = h->next_all;
        if (!h->queued || !crawl_host_ready(c, h)) {
            if (++idle_hosts > c->hosts.count)
                break; /* every host is idle or at its cap */
            continue;
        }
        idle_hosts = 0;
        struct entry *e = host_pop(h);
        c->queued--;
        if (c->opt->max_pages && c->started >= c->opt->max_pages) {
            crawl_emit(c, e, NULL, "max_pages");
            frontier_finish(&c->fr, e);
            crawl_settle(c);
            continue;
        }
        c->started++;
        e->state = ENTRY_ACTIVE;
        struct page_result *pr = xcalloc(1, sizeof *pr);
        pr->e = e;
        pr->cur_url = e->url;
        crawl_start_transfer(c, pr, h);
    }
}

static void crawl_backlog_push(struct crawl *c, struct page_result *pr)
{
    pr->next = NULL;
    if (c->backlog_tail)
        c->backlog_tail->next = pr;
    else
        c->backlog = pr;
    c->backlog_tail = pr;
    c->nbacklog++;
}

/* Phase 3: hand fetched bodies to idle workers. */
static void crawl_dispatch(struct crawl *c)
{
    while (c->backlog && pool_can_submit(c->pool)) {
        struct page_result *pr = c->backlog;
        struct fetch_response *r = pr->resp;
        char label[64];
        const char *enc = NULL;
        if (charset_from_content_type(r->content_type, label, sizeof label)) {
            size_t bom = 0;
            enc = charset_sniff((const unsigned char *)r->body, r->body_len, label, &bom);
        }
        pr->job_id = c->next_job++;
        if (pool_submit(c->pool, pr->job_id, pr->cur_url, enc, r->body, r->body_len) < 0)
            break;
        r->body = NULL; /* the pool owns it now */
        c->backlog = pr->next;
        if (!c->backlog)
            c->backlog_tail = NULL;
        c->nbacklog--;
        HASH_ADD(hh, c->jobs, job_id, sizeof pr->job_id, pr);
    }
}

static void crawl_on_parsed(void *ctx, uint32_t job_id, int err, const char *cause,
                            struct html_page *page)
{
    struct crawl *c = ctx;
    struct page_result *pr = NULL;
    HASH_FIND(hh, c->jobs, &job_id, sizeof job_id, pr);
    if (!pr)
        return;
    HASH_DEL(c->jobs, pr);
    if (err == POOL_OK) {
        pr->page = *page;
        memset(page, 0, sizeof *page);
        pr->parsed = 1;
        c->st->parsed++;
    } else {
        log_warn("%s: parse failed: %s", pr->cur_url, cause ? cause : "unknown");
        pr->error = "parse_error";
        c->st->parse_errors++;
    }
    crawl_complete(c, pr);
}

static int crawl_in_chain(const struct page_result *pr, const char *url)
{
    if (!strcmp(pr->e->url, url))
        return 1;
    for (size_t i = 0; i < pr->nhops; i++)
        if (!strcmp(pr->hops[i].url, url))
            return 1;
    return 0;
}

/* A 3xx with a Location: follow it ourselves, hop by hop, if it stays in
 * scope and is new. Every redirecting response becomes a hop; when the
 * chain ends without a fetch (target seen already, off-site, another
 * scheme, a loop, too many hops) final_url names the target. Returns 1
 * when a new hop was started (pr stays in flight). */
static int crawl_redirect(struct crawl *c, struct page_result *pr)
{
    struct fetch_response *r = pr->resp;
    char *target = NULL;
    if (url_resolve(pr->cur_url, r->location, strlen(r->location), &target) != URL_OK) {
        pr->error = "bad_redirect";
        return 0;
    }
    pr->hops = xrealloc(pr->hops, (pr->nhops + 1) * sizeof *pr->hops);
    pr->hops[pr->nhops].url = pr->cur_url;
    pr->hops[pr->nhops].status = r->status;
    pr->nhops++;
    int from_file = !strncmp(pr->cur_url, "file:", 5);
    int to_file = !strncmp(target, "file:", 5);
    if (crawl_in_chain(pr, target)) {
        pr->error = "redirect_loop";
    } else if (frontier_find(&c->fr, target) || from_file != to_file ||
               !scope_check(c->scope, target, NULL)) {
        /* It has its own record, or is not ours to fetch: stop here. */
    } else if (pr->nhops > (size_t)c->opt->max_redirects) {
        pr->error = "too_many_redirects";
    } else {
        struct entry *x = frontier_add(&c->fr, target, pr->e, pr->e->depth, ENTRY_HOP);
        pr->cur_url = x->url;
        fetch_response_free(pr->resp);
        pr->resp = NULL;
        struct host *h = crawl_host_of(c, x->url);
        if (crawl_host_ready(c, h)) {
            crawl_start_transfer(c, pr, h);
        } else {
            pr->host = h;
            pr->next = c->hop_wait;
            c->hop_wait = pr;
        }
        return 1;
    }
    pr->final_url = target;
    return 0;
}

/* Phase 5a: a transfer finished. */
static void crawl_on_fetched(struct crawl *c, struct fetch_response *r)
{
    struct page_result *pr = r->owner;
    pr->host->active--;
    c->active--;
    c->st->fetched++;
    pr->resp = r;
    if (r->err) {
        pr->error = fetch_err_code(r->err);
        if (r->err != FETCH_ERR_TOO_LARGE)
            r->status = 0; /* nothing trustworthy was received */
        log_debug("%s: %s", pr->cur_url, pr->error);
    } else if (r->status >= 300 && r->status < 400 && r->location) {
        if (crawl_redirect(c, pr))
            return;
    } else if (r->is_html && r->body) {
        crawl_backlog_push(c, pr);
        return;
    }
    crawl_complete(c, pr);
}

static int crawl_alive(const struct crawl *c)
{
    if (c->stop)
        return 0;
    return c->queued || c->active || c->nbacklog || c->hop_wait || pool_pending(c->pool) ||
           fetch_in_flight(c->fetch);
}

static void crawl_add_starts(struct crawl *c, char **starts, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        struct entry *x = frontier_find(&c->fr, starts[i]);
        if (x)
            continue; /* the same start given twice */
        x = frontier_add(&c->fr, xstrdup(starts[i]), NULL, 0, ENTRY_QUEUED);
        x->host = crawl_host_of(c, x->url);
        host_enqueue(x->host, x);
        c->queued++;
    }
}

/* Phase 4: one poll over curl's sockets, the worker channels and the pool's
 * next deadline; then the pool does its reads, writes and kills. */
static int crawl_poll(struct crawl *c)
{
    struct pollfd pfds[CRAWL_MAX_POLLFDS];
    struct curl_waitfd wfds[CRAWL_MAX_POLLFDS];
    size_t n = pool_pollfds(c->pool, pfds, CRAWL_MAX_POLLFDS);
    for (size_t i = 0; i < n; i++) {
        wfds[i].fd = pfds[i].fd;
        wfds[i].events = (short)((pfds[i].events & POLLIN ? CURL_WAIT_POLLIN : 0) |
                                 (pfds[i].events & POLLOUT ? CURL_WAIT_POLLOUT : 0));
        wfds[i].revents = 0;
    }
    int64_t now = clock_ms();
    int64_t deadline = pool_next_deadline(c->pool);
    int timeout = 1000;
    if (deadline >= 0)
        timeout = deadline <= now ? 0 : (int)(deadline - now < 1000 ? deadline - now : 1000);
    if (fetch_wait(c->fetch, wfds, (unsigned)n, timeout) < 0) {
        log_error("curl multi failed");
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        short re = wfds[i].revents;
        pfds[i].revents =
            (short)((re & CURL_WAIT_POLLIN ? POLLIN : 0) | (re & CURL_WAIT_POLLOUT ? POLLOUT : 0) |
                    (re & CURL_WAIT_POLLPRI ? POLLPRI : 0));
    }
    pool_service(c->pool, pfds, n, clock_ms(), crawl_on_parsed, c);
    return 0;
}

int crawl_run(const struct options *opt, const struct scope *scope, char **starts, size_t n,
              struct pool *pool, struct output *out, struct crawl_stats *stats)
{
    struct crawl c = {0};
    int rc = 0;
    struct fetch_config fc = {
        .max_size = opt->max_size,
        .timeout_s = opt->timeout_s,
        .connect_timeout_s = opt->connect_timeout_s,
        .concurrency = opt->concurrency,
        .per_host = opt->per_host,
        .user_agent = opt->user_agent,
    };
    c.opt = opt;
    c.scope = scope;
    c.pool = pool;
    c.out = out;
    c.st = stats;
    c.backlog_cap = (size_t)opt->workers * 2 + 2;
    frontier_init(&c.fr, opt->depth);
    host_table_init(&c.hosts, opt->depth);
    c.fetch = fetch_create(&fc);
    if (!c.fetch) {
        log_error("cannot create the curl multi handle");
        rc = -1;
        goto out;
    }
    crawl_add_starts(&c, starts, n);
    while (crawl_alive(&c)) {
        crawl_fill(&c);
        crawl_dispatch(&c);
        if (crawl_poll(&c) < 0) {
            rc = -1;
            break;
        }
        struct fetch_response *r;
        while ((r = fetch_next(c.fetch)))
            crawl_on_fetched(&c, r);
    }
    if (c.stop)
        rc = -1;
    /* Records still held wait only for each other now. */
    crawl_settle(&c);
out:
    while (c.backlog) {
        struct page_result *pr = c.backlog;
        c.backlog = pr->next;
        crawl_result_free(pr);
    }
    struct page_result *pr, *tmp;
    HASH_ITER(hh, c.jobs, pr, tmp)
    {
        HASH_DEL(c.jobs, pr);
        crawl_result_free(pr);
    }
    for (struct entry *e = c.fr.pending.head; e; e = e->next)
        crawl_result_free(e->held);
    fetch_destroy(c.fetch);
    host_table_free(&c.hosts);
    frontier_free(&c.fr);
    return rc;
}
