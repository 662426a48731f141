/* html_clean: turn a fetched HTML body into the bytes libxml2's HTML parser
 * should see: decoded to UTF-8 by our decoders (so libxml2 only ever sees
 * valid UTF-8), with the few byte patterns libxml2 2.9.14 mishandles
 * rewritten (see html_clean.c). Pure functions of the bytes; the buffers in
 * struct html_clean are scratch space kept between pages by its owner. */
#ifndef CRAWL_HTML_CLEAN_H
#define CRAWL_HTML_CLEAN_H

#include <stddef.h>

#include "buf.h"

struct html_clean {
    const char *doc; /* the bytes to parse: the body itself (after a BOM)
                        when it is clean UTF-8, else one of the buffers */
    size_t len;
    int has_base;       /* "<base" (any case) occurs in doc */
    struct buf decoded; /* scratch: the body decoded to UTF-8 */
    struct buf cleaned; /* scratch: the rewritten document */
};

/* Empty scratch buffers. */
void html_clean_init(struct html_clean *c);
/* Release the scratch buffers; c may be html_clean_init'ed again. */
void html_clean_free(struct html_clean *c);

/* Prepare body (len bytes; NULL means empty) for libxml2: pick the
 * encoding (a BOM wins, then `encoding` when it is a known label, else
 * charset_sniff), decode to UTF-8 unless it already is, then validate and
 * scan in one pass, rewriting only when a pattern needs it. Fills c->doc,
 * c->len (at most INT_MAX) and c->has_base. c->doc points into body or
 * into c's buffers: valid until the next call or html_clean_free. */
void html_clean_prepare(struct html_clean *c, const char *body, size_t len, const char *encoding);

#endif
