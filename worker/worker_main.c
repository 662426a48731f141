/* worker_main: the body of a parse worker (started by the zygote, see
 * zygote.h). Owns the process hygiene shared with the zygote (channel on
 * fd 3, stdin/stdout on /dev/null, every other fd but stderr closed,
 * signals reset, PR_SET_PDEATHSIG), the worker's rlimits and its loop:
 * read one job frame (blocking), parse it, answer with one frame. The
 * pool may queue up to POOL_DEPTH frames back to back: they are read and
 * answered one after another, in order (the pool relies on it). An
 * IPC_JOB is html_extract()ed and answered with IPC_RESULT or IPC_FAIL; an
 * IPC_SITEMAP_JOB is sitemap_parse()d (gzip or not, at most cfg->max_job
 * bytes once inflated) and answered with IPC_SITEMAP_RESULT: at most
 * SITEMAP_MAX_LOCS URLs and IPC_SITEMAP_MAX_BYTES of URL text, never more
 * than cfg->max_result in all; URLs past a cap are counted as dropped. EOF
 * on the channel ends the worker (_exit(0)); a malformed frame from the
 * parent is logged and ends it with _exit(3). It never returns, never
 * calls exit() and never writes stdout.
 *
 * RLIMIT_AS is skipped in AddressSanitizer builds (the shadow memory alone
 * exceeds any sane limit). RLIMIT_CPU is re-armed before every job to "CPU used so far +
 * cfg->cpu_limit_s", so the limit is per page, not per worker lifetime
 * (overrun -> SIGXCPU kills the worker; the pool retries the job once).
 *
 * Test fault hook: only when test_faults is nonzero (pool_create sets it
 * when CRAWL_TEST_FAULTS=1 was in its environment), a job body (page or
 * sitemap) containing
 *   <!--crawl-test:crash-->    makes the worker raise SIGSEGV,
 *   <!--crawl-test:hang-->     makes it sleep forever (the deadline fires),
 *   <!--crawl-test:garbage-->  makes it write 64 garbage bytes instead of a
 *                              result (a protocol error for the parent),
 *   <!--crawl-test:exit-->     makes it _exit(7).
 * Markers are searched in the raw body bytes (memmem), before parsing. */
#define _GNU_SOURCE
#include "worker_main.h"

#include "shm.h"

#include "buf.h"
#include "html.h"
#include "ipc.h"
#include "log.h"
#include "sitemap.h"
#include "xalloc.h"

#include <errno.h>
#include <poll.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#define WORKER_FD         3
#define WORKER_READ_CHUNK (64 * 1024)
#define WORKER_EXIT_PROTO 3
/* Result buffers up to this size are kept for the next job. */
#define WORKER_OUT_KEEP (1024 * 1024)

static const char worker_mark_crash[] = "<!--crawl-test:crash-->";
static const char worker_mark_hang[] = "<!--crawl-test:hang-->";
static const char worker_mark_garbage[] = "<!--crawl-test:garbage-->";
static const char worker_mark_exit[] = "<!--crawl-test:exit-->";

/* Channel to fd 3, 0 and 1 to /dev/null, everything from 4 up closed. */
static void worker_setup_fds(int fd)
{
    if (fd != WORKER_FD) {
        if (dup2(fd, WORKER_FD) < 0) {
            log_error("dup2 channel: %s", strerror(errno));
            _exit(WORKER_EXIT_PROTO);
        }
        if (fd > WORKER_FD)
            close(fd);
    }
    int nul = open("/dev/null", O_RDWR);
    if (nul < 0) {
        log_error("open /dev/null: %s", strerror(errno));
        _exit(WORKER_EXIT_PROTO);
    }
    dup2(nul, STDIN_FILENO);
    dup2(nul, STDOUT_FILENO);
    if (fd == STDERR_FILENO) /* stderr was our channel: keep it harmless */
        dup2(nul, STDERR_FILENO);
    if (nul > WORKER_FD)
        close(nul);
    closefrom(WORKER_FD + 1);
}

/* The parent's handlers would write to its self-pipe, which we closed:
 * every signal back to its default, nothing blocked, SIGINT ignored (a ^C
 * is the parent's to handle; it then closes our channel). */
