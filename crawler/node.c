/* node: the cluster client (see node.h). Owns the Redis connection, the
 * set of hosts this node leases, the batch of written records not yet
 * reported, and the last counts heard from the cluster. */
#include "node.h"

#include "buf.h"
#include "chain.h"
#include "clock.h"
#include "frontier_lua.h"
#include "log.h"
#include "rconn.h"
#include "scope.h"
#include "seen.h"
#include "xalloc.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "uthash.h"

#define NODE_VERSION           "1"
#define NODE_DONE_BATCH        512 /* fps per crawl_done */
#define NODE_POLL_MS           300 /* heartbeat and counts, at most this far apart */
#define NODE_CLAIM_IDLE_MS     50  /* after an empty claim, wait this long, doubling */
#define NODE_CLAIM_IDLE_MAX_MS 400
#define NODE_NOFOLLOW_BATCH    256

struct node_host {
    char *name;
    int asked; /* in the claim in flight */
    int empty; /* the last claim for it brought nothing */
    int shed;  /* above this node's share: let go once idle */
    UT_hash_handle hh;
};

struct node_msg { /* an inbox message being answered, until the answer's reply */
    char *msg;
    struct node *n;
    UT_hash_handle hh;
};

/* An argv under construction. */
struct node_argv {
    const char **v;
    size_t *len;
    char **owned;
    size_t n, cap, nowned;
};

struct node_links {
    struct node_argv a; /* fp, host, url, kind, ... */
};

struct node {
    struct node_config cfg;
    struct node_callbacks cb;
    struct rconn *rc;
    char prefix[300];
    char id[128];
    char lease[16], limf[16], limx[16], maxq[24], maxp[24];
    const char *setup_join[12];
    const char *setup_load[5];
    const char *setup_select[3];
    const char *const *setup[4];
    char dbtext[16];
    struct node_host *hosts; /* leased */
    size_t nhosts;
    struct node_msg *msgs;
    struct node_argv done;
    struct node_argv giveback; /* fps of URLs of lost hosts */
    int claiming, polling, nofollowing, releasing;
    uint64_t claim_seq;
    int64_t next_claim, claim_idle, next_poll;
    int64_t poll_sent;  /* when the poll in flight went */
    int64_t renewed_at; /* leases last known renewed (the sending time of
                         * the last answered poll); 0: never */
    int heard;          /* counts below are known */
    int min, total, held, nf;
    int share; /* hosts per node */
    int64_t now;
};

/* ---- argv building ---- */

static void node_argv_push(struct node_argv *a, const char *s, size_t len, int copy)
{
    if (a->n == a->cap) {
        a->cap = a->cap ? a->cap * 2 : 16;
        a->v = xrealloc(a->v, a->cap * sizeof *a->v);
        a->len = xrealloc(a->len, a->cap * sizeof *a->len);
        a->owned = xrealloc(a->owned, a->cap * sizeof *a->owned);
    }
    if (copy) {
        char *d = xmemdup0(s, len);
        a->owned[a->nowned++] = d;
        s = d;
    }
    a->v[a->n] = s;
    a->len[a->n++] = len;
}

static void node_argv_str(struct node_argv *a, const char *s)
{
    node_argv_push(a, s, strlen(s), 1);
}

static void node_argv_free(struct node_argv *a)
{
    for (size_t i = 0; i < a->nowned; i++)
        free(a->owned[i]);
    free(a->v);
    free(a->len);
    free(a->owned);
    memset(a, 0, sizeof *a);
}

static void node_fp_hex(const char *url, char out[17])
{
    snprintf(out, 17, "%016llx", (unsigned long long)seen_fp(url, strlen(url)));
}

struct node_links *node_links_new(void)
{
    return xcalloc(1, sizeof(struct node_links));
}

