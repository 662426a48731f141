/* format_store: deep copies of records and their canonical order. Each copy
 * is one allocation: the record, its page and arrays, then its strings.
 * Owns the copies; pure data, no I/O. */
#include "format_store.h"

#include "xalloc.h"

#include <stdalign.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

static size_t format_store_align(size_t n)
{
    size_t a = alignof(max_align_t);
    return (n + a - 1) / a * a;
}

static size_t format_store_strsize(const char *s)
{
    return s ? strlen(s) + 1 : 0;
}

static const char *format_store_put(char **p, const char *s)
{
    if (!s)
        return NULL;
    size_t n = strlen(s) + 1;
    char *d = memcpy(*p, s, n);
    *p += n;
    return d;
}

static size_t format_store_size(const struct output_record *r)
{
    const struct html_page *pg = r->page;
    size_t nl = pg ? pg->nlinks : 0;
    size_t n = format_store_align(sizeof *r);
    if (pg) {
        n += format_store_align(sizeof *pg) + format_store_align(nl * sizeof *pg->links);
        n += format_store_strsize(pg->title) + format_store_strsize(pg->links_json);
        for (size_t i = 0; i < nl; i++) {
            const struct html_link *l = &pg->links[i];
            n += format_store_strsize(l->url) + format_store_strsize(l->tag) +
                 format_store_strsize(l->attr) + format_store_strsize(l->rel) +
                 format_store_strsize(l->text);
        }
        n += r->external ? nl : 0;
    }
    n += format_store_align(r->nhops * sizeof *r->hops);
    for (size_t i = 0; i < r->nhops; i++)
        n += format_store_strsize(r->hops[i].url);
    n += format_store_strsize(r->url) + format_store_strsize(r->final_url) +
         format_store_strsize(r->parent) + format_store_strsize(r->content_type) +
         format_store_strsize(r->error) + format_store_strsize(r->reason);
    return n;
}

static struct output_record *format_store_copy(const struct output_record *r)
{
    char *block = xmalloc(format_store_size(r));
    struct output_record *d = (struct output_record *)(void *)block;
    char *p = block + format_store_align(sizeof *d);
    *d = *r;
    if (r->page) {
        const struct html_page *src = r->page;
        struct html_page *pg = (struct html_page *)(void *)p;
        p += format_store_align(sizeof *pg);
        memset(pg, 0, sizeof *pg);
        pg->nlinks = src->nlinks;
        pg->links_dropped = src->links_dropped;
        pg->links_json_len = src->links_json_len;
        pg->links_json_count = src->links_json_count;
        pg->links = src->nlinks ? (struct html_link *)(void *)p : NULL;
        p += format_store_align(src->nlinks * sizeof *pg->links);
        d->page = pg;
    }
    struct output_hop *hops = r->nhops ? (struct output_hop *)(void *)p : NULL;
    p += format_store_align(r->nhops * sizeof *r->hops);
    d->hops = hops;
    if (r->page && r->external) {
        unsigned char *ext = memcpy(p, r->external, r->page->nlinks);
        p += r->page->nlinks;
        d->external = ext;
    } else {
        d->external = NULL;
    }
    if (r->page) {
        struct html_page *pg = (struct html_page *)(uintptr_t)d->page;
        pg->title = (char *)(uintptr_t)format_store_put(&p, r->page->title);
        pg->links_json = (char *)(uintptr_t)format_store_put(&p, r->page->links_json);
        for (size_t i = 0; i < pg->nlinks; i++) {
            const struct html_link *s = &r->page->links[i];
            struct html_link *l = &pg->links[i];
            l->url = (char *)(uintptr_t)format_store_put(&p, s->url);
            l->unusable = s->unusable;
            l->tag = (char *)(uintptr_t)format_store_put(&p, s->tag);
            l->attr = (char *)(uintptr_t)format_store_put(&p, s->attr);
            l->rel = (char *)(uintptr_t)format_store_put(&p, s->rel);
            l->text = (char *)(uintptr_t)format_store_put(&p, s->text);
        }
    }
    for (size_t i = 0; i < r->nhops; i++) {
        hops[i].status = r->hops[i].status;
        hops[i].url = format_store_put(&p, r->hops[i].url);
    }
    d->url = format_store_put(&p, r->url);
    d->final_url = format_store_put(&p, r->final_url);
    d->parent = format_store_put(&p, r->parent);
    d->content_type = format_store_put(&p, r->content_type);
    d->error = format_store_put(&p, r->error);
    d->reason = format_store_put(&p, r->reason);
    return d;
}

