"""Machine facts and the Markdown report (tests/bench/RESULTS.md).

Pure formatting over the results dict that run_bench.py builds; reads
/proc and runs `--version`-style commands, nothing else.
"""

import datetime
import os
import platform
import re
import subprocess


def _first_line(argv, stream="stdout"):
    try:
        r = subprocess.run(argv, capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.SubprocessError):
        return "not installed"
    text = (r.stdout if stream == "stdout" else r.stderr).strip()
    return text.splitlines()[0] if text else "unknown"


def machine_info(crawl):
    cpu = "unknown"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as f:
        mem_kb = int(re.search(r"MemTotal:\s+(\d+)", f.read()).group(1))
    virt = _first_line(["systemd-detect-virt"]) if os.path.exists("/usr/bin/systemd-detect-virt") else ""
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": os.cpu_count(), "cpu": cpu, "ram_gib": mem_kb / 1048576.0,
        "kernel": platform.release(), "virt": virt,
        "crawl": _first_line([crawl, "--version"]),
        "wget": _first_line(["wget", "--version"]),
        "wget2": _first_line(["wget2", "--version"]),
        "nginx": _first_line(["nginx", "-v"], "stderr"),
        "libcurl": _first_line(["pkg-config", "--modversion", "libcurl"]),
        "libxml2": _first_line(["pkg-config", "--modversion", "libxml-2.0"]),
        "python": platform.python_version(),
    }


def _s(st, fmt="%.2f", scale=1.0):
    """median (min-max) of a stats dict."""
    if not st:
        return "-"
    med = fmt % (st["median"] * scale)
    if st["n"] == 1:
        return med
    return "%s (%s-%s)" % (med, fmt % (st["min"] * scale), fmt % (st["max"] * scale))


def _mb(st):
    return _s(st, "%.1f", 1.0 / 1024.0)


def _ratio(a, b):
    if not a or not b or not b.get("median"):
        return None
    return a["median"] / b["median"]


def _fmt_ratio(x, suffix="x"):
    return "-" if x is None else "%.2f%s" % (x, suffix)