void node_links_add(struct node_links *l, const char *url, char kind, int nofollow,
                    const char *reason)
{
    char fp[17], k[96];
    size_t hl = 0;
    const char *host = scope_host(url, &hl);
    node_fp_hex(url, fp);
    snprintf(k, sizeof k, "%c%c%s%s", kind, nofollow ? 'n' : '-', reason ? ":" : "",
             reason ? reason : "");
    node_argv_str(&l->a, fp);
    node_argv_push(&l->a, host ? host : "", host ? hl : 0, 1);
    node_argv_str(&l->a, url);
    node_argv_str(&l->a, k);
}

static void node_links_free(struct node_links *l)
{
    if (l) {
        node_argv_free(&l->a);
        free(l);
    }
}

/* The depth limits and the queue cap, as every admitting function takes
 * them. */
static void node_argv_limits(struct node *n, struct node_argv *a)
{
    node_argv_push(a, n->limf, strlen(n->limf), 0);
    node_argv_push(a, n->limx, strlen(n->limx), 0);
    node_argv_push(a, n->maxq, strlen(n->maxq), 0);
}

/* A page's links (NULL: none), borrowed until the argv is sent. */
static void node_argv_links(struct node_argv *a, const struct node_links *l)
{
    for (size_t i = 0; l && i < l->a.n; i++)
        node_argv_push(a, l->a.v[i], l->a.len[i], 0);
}

/* FCALL name 0 prefix node, then the rest. */
static void node_argv_fcall(struct node *n, struct node_argv *a, const char *fn)
{
    node_argv_push(a, "FCALL", 5, 0);
    node_argv_push(a, fn, strlen(fn), 0);
    node_argv_push(a, "0", 1, 0);
    node_argv_push(a, n->prefix, strlen(n->prefix), 0);
    node_argv_push(a, n->id, strlen(n->id), 0);
}

static void node_send(struct node *n, struct node_argv *a, rconn_reply_fn fn, void *ctx)
{
    rconn_send(n->rc, (int)a->n, a->v, a->len, RCONN_RESEND, fn, ctx);
    node_argv_free(a);
}

/* ---- replies ---- */

/* {min, total, held, nofollow, inbox}: the counts, and inbox messages not
 * answered yet go to on_lowered. */
static void node_news(struct node *n, const redisReply *r)
{
    if (!r || r->type != REDIS_REPLY_ARRAY || r->elements < 5)
        return;
    long long m = rconn_int(rconn_el(r, 0));
    n->min = m < 0 ? INT_MAX : (int)m;
    n->total = (int)rconn_int(rconn_el(r, 1));
    n->held = (int)rconn_int(rconn_el(r, 2));
    n->nf = (int)rconn_int(rconn_el(r, 3));
    n->heard = 1;
    n->cb.on_counts(n->cb.ctx, n->min);
    const redisReply *in = rconn_el(r, 4);
    for (size_t i = 0; in && in->type == REDIS_REPLY_ARRAY && i < in->elements; i++) {
        const char *msg = rconn_str(in->element[i]);
        struct node_msg *x;
        if (!msg)
            continue;
        HASH_FIND_STR(n->msgs, msg, x);
        if (x)
            continue; /* being answered */
        /* id|fp|depth|parent */
        const char *p1 = strchr(msg, '|'), *p2 = p1 ? strchr(p1 + 1, '|') : NULL;
        const char *p3 = p2 ? strchr(p2 + 1, '|') : NULL;
        if (!p3)
            continue;
        x = xcalloc(1, sizeof *x);
        x->msg = xstrdup(msg);
        x->n = n;
        HASH_ADD_KEYPTR(hh, n->msgs, x->msg, strlen(x->msg), x);
        uint64_t fp = strtoull(p1 + 1, NULL, 16);
        n->cb.on_lowered(n->cb.ctx, x->msg, fp, atoi(p2 + 1), p3[1] ? p3 + 1 : NULL);
    }
}

struct node_token {
    struct node *n;
    void *token;
};

