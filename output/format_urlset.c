/* format_urlset: a uthash set of URLs. Owns its items and their strings. */
#include "format_urlset.h"

#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

void format_urlset_init(struct format_urlset *s)
{
    s->head = NULL;
    s->n = 0;
}

void format_urlset_free(struct format_urlset *s)
{
    struct format_urlset_item *it, *tmp;
    HASH_ITER(hh, s->head, it, tmp)
    {
        HASH_DEL(s->head, it);
        free(it->note);
        free(it->url);
        free(it);
    }
    s->n = 0;
}

struct format_urlset_item *format_urlset_find(const struct format_urlset *s, const char *url)
{
    struct format_urlset_item *it = NULL;
    HASH_FIND_STR(s->head, url, it);
    return it;
}

struct format_urlset_item *format_urlset_add(struct format_urlset *s, const char *url, int *added)
{
    struct format_urlset_item *it = format_urlset_find(s, url);
    if (added)
        *added = it == NULL;
    if (it)
        return it;
    it = xcalloc(1, sizeof *it);
    it->url = xstrdup(url);
    HASH_ADD_KEYPTR(hh, s->head, it->url, strlen(it->url), it);
    s->n++;
    return it;
}
