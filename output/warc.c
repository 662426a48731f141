/* warc: WARC/1.1 records, written from the IIPC WARC/1.1 specification.
 * Owns the FILE, the deflate stream and the random source for record IDs.
 * Each record is "WARC/1.1" CRLF, header fields "Name: value" CRLF, CRLF,
 * the block (Content-Length bytes), CRLF CRLF. With ".gz" every record is
 * one complete gzip member (deflateReset between records). The block is
 * never copied: it is hashed and written piece by piece.
 *
 * Chunked responses. libcurl removes the chunked transfer coding before the
 * body reaches us, so the exact bytes on the wire are gone. We keep the
 * header lines as received (including "Transfer-Encoding: chunked") and
 * store the body re-chunked as a single chunk ("<hex len> CRLF body CRLF
 * 0 CRLF CRLF"; an empty body is just the last chunk). The block is then a
 * well-formed HTTP message that any reader de-chunks to exactly the body,
 * the headers are untouched, and WARC-Payload-Digest (the entity body with
 * the transfer coding removed, as WARC/1.1 defines the payload) is the
 * digest of the body as received. Only the chunk boundaries differ from the
 * wire; trailers, which libcurl does not give us, are not stored. Responses
 * that carry no body (HEAD, 1xx, 204, 304) get no chunk framing.
 *
 * Must not know about the crawl loop, fetching or parsing. */
#include "warc.h"

#include "buf.h"
#include "log.h"
#include "sha1.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#define WARC_IOBUF    (1u << 18)
#define WARC_ZBUF     (1u << 16)
#define WARC_HEAD_MAX (1u << 20)  /* WARC header of one record */
#define WARC_META_MAX (64u << 20) /* block of one metadata record */
#define WARC_PIECES   5

struct warc {
    FILE *fp;
    char *path;
    int gz;
    z_stream z;
    unsigned char *zout;
    int failed; /* sticky: a write failed */
    int err;    /* its errno */
    int quiet;  /* warc_open reports through err instead of the log */
    char *iobuf;
    unsigned char rnd[256]; /* random bytes for record IDs */
    size_t rnd_left;
    char info_id[WARC_ID_CAP]; /* the warcinfo record */
    struct buf head;           /* reused for each record's header */
};

/* A block is a few borrowed pieces written back to back. */
struct warc_block {
    const void *p[WARC_PIECES];
    size_t n[WARC_PIECES];
    size_t count;
    size_t len;
};

static void warc_block_add(struct warc_block *b, const void *p, size_t n)
{
    if (n == 0)
        return;
    b->p[b->count] = p;
    b->n[b->count++] = n;
    b->len += n;
}

static void warc_block_digest(const struct warc_block *b, char out[SHA1_LABEL_CAP])
{
    struct sha1_ctx c;
    unsigned char d[SHA1_LEN];
    sha1_init(&c);
    for (size_t i = 0; i < b->count; i++)
        sha1_update(&c, b->p[i], b->n[i]);
    sha1_final(&c, d);
    sha1_label(d, out);
}

static void warc_digest(const void *p, size_t n, char out[SHA1_LABEL_CAP])
{
    unsigned char d[SHA1_LEN];
    sha1_hash(p, n, d);
    sha1_label(d, out);
}

/* ---- output ---------------------------------------------------------- */

static void warc_fail(struct warc *w, int e)
{
    if (w->failed)
        return;
    w->failed = 1;
    w->err = e ? e : EIO;
    if (!w->quiet)
        log_error("warc: writing %s failed: %s; the archive is incomplete", w->path,
                  strerror(e ? e : EIO));
}

static int warc_raw(struct warc *w, const void *p, size_t n)
{
    if (w->failed)
        return -1;
    errno = 0;
    if (n && fwrite(p, 1, n, w->fp) != n) {
        warc_fail(w, errno);
        return -1;
    }
    return 0;
}

