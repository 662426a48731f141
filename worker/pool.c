/* pool: the parent side of the prefork parse workers. Owns the jobs, the
 * slots (pid, non-blocking channel, input buffer, the line of up to
 * POOL_DEPTH jobs handed to the worker: pool_line.h), the zygote's pid and
 * control channel, the queue of jobs waiting for a worker (retries, jobs
 * requeued from a dead worker's line, sitemaps), the queue of finished
 * jobs waiting to be reported, the respawn rate limit and the counters.
 * All channel I/O is non-blocking and happens in pool_submit*() /
 * pool_service(); nothing here polls, sleeps or waits for a process
 * (pool_create and pool_destroy excepted). Job bodies are written straight
 * from the caller's buffer, never copied (pool_line_write). Every callback
 * runs at the end of pool_service(), after all slot bookkeeping, so a
 * callback may submit.
 *
 * A worker's death is noticed by EOF (or a failed write, a deadline, a bad
 * frame). The jobs behind the head of its line go back to the front of the
 * waiting queue at once, untried. The slot then waits in
 * POOL_SLOT_REAPING until waitpid(WNOHANG) reaps it (rechecked on a short
 * backoff through pool_next_deadline, so the exit status names the cause),
 * and only then is the head job retried or reported and the slot
 * respawned: one process per slot at any time. Must not include crawler/
 * headers. */
#include "pool.h"
#include "shm.h"

#include "buf.h"
#include "clock.h"
#include "ipc.h"
#include "log.h"
#include "pool_answer.h"
#include "pool_job.h"
#include "pool_line.h"
#include "reap.h"
#include "worker_main.h"
#include "xalloc.h"
#include "zygote.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
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
#define POOL_ZYGOTE_WAIT_MS  5000 /* the zygote answers within this, or is taken for dead */
#define POOL_REAP_FIRST_MS   1    /* first recheck of a dead worker not reapable yet */
#define POOL_REAP_MAX_MS     100  /* rechecks back off up to this */
#define POOL_REAP_KILL_MS    200  /* channel closed, process still there: SIGKILL */
#define POOL_REAP_JOB_MS     2000 /* still not reaped: its job goes on without it */
#define POOL_READ_CHUNK      (64 * 1024)

enum pool_slot_state {
    POOL_SLOT_DEAD,     /* no process; may be respawned */
    POOL_SLOT_SPAWNING, /* the zygote was asked for a worker */
    POOL_SLOT_LIVE,     /* running; its line may hold up to POOL_DEPTH jobs */
    POOL_SLOT_REAPING   /* channel closed, process not reaped yet */
};

enum pool_death { POOL_DEATH_EOF, POOL_DEATH_IO, POOL_DEATH_DEADLINE, POOL_DEATH_BAD_FRAME };

struct pool_slot {
    pid_t pid; /* not reaped yet, or -1 */
    int fd;    /* parent end of the channel, or -1 */
    enum pool_slot_state state;
    struct buf in;          /* bytes read from the worker, capped at one result frame */
    struct pool_line *line; /* jobs handed to the worker (LIVE; REAPING: the head only) */
    /* LIVE with jobs: the head job's deadline; SPAWNING: the zygote's;
     * REAPING: the next waitpid */
    int64_t deadline;
    int respawn;         /* SPAWNING: counts as a respawn once started */
    enum pool_death why; /* REAPING: how the death was noticed */
    int64_t died_at;     /* REAPING */
    int64_t reap_wait;   /* REAPING: current recheck interval */
    int killed;          /* REAPING: SIGKILL sent */
};

struct pool {
    struct pool_config cfg;
    int test_faults;
    pid_t zygote;  /* not reaped yet, or -1 */
    int zygote_fd; /* its control channel, -1 once it is gone */
    struct pool_slot *slots;
    struct pool_job_queue waiting; /* retries, requeued, sitemaps: before new jobs */
    struct pool_job_queue finished;
    size_t pending;
    size_t sitemap_pending;
    int64_t respawn_hist[POOL_RESPAWN_BURST]; /* times of recent respawns */
    size_t respawn_pos;
    int64_t next_respawn;
    unsigned fail_streak; /* deaths and fork failures since the last result */
    struct pool_stats stats;
};

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

static void pool_zygote_lost(struct pool *p, const char *why);

