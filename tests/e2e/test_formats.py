#!/usr/bin/env python3
"""Output formats (-f jsonl, edges, dot, graphml, sitemap, sqlite, broken),
--sort, .gz and write failures, each checked by a real consumer: json, csv,
Graphviz's dot, networkx, xmllint, python's sqlite3 and the sqlite3 CLI.
The crawls run over the local HTTP server (sample_sites/docs and a
generated site full of hostile bytes) and offline."""

import collections
import csv
import gzip
import io
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e2elib import Checker, check_records, check_run_ok, parse_args, run_crawl  # noqa: E402
from httpserver import TestServer, page, redirect  # noqa: E402

FORMATS = ("jsonl", "edges", "dot", "graphml", "sitemap", "sqlite", "broken")
EDGES_HEADER = ["source", "target", "tag", "attr", "rel", "text", "external", "depth", "status",
                "count"]
BROKEN_HEADER = ["source", "target", "tag", "failure"]
SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
SVG_NS = "{http://www.w3.org/2000/svg}"
CONSUMERS = {"dot": "graphviz", "xmllint": "libxml2-utils", "sqlite3": "sqlite3"}


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


def read(path):
    with open(path, "rb") as f:
        return f.read()


def tool(c, name, argv, what, stdin=None):
    """Run a consumer; a missing one is a failure that says what to install."""
    if not shutil.which(name):
        c.check(False, "%s: %s is installed" % (what, name),
                "apt-get install %s (CI installs it via .ci/run)" % CONSUMERS.get(name, name))
        return None
    return subprocess.run(argv, input=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          timeout=120)


def networkx_module(c, what):
    try:
        import networkx
        return networkx
    except ImportError:
        c.check(False, "%s: networkx is installed" % what,
                "apt-get install python3-networkx (CI installs it via .ci/run)")
        return None


def crawl_to(c, args, fmt, out, start, extra, what, timeout=120):
    """Crawl with -f fmt -o out; True when it exited 0."""
    res = run_crawl(args.crawl, ["-q", "-f", fmt, "-o", out] + extra + [start], timeout=timeout)
    return c.check(not res.timed_out and res.rc == 0, "%s: -f %s exits 0" % (what, fmt),
                   res.describe())


# --- what each format must hold, derived from the JSONL records ----------

def xml_clean(s):
    """s without the characters XML 1.0 forbids (the writers drop them)."""
    return "".join(ch for ch in s if ch in "\t\n\r" or (ord(ch) >= 0x20 and ch not in
                                                          "\ufffe\uffff"))


def failed(rec):
    return rec["error"] is not None or (rec["status"] or 0) >= 400


def pairs(rec):
    """[(first link, count)] per target of rec, in first-link order: the
    edges of the graph formats (one per (page, target) pair)."""
    first, count = {}, collections.Counter(l["url"] for l in rec["links"])
    for l in rec["links"]:
        first.setdefault(l["url"], l)
    return [(l, count[u]) for u, l in first.items()]


def npairs(records):
    return sum(len(pairs(r)) for r in records)


def want_edges(records):
    return [(r["url"], l["url"], l["tag"], l["attr"], l["rel"] or "", l["text"],
             "true" if l["external"] else "false", str(r["depth"]), str(n))
            for r in records for l, n in pairs(r)]


def want_nodes(records):
    return {r["url"] for r in records} | {l["url"] for r in records for l in r["links"]}


def want_broken(records):
    by = {r["url"]: r for r in records}
    out = []
    for r in records:
        for l in r["links"]:
            t = by.get(l["url"])
            if t and not l["external"] and failed(t):
                out.append((r["url"], l["url"], l["tag"], t["error"] or str(t["status"])))
    return out


def want_sitemap(records):
    return {r["final_url"] for r in records
            if r["status"] == 200 and r["error"] is None
            and r["content_type"] in ("text/html", "application/xhtml+xml")}


def parse_csv(c, data, header, what):
    try:
        rows = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
    except (UnicodeDecodeError, csv.Error) as e:
        c.check(False, "%s: parses as UTF-8 CSV" % what, str(e))
        return None
    c.check(rows and rows[0] == header, "%s: header row" % what, repr(rows[:1]))
    return rows[1:]


# --- the checks of each format --------------------------------------------

def check_edges(c, data, records, what, all_status):
    rows = parse_csv(c, data, EDGES_HEADER, what)
    if rows is None:
        return
    c.multiset_eq([tuple(r[:8]) + tuple(r[9:]) for r in rows], want_edges(records),
                  "%s: one edge row per (page, target), its first link, with a count" % what)
    status = {r["url"]: r["status"] for r in records if r["status"] is not None}
    bad = [r for r in rows if r[8] and r[8] != str(status.get(r[1]))]
    c.eq(bad, [], "%s: a status given is the target's" % what)
    if all_status:
        missing = [r for r in rows if not r[8] and r[1] in status]
        c.eq(missing, [], "%s: with --sort every known target status is given" % what)


