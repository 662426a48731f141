/* fuzz_url: the URL resolver and canonicaliser on arbitrary bytes.
 * Input layout: "BASE\nREFERENCE" -- the bytes before the first '\n' are
 * the base (a C string, so it ends at a NUL too), every byte after it is
 * the reference (given with its length: NULs and more '\n' included).
 * Without a '\n' the whole input is a reference with no base. Also
 * canonicalises the whole input, the base, and resolves the reference
 * against the base's canonical form.
 *
 * Invariants of every successful result s (abort when broken):
 *  - at most URL_MAX_LEN bytes, no fragment ('#'), only bytes 0x21..0x7E
 *    (everything else is percent-encoded);
 *  - url_canonicalize(s) succeeds and gives s back (a fixed point);
 *  - s resolved as a reference against any base is s (it is absolute);
 *  - url_split(s) succeeds, with the scheme http, https or file; for http(s)
 *    url_authority(s) succeeds.
 * Every failure returns a documented url_err and leaves *out NULL. */
#include "fuzz.h"

#include "url.h"

#include <string.h>

static const char *const fuzz_bases[] = {"http://a.example/b/c/d;p?q", "file:///tmp/x/y",
                                         "https://[::1]:8443/"};

static void fuzz_check_ok(const char *s)
{
    size_t n = strlen(s);
    char *again = NULL;
    struct url_view v;
    char auth[URL_MAX_LEN + 16];

    FUZZ_ASSERT(n > 0 && n <= URL_MAX_LEN);
    FUZZ_ASSERT(strchr(s, '#') == NULL);
    for (size_t i = 0; i < n; i++)
        FUZZ_ASSERT((unsigned char)s[i] > 0x20 && (unsigned char)s[i] < 0x7F);

    FUZZ_ASSERT(url_canonicalize(s, &again) == URL_OK);
    FUZZ_ASSERT(strcmp(again, s) == 0);
    free(again);
    for (size_t i = 0; i < sizeof fuzz_bases / sizeof fuzz_bases[0]; i++) {
        FUZZ_ASSERT(url_resolve(fuzz_bases[i], s, n, &again) == URL_OK);
        FUZZ_ASSERT(strcmp(again, s) == 0);
        free(again);
    }

    FUZZ_ASSERT(url_split(s, &v) == 0);
    FUZZ_ASSERT(v.path && v.path_len > 0 && v.path[0] == '/');
    int http = (v.scheme_len == 4 && memcmp(v.scheme, "http", 4) == 0) ||
               (v.scheme_len == 5 && memcmp(v.scheme, "https", 5) == 0);
    int file = v.scheme_len == 4 && memcmp(v.scheme, "file", 4) == 0;
    FUZZ_ASSERT(http || file);
    if (http) {
        FUZZ_ASSERT(v.host_len > 0);
        FUZZ_ASSERT(url_authority(s, auth, sizeof auth) == 0);
    }
}

static void fuzz_check(int rc, char *out)
{
    FUZZ_ASSERT(rc == URL_OK || rc == URL_ERR_EMPTY || rc == URL_ERR_SCHEME ||
                rc == URL_ERR_SYNTAX || rc == URL_ERR_TOO_LONG || rc == URL_ERR_NO_BASE ||
                rc == URL_ERR_HOST);
    if (rc != URL_OK) {
        FUZZ_ASSERT(out == NULL);
        return;
    }
    FUZZ_ASSERT(out != NULL);
    fuzz_check_ok(out);
    free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *whole = malloc(size + 1);
    char *out = NULL;
    FUZZ_ASSERT(whole);
    memcpy(whole, data, size);
    whole[size] = '\0';

    int rc = url_canonicalize(whole, &out);
    fuzz_check(rc, out);

    const uint8_t *nl = memchr(data, '\n', size);
    if (nl) {
        size_t blen = (size_t)(nl - data);
        char *base = malloc(blen + 1);
        size_t rlen = size - blen - 1;
        char *ref = malloc(rlen ? rlen : 1); /* exactly rlen bytes, no NUL */
        char *cbase = NULL;
        FUZZ_ASSERT(base && ref);
        memcpy(base, data, blen);
        base[blen] = '\0';
        memcpy(ref, nl + 1, rlen);

        rc = url_resolve(base, ref, rlen, &out);
        fuzz_check(rc, out);
        rc = url_canonicalize(base, &cbase);
        if (rc == URL_OK) {
            int rc2 = url_resolve(cbase, ref, rlen, &out);
            fuzz_check(rc2, out);
        }
        fuzz_check(rc, cbase); /* frees cbase */
        free(ref);
        free(base);
    } else {
        char *ref = malloc(size ? size : 1);
        FUZZ_ASSERT(ref);
        memcpy(ref, data, size);
        rc = url_resolve(NULL, ref, size, &out);
        fuzz_check(rc, out);
        free(ref);
    }
    free(whole);
    return 0;
}
