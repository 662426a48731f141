/* pool: the parent side of the prefork parse workers. Owns the slots (pid,
 * non-blocking channel, input buffer, the job in flight), the queue of jobs
 * waiting for a retry, the queue of finished jobs waiting to be reported,
 * the respawn rate limit and the counters. All channel I/O is non-blocking
 * and happens in pool_submit() / pool_service(); nothing here polls or
 * sleeps (pool_destroy excepted). Job bodies are written straight from the
 * caller's buffer (header + url/encoding prefix from a small per-slot
 * buffer, then the body by sendmsg(MSG_NOSIGNAL)), never copied. Every
 * callback runs at the end of pool_service(), after all slot bookkeeping,
 * so a callback may call pool_submit(). Must not include crawler/ headers. */
#include "pool.h"

#include "buf.h"
#include "clock.h"
#include "ipc.h"
#include "log.h"
#include "worker_main.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define POOL_TRIES_MAX       2    /* a job is tried at most this often */
#define POOL_RESPAWN_BURST   10   /* respawns allowed per POOL_RESPAWN_WINDOW */
#define POOL_RESPAWN_WINDOW  1000 /* ms */
#define POOL_BACKOFF_BASE    50   /* ms, first delay once deaths pile up */
#define POOL_BACKOFF_MAX     1000 /* ms */
#define POOL_BACKOFF_AFTER   8    /* failures in a row beyond 2 per worker */
#define POOL_FAIL_STREAK_MAX 50   /* deaths/fork failures in a row -> give up */
#define POOL_DESTROY_WAIT_MS 500  /* grace for workers to exit on EOF */
#define POOL_READ_CHUNK      (64 * 1024)

enum pool_slot_state { POOL_SLOT_DEAD, POOL_SLOT_IDLE, POOL_SLOT_WRITING, POOL_SLOT_BUSY };

enum pool_death { POOL_DEATH_EOF, POOL_DEATH_IO, POOL_DEATH_DEADLINE, POOL_DEATH_BAD_FRAME };

struct pool_job {
    struct pool_job *next;
    uint32_t id;
    char *url;      /* owned */
    char *encoding; /* owned, NULL = sniff */
    char *body;     /* owned (handed over by pool_submit) */
    size_t len;
    int tries;
    int err;               /* outcome once finished */
    const char *cause;     /* static */
    struct html_page page; /* result on POOL_OK, handed to the callback */
};

struct pool_job_queue {
    struct pool_job *head, *tail;
};

struct pool_slot {
    pid_t pid; /* -1 when none */
    int fd;    /* parent end of the channel, -1 when dead */
    enum pool_slot_state state;
    struct buf in;   /* bytes read from the worker, capped at one result frame */
    struct buf head; /* header + url/encoding prefix of the job being sent */
    struct pool_job *job;
    size_t sent; /* bytes of head + body written so far */
    int64_t deadline;
};

struct pool {
    struct pool_config cfg;
    int test_faults;
    struct pool_slot *slots;
    struct pool_job_queue waiting; /* retries, dispatched before new jobs */
    struct pool_job_queue finished;
    size_t pending;
    int64_t respawn_hist[POOL_RESPAWN_BURST]; /* times of recent respawns */
    size_t respawn_pos;
    int64_t next_respawn;
    unsigned fail_streak; /* deaths and fork failures since the last result */
    struct pool_stats stats;
};

static unsigned char pool_chunk[POOL_READ_CHUNK];

#define POOL_STR2(x)      #x
#define POOL_STR(x)       POOL_STR2(x)
#define POOL_SIG(s, text) [s] = "signal " POOL_STR(s) " (" text ")"

/* Static causes for the callback (the log line uses strsignal for others). */
static const char *const pool_sig_causes[] = {
    POOL_SIG(SIGHUP, "Hangup"),
    POOL_SIG(SIGINT, "Interrupt"),
    POOL_SIG(SIGQUIT, "Quit"),
    POOL_SIG(SIGILL, "Illegal instruction"),
    POOL_SIG(SIGTRAP, "Trace/breakpoint trap"),
    POOL_SIG(SIGABRT, "Aborted"),
    POOL_SIG(SIGBUS, "Bus error"),
    POOL_SIG(SIGFPE, "Floating point exception"),
    POOL_SIG(SIGKILL, "Killed"),
    POOL_SIG(SIGSEGV, "Segmentation fault"),
    POOL_SIG(SIGPIPE, "Broken pipe"),
    POOL_SIG(SIGALRM, "Alarm clock"),
    POOL_SIG(SIGTERM, "Terminated"),
    POOL_SIG(SIGXCPU, "CPU time limit exceeded"),
    POOL_SIG(SIGXFSZ, "File size limit exceeded"),
    POOL_SIG(SIGSYS, "Bad system call"),
};

