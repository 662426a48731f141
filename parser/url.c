/* url: resolve and canonicalise http, https and file URLs (the canonical
 * form is described in url.h). Owns the WHATWG-style parse for these special
 * schemes: reference clean-up, scheme/authority/path/query states, dot-segment
 * removal (also %2e spellings), percent-encoding normalisation, host checks
 * and the view/authority/path helpers; hosts are url_host.c's.
 * Must not: do I/O, keep global state, or allocate more than the result
 * string (plus a scratch copy when a reference contains tab/CR/LF); a
 * struct url_base is one allocation, made once by its owner.
 *
 * Hosts (url_host.c): IPv4/IPv6 literals normalised; names percent-decoded,
 * put through IDNA (UTS#46, non-transitional, libidn2) when they hold
 * non-ASCII or an "xn--" label, and must then be ASCII made of RFC 3986
 * reg-name characters (letters, digits, - . _ ~ ! $ & ' ( ) * + , ; =).
 * Anything else gives URL_ERR_HOST rather than being percent-encoded: a
 * name we cannot look up is not worth queueing. file URLs may only have
 * an empty host or "localhost", and a
 * file path may not hold %2F (libcurl decodes it to '/', which would
 * smuggle ".." past dot-segment removal).
 *
 * Work happens in a fixed URL_MAX_LEN buffer on the stack. A path segment
 * that overflows it gives URL_ERR_TOO_LONG even if a later ".." would have
 * removed it. */
#include "url.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "url_host.h"
#include "xalloc.h"

enum { SCH_NONE, SCH_HTTP, SCH_HTTPS, SCH_FILE };

/* Output under construction. `over` records that something did not fit. */
struct wbuf {
    size_t len;
    int over;
    char buf[URL_MAX_LEN + 1];
};

/* The base URL, canonicalised on first use (absolute references skip it). */
struct base {
    const char *text;
    int tried, ok, scheme;
    struct url_view v;
    struct wbuf w;
};

static int parse(const char *s, size_t n, struct base *b, struct wbuf *w);

static void put(struct wbuf *w, char c)
{
    if (w->len < URL_MAX_LEN)
        w->buf[w->len++] = c;
    else
        w->over = 1;
}

static void put_mem(struct wbuf *w, const char *p, size_t n)
{
    if (n > URL_MAX_LEN - w->len) {
        w->over = 1;
        n = URL_MAX_LEN - w->len;
    }
    if (n > 0)
        memcpy(w->buf + w->len, p, n);
    w->len += n;
}

