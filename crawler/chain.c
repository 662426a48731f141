/* chain: the text form of a handed redirect chain (chain.h). */
#include "chain.h"

#include "output.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

#define CHAIN_SEP '\x1f'

void chain_encode(struct buf *b, const char *target, const struct output_hop *hops, size_t n)
{
    buf_append_str(b, target);
    for (size_t i = 0; i < n; i++)
        buf_printf(b, "%c%ld%c%s", CHAIN_SEP, hops[i].status, CHAIN_SEP, hops[i].url);
}

char *chain_target(const char *chain)
{
    return xmemdup0(chain, strcspn(chain, "\x1f"));
}

int chain_hop(const char *chain, size_t i, const char **url, size_t *len, long *status)
{
    const char *p = strchr(chain, CHAIN_SEP);
    for (size_t k = 0; p && k < i; k++) { /* skip hop k: status, url */
        p = strchr(p + 1, CHAIN_SEP);
        p = p ? strchr(p + 1, CHAIN_SEP) : NULL;
    }
    if (!p)
        return 0;
    char *end;
    *status = strtol(p + 1, &end, 10);
    if (end == p + 1 || *end != CHAIN_SEP)
        return 0;
    *url = end + 1;
    *len = strcspn(end + 1, "\x1f");
    return *len > 0;
}
