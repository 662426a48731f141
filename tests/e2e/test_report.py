#!/usr/bin/env python3
"""What crawl tells the person running it, on stderr: the live progress line
(only on a terminal: checked under a real pseudo-terminal), --stats-json and
--stats-interval (figures that must agree with the records written), and the
closing summary: one line for logs, a short block with the first broken
links and their pages on a terminal."""

import json
import os
import pty
import select
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e2elib import Checker, check_run_ok, parse_args, run_crawl  # noqa: E402
from httpserver import TestServer  # noqa: E402


def make_site(root, n):
    """n pages in a chain of fan-outs, each 30 ms away: a crawl that lasts."""
    for i in range(n):
        links = "".join('<a href="p%d.html">p%d</a>' % (j, j) for j in (2 * i + 1, 2 * i + 2)
                        if j < n)
        if i == 0:
            links += '<a href="nowhere.html">a missing page</a>'
        name = "index.html" if i == 0 else "p%d.html" % i
        with open(os.path.join(root, name), "w") as f:
            f.write("<html><title>p%d</title>%s</html>" % (i, links))


def run_on_pty(cmd, timeout):
    """Run cmd with stderr on a pseudo-terminal; stdout to a pipe."""
    master, slave = pty.openpty()
    p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=slave)
    os.close(slave)
    err = b""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        r, _, _ = select.select([master], [], [], 0.2)
        if r:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break  # the child closed the terminal
            if not chunk:
                break
            err += chunk
        elif p.poll() is not None:
            break
    out = p.stdout.read()
    try:
        p.wait(timeout=max(1, end - time.monotonic()))
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
    os.close(master)
    return p.returncode, out, err


def check_progress(c, args, srv):
    what = "progress line under a pseudo-terminal"
    rc, out, err = run_on_pty([args.crawl, "-d", "6", "-c", "2", "--per-host", "2",
                               srv.url("/")], timeout=60)
    c.eq(rc, 0, "%s: exit 0" % what)
    text = err.decode("utf-8", "replace")
    frames = [f for f in text.split("\r") if f.startswith("\x1b[Kcrawl: ") and "queued" in f]
    c.check(len(frames) >= 2, "%s: redrawn in place (\\r + erase) while crawling" % what,
            "frames: %d, stderr: %r" % (len(frames), text[:300]))
    fields = ("done", "queued", "in flight", "parsing", "pages/s", "errors")
    c.check(all(all(k in f for k in fields) for f in frames),
            "%s: every frame shows %s" % (what, ", ".join(fields)), repr(frames[:2]))
    done = [int(f.split("crawl: ")[1].split(" done")[0]) for f in frames]
    c.check(done == sorted(done), "%s: the done count never goes back" % what, repr(done))
    c.check("\x1b[K" in text.split("done:")[0].rsplit("\r", 1)[-1] or "\r\x1b[K" in text,
            "%s: the line is erased before the summary" % what, repr(text[-300:]))
    c.check("crawl: done:" in text, "%s: the summary follows" % what, repr(text[-300:]))
    records = [json.loads(line) for line in out.decode().splitlines()]
    c.check(len(records) > 0 and all(r["url"] for r in records),
            "%s: stdout holds only records" % what, repr(out[:200]))

    for flag in (["--no-progress"], ["-q"]):
        rc, out, err = run_on_pty([args.crawl, "-d", "2"] + flag + [srv.url("/")], timeout=60)
        c.check(b"queued" not in err, "%s with %s: no progress line" % (what, flag[0]),
                repr(err[:300]))
    res = run_crawl(args.crawl, ["-d", "2", srv.url("/")], timeout=60)
    c.check("queued" not in res.err and "\r" not in res.err,
            "no progress line when stderr is not a terminal", res.err[:300])


