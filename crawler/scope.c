/* scope: start arguments and the in-scope test. Pure apart from the
 * filesystem look-ups (realpath, stat) made for file: starts. */
#include "scope.h"

#include "url.h"
#include "xalloc.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

void scope_init(struct scope *s)
{
    memset(s, 0, sizeof *s);
}

static void scope_free_rules(struct scope *s)
{
    for (size_t i = 0; i < s->ninclude; i++)
        regfree(&s->include[i]);
    for (size_t i = 0; i < s->nexclude; i++)
        regfree(&s->exclude[i]);
    free(s->include);
    free(s->exclude);
    s->include = s->exclude = NULL;
    s->ninclude = s->nexclude = 0;
}

void scope_free(struct scope *s)
{
    for (size_t i = 0; i < s->nhosts; i++)
        free(s->hosts[i]);
    for (size_t i = 0; i < s->nroots; i++)
        free(s->roots[i]);
    for (size_t i = 0; i < s->nbases; i++) {
        free(s->bases[i].host);
        free(s->bases[i].dir);
    }
    for (size_t i = 0; i < s->ndomains; i++)
        free(s->domains[i]);
    for (size_t i = 0; i < s->nxdomains; i++)
        free(s->xdomains[i]);
    free(s->site_url);
    free(s->site_auth);
    free(s->site_host);
    free(s->site_dir);
    free(s->hosts);
    free(s->roots);
    free(s->bases);
    free(s->domains);
    free(s->xdomains);
    scope_free_rules(s);
    memset(s, 0, sizeof *s);
}

static void scope_push(char ***arr, size_t *n, char *v)
{
    for (size_t i = 0; i < *n; i++) {
        if (!strcmp((*arr)[i], v)) {
            free(v);
            return;
        }
    }
    *arr = xrealloc(*arr, (*n + 1) * sizeof **arr);
    (*arr)[(*n)++] = v;
}

const char *scope_host(const char *url, size_t *len)
{
    struct url_view v;
    if (url_split(url, &v) < 0 || !v.host_len) {
        *len = 0;
        return NULL;
    }
    *len = v.host_len;
    return v.host;
}

/* file:// URL for an absolute real path; dir adds the trailing slash. */
static int scope_file_url(const char *real, int dir, char **url)
{
    size_t n = strlen(real);
    char *raw = xmalloc(n + 9);
    memcpy(raw, "file://", 7);
    memcpy(raw + 7, real, n);
    raw[7 + n] = '\0';
    if (dir && (n == 0 || real[n - 1] != '/'))
        strcat(raw, "/");
    /* Escape '%', '?' and '#' so the path survives URL parsing as is. */
    char *esc = xmalloc(strlen(raw) * 3 + 1);
    char *o = esc;
    for (const char *p = raw; *p; p++) {
        if (p - raw >= 7 && (*p == '%' || *p == '?' || *p == '#')) {
            o += sprintf(o, "%%%02X", (unsigned char)*p);
        } else {
            *o++ = *p;
        }
    }
    *o = '\0';
    free(raw);
    int rc = url_canonicalize(esc, url);
    free(esc);
    return rc;
}

int scope_set_site(struct scope *s, const char *url, char *err, size_t cap)
{
    char *canon = NULL, auth[1024];
    struct url_view v;
    size_t hl;
    if (url_canonicalize(url, &canon) != URL_OK || url_split(canon, &v) < 0 ||
        strncmp(canon, "http", 4) != 0 || url_authority(canon, auth, sizeof auth) < 0) {
        snprintf(err, cap, "--base-url %s: not an http(s) URL", url);
        free(canon);
        return -1;
    }
    size_t end = (size_t)(v.path - canon) + v.path_len;
    while (canon[end - 1] != '/')
        end--;
    canon[end] = '\0'; /* up to the last '/': the directory the start maps onto */
    const char *h = scope_host(canon, &hl);
    s->site_url = canon;
    s->site_auth = xstrdup(auth);
    s->site_host = xmemdup0(h, hl);
    return 0;
}

/* A URL of the --base-url site: the part after the site's path (a view
 * into url), else NULL. Either scheme; the authority must match. */
static const char *scope_site_rest(const struct scope *s, const char *url)
{
    struct url_view v, sv;
    char auth[1024];
    if (!s->site_dir || strncmp(url, "http", 4) != 0 || url_split(url, &v) < 0 ||
        url_split(s->site_url, &sv) < 0 || url_authority(url, auth, sizeof auth) < 0 ||
        strcmp(auth, s->site_auth) != 0 || v.path_len < sv.path_len ||
        memcmp(v.path, sv.path, sv.path_len) != 0)
        return NULL;
    return v.path + sv.path_len;
}

