/* test_journal: the --state journal, on a fake clock: entries reach the file only with a
 * commit (one write, a C line with the output's position), a batch is due
 * after JOURNAL_BATCH_RECORDS records or JOURNAL_BATCH_MS, --resume reads
 * back exactly the committed entries (every redirect hop), cuts off what
 * follows the last commit the output reaches, and refuses what it must. */
#include "check.h"
#include "journal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct seen_log {
    char text[1 << 16];
    size_t len;
    size_t entries;
    size_t max_hops;
};

static void on_entry(void *ctx, enum journal_kind kind, int depth, const char *url,
                     const char *parent, const char *const *hops, size_t nhops)
{
    struct seen_log *l = ctx;
    int n = snprintf(l->text + l->len, sizeof l->text - l->len, "%c %d %s %s %zu\n", (char)kind,
                     depth, url, parent ? parent : "-", nhops);
    if (n > 0 && (size_t)n < sizeof l->text - l->len)
        l->len += (size_t)n;
    if (nhops > l->max_hops)
        l->max_hops = nhops;
    for (size_t i = 0; i < nhops; i++)
        if (strncmp(hops[i], "http://h/r", 10))
            l->max_hops = (size_t)-1;
    l->entries++;
}

static char *slurp(const char *path)
{
    static char buf[1 << 16];
    FILE *f = fopen(path, "r");
    size_t n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
    if (f)
        fclose(f);
    buf[n] = '\0';
    return buf;
}

static void put(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
}

int main(void)
{
    char dir[] = "/tmp/test_journal_XXXXXX";
    char path[64], err[256];
    if (!mkdtemp(dir))
        return 1;
    snprintf(path, sizeof path, "%s/state", dir);
    int64_t pos = -7;

    /* A new state file. */
    CHECK(journal_prepare(path, 0, -1, &pos, err, sizeof err) == 0);
    struct journal *j = journal_open(path, 0, on_entry, NULL, err, sizeof err);
    CHECK(j != NULL);
    const int64_t t0 = 1000000;                 /* a fake clock */
    CHECK(journal_commit_wait_ms(j, t0) == -1); /* nothing pending */
    CHECK(journal_seen(j, JOURNAL_DISCOVERED, 0, "http://h/", NULL) == 0);
    CHECK(journal_seen(j, JOURNAL_NOFOLLOW, 1, "http://h/n", "http://h/") == 0);
    const char *hops[70];
    char hopbuf[70][32];
    for (int i = 0; i < 70; i++) {
        snprintf(hopbuf[i], sizeof hopbuf[i], "http://h/r%d", i);
        hops[i] = hopbuf[i];
    }
    CHECK(journal_done(j, JOURNAL_FETCHED, "http://h/", hops, 70, t0) == 0);
    const int64_t t1 = t0 + 1;
    /* Due by time exactly when the oldest record is JOURNAL_BATCH_MS old. */
    CHECK(!journal_commit_due(j, t0 + JOURNAL_BATCH_MS - 1, 0));
    CHECK(journal_commit_wait_ms(j, t0 + 40) == JOURNAL_BATCH_MS - 40);
    CHECK(journal_commit_due(j, t0 + JOURNAL_BATCH_MS, 0));
    CHECK(journal_commit_due(j, t0, 1));
    CHECK(journal_commit_wait_ms(j, t1 + 2 * JOURNAL_BATCH_MS) == 0);
    /* Nothing reaches the file before the commit. */
    CHECK_STR(slurp(path), "crawl-state 2\n");
    CHECK(journal_commit(j, 123) == 0);
    const char *text = slurp(path);
    CHECK(!strncmp(text, "crawl-state 2\nD 0 http://h/ -\nN 1 http://h/n http://h/\nF http://h/ ",
                   66));
    CHECK(strstr(text, " http://h/r69\nC 123\n") != NULL);
    CHECK(!journal_commit_due(j, t1 + 10 * JOURNAL_BATCH_MS, 1)); /* nothing pending */

    /* A full batch is due at once; a second commit at 500. */
    char u[64];
    for (int i = 0; i < JOURNAL_BATCH_RECORDS; i++) {
        snprintf(u, sizeof u, "http://h/p%d", i);
        journal_seen(j, JOURNAL_DISCOVERED, 1, u, "http://h/");
        journal_done(j, JOURNAL_SKIPPED, u, NULL, 0, t1);
        CHECK(journal_commit_due(j, t1, 0) == (i + 1 == JOURNAL_BATCH_RECORDS));
    }
    CHECK(journal_commit(j, 500) == 0);
    /* Entries after the last commit are dropped at close. */
    journal_seen(j, JOURNAL_DISCOVERED, 1, "http://h/late", "http://h/");
    journal_done(j, JOURNAL_SKIPPED, "http://h/late", NULL, 0, t1);
    journal_close(j);
    CHECK(strstr(slurp(path), "http://h/late") == NULL);

    /* Without --resume an existing state file is refused. */
    CHECK(journal_prepare(path, 0, -1, &pos, err, sizeof err) < 0);
    CHECK(journal_open(path, 0, on_entry, NULL, err, sizeof err) == NULL);

    /* --resume with the whole output there: both commits count. */
    struct seen_log *log = calloc(1, sizeof *log);
    CHECK(journal_prepare(path, 1, -1, &pos, err, sizeof err) == 0 && pos == 500);
    j = journal_open(path, 1, on_entry, log, err, sizeof err);
    CHECK(j != NULL);
    CHECK(log->entries == 3 + 2 * JOURNAL_BATCH_RECORDS);
    CHECK(log->max_hops == 70); /* every hop, none mangled */
    CHECKF(!strncmp(log->text, "D 0 http://h/ - 0\nN 1 http://h/n http://h/ 0\nF ", 45) &&
               strstr(log->text, " http://h/ - 70\n"),
           "%.80s", log->text);
    journal_close(j);

    /* An output that reaches only position 300: back to the first commit. */
    memset(log, 0, sizeof *log);
    CHECK(journal_prepare(path, 1, 300, &pos, err, sizeof err) == 0 && pos == 123);
    j = journal_open(path, 1, on_entry, log, err, sizeof err);
    CHECK(j && log->entries == 3);
    journal_close(j);

    /* A torn last line (a kill in the middle of a write) never counted. */
    FILE *f = fopen(path, "a");
    fputs("D 1 http://h/torn http://h/\nC 9", f);
    fclose(f);
    memset(log, 0, sizeof *log);
    CHECK(journal_prepare(path, 1, -1, &pos, err, sizeof err) == 0 && pos == 123);
    j = journal_open(path, 1, on_entry, log, err, sizeof err);
    CHECK(j && log->entries == 3 && !strstr(log->text, "torn"));
    journal_close(j);

    /* Version 1 and foreign files are refused with a reason. */
    put(path, "crawl-state 1\nD 0 http://h/ -\nF http://h/\n");
    err[0] = '\0';
    CHECK(journal_prepare(path, 1, -1, &pos, err, sizeof err) < 0 && strstr(err, "1"));
    put(path, "hello\n");
    CHECK(journal_prepare(path, 1, -1, &pos, err, sizeof err) < 0);

    free(log);
    unlink(path);
    rmdir(dir);
    return check_summary("journal");
}
