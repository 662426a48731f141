/* html: links, title, <base href> and meta robots from one HTML document.
 * Owns the whole pipeline for one page: decoding the body to clean UTF-8
 * (our decoders, so libxml2 only ever sees valid UTF-8), a cheap rewrite of
 * the few byte patterns libxml2 2.9.14 mishandles, one SAX pass of
 * libxml2's HTML parser over the whole buffer, and resolving the links.
 * Must not print anything (libxml2's error reporting is silenced), keep
 * state between calls, or do I/O.
 *
 * What the pre-parse rewrite fixes (HTML5 tokenizer behaviour in brackets):
 *  - a NUL byte ends libxml2's document            [U+FFFD, parsing goes on]
 *  - invalid UTF-8 reaches the output as raw bytes  [U+FFFD]
 *  - '<!-->' and '<!--->' swallow the rest of the page [empty comments]
 *  - '<a/href=x>' loses the attribute                [the '/' is a space]
 *  - &#0;, &#xD800;, &#x110000;, &#1;... empty the whole attribute value
 *    [U+FFFD]; &#128;..&#159; decode to C1 controls [windows-1252 chars].
 * Raw-text elements: libxml2 parses markup inside <title>, <textarea>,
 * <xmp>, <iframe>, <noembed>, <noframes> and <plaintext>; HTML5 does not,
 * so nothing is extracted inside them (script/style are raw in libxml2). */
#include "html.h"

#include "buf.h"
#include "charset.h"
#include "url.h"
#include "xalloc.h"

#include <errno.h>
#include <iconv.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/HTMLparser.h>
#include <libxml/xmlerror.h>

#define HTML_TEXT_ROOM  (HTML_TEXT_MAX + 8) /* collected before the final cut */
#define HTML_ROBOTS_MAX 1024
/* No XML_PARSE_HUGE: libxml2's nesting limit (256) is checked where the
 * tree is built (nodePush), and this SAX pass builds no tree, so pages
 * nested deeper lose nothing without it (test_html: 1000 deep and the
 * deep_nesting_* cases; test_pool: 300 deep). On this pass the option
 * changes nothing we extract in 2.9.14; it would only lift limits that a
 * later libxml2 may enforce here, and the worker's RLIMIT_AS and deadline
 * are the real bound. */
#define HTML_PARSE_OPTS                                                                            \
    (HTML_PARSE_RECOVER | HTML_PARSE_NONET | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |           \
     HTML_PARSE_NOIMPLIED | HTML_PARSE_NODEFDTD | HTML_PARSE_IGNORE_ENC)

/* windows-1252 bytes 0x80..0x9F (WHATWG index); also used for &#128;..&#159; */
static const unsigned short html_cp1252[32] = {
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0x008D, 0x017D, 0x008F, 0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178};

enum html_kind {
    HTML_K_OTHER,
    HTML_K_A,
    HTML_K_AREA,
    HTML_K_LINK,
    HTML_K_IFRAME, /* a link, and raw text inside */
    HTML_K_FRAME,
    HTML_K_BASE,
    HTML_K_META,
    HTML_K_IMG,    /* src, srcset */
    HTML_K_SOURCE, /* src, srcset */
    HTML_K_VIDEO,  /* src, poster */
    HTML_K_SRC,    /* script, audio, track, embed: src */
    HTML_K_OBJECT, /* data */
    HTML_K_FORM,   /* action (recorded, never followed) */
    HTML_K_TITLE,  /* raw text; the first one is the title */
    HTML_K_RAW     /* textarea, xmp, noembed, noframes, plaintext */
};

struct html_rec {
    char *ref; /* raw attribute value until resolved, then the URL (or
                  the reference as written, when unusable) */
    int resolved;
    int unusable;           /* enum html_unusable */
    const char *tag, *attr; /* static strings */
    char *rel;
    struct buf text; /* collapsed, not yet cut */
    int text_space;  /* a space is due before the next word */
};

struct html_state {
    const char *page_url;
    size_t max_links;
    struct html_rec *recs;
    size_t nrecs, cap;
    size_t dropped;
    long open_a;   /* rec collecting the text of the open <a>, or -1 */
    int raw_depth; /* open raw-text elements */
    int pending;   /* a <base> may still come: links wait unresolved */
    int base_seen;
    char *base;
    int title_seen, in_title, title_space;
    struct buf title;
    struct buf robots;
};

/* ---- decoding to clean UTF-8 ---- */

