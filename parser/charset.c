/* charset: HTML5 encoding sniffing (BOM, transport label, <meta> prescan,
 * UTF-8 validity, windows-1252 default) and the WHATWG label table.
 * Owns only static tables. Pure functions: no allocation, no I/O, no
 * decoding (html.c decodes with the name returned here).
 *
 * Deliberate deviations from the letter of HTML5, each for a crawler:
 *  - the prescan looks at the first CHARSET_PRESCAN_MAX bytes, not 1024: a
 *    browser that meets a later <meta charset> while parsing re-decodes the
 *    page ("change the encoding"); scanning further emulates that cheaply;
 *  - before the windows-1252 default, a buffer that is entirely valid UTF-8
 *    is UTF-8 (HTML5 leaves this step implementation-defined). Pure ASCII
 *    is valid UTF-8, so it comes out as "UTF-8": both decode it to the same
 *    text, and UTF-8 is the cheaper path through the decoder;
 *  - labels of the WHATWG "replacement" encoding (iso-2022-kr, hz-gb-2312,
 *    ...) are unknown here, so sniffing goes on to the next step. */
#include "charset.h"

#include <string.h>

#define CHARSET_PRESCAN_MAX (64 * 1024)
#define CHARSET_ATTR_MAX    1024 /* longer attribute names/values never match */

struct charset_label {
    const char *label; /* lowercase WHATWG label */
    const char *name;  /* canonical name for libxml2/iconv */
};

