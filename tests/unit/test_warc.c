/* test_warc: write WARC files (plain and .gz) with warcinfo, exchanges
 * (Content-Length, chunked, a body-less 304), a resource and metadata
 * records, then read them back with an independent parser here: every
 * gzip member inflated alone holds exactly one record, Content-Length
 * frames the block, digests recompute (the payload after de-chunking), IDs
 * are v4 UUIDs and link up. Also: write errors (/dev/full, a file size
 * limit) are reported and sticky.
 *
 * With CRAWL_WARC_KEEP=DIR in the environment the two sample archives are
 * left in DIR (sample.warc, sample.warc.gz) for tests/e2e/test_warc.py. */
#include "warc.h"

#include "check.h"
#include "sha1.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#define MAX_RECS 16

struct rec {
    char *head; /* header lines after "WARC/1.1\r\n", NUL-terminated */
    unsigned char *block;
    size_t len;
};

struct archive {
    struct rec r[MAX_RECS];
    size_t n;
    size_t members; /* gzip members (0 for a plain file) */
    int bad;        /* framing error seen */
};

/* ---- reading --------------------------------------------------------- */

/* The first blank line (CRLF CRLF) in p[0..n), or NULL. */
static const unsigned char *find_crlf2(const unsigned char *p, size_t n)
{
    for (size_t i = 0; i + 4 <= n; i++)
        if (memcmp(p + i, "\r\n\r\n", 4) == 0)
            return p + i;
    return NULL;
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, n = 0;
    char *p = malloc(cap);
    size_t got;
    while ((got = fread(p + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap)
            p = realloc(p, cap *= 2);
    }
    fclose(f);
    *len = n;
    return p;
}

/* Value of header field `name` in r (case-insensitive name), or NULL. */
static const char *field(const struct rec *r, const char *name, char *out, size_t cap)
{
    size_t nl = strlen(name);
    for (const char *line = r->head; *line;) {
        const char *end = strstr(line, "\r\n");
        if (!end)
            end = line + strlen(line);
        if ((size_t)(end - line) > nl + 1 && strncasecmp(line, name, nl) == 0 && line[nl] == ':') {
            const char *v = line + nl + 1;
            while (*v == ' ')
                v++;
            snprintf(out, cap, "%.*s", (int)(end - v), v);
            return out;
        }
        line = *end ? end + 2 : end;
    }
    return NULL;
}

/* Parse one record at p; returns the bytes it spans or 0 on a framing error. */
static size_t parse_record(const unsigned char *p, size_t n, struct rec *r)
{
    if (n < 10 || memcmp(p, "WARC/1.1\r\n", 10) != 0)
        return 0;
    const unsigned char *end = find_crlf2(p + 10, n - 10);
    if (!end)
        return 0;
    size_t hlen = (size_t)(end - (p + 10)) + 2; /* keep the last CRLF */
    r->head = malloc(hlen + 1);
    memcpy(r->head, p + 10, hlen);
    r->head[hlen] = '\0';
    char v[64];
    if (!field(r, "Content-Length", v, sizeof v))
        return 0;
    char *e;
    unsigned long long cl = strtoull(v, &e, 10);
    size_t start = (size_t)(end - p) + 4;
    if (*e || cl > n - start || n - start - cl < 4 || memcmp(p + start + cl, "\r\n\r\n", 4) != 0)
        return 0;
    r->len = (size_t)cl;
    r->block = malloc(r->len + 1);
    memcpy(r->block, p + start, r->len);
    return start + r->len + 4;
}

static void read_plain(const unsigned char *p, size_t n, struct archive *a)
{
    size_t off = 0;
    while (off < n && a->n < MAX_RECS) {
        size_t used = parse_record(p + off, n - off, &a->r[a->n]);
        a->n++;
        if (!used) {
            a->bad = 1;
            return;
        }
        off += used;
    }
    a->bad |= off != n;
}

/* Inflate each gzip member on its own: each must be exactly one record. */
static void read_gz(const unsigned char *p, size_t n, struct archive *a)
{
    size_t off = 0;
    while (off < n && a->n < MAX_RECS) {
        z_stream z = {0};
        if (inflateInit2(&z, 15 + 16) != Z_OK) {
            a->bad = 1;
            return;
        }
        size_t cap = 1 << 16, len = 0;
        unsigned char *out = malloc(cap);
        z.next_in = (unsigned char *)(uintptr_t)(p + off);
        z.avail_in = (uInt)(n - off);
        int rc;
        do {
            if (len == cap)
                out = realloc(out, cap *= 2);
            z.next_out = out + len;
            z.avail_out = (uInt)(cap - len);
            rc = inflate(&z, Z_NO_FLUSH);
            len = cap - z.avail_out;
        } while (rc == Z_OK);
        size_t used = (size_t)(n - off) - z.avail_in;
        inflateEnd(&z);
        a->members++;
        if (rc != Z_STREAM_END || parse_record(out, len, &a->r[a->n]) != len)
            a->bad = 1;
        a->n++;
        free(out);
        if (a->bad)
            return;
        off += used;
    }
}

static int read_archive(const char *path, int gz, struct archive *a)
{
    memset(a, 0, sizeof *a);
    size_t n;
    char *p = slurp(path, &n);
    if (!p)
        return -1;
    if (gz)
        read_gz((unsigned char *)p, n, a);
    else
        read_plain((unsigned char *)p, n, a);
    free(p);
    return a->bad ? -1 : 0;
}

static void archive_free(struct archive *a)
{
    for (size_t i = 0; i < a->n; i++) {
        free(a->r[i].head);
        free(a->r[i].block);
    }
}

/* ---- checks ---------------------------------------------------------- */

static int digest_is(const char *label, const void *p, size_t n)
{
    unsigned char d[SHA1_LEN];
    char want[SHA1_LABEL_CAP];
    sha1_hash(p, n, d);
    sha1_label(d, want);
    return label && strcmp(label, want) == 0;
}

/* "<urn:uuid:8-4-4-4-12>" with version 4 and the RFC variant. */
static int uuid_ok(const char *id)
{
    if (!id || strlen(id) != WARC_ID_CAP - 1 || strncmp(id, "<urn:uuid:", 10) != 0 ||
        id[WARC_ID_CAP - 2] != '>')
        return 0;
    const char *u = id + 10;
    for (int i = 0; i < 36; i++) {
        int dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? u[i] != '-' : !strchr("0123456789abcdef", u[i]))
            return 0;
    }
    return u[14] == '4' && strchr("89ab", u[19]) != NULL;
}

