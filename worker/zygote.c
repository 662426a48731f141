/* zygote: the worker-starting process and both ends of its control channel,
 * as laid out in zygote.h. The zygote side blocks (it has nothing else to
 * do); the parent side never does. The zygote owns no worker: each one is
 * cloned with CLONE_PARENT, so the crawl parent is its parent and reaps it.
 * Must not include crawler/ headers. */
#define _GNU_SOURCE
#include "zygote.h"

#include "ipc.h"
#include "log.h"
#include "worker_main.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#define ZYGOTE_REQ_LEN    8
#define ZYGOTE_REPLY_LEN  12
#define ZYGOTE_MAX_FDS    4 /* room to notice (and close) fds nobody asked for */
#define ZYGOTE_EXIT_PROTO 3

/* fork(), except that the child's parent is our parent (the crawl), not
 * us. Every argument but the flags is 0, so the child runs on a copy of
 * this stack, exactly as after fork(). */
static pid_t zygote_clone(void)
{
    unsigned long flags = CLONE_PARENT | SIGCHLD;
#if defined(__s390__) || defined(__CRIS__)
    return (pid_t)syscall(SYS_clone, 0UL, flags, 0UL, 0UL, 0UL); /* stack first */
#else
    return (pid_t)syscall(SYS_clone, flags, 0UL, 0UL, 0UL, 0UL);
#endif
}

/* ---- the zygote process ---- */

/* Send a reply (and fd, when >= 0). The parent gone ends the zygote. */
static void zygote_send(int ctl, char kind, int slot, uint32_t value, int fd)
{
    unsigned char msg[ZYGOTE_REPLY_LEN] = {'Z', (unsigned char)kind, 0, 0};
    union {
        struct cmsghdr align;
        char buf[CMSG_SPACE(sizeof(int))];
    } cm;
    struct iovec iov = {.iov_base = msg, .iov_len = sizeof msg};
    struct msghdr mh;

    ipc_be32_put(msg + 4, (uint32_t)slot);
    ipc_be32_put(msg + 8, value);
    memset(&mh, 0, sizeof mh);
    mh.msg_iov = &iov;
    mh.msg_iovlen = 1;
    if (fd >= 0) {
        memset(&cm, 0, sizeof cm);
        mh.msg_control = cm.buf;
        mh.msg_controllen = sizeof cm.buf;
        struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(c), &fd, sizeof fd);
    }
    for (;;) {
        if (sendmsg(ctl, &mh, MSG_NOSIGNAL) == (ssize_t)sizeof msg)
            return;
        if (errno == EINTR)
            continue;
        if (errno == EPIPE || errno == ECONNRESET)
            _exit(0);
        log_error("reply to the parent: %s", strerror(errno));
        _exit(ZYGOTE_EXIT_PROTO);
    }
}

static char zygote_worker_name[17]; /* the program's process name, for the workers */

/* Start one worker for slot and tell the parent. */
static void zygote_spawn(int ctl, int slot, const struct pool_config *cfg, int test_faults,
                         pid_t parent)
{
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
        int e = errno;
        log_error("worker %d: socketpair: %s", slot, strerror(e));
        zygote_send(ctl, 'F', slot, (uint32_t)e, -1);
        return;
    }
    fflush(NULL);
    /* The worker inherits the name at clone time: lend it the program's,
     * so that it never shows as the zygote, and take ours back before the
     * parent hears of it. */
    prctl(PR_SET_NAME, zygote_worker_name);
    pid_t pid = zygote_clone();
    if (pid != 0)
        prctl(PR_SET_NAME, ZYGOTE_PROC_NAME);
    if (pid < 0) {
        int e = errno;
        log_error("worker %d: clone: %s", slot, strerror(e));
        close(sv[0]);
        close(sv[1]);
        zygote_send(ctl, 'F', slot, (uint32_t)e, -1);
        return;
    }
    if (pid == 0) {
        /* worker_main moves sv[1] over the control channel's fd and
         * closes every other one. */
        close(sv[0]);
        worker_main(sv[1], slot, cfg, parent, test_faults);
    }
    close(sv[1]);
    zygote_send(ctl, 'W', slot, (uint32_t)pid, sv[0]);
    close(sv[0]);
}

static void zygote_main(int fd, const struct pool_config *cfg, int test_faults, pid_t parent)
    __attribute__((noreturn));