/* Ask the zygote for a worker for slot s. Returns 0, or -1 (not asked). */
static int pool_request(struct pool *p, struct pool_slot *s, int64_t now, int respawn)
{
    if (p->zygote_fd < 0)
        return -1;
    if (zygote_request(p->zygote_fd, pool_slot_index(p, s)) < 0) {
        if (errno != EAGAIN && errno != EWOULDBLOCK)
            pool_zygote_lost(p, "its control channel closed");
        return -1;
    }
    s->state = POOL_SLOT_SPAWNING;
    s->deadline = now + POOL_ZYGOTE_WAIT_MS;
    s->respawn = respawn;
    return 0;
}

/* The head job of slot s goes on without its worker: retried once, or
 * finished with err and cause. */
static void pool_release_job(struct pool *p, struct pool_slot *s, int err, const char *cause)
{
    /* A worker that got none of the job (killed while idle) did not fail
     * on it: requeue without counting a try. */
    int started = pool_line_head_started(s->line);
    struct pool_job *job = pool_line_pop(s->line);
    if (!job)
        return;
    if (started)
        job->tries++;
    if (job->tries >= POOL_TRIES_MAX) {
        pool_finish(p, job, err, cause);
    } else {
        p->stats.retries++;
        pool_queue_push(&p->waiting, job);
    }
}

/* Try to reap slot s's worker (REAPING). Once reaped: log why it died,
 * retry or finish its job, and free the slot for a respawn. */
static void pool_reap(struct pool *p, struct pool_slot *s, int64_t now)
{
    char text[96];
    const char *cause;
    int status = 0, err = POOL_ERR_CRASH;
    int r = reap_now(s->pid, &status);
    if (r == 0) { /* channel closed, not exited yet: on its way */
        if (!s->killed && now - s->died_at >= POOL_REAP_KILL_MS) {
            log_debug("worker %d (pid %ld) closed its channel but runs on: killing it",
                      pool_slot_index(p, s), (long)s->pid);
            kill(s->pid, SIGKILL);
            s->killed = 1;
        }
        if (pool_line_count(s->line) && now - s->died_at >= POOL_REAP_JOB_MS) {
            log_warn("worker %d (pid %ld) cannot be reaped: its job goes on without it",
                     pool_slot_index(p, s), (long)s->pid);
            pool_release_job(p, s, POOL_ERR_CRASH, "worker vanished");
        }
        s->deadline = now + s->reap_wait;
        s->reap_wait = s->reap_wait * 2 > POOL_REAP_MAX_MS ? POOL_REAP_MAX_MS : s->reap_wait * 2;
        return;
    }
    if (s->why == POOL_DEATH_DEADLINE) {
        cause = "deadline";
        err = POOL_ERR_TIMEOUT;
        snprintf(text, sizeof text, "%s", cause);
    } else if (s->why == POOL_DEATH_BAD_FRAME) {
        cause = "bad frame";
        err = POOL_ERR_PROTOCOL;
        snprintf(text, sizeof text, "%s", cause);
    } else if (r < 0) {
        cause = "worker vanished";
        snprintf(text, sizeof text, "waitpid: %s", strerror(errno));
    } else {
        cause = reap_cause(status, text, sizeof text);
    }
    log_warn("worker %d (pid %ld) died: %s", pool_slot_index(p, s), (long)s->pid, text);
    p->stats.worker_deaths++;
    p->fail_streak++;
    pool_release_job(p, s, err, cause);
    s->pid = -1;
    s->state = POOL_SLOT_DEAD;
}

/* Slot s's worker is dead or must die: close its channel, kill it if it
 * may still run, send the jobs behind its head back to be dispatched
 * first (never started: no try, no error), and reap it now or later. */
static void pool_slot_died(struct pool *p, struct pool_slot *s, enum pool_death why)
{
    int64_t now = clock_ms();
    while (pool_line_count(s->line) > 1)
        pool_queue_push_front(&p->waiting, pool_line_pop_back(s->line));
    if (s->fd >= 0)
        close(s->fd);
    s->fd = -1;
    s->killed = 0;
    if (why == POOL_DEATH_DEADLINE || why == POOL_DEATH_BAD_FRAME) {
        kill(s->pid, SIGKILL); /* not reaped yet: the pid is still ours */
        s->killed = 1;
    }
    s->state = POOL_SLOT_REAPING;
    s->why = why;
    s->died_at = now;
    s->reap_wait = POOL_REAP_FIRST_MS;
    buf_reset(&s->in);
    pool_reap(p, s, now);
}