def check_dot(c, path, records, what):
    p = tool(c, "dot", ["dot", "-Tsvg", path], what)
    if p is None:
        return
    if not c.check(p.returncode == 0, "%s: dot -Tsvg accepts it" % what, p.stderr.decode()):
        return
    c.eq(p.stderr.decode(), "", "%s: dot prints no warning" % what)
    svg = ET.fromstring(p.stdout)
    nodes, edges = [], 0
    for g in svg.iter(SVG_NS + "g"):
        if "node" in (g.get("class") or "").split():
            nodes.append(g.find(SVG_NS + "title").text)
        elif g.get("class") == "edge":
            edges += 1
    c.set_eq(nodes, want_nodes(records), "%s: the nodes are every URL, escaped right" % what)
    c.eq(len(nodes), len(want_nodes(records)), "%s: one node per URL" % what)
    c.eq(edges, npairs(records), "%s: one edge per (page, target)" % what)


def check_graphml(c, path, records, what):
    nx = networkx_module(c, what)
    if nx is None:
        return
    try:
        g = nx.read_graphml(path)
    except Exception as e:  # noqa: BLE001 -- any reader error is the failure
        c.check(False, "%s: networkx reads it" % what, repr(e))
        return
    c.eq(g.number_of_nodes(), len(want_nodes(records)), "%s: networkx node count" % what)
    c.eq(g.number_of_edges(), npairs(records),
         "%s: networkx edge count (one per (page, target))" % what)
    c.set_eq(g.nodes, want_nodes(records), "%s: node ids are the URLs" % what)
    bad = []
    for r in records:
        n = g.nodes.get(r["url"], {})
        got = (n.get("status"), n.get("depth"), n.get("content_type"), n.get("external"),
               n.get("title"))
        title = xml_clean(r["title"]) if r["title"] else None
        want = (r["status"], r["depth"], r["content_type"], False, title)
        if got != want:
            bad.append("%s: %r != %r" % (r["url"], got, want))
    ext = {l["url"] for r in records for l in r["links"] if l["external"]}
    for u in ext:
        if g.nodes.get(u, {}).get("external") is not True:
            bad.append("%s: external node not marked external" % u)
    c.eq(bad, [], "%s: typed node data (status, depth, content_type, external, title)" % what)
    got = collections.Counter((u, v, d.get("tag"), d.get("attr"), d.get("rel"), d.get("text"),
                               d.get("count")) for u, v, d in g.edges(data=True))
    want = collections.Counter((r["url"], l["url"], l["tag"], l["attr"], l["rel"] or None,
                                xml_clean(l["text"]) or None, n)
                               for r in records for l, n in pairs(r))
    c.check(got == want, "%s: edge data (tag, attr, rel, text, count)" % what,
            "missing: %r\nunexpected: %r" % (list((want - got).elements())[:5],
                                             list((got - want).elements())[:5]))


def check_sitemap_file(c, path, what):
    """xmllint accepts it; returns (root tag, [loc])."""
    p = tool(c, "xmllint", ["xmllint", "--noout", path], what)
    if p is None:
        return None, []
    if not c.check(p.returncode == 0, "%s: xmllint --noout accepts %s" % (what,
                   os.path.basename(path)), p.stderr.decode()):
        return None, []
    data = read(path)
    if path.endswith(".gz"):
        data = gzip.decompress(data)
    root = ET.fromstring(data)
    return root.tag, [e.text for e in root.iter(SITEMAP_NS + "loc")]


def check_sitemap(c, path, records, what):
    tag, locs = check_sitemap_file(c, path, what)
    if tag is None:
        return
    c.eq(tag, SITEMAP_NS + "urlset", "%s: a <urlset>" % what)
    c.eq(len(locs), len(set(locs)), "%s: every URL listed once" % what)
    c.set_eq(locs, want_sitemap(records), "%s: exactly the 200 HTML pages" % what)


