/* report: what the crawl tells the person running it, on stderr: the live
 * progress line (terminals only), periodic statistics lines
 * (--stats-interval), the statistics file (--stats-json) and the closing
 * summary (one line, or on a terminal a short block). Never writes stdout. */
#ifndef CRAWL_REPORT_H
#define CRAWL_REPORT_H

#include <stdint.h>

#include "crawl.h"
#include "pool.h"

struct report {
    int progress;            /* draw the live status line */
    double interval_s;       /* periodic JSON lines, 0 = off */
    const struct pool *pool; /* NULL once destroyed: pool_final is used */
    struct pool_stats pool_final;
    int64_t t0;         /* clock_ms at the start */
    int64_t last_stats; /* clock_ms of the last JSON line */
    int shown;          /* a progress line is on screen */
    int block;          /* stderr is a terminal: the summary is a short block */
};

/* Tick period to ask crawl_run for (ms), 0 when nothing periodic is on. */
int report_tick_ms(const struct report *r);
/* crawl_tick_fn: redraw the progress line / print a statistics line. */
void report_tick(void *ctx, const struct crawl_progress *p);
/* Clear the progress line (before the summary). */
void report_clear(struct report *r);
/* The summary: one line for logs; with r->block, a short block instead:
 * the counts, then the first broken URLs (STATS_BROKEN_MAX at most), each
 * with the page that links to it. */
void report_summary(const struct report *r, const struct crawl_stats *st);
/* Write the --stats-json file (to a temporary name, then renamed).
 * phase: "done" or "interrupted". Returns 0 or -1 (logged). */
int report_stats_file(const struct report *r, const char *path, const struct crawl_stats *st,
                      const char *phase);

#endif
