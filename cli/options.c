/* options: the command line, from one table. Each row names an option,
 * its argument, its help text and default, the field it fills and how its
 * value is checked; getopt_long's table, the short-option string and the
 * --help text are all made from it, so they cannot disagree. Checks that
 * involve several options follow the table. Owns nothing but the
 * include/exclude arrays. Never starts any work. */
#include "options.h"

#include "xalloc.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum options_kind {
    OPTIONS_INT,     /* int in [lo, hi] */
    OPTIONS_LONG,    /* long in [lo, hi] */
    OPTIONS_SIZE,    /* size_t in [lo, hi], k/M/G suffixes */
    OPTIONS_LLSIZE,  /* long long in [lo, hi], k/M/G suffixes */
    OPTIONS_MS,      /* seconds in [lo, hi] stored as int milliseconds */
    OPTIONS_SECONDS, /* double seconds (or a rate) from 0 to 86400 */
    OPTIONS_ON,      /* int flag set to 1 */
    OPTIONS_OFF,     /* int flag set to 0 */
    OPTIONS_STRING,  /* const char *, as given */
    OPTIONS_LINE,    /* const char *, one non-empty line */
    OPTIONS_FORMAT,  /* const char *, a known -f value */
    OPTIONS_LIST,    /* appended to a const char ** array (counted) */
    OPTIONS_HELP,    /* --help */
    OPTIONS_VERSION  /* --version */
};

struct options_spec {
    const char *section; /* a heading printed before this row, or NULL */
    const char *name;    /* long name */
    int shortname;       /* 0: none */
    const char *arg;     /* the argument's name in --help, NULL: no argument */
    enum options_kind kind;
    size_t off;       /* offsetof(struct options, field) */
    size_t count_off; /* OPTIONS_LIST: offsetof the count */
    long long lo, hi;
    const char *help; /* lines after the first are indented */
    const char *dflt; /* printed as [dflt], NULL: nothing */
};

#define OFF(f) offsetof(struct options, f)

