/* html: links, title, <base href> and meta robots from one HTML document.
 * Owns the page's pipeline after html_clean.c has made the bytes safe: one
 * pass over the whole buffer that hands the SAX callbacks below their
 * events, the links resolved (url.c) and kept in an arena, and the
 * html_page view of them. The pass is html_fast.c's tokenizer where it
 * reproduces libxml2's events exactly (most pages, at a fifth of the
 * cost), else libxml2's HTML parser, which stays the reference: the two
 * give the same page (test_html_fast, fuzz_html).
 * A struct html_parser keeps one libxml2 context, the arena and scratch
 * buffers from page to page, so a worker's steady state allocates almost
 * nothing; no other state survives a page. Must not print anything
 * (libxml2's error reporting is silenced) or do I/O.
 *
 * Text is collected only where it is used: the first <title>, the text of
 * the open <a>, alt of <area>/<img>, rel, and meta robots.
 * Raw-text elements: libxml2 parses markup inside <title>, <textarea>,
 * <xmp>, <iframe>, <noembed>, <noframes> and <plaintext>; HTML5 does not,
 * so nothing is extracted inside them (script/style are raw in libxml2). */
#include "html.h"

#include "arena.h"
#include "buf.h"
#include "html_clean.h"
#include "html_fast.h"
#include "html_names.h"
#include "url.h"
#include "xml_silent.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

#include <libxml/HTMLparser.h>
#include <libxml/dict.h>
#include <libxml/xmlerror.h>

#define HTML_TEXT_ROOM   (HTML_TEXT_MAX + 8) /* collected before the final cut */
#define HTML_ROBOTS_MAX  1024
#define HTML_ARENA_BLOCK (64 * 1024)
/* A context whose name dictionary grew past this many names (pages full
 * of made-up tags) is replaced rather than kept growing. */
#define HTML_DICT_MAX 4096
/* Whitespace-collapsed text being collected, cut at HTML_TEXT_ROOM. */
struct html_text {
    size_t len;
    int space; /* a space is due before the next word */
    char data[HTML_TEXT_ROOM];
};

struct html_rec {
    const char *ref; /* arena: the raw value until resolved, then the URL
                        (or the reference as written, when unusable) */
    size_t ref_len;
    int resolved;
    int unusable;           /* enum html_unusable */
    const char *tag, *attr; /* static strings */
    const char *rel;        /* arena, or NULL */
    const char *text;       /* arena; NULL while an <a> collects it */
};

struct html_parser {
    htmlParserCtxtPtr ctxt; /* reused across pages (htmlCtxtReadMemory resets it) */
    struct html_clean clean;
    struct html_fast fast; /* the tokenizer tried first (html_fast.h) */
    int mode;              /* enum html_parser_mode */
    int was_fast;          /* the last page was html_fast's */
    struct arena arena;    /* this page's strings */
    struct url_base *page_base, *doc_base;
    struct html_rec *recs;
    size_t nrecs, cap;
    struct html_link *links; /* the view's array, kept across pages */
    size_t links_cap;
    struct buf robots;
    struct html_page page;
    /* per page */
    size_t max_links, dropped;
    long open_a;   /* rec collecting the text of the open <a>, or -1 */
    int raw_depth; /* open raw-text elements */
    int pending;   /* a <base> may still come: links wait unresolved */
    int base_seen, robots_seen;
    const char *base; /* arena: canonical <base href>, or NULL */
    int title_seen, in_title;
    struct html_text title, a_text;
};

/* ---- text collection ---- */

static int html_is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r';
}

/* Append s with ASCII whitespace runs collapsed to one space and no
 * leading space; stops quietly once t is full. */
