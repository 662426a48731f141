#!/usr/bin/env python3
"""--state and --resume as a user sees them: the -o file, not each run's
stdout (issue 10, item 6). End to end against the real binary and a
generated site served on 127.0.0.1.

1. kill -9 in the middle of a crawl with -o FILE --state S, then the same
   command with --resume: FILE holds the records of one uninterrupted
   crawl (same URLs, depths, parents, statuses, errors and reasons), none
   twice. For -f jsonl, jsonl with a .gz name (a gzip file of several
   members), edges (every row but the status column, which only knows the
   records of its own run; one header) and sqlite (pages and links, read
   with python's sqlite3).
2. A torn last record appended to FILE before --resume is cut off: after
   the kill, and in a finished crawl, whose FILE is then left byte for
   byte as it was, with no page fetched. Without --resume the state file
   is refused before FILE is touched. FILE cut in half (as a power loss
   could leave it, the state file ahead of it): --resume warns and still
   ends with one uninterrupted crawl's records. A crawl-state 1 file is
   refused, FILE untouched.
3. SIGINT with -o FILE --state: the "interrupted" record of a page still
   in flight after the grace period is in FILE, and --resume replaces it
   with the page's record (it is written after the last commit).
4. A chain of 70 redirects with --max-redirect 100: the journal lists
   every hop, and the resumed run fetches none of them, although a page it
   fetches links to the 66th.
5. Group commit: a 301-page crawl with --state, run under strace, makes
   at most records/50 fsync + fdatasync calls more than a 1-page crawl
   (jsonl: none at all; sqlite: a fixed few per run, for switching to WAL
   and back and the last checkpoint), writes the state file exactly once
   per commit line plus its header, and no commit holds more than 256
   records. Skipped, saying so, when strace is missing or cannot trace.
Only counts and contents are asserted, never times."""

import collections
import csv
import gzip
import io
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e2elib import Checker, CrawlResult, parse_args, write_sections_site  # noqa: E402
from httpserver import TestServer, page, redirect  # noqa: E402

CRAWL_TIMEOUT = 60  # seconds: generous, only so that nothing hangs
LATENCY_MS = 20
N_SECTIONS = 15
N_LEAVES = 19
SITE_PAGES = 1 + N_SECTIONS + N_SECTIONS * N_LEAVES
KILL_AFTER = 120  # requests served before the kill
CHAIN = 70
BASE = ["-d", 2, "-c", 4, "--workers", 2, "--retries", 0, "-q"]


def write_site(root):
    """/ -> /s<i>.html -> /s<i>/p<j>.html. Every page has exactly one
    parent at the shortest depth, so `parent` is the same in every run."""
    def html(title, links):
        body = "".join('<li><a href="%s">%s</a></li>\n' % (l, l) for l in links)
        return ("<!doctype html><html><head><title>%s</title></head><body>\n<ul>\n%s</ul>\n"
                "<p>%s</p></body></html>\n" % (title, body, "lorem ipsum " * 40))

    write_sections_site(root, N_SECTIONS, N_LEAVES, html)


def start(crawl, args, tmp, name):
    """A crawl in the background; stdout and stderr go to files."""
    cmd = [crawl] + [str(a) for a in args]
    out = open(os.path.join(tmp, name + ".stdout"), "wb")
    err = open(os.path.join(tmp, name + ".stderr"), "wb")
    p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=err)
    p.files = (out, err)
    p.cmd = cmd
    p.name = name
    p.tmp = tmp
    return p


def finish(p, timeout=CRAWL_TIMEOUT):
    timed_out = False
    try:
        rc = p.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
        p.kill()
        rc = p.wait(timeout=10)
    for f in p.files:
        f.close()
    with open(os.path.join(p.tmp, p.name + ".stdout"), "rb") as f:
        out = f.read()
    with open(os.path.join(p.tmp, p.name + ".stderr"), "rb") as f:
        err = f.read().decode("utf-8", "replace")
    return CrawlResult(p.cmd, None if timed_out else rc, out, err, timed_out)


