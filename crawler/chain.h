/* chain: a redirect chain handed between the nodes of a cluster (as the
 * item of a queued URL in Redis): the target the chain goes on at, then
 * each hop so far (status and URL), separated by 0x1f, which no canonical
 * URL holds. Pure functions; the text may come from Redis, so reading it
 * never trusts its shape. */
#ifndef CRAWL_CHAIN_H
#define CRAWL_CHAIN_H

#include <stddef.h>

#include "buf.h"

struct output_hop;
/* Append the chain of target with its n hops so far. */
void chain_encode(struct buf *b, const char *target, const struct output_hop *hops, size_t n);
/* The target, as a new string the caller frees. */
char *chain_target(const char *chain);
/* Hop i (from 0): 1 with *url (a pointer into chain, *len bytes) and
 * *status, or 0 past the last (or where the text is damaged). */
int chain_hop(const char *chain, size_t i, const char **url, size_t *len, long *status);

#endif
