#!/usr/bin/env python3
"""valgrind memcheck on real crawls of the sample sites (offline and over
HTTP): no errors and nothing definitely lost, in the parent and in every
parser worker (valgrind follows the forked workers). Skipped, saying so,
when valgrind is not installed."""

import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e2elib import Checker, load_expected, load_folded, parse_args  # noqa: E402
from httpserver import TestServer  # noqa: E402


def memcheck(c, crawl, args, what, expect_records):
    logdir = tempfile.mkdtemp(prefix="crawl-vg-")
    try:
        cmd = ["valgrind", "--leak-check=full", "--errors-for-leak-kinds=definite",
               "--error-exitcode=99", "--log-file=%s/vg.%%p.log" % logdir,
               crawl, "-q", "--workers", "2"] + args
        p = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=240)
        c.check(p.returncode == 0, "%s: exit 0 under valgrind" % what,
                "rc=%s stderr=%s" % (p.returncode, p.stderr.decode("utf-8", "replace")[-800:]))
        lines = p.stdout.decode("utf-8", "replace").splitlines()
        c.eq(len(lines), expect_records, "%s: records written under valgrind" % what)
        logs = glob.glob(os.path.join(logdir, "vg.*.log"))
        # the parent plus two workers
        c.check(len(logs) >= 3, "%s: parent and workers were checked" % what,
                "%d valgrind logs" % len(logs))
        for log in logs:
            text = open(log, encoding="utf-8", errors="replace").read()
            m = re.search(r"ERROR SUMMARY: (\d+) errors", text)
            c.check(m is not None and m.group(1) == "0",
                    "%s: %s: 0 memcheck errors" % (what, os.path.basename(log)), text[-3000:])
            m = re.search(r"definitely lost: ([\d,]+) bytes", text)
            lost = int(m.group(1).replace(",", "")) if m else 0
            c.eq(lost, 0, "%s: %s: bytes definitely lost" % (what, os.path.basename(log)))
    finally:
        shutil.rmtree(logdir, ignore_errors=True)


def main():
    args = parse_args(__doc__)
    c = Checker(args.verbose)
    if not shutil.which("valgrind"):
        print("SKIP: valgrind not installed; memcheck not run")
        print("0 passed, 0 failed, 1 skipped")
        return 0
    # Offline a directory and its index.html are one record (load_folded);
    # over HTTP they are two URLs (load_expected).
    for site in ("messy", "blog"):
        memcheck(c, args.crawl, ["--depth", "3", os.path.join(args.root, "sample_sites", site)],
                 "file %s" % site, len(load_folded(args.root, site, 3)))
    with TestServer(os.path.join(args.root, "sample_sites", "docs")) as srv:
        memcheck(c, args.crawl, ["--depth", "3", srv.url("/")], "http docs",
                 len(load_expected(args.root, "docs", 3)))
    return c.finish()


if __name__ == "__main__":
    sys.exit(main())
