/* share: the crawl's side of a cluster crawl (see share.h). Owns the
 * node and the robots.txt of newly leased hosts until their first URL. */
#include "share.h"

#include "buf.h"
#include "chain.h"
#include "node.h"
#include "robots.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

#include "uthash.h"

struct share_lease;

struct share_due { /* a leased host whose sitemaps are this node's to read */
    char *name;
    UT_hash_handle hh;
};

struct share {
    struct share_config cfg;
    struct node *node;
    struct share_lease *leases;
    struct share_due *due;
    int64_t now;
};

int share_sitemaps_due(struct share *s, const char *name)
{
    struct share_due *d;
    HASH_FIND_STR(s->due, name, d);
    if (!d)
        return 0;
    HASH_DEL(s->due, d);
    free(d->name);
    free(d);
    return 1;
}

static void share_hop(void *ctx, void *token, int known)
{
    struct share *s = ctx;
    s->cfg.on_hop(s->cfg.ctx, token, known);
}

#define SHARE_BATCH 16 /* URLs claimed per leased host at a time */

/* robots.txt as the cluster keeps it: "R||body" rules, "A||" allow all,
 * "U|error|" nothing allowed. */
void share_robots_store(struct share *s, struct host *h, const struct fetch_response *r, int rules,
                        int unreachable)
{
    struct buf v;
    buf_init(&v, r->body_len + 64);
    if (rules)
        buf_printf(&v, "R||");
    else if (unreachable)
        buf_printf(&v, "U|%s|", r->err ? fetch_err_code(r->err) : "");
    else
        buf_printf(&v, "A||");
    if (rules && r->body)
        buf_append(&v, r->body, r->body_len);
    buf_append(&v, "", 1);
    node_robots_store(s->node, h->name, v.data);
    buf_free(&v);
}

static void share_robots_apply(struct share *s, struct host *h, const char *v)
{
    static const char *const codes[] = {"dns", "connect", "timeout", "tls", "transport"};
    char token[64];
    const char *error = NULL;
    if (v[0] == 'U')
        for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++)
            if (!strncmp(v + 2, codes[i], strlen(codes[i])) && v[2 + strlen(codes[i])] == '|')
                error = codes[i];
    robots_product_token(s->cfg.opt->user_agent, token, sizeof token);
    const char *body = strchr(v + 2, '|');
    struct robots *rules =
        v[0] == 'R' && body ? robots_parse(body + 1, strlen(body + 1), token) : NULL;
    sched_robots_done(s->cfg.sched, h, rules, v[0] == 'U', error);
    s->cfg.on_known(s->cfg.ctx, h); /* its sitemaps may be read now */
}

struct share_lease { /* a leased host's stored robots.txt, until its first URL */
    char *name, *robots;
    UT_hash_handle hh;
};

static void share_lease(void *ctx, const char *name, const char *robots, int sitemaps)
{
    struct share *s = ctx;
    struct share_lease *l;
    if (sitemaps && s->cfg.opt->sitemaps) {
        struct share_due *d;
        HASH_FIND_STR(s->due, name, d);
        if (!d) {
            d = xcalloc(1, sizeof *d);
            d->name = xstrdup(name);
            HASH_ADD_KEYPTR(hh, s->due, d->name, strlen(d->name), d);
        }
    }
    if (!robots || !s->cfg.opt->robots)
        return;
    HASH_FIND_STR(s->leases, name, l);
    if (l)
        return;
    l = xcalloc(1, sizeof *l);
    l->name = xstrdup(name);
    l->robots = xstrdup(robots);
    HASH_ADD_KEYPTR(hh, s->leases, l->name, strlen(l->name), l);
}

static void share_item(void *ctx, const char *name, int depth, const char *url, const char *parent,
                       const char *reason, const char *chain)
{
    struct share *s = ctx;
    struct share_lease *l;
    char *target = chain ? chain_target(chain) : NULL;
    HASH_FIND_STR(s->leases, name, l);
    if (l) { /* robots.txt read by an earlier node of the job: not again */
        struct host *h = records_host(s->cfg.rec, target ? target : url);
        HASH_DEL(s->leases, l);
        if (h->robots_state != HOST_ROBOTS_READY)
            share_robots_apply(s, h, l->robots);
        free(l->name);
        free(l->robots);
        free(l);
    }
    if (chain)
        s->cfg.on_chain(s->cfg.ctx, depth, url, parent, chain, target);
    else
        records_on_item(s->cfg.rec, depth, url, parent, reason);
    free(target);
}

static void share_counts(void *ctx, int min_unfinished)
{
    records_set_remote_min(((struct share *)ctx)->cfg.rec, min_unfinished);
}

static void share_handoff(void *ctx, void *token, int result)
{
    struct share *s = ctx;
    s->cfg.on_handoff(s->cfg.ctx, token, result);
}

