/* test_ipc: the frame format of worker/ipc.c. Header round trip, byte by
 * byte decoding, early rejection of bad headers, job and result payload
 * round trips, hostile result payloads (every truncation, absurd counts),
 * and the sitemap frames (round trip, the caps on both sides, hostile
 * payloads). Run under valgrind to also prove no leak on the error paths. */
#include "check.h"
#include "buf.h"
#include "html.h"
#include "ipc.h"
#include "shm.h"
#include "sitemap.h"
#include "xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BIG (1u << 20)

/* Header (with flags) + payload in b (payload given). */
static void make_frame_flags(struct buf *b, enum ipc_type type, uint32_t flags, uint32_t id,
                             const void *payload, size_t len)
{
    unsigned char hdr[IPC_HEADER_LEN];
    ipc_encode_header(hdr, type, flags, id, (uint32_t)len);
    buf_reset(b);
    buf_append(b, hdr, sizeof hdr);
    buf_append(b, payload, len);
}

/* Header + payload in b (payload given). */
static void make_frame(struct buf *b, enum ipc_type type, uint32_t id, const void *payload,
                       size_t len)
{
    make_frame_flags(b, type, 0, id, payload, len);
}

/* A job frame flagged IPC_FLAG_SHM_BODY carrying the first len bytes of
 * pay, framed in frame and decoded into job: ipc_job_decode's answer, or
 * -100 when the frame itself does not decode. */
static int shm_job(struct buf *frame, uint32_t id, const struct buf *pay, size_t len,
                   struct ipc_job *job)
{
    struct ipc_frame f;
    size_t used = 0;
    make_frame_flags(frame, IPC_JOB, IPC_FLAG_SHM_BODY, id, pay->data, len);
    if (ipc_decode((unsigned char *)frame->data, frame->len, BIG, &f, &used) != IPC_FRAME)
        return -100;
    return ipc_job_decode(&f, job);
}

/* A job whose body is in the shared region: the frame holds where, the
 * decoded job points there; a reference reaching outside the region, a
 * short or over-long reference, or no region at all is a bad payload. */
static void test_job_shm_body(void)
{
    struct buf b, frame;
    struct ipc_job job;
    buf_init(&b, 1024);
    buf_init(&frame, BIG);
    const uint64_t cases[][3] = {/* offset, length, decodes */
                                 {0, 5, 1},           {4096, 100, 1}, {65536 - 10, 10, 1},
                                 {65536 - 10, 11, 0}, {65536, 0, 1},  {65537, 0, 0},
                                 {0xFFFFFFFFu, 1, 0}};
    CHECK(shm_init(65536) == 0);
    char *block = shm_alloc(5);
    memcpy(block, "<a/>", 5);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        buf_reset(&b);
        ipc_job_prefix_encode(&b, "http://a/", NULL);
        CHECK(ipc_job_body_ref_encode(&b, cases[i][0], cases[i][1]) == 0);
        int rc = shm_job(&frame, 5, &b, b.len, &job);
        CHECKF(cases[i][2] ? rc == 0 && job.body_len == cases[i][1] &&
                                 job.body == shm_at(cases[i][0], cases[i][1])
                           : rc == IPC_ERR_PAYLOAD,
               "shm body reference %zu (offset %llu, length %llu)", i,
               (unsigned long long)cases[i][0], (unsigned long long)cases[i][1]);
    }
    CHECK(job.body == NULL); /* the last case failed: nothing left pointing */
    /* the first case again: the worker sees the parent's bytes */
    buf_reset(&b);
    ipc_job_prefix_encode(&b, "http://a/", NULL);
    ipc_job_body_ref_encode(&b, shm_offset(block), 5);
    CHECK(shm_job(&frame, 6, &b, b.len, &job) == 0 && strcmp(job.body, "<a/>") == 0);
    /* a reference with a byte more after it, or one byte short */
    buf_append(&b, "x", 1);
    CHECK(shm_job(&frame, 7, &b, b.len, &job) == IPC_ERR_PAYLOAD);
    CHECK(shm_job(&frame, 8, &b, b.len - 2, &job) == IPC_ERR_PAYLOAD);
    CHECK(ipc_job_body_ref_encode(&b, 1ull << 32, 1) == BUF_ERR_CAP);
    shm_free(block);
    shm_destroy();
    /* no region (a worker of a parent without one): refused */
    buf_reset(&b);
    ipc_job_prefix_encode(&b, "http://a/", NULL);
    ipc_job_body_ref_encode(&b, 0, 1);
    CHECK(shm_job(&frame, 9, &b, b.len, &job) == IPC_ERR_PAYLOAD);
    buf_free(&b);
    buf_free(&frame);
}

static void test_header_round_trip(void)
{
    unsigned char buf[IPC_HEADER_LEN + 5];
    struct ipc_frame f;
    size_t used = 0;

    ipc_encode_header(buf, IPC_RESULT, 0xDEADBEEFu, 0x01020304u, 5);
    memcpy(buf + IPC_HEADER_LEN, "hello", 5);
    CHECK(buf[0] == 'C' && buf[1] == 'W' && buf[2] == IPC_VERSION && buf[3] == IPC_RESULT);
    CHECK(buf[8] == 1 && buf[9] == 2 && buf[10] == 3 && buf[11] == 4); /* big-endian */
    CHECK(ipc_decode(buf, sizeof buf, 100, &f, &used) == IPC_FRAME);
    CHECK(f.type == IPC_RESULT && f.flags == 0xDEADBEEFu && f.job_id == 0x01020304u);
    CHECK(f.len == 5 && memcmp(f.payload, "hello", 5) == 0 && f.payload == buf + IPC_HEADER_LEN);
    CHECK(used == sizeof buf);

    /* Empty payload is a complete frame at 16 bytes. */
    ipc_encode_header(buf, IPC_FAIL, 0, 7, 0);
    CHECK(ipc_decode(buf, IPC_HEADER_LEN, 0, &f, &used) == IPC_FRAME);
    CHECK(used == IPC_HEADER_LEN && f.len == 0 && f.job_id == 7 && f.type == IPC_FAIL);
}