/* The site's host outside its path: never fetched live by an offline crawl. */
static int scope_site_host(const struct scope *s, const char *url)
{
    char auth[1024];
    return s->site_dir && url_authority(url, auth, sizeof auth) == 0 && !strcmp(auth, s->site_auth);
}

/* --base-url and a start path: the start's URL on the site. */
static int scope_site_start(struct scope *s, const char *real, const char *file_url, int dir,
                            char **url, char *err, size_t cap)
{
    if (s->site_dir) {
        snprintf(err, cap, "--base-url maps one start directory; %s is another", real);
        return -1;
    }
    const char *name = dir ? "" : strrchr(file_url, '/') + 1;
    size_t ul = strlen(s->site_url), nl = strlen(name);
    char *site = xmalloc(ul + nl + 1);
    memcpy(site, s->site_url, ul);
    memcpy(site + ul, name, nl + 1);
    free(*url);
    *url = site;
    s->site_dir = xstrdup(real);
    return 0;
}

char *scope_site_file(const struct scope *s, const char *url)
{
    const char *rest = scope_site_rest(s, url);
    char *dir = NULL;
    if (!rest)
        return NULL;
    size_t rl = strcspn(rest, "?");
    for (size_t i = 0; i + 2 < rl; i++)
        if (rest[i] == '%' && rest[i + 1] == '2' && (rest[i + 2] == 'F' || rest[i + 2] == 'f'))
            return NULL;
    if (scope_file_url(s->site_dir, 1, &dir) != URL_OK) {
        free(dir);
        return NULL;
    }
    size_t dl = strlen(dir);
    char *out = xmalloc(dl + rl + 1);
    memcpy(out, dir, dl);
    memcpy(out + dl, rest, rl);
    out[dl + rl] = '\0';
    free(dir);
    return out;
}

static int scope_add_path(struct scope *s, const char *path, char **url, char *err, size_t cap)
{
    char real[PATH_MAX];
    struct stat st;
    if (!realpath(path, real) || stat(real, &st) < 0) {
        snprintf(err, cap, "%s: %s", path, strerror(errno));
        return -1;
    }
    int dir = S_ISDIR(st.st_mode);
    if (!dir && !S_ISREG(st.st_mode)) {
        snprintf(err, cap, "%s: not a directory or a regular file", path);
        return -1;
    }
    if (scope_file_url(real, dir, url) != URL_OK) {
        snprintf(err, cap, "%s: path cannot be expressed as a file: URL", path);
        return -1;
    }
    if (!dir) {
        char *slash = strrchr(real, '/');
        *slash = '\0';
    }
    size_t rl = strlen(real);
    if (rl > 0 && real[rl - 1] == '/')
        real[rl - 1] = '\0'; /* "/" becomes "" : every path is under it */
    if (s->site_url) {
        if (scope_site_start(s, real, *url, dir, url, err, cap) < 0) {
            free(*url);
            *url = NULL;
            return -1;
        }
    } else {
        scope_push(&s->roots, &s->nroots, xstrdup(real));
    }
    char *folded = scope_fold(s, *url); /* a start at dir/index.html is dir/ */
    if (folded) {
        free(*url);
        *url = folded;
    }
    return 0;
}

int scope_add_start(struct scope *s, const char *arg, char **url, char *err, size_t cap)
{
    *url = NULL;
    const char *colon = strchr(arg, ':');
    size_t sl = colon ? (size_t)(colon - arg) : 0;
    int has_scheme = colon && sl > 1 &&
                     strspn(arg, "abcdefghijklmnopqrstuvwxyz"
                                 "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+-.") == sl;
    if (!has_scheme)
        return scope_add_path(s, arg, url, err, cap);
    if (sl == 4 && !strncasecmp(arg, "file", 4)) {
        char *canon = NULL;
        struct url_view v;
        if (url_canonicalize(arg, &canon) != URL_OK || url_split(canon, &v) < 0) {
            snprintf(err, cap, "%s: not a valid file: URL", arg);
            free(canon);
            return -1;
        }
        char *path = url_path_decode(v.path, v.path_len);
        free(canon);
        if (!path) {
            snprintf(err, cap, "%s: not a valid file: URL", arg);
            return -1;
        }
        int rc = scope_add_path(s, path, url, err, cap);
        free(path);
        return rc;
    }
    if (!((sl == 4 && !strncasecmp(arg, "http", 4)) ||
          (sl == 5 && !strncasecmp(arg, "https", 5)))) {
        snprintf(err, cap, "%s: unsupported scheme (use http, https, file or a directory)", arg);
        return -1;
    }
    if (url_canonicalize(arg, url) != URL_OK) {
        snprintf(err, cap, "%s: not a valid URL", arg);
        return -1;
    }
    size_t hl;
    const char *h = scope_host(*url, &hl);
    if (!h) {
        snprintf(err, cap, "%s: URL has no host", arg);
        free(*url);
        *url = NULL;
        return -1;
    }
    scope_push(&s->hosts, &s->nhosts, xmemdup0(h, hl));
    struct url_view v;
    if (url_split(*url, &v) == 0) {
        size_t dl = v.path_len;
        while (dl > 1 && v.path[dl - 1] != '/')
            dl--;
        s->bases = xrealloc(s->bases, (s->nbases + 1) * sizeof *s->bases);
        s->bases[s->nbases].host = xmemdup0(h, hl);
        s->bases[s->nbases].dir = xmemdup0(v.path, dl);
        s->nbases++;
    }
    return 0;
}

