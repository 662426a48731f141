/* test_pool: the prefork worker pool with real workers (started by the
 * zygote) and the real parser. Normal pages, a 5 MB body (partial
 * non-blocking writes), results above max_result, POOL_DEPTH jobs
 * pipelined to one worker (answered in order; a crash, a hang or a frame
 * part-written ahead of a queued job), and, with
 * CRAWL_TEST_FAULTS=1, workers that crash, exit, hang or answer garbage,
 * plus a worker SIGKILLed while idle. Respawns after this process has
 * grown past the workers' RLIMIT_AS, a zygote that dies, no zombies left
 * behind. Sitemap jobs: plain and gzip, index, errors, the caps, a crash,
 * queueing. At the end no child process and no extra fd may remain.
 * Timing is only ever asserted as a lower bound. */
#include "check.h"
#include "clock.h"
#include "html.h"
#include "log.h"
#include "pool.h"
#include "shm.h"
#include "sitemap.h"
#include "xalloc.h"
#include "zygote.h"

#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#define MAX_JOBS       512
#define WAIT_MAX_MS    120000 /* generous: workers may run under valgrind */
#define BIG_BODY_LEN   (5u << 20)
#define TEST_SHM_BYTES (16u << 20) /* the shared body region of this test */

struct result {
    int done; /* callbacks seen for this id */
    int seq;  /* when the last one came, counted over all page callbacks */
    int err;
    const char *cause;
    struct html_page page;
};

static struct result results[MAX_JOBS];
static uint32_t next_id = 1;
static int done_seq;

struct sm_result {
    int done; /* callbacks seen for this id */
    int err;
    const char *cause;
    char url[128];
    struct sitemap sm;
};

static struct sm_result sm_results[MAX_JOBS];

static void on_done(void *ctx, uint32_t id, int err, const char *cause, struct html_page *page)
{
    (void)ctx;
    if (id >= MAX_JOBS) {
        html_page_free(page);
        return;
    }
    struct result *r = &results[id];
    if (r->done)
        html_page_free(&r->page);
    r->done++;
    r->seq = ++done_seq;
    r->err = err;
    r->cause = cause;
    r->page = *page;
    memset(page, 0, sizeof *page);
}

static void on_sitemap(void *ctx, uint32_t id, int err, const char *cause, const char *url,
                       struct sitemap *sm)
{
    CHECK(ctx == (void *)sm_results);
    if (id >= MAX_JOBS) {
        sitemap_free(sm);
        return;
    }
    struct sm_result *r = &sm_results[id];
    if (r->done)
        sitemap_free(&r->sm);
    r->done++;
    r->err = err;
    r->cause = cause;
    snprintf(r->url, sizeof r->url, "%s", url);
    r->sm = *sm;
    memset(sm, 0, sizeof *sm);
}

/* One turn of a caller's loop: poll the channels up to the pool's next
 * deadline (at most max_ms), then service. */
static void turn(struct pool *p, int max_ms)
{
    struct pollfd fds[16];
    size_t n = pool_pollfds(p, fds, 16);
    int64_t dl = pool_next_deadline(p);
    int timeout = max_ms;
    if (dl >= 0) {
        int64_t d = dl - clock_ms();
        if (d < timeout)
            timeout = d < 0 ? 0 : (int)d;
    }
    poll(fds, n, timeout);
    pool_service(p, fds, n, clock_ms(), on_done, NULL);
}

static int wait_all(struct pool *p)
{
    int64_t start = clock_ms();
    while (pool_pending(p) > 0) {
        if (clock_ms() - start > WAIT_MAX_MS)
            return -1;
        turn(p, 100);
    }
    return 0;
}

/* Bodies go into the shared region (shm.h) while this is set. */
static int use_shm;

/* Submit a copy of html as a job (waiting for an idle worker). */
static uint32_t submit(struct pool *p, const char *url, const char *html, size_t len)
{
    uint32_t id = next_id++;
    char *body = use_shm ? shm_alloc(len ? len : 1) : xmalloc(len ? len : 1);
    CHECK(body != NULL);
    memcpy(body, html, len);
    int64_t start = clock_ms();
    while (!pool_can_submit(p) && clock_ms() - start < WAIT_MAX_MS)
        turn(p, 100);
    if (pool_submit(p, id, url, NULL, body, len, 0) != 0) {
        shm_free(body);
        fprintf(stderr, "submit %u refused\n", id);
        return 0;
    }
    return id;
}

static uint32_t submit_str(struct pool *p, const char *url, const char *html)
{
    return submit(p, url, html, strlen(html));
}

/* Submit a page that makes the worker parsing it crash (the pool must be
 * faulty_pool's, which turns the markers on). */
static uint32_t submit_crash(struct pool *p)
{
    return submit_str(p, "http://example.com/crash",
                      "<html><body><!--crawl-test:crash--><a href=/x>x</a>");
}

static int has_link(const struct html_page *pg, const char *url)
{
    for (size_t i = 0; i < pg->nlinks; i++)
        if (strcmp(pg->links[i].url, url) == 0)
            return 1;
    return 0;
}

static void free_results(void)
{
    for (size_t i = 0; i < MAX_JOBS; i++) {
        html_page_free(&results[i].page);
        sitemap_free(&sm_results[i].sm);
    }
}

/* Submit a copy of data as a sitemap job; returns its id, 0 if refused. */
static uint32_t submit_sitemap(struct pool *p, const char *url, const void *data, size_t len)
{
    uint32_t id = next_id++;
    char *body = xmalloc(len ? len : 1);
    memcpy(body, data, len);
    if (pool_submit_sitemap(p, id, url, body, len, on_sitemap, sm_results) != 0) {
        free(body);
        return 0;
    }
    return id;
}

/* gzip (not zlib) framing of data, malloc'd. */
static unsigned char *gzip_bytes(const char *data, size_t len, size_t *out_len)
{
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    size_t cap = len + len / 100 + 64;
    unsigned char *out = xmalloc(cap);
    int ok = deflateInit2(&zs, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) == Z_OK;
    zs.next_in = (Bytef *)(uintptr_t)data;
    zs.avail_in = (uInt)len;
    zs.next_out = out;
    zs.avail_out = (uInt)cap;
    ok = ok && deflate(&zs, Z_FINISH) == Z_STREAM_END;
    *out_len = zs.total_out;
    deflateEnd(&zs);
    CHECK(ok);
    return out;
}

static int sm_has(const struct sitemap *sm, const char *loc)
{
    for (size_t i = 0; i < sm->nlocs; i++)
        if (strcmp(sm->locs[i], loc) == 0)
            return 1;
    return 0;
}

