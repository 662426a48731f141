/* fuzz: the one entry point every fuzz target defines (libFuzzer's), shared
 * by the libFuzzer builds and by replay_main.c, which feeds corpus files to
 * it under ctest with the normal compiler. A target must not keep state
 * between calls, print on success, or exit: a broken invariant aborts. */
#ifndef CRAWL_FUZZ_H
#define CRAWL_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A broken invariant: say which, then abort (libFuzzer saves the input). */
#define FUZZ_ASSERT(cond)                                                                          \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: fuzz invariant failed: %s\n", __FILE__, __LINE__, #cond);      \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

#endif
