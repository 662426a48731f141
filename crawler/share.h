/* share: the crawl's side of a cluster crawl (--redis). Opens this
 * process as a node of the job (node.h) and answers the node's callbacks
 * with the records and the scheduler: claimed URLs join the local host
 * queues, robots.txt read by an earlier node is applied instead of fetched
 * again, idle hosts are let go, held URLs lowered elsewhere re-expand.
 * Never starts a transfer: redirect answers go back to the loop (on_hop),
 * and the loop says when there is room for more work (room). */
#ifndef CRAWL_SHARE_H
#define CRAWL_SHARE_H

#include <stddef.h>
#include <stdint.h>

#include "fetch.h"
#include "host.h"
#include "records.h"
#include "sched.h"
#include "settings.h"

struct node;
struct share;

struct share_config {
    const struct options *opt;
    struct records *rec;
    struct sched *sched;
    void *ctx; /* the loop's, for the two calls below */
    /* May more work be taken now (not stopping, room for transfers)? */
    int (*room)(void *ctx);
    /* node_hop's answer for a redirecting transfer (node.h on_hop). */
    void (*on_hop)(void *ctx, void *token, int known);
    /* h's robots.txt is known (read from the job): its sitemaps may be
     * read now (share_sitemaps_due says whether they are this node's). */
    void (*on_known)(void *ctx, struct host *h);
    /* node_handoff's answer (node.h on_handoff). */
    void (*on_handoff)(void *ctx, void *token, int result);
    /* A chain handed from another node: url's record (depth, parent) is
     * this node's; its chain goes on at target (node_chain_hop lists its
     * hops so far). */
    void (*on_chain)(void *ctx, int depth, const char *url, const char *parent, const char *chain,
                     const char *target);
};

/* Connect, join or create the job, admit the start URLs (blocking, at
 * start-up). NULL with a message in err. */
struct share *share_open(const struct share_config *cfg, char **starts, size_t n, char *err,
                         size_t errlen);
/* Frees the node too (commands not answered hear they are lost). */
void share_free(struct share *s);
/* The node, for the loop's poll and its questions (busy, paused...). */
struct node *share_node(struct share *s);
/* The loop's clock for this turn (idle hosts are let go by it). */
void share_set_now(struct share *s, int64_t now);
/* --sitemaps: 1 (once) when this node is to read the sitemaps of the host
 * named name (the job has not read them yet), else 0. */
int share_sitemaps_due(struct share *s, const char *name);
/* h's robots.txt was fetched here: keep it for the job's other nodes. */
void share_robots_store(struct share *s, struct host *h, const struct fetch_response *r, int rules,
                        int unreachable);

#endif
