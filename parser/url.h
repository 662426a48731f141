/* url: parse, resolve and canonicalise URLs. Pure functions: no I/O, no
 * globals. We own this step because libcurl 7.88.1's URL API resolves some
 * references wrongly (#frag, empty reference, ?q, backslashes).
 *
 * The canonical form (used for dedup and in all output):
 *   - scheme and host lowercased; default port dropped (http 80, https 443);
 *   - international host names in punycode (IDNA, UTS#46 non-transitional:
 *     "bücher.example" -> "xn--bcher-kva.example");
 *   - fragment removed;
 *   - dot-segments resolved (also %2e / %2E spelled ones), empty path -> "/";
 *   - percent-encoding hex uppercased; %XX of an unreserved character
 *     (ALPHA / DIGIT / - . _ ~) decoded;
 *   - bytes that may not appear in a URL (controls, space, ", <, >, `, {, },
 *     |, ^, non-ASCII...) percent-encoded; '\\' treated as '/' in http(s)
 *     and file URLs (WHATWG); leading/trailing C0+space stripped, tab/CR/LF
 *     removed anywhere;
 *   - userinfo dropped for http(s) (never part of a crawl identity);
 *   - file URLs: "file://" + empty host (or "localhost" -> empty) + path.
 * Only http, https and file are accepted ("supported" schemes). */
#ifndef CRAWL_URL_H
#define CRAWL_URL_H

#include <stddef.h>

#define URL_MAX_LEN 8192 /* longest canonical URL we produce */

enum url_err {
    URL_OK = 0,
    URL_ERR_EMPTY = -1,    /* empty or whitespace-only reference */
    URL_ERR_SCHEME = -2,   /* javascript:, mailto:, data:, ftp:, ... */
    URL_ERR_SYNTAX = -3,   /* cannot be parsed (bad port, bad host...) */
    URL_ERR_TOO_LONG = -4, /* canonical form longer than URL_MAX_LEN */
    URL_ERR_NO_BASE = -5,  /* relative reference with no usable base */
    URL_ERR_HOST = -6      /* host unusable: empty, bad IP literal, refused
                              by IDNA, or characters outside reg-name */
};

/* Canonicalise an absolute URL. On success *out is a malloc'd string the
 * caller frees. */
int url_canonicalize(const char *in, char **out);

/* Resolve reference `ref` (ref_len bytes, not necessarily NUL-terminated)
 * against absolute URL `base` (which need not be canonical) per RFC 3986 /
 * WHATWG for special schemes, and canonicalise the result. Returns URL_OK
 * and a malloc'd *out, or a negative url_err and *out = NULL. References to
 * schemes other than http/https/file give URL_ERR_SCHEME. */
int url_resolve(const char *base, const char *ref, size_t ref_len, char **out);

/* A base URL canonicalised once for many references (a page's links).
 * url_base_resolve(b, ref...) after url_base_set(b, text) gives exactly what
 * url_resolve(text, ref...) gives, without parsing the base again. The
 * caller owns b (url_base_free); b keeps no pointer to text. */
struct url_base;
struct url_base *url_base_new(void); /* no base yet: like url_resolve(NULL, ...) */
/* Canonicalise `base` (NULL allowed) as the base of the following calls.
 * Returns 0, or URL_ERR_NO_BASE when it is no usable base (relative
 * references then fail with URL_ERR_NO_BASE, as with url_resolve). */
int url_base_set(struct url_base *b, const char *base);
/* Resolve ref[0..ref_len) against b. Returns URL_OK with *out pointing to
 * the NUL-terminated canonical URL (*out_len bytes) inside b, valid until
 * the next call on b; or a negative url_err with *out NULL. */
int url_base_resolve(struct url_base *b, const char *ref, size_t ref_len, const char **out,
                     size_t *out_len);
void url_base_free(struct url_base *b);

/* Views into a canonical URL (pointers into the caller's string). */
struct url_view {
    const char *scheme;
    size_t scheme_len; /* "http" */
    const char *host;
    size_t host_len; /* "example.com", "" for file */
    int port;        /* -1 when absent (default) */
    const char *path;
    size_t path_len; /* starts with '/' */
    const char *query;
    size_t query_len; /* after '?', 0-length if none */
    int has_query;
};

/* Split a canonical URL (as produced above) into views. 0 or URL_ERR_SYNTAX. */
int url_split(const char *canon, struct url_view *v);

/* Copy "host[:port]" of a canonical http(s) URL into buf (NUL-terminated).
 * The port is included only when not the scheme default. Returns 0, or
 * URL_ERR_SYNTAX / URL_ERR_TOO_LONG. For file URLs the result is "". */
int url_authority(const char *canon, char *buf, size_t cap);

/* Value of a hex digit, or -1. */
int url_hex_value(int c);
/* RFC 3986 unreserved: ALPHA / DIGIT / "-" / "." / "_" / "~". */
int url_is_unreserved(int c);

/* Percent-decode a path into a malloc'd string (for file: URLs). Returns
 * NULL if the decoded path contains a NUL byte. */
char *url_path_decode(const char *path, size_t len);

#endif
