/* test_html: html_extract on our own pages (each tag/attribute kind, <base>,
 * text collapsing and caps, title, meta robots, max_links, encodings, deep
 * nesting, the libxml2 quirks html.c works around), then the hostile cases
 * of html_link_cases.json from the shared testdata folder (argv[1]).
 *
 * html_link_cases.json: links are compared as sets of resolved URLs (each
 * expected raw value resolved with url_resolve against the case's document
 * base). Per-case adjustments live in `adjust` below:
 *  - expected_links_html5 also lists <base href> and <img src> values;
 *    html_extract reports neither as links (not_links);
 *  - where libxml2 2.9.14 makes HTML5's answer infeasible we expect what
 *    we report instead (ours), and say why:
 *      entities_in_href: libxml2 decodes a named reference only when a
 *        ';' ends it. HTML5 also decodes the ~100 legacy names without
 *        ';' (in attributes unless '=' or an alphanumeric follows), so
 *        "?l&lt" and "?a&amp" at the end of a value give "?l<" and "?a&".
 *        Emulating that needs the legacy-name table in html.c's pre-pass;
 *        not done, we report what libxml2 gives.
 *  - cases HTML5 gets right only because html.c works around libxml2:
 *    nul_byte_in_body (NUL -> U+FFFD before parsing), abrupt_comments
 *    ('<!-->' rewritten), solidus_in_tag ("<a/href" -> "<a href"),
 *    rawtext_rcdata_elements (nothing extracted in
 *    title/textarea/xmp/iframe/noembed/noframes/plaintext), entities
 *    &#0; / &#x110000; (rewritten to U+FFFD), invalid_utf8_no_charset and
 *    bom_beats_meta (our decoding), svg_xlink_href (xlink:href on <a>),
 *    deep_nesting_* (XML_PARSE_HUGE). */
#include "check.h"
#include "html.h"
#include "url.h"

#include "json_mini.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include <sys/resource.h>
#include <sys/stat.h>

#define PAGE "http://h/dir/page.html"

static int same(const char *a, const char *b)
{
    return (a == NULL && b == NULL) || (a && b && strcmp(a, b) == 0);
}

static const char *show(const char *s)
{
    return s ? s : "(null)";
}

/* One parser for the whole program, as a worker keeps one: every page
 * parsed here must give it exactly what a fresh html_extract gives. */
static void check_reused(const char *html, size_t len, const char *enc, size_t max,
                         const struct html_page *want)
{
    static struct html_parser *hp;
    if (!hp)
        hp = html_parser_new();
    const struct html_page *got = html_parser_run(hp, html, len, PAGE, enc, max);
    int ok = got && same(got->title, want->title) && same(got->base, want->base) &&
             same(got->meta_robots, want->meta_robots) && got->nlinks == want->nlinks &&
             got->links_dropped == want->links_dropped;
    for (size_t i = 0; ok && i < got->nlinks; i++) {
        const struct html_link *a = &got->links[i], *b = &want->links[i];
        ok = same(a->url, b->url) && same(a->tag, b->tag) && same(a->attr, b->attr) &&
             same(a->rel, b->rel) && same(a->text, b->text) && a->unusable == b->unusable;
    }
    CHECKF(ok, "a reused parser gives what html_extract gives (a %zu-byte page)", len);
}

static void parse_n(const char *html, size_t len, const char *enc, size_t max, struct html_page *p)
{
    int rc = html_extract(html, len, PAGE, enc, max, p);
    CHECKF(rc == 0, "html_extract returned %d", rc);
    if (rc == 0)
        check_reused(html, len, enc, max, p);
}

static void parse(const char *html, const char *enc, struct html_page *p)
{
    parse_n(html, strlen(html), enc, 1000, p);
}

/* links[i] has url (and tag/attr/text when not NULL) */
static void check_link(const struct html_page *p, size_t i, const char *url, const char *tag,
                       const char *attr, const char *text, int line)
{
    if (i >= p->nlinks) {
        CHECKF(0, "line %d: link %zu missing (%zu links)", line, i, p->nlinks);
        return;
    }
    const struct html_link *l = &p->links[i];
    CHECKF(same(l->url, url), "line %d: link %zu url %s want %s", line, i, show(l->url), url);
    if (tag)
        CHECKF(same(l->tag, tag), "line %d: link %zu tag %s want %s", line, i, show(l->tag), tag);
    if (attr)
        CHECKF(same(l->attr, attr), "line %d: link %zu attr %s want %s", line, i, show(l->attr),
               attr);
    if (text)
        CHECKF(same(l->text, text), "line %d: link %zu text '%s' want '%s'", line, i, show(l->text),
               text);
    CHECKF(l->text != NULL, "line %d: link %zu text is never NULL", line, i);
}

