#!/usr/bin/env python3
"""Parse workers that never inherit the parent's growth, and sitemaps parsed
in the workers (issue 10, items 5 and 7), end to end against the real
binary over the local HTTP test server.

1. A parent grown past the workers' address-space cap (RLIMIT_AS, 1 GiB):
   CRAWL_TEST_PARENT_BALLAST_MB=1100 (test only, cli/main.c) makes the
   parent allocate and touch 1100 MB right after the workers are started,
   and CRAWL_TEST_FAULTS=1 makes the page carrying <!--crawl-test:crash-->
   kill the worker parsing it (worker/worker_main.c), twice. The workers
   respawned after that must still parse the other pages (each ~300 KB:
   more than a worker copied from the grown parent can allocate under the
   cap; before the zygote such pages came back "parsed" with no links):
   exit 0, one record per page, the crash page "parse_error", every other
   page parsed with its links. While it runs, the crawl's children are sampled:
   one zygote ("crawl-zygote"), and no worker ever as large as the parent.
   A page nested 300 deep (libxml2's tree builder stops at 256) has the
   link at its bottom reported and followed.
2. --sitemaps: a sitemap whose worker crashes costs that sitemap only (its
   URLs are not seeded, the crawl exits 0, the reason is logged), while a
   gzipped sitemap next to it seeds its URLs: sitemaps are parsed in the
   workers, not in the parent.
"""

import gzip
import os
import subprocess
import sys
import tempfile
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e2elib import Checker, CrawlResult, check_records, check_run_ok, parse_args, proc_stat  # noqa: E402
from httpserver import TestServer  # noqa: E402

BALLAST_MB = 1100  # above the workers' 1 GiB RLIMIT_AS (cli/main.c)
WORKER_CAP_KB = 1024 * 1024


def vm_size_kb(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmSize:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return None


def children(pid):
    out = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            st = proc_stat(int(name))
            if st and st[2] == pid and st[1] != "Z":
                out[int(name)] = st[0]
    return out


class Sampled:
    def __init__(self, res):
        self.res = res
        self.zygotes = set()  # pids of children named crawl-zygote
        self.workers = set()  # pids of the other children
        self.parent_max_kb = 0
        self.worker_max_kb = 0


def run_sampled(crawl, args, env_extra, timeout=240):
    """Run crawl, sampling its children and sizes every few ms."""
    env = dict(os.environ)
    env.pop("CRAWL_TEST_PARENT_BALLAST_MB", None)
    env.pop("CRAWL_TEST_FAULTS", None)
    env.update(env_extra)
    cmd = [crawl] + [str(a) for a in args]
    p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, env=env)
    s = Sampled(None)
    deadline = time.monotonic() + timeout
    timed_out = False
    while True:
        try:
            out, err = p.communicate(timeout=0.01)
            break
        except subprocess.TimeoutExpired:
            pass
        s.parent_max_kb = max(s.parent_max_kb, vm_size_kb(p.pid) or 0)
        for pid, comm in children(p.pid).items():
            if comm == "crawl-zygote":
                s.zygotes.add(pid)
            else:
                s.workers.add(pid)
                s.worker_max_kb = max(s.worker_max_kb, vm_size_kb(pid) or 0)
        if time.monotonic() > deadline:
            timed_out = True
            p.kill()
            out, err = p.communicate(timeout=30)
            break
    s.res = CrawlResult(cmd, None if timed_out else p.returncode, out,
                        err.decode("utf-8", "replace"), timed_out)
    return s


def sanitized(crawl):
    """An AddressSanitizer build sets no RLIMIT_AS and has a huge VmSize."""
    with open(crawl, "rb") as f:
        return b"__asan_init" in f.read()


def html_page(title, links, extra=""):
    body = "<!doctype html><html><head><title>%s</title></head><body>\n" % title
    body += "".join('<p><a href="%s">%s</a></p>\n' % (h, h) for h in links)
    return (body + extra + "</body></html>\n").encode("utf-8")


