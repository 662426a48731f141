/* fetch_file: the file: side of fetch (fetch.h): a file or directory under
 * a root read at once into a response, with the statuses a web server
 * would give (301 to a directory's slash form, index.html or a listing).
 * Knows nothing of libcurl. */
#ifndef CRAWL_FETCH_FILE_H
#define CRAWL_FETCH_FILE_H

#include <stdint.h>

#include "fetch.h"

/* The response for a canonical file: URL, which must stay under root
 * (absolute, symlinks resolved, no trailing slash). Never NULL; the caller
 * frees it (fetch_response_free). */
struct fetch_response *fetch_file(const struct fetch_config *cfg, const char *url, const char *root,
                                  void *owner);

/* Wall-clock milliseconds (a response's `when`). */
int64_t fetch_wall_ms(void);

#endif
