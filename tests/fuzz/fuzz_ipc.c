/* fuzz_ipc: the frame decoder on arbitrary bytes, read as a stream of
 * frames the way the parent reads a worker's channel (and a worker the
 * parent's). Every frame decoded is handed to ipc_job_decode,
 * ipc_result_decode, ipc_sitemap_decode and the IPC_FAIL reader, on a copy
 * of its payload of exactly its length, so a read past the frame is an
 * ASan error even when more input follows.
 *
 * Invariants checked (abort when broken):
 *  - ipc_decode returns one of its documented codes; a frame lies inside
 *    the input, consumed = header + payload, the payload within the cap;
 *  - every strict prefix of a decoded frame is IPC_NEED_MORE (the decoder
 *    never reports a frame or an error early on bytes that later complete
 *    a valid one);
 *  - a decoder given the wrong type refuses it;
 *  - a decoded job re-encodes to the same payload bytes, and a decoded
 *    result re-encodes and decodes to an equal page (round trip);
 *  - decoded strings are NUL-free, link urls non-empty, tag/attr/text set. */
#include "fuzz.h"

#include "buf.h"
#include "ipc.h"
#include "sitemap.h"

#include <string.h>

#define FUZZ_IPC_MAX_PAYLOAD (1u << 20)

static int fuzz_same(const char *a, const char *b)
{
    return (a == NULL && b == NULL) || (a && b && strcmp(a, b) == 0);
}

static void fuzz_job(const struct ipc_frame *f)
{
    struct ipc_job job;
    struct buf b;

    if (ipc_job_decode(f, &job) != 0) {
        FUZZ_ASSERT(job.url == NULL && job.body == NULL);
        return;
    }
    FUZZ_ASSERT(f->type == IPC_JOB || f->type == IPC_SITEMAP_JOB);
    FUZZ_ASSERT(job.url && job.url_len > 0 && !memchr(job.url, '\0', job.url_len));
    FUZZ_ASSERT(!job.encoding || !memchr(job.encoding, '\0', job.encoding_len));
    FUZZ_ASSERT(job.body >= (const char *)f->payload &&
                job.body + job.body_len == (const char *)f->payload + f->len);

    /* round trip: the prefix encoder plus the body give the payload back */
    char *url = strndup(job.url, job.url_len);
    char *enc = job.encoding ? strndup(job.encoding, job.encoding_len) : NULL;
    FUZZ_ASSERT(url && (enc || !job.encoding));
    buf_init(&b, FUZZ_IPC_MAX_PAYLOAD * 2);
    FUZZ_ASSERT(ipc_job_prefix_encode(&b, url, enc) == 0);
    FUZZ_ASSERT(buf_append(&b, job.body, job.body_len) == 0);
    FUZZ_ASSERT(b.len == f->len && memcmp(b.data, f->payload, f->len) == 0);
    buf_free(&b);
    free(url);
    free(enc);
}

static void fuzz_page_check(const struct html_page *p)
{
    FUZZ_ASSERT(p->nlinks == 0 || p->links != NULL);
    for (size_t i = 0; i < p->nlinks; i++) {
        const struct html_link *l = &p->links[i];
        FUZZ_ASSERT(l->url && (l->url[0] || l->unusable) && l->tag && l->attr && l->text);
        FUZZ_ASSERT(l->unusable >= 0 && l->unusable <= HTML_UNUSABLE_LAST);
    }
    if (p->links_json) { /* what goes to the output as it is stays on one line */
        FUZZ_ASSERT(p->nlinks == 0 && p->links_json_len >= 2 && p->links_json[0] == '[' &&
                    p->links_json[p->links_json_len - 1] == ']' &&
                    p->links_json[p->links_json_len] == '\0');
        for (size_t i = 0; i < p->links_json_len; i++)
            FUZZ_ASSERT((unsigned char)p->links_json[i] >= 0x20);
    }
}

static void fuzz_page_equal(const struct html_page *a, const struct html_page *b)
{
    FUZZ_ASSERT(fuzz_same(a->title, b->title) && fuzz_same(a->base, b->base) &&
                fuzz_same(a->meta_robots, b->meta_robots));
    FUZZ_ASSERT(a->links_dropped == b->links_dropped && a->nlinks == b->nlinks);
    FUZZ_ASSERT(fuzz_same(a->links_json, b->links_json) &&
                a->links_json_count == b->links_json_count);
    for (size_t i = 0; i < a->nlinks; i++) {
        const struct html_link *x = &a->links[i], *y = &b->links[i];
        FUZZ_ASSERT(fuzz_same(x->url, y->url) && fuzz_same(x->tag, y->tag) &&
                    fuzz_same(x->attr, y->attr) && fuzz_same(x->rel, y->rel) &&
                    fuzz_same(x->text, y->text) && x->unusable == y->unusable);
    }
}