static const struct options_spec options_table[] = {
    {NULL, "depth", 'd', "N", OPTIONS_INT, OFF(depth), 0, 0, 1000,
     "link hops from the start URLs (0 = only them)", "2"},
    {NULL, "no-parse-leaves", 0, NULL, OPTIONS_ON, OFF(no_parse_leaves), 0, 0, 0,
     "fetch the pages at the depth limit but do not parse\nthem (wget -r's work): the same page "
     "set for less\nCPU, but their records have no title and no links",
     "off"},
    {NULL, "concurrency", 'c', "N", OPTIONS_INT, OFF(concurrency), 0, 1, 10000,
     "transfers in flight in total, lowered to fit the\nfile descriptor limit (ulimit -n)", "16"},
    {NULL, "per-host", 0, "N", OPTIONS_INT, OFF(per_host), 0, 1, 1000,
     "connections to one host at once", "4"},
    {NULL, "workers", 0, "N", OPTIONS_INT, OFF(workers), 0, 1, 256, "HTML parser processes",
     "online CPUs"},
    {NULL, "max-pages", 0, "N", OPTIONS_LONG, OFF(max_pages), 0, 0, LONG_MAX,
     "fetch at most N pages, 0 = no limit", "0"},
    {NULL, "max-size", 0, "BYTES", OPTIONS_SIZE, OFF(max_size), 0, 1, 1LL << 31,
     "largest body kept, decompressed; k/M/G suffixes", "10M"},
    {NULL, "timeout", 0, "SECONDS", OPTIONS_INT, OFF(timeout_s), 0, 1, 86400,
     "whole-request time limit", "30"},
    {NULL, "connect-timeout", 0, "SECONDS", OPTIONS_INT, OFF(connect_timeout_s), 0, 1, 3600,
     "connection set-up limit", "10"},
    {NULL, "parse-timeout", 0, "SECONDS", OPTIONS_MS, OFF(parse_timeout_ms), 0, 1, 3600,
     "per-page parse deadline in a worker", "10"},
    {NULL, "max-redirect", 0, "N", OPTIONS_INT, OFF(max_redirects), 0, 0, 100,
     "redirect hops followed per URL", "10"},
    {NULL, "max-links", 0, "N", OPTIONS_SIZE, OFF(max_links), 0, 1, 1000000, "links kept per page",
     "10000"},
    {NULL, "max-url-length", 0, "N", OPTIONS_INT, OFF(max_url_len), 0, 16, 8192,
     "longer URLs are not followed", "2048"},
    {NULL, "subdomains", 0, NULL, OPTIONS_ON, OFF(subdomains), 0, 0, 0,
     "also follow subdomains of the start hosts", "off"},
    {NULL, "include", 0, "REGEX", OPTIONS_LIST, OFF(include), OFF(ninclude), 0, 0,
     "follow only URLs matching REGEX (POSIX ERE on the\ncanonical URL; repeatable)", "all"},
    {NULL, "exclude", 0, "REGEX", OPTIONS_LIST, OFF(exclude), OFF(nexclude), 0, 0,
     "do not follow URLs matching REGEX (repeatable)", "none"},
    {NULL, "input-file", 'i', "FILE", OPTIONS_STRING, OFF(input_file), 0, 0, 0,
     "also start from the URLs or paths in FILE, one per line\n('#' comments; '-' is stdin)",
     "none"},
    {NULL, "page-requisites", 'p', NULL, OPTIONS_ON, OFF(page_requisites), 0, 0, 0,
     "also fetch (not parse) what pages embed: img, srcset,\nscript, source, video, audio, track, "
     "embed, object",
     "off"},
    {NULL, "check-external", 0, NULL, OPTIONS_ON, OFF(check_external), 0, 0, 0,
     "also check each off-site http(s) link once (HEAD, GET\nif refused), never followed further",
     "off"},
    {NULL, "fail-on-broken", 0, NULL, OPTIONS_ON, OFF(fail_on_broken), 0, 0, 0,
     "exit 8 when a page or checked link is broken (4xx,\n5xx or a transport error), as wget does",
     "off"},
    {NULL, "no-parent", 0, NULL, OPTIONS_ON, OFF(no_parent), 0, 0, 0,
     "follow only URLs under the directory of a start URL", "off"},
    {NULL, "base-url", 0, "URL", OPTIONS_STRING, OFF(base_url), 0, 0, 0,
     "the site's URL for a start directory (a saved site):\nits pages are recorded under URL, and "
     "links to\nURL (root-relative ones too) read from the directory",
     "none"},
    {NULL, "domains", 0, "LIST", OPTIONS_STRING, OFF(domains), 0, 0, 0,
     "also follow these hosts and their subdomains\n(comma-separated)", "none"},
    {NULL, "exclude-domains", 0, "LIST", OPTIONS_STRING, OFF(exclude_domains), 0, 0, 0,
     "never follow these hosts nor their subdomains", "none"},
    {NULL, "sitemaps", 0, NULL, OPTIONS_ON, OFF(sitemaps), 0, 0, 0,
     "also seed from robots.txt Sitemap: lines and\n/sitemap.xml", "off"},
    {"Frontier (memory and disk):", "max-queue", 0, "N", OPTIONS_LONG, OFF(max_queue), 0, 0,
     LONG_MAX, "URLs queued per host at most; more get a queue_full\nrecord; 0 = no cap",
     "1000000"},
    {NULL, "frontier-memory", 0, "BYTES", OPTIONS_SIZE, OFF(frontier_memory), 0, 65536, 1LL << 40,
     "queued URLs kept in memory; the rest wait in a\nspill file; k/M/G suffixes", "32M"},
    {NULL, "frontier-dir", 0, "DIR", OPTIONS_STRING, OFF(frontier_dir), 0, 0, 0,
     "where the spill file goes (deleted at once, gone\nwith the process)", "$TMPDIR or /tmp"},
    {"Requests:", "header", 0, "'NAME: VALUE'", OPTIONS_LIST, OFF(headers), OFF(nheaders), 0, 0,
     "send this header with every request (repeatable;\nreplaces a header crawl would send)",
     "none"},
    {NULL, "no-cookies", 0, NULL, OPTIONS_OFF, OFF(cookies), 0, 0, 0,
     "keep no cookies (by default the cookies servers set\nare kept for the crawl and sent back)",
     "keep"},
    {NULL, "load-cookies", 0, "FILE", OPTIONS_STRING, OFF(load_cookies), 0, 0, 0,
     "start with the cookies of FILE (Netscape format, as\nwget and curl write it)", "none"},
    {NULL, "save-cookies", 0, "FILE", OPTIONS_STRING, OFF(save_cookies), 0, 0, 0,
     "write the cookies to FILE at the end (Netscape\nformat)", "none"},
    {NULL, "user", 0, "USER", OPTIONS_STRING, OFF(user), 0, 0, 0,
     "HTTP Basic user name, sent to the start hosts only,\nnever to another host", "none"},
    {NULL, "password", 0, "PASS", OPTIONS_STRING, OFF(password), 0, 0, 0, "password for --user",
     "none"},
    {NULL, "netrc", 0, NULL, OPTIONS_ON, OFF(netrc), 0, 0, 0,
     "credentials from ~/.netrc, for the start hosts only", "off"},
    {NULL, "proxy", 0, "URL", OPTIONS_STRING, OFF(proxy), 0, 0, 0,
     "use this proxy (otherwise http_proxy, https_proxy,\nall_proxy and no_proxy are obeyed)",
     "environment"},
    {NULL, "no-check-certificate", 0, NULL, OPTIONS_ON, OFF(insecure), 0, 0, 0,
     "accept any TLS certificate and host name", "check"},
    {NULL, "ca-certificate", 0, "FILE", OPTIONS_STRING, OFF(ca_certificate), 0, 0, 0,
     "trust the CA certificates in FILE (PEM)", "the system's"},
    {NULL, "http1.1", 0, NULL, OPTIONS_ON, OFF(http11), 0, 0, 0,
     "never HTTP/2 (by default HTTP/2 where a TLS server\noffers it; --warc always records "
     "HTTP/1.1)",
     "off"},
    {"Politeness (per host):", "user-agent", 0, "STRING", OPTIONS_LINE, OFF(user_agent), 0, 0, 0,
     "User-Agent header, and the robots.txt product token", OPTIONS_DEFAULT_UA},
    {NULL, "no-robots", 0, NULL, OPTIONS_OFF, OFF(robots), 0, 0, 0,
     "neither fetch nor obey robots.txt", "obey"},
    {NULL, "max-crawl-delay", 0, "SECONDS", OPTIONS_SECONDS, OFF(max_crawl_delay_s), 0, 0, 0,
     "cap on a robots.txt Crawl-delay and on a\nRetry-After", "30"},
    {NULL, "wait", 'w', "SECONDS", OPTIONS_SECONDS, OFF(wait_s), 0, 0, 0,
     "gap between request starts to one host", "0"},
    {NULL, "random-wait", 0, NULL, OPTIONS_ON, OFF(random_wait), 0, 0, 0,
     "vary each gap 0.5x..1.5x", "off"},
    {NULL, "rate", 0, "N", OPTIONS_SECONDS, OFF(rate), 0, 0, 0,
     "requests per second to one host, token bucket with\nbursts up to --per-host; 0 = no limit",
     "0"},
    {NULL, "limit-rate", 0, "BYTES", OPTIONS_LLSIZE, OFF(limit_rate), 0, 1, 1LL << 40,
     "download speed cap per transfer, k/M suffixes", "none"},
    {NULL, "retries", 0, "N", OPTIONS_INT, OFF(retries), 0, 0, 100,
     "retries after timeouts, connection failures, 429,\n502, 503, 504, with backoff and "
     "Retry-After",
     "2"},
    {NULL, "stall-timeout", 0, "SECONDS", OPTIONS_INT, OFF(stall_s), 0, 1, 86400,
     "abort a transfer slower than 1 byte/s for this\nlong", "30"},
    {"Output:", "output", 'o', "FILE", OPTIONS_STRING, OFF(output), 0, 0, 0,
     "write records to FILE instead of stdout; a name\nending in .gz is gzip-compressed", "stdout"},
    {NULL, "format", 'f', "FORMAT", OPTIONS_FORMAT, OFF(format), 0, 0, 0,
     "jsonl, edges, dot, graphml, sitemap, sqlite, broken,\npages", "jsonl"},
    {NULL, "sort", 0, NULL, OPTIONS_ON, OFF(sort), 0, 0, 0,
     "order records by depth, then discovery, so output\nis byte-identical whatever the "
     "concurrency",
     "off"},
    {NULL, "all-edges", 0, NULL, OPTIONS_ON, OFF(all_edges), 0, 0, 0,
     "edges, dot, graphml: one edge per link, instead of\none per (page, target) with a count",
     "off"},
    {NULL, "warc", 0, "FILE", OPTIONS_STRING, OFF(warc), 0, 0, 0,
     "also write a WARC/1.1 archive to FILE (.gz:\ncompressed per record)", "none"},
    {NULL, "stats-json", 0, "FILE", OPTIONS_STRING, OFF(stats_json), 0, 0, 0,
     "write crawl statistics as JSON at the end", "none"},
    {NULL, "stats-interval", 0, "SECONDS", OPTIONS_SECONDS, OFF(stats_interval_s), 0, 0, 0,
     "also print statistics lines on stderr", "0 = off"},
    {NULL, "no-progress", 0, NULL, OPTIONS_OFF, OFF(progress), 0, 0, 0,
     "no live status line on a terminal", "on if a tty"},
    {NULL, "state", 0, "FILE", OPTIONS_STRING, OFF(state), 0, 0, 0, "keep a resume journal in FILE",
     "none"},
    {NULL, "resume", 0, NULL, OPTIONS_ON, OFF(resume), 0, 0, 0,
     "continue the crawl recorded in --state FILE, appending\nto -o FILE", "off"},
    {"Cluster (several crawl processes or machines, one crawl):", "redis", 0, "URL", OPTIONS_STRING,
     OFF(redis), 0, 0, 0,
     "share the frontier in Redis at redis://IP[:PORT][/DB]\n(or unix:///path): this process is "
     "one node of\nthe crawl named by --job; start every node with the\nsame options and URLs",
     "none"},
    {NULL, "job", 0, "NAME", OPTIONS_STRING, OFF(job), 0, 0, 0,
     "the cluster crawl's name (created by its first node)", "none"},
    {NULL, "status", 0, NULL, OPTIONS_ON, OFF(status), 0, 0, 0,
     "with --redis and --job: print the job's progress\n(queued, in flight, done, per node) and "
     "exit",
     "off"},
    {NULL, "lease", 0, "SECONDS", OPTIONS_MS, OFF(lease_ms), 0, 1, 3600,
     "a node fetches a host only while it holds its lease;\na node silent this long is taken "
     "for dead and its\nhosts and URLs go to the others",
     "10"},
    {"Messages:", "quiet", 'q', NULL, OPTIONS_ON, OFF(quiet), 0, 0, 0,
     "no logs and no summary on stderr, only errors", "off"},
    {NULL, "verbose", 'v', NULL, OPTIONS_ON, OFF(verbose), 0, 0, 0,
     "log every fetch and decision on stderr", "off"},
    {NULL, "version", 0, NULL, OPTIONS_VERSION, 0, 0, 0, 0, "print the version and exit", NULL},
    {NULL, "help", 'h', NULL, OPTIONS_HELP, 0, 0, 0, 0, "print this help and exit", NULL},
};

