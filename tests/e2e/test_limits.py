#!/usr/bin/env python3
"""Resource limits and signals that arrive together (issue 10 items 7 and
9), end to end against the real binary and a local server on 127.0.0.1:

1. Out of file descriptors is not a failing host:
   a. A 300-page site crawled under `ulimit -n 64` (soft and hard, so the
      limit cannot be raised) with -c 500 --per-host 500: stderr says -c was
      lowered, and the crawl ends with exactly the 300 pages, each fetched
      once, no error record.
   b. The same site with the crawl's limit cut (prlimit, soft and hard) to
      a few descriptors more than it holds while it answers the start page:
      socket() fails with EMFILE for most of the 299 transfers that follow.
      Those are retried without using up --retries 0 and without backing
      the host off: every page is fetched once and no record has an error.
2. A 503 with `Retry-After: 100000`:
   a. --retries 0: the URL is not retried, so the host does not pause: the
      host's other URLs are all fetched and the crawl ends.
   b. --retries 1 --max-crawl-delay 1: the Retry-After is capped at 1 s, the
      retry happens (no sooner than 1 s after the first request) and the
      crawl ends.
3. Two signals read in one loop turn both count. The crawl is stopped
   (SIGSTOP) while a 30 s page is in flight, two SIGINTs are queued (one
   for the process, one for its main thread: the kernel keeps a second
   process-wide SIGINT pending as one), then SIGCONT: both handlers run
   before the loop reads the self-pipe. The crawl must leave at once: exit
   130, complete JSON lines only, no "interrupted" record (those are the
   graceful stop's, 2 s later). The same with SIGINT + SIGTERM (exit 130
   or 143: which handler runs first is the kernel's choice). And the
   plain case of two os.kill(SIGINT) without a sleep: exit 130, complete
   lines (whether the kernel merged the two is printed, not asserted).
Timeouts only guard against hangs; no duration is asserted except the
lower bound in 2b, measured between two request starts at the server
(the first one's start precedes its answer, so a late log line can only
lengthen the gap), with the tolerance stated there."""

import collections
import ctypes
import os
import resource
import signal
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e2elib import (Checker, CrawlResult, check_records, check_run_ok,  # noqa: E402
                    parse_args)
from httpserver import TestServer, page  # noqa: E402

HANG_GUARD_S = 60  # only so that a hung crawl fails instead of blocking ctest
NPAGES = 300
FD_LIMIT = 64
RETRY_TOL_S = 0.05  # ms truncation in crawl's clock and the server's log


def run(crawl, argv, timeout=HANG_GUARD_S, preexec_fn=None, on_start=None):
    """Run crawl; on_start(popen) is called once it is started."""
    cmd = [crawl] + [str(a) for a in argv]
    p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, preexec_fn=preexec_fn)
    if on_start:
        on_start(p)
    try:
        out, err = p.communicate(timeout=timeout)
        return CrawlResult(cmd, p.returncode, out, err.decode("utf-8", "replace"), False)
    except subprocess.TimeoutExpired:
        p.kill()
        out, err = p.communicate(timeout=30)
        return CrawlResult(cmd, None, out, err.decode("utf-8", "replace"), True)


def html(links=()):
    return "<!DOCTYPE html><html><head><title>t</title></head><body>%s</body></html>\n" % (
        "".join('<a href="%s">%s</a>\n' % (l, l) for l in links))


def rel(srv, u):
    return u[len(srv.base):] if u and u.startswith(srv.base) else u


def tuples(srv, res):
    return [(rel(srv, r["url"]), r["status"], r["error"], r["reason"]) for r in res.records]


def site_300(srv, root_route=None):
    paths = ["/p%d" % i for i in range(1, NPAGES)]
    srv.add_route("/", root_route or page(html(paths)))
    for p in paths:
        srv.add_route(p, page(html()))
    return ["/"] + paths


def check_all_pages(c, srv, res, paths, what):
    check_run_ok(c, res, what)
    check_records(c, res, what, max_depth=1)
    c.multiset_eq(tuples(srv, res), [(p, 200, None, None) for p in paths],
                  "%s: exactly the %d pages, each 200 without error" % (what, len(paths)))
    got = collections.Counter(e.target for e in srv.requests() if e.target != "/robots.txt")
    c.eq(got, collections.Counter(paths), "%s: the server saw every page once" % what)


def nofile(n):
    def fn():
        resource.setrlimit(resource.RLIMIT_NOFILE, (n, n))
    return fn


# --- 1. file descriptors --------------------------------------------------------

def test_ulimit(c, args):
    what = "ulimit -n %d, -c 500" % FD_LIMIT
    with tempfile.TemporaryDirectory() as empty, TestServer(empty) as srv:
        paths = site_300(srv)
        res = run(args.crawl, ["-d", 1, "-c", 500, "--per-host", 500, "--workers", 2,
                               srv.url("/")], preexec_fn=nofile(FD_LIMIT))
        check_all_pages(c, srv, res, paths, what)
        lowered = [l for l in res.err.splitlines() if "-c 500 lowered to" in l]
        c.check(len(lowered) == 1 and "%d file descriptors" % FD_LIMIT in lowered[0],
                "%s: stderr says once that -c was lowered, and why" % what, res.err[-1500:])
        print("info: %s" % (lowered[0] if lowered else "no -c line on stderr"))