static const char *const pool_exit_causes[] = {
    "exit status 0", "exit status 1", "exit status 2", "exit status 3", "exit status 4",
    "exit status 5", "exit status 6", "exit status 7", "exit status 8", "exit status 9",
};

/* Describe a wait status: full text into buf (for the log), and a static
 * string for the callback. */
static const char *pool_status_cause(int status, char *buf, size_t cap)
{
    const char *stat = NULL;
    if (WIFSIGNALED(status)) {
        int sig = WTERMSIG(status);
        if (sig > 0 && (size_t)sig < sizeof pool_sig_causes / sizeof pool_sig_causes[0])
            stat = pool_sig_causes[sig];
        snprintf(buf, cap, "signal %d (%s)", sig, strsignal(sig));
        return stat ? stat : "killed by a signal";
    }
    if (WIFEXITED(status)) {
        int code = WEXITSTATUS(status);
        if ((size_t)code < sizeof pool_exit_causes / sizeof pool_exit_causes[0])
            stat = pool_exit_causes[code];
        snprintf(buf, cap, "exit status %d", code);
        return stat ? stat : "exit status above 9";
    }
    snprintf(buf, cap, "unknown status %#x", (unsigned)status);
    return "unknown exit";
}

static void pool_queue_push(struct pool_job_queue *q, struct pool_job *job)
{
    job->next = NULL;
    if (q->tail)
        q->tail->next = job;
    else
        q->head = job;
    q->tail = job;
}

static struct pool_job *pool_queue_pop(struct pool_job_queue *q)
{
    struct pool_job *job = q->head;
    if (job) {
        q->head = job->next;
        if (!q->head)
            q->tail = NULL;
        job->next = NULL;
    }
    return job;
}

static void pool_job_free(struct pool_job *job)
{
    html_page_free(&job->page);
    free(job->body);
    free(job->encoding);
    free(job->url);
    free(job);
}

static void pool_queue_free(struct pool_job_queue *q)
{
    struct pool_job *job;
    while ((job = pool_queue_pop(q)))
        pool_job_free(job);
}

static void pool_finish(struct pool *p, struct pool_job *job, int err, const char *cause)
{
    job->err = err;
    job->cause = cause;
    pool_queue_push(&p->finished, job);
}

static int pool_slot_index(const struct pool *p, const struct pool_slot *s)
{
    return (int)(s - p->slots);
}

static int pool_spawn(struct pool *p, struct pool_slot *s)
{
    int sv[2];
    pid_t parent = getpid();
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
        log_error("worker %d: socketpair: %s", pool_slot_index(p, s), strerror(errno));
        return -1;
    }
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        log_error("worker %d: fork: %s", pool_slot_index(p, s), strerror(errno));
        close(sv[0]);
        close(sv[1]);
        return -1;
    }
    if (pid == 0) {
        close(sv[0]);
        worker_main(sv[1], pool_slot_index(p, s), &p->cfg, parent, p->test_faults);
    }
    close(sv[1]);
    int fl = fcntl(sv[0], F_GETFL);
    if (fl < 0 || fcntl(sv[0], F_SETFL, fl | O_NONBLOCK) < 0)
        log_error("worker %d: O_NONBLOCK: %s", pool_slot_index(p, s), strerror(errno));
    s->pid = pid;
    s->fd = sv[0];
    s->state = POOL_SLOT_IDLE;
    s->job = NULL;
    buf_reset(&s->in);
    log_debug("worker %d started (pid %ld)", pool_slot_index(p, s), (long)pid);
    return 0;
}

