/* redirect: where a redirect chain goes next, decided from the response,
 * the scope and what the crawl knows; the hop is added to the record.
 * Starts nothing: the loop parks or asks as told. */
#include "redirect.h"

#include "frontier.h"
#include "url.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int redirect_in_chain(const struct record *rec, const char *url)
{
    if (!strcmp(rec->e->url, url))
        return 1;
    for (size_t i = 0; i < rec->nhops; i++)
        if (!strcmp(rec->hops[i].url, url))
            return 1;
    return 0;
}

static int redirect_same_host(const char *a, const char *b)
{
    size_t la, lb;
    const char *ha = scope_host(a, &la), *hb = scope_host(b, &lb);
    return ha && hb && la == lb && !strncasecmp(ha, hb, la);
}

enum redirect_next redirect_next(struct records *r, const struct scope *sc, int max_redirects,
                                 int cluster, const char *from, long status, const char *location,
                                 struct record *rec, char **target_out)
{
    char *target = NULL;
    *target_out = NULL;
    int rc = url_resolve(from, location, strlen(location), &target);
    if (rc == URL_ERR_SCHEME) {
        /* ftp:, mailto:... never followed: the chain ends pointing there. */
        size_t n = strlen(location);
        while (n && (location[n - 1] == ' ' || location[n - 1] == '\t'))
            n--;
        target = xmemdup0(location, n);
    } else if (rc != URL_OK) {
        rec->error = "bad_redirect";
        return REDIRECT_END;
    }
    record_add_hop(rec, from, status);
    int from_file = !strncmp(from, "file:", 5);
    int to_file = !strncmp(target, "file:", 5);
    const char *why = NULL;
    if (rc == URL_ERR_SCHEME) {
        /* not ours to fetch */
    } else if (redirect_in_chain(rec, target)) {
        rec->error = "redirect_loop";
    } else if (records_known(r, target, 0) || from_file != to_file ||
               !scope_check(sc, target, NULL)) {
        /* It has its own record, or is not ours to fetch: stop here. */
    } else if (rec->nhops > (size_t)max_redirects) {
        rec->error = "too_many_redirects";
    } else if ((why = scope_rule(sc, target))) {
        rec->reason = why;
    } else if (cluster && !redirect_same_host(from, target)) {
        *target_out = target; /* another host is its lease holder's to fetch */
        return REDIRECT_HANDOFF;
    } else if (cluster) {
        *target_out = target;
        return REDIRECT_ASK;
    } else {
        records_known(r, target, 1);
        *target_out = target;
        return REDIRECT_FOLLOW;
    }
    free(rec->final_url);
    rec->final_url = target;
    return REDIRECT_END;
}
