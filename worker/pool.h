/* pool: the prefork parse worker pool, parent side. A fixed array of slots;
 * the slot index is a worker's identity. Each worker has one
 * socketpair(AF_UNIX, SOCK_STREAM) channel, so a dead worker reads as EOF.
 * Workers are started by a zygote forked in pool_create (zygote.h), never
 * by the parent itself, so a worker respawned after the parent has grown
 * is as small as the first one. All parent-side I/O is non-blocking and
 * the parent never blocks on a worker or the zygote (waitpid WNOHANG
 * only; pool_create and pool_destroy excepted). The pool integrates with
 * the caller's poll loop through pool_pollfds() / pool_service(); it never
 * polls by itself.
 *
 * Jobs are pipelined: a worker holds up to POOL_DEPTH of them, answered
 * in order; the one it works on is the head of its line, the others wait
 * in its channel. A head job whose worker dies (EOF, signal), overruns
 * the deadline (the worker gets SIGKILL) or sends a malformed frame is
 * retried once on another worker, then reported with an error; the jobs
 * queued behind it were never started and go back to be dispatched first,
 * with no try counted and no error. Dead workers are reaped and
 * respawned (rate-limited). If the zygote dies, the workers still alive go
 * on but no worker can be started any more: once the last one is gone,
 * every job fails with POOL_ERR_NO_WORKERS.
 *
 * Two kinds of jobs share the workers, the retry rules and the deadline:
 * HTML pages (pool_submit; results through the pool_done_fn given to
 * pool_service) and sitemap files (pool_submit_sitemap; results through
 * the pool_sitemap_fn given with each job). Must not include crawler/
 * headers. */
#ifndef CRAWL_POOL_H
#define CRAWL_POOL_H

#include <poll.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "html.h"
#include "sitemap.h"

struct pool_config {
    int nworkers;         /* >= 1 */
    int parse_timeout_ms; /* per-job deadline, from when the job heads its worker's line */
    size_t max_job;       /* largest body accepted by pool_submit */
    size_t max_result;    /* largest result frame accepted from a worker */
    size_t max_links;     /* links kept per page (passed to html_extract) */
    size_t mem_limit;     /* RLIMIT_AS for workers in bytes, 0 = none */
    int cpu_limit_s;      /* RLIMIT_CPU for workers, 0 = none */
    /* Optional: renders a parsed page's links for a job submitted with
     * `render` (appends to out; 0, or negative when out's cap is reached).
     * Runs in the workers, with the ctx the zygote inherited. */
    int (*render_links)(void *ctx, const struct html_page *page, struct buf *out);
    void *render_ctx;
};

enum pool_err {
    POOL_OK = 0,
    POOL_ERR_CRASH = -1,     /* worker died twice on this page */
    POOL_ERR_TIMEOUT = -2,   /* deadline overrun twice */
    POOL_ERR_PROTOCOL = -3,  /* malformed frames */
    POOL_ERR_PARSE = -4,     /* the worker reported it could not parse */
    POOL_ERR_NO_WORKERS = -5 /* no worker could be (re)spawned */
};

/* Jobs handed to one worker at a time, at most. With more than one, the
 * next job already waits in the worker's channel when it sends an answer:
 * it does not idle until the parent has read the answer and written the
 * next job. The deeper the line, the less often a worker runs dry and
 * sleeps, and each sleep costs the parent a wake-up when the next job
 * comes (depth 2 -> 8: the parent's CPU per page 7% lower, its context
 * switches halved, on the 20k bench site). A job's deadline
 * (parse_timeout_ms) starts when it heads the line: at submit when the
 * worker was idle, else when the answer before it arrives. */
#define POOL_DEPTH 8

/* Beyond its first POOL_LINE_FREE jobs, a line takes another only while
 * the bodies it holds outside the shared region total under
 * POOL_LINE_BYTES: deep lines are for the many small pages, and big ones
 * do not pile up in the parent's memory behind a slow parse. */
#define POOL_LINE_FREE  2
#define POOL_LINE_BYTES (1024u * 1024)

/* Sitemap jobs submitted and not yet reported, at most. */
#define POOL_MAX_SITEMAP_JOBS 128

/* Called once per submitted job. On POOL_OK *page holds the result and
 * the callee owns it (html_page_free). Otherwise page is empty and `cause`
 * is a static string ("signal 11", "deadline", "bad frame", ...). */
