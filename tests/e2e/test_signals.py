#!/usr/bin/env python3
"""Stopping a crawl (issue 5), end to end against the real binary and a
generated site served on 127.0.0.1 with per-request latency, so that every
crawl lasts a few seconds and is stopped in the middle:

1. SIGINT to the process group (a terminal's ^C): exit 130, only complete
   JSON lines, no URL twice, every URL the server saw has exactly one record
   and no other URL has one (queued URLs get none), a 6 s route outlives the
   2 s grace and gets error "interrupted", at most --concurrency requests
   reach the server after the signal, workers ignore the SIGINT (no
   parse_error), summary on stderr. Then the same command + --resume
   finishes it: interrupted URLs are fetched again and get a normal record,
   nothing else is fetched twice, the union equals an uninterrupted crawl.
2. SIGTERM: exit 143.
3. Two SIGINTs 0.2 s apart: leaves at once, exit 130, only complete lines.
4. SIGKILL of the parent with --state, a torn line appended to the journal,
   then --resume: the union equals an uninterrupted crawl; per the server's
   access log nothing is fetched twice across both runs except URLs in
   flight at the kill; robots.txt once per run; a resume of a finished
   crawl fetches nothing. --state on a non-empty file without --resume is
   exit 1; --resume without --state is exit 2.
5. `crawl | head -3`: exit 141, stderr empty.
6. -o /dev/full: exit 1, one error line.
7. After every crawl, the parse workers seen while it ran are gone (also
   after a SIGKILL of the parent: PR_SET_PDEATHSIG).
8. Backpressure: 150 pages of ~1 MB with --workers 1 -c 4 --max-size 2M;
   the parent's peak RSS (VmHWM, sampled every 50 ms) stays under
   (c + 2*workers+2) * max-size * 3 + 60 MB and is printed along with a
   30-page run's. Not asserted under AddressSanitizer (its shadow memory
   and quarantine are not the crawler's).
Only lower bounds are asserted on times; timeouts only prevent hangs."""

import collections
import os
import re
import select
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e2elib import Checker, CrawlResult, check_records, parse_args, write_sections_site  # noqa: E402
from httpserver import TestServer  # noqa: E402

CRAWL_TIMEOUT = 40  # seconds: generous, only so that nothing hangs
LATENCY_MS = 35
CONC = 4
WORKERS = 2
N_SECTIONS = 15  # depth 1
N_LEAVES = 19  # depth 2 per section
SLOW_S = 6.0  # the route that outlives the 2 s grace
GRACE_S = 2.0
MB = 1024 * 1024


# --- the site ---------------------------------------------------------------

def write_site(root):
    """/ -> /slow and /s<i>.html; /s<i>.html -> /s<i>/p<j>.html. Every page
    has exactly one parent at the shortest depth (so `parent` is the same in
    every run); the other links go back up and are never shorter."""
    def html(title, links):
        body = "".join('<li><a href="%s">%s</a></li>\n' % (l, l) for l in links)
        filler = "<p>%s</p>\n" % ("lorem ipsum dolor sit amet " * 20)
        return ("<!doctype html><html><head><title>%s</title></head><body>\n<ul>\n%s</ul>\n%s"
                "</body></html>\n" % (title, body, filler * 4))

    write_sections_site(root, N_SECTIONS, N_LEAVES, html, home_links=["/slow"])


SITE_PAGES = 1 + 1 + N_SECTIONS + N_SECTIONS * N_LEAVES


class SlowRoute:
    """/slow: answers after SLOW_S seconds, unless aborted (so that the
    server's log settles as soon as the crawl that asked is gone)."""

    def __init__(self):
        self.abort = threading.Event()

    def __call__(self, req):
        deadline = time.monotonic() + SLOW_S
        while time.monotonic() < deadline and not self.abort.is_set():
            time.sleep(0.02)
        return 200, {"Content-Type": "text/html"}, b"<html><title>slow</title>slow</html>"


# --- processes -------------------------------------------------------------

def _read(path):
    try:
        with open(path) as f:
            return f.read()
    except OSError:
        return None


def _state(pid):
    st = _read("/proc/%d/stat" % pid)
    if st is None:
        return None
    return st[st.rfind(")") + 2:].split(" ", 1)[0]


