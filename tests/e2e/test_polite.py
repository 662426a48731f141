#!/usr/bin/env python3
"""Politeness and robustness of HTTP crawls (issue 4), end to end against the
real binary and scripted servers on 127.0.0.1 and 127.0.0.2.

- robots.txt: wildcard and $ rules, Allow overriding Disallow, our product
  token's group against *, another User-Agent, --no-robots; 404 (all
  allowed), 500/503/429 and a refused connection (robots_unreachable records,
  no other request to that host), a redirect chain to the real file, a
  Sitemap: line (sitemap index, gzipped sitemap) with --sitemaps.
- Retries: 429 + Retry-After, 503 + Retry-After as an HTTP date, 503 with
  exponential backoff, 503 forever with --retries 1, 500 (not retried), a
  truncated body; lower bounds on the waits from the access log.
- Failures: a trickling body (--stall-timeout, --timeout), a slow page, gzip
  bombs (declared and streamed) under --max-size, broken gzip, bodies over the
  size cap, a redirect loop, 10 and 12 hop chains, redirects off-site / to
  ftp:// / to file:///etc/passwd, nofollow (rel and meta), traps, --exclude,
  --max-url-length.
- Scheduling: --per-host (open connections and requests in flight counted by
  the server), --wait, --random-wait, Crawl-delay, --max-crawl-delay, --rate,
  and two hosts where the waiting one must not hold the other back.
Every route's record is compared as the exact (url, status, error, reason)
multiset, and what was fetched is compared with the server's access log.
Only lower bounds are asserted on times, never on the single smallest gap
between two requests (one request leaving the crawler late, on a loaded
machine, shrinks the gap before it): a wait between request starts is
asserted over the span of all of them, (n-1) x gap for n requests, less a
stated tolerance; a retry's wait from the answer the crawler was given
(the server's time before it writes the answer) to the retry's arrival,
with a stated tolerance. Measured figures are printed.
--subdomains is not covered: it needs a name that resolves to a loopback
address besides 127.0.0.1/127.0.0.2, and /etc/hosts is not ours to edit."""

import collections
import email.utils
import gzip
import os
import select
import shutil
import socket
import struct
import sys
import tempfile
import threading
import time
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import httpserver  # noqa: E402
from e2elib import Checker, check_records, check_run_ok, free_port, parse_args, run_crawl  # noqa: E402
from httpserver import TestServer, chunked, page, redirect  # noqa: E402

CRAWL_TIMEOUT = 25  # seconds per crawl (each is designed to take a few)
# A retry's wait is measured from before the server writes the answer to
# the retry's arrival: it can only come out longer than the crawler's wait,
# but for crawl's ms clock and the kernel timestamp's conversion.
RETRY_TOL = 0.02
# A span of request starts, from the first to the last, is (n-1) x gap or
# more, less how late the first request left the crawler after the clock
# reading its successor's wait counts from (one loop turn). Under the
# smallest gap asserted (0.2 s), so a skipped wait still fails.
SPAN_TOL = 0.1


# --- the server: TestServer bound to a chosen loopback address, plus bodies
# --- written piece by piece ------------------------------------------------

class Stream:
    """A route body written piece by piece: `pieces` yields bytes (written at
    once) or numbers (seconds to wait). Stops as soon as the client closes.
    `sent` counts the bytes written; the connection is closed afterwards."""

    def __init__(self, pieces):
        self.pieces = pieces
        self.sent = 0
        self.peer_closed = False
        self.completed = False


# Times of the request being handled by this thread (see _Handler).
_TLS = threading.local()
SO_TIMESTAMPNS = 35  # Linux; python's socket module does not name it
PEntry = collections.namedtuple(
    "PEntry", "method target path arrival respond_at start end status conn user_agent")


class _Handler(httpserver._Handler):
    """Also records, per request, when its first byte reached the socket
    (the kernel's receive timestamp: a server thread scheduled late on a
    busy machine does not shift it) and when the response began to be
    written (before the client can have seen any of it). Gaps between
    request starts are measured on the former; a wait that must follow a
    response is measured from the latter. Both err on the safe side."""

    def setup(self):
        super().setup()
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
        except OSError:
            pass

    def handle_one_request(self):
        _TLS.arrival = _TLS.respond_at = None
        try:
            data, anc, _, _ = self.connection.recvmsg(1, socket.CMSG_SPACE(16), socket.MSG_PEEK)
            for level, kind, raw in anc:
                if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS and len(raw) >= 16:
                    sec, nsec = struct.unpack("qq", raw[:16])
                    _TLS.arrival = sec + nsec / 1e9 - (time.time() - time.monotonic())
        except OSError:
            pass  # timeout or reset: the base class sees it too
        super().handle_one_request()

    def send_response(self, code, message=None):
        if _TLS.respond_at is None:
            _TLS.respond_at = time.monotonic()
        super().send_response(code, message)

    def _wait_peer_close(self, seconds):
        """Sleep up to `seconds`; True as soon as the client has closed."""
        end = time.monotonic() + seconds
        while True:
            left = end - time.monotonic()
            if left <= 0:
                return False
            r, _, _ = select.select([self.connection], [], [], left)
            if not r:
                return False
            try:
                if not self.connection.recv(1, socket.MSG_PEEK):
                    return True
            except OSError:
                return True
            time.sleep(min(left, 0.05))  # bytes pending (not EOF): keep waiting

    def _serve_route(self, route, path):
        result = route(httpserver.Request(self.command, path, self.path, self.headers))
        status, headers, body = result[:3]
        if not isinstance(body, Stream):
            return super()._serve_route(lambda req: result, path)
        self.close_connection = True
        self.send_response(status)
        items = list(headers.items()) if isinstance(headers, dict) else list(headers)
        for k, v in items:
            self.send_header(k, v)
        self.end_headers()
        try:
            for piece in body.pieces:
                if isinstance(piece, (int, float)):
                    if self._wait_peer_close(piece):
                        body.peer_closed = True
                        return
                    continue
                self.wfile.write(piece)
                body.sent += len(piece)
            body.completed = True
        except OSError:
            body.peer_closed = True


