/* arena: bump allocation in blocks (see arena.h). Owns its blocks and
 * nothing else. */
#include "arena.h"

#include "xalloc.h"

#include <stdalign.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_ALIGN alignof(max_align_t)

struct arena_block {
    struct arena_block *next; /* older block */
    size_t size, used;        /* usable bytes after the header, bytes used */
    alignas(max_align_t) unsigned char data[];
};

static struct arena_block *arena_block_new(size_t size, struct arena_block *next)
{
    struct arena_block *b = xmalloc(sizeof *b + size);
    b->next = next;
    b->size = size;
    b->used = 0;
    return b;
}

void arena_init(struct arena *a, size_t block_size)
{
    a->head = NULL;
    a->block_size = block_size < 256 ? 256 : block_size;
}

void *arena_alloc(struct arena *a, size_t n)
{
    struct arena_block *b = a->head;
    size_t at = b ? (b->used + ARENA_ALIGN - 1) & ~(ARENA_ALIGN - 1) : 0;

    if (n == 0)
        n = 1;
    if (!b || at > b->size || n > b->size - at) {
        if (n > a->block_size / 4) {
            /* its own block, behind the head, so the head keeps filling */
            struct arena_block *big = arena_block_new(n, b ? b->next : NULL);
            big->used = n;
            if (b)
                b->next = big;
            else
                a->head = big;
            return big->data;
        }
        b = a->head = arena_block_new(a->block_size, b);
        at = 0;
    }
    b->used = at + n;
    return b->data + at;
}

char *arena_memdup0(struct arena *a, const void *p, size_t n)
{
    char *s = arena_alloc(a, n + 1);
    if (n)
        memcpy(s, p, n);
    s[n] = '\0';
    return s;
}

void arena_reset(struct arena *a)
{
    struct arena_block *keep = NULL, *b = a->head;

    while (b) {
        struct arena_block *next = b->next;
        if (!keep && b->size == a->block_size) {
            keep = b;
        } else {
            free(b);
        }
        b = next;
    }
    if (keep) {
        keep->next = NULL;
        keep->used = 0;
    }
    a->head = keep;
}

void arena_free(struct arena *a)
{
    struct arena_block *b = a->head;

    while (b) {
        struct arena_block *next = b->next;
        free(b);
        b = next;
    }
    a->head = NULL;
}
