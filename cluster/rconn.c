/* rconn: a hiredis async connection in our own poll loop, with command
 * timeouts, reconnection with backoff, setup on every connection and
 * in-order resending of idempotent commands. Owns the connection and
 * every command until its reply is handed over. */
#include "rconn.h"

#include "log.h"
#include "xalloc.h"

#include <arpa/inet.h>
#include <hiredis/async.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#define RCONN_TIMEOUT_MS     10000 /* a reply later than this: the connection is dead */
#define RCONN_BACKOFF_MIN_MS 100   /* first reconnection delay */
#define RCONN_BACKOFF_MAX_MS 5000  /* doubling up to this */
#define RCONN_SETUP_FLAG     0x100 /* internal: a setup command */

struct rconn_cmd {
    int argc;
    char **argv;
    size_t *lens;
    int flags;
    rconn_reply_fn fn;
    void *ctx;
    int64_t sent_at;
    struct rconn *owner;
    struct rconn_cmd *next; /* in `sent` (FIFO) or `resend` */
};

struct rconn_list {
    struct rconn_cmd *head, *tail;
    size_t n;
};

struct rconn {
    struct rconn_addr addr;
    const char *const *const *setup;
    rconn_state_fn on_state;
    void *ctx;
    redisAsyncContext *ac;
    int want_read, want_write;
    int connected; /* TCP up */
    int up;        /* setup done */
    size_t setup_left;
    struct rconn_list sent;   /* on the wire, oldest first */
    struct rconn_list resend; /* waiting for a connection, in order */
    int64_t now;
    int64_t reconnect_at;
    int64_t backoff;
    uint64_t round_trips;
    int failed;
    char why[512];
};

static void rconn_list_add(struct rconn_list *l, struct rconn_cmd *c)
{
    c->next = NULL;
    if (l->tail)
        l->tail->next = c;
    else
        l->head = c;
    l->tail = c;
    l->n++;
}

static struct rconn_cmd *rconn_list_pop(struct rconn_list *l)
{
    struct rconn_cmd *c = l->head;
    if (c) {
        l->head = c->next;
        if (!l->head)
            l->tail = NULL;
        l->n--;
    }
    return c;
}

static void rconn_cmd_free(struct rconn_cmd *c)
{
    for (int i = 0; i < c->argc; i++)
        free(c->argv[i]);
    free(c->argv);
    free(c->lens);
    free(c);
}

int rconn_parse_url(const char *url, struct rconn_addr *a, char *err, size_t errlen)
{
    memset(a, 0, sizeof *a);
    if (!strncmp(url, "unix://", 7)) {
        const char *p = url + 7, *q = strstr(p, "?db=");
        size_t n = q ? (size_t)(q - p) : strlen(p);
        if (!n || n >= sizeof a->host || p[0] != '/') {
            snprintf(err, errlen, "--redis %s: expected unix:///path/to/socket[?db=N]", url);
            return -1;
        }
        memcpy(a->host, p, n);
        a->db = q ? atoi(q + 4) : 0;
        return 0;
    }
    if (strncmp(url, "redis://", 8)) {
        snprintf(err, errlen, "--redis %s: expected redis://HOST[:PORT][/DB]", url);
        return -1;
    }
    const char *p = url + 8, *end;
    if (*p == '[') { /* [IPv6] */
        end = strchr(p, ']');
        if (!end || (size_t)(end - p - 1) >= sizeof a->host) {
            snprintf(err, errlen, "--redis %s: bad IPv6 address", url);
            return -1;
        }
        memcpy(a->host, p + 1, (size_t)(end - p - 1));
        end++;
    } else {
        end = p + strcspn(p, ":/");
        if ((size_t)(end - p) >= sizeof a->host) {
            snprintf(err, errlen, "--redis %s: host name too long", url);
            return -1;
        }
        memcpy(a->host, p, (size_t)(end - p));
    }
    if (!strcmp(a->host, "localhost"))
        strcpy(a->host, "127.0.0.1");
    unsigned char buf[16];
    if (inet_pton(AF_INET, a->host, buf) != 1 && inet_pton(AF_INET6, a->host, buf) != 1) {
        snprintf(err, errlen,
                 "--redis %s: give the server's IP address (a host name would be resolved "
                 "with a blocking call)",
                 url);
        return -1;
    }
    a->port = 6379;
    char *num_end;
    if (*end == ':') {
        long port = strtol(end + 1, &num_end, 10);
        if (num_end == end + 1 || port < 1 || port > 65535) {
            snprintf(err, errlen, "--redis %s: bad port", url);
            return -1;
        }
        a->port = (int)port;
        end = num_end;
    }
    if (*end == '/' && end[1]) {
        long db = strtol(end + 1, &num_end, 10);
        if (num_end == end + 1 || *num_end || db < 0 || db > 1000000) {
            snprintf(err, errlen, "--redis %s: bad database number", url);
            return -1;
        }
        a->db = (int)db;
    } else if (*end && strcmp(end, "/")) {
        snprintf(err, errlen, "--redis %s: expected redis://HOST[:PORT][/DB]", url);
        return -1;
    }
    return 0;
}

