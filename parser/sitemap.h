/* sitemap: the <loc> URLs of one sitemap file (sitemaps.org): an XML
 * <urlset> or <sitemapindex>, gzip-compressed or not, or a plain-text list
 * of URLs. Pure function of the bytes: no sockets, no file I/O, no DTD or
 * entity loading, nothing printed.
 *
 * XML: element local names are compared without their namespace; the
 * trimmed text of each <loc> that is a child of a <url> (urlset) or of a
 * <sitemap> (sitemapindex) child of the root is kept, raw (not resolved,
 * not canonicalised). Parsing recovers from errors, and a bare '&' (the
 * commonest sitemap error) is kept as a literal '&'. Character references
 * and the five predefined entities are decoded; any other entity reference
 * is dropped, never expanded, and nothing external is loaded.
 * Plain text (the first byte after a BOM and blanks is not '<'): each
 * line that, trimmed, holds no space or control byte and starts with a URI
 * scheme ("https:", "file:") is a URL. */
#ifndef CRAWL_SITEMAP_H
#define CRAWL_SITEMAP_H

#include <stddef.h>

#define SITEMAP_MAX_BYTES   (50u * 1024 * 1024) /* sitemaps.org: 50 MB uncompressed */
#define SITEMAP_MAX_LOCS    50000               /* sitemaps.org: URLs per file */
#define SITEMAP_MAX_LOC_LEN 8192                /* longer <loc> values are dropped */

enum sitemap_err {
    SITEMAP_OK = 0,
    SITEMAP_ERR_TOO_LARGE = -1,   /* over max_bytes (decompressed) */
    SITEMAP_ERR_GZIP = -2,        /* corrupt or truncated gzip data */
    SITEMAP_ERR_NOT_SITEMAP = -3, /* XML whose root is neither urlset nor sitemapindex */
    SITEMAP_ERR_XML = -4          /* libxml2 could not start a parser */
};

struct sitemap {
    int is_index;   /* 1: <sitemapindex> (locs are sitemaps), 0: URLs */
    char **locs;    /* owned, each NUL-terminated */
    size_t nlocs;   /* at most SITEMAP_MAX_LOCS */
    size_t dropped; /* <loc> values past SITEMAP_MAX_LOCS or too long */
};

/* Parse len bytes. Data starting with the gzip magic (1f 8b) is inflated
 * first. max_bytes caps the (decompressed) size; 0 means
 * SITEMAP_MAX_BYTES. Returns SITEMAP_OK or a negative enum sitemap_err.
 * *out is always initialised, empty on error; free it with sitemap_free. */
int sitemap_parse(const char *data, size_t len, size_t max_bytes, struct sitemap *out);
/* Free what *s owns; it is left empty (safe to free twice). */
void sitemap_free(struct sitemap *s);

#endif
