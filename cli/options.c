/* options: command-line parsing with getopt_long, strict number parsing,
 * and the help text (which states every default). */
#include "options.h"

#include "xalloc.h"

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
    OPT_VERSION,
    OPT_NO_ROBOTS,
    OPT_MAX_CRAWL_DELAY,
    OPT_RANDOM_WAIT,
    OPT_RATE,
    OPT_LIMIT_RATE,
    OPT_RETRIES,
    OPT_STALL_TIMEOUT,
    OPT_SUBDOMAINS,
    OPT_INCLUDE,
    OPT_EXCLUDE,
    OPT_MAX_URL_LENGTH,
    OPT_SITEMAPS,
    OPT_STATE,
    OPT_RESUME,
    OPT_SORT,
    OPT_WARC,
    OPT_NO_PROGRESS,
    OPT_STATS_JSON,
    OPT_STATS_INTERVAL
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
    {"no-robots", no_argument, NULL, OPT_NO_ROBOTS},
    {"max-crawl-delay", required_argument, NULL, OPT_MAX_CRAWL_DELAY},
    {"wait", required_argument, NULL, 'w'},
    {"random-wait", no_argument, NULL, OPT_RANDOM_WAIT},
    {"rate", required_argument, NULL, OPT_RATE},
    {"limit-rate", required_argument, NULL, OPT_LIMIT_RATE},
    {"retries", required_argument, NULL, OPT_RETRIES},
    {"stall-timeout", required_argument, NULL, OPT_STALL_TIMEOUT},
    {"subdomains", no_argument, NULL, OPT_SUBDOMAINS},
    {"include", required_argument, NULL, OPT_INCLUDE},
    {"exclude", required_argument, NULL, OPT_EXCLUDE},
    {"max-url-length", required_argument, NULL, OPT_MAX_URL_LENGTH},
    {"sitemaps", no_argument, NULL, OPT_SITEMAPS},
    {"state", required_argument, NULL, OPT_STATE},
    {"resume", no_argument, NULL, OPT_RESUME},
    {"format", required_argument, NULL, 'f'},
    {"sort", no_argument, NULL, OPT_SORT},
    {"warc", required_argument, NULL, OPT_WARC},
    {"no-progress", no_argument, NULL, OPT_NO_PROGRESS},
    {"stats-json", required_argument, NULL, OPT_STATS_JSON},
    {"stats-interval", required_argument, NULL, OPT_STATS_INTERVAL},
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
          "  -c, --concurrency N      transfers in flight in total, lowered to fit the\n"
          "                           file descriptor limit (ulimit -n) [16]\n"
          "      --per-host N         connections to one host at once [4]\n"
          "      --workers N          HTML parser processes [online CPUs]\n"
          "      --max-pages N        fetch at most N pages, 0 = no limit [0]\n"
          "      --max-size BYTES     largest body kept, decompressed; k/M/G suffixes [10M]\n"
          "      --timeout SECONDS    whole-request time limit [30]\n"
          "      --connect-timeout SECONDS  connection set-up limit [10]\n"
          "      --parse-timeout SECONDS    per-page parse deadline in a worker [10]\n"
          "      --max-redirect N     redirect hops followed per URL [10]\n"
          "      --max-links N        links kept per page [10000]\n"
          "      --max-url-length N   longer URLs are not followed [2048]\n"
          "      --subdomains         also follow subdomains of the start hosts [off]\n"
          "      --include REGEX      follow only URLs matching REGEX (POSIX ERE on the\n"
          "                           canonical URL; repeatable) [all]\n"
          "      --exclude REGEX      do not follow URLs matching REGEX (repeatable) [none]\n"
          "      --sitemaps           also seed from robots.txt Sitemap: lines and\n"
          "                           /sitemap.xml [off]\n"
          "\n"
          "Politeness (per host):\n"
          "      --user-agent STRING  User-Agent header, and the robots.txt product token\n"
          "                           [" OPTIONS_DEFAULT_UA "]\n"
          "      --no-robots          neither fetch nor obey robots.txt [obey]\n"
          "      --max-crawl-delay SECONDS  cap on a robots.txt Crawl-delay and on a\n"
          "                           Retry-After [30]\n"
          "  -w, --wait SECONDS       gap between request starts to one host [0]\n"
          "      --random-wait        vary each gap 0.5x..1.5x [off]\n"
          "      --rate N             requests per second to one host, token bucket with\n"
          "                           bursts up to --per-host; 0 = no limit [0]\n"
          "      --limit-rate BYTES   download speed cap per transfer, k/M suffixes [none]\n"
          "      --retries N          retries after timeouts, connection failures, 429,\n"
          "                           502, 503, 504, with backoff and Retry-After [2]\n"
          "      --stall-timeout SECONDS  abort a transfer slower than 1 byte/s for this\n"
          "                           long [30]\n"
          "\n"
          "Output:\n"
          "  -o, --output FILE        write records to FILE instead of stdout; a name\n"
          "                           ending in .gz is gzip-compressed [stdout]\n"
          "  -f, --format FORMAT      jsonl, edges, dot, graphml, sitemap, sqlite, broken\n"
          "                           [jsonl]\n"
          "      --sort               order records by depth, then discovery, so output\n"
          "                           is byte-identical whatever the concurrency [off]\n"
          "      --warc FILE          also write a WARC/1.1 archive (FILE.warc.gz) [none]\n"
          "      --stats-json FILE    write crawl statistics as JSON at the end [none]\n"
          "      --stats-interval SECONDS  also print statistics lines on stderr [0 = off]\n"
          "      --no-progress        no live status line on a terminal [on if a tty]\n"
          "      --state FILE         keep a resume journal in FILE [none]\n"
          "      --resume             continue the crawl recorded in --state FILE [off]\n"
          "  -q, --quiet              no logs and no summary on stderr, only errors [off]\n"
          "  -v, --verbose            log every fetch and decision on stderr [off]\n"
          "      --version            print the version and exit\n"
          "  -h, --help               print this help and exit\n"
          "\n"
          "Exit status: 0 crawl completed (pages may have failed; see records),\n"
          "1 the crawl could not run or its output could not be written, 2 usage,\n"
          "130/143 interrupted by SIGINT/SIGTERM.\n",
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

