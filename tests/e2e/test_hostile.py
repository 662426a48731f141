#!/usr/bin/env python3
"""Hostile pages and hostile workers, end to end against the real binary
(issue 5 items 1-3), over the local HTTP test server.

1. Worker faults: with CRAWL_TEST_FAULTS=1 the parse workers crash, hang,
   babble or exit on pages carrying <!--crawl-test:...--> markers (see
   worker/worker_main.c). A small site mixes such pages with normal ones;
   the crawl must still give every URL exactly one record, the fault pages
   error "parse_error", every normal page its links (also pages reached only
   through normal pages deeper down), exit 0, log the deaths ("died"), and
   leave no worker process behind (alive or zombie).
2. A real worker SIGKILLed by pid in the middle of a crawl of ~220 pages
   (bodies that take a while to parse, gzip-compressed on the wire): the
   crawl completes with every page's record and links, exit 0.
3. The hostile HTML cases of ../shared/testdata/html_link_cases.json, each
   served as a page (html_latin1 -> latin-1 bytes, no charset): each page's
   usable links equal the HTML5 expectation as a set of URLs, with the same
   adjustments as tests/unit/test_html.c, and the expected values that are
   no URL (empty or whitespace-only, javascript:...) are listed once each
   as unusable with their reason (skipped, saying so, when the testdata
   folder is absent).
Every crawl's stdout lines are checked to be UTF-8 JSON objects."""

import gzip
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e2elib import Checker, CrawlResult, check_records, check_run_ok, parse_args, proc_stat  # noqa: E402
from httpserver import TestServer  # noqa: E402

MARKERS = ("crash", "hang", "garbage", "exit")


# --- processes --------------------------------------------------------------

def proc_children(pid):
    """pids whose parent is pid (/proc scan: task/*/children is not in
    every kernel)."""
    out = set()
    for name in os.listdir("/proc"):
        if name.isdigit():
            st = proc_stat(int(name))
            if st and st[2] == pid:
                out.add(int(name))
    return out


def procs_with_token(token):
    """Live processes whose environment carries token (workers are forked,
    not exec'd, so they keep the crawl's environment)."""
    needle = token.encode()
    out = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open("/proc/%s/environ" % name, "rb") as f:
                if needle in f.read():
                    out.append(int(name))
        except OSError:
            pass
    return out


class Watched:
    """A crawl run with its children watched through /proc while it runs."""

    def __init__(self, res, children, token, killed=None):
        self.res = res
        self.children = children  # every child pid seen during the run
        self.token = token
        self.killed = killed  # (pid, state when killed) or None


def run_watched(crawl, args, timeout=120, faults=False, on_tick=None):
    """Runs crawl with a unique token in its environment, polling its
    children every few ms; on_tick(children) may act on them and return a
    value, kept (the first one not None) as Watched.killed."""
    token = "CRAWL_HOSTILE_TOKEN=%s" % uuid.uuid4().hex
    env = dict(os.environ)
    env["CRAWL_HOSTILE_TOKEN"] = token.split("=", 1)[1]
    if faults:
        env["CRAWL_TEST_FAULTS"] = "1"
    else:
        env.pop("CRAWL_TEST_FAULTS", None)
    cmd = [crawl] + [str(a) for a in args]
    p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, env=env, start_new_session=True)
    seen, killed = set(), None
    deadline = time.monotonic() + timeout
    out = err = b""
    timed_out = False
    while True:
        try:
            out, err = p.communicate(timeout=0.005)
            break
        except subprocess.TimeoutExpired:
            pass
        kids = proc_children(p.pid)
        seen |= kids
        if on_tick is not None and killed is None:
            killed = on_tick(kids)
        if time.monotonic() > deadline:
            timed_out = True
            try:
                os.killpg(p.pid, signal.SIGKILL)  # the crawl and its workers
            except OSError:
                pass
            out, err = p.communicate(timeout=30)
            break
    res = CrawlResult(cmd, None if timed_out else p.returncode, out,
                      err.decode("utf-8", "replace"), timed_out)
    return Watched(res, seen, token, killed)