def run(crawl, args, tmp, name, timeout=CRAWL_TIMEOUT):
    return finish(start(crawl, args, tmp, name), timeout)


def wait_for(cond, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return True
        time.sleep(0.01)
    return False


def read_bytes(path):
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError:
        return b""


def journal_lines(path):
    return read_bytes(path).decode("utf-8", "replace").split("\n")


# --- reading an output file as a user would ----------------------------------

class Output:
    """What a file holds: `rows` (comparable tuples), `bad` (problems)."""

    def __init__(self):
        self.rows = []
        self.extra = []  # sqlite: the links
        self.bad = []
        self.urls = []


def read_jsonl_bytes(data, out):
    if data and not data.endswith(b"\n"):
        out.bad.append("the file does not end with a newline")
    res = CrawlResult([], 0, data, "", False)
    out.bad += ["line %d: %s: %r" % (n, why, raw[:120]) for n, why, raw in res.bad_lines]
    for r in res.records:
        out.urls.append(r["url"])
        out.rows.append((r["url"], r["depth"], r["parent"], r["status"], r["error"],
                         r["reason"]))


def read_output(fmt, path):
    out = Output()
    if fmt == "sqlite":
        db = sqlite3.connect(path)
        try:
            ok = db.execute("PRAGMA integrity_check").fetchone()[0]
            if ok != "ok":
                out.bad.append("integrity_check: %s" % ok)
            for row in db.execute("SELECT url, depth, parent, status, error, reason FROM pages"):
                out.urls.append(row[0])
                out.rows.append(tuple(row))
            out.extra = [tuple(r) for r in db.execute(
                "SELECT source, target, tag, attr, rel, text, external FROM links")]
        finally:
            db.close()
        return out
    data = read_bytes(path)
    if fmt == "jsonl.gz":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError) as e:
            out.bad.append("not a whole gzip file: %s" % e)
            return out
    if fmt in ("jsonl", "jsonl.gz"):
        read_jsonl_bytes(data, out)
        return out
    # edges: one header, then rows; the status column (before count) is left out
    text = data.decode("utf-8", "replace")
    if text and not text.endswith("\n"):
        out.bad.append("the file does not end with a newline")
    rows = list(csv.reader(io.StringIO(text)))
    header = ["source", "target", "tag", "attr", "rel", "text", "external", "depth", "status",
              "count"]
    if not rows or rows[0] != header:
        out.bad.append("the first row is not the header: %r" % (rows[:1],))
    for n, r in enumerate(rows[1:], 2):
        if r == header:
            out.bad.append("row %d: a second header" % n)
        elif len(r) != len(header):
            out.bad.append("row %d: %d fields: %r" % (n, len(r), r[:3]))
        else:
            out.rows.append(tuple(r[:8] + r[9:]))
    return out


FORMATS = {  # name -> (-f value, file name)
    "jsonl": ("jsonl", "out.jsonl"),
    "jsonl.gz": ("jsonl", "out.jsonl.gz"),
    "edges": ("edges", "out.csv"),
    "sqlite": ("sqlite", "out.db"),
}

TORN = {  # half a record, appended before --resume
    "jsonl": b'{"url":"http://127.0.0.1:9/torn","final_url":"http://127.0.0.1:9/to',
    "jsonl.gz": gzip.compress(b'{"url":"http://127.0.0.1:9/torn"}\n' * 50)[:40],
    "edges": b'http://127.0.0.1:9/torn,http://127.0.0.1:9/x,a,hr',
}


def compare(c, what, got, want):
    c.check(not got.bad, "%s: the file reads cleanly" % what, "\n".join(got.bad[:10]))
    dups = sorted(u for u, n in collections.Counter(got.urls).items() if n > 1)
    c.check(not dups, "%s: no URL recorded twice" % what, dups[:10])
    c.multiset_eq(got.rows, want.rows, "%s: the same records as one uninterrupted crawl" % what)
    if want.extra:
        c.multiset_eq(got.extra, want.extra, "%s: the same links as one uninterrupted crawl"
                      % what)


