/* json: string escaping for the output writers. Owns nothing. */
#include "json.h"

#include <stdint.h>
#include <string.h>

/* Length of the valid UTF-8 sequence at s (1..4), or 0 if invalid. Rejects
 * overlongs, surrogates and code points above U+10FFFF. */
static size_t json_utf8_len(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    size_t need;
    unsigned min;
    unsigned cp;
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF) {
        need = 2, min = 0x80, cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        need = 3, min = 0x800, cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        need = 4, min = 0x10000, cp = c & 0x07;
    } else {
        return 0;
    }
    if (n < need)
        return 0;
    for (size_t i = 1; i < need; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return need;
}

/* Nonzero when none of the 8 bytes in w needs a look of its own: no
 * control character (< 0x20), '"', '\\' or non-ASCII byte. */
static int json_word_plain(uint64_t w)
{
    const uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
    uint64_t lt = (w - ones * 0x20) & ~w;
    uint64_t q = w ^ (ones * '"'), bs = w ^ (ones * '\\');
    uint64_t zq = (q - ones) & ~q, zb = (bs - ones) & ~bs;
    return ((lt | zq | zb | w) & high) == 0;
}

int json_put_strn(struct buf *b, const char *str, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;
    size_t run = 0; /* start of the pending run of bytes copied as-is */
    uint64_t w;
    while (i + 8 <= len && (memcpy(&w, s + i, 8), json_word_plain(w)))
        i += 8; /* URLs are mostly plain: 8 bytes at a time */
    while (i < len && s[i] >= 0x20 && s[i] < 0x80 && s[i] != '"' && s[i] != '\\')
        i++;
    if (i == len) { /* nothing to escape: quotes and one copy */
        if (buf_reserve(b, len + 2) < 0)
            return BUF_ERR_CAP;
        char *d = b->data + b->len;
        d[0] = '"';
        memcpy(d + 1, str, len);
        d[len + 1] = '"';
        b->len += len + 2;
        b->data[b->len] = '\0';
        return 0;
    }
    int rc = buf_append_char(b, '"');
    while (rc == 0 && i < len) {
        if (i + 8 <= len && (memcpy(&w, s + i, 8), json_word_plain(w))) {
            i += 8; /* URLs are mostly plain: 8 bytes at a time */
            continue;
        }
        unsigned char c = s[i];
        if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) {
            i++;
            continue;
        }
        size_t ul = c >= 0x80 ? json_utf8_len(s + i, len - i) : 0;
        if (ul > 1) {
            i += ul;
            continue;
        }
        rc = buf_append(b, s + run, i - run);
        if (rc)
            break;
        if (c >= 0x80) {
            rc = buf_append(b, "\xEF\xBF\xBD", 3); /* U+FFFD */
        } else if (c == '"' || c == '\\') {
            char esc[2] = {'\\', (char)c};
            rc = buf_append(b, esc, 2);
        } else if (c == '\n') {
            rc = buf_append(b, "\\n", 2);
        } else if (c == '\r') {
            rc = buf_append(b, "\\r", 2);
        } else if (c == '\t') {
            rc = buf_append(b, "\\t", 2);
        } else {
            char esc[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
            rc = buf_append(b, esc, 6);
        }
        i++;
        run = i;
    }
    if (rc == 0)
        rc = buf_append(b, s + run, i - run);
    if (rc == 0)
        rc = buf_append_char(b, '"');
    return rc;
}

int json_put_str(struct buf *b, const char *s)
{
    if (!s)
        return buf_append(b, "null", 4);
    return json_put_strn(b, s, strlen(s));
}

int json_put_key(struct buf *b, const char *key)
{
    int rc = buf_append_char(b, '"');
    if (rc == 0)
        rc = buf_append_str(b, key);
    if (rc == 0)
        rc = buf_append(b, "\":", 2);
    return rc;
}