/* Append code point cp (BMP only: all we ever emit here) as UTF-8. */
static void html_put_utf8(struct buf *b, unsigned cp)
{
    char u[3] = {(char)(0xE0 | (cp >> 12)), (char)(0x80 | ((cp >> 6) & 0x3F)),
                 (char)(0x80 | (cp & 0x3F))};
    if (cp < 0x80) {
        buf_append_char(b, (char)cp);
    } else if (cp < 0x800) {
        u[1] = (char)(0xC0 | (cp >> 6));
        buf_append(b, u + 1, 2);
    } else {
        buf_append(b, u, 3);
    }
}

static void html_decode_cp1252(const unsigned char *s, size_t len, struct buf *out)
{
    size_t i = 0;
    while (i < len) {
        size_t run = i;
        while (run < len && s[run] < 0x80)
            run++;
        buf_append(out, s + i, run - i);
        if (run == len)
            break;
        unsigned char c = s[run];
        html_put_utf8(out, c < 0xA0 ? html_cp1252[c - 0x80] : c);
        i = run + 1;
    }
}

/* iconv names that decode closer to the WHATWG decoders than the plain
 * ones (vendor extensions used by real pages). */
static const char *html_iconv_name(const char *enc)
{
    if (strcmp(enc, "Shift_JIS") == 0)
        return "WINDOWS-31J";
    if (strcmp(enc, "EUC-KR") == 0)
        return "CP949";
    if (strcmp(enc, "Big5") == 0)
        return "BIG5-HKSCS";
    if (strcmp(enc, "GBK") == 0)
        return "GB18030";
    return enc;
}

/* Decode with iconv; an undecodable byte becomes U+FFFD and decoding goes
 * on. Returns -1 if iconv does not know the encoding. */
static int html_decode_iconv(const char *enc, const unsigned char *s, size_t len, struct buf *out)
{
    iconv_t cd = iconv_open("UTF-8", html_iconv_name(enc));
    if (cd == (iconv_t)-1)
        return -1;
    char *in = (char *)s;
    size_t left = len;
    char chunk[4096];
    while (left > 0) {
        char *o = chunk;
        size_t room = sizeof chunk;
        size_t r = iconv(cd, &in, &left, &o, &room);
        int err = r == (size_t)-1 ? errno : 0;
        buf_append(out, chunk, (size_t)(o - chunk));
        if (err == EILSEQ || err == EINVAL) { /* bad or truncated sequence */
            html_put_utf8(out, 0xFFFD);
            in++;
            left--;
        } else if (err && err != E2BIG) {
            break;
        }
    }
    iconv_close(cd);
    return 0;
}

/* Length of the valid UTF-8 sequence at s (1..4), or 0 when it is invalid;
 * *bad receives how many bytes the U+FFFD replacing it stands for. */
static size_t html_utf8_len(const unsigned char *s, size_t left, size_t *bad)
{
    unsigned char c = s[0];
    size_t n;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        n = 2;
    else if (c >= 0xE0 && c <= 0xEF)
        n = 3;
    else if (c >= 0xF0 && c <= 0xF4)
        n = 4;
    else {
        *bad = 1;
        return 0;
    }
    if (c == 0xE0)
        lo = 0xA0;
    else if (c == 0xED)
        hi = 0x9F;
    else if (c == 0xF0)
        lo = 0x90;
    else if (c == 0xF4)
        hi = 0x8F;
    for (size_t k = 1; k < n; k++) {
        if (k >= left || s[k] < lo || s[k] > hi) {
            *bad = k; /* maximal subpart */
            return 0;
        }
        lo = 0x80;
        hi = 0xBF;
    }
    return n;
}

/* A numeric character reference at s ("&#..."): its length, or 0 if it is
 * not one; *cp receives the value (capped at 0x110000). */
static size_t html_charref(const unsigned char *s, size_t left, unsigned long *cp)
{
    size_t i = 2;
    int hex = 0;
    unsigned long v = 0;
    if (i < left && (s[i] == 'x' || s[i] == 'X')) {
        hex = 1;
        i++;
    }
    size_t digits = i;
    for (; i < left; i++) {
        unsigned d;
        if (s[i] >= '0' && s[i] <= '9')
            d = s[i] - '0';
        else if (hex && (s[i] | 0x20) >= 'a' && (s[i] | 0x20) <= 'f')
            d = (s[i] | 0x20) - 'a' + 10;
        else
            break;
        v = v * (hex ? 16 : 10) + d;
        if (v > 0x110000)
            v = 0x110000;
    }
    if (i == digits)
        return 0;
    if (i < left && s[i] == ';')
        i++;
    *cp = v;
    return i;
}

