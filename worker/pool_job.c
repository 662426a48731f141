/* pool_job: the pool's jobs and their queues. */
#include "pool_job.h"

#include "shm.h"

#include <stdlib.h>

void pool_queue_push(struct pool_job_queue *q, struct pool_job *job)
{
    job->next = NULL;
    if (q->tail)
        q->tail->next = job;
    else
        q->head = job;
    q->tail = job;
}

void pool_queue_push_front(struct pool_job_queue *q, struct pool_job *job)
{
    job->next = q->head;
    q->head = job;
    if (!q->tail)
        q->tail = job;
}

struct pool_job *pool_queue_pop(struct pool_job_queue *q)
{
    struct pool_job *job = q->head;
    if (job) {
        q->head = job->next;
        if (!q->head)
            q->tail = NULL;
        job->next = NULL;
    }
    return job;
}

void pool_job_free(struct pool_job *job)
{
    html_page_free(&job->page);
    sitemap_free(&job->sm);
    shm_free(job->body); /* it may be in the shared body region */
    free(job->encoding);
    free(job->url);
    free(job);
}

void pool_queue_free(struct pool_job_queue *q)
{
    struct pool_job *job;
    while ((job = pool_queue_pop(q)))
        pool_job_free(job);
}
