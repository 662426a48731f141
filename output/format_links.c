/* format_links: a page's links grouped by target URL, with uthash over
 * items in one reused array (no allocation per link, no copy of the URLs).
 * Knows nothing of any output syntax. */
#include "format_links.h"

#include "uthash.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

struct format_links_item {
    const char *url; /* borrowed from the record */
    size_t first;    /* index of the first link to url */
    UT_hash_handle hh;
};

void format_links_init(struct format_links *g, int all)
{
    memset(g, 0, sizeof *g);
    g->all = all;
}

void format_links_free(struct format_links *g)
{
    free(g->count);
    free(g->items);
    memset(g, 0, sizeof *g);
}

static void format_links_reserve(struct format_links *g, size_t n)
{
    if (n <= g->cap)
        return;
    free(g->count);
    free(g->items);
    g->count = xcalloc(n, sizeof *g->count);
    g->items = xcalloc(n, sizeof *g->items);
    g->cap = n;
}

const unsigned *format_links_group(struct format_links *g, const struct output_record *r)
{
    size_t n = r->page ? r->page->nlinks : 0;
    if (n == 0)
        return NULL;
    format_links_reserve(g, n);
    struct format_links_item *head = NULL, *it;
    for (size_t i = 0; i < n; i++) {
        const char *url = r->page->links[i].url;
        g->count[i] = g->all && !r->page->links[i].unusable ? 1 : 0;
        if (g->all || r->page->links[i].unusable)
            continue; /* an unusable link has no URL to pair */
        HASH_FIND_STR(head, url, it);
        if (it) {
            g->count[it->first]++;
            continue;
        }
        it = &g->items[i];
        it->url = url;
        it->first = i;
        g->count[i] = 1;
        HASH_ADD_KEYPTR(hh, head, it->url, strlen(it->url), it);
    }
    HASH_CLEAR(hh, head); /* frees the buckets; the items are the array's */
    return g->count;
}
