/* sig: SIGINT/SIGTERM through a self-pipe. The handler writes the signal
 * number as one byte to a non-blocking pipe and does nothing else; the
 * loop polls the read end like any other fd. Owns the pipe. */
#ifndef CRAWL_SIG_H
#define CRAWL_SIG_H

/* Install the handlers; returns the read end to poll, or -1. Call after
 * the worker pool is forked (workers ignore SIGINT themselves). */
int sig_install(void);
/* The oldest signal received and not yet taken, or 0 if none: one per
 * call, so a caller that loops until 0 sees every signal, even several
 * that arrived within one poll. Never blocks. */
int sig_take(int fd);

#endif