static uint32_t submit_normal(struct pool *p, int n)
{
    char html[512];
    snprintf(html, sizeof html,
             "<!DOCTYPE html><html><head><title>Page %d</title></head><body>"
             "<p>Hello <a href=\"/a/%d\">first</a> and "
             "<a href=\"http://other.example/b\">second</a></p></body></html>",
             n, n);
    return submit_str(p, "http://example.com/dir/page.html", html);
}

/* A page from submit_normal(n) came back complete. */
static int normal_ok(uint32_t id, int n)
{
    char title[32], link[64];
    const struct result *r = &results[id];
    snprintf(title, sizeof title, "Page %d", n);
    snprintf(link, sizeof link, "http://example.com/a/%d", n);
    if (!id || r->done != 1 || r->err != POOL_OK || r->page.nlinks != 2)
        return 0;
    return r->page.title && strcmp(r->page.title, title) == 0 && has_link(&r->page, link) &&
           has_link(&r->page, "http://other.example/b");
}

static int count_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    struct dirent *e;
    int n = 0;
    if (!d)
        return -1;
    while ((e = readdir(d)))
        if (e->d_name[0] != '.')
            n++;
    closedir(d);
    return n - 1; /* the directory's own fd */
}

/* Children of this process that are not zombies, found by scanning
 * /proc/<pid>/stat: the workers (zygote 0) or the zygote (zygote 1), told
 * apart by the zygote's process name. With zombies 1, the zombie children
 * instead (any name). */
static size_t kids(pid_t *out, size_t max, int zygote, int zombies)
{
    DIR *d = opendir("/proc");
    struct dirent *e;
    size_t n = 0;
    pid_t self = getpid();
    if (!d)
        return 0;
    while ((e = readdir(d)) && n < max) {
        char path[300], line[1024];
        if (e->d_name[0] < '1' || e->d_name[0] > '9')
            continue;
        snprintf(path, sizeof path, "/proc/%s/stat", e->d_name);
        FILE *f = fopen(path, "r");
        if (!f)
            continue;
        char *ok = fgets(line, sizeof line, f);
        fclose(f);
        char *lp = ok ? strchr(line, '(') : NULL;
        char *rp = ok ? strrchr(line, ')') : NULL;
        char state;
        long ppid;
        if (!lp || !rp || sscanf(rp + 1, " %c %ld", &state, &ppid) != 2 || ppid != self)
            continue;
        *rp = '\0';
        int is_zygote = strcmp(lp + 1, ZYGOTE_PROC_NAME) == 0;
        if (zombies ? state == 'Z' : state != 'Z' && is_zygote == zygote)
            out[n++] = (pid_t)atol(e->d_name);
    }
    closedir(d);
    return n;
}

static size_t child_pids(pid_t *out, size_t max)
{
    return kids(out, max, 0, 0);
}

static pid_t zygote_pid(void)
{
    pid_t z[4];
    return kids(z, 4, 1, 0) == 1 ? z[0] : -1;
}

static size_t zombie_count(void)
{
    pid_t z[64];
    return kids(z, 64, 0, 1);
}

