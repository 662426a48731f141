/* test_html_fast: the fast tokenizer (parser/html_fast.c) against libxml2.
 * Every page here is parsed by one html_parser in its default mode and by
 * one forced to libxml2; the two pages must be equal field by field. Pages
 * the fast tokenizer must take (so that it is really used) and pages it
 * must decline (what it does not reproduce) are listed in `cases`; then
 * every HTML file of sample_sites/ (argv[2]) and the hostile cases of
 * html_link_cases.json (argv[1], the shared testdata folder) are compared,
 * and a page in the style of the benchmark sites, built here. */
#include "check.h"
#include "html.h"

#include "json_mini.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define PAGE "http://h/dir/page.html"

static struct html_parser *fast, *slow;
static int compared, taken;

static int same_str(const char *a, const char *b)
{
    return (!a || !b) ? a == b : strcmp(a, b) == 0;
}

/* The first difference between two pages, or NULL. */
static const char *differ(const struct html_page *a, const struct html_page *b)
{
    if (!same_str(a->title, b->title))
        return "title";
    if (!same_str(a->base, b->base))
        return "base";
    if (!same_str(a->meta_robots, b->meta_robots))
        return "meta robots";
    if (a->nlinks != b->nlinks || a->links_dropped != b->links_dropped)
        return "number of links";
    for (size_t i = 0; i < a->nlinks; i++) {
        const struct html_link *x = &a->links[i], *y = &b->links[i];
        if (!same_str(x->url, y->url) || !same_str(x->tag, y->tag) || !same_str(x->attr, y->attr) ||
            x->unusable != y->unusable)
            return "a link";
        if (!same_str(x->rel, y->rel))
            return "a link's rel";
        if (!same_str(x->text, y->text))
            return "a link's text";
    }
    return NULL;
}

static void dump(const char *who, const struct html_page *p)
{
    printf("    %s: title=%s base=%s robots=%s links=%zu\n", who, p->title ? p->title : "-",
           p->base ? p->base : "-", p->meta_robots ? p->meta_robots : "-", p->nlinks);
    for (size_t i = 0; i < p->nlinks && i < 40; i++)
        printf("      %s %s %s rel=%s text=[%s]\n", p->links[i].tag, p->links[i].attr,
               p->links[i].url, p->links[i].rel ? p->links[i].rel : "-", p->links[i].text);
}

/* Parse doc both ways; returns whether the fast tokenizer took it. */
static int compare(const char *what, const char *doc, size_t len, size_t max_links)
{
    const struct html_page *a = html_parser_run(fast, doc, len, PAGE, NULL, max_links);
    int was_fast = html_parser_was_fast(fast);
    const struct html_page *b = html_parser_run(slow, doc, len, PAGE, NULL, max_links);
    CHECKF(a && b, "%s: both parsers ran", what);
    if (!a || !b)
        return 0;
    CHECKF(!html_parser_was_fast(slow), "%s: the libxml2 parser used libxml2", what);
    /* a is still valid: each parser keeps its own page until its next run */
    const char *d = differ(a, b);
    CHECKF(d == NULL, "%s: fast%s and libxml2 give the same page (differs in %s)", what,
           was_fast ? "" : " (declined)", d ? d : "-");
    if (d) {
        dump("fast", a);
        dump("libxml2", b);
    }
    compared++;
    taken += was_fast;
    return was_fast;
}