/* Compress n bytes into the current member; flush = Z_FINISH ends it. */
static int warc_deflate(struct warc *w, const void *p, size_t n, int flush)
{
    const unsigned char *s = p;
    do {
        size_t take = n > (1u << 30) ? (1u << 30) : n;
        int fl = take == n ? flush : Z_NO_FLUSH;
        w->z.next_in = (unsigned char *)(uintptr_t)s;
        w->z.avail_in = (uInt)take;
        for (;;) {
            w->z.next_out = w->zout;
            w->z.avail_out = WARC_ZBUF;
            int rc = deflate(&w->z, fl);
            if (rc == Z_STREAM_ERROR) {
                warc_fail(w, EIO);
                return -1;
            }
            if (warc_raw(w, w->zout, WARC_ZBUF - w->z.avail_out) < 0)
                return -1;
            if (fl == Z_FINISH ? rc == Z_STREAM_END : w->z.avail_out != 0)
                break;
        }
        s += take;
        n -= take;
    } while (n);
    return 0;
}

static int warc_put(struct warc *w, const void *p, size_t n)
{
    return w->gz ? warc_deflate(w, p, n, Z_NO_FLUSH) : warc_raw(w, p, n);
}

/* Finish the header in w->head with Content-Length and write the record. */
static int warc_emit(struct warc *w, const struct warc_block *b)
{
    if (buf_printf(&w->head, "Content-Length: %zu\r\n\r\n", b->len) < 0) {
        log_warn("warc: record header too large; record skipped");
        return -1;
    }
    if (w->failed)
        return -1;
    if (w->gz && deflateReset(&w->z) != Z_OK) {
        warc_fail(w, EIO);
        return -1;
    }
    int rc = warc_put(w, w->head.data, w->head.len);
    for (size_t i = 0; rc == 0 && i < b->count; i++)
        rc = warc_put(w, b->p[i], b->n[i]);
    if (rc == 0)
        rc = w->gz ? warc_deflate(w, "\r\n\r\n", 4, Z_FINISH) : warc_raw(w, "\r\n\r\n", 4);
    return rc;
}

/* ---- header fields --------------------------------------------------- */

static int warc_random(struct warc *w, unsigned char *out, size_t n)
{
    while (n) {
        if (w->rnd_left == 0) {
            ssize_t got = getrandom(w->rnd, sizeof w->rnd, 0);
            if (got < 0 && errno == EINTR)
                continue;
            if (got <= 0) {
                int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
                got = fd < 0 ? -1 : read(fd, w->rnd, sizeof w->rnd);
                if (fd >= 0)
                    close(fd);
                if (got <= 0)
                    return -1;
            }
            w->rnd_left = (size_t)got;
        }
        size_t take = n < w->rnd_left ? n : w->rnd_left;
        memcpy(out, w->rnd + sizeof w->rnd - w->rnd_left, take);
        w->rnd_left -= take;
        out += take;
        n -= take;
    }
    return 0;
}

/* A random (version 4, RFC 9562) UUID as "<urn:uuid:...>". */
static int warc_new_id(struct warc *w, char out[WARC_ID_CAP])
{
    unsigned char u[16];
    if (warc_random(w, u, sizeof u) < 0) {
        log_error("warc: no random bytes for a record ID: %s", strerror(errno));
        return -1;
    }
    u[6] = (unsigned char)((u[6] & 0x0f) | 0x40);
    u[8] = (unsigned char)((u[8] & 0x3f) | 0x80);
    static const char hex[] = "0123456789abcdef";
    char *o = out;
    memcpy(o, "<urn:uuid:", 10);
    o += 10;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            *o++ = '-';
        *o++ = hex[u[i] >> 4];
        *o++ = hex[u[i] & 15];
    }
    *o++ = '>';
    *o = '\0';
    return 0;
}

