/* node: this process as one node of a cluster crawl (--redis --job): the
 * shared frontier's client. The seen set, every URL's best depth, the
 * per-host queues, host leases and the cluster's unfinished counts live
 * in Redis (cluster/frontier.lua, every step atomic); this module sends
 * the steps and hands their answers to the callbacks it was given. It
 * never calls the loop, the scheduler or the records by name.
 *
 * The flow: URLs of the hosts this node leases arrive by claims
 * (on_item); a URL's fetch ends with node_complete (its links join the
 * cluster's frontier at its depth + 1, read atomically in Redis, and
 * on_completed gives that depth); its record is held until the
 * cluster's lowest unfinished depth allows (on_counts), then
 * written and reported with node_done. A held URL whose depth another
 * node lowered comes back through on_lowered and is re-expanded with
 * node_reexpand. Every command is safe to run twice, so commands lost
 * with the connection are sent again after it is back. */
#ifndef CRAWL_NODE_H
#define CRAWL_NODE_H

#include <poll.h>
#include <stddef.h>
#include <stdint.h>

struct node;

struct node_callbacks {
    void *ctx;
    /* A URL of a leased host to fetch (reason NULL) or to record without
     * a fetch (reason: a scope rule, queue_full). parent NULL for starts.
     * chain: a redirect chain handed from another node (node_handoff): the
     * URL's chain goes on here at the target it names (chain.h reads it). */
    void (*on_item)(void *ctx, const char *host, int depth, const char *url, const char *parent,
                    const char *reason, const char *chain);
    /* node_handoff's answer: 0 handed (the record is another node's now),
     * 1 the target is known (the chain ends here), -1 not this node's URL
     * any more or no answer (the node is being freed). */
    void (*on_handoff)(void *ctx, void *token, int result);
    /* This node leases host now; robots: its robots.txt as stored for the
     * job (node_robots_store's value), or NULL when not fetched yet;
     * sitemaps: its sitemaps are still to be read (--sitemaps; then
     * node_smdone once they are). */
    void (*on_lease)(void *ctx, const char *host, const char *robots, int sitemaps);
    /* How many more URLs of host this node wants (0: enough for now), or
     * -1 when it is idle on host (the lease may go). */
    int (*want)(void *ctx, const char *host);
    /* node_complete's answer: the URL's depth and parent (NULL for a
     * start) as the cluster knows them; depth -1 when the URL is no longer
     * this node's (it was redone elsewhere): drop its record. */
    void (*on_completed)(void *ctx, void *token, int depth, const char *parent);
    /* A held URL (fp) of this node was lowered to depth: answer with
     * node_reexpand(msg, ...) once its links are listed again. */
    void (*on_lowered)(void *ctx, const char *msg, uint64_t fp, int depth, const char *parent);
    /* At the end: a URL seen only through nofollow links, whose record
     * this node writes (then node_done). */
    void (*on_nofollow)(void *ctx, int depth, const char *url, const char *parent);
    /* The cluster's lowest unfinished depth (INT_MAX: none), read with
     * every answer in the same atomic step as this node's inbox. */
    void (*on_counts)(void *ctx, int min_unfinished);
    /* node_hop's answer: known 1 (the URL is the cluster's already), 0
     * (it is now a redirect hop of the asking chain), -1 (no answer: the
     * node is being freed). */
    void (*on_hop)(void *ctx, void *token, int known);
    /* Another node took host's lease (this one was silent too long): give
     * back (node_giveback) the URLs of host queued here. */
    void (*on_lost)(void *ctx, const char *host);
    /* This node had been taken for dead: what it holds was redone by the
     * others (after on_lost for each of its hosts). */
    void (*on_reclaimed)(void *ctx);
};

