/* sig: async-signal-safe self-pipe. One byte per signal received, taken
 * back one at a time so that two signals read in the same loop turn still
 * count as two. */
#include "sig.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

static int sig_pipe_w = -1;

static void sig_on_signal(int signo)
{
    int saved = errno;
    unsigned char b = (unsigned char)signo;
    ssize_t r = write(sig_pipe_w, &b, 1);
    (void)r;
    errno = saved;
}

int sig_install(void)
{
    int p[2];
    if (pipe(p) < 0)
        return -1;
    for (int i = 0; i < 2; i++) {
        fcntl(p[i], F_SETFL, fcntl(p[i], F_GETFL) | O_NONBLOCK);
        fcntl(p[i], F_SETFD, FD_CLOEXEC);
    }
    sig_pipe_w = p[1];
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = sig_on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    return p[0];
}

int sig_take(int fd)
{
    unsigned char b;
    ssize_t n;
    while ((n = read(fd, &b, 1)) < 0 && errno == EINTR)
        continue;
    return n == 1 ? b : 0;
}