static const struct {
    const char *name;
    int fast; /* 1: must be taken, 0: must be declined */
    const char *html;
} cases[] = {
    {"plain page", 1,
     "<!DOCTYPE html><html><head><title> A &amp; B&nbsp;C </title>"
     "<meta name=ROBOTS content='NoIndex, Follow'><link rel=stylesheet href=/s.css>"
     "<style>a{b:c} /* <a href=/css> */</style>"
     "<script>var s = \"<a href='/js'>\"; if (1 < 2) {}</script></head>"
     "<body><p>x &gt; y<a href=a.html>A <b>bold</b> &amp; <i>it</i></a>"
     "<A HREF='B.html' REL=' nofollow  me '>B</A><a href=\"c.html?x=1&amp;y=2\">C</a>"
     "<img src=i.png alt='pic' srcset='i2.png 2x, i3.png 3x'>"
     "<a href=d.html><img src=d.png alt=d>dee</a>"
     "<iframe src=f.html></iframe><form action=/go></form>"
     "<meta http-equiv=refresh content='0; url=next.html'>"
     "<!-- <a href=/commented> --><!-- x --!><a href=/after>after</a>"
     "<a href=e.html>unclosed at the end"},
    {"doctype with literals", 1,
     "<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Transitional//EN\" "
     "\"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd\">"
     "<html><body><a href=x>x</a></body></html>"},
    {"late base", 1, "<a href=one>1</a><base href='http://other/b/'><a href=two>2</a>"},
    {"duplicate attributes, valueless ones", 1,
     "<a href=first href=second>t</a><a href>v</a><img src alt=x><a href = 'sp' >s</a>"},
    {"entities", 1,
     "<a href='/x?a=1&b=2&amp;c=&lt;&#65;&#x42;&unknown;&amp'>&eacute;&#233;&#x263A;"
     "&bogus;&amp &lt</a><title>&mdash;T&hellip;</title>"},
    {"self-closed and stray end tags", 1,
     "<a href=s1 /><a href=\"s2\"/>after</a></p></div><title/><br/><span/>"},
    {"inline elements nested in a", 1,
     "<a href=n><span><em>deep</em> <code>c</code></span> tail</a>"
     "<a href=m><b>unclosed bold</a> after"},
    {"script end tag in any case", 1, "<script>x</SCRIPT ><a href=y>y</a>"},
    {"comment in anchor text", 1, "<a href=c>be<!-- hidden -->fore</a>"},
    {"uppercase and odd names", 1, "<DIV CLASS=x data-a_b.c=1 _ng=2 :x=3><a href=z>z</a></DIV>"},
    {"a inside a", 0, "<a href=1>one<a href=2>two</a>"},
    {"block elements inside a (a card)", 1,
     "<a href=1><div class=card><h3>Title</h3><p>text <em>x</em></p><ul><li>i</li></ul>"
     "<img src=c.png alt=c></div></a>after<a href=2><p>one</p><p>two</p></a>"},
    {"end of a not closing past a div", 0, "<a href=1><div>inside</a>still inside</div>"},
    {"an element libxml2 closes inside a", 0, "<a href=1><p>one<p>two</a>"},
    {"a list item closing another", 0, "<a href=1><li>one<li>two</a>"},
    {"tag inside title", 0, "<title>a<b>b</b></title><a href=x>x</a>"},
    {"textarea", 0, "<textarea><a href=t>t</a></textarea>"},
    {"lone less-than", 0, "<p>a < b</p><a href=x>x</a>"},
    {"processing instruction", 0, "<?xml version='1.0'?><a href=x>x</a>"},
    {"CDATA", 0, "<![CDATA[x]]><a href=x>x</a>"},
    {"control character in anchor text", 0, "<a href=x>a\001b</a>"},
    {"DEL character reference", 0, "<a href=x>&#127;</a>"},
    {"unterminated value", 0, "<a href=\"x>x</a>"},
    {"unterminated comment", 0, "<a href=x>x</a><!-- never ends"},
    {"longer script end tag", 0, "<script>a</scripts>b</script><a href=x>x</a>"},
    {"end tag closing outside the a", 0, "<b><a href=x>in</b>out</a>"},
    {"solidus between attributes", 0, "<a href=x / title=y>x</a>"},
};

static void test_cases(void)
{
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int f = compare(cases[i].name, cases[i].html, strlen(cases[i].html), 1000);
        CHECKF(f == cases[i].fast, "%s: the fast tokenizer %s it", cases[i].name,
               cases[i].fast ? "takes" : "declines");
    }
    /* the link cap counts the same way */
    const char *many = "<a href=1>1</a><a href=2>2</a><img src=3><a href=4>4</a>";
    CHECK(compare("max_links 2", many, strlen(many), 2) == 1);
}

