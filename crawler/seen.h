/* seen: the set of every URL the crawl knows, in 8 bytes a slot. A slot
 * packs a 51-bit fingerprint of the canonical URL, the URL's best known
 * depth (10 bits) and its state (3 bits); the URL string itself is not
 * kept (it lives in its host's queue, or in a live entry while fetched).
 * Open addressing with linear probing, grown 1.5x at 80% load, so the set
 * costs between 10 and 15 bytes per URL (twice that for a moment while it
 * grows). Nothing is ever removed.
 *
 * Collision bound: two different URLs share a fingerprint with
 * probability 2^-51 per pair, so a crawl of n URLs treats a new URL as
 * seen (and skips it) with probability at most n^2 / 2^52: 2.2e-4 for a
 * million URLs, 2.2e-2 for ten million. Pure data: no I/O. */
#ifndef CRAWL_SEEN_H
#define CRAWL_SEEN_H

#include <stddef.h>
#include <stdint.h>

#define SEEN_MAX_DEPTH 1023

enum seen_state {
    SEEN_NONE = 0,    /* not in the set */
    SEEN_QUEUED = 1,  /* waiting in its host's queue */
    SEEN_LIVE = 2,    /* fetched, parsed or held right now (a live entry) */
    SEEN_DONE = 3,    /* record written, or a redirect hop of another chain */
    SEEN_NOFOLLOW = 4 /* seen only through nofollow links so far */
};

struct seen {
    uint64_t *slots; /* 0 = empty */
    size_t cap;
    size_t n;
};

void seen_init(struct seen *s);
void seen_free(struct seen *s);
/* The fingerprint of a URL (nonzero, 51 bits). */
uint64_t seen_fp(const char *url, size_t len);
/* State of fp (SEEN_NONE when absent); *depth set when present. */
int seen_get(const struct seen *s, uint64_t fp, int *depth);
/* Insert fp or change its depth and state. depth <= SEEN_MAX_DEPTH. */
void seen_put(struct seen *s, uint64_t fp, int depth, int state);
/* Bytes held by the set. */
size_t seen_bytes(const struct seen *s);

#endif