def test_emfile_mid_crawl(c, args):
    what = "descriptors cut mid-crawl (EMFILE), --retries 0"
    state = {"pid": None, "limit": None, "err": None}

    def root(req):
        # The crawl waits for this answer: cut its limit now, to a few
        # descriptors above what it holds.
        pid = state["pid"]
        if pid and state["limit"] is None:
            try:
                fds = [int(f) for f in os.listdir("/proc/%d/fd" % pid)]
                state["limit"] = max(fds) + 1 + 6
                resource.prlimit(pid, resource.RLIMIT_NOFILE, (state["limit"], state["limit"]))
            except OSError as e:
                state["err"] = repr(e)
        return 200, {"Content-Type": "text/html"}, html(["/p%d" % i for i in range(1, NPAGES)])

    with tempfile.TemporaryDirectory() as empty, TestServer(empty) as srv:
        paths = site_300(srv, root)
        res = run(args.crawl, ["-d", 1, "-c", 500, "--per-host", 500, "--workers", 2,
                               "--retries", 0, "-v", srv.url("/")],
                  on_start=lambda p: state.update(pid=p.pid))
        if not c.check(state["limit"] is not None, "%s: the crawl's limit was cut" % what,
                       state["err"]):
            return
        check_all_pages(c, srv, res, paths, what)
        no_fds = sum(1 for l in res.err.splitlines() if "no_fds" in l)
        c.check(no_fds > 0, "%s: transfers did fail for want of descriptors (no_fds lines "
                "on stderr with -v)" % what, res.err[-1500:])
        c.check("connect, retry" not in res.err,
                "%s: no failure was taken for a connection error" % what, res.err[-1500:])
        print("info: %s: limit cut to %d; %d no_fds retries logged" % (
            what, state["limit"], no_fds))


# --- 2. Retry-After ---------------------------------------------------------------

def retry_after_site(srv, busy):
    paths = ["/p%d" % i for i in range(1, 10)]
    srv.add_route("/", page(html(["/busy"] + paths)))
    srv.add_route("/busy", busy)
    for p in paths:
        srv.add_route(p, page(html()))
    return paths


def test_retry_after_no_retry(c, args):
    what = "503 Retry-After: 100000, --retries 0"
    busy = lambda req: (503, {"Retry-After": "100000"}, "busy")  # noqa: E731
    with tempfile.TemporaryDirectory() as empty, TestServer(empty) as srv:
        paths = retry_after_site(srv, busy)
        res = run(args.crawl, ["-d", 1, "--per-host", 1, "--retries", 0, srv.url("/")])
        c.check(not res.timed_out, "%s: the crawl ends (the host is not paused)" % what,
                res.describe())
        check_run_ok(c, res, what)
        check_records(c, res, what, max_depth=1)
        c.multiset_eq(tuples(srv, res), [("/", 200, None, None), ("/busy", 503, None, None)] +
                      [(p, 200, None, None) for p in paths], "%s: records" % what)
        got = collections.Counter(e.target for e in srv.requests() if e.target != "/robots.txt")
        c.eq(got, collections.Counter(["/", "/busy"] + paths),
             "%s: every URL fetched once, the other URLs of the host too" % what)


def test_retry_after_capped(c, args):
    what = "503 Retry-After: 100000, --retries 1 --max-crawl-delay 1"
    n = [0]

    def busy(req):
        n[0] += 1
        if n[0] == 1:
            return 503, {"Retry-After": "100000"}, "busy"
        return 200, {"Content-Type": "text/html"}, html()

    with tempfile.TemporaryDirectory() as empty, TestServer(empty) as srv:
        paths = retry_after_site(srv, busy)
        res = run(args.crawl, ["-d", 1, "--per-host", 1, "--retries", 1, "--max-crawl-delay", 1,
                               srv.url("/")])
        c.check(not res.timed_out, "%s: the crawl ends (Retry-After capped)" % what,
                res.describe())
        check_run_ok(c, res, what)
        check_records(c, res, what, max_depth=1)
        c.multiset_eq(tuples(srv, res), [("/", 200, None, None), ("/busy", 200, None, None)] +
                      [(p, 200, None, None) for p in paths], "%s: records (the retry got 200)"
                      % what)
        log = srv.requests()
        got = collections.Counter(e.target for e in log if e.target != "/robots.txt")
        c.eq(got, collections.Counter(["/", "/busy", "/busy"] + paths),
             "%s: /busy fetched twice, the others once" % what)
        tries = [e for e in log if e.target == "/busy"]
        if len(tries) == 2:
            gap = tries[1].start - tries[0].start
            c.check(gap >= 1.0 - RETRY_TOL_S,
                    "%s: the retry starts >= 1 s (tolerance %.2f s) after the first request"
                    % (what, RETRY_TOL_S), "measured %.3f s" % gap)
            print("info: %s: retried %.3f s after the first request" % (what, gap))


# --- 3. signals -------------------------------------------------------------------