class Server(TestServer):
    """TestServer on `host` (127.0.0.1 or 127.0.0.2) serving an empty
    directory: a path without a route answers 404."""

    def __init__(self, host, root, latency_ms=0, routes=None):
        super().__init__(root=root, latency_ms=latency_ms, routes=routes)
        self.host = host
        self._plog = []

    def start(self):
        self._httpd = httpserver._Server((self.host, 0), _Handler)
        self._httpd.owner = self
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    @property
    def base(self):
        return "http://%s:%d" % (self.host, self.port)

    def _req_finished(self, entry):
        # runs on the handler's thread, before the entry counts as logged
        arrival = getattr(_TLS, "arrival", None)
        respond_at = getattr(_TLS, "respond_at", None)
        e = PEntry(entry.method, entry.target, entry.path,
                   entry.start if arrival is None else min(arrival, entry.start),
                   entry.end if respond_at is None else respond_at,
                   entry.start, entry.end, entry.status, entry.conn, entry.user_agent)
        with self._lock:
            self._plog.append(e)
        super()._req_finished(entry)

    def reset_stats(self):
        with self._lock:
            self._plog = []
        super().reset_stats()

    def gets(self):
        """GET entries of the access log (PEntry), by arrival time."""
        self.requests()  # settle
        with self._lock:
            log = list(self._plog)
        return sorted((e for e in log if e.method == "GET"), key=lambda e: e.arrival)


# --- pages and routes ---------------------------------------------------------

def html(links=(), title="t", head=""):
    """A page linking to each of links: href or (href, rel)."""
    out = ["<!DOCTYPE html><html><head><title>%s</title>%s</head><body>" % (title, head)]
    for l in links:
        href, rel = (l, None) if isinstance(l, str) else l
        out.append('<a href="%s"%s>%s</a>\n' % (href, ' rel="%s"' % rel if rel else "", href))
    out.append("</body></html>\n")
    return "".join(out)


def text(body, status=200):
    return page(body, status=status, content_type="text/plain")


def sequence(*responses):
    """A route answering responses[i] to its i-th request (the last one
    forever); each a (status, headers, body[, close]) or a callable."""
    n = [0]

    def fn(req):
        r = responses[min(n[0], len(responses) - 1)]
        n[0] += 1
        return r() if callable(r) else r
    return fn


def add_site(srv, paths, links_of=None):
    """Routes for plain pages; links_of(path) -> links."""
    for p in paths:
        srv.add_route(p, page(html(links_of(p) if links_of else [], title=p)))


def trickle(nbytes, every_s, limit_s):
    """Pieces: one byte every `every_s` seconds, for `limit_s` at most."""
    end = time.monotonic() + limit_s
    for _ in range(nbytes):
        yield b"x"
        if time.monotonic() + every_s > end:
            return
        yield every_s


def gzip_stream(limit_s, limit_mb=16384):
    """Chunked pieces of a gzip stream of zeros, made as the client reads:
    1 MB of zeros is ~1 KB on the wire. Bounded in time and size."""
    co = zlib.compressobj(9, zlib.DEFLATED, 31)
    zeros = bytes(1 << 20)
    end = time.monotonic() + limit_s
    for _ in range(limit_mb):
        out = co.compress(zeros)
        if out:
            yield chunked(out, len(out))[:-5]  # one chunk, not the terminator
        if time.monotonic() > end:
            return
    yield chunked(co.flush(), 1 << 20)


# --- records ------------------------------------------------------------------

def shorten(u, bases):
    for base, label in bases.items():
        if u.startswith(base + "/"):
            return label + u[len(base):]
    return u


def tuples(res, bases):
    """(url, status, error, reason) per record, URLs shortened."""
    return [(shorten(r["url"], bases), r["status"], r["error"], r["reason"])
            for r in res.records]


def starts_gaps(entries):
    """Gaps between consecutive request arrivals (entries sorted by them)."""
    return [b.arrival - a.arrival for a, b in zip(entries, entries[1:])]