static void test_byte_at_a_time(void)
{
    unsigned char buf[IPC_HEADER_LEN + 40];
    struct ipc_frame f;
    size_t used = 0;
    int ok = 1;

    ipc_encode_header(buf, IPC_JOB, 0, 42, 40);
    for (int i = 0; i < 40; i++)
        buf[IPC_HEADER_LEN + i] = (unsigned char)i;
    for (size_t n = 0; n < sizeof buf; n++)
        if (ipc_decode(buf, n, 1000, &f, &used) != IPC_NEED_MORE)
            ok = 0;
    CHECK(ok);
    CHECK(ipc_decode(buf, sizeof buf, 1000, &f, &used) == IPC_FRAME);
    CHECK(used == sizeof buf && f.job_id == 42 && f.len == 40 && f.payload[39] == 39);
}

static void test_two_frames(void)
{
    unsigned char buf[2 * IPC_HEADER_LEN + 3 + 4];
    struct ipc_frame f;
    size_t used = 0, used2 = 0;

    ipc_encode_header(buf, IPC_RESULT, 0, 1, 3);
    memcpy(buf + IPC_HEADER_LEN, "abc", 3);
    ipc_encode_header(buf + IPC_HEADER_LEN + 3, IPC_FAIL, 0, 2, 4);
    memcpy(buf + 2 * IPC_HEADER_LEN + 3, "wxyz", 4);

    CHECK(ipc_decode(buf, sizeof buf, 100, &f, &used) == IPC_FRAME);
    CHECK(used == IPC_HEADER_LEN + 3 && f.job_id == 1 && memcmp(f.payload, "abc", 3) == 0);
    CHECK(ipc_decode(buf + used, sizeof buf - used, 100, &f, &used2) == IPC_FRAME);
    CHECK(used + used2 == sizeof buf && f.job_id == 2 && f.type == IPC_FAIL);
    CHECK(f.len == 4 && memcmp(f.payload, "wxyz", 4) == 0);
}

static void test_bad_headers(void)
{
    unsigned char buf[IPC_HEADER_LEN];
    struct ipc_frame f;
    size_t used = 0;

    /* Too big: reported once the length is known, not after the payload. */
    ipc_encode_header(buf, IPC_RESULT, 0, 1, 1001);
    CHECK(ipc_decode(buf, IPC_HEADER_LEN - 1, 1000, &f, &used) == IPC_NEED_MORE);
    CHECK(ipc_decode(buf, IPC_HEADER_LEN, 1000, &f, &used) == IPC_ERR_TOO_BIG);
    ipc_encode_header(buf, IPC_RESULT, 0, 1, 1000);
    CHECK(ipc_decode(buf, IPC_HEADER_LEN, 1000, &f, &used) == IPC_NEED_MORE);
    ipc_encode_header(buf, IPC_RESULT, 0, 1, 0xFFFFFFFFu);
    CHECK(ipc_decode(buf, IPC_HEADER_LEN, 1000, &f, &used) == IPC_ERR_TOO_BIG);

    /* Magic: wrong at byte 0 shows with 1 byte, at byte 1 with 2. */
    ipc_encode_header(buf, IPC_RESULT, 0, 1, 0);
    buf[0] = 'X';
    CHECK(ipc_decode(buf, 1, 1000, &f, &used) == IPC_ERR_MAGIC);
    CHECK(ipc_decode(buf, IPC_HEADER_LEN, 1000, &f, &used) == IPC_ERR_MAGIC);
    buf[0] = 'C';
    CHECK(ipc_decode(buf, 1, 1000, &f, &used) == IPC_NEED_MORE);
    buf[1] = 'w';
    CHECK(ipc_decode(buf, 2, 1000, &f, &used) == IPC_ERR_MAGIC);
    CHECK(ipc_decode(buf, IPC_HEADER_LEN, 1000, &f, &used) == IPC_ERR_MAGIC);
    buf[1] = 'W';
    CHECK(ipc_decode(buf, 0, 1000, &f, &used) == IPC_NEED_MORE);

    buf[2] = IPC_VERSION + 1;
    CHECK(ipc_decode(buf, IPC_HEADER_LEN, 1000, &f, &used) == IPC_ERR_VERSION);
    buf[2] = 0;
    CHECK(ipc_decode(buf, IPC_HEADER_LEN, 1000, &f, &used) == IPC_ERR_VERSION);
    buf[2] = IPC_VERSION;
    buf[3] = 0;
    CHECK(ipc_decode(buf, IPC_HEADER_LEN, 1000, &f, &used) == IPC_ERR_TYPE);
    buf[3] = IPC_TYPE_LAST + 1;
    CHECK(ipc_decode(buf, IPC_HEADER_LEN, 1000, &f, &used) == IPC_ERR_TYPE);
    CHECK(IPC_TYPE_LAST == 5);
    buf[3] = IPC_SITEMAP_JOB;
    CHECK(ipc_decode(buf, IPC_HEADER_LEN, 1000, &f, &used) == IPC_FRAME);
    buf[3] = IPC_SITEMAP_RESULT;
    CHECK(ipc_decode(buf, IPC_HEADER_LEN, 1000, &f, &used) == IPC_FRAME);
    buf[3] = IPC_JOB;
    CHECK(ipc_decode(buf, IPC_HEADER_LEN, 1000, &f, &used) == IPC_FRAME);
}

