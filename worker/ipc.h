/* ipc: the frame format between the parent and the parse workers, shared by
 * both sides. Frames are encoded byte by byte (big-endian), never by writing
 * a struct. The decoder is a pure function of (bytes, len) so it can be unit
 * tested and fuzzed. Owns no I/O.
 *
 * Header (IPC_HEADER_LEN = 16 bytes):
 *   0  'C'  magic
 *   1  'W'  magic
 *   2  version (IPC_VERSION)
 *   3  type (enum ipc_type)
 *   4  flags, u32 BE (IPC_FLAG_*; unknown bits are ignored)
 *   8  job id, u32 BE
 *   12 payload length, u32 BE
 *
 * Payloads are sequences of fields: u32 BE and strings. A string is a u32 BE
 * length followed by that many bytes; length 0xFFFFFFFF means NULL.
 *   IPC_JOB:    str url, str encoding (NULL = sniff), then the body: every
 *               remaining byte of the payload; with IPC_FLAG_SHM_BODY
 *               instead u32 offset, u32 length: where the body is in the
 *               shared body region (common/shm.h), and nothing after.
 *   IPC_RESULT: str title, str base, str meta_robots, u32 links_dropped,
 *               u32 nlinks, then per link: str url, str tag, str attr,
 *               str rel, str text, u32 unusable (enum html_unusable).
 *               With IPC_FLAG_LINKS_JSON, nlinks is 0 and two fields
 *               follow: u32 count, str links (the page's count links
 *               rendered as the JSONL links array: crawler/linkflags.h).
 *   IPC_FAIL:   str cause (the worker could not parse at all).
 *   IPC_SITEMAP_JOB: laid out as IPC_JOB (the encoding is NULL and
 *               ignored); the body is one sitemap file, gzip or not.
 *   IPC_SITEMAP_RESULT: u32 status (0, or -enum sitemap_err), u32 is_index
 *               (0 or 1), u32 dropped, u32 nlocs, then per <loc>: str loc
 *               (non-empty, no NUL byte, at most SITEMAP_MAX_LOC_LEN bytes).
 *               At most SITEMAP_MAX_LOCS locs holding at most
 *               IPC_SITEMAP_MAX_BYTES bytes in all; a failed parse has none.
 * Types 4 and 5 were added in the same protocol version: both ends of a
 * channel are always the same binary. */
#ifndef CRAWL_IPC_H
#define CRAWL_IPC_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "html.h"
#include "sitemap.h"

#define IPC_HEADER_LEN 16
#define IPC_VERSION    1
#define IPC_NULL_LEN   0xFFFFFFFFu
/* Header flag of a job frame: the body is in the shared region, by
 * reference (offset, length) instead of in the payload. */
#define IPC_FLAG_SHM_BODY 0x1u
/* On a job frame: answer with the links rendered (pool_config's
 * render_links), if the worker can; on a result frame: so answered. */
#define IPC_FLAG_LINKS_JSON 0x2u

/* Bytes of <loc> text one IPC_SITEMAP_RESULT may carry. */
#define IPC_SITEMAP_MAX_BYTES (16u * 1024 * 1024)

enum ipc_type {
    IPC_JOB = 1,
    IPC_RESULT = 2,
    IPC_FAIL = 3,
    IPC_SITEMAP_JOB = 4,
    IPC_SITEMAP_RESULT = 5,
    IPC_TYPE_LAST = IPC_SITEMAP_RESULT
};

enum ipc_err {
    IPC_NEED_MORE = 0,    /* not a full frame yet */
    IPC_FRAME = 1,        /* one frame decoded */
    IPC_ERR_MAGIC = -1,   /* bad magic bytes */
    IPC_ERR_VERSION = -2, /* unknown version */
    IPC_ERR_TYPE = -3,    /* unknown frame type */
    IPC_ERR_TOO_BIG = -4, /* payload length above the caller's cap */
    IPC_ERR_PAYLOAD = -5  /* payload fields malformed (truncated string...) */
};

struct ipc_frame {
    enum ipc_type type;
    uint32_t flags;
    uint32_t job_id;
    const unsigned char *payload; /* points into the decoder's input */
    size_t len;
};

/* Fill out[0..IPC_HEADER_LEN) with a header. */
void ipc_encode_header(unsigned char *out, enum ipc_type type, uint32_t flags, uint32_t job_id,
                       uint32_t payload_len);

/* Decode one frame at the start of buf. Returns IPC_FRAME and sets *f and
 * *consumed (header + payload bytes), IPC_NEED_MORE, or a negative ipc_err.
 * Header errors are reported as soon as the bytes that show them arrive
 * (bad magic after 1-2 bytes, oversized length after 16). */
