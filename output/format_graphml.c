/* format_graphml: the link graph as GraphML (Gephi, yEd, networkx). Node
 * id = canonical URL; typed keys: status (int), depth (int), content_type
 * (string), title (string), error (string), external (boolean) on nodes;
 * tag, attr, rel, text (string), count (int) on edges. A key without a
 * value (no status, no title) is left out. One node per record, then one
 * per link target without a record (off-site ones external=true), then
 * one edge per (page, target) pair with count = the page's links to the
 * target and the first link's tag, attr, rel and text; with --all-edges
 * one edge per link, duplicates kept, count 1 (networkx reads them as a
 * multigraph). Edges wait in an unnamed temporary file until the nodes are
 * written, so memory stays flat. XML-escaped, with characters XML 1.0
 * forbids dropped. Written to a temp file beside the output and renamed at
 * close. */
#include "format.h"

#include "format_links.h"
#include "format_text.h"
#include "format_urlset.h"
#include "xalloc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FORMAT_GRAPHML_LINE_MAX (1u << 20)

struct format_graphml {
    struct buf line;
    struct format_urlset nodes; /* every URL named so far */
    FILE *edges;                /* spooled <edge> elements */
    struct format_links links;
};

static const char format_graphml_head[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\"\n"
    "    xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"\n"
    "    xsi:schemaLocation=\"http://graphml.graphdrawing.org/xmlns "
    "http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd\">\n"
    "  <key id=\"status\" for=\"node\" attr.name=\"status\" attr.type=\"int\"/>\n"
    "  <key id=\"depth\" for=\"node\" attr.name=\"depth\" attr.type=\"int\"/>\n"
    "  <key id=\"content_type\" for=\"node\" attr.name=\"content_type\" attr.type=\"string\"/>\n"
    "  <key id=\"title\" for=\"node\" attr.name=\"title\" attr.type=\"string\"/>\n"
    "  <key id=\"error\" for=\"node\" attr.name=\"error\" attr.type=\"string\"/>\n"
    "  <key id=\"external\" for=\"node\" attr.name=\"external\" attr.type=\"boolean\"/>\n"
    "  <key id=\"tag\" for=\"edge\" attr.name=\"tag\" attr.type=\"string\"/>\n"
    "  <key id=\"attr\" for=\"edge\" attr.name=\"attr\" attr.type=\"string\"/>\n"
    "  <key id=\"rel\" for=\"edge\" attr.name=\"rel\" attr.type=\"string\"/>\n"
    "  <key id=\"text\" for=\"edge\" attr.name=\"text\" attr.type=\"string\"/>\n"
    "  <key id=\"count\" for=\"edge\" attr.name=\"count\" attr.type=\"int\"/>\n"
    "  <graph id=\"crawl\" edgedefault=\"directed\">\n";

static void format_graphml_fail(struct format *f, const char *what)
{
    if (!f->err[0])
        snprintf(f->err, sizeof f->err, "graphml: %s: %s", what, strerror(errno));
}

static int format_graphml_open(struct format *f)
{
    struct format_graphml *g = xcalloc(1, sizeof *g);
    f->state = g;
    buf_init(&g->line, FORMAT_GRAPHML_LINE_MAX);
    format_urlset_init(&g->nodes);
    format_links_init(&g->links, f->cfg->all_edges);
    g->edges = tmpfile();
    if (!g->edges) {
        format_graphml_fail(f, "cannot create a temporary file for the edges");
        buf_free(&g->line);
        free(g);
        f->state = NULL;
        return -1;
    }
    /* A failed write is remembered by the sink and reported at close. */
    format_sink_puts(f->sink, format_graphml_head);
    return 0;
}

/* <data key="k">value</data>, left out when value is NULL or empty. */
static int format_graphml_data(struct buf *b, const char *key, const char *value)
{
    if (!value || !value[0])
        return 0;
    int rc = buf_printf(b, "<data key=\"%s\">", key);
    rc |= format_text_xml(b, value);
    rc |= buf_append_str(b, "</data>");
    return rc;
}

static int format_graphml_node(struct buf *b, const struct output_record *r)
{
    char mt[128];
    format_text_media_type(r->content_type, mt, sizeof mt);
    int rc = buf_append_str(b, "    <node id=\"");
    rc |= format_text_xml(b, r->url);
    rc |= buf_append_str(b, "\">");
    if (r->status)
        rc |= buf_printf(b, "<data key=\"status\">%ld</data>", r->status);
    rc |= buf_printf(b, "<data key=\"depth\">%d</data>", r->depth);
    rc |= format_graphml_data(b, "content_type", mt);
    rc |= format_graphml_data(b, "title", r->page ? r->page->title : NULL);
    rc |= format_graphml_data(b, "error", r->error);
    rc |= buf_append_str(b, "<data key=\"external\">false</data></node>\n");
    return rc;
}

static int format_graphml_edge(struct buf *b, const char *from, const struct html_link *l,
                               unsigned count)
{
    int rc = buf_append_str(b, "    <edge source=\"");
    rc |= format_text_xml(b, from);
    rc |= buf_append_str(b, "\" target=\"");
    rc |= format_text_xml(b, l->url);
    rc |= buf_append_str(b, "\">");
    rc |= format_graphml_data(b, "tag", l->tag);
    rc |= format_graphml_data(b, "attr", l->attr);
    rc |= format_graphml_data(b, "rel", l->rel);
    rc |= format_graphml_data(b, "text", l->text);
    rc |= buf_printf(b, "<data key=\"count\">%u</data></edge>\n", count);
    return rc;
}

static int format_graphml_record(struct format *f, const struct output_record *r)
{
    struct format_graphml *g = f->state;
    struct buf *b = &g->line;
    format_urlset_add(&g->nodes, r->url, NULL)->flags |= FORMAT_URLSET_RECORD;
    buf_reset(b);
    if (format_graphml_node(b, r) == 0 && format_sink_write(f->sink, b->data, b->len) < 0)
        return -1;
    const unsigned *count = format_links_group(&g->links, r);
    for (size_t i = 0; count && i < r->page->nlinks; i++) {
        const struct html_link *l = &r->page->links[i];
        if (l->unusable)
            continue; /* no URL: only jsonl lists it */
        struct format_urlset_item *t = format_urlset_add(&g->nodes, l->url, NULL);
        if (r->external && (r->external[i] & OUTPUT_LINK_EXTERNAL))
            t->flags |= FORMAT_URLSET_EXTERNAL;
        if (!count[i])
            continue;
        buf_reset(b);
        if (format_graphml_edge(b, r->url, l, count[i]) == 0 &&
            fwrite(b->data, 1, b->len, g->edges) != b->len) {
            format_graphml_fail(f, "writing the temporary edge file failed");
            return -1;
        }
    }
    return 0;
}

/* Nodes for targets without a record, the spooled edges, the footer. */
static int format_graphml_finish(struct format *f)
{
    struct format_graphml *g = f->state;
    struct buf *b = &g->line;
    for (const struct format_urlset_item *t = g->nodes.head; t; t = t->hh.next) {
        if (t->flags & FORMAT_URLSET_RECORD)
            continue;
        buf_reset(b);
        int rc = buf_append_str(b, "    <node id=\"");
        rc |= format_text_xml(b, t->url);
        rc |= buf_printf(b, "\"><data key=\"external\">%s</data></node>\n",
                         t->flags & FORMAT_URLSET_EXTERNAL ? "true" : "false");
        if (rc == 0 && format_sink_write(f->sink, b->data, b->len) < 0)
            return -1;
    }
    if (fflush(g->edges) != 0 || fseek(g->edges, 0, SEEK_SET) != 0) {
        format_graphml_fail(f, "writing the temporary edge file failed");
        return -1;
    }
    char chunk[1 << 16];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, g->edges)) > 0)
        if (format_sink_write(f->sink, chunk, n) < 0)
            return -1;
    if (ferror(g->edges)) {
        format_graphml_fail(f, "reading the temporary edge file failed");
        return -1;
    }
    return format_sink_puts(f->sink, "  </graph>\n</graphml>\n");
}

static int format_graphml_close(struct format *f, int ok)
{
    struct format_graphml *g = f->state;
    int rc = 0;
    if (ok && format_graphml_finish(f) < 0 && f->err[0])
        rc = -1; /* a sink failure is reported by the sink */
    fclose(g->edges);
    format_links_free(&g->links);
    format_urlset_free(&g->nodes);
    buf_free(&g->line);
    free(g);
    f->state = NULL;
    return rc;
}

const struct format_ops format_graphml_ops = {
    .name = "graphml",
    .flags = FORMAT_AT_END,
    .open = format_graphml_open,
    .record = format_graphml_record,
    .close = format_graphml_close,
};