static const char *rconn_where(const struct rconn_addr *a, char *buf, size_t n)
{
    if (a->port)
        snprintf(buf, n, "%s:%d", a->host, a->port);
    else
        snprintf(buf, n, "%s", a->host);
    return buf;
}

redisContext *rconn_connect_sync(const struct rconn_addr *a, int timeout_ms, char *err,
                                 size_t errlen)
{
    struct timeval tv = {timeout_ms / 1000, (timeout_ms % 1000) * 1000};
    redisContext *rc = a->port ? redisConnectWithTimeout(a->host, a->port, tv)
                               : redisConnectUnixWithTimeout(a->host, tv);
    char where[300];
    if (!rc || rc->err) {
        snprintf(err, errlen, "cannot reach Redis at %s: %s", rconn_where(a, where, sizeof where),
                 rc ? rc->errstr : "out of memory");
        redisFree(rc);
        return NULL;
    }
    redisSetTimeout(rc, tv);
    if (a->db) {
        redisReply *r = redisCommand(rc, "SELECT %d", a->db);
        if (!r || r->type == REDIS_REPLY_ERROR) {
            snprintf(err, errlen, "Redis at %s: SELECT %d: %s", where, a->db,
                     r ? r->str : rc->errstr);
            freeReplyObject(r);
            redisFree(rc);
            return NULL;
        }
        freeReplyObject(r);
    }
    return rc;
}

/* ---- hiredis's event hooks: we only note what it wants ---- */

static void rconn_add_read(void *p)
{
    ((struct rconn *)p)->want_read = 1;
}
static void rconn_del_read(void *p)
{
    ((struct rconn *)p)->want_read = 0;
}
static void rconn_add_write(void *p)
{
    ((struct rconn *)p)->want_write = 1;
}
static void rconn_del_write(void *p)
{
    ((struct rconn *)p)->want_write = 0;
}
static void rconn_cleanup(void *p)
{
    struct rconn *c = p;
    c->want_read = c->want_write = 0;
}

static void rconn_went_down(struct rconn *c)
{
    int was_up = c->up;
    c->ac = NULL;
    c->connected = c->up = 0;
    c->want_read = c->want_write = 0;
    c->reconnect_at = c->now + c->backoff;
    c->backoff = c->backoff * 2 > RCONN_BACKOFF_MAX_MS ? RCONN_BACKOFF_MAX_MS : c->backoff * 2;
    if (was_up && c->on_state)
        c->on_state(c->ctx, 0);
}

static void rconn_on_disconnect(const redisAsyncContext *ac, int status)
{
    struct rconn *c = ac->data;
    (void)status;
    if (c && c->ac == ac) {
        char where[300];
        log_warn("lost the connection to Redis at %s: %s; retrying",
                 rconn_where(&c->addr, where, sizeof where), ac->errstr[0] ? ac->errstr : "closed");
        rconn_went_down(c);
    }
}

static void rconn_dispatch(struct rconn *c, struct rconn_cmd *cmd);

/* hiredis's reply callback: replies come in the order commands went. */
static void rconn_on_reply(redisAsyncContext *ac, void *reply, void *priv)
{
    struct rconn_cmd *cmd = priv;
    struct rconn *c = cmd->owner;
    (void)ac;
    if (c->sent.head == cmd)
        rconn_list_pop(&c->sent);
    if (!reply) { /* the connection went */
        if (cmd->flags & RCONN_RESEND) {
            rconn_list_add(&c->resend, cmd);
            return;
        }
        if (!(cmd->flags & RCONN_SETUP_FLAG) && cmd->fn)
            cmd->fn(cmd->ctx, NULL);
        rconn_cmd_free(cmd);
        return;
    }
    c->round_trips++;
    redisReply *r = reply;
    if (cmd->flags & RCONN_SETUP_FLAG) {
        if (r->type == REDIS_REPLY_ERROR) {
            snprintf(c->why, sizeof c->why, "Redis refused %s: %s", cmd->argv[0], r->str);
            c->failed = 1;
        } else if (--c->setup_left == 0) {
            c->up = 1;
            c->backoff = RCONN_BACKOFF_MIN_MS;
            struct rconn_list pend = c->resend;
            memset(&c->resend, 0, sizeof c->resend);
            struct rconn_cmd *x;
            while ((x = rconn_list_pop(&pend)))
                rconn_dispatch(c, x);
            if (c->on_state)
                c->on_state(c->ctx, 1);
        }
        rconn_cmd_free(cmd);
        return;
    }
    if (cmd->fn)
        cmd->fn(cmd->ctx, r); /* hiredis frees the reply after we return */
    rconn_cmd_free(cmd);
}

