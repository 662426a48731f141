/* record: the record in the making. Owns its strings, hops, parse result
 * and link flags. */
#include "record.h"

#include "fetch.h"
#include "frontier.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

struct record *record_new(struct entry *e)
{
    struct record *r = xcalloc(1, sizeof *r);
    r->e = e;
    return r;
}

void record_free(struct record *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->nhops; i++)
        free((char *)r->hops[i].url);
    free(r->hops);
    free(r->final_url);
    free(r->end_url);
    free(r->content_type);
    html_page_free(&r->page);
    free(r->external);
    free(r);
}

void record_set_response(struct record *r, const struct fetch_response *resp)
{
    free(r->content_type);
    r->content_type = resp->content_type ? xstrdup(resp->content_type) : NULL;
    r->status = resp->status;
    r->bytes = resp->bytes;
    r->fetch_ms = resp->ms;
    r->when = resp->when;
    r->fetched = 1;
}

void record_add_hop(struct record *r, const char *url, long status)
{
    r->hops = xrealloc(r->hops, (r->nhops + 1) * sizeof *r->hops);
    r->hops[r->nhops].url = xstrdup(url);
    r->hops[r->nhops].status = status;
    r->nhops++;
}

void record_view(const struct record *r, struct output_record *out)
{
    const struct entry *e = r->e;
    memset(out, 0, sizeof *out);
    out->seq = e->seq;
    out->url = e->url;
    out->final_url = r->final_url ? r->final_url : r->end_url ? r->end_url : e->url;
    out->depth = e->depth;
    out->parent = e->parent;
    out->status = r->status;
    out->content_type = r->content_type;
    out->bytes = r->bytes;
    out->fetch_ms = r->fetch_ms;
    out->error = r->error;
    out->reason = r->reason;
    out->hops = r->hops;
    out->nhops = r->nhops;
    if (r->parsed) {
        out->page = &r->page;
        out->external = r->external;
    }
}
