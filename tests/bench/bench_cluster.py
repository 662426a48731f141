#!/usr/bin/env python3
"""Benchmarks of a cluster crawl (issue 11). Not a test: figures are
printed, nothing is asserted. Everything runs on 127.x addresses, against a
redis-server started here.

    python3 tests/bench/bench_cluster.py --crawl build/cli/crawl [--hosts 16]
        [--pages 150] [--latency-ms 20] [--runs 3] [--only scale,takeover]

scale     --hosts sites on 127.0.0.2, 127.0.0.3, ... (one server each,
          --pages pages each, --latency-ms per request), crawled to depth 3:
          pages per second for one process with -c 8 and -c 32, and for 1,
          2 and 4 nodes with -c 8 each (started together, one Redis); and
          Redis round trips per page (the nodes' redis_round_trips from
          --stats-json over the records written). Median of --runs.
takeover  one host, two nodes with --lease 2 and the default (10): the
          node holding the host is SIGKILLed; the longest gap between two
          request starts at the server is how long the dead node's host
          waited before the other node took it.
"""

import argparse
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "e2e"))
from e2elib import free_port, write_sections_site  # noqa: E402
from httpserver import TestServer  # noqa: E402


def html(title, links):
    return "<html><head><title>%s</title></head><body>%s</body></html>" % (
        title, "".join('<a href="%s">x</a> ' % u for u in links))


class Redis:
    def __init__(self, tmp):
        self.port = free_port("127.0.0.1")
        self.dir = tmp
        os.makedirs(tmp, exist_ok=True)
        self.proc = subprocess.Popen(
            [shutil.which("redis-server"), "--port", str(self.port), "--bind", "127.0.0.1",
             "--dir", tmp, "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self):
        self.proc.kill()
        self.proc.wait()

    @property
    def url(self):
        return "redis://127.0.0.1:%d" % self.port


def sites(tmp, nhosts, pages, latency):
    n_sections = 10
    n_leaves = max(1, (pages - 1 - n_sections) // n_sections)
    servers = []
    for i in range(nhosts):
        root = os.path.join(tmp, "site%d" % i)
        os.makedirs(root)
        write_sections_site(root, n_sections, n_leaves, html)
        servers.append(TestServer(root=root, latency_ms=latency, host="127.0.0.%d" % (i + 2))
                       .start())
    return servers


def run_nodes(crawl, n, conc, starts, redis, job, tmp):
    procs, stats = [], []
    t0 = time.monotonic()
    for i in range(n):
        st = os.path.join(tmp, "%s-%d.json" % (job, i))
        stats.append(st)
        args = [crawl, "-q", "-d", "3", "-c", str(conc), "-o", os.devnull, "--stats-json", st]
        if redis:
            args += ["--redis", redis.url, "--job", job]
        procs.append(subprocess.Popen(args + starts, stdout=subprocess.DEVNULL))
    for p in procs:
        p.wait(timeout=600)
    wall = time.monotonic() - t0
    records = trips = 0
    for st in stats:
        with open(st) as f:
            d = json.load(f)
        records += d["records"]
        trips += d.get("redis_round_trips", 0)
    return wall, records, trips


def bench_scale(args, tmp):
    servers = sites(tmp, args.hosts, args.pages, args.latency_ms)
    starts = [s.url("/") for s in servers]
    rows = []
    try:
        configs = [("one process -c 8", 1, 8, False), ("one process -c 32", 1, 32, False),
                   ("1 node -c 8", 1, 8, True), ("2 nodes -c 8", 2, 8, True),
                   ("4 nodes -c 8", 4, 8, True)]
        for name, n, conc, cluster in configs:
            walls, recs, per_page = [], None, []
            for r in range(args.runs):
                redis = Redis(os.path.join(tmp, "r")) if cluster else None
                try:
                    wall, records, trips = run_nodes(args.crawl, n, conc, starts, redis,
                                                     "b%d%s" % (r, name.replace(" ", "")), tmp)
                finally:
                    if redis:
                        redis.stop()
                walls.append(wall)
                recs = records
                if cluster:
                    per_page.append(trips / max(1, records))
            w = statistics.median(walls)
            rows.append((name, recs, w, recs / w,
                         "%.2f" % statistics.median(per_page) if per_page else "-"))
    finally:
        for s in servers:
            s.stop()
    print("scale: %d hosts x ~%d pages, %d ms per request, depth 3, median of %d" % (
        args.hosts, args.pages, args.latency_ms, args.runs))
    print("%-20s %8s %8s %10s %16s" % ("", "records", "wall s", "pages/s", "Redis trips/page"))
    for name, recs, w, pps, rt in rows:
        print("%-20s %8d %8.2f %10.1f %16s" % (name, recs, w, pps, rt))


def bench_takeover(args, tmp):
    root = os.path.join(tmp, "take")
    os.makedirs(root)
    write_sections_site(root, 20, 40, html)
    for lease in (2, 10):
        with TestServer(root=root, latency_ms=args.latency_ms) as srv:
            redis = Redis(os.path.join(tmp, "rt%d" % lease))
            try:
                procs = [subprocess.Popen(
                    [args.crawl, "-q", "-d", "3", "-c", "2", "--per-host", "2", "-o",
                     os.devnull, "--lease", str(lease), "--redis", redis.url, "--job", "t",
                     srv.url("/")], stdout=subprocess.DEVNULL) for _ in range(2)]
                time.sleep(1.5)
                # the node with the lease is the one that fetched: kill the
                # busier one (by its CPU time)
                def cpu(p):
                    with open("/proc/%d/stat" % p.pid) as f:
                        x = f.read().rsplit(")", 1)[1].split()
                    return int(x[11]) + int(x[12])
                victim = max(procs, key=cpu)
                t_kill = time.monotonic()
                victim.send_signal(signal.SIGKILL)
                victim.wait()
                other = [p for p in procs if p is not victim][0]
                other.wait(timeout=300)
                starts = sorted(e.start for e in srv.requests())
                gaps = [b - a for a, b in zip(starts, starts[1:])]
                print("takeover: --lease %d s: longest pause in requests %.2f s "
                      "(%d requests; the surviving node exited %d, %.1f s after the kill)" % (
                          lease, max(gaps), len(starts), other.returncode,
                          time.monotonic() - t_kill))
            finally:
                redis.stop()


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--crawl", required=True)
    ap.add_argument("--hosts", type=int, default=16)
    ap.add_argument("--pages", type=int, default=150)
    ap.add_argument("--latency-ms", type=int, default=20)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--only", default="scale,takeover")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        if "scale" in args.only:
            bench_scale(args, tmp)
        if "takeover" in args.only:
            bench_takeover(args, tmp)


if __name__ == "__main__":
    main()
