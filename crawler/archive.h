/* archive: --warc. What of a transfer goes into the archive: a complete
 * HTTP exchange, or a resource for a file read (truncated or failed
 * transfers do not), and a parsed page's outlinks as a metadata record
 * next to its response. All inputs borrowed; the WARC writer owns the
 * file. */
#ifndef CRAWL_ARCHIVE_H
#define CRAWL_ARCHIVE_H

#include <stddef.h>
#include <stdint.h>

#include "fetch.h"
#include "html.h"

struct warc;

/* Archive the transfer that fetched url (the response's effective URL
 * wins, for libcurl-followed robots.txt redirects). The response record's
 * id goes to id ("" when nothing was archived). 0, or -1 when the archive
 * cannot be written. */
int archive_transfer(struct warc *w, const char *url, const struct fetch_response *r, char *id,
                     size_t idcap);
/* The outlinks of the page at url, fetched at when (Unix ms), whose
 * response record is refers_to. 0 or -1. */
int archive_links(struct warc *w, const char *url, int64_t when, const char *refers_to,
                  const struct html_page *p);

#endif