def _exe(pid):
    try:
        return os.readlink("/proc/%d/exe" % pid)
    except OSError:
        return None


def _children(pid):
    kids = _read("/proc/%d/task/%d/children" % (pid, pid))
    if kids is not None:
        return [int(x) for x in kids.split()]
    out = []  # kernels without CONFIG_PROC_CHILDREN
    for name in os.listdir("/proc"):
        if name.isdigit():
            st = _read("/proc/%s/stat" % name)
            if st and int(st[st.rfind(")") + 2:].split(" ")[1]) == pid:
                out.append(int(name))
    return out


class Run:
    """A crawl started in the background: stdout/stderr go to files; a
    thread samples the parent's VmHWM and its worker children every 50 ms."""

    def __init__(self, crawl, args, tmp, name, stdout_pipe=False, new_session=False):
        self.crawl = crawl
        self.cmd = [crawl] + [str(a) for a in args]
        self.out_path = os.path.join(tmp, name + ".out")
        self.err_path = os.path.join(tmp, name + ".err")
        self.errf = open(self.err_path, "wb")
        self.outf = None if stdout_pipe else open(self.out_path, "wb")
        self.p = subprocess.Popen(self.cmd, stdin=subprocess.DEVNULL,
                                  stdout=subprocess.PIPE if stdout_pipe else self.outf,
                                  stderr=self.errf, start_new_session=new_session)
        self.pid = self.p.pid
        self.hwm_kb = 0
        self.workers = set()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self):
        exe = os.path.realpath(self.crawl)
        while not self._stop.is_set():
            self.sample_once(exe)
            if _state(self.pid) in (None, "Z"):
                return
            time.sleep(0.05)

    def sample_once(self, exe=None):
        exe = exe or os.path.realpath(self.crawl)
        status = _read("/proc/%d/status" % self.pid) or ""
        m = re.search(r"^VmHWM:\s+(\d+) kB", status, re.M)
        if m:
            self.hwm_kb = max(self.hwm_kb, int(m.group(1)))
        for kid in _children(self.pid):
            if (_exe(kid) or "").startswith(exe):
                self.workers.add(kid)

    def alive(self):
        return _state(self.pid) not in (None, "Z")

    def signal(self, sig, group=False):
        self.sample_once()
        if group:
            os.killpg(self.pid, sig)
        else:
            os.kill(self.pid, sig)

    def finish(self, timeout=CRAWL_TIMEOUT):
        timed_out = False
        try:
            rc = self.p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            self.p.kill()
            rc = self.p.wait(timeout=10)
        self._stop.set()
        self._thread.join(timeout=5)
        self.errf.close()
        if self.outf:
            self.outf.close()
        if self.p.stdout:
            self.p.stdout.close()
        out = b""
        if self.outf:
            with open(self.out_path, "rb") as f:
                out = f.read()
        with open(self.err_path, "rb") as f:
            err = f.read().decode("utf-8", "replace")
        return CrawlResult(self.cmd, None if timed_out else rc, out, err, timed_out)


def check_no_leftovers(c, run, what, wait_s=5.0):
    """Every worker seen while the crawl ran is gone (or a zombie: dead,
    waiting for a reaper that is not ours)."""
    exe = os.path.realpath(run.crawl)
    deadline = time.monotonic() + wait_s
    while True:
        left = [p for p in sorted(run.workers)
                if _state(p) not in (None, "Z") and (_exe(p) or "").startswith(exe)]
        if not left or time.monotonic() >= deadline:
            break
        time.sleep(0.05)
    c.check(not left, "%s: no crawl process is left (%d workers seen while it ran)" % (
        what, len(run.workers)), "still running: %s" % left)


# --- helpers -----------------------------------------------------------------

def path_of(url):
    return urllib.parse.urlsplit(url).path


def tuples(records):
    return [(r["url"], r["depth"], r["parent"], r["status"], r["error"], r["reason"])
            for r in records]


def bad_lines_detail(res):
    return "".join("line %d: %s: %r\n" % (n, why, raw[:200]) for n, why, raw in res.bad_lines[:5])


def log_between(srv, t0, t1):
    """Server log entries (GET) whose request started in [t0, t1)."""
    return [e for e in srv.requests() if e.method == "GET" and t0 <= e.start < t1]