static int64_t warc_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ISO 8601 UTC to the second; when_ms <= 0 means now. */
static void warc_date(int64_t when_ms, char out[32])
{
    time_t t = (time_t)((when_ms > 0 ? when_ms : warc_now_ms()) / 1000);
    struct tm tm;
    if (!gmtime_r(&t, &tm) || !strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm))
        snprintf(out, 32, "1970-01-01T00:00:00Z");
}

/* A URI field value: spaces and control bytes %-escaped (a field value
 * must not break the line; WARC-Target-URI has no angle brackets). */
static int warc_put_uri(struct buf *b, const char *s)
{
    int rc = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p && rc == 0; p++)
        rc =
            (*p <= 0x20 || *p == 0x7f) ? buf_printf(b, "%%%02X", *p) : buf_append_char(b, (char)*p);
    return rc;
}

/* A text field value: control bytes become `sub`. */
static int warc_put_text(struct buf *b, const char *s, char sub)
{
    int rc = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p && rc == 0; p++)
        rc = buf_append_char(b, (*p < 0x20 || *p == 0x7f) ? sub : (char)*p);
    return rc;
}

static int warc_field_text(struct buf *b, const char *name, const char *value)
{
    int rc = buf_printf(b, "%s: ", name);
    rc |= warc_put_text(b, value, ' ');
    rc |= buf_append_str(b, "\r\n");
    return rc;
}

static int warc_field_uri(struct buf *b, const char *name, const char *value)
{
    int rc = buf_printf(b, "%s: ", name);
    rc |= warc_put_uri(b, value);
    rc |= buf_append_str(b, "\r\n");
    return rc;
}

/* The fields every record starts with. */
static int warc_head_start(struct warc *w, const char *type, const char *id, int64_t when_ms)
{
    char date[32];
    warc_date(when_ms, date);
    buf_reset(&w->head);
    int rc = buf_printf(&w->head, "WARC/1.1\r\nWARC-Type: %s\r\nWARC-Record-ID: %s\r\n", type, id);
    if (w->info_id[0])
        rc |= buf_printf(&w->head, "WARC-Warcinfo-ID: %s\r\n", w->info_id);
    rc |= buf_printf(&w->head, "WARC-Date: %s\r\n", date);
    return rc;
}

/* The fields every record about a URL starts with: type, id, date, target
 * URI, and the peer address when known. */
static int warc_head_target(struct warc *w, const char *type, const char *id, int64_t when_ms,
                            const char *url, const char *ip)
{
    int rc = warc_head_start(w, type, id, when_ms);
    rc |= warc_field_uri(&w->head, "WARC-Target-URI", url);
    if (ip)
        rc |= warc_field_text(&w->head, "WARC-IP-Address", ip);
    return rc;
}

static int warc_ready(struct warc *w, char *id_out, size_t id_cap)
{
    if (!w || w->failed)
        return -1;
    if (id_out && id_cap < WARC_ID_CAP) {
        log_error("warc: record ID buffer too small (%zu bytes)", id_cap);
        return -1;
    }
    return 0;
}

/* ---- HTTP heads ------------------------------------------------------ */

/* Is `tok` the last element of the comma-separated list v[0..n)? */
static int warc_last_token(const char *v, size_t n, const char *tok)
{
    while (n && (v[n - 1] == ' ' || v[n - 1] == '\t'))
        n--;
    size_t s = n;
    while (s && v[s - 1] != ',' && v[s - 1] != ' ' && v[s - 1] != '\t')
        s--;
    return n - s == strlen(tok) && strncasecmp(v + s, tok, n - s) == 0;
}

/* What the block framing depends on in a response head. A new status line
 * (after a 1xx) starts over. */
