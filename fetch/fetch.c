/* fetch: libcurl multi transfers and confined file reads. Owns the multi
 * handle, the easy handles and each transfer's state until fetch_next hands
 * the response over. Never blocks for long: file reads are bounded by
 * max_size and happen in fetch_start. */
#include "fetch.h"

#include "buf.h"
#include "fetch_file.h"
#include "fetch_socks.h"
#include "log.h"
#include "shm.h"
#include "xalloc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Bodies up to this size (by Content-Length) are fetched into the shared
 * region (shm.h) when it has room; bigger ones stay private. */
#define FETCH_SHM_BODY_MAX (8u * 1024 * 1024)

/* What a transfer's easy handle was set up for, beyond the transfer's own
 * pointers: a finished handle is reused only by a request with the same
 * profile, so no option (credentials above all) outlives its request. */
struct fetch_profile {
    int head, follow, auth, truncate;
    size_t cap;
};

struct fetch_xfer {
    struct fetcher *f;
    CURL *easy;
    struct fetch_response *resp;
    struct buf body;
    char *shm; /* the body in the shared region (shm.h) while it fits, or NULL */
    size_t shm_len, shm_cap;
    int decided;   /* content type looked at */
    int keep;      /* keep the body (HTML or unknown type) */
    int too_large; /* aborted by the cap */
    int no_fds;    /* a socket() failed with EMFILE or ENFILE */
    struct fetch_req req;
    size_t cap;
    struct fetch_profile profile;
    struct buf req_head;  /* capture: request headers as sent */
    struct buf resp_head; /* capture: headers of the current response */
    char errbuf[CURL_ERROR_SIZE];
    struct fetch_xfer *prev, *next; /* live transfers, for fetch_destroy */
};

struct fetch_idle {
    CURL *easy;
    struct fetch_profile p;
};

struct fetch_done {
    struct fetch_response *resp;
    struct fetch_done *next;
};

struct fetcher {
    struct fetch_config cfg;
    CURLM *multi;
    struct fetch_socks *socks;  /* the multi's sockets and timer */
    struct curl_slist *headers; /* --header lines */
    CURLSH *share;              /* the crawl's one cookie jar, or NULL */
    CURL *jar;                  /* loads and saves the jar's cookie files */
    size_t in_flight;
    struct fetch_xfer *live;
    struct fetch_idle *idle; /* finished handles kept for reuse */
    size_t nidle, idle_cap;
    struct fetch_done *done_head, *done_tail;
};

const char *fetch_err_code(int err)
{
    switch (err) {
    case FETCH_OK:
        return NULL;
    case FETCH_ERR_DNS:
        return "dns";
    case FETCH_ERR_CONNECT:
        return "connect";
    case FETCH_ERR_TIMEOUT:
        return "timeout";
    case FETCH_ERR_TOO_LARGE:
        return "too_large";
    case FETCH_ERR_TLS:
        return "tls";
    case FETCH_ERR_BAD_ENCODING:
        return "bad_encoding";
    case FETCH_ERR_NOT_FOUND:
        return "not_found";
    case FETCH_ERR_NOT_REGULAR:
        return "not_regular_file";
    case FETCH_ERR_OUTSIDE:
        return "outside_root";
    case FETCH_ERR_READ:
        return "read_error";
    case FETCH_ERR_INTERRUPTED:
        return "interrupted";
    case FETCH_ERR_REDIRECTS:
        return "too_many_redirects";
    case FETCH_ERR_NO_FDS:
        return "no_fds";
    default:
        return "transport";
    }
}

void fetch_response_free(struct fetch_response *r)
{
    if (!r)
        return;
    free(r->content_type);
    free(r->location);
    free(r->retry_after);
    free(r->req_head);
    free(r->resp_head);
    free(r->remote_ip);
    free(r->effective_url);
    shm_free(r->body);
    free(r);
}

int fetch_is_html(const char *ct)
{
    if (!ct)
        return 0;
    while (*ct == ' ' || *ct == '\t')
        ct++;
    size_t n = strcspn(ct, "; \t");
    return (n == 9 && !strncasecmp(ct, "text/html", 9)) ||
           (n == 21 && !strncasecmp(ct, "application/xhtml+xml", 21));
}