static void node_on_completed(void *ctx, redisReply *r)
{
    struct node_token *t = ctx;
    struct node *n = t->n;
    if (r && r->type == REDIS_REPLY_ERROR)
        log_error("Redis: crawl_complete: %s", r->str);
    int depth = (int)rconn_int(rconn_el(r, 0));
    const char *parent = rconn_str(rconn_el(r, 1));
    n->cb.on_completed(n->cb.ctx, t->token, r && r->type == REDIS_REPLY_ARRAY ? depth : -1,
                       parent && parent[0] ? parent : NULL);
    node_news(n, rconn_el(r, 2));
    free(t);
}

/* The message is gone from the inbox now: later replies no longer list
 * it. The reply's counts are news like any other. */
static void node_on_reexpanded(void *ctx, redisReply *r)
{
    struct node_msg *x = ctx;
    struct node *n = x->n;
    HASH_DEL(n->msgs, x);
    free(x->msg);
    free(x);
    node_news(n, r);
}

void node_complete(struct node *n, const char *url, struct node_links *links, void *token)
{
    struct node_argv a = {0};
    char fp[17];
    node_fp_hex(url, fp);
    node_argv_fcall(n, &a, "crawl_complete");
    node_argv_str(&a, fp);
    node_argv_limits(n, &a);
    node_argv_links(&a, links);
    struct node_token *t = xmalloc(sizeof *t);
    t->n = n;
    t->token = token;
    node_send(n, &a, node_on_completed, t);
    node_links_free(links);
}

void node_reexpand(struct node *n, const char *msg, uint64_t fp, struct node_links *links)
{
    struct node_msg *x;
    HASH_FIND_STR(n->msgs, msg, x);
    if (!x)
        return;
    struct node_argv a = {0};
    char hex[17];
    snprintf(hex, sizeof hex, "%016llx", (unsigned long long)fp);
    node_argv_fcall(n, &a, "crawl_reexpand");
    node_argv_str(&a, msg);
    node_argv_str(&a, hex);
    node_argv_limits(n, &a);
    node_argv_links(&a, links);
    node_send(n, &a, node_on_reexpanded, x);
    node_links_free(links);
}

static void node_on_handoff(void *ctx, redisReply *r)
{
    struct node_token *t = ctx;
    t->n->cb.on_handoff(t->n->cb.ctx, t->token,
                        r && r->type == REDIS_REPLY_INTEGER ? (int)r->integer : -1);
    free(t);
}

void node_handoff(struct node *n, const char *url, const char *target,
                  const struct output_hop *hops, size_t nhops, void *token)
{
    struct node_argv a = {0};
    char fp[17], tfp[17];
    struct buf chain;
    size_t hl = 0;
    const char *host = scope_host(target, &hl);
    node_fp_hex(url, fp);
    node_fp_hex(target, tfp);
    buf_init(&chain, 1 << 20);
    chain_encode(&chain, target, hops, nhops);
    node_argv_fcall(n, &a, "crawl_handoff");
    node_argv_str(&a, fp);
    node_argv_str(&a, tfp);
    node_argv_push(&a, host ? host : "", host ? hl : 0, 1);
    node_argv_push(&a, chain.data, chain.len, 1);
    buf_free(&chain);
    struct node_token *t = xmalloc(sizeof *t);
    t->n = n;
    t->token = token;
    node_send(n, &a, node_on_handoff, t);
}

static void node_on_hop(void *ctx, redisReply *r)
{
    struct node_token *t = ctx;
    t->n->cb.on_hop(t->n->cb.ctx, t->token,
                    r && r->type == REDIS_REPLY_INTEGER ? (int)r->integer : -1);
    free(t);
}

void node_hop(struct node *n, const char *url, void *token)
{
    char fp[17];
    node_fp_hex(url, fp);
    const char *v[] = {"FCALL", "crawl_hop", "0", n->prefix, fp};
    struct node_token *t = xmalloc(sizeof *t);
    t->n = n;
    t->token = token;
    rconn_send(n->rc, 5, v, NULL, RCONN_RESEND, node_on_hop, t);
}

