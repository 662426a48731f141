/* crawl: the loop and the crawl policy (what is followed, when a record is
 * written). Owns the in-flight page state (struct page_result) from the
 * moment a URL leaves its host queue until its record is written. Must not
 * parse HTML or talk to curl directly (fetch and pool do that), nor decide
 * when a host may be contacted (sched does that). */
#include "crawl_int.h"

#include "charset.h"
#include "clock.h"
#include "log.h"
#include "sig.h"
#include "url.h"
#include "xalloc.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define CRAWL_MAX_POLLFDS 260

static void crawl_expand(struct crawl *c, struct entry *e, struct page_result *pr);
static void crawl_write_or_hold(struct crawl *c, struct page_result *pr);

void crawl_result_free(struct page_result *pr)
{
    if (!pr)
        return;
    fetch_response_free(pr->resp);
    html_page_free(&pr->page);
    free(pr->external);
    for (size_t i = 0; i < pr->nhops; i++)
        free((char *)pr->hops[i].url);
    free(pr->hops);
    free(pr->final_url);
    free(pr->own_url);
    free(pr);
}

/* The record of e is out: make it durable, then journal it. */
static void crawl_journal_done(struct crawl *c, const struct entry *e, const struct page_result *pr)
{
    const char *hops[64];
    size_t n = 0;
    if (output_flush(c->out) < 0) {
        c->stop = 1;
        return;
    }
    for (size_t i = 1; pr && i < pr->nhops && n < 63; i++)
        hops[n++] = pr->hops[i].url;
    if (pr && pr->nhops && !pr->final_url)
        hops[n++] = pr->cur_url; /* the fetched end of the chain */
    int fetched = pr && pr->resp;
    if (journal_done(c->journal, fetched ? JOURNAL_FETCHED : JOURNAL_SKIPPED, e->url, hops, n) < 0)
        c->stop = 1;
}

static void crawl_journal_seen(struct crawl *c, int nofollow, int depth, const char *url,
                               const char *parent)
{
    if (c->journal && journal_seen(c->journal, nofollow ? JOURNAL_NOFOLLOW : JOURNAL_DISCOVERED,
                                   depth, url, parent) < 0)
        c->stop = 1;
}

static void crawl_emit(struct crawl *c, struct entry *e, struct page_result *pr, const char *reason,
                       const char *error)
{
    struct output_record r = {0};
    r.seq = e->seq;
    r.url = e->url;
    r.final_url = !pr ? e->url : pr->final_url ? pr->final_url : pr->cur_url;
    r.depth = e->depth;
    r.parent = e->parent;
    r.reason = reason;
    r.error = error;
    if (pr) {
        if (pr->resp) {
            r.status = pr->resp->status;
            r.content_type = pr->resp->content_type;
            r.bytes = pr->resp->bytes;
            r.fetch_ms = pr->resp->ms;
        }
        r.error = pr->error;
        r.reason = pr->reason;
        r.hops = pr->hops;
        r.nhops = pr->nhops;
        if (pr->parsed) {
            r.page = &pr->page;
            r.external = pr->external;
        }
        c->st->bytes += r.bytes;
    }
    if (r.error)
        c->st->errors++;
    else if (pr) {
        if (r.status >= 200 && r.status < 300)
            c->st->pages_ok++;
        else if (r.status >= 400)
            c->st->http_errors++;
    }
    if (r.reason) {
        c->st->skipped++;
        if (!strncmp(r.reason, "robots", 6))
            c->st->robots_blocked++;
    }
    c->st->records++;
    stats_add(&c->st->detail, r.status, r.content_type, r.error, r.reason);
    if (log_get_level() >= LOG_LEVEL_INFO)
        log_info("%s %ld %s%s", r.url, r.status, r.error ? r.error : "", r.reason ? r.reason : "");
    if (output_write(c->out, &r) < 0) {
        c->stop = 1;
        return;
    }
    if (c->journal && !(r.error && !strcmp(r.error, "interrupted")))
        crawl_journal_done(c, e, pr);
}

/* Write held records whose depth became final (all of them with `all`),
 * lowest depth first; each costs O(1) in the number held. */
static void crawl_settle_held(struct crawl *c, int all)
{
    struct entry *e;
    while ((e = frontier_next_final(&c->fr, all))) {
        struct page_result *pr = e->held;
        e->held = NULL;
        crawl_emit(c, e, pr, NULL, NULL);
        frontier_finish(&c->fr, e);
        crawl_result_free(pr);
    }
}

static void crawl_settle(struct crawl *c)
{
    crawl_settle_held(c, 0);
}

/* A URL decided without a fetch. Its record is written like a page's:
 * held while a shorter path may still appear. */
