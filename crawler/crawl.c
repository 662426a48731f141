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
    free(pr->hops);
    free(pr->final_url);
    free(pr->own_url);
    free(pr);
}

/* Group commit (journal.h): once a batch is due, push the records written
 * so far to the output, then journal them with the output's position. */
static void crawl_commit(struct crawl *c, int64_t now, int force)
{
    int64_t pos;
    if (!c->journal || c->stop || !journal_commit_due(c->journal, now, force))
        return;
    if (output_commit(c->out, &pos) < 0 || journal_commit(c->journal, pos) < 0)
        c->stop = 1;
}

/* The record of e was handed to the output: journal it with every hop of
 * its chain. A stream (stdout) cannot be cut back on --resume, so there
 * each record is committed at once. */
static void crawl_journal_done(struct crawl *c, const struct entry *e, const struct page_result *pr)
{
    const char **hops = xmalloc(((pr ? pr->nhops : 0) + 1) * sizeof *hops);
    size_t n = 0;
    for (size_t i = 1; pr && i < pr->nhops; i++)
        hops[n++] = pr->hops[i].url;
    if (pr && pr->nhops && !pr->final_url)
        hops[n++] = pr->cur_url; /* the fetched end of the chain */
    int fetched = pr && pr->resp;
    if (journal_done(c->journal, fetched ? JOURNAL_FETCHED : JOURNAL_SKIPPED, e->url, hops, n) < 0)
        c->stop = 1;
    free(hops);
    crawl_commit(c, clock_ms(), output_is_stream(c->out));
}

static void crawl_journal_seen(struct crawl *c, const struct entry *x)
{
    if (c->journal &&
        journal_seen(c->journal, x->state == ENTRY_NOFOLLOW ? JOURNAL_NOFOLLOW : JOURNAL_DISCOVERED,
                     x->depth, x->url, x->parent ? x->parent->url : NULL) < 0)
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
    r.parent = e->parent ? e->parent->url : NULL;
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
                crawl_emit(c, e, pr, NULL, NULL);
                frontier_finish(&c->fr, e);
                crawl_result_free(pr);
                changed = 1;
            }
            e = nx;
        }
    }
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
    e->state = ENTRY_ACTIVE;
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

static void crawl_queue(struct crawl *c, struct entry *x)
{
    if (!x->host)
        x->host = crawl_host_of(c, x->url);
    host_enqueue(x->host, x);
    c->queued++;
    sched_update(c, x->host);
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
    case ENTRY_NOFOLLOW:
        frontier_set_depth(&c->fr, x, d);
        break;
    case ENTRY_PENDING:
        frontier_set_depth(&c->fr, x, d);
        x->parent = parent;
        crawl_journal_seen(c, x);
        crawl_expand(c, x, x->held); /* its children may get closer too */
        return;
    default:
        return; /* written already (or a redirect hop): depth is kept */
    }
    x->parent = parent;
    crawl_journal_seen(c, x);
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

