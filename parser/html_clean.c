/* html_clean: the bytes libxml2 2.9.14's HTML parser gets for a page.
 * Owns decoding to clean UTF-8 (our decoders: windows-1252 by hand, the
 * rest through iconv, an undecodable byte becoming U+FFFD) and the one
 * pass over the UTF-8 that validates it and finds the patterns libxml2
 * mishandles, rewriting the page only when one is found (a clean page is
 * never copied). Must not parse HTML, resolve URLs, print or keep state
 * between calls beyond the caller's scratch buffers.
 *
 * What the rewrite fixes (HTML5 tokenizer behaviour in brackets):
 *  - a NUL byte ends libxml2's document            [U+FFFD, parsing goes on]
 *  - invalid UTF-8 reaches the output as raw bytes  [U+FFFD]
 *  - '<!-->' and '<!--->' swallow the rest of the page [empty comments]
 *  - '<a/href=x>' loses the attribute                [the '/' is a space]
 *  - &#0;, &#xD800;, &#x110000;, &#1;... empty the whole attribute value
 *    [U+FFFD]; &#128;..&#159; decode to C1 controls [windows-1252 chars].
 * The scan also notes whether "<base" occurs, so html.c knows whether
 * links may have to wait for a base URL.
 *
 * Speed: the scan looks at 8 bytes at a time for the only bytes that can
 * start a pattern (NUL, '<', '&', non-ASCII), so a page costs about one
 * instruction per byte plus a few per tag. */
#include "html_clean.h"

#include "charset.h"

#include <errno.h>
#include <iconv.h>
#include <limits.h>
#include <stdint.h>
#include <string.h>

/* Scratch buffers bigger than this are freed after use rather than kept
 * for the next page. */
#define HTML_CLEAN_KEEP (4u * 1024 * 1024)

/* windows-1252 bytes 0x80..0x9F (WHATWG index); also used for &#128;..&#159; */
static const unsigned short html_clean_cp1252[32] = {
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0x008D, 0x017D, 0x008F, 0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178};

/* ---- decoding to UTF-8 ---- */

/* Append code point cp as UTF-8. */
static void html_clean_put_utf8(struct buf *b, unsigned cp)
{
    char u[4];
    buf_append(b, u, charset_utf8(cp, u));
}

static void html_clean_cp1252_decode(const unsigned char *s, size_t len, struct buf *out)
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
        html_clean_put_utf8(out, c < 0xA0 ? html_clean_cp1252[c - 0x80] : c);
        i = run + 1;
    }
}

/* iconv names that decode closer to the WHATWG decoders than the plain
 * ones (vendor extensions used by real pages). */
static const char *html_clean_iconv_name(const char *enc)
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
static int html_clean_iconv(const char *enc, const unsigned char *s, size_t len, struct buf *out)
{
    iconv_t cd = iconv_open("UTF-8", html_clean_iconv_name(enc));
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
            html_clean_put_utf8(out, 0xFFFD);
            in++;
            left--;
        } else if (err && err != E2BIG) {
            break;
        }
    }
    iconv_close(cd);
    return 0;
}

/* ---- the scan ---- */

/* Length of the valid UTF-8 sequence at s (1..4), or 0 when it is invalid;
 * *bad receives how many bytes the U+FFFD replacing it stands for. */
static size_t html_clean_utf8_len(const unsigned char *s, size_t left, size_t *bad)
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
static size_t html_clean_charref(const unsigned char *s, size_t left, unsigned long *cp)
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
static unsigned long html_clean_charref_fix(unsigned long v)
{
    if (v >= 0x80 && v <= 0x9F)
        return html_clean_cp1252[v - 0x80];
    if (v == 0x0C)
        return 0x20; /* form feed: whitespace to HTML, not a Char to libxml2 */
    if (v == 0 || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF) || v == 0xFFFE || v == 0xFFFF ||
        (v < 0x20 && v != 0x09 && v != 0x0A && v != 0x0D))
        return 0xFFFD;
    return 0;
}

