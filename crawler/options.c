/* options: command-line parsing with getopt_long, strict number parsing,
 * and the help text (which states every default). */
#include "options.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum {
    OPT_PER_HOST = 256,
    OPT_WORKERS,
    OPT_MAX_PAGES,
    OPT_MAX_SIZE,
    OPT_TIMEOUT,
    OPT_CONNECT_TIMEOUT,
    OPT_PARSE_TIMEOUT,
    OPT_MAX_REDIRECT,
    OPT_MAX_LINKS,
    OPT_USER_AGENT,
    OPT_VERSION
};

static const struct option options_long[] = {
    {"depth", required_argument, NULL, 'd'},
    {"concurrency", required_argument, NULL, 'c'},
    {"per-host", required_argument, NULL, OPT_PER_HOST},
    {"workers", required_argument, NULL, OPT_WORKERS},
    {"max-pages", required_argument, NULL, OPT_MAX_PAGES},
    {"max-size", required_argument, NULL, OPT_MAX_SIZE},
    {"timeout", required_argument, NULL, OPT_TIMEOUT},
    {"connect-timeout", required_argument, NULL, OPT_CONNECT_TIMEOUT},
    {"parse-timeout", required_argument, NULL, OPT_PARSE_TIMEOUT},
    {"max-redirect", required_argument, NULL, OPT_MAX_REDIRECT},
    {"max-links", required_argument, NULL, OPT_MAX_LINKS},
    {"output", required_argument, NULL, 'o'},
    {"user-agent", required_argument, NULL, OPT_USER_AGENT},
    {"quiet", no_argument, NULL, 'q'},
    {"verbose", no_argument, NULL, 'v'},
    {"version", no_argument, NULL, OPT_VERSION},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

void options_usage(FILE *f)
{
    fputs("Usage: crawl [OPTIONS] URL|DIR...\n"
          "Crawl the links of one site breadth-first and write one JSON object per URL\n"
          "to stdout (logs and a summary go to stderr). URL is http://, https:// or\n"
          "file://; DIR is a directory crawled offline from DIR/index.html.\n"
          "\n"
          "  -d, --depth N            link hops from the start URLs (0 = only them) [2]\n"
          "  -c, --concurrency N      transfers in flight in total [16]\n"
          "      --per-host N         connections to one host at once [4]\n"
          "      --workers N          HTML parser processes [online CPUs]\n"
          "      --max-pages N        fetch at most N pages, 0 = no limit [0]\n"
          "      --max-size BYTES     largest body kept, decompressed; k/M/G suffixes [10M]\n"
          "      --timeout SECONDS    whole-request time limit [30]\n"
          "      --connect-timeout SECONDS  connection set-up limit [10]\n"
          "      --parse-timeout SECONDS    per-page parse deadline in a worker [10]\n"
          "      --max-redirect N     redirect hops followed per URL [10]\n"
          "      --max-links N        links kept per page [10000]\n"
          "  -o, --output FILE        write records to FILE instead of stdout [stdout]\n"
          "      --user-agent STRING  User-Agent header [" OPTIONS_DEFAULT_UA "]\n"
          "  -q, --quiet              no logs and no summary on stderr, only errors [off]\n"
          "  -v, --verbose            log every fetch and decision on stderr [off]\n"
          "      --version            print the version and exit\n"
          "  -h, --help               print this help and exit\n"
          "\n"
          "Exit status: 0 crawl completed (pages may have failed; see records),\n"
          "1 the crawl could not run or its output could not be written, 2 usage.\n",
          f);
}

static int options_fail(char *errbuf, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int options_fail(char *errbuf, size_t cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(errbuf, cap, fmt, ap);
    va_end(ap);
    return OPTIONS_USAGE;
}

/* Parse a decimal integer in [lo, hi]; an optional k/M/G suffix when
 * `sized` (powers of 1024). */
static int options_number(const char *s, long long lo, long long hi, int sized, long long *out)
{
    char *end;
    errno = 0;
    if (!*s || strchr(" \t\n", *s))
        return -1;
    long long v = strtoll(s, &end, 10);
    if (errno || end == s)
        return -1;
    if (sized && *end) {
        long long mul = 1;
        switch (*end) {
        case 'k':
        case 'K':
            mul = 1024LL;
            break;
        case 'm':
        case 'M':
            mul = 1024LL * 1024;
            break;
        case 'g':
        case 'G':
            mul = 1024LL * 1024 * 1024;
            break;
        default:
            return -1;
        }
        if (v > LLONG_MAX / mul)
            return -1;
        v *= mul;
        end++;
    }
    if (*end || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

int options_parse(int argc, char **argv, struct options *o, char *errbuf, size_t errcap)
{
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    memset(o, 0, sizeof *o);
    o->depth = 2;
    o->concurrency = 16;
    o->per_host = 4;
    o->workers = ncpu > 0 ? (int)(ncpu > 64 ? 64 : ncpu) : 1;
    o->max_size = 10u * 1024 * 1024;
    o->timeout_s = 30;
    o->connect_timeout_s = 10;
    o->parse_timeout_ms = 10000;
    o->max_redirects = 10;
    o->max_links = 10000;
    o->user_agent = OPTIONS_DEFAULT_UA;

    opterr = 0;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, ":d:c:o:qvh", options_long, NULL)) != -1) {
        long long v = 0;
        const char *name = NULL;
        long long lo = 0, hi = 0;
        int sized = 0;
        switch (c) {
        case 'd':
            name = "--depth", lo = 0, hi = 1000;
            break;
        case 'c':
            name = "--concurrency", lo = 1, hi = 10000;
            break;
        case OPT_PER_HOST:
            name = "--per-host", lo = 1, hi = 1000;
            break;
        case OPT_WORKERS:
            name = "--workers", lo = 1, hi = 256;
            break;
        case OPT_MAX_PAGES:
            name = "--max-pages", lo = 0, hi = LONG_MAX;
            break;
        case OPT_MAX_SIZE:
            name = "--max-size", lo = 1, hi = 1LL << 31, sized = 1;
            break;
        case OPT_TIMEOUT:
            name = "--timeout", lo = 1, hi = 86400;
            break;
        case OPT_CONNECT_TIMEOUT:
            name = "--connect-timeout", lo = 1, hi = 3600;
            break;
        case OPT_PARSE_TIMEOUT:
            name = "--parse-timeout", lo = 1, hi = 3600;
            break;
        case OPT_MAX_REDIRECT:
            name = "--max-redirect", lo = 0, hi = 100;
            break;
        case OPT_MAX_LINKS:
            name = "--max-links", lo = 1, hi = 1000000;
            break;
        case 'o':
            o->output = optarg;
            continue;
        case OPT_USER_AGENT:
            if (!*optarg || strpbrk(optarg, "\r\n"))
                return options_fail(errbuf, errcap, "--user-agent must be one non-empty line");
            o->user_agent = optarg;
            continue;
        case 'q':
            o->quiet = 1;
            continue;
        case 'v':
            o->verbose = 1;
            continue;
        case 'h':
            options_usage(stdout);
            return OPTIONS_EXIT;
        case OPT_VERSION:
            printf("crawl %s\n", CRAWL_VERSION);
            return OPTIONS_EXIT;
        case ':':
            if (optopt && optopt < 256)
                return options_fail(errbuf, errcap, "option -%c needs a value", optopt);
            return options_fail(errbuf, errcap, "option %s needs a value", argv[optind - 1]);
        default:
            if (optopt == 'w')
                return options_fail(errbuf, errcap, "unknown option -w (reserved for --wait)");
            if (optopt && optopt < 256)
                return options_fail(errbuf, errcap, "unknown option -%c", optopt);
            return options_fail(errbuf, errcap, "unknown option %s", argv[optind - 1]);
        }
        if (options_number(optarg, lo, hi, sized, &v) < 0)
            return options_fail(errbuf, errcap, "%s: '%s' is not a number from %lld to %lld", name,
                                optarg, lo, hi);
        switch (c) {
        case 'd':
            o->depth = (int)v;
            break;
        case 'c':
            o->concurrency = (int)v;
            break;
        case OPT_PER_HOST:
            o->per_host = (int)v;
            break;
        case OPT_WORKERS:
            o->workers = (int)v;
            break;
        case OPT_MAX_PAGES:
            o->max_pages = (long)v;
            break;
        case OPT_MAX_SIZE:
            o->max_size = (size_t)v;
            break;
        case OPT_TIMEOUT:
            o->timeout_s = (int)v;
            break;
        case OPT_CONNECT_TIMEOUT:
            o->connect_timeout_s = (int)v;
            break;
        case OPT_PARSE_TIMEOUT:
            o->parse_timeout_ms = (int)v * 1000;
            break;
        case OPT_MAX_REDIRECT:
            o->max_redirects = (int)v;
            break;
        case OPT_MAX_LINKS:
            o->max_links = (size_t)v;
            break;
        default:
            break;
        }
    }
    if (o->quiet && o->verbose)
        return options_fail(errbuf, errcap, "--quiet and --verbose contradict each other");
    if (optind >= argc)
        return options_fail(errbuf, errcap, "no URL or directory to crawl");
    o->starts = argv + optind;
    o->nstarts = argc - optind;
    return OPTIONS_RUN;
}
