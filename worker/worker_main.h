/* worker_main: the child side of the pool. Runs in a worker started by the
 * zygote: fd hygiene, rlimits, then read job -> parse -> reply until EOF.
 * Never returns; exits with _exit(). Must not include crawler/ headers. */
#ifndef CRAWL_WORKER_MAIN_H
#define CRAWL_WORKER_MAIN_H

#include <sys/types.h>

#include "buf.h"
#include "ipc.h"
#include "pool.h"

/* Room for the url and encoding fields of a job payload, on top of
 * cfg->max_job bytes of body. The pool refuses jobs that need more. */
#define WORKER_JOB_PREFIX_MAX (64 * 1024)

/* `fd` is the worker's channel; every other fd except stderr is closed
 * here. `slot` is the worker's slot index (used in log lines). `parent` is
 * the crawl parent's pid, which must be the caller's parent (to notice a
 * parent that died before PR_SET_PDEATHSIG was armed). `test_faults`
 * enables the test fault markers described in worker_main.c (pool_create
 * reads CRAWL_TEST_FAULTS=1 once). */
void worker_main(int fd, int slot, const struct pool_config *cfg, pid_t parent, int test_faults)
    __attribute__((noreturn));

/* The hygiene every pool child starts with (the zygote too): fd moved to
 * fd 3, stdin and stdout on /dev/null, every fd above 3 closed, every
 * signal to its default with none blocked and SIGINT ignored, log tag set,
 * SIGKILL when `parent` (which must be our parent) dies; _exit(0) if it
 * already has. Returns the channel's new fd (3). */
int worker_main_detach(int fd, const char *tag, pid_t parent);

/* The parse of one IPC_JOB frame `f` (decoded into `job`), without any
 * I/O: out (emptied first; its cap should be IPC_HEADER_LEN +
 * cfg->max_result) receives the whole reply frame, IPC_RESULT or IPC_FAIL.
 * What the worker does per page between reading a job and writing its
 * answer; exposed for tests/bench/bench_parse.c. */
void worker_main_answer(const struct ipc_frame *f, const struct ipc_job *job,
                        const struct pool_config *cfg, struct buf *out);

#endif