static void html_text_add(struct html_text *t, const char *s, size_t n)
{
    size_t i = 0;
    while (i < n && t->len < HTML_TEXT_ROOM) {
        if (html_is_space((unsigned char)s[i])) {
            if (t->len)
                t->space = 1;
            i++;
            continue;
        }
        size_t j = i;
        while (j < n && !html_is_space((unsigned char)s[j]))
            j++;
        if (t->space) {
            t->data[t->len++] = ' ';
            t->space = 0;
        }
        size_t room = HTML_TEXT_ROOM - t->len;
        size_t k = j - i < room ? j - i : room;
        memcpy(t->data + t->len, s + i, k);
        t->len += k;
        i = j;
    }
}

/* t cut to HTML_TEXT_MAX bytes on a UTF-8 boundary, without trailing
 * spaces, copied into the arena ("" when empty); t is emptied. */
static const char *html_text_finish(struct html_parser *p, struct html_text *t)
{
    size_t n = t->len;
    if (n > HTML_TEXT_MAX) {
        n = HTML_TEXT_MAX;
        while (n > 0 && ((unsigned char)t->data[n] & 0xC0) == 0x80)
            n--;
    }
    while (n > 0 && t->data[n - 1] == ' ')
        n--;
    t->len = 0;
    t->space = 0;
    return n ? arena_memdup0(&p->arena, t->data, n) : "";
}

static const char *html_collapse(struct html_parser *p, const char *s)
{
    struct html_text t;
    t.len = 0;
    t.space = 0;
    html_text_add(&t, s, strlen(s));
    return html_text_finish(p, &t);
}

/* ---- links ---- */

const char *html_unusable_name(int code)
{
    static const char *const names[] = {NULL, "empty", "scheme", "bad_url", "bad_host", "too_long"};
    return code > 0 && code <= HTML_UNUSABLE_LAST ? names[code] : NULL;
}

/* enum html_unusable for a url_resolve error. */
static int html_unusable_of(int rc)
{
    switch (rc) {
    case URL_ERR_EMPTY:
        return HTML_UNUSABLE_EMPTY;
    case URL_ERR_SCHEME:
        return HTML_UNUSABLE_SCHEME;
    case URL_ERR_HOST:
        return HTML_UNUSABLE_BAD_HOST;
    case URL_ERR_TOO_LONG:
        return HTML_UNUSABLE_TOO_LONG;
    default:
        return HTML_UNUSABLE_BAD_URL;
    }
}

/* The reference as written, for an unusable link: trimmed of ASCII
 * whitespace and controls, cut at HTML_REF_MAX on a UTF-8 boundary. */
static const char *html_ref_as_written(struct html_parser *p, const char *ref, size_t n)
{
    while (n > 0 && (unsigned char)*ref <= 0x20)
        ref++, n--;
    while (n > 0 && (unsigned char)ref[n - 1] <= 0x20)
        n--;
    if (n > HTML_REF_MAX) {
        n = HTML_REF_MAX;
        while (n > 0 && ((unsigned char)ref[n] & 0xC0) == 0x80)
            n--;
    }
    return arena_memdup0(&p->arena, ref, n);
}

/* Give r its outcome from a resolution: rc and the URL (url_len bytes). */
static void html_settle(struct html_parser *p, struct html_rec *r, int rc, const char *url,
                        size_t url_len)
{
    if (rc != 0) {
        r->unusable = html_unusable_of(rc);
        r->ref = html_ref_as_written(p, r->ref, r->ref_len);
    } else {
        r->ref = arena_memdup0(&p->arena, url, url_len);
    }
    r->ref_len = 0;
    r->resolved = 1;
}

/* Resolve r against the base in effect (r->ref becomes the URL, or the
 * reference as written with r->unusable set). 0 if r is kept, -2 if over
 * max_links (counted). */
static int html_resolve(struct html_parser *p, struct html_rec *r, size_t kept)
{
    const char *url;
    size_t url_len;
    if (kept >= p->max_links) {
        p->dropped++;
        return -2;
    }
    int rc =
        url_base_resolve(p->base ? p->doc_base : p->page_base, r->ref, r->ref_len, &url, &url_len);
    html_settle(p, r, rc, url, url_len);
    return 0;
}

