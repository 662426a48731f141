/* robots: robots.txt rules (RFC 9309) for ONE product token, and the
 * Sitemap: lines of the file. Pure functions: no sockets, no file I/O.
 *
 * Matching, as the RFC says: the groups whose user-agent line names our
 * product token (case-insensitively, on the line's own leading product
 * token, so "FooBot/2.1" names "foobot") combine; with none, the "*"
 * groups combine; with none of those either, everything is allowed. The
 * longest matching pattern wins, Allow wins a tie; '*' matches any run of
 * bytes, a final '$' anchors the end. Before comparing, both the pattern
 * and the path have %XX of unreserved characters decoded and other %XX hex
 * uppercased (RFC 9309 2.2.2: "/%7Efoo" matches "/~foo"); the pattern also
 * has raw non-ASCII and other bytes a canonical URL never holds raw
 * percent-encoded. The path is taken as given: pass the canonical URL's.
 * "/robots.txt" is always allowed. Only the first ROBOTS_MAX_BYTES are
 * parsed (a line cut by that limit is dropped).
 *
 * Cost: a question costs O(sum of rule lengths + rules x path length),
 * whatever the wildcards (each '*'-separated piece is found by a linear
 * search). A verdict that took at least ROBOTS_CACHE_MIN_STEPS steps is
 * remembered in a direct-mapped table of ROBOTS_CACHE_SLOTS slots keyed by
 * the path_query as given (hash plus the whole key, compared), so asking
 * again costs a hash and a compare. Paths longer than ROBOTS_CACHE_KEY_MAX
 * are not kept. Memory: none until a verdict is worth keeping, then at most
 * ROBOTS_CACHE_SLOTS x (ROBOTS_CACHE_KEY_MAX + 1 + 32) bytes plus malloc
 * overhead (about 260 KiB) per struct robots, freed by robots_free.
 * robots_allowed thus writes to memory r points to: one struct robots is
 * not for several threads at once. */
#ifndef CRAWL_ROBOTS_H
#define CRAWL_ROBOTS_H

#include <stddef.h>

#define ROBOTS_MAX_BYTES    512000 /* RFC 9309 2.5: at least 500 KiB */
#define ROBOTS_MAX_SITEMAPS 1000   /* Sitemap: lines kept; later ones ignored */
#define ROBOTS_ERR_TOKEN    (-1)   /* no usable product token */

#define ROBOTS_CACHE_SLOTS     64   /* verdicts remembered per struct robots */
#define ROBOTS_CACHE_KEY_MAX   4096 /* longest path_query remembered, bytes */
#define ROBOTS_CACHE_MIN_STEPS 4096 /* cheaper verdicts are recomputed, not kept */

struct robots; /* opaque */

/* Parse len bytes of robots.txt for product_token (letters, '_' and '-'
 * only; anything else, or NULL, matches no group but "*"). Never NULL;
 * the caller frees with robots_free. */
struct robots *robots_parse(const char *txt, size_t len, const char *product_token);
/* Rules for a 4xx robots.txt (everything allowed) and for a 5xx or an
 * unreachable server (everything disallowed but /robots.txt). Caller frees. */
struct robots *robots_allow_all(void);
struct robots *robots_disallow_all(void);

/* 1 if path_query (path + query of the canonical URL, e.g. "/a/b?x=1";
 * NULL or "" mean "/") may be fetched, 0 if not. */
int robots_allowed(const struct robots *r, const char *path_query);
/* Crawl-delay of the matched group(s) in seconds (the largest when several
 * are given), or -1 when none has one. Not capped here. */
double robots_crawl_delay(const struct robots *r);
/* Sitemap: lines of the whole file (all groups, outside groups too), in
 * order, raw values (trimmed, comment removed; not resolved). The strings
 * belong to r. */
size_t robots_sitemap_count(const struct robots *r);
const char *robots_sitemap(const struct robots *r, size_t i);
void robots_free(struct robots *r);

/* Work counters of one struct robots, from its creation on; robots_allowed
 * updates them (through a pointer r holds, so r stays const). For tests and
 * statistics. */
struct robots_stats {
    unsigned long long queries;       /* robots_allowed calls */
    unsigned long long cache_hits;    /* of those, answered from the verdict cache */
    unsigned long long cache_entries; /* verdicts held now (<= ROBOTS_CACHE_SLOTS) */
    unsigned long long steps;         /* work: path and pattern bytes read, compared,
                                         scanned or hashed, plus one per rule tried */
};
void robots_get_stats(const struct robots *r, struct robots_stats *out);

/* The product token of a User-Agent header: its leading run of
 * [A-Za-z_-] ("crawl/0.1.0 (+https://x)" -> "crawl"). Returns 0, or
 * ROBOTS_ERR_TOKEN with out = "" when that run is empty or does not fit in
 * cap bytes with its NUL (a cut token would name another crawler). */
int robots_product_token(const char *user_agent, char *out, size_t cap);

#endif
