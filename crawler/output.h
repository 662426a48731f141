/* output: the JSON Lines writer, one record per URL the crawl decided
 * about. Owns the output stream. Every record is built whole in memory and
 * written with one fwrite, so the file only ever holds complete lines plus
 * at most one torn line if the process is killed mid-write. Write errors
 * (full disk, closed pipe) are remembered and reported by output_close. */
#ifndef CRAWL_OUTPUT_H
#define CRAWL_OUTPUT_H

#include <stddef.h>
#include <stdint.h>

#include "html.h"

struct output_hop {
    const char *url;
    long status;
};

struct output_record {
    uint32_t seq; /* discovery order of the URL (for --sort) */
    const char *url;
    const char *final_url;
    int depth;
    const char *parent;       /* NULL -> null */
    long status;              /* 0 -> null */
    const char *content_type; /* raw header value; the media type is written */
    uint64_t bytes;
    int64_t fetch_ms;
    const char *error;  /* NULL -> null */
    const char *reason; /* NULL -> null */
    const struct output_hop *hops;
    size_t nhops;
    const struct html_page *page;  /* NULL -> no title, no links */
    const unsigned char *external; /* [page->nlinks] flags */
};

struct output;

struct output_config {
    const char *path;   /* NULL or "-" = stdout; a name ending in .gz: gzip */
    const char *format; /* "jsonl", "edges", "dot", "graphml", "sitemap",
                           "sqlite", "broken" (validated by options) */
    int sort;           /* order by (depth, seq) at the end */
};

/* Open the output. NULL on failure with a one-line reason in err. */
struct output *output_open(const struct output_config *cfg, char *err, size_t errcap);
/* Append one record. Returns 0, or -1 once the stream has failed. */
int output_write(struct output *o, const struct output_record *r);
/* Nonzero once a write failed. */
int output_failed(const struct output *o);
/* Flush and close. Returns 0, or -1 if anything was lost (reason logged). */
int output_close(struct output *o);

#endif
