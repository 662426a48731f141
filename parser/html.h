/* html: extract links, title, <base href> and meta robots from one HTML
 * document as libxml2's HTML parser reads it, over the whole buffer at
 * once (by a faster tokenizer giving the same events where it can).
 * Pure function of (bytes, page URL, encoding): no sockets, no processes.
 * Links are resolved against <base href> when present (else the page URL)
 * and canonicalised with url_resolve(). A reference that is no usable URL
 * (empty; javascript:, mailto:, data: or another unsupported scheme; a bad
 * host such as an invalid IDN; unparsable; too long) is still listed, with
 * the reason in `unusable` and the reference as written in `url`. */
#ifndef CRAWL_HTML_H
#define CRAWL_HTML_H

#include <stddef.h>

#define HTML_TEXT_MAX 256  /* anchor text / title cap, bytes */
#define HTML_REF_MAX  1024 /* an unusable reference is listed cut to this */

/* Why a link's reference is not a usable URL (html_link.unusable). */
enum html_unusable {
    HTML_USABLE = 0,
    HTML_UNUSABLE_EMPTY,    /* "empty": empty or whitespace-only */
    HTML_UNUSABLE_SCHEME,   /* "scheme": javascript:, mailto:, data:, tel:, ftp:... */
    HTML_UNUSABLE_BAD_URL,  /* "bad_url": cannot be parsed (bad port, %2F in a file path...) */
    HTML_UNUSABLE_BAD_HOST, /* "bad_host": refused by IDNA, bad IP literal, bad characters */
    HTML_UNUSABLE_TOO_LONG, /* "too_long": longer than URL_MAX_LEN once canonical */
    HTML_UNUSABLE_LAST = HTML_UNUSABLE_TOO_LONG
};

/* Stable code for the output ("scheme", ...); NULL for HTML_USABLE or a
 * code out of range. */
const char *html_unusable_name(int code);

struct html_link {
    char *url;    /* absolute canonical URL; for an unusable link the
                     reference as written, trimmed, cut at HTML_REF_MAX
                     bytes on a UTF-8 boundary ("" when empty); owned */
    char *tag;    /* lowercase element name: "a", "area", "link", "iframe", "frame" */
    char *attr;   /* lowercase attribute: "href", "src" */
    char *rel;    /* value of rel="" (whitespace-collapsed) or NULL */
    char *text;   /* anchor text, whitespace-collapsed, capped at HTML_TEXT_MAX
                     bytes on a UTF-8 boundary; "" when none; owned */
    int unusable; /* enum html_unusable: 0, or why url is no URL */
};

struct html_page {
    char *title;       /* first <title>, collapsed and capped; NULL if none */
    char *base;        /* absolute canonical URL of the <base href> in effect,
                          or NULL */
    char *meta_robots; /* content of <meta name=robots>, lowercased, or NULL */
    struct html_link *links;
    size_t nlinks;
    size_t links_dropped; /* links beyond max_links, not kept */
    /* A page at the depth limit decoded from a worker's answer may carry,
     * instead of links (nlinks 0), its links already rendered as the JSONL
     * record's links array (crawler/linkflags.h): links_json_len bytes,
     * NUL-terminated, and how many links it holds. NULL otherwise. */
    char *links_json;
    size_t links_json_len, links_json_count;
    /* When set (a page decoded from a worker's answer), one allocation
     * holding the page's strings, so a page costs two frees, not one per
     * string; a string outside it (html_page_set_url) is owned alone. */
    char *strings;
    size_t strings_len;
};

/* Parse `body` (len bytes) fetched from `page_url`. `encoding` is the
 * character encoding to decode with (an IANA name such as "UTF-8" or
 * "windows-1252"); NULL means decide it with charset_sniff() given no
 * transport charset. At most max_links links are kept (the rest counted in
 * links_dropped). Returns 0 and fills *out (which the caller releases with
 * html_page_free), or a negative value if libxml2 could not create a parser
 * at all (out is then empty but still safe to free). Duplicate links are
 * kept: each occurrence is an edge. */
int html_extract(const char *body, size_t len, const char *page_url, const char *encoding,
                 size_t max_links, struct html_page *out);

void html_page_free(struct html_page *p);
/* Link i's URL becomes url (owned by the page from now on); the old one is
 * released. */
void html_page_set_url(struct html_page *p, size_t i, char *url);

/* A parser for many pages, one after another (a worker's): it keeps one
 * libxml2 context (reset between pages), an arena for the page's strings
 * and its scratch buffers, so a page costs libxml2's pass and little else.
 * Owned by its creator; not for two threads at once. */
struct html_parser;
struct html_parser *html_parser_new(void);
void html_parser_free(struct html_parser *p); /* p may be NULL */

/* html_extract into p's own storage: the page and every string in it
 * belong to p and stay valid until the next html_parser_run or
 * html_parser_free (never html_page_free it). Same arguments and results
 * as html_extract; NULL when libxml2 could not create a parser. */
const struct html_page *html_parser_run(struct html_parser *p, const char *body, size_t len,
                                        const char *page_url, const char *encoding,
                                        size_t max_links);

/* Which parser html_parser_run uses. HTML_PARSER_AUTO (the default): the
 * fast tokenizer (html_fast.h) where it reproduces libxml2's events
 * exactly, libxml2 on every other page; the results are the same. For
 * tests and benchmarks, HTML_PARSER_LIBXML2 always uses libxml2. */
enum html_parser_mode { HTML_PARSER_AUTO = 0, HTML_PARSER_LIBXML2 = 1 };
void html_parser_set_mode(struct html_parser *p, enum html_parser_mode mode);
/* Nonzero when the last html_parser_run was done by the fast tokenizer. */
int html_parser_was_fast(const struct html_parser *p);

#endif
