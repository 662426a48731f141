/* format: the interface between output.c and the format writers
 * (format_jsonl.c, format_edges.c, ...). A writer sees records one at a
 * time, in completion order or, with --sort, in the stored order at close;
 * a record's memory is valid only during the call. Writers never open the
 * main output themselves unless they set FORMAT_OWN_OUTPUT (sqlite, sitemap:
 * more than one file, or not a byte stream). */
#ifndef CRAWL_FORMAT_H
#define CRAWL_FORMAT_H

#include <stddef.h>

#include "buf.h"
#include "format_sink.h"
#include "output.h"

#define FORMAT_AT_END     1u /* a reader must only see the finished file */
#define FORMAT_OWN_OUTPUT 2u /* the writer opens and closes its own files */
#define FORMAT_LINKS_JSON                                                                          \
    4u /* takes a page's links as the workers render them                                          \
          (html_page.links_json) */

#define FORMAT_ERR_MAX 512

struct format {
    const struct format_ops *ops;
    const struct output_config *cfg;
    struct format_sink *sink; /* the main output; NULL with FORMAT_OWN_OUTPUT */
    int temp;                 /* files are written beside and renamed at close */
    void *state;              /* the writer's own, freed by its close */
    int closed_pipe;          /* a FORMAT_OWN_OUTPUT writer's reader went away */
    char err[FORMAT_ERR_MAX]; /* first failure, one line; "" = none to log */
};

struct format_ops {
    const char *name;
    unsigned flags;
    /* Allocate state and write any header. 0, or -1 with f->err set. */
    int (*open)(struct format *f);
    /* Optional: see a record before any record() call gets it. With
     * --sort every record is noted before the first record() call, so a
     * writer can know all statuses (edges). */
    void (*note)(struct format *f, const struct output_record *r);
    /* Write one record. 0, or -1 once the output failed. */
    int (*record)(struct format *f, const struct output_record *r);
    /* Optional: push what was written to the file (output_flush). Without
     * it, the main sink is flushed. 0, or -1 once the output failed. */
    int (*flush)(struct format *f);
    /* Optional, for writers that own their output: output_commit (without
     * it, the main sink's position) and output_reach (without it, the
     * size of the file at cfg->path). */
    int (*commit)(struct format *f, int64_t *pos);
    int (*reach)(const struct output_config *cfg, int64_t *reach, char *err, size_t errcap);
    /* Write the footer and free state. `ok` is 0 when output already
     * failed (only free then). 0, or -1 with f->err set when it is new. */
    int (*close)(struct format *f, int ok);
};

extern const struct format_ops format_jsonl_ops;

/* One link object of a JSONL record's links array, with its OUTPUT_LINK_*
 * flags, preceded by a comma unless it is the first. Also used by the
 * parse workers, which render the links of pages at the depth limit
 * (crawler/linkflags.h). 0 or BUF_ERR_CAP. */
int format_jsonl_link(struct buf *b, const struct html_link *l, unsigned char fl, int first);
extern const struct format_ops format_edges_ops;
extern const struct format_ops format_dot_ops;
extern const struct format_ops format_graphml_ops;
extern const struct format_ops format_sitemap_ops;
extern const struct format_ops format_sqlite_ops;
extern const struct format_ops format_broken_ops;
extern const struct format_ops format_pages_ops;

#endif
