/* reap: wait statuses in words and reaping by pid (reap.h). The tables
 * give static strings a callback may keep; strsignal() text is only ever
 * copied into the caller's buffer. */
#include "reap.h"

#include "clock.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#define REAP_STR2(x)      #x
#define REAP_STR(x)       REAP_STR2(x)
#define REAP_SIG(s, text) [s] = "signal " REAP_STR(s) " (" text ")"

/* Static causes for the callback (the log line uses strsignal for others). */
static const char *const reap_sig_causes[] = {
    REAP_SIG(SIGHUP, "Hangup"),
    REAP_SIG(SIGINT, "Interrupt"),
    REAP_SIG(SIGQUIT, "Quit"),
    REAP_SIG(SIGILL, "Illegal instruction"),
    REAP_SIG(SIGTRAP, "Trace/breakpoint trap"),
    REAP_SIG(SIGABRT, "Aborted"),
    REAP_SIG(SIGBUS, "Bus error"),
    REAP_SIG(SIGFPE, "Floating point exception"),
    REAP_SIG(SIGKILL, "Killed"),
    REAP_SIG(SIGSEGV, "Segmentation fault"),
    REAP_SIG(SIGPIPE, "Broken pipe"),
    REAP_SIG(SIGALRM, "Alarm clock"),
    REAP_SIG(SIGTERM, "Terminated"),
    REAP_SIG(SIGXCPU, "CPU time limit exceeded"),
    REAP_SIG(SIGXFSZ, "File size limit exceeded"),
    REAP_SIG(SIGSYS, "Bad system call"),
};

static const char *const reap_exit_causes[] = {
    "exit status 0", "exit status 1", "exit status 2", "exit status 3", "exit status 4",
    "exit status 5", "exit status 6", "exit status 7", "exit status 8", "exit status 9",
};

const char *reap_cause(int status, char *buf, size_t cap)
{
    const char *stat = NULL;
    if (WIFSIGNALED(status)) {
        int sig = WTERMSIG(status);
        if (sig > 0 && (size_t)sig < sizeof reap_sig_causes / sizeof reap_sig_causes[0])
            stat = reap_sig_causes[sig];
        snprintf(buf, cap, "signal %d (%s)", sig, strsignal(sig));
        return stat ? stat : "killed by a signal";
    }
    if (WIFEXITED(status)) {
        int code = WEXITSTATUS(status);
        if ((size_t)code < sizeof reap_exit_causes / sizeof reap_exit_causes[0])
            stat = reap_exit_causes[code];
        snprintf(buf, cap, "exit status %d", code);
        return stat ? stat : "exit status above 9";
    }
    snprintf(buf, cap, "unknown status %#x", (unsigned)status);
    return "unknown exit";
}

int reap_now(pid_t pid, int *status)
{
    int st = 0;
    pid_t r;
    while ((r = waitpid(pid, &st, WNOHANG)) < 0 && errno == EINTR)
        ;
    if (r < 0)
        return -1;
    if (r == 0)
        return 0;
    if (status)
        *status = st;
    return 1;
}

int reap_by(pid_t pid, int64_t until)
{
    for (;;) {
        int r = reap_now(pid, NULL);
        if (r != 0)
            return 1;
        if (clock_ms() >= until)
            break;
        struct timespec ts = {0, 5 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    kill(pid, SIGKILL);
    while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
        ;
    return 0;
}