def check_span(c, entries, gap, what):
    """n request starts at least `gap` apart: the span from the first to the
    last is at least (n-1) x gap, less SPAN_TOL. Returns the span."""
    n = len(entries)
    if not c.check(n >= 3, "%s: at least 3 requests to measure a span over" % what,
                   "%d requests" % n):
        return None
    span = entries[-1].arrival - entries[0].arrival
    want = (n - 1) * gap
    c.check(span >= want - SPAN_TOL,
            "%s: %d request starts span >= %d x %.2f s = %.2f s (tolerance %.2f s)" % (
                what, n, n - 1, gap, want, SPAN_TOL),
            "span %.3f s; gaps: %s" % (span, ", ".join("%.3f" % g for g in starts_gaps(entries))))
    return span


def crawl(c, args, what, argv, max_depth=None, timeout=CRAWL_TIMEOUT):
    res = run_crawl(args.crawl, ["-q"] + [str(a) for a in argv], timeout=timeout)
    check_run_ok(c, res, what)
    check_records(c, res, what, max_depth=max_depth)
    return res


# --- robots.txt -----------------------------------------------------------------

ROBOTS_RULES = """# a group for every other crawler, one for another, one for us
User-agent: *
Disallow: /

User-agent: otherbot
Disallow: /public.html

User-agent: CRAWL
Allow: /private/open
Disallow: /private/
Disallow: /*.pdf$
Disallow: /tmp*/x
Disallow: /q?*secret
Disallow: /same
Allow: /same
"""

ROBOTS_LINKS = ["/private/a", "/private/open.html", "/doc.pdf", "/doc.pdf?x=1", "/public.html",
                "/tmpfoo/x", "/tmpfoo/y", "/q?a=secret", "/q?a=1", "/same", "/go-private",
                ("/nf", "nofollow")]


def test_robots_rules(c, args, tmp):
    what = "robots rules"
    srv = Server("127.0.0.1", tmp)
    srv.add_route("/robots.txt", text(ROBOTS_RULES))
    srv.add_route("/", page(html(ROBOTS_LINKS)))
    add_site(srv, ["/private/open.html", "/doc.pdf?x=1", "/public.html", "/tmpfoo/y",
                   "/q?a=1", "/same", "/private/a", "/doc.pdf", "/tmpfoo/x", "/q?a=secret",
                   "/private/b", "/nf"])
    srv.add_route("/go-private", redirect("/private/b"))
    with srv:
        b = {srv.base: ""}
        res = crawl(c, args, what, ["-d", 1, srv.url("/")], max_depth=1)
        got = tuples(res, b)
        c.multiset_eq(got, [
            ("/", 200, None, None),
            ("/private/a", None, None, "robots"),           # Disallow: /private/
            ("/private/open.html", 200, None, None),        # longer Allow wins
            ("/doc.pdf", None, None, "robots"),             # /*.pdf$
            ("/doc.pdf?x=1", 200, None, None),              # $ anchors at the end
            ("/public.html", 200, None, None),              # otherbot's rule
            ("/tmpfoo/x", None, None, "robots"),            # /tmp*/x
            ("/tmpfoo/y", 200, None, None),
            ("/q?a=secret", None, None, "robots"),          # rule with a query
            ("/q?a=1", 200, None, None),
            ("/same", 200, None, None),                     # equal length: Allow
            ("/go-private", 302, None, "robots"),           # hop into /private/b
            ("/nf", None, None, "nofollow"),
        ], "%s: records (url, status, error, reason)" % what)
        rec = res.by_url().get(srv.url("/go-private"))
        if rec:
            c.eq((rec["final_url"], [(h["url"], h["status"]) for h in rec["redirects"]]),
                 (srv.url("/private/b"), [(srv.url("/go-private"), 302)]),
                 "%s: a redirect into a disallowed URL: final_url is the target, the hop "
                 "is listed" % what)
        log = srv.gets()
        c.eq(collections.Counter(e.target for e in log), collections.Counter(
            ["/robots.txt", "/", "/private/open.html", "/doc.pdf?x=1", "/public.html",
             "/tmpfoo/y", "/q?a=1", "/same", "/go-private"]),
             "%s: fetched exactly the allowed URLs, robots.txt once" % what)
        c.eq(log[0].target if log else None, "/robots.txt",
             "%s: robots.txt is the first request to the host" % what)
        uas = {e.user_agent for e in log}
        c.check(all(u and u.startswith("crawl/") for u in uas),
                "%s: every request carries the default User-Agent" % what, repr(uas))

        # Another product token falls into the * group: "Disallow: /".
        srv.reset_stats()
        what = "robots, --user-agent nobody/1.0"
        res = crawl(c, args, what, ["-d", 1, "--user-agent", "nobody/1.0", srv.url("/")])
        c.eq(tuples(res, b), [("/", None, None, "robots")],
             "%s: the start URL is disallowed by the * group" % what)
        c.eq([(e.target, e.user_agent) for e in srv.gets()], [("/robots.txt", "nobody/1.0")],
             "%s: only robots.txt was requested, with that User-Agent" % what)

        # --no-robots: no robots.txt request, nothing obeyed, nofollow ignored.
        srv.reset_stats()
        what = "--no-robots"
        res = crawl(c, args, what, ["-d", 1, "--no-robots", srv.url("/")])
        c.check(all(r["reason"] is None for r in res.records),
                "%s: no record has a reason" % what,
                "\n".join(map(repr, tuples(res, b))))
        fetched = {e.target for e in srv.gets()}
        c.check("/robots.txt" not in fetched, "%s: robots.txt not requested" % what)
        c.check({"/private/a", "/doc.pdf", "/tmpfoo/x", "/q?a=secret", "/nf",
                 "/private/b"} <= fetched,
                "%s: disallowed, nofollow and redirect targets are fetched" % what,
                "fetched: %s" % sorted(fetched))