/* Send a batch of fps (list, emptied) to the function fn. */
static void node_flush_list(struct node *n, const char *fn, struct node_argv *list)
{
    if (!list->n)
        return;
    struct node_argv a = {0};
    node_argv_fcall(n, &a, fn);
    for (size_t i = 0; i < list->n; i++)
        node_argv_push(&a, list->v[i], list->len[i], 0);
    rconn_send(n->rc, (int)a.n, a.v, a.len, RCONN_RESEND, NULL, NULL);
    node_argv_free(&a);
    node_argv_free(list);
}

static void node_flush_done(struct node *n)
{
    node_flush_list(n, "crawl_done", &n->done);
}

static void node_flush_giveback(struct node *n)
{
    node_flush_list(n, "crawl_giveback", &n->giveback);
}

void node_flush(struct node *n)
{
    if (rconn_up(n->rc)) {
        node_flush_done(n);
        node_flush_giveback(n);
    }
}

void node_done(struct node *n, const char *url)
{
    char fp[17];
    node_fp_hex(url, fp);
    node_argv_str(&n->done, fp);
    if (n->done.n >= NODE_DONE_BATCH)
        node_flush_done(n);
}

void node_admit_seed(struct node *n, const char *url, const char *reason)
{
    struct node_argv a = {0};
    struct node_links *l = node_links_new();
    node_links_add(l, url, 'f', 0, reason);
    node_argv_fcall(n, &a, "crawl_admit");
    node_argv_str(&a, "0");
    node_argv_limits(n, &a);
    node_argv_links(&a, l);
    node_send(n, &a, NULL, NULL);
    node_links_free(l);
}

void node_smdone(struct node *n, const char *const *hosts, size_t nhosts)
{
    struct node_argv a = {0};
    node_argv_fcall(n, &a, "crawl_smdone");
    for (size_t i = 0; i < nhosts; i++)
        node_argv_str(&a, hosts[i]);
    node_send(n, &a, NULL, NULL);
}

void node_robots_store(struct node *n, const char *host, const char *value)
{
    const char *v[] = {"FCALL", "crawl_robots", "0", n->prefix, host, value};
    rconn_send(n->rc, 6, v, NULL, RCONN_RESEND, NULL, NULL);
}

/* ---- claims, releases, polls ---- */

static void node_host_add(struct node *n, const char *name)
{
    struct node_host *h;
    HASH_FIND_STR(n->hosts, name, h);
    if (h)
        return;
    h = xcalloc(1, sizeof *h);
    h->name = xstrdup(name);
    HASH_ADD_KEYPTR(hh, n->hosts, h->name, strlen(h->name), h);
    n->nhosts++;
}

static void node_host_drop(struct node *n, const char *name)
{
    struct node_host *h;
    HASH_FIND_STR(n->hosts, name, h);
    if (!h)
        return;
    HASH_DEL(n->hosts, h);
    free(h->name);
    free(h);
    n->nhosts--;
}

/* Another node holds host now (this one was silent longer than the
 * lease): its URLs queued here go back to the cluster. */
static void node_lost(struct node *n, const char *host)
{
    log_warn("cluster: the lease on %s went to another node; its URLs queued here are "
             "given back",
             host);
    node_host_drop(n, host);
    n->cb.on_lost(n->cb.ctx, host);
}

void node_giveback(struct node *n, const char *url)
{
    char fp[17];
    node_fp_hex(url, fp);
    node_argv_str(&n->giveback, fp);
}