static void crawl_skip_hold(struct crawl *c, struct entry *e, const char *reason, const char *error)
{
    struct page_result *pr = xcalloc(1, sizeof *pr);
    pr->kind = PAGE_KIND_PAGE;
    pr->e = e;
    pr->cur_url = e->url;
    pr->reason = reason;
    pr->error = error;
    crawl_write_or_hold(c, pr);
}

void crawl_skip(struct crawl *c, struct entry *e, const char *reason, const char *error)
{
    crawl_skip_hold(c, e, reason, error);
    crawl_settle(c);
}

/* Write pr's record now if its depth is final, else hold it. Never
 * settles other records: safe in the middle of a link expansion. */
static void crawl_write_or_hold(struct crawl *c, struct page_result *pr)
{
    struct entry *e = pr->e;
    if (frontier_depth_final(&c->fr, e)) {
        crawl_emit(c, e, pr, NULL, NULL);
        frontier_finish(&c->fr, e);
        crawl_result_free(pr);
    } else {
        /* Held: keep only what the record needs. The body and the raw
         * exchange were archived already (or were never kept). */
        struct fetch_response *r = pr->resp;
        if (r) {
            free(r->body);
            free(r->req_head);
            free(r->resp_head);
            free(r->remote_ip);
            free(r->location);
            free(r->retry_after);
            free(r->effective_url);
            r->body = r->req_head = r->resp_head = r->remote_ip = NULL;
            r->location = r->retry_after = r->effective_url = NULL;
        }
        e->held = pr;
        frontier_pend(&c->fr, e);
    }
}

void crawl_complete(struct crawl *c, struct page_result *pr)
{
    if (pr->parsed) {
        crawl_expand(c, pr->e, pr);
        archive_links(c, pr);
    }
    crawl_write_or_hold(c, pr);
    crawl_settle(c);
}

struct host *crawl_host_of(struct crawl *c, const char *url)
{
    size_t hl;
    const char *name = scope_host(url, &hl);
    struct host *h = host_get(&c->hosts, name ? name : "", name ? hl : 0);
    if (!h->origin) {
        struct url_view v;
        size_t n = url_split(url, &v) == 0 ? (size_t)(v.path - url) : strlen(url);
        h->origin = xmemdup0(url, n); /* scheme://host[:port] */
        if (!name)
            h->robots_state = HOST_ROBOTS_READY; /* file: URLs have no robots.txt */
    }
    return h;
}

static void crawl_push(struct crawl *c, const char *url, const char *parent, int depth,
                       uint32_t seq)
{
    struct host *h = crawl_host_of(c, url);
    host_push(&c->hosts, h, depth, seq, url, parent);
    c->queued++;
    sched_update(c, h);
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
    crawl_push(c, url, parent, depth, seq);
}

/* The next URL of h to fetch: its live entry (ACTIVE), or NULL when the
 * host's queues hold nothing current. */
struct entry *crawl_pop(struct crawl *c, struct host *h)
{
    struct queue_item it;
    int depth;
    while (host_pop(&c->hosts, h, &depth, &it)) {
        c->queued--;
        uint64_t fp = seen_fp(it.url, it.url_len);
        struct entry *e =
            frontier_take(&c->fr, fp, depth, it.seq, it.url, it.url_len, it.parent, it.parent_len);
        if (e) {
            e->host = h;
            return e;
        }
    }
    return NULL;
}

static void crawl_set_parent(struct entry *x, const char *parent)
{
    free(x->parent);
    x->parent = parent ? xstrdup(parent) : NULL;
}

/* A shorter path to url (in state `st` at depth `old`) was found: move it
 * to depth d. */
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
static void crawl_classify(struct crawl *c, struct page_result *pr)
{
    const struct html_page *p = &pr->page;
    if (pr->external || !p->nlinks)
        return;
    int page_nofollow = c->opt->robots && (crawl_has_token(p->meta_robots, "nofollow") ||
                                           crawl_has_token(p->meta_robots, "none"));
    pr->external = xmalloc(p->nlinks);
    for (size_t i = 0; i < p->nlinks; i++) {
        int nofollow =
            page_nofollow || (c->opt->robots && crawl_has_token(p->links[i].rel, "nofollow"));
        int external = !scope_check(c->scope, p->links[i].url, NULL);
        pr->external[i] = (unsigned char)((external ? OUTPUT_LINK_EXTERNAL : 0) |
                                          (nofollow ? OUTPUT_LINK_NOFOLLOW : 0));
    }
}

/* One in-scope link target of e (NULL for a start) at depth nd. */
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

static void crawl_expand(struct crawl *c, struct entry *e, struct page_result *pr)
{
    const struct html_page *p = &pr->page;
    int nd = e->depth + 1;
    crawl_classify(c, pr);
    if (nd > c->opt->depth)
        return;
    for (size_t i = 0; i < p->nlinks; i++)
        if (!(pr->external[i] & OUTPUT_LINK_EXTERNAL))
            crawl_discover(c, e, p->links[i].url, nd, pr->external[i] & OUTPUT_LINK_NOFOLLOW);
}

