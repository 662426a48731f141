/* html_names: the element and attribute names html.c acts on, recognised
 * from the names libxml2 hands to the SAX callbacks without strcmp chains
 * (a switch on the first letter, then the rest compared in line). Pure
 * functions; nothing else. */
#ifndef CRAWL_HTML_NAMES_H
#define CRAWL_HTML_NAMES_H

#include <stddef.h>

enum html_names_elem {
    HTML_NAMES_OTHER = 0,
    HTML_NAMES_A,
    HTML_NAMES_AREA,
    HTML_NAMES_LINK,
    HTML_NAMES_IFRAME, /* a link, and raw text inside */
    HTML_NAMES_FRAME,
    HTML_NAMES_BASE,
    HTML_NAMES_META,
    HTML_NAMES_IMG,    /* src, srcset */
    HTML_NAMES_SOURCE, /* src, srcset */
    HTML_NAMES_VIDEO,  /* src, poster */
    HTML_NAMES_SCRIPT, /* script, audio, track, embed: src */
    HTML_NAMES_AUDIO,
    HTML_NAMES_TRACK,
    HTML_NAMES_EMBED,
    HTML_NAMES_OBJECT, /* data */
    HTML_NAMES_FORM,   /* action (recorded, never followed) */
    HTML_NAMES_TITLE,  /* raw text; the first one is the title */
    HTML_NAMES_RAW     /* textarea, xmp, noembed, noframes, plaintext */
};

/* Attributes, in the order of html_names_attrs' output array. */
enum html_names_attr {
    HTML_NAMES_HREF,
    HTML_NAMES_XLINK_HREF,
    HTML_NAMES_REL,
    HTML_NAMES_SRC,
    HTML_NAMES_SRCSET,
    HTML_NAMES_ALT,
    HTML_NAMES_POSTER,
    HTML_NAMES_DATA,
    HTML_NAMES_ACTION,
    HTML_NAMES_NAME,
    HTML_NAMES_CONTENT,
    HTML_NAMES_HTTP_EQUIV,
    HTML_NAMES_NATTRS
};

/* The element a NUL-terminated name (any ASCII case; NULL allowed) is. */
enum html_names_elem html_names_elem(const unsigned char *name);
/* Lowercase spelling of an element kind that has one ("a", "script"...);
 * "" for HTML_NAMES_OTHER and HTML_NAMES_RAW. */
const char *html_names_elem_name(enum html_names_elem e);
/* Nonzero for the elements whose content HTML5 reads as raw text. */
int html_names_is_raw(enum html_names_elem e);
/* One pass over libxml2's attribute array (name, value, ..., NULL; NULL
 * allowed): out[HTML_NAMES_...] receives the first value of each known
 * attribute ("" for a valueless one), or NULL when absent. */
void html_names_attrs(const unsigned char **atts, const char *out[HTML_NAMES_NATTRS]);

#endif