/* Cookies: one jar shared by every transfer (one thread: no locks),
 * loaded from and saved to Netscape-format files by an idle handle. */
static int fetch_cookies_init(struct fetcher *f, char *err, size_t errcap)
{
    if (f->cfg.load_cookies) {
        FILE *t = fopen(f->cfg.load_cookies, "r");
        if (!t) {
            snprintf(err, errcap, "--load-cookies %s: %s", f->cfg.load_cookies, strerror(errno));
            return -1;
        }
        fclose(t);
    }
    f->share = curl_share_init();
    f->jar = curl_easy_init();
    if (!f->share || !f->jar ||
        curl_share_setopt(f->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_COOKIE) != CURLSHE_OK) {
        snprintf(err, errcap, "cannot set up the cookie jar");
        return -1;
    }
    curl_easy_setopt(f->jar, CURLOPT_SHARE, f->share);
    curl_easy_setopt(f->jar, CURLOPT_COOKIEFILE, f->cfg.load_cookies ? f->cfg.load_cookies : "");
    if (f->cfg.load_cookies)
        curl_easy_setopt(f->jar, CURLOPT_COOKIELIST, "RELOAD");
    return 0;
}

struct fetcher *fetch_create(const struct fetch_config *cfg, char *err, size_t errcap)
{
    struct fetcher *f = xcalloc(1, sizeof *f);
    f->cfg = *cfg;
    f->multi = curl_multi_init();
    if (!f->multi) {
        snprintf(err, errcap, "cannot create the curl multi handle");
        free(f);
        return NULL;
    }
    f->socks = fetch_socks_create(f->multi);
    for (size_t i = 0; i < cfg->nheaders; i++) {
        struct curl_slist *l = curl_slist_append(f->headers, cfg->headers[i]);
        if (!l) {
            snprintf(err, errcap, "cannot use --header %s", cfg->headers[i]);
            fetch_destroy(f);
            return NULL;
        }
        f->headers = l;
    }
    f->idle_cap = cfg->concurrency > 0 ? (size_t)cfg->concurrency : 1;
    f->idle = xcalloc(f->idle_cap, sizeof *f->idle);
    if (cfg->cookies && fetch_cookies_init(f, err, errcap) < 0) {
        fetch_destroy(f);
        return NULL;
    }
    /* Our own per-host accounting decides what starts; these are a second
     * fence so libcurl never opens more than we meant. */
    curl_multi_setopt(f->multi, CURLMOPT_MAX_HOST_CONNECTIONS, (long)cfg->per_host);
    curl_multi_setopt(f->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, (long)cfg->concurrency);
    curl_multi_setopt(f->multi, CURLMOPT_MAXCONNECTS, (long)cfg->concurrency);
    return f;
}

static void fetch_push_done(struct fetcher *f, struct fetch_response *r)
{
    struct fetch_done *d = xmalloc(sizeof *d);
    d->resp = r;
    d->next = NULL;
    if (f->done_tail)
        f->done_tail->next = d;
    else
        f->done_head = d;
    f->done_tail = d;
}

/* reuse: the transfer ended by itself, so its handle may serve another. */
static void fetch_xfer_free(struct fetch_xfer *x, int reuse)
{
    struct fetcher *f = x->f;
    if (x->prev)
        x->prev->next = x->next;
    else if (f->live == x)
        f->live = x->next;
    if (x->next)
        x->next->prev = x->prev;
    if (x->easy) {
        curl_multi_remove_handle(f->multi, x->easy);
        if (reuse && f->nidle < f->idle_cap)
            f->idle[f->nidle++] = (struct fetch_idle){x->easy, x->profile};
        else
            curl_easy_cleanup(x->easy);
    }
    buf_free(&x->body);
    shm_free(x->shm);
    buf_free(&x->req_head);
    buf_free(&x->resp_head);
    fetch_response_free(x->resp);
    free(x);
}