static void put_uint(struct wbuf *w, unsigned long v)
{
    char tmp[24];
    size_t k = sizeof tmp;

    do {
        tmp[--k] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    put_mem(w, tmp + k, sizeof tmp - k);
}

static void put_pct(struct wbuf *w, unsigned char c)
{
    static const char hex[] = "0123456789ABCDEF";

    put(w, '%');
    put(w, hex[c >> 4]);
    put(w, hex[c & 15]);
}

int url_hex_value(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decoded value of "%XX" at p (n bytes available), or -1. */
static int pct_at(const char *p, size_t n)
{
    int hi, lo;

    if (n < 3 || p[0] != '%' || (hi = url_hex_value(p[1])) < 0 || (lo = url_hex_value(p[2])) < 0)
        return -1;
    return hi * 16 + lo;
}

static int is_alpha(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_digit(int c)
{
    return c >= '0' && c <= '9';
}

int url_is_unreserved(int c)
{
    return is_alpha(c) || is_digit(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

static int lower(int c)
{
    return (c >= 'A' && c <= 'Z') ? c + 32 : c;
}

static int is_slash(char c)
{
    return c == '/' || c == '\\';
}

static int two_slashes(const char *s, size_t n)
{
    return n >= 2 && is_slash(s[0]) && is_slash(s[1]);
}

/* Bytes that must be percent-encoded in a path (query: also '\''):
 * controls, space, DEL, non-ASCII and "<>\\^`{|}, one bit per byte. */
static const uint32_t url_pct_bits[8] = {0xFFFFFFFFu, /* 0x00-0x1F */
                                         0x50000005u, /* ' ' '"' '<' '>' */
                                         0x50000000u, /* '\\' '^' */
                                         0xB8000001u, /* '`' '{' '|' '}' DEL */
                                         0xFFFFFFFFu, 0xFFFFFFFFu, 0xFFFFFFFFu, 0xFFFFFFFFu};

static int needs_pct(unsigned char c, int query)
{
    return ((url_pct_bits[c >> 5] >> (c & 31)) & 1) || (query && c == '\'');
}

/* Append p[0..n) with percent-encoding normalised. Returns 1 if an encoded
 * '/' (%2F) was kept. */
static int put_enc(struct wbuf *w, const char *p, size_t n, int query)
{
    int slash = 0;

    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        int d;

        if (c == '%') {
            d = pct_at(p + i, n - i);
            if (d < 0) {
                put_mem(w, "%25", 3);
                continue;
            }
            i += 2;
            if (url_is_unreserved(d))
                put(w, (char)d);
            else
                put_pct(w, (unsigned char)d);
            slash |= d == '/';
        } else if (needs_pct(c, query)) {
            put_pct(w, c);
        } else {
            put(w, (char)c);
        }
    }
    return slash;
}

/* 1 for "." or "%2e", 2 for "..", ".%2e", "%2e." or "%2e%2e", else 0. */
static int dot_kind(const char *p, size_t n)
{
    int dots = 0;
    size_t i = 0;

    while (i < n && dots < 3) {
        if (p[i] == '.') {
            i++;
        } else if (pct_at(p + i, n - i) == '.') {
            i += 3;
        } else {
            return 0;
        }
        dots++;
    }
    return i == n && dots <= 2 ? dots : 0;
}

/* Trim C0 controls and spaces, reject empty, cut the fragment, drop
 * tab/CR/LF (into *copy, which the caller frees, only when there are any). */
static int prep(const char **sp, size_t *np, char **copy)
{
    const char *s = *sp, *hash;
    size_t n = *np, j = 0;

    while (n > 0 && (unsigned char)s[0] <= 0x20) {
        s++;
        n--;
    }
    while (n > 0 && (unsigned char)s[n - 1] <= 0x20)
        n--;
    if (n == 0)
        return URL_ERR_EMPTY;
    hash = memchr(s, '#', n);
    if (hash)
        n = (size_t)(hash - s);
    if (memchr(s, '\t', n) || memchr(s, '\n', n) || memchr(s, '\r', n)) {
        *copy = xmalloc(n + 1);
        for (size_t i = 0; i < n; i++)
            if (s[i] != '\t' && s[i] != '\n' && s[i] != '\r')
                (*copy)[j++] = s[i];
        s = *copy;
        n = j;
    }
    *sp = s;
    *np = n;
    return 0;
}

/* Length of the scheme if s starts with "scheme:", else 0. */
static size_t scheme_len(const char *s, size_t n)
{
    size_t i = 1;

    if (n == 0 || !is_alpha(s[0]))
        return 0;
    while (i < n && (is_alpha(s[i]) || is_digit(s[i]) || s[i] == '+' || s[i] == '-' || s[i] == '.'))
        i++;
    return (i < n && s[i] == ':') ? i : 0;
}

/* SCH_* for a supported scheme name (any case), else SCH_NONE. */
static int scheme_id(const char *s, size_t n)
{
    static const char *const names[] = {"http", "https", "file"};

    for (int id = 0; id < 3; id++) {
        size_t i = 0;
        while (i < n && names[id][i] && lower(s[i]) == names[id][i])
            i++;
        if (i == n && names[id][i] == '\0')
            return id + 1;
    }
    return SCH_NONE;
}

static const struct base *base_get(struct base *b)
{
    const char *s = b->text;
    char *copy = NULL;
    size_t n;

    if (b->tried || s == NULL)
        return b->ok ? b : NULL;
    b->tried = 1;
    b->w.len = 0;
    b->w.over = 0;
    n = strlen(s);
    if (prep(&s, &n, &copy) == 0 && parse(s, n, NULL, &b->w) == 0 && !b->w.over) {
        b->w.buf[b->w.len] = '\0';
        if (url_split(b->w.buf, &b->v) == 0) {
            b->scheme = scheme_id(b->v.scheme, b->v.scheme_len);
            b->ok = b->scheme != SCH_NONE;
        }
    }
    free(copy);
    return b->ok ? b : NULL;
}

/* Host p[0..n) in its canonical form (url_host.c). */
static int parse_host(const char *p, size_t n, struct wbuf *w)
{
    size_t len;
    int rc = url_host_parse(p, n, w->buf + w->len, URL_MAX_LEN - w->len, &len);

    if (rc == 0)
        w->len += len;
    return rc;
}

/* Authority of an http(s) URL from s[*ip]: userinfo dropped, host, port. */
static int parse_authority(const char *s, size_t *ip, size_t n, int sch, struct wbuf *w)
{
    size_t e = *ip, h = *ip, c;
    int br = 0, rc;
    unsigned long port = 0;

    for (; e < n && !is_slash(s[e]) && s[e] != '?'; e++)
        if (s[e] == '@')
            h = e + 1;
    for (c = h; c < e; c++) {
        if (s[c] == '[')
            br = 1;
        else if (s[c] == ']')
            br = 0;
        else if (s[c] == ':' && !br)
            break;
    }
    rc = parse_host(s + h, c - h, w);
    if (rc < 0)
        return rc;
    *ip = e;
    if (c == e || c + 1 == e)
        return 0;
    for (c++; c < e; c++) {
        if (!is_digit(s[c]))
            return URL_ERR_SYNTAX;
        port = port * 10 + (unsigned long)(s[c] - '0');
        if (port > 65535)
            return URL_ERR_SYNTAX;
    }
    if (port != (sch == SCH_HTTPS ? 443u : 80u)) {
        put(w, ':');
        put_uint(w, port);
    }
    return 0;
}

/* Query from s[i] (just after '?'). */
static int parse_query(const char *s, size_t i, size_t n, struct wbuf *w)
{
    put(w, '?');
    put_enc(w, s + i, n - i, 1);
    return 0;
}

/* Drop the last "/segment" of the path that starts at buf[p0]. */
static void shorten(struct wbuf *w, size_t p0)
{
    while (w->len > p0 && w->buf[w->len - 1] != '/')
        w->len--;
    if (w->len > p0)
        w->len--;
}

/* Path segments from s[i] appended to the path at buf[p0..len), then the
 * query if any. */
static int parse_path(const char *s, size_t i, size_t n, size_t p0, int sch, struct wbuf *w)
{
    for (;;) {
        size_t e = i;
        int at_sep, kind;

        while (e < n && !is_slash(s[e]) && s[e] != '?')
            e++;
        at_sep = e < n && is_slash(s[e]);
        kind = dot_kind(s + i, e - i);
        if (kind == 2)
            shorten(w, p0);
        if (kind == 0) {
            put(w, '/');
            if (put_enc(w, s + i, e - i, 0) && sch == SCH_FILE)
                return URL_ERR_SYNTAX;
        } else if (!at_sep) {
            put(w, '/');
        }
        if (!at_sep) {
            i = e;
            break;
        }
        i = e + 1;
    }
    if (i < n && s[i] == '?')
        return parse_query(s, i + 1, n, w);
    return 0;
}

/* Reference relative to `b` (NULL: an empty file base) from s[i]. */
static int parse_relative(const char *s, size_t i, size_t n, const struct base *b, int sch,
                          struct wbuf *w)
{
    size_t p0;

    if (b) {
        put_mem(w, b->v.host, b->v.host_len);
        if (b->v.port >= 0) {
            put(w, ':');
            put_uint(w, (unsigned long)b->v.port);
        }
    }
    p0 = w->len;
    if (i < n && is_slash(s[i]))
        return parse_path(s, i + 1, n, p0, sch, w);
    if (b)
        put_mem(w, b->v.path, b->v.path_len);
    else
        put(w, '/');
    if (i == n) {
        if (b && b->v.has_query) {
            put(w, '?');
            put_mem(w, b->v.query, b->v.query_len);
        }
        return 0;
    }
    if (s[i] == '?')
        return parse_query(s, i + 1, n, w);
    shorten(w, p0);
    return parse_path(s, i, n, p0, sch, w);
}

/* file: from s[i] (after "file:", or a whole reference against a file base). */
static int parse_file(const char *s, size_t i, size_t n, const struct base *b, struct wbuf *w)
{
    size_t e, h0 = w->len;
    int rc;

    if (!two_slashes(s + i, n - i))
        return parse_relative(s, i, n, b, SCH_FILE, w);
    i += 2;
    for (e = i; e < n && !is_slash(s[e]) && s[e] != '?'; e++)
        ;
    if (e > i) {
        rc = parse_host(s + i, e - i, w);
        if (rc < 0)
            return rc;
        if (w->len - h0 != 9 || memcmp(w->buf + h0, "localhost", 9) != 0)
            return URL_ERR_HOST;
        w->len = h0;
    }
    i = e;
    if (i < n && is_slash(s[i]))
        i++;
    return parse_path(s, i, n, w->len, SCH_FILE, w);
}

/* Parse a cleaned reference s[0..n) against b (NULL: none) into w. */
static int parse(const char *s, size_t n, struct base *b, struct wbuf *w)
{
    static const char *const names[] = {"", "http://", "https://", "file://"};
    size_t k = scheme_len(s, n), i = 0;
    const struct base *pb = NULL;
    int sch = SCH_NONE, rc;

    if (k > 0) {
        sch = scheme_id(s, k);
        if (sch == SCH_NONE)
            return URL_ERR_SCHEME;
        i = k + 1;
    }
    if (b && (k == 0 || !two_slashes(s + i, n - i))) {
        pb = base_get(b);
        if (pb && k > 0 && pb->scheme != sch)
            pb = NULL;
    }
    if (k == 0) {
        if (!pb)
            return URL_ERR_NO_BASE;
        sch = pb->scheme;
    }
    put_mem(w, names[sch], strlen(names[sch]));
    if (sch == SCH_FILE)
        return parse_file(s, i, n, pb, w);
    if (pb && !two_slashes(s + i, n - i))
        return parse_relative(s, i, n, pb, sch, w);
    while (i < n && is_slash(s[i]))
        i++;
    rc = parse_authority(s, &i, n, sch, w);
    if (rc < 0)
        return rc;
    if (i < n && is_slash(s[i]))
        i++;
    return parse_path(s, i, n, w->len, sch, w);
}

/* Clean up ref and parse it against b (NULL: none) into w. */
static int resolve_into(struct base *b, const char *ref, size_t ref_len, struct wbuf *w)
{
    char *copy = NULL;
    int rc;

    w->len = 0;
    w->over = 0;
    if (ref == NULL)
        return URL_ERR_EMPTY;
    rc = prep(&ref, &ref_len, &copy);
    if (rc == 0)
        rc = parse(ref, ref_len, b, w);
    if (rc == 0 && w->over)
        rc = URL_ERR_TOO_LONG;
    free(copy);
    return rc;
}

int url_resolve(const char *base, const char *ref, size_t ref_len, char **out)
{
    struct wbuf w;
    struct base b;
    int rc;

    b.text = base;
    b.tried = 0;
    b.ok = 0;
    rc = resolve_into(&b, ref, ref_len, &w);
    *out = rc == 0 ? xmemdup0(w.buf, w.len) : NULL;
    return rc;
}

struct url_base {
    struct base b;
    struct wbuf w; /* the last result */
};

struct url_base *url_base_new(void)
{
    struct url_base *ub = xmalloc(sizeof *ub);

    ub->b.text = NULL;
    ub->b.tried = 1;
    ub->b.ok = 0;
    return ub;
}

int url_base_set(struct url_base *ub, const char *base)
{
    ub->b.text = base;
    ub->b.tried = 0;
    ub->b.ok = 0;
    base_get(&ub->b);
    ub->b.text = NULL; /* canonicalised (or refused) now: never read again */
    return ub->b.ok ? 0 : URL_ERR_NO_BASE;
}

int url_base_resolve(struct url_base *ub, const char *ref, size_t ref_len, const char **out,
                     size_t *out_len)
{
    int rc = resolve_into(&ub->b, ref, ref_len, &ub->w);

    ub->w.buf[rc == 0 ? ub->w.len : 0] = '\0';
    *out = rc == 0 ? ub->w.buf : NULL;
    *out_len = rc == 0 ? ub->w.len : 0;
    return rc;
}

void url_base_free(struct url_base *ub)
{
    free(ub);
}

int url_canonicalize(const char *in, char **out)
{
    return url_resolve(NULL, in, in ? strlen(in) : 0, out);
}

int url_split(const char *canon, struct url_view *v)
{
    const char *p = canon, *q;
    long port = 0;

    memset(v, 0, sizeof *v);
    v->port = -1;
    for (q = p; is_alpha(*q); q++)
        ;
    if (q == p || strncmp(q, "://", 3) != 0)
        return URL_ERR_SYNTAX;
    v->scheme = p;
    v->scheme_len = (size_t)(q - p);
    p = q + 3;
    if (*p == '[') {
        q = strchr(p, ']');
        if (!q)
            return URL_ERR_SYNTAX;
        q++;
    } else {
        q = p + strcspn(p, ":/?");
    }
    v->host = p;
    v->host_len = (size_t)(q - p);
    p = q;
    if (*p == ':') {
        for (p++; is_digit(*p) && port <= 65535; p++)
            port = port * 10 + (*p - '0');
        if (p == q + 1 || port > 65535)
            return URL_ERR_SYNTAX;
        v->port = (int)port;
    }
    if (*p != '/')
        return URL_ERR_SYNTAX;
    v->path = p;
    v->path_len = strcspn(p, "?");
    p += v->path_len;
    v->has_query = *p == '?';
    v->query = p + v->has_query;
    v->query_len = strlen(v->query);
    return 0;
}

int url_authority(const char *canon, char *buf, size_t cap)
{
    struct url_view v;
    char port[24];
    size_t port_len = 0;
    int rc = url_split(canon, &v), sch;

    if (rc < 0)
        goto out;
    sch = scheme_id(v.scheme, v.scheme_len);
    if (sch == SCH_NONE) {
        rc = URL_ERR_SYNTAX;
        goto out;
    }
    if (sch != SCH_FILE && v.port >= 0 && v.port != (sch == SCH_HTTPS ? 443 : 80)) {
        port_len = (size_t)snprintf(port, sizeof port, ":%d", v.port);
    }
    if (sch == SCH_FILE)
        v.host_len = 0;
    if (cap == 0 || v.host_len + port_len >= cap) {
        rc = URL_ERR_TOO_LONG;
        goto out;
    }
    memcpy(buf, v.host, v.host_len);
    memcpy(buf + v.host_len, port, port_len);
    buf[v.host_len + port_len] = '\0';
out:
    return rc;
}

char *url_path_decode(const char *path, size_t len)
{
    char *out = xmalloc(len + 1);
    size_t j = 0;

    for (size_t i = 0; i < len; i++) {
        int d = pct_at(path + i, len - i);
        if (path[i] == '\0' || d == 0) {
            free(out);
            return NULL;
        }
        if (d < 0) {
            out[j++] = path[i];
            continue;
        }
        out[j++] = (char)d;
        i += 2;
    }
    out[j] = '\0';
    return out;
}