def check_stats(c, args, srv, tmp):
    what = "--stats-json / --stats-interval"
    stats_path = os.path.join(tmp, "stats.json")
    res = run_crawl(args.crawl, ["-d", "7", "-c", "2", "--stats-json", stats_path,
                                 "--stats-interval", "0.2", srv.url("/")], timeout=60)
    if not check_run_ok(c, res, what):
        return
    recs = res.records
    try:
        st = json.load(open(stats_path))
    except (OSError, ValueError) as e:
        c.check(False, "%s: the stats file is JSON" % what, repr(e))
        return
    c.eq(st["phase"], "done", "%s: phase" % what)
    c.eq(st["records"], len(recs), "%s: records" % what)
    by_class = {"none": 0, "1xx": 0, "2xx": 0, "3xx": 0, "4xx": 0, "5xx": 0}
    for r in recs:
        s = r["status"]
        by_class["none" if s is None else "%dxx" % (s // 100)] += 1
    c.eq(st["status_class"], by_class, "%s: records by status class" % what)
    ctypes = {}
    for r in recs:
        if r["content_type"]:
            ctypes[r["content_type"]] = ctypes.get(r["content_type"], 0) + 1
    c.eq(st["content_types"], ctypes, "%s: records by content type" % what)
    errors = {}
    for r in recs:
        if r["error"]:
            errors[r["error"]] = errors.get(r["error"], 0) + 1
    c.eq(st["errors"], errors, "%s: records by error" % what)
    c.eq(st["bytes"], sum(r["bytes"] for r in recs), "%s: bytes" % what)
    c.eq(st["parsed"], sum(1 for r in recs if r["content_type"] == "text/html" and
                           r["status"] == 200), "%s: pages parsed (2xx HTML only)" % what)
    c.eq(by_class["4xx"], 1, "%s: the missing page is a 4xx record" % what)
    c.check(st["peak_rss_kb"] > 0 and st["peak_rss_worker_kb"] > 0,
            "%s: peak memory of the parent and of a worker" % what, repr(st))
    c.check(st["fetches"] >= len([r for r in recs if r["status"] is not None]),
            "%s: fetches cover every record with a status" % what, repr(st))
    lines = [l for l in res.err.splitlines() if l.startswith("{")]
    c.check(len(lines) >= 2, "%s: periodic JSON lines on stderr" % what, res.err[:400])
    seen = -1
    for l in lines:
        try:
            j = json.loads(l)
        except ValueError:
            c.check(False, "%s: a periodic line is JSON" % what, l[:200])
            break
        c.check(j["phase"] == "running" and j["records"] >= seen,
                "%s: periodic lines say running, records never go back" % what, l[:200])
        seen = j["records"]
    summary = [l for l in res.err.splitlines() if l.startswith("crawl: done:")]
    c.check(len(summary) == 1 and ("%d records" % len(recs)) in summary[0],
            "%s: one summary line with the record count" % what, repr(summary))
    bad = run_crawl(args.crawl, ["-d", "0", "--stats-json", "/nonexistent-dir/s.json",
                                 srv.url("/")], timeout=60)
    c.eq(bad.rc, 1, "--stats-json into a missing directory: exit 1")


def check_summary_block(c, args, tmp):
    """On a terminal, the first STATS_BROKEN_MAX (10) broken links, each with
    the page linking it; to a pipe, the one line."""
    site = os.path.join(tmp, "broken-site")
    os.mkdir(site)
    with open(os.path.join(site, "index.html"), "w") as f:
        f.write('<html><a href="ok.html">ok</a>%s</html>' % "".join(
            '<a href="gone%02d.html">gone</a>' % i for i in range(12)))
    with open(os.path.join(site, "ok.html"), "w") as f:
        f.write('<html><a href="gone00.html">gone again</a></html>')
    with TestServer(site) as srv:
        cmd = [args.crawl, "-d", "1", "--sort", "-c", "1", "--per-host", "1", srv.url("/")]
        what = "closing summary on a terminal"
        rc, out, err = run_on_pty(cmd, timeout=60)
        c.eq(rc, 0, "%s: exit 0" % what)
        text = err.decode("utf-8", "replace").replace("\r\n", "\n")
        block = text[text.find("crawl: done:"):].splitlines()
        c.check(block and "14 records" in block[0], "%s: starts with the record count" % what,
                repr(block[:2]))
        c.check(len(block) > 1 and "2 ok, 12 http errors, 0 errors" in block[1],
                "%s: then the counts of ok pages and errors" % what, repr(block[:2]))
        c.check(len(block) > 2 and "12 broken links" in block[2],
                "%s: then the number of broken links" % what, repr(block[:3]))
        listed = [l.split() for l in block[3:23]]
        pairs = [(a[0], a[1], b) for a, b in zip(listed[0::2], listed[1::2]) if len(a) == 2]
        gone = {srv.url("/gone%02d.html" % i) for i in range(12)}
        c.check(len(pairs) == 10 and len({p[1] for p in pairs}) == 10 and
                all(p[0] == "404" and p[1] in gone and p[2] == ["linked", "from", srv.url("/")]
                    for p in pairs),
                "%s: the first 10 broken links, each with the page linking it" % what,
                "\n".join(block[3:23]))
        c.check(len(block) > 23 and "2 more" in block[23] and "-f broken" in block[23],
                "%s: then how many more, and where to see them" % what, repr(block[23:]))
        c.eq(len(block), 24, "%s: nothing after the block" % what)
        res = run_crawl(args.crawl, cmd[1:], timeout=60)
        lines = [l for l in res.err.splitlines() if l.strip()]
        c.check(len(lines) == 1 and lines[0].startswith("crawl: done: 14 records"),
                "closing summary to a pipe: the one line, as before", res.err[-500:])


def main():
    args = parse_args(__doc__)
    c = Checker(args.verbose)
    with tempfile.TemporaryDirectory(prefix="crawl-e2e-report-") as tmp:
        site = os.path.join(tmp, "site")
        os.mkdir(site)
        make_site(site, 120)
        with TestServer(site, latency_ms=30) as srv:
            check_progress(c, args, srv)
            check_stats(c, args, srv, tmp)
        check_summary_block(c, args, tmp)
    return c.finish()


if __name__ == "__main__":
    sys.exit(main())
