/* json: append JSON values to a struct buf. Strings are always valid JSON
 * and valid UTF-8 whatever the input bytes: control characters are escaped
 * and invalid UTF-8 sequences are replaced with U+FFFD. No parsing here. */
#ifndef CRAWL_JSON_H
#define CRAWL_JSON_H

#include <stddef.h>

#include "buf.h"

/* Worst case of json_escape_to for n input bytes (every byte \u00XX). */
#define JSON_ESCAPED_MAX(n) (6 * (n) + 2)
/* Write s (len bytes, may contain NULs) as a quoted JSON string at dst,
 * which holds JSON_ESCAPED_MAX(len) bytes; dst NULL only counts. Returns
 * the bytes written (no NUL is added). */
size_t json_escape_to(char *dst, const char *s, size_t len);
/* Append s (len bytes, may contain NULs) as a quoted JSON string. */
int json_put_strn(struct buf *b, const char *s, size_t len);
/* Append s as a JSON string, or null when s is NULL. */
int json_put_str(struct buf *b, const char *s);
int json_put_key(struct buf *b, const char *key); /* "key": (key is trusted ASCII) */
/* Nonzero when s[0..n) holds a byte below 0x20, which JSON text written by
 * json_escape_to never does outside its strings' escapes. */
int json_has_control(const char *s, size_t n);

#endif