def check_sqlite(c, path, records, what, sorted_run=False):
    try:
        db = sqlite3.connect(path)
        pages = db.execute("select url, final_url, depth, parent, status, content_type, bytes, "
                           "title, error, reason from pages").fetchall()
        links = db.execute("select source, target, tag, attr, rel, text, external "
                           "from links").fetchall()
        idx = {r[0] for r in db.execute("select name from sqlite_master where type = 'index'")}
        plan = " ".join(r[3] for r in db.execute(
            "explain query plan select source from links where target = 'x'"))
        db.close()
    except sqlite3.Error as e:
        c.check(False, "%s: python's sqlite3 reads it" % what, repr(e))
        return
    # Two crawls may pick different parents (any page at depth - 1 linking
    # here); with --sort the choice is fixed, so it must match too.
    by = {r["url"]: r for r in records}
    want = [(r["url"], r["final_url"], r["depth"], r["parent"], r["status"], r["content_type"],
             r["bytes"], r["title"], r["error"], r["reason"]) for r in records]
    if not sorted_run:
        bad = [p for p in pages if (p[3] is None) != (p[2] == 0) or p[3] is not None and not (
            p[3] in by and by[p[3]]["depth"] == p[2] - 1 and
            any(l["url"] == p[0] for l in by[p[3]]["links"]))]
        c.eq(bad, [], "%s: every parent is a page at depth - 1 linking there" % what)
        pages = [p[:3] + p[4:] for p in pages]
        want = [w[:3] + w[4:] for w in want]
    c.set_eq(pages, want, "%s: pages rows are the records" % what)
    c.multiset_eq(links, [(r["url"], l["url"], l["tag"], l["attr"], l["rel"], l["text"],
                           int(l["external"])) for r in records for l in r["links"]],
                  "%s: links rows are the JSONL links" % what)
    c.check({"links_source", "links_target"} <= idx and
            any(i.startswith("sqlite_autoindex_pages") for i in idx),
            "%s: indexes on pages(url), links(source), links(target)" % what, repr(idx))
    c.check("links_target" in plan, "%s: the in-links query uses the target index" % what, plan)


def inlinks_query(c, path, target, records, what):
    """Which pages link to target, asked of python's sqlite3 and the CLI."""
    want = {r["url"] for r in records for l in r["links"] if l["url"] == target}
    c.check(want, "%s: the JSONL has pages linking to %s" % (what, target))
    db = sqlite3.connect(path)
    got = [r[0] for r in db.execute("select distinct source from links where target = ?",
                                    (target,))]
    db.close()
    c.set_eq(got, want, "%s: python sqlite3 answers which pages link to %s" % (what, target))
    p = tool(c, "sqlite3", ["sqlite3", path, "select distinct source from links where target = '%s'"
                            % target.replace("'", "''")], what)
    if p is not None:
        c.check(p.returncode == 0, "%s: the sqlite3 CLI opens it" % what, p.stderr.decode())
        c.set_eq(p.stdout.decode().split(), want, "%s: the sqlite3 CLI gives the same answer" % what)


def check_broken(c, data, records, what):
    rows = parse_csv(c, data, BROKEN_HEADER, what)
    if rows is not None:
        c.multiset_eq([tuple(r) for r in rows], want_broken(records),
                      "%s: exactly the links whose target failed" % what)
    return rows


def url_links_only(records):
    """The records as the graph formats, sqlite and broken see them: only
    JSON Lines lists the references that are no URL (mailto:...)."""
    return [dict(r, links=[l for l in r["links"] if l["unusable"] is None]) for r in records]


def check_format(c, fmt, path, records, what, sorted_run=False):
    records = url_links_only(records)
    if fmt == "edges":
        check_edges(c, read(path), records, what, sorted_run)
    elif fmt == "dot":
        check_dot(c, path, records, what)
    elif fmt == "graphml":
        check_graphml(c, path, records, what)
    elif fmt == "sitemap":
        check_sitemap(c, path, records, what)
    elif fmt == "sqlite":
        check_sqlite(c, path, records, what, sorted_run)
    elif fmt == "broken":
        check_broken(c, read(path), records, what)


def jsonl_records(c, args, start, extra, what):
    res = run_crawl(args.crawl, ["-q"] + extra + [start], timeout=120)
    if not check_run_ok(c, res, what):
        return None
    check_records(c, res, what)
    return res.records


def leftovers(d):
    return sorted(n for n in os.listdir(d) if ".tmp" in n)


# --- the suites -------------------------------------------------------------

