/* journal: append-only resume state with group commit (format in
 * journal.h). Reads the whole file on --resume; afterwards keeps new
 * entries in memory and appends them, with their commit line, in one
 * write(2) per commit. Knows nothing about the output: the crawl hands it
 * the output's position at each commit. Never fsyncs (see journal.h). */
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

#define JOURNAL_HEADER      "crawl-state 2\n"
#define JOURNAL_HEADER_V1   "crawl-state 1\n"
#define JOURNAL_HEADER_LEN  (sizeof JOURNAL_HEADER - 1)
#define JOURNAL_FILE_MAX    ((size_t)1 << 34) /* a state file we are willing to load */
#define JOURNAL_PENDING_MAX ((size_t)4 << 20) /* pending bytes that make a commit due */
#define JOURNAL_PENDING_CAP ((size_t)1 << 32) /* hard cap on pending bytes */

struct journal {
    int fd;
    int failed;
    struct buf pend; /* entries not written yet */
    size_t records;  /* F/S entries in pend */
    int64_t since;   /* when the oldest of them was added */
    int64_t pos;     /* the output position of the last commit */
};

/* Fields of one line, split in place; grows as needed. */
struct journal_fields {
    char **v;
    size_t n, cap;
};

static void journal_split(char *s, struct journal_fields *f)
{
    f->n = 0;
    for (char *save = NULL, *t = strtok_r(s, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
        if (f->n == f->cap) {
            f->cap = f->cap ? f->cap * 2 : 16;
            f->v = xrealloc(f->v, f->cap * sizeof *f->v);
        }
        f->v[f->n++] = t;
    }
}

/* Parse one complete entry line (without its '\n'; modified in place). */
static void journal_parse_line(char *s, struct journal_fields *fl, journal_entry_fn fn, void *ctx)
{
    journal_split(s, fl);
    char **f = fl->v;
    size_t n = fl->n;
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
        break; /* C lines, and damage */
    }
}

