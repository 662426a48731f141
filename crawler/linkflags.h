/* linkflags: what each link of a parsed page is to the crawl (off-site,
 * nofollow), from the scope and the robots setting alone, and the worker
 * side of rendering a page's links as the JSONL record's links array.
 *
 * The parent classifies the links of the pages whose links it follows
 * (records.c). For a page at the depth limit whose record is written as
 * JSONL, nothing is followed and the links only go to the output: the
 * parse worker classifies and renders them (link_render_json, a pool
 * render hook), and the parent splices the array into the record. The
 * scope is complete before the workers are forked, so both sides decide
 * alike; test_rendered compares the records both ways. */
#ifndef CRAWL_LINKFLAGS_H
#define CRAWL_LINKFLAGS_H

#include <stddef.h>

#include "buf.h"
#include "html.h"
#include "scope.h"

struct link_rules {
    const struct scope *scope;
    int robots; /* honour rel=nofollow and meta robots */
};

/* Nonzero when the page's meta robots says nofollow (or none) and robots
 * rules apply. */
int link_page_nofollow(const struct link_rules *lr, const struct html_page *p);

/* OUTPUT_LINK_* flags of link l of a page (page_nofollow from the call
 * above). *folded is set to the URL the link stands for when it is not l's
 * own (a directory's index read from disk: dir/), which the caller frees,
 * else NULL. */
unsigned char link_flags(const struct link_rules *lr, int page_nofollow, const struct html_link *l,
                         char **folded);

/* The pool's render hook (pool_config.render_links; ctx is a struct
 * link_rules): the page's links, classified, as the JSONL links array
 * appended to out. 0, or a negative value when out's cap is reached. */
int link_render_json(void *ctx, const struct html_page *page, struct buf *out);

#endif
