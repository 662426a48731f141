/* stats: tallies by status class, content type, error and reason, and
 * their JSON rendering; the first broken URLs. No I/O. */
#include "stats.h"

#include "json.h"
#include "xalloc.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static void stats_tally_add(struct stats_tally **head, const char *key, size_t len)
{
    struct stats_tally *t = NULL;
    HASH_FIND(hh, *head, key, len, t);
    if (!t) {
        t = xcalloc(1, sizeof *t);
        t->key = xmemdup0(key, len);
        HASH_ADD_KEYPTR(hh, *head, t->key, len, t);
    }
    t->n++;
}

void stats_add(struct stats *s, long status, const char *ct, const char *error, const char *reason)
{
    int cls = status >= 100 && status < 600 ? (int)(status / 100) : 0;
    s->status_class[cls]++;
    if (ct) {
        char mt[128];
        size_t n = 0;
        while (*ct == ' ' || *ct == '\t')
            ct++;
        for (; ct[n] && !strchr("; \t", ct[n]) && n < sizeof mt - 1; n++)
            mt[n] = (char)tolower((unsigned char)ct[n]);
        if (n)
            stats_tally_add(&s->ctypes, mt, n);
    }
    if (error)
        stats_tally_add(&s->errors, error, strlen(error));
    if (reason)
        stats_tally_add(&s->reasons, reason, strlen(reason));
}

void stats_broken_add(struct stats *s, const char *url, const char *what, const char *parent)
{
    if (s->nbroken >= STATS_BROKEN_MAX)
        return;
    struct stats_broken *b = &s->broken[s->nbroken++];
    b->url = xstrdup(url);
    b->what = xstrdup(what);
    b->parent = parent ? xstrdup(parent) : NULL;
}

static void stats_tally_free(struct stats_tally **head)
{
    struct stats_tally *t, *tmp;
    HASH_ITER(hh, *head, t, tmp)
    {
        HASH_DEL(*head, t);
        free(t->key);
        free(t);
    }
}

void stats_free(struct stats *s)
{
    stats_tally_free(&s->ctypes);
    stats_tally_free(&s->errors);
    stats_tally_free(&s->reasons);
    for (size_t i = 0; i < s->nbroken; i++) {
        free(s->broken[i].url);
        free(s->broken[i].what);
        free(s->broken[i].parent);
    }
    s->nbroken = 0;
}

static int stats_by_key(const struct stats_tally *a, const struct stats_tally *b)
{
    return strcmp(a->key, b->key);
}

static int stats_tally_json(struct buf *b, const char *name, struct stats_tally **head)
{
    int rc = buf_printf(b, ",\"%s\":{", name);
    HASH_SORT(*head, stats_by_key);
    for (struct stats_tally *t = *head; t && rc == 0; t = t->hh.next) {
        if (t != *head)
            rc |= buf_append_char(b, ',');
        rc |= json_put_str(b, t->key);
        rc |= buf_printf(b, ":%lu", t->n);
    }
    return rc | buf_append_char(b, '}');
}

int stats_json(const struct stats *cs, const struct stats_extra *x, struct buf *b)
{
    struct stats *s = (struct stats *)cs; /* HASH_SORT reorders the lists */
    double pps = x->elapsed_s > 0 ? (double)x->fetches / x->elapsed_s : 0.0;
    int rc = buf_printf(b,
                        "{\"phase\":\"%s\",\"elapsed_s\":%.3f,\"records\":%lu,\"fetches\":%lu,"
                        "\"queued\":%lu,\"in_flight\":%lu,\"parsing\":%lu,\"pages_per_s\":%.2f,"
                        "\"bytes\":%llu,\"parsed\":%lu,\"links_rendered\":%lu,\"parse_errors\":%lu,"
                        "\"parse_restarts\":%lu,\"retries\":%lu,\"robots_blocks\":%lu,"
                        "\"links_dropped\":%llu,\"held_peak\":%lu,\"settle_steps\":%llu,"
                        "\"peak_rss_kb\":%ld,\"peak_rss_worker_kb\":%ld,"
                        "\"redis_round_trips\":%llu",
                        x->phase, x->elapsed_s, x->records, x->fetches, x->queued, x->in_flight,
                        x->parsing, pps, x->bytes, x->parsed, x->links_rendered, x->parse_errors,
                        x->worker_restarts, x->retries, x->robots_blocked, x->links_dropped,
                        x->held_peak, x->settle_steps, x->peak_rss_kb, x->peak_rss_workers_kb,
                        x->redis_round_trips);
    rc |= buf_printf(b,
                     ",\"status_class\":{\"none\":%lu,\"1xx\":%lu,\"2xx\":%lu,\"3xx\":%lu,"
                     "\"4xx\":%lu,\"5xx\":%lu}",
                     s->status_class[0], s->status_class[1], s->status_class[2], s->status_class[3],
                     s->status_class[4], s->status_class[5]);
    rc |= stats_tally_json(b, "content_types", &s->ctypes);
    rc |= stats_tally_json(b, "errors", &s->errors);
    rc |= stats_tally_json(b, "reasons", &s->reasons);
    return rc | buf_append_char(b, '}');
}
