/* fetch_file: file: URLs read from disk, answered as a server would. */
#include "fetch_file.h"

#include "buf.h"
#include "clock.h"
#include "dirlist.h"
#include "url.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int64_t fetch_wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static const char *fetch_file_type(const char *path)
{
    const char *dot = strrchr(path, '.');
    const char *slash = strrchr(path, '/');
    if (!dot || (slash && dot < slash))
        return "application/octet-stream";
    static const char *const map[][2] = {
        {".html", "text/html"},
        {".htm", "text/html"},
        {".xhtml", "application/xhtml+xml"},
        {".css", "text/css"},
        {".txt", "text/plain"},
        {".js", "text/javascript"},
        {".png", "image/png"},
        {".jpg", "image/jpeg"},
        {".jpeg", "image/jpeg"},
        {".gif", "image/gif"},
        {".svg", "image/svg+xml"},
        {".xml", "application/xml"},
        {".json", "application/json"},
        {".pdf", "application/pdf"},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (!strcasecmp(dot, map[i][0]))
            return map[i][1];
    return "application/octet-stream";
}

/* Read `path` (already confined) into r. */
static void fetch_file_read(const struct fetch_config *cfg, const char *path,
                            struct fetch_response *r)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0) {
        r->err = errno == ENOENT ? FETCH_ERR_NOT_FOUND : FETCH_ERR_READ;
        goto out;
    }
    if (!S_ISREG(st.st_mode)) {
        r->err = FETCH_ERR_NOT_REGULAR;
        goto out;
    }
    if ((uint64_t)st.st_size > cfg->max_size) {
        r->err = FETCH_ERR_TOO_LARGE;
        goto out;
    }
    struct buf b;
    buf_init(&b, cfg->max_size);
    char chunk[65536];
    for (;;) {
        ssize_t n = read(fd, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            r->err = FETCH_ERR_READ;
            break;
        }
        if (n == 0)
            break;
        if (buf_append(&b, chunk, (size_t)n) < 0) {
            r->err = FETCH_ERR_TOO_LARGE;
            break;
        }
    }
    r->bytes = b.len;
    if (r->err == FETCH_OK) {
        r->status = 200;
        r->content_type = xstrdup(fetch_file_type(path));
        r->is_html = fetch_is_html(r->content_type);
        if (r->is_html || cfg->capture)
            r->body = buf_steal(&b, &r->body_len);
    }
    buf_free(&b);
out:
    if (fd >= 0)
        close(fd);
}

/* A directory without index.html: its listing (dirlist.c), as a web
 * server's autoindex would serve it. */
static void fetch_dir_listing(const struct fetch_config *cfg, const char *real, const char *path,
                              struct fetch_response *r)
{
    struct buf b;
    buf_init(&b, cfg->max_size);
    int rc = dirlist_html(real, path, &b);
    if (rc < 0) {
        r->err = b.len >= cfg->max_size ? FETCH_ERR_TOO_LARGE : FETCH_ERR_READ;
    } else {
        r->status = 200;
        r->content_type = xstrdup("text/html");
        r->is_html = 1;
        r->bytes = b.len;
        r->body = buf_steal(&b, &r->body_len);
    }
    buf_free(&b);
}

/* file: URLs. The canonical URL has no dot-segments left; realpath() then
 * resolves symlinks and the result must stay under root. A directory URL
 * without its slash answers 301 to the slash form (as a web server does);
 * with the slash it serves index.html, or without one a listing. */
struct fetch_response *fetch_file(const struct fetch_config *cfg, const char *url, const char *root,
                                  void *owner)
{
    int64_t t0 = clock_ms();
    struct fetch_response *r = xcalloc(1, sizeof *r);
    r->when = fetch_wall_ms();
    struct url_view v;
    char *path = NULL;
    char real[PATH_MAX];
    r->owner = owner;
    if (url_split(url, &v) < 0 || !(path = url_path_decode(v.path, v.path_len))) {
        r->err = FETCH_ERR_NOT_FOUND;
        goto out;
    }
    if (!realpath(path, real)) {
        r->err = errno == ENOENT || errno == ENOTDIR ? FETCH_ERR_NOT_FOUND : FETCH_ERR_READ;
        goto out;
    }
    size_t rl = strlen(root);
    if (strncmp(real, root, rl) != 0 || (real[rl] != '/' && real[rl] != '\0')) {
        r->err = FETCH_ERR_OUTSIDE;
        goto out;
    }
    struct stat st;
    if (stat(real, &st) == 0 && S_ISDIR(st.st_mode)) {
        size_t pl = strlen(path);
        if (pl == 0 || path[pl - 1] != '/') {
            /* relative ("name/"), so it holds for a --base-url site's URL too */
            const char *name = strrchr(v.path, '/') + 1;
            size_t nl = v.path_len - (size_t)(name - v.path);
            r->status = 301;
            r->location = xmalloc(nl + 2);
            memcpy(r->location, name, nl);
            memcpy(r->location + nl, "/", 2);
            goto out;
        }
        size_t n = strlen(real);
        if (n + sizeof "/index.html" > sizeof real) {
            r->err = FETCH_ERR_NOT_FOUND;
            goto out;
        }
        memcpy(real + n, "/index.html", sizeof "/index.html");
        if (lstat(real, &st) < 0 && errno == ENOENT) {
            real[n] = '\0';
            fetch_dir_listing(cfg, real, path, r);
            goto out;
        }
    }
    fetch_file_read(cfg, real, r);
out:
    free(path);
    r->ms = clock_ms() - t0;
    return r;
}
