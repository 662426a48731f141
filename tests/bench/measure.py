"""Run one command and measure it; judge an access log against a page set.

run_measured(): wall time (monotonic, around fork..wait4), CPU time and the
largest process's peak RSS from GNU time (its wait4() rusage of the command
plus every descendant the command waited for: user+sys summed, maxrss the
maximum; time is the launcher because a command spawned straight from this
Python would carry Python's RSS as its high-water mark across exec), and, by
sampling /proc every SAMPLE_S seconds, the whole process tree:
  - tree peak RSS: the largest sum over the tree's processes of Rss at one
    sample (shared pages count once per process: an upper bound), and the
    same with Pss (shared pages split between their users);
  - each process's own peak (VmHWM, which the kernel keeps as a high-water
    mark, so a sample misses only growth in the last SAMPLE_S before exit);
    the root process's VmHWM is "parent peak RSS";
  - CPU of processes the root did not wait for (utime+stime seen in
    /proc/PID/stat), added so an unreaped child is not lost.

analyze_log(): every request nginx logged during one run, against the
expected URL set for the depth: missing, extra (split into deeper pages,
fake links, other), duplicate fetches, non-200 statuses, and the maximum
number of open connections and of requests in flight (sweeps over the
[first request start, last request end] span of each $connection and over
each request's [end - $request_time, end]).
"""

import os
import signal
import subprocess
import tempfile
import time
from collections import Counter

SAMPLE_S = 0.02
TIME = "/usr/bin/time"
CLK_TCK = os.sysconf("SC_CLK_TCK")
AUX_URIS = {"/robots.txt", "/favicon.ico", "/sitemap.xml"}


def _children(pid):
    out = []
    try:
        for tid in os.listdir("/proc/%d/task" % pid):
            with open("/proc/%d/task/%s/children" % (pid, tid)) as f:
                out.extend(int(x) for x in f.read().split())
    except (OSError, ValueError):
        pass
    return out


def _tree(root):
    seen, stack = [], [root]
    while stack and len(seen) < 4096:
        p = stack.pop()
        seen.append(p)
        stack.extend(_children(p))
    return seen


def _mem(pid):
    """(rss_kb, pss_kb, hwm_kb) or None when the process is gone."""
    rss = pss = hwm = None
    try:
        with open("/proc/%d/smaps_rollup" % pid) as f:
            for line in f:
                if line.startswith("Rss:"):
                    rss = int(line.split()[1])
                elif line.startswith("Pss:"):
                    pss = int(line.split()[1])
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    hwm = int(line.split()[1])
                    break
    except (OSError, ValueError, IndexError):
        return None
    if rss is None or hwm is None:
        return None
    return rss, pss if pss is not None else rss, hwm


def _cpu_ticks(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])  # utime, stime
    except (OSError, ValueError, IndexError):
        return None


def proc_cpu_s(pids):
    return sum((_cpu_ticks(p) or 0) for p in pids) / CLK_TCK


def run_measured(argv, timeout, stdout_path=os.devnull, stderr_path=os.devnull, env=None):
    """Run argv under /usr/bin/time to completion (its process group killed
    at `timeout` s) and return its numbers."""
    fd, tfile = tempfile.mkstemp(prefix="crawl-bench-time-")
    os.close(fd)
    try:
        return _run_measured(argv, timeout, stdout_path, stderr_path, env, tfile)
    finally:
        os.unlink(tfile)


