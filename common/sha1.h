/* sha1: the SHA-1 message digest (FIPS 180-4) and base32 (RFC 4648) text
 * encoding, as WARC-Block-Digest / WARC-Payload-Digest "sha1:BASE32" need.
 * SHA-1 is used here to identify content, never for security. Pure
 * functions over caller-owned memory: no allocation, no I/O. */
#ifndef CRAWL_SHA1_H
#define CRAWL_SHA1_H

#include <stddef.h>
#include <stdint.h>

#define SHA1_LEN        20 /* digest bytes */
#define SHA1_BASE32_LEN 32 /* base32 characters of a digest (no padding) */

struct sha1_ctx {
    uint32_t h[5];
    uint64_t total; /* message bytes so far */
    unsigned char block[64];
    size_t fill; /* bytes waiting in block */
};

void sha1_init(struct sha1_ctx *c);
void sha1_update(struct sha1_ctx *c, const void *p, size_t n);
/* Write the digest to out; the context must be re-initialised to reuse. */
void sha1_final(struct sha1_ctx *c, unsigned char out[SHA1_LEN]);
/* One-shot digest of n bytes. */
void sha1_hash(const void *p, size_t n, unsigned char out[SHA1_LEN]);

/* RFC 4648 base32 (alphabet A-Z2-7, '=' padding) of n bytes into out,
 * NUL-terminated. Needs cap >= 8 * ceil(n / 5) + 1; returns the length
 * written or -1 (nothing written but a NUL when cap > 0) if out is short. */
int sha1_base32(const void *p, size_t n, char *out, size_t cap);

/* "sha1:" + base32 of a digest, NUL-terminated: the WARC digest form. */
#define SHA1_LABEL_CAP (5 + SHA1_BASE32_LEN + 1)
void sha1_label(const unsigned char digest[SHA1_LEN], char out[SHA1_LABEL_CAP]);

#endif
