/* test_json: JSON string escaping keeps every record valid JSON and valid
 * UTF-8 whatever bytes a page contained. */
#include "check.h"
#include "json.h"

static const char *esc(struct buf *b, const char *s, size_t n)
{
    buf_reset(b);
    json_put_strn(b, s, n);
    return b->data;
}

int main(void)
{
    struct buf b;
    buf_init(&b, 1 << 20);
    CHECK_STR(esc(&b, "plain", 5), "\"plain\"");
    CHECK_STR(esc(&b, "a\"b\\c", 5), "\"a\\\"b\\\\c\"");
    CHECK_STR(esc(&b, "l1\nl2\r\t", 7), "\"l1\\nl2\\r\\t\"");
    CHECK_STR(esc(&b, "\x01\x1f", 2), "\"\\u0001\\u001f\"");
    CHECK_STR(esc(&b, "a\0b", 3), "\"a\\u0000b\"");
    CHECK_STR(esc(&b, "\x7f", 1), "\"\x7f\"");
    /* Valid UTF-8 of every length passes through untouched. */
    CHECK_STR(esc(&b, "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", 9),
              "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"");
    /* Invalid sequences become U+FFFD, one per bad byte. */
    CHECK_STR(esc(&b, "\xff", 1), "\"\xef\xbf\xbd\"");
    CHECK_STR(esc(&b, "a\xe9z", 3), "\"a\xef\xbf\xbdz\"");             /* latin-1 é */
    CHECK_STR(esc(&b, "\xc0\xaf", 2), "\"\xef\xbf\xbd\xef\xbf\xbd\""); /* overlong / */
    CHECK_STR(esc(&b, "\xed\xa0\x80", 3),                              /* surrogate */
              "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"");
    CHECK_STR(esc(&b, "\xf4\x90\x80\x80", 4), /* > U+10FFFF */
              "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"");
    CHECK_STR(esc(&b, "\xe2\x82", 2), "\"\xef\xbf\xbd\xef\xbf\xbd\""); /* truncated */
    /* Long strings are scanned 16 and 8 bytes at a time (a string's last
     * 16 bytes overlapping the block before): every byte that needs a look
     * of its own is still found at each offset of strings of 1 to 48
     * bytes, and so is a second one behind the first. */
    static const char *const odd[][2] = {{"\x01", "\\u0001"},
                                         {"\x1f", "\\u001f"},
                                         {"\"", "\\\""},
                                         {"\\", "\\\\"},
                                         {"\n", "\\n"},
                                         {"\xff", "\xef\xbf\xbd"},
                                         {"\x80", "\xef\xbf\xbd"},
                                         {"\xc3\xa9", "\xc3\xa9"},
                                         {" ", " "},
                                         {"\x7f", "\x7f"},
                                         {"!", "!"},
                                         {"#", "#"},
                                         {"[", "["},
                                         {"]", "]"}};
    int long_ok = 1;
    for (size_t len = 1; len <= 48; len++) {
        for (size_t k = 0; k < sizeof odd / sizeof odd[0]; k++) {
            for (size_t at = 0; at < len; at++) {
                char in[64], want[128];
                size_t ol = strlen(odd[k][0]);
                memset(in, 'x', len);
                memcpy(in + at, odd[k][0], ol);
                size_t n = at + ol > len ? at + ol : len;
                snprintf(want, sizeof want, "\"%.*s%s%.*s\"", (int)at, in, odd[k][1],
                         (int)(n - at - ol), in + at + ol);
                if (strcmp(esc(&b, in, n), want) != 0) {
                    printf("  %zu at %zu of %zu: got %s want %s\n", k, at, len, b.data, want);
                    long_ok = 0;
                }
            }
        }
        for (size_t at = 0; at < len; at++) {
            for (size_t at2 = at + 1; at2 < len; at2++) {
                char in[64], want[128];
                memset(in, 'x', len);
                in[at] = '"';
                in[at2] = '\n';
                snprintf(want, sizeof want, "\"%.*s\\\"%.*s\\n%.*s\"", (int)at, in,
                         (int)(at2 - at - 1), in + at + 1, (int)(len - at2 - 1), in + at2 + 1);
                if (strcmp(esc(&b, in, len), want) != 0) {
                    printf("  at %zu and %zu of %zu: got %s want %s\n", at, at2, len, b.data, want);
                    long_ok = 0;
                }
            }
        }
    }
    CHECK(long_ok);
    /* json_has_control: a byte below 0x20 at any offset of 1..48 bytes is
     * found, and 0x20, 0x7f and bytes >= 0x80 are not such bytes */
    int ctl_ok = 1;
    for (size_t len = 1; len <= 48; len++) {
        char in[64];
        memset(in, 0x20, len);
        ctl_ok &= !json_has_control(in, len);
        memset(in, 0x7f, len);
        ctl_ok &= !json_has_control(in, len);
        memset(in, (char)0x80, len);
        ctl_ok &= !json_has_control(in, len);
        memset(in, (char)0xff, len);
        ctl_ok &= !json_has_control(in, len);
        for (size_t at = 0; at < len; at++) {
            static const char ctl[] = {0x00, 0x01, 0x0a, 0x0d, 0x1f};
            for (size_t k = 0; k < sizeof ctl; k++) {
                memset(in, 'x', len);
                in[at] = ctl[k];
                ctl_ok &= json_has_control(in, len) != 0;
            }
        }
    }
    CHECK(ctl_ok);
    buf_reset(&b);
    json_put_str(&b, NULL);
    CHECK_STR(b.data, "null");
    buf_reset(&b);
    json_put_key(&b, "url");
    CHECK_STR(b.data, "\"url\":");
    /* A cap that cannot hold the string fails instead of truncating. */
    struct buf small;
    buf_init(&small, 4);
    CHECK(json_put_str(&small, "toolong") < 0);
    buf_free(&small);
    buf_free(&b);
    return check_summary("json");
}
