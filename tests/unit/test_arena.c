/* test_arena: the bump allocator behind a worker's per-page strings.
 * Every allocation is aligned and keeps its bytes while later ones fill
 * more blocks; big ones get their own block; arena_reset forgets them all
 * and the next round reuses the kept block (the same address comes back). */
#include "check.h"

#include "arena.h"

#include <stdalign.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

static void fill_and_check(struct arena *a, int round)
{
    char *got[2000];
    size_t len[2000];
    int ok_align = 1, ok_bytes = 1;
    for (int i = 0; i < 2000; i++) {
        len[i] = (size_t)(i * 7 % 300) + (i % 97 == 0 ? 5000 : 0); /* some bigger than a block/4 */
        got[i] = arena_alloc(a, len[i]);
        ok_align &= ((uintptr_t)got[i] % alignof(max_align_t)) == 0;
        memset(got[i], (i + round) & 0xFF, len[i]);
    }
    for (int i = 0; i < 2000; i++)
        for (size_t k = 0; k < len[i]; k++)
            ok_bytes &= (unsigned char)got[i][k] == ((i + round) & 0xFF);
    CHECKF(ok_align, "round %d: every allocation aligned for any object", round);
    CHECKF(ok_bytes, "round %d: every allocation keeps its bytes", round);
}

int main(void)
{
    struct arena a;
    arena_init(&a, 4096);
    fill_and_check(&a, 0);
    arena_reset(&a);
    char *first = arena_alloc(&a, 10);
    arena_reset(&a);
    CHECK(arena_alloc(&a, 10) == first); /* the kept block is reused */
    fill_and_check(&a, 1);

    char *s = arena_memdup0(&a, "abc\0def", 7);
    CHECK(memcmp(s, "abc\0def", 8) == 0);
    CHECK_STR(arena_memdup0(&a, "", 0), "");
    CHECK(arena_alloc(&a, 0) != NULL);
    arena_free(&a);
    arena_init(&a, 0); /* a tiny block size still works */
    CHECK_STR(arena_memdup0(&a, "a longer string than a tiny block would hold, twice over", 56),
              "a longer string than a tiny block would hold, twice over");
    arena_free(&a);
    return check_summary("test_arena");
}
