/* test_scope: what is in scope and which rule stops a URL. Hosts are
 * compared after parsing, never by substring. */
#include "check.h"
#include "scope.h"
#include "url.h"

#include <stdlib.h>

static int in(const struct scope *s, const char *raw)
{
    char *u = NULL;
    if (url_canonicalize(raw, &u) != URL_OK)
        return -1;
    int r = scope_check(s, u, NULL);
    free(u);
    return r;
}

static const char *rule(const struct scope *s, const char *raw)
{
    static char why[32];
    char *u = NULL;
    if (url_canonicalize(raw, &u) != URL_OK)
        return "unparsable";
    const char *r = scope_rule(s, u);
    snprintf(why, sizeof why, "%s", r ? r : "ok");
    free(u);
    return why;
}

static const char *resolved_in(const struct scope *s, const char *ref)
{
    char *u = NULL;
    if (url_resolve("http://h.example/dir/page.html", ref, strlen(ref), &u) != URL_OK)
        return "unparsable";
    const char *r = scope_check(s, u, NULL) ? "in" : "out";
    free(u);
    return r;
}

/* --no-parent, --domains, --exclude-domains */
static void test_domains(void)
{
    struct scope s;
    char err[256];
    char *start = NULL;
    scope_init(&s);
    CHECK(scope_add_start(&s, "http://h.example/docs/intro.html", &start, err, sizeof err) == 0);
    free(start);
    CHECK(scope_add_start(&s, "http://h.example/blog/", &start, err, sizeof err) == 0);
    free(start);
    CHECK(scope_set_domains(&s, 1, "cdn.example, Static.Example", "ads.cdn.example", err,
                            sizeof err) == 0);
    CHECK(in(&s, "http://h.example/docs/") == 1);
    CHECK(in(&s, "http://h.example/docs/a/b.html") == 1);
    CHECK(in(&s, "http://h.example/blog/post") == 1);
    CHECK(in(&s, "http://h.example/") == 0);        /* the parent */
    CHECK(in(&s, "http://h.example/docsx/a") == 0); /* a sibling that shares a prefix */
    CHECK(in(&s, "http://h.example/other/") == 0);
    CHECK(in(&s, "http://cdn.example/any/where") == 1); /* --domains, any path */
    CHECK(in(&s, "http://img.static.example/x") == 1);  /* and subdomains */
    CHECK(in(&s, "http://ads.cdn.example/x") == 0);     /* --exclude-domains wins */
    CHECK(in(&s, "http://xcdn.example/") == 0);
    scope_free(&s);

    scope_init(&s);
    CHECK(scope_set_domains(&s, 0, "a..b", NULL, err, sizeof err) < 0);
    scope_free(&s);
    scope_init(&s);
    CHECK(scope_set_domains(&s, 0, "ok.example,", NULL, err, sizeof err) == 0);
    CHECK(scope_set_domains(&s, 0, NULL, "bad host", err, sizeof err) < 0);
    scope_free(&s);
    scope_init(&s);
    /* --exclude-domains also removes a start host */
    CHECK(scope_add_start(&s, "http://h.example/", &start, err, sizeof err) == 0);
    free(start);
    CHECK(scope_set_domains(&s, 0, NULL, "h.example", err, sizeof err) == 0);
    CHECK(in(&s, "http://h.example/x") == 0);
    scope_free(&s);
}

int main(void)
{
    test_domains();
    struct scope s;
    char err[256];
    char *start = NULL;
    scope_init(&s);
    CHECK(scope_add_start(&s, "http://H.Example:8080/a", &start, err, sizeof err) == 0);
    CHECK_STR(start, "http://h.example:8080/a");
    free(start);
    CHECK(scope_add_start(&s, "ftp://h.example/", &start, err, sizeof err) < 0);
    CHECK(scope_add_start(&s, "gopher:x", &start, err, sizeof err) < 0);
    CHECK(scope_add_start(&s, "/nonexistent/path/x", &start, err, sizeof err) < 0);

    /* Same host on either scheme and any port is in scope. */
    CHECK(in(&s, "http://h.example/") == 1);
    CHECK(in(&s, "https://h.example:443/x") == 1);
    CHECK(in(&s, "http://H.EXAMPLE:9/x") == 1);
    CHECK(in(&s, "http://sub.h.example/") == 0);
    CHECK(in(&s, "http://xh.example/") == 0);
    CHECK(in(&s, "http://h.example.evil/") == 0);
    /* Off-site spellings from the issue, resolved as a page would. */
    CHECK_STR(resolved_in(&s, "http://h.example@evil/"), "out");
    CHECK_STR(resolved_in(&s, "http://evil#@h.example/"), "out");
    CHECK_STR(resolved_in(&s, "//evil/"), "out");
    CHECK_STR(resolved_in(&s, "http:\\\\evil"), "out");
    CHECK_STR(resolved_in(&s, "/local"), "in");

    const char *inc[] = {"/docs/", "/blog/"};
    const char *exc[] = {"\\.pdf$", "[?&]sessionid="};
    CHECK(scope_set_rules(&s, inc, 2, exc, 2, 60, 1, err, sizeof err) == 0);
    CHECK(in(&s, "http://sub.h.example/") == 1); /* --subdomains */
    CHECK(in(&s, "http://a.b.h.example/") == 1);
    CHECK(in(&s, "http://xh.example/") == 0); /* not a subdomain */
    CHECK_STR(rule(&s, "http://h.example/docs/a.html"), "ok");
    CHECK_STR(rule(&s, "http://h.example/blog/x"), "ok");
    CHECK_STR(rule(&s, "http://h.example/other"), "excluded");      /* no include */
    CHECK_STR(rule(&s, "http://h.example/docs/a.pdf"), "excluded"); /* exclude wins */
    CHECK_STR(rule(&s, "http://h.example/docs/?a=1&sessionid=9"), "excluded");
    CHECK_STR(rule(&s, "http://h.example/docs/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"),
              "too_long");
    CHECK_STR(rule(&s, "http://h.example/docs/a/a/x"), "ok"); /* twice in a row is fine */
    CHECK_STR(rule(&s, "http://h.example/docs/a/a/a/"), "trap");
    scope_free(&s);

    /* Depth trap: more than 20 segments. */
    scope_init(&s);
    CHECK(scope_set_rules(&s, NULL, 0, NULL, 0, 2048, 0, err, sizeof err) == 0);
    CHECK_STR(rule(&s, "http://h/1/2/3/4/5/6/7/8/9/10/11/12/13/14/15/16/17/18/19/20"), "ok");
    CHECK_STR(rule(&s, "http://h/1/2/3/4/5/6/7/8/9/10/11/12/13/14/15/16/17/18/19/20/"), "ok");
    CHECK_STR(rule(&s, "http://h/1/2/3/4/5/6/7/8/9/10/11/12/13/14/15/16/17/18/19/20/21"), "trap");
    const char *bad[] = {"a(b"};
    CHECK(scope_set_rules(&s, bad, 1, NULL, 0, 2048, 0, err, sizeof err) < 0);
    CHECK(strstr(err, "a(b") != NULL);
    scope_free(&s);
    return check_summary("scope");
}
