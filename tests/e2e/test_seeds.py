#!/usr/bin/env python3
"""Seeds and scope (issue 12, item 2), on scripted sites on 127.0.0.1 and
127.0.0.2: -i FILE and -i - (stdin) with comments and blank lines, a bad
line refused with its number, --no-parent, --domains and
--exclude-domains."""

import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e2elib import Checker, CrawlResult, check_run_ok, parse_args, run_crawl  # noqa: E402
from test_request import Site, page  # noqa: E402


def site_routes(other=None):
    """/docs/ has a page linking up to / and across to /blog/; / links
    the other host when given."""
    cross = "<a href='%s'>o</a>" % other if other else ""
    return {"/": page("<a href='/docs/'>d</a><a href='/blog/'>b</a>" + cross),
            "/docs/": page("<a href='/docs/a.html'>a</a><a href='/'>up</a>"
                           "<a href='/blog/'>b</a>"),
            "/docs/a.html": page("<a href='../blog/x.html'>x</a>"),
            "/blog/": page("<a href='/blog/x.html'>x</a>"),
            "/blog/x.html": page("x"),
            "/robots.txt": page("", 404)}


def paths(res, *sites):
    out = set()
    for r in res.records:
        for s in sites:
            if r["url"].startswith(s.url("")):
                out.add((s.host, r["url"][len(s.url("")):], r["depth"]))
    return out


def run_stdin(crawl, args, text, timeout=60):
    cmd = [crawl] + args
    p = subprocess.run(cmd, input=text.encode(), capture_output=True, timeout=timeout)
    return CrawlResult(cmd, p.returncode, p.stdout, p.stderr.decode("utf-8", "replace"), False)


def test_input_file(c, args, tmp):
    what = "-i FILE"
    with Site(site_routes()) as a, Site(site_routes(), host="127.0.0.2") as b:
        seeds = os.path.join(tmp, "seeds.txt")
        with open(seeds, "w") as f:
            f.write("# two sites\n\n  %s  \n%s\n# the end\n" % (a.url("/blog/"), b.url("/docs/")))
        res = run_crawl(args.crawl, ["-d", "0", "-i", seeds])
        if check_run_ok(c, res, what):
            c.eq(paths(res, a, b), {("127.0.0.1", "/blog/", 0), ("127.0.0.2", "/docs/", 0)},
                 "%s: every seed is a start URL" % what)
        res = run_stdin(args.crawl, ["-d", "0", "-i", "-", a.url("/")], "%s\n" % b.url("/"))
        if check_run_ok(c, res, "-i -"):
            c.eq(paths(res, a, b), {("127.0.0.1", "/", 0), ("127.0.0.2", "/", 0)},
                 "-i -: stdin's seeds join the command line's")
        with open(seeds, "w") as f:
            f.write("%s\n\nftp://nope/\n" % a.url("/"))
        res = run_crawl(args.crawl, ["-i", seeds])
        c.check(res.rc == 2 and "seeds.txt:3:" in res.err and "ftp://nope/" in res.err and
                not res.out,
                "-i FILE with a bad line: usage error naming it", res.describe())
        res = run_crawl(args.crawl, ["-i", os.path.join(tmp, "missing.txt")])
        c.check(res.rc == 2 and "missing.txt" in res.err, "-i of a missing file: usage error",
                res.describe())
        with open(seeds, "w") as f:
            f.write("# nothing\n")
        res = run_crawl(args.crawl, ["-i", seeds])
        c.check(res.rc == 2 and "no URL" in res.err, "-i FILE without a URL: usage error",
                res.describe())


def test_no_parent(c, args):
    what = "--no-parent"
    with Site(site_routes()) as a:
        res = run_crawl(args.crawl, ["-d", "3", "--no-parent", a.url("/docs/")])
        if check_run_ok(c, res, what):
            c.eq(paths(res, a), {("127.0.0.1", "/docs/", 0), ("127.0.0.1", "/docs/a.html", 1)},
                 "%s: only under /docs/" % what)
            links = {l["url"][len(a.url("")):]: l["external"]
                     for r in res.records for l in r["links"]}
            c.eq((links.get("/"), links.get("/blog/")), (True, True),
                 "%s: links above are listed, as not followed" % what)
        res = run_crawl(args.crawl, ["-d", "3", a.url("/docs/")])
        if check_run_ok(c, res, what + " (without)"):
            c.eq(len(paths(res, a)), 5, "without --no-parent: the whole site")


def test_domains(c, args):
    what = "--domains"
    with Site(site_routes(), host="127.0.0.2") as b:
        with Site(site_routes(other=b.url("/blog/"))) as a:
            res = run_crawl(args.crawl, ["-d", "1", a.url("/")])
            if check_run_ok(c, res, what + " (without)"):
                c.eq({h for h, p, d in paths(res, a, b)}, {"127.0.0.1"},
                     "without --domains: one host")
            res = run_crawl(args.crawl, ["-d", "2", "--domains", "127.0.0.2", a.url("/")])
            if check_run_ok(c, res, what):
                c.check(("127.0.0.2", "/blog/", 1) in paths(res, a, b) and
                        ("127.0.0.2", "/blog/x.html", 2) in paths(res, a, b),
                        "%s: the other host is followed" % what, sorted(paths(res, a, b)))
            res = run_crawl(args.crawl, ["-d", "2", "--domains", "127.0.0.2",
                                         "--exclude-domains", "127.0.0.2", a.url("/")])
            if check_run_ok(c, res, "--exclude-domains"):
                c.eq({h for h, p, d in paths(res, a, b)}, {"127.0.0.1"},
                     "--exclude-domains wins over --domains")
    res = run_crawl(args.crawl, ["--domains", "a..b", "http://127.0.0.1:1/"])
    c.check(res.rc == 2 and "--domains" in res.err, "--domains a..b: usage error",
            res.describe())


def main():
    args = parse_args(__doc__.split("\n")[0])
    c = Checker(args.verbose)
    with tempfile.TemporaryDirectory() as tmp:
        test_input_file(c, args, tmp)
        test_no_parent(c, args)
        test_domains(c, args)
    return c.finish()


if __name__ == "__main__":
    sys.exit(main())
