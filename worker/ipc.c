/* ipc: frame header encode/decode, payload field reader/writer, and the job
 * and result payloads, exactly as laid out in ipc.h. Shared by the parent
 * (pool.c) and the workers (worker_main.c). Owns no I/O and no global state;
 * every decoder is a pure function of its input bytes and never reads past
 * the length it is given. Nothing here trusts a count or a length taken
 * from the wire: each one is checked against the bytes that remain. */
#include "ipc.h"

#include "json.h"

#include "shm.h"

#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

/* Smallest possible encoded link: five 4-byte lengths and the u32
 * unusable code (an unusable link's url may be empty). Bounds the link
 * count a payload can honestly claim. */
#define IPC_MIN_LINK_LEN 24

void ipc_be32_put(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

uint32_t ipc_be32_get(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

void ipc_encode_header(unsigned char *out, enum ipc_type type, uint32_t flags, uint32_t job_id,
                       uint32_t payload_len)
{
    out[0] = 'C';
    out[1] = 'W';
    out[2] = IPC_VERSION;
    out[3] = (unsigned char)type;
    ipc_be32_put(out + 4, flags);
    ipc_be32_put(out + 8, job_id);
    ipc_be32_put(out + 12, payload_len);
}

int ipc_decode(const unsigned char *buf, size_t len, size_t max_payload, struct ipc_frame *f,
               size_t *consumed)
{
    if (len >= 1 && buf[0] != 'C')
        return IPC_ERR_MAGIC;
    if (len >= 2 && buf[1] != 'W')
        return IPC_ERR_MAGIC;
    if (len >= 3 && buf[2] != IPC_VERSION)
        return IPC_ERR_VERSION;
    if (len >= 4 && (buf[3] < IPC_JOB || buf[3] > IPC_TYPE_LAST))
        return IPC_ERR_TYPE;
    if (len < IPC_HEADER_LEN)
        return IPC_NEED_MORE;

    uint32_t plen = ipc_be32_get(buf + 12);
    if (plen > max_payload)
        return IPC_ERR_TOO_BIG;
    if (plen > len - IPC_HEADER_LEN)
        return IPC_NEED_MORE;

    f->type = (enum ipc_type)buf[3];
    f->flags = ipc_be32_get(buf + 4);
    f->job_id = ipc_be32_get(buf + 8);
    f->payload = buf + IPC_HEADER_LEN;
    f->len = plen;
    *consumed = IPC_HEADER_LEN + (size_t)plen;
    return IPC_FRAME;
}

int ipc_put_u32(struct buf *b, uint32_t v)
{
    unsigned char be[4];
    ipc_be32_put(be, v);
    return buf_append(b, be, sizeof be);
}

int ipc_put_str(struct buf *b, const char *s, size_t len)
{
    if (!s)
        return ipc_put_u32(b, IPC_NULL_LEN);
    /* All or nothing: never leave a length without its bytes. */
    if (len >= IPC_NULL_LEN || len > b->max - b->len || b->max - b->len - len < 4)
        return BUF_ERR_CAP;
    if (ipc_put_u32(b, (uint32_t)len) < 0)
        return BUF_ERR_CAP;
    return buf_append(b, s, len);
}

int ipc_put_cstr(struct buf *b, const char *s)
{
    return ipc_put_str(b, s, s ? strlen(s) : 0);
}

void ipc_reader_init(struct ipc_reader *r, const unsigned char *p, size_t len)
{
    r->p = p;
    r->len = len;
    r->off = 0;
    r->err = 0;
}

uint32_t ipc_get_u32(struct ipc_reader *r)
{
    if (r->err || r->len - r->off < 4) {
        r->err = IPC_ERR_PAYLOAD;
        return 0;
    }
    uint32_t v = ipc_be32_get(r->p + r->off);
    r->off += 4;
    return v;
}

int ipc_get_str(struct ipc_reader *r, const char **s, size_t *len)
{
    *s = NULL;
    *len = 0;
    uint32_t n = ipc_get_u32(r);
    if (r->err)
        return IPC_ERR_PAYLOAD;
    if (n == IPC_NULL_LEN)
        return 0;
    if (n > r->len - r->off) {
        r->err = IPC_ERR_PAYLOAD;
        return IPC_ERR_PAYLOAD;
    }
    *s = (const char *)r->p + r->off;
    *len = n;
    r->off += n;
    return 0;
}

char *ipc_get_dup(struct ipc_reader *r)
{
    const char *s;
    size_t len;
    if (ipc_get_str(r, &s, &len) < 0 || !s)
        return NULL;
    return xmemdup0(s, len);
}

int ipc_job_prefix_encode(struct buf *b, const char *url, const char *encoding)
{
    size_t start = b->len;
    if (ipc_put_cstr(b, url) < 0 || ipc_put_cstr(b, encoding) < 0) {
        b->len = start;
        if (b->data)
            b->data[start] = '\0';
        return BUF_ERR_CAP;
    }
    return 0;
}

/* A string that must become a C string: present and free of NUL bytes. */
static int ipc_cstr_ok(const char *s, size_t len)
{
    return s && !memchr(s, '\0', len);
}

int ipc_job_body_ref_encode(struct buf *b, uint64_t offset, size_t len)
{
    if (offset > UINT32_MAX || len > UINT32_MAX)
        return BUF_ERR_CAP;
    if (ipc_put_u32(b, (uint32_t)offset) < 0 || ipc_put_u32(b, (uint32_t)len) < 0)
        return BUF_ERR_CAP;
    return 0;
}

int ipc_job_decode(const struct ipc_frame *f, struct ipc_job *job)
{
    struct ipc_reader r;
    memset(job, 0, sizeof *job);
    if (f->type != IPC_JOB && f->type != IPC_SITEMAP_JOB)
        return IPC_ERR_TYPE;
    ipc_reader_init(&r, f->payload, f->len);
    if (ipc_get_str(&r, &job->url, &job->url_len) < 0 ||
        ipc_get_str(&r, &job->encoding, &job->encoding_len) < 0)
        goto bad;
    if (!ipc_cstr_ok(job->url, job->url_len) || job->url_len == 0)
        goto bad;
    if (job->encoding && !ipc_cstr_ok(job->encoding, job->encoding_len))
        goto bad;
    if (f->flags & IPC_FLAG_SHM_BODY) {
        uint32_t off = ipc_get_u32(&r), len = ipc_get_u32(&r);
        if (r.err || r.off != f->len || !(job->body = shm_at(off, len)))
            goto bad;
        job->body_len = len;
        return 0;
    }
    job->body = (const char *)f->payload + r.off;
    job->body_len = f->len - r.off;
    return 0;
bad:
    memset(job, 0, sizeof *job);
    return IPC_ERR_PAYLOAD;
}

static size_t ipc_str_size(const char *s)
{
    return 4 + (s ? strlen(s) : 0);
}

size_t ipc_result_head_size(const struct html_page *page)
{
    return ipc_str_size(page->title) + ipc_str_size(page->base) + ipc_str_size(page->meta_robots) +
           8; /* links_dropped, nlinks */
}

size_t ipc_link_size(const struct html_link *l)
{
    return ipc_str_size(l->url) + ipc_str_size(l->tag) + ipc_str_size(l->attr) +
           ipc_str_size(l->rel) + ipc_str_size(l->text) + 4; /* unusable */
}

/* Keep in step with ipc_link_size. */
static int ipc_put_link(struct buf *b, const struct html_link *l)
{
    if (ipc_put_cstr(b, l->url) < 0 || ipc_put_cstr(b, l->tag) < 0 ||
        ipc_put_cstr(b, l->attr) < 0 || ipc_put_cstr(b, l->rel) < 0 ||
        ipc_put_cstr(b, l->text) < 0 || ipc_put_u32(b, (uint32_t)l->unusable) < 0)
        return BUF_ERR_CAP;
    return 0;
}

/* Close the frame begun at b->data + start (a zeroed header, then its
 * payload): write the header, or on failure (rc < 0, or a payload over
 * 4 GiB) take the whole frame back out of b. Returns 0 or a negative. */
static int ipc_frame_end(struct buf *b, size_t start, enum ipc_type type, uint32_t flags,
                         uint32_t job_id, int rc)
{
    if (rc == 0 && b->len - start - IPC_HEADER_LEN <= UINT32_MAX) {
        ipc_encode_header((unsigned char *)b->data + start, type, flags, job_id,
                          (uint32_t)(b->len - start - IPC_HEADER_LEN));
        return 0;
    }
    if (rc == 0)
        rc = BUF_ERR_CAP;
    if (b->len > start) {
        b->len = start;
        b->data[start] = '\0';
    }
    return rc;
}

/* The page fields of an IPC_RESULT, with nlinks links counted. */
static int ipc_result_head(struct buf *b, const struct html_page *page, size_t nlinks)
{
    if (nlinks > UINT32_MAX || page->links_dropped > UINT32_MAX)
        return BUF_ERR_CAP;
    if (ipc_put_cstr(b, page->title) < 0 || ipc_put_cstr(b, page->base) < 0 ||
        ipc_put_cstr(b, page->meta_robots) < 0 ||
        ipc_put_u32(b, (uint32_t)page->links_dropped) < 0 || ipc_put_u32(b, (uint32_t)nlinks) < 0)
        return BUF_ERR_CAP;
    return 0;
}

int ipc_result_encode(struct buf *b, uint32_t job_id, const struct html_page *page)
{
    unsigned char hdr[IPC_HEADER_LEN] = {0};
    size_t start = b->len;
    int rc =
        buf_append(b, hdr, sizeof hdr) < 0 ? BUF_ERR_CAP : ipc_result_head(b, page, page->nlinks);
    for (size_t i = 0; rc == 0 && i < page->nlinks; i++)
        rc = ipc_put_link(b, &page->links[i]) < 0 ? BUF_ERR_CAP : 0;
    return ipc_frame_end(b, start, IPC_RESULT, 0, job_id, rc);
}

int ipc_result_encode_json(struct buf *b, uint32_t job_id, const struct html_page *page,
                           const char *json, size_t len, size_t count)
{
    unsigned char hdr[IPC_HEADER_LEN] = {0};
    size_t start = b->len;
    int rc = buf_append(b, hdr, sizeof hdr) < 0 ? BUF_ERR_CAP : ipc_result_head(b, page, 0);
    if (rc == 0 && (count > UINT32_MAX || ipc_put_u32(b, (uint32_t)count) < 0 ||
                    ipc_put_str(b, json, len) < 0))
        rc = BUF_ERR_CAP;
    return ipc_frame_end(b, start, IPC_RESULT, IPC_FLAG_LINKS_JSON, job_id, rc);
}

/* Where a decoded page's strings go: one block per page (html_page's
 * `strings`) holding a copy of the whole payload, so each string is read
 * where it lies in the copy. A string's terminating NUL goes over the first
 * byte after it there, which is the next field's, only ever read from the
 * payload itself; a NULL text read as "" takes the first byte of its own
 * length field. The block has one byte more than the payload, for the
 * last string's NUL. */
struct ipc_strings {
    char *copy;
};

/* Read one optional string as a C string: *out NULL for a NULL string, or
 * *null_at (when not NULL) the copy's byte where the NULL was written.
 * Embedded NUL bytes are malformed (they would truncate silently). */
static int ipc_get_opt_cstr(struct ipc_reader *r, struct ipc_strings *sb, char **out,
                            char **null_at)
{
    const char *s;
    size_t len, at = r->off;
    *out = NULL;
    if (ipc_get_str(r, &s, &len) < 0)
        return IPC_ERR_PAYLOAD;
    if (!s) {
        if (null_at)
            *null_at = sb->copy + at;
        return 0;
    }
    if (memchr(s, '\0', len)) {
        r->err = IPC_ERR_PAYLOAD;
        return IPC_ERR_PAYLOAD;
    }
    char *c = sb->copy + (s - (const char *)r->p);
    c[len] = '\0';
    *out = c;
    return 0;
}

/* The rendered links array of an IPC_FLAG_LINKS_JSON result. It goes to
 * the output as it is, so it must stay within its record's line: '[' to
 * ']' with no byte below 0x20 (the renderer escapes them all). */
static int ipc_get_links_json(struct ipc_reader *r, struct ipc_strings *sb, struct html_page *page)
{
    const char *s;
    size_t len;
    page->links_json_count = ipc_get_u32(r);
    if (ipc_get_str(r, &s, &len) < 0 || !s || len < 2 || s[0] != '[' || s[len - 1] != ']' ||
        json_has_control(s, len)) {
        r->err = IPC_ERR_PAYLOAD;
        return IPC_ERR_PAYLOAD;
    }
    page->links_json = sb->copy + (s - (const char *)r->p);
    page->links_json[len] = '\0';
    page->links_json_len = len;
    return 0;
}

/* A link needs a url (non-empty unless unusable), a tag, an attr and a
 * known unusable code; rel may be NULL; a NULL text is read as "" (html.h
 * promises "" when there is none). */
static int ipc_get_link(struct ipc_reader *r, struct ipc_strings *sb, struct html_link *l)
{
    char *no_text = NULL;
    if (ipc_get_opt_cstr(r, sb, &l->url, NULL) < 0 || ipc_get_opt_cstr(r, sb, &l->tag, NULL) < 0 ||
        ipc_get_opt_cstr(r, sb, &l->attr, NULL) < 0 || ipc_get_opt_cstr(r, sb, &l->rel, NULL) < 0 ||
        ipc_get_opt_cstr(r, sb, &l->text, &no_text) < 0)
        return IPC_ERR_PAYLOAD;
    uint32_t why = ipc_get_u32(r);
    if (r->err || why > HTML_UNUSABLE_LAST)
        return IPC_ERR_PAYLOAD;
    l->unusable = (int)why;
    if (!l->url || (!l->url[0] && !why) || !l->tag || !l->attr)
        return IPC_ERR_PAYLOAD;
    if (!l->text) {
        l->text = no_text;
        *l->text = '\0';
    }
    return 0;
}

int ipc_result_decode(const struct ipc_frame *f, struct html_page *page)
{
    struct ipc_reader r;
    int rc = IPC_ERR_PAYLOAD;

    memset(page, 0, sizeof *page);
    if (f->type != IPC_RESULT)
        goto out;
    ipc_reader_init(&r, f->payload, f->len);
    page->strings_len = (size_t)f->len + 1;
    page->strings = xmalloc(page->strings_len);
    memcpy(page->strings, f->payload, f->len);
    struct ipc_strings sb = {page->strings};
    if (ipc_get_opt_cstr(&r, &sb, &page->title, NULL) < 0 ||
        ipc_get_opt_cstr(&r, &sb, &page->base, NULL) < 0 ||
        ipc_get_opt_cstr(&r, &sb, &page->meta_robots, NULL) < 0)
        goto out;
    page->links_dropped = ipc_get_u32(&r);
    uint32_t n = ipc_get_u32(&r);
    if (r.err)
        goto out;
    /* The claimed count must fit in the bytes left before anything is
     * allocated for it. */
    if (n > (r.len - r.off) / IPC_MIN_LINK_LEN)
        goto out;
    if (n > 0) {
        page->links = xcalloc(n, sizeof *page->links);
        for (uint32_t i = 0; i < n; i++) {
            page->nlinks = (size_t)i + 1; /* so a failure frees this link too */
            if (ipc_get_link(&r, &sb, &page->links[i]) < 0)
                goto out;
        }
    }
    if ((f->flags & IPC_FLAG_LINKS_JSON) && (n || ipc_get_links_json(&r, &sb, page) < 0))
        goto out;
    if (r.off != r.len) /* trailing bytes */
        goto out;
    rc = 0;
out:
    if (rc < 0)
        html_page_free(page);
    return rc;
}

/* ---- sitemap results ---- */

/* Smallest encoded loc: a 4-byte length and one byte. */
#define IPC_MIN_LOC_LEN 5

int ipc_sitemap_encode(struct buf *b, uint32_t job_id, int status, const struct sitemap *sm)
{
    unsigned char hdr[IPC_HEADER_LEN] = {0};
    const struct sitemap *ok = status == 0 ? sm : NULL; /* read only on success */
    size_t start = b->len, text = 0, n = ok ? ok->nlocs : 0;
    size_t dropped = ok ? ok->dropped : 0;
    int rc = BUF_ERR_CAP;

    if (status > 0 || status < SITEMAP_ERR_XML || n > SITEMAP_MAX_LOCS)
        goto out;
    if (buf_append(b, hdr, sizeof hdr) < 0 || ipc_put_u32(b, (uint32_t)-status) < 0 ||
        ipc_put_u32(b, ok && ok->is_index ? 1 : 0) < 0 ||
        ipc_put_u32(b, dropped < UINT32_MAX ? (uint32_t)dropped : UINT32_MAX) < 0 ||
        ipc_put_u32(b, (uint32_t)n) < 0)
        goto out;
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(ok->locs[i]);
        text += len;
        if (len == 0 || len > SITEMAP_MAX_LOC_LEN || text > IPC_SITEMAP_MAX_BYTES ||
            ipc_put_str(b, ok->locs[i], len) < 0)
            goto out;
    }
    rc = 0;
out:
    return ipc_frame_end(b, start, IPC_SITEMAP_RESULT, 0, job_id, rc);
}

/* Frees what ipc_sitemap_decode allocated (the layout sitemap_free
 * releases; kept here so this file needs nothing from sitemap.c). */
static void ipc_sitemap_clear(struct sitemap *sm)
{
    for (size_t i = 0; i < sm->nlocs; i++)
        free(sm->locs[i]);
    free(sm->locs);
    memset(sm, 0, sizeof *sm);
}

int ipc_sitemap_decode(const struct ipc_frame *f, int *status, struct sitemap *sm)
{
    struct ipc_reader r;
    int rc = IPC_ERR_PAYLOAD;
    size_t text = 0;

    memset(sm, 0, sizeof *sm);
    *status = 0;
    if (f->type != IPC_SITEMAP_RESULT)
        goto out;
    ipc_reader_init(&r, f->payload, f->len);
    uint32_t st = ipc_get_u32(&r), is_index = ipc_get_u32(&r), dropped = ipc_get_u32(&r);
    uint32_t n = ipc_get_u32(&r);
    if (r.err || st > (uint32_t)-SITEMAP_ERR_XML || is_index > 1 || n > SITEMAP_MAX_LOCS ||
        (st != 0 && (n > 0 || is_index || dropped)))
        goto out;
    /* The claimed count must fit in the bytes left before anything is
     * allocated for it. */
    if (n > (r.len - r.off) / IPC_MIN_LOC_LEN)
        goto out;
    sm->is_index = (int)is_index;
    sm->dropped = dropped;
    if (n > 0)
        sm->locs = xcalloc(n, sizeof *sm->locs);
    for (uint32_t i = 0; i < n; i++) {
        const char *s;
        size_t len;
        if (ipc_get_str(&r, &s, &len) < 0 || !s || len == 0 || len > SITEMAP_MAX_LOC_LEN ||
            memchr(s, '\0', len))
            goto out;
        text += len;
        if (text > IPC_SITEMAP_MAX_BYTES)
            goto out;
        sm->locs[i] = xmemdup0(s, len);
        sm->nlocs = (size_t)i + 1;
    }
    if (r.off != r.len) /* trailing bytes */
        goto out;
    *status = -(int)st;
    rc = 0;
out:
    if (rc < 0) {
        ipc_sitemap_clear(sm);
        *status = 0;
    }
    return rc;
}
