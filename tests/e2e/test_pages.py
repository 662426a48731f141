#!/usr/bin/env python3
"""Link data (issue 12, items 3 and 7, in part), on scripted sites on
127.0.0.1: every URL-bearing attribute in links, -p, -f pages (one CSV row per record, the same
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


EMBEDS = ("<meta http-equiv=refresh content='0; url=/moved'><script src='/app.js'></script>"
          "<img src='/a.png' alt='A' srcset='/a1.png 1x, /a2.png 2x'><video src='/v.mp4' "
          "poster='/v.jpg'><track src='/t.vtt'></video><audio src='/s.mp3'></audio>"
          "<embed src='/e.swf'><object data='/o.pdf'></object><form action='/search'></form>"
          "<a href='/page'>p</a>")
RESOURCES = ["/app.js", "/a.png", "/a1.png", "/a2.png", "/v.mp4", "/v.jpg", "/t.vtt", "/s.mp3",
             "/e.swf", "/o.pdf"]


def test_requisites(c, args):
    """Every URL-bearing attribute is listed with its tag and attribute;
    pages (and a meta refresh) are followed, what pages embed only with
    -p, a form's action never."""
    what = "embedded resources"
    routes = {"/": page(EMBEDS), "/moved": page("m"), "/page": page("p"),
              "/search": page("s"), "/robots.txt": page("", 404)}
    for r in RESOURCES:
        routes[r] = page("bytes", headers={"Content-Type": "application/octet-stream"})
    with Site(routes) as site:
        rel = lambda u: u[len(site.url("")):] if u.startswith(site.url("")) else u  # noqa
        res = run_crawl(args.crawl, ["-d", "1", site.url("/")])
        if not check_run_ok(c, res, what):
            return
        root = [r for r in res.records if rel(r["url"]) == "/"][0]
        c.eq([(rel(l["url"]), l["tag"], l["attr"]) for l in root["links"]],
             [("/moved", "meta", "content"), ("/app.js", "script", "src"),
              ("/a.png", "img", "src"), ("/a1.png", "img", "srcset"),
              ("/a2.png", "img", "srcset"), ("/v.mp4", "video", "src"),
              ("/v.jpg", "video", "poster"), ("/t.vtt", "track", "src"),
              ("/s.mp3", "audio", "src"), ("/e.swf", "embed", "src"),
              ("/o.pdf", "object", "data"), ("/search", "form", "action"),
              ("/page", "a", "href")], "%s: listed in document order" % what)
        c.eq(sorted(rel(r["url"]) for r in res.records), ["/", "/moved", "/page"],
             "%s: without -p, pages and the refresh target only" % what)
        res = run_crawl(args.crawl, ["-d", "1", "-p", site.url("/")])
        if check_run_ok(c, res, what + " -p"):
            got = {rel(r["url"]): r["status"] for r in res.records}
            c.eq(sorted(got), sorted(["/", "/moved", "/page"] + RESOURCES),
                 "-p: what pages embed is fetched, a form's action is not")
            c.check(all(got.get(u) == 200 for u in RESOURCES), "-p: their statuses", got)


def main():
    args = parse_args(__doc__.split("\n")[0])
    c = Checker(args.verbose)
    test_requisites(c, args)
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
