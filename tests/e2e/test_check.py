#!/usr/bin/env python3
"""A link checker for CI (issue 12, item 4): --check-external checks each
off-site link once (HEAD, GET when HEAD is refused), on the site's last
level too, never follows it further; --fail-on-broken exits 8 and names the
first broken link and the page linking it. Scripted sites on 127.0.0.1
(the site) and 127.0.0.2 (another host)."""

import json
import os
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e2elib import Checker, check_records, free_port, parse_args, run_crawl  # noqa: E402
from test_request import Site, page  # noqa: E402


def main():
    args = parse_args(__doc__.split("\n")[0])
    c = Checker(args.verbose)

    def nohead(h):
        return (405, {}, "no HEAD here") if h.command == "HEAD" else (200, {}, "fine")

    other_routes = {"/ok": page("<a href='/deeper'>never followed</a>"), "/nohead": nohead,
                    "/missing": page("gone", 404), "/robots.txt": page("", 404)}
    with Site(other_routes, host="127.0.0.2") as other:
        dead = "http://127.0.0.2:%d/x" % free_port("127.0.0.2")
        ext = "".join("<a href='%s'>e</a>" % u for u in (
            other.url("/ok"), other.url("/nohead"), other.url("/ok"), dead))
        routes = {"/": page("<a href='/in'>in</a>" + ext),
                  "/in": page("<a href='%s'>m</a><img src='%s'>" % (other.url("/missing"),
                                                                    other.url("/ok"))),
                  "/robots.txt": page("", 404)}
        with Site(routes) as site:
            what = "without --check-external"
            res = run_crawl(args.crawl, ["-d", "1", site.url("/")])
            c.eq((res.rc, len(res.records), other.log()), (0, 2, []),
                 "%s: off-site links are listed, never requested" % what)

            what = "--check-external"
            res = run_crawl(args.crawl, ["-d", "1", "--timeout", "10", "--check-external",
                                         site.url("/")])
            c.eq(res.rc, 0, "%s: exit status 0" % what)
            check_records(c, res, what)
            got = {r["url"]: (r["depth"], r["status"], r["error"], r["links"]) for r in res.records}
            c.eq(got.get(other.url("/ok")), (1, 200, None, []),
                 "%s: a good link, checked and not parsed" % what)
            c.eq(got.get(other.url("/nohead"))[:3], (1, 200, None),
                 "%s: HEAD refused, then GET" % what)
            c.eq(got.get(other.url("/missing"))[:3], (2, 404, None),
                 "%s: a broken link on the last level is checked too" % what)
            c.eq(got.get(dead, (None,) * 3)[:3], (1, None, "connect"),
                 "%s: a link to a closed port" % what)
            reqs = sorted((p, m) for p, hd, m in other.log() if p != "/robots.txt")
            c.eq(reqs, [("/missing", "HEAD"), ("/nohead", "GET"), ("/nohead", "HEAD"),
                        ("/ok", "HEAD")],
                 "%s: each link requested once (HEAD; GET after a 405), nothing followed" % what)

            what = "--fail-on-broken"
            res = run_crawl(args.crawl, ["-d", "1", "--timeout", "10", "--check-external",
                                         "--fail-on-broken", site.url("/")])
            c.check(res.rc == 8 and "2 broken" in res.err and "linked from" in res.err,
                    "%s: exit 8, naming the first broken link and its page" % what,
                    res.describe())
            res = run_crawl(args.crawl, ["-d", "0", "--fail-on-broken", site.url("/in")])
            c.eq(res.rc, 0, "%s: exit 0 when nothing checked is broken" % what)
    test_resume(c, args)
    return c.finish()


def test_resume(c, args):
    """Off-site links still waiting for their check when the crawl is
    interrupted are checked by --resume, the last level's included."""
    what = "--check-external, interrupted, --resume"
    other_routes = {"/a": page("a"), "/b": page("b"),
                    "/robots.txt": page("User-agent: *\nCrawl-delay: 3\n")}
    with Site(other_routes, host="127.0.0.2") as other, tempfile.TemporaryDirectory() as tmp:
        routes = {"/": page("<a href='%s'>a</a><a href='%s'>b</a>" % (other.url("/a"),
                                                                      other.url("/b"))),
                  "/robots.txt": page("", 404)}
        with Site(routes) as site:
            out, state = os.path.join(tmp, "out.jsonl"), os.path.join(tmp, "state")
            cmd = [args.crawl, "-q", "-d", "0", "--check-external", "--state", state, "-o", out,
                   site.url("/")]
            p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            # the start page's record is out; the two checks wait for the
            # other host's Crawl-delay (hang guard 30 s, not a timing check)
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and p.poll() is None:
                if os.path.exists(out) and os.path.getsize(out) > 0:
                    break
                time.sleep(0.02)
            p.send_signal(signal.SIGINT)
            rc1 = p.wait(30)
            res = run_crawl(args.crawl, cmd[1:] + ["--resume"], timeout=60)
            with open(out) as f:
                urls = sorted(json.loads(line)["url"] for line in f)
            c.check(rc1 == 130 and res.rc == 0, "%s: exit statuses 130, then 0" % what,
                    "%s / %s" % (rc1, res.describe()))
            c.eq(urls, sorted([site.url("/"), other.url("/a"), other.url("/b")]),
                 "%s: both links checked, once, in the one output" % what)


if __name__ == "__main__":
    sys.exit(main())
