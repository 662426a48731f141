#!/usr/bin/env python3
"""Benchmarks of the crawl core at scale (issue 10): parent memory per URL
on an endless site, the cost of settling many held records, and memory
with --warc behind a slow page. Not a test: figures are printed, nothing is
asserted. Everything runs on 127.0.0.1.

    python3 tests/bench/bench_core.py --crawl build/cli/crawl [--only endless,settle,warc]
        [--seconds 60] [--vs OTHER_CRAWL_BINARY]

endless  a site whose pages each link 100 new unique URLs at a fixed path
         depth (/t/<n>/cal?d=..&sid=<random>), crawled with -d 50 for
         --seconds: parent RSS at the end, URLs discovered (records +
         queued, from --stats-interval), bytes of parent memory per URL.
settle   / links a slow page (8 s) and a hub whose child links 100,000
         leaves at depth 3; --max-pages 20: the leaves' max_pages records
         are held behind the slow page. Parent CPU (utime+stime of the
         parent process only, from /proc).
warc     the same shape with 2,000 non-HTML leaves of 200 KB and --warc: the
         parent's peak RSS (VmHWM).
"""

import argparse
import http.server
import json
import os
import random
import socketserver
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

LEAF_BODY = None


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def log_message(self, *a):
        pass

    def send_page(self, body, status=200, ctype="text/html; charset=utf-8"):
        if isinstance(body, str):
            body = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        u = urllib.parse.urlsplit(self.path)
        p = u.path
        mode = self.server.mode
        if p == "/robots.txt":
            return self.send_page("", 404, "text/plain")
        if mode == "endless":
            rnd = random.Random(self.path)
            links = "".join(
                '<a href="/t/%d/cal?d=%d&amp;sid=%016x">x</a>\n' % (
                    rnd.randrange(10), rnd.randrange(100000), rnd.getrandbits(64))
                for _ in range(100))
            return self.send_page("<html><body>%s</body></html>" % links)
        if p == "/":
            return self.send_page('<a href="/slow">s</a><a href="/hub">h</a>')
        if p == "/slow":
            time.sleep(self.server.slow_s)
            return self.send_page("<title>slow</title>")
        if p == "/hub":
            return self.send_page('<a href="/hub2">h2</a>')
        if p == "/hub2":
            n = self.server.leaves
            return self.send_page("".join('<a href="/leaf%d">l</a>\n' % i for i in range(n)))
        if p.startswith("/leaf"):
            return self.send_page(self.server.leaf_body, ctype=self.server.leaf_type)
        return self.send_page("nope", 404)


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def serve(mode, leaves=0, leaf_kb=1, slow_s=8.0):
    srv = Server(("127.0.0.1", 0), Handler)
    srv.mode = mode
    srv.leaves = leaves
    srv.slow_s = slow_s
    srv.leaf_body = ("<html><body>" + "x" * (leaf_kb * 1024) + "</body></html>").encode()
    # --warc keeps bodies of every type: the leaves are not HTML, so their
    # bodies stay with their records unless dropped once archived
    srv.leaf_type = "application/octet-stream" if mode == "warc" else "text/html"
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv


def proc_cpu_s(pid):
    """utime+stime of pid itself (not its children), in seconds."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def proc_status(pid, key):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1]) * 1024
    return 0


def watch(cmd, seconds=None, stderr=None):
    """Run cmd; sample the parent's CPU and memory until it exits (or is
    stopped after `seconds`). Returns the last samples."""
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=stderr)
    start = time.monotonic()
    cpu = rss = hwm = 0
    while p.poll() is None:
        try:
            cpu = proc_cpu_s(p.pid)
            rss = proc_status(p.pid, "VmRSS")
            hwm = proc_status(p.pid, "VmHWM")
        except (OSError, IndexError, ValueError):
            pass
        if seconds and time.monotonic() - start >= seconds:
            p.terminate()
            try:
                p.wait(30)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
            break
        time.sleep(0.1)
    return {"cpu_s": round(cpu, 2), "rss_mb": round(rss / 2**20, 1),
            "hwm_mb": round(hwm / 2**20, 1), "wall_s": round(time.monotonic() - start, 1),
            "status": p.returncode}


def bench_endless(crawl, seconds, tmp):
    srv = serve("endless")
    base = "http://127.0.0.1:%d" % srv.server_address[1]
    errpath = os.path.join(tmp, "endless.err")
    with open(errpath, "w") as err:
        r = watch([crawl, "-d", "50", "-c", "32", "--per-host", "32", "--no-progress",
                   "--stats-interval", "1", "-o", os.path.join(tmp, "endless.jsonl"),
                   base + "/t/0/cal?d=0&sid=0"], seconds=seconds, stderr=err)
    srv.shutdown()
    last = None
    with open(errpath) as f:
        for line in f:
            line = line.strip()
            if line.startswith("{"):
                try:
                    last = json.loads(line)
                except ValueError:
                    pass
    urls = 0
    if last:
        urls = int(last.get("records", 0)) + int(last.get("queued", 0))
    r["urls"] = urls
    r["bytes_per_url"] = round(r["rss_mb"] * 2**20 / urls, 1) if urls else None
    return r


def bench_settle(crawl, tmp):
    srv = serve("settle", leaves=100000)
    base = "http://127.0.0.1:%d/" % srv.server_address[1]
    r = watch([crawl, "-d", "3", "--max-links", "200000", "--max-pages", "20", "-q",
               "-o", os.path.join(tmp, "settle.jsonl"), base])
    srv.shutdown()
    with open(os.path.join(tmp, "settle.jsonl")) as f:
        r["records"] = sum(1 for _ in f)
    return r


def bench_warc(crawl, tmp):
    srv = serve("warc", leaves=2000, leaf_kb=200)
    base = "http://127.0.0.1:%d/" % srv.server_address[1]
    r = watch([crawl, "-d", "3", "-q", "--warc", os.path.join(tmp, "out.warc.gz"),
               "-o", os.path.join(tmp, "warc.jsonl"), base])
    srv.shutdown()
    with open(os.path.join(tmp, "warc.jsonl")) as f:
        r["records"] = sum(1 for _ in f)
    return r


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--crawl", required=True)
    ap.add_argument("--vs", help="a second crawl binary, measured right after")
    ap.add_argument("--only", default="endless,settle,warc")
    ap.add_argument("--seconds", type=float, default=60)
    a = ap.parse_args()
    which = a.only.split(",")
    results = {}
    for label, binary in [("crawl", a.crawl)] + ([("vs", a.vs)] if a.vs else []):
        with tempfile.TemporaryDirectory() as tmp:
            res = {}
            if "endless" in which:
                res["endless"] = bench_endless(binary, a.seconds, tmp)
            if "settle" in which:
                res["settle"] = bench_settle(binary, tmp)
            if "warc" in which:
                res["warc"] = bench_warc(binary, tmp)
            results[label] = {"binary": binary, **res}
            print(json.dumps(results[label]), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
