/* bench_robots: CPU the parent spends in robots_allowed for the hostile
 * wildcard case of issue 10: R rules "Disallow: /" '*' A x 'a' "b<i>" (i = 0..R-1)
 * and P distinct paths of L bytes, each asked once (or -k times). Not a
 * test: it prints figures and exits 0 (1 only on bad arguments).
 *
 *   bench_robots [-r RULES] [-a AS] [-p PATHS] [-l LEN] [-k ASKS] [-s SHAPE]
 *
 * Shapes: "plain" paths are "/aaa...a/000123" (no 'b': no rule matches);
 * "mixed" paths repeat "<A-10 a's>b0123456789", so every byte of every
 * pattern occurs in them and no rule matches either (the a-runs are too
 * short); "dense" repeats "aaaaaaaab0123456789": candidates everywhere. CPU is
 * getrusage(RUSAGE_SELF) user+sys around the queries only; the parse is timed apart. Uses only the
 * stable robots.h API. */
#include "robots.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

static double bench_cpu_s(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static char *bench_robots_txt(int rules, int as, size_t *len)
{
    size_t cap = (size_t)rules * ((size_t)as + 32) + 64, n = 0;
    char *txt = malloc(cap);

    if (!txt)
        abort();
    n += (size_t)sprintf(txt, "User-agent: *\n");
    for (int i = 0; i < rules; i++) {
        n += (size_t)sprintf(txt + n, "Disallow: /*");
        memset(txt + n, 'a', (size_t)as);
        n += (size_t)as;
        n += (size_t)sprintf(txt + n, "b%d\n", i);
    }
    *len = n;
    return txt;
}

/* Path number i of the shape, exactly len bytes (len >= 8). */
static void bench_path(char *out, size_t len, int i, int shape, int as)
{
    static const char block_tail[] = "b0123456789";
    size_t tail = 7, body = len - tail, k = 1;

    out[0] = '/';
    if (shape == 0) {
        memset(out + 1, 'a', body - 1);
    } else {
        size_t run = shape == 2 ? 8 : as > 10 ? (size_t)as - 10 : 1;
        size_t blen = run + sizeof block_tail - 1;
        while (k < body) {
            size_t pos = (k - 1) % blen;
            out[k++] = pos < run ? 'a' : block_tail[pos - run];
        }
    }
    char num[16];
    int nn = snprintf(num, sizeof num, "/%06d", i % 1000000);
    memcpy(out + body, num, nn > 0 && (size_t)nn < tail ? (size_t)nn : tail);
    out[len] = '\0';
}

static int bench_int(const char *s, int lo)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (*end || v < lo || v > 10000000)
        return -1;
    return (int)v;
}

int main(int argc, char **argv)
{
    static const char *const shapes[] = {"plain", "mixed", "dense"};
    int rules = 480, as = 300, paths = 2000, plen = 2000, asks = 1, shape = 0, c;

    while ((c = getopt(argc, argv, "r:a:p:l:k:s:")) != -1) {
        int *dst = c == 'r'   ? &rules
                   : c == 'a' ? &as
                   : c == 'p' ? &paths
                   : c == 'l' ? &plen
                   : c == 'k' ? &asks
                              : NULL;
        if (c == 's') {
            for (shape = 2; shape > 0 && strcmp(optarg, shapes[shape]) != 0; shape--)
                ;
            if (strcmp(optarg, shapes[shape]) == 0)
                continue;
        }
        if (!dst || (*dst = bench_int(optarg, c == 'l' ? 8 : 1)) < 0) {
            fprintf(stderr, "usage: bench_robots [-r RULES] [-a AS] [-p PATHS] [-l LEN] "
                            "[-k ASKS] [-s plain|mixed|dense]\n");
            return 1;
        }
    }

    size_t tlen;
    char *txt = bench_robots_txt(rules, as, &tlen);
    char *path = malloc((size_t)plen + 1);
    if (!path)
        abort();

    double t0 = bench_cpu_s();
    struct robots *r = robots_parse(txt, tlen, "crawl");
    double t1 = bench_cpu_s();
    long disallowed = 0;
    for (int i = 0; i < paths; i++) {
        bench_path(path, (size_t)plen, i, shape, as);
        for (int k = 0; k < asks; k++)
            disallowed += !robots_allowed(r, path);
    }
    double t2 = bench_cpu_s();

    printf("bench_robots: %d rules of %d a's, %d %s paths of %d bytes, each asked %d time(s)\n",
           rules, as, paths, shapes[shape], plen, asks);
    printf("  parse      %.3f s CPU\n", t1 - t0);
    printf("  queries    %.3f s CPU (user+sys), %.1f us per query, %ld disallowed\n", t2 - t1,
           (t2 - t1) * 1e6 / ((double)paths * asks), disallowed);
    robots_free(r);
    free(path);
    free(txt);
    return 0;
}
