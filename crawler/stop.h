/* stop: the graceful-stop policy after SIGINT/SIGTERM. The first signal
 * starts a grace period in which in-flight work may finish; when it ends,
 * everything still in flight is cut (the crawl writes an "interrupted"
 * record for each). A second signal means leave at once. Queued URLs get
 * nothing: --resume continues them. Pure state: the crawl does the work. */
#ifndef CRAWL_STOP_H
#define CRAWL_STOP_H

#include <stdint.h>

#define STOP_GRACE_MS 2000 /* after a signal, in-flight work may finish */

struct stop {
    int signo;         /* first signal received, 0 = none */
    int64_t grace_end; /* when in-flight work is cut */
    int cut;           /* the cut happened */
};

enum stop_action {
    STOP_NONE = 0,
    STOP_GRACE, /* first signal: stop admitting, finish what is in flight */
    STOP_NOW    /* a second signal: flush complete records and exit */
};

/* A signal arrived (sig_take hands them over one by one). */
enum stop_action stop_signal(struct stop *s, int signo, int64_t now);
/* Nonzero once, when the grace period is over and the cut is due. */
int stop_cut_due(struct stop *s, int64_t now);
/* Milliseconds until the cut (0: due), or -1 when none is pending. */
int64_t stop_wait_ms(const struct stop *s, int64_t now);

#endif
