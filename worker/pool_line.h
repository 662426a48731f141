/* pool_line: the jobs handed to one parse worker, at most POOL_DEPTH, in
 * the order the worker answers them (its channel is a byte stream and the
 * worker reads and answers frames one after another), and the writing of
 * their job frames to the worker's non-blocking channel. The head is the
 * job the worker works on (or will, once its frame is through); the ones
 * behind it wait in the channel, not started. Frames are written straight
 * from the caller's body buffer (the header and url/encoding prefix come
 * from a small buffer per entry), never copied, and several frames may go
 * in one sendmsg.
 *
 * The line does not own its jobs: it holds the pool's `struct pool_job`
 * pointers and the body pointers it was given, which must stay valid
 * until the job leaves the line (pool_line_pop / pool_line_pop_back).
 * Knows nothing of processes, deadlines or results; must not include
 * crawler/ headers. */
#ifndef CRAWL_POOL_LINE_H
#define CRAWL_POOL_LINE_H

#include <stddef.h>
#include <stdint.h>

#include "ipc.h"

struct pool_job; /* the pool's; only pointers are kept here */
struct pool_line;

/* An empty line; freed with pool_line_free. */
struct pool_line *pool_line_new(void);

/* Free the line (not the jobs still in it: take them out first). */
void pool_line_free(struct pool_line *l);

/* Jobs in the line, 0..POOL_DEPTH. */
size_t pool_line_count(const struct pool_line *l);

/* Body bytes in the line outside the shared region (shm.h): the ones its
 * frames carry through the socket, held in the parent's own memory. */
size_t pool_line_bytes(const struct pool_line *l);

/* Append job (its frame: type, header flags, job_id, url, encoding (may be NULL) and
 * body[0..len)) behind the others. Nothing is written yet: call
 * pool_line_write. url and encoding are encoded at once; body is
 * borrowed until the job leaves the line. The prefix must fit
 * WORKER_JOB_PREFIX_MAX (the pool checks it first). Returns 0, or -1 when
 * the line is full (POOL_DEPTH jobs) or the prefix does not fit. */
int pool_line_push(struct pool_line *l, struct pool_job *job, enum ipc_type type, uint32_t flags,
                   uint32_t job_id, const char *url, const char *encoding, const char *body,
                   size_t len);

/* Write as much of the pending frames as the non-blocking socket fd takes
 * (sendmsg, MSG_NOSIGNAL | MSG_DONTWAIT). Returns 0 (all written, or the
 * socket is full: see pool_line_writing), or -1 with errno set on an error
 * (the worker is gone). */
int pool_line_write(struct pool_line *l, int fd);

/* Nonzero while some frame is not completely written (wait for POLLOUT). */
int pool_line_writing(const struct pool_line *l);

/* The head job, or NULL when the line is empty. */
struct pool_job *pool_line_head(const struct pool_line *l);

/* Nonzero once the head's frame is completely written (only then can its
 * answer come), resp. once any byte of it was written (only then can the
 * worker have failed on it). */
int pool_line_head_sent(const struct pool_line *l);
int pool_line_head_started(const struct pool_line *l);

/* Take the head job out (answered, or its worker is gone); NULL when
 * empty. The next job becomes the head. */
struct pool_job *pool_line_pop(struct pool_line *l);

/* Take the last job out; NULL when empty. For jobs behind the head that
 * must go elsewhere: taken from the back, pushed to the front of another
 * queue, they keep their order. */
struct pool_job *pool_line_pop_back(struct pool_line *l);

#endif
