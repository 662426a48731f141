/* gen_ipc_corpus: writes the hand-made seeds of corpus/ipc/ with the real
 * encoder, so the seeds are frames the parent and workers actually send:
 *
 *   fuzz_gen_ipc DIR
 *
 * Jobs (with and without an encoding, empty and binary bodies), results
 * (no links, many links, NULL and empty strings, dropped counts), a failure,
 * sitemap jobs and results (urlset, index, a failed parse), streams of
 * several frames, and a few near-misses (truncated, bad magic, unknown
 * version/type, oversized length, trailing payload bytes, absurd counts). */
#include "buf.h"
#include "ipc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GEN_MAX (1u << 20)

static const char *gen_dir;

static void gen_write(const char *name, const void *p, size_t n)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", gen_dir, name);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(p, 1, n, f) != n || fclose(f) != 0) {
        perror(path);
        exit(1);
    }
}

/* Appends a whole job frame (IPC_JOB or IPC_SITEMAP_JOB) to b. */
static void gen_job_type(struct buf *b, enum ipc_type type, uint32_t id, const char *url,
                         const char *enc, const char *body, size_t body_len)
{
    struct buf payload;
    unsigned char hdr[IPC_HEADER_LEN];
    buf_init(&payload, GEN_MAX);
    if (ipc_job_prefix_encode(&payload, url, enc) < 0 || buf_append(&payload, body, body_len) < 0)
        exit(1);
    ipc_encode_header(hdr, type, 0, id, (uint32_t)payload.len);
    if (buf_append(b, hdr, sizeof hdr) < 0 || buf_append(b, payload.data, payload.len) < 0)
        exit(1);
    buf_free(&payload);
}

static void gen_job(struct buf *b, uint32_t id, const char *url, const char *enc, const char *body,
                    size_t body_len)
{
    gen_job_type(b, IPC_JOB, id, url, enc, body, body_len);
}

static void gen_sitemap(struct buf *b, uint32_t id, int status, const struct sitemap *sm)
{
    if (ipc_sitemap_encode(b, id, status, sm) < 0)
        exit(1);
}

static void gen_fail(struct buf *b, uint32_t id, const char *cause)
{
    struct buf payload;
    unsigned char hdr[IPC_HEADER_LEN];
    buf_init(&payload, GEN_MAX);
    if (ipc_put_cstr(&payload, cause) < 0)
        exit(1);
    ipc_encode_header(hdr, IPC_FAIL, 0, id, (uint32_t)payload.len);
    if (buf_append(b, hdr, sizeof hdr) < 0 || buf_append(b, payload.data, payload.len) < 0)
        exit(1);
    buf_free(&payload);
}

static void gen_result(struct buf *b, uint32_t id, const struct html_page *p)
{
    if (ipc_result_encode(b, id, p) < 0)
        exit(1);
}

static void gen_emit(const char *name, struct buf *b)
{
    gen_write(name, b->data, b->len);
    buf_reset(b);
}

