/* sitemap: turn one sitemap file's bytes into its list of <loc> values.
 * Owns the gzip inflation (bounded by the caller's cap on decompressed
 * bytes, so a gzip bomb stops at the cap), the libxml2 SAX pass and the
 * plain-text reader. Pure: no sockets, no processes, no file I/O.
 *
 * Safety of the XML pass: the SAX handler has no entity, DTD or document
 * callbacks, so declarations in an internal subset are parsed and thrown
 * away, a reference to them expands to nothing (no billion laughs), and no
 * external subset or entity is ever fetched (no XXE); the options add
 * XML_PARSE_NONET and leave out XML_PARSE_NOENT and XML_PARSE_DTDLOAD.
 * No XML_PARSE_HUGE either: a sitemap is three levels deep, so libxml2's
 * limits stay on (nesting 256, 10 MB text node); a document nested deeper
 * halts the parser there and keeps the <loc> values before that point.
 * Every libxml2 message goes to a silent handler. One repair before
 * parsing: a bare '&' (no reference follows) becomes "&amp;", since
 * libxml2's recovery would drop the parameter name after it. */
#include "sitemap.h"

#include "xml_silent.h"

#include "buf.h"
#include "xalloc.h"

#define ZLIB_CONST
#include <libxml/parser.h>
#include <zlib.h>

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#define SITEMAP_XML_OPTS                                                                           \
    (XML_PARSE_RECOVER | XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING)
#define SITEMAP_GZ_CHUNK (16 * 1024)

enum sitemap_root {
    SITEMAP_ROOT_NONE,
    SITEMAP_ROOT_URLSET,
    SITEMAP_ROOT_INDEX,
    SITEMAP_ROOT_OTHER
};

struct sitemap_locs {
    struct sitemap *out;
    size_t cap; /* slots in out->locs */
};

struct sitemap_state {
    xmlParserCtxtPtr ctxt;
    struct sitemap_locs locs;
    enum sitemap_root root;
    int depth;
    int in_item;  /* inside <url> or <sitemap> (a child of the root) */
    int in_loc;   /* inside its <loc> */
    int too_long; /* the <loc> text outgrew its buffer */
    struct buf text;
};

static int sitemap_is_ws(int c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

/* Keep s[0..n) (trimmed here) as the next loc, or count it as dropped. */
static void sitemap_add(struct sitemap_locs *l, const char *s, size_t n)
{
    struct sitemap *out = l->out;

    while (n && sitemap_is_ws((unsigned char)s[0])) {
        s++;
        n--;
    }
    while (n && sitemap_is_ws((unsigned char)s[n - 1]))
        n--;
    if (n == 0)
        return;
    if (n > SITEMAP_MAX_LOC_LEN || memchr(s, '\0', n) || out->nlocs >= SITEMAP_MAX_LOCS) {
        out->dropped++;
        return;
    }
    if (out->nlocs == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 64;
        if (l->cap > SITEMAP_MAX_LOCS)
            l->cap = SITEMAP_MAX_LOCS;
        out->locs = xrealloc(out->locs, l->cap * sizeof *out->locs);
    }
    out->locs[out->nlocs++] = xmemdup0(s, n);
}

/* ---- gzip ---- */

/* Inflate a gzip stream (several members in a row are read as one) into
 * out, whose cap bounds the decompressed size. */
static int sitemap_gunzip(const unsigned char *in, size_t len, struct buf *out)
{
    unsigned char chunk[SITEMAP_GZ_CHUNK];
    z_stream zs;
    int rc = 0;

    memset(&zs, 0, sizeof zs);
    if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK)
        return SITEMAP_ERR_GZIP;
    for (;;) {
        if (zs.avail_in == 0 && len) {
            zs.next_in = in;
            zs.avail_in = len > UINT_MAX ? UINT_MAX : (uInt)len;
            in += zs.avail_in;
            len -= zs.avail_in;
        }
        zs.next_out = chunk;
        zs.avail_out = sizeof chunk;
        int zr = inflate(&zs, Z_NO_FLUSH);
        size_t got = sizeof chunk - zs.avail_out;
        if (got && buf_append(out, chunk, got) < 0) {
            rc = SITEMAP_ERR_TOO_LARGE;
            goto out;
        }
        if (zr == Z_OK)
            continue;
        if (zr != Z_STREAM_END) { /* Z_BUF_ERROR here: input ended early */
            rc = SITEMAP_ERR_GZIP;
            goto out;
        }
        if (zs.avail_in < 2 || zs.next_in[0] != 0x1f || zs.next_in[1] != 0x8b)
            break; /* the end, or trailing bytes we ignore */
        if (inflateReset(&zs) != Z_OK) {
            rc = SITEMAP_ERR_GZIP;
            goto out;
        }
    }
out:
    inflateEnd(&zs);
    return rc;
}

/* ---- XML (libxml2 SAX2) ---- */

static int sitemap_name_is(const xmlChar *name, const char *want)
{
    return strcmp((const char *)name, want) == 0;
}

