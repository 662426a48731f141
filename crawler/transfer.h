/* transfer: one request chain in flight or parked (a page and its
 * redirect hops and retries, a robots.txt, a sitemap file), and the FIFO
 * of fetched bodies waiting for a parser worker. The loop (crawl.c) owns
 * every transfer; this module only makes, frees and lists them. */
#ifndef CRAWL_TRANSFER_H
#define CRAWL_TRANSFER_H

#include <stddef.h>

#include "fetch.h"
#include "host.h"
#include "record.h"

enum transfer_kind {
    TRANSFER_PAGE = 0, /* a URL's record (possibly a redirect chain) */
    TRANSFER_ROBOTS,   /* a host's robots.txt */
    TRANSFER_SITEMAP   /* a sitemap file (--sitemaps) */
};

/* One request chain in flight or parked. Owns url, resp and (pages) rec
 * until the record is handed on. */
struct transfer {
    enum transfer_kind kind;
    char *url;         /* the current hop */
    struct host *host; /* charged for the current request */
    int attempts;      /* requests of the current hop so far */
    int check;         /* an off-site link checked (--check-external): HEAD */
    int get;           /* ... with GET, after the server refused HEAD */
    struct fetch_response *resp;
    struct record *rec;    /* pages */
    struct transfer *next; /* parse backlog */
    char *hop;             /* a cluster's redirect target, while Redis is asked */
};

struct transfer_list {
    struct transfer *head, *tail;
    size_t n;
};

/* A transfer of url (taken). */
struct transfer *transfer_new(enum transfer_kind kind, char *url);
/* Frees t with its url, response and record (NULL is fine). */
void transfer_free(struct transfer *t);
void transfer_list_push(struct transfer_list *l, struct transfer *t);
/* The oldest, or NULL. */
struct transfer *transfer_list_pop(struct transfer_list *l);

#endif