static void node_on_claimed(void *ctx, redisReply *r)
{
    struct node *n = ctx;
    n->claiming = 0;
    if (!r || r->type != REDIS_REPLY_ARRAY || r->elements < 4) {
        if (r && r->type == REDIS_REPLY_ERROR)
            log_error("Redis: crawl_claim: %s", r->str);
        return;
    }
    const redisReply *leased = rconn_el(r, 1), *lost = rconn_el(r, 2), *items = rconn_el(r, 0);
    for (size_t i = 0; leased && leased->type == REDIS_REPLY_ARRAY && i < leased->elements; i++) {
        const redisReply *l = leased->element[i];
        const char *host = rconn_str(rconn_el(l, 0));
        if (!host)
            continue;
        node_host_add(n, host);
        n->cb.on_lease(n->cb.ctx, host, rconn_str(rconn_el(l, 1)), (int)rconn_int(rconn_el(l, 2)));
    }
    for (size_t i = 0; lost && lost->type == REDIS_REPLY_ARRAY && i < lost->elements; i++) {
        const char *host = rconn_str(lost->element[i]);
        if (host) {
            node_lost(n, host);
        }
    }
    size_t got = 0;
    struct node_host *h, *ht;
    HASH_ITER(hh, n->hosts, h, ht)
    {
        h->empty = h->asked;
        h->asked = 0;
    }
    for (size_t i = 0; items && items->type == REDIS_REPLY_ARRAY && i < items->elements; i++) {
        const redisReply *it = items->element[i];
        const char *host = rconn_str(rconn_el(it, 0)), *url = rconn_str(rconn_el(it, 3));
        HASH_FIND_STR(n->hosts, host ? host : "", h);
        if (h)
            h->empty = 0;
        const char *parent = rconn_str(rconn_el(it, 4)), *kind = rconn_str(rconn_el(it, 5));
        if (!host || !url || !kind)
            continue;
        n->cb.on_item(n->cb.ctx, host, (int)rconn_int(rconn_el(it, 2)), url,
                      parent && parent[0] ? parent : NULL,
                      !strncmp(kind, "s:", 2) ? kind + 2 : NULL,
                      !strncmp(kind, "r:", 2) ? kind + 2 : NULL);
        got++;
    }
    if (got || (leased && leased->elements)) {
        n->claim_idle = 0;
        n->next_claim = n->now;
    } else {
        n->claim_idle = n->claim_idle ? n->claim_idle * 2 : NODE_CLAIM_IDLE_MS;
        if (n->claim_idle > NODE_CLAIM_IDLE_MAX_MS)
            n->claim_idle = NODE_CLAIM_IDLE_MAX_MS;
        n->next_claim = n->now + n->claim_idle;
    }
    node_news(n, rconn_el(r, 3));
}

static void node_on_released(void *ctx, redisReply *r)
{
    struct node *n = ctx;
    n->releasing = 0;
    for (size_t i = 0; r && r->type == REDIS_REPLY_ARRAY && i < r->elements; i++)
        if (rconn_str(r->element[i]))
            node_host_drop(n, r->element[i]->str);
}

/* Ask for more URLs of leased hosts that run low, and for new hosts
 * while there is room; let idle hosts go. */
static void node_claim(struct node *n)
{
    struct node_argv a = {0}, rel = {0};
    char id[32], nnew[16], batch[16];
    int wants = 0;
    node_argv_fcall(n, &rel, "crawl_release");
    node_argv_push(&rel, "1", 1, 0);
    size_t rel0 = rel.n;
    snprintf(id, sizeof id, "%llu", (unsigned long long)++n->claim_seq);
    /* new hosts only while the caller wants more work at all */
    int room = n->cb.want(n->cb.ctx, NULL) > 0 ? n->cfg.max_hosts - (int)n->nhosts : 0;
    if (room > 8)
        room = 8;
    snprintf(nnew, sizeof nnew, "%d", room > 0 ? room : 0);
    snprintf(batch, sizeof batch, "%d", n->cfg.batch);
    node_argv_fcall(n, &a, "crawl_claim");
    node_argv_str(&a, id);
    node_argv_push(&a, n->lease, strlen(n->lease), 0);
    node_argv_str(&a, nnew);
    node_argv_str(&a, batch);
    node_argv_push(&a, n->maxp, strlen(n->maxp), 0);
    struct node_host *h, *tmp;
    /* above the share (nodes joined): let the surplus go, each host once
     * this node is idle on it */
    int surplus = n->share > 0 ? (int)n->nhosts - n->share : 0;
    HASH_ITER(hh, n->hosts, h, tmp)
    {
        if (surplus-- > 0)
            h->shed = 1;
        int w = n->cb.want(n->cb.ctx, h->name);
        if (h->shed) {
            if (w < 0 && !n->releasing)
                node_argv_push(&rel, h->name, strlen(h->name), 1);
            continue;
        }
        if (w < 0 && h->empty) {
            if (!n->releasing)
                node_argv_push(&rel, h->name, strlen(h->name), 1);
        } else if (w != 0) {
            if (w < 0)
                w = n->cfg.batch;
            h->asked = 1;
            char num[16];
            snprintf(num, sizeof num, "%d", w);
            node_argv_push(&a, h->name, strlen(h->name), 1);
            node_argv_str(&a, num);
            wants++;
        }
    }
    if (rel.n > rel0) {
        n->releasing = 1;
        node_send(n, &rel, node_on_released, n);
    } else {
        node_argv_free(&rel);
    }
    if (wants || room > 0) {
        n->claiming = 1;
        node_send(n, &a, node_on_claimed, n);
    } else {
        node_argv_free(&a);
        n->next_claim = n->now + NODE_CLAIM_IDLE_MS;
    }
}