int ipc_decode(const unsigned char *buf, size_t len, size_t max_payload, struct ipc_frame *f,
               size_t *consumed);

/* Payload writers: append to b. Return 0 or BUF_ERR_CAP. */
/* Big-endian 32-bit values at p (4 bytes), for every frame of ours. */
void ipc_be32_put(unsigned char *p, uint32_t v);
uint32_t ipc_be32_get(const unsigned char *p);
int ipc_put_u32(struct buf *b, uint32_t v);
int ipc_put_str(struct buf *b, const char *s, size_t len); /* s NULL -> NULL string */
int ipc_put_cstr(struct buf *b, const char *s);            /* s may be NULL */

/* Payload reader over a frame's bytes. Errors are sticky in r->err. */
struct ipc_reader {
    const unsigned char *p;
    size_t len;
    size_t off;
    int err; /* 0 or IPC_ERR_PAYLOAD */
};
void ipc_reader_init(struct ipc_reader *r, const unsigned char *p, size_t len);
uint32_t ipc_get_u32(struct ipc_reader *r);
/* View of a string inside the payload; *s NULL for a NULL string. Returns 0
 * or IPC_ERR_PAYLOAD. */
int ipc_get_str(struct ipc_reader *r, const char **s, size_t *len);
/* Malloc'd NUL-terminated copy (NULL for a NULL string or on error). */
char *ipc_get_dup(struct ipc_reader *r);

/* Job payload (without header): url and encoding strings. The body is sent
 * after it, separately, so it is never copied. Returns 0 or BUF_ERR_CAP. */
int ipc_job_prefix_encode(struct buf *b, const char *url, const char *encoding);
/* After the prefix, for a frame flagged IPC_FLAG_SHM_BODY: where the body
 * is (shm_offset) and its length. 0, or BUF_ERR_CAP (also when either does
 * not fit in 32 bits). */
int ipc_job_body_ref_encode(struct buf *b, uint64_t offset, size_t len);
/* Decode an IPC_JOB or IPC_SITEMAP_JOB frame into views pointing into
 * f->payload (the body, for a IPC_FLAG_SHM_BODY frame, into the shared
 * region: IPC_ERR_PAYLOAD when it is not all inside it). */
struct ipc_job {
    const char *url;
    size_t url_len;
    const char *encoding;
    size_t encoding_len; /* encoding NULL if sniff */
    const char *body;
    size_t body_len;
};
int ipc_job_decode(const struct ipc_frame *f, struct ipc_job *job);

/* Whole IPC_RESULT frame (header included) for page into b. */
int ipc_result_encode(struct buf *b, uint32_t job_id, const struct html_page *page);
/* The same with IPC_FLAG_LINKS_JSON: page's count links as the rendered
 * array json[0..len) instead of one by one (page->links are not sent). */
int ipc_result_encode_json(struct buf *b, uint32_t job_id, const struct html_page *page,
                           const char *json, size_t len, size_t count);
/* Encoded payload bytes of an IPC_RESULT: ipc_result_head_size for the
 * page's fields before the links, plus ipc_link_size for each link (the
 * header, IPC_HEADER_LEN, comes on top). Lets a sender trim links to fit a
 * frame cap exactly. */
size_t ipc_result_head_size(const struct html_page *page);
size_t ipc_link_size(const struct html_link *l);
/* Decode an IPC_RESULT frame; allocates into *page (caller html_page_free).
 * Returns 0 or IPC_ERR_PAYLOAD (page is then empty). Strings are checked:
 * a link url must be non-empty. */
int ipc_result_decode(const struct ipc_frame *f, struct html_page *page);

/* Whole IPC_SITEMAP_RESULT frame into b: status 0 with sm's locs, or a
 * negative enum sitemap_err (sm is then not read and may be NULL). Returns
 * 0, or BUF_ERR_CAP when it does not fit in b or breaks the caps above
 * (b is left as it was). */
int ipc_sitemap_encode(struct buf *b, uint32_t job_id, int status, const struct sitemap *sm);
/* Decode an IPC_SITEMAP_RESULT frame: *status gets 0 or the negative
 * enum sitemap_err, *sm the locs (caller sitemap_free; empty on a failed
 * parse). Returns 0 or IPC_ERR_PAYLOAD (*sm is then empty) when any field
 * or cap above is broken. */
int ipc_sitemap_decode(const struct ipc_frame *f, int *status, struct sitemap *sm);

#endif