def test_robots_unreachable(c, args, tmp):
    for status in (500, 503, 429):
        what = "robots.txt %d" % status
        srv = Server("127.0.0.1", tmp)
        srv.add_route("/robots.txt", text("User-agent: *\nAllow: /\n", status=status))
        add_site(srv, ["/", "/other"], lambda p: ["/third"])
        with srv:
            res = crawl(c, args, what, ["-d", 1, srv.url("/"), srv.url("/other")])
            c.multiset_eq(tuples(res, {srv.base: ""}), [
                ("/", None, None, "robots_unreachable"),
                ("/other", None, None, "robots_unreachable")],
                "%s: every start URL gets a robots_unreachable record" % what)
            c.eq([e.target for e in srv.gets()], ["/robots.txt"],
                 "%s: no other request to the host" % what)
    what = "robots.txt, connection refused"
    url = "http://127.0.0.2:%d/" % free_port("127.0.0.2")
    res = run_crawl(args.crawl, ["-q", "-d", "1", "--connect-timeout", "2", url],
                    timeout=CRAWL_TIMEOUT)
    # nothing could be fetched at all: exit 4, with the reason on stderr
    c.check(res.rc == 4 and "could not connect" in res.err, "%s: exit status 4" % what,
            res.describe())
    check_records(c, res, what)
    c.eq(tuples(res, {}), [(url, None, "connect", "robots_unreachable")],
         "%s: robots_unreachable with error connect" % what)


def test_robots_redirect_sitemaps(c, args, tmp):
    what = "robots.txt via redirects, --sitemaps"
    srv = Server("127.0.0.1", tmp)
    other = Server("127.0.0.2", tmp)
    with srv, other:
        other.add_route("/offsite", page(html()))
        srv.add_route("/robots.txt", redirect("/robots-moved", 301))
        srv.add_route("/robots-moved", redirect("/real/robots.txt", 302))
        srv.add_route("/real/robots.txt", text(
            "User-agent: *\nDisallow: /blocked\n\nSitemap: %s\n" % srv.url("/maps/index.xml")))
        srv.add_route("/maps/index.xml", page(
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            '<sitemap><loc>%s</loc></sitemap></sitemapindex>\n' % srv.url("/maps/sm1.xml.gz"),
            content_type="application/xml"))
        urlset = ('<?xml version="1.0" encoding="UTF-8"?>\n'
                  '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                  + "".join("<url><loc>%s</loc></url>" % u for u in [
                      srv.url("/from-sitemap"), srv.url("/blocked-sm"), other.url("/offsite")])
                  + "</urlset>\n")
        srv.add_route("/maps/sm1.xml.gz", page(gzip.compress(urlset.encode()),
                                               content_type="application/x-gzip"))
        srv.add_route("/", page(html(["/ok", "/blocked"])))
        add_site(srv, ["/ok", "/from-sitemap", "/blocked", "/blocked-sm"])
        res = crawl(c, args, what, ["-d", 1, "--sitemaps", srv.url("/")], max_depth=1)
        c.multiset_eq(tuples(res, {srv.base: "", other.base: "H2"}), [
            ("/", 200, None, None),
            ("/ok", 200, None, None),
            ("/blocked", None, None, "robots"),
            ("/from-sitemap", 200, None, None),
            ("/blocked-sm", None, None, "robots"),
        ], "%s: records (robots.txt rules from the end of the chain)" % what)
        rec = res.by_url().get(srv.url("/from-sitemap"))
        c.eq(rec and (rec["depth"], rec["parent"]), (0, None),
             "%s: a sitemap URL is a depth-0 seed" % what)
        c.eq(collections.Counter(e.target for e in srv.gets()), collections.Counter(
            ["/robots.txt", "/robots-moved", "/real/robots.txt", "/", "/ok", "/maps/index.xml",
             "/maps/sm1.xml.gz", "/sitemap.xml", "/from-sitemap"]),
            "%s: fetched: the chain, the sitemaps, allowed pages" % what)
        c.eq([e.target for e in other.gets()], [],
             "%s: the off-site sitemap entry is not fetched" % what)


