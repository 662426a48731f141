"""Shared helpers for the crawl end-to-end tests (python3 stdlib only)."""

import argparse
import collections
import json
import os
import socket
import subprocess
import sys
import threading
import urllib.parse

SITES = ("blog", "docs", "messy")

# field -> allowed types (None means JSON null allowed)
RECORD_FIELDS = {
    "url": (str,),
    "final_url": (str,),
    "depth": (int,),
    "parent": (str, None),
    "status": (int, None),
    "content_type": (str, None),
    "bytes": (int,),
    "fetch_ms": (int,),
    "title": (str, None),
    "error": (str, None),
    "reason": (str, None),
    "redirects": (list,),
    "links": (list,),
}
LINK_FIELDS = {
    "url": (str,),
    "tag": (str,),
    "attr": (str,),
    "rel": (str, None),
    "text": (str,),
    "external": (bool,),
    "nofollow": (bool,),
    "unusable": (str, None),
}
REDIRECT_FIELDS = {"url": (str,), "status": (int,)}


def parse_args(description):
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("--crawl", default=None, help="path to the crawl binary")
    ap.add_argument("--root", default=os.path.normpath(os.path.join(here, "..", "..")),
                    help="repository root (holds sample_sites/)")
    ap.add_argument("-v", "--verbose", action="store_true", help="print passing checks too")
    args = ap.parse_args()
    if args.crawl is None:
        args.crawl = os.path.join(args.root, "build", "cli", "crawl")
    args.crawl = os.path.abspath(args.crawl)
    args.root = os.path.abspath(args.root)
    if not os.access(args.crawl, os.X_OK):
        print("FAIL: crawl binary not found or not executable: %s" % args.crawl)
        print("0 passed, 1 failed")
        sys.exit(1)
    return args


class Checker:
    """Counts checks; prints every failure with its details."""

    def __init__(self, verbose=False):
        self.passed = 0
        self.failed = 0
        self.verbose = verbose

    def check(self, cond, what, detail=None):
        if cond:
            self.passed += 1
            if self.verbose:
                print("ok: %s" % what)
        else:
            self.failed += 1
            print("FAIL: %s" % what)
            if detail:
                for line in str(detail).rstrip("\n").split("\n"):
                    print("      %s" % line)
        sys.stdout.flush()
        return bool(cond)

    def eq(self, got, want, what):
        return self.check(got == want, what, "got:  %r\nwant: %r" % (got, want))

    def set_eq(self, got, want, what):
        got, want = set(got), set(want)
        missing = sorted(want - got)
        extra = sorted(got - want)
        detail = ""
        if missing:
            detail += "missing: %s\n" % ", ".join(map(_fmt, missing))
        if extra:
            detail += "unexpected: %s\n" % ", ".join(map(_fmt, extra))
        return self.check(not missing and not extra, what, detail)

    def multiset_eq(self, got, want, what):
        g, w = collections.Counter(got), collections.Counter(want)
        missing = sorted((w - g).elements(), key=repr)
        extra = sorted((g - w).elements(), key=repr)
        detail = ""
        if missing:
            detail += "missing:\n" + "".join("  %r\n" % (m,) for m in missing)
        if extra:
            detail += "unexpected:\n" + "".join("  %r\n" % (e,) for e in extra)
        return self.check(not missing and not extra, what, detail)

    def finish(self):
        print("%d passed, %d failed" % (self.passed, self.failed))
        return 0 if self.failed == 0 else 1


def _fmt(x):
    if isinstance(x, tuple):
        return " ".join(str(i) for i in x)
    return str(x)


class CrawlResult:
    def __init__(self, cmd, rc, out, err, timed_out):
        self.cmd = cmd
        self.rc = rc
        self.out = out  # bytes
        self.err = err  # str (decoded with replacement)
        self.timed_out = timed_out
        self.records = []
        self.bad_lines = []  # (line number, reason, raw bytes)
        lines = out.split(b"\n")
        if lines and lines[-1] == b"":
            lines.pop()
        for i, raw in enumerate(lines, 1):
            try:
                text = raw.decode("utf-8")  # strict
            except UnicodeDecodeError as e:
                self.bad_lines.append((i, "invalid UTF-8: %s" % e, raw))
                continue
            try:
                obj = json.loads(text)
            except ValueError as e:
                self.bad_lines.append((i, "not JSON: %s" % e, raw))
                continue
            if not isinstance(obj, dict):
                self.bad_lines.append((i, "not a JSON object", raw))
                continue
            self.records.append(obj)

    def by_url(self):
        return {r.get("url"): r for r in self.records}

    def describe(self):
        return "command: %s\nexit: %s%s\nstderr (tail): %s" % (
            " ".join(self.cmd), self.rc, " (TIMED OUT)" if self.timed_out else "",
            self.err[-1500:])