/* The code point libxml2 should see for reference value v, or 0 to leave
 * the reference alone. */
static unsigned long html_charref_fix(unsigned long v)
{
    if (v >= 0x80 && v <= 0x9F)
        return html_cp1252[v - 0x80];
    if (v == 0x0C)
        return 0x20; /* form feed: whitespace to HTML, not a Char to libxml2 */
    if (v == 0 || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF) || v == 0xFFFE || v == 0xFFFF ||
        (v < 0x20 && v != 0x09 && v != 0x0A && v != 0x0D))
        return 0xFFFD;
    return 0;
}

static int html_ci_prefix(const unsigned char *s, size_t left, const char *lit)
{
    size_t n = strlen(lit);
    if (left < n)
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = s[i];
        if (c >= 'A' && c <= 'Z')
            c = (unsigned char)(c + 32);
        if (c != (unsigned char)lit[i])
            return 0;
    }
    return 1;
}

/* At s ("<..."): the offset of a '/' that directly follows a start tag's
 * name and precedes a letter ("<a/href"), or 0. */
static size_t html_tag_solidus(const unsigned char *s, size_t left)
{
    size_t i = 1;
    if (left < 4 || !((s[1] | 0x20) >= 'a' && (s[1] | 0x20) <= 'z'))
        return 0;
    while (i < left && i < 64 &&
           (((s[i] | 0x20) >= 'a' && (s[i] | 0x20) <= 'z') || (s[i] >= '0' && s[i] <= '9')))
        i++;
    if (i + 1 < left && s[i] == '/' && (s[i + 1] | 0x20) >= 'a' && (s[i + 1] | 0x20) <= 'z')
        return i;
    return 0;
}

/* Make s (UTF-8, maybe broken) safe for libxml2: see the file comment.
 * Returns s itself when nothing needed changing, else out->data.
 * *has_base tells whether "<base" occurs anywhere. */
/* Bytes html_clean must look at: NUL, '<', '&' and every non-ASCII byte. */
static inline int html_clean_special(unsigned char c)
{
    return (c >= 0x80) | (c == 0) | (c == '<') | (c == '&');
}

static const char *html_clean(const unsigned char *s, size_t len, struct buf *out, size_t *out_len,
                              int *has_base)
{
    size_t i = 0, done = 0; /* s[done..i) is still to be copied */
    int copied = 0;
    *has_base = 0;
    while (i < len) {
        /* Most bytes need nothing: skip them in a tight loop. */
        while (i < len && !html_clean_special(s[i]))
            i++;
        if (i >= len)
            break;
        unsigned char c = s[i];
        const char *rep = NULL;
        char tmp[16];
        size_t skip = 0;
        if (c >= 0x80) {
            size_t bad = 0, n = html_utf8_len(s + i, len - i, &bad);
            if (n) {
                i += n;
                continue;
            }
            rep = "\xEF\xBF\xBD";
            skip = bad;
        } else if (c == 0) {
            rep = "\xEF\xBF\xBD";
            skip = 1;
        } else if (c == '<') {
            if (!*has_base && html_ci_prefix(s + i, len - i, "<base"))
                *has_base = 1;
            size_t slash = html_tag_solidus(s + i, len - i);
            if (slash) { /* "<a/href=x>": that '/' separates like a space */
                i += slash;
                rep = " ";
                skip = 1;
            } else if (html_ci_prefix(s + i, len - i, "<!-->")) {
                rep = "<!---->";
                skip = 5;
            } else if (html_ci_prefix(s + i, len - i, "<!--->")) {
                rep = "<!---->";
                skip = 6;
            }
        } else if (c == '&' && i + 1 < len && s[i + 1] == '#') {
            unsigned long v = 0, fix;
            size_t n = html_charref(s + i, len - i, &v);
            if (n && (fix = html_charref_fix(v)) != 0 && fix != v) {
                tmp[0] = '&';
                tmp[1] = '#';
                tmp[2] = 'x';
                size_t k = 3;
                for (int sh = 12; sh >= 0; sh -= 4)
                    tmp[k++] = "0123456789ABCDEF"[(fix >> sh) & 0xF];
                tmp[k++] = ';';
                tmp[k] = '\0';
                rep = tmp;
                skip = n;
            }
        }
        if (!rep) {
            i++;
            continue;
        }
        if (!copied) {
            buf_init(out, len * 3 + 64);
            copied = 1;
        }
        buf_append(out, s + done, i - done);
        buf_append_str(out, rep);
        i += skip;
        done = i;
    }
    if (!copied) {
        *out_len = len;
        return (const char *)s;
    }
    buf_append(out, s + done, len - done);
    *out_len = out->len;
    return out->data;
}