static void sitemap_sax_start(void *ctx, const xmlChar *localname, const xmlChar *prefix,
                              const xmlChar *uri, int nb_namespaces, const xmlChar **namespaces,
                              int nb_attributes, int nb_defaulted, const xmlChar **attributes)
{
    struct sitemap_state *st = ctx;

    (void)prefix;
    (void)uri;
    (void)nb_namespaces;
    (void)namespaces;
    (void)nb_attributes;
    (void)nb_defaulted;
    (void)attributes;
    st->depth++;
    if (st->depth == 1) {
        if (sitemap_name_is(localname, "urlset"))
            st->root = SITEMAP_ROOT_URLSET;
        else if (sitemap_name_is(localname, "sitemapindex"))
            st->root = SITEMAP_ROOT_INDEX;
        else {
            st->root = SITEMAP_ROOT_OTHER;
            xmlStopParser(st->ctxt);
        }
    } else if (st->depth == 2) {
        st->in_item =
            sitemap_name_is(localname, st->root == SITEMAP_ROOT_INDEX ? "sitemap" : "url");
    } else if (st->depth == 3 && st->in_item && sitemap_name_is(localname, "loc")) {
        st->in_loc = 1;
        st->too_long = 0;
        buf_reset(&st->text);
    }
}

static void sitemap_sax_end(void *ctx, const xmlChar *localname, const xmlChar *prefix,
                            const xmlChar *uri)
{
    struct sitemap_state *st = ctx;

    (void)localname;
    (void)prefix;
    (void)uri;
    if (st->depth == 3 && st->in_loc) {
        if (st->too_long)
            st->locs.out->dropped++;
        else
            sitemap_add(&st->locs, st->text.data ? st->text.data : "", st->text.len);
        st->in_loc = 0;
    } else if (st->depth == 2) {
        st->in_item = 0;
    }
    st->depth--;
}

static void sitemap_sax_text(void *ctx, const xmlChar *ch, int len)
{
    struct sitemap_state *st = ctx;

    if (!st->in_loc || st->too_long || len <= 0)
        return;
    if (st->text.len == 0) /* leading blanks do not count against the cap */
        while (len > 0 && sitemap_is_ws(*ch)) {
            ch++;
            len--;
        }
    if (buf_append(&st->text, ch, (size_t)len) < 0)
        st->too_long = 1;
}

static int sitemap_xml(const char *data, size_t len, struct sitemap *out)
{
    xmlSAXHandler sax;
    struct sitemap_state st;
    int rc = 0;

    memset(&st, 0, sizeof st);
    st.locs.out = out;
    /* room for trailing blanks; sitemap_add applies the real cap */
    buf_init(&st.text, SITEMAP_MAX_LOC_LEN + 1024);
    if (len > INT_MAX) {
        rc = SITEMAP_ERR_TOO_LARGE;
        goto out;
    }
    xmlInitParser();
    /* libxml2 must never print: some messages only go through these */
    xml_silent_globals();
    memset(&sax, 0, sizeof sax); /* no entity, DTD or document callbacks */
    sax.initialized = XML_SAX2_MAGIC;
    sax.startElementNs = sitemap_sax_start;
    sax.endElementNs = sitemap_sax_end;
    sax.characters = sitemap_sax_text;
    sax.cdataBlock = sitemap_sax_text;
    xml_silent_sax(&sax);
    st.ctxt = xmlNewParserCtxt();
    if (!st.ctxt) {
        rc = SITEMAP_ERR_XML;
        goto out;
    }
    memcpy(st.ctxt->sax, &sax, sizeof sax);
    st.ctxt->userData = &st;
    xmlDocPtr doc = xmlCtxtReadMemory(st.ctxt, data, (int)len, NULL, NULL, SITEMAP_XML_OPTS);
    if (doc) /* only built if libxml2 ignored our handler */
        xmlFreeDoc(doc);
    if (st.root == SITEMAP_ROOT_URLSET || st.root == SITEMAP_ROOT_INDEX)
        out->is_index = st.root == SITEMAP_ROOT_INDEX;
    else
        rc = SITEMAP_ERR_NOT_SITEMAP;
out:
    if (st.ctxt)
        xmlFreeParserCtxt(st.ctxt);
    buf_free(&st.text);
    return rc;
}

/* ---- bare '&' repair ---- */

static int sitemap_is_name_start(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' || c >= 0x80;
}

static int sitemap_is_name_char(unsigned char c)
{
    return sitemap_is_name_start(c) || (c >= '0' && c <= '9') || c == '.' || c == '-';
}

