/* url_host: canonical form of a URL's host (IPv6 and IPv4 literals, IDNA
 * to punycode, reg-name check). Used by url.c only; pure functions. */
#ifndef CRAWL_URL_HOST_H
#define CRAWL_URL_HOST_H

#include <stddef.h>

/* Canonicalise the host p[0..n) (still percent-encoded, as it appears in
 * the URL) into out (cap bytes, not NUL-terminated); *len gets its length.
 * Returns 0, URL_ERR_HOST (empty, bad IP literal, IDNA refused it, or a
 * character outside RFC 3986 reg-name) or URL_ERR_TOO_LONG. */
int url_host_parse(const char *p, size_t n, char *out, size_t cap, size_t *len);

#endif
