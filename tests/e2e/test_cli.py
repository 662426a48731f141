#!/usr/bin/env python3
"""Command-line behaviour of crawl: --help, --version, usage errors (exit 2),
unreachable start URL, -o, -q, -v, --user-agent, several start URLs."""

import os
import re
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e2elib import (Checker, CrawlResult, check_records, check_run_ok,  # noqa: E402
                    file_dir_url, load_expected, parse_args, rel_set, run_crawl)
from httpserver import TestServer  # noqa: E402

# option spellings that --help must mention, and the default it must state
# (None: the spec gives no fixed default to look for)
HELP_OPTIONS = [
    (["-d", "--depth"], "2"),
    (["-c", "--concurrency"], "16"),
    (["--per-host"], "4"),
    (["--workers"], None),
    (["--max-pages"], "0"),
    (["--max-size"], None),
    (["--timeout"], None),
    (["-o", "--output"], None),
    (["-q", "--quiet"], None),
    (["-v", "--verbose"], None),
    (["--user-agent"], None),
    (["--version"], None),
    (["-h", "--help"], None),
]


def help_block(text, opt):
    """The help line(s) describing `opt`: from the line that names it up to
    the next line that starts with an option."""
    lines = text.split("\n")
    pat = re.compile(r"(?<![\w-])%s(?![\w-])" % re.escape(opt))
    for i, line in enumerate(lines):
        if pat.search(line):
            block = [line]
            for nxt in lines[i + 1:]:
                if re.match(r"\s*-", nxt) or not nxt.strip():
                    break
                block.append(nxt)
            return "\n".join(block)
    return None