void format_store_init(struct format_store *st)
{
    memset(st, 0, sizeof *st);
}

void format_store_add(struct format_store *st, const struct output_record *r)
{
    if (st->n == st->cap) {
        st->cap = st->cap ? st->cap * 2 : 256;
        st->recs = xrealloc(st->recs, st->cap * sizeof *st->recs);
    }
    st->recs[st->n++] = format_store_copy(r);
}

void format_store_free(struct format_store *st)
{
    for (size_t i = 0; i < st->n; i++)
        free(st->recs[i]);
    free(st->recs);
    memset(st, 0, sizeof *st);
}

static int format_store_cmp_url(const void *a, const void *b)
{
    const struct output_record *x = *(const struct output_record *const *)a;
    const struct output_record *y = *(const struct output_record *const *)b;
    return strcmp(x->url, y->url);
}

/* By depth; start URLs (depth 0) by seq, deeper ones by URL. */
static int format_store_cmp_level(const void *a, const void *b)
{
    const struct output_record *x = *(const struct output_record *const *)a;
    const struct output_record *y = *(const struct output_record *const *)b;
    if (x->depth != y->depth)
        return x->depth < y->depth ? -1 : 1;
    if (x->depth == 0 && x->seq != y->seq)
        return x->seq < y->seq ? -1 : 1;
    return strcmp(x->url, y->url);
}

/* Index in byurl of the record for url, or -1. */
static long format_store_find(struct output_record **byurl, size_t n, const char *url)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(byurl[mid]->url, url);
        if (c == 0)
            return (long)mid;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

/* Place the not yet placed records that R links to at depth + 1. */
static void format_store_expand(struct output_record *r, struct output_record **byurl, size_t n,
                                unsigned char *placed, struct output_record **order, size_t *k)
{
    for (size_t i = 0; r->page && i < r->page->nlinks; i++) {
        long t = format_store_find(byurl, n, r->page->links[i].url);
        if (t < 0 || placed[t] || byurl[t]->depth != r->depth + 1)
            continue;
        placed[t] = 1;
        byurl[t]->parent = r->url;
        order[(*k)++] = byurl[t];
    }
}

void format_store_order(struct format_store *st)
{
    size_t n = st->n;
    if (n < 2)
        return;
    size_t sz = n * sizeof *st->recs;
    struct output_record **byurl = memcpy(xmalloc(sz), st->recs, sz);
    struct output_record **bylevel = memcpy(xmalloc(sz), st->recs, sz);
    struct output_record **order = xmalloc(sz);
    unsigned char *placed = xcalloc(n, 1);
    qsort(byurl, n, sizeof *byurl, format_store_cmp_url);
    qsort(bylevel, n, sizeof *bylevel, format_store_cmp_level);

    size_t k = 0, j = 0, level = 0;
    int d = bylevel[0]->depth;
    while (k < n) {
        /* Records of this level that no earlier page placed. */
        for (; j < n && bylevel[j]->depth == d; j++) {
            long t = format_store_find(byurl, n, bylevel[j]->url);
            if (t < 0 || byurl[t] != bylevel[j]) {
                order[k++] = bylevel[j]; /* a second record for one URL */
            } else if (!placed[t]) {
                placed[t] = 1;
                order[k++] = bylevel[j];
            }
        }
        size_t end = k;
        for (size_t i = level; i < end; i++)
            format_store_expand(order[i], byurl, n, placed, order, &k);
        level = end;
        d = level < k || j >= n ? d + 1 : bylevel[j]->depth;
    }
    memcpy(st->recs, order, sz);
    free(placed);
    free(order);
    free(bylevel);
    free(byurl);
}