static void test_fields(void)
{
    struct buf b;
    struct ipc_reader r;
    const char *s;
    size_t len;

    buf_init(&b, 12);
    CHECK(ipc_put_str(&b, "abcd", 4) == 0 && b.len == 8);
    CHECK(ipc_put_str(&b, "xy", 2) == BUF_ERR_CAP && b.len == 8); /* all or nothing */
    CHECK(ipc_put_cstr(&b, NULL) == 0 && b.len == 12);
    CHECK(ipc_put_u32(&b, 1) == BUF_ERR_CAP && b.len == 12);

    ipc_reader_init(&r, (const unsigned char *)b.data, b.len);
    CHECK(ipc_get_str(&r, &s, &len) == 0 && len == 4 && memcmp(s, "abcd", 4) == 0);
    CHECK(ipc_get_str(&r, &s, &len) == 0 && s == NULL);
    CHECK(r.err == 0 && r.off == 12);
    CHECK(ipc_get_u32(&r) == 0 && r.err == IPC_ERR_PAYLOAD);
    CHECK(ipc_get_str(&r, &s, &len) == IPC_ERR_PAYLOAD && s == NULL); /* sticky */

    /* A string length past the end is an error, not a read past it. */
    ipc_reader_init(&r, (const unsigned char *)b.data, 6);
    CHECK(ipc_get_dup(&r) == NULL && r.err == IPC_ERR_PAYLOAD);
    buf_free(&b);
}

static void test_job_round_trip(void)
{
    static const char body[] = "<html>\0<a href=x>\0\0end";
    struct buf b, frame;
    struct ipc_frame f;
    struct ipc_job job;
    size_t used = 0;

    buf_init(&b, 1024);
    buf_init(&frame, BIG);
    CHECK(ipc_job_prefix_encode(&b, "http://example.com/p", "windows-1252") == 0);
    buf_append(&b, body, sizeof body);
    make_frame(&frame, IPC_JOB, 9, b.data, b.len);
    CHECK(ipc_decode((unsigned char *)frame.data, frame.len, BIG, &f, &used) == IPC_FRAME);
    CHECK(ipc_job_decode(&f, &job) == 0);
    CHECK(job.url_len == 20 && memcmp(job.url, "http://example.com/p", 20) == 0);
    CHECK(job.encoding_len == 12 && memcmp(job.encoding, "windows-1252", 12) == 0);
    CHECK(job.body_len == sizeof body && memcmp(job.body, body, sizeof body) == 0);

    /* NULL encoding, empty body. */
    buf_reset(&b);
    CHECK(ipc_job_prefix_encode(&b, "http://a/", NULL) == 0);
    make_frame(&frame, IPC_JOB, 10, b.data, b.len);
    CHECK(ipc_decode((unsigned char *)frame.data, frame.len, BIG, &f, &used) == IPC_FRAME);
    CHECK(ipc_job_decode(&f, &job) == 0 && job.encoding == NULL && job.body_len == 0);

    /* Prefix does not fit: buffer left as it was. */
    struct buf small;
    buf_init(&small, 16);
    CHECK(ipc_job_prefix_encode(&small, "http://example.com/", NULL) == BUF_ERR_CAP);
    CHECK(small.len == 0);
    buf_free(&small);

    /* A url with a NUL, a missing url, a truncated prefix, a wrong type. */
    buf_reset(&b);
    ipc_put_str(&b, "http://a\0b", 10);
    ipc_put_cstr(&b, NULL);
    make_frame(&frame, IPC_JOB, 11, b.data, b.len);
    ipc_decode((unsigned char *)frame.data, frame.len, BIG, &f, &used);
    CHECK(ipc_job_decode(&f, &job) == IPC_ERR_PAYLOAD);
    buf_reset(&b);
    ipc_put_cstr(&b, NULL);
    ipc_put_cstr(&b, NULL);
    make_frame(&frame, IPC_JOB, 12, b.data, b.len);
    ipc_decode((unsigned char *)frame.data, frame.len, BIG, &f, &used);
    CHECK(ipc_job_decode(&f, &job) == IPC_ERR_PAYLOAD);
    buf_reset(&b);
    ipc_put_cstr(&b, "http://a/");
    make_frame(&frame, IPC_JOB, 13, b.data, b.len - 1);
    ipc_decode((unsigned char *)frame.data, frame.len, BIG, &f, &used);
    CHECK(ipc_job_decode(&f, &job) == IPC_ERR_PAYLOAD);
    make_frame(&frame, IPC_RESULT, 14, "", 0);
    ipc_decode((unsigned char *)frame.data, frame.len, BIG, &f, &used);
    CHECK(ipc_job_decode(&f, &job) < 0);

    buf_free(&b);
    buf_free(&frame);
}

static void page_add_link(struct html_page *pg, const char *url, const char *rel, const char *text)
{
    pg->links = xrealloc(pg->links, (pg->nlinks + 1) * sizeof *pg->links);
    struct html_link *l = &pg->links[pg->nlinks++];
    l->url = xstrdup(url);
    l->tag = xstrdup("a");
    l->attr = xstrdup("href");
    l->rel = rel ? xstrdup(rel) : NULL;
    l->text = xstrdup(text);
    l->unusable = 0;
}

