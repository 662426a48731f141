/* pool_answer: what a worker's answer frame means for the job it answers.
 * A pure function of the frame and the job's type: no I/O, no process,
 * no pool state (pool.c checks that the frame answers the job it waits
 * for and keeps the outcome). Must not include crawler/ headers. */
#ifndef CRAWL_POOL_ANSWER_H
#define CRAWL_POOL_ANSWER_H

#include <stdint.h>

#include "html.h"
#include "ipc.h"
#include "sitemap.h"

/* Decode f, the answer to job `job_id` (`url`, for a log line) of type
 * IPC_JOB or IPC_SITEMAP_JOB. Returns 0 with *err set: POOL_OK with the
 * result decoded into *page (IPC_JOB) or *sm (IPC_SITEMAP_JOB), owned by
 * the caller; or POOL_ERR_PARSE with *cause a static string (the worker
 * could not parse: "parse failed", or sitemap_parse's error: "too large",
 * "bad gzip", "not a sitemap", "xml parser failed"). Returns -1 when f is
 * no valid answer to such a job (a protocol error; *page and *sm are then
 * empty). */
int pool_answer_decode(const struct ipc_frame *f, enum ipc_type type, uint32_t job_id,
                       const char *url, struct html_page *page, struct sitemap *sm, int *err,
                       const char **cause);

#endif
