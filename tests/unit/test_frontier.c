/* test_frontier: the seen set (fingerprints, bytes per URL, no false
 * positives on a million URLs), the spillable queues (FIFO order through
 * the spill file), per-host queues by depth, stale queue items after a
 * shorter path, and held records leaving in depth order once final. */
#include "check.h"
#include "frontier.h"
#include "host.h"
#include "queue.h"
#include "seen.h"
#include "xalloc.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void test_seen(void)
{
    struct seen s;
    char url[96];
    const int n = 1000000;
    seen_init(&s);
    for (int i = 0; i < n; i++) {
        int len = snprintf(url, sizeof url, "http://h/t/%d/cal?d=%d&sid=%x", i % 97, i,
                           (unsigned)i * 7919u);
        seen_put(&s, seen_fp(url, (size_t)len), i % 1001, SEEN_QUEUED);
    }
    CHECK(s.n == (size_t)n);
    /* 8-byte slots at 53% to 80% load: at most 16 bytes per URL. */
    CHECKF(seen_bytes(&s) <= 16u * (size_t)n, "%zu bytes for %d URLs", seen_bytes(&s), n);
    int bad = 0, d = 0;
    for (int i = 0; i < n; i++) {
        int len = snprintf(url, sizeof url, "http://h/t/%d/cal?d=%d&sid=%x", i % 97, i,
                           (unsigned)i * 7919u);
        if (seen_get(&s, seen_fp(url, (size_t)len), &d) != SEEN_QUEUED || d != i % 1001)
            bad++;
    }
    CHECK(bad == 0);
    /* A million other URLs: none reported seen (expected false positives
     * at 2 million URLs: 2e12 / 2^52 = 4e-4). */
    int fp = 0;
    for (int i = 0; i < n; i++) {
        int len = snprintf(url, sizeof url, "http://h/u/%d/cal?d=%d&sid=%x", i % 97, i,
                           (unsigned)i * 7919u);
        if (seen_get(&s, seen_fp(url, (size_t)len), &d) != SEEN_NONE)
            fp++;
    }
    CHECK(fp == 0);
    /* Updating keeps the count and changes depth and state. */
    uint64_t f0 = seen_fp("http://h/", 9);
    seen_put(&s, f0, 3, SEEN_QUEUED);
    seen_put(&s, f0, 1, SEEN_DONE);
    CHECK(seen_get(&s, f0, &d) == SEEN_DONE && d == 1);
    CHECK(s.n == (size_t)n + 1);
    CHECK(seen_fp("a", 1) != seen_fp("b", 1) && seen_fp("", 0) != 0);
    seen_free(&s);
}

static void test_queue_spill(void)
{
    struct queue_store st;
    struct queue q = {0}, small = {0};
    char url[64], parent[64];
    const int n = 50000;
    queue_store_init(&st, 65536, NULL); /* a tiny budget: most blocks spill */
    queue_push(&st, &small, 7, "http://s/", NULL);
    for (int i = 0; i < n; i++) {
        snprintf(url, sizeof url, "http://h/%d", i);
        snprintf(parent, sizeof parent, "http://h/p%d", i / 10);
        queue_push(&st, &q, (uint32_t)i, url, parent);
    }
    CHECK(q.count == (size_t)n);
    CHECKF(st.spilled > 0 && st.fd >= 0, "spilled %llu", (unsigned long long)st.spilled);
    CHECKF(st.mem <= st.budget + 3 * 65536, "mem %zu", st.mem);
    struct queue_item it;
    int order = 1;
    for (int i = 0; i < n; i++) {
        snprintf(url, sizeof url, "http://h/%d", i);
        snprintf(parent, sizeof parent, "http://h/p%d", i / 10);
        if (!queue_pop(&st, &q, &it) || it.seq != (uint32_t)i || it.url_len != strlen(url) ||
            memcmp(it.url, url, it.url_len) || it.parent_len != strlen(parent) ||
            memcmp(it.parent, parent, it.parent_len)) {
            order = 0;
            break;
        }
        /* pushes while popping stay behind everything older */
        if (i == n / 2)
            queue_push(&st, &q, (uint32_t)n, "http://h/late", NULL);
    }
    CHECK(order);
    CHECK(queue_pop(&st, &q, &it) && it.seq == (uint32_t)n && !it.parent && it.parent_len == 0);
    CHECK(!queue_pop(&st, &q, &it));
    CHECK(queue_pop(&st, &small, &it) && it.seq == 7 && it.url_len == 9 && !it.parent);
    queue_clear(&st, &q);
    queue_clear(&st, &small);
    CHECK(st.mem == 0);
    queue_store_free(&st);
}

