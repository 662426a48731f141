/* format_dot: the link graph as a Graphviz digraph. One node per record
 * (attributes status, depth, content_type, error, reason, external=false;
 * failed pages red), one edge per link in document order (tag, attr, rel,
 * text), then, at the end, a node for every link target without a record:
 * off-site ones external=true and dashed, the others (beyond --depth)
 * external=false. Node IDs are the canonical URLs, double-quoted with " \
 * and newlines escaped. Written to a temp file and renamed at close. */
#include "format.h"

#include "format_text.h"
#include "format_urlset.h"
#include "xalloc.h"

#include <stdio.h>
#include <stdlib.h>

#define FORMAT_DOT_LINE_MAX (1u << 20)

struct format_dot {
    struct buf line;
    struct format_urlset nodes; /* every URL named so far */
};

static int format_dot_open(struct format *f)
{
    struct format_dot *d = xcalloc(1, sizeof *d);
    buf_init(&d->line, FORMAT_DOT_LINE_MAX);
    format_urlset_init(&d->nodes);
    f->state = d;
    /* A failed write is remembered by the sink and reported at close. */
    format_sink_puts(f->sink, "digraph crawl {\n");
    return 0;
}

/* `name="value"` with a leading ", " unless first. */
static int format_dot_attr(struct buf *b, int first, const char *name, const char *value)
{
    int rc = buf_printf(b, "%s%s=", first ? "" : ", ", name);
    return rc ? rc : format_text_dot(b, value);
}

static int format_dot_node(struct buf *b, const struct output_record *r)
{
    char mt[128];
    int rc = buf_append_str(b, "  ");
    rc |= format_text_dot(b, r->url);
    rc |= buf_printf(b, " [depth=\"%d\"", r->depth);
    if (r->status)
        rc |= buf_printf(b, ", status=\"%ld\"", r->status);
    if (format_text_media_type(r->content_type, mt, sizeof mt))
        rc |= format_dot_attr(b, 0, "content_type", mt);
    if (r->error)
        rc |= format_dot_attr(b, 0, "error", r->error);
    if (r->reason)
        rc |= format_dot_attr(b, 0, "reason", r->reason);
    rc |= buf_append_str(b, ", external=\"false\"");
    if (r->error || r->status >= 400)
        rc |= buf_append_str(b, ", color=\"red\"");
    rc |= buf_append_str(b, "];\n");
    return rc;
}

static int format_dot_edge(struct buf *b, const char *from, const struct html_link *l)
{
    int rc = buf_append_str(b, "  ");
    rc |= format_text_dot(b, from);
    rc |= buf_append_str(b, " -> ");
    rc |= format_text_dot(b, l->url);
    rc |= buf_append_str(b, " [");
    rc |= format_dot_attr(b, 1, "tag", l->tag);
    rc |= format_dot_attr(b, 0, "attr", l->attr);
    if (l->rel)
        rc |= format_dot_attr(b, 0, "rel", l->rel);
    rc |= format_dot_attr(b, 0, "text", l->text);
    rc |= buf_append_str(b, "];\n");
    return rc;
}

static int format_dot_record(struct format *f, const struct output_record *r)
{
    struct format_dot *d = f->state;
    struct buf *b = &d->line;
    format_urlset_add(&d->nodes, r->url, NULL)->flags |= FORMAT_URLSET_RECORD;
    buf_reset(b);
    if (format_dot_node(b, r) == 0 && format_sink_write(f->sink, b->data, b->len) < 0)
        return -1;
    for (size_t i = 0; r->page && i < r->page->nlinks; i++) {
        const struct html_link *l = &r->page->links[i];
        if (l->unusable)
            continue; /* no URL: only jsonl lists it */
        struct format_urlset_item *t = format_urlset_add(&d->nodes, l->url, NULL);
        if (r->external && (r->external[i] & OUTPUT_LINK_EXTERNAL))
            t->flags |= FORMAT_URLSET_EXTERNAL;
        buf_reset(b);
        if (format_dot_edge(b, r->url, l) == 0 && format_sink_write(f->sink, b->data, b->len) < 0)
            return -1;
    }
    return 0;
}

/* Nodes for the link targets that got no record. */
static int format_dot_targets(struct format *f)
{
    struct format_dot *d = f->state;
    struct buf *b = &d->line;
    for (const struct format_urlset_item *t = d->nodes.head; t; t = t->hh.next) {
        if (t->flags & FORMAT_URLSET_RECORD)
            continue;
        buf_reset(b);
        int rc = buf_append_str(b, "  ");
        rc |= format_text_dot(b, t->url);
        rc |= buf_append_str(b, t->flags & FORMAT_URLSET_EXTERNAL
                                    ? " [external=\"true\", style=\"dashed\"];\n"
                                    : " [external=\"false\"];\n");
        if (rc == 0 && format_sink_write(f->sink, b->data, b->len) < 0)
            return -1;
    }
    return format_sink_puts(f->sink, "}\n");
}

static int format_dot_close(struct format *f, int ok)
{
    struct format_dot *d = f->state;
    if (ok)
        format_dot_targets(f); /* a failure is the sink's, reported by it */
    format_urlset_free(&d->nodes);
    buf_free(&d->line);
    free(d);
    f->state = NULL;
    return 0;
}

const struct format_ops format_dot_ops = {
    .name = "dot",
    .flags = FORMAT_AT_END,
    .open = format_dot_open,
    .record = format_dot_record,
    .close = format_dot_close,
};
