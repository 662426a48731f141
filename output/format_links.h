/* format_links: a page's links grouped by target, for the graph writers
 * (edges, dot, graphml, broken): one edge per (source, target) pair, with
 * the number of links behind it, unless --all-edges keeps every link. The
 * first link to a target stands for the pair (its tag, attr, rel, text).
 * Borrows the record's link URLs for the length of one call; owns only its
 * scratch arrays, reused from page to page. */
#ifndef CRAWL_FORMAT_LINKS_H
#define CRAWL_FORMAT_LINKS_H

#include <stddef.h>

#include "output.h"

struct format_links_item;

struct format_links {
    int all;                         /* --all-edges: every link is its own edge */
    size_t cap;                      /* entries in count and items */
    unsigned *count;                 /* [nlinks] see format_links_group */
    struct format_links_item *items; /* the hash of targets, per page */
};

void format_links_init(struct format_links *g, int all);
void format_links_free(struct format_links *g);
/* Group r's links. Returns an array of r->page->nlinks counts, valid until
 * the next call: for the first link to each target, the number of links to
 * that target on the page; 0 for the later ones, which are not written.
 * With all set, every count is 1. NULL when the record has no links. */
const unsigned *format_links_group(struct format_links *g, const struct output_record *r);

#endif
