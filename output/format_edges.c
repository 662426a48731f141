/* format_edges: the link graph as CSV, one row per (page, target) pair of
 * every parsed page, in the order of each target's first link on the page:
 *   source,target,tag,attr,rel,text,external,depth,status,count
 * tag, attr, rel and text are the first link's; count is how many links
 * the page has to the target. With --all-edges, one row per link in
 * document order, duplicates kept, count 1. RFC 4180 quoting, LF line
 * ends, a header row. depth is the source page's; status is the target's
 * HTTP status when its record was written before the row (always, with
 * --sort: every record is noted first), else empty (also for off-site and
 * unfetched targets). A resumed crawl appends rows to the file, without a
 * second header; its status column only knows the records of its own run. */
#include "format.h"

#include "format_links.h"
#include "format_text.h"
#include "format_urlset.h"
#include "xalloc.h"

#include <stdio.h>
#include <stdlib.h>

#define FORMAT_EDGES_ROW_MAX (1u << 20)

struct format_edges {
    struct buf row;
    struct format_urlset status; /* target URL -> status, from records seen */
    struct format_links links;
};

static int format_edges_open(struct format *f)
{
    struct format_edges *e = xcalloc(1, sizeof *e);
    buf_init(&e->row, FORMAT_EDGES_ROW_MAX);
    format_urlset_init(&e->status);
    format_links_init(&e->links, f->cfg->all_edges);
    f->state = e;
    /* A failed write is remembered by the sink and reported at close. */
    if (format_sink_position(f->sink) <= 0)
        format_sink_puts(f->sink, "source,target,tag,attr,rel,text,external,depth,status,count\n");
    return 0;
}

static void format_edges_note(struct format *f, const struct output_record *r)
{
    struct format_edges *e = f->state;
    if (r->status)
        format_urlset_add(&e->status, r->url, NULL)->status = r->status;
}

static int format_edges_record(struct format *f, const struct output_record *r)
{
    struct format_edges *e = f->state;
    const unsigned *count = format_links_group(&e->links, r);
    for (size_t i = 0; count && i < r->page->nlinks; i++) {
        const struct html_link *l = &r->page->links[i];
        if (l->unusable || !count[i])
            continue; /* unusable: no URL (only jsonl lists it); 0: not a pair's first */
        struct buf *b = &e->row;
        buf_reset(b);
        int rc = format_text_csv(b, r->url);
        rc |= buf_append_char(b, ',');
        rc |= format_text_csv(b, l->url);
        rc |= buf_append_char(b, ',');
        rc |= format_text_csv(b, l->tag);
        rc |= buf_append_char(b, ',');
        rc |= format_text_csv(b, l->attr);
        rc |= buf_append_char(b, ',');
        rc |= format_text_csv(b, l->rel);
        rc |= buf_append_char(b, ',');
        rc |= format_text_csv(b, l->text);
        rc |= buf_printf(b, ",%s,%d,",
                         r->external && (r->external[i] & OUTPUT_LINK_EXTERNAL) ? "true" : "false",
                         r->depth);
        const struct format_urlset_item *t = format_urlset_find(&e->status, l->url);
        if (t)
            rc |= buf_printf(b, "%ld", t->status);
        rc |= buf_printf(b, ",%u\n", count[i]);
        if (rc != 0)
            continue; /* cannot happen: fields are capped far below the row cap */
        if (format_sink_write(f->sink, b->data, b->len) < 0)
            return -1;
    }
    return 0;
}

static int format_edges_close(struct format *f, int ok)
{
    (void)ok;
    struct format_edges *e = f->state;
    format_links_free(&e->links);
    format_urlset_free(&e->status);
    buf_free(&e->row);
    free(e);
    f->state = NULL;
    return 0;
}

const struct format_ops format_edges_ops = {
    .name = "edges",
    .flags = 0,
    .open = format_edges_open,
    .note = format_edges_note,
    .record = format_edges_record,
    .close = format_edges_close,
};
