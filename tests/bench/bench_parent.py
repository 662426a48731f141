#!/usr/bin/env python3
"""The crawl parent's own CPU per page, workers not counted.

    python3 tests/bench/bench_parent.py [--pages 20000] [--runs 3] [--crawl PATH]

Serves the generated site (run_bench's, cached in build-bench/bench-sites/)
with nginx on 127.0.0.1 at no added latency, then crawls it at depth 3 with
`-c 64 --per-host 64 -o FILE` under `perf stat -i -e task-clock` (-i: the
parent process only, not the parse workers it starts), once parsing every
page and once with --no-parse-leaves, --runs times each. Prints, per mode,
the parent's task-clock per fetched page (median, min-max) and its context
switches per page. Not a test: timing is never pass/fail; exits 0 unless
perf or the build is missing. Needs the Debian package linux-perf.
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import run_bench  # noqa: E402
from nginx_server import NginxServer  # noqa: E402


def perf_run(argv, tmp):
    out = os.path.join(tmp, "perf.csv")
    rc = subprocess.run(["perf", "stat", "-i", "-x,", "-e", "task-clock,context-switches", "-o", out]
                        + argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
    vals = {}
    with open(out) as f:
        for line in f:
            parts = line.strip().split(",")
            if len(parts) > 2 and parts[0] and not line.startswith("#"):
                vals[parts[2]] = float(parts[0])
    return rc, vals


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pages", type=int, default=20000, help="site size [20000]")
    ap.add_argument("--runs", type=int, default=3, help="runs per mode [3]")
    ap.add_argument("--crawl", default=run_bench.CRAWL, help="crawl binary [build-bench/cli/crawl, built]")
    args = ap.parse_args()
    if not shutil.which("perf"):
        sys.exit("bench_parent: perf is missing (apt-get install linux-perf)")
    if args.crawl == run_bench.CRAWL:
        run_bench.build_crawl()
    port = run_bench.free_port(run_bench.PREFERRED_PORT)
    if port != run_bench.PREFERRED_PORT:
        sys.exit("bench_parent: port %d is taken; the sites link to it absolutely" % run_bench.PREFERRED_PORT)
    site = run_bench.site_for(args.pages, "http://127.0.0.1:%d/" % port)
    url = "http://127.0.0.1:%d/" % port
    modes = {"every page parsed": [], "--no-parse-leaves": []}
    with NginxServer(os.path.join(site, "www"), port, delay_ms=0), \
            tempfile.TemporaryDirectory(prefix="crawl-bench-parent-") as tmp:
        for _ in range(args.runs):
            for mode, runs in modes.items():
                out = os.path.join(tmp, "out.jsonl")
                argv = [args.crawl, "-q", "-d", "3", "-c", "64", "--per-host", "64", "-o", out, url]
                if mode.startswith("--"):
                    argv.insert(-1, mode)
                rc, vals = perf_run(argv, tmp)
                with open(out) as f:
                    pages = sum(1 for _ in f)
                runs.append((vals.get("task-clock", 0.0) / max(pages, 1),
                             vals.get("context-switches", 0.0) / max(pages, 1)))
                print("%-20s rc %d, %d records, parent %.0f ms task-clock, %.0f context switches"
                      % (mode, rc, pages, vals.get("task-clock", 0), vals.get("context-switches", 0)),
                      file=sys.stderr)
    print("parent CPU per page, %d-page site, depth 3, -c 64 --per-host 64 (%d runs)" % (args.pages, args.runs))
    for mode, runs in modes.items():
        ms = [r[0] for r in runs]
        cs = [r[1] for r in runs]
        print("%-20s %.3f ms/page (%.3f-%.3f), %.2f context switches/page"
              % (mode, statistics.median(ms), min(ms), max(ms), statistics.median(cs)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
