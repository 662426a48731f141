/* fuzz_html: the link extractor on arbitrary bytes, with a fixed page URL.
 * Input layout: the first byte chooses the encoding the caller passes (low
 * four bits: sniff, UTF-8, windows-1252, UTF-16LE/BE, a few legacy multibyte
 * ones, an unknown label) and the link cap (top two bits); the rest is the
 * body, given in a buffer of exactly its length.
 *
 * Invariants of the page (abort when broken):
 *  - nlinks <= the cap; every usable link has a canonical absolute URL (it
 *    re-canonicalises to itself, no '#', at most URL_MAX_LEN), every
 *    unusable one a known reason and at most HTML_REF_MAX bytes; a known
 *    tag/attr pair, and a text of valid UTF-8 of at most HTML_TEXT_MAX bytes;
 *  - title and rel, when present, are valid UTF-8 (title capped too);
 *    base, when present, is canonical;
 *  - html_page_free leaves the page empty;
 *  - the fast tokenizer (html_fast.c), where it takes a page, gives exactly
 *    the page libxml2 gives (html_parser in both modes, field by field). */
#include "fuzz.h"

#include "html.h"
#include "url.h"

#include <string.h>

#define FUZZ_PAGE "http://example.com/dir/page.html"

static const char *const fuzz_encodings[16] = {
    NULL,        "UTF-8",  "windows-1252", "UTF-16LE",    "UTF-16BE", "ISO-8859-2",
    "Shift_JIS", "EUC-JP", "ISO-2022-JP",  "GBK",         "gb18030",  "Big5",
    "EUC-KR",    "KOI8-R", "utf-16",       "no-such-enc",
};
static const size_t fuzz_caps[4] = {10000, 0, 1, 3};

static int fuzz_utf8_ok(const char *str)
{
    const unsigned char *s = (const unsigned char *)str;
    while (*s) {
        unsigned c = *s;
        size_t n;
        unsigned cp;
        if (c < 0x80) {
            s++;
            continue;
        } else if (c >= 0xC2 && c <= 0xDF) {
            n = 1;
            cp = c & 0x1F;
        } else if (c >= 0xE0 && c <= 0xEF) {
            n = 2;
            cp = c & 0x0F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            n = 3;
            cp = c & 0x07;
        } else {
            return 0;
        }
        for (size_t k = 1; k <= n; k++) {
            if ((s[k] & 0xC0) != 0x80)
                return 0;
            cp = cp << 6 | (s[k] & 0x3F);
        }
        if ((n == 2 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
            (n == 3 && (cp < 0x10000 || cp > 0x10FFFF)))
            return 0;
        s += n + 1;
    }
    return 1;
}

static void fuzz_canonical(const char *u)
{
    char *again = NULL;
    FUZZ_ASSERT(u && u[0] && strlen(u) <= URL_MAX_LEN && !strchr(u, '#'));
    FUZZ_ASSERT(url_canonicalize(u, &again) == URL_OK && strcmp(again, u) == 0);
    free(again);
}

static int fuzz_pair_ok(const char *tag, const char *attr)
{
    static const char *const pairs[][2] = {
        {"a", "href"},        {"area", "href"},   {"link", "href"},    {"iframe", "src"},
        {"frame", "src"},     {"img", "src"},     {"img", "srcset"},   {"source", "src"},
        {"source", "srcset"}, {"video", "src"},   {"video", "poster"}, {"script", "src"},
        {"audio", "src"},     {"track", "src"},   {"embed", "src"},    {"object", "data"},
        {"form", "action"},   {"meta", "content"}};
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++)
        if (strcmp(tag, pairs[i][0]) == 0 && strcmp(attr, pairs[i][1]) == 0)
            return 1;
    return 0;
}

static int fuzz_same_str(const char *a, const char *b)
{
    return (!a || !b) ? a == b : strcmp(a, b) == 0;
}

/* The page from the fast tokenizer, when it takes it, equals libxml2's. */
static void fuzz_fast_vs_libxml2(const char *body, size_t size, const char *enc, size_t cap)
{
    struct html_parser *fast = html_parser_new(), *slow = html_parser_new();
    html_parser_set_mode(slow, HTML_PARSER_LIBXML2);
    const struct html_page *a = html_parser_run(fast, body, size, FUZZ_PAGE, enc, cap);
    const struct html_page *b = html_parser_run(slow, body, size, FUZZ_PAGE, enc, cap);
    if (!a || !b || !html_parser_was_fast(fast))
        goto out;
    FUZZ_ASSERT(fuzz_same_str(a->title, b->title) && fuzz_same_str(a->base, b->base));
    FUZZ_ASSERT(fuzz_same_str(a->meta_robots, b->meta_robots));
    FUZZ_ASSERT(a->nlinks == b->nlinks && a->links_dropped == b->links_dropped);
    for (size_t i = 0; i < a->nlinks; i++) {
        const struct html_link *x = &a->links[i], *y = &b->links[i];
        FUZZ_ASSERT(fuzz_same_str(x->url, y->url) && fuzz_same_str(x->tag, y->tag));
        FUZZ_ASSERT(fuzz_same_str(x->attr, y->attr) && fuzz_same_str(x->rel, y->rel));
        FUZZ_ASSERT(fuzz_same_str(x->text, y->text) && x->unusable == y->unusable);
    }
out:
    html_parser_free(fast);
    html_parser_free(slow);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct html_page p;
    const char *enc = NULL;
    size_t cap = fuzz_caps[0];

    if (size > 0) {
        enc = fuzz_encodings[data[0] & 0x0F];
        cap = fuzz_caps[data[0] >> 6];
        data++;
        size--;
    }
    char *body = malloc(size ? size : 1); /* exactly size bytes */
    FUZZ_ASSERT(body);
    memcpy(body, data, size);

    if (html_extract(body, size, FUZZ_PAGE, enc, cap, &p) == 0) {
        FUZZ_ASSERT(p.nlinks <= cap);
        FUZZ_ASSERT(p.nlinks == 0 || p.links);
        for (size_t i = 0; i < p.nlinks; i++) {
            const struct html_link *l = &p.links[i];
            FUZZ_ASSERT(l->unusable >= 0 && l->unusable <= HTML_UNUSABLE_LAST);
            if (l->unusable) /* listed as written, cut */
                FUZZ_ASSERT(l->url && strlen(l->url) <= HTML_REF_MAX);
            else
                fuzz_canonical(l->url);
            FUZZ_ASSERT(l->tag && l->attr && fuzz_pair_ok(l->tag, l->attr));
            FUZZ_ASSERT(l->text && strlen(l->text) <= HTML_TEXT_MAX && fuzz_utf8_ok(l->text));
            FUZZ_ASSERT(!l->rel || fuzz_utf8_ok(l->rel));
        }
        FUZZ_ASSERT(!p.title || (strlen(p.title) <= HTML_TEXT_MAX && fuzz_utf8_ok(p.title)));
        if (p.base)
            fuzz_canonical(p.base);
        FUZZ_ASSERT(!p.meta_robots || fuzz_utf8_ok(p.meta_robots));
    }
    html_page_free(&p);
    fuzz_fast_vs_libxml2(body, size, enc, cap);
    FUZZ_ASSERT(p.links == NULL && p.nlinks == 0 && p.title == NULL && p.base == NULL);
    free(body);
    return 0;
}
