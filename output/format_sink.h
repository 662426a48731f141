/* format_sink: one output byte stream: stdout, a file, or a gzip file (a
 * name ending in ".gz"). A temp sink writes "NAME.tmpXXXXXX" beside NAME and
 * renames it over NAME at close, so a reader never sees half a file; on
 * failure the temp file is removed. A path that exists and is not a regular
 * file (/dev/full, a fifo) is always written in place. The first write error
 * is sticky and reported once, by format_sink_close. */
#ifndef CRAWL_FORMAT_SINK_H
#define CRAWL_FORMAT_SINK_H

#include <stddef.h>
#include <stdint.h>

struct format_sink;

/* Open `path` (NULL or "-" = stdout, never compressed nor temp). NULL on
 * failure with a one-line reason in err. */
struct format_sink *format_sink_open(const char *path, int temp, char *err, size_t errcap);
/* Continue `path` (--resume; never temp): a regular file is cut back to
 * `at` bytes (an error if it is shorter) and written on from there; stdout,
 * a device or a fifo is opened as by format_sink_open. */
struct format_sink *format_sink_open_at(const char *path, int64_t at, char *err, size_t errcap);
/* Append n bytes. 0, or -1 once the sink has failed. */
int format_sink_write(struct format_sink *s, const void *p, size_t n);
int format_sink_puts(struct format_sink *s, const char *str);
/* Push buffered bytes to the file (a gzip sync flush first: the stream so
 * far can be decompressed). 0, or -1 once the sink has failed. */
int format_sink_flush(struct format_sink *s);
/* Push everything to the file at a point a reader may stop at (a gzip
 * member ends; the next write begins another) and store the file's size
 * in *pos (-1: see format_sink_position). Not an fsync. 0, or -1 once the
 * sink has failed. */
int format_sink_commit(struct format_sink *s, int64_t *pos);
/* Bytes handed to the file so far (compressed), counting what it held at
 * format_sink_open_at; -1 for stdout, a device, a fifo or a temp file,
 * which cannot be cut back to a position. */
int64_t format_sink_position(const struct format_sink *s);
int format_sink_failed(const struct format_sink *s);
/* Bytes written so far (before compression). */
unsigned long long format_sink_bytes(const struct format_sink *s);
/* Nonzero when the sink failed with EPIPE (its reader went away). */
int format_sink_closed_pipe(const struct format_sink *s);
/* Flush, close and (temp sinks) rename to `dest`, or to the path given at
 * open when dest is NULL. Frees s. 0; FORMAT_SINK_CLOSED_PIPE when the
 * reader went away (err ""); or -1 when anything else was lost (err holds
 * one line). */
#define FORMAT_SINK_CLOSED_PIPE (-2)
int format_sink_close(struct format_sink *s, const char *dest, char *err, size_t errcap);
/* Close without reporting; a temp file is removed. Frees s; NULL is fine. */
void format_sink_discard(struct format_sink *s);

/* Non-blocking output. When s writes to a pipe or a socket (stdout piped
 * to a slow reader), switch it to non-blocking writes: bytes wait in
 * memory (without bound here: the caller stops producing records while
 * format_sink_pending is high) and go out when the fd can take them. The
 * fd's flags are restored at close, where what still waits is written
 * with blocking writes. Returns 1 when switched, 0 when s stays as it is
 * (a file, a tty, gzip). */
int format_sink_nonblocking(struct format_sink *s);
/* Write what waits, as far as the fd takes it now. 0, or -1 once failed. */
int format_sink_drain(struct format_sink *s);
/* Bytes waiting to be written (0 unless non-blocking). */
size_t format_sink_pending(const struct format_sink *s);
/* The fd to poll for POLLOUT while bytes wait, or -1. */
int format_sink_pollfd(const struct format_sink *s);

/* Nonzero when `path` names a regular file or nothing yet (so it may be
 * replaced by rename); 0 for devices, fifos, directories. */
int format_sink_replaceable(const char *path);
/* Create an empty file beside `path` for writing it atomically: *tmp gets
 * its malloc'd name. Returns an open fd (caller closes), or -1 with err. */
int format_sink_tempfile(const char *path, char **tmp, char *err, size_t errcap);
/* Nonzero when path ends in ".gz". */
int format_sink_is_gz(const char *path);

#endif