/* A finished handle set up for profile p, taken from the idle list, or NULL. */
static CURL *fetch_idle_take(struct fetcher *f, const struct fetch_profile *p)
{
    for (size_t i = f->nidle; i-- > 0;) {
        const struct fetch_profile *q = &f->idle[i].p;
        if (q->head == p->head && q->follow == p->follow && q->auth == p->auth &&
            q->truncate == p->truncate && q->cap == p->cap) {
            CURL *e = f->idle[i].easy;
            f->idle[i] = f->idle[--f->nidle];
            return e;
        }
    }
    return NULL;
}

/* --save-cookies: write the jar (libcurl says nothing when it cannot:
 * the file's presence and size tell). */
static int fetch_cookies_save(struct fetcher *f)
{
    struct stat st;
    const char *path = f->cfg.save_cookies;
    if (!f->jar || !path)
        return 0;
    unlink(path);
    curl_easy_setopt(f->jar, CURLOPT_COOKIEJAR, path);
    curl_easy_setopt(f->jar, CURLOPT_COOKIELIST, "FLUSH");
    if (stat(path, &st) < 0) {
        log_error("--save-cookies %s: the cookies could not be written", path);
        return -1;
    }
    return 0;
}

int fetch_destroy(struct fetcher *f)
{
    int rc = 0;
    if (!f)
        return 0;
    while (f->live)
        fetch_xfer_free(f->live, 0);
    while (f->nidle)
        curl_easy_cleanup(f->idle[--f->nidle].easy);
    free(f->idle);
    rc = fetch_cookies_save(f);
    if (f->jar) {
        curl_easy_setopt(f->jar, CURLOPT_COOKIEJAR, NULL); /* saved already */
        curl_easy_cleanup(f->jar);
    }
    if (f->share)
        curl_share_cleanup(f->share);
    curl_slist_free_all(f->headers);
    while (f->done_head) {
        struct fetch_done *d = f->done_head;
        f->done_head = d->next;
        fetch_response_free(d->resp);
        free(d);
    }
    curl_multi_cleanup(f->multi);
    fetch_socks_free(f->socks);
    free(f);
    return rc;
}

/* Append n body bytes: to the shared block while they fit (a compressed
 * body outgrows its Content-Length), else to private memory. 0 or -1. */
static int fetch_keep(struct fetch_xfer *x, const char *p, size_t n)
{
    if (x->shm && x->shm_len + n <= x->shm_cap) {
        memcpy(x->shm + x->shm_len, p, n);
        x->shm_len += n;
        return 0;
    }
    if (x->shm) {
        int rc = buf_append(&x->body, x->shm, x->shm_len);
        shm_free(x->shm);
        x->shm = NULL;
        if (rc < 0)
            return -1;
    }
    return buf_append(&x->body, p, n);
}

static size_t fetch_on_write(char *p, size_t size, size_t n, void *ud)
{
    struct fetch_xfer *x = ud;
    size_t len = size * n;
    if (!x->decided) {
        char *ct = NULL;
        x->decided = 1;
        curl_easy_getinfo(x->easy, CURLINFO_CONTENT_TYPE, &ct);
        x->keep = x->req.keep_any || !ct || fetch_is_html(ct);
        /* the whole body at once rather than doubling up to it (a
         * compressed body's length is only a start) */
        curl_off_t cl = -1;
        if (x->keep &&
            curl_easy_getinfo(x->easy, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &cl) == CURLE_OK &&
            cl > 0 && (uint64_t)cl <= x->cap) {
            /* straight into the shared region, so a worker reads it in place */
            x->shm = (uint64_t)cl <= FETCH_SHM_BODY_MAX ? shm_alloc((size_t)cl + 1) : NULL;
            x->shm_cap = x->shm ? (size_t)cl : 0;
            if (!x->shm)
                buf_reserve(&x->body, (size_t)cl);
        }
    }
    if (x->resp->bytes + len > x->cap) {
        if (x->req.truncate) {
            size_t room = x->cap - (size_t)x->resp->bytes;
            if (x->keep)
                fetch_keep(x, p, room);
            x->resp->bytes += room;
            x->resp->truncated = 1;
        }
        x->too_large = 1;
        return 0; /* aborts the transfer with CURLE_WRITE_ERROR */
    }
    x->resp->bytes += len;
    if (x->keep && fetch_keep(x, p, len) < 0) {
        x->too_large = 1;
        return 0;
    }
    return len;
}

