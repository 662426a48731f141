/* test_sitemap: sitemap_parse on urlset and sitemapindex documents (with
 * and without namespace prefixes), gzip (built here with zlib: single and
 * multi-member, truncated, corrupt, a 50 MB bomb against a 1 MB cap), the
 * XML attacks (billion laughs, external entities, external DTD, parameter
 * entities: none may expand or load anything, checked with a recording
 * entity loader), silence on stderr, plain-text sitemaps and the caps. */
#include "check.h"
#include "sitemap.h"

#define ZLIB_CONST
#include <libxml/parser.h>
#include <zlib.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int loc_is(const struct sitemap *s, size_t i, const char *want)
{
    return i < s->nlocs && strcmp(s->locs[i], want) == 0;
}

static const char *loc_at(const struct sitemap *s, size_t i)
{
    return i < s->nlocs ? s->locs[i] : "(none)";
}

/* ---- helpers: gzip, stderr capture, entity loader ---- */

/* gzip `n` bytes of `in` (or of zeros when in is NULL) in 1 MiB pieces. */
static unsigned char *gz(const char *in, size_t n, size_t *outlen)
{
    static const char zeros[1 << 20];
    z_stream zs;
    size_t cap = 1 << 17, len = 0;
    unsigned char *out = malloc(cap);

    memset(&zs, 0, sizeof zs);
    if (deflateInit2(&zs, 9, Z_DEFLATED, 16 + MAX_WBITS, 9, Z_DEFAULT_STRATEGY) != Z_OK)
        abort();
    size_t left = n;
    int flush;
    do {
        size_t take = left > sizeof zeros ? sizeof zeros : left;
        zs.next_in = (const Bytef *)(in ? in + (n - left) : zeros);
        zs.avail_in = (uInt)take;
        left -= take;
        flush = left ? Z_NO_FLUSH : Z_FINISH;
        do {
            if (cap - len < 65536)
                out = realloc(out, cap *= 2);
            zs.next_out = out + len;
            zs.avail_out = (uInt)(cap - len);
            deflate(&zs, flush);
            len = cap - zs.avail_out;
        } while (zs.avail_in || (flush == Z_FINISH && zs.avail_out == 0));
    } while (left);
    deflateEnd(&zs);
    *outlen = len;
    return out;
}

static int saved_stderr = -1;
static FILE *captured;

static void stderr_capture(void)
{
    fflush(stderr);
    captured = tmpfile();
    saved_stderr = dup(2);
    dup2(fileno(captured), 2);
}

/* Bytes written to stderr since stderr_capture. */
static long stderr_release(void)
{
    fflush(stderr);
    dup2(saved_stderr, 2);
    close(saved_stderr);
    fseek(captured, 0, SEEK_END);
    long n = ftell(captured);
    fclose(captured);
    return n;
}

static int loader_calls;

static xmlParserInputPtr recording_loader(const char *url, const char *id, xmlParserCtxtPtr ctxt)
{
    (void)url;
    (void)id;
    (void)ctxt;
    loader_calls++;
    return NULL;
}

static int parse_str(const char *s, struct sitemap *out)
{
    return sitemap_parse(s, strlen(s), 0, out);
}

/* ---- XML ---- */

