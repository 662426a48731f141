#!/usr/bin/env python3
"""HTTP crawls of sample_sites/* served by httpserver.py, against the same
expected page sets as the offline crawls, plus access-log and connection
checks."""

import collections
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e2elib import (SITES, Checker, check_records, check_run_ok, load_expected,  # noqa: E402
                    parse_args, rel_set, run_crawl)
from httpserver import TestServer  # noqa: E402
from sitechecks import check_site  # noqa: E402


def wait_idle(srv, limit=3.0):
    """Let connections of a previous crawl drain before measuring again."""
    end = time.monotonic() + limit
    while srv.open_connections and time.monotonic() < end:
        time.sleep(0.02)
    srv.reset_stats()


def check_access_log(c, srv, res, what, hops_ok=()):
    gets = srv.fetch_counts("GET")
    twice = sorted(p for p, n in gets.items() if n > 1)
    c.check(not twice, "%s: no path fetched twice (access log)" % what,
            "fetched more than once: %s" % ", ".join("%s x%d" % (p, gets[p]) for p in twice))
    other = collections.Counter(e.method for e in srv.requests() if e.method != "GET")
    c.check(not other, "%s: only GET requests" % what, repr(dict(other)))
    # every request is for a record's URL or one of its redirect hops
    known = set()
    for r in res.records:
        for u in [r["url"], r["final_url"]] + [h["url"] for h in r["redirects"]]:
            if u.startswith(srv.base):
                known.add(u[len(srv.base):])
    # robots.txt: asked for once, before any other URL of the host
    reqs = srv.requests()
    c.eq(gets.get("/robots.txt", 0), 1, "%s: robots.txt fetched exactly once" % what)
    first = min(reqs, key=lambda e: e.start).path if reqs else None
    c.eq(first, "/robots.txt", "%s: robots.txt is the first request" % what)
    stray = sorted(p for p in gets if p not in known and p not in hops_ok and p != "/robots.txt")
    c.check(not stray, "%s: every request belongs to a record" % what, "stray: %s" % stray)
    # every record that got an HTTP status was requested
    unfetched = sorted(r["url"] for r in res.records
                       if r["status"] is not None and r["url"][len(srv.base):] not in gets)
    c.check(not unfetched, "%s: every record with a status was requested" % what,
            repr(unfetched))


def main():
    args = parse_args(__doc__)
    c = Checker(args.verbose)
    for site in SITES:
        site_dir = os.path.join(args.root, "sample_sites", site)
        with TestServer(site_dir) as srv:
            prefix = srv.url("/")
            for depth in range(4):
                wait_idle(srv)
                what = "http %s --depth %d" % (site, depth)
                res = run_crawl(args.crawl, ["--depth", depth, prefix], timeout=30)
                if not check_run_ok(c, res, what):
                    continue
                check_records(c, res, what, max_depth=depth)
                got = rel_set(c, res, prefix, what)
                c.set_eq(got, load_expected(args.root, site, depth),
                         "%s: (depth, path) set equals the expected set" % what)
                check_access_log(c, srv, res, what)
                c.check(srv.max_open_connections <= 4,
                        "%s: at most 4 connections open at once (default --per-host)" % what,
                        "max open connections: %d" % srv.max_open_connections)
                if depth == 3:
                    check_site(c, site, res, prefix, "http", site_dir)

    # Per-host limit under pressure: slow responses, high global concurrency.
    for site in SITES:
        site_dir = os.path.join(args.root, "sample_sites", site)
        with TestServer(site_dir, latency_ms=40) as srv:
            what = "http %s -c 16 --per-host 2 --depth 3 (40 ms latency)" % site
            res = run_crawl(args.crawl, ["-c", 16, "--per-host", 2, "--depth", 3,
                                         srv.url("/")], timeout=60)
            if check_run_ok(c, res, what):
                check_records(c, res, what, max_depth=3)
                c.set_eq(rel_set(c, res, srv.url("/"), what), load_expected(args.root, site, 3),
                         "%s: (depth, path) set equals the expected set" % what)
                check_access_log(c, srv, res, what)
                c.check(srv.max_open_connections <= 2,
                        "%s: at most 2 connections open at once" % what,
                        "max open connections: %d (total opened %d)" % (
                            srv.max_open_connections, srv.total_connections))
                c.check(srv.max_inflight <= 2, "%s: at most 2 requests in flight" % what,
                        "max in flight: %d" % srv.max_inflight)
    # Global limit: -c 3 with a generous per-host limit, two host names
    # (127.0.0.1 and localhost reach the same server but are two sites).
    site_dir = os.path.join(args.root, "sample_sites", "docs")
    with TestServer(site_dir, latency_ms=40) as srv:
        what = "http docs -c 3 --per-host 8 --depth 3, two host names"
        res = run_crawl(args.crawl, ["-c", 3, "--per-host", 8, "--depth", 3, srv.url("/"),
                                     "http://localhost:%d/" % srv.port], timeout=60)
        if check_run_ok(c, res, what):
            check_records(c, res, what, max_depth=3)
            want = load_expected(args.root, "docs", 3)
            for host in (srv.url("/"), "http://localhost:%d/" % srv.port):
                sub = [r for r in res.records if r["url"].startswith(host)]
                got = {(r["depth"], "/" + r["url"][len(host):]) for r in sub}
                c.set_eq(got, want, "%s: expected set for %s" % (what, host))
            c.eq(len(res.records), 2 * len(want), "%s: no other records" % what)
            c.check(srv.max_inflight <= 3, "%s: at most 3 requests in flight" % what,
                    "max in flight: %d" % srv.max_inflight)
            gets = srv.fetch_counts("GET")
            c.check(all(n == 2 for n in gets.values()),
                    "%s: each path fetched once per host name" % what,
                    repr(sorted(p for p, n in gets.items() if n != 2)))
    return c.finish()


if __name__ == "__main__":
    sys.exit(main())
