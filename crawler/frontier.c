/* frontier: seen set, per-depth unfinished counts and the pending list.
 * Owns every entry and its URL. Never touches the network or the output. */
#include "frontier.h"

#include "xalloc.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

void frontier_init(struct frontier *f, int max_depth)
{
    memset(f, 0, sizeof *f);
    f->max_depth = max_depth;
    f->unfinished = xcalloc((size_t)max_depth + 2, sizeof *f->unfinished);
}

void frontier_free(struct frontier *f)
{
    struct entry *e, *tmp;
    HASH_ITER(hh, f->seen, e, tmp)
    {
        HASH_DEL(f->seen, e);
        free(e);
    }
    free(f->unfinished);
    memset(f, 0, sizeof *f);
}

struct entry *frontier_find(struct frontier *f, const char *url)
{
    struct entry *e = NULL;
    HASH_FIND_STR(f->seen, url, e);
    return e;
}

static int frontier_counted(const struct entry *e)
{
    return e->state == ENTRY_QUEUED || e->state == ENTRY_ACTIVE || e->state == ENTRY_PENDING;
}

struct entry *frontier_add(struct frontier *f, const char *url, struct entry *parent, int depth,
                           enum entry_state state)
{
    size_t n = strlen(url);
    struct entry *e = xmalloc(sizeof *e + n + 1);
    memset(e, 0, sizeof *e);
    memcpy(e->url, url, n + 1);
    e->parent = parent;
    e->depth = depth;
    e->state = state;
    e->seq = f->next_seq++;
    HASH_ADD_KEYPTR(hh, f->seen, e->url, n, e);
    f->nseen++;
    if (frontier_counted(e))
        f->unfinished[depth]++;
    return e;
}

void frontier_set_depth(struct frontier *f, struct entry *e, int depth)
{
    if (frontier_counted(e)) {
        f->unfinished[e->depth]--;
        f->unfinished[depth]++;
    }
    e->depth = depth;
}

void frontier_follow(struct frontier *f, struct entry *e, int depth)
{
    e->depth = (int16_t)depth; /* nofollow paths never counted */
    e->state = ENTRY_QUEUED;
    f->unfinished[e->depth]++;
}

void frontier_finish(struct frontier *f, struct entry *e)
{
    if (frontier_counted(e))
        f->unfinished[e->depth]--;
    e->state = ENTRY_DONE;
}

int frontier_min_unfinished(const struct frontier *f, const struct entry *except)
{
    for (int d = 0; d <= f->max_depth + 1; d++) {
        size_t n = f->unfinished[d];
        if (except && except->depth == d && frontier_counted(except))
            n--;
        if (n)
            return d;
    }
    return INT_MAX;
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
    e->state = ENTRY_PENDING;
    host_list_append(&f->pending, e);
}

void frontier_unpend(struct frontier *f, struct entry *e)
{
    host_list_remove(&f->pending, e);
}
