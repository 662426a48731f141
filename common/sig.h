/* sig: SIGINT/SIGTERM through a self-pipe. The handler writes the signal
 * number as one byte to a non-blocking pipe and does nothing else; the
 * loop polls the read end like any other fd. Owns the pipe. */
#ifndef CRAWL_SIG_H
#define CRAWL_SIG_H

/* Install the handlers; returns the read end to poll, or -1. Call after
 * the worker pool is forked (workers ignore SIGINT themselves). */
int sig_install(void);
/* The last signal received since the previous call (0 if none); drains
 * the pipe. Never blocks. */
int sig_take(int fd);

#endif
