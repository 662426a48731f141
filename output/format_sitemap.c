/* format_sitemap: a sitemaps.org sitemap of the pages fetched without
 * error, with status 200 and an HTML media type; <loc> is the final URL,
 * each listed once. A sitemap holds at most 50,000 URLs and 50 MiB: past
 * that, -o FILE becomes FILE's stem (".gz" then ".xml" removed) + "-1.xml",
 * "-2.xml"... (".gz" kept, each part compressed) plus a sitemap index at
 * FILE that names the parts as served from the site's root
 * (scheme://host/stem-1.xml; file:// URLs of the parts for offline crawls).
 * On stdout (or a path that is not a regular file) it stays one sitemap,
 * with a warning past the limits. URLs of 2,048 characters or more are left
 * out, with a warning. Every file is written to a temp file and renamed. */
#include "format.h"

#include "format_text.h"
#include "format_urlset.h"
#include "log.h"
#include "url.h"
#include "xalloc.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FORMAT_SITEMAP_MAX_URLS  50000
#define FORMAT_SITEMAP_MAX_BYTES (50ull * 1024 * 1024)
#define FORMAT_SITEMAP_MAX_LOC   2048
#define FORMAT_SITEMAP_LINE_MAX  (1u << 16)

#define FORMAT_SITEMAP_NS "http://www.sitemaps.org/schemas/sitemap/0.9"

static const char format_sitemap_head[] = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                                          "<urlset xmlns=\"" FORMAT_SITEMAP_NS "\">\n";
static const char format_sitemap_foot[] = "</urlset>\n";

struct format_sitemap {
    struct buf line;
    struct format_urlset seen; /* final URLs listed */
    struct format_sink *part;  /* the sitemap being written */
    int split;                 /* may become parts + index (a regular file) */
    size_t nparts;             /* parts started */
    size_t in_part;            /* URLs in the current part */
    size_t too_long;           /* URLs left out */
};

/* FILE's stem + "-k.xml" (+ ".gz"); malloc'd. */
static char *format_sitemap_part_name(const char *path, size_t k)
{
    size_t n = strlen(path);
    int gz = format_sink_is_gz(path);
    if (gz)
        n -= 3;
    if (n > 4 && !strncmp(path + n - 4, ".xml", 4))
        n -= 4;
    size_t cap = n + 48;
    char *s = xmalloc(cap);
    snprintf(s, cap, "%.*s-%zu.xml%s", (int)n, path, k, gz ? ".gz" : "");
    return s;
}

static void format_sitemap_sink_error(struct format *f, const char *msg)
{
    if (!f->err[0])
        snprintf(f->err, sizeof f->err, "%s", msg);
}

/* Open the next part (the first one under the output's own name). */
static int format_sitemap_start(struct format *f)
{
    struct format_sitemap *sm = f->state;
    char msg[FORMAT_ERR_MAX] = "";
    sm->part = format_sink_open(f->cfg->path, 1, msg, sizeof msg);
    if (!sm->part) {
        format_sitemap_sink_error(f, msg);
        return -1;
    }
    sm->nparts++;
    sm->in_part = 0;
    return format_sink_puts(sm->part, format_sitemap_head);
}

/* Finish the current part and rename it to `dest` (NULL: the output). */
static int format_sitemap_end(struct format *f, const char *dest)
{
    struct format_sitemap *sm = f->state;
    char msg[FORMAT_ERR_MAX] = "";
    format_sink_puts(sm->part, format_sitemap_foot);
    int rc = format_sink_close(sm->part, dest, msg, sizeof msg);
    sm->part = NULL;
    f->closed_pipe |= rc == FORMAT_SINK_CLOSED_PIPE;
    if (rc < 0)
        format_sitemap_sink_error(f, msg);
    return rc < 0 ? -1 : 0;
}

static int format_sitemap_open(struct format *f)
{
    struct format_sitemap *sm = xcalloc(1, sizeof *sm);
    const char *path = f->cfg->path;
    f->state = sm;
    buf_init(&sm->line, FORMAT_SITEMAP_LINE_MAX);
    format_urlset_init(&sm->seen);
    sm->split = path && strcmp(path, "-") && format_sink_replaceable(path);
    if (format_sitemap_start(f) == 0 || sm->part)
        return 0;
    buf_free(&sm->line);
    free(sm);
    f->state = NULL;
    return -1;
}

static int format_sitemap_record(struct format *f, const struct output_record *r)
{
    struct format_sitemap *sm = f->state;
    char mt[128];
    format_text_media_type(r->content_type, mt, sizeof mt);
    const char *loc = r->final_url ? r->final_url : r->url;
    if (r->status != 200 || r->error || !format_text_is_html(mt))
        return 0;
    if (strlen(loc) >= FORMAT_SITEMAP_MAX_LOC) {
        sm->too_long++;
        return 0;
    }
    int added;
    format_urlset_add(&sm->seen, loc, &added);
    if (!added)
        return 0;
    struct buf *b = &sm->line;
    buf_reset(b);
    int rc = buf_append_str(b, "  <url><loc>");
    rc |= format_text_xml(b, loc);
    rc |= buf_append_str(b, "</loc></url>\n");
    if (rc != 0)
        return 0; /* cannot happen: loc is under 2,048 bytes */
    unsigned long long after = format_sink_bytes(sm->part) + b->len + sizeof format_sitemap_foot;
    if (sm->split && (sm->in_part == FORMAT_SITEMAP_MAX_URLS || after > FORMAT_SITEMAP_MAX_BYTES)) {
        char *name = format_sitemap_part_name(f->cfg->path, sm->nparts);
        rc = format_sitemap_end(f, name);
        free(name);
        if (rc < 0 || format_sitemap_start(f) < 0)
            return -1;
    }
    sm->in_part++;
    if (format_sink_write(sm->part, b->data, b->len) < 0) {
        f->closed_pipe |= format_sink_closed_pipe(sm->part);
        return -1;
    }
    return 0;
}