/* WHATWG Encoding Standard labels, restricted to what iconv decodes. */
static const struct charset_label charset_labels[] = {
    {"unicode-1-1-utf-8", "UTF-8"},
    {"unicode11utf8", "UTF-8"},
    {"unicode20utf8", "UTF-8"},
    {"utf-8", "UTF-8"},
    {"utf8", "UTF-8"},
    {"x-unicode20utf8", "UTF-8"},
    {"866", "IBM866"},
    {"cp866", "IBM866"},
    {"csibm866", "IBM866"},
    {"ibm866", "IBM866"},
    {"csisolatin2", "ISO-8859-2"},
    {"iso-8859-2", "ISO-8859-2"},
    {"iso-ir-101", "ISO-8859-2"},
    {"iso8859-2", "ISO-8859-2"},
    {"iso88592", "ISO-8859-2"},
    {"iso_8859-2", "ISO-8859-2"},
    {"iso_8859-2:1987", "ISO-8859-2"},
    {"l2", "ISO-8859-2"},
    {"latin2", "ISO-8859-2"},
    {"csisolatin3", "ISO-8859-3"},
    {"iso-8859-3", "ISO-8859-3"},
    {"iso-ir-109", "ISO-8859-3"},
    {"iso8859-3", "ISO-8859-3"},
    {"iso88593", "ISO-8859-3"},
    {"iso_8859-3", "ISO-8859-3"},
    {"iso_8859-3:1988", "ISO-8859-3"},
    {"l3", "ISO-8859-3"},
    {"latin3", "ISO-8859-3"},
    {"csisolatin4", "ISO-8859-4"},
    {"iso-8859-4", "ISO-8859-4"},
    {"iso-ir-110", "ISO-8859-4"},
    {"iso8859-4", "ISO-8859-4"},
    {"iso88594", "ISO-8859-4"},
    {"iso_8859-4", "ISO-8859-4"},
    {"iso_8859-4:1988", "ISO-8859-4"},
    {"l4", "ISO-8859-4"},
    {"latin4", "ISO-8859-4"},
    {"csisolatincyrillic", "ISO-8859-5"},
    {"cyrillic", "ISO-8859-5"},
    {"iso-8859-5", "ISO-8859-5"},
    {"iso-ir-144", "ISO-8859-5"},
    {"iso8859-5", "ISO-8859-5"},
    {"iso88595", "ISO-8859-5"},
    {"iso_8859-5", "ISO-8859-5"},
    {"iso_8859-5:1988", "ISO-8859-5"},
    {"arabic", "ISO-8859-6"},
    {"asmo-708", "ISO-8859-6"},
    {"csiso88596e", "ISO-8859-6"},
    {"csiso88596i", "ISO-8859-6"},
    {"csisolatinarabic", "ISO-8859-6"},
    {"ecma-114", "ISO-8859-6"},
    {"iso-8859-6", "ISO-8859-6"},
    {"iso-8859-6-e", "ISO-8859-6"},
    {"iso-8859-6-i", "ISO-8859-6"},
    {"iso-ir-127", "ISO-8859-6"},
    {"iso8859-6", "ISO-8859-6"},
    {"iso88596", "ISO-8859-6"},
    {"iso_8859-6", "ISO-8859-6"},
    {"iso_8859-6:1987", "ISO-8859-6"},
    {"csisolatingreek", "ISO-8859-7"},
    {"ecma-118", "ISO-8859-7"},
    {"elot_928", "ISO-8859-7"},
    {"greek", "ISO-8859-7"},
    {"greek8", "ISO-8859-7"},
    {"iso-8859-7", "ISO-8859-7"},
    {"iso-ir-126", "ISO-8859-7"},
    {"iso8859-7", "ISO-8859-7"},
    {"iso88597", "ISO-8859-7"},
    {"iso_8859-7", "ISO-8859-7"},
    {"iso_8859-7:1987", "ISO-8859-7"},
    {"sun_eu_greek", "ISO-8859-7"},
    {"csiso88598e", "ISO-8859-8"},
    {"csisolatinhebrew", "ISO-8859-8"},
    {"hebrew", "ISO-8859-8"},
    {"iso-8859-8", "ISO-8859-8"},
    {"iso-8859-8-e", "ISO-8859-8"},
    {"iso-ir-138", "ISO-8859-8"},
    {"iso8859-8", "ISO-8859-8"},
    {"iso88598", "ISO-8859-8"},
    {"iso_8859-8", "ISO-8859-8"},
    {"iso_8859-8:1988", "ISO-8859-8"},
    {"visual", "ISO-8859-8"},
    /* ISO-8859-8-I differs from ISO-8859-8 in display order only */
    {"csiso88598i", "ISO-8859-8"},
    {"iso-8859-8-i", "ISO-8859-8"},
    {"logical", "ISO-8859-8"},
    {"csisolatin6", "ISO-8859-10"},
    {"iso-8859-10", "ISO-8859-10"},
    {"iso-ir-157", "ISO-8859-10"},
    {"iso8859-10", "ISO-8859-10"},
    {"iso885910", "ISO-8859-10"},
    {"l6", "ISO-8859-10"},
    {"latin6", "ISO-8859-10"},
    {"iso-8859-13", "ISO-8859-13"},
    {"iso8859-13", "ISO-8859-13"},
    {"iso885913", "ISO-8859-13"},
    {"iso-8859-14", "ISO-8859-14"},
    {"iso8859-14", "ISO-8859-14"},
    {"iso885914", "ISO-8859-14"},
    {"csisolatin9", "ISO-8859-15"},
    {"iso-8859-15", "ISO-8859-15"},
    {"iso8859-15", "ISO-8859-15"},
    {"iso885915", "ISO-8859-15"},
    {"iso_8859-15", "ISO-8859-15"},
    {"l9", "ISO-8859-15"},
    {"iso-8859-16", "ISO-8859-16"},
    {"cskoi8r", "KOI8-R"},
    {"koi", "KOI8-R"},
    {"koi8", "KOI8-R"},
    {"koi8-r", "KOI8-R"},
    {"koi8_r", "KOI8-R"},
    {"koi8-ru", "KOI8-U"},
    {"koi8-u", "KOI8-U"},
    {"csmacintosh", "macintosh"},
    {"mac", "macintosh"},
    {"macintosh", "macintosh"},
    {"x-mac-roman", "macintosh"},
    {"dos-874", "windows-874"},
    {"iso-8859-11", "windows-874"},
    {"iso8859-11", "windows-874"},
    {"iso885911", "windows-874"},
    {"tis-620", "windows-874"},
    {"windows-874", "windows-874"},
    {"cp1250", "windows-1250"},
    {"windows-1250", "windows-1250"},
    {"x-cp1250", "windows-1250"},
    {"cp1251", "windows-1251"},
    {"windows-1251", "windows-1251"},
    {"x-cp1251", "windows-1251"},
    {"ansi_x3.4-1968", "windows-1252"},
    {"ascii", "windows-1252"},
    {"cp1252", "windows-1252"},
    {"cp819", "windows-1252"},
    {"csisolatin1", "windows-1252"},
    {"ibm819", "windows-1252"},
    {"iso-8859-1", "windows-1252"},
    {"iso-ir-100", "windows-1252"},
    {"iso8859-1", "windows-1252"},
    {"iso88591", "windows-1252"},
    {"iso_8859-1", "windows-1252"},
    {"iso_8859-1:1987", "windows-1252"},
    {"l1", "windows-1252"},
    {"latin1", "windows-1252"},
    {"us-ascii", "windows-1252"},
    {"windows-1252", "windows-1252"},
    {"x-cp1252", "windows-1252"},
    {"x-user-defined", "windows-1252"},
    {"cp1253", "windows-1253"},
    {"windows-1253", "windows-1253"},
    {"x-cp1253", "windows-1253"},
    {"cp1254", "windows-1254"},
    {"csisolatin5", "windows-1254"},
    {"iso-8859-9", "windows-1254"},
    {"iso-ir-148", "windows-1254"},
    {"iso8859-9", "windows-1254"},
    {"iso88599", "windows-1254"},
    {"iso_8859-9", "windows-1254"},
    {"iso_8859-9:1989", "windows-1254"},
    {"l5", "windows-1254"},
    {"latin5", "windows-1254"},
    {"windows-1254", "windows-1254"},
    {"x-cp1254", "windows-1254"},
    {"cp1255", "windows-1255"},
    {"windows-1255", "windows-1255"},
    {"x-cp1255", "windows-1255"},
    {"cp1256", "windows-1256"},
    {"windows-1256", "windows-1256"},
    {"x-cp1256", "windows-1256"},
    {"cp1257", "windows-1257"},
    {"windows-1257", "windows-1257"},
    {"x-cp1257", "windows-1257"},
    {"cp1258", "windows-1258"},
    {"windows-1258", "windows-1258"},
    {"x-cp1258", "windows-1258"},
    {"x-mac-cyrillic", "MAC-CYRILLIC"},
    {"x-mac-ukrainian", "MAC-CYRILLIC"},
    {"mac-cyrillic", "MAC-CYRILLIC"}, /* ours: every canonical name is a label */
    {"chinese", "GBK"},
    {"csgb2312", "GBK"},
    {"csiso58gb231280", "GBK"},
    {"gb2312", "GBK"},
    {"gb_2312", "GBK"},
    {"gb_2312-80", "GBK"},
    {"gbk", "GBK"},
    {"iso-ir-58", "GBK"},
    {"x-gbk", "GBK"},
    {"gb18030", "GB18030"},
    {"big5", "Big5"},
    {"big5-hkscs", "Big5"},
    {"cn-big5", "Big5"},
    {"csbig5", "Big5"},
    {"x-x-big5", "Big5"},
    {"cseucpkdfmtjapanese", "EUC-JP"},
    {"euc-jp", "EUC-JP"},
    {"x-euc-jp", "EUC-JP"},
    {"csiso2022jp", "ISO-2022-JP"},
    {"iso-2022-jp", "ISO-2022-JP"},
    {"csshiftjis", "Shift_JIS"},
    {"ms932", "Shift_JIS"},
    {"ms_kanji", "Shift_JIS"},
    {"shift-jis", "Shift_JIS"},
    {"shift_jis", "Shift_JIS"},
    {"sjis", "Shift_JIS"},
    {"windows-31j", "Shift_JIS"},
    {"x-sjis", "Shift_JIS"},
    {"cseuckr", "EUC-KR"},
    {"csksc56011987", "EUC-KR"},
    {"euc-kr", "EUC-KR"},
    {"iso-ir-149", "EUC-KR"},
    {"korean", "EUC-KR"},
    {"ks_c_5601-1987", "EUC-KR"},
    {"ks_c_5601-1989", "EUC-KR"},
    {"ksc5601", "EUC-KR"},
    {"ksc_5601", "EUC-KR"},
    {"windows-949", "EUC-KR"},
    {"unicodefffe", "UTF-16BE"},
    {"utf-16be", "UTF-16BE"},
    {"csunicode", "UTF-16LE"},
    {"iso-10646-ucs-2", "UTF-16LE"},
    {"ucs-2", "UTF-16LE"},
    {"unicode", "UTF-16LE"},
    {"unicodefeff", "UTF-16LE"},
    {"utf-16", "UTF-16LE"},
    {"utf-16le", "UTF-16LE"},
};