def docs_http(c, args, tmp):
    """sample_sites/docs over HTTP, depth 4: missing.html and deprecated.html
    are 404s."""
    root = os.path.join(args.root, "sample_sites", "docs")
    out = os.path.join(tmp, "docs")
    os.makedirs(out)
    with TestServer(root, latency_ms=3) as srv:
        start, base = srv.url("/"), srv.base
        what = "docs over HTTP"
        records = jsonl_records(c, args, start, ["-d", "4"], what + " (jsonl)")
        if records is None:
            return
        missing = [base + "/missing.html", base + "/api/deprecated.html"]
        got_missing = sorted(r["url"] for r in records if r["status"] == 404)
        c.check(len(got_missing) == 2 and missing[0] in got_missing,
                "%s: the two missing pages are 404 records" % what, repr(got_missing))
        for fmt in FORMATS[1:]:
            path = os.path.join(out, "docs." + fmt)
            if crawl_to(c, args, fmt, path, start, ["-d", "4"], what):
                check_format(c, fmt, path, records, "%s -f %s" % (what, fmt))
        c.eq(leftovers(out), [], "%s: no temporary file left behind" % what)
        rows = parse_csv(c, read(os.path.join(out, "docs.broken")), BROKEN_HEADER, what)
        if rows is not None:
            c.set_eq({r[1] for r in rows}, got_missing,
                     "%s -f broken: lists the links to the missing pages, only" % what)
            c.check(all(r[3] == "404" for r in rows), "%s -f broken: failure is 404" % what,
                    repr(rows))
        for m in got_missing:
            inlinks_query(c, os.path.join(out, "docs.sqlite"), m, records, what + " -f sqlite")

        # --sort: byte-identical whatever the concurrency; .gz: the same bytes
        what = "docs --sort"
        sorted_recs = jsonl_records(c, args, start, ["-d", "4", "--sort"], what)
        if sorted_recs is not None:
            c.eq([r["fetch_ms"] for r in sorted_recs if r["fetch_ms"]], [],
                 "%s: fetch_ms is written as 0" % what)
            depths = [r["depth"] for r in sorted_recs]
            c.eq(depths, sorted(depths), "%s: records ordered by depth" % what)
            c.set_eq([r["url"] for r in sorted_recs], [r["url"] for r in records],
                     "%s: the same records as without --sort" % what)
        for fmt in FORMATS:
            runs = {}
            for tag, extra in (("c1", ["-c", "1", "--per-host", "1", "--workers", "1"]),
                               ("c32", ["-c", "32", "--per-host", "16", "--workers", "4"])):
                path = os.path.join(out, "sorted-%s.%s" % (tag, fmt))
                if crawl_to(c, args, fmt, path, start, ["-d", "4", "--sort"] + extra, what):
                    runs[tag] = path
            if len(runs) != 2:
                continue
            if fmt == "sqlite":
                dumps = []
                for p in runs.values():
                    db = sqlite3.connect(p)
                    dumps.append(list(db.iterdump()))
                    db.close()
                c.check(dumps[0] == dumps[1], "%s -f sqlite: same rows in the same order "
                        "with -c 1 and -c 32" % what)
                continue
            a, b = read(runs["c1"]), read(runs["c32"])
            c.check(a == b, "%s -f %s: byte-identical with -c 1 and -c 32" % (what, fmt),
                    "sizes %d and %d" % (len(a), len(b)))
            if sorted_recs is not None:
                check_format(c, fmt, runs["c1"], sorted_recs, "%s -f %s" % (what, fmt), True)
            if fmt == "jsonl" and sorted_recs is not None:
                res = run_crawl(args.crawl, ["-q", "-d", "4", "--sort", start], timeout=120)
                c.check(res.out == a, "%s: -o FILE and stdout hold the same bytes" % what)
            gz = os.path.join(out, "sorted.%s.gz" % fmt)
            if crawl_to(c, args, fmt, gz, start, ["-d", "4", "--sort"], what + " .gz"):
                try:
                    c.check(gzip.decompress(read(gz)) == a,
                            "%s -f %s -o x.gz: decompresses to the plain bytes" % (what, fmt))
                except OSError as e:
                    c.check(False, "%s -f %s -o x.gz: is gzip" % (what, fmt), repr(e))
        c.eq(leftovers(out), [], "%s: no temporary file left behind" % what)


HOSTILE_INDEX = (b'<html><head><meta charset="utf-8">'
                 b'<title>Home, "quoted" &amp; &lt;angle&gt; \x01ctl \xff\xfe bad</title>'
                 b'<link rel="stylesheet alternate" href="s.css"></head><body>\n'
                 b'<a href="a.html">Comma, "quote"\nnew line &amp; &lt;amp&gt; \x02 \\ back</a>\n'
                 b'<a href="a.html">again</a>\n'
                 b'<a href="https://example.org/x?a=1&amp;b=2">off-site, "external"</a>\n'
                 b'<a href="http://localhost:1/other">other host</a>\n'
                 b"<a href=\"q'uote.html\">apostrophe</a>\n"
                 b'<a href="amp&amp;x.html">ampersand</a>\n'
                 b'<a href="gone.html">gone</a> <a href="r404">redirect to a 404</a>\n'
                 b'<a href="err500">500</a> <a href="redir">redirect to a.html</a>\n'
                 b'<a href="text.txt">text</a> <a href="slow1.html">s1</a>'
                 b' <a href="slow2.html">s2</a>\n'
                 b'</body></html>\n')


