#!/usr/bin/env python3
"""crawl's benchmark, one command:  python3 tests/bench/run_bench.py [--quick]

Installs the Debian packages it needs (apt-get, through sudo when not root),
builds crawl (CMake Release in build-bench/), generates the sites
(gen_site.py, cached in build-bench/bench-sites/), serves them with nginx on
127.0.0.1 (nginx_server.py), runs crawl, wget and wget2 on the same site and
depth, and writes tests/bench/RESULTS.md (plus results.json beside it in
build-bench/). Timing is never pass/fail: the exit status is 0 unless the
benchmark itself could not run. See tests/bench/README.md.
"""

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import gen_site  # noqa: E402
import measure  # noqa: E402
import report  # noqa: E402
from nginx_server import NginxServer, check_latency, free_port  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(HERE))
BUILD = os.path.join(ROOT, "build-bench")
CRAWL = os.path.join(BUILD, "cli", "crawl")
PREFERRED_PORT = 18431
RUN_TIMEOUT = 300  # seconds; a run past it is killed and reported as such

NEEDED = ["nginx", "libnginx-mod-http-echo", "wget", "time", "python3", "cmake", "build-essential",
          "pkg-config", "libcurl4-openssl-dev", "libxml2-dev", "uthash-dev", "zlib1g-dev"]
OPTIONAL = ["wget2", "valgrind"]

PROFILES = {
    # reps: runs per tool; the 20k-page wget runs take the longest
    "full": {"small": 1000, "large": 20000, "reps_a": 3, "reps_a_crawl": 5, "reps_b": 3, "reps_b_wget": 3,
             "reps_c": 3, "reps_parse": 3, "callgrind_pages": 150},
    "quick": {"small": 1000, "large": 4000, "reps_a": 1, "reps_a_crawl": 2, "reps_b": 1, "reps_b_wget": 1,
              "reps_c": 1, "reps_parse": 1, "callgrind_pages": 40},
}


def log(msg):
    sys.stderr.write("bench: %s\n" % msg)
    sys.stderr.flush()


# ---- set-up ----------------------------------------------------------------


def installed(pkg):
    r = subprocess.run(["dpkg-query", "-W", "-f=${Status}", pkg], capture_output=True, text=True)
    return "install ok installed" in r.stdout


def ensure_packages(no_install):
    missing = [p for p in NEEDED if not installed(p)]
    optional = [p for p in OPTIONAL if not installed(p)]
    if not missing and not optional:
        return
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    if no_install or (sudo and not shutil.which("sudo")):
        if missing:
            sys.exit("bench: missing Debian packages; install them with:\n  %sapt-get install -y %s"
                     % ("sudo " if sudo else "", " ".join(missing + optional)))
        log("optional packages not installed (skipped): %s" % " ".join(optional))
        return
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    log("installing: %s" % " ".join(missing + optional))
    subprocess.run(sudo + ["apt-get", "update", "-q"], check=True, env=env, stdout=subprocess.DEVNULL)
    if missing:
        subprocess.run(sudo + ["apt-get", "install", "-y", "-q"] + missing, check=True, env=env)
    for p in optional:  # wget2 may not exist in every release: carry on without it
        if subprocess.run(sudo + ["apt-get", "install", "-y", "-q", p], env=env).returncode != 0:
            log("optional package %s not installable: its rows are left out" % p)


def build_crawl():
    for attempt in range(3):
        ok = subprocess.run(["cmake", "-S", ROOT, "-B", BUILD, "-DCMAKE_BUILD_TYPE=Release"],
                            stdout=subprocess.DEVNULL).returncode == 0
        ok = ok and subprocess.run(["cmake", "--build", BUILD, "-j2", "--target", "crawl"],
                                   stdout=subprocess.DEVNULL).returncode == 0
        if ok and os.access(CRAWL, os.X_OK):
            return
        log("build failed (the tree may be mid-edit); retrying in 60 s (%d/3)" % (attempt + 1))
        time.sleep(60)
    sys.exit("bench: could not build crawl in %s" % BUILD)


def site_for(n, base):
    """A generated site for n pages served at base, reused when unchanged."""
    out = os.path.join(BUILD, "bench-sites", "site-%d" % n)
    want = {"pages": n, "seed": 7, "base": base, "version": gen_site.GEN_VERSION,
            "generator": gen_site.file_digest(gen_site.__file__.replace(".pyc", ".py"))}
    try:
        with open(os.path.join(out, "site.json")) as f:
            have = json.load(f)
        if all(have.get(k) == v for k, v in want.items()):
            log("site %d: reusing %s" % (n, out))
            return out
    except (OSError, ValueError):
        pass
    t = time.monotonic()
    gen_site.generate(n, 7, base, out)
    log("site %d: generated in %.1f s" % (n, time.monotonic() - t))
    return out