static void worker_setup_signals(void)
{
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    for (int sig = 1; sig < NSIG; sig++)
        if (sig != SIGKILL && sig != SIGSTOP)
            signal(sig, SIG_DFL); /* fails harmlessly for reserved ones */
    signal(SIGINT, SIG_IGN);
    signal(SIGTERM, SIG_DFL);
}

static void worker_setup_limits(const struct pool_config *cfg)
{
#ifdef __SANITIZE_ADDRESS__
    /* ASan's shadow mappings count against RLIMIT_AS: any limit would make
     * every allocation fail. Sanitizer builds run without it. */
    if (cfg->mem_limit) {
        log_debug("AddressSanitizer build: RLIMIT_AS not set");
        return;
    }
#endif
    if (cfg->mem_limit) {
        struct rlimit rl = {.rlim_cur = cfg->mem_limit, .rlim_max = cfg->mem_limit};
        if (setrlimit(RLIMIT_AS, &rl) < 0)
            log_warn("setrlimit(RLIMIT_AS, %zu): %s", cfg->mem_limit, strerror(errno));
    }
}

/* Soft RLIMIT_CPU = CPU seconds used so far + cpu_limit_s (hard unchanged,
 * so the soft limit can be raised again before the next job). */
static void worker_arm_cpu(const struct pool_config *cfg)
{
    struct rusage ru;
    struct rlimit rl;
    if (cfg->cpu_limit_s <= 0)
        return;
    if (getrusage(RUSAGE_SELF, &ru) < 0 || getrlimit(RLIMIT_CPU, &rl) < 0)
        return;
    rlim_t want =
        (rlim_t)ru.ru_utime.tv_sec + (rlim_t)ru.ru_stime.tv_sec + 1 + (rlim_t)cfg->cpu_limit_s;
    if (rl.rlim_max != RLIM_INFINITY && want > rl.rlim_max)
        want = rl.rlim_max;
    rl.rlim_cur = want;
    if (setrlimit(RLIMIT_CPU, &rl) < 0)
        log_warn("setrlimit(RLIMIT_CPU): %s", strerror(errno));
}

/* Write all of p; the parent going away ends the worker quietly. */
static void worker_send(const void *p, size_t n)
{
    const char *c = p;
    while (n > 0) {
        ssize_t w = send(WORKER_FD, c, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0 && (errno == EPIPE || errno == ECONNRESET))
            _exit(0);
        if (w < 0) {
            log_error("write to parent: %s", strerror(errno));
            _exit(WORKER_EXIT_PROTO);
        }
        c += w;
        n -= (size_t)w;
    }
}

/* Returns nonzero when the job must be answered with garbage. */
static int worker_test_fault(const char *body, size_t len)
{
    if (memmem(body, len, worker_mark_crash, sizeof worker_mark_crash - 1)) {
        signal(SIGSEGV, SIG_DFL);
        kill(getpid(), SIGSEGV);
        _exit(11); /* not reached */
    }
    if (memmem(body, len, worker_mark_hang, sizeof worker_mark_hang - 1))
        for (;;)
            sleep(60);
    if (memmem(body, len, worker_mark_exit, sizeof worker_mark_exit - 1))
        _exit(7);
    return memmem(body, len, worker_mark_garbage, sizeof worker_mark_garbage - 1) != NULL;
}

/* Encode page into out (capped at the parent's frame limit); when it does
 * not fit, drop links from the end until it does. 0 or BUF_ERR_CAP. */
static int worker_put_result(struct buf *out, uint32_t job_id, const struct html_page *view,
                             size_t max_result)
{
    struct html_page page = *view; /* the parser's: trimmed here, never freed */
    if (page.links_dropped > UINT32_MAX)
        page.links_dropped = UINT32_MAX;
    if (ipc_result_encode(out, job_id, &page) == 0)
        return 0;

    size_t used = ipc_result_head_size(&page);
    size_t keep = 0;
    if (used > max_result)
        return BUF_ERR_CAP;
    for (; keep < page.nlinks; keep++) {
        size_t sz = ipc_link_size(&page.links[keep]);
        if (sz > max_result - used)
            break;
        used += sz;
    }
    size_t dropped = page.links_dropped + (page.nlinks - keep);
    page.links_dropped = dropped > UINT32_MAX ? UINT32_MAX : dropped;
    page.nlinks = keep;
    log_info("result too large: %zu links dropped", dropped);
    return ipc_result_encode(out, job_id, &page);
}

