#!/usr/bin/env python3
"""A generated 1,000-page site whose depths are known by construction,
served with 20 ms latency; crawl -c 64 --per-host 8 --depth 3.

Layout (paths are URLs on the test server; links are mostly relative):
  /                        depth 0   links a0..a9
  /aI.html                 depth 1   10 pages; children, siblings, up
  /aI/bJ.html              depth 2   100 pages; 9 or 8 children each
  /aI/bJ/cK.html           depth 3   809 pages; up, sideways, across
  /x/sK.html  (K<10)       depth 2   linked from a9 (slow: +1 s) AND from
                                     /a0/bK/c0.html (a depth-4 path that a
                                     pipelined crawler sees first)
  /x/tK.html  (K<10)       depth 3   only via /x/sK.html
  /x/uK.html  (K<5)        depth 2   linked from a9 AND from /a0/bK.html, so
                                     first seen at depth 3 (a leaf)
  /x/vK.html  (K<5)        depth 3   only via /x/uK.html: found only if uK is
                                     re-expanded at its true depth 2
  /deep/eM.html (M<50)     depth 4   linked from some c pages; never fetched
1 + 10 + 100 + 809 + 10 + 10 + 5 + 5 + 50 = 1000 files; 950 within depth 3.
"""

import collections
import os
import posixpath
import shutil
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e2elib import Checker, check_records, check_run_ok, parse_args, run_crawl  # noqa: E402
from httpserver import TestServer  # noqa: E402

SLOW_PATH = "/a9.html"
SLOW_MS = 1000


def rel(src, dst):
    """Relative reference from page `src` to `dst` (both absolute paths)."""
    if dst == "/":
        return "../" * (src.count("/") - 1) or "./"
    return posixpath.relpath(dst, posixpath.dirname(src))