static int str_eq(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static int pages_equal(const struct html_page *a, const struct html_page *b)
{
    if (!str_eq(a->title, b->title) || !str_eq(a->base, b->base) ||
        !str_eq(a->meta_robots, b->meta_robots) || a->nlinks != b->nlinks ||
        a->links_dropped != b->links_dropped)
        return 0;
    for (size_t i = 0; i < a->nlinks; i++) {
        const struct html_link *x = &a->links[i], *y = &b->links[i];
        if (!str_eq(x->url, y->url) || !str_eq(x->tag, y->tag) || !str_eq(x->attr, y->attr) ||
            !str_eq(x->rel, y->rel) || !str_eq(x->text, y->text) || x->unusable != y->unusable)
            return 0;
    }
    return 1;
}

static int page_is_empty(const struct html_page *p)
{
    return !p->title && !p->base && !p->meta_robots && !p->links && !p->nlinks &&
           !p->links_dropped && !p->links_json && !p->links_json_len && !p->links_json_count;
}

/* Encode pg, decode it back, compare. */
static void result_round_trip(const struct html_page *pg)
{
    struct buf b;
    struct ipc_frame f;
    struct html_page out;
    size_t used = 0;

    buf_init(&b, 64u << 20);
    CHECK(ipc_result_encode(&b, 77, pg) == 0);
    /* The sizes a sender trims by are the bytes the encoder writes. */
    size_t want = IPC_HEADER_LEN + ipc_result_head_size(pg);
    for (size_t i = 0; i < pg->nlinks; i++)
        want += ipc_link_size(&pg->links[i]);
    CHECK(b.len == want);
    CHECK(ipc_decode((unsigned char *)b.data, b.len, b.len, &f, &used) == IPC_FRAME);
    CHECK(used == b.len && f.type == IPC_RESULT && f.job_id == 77);
    CHECK(ipc_result_decode(&f, &out) == 0);
    CHECK(pages_equal(pg, &out));
    html_page_free(&out);
    buf_free(&b);
}

static void test_result_round_trip(void)
{
    struct html_page pg;
    char url[64];

    memset(&pg, 0, sizeof pg); /* 0 links, every string NULL */
    result_round_trip(&pg);

    pg.title = xstrdup("T\xc3\xa9st");
    pg.base = xstrdup("http://example.com/base/");
    pg.meta_robots = xstrdup("noindex, nofollow");
    pg.links_dropped = 3;
    page_add_link(&pg, "http://example.com/a", "nofollow", "");
    page_add_link(&pg, "mailto:x@example.com", NULL, "mail");
    pg.links[1].unusable = HTML_UNUSABLE_SCHEME;
    page_add_link(&pg, "", NULL, "empty");
    pg.links[2].unusable = HTML_UNUSABLE_EMPTY;
    result_round_trip(&pg);
    html_page_free(&pg);

    memset(&pg, 0, sizeof pg); /* many links, NULL title, NULL rel */
    pg.meta_robots = xstrdup("all");
    for (int i = 0; i < 5000; i++) {
        snprintf(url, sizeof url, "http://example.com/p/%d", i);
        page_add_link(&pg, url, i % 3 ? NULL : "next", i % 2 ? "text" : "");
    }
    result_round_trip(&pg);
    html_page_free(&pg);
}

static void test_result_truncated(void)
{
    struct html_page pg, out;
    struct buf b, cut;
    struct ipc_frame f;
    size_t used = 0;
    int all_fail = 1, all_empty = 1;

    memset(&pg, 0, sizeof pg);
    pg.title = xstrdup("title");
    pg.base = NULL;
    pg.meta_robots = xstrdup("noindex");
    page_add_link(&pg, "http://example.com/1", NULL, "one");
    page_add_link(&pg, "http://example.com/2", "next", "");
    page_add_link(&pg, "http://example.com/3", "a b", "three");
    buf_init(&b, BIG);
    buf_init(&cut, BIG);
    CHECK(ipc_result_encode(&b, 5, &pg) == 0);
    size_t plen = b.len - IPC_HEADER_LEN;

    for (size_t n = 0; n < plen; n++) {
        make_frame(&cut, IPC_RESULT, 5, b.data + IPC_HEADER_LEN, n);
        if (ipc_decode((unsigned char *)cut.data, cut.len, BIG, &f, &used) != IPC_FRAME) {
            all_fail = 0;
            continue;
        }
        memset(&out, 0xAB, sizeof out);
        if (ipc_result_decode(&f, &out) != IPC_ERR_PAYLOAD)
            all_fail = 0;
        if (!page_is_empty(&out))
            all_empty = 0;
        html_page_free(&out);
    }
    CHECK(all_fail);
    CHECK(all_empty);

    /* One trailing byte too many is malformed too. */
    struct buf pay;
    buf_init(&pay, BIG);
    buf_append(&pay, b.data + IPC_HEADER_LEN, plen);
    buf_append_char(&pay, 'x');
    make_frame(&cut, IPC_RESULT, 5, pay.data, pay.len);
    CHECK(ipc_decode((unsigned char *)cut.data, cut.len, BIG, &f, &used) == IPC_FRAME);
    CHECK(ipc_result_decode(&f, &out) == IPC_ERR_PAYLOAD && page_is_empty(&out));

    /* The whole payload decodes, but not as another frame type. */
    make_frame(&cut, IPC_FAIL, 5, b.data + IPC_HEADER_LEN, plen);
    ipc_decode((unsigned char *)cut.data, cut.len, BIG, &f, &used);
    CHECK(ipc_result_decode(&f, &out) == IPC_ERR_PAYLOAD);
    make_frame(&cut, IPC_RESULT, 5, b.data + IPC_HEADER_LEN, plen);
    ipc_decode((unsigned char *)cut.data, cut.len, BIG, &f, &used);
    CHECK(ipc_result_decode(&f, &out) == 0 && pages_equal(&pg, &out));
    html_page_free(&out);

    buf_free(&pay);
    buf_free(&cut);
    buf_free(&b);
    html_page_free(&pg);
}

/* Payload with three NULL strings, dropped, nlinks, then extra bytes. */
static void hostile_payload(struct buf *pay, uint32_t nlinks)
{
    buf_reset(pay);
    ipc_put_cstr(pay, NULL);
    ipc_put_cstr(pay, NULL);
    ipc_put_cstr(pay, NULL);
    ipc_put_u32(pay, 0);
    ipc_put_u32(pay, nlinks);
}

static void test_result_hostile(void)
{
    struct buf pay, frame;
    struct ipc_frame f;
    struct html_page out;
    size_t used = 0;

    buf_init(&pay, BIG);
    buf_init(&frame, BIG);

    /* A huge count with no bytes behind it fails before allocating. */
    hostile_payload(&pay, 0xFFFFFFFFu);
    make_frame(&frame, IPC_RESULT, 1, pay.data, pay.len);
    ipc_decode((unsigned char *)frame.data, frame.len, BIG, &f, &used);
    CHECK(ipc_result_decode(&f, &out) == IPC_ERR_PAYLOAD && page_is_empty(&out));

    /* Same with a few real links after it. */
    for (int i = 0; i < 3; i++) {
        ipc_put_cstr(&pay, "http://x/");
        ipc_put_cstr(&pay, "a");
        ipc_put_cstr(&pay, "href");
        ipc_put_cstr(&pay, NULL);
        ipc_put_cstr(&pay, "");
        ipc_put_u32(&pay, 0);
    }
    make_frame(&frame, IPC_RESULT, 1, pay.data, pay.len);
    ipc_decode((unsigned char *)frame.data, frame.len, BIG, &f, &used);
    CHECK(ipc_result_decode(&f, &out) == IPC_ERR_PAYLOAD && page_is_empty(&out));

    /* Empty url of a usable link; an unknown unusable code; missing tag;
     * NUL inside a title; huge string length. An unusable link may have
     * an empty url. */
    for (uint32_t why = 0; why < 3; why++) {
        static const uint32_t codes[] = {0, HTML_UNUSABLE_LAST + 1, HTML_UNUSABLE_EMPTY};
        hostile_payload(&pay, 1);
        ipc_put_cstr(&pay, "");
        ipc_put_cstr(&pay, "a");
        ipc_put_cstr(&pay, "href");
        ipc_put_cstr(&pay, NULL);
        ipc_put_cstr(&pay, "texttexttext");
        ipc_put_u32(&pay, codes[why]);
        make_frame(&frame, IPC_RESULT, 1, pay.data, pay.len);
        ipc_decode((unsigned char *)frame.data, frame.len, BIG, &f, &used);
        if (why < 2) {
            CHECK(ipc_result_decode(&f, &out) == IPC_ERR_PAYLOAD && page_is_empty(&out));
        } else {
            CHECK(ipc_result_decode(&f, &out) == 0 && out.nlinks == 1 &&
                  out.links[0].unusable == HTML_UNUSABLE_EMPTY && out.links[0].url[0] == '\0');
            html_page_free(&out);
        }
    }

    hostile_payload(&pay, 1);
    ipc_put_cstr(&pay, "http://x/");
    ipc_put_cstr(&pay, NULL);
    ipc_put_cstr(&pay, "href");
    ipc_put_cstr(&pay, NULL);
    ipc_put_cstr(&pay, "texttexttext");
    ipc_put_u32(&pay, 0);
    make_frame(&frame, IPC_RESULT, 1, pay.data, pay.len);
    ipc_decode((unsigned char *)frame.data, frame.len, BIG, &f, &used);
    CHECK(ipc_result_decode(&f, &out) == IPC_ERR_PAYLOAD && page_is_empty(&out));

    buf_reset(&pay);
    ipc_put_str(&pay, "ti\0tle", 6);
    ipc_put_cstr(&pay, NULL);
    ipc_put_cstr(&pay, NULL);
    ipc_put_u32(&pay, 0);
    ipc_put_u32(&pay, 0);
    make_frame(&frame, IPC_RESULT, 1, pay.data, pay.len);
    ipc_decode((unsigned char *)frame.data, frame.len, BIG, &f, &used);
    CHECK(ipc_result_decode(&f, &out) == IPC_ERR_PAYLOAD && page_is_empty(&out));

    buf_reset(&pay);
    ipc_put_u32(&pay, 0xFFFFFFFEu);
    buf_append(&pay, "abc", 3);
    make_frame(&frame, IPC_RESULT, 1, pay.data, pay.len);
    ipc_decode((unsigned char *)frame.data, frame.len, BIG, &f, &used);
    CHECK(ipc_result_decode(&f, &out) == IPC_ERR_PAYLOAD && page_is_empty(&out));

    /* NULL text reads back as "" (html.h: "" when none). */
    hostile_payload(&pay, 1);
    ipc_put_cstr(&pay, "http://x/");
    ipc_put_cstr(&pay, "a");
    ipc_put_cstr(&pay, "href");
    ipc_put_cstr(&pay, NULL);
    ipc_put_cstr(&pay, NULL);
    ipc_put_u32(&pay, 0);
    make_frame(&frame, IPC_RESULT, 1, pay.data, pay.len);
    ipc_decode((unsigned char *)frame.data, frame.len, BIG, &f, &used);
    CHECK(ipc_result_decode(&f, &out) == 0 && out.nlinks == 1 && out.links[0].text &&
          out.links[0].text[0] == '\0' && out.links[0].rel == NULL);
    html_page_free(&out);

    buf_free(&pay);
    buf_free(&frame);
}

/* ---- sitemap frames ---- */

/* Encode a sitemap result of the given locs; returns the encoder's rc. */
static int sm_encode(struct buf *b, uint32_t id, int status, int is_index, size_t dropped,
                     char **locs, size_t n)
{
    struct sitemap sm = {.is_index = is_index, .locs = locs, .nlocs = n, .dropped = dropped};
    return ipc_sitemap_encode(b, id, status, &sm);
}

/* Decode the frame in b (header included). */
static int sm_decode(const struct buf *b, int *status, struct sitemap *sm)
{
    struct ipc_frame f;
    size_t used = 0;
    if (ipc_decode((const unsigned char *)b->data, b->len, 64u << 20, &f, &used) != IPC_FRAME ||
        used != b->len)
        return -100;
    return ipc_sitemap_decode(&f, status, sm);
}

static void test_sitemap_round_trip(void)
{
    char *locs[] = {"http://h/a", "/relative?x=1&y=2", "caf\xc3\xa9"};
    struct buf b, job;
    struct sitemap sm;
    struct ipc_frame f;
    struct ipc_job j;
    size_t used = 0;
    int status = 99;

    buf_init(&b, BIG);
    CHECK(sm_encode(&b, 42, 0, 1, 7, locs, 3) == 0);
    CHECK(b.data[3] == IPC_SITEMAP_RESULT);
    CHECK(sm_decode(&b, &status, &sm) == 0);
    CHECK(status == 0 && sm.is_index == 1 && sm.dropped == 7 && sm.nlocs == 3);
    CHECK(sm.nlocs == 3 && strcmp(sm.locs[0], locs[0]) == 0 && strcmp(sm.locs[1], locs[1]) == 0 &&
          strcmp(sm.locs[2], locs[2]) == 0);
    sitemap_free(&sm);

    /* A failed parse: the status, no locs (the struct is not even read). */
    buf_reset(&b);
    CHECK(ipc_sitemap_encode(&b, 43, SITEMAP_ERR_NOT_SITEMAP, NULL) == 0);
    CHECK(sm_decode(&b, &status, &sm) == 0);
    CHECK(status == SITEMAP_ERR_NOT_SITEMAP && sm.nlocs == 0 && sm.locs == NULL && !sm.is_index);
    buf_reset(&b);
    CHECK(sm_encode(&b, 44, SITEMAP_ERR_GZIP, 1, 3, locs, 3) == 0);
    CHECK(sm_decode(&b, &status, &sm) == 0);
    CHECK(status == SITEMAP_ERR_GZIP && sm.nlocs == 0 && sm.dropped == 0 && !sm.is_index);
    /* Statuses that are not sitemap errors are not encoded. */
    buf_reset(&b);
    CHECK(ipc_sitemap_encode(&b, 45, 1, NULL) == BUF_ERR_CAP && b.len == 0);
    CHECK(ipc_sitemap_encode(&b, 45, SITEMAP_ERR_XML - 1, NULL) == BUF_ERR_CAP && b.len == 0);

    /* The job frame is a page job's layout under its own type. */
    buf_init(&job, 1024);
    ipc_job_prefix_encode(&job, "http://h/sitemap.xml", NULL);
    buf_append(&job, "<urlset/>", 9);
    make_frame(&b, IPC_SITEMAP_JOB, 46, job.data, job.len);
    CHECK(ipc_decode((unsigned char *)b.data, b.len, BIG, &f, &used) == IPC_FRAME);
    CHECK(f.type == IPC_SITEMAP_JOB && ipc_job_decode(&f, &j) == 0);
    CHECK(j.url_len == 20 && j.encoding == NULL && j.body_len == 9);
    /* ... and neither result decoder takes the other's frame. */
    buf_reset(&b);
    CHECK(sm_encode(&b, 47, 0, 0, 0, locs, 1) == 0);
    CHECK(ipc_decode((unsigned char *)b.data, b.len, BIG, &f, &used) == IPC_FRAME);
    struct html_page page;
    CHECK(ipc_result_decode(&f, &page) == IPC_ERR_PAYLOAD && page.nlinks == 0);
    buf_free(&job);
    buf_free(&b);
}

/* The encoder keeps the caps the decoder checks, and leaves b as it was. */
static void test_sitemap_encode_caps(void)
{
    struct buf b;
    char *big = xmalloc(SITEMAP_MAX_LOC_LEN + 2);
    memset(big, 'x', SITEMAP_MAX_LOC_LEN + 1);
    big[SITEMAP_MAX_LOC_LEN + 1] = '\0';
    char *bad[] = {"http://h/ok", big};
    char *empty[] = {"http://h/ok", ""};

    buf_init(&b, BIG);
    buf_append(&b, "keep", 4);
    CHECK(sm_encode(&b, 1, 0, 0, 0, bad, 2) == BUF_ERR_CAP && b.len == 4);
    CHECK(sm_encode(&b, 1, 0, 0, 0, empty, 2) == BUF_ERR_CAP && b.len == 4);
    big[SITEMAP_MAX_LOC_LEN] = '\0'; /* exactly the longest loc */
    CHECK(sm_encode(&b, 1, 0, 0, 0, bad, 2) == 0 && b.len > 4 + SITEMAP_MAX_LOC_LEN);
    buf_free(&b);

    /* Over IPC_SITEMAP_MAX_BYTES of text in all. */
    size_t n = IPC_SITEMAP_MAX_BYTES / SITEMAP_MAX_LOC_LEN + 1;
    char **many = xcalloc(n, sizeof *many);
    for (size_t i = 0; i < n; i++)
        many[i] = big;
    buf_init(&b, 64u << 20);
    CHECK(sm_encode(&b, 2, 0, 0, 0, many, n) == BUF_ERR_CAP && b.len == 0);
    CHECK(sm_encode(&b, 2, 0, 0, 0, many, n - 1) == 0);
    /* A frame the encoder would refuse is refused by the decoder too: the
     * last loc appended by hand. */
    struct sitemap sm;
    int status;
    CHECK(sm_decode(&b, &status, &sm) == 0 && sm.nlocs == n - 1);
    sitemap_free(&sm);
    ipc_put_str(&b, big, SITEMAP_MAX_LOC_LEN);
    uint32_t plen = (uint32_t)(b.len - IPC_HEADER_LEN);
    ipc_encode_header((unsigned char *)b.data, IPC_SITEMAP_RESULT, 0, 2, plen);
    unsigned char *cnt = (unsigned char *)b.data + IPC_HEADER_LEN + 12;
    uint32_t c = (uint32_t)n;
    cnt[0] = (unsigned char)(c >> 24), cnt[1] = (unsigned char)(c >> 16);
    cnt[2] = (unsigned char)(c >> 8), cnt[3] = (unsigned char)c;
    CHECK(sm_decode(&b, &status, &sm) == IPC_ERR_PAYLOAD && sm.nlocs == 0 && sm.locs == NULL);
    free(many);
    free(big);
    buf_free(&b);
}

/* Hand-made payload: status, is_index, dropped, count, then locs. */
static void sm_payload(struct buf *p, uint32_t st, uint32_t idx, uint32_t dropped, uint32_t n)
{
    buf_reset(p);
    ipc_put_u32(p, st);
    ipc_put_u32(p, idx);
    ipc_put_u32(p, dropped);
    ipc_put_u32(p, n);
}

static int sm_decode_payload(const struct buf *pay)
{
    struct buf frame;
    struct sitemap sm;
    int status = 12345, rc;
    buf_init(&frame, BIG);
    make_frame(&frame, IPC_SITEMAP_RESULT, 1, pay->data, pay->len);
    rc = sm_decode(&frame, &status, &sm);
    if (rc < 0 && (sm.nlocs || sm.locs || status != 0))
        rc = -99; /* a failed decode must leave nothing behind */
    sitemap_free(&sm);
    buf_free(&frame);
    return rc;
}

static void test_sitemap_hostile(void)
{
    struct buf pay, frame;
    struct sitemap sm;
    int status;
    char *locs[] = {"http://h/1", "http://h/2"};

    buf_init(&pay, BIG);
    buf_init(&frame, BIG);

    /* Every truncation of a good payload is refused, without leaks. */
    CHECK(sm_encode(&frame, 1, 0, 0, 0, locs, 2) == 0);
    size_t full = frame.len - IPC_HEADER_LEN;
    buf_append(&pay, frame.data + IPC_HEADER_LEN, full);
    int all = 1;
    for (size_t cut = 0; cut < full; cut++) {
        struct buf t;
        buf_init(&t, BIG);
        buf_append(&t, pay.data, cut);
        all &= sm_decode_payload(&t) == IPC_ERR_PAYLOAD;
        buf_free(&t);
    }
    CHECK(all);
    CHECK(sm_decode_payload(&pay) == 0);
    buf_append(&pay, "z", 1); /* trailing byte */
    CHECK(sm_decode_payload(&pay) == IPC_ERR_PAYLOAD);

    sm_payload(&pay, 0, 0, 0, 0);
    CHECK(sm_decode_payload(&pay) == 0);
    sm_payload(&pay, 5, 0, 0, 0); /* status beyond the sitemap errors */
    CHECK(sm_decode_payload(&pay) == IPC_ERR_PAYLOAD);
    sm_payload(&pay, 4, 0, 0, 0);
    CHECK(sm_decode_payload(&pay) == 0);
    sm_payload(&pay, 0, 2, 0, 0); /* is_index is 0 or 1 */
    CHECK(sm_decode_payload(&pay) == IPC_ERR_PAYLOAD);
    sm_payload(&pay, 3, 1, 0, 0); /* a failed parse has no index flag... */
    CHECK(sm_decode_payload(&pay) == IPC_ERR_PAYLOAD);
    sm_payload(&pay, 3, 0, 1, 0); /* ... no dropped count ... */
    CHECK(sm_decode_payload(&pay) == IPC_ERR_PAYLOAD);
    sm_payload(&pay, 3, 0, 0, 1); /* ... and no locs */
    ipc_put_cstr(&pay, "http://h/");
    CHECK(sm_decode_payload(&pay) == IPC_ERR_PAYLOAD);
    sm_payload(&pay, 0, 0, 0, 1);
    ipc_put_str(&pay, "", 0); /* empty loc */
    CHECK(sm_decode_payload(&pay) == IPC_ERR_PAYLOAD);
    sm_payload(&pay, 0, 0, 0, 1);
    ipc_put_str(&pay, NULL, 0); /* NULL loc */
    CHECK(sm_decode_payload(&pay) == IPC_ERR_PAYLOAD);
    sm_payload(&pay, 0, 0, 0, 1);
    ipc_put_str(&pay, "http://h/\0x", 11); /* NUL inside */
    CHECK(sm_decode_payload(&pay) == IPC_ERR_PAYLOAD);
    sm_payload(&pay, 0, 0, 0, 2); /* count above what follows */
    ipc_put_cstr(&pay, "http://h/");
    CHECK(sm_decode_payload(&pay) == IPC_ERR_PAYLOAD);
    sm_payload(&pay, 0, 0, 0, 0xFFFFFFFFu); /* absurd count: refused before allocating */
    CHECK(sm_decode_payload(&pay) == IPC_ERR_PAYLOAD);
    sm_payload(&pay, 0, 0, 0, SITEMAP_MAX_LOCS + 1);
    for (int i = 0; i < SITEMAP_MAX_LOCS + 1; i++)
        ipc_put_str(&pay, "h", 1);
    CHECK(sm_decode_payload(&pay) == IPC_ERR_PAYLOAD);
    sm_payload(&pay, 0, 0, 0, SITEMAP_MAX_LOCS);
    for (int i = 0; i < SITEMAP_MAX_LOCS; i++)
        ipc_put_str(&pay, "h", 1);
    CHECK(sm_decode_payload(&pay) == 0);
    char *longer = xmalloc(SITEMAP_MAX_LOC_LEN + 1);
    memset(longer, 'y', SITEMAP_MAX_LOC_LEN + 1);
    sm_payload(&pay, 0, 0, 0, 1);
    ipc_put_str(&pay, longer, SITEMAP_MAX_LOC_LEN + 1);
    CHECK(sm_decode_payload(&pay) == IPC_ERR_PAYLOAD);
    free(longer);

    /* The wrong frame type. */
    sm_payload(&pay, 0, 0, 0, 0);
    make_frame(&frame, IPC_RESULT, 1, pay.data, pay.len);
    struct ipc_frame f;
    size_t used;
    CHECK(ipc_decode((unsigned char *)frame.data, frame.len, BIG, &f, &used) == IPC_FRAME);
    CHECK(ipc_sitemap_decode(&f, &status, &sm) == IPC_ERR_PAYLOAD && sm.nlocs == 0);
    buf_free(&pay);
    buf_free(&frame);
}

/* One link's fields, as ipc_result_encode writes them. */
static void put_link(struct buf *pay, const char *url, const char *tag, const char *text,
                     uint32_t why)
{
    ipc_put_cstr(pay, url);
    ipc_put_cstr(pay, tag);
    ipc_put_cstr(pay, "href");
    ipc_put_cstr(pay, NULL);
    ipc_put_cstr(pay, text);
    ipc_put_u32(pay, why);
}

/* pay, framed as an IPC_RESULT with these header flags, is malformed:
 * decoding fails and leaves the page empty. */
static int result_rejected(struct buf *frame, uint32_t flags, const void *pay, size_t len)
{
    struct ipc_frame f;
    struct html_page out;
    size_t used = 0;
    make_frame_flags(frame, IPC_RESULT, flags, 1, pay, len);
    if (ipc_decode((unsigned char *)frame->data, frame->len, BIG, &f, &used) != IPC_FRAME)
        return 0;
    memset(&out, 0xAB, sizeof out);
    int rejected = ipc_result_decode(&f, &out) == IPC_ERR_PAYLOAD && page_is_empty(&out);
    html_page_free(&out);
    return rejected;
}

/* IPC_FLAG_LINKS_JSON: a page whose links come as the rendered array. It
 * round-trips; every cut of it, a trailing byte, and arrays that are not
 * '[' .. ']' on one line are malformed; so is a link listed beside it. */
static void test_result_links_json(void)
{
    static const char json[] = "[{\"url\":\"http://example.com/\\u00e9\"},{\"url\":\"b\"}]";
    struct html_page pg, out;
    struct buf b, cut, pay;
    struct ipc_frame f;
    size_t used = 0;

    memset(&pg, 0, sizeof pg);
    pg.title = xstrdup("title");
    pg.links_dropped = 3;
    page_add_link(&pg, "http://example.com/1", NULL, "one");
    page_add_link(&pg, "http://example.com/2", NULL, "two");
    buf_init(&b, BIG);
    buf_init(&cut, BIG);
    buf_init(&pay, BIG);
    CHECK(ipc_result_encode_json(&b, 9, &pg, json, sizeof json - 1, pg.nlinks) == 0);
    CHECK(ipc_decode((unsigned char *)b.data, b.len, BIG, &f, &used) == IPC_FRAME);
    CHECK(f.flags == IPC_FLAG_LINKS_JSON && used == b.len);
    CHECK(ipc_result_decode(&f, &out) == 0);
    CHECK(out.nlinks == 0 && !out.links && out.links_dropped == 3 && str_eq(out.title, "title"));
    CHECK(out.links_json && out.links_json_len == sizeof json - 1 && out.links_json_count == 2 &&
          memcmp(out.links_json, json, sizeof json) == 0); /* NUL-terminated too */
    html_page_free(&out);

    /* every cut, and one trailing byte */
    size_t plen = b.len - IPC_HEADER_LEN;
    int all_fail = 1;
    for (size_t n = 0; n < plen; n++)
        all_fail &= result_rejected(&cut, IPC_FLAG_LINKS_JSON, b.data + IPC_HEADER_LEN, n);
    buf_append(&pay, b.data + IPC_HEADER_LEN, plen);
    buf_append_char(&pay, 'x');
    all_fail &= result_rejected(&cut, IPC_FLAG_LINKS_JSON, pay.data, pay.len);
    CHECK(all_fail);

    /* What must not reach the output as it is: no array, a line break
     * (a forged record), a control byte, a NUL. */
    static const char *const bad[] = {"",           "[",          "{}",
                                      "[1",         "1]",         "[\"a\nb\"]",
                                      "[\"a\rb\"]", "[\"\x01\"]", "[\"a\"]\n{\"forged\":1}\n[]"};
    int all_bad = 1;
    for (size_t i = 0; i <= sizeof bad / sizeof bad[0]; i++) {
        int last = i == sizeof bad / sizeof bad[0];
        buf_reset(&b);
        CHECK(ipc_result_encode_json(&b, 9, &pg, last ? "[\0]" : bad[i], last ? 3 : strlen(bad[i]),
                                     1) == 0);
        all_bad &= result_rejected(&cut, IPC_FLAG_LINKS_JSON, b.data + IPC_HEADER_LEN,
                                   b.len - IPC_HEADER_LEN);
    }
    CHECK(all_bad);
    /* a NULL array */
    hostile_payload(&pay, 0);
    ipc_put_u32(&pay, 0);
    ipc_put_cstr(&pay, NULL);
    CHECK(result_rejected(&cut, IPC_FLAG_LINKS_JSON, pay.data, pay.len));
    /* a link listed as well as the array; without the flag, the array's
     * two fields are stray bytes after the link */
    hostile_payload(&pay, 1);
    put_link(&pay, "http://x/", "a", "", 0);
    ipc_put_u32(&pay, 1);
    ipc_put_cstr(&pay, "[]");
    CHECK(result_rejected(&cut, IPC_FLAG_LINKS_JSON, pay.data, pay.len));
    CHECK(result_rejected(&cut, 0, pay.data, pay.len));

    buf_free(&pay);
    buf_free(&cut);
    buf_free(&b);
    html_page_free(&pg);
}

int main(void)
{
    test_header_round_trip();
    test_byte_at_a_time();
    test_two_frames();
    test_bad_headers();
    test_fields();
    test_job_round_trip();
    test_job_shm_body();
    test_result_round_trip();
    test_result_truncated();
    test_result_hostile();
    test_result_links_json();
    test_sitemap_round_trip();
    test_sitemap_encode_caps();
    test_sitemap_hostile();
    return check_summary("ipc");
}
