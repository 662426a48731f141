/* test_chain: a handed redirect chain read back as written, and damaged
 * text (it comes from Redis) read without trusting its shape. */
#include "chain.h"
#include "check.h"
#include "output.h"

#include <stdlib.h>

int main(void)
{
    struct buf b;
    buf_init(&b, 1 << 16);
    const struct output_hop hops[] = {{"http://a.example/x", 301}, {"http://a.example/y", 302}};
    chain_encode(&b, "http://b.example/landing", hops, 2);
    buf_append(&b, "", 1);
    char *t = chain_target(b.data);
    CHECK_STR(t, "http://b.example/landing");
    free(t);
    const char *u;
    size_t len;
    long st;
    for (size_t i = 0; i < 2; i++) {
        CHECK(chain_hop(b.data, i, &u, &len, &st) == 1);
        CHECK(st == hops[i].status && len == strlen(hops[i].url) && !strncmp(u, hops[i].url, len));
    }
    CHECK(chain_hop(b.data, 2, &u, &len, &st) == 0);
    buf_free(&b);

#define S "\x1f"
    /* no hops; damaged texts */
    CHECK(chain_hop("http://t/", 0, &u, &len, &st) == 0);
    CHECK(chain_hop("http://t/" S "", 0, &u, &len, &st) == 0);
    CHECK(chain_hop("http://t/" S "xx" S "http://a/", 0, &u, &len, &st) == 0);
    CHECK(chain_hop("http://t/" S "301", 0, &u, &len, &st) == 0);
    CHECK(chain_hop("http://t/" S "301" S "", 0, &u, &len, &st) == 0);
    CHECK(chain_hop("http://t/" S "301" S "http://a/" S "302", 1, &u, &len, &st) == 0);
    t = chain_target("");
    CHECK_STR(t, "");
    free(t);
    return check_summary("chain");
}