/* A reply from the zygote. */
static void pool_spawned(struct pool *p, const struct zygote_reply *r)
{
    struct pool_slot *s = r->slot < p->cfg.nworkers ? &p->slots[r->slot] : NULL;
    if (!s || s->state != POOL_SLOT_SPAWNING) {
        /* Replies answer requests in order: this cannot happen unless the
         * zygote is broken. */
        if (r->fd >= 0)
            close(r->fd);
        if (r->pid > 0)
            kill(r->pid, SIGKILL);
        pool_zygote_lost(p, "it answered for the wrong slot");
        return;
    }
    if (r->pid < 0) {
        log_error("worker %d: the zygote could not start it: %s", r->slot, strerror(r->err));
        p->fail_streak++;
        s->state = POOL_SLOT_DEAD;
        return;
    }
    s->pid = r->pid;
    s->fd = r->fd;
    buf_reset(&s->in); /* its line is empty: the last head left at the reap */
    if (r->fd < 0) {   /* its channel was lost on the way: it exits on EOF */
        pool_slot_died(p, s, POOL_DEATH_IO);
        return;
    }
    int fl = fcntl(r->fd, F_GETFL);
    if (fl < 0 || fcntl(r->fd, F_SETFL, fl | O_NONBLOCK) < 0)
        log_error("worker %d: O_NONBLOCK: %s", r->slot, strerror(errno));
    s->state = POOL_SLOT_LIVE;
    if (s->respawn)
        p->stats.respawns++;
    log_debug("worker %d started (pid %ld)", r->slot, (long)r->pid);
}

/* Read every reply the zygote has sent. */
static void pool_zygote_read(struct pool *p)
{
    struct zygote_reply r;
    int rc;
    while (p->zygote_fd >= 0 && (rc = zygote_reply(p->zygote_fd, &r)) != 0) {
        if (rc < 0) {
            pool_zygote_lost(p, "its control channel closed");
            return;
        }
        pool_spawned(p, &r);
    }
}

/* The zygote is dead, or unusable and killed: say so once. Workers alive
 * go on; none can be started any more. */
static void pool_zygote_lost(struct pool *p, const char *why)
{
    char text[96] = "";
    int status = 0, alive = 0;
    pid_t pid = p->zygote;
    if (p->zygote_fd < 0)
        return;
    close(p->zygote_fd);
    p->zygote_fd = -1;
    kill(p->zygote, SIGKILL); /* not reaped yet: the pid is still ours */
    if (reap_now(p->zygote, &status) != 0) {
        reap_cause(status, text, sizeof text);
        p->zygote = -1;
    }
    for (int i = 0; i < p->cfg.nworkers; i++) {
        struct pool_slot *s = &p->slots[i];
        if (s->state == POOL_SLOT_SPAWNING)
            s->state = POOL_SLOT_DEAD;
        alive += s->state == POOL_SLOT_LIVE;
    }
    log_error("zygote (pid %ld) died: %s%s%s%s; no parse worker can be started any more (%d "
              "still running)",
              (long)pid, why, text[0] ? " (" : "", text, text[0] ? ")" : "", alive);
}

static void pool_read(struct pool *p, struct pool_slot *s, int64_t now);

/* Write as much of slot s's line as the socket takes. Returns 0, or -1
 * if the worker died. A worker that is gone may have answered jobs at the
 * head of its line before it died: their answers are read first, so the
 * death is charged to the job it died on, not to one it finished. */
static int pool_write(struct pool *p, struct pool_slot *s)
{
    if (pool_line_write(s->line, s->fd) == 0)
        return 0;
    log_debug("worker %d: write: %s", pool_slot_index(p, s), strerror(errno));
    pool_read(p, s, clock_ms()); /* to the end of the channel: it notes the death */
    if (s->state == POOL_SLOT_LIVE)
        pool_slot_died(p, s, POOL_DEATH_IO);
    return -1;
}

/* Put job at the back of live slot s's line (which has room) and write. */
static void pool_start_job(struct pool *p, struct pool_slot *s, struct pool_job *job, int64_t now)
{
    if (pool_line_count(s->line) == 0) /* it heads the line: its clock starts */
        s->deadline = now + p->cfg.parse_timeout_ms;
    /* Cannot fail: s has room, pool_refuse checked the prefix. */
    pool_line_push(s->line, job, job->type, job->render ? IPC_FLAG_LINKS_JSON : 0, job->id,
                   job->url, job->encoding, job->body, job->len);
    pool_write(p, s);
}