static const char urlset[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\"\n"
    "        xmlns:image=\"http://www.google.com/schemas/sitemap-image/1.1\">\n"
    "  <url><loc>http://h/a</loc><lastmod>2024-01-01</lastmod>\n"
    "    <image:image><image:loc>http://h/i.png</image:loc></image:image></url>\n"
    "  <url>\n    <loc>\n      http://h/b?x=1&amp;y=2\n    </loc>\n  </url>\n"
    "  <url><loc><![CDATA[http://h/c]]></loc></url>\n"
    "  <url><loc>http://h/&#65;&#x42;</loc></url>\n"
    "  <loc>http://h/stray</loc>\n"
    "  <url><loc>  </loc></url>\n"
    "  <url><sitemap><loc>http://h/deep</loc></sitemap></url>\n"
    "</urlset>\n";

static void check_urlset(const struct sitemap *s, const char *what)
{
    CHECKF(s->is_index == 0, "%s: is_index", what);
    CHECKF(s->nlocs == 4, "%s: nlocs %zu", what, s->nlocs);
    CHECKF(loc_is(s, 0, "http://h/a"), "%s: loc 0 %s", what, loc_at(s, 0));
    CHECKF(loc_is(s, 1, "http://h/b?x=1&y=2"), "%s: loc 1 trimmed, &amp; %s", what, loc_at(s, 1));
    CHECKF(loc_is(s, 2, "http://h/c"), "%s: CDATA loc %s", what, loc_at(s, 2));
    CHECKF(loc_is(s, 3, "http://h/AB"), "%s: char refs %s", what, loc_at(s, 3));
    CHECKF(s->dropped == 0, "%s: dropped %zu", what, s->dropped);
}

static void test_xml(void)
{
    struct sitemap s;

    CHECKF(parse_str(urlset, &s) == SITEMAP_OK, "urlset parses");
    check_urlset(&s, "urlset");
    sitemap_free(&s);
    sitemap_free(&s); /* twice is safe */
    CHECKF(s.locs == NULL && s.nlocs == 0, "freed");

    const char *index = "\xEF\xBB\xBF  <sm:sitemapindex xmlns:sm=\"http://www.sitemaps.org/"
                        "schemas/sitemap/0.9\">"
                        "<sm:sitemap><sm:loc>http://h/s1.xml.gz</sm:loc></sm:sitemap>"
                        "<sitemap><loc>http://h/s2.xml</loc><lastmod>x</lastmod></sitemap>"
                        "<url><loc>http://h/not-in-an-index</loc></url>"
                        "</sm:sitemapindex>";
    CHECKF(parse_str(index, &s) == SITEMAP_OK, "index parses");
    CHECKF(s.is_index == 1, "index: is_index");
    CHECKF(s.nlocs == 2 && loc_is(&s, 0, "http://h/s1.xml.gz") && loc_is(&s, 1, "http://h/s2.xml"),
           "index: locs (%zu) %s %s", s.nlocs, loc_at(&s, 0), loc_at(&s, 1));
    sitemap_free(&s);

    CHECKF(parse_str("<html><body><a href='/x'>x</a></body></html>", &s) == SITEMAP_ERR_NOT_SITEMAP,
           "html is not a sitemap");
    CHECKF(s.nlocs == 0 && s.locs == NULL, "not a sitemap: empty");
    sitemap_free(&s);
    CHECKF(parse_str("<rss><channel><item><link>http://h/</link></item></channel></rss>", &s) ==
               SITEMAP_ERR_NOT_SITEMAP,
           "rss is not a sitemap");
    sitemap_free(&s);
    CHECKF(parse_str("<", &s) == SITEMAP_ERR_NOT_SITEMAP, "no root element");
    sitemap_free(&s);

    /* recover mode: keep what can be read */
    CHECKF(parse_str("<urlset><url><loc>http://h/1</loc></url><url><loc>http://h/2</loc><bad>"
                     "</url><url><loc>http://h/3</loc></url></urlset>",
                     &s) == SITEMAP_OK,
           "broken markup parses");
    CHECKF(s.nlocs >= 2 && loc_is(&s, 0, "http://h/1") && loc_is(&s, 1, "http://h/2"),
           "broken markup: locs before the damage (%zu)", s.nlocs);
    sitemap_free(&s);
    CHECKF(parse_str("<urlset><url><loc>http://h/1</loc></url><url><loc>http://h/2", &s) ==
                   SITEMAP_OK &&
               s.nlocs == 1 && loc_is(&s, 0, "http://h/1"),
           "truncated XML: complete locs kept (%zu)", s.nlocs);
    sitemap_free(&s);

    static const char nul[] = "<urlset><url><loc>http://h/1</loc></url>\0<url><loc>http://h/2"
                              "</loc></url></urlset>";
    CHECKF(sitemap_parse(nul, sizeof nul - 1, 0, &s) == SITEMAP_OK && s.nlocs >= 1 &&
               loc_is(&s, 0, "http://h/1"),
           "NUL byte: locs before it");
    sitemap_free(&s);
}

/* A bare '&' (invalid XML, common in real sitemaps) stays in the URL. */
static void test_bare_amp(void)
{
    struct sitemap s;
    const char *d = "<urlset><url><loc>http://h/1?a=1&b=2&c</loc></url>"
                    "<url><loc>http://h/2?a=1&amp;b=2&#38;c=3&#x26;d</loc></url>"
                    "<url><loc><![CDATA[http://h/3?a=1&b=2&amp;]]></loc></url>"
                    "<url><loc>http://h/4?&=&&#;&#x;&1</loc></url>"
                    "<url><loc>http://h/5&</loc></url></urlset>";

    CHECKF(parse_str(d, &s) == SITEMAP_OK && s.nlocs == 5, "bare &: parses (%zu)", s.nlocs);
    CHECKF(loc_is(&s, 0, "http://h/1?a=1&b=2&c"), "bare &: %s", loc_at(&s, 0));
    CHECKF(loc_is(&s, 1, "http://h/2?a=1&b=2&c=3&d"), "references still decoded: %s",
           loc_at(&s, 1));
    CHECKF(loc_is(&s, 2, "http://h/3?a=1&b=2&amp;"), "CDATA untouched: %s", loc_at(&s, 2));
    CHECKF(loc_is(&s, 3, "http://h/4?&=&&#;&#x;&1"), "odd &s: %s", loc_at(&s, 3));
    CHECKF(loc_is(&s, 4, "http://h/5&"), "& at the end: %s", loc_at(&s, 4));
    sitemap_free(&s);

    /* when the repaired copy would pass the cap, the bytes are parsed as they are */
    const char *e = "<urlset><url><loc>http://h/1?a=1&b=2</loc></url></urlset>";
    CHECKF(sitemap_parse(e, strlen(e), strlen(e), &s) == SITEMAP_OK && s.nlocs == 1,
           "bare & at the cap: still parsed (%s)", loc_at(&s, 0));
    sitemap_free(&s);
}

/* ---- XML attacks ---- */

static void test_attacks(void)
{
    struct sitemap s;
    xmlExternalEntityLoader old = xmlGetExternalEntityLoader();

    xmlSetExternalEntityLoader(recording_loader);
    loader_calls = 0;

    const char *laughs =
        "<?xml version=\"1.0\"?>\n<!DOCTYPE urlset [\n"
        " <!ENTITY lol \"lol\">\n"
        " <!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n"
        " <!ENTITY lol2 \"&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;\">\n"
        " <!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">\n"
        " <!ENTITY lol4 \"&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;\">\n"
        " <!ENTITY lol5 \"&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;\">\n"
        " <!ENTITY lol6 \"&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;\">\n"
        " <!ENTITY lol7 \"&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;\">\n"
        " <!ENTITY lol8 \"&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;\">\n"
        " <!ENTITY lol9 \"&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;\">\n"
        "]>\n<urlset><url><loc>http://h/&lol9;</loc></url>"
        "<url><loc>http://h/ok</loc></url></urlset>\n";
    double t0 = now_s();
    int rc = parse_str(laughs, &s);
    double dt = now_s() - t0;
    CHECKF(rc == SITEMAP_OK, "billion laughs: rc %d", rc);
    CHECKF(s.nlocs == 2 && loc_is(&s, 0, "http://h/") && loc_is(&s, 1, "http://h/ok"),
           "billion laughs: entity not expanded (%zu: %.40s)", s.nlocs, loc_at(&s, 0));
    CHECKF(dt < 2.0, "billion laughs took %.2f s", dt);
    sitemap_free(&s);

    const char *xxe = "<?xml version=\"1.0\"?>\n"
                      "<!DOCTYPE urlset [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>\n"
                      "<urlset><url><loc>http://h/&xxe;</loc></url></urlset>";
    CHECKF(parse_str(xxe, &s) == SITEMAP_OK && s.nlocs == 1 && loc_is(&s, 0, "http://h/"),
           "external entity not expanded: %s", loc_at(&s, 0));
    sitemap_free(&s);

    const char *dtd = "<?xml version=\"1.0\"?>\n"
                      "<!DOCTYPE urlset SYSTEM \"file:///etc/passwd\">\n"
                      "<urlset><url><loc>http://h/d</loc></url></urlset>";
    CHECKF(parse_str(dtd, &s) == SITEMAP_OK && s.nlocs == 1 && loc_is(&s, 0, "http://h/d"),
           "external DTD: document still read");
    sitemap_free(&s);

    const char *pe = "<?xml version=\"1.0\"?>\n"
                     "<!DOCTYPE urlset [<!ENTITY % pe SYSTEM \"http://127.0.0.1:9/x.dtd\"> %pe;\n"
                     "<!ENTITY % file SYSTEM \"file:///etc/passwd\">]>\n"
                     "<urlset><url><loc>http://h/p</loc></url></urlset>";
    CHECKF(parse_str(pe, &s) == SITEMAP_OK && s.nlocs == 1 && loc_is(&s, 0, "http://h/p"),
           "parameter entity: document still read");
    sitemap_free(&s);

    const char *inner = "<!DOCTYPE urlset [<!ENTITY u \"http://h/evil\">]>"
                        "<urlset><url><loc>&u;</loc></url></urlset>";
    CHECKF(parse_str(inner, &s) == SITEMAP_OK && s.nlocs == 0,
           "internal entity not expanded either (%zu)", s.nlocs);
    sitemap_free(&s);

    CHECKF(loader_calls == 0, "no external resource was asked for (%d calls)", loader_calls);
    xmlSetExternalEntityLoader(old);
}

/* Malformed input of every kind prints nothing. */
static void test_silence(void)
{
    static const char *bad[] = {
        "<urlset><url><loc>http://h/1</loc></url><url><loc>x<bad></url>",
        "<urlset><url><loc>&undefined;</loc></url></urlset>",
        "<?xml version=\"1.0\" encoding=\"no-such-encoding\"?><urlset/>",
        "<!DOCTYPE urlset SYSTEM \"file:///nonexistent.dtd\"><urlset><url><loc>x</loc></url>",
        "<urlset xmlns:a=\"\"><a:url><loc>\xff\xfe</loc></a:url></urlset>",
        "<<<<>>>>",
        "<html><p>not a sitemap",
    };
    struct sitemap s;

    stderr_capture();
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        parse_str(bad[i], &s);
        sitemap_free(&s);
    }
    long n = stderr_release();
    CHECKF(n == 0, "nothing on stderr (%ld bytes)", n);
}

