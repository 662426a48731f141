/* records: link discovery, shortest depth, and the record life cycle
 * (write or hold, settle, journal, statistics). Owns the frontier and the
 * records it holds. */
#include "records.h"

#include "linkflags.h"

#include "archive.h"
#include "clock.h"
#include "frontier.h"
#include "log.h"
#include "node.h"
#include "url.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define RECORDS_HOST_PINNED 1 /* host mark: depth 0 pinned until its sitemaps are known */

struct records {
    const struct options *opt;
    const struct scope *scope;
    struct sched *sched;
    struct output *out;
    struct crawl_stats *st;
    struct warc *warc;
    struct journal *journal;
    struct frontier fr;
    struct node *node; /* a cluster crawl's shared frontier, or NULL */
    char **unsynced;   /* URLs written, not yet out of our buffers */
    size_t nunsynced;
    long resumed_fetched;
    int failed;
};

static void records_expand(struct records *r, struct entry *e, struct record *rec);
static int records_depth_limit(const struct records *r);

struct records *records_create(const struct records_config *cfg)
{
    struct records *r = xcalloc(1, sizeof *r);
    r->opt = cfg->opt;
    r->scope = cfg->scope;
    r->sched = cfg->sched;
    r->out = cfg->out;
    r->st = cfg->st;
    r->warc = cfg->warc;
    frontier_init(&r->fr, cfg->opt->depth);
    return r;
}

void records_free(struct records *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->nunsynced; i++)
        free(r->unsynced[i]);
    free(r->unsynced);
    struct entry *e, *tmp;
    HASH_ITER(hh, r->fr.live, e, tmp)
    {
        record_free(e->held);
        e->held = NULL;
    }
    frontier_free(&r->fr);
    free(r);
}

void records_set_journal(struct records *r, struct journal *j)
{
    r->journal = j;
}

int records_failed(const struct records *r)
{
    return r->failed;
}

long records_resumed(const struct records *r)
{
    return r->resumed_fetched;
}

void records_pin(struct records *r)
{
    frontier_pin(&r->fr);
}

void records_unpin(struct records *r)
{
    frontier_unpin(&r->fr);
}

void records_host_known(struct records *r, struct host *h)
{
    if (h->marks & RECORDS_HOST_PINNED) {
        h->marks &= ~RECORDS_HOST_PINNED;
        frontier_unpin(&r->fr);
    }
}

struct entry *records_take(struct records *r, const struct sched_decision *d)
{
    const struct queue_item *it = &d->item;
    uint64_t fp = seen_fp(it->url, it->url_len);
    struct entry *e = frontier_take(&r->fr, fp, d->depth, it->seq, it->url, it->url_len, it->parent,
                                    it->parent_len);
    if (e)
        e->host = d->host;
    return e;
}

int records_known(struct records *r, const char *url, int claim)
{
    uint64_t fp;
    int depth;
    if (frontier_lookup(&r->fr, url, &fp, &depth) != SEEN_NONE)
        return 1;
    if (claim)
        frontier_add_done(&r->fr, fp);
    return 0;
}

void records_commit(struct records *r, int64_t now, int force)
{
    int64_t pos;
    if (!r->journal || r->failed || !journal_commit_due(r->journal, now, force))
        return;
    if (output_commit(r->out, &pos) < 0 || journal_commit(r->journal, pos) < 0)
        r->failed = 1;
}

int64_t records_commit_wait_ms(const struct records *r, int64_t now)
{
    return r->journal ? journal_commit_wait_ms(r->journal, now) : -1;
}

/* The record was handed to the output: journal it with every hop of its
 * chain (committed with the next batch; a stream, which cannot be cut
 * back on --resume, commits each record at once). */
static void records_journal_done(struct records *r, const struct record *rec)
{
    size_t n = 0;
    const char **hops = xmalloc((rec->nhops + 1) * sizeof *hops);
    for (size_t i = 1; i < rec->nhops; i++)
        hops[n++] = rec->hops[i].url;
    if (rec->end_url)
        hops[n++] = rec->end_url; /* the fetched end of the chain */
    int64_t now = clock_ms();
    if (journal_done(r->journal, rec->fetched ? JOURNAL_FETCHED : JOURNAL_SKIPPED, rec->e->url,
                     hops, n, now) < 0)
        r->failed = 1;
    free(hops);
    records_commit(r, now, output_is_stream(r->out));
}

