/* pool_job: one page or sitemap handed to the pool, and the FIFO queues the
 * pool keeps them in (waiting for a worker, finished and not yet reported).
 * Internal to worker/: pool.c owns the jobs; pool_line.h only borrows them. */
#ifndef CRAWL_POOL_JOB_H
#define CRAWL_POOL_JOB_H

#include <stddef.h>
#include <stdint.h>

#include "html.h"
#include "ipc.h"
#include "pool.h"
#include "sitemap.h"

struct pool_job {
    struct pool_job *next;
    enum ipc_type type; /* IPC_JOB or IPC_SITEMAP_JOB */
    uint32_t id;
    char *url;      /* owned */
    char *encoding; /* owned, NULL = sniff */
    char *body;     /* owned (handed over by pool_submit) */
    size_t len;
    int render; /* ask for the links rendered (pool_submit) */
    int tries;
    int err;               /* outcome once finished */
    const char *cause;     /* static */
    struct html_page page; /* IPC_JOB result on POOL_OK, handed to the callback */
    struct sitemap sm;     /* IPC_SITEMAP_JOB result on POOL_OK, likewise */
    pool_sitemap_fn sitemap_done;
    void *sitemap_ctx;
};

struct pool_job_queue {
    struct pool_job *head, *tail;
};

void pool_queue_push(struct pool_job_queue *q, struct pool_job *job);
/* In front of the others (a job requeued untried keeps its turn). */
void pool_queue_push_front(struct pool_job_queue *q, struct pool_job *job);
/* The first job, taken out, or NULL. */
struct pool_job *pool_queue_pop(struct pool_job_queue *q);
/* Free a job: its strings, its body (shared region or not), its results. */
void pool_job_free(struct pool_job *job);
/* Free every job of q. */
void pool_queue_free(struct pool_job_queue *q);

#endif