/* ---- gzip ---- */

static void test_gzip(void)
{
    struct sitemap s;
    size_t zn, zn2;
    unsigned char *z = gz(urlset, strlen(urlset), &zn);

    CHECKF(z[0] == 0x1f && z[1] == 0x8b, "test gzip has the magic");
    CHECKF(sitemap_parse((const char *)z, zn, 0, &s) == SITEMAP_OK, "gzipped urlset parses");
    check_urlset(&s, "gzipped urlset");
    sitemap_free(&s);

    int rc = sitemap_parse((const char *)z, zn / 2, 0, &s);
    CHECKF(rc == SITEMAP_ERR_GZIP && s.nlocs == 0, "truncated gzip: rc %d", rc);
    sitemap_free(&s);
    rc = sitemap_parse((const char *)z, zn - 4, 0, &s);
    CHECKF(rc == SITEMAP_ERR_GZIP, "gzip without its length trailer: rc %d", rc);
    sitemap_free(&s);
    rc = sitemap_parse((const char *)z, 2, 0, &s);
    CHECKF(rc == SITEMAP_ERR_GZIP, "magic only: rc %d", rc);
    sitemap_free(&s);
    z[zn / 2] ^= 0x55;
    rc = sitemap_parse((const char *)z, zn, 0, &s);
    CHECKF(rc == SITEMAP_ERR_GZIP, "corrupt gzip: rc %d", rc);
    sitemap_free(&s);
    free(z);

    /* exactly at the cap is fine, one byte over is not */
    const char *text = "http://h/1\nhttp://h/2\n";
    size_t tn = strlen(text);
    z = gz(text, tn, &zn);
    CHECKF(sitemap_parse((const char *)z, zn, tn, &s) == SITEMAP_OK && s.nlocs == 2,
           "gzip exactly at the cap");
    sitemap_free(&s);
    CHECKF(sitemap_parse((const char *)z, zn, tn - 1, &s) == SITEMAP_ERR_TOO_LARGE,
           "gzip one byte over the cap");
    sitemap_free(&s);
    CHECKF(sitemap_parse(text, tn, tn, &s) == SITEMAP_OK, "plain exactly at the cap");
    sitemap_free(&s);
    CHECKF(sitemap_parse(text, tn, tn - 1, &s) == SITEMAP_ERR_TOO_LARGE, "plain over the cap");
    sitemap_free(&s);

    /* two gzip members in a row read as one stream */
    unsigned char *z2 = gz("http://h/3\n", 11, &zn2);
    unsigned char *both = malloc(zn + zn2);
    memcpy(both, z, zn);
    memcpy(both + zn, z2, zn2);
    CHECKF(sitemap_parse((const char *)both, zn + zn2, 0, &s) == SITEMAP_OK && s.nlocs == 3 &&
               loc_is(&s, 2, "http://h/3"),
           "multi-member gzip (%zu)", s.nlocs);
    sitemap_free(&s);
    free(both);
    free(z2);
    free(z);

    /* a bomb: 50 MB of zeros, about 50 KB compressed, against a 1 MB cap */
    z = gz(NULL, 50u << 20, &zn);
    CHECKF(zn < 200000, "bomb is small (%zu bytes)", zn);
    double t0 = now_s();
    rc = sitemap_parse((const char *)z, zn, 1u << 20, &s);
    double dt = now_s() - t0;
    CHECKF(rc == SITEMAP_ERR_TOO_LARGE && s.nlocs == 0 && s.locs == NULL, "bomb: rc %d", rc);
    CHECKF(dt < 5.0, "bomb stopped quickly (%.2f s)", dt);
    free(z);
}

