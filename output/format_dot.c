/* format_dot: the link graph as a Graphviz digraph, meant to be rendered
 * (dot -Tsvg) as well as read by tools. One node per record, then one per
 * link target without a record (off-site ones external=true and dashed,
 * the others, beyond --depth, external=false), then the edges. Node IDs
 * are the canonical URLs, double-quoted with " \ and newlines escaped; the
 * label is short (the path on the start site, host and path elsewhere,
 * cut in the middle past FORMAT_DOT_LABEL_MAX), the full URL is the
 * tooltip (not a URL= link: graphviz 2.43 writes it into SVG unescaped, &
 * and all). Nodes are filled by status class (format_dot_classes,
 * drawn as a legend in the graph label and listed in a comment at the
 * top). One edge per (page, target) pair with count= its links and a
 * wider pen when there are several, or with --all-edges one per link; tag,
 * attr, rel and text are the first link's. Only edges to a page one level
 * deeper rank the graph (the others get constraint=false), so dot's ranks
 * are the crawl depths: without that, a book's "next" links make a chain
 * as long as the book, and dot takes minutes instead of seconds. Edges
 * wait in an unnamed temporary file until every depth is known. Written
 * to a temp file and renamed at close. */
#include "format.h"

#include "format_links.h"
#include "format_spool.h"
#include "format_text.h"
#include "format_urlset.h"
#include "xalloc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FORMAT_DOT_LINE_MAX  (FORMAT_SPOOL_STR_MAX + 4096)
#define FORMAT_DOT_LABEL_MAX 48 /* bytes of a node label, "..." included */

/* The fill of each status class, in the order of the legend. */
enum format_dot_class {
    FORMAT_DOT_2XX,
    FORMAT_DOT_3XX,
    FORMAT_DOT_4XX,
    FORMAT_DOT_5XX,
    FORMAT_DOT_ERROR,     /* a transfer or parse error code */
    FORMAT_DOT_UNFETCHED, /* skipped (a reason), beyond --depth, other status */
    FORMAT_DOT_EXTERNAL,  /* off-site, never fetched */
    FORMAT_DOT_NCLASSES
};

static const struct {
    const char *name, *fill;
} format_dot_classes[FORMAT_DOT_NCLASSES] = {
    {"2xx", "palegreen"}, {"3xx", "lightskyblue"},    {"4xx", "salmon"},     {"5xx", "orange"},
    {"error", "orchid"},  {"unfetched", "lightgrey"}, {"external", "white"},
};

struct format_dot {
    struct buf line;
    struct format_urlset nodes; /* every URL named so far */
    struct format_links links;
    FILE *edges; /* per edge: source depth, target, the line without "];\n" */
    char *site;  /* "scheme://host[:port]" or a file:// directory; NULL: none */
    size_t nsite;
};

/* The part of cfg->site that labels drop: the origin of an http(s) URL
 * (up to the path's '/'), the directory of a file:// URL (through its
 * last '/', which the label keeps). */
static void format_dot_site(struct format_dot *d, const char *site)
{
    const char *p = site ? strstr(site, "://") : NULL;
    if (!p)
        return;
    const char *end = !strncmp(site, "file:", 5) ? strrchr(site, '/') : strchr(p + 3, '/');
    if (!end || end < p + 3)
        return;
    d->nsite = (size_t)(end - site);
    d->site = xmemdup0(site, d->nsite);
}

static enum format_dot_class format_dot_class_of(const struct output_record *r)
{
    if (r->error)
        return FORMAT_DOT_ERROR;
    if (r->reason || r->status < 200 || r->status >= 600)
        return FORMAT_DOT_UNFETCHED;
    return (enum format_dot_class)(FORMAT_DOT_2XX + r->status / 100 - 2);
}

/* A DOT string of at most FORMAT_DOT_LABEL_MAX bytes for url: its path
 * on the start site, else the URL without its scheme. */
static int format_dot_label(struct buf *b, const struct format_dot *d, const char *url)
{
    char cut[FORMAT_DOT_LABEL_MAX + 1];
    const char *s = url, *p;
    if (d->site && !strncmp(url, d->site, d->nsite) && url[d->nsite] == '/')
        s = url + d->nsite;
    else if ((p = strstr(url, "://")) != NULL)
        s = p + 3;
    size_t n = strlen(s);
    if (n > FORMAT_DOT_LABEL_MAX) {
        /* head...tail, each cut on a UTF-8 character boundary */
        size_t head = (FORMAT_DOT_LABEL_MAX - 3) / 2, tail = FORMAT_DOT_LABEL_MAX - 3 - head;
        while (head > 0 && (s[head] & 0xC0) == 0x80)
            head--;
        const char *t = s + n - tail;
        while (*t && (*t & 0xC0) == 0x80)
            t++;
        snprintf(cut, sizeof cut, "%.*s...%s", (int)head, s, t);
        s = cut;
    }
    return format_text_dot(b, s);
}

