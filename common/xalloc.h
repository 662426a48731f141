/* xalloc: allocation wrappers. Allocation failure is fatal in this CLI:
 * every function here aborts the process with a message instead of
 * returning NULL. Callers never check for NULL. */
#ifndef CRAWL_XALLOC_H
#define CRAWL_XALLOC_H

#include <stddef.h>

/* All return memory the caller frees with free(). */
void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* Copy of n bytes of s plus a NUL (s may contain NULs). */
char *xmemdup0(const void *s, size_t n);

#endif