static void records_journal_seen(struct records *r, int nofollow, int depth, const char *url,
                                 const char *parent)
{
    if (r->journal && journal_seen(r->journal, nofollow ? JOURNAL_NOFOLLOW : JOURNAL_DISCOVERED,
                                   depth, url, parent) < 0)
        r->failed = 1;
}

/* Network failures a person can act on, in words. */
static const char *records_network_words(const char *error)
{
    static const char *const words[][2] = {
        {"dns", "could not resolve the host name"},
        {"connect", "could not connect (connection refused or host unreachable)"},
        {"timeout", "timed out"},
        {"tls", "the TLS handshake failed (see --no-check-certificate, --ca-certificate)"},
        {"transport", "the transfer failed"},
        {"no_fds", "out of file descriptors"},
    };
    for (size_t i = 0; error && i < sizeof words / sizeof words[0]; i++)
        if (!strcmp(error, words[i][0]))
            return words[i][1];
    return NULL;
}

static void records_count(struct records *r, const struct output_record *o)
{
    /* --fail-on-broken: a fetched URL that failed (not one left unfetched) */
    if (!o->reason && ((o->error && strcmp(o->error, "interrupted")) || o->status >= 400)) {
        char what[32];
        snprintf(what, sizeof what, "%ld", o->status);
        if (!r->st->broken++)
            snprintf(r->st->broken_first, sizeof r->st->broken_first, "%.300s (%s)%s%.300s", o->url,
                     o->error ? o->error : what, o->parent ? ", linked from " : "",
                     o->parent ? o->parent : "");
        /* the closing summary on a terminal lists the first few */
        stats_broken_add(&r->st->detail, o->url, o->error ? o->error : what, o->parent);
    }
    if (o->page && o->page->links_dropped) {
        if (!r->st->links_dropped)
            log_warn("%s has more links than --max-links %zu: %zu were dropped (the record's "
                     "links_dropped says how many; this is said once)",
                     o->url, r->opt->max_links, o->page->links_dropped);
        r->st->links_dropped += o->page->links_dropped;
    }
    if (o->depth == 0 && !o->parent) {
        const char *why = records_network_words(o->error);
        r->st->starts++;
        if (why && !r->st->starts_unreachable++)
            snprintf(r->st->start_error, sizeof r->st->start_error, "%.500s: %s", o->url, why);
    }
    r->st->bytes += o->bytes;
    if (o->error)
        r->st->errors++;
    else if (o->status >= 200 && o->status < 300)
        r->st->pages_ok++;
    else if (o->status >= 400)
        r->st->http_errors++;
    if (o->reason) {
        r->st->skipped++;
        if (!strncmp(o->reason, "robots", 6))
            r->st->robots_blocked++;
    }
    r->st->records++;
    stats_add(&r->st->detail, o->status, o->content_type, o->error, o->reason);
    if (log_get_level() >= LOG_LEVEL_INFO)
        log_info("%s %ld %s%s", o->url, o->status, o->error ? o->error : "",
                 o->reason ? o->reason : "");
}

/* Write rec's record, finish its entry, free rec. */
static void records_emit(struct records *r, struct record *rec)
{
    struct output_record o;
    record_view(rec, &o);
    records_count(r, &o);
    if (output_write(r->out, &o) < 0)
        r->failed = 1;
    else if (r->journal && !(o.error && !strcmp(o.error, "interrupted")))
        records_journal_done(r, rec);
    if (r->node) { /* reported once the output has it (records_node_sync) */
        r->unsynced = xrealloc(r->unsynced, (r->nunsynced + 1) * sizeof *r->unsynced);
        r->unsynced[r->nunsynced++] = xstrdup(rec->e->url);
    }
    frontier_finish(&r->fr, rec->e);
    record_free(rec);
}

/* Write held records whose depth became final (all of them with `all`),
 * lowest depth first; each costs O(1) in the number held. */
void records_settle(struct records *r, int all)
{
    if (r->node && node_paused(r->node, clock_ms()))
        return; /* this node may be taken for dead: nothing written till it knows */
    r->st->held_peak = r->fr.npending_peak;
    struct entry *e;
    while ((e = frontier_next_final(&r->fr, all))) {
        struct record *rec = e->held;
        e->held = NULL;
        records_emit(r, rec);
    }
    r->st->settle_steps = r->fr.settle_steps;
}

