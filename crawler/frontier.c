/* frontier: the seen set, live entries, per-depth unfinished counts and
 * pending lists. Owns every live entry. Never touches the network, the
 * queues or the output. */
#include "frontier.h"

#include "xalloc.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

void frontier_init(struct frontier *f, int max_depth)
{
    memset(f, 0, sizeof *f);
    seen_init(&f->seen);
    f->max_depth = max_depth;
    f->remote_min = INT_MAX;
    f->unfinished = xcalloc((size_t)max_depth + 2, sizeof *f->unfinished);
    f->pending = xcalloc((size_t)max_depth + 2, sizeof *f->pending);
}

static void frontier_entry_free(struct entry *e)
{
    free(e->parent);
    free(e);
}

void frontier_free(struct frontier *f)
{
    struct entry *e, *tmp;
    HASH_ITER(hh, f->live, e, tmp)
    {
        HASH_DEL(f->live, e);
        frontier_entry_free(e);
    }
    HASH_ITER(hh, f->nofollow, e, tmp)
    {
        HASH_DEL(f->nofollow, e);
        frontier_entry_free(e);
    }
    seen_free(&f->seen);
    free(f->unfinished);
    free(f->pending);
    memset(f, 0, sizeof *f);
}

int frontier_lookup(const struct frontier *f, const char *url, uint64_t *fp, int *depth)
{
    *fp = seen_fp(url, strlen(url));
    return seen_get(&f->seen, *fp, depth);
}

uint32_t frontier_add_queued(struct frontier *f, uint64_t fp, int depth)
{
    seen_put(&f->seen, fp, depth, SEEN_QUEUED);
    f->unfinished[depth]++;
    return f->next_seq++;
}

uint32_t frontier_requeue(struct frontier *f, uint64_t fp, int old_depth, int depth)
{
    f->unfinished[old_depth]--;
    f->unfinished[depth]++;
    seen_put(&f->seen, fp, depth, SEEN_QUEUED);
    return f->next_seq++;
}

static struct entry *frontier_new_entry(uint64_t fp, const char *url, size_t url_len,
                                        const char *parent, size_t parent_len, int depth)
{
    struct entry *e = xmalloc(sizeof *e + url_len + 1);
    memset(e, 0, sizeof *e);
    memcpy(e->url, url, url_len);
    e->url[url_len] = '\0';
    e->parent = parent ? xmemdup0(parent, parent_len) : NULL;
    e->fp = fp;
    e->depth = (int16_t)depth;
    return e;
}

/* A live entry (ACTIVE) for url, in the live table and the seen set. */
static struct entry *frontier_make_live(struct frontier *f, uint64_t fp, const char *url,
                                        size_t url_len, const char *parent, size_t parent_len,
                                        int depth, uint32_t seq)
{
    struct entry *e = frontier_new_entry(fp, url, url_len, parent, parent_len, depth);
    e->seq = seq;
    e->state = ENTRY_ACTIVE;
    seen_put(&f->seen, fp, depth, SEEN_LIVE);
    HASH_ADD(hh, f->live, fp, sizeof e->fp, e);
    f->nlive++;
    return e;
}

struct entry *frontier_take(struct frontier *f, uint64_t fp, int depth, uint32_t seq,
                            const char *url, size_t url_len, const char *parent, size_t parent_len)
{
    int d;
    if (seen_get(&f->seen, fp, &d) != SEEN_QUEUED || d != depth)
        return NULL; /* a shorter path queued it again, or it is done */
    return frontier_make_live(f, fp, url, url_len, parent, parent_len, depth, seq);
}

struct entry *frontier_add_active(struct frontier *f, uint64_t fp, const char *url,
                                  const char *parent, int depth)
{
    f->unfinished[depth]++;
    return frontier_make_live(f, fp, url, strlen(url), parent, parent ? strlen(parent) : 0, depth,
                              f->next_seq++);
}

void frontier_add_done(struct frontier *f, uint64_t fp)
{
    seen_put(&f->seen, fp, 0, SEEN_DONE);
}

struct entry *frontier_add_nofollow(struct frontier *f, uint64_t fp, const char *url,
                                    const char *parent, int depth)
{
    struct entry *e =
        frontier_new_entry(fp, url, strlen(url), parent, parent ? strlen(parent) : 0, depth);
    e->seq = f->next_seq++;
    e->state = ENTRY_NOFOLLOW;
    seen_put(&f->seen, fp, depth, SEEN_NOFOLLOW);
    HASH_ADD(hh, f->nofollow, fp, sizeof e->fp, e);
    return e;
}

struct entry *frontier_entry(const struct frontier *f, uint64_t fp)
{
    struct entry *e = NULL;
    HASH_FIND(hh, f->live, &fp, sizeof fp, e);
    if (!e)
        HASH_FIND(hh, f->nofollow, &fp, sizeof fp, e);
    return e;
}

