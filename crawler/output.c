/* output: JSON Lines records. Builds each record in a reusable buffer and
 * writes it with a single fwrite into a large stdio buffer. */
#include "output.h"

#include "buf.h"
#include "json.h"
#include "log.h"
#include "xalloc.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define OUTPUT_RECORD_MAX (256u * 1024 * 1024)

struct output {
    FILE *fp;
    int is_stdout; /* fp writes a dup of fd 1 */
    int failed;
    int err; /* errno of the first failure */
    struct buf rec;
    char *iobuf;
};

struct output *output_open(const struct output_config *cfg, char *err, size_t errcap)
{
    const char *path = cfg->path;
    struct output *o = xcalloc(1, sizeof *o);
    if (!path || !strcmp(path, "-")) {
        /* Our own stream on a dup of fd 1, so its buffer is ours to free. */
        int fd = dup(STDOUT_FILENO);
        o->fp = fd >= 0 ? fdopen(fd, "w") : NULL;
        if (!o->fp) {
            snprintf(err, errcap, "cannot write to stdout: %s", strerror(errno));
            if (fd >= 0)
                close(fd);
            free(o);
            return NULL;
        }
        o->is_stdout = 1;
    } else {
        o->fp = fopen(path, "we");
        if (!o->fp) {
            snprintf(err, errcap, "cannot open %s: %s", path, strerror(errno));
            free(o);
            return NULL;
        }
    }
    o->iobuf = xmalloc(1 << 18);
    setvbuf(o->fp, o->iobuf, _IOFBF, 1 << 18);
    buf_init(&o->rec, OUTPUT_RECORD_MAX);
    return o;
}

/* The media type of a Content-Type value, lowercased, into b as JSON. */
static int output_media_type(struct buf *b, const char *ct)
{
    if (!ct)
        return buf_append(b, "null", 4);
    char mt[128];
    size_t n = 0;
    while (*ct == ' ' || *ct == '\t')
        ct++;
    for (; ct[n] && ct[n] != ';' && ct[n] != ' ' && ct[n] != '\t' && n < sizeof mt - 1; n++)
        mt[n] = (char)tolower((unsigned char)ct[n]);
    mt[n] = '\0';
    return n ? json_put_strn(b, mt, n) : buf_append(b, "null", 4);
}

static int output_links(struct buf *b, const struct output_record *r)
{
    int rc = buf_append_str(b, ",\"links\":[");
    const struct html_page *p = r->page;
    for (size_t i = 0; rc == 0 && p && i < p->nlinks; i++) {
        const struct html_link *l = &p->links[i];
        rc |= buf_append_str(b, i ? ",{" : "{");
        rc |= json_put_key(b, "url");
        rc |= json_put_str(b, l->url);
        rc |= buf_append_str(b, ",\"tag\":");
        rc |= json_put_str(b, l->tag);
        rc |= buf_append_str(b, ",\"attr\":");
        rc |= json_put_str(b, l->attr);
        rc |= buf_append_str(b, ",\"rel\":");
        rc |= json_put_str(b, l->rel);
        rc |= buf_append_str(b, ",\"text\":");
        rc |= json_put_str(b, l->text ? l->text : "");
        rc |= buf_append_str(b, r->external && r->external[i] ? ",\"external\":true}"
                                                              : ",\"external\":false}");
    }
    if (rc == 0)
        rc = buf_append_str(b, "]");
    return rc;
}

static int output_build(struct buf *b, const struct output_record *r)
{
    int rc = 0;
    rc |= buf_append_str(b, "{\"url\":");
    rc |= json_put_str(b, r->url);
    rc |= buf_append_str(b, ",\"final_url\":");
    rc |= json_put_str(b, r->final_url ? r->final_url : r->url);
    rc |= buf_printf(b, ",\"depth\":%d,\"parent\":", r->depth);
    rc |= json_put_str(b, r->parent);
    if (r->status)
        rc |= buf_printf(b, ",\"status\":%ld", r->status);
    else
        rc |= buf_append_str(b, ",\"status\":null");
    rc |= buf_append_str(b, ",\"content_type\":");
    rc |= output_media_type(b, r->content_type);
    rc |=
        buf_printf(b, ",\"bytes\":%llu,\"fetch_ms\":%lld,\"title\":", (unsigned long long)r->bytes,
                   (long long)r->fetch_ms);
    rc |= json_put_str(b, r->page ? r->page->title : NULL);
    rc |= buf_append_str(b, ",\"error\":");
    rc |= json_put_str(b, r->error);
    rc |= buf_append_str(b, ",\"reason\":");
    rc |= json_put_str(b, r->reason);
    rc |= buf_append_str(b, ",\"redirects\":[");
    for (size_t i = 0; i < r->nhops; i++) {
        rc |= buf_append_str(b, i ? ",{\"url\":" : "{\"url\":");
        rc |= json_put_str(b, r->hops[i].url);
        rc |= buf_printf(b, ",\"status\":%ld}", r->hops[i].status);
    }
    rc |= buf_append_str(b, "]");
    if (rc == 0)
        rc = output_links(b, r);
    if (rc == 0)
        rc = buf_append_str(b, "}\n");
    return rc;
}

int output_write(struct output *o, const struct output_record *r)
{
    if (o->failed)
        return -1;
    buf_reset(&o->rec);
    if (output_build(&o->rec, r) < 0) {
        /* Only a record over 256 MiB can get here; keep the line valid. */
        log_error("record for %s too large to write; links dropped", r->url);
        struct output_record slim = *r;
        slim.page = NULL;
        buf_reset(&o->rec);
        if (output_build(&o->rec, &slim) < 0)
            return 0;
    }
    if (fwrite(o->rec.data, 1, o->rec.len, o->fp) != o->rec.len) {
        o->failed = 1;
        o->err = errno;
        return -1;
    }
    return 0;
}

int output_failed(const struct output *o)
{
    return o->failed;
}

int output_close(struct output *o)
{
    int rc = 0;
    if (!o)
        return 0;
    if (fflush(o->fp) != 0 && !o->failed) {
        o->failed = 1;
        o->err = errno;
    }
    if (fclose(o->fp) != 0 && !o->failed) {
        o->failed = 1;
        o->err = errno;
    }
    if (o->failed) {
        if (o->err != EPIPE)
            log_error("writing the output failed: %s", strerror(o->err));
        rc = -1;
    }
    buf_free(&o->rec);
    free(o->iobuf);
    free(o);
    return rc;
}
