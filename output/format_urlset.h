/* format_urlset: a set of URLs with a little data each, for writers that
 * must remember what they saw (graph nodes, statuses, failures, sitemap
 * duplicates). Iterates in insertion order: for (it = set.head; it; it =
 * it->hh.next). One entry per distinct URL seen, no cap of its own: it is
 * bounded by the crawl's frontier plus the links the pages listed. */
#ifndef CRAWL_FORMAT_URLSET_H
#define CRAWL_FORMAT_URLSET_H

#include <stddef.h>

#include "uthash.h"

#define FORMAT_URLSET_RECORD   1u /* a record was written for this URL */
#define FORMAT_URLSET_EXTERNAL 2u /* an off-site link target */

struct format_urlset_item {
    char *url; /* owned */
    long status;
    int depth; /* the record's, with FORMAT_URLSET_RECORD */
    unsigned flags;
    char *note; /* owned, or NULL: the writer's (an error code...) */
    UT_hash_handle hh;
};

struct format_urlset {
    struct format_urlset_item *head;
    size_t n;
};

void format_urlset_init(struct format_urlset *s);
void format_urlset_free(struct format_urlset *s);
struct format_urlset_item *format_urlset_find(const struct format_urlset *s, const char *url);
/* The item for url, created zeroed (url copied) when absent; *added says
 * which (added may be NULL). */
struct format_urlset_item *format_urlset_add(struct format_urlset *s, const char *url, int *added);

#endif
