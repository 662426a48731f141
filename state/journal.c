/* journal: append-only resume state. Reads the whole file on --resume,
 * then appends with O_APPEND, one write(2) per entry. */
#include "journal.h"

#include "buf.h"
#include "log.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define JOURNAL_HEADER   "crawl-state 1\n"
#define JOURNAL_MAX_HOPS 64

struct journal {
    int fd;
    int failed;
    struct buf line;
};

/* Parse one complete line (without its '\n'; modified in place). */
static void journal_parse_line(char *s, journal_entry_fn fn, void *ctx)
{
    char *f[4 + JOURNAL_MAX_HOPS];
    size_t n = 0;
    for (char *save = NULL, *t = strtok_r(s, " ", &save); t && n < sizeof f / sizeof f[0];
         t = strtok_r(NULL, " ", &save))
        f[n++] = t;
    if (n < 2 || strlen(f[0]) != 1)
        return;
    switch (f[0][0]) {
    case JOURNAL_DISCOVERED:
    case JOURNAL_NOFOLLOW: {
        if (n != 4)
            return;
        char *end;
        long d = strtol(f[1], &end, 10);
        if (*end || d < 0 || d > 100000)
            return;
        fn(ctx, (enum journal_kind)f[0][0], (int)d, f[2], strcmp(f[3], "-") ? f[3] : NULL, NULL, 0);
        break;
    }
    case JOURNAL_FETCHED:
    case JOURNAL_SKIPPED:
        fn(ctx, (enum journal_kind)f[0][0], -1, f[1], NULL, (const char *const *)f + 2, n - 2);
        break;
    default:
        break;
    }
}

static int journal_load(int fd, journal_entry_fn fn, void *ctx, char *err, size_t cap)
{
    struct buf b;
    char chunk[65536];
    ssize_t r;
    buf_init(&b, (size_t)1 << 34);
    while ((r = read(fd, chunk, sizeof chunk)) > 0)
        buf_append(&b, chunk, (size_t)r);
    if (r < 0) {
        snprintf(err, cap, "cannot read the state file: %s", strerror(errno));
        buf_free(&b);
        return -1;
    }
    if (b.len < sizeof JOURNAL_HEADER - 1 ||
        memcmp(b.data, JOURNAL_HEADER, sizeof JOURNAL_HEADER - 1)) {
        snprintf(err, cap, "not a crawl state file");
        buf_free(&b);
        return -1;
    }
    char *p = b.data + sizeof JOURNAL_HEADER - 1, *end = b.data + b.len;
    size_t lines = 0;
    while (p < end) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl)
            break; /* a torn last line: the entry never completed */
        *nl = '\0';
        journal_parse_line(p, fn, ctx);
        lines++;
        p = nl + 1;
    }
    if (p < end) {
        /* Cut the torn line off, so the next entry starts a line of its own. */
        log_warn("state file: ignoring a torn last line");
        if (ftruncate(fd, (off_t)(p - b.data)) < 0) {
            snprintf(err, cap, "cannot repair the state file: %s", strerror(errno));
            buf_free(&b);
            return -1;
        }
    }
    log_info("state file: %zu entries loaded", lines);
    buf_free(&b);
    return 0;
}

struct journal *journal_open(const char *path, int resume, journal_entry_fn fn, void *ctx,
                             char *err, size_t errcap)
{
    int fd = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0) {
        snprintf(err, errcap, "cannot open the state file %s: %s", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return NULL;
    }
    if (!resume && st.st_size > 0) {
        snprintf(err, errcap,
                 "the state file %s exists: add --resume to continue that crawl, "
                 "or remove it",
                 path);
        close(fd);
        return NULL;
    }
    if (resume && st.st_size > 0 && journal_load(fd, fn, ctx, err, errcap) < 0) {
        close(fd);
        return NULL;
    }
    struct journal *j = xcalloc(1, sizeof *j);
    j->fd = fd;
    buf_init(&j->line, 1 << 20);
    if (st.st_size == 0 &&
        write(fd, JOURNAL_HEADER, sizeof JOURNAL_HEADER - 1) != sizeof JOURNAL_HEADER - 1) {
        snprintf(err, errcap, "cannot write the state file %s: %s", path, strerror(errno));
        journal_close(j);
        return NULL;
    }
    return j;
}

static int journal_flush_line(struct journal *j)
{
    if (j->failed)
        return -1;
    ssize_t w = write(j->fd, j->line.data, j->line.len);
    if (w != (ssize_t)j->line.len) {
        j->failed = 1;
        log_error("writing the state file failed: %s", w < 0 ? strerror(errno) : "short write");
        return -1;
    }
    return 0;
}

int journal_seen(struct journal *j, enum journal_kind kind, int depth, const char *url,
                 const char *parent)
{
    buf_reset(&j->line);
    if (buf_printf(&j->line, "%c %d %s %s\n", (char)kind, depth, url, parent ? parent : "-") < 0)
        return 0; /* a URL cannot be this long; nothing to resume it from */
    return journal_flush_line(j);
}

int journal_done(struct journal *j, enum journal_kind kind, const char *url,
                 const char *const *hops, size_t nhops)
{
    buf_reset(&j->line);
    int rc = buf_printf(&j->line, "%c %s", (char)kind, url);
    for (size_t i = 0; i < nhops && i < JOURNAL_MAX_HOPS && rc == 0; i++)
        rc = buf_printf(&j->line, " %s", hops[i]);
    if (rc == 0)
        rc = buf_append_char(&j->line, '\n');
    if (rc < 0)
        return 0;
    return journal_flush_line(j);
}

void journal_close(struct journal *j)
{
    if (!j)
        return;
    close(j->fd);
    buf_free(&j->line);
    free(j);
}
