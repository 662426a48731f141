/* test_frontier: the seen set, per-depth queues and the rule that decides
 * when a page's depth is final (no unfinished page two levels above). */
#include "check.h"
#include "frontier.h"
#include "host.h"
#include "xalloc.h"

#include <limits.h>

int main(void)
{
    struct frontier f;
    struct host_table t;
    frontier_init(&f, 3);
    host_table_init(&t, 3);
    struct host *h = host_get(&t, "h", 1);
    CHECK(host_get(&t, "h", 1) == h);
    CHECK(host_get(&t, "other", 5) != h);
    CHECK(t.count == 2);

    struct entry *root = frontier_add(&f, "http://h/", NULL, 0, ENTRY_QUEUED);
    root->host = h;
    host_enqueue(h, root);
    CHECK(frontier_find(&f, "http://h/") == root);
    CHECK(frontier_find(&f, "http://h/x") == NULL);
    CHECK(frontier_min_unfinished(&f, NULL) == 0);

    /* Lowest depth first, FIFO within a depth. */
    struct entry *a = frontier_add(&f, "http://h/a", root, 2, ENTRY_QUEUED);
    struct entry *b = frontier_add(&f, "http://h/b", root, 1, ENTRY_QUEUED);
    struct entry *c = frontier_add(&f, "http://h/c", root, 1, ENTRY_QUEUED);
    a->host = b->host = c->host = h;
    host_enqueue(h, a);
    host_enqueue(h, b);
    host_enqueue(h, c);
    CHECK(h->queued == 4);
    CHECK(host_pop(h) == root);
    CHECK(host_pop(h) == b);
    /* Moving a queued entry to a smaller depth re-queues it there. */
    host_unqueue(h, a);
    frontier_set_depth(&f, a, 1);
    host_enqueue(h, a);
    CHECK(host_pop(h) == c);
    CHECK(host_pop(h) == a);
    CHECK(host_pop(h) == NULL);
    CHECK(h->queued == 0);

    /* root (0) unfinished: a depth-2 page is not final, depth-1 pages are. */
    root->state = b->state = c->state = a->state = ENTRY_ACTIVE;
    struct entry *d2 = frontier_add(&f, "http://h/d2", b, 2, ENTRY_ACTIVE);
    CHECK(frontier_depth_final(&f, b));
    CHECK(!frontier_depth_final(&f, d2));
    frontier_finish(&f, root);
    CHECK(frontier_depth_final(&f, d2));
    CHECK(frontier_min_unfinished(&f, NULL) == 1);
    CHECK(frontier_min_unfinished(&f, b) == 1); /* a and c are still at 1 */

    /* Pending list and hop entries (not counted as unfinished). */
    struct entry *d3 = frontier_add(&f, "http://h/d3", d2, 3, ENTRY_ACTIVE);
    CHECK(!frontier_depth_final(&f, d3));
    frontier_pend(&f, d3);
    CHECK(f.pending.head == d3 && d3->state == ENTRY_PENDING);
    struct entry *hop = frontier_add(&f, "http://h/hop", b, 1, ENTRY_HOP);
    CHECK(hop->seq > d3->seq);
    frontier_finish(&f, a);
    frontier_finish(&f, b);
    frontier_finish(&f, c);
    CHECK(frontier_depth_final(&f, d3));
    frontier_unpend(&f, d3);
    CHECK(f.pending.head == NULL);
    frontier_finish(&f, d2);
    frontier_finish(&f, d3);
    frontier_finish(&f, hop);
    CHECK(frontier_min_unfinished(&f, NULL) == INT_MAX);
    CHECK(f.nseen == 7);

    /* The scheduler heap: smallest ready time first, keys can move. */
    struct host *hs[6];
    int64_t keys[6] = {50, 10, 40, 30, 20, 60};
    char nm[2] = "a";
    for (int i = 0; i < 6; i++, nm[0]++) {
        hs[i] = host_get(&t, nm, 1);
        host_heap_set(&t, hs[i], keys[i]);
    }
    CHECK(host_heap_top(&t) == hs[1]);
    host_heap_set(&t, hs[5], 5); /* moves up */
    CHECK(host_heap_top(&t) == hs[5]);
    host_heap_set(&t, hs[5], 45); /* moves down */
    CHECK(host_heap_top(&t) == hs[1]);
    host_heap_remove(&t, hs[3]);
    CHECK(hs[3]->heap_idx == HOST_NOT_IN_HEAP);
    int64_t last = -1;
    int popped = 0;
    struct host *top;
    while ((top = host_heap_top(&t))) {
        CHECK(top->ready_at >= last);
        last = top->ready_at;
        host_heap_remove(&t, top);
        popped++;
    }
    CHECK(popped == 5);

    host_table_free(&t);
    frontier_free(&f);
    return check_summary("frontier");
}