static struct node_links *records_node_links(struct records *r, struct record *rec);
static void records_classify(struct records *r, struct record *rec);

int records_depth_final(struct records *r, const struct entry *e)
{
    return frontier_depth_final(&r->fr, e);
}

int records_leaf_render(const struct records *r, const struct entry *e)
{
    /* at the limit for good: a page whose depth may still shrink is
     * expanded again then (records_relax), from its listed links */
    return !r->node && !r->warc && r->out && output_takes_links_json(r->out) &&
           e->depth + 1 > records_depth_limit(r) && frontier_depth_final(&r->fr, e);
}

/* Write rec now if its depth is final, else hold it. Never settles other
 * records: safe in the middle of a link expansion. In a cluster crawl the
 * shared frontier first admits the links and says the URL's depth
 * (records_on_completed comes back here). */
static void records_write_or_hold(struct records *r, struct record *rec)
{
    struct entry *e = rec->e;
    if (r->node && !rec->confirmed) {
        node_complete(r->node, e->url, rec->parsed ? records_node_links(r, rec) : NULL, rec);
        return;
    }
    if (frontier_depth_final(&r->fr, e) && !(r->node && node_paused(r->node, clock_ms()))) {
        records_emit(r, rec);
    } else {
        e->held = rec;
        frontier_pend(&r->fr, e);
    }
}

/* A URL decided without a fetch (reason code, and the error behind it or
 * NULL). Held like a page's record while a shorter path may appear. */
void records_skip(struct records *r, struct entry *e, const char *reason, const char *error)
{
    struct record *rec = record_new(e);
    rec->reason = reason;
    rec->error = error;
    records_write_or_hold(r, rec);
}

/* The chain behind rec is over: expand its links, archive them, then
 * write or hold the record. */
void records_complete(struct records *r, struct record *rec)
{
    if (rec->parsed) {
        if (r->node)
            records_classify(r, rec); /* the links go with node_complete */
        else
            records_expand(r, rec->e, rec);
        if (r->warc && archive_links(r->warc, rec->end_url ? rec->end_url : rec->e->url, rec->when,
                                     rec->warc_id, &rec->page) < 0)
            r->failed = 1;
    }
    records_write_or_hold(r, rec);
    records_settle(r, 0);
}

struct host *records_host(struct records *r, const char *url)
{
    struct host *h = sched_host(r->sched, url);
    /* With --sitemaps, a host's sitemaps may still bring depth-0 URLs
     * until its robots.txt is known: pages two levels down are not final
     * before that. */
    if (!r->node && r->opt->sitemaps && r->opt->robots && h->name[0] &&
        h->robots_state != HOST_ROBOTS_READY && !(h->marks & RECORDS_HOST_PINNED)) {
        h->marks |= RECORDS_HOST_PINNED;
        frontier_pin(&r->fr);
    }
    return h;
}

static void records_push(struct records *r, const char *url, const char *parent, int depth,
                         uint32_t seq)
{
    sched_push(r->sched, records_host(r, url), depth, seq, url, parent);
}

/* A new URL to fetch at depth: queued, unless its host's queue is full. */
static void records_admit(struct records *r, const char *url, uint64_t fp, const char *parent,
                          int depth)
{
    struct host *h = records_host(r, url);
    if (r->opt->max_queue && h->queued >= (size_t)r->opt->max_queue) {
        records_skip(r, frontier_add_active(&r->fr, fp, url, parent, depth), "queue_full", NULL);
        return;
    }
    uint32_t seq = frontier_add_queued(&r->fr, fp, depth);
    records_journal_seen(r, 0, depth, url, parent);
    sched_push(r->sched, h, depth, seq, url, parent);
}

static void records_set_parent(struct entry *x, const char *parent)
{
    free(x->parent);
    x->parent = parent ? xstrdup(parent) : NULL;
}

/* A shorter path to url (in seen state st at depth old) was found: move
 * it to depth d. */
static void records_relax(struct records *r, const char *url, uint64_t fp, int st, int old, int d,
                          const char *parent)
{
    struct entry *x;
    switch (st) {
    case SEEN_QUEUED:
        records_push(r, url, parent, d, frontier_requeue(&r->fr, fp, old, d));
        records_journal_seen(r, 0, d, url, parent);
        return;
    case SEEN_LIVE:
    case SEEN_NOFOLLOW:
        x = frontier_entry(&r->fr, fp);
        if (!x)
            return;
        frontier_set_depth(&r->fr, x, d);
        records_set_parent(x, parent);
        records_journal_seen(r, st == SEEN_NOFOLLOW, d, url, parent);
        if (x->state == ENTRY_PENDING)
            records_expand(r, x, x->held); /* its children may get closer too */
        return;
    default:
        return; /* written already (or a redirect hop): depth is kept */
    }
}

