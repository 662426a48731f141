/* shm: the shared body region and its allocator. Owns the mapping and the
 * free list; must not know what a body is or who reads it.
 *
 * The allocator counts in pages (SHM_PAGE). Free space is a list of runs
 * sorted by address (start, pages), first fit, merged with its neighbours
 * on free; a block's size is kept per starting page in private memory, so
 * a worker (which only reads the region) can never corrupt the
 * bookkeeping. Bodies live from fetch to parse answer, a few hundred at
 * most, so the list stays short and first fit keeps the touched part of
 * the region small. */
#include "shm.h"

#include "log.h"
#include "xalloc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define SHM_PAGE 4096u

struct shm_run {
    uint32_t start, pages;
};

static struct {
    char *base;
    size_t size;
    uint32_t npages;
    uint32_t *block; /* pages of the block starting at each page, 0 if none */
    struct shm_run *free_runs;
    size_t nfree, cap;
} shm;

int shm_init(size_t size)
{
    if (shm.base)
        return 0;
    size = (size + SHM_PAGE - 1) / SHM_PAGE * SHM_PAGE;
    if (size == 0 || size / SHM_PAGE > UINT32_MAX)
        return -1;
    void *m =
        mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (m == MAP_FAILED) {
        log_warn("shared body region (%zu bytes): %s; bodies go through the sockets", size,
                 strerror(errno));
        return -1;
    }
    shm.base = m;
    shm.size = size;
    shm.npages = (uint32_t)(size / SHM_PAGE);
    shm.block = xcalloc(shm.npages, sizeof *shm.block);
    shm.cap = 16;
    shm.free_runs = xmalloc(shm.cap * sizeof *shm.free_runs);
    shm.free_runs[0] = (struct shm_run){0, shm.npages};
    shm.nfree = 1;
    return 0;
}

void shm_destroy(void)
{
    if (!shm.base)
        return;
    munmap(shm.base, shm.size);
    free(shm.block);
    free(shm.free_runs);
    memset(&shm, 0, sizeof shm);
}

void shm_seal(void)
{
    if (shm.base && mprotect(shm.base, shm.size, PROT_READ) < 0)
        log_warn("shared body region: mprotect: %s", strerror(errno));
    free(shm.block); /* the parent's bookkeeping: nothing of a worker's */
    free(shm.free_runs);
    shm.block = NULL;
    shm.free_runs = NULL;
    shm.nfree = shm.cap = 0;
}

void *shm_alloc(size_t n)
{
    if (!shm.free_runs || n == 0 || n > shm.size)
        return NULL;
    uint32_t pages = (uint32_t)((n + SHM_PAGE - 1) / SHM_PAGE);
    for (size_t i = 0; i < shm.nfree; i++) {
        struct shm_run *r = &shm.free_runs[i];
        if (r->pages < pages)
            continue;
        uint32_t start = r->start;
        r->start += pages;
        r->pages -= pages;
        if (r->pages == 0) {
            memmove(r, r + 1, (shm.nfree - i - 1) * sizeof *r);
            shm.nfree--;
        }
        shm.block[start] = pages;
        return shm.base + (size_t)start * SHM_PAGE;
    }
    return NULL;
}

int shm_owns(const void *p)
{
    const char *c = p;
    return shm.base && c >= shm.base && c < shm.base + shm.size;
}

void shm_free(void *p)
{
    if (!shm_owns(p)) {
        free(p);
        return;
    }
    uint32_t start = (uint32_t)(((char *)p - shm.base) / SHM_PAGE);
    uint32_t pages = shm.block ? shm.block[start] : 0;
    if (!pages || (char *)p != shm.base + (size_t)start * SHM_PAGE) {
        log_error("shm_free: %p is no block of the body region", p);
        abort();
    }
    shm.block[start] = 0;
    size_t i = 0; /* the first free run after the block */
    size_t lo = 0, hi = shm.nfree;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (shm.free_runs[mid].start < start)
            lo = mid + 1;
        else
            hi = mid;
    }
    i = lo;
    int join_prev = i > 0 && shm.free_runs[i - 1].start + shm.free_runs[i - 1].pages == start;
    int join_next = i < shm.nfree && start + pages == shm.free_runs[i].start;
    if (join_prev && join_next) {
        shm.free_runs[i - 1].pages += pages + shm.free_runs[i].pages;
        memmove(&shm.free_runs[i], &shm.free_runs[i + 1],
                (shm.nfree - i - 1) * sizeof *shm.free_runs);
        shm.nfree--;
    } else if (join_prev) {
        shm.free_runs[i - 1].pages += pages;
    } else if (join_next) {
        shm.free_runs[i].start = start;
        shm.free_runs[i].pages += pages;
    } else {
        if (shm.nfree == shm.cap) {
            shm.cap *= 2;
            shm.free_runs = xrealloc(shm.free_runs, shm.cap * sizeof *shm.free_runs);
        }
        memmove(&shm.free_runs[i + 1], &shm.free_runs[i], (shm.nfree - i) * sizeof *shm.free_runs);
        shm.free_runs[i] = (struct shm_run){start, pages};
        shm.nfree++;
    }
}

uint64_t shm_offset(const void *p)
{
    return (uint64_t)((const char *)p - shm.base);
}

const char *shm_at(uint64_t off, uint64_t len)
{
    if (!shm.base || off > shm.size || len > shm.size - off)
        return NULL;
    return shm.base + off;
}