def filler():
    """~300 KB of markup: more than a worker's leftover heap, so reading and
    parsing the page needs fresh memory."""
    return "".join('<div class="c%d"><span>text %d &amp; more</span></div>\n' % (i % 89, i)
                   for i in range(6000))


def deep_page(depth):
    return ("<!doctype html><html><head><title>deep</title></head><body>"
            + "<div>" * depth + '<a href="/deep-target.html">bottom</a>' + "</div>" * depth
            + '<a href="/index.html">after</a></body></html>').encode("utf-8")


# --- 1. respawn after the parent has grown -----------------------------------

def growth_site():
    """path -> (links, marker). /index.html links the crash page first, so
    it is parsed (and kills both workers' first incarnations) early; the
    other pages, and the pages below them, need the respawned workers."""
    site = {"/index.html": (["crash.html"] + ["p%d.html" % i for i in range(8)]
                            + ["deep.html"], None)}
    for i in range(8):
        site["/p%d.html" % i] = (["q%d.html" % i, "index.html"], None)
        site["/q%d.html" % i] = (["p%d.html" % ((i + 1) % 8)], None)
    site["/crash.html"] = (["behind-crash.html"], "crash")
    return site


def test_respawn_after_growth(c, crawl):
    what = "respawn after the parent grew by %d MB" % BALLAST_MB
    site = growth_site()
    big = filler()
    with tempfile.TemporaryDirectory() as empty, TestServer(empty, latency_ms=5) as srv:
        for path, (links, marker) in site.items():
            extra = big + ("<!--crawl-test:%s-->\n" % marker if marker else "")
            body = html_page(path, links, extra)
            srv.add_route(path, lambda req, b=body: (
                200, {"Content-Type": "text/html; charset=utf-8"}, b))
        srv.add_route("/deep.html", lambda req: (
            200, {"Content-Type": "text/html; charset=utf-8"}, deep_page(300)))
        srv.add_route("/deep-target.html", lambda req: (
            200, {"Content-Type": "text/html; charset=utf-8"}, html_page("t", [])))
        s = run_sampled(crawl, ["--depth", 3, "--workers", 2, "--parse-timeout", 20,
                                srv.url("/index.html")],
                        {"CRAWL_TEST_FAULTS": "1",
                         "CRAWL_TEST_PARENT_BALLAST_MB": str(BALLAST_MB)})
        res = s.res
        check_run_ok(c, res, what)
        if res.timed_out:
            return
        check_records(c, res, what, max_depth=3)
        c.check("ballast" in res.err, "%s: the test hook was active" % what, res.describe())
        c.check("kept dying" not in res.err, "%s: the pool did not give up" % what,
                res.describe())
        deaths = [line for line in res.err.splitlines() if "died: signal 11" in line]
        c.eq(len(deaths), 2, "%s: the crash page killed a worker on each of its two tries" % what)

        by = res.by_url()
        want = {srv.url(p) for p in site} | {srv.url("/deep.html"), srv.url("/deep-target.html")}
        c.set_eq([r["url"] for r in res.records], want, "%s: one record per page" % what)
        bad = []
        for path, (links, marker) in sorted(site.items()):
            r = by.get(srv.url(path))
            if r is None:
                continue
            got = sorted(l["url"] for l in r["links"])
            if marker:
                if (r["status"], r["error"], got) != (200, "parse_error", []):
                    bad.append("%s: %r %r %r" % (path, r["status"], r["error"], got))
                continue
            exp = sorted(urllib.parse.urljoin(srv.url(path), h) for h in links)
            if (r["status"], r["error"], got) != (200, None, exp):
                bad.append("%s: status %r error %r links %r" % (path, r["status"], r["error"],
                                                                got))
        c.check(not bad, "%s: the crash page is a parse_error, every other page parsed with "
                "its links" % what, "\n".join(bad[:20]))

        r = by.get(srv.url("/deep.html"))
        got = r and sorted(l["url"] for l in r["links"])
        c.eq(got, sorted([srv.url("/deep-target.html"), srv.url("/index.html")]),
             "%s: a page nested 300 deep reports the link at its bottom" % what)
        t = by.get(srv.url("/deep-target.html"))
        c.eq(t and (t["status"], t["parent"]), (200, srv.url("/deep.html")),
             "%s: ... and the link is followed" % what)

        c.eq(len(s.zygotes), 1, "%s: one zygote process was seen" % what)
        c.check(len(s.workers) >= 2, "%s: worker processes were seen (%d)"
                % (what, len(s.workers)))
        if sanitized(crawl):
            print("note: %s: AddressSanitizer build: no RLIMIT_AS, sizes not compared" % what)
        else:
            c.check(s.parent_max_kb > BALLAST_MB * 1024,
                    "%s: the parent grew past %d MB (%d kB)"
                    % (what, BALLAST_MB, s.parent_max_kb))
            c.check(0 < s.worker_max_kb < WORKER_CAP_KB,
                    "%s: no worker ever reached the 1 GiB cap (largest %d kB)"
                    % (what, s.worker_max_kb))