/* capture: response headers, one line per call; a new status line starts
 * a new response (1xx, or a redirect libcurl follows for robots.txt). */
static size_t fetch_on_header(char *p, size_t size, size_t n, void *ud)
{
    struct fetch_xfer *x = ud;
    size_t len = size * n;
    if (len >= 5 && !memcmp(p, "HTTP/", 5))
        buf_reset(&x->resp_head);
    buf_append(&x->resp_head, p, len);
    return len;
}

/* capture: the request headers libcurl sent (the last request wins). */
static int fetch_on_debug(CURL *e, curl_infotype type, char *p, size_t len, void *ud)
{
    struct fetch_xfer *x = ud;
    (void)e;
    if (type == CURLINFO_HEADER_OUT) {
        buf_reset(&x->req_head);
        buf_append(&x->req_head, p, len);
    }
    return 0;
}

/* Opens the transfer's sockets as libcurl would, noting a failure for
 * want of descriptors: libcurl reports it as any connection failure, which
 * would count against the host. */
static curl_socket_t fetch_on_open_socket(void *ud, curlsocktype purpose,
                                          struct curl_sockaddr *addr)
{
    struct fetch_xfer *x = ud;
    (void)purpose;
    curl_socket_t fd = socket(addr->family, addr->socktype, addr->protocol);
    if (fd == CURL_SOCKET_BAD && (errno == EMFILE || errno == ENFILE))
        x->no_fds = 1;
    return fd;
}

/* Headers, cookies, credentials, proxy and TLS for one transfer. */
static void fetch_request_controls(const struct fetcher *f, CURL *e, const struct fetch_req *req)
{
    if (f->headers)
        curl_easy_setopt(e, CURLOPT_HTTPHEADER, f->headers);
    if (f->share) {
        curl_easy_setopt(e, CURLOPT_SHARE, f->share);
        curl_easy_setopt(e, CURLOPT_COOKIEFILE, ""); /* the engine, on the shared jar */
    }
    if (req->auth && f->cfg.user) {
        curl_easy_setopt(e, CURLOPT_USERNAME, f->cfg.user);
        curl_easy_setopt(e, CURLOPT_PASSWORD, f->cfg.password ? f->cfg.password : "");
        curl_easy_setopt(e, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
    } else if (req->auth && f->cfg.netrc) {
        curl_easy_setopt(e, CURLOPT_NETRC, (long)CURL_NETRC_OPTIONAL);
    }
    /* libcurl-followed redirects (robots.txt only) keep credentials on
     * their host: CURLOPT_UNRESTRICTED_AUTH stays off. */
    if (f->cfg.proxy)
        curl_easy_setopt(e, CURLOPT_PROXY, f->cfg.proxy);
    if (f->cfg.insecure) {
        curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L);
        curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L);
    }
    if (f->cfg.ca_file)
        curl_easy_setopt(e, CURLOPT_CAINFO, f->cfg.ca_file);
}

/* The options a handle keeps from request to request: everything but the
 * transfer's own pointers, a function of the profile and the config. */
static void fetch_easy_setup(const struct fetcher *f, CURL *e, const struct fetch_req *req,
                             size_t cap)
{
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, fetch_on_write);
    curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, fetch_on_open_socket);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    if (req->head)
        curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, req->follow > 0 ? 1L : 0L);
    curl_easy_setopt(e, CURLOPT_MAXREDIRS, (long)req->follow);
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    if (f->cfg.capture) {
        curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, fetch_on_header);
        curl_easy_setopt(e, CURLOPT_DEBUGFUNCTION, fetch_on_debug);
        curl_easy_setopt(e, CURLOPT_VERBOSE, 1L);
        /* HTTP/2 heads are rebuilt by libcurl: archive HTTP/1.1 as sent. */
        curl_easy_setopt(e, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
    } else {
        curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "gzip, deflate");
        /* HTTP/2 where a TLS server offers it (ALPN), else HTTP/1.1 */
        curl_easy_setopt(e, CURLOPT_HTTP_VERSION,
                         (long)(f->cfg.http11 ? CURL_HTTP_VERSION_1_1 : CURL_HTTP_VERSION_2TLS));
    }
    fetch_request_controls(f, e, req);
    curl_easy_setopt(e, CURLOPT_USERAGENT, f->cfg.user_agent);
    curl_easy_setopt(e, CURLOPT_TIMEOUT, (long)f->cfg.timeout_s);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, (long)f->cfg.connect_timeout_s);
    /* A trickling server cannot hold a slot: < 1 byte/s for 30 s aborts. */
    curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, (long)f->cfg.stall_s);
    if (f->cfg.limit_rate > 0)
        curl_easy_setopt(e, CURLOPT_MAX_RECV_SPEED_LARGE, (curl_off_t)f->cfg.limit_rate);
    if (!req->truncate)
        curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)cap);
}

