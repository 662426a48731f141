/* test_sched: the per-host scheduler driven by a fake clock: robots.txt
 * first, the per-host connection cap, --wait, Crawl-delay, the --rate
 * bucket, parked transfers before queued URLs, lowest depth first,
 * retries with backoff and Retry-After (capped, and never pausing a host
 * for a URL that will not be retried), and a local failure that is not
 * the host's fault. */
#include "check.h"
#include "robots.h"
#include "sched.h"

#include <string.h>

static struct sched_config sched_cfg(void)
{
    struct sched_config c = {
        .per_host = 2,
        .max_crawl_delay_s = 30,
        .retries = 2,
        .robots = 1,
        .max_depth = 3,
        .queue_budget = 1 << 20,
        .seed = 42,
    };
    return c;
}

/* The next decision at now, or 0. */
static int next(struct sched *s, int64_t now, struct sched_decision *d)
{
    return sched_next(s, now, d) ? (int)d->action : 0;
}

static void test_robots_first_and_cap(void)
{
    struct sched_config cfg = sched_cfg();
    struct sched *s = sched_create(&cfg);
    struct sched_decision d;
    struct host *h = sched_host(s, "http://a.example/x");
    CHECK(sched_host(s, "http://a.example:8080/y") == h); /* one host per name */
    CHECK_STR(h->origin, "http://a.example");
    sched_push(s, h, 2, 1, "http://a.example/deep", "http://a.example/");
    sched_push(s, h, 1, 2, "http://a.example/one", "http://a.example/");
    sched_push(s, h, 1, 3, "http://a.example/two", "http://a.example/");
    CHECK(sched_queued(s) == 3);
    /* robots.txt before anything; nothing else while it is in flight */
    CHECK(next(s, 0, &d) == SCHED_ROBOTS && d.host == h);
    sched_decided(s, h, 1, 0);
    CHECK(next(s, 0, &d) == 0);
    CHECK(sched_wait_ms(s, 0) == -1);
    sched_release(s, h);
    sched_robots_done(s, h, robots_parse("User-agent: *\nDisallow: /two\n", 30, "crawl"), 0, NULL);
    CHECK(sched_robots_verdict(s, h, "http://a.example/two") != NULL);
    CHECK(sched_robots_verdict(s, h, "http://a.example/one") == NULL);
    /* lowest depth first, FIFO within a depth, at most 2 at once */
    CHECK(next(s, 10, &d) == SCHED_QUEUED && d.depth == 1 && d.item.seq == 2);
    sched_decided(s, h, 1, 10);
    CHECK(next(s, 10, &d) == SCHED_QUEUED && d.item.seq == 3 && d.item.url_len == 20);
    sched_decided(s, h, 1, 10);
    CHECK(next(s, 10, &d) == 0); /* per-host cap */
    sched_release(s, h);
    CHECK(next(s, 20, &d) == SCHED_QUEUED && d.depth == 2 && d.item.seq == 1);
    CHECK(d.item.parent_len == 17 && !memcmp(d.item.parent, "http://a.example/", 17));
    sched_decided(s, h, 0, 20); /* decided away: no connection taken */
    CHECK(h->active == 1);
    CHECK(next(s, 20, &d) == 0 && sched_queued(s) == 0);
    sched_release(s, h);
    sched_free(s);
}

static void test_wait_and_crawl_delay(void)
{
    struct sched_config cfg = sched_cfg();
    cfg.wait_s = 0.5;
    cfg.per_host = 4;
    cfg.max_crawl_delay_s = 2;
    struct sched *s = sched_create(&cfg);
    struct sched_decision d;
    struct host *h = sched_host(s, "http://w.example/");
    for (int i = 0; i < 4; i++)
        sched_push(s, h, 1, (uint32_t)i, "http://w.example/p", NULL);
    CHECK(next(s, 1000, &d) == SCHED_ROBOTS);
    sched_decided(s, h, 1, 1000);
    sched_release(s, h);
    /* Crawl-delay 10 capped to 2 s, counted from the robots.txt start */
    sched_robots_done(s, h, robots_parse("User-agent: *\nCrawl-delay: 10\n", 30, "crawl"), 0, NULL);
    CHECK(sched_wait_ms(s, 1100) == 1900);
    CHECK(next(s, 2999, &d) == 0);
    CHECK(next(s, 3000, &d) == SCHED_QUEUED);
    sched_decided(s, h, 1, 3000);
    CHECK(sched_wait_ms(s, 3000) == 2000);
    CHECK(next(s, 4999, &d) == 0);
    CHECK(next(s, 5000, &d) == SCHED_QUEUED);
    sched_decided(s, h, 1, 5000);
    /* another host is not held up by this one */
    struct host *o = sched_host(s, "file:///tmp/site/index.html");
    sched_push(s, o, 0, 9, "file:///tmp/site/index.html", NULL);
    CHECK(next(s, 5000, &d) == SCHED_QUEUED && d.host == o); /* no robots.txt for files */
    sched_decided(s, o, 1, 5000);
    sched_release(s, o);
    sched_release(s, h);
    sched_release(s, h);
    while (next(s, 100000, &d))
        sched_decided(s, d.host, 0, 100000);
    sched_free(s);
}