/* De-chunk src (RFC 9112 7.1) into dst; returns the length or -1. */
static long dechunk(const unsigned char *s, size_t n, unsigned char *dst)
{
    size_t off = 0, out = 0;
    for (;;) {
        char *e;
        unsigned long size = strtoul((const char *)s + off, &e, 16);
        const char *crlf = strstr(e, "\r\n");
        if (e == (const char *)s + off || !crlf)
            return -1;
        off = (size_t)(crlf + 2 - (const char *)s);
        if (size == 0)
            return off + 2 == n && memcmp(s + off, "\r\n", 2) == 0 ? (long)out : -1;
        if (off + size + 2 > n || memcmp(s + off + size, "\r\n", 2) != 0)
            return -1;
        memcpy(dst + out, s + off, size);
        out += size;
        off += size + 2;
    }
}

/* WARC-Payload-Digest of a response: the entity body after the head, with
 * the chunked coding removed when the head declares it. */
static int payload_ok(const struct rec *r)
{
    char pd[64];
    const unsigned char *end = find_crlf2(r->block, r->len);
    if (!end || !field(r, "WARC-Payload-Digest", pd, sizeof pd))
        return 0;
    size_t hlen = (size_t)(end - r->block) + 4;
    char *head = strndup((const char *)r->block, hlen);
    for (char *c = head; *c; c++)
        *c = (char)tolower((unsigned char)*c);
    int chunked = strstr(head, "\r\ntransfer-encoding: chunked\r\n") != NULL;
    free(head);
    const unsigned char *body = r->block + hlen;
    size_t blen = r->len - hlen;
    if (!chunked)
        return digest_is(pd, body, blen);
    unsigned char *plain = malloc(blen + 1);
    r->block[r->len] = '\0'; /* strtoul stops at the end */
    long pl = dechunk(body, blen, plain);
    int ok = pl >= 0 && digest_is(pd, plain, (size_t)pl);
    free(plain);
    return ok;
}

/* Checks every record shares: ID, date, Warcinfo-ID, block digest. */
static void check_common(const struct archive *a)
{
    char info_id[64], v[64], w[64];
    CHECK(a->n > 0 && field(&a->r[0], "WARC-Type", v, sizeof v) && !strcmp(v, "warcinfo"));
    CHECK(a->n > 0 && field(&a->r[0], "WARC-Record-ID", info_id, sizeof info_id));
    for (size_t i = 0; i < a->n; i++) {
        const struct rec *r = &a->r[i];
        CHECK(uuid_ok(field(r, "WARC-Record-ID", v, sizeof v)));
        for (size_t j = 0; j < i; j++)
            CHECK(strcmp(v, field(&a->r[j], "WARC-Record-ID", w, sizeof w)) != 0);
        const char *d = field(r, "WARC-Date", v, sizeof v);
        CHECK(d && strlen(d) == 20 && d[4] == '-' && d[10] == 'T' && d[19] == 'Z');
        char bd[64];
        CHECK(digest_is(field(r, "WARC-Block-Digest", bd, sizeof bd), r->block, r->len));
        if (i > 0)
            CHECK_STR(field(r, "WARC-Warcinfo-ID", v, sizeof v), info_id);
    }
}

