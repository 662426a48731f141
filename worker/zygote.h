/* zygote: the small process that starts every parse worker. pool_create
 * forks it first, before libcurl is initialised and before any output is
 * open, while the parent is still small; from then on the parent never
 * forks a worker itself, so no worker inherits what the parent grows into
 * (a 1 GiB RLIMIT_AS means the same for the first worker and the
 * hundredth). The parent asks over a control channel; the zygote forks the
 * worker as a child of the parent (clone with CLONE_PARENT) and hands back
 * the parent's end of the worker's channel (SCM_RIGHTS) and its pid.
 *
 * Workers are the parent's children, not the zygote's: the parent reaps
 * them (waitpid WNOHANG), reads their exit status and may kill() a pid it
 * has not reaped yet without any race; PR_SET_PDEATHSIG ties them to the
 * parent; and if the zygote dies, the workers already running carry on.
 * The zygote itself forks nothing else, reaps nothing, holds only its
 * control channel and stderr, ignores SIGINT and SIGTERM (the parent's to
 * handle), and exits at EOF on the channel or with the parent
 * (PR_SET_PDEATHSIG). Linux only (CLONE_PARENT, like PDEATHSIG).
 *
 * Control messages (SOCK_SEQPACKET: one message per read), encoded byte by
 * byte, big-endian:
 *   request (parent -> zygote), 8 bytes:  'Z' 'S' 0 0, u32 slot
 *   reply   (zygote -> parent), 12 bytes: 'Z' 'W' 0 0, u32 slot, u32 pid
 *           with the channel as SCM_RIGHTS, or
 *                                         'Z' 'F' 0 0, u32 slot, u32 errno
 * Replies come in the order of the requests. Must not include crawler/
 * headers. */
#ifndef CRAWL_ZYGOTE_H
#define CRAWL_ZYGOTE_H

#include <sys/types.h>

#include "pool.h"

/* The zygote's process name (/proc/PID/comm), so that ps, tests and
 * scripts can tell it from the workers. */
#define ZYGOTE_PROC_NAME "crawl-zygote"

/* Fork the zygote. Returns its pid and sets *ctl to the parent's end of
 * the control channel (close-on-exec, non-blocking), or returns -1 after
 * logging why. `cfg` and `test_faults` are what every worker gets (see
 * worker_main.h); `parent` is the caller's pid. */
pid_t zygote_start(const struct pool_config *cfg, int test_faults, pid_t parent, int *ctl);

/* Ask for a worker for `slot`, without blocking. Returns 0 when sent, -1
 * when not: errno EAGAIN (the channel is full: try later) or anything else
 * (the zygote is gone). */
int zygote_request(int ctl, int slot);

struct zygote_reply {
    int slot;
    pid_t pid; /* the new worker, or -1 */
    int fd;    /* parent's end of its channel (close-on-exec, blocking), or -1 */
    int err;   /* errno of a failed fork, 0 otherwise */
};

/* Read one reply without blocking. Returns 1 with *r filled (a worker
 * started: pid > 0 and fd >= 0; fork failed: pid -1, fd -1, err set; a
 * worker started but its channel was lost in transit: pid > 0, fd -1 --
 * the caller must kill and reap it), 0 when none is waiting, -1 when the
 * zygote is gone or sent something malformed (logged). */
int zygote_reply(int ctl, struct zygote_reply *r);

#endif