#define LINK(p, i, url, tag, attr, text) check_link(p, i, url, tag, attr, text, __LINE__)

/* links[i] is unusable for `why`, listed as `raw` */
static void check_unusable(const struct html_page *p, size_t i, const char *raw, int why,
                           const char *text, int line)
{
    check_link(p, i, raw, NULL, NULL, text, line);
    CHECKF(i < p->nlinks && p->links[i].unusable == why, "line %d: link %zu unusable %d want %d",
           line, i, i < p->nlinks ? p->links[i].unusable : -1, why);
}

#define UNUSABLE(p, i, raw, why, text) check_unusable(p, i, raw, why, text, __LINE__)

static void test_kinds(void)
{
    struct html_page p;
    parse("<a href=\"a1\">A</a><map><area href=\"ar\" alt=\" Alt \n text \"><area href=/ar2>"
          "</map><link rel=\"stylesheet\" href=\"/s.css\"><iframe src=\"if.html\"></iframe>"
          "<img src=/img.png><script src=/js.js></script>",
          NULL, &p);
    CHECKF(p.nlinks == 7, "kinds: %zu links", p.nlinks);
    LINK(&p, 5, "http://h/img.png", "img", "src", "");
    LINK(&p, 6, "http://h/js.js", "script", "src", "");
    LINK(&p, 0, "http://h/dir/a1", "a", "href", "A");
    LINK(&p, 1, "http://h/dir/ar", "area", "href", "Alt text");
    LINK(&p, 2, "http://h/ar2", "area", "href", "");
    LINK(&p, 3, "http://h/s.css", "link", "href", "");
    CHECKF(p.nlinks > 3 && same(p.links[3].rel, "stylesheet"), "link rel");
    CHECKF(p.nlinks > 0 && p.links[0].rel == NULL, "no rel -> NULL");
    LINK(&p, 4, "http://h/dir/if.html", "iframe", "src", "");
    html_page_free(&p);

    parse("<html><frameset><frame src=\"f1\"><FRAME SRC=\"/f2\"></frameset></html>", NULL, &p);
    CHECKF(p.nlinks == 2, "frames: %zu links", p.nlinks);
    LINK(&p, 0, "http://h/dir/f1", "frame", "src", "");
    LINK(&p, 1, "http://h/f2", "frame", "src", "");
    html_page_free(&p);

    parse("<A HREF=\"UP\" REL=\" NoFollow \n\t UGC \">Up</A><AREA Href=/x><LINK HREF=/l>"
          "<IFRAME SRC=/i></IFRAME><TITLE>T</TITLE>",
          NULL, &p);
    CHECKF(p.nlinks == 4, "upper case: %zu links", p.nlinks);
    LINK(&p, 0, "http://h/dir/UP", "a", "href", "Up");
    CHECKF(p.nlinks > 0 && same(p.links[0].rel, "NoFollow UGC"), "rel collapsed: %s",
           p.nlinks ? show(p.links[0].rel) : "-");
    LINK(&p, 1, "http://h/x", "area", "href", NULL);
    LINK(&p, 2, "http://h/l", "link", "href", NULL);
    LINK(&p, 3, "http://h/i", "iframe", "src", NULL);
    CHECKF(same(p.title, "T"), "upper-case title");
    html_page_free(&p);

    parse("<svg><a xlink:href=\"/svg1\">s</a></svg><a href=x>1</a><a href=x>2</a>", NULL, &p);
    CHECKF(p.nlinks == 3, "svg + duplicates: %zu links", p.nlinks);
    LINK(&p, 0, "http://h/svg1", "a", "href", "s");
    LINK(&p, 1, "http://h/dir/x", "a", "href", "1");
    LINK(&p, 2, "http://h/dir/x", "a", "href", "2");
    html_page_free(&p);
}