/* A complete frame from a live worker: the answer to the head of its
 * line, whose successor then starts its clock. Returns 0, or -1 if it was
 * not the answer we wait for (the caller then kills the worker). */
static int pool_frame(struct pool *p, struct pool_slot *s, const struct ipc_frame *f, int64_t now)
{
    struct pool_job *job = pool_line_head(s->line);
    int err;
    const char *cause;
    if (s->state != POOL_SLOT_LIVE || !job || !pool_line_head_sent(s->line) || f->job_id != job->id)
        return -1;
    if (pool_answer_decode(f, job->type, job->id, job->url, &job->page, &job->sm, &err, &cause) < 0)
        return -1;
    pool_finish(p, job, err, cause);
    pool_line_pop(s->line);
    if (pool_line_count(s->line))
        s->deadline = now + p->cfg.parse_timeout_ms;
    p->fail_streak = 0;
    return 0;
}

/* Read until EAGAIN, EOF or error, handling each complete frame. Bytes
 * are read straight into the slot's buffer, and the frames handled are
 * taken out of it once per read, not once each. */
static void pool_read(struct pool *p, struct pool_slot *s, int64_t now)
{
    for (;;) {
        size_t room = s->in.max - s->in.len;
        if (room > POOL_READ_CHUNK)
            room = POOL_READ_CHUNK;
        buf_reserve(&s->in, room); /* fits: room <= max - len */
        ssize_t n = recv(s->fd, s->in.data + s->in.len, room, MSG_DONTWAIT);
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
        s->in.len += (size_t)n;
        size_t off = 0;
        for (;;) {
            struct ipc_frame f;
            size_t used = 0;
            int rc = ipc_decode((const unsigned char *)s->in.data + off, s->in.len - off,
                                p->cfg.max_result, &f, &used);
            if (rc == IPC_NEED_MORE)
                break;
            if (rc < 0 || pool_frame(p, s, &f, now) < 0) {
                log_debug("worker %d: bad frame (decode %d)", pool_slot_index(p, s), rc);
                pool_slot_died(p, s, POOL_DEATH_BAD_FRAME);
                return;
            }
            off += used;
        }
        buf_consume(&s->in, off);
    }
}

/* Room in a line for one more job (pool.h: POOL_DEPTH, POOL_LINE_BYTES). */
static int pool_line_room(const struct pool_line *l)
{
    size_t n = pool_line_count(l);
    return n < POOL_LINE_FREE || (n < POOL_DEPTH && pool_line_bytes(l) < POOL_LINE_BYTES);
}

/* The live worker with the fewest jobs (an idle one first) if it has
 * room for one more, else NULL. */
static struct pool_slot *pool_pick_slot(const struct pool *p)
{
    struct pool_slot *best = NULL;
    size_t least = POOL_DEPTH;
    for (int i = 0; i < p->cfg.nworkers && least > 0; i++) {
        struct pool_slot *s = &p->slots[i];
        if (s->state == POOL_SLOT_LIVE && pool_line_count(s->line) < least &&
            pool_line_room(s->line)) {
            best = s;
            least = pool_line_count(s->line);
        }
    }
    return best;
}

/* Workers running or on their way. */
static int pool_live_workers(const struct pool *p)
{
    int n = 0;
    for (int i = 0; i < p->cfg.nworkers; i++) {
        enum pool_slot_state st = p->slots[i].state;
        n += st != POOL_SLOT_DEAD && st != POOL_SLOT_REAPING;
    }
    return n;
}

/* No worker alive, and none can be started (the zygote is gone) or too
 * many failures in a row: nothing will run. */
static int pool_given_up(const struct pool *p)
{
    return (p->fail_streak > POOL_FAIL_STREAK_MAX || p->zygote_fd < 0) && pool_live_workers(p) == 0;
}