static void rconn_dispatch(struct rconn *c, struct rconn_cmd *cmd)
{
    cmd->sent_at = c->now;
    if (redisAsyncCommandArgv(c->ac, rconn_on_reply, cmd, cmd->argc, (const char **)cmd->argv,
                              cmd->lens) != REDIS_OK) {
        rconn_on_reply(c->ac, NULL, cmd);
        return;
    }
    rconn_list_add(&c->sent, cmd);
}

static struct rconn_cmd *rconn_cmd_new(struct rconn *c, int argc, const char **argv,
                                       const size_t *lens, int flags, rconn_reply_fn fn, void *ctx)
{
    struct rconn_cmd *cmd = xcalloc(1, sizeof *cmd);
    cmd->argc = argc;
    cmd->argv = xmalloc((size_t)argc * sizeof *cmd->argv);
    cmd->lens = xmalloc((size_t)argc * sizeof *cmd->lens);
    for (int i = 0; i < argc; i++) {
        size_t n = lens ? lens[i] : strlen(argv[i]);
        cmd->argv[i] = xmemdup0(argv[i], n);
        cmd->lens[i] = n;
    }
    cmd->flags = flags;
    cmd->fn = fn;
    cmd->ctx = ctx;
    cmd->owner = c;
    return cmd;
}

static void rconn_on_connect(const redisAsyncContext *ac, int status)
{
    struct rconn *c = ac->data;
    if (!c || c->ac != ac)
        return;
    if (status != REDIS_OK) {
        rconn_went_down(c); /* hiredis frees ac itself */
        return;
    }
    c->connected = 1;
    c->setup_left = 0;
    for (size_t i = 0; c->setup && c->setup[i]; i++) {
        int argc = 0;
        while (c->setup[i][argc])
            argc++;
        c->setup_left++;
        rconn_dispatch(c, rconn_cmd_new(c, argc, (const char **)c->setup[i], NULL, RCONN_SETUP_FLAG,
                                        NULL, NULL));
    }
    if (!c->setup_left) {
        c->up = 1;
        if (c->on_state)
            c->on_state(c->ctx, 1);
    }
}

static void rconn_connect(struct rconn *c)
{
    redisAsyncContext *ac = c->addr.port ? redisAsyncConnect(c->addr.host, c->addr.port)
                                         : redisAsyncConnectUnix(c->addr.host);
    if (!ac || ac->err) {
        if (ac)
            redisAsyncFree(ac);
        rconn_went_down(c);
        return;
    }
    c->ac = ac;
    ac->data = c;
    ac->ev.data = c;
    ac->ev.addRead = rconn_add_read;
    ac->ev.delRead = rconn_del_read;
    ac->ev.addWrite = rconn_add_write;
    ac->ev.delWrite = rconn_del_write;
    ac->ev.cleanup = rconn_cleanup;
    redisAsyncSetConnectCallback(ac, rconn_on_connect);
    redisAsyncSetDisconnectCallback(ac, rconn_on_disconnect);
    c->want_write = 1; /* the connect completes when writable */
    if (c->addr.port == 0 && ac->c.flags & REDIS_CONNECTED)
        rconn_on_connect(ac, REDIS_OK);
}

struct rconn *rconn_create(const struct rconn_addr *a, const char *const *const *setup,
                           rconn_state_fn on_state, void *ctx)
{
    struct rconn *c = xcalloc(1, sizeof *c);
    c->addr = *a;
    c->setup = setup;
    c->on_state = on_state;
    c->ctx = ctx;
    c->backoff = RCONN_BACKOFF_MIN_MS;
    rconn_connect(c);
    return c;
}