/* Per-link flags, computed once per page. A page whose links a worker
 * rendered (links_json) has none here: nothing of it is followed. */
static void records_classify(struct records *r, struct record *rec)
{
    const struct html_page *p = &rec->page;
    if (rec->external || !p->nlinks)
        return;
    struct link_rules lr = {r->scope, r->opt->robots};
    int page_nofollow = link_page_nofollow(&lr, p);
    rec->external = xmalloc(p->nlinks);
    for (size_t i = 0; i < p->nlinks; i++) {
        char *folded;
        rec->external[i] = link_flags(&lr, page_nofollow, &p->links[i], &folded);
        if (folded) /* dir/index.html read from disk is dir/ */
            html_page_set_url(&rec->page, i, folded);
    }
}

/* One in-scope link target u of e (NULL for a start) at depth nd. */
static void records_discover(struct records *r, struct entry *e, const char *u, int nd,
                             int nofollow, int external)
{
    uint64_t fp;
    int depth = 0;
    const char *parent = e ? e->url : NULL;
    int st = frontier_lookup(&r->fr, u, &fp, &depth);
    if (st == SEEN_NOFOLLOW && !nofollow) {
        /* Followable after all: it joins the crawl. Its depth and parent
         * are those of the followable path: the nofollow ones never
         * counted. */
        uint32_t seq = frontier_follow(&r->fr, frontier_entry(&r->fr, fp), nd);
        records_journal_seen(r, 0, nd, u, parent);
        records_push(r, u, parent, nd, seq);
        return;
    }
    if (st != SEEN_NONE) {
        if (depth > nd)
            records_relax(r, u, fp, st, depth, nd, parent);
        return;
    }
    const char *why = external ? NULL : scope_rule(r->scope, u); /* rules are for the site */
    if (why) {
        records_skip(r, frontier_add_active(&r->fr, fp, u, parent, nd), why, NULL);
        return;
    }
    if (nofollow) {
        frontier_add_nofollow(&r->fr, fp, u, parent, nd);
        records_journal_seen(r, 1, nd, u, parent);
        return;
    }
    records_admit(r, u, fp, parent, nd);
}

/* The deepest a URL is admitted: --depth, or one more for the off-site
 * links --check-external checks on the last level. */
static int records_depth_limit(const struct records *r)
{
    return r->opt->depth + (r->opt->check_external ? 1 : 0);
}

/* Which links are followed: pages (a, area, link, frames, a meta
 * refresh) always; what pages embed only with -p; a form's action never
 * (it is recorded, never submitted). */
static int records_follows_tag(const struct records *r, const char *tag)
{
    static const char *const pages[] = {"a", "area", "link", "iframe", "frame", "meta"};
    for (size_t i = 0; i < sizeof pages / sizeof pages[0]; i++)
        if (!strcmp(tag, pages[i]))
            return 1;
    return strcmp(tag, "form") != 0 && r->opt->page_requisites;
}

/* What link i of rec (classified) may add to the frontier: 'x' an
 * off-site link to check (--check-external), 'f' a page of the site to
 * follow, 0 nothing (an unusable link is listed, never fetched). Depth
 * limits are the caller's. */
static char records_link_class(const struct records *r, const struct record *rec, size_t i)
{
    const struct html_link *l = &rec->page.links[i];
    if (l->unusable)
        return 0;
    if (rec->external[i] & OUTPUT_LINK_EXTERNAL)
        return r->opt->check_external && strcmp(l->tag, "form") &&
                       (!strncmp(l->url, "http://", 7) || !strncmp(l->url, "https://", 8))
                   ? 'x'
                   : 0;
    return records_follows_tag(r, l->tag) ? 'f' : 0;
}