def check_no_leftovers(c, w, what):
    """No child of the finished crawl remains, neither alive nor a zombie,
    and no process carries its environment token. Workers die with their
    parent (PDEATHSIG) but may take a moment: alive ones get a short grace,
    zombies none beyond it."""
    end = time.monotonic() + 2.0
    while True:
        left = []
        for pid in sorted(w.children):
            st = proc_stat(pid)
            if st and st[0] == "crawl":
                left.append("pid %d state %s ppid %d" % (pid, st[1], st[2]))
        left += ["pid %d carries the crawl's environment" % pid
                 for pid in procs_with_token(w.token)]
        if not left or time.monotonic() > end:
            break
        time.sleep(0.05)
    c.check(len(w.children) > 0, "%s: the crawl's worker processes were seen" % what)
    c.check(not left, "%s: no worker process or zombie is left after exit" % what,
            "\n".join(left))


# --- 1. worker faults ---------------------------------------------------------

def html_page(title, links, extra=""):
    body = "<!doctype html><html><head><title>%s</title></head><body>\n" % title
    body += "".join('<p><a href="%s">%s</a></p>\n' % (h, h) for h in links)
    return (body + extra + "</body></html>\n").encode("utf-8")


def fault_site():
    """path -> (links as written, marker or None), with depths from
    /index.html in the comments. /behind-*.html are linked only from fault
    pages, so the crawl never learns of them; /beyond.html is past the
    depth limit (3)."""
    site = {
        "/index.html": (["n1.html", "n2.html", "crash.html", "hang.html", "garbage.html",
                         "exit.html", "/n3.html?x=1"], None),  # 0
        "/n1.html": (["n1a.html", "n2.html", "index.html"], None),  # 1
        "/n2.html": (["n2a.html", "/deep/n2b.html"], None),  # 1
        "/n3.html?x=1": (["n1.html"], None),  # 1
        "/n1a.html": (["deep/n1b.html", "crash2.html"], None),  # 2, found via n1 only
        "/n2a.html": (["n1.html"], "garbage"),  # 2: a fault deeper down
        "/deep/n2b.html": ([], None),  # 2
        "/deep/n1b.html": (["../n1.html", "../beyond.html"], None),  # 3, parsed at the limit
        "/crash2.html": (["n1.html"], "crash"),  # 3: a fault at the limit
        "/beyond.html": ([], None),  # 4: no record
    }
    for m in MARKERS:
        site["/%s.html" % m] = (["behind-%s.html" % m, "n1.html"], m)  # 1
    return site


def add_site(srv, site):
    for path, (links, marker) in site.items():
        extra = "<!--crawl-test:%s-->\n" % marker if marker else ""
        body = html_page(path, links, extra)
        srv.add_route(path, lambda req, b=body: (
            200, {"Content-Type": "text/html; charset=utf-8"}, b))


def test_faults(c, crawl, workers):
    site = fault_site()
    with tempfile.TemporaryDirectory() as empty, TestServer(empty) as srv:
        add_site(srv, site)
        what = "faults (--workers %d)" % workers
        w = run_watched(crawl, ["--depth", 3, "--workers", workers, "--parse-timeout", 1,
                                srv.url("/index.html")], timeout=120, faults=True)
        res = w.res
        check_run_ok(c, res, what)
        if res.timed_out:
            return
        check_records(c, res, what, max_depth=3)

        urls = [r["url"] for r in res.records]
        want = {srv.url(p) for p in site
                if not p.startswith("/behind-") and p != "/beyond.html"}
        c.set_eq(urls, want, "%s: exactly the reachable URLs have records" % what)
        c.eq(len(urls), len(set(urls)), "%s: one record per URL" % what)

        by = res.by_url()
        for path, (links, marker) in sorted(site.items()):
            u = srv.url(path)
            r = by.get(u)
            if r is None:
                continue
            if marker:
                c.eq((r["status"], r["error"], r["links"]), (200, "parse_error", []),
                     "%s: %s (%s marker): status 200, error parse_error, no links"
                     % (what, path, marker))
            elif not marker:
                got = [l["url"] for l in r["links"]]
                exp = [urllib.parse.urljoin(u, h) for h in links]
                c.multiset_eq(got, exp, "%s: %s has its links" % (what, path))
                c.eq((r["status"], r["error"]), (200, None),
                     "%s: %s status 200, no error" % (what, path))
        deaths = [l for l in res.err.splitlines() if "died" in l]
        # crash and exit pages kill a worker on each of their two tries
        c.check(len(deaths) >= 4, "%s: worker deaths are logged on stderr (%d 'died' lines)"
                % (what, len(deaths)), res.describe())
        check_no_leftovers(c, w, what)