static void test_hosts_and_depths(void)
{
    struct frontier f;
    struct host_table t;
    frontier_init(&f, 3);
    host_table_init(&t, 3, 1 << 20, NULL);
    struct host *h = host_get(&t, "h", 1);
    CHECK(host_get(&t, "h", 1) == h);
    CHECK(host_get(&t, "other", 5) != h);
    CHECK(t.count == 2);

    /* Lowest depth first, FIFO within a depth. */
    const char *urls[] = {"http://h/", "http://h/a", "http://h/b", "http://h/c"};
    int depths[] = {0, 2, 1, 1};
    uint64_t fps[4];
    for (int i = 0; i < 4; i++) {
        int d;
        CHECK(frontier_lookup(&f, urls[i], &fps[i], &d) == SEEN_NONE);
        uint32_t seq = frontier_add_queued(&f, fps[i], depths[i]);
        host_push(&t, h, depths[i], seq, urls[i], i ? "http://h/" : NULL);
    }
    CHECK(h->queued == 4);
    CHECK(frontier_min_unfinished(&f, NULL) == 0);
    /* A shorter path to /a: queued again at depth 1, the old item is stale. */
    int d;
    CHECK(frontier_lookup(&f, "http://h/a", &fps[1], &d) == SEEN_QUEUED && d == 2);
    host_push(&t, h, 1, frontier_requeue(&f, fps[1], 2, 1), "http://h/a", "http://h/c");
    struct queue_item it;
    const char *want[] = {"http://h/", "http://h/b", "http://h/c", "http://h/a"};
    struct entry *live[4];
    for (int i = 0; i < 4; i++) {
        CHECK(host_pop(&t, h, &d, &it) == 1);
        uint64_t fp = seen_fp(it.url, it.url_len);
        live[i] = frontier_take(&f, fp, d, it.seq, it.url, it.url_len, it.parent, it.parent_len);
        CHECK(live[i] && !strcmp(live[i]->url, want[i]));
    }
    CHECK_STR(live[3]->parent, "http://h/c");
    CHECK(live[3]->depth == 1);
    /* The stale depth-2 item of /a comes out and is refused. */
    CHECK(host_pop(&t, h, &d, &it) == 1 && d == 2);
    CHECK(frontier_take(&f, seen_fp(it.url, it.url_len), d, it.seq, it.url, it.url_len, NULL, 0) ==
          NULL);
    CHECK(host_pop(&t, h, &d, &it) == 0);
    CHECK(h->queued == 0);

    /* root (0) unfinished: a depth-2 page is not final, depth-1 pages are. */
    struct entry *root = live[0], *b = live[1];
    struct entry *d2 =
        frontier_add_active(&f, seen_fp("http://h/d2", 11), "http://h/d2", b->url, 2);
    CHECK(frontier_depth_final(&f, b));
    CHECK(!frontier_depth_final(&f, d2));
    frontier_pend(&f, d2);
    CHECK(frontier_next_final(&f, 0) == NULL);
    CHECK(frontier_next_final(&f, 1) == d2);
    struct entry *d3 =
        frontier_add_active(&f, seen_fp("http://h/d3", 11), "http://h/d3", d2->url, 3);
    frontier_pend(&f, d3);
    frontier_finish(&f, root);
    /* Now the lowest unfinished depth is 1: d2 is final, d3 is not yet. */
    CHECK(frontier_min_unfinished(&f, NULL) == 1);
    CHECK(frontier_next_final(&f, 0) == d2);
    frontier_finish(&f, d2);
    CHECK(frontier_next_final(&f, 0) == NULL);
    frontier_finish(&f, live[1]);
    frontier_finish(&f, live[2]);
    frontier_finish(&f, live[3]);
    CHECK(frontier_min_unfinished(&f, NULL) == INT_MAX);
    CHECK(frontier_next_final(&f, 0) == d3);
    frontier_finish(&f, d3);
    CHECK(frontier_next_final(&f, 1) == NULL);
    CHECK(frontier_lookup(&f, "http://h/d3", &fps[0], &d) == SEEN_DONE && d == 3);

    /* Nofollow entries: followed later, they queue at the followed depth. */
    uint64_t nf;
    CHECK(frontier_lookup(&f, "http://h/nf", &nf, &d) == SEEN_NONE);
    struct entry *e = frontier_add_nofollow(&f, nf, "http://h/nf", "http://h/", 1);
    CHECK(frontier_entry(&f, nf) == e && frontier_any_nofollow(&f) == e);
    frontier_follow(&f, e, 2);
    CHECK(frontier_lookup(&f, "http://h/nf", &nf, &d) == SEEN_QUEUED && d == 2);
    CHECK(frontier_any_nofollow(&f) == NULL);
    frontier_mark_done(&f, nf);
    CHECK(frontier_min_unfinished(&f, NULL) == INT_MAX);
    CHECK(f.nlive == 0);

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
}

/* Settling many held records is linear: each leaves in O(1). */
static void test_settle_many(void)
{
    struct frontier f;
    char url[64];
    const int n = 100000;
    frontier_init(&f, 3);
    struct entry *slow =
        frontier_add_active(&f, seen_fp("http://h/slow", 13), "http://h/slow", NULL, 1);
    int held = 0;
    for (int i = 0; i < n; i++) {
        int len = snprintf(url, sizeof url, "http://h/leaf%d", i);
        struct entry *e = frontier_add_active(&f, seen_fp(url, (size_t)len), url, NULL, 3);
        held += !frontier_depth_final(&f, e); /* /slow (depth 1) could still shorten it */
        frontier_pend(&f, e);
    }
    CHECK(held == n);
    CHECK(f.npending == (size_t)n);
    CHECK(frontier_next_final(&f, 0) == NULL);
    frontier_finish(&f, slow);
    int out = 0;
    struct entry *e;
    while ((e = frontier_next_final(&f, 0))) {
        frontier_finish(&f, e);
        out++;
    }
    CHECK(out == n && f.npending == 0 && f.nlive == 0);
    frontier_free(&f);
}

int main(void)
{
    test_seen();
    test_queue_spill();
    test_hosts_and_depths();
    test_settle_many();
    return check_summary("frontier");
}
