/* url_host: the host of an http(s) or file URL, as url.c's parser hands it
 * over (the bytes between "//" or "@" and the port), into its canonical
 * form: a bracketed IPv6 literal in the WHATWG serialisation, a dotted-quad
 * IPv4 address (decimal, 0x hex and 0 octal parts, as WHATWG reads them), or
 * a lowercased ASCII name. Names are percent-decoded first; a name holding
 * non-ASCII bytes (UTF-8) or a label starting with "xn--" goes through IDNA:
 * libidn2's UTS#46 non-transitional processing with NFC input, as WHATWG and
 * libcurl do, so "bücher.example" becomes "xn--bcher-kva.example" and a bad
 * punycode label is refused. The ASCII result must be made of RFC 3986
 * reg-name characters. Pure: no I/O, no globals, nothing allocated that
 * outlives the call. Must not know about paths, queries or schemes. */
#include "url_host.h"

#include <idn2.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "url.h"
#include "xalloc.h"

/* Output under construction: the caller's buffer. */
struct hbuf {
    char *buf;
    size_t len, cap;
    int over;
};

static void put(struct hbuf *w, char c)
{
    if (w->len < w->cap)
        w->buf[w->len++] = c;
    else
        w->over = 1;
}

static void put_mem(struct hbuf *w, const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        put(w, p[i]);
}

static void put_uint(struct hbuf *w, unsigned long v)
{
    char tmp[24];

    put_mem(w, tmp, (size_t)snprintf(tmp, sizeof tmp, "%lu", v));
}

static int is_digit(int c)
{
    return c >= '0' && c <= '9';
}

static int lower(int c)
{
    return (c >= 'A' && c <= 'Z') ? c + 32 : c;
}

/* RFC 3986 reg-name characters (after percent-decoding and lowercasing). */
static int is_host_char(int c)
{
    return url_is_unreserved(c) || (c != 0 && strchr("!$&'()*+,;=", c));
}

/* Decoded value of "%XX" at p (n bytes available), or -1. */
static int pct_at(const char *p, size_t n)
{
    int hi, lo;

    if (n < 3 || p[0] != '%' || (hi = url_hex_value(p[1])) < 0 || (lo = url_hex_value(p[2])) < 0)
        return -1;
    return hi * 16 + lo;
}

/* WHATWG IPv4 number: decimal, 0x hex or 0 octal; saturates above 2^32. */
static int ipv4_number(const char *p, size_t n, uint64_t *out)
{
    unsigned radix = 10;
    uint64_t v = 0;

    if (n == 0)
        return -1;
    if (n >= 2 && p[0] == '0' && p[1] == 'x') {
        radix = 16;
        p += 2;
        n -= 2;
    } else if (n >= 2 && p[0] == '0') {
        radix = 8;
        p++;
        n--;
    }
    for (size_t i = 0; i < n; i++) {
        int d = url_hex_value(p[i]);
        if (d < 0 || (unsigned)d >= radix)
            return -1;
        v = v * radix + (unsigned)d;
        if (v > UINT32_MAX)
            v = (uint64_t)UINT32_MAX + 1;
    }
    *out = v;
    return 0;
}

/* The last label (ignoring one trailing dot) is decimal or 0x-hex. */
static int ends_in_number(const char *h, size_t n)
{
    size_t i;

    if (n > 1 && h[n - 1] == '.')
        n--;
    for (i = n; i > 0 && h[i - 1] != '.'; i--)
        ;
    if (i == n)
        return 0;
    if (n - i >= 2 && h[i] == '0' && h[i + 1] == 'x') {
        for (i += 2; i < n && url_hex_value(h[i]) >= 0; i++)
            ;
        return i == n;
    }
    for (; i < n && is_digit(h[i]); i++)
        ;
    return i == n;
}

/* Rewrite the lowercased host at buf[h0..len) as a dotted-quad address. */
static int host_ipv4(struct hbuf *w, size_t h0)
{
    const char *h = w->buf + h0;
    size_t n = w->len - h0, start = 0, count = 0;
    uint64_t nums[4], v;

    if (n > 1 && h[n - 1] == '.')
        n--;
    for (size_t i = 0; i <= n; i++) {
        if (i < n && h[i] != '.')
            continue;
        if (count == 4 || ipv4_number(h + start, i - start, &nums[count]) < 0)
            return URL_ERR_HOST;
        count++;
        start = i + 1;
    }
    v = nums[count - 1];
    if (v >= (uint64_t)1 << (8 * (5 - count)))
        return URL_ERR_HOST;
    for (size_t i = 0; i + 1 < count; i++) {
        if (nums[i] > 255)
            return URL_ERR_HOST;
        v += nums[i] << (8 * (3 - i));
    }
    w->len = h0;
    for (int shift = 24; shift >= 0; shift -= 8) {
        put_uint(w, (unsigned long)((v >> shift) & 255));
        if (shift > 0)
            put(w, '.');
    }
    return 0;
}

/* Dotted IPv4 tail of an IPv6 literal into a[*pi], a[*pi + 1]. */
static int ipv6_v4tail(const char *p, size_t n, size_t i, uint16_t *a, int *pi)
{
    int seen = 0;

    if (*pi > 6)
        return -1;
    while (i < n) {
        int piece = -1;
        if (seen > 0) {
            if (p[i] != '.' || seen == 4)
                return -1;
            i++;
        }
        if (i >= n || !is_digit(p[i]))
            return -1;
        for (; i < n && is_digit(p[i]); i++) {
            if (piece == 0)
                return -1;
            piece = (piece < 0 ? 0 : piece * 10) + (p[i] - '0');
            if (piece > 255)
                return -1;
        }
        a[*pi] = (uint16_t)(a[*pi] * 0x100 + piece);
        if (++seen == 2 || seen == 4)
            (*pi)++;
    }
    return seen == 4 ? 0 : -1;
}