static int charset_is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r';
}

static unsigned char charset_lower(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + 32) : c;
}

const char *charset_from_label(const char *label, size_t len)
{
    if (!label)
        return NULL;
    while (len && charset_is_space((unsigned char)label[0])) {
        label++;
        len--;
    }
    while (len && charset_is_space((unsigned char)label[len - 1]))
        len--;
    if (len == 0)
        return NULL;
    for (size_t i = 0; i < sizeof charset_labels / sizeof charset_labels[0]; i++) {
        const char *l = charset_labels[i].label;
        size_t j = 0;
        while (j < len && l[j] && charset_lower((unsigned char)label[j]) == (unsigned char)l[j])
            j++;
        if (j == len && l[j] == '\0')
            return charset_labels[i].name;
    }
    return NULL;
}

/* Copy a quoted-string (RFC 9110) starting after the opening quote. Returns
 * the length copied, or (size_t)-1 if it does not fit. *pp is left after
 * the closing quote (or at the end). */
static size_t charset_copy_quoted(const char **pp, char *buf, size_t cap)
{
    const char *p = *pp;
    size_t n = 0;
    int fits = 1;
    while (*p && *p != '"') {
        if (*p == '\\' && p[1])
            p++;
        if (n + 1 < cap)
            buf[n++] = *p;
        else
            fits = 0;
        p++;
    }
    if (*p == '"')
        p++;
    *pp = p;
    return fits ? n : (size_t)-1;
}