# --- 2. SIGKILL a worker mid-crawl -----------------------------------------

def heavy_body(title, links):
    """~0.5 MB of markup (it takes the parser a while), a few links."""
    filler = "".join('<div class="c%d"><span id="s%d">text %d &amp; more</span></div>'
                     % (i % 97, i, i) for i in range(8000))
    return html_page(title, links, filler)


def gzip_route(body):
    packed = gzip.compress(body, 1)

    def fn(req):
        if "gzip" in (req.headers.get("Accept-Encoding") or ""):
            return 200, {"Content-Type": "text/html", "Content-Encoding": "gzip"}, packed
        return 200, {"Content-Type": "text/html"}, body
    return fn


def test_kill_worker(c, crawl):
    sections, per = 20, 10
    site = {"/": ["s%d/" % s for s in range(sections)]}
    for s in range(sections):
        site["/s%d/" % s] = ["p%d.html" % i for i in range(per)]
        for i in range(per):
            site["/s%d/p%d.html" % (s, i)] = ["../", "p%d.html" % ((i + 1) % per)]
    what = "SIGKILL a worker mid-crawl (%d pages)" % len(site)

    def killer_factory(start):
        def tick(kids):
            # wait until parsing is under way, then kill a worker that is
            # running (state R: parsing, not blocked on its channel); after
            # 3 s without catching one busy, kill any worker
            if time.monotonic() - start < 0.3:
                return None
            late = time.monotonic() - start > 3.0
            for pid in sorted(kids):
                st = proc_stat(pid)
                if st and st[0] == "crawl" and (st[1] == "R" or late):
                    try:
                        os.kill(pid, signal.SIGKILL)
                    except OSError:
                        return None
                    return (pid, st[1])
            return None
        return tick

    with tempfile.TemporaryDirectory() as empty, TestServer(empty, latency_ms=15) as srv:
        for path, links in site.items():
            srv.add_route(path, gzip_route(heavy_body(path, links)))
        w = run_watched(crawl, ["--depth", 2, "--workers", 2, srv.url("/")], timeout=240,
                        on_tick=killer_factory(time.monotonic()))
        res = w.res
        check_run_ok(c, res, what)
        c.check(w.killed is not None, "%s: a worker was killed while the crawl ran" % what,
                "children seen: %s" % sorted(w.children))
        if res.timed_out:
            return
        if w.killed:
            pid, state = w.killed
            print("note: %s: killed worker pid %d (state %s)" % (what, pid, state))
            c.check(re.search(r"\(pid %d\) died" % pid, res.err),
                    "%s: the parent logged the death of pid %d" % (what, pid), res.describe())
        check_records(c, res, what, max_depth=2)
        want = {srv.url(p) for p in site}
        c.set_eq([r["url"] for r in res.records], want,
                 "%s: every page has a record" % what)
        bad = []
        for r in res.records:
            exp = {urllib.parse.urljoin(r["url"], h) for h in site.get(
                r["url"][len(srv.base):], [])}
            got = {l["url"] for l in r["links"]}
            if r["error"] is not None or r["status"] != 200 or got != exp:
                bad.append("%s: status %r error %r, %d links (want %d)" % (
                    r["url"], r["status"], r["error"], len(got), len(exp)))
        c.check(not bad, "%s: every page parsed, with its links" % what, "\n".join(bad[:20]))
        check_no_leftovers(c, w, what)


