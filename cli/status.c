/* status: --status, a cluster job's progress read from Redis (queued, in
 * flight, done; each node alive, finished or dead), printed on stdout. */
#include "status.h"

#include "frontier_lua.h"
#include "node.h"
#include "rconn.h"

#include <stdio.h>

int status_print(const char *redis_url, const char *job, char *err, size_t errlen)
{
    struct rconn_addr addr;
    char prefix[300];
    if (rconn_parse_url(redis_url, &addr, err, errlen) < 0 ||
        node_job_prefix(job, prefix, sizeof prefix, err, errlen) < 0)
        return -1;
    redisContext *rc = rconn_connect_sync(&addr, 5000, err, errlen);
    if (!rc)
        return -1;
    const char *load[] = {"FUNCTION", "LOAD", "REPLACE", cluster_frontier_lua};
    const char *st[] = {"FCALL", "crawl_status", "0", prefix};
    redisReply *r = rconn_command_sync(rc, 4, load, NULL, err, errlen);
    freeReplyObject(r);
    r = r ? rconn_command_sync(rc, 4, st, NULL, err, errlen) : NULL;
    redisFree(rc);
    if (!r)
        return -1;
    if (!rconn_str(rconn_el(r, 0))) {
        snprintf(err, errlen, "no job named %s in Redis at %s", job, redis_url);
        freeReplyObject(r);
        return -1;
    }
    long long total = rconn_int(rconn_el(r, 2)), held = rconn_int(rconn_el(r, 3));
    long long queued = rconn_int(rconn_el(r, 7)), nf = rconn_int(rconn_el(r, 8));
    printf("job %s: %s\n", job, !total && !held && !queued && !nf ? "complete" : "running");
    printf("queued %lld, in flight %lld, done %lld, nofollow-only %lld\n", queued, held,
           rconn_int(rconn_el(r, 4)), nf);
    printf("nodes lost %lld; URLs given back by lost or stopped nodes %lld\n",
           rconn_int(rconn_el(r, 6)), rconn_int(rconn_el(r, 5)));
    const redisReply *nodes = rconn_el(r, 9);
    for (size_t i = 0; nodes && nodes->type == REDIS_REPLY_ARRAY && i < nodes->elements; i++) {
        const redisReply *x = nodes->element[i];
        printf("node %s: %s, in flight %lld, done %lld\n", rconn_str(rconn_el(x, 0)),
               rconn_str(rconn_el(x, 1)), rconn_int(rconn_el(x, 2)), rconn_int(rconn_el(x, 3)));
    }
    freeReplyObject(r);
    return 0;
}