/* One in-scope link target of e at depth nd. */
static void crawl_discover(struct crawl *c, struct entry *e, const char *u, int nd, int nofollow)
{
    struct entry *x = frontier_find(&c->fr, u);
    if (x) {
        if (x->state == ENTRY_NOFOLLOW && !nofollow) {
            /* Followable after all: it joins the crawl. */
            /* Its depth and parent are those of the followable path: the
             * nofollow ones never counted. */
            x->parent = e;
            frontier_follow(&c->fr, x, nd);
            crawl_journal_seen(c, x);
            crawl_queue(c, x);
        } else if (x->depth > nd) {
            crawl_relax(c, x, nd, e);
        }
        return;
    }
    const char *why = scope_rule(c->scope, u);
    if (why) {
        crawl_skip_hold(c, frontier_add(&c->fr, u, e, nd, ENTRY_ACTIVE), why, NULL);
        return;
    }
    x = frontier_add(&c->fr, u, e, nd, nofollow ? ENTRY_NOFOLLOW : ENTRY_QUEUED);
    crawl_journal_seen(c, x);
    if (!nofollow)
        crawl_queue(c, x);
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
    pr->hops[pr->nhops].url = pr->cur_url;
    pr->hops[pr->nhops].status = r->status;
    pr->nhops++;
    int from_file = !strncmp(pr->cur_url, "file:", 5);
    int to_file = !strncmp(target, "file:", 5);
    const char *why = NULL;
    if (rc == URL_ERR_SCHEME) {
        /* not ours to fetch */
    } else if (crawl_in_chain(pr, target)) {
        pr->error = "redirect_loop";
    } else if (frontier_find(&c->fr, target) || from_file != to_file ||
               !scope_check(c->scope, target, NULL)) {
        /* It has its own record, or is not ours to fetch: stop here. */
    } else if (pr->nhops > (size_t)c->opt->max_redirects) {
        pr->error = "too_many_redirects";
    } else if ((why = scope_rule(c->scope, target))) {
        pr->reason = why;
    } else {
        struct entry *x = frontier_add(&c->fr, target, pr->e, pr->e->depth, ENTRY_HOP);
        free(target);
        pr->cur_url = x->url;
        pr->attempts = 0;
        /* pr->resp (the 3xx) stays until the hop starts: a chain that ends
         * before that reports it. */
        sched_park(c, crawl_host_of(c, x->url), pr);
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
        if (frontier_find(&c->fr, starts[i]))
            continue; /* the same start given twice */
        struct entry *e = frontier_add(&c->fr, starts[i], NULL, 0, ENTRY_QUEUED);
        crawl_journal_seen(c, e);
        crawl_queue(c, e);
        /* Without robots.txt there is no Sitemap: line to wait for. */
        if (c->opt->sitemaps && !c->opt->robots && e->host->name[0])
            seed_host(c, e->host);
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
    int64_t commit = c->journal ? journal_commit_wait_ms(c->journal, now) : -1;
    if (commit >= 0 && commit < wait)
        wait = commit;
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
    struct entry *e, *tmp;
    HASH_ITER(hh, c->fr.seen, e, tmp)
    {
        if (e->state == ENTRY_NOFOLLOW) {
            crawl_emit(c, e, NULL, "nofollow", NULL);
            e->state = ENTRY_DONE;
        }
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
    /* Entries hold canonical URLs; anything else is damage: skip it. */
    int ok = url_canonicalize(url, &canon) == URL_OK && !strcmp(canon, url) &&
             (!parent || frontier_find(&c->fr, parent));
    free(canon);
    if (!ok) {
        log_warn("state file: skipping a damaged entry for %s", url);
        return;
    }
    struct entry *x = frontier_find(&c->fr, url);
    if (kind == JOURNAL_DISCOVERED || kind == JOURNAL_NOFOLLOW) {
        if (depth > c->opt->depth)
            return;
        struct entry *p = parent ? frontier_find(&c->fr, parent) : NULL;
        if (!x) {
            x = frontier_add(&c->fr, url, p, depth,
                             kind == JOURNAL_NOFOLLOW ? ENTRY_NOFOLLOW : ENTRY_QUEUED);
            if (kind == JOURNAL_DISCOVERED)
                crawl_queue(c, x);
        } else if (x->state == ENTRY_NOFOLLOW && kind == JOURNAL_DISCOVERED) {
            x->parent = p;
            frontier_follow(&c->fr, x, depth);
            crawl_queue(c, x);
        } else if (depth < x->depth) {
            crawl_relax(c, x, depth, p);
        }
        return;
    }
    /* F or S: the record is in an earlier run's output. */
    if (!x) {
        x = frontier_add(&c->fr, url, NULL, 0, ENTRY_HOP);
    } else if (x->state == ENTRY_QUEUED) {
        host_unqueue(x->host, x);
        c->queued--;
    }
    frontier_finish(&c->fr, x);
    if (kind == JOURNAL_FETCHED)
        c->started++;
    for (size_t i = 0; i < nhops; i++)
        if (!frontier_find(&c->fr, hops[i]))
            frontier_add(&c->fr, hops[i], x, x->depth, ENTRY_HOP);
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
    for (struct entry *e = c->fr.pending.head; e; e = e->next)
        crawl_result_free(e->held);
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
    host_table_init(&c.hosts, opt->depth);
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
        crawl_commit(&c, now, 0);
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
    while (!c.stop && c.signo && c.fr.pending.head) {
        struct entry *e = c.fr.pending.head;
        struct page_result *pr = e->held;
        frontier_unpend(&c.fr, e);
        e->held = NULL;
        crawl_emit(&c, e, pr, NULL, NULL);
        frontier_finish(&c.fr, e);
        crawl_result_free(pr);
    }
    if (!c.stop && !c.signo)
        crawl_flush_nofollow(&c);
    crawl_commit(&c, clock_ms(), 1);
    if (c.stop)
        rc = CRAWL_END_OUTPUT;
    else if (c.signo)
        rc = CRAWL_END_INTERRUPTED;
    *signo = c.signo;
out:
    crawl_cleanup(&c);
    return rc;
}
