/* html_fast: the events libxml2 2.9.14's HTML parser (HTML_PARSE_RECOVER |
 * NOIMPLIED, the options html.c uses) produces for a plain page, without
 * libxml2 doing the page. Owns the tokenizer, an entity cache and a cache
 * of libxml2's element rules; must not know what the events mean (html.c
 * does) and must never guess: whatever it does not reproduce exactly makes
 * it decline, and html.c runs libxml2 on the page.
 *
 * Why it is exact where it accepts: html.c acts on start tags of the
 * elements it knows (their attributes), on text only inside <title> and
 * <a>, and on end tags only of <a> and the raw-text elements. Outside
 * those, libxml2's element stack (its auto-closing rules, implied
 * paragraphs, ignored end tags) changes no event html.c acts on, so only
 * the tokens have to match: tags and attributes (names lowercased, quoted
 * and unquoted values, entities decoded as libxml2 does), comments (ended
 * by "-->" or "--!>", as in libxml2), <!DOCTYPE>, and the content of
 * <script> and <style>, which libxml2 reads as raw text up to "</" and the
 * element's name. Inside <title> and <iframe> only text and comments are
 * accepted. Inside <a> the elements opened there are kept on a stack, with
 * libxml2's own answers for which element closes which on opening and
 * which end at once, and its end priorities, so the <a> closes exactly
 * where libxml2 closes it; wherever libxml2 would close an element by
 * itself there, the tokenizer declines rather than follow.
 *
 * It declines on: '<' not starting a tag, end tag, comment or DOCTYPE;
 * "<?", "<!" other than those; a tag or comment cut by the end of the
 * page; bogus attribute syntax; a name of 100 bytes or more (libxml2 cuts
 * them); control characters (other than tab, LF, CR), U+FFFE/U+FFFF or a
 * numeric character reference outside plain characters where text or a
 * known element's attribute is kept; textarea, xmp, noembed, noframes and
 * plaintext; any tag inside <title> or <iframe>; inside <a>: another <a>,
 * title, script, style, iframe, html, head, body, an element libxml2 closes
 * by itself, an end tag ignored or closing past the <a>; "</script"
 * followed by more name characters.
 *
 * tests/unit/test_html_fast checks it against libxml2 on the project's
 * pages and tables, fuzz_html compares the two on every input. */
#include "html_fast.h"

#include "charset.h"
#include "html_names.h"
#include "html_rules.h"
#include "xalloc.h"

#include <stdint.h>
#include <string.h>
#include <strings.h>

#include <libxml/HTMLparser.h>

#define HTML_FAST_NAME_MAX 99               /* libxml2 cuts names at 100 bytes */
#define HTML_FAST_ATTS_MAX 1024             /* attributes of a known element, else decline */
#define HTML_FAST_DEPTH    32               /* inline elements open inside an <a> */
#define HTML_FAST_INLINE   HTML_RULES_SHORT /* longest element name inside an <a> */

enum html_fast_region { FAST_NONE, FAST_A, FAST_TITLE, FAST_IFRAME };

struct html_fast_state {
    struct html_fast *f;
    const struct html_fast_sink *sink;
    const unsigned char *s;
    size_t len, pos;
    enum html_fast_region region;
    int depth; /* inline elements open inside the <a> */
    char stack[HTML_FAST_DEPTH][HTML_FAST_INLINE];
};

struct html_fast_tag {
    char name[HTML_FAST_NAME_MAX + 1];
    size_t name_len;
    enum html_names_elem kind;
    int self_closed; /* ended with "/>" */
};

/* ---- characters ---- */

static int html_fast_blank(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static int html_fast_letter(unsigned char c)
{
    return (unsigned char)((c | 0x20) - 'a') < 26;
}

static int html_fast_name_char(unsigned char c)
{
    return html_fast_letter(c) || (c >= '0' && c <= '9') || c == ':' || c == '-' || c == '_' ||
           c == '.';
}

/* Nonzero when s[0..n) holds a control character other than tab, LF and
 * CR, or U+FFFE / U+FFFF: libxml2 reports those and its handling is not
 * reproduced. */
static int html_fast_odd(const unsigned char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = s[i];
        if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
            return 1;
        if (c == 0xEF && i + 2 < n && s[i + 1] == 0xBF && (s[i + 2] & 0xFE) == 0xBE)
            return 1;
    }
    return 0;
}