static void test_resolution(void)
{
    struct html_page p;
    parse("<a href=x>1</a><a href=../y>2</a><a href=//other/z>3</a><a href=?q>4</a>"
          "<a href=#frag>5</a><a href=\"\">6</a><a href>7</a><a href=\" \">8</a>"
          "<a href=javascript:void(0)>9</a><a href=\"JavaScript:x()\">10</a>"
          "<a href=mailto:a@b>11</a><a href=\"data:text/html,x\">12</a><a href=tel:1>13</a>"
          "<a name=anchor>14</a><a href=HTTP://H:80/A/../b>15</a>",
          NULL, &p);
    CHECKF(p.nlinks == 14, "resolution: %zu links", p.nlinks);
    LINK(&p, 0, "http://h/dir/x", "a", "href", "1");
    LINK(&p, 1, "http://h/y", "a", "href", "2");
    LINK(&p, 2, "http://other/z", "a", "href", "3");
    LINK(&p, 3, "http://h/dir/page.html?q", "a", "href", "4");
    LINK(&p, 4, "http://h/dir/page.html", "a", "href", "5");
    /* references that are no URL are listed as written, with the reason */
    UNUSABLE(&p, 5, "", HTML_UNUSABLE_EMPTY, "6");
    UNUSABLE(&p, 6, "", HTML_UNUSABLE_EMPTY, "7");
    UNUSABLE(&p, 7, "", HTML_UNUSABLE_EMPTY, "8");
    UNUSABLE(&p, 8, "javascript:void(0)", HTML_UNUSABLE_SCHEME, "9");
    UNUSABLE(&p, 9, "JavaScript:x()", HTML_UNUSABLE_SCHEME, "10");
    UNUSABLE(&p, 10, "mailto:a@b", HTML_UNUSABLE_SCHEME, "11");
    UNUSABLE(&p, 11, "data:text/html,x", HTML_UNUSABLE_SCHEME, "12");
    UNUSABLE(&p, 12, "tel:1", HTML_UNUSABLE_SCHEME, "13");
    LINK(&p, 13, "http://h/b", "a", "href", "15");
    for (size_t i = 0; i < 5; i++)
        CHECKF(p.links[i].unusable == 0, "link %zu is usable", i);
    CHECKF(p.links_dropped == 0, "refused references are not 'dropped': %zu", p.links_dropped);
    CHECKF(p.base == NULL, "no base");
    html_page_free(&p);
}

static void test_unusable(void)
{
    struct html_page p;
    char *long_ref = malloc(URL_MAX_LEN + 64);
    memcpy(long_ref, "<a href=\"http://h/", 18);
    memset(long_ref + 18, 'x', URL_MAX_LEN);
    strcpy(long_ref + 18 + URL_MAX_LEN, "\">L</a>");
    parse("<a href=\"http://b\xc3\xbc"
          "cher.example/\">idn</a>"
          "<a href=\" http://xn--a/ \">bad</a><a href=\"http://h:99999/\">port</a>"
          "<img src=\"data:image/png;base64,AAAA\">",
          NULL, &p);
    CHECKF(p.nlinks == 4, "unusable: %zu links", p.nlinks);
    LINK(&p, 0, "http://xn--bcher-kva.example/", "a", "href", "idn");
    CHECKF(p.nlinks > 0 && p.links[0].unusable == 0, "an IDN link is usable, in punycode");
    UNUSABLE(&p, 1, "http://xn--a/", HTML_UNUSABLE_BAD_HOST, "bad");
    UNUSABLE(&p, 2, "http://h:99999/", HTML_UNUSABLE_BAD_URL, "port");
    UNUSABLE(&p, 3, "data:image/png;base64,AAAA", HTML_UNUSABLE_SCHEME, NULL);
    html_page_free(&p);
    parse(long_ref, NULL, &p);
    CHECKF(p.nlinks == 1 && p.links[0].unusable == HTML_UNUSABLE_TOO_LONG &&
               strlen(p.links[0].url) == HTML_REF_MAX,
           "too long: listed, cut at HTML_REF_MAX");
    html_page_free(&p);
    free(long_ref);
    CHECKF(same(html_unusable_name(HTML_UNUSABLE_BAD_HOST), "bad_host") &&
               html_unusable_name(0) == NULL && html_unusable_name(99) == NULL,
           "html_unusable_name");
}

