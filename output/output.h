/* output: the record writer, one record per URL the crawl decided about,
 * in the format chosen with -f (format_*.c: jsonl, edges, dot, graphml,
 * sitemap, sqlite, broken). Streaming formats write each record as it
 * comes; dot, graphml, sitemap, broken and anything with --sort go to a
 * temporary file beside the output, renamed over it at close. With --sort
 * the records are kept (copied) and written at close in a canonical order
 * (see format_store.h), with fetch_ms written as 0, so the same site and
 * flags give byte-identical output whatever the concurrency. A name ending
 * in .gz is gzip-compressed. Write errors (full disk, closed pipe) are
 * remembered and reported, once, by output_close. */
#ifndef CRAWL_OUTPUT_H
#define CRAWL_OUTPUT_H

#include <stddef.h>
#include <stdint.h>

#include "html.h"

struct output_hop {
    const char *url;
    long status;
};

/* Per-link flags in output_record.external. */
#define OUTPUT_LINK_EXTERNAL 1 /* target outside the crawl scope */
#define OUTPUT_LINK_NOFOLLOW 2 /* rel=nofollow or meta robots nofollow */

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
    const unsigned char *external; /* [page->nlinks] OUTPUT_LINK_* flags */
};

struct output;

struct output_config {
    const char *path;   /* NULL or "-" = stdout; a name ending in .gz: gzip */
    const char *format; /* "jsonl", "edges", "dot", "graphml", "sitemap",
                           "sqlite", "broken" (validated by options) */
    int sort;           /* order by (depth, seq) at the end */
    int all_edges;      /* edges, dot, graphml: one edge per link, not per
                           (source, target) pair with a count */
    const char *site;   /* the first canonical start URL: dot labels nodes
                           with paths relative to its site; NULL: full URLs */
    int journaled;      /* --state: output_commit marks what is done (below) */
    int resume;         /* --resume: continue the output from `committed` */
    int64_t committed;  /* with resume: the last commit's position */
};

/* Open the output. NULL on failure with a one-line reason in err. With
 * cfg->resume, an existing file is cut back to cfg->committed (see
 * output_commit) and appended to; jsonl and edges files, their .gz, and
 * sqlite databases can be (edges writes its header only into an empty
 * file); stdout is simply written. */
struct output *output_open(const struct output_config *cfg, char *err, size_t errcap);
/* How far the existing output at cfg->path reaches, comparable with
 * output_commit's positions: 0 when there is none yet, -1 for stdout, a
 * device or a fifo (no limit). 0, or -1 with a reason in err (e.g. a
 * database that is not crawl's). Opens nothing for good. */
int output_reach(const struct output_config *cfg, int64_t *reach, char *err, size_t errcap);
/* Append one record. Returns 0, or -1 once the stream has failed. When
 * cfg->journaled and the output is not a stream, records with error
 * "interrupted" are held and written at output_close, after the last
 * commit: --resume cuts them off and fetches their URLs again. */
int output_write(struct output *o, const struct output_record *r);
/* Group commit under --state: push every record written so far to the
 * file and store its position in *pos: the file's size in bytes (jsonl,
 * edges; with .gz the gzip member is ended, so the file is whole there),
 * or the last row id (sqlite, whose transaction is committed). Streams
 * store -1. No fsync: a kill loses nothing that was written, and after a
 * power loss journal_prepare falls back to a commit the output reaches.
 * Returns 0, or -1 once the output has failed. */
int output_commit(struct output *o, int64_t *pos);
/* Nonzero when the output cannot be cut back to a commit (stdout, a
 * device, a fifo): --resume can only add to what it got. */
int output_is_stream(const struct output *o);
/* Nonzero when the format writes a page's links rendered by the workers
 * (html_page.links_json) as it would write them itself. */
int output_takes_links_json(const struct output *o);
/* Output to a pipe or socket (without --state) never blocks the crawl:
 * records wait in memory until the reader takes them. Bytes waiting; the
 * fd to poll for POLLOUT while they do (-1: none); write what the fd
 * takes now (0, or -1 once the output failed). The crawl starts no new
 * transfers while much waits. output_close writes the rest, blocking. */
size_t output_pending(const struct output *o);
int output_pollfd(const struct output *o);
int output_drain(struct output *o);
/* Push the records written so far out of our buffers into the file
 * (stdio flush; a gzip sync flush; a SQLite commit) before leaving at once
 * on a second signal. Not an fsync. With --sort, and for dot, graphml,
 * sitemap and broken, the final file only appears at close: nothing to
 * push. Returns 0, or -1 once the output has failed. */
int output_flush(struct output *o);
/* Nonzero once a write failed. */
int output_failed(const struct output *o);
/* Nonzero once the output failed because its reader went away (EPIPE on a
 * pipe: `crawl ... | head`). Formats written at close (dot, graphml,
 * sitemap, broken, --sort) only meet the pipe in output_close, which then
 * returns OUTPUT_CLOSED_PIPE. */
int output_closed_pipe(const struct output *o);
/* Flush and close; frees o. Returns 0; OUTPUT_CLOSED_PIPE when the reader
 * went away (nothing logged); or -1 if anything else was lost (one line
 * logged). Both failures are < 0. */
#define OUTPUT_CLOSED_PIPE (-2)
int output_close(struct output *o);

#endif
