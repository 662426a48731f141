/* format_sink: output byte streams (stdout, file, gzip, temp + rename).
 * Owns the FILE, the deflate stream and the temp file's name. gzip is zlib's
 * deflate with a gzip wrapper (header mtime 0, so the bytes depend on the
 * content only) written through the same stdio stream, so every failure is
 * an errno from fwrite/fflush/fclose. A commit ends the gzip member, so the
 * file up to any commit is a complete gzip file and a resumed crawl appends
 * members. Knows nothing about records. */
#include "format_sink.h"

#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#define FORMAT_SINK_IOBUF    (1u << 18)
#define FORMAT_SINK_ZBUF     (1u << 16)
#define FORMAT_SINK_NB_BATCH (1u << 16) /* queued bytes that trigger a write */

struct format_sink {
    FILE *fp;
    char *path; /* final name; NULL for stdout */
    char *tmp;  /* temp name being written, or NULL (in place) */
    int gz;
    z_stream z;
    unsigned char *zout;
    unsigned long long bytes;
    int zopen;    /* deflate was fed since the gzip member began */
    int64_t fpos; /* bytes handed to fp: the file's size once flushed */
    int stream;   /* stdout, a device or a fifo: no position */
    int failed;
    int err; /* errno of the first failure */
    char *iobuf;
    /* Non-blocking mode (a pipe or socket, format_sink_nonblocking): bytes
     * wait in nb_buf and go out with non-blocking writes; stdio is not
     * used for them. */
    int nb;
    int nb_fd;
    int nb_flags; /* the fd's flags before, restored at close */
    char *nb_buf;
    size_t nb_len, nb_off, nb_cap;
};

int format_sink_is_gz(const char *path)
{
    size_t n = path ? strlen(path) : 0;
    return n > 3 && !strcmp(path + n - 3, ".gz");
}

int format_sink_replaceable(const char *path)
{
    struct stat st;
    if (stat(path, &st) < 0)
        return errno == ENOENT;
    return S_ISREG(st.st_mode);
}

int format_sink_tempfile(const char *path, char **tmp, char *err, size_t errcap)
{
    /* Through a symlink, replace the file it names, not the link. */
    char real[PATH_MAX];
    struct stat st;
    if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode) && realpath(path, real))
        path = real;
    size_t n = strlen(path);
    char *t = xmalloc(n + sizeof ".tmpXXXXXX");
    memcpy(t, path, n);
    memcpy(t + n, ".tmpXXXXXX", sizeof ".tmpXXXXXX");
    int fd = mkstemp(t);
    if (fd >= 0)
        fcntl(fd, F_SETFD, FD_CLOEXEC);
    if (fd < 0) {
        snprintf(err, errcap, "cannot create a temporary file beside %s: %s", path,
                 strerror(errno));
        free(t);
        return -1;
    }
    /* mkstemp makes it 0600; give it the mode fopen would have. */
    mode_t mask = umask(0);
    umask(mask);
    (void)fchmod(fd, 0666 & ~mask); /* on failure the file is only less readable */
    *tmp = t;
    return fd;
}

static void format_sink_fail(struct format_sink *s, int e)
{
    if (!s->failed) {
        s->failed = 1;
        s->err = e ? e : EIO;
    }
}

/* Wrap fd (taken) in a buffered stream, with deflate for a .gz name. */
static int format_sink_start(struct format_sink *s, int fd, const char *path, char *err,
                             size_t errcap)
{
    s->fp = fdopen(fd, "w");
    if (!s->fp) {
        snprintf(err, errcap, "cannot open %s: %s", path ? path : "stdout", strerror(errno));
        close(fd);
        return -1;
    }
    s->iobuf = xmalloc(FORMAT_SINK_IOBUF);
    setvbuf(s->fp, s->iobuf, _IOFBF, FORMAT_SINK_IOBUF);
    if (s->gz) {
        /* windowBits 15 + 16: a gzip wrapper with a zero mtime. */
        if (deflateInit2(&s->z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8,
                         Z_DEFAULT_STRATEGY) != Z_OK) {
            snprintf(err, errcap, "cannot start gzip compression for %s", path);
            s->gz = 0;
            return -1;
        }
        s->zout = xmalloc(FORMAT_SINK_ZBUF);
    }
    return 0;
}

/* A sink on `path` (NULL or "-": stdout); at >= 0: continue the file
 * from byte `at` instead of truncating it. */
