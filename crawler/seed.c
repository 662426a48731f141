/* seed: --sitemaps. After a host's robots.txt is known, its Sitemap: lines
 * and /sitemap.xml are fetched (as transfers of that host, so they obey its
 * politeness); sitemap indexes are followed, gzipped sitemaps inflated with
 * the same decompressed-size cap, and every in-scope <loc> joins the crawl
 * at depth 0, as a start URL would. Sitemaps are network input: they are
 * parsed in a parse worker (pool_submit_sitemap, parser/sitemap.c with DTD
 * and entity loading off), never in the parent; the URLs come back through
 * seed_on_parsed, the pool's sitemap callback (no hook in crawl.c). */
#include "crawl_int.h"

#include "log.h"
#include "robots.h"
#include "sitemap.h"
#include "url.h"
#include "xalloc.h"

#include <string.h>

#define SEED_MAX_SITEMAPS 100 /* sitemap files fetched per crawl */

/* Park a fetch of the sitemap at url (raw, resolved against base). */
static void seed_fetch(struct crawl *c, const char *base, const char *ref)
{
    char *u = NULL;
    if (url_resolve(base, ref, strlen(ref), &u) != URL_OK)
        return;
    if (!scope_check(c->scope, u, NULL) || !strncmp(u, "file:", 5)) {
        log_info("sitemap %s is out of scope: not fetched", u);
        free(u);
        return;
    }
    for (size_t i = 0; i < c->nsitemap_urls; i++) {
        if (!strcmp(c->sitemap_urls[i], u)) {
            free(u);
            return;
        }
    }
    if (c->nsitemap_urls >= SEED_MAX_SITEMAPS) {
        log_warn("more than %d sitemaps: %s not fetched", SEED_MAX_SITEMAPS, u);
        free(u);
        return;
    }
    c->sitemap_urls = xrealloc(c->sitemap_urls, (c->nsitemap_urls + 1) * sizeof(char *));
    c->sitemap_urls[c->nsitemap_urls++] = xstrdup(u);
    struct page_result *pr = xcalloc(1, sizeof *pr);
    pr->kind = PAGE_KIND_SITEMAP;
    pr->own_url = u;
    pr->cur_url = u;
    sched_park(c, crawl_host_of(c, u), pr);
}

void seed_host(struct crawl *c, struct host *h)
{
    if (h->robots)
        for (size_t i = 0; i < robots_sitemap_count(h->robots); i++)
            seed_fetch(c, h->origin, robots_sitemap(h->robots, i));
    seed_fetch(c, h->origin, "/sitemap.xml");
}

/* The pool's sitemap callback (pool_sitemap_fn): the <loc> values of the
 * sitemap at url, or why there are none. */
static void seed_on_parsed(void *ctx, uint32_t job_id, int err, const char *cause, const char *url,
                           struct sitemap *sm)
{
    struct crawl *c = ctx;
    (void)job_id;
    if (c->cut) { /* after the grace period: a late result is ignored */
        sitemap_free(sm);
        return;
    }
    if (err != POOL_OK) {
        log_warn("sitemap %s could not be read: %s", url, cause ? cause : "unknown");
        return;
    }
    for (size_t i = 0; i < sm->nlocs; i++) {
        if (sm->is_index) {
            seed_fetch(c, url, sm->locs[i]);
            continue;
        }
        char *u = NULL;
        if (url_resolve(url, sm->locs[i], strlen(sm->locs[i]), &u) != URL_OK)
            continue;
        if (scope_check(c->scope, u, NULL))
            crawl_seed(c, u);
        free(u);
    }
    if (sm->dropped)
        log_warn("sitemap %s: %zu URLs beyond the limit ignored", url, sm->dropped);
    sitemap_free(sm);
}

void crawl_on_sitemap(struct crawl *c, struct page_result *pr)
{
    struct fetch_response *r = pr->resp;
    if (pr->kind == PAGE_KIND_ROBOTS) {
        seed_host(c, pr->host);
        return;
    }
    if (r->err || r->status < 200 || r->status >= 300 || !r->body) {
        log_info("sitemap %s: %s", pr->cur_url,
                 r->err ? fetch_err_code(r->err) : "no sitemap there");
        return;
    }
    /* Job ids come from the same counter as pages', so they never clash. */
    if (pool_submit_sitemap(c->pool, c->next_job++, pr->cur_url, r->body, r->body_len,
                            seed_on_parsed, c) < 0) {
        log_warn("sitemap %s: too many sitemaps waiting for a worker: not read", pr->cur_url);
        return;
    }
    r->body = NULL; /* the pool owns it now */
}