void crawl_start_transfer(struct crawl *c, struct page_result *pr, struct host *h)
{
    const char *root = NULL;
    scope_check(c->scope, pr->cur_url, &root);
    static const struct fetch_req sitemap_req = {.keep_any = 1};
    const struct fetch_req *req = pr->kind == PAGE_KIND_ROBOTS    ? &sched_robots_req
                                  : pr->kind == PAGE_KIND_SITEMAP ? &sitemap_req
                                                                  : NULL;
    fetch_response_free(pr->resp);
    pr->resp = NULL;
    pr->host = h;
    pr->attempts++;
    h->active++;
    c->active++;
    if (fetch_start(c->fetch, pr->cur_url, root, pr, req) < 0) {
        /* libcurl refused the handle: report it like a failed transfer */
        struct fetch_response *r = xcalloc(1, sizeof *r);
        r->owner = pr;
        r->err = FETCH_ERR_TRANSPORT;
        pr->resp = r;
        sched_release(c, h);
        if (pr->kind == PAGE_KIND_ROBOTS) {
            sched_on_robots(c, pr);
        } else if (pr->kind == PAGE_KIND_SITEMAP) {
            crawl_result_free(pr);
        } else {
            pr->error = "transport";
            crawl_complete(c, pr);
        }
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
        if (err == POOL_ERR_NO_WORKERS)
            c->st->parse_gave_up++;
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
 * scheme, a loop, too many hops, a scope rule) final_url names the target.
 * Returns 1 when the chain goes on (pr is parked on the target's host). */
static int crawl_redirect(struct crawl *c, struct page_result *pr)
{
    struct fetch_response *r = pr->resp;
    char *target = NULL;
    int rc = url_resolve(pr->cur_url, r->location, strlen(r->location), &target);
    if (rc == URL_ERR_SCHEME) {
        /* ftp:, mailto:... never followed: the chain ends pointing there. */
        size_t n = strlen(r->location);
        while (n && (r->location[n - 1] == ' ' || r->location[n - 1] == '\t'))
            n--;
        target = xmemdup0(r->location, n);
    } else if (rc != URL_OK) {
        pr->error = "bad_redirect";
        return 0;
    }
    pr->hops = xrealloc(pr->hops, (pr->nhops + 1) * sizeof *pr->hops);
    pr->hops[pr->nhops].url = xstrdup(pr->cur_url);
    pr->hops[pr->nhops].status = r->status;
    pr->nhops++;
    int from_file = !strncmp(pr->cur_url, "file:", 5);
    int to_file = !strncmp(target, "file:", 5);
    const char *why = NULL;
    uint64_t fp = 0;
    int depth;
    if (rc == URL_ERR_SCHEME) {
        /* not ours to fetch */
    } else if (crawl_in_chain(pr, target)) {
        pr->error = "redirect_loop";
    } else if (frontier_lookup(&c->fr, target, &fp, &depth) != SEEN_NONE || from_file != to_file ||
               !scope_check(c->scope, target, NULL)) {
        /* It has its own record, or is not ours to fetch: stop here. */
    } else if (pr->nhops > (size_t)c->opt->max_redirects) {
        pr->error = "too_many_redirects";
    } else if ((why = scope_rule(c->scope, target))) {
        pr->reason = why;
    } else {
        frontier_add_done(&c->fr, fp);
        free(pr->own_url); /* the previous hop's URL, copied into hops */
        pr->own_url = target;
        pr->cur_url = target;
        pr->attempts = 0;
        /* pr->resp (the 3xx) stays until the hop starts: a chain that ends
         * before that reports it. */
        sched_park(c, crawl_host_of(c, target), pr);
        return 1;
    }
    pr->final_url = target;
    return 0;
}

/* Phase 5a: a transfer finished. */
static void crawl_on_fetched(struct crawl *c, struct fetch_response *r, int64_t now)
{
    struct page_result *pr = r->owner;
    sched_release(c, pr->host);
    c->st->fetched++;
    pr->resp = r;
    if (c->io->warc)
        archive_transfer(c, pr);
    if (pr->kind == PAGE_KIND_ROBOTS) {
        sched_on_robots(c, pr);
        return;
    }
    if (sched_retry(c, pr, now))
        return;
    if (!r->err && r->status < 500 && r->status != 429)
        sched_success(pr->host);
    if (pr->kind == PAGE_KIND_SITEMAP) {
        crawl_on_sitemap(c, pr);
        crawl_result_free(pr);
        return;
    }
    if (r->err) {
        pr->error = fetch_err_code(r->err);
        if (r->err != FETCH_ERR_TOO_LARGE)
            r->status = 0; /* nothing trustworthy was received */
        log_debug("%s: %s", pr->cur_url, pr->error);
    } else if (r->status >= 300 && r->status < 400 && r->location) {
        if (crawl_redirect(c, pr))
            return;
    } else if (r->is_html && r->body && r->status >= 200 && r->status < 300) {
        /* Only real pages are parsed: an error page's links are not the
         * site's (the body still counts in bytes). */
        crawl_backlog_push(c, pr);
        return;
    }
    crawl_complete(c, pr);
}

static int crawl_alive(const struct crawl *c)
{
    if (c->stop)
        return 0;
    if (c->cut)
        return c->active || fetch_in_flight(c->fetch); /* the pool's jobs were dropped */
    int busy = c->active || c->nbacklog || pool_pending(c->pool) || fetch_in_flight(c->fetch);
    if (c->signo)
        return busy; /* interrupted: queued URLs stay for --resume */
    return busy || c->queued || c->parked;
}

void crawl_seed(struct crawl *c, const char *url)
{
    crawl_discover(c, NULL, url, 0, 0);
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
            seed_host(c, h);
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
    if (c->sig_fd >= 0) {
        wfds[nall].fd = c->sig_fd;
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
    int64_t ready = c->signo ? -1 : sched_wait_ms(c, now); /* nothing starts now */
    if (ready >= 0 && ready < wait)
        wait = ready;
    if (c->signo && !c->cut && c->grace_end - now < wait)
        wait = c->grace_end - now;
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
        stop_on_signal(c, sig_take(c->sig_fd), clock_ms());
    pool_service(c->pool, pfds, n, clock_ms(), crawl_on_parsed, c);
    return 0;
}

/* URLs seen only through nofollow links get their record at the end. */
static void crawl_flush_nofollow(struct crawl *c)
{
    struct entry *e;
    while ((e = frontier_any_nofollow(&c->fr))) {
        crawl_emit(c, e, NULL, "nofollow", NULL);
        frontier_finish(&c->fr, e);
    }
}

static void crawl_free_parked(struct crawl *c)
{
    for (struct host *h = c->hosts.first; h; h = h->next_all) {
        while (h->parked_head) {
            struct page_result *pr = h->parked_head;
            h->parked_head = pr->next;
            crawl_result_free(pr);
        }
    }
}

static void crawl_tick(struct crawl *c)
{
    struct crawl_progress p = {
        .st = c->st,
        .queued = c->queued,
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
            struct page_result *owner = r->owner;
            fetch_response_free(owner->resp);
            owner->resp = r;
            crawl_result_free(owner);
        }
    }
    while (c->backlog) {
        struct page_result *pr = c->backlog;
        c->backlog = pr->next;
        crawl_result_free(pr);
    }
    struct page_result *pr, *tmp;
    HASH_ITER(hh, c->jobs, pr, tmp)
    {
        HASH_DEL(c->jobs, pr);
        crawl_result_free(pr);
    }
    struct entry *e, *etmp;
    HASH_ITER(hh, c->fr.live, e, etmp)
    {
        crawl_result_free(e->held);
        e->held = NULL;
    }
    crawl_free_parked(c);
    for (size_t i = 0; i < c->nsitemap_urls; i++)
        free(c->sitemap_urls[i]);
    free(c->sitemap_urls);
    fetch_destroy(c->fetch);
    host_table_free(&c->hosts);
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
    c.opt = opt;
    c.scope = scope;
    c.pool = io->pool;
    c.out = io->out;
    c.sig_fd = io->sig_fd;
    c.io = io;
    c.st = stats;
    c.backlog_cap = (size_t)opt->workers * 2 + 2;
    *signo = 0;
    frontier_init(&c.fr, opt->depth);
    host_table_init(&c.hosts, opt->depth, opt->frontier_memory, opt->frontier_dir);
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
        if (!c.signo)
            sched_fill(&c, now);
        else if (now >= c.grace_end && !c.cut)
            stop_cut(&c);
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
    if (c.signo && !c.stop)
        stop_interrupt_parked(&c);
    /* Records still held wait only for each other now, or, after a signal,
     * for URLs that will not be fetched in this run: write them all. */
    if (!c.stop)
        crawl_settle(&c);
    if (!c.stop && c.signo)
        crawl_settle_held(&c, 1);
    if (!c.stop && !c.signo)
        crawl_flush_nofollow(&c);
    if (c.stop)
        rc = CRAWL_END_OUTPUT;
    else if (c.signo)
        rc = CRAWL_END_INTERRUPTED;
    *signo = c.signo;
out:
    crawl_cleanup(&c);
    return rc;
}
