/* crawl_int: state shared by the loop (crawl.c) and the per-host scheduler
 * (sched.c). Private to crawler/: nothing outside these two includes it. */
#ifndef CRAWL_CRAWL_INT_H
#define CRAWL_CRAWL_INT_H

#include "crawl.h"
#include "fetch.h"
#include "frontier.h"
#include "host.h"
#include "journal.h"
#include "uthash.h"

#include <stdint.h>

enum page_kind {
    PAGE_KIND_PAGE = 0, /* a URL's record (possibly a redirect chain) */
    PAGE_KIND_ROBOTS,   /* a host's robots.txt */
    PAGE_KIND_SITEMAP   /* a sitemap file (--sitemaps) */
};

/* Everything known about one transfer chain while it is under way: for a
 * page, its record in the making. */
struct page_result {
    enum page_kind kind;
    struct entry *e;         /* the record's entry (pages only) */
    struct host *host;       /* host charged for the current transfer */
    const char *cur_url;     /* URL of the current hop */
    char *own_url;           /* robots/sitemap URL or a redirect target;
                                cur_url points here */
    struct output_hop *hops; /* hops before the current one; URLs owned */
    size_t nhops;
    int attempts; /* transfers of the current hop so far */
    struct fetch_response *resp;
    struct html_page page;
    int parsed;
    unsigned char *external; /* [page.nlinks]: OUTPUT_LINK_* flags */
    char *final_url;         /* where a chain ended without a fetch; owned */
    const char *error;       /* stable error code or NULL */
    const char *reason;      /* why the end of the chain was not fetched */
    uint32_t job_id;
    char warc_id[48];         /* the archived response's record id, or "" */
    UT_hash_handle hh;        /* crawl.jobs, by job_id */
    struct page_result *next; /* backlog or a host's parked list */
};

struct crawl {
    const struct options *opt;
    const struct scope *scope;
    struct frontier fr;
    struct host_table hosts;
    struct fetcher *fetch;
    struct pool *pool;
    struct output *out;
    struct crawl_stats *st;
    size_t queued;                              /* entries in host queues */
    size_t parked;                              /* page_results parked on hosts */
    size_t active;                              /* transfers in flight */
    long started;                               /* pages admitted (--max-pages) */
    struct page_result *backlog, *backlog_tail; /* bodies awaiting a worker */
    size_t nbacklog;
    size_t backlog_cap;
    struct page_result *jobs; /* submitted to the pool, by job id */
    uint32_t next_job;
    uint64_t rng;        /* xorshift state for jitter */
    char **sitemap_urls; /* sitemap files asked for (--sitemaps) */
    size_t nsitemap_urls;
    struct journal *journal; /* --state, or NULL */
    int sig_fd;
    const struct crawl_io *io;
    int64_t next_tick;
    int signo;         /* first signal received, 0 = none */
    int64_t grace_end; /* after a signal: when in-flight work is cut */
    int cut;           /* the grace period is over: in-flight work was cut */
    int stop;          /* output or journal failed */
};

/* crawl.c */
void crawl_result_free(struct page_result *pr);
/* The chain behind pr is over: write or hold its record. */
void crawl_complete(struct crawl *c, struct page_result *pr);
/* Write a record for e, not fetched, with a reason code (and the error
 * that caused it, or NULL); e is finished. */
void crawl_skip(struct crawl *c, struct entry *e, const char *reason, const char *error);
/* Start the current hop of pr on host h (slot accounting included). */
void crawl_start_transfer(struct crawl *c, struct page_result *pr, struct host *h);
/* The next URL of h to fetch, ACTIVE with its live entry; NULL when h's
 * queues hold nothing current. */
struct entry *crawl_pop(struct crawl *c, struct host *h);
/* The host of url, created (with its origin) if new. */
struct host *crawl_host_of(struct crawl *c, const char *url);
/* A URL from a sitemap joins the crawl as a start URL (depth 0). */
void crawl_seed(struct crawl *c, const char *url);

/* seed.c (--sitemaps) */
/* A sitemap transfer finished, or (pr->kind == PAGE_KIND_ROBOTS) a host's
 * robots.txt is known and its sitemaps can be fetched. */
void crawl_on_sitemap(struct crawl *c, struct page_result *pr);
/* Fetch h's sitemaps (robots.txt Sitemap: lines and /sitemap.xml). */
void seed_host(struct crawl *c, struct host *h);

/* archive.c (--warc) */
/* Archive the transfer that just finished (pr->resp), remembering the
 * response record's id in pr->warc_id. */
void archive_transfer(struct crawl *c, struct page_result *pr);
/* Archive a parsed page's outlinks next to its response. */
void archive_links(struct crawl *c, const struct page_result *pr);

/* stop.c (signals) */
void stop_on_signal(struct crawl *c, int signo, int64_t now);
/* The grace period is over: records for everything in flight. */
void stop_cut(struct crawl *c);
/* Redirect hops and retries parked on hosts are in flight too. */
void stop_interrupt_parked(struct crawl *c);

/* sched.c */
/* Recompute h's place in the ready heap after anything about it changed. */
void sched_update(struct crawl *c, struct host *h);
/* Start transfers for hosts whose time has come, within the global caps. */
void sched_fill(struct crawl *c, int64_t now);
/* Milliseconds until the scheduler has something to start (-1: nothing). */
int64_t sched_wait_ms(const struct crawl *c, int64_t now);
/* A transfer on h finished: release its slot. */
void sched_release(struct crawl *c, struct host *h);
/* Queue pr to run on h before the host's new URLs. */
void sched_park(struct crawl *c, struct host *h, struct page_result *pr);
/* After a failed transfer: back the host off, and park pr for another try
 * when allowed. Returns 1 when pr was parked (not finished). */
int sched_retry(struct crawl *c, struct page_result *pr, int64_t now);
/* The host answered normally: reset its backoff. */
void sched_success(struct host *h);
/* A robots.txt transfer finished. Frees pr. */
void sched_on_robots(struct crawl *c, struct page_result *pr);
/* Reason code when robots.txt forbids url on h, else NULL. */
const char *sched_robots_verdict(const struct crawl *c, const struct host *h, const char *url);
/* Transfer settings for robots.txt (libcurl follows its redirects). */
extern const struct fetch_req sched_robots_req;
/* Uniform random number in [0, 1). */
double sched_random(struct crawl *c);

#endif