/* ---- plain text ---- */

static void test_text(void)
{
    struct sitemap s;
    const char *t = "\xEF\xBB\xBFhttp://h/1\r\n\r\n  https://h/2  \nnot a url\n"
                    "file:///tmp/x\nhttp://h/with space\n\thttp://h/3\rno-scheme/x\n"
                    "1http://h/\nhttp://h/\x01x\nHTTPS://H/4";

    CHECKF(parse_str(t, &s) == SITEMAP_OK, "text parses");
    CHECKF(s.is_index == 0 && s.nlocs == 5, "text: nlocs %zu", s.nlocs);
    CHECKF(loc_is(&s, 0, "http://h/1") && loc_is(&s, 1, "https://h/2") &&
               loc_is(&s, 2, "file:///tmp/x") && loc_is(&s, 3, "http://h/3") &&
               loc_is(&s, 4, "HTTPS://H/4"),
           "text: locs %s %s %s %s %s", loc_at(&s, 0), loc_at(&s, 1), loc_at(&s, 2), loc_at(&s, 3),
           loc_at(&s, 4));
    sitemap_free(&s);

    CHECKF(sitemap_parse("", 0, 0, &s) == SITEMAP_OK && s.nlocs == 0, "empty input");
    sitemap_free(&s);
    CHECKF(sitemap_parse(NULL, 5, 0, &s) == SITEMAP_OK && s.nlocs == 0, "NULL input");
    sitemap_free(&s);
    CHECKF(parse_str(" \n\t\r\n", &s) == SITEMAP_OK && s.nlocs == 0, "blank input");
    sitemap_free(&s);
}

