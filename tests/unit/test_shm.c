/* test_shm: the shared body region's allocator (common/shm.c): blocks are
 * page-aligned and never overlap, freed runs merge so the whole region can
 * be taken again, a full region says so (NULL) instead of failing, pointers
 * outside it are free()d, offsets round-trip and shm_at refuses ranges not
 * inside it. And a child forked after shm_init reads what the parent wrote
 * later, at the same address. */
#include "check.h"
#include "shm.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define REGION (1u << 20) /* 256 pages */
#define PAGE   4096u

static void test_no_region(void)
{
    CHECK(shm_alloc(10) == NULL); /* before shm_init: callers fall back */
    CHECK(!shm_owns("x"));
    CHECK(shm_at(0, 1) == NULL);
    shm_free(NULL);
    shm_free(malloc(7)); /* not the region's: free()d */
}

static void test_alloc_free(void)
{
    char *blocks[64];
    for (int i = 0; i < 64; i++) {
        blocks[i] = shm_alloc((size_t)i * 200 + 1);
        CHECK(blocks[i] != NULL && shm_owns(blocks[i]));
        CHECK(shm_offset(blocks[i]) % PAGE == 0);
        memset(blocks[i], i, (size_t)i * 200 + 1);
    }
    int intact = 1;
    for (int i = 0; i < 64; i++)
        for (size_t k = 0; k < (size_t)i * 200 + 1; k++)
            intact &= blocks[i][k] == (char)i;
    CHECK(intact); /* no two blocks overlap */
    /* free every other block, then the rest: runs merge back into one */
    for (int i = 0; i < 64; i += 2)
        shm_free(blocks[i]);
    CHECK(shm_alloc(REGION) == NULL); /* fragmented: no room for all of it */
    for (int i = 1; i < 64; i += 2)
        shm_free(blocks[i]);
    char *all = shm_alloc(REGION);
    CHECK(all != NULL && shm_offset(all) == 0);
    CHECK(shm_alloc(1) == NULL); /* full */
    shm_free(all);
    CHECK(shm_alloc(REGION + 1) == NULL); /* bigger than the region */
}

static void test_first_fit_reuse(void)
{
    char *a = shm_alloc(PAGE), *b = shm_alloc(PAGE), *c = shm_alloc(PAGE);
    CHECK(a && b && c && b == a + PAGE && c == b + PAGE);
    shm_free(b);
    char *d = shm_alloc(10); /* the hole left by b is taken first */
    CHECK(d == b);
    shm_free(a);
    shm_free(c);
    shm_free(d);
    char *all = shm_alloc(REGION); /* a, d, c merged with the tail */
    CHECK(all != NULL);
    shm_free(all);
}

static void test_at(void)
{
    char *a = shm_alloc(100);
    CHECK(a != NULL);
    CHECK(shm_at(shm_offset(a), 100) == a);
    CHECK(shm_at(REGION - 1, 1) != NULL);
    CHECK(shm_at(REGION, 1) == NULL);
    CHECK(shm_at(REGION - 1, 2) == NULL);
    CHECK(shm_at(UINT64_MAX, 2) == NULL);
    CHECK(shm_at(1, UINT64_MAX) == NULL);
    shm_free(a);
}

static void test_shared_with_child(void)
{
    char *a = shm_alloc(64);
    CHECK(a != NULL);
    int p[2];
    CHECK(pipe(p) == 0);
    pid_t pid = fork();
    if (pid == 0) {
        char go;
        shm_seal();
        if (read(p[0], &go, 1) != 1)
            _exit(2);
        _exit(strcmp(a, "written after the fork") == 0 ? 0 : 1);
    }
    strcpy(a, "written after the fork");
    CHECK(write(p[1], "g", 1) == 1);
    int status = 0;
    waitpid(pid, &status, 0);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    close(p[0]);
    close(p[1]);
    shm_free(a);
}

int main(void)
{
    test_no_region();
    CHECK(shm_init(REGION) == 0);
    test_alloc_free();
    test_first_fit_reuse();
    test_at();
    test_shared_with_child();
    shm_destroy();
    CHECK(shm_alloc(1) == NULL);
    return check_summary("shm");
}