static void zygote_main(int fd, const struct pool_config *cfg, int test_faults, pid_t parent)
{
    struct pool_config zcfg = *cfg;
    int ctl = worker_main_detach(fd, "zygote", parent);
    /* Like SIGINT: a SIGTERM sent to the whole group is the parent's to
     * handle (it may go on for a grace period and need workers); the
     * zygote ends with the parent (PDEATHSIG) or at EOF on its channel. */
    signal(SIGTERM, SIG_IGN);
    /* Set apart from the workers in ps (they keep the program's name). */
    if (prctl(PR_GET_NAME, zygote_worker_name) < 0)
        snprintf(zygote_worker_name, sizeof zygote_worker_name, "crawl");
    prctl(PR_SET_NAME, ZYGOTE_PROC_NAME);

    for (;;) {
        unsigned char msg[16];
        ssize_t n = recv(ctl, msg, sizeof msg, MSG_TRUNC);
        if (n < 0 && errno == EINTR)
            continue;
        if (n == 0 || (n < 0 && errno == ECONNRESET))
            _exit(0);
        if (n < 0) {
            log_error("read from parent: %s", strerror(errno));
            _exit(ZYGOTE_EXIT_PROTO);
        }
        uint32_t slot = n == ZYGOTE_REQ_LEN ? ipc_be32_get(msg + 4) : 0;
        if (n != ZYGOTE_REQ_LEN || msg[0] != 'Z' || msg[1] != 'S' || slot > INT32_MAX) {
            log_error("malformed request from parent (%zd bytes)", n);
            _exit(ZYGOTE_EXIT_PROTO);
        }
        zygote_spawn(ctl, (int)slot, &zcfg, test_faults, parent);
    }
}

/* ---- parent side ---- */

pid_t zygote_start(const struct pool_config *cfg, int test_faults, pid_t parent, int *ctl)
{
    int sv[2];
    *ctl = -1;
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
        log_error("zygote: socketpair: %s", strerror(errno));
        return -1;
    }
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        log_error("zygote: fork: %s", strerror(errno));
        close(sv[0]);
        close(sv[1]);
        return -1;
    }
    if (pid == 0) {
        close(sv[0]);
        zygote_main(sv[1], cfg, test_faults, parent);
    }
    close(sv[1]);
    int fl = fcntl(sv[0], F_GETFL);
    if (fl < 0 || fcntl(sv[0], F_SETFL, fl | O_NONBLOCK) < 0)
        log_error("zygote: O_NONBLOCK: %s", strerror(errno));
    *ctl = sv[0];
    log_debug("zygote started (pid %ld)", (long)pid);
    return pid;
}

int zygote_request(int ctl, int slot)
{
    unsigned char msg[ZYGOTE_REQ_LEN] = {'Z', 'S', 0, 0};
    ipc_be32_put(msg + 4, (uint32_t)slot);
    for (;;) {
        ssize_t w = send(ctl, msg, sizeof msg, MSG_DONTWAIT | MSG_NOSIGNAL);
        if (w == (ssize_t)sizeof msg)
            return 0;
        if (w < 0 && errno == EINTR)
            continue;
        if (w >= 0)
            errno = EPIPE; /* a seqpacket send is all or nothing */
        return -1;
    }
}

int zygote_reply(int ctl, struct zygote_reply *r)
{
    unsigned char msg[16];
    union {
        struct cmsghdr align;
        char buf[CMSG_SPACE(ZYGOTE_MAX_FDS * sizeof(int))];
    } cm;
    struct iovec iov = {.iov_base = msg, .iov_len = sizeof msg};
    struct msghdr mh;
    ssize_t n;
    int fds[ZYGOTE_MAX_FDS], nfds = 0;

    r->slot = -1;
    r->pid = -1;
    r->fd = -1;
    r->err = 0;
    do {
        memset(&mh, 0, sizeof mh);
        mh.msg_iov = &iov;
        mh.msg_iovlen = 1;
        mh.msg_control = cm.buf;
        mh.msg_controllen = sizeof cm.buf;
        n = recvmsg(ctl, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
    } while (n < 0 && errno == EINTR);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        return 0;
    if (n <= 0) {
        if (n < 0)
            log_error("zygote: read: %s", strerror(errno));
        return -1;
    }
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
        if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
            continue;
        size_t k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        for (size_t i = 0; i < k && nfds < ZYGOTE_MAX_FDS; i++)
            memcpy(&fds[nfds++], CMSG_DATA(c) + i * sizeof(int), sizeof(int));
    }
    int ok = n == ZYGOTE_REPLY_LEN && !(mh.msg_flags & MSG_TRUNC) && msg[0] == 'Z' &&
             (msg[1] == 'W' || msg[1] == 'F') && ipc_be32_get(msg + 4) <= INT32_MAX;
    uint32_t value = ok ? ipc_be32_get(msg + 8) : 0;
    if (ok && msg[1] == 'W')
        ok = value > 0 && value <= INT32_MAX && nfds <= 1;
    if (ok && msg[1] == 'F')
        ok = nfds == 0;
    if (!ok) {
        for (int i = 0; i < nfds; i++)
            close(fds[i]);
        log_error("zygote: malformed reply (%zd bytes, %d fds)", n, nfds);
        return -1;
    }
    r->slot = (int)ipc_be32_get(msg + 4);
    if (msg[1] == 'W') {
        r->pid = (pid_t)value;
        r->fd = nfds ? fds[0] : -1; /* none: lost to MSG_CTRUNC */
    } else {
        r->err = (int)value;
    }
    return 1;
}