/* A value from /proc/<pid>/status ("VmSize:" ...) in kB, or -1. */
static long proc_status_kb(pid_t pid, const char *key)
{
    char path[64], line[256];
    long v = -1;
    snprintf(path, sizeof path, "/proc/%ld/status", (long)pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    while (fgets(line, sizeof line, f))
        if (strncmp(line, key, strlen(key)) == 0)
            v = atol(line + strlen(key));
    fclose(f);
    return v;
}

/* Respawns happen in pool_service, possibly after a backoff: turn until
 * the counter reaches n. */
static void wait_respawns(struct pool *p, unsigned long n)
{
    struct pool_stats st;
    int64_t start = clock_ms();
    pool_get_stats(p, &st);
    while (st.respawns < n && clock_ms() - start < WAIT_MAX_MS) {
        turn(p, 100);
        pool_get_stats(p, &st);
    }
}

static struct pool_config base_config(void)
{
    struct pool_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.nworkers = 2;
    cfg.parse_timeout_ms = 60000;
    cfg.max_job = 8u << 20;
    cfg.max_result = 1u << 20;
    cfg.max_links = 10000;
    cfg.mem_limit = 0;
    cfg.cpu_limit_s = 60;
    return cfg;
}

/* A pool whose workers obey the test fault markers (CRAWL_TEST_FAULTS,
 * read when the workers start). */
static struct pool *faulty_pool(const struct pool_config *cfg)
{
    setenv("CRAWL_TEST_FAULTS", "1", 1);
    struct pool *p = pool_create(cfg);
    unsetenv("CRAWL_TEST_FAULTS");
    return p;
}

static void test_normal_pages(struct pool *p)
{
    uint32_t ids[10];
    for (int i = 0; i < 10; i++)
        ids[i] = submit_normal(p, i);
    CHECK(wait_all(p) == 0);
    int all = 1;
    for (int i = 0; i < 10; i++)
        all &= normal_ok(ids[i], i);
    CHECK(all);
    CHECK(pool_pending(p) == 0);
    CHECK(pool_next_deadline(p) == -1); /* nothing in flight, nobody dead */
}

/* A page of about BIG_BODY_LEN bytes, titled "Big", whose one link
 * (/big-end) is at its very end; malloc'd. */
static char *big_page(size_t *len)
{
    static const char head[] = "<html><head><title>Big</title></head><body>";
    static const char para[] = "<p>Lorem ipsum dolor sit amet, consectetur adipiscing.</p>\n";
    static const char tail[] = "<a href=\"/big-end\">end</a></body></html>";
    char *data = xmalloc(BIG_BODY_LEN + sizeof tail);
    size_t n = sizeof head - 1;
    memcpy(data, head, n);
    while (n + sizeof para < BIG_BODY_LEN) {
        memcpy(data + n, para, sizeof para - 1);
        n += sizeof para - 1;
    }
    memcpy(data + n, tail, sizeof tail - 1);
    *len = n + sizeof tail - 1;
    return data;
}

/* The big page came back whole. */
static int big_ok(uint32_t id)
{
    const struct result *r = &results[id];
    return id && r->done == 1 && r->err == POOL_OK &&
           has_link(&r->page, "http://example.com/big-end") && r->page.title &&
           strcmp(r->page.title, "Big") == 0;
}

/* Channels the pool wants to write to. */
static size_t writing_count(struct pool *p)
{
    struct pollfd fds[16];
    size_t n = pool_pollfds(p, fds, 16), writing = 0;
    for (size_t i = 0; i < n; i++)
        writing += (fds[i].events & POLLOUT) != 0;
    return writing;
}

static void test_big_body(struct pool *p)
{
    struct {
        char *data;
        size_t len;
    } b;
    b.data = big_page(&b.len);

    /* Stop the workers so the socket buffer surely fills: the pool must
     * then ask for POLLOUT and carry on from where it stopped. */
    pid_t pids[8];
    size_t nkids = child_pids(pids, 8);
    CHECK(nkids == 2);
    for (size_t i = 0; i < nkids; i++)
        kill(pids[i], SIGSTOP);
    CHECK(pool_can_submit(p));
    uint32_t id = next_id++;
    CHECK(pool_submit(p, id, "http://example.com/big", "UTF-8", b.data, b.len, 0) == 0);
    b.data = NULL; /* the pool owns it */

    CHECK(writing_count(p) == 1);
    CHECK(pool_next_deadline(p) > 0);

    /* A small page submitted meanwhile goes to the other, idle, worker. */
    uint32_t small = submit_normal(p, 77);
    turn(p, 10);
    for (size_t i = 0; i < nkids; i++)
        kill(pids[i], SIGCONT);
    CHECK(wait_all(p) == 0);
    CHECK(big_ok(id));
    CHECK(normal_ok(small, 77));
}

static void test_markers_inactive(struct pool *p)
{
    uint32_t id =
        submit_str(p, "http://example.com/c",
                   "<html><body><!--crawl-test:crash--><a href=\"/x\">x</a></body></html>");
    CHECK(wait_all(p) == 0);
    CHECK(results[id].done == 1 && results[id].err == POOL_OK);
    CHECK(has_link(&results[id].page, "http://example.com/x"));
}

/* Results above max_result lose links from the end, counted as dropped. */
static void test_result_cap(void)
{
    struct pool_config cfg = base_config();
    cfg.nworkers = 1;
    cfg.max_result = 4096;
    struct pool *p = pool_create(&cfg);
    CHECK(p != NULL);
    if (!p)
        return;
    size_t cap = 300 * 64 + 100, len = 0;
    char *html = xmalloc(cap);
    len += (size_t)snprintf(html + len, cap - len, "<html><body>");
    for (int i = 0; i < 300; i++)
        len += (size_t)snprintf(html + len, cap - len, "<a href=\"/link/number/%d\">l</a>", i);
    len += (size_t)snprintf(html + len, cap - len, "</body></html>");
    uint32_t id = submit(p, "http://example.com/", html, len);
    free(html);
    CHECK(wait_all(p) == 0);
    const struct result *r = &results[id];
    CHECK(r->done == 1 && r->err == POOL_OK);
    CHECK(r->page.nlinks > 10 && r->page.nlinks < 300);
    CHECK(r->page.nlinks + r->page.links_dropped == 300);
    CHECK(has_link(&r->page, "http://example.com/link/number/0"));
    CHECK(!has_link(&r->page, "http://example.com/link/number/299"));
    pool_destroy(p);
}

static void test_faults(void)
{
    struct pool_config cfg = base_config();
    struct pool_stats st;
    struct pool *p = faulty_pool(&cfg);
    CHECK(p != NULL);
    if (!p)
        return;

    /* Crash: retried once, then reported; pages around it still parse. */
    uint32_t before = submit_normal(p, 1);
    uint32_t crash = submit_crash(p);
    uint32_t after[4];
    for (int i = 0; i < 4; i++)
        after[i] = submit_normal(p, 10 + i);
    CHECK(wait_all(p) == 0);
    CHECK(results[crash].done == 1 && results[crash].err == POOL_ERR_CRASH);
    CHECK(results[crash].cause &&
          strcmp(results[crash].cause, "signal 11 (Segmentation fault)") == 0);
    CHECK(results[crash].page.nlinks == 0 && results[crash].page.title == NULL);
    CHECK(normal_ok(before, 1));
    int all = 1;
    for (int i = 0; i < 4; i++)
        all &= normal_ok(after[i], 10 + i);
    CHECK(all);
    wait_respawns(p, 2); /* the zygote answers asynchronously */
    pool_get_stats(p, &st);
    CHECK(st.worker_deaths == 2 && st.retries == 1 && st.respawns == 2);
    CHECK(zombie_count() == 0);

    /* Exit with a status. */
    uint32_t ex = submit_str(p, "http://example.com/exit", "<!--crawl-test:exit-->");
    CHECK(wait_all(p) == 0);
    CHECK(results[ex].done == 1 && results[ex].err == POOL_ERR_CRASH);
    CHECK(results[ex].cause && strcmp(results[ex].cause, "exit status 7") == 0);

    /* Garbage instead of a result frame. */
    uint32_t garbage = submit_str(p, "http://example.com/g", "<p><!--crawl-test:garbage-->");
    CHECK(wait_all(p) == 0);
    CHECK(results[garbage].done == 1 && results[garbage].err == POOL_ERR_PROTOCOL);
    CHECK(results[garbage].cause && strcmp(results[garbage].cause, "bad frame") == 0);

    /* Still a working pool. */
    uint32_t ok1 = submit_normal(p, 20), ok2 = submit_normal(p, 21);
    CHECK(wait_all(p) == 0);
    CHECK(normal_ok(ok1, 20) && normal_ok(ok2, 21));
    wait_respawns(p, 6);
    pool_get_stats(p, &st);
    CHECK(st.worker_deaths == 6 && st.retries == 3 && st.respawns == 6);

    /* A worker SIGKILLed while idle is noticed, reaped and respawned. */
    pid_t pids[8];
    CHECK(child_pids(pids, 8) == 2);
    pid_t victim = pids[0];
    CHECK(kill(victim, SIGKILL) == 0);
    wait_respawns(p, 7);
    pool_get_stats(p, &st);
    CHECK(st.respawns == 7 && st.worker_deaths == 7);
    size_t n = child_pids(pids, 8);
    CHECK(n == 2 && pids[0] != victim && pids[1] != victim);
    uint32_t k1 = submit_normal(p, 30), k2 = submit_normal(p, 31), k3 = submit_normal(p, 32);
    CHECK(wait_all(p) == 0);
    CHECK(normal_ok(k1, 30) && normal_ok(k2, 31) && normal_ok(k3, 32));

    /* Killed and given a job before the pool could notice: the job still
     * succeeds (on the respawned or the other worker). */
    CHECK(child_pids(pids, 8) == 2);
    kill(pids[1], SIGKILL);
    siginfo_t si;
    waitid(P_PID, (id_t)pids[1], &si, WEXITED | WNOWAIT); /* dead for sure, not reaped */
    uint32_t k4 = submit_normal(p, 33), k5 = submit_normal(p, 34);
    CHECK(wait_all(p) == 0);
    CHECK(normal_ok(k4, 33) && normal_ok(k5, 34));
    wait_respawns(p, 8);
    CHECK(child_pids(pids, 8) == 2);
    CHECK(zombie_count() == 0);
    pool_destroy(p);
}

static void test_hang(void)
{
    struct pool_config cfg = base_config();
    cfg.parse_timeout_ms = 300;
    struct pool *p = faulty_pool(&cfg);
    CHECK(p != NULL);
    if (!p)
        return;
    int64_t start = clock_ms();
    uint32_t hang = submit_str(p, "http://example.com/h", "<html><!--crawl-test:hang--></html>");
    CHECK(wait_all(p) == 0);
    CHECK(clock_ms() - start >= 2 * 300); /* two deadlines ran out */
    CHECK(results[hang].done == 1 && results[hang].err == POOL_ERR_TIMEOUT);
    CHECK(results[hang].cause && strcmp(results[hang].cause, "deadline") == 0);
    CHECK(zombie_count() == 0); /* the SIGKILLed workers were reaped */
    uint32_t ok = submit_normal(p, 40);
    CHECK(wait_all(p) == 0);
    CHECK(normal_ok(ok, 40));
    struct pool_stats st;
    pool_get_stats(p, &st);
    CHECK(st.worker_deaths == 2 && st.retries == 1);
    pool_destroy(p);
}

/* The hang marker again, destroying the pool while the worker hangs. */
static void test_destroy_busy(void)
{
    struct pool_config cfg = base_config();
    struct pool *p = faulty_pool(&cfg);
    CHECK(p != NULL);
    if (!p)
        return;
    submit_str(p, "http://example.com/h", "<!--crawl-test:hang-->");
    submit_normal(p, 50);
    turn(p, 10);
    pool_destroy(p);
}

static void test_refused(void)
{
    struct pool_config cfg = base_config();
    cfg.nworkers = 1;
    cfg.max_job = 100;
    struct pool *p = pool_create(&cfg);
    CHECK(p != NULL);
    if (!p)
        return;
    char big[101];
    memset(big, 'x', sizeof big);
    uint32_t id = submit(p, "http://example.com/", big, sizeof big);
    CHECK(id != 0 && pool_pending(p) == 1);
    CHECK(wait_all(p) == 0);
    CHECK(results[id].done == 1 && results[id].err == POOL_ERR_PARSE);
    uint32_t ok = submit_str(p, "http://example.com/", "<a href=/y>y</a>");
    CHECK(wait_all(p) == 0);
    CHECK(results[ok].done == 1 && results[ok].err == POOL_OK);
    pool_destroy(p);
}

/* The parent (this process) grows well past the workers' RLIMIT_AS after
 * the pool is created; workers respawned after a crash must still work
 * and be small. Forked from the grown parent under that limit they would
 * fail on their first page (the cap is on virtual size: the ballast
 * counts). Under ASan workers set no RLIMIT_AS: the sizes are not
 * checked there. */
static void test_respawn_after_growth(void)
{
    const size_t limit = 256u << 20, ballast_len = 512u << 20;
    struct pool_config cfg = base_config();
    cfg.mem_limit = limit;
    struct pool *p = faulty_pool(&cfg);
    CHECK(p != NULL);
    if (!p)
        return;
    char *ballast = xmalloc(ballast_len);
    memset(ballast, 0x5a, ballast_len); /* touched: really grown */
    CHECK(proc_status_kb(getpid(), "VmSize:") > (long)(ballast_len >> 10));

    uint32_t crash = submit_crash(p);
    CHECK(wait_all(p) == 0);
    CHECK(results[crash].done == 1 && results[crash].err == POOL_ERR_CRASH);
    wait_respawns(p, 2);
    uint32_t ids[6];
    for (int i = 0; i < 6; i++)
        ids[i] = submit_normal(p, 60 + i);
    CHECK(wait_all(p) == 0);
    int all = 1;
    for (int i = 0; i < 6; i++)
        all &= normal_ok(ids[i], 60 + i);
    CHECK(all);
    struct pool_stats st;
    pool_get_stats(p, &st);
    CHECK(st.respawns == 2 && st.worker_deaths == 2); /* the crash's two, no more */
    /* The respawned workers are as small as the zygote, not the parent. */
    pid_t pids[8];
    size_t n = child_pids(pids, 8);
    CHECK(n == 2);
#if defined(__SANITIZE_ADDRESS__)
    check_skipped++; /* no RLIMIT_AS (worker_main.c) and a huge VmSize under ASan */
#else
    for (size_t i = 0; i < n; i++) {
        long kb = proc_status_kb(pids[i], "VmSize:");
        CHECKF(kb > 0 && kb < (long)(limit >> 10), "worker %ld VmSize %ld kB", (long)pids[i], kb);
    }
#endif
    free(ballast);
    pool_destroy(p);
}

/* The zygote dies: the running workers go on; once they are gone too,
 * jobs fail with POOL_ERR_NO_WORKERS instead of waiting forever. */
static void test_zygote_dies(void)
{
    struct pool_config cfg = base_config();
    struct pool *p = faulty_pool(&cfg);
    CHECK(p != NULL);
    if (!p)
        return;
    pid_t z = zygote_pid();
    CHECK(z > 0);
    if (z <= 0) {
        pool_destroy(p);
        return;
    }
    CHECK(kill(z, SIGKILL) == 0);
    siginfo_t si;
    waitid(P_PID, (id_t)z, &si, WEXITED | WNOWAIT); /* dead for sure, not reaped */
    uint32_t a = submit_normal(p, 70), b = submit_normal(p, 71);
    CHECK(wait_all(p) == 0);
    CHECK(normal_ok(a, 70) && normal_ok(b, 71));
    CHECK(zygote_pid() == -1 && zombie_count() == 0); /* noticed and reaped */

    /* Both workers die on this page (one try each); nobody respawns them. */
    uint32_t crash = submit_str(p, "http://example.com/crash", "<!--crawl-test:crash-->");
    CHECK(wait_all(p) == 0);
    CHECK(results[crash].done == 1 && results[crash].err == POOL_ERR_CRASH);
    uint32_t late = submit_normal(p, 72);
    uint32_t sm = submit_sitemap(p, "http://example.com/sitemap.xml", "<urlset/>", 9);
    CHECK(late != 0 && sm != 0);
    CHECK(wait_all(p) == 0);
    CHECK(results[late].done == 1 && results[late].err == POOL_ERR_NO_WORKERS);
    CHECK(sm_results[sm].done == 1 && sm_results[sm].err == POOL_ERR_NO_WORKERS);
    CHECK(pool_can_submit(p));
    CHECK(pool_next_deadline(p) == -1); /* nothing to wake up for */
    struct pool_stats st;
    pool_get_stats(p, &st);
    CHECK(st.respawns == 0 && st.worker_deaths == 2);
    pid_t pids[8];
    CHECK(child_pids(pids, 8) == 0 && zombie_count() == 0);
    pool_destroy(p);
}

/* A page nested 300 deep (libxml2's tree builder stops at 256; our SAX
 * pass does not build a tree): the link at the bottom is reported, and so
 * is one after the nesting is closed. */
static void test_deep_page(struct pool *p)
{
    static char html[300 * 11 + 200];
    size_t len = 0;
    for (int i = 0; i < 300; i++)
        len += (size_t)snprintf(html + len, sizeof html - len, "<div>");
    len += (size_t)snprintf(html + len, sizeof html - len, "<a href=\"/bottom\">b</a>");
    for (int i = 0; i < 300; i++)
        len += (size_t)snprintf(html + len, sizeof html - len, "</div>");
    len += (size_t)snprintf(html + len, sizeof html - len, "<a href=\"/after\">a</a>");
    uint32_t id = submit(p, "http://example.com/deep", html, len);
    CHECK(wait_all(p) == 0);
    CHECK(results[id].done == 1 && results[id].err == POOL_OK);
    CHECK(results[id].page.nlinks == 2);
    CHECK(has_link(&results[id].page, "http://example.com/bottom"));
    CHECK(has_link(&results[id].page, "http://example.com/after"));
}

static const char sm_urlset[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">"
    "<url><loc>http://example.com/a</loc></url>"
    "<url><loc> /b?x=1&amp;y=2 </loc><lastmod>2024-01-01</lastmod></url>"
    "<url><loc>http://other.example/c</loc></url></urlset>\n";

static void test_sitemaps(struct pool *p)
{
    /* Plain, gzip, an index, not a sitemap, corrupt gzip, too big. */
    size_t gzlen;
    unsigned char *gz = gzip_bytes(sm_urlset, sizeof sm_urlset - 1, &gzlen);
    static const char index[] =
        "<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">"
        "<sitemap><loc>http://example.com/s1.xml.gz</loc></sitemap></sitemapindex>";
    uint32_t plain =
        submit_sitemap(p, "http://example.com/sitemap.xml", sm_urlset, sizeof sm_urlset - 1);
    uint32_t zipped = submit_sitemap(p, "http://example.com/s.xml.gz", gz, gzlen);
    uint32_t idx = submit_sitemap(p, "http://example.com/index.xml", index, sizeof index - 1);
    uint32_t html = submit_sitemap(p, "http://example.com/", "<html><a href=/x>x</a></html>", 29);
    uint32_t badgz = submit_sitemap(p, "http://example.com/bad.gz", gz, gzlen / 2);
    char *big = xmalloc((8u << 20) + 1);
    memset(big, ' ', (8u << 20) + 1);
    uint32_t huge = submit_sitemap(p, "http://example.com/huge.xml", big, (8u << 20) + 1);
    free(big);
    free(gz);
    CHECK(plain && zipped && idx && html && badgz && huge);
    CHECK(wait_all(p) == 0);

    const struct sm_result *r = &sm_results[plain];
    CHECK(r->done == 1 && r->err == POOL_OK && r->sm.nlocs == 3 && !r->sm.is_index);
    CHECK(r->sm.nlocs == 3 && strcmp(r->sm.locs[0], "http://example.com/a") == 0 &&
          strcmp(r->sm.locs[1], "/b?x=1&y=2") == 0 &&
          strcmp(r->sm.locs[2], "http://other.example/c") == 0);
    CHECK(strcmp(r->url, "http://example.com/sitemap.xml") == 0);
    r = &sm_results[zipped];
    CHECK(r->done == 1 && r->err == POOL_OK && r->sm.nlocs == 3 &&
          sm_has(&r->sm, "http://other.example/c"));
    r = &sm_results[idx];
    CHECK(r->done == 1 && r->err == POOL_OK && r->sm.is_index && r->sm.nlocs == 1 &&
          sm_has(&r->sm, "http://example.com/s1.xml.gz"));
    r = &sm_results[html];
    CHECK(r->done == 1 && r->err == POOL_ERR_PARSE && r->cause &&
          strcmp(r->cause, "not a sitemap") == 0 && r->sm.nlocs == 0);
    r = &sm_results[badgz];
    CHECK(r->done == 1 && r->err == POOL_ERR_PARSE && r->cause &&
          strcmp(r->cause, "bad gzip") == 0);
    r = &sm_results[huge]; /* over max_job (8 MiB): never sent */
    CHECK(r->done == 1 && r->err == POOL_ERR_PARSE && r->cause &&
          strcmp(r->cause, "job refused") == 0);

    /* 50,001 URLs: the parser keeps 50,000 and counts one dropped. A loc
     * nested inside a 300-deep element halts libxml2's XML parser (no
     * XML_PARSE_HUGE): what came before is kept. */
    size_t cap = 64 + 50001 * 40, len = 0;
    char *many = xmalloc(cap);
    len += (size_t)snprintf(many + len, cap - len, "<urlset>");
    for (int i = 0; i < 50001; i++)
        len += (size_t)snprintf(many + len, cap - len, "<url><loc>/p%d</loc></url>", i);
    len += (size_t)snprintf(many + len, cap - len, "</urlset>");
    uint32_t lots = submit_sitemap(p, "http://example.com/many.xml", many, len);
    len = (size_t)snprintf(many, cap, "<urlset><url><loc>/before</loc></url><x>");
    for (int i = 0; i < 300; i++)
        len += (size_t)snprintf(many + len, cap - len, "<x>");
    for (int i = 0; i < 300; i++)
        len += (size_t)snprintf(many + len, cap - len, "</x>");
    len += (size_t)snprintf(many + len, cap - len, "</x><url><loc>/after</loc></url></urlset>");
    uint32_t deep = submit_sitemap(p, "http://example.com/deep.xml", many, len);
    free(many);
    CHECK(wait_all(p) == 0);
    r = &sm_results[lots];
    CHECK(r->done == 1 && r->err == POOL_OK && r->sm.nlocs == SITEMAP_MAX_LOCS &&
          r->sm.dropped == 1);
    CHECK(r->sm.nlocs == SITEMAP_MAX_LOCS && strcmp(r->sm.locs[49999], "/p49999") == 0);
    r = &sm_results[deep];
    CHECK(r->done == 1 && r->err == POOL_OK && r->sm.nlocs == 1 && sm_has(&r->sm, "/before"));
}

/* Sitemap jobs wait for a worker instead of being refused, up to
 * POOL_MAX_SITEMAP_JOBS pending; past that the caller keeps its body. */
static void test_sitemap_queue(void)
{
    struct pool_config cfg = base_config();
    cfg.nworkers = 1;
    cfg.max_result = 4096;
    struct pool *p = pool_create(&cfg);
    CHECK(p != NULL);
    if (!p)
        return;
    uint32_t pages[POOL_DEPTH];
    for (int i = 0; i < POOL_DEPTH; i++)
        pages[i] = submit_normal(p, 80 + i);
    CHECK(!pool_can_submit(p)); /* the only worker's line is full */
    uint32_t first = 0, last = 0;
    int all = 1;
    for (int i = 0; i < POOL_MAX_SITEMAP_JOBS; i++) {
        last = submit_sitemap(p, "http://example.com/q.xml", sm_urlset, sizeof sm_urlset - 1);
        all &= last != 0;
        if (!first)
            first = last;
    }
    CHECK(all);
    CHECK(submit_sitemap(p, "http://example.com/q.xml", sm_urlset, sizeof sm_urlset - 1) == 0);
    CHECK(pool_pending(p) == (size_t)POOL_MAX_SITEMAP_JOBS + POOL_DEPTH);
    CHECK(wait_all(p) == 0);
    for (int i = 0; i < POOL_DEPTH; i++)
        all &= normal_ok(pages[i], 80 + i);
    for (uint32_t id = first; id <= last; id++)
        all &= sm_results[id].done == 1 && sm_results[id].err == POOL_OK &&
               sm_results[id].sm.nlocs == 3;
    CHECK(all);
    CHECK(last - first + 1 == POOL_MAX_SITEMAP_JOBS);

    /* max_result 4096: 300 URLs of ~30 bytes do not fit; the first ones
     * are kept in order, the rest counted as dropped. */
    size_t cap = 64 + 300 * 48, len = 0;
    char *xml = xmalloc(cap);
    len += (size_t)snprintf(xml + len, cap - len, "<urlset>");
    for (int i = 0; i < 300; i++)
        len += (size_t)snprintf(xml + len, cap - len,
                                "<url><loc>http://example.com/n/%03d</loc></url>", i);
    len += (size_t)snprintf(xml + len, cap - len, "</urlset>");
    uint32_t capped = submit_sitemap(p, "http://example.com/capped.xml", xml, len);
    free(xml);
    CHECK(wait_all(p) == 0);
    const struct sm_result *r = &sm_results[capped];
    CHECK(r->done == 1 && r->err == POOL_OK);
    CHECK(r->sm.nlocs > 10 && r->sm.nlocs < 300 && r->sm.nlocs + r->sm.dropped == 300);
    CHECK(r->sm.nlocs > 0 && strcmp(r->sm.locs[0], "http://example.com/n/000") == 0);
    pool_destroy(p);
}

/* A sitemap that crashes its worker is retried once, then reported
 * through the sitemap callback; a page job in flight is not disturbed. */
static void test_sitemap_crash(void)
{
    struct pool_config cfg = base_config();
    struct pool *p = faulty_pool(&cfg);
    CHECK(p != NULL);
    if (!p)
        return;
    static const char bad[] = "<urlset><!--crawl-test:crash--><url><loc>/x</loc></url></urlset>";
    uint32_t sm = submit_sitemap(p, "http://example.com/crash.xml", bad, sizeof bad - 1);
    uint32_t page = submit_normal(p, 90);
    CHECK(wait_all(p) == 0);
    CHECK(sm_results[sm].done == 1 && sm_results[sm].err == POOL_ERR_CRASH &&
          sm_results[sm].sm.nlocs == 0);
    CHECK(sm_results[sm].cause &&
          strcmp(sm_results[sm].cause, "signal 11 (Segmentation fault)") == 0);
    CHECK(normal_ok(page, 90));
    struct pool_stats st;
    pool_get_stats(p, &st);
    CHECK(st.worker_deaths == 2 && st.retries == 1);
    pool_destroy(p);
}

/* Turn until the pool has counted `deaths` worker deaths; returns when
 * (clock_ms), or -1. */
static int64_t wait_deaths(struct pool *p, unsigned long deaths)
{
    struct pool_stats st;
    int64_t start = clock_ms();
    for (;;) {
        pool_get_stats(p, &st);
        if (st.worker_deaths >= deaths)
            return clock_ms();
        if (clock_ms() - start > WAIT_MAX_MS)
            return -1;
        turn(p, 10);
    }
}

/* One worker takes POOL_DEPTH jobs at once and answers them in order.
 * Then, with the worker stopped, a 5 MB page is part-written and a small
 * one queued behind it: the POLLOUT continuation writes both frames whole,
 * in order. */
static void test_pipelined(void)
{
    struct pool_config cfg = base_config();
    cfg.nworkers = 1;
    struct pool *p = pool_create(&cfg);
    CHECK(p != NULL);
    if (!p)
        return;
    uint32_t ids[POOL_DEPTH];
    int room = 1;
    for (int i = 0; i < POOL_DEPTH; i++) {
        room &= pool_can_submit(p) != 0; /* nothing answered yet: no turn since */
        ids[i] = submit_normal(p, 100 + i);
    }
    CHECK(room);
    CHECK(!pool_can_submit(p) && pool_pending(p) == POOL_DEPTH);
    CHECK(wait_all(p) == 0);
    int all = 1;
    for (int i = 0; i < POOL_DEPTH; i++)
        all &=
            normal_ok(ids[i], 100 + i) && (i == 0 || results[ids[i - 1]].seq < results[ids[i]].seq);
    CHECK(all);

    pid_t pids[8];
    CHECK(child_pids(pids, 8) == 1);
    kill(pids[0], SIGSTOP);
    size_t len;
    char *body = big_page(&len);
    uint32_t big = next_id++;
    CHECK(pool_submit(p, big, "http://example.com/big", "UTF-8", body, len, 0) == 0);
    CHECK(writing_count(p) == 1); /* the socket is full: part-written */
    CHECK(pool_can_submit(p));
    uint32_t small = submit_normal(p, 110);
    CHECK(small != 0 && pool_pending(p) == 2);
    turn(p, 10);
    kill(pids[0], SIGCONT);
    CHECK(wait_all(p) == 0);
    CHECK(big_ok(big) && normal_ok(small, 110));
    CHECK(results[big].seq < results[small].seq);
    struct pool_stats st;
    pool_get_stats(p, &st);
    CHECK(st.worker_deaths == 0 && st.retries == 0);
    pool_destroy(p);
}

/* A job queued behind one that crashes the worker was never started: it
 * is answered POOL_OK, without a retry counted; the crash is retried
 * once and reported as before. */
static void test_pipelined_crash(void)
{
    struct pool_config cfg = base_config();
    cfg.nworkers = 1;
    struct pool *p = faulty_pool(&cfg);
    CHECK(p != NULL);
    if (!p)
        return;
    uint32_t crash = submit_crash(p);
    CHECK(pool_can_submit(p)); /* queued behind it on the one worker */
    uint32_t good = submit_normal(p, 120);
    CHECK(crash && good && pool_pending(p) == 2);
    CHECK(wait_all(p) == 0);
    CHECK(normal_ok(good, 120));
    CHECK(results[crash].done == 1 && results[crash].err == POOL_ERR_CRASH);
    CHECK(results[crash].cause &&
          strcmp(results[crash].cause, "signal 11 (Segmentation fault)") == 0);
    struct pool_stats st;
    pool_get_stats(p, &st);
    CHECK(st.worker_deaths == 2 && st.retries == 1);
    pool_destroy(p);
}

/* Deadlines with jobs in line. A hang at the head: the job behind it is
 * not charged the deadline. A hang behind a page: its clock starts when
 * that page's answer arrives, not when it was submitted (the worker is
 * stopped for `stall` ms first, so the two differ). */
static void test_pipelined_hang(void)
{
    const int timeout = 800, stall = 500;
    struct pool_config cfg = base_config();
    cfg.nworkers = 1;
    cfg.parse_timeout_ms = timeout;
    struct pool *p = faulty_pool(&cfg);
    CHECK(p != NULL);
    if (!p)
        return;
    static const char hang_page[] = "<html><!--crawl-test:hang--></html>";
    int64_t start = clock_ms();
    uint32_t hang = submit_str(p, "http://example.com/h", hang_page);
    CHECK(pool_can_submit(p));
    uint32_t good = submit_normal(p, 130);
    CHECK(wait_all(p) == 0);
    CHECK(clock_ms() - start >= 2 * timeout);
    CHECK(normal_ok(good, 130));
    CHECK(results[hang].done == 1 && results[hang].err == POOL_ERR_TIMEOUT);
    struct pool_stats st;
    pool_get_stats(p, &st);
    CHECK(st.worker_deaths == 2 && st.retries == 1);

    wait_respawns(p, 2);
    pid_t pids[8];
    CHECK(child_pids(pids, 8) == 1);
    kill(pids[0], SIGSTOP);
    start = clock_ms();
    uint32_t first = submit_normal(p, 131);
    CHECK(pool_can_submit(p));
    uint32_t hang2 = submit_str(p, "http://example.com/h2", hang_page);
    while (clock_ms() - start < stall)
        turn(p, 10);
    kill(pids[0], SIGCONT);
    int64_t died = wait_deaths(p, 3);
    CHECK(died >= 0 && died - start >= stall + timeout);
    CHECK(normal_ok(first, 131) && results[hang2].done == 0);
    CHECK(wait_all(p) == 0);
    CHECK(results[hang2].done == 1 && results[hang2].err == POOL_ERR_TIMEOUT);
    pool_get_stats(p, &st);
    CHECK(st.worker_deaths == 4 && st.retries == 2);
    CHECK(zombie_count() == 0);
    pool_destroy(p);
}

/* Bodies in the shared region: the worker reads them in place (the frame
 * carries only where they are), a crashing page's body serves its retry,
 * and every block is back once the jobs are done. */
static void test_shm_bodies(void)
{
    struct pool_config cfg = base_config();
    struct pool_stats st;
    struct pool *p = faulty_pool(&cfg);
    CHECK(p != NULL);
    if (!p)
        return;
    use_shm = 1;
    uint32_t before = submit_normal(p, 1);
    uint32_t crash = submit_crash(p);
    uint32_t after[6];
    for (int i = 0; i < 6; i++)
        after[i] = submit_normal(p, 20 + i);
    size_t blen;
    char *big = big_page(&blen); /* 5 MB: more than one page of the region */
    uint32_t bid = submit(p, "http://example.com/big", big, blen);
    free(big);
    use_shm = 0;
    CHECK(wait_all(p) == 0);
    CHECK(normal_ok(before, 1));
    int all = 1;
    for (int i = 0; i < 6; i++)
        all &= normal_ok(after[i], 20 + i);
    CHECK(all);
    CHECK(big_ok(bid));
    CHECK(results[crash].done == 1 && results[crash].err == POOL_ERR_CRASH);
    pool_get_stats(p, &st);
    CHECK(st.worker_deaths == 2 && st.retries == 1);
    pool_destroy(p);
    void *all_of_it = shm_alloc(TEST_SHM_BYTES); /* nothing left allocated */
    CHECK(all_of_it != NULL);
    shm_free(all_of_it);
}

/* A page of `len` bytes (a comment pads it) titled "Pad n", linking to
 * /pad/n; in the shared region or private memory, as use_shm says. */
static char *pad_page(int n, size_t len)
{
    char head[128];
    int h = snprintf(head, sizeof head, "<title>Pad %d</title><a href=\"/pad/%d\">x</a><!--", n, n);
    char *body = use_shm ? shm_alloc(len) : xmalloc(len);
    CHECK(body != NULL && len > (size_t)h + 3);
    memcpy(body, head, (size_t)h);
    memset(body + h, 'p', len - (size_t)h - 3);
    memcpy(body + len - 3, "-->", 3);
    return body;
}

/* How many POOL_LINE_BYTES / 3 pages the one worker's line takes before
 * an answer is read (no turn in between); then all are answered. */
static int line_takes(int shm)
{
    struct pool_config cfg = base_config();
    cfg.nworkers = 1;
    struct pool *p = pool_create(&cfg);
    CHECK(p != NULL);
    if (!p)
        return -1;
    use_shm = shm;
    uint32_t ids[POOL_DEPTH];
    int n = 0;
    while (n < POOL_DEPTH && pool_can_submit(p)) {
        ids[n] = next_id++;
        char *body = pad_page(n, POOL_LINE_BYTES / 3);
        CHECK(pool_submit(p, ids[n], "http://example.com/", NULL, body, POOL_LINE_BYTES / 3, 0) ==
              0);
        n++;
    }
    use_shm = 0;
    CHECK(wait_all(p) == 0);
    int all = 1;
    for (int i = 0; i < n; i++) {
        char link[64];
        snprintf(link, sizeof link, "http://example.com/pad/%d", i);
        all &= results[ids[i]].done == 1 && results[ids[i]].err == POOL_OK &&
               has_link(&results[ids[i]].page, link);
    }
    CHECK(all);
    pool_destroy(p);
    return n;
}

/* Beyond POOL_LINE_FREE jobs a line takes more only while the bodies it
 * sends through the socket total under POOL_LINE_BYTES; bodies in the
 * shared region do not count. */
static void test_line_bytes(void)
{
    int priv = line_takes(0), shared = line_takes(1);
    CHECK(priv == 4); /* 3 x (POOL_LINE_BYTES / 3) is 1 byte under: a 4th goes in, no 5th */
    CHECK(shared == POOL_DEPTH);
    if (priv != 4 || shared != POOL_DEPTH)
        fprintf(stderr, "line took %d private and %d shared pages\n", priv, shared);
}

static int str_same(const char *a, const char *b)
{
    return a && b && strcmp(a, b) == 0;
}

/* A render hook: the page's link URLs as a JSON array of strings; with
 * ctx set, it fails as a full buffer would. */
static int render_urls(void *ctx, const struct html_page *page, struct buf *out)
{
    if (ctx)
        return BUF_ERR_CAP;
    int rc = buf_append_char(out, '[');
    for (size_t i = 0; rc == 0 && i < page->nlinks; i++)
        rc = buf_printf(out, "%s\"%s\"", i ? "," : "", page->links[i].url);
    return rc ? rc : buf_append_char(out, ']');
}

/* A job submitted with `render` comes back with the hook's array in place
 * of its links; without it, or when the hook fails, or with no hook, the
 * links come one by one. */
static void test_render(void)
{
    static const char want[] = "[\"http://example.com/a/7\",\"http://other.example/b\"]";
    for (int mode = 0; mode < 3; mode++) { /* hook, failing hook, none */
        struct pool_config cfg = base_config();
        cfg.render_links = mode < 2 ? render_urls : NULL;
        cfg.render_ctx = mode == 1 ? &cfg : NULL;
        struct pool *p = pool_create(&cfg);
        CHECK(p != NULL);
        if (!p)
            return;
        char html[256];
        snprintf(html, sizeof html,
                 "<title>Page 7</title><a href=\"/a/7\">first</a><a "
                 "href=\"http://other.example/b\">second</a>");
        uint32_t ids[2];
        for (int render = 0; render < 2; render++) {
            char *body = xstrdup(html);
            ids[render] = next_id++;
            while (!pool_can_submit(p))
                turn(p, 10);
            CHECK(pool_submit(p, ids[render], "http://example.com/dir/page.html", NULL, body,
                              strlen(body), render) == 0);
        }
        CHECK(wait_all(p) == 0);
        const struct html_page *plain = &results[ids[0]].page, *asked = &results[ids[1]].page;
        CHECK(results[ids[0]].err == POOL_OK && plain->nlinks == 2 && !plain->links_json);
        CHECK(results[ids[1]].err == POOL_OK && str_same(asked->title, "Page 7"));
        if (mode == 0) {
            CHECK(asked->nlinks == 0 && asked->links_json_count == 2 && asked->links_json &&
                  strcmp(asked->links_json, want) == 0 && asked->links_json_len == strlen(want));
        } else {
            CHECK(asked->nlinks == 2 && !asked->links_json &&
                  has_link(asked, "http://other.example/b"));
        }
        pool_destroy(p);
    }
}

/* A worker that answered the head of its line and died on the next job,
 * noticed by a write (a third job) before any read: the answer is read
 * first, so the death is charged to the page it died on. Charged to the
 * answered head instead, that page would be retried and the crash page
 * would get two fresh tries: three deaths, two retries. */
static void test_write_to_dead(void)
{
    struct pool_config cfg = base_config();
    struct pool_stats st;
    cfg.nworkers = 1;
    struct pool *p = faulty_pool(&cfg);
    CHECK(p != NULL);
    if (!p)
        return;
    uint32_t a = submit_normal(p, 31);
    uint32_t crash = submit_crash(p);
    int64_t start = clock_ms();
    while (zombie_count() == 0 && clock_ms() - start < WAIT_MAX_MS)
        usleep(1000); /* nothing is read meanwhile */
    CHECK(zombie_count() == 1);
    uint32_t b = submit_normal(p, 32); /* written to the dead worker's channel */
    CHECK(wait_all(p) == 0);
    CHECK(normal_ok(a, 31) && normal_ok(b, 32));
    CHECK(results[crash].done == 1 && results[crash].err == POOL_ERR_CRASH);
    pool_get_stats(p, &st);
    CHECK(st.worker_deaths == 2 && st.retries == 1);
    if (st.worker_deaths != 2 || st.retries != 1)
        fprintf(stderr, "write to a dead worker: %lu deaths, %lu retries\n",
                (unsigned long)st.worker_deaths, (unsigned long)st.retries);
    pool_destroy(p);
}

int main(void)
{
    log_init(LOG_LEVEL_WARN, "test_pool");
    unsetenv("CRAWL_TEST_FAULTS");
    CHECK(shm_init(TEST_SHM_BYTES) == 0); /* before any pool: workers inherit it */
    int fds_before = count_fds();

    struct pool_config cfg = base_config();
    struct pool *p = pool_create(&cfg);
    CHECK(p != NULL);
    if (p) {
        test_normal_pages(p);
        test_big_body(p);
        test_markers_inactive(p);
        test_deep_page(p);
        test_sitemaps(p);
        struct pool_stats st;
        pool_get_stats(p, &st);
        CHECK(st.worker_deaths == 0 && st.jobs_done == 22);
        pool_destroy(p);
    }
    test_result_cap();
    test_refused();
    test_faults();
    test_hang();
    test_pipelined();
    test_pipelined_crash();
    test_pipelined_hang();
    test_destroy_busy();
    test_respawn_after_growth();
    test_zygote_dies();
    test_sitemap_queue();
    test_sitemap_crash();
    test_shm_bodies();
    test_line_bytes();
    test_render();
    test_write_to_dead();

    errno = 0;
    CHECK(waitpid(-1, NULL, WNOHANG) == -1 && errno == ECHILD);
    CHECK(count_fds() == fds_before);
    free_results();
    shm_destroy();
    return check_summary("pool");
}
