/* json: string escaping for the output writers. Owns nothing. */
#include "json.h"

#include <stdint.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* Length of the valid UTF-8 sequence at s (1..4), or 0 if invalid. Rejects
 * overlongs, surrogates and code points above U+10FFFF. */
static size_t json_utf8_len(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    size_t need;
    unsigned min;
    unsigned cp;
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF) {
        need = 2, min = 0x80, cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        need = 3, min = 0x800, cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        need = 4, min = 0x10000, cp = c & 0x07;
    } else {
        return 0;
    }
    if (n < need)
        return 0;
    for (size_t i = 1; i < need; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return need;
}

/* Nonzero when none of the 8 bytes in w needs a look of its own: no
 * control character (< 0x20), '"', '\\' or non-ASCII byte. */
static int json_word_plain(uint64_t w)
{
    const uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
    uint64_t lt = (w - ones * 0x20) & ~w;
    uint64_t q = w ^ (ones * '"'), bs = w ^ (ones * '\\');
    uint64_t zq = (q - ones) & ~q, zb = (bs - ones) & ~bs;
    return ((lt | zq | zb | w) & high) == 0;
}

/* Strings up to this long are escaped in one pass, room being taken for
 * their worst case first. */
#define JSON_ONE_PASS_MAX 4096

/* Bytes at s[0..n) up to the first one that needs a look of its own. */
static size_t json_plain_run(const unsigned char *s, size_t n)
{
    size_t i = 0;
#ifdef __SSE2__
    /* 16 bytes at a time: a signed compare with 0x20 catches both the
     * control characters and the bytes >= 0x80 (negative as signed) */
    const __m128i sp = _mm_set1_epi8(0x20), q = _mm_set1_epi8('"'), bs = _mm_set1_epi8('\\');
    if (n >= 16) {
        for (;;) {
            /* the last block may overlap the one before, whose bytes
             * were all plain */
            size_t at = i + 16 <= n ? i : n - 16;
            __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + at));
            __m128i hit = _mm_or_si128(_mm_cmplt_epi8(v, sp),
                                       _mm_or_si128(_mm_cmpeq_epi8(v, q), _mm_cmpeq_epi8(v, bs)));
            unsigned m = (unsigned)_mm_movemask_epi8(hit);
            if (m)
                return at + (size_t)__builtin_ctz(m);
            if (at + 16 == n)
                return n;
            i += 16;
        }
    }
#endif
    uint64_t w;
    while (i + 8 <= n && (memcpy(&w, s + i, 8), json_word_plain(w)))
        i += 8; /* URLs are mostly plain: 8 bytes at a time */
    while (i < n && s[i] >= 0x20 && s[i] < 0x80 && s[i] != '"' && s[i] != '\\')
        i++;
    return i;
}

/* Copy n bytes: short runs (most tags, attributes and link texts) with
 * fixed-size moves that overlap, not a call. */
static void json_copy(char *d, const unsigned char *s, size_t n)
{
    if (n >= 8 && n <= 16) {
        memcpy(d, s, 8);
        memcpy(d + n - 8, s + n - 8, 8);
    } else if (n >= 4 && n < 8) {
        memcpy(d, s, 4);
        memcpy(d + n - 4, s + n - 4, 4);
    } else if (n < 4) {
        for (size_t i = 0; i < n; i++)
            d[i] = (char)s[i];
    } else {
        memcpy(d, s, n);
    }
}

size_t json_escape_to(char *dst, const char *str, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0, o = 0, from = 0; /* s[from..i) is plain, not yet written */
#define JSON_OUT(p, n)                                                                             \
    do {                                                                                           \
        if (dst)                                                                                   \
            memcpy(dst + o, (p), (n));                                                             \
        o += (n);                                                                                  \
    } while (0)
    JSON_OUT("\"", 1);
    for (;;) {
        i += json_plain_run(s + i, len - i);
        if (i >= len)
            break;
        unsigned char c = s[i];
        size_t ul = c >= 0x80 ? json_utf8_len(s + i, len - i) : 0;
        if (ul > 1) { /* valid UTF-8 passes as it is, in the run */
            i += ul;
            continue;
        }
        if (dst)
            json_copy(dst + o, s + from, i - from);
        o += i - from;
        if (c >= 0x80) {
            JSON_OUT("\xEF\xBF\xBD", 3); /* U+FFFD */
        } else if (c == '"' || c == '\\') {
            char esc[2] = {'\\', (char)c};
            JSON_OUT(esc, 2);
        } else if (c == '\n') {
            JSON_OUT("\\n", 2);
        } else if (c == '\r') {
            JSON_OUT("\\r", 2);
        } else if (c == '\t') {
            JSON_OUT("\\t", 2);
        } else {
            char esc[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
            JSON_OUT(esc, 6);
        }
        from = ++i;
    }
    if (dst)
        json_copy(dst + o, s + from, len - from);
    o += len - from;
    JSON_OUT("\"", 1);
#undef JSON_OUT
    return o;
}

int json_put_strn(struct buf *b, const char *str, size_t len)
{
    /* a short string: room for its worst case, then one pass over it; a
     * long one, or one near the cap, is counted first, so that a cap
     * refuses only what would really not fit and nothing reserves 6x a
     * big string */
    size_t need = len <= JSON_ONE_PASS_MAX && JSON_ESCAPED_MAX(len) <= b->max - b->len
                      ? JSON_ESCAPED_MAX(len)
                      : json_escape_to(NULL, str, len);
    if (buf_reserve(b, need) < 0)
        return BUF_ERR_CAP;
    b->len += json_escape_to(b->data + b->len, str, len);
    b->data[b->len] = '\0';
    return 0;
}

int json_put_str(struct buf *b, const char *s)
{
    if (!s)
        return buf_append(b, "null", 4);
    return json_put_strn(b, s, strlen(s));
}

int json_put_key(struct buf *b, const char *key)
{
    int rc = buf_append_char(b, '"');
    if (rc == 0)
        rc = buf_append_str(b, key);
    if (rc == 0)
        rc = buf_append(b, "\":", 2);
    return rc;
}

int json_has_control(const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;
#ifdef __SSE2__
    const __m128i top = _mm_set1_epi8(0x1f);
    for (; i + 16 <= n; i += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
        /* v <= 0x1f (unsigned) exactly where min(v, 0x1f) == v */
        if (_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_min_epu8(v, top), v)))
            return 1;
    }
#endif
    for (; i < n; i++)
        if (s[i] < 0x20)
            return 1;
    return 0;
}
