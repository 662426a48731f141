/* stop: signal policy. Holds only the stop's own state. */
#include "stop.h"

enum stop_action stop_signal(struct stop *s, int signo, int64_t now)
{
    if (!signo)
        return STOP_NONE;
    if (s->signo)
        return STOP_NOW;
    s->signo = signo;
    s->grace_end = now + STOP_GRACE_MS;
    return STOP_GRACE;
}

int stop_cut_due(struct stop *s, int64_t now)
{
    if (!s->signo || s->cut || now < s->grace_end)
        return 0;
    s->cut = 1;
    return 1;
}

int64_t stop_wait_ms(const struct stop *s, int64_t now)
{
    if (!s->signo || s->cut)
        return -1;
    return s->grace_end > now ? s->grace_end - now : 0;
}
