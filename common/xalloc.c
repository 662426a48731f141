/* xalloc: abort-on-failure allocation. Owns nothing. */
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void xalloc_die(void)
{
    static const char msg[] = "crawl: out of memory\n";
    ssize_t r = write(STDERR_FILENO, msg, sizeof msg - 1);
    (void)r;
    abort();
}

void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        xalloc_die();
    return p;
}

void *xcalloc(size_t nmemb, size_t size)
{
    void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);
    if (!p)
        xalloc_die();
    return p;
}

void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        xalloc_die();
    return q;
}

char *xmemdup0(const void *s, size_t n)
{
    char *p = xmalloc(n + 1);
    if (n)
        memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *xstrndup(const char *s, size_t n)
{
    return xmemdup0(s, strnlen(s, n));
}

char *xstrdup(const char *s)
{
    return xmemdup0(s, strlen(s));
}