def hostile_site(root, srv):
    write(os.path.join(root, "index.html"), HOSTILE_INDEX)
    write(os.path.join(root, "a.html"), b'<html><title>A \\ back"slash</title>'
          b'<a href="index.html">home</a><a href="b.html">b</a></html>')
    write(os.path.join(root, "b.html"), b"<html><title>B</title><a href='d.html'>deep</a></html>")
    write(os.path.join(root, "q'uote.html"), b"<html><title>Q</title></html>")
    write(os.path.join(root, "amp&x.html"), b"<html><title>Amp</title></html>")
    write(os.path.join(root, "s.css"), b"body{}")
    write(os.path.join(root, "text.txt"), b"plain")
    write(os.path.join(root, "slow1.html"), b"<html><title>Slow 1</title></html>")
    write(os.path.join(root, "slow2.html"), b"<html><title>Slow 2</title></html>")
    srv.add_route("/r404", redirect("/gone2.html", 302))
    srv.add_route("/redir", redirect("/a.html", 301))
    srv.add_route("/err500", page(b"<html><title>oops</title></html>", status=500))


def hostile_http(c, args, tmp):
    """Quotes, commas, newlines, <, &, control bytes, invalid UTF-8,
    duplicate and off-site links, redirects and errors in every format."""
    root = os.path.join(tmp, "hostile-site")
    out = os.path.join(tmp, "hostile")
    os.makedirs(out)
    with TestServer(root) as srv:
        hostile_site(root, srv)
        start = srv.url("/")
        what = "hostile site"
        records = jsonl_records(c, args, start, ["-d", "2", "--sort"], what + " (jsonl)")
        if records is None:
            return
        c.check(any(l["external"] for r in records for l in r["links"]),
                "%s: has off-site links" % what)
        for fmt in FORMATS[1:]:
            path = os.path.join(out, "h." + fmt)
            if crawl_to(c, args, fmt, path, start, ["-d", "2", "--sort"], what):
                check_format(c, fmt, path, records, "%s -f %s" % (what, fmt), True)
        rows = parse_csv(c, read(os.path.join(out, "h.broken")), BROKEN_HEADER, what)
        if rows is not None:
            c.set_eq({(r[1][len(srv.base):], r[3]) for r in rows},
                     {("/gone.html", "404"), ("/r404", "404"), ("/err500", "500")},
                     "%s -f broken: the 404, the redirect to a 404 and the 500" % what)

        # unsorted, the edge rows are still the JSONL links, one per pair
        path = os.path.join(out, "stream.edges")
        if crawl_to(c, args, "edges", path, start, ["-d", "2"], what + " unsorted"):
            check_edges(c, read(path), records, what + " -f edges (streaming)", False)

        # a reader never sees half a file: the old one stays until the rename
        srv.set_path_latency("/slow1.html", 1300)
        srv.set_path_latency("/slow2.html", 2600)
        dot_path = os.path.join(out, "live.dot")
        db_path = os.path.join(out, "live.db")
        write(dot_path, b"old\n")
        p_dot = subprocess.Popen([args.crawl, "-q", "-d", "2", "-f", "dot", "-o", dot_path, start],
                                 stdin=subprocess.DEVNULL, stderr=subprocess.PIPE)
        p_db = subprocess.Popen([args.crawl, "-q", "-d", "2", "-f", "sqlite", "-o", db_path, start],
                                stdin=subprocess.DEVNULL, stderr=subprocess.PIPE)
        seen_old, changed, mid_rows = 0, [], 0
        deadline = time.monotonic() + 60
        while p_dot.poll() is None and time.monotonic() < deadline:
            data = read(dot_path)
            if data == b"old\n":
                seen_old += 1
            else:
                changed.append(data)
            if p_db.poll() is None and os.path.exists(db_path):
                try:
                    db = sqlite3.connect(db_path, timeout=5)
                    mid_rows = max(mid_rows, db.execute("select count(*) from pages").fetchone()[0])
                    db.close()
                except sqlite3.Error:
                    pass
            time.sleep(0.05)
        rc_dot, rc_db = p_dot.wait(timeout=60), p_db.wait(timeout=60)
        # Between the rename and its exit the process is still running, so a
        # poll may see the finished file: anything else would be half a file.
        final = read(dot_path)
        partial = [d[:80] for d in changed if d != final]
        c.check(seen_old > 5 and not partial,
                "-f dot: the old file stays whole until the new one is renamed over it",
                "polls seeing the old file: %d, other contents: %r" % (seen_old, partial[:3]))
        c.eq(rc_dot, 0, "-f dot (slow crawl): exit 0")
        check_dot(c, dot_path, records, "-f dot after a slow crawl")
        c.eq(rc_db, 0, "-f sqlite (slow crawl): exit 0")
        c.check(mid_rows > 0, "-f sqlite: rows are committed and readable during the crawl",
                "most rows seen mid-crawl: %d" % mid_rows)
        c.eq(leftovers(out), [], "%s: no temporary file left behind" % what)