static void fuzz_result(const struct ipc_frame *f)
{
    struct html_page page, again;
    struct ipc_frame f2;
    struct buf b;
    size_t used = 0;

    if (ipc_result_decode(f, &page) != 0) {
        FUZZ_ASSERT(page.nlinks == 0 && page.links == NULL && page.title == NULL);
        return;
    }
    FUZZ_ASSERT(f->type == IPC_RESULT);
    fuzz_page_check(&page);

    buf_init(&b, FUZZ_IPC_MAX_PAYLOAD * 2);
    FUZZ_ASSERT((page.links_json
                     ? ipc_result_encode_json(&b, f->job_id, &page, page.links_json,
                                              page.links_json_len, page.links_json_count)
                     : ipc_result_encode(&b, f->job_id, &page)) == 0);
    FUZZ_ASSERT(ipc_decode((const unsigned char *)b.data, b.len, FUZZ_IPC_MAX_PAYLOAD * 2, &f2,
                           &used) == IPC_FRAME);
    FUZZ_ASSERT(used == b.len && f2.type == IPC_RESULT && f2.job_id == f->job_id);
    FUZZ_ASSERT(ipc_result_decode(&f2, &again) == 0);
    fuzz_page_equal(&page, &again);
    html_page_free(&again);
    buf_free(&b);
    html_page_free(&page);
}

static void fuzz_sitemap(const struct ipc_frame *f)
{
    struct sitemap sm, again;
    struct ipc_frame f2;
    struct buf b;
    size_t used = 0;
    int status = 1, status2 = 1;

    if (ipc_sitemap_decode(f, &status, &sm) != 0) {
        FUZZ_ASSERT(sm.nlocs == 0 && sm.locs == NULL && status == 0);
        return;
    }
    FUZZ_ASSERT(f->type == IPC_SITEMAP_RESULT);
    FUZZ_ASSERT(status <= 0 && status >= SITEMAP_ERR_XML);
    FUZZ_ASSERT(sm.nlocs <= SITEMAP_MAX_LOCS && (sm.nlocs == 0 || sm.locs != NULL));
    FUZZ_ASSERT(status == 0 || (sm.nlocs == 0 && !sm.is_index && sm.dropped == 0));
    for (size_t i = 0; i < sm.nlocs; i++) {
        size_t len = strlen(sm.locs[i]);
        FUZZ_ASSERT(len > 0 && len <= SITEMAP_MAX_LOC_LEN);
    }

    buf_init(&b, FUZZ_IPC_MAX_PAYLOAD * 2);
    FUZZ_ASSERT(ipc_sitemap_encode(&b, f->job_id, status, &sm) == 0);
    FUZZ_ASSERT(ipc_decode((const unsigned char *)b.data, b.len, FUZZ_IPC_MAX_PAYLOAD * 2, &f2,
                           &used) == IPC_FRAME);
    FUZZ_ASSERT(used == b.len && f2.type == IPC_SITEMAP_RESULT && f2.job_id == f->job_id);
    FUZZ_ASSERT(f2.len == f->len && memcmp(f2.payload, f->payload, f->len) == 0);
    FUZZ_ASSERT(ipc_sitemap_decode(&f2, &status2, &again) == 0 && status2 == status);
    FUZZ_ASSERT(again.nlocs == sm.nlocs && again.is_index == sm.is_index &&
                again.dropped == sm.dropped);
    for (size_t i = 0; i < sm.nlocs; i++)
        FUZZ_ASSERT(strcmp(again.locs[i], sm.locs[i]) == 0);
    sitemap_free(&again);
    buf_free(&b);
    sitemap_free(&sm);
}

static void fuzz_fail(const struct ipc_frame *f)
{
    struct ipc_reader r;
    if (f->type != IPC_FAIL)
        return;
    ipc_reader_init(&r, f->payload, f->len);
    char *cause = ipc_get_dup(&r);
    FUZZ_ASSERT(r.off <= r.len);
    FUZZ_ASSERT(!cause || !r.err);
    free(cause);
}

/* One frame, on its own copy of exactly f->len payload bytes. */
static void fuzz_frame(const struct ipc_frame *orig)
{
    struct ipc_frame f = *orig;
    unsigned char *copy = malloc(f.len ? f.len : 1);
    FUZZ_ASSERT(copy);
    if (f.len)
        memcpy(copy, orig->payload, f.len);
    f.payload = copy;
    fuzz_job(&f);
    fuzz_result(&f);
    fuzz_sitemap(&f);
    fuzz_fail(&f);
    free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t off = 0;

    while (off <= size) {
        struct ipc_frame f;
        size_t used = 0;
        int rc = ipc_decode(data + off, size - off, FUZZ_IPC_MAX_PAYLOAD, &f, &used);
        FUZZ_ASSERT(rc == IPC_NEED_MORE || rc == IPC_FRAME || rc == IPC_ERR_MAGIC ||
                    rc == IPC_ERR_VERSION || rc == IPC_ERR_TYPE || rc == IPC_ERR_TOO_BIG);
        if (rc != IPC_FRAME)
            break;
        FUZZ_ASSERT(used == IPC_HEADER_LEN + f.len && used <= size - off);
        FUZZ_ASSERT(f.len <= FUZZ_IPC_MAX_PAYLOAD && f.payload == data + off + IPC_HEADER_LEN);
        FUZZ_ASSERT(f.type >= IPC_JOB && f.type <= IPC_TYPE_LAST);
        for (size_t k = 0; k < used; k++) {
            struct ipc_frame g;
            size_t u2 = 0;
            FUZZ_ASSERT(ipc_decode(data + off, k, FUZZ_IPC_MAX_PAYLOAD, &g, &u2) == IPC_NEED_MORE);
        }
        fuzz_frame(&f);
        off += used;
    }
    return 0;
}
