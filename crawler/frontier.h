/* frontier: what the crawl knows about every URL, and the bookkeeping that
 * makes depth the SHORTEST link distance while the crawl stays pipelined
 * (no barrier between depth levels).
 *
 * Every URL is in the seen set (seen.h: a fingerprint, its best depth and
 * its state, 8 bytes). While queued, the URL string lives in its host's
 * queue (host.h). While it is fetched, parsed or its record is held, it
 * has a live entry (struct entry) owned here. URLs seen only through
 * nofollow links keep an entry too, for the record they get at the end.
 *
 * The frontier counts unfinished URLs (queued or active) per depth. A
 * parsed page at depth d is final once no unfinished URL has depth < d-1:
 * before that, a slower page could still reach it by a shorter path. Such
 * a page waits, with its parse result, in the pending list of its depth,
 * and is re-expanded if its depth drops; held records leave in depth order
 * as soon as the lowest unfinished depth allows, each in O(1). Policy
 * (what to follow) is the caller's. */
#ifndef CRAWL_FRONTIER_H
#define CRAWL_FRONTIER_H

#include <stddef.h>
#include <stdint.h>

#include "seen.h"
#include "uthash.h"

enum entry_state {
    ENTRY_ACTIVE = 1, /* being fetched or parsed, or decided without a fetch */
    ENTRY_PENDING,    /* parsed; record held until its depth is final */
    ENTRY_NOFOLLOW    /* seen only through nofollow links so far */
};

struct record; /* the caller's held record (record.h) */
struct host;

/* A live URL. url and parent are owned by the entry. */
struct entry {
    char *parent;              /* a page linking here at depth - 1; NULL for starts */
    struct host *host;         /* set by the caller when fetched */
    struct entry *prev, *next; /* pending list */
    struct record *held;       /* owned by the caller while PENDING */
    uint64_t fp;
    uint32_t seq;  /* discovery order */
    int16_t depth; /* --depth is at most 1000 */
    uint8_t state; /* enum entry_state */
    UT_hash_handle hh;
    char url[]; /* canonical URL, stored inline */
};

struct elist {
    struct entry *head, *tail;
    size_t n;
};

struct frontier {
    struct seen seen;
    struct entry *live;     /* uthash on fp: ACTIVE and PENDING entries */
    struct entry *nofollow; /* uthash on fp: NOFOLLOW entries */
    size_t nlive;
    uint32_t next_seq;
    int max_depth;
    int remote_min;        /* a cluster's lowest unfinished depth (INT_MAX: none) */
    size_t *unfinished;    /* [max_depth + 2]: queued or active, per depth */
    struct elist *pending; /* [max_depth + 2]: held records, per depth */
    size_t npending;
    size_t npending_peak;
    uint64_t settle_steps; /* depth lists looked at by frontier_next_final */
};

void frontier_init(struct frontier *f, int max_depth);
void frontier_free(struct frontier *f);

/* What is known of url: a seen_state (SEEN_NONE when new), with *depth
 * when seen. *fp receives the URL's fingerprint for the calls below. */
int frontier_lookup(const struct frontier *f, const char *url, uint64_t *fp, int *depth);
/* A new URL joins the queue at depth: counted unfinished; returns its
 * sequence number (the caller pushes it on its host's queue). */
uint32_t frontier_add_queued(struct frontier *f, uint64_t fp, int depth);
/* A queued URL gets a shorter depth (the caller queues it again there,
 * with the sequence number returned; the older queue item is stale, see
 * frontier_take). */
uint32_t frontier_requeue(struct frontier *f, uint64_t fp, int old_depth, int depth);
/* A queue item (fp, depth) was popped: if it is the URL's current queue
 * item, the URL becomes ACTIVE with a live entry (url, parent copied) and
 * that entry is returned; a stale item returns NULL. */
struct entry *frontier_take(struct frontier *f, uint64_t fp, int depth, uint32_t seq,
                            const char *url, size_t url_len, const char *parent, size_t parent_len);
/* A new URL decided without a fetch (a scope rule, a full queue): ACTIVE
 * at once, counted unfinished. */
struct entry *frontier_add_active(struct frontier *f, uint64_t fp, const char *url,
                                  const char *parent, int depth);
/* A URL seen as a redirect hop: known, never queued, never counted. */
void frontier_add_done(struct frontier *f, uint64_t fp);
/* A URL reached only through nofollow links so far. */
struct entry *frontier_add_nofollow(struct frontier *f, uint64_t fp, const char *url,
                                    const char *parent, int depth);
/* The live or nofollow entry of fp, or NULL. */
struct entry *frontier_entry(const struct frontier *f, uint64_t fp);
/* A nofollow URL is reached by a followable link: its entry is freed and
 * it is queued at depth like frontier_add_queued (same return). */
uint32_t frontier_follow(struct frontier *f, struct entry *e, int depth);
/* Move a live or nofollow entry to a smaller depth (counters and pending
 * lists follow). */
void frontier_set_depth(struct frontier *f, struct entry *e, int depth);
/* Its record is written: the URL is done and the entry freed. */
void frontier_finish(struct frontier *f, struct entry *e);
/* A queued URL is no longer this process's (a cluster gave it to another
 * node): forgotten, as if never seen (its queue item must be gone too). */
void frontier_forget(struct frontier *f, uint64_t fp);
/* A live (ACTIVE or PENDING) entry is no longer this process's: freed
 * without a record, and forgotten (its record is the caller's to free
 * first). */
void frontier_forget_held(struct frontier *f, struct entry *e);
/* --resume: a URL's record is in an earlier run's output. */
void frontier_mark_done(struct frontier *f, uint64_t fp);
/* Something that may still bring depth-0 URLs (a sitemap, a robots.txt
 * with Sitemap: lines) is pending: held records two levels down wait for
 * it as for an unfinished start URL. Every pin is undone by one unpin. */
void frontier_pin(struct frontier *f);
void frontier_unpin(struct frontier *f);
/* Smallest depth with a queued or active URL, or INT_MAX. If `except` is
 * non-NULL and active it is not counted. */
int frontier_min_unfinished(const struct frontier *f, const struct entry *except);
/* Nonzero when e's depth can no longer decrease. */
int frontier_depth_final(const struct frontier *f, const struct entry *e);
/* ACTIVE -> PENDING: hold e (its record in e->held). */
void frontier_pend(struct frontier *f, struct entry *e);
/* The held entry of lowest depth whose depth is final, or NULL. With
 * `all`, any held entry (the crawl is over or interrupted). */
struct entry *frontier_next_final(struct frontier *f, int all);
/* Any nofollow entry, or NULL (for the records written at the end). */
struct entry *frontier_any_nofollow(const struct frontier *f);

#endif