/* Parse the text between brackets (WHATWG IPv6 parser) into a[8]. */
static int ipv6_parse(const char *p, size_t n, uint16_t *a)
{
    size_t i = 0;
    int pi = 0, comp = -1;

    memset(a, 0, 8 * sizeof *a);
    if (n > 0 && p[0] == ':') {
        if (n < 2 || p[1] != ':')
            return -1;
        i = 2;
        comp = pi = 1;
    }
    while (i < n) {
        unsigned v = 0, len = 0;
        if (pi == 8)
            return -1;
        if (p[i] == ':') {
            if (comp >= 0)
                return -1;
            i++;
            comp = ++pi;
            continue;
        }
        for (; len < 4 && i < n && url_hex_value(p[i]) >= 0; len++, i++)
            v = v * 16 + (unsigned)url_hex_value(p[i]);
        if (i < n && p[i] == '.') {
            if (len == 0 || ipv6_v4tail(p, n, i - len, a, &pi) < 0)
                return -1;
            break;
        }
        if (i < n && p[i] == ':') {
            if (++i == n)
                return -1;
        } else if (i < n) {
            return -1;
        }
        a[pi++] = (uint16_t)v;
    }
    if (comp >= 0) {
        int swaps = pi - comp;
        for (pi = 7; pi != 0 && swaps > 0; pi--, swaps--) {
            uint16_t t = a[pi];
            a[pi] = a[comp + swaps - 1];
            a[comp + swaps - 1] = t;
        }
    } else if (pi != 8) {
        return -1;
    }
    return 0;
}

/* Write "[addr]" in the WHATWG serialisation (longest zero run as "::"). */
static int host_ipv6(const char *p, size_t n, struct hbuf *w)
{
    static const char hex[] = "0123456789abcdef";
    uint16_t a[8];
    int best = -1, best_len = 1;

    if (ipv6_parse(p, n, a) < 0)
        return URL_ERR_HOST;
    for (int i = 0; i < 8;) {
        int j = i;
        while (j < 8 && a[j] == 0)
            j++;
        if (j - i > best_len) {
            best = i;
            best_len = j - i;
        }
        i = j > i ? j : i + 1;
    }
    put(w, '[');
    for (int i = 0; i < 8; i++) {
        if (i == best) {
            put_mem(w, i == 0 ? "::" : ":", i == 0 ? 2 : 1);
            i += best_len - 1;
            continue;
        }
        for (int shift = 12, lead = 1; shift >= 0; shift -= 4) {
            int d = (a[i] >> shift) & 15;
            if (d == 0 && lead && shift > 0)
                continue;
            lead = 0;
            put(w, hex[d]);
        }
        if (i < 7)
            put(w, ':');
    }
    put(w, ']');
    return 0;
}

/* Does the name need IDNA: a non-ASCII byte, or a label "xn--..."? */
static int needs_idna(const char *h, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if ((unsigned char)h[i] >= 0x80)
            return 1;
        if ((i == 0 || h[i - 1] == '.') && n - i >= 4 && lower(h[i]) == 'x' &&
            lower(h[i + 1]) == 'n' && h[i + 2] == '-' && h[i + 3] == '-')
            return 1;
    }
    return 0;
}

/* The decoded name at w->buf[h0..len) through UTS#46 (libidn2), replaced
 * by its ASCII form. */
static int host_idna(struct hbuf *w, size_t h0)
{
    char *in, *out = NULL;
    size_t n = w->len - h0;
    int rc;

    if (memchr(w->buf + h0, '\0', n))
        return URL_ERR_HOST;
    in = xmemdup0(w->buf + h0, n);
    rc = idn2_to_ascii_8z(in, &out, IDN2_NONTRANSITIONAL | IDN2_NFC_INPUT);
    free(in);
    if (rc != IDN2_OK || out == NULL || out[0] == '\0') {
        free(out);
        return URL_ERR_HOST;
    }
    w->len = h0;
    put_mem(w, out, strlen(out));
    free(out);
    return 0;
}

int url_host_parse(const char *p, size_t n, char *out, size_t cap, size_t *len)
{
    struct hbuf w = {out, 0, cap, 0};
    int rc = 0;

    *len = 0;
    if (n == 0)
        return URL_ERR_HOST;
    if (p[0] == '[') {
        if (n < 2 || p[n - 1] != ']')
            return URL_ERR_HOST;
        rc = host_ipv6(p + 1, n - 2, &w);
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        int c = (unsigned char)p[i], d = pct_at(p + i, n - i);
        if (d >= 0) {
            c = d;
            i += 2;
        }
        put(&w, (char)c);
    }
    if (w.over)
        return URL_ERR_TOO_LONG;
    if (needs_idna(w.buf, w.len) && (rc = host_idna(&w, 0)) < 0)
        return rc;
    for (size_t i = 0; i < w.len; i++) {
        w.buf[i] = (char)lower((unsigned char)w.buf[i]);
        if (!is_host_char((unsigned char)w.buf[i]))
            return URL_ERR_HOST;
    }
    if (!w.over && ends_in_number(w.buf, w.len))
        rc = host_ipv4(&w, 0);
out:
    if (rc == 0 && w.over)
        rc = URL_ERR_TOO_LONG;
    if (rc == 0)
        *len = w.len;
    return rc;
}
