/* archive: --warc. Hands each complete transfer (an HTTP exchange, or a
 * file read) and each parsed page's outlinks to the WARC writer. Owns
 * nothing: the records' bytes belong to the page_result. A write failure
 * stops the crawl, as an output failure does. */
#include "crawl_int.h"

#include "buf.h"
#include "warc.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

/* --warc: every complete transfer goes into the archive (an exchange, or
 * a resource for a file read); truncated or failed ones do not. */
void archive_transfer(struct crawl *c, struct page_result *pr)
{
    const struct fetch_response *r = pr->resp;
    const char *url = r->effective_url ? r->effective_url : pr->cur_url;
    int rc = 0;
    pr->warc_id[0] = '\0';
    if (r->err != FETCH_OK || r->truncated)
        return;
    if (r->resp_head)
        rc = warc_write_exchange(c->io->warc, url, r->remote_ip, r->when, r->req_head,
                                 r->req_head_len, r->resp_head, r->resp_head_len, r->body,
                                 r->body ? r->body_len : 0, pr->warc_id, sizeof pr->warc_id);
    else if (r->status == 200 && !strncmp(url, "file:", 5))
        rc = warc_write_resource(c->io->warc, url, r->when, r->content_type, r->body,
                                 r->body ? r->body_len : 0, pr->warc_id, sizeof pr->warc_id);
    if (rc < 0)
        c->stop = 1; /* the archive cannot be written: stop, as for the output */
}

/* --warc: the page's outlinks as a metadata record next to its response. */
void archive_links(struct crawl *c, const struct page_result *pr)
{
    const struct html_page *p = &pr->page;
    if (!c->io->warc || !pr->warc_id[0] || !p->nlinks)
        return;
    const char **urls = xmalloc(p->nlinks * sizeof *urls);
    const char **tags = xmalloc(p->nlinks * sizeof *tags);
    struct buf names;
    buf_init(&names, (size_t)1 << 30);
    size_t *off = xmalloc(p->nlinks * sizeof *off);
    for (size_t i = 0; i < p->nlinks; i++) {
        urls[i] = p->links[i].url;
        off[i] = names.len;
        buf_printf(&names, "%s@%s", p->links[i].tag, p->links[i].attr);
        buf_append_char(&names, '\0');
    }
    for (size_t i = 0; i < p->nlinks; i++)
        tags[i] = names.data + off[i];
    if (warc_write_metadata(c->io->warc, pr->cur_url, pr->resp ? pr->resp->when : 0, pr->warc_id,
                            urls, tags, p->nlinks) < 0)
        c->stop = 1;
    buf_free(&names);
    free(off);
    free(tags);
    free(urls);
}
