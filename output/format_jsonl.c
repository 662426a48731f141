/* format_jsonl: JSON Lines, one record per line (the schema is in
 * README.md). Each record is built whole in a reusable buffer and written
 * with one call, so the file only ever holds complete lines plus at most
 * one torn line if the process is killed mid-write. */
#include "format.h"

#include "buf.h"
#include "format_text.h"
#include "json.h"
#include "log.h"
#include "xalloc.h"

#include <stdlib.h>

#define FORMAT_JSONL_RECORD_MAX (256u * 1024 * 1024)

/* The media type of a Content-Type value, lowercased, into b as JSON. */
static int format_jsonl_media_type(struct buf *b, const char *ct)
{
    char mt[128];
    size_t n = format_text_media_type(ct, mt, sizeof mt);
    return n ? json_put_strn(b, mt, n) : buf_append(b, "null", 4);
}

static int format_jsonl_links(struct buf *b, const struct output_record *r)
{
    int rc = BUF_APPEND_LIT(b, ",\"links\":[");
    const struct html_page *p = r->page;
    for (size_t i = 0; rc == 0 && p && i < p->nlinks; i++) {
        const struct html_link *l = &p->links[i];
        rc |= i ? BUF_APPEND_LIT(b, ",{") : BUF_APPEND_LIT(b, "{");
        rc |= json_put_key(b, "url");
        rc |= json_put_str(b, l->url);
        rc |= BUF_APPEND_LIT(b, ",\"tag\":");
        rc |= json_put_str(b, l->tag);
        rc |= BUF_APPEND_LIT(b, ",\"attr\":");
        rc |= json_put_str(b, l->attr);
        rc |= BUF_APPEND_LIT(b, ",\"rel\":");
        rc |= json_put_str(b, l->rel);
        rc |= BUF_APPEND_LIT(b, ",\"text\":");
        rc |= json_put_str(b, l->text ? l->text : "");
        unsigned char fl = r->external ? r->external[i] : 0;
        rc |= fl & OUTPUT_LINK_EXTERNAL ? BUF_APPEND_LIT(b, ",\"external\":true")
                                        : BUF_APPEND_LIT(b, ",\"external\":false");
        rc |= fl & OUTPUT_LINK_NOFOLLOW ? BUF_APPEND_LIT(b, ",\"nofollow\":true")
                                        : BUF_APPEND_LIT(b, ",\"nofollow\":false");
        rc |= BUF_APPEND_LIT(b, ",\"unusable\":");
        const char *why = html_unusable_name(l->unusable);
        rc |= why ? json_put_str(b, why) : BUF_APPEND_LIT(b, "null");
        rc |= BUF_APPEND_LIT(b, "}");
    }
    if (rc == 0)
        rc = BUF_APPEND_LIT(b, "]");
    return rc;
}

static int format_jsonl_build(struct buf *b, const struct output_record *r)
{
    int rc = 0;
    rc |= BUF_APPEND_LIT(b, "{\"url\":");
    rc |= json_put_str(b, r->url);
    rc |= BUF_APPEND_LIT(b, ",\"final_url\":");
    rc |= json_put_str(b, r->final_url ? r->final_url : r->url);
    rc |= buf_printf(b, ",\"depth\":%d,\"parent\":", r->depth);
    rc |= json_put_str(b, r->parent);
    if (r->status)
        rc |= buf_printf(b, ",\"status\":%ld", r->status);
    else
        rc |= BUF_APPEND_LIT(b, ",\"status\":null");
    rc |= BUF_APPEND_LIT(b, ",\"content_type\":");
    rc |= format_jsonl_media_type(b, r->content_type);
    rc |=
        buf_printf(b, ",\"bytes\":%llu,\"fetch_ms\":%lld,\"title\":", (unsigned long long)r->bytes,
                   (long long)r->fetch_ms);
    rc |= json_put_str(b, r->page ? r->page->title : NULL);
    rc |= BUF_APPEND_LIT(b, ",\"error\":");
    rc |= json_put_str(b, r->error);
    rc |= BUF_APPEND_LIT(b, ",\"reason\":");
    rc |= json_put_str(b, r->reason);
    rc |= BUF_APPEND_LIT(b, ",\"redirects\":[");
    for (size_t i = 0; i < r->nhops; i++) {
        rc |= i ? BUF_APPEND_LIT(b, ",{\"url\":") : BUF_APPEND_LIT(b, "{\"url\":");
        rc |= json_put_str(b, r->hops[i].url);
        rc |= buf_printf(b, ",\"status\":%ld}", r->hops[i].status);
    }
    rc |= BUF_APPEND_LIT(b, "]");
    if (rc == 0)
        rc = format_jsonl_links(b, r);
    rc |= buf_printf(b, ",\"links_dropped\":%zu", r->page ? r->page->links_dropped : 0);
    if (rc == 0)
        rc = BUF_APPEND_LIT(b, "}\n");
    return rc;
}

static int format_jsonl_open(struct format *f)
{
    struct buf *b = xmalloc(sizeof *b);
    buf_init(b, FORMAT_JSONL_RECORD_MAX);
    f->state = b;
    return 0;
}

static int format_jsonl_record(struct format *f, const struct output_record *r)
{
    struct buf *b = f->state;
    buf_reset(b);
    if (format_jsonl_build(b, r) < 0) {
        /* Only a record over 256 MiB can get here; keep the line valid. */
        log_error("record for %s too large to write; links dropped", r->url);
        struct output_record slim = *r;
        slim.page = NULL;
        buf_reset(b);
        if (format_jsonl_build(b, &slim) < 0)
            return 0;
    }
    return format_sink_write(f->sink, b->data, b->len);
}

static int format_jsonl_close(struct format *f, int ok)
{
    (void)ok;
    struct buf *b = f->state;
    buf_free(b);
    free(b);
    f->state = NULL;
    return 0;
}

const struct format_ops format_jsonl_ops = {
    .name = "jsonl",
    .flags = 0,
    .open = format_jsonl_open,
    .record = format_jsonl_record,
    .close = format_jsonl_close,
};