# --- 2. sitemaps in the workers -------------------------------------------------

def urlset(urls, extra=""):
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">' + extra
            + "".join("<url><loc>%s</loc></url>" % u for u in urls) + "</urlset>\n")


def test_sitemap_crash(c, crawl):
    what = "--sitemaps, one sitemap crashes its worker"
    with tempfile.TemporaryDirectory() as empty, TestServer(empty) as srv:
        ok = lambda req, b: (200, {"Content-Type": "text/html"}, b)  # noqa: E731
        srv.add_route("/robots.txt", lambda req: (200, {"Content-Type": "text/plain"}, (
            "User-agent: *\nAllow: /\nSitemap: %s\nSitemap: %s\n"
            % (srv.url("/maps/good.xml.gz"), srv.url("/maps/bad.xml"))).encode()))
        srv.add_route("/maps/good.xml.gz", lambda req: (
            200, {"Content-Type": "application/x-gzip"},
            gzip.compress(urlset([srv.url("/from-good"), "/from-good-relative"]).encode())))
        srv.add_route("/maps/bad.xml", lambda req: (
            200, {"Content-Type": "application/xml"},
            urlset([srv.url("/from-bad")], "<!--crawl-test:crash-->").encode()))
        srv.add_route("/", lambda req: ok(req, html_page("root", ["/linked"])))
        for p in ("/linked", "/from-good", "/from-good-relative", "/from-bad"):
            srv.add_route(p, lambda req, p=p: ok(req, html_page(p, [])))
        s = run_sampled(crawl, ["-d", 1, "--sitemaps", "--workers", 2, srv.url("/")],
                        {"CRAWL_TEST_FAULTS": "1"}, timeout=120)
        res = s.res
        check_run_ok(c, res, what)
        if res.timed_out:
            return
        check_records(c, res, what, max_depth=1)
        c.set_eq([r["url"] for r in res.records],
                 [srv.url(p) for p in ("/", "/linked", "/from-good", "/from-good-relative")],
                 "%s: the gzipped sitemap's URLs are seeded, the crashing one's are not" % what)
        by = res.by_url()
        seeded = [by.get(srv.url(p)) for p in ("/from-good", "/from-good-relative")]
        c.check(all(r and r["depth"] == 0 and r["parent"] is None and r["status"] == 200
                    for r in seeded), "%s: sitemap URLs are depth-0 seeds" % what, repr(seeded))
        c.check("bad.xml could not be read" in res.err,
                "%s: the lost sitemap is logged" % what, res.describe())
        deaths = [line for line in res.err.splitlines() if "died: signal 11" in line]
        c.eq(len(deaths), 2, "%s: its worker died on each of its two tries" % what)


def main():
    args = parse_args(__doc__)
    c = Checker(args.verbose)
    test_respawn_after_growth(c, args.crawl)
    test_sitemap_crash(c, args.crawl)
    return c.finish()


if __name__ == "__main__":
    sys.exit(main())