/* ---- the sample archive ---------------------------------------------- */

static const char req1[] = "GET /page HTTP/1.1\r\nHost: example.com\r\nUser-Agent: crawl\r\n\r\n";
static const char resp1[] =
    "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 26\r\n\r\n";
static const char body1[] = "<a href=\"/x\">x</a> bin\0\r\n!";
static const char req2[] = "GET /big HTTP/1.1\r\nHost: example.com\r\n\r\n";
static const char resp2[] = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
                            "Transfer-Encoding: chunked\r\n\r\n";
static const char resp3[] = "HTTP/1.1 304 Not Modified\r\nETag: \"x\"\r\n"; /* no blank line */
static const char file_body[] = "plain file\n";
#define BODY2_LEN 100000
#define WHEN      1795291155999 /* 2026-11-21T19:59:15.999Z */

struct sample_ids {
    char resp1[WARC_ID_CAP], resp2[WARC_ID_CAP], resp3[WARC_ID_CAP], file[WARC_ID_CAP];
};

static int write_sample(const char *path, const unsigned char *body2, struct sample_ids *ids)
{
    char err[256] = "";
    struct warc *w = warc_open(path, "crawl/test", "crawl --warc\nx.warc", err, sizeof err);
    CHECK(w != NULL);
    if (!w) {
        fprintf(stderr, "warc_open: %s\n", err);
        return -1;
    }
    CHECK(warc_write_exchange(w, "http://example.com/page", "127.0.0.1", WHEN, req1,
                              sizeof req1 - 1, resp1, sizeof resp1 - 1, body1, sizeof body1 - 1,
                              ids->resp1, sizeof ids->resp1) == 0);
    CHECK(warc_write_exchange(w, "http://example.com/big", "::1", WHEN, req2, sizeof req2 - 1,
                              resp2, sizeof resp2 - 1, (const char *)body2, BODY2_LEN, ids->resp2,
                              sizeof ids->resp2) == 0);
    CHECK(warc_write_exchange(w, "http://example.com/same", NULL, WHEN, NULL, 0, resp3,
                              sizeof resp3 - 1, NULL, 0, ids->resp3, sizeof ids->resp3) == 0);
    /* an ID buffer that is too small is refused; the archive stays usable */
    char small[8];
    CHECK(warc_write_resource(w, "file:///x", WHEN, NULL, "", 0, small, sizeof small) == -1);
    CHECK(warc_write_resource(w, "file:///tmp/a b.txt", WHEN, NULL, file_body, sizeof file_body - 1,
                              ids->file, sizeof ids->file) == 0);
    const char *urls[] = {"http://example.com/x", "http://example.com/a b",
                          "http://example.com/i.png"};
    const char *tags[] = {"a@href", NULL, "img@src"};
    CHECK(warc_write_metadata(w, "http://example.com/page", WHEN, ids->resp1, urls, tags, 3) == 0);
    /* an ID without brackets, no tags */
    char bare[WARC_ID_CAP];
    snprintf(bare, sizeof bare, "%.*s", WARC_ID_CAP - 3, ids->file + 1);
    CHECK(warc_write_metadata(w, "file:///tmp/a b.txt", WHEN, bare, urls, NULL, 1) == 0);
    return warc_close(w);
}