/* Reap slot s's worker, log why it died, and requeue or finish its job. */
static void pool_slot_died(struct pool *p, struct pool_slot *s, enum pool_death why)
{
    char text[96];
    const char *cause;
    int status = 0, err = POOL_ERR_CRASH;
    pid_t r;

    close(s->fd);
    s->fd = -1;
    if (why == POOL_DEATH_DEADLINE || why == POOL_DEATH_BAD_FRAME)
        kill(s->pid, SIGKILL);
    while ((r = waitpid(s->pid, &status, WNOHANG)) < 0 && errno == EINTR)
        ;
    if (r == 0) { /* channel closed but not exited yet: it is on its way */
        kill(s->pid, SIGKILL);
        while ((r = waitpid(s->pid, &status, 0)) < 0 && errno == EINTR)
            ;
    }
    if (why == POOL_DEATH_DEADLINE) {
        cause = "deadline";
        err = POOL_ERR_TIMEOUT;
        snprintf(text, sizeof text, "%s", cause);
    } else if (why == POOL_DEATH_BAD_FRAME) {
        cause = "bad frame";
        err = POOL_ERR_PROTOCOL;
        snprintf(text, sizeof text, "%s", cause);
    } else if (r < 0) {
        cause = "worker vanished";
        snprintf(text, sizeof text, "waitpid: %s", strerror(errno));
    } else {
        cause = pool_status_cause(status, text, sizeof text);
    }
    log_warn("worker %d (pid %ld) died: %s", pool_slot_index(p, s), (long)s->pid, text);
    p->stats.worker_deaths++;
    p->fail_streak++;

    struct pool_job *job = s->job;
    s->job = NULL;
    if (job) {
        /* A worker that got none of the job (killed while idle) did not
         * fail on it: requeue without counting a try. */
        if (s->sent > 0)
            job->tries++;
        if (job->tries >= POOL_TRIES_MAX) {
            pool_finish(p, job, err, cause);
        } else {
            p->stats.retries++;
            pool_queue_push(&p->waiting, job);
        }
    }
    s->pid = -1;
    s->state = POOL_SLOT_DEAD;
    s->sent = 0;
    buf_reset(&s->in);
}

/* Write as much of the job as the socket takes. Returns 0, or -1 if the
 * worker died. */