/* Resolve every waiting link, in document order. */
static void html_flush(struct html_parser *p)
{
    size_t w = 0;
    long open = -1;
    p->pending = 0;
    for (size_t i = 0; i < p->nrecs; i++) {
        struct html_rec r = p->recs[i];
        if (!r.resolved && html_resolve(p, &r, w) < 0)
            continue;
        if ((long)i == p->open_a)
            open = (long)w;
        p->recs[w++] = r;
    }
    p->nrecs = w;
    if (open < 0) /* the open <a> was dropped: its text goes nowhere */
        p->a_text.len = p->a_text.space = 0;
    p->open_a = open;
}

/* Record one link (ref: n bytes); returns its index, or -1 when it is not
 * kept. alt, when given, is its text. */
static long html_add(struct html_parser *p, enum html_names_elem tag, const char *attr,
                     const char *ref, size_t n, const char *rel, const char *alt)
{
    struct html_rec r;
    memset(&r, 0, sizeof r);
    r.ref = ref;
    r.ref_len = n;
    r.tag = html_names_elem_name(tag);
    r.attr = attr;
    if (p->pending) {
        /* A <base> may still come, so the link waits unresolved; but what
         * is no URL under any base is decided now, and the waiting list is
         * capped like the resolved one. Until then the base in effect is
         * the page URL, so the probe is the resolution. */
        const char *url;
        size_t url_len;
        int rc = url_base_resolve(p->page_base, ref, n, &url, &url_len);
        if (p->nrecs >= p->max_links) {
            p->dropped++;
            return -1;
        }
        if (rc != 0)
            html_settle(p, &r, rc, url, url_len);
        else
            r.ref = arena_memdup0(&p->arena, ref, n); /* libxml2 frees the value */
    } else if (html_resolve(p, &r, p->nrecs) < 0) {
        return -1;
    }
    r.rel = rel ? html_collapse(p, rel) : NULL;
    r.text = alt ? html_collapse(p, alt) : "";
    if (p->nrecs == p->cap) {
        p->cap = p->cap ? p->cap * 2 : 64;
        p->recs = xrealloc(p->recs, p->cap * sizeof *p->recs);
    }
    p->recs[p->nrecs] = r;
    return (long)p->nrecs++;
}

static long html_add_str(struct html_parser *p, enum html_names_elem tag, const char *attr,
                         const char *ref, const char *rel, const char *alt)
{
    return html_add(p, tag, attr, ref, strlen(ref), rel, alt);
}

/* The open <a> is done: its collected text becomes the link's. */
static void html_close_a(struct html_parser *p)
{
    if (p->open_a >= 0)
        p->recs[p->open_a].text = html_text_finish(p, &p->a_text);
    p->open_a = -1;
}

/* ---- what some elements mean ---- */

static void html_on_base(struct html_parser *p, const char *href)
{
    const char *base;
    size_t n;
    p->base_seen = 1;
    if (url_base_resolve(p->page_base, href, strlen(href), &base, &n) == 0) {
        p->base = arena_memdup0(&p->arena, base, n);
        url_base_set(p->doc_base, p->base);
    } /* else HTML5: fall back to the document URL */
    if (p->pending)
        html_flush(p);
}