static void records_expand(struct records *r, struct entry *e, struct record *rec)
{
    const struct html_page *p = &rec->page;
    int nd = e->depth + 1;
    records_classify(r, rec);
    /* --check-external: off-site links of every parsed page, the last
     * level's included, are checked once at the next depth */
    if (nd > records_depth_limit(r))
        return;
    for (size_t i = 0; i < p->nlinks; i++) {
        char class = records_link_class(r, rec, i);
        int nofollow = rec->external[i] & OUTPUT_LINK_NOFOLLOW;
        if (class == 'x' || (class == 'f' && nd <= r->opt->depth))
            records_discover(r, e, p->links[i].url, nd, nofollow, class == 'x');
    }
}

/* --resume: rebuild the frontier from the journal. */
void records_on_journal(void *ctx, enum journal_kind kind, int depth, const char *url,
                        const char *parent, const char *const *hops, size_t nhops)
{
    struct records *r = ctx;
    char *canon = NULL;
    uint64_t fp, pfp;
    int d = 0, pd;
    /* URLs are canonical; anything else is damage: skip it. */
    int ok = url_canonicalize(url, &canon) == URL_OK && !strcmp(canon, url) &&
             (!parent || frontier_lookup(&r->fr, parent, &pfp, &pd) != SEEN_NONE);
    free(canon);
    if (!ok) {
        log_warn("state file: skipping a damaged entry for %s", url);
        return;
    }
    int st = frontier_lookup(&r->fr, url, &fp, &d);
    if (kind == JOURNAL_DISCOVERED || kind == JOURNAL_NOFOLLOW) {
        if (depth > records_depth_limit(r))
            return;
        if (st == SEEN_NONE) {
            if (kind == JOURNAL_NOFOLLOW)
                frontier_add_nofollow(&r->fr, fp, url, parent, depth);
            else
                records_push(r, url, parent, depth, frontier_add_queued(&r->fr, fp, depth));
        } else if (st == SEEN_NOFOLLOW && kind == JOURNAL_DISCOVERED) {
            records_push(r, url, parent, depth,
                         frontier_follow(&r->fr, frontier_entry(&r->fr, fp), depth));
        } else if (depth < d) {
            records_relax(r, url, fp, st, d, depth, parent);
        }
        return;
    }
    /* F or S: the record is in an earlier run's output. */
    frontier_mark_done(&r->fr, fp);
    if (kind == JOURNAL_FETCHED)
        r->resumed_fetched++;
    for (size_t i = 0; i < nhops; i++)
        if (frontier_lookup(&r->fr, hops[i], &fp, &d) == SEEN_NONE)
            frontier_add_done(&r->fr, fp);
}

/* URLs seen only through nofollow links get their record at the end. */
void records_add_start(struct records *r, const char *url)
{
    uint64_t fp;
    int depth;
    if (frontier_lookup(&r->fr, url, &fp, &depth) != SEEN_NONE)
        return; /* the same start given twice */
    uint32_t seq = frontier_add_queued(&r->fr, fp, 0);
    records_journal_seen(r, 0, 0, url, NULL);
    records_push(r, url, NULL, 0, seq);
}

void records_add_seed(struct records *r, const char *url)
{
    if (r->node) /* the job's frontier decides (its pin waits for this) */
        node_admit_seed(r->node, url, scope_rule(r->scope, url));
    else
        records_discover(r, NULL, url, 0, 0, 0);
}

void records_flush_nofollow(struct records *r)
{
    struct entry *e;
    while ((e = frontier_any_nofollow(&r->fr))) {
        struct record *rec = record_new(e);
        rec->reason = "nofollow";
        records_emit(r, rec);
    }
}

/* ---- a cluster crawl (node.h): the shared frontier decides ---- */

void records_set_node(struct records *r, struct node *n)
{
    r->node = n;
    r->fr.remote_min = 0; /* nothing is final before the cluster's counts come */
}

void records_set_remote_min(struct records *r, int depth)
{
    r->fr.remote_min = depth;
}

/* rec's links as the shared frontier takes them: the same choice as
 * records_expand, with the depth limits applied in Redis (where the
 * URL's current depth is known). */
static struct node_links *records_node_links(struct records *r, struct record *rec)
{
    const struct html_page *p = &rec->page;
    struct node_links *l = node_links_new();
    records_classify(r, rec);
    for (size_t i = 0; i < p->nlinks; i++) {
        const char *u = p->links[i].url;
        char class = records_link_class(r, rec, i);
        if (class)
            node_links_add(l, u, class, rec->external[i] & OUTPUT_LINK_NOFOLLOW,
                           class == 'f' ? scope_rule(r->scope, u) : NULL);
    }
    return l;
}

