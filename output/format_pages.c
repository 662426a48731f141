/* format_pages: one CSV row per record, for spreadsheets:
 *   url,final_url,depth,parent,status,content_type,bytes,fetch_ms,title,
 *   error,reason,links,links_dropped,redirects
 * links is how many links the page has (listed ones), redirects how many
 * responses redirected before final_url; status and content_type are
 * empty when unknown. RFC 4180 quoting, LF line ends, a header row. Written
 * as records come, so it resumes like edges (no second header). */
#include "format.h"

#include "format_text.h"
#include "xalloc.h"

#include <stdlib.h>

#define FORMAT_PAGES_ROW_MAX (1u << 22)

static int format_pages_open(struct format *f)
{
    struct buf *b = xmalloc(sizeof *b);
    buf_init(b, FORMAT_PAGES_ROW_MAX);
    f->state = b;
    if (format_sink_position(f->sink) <= 0)
        format_sink_puts(f->sink, "url,final_url,depth,parent,status,content_type,bytes,fetch_ms,"
                                  "title,error,reason,links,links_dropped,redirects\n");
    return 0;
}

static int format_pages_record(struct format *f, const struct output_record *r)
{
    struct buf *b = f->state;
    char mt[128];
    buf_reset(b);
    int rc = format_text_csv(b, r->url);
    rc |= buf_append_char(b, ',');
    rc |= format_text_csv(b, r->final_url);
    rc |= buf_printf(b, ",%d,", r->depth);
    rc |= format_text_csv(b, r->parent);
    rc |= buf_append_char(b, ',');
    if (r->status)
        rc |= buf_printf(b, "%ld", r->status);
    rc |= buf_append_char(b, ',');
    if (format_text_media_type(r->content_type, mt, sizeof mt))
        rc |= format_text_csv(b, mt);
    rc |= buf_printf(b, ",%llu,%lld,", (unsigned long long)r->bytes, (long long)r->fetch_ms);
    rc |= format_text_csv(b, r->page ? r->page->title : NULL);
    rc |= buf_append_char(b, ',');
    rc |= format_text_csv(b, r->error);
    rc |= buf_append_char(b, ',');
    rc |= format_text_csv(b, r->reason);
    rc |= buf_printf(b, ",%zu,%zu,%zu\n", r->page ? r->page->nlinks : 0,
                     r->page ? r->page->links_dropped : 0, r->nhops);
    if (rc != 0)
        return 0; /* cannot happen: a title and URLs are far below the row cap */
    return format_sink_write(f->sink, b->data, b->len);
}

static int format_pages_close(struct format *f, int ok)
{
    (void)ok;
    buf_free(f->state);
    free(f->state);
    f->state = NULL;
    return 0;
}

const struct format_ops format_pages_ops = {
    .name = "pages",
    .flags = 0,
    .open = format_pages_open,
    .record = format_pages_record,
    .close = format_pages_close,
};
