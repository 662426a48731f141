/* stop: the graceful stop after SIGINT/SIGTERM. The first signal starts a
 * grace period in which in-flight work may finish; when it ends, every URL
 * still in flight (transfer, parse backlog, worker job, parked hop or
 * retry) gets an "interrupted" record. A second signal flushes complete
 * records and exits at once. Queued URLs get nothing: --resume continues
 * them. */
#include "crawl_int.h"

#include "log.h"
#include "sig.h"

#include <unistd.h>

#define STOP_GRACE_MS 2000 /* after a signal, in-flight work may finish */

static void stop_one(struct crawl *c, struct page_result *pr)
{
    if (pr->kind != PAGE_KIND_PAGE) {
        crawl_result_free(pr);
        return;
    }
    pr->error = "interrupted";
    c->st->interrupted++;
    crawl_complete(c, pr);
}

/* The grace period is over: everything still in flight gets its record. */
void stop_cut(struct crawl *c)
{
    c->cut = 1;
    fetch_cancel_all(c->fetch); /* they come back as "interrupted" */
    struct fetch_response *r;
    while ((r = fetch_next(c->fetch))) {
        struct page_result *pr = r->owner;
        sched_release(c, pr->host);
        fetch_response_free(pr->resp);
        pr->resp = r;
        stop_one(c, pr);
    }
    while (c->backlog) {
        struct page_result *pr = c->backlog;
        c->backlog = pr->next;
        c->nbacklog--;
        stop_one(c, pr);
    }
    c->backlog_tail = NULL;
    struct page_result *pr, *tmp;
    HASH_ITER(hh, c->jobs, pr, tmp)
    {
        HASH_DEL(c->jobs, pr); /* a late parse result is ignored */
        stop_one(c, pr);
    }
}

/* Redirect hops and retries that never restarted are in flight too. */
void stop_interrupt_parked(struct crawl *c)
{
    for (struct host *h = c->hosts.first; h; h = h->next_all) {
        while (h->parked_head) {
            struct page_result *pr = h->parked_head;
            h->parked_head = pr->next;
            c->parked--;
            stop_one(c, pr);
        }
        h->parked_tail = NULL;
    }
}

/* Signals arrived: the first starts the graceful stop, a second one
 * leaves at once with only complete records written. `signo` is the first
 * one taken from the self-pipe (0: none); every other signal already in
 * the pipe counts too, even when both arrived within one loop turn. */
void stop_on_signal(struct crawl *c, int signo, int64_t now)
{
    for (; signo; signo = sig_take(c->sig_fd)) {
        if (c->signo) {
            log_warn("second signal: stopping now");
            output_flush(c->out);
            _exit(128 + c->signo);
        }
        c->signo = signo;
        c->grace_end = now + STOP_GRACE_MS;
        log_warn("signal %d: finishing the transfers in flight (%zu), then stopping; send it "
                 "again to stop at once",
                 signo, c->active);
    }
}