/* ---- entities ---- */

/* libxml2's value for the named entity (n bytes, ASCII letters and
 * digits), 0 when it has none; answers are cached, libxml2's lookup being
 * a linear search of its table. */
static unsigned html_fast_entity(struct html_fast *f, const unsigned char *name, size_t n)
{
    if (n >= sizeof f->ents[0].name)
        return 0; /* longer than any HTML 4 entity name */
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ name[i]) * 16777619u;
    for (size_t k = 0; k < HTML_FAST_ENT_SLOTS; k++) {
        struct html_fast_ent *e = &f->ents[(h + k) % HTML_FAST_ENT_SLOTS];
        if (e->name[0] == '\0') {
            memcpy(e->name, name, n);
            e->name[n] = '\0';
            const htmlEntityDesc *d = htmlEntityLookup((const xmlChar *)e->name);
            e->value = d ? d->value : 0;
            return e->value;
        }
        if (!strncmp(e->name, (const char *)name, n) && e->name[n] == '\0')
            return e->value;
    }
    char tmp[sizeof f->ents[0].name];
    memcpy(tmp, name, n);
    tmp[n] = '\0';
    const htmlEntityDesc *d = htmlEntityLookup((const xmlChar *)tmp);
    return d ? d->value : 0;
}

/* A character the parser passes through as it is. */
static int html_fast_plain_cp(unsigned cp)
{
    return cp == '\t' || cp == '\n' || cp == '\r' || (cp >= 0x20 && cp < 0x7F) ||
           (cp >= 0xA0 && cp < 0xD800) || (cp >= 0xE000 && cp < 0xFFFE) ||
           (cp >= 0x10000 && cp < 0x110000);
}

/* A reference at s[0] == '&' (n bytes available). Returns the bytes it
 * spans, with its UTF-8 in out (*outn bytes) when it decodes; 0 with *outn 0 when
 * it stays as written ('&' is then plain text); -1 to decline. */
static long html_fast_ref(struct html_fast *f, const unsigned char *s, size_t n, char out[4],
                          size_t *outn)
{
    *outn = 0;
    if (n > 1 && s[1] == '#') {
        size_t i = 2;
        unsigned cp = 0;
        int hex = i < n && (s[i] | 0x20) == 'x';
        i += (size_t)hex;
        size_t start = i;
        for (; i < n && i - start < 8; i++) {
            unsigned char c = s[i];
            unsigned d = c >= '0' && c <= '9' ? (unsigned)(c - '0')
                         : hex && (c | 0x20) >= 'a' && (c | 0x20) <= 'f'
                             ? (unsigned)((c | 0x20) - 'a' + 10)
                             : 99u;
            if (d == 99u)
                break;
            cp = cp * (hex ? 16u : 10u) + d;
        }
        if (i == start || i >= n || s[i] != ';' || !html_fast_plain_cp(cp))
            return -1;
        *outn = charset_utf8(cp, out);
        return (long)(i + 1);
    }
    size_t i = 1;
    while (i < n && i < 16 && (html_fast_letter(s[i]) || (s[i] >= '0' && s[i] <= '9')))
        i++;
    /* libxml2 reads a longer name there (non-ASCII letters, '.', '-', '_',
     * ':') and does not always copy all of it back */
    if (i < n && (s[i] >= 0x80 || (s[i] != ';' && html_fast_name_char(s[i]))))
        return -1;
    if (i == 1 || i >= n || s[i] != ';' || !html_fast_letter(s[1]))
        return 0;
    unsigned cp = html_fast_entity(f, s + 1, i - 1);
    if (!cp)
        return 0;
    if (!html_fast_plain_cp(cp))
        return -1;
    *outn = charset_utf8(cp, out);
    return (long)(i + 1);
}

/* ---- scratch ---- */

static void html_fast_put(struct html_fast *f, const void *p, size_t n)
{
    if (f->scratch_len + n > f->scratch_cap) {
        size_t cap = f->scratch_cap ? f->scratch_cap : 1024;
        while (cap < f->scratch_len + n)
            cap *= 2;
        f->scratch = xrealloc(f->scratch, cap);
        f->scratch_cap = cap;
    }
    memcpy(f->scratch + f->scratch_len, p, n);
    f->scratch_len += n;
}

