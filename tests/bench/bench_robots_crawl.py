#!/usr/bin/env python3
"""Parent CPU of a real crawl whose robots.txt has hostile wildcard rules
(issue 10, item 8). Not a test: it prints figures; the exit status is 0
unless the benchmark itself could not run.

    python3 tests/bench/bench_robots_crawl.py [--crawl build/cli/crawl]
        [--rules 480] [--as 300] [--links 2000] [--len 2000] [--runs 3]
        [--disallow]

A local HTTP server (tests/e2e/httpserver.py, 127.0.0.1 only) serves
/robots.txt with RULES lines "Disallow: /*<AS a's>b<i>" and a start page
with LINKS links to distinct paths of LEN bytes ("/aaa...a/000123"), none of
which any rule matches, so all are fetched (404s). With --disallow a short
"Disallow: /a" is added: it is tried last (longest rule first), so every
link still costs all the long rules and is then skipped, not fetched.

`crawl -d 1` runs against it. The parent's own user and sys CPU are read
from /proc/PID/stat once it has exited but before it is reaped (waitid with
WNOWAIT), so workers are not counted in it; "workers" is the CPU of the
children the parent reaped (cutime + cstime). Resolution: one clock tick.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "e2e"))

from httpserver import TestServer  # noqa: E402

CLK_TCK = os.sysconf("SC_CLK_TCK")


def robots_txt(rules, as_, disallow):
    lines = ["User-agent: *"]
    lines += ["Disallow: /*%sb%d" % ("a" * as_, i) for i in range(rules)]
    if disallow:
        lines.append("Disallow: /a")
    return ("\n".join(lines) + "\n").encode()


def link_path(i, length):
    return "/" + "a" * (length - 8) + "/%06d" % i


def start_page(links, length):
    body = ["<!doctype html><html><body>"]
    body += ['<a href="%s">x</a>\n' % link_path(i, length) for i in range(links)]
    body.append("</body></html>\n")
    return "".join(body).encode()


def proc_cpu(pid):
    """(user_s, sys_s, children_user_s, children_sys_s) of a process that
    has exited but not been reaped yet."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    ut, st, cut, cst = (int(x) / CLK_TCK for x in fields[11:15])
    return ut, st, cut, cst


def run_once(crawl, url, workdir, workers):
    out = os.path.join(workdir, "out.jsonl")
    cmd = [crawl, "-d", "1", "-q", "--no-progress", "--max-url-length", "8192",
           "-o", out, url]
    if workers:
        cmd[1:1] = ["--workers", str(workers)]
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    os.waitid(os.P_PID, p.pid, os.WEXITED | os.WNOWAIT)
    wall = time.monotonic() - t0
    cpu = proc_cpu(p.pid)
    err = p.stderr.read().decode(errors="replace")
    rc = p.wait()
    with open(out) as f:
        records = sum(1 for _ in f)
    return {"rc": rc, "wall": wall, "user": cpu[0], "sys": cpu[1],
            "workers": cpu[2] + cpu[3], "records": records, "stderr": err}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--crawl", default=os.path.join(ROOT, "build", "cli", "crawl"))
    ap.add_argument("--rules", type=int, default=480)
    ap.add_argument("--as", dest="as_", type=int, default=300)
    ap.add_argument("--links", type=int, default=2000)
    ap.add_argument("--len", dest="length", type=int, default=2000)
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--workers", type=int, default=0)
    ap.add_argument("--disallow", action="store_true")
    a = ap.parse_args()
    if not os.access(a.crawl, os.X_OK):
        print("no crawl binary at %s (build first, or --crawl)" % a.crawl, file=sys.stderr)
        return 1

    txt = robots_txt(a.rules, a.as_, a.disallow)
    page = start_page(a.links, a.length)
    with tempfile.TemporaryDirectory() as tmp:
        srv = TestServer(root=tmp)
        srv.add_route("/robots.txt", lambda req: (200, {"Content-Type": "text/plain"}, txt))
        srv.add_route("/", lambda req: (200, {"Content-Type": "text/html"}, page))
        print("robots.txt: %d rules of %d a's%s; start page: %d links of %d bytes (%d KB)"
              % (a.rules, a.as_, " + Disallow: /a" if a.disallow else "", a.links,
                 a.length, len(page) // 1024))
        with srv:
            for i in range(a.runs):
                r = run_once(a.crawl, srv.url("/"), tmp, a.workers)
                if r["rc"] != 0:
                    print("crawl failed (exit %d):\n%s" % (r["rc"], r["stderr"]),
                          file=sys.stderr)
                    return 1
                print("run %d: parent CPU %.2f s (user %.2f + sys %.2f), wall %.2f s, "
                      "workers %.2f s, %d records"
                      % (i + 1, r["user"] + r["sys"], r["user"], r["sys"], r["wall"],
                         r["workers"], r["records"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