static int html_clean_ci_prefix(const unsigned char *s, size_t left, const char *lit)
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
static size_t html_clean_solidus(const unsigned char *s, size_t left)
{
    size_t i = 1;
    if (left < 4 || !((s[1] | 0x20) >= 'a' && (s[1] | 0x20) <= 'z'))
        return 0;
    size_t end = left < 64 ? left : 64;
    while (i < end && ((unsigned)((s[i] | 0x20) - 'a') < 26u || (unsigned)(s[i] - '0') < 10u))
        i++;
    if (i + 1 < left && s[i] == '/' && (s[i + 1] | 0x20) >= 'a' && (s[i + 1] | 0x20) <= 'z')
        return i;
    return 0;
}

/* The encoding to decode with and the BOM length to skip. A BOM wins over
 * everything (HTML5); an unknown caller label means "sniff". */
static const char *html_clean_pick_encoding(const unsigned char *b, size_t len,
                                            const char *encoding, size_t *skip)
{
    /* on at most 3 bytes charset_sniff only has the BOM to go on */
    const char *e = charset_sniff(b, len < 3 ? len : 3, NULL, skip);
    if (*skip)
        return e;
    if (encoding && (e = charset_from_label(encoding, strlen(encoding))) != NULL)
        return e;
    return charset_sniff(b, len, NULL, skip);
}

/* ---- the scan ---- */

#define HTML_CLEAN_ONES 0x0101010101010101ull
#define HTML_CLEAN_HIGH 0x8080808080808080ull

/* High bit set in each byte of v that is zero (exact up to the first
 * zero byte: a borrow can only mark bytes above one). */
static inline uint64_t html_clean_zero_bytes(uint64_t v)
{
    return (v - HTML_CLEAN_ONES) & ~v & HTML_CLEAN_HIGH;
}

/* High bit set for each byte of v that html_clean_scan must look at: NUL,
 * '<', '&' and every non-ASCII byte (exact up to the first such byte). */
static inline uint64_t html_clean_special8(uint64_t v)
{
    return (v & HTML_CLEAN_HIGH) | html_clean_zero_bytes(v) |
           html_clean_zero_bytes(v ^ (HTML_CLEAN_ONES * '<')) |
           html_clean_zero_bytes(v ^ (HTML_CLEAN_ONES * '&'));
}

static inline int html_clean_special(unsigned char c)
{
    return (c >= 0x80) | (c == 0) | (c == '<') | (c == '&');
}

/* Index of the first byte from i on that needs a look, or len. */
static inline size_t html_clean_skip(const unsigned char *s, size_t i, size_t len)
{
    while (len - i >= 8) {
        uint64_t v;
        memcpy(&v, s + i, 8);
        uint64_t m = html_clean_special8(v);
        if (m) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
            return i + ((size_t)__builtin_ctzll(m) >> 3);
#else
            break;
#endif
        }
        i += 8;
    }
    while (i < len && !html_clean_special(s[i]))
        i++;
    return i;
}

/* Length of the well-formed UTF-8 sequence at s[0] (>= 0x80), or 0 with
 * *bad set; the common 2- and 3-byte cases inline. */
static inline size_t html_clean_utf8_at(const unsigned char *s, size_t left, size_t *bad)
{
    unsigned char c = s[0];
    if (c >= 0xC2 && c <= 0xDF && left >= 2 && (s[1] & 0xC0) == 0x80)
        return 2;
    if (c >= 0xE1 && c <= 0xEF && c != 0xED && left >= 3 && (s[1] & 0xC0) == 0x80 &&
        (s[2] & 0xC0) == 0x80)
        return 3;
    return html_clean_utf8_len(s, left, bad);
}

/* What replaces the pattern at s[0] ('<' or '&'), and how many bytes it
 * replaces (*skip; *adv: bytes kept before it). NULL when nothing does.
 * Notes "<base" in *has_base. */