/* Append s to b percent-encoded as a URL path (unreserved and '/' kept). */
static int format_sitemap_path(struct buf *b, const char *s)
{
    int rc = 0;
    for (; rc == 0 && *s; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            strchr("-._~/", c))
            rc = buf_append_char(b, (char)c);
        else
            rc = buf_printf(b, "%%%02X", c);
    }
    return rc;
}

/* Where part `name` is served from: the first listed URL's origin, or for
 * file: URLs the part's own absolute file URL. */
static int format_sitemap_part_url(struct buf *b, const char *first, const char *name)
{
    struct url_view v;
    char auth[1024];
    const char *slash = strrchr(name, '/');
    if (url_split(first, &v) == 0 && v.host_len && url_authority(first, auth, sizeof auth) == 0) {
        int rc = buf_printf(b, "%.*s://%s/", (int)v.scheme_len, v.scheme, auth);
        return rc ? rc : format_sitemap_path(b, slash ? slash + 1 : name);
    }
    char dir[PATH_MAX];
    char *d = slash ? xstrndup(name, (size_t)(slash - name) + 1) : xstrdup(".");
    int rc = BUF_ERR_CAP;
    if (realpath(d, dir)) {
        rc = buf_append_str(b, "file://");
        rc |= format_sitemap_path(b, dir);
        rc |= buf_append_char(b, '/');
        rc |= format_sitemap_path(b, slash ? slash + 1 : name);
    }
    free(d);
    return rc;
}

/* The parts are all in place: write the index at the output's name. */
static int format_sitemap_index(struct format *f)
{
    struct format_sitemap *sm = f->state;
    char msg[FORMAT_ERR_MAX] = "";
    struct format_sink *s = format_sink_open(f->cfg->path, 1, msg, sizeof msg);
    if (!s) {
        format_sitemap_sink_error(f, msg);
        return -1;
    }
    format_sink_puts(s, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                        "<sitemapindex xmlns=\"" FORMAT_SITEMAP_NS "\">\n");
    for (size_t k = 1; k <= sm->nparts; k++) {
        char *name = format_sitemap_part_name(f->cfg->path, k);
        struct buf *b = &sm->line;
        buf_reset(b);
        int rc = buf_append_str(b, "  <sitemap><loc>");
        rc |= format_sitemap_part_url(b, sm->seen.head->url, name);
        rc |= buf_append_str(b, "</loc></sitemap>\n");
        free(name);
        if (rc == 0)
            format_sink_write(s, b->data, b->len);
    }
    format_sink_puts(s, "</sitemapindex>\n");
    if (format_sink_close(s, NULL, msg, sizeof msg) < 0) {
        format_sitemap_sink_error(f, msg);
        return -1;
    }
    return 0;
}

static int format_sitemap_finish(struct format *f)
{
    struct format_sitemap *sm = f->state;
    if (sm->too_long)
        log_warn("sitemap: %zu URLs of %d characters or more left out", sm->too_long,
                 FORMAT_SITEMAP_MAX_LOC);
    if (!sm->split && (sm->in_part > FORMAT_SITEMAP_MAX_URLS ||
                       format_sink_bytes(sm->part) > FORMAT_SITEMAP_MAX_BYTES))
        log_warn("sitemap: %zu URLs in one sitemap, over the 50,000 URLs or 50 MiB a sitemap "
                 "may hold; write it with -o FILE to split it",
                 sm->in_part);
    if (sm->nparts == 1)
        return format_sitemap_end(f, NULL);
    char *name = format_sitemap_part_name(f->cfg->path, sm->nparts);
    int rc = format_sitemap_end(f, name);
    free(name);
    return rc < 0 ? rc : format_sitemap_index(f);
}

static int format_sitemap_close(struct format *f, int ok)
{
    struct format_sitemap *sm = f->state;
    int rc = ok ? format_sitemap_finish(f) : 0;
    if (sm->part && !format_sink_failed(sm->part)) {
        format_sink_discard(sm->part); /* another failure stopped the output */
        rc = -1;
    } else if (sm->part) {
        /* The write that failed left its reason in the sink. */
        char msg[FORMAT_ERR_MAX] = "";
        f->closed_pipe |=
            format_sink_close(sm->part, NULL, msg, sizeof msg) == FORMAT_SINK_CLOSED_PIPE;
        format_sitemap_sink_error(f, msg);
        rc = -1;
    }
    format_urlset_free(&sm->seen);
    buf_free(&sm->line);
    free(sm);
    f->state = NULL;
    return rc;
}

const struct format_ops format_sitemap_ops = {
    .name = "sitemap",
    .flags = FORMAT_AT_END | FORMAT_OWN_OUTPUT,
    .open = format_sitemap_open,
    .record = format_sitemap_record,
    .close = format_sitemap_close,
};