static int sitemap_is_hex(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* Does p[0..n) (at a '&') start a character or entity reference? */
static int sitemap_is_ref(const char *p, size_t n)
{
    size_t i = 1, start;

    if (i < n && p[i] == '#') {
        int hex = i + 1 < n && p[i + 1] == 'x';
        i += 1 + (size_t)hex;
        start = i;
        while (i < n && (hex ? sitemap_is_hex((unsigned char)p[i]) : (p[i] >= '0' && p[i] <= '9')))
            i++;
        return i > start && i < n && p[i] == ';';
    }
    if (i >= n || !sitemap_is_name_start((unsigned char)p[i]))
        return 0;
    for (i++; i < n && sitemap_is_name_char((unsigned char)p[i]); i++)
        ;
    return i < n && p[i] == ';';
}

/* A bare '&' in a URL is the commonest sitemap error, and libxml2's
 * recovery drops the name after it ("?a=1&b=2" -> "?a=1=2"). Copy d to out
 * with each '&' that starts no reference written as "&amp;" (CDATA
 * sections untouched). Returns 1 if out holds such a copy; 0 if there was
 * nothing to fix, or the copy would outgrow out's cap (parse d as it is). */
static int sitemap_fix_amps(const char *d, size_t n, struct buf *out)
{
    size_t done = 0;

    if (!memchr(d, '&', n) ||
        (n >= 2 && ((unsigned char)d[0] == 0xFE || (unsigned char)d[0] == 0xFF)))
        return 0; /* nothing to do, or UTF-16 (where '&' is not one byte) */
    for (size_t i = 0; i < n; i++) {
        if (d[i] == '<' && n - i >= 9 && memcmp(d + i, "<![CDATA[", 9) == 0) {
            for (i += 9; i + 2 < n && memcmp(d + i, "]]>", 3) != 0; i++)
                ;
            i += 2;
            continue;
        }
        if (d[i] != '&' || sitemap_is_ref(d + i, n - i))
            continue;
        if (buf_append(out, d + done, i - done) < 0 || buf_append(out, "&amp;", 5) < 0)
            goto fail;
        done = i + 1;
    }
    if (done == 0 || buf_append(out, d + done, n - done) < 0)
        goto fail;
    return 1;
fail:
    buf_free(out);
    return 0;
}

/* ---- plain text ---- */

/* Does s[0..n) start with a URI scheme and ':'? */
static int sitemap_has_scheme(const char *s, size_t n)
{
    size_t i = 0;

    if (n == 0 || !((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z')))
        return 0;
    for (i = 1; i < n && s[i] != ':'; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '+' || c == '-' || c == '.'))
            return 0;
    }
    return i < n;
}

static void sitemap_text(const char *data, size_t len, struct sitemap *out)
{
    struct sitemap_locs l = {out, 0};
    size_t i = 0;

    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
        i = 3;
    while (i < len) {
        size_t start = i, end;
        while (i < len && data[i] != '\n' && data[i] != '\r')
            i++;
        end = i++;
        while (start < end && sitemap_is_ws((unsigned char)data[start]))
            start++;
        while (end > start && sitemap_is_ws((unsigned char)data[end - 1]))
            end--;
        int ok = end > start && sitemap_has_scheme(data + start, end - start);
        for (size_t k = start; ok && k < end; k++)
            ok = (unsigned char)data[k] > 0x20 && data[k] != 0x7f;
        if (ok)
            sitemap_add(&l, data + start, end - start);
    }
}

/* XML if the first byte after a BOM and blanks is '<' (or a UTF-16 BOM). */
static int sitemap_is_xml(const char *data, size_t len)
{
    size_t i = 0;

    if (len >= 2 && ((unsigned char)data[0] == 0xFE || (unsigned char)data[0] == 0xFF) &&
        ((unsigned char)data[1] ^ (unsigned char)data[0]) == 0x01)
        return 1;
    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
        i = 3;
    while (i < len && sitemap_is_ws((unsigned char)data[i]))
        i++;
    return i < len && data[i] == '<';
}

int sitemap_parse(const char *data, size_t len, size_t max_bytes, struct sitemap *out)
{
    struct buf plain, fixed;
    int rc = 0;

    memset(out, 0, sizeof *out);
    if (max_bytes == 0)
        max_bytes = SITEMAP_MAX_BYTES;
    buf_init(&plain, max_bytes);
    buf_init(&fixed, max_bytes);
    if (!data)
        len = 0;
    if (len >= 2 && (unsigned char)data[0] == 0x1f && (unsigned char)data[1] == 0x8b) {
        rc = sitemap_gunzip((const unsigned char *)data, len, &plain);
        if (rc < 0)
            goto out;
        data = plain.data ? plain.data : "";
        len = plain.len;
    } else if (len > max_bytes) {
        rc = SITEMAP_ERR_TOO_LARGE;
        goto out;
    }
    if (!sitemap_is_xml(data, len)) {
        sitemap_text(data, len, out);
        goto out;
    }
    if (sitemap_fix_amps(data, len, &fixed)) {
        buf_free(&plain);
        data = fixed.data;
        len = fixed.len;
    }
    rc = sitemap_xml(data, len, out);
out:
    if (rc < 0)
        sitemap_free(out);
    buf_free(&fixed);
    buf_free(&plain);
    return rc;
}

void sitemap_free(struct sitemap *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->nlocs; i++)
        free(s->locs[i]);
    free(s->locs);
    memset(s, 0, sizeof *s);
}
