/* journal: the --state file that lets a crawl resume after anything,
 * SIGKILL included. Append-only text, version 2:
 *
 *   crawl-state 2                       header
 *   D <depth> <url> <parent|->          discovered (again: a shorter depth)
 *   N <depth> <url> <parent|->          seen only through nofollow links
 *   F <url> [<hop>...]                  record written after a fetch
 *   S <url>                             record written without a fetch
 *   C <position>                        commit
 *
 * Canonical URLs never contain spaces or newlines, so fields split on ' '.
 * An F line lists every redirect hop after the first URL, however many.
 *
 * Group commit: entries are kept in memory and written by journal_commit,
 * all of them plus one C line in a single write(2). A C line makes the
 * entries since the previous one count, and records how far the output
 * had got once their records were pushed to it: its size in bytes (jsonl,
 * edges, and their .gz, whose commits end gzip members) or its last row id
 * (sqlite). Lines after the last C (a kill in the middle of the write)
 * never counted. --resume cuts the state file back to the last C and the
 * output back to that C's position, so records written after the last
 * commit are written again, once: the records in the output are those of
 * one uninterrupted crawl. Positions never decrease; an output that cannot
 * be cut back (stdout) repeats the previous position, and the crawl
 * commits each of its records at once.
 *
 * Version 1 files (one F/S line per record, no C lines) are refused:
 * they hold no output positions to cut back to, and the runs that wrote
 * them rewrote the output each time.
 *
 * Nothing is fsync'ed: a kill loses nothing that was written. After a
 * power loss, whichever of the two files lost more decides: resume uses
 * the last C whose position the output still reaches (journal_prepare).
 * Owns the fd and the pending entries. */
#ifndef CRAWL_JOURNAL_H
#define CRAWL_JOURNAL_H

#include <stddef.h>
#include <stdint.h>

/* A commit is due once this many records are pending, or the oldest
 * pending record is this old. */
#define JOURNAL_BATCH_RECORDS 256
#define JOURNAL_BATCH_MS      100

enum journal_kind {
    JOURNAL_DISCOVERED = 'D',
    JOURNAL_NOFOLLOW = 'N',
    JOURNAL_FETCHED = 'F',
    JOURNAL_SKIPPED = 'S'
};

struct journal;

/* One loaded entry: url/parent/hops point into a buffer valid during the
 * call; hops (F only) are the redirect hops of that record. */
typedef void (*journal_entry_fn)(void *ctx, enum journal_kind kind, int depth, const char *url,
                                 const char *parent, const char *const *hops, size_t nhops);

/* Before the output is opened. Without resume: refuse an existing,
 * non-empty state file at path (so that the output is not truncated for
 * nothing). With resume: cut the state file back to its last commit whose
 * position is at most `reach` (how far the output gets now: output_reach;
 * < 0 = no limit, for a stream) and store that position in *pos (0 when
 * nothing was committed or the file does not exist yet). 0, or -1 with a
 * reason in err (exists, not a state file, version 1, I/O error). */
int journal_prepare(const char *path, int resume, int64_t reach, int64_t *pos, char *err,
                    size_t errcap);

/* Open path. resume: read the committed entries (through fn), cut off
 * anything after the last commit, then append; otherwise the file must
 * not exist or be empty. NULL with a reason in err. */
struct journal *journal_open(const char *path, int resume, journal_entry_fn fn, void *ctx,
                             char *err, size_t errcap);
/* Add entries to the pending batch. Return 0, or -1 once writing failed
 * (logged once). */
int journal_seen(struct journal *j, enum journal_kind kind, int depth, const char *url,
                 const char *parent);
/* Call only once the record of url was handed to the output; now is the
 * caller's clock (clock_ms), which times the batch. */
int journal_done(struct journal *j, enum journal_kind kind, const char *url,
                 const char *const *hops, size_t nhops, int64_t now);
/* Nonzero when journal_commit should run now: anything is pending and
 * `force`, or a batch is full, or its oldest record is JOURNAL_BATCH_MS
 * old, or the pending entries grew large. */
int journal_commit_due(const struct journal *j, int64_t now, int force);
/* Milliseconds until a commit falls due by time (0: due now), or -1 when
 * no record is pending. For the loop's poll timeout. */
int64_t journal_commit_wait_ms(const struct journal *j, int64_t now);
/* The output has pushed every record handed to it so far and stands at
 * pos (< 0: a stream, the previous position is repeated). Write the
 * pending entries and a C line in one write(2). 0, or -1 once writing
 * failed (logged once). */
int journal_commit(struct journal *j, int64_t pos);
/* Close without committing: pending entries are dropped. NULL is fine. */
void journal_close(struct journal *j);

#endif