/* ---- text collection ---- */

static int html_is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r';
}

/* Append s to b with ASCII whitespace runs collapsed to one space and no
 * leading space; stops quietly once b is full (b->max). */
static void html_text_add(struct buf *b, int *space, const char *s, size_t n)
{
    size_t i = 0;
    while (i < n && b->len < b->max) {
        if (html_is_space((unsigned char)s[i])) {
            if (b->len)
                *space = 1;
            i++;
            continue;
        }
        size_t j = i;
        while (j < n && !html_is_space((unsigned char)s[j]))
            j++;
        if (*space) {
            buf_append_char(b, ' ');
            *space = 0;
        }
        size_t room = b->max - b->len;
        buf_append(b, s + i, j - i < room ? j - i : room);
        i = j;
    }
}

/* Cut collected text to HTML_TEXT_MAX bytes on a UTF-8 boundary; returns
 * a right-sized malloc'd copy ("" when empty) and frees b. */
static char *html_text_finish(struct buf *b)
{
    size_t n = b->len;
    if (n > HTML_TEXT_MAX) {
        n = HTML_TEXT_MAX;
        while (n > 0 && ((unsigned char)b->data[n] & 0xC0) == 0x80)
            n--;
    }
    while (n > 0 && b->data[n - 1] == ' ')
        n--;
    char *t = xmemdup0(n ? b->data : "", n);
    buf_free(b);
    return t;
}

static char *html_collapse(const char *s)
{
    struct buf b;
    int space = 0;
    buf_init(&b, HTML_TEXT_ROOM);
    html_text_add(&b, &space, s, strlen(s));
    return html_text_finish(&b);
}

/* ---- links ---- */

static void html_rec_free(struct html_rec *r)
{
    free(r->ref);
    free(r->rel);
    buf_free(&r->text);
}

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
static char *html_ref_as_written(const char *ref)
{
    size_t n = strlen(ref);
    while (n > 0 && (unsigned char)*ref <= 0x20)
        ref++, n--;
    while (n > 0 && (unsigned char)ref[n - 1] <= 0x20)
        n--;
    if (n > HTML_REF_MAX) {
        n = HTML_REF_MAX;
        while (n > 0 && ((unsigned char)ref[n] & 0xC0) == 0x80)
            n--;
    }
    return xmemdup0(ref, n);
}

/* Resolve r against the base in effect: r->ref becomes the URL, or, when
 * it is no usable URL, the reference as written with r->unusable set. 0 if
 * r is kept, -2 if over max_links (freed, counted). */
static int html_resolve(struct html_state *st, struct html_rec *r, size_t kept)
{
    char *url = NULL;
    const char *base = st->base ? st->base : st->page_url;
    int rc = url_resolve(base, r->ref, strlen(r->ref), &url);
    if (kept >= st->max_links) {
        free(url);
        html_rec_free(r);
        st->dropped++;
        return -2;
    }
    if (rc != 0) {
        r->unusable = html_unusable_of(rc);
        url = html_ref_as_written(r->ref);
    }
    free(r->ref);
    r->ref = url;
    r->resolved = 1;
    return 0;
}

/* Resolve every waiting link, in document order. */
static void html_flush(struct html_state *st)
{
    size_t w = 0;
    long open = -1;
    st->pending = 0;
    for (size_t i = 0; i < st->nrecs; i++) {
        struct html_rec r = st->recs[i];
        if (!r.resolved && html_resolve(st, &r, w) < 0)
            continue;
        if ((long)i == st->open_a)
            open = (long)w;
        st->recs[w++] = r;
    }
    st->nrecs = w;
    st->open_a = open;
}

