/* html_names: element and attribute names for html.c's SAX callbacks,
 * called for every start and end tag and every attribute, so they cost a
 * switch on the first letter and an in-line compare of the rest, no
 * function call per candidate. libxml2 lowercases HTML names (its names are
 * ASCII letters, digits, ':', '-', '_', '.'), but an upper-case spelling is
 * still matched: name bytes are compared OR 0x20, which is exact for those
 * characters. Must not know anything about links. */
#include "html_names.h"

#include <string.h>

/* s[1..] equals lit[1..] (lowercase) up to and including the NUL; s[0]
 * was matched by the caller. Stops at the first difference, so s is never
 * read past its NUL. */
static inline int html_names_rest(const unsigned char *s, const char *lit)
{
    size_t i = 1;
    for (; lit[i]; i++)
        if ((s[i] | 0x20) != (unsigned char)lit[i])
            return 0;
    return s[i] == '\0';
}

enum html_names_elem html_names_elem(const unsigned char *s)
{
    if (!s)
        return HTML_NAMES_OTHER;
    switch (s[0] | 0x20) {
    case 'a':
        if (s[1] == '\0')
            return HTML_NAMES_A;
        if (html_names_rest(s, "area"))
            return HTML_NAMES_AREA;
        return html_names_rest(s, "audio") ? HTML_NAMES_AUDIO : HTML_NAMES_OTHER;
    case 'b':
        return html_names_rest(s, "base") ? HTML_NAMES_BASE : HTML_NAMES_OTHER;
    case 'e':
        return html_names_rest(s, "embed") ? HTML_NAMES_EMBED : HTML_NAMES_OTHER;
    case 'f':
        if (html_names_rest(s, "form"))
            return HTML_NAMES_FORM;
        return html_names_rest(s, "frame") ? HTML_NAMES_FRAME : HTML_NAMES_OTHER;
    case 'i':
        if (html_names_rest(s, "img"))
            return HTML_NAMES_IMG;
        return html_names_rest(s, "iframe") ? HTML_NAMES_IFRAME : HTML_NAMES_OTHER;
    case 'l':
        return html_names_rest(s, "link") ? HTML_NAMES_LINK : HTML_NAMES_OTHER;
    case 'm':
        return html_names_rest(s, "meta") ? HTML_NAMES_META : HTML_NAMES_OTHER;
    case 'n':
        if (html_names_rest(s, "noembed") || html_names_rest(s, "noframes"))
            return HTML_NAMES_RAW;
        return HTML_NAMES_OTHER;
    case 'o':
        return html_names_rest(s, "object") ? HTML_NAMES_OBJECT : HTML_NAMES_OTHER;
    case 'p':
        return html_names_rest(s, "plaintext") ? HTML_NAMES_RAW : HTML_NAMES_OTHER;
    case 's':
        if (html_names_rest(s, "script"))
            return HTML_NAMES_SCRIPT;
        return html_names_rest(s, "source") ? HTML_NAMES_SOURCE : HTML_NAMES_OTHER;
    case 't':
        if (html_names_rest(s, "title"))
            return HTML_NAMES_TITLE;
        if (html_names_rest(s, "track"))
            return HTML_NAMES_TRACK;
        return html_names_rest(s, "textarea") ? HTML_NAMES_RAW : HTML_NAMES_OTHER;
    case 'v':
        return html_names_rest(s, "video") ? HTML_NAMES_VIDEO : HTML_NAMES_OTHER;
    case 'x':
        return html_names_rest(s, "xmp") ? HTML_NAMES_RAW : HTML_NAMES_OTHER;
    default:
        return HTML_NAMES_OTHER;
    }
}

const char *html_names_elem_name(enum html_names_elem e)
{
    static const char *const names[] = {
        [HTML_NAMES_A] = "a",           [HTML_NAMES_AREA] = "area",
        [HTML_NAMES_LINK] = "link",     [HTML_NAMES_IFRAME] = "iframe",
        [HTML_NAMES_FRAME] = "frame",   [HTML_NAMES_BASE] = "base",
        [HTML_NAMES_META] = "meta",     [HTML_NAMES_IMG] = "img",
        [HTML_NAMES_SOURCE] = "source", [HTML_NAMES_VIDEO] = "video",
        [HTML_NAMES_SCRIPT] = "script", [HTML_NAMES_AUDIO] = "audio",
        [HTML_NAMES_TRACK] = "track",   [HTML_NAMES_EMBED] = "embed",
        [HTML_NAMES_OBJECT] = "object", [HTML_NAMES_FORM] = "form",
        [HTML_NAMES_TITLE] = "title",
    };
    return (size_t)e < sizeof names / sizeof names[0] && names[e] ? names[e] : "";
}

int html_names_is_raw(enum html_names_elem e)
{
    return e == HTML_NAMES_TITLE || e == HTML_NAMES_RAW || e == HTML_NAMES_IFRAME;
}

/* The attribute a name is, or -1. */
static int html_names_attr(const unsigned char *s)
{
    switch (s[0] | 0x20) {
    case 'a':
        if (html_names_rest(s, "alt"))
            return HTML_NAMES_ALT;
        return html_names_rest(s, "action") ? HTML_NAMES_ACTION : -1;
    case 'c':
        return html_names_rest(s, "content") ? HTML_NAMES_CONTENT : -1;
    case 'd':
        return html_names_rest(s, "data") ? HTML_NAMES_DATA : -1;
    case 'h':
        if (html_names_rest(s, "href"))
            return HTML_NAMES_HREF;
        return html_names_rest(s, "http-equiv") ? HTML_NAMES_HTTP_EQUIV : -1;
    case 'n':
        return html_names_rest(s, "name") ? HTML_NAMES_NAME : -1;
    case 'p':
        return html_names_rest(s, "poster") ? HTML_NAMES_POSTER : -1;
    case 'r':
        return html_names_rest(s, "rel") ? HTML_NAMES_REL : -1;
    case 's':
        if (html_names_rest(s, "src"))
            return HTML_NAMES_SRC;
        return html_names_rest(s, "srcset") ? HTML_NAMES_SRCSET : -1;
    case 'x':
        return html_names_rest(s, "xlink:href") ? HTML_NAMES_XLINK_HREF : -1;
    default:
        return -1;
    }
}

void html_names_attrs(const unsigned char **atts, const char *out[HTML_NAMES_NATTRS])
{
    for (int k = 0; k < HTML_NAMES_NATTRS; k++)
        out[k] = NULL;
    for (size_t i = 0; atts && atts[i]; i += 2) {
        int k = html_names_attr(atts[i]);
        if (k >= 0 && !out[k]) /* the first of duplicates wins */
            out[k] = atts[i + 1] ? (const char *)atts[i + 1] : "";
    }
}