static void pool_respawn(struct pool *p, int64_t now)
{
    for (int i = 0; i < p->cfg.nworkers && p->zygote_fd >= 0; i++) {
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
        if (pool_request(p, s, now, 1) < 0) {
            p->fail_streak++;
        } else {
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
    while (p->waiting.head && (s = pool_pick_slot(p)))
        pool_start_job(p, s, pool_queue_pop(&p->waiting), now);
}

/* Jobs past their deadline, dead workers to reap again, and a zygote that
 * does not answer. */
static void pool_check_deadlines(struct pool *p, int64_t now)
{
    for (int i = 0; i < p->cfg.nworkers; i++) {
        struct pool_slot *s = &p->slots[i];
        if (now < s->deadline)
            continue;
        if (s->state == POOL_SLOT_LIVE && pool_line_count(s->line))
            pool_slot_died(p, s, POOL_DEATH_DEADLINE);
        else if (s->state == POOL_SLOT_REAPING)
            pool_reap(p, s, now);
        else if (s->state == POOL_SLOT_SPAWNING)
            pool_zygote_lost(p, "it did not answer in time");
    }
}

static struct pool_slot *pool_slot_by_fd(struct pool *p, int fd)
{
    for (int i = 0; i < p->cfg.nworkers; i++)
        if (p->slots[i].fd >= 0 && p->slots[i].fd == fd)
            return &p->slots[i];
    return NULL;
}

/* Block (pool_create, pool_destroy only) until the zygote has answered
 * every request or wait_ms has passed. */
static void pool_wait_spawns(struct pool *p, int wait_ms)
{
    int64_t until = clock_ms() + wait_ms;
    for (;;) {
        int spawning = 0;
        pool_zygote_read(p);
        for (int i = 0; i < p->cfg.nworkers; i++)
            spawning += p->slots[i].state == POOL_SLOT_SPAWNING;
        int64_t left = until - clock_ms();
        if (!spawning || p->zygote_fd < 0)
            return;
        if (left <= 0) {
            pool_zygote_lost(p, "it did not answer in time");
            return;
        }
        struct pollfd pfd = {.fd = p->zygote_fd, .events = POLLIN};
        poll(&pfd, 1, (int)left);
    }
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
    /* First, while this process is smallest: the zygote copies it. */
    p->zygote = zygote_start(&p->cfg, p->test_faults, getpid(), &p->zygote_fd);
    if (p->zygote < 0) {
        free(p);
        return NULL;
    }
    p->slots = xcalloc((size_t)cfg->nworkers, sizeof *p->slots);
    for (int i = 0; i < cfg->nworkers; i++) {
        struct pool_slot *s = &p->slots[i];
        s->pid = -1;
        s->fd = -1;
        s->state = POOL_SLOT_DEAD;
        buf_init(&s->in, IPC_HEADER_LEN + cfg->max_result);
        s->line = pool_line_new();
    }
    int64_t now = clock_ms();
    for (int i = 0; i < cfg->nworkers; i++)
        pool_request(p, &p->slots[i], now, 0);
    pool_wait_spawns(p, POOL_ZYGOTE_WAIT_MS);
    for (int i = 0; i < cfg->nworkers; i++)
        started += p->slots[i].state == POOL_SLOT_LIVE;
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
    return pool_pick_slot(p) != NULL || pool_given_up(p);
}

static struct pool_job *pool_job_new(struct pool *p, enum ipc_type type, uint32_t job_id,
                                     const char *url, const char *encoding, char *body, size_t len)
{
    struct pool_job *job = xcalloc(1, sizeof *job);
    job->type = type;
    job->id = job_id;
    job->url = xstrdup(url ? url : "");
    job->encoding = encoding ? xstrdup(encoding) : NULL;
    job->body = body;
    job->len = len;
    p->pending++;
    return job;
}

/* Finish job at once if it can never be sent. Returns 1 if it was. */
static int pool_refuse(struct pool *p, struct pool_job *job)
{
    size_t prefix = 8 + strlen(job->url) + (job->encoding ? strlen(job->encoding) : 0);
    if (job->url[0] && job->len <= p->cfg.max_job && prefix <= WORKER_JOB_PREFIX_MAX)
        return 0;
    log_warn("job %u (%s): refused (body %zu bytes, limit %zu)", job->id, job->url, job->len,
             p->cfg.max_job);
    pool_finish(p, job, POOL_ERR_PARSE, "job refused");
    return 1;
}

int pool_submit(struct pool *p, uint32_t job_id, const char *url, const char *encoding, char *body,
                size_t len, int render)
{
    if (!pool_can_submit(p))
        return -1;
    struct pool_slot *s = pool_pick_slot(p);
    struct pool_job *job = pool_job_new(p, IPC_JOB, job_id, url, encoding, body, len);
    job->render = render && p->cfg.render_links;
    if (pool_refuse(p, job))
        return 0;
    if (!s)
        pool_finish(p, job, POOL_ERR_NO_WORKERS, "no workers");
    else
        pool_start_job(p, s, job, clock_ms());
    return 0;
}

int pool_submit_sitemap(struct pool *p, uint32_t job_id, const char *url, char *body, size_t len,
                        pool_sitemap_fn done, void *ctx)
{
    if (p->sitemap_pending >= POOL_MAX_SITEMAP_JOBS)
        return -1;
    struct pool_job *job = pool_job_new(p, IPC_SITEMAP_JOB, job_id, url, NULL, body, len);
    job->sitemap_done = done;
    job->sitemap_ctx = ctx;
    p->sitemap_pending++;
    if (pool_refuse(p, job))
        return 0;
    /* Behind the retries; started now if a worker has room. */
    pool_queue_push(&p->waiting, job);
    pool_dispatch(p, clock_ms());
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
        if (s->fd < 0)
            continue;
        fds[n].fd = s->fd;
        fds[n].events = POLLIN | (pool_line_writing(s->line) ? POLLOUT : 0);
        fds[n].revents = 0;
        n++;
    }
    if (p->zygote_fd >= 0 && n < max) { /* its replies are read in pool_service */
        fds[n].fd = p->zygote_fd;
        fds[n].events = POLLIN;
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
        if (pool_line_writing(s->line) && (fds[i].revents & (POLLOUT | POLLERR | POLLHUP)))
            if (pool_write(p, s) < 0)
                continue;
        if (fds[i].revents & (POLLIN | POLLERR | POLLHUP | POLLNVAL))
            pool_read(p, s, now_ms);
    }
    pool_zygote_read(p);
    pool_check_deadlines(p, now_ms);
    if (p->zygote_fd < 0 && p->zygote > 0 && reap_now(p->zygote, NULL) != 0)
        p->zygote = -1;
    pool_respawn(p, now_ms);
    pool_dispatch(p, now_ms);

    /* Report last: a callback may submit again. */
    while ((job = pool_queue_pop(&p->finished))) {
        p->pending--;
        p->stats.jobs_done++;
        if (job->type == IPC_SITEMAP_JOB) {
            p->sitemap_pending--;
            job->sitemap_done(job->sitemap_ctx, job->id, job->err, job->cause, job->url, &job->sm);
            memset(&job->sm, 0, sizeof job->sm); /* the callee owns it now */
        } else {
            done(ctx, job->id, job->err, job->cause, &job->page);
            memset(&job->page, 0, sizeof job->page);
        }
        pool_job_free(job);
    }
}

int64_t pool_next_deadline(const struct pool *p)
{
    int64_t t = -1;
    if (p->finished.head || (p->waiting.head && (pool_pick_slot(p) || pool_given_up(p))))
        return 0; /* due now */
    for (int i = 0; i < p->cfg.nworkers; i++) {
        const struct pool_slot *s = &p->slots[i];
        int64_t d;
        if (s->state == POOL_SLOT_DEAD && p->zygote_fd >= 0)
            d = p->next_respawn;
        else if (s->state != POOL_SLOT_DEAD &&
                 (s->state != POOL_SLOT_LIVE || pool_line_count(s->line)))
            d = s->deadline;
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
    /* Workers the zygote started but we have not heard of yet must be
     * reaped too: take their replies first. */
    if (p->zygote_fd >= 0)
        pool_wait_spawns(p, POOL_DESTROY_WAIT_MS);
    for (int i = 0; i < p->cfg.nworkers; i++) {
        struct pool_slot *s = &p->slots[i];
        if (s->fd >= 0)
            close(s->fd);
        s->fd = -1;
    }
    if (p->zygote_fd >= 0)
        close(p->zygote_fd);
    p->zygote_fd = -1;
    /* Workers and the zygote exit on EOF; give them a moment, then kill
     * the rest. */
    int64_t until = clock_ms() + POOL_DESTROY_WAIT_MS;
    for (int i = 0; i < p->cfg.nworkers; i++) {
        struct pool_slot *s = &p->slots[i];
        if (s->pid > 0 && reap_by(s->pid, until) == 0)
            log_debug("worker %d (pid %ld) did not exit: killed it", i, (long)s->pid);
        s->pid = -1;
        struct pool_job *job;
        while ((job = pool_line_pop(s->line)))
            pool_job_free(job);
        pool_line_free(s->line);
        buf_free(&s->in);
    }
    if (p->zygote > 0)
        reap_by(p->zygote, until);
    pool_queue_free(&p->waiting);
    pool_queue_free(&p->finished);
    free(p->slots);
    free(p);
}

void pool_get_stats(const struct pool *p, struct pool_stats *st)
{
    *st = p->stats;
}