/* Append value s[0..n) decoded, NUL-terminated. 0, or -1 to decline. */
static int html_fast_put_value(struct html_fast *f, const unsigned char *s, size_t n)
{
    if (html_fast_odd(s, n))
        return -1;
    size_t i = 0;
    while (i < n) {
        const unsigned char *amp = memchr(s + i, '&', n - i);
        size_t run = amp ? (size_t)(amp - s) - i : n - i;
        html_fast_put(f, s + i, run);
        i += run;
        if (i >= n)
            break;
        char u[4];
        size_t un;
        long used = html_fast_ref(f, s + i, n - i, u, &un);
        if (used < 0)
            return -1;
        if (used == 0) {
            html_fast_put(f, "&", 1);
            i++;
        } else {
            html_fast_put(f, u, un);
            i += (size_t)used;
        }
    }
    html_fast_put(f, "", 1);
    return 0;
}

static void html_fast_add_off(struct html_fast *f, size_t i, size_t off)
{
    if (i + 2 > f->atts_cap) {
        f->atts_cap = f->atts_cap ? f->atts_cap * 2 : 64;
        f->offs = xrealloc(f->offs, f->atts_cap * sizeof *f->offs);
        f->atts = xrealloc(f->atts, f->atts_cap * sizeof *f->atts);
    }
    f->offs[i] = off;
}

/* ---- tokens ---- */

/* A name at s[i] (first byte already checked): lowercased into out,
 * length in *n. The index after it, or 0 to decline. */