static int pool_write(struct pool *p, struct pool_slot *s)
{
    size_t hlen = s->head.len, total = hlen + s->job->len;
    while (s->sent < total) {
        struct iovec iov[2];
        struct msghdr msg;
        size_t n = 0;
        if (s->sent < hlen) {
            iov[n].iov_base = s->head.data + s->sent;
            iov[n++].iov_len = hlen - s->sent;
            if (s->job->len > 0) {
                iov[n].iov_base = s->job->body;
                iov[n++].iov_len = s->job->len;
            }
        } else {
            iov[n].iov_base = s->job->body + (s->sent - hlen);
            iov[n++].iov_len = total - s->sent;
        }
        memset(&msg, 0, sizeof msg);
        msg.msg_iov = iov;
        msg.msg_iovlen = n;
        ssize_t w = sendmsg(s->fd, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return 0;
        if (w < 0) {
            log_debug("worker %d: write: %s", pool_slot_index(p, s), strerror(errno));
            pool_slot_died(p, s, POOL_DEATH_IO);
            return -1;
        }
        s->sent += (size_t)w;
    }
    s->state = POOL_SLOT_BUSY;
    return 0;
}

static void pool_start_job(struct pool *p, struct pool_slot *s, struct pool_job *job, int64_t now)
{
    unsigned char hdr[IPC_HEADER_LEN] = {0};
    buf_reset(&s->head);
    buf_append(&s->head, hdr, sizeof hdr);
    /* Fits: pool_submit checked the prefix against WORKER_JOB_PREFIX_MAX. */
    ipc_job_prefix_encode(&s->head, job->url, job->encoding);
    size_t plen = s->head.len - IPC_HEADER_LEN + job->len;
    ipc_encode_header((unsigned char *)s->head.data, IPC_JOB, 0, job->id, (uint32_t)plen);
    s->job = job;
    s->sent = 0;
    s->deadline = now + p->cfg.parse_timeout_ms;
    s->state = POOL_SLOT_WRITING;
    pool_write(p, s);
}

/* A complete frame from a busy worker. Returns 0, or -1 if it was not the
 * answer we wait for (the caller then kills the worker). */
static int pool_frame(struct pool *p, struct pool_slot *s, const struct ipc_frame *f)
{
    struct pool_job *job = s->job;
    if (s->state != POOL_SLOT_BUSY || !job || f->job_id != job->id)
        return -1;
    if (f->type == IPC_RESULT) {
        if (ipc_result_decode(f, &job->page) < 0)
            return -1;
        pool_finish(p, job, POOL_OK, NULL);
    } else if (f->type == IPC_FAIL) {
        struct ipc_reader r;
        const char *why;
        size_t len;
        ipc_reader_init(&r, f->payload, f->len);
        if (ipc_get_str(&r, &why, &len) < 0)
            return -1;
        log_info("job %u (%s): worker could not parse: %.*s", job->id, job->url,
                 why ? (int)(len > 200 ? 200 : len) : 4, why ? why : "null");
        pool_finish(p, job, POOL_ERR_PARSE, "parse failed");
    } else {
        return -1;
    }
    s->job = NULL;
    s->state = POOL_SLOT_IDLE;
    p->fail_streak = 0;
    return 0;
}

/* Read until EAGAIN, EOF or error, handling each complete frame. */
static void pool_read(struct pool *p, struct pool_slot *s)
{
    for (;;) {
        size_t room = s->in.max - s->in.len;
        ssize_t n = recv(s->fd, pool_chunk, room < sizeof pool_chunk ? room : sizeof pool_chunk,
                         MSG_DONTWAIT);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        if (n <= 0) {
            if (n < 0)
                log_debug("worker %d: read: %s", pool_slot_index(p, s), strerror(errno));
            pool_slot_died(p, s, n == 0 ? POOL_DEATH_EOF : POOL_DEATH_IO);
            return;
        }
        buf_append(&s->in, pool_chunk, (size_t)n); /* fits: n <= room */
        for (;;) {
            struct ipc_frame f;
            size_t used = 0;
            int rc = ipc_decode((const unsigned char *)s->in.data, s->in.len, p->cfg.max_result, &f,
                                &used);
            if (rc == IPC_NEED_MORE)
                break;
            if (rc < 0 || pool_frame(p, s, &f) < 0) {
                log_debug("worker %d: bad frame (decode %d)", pool_slot_index(p, s), rc);
                pool_slot_died(p, s, POOL_DEATH_BAD_FRAME);
                return;
            }
            buf_consume(&s->in, used);
        }
    }
}

static struct pool_slot *pool_idle_slot(const struct pool *p)
{
    for (int i = 0; i < p->cfg.nworkers; i++)
        if (p->slots[i].state == POOL_SLOT_IDLE)
            return &p->slots[i];
    return NULL;
}

static int pool_live_workers(const struct pool *p)
{
    int n = 0;
    for (int i = 0; i < p->cfg.nworkers; i++)
        n += p->slots[i].state != POOL_SLOT_DEAD;
    return n;
}

/* No worker alive and too many failures in a row: nothing will run. */
static int pool_given_up(const struct pool *p)
{
    return p->fail_streak > POOL_FAIL_STREAK_MAX && pool_live_workers(p) == 0;
}

static void pool_respawn(struct pool *p, int64_t now)
{
    for (int i = 0; i < p->cfg.nworkers; i++) {
        struct pool_slot *s = &p->slots[i];
        if (s->state != POOL_SLOT_DEAD)
            continue;
        if (now < p->next_respawn)
            return;
        int64_t oldest = p->respawn_hist[p->respawn_pos];
        if (oldest && now - oldest < POOL_RESPAWN_WINDOW) {
            p->next_respawn = oldest + POOL_RESPAWN_WINDOW;
            return;
        }
        if (pool_spawn(p, s) < 0) {
            p->fail_streak++;
        } else {
            p->stats.respawns++;
            p->respawn_hist[p->respawn_pos] = now;
            p->respawn_pos = (p->respawn_pos + 1) % POOL_RESPAWN_BURST;
        }
        /* Back off once failures in a row clearly exceed what a few bad
         * pages (two deaths each) explain. */
        unsigned calm = 2u * (unsigned)p->cfg.nworkers + POOL_BACKOFF_AFTER;
        unsigned over = p->fail_streak > calm ? p->fail_streak - calm : 0;
        if (over > 0) {
            int64_t delay = POOL_BACKOFF_BASE << (over > 5 ? 5 : over - 1);
            p->next_respawn = now + (delay > POOL_BACKOFF_MAX ? POOL_BACKOFF_MAX : delay);
        }
    }
}

static void pool_dispatch(struct pool *p, int64_t now)
{
    struct pool_slot *s;
    if (pool_given_up(p)) {
        struct pool_job *job;
        while ((job = pool_queue_pop(&p->waiting)))
            pool_finish(p, job, POOL_ERR_NO_WORKERS, "no workers");
        return;
    }
    while (p->waiting.head && (s = pool_idle_slot(p)))
        pool_start_job(p, s, pool_queue_pop(&p->waiting), now);
}

static void pool_check_deadlines(struct pool *p, int64_t now)
{
    for (int i = 0; i < p->cfg.nworkers; i++) {
        struct pool_slot *s = &p->slots[i];
        if ((s->state == POOL_SLOT_WRITING || s->state == POOL_SLOT_BUSY) && now >= s->deadline)
            pool_slot_died(p, s, POOL_DEATH_DEADLINE);
    }
}

static struct pool_slot *pool_slot_by_fd(struct pool *p, int fd)
{
    for (int i = 0; i < p->cfg.nworkers; i++)
        if (p->slots[i].state != POOL_SLOT_DEAD && p->slots[i].fd == fd)
            return &p->slots[i];
    return NULL;
}

struct pool *pool_create(const struct pool_config *cfg)
{
    const char *faults = getenv("CRAWL_TEST_FAULTS");
    struct pool *p = NULL;
    int started = 0;

    if (cfg->nworkers < 1 || cfg->parse_timeout_ms < 1 || cfg->max_result < 1024 ||
        cfg->max_result > UINT32_MAX || cfg->max_job > UINT32_MAX - WORKER_JOB_PREFIX_MAX) {
        log_error("pool: bad configuration (workers %d, timeout %d ms, max_job %zu, "
                  "max_result %zu)",
                  cfg->nworkers, cfg->parse_timeout_ms, cfg->max_job, cfg->max_result);
        return NULL;
    }
    p = xcalloc(1, sizeof *p);
    p->cfg = *cfg;
    p->test_faults = faults && strcmp(faults, "1") == 0;
    if (p->test_faults)
        log_warn("CRAWL_TEST_FAULTS=1: worker test fault markers are active");
    p->slots = xcalloc((size_t)cfg->nworkers, sizeof *p->slots);
    for (int i = 0; i < cfg->nworkers; i++) {
        struct pool_slot *s = &p->slots[i];
        s->pid = -1;
        s->fd = -1;
        s->state = POOL_SLOT_DEAD;
        buf_init(&s->in, IPC_HEADER_LEN + cfg->max_result);
        buf_init(&s->head, IPC_HEADER_LEN + WORKER_JOB_PREFIX_MAX);
    }
    for (int i = 0; i < cfg->nworkers; i++)
        started += pool_spawn(p, &p->slots[i]) == 0;
    if (started == 0) {
        log_error("pool: no worker could be started");
        pool_destroy(p);
        return NULL;
    }
    return p;
}

int pool_can_submit(const struct pool *p)
{
    if (p->waiting.head)
        return 0;
    return pool_idle_slot(p) != NULL || pool_given_up(p);
}

int pool_submit(struct pool *p, uint32_t job_id, const char *url, const char *encoding, char *body,
                size_t len)
{
    if (!pool_can_submit(p))
        return -1;
    struct pool_slot *s = pool_idle_slot(p);
    struct pool_job *job = xcalloc(1, sizeof *job);
    job->id = job_id;
    job->url = xstrdup(url ? url : "");
    job->encoding = encoding ? xstrdup(encoding) : NULL;
    job->body = body;
    job->len = len;
    p->pending++;

    size_t prefix = 8 + strlen(job->url) + (encoding ? strlen(encoding) : 0);
    if (!job->url[0] || len > p->cfg.max_job || prefix > WORKER_JOB_PREFIX_MAX) {
        log_warn("job %u (%s): refused (body %zu bytes, limit %zu)", job_id, job->url, len,
                 p->cfg.max_job);
        pool_finish(p, job, POOL_ERR_PARSE, "job refused");
    } else if (!s) {
        pool_finish(p, job, POOL_ERR_NO_WORKERS, "no workers");
    } else {
        pool_start_job(p, s, job, clock_ms());
    }
    return 0;
}

size_t pool_pending(const struct pool *p)
{
    return p->pending;
}

size_t pool_pollfds(const struct pool *p, struct pollfd *fds, size_t max)
{
    size_t n = 0;
    for (int i = 0; i < p->cfg.nworkers && n < max; i++) {
        const struct pool_slot *s = &p->slots[i];
        if (s->state == POOL_SLOT_DEAD)
            continue;
        fds[n].fd = s->fd;
        fds[n].events = POLLIN | (s->state == POOL_SLOT_WRITING ? POLLOUT : 0);
        fds[n].revents = 0;
        n++;
    }
    return n;
}

void pool_service(struct pool *p, const struct pollfd *fds, size_t n, int64_t now_ms,
                  pool_done_fn done, void *ctx)
{
    struct pool_job *job;

    for (size_t i = 0; i < n; i++) {
        struct pool_slot *s = fds[i].revents ? pool_slot_by_fd(p, fds[i].fd) : NULL;
        if (!s)
            continue;
        if (s->state == POOL_SLOT_WRITING && (fds[i].revents & (POLLOUT | POLLERR | POLLHUP)))
            if (pool_write(p, s) < 0)
                continue;
        if (fds[i].revents & (POLLIN | POLLERR | POLLHUP | POLLNVAL))
            pool_read(p, s);
    }
    pool_check_deadlines(p, now_ms);
    pool_respawn(p, now_ms);
    pool_dispatch(p, now_ms);

    /* Report last: the callback may pool_submit() again. */
    while ((job = pool_queue_pop(&p->finished))) {
        p->pending--;
        p->stats.jobs_done++;
        done(ctx, job->id, job->err, job->cause, &job->page);
        memset(&job->page, 0, sizeof job->page); /* the callee owns it now */
        pool_job_free(job);
    }
}

int64_t pool_next_deadline(const struct pool *p)
{
    int64_t t = -1;
    if (p->finished.head || (p->waiting.head && (pool_idle_slot(p) || pool_given_up(p))))
        return 0; /* due now */
    for (int i = 0; i < p->cfg.nworkers; i++) {
        const struct pool_slot *s = &p->slots[i];
        int64_t d;
        if (s->state == POOL_SLOT_WRITING || s->state == POOL_SLOT_BUSY)
            d = s->deadline;
        else if (s->state == POOL_SLOT_DEAD)
            d = p->next_respawn;
        else
            continue;
        if (t < 0 || d < t)
            t = d;
    }
    return t;
}

void pool_destroy(struct pool *p)
{
    if (!p)
        return;
    for (int i = 0; i < p->cfg.nworkers; i++) {
        struct pool_slot *s = &p->slots[i];
        if (s->fd >= 0)
            close(s->fd);
        s->fd = -1;
    }
    /* Workers exit on EOF; give them a moment, then kill the rest. */
    int64_t until = clock_ms() + POOL_DESTROY_WAIT_MS;
    for (;;) {
        int left = 0;
        for (int i = 0; i < p->cfg.nworkers; i++) {
            struct pool_slot *s = &p->slots[i];
            if (s->pid <= 0)
                continue;
            pid_t r = waitpid(s->pid, NULL, WNOHANG);
            if (r == s->pid || (r < 0 && errno != EINTR))
                s->pid = -1;
            else
                left++;
        }
        if (!left || clock_ms() >= until)
            break;
        struct timespec ts = {0, 5 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    for (int i = 0; i < p->cfg.nworkers; i++) {
        struct pool_slot *s = &p->slots[i];
        if (s->pid > 0) {
            log_debug("worker %d (pid %ld) did not exit: killing it", i, (long)s->pid);
            kill(s->pid, SIGKILL);
            while (waitpid(s->pid, NULL, 0) < 0 && errno == EINTR)
                ;
        }
        if (s->job)
            pool_job_free(s->job);
        buf_free(&s->in);
        buf_free(&s->head);
    }
    pool_queue_free(&p->waiting);
    pool_queue_free(&p->finished);
    free(p->slots);
    free(p);
}

void pool_get_stats(const struct pool *p, struct pool_stats *st)
{
    *st = p->stats;
}
