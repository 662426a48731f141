/* dirlist: the HTML listing of a directory that has no index.html, as a
 * web server's autoindex would serve it, so an offline crawl of a folder
 * of files still reaches them. Reads the directory; knows nothing of URLs
 * beyond percent-encoding a name. */
#ifndef CRAWL_DIRLIST_H
#define CRAWL_DIRLIST_H

#include "buf.h"

#define DIRLIST_MAX_ENTRIES 10000 /* names past this are not listed */

/* Append to out an HTML page titled "Index of <title>" with one link per
 * entry of dir (".", ".." and names starting with "." left out), sorted
 * by name, a directory's with a trailing slash. Returns 0, -1 when the
 * directory cannot be read, or BUF_ERR_CAP when out's cap is reached. */
int dirlist_html(const char *dir, const char *title, struct buf *out);

#endif
