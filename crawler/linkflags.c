/* linkflags: link classification shared by the parent and the workers. */
#include "linkflags.h"

#include "format.h"
#include "output.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Does the list (meta robots, or a link's rel) hold the token? */
static int link_has_token(const char *list, const char *tok)
{
    size_t n = strlen(tok);
    for (const char *p = list; p && *p;) {
        p += strspn(p, " \t\r\n,");
        size_t l = strcspn(p, " \t\r\n,");
        if (l == n && !strncasecmp(p, tok, n))
            return 1;
        p += l;
    }
    return 0;
}

int link_page_nofollow(const struct link_rules *lr, const struct html_page *p)
{
    return lr->robots &&
           (link_has_token(p->meta_robots, "nofollow") || link_has_token(p->meta_robots, "none"));
}

unsigned char link_flags(const struct link_rules *lr, int page_nofollow, const struct html_link *l,
                         char **folded)
{
    *folded = l->unusable ? NULL : scope_fold(lr->scope, l->url);
    const char *url = *folded ? *folded : l->url;
    int nofollow = page_nofollow || (lr->robots && l->rel && link_has_token(l->rel, "nofollow"));
    int external = l->unusable || !scope_check(lr->scope, url, NULL);
    return (unsigned char)((external ? OUTPUT_LINK_EXTERNAL : 0) |
                           (nofollow ? OUTPUT_LINK_NOFOLLOW : 0));
}

int link_render_json(void *ctx, const struct html_page *page, struct buf *out)
{
    const struct link_rules *lr = ctx;
    int page_nofollow = link_page_nofollow(lr, page);
    int rc = buf_append_char(out, '[');
    for (size_t i = 0; rc == 0 && i < page->nlinks; i++) {
        struct html_link l = page->links[i];
        char *folded;
        unsigned char fl = link_flags(lr, page_nofollow, &l, &folded);
        if (folded)
            l.url = folded;
        rc = format_jsonl_link(out, &l, fl, i == 0);
        free(folded);
    }
    if (rc == 0)
        rc = buf_append_char(out, ']');
    return rc;
}