static void warc_http_scan(const char *h, size_t len, int *status, int *chunked)
{
    *status = 0;
    *chunked = 0;
    size_t i = 0;
    while (i < len) {
        const char *line = h + i;
        const char *nl = memchr(line, '\n', len - i);
        size_t n = nl ? (size_t)(nl - line) : len - i;
        i += n + (nl != NULL);
        if (n && line[n - 1] == '\r')
            n--;
        if (n > 5 && strncmp(line, "HTTP/", 5) == 0) {
            const char *sp = memchr(line, ' ', n);
            *status = sp ? atoi(sp + 1) : 0;
            *chunked = 0;
            continue;
        }
        static const char te[] = "transfer-encoding:";
        if (n >= sizeof te - 1 && strncasecmp(line, te, sizeof te - 1) == 0)
            *chunked = warc_last_token(line + sizeof te - 1, n - (sizeof te - 1), "chunked");
    }
}

/* The bytes that must follow a head so that it ends with the blank line. */
static const char *warc_head_end(const char *h, size_t len)
{
    if ((len >= 4 && memcmp(h + len - 4, "\r\n\r\n", 4) == 0) ||
        (len >= 2 && memcmp(h + len - 2, "\n\n", 2) == 0))
        return "";
    if (len >= 2 && memcmp(h + len - 2, "\r\n", 2) == 0)
        return "\r\n";
    return len ? "\r\n\r\n" : "";
}

/* ---- records --------------------------------------------------------- */

static int warc_write_request(struct warc *w, const char *url, const char *ip, int64_t when_ms,
                              const char *id, const char *resp_id, const char *head, size_t len)
{
    struct warc_block b = {0};
    const char *end = warc_head_end(head, len);
    warc_block_add(&b, head, len);
    warc_block_add(&b, end, strlen(end));
    char digest[SHA1_LABEL_CAP];
    warc_block_digest(&b, digest);
    int rc = warc_head_target(w, "request", id, when_ms, url, ip);
    rc |= buf_printf(&w->head,
                     "WARC-Concurrent-To: %s\r\n"
                     "Content-Type: application/http;msgtype=request\r\n"
                     "WARC-Block-Digest: %s\r\n",
                     resp_id, digest);
    return rc < 0 ? rc : warc_emit(w, &b);
}

int warc_write_exchange(struct warc *w, const char *url, const char *ip, int64_t when_ms,
                        const char *req_head, size_t req_len, const char *resp_head,
                        size_t resp_len, const char *body, size_t body_len, char *id_out,
                        size_t id_cap)
{
    if (warc_ready(w, id_out, id_cap) < 0 || !url || !resp_head || !resp_len || (!body && body_len))
        return -1;
    char req_id[WARC_ID_CAP], resp_id[WARC_ID_CAP];
    int has_req = req_head && req_len;
    if (warc_new_id(w, resp_id) < 0 || (has_req && warc_new_id(w, req_id) < 0))
        return -1;
    if (has_req && warc_write_request(w, url, ip, when_ms, req_id, resp_id, req_head, req_len) < 0)
        return -1;

    int status, chunked;
    warc_http_scan(resp_head, resp_len, &status, &chunked);
    int no_body = (status >= 100 && status < 200) || status == 204 || status == 304 ||
                  (has_req && req_len >= 5 && strncmp(req_head, "HEAD ", 5) == 0);
    char size_line[32] = "";
    const char *head_end = warc_head_end(resp_head, resp_len);
    struct warc_block b = {0};
    warc_block_add(&b, resp_head, resp_len);
    warc_block_add(&b, head_end, strlen(head_end));
    if (chunked && !no_body && body_len) {
        snprintf(size_line, sizeof size_line, "%zx\r\n", body_len);
        warc_block_add(&b, size_line, strlen(size_line));
        warc_block_add(&b, body, body_len);
        warc_block_add(&b, "\r\n0\r\n\r\n", 7);
    } else if (chunked && !no_body) {
        warc_block_add(&b, "0\r\n\r\n", 5);
    } else {
        warc_block_add(&b, body, body_len);
    }
    char block_digest[SHA1_LABEL_CAP], payload_digest[SHA1_LABEL_CAP];
    warc_block_digest(&b, block_digest);
    warc_digest(body, body_len, payload_digest);

    int rc = warc_head_target(w, "response", resp_id, when_ms, url, ip);
    if (has_req)
        rc |= buf_printf(&w->head, "WARC-Concurrent-To: %s\r\n", req_id);
    rc |= buf_printf(&w->head,
                     "Content-Type: application/http;msgtype=response\r\n"
                     "WARC-Block-Digest: %s\r\n"
                     "WARC-Payload-Digest: %s\r\n",
                     block_digest, payload_digest);
    if (rc < 0 || warc_emit(w, &b) < 0)
        return -1;
    if (id_out)
        memcpy(id_out, resp_id, WARC_ID_CAP);
    return 0;
}