uint32_t frontier_follow(struct frontier *f, struct entry *e, int depth)
{
    uint64_t fp = e->fp;
    HASH_DEL(f->nofollow, e);
    frontier_entry_free(e);
    return frontier_add_queued(f, fp, depth);
}

static void frontier_list_append(struct elist *q, struct entry *e)
{
    e->next = NULL;
    e->prev = q->tail;
    if (q->tail)
        q->tail->next = e;
    else
        q->head = e;
    q->tail = e;
    q->n++;
}

static void frontier_list_remove(struct elist *q, struct entry *e)
{
    if (e->prev)
        e->prev->next = e->next;
    else
        q->head = e->next;
    if (e->next)
        e->next->prev = e->prev;
    else
        q->tail = e->prev;
    e->prev = e->next = NULL;
    q->n--;
}

void frontier_set_depth(struct frontier *f, struct entry *e, int depth)
{
    if (e->state == ENTRY_ACTIVE) {
        f->unfinished[e->depth]--;
        f->unfinished[depth]++;
    } else if (e->state == ENTRY_PENDING) {
        frontier_list_remove(&f->pending[e->depth], e);
        frontier_list_append(&f->pending[depth], e);
    }
    e->depth = (int16_t)depth;
    seen_put(&f->seen, e->fp, depth, e->state == ENTRY_NOFOLLOW ? SEEN_NOFOLLOW : SEEN_LIVE);
}

void frontier_finish(struct frontier *f, struct entry *e)
{
    switch (e->state) {
    case ENTRY_ACTIVE:
        f->unfinished[e->depth]--;
        break;
    case ENTRY_PENDING:
        frontier_list_remove(&f->pending[e->depth], e);
        f->npending--;
        break;
    default:
        break;
    }
    if (e->state == ENTRY_NOFOLLOW) {
        HASH_DEL(f->nofollow, e);
    } else {
        HASH_DEL(f->live, e);
        f->nlive--;
    }
    seen_put(&f->seen, e->fp, e->depth, SEEN_DONE);
    frontier_entry_free(e);
}

void frontier_forget_held(struct frontier *f, struct entry *e)
{
    uint64_t fp = e->fp;
    int depth = e->depth;
    frontier_finish(f, e);
    seen_put(&f->seen, fp, depth, SEEN_NONE);
}

void frontier_mark_done(struct frontier *f, uint64_t fp)
{
    int d = 0;
    int st = seen_get(&f->seen, fp, &d);
    if (st == SEEN_QUEUED) {
        f->unfinished[d]--; /* its queue item is stale now */
    } else if (st == SEEN_NOFOLLOW || st == SEEN_LIVE) {
        struct entry *e = frontier_entry(f, fp);
        if (e) {
            frontier_finish(f, e);
            return;
        }
    }
    seen_put(&f->seen, fp, d, SEEN_DONE);
}

void frontier_forget(struct frontier *f, uint64_t fp)
{
    int d = 0;
    if (seen_get(&f->seen, fp, &d) != SEEN_QUEUED)
        return;
    f->unfinished[d]--;
    seen_put(&f->seen, fp, d, SEEN_NONE); /* reads as absent from now on */
}

void frontier_pin(struct frontier *f)
{
    f->unfinished[0]++;
}

void frontier_unpin(struct frontier *f)
{
    f->unfinished[0]--;
}

int frontier_min_unfinished(const struct frontier *f, const struct entry *except)
{
    for (int d = 0; d <= f->max_depth + 1 && d < f->remote_min; d++) {
        size_t n = f->unfinished[d];
        if (except && except->depth == d && except->state == ENTRY_ACTIVE)
            n--;
        if (n)
            return d;
    }
    return f->remote_min;
}

int frontier_depth_final(const struct frontier *f, const struct entry *e)
{
    if (e->depth <= 1)
        return 1;
    /* A shorter path needs an unfinished page at depth <= depth - 2. */
    int m = frontier_min_unfinished(f, e);
    return m == INT_MAX || m >= e->depth - 1;
}

void frontier_pend(struct frontier *f, struct entry *e)
{
    f->unfinished[e->depth]--;
    e->state = ENTRY_PENDING;
    frontier_list_append(&f->pending[e->depth], e);
    if (++f->npending > f->npending_peak)
        f->npending_peak = f->npending;
}

struct entry *frontier_next_final(struct frontier *f, int all)
{
    if (!f->npending)
        return NULL;
    int m = all ? INT_MAX : frontier_min_unfinished(f, NULL);
    int top = m == INT_MAX || m > f->max_depth ? f->max_depth + 1 : m + 1;
    for (int d = 0; d <= top; d++) {
        f->settle_steps++;
        if (f->pending[d].head)
            return f->pending[d].head;
    }
    return NULL;
}

struct entry *frontier_any_nofollow(const struct frontier *f)
{
    return f->nofollow;
}
