/* pool_answer: a worker's answer frame -> the job's outcome (pool.h's
 * error codes and causes). Owns nothing; the decoded result goes to the
 * caller. */
#include "pool_answer.h"

#include "log.h"
#include "pool.h"

static const char *pool_answer_sitemap_cause(int status)
{
    switch (status) {
    case SITEMAP_ERR_TOO_LARGE:
        return "too large";
    case SITEMAP_ERR_GZIP:
        return "bad gzip";
    case SITEMAP_ERR_NOT_SITEMAP:
        return "not a sitemap";
    case SITEMAP_ERR_XML:
        return "xml parser failed";
    default:
        return "parse failed";
    }
}

int pool_answer_decode(const struct ipc_frame *f, enum ipc_type type, uint32_t job_id,
                       const char *url, struct html_page *page, struct sitemap *sm, int *err,
                       const char **cause)
{
    int status;
    *err = POOL_OK;
    *cause = NULL;
    if (f->type == IPC_RESULT && type == IPC_JOB) {
        if (ipc_result_decode(f, page) < 0)
            return -1;
    } else if (f->type == IPC_SITEMAP_RESULT && type == IPC_SITEMAP_JOB) {
        if (ipc_sitemap_decode(f, &status, sm) < 0)
            return -1;
        if (status != 0) {
            *err = POOL_ERR_PARSE;
            *cause = pool_answer_sitemap_cause(status);
        }
    } else if (f->type == IPC_FAIL) {
        struct ipc_reader r;
        const char *why;
        size_t len;
        ipc_reader_init(&r, f->payload, f->len);
        if (ipc_get_str(&r, &why, &len) < 0)
            return -1;
        log_info("job %u (%s): worker could not parse: %.*s", job_id, url,
                 why ? (int)(len > 200 ? 200 : len) : 4, why ? why : "null");
        *err = POOL_ERR_PARSE;
        *cause = "parse failed";
    } else {
        return -1;
    }
    return 0;
}
