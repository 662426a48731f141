/* main: the crawl command. Parses options, validates the start arguments,
 * forks the parse workers (before curl_global_init and before any output
 * file is open, so children inherit neither), runs the crawl and prints
 * the one-line summary. Exit: 0 completed, 1 could not run or output lost,
 * 2 usage. */
#include "buf.h"
#include "clock.h"
#include "crawl.h"
#include "journal.h"
#include "linkflags.h"
#include "log.h"
#include "status.h"
#include "options.h"
#include "rconn.h"
#include "output.h"
#include "pool.h"
#include "report.h"
#include "shm.h"
#include "scope.h"
#include "sig.h"
#include "warc.h"
#include "xalloc.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/resource.h>
#include <unistd.h>

/* Workers' address-space cap. AddressSanitizer reserves terabytes of
 * virtual memory for its shadow, so a sanitizer build runs without it. */
#if defined(__SANITIZE_ADDRESS__)
#define MAIN_WORKER_MEM_LIMIT 0
#else
#define MAIN_WORKER_MEM_LIMIT (1024u * 1024 * 1024)
#endif
/* The shared body region: 64 MB of address space, holding the bodies in
 * flight and waiting for a worker: at most --concurrency transfers, the
 * parse backlog and two jobs per worker, each one page (over 600 pages of
 * 100 KB fit); a body that finds no room stays in private memory. */
#define MAIN_SHM_BYTES (64u * 1024 * 1024)

/* Descriptors kept for what is opened after main_fit_fds counts the open
 * ones: curl's wakeup socketpair, the --state journal, the --stats-json
 * file, a respawned worker's socketpair, and files opened in passing (the
 * TLS CA bundle, the resolver's configuration, output parts). */
#define MAIN_FD_RESERVE 16
/* One transfer's worst case: its socket and a second one while happy
 * eyeballs tries two addresses, or while its host name resolves, the
 * threaded resolver's socketpair and the resolver's own DNS socket. */
#define MAIN_FDS_PER_TRANSFER 3

/* The soft RLIMIT_NOFILE up to the hard one: a crawl is made of sockets. */
static void main_raise_nofile(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur >= rl.rlim_max)
        return;
    rl.rlim_cur = rl.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
        log_debug("setrlimit(RLIMIT_NOFILE): %s", strerror(errno));
}

/* Lower -c to what the descriptor limit allows, besides the descriptors
 * open now and the reserve, and say so once. Out of descriptors, socket()
 * fails and the transfer would look like a failing host. Returns 0, or -1
 * when not even one transfer fits. */
static int main_fit_fds(struct options *opt)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur == RLIM_INFINITY)
        return 0;
    rlim_t lim = rl.rlim_cur;
    rlim_t want = (rlim_t)opt->concurrency * MAIN_FDS_PER_TRANSFER + MAIN_FD_RESERVE;
    if (lim > want + 1024)
        return 0; /* room to spare whatever is open: skip the count */
    rlim_t nopen = 0;
    for (rlim_t fd = 0; fd < lim; fd++)
        if (fcntl((int)fd, F_GETFD) >= 0)
            nopen++;
    rlim_t room = lim > nopen + MAIN_FD_RESERVE ? lim - nopen - MAIN_FD_RESERVE : 0;
    rlim_t fit = room / MAIN_FDS_PER_TRANSFER;
    if (fit >= (rlim_t)opt->concurrency)
        return 0;
    if (fit < 1) {
        log_error("only %llu file descriptors (ulimit -n), %llu of them open: too few for "
                  "one transfer",
                  (unsigned long long)lim, (unsigned long long)nopen);
        return -1;
    }
    log_warn("-c %d lowered to %d: only %llu file descriptors (ulimit -n)", opt->concurrency,
             (int)fit, (unsigned long long)lim);
    opt->concurrency = (int)fit;
    return 0;
}