# --- 3. hostile HTML cases ---------------------------------------------------

# Mirrors `adjustments` in tests/unit/test_html.c: the document's <base
# href>, expected raw values that are not links here (<base>), values where
# libxml2 2.9.14 makes HTML5's answer infeasible, and links crawl extracts
# beyond the HTML5 list (srcset candidates, a meta refresh).
ADJUST = {
    "two_base_elements": ("/other/", {"/other/", "http://evil.example/"}, {}, []),
    "base_in_body_after_link": ("http://b2/", {"http://b2/"}, {}, []),
    "other_link_elements": (None, set(), {}, ["/a.png", "/b.png", "/refresh"]),
    "entities_in_href": (None, set(), {"?l<": "?l&lt", "?a&": "?a&amp"}, []),
}

_UNRESERVED = set(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
_PLAIN = set(range(0x21, 0x7F)) - set(b'"<>`{}|^\\')


def _pct_part(s, keep):
    """Percent-encode a path/query as crawl's canonical form does: UTF-8,
    bytes outside 0x21..0x7E and " < > ` { } | ^ encoded, existing escapes
    with uppercase hex, unreserved escapes decoded."""
    b = s.encode("utf-8", "surrogatepass")
    out, i = [], 0
    while i < len(b):
        ch = b[i]
        if ch == 0x25 and re.match(rb"%[0-9A-Fa-f]{2}", b[i:i + 3]):
            v = int(b[i + 1:i + 3], 16)
            out.append(chr(v) if v in _UNRESERVED else "%%%02X" % v)
            i += 3
            continue
        out.append(chr(ch) if ch in keep else "%%%02X" % ch)
        i += 1
    return "".join(out)


def canon(url):
    """The canonical form of an absolute http URL, as far as these cases
    need it (lowercase scheme/host, default port dropped, no fragment,
    percent-encoding normalised)."""
    sp = urllib.parse.urlsplit(url)
    host = sp.hostname or ""
    port = "" if sp.port in (None, 80 if sp.scheme == "http" else 443) else ":%d" % sp.port
    path = _pct_part(sp.path or "/", _PLAIN)
    q = "?" + _pct_part(sp.query, _PLAIN) if sp.query or url.split("#")[0].endswith("?") else ""
    return "%s://%s%s%s%s" % (sp.scheme.lower(), host.lower(), port, path, q)


def unusable_as_listed(raw):
    """How crawl lists a value that resolve() says is no link: the value
    trimmed of C0/space, with its reason ("empty" or "scheme")."""
    v = raw.strip("".join(chr(i) for i in range(0x21)))
    return (v, "scheme" if re.sub("[\t\n\r]", "", v) else "empty")


def resolve(base, raw):
    """HTML5 URL parsing of an attribute value against base: leading and
    trailing C0/space stripped, tab/LF/CR removed, '\\' as '/'; empty,
    javascript:, mailto: and data: are not links. None when not a link."""
    v = raw.strip("".join(chr(i) for i in range(0x21)))
    v = re.sub("[\t\n\r]", "", v)
    if not v:
        return None
    if re.match(r"(?i)(javascript|mailto|data):", v):
        return None
    return canon(urllib.parse.urljoin(base, v.replace("\\", "/")))


def test_link_cases(c, crawl, root):
    path = os.path.normpath(os.path.join(root, "..", "shared", "testdata",
                                         "html_link_cases.json"))
    if not os.path.isfile(path):
        print("SKIP: %s absent: hostile HTML link cases not run" % path)
        return
    with open(path, encoding="utf-8") as f:
        cases = json.load(f)["cases"]
    c.check(len(cases) >= 21, "html_link_cases.json has its 21 cases (read %d)" % len(cases))
    with tempfile.TemporaryDirectory() as empty, TestServer(empty) as srv:
        starts = []
        for case in cases:
            p = "/hostile/%s.html" % case["id"]
            body = case["html_latin1"].encode("latin-1")
            # no charset: the crawl decides the encoding from the bytes
            srv.add_route(p, lambda req, b=body: (200, {"Content-Type": "text/html"}, b))
            starts.append(srv.url(p))
        what = "hostile HTML cases (%d pages, --depth 0)" % len(cases)
        w = run_watched(crawl, ["--depth", 0] + starts, timeout=120)
        res = w.res
        if not check_run_ok(c, res, what):
            return
        check_records(c, res, what, max_depth=0)
        by = res.by_url()
        for case, start in zip(cases, starts):
            r = by.get(start)
            if not c.check(r is not None, "%s: %s has a record" % (what, case["id"])):
                continue
            base, not_links, ours, extra = ADJUST.get(case["id"], (None, set(), {}, []))
            docbase = urllib.parse.urljoin(start, base) if base else start
            want, want_unusable = set(), []
            for raw in case["expected_links_html5"] + extra:
                if raw in not_links:
                    continue
                u = resolve(docbase, ours.get(raw, raw))
                if u is not None:
                    want.add(u)
                else:
                    want_unusable.append(unusable_as_listed(raw))
            # The HTML5 set is the URLs a browser would follow: compare the
            # usable links with it. The values that are no URL (empty or
            # whitespace-only, javascript:...) are still listed, each once,
            # with the reason.
            got = {l["url"] for l in r["links"] if l["unusable"] is None}
            got_unusable = [(l["url"], l["unusable"]) for l in r["links"]
                            if l["unusable"] is not None]
            c.check(r["status"] == 200 and r["error"] is None,
                    "%s: %s fetched and parsed" % (what, case["id"]), repr(r)[:500])
            c.set_eq(got, want, "%s: %s: links equal the HTML5 set" % (what, case["id"]))
            c.multiset_eq(got_unusable, want_unusable,
                          "%s: %s: the values that are no URL are listed as unusable, "
                          "with the reason" % (what, case["id"]))
        check_no_leftovers(c, w, what)


def test_workers_keep_dying(c, crawl):
    """Every page kills its worker: the pool gives up respawning after a
    streak of deaths, the crawl still ends with one record per URL, and the
    exit status says something went wrong."""
    n = 70
    site = {"/index.html": (["c%d.html" % i for i in range(n)], None)}
    for i in range(n):
        site["/c%d.html" % i] = ([], "crash")
    with tempfile.TemporaryDirectory() as empty, TestServer(empty) as srv:
        add_site(srv, site)
        what = "every page crashes its worker"
        w = run_watched(crawl, ["--depth", 1, "--workers", 1, srv.url("/index.html")],
                        timeout=240, faults=True)
        res = w.res
        c.eq(res.rc, 1, "%s: exit 1" % what)
        c.check(not res.timed_out, "%s: the crawl ends" % what, res.describe())
        urls = [r["url"] for r in res.records]
        c.eq(sorted(urls), sorted(srv.url(p) for p in site), "%s: one record per URL" % what)
        failed = [r for r in res.records if r["url"] != srv.url("/index.html")]
        c.check(all(r["error"] == "parse_error" for r in failed),
                "%s: every crashing page is a parse_error record" % what,
                repr([r["error"] for r in failed][:5]))
        c.check("kept dying" in res.err, "%s: stderr says the workers kept dying" % what,
                res.err[-600:])
        check_no_leftovers(c, w, what)


def main():
    args = parse_args(__doc__)
    c = Checker(args.verbose)
    test_workers_keep_dying(c, args.crawl)
    test_faults(c, args.crawl, 2)
    test_faults(c, args.crawl, 1)
    test_kill_worker(c, args.crawl)
    test_link_cases(c, args.crawl, args.root)
    return c.finish()


if __name__ == "__main__":
    sys.exit(main())
