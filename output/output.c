/* output: picks the format writer, opens the main output for it, keeps the
 * records of a --sort crawl and replays them at close, holds a journaled
 * crawl's "interrupted" records until after its last commit, and reports
 * the first failure in one log line. The bytes of each format are the
 * format files' business; the stream (file, gzip, temp + rename) is
 * format_sink's. */
#include "output.h"

#include "format.h"
#include "format_store.h"
#include "log.h"
#include "xalloc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct output {
    struct output_config cfg;
    struct format f;
    struct format_store store; /* --sort: every record, until close */
    struct format_store held;  /* interrupted records, until close */
    int hold_interrupted;      /* journaled and not a stream */
    int failed;
};

static const struct format_ops *const output_formats[] = {
    &format_jsonl_ops,   &format_edges_ops,  &format_dot_ops,    &format_graphml_ops,
    &format_sitemap_ops, &format_sqlite_ops, &format_broken_ops, &format_pages_ops,
};

static const struct format_ops *output_find_format(const char *name)
{
    for (size_t i = 0; i < sizeof output_formats / sizeof output_formats[0]; i++)
        if (!strcmp(output_formats[i]->name, name))
            return output_formats[i];
    return NULL;
}

struct output *output_open(const struct output_config *cfg, char *err, size_t errcap)
{
    const char *name = cfg->format ? cfg->format : "jsonl";
    const struct format_ops *ops = output_find_format(name);
    if (!ops) {
        snprintf(err, errcap, "unknown output format '%s'", name);
        return NULL;
    }
    struct output *o = xcalloc(1, sizeof *o);
    o->cfg = *cfg;
    o->f.ops = ops;
    o->f.cfg = &o->cfg;
    o->f.temp = cfg->sort || (ops->flags & FORMAT_AT_END);
    format_store_init(&o->store);
    format_store_init(&o->held);
    if (!(ops->flags & FORMAT_OWN_OUTPUT)) {
        if (cfg->resume && !o->f.temp)
            o->f.sink = format_sink_open_at(cfg->path, cfg->committed, err, errcap);
        else
            o->f.sink = format_sink_open(cfg->path, o->f.temp, err, errcap);
        if (!o->f.sink)
            goto fail;
        /* A pipe or socket is written without blocking the crawl, unless
         * --state needs each record pushed before it is journaled. */
        if (!cfg->journaled)
            format_sink_nonblocking(o->f.sink);
    }
    if (ops->open(&o->f) < 0) {
        snprintf(err, errcap, "%s", o->f.err);
        format_sink_discard(o->f.sink);
        goto fail;
    }
    o->hold_interrupted = cfg->journaled && !output_is_stream(o);
    return o;
fail:
    free(o);
    return NULL;
}

static int output_emit(struct output *o, const struct output_record *r)
{
    if (o->f.ops->note)
        o->f.ops->note(&o->f, r);
    if (o->f.ops->record(&o->f, r) < 0)
        o->failed = 1;
    return o->failed ? -1 : 0;
}

int output_reach(const struct output_config *cfg, int64_t *reach, char *err, size_t errcap)
{
    const struct format_ops *ops = output_find_format(cfg->format ? cfg->format : "jsonl");
    struct stat st;
    *reach = -1;
    if (ops && ops->reach)
        return ops->reach(cfg, reach, err, errcap);
    if (!cfg->path || !strcmp(cfg->path, "-"))
        return 0;
    if (stat(cfg->path, &st) < 0) {
        if (errno == ENOENT) {
            *reach = 0;
            return 0;
        }
        snprintf(err, errcap, "cannot resume %s: %s", cfg->path, strerror(errno));
        return -1;
    }
    if (S_ISREG(st.st_mode))
        *reach = (int64_t)st.st_size;
    return 0;
}

int output_takes_links_json(const struct output *o)
{
    return (o->f.ops->flags & FORMAT_LINKS_JSON) != 0;
}

