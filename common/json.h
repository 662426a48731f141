/* json: append JSON values to a struct buf. Strings are always valid JSON
 * and valid UTF-8 whatever the input bytes: control characters are escaped
 * and invalid UTF-8 sequences are replaced with U+FFFD. No parsing here. */
#ifndef CRAWL_JSON_H
#define CRAWL_JSON_H

#include <stddef.h>

#include "buf.h"

/* Append s (len bytes, may contain NULs) as a quoted JSON string. */
int json_put_strn(struct buf *b, const char *s, size_t len);
/* Append s as a JSON string, or null when s is NULL. */
int json_put_str(struct buf *b, const char *s);
int json_put_key(struct buf *b, const char *key); /* "key": (key is trusted ASCII) */

#endif