/* The page with its links rendered by cfg's hook (IPC_FLAG_LINKS_JSON)
 * into out. Returns 1, or 0 with out empty when there is no hook or the
 * result would not fit (then the links go one by one, trimmed to fit). */
static int worker_put_rendered(struct buf *out, uint32_t job_id, const struct html_page *page,
                               const struct pool_config *cfg)
{
    static struct buf json; /* kept from page to page */
    if (!cfg->render_links)
        return 0;
    if (!json.max)
        buf_init(&json, cfg->max_result);
    buf_reset(&json);
    int ok = cfg->render_links(cfg->render_ctx, page, &json) == 0 &&
             ipc_result_encode_json(out, job_id, page, json.data, json.len, page->nlinks) == 0;
    if (json.cap > WORKER_OUT_KEEP)
        buf_free(&json); /* a huge page's array, rendered or not: do not keep its buffer */
    if (!ok)
        buf_reset(out);
    return ok;
}

/* An IPC_FAIL frame with `cause` in place of whatever out held. */
static void worker_put_fail(struct buf *out, uint32_t job_id, const char *cause)
{
    unsigned char hdr[IPC_HEADER_LEN] = {0};
    buf_reset(out);
    buf_append(out, hdr, sizeof hdr);
    ipc_put_cstr(out, cause);
    ipc_encode_header((unsigned char *)out->data, IPC_FAIL, 0, job_id,
                      (uint32_t)(out->len - IPC_HEADER_LEN));
}

static void worker_send_fail(uint32_t job_id, const char *cause)
{
    struct buf out;
    buf_init(&out, 1024);
    worker_put_fail(&out, job_id, cause);
    worker_send(out.data, out.len);
    buf_free(&out);
}

/* Keep the locs that fit IPC_SITEMAP_MAX_BYTES of text and the parent's
 * frame cap (max_result), in order; count the others as dropped. */
static void worker_sitemap_trim(struct sitemap *sm, size_t max_result)
{
    size_t used = 16, text = 0, keep = 0; /* the four u32 fields */
    for (size_t i = 0; i < sm->nlocs; i++) {
        size_t len = strlen(sm->locs[i]);
        if (len > 0 && len <= SITEMAP_MAX_LOC_LEN && len <= IPC_SITEMAP_MAX_BYTES - text &&
            4 + len <= max_result - used) {
            text += len;
            used += 4 + len;
            sm->locs[keep++] = sm->locs[i];
        } else {
            free(sm->locs[i]);
            sm->dropped++;
        }
    }
    if (keep < sm->nlocs)
        log_info("sitemap result too large: %zu URLs dropped", sm->nlocs - keep);
    sm->nlocs = keep;
}

static void worker_handle_sitemap(const struct ipc_frame *f, const struct ipc_job *job,
                                  const struct pool_config *cfg)
{
    struct sitemap sm;
    struct buf out;
    buf_init(&out, IPC_HEADER_LEN + cfg->max_result);
    worker_arm_cpu(cfg);
    int rc = sitemap_parse(job->body, job->body_len, cfg->max_job, &sm);
    if (rc == SITEMAP_OK)
        worker_sitemap_trim(&sm, cfg->max_result);
    if (ipc_sitemap_encode(&out, f->job_id, rc, &sm) < 0) {
        log_warn("job %u: sitemap result does not fit in %zu bytes", f->job_id, cfg->max_result);
        worker_send_fail(f->job_id, "result too large");
    } else {
        log_debug("job %u: %.*s: sitemap: %d, %zu URLs", f->job_id, (int)job->url_len, job->url, rc,
                  sm.nlocs);
        worker_send(out.data, out.len);
    }
    sitemap_free(&sm);
    buf_free(&out);
}

