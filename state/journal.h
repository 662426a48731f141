/* journal: the --state file that lets a crawl resume after anything,
 * SIGKILL included. Append-only text, one write(2) per entry, so a kill
 * leaves at most one torn last line, which loading ignores:
 *
 *   crawl-state 1                       header
 *   D <depth> <url> <parent|->          discovered (again: a shorter depth)
 *   N <depth> <url> <parent|->          seen only through nofollow links
 *   F <url> [<hop>...]                  record written after a fetch
 *   S <url>                             record written without a fetch
 *
 * Canonical URLs never contain spaces or newlines, so fields split on ' '.
 * A URL's F/S line is written only after its record reached the output,
 * so the records of all runs together are those of one uninterrupted
 * crawl (a URL in flight at the kill is fetched again). Owns the fd. */
#ifndef CRAWL_JOURNAL_H
#define CRAWL_JOURNAL_H

#include <stddef.h>

enum journal_kind {
    JOURNAL_DISCOVERED = 'D',
    JOURNAL_NOFOLLOW = 'N',
    JOURNAL_FETCHED = 'F',
    JOURNAL_SKIPPED = 'S'
};

struct journal;

/* One loaded entry: url/parent point into a buffer valid during the call;
 * hops (F only) are the redirect hops of that record. */
typedef void (*journal_entry_fn)(void *ctx, enum journal_kind kind, int depth, const char *url,
                                 const char *parent, const char *const *hops, size_t nhops);

/* Open path. resume: read the entries (through fn) then append; otherwise
 * the file must not exist or be empty. NULL with a reason in err. */
struct journal *journal_open(const char *path, int resume, journal_entry_fn fn, void *ctx,
                             char *err, size_t errcap);
/* Append entries. Return 0, or -1 once writing failed (logged once). */
int journal_seen(struct journal *j, enum journal_kind kind, int depth, const char *url,
                 const char *parent);
int journal_done(struct journal *j, enum journal_kind kind, const char *url,
                 const char *const *hops, size_t nhops);
void journal_close(struct journal *j);

#endif