def wait_requests(srv, n, timeout=20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if len(srv.requests(settle_s=0)) >= n:
            return True
        time.sleep(0.02)
    return False


def summary_interrupted(err):
    m = re.search(r"(\d+) interrupted", err)
    return int(m.group(1)) if m else None


def is_asan(crawl):
    with open(crawl, "rb") as f:
        data = f.read()
    return b"__asan_init" in data or b"AddressSanitizer" in data


# --- scenarios ---------------------------------------------------------------

class Env:
    def __init__(self, args, c, tmp, srv, slow):
        self.crawl = args.crawl
        self.c = c
        self.tmp = tmp
        self.srv = srv
        self.slow = slow
        self.start = srv.url("/")
        self.base = ["-d", 2, "-c", CONC, "--workers", WORKERS, "--retries", 0]
        self.baseline = None

    def run(self, name, extra, **kw):
        return Run(self.crawl, self.base + extra + [self.start], self.tmp, name, **kw)


def scenario_baseline(env):
    c = env.c
    env.slow.abort.clear()
    t0 = time.monotonic()
    run = env.run("baseline", [])
    res = run.finish()
    log = log_between(env.srv, t0, time.monotonic())
    c.check(res.rc == 0 and not res.bad_lines, "baseline: exit 0, JSON lines", res.describe())
    check_records(c, res, "baseline", max_depth=2)
    c.eq(len(res.records), SITE_PAGES, "baseline: one record per page")
    c.check(all(r["error"] is None and r["status"] == 200 for r in res.records),
            "baseline: every page fetched fine",
            [(r["url"], r["status"], r["error"]) for r in res.records if r["error"]][:5])
    counts = collections.Counter(e.path for e in log)
    c.check(max(counts.values()) == 1, "baseline: no path fetched twice",
            [p for p, n in counts.items() if n > 1])
    check_no_leftovers(c, run, "baseline")
    env.baseline = res
    return res


def scenario_sigint_then_resume(env):
    c = env.c
    st = os.path.join(env.tmp, "int.state")
    extra = ["--state", st]
    env.slow.abort.clear()
    t0 = time.monotonic()
    n0 = len(env.srv.requests(settle_s=0))  # the log is cumulative
    run = env.run("sigint", extra, new_session=True)
    wait_requests(env.srv, n0 + 80)  # well into the crawl
    c.check(run.alive(), "sigint: crawl still running when the signal is sent")
    t_sig = time.monotonic()
    run.signal(signal.SIGINT, group=True)  # like ^C: workers get it too
    time.sleep(0.3)
    workers_alive = [p for p in run.workers if _state(p) not in (None, "Z")]
    if run.alive():  # the parent is in its 2 s grace: workers must still be there
        c.check(run.workers and len(workers_alive) == len(run.workers),
                "sigint: parse workers ignore SIGINT",
                "workers %s, alive %s" % (sorted(run.workers), workers_alive))
    res = run.finish()
    t1 = time.monotonic()
    c.check(res.rc == 130 and not res.timed_out, "sigint: exit 130", res.describe())
    c.check(t1 - t_sig >= GRACE_S - 0.05,
            "sigint: the grace period lasted at least 2 s (a transfer was still running)",
            "%.2f s" % (t1 - t_sig))
    c.check(not res.bad_lines, "sigint: every stdout line is a complete JSON object",
            bad_lines_detail(res))
    check_records(c, res, "sigint", max_depth=2)
    env.slow.abort.set()
    log = log_between(env.srv, t0, t1)
    fetched = collections.Counter(e.path for e in log)
    rec_paths = collections.Counter(path_of(r["url"]) for r in res.records)
    interrupted = {path_of(r["url"]) for r in res.records if r["error"] == "interrupted"}
    c.check(len(res.records) < SITE_PAGES, "sigint: the crawl stopped early",
            "%d records" % len(res.records))
    c.check("/slow" in interrupted, "sigint: the 6 s transfer got error \"interrupted\"",
            "interrupted: %s" % sorted(interrupted))
    c.set_eq(rec_paths, set(fetched) - {"/robots.txt"},
             "sigint: exactly the URLs requested from the server have records")
    c.check(not interrupted - set(fetched), "sigint: interrupted URLs were all in flight",
            sorted(interrupted - set(fetched)))
    cap = CONC + 2 * WORKERS + 2 + WORKERS
    c.check(len(interrupted) <= cap, "sigint: at most %d interrupted records" % cap,
            sorted(interrupted))
    others = [r for r in res.records if r["error"] not in (None, "interrupted")]
    c.check(not others, "sigint: no other errors (no parse_error: workers ignored SIGINT)",
            [(r["url"], r["error"]) for r in others[:5]])
    late = [e.path for e in log if e.start > t_sig]
    c.check(len(late) <= CONC, "sigint: at most %d requests reached the server after the signal"
            % CONC, late)
    c.check("done:" in res.err, "sigint: summary line on stderr", res.err[-500:])
    c.eq(summary_interrupted(res.err), len(interrupted),
         "sigint: the summary counts the interrupted records")
    journal = open(st).read()
    jdone = {l.split(" ")[1] for l in journal.splitlines() if l[:2] in ("F ", "S ")}
    c.check(not {u for u in jdone if path_of(u) in interrupted},
            "sigint: interrupted URLs are not journalled as done")
    check_no_leftovers(c, run, "sigint")

    # --- resume ---
    env.slow.abort.clear()
    t2 = time.monotonic()
    run2 = env.run("sigint-resume", extra + ["--resume"])
    res2 = run2.finish()
    t3 = time.monotonic()
    c.check(res2.rc == 0 and not res2.bad_lines, "sigint resume: exit 0, JSON lines",
            res2.describe())
    log2 = log_between(env.srv, t2, t3)
    fetched2 = collections.Counter(e.path for e in log2)
    c.check(max(fetched2.values() or [0]) == 1, "sigint resume: no path fetched twice",
            [p for p, n in fetched2.items() if n > 1])
    again = (set(fetched) & set(fetched2)) - {"/robots.txt"}
    c.set_eq(again, interrupted,
             "sigint resume: exactly the interrupted URLs are fetched again")
    r2 = {path_of(r["url"]): r for r in res2.records}
    c.check(all(p in r2 and r2[p]["error"] is None and r2[p]["status"] == 200
                for p in interrupted),
            "sigint resume: interrupted URLs get a normal record",
            [(p, r2.get(p, {}).get("error")) for p in sorted(interrupted)])
    first = [r for r in res.records if r["error"] != "interrupted"]
    c.check(not ({r["url"] for r in first} & {r["url"] for r in res2.records}),
            "sigint resume: no URL recorded by the first run is recorded again")
    c.multiset_eq(tuples(first + res2.records), tuples(env.baseline.records),
                  "sigint + resume: the union equals one uninterrupted crawl")
    check_no_leftovers(c, run2, "sigint resume")


def scenario_sigterm(env):
    c = env.c
    env.slow.abort.clear()
    n0 = len(env.srv.requests(settle_s=0))
    run = env.run("sigterm", [])
    wait_requests(env.srv, n0 + 60)
    c.check(run.alive(), "sigterm: crawl still running when the signal is sent")
    run.signal(signal.SIGTERM)
    res = run.finish()
    env.slow.abort.set()
    c.check(res.rc == 143 and not res.timed_out, "sigterm: exit 143", res.describe())
    c.check(not res.bad_lines, "sigterm: every stdout line is a complete JSON object",
            bad_lines_detail(res))
    check_records(c, res, "sigterm", max_depth=2)
    c.check(any(r["error"] == "interrupted" and path_of(r["url"]) == "/slow"
                for r in res.records), "sigterm: the 6 s transfer got error \"interrupted\"")
    c.check("done:" in res.err, "sigterm: summary line on stderr", res.err[-500:])
    check_no_leftovers(c, run, "sigterm")


def scenario_double_sigint(env):
    c = env.c
    env.slow.abort.clear()
    n0 = len(env.srv.requests(settle_s=0))
    run = env.run("double", [])
    wait_requests(env.srv, n0 + 60)
    c.check(run.alive(), "double sigint: crawl still running when the signals are sent")
    run.signal(signal.SIGINT)
    time.sleep(0.2)
    run.signal(signal.SIGINT)
    res = run.finish()
    env.slow.abort.set()
    c.check(not res.timed_out, "double sigint: exits (within the generous timeout)",
            res.describe())
    c.eq(res.rc, 130, "double sigint: exit 130")
    c.check(not res.bad_lines and res.out.endswith(b"\n") or not res.out,
            "double sigint: only complete JSON lines", bad_lines_detail(res))
    check_records(c, res, "double sigint", max_depth=2)
    check_no_leftovers(c, run, "double sigint")


def scenario_sigkill_resume(env):
    c = env.c
    st = os.path.join(env.tmp, "kill.state")
    extra = ["--state", st]
    env.slow.abort.clear()
    t0 = time.monotonic()
    n0 = len(env.srv.requests(settle_s=0))
    run = env.run("kill", extra)
    time.sleep(2.0)
    wait_requests(env.srv, n0 + 40)
    c.check(run.alive(), "sigkill: crawl still running at the kill")
    t_kill = time.monotonic()
    run.signal(signal.SIGKILL)
    res = run.finish()
    c.eq(res.rc, -signal.SIGKILL, "sigkill: the parent died of SIGKILL")
    check_no_leftovers(c, run, "sigkill (workers die with the parent)")
    # a record cut by the kill can only be the last line
    torn = res.bad_lines and res.bad_lines[-1][0] == len(res.out.split(b"\n")) and \
        not res.out.endswith(b"\n")
    c.check(not res.bad_lines or (len(res.bad_lines) == 1 and torn),
            "sigkill: stdout holds JSON lines (at most a torn last one)", bad_lines_detail(res))
    env.slow.abort.set()
    log1 = log_between(env.srv, t0, t_kill)
    env.slow.abort.clear()

    # a torn last journal line is ignored
    with open(st, "a") as f:
        f.write("D 1 http://half")

    # --state on an existing journal without --resume: refused
    r = Run(env.crawl, env.base + ["--state", st, env.start], env.tmp, "norsm").finish()
    c.check(r.rc == 1 and r.err.strip(), "--state on an existing file without --resume: exit 1",
            r.describe())
    c.check(not r.out, "--state refused: nothing on stdout")
    r = Run(env.crawl, env.base + ["--resume", env.start], env.tmp, "nostate").finish()
    c.eq(r.rc, 2, "--resume without --state: exit 2")

    t2 = time.monotonic()
    run2 = env.run("kill-resume", extra + ["--resume"])
    res2 = run2.finish()
    t3 = time.monotonic()
    c.check(res2.rc == 0 and not res2.bad_lines, "sigkill resume: exit 0, JSON lines",
            res2.describe())
    c.check(not any("half" in r["url"] for r in res2.records),
            "sigkill resume: the torn journal line is ignored")
    log2 = log_between(env.srv, t2, t3)
    check_no_leftovers(c, run2, "sigkill resume")
    # the resumed run's entries must not be glued onto the torn fragment
    with open(st) as f:
        jlines = f.read().split("\n")
    entry = re.compile(r"^(crawl-state 2|C \d+|[DN] \d+ http://127\.0\.0\.1:\d+/\S* \S+|"
                       r"[FS] http://127\.0\.0\.1:\d+/\S*( \S+)*)$")
    badj = [l for l in jlines[:-1] if not entry.match(l)]
    c.check(not badj and jlines[-1] == "",
            "sigkill resume: every journal line is a whole entry after resuming past a torn line",
            "bad lines: %r" % badj[:5])

    first = [r for r in res.records]
    c.check(not ({r["url"] for r in first} & {r["url"] for r in res2.records}),
            "sigkill resume: no URL recorded before the kill is recorded again",
            sorted({r["url"] for r in first} & {r["url"] for r in res2.records})[:10])
    c.multiset_eq(tuples(first + res2.records), tuples(env.baseline.records),
                  "sigkill + resume: the union equals one uninterrupted crawl")

    # fetched twice only if in flight at the kill
    robots1 = sum(1 for e in log1 if e.path == "/robots.txt")
    robots2 = sum(1 for e in log2 if e.path == "/robots.txt")
    c.check(robots1 == 1 and robots2 == 1, "sigkill: robots.txt fetched once per run",
            "%d, %d" % (robots1, robots2))
    n1 = collections.Counter(e.path for e in log1)
    n2 = collections.Counter(e.path for e in log2)
    c.check(max(n1.values()) == 1 and max(n2.values()) == 1,
            "sigkill: no path fetched twice within one run")
    server_inflight = {e.path for e in log1 if e.start < t_kill < e.end}
    recorded1 = {path_of(r["url"]) for r in first}
    # answered by the server but not yet recorded by crawl: a body in the
    # parse backlog, at a worker, or the response still in the socket
    unrecorded = {e.path for e in log1 if e.end <= t_kill} - recorded1 - {"/robots.txt"}
    again = (set(n1) & set(n2)) - {"/robots.txt"}
    c.check(not (again & recorded1), "sigkill: no page with a record before the kill is "
            "fetched again", sorted(again & recorded1))
    c.check(again <= server_inflight | unrecorded,
            "sigkill: pages fetched again were in flight at the kill",
            "again: %s\nin flight: %s" % (sorted(again), sorted(server_inflight | unrecorded)))
    cap = CONC + 2 * WORKERS + 2 + WORKERS
    c.check(len(unrecorded) <= cap,
            "sigkill: at most %d answered pages were still unrecorded at the kill" % cap,
            sorted(unrecorded))
    c.check("/slow" in server_inflight and "/slow" in again,
            "sigkill: the slow page was in flight and is fetched again")
    print("info: sigkill after %.1f s: %d records before, %d after; %d pages fetched again "
          "(%d in flight at the server, %d answered but unrecorded)" % (
              t_kill - t0, len(first), len(res2.records), len(again),
              len(server_inflight), len(unrecorded)))

    # a resume of a finished crawl has nothing left to do
    t4 = time.monotonic()
    r3 = Run(env.crawl, env.base + extra + ["--resume", env.start], env.tmp, "kill-resume2")
    res3 = r3.finish()
    log3 = log_between(env.srv, t4, time.monotonic())
    c.check(res3.rc == 0, "resume of a finished crawl: exit 0", res3.describe())
    c.eq([r["url"] for r in res3.records], [], "resume of a finished crawl: no records")
    c.eq(sorted(e.path for e in log3 if e.path != "/robots.txt"), [],
         "resume of a finished crawl: no page fetched")


def scenario_head(env):
    c = env.c
    env.slow.abort.clear()
    run = env.run("head", [], stdout_pipe=True)
    fd = run.p.stdout.fileno()
    buf = b""
    deadline = time.monotonic() + CRAWL_TIMEOUT
    while buf.count(b"\n") < 3 and time.monotonic() < deadline:
        r, _, _ = select.select([fd], [], [], 0.5)
        if r:
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            buf += chunk
    c.check(buf.count(b"\n") >= 3, "head -3: three lines arrive")
    run.p.stdout.close()  # the reader goes away
    res = run.finish()
    env.slow.abort.set()
    c.eq(res.rc, 141, "crawl | head -3: exit 141")
    c.eq(res.err, "", "crawl | head -3: nothing on stderr")
    check_no_leftovers(c, run, "head -3")


def scenario_dev_full(env):
    c = env.c
    run = Run(env.crawl, ["-d", 0, "--workers", 1, "-o", "/dev/full", env.start], env.tmp, "full")
    res = run.finish()
    c.eq(res.rc, 1, "-o /dev/full: exit 1")
    lines = [l for l in res.err.splitlines() if l.strip()]
    errs = [l for l in lines if "done:" not in l]
    c.check(len(errs) == 1, "-o /dev/full: one error line", res.err[-1000:])
    check_no_leftovers(c, run, "-o /dev/full")
    # the same through stdout (crawl > /dev/full)
    with open("/dev/full", "wb") as full:
        p = subprocess.run([env.crawl, "-d", "0", "--workers", "1", env.start],
                           stdin=subprocess.DEVNULL, stdout=full, stderr=subprocess.PIPE,
                           timeout=CRAWL_TIMEOUT)
    err = p.stderr.decode("utf-8", "replace")
    c.eq(p.returncode, 1, "crawl > /dev/full: exit 1")
    c.check(len([l for l in err.splitlines() if l.strip() and "done:" not in l]) == 1,
            "crawl > /dev/full: one error line", err[-1000:])


# --- backpressure --------------------------------------------------------------

BIG_LINKS = 400
_FILLER = None


def big_page(i, npages):
    global _FILLER
    if _FILLER is None:
        para = "<p>" + "<b>lorem</b> <i>ipsum</i> dolor sit amet, consectetur " * 12 + "</p>\n"
        _FILLER = para * (MB // len(para))
    links = "".join('<a href="/big/%d.html">page %d</a>\n' % (j % npages, j % npages)
                    for j in range(i, i + BIG_LINKS))
    return ("<!doctype html><html><head><title>big %d</title></head><body>\n%s%s</body></html>\n"
            % (i, links, _FILLER)).encode()


def big_crawl(args, tmp, srv, npages, name):
    """A -d 1 crawl of / -> /big/0..npages-1; returns (result, run)."""
    srv.add_route("/", lambda req: (200, {"Content-Type": "text/html"}, (
        "<html><title>big</title>" + "".join('<a href="/big/%d.html">%d</a>' % (i, i)
                                             for i in range(npages))).encode()))
    run = Run(args.crawl, ["-d", 1, "--workers", 1, "-c", 4, "--max-size", "2M",
                           "--retries", 0, "-q", srv.url("/")], tmp, name)
    return run.finish(timeout=120), run


def scenario_backpressure(args, c, tmp):
    bodies = {}

    def route(req):
        i = int(req.path[len("/big/"):-len(".html")])
        if i not in bodies:
            bodies[i] = len(big_page(i, 150))
        return 200, {"Content-Type": "text/html"}, big_page(i, 150)

    srv = TestServer(root=tmp).start()
    try:
        for i in range(150):
            srv.add_route("/big/%d.html" % i, route)
        small, srun = big_crawl(args, tmp, srv, 30, "big30")
        large, lrun = big_crawl(args, tmp, srv, 150, "big150")
    finally:
        srv.stop()
    for res, run, n in ((small, srun, 30), (large, lrun, 150)):
        c.check(res.rc == 0 and not res.bad_lines, "backpressure %d pages: exit 0" % n,
                res.describe())
        ok = [r for r in res.records if r["status"] == 200 and r["error"] is None]
        c.eq(len(ok), n + 1, "backpressure %d pages: every page fetched" % n)
        c.check(run.hwm_kb > 0, "backpressure %d pages: peak RSS measured" % n)
        check_no_leftovers(c, run, "backpressure %d pages" % n)
    site_mb = sum(bodies.values()) / MB
    bound_mb = (4 + 2 * 1 + 2) * 2 * 3 + 60
    print("info: parent peak RSS (VmHWM): %.1f MB for 30 pages, %.1f MB for 150 pages "
          "(%.0f MB of pages of %.2f MB; bound %d MB)" % (
              srun.hwm_kb / 1024, lrun.hwm_kb / 1024, site_mb,
              site_mb / max(len(bodies), 1), bound_mb))
    if is_asan(args.crawl):
        print("info: AddressSanitizer build: the RSS bound is not asserted")
        return
    c.check(lrun.hwm_kb / 1024 < bound_mb,
            "backpressure: parent peak RSS under %d MB for a %.0f MB site" % (bound_mb, site_mb),
            "%.1f MB" % (lrun.hwm_kb / 1024))
    c.check(lrun.hwm_kb / 1024 < site_mb / 2,
            "backpressure: parent peak RSS is not proportional to the site size",
            "%.1f MB for %.0f MB" % (lrun.hwm_kb / 1024, site_mb))


def main():
    args = parse_args(__doc__.split("\n")[0])
    c = Checker(args.verbose)
    with tempfile.TemporaryDirectory(prefix="crawl-signals-") as tmp:
        site = os.path.join(tmp, "site")
        os.makedirs(site)
        write_site(site)
        slow = SlowRoute()
        srv = TestServer(root=site, latency_ms=LATENCY_MS).start()
        srv.add_route("/slow", slow)
        env = Env(args, c, tmp, srv, slow)
        try:
            scenario_baseline(env)
            scenario_sigint_then_resume(env)
            scenario_sigterm(env)
            scenario_double_sigint(env)
            scenario_sigkill_resume(env)
            scenario_head(env)
            scenario_dev_full(env)
        finally:
            slow.abort.set()
            srv.stop()
        scenario_backpressure(args, c, tmp)
    return c.finish()


if __name__ == "__main__":
    sys.exit(main())
