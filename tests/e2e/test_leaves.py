#!/usr/bin/env python3
"""--no-parse-leaves (issue 13): the pages at the depth limit are fetched but
not parsed, as wget -r does. Each sample site over HTTP and offline, at
depths 0-2, with and without the option: the same records (URL, depth,
status) and the same requests, the last level's records without links or
title, every other record exactly as without the option, and the workers
parsing exactly the last level's HTML pages fewer (--stats-json "parsed").
It cannot be combined with --check-external."""

import json
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e2elib import (SITES, Checker, check_records, check_run_ok, parse_args,  # noqa: E402
                    run_crawl)
from httpserver import TestServer  # noqa: E402


def crawl_with_stats(c, args, argv, what):
    """Records by URL and the --stats-json figures of one crawl."""
    with tempfile.TemporaryDirectory() as tmp:
        sj = os.path.join(tmp, "stats.json")
        res = run_crawl(args.crawl, ["--stats-json", sj] + argv, timeout=60)
        if not check_run_ok(c, res, what):
            return None, None
        with open(sj, encoding="utf-8") as f:
            stats = json.load(f)
    return res, stats


def is_parsable(r):
    return (r["content_type"] or "").startswith("text/html") and r["status"] is not None and \
        200 <= r["status"] < 300 and not r["error"]


def compare(c, base, leaves, depth, what):
    """leaves (with --no-parse-leaves) against base (without)."""
    res0, st0 = base
    res1, st1 = leaves
    if res0 is None or res1 is None:
        return
    check_records(c, res1, what, max_depth=depth)
    by0, by1 = res0.by_url(), res1.by_url()
    key = ("depth", "status", "content_type", "bytes", "error", "reason")
    c.eq({u: tuple(r[k] for k in key) for u, r in by1.items()},
         {u: tuple(r[k] for k in key) for u, r in by0.items()},
         "%s: the same records (URL, depth, status, type, bytes) as without the option" % what)
    last = [u for u, r in by0.items() if r["depth"] == depth]
    c.check(last, "%s: the crawl reaches the depth limit" % what)
    c.check(any(by0[u]["links"] for u in last),
            "%s: without the option the last level's records have links (the test can fail)" % what)
    c.eq({u: (by1[u]["links"], by1[u]["title"]) for u in last if u in by1},
         {u: ([], None) for u in last},
         "%s: the last level's records have no links and no title" % what)
    inner = [u for u, r in by0.items() if r["depth"] < depth]
    c.eq({u: (by1[u]["links"], by1[u]["title"]) for u in inner if u in by1},
         {u: (by0[u]["links"], by0[u]["title"]) for u in inner},
         "%s: the records above the last level are unchanged" % what)
    skipped = sum(1 for u in last if is_parsable(by0[u]))
    c.check(skipped > 0, "%s: the last level holds HTML pages" % what)
    c.eq((st0["parsed"] - st1["parsed"], st1["parse_errors"]), (skipped, 0),
         "%s: the workers parsed exactly the last level's %d HTML pages fewer" % (what, skipped))


def late_shorter_path(c, args):
    """A page first reached at the depth limit, then by a shorter path
    through a slow page: its depth was not final when it came, so it is
    parsed, and its links count at the shorter depth."""
    def page(links):
        return "<html><body>%s</body></html>" % "".join('<a href="%s">x</a>' % u for u in links)
    with tempfile.TemporaryDirectory() as root:
        files = {"index.html": ["/slow.html", "/a.html"], "a.html": ["/b.html"],
                 "b.html": ["/deep.html"], "slow.html": ["/deep.html"],
                 "deep.html": ["/deeper.html"], "deeper.html": []}
        for name, links in files.items():
            with open(os.path.join(root, name), "w") as f:
                f.write(page(links))
        with TestServer(root) as srv:
            srv.set_path_latency("/slow.html", 1500)
            base = run_crawl(args.crawl, ["-q", "-d", "3", srv.url("/")], timeout=60)
            leaves = run_crawl(args.crawl, ["-q", "-d", "3", "--no-parse-leaves",
                                            srv.url("/")], timeout=60)
        want = {r["url"]: r["depth"] for r in base.records}
        got = {r["url"]: r["depth"] for r in leaves.records}
        c.eq(want.get(srv.url("/deeper.html")), 3, "late path: deeper.html is at depth 3")
        c.eq(got, want, "late path: --no-parse-leaves keeps a page whose depth was lowered "
             "after it came (deep.html at 3, then 2: its links counted)")


def main():
    args = parse_args(__doc__.split("\n")[0])
    c = Checker(args.verbose)
    for site in SITES:
        site_dir = os.path.join(args.root, "sample_sites", site)
        with TestServer(site_dir) as srv:
            for depth in range(3):
                what = "http %s -d %d --no-parse-leaves" % (site, depth)
                srv.reset_stats()
                base = crawl_with_stats(c, args, ["-d", depth, srv.url("/")], what + " (without)")
                gets0 = srv.fetch_counts("GET")
                srv.reset_stats()
                leaves = crawl_with_stats(c, args, ["-d", depth, "--no-parse-leaves",
                                                    srv.url("/")], what)
                gets1 = srv.fetch_counts("GET")
                if depth == 0:
                    c.eq(leaves[1] and leaves[1]["parsed"], 0,
                         "%s: the start page alone is fetched, not parsed" % what)
                    continue
                compare(c, base, leaves, depth, what)
                c.eq(gets1, gets0, "%s: the same requests, each once as without the option" % what)
                c.check(all(n == 1 for p, n in gets1.items()),
                        "%s: no URL requested twice" % what, repr(gets1))
        what = "offline %s -d 2 --no-parse-leaves" % site
        base = crawl_with_stats(c, args, ["-d", 2, site_dir + "/"], what + " (without)")
        leaves = crawl_with_stats(c, args, ["-d", 2, "--no-parse-leaves", site_dir + "/"], what)
        compare(c, base, leaves, 2, what)

    late_shorter_path(c, args)

    what = "--no-parse-leaves --check-external"
    res = run_crawl(args.crawl, ["--no-parse-leaves", "--check-external",
                                 os.path.join(args.root, "sample_sites", "blog") + "/"])
    c.check(res.rc == 2 and not res.out and "cannot be combined" in res.err,
            "%s: refused (exit 2) before crawling, saying why" % what, res.describe())
    return c.finish()


if __name__ == "__main__":
    sys.exit(main())