static void test_base(void)
{
    struct html_page p;
    parse("<head><base href=\"http://b.example/base/\"></head><a href=x>x</a><a href=/r>r</a>",
          NULL, &p);
    CHECKF(same(p.base, "http://b.example/base/"), "absolute base: %s", show(p.base));
    LINK(&p, 0, "http://b.example/base/x", NULL, NULL, "x");
    LINK(&p, 1, "http://b.example/r", NULL, NULL, "r");
    html_page_free(&p);

    parse("<base href=\"/other/\"><a href=x>x</a>", NULL, &p);
    CHECKF(same(p.base, "http://h/other/"), "relative base resolved against the page: %s",
           show(p.base));
    LINK(&p, 0, "http://h/other/x", NULL, NULL, NULL);
    html_page_free(&p);

    parse("<a href=x>before</a><p>text<base href=\"http://b2/\"><a href=y>after</a>", NULL, &p);
    CHECKF(same(p.base, "http://b2/"), "late base: %s", show(p.base));
    CHECKF(p.nlinks == 2, "late base: %zu links", p.nlinks);
    LINK(&p, 0, "http://b2/x", "a", "href", "before");
    LINK(&p, 1, "http://b2/y", "a", "href", "after");
    html_page_free(&p);

    parse("<a href=x>foo<base href=/b/>bar</a><a href=y>z</a>", NULL, &p);
    CHECKF(p.nlinks == 2, "base inside an open <a>: %zu links", p.nlinks);
    LINK(&p, 0, "http://h/b/x", NULL, NULL, "foobar");
    LINK(&p, 1, "http://h/b/y", NULL, NULL, "z");
    html_page_free(&p);

    parse("<base href=/first/><base href=\"http://evil.example/\"><a href=x>x</a>", NULL, &p);
    CHECKF(same(p.base, "http://h/first/"), "second base ignored: %s", show(p.base));
    LINK(&p, 0, "http://h/first/x", NULL, NULL, NULL);
    html_page_free(&p);

    parse("<base target=_blank><base href=/b/><a href=x>x</a>", NULL, &p);
    CHECKF(same(p.base, "http://h/b/"), "first base *with href* wins: %s", show(p.base));
    html_page_free(&p);

    parse("<a href=x>x</a><base href=\"javascript:alert(1)\"><base href=/no/>", NULL, &p);
    CHECKF(p.base == NULL, "unusable first base -> document URL: %s", show(p.base));
    LINK(&p, 0, "http://h/dir/x", NULL, NULL, NULL);
    html_page_free(&p);

    parse("<textarea><base href=/ta/></textarea><a href=x>x</a>", NULL, &p);
    CHECKF(p.base == NULL, "base inside textarea is text");
    LINK(&p, 0, "http://h/dir/x", NULL, NULL, NULL);
    html_page_free(&p);
}

static int valid_utf8(const char *s)
{
    const unsigned char *u = (const unsigned char *)s;
    while (*u) {
        size_t n = *u < 0x80 ? 1 : (*u & 0xE0) == 0xC0 ? 2 : (*u & 0xF0) == 0xE0 ? 3 : 4;
        for (size_t k = 1; k < n; k++)
            if ((u[k] & 0xC0) != 0x80)
                return 0;
        u += n;
    }
    return 1;
}

static void test_text(void)
{
    struct html_page p;
    parse("<a href=x>  Hello \n\t <b>big</b>\r\n   world  </a><a href=y>foo<span>bar</span></a>"
          "<a href=z></a><a href=w><img src=i alt=z></a><a href=v> &amp; &lt;b&gt; </a>"
          "<a href=u>x<script>var s = 1;</script>y<style>p{}</style></a>",
          NULL, &p);
    LINK(&p, 0, "http://h/dir/x", NULL, NULL, "Hello big world");
    LINK(&p, 1, "http://h/dir/y", NULL, NULL, "foobar");
    LINK(&p, 2, "http://h/dir/z", NULL, NULL, "");
    LINK(&p, 3, "http://h/dir/w", NULL, NULL, "");
    LINK(&p, 4, "http://h/dir/i", "img", "src", "z"); /* its own link, alt as text */
    LINK(&p, 5, "http://h/dir/v", NULL, NULL, "& <b>");
    LINK(&p, 6, "http://h/dir/u", NULL, NULL, "xy");
    html_page_free(&p);

    /* the cap: HTML_TEXT_MAX bytes, cut on a UTF-8 boundary */
    static char page[4096];
    strcpy(page, "<title>");
    for (int i = 0; i < 100; i++)
        strcat(page, "\xe2\x82\xac"); /* 3 bytes: 256 is not a multiple */
    strcat(page, "</title><a href=x>");
    for (int i = 0; i < 255; i++)
        strcat(page, "a");
    strcat(page, "\xc3\xa9</a><a href=y>");
    for (int i = 0; i < 255; i++)
        strcat(page, i % 2 ? "b" : " \n ");
    strcat(page, "</a><a href=z>");
    for (int i = 0; i < 256; i++)
        strcat(page, "c");
    strcat(page, "</a>");
    parse(page, NULL, &p);
    CHECKF(p.title && strlen(p.title) == 255 && valid_utf8(p.title), "title cut to 255 bytes: %zu",
           p.title ? strlen(p.title) : 0);
    CHECKF(p.nlinks == 3, "cap: %zu links", p.nlinks);
    if (p.nlinks == 3) {
        CHECKF(strlen(p.links[0].text) == 255 && p.links[0].text[254] == 'a',
               "a*255 + e-acute cut before the 2-byte char: %zu", strlen(p.links[0].text));
        size_t n = strlen(p.links[1].text);
        CHECKF(n <= HTML_TEXT_MAX && p.links[1].text[n - 1] != ' ' && p.links[1].text[0] == 'b',
               "collapsed then cut, no trailing space: %zu", n);
        CHECKF(strlen(p.links[2].text) == HTML_TEXT_MAX, "exactly the cap: %zu",
               strlen(p.links[2].text));
    }
    html_page_free(&p);
}

