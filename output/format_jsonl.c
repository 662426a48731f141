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
#include <string.h>

#define FORMAT_JSONL_RECORD_MAX (256u * 1024 * 1024)

/* The media type of a Content-Type value, lowercased, into b as JSON. */
static int format_jsonl_media_type(struct buf *b, const char *ct)
{
    char mt[128];
    size_t n = format_text_media_type(ct, mt, sizeof mt);
    return n ? json_put_strn(b, mt, n) : buf_append(b, "null", 4);
}

/* Copy a string literal to d and step past it. */
#define FORMAT_JSONL_LIT(d, lit)                                                                   \
    ((d) = (char *)memcpy((d), (lit), sizeof(lit) - 1) + sizeof(lit) - 1)

/* One link object, written in place after one reserve: records carry ~100
 * links each, and this is the bulk of what crawl writes. */
int format_jsonl_link(struct buf *b, const struct html_link *l, unsigned char fl, int first)
{
    const char *text = l->text ? l->text : "";
    size_t lu = strlen(l->url), lt = strlen(l->tag), la = strlen(l->attr);
    size_t lr = l->rel ? strlen(l->rel) : 0, lx = strlen(text);
    const char *why = html_unusable_name(l->unusable);
    size_t lw = why ? strlen(why) : 0;
    if (buf_reserve(b, 160 + JSON_ESCAPED_MAX(lu + lt + la + lr + lx + lw)) < 0)
        return BUF_ERR_CAP;
    char *d = b->data + b->len;
    if (first)
        FORMAT_JSONL_LIT(d, "{\"url\":");
    else
        FORMAT_JSONL_LIT(d, ",{\"url\":");
    d += json_escape_to(d, l->url, lu);
    FORMAT_JSONL_LIT(d, ",\"tag\":");
    d += json_escape_to(d, l->tag, lt);
    FORMAT_JSONL_LIT(d, ",\"attr\":");
    d += json_escape_to(d, l->attr, la);
    FORMAT_JSONL_LIT(d, ",\"rel\":");
    if (l->rel)
        d += json_escape_to(d, l->rel, lr);
    else
        FORMAT_JSONL_LIT(d, "null");
    FORMAT_JSONL_LIT(d, ",\"text\":");
    d += json_escape_to(d, text, lx);
    if (fl & OUTPUT_LINK_EXTERNAL)
        FORMAT_JSONL_LIT(d, ",\"external\":true");
    else
        FORMAT_JSONL_LIT(d, ",\"external\":false");
    if (fl & OUTPUT_LINK_NOFOLLOW)
        FORMAT_JSONL_LIT(d, ",\"nofollow\":true");
    else
        FORMAT_JSONL_LIT(d, ",\"nofollow\":false");
    FORMAT_JSONL_LIT(d, ",\"unusable\":");
    if (why)
        d += json_escape_to(d, why, lw);
    else
        FORMAT_JSONL_LIT(d, "null");
    FORMAT_JSONL_LIT(d, "}");
    b->len = (size_t)(d - b->data);
    b->data[b->len] = '\0';
    return 0;
}

static int format_jsonl_links(struct buf *b, const struct output_record *r)
{
    const struct html_page *p = r->page;
    int rc = BUF_APPEND_LIT(b, ",\"links\":[");
    for (size_t i = 0; rc == 0 && p && i < p->nlinks; i++)
        rc = format_jsonl_link(b, &p->links[i], r->external ? r->external[i] : 0, i == 0);
    if (rc == 0)
        rc = BUF_APPEND_LIT(b, "]");
    return rc;
}

/* The record up to its links, with the key: `"links":`. */
static int format_jsonl_head(struct buf *b, const struct output_record *r)
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
    return rc;
}

/* The record after its links. */
static int format_jsonl_tail(struct buf *b, const struct output_record *r)
{
    int rc = buf_printf(b, ",\"links_dropped\":%zu", r->page ? r->page->links_dropped : 0);
    return rc ? rc : BUF_APPEND_LIT(b, "}\n");
}

static int format_jsonl_build(struct buf *b, const struct output_record *r)
{
    int rc = format_jsonl_head(b, r);
    if (rc == 0)
        rc = format_jsonl_links(b, r);
    return rc ? rc : format_jsonl_tail(b, r);
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
    if (r->page && r->page->links_json && format_jsonl_head(b, r) == 0 &&
        BUF_APPEND_LIT(b, ",\"links\":") == 0) {
        /* the links array a worker rendered goes to the sink as it is,
         * between the record's two ends */
        if (format_sink_write(f->sink, b->data, b->len) < 0 ||
            format_sink_write(f->sink, r->page->links_json, r->page->links_json_len) < 0)
            return -1;
        buf_reset(b);
        return format_jsonl_tail(b, r) < 0 ? -1 : format_sink_write(f->sink, b->data, b->len);
    }
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
    .flags = FORMAT_LINKS_JSON,
    .open = format_jsonl_open,
    .record = format_jsonl_record,
    .close = format_jsonl_close,
};