static int fetch_start_http(struct fetcher *f, const char *url, void *owner,
                            const struct fetch_req *req)
{
    struct fetch_xfer *x = xcalloc(1, sizeof *x);
    x->f = f;
    x->req = *req;
    x->cap = req->max_size ? req->max_size : f->cfg.max_size;
    x->profile = (struct fetch_profile){req->head, req->follow, req->auth, req->truncate, x->cap};
    x->resp = xcalloc(1, sizeof *x->resp);
    x->resp->owner = owner;
    x->resp->when = fetch_wall_ms();
    buf_init(&x->body, x->cap);
    /* a finished handle keeps its connection-independent set-up: reusing
     * it saves libcurl's allocation and option copies per request */
    x->easy = fetch_idle_take(f, &x->profile);
    if (!x->easy) {
        x->easy = curl_easy_init();
        if (!x->easy)
            goto fail;
        fetch_easy_setup(f, x->easy, req, x->cap);
    }
    CURL *e = x->easy;
    curl_easy_setopt(e, CURLOPT_URL, url);
    curl_easy_setopt(e, CURLOPT_PRIVATE, (char *)x);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, x);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, x->errbuf);
    curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, x);
    if (f->cfg.capture) {
        /* The archive keeps the payload as received: ask for no encoding. */
        buf_init(&x->req_head, 65536);
        buf_init(&x->resp_head, 256 * 1024);
        x->req.keep_any = 1;
        curl_easy_setopt(e, CURLOPT_HEADERDATA, x);
        curl_easy_setopt(e, CURLOPT_DEBUGDATA, x);
    }
    if (curl_multi_add_handle(f->multi, e) != CURLM_OK)
        goto fail;
    x->next = f->live;
    if (f->live)
        f->live->prev = x;
    f->live = x;
    f->in_flight++;
    return 0;
fail:
    if (x->easy)
        curl_easy_cleanup(x->easy);
    x->easy = NULL;
    fetch_xfer_free(x, 0);
    return -1;
}

int fetch_start(struct fetcher *f, const char *url, const char *file_root, void *owner,
                const struct fetch_req *req)
{
    static const struct fetch_req plain;
    if (!req)
        req = &plain;
    if (!strncmp(url, "file:", 5)) {
        fetch_push_done(f, fetch_file(&f->cfg, url, file_root ? file_root : "/", owner));
        f->in_flight++;
        return 0;
    }
    return fetch_start_http(f, url, owner, req);
}

static int fetch_map_curl(CURLcode rc, const struct fetch_xfer *x)
{
    if (x->too_large)
        return x->req.truncate ? FETCH_OK : FETCH_ERR_TOO_LARGE;
    if (rc != CURLE_OK && x->no_fds)
        return FETCH_ERR_NO_FDS;
    switch (rc) {
    case CURLE_OK:
        return FETCH_OK;
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
        return FETCH_ERR_DNS;
    case CURLE_COULDNT_CONNECT:
        return FETCH_ERR_CONNECT;
    case CURLE_OPERATION_TIMEDOUT:
        return FETCH_ERR_TIMEOUT;
    case CURLE_TOO_MANY_REDIRECTS:
        return FETCH_ERR_REDIRECTS;
    case CURLE_FILESIZE_EXCEEDED:
        return FETCH_ERR_TOO_LARGE;
    case CURLE_BAD_CONTENT_ENCODING:
        return FETCH_ERR_BAD_ENCODING;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
        return FETCH_ERR_TLS;
    default:
        return FETCH_ERR_TRANSPORT;
    }
}

