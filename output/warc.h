/* warc: a WARC/1.1 archive writer (--warc FILE). Owns the file, its gzip
 * stream and the warcinfo record's ID. Writes one record per call, in the
 * order called: warcinfo at open, then request+response pairs, resources
 * and metadata. Knows nothing about the crawl loop, fetching or parsing.
 *
 * A path ending in ".gz" is written as one gzip member per record (each
 * member decompresses alone, so an index can point into the file);
 * otherwise plain. Record IDs are random (v4) UUIDs, "<urn:uuid:...>". The
 * first write error (ENOSPC, EIO, ...) is logged once and is sticky: every
 * later call returns -1 at once and warc_close reports the loss. */
#ifndef CRAWL_WARC_H
#define CRAWL_WARC_H

#include <stddef.h>
#include <stdint.h>

/* Bytes for a record ID with its angle brackets and the NUL:
 * "<urn:uuid:xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx>". */
#define WARC_ID_CAP 48

struct warc;

/* Create (or truncate) `path` and write the warcinfo record: software
 * (e.g. "crawl/0.1.0"; NULL -> "crawl/" CRAWL_VERSION), format "WARC File
 * Format 1.1", and command-line: cmdline (NULL -> omitted). The warcinfo
 * record is flushed at once, so an unwritable destination fails here.
 * Returns the writer (free it with warc_close), or NULL with a one-line
 * reason in err. */
struct warc *warc_open(const char *path, const char *software, const char *cmdline, char *err,
                       size_t errcap);

/* One HTTP exchange: a `request` record (block = req_head exactly as sent;
 * none when req_head is NULL or empty) then a `response` record (block =
 * resp_head + body), linked both ways by WARC-Concurrent-To. ip (NULL ->
 * no WARC-IP-Address) and when_ms (Unix ms; the WARC-Date, to the second;
 * <= 0 means now, in every call here) describe the transfer. resp_head is the status line and
 * header lines of the final response including the blank line that ends them (one is added if
 * missing); body is the entity body as libcurl delivered it (with no Accept-Encoding sent, that is
 * the payload). When resp_head says Transfer-Encoding: chunked, libcurl has removed the chunking:
 * the block then stores the body re-chunked as one chunk (see warc.c). The response record's ID,
 * brackets included, is copied into id_out (NULL, or at least WARC_ID_CAP bytes) for
 * warc_write_metadata. All inputs are borrowed. Returns 0, or -1 (write error, or id_cap too small
 * / bad arguments). */
int warc_write_exchange(struct warc *w, const char *url, const char *ip, int64_t when_ms,
                        const char *req_head, size_t req_len, const char *resp_head,
                        size_t resp_len, const char *body, size_t body_len, char *id_out,
                        size_t id_cap);

/* A file read from disk (a file: URL): one `resource` record with
 * Content-Type content_type (NULL -> application/octet-stream) and block =
 * the file's bytes. id_out as for warc_write_exchange. 0 or -1. */
int warc_write_resource(struct warc *w, const char *url, int64_t when_ms, const char *content_type,
                        const char *body, size_t len, char *id_out, size_t id_cap);

/* A `metadata` record (application/warc-fields) about url, WARC-Refers-To
 * the record `refers_to` (an ID from id_out; the brackets are optional).
 * The block lists the page's outlinks, one line each:
 *     outlink: URL TAG
 * where TAG is tags[i], meant to be "element@attribute" ("a@href",
 * "img@src"); tags may be NULL, and a NULL or empty tags[i] leaves the line
 * as "outlink: URL". Spaces and control bytes in URL are %-escaped, in TAG
 * replaced by '_'. 0 or -1. */
int warc_write_metadata(struct warc *w, const char *url, int64_t when_ms, const char *refers_to,
                        const char *const *urls, const char *const *tags, size_t n);

/* Flush, close and free w (NULL is fine). Returns 0, or -1 if any record
 * was lost (a write error now or earlier), logged. */
int warc_close(struct warc *w);

#endif