static void check_sample(const char *path, int gz)
{
    unsigned char *body2 = malloc(BODY2_LEN);
    for (size_t i = 0; i < BODY2_LEN; i++)
        body2[i] = (unsigned char)(i * 131 + i / 977);
    struct sample_ids ids;
    memset(&ids, 0, sizeof ids);
    CHECK(write_sample(path, body2, &ids) == 0);

    struct archive a;
    CHECK(read_archive(path, gz, &a) == 0);
    CHECK(a.n == 9);
    CHECK(a.members == (gz ? 9 : 0));
    if (a.n != 9)
        goto out;
    check_common(&a);
    static const char *const types[] = {"warcinfo", "request",  "response", "request", "response",
                                        "response", "resource", "metadata", "metadata"};
    char v[256], w[256];
    for (size_t i = 0; i < 9; i++)
        CHECK_STR(field(&a.r[i], "WARC-Type", v, sizeof v), types[i]);

    /* warcinfo: fields, with the newline of the command line made a space */
    const char *base = strrchr(path, '/') + 1;
    CHECK_STR(field(&a.r[0], "WARC-Filename", v, sizeof v), base);
    CHECK_STR(field(&a.r[0], "Content-Type", v, sizeof v), "application/warc-fields");
    char year[8];
    time_t now = time(NULL);
    strftime(year, sizeof year, "%Y-", gmtime(&now));
    CHECK(strncmp(field(&a.r[0], "WARC-Date", v, sizeof v), year, 5) == 0); /* written now */
    CHECK(strstr((char *)a.r[0].block, "software: crawl/test\r\n") != NULL);
    CHECK(strstr((char *)a.r[0].block, "format: WARC File Format 1.1\r\n") != NULL);
    CHECK(strstr((char *)a.r[0].block, "command-line: crawl --warc x.warc\r\n") != NULL);

    /* the first exchange: blocks byte for byte, links both ways */
    const struct rec *q = &a.r[1], *r = &a.r[2];
    CHECK(q->len == sizeof req1 - 1 && memcmp(q->block, req1, q->len) == 0);
    CHECK(r->len == sizeof resp1 - 1 + sizeof body1 - 1);
    CHECK(memcmp(r->block, resp1, sizeof resp1 - 1) == 0);
    CHECK(memcmp(r->block + sizeof resp1 - 1, body1, sizeof body1 - 1) == 0);
    CHECK_STR(field(q, "WARC-Date", v, sizeof v), "2026-11-21T19:59:15Z");
    CHECK_STR(field(q, "WARC-Target-URI", v, sizeof v), "http://example.com/page");
    CHECK_STR(field(r, "WARC-Target-URI", v, sizeof v), "http://example.com/page");
    CHECK_STR(field(q, "WARC-IP-Address", v, sizeof v), "127.0.0.1");
    CHECK_STR(field(r, "WARC-IP-Address", v, sizeof v), "127.0.0.1");
    CHECK_STR(field(q, "Content-Type", v, sizeof v), "application/http;msgtype=request");
    CHECK_STR(field(r, "Content-Type", v, sizeof v), "application/http;msgtype=response");
    CHECK_STR(field(r, "WARC-Record-ID", v, sizeof v), ids.resp1);
    CHECK_STR(field(q, "WARC-Concurrent-To", v, sizeof v), ids.resp1);
    CHECK_STR(field(r, "WARC-Concurrent-To", v, sizeof v), field(q, "WARC-Record-ID", w, sizeof w));
    CHECK(field(q, "WARC-Payload-Digest", v, sizeof v) == NULL);
    CHECK(digest_is(field(r, "WARC-Payload-Digest", v, sizeof v), body1, sizeof body1 - 1));
    CHECK(payload_ok(r));

    /* chunked: headers as received, the body re-chunked as one chunk */
    r = &a.r[4];
    CHECK_STR(field(r, "WARC-Record-ID", v, sizeof v), ids.resp2);
    CHECK_STR(field(r, "WARC-IP-Address", v, sizeof v), "::1");
    size_t h2 = sizeof resp2 - 1;
    CHECK(r->len == h2 + 7 + BODY2_LEN + 7);
    CHECK(memcmp(r->block, resp2, h2) == 0 && memcmp(r->block + h2, "186a0\r\n", 7) == 0);
    CHECK(memcmp(r->block + h2 + 7, body2, BODY2_LEN) == 0);
    CHECK(memcmp(r->block + r->len - 7, "\r\n0\r\n\r\n", 7) == 0);
    CHECK(digest_is(field(r, "WARC-Payload-Digest", v, sizeof v), body2, BODY2_LEN));
    CHECK(payload_ok(r));

    /* a 304 without request or IP; the missing blank line is added */
    r = &a.r[5];
    CHECK_STR(field(r, "WARC-Record-ID", v, sizeof v), ids.resp3);
    CHECK(field(r, "WARC-IP-Address", v, sizeof v) == NULL);
    CHECK(field(r, "WARC-Concurrent-To", v, sizeof v) == NULL);
    CHECK(r->len == sizeof resp3 + 1 && memcmp(r->block, resp3, sizeof resp3 - 1) == 0);
    CHECK(memcmp(r->block + r->len - 4, "\r\n\r\n", 4) == 0);
    CHECK(payload_ok(r));

    /* resource: the URI escaped, the default type, block == payload */
    r = &a.r[6];
    CHECK_STR(field(r, "WARC-Record-ID", v, sizeof v), ids.file);
    CHECK_STR(field(r, "WARC-Target-URI", v, sizeof v), "file:///tmp/a%20b.txt");
    CHECK_STR(field(r, "Content-Type", v, sizeof v), "application/octet-stream");
    CHECK(r->len == sizeof file_body - 1 && memcmp(r->block, file_body, r->len) == 0);
    CHECK(digest_is(field(r, "WARC-Payload-Digest", v, sizeof v), file_body, r->len));

    /* metadata: outlinks, refers-to with brackets either way */
    r = &a.r[7];
    CHECK_STR(field(r, "WARC-Refers-To", v, sizeof v), ids.resp1);
    CHECK_STR(field(r, "Content-Type", v, sizeof v), "application/warc-fields");
    CHECK_STR(field(r, "WARC-Target-URI", v, sizeof v), "http://example.com/page");
    static const char meta[] = "outlink: http://example.com/x a@href\r\n"
                               "outlink: http://example.com/a%20b\r\n"
                               "outlink: http://example.com/i.png img@src\r\n";
    CHECK(r->len == sizeof meta - 1 && memcmp(r->block, meta, r->len) == 0);
    r = &a.r[8];
    CHECK_STR(field(r, "WARC-Refers-To", v, sizeof v), ids.file);
    CHECK(r->len == 31 && memcmp(r->block, "outlink: http://example.com/x\r\n", 31) == 0);
out:
    archive_free(&a);
    free(body2);
}

