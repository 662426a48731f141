#!/usr/bin/env python3
"""Regression tests for bugs found in review, each on a small scripted
site on 127.0.0.1: records decided without a fetch (robots, excluded) get
the shortest depth even when a slow page holds the short path; a URL seen
first through a nofollow link takes the depth of the followable path that
reaches it; --state refuses output that is only written at the end."""

import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e2elib import Checker, check_records, check_run_ok, parse_args, run_crawl  # noqa: E402
from httpserver import TestServer, page  # noqa: E402


def site(srv, routes):
    for path, spec in routes.items():
        body, delay, ct = spec[0], spec[1] if len(spec) > 1 else 0, "text/html"
        if path == "/robots.txt":
            srv.add_route(path, lambda req, b=body.encode(): (200, {"Content-Type": "text/plain"},
                                                              b))
        else:
            srv.add_route(path, page(body.encode(), content_type=ct, delay_s=delay))


def rel(srv, u):
    return u[len(srv.base):] if u and u.startswith(srv.base) else u


def test_skip_depth(c, args):
    what = "skip records behind a slow short path"
    with tempfile.TemporaryDirectory() as empty, TestServer(empty) as srv:
        links = "<a href='/x'>x</a><a href='/y'>y</a><a href='/ex'>ex</a>"
        site(srv, {"/": ("<a href='/a'>a</a><a href='/b'>b</a>",),
                   "/a": (links, 1.5),   # depth 1, slow: the short path
                   "/b": ("<a href='/c'>c</a>",),
                   "/c": (links,),        # depth 2, fast: the long path
                   "/x": ("x",), "/y": ("y",), "/ex": ("ex",),
                   "/robots.txt": ("User-agent: *\nDisallow: /x\n",)})
        res = run_crawl(args.crawl, ["-d", "3", "--exclude", "/ex$", srv.url("/")], timeout=60)
        if not check_run_ok(c, res, what):
            return
        check_records(c, res, what, max_depth=3)
        got = {rel(srv, r["url"]): (r["depth"], rel(srv, r["parent"]), r["reason"])
               for r in res.records if rel(srv, r["url"]) in ("/x", "/y", "/ex")}
        c.eq(got, {"/x": (2, "/a", "robots"), "/y": (2, "/a", None), "/ex": (2, "/a", "excluded")},
             "%s: (depth, parent, reason)" % what)


def test_nofollow_then_followed(c, args):
    what = "nofollow first, followable later"
    with tempfile.TemporaryDirectory() as empty, TestServer(empty) as srv:
        site(srv, {"/": ("<a rel='nofollow' href='/n'>n</a><a href='/a'>a</a>",),
                   "/a": ("<a href='/b'>b</a><a href='/c'>c</a>",),
                   "/b": ("<a href='/n'>n</a>", 1.5),
                   "/c": ("<a href='/x'>x</a>",),
                   "/n": ("<a href='/x'>x</a>",),
                   "/x": ("x",), "/robots.txt": ("",)})
        res = run_crawl(args.crawl, ["-d", "4", srv.url("/")], timeout=60)
        if not check_run_ok(c, res, what):
            return
        check_records(c, res, what, max_depth=4)  # parents are exactly one level up
        by = {rel(srv, r["url"]): r for r in res.records}
        n = by.get("/n")
        c.eq(n and (n["depth"], rel(srv, n["parent"]), n["reason"]), (3, "/b", None),
             "%s: /n takes the followable path's depth and parent" % what)
        x = by.get("/x")
        c.eq(x and (x["depth"], rel(srv, x["parent"])), (3, "/c"), "%s: /x" % what)


def test_slow_sitemap_depth(c, args):
    """A URL reached at depth 3 over fast pages and listed in a slow
    sitemap is a start URL (depth 0): its record waits for the sitemap."""
    what = "slow sitemap, fast long path"
    with tempfile.TemporaryDirectory() as empty, TestServer(empty) as srv:
        sm = ("<?xml version='1.0'?><urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>"
              "<url><loc>%s</loc></url></urlset>" % srv.url("/x"))
        site(srv, {"/": ("<a href='/a'>a</a>",), "/a": ("<a href='/b'>b</a>",),
                   "/b": ("<a href='/x'>x</a>",), "/x": ("<a href='/y'>y</a>",), "/y": ("y",),
                   "/robots.txt": ("User-agent: *\nAllow: /\nSitemap: /sm.xml\n",)})
        srv.add_route("/sm.xml", page(sm.encode(), content_type="application/xml", delay_s=1.5))
        srv.add_route("/sitemap.xml", lambda req: (404, {}, b""))
        res = run_crawl(args.crawl, ["-d", "3", "--sitemaps", srv.url("/")], timeout=60)
        if not check_run_ok(c, res, what):
            return
        got = {rel(srv, r["url"]): (r["depth"], rel(srv, r["parent"])) for r in res.records}
        c.eq(got, {"/": (0, None), "/a": (1, "/"), "/b": (2, "/a"), "/x": (0, None),
                   "/y": (1, "/x")}, "%s: (depth, parent)" % what)


def test_state_needs_streaming(c, args):
    for extra in (["--sort"], ["-f", "dot"], ["-f", "graphml"], ["-f", "sitemap"],
                  ["-f", "broken"]):
        with tempfile.TemporaryDirectory() as tmp:
            res = run_crawl(args.crawl, ["--state", os.path.join(tmp, "s")] + extra +
                            ["http://127.0.0.1:1/"], timeout=30)
            c.check(res.rc == 2 and "--state" in res.err and not res.out,
                    "--state with %s: usage error" % " ".join(extra), res.describe())
            c.check(not os.path.exists(os.path.join(tmp, "s")),
                    "--state with %s: no state file created" % " ".join(extra))


def main():
    args = parse_args(__doc__)
    c = Checker(args.verbose)
    test_skip_depth(c, args)
    test_nofollow_then_followed(c, args)
    test_slow_sitemap_depth(c, args)
    test_state_needs_streaming(c, args)
    return c.finish()


if __name__ == "__main__":
    sys.exit(main())