/* Record one link; returns its index, or -1 when it is not kept. */
static long html_add(struct html_state *st, const char *tag, const char *attr, const char *ref,
                     const char *rel, const char *alt)
{
    struct html_rec r;
    memset(&r, 0, sizeof r);
    r.ref = xstrdup(ref);
    r.tag = tag;
    r.attr = attr;
    buf_init(&r.text, HTML_TEXT_ROOM);
    if (st->pending) {
        /* A <base> may still come, so the link waits unresolved; but what
         * is no URL under any base is decided now, and the waiting list is
         * capped like the resolved one. */
        char *probe = NULL;
        int bad = url_resolve(st->page_url, ref, strlen(ref), &probe) != 0;
        free(probe);
        if (bad) {
            if (html_resolve(st, &r, st->nrecs) < 0)
                return -1;
        } else if (st->nrecs >= st->max_links) {
            html_rec_free(&r);
            st->dropped++;
            return -1;
        }
    } else if (html_resolve(st, &r, st->nrecs) < 0) {
        return -1;
    }
    r.rel = rel ? html_collapse(rel) : NULL;
    if (alt)
        html_text_add(&r.text, &r.text_space, alt, strlen(alt));
    if (st->nrecs == st->cap) {
        st->cap = st->cap ? st->cap * 2 : 32;
        st->recs = xrealloc(st->recs, st->cap * sizeof *st->recs);
    }
    st->recs[st->nrecs] = r;
    return (long)st->nrecs++;
}

/* ---- SAX callbacks ---- */

/* libxml2 lowercases HTML element and attribute names; compare without
 * case anyway so nothing depends on it. */
static int html_eq(const xmlChar *a, const char *lit)
{
    size_t i = 0;
    if (!a)
        return 0;
    for (; lit[i]; i++) {
        unsigned char c = a[i];
        if (c >= 'A' && c <= 'Z')
            c = (unsigned char)(c + 32);
        if (c != (unsigned char)lit[i])
            return 0;
    }
    return a[i] == '\0';
}

static const char *html_attr(const xmlChar **atts, const char *name)
{
    for (size_t i = 0; atts && atts[i]; i += 2) /* the first of duplicates wins */
        if (html_eq(atts[i], name))
            return atts[i + 1] ? (const char *)atts[i + 1] : "";
    return NULL;
}

/* Called for every start and end tag: dispatch on the first letter so most
 * tags cost one comparison (libxml2 hands names over lowercased, but an
 * upper-case spelling is still matched). */
static enum html_kind html_kind_of(const xmlChar *name)
{
    if (!name)
        return HTML_K_OTHER;
    switch (name[0] | 0x20) {
    case 'a':
        if (name[1] == '\0')
            return HTML_K_A;
        if (html_eq(name, "audio"))
            return HTML_K_SRC;
        return html_eq(name, "area") ? HTML_K_AREA : HTML_K_OTHER;
    case 'e':
        return html_eq(name, "embed") ? HTML_K_SRC : HTML_K_OTHER;
    case 'o':
        return html_eq(name, "object") ? HTML_K_OBJECT : HTML_K_OTHER;
    case 'v':
        return html_eq(name, "video") ? HTML_K_VIDEO : HTML_K_OTHER;
    case 'b':
        return html_eq(name, "base") ? HTML_K_BASE : HTML_K_OTHER;
    case 'f':
        if (html_eq(name, "form"))
            return HTML_K_FORM;
        return html_eq(name, "frame") ? HTML_K_FRAME : HTML_K_OTHER;
    case 'i':
        if (html_eq(name, "img"))
            return HTML_K_IMG;
        return html_eq(name, "iframe") ? HTML_K_IFRAME : HTML_K_OTHER;
    case 's':
        if (html_eq(name, "script"))
            return HTML_K_SRC;
        return html_eq(name, "source") ? HTML_K_SOURCE : HTML_K_OTHER;
    case 'l':
        return html_eq(name, "link") ? HTML_K_LINK : HTML_K_OTHER;
    case 'm':
        return html_eq(name, "meta") ? HTML_K_META : HTML_K_OTHER;
    case 'n':
        return html_eq(name, "noembed") || html_eq(name, "noframes") ? HTML_K_RAW : HTML_K_OTHER;
    case 'p':
        return html_eq(name, "plaintext") ? HTML_K_RAW : HTML_K_OTHER;
    case 't':
        if (html_eq(name, "title"))
            return HTML_K_TITLE;
        if (html_eq(name, "track"))
            return HTML_K_SRC;
        return html_eq(name, "textarea") ? HTML_K_RAW : HTML_K_OTHER;
    case 'x':
        return html_eq(name, "xmp") ? HTML_K_RAW : HTML_K_OTHER;
    default:
        return HTML_K_OTHER;
    }
}

