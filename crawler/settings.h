/* settings: what one crawl is asked to do, as plain data (struct options).
 * Filled by cli/options.c from the command line; read by the crawler, the
 * fetcher set-up and the output. Owns nothing; no functions here, so the
 * crawler never depends on how the settings were given. */
#ifndef CRAWL_SETTINGS_H
#define CRAWL_SETTINGS_H

#include <stddef.h>

struct options {
    int depth;                /* -d, default 2 */
    int no_parse_leaves;      /* --no-parse-leaves: pages at depth are not parsed */
    int concurrency;          /* -c, transfers in flight in total */
    int per_host;             /* --per-host, connections per host at once */
    int workers;              /* --workers, default online CPUs */
    long max_pages;           /* --max-pages, 0 = unlimited */
    size_t max_size;          /* --max-size, body cap in bytes (decompressed) */
    int timeout_s;            /* --timeout, per request in total */
    int connect_timeout_s;    /* --connect-timeout */
    int parse_timeout_ms;     /* --parse-timeout (seconds on the command line) */
    int max_redirects;        /* --max-redirect, hops per chain */
    size_t max_links;         /* --max-links, links kept per page */
    size_t frontier_memory;   /* --frontier-memory: queue bytes kept in memory */
    const char *frontier_dir; /* --frontier-dir: spill directory, NULL = $TMPDIR */
    long max_queue;           /* --max-queue: URLs queued per host, 0 = no cap */
    const char *output;       /* -o, NULL = stdout */
    /* politeness and fetching (issue 4) */
    int robots;               /* 0 with --no-robots */
    double max_crawl_delay_s; /* --max-crawl-delay: cap on robots Crawl-delay */
    double wait_s;            /* -w/--wait: gap between request starts per host */
    int random_wait;          /* --random-wait: wait x 0.5..1.5 */
    double rate;              /* --rate: requests per second per host, 0 = off */
    long long limit_rate;     /* --limit-rate: bytes/s per transfer, 0 = off */
    int retries;              /* --retries */
    int stall_s;              /* --stall-timeout: abort below 1 byte/s for this long */
    int subdomains;           /* --subdomains */
    const char **include;     /* --include REGEX (repeatable) */
    int ninclude;
    const char **exclude; /* --exclude REGEX (repeatable) */
    int nexclude;
    int max_url_len; /* --max-url-length */
    int sitemaps;    /* --sitemaps */
    /* robustness (issue 5) */
    const char *state; /* --state FILE: resume journal */
    int resume;        /* --resume */
    /* output (issue 6) */
    const char *format;      /* -f/--format */
    int sort;                /* --sort */
    int all_edges;           /* --all-edges: one graph edge per link */
    const char *warc;        /* --warc FILE */
    int progress;            /* 0 with --no-progress or -q */
    const char *stats_json;  /* --stats-json FILE */
    double stats_interval_s; /* --stats-interval, 0 = off */
    const char *user_agent;
    /* requests (issue 12) */
    const char **headers; /* --header 'Name: value' (repeatable) */
    int nheaders;
    int cookies;                /* 0 with --no-cookies */
    const char *load_cookies;   /* --load-cookies FILE (Netscape format) */
    const char *save_cookies;   /* --save-cookies FILE */
    const char *user;           /* --user: for the start hosts only */
    const char *password;       /* --password */
    int netrc;                  /* --netrc: ~/.netrc for the start hosts */
    const char *proxy;          /* --proxy URL (else the environment) */
    int insecure;               /* --no-check-certificate */
    const char *ca_certificate; /* --ca-certificate FILE */
    int http11;                 /* --http1.1: no HTTP/2 */
    int quiet;
    int verbose;
    const char *input_file;      /* -i: start URLs or paths, one per line ("-": stdin) */
    int no_parent;               /* --no-parent */
    int page_requisites;         /* -p: also fetch images, scripts, media */
    int check_external;          /* --check-external: fetch each off-site link once */
    int fail_on_broken;          /* --fail-on-broken: exit 8 when a link is broken */
    const char *base_url;        /* --base-url URL: the site a start directory holds */
    const char *domains;         /* --domains LIST */
    const char *exclude_domains; /* --exclude-domains LIST */
    /* a cluster crawl (issue 11) */
    const char *redis; /* --redis URL: one node of a shared crawl */
    const char *job;   /* --job NAME */
    int status;        /* --status: print the job's progress and exit */
    int lease_ms;      /* --lease SECONDS: host leases, node liveness */
    char **starts;     /* start arguments as given (argv pointers) */
    int nstarts;
};

#endif
