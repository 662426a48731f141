/* pool_line: the in-order line of jobs at one worker and the writing of
 * their frames. A ring of POOL_DEPTH entries; entries [0, written) of it
 * (counted from the head) are completely written, entry `written` has
 * `sent` bytes (header + prefix, then body) through. Owns the per-entry
 * header buffers; borrows the jobs and their bodies. No process, deadline
 * or result handling here (pool.c). */
#include "pool_line.h"

#include "shm.h"

#include "buf.h"
#include "pool.h"
#include "worker_main.h"
#include "xalloc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>

struct pool_line_entry {
    struct pool_job *job; /* borrowed */
    struct buf head;      /* frame header + url/encoding prefix */
    const char *body;     /* borrowed */
    size_t len;
};

struct pool_line {
    struct pool_line_entry e[POOL_DEPTH];
    size_t first;   /* ring index of the head */
    size_t n;       /* entries in the line */
    size_t written; /* entries completely written, from the head */
    size_t sent;    /* bytes of entry `written` written so far */
    size_t bytes;   /* body bytes of the entries that go through the socket */
};

static struct pool_line_entry *pool_line_at(struct pool_line *l, size_t i)
{
    return &l->e[(l->first + i) % POOL_DEPTH];
}

static const struct pool_line_entry *pool_line_cat(const struct pool_line *l, size_t i)
{
    return &l->e[(l->first + i) % POOL_DEPTH];
}

struct pool_line *pool_line_new(void)
{
    struct pool_line *l = xcalloc(1, sizeof *l);
    for (size_t i = 0; i < POOL_DEPTH; i++)
        buf_init(&l->e[i].head, IPC_HEADER_LEN + WORKER_JOB_PREFIX_MAX);
    return l;
}

void pool_line_free(struct pool_line *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < POOL_DEPTH; i++)
        buf_free(&l->e[i].head);
    free(l);
}

size_t pool_line_count(const struct pool_line *l)
{
    return l->n;
}

size_t pool_line_bytes(const struct pool_line *l)
{
    return l->bytes;
}

int pool_line_push(struct pool_line *l, struct pool_job *job, enum ipc_type type, uint32_t flags,
                   uint32_t job_id, const char *url, const char *encoding, const char *body,
                   size_t len)
{
    unsigned char hdr[IPC_HEADER_LEN] = {0};
    if (l->n >= POOL_DEPTH)
        return -1;
    struct pool_line_entry *e = pool_line_at(l, l->n);
    buf_reset(&e->head);
    buf_append(&e->head, hdr, sizeof hdr);
    if (ipc_job_prefix_encode(&e->head, url, encoding) < 0)
        return -1;
    if (shm_owns(body)) { /* the worker reads it where it is (shm.h) */
        if (ipc_job_body_ref_encode(&e->head, shm_offset(body), len) < 0)
            return -1;
        flags |= IPC_FLAG_SHM_BODY;
        body = NULL;
        len = 0;
    }
    size_t plen = e->head.len - IPC_HEADER_LEN + len;
    ipc_encode_header((unsigned char *)e->head.data, type, flags, job_id, (uint32_t)plen);
    e->job = job;
    e->body = body;
    e->len = len;
    l->bytes += len;
    l->n++;
    return 0;
}

/* Account for w more bytes written. */
static void pool_line_advance(struct pool_line *l, size_t w)
{
    while (w > 0 && l->written < l->n) {
        const struct pool_line_entry *e = pool_line_at(l, l->written);
        size_t left = e->head.len + e->len - l->sent;
        if (w < left) {
            l->sent += w;
            return;
        }
        w -= left;
        l->written++;
        l->sent = 0;
    }
}

int pool_line_write(struct pool_line *l, int fd)
{
    while (l->written < l->n) {
        struct iovec iov[2 * POOL_DEPTH];
        struct msghdr msg;
        int n = 0;
        size_t skip = l->sent; /* of the first unwritten entry only */
        for (size_t i = l->written; i < l->n; i++, skip = 0) {
            struct pool_line_entry *e = pool_line_at(l, i);
            if (skip < e->head.len) {
                iov[n].iov_base = e->head.data + skip;
                iov[n++].iov_len = e->head.len - skip;
                skip = 0;
            } else {
                skip -= e->head.len;
            }
            if (skip < e->len) {
                iov[n].iov_base = (char *)(uintptr_t)e->body + skip;
                iov[n++].iov_len = e->len - skip;
            }
        }
        memset(&msg, 0, sizeof msg);
        msg.msg_iov = iov;
        msg.msg_iovlen = (size_t)n;
        ssize_t w = sendmsg(fd, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return 0;
        if (w < 0)
            return -1;
        pool_line_advance(l, (size_t)w);
    }
    return 0;
}

int pool_line_writing(const struct pool_line *l)
{
    return l->written < l->n;
}

struct pool_job *pool_line_head(const struct pool_line *l)
{
    return l->n ? pool_line_cat(l, 0)->job : NULL;
}

int pool_line_head_sent(const struct pool_line *l)
{
    return l->n && l->written > 0;
}

int pool_line_head_started(const struct pool_line *l)
{
    return l->n && (l->written > 0 || l->sent > 0);
}

struct pool_job *pool_line_pop(struct pool_line *l)
{
    if (!l->n)
        return NULL;
    struct pool_line_entry *e = pool_line_at(l, 0);
    struct pool_job *job = e->job;
    e->job = NULL;
    e->body = NULL;
    l->bytes -= e->len;
    if (l->written > 0)
        l->written--;
    else
        l->sent = 0; /* dropped part-written: nothing more goes to this worker */
    l->first = (l->first + 1) % POOL_DEPTH;
    l->n--;
    return job;
}

struct pool_job *pool_line_pop_back(struct pool_line *l)
{
    if (!l->n)
        return NULL;
    struct pool_line_entry *e = pool_line_at(l, l->n - 1);
    struct pool_job *job = e->job;
    e->job = NULL;
    e->body = NULL;
    l->bytes -= e->len;
    l->n--;
    if (l->written > l->n)
        l->written = l->n;
    else if (l->written == l->n)
        l->sent = 0; /* it was the one being written */
    return job;
}
