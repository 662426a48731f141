/* scope: what the crawl may fetch. Turns the start arguments (URLs or
 * directory paths) into canonical start URLs, and answers whether a
 * canonical URL is in scope: an http(s) URL whose host is a start URL's
 * host (either scheme, any port), or a file: URL whose percent-decoded,
 * dot-segment-free path lies under a start directory (symlinks resolved).
 * Hosts are compared after parsing, never by substring. Owns its copies. */
#ifndef CRAWL_SCOPE_H
#define CRAWL_SCOPE_H

#include <regex.h>
#include <stddef.h>

/* An http(s) start: its host and the directory of its path. */
struct scope_base {
    char *host;
    char *dir; /* "/docs/" for http://h/docs/intro.html */
};

struct scope {
    char **hosts; /* lowercased host names */
    size_t nhosts;
    struct scope_base *bases; /* one per http(s) start */
    size_t nbases;
    int no_parent;  /* --no-parent: only below a start's directory */
    char **domains; /* --domains: also these hosts and their subdomains */
    size_t ndomains;
    char **xdomains; /* --exclude-domains: never these nor their subdomains */
    size_t nxdomains;
    char **roots; /* absolute real directory paths, no trailing slash */
    size_t nroots;
    /* --base-url: the site a start directory holds. Its URLs (either
     * scheme) under site_url are read from site_dir; site_dir is set by the
     * first path start. */
    char *site_url;  /* canonical, path ending in '/' */
    char *site_auth; /* host[:port] of site_url */
    char *site_host; /* host of site_url */
    char *site_dir;  /* real path, no trailing slash; NULL until a start */
    int subdomains;  /* also hosts ending in "." + a start host */
    regex_t *include, *exclude;
    size_t ninclude, nexclude;
    size_t max_url_len;
};

#define SCOPE_MAX_SEGMENTS 20 /* deeper paths are traps */
#define SCOPE_MAX_REPEAT   2  /* a segment repeated more often in a row is a trap */

void scope_init(struct scope *s);
void scope_free(struct scope *s);

/* --base-url: map the next start directory onto url (http or https; its
 * path is taken up to the last '/'). Call before scope_add_start. Returns
 * -1 with a reason in err for a URL that is not http(s). */
int scope_set_site(struct scope *s, const char *url, char *err, size_t errcap);

/* For a URL of the --base-url site (in scope): the file: URL to read it
 * from (malloc'd), else NULL. NULL too for a path holding an encoded '/',
 * which could smuggle ".." past dot-segment removal. */
char *scope_site_file(const struct scope *s, const char *url);

/* Add a start argument. On success *url is its canonical URL (malloc'd,
 * the caller frees). Returns -1 with a one-line reason in err for an
 * unsupported scheme, a bad URL or a path that does not exist. */
int scope_add_start(struct scope *s, const char *arg, char **url, char *err, size_t errcap);

/* 1 if the canonical URL is in scope, else 0. For a file: URL in scope,
 * *root (when root is non-NULL) is set to the directory it must stay in. */
int scope_check(const struct scope *s, const char *url, const char **root);

/* Compile the --include / --exclude patterns (POSIX extended). Returns -1
 * with a one-line reason in err for a bad pattern. */
int scope_set_rules(struct scope *s, const char *const *include, size_t ninclude,
                    const char *const *exclude, size_t nexclude, size_t max_url_len, int subdomains,
                    char *err, size_t errcap);

/* --no-parent (an http(s) URL is in scope only under the directory of a
 * start URL of its host), --domains and --exclude-domains (comma-separated
 * host names; each also covers its subdomains; NULL = none). Returns -1
 * with a reason in err for an empty or malformed name. */
int scope_set_domains(struct scope *s, int no_parent, const char *domains,
                      const char *exclude_domains, char *err, size_t errcap);

/* For an in-scope URL: NULL when it may be followed, else the stable
 * reason code it is not: "too_long", "trap" (a path segment repeated more
 * than twice in a row, or more than 20 segments), "excluded" (an --exclude
 * matched, or no --include did). */
const char *scope_rule(const struct scope *s, const char *url);

/* The form a URL is recorded in, when it is not url itself (malloc'd, the
 * caller frees), else NULL: a page read from disk at ".../index.html" is
 * the directory ".../", so a directory and its index.html are one record
 * (as a web server serves them; the directory form is what a start
 * directory and most links use). */
char *scope_fold(const struct scope *s, const char *url);

/* The host part of a canonical http(s) URL as a view; NULL/0 for file:. */
const char *scope_host(const char *url, size_t *len);

#endif