/* host (len) is name or a subdomain of it (a.example.com of example.com;
 * xexample.com is not). */
static int scope_host_under(const char *host, size_t len, const char *name, int subdomains)
{
    size_t nl = strlen(name);
    if (nl == len && !memcmp(host, name, nl))
        return 1;
    return subdomains && len > nl + 1 && host[len - nl - 1] == '.' &&
           !memcmp(host + len - nl, name, nl);
}

static int scope_http_in(const struct scope *s, const struct url_view *v)
{
    for (size_t i = 0; i < s->nxdomains; i++)
        if (scope_host_under(v->host, v->host_len, s->xdomains[i], 1))
            return 0;
    if (s->no_parent) {
        for (size_t i = 0; i < s->nbases; i++) {
            size_t dl = strlen(s->bases[i].dir);
            if (scope_host_under(v->host, v->host_len, s->bases[i].host, s->subdomains) &&
                v->path_len >= dl && !memcmp(v->path, s->bases[i].dir, dl))
                return 1;
        }
    } else {
        for (size_t i = 0; i < s->nhosts; i++)
            if (scope_host_under(v->host, v->host_len, s->hosts[i], s->subdomains))
                return 1;
    }
    for (size_t i = 0; i < s->ndomains; i++)
        if (scope_host_under(v->host, v->host_len, s->domains[i], 1))
            return 1;
    return 0;
}

static int scope_has_empty_label(const char *p, size_t n)
{
    for (size_t i = 0; i + 1 < n; i++)
        if (p[i] == '.' && p[i + 1] == '.')
            return 1;
    return 0;
}

