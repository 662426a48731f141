#!/usr/bin/env python3
"""Instructions per page of the worker's parse next to the bare libxml2 pass.

    python3 tests/bench/bench_parse.py [--bench build/tests/bench/bench_parse]
                                       [--reps 10] [--kb 36] [--top 15] [--json FILE]

Writes one deterministic, realistic HTML page of --kb KB (~100 links; see
make_page), then runs build/tests/bench/bench_parse under
`valgrind --tool=callgrind` in five modes over those bytes:

  worker  what a parse worker does per page between reading a job frame and
          writing its answer (worker_main_answer: decoding, clean-up, the
          events -- html_fast's tokenizer where it takes the page, libxml2's
          SAX pass where it declines -- links resolved, the reply frame built);
  leaf    the same for a page at the depth limit written as JSON Lines: the
          worker also classifies the links and renders the record's links
          array (crawler/linkflags.c), which the parent then only copies;
  libxml2 html_parser_run forced to libxml2 (a page html_fast declines), no
          frames;
  bare    libxml2's htmlCtxtReadMemory with an all-NULL SAX handler, same
          options and encoding: the floor;
  noop    the same with no-op element/text callbacks (libxml2 delivers every
          event, nobody looks at it).

Each mode runs twice, with 1 and 1 + --reps repetitions; instructions per
page = (Ir(1 + reps) - Ir(1)) / reps, so process start-up and libxml2's
one-time initialisation cancel out. Instruction counts do not depend on the
machine's load, so one run is enough. Not a test: prints a table (and with
--top the worker's hottest functions, self cost) and exits 0; 1 only when
valgrind or the binary is missing.
"""

import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen_site  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BASE = "http://bench.test:8080"


def make_page(kb, seed=13):
    """A topic page (tree level 2) of gen_site's 20,000-page layout, sized to
    kb KB with gen_site's filler blocks: head (4 stylesheets, canonical,
    inline style and script), navigation to 27 sections, breadcrumb, a table
    of ~25 children in every link spelling, a table of contents, related
    pages, a footer with off-site/mailto:/javascript:/tel: links; about 100
    links in all, plus gen_site's fake links in comments, scripts and
    escaped text. Returns (path, bytes)."""
    site = gen_site.Site(20000, seed, BASE)
    pw = gen_site.PageWriter(site, gen_site.make_fillers(seed))
    pid = site.ids_at(2)[len(site.ids_at(2)) // 3]
    path = site.paths[pid]
    rng = random.Random(seed * 1000003 + pid)
    title = "Page %d &mdash; %s %s" % (pid, rng.choice(gen_site.WORDS), rng.choice(gen_site.WORDS))
    top = [pw.head(path, title, rng), '<body class="p%d" id="top">\n' % pid, pw.nav(path, pid),
           pw.breadcrumb(pid), "<main>\n<h1>%s</h1>\n" % title, pw.children_table(pid, rng)]
    bottom = [pw.related(pid, rng), pw.toc(pid), "</main>\n", pw.footer(path, pid), "</body>\n</html>\n"]
    return path, gen_site.assemble(top, bottom, kb * 1024, pw.fillers, rng)


def callgrind_ir(argv, keep=None):
    """Total Ir of one run of argv under callgrind (and the out file kept as keep)."""
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "cg.out")
        subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=" + out] + argv,
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        with open(out) as f:
            text = f.read()
        if keep:
            shutil.copy(out, keep)
    m = re.search(r"^(?:summary|totals): (\d+)", text, re.M)
    if not m:
        raise SystemExit("bench_parse: no total in callgrind output")
    return int(m.group(1))


def top_functions(cgfile, n):
    """The n functions with the most self Ir, as (Ir, name)."""
    a = subprocess.run(["callgrind_annotate", "--threshold=100", cgfile], check=True,
                       capture_output=True, text=True).stdout
    rows = []
    for line in a.splitlines():
        m = re.match(r"\s*([\d,]+)\s+(?:\([^)]*\)\s+)?(\S.*)$", line)
        if m and ":" in m.group(2) and not m.group(2).startswith("PROGRAM"):
            rows.append((int(m.group(1).replace(",", "")), m.group(2).split()[0]))
    return rows[:n]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    ap.add_argument("--bench", default=os.path.join(ROOT, "build", "tests", "bench", "bench_parse"))
    ap.add_argument("--reps", type=int, default=10, help="extra repetitions measured [10]")
    ap.add_argument("--kb", type=int, default=36, help="page size in KB [36]")
    ap.add_argument("--top", type=int, default=15, help="hottest worker functions listed [15]")
    ap.add_argument("--page-out", help="also write the page here")
    ap.add_argument("--json", help="write the figures here as JSON")
    args = ap.parse_args()
    if not shutil.which("valgrind"):
        print("bench_parse: valgrind is missing (apt-get install valgrind)", file=sys.stderr)
        return 1
    if not os.access(args.bench, os.X_OK):
        print("bench_parse: %s not built (cmake --build build)" % args.bench, file=sys.stderr)
        return 1

    path, page = make_page(args.kb)
    nlinks = len(re.findall(rb"<(?:a|link)\s", page, re.I))
    res = {"page_bytes": len(page), "page_url": BASE + path, "a_and_link_tags": nlinks,
           "reps": args.reps, "ir_per_page": {}}
    with tempfile.TemporaryDirectory() as tmp:
        fn = os.path.join(tmp, "page.html")
        with open(fn, "wb") as f:
            f.write(page)
        if args.page_out:
            shutil.copy(fn, args.page_out)
        cg = os.path.join(tmp, "worker.cg")
        for mode in ("bare", "noop", "libxml2", "worker", "leaf"):
            argv = [args.bench, mode, fn]
            one = callgrind_ir(argv + ["1", BASE + path])
            many = callgrind_ir(argv + [str(1 + args.reps), BASE + path],
                                keep=cg if mode == "worker" else None)
            res["ir_per_page"][mode] = (many - one) / args.reps
        tops = top_functions(cg, args.top) if args.top and shutil.which("callgrind_annotate") else []

    ir = res["ir_per_page"]
    res["worker_over_bare"] = ir["worker"] / ir["bare"]
    res["worker_over_noop"] = ir["worker"] / ir["noop"]
    res["leaf_over_bare"] = ir["leaf"] / ir["bare"]
    res["libxml2_over_bare"] = ir["libxml2"] / ir["bare"]
    print("page: %d bytes, %d <a>/<link> tags (%s)" % (len(page), nlinks, res["page_url"]))
    print("%-8s %14s %10s" % ("mode", "Ir per page", "x bare"))
    for mode in ("bare", "noop", "libxml2", "worker", "leaf"):
        print("%-8s %14.0f %10.3f" % (mode, ir[mode], ir[mode] / ir["bare"]))
    if tops:
        print("\nworker run (1 + %d pages), most self Ir:" % args.reps)
        for n, name in tops:
            print("%14s  %s" % ("{:,}".format(n), name))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(res, f, indent=1, sort_keys=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