def build_site():
    """Returns (pages: path -> list of link targets, expected: path -> depth)."""
    pages = collections.OrderedDict()
    expected = {}
    pages["/"] = ["/a%d.html" % i for i in range(10)]
    expected["/"] = 0
    children = {}  # b page -> number of c children
    g = 0
    for i in range(10):
        for j in range(10):
            children[(i, j)] = 9 if g < 9 else 8
            g += 1
    cidx = 0
    for i in range(10):
        a = "/a%d.html" % i
        pages[a] = (["/a%d/b%d.html" % (i, j) for j in range(10)]
                    + ["/", "/a%d.html" % ((i + 1) % 10)])
        expected[a] = 1
        for j in range(10):
            b = "/a%d/b%d.html" % (i, j)
            n = children[(i, j)]
            pages[b] = (["/a%d/b%d/c%d.html" % (i, j, k) for k in range(n)]
                        + [a, "/", "/a%d/b%d.html" % (i, (j + 1) % 10)])
            expected[b] = 2
            if i == 0 and j < 5:
                pages[b].append("/x/u%d.html" % j)
            for k in range(n):
                cp = "/a%d/b%d/c%d.html" % (i, j, k)
                pages[cp] = ["/", b, "/a%d/b%d/c%d.html" % (i, j, (k + 1) % n),
                             "/a%d.html" % ((i + 5) % 10)]
                expected[cp] = 3
                if i == 0 and k == 0:
                    pages[cp].append("/x/s%d.html" % j)
                if cidx % 16 == 0 and cidx // 16 < 50:
                    pages[cp].append("/deep/e%d.html" % (cidx // 16))
                cidx += 1
    pages["/a9.html"] += ["/x/s%d.html" % k for k in range(10)]
    pages["/a9.html"] += ["/x/u%d.html" % k for k in range(5)]
    for k in range(10):
        pages["/x/s%d.html" % k] = ["/x/t%d.html" % k, "/"]
        expected["/x/s%d.html" % k] = 2
        pages["/x/t%d.html" % k] = ["/", "/deep/e%d.html" % k]
        expected["/x/t%d.html" % k] = 3
    for k in range(5):
        pages["/x/u%d.html" % k] = ["/x/v%d.html" % k, "/"]
        expected["/x/u%d.html" % k] = 2
        pages["/x/v%d.html" % k] = ["/"]
        expected["/x/v%d.html" % k] = 3
    for m in range(50):
        pages["/deep/e%d.html" % m] = ["/"]
    return pages, expected


def bfs(pages, maxd):
    depth = {"/": 0}
    q = collections.deque(["/"])
    while q:
        p = q.popleft()
        if depth[p] >= maxd:
            continue
        for t in pages[p]:
            if t not in depth:
                depth[t] = depth[p] + 1
                q.append(t)
    return depth


def write_site(root, pages):
    for path, links in pages.items():
        fs = os.path.join(root, "index.html" if path == "/" else path.lstrip("/"))
        os.makedirs(os.path.dirname(fs), exist_ok=True)
        body = "".join('<li><a href="%s">%s</a></li>\n' % (rel(path, t), t) for t in links)
        with open(fs, "w") as f:
            f.write("<!DOCTYPE html>\n<html><head><title>Page %s</title></head>\n"
                    "<body><ul>\n%s</ul></body></html>\n" % (path, body))


def main():
    args = parse_args(__doc__)
    c = Checker(args.verbose)
    pages, expected = build_site()
    # self-checks of the construction (a failure here is a test bug)
    c.eq(len(pages), 1000, "generator: 1000 pages")
    counts = collections.Counter(expected.values())
    c.eq([counts[d] for d in range(4)], [1, 10, 115, 824], "generator: pages per depth")
    c.eq(bfs(pages, 3), expected, "generator: BFS over the link graph gives the expected depths")

    tmp = tempfile.mkdtemp(prefix="crawl-e2e-gen-")
    try:
        write_site(tmp, pages)
        with TestServer(tmp, latency_ms=20) as srv:
            srv.set_path_latency(SLOW_PATH, SLOW_MS)
            what = "generated site -c 64 --per-host 8 --depth 3"
            t0 = time.monotonic()
            res = run_crawl(args.crawl, ["-c", "64", "--per-host", "8", "--depth", "3",
                                         srv.url("/")], timeout=120)
            wall = time.monotonic() - t0
            print("wall time: %.2f s for %d records" % (wall, len(res.records)))
            if not check_run_ok(c, res, what):
                return c.finish()
            check_records(c, res, what, max_depth=3)
            base = srv.base
            got = {}
            outside = []
            for r in res.records:
                if r["url"].startswith(base + "/"):
                    got[r["url"][len(base):]] = r["depth"]
                else:
                    outside.append(r["url"])
            c.eq(outside, [], "%s: every record is on the test server" % what)
            missing = sorted(set(expected) - set(got))
            extra = sorted(set(got) - set(expected))
            c.check(not missing and not extra, "%s: one record per expected page" % what,
                    "missing (%d): %s\nunexpected (%d): %s" % (
                        len(missing), missing[:15], len(extra), extra[:15]))
            wrong = sorted((p, got[p], expected[p]) for p in set(got) & set(expected)
                           if got[p] != expected[p])
            c.check(not wrong, "%s: every depth is the shortest link distance" % what,
                    "(path, got, want): %s" % wrong[:15])
            for k in range(10):
                r = res.by_url().get(base + "/x/s%d.html" % k)
                if r and not c.eq((r["depth"], r["parent"]), (2, base + SLOW_PATH),
                                  "%s: /x/s%d.html depth and parent" % (what, k)):
                    break
            for k in range(5):
                r = res.by_url().get(base + "/x/v%d.html" % k)
                if not c.check(r is not None and r["depth"] == 3 and
                               r["parent"] == base + "/x/u%d.html" % k,
                               "%s: /x/v%d.html found at depth 3 via /x/u%d.html" % (what, k, k),
                               repr(r and (r["depth"], r["parent"]))):
                    break
            gets = srv.fetch_counts("GET")
            not_once = sorted((p, gets.get(p, 0)) for p in expected if gets.get(p, 0) != 1)
            c.check(not not_once, "%s: every expected page fetched exactly once" % what,
                    "(path, times): %s" % not_once[:15])
            c.eq(gets.get("/robots.txt", 0), 1, "%s: robots.txt fetched once" % what)
            stray = sorted(p for p in gets if p not in expected and p != "/robots.txt")
            c.check(not stray, "%s: nothing else fetched (depth-4 pages never)" % what,
                    "stray: %s" % stray[:15])
            c.check(srv.max_open_connections <= 8, "%s: at most 8 connections open" % what,
                    "max open %d (total opened %d)" % (srv.max_open_connections,
                                                       srv.total_connections))
            c.check(srv.max_inflight <= 8, "%s: at most 8 requests in flight" % what,
                    "max in flight %d" % srv.max_inflight)
            ok = sum(1 for r in res.records if r["status"] == 200 and r["error"] is None)
            c.eq(ok, len(expected), "%s: every page fetched with status 200" % what)
            leaf = res.by_url().get(base + "/a0/b0/c0.html")
            if leaf:
                c.check(base + "/deep/e0.html" in [l["url"] for l in leaf["links"]],
                        "%s: a depth-3 leaf lists its depth-4 link" % what)
            print("server: %d requests, %d connections, max open %d, max in flight %d"
                  % (len(srv.requests()), srv.total_connections, srv.max_open_connections,
                     srv.max_inflight))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return c.finish()


if __name__ == "__main__":
    sys.exit(main())