static void html_on_meta(struct html_parser *p, const char *const *av)
{
    const char *name = av[HTML_NAMES_NAME], *content = av[HTML_NAMES_CONTENT];
    if (!name || !content)
        return;
    while (html_is_space((unsigned char)*name))
        name++;
    size_t n = strlen(name);
    while (n && html_is_space((unsigned char)name[n - 1]))
        n--;
    if (n != 6)
        return;
    for (size_t i = 0; i < 6; i++)
        if ((name[i] | 0x20) != "robots"[i])
            return;
    /* several robots metas are joined: none of their directives is lost */
    if (p->robots.len && buf_append_str(&p->robots, ", ") < 0)
        return;
    p->robots_seen = 1;
    size_t len = strlen(content), room = p->robots.max - p->robots.len;
    if (len > room) { /* cut on a UTF-8 boundary */
        len = room;
        while (len > 0 && ((unsigned char)content[len] & 0xC0) == 0x80)
            len--;
    }
    for (size_t i = 0; i < len; i++) {
        char c = content[i];
        buf_append_char(&p->robots, (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c);
    }
}

/* Every image candidate of a srcset ("a.png 1x, b.png 2x"): a URL, then
 * descriptors up to the next comma outside parentheses. */
static void html_on_srcset(struct html_parser *p, enum html_names_elem tag, const char *v)
{
    const char *s = v;
    for (;;) {
        while (html_is_space((unsigned char)*s) || *s == ',')
            s++;
        if (!*s)
            return;
        const char *u = s;
        while (*s && !html_is_space((unsigned char)*s))
            s++;
        size_t n = (size_t)(s - u);
        int ended = 0;
        while (n && u[n - 1] == ',') { /* "a.png," : no descriptors */
            n--;
            ended = 1;
        }
        if (n)
            html_add(p, tag, "srcset", u, n, NULL, NULL);
        if (ended)
            continue;
        int paren = 0;
        while (*s && (paren || *s != ',')) {
            paren += *s == '(' ? 1 : *s == ')' && paren ? -1 : 0;
            s++;
        }
    }
}

/* <meta http-equiv=refresh content="5; url=next.html">: the URL. */
static void html_on_refresh(struct html_parser *p, const char *const *av)
{
    const char *eq = av[HTML_NAMES_HTTP_EQUIV], *c = av[HTML_NAMES_CONTENT];
    if (!eq || !c || strlen(eq) != 7)
        return;
    for (size_t i = 0; i < 7; i++)
        if ((eq[i] | 0x20) != "refresh"[i])
            return;
    while (html_is_space((unsigned char)*c))
        c++;
    while ((*c >= '0' && *c <= '9') || *c == '.')
        c++;
    while (html_is_space((unsigned char)*c))
        c++;
    if (*c == ';' || *c == ',')
        c++;
    while (html_is_space((unsigned char)*c))
        c++;
    if ((c[0] | 0x20) == 'u' && (c[1] | 0x20) == 'r' && (c[2] | 0x20) == 'l') {
        const char *q = c + 3;
        while (html_is_space((unsigned char)*q))
            q++;
        if (*q == '=') {
            q++;
            while (html_is_space((unsigned char)*q))
                q++;
            c = q;
        }
    }
    char quote = (*c == '\'' || *c == '"') ? *c++ : 0;
    const char *end = quote ? strchr(c, quote) : NULL;
    size_t n = end ? (size_t)(end - c) : strlen(c);
    while (!quote && n && html_is_space((unsigned char)c[n - 1]))
        n--;
    if (n)
        html_add(p, HTML_NAMES_META, "content", c, n, NULL, NULL);
}

/* ---- SAX callbacks ---- */

static void html_sax_start(void *ctx, const xmlChar *name, const xmlChar **atts)
{
    struct html_parser *p = ctx;
    enum html_names_elem k = html_names_elem(name);
    const char *av[HTML_NAMES_NATTRS];
    const char *v;

    if (k == HTML_NAMES_OTHER)
        return;
    if (p->raw_depth > 0) {
        if (html_names_is_raw(k))
            p->raw_depth++;
        return;
    }
    html_names_attrs(atts, av);
    switch (k) {
    case HTML_NAMES_A:
        html_close_a(p);
        v = av[HTML_NAMES_HREF] ? av[HTML_NAMES_HREF] : av[HTML_NAMES_XLINK_HREF]; /* <svg> */
        if (v)
            p->open_a = html_add_str(p, k, "href", v, av[HTML_NAMES_REL], NULL);
        break;
    case HTML_NAMES_AREA:
        if ((v = av[HTML_NAMES_HREF]) != NULL)
            html_add_str(p, k, "href", v, av[HTML_NAMES_REL],
                         av[HTML_NAMES_ALT] ? av[HTML_NAMES_ALT] : "");
        break;
    case HTML_NAMES_LINK:
        if ((v = av[HTML_NAMES_HREF]) != NULL)
            html_add_str(p, k, "href", v, av[HTML_NAMES_REL], NULL);
        break;
    case HTML_NAMES_IFRAME:
    case HTML_NAMES_FRAME:
    case HTML_NAMES_SCRIPT:
    case HTML_NAMES_AUDIO:
    case HTML_NAMES_TRACK:
    case HTML_NAMES_EMBED:
        if ((v = av[HTML_NAMES_SRC]) != NULL)
            html_add_str(p, k, "src", v, NULL, NULL);
        break;
    case HTML_NAMES_BASE:
        if (!p->base_seen && (v = av[HTML_NAMES_HREF]) != NULL)
            html_on_base(p, v);
        break;
    case HTML_NAMES_META:
        html_on_meta(p, av);
        html_on_refresh(p, av);
        break;
    case HTML_NAMES_IMG:
    case HTML_NAMES_SOURCE:
        if ((v = av[HTML_NAMES_SRC]) != NULL)
            html_add_str(p, k, "src", v, NULL, k == HTML_NAMES_IMG ? av[HTML_NAMES_ALT] : NULL);
        if ((v = av[HTML_NAMES_SRCSET]) != NULL)
            html_on_srcset(p, k, v);
        break;
    case HTML_NAMES_VIDEO:
        if ((v = av[HTML_NAMES_SRC]) != NULL)
            html_add_str(p, k, "src", v, NULL, NULL);
        if ((v = av[HTML_NAMES_POSTER]) != NULL)
            html_add_str(p, k, "poster", v, NULL, NULL);
        break;
    case HTML_NAMES_OBJECT:
        if ((v = av[HTML_NAMES_DATA]) != NULL)
            html_add_str(p, k, "data", v, NULL, NULL);
        break;
    case HTML_NAMES_FORM:
        if ((v = av[HTML_NAMES_ACTION]) != NULL)
            html_add_str(p, k, "action", v, NULL, NULL);
        break;
    case HTML_NAMES_TITLE:
        if (!p->title_seen) {
            p->title_seen = 1;
            p->in_title = 1;
        }
        break;
    default:
        break;
    }
    if (html_names_is_raw(k))
        p->raw_depth++;
}

static void html_sax_end(void *ctx, const xmlChar *name)
{
    struct html_parser *p = ctx;
    enum html_names_elem k = html_names_elem(name);
    if (k == HTML_NAMES_OTHER)
        return;
    if (html_names_is_raw(k) && p->raw_depth > 0) {
        if (--p->raw_depth == 0)
            p->in_title = 0;
    } else if (k == HTML_NAMES_A && p->raw_depth == 0) {
        html_close_a(p);
    }
}

static void html_sax_text(void *ctx, const xmlChar *ch, int len)
{
    struct html_parser *p = ctx;
    if (len <= 0)
        return;
    if (p->in_title)
        html_text_add(&p->title, (const char *)ch, (size_t)len);
    else if (p->open_a >= 0 && p->raw_depth == 0)
        html_text_add(&p->a_text, (const char *)ch, (size_t)len);
}

static void html_sax_cdata(void *ctx, const xmlChar *ch, int len)
{
    (void)ctx;
    (void)ch;
    (void)len;
}

/* ---- the parser ---- */

struct html_parser *html_parser_new(void)
{
    struct html_parser *p = xcalloc(1, sizeof *p);
    html_clean_init(&p->clean);
    html_fast_init(&p->fast);
    arena_init(&p->arena, HTML_ARENA_BLOCK);
    p->page_base = url_base_new();
    p->doc_base = url_base_new();
    buf_init(&p->robots, HTML_ROBOTS_MAX);
    return p;
}

void html_parser_free(struct html_parser *p)
{
    if (!p)
        return;
    if (p->ctxt)
        htmlFreeParserCtxt(p->ctxt);
    html_clean_free(&p->clean);
    html_fast_free(&p->fast);
    arena_free(&p->arena);
    url_base_free(p->page_base);
    url_base_free(p->doc_base);
    free(p->recs);
    free(p->links);
    buf_free(&p->robots);
    free(p);
}

/* The libxml2 context, made on first use and whenever the last one's
 * name dictionary grew too big; our SAX handler installed. */
static htmlParserCtxtPtr html_ctxt(struct html_parser *p)
{
    htmlSAXHandler sax;

    if (p->ctxt && xmlDictSize(p->ctxt->dict) > HTML_DICT_MAX) {
        htmlFreeParserCtxt(p->ctxt);
        p->ctxt = NULL;
    }
    if (!p->ctxt && !(p->ctxt = htmlNewParserCtxt()))
        return NULL;
    memset(&sax, 0, sizeof sax);
    sax.startElement = html_sax_start;
    sax.endElement = html_sax_end;
    sax.characters = html_sax_text;
    sax.ignorableWhitespace = html_sax_text;
    sax.cdataBlock = html_sax_cdata; /* script/style content: ignored */
    xml_silent_sax(&sax);
    memcpy(p->ctxt->sax, &sax, sizeof sax); /* htmlCtxtUseOptions edits it */
    p->ctxt->userData = p;
    return p->ctxt;
}

/* Everything of the last page forgotten. */
static void html_parser_reset(struct html_parser *p, const char *page_url, size_t max_links)
{
    arena_reset(&p->arena);
    buf_reset(&p->robots);
    memset(&p->page, 0, sizeof p->page);
    p->nrecs = 0;
    p->max_links = max_links;
    p->dropped = 0;
    p->open_a = -1;
    p->raw_depth = p->pending = p->base_seen = p->robots_seen = 0;
    p->base = NULL;
    p->title_seen = p->in_title = 0;
    p->title.len = p->title.space = 0;
    p->a_text.len = p->a_text.space = 0;
    url_base_set(p->page_base, page_url);
}

static void html_fill(struct html_parser *p)
{
    struct html_page *out = &p->page;
    if (p->pending)
        html_flush(p);
    html_close_a(p);
    out->title = p->title_seen ? (char *)html_text_finish(p, &p->title) : NULL;
    out->base = (char *)p->base;
    if (p->robots_seen && !p->robots.data)
        buf_append(&p->robots, "", 0); /* present but empty */
    out->meta_robots = p->robots_seen ? p->robots.data : NULL;
    out->links_dropped = p->dropped;
    if (p->nrecs > p->links_cap) {
        free(p->links);
        p->links_cap = p->nrecs;
        p->links = xmalloc(p->links_cap * sizeof *p->links);
    }
    for (size_t i = 0; i < p->nrecs; i++) {
        const struct html_rec *r = &p->recs[i];
        struct html_link *l = &p->links[i];
        l->url = (char *)r->ref;
        l->unusable = r->unusable;
        l->tag = (char *)r->tag;
        l->attr = (char *)r->attr;
        l->rel = (char *)r->rel;
        l->text = (char *)r->text;
    }
    out->links = p->nrecs ? p->links : NULL;
    out->nlinks = p->nrecs;
}

void html_parser_set_mode(struct html_parser *p, enum html_parser_mode mode)
{
    p->mode = mode;
}

int html_parser_was_fast(const struct html_parser *p)
{
    return p->was_fast;
}

const struct html_page *html_parser_run(struct html_parser *p, const char *body, size_t len,
                                        const char *page_url, const char *encoding,
                                        size_t max_links)
{
    static const struct html_fast_sink sink_fns = {html_sax_start, html_sax_end,
                                                   html_sax_text, /* libxml2's events */
                                                   NULL};
    page_url = page_url ? page_url : "";
    html_parser_reset(p, page_url, max_links);
    html_clean_prepare(&p->clean, body, len, encoding);
    p->pending = p->clean.has_base;
    p->was_fast = 0;
    xmlInitParser();
    /* libxml2 must never print (html_fast asks it things too): error
     * output goes through these globals */
    xml_silent_globals();
    if (p->mode == HTML_PARSER_AUTO) {
        struct html_fast_sink sink = sink_fns;
        sink.ctx = p;
        if (html_fast_run(&p->fast, p->clean.doc, p->clean.len, &sink) == 0) {
            p->was_fast = 1;
            html_fill(p);
            return &p->page;
        }
        html_parser_reset(p, page_url, max_links); /* forget what it saw */
        p->pending = p->clean.has_base;
    }

    htmlParserCtxtPtr ctxt = html_ctxt(p);
    if (!ctxt)
        return NULL;
    htmlDocPtr d = htmlCtxtReadMemory(ctxt, p->clean.doc, (int)p->clean.len, page_url, "UTF-8",
                                      XML_SILENT_HTML_OPTS);
    if (d) /* only built if libxml2 ignored our handler */
        xmlFreeDoc(d);
    html_fill(p);
    return &p->page;
}

/* ---- the one-shot API ---- */

static char *html_dup(const char *s)
{
    return s ? xstrdup(s) : NULL;
}

int html_extract(const char *body, size_t len, const char *page_url, const char *encoding,
                 size_t max_links, struct html_page *out)
{
    struct html_parser *p = html_parser_new();
    const struct html_page *v = html_parser_run(p, body, len, page_url, encoding, max_links);

    memset(out, 0, sizeof *out);
    if (!v) {
        html_parser_free(p);
        return -1;
    }
    out->title = html_dup(v->title);
    out->base = html_dup(v->base);
    out->meta_robots = html_dup(v->meta_robots);
    out->links_dropped = v->links_dropped;
    out->nlinks = v->nlinks;
    if (v->nlinks)
        out->links = xcalloc(v->nlinks, sizeof *out->links);
    for (size_t i = 0; i < v->nlinks; i++) {
        const struct html_link *s = &v->links[i];
        struct html_link *l = &out->links[i];
        l->url = xstrdup(s->url);
        l->tag = xstrdup(s->tag);
        l->attr = xstrdup(s->attr);
        l->rel = html_dup(s->rel);
        l->text = xstrdup(s->text);
        l->unusable = s->unusable;
    }
    html_parser_free(p);
    return 0;
}

/* Nonzero when s is one of the page's strings that is freed alone. */
static int html_page_own(const struct html_page *p, const char *s)
{
    return !p->strings || s < p->strings || s >= p->strings + p->strings_len;
}

static void html_page_release(const struct html_page *p, char *s)
{
    if (s && html_page_own(p, s))
        free(s);
}

void html_page_set_url(struct html_page *p, size_t i, char *url)
{
    html_page_release(p, p->links[i].url);
    p->links[i].url = url;
}

void html_page_free(struct html_page *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->nlinks; i++) {
        html_page_release(p, p->links[i].url);
        html_page_release(p, p->links[i].tag);
        html_page_release(p, p->links[i].attr);
        html_page_release(p, p->links[i].rel);
        html_page_release(p, p->links[i].text);
    }
    free(p->links);
    html_page_release(p, p->title);
    html_page_release(p, p->base);
    html_page_release(p, p->meta_robots);
    html_page_release(p, p->links_json);
    free(p->strings);
    memset(p, 0, sizeof *p);
}