void rconn_free(struct rconn *c)
{
    if (!c)
        return;
    if (c->ac) {
        redisAsyncContext *ac = c->ac;
        c->ac = NULL;
        c->on_state = NULL;
        c->up = 0;
        ac->data = NULL;
        redisAsyncFree(ac); /* lost RESEND commands come back to `resend` */
    }
    /* every command still waiting hears it is lost, so its owner can
     * free what it handed over */
    struct rconn_cmd *cmd;
    while ((cmd = rconn_list_pop(&c->resend))) {
        if (cmd->fn && !(cmd->flags & RCONN_SETUP_FLAG))
            cmd->fn(cmd->ctx, NULL);
        rconn_cmd_free(cmd);
    }
    free(c);
}

int rconn_send(struct rconn *c, int argc, const char **argv, const size_t *lens, int flags,
               rconn_reply_fn fn, void *ctx)
{
    if (!c->up && !(flags & RCONN_RESEND))
        return -1;
    struct rconn_cmd *cmd = rconn_cmd_new(c, argc, argv, lens, flags, fn, ctx);
    if (c->up)
        rconn_dispatch(c, cmd);
    else
        rconn_list_add(&c->resend, cmd);
    return 0;
}

int rconn_pollfd(const struct rconn *c, short *events)
{
    if (!c->ac)
        return -1;
    *events = (short)((c->want_read ? POLLIN : 0) | (c->want_write ? POLLOUT : 0));
    return c->ac->c.fd;
}

void rconn_service(struct rconn *c, short revents, int64_t now)
{
    c->now = now;
    if (c->ac && (revents & (POLLIN | POLLHUP | POLLERR)))
        redisAsyncHandleRead(c->ac);
    if (c->ac && (revents & (POLLOUT | POLLERR)))
        redisAsyncHandleWrite(c->ac);
    if (c->ac && c->sent.head && now - c->sent.head->sent_at > RCONN_TIMEOUT_MS) {
        char where[300];
        log_warn("Redis at %s did not answer for %d s; reconnecting",
                 rconn_where(&c->addr, where, sizeof where), RCONN_TIMEOUT_MS / 1000);
        redisAsyncContext *ac = c->ac;
        rconn_went_down(c);
        ac->data = NULL;
        c->ac = NULL;
        /* lost commands come back through rconn_on_reply with NULL; they
         * must find the connection down already */
        redisAsyncFree(ac);
    }
    if (!c->ac && !c->failed && now >= c->reconnect_at)
        rconn_connect(c);
}

int64_t rconn_wait_ms(const struct rconn *c, int64_t now)
{
    if (!c->ac)
        return c->reconnect_at > now ? c->reconnect_at - now : 0;
    if (c->sent.head) {
        int64_t t = c->sent.head->sent_at + RCONN_TIMEOUT_MS - now;
        return t > 0 ? t : 0;
    }
    return -1;
}

int rconn_up(const struct rconn *c)
{
    return c->up;
}

size_t rconn_outstanding(const struct rconn *c)
{
    return c->sent.n + c->resend.n;
}

uint64_t rconn_round_trips(const struct rconn *c)
{
    return c->round_trips;
}

int rconn_failed(const struct rconn *c, const char **why)
{
    if (c->failed && why)
        *why = c->why;
    return c->failed;
}

/* ---- replies and blocking commands ---- */

long long rconn_int(const redisReply *r)
{
    if (!r)
        return 0;
    if (r->type == REDIS_REPLY_INTEGER)
        return r->integer;
    if (r->type == REDIS_REPLY_STRING)
        return strtoll(r->str, NULL, 10);
    return 0;
}

const char *rconn_str(const redisReply *r)
{
    return r && r->type == REDIS_REPLY_STRING ? r->str : NULL;
}

const redisReply *rconn_el(const redisReply *r, size_t i)
{
    return r && r->type == REDIS_REPLY_ARRAY && i < r->elements ? r->element[i] : NULL;
}

redisReply *rconn_command_sync(redisContext *rc, int argc, const char **argv, const size_t *lens,
                               char *err, size_t errlen)
{
    redisReply *r = redisCommandArgv(rc, argc, argv, lens);
    if (!r) {
        snprintf(err, errlen, "Redis: %s", rc->errstr);
        return NULL;
    }
    if (r->type == REDIS_REPLY_ERROR) {
        const char *m = r->str;
        if (!strncmp(m, "CRAWL ", 6))
            m += 6;
        snprintf(err, errlen, "Redis refused %s %s: %s", argv[0], argc > 1 ? argv[1] : "", m);
        freeReplyObject(r);
        return NULL;
    }
    return r;
}
