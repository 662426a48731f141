/* arena: a bump allocator for things that all die together (one page's
 * links and texts in a parse worker). Allocations are never freed one by
 * one; arena_reset drops them all and keeps one block for the next round,
 * so a steady state allocates nothing. Allocation failure aborts (xmalloc).
 * Not thread-safe: one owner. */
#ifndef CRAWL_ARENA_H
#define CRAWL_ARENA_H

#include <stddef.h>

struct arena_block;

struct arena {
    struct arena_block *head; /* the block being filled; older ones behind */
    size_t block_size;        /* usable bytes of a regular block */
};

/* An empty arena whose regular blocks hold block_size bytes (an
 * allocation bigger than a quarter of that gets a block of its own). */
void arena_init(struct arena *a, size_t block_size);
/* n bytes aligned for any object; valid until arena_reset/arena_free. */
void *arena_alloc(struct arena *a, size_t n);
/* Copy of p[0..n) plus a NUL, in the arena. */
char *arena_memdup0(struct arena *a, const void *p, size_t n);
/* Forget every allocation; keeps one regular block. */
void arena_reset(struct arena *a);
/* Release everything; a may be arena_init'ed again. */
void arena_free(struct arena *a);

#endif
