#!/usr/bin/env python3
"""Link data for spreadsheets and databases (issue 12, item 7, in part), on
a scripted site on 127.0.0.1: -f pages (one CSV row per record, the same
facts as the JSON Lines), -f broken (one row per referrer and target, not
per link), and -f sqlite's redirects table and nofollow column."""

import csv
import io
import os
import sqlite3
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e2elib import Checker, check_run_ok, parse_args, run_crawl  # noqa: E402
from test_request import Site, page  # noqa: E402

ROOT = ("<title>Home, sweet</title><a href='/gone'>g</a><a href='/ok'>o</a>"
        "<a href='/gone'>again</a><a href='/r'>r</a><a rel='nofollow' href='/nf'>n</a>")


def routes():
    return {"/": page(ROOT), "/gone": page("gone", 404), "/ok": page("<title>ok</title>"),
            "/r": lambda h: (302, {"Location": "/ok2"}, ""), "/ok2": page("ok2"),
            "/nf": page("nf"), "/robots.txt": page("", 404)}


def main():
    args = parse_args(__doc__.split("\n")[0])
    c = Checker(args.verbose)
    with Site(routes()) as site, tempfile.TemporaryDirectory() as tmp:
        rel = lambda u: u[len(site.url("")):] if u and u.startswith(site.url("")) else u  # noqa
        res = run_crawl(args.crawl, ["-d", "1", site.url("/")])
        if not check_run_ok(c, res, "jsonl"):
            return c.finish()
        recs = {rel(r["url"]): r for r in res.records}

        # -f pages: one row per record, the same facts
        res = run_crawl(args.crawl, ["-d", "1", "-f", "pages", site.url("/")])
        c.eq(res.rc, 0, "-f pages: exit status 0")
        rows = list(csv.DictReader(io.StringIO(res.out.decode())))
        c.eq(list(rows[0].keys()) if rows else None,
             ["url", "final_url", "depth", "parent", "status", "content_type", "bytes",
              "fetch_ms", "title", "error", "reason", "links", "links_dropped", "redirects"],
             "-f pages: header")
        got = {rel(r["url"]): (r["depth"], r["status"], r["title"], r["reason"], r["links"],
                               r["redirects"], rel(r["final_url"])) for r in rows}
        want = {u: (str(r["depth"]), str(r["status"] or ""), r["title"] or "", r["reason"] or "",
                    str(len(r["links"])), str(len(r["redirects"])), rel(r["final_url"]))
                for u, r in recs.items()}
        c.eq(got, want, "-f pages: one row per record, as in the JSON Lines")
        c.eq(got.get("/", ())[2:3], ("Home, sweet",), "-f pages: a title with a comma")

        # -f broken: the page links /gone twice: one row
        path = os.path.join(tmp, "b.csv")
        res = run_crawl(args.crawl, ["-d", "1", "-f", "broken", "-o", path, site.url("/")])
        c.eq(res.rc, 0, "-f broken: exit status 0")
        with open(path) as f:
            brows = [(rel(r["source"]), rel(r["target"]), r["failure"])
                     for r in csv.DictReader(f)]
        c.eq(brows, [("/", "/gone", "404")], "-f broken: one row per referrer and target")

        # -f sqlite: redirects table, nofollow column
        db = os.path.join(tmp, "s.db")
        res = run_crawl(args.crawl, ["-d", "1", "-f", "sqlite", "-o", db, site.url("/")])
        c.eq(res.rc, 0, "-f sqlite: exit status 0")
        con = sqlite3.connect(db)
        red = [(rel(u), h, rel(hu), s) for u, h, hu, s in
               con.execute("select url, hop, hop_url, status from redirects")]
        c.eq(red, [("/r", 0, "/r", 302)], "-f sqlite: the redirects table")
        nf = {rel(t): n for t, n in con.execute("select target, nofollow from links")}
        c.eq((nf.get("/nf"), nf.get("/ok")), (1, 0), "-f sqlite: the nofollow column")
        con.close()
    return c.finish()


if __name__ == "__main__":
    sys.exit(main())