const char *charset_from_content_type(const char *content_type, char *buf, size_t cap)
{
    if (!content_type || !buf || cap == 0)
        return NULL;
    const char *p = strchr(content_type, ';');
    while (p && *p == ';') {
        p++;
        while (charset_is_space((unsigned char)*p))
            p++;
        const char *name = p;
        while (*p && *p != '=' && *p != ';')
            p++;
        size_t name_len = (size_t)(p - name);
        while (name_len && charset_is_space((unsigned char)name[name_len - 1]))
            name_len--;
        int is_charset = name_len == 7;
        for (size_t i = 0; is_charset && i < 7; i++)
            is_charset = charset_lower((unsigned char)name[i]) == (unsigned char)"charset"[i];
        if (*p != '=')
            continue; /* parameter without a value; *p is ';' or NUL */
        p++;
        while (charset_is_space((unsigned char)*p))
            p++;
        size_t n;
        if (*p == '"') {
            p++;
            n = charset_copy_quoted(&p, buf, cap);
        } else {
            const char *v = p;
            while (*p && *p != ';')
                p++;
            n = (size_t)(p - v);
            while (n && charset_is_space((unsigned char)v[n - 1]))
                n--;
            if (is_charset && n < cap)
                memcpy(buf, v, n);
            else
                n = (size_t)-1;
        }
        if (is_charset) {
            /* first charset parameter wins (WHATWG MIME parsing) */
            if (n == (size_t)-1 || n == 0)
                return NULL;
            buf[n] = '\0';
            return buf;
        }
        p = strchr(p, ';');
    }
    return NULL;
}

/* ---- <meta> prescan (HTML5 "prescan a byte stream") ---- */

struct charset_scan {
    const unsigned char *d;
    size_t len;
    size_t pos;
};

struct charset_attr {
    char name[CHARSET_ATTR_MAX];
    size_t name_len; /* > CHARSET_ATTR_MAX when too long to match anything */
    char value[CHARSET_ATTR_MAX];
    size_t value_len;
};

static void charset_attr_put(char *s, size_t *len, unsigned char c)
{
    if (*len < CHARSET_ATTR_MAX)
        s[*len] = (char)charset_lower(c);
    if (*len <= CHARSET_ATTR_MAX)
        (*len)++;
}

static int charset_attr_is(const char *s, size_t len, const char *lit)
{
    size_t n = strlen(lit);
    return len == n && memcmp(s, lit, n) == 0;
}

/* "Get an attribute". Returns 1 with *a filled, 0 when there is no further
 * attribute (position at '>'), -1 at the end of the input (abort). */