def proc_state(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            st = f.read()
    except OSError:
        return None
    return st[st.rfind(")") + 2:].split(" ", 1)[0]


def wait_state(pid, states, timeout=10):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc_state(pid) in states:
            return True
        time.sleep(0.005)
    return False


_libc = ctypes.CDLL(None, use_errno=True)


def tgkill(pid, tid, sig):
    fn = getattr(_libc, "tgkill", None)
    if fn is None:
        raise OSError("no tgkill in the C library")
    if fn(pid, tid, sig) < 0:
        raise OSError(ctypes.get_errno(), "tgkill")


class SlowSite:
    """/ links /slow (30 s unless released) and 40 fast pages."""

    def __init__(self, srv):
        self.release = threading.Event()
        self.started = threading.Event()
        self.paths = ["/f%d" % i for i in range(40)]
        srv.add_route("/", page(html(["/slow"] + self.paths)))
        srv.add_route("/slow", self.slow)
        for p in self.paths:
            srv.add_route(p, page(html(), delay_s=0.05))

    def slow(self, req):
        self.started.set()
        self.release.wait(30)
        return 200, {"Content-Type": "text/html"}, html()


def signal_crawl(c, args, what, send, codes=(130,)):
    """Starts a crawl, waits until /slow is in flight, calls send(pid);
    the exit status must be one of codes."""
    with tempfile.TemporaryDirectory() as empty, TestServer(empty) as srv:
        site = SlowSite(srv)
        info = {}

        def on_start(p):
            if not site.started.wait(HANG_GUARD_S / 2):
                info["error"] = "the slow page was never requested"
                return
            try:
                info["sent"] = send(p.pid)
            except OSError as e:
                info["error"] = repr(e)
                p.kill()

        res = run(args.crawl, ["-d", 1, "-c", 4, "--workers", 2, "--retries", 0, srv.url("/")],
                  on_start=on_start)
        site.release.set()
    if not c.check("error" not in info, "%s: signals delivered" % what, info.get("error")):
        return None, info
    c.check(not res.timed_out, "%s: the crawl exits" % what, res.describe())
    c.check(res.rc in codes, "%s: exit %s" % (what, " or ".join(map(str, codes))),
            "exit %s" % res.rc)
    c.check(not res.bad_lines and (not res.out or res.out.endswith(b"\n")),
            "%s: only complete JSON lines" % what,
            "".join("line %d: %s\n" % (n, why) for n, why, _ in res.bad_lines[:5]))
    check_records(c, res, what, max_depth=1)
    return res, info


def stopped_then(sigs):
    """SIGSTOP the crawl, queue sigs as (signal, thread-directed), SIGCONT."""
    def send(pid):
        os.kill(pid, signal.SIGSTOP)
        if not wait_state(pid, ("T", "t")):
            raise OSError("the crawl did not stop")
        for sig, to_thread in sigs:
            if to_thread:
                tgkill(pid, pid, sig)  # the main thread's own pending set
            else:
                os.kill(pid, sig)
        os.kill(pid, signal.SIGCONT)
        return True
    return send


def check_left_at_once(c, res, what):
    if res is None:
        return
    interrupted = [r["url"] for r in res.records if r["error"] == "interrupted"]
    c.check(not interrupted, "%s: left at once: no \"interrupted\" record (the graceful "
            "stop's)" % what, "interrupted: %s" % interrupted)
    c.check("second signal" in res.err, "%s: stderr says the second signal stops at once"
            % what, res.err[-1500:])


def test_two_signals_one_turn(c, args):
    # With two signals pending, the kernel may run either handler first
    # (it stacks their frames): the exit status is 128 + the first one.
    for what, sigs, codes in (
            ("two SIGINTs read in one turn", [(signal.SIGINT, False), (signal.SIGINT, True)],
             (130,)),
            ("SIGINT + SIGTERM read in one turn", [(signal.SIGINT, False),
                                                   (signal.SIGTERM, False)], (130, 143))):
        res, _ = signal_crawl(c, args, what, stopped_then(sigs), codes)
        check_left_at_once(c, res, what)


def test_two_sigints_back_to_back(c, args):
    what = "two os.kill(SIGINT) without a sleep"

    def send(pid):
        os.kill(pid, signal.SIGINT)
        os.kill(pid, signal.SIGINT)
        return True

    res, _ = signal_crawl(c, args, what, send)
    if res is not None:
        merged = "second signal" not in res.err
        print("info: %s: %s" % (what, "the kernel merged them into one (graceful stop)"
                                if merged else "both counted (left at once)"))
        if not merged:
            check_left_at_once(c, res, what)


def main():
    args = parse_args(__doc__.split("\n")[0])
    c = Checker(args.verbose)
    for t in (test_ulimit, test_emfile_mid_crawl, test_retry_after_no_retry,
              test_retry_after_capped, test_two_signals_one_turn, test_two_sigints_back_to_back):
        t0 = time.monotonic()
        t(c, args)
        print("(%s: %.1f s)" % (t.__name__, time.monotonic() - t0))
        sys.stdout.flush()
    return c.finish()


if __name__ == "__main__":
    sys.exit(main())
