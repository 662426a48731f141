/* sha1: SHA-1 as specified in FIPS 180-4 (section 6.1), written from the
 * standard, plus RFC 4648 base32. Streaming: sha1_update takes any split
 * of the message. Owns no memory and does no I/O. */
#include "sha1.h"

#include <string.h>

#define SHA1_ROTL(x, n) (((x) << (n)) | ((x) >> (32 - (n))))

static uint32_t sha1_be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

/* One 512-bit block through the compression function. */
static void sha1_block(uint32_t h[5], const unsigned char *p)
{
    uint32_t w[80];
    for (int t = 0; t < 16; t++)
        w[t] = sha1_be32(p + 4 * t);
    for (int t = 16; t < 80; t++)
        w[t] = SHA1_ROTL(w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16], 1);

    uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
    for (int t = 0; t < 80; t++) {
        uint32_t f, k;
        if (t < 20) {
            f = (b & c) ^ (~b & d); /* Ch */
            k = 0x5a827999u;
        } else if (t < 40) {
            f = b ^ c ^ d; /* Parity */
            k = 0x6ed9eba1u;
        } else if (t < 60) {
            f = (b & c) ^ (b & d) ^ (c & d); /* Maj */
            k = 0x8f1bbcdcu;
        } else {
            f = b ^ c ^ d;
            k = 0xca62c1d6u;
        }
        uint32_t tmp = SHA1_ROTL(a, 5) + f + e + k + w[t];
        e = d;
        d = c;
        c = SHA1_ROTL(b, 30);
        b = a;
        a = tmp;
    }
    h[0] += a;
    h[1] += b;
    h[2] += c;
    h[3] += d;
    h[4] += e;
}

void sha1_init(struct sha1_ctx *c)
{
    c->h[0] = 0x67452301u;
    c->h[1] = 0xefcdab89u;
    c->h[2] = 0x98badcfeu;
    c->h[3] = 0x10325476u;
    c->h[4] = 0xc3d2e1f0u;
    c->total = 0;
    c->fill = 0;
}

void sha1_update(struct sha1_ctx *c, const void *p, size_t n)
{
    const unsigned char *s = p;
    c->total += n;
    if (c->fill) {
        size_t take = 64 - c->fill < n ? 64 - c->fill : n;
        memcpy(c->block + c->fill, s, take);
        c->fill += take;
        s += take;
        n -= take;
        if (c->fill < 64)
            return;
        sha1_block(c->h, c->block);
        c->fill = 0;
    }
    for (; n >= 64; s += 64, n -= 64)
        sha1_block(c->h, s);
    if (n) {
        memcpy(c->block, s, n);
        c->fill = n;
    }
}

void sha1_final(struct sha1_ctx *c, unsigned char out[SHA1_LEN])
{
    /* Padding (5.1.1): a 1 bit, zeros to 448 mod 512, the bit length. */
    uint64_t bits = c->total * 8;
    c->block[c->fill++] = 0x80;
    if (c->fill > 56) {
        memset(c->block + c->fill, 0, 64 - c->fill);
        sha1_block(c->h, c->block);
        c->fill = 0;
    }
    memset(c->block + c->fill, 0, 56 - c->fill);
    for (int i = 0; i < 8; i++)
        c->block[56 + i] = (unsigned char)(bits >> (56 - 8 * i));
    sha1_block(c->h, c->block);
    for (int i = 0; i < 5; i++) {
        out[4 * i] = (unsigned char)(c->h[i] >> 24);
        out[4 * i + 1] = (unsigned char)(c->h[i] >> 16);
        out[4 * i + 2] = (unsigned char)(c->h[i] >> 8);
        out[4 * i + 3] = (unsigned char)c->h[i];
    }
    memset(c, 0, sizeof *c);
}

void sha1_hash(const void *p, size_t n, unsigned char out[SHA1_LEN])
{
    struct sha1_ctx c;
    sha1_init(&c);
    sha1_update(&c, p, n);
    sha1_final(&c, out);
}

int sha1_base32(const void *p, size_t n, char *out, size_t cap)
{
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    const unsigned char *s = p;
    size_t groups = n / 5 + (n % 5 != 0);
    if (cap == 0)
        return -1;
    out[0] = '\0';
    if (groups > (cap - 1) / 8)
        return -1;
    size_t o = 0;
    for (size_t i = 0; i < n; i += 5) {
        /* A quantum of up to 40 bits becomes 8 characters (6.). */
        size_t have = n - i < 5 ? n - i : 5;
        uint64_t q = 0;
        for (size_t j = 0; j < 5; j++)
            q = q << 8 | (j < have ? s[i + j] : 0);
        size_t chars = (have * 8 + 4) / 5; /* characters carrying data */
        for (size_t j = 0; j < 8; j++)
            out[o++] = j < chars ? alphabet[(q >> (35 - 5 * j)) & 31] : '=';
    }
    out[o] = '\0';
    return (int)o;
}

void sha1_label(const unsigned char digest[SHA1_LEN], char out[SHA1_LABEL_CAP])
{
    memcpy(out, "sha1:", 5);
    sha1_base32(digest, SHA1_LEN, out + 5, SHA1_LABEL_CAP - 5);
}
