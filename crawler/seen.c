/* seen: fingerprint hashing and the packed open-addressing table. */
#include "seen.h"

#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

#define SEEN_FP_SHIFT 13 /* low bits: depth (10) and state (3) */
#define SEEN_INIT_CAP 1024
#define SEEN_LOAD_NUM 4 /* grow past 4/5 full */
#define SEEN_LOAD_DEN 5

void seen_init(struct seen *s)
{
    memset(s, 0, sizeof *s);
}

void seen_free(struct seen *s)
{
    free(s->slots);
    memset(s, 0, sizeof *s);
}

static uint64_t seen_mix(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return x;
}

uint64_t seen_fp(const char *url, size_t len)
{
    const unsigned char *p = (const unsigned char *)url;
    uint64_t a = 0x9e3779b97f4a7c15ULL ^ len, b = 0x2545f4914f6cdd1dULL;
    while (len >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        a = (a ^ w) * 0x100000001b3ULL;
        a = (a << 29) | (a >> 35);
        b = (b + w) * 0xc2b2ae3d27d4eb4fULL;
        p += 8;
        len -= 8;
    }
    uint64_t t = 0;
    memcpy(&t, p, len);
    a = (a ^ t) * 0x100000001b3ULL;
    b = (b + t + len) * 0xc2b2ae3d27d4eb4fULL;
    uint64_t fp = seen_mix(a ^ seen_mix(b)) >> SEEN_FP_SHIFT;
    return fp ? fp : 1;
}

/* Home slot: the fingerprint's top 32 bits scaled to the capacity. */
static size_t seen_home(uint64_t fp, size_t cap)
{
    return (size_t)(((fp >> 19) * (uint64_t)cap) >> 32);
}

static size_t seen_probe(const uint64_t *slots, size_t cap, uint64_t fp)
{
    size_t i = seen_home(fp, cap);
    while (slots[i] && (slots[i] >> SEEN_FP_SHIFT) != fp)
        i = i + 1 == cap ? 0 : i + 1;
    return i;
}

int seen_get(const struct seen *s, uint64_t fp, int *depth)
{
    if (!s->cap)
        return SEEN_NONE;
    uint64_t v = s->slots[seen_probe(s->slots, s->cap, fp)];
    if (!v)
        return SEEN_NONE;
    *depth = (int)((v >> 3) & SEEN_MAX_DEPTH);
    return (int)(v & 7);
}

static void seen_grow(struct seen *s)
{
    size_t cap = s->cap ? s->cap + s->cap / 2 : SEEN_INIT_CAP;
    uint64_t *slots = xcalloc(cap, sizeof *slots);
    for (size_t i = 0; i < s->cap; i++) {
        uint64_t v = s->slots[i];
        if (v)
            slots[seen_probe(slots, cap, v >> SEEN_FP_SHIFT)] = v;
    }
    free(s->slots);
    s->slots = slots;
    s->cap = cap;
}

void seen_put(struct seen *s, uint64_t fp, int depth, int state)
{
    if ((s->n + 1) * SEEN_LOAD_DEN > s->cap * SEEN_LOAD_NUM)
        seen_grow(s);
    size_t i = seen_probe(s->slots, s->cap, fp);
    if (!s->slots[i])
        s->n++;
    s->slots[i] = fp << SEEN_FP_SHIFT | (uint64_t)(depth & SEEN_MAX_DEPTH) << 3 | (uint64_t)state;
}

size_t seen_bytes(const struct seen *s)
{
    return s->cap * sizeof *s->slots;
}