static struct format_sink *format_sink_new(const char *path, int temp, int64_t at, char *err,
                                           size_t errcap)
{
    struct format_sink *s = xcalloc(1, sizeof *s);
    struct stat st;
    int fd = -1;
    if (!path || !strcmp(path, "-")) {
        /* Our own stream on a dup of fd 1, so its buffer is ours to free. */
        fd = dup(STDOUT_FILENO);
        if (fd < 0) {
            snprintf(err, errcap, "cannot write to stdout: %s", strerror(errno));
            goto fail;
        }
        s->stream = 1;
        goto start;
    }
    s->path = xstrdup(path);
    s->gz = format_sink_is_gz(path);
    if (temp && format_sink_replaceable(path)) {
        fd = format_sink_tempfile(path, &s->tmp, err, errcap);
        if (fd < 0)
            goto fail;
        goto start;
    }
    fd = open(path, O_WRONLY | O_CREAT | (at < 0 ? O_TRUNC : 0) | O_CLOEXEC, 0666);
    if (fd < 0 || fstat(fd, &st) < 0) {
        snprintf(err, errcap, "cannot open %s: %s", path, strerror(errno));
        goto fail;
    }
    s->stream = !S_ISREG(st.st_mode);
    if (at >= 0 && !s->stream) {
        /* Cut back to the last commit: what follows was never committed. */
        if (st.st_size < at) {
            snprintf(err, errcap, "cannot resume %s: it is shorter than the state file says", path);
            goto fail;
        }
        if (ftruncate(fd, (off_t)at) < 0 || lseek(fd, (off_t)at, SEEK_SET) < 0) {
            snprintf(err, errcap, "cannot cut %s back to its last commit: %s", path,
                     strerror(errno));
            goto fail;
        }
        s->fpos = at;
    }
start:
    if (format_sink_start(s, fd, path, err, errcap) < 0) {
        fd = -1; /* closed */
        goto fail;
    }
    return s;
fail:
    if (fd >= 0)
        close(fd);
    format_sink_discard(s);
    return NULL;
}

struct format_sink *format_sink_open(const char *path, int temp, char *err, size_t errcap)
{
    return format_sink_new(path, temp, -1, err, errcap);
}

struct format_sink *format_sink_open_at(const char *path, int64_t at, char *err, size_t errcap)
{
    return format_sink_new(path, 0, at < 0 ? 0 : at, err, errcap);
}

/* Run deflate over the pending input with `flush`, writing what it makes. */
static int format_sink_deflate(struct format_sink *s, int flush)
{
    int zr;
    do {
        s->z.next_out = s->zout;
        s->z.avail_out = FORMAT_SINK_ZBUF;
        zr = deflate(&s->z, flush);
        if (zr == Z_STREAM_ERROR) {
            format_sink_fail(s, EIO);
            return -1;
        }
        size_t have = FORMAT_SINK_ZBUF - s->z.avail_out;
        if (have && fwrite(s->zout, 1, have, s->fp) != have) {
            format_sink_fail(s, errno);
            return -1;
        }
        s->fpos += (int64_t)have;
    } while (s->z.avail_out == 0 || (flush == Z_FINISH && zr != Z_STREAM_END));
    return 0;
}

int format_sink_nonblocking(struct format_sink *s)
{
    struct stat st;
    if (s->nb || s->gz || s->failed || !s->fp || fflush(s->fp) != 0)
        return 0;
    int fd = fileno(s->fp);
    if (fstat(fd, &st) < 0 || !(S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode)))
        return 0;
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
        return 0;
    s->nb = 1;
    s->nb_fd = fd;
    s->nb_flags = fl;
    return 1;
}

int format_sink_drain(struct format_sink *s)
{
    while (s->nb && !s->failed && s->nb_off < s->nb_len) {
        ssize_t w = write(s->nb_fd, s->nb_buf + s->nb_off, s->nb_len - s->nb_off);
        if (w > 0) {
            s->nb_off += (size_t)w;
        } else if (w < 0 && errno == EINTR) {
            continue;
        } else if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            break;
        } else {
            format_sink_fail(s, w < 0 ? errno : EIO);
            return -1;
        }
    }
    if (s->nb_off == s->nb_len)
        s->nb_off = s->nb_len = 0;
    return s->failed ? -1 : 0;
}

size_t format_sink_pending(const struct format_sink *s)
{
    return s->nb && !s->failed ? s->nb_len - s->nb_off : 0;
}

int format_sink_pollfd(const struct format_sink *s)
{
    return format_sink_pending(s) ? s->nb_fd : -1;
}

/* Non-blocking mode: queue n bytes, and write them once enough wait. */
static int format_sink_nb_write(struct format_sink *s, const void *p, size_t n)
{
    if (s->nb_off && s->nb_off >= s->nb_len / 2) {
        memmove(s->nb_buf, s->nb_buf + s->nb_off, s->nb_len - s->nb_off);
        s->nb_len -= s->nb_off;
        s->nb_off = 0;
    }
    if (s->nb_len + n > s->nb_cap) {
        size_t cap = s->nb_cap ? s->nb_cap : FORMAT_SINK_IOBUF;
        while (cap < s->nb_len + n)
            cap *= 2;
        s->nb_buf = xrealloc(s->nb_buf, cap);
        s->nb_cap = cap;
    }
    memcpy(s->nb_buf + s->nb_len, p, n);
    s->nb_len += n;
    s->fpos += (int64_t)n;
    if (s->nb_len - s->nb_off >= FORMAT_SINK_NB_BATCH)
        return format_sink_drain(s);
    return 0;
}