/* Split a comma-separated list of host names into *arr (lowercased). */
static int scope_domain_list(const char *list, char ***arr, size_t *n, const char *opt, char *err,
                             size_t cap)
{
    for (const char *p = list; p && *p;) {
        size_t l = strcspn(p, ",");
        while (l && (*p == ' ' || *p == '\t'))
            p++, l--;
        size_t e = l;
        while (e && (p[e - 1] == ' ' || p[e - 1] == '\t'))
            e--;
        if (!e ||
            strspn(p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-") < e ||
            p[0] == '.' || p[e - 1] == '.' || scope_has_empty_label(p, e)) {
            snprintf(err, cap, "%s: '%.*s' is not a host name (a comma-separated list)", opt,
                     (int)(l ? l : 1), l ? p : ",");
            return -1;
        }
        char *d = xmemdup0(p, e);
        for (char *q = d; *q; q++)
            if (*q >= 'A' && *q <= 'Z')
                *q = (char)(*q + 32);
        scope_push(arr, n, d);
        p += l;
        if (*p == ',')
            p++;
    }
    return 0;
}

int scope_set_domains(struct scope *s, int no_parent, const char *domains,
                      const char *exclude_domains, char *err, size_t errcap)
{
    s->no_parent = no_parent;
    if (scope_domain_list(domains, &s->domains, &s->ndomains, "--domains", err, errcap) < 0)
        return -1;
    return scope_domain_list(exclude_domains, &s->xdomains, &s->nxdomains, "--exclude-domains", err,
                             errcap);
}

int scope_check(const struct scope *s, const char *url, const char **root)
{
    struct url_view v;
    if (url_split(url, &v) < 0)
        return 0;
    if (v.scheme_len == 4 && !memcmp(v.scheme, "file", 4)) {
        char *path = url_path_decode(v.path, v.path_len);
        int in = 0;
        for (size_t i = 0; path && i < s->nroots && !in; i++) {
            size_t rl = strlen(s->roots[i]);
            if (!strncmp(path, s->roots[i], rl) && path[rl] == '/') {
                in = 1;
                if (root)
                    *root = s->roots[i];
            }
        }
        free(path);
        return in;
    }
    if (scope_site_rest(s, url)) {
        if (root)
            *root = s->site_dir;
        return 1;
    }
    if (scope_site_host(s, url))
        return 0;
    return scope_http_in(s, &v);
}

/* A URL read from disk: a file: URL in scope, or one of the --base-url site. */
static int scope_offline(const struct scope *s, const char *url)
{
    return (!strncmp(url, "file:", 5) && scope_check(s, url, NULL)) || scope_site_rest(s, url);
}

/* A URL of the --base-url site in the other scheme, in the site's. */
static char *scope_site_scheme(const struct scope *s, const char *url)
{
    const char *rest = scope_site_rest(s, url);
    if (!rest || !strncmp(url, s->site_url, strlen(s->site_url)))
        return NULL;
    size_t ul = strlen(s->site_url), rl = strlen(rest);
    char *out = xmalloc(ul + rl + 1);
    memcpy(out, s->site_url, ul);
    memcpy(out + ul, rest, rl + 1);
    return out;
}

char *scope_fold(const struct scope *s, const char *url)
{
    static const char index[] = "/index.html";
    const size_t il = sizeof index - 1;
    struct url_view v;
    if (!s->site_dir && strncmp(url, "file:", 5) != 0)
        return NULL; /* a live crawl: nothing read from disk to fold */
    char *same = scope_site_scheme(s, url), *out;
    if (same)
        url = same;
    if (url_split(url, &v) < 0 || v.has_query || v.path_len < il ||
        memcmp(v.path + v.path_len - il, index, il) != 0 || !scope_offline(s, url))
        return same;
    out = xmemdup0(url, (size_t)(v.path + v.path_len - url) - (il - 1));
    free(same);
    return out;
}

static int scope_compile(regex_t **arr, size_t *n, const char *const *pats, size_t npats, char *err,
                         size_t cap)
{
    *arr = xcalloc(npats ? npats : 1, sizeof **arr);
    for (size_t i = 0; i < npats; i++) {
        int rc = regcomp(&(*arr)[i], pats[i], REG_EXTENDED | REG_NOSUB);
        if (rc != 0) {
            char msg[128];
            regerror(rc, &(*arr)[i], msg, sizeof msg);
            snprintf(err, cap, "bad regular expression '%s': %s", pats[i], msg);
            return -1;
        }
        (*n)++;
    }
    return 0;
}

int scope_set_rules(struct scope *s, const char *const *include, size_t ninclude,
                    const char *const *exclude, size_t nexclude, size_t max_url_len, int subdomains,
                    char *err, size_t errcap)
{
    scope_free_rules(s); /* rules set earlier are replaced */
    s->max_url_len = max_url_len;
    s->subdomains = subdomains;
    if (scope_compile(&s->include, &s->ninclude, include, ninclude, err, errcap) < 0)
        return -1;
    return scope_compile(&s->exclude, &s->nexclude, exclude, nexclude, err, errcap);
}

/* Path traps: too many segments, or one segment repeated in a row. */
static int scope_is_trap(const char *path, size_t len)
{
    size_t nseg = 0, run = 1;
    const char *prev = NULL;
    size_t prev_len = 0;
    const char *p = path, *end = path + len;
    while (p < end) {
        if (*p == '/')
            p++;
        const char *seg = p;
        while (p < end && *p != '/')
            p++;
        size_t sl = (size_t)(p - seg);
        if (sl == 0 && p >= end)
            break; /* the trailing slash */
        if (++nseg > SCOPE_MAX_SEGMENTS)
            return 1;
        if (prev && sl == prev_len && !memcmp(seg, prev, sl)) {
            if (++run > SCOPE_MAX_REPEAT)
                return 1;
        } else {
            run = 1;
        }
        prev = seg;
        prev_len = sl;
    }
    return 0;
}

const char *scope_rule(const struct scope *s, const char *url)
{
    struct url_view v;
    if (s->max_url_len && strlen(url) > s->max_url_len)
        return "too_long";
    if (url_split(url, &v) == 0 && scope_is_trap(v.path, v.path_len))
        return "trap";
    for (size_t i = 0; i < s->nexclude; i++)
        if (regexec(&s->exclude[i], url, 0, NULL, 0) == 0)
            return "excluded";
    if (s->ninclude) {
        for (size_t i = 0; i < s->ninclude; i++)
            if (regexec(&s->include[i], url, 0, NULL, 0) == 0)
                return NULL;
        return "excluded";
    }
    return NULL;
}
