/* redirect: the next step of a redirect chain, decided by us (never by
 * libcurl): followed only when the target is new, in scope, of the same
 * kind (file: or not), within --max-redirect and not a loop. */
#ifndef CRAWL_REDIRECT_H
#define CRAWL_REDIRECT_H

#include "record.h"
#include "records.h"
#include "scope.h"

enum redirect_next {
    REDIRECT_END = 0, /* the chain ends: rec's final_url, error or reason say how */
    REDIRECT_FOLLOW,  /* fetch *target next (claimed as a hop of this chain) */
    REDIRECT_ASK,     /* cluster: ask whether *target is known first (node_hop) */
    REDIRECT_HANDOFF  /* cluster: *target is on another host: the chain goes on at
                       * that host's lease holder (node_handoff) */
};

/* A response at `from` redirected (status, Location `location`): the hop
 * is added to rec, and the decision returned; with FOLLOW or ASK,
 * *target (owned by the caller) is where the chain goes. In a cluster a
 * redirect to another host is handed to that host's lease holder. */
enum redirect_next redirect_next(struct records *r, const struct scope *sc, int max_redirects,
                                 int cluster, const char *from, long status, const char *location,
                                 struct record *rec, char **target_out);

#endif