def load_expected(site):
    with open(os.path.join(site, "expected.json")) as f:
        return json.load(f)


# ---- tools -----------------------------------------------------------------


def tool_argv(tool, url, depth, tmp):
    if tool == "crawl -c64":
        return [CRAWL, "-d", str(depth), "-c", "64", "--per-host", "64", "-o", os.path.join(tmp, "out.jsonl"), url]
    if tool == "crawl -c64 --no-parse-leaves":  # the page set only, as wget (issue 13)
        return [CRAWL, "-d", str(depth), "-c", "64", "--per-host", "64", "--no-parse-leaves", "-o",
                os.path.join(tmp, "out.jsonl"), url]
    if tool == "crawl":
        return [CRAWL, "-d", str(depth), "-o", os.path.join(tmp, "out.jsonl"), url]
    if tool == "wget":
        return ["wget", "-r", "-l", str(depth), "--no-parent", "-nd", "-P", tmp, "--delete-after",
                "-e", "robots=off", "-q", url]
    if tool.startswith("wget2"):
        # wget2 1.99.1 reads "--no-parent -nd" as --no-parent=-nd: spell them as key=value
        argv = ["wget2", "-r", "-l", str(depth), "--parent=off", "--directories=off", "-P", tmp,
                "--delete-after", "--robots=off", "-q", url]
        if tool == "wget2 -t64":
            argv.insert(1, "--max-threads=64")
        return argv
    raise ValueError(tool)


def available(tool):
    if tool.startswith("crawl"):
        return True
    return shutil.which(tool.split()[0]) is not None


SUMMARY_RE = re.compile(r"done: (\d+) records, (\d+) fetches.* (\d+) parsed")


def crawl_summary(path):
    try:
        with open(path, errors="replace") as f:
            m = SUMMARY_RE.search(f.read())
    except OSError:
        return None
    return {"records": int(m.group(1)), "fetches": int(m.group(2)), "parsed": int(m.group(3))} if m else None


def seen_urls(jsonl):
    """Distinct in-scope URLs crawl knew of: records plus non-external link targets."""
    seen = set()
    with open(jsonl, encoding="utf-8", errors="replace") as f:
        for line in f:
            rec = json.loads(line)
            seen.add(rec["url"])
            for ln in rec.get("links") or ():
                if not ln.get("external"):
                    seen.add(ln["url"])
    return len(seen)


def nginx_cpu(srv):
    pids = measure._tree(srv.proc.pid)
    return measure.proc_cpu_s(pids)


def run_one(srv, tool, depth, expected, keep_output=False):
    tmp = tempfile.mkdtemp(prefix="crawl-bench-run-")
    try:
        srv.take_log()  # discard anything before this run
        cpu0 = nginx_cpu(srv)
        r = measure.run_measured(tool_argv(tool, srv.url("/"), depth, tmp), RUN_TIMEOUT,
                                 stderr_path=os.path.join(tmp, "stderr"))
        time.sleep(0.15)  # let nginx log the last request
        r["server_cpu"] = nginx_cpu(srv) - cpu0
        entries = srv.take_log()
        r["log"] = measure.analyze_log(entries, expected, depth)
        ok, mn, cnt = check_latency(entries, srv.delay_ms) if srv.delay_ms else (True, None, len(entries))
        r["latency_ok"], r["min_request_ms"] = ok, mn
        if tool.startswith("crawl"):
            r["summary"] = crawl_summary(os.path.join(tmp, "stderr"))
            if keep_output:
                r["seen_urls"] = seen_urls(os.path.join(tmp, "out.jsonl"))
        if r["rc"] != 0 and not tool.startswith("wget"):  # wget exits 8 on any 404
            with open(os.path.join(tmp, "stderr"), errors="replace") as f:
                r["stderr_tail"] = f.read()[-500:]
        return r
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def run_series(srv, tools, depth, expected, reps, label, keep_output=()):
    """reps: tool -> runs. Interleaves tools so drift hits all of them alike."""
    runs = {t: [] for t in tools if available(t)}
    for i in range(max(reps.get(t, 0) for t in runs)):
        for t in runs:
            if i < reps.get(t, 0):
                r = run_one(srv, t, depth, expected, keep_output=t in keep_output)
                lg = r["log"]
                log("%s %-11s run %d: %.2f s wall, %.2f s cpu, %d pages, %d missing, %d extra, %d dup, rc %d"
                    % (label, t, i + 1, r["wall"], r["cpu"], lg["pages_fetched"], len(lg["missing"]),
                       len(lg["extra"]), lg["duplicates"], r["rc"]))
                runs[t].append(r)
                time.sleep(0.3)  # let closed connections drain
    return runs


