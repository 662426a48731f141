/* fetch_socks: libcurl's sockets and timer, polled with the caller's fds. */
#include "fetch_socks.h"

#include "clock.h"
#include "xalloc.h"

#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct fetch_socks {
    CURLM *multi;
    struct pollfd *socks; /* libcurl's sockets, dense */
    size_t n, cap;
    size_t *slot; /* fd -> index in socks + 1; 0 when not watched */
    size_t nslot;
    int64_t due;        /* clock_ms when libcurl's timer fires; -1 none */
    struct pollfd *all; /* one poll's set: socks, then the extra fds */
    size_t allcap;
};

static void fetch_socks_drop(struct fetch_socks *s, int fd)
{
    size_t i = s->slot[fd] - 1;
    s->slot[fd] = 0;
    if (i != --s->n) {
        s->socks[i] = s->socks[s->n];
        s->slot[s->socks[i].fd] = i + 1;
    }
}

static int fetch_socks_on_socket(CURL *easy, curl_socket_t fd, int what, void *ud, void *sockp)
{
    struct fetch_socks *s = ud;
    (void)easy;
    (void)sockp;
    if (fd < 0)
        return 0;
    int known = (size_t)fd < s->nslot && s->slot[fd];
    if (what == CURL_POLL_REMOVE) {
        if (known)
            fetch_socks_drop(s, fd);
        return 0;
    }
    short ev = (short)((what & CURL_POLL_IN ? POLLIN : 0) | (what & CURL_POLL_OUT ? POLLOUT : 0));
    if (known) {
        s->socks[s->slot[fd] - 1].events = ev;
        return 0;
    }
    if ((size_t)fd >= s->nslot) {
        size_t nn = s->nslot ? s->nslot : 64;
        while (nn <= (size_t)fd)
            nn *= 2;
        s->slot = xrealloc(s->slot, nn * sizeof *s->slot);
        memset(s->slot + s->nslot, 0, (nn - s->nslot) * sizeof *s->slot);
        s->nslot = nn;
    }
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 64;
        s->socks = xrealloc(s->socks, s->cap * sizeof *s->socks);
    }
    s->socks[s->n] = (struct pollfd){.fd = fd, .events = ev};
    s->slot[fd] = ++s->n;
    return 0;
}

static int fetch_socks_on_timer(CURLM *m, long timeout_ms, void *ud)
{
    struct fetch_socks *s = ud;
    (void)m;
    s->due = timeout_ms < 0 ? -1 : clock_ms() + timeout_ms;
    return 0;
}

struct fetch_socks *fetch_socks_create(CURLM *m)
{
    struct fetch_socks *s = xcalloc(1, sizeof *s);
    s->multi = m;
    s->due = -1;
    curl_multi_setopt(m, CURLMOPT_SOCKETFUNCTION, fetch_socks_on_socket);
    curl_multi_setopt(m, CURLMOPT_SOCKETDATA, s);
    curl_multi_setopt(m, CURLMOPT_TIMERFUNCTION, fetch_socks_on_timer);
    curl_multi_setopt(m, CURLMOPT_TIMERDATA, s);
    return s;
}

void fetch_socks_free(struct fetch_socks *s)
{
    if (!s)
        return;
    free(s->socks);
    free(s->slot);
    free(s->all);
    free(s);
}

int fetch_socks_timer(struct fetch_socks *s)
{
    int running;
    if (s->due < 0 || s->due > clock_ms())
        return 0;
    s->due = -1; /* libcurl sets it again if it wants another turn */
    return curl_multi_socket_action(s->multi, CURL_SOCKET_TIMEOUT, 0, &running) == CURLM_OK ? 0
                                                                                            : -1;
}

int fetch_socks_wait(struct fetch_socks *s, struct pollfd *extra, unsigned nextra, int timeout_ms)
{
    size_t nc = s->n, total = nc + nextra;
    if (total > s->allcap) {
        s->allcap = total * 2;
        s->all = xrealloc(s->all, s->allcap * sizeof *s->all);
    }
    /* a snapshot: libcurl changes its set while it handles this one */
    if (nc) /* none yet: socks is still NULL */
        memcpy(s->all, s->socks, nc * sizeof *s->all);
    if (nextra)
        memcpy(s->all + nc, extra, nextra * sizeof *extra);
    if (s->due >= 0) {
        int64_t left = s->due - clock_ms();
        if (left < timeout_ms)
            timeout_ms = left < 0 ? 0 : (int)left;
    }
    int ready = poll(s->all, (nfds_t)total, timeout_ms);
    if (ready < 0 && errno != EINTR)
        return -1;
    for (unsigned i = 0; i < nextra; i++)
        extra[i].revents = ready > 0 ? s->all[nc + i].revents : 0;
    for (size_t i = 0; ready > 0 && i < nc; i++) {
        short re = s->all[i].revents;
        if (!re)
            continue;
        int ev = (re & (POLLIN | POLLHUP) ? CURL_CSELECT_IN : 0) |
                 (re & POLLOUT ? CURL_CSELECT_OUT : 0) | (re & POLLERR ? CURL_CSELECT_ERR : 0);
        int running;
        if (curl_multi_socket_action(s->multi, s->all[i].fd, ev, &running) != CURLM_OK)
            return -1;
    }
    return fetch_socks_timer(s);
}
