/* rconn: one Redis connection driven by the crawl's own poll loop (no
 * event library): hiredis's async API, with the timeouts, reconnection
 * and resending that hiredis 0.14 leaves to its user. Knows nothing of
 * crawling: it sends commands and hands replies to callbacks.
 *
 * A command sent with RCONN_RESEND survives a lost connection: it is kept
 * until its reply comes and sent again, in order, after a reconnection
 * (so it must be safe to run twice). Any other command's callback gets a
 * NULL reply when the connection is lost. Setup (connect, select the
 * database, load the functions) runs again on every reconnection before
 * anything is resent. */
#ifndef CRAWL_RCONN_H
#define CRAWL_RCONN_H

#include <hiredis/hiredis.h>
#include <stddef.h>
#include <stdint.h>

struct rconn;

/* reply: hiredis's reply (freed by rconn after the call), or NULL when
 * the command was lost with the connection. */
typedef void (*rconn_reply_fn)(void *ctx, redisReply *reply);
/* The connection is up again (after setup), or went down (up = 0). */
typedef void (*rconn_state_fn)(void *ctx, int up);

struct rconn_addr {
    char host[256]; /* an IP address or a Unix socket path */
    int port;       /* 0 for a Unix socket */
    int db;
};

/* redis://HOST[:PORT][/DB] or unix:///path[?db=N]. HOST must be an IP
 * address (hiredis resolves names with a blocking call): 0, or -1 with a
 * message in err. */
int rconn_parse_url(const char *url, struct rconn_addr *a, char *err, size_t errlen);

/* A blocking connection for setup and one-shot commands (--status), with
 * a timeout; NULL with a message in err. */
redisContext *rconn_connect_sync(const struct rconn_addr *a, int timeout_ms, char *err,
                                 size_t errlen);

/* The async connection. `setup` commands (argv lists, NULL-terminated
 * list of NULL-terminated arrays) run first on every connection; a setup
 * error reply is fatal (rconn_failed). */
struct rconn *rconn_create(const struct rconn_addr *a, const char *const *const *setup,
                           rconn_state_fn on_state, void *ctx);
void rconn_free(struct rconn *c);

#define RCONN_RESEND 1

/* Send a command (argv copied). Returns 0, or -1 when it could not even
 * be queued (not RESEND and the connection is down: the callback is not
 * called). */
int rconn_send(struct rconn *c, int argc, const char **argv, const size_t *lens, int flags,
               rconn_reply_fn fn, void *ctx);

/* The loop's side: the descriptor to poll and its events (POLLIN /
 * POLLOUT), or -1 while disconnected; then service() with what poll
 * returned (0 when the fd was not polled). service() also reconnects
 * when due and drops a connection whose oldest command waited longer
 * than the timeout. */
int rconn_pollfd(const struct rconn *c, short *events);
void rconn_service(struct rconn *c, short revents, int64_t now);
/* Milliseconds until service() has something to do without I/O (a
 * reconnection or a timeout), or -1. */
int64_t rconn_wait_ms(const struct rconn *c, int64_t now);

int rconn_up(const struct rconn *c);
/* Commands sent and not answered yet. */
size_t rconn_outstanding(const struct rconn *c);
/* Round trips (commands answered) so far. */
uint64_t rconn_round_trips(const struct rconn *c);
/* Nonzero after a setup command failed (bad job data, no such DB...):
 * the message is in *why. */
int rconn_failed(const struct rconn *c, const char **why);

/* A blocking command on a setup connection: the reply (the caller frees
 * it), or NULL with a message in err (a reply error "CRAWL ..." is given
 * without its prefix). */
redisReply *rconn_command_sync(redisContext *rc, int argc, const char **argv, const size_t *lens,
                               char *err, size_t errlen);

/* Reading replies: an integer (or a number in a string; 0 otherwise), a
 * string (or NULL), the i-th element of an array (or NULL). */
long long rconn_int(const redisReply *r);
const char *rconn_str(const redisReply *r);
const redisReply *rconn_el(const redisReply *r, size_t i);

#endif