static int charset_get_attr(struct charset_scan *s, struct charset_attr *a)
{
    const unsigned char *d = s->d;
    a->name_len = a->value_len = 0;
    while (s->pos < s->len && (charset_is_space(d[s->pos]) || d[s->pos] == '/'))
        s->pos++;
    if (s->pos >= s->len)
        return -1;
    if (d[s->pos] == '>')
        return 0;
    for (;; s->pos++) { /* name */
        if (s->pos >= s->len)
            return -1;
        unsigned char c = d[s->pos];
        if (c == '=' && a->name_len > 0)
            break;
        if (charset_is_space(c)) {
            while (s->pos < s->len && charset_is_space(d[s->pos]))
                s->pos++;
            if (s->pos >= s->len)
                return -1;
            if (d[s->pos] != '=')
                return 1;
            break;
        }
        if (c == '/' || c == '>')
            return 1;
        charset_attr_put(a->name, &a->name_len, c);
    }
    s->pos++; /* past '=' */
    while (s->pos < s->len && charset_is_space(d[s->pos]))
        s->pos++;
    if (s->pos >= s->len)
        return -1;
    unsigned char q = d[s->pos];
    if (q == '"' || q == '\'') {
        for (s->pos++;; s->pos++) {
            if (s->pos >= s->len)
                return -1;
            if (d[s->pos] == q) {
                s->pos++;
                return 1;
            }
            charset_attr_put(a->value, &a->value_len, d[s->pos]);
        }
    }
    if (q == '>')
        return 1;
    for (;; s->pos++) {
        if (s->pos >= s->len)
            return -1;
        unsigned char c = d[s->pos];
        if (charset_is_space(c) || c == '>')
            return 1;
        charset_attr_put(a->value, &a->value_len, c);
    }
}

static const char *charset_label_of(const char *s, size_t len)
{
    return len > CHARSET_ATTR_MAX ? NULL : charset_from_label(s, len);
}

/* "Extract a character encoding from a meta element" (content="..."). */
static const char *charset_from_meta_content(const char *s, size_t len)
{
    if (len > CHARSET_ATTR_MAX)
        return NULL;
    size_t i = 0;
    for (;;) {
        while (i + 7 <= len) { /* value is already lowercased */
            if (memcmp(s + i, "charset", 7) == 0)
                break;
            i++;
        }
        if (i + 7 > len)
            return NULL;
        i += 7;
        while (i < len && charset_is_space((unsigned char)s[i]))
            i++;
        if (i < len && s[i] == '=')
            break;
    }
    i++;
    while (i < len && charset_is_space((unsigned char)s[i]))
        i++;
    if (i >= len)
        return NULL;
    if (s[i] == '"' || s[i] == '\'') {
        const char *end = memchr(s + i + 1, s[i], len - i - 1);
        if (!end)
            return NULL;
        return charset_from_label(s + i + 1, (size_t)(end - (s + i + 1)));
    }
    size_t j = i;
    while (j < len && !charset_is_space((unsigned char)s[j]) && s[j] != ';')
        j++;
    return charset_from_label(s + i, j - i);
}

/* A <meta> tag at s->pos (just after "<meta"). Returns the encoding, NULL
 * to go on scanning, or sets *eof. */
static const char *charset_meta(struct charset_scan *s, int *eof)
{
    struct charset_attr a;
    char seen[3] = {0, 0, 0}; /* http-equiv, content, charset */
    int got_pragma = 0, need_pragma = -1;
    const char *charset = NULL;
    int failed = 0;
    for (;;) {
        int r = charset_get_attr(s, &a);
        if (r < 0) {
            *eof = 1;
            return NULL;
        }
        if (r == 0)
            break;
        if (charset_attr_is(a.name, a.name_len, "http-equiv")) {
            if (seen[0]++)
                continue;
            if (charset_attr_is(a.value, a.value_len, "content-type"))
                got_pragma = 1;
        } else if (charset_attr_is(a.name, a.name_len, "content")) {
            if (seen[1]++)
                continue;
            const char *e = charset_from_meta_content(a.value, a.value_len);
            if (e && !charset && !failed) {
                charset = e;
                need_pragma = 1;
            }
        } else if (charset_attr_is(a.name, a.name_len, "charset")) {
            if (seen[2]++)
                continue;
            charset = charset_label_of(a.value, a.value_len);
            failed = charset == NULL;
            need_pragma = 0;
        }
    }
    if (need_pragma < 0 || (need_pragma == 1 && !got_pragma) || !charset)
        return NULL;
    if (strcmp(charset, "UTF-16LE") == 0 || strcmp(charset, "UTF-16BE") == 0)
        return "UTF-8";
    return charset; /* x-user-defined already maps to windows-1252 */
}