DOT_STMT = re.compile(r'^  ("(?:[^"\\]|\\.)*")(?: -> ("(?:[^"\\]|\\.)*"))? \[(.*)\];$')
DOT_ATTR = re.compile(r'(\w+)=("(?:[^"\\]|\\.)*")')


def dot_str(q):
    return re.sub(r'\\(.)', r'\1', q[1:-1])


def parse_dot(data):
    """({node id: attrs}, [(source, target, attrs)]) of a crawl dot file,
    read as the writer writes it (one statement a line), without graphviz."""
    nodes, edges = {}, []
    for line in data.decode("utf-8").splitlines():
        m = DOT_STMT.match(line)
        if not m:
            continue
        attrs = {k: dot_str(v) for k, v in DOT_ATTR.findall(m.group(3))}
        if m.group(2):
            edges.append((dot_str(m.group(1)), dot_str(m.group(2)), attrs))
        else:
            nodes[dot_str(m.group(1))] = attrs
    return nodes, edges


def graphml_edges(data):
    """[(source, target, {key: value})] of a GraphML file, with ElementTree."""
    ns = "{http://graphml.graphdrawing.org/xmlns}"
    return [(e.get("source"), e.get("target"), {d.get("key"): d.text for d in e.iter(ns + "data")})
            for e in ET.fromstring(data).iter(ns + "edge")]


CHAIN = 10  # pages p0..p9, each linked from home and linking the next


def pairs_site(root):
    """/ links a.html three times, gone.html (a 404), an off-site page twice
    and p0..p9, which link each other in a chain ("next") and home."""
    write(os.path.join(root, "index.html"),
          '<html><a href="a.html">one</a> <a href="a.html">two</a> <a href="gone.html">g</a>'
          ' <a href="a.html">three</a> <a href="https://example.org/x">x</a>'
          ' <a href="https://example.org/x">x again</a>' +
          "".join('<a href="p%d.html">p%d</a>' % (i, i) for i in range(CHAIN)) + "</html>")
    write(os.path.join(root, "a.html"), '<html><a href="/">home</a></html>')
    for i in range(CHAIN):
        write(os.path.join(root, "p%d.html" % i),
              '<html><a href="/">home</a><a href="p%d.html">next</a></html>' % ((i + 1) % CHAIN))


def pairs_and_labels(c, args, tmp):
    """One edge per (page, target) with its count, --all-edges one per link,
    in edges, dot and graphml; dot's short labels, status colours and ranks."""
    root = os.path.join(tmp, "pairs-site")
    out = os.path.join(tmp, "pairs")
    os.makedirs(out)
    pairs_site(root)
    with TestServer(root) as srv:
        start, home, a = srv.url("/"), srv.url("/"), srv.url("/a.html")
        gone, ext = srv.url("/gone.html"), "https://example.org/x"
        got = {}
        for mode, extra in (("pairs", []), ("all", ["--all-edges"])):
            for fmt in ("edges", "dot", "graphml"):
                path = os.path.join(out, "%s.%s" % (mode, fmt))
                what = "a page linking a.html 3 times, -f %s%s" % (fmt, " --all-edges" * (
                    mode == "all"))
                if not crawl_to(c, args, fmt, path, start, ["-d", "1", "--sort"] + extra, what):
                    continue
                data = read(path)
                if fmt == "edges":
                    rows = parse_csv(c, data, EDGES_HEADER, what) or []
                    edges = [(r[0], r[1], r[5], r[9]) for r in rows]
                elif fmt == "dot":
                    nodes, dedges = parse_dot(data)
                    got[mode] = (nodes, dedges)
                    edges = [(u, v, d.get("text"), d.get("count")) for u, v, d in dedges]
                else:
                    edges = [(u, v, d.get("text"), d.get("count")) for u, v, d in
                             graphml_edges(data)]
                to_a = sorted(e[2:] for e in edges if e[:2] == (home, a))
                to_ext = sorted(e[2:] for e in edges if e[:2] == (home, ext))
                if mode == "pairs":
                    c.eq(to_a, [("one", "3")], "%s: one edge, the first link's, count 3" % what)
                    c.eq(to_ext, [("x", "2")], "%s: one off-site edge, count 2" % what)
                else:
                    c.eq(to_a, [("one", "1"), ("three", "1"), ("two", "1")],
                         "%s: three edges, count 1 each" % what)
                    c.eq(len(to_ext), 2, "%s: two off-site edges" % what)
                c.eq(len(edges), (3 if mode == "pairs" else 6) + CHAIN + 1 + 2 * CHAIN,
                     "%s: edge count" % what)
        res = run_crawl(args.crawl, ["-q", "--all-edges", start], timeout=60)
        c.check(res.rc == 2 and "--all-edges" in res.err and not res.out,
                "--all-edges with -f jsonl: usage error (exit 2) naming it", res.describe())
        if "pairs" not in got:
            return
        nodes, dedges = got["pairs"]
        what = "-f dot labels and colours"
        n = {u: (d.get("label"), d.get("class"), d.get("fillcolor"), d.get("tooltip"))
             for u, d in nodes.items()}
        c.eq(n.get(home), ("/", "status-2xx", "palegreen", home), "%s: the 200 home page" % what)
        c.eq(n.get(gone), ("/gone.html", "status-4xx", "salmon", gone),
             "%s: the 404 page: short label, 4xx class and fill, the URL as tooltip" % what)
        c.eq(n.get(ext), ("example.org/x", "status-external", "white", ext),
             "%s: the off-site page: host and path" % what)
        c.eq(nodes.get(ext, {}).get("style"), "filled,dashed", "%s: off-site dashed" % what)
        free = sorted((u[len(srv.base):], v[len(srv.base):]) for u, v, d in dedges
                      if d.get("constraint") == "false")
        c.eq(free, sorted([("/a.html", "/")] + [("/p%d.html" % i, "/") for i in range(CHAIN)] +
                          [("/p%d.html" % i, "/p%d.html" % ((i + 1) % CHAIN))
                           for i in range(CHAIN)]),
             "%s: only the edges one level deeper rank the graph" % what)
        dot_render(c, os.path.join(out, "pairs.dot"), srv.base, what)