static void walk(const char *dir, int *files, int *fast_files)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    if (!d)
        return;
    while ((e = readdir(d))) {
        char path[4096];
        struct stat st;
        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (stat(path, &st) < 0)
            continue;
        if (S_ISDIR(st.st_mode)) {
            walk(path, files, fast_files);
            continue;
        }
        size_t n = strlen(e->d_name);
        if (n < 5 || (strcmp(e->d_name + n - 5, ".html") && strcmp(e->d_name + n - 4, ".htm")))
            continue;
        size_t len;
        char *doc = jm_read_file(path, &len);
        if (!doc)
            continue;
        (*files)++;
        *fast_files += compare(path, doc, len, 10000);
        free(doc);
    }
    closedir(d);
}

static void test_sample_sites(const char *root)
{
    int files = 0, fast_files = 0;
    walk(root, &files, &fast_files);
    printf("sample_sites: %d pages, %d taken by the fast tokenizer\n", files, fast_files);
    CHECKF(files >= 40, "sample_sites holds its pages (%d read from %s)", files, root);
    CHECKF(fast_files * 10 >= files * 9, "the fast tokenizer takes most of them (%d of %d)",
           fast_files, files);
}

static void test_link_cases(const char *dir)
{
    struct jm *root;
    const struct jm *cs =
        jm_testdata_cases(dir, "html_link_cases.json", "hostile link cases", &root);
    if (!cs) {
        check_skipped++;
        return;
    }
    for (size_t i = 0; i < cs->nkids; i++) {
        const char *id = jm_str(&cs->kids[i], "id");
        const struct jm *html = jm_get(&cs->kids[i], "html_latin1");
        if (!html || html->type != JM_STR)
            continue;
        char *doc = malloc(html->len + 1);
        size_t n = jm_latin1_bytes(html->s, html->len, doc);
        compare(id ? id : "link case", doc, n, 10000);
        free(doc);
    }
    jm_free(root);
}

/* A page like the benchmark's (gen_site.py): navigation, quoting styles,
 * entities, scripts holding markup, tables of inline elements. */
static void test_bench_like(void)
{
    size_t cap = 1 << 20, len = 0;
    char *doc = malloc(cap);
    len +=
        (size_t)snprintf(doc + len, cap - len,
                         "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                         "<title>Page 7 &mdash; \xc2\xbe canonical</title>\n"
                         "<LINK REL=\"stylesheet\" HREF=\"/static/fonts.css\">\n"
                         "<script>\nvar s = \"<a href='/fake/str.html'>\";\n"
                         "document.write('<a href=\"/fake/w.html\">later<\\/a>');\n"
                         "</script>\n</head>\n<body>\n");
    for (int i = 0; i < 300; i++)
        len += (size_t)snprintf(
            doc + len, cap - len,
            "<li><a href=../../s%d.html>Section&nbsp;%d</a></li>"
            "<li><A HREF='//h/s%d.html'>Caf\xc3\xa9 %d</A></li>"
            "<tr><td><span>x</span></td><td><em>&euro;%d</em> <code>q</code></td></tr>"
            "<p>&copy;harbour &mdash; \xe2\x98\x83 &#x2603; &gt;<a href=\"/p%d.html\">"
            "<code>p</code> %d</a>\n",
            i, i, i, i, i, i, i);
    len += (size_t)snprintf(doc + len, cap - len, "<a href=/last>no end tag\n");
    CHECK(compare("bench-like page", doc, len, 10000) == 1);
    free(doc);
}

int main(int argc, char **argv)
{
    fast = html_parser_new();
    slow = html_parser_new();
    html_parser_set_mode(slow, HTML_PARSER_LIBXML2);
    test_cases();
    test_bench_like();
    struct stat st;
    if (argc > 2 && stat(argv[2], &st) == 0 && S_ISDIR(st.st_mode)) {
        test_sample_sites(argv[2]);
    } else {
        printf("SKIP: no sample_sites folder given\n");
        check_skipped++;
    }
    if (argc > 1 && stat(argv[1], &st) == 0 && S_ISDIR(st.st_mode)) {
        test_link_cases(argv[1]);
    } else {
        printf("SKIP: testdata folder %s absent, html_link_cases.json not compared\n",
               argc > 1 ? argv[1] : "(none given)");
        check_skipped++;
    }
    printf("compared %d pages, %d taken by the fast tokenizer\n", compared, taken);
    html_parser_free(fast);
    html_parser_free(slow);
    return check_summary("html_fast");
}