static int options_format_known(const char *f)
{
    static const char *const known[] = {"jsonl",   "edges",  "dot",   "graphml",
                                        "sitemap", "sqlite", "broken"};
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (!strcmp(f, known[i]))
            return 1;
    return 0;
}

/* A non-negative decimal number of seconds (or a rate), at most 86400. */
static int options_seconds(const char *s, double *out)
{
    char *end;
    errno = 0;
    if (!*s || strchr(" \t\n+-", *s))
        return -1;
    double d = strtod(s, &end);
    if (errno || end == s || *end || !(d >= 0 && d <= 86400))
        return -1;
    *out = d;
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
    o->robots = 1;
    o->max_crawl_delay_s = 30;
    o->retries = 2;
    o->stall_s = 30;
    o->max_url_len = 2048;
    o->format = "jsonl";
    o->progress = 1;
    o->include = xcalloc((size_t)argc + 1, sizeof *o->include);
    o->exclude = xcalloc((size_t)argc + 1, sizeof *o->exclude);

    opterr = 0;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, ":d:c:o:f:w:qvh", options_long, NULL)) != -1) {
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
        case 'f':
            if (!options_format_known(optarg))
                return options_fail(errbuf, errcap,
                                    "--format: '%s' is not one of jsonl, edges, dot, graphml, "
                                    "sitemap, sqlite, broken",
                                    optarg);
            o->format = optarg;
            continue;
        case 'w':
        case OPT_MAX_CRAWL_DELAY:
        case OPT_RATE:
        case OPT_STATS_INTERVAL: {
            double d;
            const char *n = c == 'w'                  ? "--wait"
                            : c == OPT_RATE           ? "--rate"
                            : c == OPT_STATS_INTERVAL ? "--stats-interval"
                                                      : "--max-crawl-delay";
            if (options_seconds(optarg, &d) < 0)
                return options_fail(errbuf, errcap, "%s: '%s' is not a number from 0 to 86400", n,
                                    optarg);
            if (c == 'w')
                o->wait_s = d;
            else if (c == OPT_RATE)
                o->rate = d;
            else if (c == OPT_STATS_INTERVAL)
                o->stats_interval_s = d;
            else
                o->max_crawl_delay_s = d;
            continue;
        }
        case OPT_NO_ROBOTS:
            o->robots = 0;
            continue;
        case OPT_RANDOM_WAIT:
            o->random_wait = 1;
            continue;
        case OPT_SUBDOMAINS:
            o->subdomains = 1;
            continue;
        case OPT_SITEMAPS:
            o->sitemaps = 1;
            continue;
        case OPT_RESUME:
            o->resume = 1;
            continue;
        case OPT_SORT:
            o->sort = 1;
            continue;
        case OPT_NO_PROGRESS:
            o->progress = 0;
            continue;
        case OPT_INCLUDE:
            o->include[o->ninclude++] = optarg;
            continue;
        case OPT_EXCLUDE:
            o->exclude[o->nexclude++] = optarg;
            continue;
        case OPT_STATE:
            o->state = optarg;
            continue;
        case OPT_WARC:
            o->warc = optarg;
            continue;
        case OPT_STATS_JSON:
            o->stats_json = optarg;
            continue;
        case OPT_LIMIT_RATE:
            name = "--limit-rate", lo = 1, hi = 1LL << 40, sized = 1;
            break;
        case OPT_RETRIES:
            name = "--retries", lo = 0, hi = 100;
            break;
        case OPT_STALL_TIMEOUT:
            name = "--stall-timeout", lo = 1, hi = 86400;
            break;
        case OPT_MAX_URL_LENGTH:
            name = "--max-url-length", lo = 16, hi = 8192;
            break;
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
        case OPT_LIMIT_RATE:
            o->limit_rate = v;
            break;
        case OPT_RETRIES:
            o->retries = (int)v;
            break;
        case OPT_STALL_TIMEOUT:
            o->stall_s = (int)v;
            break;
        case OPT_MAX_URL_LENGTH:
            o->max_url_len = (int)v;
            break;
        default:
            break;
        }
    }
    if (o->quiet && o->verbose)
        return options_fail(errbuf, errcap, "--quiet and --verbose contradict each other");
    if (o->state && (o->sort || !(!strcmp(o->format, "jsonl") || !strcmp(o->format, "edges") ||
                                  !strcmp(o->format, "sqlite"))))
        return options_fail(errbuf, errcap,
                            "--state needs output written as the crawl goes: -f jsonl, edges "
                            "or sqlite, without --sort");
    if (o->resume && !o->state)
        return options_fail(errbuf, errcap, "--resume needs --state FILE");
    if (!strcmp(o->format, "sqlite")) {
        size_t n = o->output ? strlen(o->output) : 0;
        if (!n || !strcmp(o->output, "-") || (n > 3 && !strcmp(o->output + n - 3, ".gz")))
            return options_fail(errbuf, errcap,
                                "--format sqlite needs -o FILE (a database, not stdout or .gz)");
    }
    if (o->quiet)
        o->progress = 0;
    if (optind >= argc)
        return options_fail(errbuf, errcap, "no URL or directory to crawl");
    o->starts = argv + optind;
    o->nstarts = argc - optind;
    return OPTIONS_RUN;
}

void options_free(struct options *o)
{
    free(o->include);
    free(o->exclude);
    o->include = o->exclude = NULL;
}