def dot_render(c, path, base, what):
    """With graphviz: the SVG shows the labels and fills, and the ranks are
    the crawl depths (the p0 -> p1 -> ... chain does not stretch them)."""
    if not shutil.which("dot"):
        print("note: graphviz is not installed: the rendering checks of %s were skipped" % what)
        return
    p = subprocess.run(["dot", "-Tsvg", path], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=120)
    if not c.check(p.returncode == 0 and not p.stderr, "%s: dot -Tsvg renders it" % what,
                   p.stderr.decode()):
        return
    shown = {}
    for g in ET.fromstring(p.stdout).iter(SVG_NS + "g"):
        cls = (g.get("class") or "").split()
        if "node" in cls:
            fill = [e.get("fill") for e in g.iter(SVG_NS + "polygon")]
            text = [e.text for e in g.iter(SVG_NS + "text")]
            shown[g.find(SVG_NS + "title").text] = (cls[1:], fill[:1], text)
    c.eq(shown.get(base + "/gone.html"), (["status-4xx"], ["salmon"], ["/gone.html"]),
         "%s: the SVG node of the 404 (class, fill, text)" % what)
    c.eq(shown.get(base + "/"), (["status-2xx"], ["palegreen"], ["/"]),
         "%s: the SVG node of the 200 (class, fill, text)" % what)
    p = subprocess.run(["dot", "-Tplain", path], stdout=subprocess.PIPE, timeout=120)
    ys = {line.split()[3] for line in p.stdout.decode().splitlines() if line.startswith("node ")}
    c.eq(len(ys), 2, "%s: two ranks, the crawl depths 0 and 1" % what)


def offline(c, args, tmp):
    """The same writers on an offline crawl (file:// URLs)."""
    for site in ("blog", "docs"):
        start = os.path.join(args.root, "sample_sites", site) + "/"
        what = "%s offline" % site
        records = jsonl_records(c, args, start, ["-d", "3"], what)
        if records is None:
            continue
        for fmt in ("edges", "graphml", "sitemap", "broken"):
            path = os.path.join(tmp, "%s-offline.%s" % (site, fmt))
            if crawl_to(c, args, fmt, path, start, ["-d", "3"], what):
                check_format(c, fmt, path, records, "%s -f %s" % (what, fmt))


