/* format_sqlite: a SQLite database at -o FILE (never stdout, never gzip):
 *   pages(id, url UNIQUE, final_url, depth, parent, status, content_type,
 *         bytes, fetch_ms, title, error, reason)
 *   links(source, target, tag, attr, rel, text, external)
 * with indexes on pages(url) (the UNIQUE one), links(source), links(target).
 * A URL is text as in the JSONL; external is 0/1; absent values are NULL.
 * An existing FILE is replaced. Rows go in as the crawl goes, in
 * transactions committed every FORMAT_SQLITE_BATCH records or at the first
 * record after a second, so the file can be queried during the crawl. With
 * --sort the database is built beside FILE at close and renamed over it.
 * Text is stored as valid UTF-8 (invalid bytes become U+FFFD).
 *
 * Under --state the journal decides the commits (output_commit), and a
 * commit's position is the last pages.id: --resume deletes the pages after
 * it, with their links, and goes on in the same file. Meanwhile the
 * database is in WAL mode with synchronous=NORMAL, so a commit is an
 * append to FILE-wal, not a few fsyncs (those come only at checkpoints);
 * at close it goes back to a rollback journal, one file again. */
#include "format.h"

#include "clock.h"
#include "format_text.h"
#include "log.h"
#include "xalloc.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define FORMAT_SQLITE_BUSY_MS  2000 /* wait for a reader holding the file */
#define FORMAT_SQLITE_BATCH    1000
#define FORMAT_SQLITE_BATCH_MS 1000
#define FORMAT_SQLITE_TEXT_MAX (64u * 1024 * 1024)

/* IF NOT EXISTS: a resumed crawl finds the tables there. */
static const char format_sqlite_schema[] =
    "CREATE TABLE IF NOT EXISTS pages(id INTEGER PRIMARY KEY, url TEXT NOT NULL UNIQUE, "
    "final_url TEXT, depth INTEGER, parent TEXT, status INTEGER, content_type TEXT, "
    "bytes INTEGER, fetch_ms INTEGER, title TEXT, error TEXT, reason TEXT);"
    "CREATE TABLE IF NOT EXISTS links(source TEXT NOT NULL, target TEXT NOT NULL, tag TEXT, "
    "attr TEXT, rel TEXT, text TEXT, external INTEGER NOT NULL, nofollow INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS redirects(url TEXT NOT NULL, hop INTEGER NOT NULL, "
    "hop_url TEXT NOT NULL, status INTEGER NOT NULL);"
    "CREATE INDEX IF NOT EXISTS redirects_url ON redirects(url);"
    "CREATE INDEX IF NOT EXISTS links_source ON links(source);"
    "CREATE INDEX IF NOT EXISTS links_target ON links(target);";

static const char format_sqlite_last_id[] = "SELECT coalesce(max(id), 0) FROM pages";

struct format_sqlite {
    sqlite3 *db;
    sqlite3_stmt *page, *link, *redirect, *last_id;
    const char *path; /* the database's final name */
    char *tmp;        /* built under this name and renamed, or NULL */
    struct buf text;
    unsigned pending; /* records since the last commit */
    int64_t last_commit;
};

static void format_sqlite_fail(struct format *f, const char *what)
{
    struct format_sqlite *s = f->state;
    if (!f->err[0])
        snprintf(f->err, sizeof f->err, "sqlite: %s %s: %s", what, s->path,
                 s->db ? sqlite3_errmsg(s->db) : "out of memory");
}

/* Free everything; remove a temp database. */
static void format_sqlite_free(struct format *f)
{
    struct format_sqlite *s = f->state;
    sqlite3_finalize(s->page);
    sqlite3_finalize(s->link);
    sqlite3_finalize(s->redirect);
    sqlite3_finalize(s->last_id);
    sqlite3_close(s->db);
    if (s->tmp) {
        unlink(s->tmp);
        free(s->tmp);
    }
    buf_free(&s->text);
    free(s);
    f->state = NULL;
}

/* Remove FILE and the journals a previous database may have left. */
static void format_sqlite_remove(const char *path)
{
    static const char *const ext[] = {"", "-journal", "-wal", "-shm"};
    size_t n = strlen(path) + 16;
    char *name = xmalloc(n);
    for (size_t i = 0; i < sizeof ext / sizeof ext[0]; i++) {
        snprintf(name, n, "%s%s", path, ext[i]);
        unlink(name);
    }
    free(name);
}