/* More URLs wanted: of host `name`, or (name NULL) at all. */
static int share_want(void *ctx, const char *name)
{
    struct share *s = ctx;
    if (!name)
        return s->cfg.room(s->cfg.ctx) &&
               sched_queued(s->cfg.sched) < (size_t)s->cfg.opt->concurrency * SHARE_BATCH;
    struct host *h = sched_find_host(s->cfg.sched, name);
    if (!h)
        return SHARE_BATCH;
    int room = s->cfg.room(s->cfg.ctx);
    if (h->queued || h->active || h->parked_head || !room)
        return h->queued < SHARE_BATCH / 2 && room ? (int)(SHARE_BATCH - h->queued) : 0;
    /* idle; let it go only once its next request would be allowed, so
     * the next node may start at once */
    return h->next_start <= s->now && h->backoff_until <= s->now ? -1 : SHARE_BATCH;
}

static void share_completed(void *ctx, void *token, int depth, const char *parent)
{
    records_on_completed(((struct share *)ctx)->cfg.rec, token, depth, parent);
}

static void share_lowered(void *ctx, const char *msg, uint64_t fp, int depth, const char *parent)
{
    records_on_lowered(((struct share *)ctx)->cfg.rec, msg, fp, depth, parent);
}

static void share_nofollow(void *ctx, int depth, const char *url, const char *parent)
{
    records_on_nofollow(((struct share *)ctx)->cfg.rec, depth, url, parent);
}

/* What every node of a job must share, as text (crawl_join compares it). */
static void share_lost(void *ctx, const char *name)
{
    struct share *s = ctx;
    struct host *h = sched_find_host(s->cfg.sched, name);
    if (h)
        records_give_back(s->cfg.rec, h);
}

static void share_reclaimed(void *ctx)
{
    records_forget_held(((struct share *)ctx)->cfg.rec);
}

static char *share_config_text(const struct options *o, char **starts, size_t n)
{
    struct buf b;
    buf_init(&b, 1 << 20);
    buf_printf(&b,
               "depth=%d check-external=%d page-requisites=%d robots=%d subdomains=%d "
               "no-parent=%d max-url-length=%d max-queue=%ld max-pages=%ld no-parse-leaves=%d "
               "sitemaps=%d domains=%s exclude-domains=%s user-agent=%s",
               o->depth, o->check_external, o->page_requisites, o->robots, o->subdomains,
               o->no_parent, o->max_url_len, o->max_queue, o->max_pages, o->no_parse_leaves,
               o->sitemaps, o->domains ? o->domains : "",
               o->exclude_domains ? o->exclude_domains : "", o->user_agent);
    for (int i = 0; i < o->ninclude; i++)
        buf_printf(&b, " include=%s", o->include[i]);
    for (int i = 0; i < o->nexclude; i++)
        buf_printf(&b, " exclude=%s", o->exclude[i]);
    for (size_t i = 0; i < n; i++)
        buf_printf(&b, " start=%s", starts[i]);
    char *s = xmemdup0(b.data, b.len);
    buf_free(&b);
    return s;
}

struct share *share_open(const struct share_config *cfg, char **starts, size_t n, char *err,
                         size_t errlen)
{
    struct share *s = xcalloc(1, sizeof *s);
    s->cfg = *cfg;
    const struct options *o = cfg->opt;
    char *config = share_config_text(o, starts, n);
    struct node_config nc = {
        .redis_url = o->redis,
        .job = o->job,
        .config = config,
        .lease_ms = o->lease_ms,
        .max_hosts = o->concurrency,
        .batch = SHARE_BATCH,
        .limit_follow = o->depth,
        .limit_external = o->depth + (o->check_external ? 1 : 0),
        .max_queue = o->max_queue,
        .max_pages = o->max_pages,
        .sitemaps = o->sitemaps && o->robots,
    };
    struct node_callbacks cb = {
        .ctx = s,
        .on_item = share_item,
        .on_lease = share_lease,
        .want = share_want,
        .on_completed = share_completed,
        .on_lowered = share_lowered,
        .on_nofollow = share_nofollow,
        .on_hop = share_hop,
        .on_handoff = share_handoff,
        .on_counts = share_counts,
        .on_lost = share_lost,
        .on_reclaimed = share_reclaimed,
    };
    s->node = node_open(&nc, &cb, starts, n, err, errlen);
    free(config);
    if (!s->node) {
        free(s);
        return NULL;
    }
    records_set_node(cfg->rec, s->node);
    return s;
}

void share_free(struct share *s)
{
    if (!s)
        return;
    node_free(s->node);
    struct share_due *d, *dtmp;
    HASH_ITER(hh, s->due, d, dtmp)
    {
        HASH_DEL(s->due, d);
        free(d->name);
        free(d);
    }
    struct share_lease *l, *ltmp;
    HASH_ITER(hh, s->leases, l, ltmp)
    {
        HASH_DEL(s->leases, l);
        free(l->name);
        free(l->robots);
        free(l);
    }
    free(s);
}

struct node *share_node(struct share *s)
{
    return s->node;
}

void share_set_now(struct share *s, int64_t now)
{
    s->now = now;
}