TOOL_HEAD = ("| tool | wall s | wget / tool | CPU s | nginx CPU s | max RSS MB | tree RSS (PSS) MB | "
             "pages | assets | missing | extra: deeper / fake / other | dup | conns (max open) | max in flight |\n"
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n")


def tool_table(tools, inflight=True):
    rows = [TOOL_HEAD]
    wget = tools.get("wget")
    for name, t in tools.items():
        flags = ""
        if t["killed"]:
            flags = " (killed at time limit)"
        elif any(rc != 0 for rc in t["rc"]) and not name.startswith("wget"):
            flags = " (exit %s)" % t["rc"]
        speed = _fmt_ratio(_ratio(wget["wall"], t["wall"])) if wget else "-"
        rows.append("| `%s`%s | %s | %s | %s | %s | %s | %s (%s) | %d/%d | %d/%d | %d | %d / %d / %d | %d | %s (%d) | %s |\n" % (
            name, flags, _s(t["wall"]), speed, _s(t["cpu"]), _s(t["server_cpu"]), _mb(t["max_rss_kb"]),
            _s(t["tree_rss_kb"], "%.1f", 1 / 1024.0).split(" ")[0], _s(t["tree_pss_kb"], "%.1f", 1 / 1024.0).split(" ")[0],
            t["pages_fetched"]["median"], t["expected_pages"], t["assets_fetched"]["median"], t["expected_assets"],
            t["missing"], t["extra_deeper"], t["extra_fake"], t["extra_other"], t["duplicates"],
            "%d" % t["connections"]["median"], t["max_conns"], t["max_inflight"] if inflight else "-"))
    return "".join(rows)


def extras_notes(tools):
    out = []
    for name, t in tools.items():
        bits = []
        if t["examples_missing"]:
            bits.append("missing e.g. " + ", ".join("`%s`" % u for u in t["examples_missing"]))
        if t["examples_extra"]:
            bits.append("extra e.g. " + ", ".join("`%s`" % u for u in t["examples_extra"]))
        if t["aux"]:
            bits.append("also fetched " + ", ".join("`%s`" % u for u in t["aux"]))
        if t.get("stderr_tail"):
            bits.append("stderr: `%s`" % t["stderr_tail"].strip().splitlines()[-1][:160])
        if bits:
            out.append("- `%s`: %s\n" % (name, "; ".join(bits)))
    return "".join(out)


def targets(res):
    rows = []
    a = res.get("a", {}).get("d3")
    if a:
        t = a["tools"]
        sp = _ratio(t.get("wget", {}).get("wall"), t["crawl -c64"]["wall"])
        rows.append(("(a) 1k pages, 20 ms, depth 3: `crawl -c 64 --per-host 64` vs wget", ">= 15x faster",
                     _fmt_ratio(sp), sp is not None and sp >= 15))
        ob = t["crawl -c64"]["wall"]["median"] / a["bound_s"]
        rows.append(("(a) same crawl: wall / latency bound (%.3f s)" % a["bound_s"], "<= 2x", _fmt_ratio(ob), ob <= 2))
    a2 = res.get("a", {}).get("d2")
    if a2:
        t = a2["tools"]
        sp = _ratio(t.get("wget", {}).get("wall"), t["crawl -c64"]["wall"])
        ob = t["crawl -c64"]["wall"]["median"] / a2["bound_s"]
        rows.append(("(a) depth 2: vs wget / over the bound (%.3f s)" % a2["bound_s"], ">= 15x / <= 2x",
                     "%s / %s" % (_fmt_ratio(sp), _fmt_ratio(ob)), sp is not None and sp >= 15 and ob <= 2))
    b = res.get("b")
    if b and "wget" in b["tools"]:
        # issue 13: <= 0.8x while parsing every page, <= 0.4x with the page set only
        for name, goal in (("crawl", 0.8), ("crawl -c64", 0.8), ("crawl -c64 --no-parse-leaves", 0.4)):
            if name not in b["tools"]:
                continue
            r = _ratio(b["tools"][name]["wall"], b["tools"]["wget"]["wall"])
            rows.append(("(b) %dk pages, no latency, depth 3: `%s` wall / wget wall" % (b["pages"] // 1000, name),
                         "<= %.1fx" % goal, _fmt_ratio(r), r is not None and r <= goal))
    p = res.get("parse")
    if p and 1 in p and 2 in p:
        r = _ratio(p[2]["pages_per_s"], p[1]["pages_per_s"])
        ceil = p["ceiling"]["median"]
        rows.append(("parse pool: pages/s with 2 workers / 1 (a CPU-bound loop: %.2fx meanwhile)" % ceil,
                     ">= 1.7x", _fmt_ratio(r), r is not None and r >= 1.7))
    c = res.get("c")
    if c and c["bytes_per_url"] is not None:
        rows.append(("(c) parent peak RSS per seen URL (%dk vs %dk pages)" % (c["small_pages"] // 1000, c["large_pages"] // 1000),
                     "<= 200 B", "%.0f B" % c["bytes_per_url"], c["bytes_per_url"] <= 200))
    out = ["| target | goal | measured | met |\n|---|---|---|---|\n"]
    for what, goal, got, ok in rows:
        out.append("| %s | %s | %s | %s |\n" % (what, goal, got, "yes" if ok else "**no**"))
    return "".join(out)


def markdown(res, prof):
    m = res["machine"]
    sb, sa = res["scaling_before"], res["scaling_after"]
    out = []
    out.append("# crawl benchmark results\n\n")
    out.append("Produced by `python3 tests/bench/run_bench.py%s` (%s profile) on %s in %.0f s. "
               "Medians over the runs, (min-max) when there was more than one run; see "
               "[README.md](README.md) for what each column means and how it is measured.\n\n"
               % (" --quick" if res["profile"] == "quick" else "", res["profile"], m["date"], res["elapsed_s"]))
    out.append("**Machine**: %d CPUs (%s), %.1f GiB RAM, Linux %s%s. "
               "The same CPU-bound loop in 2 processes at once ran **%.2fx** (%.2f-%.2f) as fast as in 1 before "
               "the benchmark and **%.2fx** (%.2f-%.2f) after: this host does not reliably give two full cores, "
               "so every CPU-bound number below is noisy and 2-process speedups are capped by the host.\n\n"
               % (m["nproc"], m["cpu"], m["ram_gib"], m["kernel"], ", " + m["virt"] if m["virt"] else "",
                  sb["speedup"], sb["min"], sb["max"], sa["speedup"], sa["min"], sa["max"]))
    out.append("**Versions**: %s; %s; %s; %s; libcurl %s; libxml2 %s; Python %s.\n\n"
               % (m["crawl"], m["wget"], m["wget2"], m["nginx"], m["libcurl"], m["libxml2"], m["python"]))
    sites = ", ".join("%s pages = %.0f MB" % (n, b / 1e6) for n, b in res["sites"].items())
    out.append("**Sites** (gen_site.py, seed 7): %s.\n\n" % sites)
    out.append("## Targets\n\n" + targets(res) + "\n")

    if "a" in res:
        out.append("## (a) %s pages, 20 ms per request\n\n" % prof["small"])
        for key in ("d2", "d3"):
            a = res["a"][key]
            t = a["tools"]
            c64 = t["crawl -c64"]
            lat_ok = all(x["latency_ok"] for x in t.values())
            mins = [x["min_request_ms"] for x in t.values() if x["min_request_ms"] is not None]
            out.append("### depth %d: %d expected fetches\n\n" % (a["depth"], a["fetches"]))
            out.append("Latency bound (depth levels x latency + fetches / 64 x latency) = (%d + 1) x 20 ms + %d / 64 x 20 ms "
                       "= **%.3f s**; `crawl -c 64 --per-host 64` took %.3f s = **%.2fx** the bound. "
                       "Its CPU time (all processes) was %.3f s, which the bound does not count, and its requests went "
                       "out at %s/s on average (64 connections at 20 ms allow 3,200/s). "
                       "Delay check: %s (shortest logged request %.1f ms).\n\n"
                       % (a["depth"], a["fetches"], a["bound_s"], c64["wall"]["median"],
                          c64["wall"]["median"] / a["bound_s"], c64["cpu"]["median"],
                          "%.0f" % c64["req_rate"]["median"] if c64.get("req_rate") else "-",
                          "every request took >= 20 ms" if lat_ok else "**some requests were faster than 20 ms**",
                          min(mins) if mins else 0))
            out.append(tool_table(t) + "\n")
            notes = extras_notes(t)
            if notes:
                out.append(notes + "\n")
    if "b" in res:
        b = res["b"]
        out.append("## (b) %s pages, no added latency, depth %d\n\n" % (b["pages"], b["depth"]))
        if b.get("parsed_by_wget") is not None:
            out.append("wget and wget2 look for links only in pages below the depth limit (%d of the %d pages here); "
                       "crawl parses every page, as its records carry the links of pages at the limit too.\n\n"
                       % (b["parsed_by_wget"], b["tools"]["crawl"]["expected_pages"]))
        out.append(tool_table(b["tools"], inflight=False) + "\n")
        out.append("Max in flight is not measurable without added latency (nginx logs times in whole ms).\n\n")
        notes = extras_notes(b["tools"])
        if notes:
            out.append(notes + "\n")
    if "c" in res:
        c = res["c"]
        out.append("## (c) crawl's parent memory (defaults, no latency, depth 3)\n\n")
        out.append("| site | seen URLs | parent peak RSS MB | largest process MB | tree RSS MB | tree PSS MB |\n|---|---|---|---|---|---|\n")
        for label, t, n in (("small", c["small"], c["small_pages"]), ("large", c["large"], c["large_pages"])):
            out.append("| %d pages | %s | %s | %s | %s | %s |\n" % (
                n, t["seen_urls"], _mb(t["parent_hwm_kb"]), _mb(t["max_rss_kb"]), _mb(t["tree_rss_kb"]),
                _mb(t["tree_pss_kb"])))
        if c["bytes_per_url"] is not None:
            out.append("\nBytes per seen URL = (parent peak RSS large - small) / (seen URLs large - small) = "
                       "**%.0f B** over %d more URLs.\n\n" % (c["bytes_per_url"], c["delta_urls"]))
    if "parse" in res:
        p = res["parse"]
        out.append("## Parse throughput: offline crawl of the %s-page site (`crawl -d 99 --workers N DIR`)\n\n" % prof["large"])
        out.append("| workers | pages parsed | pages/s | wall s | CPU s (all processes) | cores used (CPU / wall) | speedup |\n"
                   "|---|---|---|---|---|---|---|\n")
        ws = sorted(k for k in p if k != "ceiling")
        for w in ws:
            sp = _ratio(p[w]["pages_per_s"], p[ws[0]]["pages_per_s"])
            used = p[w]["cpu"]["median"] / p[w]["wall"]["median"]
            out.append("| %s | %s | %s | %s | %s | %.2f | %s |\n" % (w, p[w]["parsed"], _s(p[w]["pages_per_s"], "%.0f"),
                                                                  _s(p[w]["wall"]), _s(p[w]["cpu"]), used, _fmt_ratio(sp)))
        out.append("\nThe CPU-bound loop in 2 processes vs 1, measured before each pair of runs: %sx. "
                   "With one worker the crawl is one busy process, so cores used well below 1 means the host "
                   "gave less than a full CPU.\n\n" % _s(p["ceiling"]))
    cg = res.get("callgrind")
    if cg and cg.get("procs"):
        out.append(callgrind_section(cg))
    return "".join(out)


def callgrind_section(cg):
    pages = max(cg["pages"], 1)
    out = ["## Instructions per page (callgrind, offline crawl of the %s-page site, `--workers 1 --max-pages %d`: %d pages parsed)\n\n"
           % (cg.get("site_pages", "small"), cg.get("max_pages", 0), pages)]
    out.append("| process | function (inclusive) | instructions / page | share of the process |\n|---|---|---|---|\n")
    for pr in cg["procs"]:
        f = pr["funcs"]
        total = max(pr["total"], 1)
        if "worker_main" in f:
            sax = sum(f.get(k, 0) for k in ("html_sax_start", "html_sax_end", "html_sax_text"))
            rows = [("worker", "process total", pr["total"]), ("worker", "`worker_main`", f.get("worker_main", 0)),
                    ("worker", "`html_extract`", f.get("html_extract", 0)),
                    ("worker", "libxml2 `htmlCtxtReadMemory` (the parse, crawl's SAX callbacks included)",
                     f.get("htmlCtxtReadMemory", 0)),
                    ("worker", "crawl's SAX callbacks `html_sax_start/end/text`", sax),
                    ("worker", "`html_extract` outside libxml2 (pre-pass, link list)",
                     f.get("html_extract", 0) - f.get("htmlCtxtReadMemory", 0))]
        else:
            rows = [("parent", "process total (start-up included)", pr["total"]),
                    ("parent", "dynamic linking at start-up (`_dl_start`)", f.get("_dl_start", 0)),
                    ("parent", "`crawl_run`", f.get("crawl_run", 0))]
            for name in ("output_write", "pool_service", "crawl_on_parsed", "crawl_expand", "sched_fill",
                         "fetch_start_file"):
                if name in f:
                    rows.append(("parent", "`%s`" % name, f[name]))
        for proc, what, n in rows:
            out.append("| %s | %s | %s | %.1f%% |\n" % (proc, what, "{:,}".format(n // pages), 100.0 * n / total))
    out.append("\n")
    return "".join(out)
