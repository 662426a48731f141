/* charset: decide a document's character encoding in the HTML5 order:
 * BOM, transport (HTTP Content-Type charset), <meta> prescan of the first
 * 1024 bytes, UTF-8 if the bytes are valid UTF-8, else windows-1252.
 * Pure functions; no allocation. */
#ifndef CRAWL_CHARSET_H
#define CRAWL_CHARSET_H

#include <stddef.h>

/* Returns a static canonical encoding name understood by libxml2/iconv
 * ("UTF-8", "UTF-16LE", "UTF-16BE", "windows-1252", "ISO-8859-2", ...).
 * `transport` is the charset parameter of Content-Type or NULL.
 * *bom_len receives the number of BOM bytes at the start (0 if none),
 * which the caller skips. Labels follow the WHATWG Encoding Standard
 * (e.g. "latin1", "iso-8859-1", "ascii" -> windows-1252; "utf-16" from a
 * meta tag -> UTF-8; "x-user-defined" -> windows-1252). */
const char *charset_sniff(const unsigned char *data, size_t len, const char *transport,
                          size_t *bom_len);

/* Map an encoding label to its canonical name, or NULL if unknown. */
const char *charset_from_label(const char *label, size_t len);

/* Code point cp (at most 0x10FFFF) as UTF-8 in out; returns its length
 * (1 to 4). */
size_t charset_utf8(unsigned cp, char out[4]);

/* Extract the charset parameter of a Content-Type value into buf; returns
 * buf or NULL if none. */
const char *charset_from_content_type(const char *content_type, char *buf, size_t cap);

#endif