static int html_kind_is_raw(enum html_kind k)
{
    return k == HTML_K_TITLE || k == HTML_K_RAW || k == HTML_K_IFRAME;
}

static void html_on_base(struct html_state *st, const char *href)
{
    st->base_seen = 1;
    if (url_resolve(st->page_url, href, strlen(href), &st->base) != 0)
        st->base = NULL; /* HTML5: fall back to the document URL */
    if (st->pending)
        html_flush(st);
}

static void html_on_meta(struct html_state *st, const xmlChar **atts)
{
    const char *name = html_attr(atts, "name");
    const char *content = html_attr(atts, "content");
    if (!name || !content)
        return;
    while (html_is_space((unsigned char)*name))
        name++;
    size_t n = strlen(name);
    while (n && html_is_space((unsigned char)name[n - 1]))
        n--;
    if (n != 6 || !html_ci_prefix((const unsigned char *)name, n, "robots"))
        return;
    /* several robots metas are joined: none of their directives is lost */
    if (st->robots.len && buf_append_str(&st->robots, ", ") < 0)
        return;
    size_t len = strlen(content), room = st->robots.max - st->robots.len;
    if (len > room) { /* cut on a UTF-8 boundary */
        len = room;
        while (len > 0 && ((unsigned char)content[len] & 0xC0) == 0x80)
            len--;
    }
    for (size_t i = 0; i < len; i++) {
        char c = content[i];
        buf_append_char(&st->robots, (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c);
    }
    if (!st->robots.data)
        buf_append(&st->robots, "", 0); /* present but empty */
}

/* The static name of a tag whose link is its src attribute. */
static const char *html_src_tag(const xmlChar *name)
{
    static const char *const tags[] = {"script", "audio", "track", "embed"};
    for (size_t i = 0; i < sizeof tags / sizeof tags[0]; i++)
        if (html_eq(name, tags[i]))
            return tags[i];
    return "embed";
}

/* Every image candidate of a srcset ("a.png 1x, b.png 2x"): a URL, then
 * descriptors up to the next comma outside parentheses. */
static void html_on_srcset(struct html_state *st, const char *tag, const char *v)
{
    const char *p = v;
    for (;;) {
        while (html_is_space((unsigned char)*p) || *p == ',')
            p++;
        if (!*p)
            return;
        const char *u = p;
        while (*p && !html_is_space((unsigned char)*p))
            p++;
        size_t n = (size_t)(p - u);
        int ended = 0;
        while (n && u[n - 1] == ',') { /* "a.png," : no descriptors */
            n--;
            ended = 1;
        }
        if (n) {
            char *one = xmemdup0(u, n);
            html_add(st, tag, "srcset", one, NULL, NULL);
            free(one);
        }
        if (ended)
            continue;
        int paren = 0;
        while (*p && (paren || *p != ',')) {
            paren += *p == '(' ? 1 : *p == ')' && paren ? -1 : 0;
            p++;
        }
    }
}

/* <meta http-equiv=refresh content="5; url=next.html">: the URL. */
static void html_on_refresh(struct html_state *st, const xmlChar **atts)
{
    const char *eq = html_attr(atts, "http-equiv");
    const char *c = html_attr(atts, "content");
    if (!eq || !c || !html_eq((const xmlChar *)eq, "refresh"))
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
    if (html_ci_prefix((const unsigned char *)c, strlen(c), "url")) {
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
    size_t n = quote && strchr(c, quote) ? (size_t)(strchr(c, quote) - c) : strlen(c);
    while (!quote && n && html_is_space((unsigned char)c[n - 1]))
        n--;
    if (!n)
        return;
    char *u = xmemdup0(c, n);
    html_add(st, "meta", "content", u, NULL, NULL);
    free(u);
}

static void html_sax_start(void *ctx, const xmlChar *name, const xmlChar **atts)
{
    struct html_state *st = ctx;
    enum html_kind k = html_kind_of(name);
    const char *v;
    if (st->raw_depth > 0) {
        if (html_kind_is_raw(k))
            st->raw_depth++;
        return;
    }
    switch (k) {
    case HTML_K_A:
        st->open_a = -1;
        v = html_attr(atts, "href");
        if (!v)
            v = html_attr(atts, "xlink:href"); /* <a> inside <svg> */
        if (v)
            st->open_a = html_add(st, "a", "href", v, html_attr(atts, "rel"), NULL);
        break;
    case HTML_K_AREA:
        if ((v = html_attr(atts, "href")) != NULL) {
            const char *alt = html_attr(atts, "alt");
            html_add(st, "area", "href", v, html_attr(atts, "rel"), alt ? alt : "");
        }
        break;
    case HTML_K_LINK:
        if ((v = html_attr(atts, "href")) != NULL)
            html_add(st, "link", "href", v, html_attr(atts, "rel"), NULL);
        break;
    case HTML_K_IFRAME:
    case HTML_K_FRAME:
        if ((v = html_attr(atts, "src")) != NULL)
            html_add(st, k == HTML_K_IFRAME ? "iframe" : "frame", "src", v, NULL, NULL);
        break;
    case HTML_K_BASE:
        if (!st->base_seen && (v = html_attr(atts, "href")) != NULL)
            html_on_base(st, v);
        break;
    case HTML_K_META:
        html_on_meta(st, atts);
        html_on_refresh(st, atts);
        break;
    case HTML_K_IMG:
    case HTML_K_SOURCE:
        if ((v = html_attr(atts, "src")) != NULL)
            html_add(st, k == HTML_K_IMG ? "img" : "source", "src", v, NULL,
                     k == HTML_K_IMG ? html_attr(atts, "alt") : NULL);
        if ((v = html_attr(atts, "srcset")) != NULL)
            html_on_srcset(st, k == HTML_K_IMG ? "img" : "source", v);
        break;
    case HTML_K_VIDEO:
        if ((v = html_attr(atts, "src")) != NULL)
            html_add(st, "video", "src", v, NULL, NULL);
        if ((v = html_attr(atts, "poster")) != NULL)
            html_add(st, "video", "poster", v, NULL, NULL);
        break;
    case HTML_K_SRC:
        if ((v = html_attr(atts, "src")) != NULL)
            html_add(st, html_src_tag(name), "src", v, NULL, NULL);
        break;
    case HTML_K_OBJECT:
        if ((v = html_attr(atts, "data")) != NULL)
            html_add(st, "object", "data", v, NULL, NULL);
        break;
    case HTML_K_FORM:
        if ((v = html_attr(atts, "action")) != NULL)
            html_add(st, "form", "action", v, NULL, NULL);
        break;
    case HTML_K_TITLE:
        if (!st->title_seen) {
            st->title_seen = 1;
            st->in_title = 1;
        }
        break;
    default:
        break;
    }
    if (html_kind_is_raw(k))
        st->raw_depth++;
}

static void html_sax_end(void *ctx, const xmlChar *name)
{
    struct html_state *st = ctx;
    enum html_kind k = html_kind_of(name);
    if (html_kind_is_raw(k) && st->raw_depth > 0) {
        if (--st->raw_depth == 0)
            st->in_title = 0;
    } else if (k == HTML_K_A && st->raw_depth == 0) {
        st->open_a = -1;
    }
}

static void html_sax_text(void *ctx, const xmlChar *ch, int len)
{
    struct html_state *st = ctx;
    if (len <= 0)
        return;
    if (st->in_title) {
        html_text_add(&st->title, &st->title_space, (const char *)ch, (size_t)len);
    } else if (st->raw_depth == 0 && st->open_a >= 0) {
        struct html_rec *r = &st->recs[st->open_a];
        html_text_add(&r->text, &r->text_space, (const char *)ch, (size_t)len);
    }
}

static void html_sax_cdata(void *ctx, const xmlChar *ch, int len)
{
    (void)ctx;
    (void)ch;
    (void)len;
}

static void html_sax_quiet(void *ctx, const char *msg, ...)
{
    (void)ctx;
    (void)msg;
}

static void html_sax_squiet(void *ctx, xmlErrorPtr err)
{
    (void)ctx;
    (void)err;
}

/* ---- entry points ---- */

/* The encoding to decode with and the BOM length to skip. A BOM wins over
 * everything (HTML5); an unknown caller label means "sniff". */
static const char *html_pick_encoding(const unsigned char *b, size_t len, const char *encoding,
                                      size_t *skip)
{
    /* on at most 3 bytes charset_sniff only has the BOM to go on */
    const char *e = charset_sniff(b, len < 3 ? len : 3, NULL, skip);
    if (*skip)
        return e;
    if (encoding && (e = charset_from_label(encoding, strlen(encoding))) != NULL)
        return e;
    return charset_sniff(b, len, NULL, skip);
}

static void html_state_free(struct html_state *st)
{
    for (size_t i = 0; i < st->nrecs; i++)
        html_rec_free(&st->recs[i]);
    free(st->recs);
    free(st->base);
    buf_free(&st->title);
    buf_free(&st->robots);
}

static void html_fill(struct html_state *st, struct html_page *out)
{
    if (st->pending)
        html_flush(st);
    out->title = st->title_seen ? html_text_finish(&st->title) : NULL;
    out->base = st->base;
    st->base = NULL;
    out->meta_robots = st->robots.data ? buf_steal(&st->robots, NULL) : NULL;
    out->links_dropped = st->dropped;
    if (st->nrecs)
        out->links = xcalloc(st->nrecs, sizeof *out->links);
    for (size_t i = 0; i < st->nrecs; i++) {
        struct html_rec *r = &st->recs[i];
        struct html_link *l = &out->links[i];
        l->url = r->ref;
        l->unusable = r->unusable;
        l->tag = xstrdup(r->tag);
        l->attr = xstrdup(r->attr);
        l->rel = r->rel;
        l->text = html_text_finish(&r->text);
        r->ref = r->rel = NULL;
    }
    out->nlinks = st->nrecs;
}

int html_extract(const char *body, size_t len, const char *page_url, const char *encoding,
                 size_t max_links, struct html_page *out)
{
    htmlSAXHandler sax;
    struct html_state st;
    struct buf decoded, cleaned;
    htmlParserCtxtPtr ctxt = NULL;
    const unsigned char *src = (const unsigned char *)(body ? body : "");
    size_t skip = 0, n;
    int has_base, rc = 0;

    memset(out, 0, sizeof *out);
    memset(&st, 0, sizeof st);
    buf_init(&decoded, 0);
    buf_init(&cleaned, 0);
    buf_init(&st.title, HTML_TEXT_ROOM);
    buf_init(&st.robots, HTML_ROBOTS_MAX);
    st.page_url = page_url ? page_url : "";
    st.max_links = max_links;
    st.open_a = -1;
    if (!body)
        len = 0;

    const char *enc = html_pick_encoding(src, len, encoding, &skip);
    src += skip;
    len -= skip;
    if (strcmp(enc, "UTF-8") != 0) {
        buf_init(&decoded, len * 4 + 64); /* decoders emit <= 3 bytes per input byte */
        if (strcmp(enc, "windows-1252") == 0 || html_decode_iconv(enc, src, len, &decoded) < 0)
            html_decode_cp1252(src, len, &decoded);
        src = (const unsigned char *)(decoded.data ? decoded.data : "");
        len = decoded.len;
    }
    const char *doc = html_clean(src, len, &cleaned, &n, &has_base);
    if (n > INT_MAX)
        n = INT_MAX;
    st.pending = has_base;

    xmlInitParser();
    /* libxml2 must never print: error output goes through these globals */
    xmlSetGenericErrorFunc(NULL, html_sax_quiet);
    xmlSetStructuredErrorFunc(NULL, html_sax_squiet);
    memset(&sax, 0, sizeof sax);
    sax.startElement = html_sax_start;
    sax.endElement = html_sax_end;
    sax.characters = html_sax_text;
    sax.ignorableWhitespace = html_sax_text;
    sax.cdataBlock = html_sax_cdata; /* script/style content: ignored */
    sax.warning = html_sax_quiet;
    sax.error = html_sax_quiet;
    sax.fatalError = html_sax_quiet;
    sax.serror = html_sax_squiet;
    ctxt = htmlNewParserCtxt();
    if (!ctxt) {
        rc = -1;
        goto out;
    }
    memcpy(ctxt->sax, &sax, sizeof sax);
    ctxt->userData = &st;
    htmlDocPtr d = htmlCtxtReadMemory(ctxt, doc, (int)n, page_url, "UTF-8", HTML_PARSE_OPTS);
    if (d) /* only built if libxml2 ignored our handler */
        xmlFreeDoc(d);
    html_fill(&st, out);
out:
    if (ctxt)
        htmlFreeParserCtxt(ctxt);
    html_state_free(&st);
    buf_free(&cleaned);
    buf_free(&decoded);
    return rc;
}

void html_page_free(struct html_page *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->nlinks; i++) {
        free(p->links[i].url);
        free(p->links[i].tag);
        free(p->links[i].attr);
        free(p->links[i].rel);
        free(p->links[i].text);
    }
    free(p->links);
    free(p->title);
    free(p->base);
    free(p->meta_robots);
    memset(p, 0, sizeof *p);
}