static int main_usage_error(const char *reason)
{
    /* One line that says what is wrong, not the whole help after it. */
    fprintf(stderr,
            "crawl: %s\nUsage: crawl [OPTIONS] URL|DIR...\nTry 'crawl --help' for the options.\n",
            reason);
    return 2;
}

#define MAIN_SEED_LINE_MAX 65536

static int main_to_stdout(const struct options *opt)
{
    return !opt->output || !strcmp(opt->output, "-");
}

/* An output written at the end (--stats-json, --save-cookies) is checked
 * before the crawl: its directory must be writable, the path no directory. */
static int main_check_late_output(const char *opt, const char *path, char *err, size_t errcap)
{
    struct stat st;
    if (!path)
        return 0;
    const char *slash = strrchr(path, '/');
    char *dir = slash ? xmemdup0(path, slash == path ? 1 : (size_t)(slash - path)) : xstrdup(".");
    int ok = access(dir, W_OK | X_OK) == 0 && !(stat(path, &st) == 0 && S_ISDIR(st.st_mode));
    if (!ok)
        snprintf(err, errcap, "%s %s: cannot be written (%s)", opt, path,
                 access(dir, W_OK | X_OK) ? strerror(errno) : "a directory");
    free(dir);
    return ok ? 0 : -1;
}

/* "example.org" or "localhost:8080/x": no scheme, no such path, and the
 * look of a host name: taken as http://, as wget and curl do. */
/* A start directory without index.html is crawled through its listing
 * (fetch/dirlist.c): say so, since a saved site usually has one. */
static void main_warn_no_index(const char *arg)
{
    struct stat st;
    if (stat(arg, &st) < 0 || !S_ISDIR(st.st_mode))
        return;
    size_t n = strlen(arg);
    char *index = xmalloc(n + sizeof "/index.html");
    memcpy(index, arg, n);
    memcpy(index + n, "/index.html", sizeof "/index.html");
    if (access(index, F_OK) < 0)
        log_warn("%s has no index.html: crawling a listing of its files instead, as a web "
                 "server's index page would show them",
                 arg);
    free(index);
}

