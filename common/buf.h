/* buf: a growable byte buffer with a hard cap chosen at creation.
 * Appends past the cap fail (return BUF_ERR_CAP) and leave the buffer as
 * it was, so a caller can turn "too big" into a recorded error. */
#ifndef CRAWL_BUF_H
#define CRAWL_BUF_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define BUF_ERR_CAP (-1)

struct buf {
    char *data; /* NUL-terminated for convenience; owned */
    size_t len;
    size_t cap;
    size_t max; /* hard cap on len */
};

void buf_init(struct buf *b, size_t max);
/* Free the storage; the struct may be reused after buf_init. */
void buf_free(struct buf *b);
void buf_reset(struct buf *b);
/* Room for extra more bytes (and a NUL) in one step: 0, or BUF_ERR_CAP. */
int buf_reserve(struct buf *b, size_t extra);
int buf_append(struct buf *b, const void *p, size_t n);
int buf_append_str(struct buf *b, const char *s);
/* buf_append, in line when the bytes fit the room already there (a few
 * bytes at a time into a buffer kept between uses, as the output writers
 * do). */
static inline int buf_append_small(struct buf *b, const void *p, size_t n)
{
    if (n < b->cap - b->len && n <= b->max - b->len) {
        memcpy(b->data + b->len, p, n);
        b->len += n;
        b->data[b->len] = '\0';
        return 0;
    }
    return buf_append(b, p, n);
}
/* buf_append of a string literal, its length known at compile time. */
#define BUF_APPEND_LIT(b, lit) buf_append_small((b), "" lit, sizeof(lit) - 1)
int buf_append_char(struct buf *b, char c);
int buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Hand the storage to the caller (who frees it); the buffer becomes empty. */
char *buf_steal(struct buf *b, size_t *len);
/* Drop the first n bytes. */
void buf_consume(struct buf *b, size_t n);

#endif