static void fetch_finish(struct fetcher *f, CURL *easy, CURLcode rc)
{
    struct fetch_xfer *x = NULL;
    curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&x);
    struct fetch_response *r = x->resp;
    char *ct = NULL;
    curl_off_t us = 0;
    struct curl_header *h = NULL;
    r->err = fetch_map_curl(rc, x);
    if (r->err && x->errbuf[0])
        log_debug("%s", x->errbuf);
    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &r->status);
    curl_easy_getinfo(easy, CURLINFO_CONTENT_TYPE, &ct);
    curl_easy_getinfo(easy, CURLINFO_TOTAL_TIME_T, &us);
    r->ms = (int64_t)(us / 1000);
    if (ct)
        r->content_type = xstrdup(ct);
    if (r->status >= 300 && r->status < 400 &&
        curl_easy_header(easy, "Location", 0, CURLH_HEADER, -1, &h) == CURLHE_OK && h->value)
        r->location = xstrdup(h->value);
    if (curl_easy_header(easy, "Retry-After", 0, CURLH_HEADER, -1, &h) == CURLHE_OK && h->value)
        r->retry_after = xstrdup(h->value);
    if (x->req.follow) {
        char *eff = NULL;
        curl_easy_getinfo(easy, CURLINFO_EFFECTIVE_URL, &eff);
        if (eff)
            r->effective_url = xstrdup(eff);
    }
    r->is_html = fetch_is_html(ct) || (!ct && x->keep);
    if (r->err == FETCH_OK && x->keep && (r->is_html || x->req.keep_any)) {
        if (x->shm) {
            x->shm[x->shm_len] = '\0'; /* room was taken for it */
            r->body = x->shm;
            r->body_len = x->shm_len;
            x->shm = NULL;
        } else {
            r->body = buf_steal(&x->body, &r->body_len);
        }
    }
    if (f->cfg.capture) {
        char *ip = NULL;
        curl_easy_getinfo(easy, CURLINFO_PRIMARY_IP, &ip);
        if (ip && *ip)
            r->remote_ip = xstrdup(ip);
        r->req_head = buf_steal(&x->req_head, &r->req_head_len);
        r->resp_head = buf_steal(&x->resp_head, &r->resp_head_len);
    }
    x->resp = NULL;
    fetch_push_done(f, r);
    fetch_xfer_free(x, 1);
}

/* Transfers libcurl has finished become responses. */
static void fetch_collect(struct fetcher *f)
{
    CURLMsg *m;
    int left;
    while ((m = curl_multi_info_read(f->multi, &left)))
        if (m->msg == CURLMSG_DONE)
            fetch_finish(f, m->easy_handle, m->data.result);
}

int fetch_wait(struct fetcher *f, struct pollfd *extra, unsigned nextra, int timeout_ms)
{
    /* libcurl's timer first, so transfers added since the last turn start now */
    if (fetch_socks_timer(f->socks) < 0)
        return -1;
    fetch_collect(f);
    if (f->done_head)
        timeout_ms = 0; /* results are ready: only look at the extra fds */
    if (fetch_socks_wait(f->socks, extra, nextra, timeout_ms) < 0)
        return -1;
    fetch_collect(f);
    return 0;
}

struct fetch_response *fetch_next(struct fetcher *f)
{
    struct fetch_done *d = f->done_head;
    if (!d)
        return NULL;
    f->done_head = d->next;
    if (!f->done_head)
        f->done_tail = NULL;
    struct fetch_response *r = d->resp;
    free(d);
    f->in_flight--;
    return r;
}

void fetch_cancel_all(struct fetcher *f)
{
    while (f->live) {
        struct fetch_xfer *x = f->live;
        struct fetch_response *r = x->resp;
        x->resp = NULL;
        r->err = FETCH_ERR_INTERRUPTED;
        fetch_push_done(f, r);
        fetch_xfer_free(x, 0);
    }
}

size_t fetch_in_flight(const struct fetcher *f)
{
    return f->in_flight;
}