/* ---- caps ---- */

static void test_caps(void)
{
    struct sitemap s;
    size_t n = 0, total = SITEMAP_MAX_LOCS + 5, cap = total * 48 + 128;
    char *doc = malloc(cap);

    n += (size_t)sprintf(doc, "<urlset>");
    for (size_t i = 0; i < total; i++)
        n += (size_t)sprintf(doc + n, "<url><loc>http://h/%zu</loc></url>\n", i);
    n += (size_t)sprintf(doc + n, "</urlset>");
    CHECKF(sitemap_parse(doc, n, 0, &s) == SITEMAP_OK, "many locs parse");
    CHECKF(s.nlocs == SITEMAP_MAX_LOCS && s.dropped == 5, "many locs: %zu kept, %zu dropped",
           s.nlocs, s.dropped);
    CHECKF(loc_is(&s, SITEMAP_MAX_LOCS - 1, "http://h/49999"), "last kept loc");
    sitemap_free(&s);

    n = 0;
    for (size_t i = 0; i < SITEMAP_MAX_LOCS + 1; i++)
        n += (size_t)sprintf(doc + n, "http://h/%zu\n", i);
    CHECKF(sitemap_parse(doc, n, 0, &s) == SITEMAP_OK && s.nlocs == SITEMAP_MAX_LOCS &&
               s.dropped == 1,
           "text: many lines: %zu kept, %zu dropped", s.nlocs, s.dropped);
    sitemap_free(&s);

    /* a <loc> over SITEMAP_MAX_LOC_LEN is dropped, its neighbours kept */
    n = (size_t)sprintf(doc, "<urlset><url><loc>http://h/");
    memset(doc + n, 'a', 20000);
    n += 20000;
    n += (size_t)sprintf(doc + n, "</loc></url><url><loc>http://h/ok</loc></url></urlset>");
    CHECKF(sitemap_parse(doc, n, 0, &s) == SITEMAP_OK && s.nlocs == 1 &&
               loc_is(&s, 0, "http://h/ok") && s.dropped == 1,
           "long loc dropped (%zu kept, %zu dropped)", s.nlocs, s.dropped);
    sitemap_free(&s);

    /* exactly SITEMAP_MAX_LOC_LEN, with blanks around, is kept */
    n = (size_t)sprintf(doc, "<urlset><url><loc>\n   http://h/");
    size_t body = SITEMAP_MAX_LOC_LEN - strlen("http://h/");
    memset(doc + n, 'b', body);
    n += body;
    n += (size_t)sprintf(doc + n, "\n   </loc></url></urlset>");
    CHECKF(sitemap_parse(doc, n, 0, &s) == SITEMAP_OK && s.nlocs == 1 &&
               strlen(loc_at(&s, 0)) == SITEMAP_MAX_LOC_LEN && s.dropped == 0,
           "loc of the maximum length kept (%zu)", s.nlocs);
    sitemap_free(&s);
    free(doc);
}

int main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    test_xml();
    test_bare_amp();
    test_attacks();
    test_silence();
    test_gzip();
    test_text();
    test_caps();
    xmlCleanupParser();
    return check_summary("sitemap");
}