def run_crawl(crawl, args, timeout=60, cwd=None):
    cmd = [crawl] + [str(a) for a in args]
    try:
        p = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=timeout, cwd=cwd)
        return CrawlResult(cmd, p.returncode, p.stdout, p.stderr.decode("utf-8", "replace"), False)
    except subprocess.TimeoutExpired as e:
        return CrawlResult(cmd, None, e.stdout or b"", (e.stderr or b"").decode("utf-8", "replace"),
                           True)


def check_run_ok(c, res, what):
    """Exit 0, no timeout, every stdout line is a JSON object."""
    ok = c.check(not res.timed_out and res.rc == 0, "%s: exit status 0" % what, res.describe())
    bad = "".join("line %d: %s: %r\n" % (n, why, raw[:300]) for n, why, raw in res.bad_lines[:10])
    ok &= c.check(not res.bad_lines, "%s: every stdout line is a UTF-8 JSON object" % what, bad)
    return ok


def _type_ok(value, allowed):
    for t in allowed:
        if t is None and value is None:
            return True
        if t is int and isinstance(value, int) and not isinstance(value, bool):
            return True
        if t is not None and t is not int and isinstance(value, t):
            return True
    return False


def _schema_errors(obj, fields, where):
    errs = []
    for name, allowed in fields.items():
        if name not in obj:
            errs.append("%s: field %r missing" % (where, name))
        elif not _type_ok(obj[name], allowed):
            errs.append("%s: field %r has wrong type: %r" % (where, name, obj[name]))
    return errs


def check_records(c, res, what, max_depth=None):
    """Schema of every record + the structural invariants of the output."""
    errs = []
    for i, r in enumerate(res.records):
        where = "record %d (%s)" % (i + 1, r.get("url"))
        e = _schema_errors(r, RECORD_FIELDS, where)
        errs += e
        if e:
            continue
        for j, l in enumerate(r["links"]):
            if not isinstance(l, dict):
                errs.append("%s: links[%d] is not an object" % (where, j))
            else:
                errs += _schema_errors(l, LINK_FIELDS, "%s links[%d]" % (where, j))
        for j, h in enumerate(r["redirects"]):
            if not isinstance(h, dict):
                errs.append("%s: redirects[%d] is not an object" % (where, j))
            else:
                errs += _schema_errors(h, REDIRECT_FIELDS, "%s redirects[%d]" % (where, j))
        if r["bytes"] < 0 or r["fetch_ms"] < 0 or r["depth"] < 0:
            errs.append("%s: negative bytes/fetch_ms/depth" % where)
    c.check(not errs, "%s: every record has all fields with the right types" % what,
            "\n".join(errs[:20]))
    if errs:
        return False

    counts = collections.Counter(r["url"] for r in res.records)
    dups = sorted(u for u, n in counts.items() if n > 1)
    c.check(not dups, "%s: no URL appears in two records" % what, "duplicated: %s" % dups)

    byurl = res.by_url()
    errs = []
    for r in res.records:
        u = r["url"]
        if (r["depth"] == 0) != (r["parent"] is None):
            errs.append("%s: depth %d but parent %r" % (u, r["depth"], r["parent"]))
        if r["parent"] is not None:
            p = byurl.get(r["parent"])
            if p is None:
                errs.append("%s: parent %s has no record" % (u, r["parent"]))
            else:
                if p["depth"] != r["depth"] - 1:
                    errs.append("%s (depth %d): parent %s has depth %d" % (
                        u, r["depth"], r["parent"], p["depth"]))
                if not any(l["url"] == u for l in p["links"]):
                    errs.append("%s: parent %s does not list it among its links" % (
                        u, r["parent"]))
        if not r["redirects"] and r["final_url"] != u:
            errs.append("%s: final_url %s differs but redirects is empty" % (u, r["final_url"]))
        if r["redirects"] and r["redirects"][0]["url"] != u:
            errs.append("%s: first redirect hop is %s" % (u, r["redirects"][0]["url"]))
        if max_depth is not None and r["depth"] > max_depth:
            errs.append("%s: depth %d beyond --depth %d" % (u, r["depth"], max_depth))
    c.check(not errs, "%s: depth/parent/redirect invariants hold" % what, "\n".join(errs[:20]))
    return True