static void test_title_robots(void)
{
    struct html_page p;
    parse("<html><head><title>  My \n Title &amp; Co </title><title>Second</title>"
          "<meta name=\"ROBOTS\" content=\"NoIndex, NoFollow\">"
          "<meta name=description content=Desc></head></html>",
          NULL, &p);
    CHECKF(same(p.title, "My Title & Co"), "title: %s", show(p.title));
    CHECKF(same(p.meta_robots, "noindex, nofollow"), "robots: %s", show(p.meta_robots));
    html_page_free(&p);

    parse("<p>no title, no robots<meta name=googlebot content=noindex>", NULL, &p);
    CHECKF(p.title == NULL, "no title -> NULL");
    CHECKF(p.meta_robots == NULL, "no robots -> NULL");
    CHECKF(p.nlinks == 0 && p.links == NULL, "no links");
    html_page_free(&p);

    parse("<title></title><meta name=\" robots \" content=\"\"><body>"
          "<meta name=Robots content=NOARCHIVE>",
          NULL, &p);
    CHECKF(same(p.title, ""), "empty title is \"\": %s", show(p.title));
    CHECKF(same(p.meta_robots, "noarchive"), "empty robots then one more: %s", show(p.meta_robots));
    html_page_free(&p);

    static char big[3000];
    strcpy(big, "<meta name=robots content=\"x");
    for (int i = 0; i < 700; i++)
        strcat(big, "\xc3\x89"); /* É: the 1024-byte cap falls inside one */
    strcat(big, "\">");
    parse(big, NULL, &p);
    CHECKF(p.meta_robots && strlen(p.meta_robots) == 1023 && valid_utf8(p.meta_robots),
           "robots capped on a UTF-8 boundary: %zu", p.meta_robots ? strlen(p.meta_robots) : 0);
    html_page_free(&p);

    parse("<meta name=robots content=noindex><meta name=robots content=NoFollow>", NULL, &p);
    CHECKF(same(p.meta_robots, "noindex, nofollow"), "two robots metas joined: %s",
           show(p.meta_robots));
    html_page_free(&p);
}

static void test_max_links(void)
{
    struct html_page p;
    const char *html = "<a href=1>1</a><a href=javascript:x>j</a><a href=2>2</a><a href=3>3</a>"
                       "<a href=mailto:m>m</a><a href=4>4</a><link href=5>";
    parse_n(html, strlen(html), NULL, 3, &p);
    CHECKF(p.nlinks == 3 && p.links_dropped == 4, "max 3: %zu kept, %zu dropped", p.nlinks,
           p.links_dropped); /* unusable links are listed, so they count */
    LINK(&p, 0, "http://h/dir/1", NULL, NULL, "1");
    UNUSABLE(&p, 1, "javascript:x", HTML_UNUSABLE_SCHEME, "j");
    LINK(&p, 2, "http://h/dir/2", NULL, NULL, "2");
    html_page_free(&p);

    /* the same with a <base> at the end: links wait, then the cap applies */
    html = "<a href=1>1</a><a href=javascript:x>j</a><a href=2>2</a><a href=3>3</a>"
           "<a href=4>4</a><base href=http://b/>";
    parse_n(html, strlen(html), NULL, 2, &p);
    CHECKF(p.nlinks == 2 && p.links_dropped == 3, "max 2 with late base: %zu kept, %zu dropped",
           p.nlinks, p.links_dropped);
    LINK(&p, 0, "http://b/1", NULL, NULL, "1");
    UNUSABLE(&p, 1, "javascript:x", HTML_UNUSABLE_SCHEME, "j");
    html_page_free(&p);

    parse_n(html, strlen(html), NULL, 0, &p);
    CHECKF(p.nlinks == 0 && p.links_dropped == 5, "max 0: %zu kept, %zu dropped", p.nlinks,
           p.links_dropped);
    html_page_free(&p);
}

