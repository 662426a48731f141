/* test_sha1: SHA-1 against the FIPS 180-4 / RFC 3174 example messages and
 * digests of block-boundary lengths (reference values from python3
 * hashlib), any split of the input giving the same digest, and RFC 4648
 * base32 (its section 10 vectors, digests, the short-buffer case). */
#include "sha1.h"

#include "check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void hex(const unsigned char *d, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++)
        snprintf(out + 2 * i, 3, "%02x", d[i]);
}

static const char *digest_hex(const void *p, size_t n)
{
    static char out[2 * SHA1_LEN + 1];
    unsigned char d[SHA1_LEN];
    sha1_hash(p, n, d);
    hex(d, SHA1_LEN, out);
    return out;
}

static const char *digest_label(const void *p, size_t n)
{
    static char out[SHA1_LABEL_CAP];
    unsigned char d[SHA1_LEN];
    sha1_hash(p, n, d);
    sha1_label(d, out);
    return out;
}

static void test_vectors(void)
{
    CHECK_STR(digest_hex("abc", 3), "a9993e364706816aba3e25717850c26c9cd0d89d");
    CHECK_STR(digest_hex("", 0), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
    const char *m448 = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    CHECK(strlen(m448) * 8 == 448);
    CHECK_STR(digest_hex(m448, strlen(m448)), "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
    const char *m896 = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmno"
                       "ijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";
    CHECK(strlen(m896) * 8 == 896);
    CHECK_STR(digest_hex(m896, strlen(m896)), "a49b2446a02c645bf419f995b67091253a04a259");

    /* one million 'a', fed in uneven pieces */
    char *a = malloc(1000000);
    memset(a, 'a', 1000000);
    CHECK_STR(digest_hex(a, 1000000), "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
    struct sha1_ctx c;
    sha1_init(&c);
    size_t off = 0, step = 1;
    while (off < 1000000) {
        size_t n = 1000000 - off < step ? 1000000 - off : step;
        sha1_update(&c, a + off, n);
        off += n;
        step = step * 3 % 997 + 1;
    }
    unsigned char d[SHA1_LEN];
    char h[2 * SHA1_LEN + 1];
    sha1_final(&c, d);
    hex(d, SHA1_LEN, h);
    CHECK_STR(h, "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
    free(a);
}

/* Lengths around the 55/56/64-byte padding boundaries. */
static void test_boundaries(void)
{
    static const struct {
        size_t n;
        const char *hex;
    } v[] = {
        {55, "ddf57317ef34bfee3b6df83d359098930eb278bc"},
        {56, "a0d492bb0fc889d0eca3bc137066ab6f4f74f369"},
        {63, "c55856749bef509bdfe6bfebfc7bf4e793e82132"},
        {64, "bede92be29c3874e1b54ddc77988d606fc857a8e"},
        {65, "b05a80522b053d6dc7e0a517d0e70212c7dad11f"},
        {119, "504e27376a6e0f0dba8295b85cb25dc4dfa17d23"},
        {120, "82134b02fb3f702491be9bed581eeab59334acb2"},
        {128, "a09133e6730ffe899efb70204cb5646cd5dc24ee"},
    };
    unsigned char m[128];
    for (size_t i = 0; i < sizeof m; i++)
        m[i] = (unsigned char)((i * 7 + 3) & 255);
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        CHECK_STR(digest_hex(m, v[i].n), v[i].hex);
        /* every two-way split gives the same digest */
        int same = 1;
        for (size_t cut = 0; cut <= v[i].n; cut++) {
            struct sha1_ctx c;
            unsigned char d[SHA1_LEN];
            char h[2 * SHA1_LEN + 1];
            sha1_init(&c);
            sha1_update(&c, m, cut);
            sha1_update(&c, m + cut, v[i].n - cut);
            sha1_final(&c, d);
            hex(d, SHA1_LEN, h);
            same &= strcmp(h, v[i].hex) == 0;
        }
        CHECK(same);
    }
}

static void test_base32(void)
{
    static const char *const rfc[][2] = {
        {"", ""},
        {"f", "MY======"},
        {"fo", "MZXQ===="},
        {"foo", "MZXW6==="},
        {"foob", "MZXW6YQ="},
        {"fooba", "MZXW6YTB"},
        {"foobar", "MZXW6YTBOI======"},
    };
    char out[64];
    for (size_t i = 0; i < sizeof rfc / sizeof rfc[0]; i++) {
        int n = sha1_base32(rfc[i][0], strlen(rfc[i][0]), out, sizeof out);
        CHECK_STR(out, rfc[i][1]);
        CHECK(n == (int)strlen(rfc[i][1]));
    }
    /* all-ones bytes use the last letters of the alphabet */
    CHECK(sha1_base32("\xff\xff\xff\xff\xff", 5, out, sizeof out) == 8);
    CHECK_STR(out, "77777777");

    /* digests: the WARC label form (reference: python3 base64.b32encode) */
    CHECK_STR(digest_label("abc", 3), "sha1:VGMT4NSHA2AWVOR6EVYXQUGCNSONBWE5");
    CHECK_STR(digest_label("", 0), "sha1:3I42H3S6NNFQ2MSVX7XZKYAYSCX5QBYJ");
    CHECK(strlen(digest_label("abc", 3)) == 5 + SHA1_BASE32_LEN);
    const char *m448 = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    CHECK_STR(digest_label(m448, strlen(m448)), "sha1:QSMD4RA4HPJG5OVOJKQ7SUJJ4XSUM4HR");

    /* a short buffer: -1 and an empty string, never an overrun */
    char small[9];
    memset(small, 'x', sizeof small);
    CHECK(sha1_base32("foobar", 6, small, sizeof small) == -1);
    CHECK(small[0] == '\0');
    CHECK(sha1_base32("fooba", 5, small, sizeof small) == 8);
    CHECK_STR(small, "MZXW6YTB");
    CHECK(sha1_base32("f", 1, small, 0) == -1);
}

int main(void)
{
    test_vectors();
    test_boundaries();
    test_base32();
    return check_summary("test_sha1");
}