static int charset_is_alpha(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int charset_starts_ci(const unsigned char *d, size_t left, const char *lit)
{
    size_t n = strlen(lit);
    if (left < n)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (charset_lower(d[i]) != (unsigned char)lit[i])
            return 0;
    return 1;
}

static const char *charset_prescan(const unsigned char *data, size_t len)
{
    struct charset_scan s = {data, len < CHARSET_PRESCAN_MAX ? len : CHARSET_PRESCAN_MAX, 0};
    const unsigned char *d = data;
    while (s.pos < s.len) {
        const unsigned char *lt = memchr(d + s.pos, '<', s.len - s.pos);
        if (!lt)
            return NULL;
        s.pos = (size_t)(lt - d);
        size_t left = s.len - s.pos;
        if (charset_starts_ci(lt, left, "<!--")) {
            /* the '-->' may share its dashes with '<!--' */
            size_t i = s.pos + 2;
            while (i + 3 <= s.len && memcmp(d + i, "-->", 3) != 0)
                i++;
            if (i + 3 > s.len)
                return NULL;
            s.pos = i + 2; /* at '>' */
        } else if (charset_starts_ci(lt, left, "<meta") && left > 5 &&
                   (charset_is_space(lt[5]) || lt[5] == '/')) {
            int eof = 0;
            s.pos += 5;
            const char *e = charset_meta(&s, &eof);
            if (e)
                return e;
            if (eof)
                return NULL;
        } else if (left > 1 && (charset_is_alpha(lt[1]) ||
                                (lt[1] == '/' && left > 2 && charset_is_alpha(lt[2])))) {
            while (s.pos < s.len && !charset_is_space(d[s.pos]) && d[s.pos] != '>')
                s.pos++;
            struct charset_attr a;
            int r;
            while ((r = charset_get_attr(&s, &a)) > 0)
                ;
            if (r < 0)
                return NULL;
        } else if (left > 1 && (lt[1] == '!' || lt[1] == '/' || lt[1] == '?')) {
            const unsigned char *gt = memchr(lt + 1, '>', left - 1);
            if (!gt)
                return NULL;
            s.pos = (size_t)(gt - d);
        }
        s.pos++; /* next byte */
    }
    return NULL;
}

/* 1 if data is valid UTF-8; a sequence cut short by the end of the buffer
 * counts as valid (the body may have been truncated at a size cap). */
static int charset_is_utf8(const unsigned char *d, size_t len)
{
    size_t i = 0;
    while (i < len) {
        unsigned char c = d[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t n;
        unsigned char lo = 0x80, hi = 0xBF;
        if (c >= 0xC2 && c <= 0xDF) {
            n = 1;
        } else if (c >= 0xE0 && c <= 0xEF) {
            n = 2;
            if (c == 0xE0)
                lo = 0xA0;
            else if (c == 0xED)
                hi = 0x9F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            n = 3;
            if (c == 0xF0)
                lo = 0x90;
            else if (c == 0xF4)
                hi = 0x8F;
        } else {
            return 0;
        }
        i++;
        for (size_t k = 0; k < n; k++, i++) {
            if (i >= len)
                return 1;
            if (d[i] < lo || d[i] > hi)
                return 0;
            lo = 0x80;
            hi = 0xBF;
        }
    }
    return 1;
}

const char *charset_sniff(const unsigned char *data, size_t len, const char *transport,
                          size_t *bom_len)
{
    size_t dummy;
    if (!bom_len)
        bom_len = &dummy;
    *bom_len = 0;
    if (!data)
        len = 0;
    if (len >= 3 && data[0] == 0xEF && data[1] == 0xBB && data[2] == 0xBF) {
        *bom_len = 3;
        return "UTF-8";
    }
    if (len >= 2 && data[0] == 0xFE && data[1] == 0xFF) {
        *bom_len = 2;
        return "UTF-16BE";
    }
    if (len >= 2 && data[0] == 0xFF && data[1] == 0xFE) {
        *bom_len = 2;
        return "UTF-16LE";
    }
    if (transport) {
        const char *e = charset_from_label(transport, strlen(transport));
        if (e)
            return e;
    }
    const char *e = charset_prescan(data, len);
    if (e)
        return e;
    if (charset_is_utf8(data, len))
        return "UTF-8";
    return "windows-1252";
}

size_t charset_utf8(unsigned cp, char out[4])
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}
