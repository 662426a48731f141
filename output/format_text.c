/* format_text: escaping for the CSV, XML and DOT writers. Owns nothing;
 * pure functions over (string, buffer). */
#include "format_text.h"

#include <ctype.h>
#include <stdint.h>
#include <string.h>

#define FORMAT_TEXT_FFFD "\xEF\xBF\xBD"

/* The code point of the UTF-8 sequence at s and its length (1..4); an
 * invalid byte (overlong, surrogate, above U+10FFFF, truncated) decodes as
 * U+FFFD with length 1. */
static size_t format_text_next(const unsigned char *s, size_t n, uint32_t *cp)
{
    unsigned char c = s[0];
    size_t need;
    uint32_t min;
    uint32_t v;
    *cp = 0xFFFD;
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (c >= 0xC2 && c <= 0xDF)
        need = 2, min = 0x80, v = c & 0x1F;
    else if (c >= 0xE0 && c <= 0xEF)
        need = 3, min = 0x800, v = c & 0x0F;
    else if (c >= 0xF0 && c <= 0xF4)
        need = 4, min = 0x10000, v = c & 0x07;
    else
        return 1;
    if (n < need)
        return 1;
    for (size_t i = 1; i < need; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 1;
        v = (v << 6) | (s[i] & 0x3F);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return 1;
    *cp = v;
    return need;
}

/* The valid UTF-8 bytes of one code point, or U+FFFD for an invalid byte. */
static int format_text_char(struct buf *b, const unsigned char *s, size_t len, uint32_t cp)
{
    if (cp == 0xFFFD && len == 1)
        return buf_append(b, FORMAT_TEXT_FFFD, 3);
    return buf_append(b, s, len);
}

int format_text_utf8(struct buf *b, const char *str)
{
    size_t n = str ? strlen(str) : 0;
    const unsigned char *s = (const unsigned char *)str;
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < n;) {
        uint32_t cp;
        size_t len = format_text_next(s + i, n - i, &cp);
        rc = format_text_char(b, s + i, len, cp);
        i += len;
    }
    return rc;
}

int format_text_csv(struct buf *b, const char *str)
{
    if (!str)
        return 0;
    size_t n = strlen(str);
    int quote = strpbrk(str, ",\"\r\n") != NULL;
    const unsigned char *s = (const unsigned char *)str;
    int rc = quote ? buf_append_char(b, '"') : 0;
    for (size_t i = 0; rc == 0 && i < n;) {
        uint32_t cp;
        size_t len = format_text_next(s + i, n - i, &cp);
        if (cp == '"')
            rc = buf_append(b, "\"\"", 2);
        else
            rc = format_text_char(b, s + i, len, cp);
        i += len;
    }
    if (rc == 0 && quote)
        rc = buf_append_char(b, '"');
    return rc;
}

int format_text_xml(struct buf *b, const char *str)
{
    if (!str)
        return 0;
    size_t n = strlen(str);
    const unsigned char *s = (const unsigned char *)str;
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < n;) {
        uint32_t cp;
        size_t len = format_text_next(s + i, n - i, &cp);
        switch (cp) {
        case '&':
            rc = buf_append_str(b, "&amp;");
            break;
        case '<':
            rc = buf_append_str(b, "&lt;");
            break;
        case '>':
            rc = buf_append_str(b, "&gt;");
            break;
        case '"':
            rc = buf_append_str(b, "&quot;");
            break;
        case '\'':
            rc = buf_append_str(b, "&apos;");
            break;
        case '\t':
        case '\n':
        case '\r':
            rc = buf_printf(b, "&#%u;", (unsigned)cp);
            break;
        default:
            if (cp >= 0x20 && cp != 0xFFFE && cp != 0xFFFF)
                rc = format_text_char(b, s + i, len, cp);
            break; /* not allowed in XML 1.0: dropped */
        }
        i += len;
    }
    return rc;
}

int format_text_dot(struct buf *b, const char *str)
{
    size_t n = str ? strlen(str) : 0;
    const unsigned char *s = (const unsigned char *)str;
    int rc = buf_append_char(b, '"');
    for (size_t i = 0; rc == 0 && i < n;) {
        uint32_t cp;
        size_t len = format_text_next(s + i, n - i, &cp);
        if (cp == '"')
            rc = buf_append(b, "\\\"", 2);
        else if (cp == '\\')
            rc = buf_append(b, "\\\\", 2);
        else if (cp == '\n')
            rc = buf_append(b, "\\n", 2);
        else if (cp == '\r')
            rc = buf_append(b, "\\r", 2);
        else if (cp >= 0x20 || cp == '\t')
            rc = format_text_char(b, s + i, len, cp);
        i += len;
    }
    if (rc == 0)
        rc = buf_append_char(b, '"');
    return rc;
}

size_t format_text_media_type(const char *ct, char *out, size_t cap)
{
    size_t n = 0;
    if (ct) {
        while (*ct == ' ' || *ct == '\t')
            ct++;
        for (; ct[n] && ct[n] != ';' && ct[n] != ' ' && ct[n] != '\t' && n + 1 < cap; n++)
            out[n] = (char)tolower((unsigned char)ct[n]);
    }
    if (cap)
        out[n] = '\0';
    return n;
}

int format_text_is_html(const char *media_type)
{
    return !strcmp(media_type, "text/html") || !strcmp(media_type, "application/xhtml+xml");
}
