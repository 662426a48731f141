/* worker_main: the child side of the pool. Runs in a forked worker: fd
 * hygiene, rlimits, then read job -> parse -> reply until EOF. Never
 * returns; exits with _exit(). Must not include crawler/ headers. */
#ifndef CRAWL_WORKER_MAIN_H
#define CRAWL_WORKER_MAIN_H

#include "pool.h"

/* `fd` is the worker's channel; every other fd except stderr is closed
 * here. `slot` is the worker's slot index (used in log lines). */
void worker_main(int fd, int slot, const struct pool_config *cfg) __attribute__((noreturn));

#endif