def sitemap_split(c, args, tmp):
    """Over 50,000 pages: FILE-1.xml, FILE-2.xml and an index at FILE."""
    site = os.path.join(tmp, "big")
    os.makedirs(os.path.join(site, "s"))
    write(os.path.join(site, "index.html"), "<html>" + "".join(
        '<a href="s/%d.html">%d</a>' % (i, i) for i in range(250)) + "</html>")
    for i in range(250):
        write(os.path.join(site, "s", "%d.html" % i), "<html>" + "".join(
            '<a href="p%d_%d.html">x</a>' % (i, j) for j in range(201)) + "</html>")
        for j in range(201):
            write(os.path.join(site, "s", "p%d_%d.html" % (i, j)), "<html>p</html>")
    npages = 1 + 250 + 250 * 201
    for name, suffix in (("sitemap.xml", ".xml"), ("sitemap.xml.gz", ".xml.gz")):
        what = "sitemap of %d pages to %s" % (npages, name)
        out = os.path.join(tmp, "split-" + suffix.strip("."))
        os.makedirs(out)
        path = os.path.join(out, name)
        if not crawl_to(c, args, "sitemap", path, os.path.join(site, "index.html"), ["-d", "2"],
                        what, timeout=240):
            continue
        parts = ["sitemap-1" + suffix, "sitemap-2" + suffix]
        c.eq(sorted(os.listdir(out)), sorted([name] + parts), "%s: index and two parts" % what)
        tag, locs = check_sitemap_file(c, path, what)
        c.eq(tag, SITEMAP_NS + "sitemapindex", "%s: FILE is a <sitemapindex>" % what)
        c.eq([l.rsplit("/", 1)[-1] for l in locs], parts, "%s: the index lists the parts" % what)
        c.check(all(l.startswith("file:///") for l in locs),
                "%s: the index has absolute URLs" % what, repr(locs))
        listed = []
        for i, part in enumerate(parts):
            tag, plocs = check_sitemap_file(c, os.path.join(out, part), what)
            c.eq(tag, SITEMAP_NS + "urlset", "%s: %s is a <urlset>" % (what, part))
            if i == 0:
                c.eq(len(plocs), 50000, "%s: the first part holds 50,000 URLs" % what)
            listed += plocs
        c.eq(len(listed), npages, "%s: every page listed" % what)
        c.eq(len(set(listed)), npages, "%s: no page listed twice" % what)


def failures(c, args, tmp):
    """A failed write exits 1 with one clear line; sqlite needs a file."""
    start = os.path.join(args.root, "sample_sites", "docs") + "/"
    if os.path.exists("/dev/full"):
        for fmt in FORMATS:
            for extra in ([], ["--sort"]):
                what = "-f %s %s-o /dev/full" % (fmt, " ".join(extra) + " " if extra else "")
                res = run_crawl(args.crawl, ["-q", "-d", "2", "-f", fmt, "-o", "/dev/full"] + extra
                                + [start], timeout=60)
                c.eq(res.rc, 1, "%s: exit 1" % what)
                lines = [l for l in res.err.splitlines() if l.strip()]
                c.check(len(lines) == 1 and ("No space left" in lines[0] or
                                             "not a regular file" in lines[0]),
                        "%s: one clear error line" % what, res.err)
        c.check(os.path.exists("/dev/full") and
                not os.path.isfile("/dev/full"), "/dev/full is still a device")
    res = run_crawl(args.crawl, ["-q", "-f", "sqlite", start], timeout=60)
    c.check(res.rc == 2 and "-o FILE" in res.err and not res.out,
            "-f sqlite to stdout: usage error (exit 2), asks for -o FILE",
            res.describe())
    res = run_crawl(args.crawl, ["-q", "-f", "sqlite", "-o", os.path.join(tmp, "x.db.gz"), start],
                    timeout=60)
    c.check(res.rc == 2 and ".gz" in res.err, "-f sqlite -o x.db.gz: usage error (exit 2), says why",
            res.describe())
    c.check(not os.path.exists(os.path.join(tmp, "x.db.gz")), "-f sqlite -o x.db.gz: no file")

    # A full disk under a temp file: the temp file is removed, the old file
    # stays. Needs a small tmpfs (root with CAP_SYS_ADMIN); said when absent.
    small = os.path.join(tmp, "small")
    os.makedirs(small)
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4k", "tmpfs",
                                            small], stderr=subprocess.DEVNULL).returncode != 0:
        print("note: cannot mount a small tmpfs here; full-disk temp-file check not run")
        return
    try:
        for fmt in ("dot", "graphml", "jsonl", "sqlite"):
            target = os.path.join(small, "out." + fmt)
            write(target, b"old\n")
            extra = ["--sort"] if fmt in ("jsonl", "sqlite") else []
            res = run_crawl(args.crawl, ["-q", "-d", "3", "-f", fmt, "-o", target] + extra
                            + [start], timeout=60)
            what = "-f %s on a full disk" % fmt
            c.eq(res.rc, 1, "%s: exit 1" % what)
            c.eq(len([l for l in res.err.splitlines() if l.strip()]), 1,
                 "%s: one error line" % what)
            c.eq(sorted(os.listdir(small)), ["out." + fmt], "%s: the temp file is removed" % what)
            c.eq(read(target), b"old\n", "%s: the old file is untouched" % what)
            os.unlink(target)
    finally:
        subprocess.run(["umount", small])


def main():
    args = parse_args(__doc__)
    c = Checker(args.verbose)
    tmp = tempfile.mkdtemp(prefix="crawl-e2e-formats-")
    try:
        pairs_and_labels(c, args, tmp)
        docs_http(c, args, tmp)
        hostile_http(c, args, tmp)
        offline(c, args, tmp)
        sitemap_split(c, args, tmp)
        failures(c, args, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return c.finish()


if __name__ == "__main__":
    sys.exit(main())