/* `name="value"` with a leading ", " unless first. */
static int format_dot_attr(struct buf *b, int first, const char *name, const char *value)
{
    int rc = buf_printf(b, "%s%s=", first ? "" : ", ", name);
    return rc ? rc : format_text_dot(b, value);
}

/* "  "URL" [label=..., tooltip=..., class=..., fillcolor=..." */
static int format_dot_node_head(struct buf *b, const struct format_dot *d, const char *url,
                                enum format_dot_class cls)
{
    int rc = buf_append_str(b, "  ");
    rc |= format_text_dot(b, url);
    rc |= buf_append_str(b, " [label=");
    rc |= format_dot_label(b, d, url);
    rc |= format_dot_attr(b, 0, "tooltip", url);
    rc |= buf_printf(b, ", class=\"status-%s\", fillcolor=\"%s\"", format_dot_classes[cls].name,
                     format_dot_classes[cls].fill);
    return rc;
}

static int format_dot_node(struct buf *b, const struct format_dot *d, const struct output_record *r)
{
    char mt[128];
    int rc = format_dot_node_head(b, d, r->url, format_dot_class_of(r));
    rc |= buf_printf(b, ", depth=\"%d\"", r->depth);
    if (r->status)
        rc |= buf_printf(b, ", status=\"%ld\"", r->status);
    if (format_text_media_type(r->content_type, mt, sizeof mt))
        rc |= format_dot_attr(b, 0, "content_type", mt);
    if (r->error)
        rc |= format_dot_attr(b, 0, "error", r->error);
    if (r->reason)
        rc |= format_dot_attr(b, 0, "reason", r->reason);
    rc |= buf_append_str(b, ", external=\"false\"];\n");
    return rc;
}

/* The edge's line without its closing "];\n" (format_dot_edges adds
 * constraint=false when it does not go one level deeper). */
static int format_dot_edge(struct buf *b, const char *from, const struct html_link *l,
                           unsigned count)
{
    int rc = buf_append_str(b, "  ");
    rc |= format_text_dot(b, from);
    rc |= buf_append_str(b, " -> ");
    rc |= format_text_dot(b, l->url);
    rc |= buf_printf(b, " [count=\"%u\"", count);
    if (count > 1)
        rc |= buf_printf(b, ", penwidth=\"%d\"", count < 4 ? 2 : count < 10 ? 3 : 4);
    rc |= format_dot_attr(b, 0, "tag", l->tag);
    rc |= format_dot_attr(b, 0, "attr", l->attr);
    if (l->rel)
        rc |= format_dot_attr(b, 0, "rel", l->rel);
    rc |= format_dot_attr(b, 0, "text", l->text);
    return rc;
}

/* The header: the colours in a comment, defaults, and the legend as an
 * HTML-like graph label (a table, not nodes: tools see only the pages). */
static int format_dot_head(struct format *f)
{
    struct format_dot *d = f->state;
    struct buf *b = &d->line;
    buf_reset(b);
    int rc = buf_append_str(b, "/* crawl link graph. Node fill by status class:");
    for (int i = 0; i < FORMAT_DOT_NCLASSES; i++)
        rc |= buf_printf(b, "%s %s %s", i ? "," : "", format_dot_classes[i].name,
                         format_dot_classes[i].fill);
    rc |= buf_append_str(b, " (dashed). */\ndigraph crawl {\n"
                            "  graph [labelloc=\"t\", label=<<table border=\"0\" "
                            "cellborder=\"1\" cellspacing=\"0\"><tr>");
    for (int i = 0; i < FORMAT_DOT_NCLASSES; i++)
        rc |= buf_printf(b, "<td bgcolor=\"%s\">%s</td>", format_dot_classes[i].fill,
                         format_dot_classes[i].name);
    rc |= buf_append_str(b, "</tr></table>>];\n"
                            "  node [shape=\"box\", style=\"filled\", fontsize=\"10\"];\n");
    return rc ? 0 : format_sink_write(f->sink, b->data, b->len);
}

static void format_dot_fail(struct format *f, const char *what)
{
    if (!f->err[0])
        snprintf(f->err, sizeof f->err, "dot: %s: %s", what, strerror(errno ? errno : EIO));
}