def test_robots_hops(c, args, tmp):
    """RFC 9309 2.3.1.2: at least five redirects are followed; after more
    the file MAY be taken as unavailable (as a 4xx: everything allowed)."""
    for hops, want in (
            (5, [("/", 200, None, None), ("/x", None, None, "robots"), ("/y", 200, None, None)]),
            (6, [("/", 200, None, None), ("/x", 200, None, None), ("/y", 200, None, None)])):
        what = "robots.txt behind %d redirects" % hops
        srv = Server("127.0.0.1", tmp)
        srv.add_route("/robots.txt", redirect("/r1", 301))
        for i in range(1, hops):
            srv.add_route("/r%d" % i, redirect("/r%d" % (i + 1), 301))
        srv.add_route("/r%d" % hops, text("User-agent: *\nDisallow: /x\n"))
        srv.add_route("/", page(html(["/x", "/y"])))
        add_site(srv, ["/x", "/y"])
        with srv:
            res = crawl(c, args, what, ["-d", 1, srv.url("/")])
            c.multiset_eq(tuples(res, {srv.base: ""}), want,
                          "%s: records (%s)" % (what, "rules applied" if hops == 5 else
                                                "unavailable: everything allowed"))


# --- failures -----------------------------------------------------------------

def test_failures(c, args, tmp):
    what = "failures"
    srv = Server("127.0.0.1", tmp)
    other = Server("127.0.0.2", tmp)
    streams = collections.defaultdict(list)

    def stream_route(name, headers, make):
        def fn(req):
            s = Stream(make())
            streams[name].append(s)
            return 200, headers, s
        return fn

    bomb = gzip.compress(bytes(50 << 20))  # 50 MB of zeros: ~50 KB, under the cap
    deep20 = "/" + "/".join("s%d" % i for i in range(1, 21))
    deep21 = deep20 + "/s21"
    longurl = "/long/" + "x" * 400
    links = ["/trickle", "/bomb", "/bomb-stream", "/badgzip", "/big", "/big-nolen", "/loop1",
             "/chain0", "/ten0", "/offsite", "/toftp", "/tofile", "/slow",
             ("/nf-rel", "nofollow"), ("/nf-rel2", "external nofollow"), "/nf-page",
             ("/nf-mixed", "nofollow"), "/t/", "/a/a/a/a/", "/b/b/", deep20, deep21,
             "/skipme/page", longurl, "/ok"]
    with srv, other:
        srv.add_route("/", page(html(links)))
        srv.add_route("/trickle", stream_route(
            "trickle", {"Content-Type": "text/html", "Content-Length": "200"},
            lambda: trickle(200, 4.0, 15)))
        srv.add_route("/bomb", lambda req: (
            200, {"Content-Type": "text/html", "Content-Encoding": "gzip"}, bomb))
        srv.add_route("/bomb-stream", stream_route(
            "bomb", {"Content-Type": "text/html", "Content-Encoding": "gzip",
                     "Transfer-Encoding": "chunked"}, lambda: gzip_stream(15)))
        srv.add_route("/badgzip", lambda req: (
            200, {"Content-Type": "text/html", "Content-Encoding": "gzip"},
            b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03" + b"\xff" * 300))
        srv.add_route("/big", page(b"<html>" + b"a" * (200 << 10)))
        srv.add_route("/big-nolen", lambda req: (
            200, {"Content-Type": "text/html", "Transfer-Encoding": "chunked"},
            chunked(b"<html>" + b"a" * (200 << 10), 8192)))
        srv.add_route("/loop1", redirect("/loop2"))
        srv.add_route("/loop2", redirect("/loop1"))
        for i in range(12):
            srv.add_route("/chain%d" % i, redirect("/chain%d" % (i + 1)))
        srv.add_route("/chain12", page(html()))
        for i in range(10):
            srv.add_route("/ten%d" % i, redirect("/ten%d" % (i + 1), 301))
        srv.add_route("/ten10", page(html(title="ten")))
        srv.add_route("/offsite", redirect(other.url("/x")))
        srv.add_route("/toftp", redirect("ftp://127.0.0.1:%d/x" % srv.port))
        srv.add_route("/tofile", redirect("file:///etc/passwd"))
        srv.add_route("/slow", page(html(title="slow"), delay_s=1.5))
        srv.add_route("/nf-page", page(html(["/nf-meta"], head=(
            '<meta name="robots" content="noindex, nofollow">'))))
        srv.add_route("/t/", page(html(["t/", "/nf-mixed"])))
        srv.add_route("/t/t/", page(html(["t/"])))
        add_site(srv, ["/ok", "/nf-mixed", "/nf-rel", "/nf-rel2", "/nf-meta", "/t/t/t/",
                       "/a/a/a/a/", deep21, "/skipme/page", longurl, "/chain11"])
        other.add_route("/x", page(html()))

        b = {srv.base: "", other.base: "H2"}
        res = crawl(c, args, what, [
            "-d", 3, "--retries", 0, "--max-size", "100k", "--stall-timeout", 2,
            "--timeout", 20, "--exclude", "/skipme/", "--max-url-length", 300, srv.url("/")],
            max_depth=3)
        c.multiset_eq(tuples(res, b), [
            ("/", 200, None, None),
            ("/trickle", None, "timeout", None),
            ("/bomb", 200, "too_large", None),
            ("/bomb-stream", 200, "too_large", None),
            ("/badgzip", None, "bad_encoding", None),
            ("/big", 200, "too_large", None),
            ("/big-nolen", 200, "too_large", None),
            ("/loop1", 302, "redirect_loop", None),
            ("/chain0", 302, "too_many_redirects", None),
            ("/ten0", 200, None, None),
            ("/offsite", 302, None, None),
            ("/toftp", 302, None, None),
            ("/tofile", 302, None, None),
            ("/slow", 200, None, None),
            ("/nf-rel", None, None, "nofollow"),
            ("/nf-rel2", None, None, "nofollow"),
            ("/nf-page", 200, None, None),
            ("/nf-meta", None, None, "nofollow"),
            ("/nf-mixed", 200, None, None),
            ("/t/", 200, None, None),
            ("/t/t/", 200, None, None),
            ("/t/t/t/", None, None, "trap"),
            ("/a/a/a/a/", None, None, "trap"),
            ("/b/b/", 404, None, None),
            (deep20, 404, None, None),
            (deep21, None, None, "trap"),
            ("/skipme/page", None, None, "excluded"),
            (longurl, None, None, "too_long"),
            ("/ok", 200, None, None),
        ], "%s: records (url, status, error, reason)" % what)

        by = {shorten(r["url"], b): r for r in res.records}

        # nofollow links stay in the link data, marked
        def marks(page_url):
            r = by.get(page_url)
            return sorted((shorten(l["url"], b), l["nofollow"]) for l in (r or {}).get("links", []))
        root_marks = dict(marks("/"))
        c.eq([root_marks.get(u) for u in ("/nf-rel", "/nf-rel2", "/nf-mixed", "/ok")],
             [True, True, True, False], "%s: rel=nofollow links marked, others not" % what)
        c.eq(marks("/nf-page"), [("/nf-meta", True)],
             "%s: meta robots nofollow marks every link of the page" % what)

        def hops(u):
            r = by.get(u)
            return r and (shorten(r["final_url"], b),
                          [(shorten(h["url"], b), h["status"]) for h in r["redirects"]])
        c.eq(hops("/loop1"), ("/loop1", [("/loop1", 302), ("/loop2", 302)]),
             "%s: redirect loop: both hops listed" % what)
        c.eq(hops("/chain0"), ("/chain11", [("/chain%d" % i, 302) for i in range(11)]),
             "%s: 12-hop chain stops after --max-redirect 10 hops" % what)
        c.eq(hops("/ten0"), ("/ten10", [("/ten%d" % i, 301) for i in range(10)]),
             "%s: a 10-hop chain is followed to the end" % what)
        c.eq(hops("/offsite"), ("H2/x", [("/offsite", 302)]),
             "%s: off-site redirect: final_url is the target" % what)
        c.eq(hops("/toftp"), ("ftp://127.0.0.1:%d/x" % srv.port, [("/toftp", 302)]),
             "%s: ftp:// redirect not followed" % what)
        c.eq(hops("/tofile"), ("file:///etc/passwd", [("/tofile", 302)]),
             "%s: file:// redirect not followed" % what)
        c.check(b"root:" not in res.out and by.get("/tofile", {}).get("bytes") == 0,
                "%s: nothing of /etc/passwd was read" % what)
        for u in ("/big", "/big-nolen", "/bomb", "/bomb-stream"):
            n = by.get(u, {}).get("bytes")
            c.check(n is not None and n <= 100 << 10,
                    "%s: %s: bytes <= --max-size" % (what, u), "bytes: %r" % n)

        want = ["/robots.txt", "/", "/trickle", "/bomb", "/bomb-stream", "/badgzip", "/big",
                "/big-nolen", "/loop1", "/loop2", "/offsite", "/toftp", "/tofile", "/slow",
                "/nf-page", "/nf-mixed", "/t/", "/t/t/", "/b/b/", deep20, "/ok"]
        want += ["/chain%d" % i for i in range(11)] + ["/ten%d" % i for i in range(11)]
        c.eq(collections.Counter(e.target for e in srv.gets()), collections.Counter(want),
             "%s: fetched exactly the followable URLs, once each" % what)
        c.eq([e.target for e in other.gets()], [], "%s: nothing fetched off-site" % what)
        c.eq([e.status for e in srv.gets() if e.target == "/robots.txt"], [404],
             "%s: robots.txt answered 404 (so everything is allowed)" % what)
        ts = streams["trickle"]
        c.check(ts and ts[0].peer_closed and not ts[0].completed,
                "%s: the client hung up on the trickling body (--stall-timeout 2)" % what)
        bs = streams["bomb"]
        sent = bs[0].sent if bs else None
        c.check(bs and bs[0].peer_closed and sent < (1 << 20),
                "%s: streamed gzip bomb: the client hung up after < 1 MB on the wire" % what,
                "streams: %r, sent %r" % (len(bs), sent))
        print("measured: streamed gzip bomb: %s bytes sent (~%s MB of zeros) before the "
              "client hung up" % (sent, sent and sent // 1000))


def test_timeout(c, args, tmp):
    what = "--timeout 2"
    srv = Server("127.0.0.1", tmp)
    streams = []

    def steady(req):
        s = Stream(trickle(1000, 0.25, 12))
        streams.append(s)
        return 200, {"Content-Type": "text/html", "Content-Length": "1000"}, s
    with srv:
        srv.add_route("/", page(html(["/steady", "/slow3", "/fast"])))
        srv.add_route("/steady", steady)
        srv.add_route("/slow3", page(html(), delay_s=3.5))
        srv.add_route("/fast", page(html()))
        res = crawl(c, args, what, ["-d", 1, "--timeout", 2, "--retries", 0, srv.url("/")])
        c.multiset_eq(tuples(res, {srv.base: ""}), [
            ("/", 200, None, None),
            ("/steady", None, "timeout", None),  # 4 bytes/s: not a stall, too long
            ("/slow3", None, "timeout", None),
            ("/fast", 200, None, None)], "%s: records" % what)
        c.eq(collections.Counter(e.target for e in srv.gets()), collections.Counter(
            ["/robots.txt", "/", "/steady", "/slow3", "/fast"]),
            "%s: each URL fetched once (--retries 0)" % what)
        c.check(streams and streams[0].peer_closed and not streams[0].completed,
                "%s: the client hung up on the trickling body" % what)


# --- retries ------------------------------------------------------------------

def test_retries(c, args, tmp):
    what = "retries"
    srv = Server("127.0.0.1", tmp)
    ok = (200, {"Content-Type": "text/html"}, html(title="ok"))
    with srv:
        srv.add_route("/", page(html(["/r500", "/r429", "/trunc", "/r503", "/r503date",
                                      "/r503forever"])))
        srv.add_route("/r500", text("no", status=500))
        srv.add_route("/r429", sequence((429, {"Retry-After": "1"}, "slow down"), ok))
        srv.add_route("/trunc", sequence(
            (200, {"Content-Type": "text/html", "Content-Length": "1000"}, b"<html>", True), ok))
        srv.add_route("/r503", sequence((503, {}, "busy"), ok))
        srv.add_route("/r503date", sequence(lambda: (503, {"Retry-After": email.utils.formatdate(
            time.time() + 2, usegmt=True)}, "busy"), ok))
        srv.add_route("/r503forever", lambda req: (503, {"Retry-After": "1"}, "busy"))
        res = crawl(c, args, what, ["-d", 1, "--retries", 1, "--per-host", 1, srv.url("/")])
        c.multiset_eq(tuples(res, {srv.base: ""}), [
            ("/", 200, None, None),
            ("/r500", 500, None, None),
            ("/r429", 200, None, None),
            ("/trunc", 200, None, None),
            ("/r503", 200, None, None),
            ("/r503date", 200, None, None),
            ("/r503forever", 503, None, None)], "%s: records show the last response" % what)
        log = srv.gets()
        c.eq(collections.Counter(e.target for e in log), collections.Counter(
            ["/robots.txt", "/", "/r500", "/r429", "/r429", "/trunc", "/trunc", "/r503", "/r503",
             "/r503date", "/r503date", "/r503forever", "/r503forever"]),
            "%s: 500 not retried, the others once (--retries 1)" % what)
        for path, lo in (("/r429", 1.0), ("/r503date", 1.0), ("/r503", 0.25),
                         ("/r503forever", 1.0), ("/trunc", 0.25)):
            tries = [e for e in log if e.target == path]
            if len(tries) == 2:
                gap = tries[1].arrival - tries[0].respond_at
                c.check(gap >= lo - RETRY_TOL, "%s: %s: retry >= %.2f s after the answer "
                        "(tolerance %.2f s)" % (what, path, lo, RETRY_TOL), "measured %.3f s" % gap)
                print("measured: %s retried %.3f s after the first answer" % (path, gap))


# --- scheduling -----------------------------------------------------------------

def pages_site(srv, n, robots=None):
    """/ linking /p1../p(n-1); robots.txt body or 404."""
    paths = ["/p%d" % i for i in range(1, n)]
    srv.add_route("/", page(html(paths)))
    add_site(srv, paths)
    if robots is not None:
        srv.add_route("/robots.txt", text(robots))
    return ["/"] + paths


def fetched_all(c, srv, paths, what):
    got = collections.Counter(e.target for e in srv.gets() if e.target != "/robots.txt")
    c.eq(got, collections.Counter(paths), "%s: every page fetched once" % what)


def test_per_host(c, args, tmp):
    what = "--per-host 2 -c 16"
    srv = Server("127.0.0.1", tmp, latency_ms=50)
    with srv:
        paths = pages_site(srv, 30)
        res = crawl(c, args, what, ["-d", 1, "--per-host", 2, "-c", 16, srv.url("/")])
        c.eq(len(res.records), 30, "%s: 30 records" % what)
        fetched_all(c, srv, paths, what)
        c.check(srv.max_open_connections <= 2, "%s: at most 2 connections open at once" % what,
                "measured %d" % srv.max_open_connections)
        c.check(srv.max_inflight <= 2, "%s: at most 2 requests in flight" % what,
                "measured %d" % srv.max_inflight)
        c.eq(srv.max_inflight, 2, "%s: the 2 connections are used in parallel" % what)
        print("measured: --per-host 2: max open connections %d, max in flight %d, "
              "%d connections in total" % (srv.max_open_connections, srv.max_inflight,
                                            srv.total_connections))


def test_wait(c, args, tmp):
    figures = {}
    for what, argv, robots, lo, n in (
            ("--wait 0.3", ["--wait", "0.3"], None, 0.3, 8),
            ("--wait 0.4 --random-wait", ["--wait", "0.4", "--random-wait"], None, 0.2, 7),
            ("Crawl-delay: 0.4", [], "User-agent: *\nCrawl-delay: 0.4\n", 0.4, 8),
            ("Crawl-delay: 30 --max-crawl-delay 0.3", ["--max-crawl-delay", "0.3"],
             "User-agent: *\nCrawl-delay: 30\n", 0.3, 4),
            ("--rate 5 --per-host 1", ["--rate", 5, "--per-host", 1], None, 0.2, 10)):
        srv = Server("127.0.0.1", tmp)
        with srv:
            paths = pages_site(srv, n, robots)
            crawl(c, args, what, ["-d", 1, "-c", 16] + argv + [srv.url("/")])
            fetched_all(c, srv, paths, what)
            # robots.txt counts: the first page waits the gap after it too
            log = srv.gets()
            span = check_span(c, log, lo, what)
            gaps = starts_gaps(log)
            m = min(gaps) if gaps else None
            figures[what] = (m, srv.max_open_connections)
            print("measured: %s: span %.3f s over %d gaps (min gap %.3f s), max connections %d"
                  % (what, span if span is not None else -1, len(gaps),
                     m if m is not None else -1, srv.max_open_connections))
    return figures


def test_two_hosts(c, args, tmp):
    """The slow host waits (Crawl-delay 2, or 503 + Retry-After 3); the fast
    host's 20 pages all finish before the slow host's next request starts."""
    for variant in ("Crawl-delay: 2", "503 + Retry-After: 3"):
        what = "two hosts, slow one %s" % variant
        slow = Server("127.0.0.1", tmp)
        fast = Server("127.0.0.2", tmp, latency_ms=10)
        with slow, fast:
            fpaths = pages_site(fast, 20)
            argv = ["-d", 1, "-c", 16]
            if variant.startswith("Crawl"):
                pages_site(slow, 3, "User-agent: *\nCrawl-delay: 2\n")
            else:
                slow.add_route("/", lambda req: (503, {"Retry-After": "3"}, "busy"))
                argv += ["--retries", 1]
            res = crawl(c, args, what, argv + [slow.url("/"), fast.url("/")])
            fetched_all(c, fast, fpaths, what)
            spages = [e for e in slow.gets() if e.target != "/robots.txt"]
            fend = max((e.end for e in fast.gets()), default=None)
            if c.check(len(spages) >= 2 and fend is not None,
                       "%s: the slow host got two page requests" % what,
                       "slow: %s" % [e.target for e in spages]):
                # An order, not a duration: the slow host's 2 or 3 s wait
                # against the fast host's ~0.1 s of work is the tolerance.
                c.check(fend < spages[1].arrival,
                        "%s: every fast-host request ended before the slow host's second "
                        "page request started" % what,
                        "fast ended %.3f s after, slow second started %.3f s after the first"
                        % (fend - spages[0].arrival, spages[1].arrival - spages[0].arrival))
                print("measured: %s: fast host done %.3f s after the slow host's first page; "
                      "slow host's second page %.3f s after it" % (
                          what, fend - spages[0].arrival, spages[1].arrival - spages[0].arrival))
            if variant.startswith("503"):
                c.eq([t for t in tuples(res, {slow.base: "S"}) if t[0] == "S/"],
                     [("S/", 503, None, None)], "%s: the slow start URL ends with 503" % what)


def main():
    args = parse_args(__doc__.split("\n")[0])
    c = Checker(args.verbose)
    tmp = tempfile.mkdtemp(prefix="crawl-polite-")
    t0 = time.monotonic()
    try:
        for t in (test_robots_rules, test_robots_unreachable, test_robots_redirect_sitemaps,
                  test_robots_hops, test_failures, test_timeout, test_retries, test_per_host,
                  test_wait, test_two_hosts):
            t1 = time.monotonic()
            t(c, args, tmp)
            print("(%s: %.1f s)" % (t.__name__, time.monotonic() - t1))
            sys.stdout.flush()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("skipped: --subdomains (needs a second loopback host name; /etc/hosts is not "
          "edited)")
    print("total %.1f s" % (time.monotonic() - t0))
    return c.finish()


if __name__ == "__main__":
    sys.exit(main())