static size_t html_fast_name(const struct html_fast_state *st, size_t i, char *out, size_t *n)
{
    size_t k = 0;
    while (i < st->len && html_fast_name_char(st->s[i])) {
        if (k >= HTML_FAST_NAME_MAX)
            return 0;
        unsigned char c = st->s[i++];
        out[k++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
    }
    out[k] = '\0';
    *n = k;
    return i;
}

static size_t html_fast_skip_blanks(const struct html_fast_state *st, size_t i)
{
    while (i < st->len && html_fast_blank(st->s[i]))
        i++;
    return i;
}

/* One attribute at s[i] (a name start). Its name and value go to the
 * scratch when `keep` (natts counts them). The index after it, or 0. */
static size_t html_fast_attr(struct html_fast_state *st, size_t i, int keep, size_t *natts)
{
    char name[HTML_FAST_NAME_MAX + 1];
    size_t nl;
    struct html_fast *f = st->f;
    if (!(i = html_fast_name(st, i, name, &nl)))
        return 0;
    i = html_fast_skip_blanks(st, i);
    const unsigned char *v = NULL;
    size_t vn = 0;
    if (i < st->len && st->s[i] == '=') {
        i = html_fast_skip_blanks(st, i + 1);
        if (i >= st->len)
            return 0;
        unsigned char q = st->s[i];
        if (q == '"' || q == '\'') {
            const unsigned char *e = memchr(st->s + i + 1, q, st->len - i - 1);
            if (!e)
                return 0;
            v = st->s + i + 1;
            vn = (size_t)(e - v);
            i = (size_t)(e - st->s) + 1;
        } else {
            size_t j = i;
            while (j < st->len && !html_fast_blank(st->s[j]) && st->s[j] != '>')
                j++;
            if (j == i || j >= st->len)
                return 0;
            v = st->s + i;
            vn = j - i;
            i = j;
        }
    }
    if (keep) {
        if (*natts >= 2 * HTML_FAST_ATTS_MAX)
            return 0;
        html_fast_add_off(f, *natts, f->scratch_len);
        html_fast_put(f, name, nl + 1);
        html_fast_add_off(f, *natts + 1, v ? f->scratch_len : SIZE_MAX);
        if (v && html_fast_put_value(f, v, vn) < 0)
            return 0;
        *natts += 2;
    }
    return i;
}

/* The start tag at s[pos] ('<' and a letter): t filled, the known
 * element's attributes in the scratch (natts strings). The index after
 * it, or 0 to decline. */
static size_t html_fast_start_tag(struct html_fast_state *st, struct html_fast_tag *t,
                                  size_t *natts)
{
    size_t i = html_fast_name(st, st->pos + 1, t->name, &t->name_len);
    if (!i || i >= st->len)
        return 0;
    t->kind = html_names_elem((const unsigned char *)t->name);
    t->self_closed = 0;
    int keep = t->kind != HTML_NAMES_OTHER;
    st->f->scratch_len = 0;
    *natts = 0;
    unsigned char c = st->s[i];
    if (!html_fast_blank(c) && c != '>' && c != '/')
        return 0;
    for (;;) {
        i = html_fast_skip_blanks(st, i);
        if (i >= st->len)
            return 0;
        c = st->s[i];
        if (c == '>')
            return i + 1;
        if (c == '/' && i + 1 < st->len && st->s[i + 1] == '>') {
            t->self_closed = 1;
            return i + 2;
        }
        if (!html_fast_letter(c) && c != '_' && c != ':' && c != '.')
            return 0;
        if (!(i = html_fast_attr(st, i, keep, natts)))
            return 0;
    }
}

/* The end tag at s[pos] ("</" and a letter): its name. The index after
 * it, or 0 to decline. */
static size_t html_fast_end_tag(struct html_fast_state *st, char *name, size_t *n)
{
    size_t i = html_fast_name(st, st->pos + 2, name, n);
    if (!i)
        return 0;
    i = html_fast_skip_blanks(st, i);
    return i < st->len && st->s[i] == '>' ? i + 1 : 0;
}

/* ---- the page ---- */

/* An element that may open inside an <a>: not one whose content or
 * meaning html.c or libxml2 treat apart (links with text, raw text,
 * scripts, the document's own elements), and a short name. */
static int html_fast_in_a(const struct html_fast_tag *t)
{
    static const char *const apart[] = {"a",         "title",   "script",  "style",    "iframe",
                                        "html",      "head",    "body",    "textarea", "xmp",
                                        "plaintext", "noembed", "noframes"};
    if (t->name_len >= HTML_FAST_INLINE)
        return 0;
    for (size_t i = 0; i < sizeof apart / sizeof apart[0]; i++)
        if (!strcmp(t->name, apart[i]))
            return 0;
    return 1;
}

/* Text s[from..to) of the open region handed over, references decoded. */
static int html_fast_text(struct html_fast_state *st, size_t from, size_t to)
{
    const unsigned char *s = st->s;
    if (st->region == FAST_IFRAME)
        return 0; /* html.c keeps nothing of it: not even looked at */
    if (html_fast_odd(s + from, to - from))
        return -1;
    size_t i = from;
    while (i < to) {
        const unsigned char *amp = memchr(s + i, '&', to - i);
        size_t run = amp ? (size_t)(amp - s) - i : to - i;
        if (run)
            st->sink->text(st->sink->ctx, s + i, (int)run);
        i += run;
        if (i >= to)
            break;
        char u[4];
        size_t un;
        long used = html_fast_ref(st->f, s + i, to - i, u, &un);
        if (used < 0)
            return -1;
        if (used == 0) {
            st->sink->text(st->sink->ctx, (const unsigned char *)"&", 1);
            i++;
        } else {
            st->sink->text(st->sink->ctx, (const unsigned char *)u, (int)un);
            i += (size_t)used;
        }
    }
    return 0;
}

static void html_fast_emit_start(struct html_fast_state *st, const struct html_fast_tag *t,
                                 size_t natts)
{
    struct html_fast *f = st->f;
    if (t->kind == HTML_NAMES_OTHER)
        return;
    html_fast_add_off(f, natts, SIZE_MAX);
    for (size_t k = 0; k < natts; k++)
        f->atts[k] = f->offs[k] == SIZE_MAX ? NULL : (const unsigned char *)f->scratch + f->offs[k];
    f->atts[natts] = NULL;
    st->sink->start(st->sink->ctx, (const unsigned char *)t->name, natts ? f->atts : NULL);
}

/* Raw text of <script> or <style> from st->pos: up to "</" and the name,
 * as libxml2 reads it; then that end tag. 0, or -1 to decline. */
static int html_fast_raw(struct html_fast_state *st, const char *name, size_t n)
{
    size_t i = st->pos;
    for (;;) {
        const unsigned char *lt = memchr(st->s + i, '<', st->len - i);
        if (!lt) {
            st->pos = st->len; /* the rest of the page is its content */
            return 0;
        }
        i = (size_t)(lt - st->s);
        if (i + 2 + n <= st->len && st->s[i + 1] == '/' &&
            !strncasecmp((const char *)st->s + i + 2, name, n))
            break;
        i++;
    }
    st->pos = i;
    char end[HTML_FAST_NAME_MAX + 1];
    size_t en;
    size_t after = html_fast_end_tag(st, end, &en);
    if (!after || en != n)
        return -1;
    st->pos = after;
    return 0;
}

static int html_fast_on_start(struct html_fast_state *st)
{
    struct html_fast_tag t;
    size_t natts;
    size_t after = html_fast_start_tag(st, &t, &natts);
    if (!after || t.kind == HTML_NAMES_RAW || st->region == FAST_TITLE || st->region == FAST_IFRAME)
        return -1;
    if (st->region == FAST_A) {
        const char *top = st->depth ? st->stack[st->depth - 1] : "a";
        if (!html_fast_in_a(&t) || html_rules_closes(st->f->rules, top, t.name) != 0)
            return -1; /* libxml2 would close something here: not followed */
        int empty = t.self_closed ? 1 : html_rules_empty(st->f->rules, t.name);
        if (empty < 0)
            return -1;
        html_fast_emit_start(st, &t, natts);
        st->pos = after;
        if (!empty) {
            if (st->depth >= HTML_FAST_DEPTH)
                return -1;
            memcpy(st->stack[st->depth++], t.name, t.name_len + 1);
        } else if (t.self_closed && t.kind != HTML_NAMES_OTHER) {
            st->sink->end(st->sink->ctx, (const unsigned char *)t.name);
        }
        return 0;
    }
    html_fast_emit_start(st, &t, natts);
    st->pos = after;
    if (t.self_closed) {
        if (t.kind != HTML_NAMES_OTHER)
            st->sink->end(st->sink->ctx, (const unsigned char *)t.name);
        return 0;
    }
    if (t.kind == HTML_NAMES_A) {
        st->region = FAST_A;
        st->depth = 0;
    } else if (t.kind == HTML_NAMES_TITLE) {
        st->region = FAST_TITLE;
    } else if (t.kind == HTML_NAMES_IFRAME) {
        st->region = FAST_IFRAME;
    } else if (t.kind == HTML_NAMES_SCRIPT || !strcmp(t.name, "style")) {
        return html_fast_raw(st, t.name, t.name_len);
    }
    return 0;
}

static int html_fast_on_end(struct html_fast_state *st)
{
    char name[HTML_FAST_NAME_MAX + 1];
    size_t n;
    size_t after = html_fast_end_tag(st, name, &n);
    if (!after)
        return -1;
    st->pos = after;
    switch (st->region) {
    case FAST_NONE:
        return 0; /* nothing html.c acts on is open */
    case FAST_TITLE:
    case FAST_IFRAME:
        if (strcmp(name, st->region == FAST_TITLE ? "title" : "iframe"))
            return -1;
        break;
    case FAST_A: {
        /* libxml2 closes up to the element named, unless one above it
         * ranks higher (then the end tag is ignored): not followed */
        int is_a = !strcmp(name, "a");
        int d = st->depth;
        while (d > 0 && (is_a || strcmp(st->stack[d - 1], name))) {
            if (html_rules_priority(st->stack[d - 1]) > html_rules_priority(name))
                return -1;
            d--;
        }
        if (!is_a) {
            if (d == 0)
                return -1; /* it would close elements outside the <a> */
            st->depth = d - 1;
            return 0;
        }
        st->depth = 0;
        break;
    }
    }
    st->region = FAST_NONE;
    st->sink->end(st->sink->ctx, (const unsigned char *)name);
    return 0;
}

/* A quoted literal at s[i]: the index after it, or 0. */
static size_t html_fast_literal(const struct html_fast_state *st, size_t i)
{
    if (i >= st->len || (st->s[i] != '"' && st->s[i] != '\''))
        return 0;
    const unsigned char *e = memchr(st->s + i + 1, st->s[i], st->len - i - 1);
    if (!e || memchr(st->s + i + 1, '>', (size_t)(e - st->s) - i - 1))
        return 0;
    return (size_t)(e - st->s) + 1;
}

/* The rest of a DOCTYPE from s[i] (after the keyword): the index after
 * its '>', or 0. Without quotes libxml2 skips to the '>'; with them only
 * the usual shape is accepted: a name, PUBLIC or SYSTEM, one or two
 * quoted literals. */
static size_t html_fast_doctype(const struct html_fast_state *st, size_t i)
{
    const unsigned char *s = st->s;
    const unsigned char *gt = memchr(s + i, '>', st->len - i);
    if (!gt)
        return 0;
    size_t end = (size_t)(gt - s);
    if (!memchr(s + i, '"', end - i) && !memchr(s + i, '\'', end - i))
        return memchr(s + i, '<', end - i) ? 0 : end + 1;
    i = html_fast_skip_blanks(st, i);
    while (i < st->len && html_fast_letter(s[i]))
        i++;
    i = html_fast_skip_blanks(st, i);
    if (i + 6 > st->len || (strncasecmp((const char *)s + i, "public", 6) &&
                            strncasecmp((const char *)s + i, "system", 6)))
        return 0;
    i = html_fast_skip_blanks(st, i + 6);
    if (!(i = html_fast_literal(st, i)))
        return 0;
    i = html_fast_skip_blanks(st, i);
    if (i < st->len && s[i] != '>') {
        if (!(i = html_fast_literal(st, i)))
            return 0;
        i = html_fast_skip_blanks(st, i);
    }
    return i < st->len && s[i] == '>' ? i + 1 : 0;
}

/* "<!": a comment, or a DOCTYPE outside the regions. */
static int html_fast_on_bang(struct html_fast_state *st)
{
    const unsigned char *s = st->s;
    size_t i = st->pos + 2;
    if (i + 1 < st->len && s[i] == '-' && s[i + 1] == '-') {
        for (i += 2; i + 2 < st->len; i++) {
            const unsigned char *d = memchr(s + i, '-', st->len - i - 2);
            if (!d)
                return -1;
            i = (size_t)(d - s);
            if (s[i + 1] != '-')
                continue;
            if (s[i + 2] == '>') {
                st->pos = i + 3;
                return 0;
            }
            if (s[i + 2] == '!' && i + 3 < st->len && s[i + 3] == '>') { /* "--!>" */
                st->pos = i + 4;
                return 0;
            }
        }
        return -1;
    }
    if (st->region != FAST_NONE || i + 7 > st->len ||
        strncasecmp((const char *)s + i, "doctype", 7))
        return -1;
    size_t end = html_fast_doctype(st, i + 7);
    if (!end)
        return -1;
    st->pos = end;
    return 0;
}

void html_fast_init(struct html_fast *f)
{
    memset(f, 0, sizeof *f);
    f->rules = html_rules_new();
}

void html_fast_free(struct html_fast *f)
{
    free(f->scratch);
    free(f->offs);
    free(f->atts);
    html_rules_free(f->rules);
    memset(f, 0, sizeof *f);
}

int html_fast_run(struct html_fast *f, const char *doc, size_t len,
                  const struct html_fast_sink *sink)
{
    struct html_fast_state st;
    st.f = f;
    st.sink = sink;
    st.s = (const unsigned char *)doc;
    st.len = len;
    st.pos = 0;
    st.region = FAST_NONE;
    st.depth = 0;
    while (st.pos < st.len) {
        const unsigned char *lt = memchr(st.s + st.pos, '<', st.len - st.pos);
        size_t at = lt ? (size_t)(lt - st.s) : st.len;
        if (st.region != FAST_NONE && html_fast_text(&st, st.pos, at) < 0)
            return -1;
        if (!lt)
            break;
        st.pos = at;
        if (at + 1 >= st.len)
            return -1;
        unsigned char c = st.s[at + 1];
        int rc;
        if (html_fast_letter(c))
            rc = html_fast_on_start(&st);
        else if (c == '/' && at + 2 < st.len && html_fast_letter(st.s[at + 2]))
            rc = html_fast_on_end(&st);
        else if (c == '!')
            rc = html_fast_on_bang(&st);
        else
            rc = -1;
        if (rc < 0)
            return -1;
    }
    return 0;
}