int output_write(struct output *o, const struct output_record *r)
{
    if (o->failed)
        return -1;
    if (o->hold_interrupted && r->error && !strcmp(r->error, "interrupted")) {
        format_store_add(&o->held, r);
        return 0;
    }
    if (o->cfg.sort) {
        /* Timings are the one thing two identical crawls never share. */
        struct output_record copy = *r;
        copy.fetch_ms = 0;
        format_store_add(&o->store, &copy);
        return 0;
    }
    return output_emit(o, r);
}

int output_flush(struct output *o)
{
    if (o->failed)
        return -1;
    if (o->cfg.sort)
        return 0;
    int rc = 0;
    if (o->f.ops->flush)
        rc = o->f.ops->flush(&o->f);
    else if (o->f.sink)
        rc = format_sink_flush(o->f.sink);
    if (rc < 0)
        o->failed = 1;
    return rc;
}

int output_commit(struct output *o, int64_t *pos)
{
    *pos = -1;
    if (o->failed)
        return -1;
    int rc = 0;
    if (o->f.ops->commit)
        rc = o->f.ops->commit(&o->f, pos);
    else if (o->f.sink && !o->cfg.sort)
        rc = format_sink_commit(o->f.sink, pos);
    if (rc < 0)
        o->failed = 1;
    return rc;
}

size_t output_pending(const struct output *o)
{
    return o->f.sink ? format_sink_pending(o->f.sink) : 0;
}

int output_pollfd(const struct output *o)
{
    return o->f.sink ? format_sink_pollfd(o->f.sink) : -1;
}

int output_drain(struct output *o)
{
    return o->f.sink ? format_sink_drain(o->f.sink) : 0;
}

int output_is_stream(const struct output *o)
{
    if (o->cfg.sort)
        return 1;
    if (o->f.ops->commit)
        return 0;
    return !o->f.sink || format_sink_position(o->f.sink) < 0;
}

int output_closed_pipe(const struct output *o)
{
    return o->f.closed_pipe || (o->f.sink && format_sink_closed_pipe(o->f.sink));
}

int output_failed(const struct output *o)
{
    return o->failed;
}

/* --sort: every record noted first, then written in the canonical order. */
static void output_replay(struct output *o)
{
    struct format_store *st = &o->store;
    format_store_order(st);
    for (size_t i = 0; o->f.ops->note && i < st->n; i++)
        o->f.ops->note(&o->f, st->recs[i]);
    for (size_t i = 0; !o->failed && i < st->n; i++)
        if (o->f.ops->record(&o->f, st->recs[i]) < 0)
            o->failed = 1;
}

int output_close(struct output *o)
{
    if (!o)
        return 0;
    if (o->cfg.sort && !o->failed)
        output_replay(o);
    for (size_t i = 0; !o->failed && i < o->held.n; i++)
        output_emit(o, o->held.recs[i]);
    if (o->f.ops->close(&o->f, !o->failed) < 0)
        o->failed = 1;
    char msg[FORMAT_ERR_MAX] = "";
    int pipe = output_closed_pipe(o);
    if (o->f.sink) {
        int src = 0;
        if (o->failed && !format_sink_failed(o->f.sink))
            format_sink_discard(o->f.sink);
        else if ((src = format_sink_close(o->f.sink, NULL, msg, sizeof msg)) < 0)
            o->failed = 1;
        pipe |= src == FORMAT_SINK_CLOSED_PIPE;
        o->f.sink = NULL;
    }
    pipe |= o->f.closed_pipe;
    /* The reader went away: not worth a line. */
    const char *why = o->f.err[0] ? o->f.err : msg[0] ? msg : "writing the output failed";
    if (o->failed && !pipe)
        log_error("%s", why);
    format_store_free(&o->store);
    format_store_free(&o->held);
    int rc = !o->failed ? 0 : pipe ? OUTPUT_CLOSED_PIPE : -1;
    free(o);
    return rc;
}
