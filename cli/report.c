/* report: progress line, statistics lines and file, summary. The progress
 * line is redrawn in place ("\r" + erase) and log lines erase it first
 * (log_set_progress), so the two never mix on the terminal. */
#include "report.h"

#include "buf.h"
#include "clock.h"
#include "log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#define REPORT_PROGRESS_MS 250

int report_tick_ms(const struct report *r)
{
    if (r->progress)
        return REPORT_PROGRESS_MS;
    if (r->interval_s > 0)
        return r->interval_s * 1000 < 1 ? 1 : (int)(r->interval_s * 1000);
    return 0;
}

/* The parent's peak RSS in kB. getrusage's ru_maxrss survives execve, so
 * it would report the peak of whatever process started crawl (a 300 MB
 * test driver, say); the kernel's VmHWM belongs to this image only. */
static long report_peak_rss_kb(long fallback)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kb = -1;
    if (!f)
        return fallback;
    while (fgets(line, sizeof line, f))
        if (!strncmp(line, "VmHWM:", 6)) {
            kb = strtol(line + 6, NULL, 10);
            break;
        }
    fclose(f);
    return kb > 0 ? kb : fallback;
}

static void report_extra(const struct report *r, const struct crawl_stats *st,
                         const struct crawl_progress *p, const char *phase, struct stats_extra *x)
{
    struct pool_stats ps = r->pool_final;
    struct rusage self, kids;
    if (r->pool)
        pool_get_stats(r->pool, &ps);
    getrusage(RUSAGE_SELF, &self);
    getrusage(RUSAGE_CHILDREN, &kids);
    memset(x, 0, sizeof *x);
    x->phase = phase;
    x->elapsed_s = (double)(clock_ms() - r->t0) / 1000.0;
    x->records = st->records;
    x->fetches = st->fetched;
    x->queued = p ? p->queued : 0;
    x->in_flight = p ? p->in_flight : 0;
    x->parsing = p ? p->parsing : 0;
    x->parsed = st->parsed;
    x->links_rendered = st->links_rendered;
    x->parse_errors = st->parse_errors;
    x->worker_restarts = ps.respawns;
    x->retries = st->retries;
    x->robots_blocked = st->robots_blocked;
    x->bytes = st->bytes;
    x->held_peak = st->held_peak;
    x->links_dropped = st->links_dropped;
    x->settle_steps = st->settle_steps;
    x->redis_round_trips = st->redis_round_trips;
    x->peak_rss_kb = report_peak_rss_kb(self.ru_maxrss);
    x->peak_rss_workers_kb = kids.ru_maxrss;
}

static void report_write_line(const char *s, size_t n)
{
    ssize_t w = write(STDERR_FILENO, s, n);
    (void)w;
}