struct node_config {
    const char *redis_url; /* redis://IP[:PORT][/DB] or unix:///path */
    const char *job;
    const char *config; /* the options every node must share, as text */
    int lease_ms;       /* host leases and node liveness */
    int max_hosts;      /* hosts leased at once */
    int batch;          /* URLs claimed per host at a time */
    int limit_follow;   /* --depth */
    int limit_external; /* --depth, + 1 with --check-external */
    long max_queue;     /* --max-queue (0: none) */
    long max_pages;     /* --max-pages for the whole job (0: none) */
    int sitemaps;       /* --sitemaps: hosts pin depth 0 until read */
};

/* Connect (blocking, at start-up: a clear error when Redis is not there),
 * load the functions, create or join the job and admit the start URLs.
 * NULL with a message in err. */
struct node *node_open(const struct node_config *cfg, const struct node_callbacks *cb,
                       char *const *starts, size_t nstarts, char *err, size_t errlen);
void node_free(struct node *n);

/* A page's links, built for node_complete / node_reexpand. */
struct node_links;
struct node_links *node_links_new(void);
/* kind: 'f' a page of the site or 'x' an off-site link to check;
 * nofollow; reason: a scope rule keeping it unfetched, or NULL. */
void node_links_add(struct node_links *l, const char *url, char kind, int nofollow,
                    const char *reason);

/* The URL's fetch or decision is over (links may be NULL; taken). */
void node_complete(struct node *n, const char *url, struct node_links *links, void *token);
/* The answer to on_lowered for the URL fp (links may be NULL; taken). */
void node_reexpand(struct node *n, const char *msg, uint64_t fp, struct node_links *links);
/* A redirect target: is it known to the cluster (then on_hop(1)), or
 * does it become a hop of the asking chain (on_hop(0))? */
void node_hop(struct node *n, const char *url, void *token);
/* The chain of url (its nhops hops so far) redirects to target, on a
 * host this node may not lease: the chain goes on at the target host's
 * lease holder (on_handoff answers). */
struct output_hop;
void node_handoff(struct node *n, const char *url, const char *target,
                  const struct output_hop *hops, size_t nhops, void *token);
/* A URL this node took goes back to the cluster's queue (sent with the
 * next turn). */
void node_giveback(struct node *n, const char *url);
/* Send the batched done and give-back reports now. */
void node_flush(struct node *n);
/* The URL's record is written. */
void node_done(struct node *n, const char *url);
/* These hosts' sitemaps are read and their URLs admitted (send after the
 * admissions: the connection keeps the order). */
void node_smdone(struct node *n, const char *const *hosts, size_t nhosts);
/* Admit a start URL found in a sitemap at depth 0 (reason: a scope rule
 * keeping it unfetched, or NULL). */
void node_admit_seed(struct node *n, const char *url, const char *reason);
/* host's robots.txt as this node read it, for the rest of the job. */
void node_robots_store(struct node *n, const char *host, const char *value);

/* Nonzero while the job is not over: something is queued, taken or held
 * anywhere, or this node still has commands to send or answers to read. */
int node_busy(const struct node *n);
/* Commands sent and not answered yet. */
size_t node_outstanding(const struct node *n);
/* Nonzero when this node should start no transfer: Redis is away, or no
 * poll answered for 3/4 of the lease (its leases may be lapsing). */
int node_paused(const struct node *n, int64_t now);
/* Nonzero once the job data was refused (*why says why). */
int node_failed(const struct node *n, const char **why);

/* The loop's side: one descriptor to poll, then service with its revents
 * (claims, polls, releases, batched dones happen here). */
int node_pollfd(const struct node *n, short *events);
void node_service(struct node *n, short revents, int64_t now);
int64_t node_wait_ms(const struct node *n, int64_t now);

/* This node stops: written records reported, everything else it took
 * given back to the cluster at once (waits up to 5 s for Redis). */
void node_leave(struct node *n);

/* Round trips to Redis so far, and URLs this node completed. */
uint64_t node_round_trips(const struct node *n);

/* The key prefix of job NAME ("crawl:NAME:"): 0, or -1 with a message in
 * err when the name is empty, too long or holds spaces, ':' or braces. */
int node_job_prefix(const char *job, char *out, size_t n, char *err, size_t errlen);

#endif
