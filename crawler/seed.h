/* seed: --sitemaps. Which sitemap files to fetch (a host's robots.txt
 * Sitemap: lines and /sitemap.xml, then the entries of sitemap indexes:
 * in scope, never a file: URL, each once, at most SEED_MAX_SITEMAPS per
 * crawl) and what a sitemap body yields: its in-scope <loc>s join the
 * crawl at depth 0, as start URLs would. Sitemaps are read with DTD and
 * entity loading off (parser/sitemap.c). Owns the list of sitemap URLs
 * asked for; the crawl fetches them as transfers of their host. */
#ifndef CRAWL_SEED_H
#define CRAWL_SEED_H

#include <stddef.h>

#include "scope.h"

#define SEED_MAX_SITEMAPS 100

struct robots;
struct seeds;
struct sitemap;

/* A URL to act on: the callee owns url. */
typedef void (*seed_url_fn)(void *ctx, char *url);

struct seeds *seeds_create(const struct scope *scope, seed_url_fn fetch, seed_url_fn start,
                           void *ctx);
void seeds_free(struct seeds *sd);
/* The host at origin is known (robots may be NULL): fetch its sitemaps. */
void seeds_host(struct seeds *sd, const char *origin, const struct robots *robots);
/* The <loc> values of the sitemap file at url (as parsed by a worker;
 * borrowed): index entries are fetched, in-scope URLs start. */
void seeds_found(struct seeds *sd, const char *url, const struct sitemap *sm);

#endif
