/* log: formats one line into a stack buffer and writes it with a single
 * write(2). Safe to use in forked workers. Owns only the tag string. */
#include "log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static enum log_level log_level_cur = LOG_LEVEL_WARN;
static char log_tag[32] = "crawl";
static int log_progress;

void log_set_progress(int on)
{
    log_progress = on;
}

void log_init(enum log_level level, const char *tag)
{
    log_level_cur = level;
    if (tag)
        log_set_tag(tag);
}

void log_set_tag(const char *tag)
{
    snprintf(log_tag, sizeof log_tag, "%s", tag);
}

enum log_level log_get_level(void)
{
    return log_level_cur;
}

static void log_write(const char *level, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

static void log_write(const char *level, const char *fmt, va_list ap)
{
    char line[1024];
    int saved = errno;
    const char *erase = log_progress ? "\r\033[K" : "";
    int n = level ? snprintf(line, sizeof line, "%s%s: %s: ", erase, log_tag, level)
                  : snprintf(line, sizeof line, "%s%s: ", erase, log_tag);
    int m = vsnprintf(line + n, sizeof line - (size_t)n - 1, fmt, ap);
    size_t len = (size_t)n + (m < 0 ? 0 : (size_t)m);
    if (len > sizeof line - 2)
        len = sizeof line - 2;
    line[len++] = '\n';
    ssize_t w = write(STDERR_FILENO, line, len);
    (void)w;
    errno = saved;
}

void log_msg(enum log_level level, const char *fmt, ...)
{
    static const char *const names[] = {"error", "warning", "info", "debug"};
    if (level > log_level_cur)
        return;
    va_list ap;
    va_start(ap, fmt);
    log_write(names[level], fmt, ap);
    va_end(ap);
}

void log_line(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    log_write(NULL, fmt, ap);
    va_end(ap);
}
