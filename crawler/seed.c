/* seed: sitemap selection and what a parsed sitemap yields. Calls only the callbacks it was
 * given; never the crawl by name. */
#include "seed.h"

#include "log.h"
#include "robots.h"
#include "sitemap.h"
#include "url.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

struct seeds {
    const struct scope *scope;
    seed_url_fn fetch, start;
    void *ctx;
    char **asked; /* sitemap URLs asked for */
    size_t nasked;
};

struct seeds *seeds_create(const struct scope *scope, seed_url_fn fetch, seed_url_fn start,
                           void *ctx)
{
    struct seeds *sd = xcalloc(1, sizeof *sd);
    sd->scope = scope;
    sd->fetch = fetch;
    sd->start = start;
    sd->ctx = ctx;
    return sd;
}

void seeds_free(struct seeds *sd)
{
    if (!sd)
        return;
    for (size_t i = 0; i < sd->nasked; i++)
        free(sd->asked[i]);
    free(sd->asked);
    free(sd);
}

/* Ask for the sitemap at ref (raw, resolved against base). */
static void seeds_want(struct seeds *sd, const char *base, const char *ref)
{
    char *u = NULL;
    if (url_resolve(base, ref, strlen(ref), &u) != URL_OK)
        return;
    if (!scope_check(sd->scope, u, NULL) || !strncmp(u, "file:", 5)) {
        log_info("sitemap %s is out of scope: not fetched", u);
        free(u);
        return;
    }
    for (size_t i = 0; i < sd->nasked; i++) {
        if (!strcmp(sd->asked[i], u)) {
            free(u);
            return;
        }
    }
    if (sd->nasked >= SEED_MAX_SITEMAPS) {
        log_warn("more than %d sitemaps: %s not fetched", SEED_MAX_SITEMAPS, u);
        free(u);
        return;
    }
    sd->asked = xrealloc(sd->asked, (sd->nasked + 1) * sizeof *sd->asked);
    sd->asked[sd->nasked++] = xstrdup(u);
    sd->fetch(sd->ctx, u);
}

void seeds_host(struct seeds *sd, const char *origin, const struct robots *robots)
{
    if (robots)
        for (size_t i = 0; i < robots_sitemap_count(robots); i++)
            seeds_want(sd, origin, robots_sitemap(robots, i));
    seeds_want(sd, origin, "/sitemap.xml");
}

void seeds_found(struct seeds *sd, const char *url, const struct sitemap *sm)
{
    for (size_t i = 0; i < sm->nlocs; i++) {
        if (sm->is_index) {
            seeds_want(sd, url, sm->locs[i]);
            continue;
        }
        char *u = NULL;
        if (url_resolve(url, sm->locs[i], strlen(sm->locs[i]), &u) != URL_OK)
            continue;
        if (scope_check(sd->scope, u, NULL))
            sd->start(sd->ctx, u);
        else
            free(u);
    }
    if (sm->dropped)
        log_warn("sitemap %s: %zu URLs beyond the limit ignored", url, sm->dropped);
}
