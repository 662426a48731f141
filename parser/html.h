/* html: extract links, title, <base href> and meta robots from one HTML
 * document with libxml2's HTML parser, over the whole buffer at once.
 * Pure function of (bytes, page URL, encoding): no sockets, no processes.
 * Links are resolved against <base href> when present (else the page URL)
 * and canonicalised with url_resolve(); javascript:, mailto:, data:, empty
 * and unparsable references are dropped. */
#ifndef CRAWL_HTML_H
#define CRAWL_HTML_H

#include <stddef.h>

#define HTML_TEXT_MAX 256 /* anchor text / title cap, bytes */

struct html_link {
    char *url;  /* absolute canonical URL; owned */
    char *tag;  /* lowercase element name: "a", "area", "link", "iframe", "frame" */
    char *attr; /* lowercase attribute: "href", "src" */
    char *rel;  /* value of rel="" (whitespace-collapsed) or NULL */
    char *text; /* anchor text, whitespace-collapsed, capped at HTML_TEXT_MAX
                   bytes on a UTF-8 boundary; "" when none; owned */
};

struct html_page {
    char *title;       /* first <title>, collapsed and capped; NULL if none */
    char *base;        /* absolute canonical URL of the <base href> in effect,
                          or NULL */
    char *meta_robots; /* content of <meta name=robots>, lowercased, or NULL */
    struct html_link *links;
    size_t nlinks;
    size_t links_dropped; /* links beyond max_links, not kept */
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

#endif
