/* clock: the monotonic clock in milliseconds. Never wall time. */
#ifndef CRAWL_CLOCK_H
#define CRAWL_CLOCK_H

#include <stdint.h>

int64_t clock_ms(void);

#endif