/* At close: back to blocking writes for whatever still waits. */
static void format_sink_nb_finish(struct format_sink *s)
{
    if (!s->nb)
        return;
    /* Blocking again, the drain writes everything (or fails). */
    fcntl(s->nb_fd, F_SETFL, s->nb_flags);
    format_sink_drain(s);
    s->nb = 0;
    s->nb_off = s->nb_len = 0;
}

int format_sink_write(struct format_sink *s, const void *p, size_t n)
{
    if (s->failed)
        return -1;
    s->bytes += n;
    if (s->nb)
        return format_sink_nb_write(s, p, n);
    if (!s->gz) {
        if (n && fwrite(p, 1, n, s->fp) != n) {
            format_sink_fail(s, errno);
            return -1;
        }
        s->fpos += (int64_t)n;
        return 0;
    }
    s->zopen = 1;
    const unsigned char *in = p;
    while (n > 0) {
        uInt chunk = n > UINT_MAX ? UINT_MAX : (uInt)n;
        s->z.next_in = (unsigned char *)(uintptr_t)in; /* zlib's API is not const */
        s->z.avail_in = chunk;
        if (format_sink_deflate(s, Z_NO_FLUSH) < 0)
            return -1;
        in += chunk;
        n -= chunk;
    }
    return 0;
}

int format_sink_puts(struct format_sink *s, const char *str)
{
    return format_sink_write(s, str, strlen(str));
}

int format_sink_flush(struct format_sink *s)
{
    if (s->failed)
        return -1;
    if (s->nb)
        return format_sink_drain(s);
    if (s->gz) {
        s->z.next_in = NULL;
        s->z.avail_in = 0;
        s->zopen = 1;
        if (format_sink_deflate(s, Z_SYNC_FLUSH) < 0)
            return -1;
    }
    if (fflush(s->fp) != 0) {
        format_sink_fail(s, errno);
        return -1;
    }
    return 0;
}

int format_sink_commit(struct format_sink *s, int64_t *pos)
{
    *pos = -1;
    if (s->failed)
        return -1;
    if (s->nb)
        return format_sink_drain(s); /* a stream: no position */
    if (s->gz && s->zopen) {
        /* End the member: the file so far is a whole gzip file. */
        s->z.next_in = NULL;
        s->z.avail_in = 0;
        if (format_sink_deflate(s, Z_FINISH) < 0)
            return -1;
        if (deflateReset(&s->z) != Z_OK) {
            format_sink_fail(s, EIO);
            return -1;
        }
        s->zopen = 0;
    }
    if (fflush(s->fp) != 0) {
        format_sink_fail(s, errno);
        return -1;
    }
    *pos = format_sink_position(s);
    return 0;
}

int64_t format_sink_position(const struct format_sink *s)
{
    return s->stream || s->tmp ? -1 : s->fpos;
}

int format_sink_closed_pipe(const struct format_sink *s)
{
    return s->failed && s->err == EPIPE;
}

int format_sink_failed(const struct format_sink *s)
{
    return s->failed;
}

unsigned long long format_sink_bytes(const struct format_sink *s)
{
    return s->bytes;
}

/* Finish the stream and close the FILE; records the first failure. */
static void format_sink_finish(struct format_sink *s)
{
    format_sink_nb_finish(s);
    if (s->gz) {
        /* After a commit the member is empty: end it only in an empty
         * file, which must still be a gzip file. */
        if (!s->failed && (s->zopen || s->fpos == 0)) {
            s->z.next_in = NULL;
            s->z.avail_in = 0;
            format_sink_deflate(s, Z_FINISH);
        }
        deflateEnd(&s->z);
        s->gz = 0;
    }
    if (s->fp) {
        if (fflush(s->fp) != 0)
            format_sink_fail(s, errno);
        if (fclose(s->fp) != 0)
            format_sink_fail(s, errno);
        s->fp = NULL;
    }
}

static void format_sink_free(struct format_sink *s)
{
    free(s->zout);
    free(s->nb_buf);
    free(s->iobuf);
    free(s->tmp);
    free(s->path);
    free(s);
}

int format_sink_close(struct format_sink *s, const char *dest, char *err, size_t errcap)
{
    int rc = 0;
    format_sink_finish(s);
    const char *name = dest ? dest : s->path ? s->path : "stdout";
    if (!s->failed && s->tmp && rename(s->tmp, name) < 0) {
        snprintf(err, errcap, "cannot rename %s to %s: %s", s->tmp, name, strerror(errno));
        unlink(s->tmp);
        rc = -1;
        goto out;
    }
    if (s->failed) {
        if (s->tmp)
            unlink(s->tmp);
        if (s->err == EPIPE) {
            err[0] = '\0';
            rc = FORMAT_SINK_CLOSED_PIPE;
        } else {
            snprintf(err, errcap, "writing %s failed: %s", name, strerror(s->err));
            rc = -1;
        }
    }
out:
    format_sink_free(s);
    return rc;
}

void format_sink_discard(struct format_sink *s)
{
    if (!s)
        return;
    format_sink_fail(s, EIO);
    format_sink_finish(s);
    if (s->tmp)
        unlink(s->tmp);
    format_sink_free(s);
}
