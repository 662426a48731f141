/* html_fast: a tokenizer for the plain HTML most pages are, handing
 * html.c the same start, end and text events libxml2 2.9.14's HTML parser
 * would, at a small fraction of libxml2's cost. It declines (and html.c
 * runs libxml2 on the page instead) as soon as the page holds anything
 * whose events it does not reproduce exactly; see html_fast.c for the
 * subset. Pure function of the bytes (cleaned by html_clean first); the
 * struct only keeps scratch space and an entity cache between pages. */
#ifndef CRAWL_HTML_FAST_H
#define CRAWL_HTML_FAST_H

#include <stddef.h>

/* The events, as libxml2's SAX startElement / endElement / characters
 * hand them: names lowercased and NUL-terminated, atts a NULL-terminated
 * array of name, value pairs (a valueless attribute has a NULL value). */
typedef void (*html_fast_start_fn)(void *ctx, const unsigned char *name,
                                   const unsigned char **atts);
typedef void (*html_fast_end_fn)(void *ctx, const unsigned char *name);
typedef void (*html_fast_text_fn)(void *ctx, const unsigned char *text, int len);

struct html_fast_sink {
    html_fast_start_fn start;
    html_fast_end_fn end;
    html_fast_text_fn text;
    void *ctx;
};

#define HTML_FAST_ENT_SLOTS 256

struct html_fast_ent {
    char name[12];  /* "" for an empty slot */
    unsigned value; /* code point, 0 when libxml2 knows no such entity */
};

struct html_rules;

struct html_fast {
    char *scratch; /* one tag's names and values, NUL-terminated */
    size_t scratch_len, scratch_cap;
    size_t *offs; /* offsets into scratch of the atts strings (SIZE_MAX: NULL) */
    const unsigned char **atts;
    size_t atts_cap;
    struct html_fast_ent ents[HTML_FAST_ENT_SLOTS];
    struct html_rules *rules; /* libxml2's element rules, asked and kept */
};

void html_fast_init(struct html_fast *f);
void html_fast_free(struct html_fast *f);

/* Tokenize doc (len bytes, valid UTF-8 without NUL, as html_clean makes
 * it) into events for sink. Returns 0 when the whole page was handed over,
 * or -1 when it declined part way: the events already sent must then be
 * forgotten and the page parsed by libxml2. */
int html_fast_run(struct html_fast *f, const char *doc, size_t len,
                  const struct html_fast_sink *sink);

#endif