static char *main_bare_host(const char *arg)
{
    size_t hl = strcspn(arg, ":/");
    if (!hl || (strchr(arg, ':') && strchr(arg, ':') < arg + hl))
        return NULL;
    if (access(arg, F_OK) == 0 ||
        strspn(arg, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-") < hl)
        return NULL;
    if (!memchr(arg, '.', hl) && !(hl == 9 && !strncasecmp(arg, "localhost", 9)))
        return NULL;
    size_t n = strlen(arg);
    char *u = xmalloc(n + sizeof "http://" + 1);
    memcpy(u, "http://", 7);
    memcpy(u + 7, arg, n + 1);
    if (!arg[hl])
        memcpy(u + 7 + n, "/", 2);
    return u;
}

/* -i FILE: the start arguments of FILE ("-": stdin), one per line, blank
 * lines and '#' comments skipped, appended to *list (each malloc'd).
 * -1 with a reason (naming the line) in err. */
static int main_read_seeds(const char *path, char ***list, long **lines, size_t *n, char *err,
                           size_t errcap)
{
    FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    long lineno = 0;
    int rc = 0;
    if (!f) {
        snprintf(err, errcap, "--input-file %s: %s", path, strerror(errno));
        return -1;
    }
    while ((len = getline(&line, &cap, f)) >= 0) {
        lineno++;
        char *p = line;
        while (len && strchr(" \t\r\n", p[len - 1]))
            p[--len] = '\0';
        while (*p == ' ' || *p == '\t')
            p++;
        if (!*p || *p == '#')
            continue;
        if (strlen(p) > MAIN_SEED_LINE_MAX) {
            snprintf(err, errcap, "--input-file %s:%ld: line too long", path, lineno);
            rc = -1;
            break;
        }
        *list = xrealloc(*list, (*n + 1) * sizeof **list);
        *lines = xrealloc(*lines, (*n + 1) * sizeof **lines);
        (*lines)[*n] = lineno;
        (*list)[(*n)++] = xstrdup(p);
    }
    if (rc == 0 && ferror(f)) {
        snprintf(err, errcap, "--input-file %s: %s", path, strerror(errno));
        rc = -1;
    }
    free(line);
    if (f != stdin)
        fclose(f);
    return rc;
}

/* --state, before the output is opened (and, without --resume, truncated):
 * refuse an existing state file without --resume; with it, cut the state
 * file back to its last commit the output still reaches and continue the
 * output from that commit's position. */
static int main_prepare_state(const struct options *opt, struct output_config *oc, char *err,
                              size_t errcap)
{
    int64_t reach = -1;
    if (!opt->state)
        return 0;
    if (opt->resume && output_reach(oc, &reach, err, errcap) < 0)
        return -1;
    return journal_prepare(opt->state, opt->resume, reach, &oc->committed, err, errcap);
}

int main(int argc, char **argv)
{
    struct options opt;
    char err[512] = "";
    int rc = options_parse(argc, argv, &opt, err, sizeof err);
    if (rc != OPTIONS_RUN) {
        options_free(&opt);
        return rc == OPTIONS_EXIT ? 0 : main_usage_error(err);
    }

    log_init(opt.quiet ? LOG_LEVEL_ERROR : opt.verbose ? LOG_LEVEL_INFO : LOG_LEVEL_WARN, "crawl");
    if (getenv("CRAWL_DEBUG"))
        log_init(LOG_LEVEL_DEBUG, NULL);
    struct rconn_addr raddr;
    if (opt.redis && rconn_parse_url(opt.redis, &raddr, err, sizeof err) < 0) {
        options_free(&opt);
        return main_usage_error(err);
    }
    if (opt.status) {
        int st = status_print(opt.redis, opt.job, err, sizeof err);
        if (st < 0)
            log_error("%s", err);
        options_free(&opt);
        return st < 0 ? 1 : 0;
    }
    main_raise_nofile();

    struct scope scope;
    scope_init(&scope);
    /* The start arguments: the command line's, then -i FILE's. */
    char **args = NULL;
    long *lines = NULL; /* the -i line of each argument, 0 for argv's */
    size_t nargs = 0;
    for (int i = 0; i < opt.nstarts; i++) {
        args = xrealloc(args, (nargs + 1) * sizeof *args);
        lines = xrealloc(lines, (nargs + 1) * sizeof *lines);
        lines[nargs] = 0;
        args[nargs++] = xstrdup(opt.starts[i]);
    }
    char **starts = NULL;
    int exit_code = 1;
    struct pool *pool = NULL;
    struct output *out = NULL;
    struct warc *warc = NULL;
    int curl_up = 0;
    char *ballast = NULL; /* TEST ONLY: see CRAWL_TEST_PARENT_BALLAST_MB */
    size_t ballast_len = 0;
    if (opt.input_file &&
        main_read_seeds(opt.input_file, &args, &lines, &nargs, err, sizeof err) < 0) {
        exit_code = main_usage_error(err);
        goto out;
    }
    if (!nargs) {
        exit_code = main_usage_error("no URL or directory to crawl (the input file has none)");
        goto out;
    }
    if (opt.base_url && scope_set_site(&scope, opt.base_url, err, sizeof err) < 0) {
        exit_code = main_usage_error(err);
        goto out;
    }
    starts = xcalloc(nargs, sizeof *starts);
    for (size_t i = 0; i < nargs; i++) {
        char *bare = NULL, *given = NULL;
        if (scope_add_start(&scope, args[i], &starts[i], err, sizeof err) < 0 &&
            (bare = main_bare_host(args[i])) != NULL) {
            given = args[i];
            args[i] = bare;
        }
        if (!starts[i] && scope_add_start(&scope, args[i], &starts[i], err, sizeof err) < 0) {
            if (lines[i]) {
                char where[600];
                snprintf(where, sizeof where, "--input-file %s:%ld: %s", opt.input_file, lines[i],
                         err);
                exit_code = main_usage_error(where);
            } else {
                exit_code = main_usage_error(err);
            }
            free(given);
            goto out;
        }
        if (bare) {
            log_warn("'%s' is not a file or directory: crawling %s", given, starts[i]);
            free(given);
        } else {
            main_warn_no_index(args[i]);
        }
        if (opt.redis && strncmp(starts[i], "http://", 7) && strncmp(starts[i], "https://", 8)) {
            exit_code = main_usage_error("--redis: a cluster crawls web sites (http:// or "
                                         "https://), not files on one machine's disk");
            goto out;
        }
    }
    if (scope_set_domains(&scope, opt.no_parent, opt.domains, opt.exclude_domains, err,
                          sizeof err) < 0) {
        exit_code = main_usage_error(err);
        goto out;
    }
    if (main_check_late_output("--stats-json", opt.stats_json, err, sizeof err) < 0 ||
        main_check_late_output("--save-cookies", opt.save_cookies, err, sizeof err) < 0) {
        log_error("%s", err);
        goto out;
    }

    if (scope_set_rules(&scope, opt.include, (size_t)opt.ninclude, opt.exclude,
                        (size_t)opt.nexclude, (size_t)opt.max_url_len, opt.subdomains, err,
                        sizeof err) < 0) {
        exit_code = main_usage_error(err);
        goto out;
    }

    /* A closed stdout pipe must be an EPIPE error we report, not a kill. */
    signal(SIGPIPE, SIG_IGN);

    /* the workers render the links of pages at the depth limit with the
     * crawl's own rules: the scope is complete before they are forked */
    static struct link_rules render_rules;
    render_rules = (struct link_rules){&scope, opt.robots};
    struct pool_config pc = {
        .render_links = link_render_json,
        .render_ctx = &render_rules,
        .nworkers = opt.workers,
        .parse_timeout_ms = opt.parse_timeout_ms,
        .max_job = opt.max_size,
        .max_result = 64u * 1024 * 1024,
        .max_links = opt.max_links,
        .mem_limit = MAIN_WORKER_MEM_LIMIT,
        .cpu_limit_s = 0,
    };
    /* Bodies are fetched into memory the workers share (shm.h): mapped
     * before the zygote is forked, backed only where used. Without it they
     * go through the sockets, as they did. */
    shm_init(MAIN_SHM_BYTES);
    pool = pool_create(&pc);
    if (!pool) {
        log_error("cannot start the parse workers");
        goto out;
    }
    /* TEST ONLY (tests/e2e/test_workers.py): CRAWL_TEST_PARENT_BALLAST_MB=N
     * makes the parent allocate and touch N MB right after the workers are
     * forked, as a parent grown by a long crawl would be. Not an option. */
    const char *ballast_mb = getenv("CRAWL_TEST_PARENT_BALLAST_MB");
    if (ballast_mb && atol(ballast_mb) > 0) {
        ballast_len = (size_t)atol(ballast_mb) << 20;
        ballast = xmalloc(ballast_len);
        memset(ballast, 0x5a, ballast_len);
        log_warn("CRAWL_TEST_PARENT_BALLAST_MB: the parent holds %zu MB of ballast",
                 ballast_len >> 20);
    }
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        log_error("curl_global_init failed");
        goto out;
    }
    curl_up = 1;
    struct output_config oc = {.path = opt.output,
                               .format = opt.format,
                               .sort = opt.sort,
                               .all_edges = opt.all_edges,
                               .site = nargs ? starts[0] : NULL,
                               .journaled = opt.state != NULL,
                               .resume = opt.resume};
    if (main_prepare_state(&opt, &oc, err, sizeof err) < 0) {
        log_error("%s", err);
        goto out;
    }
    out = output_open(&oc, err, sizeof err);
    if (!out) {
        log_error("%s", err);
        goto out;
    }

    if (opt.warc) {
        struct buf cmd;
        buf_init(&cmd, 1 << 20);
        for (int i = 0; i < argc; i++)
            buf_printf(&cmd, "%s%s", i ? " " : "", argv[i]);
        warc = warc_open(opt.warc, NULL, cmd.data, err, sizeof err);
        buf_free(&cmd);
        if (!warc) {
            log_error("%s", err);
            goto out;
        }
    }

    int sig_fd = sig_install();
    if (sig_fd < 0) {
        log_error("cannot set up signal handling");
        goto out;
    }
    if (main_fit_fds(&opt) < 0)
        goto out;
    struct crawl_stats st = {0};
    struct report rep = {
        /* records on the terminal too: a status line would break into them */
        .progress = opt.progress && isatty(STDERR_FILENO) &&
                    !(main_to_stdout(&opt) && isatty(STDOUT_FILENO)),
        .interval_s = opt.stats_interval_s,
        .block = isatty(STDERR_FILENO),
        .pool = pool,
        .t0 = clock_ms(),
    };
    rep.last_stats = rep.t0;
    struct crawl_io io = {
        .pool = pool,
        .out = out,
        .sig_fd = sig_fd,
        .tick = report_tick_ms(&rep) ? report_tick : NULL,
        .tick_ctx = &rep,
        .tick_ms = report_tick_ms(&rep),
        .warc = warc,
    };
    int signo = 0;
    int crc = crawl_run(&opt, &scope, starts, nargs, &io, &st, &signo);
    int orc = output_close(out);
    int pipe_closed = orc == OUTPUT_CLOSED_PIPE;
    out = NULL;
    if (warc && warc_close(warc) < 0 && orc == 0)
        orc = -1;
    warc = NULL;
    report_clear(&rep);
    if (!opt.quiet && !pipe_closed)
        report_summary(&rep, &st);
    if (pipe_closed)
        exit_code = 141; /* like a process killed by SIGPIPE, but quietly */
    else if (crc == CRAWL_END_INTERRUPTED)
        exit_code = 128 + signo;
    else
        exit_code = (crc < 0 || orc < 0) ? 1 : 0;
    if (exit_code == 0 && st.starts && st.starts == st.starts_unreachable) {
        /* wget's "network failure": nothing could be fetched at all */
        log_error("no start URL could be fetched: %s", st.start_error);
        exit_code = 4;
    }
    if (exit_code == 0 && opt.fail_on_broken && st.broken) {
        log_error("%lu broken (--fail-on-broken), the first: %s", st.broken, st.broken_first);
        exit_code = 8;
    }
    if (st.parse_gave_up && exit_code == 0) {
        /* Every URL has its record, but parsing broke down: say so. */
        log_error("the parse workers kept dying: %lu pages could not be parsed", st.parse_gave_up);
        exit_code = 1;
    }
    if (opt.stats_json) {
        pool_get_stats(pool, &rep.pool_final);
        rep.pool = NULL;
        pool_destroy(pool); /* reaped workers count in the peak memory */
        pool = NULL;
        if (report_stats_file(&rep, opt.stats_json, &st,
                              crc == CRAWL_END_INTERRUPTED ? "interrupted" : "done") < 0 &&
            exit_code == 0)
            exit_code = 1;
    }
    stats_free(&st.detail);
out:
    if (out)
        output_close(out);
    if (warc)
        warc_close(warc);
    if (pool)
        pool_destroy(pool);
    free(ballast);
    if (curl_up)
        curl_global_cleanup();
    shm_destroy(); /* every body is freed by now */
    for (size_t i = 0; i < nargs; i++) {
        free(args[i]);
        if (starts)
            free(starts[i]);
    }
    free(args);
    free(lines);
    free(starts);
    scope_free(&scope);
    options_free(&opt);
    return exit_code;
}