void report_tick(void *ctx, const struct crawl_progress *p)
{
    struct report *r = ctx;
    int64_t now = clock_ms();
    const struct crawl_stats *st = p->st;
    if (r->interval_s > 0 && now - r->last_stats >= (int64_t)(r->interval_s * 1000)) {
        struct stats_extra x;
        struct buf b;
        buf_init(&b, 1 << 20);
        report_extra(r, st, p, "running", &x);
        stats_json(&st->detail, &x, &b);
        buf_append_char(&b, '\n');
        report_clear(r);
        report_write_line(b.data, b.len);
        buf_free(&b);
        r->last_stats = now;
    }
    if (r->progress) {
        char line[256];
        double secs = (double)(now - r->t0) / 1000.0;
        long e = (long)secs;
        int n = snprintf(line, sizeof line,
                         "\r\033[Kcrawl: %lu done, %lu queued, %lu in flight, %lu parsing, "
                         "%.1f pages/s, %lu errors, %ld:%02ld",
                         st->records, p->queued, p->in_flight, p->parsing,
                         secs > 0 ? (double)st->fetched / secs : 0.0, st->errors + st->http_errors,
                         e / 60, e % 60);
        report_write_line(line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
        r->shown = 1;
        log_set_progress(1);
    }
}

void report_clear(struct report *r)
{
    if (r->shown) {
        report_write_line("\r\033[K", 4);
        r->shown = 0;
        log_set_progress(0);
    }
}

/* One line of the summary block, written at once (cut at 1 kB). */
static void report_block_line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void report_block_line(const char *fmt, ...)
{
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line - 1, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    size_t len = (size_t)n < sizeof line - 1 ? (size_t)n : sizeof line - 2;
    line[len++] = '\n';
    report_write_line(line, len);
}

/* On a terminal: what a person reads at the end, in a few lines. */
static void report_summary_block(const struct crawl_stats *st, double secs)
{
    const struct stats *d = &st->detail;
    log_line("done: %lu records, %lu fetches in %.1f s (%.1f pages/s)", st->records, st->fetched,
             secs, secs > 0 ? (double)st->fetched / secs : 0.0);
    report_block_line("  %lu ok, %lu http errors, %lu errors, %lu skipped (%lu robots), %lu "
                      "interrupted",
                      st->pages_ok, st->http_errors, st->errors, st->skipped, st->robots_blocked,
                      st->interrupted);
    if (!st->broken)
        report_block_line("  no broken links");
    else if (st->broken == 1)
        report_block_line("  1 broken link:");
    else
        report_block_line("  %lu broken links%s:", st->broken,
                          st->broken > d->nbroken ? ", the first ones" : "");
    for (size_t i = 0; i < d->nbroken; i++) {
        const struct stats_broken *k = &d->broken[i];
        report_block_line("    %-9s %.500s", k->what, k->url);
        if (k->parent)
            report_block_line("    %-9s linked from %.500s", "", k->parent);
        else
            report_block_line("    %-9s (a start URL)", "");
    }
    if (st->broken > d->nbroken)
        report_block_line("    ... and %lu more: -f broken lists every one with its pages",
                          st->broken - d->nbroken);
}

void report_summary(const struct report *r, const struct crawl_stats *st)
{
    struct pool_stats ps = r->pool_final;
    if (r->pool)
        pool_get_stats(r->pool, &ps);
    double secs = (double)(clock_ms() - r->t0) / 1000.0;
    if (r->block) {
        report_summary_block(st, secs);
        return;
    }
    log_line("done: %lu records, %lu fetches, %lu ok, %lu http errors, %lu errors, %lu skipped, "
             "%lu robots blocks, %lu retries, %lu interrupted, %lu parsed, %lu parse failures, "
             "%lu worker restarts, %llu bytes, %.1f s, %.1f pages/s",
             st->records, st->fetched, st->pages_ok, st->http_errors, st->errors, st->skipped,
             st->robots_blocked, st->retries, st->interrupted, st->parsed, st->parse_errors,
             ps.respawns, st->bytes, secs, secs > 0 ? (double)st->fetched / secs : 0.0);
}

int report_stats_file(const struct report *r, const char *path, const struct crawl_stats *st,
                      const char *phase)
{
    struct stats_extra x;
    struct buf b;
    char tmp[4096];
    int rc = -1;
    buf_init(&b, 1 << 24);
    report_extra(r, st, NULL, phase, &x);
    stats_json(&st->detail, &x, &b);
    buf_append_char(&b, '\n');
    snprintf(tmp, sizeof tmp, "%s.tmp%ld", path, (long)getpid());
    FILE *f = fopen(tmp, "we");
    if (!f) {
        log_error("cannot write %s: %s", tmp, strerror(errno));
        goto out;
    }
    size_t w = fwrite(b.data, 1, b.len, f);
    if (fclose(f) != 0 || w != b.len) {
        log_error("cannot write %s: %s", tmp, strerror(errno));
        unlink(tmp);
        goto out;
    }
    if (rename(tmp, path) < 0) {
        log_error("cannot rename %s to %s: %s", tmp, path, strerror(errno));
        unlink(tmp);
        goto out;
    }
    rc = 0;
out:
    buf_free(&b);
    return rc;
}