void worker_main_answer(const struct ipc_frame *f, const struct ipc_job *job,
                        const struct pool_config *cfg, struct buf *out)
{
    /* one parser for the worker's life: its libxml2 context, arena and
     * buffers serve page after page */
    static struct html_parser *parser;
    static struct buf names; /* the url, a NUL, the encoding label, a NUL */

    if (!parser) {
        parser = html_parser_new();
        buf_init(&names, 0);
    }
    buf_reset(&names);
    names.max = job->url_len + job->encoding_len + 2; /* whatever the frame held */
    buf_append(&names, job->url, job->url_len);
    buf_append(&names, "", 1);
    buf_append(&names, job->encoding ? job->encoding : "", job->encoding ? job->encoding_len : 0);
    const char *url = names.data, *enc = job->encoding ? names.data + job->url_len + 1 : NULL;
    buf_reset(out);
    const struct html_page *page =
        html_parser_run(parser, job->body, job->body_len, url, enc, cfg->max_links);
    if (!page) {
        log_info("job %u: %s: parser could not start", f->job_id, url);
        worker_put_fail(out, f->job_id, "parser could not start");
    } else if ((f->flags & IPC_FLAG_LINKS_JSON) && worker_put_rendered(out, f->job_id, page, cfg)) {
        return; /* links rendered */
    } else if (worker_put_result(out, f->job_id, page, cfg->max_result) < 0) {
        log_warn("job %u: %s: result does not fit in %zu bytes", f->job_id, url, cfg->max_result);
        worker_put_fail(out, f->job_id, "result too large");
    }
}

static void worker_handle(const struct ipc_frame *f, const struct pool_config *cfg, int test_faults,
                          struct buf *out)
{
    struct ipc_job job;

    if ((f->type != IPC_JOB && f->type != IPC_SITEMAP_JOB) || ipc_job_decode(f, &job) < 0) {
        log_error("malformed job frame from parent (type %d)", (int)f->type);
        _exit(WORKER_EXIT_PROTO);
    }
    if (test_faults && worker_test_fault(job.body, job.body_len)) {
        unsigned char junk[64];
        for (size_t i = 0; i < sizeof junk; i++)
            junk[i] = (unsigned char)(0xA5 ^ (i * 37));
        worker_send(junk, sizeof junk);
        return;
    }
    if (f->type == IPC_SITEMAP_JOB) {
        worker_handle_sitemap(f, &job, cfg);
        return;
    }
    worker_arm_cpu(cfg);
    worker_main_answer(f, &job, cfg, out);
    worker_send(out->data, out->len);
    if (out->cap > WORKER_OUT_KEEP)
        buf_free(out); /* a huge result: do not keep its buffer */
}

int worker_main_detach(int fd, const char *tag, pid_t parent)
{
    worker_setup_fds(fd);
    log_set_tag(tag);
    worker_setup_signals();
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
        log_warn("prctl(PR_SET_PDEATHSIG): %s", strerror(errno));
    if (getppid() != parent) /* the parent died before the line above */
        _exit(0);
    return WORKER_FD;
}

void worker_main(int fd, int slot, const struct pool_config *cfg, pid_t parent, int test_faults)
{
    char tag[32];
    static char chunk[WORKER_READ_CHUNK];
    size_t max_payload = cfg->max_job + WORKER_JOB_PREFIX_MAX;
    struct buf in, out;

    snprintf(tag, sizeof tag, "worker %d", slot);
    worker_main_detach(fd, tag, parent);
    shm_seal(); /* bodies in the shared region are the parent's: read only */
    worker_setup_limits(cfg);

    buf_init(&in, IPC_HEADER_LEN + max_payload);
    buf_init(&out, IPC_HEADER_LEN + cfg->max_result); /* kept from job to job */
    for (;;) {
        struct ipc_frame f;
        size_t used = 0;
        int rc = ipc_decode((const unsigned char *)in.data, in.len, max_payload, &f, &used);
        if (rc == IPC_FRAME) {
            worker_handle(&f, cfg, test_faults, &out);
            buf_consume(&in, used);
            continue;
        }
        if (rc < 0) {
            log_error("malformed frame from parent (error %d)", rc);
            _exit(WORKER_EXIT_PROTO);
        }
        size_t room = in.max - in.len;
        /* Wait in poll, not in read: a task asleep in read on this socket
         * is woken each time the parent reads an answer from it (the
         * socket's write space changes); poll is woken for input only. */
        ssize_t n = recv(WORKER_FD, chunk, room < sizeof chunk ? room : sizeof chunk, MSG_DONTWAIT);
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            struct pollfd pfd = {.fd = WORKER_FD, .events = POLLIN};
            poll(&pfd, 1, -1);
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n == 0 || (n < 0 && errno == ECONNRESET))
            _exit(0);
        if (n < 0) {
            log_error("read from parent: %s", strerror(errno));
            _exit(WORKER_EXIT_PROTO);
        }
        buf_append(&in, chunk, (size_t)n); /* fits: n <= room */
    }
}
