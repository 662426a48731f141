/* record: one URL's record in the making, and while it is held until its
 * depth is final: only what the output needs (the response's summary, not
 * its body or raw headers), the redirect hops, the parse result and the
 * per-link flags. Created when a URL is decided (fetched or skipped);
 * owned by the crawl while in flight, by the frontier entry (entry->held)
 * while held, and freed once written. Pure data: no I/O. */
#ifndef CRAWL_RECORD_H
#define CRAWL_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "html.h"
#include "output.h"

struct entry;
struct fetch_response;

struct record {
    struct entry *e;         /* the URL's live entry (frontier) */
    struct output_hop *hops; /* responses that redirected; URLs owned */
    size_t nhops;
    char *final_url;    /* where the chain ended without a fetch; owned */
    char *end_url;      /* the redirect target fetched last; owned */
    long status;        /* of the last response received, 0 = none */
    char *content_type; /* owned */
    uint64_t bytes;
    int64_t fetch_ms;
    int64_t when;       /* wall-clock start of the last transfer (WARC) */
    const char *error;  /* stable error code or NULL */
    const char *reason; /* why the URL (or its chain's end) was not fetched */
    int fetched;        /* a response was received for the chain's end */
    struct html_page page;
    int parsed;
    int confirmed;           /* a cluster's frontier answered for it (records.c) */
    unsigned char *external; /* [page.nlinks]: OUTPUT_LINK_* flags */
    char warc_id[48];        /* the archived response's record id, or "" */
};

struct record *record_new(struct entry *e);
void record_free(struct record *r);
/* Keep the summary of a response (status, type, sizes, time). */
void record_set_response(struct record *r, const struct fetch_response *resp);
/* A response at url redirected with status. */
void record_add_hop(struct record *r, const char *url, long status);
/* Fill *out for output_write; pointers borrowed from r and its entry. */
void record_view(const struct record *r, struct output_record *out);

#endif
