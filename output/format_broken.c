/* format_broken: the broken links, like `wget --spider -r`: one CSV row
 * per (referrer, target) pair (in source-record order, then the order of
 * each target's first link on the page; tag is that link's) whose
 * target's record failed, i.e. has an error code or a status >= 400:
 *   source,target,tag,failure
 * failure is the error code when there is one, else the HTTP status. RFC
 * 4180 quoting, LF line ends, a header row. Off-site targets are never
 * fetched, so never listed. Links wait in an unnamed temporary file until
 * every record is known; only failed URLs stay in memory. Written to a temp
 * file beside the output and renamed at close. */
#include "format.h"

#include "format_links.h"
#include "format_spool.h"
#include "format_text.h"
#include "format_urlset.h"
#include "xalloc.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct format_broken {
    struct buf row;
    struct format_urlset failed; /* URL -> note = failure */
    FILE *spool;                 /* per record: source, count, (target, tag)... */
    struct format_links links;   /* one row per (page, target) pair */
};

static void format_broken_fail(struct format *f, const char *what)
{
    if (!f->err[0])
        snprintf(f->err, sizeof f->err, "broken: %s: %s", what, strerror(errno ? errno : EIO));
}

static int format_broken_open(struct format *f)
{
    struct format_broken *br = xcalloc(1, sizeof *br);
    br->spool = tmpfile();
    if (!br->spool) {
        format_broken_fail(f, "cannot create a temporary file for the links");
        free(br);
        return -1;
    }
    buf_init(&br->row, 4 * FORMAT_SPOOL_STR_MAX);
    format_urlset_init(&br->failed);
    format_links_init(&br->links, 0);
    f->state = br;
    return 0;
}

static int format_broken_record(struct format *f, const struct output_record *r)
{
    struct format_broken *br = f->state;
    if (r->error || r->status >= 400) {
        struct format_urlset_item *it = format_urlset_add(&br->failed, r->url, NULL);
        char code[32];
        snprintf(code, sizeof code, "%ld", r->status);
        free(it->note);
        it->note = xstrdup(r->error ? r->error : code);
    }
    size_t nl = r->page ? r->page->nlinks : 0;
    /* The page's distinct in-scope targets, first link of each. */
    const unsigned *first = format_links_group(&br->links, r);
    uint32_t count = 0;
    for (size_t i = 0; first && i < nl; i++)
        count += first[i] && !(r->external && (r->external[i] & OUTPUT_LINK_EXTERNAL));
    int rc = 0;
    if (count) {
        rc = format_spool_put_str(br->spool, r->url);
        rc |= format_spool_put_u32(br->spool, count);
    }
    for (size_t i = 0; rc == 0 && count && i < nl; i++) {
        if (!first[i] || (r->external && (r->external[i] & OUTPUT_LINK_EXTERNAL)))
            continue;
        rc |= format_spool_put_str(br->spool, r->page->links[i].url);
        rc |= format_spool_put_str(br->spool, r->page->links[i].tag);
    }
    if (rc < 0)
        format_broken_fail(f, "writing the temporary link file failed");
    return rc;
}

/* One row per spooled link whose target failed. */
static int format_broken_finish(struct format *f)
{
    struct format_broken *br = f->state;
    struct buf src, target, tag;
    int rc = 0;
    buf_init(&src, FORMAT_SPOOL_STR_MAX + 1);
    buf_init(&target, FORMAT_SPOOL_STR_MAX + 1);
    buf_init(&tag, FORMAT_SPOOL_STR_MAX + 1);
    format_sink_puts(f->sink, "source,target,tag,failure\n");
    if (fflush(br->spool) != 0 || fseek(br->spool, 0, SEEK_SET) != 0)
        goto bad;
    while (rc == 0 && format_spool_get_str(br->spool, &src) == 0) {
        uint32_t count;
        if (format_spool_get_u32(br->spool, &count) < 0)
            goto bad;
        for (uint32_t i = 0; rc == 0 && i < count; i++) {
            if (format_spool_get_str(br->spool, &target) < 0 ||
                format_spool_get_str(br->spool, &tag) < 0)
                goto bad;
            const struct format_urlset_item *it = format_urlset_find(&br->failed, target.data);
            if (!it)
                continue;
            struct buf *b = &br->row;
            buf_reset(b);
            int brc = format_text_csv(b, src.data);
            brc |= buf_append_char(b, ',');
            brc |= format_text_csv(b, target.data);
            brc |= buf_append_char(b, ',');
            brc |= format_text_csv(b, tag.data);
            brc |= buf_append_char(b, ',');
            brc |= format_text_csv(b, it->note);
            brc |= buf_append_char(b, '\n');
            if (brc == 0)
                rc = format_sink_write(f->sink, b->data, b->len);
        }
    }
    if (rc == 0 && (ferror(br->spool) || !feof(br->spool)))
        goto bad;
    goto out;
bad:
    format_broken_fail(f, "reading the temporary link file failed");
    rc = -1;
out:
    buf_free(&tag);
    buf_free(&target);
    buf_free(&src);
    return rc;
}

static int format_broken_close(struct format *f, int ok)
{
    struct format_broken *br = f->state;
    int rc = 0;
    if (ok && format_broken_finish(f) < 0 && f->err[0])
        rc = -1; /* a sink failure is reported by the sink */
    fclose(br->spool);
    format_links_free(&br->links);
    format_urlset_free(&br->failed);
    buf_free(&br->row);
    free(br);
    f->state = NULL;
    return rc;
}

const struct format_ops format_broken_ops = {
    .name = "broken",
    .flags = FORMAT_AT_END,
    .open = format_broken_open,
    .record = format_broken_record,
    .close = format_broken_close,
};