static void test_rate(void)
{
    struct sched_config cfg = sched_cfg();
    cfg.robots = 0;
    cfg.rate = 2; /* 2 per second, bursts of per_host = 2 */
    struct sched *s = sched_create(&cfg);
    struct sched_decision d;
    struct host *h = sched_host(s, "http://r.example/");
    for (int i = 0; i < 6; i++)
        sched_push(s, h, 0, (uint32_t)i, "http://r.example/", NULL);
    int64_t now = 1000;
    int starts = 0;
    int64_t first = -1, last = -1;
    while (starts < 6 && now < 20000) {
        if (next(s, now, &d)) {
            sched_decided(s, h, 1, now);
            sched_release(s, h);
            if (first < 0)
                first = now;
            last = now;
            starts++;
        } else {
            now += 10;
        }
    }
    /* 6 starts: a burst of 2, then one per 500 ms */
    CHECK(starts == 6);
    CHECKF(last - first == 2000, "span %lld", (long long)(last - first));
    sched_free(s);
}

static void test_retries(void)
{
    struct sched_config cfg = sched_cfg();
    cfg.robots = 0;
    cfg.retries = 1;
    cfg.max_crawl_delay_s = 5;
    struct sched *s = sched_create(&cfg);
    struct sched_decision d;
    struct host *h = sched_host(s, "http://b.example/");
    int token = 7;
    /* an answer resets nothing and pauses nothing */
    CHECK(sched_outcome(s, h, SCHED_RESULT_OK, 1, -1, 0) == -1);
    /* 503 with Retry-After 100000 on the last try: no pause at all */
    CHECK(sched_outcome(s, h, SCHED_RESULT_BUSY, 2, 100000, 0) == -1);
    CHECK(h->backoff_until == 0);
    /* on the first try: retried after Retry-After capped at 5 s */
    CHECK(sched_outcome(s, h, SCHED_RESULT_BUSY, 1, 100000, 0) == 5000);
    sched_park(s, h, &token);
    sched_push(s, h, 0, 1, "http://b.example/q", NULL);
    CHECK(next(s, 4999, &d) == 0);
    CHECK(sched_wait_ms(s, 4000) == 1000);
    /* parked transfers go before queued URLs */
    CHECK(next(s, 5000, &d) == SCHED_PARKED && d.transfer == &token);
    sched_decided(s, h, 1, 5000);
    sched_release(s, h);
    /* timeouts: exponential backoff with jitter, 0.5x..1.5x of 500 ms x 2^n
     * (n = 1: the Retry-After above counted as a failure) */
    int64_t b1 = sched_outcome(s, h, SCHED_RESULT_FAILED, 1, -1, 6000);
    CHECKF(b1 >= 500 && b1 < 1500, "backoff %lld", (long long)b1);
    /* out of descriptors: retried at once, the host is not paused */
    int64_t until = h->backoff_until;
    CHECK(sched_outcome(s, h, SCHED_RESULT_LOCAL, 5, -1, 7000) == 0);
    CHECK(h->backoff_until == until);
    CHECK(sched_outcome(s, h, SCHED_RESULT_FINAL, 1, -1, 7000) == -1);
    while (next(s, 100000, &d))
        sched_decided(s, d.host, 0, 100000);
    CHECK(sched_take_parked(s) == NULL);
    sched_free(s);
}

int main(void)
{
    test_robots_first_and_cap();
    test_wait_and_crawl_delay();
    test_rate();
    test_retries();
    return check_summary("sched");
}