# --- 1 and 2: kill -9, then --resume ------------------------------------------

def scenario_kill_resume(args, c, tmp, srv, fmt):
    d = os.path.join(tmp, "kill-" + fmt)
    os.makedirs(d)
    f, name = FORMATS[fmt]
    path = os.path.join(d, name)
    st = os.path.join(d, "state")
    url = srv.url("/")

    base_path = os.path.join(d, "base-" + name)
    res = run(args.crawl, BASE + ["-f", f, "-o", base_path, url], d, "base")
    c.check(res.rc == 0, "%s: uninterrupted crawl: exit 0" % fmt, res.describe())
    want = read_output(fmt, base_path)
    if fmt == "edges":
        c.check(want.rows and not want.bad, "edges: uninterrupted crawl: link rows",
                "\n".join(want.bad[:5]))
    else:
        c.eq(len(want.rows), SITE_PAGES, "%s: uninterrupted crawl: one record per page" % fmt)

    cmd = BASE + ["-f", f, "-o", path, "--state", st, url]
    n0 = len(srv.requests(settle_s=0))
    p = start(args.crawl, cmd, d, "killed")
    wait_for(lambda: len(srv.requests(settle_s=0)) >= n0 + KILL_AFTER or p.poll() is not None)
    alive = p.poll() is None
    p.kill()  # SIGKILL
    res = finish(p)
    c.check(alive and res.rc == -9, "%s: the crawl was killed in the middle" % fmt,
            res.describe())
    jl = journal_lines(st)
    done = sum(1 for l in jl if l[:2] in ("F ", "S "))
    print("info: %s: killed after %d requests; %d records journaled as done; %s" % (
        fmt, len(srv.requests(settle_s=0)) - n0, done,
        "%d complete records in the file" % len(read_output(fmt, path).rows)
        if fmt == "jsonl" else "file of %d bytes" % len(read_bytes(path))))
    if fmt in TORN:
        with open(path, "ab") as fh:
            fh.write(TORN[fmt])

    res = run(args.crawl, cmd + ["--resume"], d, "resumed")
    c.check(res.rc == 0, "%s: kill -9 + --resume: exit 0" % fmt, res.describe())
    compare(c, "%s: kill -9 + --resume (with a torn record appended)" % fmt
            if fmt in TORN else "%s: kill -9 + --resume" % fmt, read_output(fmt, path), want)
    if fmt != "jsonl":
        return

    # 2. a finished crawl, a torn record appended: --resume restores the file
    before = read_bytes(path)
    with open(path, "ab") as fh:
        fh.write(TORN[fmt])
    n1 = len(srv.requests())
    res = run(args.crawl, cmd + ["--resume"], d, "finished")
    c.check(res.rc == 0, "finished crawl + --resume: exit 0", res.describe())
    c.check(read_bytes(path) == before,
            "finished crawl + torn record + --resume: the file is as it was, byte for byte",
            "%d bytes before, %d after" % (len(before), len(read_bytes(path))))
    pages = [e.path for e in srv.requests()[n1:] if e.path != "/robots.txt"]
    c.eq(pages, [], "finished crawl + --resume: no page fetched")

    # without --resume, the state file is refused before FILE is touched
    res = run(args.crawl, cmd, d, "norsm")
    c.check(res.rc == 1 and "--resume" in res.err, "existing state file without --resume: "
            "exit 1, saying so", res.describe())
    c.check(read_bytes(path) == before, "existing state file without --resume: FILE untouched")

    # the file lost its end (as after a power loss): the state file is
    # ahead of it, and --resume goes on from the last commit the file holds
    with open(path, "r+b") as fh:
        fh.truncate(len(before) // 2)
    loud = [a for a in cmd if a != "-q"]  # -q would hide the warning
    res = run(args.crawl, loud + ["--resume"], d, "shorter")
    c.check(res.rc == 0 and "holds less" in res.err,
            "FILE cut in half + --resume: exit 0, with a warning", res.describe())
    compare(c, "FILE cut in half + --resume", read_output(fmt, path), want)

    # a state file from before group commit is refused, FILE untouched
    old = os.path.join(d, "state-v1")
    with open(old, "w") as fh:
        fh.write("crawl-state 1\nD 0 %s -\nF %s\n" % (url, url))
    keep = read_bytes(path)
    res = run(args.crawl, BASE + ["-f", f, "-o", path, "--state", old, "--resume", url], d, "v1")
    c.check(res.rc == 1 and "crawl-state 1" in res.err,
            "a crawl-state 1 file: exit 1, saying so", res.describe())
    c.check(read_bytes(path) == keep, "a crawl-state 1 file: FILE untouched")


# --- 3: SIGINT: "interrupted" records do not stay in the file ----------------

def scenario_sigint_resume(args, c, tmp):
    """A page still in flight when the 2 s grace ends gets an "interrupted"
    record; with -o FILE --state it lands after the last commit, so
    --resume cuts it off and fetches the page again."""
    d = os.path.join(tmp, "sigint")
    os.makedirs(d)
    release = threading.Event()

    def slow(req):
        release.wait(CRAWL_TIMEOUT)
        return 200, {"Content-Type": "text/html"}, "<html><title>slow</title>slow</html>"

    srv = TestServer(root=d).start()
    try:
        links = "".join('<a href="/p%d">%d</a> ' % (i, i) for i in range(20))
        srv.add_route("/", page('<html><title>home</title><a href="/slow">slow</a> %s</html>'
                                % links))
        for i in range(20):
            srv.add_route("/p%d" % i, page("<html><title>p%d</title>leaf</html>" % i))
        srv.add_route("/slow", slow)
        path = os.path.join(d, "out.jsonl")
        st = os.path.join(d, "state")
        cmd = BASE + ["-o", path, "--state", st, srv.url("/")]
        p = start(args.crawl, cmd, d, "sigint")
        wait_for(lambda: len([e for e in srv.requests(settle_s=0) if e.path.startswith("/p")])
                 >= 20 or p.poll() is not None)
        time.sleep(0.3)  # let the leaves' records land (not asserted on)
        p.send_signal(signal.SIGINT)
        res = finish(p)
        c.check(res.rc == 130, "sigint: exit 130", res.describe())
        first = read_output("jsonl", path)
        interrupted = [r for r in CrawlResult([], 0, read_bytes(path), "", False).records
                       if r["error"] == "interrupted"]
        c.eq([r["url"] for r in interrupted], [srv.url("/slow")],
             "sigint: the file shows /slow as interrupted")
        release.set()
        res = run(args.crawl, cmd + ["--resume"], d, "sigint-resumed")
        c.check(res.rc == 0, "sigint + --resume: exit 0", res.describe())
        got = read_output("jsonl", path)
        c.check(not got.bad, "sigint + --resume: the file reads cleanly", "\n".join(got.bad[:5]))
        want = sorted([srv.url("/"), srv.url("/slow")] + [srv.url("/p%d" % i)
                                                           for i in range(20)])
        c.eq(sorted(got.urls), want, "sigint + --resume: one record per URL")
        slow_recs = [r for r in got.rows if r[0] == srv.url("/slow")]
        c.check(slow_recs and slow_recs[0][3] == 200 and slow_recs[0][4] is None,
                "sigint + --resume: /slow's record is the fetched one", slow_recs)
        print("info: sigint: %d records before --resume" % len(first.rows))
    finally:
        release.set()
        srv.stop()


# --- 4: a chain of 70 redirects -------------------------------------------------

def scenario_long_chain(args, c, tmp):
    d = os.path.join(tmp, "chain")
    os.makedirs(d)
    gate = threading.Event()

    def gate_route(req):
        gate.wait(CRAWL_TIMEOUT)
        return 200, {"Content-Type": "text/html"}, (
            '<html><title>gate</title><a href="/chain/66">66</a> <a href="/chain/68">68</a>'
            '</html>')

    srv = TestServer(root=d).start()
    try:
        srv.add_route("/", page('<html><title>home</title><a href="/chain/0">chain</a> '
                                '<a href="/gate">gate</a></html>'))
        for i in range(CHAIN):
            srv.add_route("/chain/%d" % i, redirect("/chain/%d" % (i + 1)))
        srv.add_route("/chain/%d" % CHAIN, page("<html><title>end</title>end</html>"))
        srv.add_route("/gate", gate_route)
        path = os.path.join(d, "out.jsonl")
        st = os.path.join(d, "state")
        chain0 = srv.url("/chain/0")
        cmd = ["-d", 2, "--workers", 1, "--retries", 0, "-q", "--max-redirect", 100,
               "-o", path, "--state", st, srv.url("/")]

        def chain_done():
            return any(l.split(" ")[:2] == ["F", chain0] for l in journal_lines(st))

        p = start(args.crawl, cmd, d, "chain")
        # /gate hangs: the crawl waits for it once the chain is journaled
        journaled = wait_for(lambda: chain_done() or p.poll() is not None)
        p.kill()
        finish(p)
        gate.set()
        c.check(journaled and chain_done(), "chain: the chain's record is journaled")
        hops = []
        for l in journal_lines(st):
            f = l.split(" ")
            if f[:2] == ["F", chain0]:
                hops = f[2:]
        want = [srv.url("/chain/%d" % i) for i in range(1, CHAIN + 1)]
        c.eq(hops, want, "chain: the journal lists all %d hops after the first URL" % CHAIN)

        n0 = len(srv.requests())
        res = run(args.crawl, cmd + ["--resume"], d, "chain-resumed")
        c.check(res.rc == 0, "chain: --resume: exit 0", res.describe())
        again = [e.path for e in srv.requests()[n0:] if e.path.startswith("/chain/")]
        c.eq(again, [], "chain: --resume fetches no hop of the chain again "
             "(/gate links to the 66th and the 68th)")
        got = read_output("jsonl", path)
        c.check(not got.bad, "chain: the file reads cleanly", "\n".join(got.bad[:10]))
        c.eq(sorted(got.urls), sorted([srv.url("/"), chain0, srv.url("/gate")]),
             "chain: one record each for /, /chain/0 and /gate, none for a hop")
        recs = [r for r in CrawlResult([], 0, read_bytes(path), "", False).records
                if r["url"] == chain0]
        c.check(len(recs) == 1 and len(recs[0]["redirects"]) == CHAIN and
                recs[0]["final_url"] == srv.url("/chain/%d" % CHAIN) and
                recs[0]["status"] == 200,
                "chain: /chain/0's record has the %d redirects and ends at 200" % CHAIN,
                [(len(r["redirects"]), r["final_url"], r["status"]) for r in recs])
    finally:
        gate.set()
        srv.stop()


# --- 5: syncs and journal writes per record --------------------------------------

def strace_cmd():
    """The strace command line to use, or None (with the reason printed)."""
    if not shutil.which("strace"):
        print("SKIP: group commit counts: strace is not installed")
        return None
    for extra in (["--seccomp-bpf"], []):
        cmd = ["strace", "-f"] + extra
        p = subprocess.run(cmd + ["-o", os.devnull, "true"], stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE)
        if p.returncode == 0:
            return cmd
    print("SKIP: group commit counts: strace cannot trace here: %s" %
          p.stderr.decode("utf-8", "replace").strip()[-300:])
    return None


def traced_crawl(c, strace, args, d, fmt, url, depth):
    """Run a crawl with --state under strace: (records, fsync + fdatasync
    calls, write calls on the state file, the state file's lines)."""
    os.makedirs(d)
    f, name = FORMATS[fmt]
    path = os.path.join(d, name)
    st = os.path.join(d, "state")
    log = os.path.join(d, "strace.log")
    cmd = strace + ["-y", "-e", "trace=fsync,fdatasync,write", "-o", log, args.crawl] + [
        str(a) for a in BASE] + ["-d", depth, "-f", f, "-o", path, "--state", st, url]
    # LeakSanitizer cannot run under ptrace; the other scenarios check leaks
    env = dict(os.environ)
    env["ASAN_OPTIONS"] = (env.get("ASAN_OPTIONS", "") + ":detect_leaks=0").lstrip(":")
    p = subprocess.run([str(a) for a in cmd], stdin=subprocess.DEVNULL,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                       timeout=CRAWL_TIMEOUT * 3, env=env)
    c.check(p.returncode == 0, "strace %s -d %d: exit 0" % (fmt, depth),
            p.stderr.decode("utf-8", "replace")[-1000:])
    syncs = writes = 0
    real = os.path.realpath(st)
    with open(log, errors="replace") as fh:
        for line in fh:
            if re.search(r"\b(fsync|fdatasync)\(", line):
                syncs += 1
            if re.search(r"\bwrite\(\d+<%s>" % re.escape(real), line):
                writes += 1
    return len(read_output(fmt, path).rows), syncs, writes, journal_lines(st)


def scenario_sync_counts(args, c, tmp, srv):
    strace = strace_cmd()
    if not strace:
        return
    for fmt in ("jsonl", "sqlite"):
        # what a run costs whatever its size (sqlite: switching the
        # database to WAL and back, the checkpoint at close)
        _, fixed, _, _ = traced_crawl(c, strace, args, os.path.join(tmp, "strace0-" + fmt), fmt,
                                      srv.url("/"), 0)
        records, syncs, writes, jl = traced_crawl(
            c, strace, args, os.path.join(tmp, "strace-" + fmt), fmt, srv.url("/"), 2)
        c.eq(records, SITE_PAGES, "strace %s: every page has its record" % fmt)
        commits = sum(1 for l in jl if l.startswith("C "))
        print("info: strace %s: %d records, %d fsync/fdatasync (%d in a 1-page crawl), "
              "%d writes to the state file, %d commit lines" % (
                  fmt, records, syncs, fixed, writes, commits))
        c.check(syncs - fixed <= records / 50,
                "strace %s: at most records/50 = %d fsync/fdatasync calls beyond a 1-page "
                "crawl's %d" % (fmt, records // 50, fixed),
                "%d calls for %d records" % (syncs, records))
        c.check(commits >= 1 and writes == commits + 1,
                "strace %s: the state file is written once per commit (plus its header)" % fmt,
                "%d writes, %d commit lines" % (writes, commits))
        sizes = []
        n = 0
        for l in jl:
            if l[:2] in ("F ", "S "):
                n += 1
            elif l.startswith("C "):
                sizes.append(n)
                n = 0
        c.check(sizes and max(sizes) <= 256, "strace %s: no commit holds more than 256 records"
                % fmt, "largest: %s" % (max(sizes) if sizes else None))


def main():
    args = parse_args(__doc__.split("\n")[0])
    c = Checker(args.verbose)
    with tempfile.TemporaryDirectory(prefix="crawl-resume-") as tmp:
        site = os.path.join(tmp, "site")
        os.makedirs(site)
        write_site(site)
        srv = TestServer(root=site, latency_ms=LATENCY_MS).start()
        try:
            for fmt in ("jsonl", "jsonl.gz", "edges", "sqlite"):
                scenario_kill_resume(args, c, tmp, srv, fmt)
        finally:
            srv.stop()
        scenario_sigint_resume(args, c, tmp)
        scenario_long_chain(args, c, tmp)
        fast = TestServer(root=site).start()
        try:
            scenario_sync_counts(args, c, tmp, fast)
        finally:
            fast.stop()
    return c.finish()


if __name__ == "__main__":
    sys.exit(main())