/* The position of a commit line (without its '\n'), or -1 if it is not one. */
static int64_t journal_commit_pos(const char *s, size_t n)
{
    if (n < 3 || s[0] != 'C' || s[1] != ' ')
        return -1;
    int64_t v = 0;
    for (size_t i = 2; i < n; i++) {
        if (s[i] < '0' || s[i] > '9' || v > (INT64_MAX - 9) / 10)
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

/* Offset just past the last commit line whose position is at most reach
 * (< 0: any), its position in *pos (0 if none: the offset is the header's
 * end), and the last position of all in *last. */
static size_t journal_last_commit(const char *data, size_t len, int64_t reach, int64_t *pos,
                                  int64_t *last)
{
    size_t cut = JOURNAL_HEADER_LEN, off = JOURNAL_HEADER_LEN;
    int trusting = 1;
    *pos = *last = 0;
    while (off < len) {
        const char *nl = memchr(data + off, '\n', len - off);
        if (!nl)
            break; /* a torn last line */
        size_t end = (size_t)(nl - data) + 1;
        int64_t p = journal_commit_pos(data + off, end - 1 - off);
        if (p >= 0) {
            *last = p;
            if (reach >= 0 && p > reach)
                trusting = 0; /* the output lost what this commit covered */
            if (trusting) {
                cut = end;
                *pos = p;
            }
        }
        off = end;
    }
    return cut;
}

/* Read the whole state file into b and check its header. */
static int journal_read(int fd, const char *path, struct buf *b, char *err, size_t cap)
{
    char chunk[65536];
    ssize_t r;
    buf_init(b, JOURNAL_FILE_MAX);
    while ((r = read(fd, chunk, sizeof chunk)) > 0) {
        if (buf_append(b, chunk, (size_t)r) < 0) {
            snprintf(err, cap, "the state file %s is too large", path);
            return -1;
        }
    }
    if (r < 0) {
        snprintf(err, cap, "cannot read the state file %s: %s", path, strerror(errno));
        return -1;
    }
    if (b->len >= JOURNAL_HEADER_LEN && !memcmp(b->data, JOURNAL_HEADER_V1, JOURNAL_HEADER_LEN)) {
        snprintf(err, cap,
                 "the state file %s was written by an older crawl (crawl-state 1), whose "
                 "output cannot be resumed exactly: remove it and start the crawl again",
                 path);
        return -1;
    }
    if (b->len < JOURNAL_HEADER_LEN || memcmp(b->data, JOURNAL_HEADER, JOURNAL_HEADER_LEN)) {
        snprintf(err, cap, "%s is not a crawl state file", path);
        return -1;
    }
    return 0;
}

/* Cut the file at `cut` if anything follows it. */
static int journal_cut(int fd, const char *path, size_t len, size_t cut, char *err, size_t cap)
{
    if (cut >= len)
        return 0;
    if (ftruncate(fd, (off_t)cut) < 0) {
        snprintf(err, cap, "cannot repair the state file %s: %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

static void journal_exists_err(const char *path, char *err, size_t cap)
{
    snprintf(err, cap,
             "the state file %s exists: add --resume to continue that crawl, or remove it", path);
}

int journal_prepare(const char *path, int resume, int64_t reach, int64_t *pos, char *err,
                    size_t errcap)
{
    struct buf b = {0};
    int rc = -1;
    *pos = 0;
    int fd = open(path, O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT)
            return 0; /* a new crawl, or nothing committed yet */
        snprintf(err, errcap, "cannot open the state file %s: %s", path, strerror(errno));
        return -1;
    }
    struct stat st;
    if (fstat(fd, &st) < 0) {
        snprintf(err, errcap, "cannot open the state file %s: %s", path, strerror(errno));
        goto out;
    }
    if (st.st_size == 0) {
        rc = 0;
        goto out;
    }
    if (!resume) {
        journal_exists_err(path, err, errcap);
        goto out;
    }
    if (journal_read(fd, path, &b, err, errcap) < 0)
        goto out;
    int64_t last;
    size_t cut = journal_last_commit(b.data, b.len, reach, pos, &last);
    if (*pos != last)
        log_warn("the output holds less than the state file committed (%lld of %lld): going "
                 "on from %lld; the records after it are written again",
                 (long long)reach, (long long)last, (long long)*pos);
    rc = journal_cut(fd, path, b.len, cut, err, errcap);
out:
    buf_free(&b);
    close(fd);
    return rc;
}

/* Deliver the committed entries through fn; cut off what follows them. */
static int journal_load(struct journal *j, const char *path, journal_entry_fn fn, void *ctx,
                        char *err, size_t cap)
{
    struct buf b;
    struct journal_fields fl = {0};
    int rc = -1;
    if (journal_read(j->fd, path, &b, err, cap) < 0)
        goto out;
    int64_t last;
    size_t cut = journal_last_commit(b.data, b.len, -1, &j->pos, &last);
    char *p = b.data + JOURNAL_HEADER_LEN, *end = b.data + cut;
    size_t lines = 0;
    while (p < end) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        *nl = '\0'; /* cut ends a line */
        journal_parse_line(p, &fl, fn, ctx);
        lines++;
        p = nl + 1;
    }
    if (cut < b.len)
        log_warn("state file: ignoring %zu bytes after the last commit", b.len - cut);
    if (journal_cut(j->fd, path, b.len, cut, err, cap) < 0)
        goto out;
    log_info("state file: %zu entries loaded", lines);
    rc = 0;
out:
    free(fl.v);
    buf_free(&b);
    return rc;
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
        journal_exists_err(path, err, errcap);
        close(fd);
        return NULL;
    }
    struct journal *j = xcalloc(1, sizeof *j);
    j->fd = fd;
    buf_init(&j->pend, JOURNAL_PENDING_CAP);
    if (resume && st.st_size > 0 && journal_load(j, path, fn, ctx, err, errcap) < 0) {
        journal_close(j);
        return NULL;
    }
    if (st.st_size == 0 && write(fd, JOURNAL_HEADER, JOURNAL_HEADER_LEN) != JOURNAL_HEADER_LEN) {
        snprintf(err, errcap, "cannot write the state file %s: %s", path, strerror(errno));
        journal_close(j);
        return NULL;
    }
    return j;
}

int journal_seen(struct journal *j, enum journal_kind kind, int depth, const char *url,
                 const char *parent)
{
    if (j->failed)
        return -1;
    /* Only past the cap (never for a real URL): nothing to resume it from. */
    (void)buf_printf(&j->pend, "%c %d %s %s\n", (char)kind, depth, url, parent ? parent : "-");
    return 0;
}

int journal_done(struct journal *j, enum journal_kind kind, const char *url,
                 const char *const *hops, size_t nhops, int64_t now)
{
    if (j->failed)
        return -1;
    size_t mark = j->pend.len;
    int rc = buf_printf(&j->pend, "%c %s", (char)kind, url);
    for (size_t i = 0; i < nhops && rc == 0; i++)
        rc = buf_printf(&j->pend, " %s", hops[i]);
    if (rc == 0)
        rc = buf_append_char(&j->pend, '\n');
    if (rc < 0) {
        /* Past the cap: drop the partial line; the URL is fetched again. */
        j->pend.len = mark;
        if (j->pend.data)
            j->pend.data[mark] = '\0';
        return 0;
    }
    if (j->records++ == 0)
        j->since = now;
    return 0;
}

int journal_commit_due(const struct journal *j, int64_t now, int force)
{
    if (j->failed || j->pend.len == 0)
        return 0;
    return force || j->records >= JOURNAL_BATCH_RECORDS ||
           (j->records && now - j->since >= JOURNAL_BATCH_MS) || j->pend.len >= JOURNAL_PENDING_MAX;
}

int64_t journal_commit_wait_ms(const struct journal *j, int64_t now)
{
    if (j->failed || !j->records)
        return -1;
    int64_t w = j->since + JOURNAL_BATCH_MS - now;
    return w < 0 ? 0 : w;
}

static void journal_fail(struct journal *j, const char *why)
{
    j->failed = 1;
    log_error("writing the state file failed: %s", why);
}

int journal_commit(struct journal *j, int64_t pos)
{
    if (j->failed)
        return -1;
    if (pos < 0)
        pos = j->pos;
    if (buf_printf(&j->pend, "C %lld\n", (long long)pos) < 0) {
        journal_fail(j, "too many entries in one commit");
        return -1;
    }
    size_t off = 0;
    while (off < j->pend.len) {
        ssize_t w = write(j->fd, j->pend.data + off, j->pend.len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            journal_fail(j, w < 0 ? strerror(errno) : "short write");
            return -1;
        }
        off += (size_t)w;
    }
    if (j->pend.cap > 2 * JOURNAL_PENDING_MAX) {
        buf_free(&j->pend); /* one huge batch: give the memory back */
        buf_init(&j->pend, JOURNAL_PENDING_CAP);
    } else {
        buf_reset(&j->pend);
    }
    j->records = 0;
    j->pos = pos;
    return 0;
}

void journal_close(struct journal *j)
{
    if (!j)
        return;
    close(j->fd);
    buf_free(&j->pend);
    free(j);
}