def load_expected(root, site, depth):
    path = os.path.join(root, "sample_sites", site, "expected", "depth%d.txt" % depth)
    out = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line.strip():
                continue
            d, p = line.split(" ", 1)
            out.append((int(d), p))
    return out


def fold_index(path):
    """Offline, a directory and its index.html are one record: the
    directory's."""
    return path[:-len("index.html")] if path.endswith("/index.html") else path


def load_folded(root, site, depth):
    """The expected (depth, path) set of an offline crawl: a directory and
    its index.html are one record, at the shorter depth."""
    best = {}
    for d, p in load_expected(root, site, depth):
        p = fold_index(p)
        best[p] = min(d, best.get(p, d))
    return [(d, p) for p, d in best.items()]


def rel_set(c, res, prefix, what):
    """{(depth, '/relative/path')} of the records; URLs outside prefix fail."""
    out = set()
    outside = []
    for r in res.records:
        u = r.get("url")
        if isinstance(u, str) and u.startswith(prefix):
            out.add((r.get("depth"), "/" + u[len(prefix):]))
        else:
            outside.append(u)
    c.check(not outside, "%s: every record URL is inside %s" % (what, prefix),
            "outside: %s" % outside[:10])
    return out


def file_dir_url(path):
    """Canonical file:// URL of a directory (with trailing slash)."""
    real = os.path.realpath(path)
    return "file://" + urllib.parse.quote(real.rstrip("/") + "/", safe="/~-._")


def link_tuples(rec, prefix=None):
    """Links as (url, tag, attr, rel, external); url made relative to prefix
    ('/path') when it starts with it."""
    out = []
    for l in rec["links"]:
        u = l["url"]
        if prefix and u.startswith(prefix):
            u = "/" + u[len(prefix):]
        out.append((u, l["tag"], l["attr"], l["rel"], l["external"]))
    return out


class ThreadedSite:
    """A scripted server (self.srv, a socketserver) served on a thread for
    the length of a with block; subclasses set srv, and host/scheme when not
    http on 127.0.0.1."""
    scheme = "http"
    host = "127.0.0.1"

    def __enter__(self):
        threading.Thread(target=self.srv.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.srv.shutdown()
        self.srv.server_close()

    def url(self, path="/"):
        return "%s://%s:%d%s" % (self.scheme, self.host, self.srv.server_address[1], path)


def proc_stat(pid):
    """(comm, state, ppid) of pid, or None when it does not exist."""
    try:
        with open("/proc/%d/stat" % pid, "rb") as f:
            data = f.read().decode("utf-8", "replace")
    except OSError:
        return None
    # comm is in parentheses and may contain spaces or ')'
    lp, rp = data.find("("), data.rfind(")")
    rest = data[rp + 2:].split()
    return data[lp + 1:rp], rest[0], int(rest[1])


def free_port(host):
    """A port nothing listens on at host (bound, then released)."""
    s = socket.socket()
    s.bind((host, 0))
    port = s.getsockname()[1]
    s.close()
    return port


def write_sections_site(root, n_sections, n_leaves, html, home_links=()):
    """/ -> home_links and /s<i>.html; /s<i>.html -> /s<i>/p<j>.html. Every
    page has exactly one parent at the shortest depth (so `parent` is the
    same in every run); the other links go back up and are never shorter.
    html(title, links) makes a page."""
    with open(os.path.join(root, "index.html"), "w") as f:
        f.write(html("home", list(home_links) + ["/s%d.html" % i for i in range(n_sections)]))
    for i in range(n_sections):
        os.makedirs(os.path.join(root, "s%d" % i))
        with open(os.path.join(root, "s%d.html" % i), "w") as f:
            f.write(html("section %d" % i, ["/"] + ["/s%d/p%d.html" % (i, j)
                                                    for j in range(n_leaves)]))
        for j in range(n_leaves):
            with open(os.path.join(root, "s%d" % i, "p%d.html" % j), "w") as f:
                f.write(html("page %d.%d" % (i, j),
                             ["/", "/s%d.html" % i, "/s%d/p%d.html" % (i, (j + 1) % n_leaves)]))