static int format_dot_open(struct format *f)
{
    struct format_dot *d = xcalloc(1, sizeof *d);
    d->edges = tmpfile();
    if (!d->edges) {
        format_dot_fail(f, "cannot create a temporary file for the edges");
        free(d);
        return -1;
    }
    buf_init(&d->line, FORMAT_DOT_LINE_MAX);
    format_urlset_init(&d->nodes);
    format_links_init(&d->links, f->cfg->all_edges);
    format_dot_site(d, f->cfg->site);
    f->state = d;
    /* A failed write is remembered by the sink and reported at close. */
    format_dot_head(f);
    return 0;
}

static int format_dot_record(struct format *f, const struct output_record *r)
{
    struct format_dot *d = f->state;
    struct buf *b = &d->line;
    struct format_urlset_item *it = format_urlset_add(&d->nodes, r->url, NULL);
    it->flags |= FORMAT_URLSET_RECORD;
    it->depth = r->depth;
    buf_reset(b);
    if (format_dot_node(b, d, r) == 0 && format_sink_write(f->sink, b->data, b->len) < 0)
        return -1;
    const unsigned *count = format_links_group(&d->links, r);
    for (size_t i = 0; count && i < r->page->nlinks; i++) {
        const struct html_link *l = &r->page->links[i];
        if (l->unusable)
            continue; /* no URL: only jsonl lists it */
        struct format_urlset_item *t = format_urlset_add(&d->nodes, l->url, NULL);
        if (r->external && (r->external[i] & OUTPUT_LINK_EXTERNAL))
            t->flags |= FORMAT_URLSET_EXTERNAL;
        if (!count[i])
            continue;
        buf_reset(b);
        if (format_dot_edge(b, r->url, l, count[i]) != 0 || b->len >= FORMAT_SPOOL_STR_MAX)
            continue; /* cannot happen: fields are capped far below the line cap */
        if (format_spool_put_u32(d->edges, (uint32_t)r->depth) < 0 ||
            format_spool_put_str(d->edges, l->url) < 0 ||
            format_spool_put_str(d->edges, b->data) < 0) {
            format_dot_fail(f, "writing the temporary edge file failed");
            return -1;
        }
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
        int ext = (t->flags & FORMAT_URLSET_EXTERNAL) != 0;
        buf_reset(b);
        int rc =
            format_dot_node_head(b, d, t->url, ext ? FORMAT_DOT_EXTERNAL : FORMAT_DOT_UNFETCHED);
        rc |= buf_append_str(b, ext ? ", external=\"true\", style=\"filled,dashed\"];\n"
                                    : ", external=\"false\"];\n");
        if (rc == 0 && format_sink_write(f->sink, b->data, b->len) < 0)
            return -1;
    }
    return 0;
}

/* The spooled edges, each closed now that its target's depth is known. */
static int format_dot_edges(struct format *f)
{
    struct format_dot *d = f->state;
    struct buf target, *b = &d->line;
    uint32_t from;
    int rc = 0;
    buf_init(&target, FORMAT_SPOOL_STR_MAX + 1);
    if (fflush(d->edges) != 0 || fseek(d->edges, 0, SEEK_SET) != 0)
        goto bad;
    while (rc == 0 && format_spool_get_u32(d->edges, &from) == 0) {
        if (format_spool_get_str(d->edges, &target) < 0 || format_spool_get_str(d->edges, b) < 0)
            goto bad;
        const struct format_urlset_item *t = format_urlset_find(&d->nodes, target.data);
        int rank = !t || !(t->flags & FORMAT_URLSET_RECORD) || t->depth == (int)from + 1;
        if (buf_append_str(b, rank ? "];\n" : ", constraint=\"false\"];\n") == 0)
            rc = format_sink_write(f->sink, b->data, b->len);
    }
    if (rc == 0 && (ferror(d->edges) || !feof(d->edges)))
        goto bad;
    buf_free(&target);
    return rc < 0 ? -1 : format_sink_puts(f->sink, "}\n");
bad:
    format_dot_fail(f, "reading the temporary edge file failed");
    buf_free(&target);
    return -1;
}

static int format_dot_close(struct format *f, int ok)
{
    struct format_dot *d = f->state;
    int rc = 0;
    if (ok && (format_dot_targets(f) < 0 || format_dot_edges(f) < 0) && f->err[0])
        rc = -1; /* a sink failure is reported by the sink */
    fclose(d->edges);
    format_links_free(&d->links);
    format_urlset_free(&d->nodes);
    buf_free(&d->line);
    free(d->site);
    free(d);
    f->state = NULL;
    return rc;
}

const struct format_ops format_dot_ops = {
    .name = "dot",
    .flags = FORMAT_AT_END,
    .open = format_dot_open,
    .record = format_dot_record,
    .close = format_dot_close,
};