#define OPTIONS_N        (sizeof options_table / sizeof options_table[0])
#define OPTIONS_HELP_COL 27

/* The left column of a row: "  -d, --depth N" or "      --per-host N". */
static int options_left(const struct options_spec *sp, char *buf, size_t cap)
{
    char sh[8] = "    ";
    if (sp->shortname)
        snprintf(sh, sizeof sh, "-%c, ", sp->shortname);
    return snprintf(buf, cap, "  %s--%s%s%s", sh, sp->name, sp->arg ? " " : "",
                    sp->arg ? sp->arg : "");
}

void options_usage(FILE *f)
{
    fputs("Usage: crawl [OPTIONS] URL|DIR...\n"
          "Crawl the links of one site breadth-first and write one JSON object per URL\n"
          "to stdout (logs and a summary go to stderr). URL is http://, https:// or\n"
          "file://; DIR is a directory crawled offline from DIR/index.html.\n\n",
          f);
    for (size_t i = 0; i < OPTIONS_N; i++) {
        const struct options_spec *sp = &options_table[i];
        char left[64];
        int n = options_left(sp, left, sizeof left);
        if (sp->section)
            fprintf(f, "\n%s\n", sp->section);
        fputs(left, f);
        if (n + 2 > OPTIONS_HELP_COL) /* a long left column: help on the same line */
            fputs("  ", f);
        else
            fprintf(f, "%*s", OPTIONS_HELP_COL - n, "");
        for (const char *p = sp->help; *p; p++) {
            fputc(*p, f);
            if (*p == '\n')
                fprintf(f, "%*s", OPTIONS_HELP_COL, "");
        }
        if (sp->dflt)
            fprintf(f, " [%s]", sp->dflt);
        fputc('\n', f);
    }
    fputs("\nExit status: 0 crawl completed (pages may have failed; see records),\n"
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
    static const char *const known[] = {"jsonl",   "edges",  "dot",    "graphml",
                                        "sitemap", "sqlite", "broken", "pages"};
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

/* Store optarg into the field sp describes. */
static int options_set(const struct options_spec *sp, const char *arg, struct options *o,
                       char *errbuf, size_t errcap)
{
    char *base = (char *)o;
    long long v = 0;
    double d;
    int sized = sp->kind == OPTIONS_SIZE || sp->kind == OPTIONS_LLSIZE;
    switch (sp->kind) {
    case OPTIONS_ON:
    case OPTIONS_OFF:
        *(int *)(void *)(base + sp->off) = sp->kind == OPTIONS_ON;
        return 0;
    case OPTIONS_STRING:
        if (!*arg)
            return options_fail(errbuf, errcap, "--%s needs a non-empty value", sp->name);
        *(const char **)(void *)(base + sp->off) = arg;
        return 0;
    case OPTIONS_LINE:
        if (!*arg || strpbrk(arg, "\r\n"))
            return options_fail(errbuf, errcap, "--%s must be one non-empty line", sp->name);
        *(const char **)(void *)(base + sp->off) = arg;
        return 0;
    case OPTIONS_FORMAT:
        if (!options_format_known(arg))
            return options_fail(errbuf, errcap,
                                "--format: '%s' is not one of jsonl, edges, dot, graphml, "
                                "sitemap, sqlite, broken, pages",
                                arg);
        *(const char **)(void *)(base + sp->off) = arg;
        return 0;
    case OPTIONS_LIST: {
        const char **list = *(const char ***)(void *)(base + sp->off);
        int *n = (int *)(void *)(base + sp->count_off);
        list[(*n)++] = arg;
        return 0;
    }
    case OPTIONS_SECONDS:
        if (options_seconds(arg, &d) < 0)
            return options_fail(errbuf, errcap, "--%s: '%s' is not a number from 0 to 86400",
                                sp->name, arg);
        *(double *)(void *)(base + sp->off) = d;
        return 0;
    default:
        break;
    }
    if (options_number(arg, sp->lo, sp->hi, sized, &v) < 0)
        return options_fail(errbuf, errcap, "--%s: '%s' is not a number from %lld to %lld",
                            sp->name, arg, sp->lo, sp->hi);
    switch (sp->kind) {
    case OPTIONS_INT:
        *(int *)(void *)(base + sp->off) = (int)v;
        break;
    case OPTIONS_MS:
        *(int *)(void *)(base + sp->off) = (int)v * 1000;
        break;
    case OPTIONS_LONG:
        *(long *)(void *)(base + sp->off) = (long)v;
        break;
    case OPTIONS_SIZE:
        *(size_t *)(void *)(base + sp->off) = (size_t)v;
        break;
    default:
        *(long long *)(void *)(base + sp->off) = v;
        break;
    }
    return 0;
}

static void options_defaults(struct options *o, int argc)
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
    o->lease_ms = 10000;
    o->max_redirects = 10;
    o->max_links = 10000;
    o->frontier_memory = 32u * 1024 * 1024;
    o->max_queue = 1000000;
    o->user_agent = OPTIONS_DEFAULT_UA;
    o->robots = 1;
    o->max_crawl_delay_s = 30;
    o->retries = 2;
    o->stall_s = 30;
    o->max_url_len = 2048;
    o->format = "jsonl";
    o->progress = 1;
    o->cookies = 1;
    o->headers = xcalloc((size_t)argc + 1, sizeof *o->headers);
    o->include = xcalloc((size_t)argc + 1, sizeof *o->include);
    o->exclude = xcalloc((size_t)argc + 1, sizeof *o->exclude);
}

int options_parse(int argc, char **argv, struct options *o, char *errbuf, size_t errcap)
{
    struct option longopts[OPTIONS_N + 1];
    char shorts[2 * OPTIONS_N + 2];
    size_t ns = 0;
    options_defaults(o, argc);
    shorts[ns++] = ':';
    for (size_t i = 0; i < OPTIONS_N; i++) {
        const struct options_spec *sp = &options_table[i];
        longopts[i].name = sp->name;
        longopts[i].has_arg = sp->arg ? required_argument : no_argument;
        longopts[i].flag = NULL;
        longopts[i].val = sp->shortname ? sp->shortname : 256 + (int)i;
        if (sp->shortname) {
            shorts[ns++] = (char)sp->shortname;
            if (sp->arg)
                shorts[ns++] = ':';
        }
    }
    memset(&longopts[OPTIONS_N], 0, sizeof longopts[OPTIONS_N]);
    shorts[ns] = '\0';

    opterr = 0;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, shorts, longopts, NULL)) != -1) {
        const struct options_spec *sp = NULL;
        if (c >= 256 && c < 256 + (int)OPTIONS_N)
            sp = &options_table[c - 256];
        for (size_t i = 0; !sp && c > 0 && c < 256 && c != ':' && c != '?' && i < OPTIONS_N; i++)
            if (options_table[i].shortname == c)
                sp = &options_table[i];
        if (!sp) {
            if (c == ':') {
                if (optopt && optopt < 256)
                    return options_fail(errbuf, errcap, "option -%c needs a value", optopt);
                return options_fail(errbuf, errcap, "option %s needs a value", argv[optind - 1]);
            }
            if (optopt && optopt < 256)
                return options_fail(errbuf, errcap, "unknown option -%c", optopt);
            return options_fail(errbuf, errcap, "unknown option %s", argv[optind - 1]);
        }
        if (sp->kind == OPTIONS_HELP) {
            options_usage(stdout);
            return OPTIONS_EXIT;
        }
        if (sp->kind == OPTIONS_VERSION) {
            printf("crawl %s\n", CRAWL_VERSION);
            return OPTIONS_EXIT;
        }
        if (options_set(sp, optarg, o, errbuf, errcap) != 0)
            return OPTIONS_USAGE;
    }
    if (o->quiet && o->verbose)
        return options_fail(errbuf, errcap, "--quiet and --verbose contradict each other");
    if (o->state && (o->sort || !(!strcmp(o->format, "jsonl") || !strcmp(o->format, "edges") ||
                                  !strcmp(o->format, "pages") || !strcmp(o->format, "sqlite"))))
        return options_fail(errbuf, errcap,
                            "--state needs output written as the crawl goes: -f jsonl, edges, "
                            "pages or sqlite, without --sort");
    if (o->no_parse_leaves && o->check_external)
        return options_fail(errbuf, errcap,
                            "--no-parse-leaves and --check-external cannot be combined: the "
                            "off-site links of the last level would go unchecked");
    if (o->all_edges && strcmp(o->format, "edges") && strcmp(o->format, "dot") &&
        strcmp(o->format, "graphml"))
        return options_fail(errbuf, errcap, "--all-edges applies to -f edges, dot and graphml");
    if (o->resume && !o->state)
        return options_fail(errbuf, errcap, "--resume needs --state FILE");
    if (!strcmp(o->format, "sqlite")) {
        size_t n = o->output ? strlen(o->output) : 0;
        if (!n || !strcmp(o->output, "-") || (n > 3 && !strcmp(o->output + n - 3, ".gz")))
            return options_fail(errbuf, errcap,
                                "--format sqlite needs -o FILE (a database, not stdout or .gz)");
    }
    for (int i = 0; i < o->nheaders; i++) {
        const char *h = o->headers[i], *colon = strchr(h, ':');
        if (!colon || colon == h || strpbrk(h, "\r\n") || strcspn(h, " \t") < (size_t)(colon - h))
            return options_fail(errbuf, errcap, "--header '%s' is not one 'Name: value' line", h);
    }
    if (o->password && !o->user)
        return options_fail(errbuf, errcap, "--password needs --user");
    if (o->user && strchr(o->user, ':'))
        return options_fail(errbuf, errcap,
                            "--user: a user name cannot hold ':' (give the "
                            "password with --password)");
    if (!o->cookies && (o->load_cookies || o->save_cookies))
        return options_fail(errbuf, errcap,
                            "--no-cookies contradicts --load-cookies and "
                            "--save-cookies");
    if (o->load_cookies && access(o->load_cookies, R_OK) < 0)
        return options_fail(errbuf, errcap, "--load-cookies: cannot read '%s'", o->load_cookies);
    if (o->ca_certificate && access(o->ca_certificate, R_OK) < 0)
        return options_fail(errbuf, errcap, "--ca-certificate: cannot read '%s'",
                            o->ca_certificate);
    if (o->frontier_dir && access(o->frontier_dir, W_OK | X_OK) < 0)
        return options_fail(errbuf, errcap, "--frontier-dir: '%s' is not a writable directory",
                            o->frontier_dir);
    if (!o->redis != !o->job)
        return options_fail(errbuf, errcap, "--redis and --job go together");
    if (o->status && !o->redis)
        return options_fail(errbuf, errcap, "--status needs --redis URL and --job NAME");
    if (o->redis && o->state)
        return options_fail(errbuf, errcap,
                            "--redis with --state: a cluster crawl keeps its state in Redis "
                            "(a node that stops is redone by the others); drop --state");
    if (o->redis && o->sitemaps && !o->robots)
        return options_fail(errbuf, errcap,
                            "--redis: --sitemaps reads a host's sitemaps with its robots.txt; "
                            "it cannot be combined with --no-robots in a cluster");
    if (o->quiet)
        o->progress = 0;
    if (o->status)
        return OPTIONS_RUN;
    if (optind >= argc && !o->input_file)
        return options_fail(errbuf, errcap, "no URL or directory to crawl");
    o->starts = argv + optind;
    o->nstarts = argc - optind;
    return OPTIONS_RUN;
}

void options_free(struct options *o)
{
    free(o->include);
    free(o->exclude);
    free(o->headers);
    o->include = o->exclude = o->headers = NULL;
}