typedef void (*pool_done_fn)(void *ctx, uint32_t job_id, int err, const char *cause,
                             struct html_page *page);

struct pool;

/* Fork the zygote, then have it start cfg->nworkers workers (waiting up
 * to a few seconds for them). Call before curl_global_init and before any
 * output file is opened (the zygote and so every worker would inherit
 * them), and early: the zygote is a copy of the caller as it is now.
 * Returns NULL (after logging why) if no worker could be started. */
struct pool *pool_create(const struct pool_config *cfg);

/* Nonzero when pool_submit would accept a job now (a live worker with
 * fewer than POOL_DEPTH jobs, and no retry, requeued or sitemap job
 * waiting ahead of it). */
int pool_can_submit(const struct pool *p);

/* Hand one page to the least loaded live worker (an idle one first). On
 * success (0) the pool owns `body` (it free()s it) and the caller must
 * drop its pointer; on -1 (pool_can_submit is false) ownership stays with
 * the caller. url and encoding (may be NULL) are copied. With `render`
 * (and a render_links hook), the page may come back with its links
 * rendered (html_page.links_json) instead of listed. */
int pool_submit(struct pool *p, uint32_t job_id, const char *url, const char *encoding, char *body,
                size_t len, int render);

/* Called once per sitemap job, from pool_service like pool_done_fn. On
 * POOL_OK *sm holds the <loc> values, raw as in the file (not resolved),
 * and the callee owns it (sitemap_free): at most SITEMAP_MAX_LOCS (50,000)
 * URLs of at most SITEMAP_MAX_LOC_LEN bytes, IPC_SITEMAP_MAX_BYTES (16 MiB)
 * of URL text in all and never more than cfg->max_result; URLs past a cap
 * are counted in sm->dropped. Otherwise sm is empty and `cause` a static
 * string: POOL_ERR_PARSE with "too large", "bad gzip", "not a sitemap",
 * "xml parser failed" (sitemap_parse's errors) or "parse failed", or the
 * pool errors above. `url` is the job's URL (valid during the call). */
typedef void (*pool_sitemap_fn)(void *ctx, uint32_t job_id, int err, const char *cause,
                                const char *url, struct sitemap *sm);

/* Hand one sitemap file (gzip or not; inflated in the worker up to
 * cfg->max_job bytes) to a worker, now or as soon as one has room: unlike
 * pool_submit this does not need a worker with room. On 0 the pool owns
 * `body` and done(ctx, ...) will be called exactly once from a later
 * pool_service (ctx must stay valid until then or until pool_destroy,
 * which drops the job silently). Returns -1 (ownership stays with the
 * caller, no callback) when POOL_MAX_SITEMAP_JOBS are already pending. A
 * body over cfg->max_job is reported as POOL_ERR_PARSE ("job refused"). */
int pool_submit_sitemap(struct pool *p, uint32_t job_id, const char *url, char *body, size_t len,
                        pool_sitemap_fn done, void *ctx);

/* Jobs (pages and sitemaps) submitted and not yet reported. */
size_t pool_pending(const struct pool *p);

/* Fill fds[0..max) with the channels to watch: the workers' (events
 * POLLIN, plus POLLOUT while a job is still being written) and the
 * zygote's control channel (POLLIN). Returns the number filled. */
size_t pool_pollfds(const struct pool *p, struct pollfd *fds, size_t max);

/* After the caller's poll: fds/n as filled by pool_pollfds with revents
 * set (n may be 0 to only check deadlines and respawns). Performs
 * non-blocking reads and writes, reports finished page jobs through done()
 * and sitemap jobs through their own callback, kills workers past their
 * deadline, reaps and respawns. */
void pool_service(struct pool *p, const struct pollfd *fds, size_t n, int64_t now_ms,
                  pool_done_fn done, void *ctx);

/* Earliest time (clock_ms) at which pool_service must run again for a
 * deadline, a respawn or a dead worker still to reap, or -1 when none. */
int64_t pool_next_deadline(const struct pool *p);

/* Stop and reap every worker and the zygote (waits up to half a second
 * for them to exit, then kills them), free everything. Jobs still pending
 * are dropped without a callback. */
void pool_destroy(struct pool *p);

/* Counters for the summary. */
struct pool_stats {
    unsigned long jobs_done;
    unsigned long worker_deaths;
    unsigned long retries;
    unsigned long respawns;
};
void pool_get_stats(const struct pool *p, struct pool_stats *st);

#endif
