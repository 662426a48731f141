/* records: the crawl's policy on URLs: what a page's links add to the
 * frontier (scope, nofollow, shortest depth, the per-host queue cap) and
 * when a record is written (held until its depth is final, then written
 * in depth order), with the journal lines and statistics that go with
 * each record. Owns the frontier and every record handed to it; queues
 * URLs on the scheduler; writes the output, the journal and the WARC
 * outlinks. Never starts a transfer and never calls the loop. */
#ifndef CRAWL_RECORDS_H
#define CRAWL_RECORDS_H

#include <stdint.h>

#include "crawl.h"
#include "journal.h"
#include "record.h"
#include "sched.h"

struct warc;
struct records;

struct records_config {
    const struct options *opt;
    const struct scope *scope;
    struct sched *sched;
    struct output *out;
    struct crawl_stats *st;
    struct warc *warc; /* or NULL */
};

struct records *records_create(const struct records_config *cfg);
/* Frees the frontier and every held record. */
void records_free(struct records *r);
/* --state: from now on every record and discovery is journaled. */
void records_set_journal(struct records *r, struct journal *j);
/* Nonzero once the output, the journal or the archive failed. */
int records_failed(const struct records *r);

/* The host of url (sched_host), pinned with --sitemaps until its
 * robots.txt and sitemaps are known (records_host_known). */
struct host *records_host(struct records *r, const char *url);
void records_host_known(struct records *r, struct host *h);
/* A start URL at depth 0 (nothing if known). */
void records_add_start(struct records *r, const char *url);
/* A URL from a sitemap joins at depth 0, as a link would (scope rules). */
void records_add_seed(struct records *r, const char *url);
/* Pin depth 0 while a sitemap that may add start URLs is pending. */
void records_pin(struct records *r);
void records_unpin(struct records *r);

/* A queue item came up: its live entry (ACTIVE), or NULL when stale. */
struct entry *records_take(struct records *r, const struct sched_decision *d);
/* A redirect target: nonzero if the crawl knows it already; otherwise,
 * with `claim`, it becomes a hop of the chain that reached it. */
int records_known(struct records *r, const char *url, int claim);

/* Nonzero when e's depth can no longer decrease (no unfinished URL could
 * still reach it by a shorter path). */
int records_depth_final(struct records *r, const struct entry *e);
/* Nonzero when e's page, once fetched, may have its links rendered by the
 * parse worker (linkflags.h): none of them will be followed (e is at the
 * depth limit, and its depth is final), and only the JSONL output takes
 * them (no cluster, no WARC). */
int records_leaf_render(const struct records *r, const struct entry *e);
/* e is decided without a fetch: its record, with a reason code (and the
 * error behind it, or NULL), is written or held. */
void records_skip(struct records *r, struct entry *e, const char *reason, const char *error);
/* The chain behind rec is over (rec is taken): expand its links, archive
 * them, write or hold the record, write whatever became final. */
void records_complete(struct records *r, struct record *rec);
/* Write held records whose depth is final (all of them with `all`). */
void records_settle(struct records *r, int all);
/* At the end of a complete crawl: records for nofollow-only URLs. */
void records_flush_nofollow(struct records *r);

/* --state group commit (journal.h): once a batch is due (or with force),
 * push the records written so far to the output, then journal them with
 * the output's position. */
void records_commit(struct records *r, int64_t now, int force);
/* Milliseconds until the next commit is due, or -1. */
int64_t records_commit_wait_ms(const struct records *r, int64_t now);

/* journal_open's callback for --resume (ctx: struct records). */
void records_on_journal(void *ctx, enum journal_kind kind, int depth, const char *url,
                        const char *parent, const char *const *hops, size_t nhops);
/* Pages fetched by earlier runs (for --max-pages). */
long records_resumed(const struct records *r);

/* ---- a cluster crawl: the shared frontier (node.h) decides ---- */
struct node;
void records_set_node(struct records *r, struct node *n);
/* The cluster's lowest unfinished depth (INT_MAX: none), as node.h's
 * on_counts says it: records are final against it. */
void records_set_remote_min(struct records *r, int depth);
/* node's callbacks (see node.h), forwarded by the loop. */
void records_on_completed(struct records *r, void *token, int depth, const char *parent);
void records_on_item(struct records *r, int depth, const char *url, const char *parent,
                     const char *reason);
void records_on_lowered(struct records *r, const char *msg, uint64_t fp, int depth,
                        const char *parent);
void records_on_nofollow(struct records *r, int depth, const char *url, const char *parent);
/* Push written records out of our buffers, then report them done to the
 * cluster (a node killed after this loses no record the cluster counts
 * as written). */
void records_node_sync(struct records *r);
/* h's lease went to another node: the URLs queued here for h go back. */
void records_give_back(struct records *r, struct host *h);
/* This node was taken for dead: every record it holds was redone by
 * others; they are dropped, unwritten, and their URLs forgotten. */
void records_forget_held(struct records *r);
/* rec's URL is another node's (a redirect chain handed on, redone
 * elsewhere, or given back when this node stops): freed unwritten, and
 * the URL forgotten here, so that it is taken afresh if it comes back. */
void records_forget(struct records *r, struct record *rec);
/* A URL whose redirect chain another node handed here: its live entry
 * (ACTIVE), or NULL when this process knows the URL already. */
struct entry *records_add_handed(struct records *r, const char *url, const char *parent, int depth);

#endif
