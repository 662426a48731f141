/* frontier: the seen set (uthash on the canonical URL) and the bookkeeping
 * that makes depth the SHORTEST link distance while the crawl stays
 * pipelined (no barrier between depth levels).
 *
 * Every in-scope URL within --depth gets one entry, owned here until
 * frontier_free. An entry is "unfinished" from discovery until its record
 * is written; the frontier counts unfinished entries per depth. A parsed
 * page at depth d is final only when no unfinished entry has depth < d-1:
 * before that, a slower page could still reach it by a shorter path. Such
 * a page waits in the pending list with its parse result, and is
 * re-expanded if its depth drops. Policy (what to follow) is the caller's. */
#ifndef CRAWL_FRONTIER_H
#define CRAWL_FRONTIER_H

#include <stddef.h>
#include <stdint.h>

#include "host.h"
#include "uthash.h"

enum entry_state {
    ENTRY_QUEUED = 0, /* waiting in its host's queue */
    ENTRY_ACTIVE,     /* being fetched or parsed */
    ENTRY_PENDING,    /* parsed; record held until its depth is final */
    ENTRY_DONE,       /* record written */
    ENTRY_HOP,        /* reached as a redirect hop of another entry's chain */
    ENTRY_NOFOLLOW    /* seen only through nofollow links so far */
};

struct page_result; /* the caller's (crawl.c) held result */

struct entry {
    struct entry *parent; /* linked it at its current depth; NULL for starts */
    struct host *host;
    struct entry *prev, *next; /* host queue or pending list links */
    struct page_result *held;  /* owned by the caller while PENDING */
    uint32_t seq;              /* discovery order */
    int16_t depth;             /* --depth is at most 1000 */
    uint8_t state;             /* enum entry_state */
    UT_hash_handle hh;
    char url[]; /* canonical URL, the key, stored inline */
};

struct frontier {
    struct entry *seen; /* uthash head */
    size_t nseen;
    uint32_t next_seq;
    int max_depth;
    size_t *unfinished; /* [max_depth + 2], per depth */
    struct elist pending;
};

void frontier_init(struct frontier *f, int max_depth);
void frontier_free(struct frontier *f);

struct entry *frontier_find(struct frontier *f, const char *url);
/* Add a new entry (url must not be seen yet; it is copied). A QUEUED entry is counted unfinished at
 * `depth`; an ENTRY_HOP one is not counted. The caller enqueues it. */
struct entry *frontier_add(struct frontier *f, const char *url, struct entry *parent, int depth,
                           enum entry_state state);
/* Move an unfinished entry to a smaller depth (counters follow). */
void frontier_set_depth(struct frontier *f, struct entry *e, int depth);
/* An ENTRY_NOFOLLOW entry is reached by a followable link: it becomes
 * QUEUED (and unfinished) at that link's `depth` (nofollow paths never
 * count towards depth). */
void frontier_follow(struct frontier *f, struct entry *e, int depth);
/* The entry's record is written: no longer unfinished. */
void frontier_finish(struct frontier *f, struct entry *e);
/* Smallest depth with an unfinished entry, or INT_MAX when none. If
 * `except` is non-NULL it is not counted. */
int frontier_min_unfinished(const struct frontier *f, const struct entry *except);
/* Nonzero when e's depth can no longer decrease. */
int frontier_depth_final(const struct frontier *f, const struct entry *e);

void frontier_pend(struct frontier *f, struct entry *e);   /* ACTIVE -> PENDING */
void frontier_unpend(struct frontier *f, struct entry *e); /* leave the pending list */

#endif