def main():
    args = parse_args(__doc__)
    c = Checker(args.verbose)
    blog = os.path.join(args.root, "sample_sites", "blog")
    tmp = tempfile.mkdtemp(prefix="crawl-e2e-cli-")
    try:
        # --help
        res = run_crawl(args.crawl, ["--help"], timeout=10)
        c.eq(res.rc, 0, "--help exits 0")
        text = res.out.decode("utf-8", "replace") + "\n" + res.err
        for spellings, default in HELP_OPTIONS:
            for opt in spellings:
                c.check(help_block(text, opt) is not None, "--help mentions %s" % opt)
            if default is not None:
                block = help_block(text, spellings[-1]) or ""
                c.check(re.search(r"(?<![\w.])%s(?![\w.])" % default, block),
                        "--help states the default %s of %s" % (default, spellings[-1]),
                        "help text for it: %r" % block)
        block = help_block(text, "--workers") or ""
        c.check(re.search(r"cpu|processor|core", block, re.I),
                "--help states the default of --workers (online CPUs)", repr(block))
        c.eq(run_crawl(args.crawl, ["-h"], timeout=10).rc, 0, "-h exits 0")

        # --version
        res = run_crawl(args.crawl, ["--version"], timeout=10)
        c.eq(res.rc, 0, "--version exits 0")
        c.check(re.search(rb"\d+\.\d+(\.\d+)?", res.out), "--version prints a version number",
                "stdout: %r" % res.out[:200])

        # usage errors: exit 2, a one-line reason then the usage on stderr,
        # nothing on stdout
        bad = [
            ["--depth", "-1", blog],
            ["-d", "-1", blog],
            ["--depth", "x", blog],
            ["--workers", "0", blog],
            ["--bogus", blog],
            ["ftp://x/"],
            ["gopher://127.0.0.1/"],
            [os.path.join(tmp, "does-not-exist")],
            ["--concurrency", "0", blog],
            ["--per-host", "0", blog],
            [],
            ["--depth"],
        ]
        for argv in bad:
            what = "crawl %s" % " ".join(argv) if argv else "crawl (no start URL)"
            res = run_crawl(args.crawl, argv, timeout=10)
            c.eq(res.rc, 2, "%s: exit status 2" % what)
            c.eq(res.out, b"", "%s: stdout stays empty" % what)
            lines = [l for l in res.err.split("\n") if l.strip()]
            c.check(lines and not re.match(r"\s*usage", lines[0], re.I),
                    "%s: stderr starts with a one-line reason" % what, "stderr: %r" % res.err)
            c.check(re.search(r"usage", res.err, re.I), "%s: stderr shows the usage" % what,
                    "stderr: %r" % res.err)

        # unreachable start URL: a record, a message that says so, and exit
        # status 4 (wget's network failure) since nothing could be fetched
        what = "unreachable http://127.0.0.1:1/"
        res = run_crawl(args.crawl, ["--timeout", "10", "http://127.0.0.1:1/"], timeout=30)
        c.eq(res.rc, 4, "%s: exit status 4" % what)
        c.check("could not connect" in res.err and "disallowed" not in res.err,
                "%s: stderr says the host could not be reached" % what, res.err)
        res.rc = 0 if res.rc == 4 else res.rc
        if check_run_ok(c, res, what):
            check_records(c, res, what)
            c.eq(len(res.records), 1, "%s: exactly one record" % what)
            if res.records:
                r = res.records[0]
                c.eq((r["url"], r["depth"], r["parent"], r["status"], r["error"]),
                     ("http://127.0.0.1:1/", 0, None, None, "connect"),
                     "%s: (url, depth, parent, status, error)" % what)
                c.eq(r["links"], [], "%s: no links" % what)

        # one reachable start among unreachable ones: exit 0
        res = run_crawl(args.crawl, ["-d", "0", "http://127.0.0.1:1/", blog + "/"], timeout=30)
        c.eq(res.rc, 0, "one start reachable of two: exit status 0")
        # a bare host name is taken as http://
        res = run_crawl(args.crawl, ["-d", "0", "--timeout", "10", "localhost:1"], timeout=30)
        c.check(res.rc == 4 and b'"url":"http://localhost:1/"' in res.out and
                "crawling http://localhost:1/" in res.err,
                "a bare host name: crawled as http://, with a note", res.describe())
        # an output written at the end is checked before the crawl
        res = run_crawl(args.crawl, ["--stats-json", "/nonexistent/dir/s.json", blog + "/"],
                        timeout=30)
        c.check(res.rc == 1 and not res.out and "--stats-json" in res.err,
                "--stats-json into a missing directory: refused before crawling", res.describe())

        # -o FILE: records go to the file, nothing to stdout
        out = os.path.join(tmp, "out.jsonl")
        what = "-o FILE"
        res = run_crawl(args.crawl, ["--depth", "1", "-o", out, blog + "/"], timeout=30)
        c.eq(res.rc, 0, "%s: exit status 0" % what)
        c.eq(res.out, b"", "%s: nothing on stdout" % what)
        if c.check(os.path.exists(out), "%s: the file was written" % what):
            with open(out, "rb") as f:
                data = f.read()
            fres = CrawlResult(res.cmd, 0, data, "", False)
            check_run_ok(c, fres, what + " (file contents)")
            check_records(c, fres, what, max_depth=1)
            c.set_eq(rel_set(c, fres, file_dir_url(blog), what), load_expected(args.root, "blog", 1),
                     "%s: the file holds the expected records" % what)
        res = run_crawl(args.crawl, ["--depth", "0", "--output", out, blog + "/"], timeout=30)
        c.eq(res.rc, 0, "--output FILE (overwrite): exit status 0")
        with open(out, "rb") as f:
            c.eq(len([l for l in f.read().split(b"\n") if l.strip()]), 1,
                 "--output FILE: an existing file is replaced, not appended to")
        res = run_crawl(args.crawl, ["-o", os.path.join(tmp, "no", "such", "dir", "x.jsonl"),
                                     blog + "/"], timeout=30)
        c.eq(res.rc, 1, "-o into a missing directory: exit status 1")

        if os.path.exists("/dev/full"):
            res = run_crawl(args.crawl, ["-o", "/dev/full", "--depth", "3",
                                         os.path.join(args.root, "sample_sites", "docs") + "/"],
                            timeout=30)
            c.eq(res.rc, 1, "-o /dev/full: output cannot be written, exit status 1")

        # -q: a clean crawl prints nothing on stderr; default prints a summary
        res = run_crawl(args.crawl, ["-q", "--depth", "1", blog + "/"], timeout=30)
        c.eq(res.rc, 0, "-q: exit status 0")
        c.eq(res.err, "", "-q: nothing on stderr for a clean crawl")
        c.check(len(res.records) == 6, "-q: records still on stdout", "%d records" % len(res.records))
        res = run_crawl(args.crawl, ["--quiet", "--depth", "1", blog + "/"], timeout=30)
        c.eq(res.err, "", "--quiet: nothing on stderr for a clean crawl")
        plain = run_crawl(args.crawl, ["--depth", "1", blog + "/"], timeout=30)
        c.check(plain.err.strip(), "default verbosity: a summary line on stderr",
                "stderr: %r" % plain.err)
        verbose = run_crawl(args.crawl, ["-v", "--depth", "1", blog + "/"], timeout=30)
        c.eq(verbose.rc, 0, "-v: exit status 0")
        c.check(len(verbose.err.splitlines()) > len(plain.err.splitlines()),
                "-v: more log lines on stderr than the default",
                "default %d lines, -v %d lines" % (len(plain.err.splitlines()),
                                                   len(verbose.err.splitlines())))
        c.eq(verbose.out.count(b"\n"), plain.out.count(b"\n"),
             "-v: same number of records on stdout")

        # --depth 0 and several start URLs
        docs = os.path.join(args.root, "sample_sites", "docs")
        what = "--depth 0 with two start directories"
        res = run_crawl(args.crawl, ["--depth", "0", blog + "/", docs + "/"], timeout=30)
        if check_run_ok(c, res, what):
            check_records(c, res, what, max_depth=0)
            c.set_eq([(r["url"], r["depth"], r["parent"]) for r in res.records],
                     [(file_dir_url(blog), 0, None), (file_dir_url(docs), 0, None)],
                     "%s: one depth-0 record per start" % what)
            c.check(all(r["links"] for r in res.records),
                    "%s: start pages are parsed (links listed)" % what)

        # --user-agent, and the default one names crawl
        with TestServer(blog) as srv:
            ua = "e2e-agent/1.0 (test)"
            res = run_crawl(args.crawl, ["--user-agent", ua, "--depth", "1", srv.url("/")],
                            timeout=30)
            c.eq(res.rc, 0, "--user-agent: exit status 0")
            agents = {e.user_agent for e in srv.requests()}
            c.eq(agents, {ua}, "--user-agent: every request carries it")
            srv.reset_stats()
            res = run_crawl(args.crawl, ["--depth", "0", srv.url("/")], timeout=30)
            agents = {e.user_agent for e in srv.requests()}
            c.check(len(agents) == 1 and "crawl" in (agents.pop() or "").lower(),
                    "default User-Agent mentions crawl",
                    repr({e.user_agent for e in srv.requests()}))
            srv.reset_stats()
            res = run_crawl(args.crawl, ["--depth", "1", "--per-host", "1", "-c", "1",
                                         "--workers", "1", srv.url("/")], timeout=30)
            c.eq(res.rc, 0, "-c 1 --per-host 1 --workers 1: exit status 0")
            c.eq(len(res.records), 6, "-c 1 --per-host 1 --workers 1: all records")
            c.check(srv.max_inflight <= 1, "-c 1: one request at a time",
                    "max in flight %d" % srv.max_inflight)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return c.finish()


if __name__ == "__main__":
    sys.exit(main())