static void node_on_polled(void *ctx, redisReply *r)
{
    struct node *n = ctx;
    n->polling = 0;
    if (!r || r->type != REDIS_REPLY_ARRAY || r->elements < 3)
        return;
    n->renewed_at = n->poll_sent;
    if (rconn_int(rconn_el(r, 4)) == 1) {
        log_warn("cluster: this node was silent longer than --lease and taken for dead; the "
                 "others redid what it held, so it drops that and goes on");
        struct node_host *h, *ht;
        HASH_ITER(hh, n->hosts, h, ht)
        {
            char *name = xstrdup(h->name);
            node_host_drop(n, name);
            n->cb.on_lost(n->cb.ctx, name);
            free(name);
        }
        n->cb.on_reclaimed(n->cb.ctx);
    }
    const redisReply *lost = rconn_el(r, 1);
    for (size_t i = 0; lost && lost->type == REDIS_REPLY_ARRAY && i < lost->elements; i++)
        if (rconn_str(lost->element[i]))
            node_lost(n, lost->element[i]->str);
    n->share = (int)rconn_int(rconn_el(r, 3));
    long long reclaimed = rconn_int(rconn_el(r, 2));
    if (reclaimed > 0)
        log_warn("cluster: a node stopped answering; %lld of its URLs are queued again", reclaimed);
    node_news(n, rconn_el(r, 0));
}

static void node_on_nofollow(void *ctx, redisReply *r)
{
    struct node *n = ctx;
    n->nofollowing = 0;
    for (size_t i = 0; r && r->type == REDIS_REPLY_ARRAY && i < r->elements; i++) {
        const redisReply *e = r->element[i];
        const char *url = rconn_str(rconn_el(e, 2)), *parent = rconn_str(rconn_el(e, 3));
        if (url)
            n->cb.on_nofollow(n->cb.ctx, (int)rconn_int(rconn_el(e, 1)), url,
                              parent && parent[0] ? parent : NULL);
    }
    n->next_poll = n->now; /* counts again at once */
}

void node_service(struct node *n, short revents, int64_t now)
{
    n->now = now;
    rconn_service(n->rc, revents, now);
    if (!rconn_up(n->rc))
        return;
    node_flush_done(n);
    node_flush_giveback(n);
    if (!n->polling && now >= n->next_poll) {
        const char *v[] = {"FCALL", "crawl_poll", "0", n->prefix, n->id, n->lease};
        n->polling = 1;
        n->poll_sent = now;
        n->next_poll = now + NODE_POLL_MS;
        rconn_send(n->rc, 6, v, NULL, RCONN_RESEND, node_on_polled, n);
    }
    if (!n->claiming && now >= n->next_claim)
        node_claim(n);
    /* the end: nothing queued or taken anywhere; nofollow-only URLs get
     * their records, a batch per node at a time */
    if (n->heard && !n->total && !n->held && n->nf && !n->nofollowing && !n->claiming &&
        n->cb.want(n->cb.ctx, NULL) > 0) {
        char id[32], cnt[16];
        snprintf(id, sizeof id, "n%llu", (unsigned long long)++n->claim_seq);
        snprintf(cnt, sizeof cnt, "%d", NODE_NOFOLLOW_BATCH);
        const char *v[] = {"FCALL", "crawl_nofollow", "0", n->prefix, n->id, id, cnt};
        n->nofollowing = 1;
        rconn_send(n->rc, 7, v, NULL, RCONN_RESEND, node_on_nofollow, n);
    }
}

