/* format_text: append strings to a struct buf escaped for one output
 * syntax: CSV fields (RFC 4180), XML 1.0 text and attribute values, DOT
 * quoted IDs. Every escaper also turns invalid UTF-8 into U+FFFD, so the
 * output is valid UTF-8 whatever bytes a page held. NULL appends nothing
 * (an empty field). Each returns 0 or BUF_ERR_CAP (buffer left partial). */
#ifndef CRAWL_FORMAT_TEXT_H
#define CRAWL_FORMAT_TEXT_H

#include <stddef.h>

#include "buf.h"

/* s as is, but valid UTF-8 (for SQLite TEXT). */
int format_text_utf8(struct buf *b, const char *s);
/* A field, quoted (with "" for ") only when it holds , " CR or LF. */
int format_text_csv(struct buf *b, const char *s);
/* Escapes & < > " ' and tab/CR/LF (as character references, so attribute
 * values keep them); drops characters XML 1.0 forbids (C0 controls other
 * than tab/CR/LF, U+FFFE, U+FFFF). Safe in text and in "..." or '...'. */
int format_text_xml(struct buf *b, const char *s);
/* A DOT double-quoted string, quotes included: \" \\ \n \r escaped, other
 * control characters dropped. */
int format_text_dot(struct buf *b, const char *s);

/* The media type of a Content-Type header value ("Text/HTML; charset=x" ->
 * "text/html") into out (cap bytes, NUL-terminated). Returns its length, 0
 * when ct is NULL or empty. */
size_t format_text_media_type(const char *ct, char *out, size_t cap);
/* Nonzero when the media type is one crawl parses as HTML. */
int format_text_is_html(const char *media_type);

#endif
