/* fetch: transfers. http(s) through one libcurl multi handle, never
 * following redirects itself (the crawl loop resolves Location with our own
 * resolver and checks scope per hop); file: URLs read from disk, confined to
 * a root directory after symlink resolution. Bodies are counted in the
 * write callback and capped on decompressed bytes (CURLOPT_MAXFILESIZE does
 * not do that in libcurl 7.88.1). Only HTML bodies are kept; others are
 * counted and dropped. Must not know about the frontier or the output. */
#ifndef CRAWL_FETCH_H
#define CRAWL_FETCH_H

#include <curl/curl.h>
#include <poll.h>
#include <stddef.h>
#include <stdint.h>

enum fetch_err {
    FETCH_OK = 0,
    FETCH_ERR_DNS,
    FETCH_ERR_CONNECT,
    FETCH_ERR_TIMEOUT,
    FETCH_ERR_TOO_LARGE,
    FETCH_ERR_TLS,
    FETCH_ERR_BAD_ENCODING,
    FETCH_ERR_TRANSPORT,
    FETCH_ERR_NOT_FOUND,   /* file: no such file */
    FETCH_ERR_NOT_REGULAR, /* file: not a regular file */
    FETCH_ERR_OUTSIDE,     /* file: resolves outside the root (symlink) */
    FETCH_ERR_READ,        /* file: read error */
    FETCH_ERR_INTERRUPTED, /* cancelled by fetch_cancel_all */
    FETCH_ERR_REDIRECTS,   /* libcurl-followed redirects over the limit */
    FETCH_ERR_NO_FDS       /* socket() failed with EMFILE/ENFILE: this process
                              (or the system) is out of file descriptors; not
                              the host's failure */
};

/* Stable short code for the output ("dns", "connect", ...); NULL for OK. */
const char *fetch_err_code(int err);

struct fetch_response {
    void *owner;         /* as given to fetch_start */
    int err;             /* enum fetch_err */
    long status;         /* HTTP status; 200/301 for files; 0 when none */
    char *content_type;  /* Content-Type value as received, or NULL; owned */
    char *location;      /* raw Location header value, or NULL; owned */
    char *retry_after;   /* raw Retry-After header value, or NULL; owned */
    char *effective_url; /* after libcurl-followed redirects (robots.txt
                            only), or NULL; owned */
    int truncated;       /* body cut at the cap (fetch_req.truncate) */
    /* With fetch_config.capture (for --warc): the exchange as on the wire,
     * for the last request of the transfer. Bodies of every type are kept
     * (the HTML-only rule is off) and no Accept-Encoding is sent, so the
     * body is the payload as received. */
    char *req_head; /* request line and headers; owned */
    size_t req_head_len;
    char *resp_head; /* status line and headers of the final response */
    size_t resp_head_len;
    char *remote_ip; /* peer address, or NULL; owned */
    int64_t when;    /* wall-clock time the transfer started, Unix ms */
    int is_html;     /* text/html or application/xhtml+xml */
    char *body;      /* HTML body (NUL-terminated), NULL otherwise; owned,
                        released with shm_free: it may be in the shared
                        body region (shm.h) */
    size_t body_len;
    uint64_t bytes; /* body bytes received (decompressed) */
    int64_t ms;     /* time taken */
};

void fetch_response_free(struct fetch_response *r);

struct fetch_config {
    size_t max_size;
    int timeout_s;
    int connect_timeout_s;
    int concurrency;
    int per_host;
    const char *user_agent;
    long long limit_rate; /* bytes/s per transfer, 0 = none */
    int capture;          /* keep raw headers and every body (--warc) */
    int stall_s;          /* abort below 1 byte/s for this long */
    /* Request controls. Every string is borrowed for the fetcher's life. */
    const char *const *headers; /* extra "Name: value" lines */
    size_t nheaders;
    int cookies;              /* keep cookies for the crawl (one jar) */
    const char *load_cookies; /* Netscape cookie file read at start, or NULL */
    const char *save_cookies; /* written by fetch_destroy, or NULL */
    const char *user;         /* sent only with fetch_req.auth */
    const char *password;
    int netrc;           /* ~/.netrc, only with fetch_req.auth */
    const char *proxy;   /* NULL: libcurl's environment variables */
    int insecure;        /* no certificate or host name check */
    const char *ca_file; /* CA bundle, or NULL for the system's */
    int http11;          /* never HTTP/2 */
};

/* Per-transfer variations. Pages use the defaults (all zero). */
struct fetch_req {
    int follow;      /* let libcurl follow up to this many redirects (only
                        for robots.txt: pages follow hop by hop in crawl) */
    size_t max_size; /* body cap; 0 = the fetcher's max_size */
    int truncate;    /* keep the first max_size bytes instead of failing */
    int keep_any;    /* keep the body whatever its content type */
    int auth;        /* send --user/--password/--netrc credentials (a start
                        host; never on a hop to another host) */
    int head;        /* a HEAD request (--check-external) */
};

struct fetcher;

/* Call after curl_global_init. NULL on failure, with a reason in err
 * (e.g. a cookie file that cannot be read). */
struct fetcher *fetch_create(const struct fetch_config *cfg, char *err, size_t errcap);
/* Writes the cookie jar (save_cookies) first: 0, or -1 when it could not
 * be written (logged). */
int fetch_destroy(struct fetcher *f);

/* Start fetching url (http, https or file). `file_root` is the directory
 * (absolute, symlinks resolved, no trailing slash) a file: URL must stay
 * in; ignored for http(s). A file is read at once and its response is
 * queued for fetch_next. Returns 0 or -1 (curl refused the handle). */
int fetch_start(struct fetcher *f, const char *url, const char *file_root, void *owner,
                const struct fetch_req *req);

/* Drive transfers and wait up to timeout_ms for activity on the transfers
 * or the extra fds (polled with them in one poll(2); their revents are
 * filled as poll(2) fills them). Returns 0 or -1. */
int fetch_wait(struct fetcher *f, struct pollfd *extra, unsigned nextra, int timeout_ms);

/* Next completed transfer, or NULL. The caller frees it. */
struct fetch_response *fetch_next(struct fetcher *f);

/* Stop every transfer in flight: each comes back from fetch_next as a
 * response with FETCH_ERR_INTERRUPTED. */
void fetch_cancel_all(struct fetcher *f);

/* Transfers started and not yet returned by fetch_next. */
size_t fetch_in_flight(const struct fetcher *f);

/* Nonzero if the media type of content_type is HTML. */
int fetch_is_html(const char *content_type);

#endif