/* --resume: delete the pages after the last commit, and their links. */
static int format_sqlite_cut(struct format *f, int64_t last_id)
{
    struct format_sqlite *s = f->state;
    char sql[256];
    snprintf(sql, sizeof sql,
             "DELETE FROM links WHERE source IN (SELECT url FROM pages WHERE id > %lld);"
             "DELETE FROM redirects WHERE url IN (SELECT url FROM pages WHERE id > %lld);"
             "DELETE FROM pages WHERE id > %lld;",
             (long long)last_id, (long long)last_id, (long long)last_id);
    if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK) {
        format_sqlite_fail(f, "cannot cut back");
        return -1;
    }
    return 0;
}

static int format_sqlite_open(struct format *f)
{
    const char *path = f->cfg->path;
    if (!path || !strcmp(path, "-")) {
        snprintf(f->err, sizeof f->err, "--format sqlite needs -o FILE (not stdout)");
        return -1;
    }
    if (format_sink_is_gz(path)) {
        snprintf(f->err, sizeof f->err, "--format sqlite cannot be gzip-compressed: %s", path);
        return -1;
    }
    if (!format_sink_replaceable(path)) {
        snprintf(f->err, sizeof f->err, "--format sqlite: %s is not a regular file", path);
        return -1;
    }
    struct format_sqlite *s = xcalloc(1, sizeof *s);
    f->state = s;
    s->path = path;
    buf_init(&s->text, FORMAT_SQLITE_TEXT_MAX);
    if (f->temp) {
        int fd = format_sink_tempfile(path, &s->tmp, f->err, sizeof f->err);
        if (fd < 0)
            goto fail;
        close(fd);
    } else if (!f->cfg->resume) {
        format_sqlite_remove(path);
    }
    if (sqlite3_open_v2(s->tmp ? s->tmp : path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                        NULL) != SQLITE_OK) {
        format_sqlite_fail(f, "cannot open");
        goto fail;
    }
    /* WAL: a reader of the live database (sqlite3 out.db "select ...")
     * never makes a commit fail with SQLITE_BUSY; the busy timeout only
     * covers a checkpoint meeting a reader. Back to one file at close. */
    sqlite3_busy_timeout(s->db, FORMAT_SQLITE_BUSY_MS);
    if (!s->tmp && sqlite3_exec(s->db, "PRAGMA synchronous=NORMAL; PRAGMA journal_mode=WAL;", NULL,
                                NULL, NULL) != SQLITE_OK) {
        format_sqlite_fail(f, "cannot set up");
        goto fail;
    }
    if (sqlite3_exec(s->db, format_sqlite_schema, NULL, NULL, NULL) != SQLITE_OK) {
        format_sqlite_fail(f, "cannot create");
        goto fail;
    }
    if (f->cfg->resume && format_sqlite_cut(f, f->cfg->committed) < 0)
        goto fail;
    if (sqlite3_exec(s->db, "BEGIN;", NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(s->db, format_sqlite_last_id, -1, &s->last_id, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(s->db,
                           "INSERT INTO pages(url, final_url, depth, parent, status, content_type, "
                           "bytes, fetch_ms, title, error, reason) "
                           "VALUES(?,?,?,?,?,?,?,?,?,?,?)",
                           -1, &s->page, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(s->db,
                           "INSERT INTO links(source, target, tag, attr, rel, text, external, "
                           "nofollow) VALUES(?,?,?,?,?,?,?,?)",
                           -1, &s->link, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(s->db,
                           "INSERT INTO redirects(url, hop, hop_url, status) VALUES(?,?,?,?)", -1,
                           &s->redirect, NULL) != SQLITE_OK) {
        format_sqlite_fail(f, "cannot create");
        goto fail;
    }
    s->last_commit = clock_ms();
    return 0;
fail:
    if (s->db && !s->tmp && !f->cfg->resume) {
        sqlite3_close(s->db); /* nothing worth keeping was written */
        s->db = NULL;
        format_sqlite_remove(path);
    }
    format_sqlite_free(f);
    return -1;
}

/* Bind text (NULL -> NULL), as valid UTF-8; SQLite copies it. */
static void format_sqlite_text(struct format_sqlite *s, sqlite3_stmt *st, int i, const char *v)
{
    buf_reset(&s->text);
    if (!v || format_text_utf8(&s->text, v) < 0 || buf_append(&s->text, "", 0) < 0)
        sqlite3_bind_null(st, i);
    else
        sqlite3_bind_text(st, i, s->text.data, (int)s->text.len, SQLITE_TRANSIENT);
}

/* Run a bound insert. 0, 1 for a duplicate URL (skipped), -1 on failure. */
static int format_sqlite_step(sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (rc == SQLITE_DONE)
        return 0;
    return rc == SQLITE_CONSTRAINT ? 1 : -1;
}

static int format_sqlite_links(struct format_sqlite *s, const struct output_record *r)
{
    sqlite3_stmt *st = s->link;
    for (size_t i = 0; r->page && i < r->page->nlinks; i++) {
        const struct html_link *l = &r->page->links[i];
        if (l->unusable)
            continue; /* no URL: only jsonl lists it */
        format_sqlite_text(s, st, 1, r->url);
        format_sqlite_text(s, st, 2, l->url);
        format_sqlite_text(s, st, 3, l->tag);
        format_sqlite_text(s, st, 4, l->attr);
        format_sqlite_text(s, st, 5, l->rel);
        format_sqlite_text(s, st, 6, l->text ? l->text : "");
        sqlite3_bind_int(st, 7, r->external && (r->external[i] & OUTPUT_LINK_EXTERNAL));
        sqlite3_bind_int(st, 8, r->external && (r->external[i] & OUTPUT_LINK_NOFOLLOW));
        if (format_sqlite_step(st) != 0)
            return -1;
    }
    for (size_t i = 0; i < r->nhops; i++) {
        format_sqlite_text(s, s->redirect, 1, r->url);
        sqlite3_bind_int(s->redirect, 2, (int)i);
        format_sqlite_text(s, s->redirect, 3, r->hops[i].url);
        sqlite3_bind_int64(s->redirect, 4, r->hops[i].status);
        if (format_sqlite_step(s->redirect) != 0)
            return -1;
    }
    return 0;
}

static int format_sqlite_commit(struct format *f)
{
    struct format_sqlite *s = f->state;
    if (s->pending == 0)
        return 0;
    if (sqlite3_exec(s->db, "COMMIT; BEGIN;", NULL, NULL, NULL) != SQLITE_OK) {
        format_sqlite_fail(f, "committing to");
        return -1;
    }
    s->pending = 0;
    s->last_commit = clock_ms();
    return 0;
}

static int format_sqlite_record(struct format *f, const struct output_record *r)
{
    struct format_sqlite *s = f->state;
    sqlite3_stmt *st = s->page;
    char mt[128];
    format_sqlite_text(s, st, 1, r->url);
    format_sqlite_text(s, st, 2, r->final_url ? r->final_url : r->url);
    sqlite3_bind_int(st, 3, r->depth);
    format_sqlite_text(s, st, 4, r->parent);
    if (r->status)
        sqlite3_bind_int64(st, 5, r->status);
    format_sqlite_text(s, st, 6,
                       format_text_media_type(r->content_type, mt, sizeof mt) ? mt : NULL);
    sqlite3_bind_int64(st, 7, (sqlite3_int64)r->bytes);
    sqlite3_bind_int64(st, 8, r->fetch_ms);
    format_sqlite_text(s, st, 9, r->page ? r->page->title : NULL);
    format_sqlite_text(s, st, 10, r->error);
    format_sqlite_text(s, st, 11, r->reason);
    int rc = format_sqlite_step(st);
    if (rc == 1) {
        log_warn("sqlite: a second record for %s skipped", r->url);
        return 0;
    }
    if (rc < 0 || format_sqlite_links(s, r) < 0) {
        format_sqlite_fail(f, "writing");
        return -1;
    }
    s->pending++;
    if (!f->cfg->journaled && (s->pending >= FORMAT_SQLITE_BATCH ||
                               clock_ms() - s->last_commit >= FORMAT_SQLITE_BATCH_MS))
        return format_sqlite_commit(f);
    return 0;
}

/* output_commit: the transaction, then the last row id as the position. */
static int format_sqlite_commit_at(struct format *f, int64_t *pos)
{
    struct format_sqlite *s = f->state;
    *pos = -1;
    if (format_sqlite_commit(f) < 0)
        return -1;
    if (sqlite3_step(s->last_id) != SQLITE_ROW) {
        sqlite3_reset(s->last_id);
        format_sqlite_fail(f, "reading");
        return -1;
    }
    *pos = sqlite3_column_int64(s->last_id, 0);
    sqlite3_reset(s->last_id);
    return 0;
}

static int format_sqlite_reach(const struct output_config *cfg, int64_t *reach, char *err,
                               size_t errcap)
{
    struct stat st;
    sqlite3 *db = NULL;
    sqlite3_stmt *st_last = NULL;
    int rc = -1;
    *reach = 0;
    if (!cfg->path)
        return 0; /* refused at open */
    if (stat(cfg->path, &st) < 0) {
        if (errno == ENOENT)
            return 0;
        snprintf(err, errcap, "cannot resume %s: %s", cfg->path, strerror(errno));
        return -1;
    }
    /* Read-write: after a kill, opening it recovers its WAL. */
    if (sqlite3_open_v2(cfg->path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
        snprintf(err, errcap, "cannot resume %s: %s", cfg->path,
                 db ? sqlite3_errmsg(db) : "out of memory");
        goto out;
    }
    if (sqlite3_prepare_v2(db, format_sqlite_last_id, -1, &st_last, NULL) == SQLITE_OK) {
        if (sqlite3_step(st_last) == SQLITE_ROW) {
            *reach = sqlite3_column_int64(st_last, 0);
            rc = 0;
        } else {
            snprintf(err, errcap, "cannot resume %s: %s", cfg->path, sqlite3_errmsg(db));
        }
        goto out;
    }
    /* No pages table: fine for a database with no tables at all. */
    sqlite3_stmt *any = NULL;
    if (sqlite3_prepare_v2(db, "SELECT count(*) FROM sqlite_master", -1, &any, NULL) == SQLITE_OK &&
        sqlite3_step(any) == SQLITE_ROW && sqlite3_column_int64(any, 0) == 0)
        rc = 0;
    else
        snprintf(err, errcap, "cannot resume %s: not a database written by crawl", cfg->path);
    sqlite3_finalize(any);
out:
    sqlite3_finalize(st_last);
    sqlite3_close(db);
    return rc;
}

static int format_sqlite_close(struct format *f, int ok)
{
    struct format_sqlite *s = f->state;
    int rc = 0;
    if (ok) {
        if (sqlite3_exec(s->db, "COMMIT;", NULL, NULL, NULL) != SQLITE_OK) {
            format_sqlite_fail(f, "committing to");
            rc = -1;
        }
        sqlite3_finalize(s->page);
        sqlite3_finalize(s->link);
        sqlite3_finalize(s->redirect);
        sqlite3_finalize(s->last_id);
        s->page = s->link = s->redirect = s->last_id = NULL;
        /* Back to one file; if a reader holds it, it stays in WAL mode. */
        if (rc == 0 && !s->tmp)
            (void)sqlite3_exec(s->db, "PRAGMA journal_mode=DELETE;", NULL, NULL, NULL);
        if (rc == 0 && sqlite3_close(s->db) != SQLITE_OK) {
            format_sqlite_fail(f, "closing");
            rc = -1;
        } else if (rc == 0) {
            s->db = NULL;
        }
        if (rc == 0 && s->tmp) {
            if (rename(s->tmp, s->path) < 0) {
                snprintf(f->err, sizeof f->err, "cannot rename %s to %s: %s", s->tmp, s->path,
                         strerror(errno));
                rc = -1;
            } else {
                free(s->tmp);
                s->tmp = NULL;
            }
        }
    }
    format_sqlite_free(f);
    return ok ? rc : -1;
}

const struct format_ops format_sqlite_ops = {
    .name = "sqlite",
    .flags = FORMAT_OWN_OUTPUT,
    .open = format_sqlite_open,
    .record = format_sqlite_record,
    .flush = format_sqlite_commit,
    .commit = format_sqlite_commit_at,
    .reach = format_sqlite_reach,
    .close = format_sqlite_close,
};
