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
import json
import os
import subprocess
import sys
import tempfile
import time

# the same scripted sites as the e2e tests of the core at scale
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e"))
from test_scale import Site  # noqa: E402


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
    errpath = os.path.join(tmp, "endless.err")
    with Site("endless") as site, open(errpath, "w") as err:
        r = watch([crawl, "-d", "50", "-c", "32", "--per-host", "32", "--no-progress",
                   "--stats-interval", "1", "-o", os.path.join(tmp, "endless.jsonl"),
                   site.url("/t/0/cal?d=0&sid=0")], seconds=seconds, stderr=err)
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
    with Site(leaves=100000, slow_s=8.0) as site:
        r = watch([crawl, "-d", "3", "--max-links", "200000", "--max-pages", "20", "-q",
                   "-o", os.path.join(tmp, "settle.jsonl"), site.url("/")])
    with open(os.path.join(tmp, "settle.jsonl")) as f:
        r["records"] = sum(1 for _ in f)
    return r


def bench_warc(crawl, tmp):
    with Site(leaves=2000, leaf_kb=200, leaf_type="application/octet-stream",
              slow_s=8.0) as site:
        r = watch([crawl, "-d", "3", "-q", "--warc", os.path.join(tmp, "out.warc.gz"),
                   "-o", os.path.join(tmp, "warc.jsonl"), site.url("/")])
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