static const char *html_clean_markup(const unsigned char *s, size_t left, char tmp[16], size_t *adv,
                                     size_t *skip, int *has_base)
{
    *adv = 0;
    if (left < 2)
        return NULL;
    unsigned char d = s[1];
    if (s[0] == '&') {
        unsigned long v = 0, fix;
        size_t n;
        if (d != '#' || (n = html_clean_charref(s, left, &v)) == 0 ||
            (fix = html_clean_charref_fix(v)) == 0 || fix == v)
            return NULL;
        tmp[0] = '&';
        tmp[1] = '#';
        tmp[2] = 'x';
        size_t k = 3;
        for (int sh = 12; sh >= 0; sh -= 4)
            tmp[k++] = "0123456789ABCDEF"[(fix >> sh) & 0xF];
        tmp[k++] = ';';
        tmp[k] = '\0';
        *skip = n;
        return tmp;
    }
    if ((d | 0x20) >= 'a' && (d | 0x20) <= 'z') {
        if (!*has_base && (d | 0x20) == 'b' && html_clean_ci_prefix(s, left, "<base"))
            *has_base = 1;
        size_t slash = html_clean_solidus(s, left);
        if (!slash)
            return NULL;
        *adv = slash; /* "<a/href=x>": that '/' separates like a space */
        *skip = 1;
        return " ";
    }
    if (d != '!' || left < 5 || s[2] != '-' || s[3] != '-')
        return NULL;
    if (s[4] == '>') {
        *skip = 5; /* "<!-->" */
        return "<!---->";
    }
    if (left >= 6 && s[4] == '-' && s[5] == '>') {
        *skip = 6; /* "<!--->" */
        return "<!---->";
    }
    return NULL;
}

/* Make s (UTF-8, maybe broken) safe for libxml2: see the file comment.
 * Returns s itself when nothing needed changing, else out->data. */
static const char *html_clean_scan(const unsigned char *s, size_t len, struct buf *out,
                                   size_t *out_len, int *has_base)
{
    size_t i = 0, done = 0; /* s[done..i) is still to be copied */
    int copied = 0;
    *has_base = 0;
    for (;;) {
        i = html_clean_skip(s, i, len);
        if (i >= len)
            break;
        unsigned char c = s[i];
        const char *rep = NULL;
        char tmp[16];
        size_t skip = 0, adv = 0;
        if (c >= 0x80) {
            /* a run of non-ASCII text: validate it in one go */
            size_t bad = 0, n;
            while ((n = html_clean_utf8_at(s + i, len - i, &bad)) != 0) {
                i += n;
                if (i >= len || s[i] < 0x80)
                    break;
            }
            if (n)
                continue;
            rep = "\xEF\xBF\xBD";
            skip = bad;
        } else if (c == 0) {
            rep = "\xEF\xBF\xBD";
            skip = 1;
        } else if (c == '<' && i + 1 < len && s[i + 1] == '/') {
            i += 2; /* an end tag: nothing to see */
            continue;
        } else if (c == '&' && (i + 1 >= len || s[i + 1] != '#')) {
            i++; /* a named reference: libxml2 decodes those well */
            continue;
        } else {
            rep = html_clean_markup(s + i, len - i, tmp, &adv, &skip, has_base);
        }
        if (!rep) {
            i++;
            continue;
        }
        i += adv;
        if (!copied) {
            buf_reset(out);
            out->max = len * 3 + 64;
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

/* ---- entry points ---- */

void html_clean_init(struct html_clean *c)
{
    memset(c, 0, sizeof *c);
    buf_init(&c->decoded, 0);
    buf_init(&c->cleaned, 0);
}

void html_clean_free(struct html_clean *c)
{
    buf_free(&c->decoded);
    buf_free(&c->cleaned);
    memset(c, 0, sizeof *c);
}

void html_clean_prepare(struct html_clean *c, const char *body, size_t len, const char *encoding)
{
    const unsigned char *src = (const unsigned char *)(body ? body : "");
    size_t skip = 0;

    if (c->decoded.cap > HTML_CLEAN_KEEP)
        buf_free(&c->decoded);
    if (c->cleaned.cap > HTML_CLEAN_KEEP)
        buf_free(&c->cleaned);
    if (!body)
        len = 0;
    const char *enc = html_clean_pick_encoding(src, len, encoding, &skip);
    src += skip;
    len -= skip;
    if (strcmp(enc, "UTF-8") != 0) {
        buf_reset(&c->decoded);
        c->decoded.max = len * 4 + 64; /* decoders emit <= 3 bytes per input byte */
        if (strcmp(enc, "windows-1252") == 0 || html_clean_iconv(enc, src, len, &c->decoded) < 0)
            html_clean_cp1252_decode(src, len, &c->decoded);
        src = (const unsigned char *)(c->decoded.data ? c->decoded.data : "");
        len = c->decoded.len;
    }
    c->doc = html_clean_scan(src, len, &c->cleaned, &c->len, &c->has_base);
    if (c->len > INT_MAX)
        c->len = INT_MAX;
}
