/* reap: the end of a child process, as its parent sees it: the wait
 * status in words, reaping without blocking, and the last reap at
 * shutdown. Knows nothing of workers or jobs. */
#ifndef CRAWL_REAP_H
#define CRAWL_REAP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Describe a wait status: the full text into text (for a log line, e.g.
 * "signal 11 (Segmentation fault)") and, returned, a static string saying
 * the same for the common signals and exit codes 0-9 (else something
 * vaguer, "killed by a signal"). */
const char *reap_cause(int status, char *text, size_t cap);

/* waitpid(pid, WNOHANG): 1 reaped (*status set when status is not NULL),
 * 0 still there, -1 error (errno set; ECHILD: not ours or reaped already). */
int reap_now(pid_t pid, int *status);

/* Shutdown only, this blocks: wait for pid to exit until `until`
 * (clock_ms), polling; then SIGKILL it and wait. Returns 1 if it exited by
 * itself, 0 if it had to be killed. */
int reap_by(pid_t pid, int64_t until);

#endif