/* ---- failures -------------------------------------------------------- */

static void check_failures(const char *dir)
{
    char err[256] = "", path[512];
    /* ENOSPC: the warcinfo record is flushed at open, so open fails */
    struct warc *w = warc_open("/dev/full", NULL, NULL, err, sizeof err);
    CHECK(w == NULL);
    CHECK(strstr(err, strerror(ENOSPC)) != NULL);
    snprintf(path, sizeof path, "%s/no/such/dir.warc", dir);
    CHECK(warc_open(path, NULL, NULL, err, sizeof err) == NULL);
    CHECK(strstr(err, "cannot create") != NULL);

    /* a write error mid-way (EFBIG past a file size limit) is sticky */
    for (int gz = 0; gz < 2; gz++) {
        snprintf(path, sizeof path, "%s/limit.warc%s", dir, gz ? ".gz" : "");
        w = warc_open(path, NULL, "crawl", err, sizeof err);
        CHECK(w != NULL);
        if (!w)
            continue;
        struct rlimit old, lim;
        getrlimit(RLIMIT_FSIZE, &old);
        lim = old;
        lim.rlim_cur = 64 * 1024;
        signal(SIGXFSZ, SIG_IGN);
        setrlimit(RLIMIT_FSIZE, &lim);
        size_t big = 4u << 20;
        char *body = malloc(big);
        uint32_t x = 2463534242u; /* xorshift: incompressible enough */
        for (size_t i = 0; i < big; i++) {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            body[i] = (char)x;
        }
        char id[WARC_ID_CAP];
        CHECK(warc_write_resource(w, "file:///big", WHEN, NULL, body, big, id, sizeof id) == -1);
        CHECK(warc_write_resource(w, "file:///small", WHEN, NULL, "x", 1, id, sizeof id) == -1);
        CHECK(warc_write_metadata(w, "file:///small", WHEN, NULL, NULL, NULL, 0) == -1);
        CHECK(warc_close(w) == -1);
        setrlimit(RLIMIT_FSIZE, &old);
        signal(SIGXFSZ, SIG_DFL);
        free(body);
        unlink(path);
    }
    CHECK(warc_close(NULL) == 0);
}

static void remove_dir(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char p[512];
    while (d && (e = readdir(d))) {
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
            snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
            unlink(p);
        }
    }
    if (d)
        closedir(d);
    rmdir(dir);
}

int main(void)
{
    const char *keep = getenv("CRAWL_WARC_KEEP");
    char tmpl[] = "/tmp/test_warc.XXXXXX";
    const char *dir = keep && *keep ? keep : mkdtemp(tmpl);
    if (!dir) {
        perror("mkdtemp");
        return 1;
    }
    char path[512];
    snprintf(path, sizeof path, "%s/sample.warc", dir);
    check_sample(path, 0);
    snprintf(path, sizeof path, "%s/sample.warc.gz", dir);
    check_sample(path, 1);
    check_failures(dir);
    if (!(keep && *keep))
        remove_dir(dir);
    return check_summary("test_warc");
}