void records_on_completed(struct records *r, void *token, int depth, const char *parent)
{
    struct record *rec = token;
    struct entry *e = rec->e;
    if (depth < 0) { /* redone by another node: its record is theirs */
        records_forget(r, rec);
        return;
    }
    if (depth != e->depth)
        frontier_set_depth(&r->fr, e, depth);
    records_set_parent(e, parent);
    rec->confirmed = 1;
    records_write_or_hold(r, rec);
    records_settle(r, 0);
}

void records_node_sync(struct records *r)
{
    if (!r->nunsynced || r->failed)
        return;
    if (output_flush(r->out) < 0) {
        r->failed = 1;
        return;
    }
    if (output_pending(r->out))
        return; /* a reader that has not taken them yet */
    for (size_t i = 0; i < r->nunsynced; i++) {
        node_done(r->node, r->unsynced[i]);
        free(r->unsynced[i]);
    }
    r->nunsynced = 0;
}

/* A reason code from the shared frontier, as one of ours (records keep
 * static strings). */
static const char *records_reason_code(const char *reason)
{
    static const char *const codes[] = {"too_long", "trap", "excluded", "queue_full", "max_pages"};
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++)
        if (!strcmp(reason, codes[i]))
            return codes[i];
    return "excluded";
}

/* A URL the cluster gives this node: 1 with *fp when it is new here; 0
 * when it is here already, and when its record was written here before
 * it was given out again, the cluster hears so. */
static int records_given(struct records *r, const char *url, uint64_t *fp)
{
    int d;
    int st = frontier_lookup(&r->fr, url, fp, &d);
    if (st == SEEN_DONE)
        node_done(r->node, url);
    return st == SEEN_NONE;
}

void records_on_item(struct records *r, int depth, const char *url, const char *parent,
                     const char *reason)
{
    uint64_t fp;
    if (!records_given(r, url, &fp))
        return;
    if (reason) {
        records_skip(r, frontier_add_active(&r->fr, fp, url, parent, depth),
                     records_reason_code(reason), NULL);
        return;
    }
    sched_push(r->sched, records_host(r, url), depth, frontier_add_queued(&r->fr, fp, depth), url,
               parent);
}

void records_on_lowered(struct records *r, const char *msg, uint64_t fp, int depth,
                        const char *parent)
{
    struct entry *e = frontier_entry(&r->fr, fp);
    struct node_links *l = NULL;
    if (e && e->state == ENTRY_PENDING) {
        if (depth < e->depth)
            frontier_set_depth(&r->fr, e, depth);
        records_set_parent(e, parent);
        if (e->held && e->held->parsed)
            l = records_node_links(r, e->held);
    }
    node_reexpand(r->node, msg, fp, l);
}

void records_on_nofollow(struct records *r, int depth, const char *url, const char *parent)
{
    uint64_t fp;
    int d;
    if (frontier_lookup(&r->fr, url, &fp, &d) != SEEN_NONE) {
        node_done(r->node, url);
        return;
    }
    struct record *rec = record_new(frontier_add_active(&r->fr, fp, url, parent, depth));
    rec->reason = "nofollow";
    records_emit(r, rec);
}

void records_give_back(struct records *r, struct host *h)
{
    struct queue_item it;
    int depth;
    while (sched_take_queued(r->sched, h, &depth, &it)) {
        char *url = xmemdup0(it.url, it.url_len);
        uint64_t fp = seen_fp(url, it.url_len);
        int d;
        /* a stale item (the URL went on at a smaller depth) is not given */
        if (frontier_lookup(&r->fr, url, &fp, &d) == SEEN_QUEUED && d == depth) {
            frontier_forget(&r->fr, fp);
            node_giveback(r->node, url);
        }
        free(url);
    }
}

void records_forget_held(struct records *r)
{
    struct entry *e;
    while ((e = frontier_next_final(&r->fr, 1))) {
        record_free(e->held);
        e->held = NULL;
        frontier_forget_held(&r->fr, e);
    }
}

void records_forget(struct records *r, struct record *rec)
{
    struct entry *e = rec->e;
    record_free(rec);
    frontier_forget_held(&r->fr, e);
}

struct entry *records_add_handed(struct records *r, const char *url, const char *parent, int depth)
{
    uint64_t fp;
    return records_given(r, url, &fp) ? frontier_add_active(&r->fr, fp, url, parent, depth) : NULL;
}