static void test_encodings(void)
{
    struct html_page p;
    parse("<title>caf\xc3\xa9</title><a href=x>caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80</a>", NULL,
          &p);
    LINK(&p, 0, "http://h/dir/x", NULL, NULL, "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
    CHECKF(same(p.title, "caf\xc3\xa9"), "undeclared UTF-8 title: %s", show(p.title));
    html_page_free(&p);

    parse("<meta charset=windows-1252><a href=x>caf\xe9 \x80 \x81\x9d</a><a href=y>after</a>", NULL,
          &p);
    LINK(&p, 0, "http://h/dir/x", NULL, NULL, "caf\xc3\xa9 \xe2\x82\xac \xc2\x81\xc2\x9d");
    LINK(&p, 1, "http://h/dir/y", NULL, NULL, "after");
    html_page_free(&p);

    parse("<a href=x>caf\xe9</a>", "windows-1252", &p);
    LINK(&p, 0, "http://h/dir/x", NULL, NULL, "caf\xc3\xa9");
    html_page_free(&p);
    parse("<a href=x>\x80</a>", "ISO-8859-1", &p); /* WHATWG: latin1 means windows-1252 */
    LINK(&p, 0, "http://h/dir/x", NULL, NULL, "\xe2\x82\xac");
    html_page_free(&p);
    parse("<a href=x>caf\xe9</a>", NULL, &p); /* not UTF-8, nothing declared */
    LINK(&p, 0, "http://h/dir/x", NULL, NULL, "caf\xc3\xa9");
    html_page_free(&p);
    parse("<a href=x>caf\xe9</a>", "no-such-charset", &p); /* unknown label: sniff */
    LINK(&p, 0, "http://h/dir/x", NULL, NULL, "caf\xc3\xa9");
    html_page_free(&p);

    /* declared UTF-8 with a stray byte: U+FFFD, output stays UTF-8 */
    parse("<meta charset=utf-8><a href=x>a\xe9z \xc3\xa9</a><a href=y>y</a>", NULL, &p);
    LINK(&p, 0, "http://h/dir/x", NULL, NULL, "a\xef\xbf\xbdz \xc3\xa9");
    LINK(&p, 1, "http://h/dir/y", NULL, NULL, "y");
    html_page_free(&p);
    parse("<a href=x>a\xe9z</a>", "UTF-8", &p);
    LINK(&p, 0, "http://h/dir/x", NULL, NULL, "a\xef\xbf\xbdz");
    html_page_free(&p);

    /* a BOM beats the caller's label and the meta */
    parse("\xef\xbb\xbf<meta charset=iso-8859-1><a href=x>\xc3\xa9</a>", "windows-1252", &p);
    LINK(&p, 0, "http://h/dir/x", NULL, NULL, "\xc3\xa9");
    html_page_free(&p);

    /* UTF-16LE with a BOM */
    const char u16[] = "\xff\xfe<\0a\0 \0h\0r\0e\0f\0=\0x\0>\0\xe9\0\xac\x20<\0/\0a\0>\0";
    parse_n(u16, sizeof u16 - 1, NULL, 10, &p);
    LINK(&p, 0, "http://h/dir/x", NULL, NULL, "\xc3\xa9\xe2\x82\xac");
    html_page_free(&p);

    /* Shift_JIS declared in a meta: 日本 */
    parse("<meta http-equiv=Content-Type content=\"text/html; charset=Shift_JIS\">"
          "<a href=x>\x93\xfa\x96\x7b</a>",
          NULL, &p);
    LINK(&p, 0, "http://h/dir/x", NULL, NULL, "\xe6\x97\xa5\xe6\x9c\xac");
    html_page_free(&p);

    /* numeric references: C1 range means windows-1252, bad ones U+FFFD */
    parse("<a href=x>&#150;&#x80;&#0;&#xD800;&#1234567;&#233;</a><a href=\"/&#0;z\">y</a>", NULL,
          &p);
    LINK(&p, 0, "http://h/dir/x", NULL, NULL,
         "\xe2\x80\x93\xe2\x82\xac\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xc3\xa9");
    LINK(&p, 1, "http://h/%EF%BF%BDz", NULL, NULL, "y");
    html_page_free(&p);
}

static void test_quirks(void)
{
    struct html_page p;
    const char nul[] = "<a href=/1>1</a>\0<a href=/2>2\0x</a>";
    parse_n(nul, sizeof nul - 1, NULL, 10, &p);
    CHECKF(p.nlinks == 2, "NUL does not end the document: %zu", p.nlinks);
    LINK(&p, 1, "http://h/2", NULL, NULL, "2\xef\xbf\xbdx");
    html_page_free(&p);

    parse("<!--><a href=/c2>c2</a><!---><a href=/c4>c4</a><!-- <a href=/no> --><a href=/c5>", NULL,
          &p);
    CHECKF(p.nlinks == 3, "abrupt comments: %zu", p.nlinks);
    LINK(&p, 0, "http://h/c2", NULL, NULL, NULL);
    LINK(&p, 1, "http://h/c4", NULL, NULL, NULL);
    LINK(&p, 2, "http://h/c5", NULL, NULL, NULL);
    html_page_free(&p);

    parse("<title><a href=/t1>x</a></title><textarea><a href=/t2></textarea>"
          "<script>document.write('<a href=/s>')</script><style><a href=/st></style>"
          "<xmp><a href=/x></xmp><iframe src=/if><a href=/in></iframe>"
          "<noembed><a href=/ne></noembed><noframes><a href=/nf></noframes>"
          "<noscript><a href=/ns>ns</a></noscript><a href=/after>a</a>"
          "<plaintext><a href=/pt>",
          NULL, &p);
    CHECKF(p.nlinks == 3, "raw text elements: %zu links", p.nlinks);
    LINK(&p, 0, "http://h/if", "iframe", "src", "");
    LINK(&p, 1, "http://h/ns", NULL, NULL, "ns");
    LINK(&p, 2, "http://h/after", NULL, NULL, "a");
    CHECKF(same(p.title, "x"), "title text: %s", show(p.title));
    html_page_free(&p);

    /* 1000 nested divs: libxml2 stops at 256 without XML_PARSE_HUGE */
    static char deep[8000];
    deep[0] = '\0';
    for (int i = 0; i < 1000; i++)
        strcat(deep, "<div>");
    strcat(deep, "<a href=/deep>d</a>");
    parse(deep, NULL, &p);
    CHECKF(p.nlinks == 1, "depth 1000: %zu links", p.nlinks);
    LINK(&p, 0, "http://h/deep", NULL, NULL, "d");
    html_page_free(&p);

    parse("", NULL, &p);
    CHECKF(p.nlinks == 0 && p.title == NULL && p.base == NULL, "empty body");
    html_page_free(&p);
    CHECKF(html_extract(NULL, 0, PAGE, NULL, 10, &p) == 0 && p.nlinks == 0, "NULL body");
    html_page_free(&p);
    html_page_free(&p); /* freeing twice is harmless: the struct is zeroed */
    html_page_free(NULL);
}

/* ---- html_link_cases.json ---- */

struct adjust {
    const char *id;
    const char *base;         /* raw <base href> of the document, or NULL */
    const char *not_links[3]; /* expected raw values that are not links here */
    const char *ours[2][2];   /* {HTML5 raw value, what libxml2 lets us report} */
    const char *extra[4];     /* links we extract beyond the HTML5 list (srcset, refresh) */
};

static const struct adjust adjustments[] = {
    {"two_base_elements", "/other/", {"/other/", "http://evil.example/"}, {{NULL}}, {NULL}},
    {"base_in_body_after_link", "http://b2/", {"http://b2/"}, {{NULL}}, {NULL}},
    {"other_link_elements", NULL, {NULL}, {{NULL}}, {"/a.png", "/b.png", "/refresh"}},
    {"entities_in_href", NULL, {NULL}, {{"?l<", "?l&lt"}, {"?a&", "?a&amp"}}, {NULL}},
};

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* sort and drop duplicates */
static size_t set_norm(char **v, size_t n)
{
    size_t w = 0;
    qsort(v, n, sizeof *v, cmp_str);
    for (size_t i = 0; i < n; i++) {
        if (w && strcmp(v[w - 1], v[i]) == 0) {
            free(v[i]);
            continue;
        }
        v[w++] = v[i];
    }
    return w;
}

static void run_link_case(const struct jm *c)
{
    const char *id = jm_str(c, "id");
    const struct jm *html = jm_get(c, "html_latin1");
    const struct jm *exp = jm_get(c, "expected_links_html5");
    if (!id || !html || html->type != JM_STR || !exp || exp->type != JM_ARR) {
        CHECKF(0, "malformed link case %s", show(id));
        return;
    }
    const struct adjust *adj = NULL;
    for (size_t i = 0; i < sizeof adjustments / sizeof adjustments[0]; i++)
        if (strcmp(adjustments[i].id, id) == 0)
            adj = &adjustments[i];

    char *bytes = malloc(html->len + 1);
    size_t n = jm_latin1_bytes(html->s, html->len, bytes);
    struct html_page p;
    parse_n(bytes, n, NULL, 1000, &p);
    free(bytes);

    char *docbase = NULL;
    if (adj && adj->base)
        url_resolve(PAGE, adj->base, strlen(adj->base), &docbase);
    CHECKF(same(p.base, docbase), "%s: base %s want %s", id, show(p.base), show(docbase));

    char **want = calloc(exp->nkids + 4, sizeof *want);
    char **got = calloc(p.nlinks + 1, sizeof *got);
    size_t nw = 0, ng = 0;
    for (size_t i = 0; i < exp->nkids; i++) {
        const struct jm *e = &exp->kids[i];
        const char *raw = e->s;
        size_t raw_len = e->len;
        int skip = 0;
        for (size_t k = 0; adj && k < 3 && adj->not_links[k]; k++)
            skip |= strcmp(adj->not_links[k], raw) == 0;
        for (size_t k = 0; adj && k < 2 && adj->ours[k][0]; k++) {
            if (strcmp(adj->ours[k][0], raw) == 0) {
                raw = adj->ours[k][1];
                raw_len = strlen(raw);
            }
        }
        char *u = NULL;
        if (!skip && url_resolve(docbase ? docbase : PAGE, raw, raw_len, &u) == 0)
            want[nw++] = u;
    }
    for (size_t k = 0; adj && k < 4 && adj->extra[k]; k++) {
        char *u = NULL;
        if (url_resolve(docbase ? docbase : PAGE, adj->extra[k], strlen(adj->extra[k]), &u) == 0)
            want[nw++] = u;
    }
    for (size_t i = 0; i < p.nlinks; i++) /* the table lists URLs only */
        if (!p.links[i].unusable)
            got[ng++] = strdup(p.links[i].url);
    nw = set_norm(want, nw);
    ng = set_norm(got, ng);
    int ok = nw == ng;
    for (size_t i = 0; ok && i < nw; i++)
        ok = strcmp(want[i], got[i]) == 0;
    CHECKF(ok, "link case %s: got %zu links, want %zu", id, ng, nw);
    if (!ok) {
        for (size_t i = 0; i < nw; i++)
            printf("    want %s\n", want[i]);
        for (size_t i = 0; i < ng; i++)
            printf("    got  %s\n", got[i]);
    }
    for (size_t i = 0; i < nw; i++)
        free(want[i]);
    for (size_t i = 0; i < ng; i++)
        free(got[i]);
    free(want);
    free(got);
    free(docbase);
    html_page_free(&p);
}

static void test_link_cases(const char *dir)
{
    struct jm *root;
    const struct jm *cases =
        jm_testdata_cases(dir, "html_link_cases.json", "hostile link cases", &root);
    if (!cases) {
        check_skipped++;
        return;
    }
    CHECKF(cases->nkids == 21, "21 link cases, read %zu", cases->nkids);
    for (size_t i = 0; i < cases->nkids; i++)
        run_link_case(&cases->kids[i]);
    jm_free(root);
}

/* A <base> at the end of a page with a million links and --max-links 10:
 * the links waiting for it are capped too. Measured in a child (its peak
 * RSS): keeping every link unresolved took ~200 MB, the page is 15 MB. */
static void test_base_cap(void)
{
#if defined(__SANITIZE_ADDRESS__)
    /* ASan's quarantine keeps freed memory: the RSS says nothing here */
    printf("SKIP: base cap memory check (sanitizer build)\n");
    check_skipped++;
    return;
#endif
    const size_t n = 1000000;
    const char *link = "<a href=\"p/x\">t</a>";
    size_t ll = strlen(link);
    char *doc = malloc(n * ll + 64);
    size_t len = 0;
    for (size_t i = 0; i < n; i++, len += ll)
        memcpy(doc + len, link, ll);
    len += (size_t)sprintf(doc + len, "<base href=\"http://b.example/d/\">");
    pid_t pid = fork();
    if (pid == 0) {
        struct html_page p;
        struct rusage ru0, ru1;
        getrusage(RUSAGE_SELF, &ru0);
        int rc = html_extract(doc, len, "http://a.example/", "utf-8", 10, &p);
        getrusage(RUSAGE_SELF, &ru1);
        long grown_mb = (ru1.ru_maxrss - ru0.ru_maxrss) / 1024;
        int ok = rc == 0 && p.nlinks == 10 && p.links_dropped == n - 10 &&
                 !strcmp(p.links[0].url, "http://b.example/d/p/x");
        printf("base cap: %zu links kept, %zu dropped, peak grew %ld MB\n", p.nlinks,
               p.links_dropped, grown_mb);
        fflush(stdout);
        _exit(ok && grown_mb < 100 ? 0 : 1);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    CHECKF(WIFEXITED(status) && WEXITSTATUS(status) == 0,
           "a late <base>: at most --max-links links wait, resolved against it");
    free(doc);
}

int main(int argc, char **argv)
{
    test_kinds();
    test_resolution();
    test_unusable();
    test_base();
    test_text();
    test_title_robots();
    test_max_links();
    test_encodings();
    test_quirks();
    test_base_cap();
    struct stat st;
    if (argc > 1 && stat(argv[1], &st) == 0 && S_ISDIR(st.st_mode)) {
        test_link_cases(argv[1]);
    } else {
        printf("SKIP: testdata folder %s absent, html_link_cases.json not run\n",
               argc > 1 ? argv[1] : "(none given)");
        check_skipped++;
    }
    return check_summary("html");
}
