/* archive: --warc records for transfers and outlinks. Owns nothing. */
#include "archive.h"

#include "buf.h"
#include "warc.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

int archive_transfer(struct warc *w, const char *url, const struct fetch_response *r, char *id,
                     size_t idcap)
{
    if (r->effective_url)
        url = r->effective_url;
    id[0] = '\0';
    if (r->err != FETCH_OK || r->truncated)
        return 0;
    if (r->resp_head)
        return warc_write_exchange(w, url, r->remote_ip, r->when, r->req_head, r->req_head_len,
                                   r->resp_head, r->resp_head_len, r->body,
                                   r->body ? r->body_len : 0, id, idcap);
    if (r->status == 200 && !strncmp(url, "file:", 5))
        return warc_write_resource(w, url, r->when, r->content_type, r->body,
                                   r->body ? r->body_len : 0, id, idcap);
    return 0;
}

int archive_links(struct warc *w, const char *url, int64_t when, const char *refers_to,
                  const struct html_page *p)
{
    if (!refers_to[0] || !p->nlinks)
        return 0;
    const char **urls = xmalloc(p->nlinks * sizeof *urls);
    const char **tags = xmalloc(p->nlinks * sizeof *tags);
    size_t *off = xmalloc(p->nlinks * sizeof *off);
    struct buf names;
    buf_init(&names, (size_t)1 << 30);
    size_t n = 0; /* unusable links (mailto:...) are no outlinks */
    for (size_t i = 0; i < p->nlinks; i++) {
        if (p->links[i].unusable)
            continue;
        urls[n] = p->links[i].url;
        off[n++] = names.len;
        buf_printf(&names, "%s@%s", p->links[i].tag, p->links[i].attr);
        buf_append_char(&names, '\0');
    }
    for (size_t i = 0; i < n; i++)
        tags[i] = names.data + off[i];
    int rc = n ? warc_write_metadata(w, url, when, refers_to, urls, tags, n) : 0;
    buf_free(&names);
    free(off);
    free(tags);
    free(urls);
    return rc;
}