def stats(values):
    values = [v for v in values if v is not None]
    if not values:
        return None
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "n": len(values)}


def summarize(runs):
    """tool -> aggregated numbers (medians etc.) over its runs."""
    out = {}
    for tool, rs in runs.items():
        if not rs:
            continue
        last = rs[-1]["log"]
        out[tool] = {
            "wall": stats([r["wall"] for r in rs]),
            "cpu": stats([r["cpu"] for r in rs]),
            "server_cpu": stats([r["server_cpu"] for r in rs]),
            "max_rss_kb": stats([r["max_rss_kb"] for r in rs]),
            "parent_hwm_kb": stats([r["parent_hwm_kb"] for r in rs]),
            "tree_rss_kb": stats([r["tree_rss_kb"] for r in rs]),
            "tree_pss_kb": stats([r["tree_pss_kb"] for r in rs]),
            "max_procs": max(r["max_procs"] for r in rs),
            "requests": stats([r["log"]["requests"] for r in rs]),
            "pages_fetched": stats([r["log"]["pages_fetched"] for r in rs]),
            "assets_fetched": stats([r["log"]["assets_fetched"] for r in rs]),
            "expected_pages": last["expected_pages"],
            "expected_assets": last["expected_assets"],
            "missing": max(len(r["log"]["missing"]) for r in rs),
            "extra": max(len(r["log"]["extra"]) for r in rs),
            "extra_deeper": max(len(r["log"]["extra_deeper"]) for r in rs),
            "extra_fake": max(len(r["log"]["extra_fake"]) for r in rs),
            "extra_other": max(len(r["log"]["extra_other"]) for r in rs),
            "duplicates": max(r["log"]["duplicates"] for r in rs),
            "max_conns": max(r["log"]["max_conns"] for r in rs),
            "max_inflight": max(r["log"]["max_inflight"] for r in rs),
            "connections": stats([r["log"]["connections"] for r in rs]),
            "req_rate": stats([r["log"]["requests"] / r["log"]["span_s"] for r in rs if r["log"]["span_s"] > 0]),
            "examples_missing": last["missing"][:5],
            "examples_extra": (last["extra_other"][:4] + last["extra_fake"][:2] + last["extra_deeper"][:2]),
            "aux": last["aux"],
            "rc": sorted({r["rc"] for r in rs}),
            "killed": any(r["killed"] for r in rs),
            "latency_ok": all(r["latency_ok"] for r in rs),
            "min_request_ms": min((r["min_request_ms"] for r in rs if r["min_request_ms"] is not None), default=None),
            "seen_urls": next((r["seen_urls"] for r in rs if "seen_urls" in r), None),
            "summary": rs[-1].get("summary"),
            "stderr_tail": next((r["stderr_tail"] for r in rs if "stderr_tail" in r), None),
        }
    return out


# ---- workloads -----------------------------------------------------------------


def workload_a(prof, site, port):
    """1,000 pages, 20 ms per request, depth 2 and 3."""
    expected = load_expected(site)
    res = {}
    with NginxServer(os.path.join(site, "www"), port, delay_ms=20) as srv:
        for depth in (2, 3):
            n = prof["reps_a"]
            reps = {"crawl -c64": prof["reps_a_crawl"], "crawl": n, "wget": n, "wget2": n, "wget2 -t64": n}
            runs = run_series(srv, list(reps), depth, expected, reps, "(a) d%d" % depth)
            s = summarize(runs)
            fetches = s["crawl -c64"]["expected_pages"] + s["crawl -c64"]["expected_assets"]
            bound = (depth + 1) * 0.020 + fetches / 64.0 * 0.020
            res["d%d" % depth] = {"depth": depth, "tools": s, "bound_s": bound, "fetches": fetches,
                                  "delay_ms": 20}
    return res


