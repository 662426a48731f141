/* shm: one shared memory region per process for page bodies. The parent
 * maps it before the worker zygote is forked, so every worker sees it at
 * the same address (read-only there, after shm_seal). The parent fetches
 * bodies straight into it and tells a worker where a body is instead of
 * sending its bytes through the socket: no copy into the kernel and out
 * again. Like malloc, one per process: shm_free takes any body pointer and
 * free()s the ones outside the region, so owners need not know where a
 * body lives. Without shm_init (or when it failed, or the region is full)
 * shm_alloc returns NULL and bodies stay in ordinary memory. Not for two
 * threads at once. */
#ifndef CRAWL_SHM_H
#define CRAWL_SHM_H

#include <stddef.h>
#include <stdint.h>

/* Map the region (size bytes, rounded up to pages; backed only where
 * touched) and make it the process's. 0, or -1 (logged; nothing else
 * changes: bodies then stay private). Call once, before forking workers. */
int shm_init(size_t size);
/* Unmap it (the parent, at the end). Bodies still in it must be gone. */
void shm_destroy(void);
/* In a worker: the region becomes read-only. */
void shm_seal(void);

/* n bytes in the region, or NULL when there is no room (or no region).
 * The caller owns the block until shm_free. */
void *shm_alloc(size_t n);
/* Release p: a block of the region, else free(p). NULL is fine. */
void shm_free(void *p);

/* Nonzero when p points into the region. */
int shm_owns(const void *p);
/* Where p is, as an offset a worker can turn back into a pointer. */
uint64_t shm_offset(const void *p);
/* The len bytes at offset off, or NULL when they are not all inside the
 * region (a bad frame). */
const char *shm_at(uint64_t off, uint64_t len);

#endif