int main(int argc, char **argv)
{
    struct buf b;
    static const char page[] = "<html><title>T</title><a href=/x>x</a><a href=y rel=next>y</a>";
    static const char bin[] = {'<', 'a', '\0', '\xff', '\xfe', '>', '\x80'};
    struct html_link links[4] = {
        {"http://h/x", "a", "href", NULL, "x", 0},
        {"http://h/s.css", "link", "href", "stylesheet", "", 0},
        {"http://h/f", "iframe", "src", NULL, "caf\xc3\xa9", 0},
        {"mailto:m@h", "a", "href", NULL, "m", HTML_UNUSABLE_SCHEME},
    };
    struct html_page none = {0}, full = {0}, nulls = {0};

    if (argc != 2) {
        fprintf(stderr, "usage: %s DIR\n", argv[0]);
        return 2;
    }
    gen_dir = argv[1];
    buf_init(&b, GEN_MAX);

    gen_job(&b, 1, "http://h/dir/page.html", NULL, page, sizeof page - 1);
    gen_emit("job_sniff", &b);
    gen_job(&b, 2, "http://h/p", "windows-1252", bin, sizeof bin);
    gen_emit("job_binary_body", &b);
    gen_job(&b, 0xFFFFFFFFu, "file:///tmp/a.html", "UTF-16LE", "", 0);
    gen_emit("job_empty_body", &b);

    gen_result(&b, 7, &none);
    gen_emit("result_empty", &b);
    full.title = "A title";
    full.base = "http://h/base/";
    full.meta_robots = "noindex, nofollow";
    full.links = links;
    full.nlinks = 4;
    full.links_dropped = 12;
    gen_result(&b, 8, &full);
    gen_emit("result_links", &b);
    nulls.title = "";
    nulls.links = links;
    nulls.nlinks = 1;
    gen_result(&b, 9, &nulls);
    gen_emit("result_one_link", &b);

    if (ipc_result_encode_json(&b, 13, &full, "[{\"url\":\"http://h/x\",\"external\":false}]", 39,
                               4) < 0)
        return 1;
    gen_emit("result_links_json", &b);

    gen_fail(&b, 3, "libxml2 could not create a parser");
    gen_emit("fail", &b);
    gen_fail(&b, 4, NULL);
    gen_emit("fail_null", &b);

    gen_job(&b, 10, "http://h/a", NULL, page, sizeof page - 1);
    gen_result(&b, 10, &full);
    gen_fail(&b, 11, "x");
    gen_job(&b, 12, "http://h/b", "UTF-8", "", 0);
    gen_emit("stream_four", &b);

    /* near misses */
    gen_result(&b, 5, &full);
    b.len -= 3;
    gen_emit("truncated_result", &b);
    gen_job(&b, 6, "http://h/", NULL, "x", 1);
    b.data[1] = 'X';
    gen_emit("bad_magic", &b);
    gen_job(&b, 6, "http://h/", NULL, "x", 1);
    b.data[2] = 9;
    gen_emit("bad_version", &b);
    gen_job(&b, 6, "http://h/", NULL, "x", 1);
    b.data[3] = IPC_TYPE_LAST + 1;
    gen_emit("bad_type", &b);
    gen_job(&b, 6, "http://h/", NULL, "x", 1);
    b.data[12] = 0x7F;
    gen_emit("too_big", &b);
    gen_result(&b, 5, &none);
    if (buf_append(&b, "zz", 2) < 0)
        return 1;
    b.data[15] += 2; /* payload length covers the trailing bytes */
    gen_emit("result_trailing_bytes", &b);
    gen_result(&b, 5, &full);
    b.data[16 + 4 + 7 + 4 + 14 + 4 + 17 + 4] = 0x40; /* a huge link count */
    gen_emit("result_huge_count", &b);

    /* sitemaps */
    static const char urlset[] = "<urlset><url><loc>http://h/a</loc></url></urlset>";
    static const unsigned char gz[] = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3,
                                       3,    0,    0, 0, 0, 0, 0, 0, 0, 0};
    char *locs[] = {"http://h/a", "/b?x=1&y=2", "caf\xc3\xa9"};
    struct sitemap sm_set = {.locs = locs, .nlocs = 3, .dropped = 2};
    struct sitemap sm_index = {.is_index = 1, .locs = locs, .nlocs = 1};
    gen_job_type(&b, IPC_SITEMAP_JOB, 20, "http://h/sitemap.xml", NULL, urlset, sizeof urlset - 1);
    gen_emit("sitemap_job", &b);
    gen_job_type(&b, IPC_SITEMAP_JOB, 21, "http://h/s.xml.gz", NULL, (const char *)gz, sizeof gz);
    gen_emit("sitemap_job_gzip", &b);
    gen_sitemap(&b, 22, 0, &sm_set);
    gen_emit("sitemap_result", &b);
    gen_sitemap(&b, 23, 0, &sm_index);
    gen_emit("sitemap_result_index", &b);
    gen_sitemap(&b, 24, SITEMAP_ERR_NOT_SITEMAP, NULL);
    gen_emit("sitemap_result_failed", &b);
    gen_job_type(&b, IPC_SITEMAP_JOB, 25, "http://h/m.xml", NULL, urlset, sizeof urlset - 1);
    gen_sitemap(&b, 25, 0, &sm_set);
    gen_fail(&b, 26, "result too large");
    gen_emit("stream_sitemap", &b);
    gen_sitemap(&b, 27, 0, &sm_set);
    b.data[16 + 12] = 0x40; /* a huge loc count */
    gen_emit("sitemap_result_huge_count", &b);
    gen_sitemap(&b, 28, 0, &sm_set);
    b.data[16 + 3] = 2; /* a failed parse that still lists locs */
    gen_emit("sitemap_result_failed_with_locs", &b);

    buf_free(&b);
    return 0;
}