def _run_measured(argv, timeout, stdout_path, stderr_path, env, tfile):
    # GNU time forks the command from its own small image: the command's
    # maxrss is its own (a process spawned straight from this Python would
    # inherit Python's RSS as its high-water mark across exec).
    wrapped = [TIME, "-f", "%M %U %S", "-o", tfile, "--"] + list(argv)
    with open(stdout_path, "wb") as out, open(stderr_path, "wb") as err:
        t0 = time.monotonic()
        proc = subprocess.Popen(wrapped, stdin=subprocess.DEVNULL, stdout=out, stderr=err, env=env,
                                start_new_session=True)
    root = proc.pid
    target = None  # the measured command: time's only child
    peak_tree_rss = peak_tree_pss = 0
    hwm = {}  # pid -> max VmHWM seen
    ticks = {}  # pid -> last utime+stime seen
    max_procs = 0
    killed = False
    while True:
        pid, status, _ = os.wait4(root, os.WNOHANG)
        if pid == root:
            break
        if time.monotonic() - t0 > timeout:
            os.killpg(root, signal.SIGKILL)
            killed = True
            _, status, _ = os.wait4(root, 0)
            break
        if target is None:
            kids = _children(root)
            target = kids[0] if kids else None
        pids = _tree(target) if target is not None else []
        max_procs = max(max_procs, len(pids))
        srss = spss = 0
        for p in pids:
            m = _mem(p)
            if m is None:
                continue
            srss += m[0]
            spss += m[1]
            hwm[p] = max(hwm.get(p, 0), m[2])
            t = _cpu_ticks(p)
            if t is not None:
                ticks[p] = t
        peak_tree_rss = max(peak_tree_rss, srss)
        peak_tree_pss = max(peak_tree_pss, spss)
        time.sleep(SAMPLE_S)
    wall = time.monotonic() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    maxrss = user = sys_ = 0.0
    try:
        with open(tfile) as f:
            last = f.read().strip().splitlines()[-1].split()
        maxrss, user, sys_ = int(last[0]), float(last[1]), float(last[2])
    except (OSError, IndexError, ValueError):
        pass
    cpu = user + sys_
    # descendants the command did not wait for are not in time's numbers
    unreaped = [p for p in ticks if p != target and os.path.exists("/proc/%d" % p)]
    cpu += sum(ticks[p] for p in unreaped) / CLK_TCK
    return {
        "rc": proc.returncode, "killed": killed, "wall": wall, "cpu": cpu, "user": user, "sys": sys_,
        "max_rss_kb": maxrss,  # largest single process: the command or a descendant it waited for
        "parent_hwm_kb": hwm.get(target, 0),
        "tree_rss_kb": peak_tree_rss, "tree_pss_kb": peak_tree_pss,
        "sum_hwm_kb": sum(hwm.values()), "max_procs": max_procs,
    }


def max_overlap(intervals):
    """Largest number of [start, end] intervals open at one instant."""
    ev = []
    for s, e in intervals:
        ev.append((s, 1))
        ev.append((e, -1))
    ev.sort(key=lambda x: (x[0], x[1]))  # an end at t closes before a start at t
    cur = best = 0
    for _, d in ev:
        cur += d
        best = max(best, cur)
    return best


def analyze_log(entries, expected, depth):
    """Correctness of one run from its access-log entries."""
    pages = {u for u, d in expected["pages"].items() if d <= depth}
    assets = {u for u, d in expected["assets"].items() if d <= depth}
    count = Counter(e["uri"] for e in entries)
    fetched = set(count)
    extra = sorted(fetched - pages - assets - AUX_URIS)
    deeper = [u for u in extra if u in expected["pages"] or u in expected["assets"]]
    fake = [u for u in extra if u.startswith("/fake/")]
    other = [u for u in extra if u not in deeper and u not in fake]
    spans = {}
    for e in entries:
        s = spans.get(e["conn"])
        spans[e["conn"]] = (min(s[0], e["start"]), max(s[1], e["end"])) if s else (e["start"], e["end"])
    statuses = Counter(e["status"] for e in entries)
    return {
        "requests": len(entries),
        "pages_fetched": len(fetched & pages),
        "assets_fetched": len(fetched & assets),
        "expected_pages": len(pages),
        "expected_assets": len(assets),
        "missing": sorted((pages | assets) - fetched),
        "extra": extra, "extra_deeper": deeper, "extra_fake": fake, "extra_other": other,
        "aux": sorted(fetched & AUX_URIS),
        "duplicates": sum(c - 1 for c in count.values()),
        "non200": sum(c for s, c in statuses.items() if s != 200),
        "statuses": dict(statuses),
        "connections": len(spans),
        "max_conns": max_overlap(spans.values()),
        "max_inflight": max_overlap((e["start"], e["end"]) for e in entries),
        "bytes": sum(e["bytes"] for e in entries),
        # first request start to last request end, as nginx saw them
        "span_s": (max(e["end"] for e in entries) - min(e["start"] for e in entries)) if entries else 0.0,
    }
