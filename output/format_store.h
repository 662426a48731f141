/* format_store: the records of a --sort crawl, deep-copied (a record's
 * memory is valid only during output_write) and put in a canonical order at
 * close, so that the same site and flags give the same output whatever the
 * concurrency. Memory grows with the crawl: every record and link is kept. */
#ifndef CRAWL_FORMAT_STORE_H
#define CRAWL_FORMAT_STORE_H

#include <stddef.h>

#include "output.h"

struct format_store {
    struct output_record **recs; /* each one allocation, owned */
    size_t n, cap;
};

void format_store_init(struct format_store *st);
/* Keep a deep copy of r. */
void format_store_add(struct format_store *st, const struct output_record *r);
/* Order by (depth, canonical discovery order): start URLs in seq order,
 * then level by level the order in which a sequential breadth-first crawl
 * would discover them (each page's links in document order, pages in this
 * order); records that no page of the previous level links to follow their
 * level's others, by URL. A record reached that way gets as parent the page
 * that discovered it first in this order (a page linking to it at depth-1,
 * as before, but no longer the one that happened to finish first). */
void format_store_order(struct format_store *st);
void format_store_free(struct format_store *st);

#endif