int node_pollfd(const struct node *n, short *events)
{
    return rconn_pollfd(n->rc, events);
}

int64_t node_wait_ms(const struct node *n, int64_t now)
{
    int64_t w = rconn_wait_ms(n->rc, now);
    if (!rconn_up(n->rc))
        return w;
    int64_t t = n->polling ? -1 : (n->next_poll > now ? n->next_poll - now : 0);
    if (!n->claiming) {
        int64_t c = n->next_claim > now ? n->next_claim - now : 0;
        if (t < 0 || c < t)
            t = c;
    }
    if (n->done.n)
        t = 0;
    if (w >= 0 && (t < 0 || w < t))
        t = w;
    return t;
}

int node_busy(const struct node *n)
{
    return !n->heard || n->total || n->held || n->nf || n->done.n || n->giveback.n ||
           rconn_outstanding(n->rc) || n->msgs;
}

size_t node_outstanding(const struct node *n)
{
    return rconn_up(n->rc) ? rconn_outstanding(n->rc) : 0;
}

int node_paused(const struct node *n, int64_t now)
{
    /* A lease holder stops before its leases could have lapsed, by its own
     * clock: a node frozen or cut off longer than that fetches nothing
     * until a poll says what it still holds. */
    return !rconn_up(n->rc) || !n->renewed_at ||
           now - n->renewed_at > (int64_t)n->cfg.lease_ms * 3 / 4;
}

int node_failed(const struct node *n, const char **why)
{
    return rconn_failed(n->rc, why);
}

uint64_t node_round_trips(const struct node *n)
{
    return rconn_round_trips(n->rc);
}

/* ---- start-up, --status ---- */

int node_job_prefix(const char *job, char *out, size_t n, char *err, size_t errlen)
{
    if (!job || !job[0] || strlen(job) > 200 || strpbrk(job, " \t\r\n:{}")) {
        snprintf(err, errlen, "--job NAME: 1 to 200 characters, no spaces, ':' or braces");
        return -1;
    }
    snprintf(out, n, "crawl:%s:", job);
    return 0;
}