int warc_write_resource(struct warc *w, const char *url, int64_t when_ms, const char *content_type,
                        const char *body, size_t len, char *id_out, size_t id_cap)
{
    if (warc_ready(w, id_out, id_cap) < 0 || !url || (!body && len))
        return -1;
    char id[WARC_ID_CAP], digest[SHA1_LABEL_CAP];
    if (warc_new_id(w, id) < 0)
        return -1;
    struct warc_block b = {0};
    warc_block_add(&b, body, len);
    warc_digest(body, len, digest);
    int rc = warc_head_target(w, "resource", id, when_ms, url, NULL);
    rc |=
        warc_field_text(&w->head, "Content-Type",
                        content_type && *content_type ? content_type : "application/octet-stream");
    /* The whole block is the payload. */
    rc |= buf_printf(&w->head, "WARC-Block-Digest: %s\r\nWARC-Payload-Digest: %s\r\n", digest,
                     digest);
    if (rc < 0 || warc_emit(w, &b) < 0)
        return -1;
    if (id_out)
        memcpy(id_out, id, WARC_ID_CAP);
    return 0;
}

int warc_write_metadata(struct warc *w, const char *url, int64_t when_ms, const char *refers_to,
                        const char *const *urls, const char *const *tags, size_t n)
{
    if (warc_ready(w, NULL, 0) < 0 || !url || (!urls && n))
        return -1;
    char id[WARC_ID_CAP], digest[SHA1_LABEL_CAP];
    if (warc_new_id(w, id) < 0)
        return -1;
    struct buf block;
    buf_init(&block, WARC_META_MAX);
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        if (!urls[i])
            continue;
        rc |= buf_append_str(&block, "outlink: ");
        rc |= warc_put_uri(&block, urls[i]);
        if (tags && tags[i] && *tags[i]) {
            rc |= buf_append_char(&block, ' ');
            for (const char *t = tags[i]; *t; t++)
                rc |= buf_append_char(&block, (unsigned char)*t <= 0x20 || *t == 0x7f ? '_' : *t);
        }
        rc |= buf_append_str(&block, "\r\n");
    }
    if (rc < 0) {
        log_warn("warc: outlinks of %s exceed %u bytes; metadata record skipped", url,
                 WARC_META_MAX);
        goto out;
    }
    struct warc_block b = {0};
    warc_block_add(&b, block.data, block.len);
    warc_digest(block.data ? block.data : "", block.len, digest);
    rc = warc_head_target(w, "metadata", id, when_ms, url, NULL);
    if (refers_to && *refers_to) {
        int bare = refers_to[0] != '<';
        rc |= buf_printf(&w->head, "WARC-Refers-To: %s%s%s\r\n", bare ? "<" : "", refers_to,
                         bare ? ">" : "");
    }
    rc |= buf_printf(&w->head,
                     "Content-Type: application/warc-fields\r\n"
                     "WARC-Block-Digest: %s\r\n",
                     digest);
    if (rc == 0)
        rc = warc_emit(w, &b);
out:
    buf_free(&block);
    return rc < 0 ? -1 : 0;
}

/* ---- open / close ---------------------------------------------------- */

