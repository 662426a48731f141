/* status: --status, a cluster job's progress, printed on stdout. */
#ifndef CRAWL_STATUS_H
#define CRAWL_STATUS_H

#include <stddef.h>

/* 0, or -1 with a message in err (Redis unreachable, no such job). */
int status_print(const char *redis_url, const char *job, char *err, size_t errlen);

#endif