def workload_b(prof, site, port):
    """The large site, no added latency, depth 3."""
    expected = load_expected(site)
    with NginxServer(os.path.join(site, "www"), port, delay_ms=0) as srv:
        reps = {"crawl": prof["reps_b"], "crawl -c64": prof["reps_b"],
                "crawl -c64 --no-parse-leaves": prof["reps_b"], "wget": prof["reps_b_wget"],
                "wget2": prof["reps_b_wget"]}
        runs = run_series(srv, list(reps), 3, expected, reps, "(b) %dk" % (prof["large"] // 1000),
                          keep_output=("crawl",))
    below = sum(1 for d in expected["pages"].values() if d < 3)
    return {"depth": 3, "pages": prof["large"], "tools": summarize(runs), "parsed_by_wget": below}


def workload_c(prof, site_small, port, b):
    """Parent memory: crawl (defaults) on the small site, no latency, depth 3,
    against the same crawl on the large site from (b)."""
    expected = load_expected(site_small)
    with NginxServer(os.path.join(site_small, "www"), port, delay_ms=0) as srv:
        runs = run_series(srv, ["crawl"], 3, expected, {"crawl": prof["reps_c"]}, "(c) 1k", keep_output=("crawl",))
    small = summarize(runs)["crawl"]
    large = b["tools"]["crawl"]
    d_rss = (large["parent_hwm_kb"]["median"] - small["parent_hwm_kb"]["median"]) * 1024.0
    d_urls = (large["seen_urls"] or 0) - (small["seen_urls"] or 0)
    return {"small": small, "large": large, "small_pages": prof["small"], "large_pages": prof["large"],
            "bytes_per_url": d_rss / d_urls if d_urls > 0 else None, "delta_urls": d_urls}


def workload_parse(prof, site):
    """Offline crawl of the large site: parse throughput with 1 and 2 workers."""
    www = os.path.join(site, "www")
    res = {}
    ceilings = []
    for i in range(prof["reps_parse"]):
        ceilings.append(cpu_scaling(1)["speedup"])  # the machine's 2-process ceiling right now
        for w in (1, 2):
            tmp = tempfile.mkdtemp(prefix="crawl-bench-parse-")
            try:
                argv = [CRAWL, "-d", "99", "--workers", str(w), "-o", os.path.join(tmp, "out.jsonl"), www]
                r = measure.run_measured(argv, RUN_TIMEOUT, stderr_path=os.path.join(tmp, "stderr"))
                r["summary"] = crawl_summary(os.path.join(tmp, "stderr"))
            finally:
                shutil.rmtree(tmp, ignore_errors=True)
            parsed = (r["summary"] or {}).get("parsed", 0)
            r["pages_per_s"] = parsed / r["wall"] if r["wall"] > 0 else 0
            log("parse workers=%d run %d: %d pages parsed in %.2f s = %.0f pages/s, cpu %.2f s"
                % (w, i + 1, parsed, r["wall"], r["pages_per_s"], r["cpu"]))
            res.setdefault(w, []).append(r)
    out = {}
    for w, rs in res.items():
        out[w] = {"pages_per_s": stats([r["pages_per_s"] for r in rs]), "wall": stats([r["wall"] for r in rs]),
                  "cpu": stats([r["cpu"] for r in rs]), "parsed": (rs[-1]["summary"] or {}).get("parsed"),
                  "max_rss_kb": stats([r["max_rss_kb"] for r in rs])}
    out["ceiling"] = stats(ceilings)
    return out


def workload_callgrind(prof, site):
    """Instructions per page in html_extract vs the worker's and parent's totals."""
    if not shutil.which("valgrind") or not shutil.which("callgrind_annotate"):
        return None
    tmp = tempfile.mkdtemp(prefix="crawl-bench-cg-")
    try:
        n = prof["callgrind_pages"]
        argv = ["valgrind", "--tool=callgrind", "--trace-children=yes",
                "--callgrind-out-file=%s/cg.%%p" % tmp, CRAWL, "-d", "99", "--workers", "1",
                "--max-pages", str(n), "--parse-timeout", "600", "--timeout", "600",
                "-o", os.path.join(tmp, "out.jsonl"), os.path.join(site, "www")]
        r = subprocess.run(argv, capture_output=True, text=True, timeout=900)
        summ = SUMMARY_RE.search(r.stderr)
        parsed = int(summ.group(3)) if summ else 0
        procs = []
        for fn in sorted(os.listdir(tmp)):
            if not fn.startswith("cg."):
                continue
            a = subprocess.run(["callgrind_annotate", "--inclusive=yes", "--threshold=100",
                                os.path.join(tmp, fn)], capture_output=True, text=True).stdout
            procs.append(parse_annotate(a))
        return {"pages": parsed, "max_pages": n, "site_pages": prof["small"], "procs": procs, "rc": r.returncode}
    except (subprocess.SubprocessError, OSError) as e:
        log("callgrind failed: %s" % e)
        return None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def parse_annotate(text):
    """PROGRAM TOTALS and inclusive Ir per function from callgrind_annotate."""
    total = 0
    funcs = {}
    for line in text.splitlines():
        m = re.match(r"^\s*([\d,]+) \(\s*[\d.]+%\)\s+(\S+)", line)
        if not m:
            continue
        n = int(m.group(1).replace(",", ""))
        if m.group(2) == "PROGRAM":
            total = n
            continue
        name = m.group(2).rsplit(":", 1)[-1]
        funcs[name] = max(funcs.get(name, 0), n)
    return {"total": total, "funcs": funcs}


def cpu_scaling(reps=3):
    """The machine's own ceiling for 2-process speedup: the same CPU-bound
    loop in 1 process, then in 2 at once (fork). Median of reps."""
    def spin():
        x = 0
        for i in range(10_000_000):
            x += i
        return x

    ratios, ones = [], []
    for _ in range(reps):
        t = time.monotonic()
        spin()
        one = time.monotonic() - t
        t = time.monotonic()
        pids = []
        for _k in range(2):
            pid = os.fork()
            if pid == 0:
                try:
                    spin()
                finally:
                    os._exit(0)
            pids.append(pid)
        for pid in pids:
            os.waitpid(pid, 0)
        two = time.monotonic() - t
        ratios.append(2 * one / two)
        ones.append(one)
    return {"speedup": statistics.median(ratios), "min": min(ratios), "max": max(ratios),
            "one_s": statistics.median(ones)}


# ---- main -----------------------------------------------------------------


def main():
    ap = argparse.ArgumentParser(description="crawl benchmark (see tests/bench/README.md)")
    ap.add_argument("--quick", action="store_true", help="one run each, a 4,000-page large site (~3 min)")
    ap.add_argument("--no-install", action="store_true", help="never run apt-get; say what is missing")
    ap.add_argument("--output", default=os.path.join(HERE, "RESULTS.md"), help="Markdown report [tests/bench/RESULTS.md]")
    ap.add_argument("--only", default="a,b,c,parse,callgrind", help="workloads to run (comma list) [all]")
    ap.add_argument("--report-from", metavar="JSON", help="only rewrite the report from a saved bench-results.json")
    args = ap.parse_args()
    if args.report_from:
        with open(args.report_from) as f:
            results = json.load(f)
        if "parse" in results:  # JSON turned the worker counts into strings
            results["parse"] = {(int(k) if k.isdigit() else k): v for k, v in results["parse"].items()}
        with open(args.output, "w") as f:
            f.write(report.markdown(results, PROFILES[results["profile"]]))
        return
    prof = PROFILES["quick" if args.quick else "full"]
    only = set(args.only.split(","))
    t_start = time.monotonic()

    ensure_packages(args.no_install)
    build_crawl()
    port = free_port(PREFERRED_PORT)
    base = "http://127.0.0.1:%d" % port
    small = site_for(prof["small"], base)
    large = site_for(prof["large"], base)

    results = {"profile": "quick" if args.quick else "full", "port": port, "scaling_before": cpu_scaling()}
    log("machine: 2 processes run %.2fx as fast as 1 (CPU-bound loop)" % results["scaling_before"]["speedup"])
    if "a" in only:
        results["a"] = workload_a(prof, small, port)
    if "b" in only or "c" in only:
        results["b"] = workload_b(prof, large, port)
    if "c" in only:
        results["c"] = workload_c(prof, small, port, results["b"])
    if "parse" in only:
        results["parse"] = workload_parse(prof, large)
    if "callgrind" in only:
        results["callgrind"] = workload_callgrind(prof, small)
    results["scaling_after"] = cpu_scaling()
    results["elapsed_s"] = time.monotonic() - t_start
    results["machine"] = report.machine_info(CRAWL)
    results["sites"] = {n: load_expected(s)["bytes"] for n, s in ((prof["small"], small), (prof["large"], large))}

    with open(os.path.join(BUILD, "bench-results.json"), "w") as f:
        json.dump(results, f, indent=1, default=str)
    text = report.markdown(results, prof)
    with open(args.output, "w") as f:
        f.write(text)
    log("wrote %s (%.0f s in all)" % (args.output, results["elapsed_s"]))


if __name__ == "__main__":
    main()
