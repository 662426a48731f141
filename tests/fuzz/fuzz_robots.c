/* fuzz_robots: the robots.txt parser and matcher on arbitrary bytes.
 * Input layout: the first byte chooses the product token (low three bits:
 * a few valid ones, NULL, "" and invalid ones); the rest is the robots.txt,
 * given in a buffer of exactly its length. The paths asked about are a
 * fixed few plus, from every line of the file holding a '/', the rest of
 * that line from its first '/' (so patterns get asked about themselves);
 * seeds carry their test paths as "# /path" comment lines.
 *
 * Invariants (abort when broken):
 *  - robots_parse never returns NULL; robots_allowed is 0 or 1;
 *    "/robots.txt" is always allowed; NULL, "" and "/" get one answer;
 *  - a '~' in a path and its escape "%7E"/"%7e" get one answer (unreserved
 *    escapes are decoded before matching);
 *  - the crawl delay is -1 or a finite number >= 0; at most
 *    ROBOTS_MAX_SITEMAPS sitemaps, each non-NULL;
 *  - robots_allow_all allows and robots_disallow_all refuses every path
 *    but /robots.txt (a path with /robots.txt and more is not checked);
 *  - robots_product_token of the file's first line gives 0 and a non-empty
 *    [A-Za-z_-] token, or ROBOTS_ERR_TOKEN and "". */
#include "fuzz.h"

#include "robots.h"

#include <math.h>
#include <string.h>

#define FUZZ_MAX_PATHS 48

static const char *const fuzz_tokens[8] = {"foobot", "FooBot",  "crawl", "googlebot",
                                           NULL,     "a-b_c-D", "",      "bad token/1"};
static const char *const fuzz_fixed[] = {"/",       "/robots.txt", "/a",          "/a/b?x=1",
                                         "/%7Efoo", "/~foo",       "/x$",         "/*",
                                         "/p.php",  "/P.PHP?q",    "/%E2%82%AC/", "/a%2Fb"};

/* path with every '~' written as an escape (upper or lower hex); NULL when
 * it has none */
static char *fuzz_tilde_escaped(const char *p, int lower)
{
    size_t n = 0;
    for (const char *q = p; *q; q++)
        n += *q == '~';
    if (n == 0)
        return NULL;
    char *out = malloc(strlen(p) + 2 * n + 1), *w = out;
    FUZZ_ASSERT(out);
    for (; *p; p++) {
        if (*p == '~') {
            memcpy(w, lower ? "%7e" : "%7E", 3);
            w += 3;
        } else {
            *w++ = *p;
        }
    }
    *w = '\0';
    return out;
}

static void fuzz_path(const struct robots *r, const struct robots *all, const struct robots *none,
                      const char *p)
{
    int a = robots_allowed(r, p);
    FUZZ_ASSERT(a == 0 || a == 1);
    FUZZ_ASSERT(robots_allowed(all, p) == 1);
    /* "/robots.txt?q" may count as /robots.txt too: not checked */
    if (strcmp(p, "/robots.txt") == 0)
        FUZZ_ASSERT(robots_allowed(none, p) == 1);
    else if (strncmp(p, "/robots.txt", 11) != 0)
        FUZZ_ASSERT(robots_allowed(none, p) == 0);
    for (int lower = 0; lower < 2; lower++) {
        char *e = fuzz_tilde_escaped(p, lower);
        if (e) {
            FUZZ_ASSERT(robots_allowed(r, e) == a);
            free(e);
        }
    }
}

/* The rest of each line from its first '/', as NUL-terminated strings. */
static size_t fuzz_paths_of(const char *txt, size_t len, char **out, size_t cap)
{
    size_t n = 0, i = 0;
    while (i < len && n < cap) {
        const char *nl = memchr(txt + i, '\n', len - i);
        size_t end = nl ? (size_t)(nl - txt) : len;
        const char *slash = memchr(txt + i, '/', end - i);
        if (slash) {
            size_t k = (size_t)(txt + end - slash);
            while (k > 1 && (slash[k - 1] == '\r' || slash[k - 1] == ' '))
                k--;
            if (!memchr(slash, '\0', k)) {
                out[n] = strndup(slash, k);
                FUZZ_ASSERT(out[n]);
                n++;
            }
        }
        i = end + 1;
    }
    return n;
}

static void fuzz_token(const char *txt, size_t len)
{
    char ua[256], tok[32];
    const char *nl = memchr(txt, '\n', len);
    size_t n = nl ? (size_t)(nl - txt) : len;
    if (n >= sizeof ua)
        n = sizeof ua - 1;
    memcpy(ua, txt, n);
    ua[n] = '\0';
    int rc = robots_product_token(ua, tok, sizeof tok);
    FUZZ_ASSERT(rc == 0 || rc == ROBOTS_ERR_TOKEN);
    FUZZ_ASSERT(memchr(tok, '\0', sizeof tok) != NULL);
    if (rc == 0) {
        FUZZ_ASSERT(tok[0] != '\0');
        for (const char *t = tok; *t; t++)
            FUZZ_ASSERT((*t >= 'a' && *t <= 'z') || (*t >= 'A' && *t <= 'Z') || *t == '_' ||
                        *t == '-');
        FUZZ_ASSERT(strncmp(ua, tok, strlen(tok)) == 0);
    } else {
        FUZZ_ASSERT(tok[0] == '\0');
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *token = fuzz_tokens[0];
    char *paths[FUZZ_MAX_PATHS];

    if (size > 0) {
        token = fuzz_tokens[data[0] & 7];
        data++;
        size--;
    }
    char *txt = malloc(size ? size : 1); /* exactly size bytes */
    FUZZ_ASSERT(txt);
    memcpy(txt, data, size);

    struct robots *r = robots_parse(txt, size, token);
    struct robots *all = robots_allow_all();
    struct robots *none = robots_disallow_all();
    FUZZ_ASSERT(r && all && none);

    FUZZ_ASSERT(robots_allowed(r, "/robots.txt") == 1);
    int root = robots_allowed(r, "/");
    FUZZ_ASSERT(robots_allowed(r, NULL) == root && robots_allowed(r, "") == root);
    for (size_t i = 0; i < sizeof fuzz_fixed / sizeof fuzz_fixed[0]; i++)
        fuzz_path(r, all, none, fuzz_fixed[i]);
    size_t np = fuzz_paths_of(txt, size, paths, FUZZ_MAX_PATHS);
    for (size_t i = 0; i < np; i++) {
        fuzz_path(r, all, none, paths[i]);
        free(paths[i]);
    }

    double d = robots_crawl_delay(r);
    FUZZ_ASSERT(d == -1 || (isfinite(d) && d >= 0));
    size_t ns = robots_sitemap_count(r);
    FUZZ_ASSERT(ns <= ROBOTS_MAX_SITEMAPS);
    for (size_t i = 0; i < ns; i++)
        FUZZ_ASSERT(robots_sitemap(r, i) != NULL);

    fuzz_token(txt, size);

    robots_free(none);
    robots_free(all);
    robots_free(r);
    free(txt);
    return 0;
}