static int warc_write_info(struct warc *w, const char *software, const char *cmdline)
{
    char id[WARC_ID_CAP], digest[SHA1_LABEL_CAP];
    if (warc_new_id(w, id) < 0)
        return -1;
    struct buf block;
    buf_init(&block, WARC_HEAD_MAX);
    int rc = warc_field_text(&block, "software", software ? software : "crawl/" CRAWL_VERSION);
    rc |= buf_append_str(&block,
                         "format: WARC File Format 1.1\r\n"
                         "conformsTo: "
                         "http://iipc.github.io/warc-specifications/specifications/warc-format/"
                         "warc-1.1/\r\n");
    if (cmdline)
        rc |= warc_field_text(&block, "command-line", cmdline);
    struct warc_block b = {0};
    warc_block_add(&b, block.data, block.len);
    warc_digest(block.data, block.len, digest);
    const char *slash = strrchr(w->path, '/');
    rc |= warc_head_start(w, "warcinfo", id, 0);
    rc |= warc_field_text(&w->head, "WARC-Filename", slash ? slash + 1 : w->path);
    rc |= buf_printf(&w->head,
                     "Content-Type: application/warc-fields\r\n"
                     "WARC-Block-Digest: %s\r\n",
                     digest);
    if (rc == 0)
        rc = warc_emit(w, &b);
    if (rc == 0)
        memcpy(w->info_id, id, WARC_ID_CAP);
    buf_free(&block);
    return rc < 0 ? -1 : 0;
}

static void warc_free(struct warc *w)
{
    if (w->gz)
        deflateEnd(&w->z);
    free(w->zout);
    buf_free(&w->head);
    free(w->path);
    free(w->iobuf);
    free(w);
}

struct warc *warc_open(const char *path, const char *software, const char *cmdline, char *err,
                       size_t errcap)
{
    struct warc *w = NULL;
    if (!path || !*path) {
        snprintf(err, errcap, "warc: no file name");
        return NULL;
    }
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (fd < 0) {
        snprintf(err, errcap, "cannot create %s: %s", path, strerror(errno));
        return NULL;
    }
    w = xcalloc(1, sizeof *w);
    w->path = xstrdup(path);
    buf_init(&w->head, WARC_HEAD_MAX);
    size_t n = strlen(path);
    if (n > 3 && strcmp(path + n - 3, ".gz") == 0) {
        /* windowBits 15 + 16: a gzip wrapper (header mtime 0) */
        if (deflateInit2(&w->z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8,
                         Z_DEFAULT_STRATEGY) != Z_OK) {
            snprintf(err, errcap, "cannot start gzip for %s", path);
            close(fd);
            goto fail;
        }
        w->gz = 1;
        w->zout = xmalloc(WARC_ZBUF);
    }
    w->fp = fdopen(fd, "wb");
    if (!w->fp) {
        snprintf(err, errcap, "cannot open %s: %s", path, strerror(errno));
        close(fd);
        goto fail;
    }
    w->iobuf = xmalloc(WARC_IOBUF);
    setvbuf(w->fp, w->iobuf, _IOFBF, WARC_IOBUF);
    w->quiet = 1;
    errno = 0;
    if (warc_write_info(w, software, cmdline) < 0 || fflush(w->fp) != 0) {
        int e = w->err ? w->err : errno ? errno : EIO;
        snprintf(err, errcap, "cannot write %s: %s", path, strerror(e));
        fclose(w->fp);
        goto fail;
    }
    w->quiet = 0;
    return w;
fail:
    warc_free(w);
    return NULL;
}

int warc_close(struct warc *w)
{
    if (!w)
        return 0;
    int rc = w->failed ? -1 : 0;
    errno = 0;
    if (fflush(w->fp) != 0 && !w->failed) {
        warc_fail(w, errno);
        rc = -1;
    }
    errno = 0;
    if (fclose(w->fp) != 0 && !w->failed) {
        warc_fail(w, errno);
        rc = -1;
    }
    warc_free(w);
    return rc;
}