struct node *node_open(const struct node_config *cfg, const struct node_callbacks *cb,
                       char *const *starts, size_t nstarts, char *err, size_t errlen)
{
    struct rconn_addr addr;
    struct node *n = xcalloc(1, sizeof *n);
    n->cfg = *cfg;
    n->cfg.config = xstrdup(cfg->config); /* the setup runs again on reconnection */
    n->cfg.job = NULL;
    n->cfg.redis_url = NULL;
    n->cb = *cb;
    n->min = INT_MAX;
    if (rconn_parse_url(cfg->redis_url, &addr, err, errlen) < 0 ||
        node_job_prefix(cfg->job, n->prefix, sizeof n->prefix, err, errlen) < 0) {
        node_free(n);
        return NULL;
    }
    char hostname[64] = "node";
    gethostname(hostname, sizeof hostname - 1);
    snprintf(n->id, sizeof n->id, "%s:%ld:%04x", hostname, (long)getpid(),
             (unsigned)(seen_fp(n->prefix, strlen(n->prefix)) ^ (uint64_t)clock()) & 0xffff);
    snprintf(n->lease, sizeof n->lease, "%d", cfg->lease_ms);
    snprintf(n->limf, sizeof n->limf, "%d", cfg->limit_follow);
    snprintf(n->limx, sizeof n->limx, "%d", cfg->limit_external);
    snprintf(n->maxq, sizeof n->maxq, "%ld", cfg->max_queue);
    snprintf(n->maxp, sizeof n->maxp, "%ld", cfg->max_pages);
    redisContext *rc = rconn_connect_sync(&addr, 5000, err, errlen);
    if (!rc) {
        node_free(n);
        return NULL;
    }
    const char *load[] = {"FUNCTION", "LOAD", "REPLACE", cluster_frontier_lua};
    const char *join[] = {
        "FCALL",      "crawl_join",  "0",      n->prefix, n->id,
        NODE_VERSION, n->cfg.config, n->lease, "0",       cfg->sitemaps ? "1" : "0"};
    redisReply *r = rconn_command_sync(rc, 4, load, NULL, err, errlen);
    freeReplyObject(r);
    redisReply *j = r ? rconn_command_sync(rc, 10, join, NULL, err, errlen) : NULL;
    if (!j) {
        redisFree(rc);
        node_free(n);
        return NULL;
    }
    log_info("cluster: %s job %s as node %s",
             j->str && !strcmp(j->str, "created") ? "created" : "joined", cfg->job, n->id);
    freeReplyObject(j);
    struct node_links *l = node_links_new();
    for (size_t i = 0; i < nstarts; i++)
        node_links_add(l, starts[i], 'f', 0, NULL);
    struct node_argv a = {0};
    node_argv_fcall(n, &a, "crawl_admit");
    node_argv_str(&a, "0");
    node_argv_limits(n, &a);
    node_argv_links(&a, l);
    r = rconn_command_sync(rc, (int)a.n, a.v, a.len, err, errlen);
    node_argv_free(&a);
    node_links_free(l);
    redisFree(rc);
    if (!r) {
        node_free(n);
        return NULL;
    }
    freeReplyObject(r);
    /* the loop's connection: on every (re)connection, the database, the
     * functions (a restarted server may lack them) and the job again */
    size_t k = 0;
    if (addr.db) {
        snprintf(n->dbtext, sizeof n->dbtext, "%d", addr.db);
        n->setup_select[0] = "SELECT";
        n->setup_select[1] = n->dbtext;
        n->setup[k++] = n->setup_select;
    }
    memcpy(n->setup_load, load, sizeof load);
    n->setup[k++] = n->setup_load;
    memcpy(n->setup_join, join, sizeof join);
    n->setup_join[8] = "1";
    n->setup[k++] = n->setup_join;
    n->rc = rconn_create(&addr, n->setup, NULL, NULL);
    return n;
}

void node_free(struct node *n)
{
    if (!n)
        return;
    rconn_free(n->rc);
    struct node_host *h, *ht;
    HASH_ITER(hh, n->hosts, h, ht)
    {
        HASH_DEL(n->hosts, h);
        free(h->name);
        free(h);
    }
    struct node_msg *m, *mt;
    HASH_ITER(hh, n->msgs, m, mt)
    {
        HASH_DEL(n->msgs, m);
        free(m->msg);
        free(m);
    }
    node_argv_free(&n->done);
    node_argv_free(&n->giveback);
    free((char *)n->cfg.config);
    free(n);
}

void node_leave(struct node *n)
{
    node_flush_done(n);
    const char *v[] = {"FCALL", "crawl_leave", "0", n->prefix, n->id};
    rconn_send(n->rc, 5, v, NULL, 0, NULL, NULL);
    /* the end of the run: waiting here blocks nothing else */
    for (int64_t t0 = clock_ms(), now = t0; rconn_outstanding(n->rc) && now - t0 < 5000;
         now = clock_ms()) {
        short ev = 0;
        int fd = rconn_pollfd(n->rc, &ev);
        struct pollfd p = {.fd = fd, .events = ev};
        if (fd < 0 || poll(&p, 1, 100) < 0)
            break;
        rconn_service(n->rc, p.revents, clock_ms());
    }
}
