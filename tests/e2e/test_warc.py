#!/usr/bin/env python3
"""WARC output, read back by two readers that share no code with ours:
a python stdlib reader here (gzip members one by one, Content-Length
framing, SHA-1 block and payload digests, chunked coding) and warcio.js,
Webrecorder's reader (tests/e2e/warc_read.mjs; installed with npm into a
cache directory outside the repository when absent -- the warcio part is
skipped, saying so, when node, npm or the install is unavailable).

Archives checked:
  * the samples tests/unit/test_warc writes (CRAWL_WARC_KEEP=DIR): every
    record kind, a chunked response, plain and .gz;
  * `crawl --warc out.warc.gz` over the local HTTP server on
    sample_sites/docs: 1 warcinfo, a request + response pair per transfer
    (robots.txt and redirect hops included) matching the server's access
    log and the JSONL records, a metadata record per parsed HTML page
    listing its links; payloads equal the files on disk;
  * a crawl of pages sent with Transfer-Encoding: chunked (libcurl
    de-chunks them; warc.c stores the body re-chunked as one chunk);
  * an offline (file:) crawl: resource records, one per file read.
The crawl parts are skipped, saying so, while crawl answers --warc with
"not implemented yet"."""

import base64
import collections
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import urllib.parse
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e2elib import Checker, check_run_ok, file_dir_url, parse_args, run_crawl  # noqa: E402
from httpserver import TestServer, chunked, page  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
NODE_CACHE = os.environ.get("CRAWL_TEST_NODE_CACHE",
                            os.path.join(os.path.expanduser("~"), ".cache", "crawl-test-node"))
SAMPLE_TYPES = ["warcinfo", "request", "response", "request", "response", "response",
                "resource", "metadata", "metadata"]


def sha1_label(data):
    return "sha1:" + base64.b32encode(hashlib.sha1(data).digest()).decode()


# --- the stdlib reader ----------------------------------------------------

class Record:
    def __init__(self, offset, head, block):
        self.offset = offset
        self.fields = collections.OrderedDict()
        for line in head.split(b"\r\n"):
            name, _, value = line.decode("utf-8").partition(":")
            self.fields[name.strip().lower()] = value.strip()
        self.block = block

    def get(self, name):
        return self.fields.get(name.lower())

    @property
    def type(self):
        return self.get("WARC-Type")


def parse_record(data, offset):
    """(Record, bytes used) for the record at data[0:], or raise ValueError."""
    if not data.startswith(b"WARC/1.1\r\n"):
        raise ValueError("no WARC/1.1 line at offset %d" % offset)
    end = data.find(b"\r\n\r\n")
    if end < 0:
        raise ValueError("unterminated header at offset %d" % offset)
    rec = Record(offset, data[10:end], b"")
    n = int(rec.get("Content-Length"))
    start = end + 4
    if len(data) < start + n + 4 or data[start + n:start + n + 4] != b"\r\n\r\n":
        raise ValueError("block of record at %d is not Content-Length bytes + CRLF CRLF" % offset)
    rec.block = data[start:start + n]
    return rec, start + n + 4


def read_warc(path):
    """Records, and the gzip member count (None for a plain file). In a .gz
    file every member must decompress alone to exactly one record."""
    with open(path, "rb") as f:
        raw = f.read()
    recs = []
    if path.endswith(".gz"):
        off = 0
        members = 0
        while off < len(raw):
            d = zlib.decompressobj(16 + 15)
            data = d.decompress(raw[off:])
            if not d.eof:
                raise ValueError("truncated gzip member at %d" % off)
            rec, used = parse_record(data, off)
            if used != len(data):
                raise ValueError("gzip member at %d holds more than one record" % off)
            recs.append(rec)
            members += 1
            off = len(raw) - len(d.unused_data)
        return recs, members
    off = 0
    while off < len(raw):
        rec, used = parse_record(raw[off:], off)
        recs.append(rec)
        off += used
    return recs, None


def dechunk(data):
    out = b""
    while True:
        line, _, data = data.partition(b"\r\n")
        size = int(line.split(b";")[0], 16)
        if size == 0:
            if data != b"\r\n":
                raise ValueError("data after the last chunk")
            return out
        out += data[:size]
        if data[size:size + 2] != b"\r\n":
            raise ValueError("chunk not followed by CRLF")
        data = data[size + 2:]


def http_parts(block):
    """(status or method line, {lowercase name: value}, entity body)."""
    head, _, body = block.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    hdrs = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        hdrs[name.strip().lower()] = value.strip()
    if hdrs.get("transfer-encoding", "").lower() == "chunked":
        body = dechunk(body)
    return lines[0], hdrs, body


def payload(rec):
    """The payload bytes of a response or resource record."""
    if rec.type == "response":
        return http_parts(rec.block)[2]
    return rec.block


def check_archive(c, path, what):
    """Stdlib checks every archive passes; returns the records or None."""
    try:
        recs, members = read_warc(path)
    except (OSError, ValueError, zlib.error) as e:
        c.check(False, "%s: the stdlib reader parses it" % what, str(e))
        return None
    c.check(True, "%s: the stdlib reader parses it" % what)
    if members is not None:
        c.eq(members, len(recs), "%s: one gzip member per record" % what)
    c.check(recs and recs[0].type == "warcinfo", "%s: starts with a warcinfo record" % what)
    c.eq([r.type for r in recs].count("warcinfo"), 1, "%s: one warcinfo record" % what)
    bad = [r.offset for r in recs if r.get("WARC-Block-Digest") != sha1_label(r.block)]
    c.check(not bad, "%s: every WARC-Block-Digest recomputes" % what, "offsets: %s" % bad)
    bad = []
    for r in recs:
        if r.type in ("response", "resource"):
            try:
                ok = r.get("WARC-Payload-Digest") == sha1_label(payload(r))
            except ValueError:
                ok = False
            if not ok:
                bad.append(r.offset)
    c.check(not bad, "%s: every WARC-Payload-Digest recomputes (de-chunked)" % what,
            "offsets: %s" % bad)
    ids = [r.get("WARC-Record-ID") for r in recs]
    c.eq(len(set(ids)), len(ids), "%s: record IDs are unique" % what)
    info = recs[0].get("WARC-Record-ID") if recs else None
    c.check(all(r.get("WARC-Warcinfo-ID") == info for r in recs[1:]),
            "%s: every record names the warcinfo record" % what)
    return recs


# --- warcio.js ------------------------------------------------------------

def ensure_warcio():
    """The directory holding node_modules/warcio, or (None, reason)."""
    if not shutil.which("node"):
        return None, "node is not installed"
    if os.path.isfile(os.path.join(NODE_CACHE, "node_modules", "warcio", "package.json")):
        return NODE_CACHE, None
    if not shutil.which("npm"):
        return None, "npm is not installed"
    try:
        p = subprocess.run(["npm", "install", "--prefix", NODE_CACHE, "--no-audit", "--no-fund",
                            "--loglevel=error", "warcio@^2.4"],
                           stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=300)
    except (OSError, subprocess.TimeoutExpired) as e:
        return None, "npm install warcio failed: %s" % e
    if p.returncode != 0:
        return None, "npm install warcio failed: %s" % p.stderr.decode("utf-8", "replace")[-500:]
    return NODE_CACHE, None


def warcio_read(c, warcio_dir, path, what):
    """warcio.js's view of the archive: one dict per record, or None."""
    env = dict(os.environ, WARCIO_DIR=warcio_dir)
    p = subprocess.run(["node", os.path.join(HERE, "warc_read.mjs"), path], env=env,
                       stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=120)
    err = p.stderr.decode("utf-8", "replace")
    if not c.check(p.returncode == 0 and not err.strip(),
                   "%s: warcio.js reads it without complaint" % what, err[-2000:]):
        return None
    return [json.loads(line) for line in p.stdout.decode().splitlines()]


def compare_warcio(c, recs, wrecs, path, what):
    """warcio.js sees the records our stdlib reader sees, all digests good."""
    c.eq([(r["type"], r["id"]) for r in wrecs],
         [(r.type, r.get("WARC-Record-ID")) for r in recs],
         "%s: warcio.js: same records (type, ID) in the same order" % what)
    c.eq([r["length"] for r in wrecs], [r["block_len"] for r in wrecs],
         "%s: warcio.js: each block is Content-Length bytes" % what)
    if path.endswith(".gz"):
        c.eq([r["offset"] for r in wrecs], [r.offset for r in recs],
             "%s: warcio.js: records start at the gzip member offsets" % what)
    bad = [(r["type"], r["uri"]) for r in wrecs if not r["block_ok"]]
    c.check(not bad, "%s: warcio.js: every block digest matches" % what, bad)
    bad = [(r["type"], r["uri"]) for r in wrecs
           if r["type"] in ("response", "resource") and r["payload_ok"] is not True]
    c.check(not bad, "%s: warcio.js: every payload digest matches the decoded content" % what,
            bad)


# --- the unit test's sample archives ---------------------------------------

def check_samples(c, args, tmp, warcio_dir):
    exe = os.path.join(os.path.dirname(os.path.dirname(args.crawl)), "tests", "test_warc")
    if not c.check(os.access(exe, os.X_OK), "samples: %s is built" % exe):
        return
    d = os.path.join(tmp, "samples")
    os.makedirs(d)
    p = subprocess.run([exe], env=dict(os.environ, CRAWL_WARC_KEEP=d), stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, timeout=120)
    if not c.check(p.returncode == 0, "samples: test_warc passes",
                   p.stdout.decode("utf-8", "replace")[-2000:]):
        return
    for name in ("sample.warc", "sample.warc.gz"):
        path = os.path.join(d, name)
        what = "samples: " + name
        recs = check_archive(c, path, what)
        if recs is None:
            continue
        c.eq([r.type for r in recs], SAMPLE_TYPES, "%s: record types" % what)
        chunked = [r for r in recs if r.type == "response" and
                   http_parts(r.block)[1].get("transfer-encoding") == "chunked"]
        c.eq([len(payload(r)) for r in chunked], [100000],
             "%s: the chunked response de-chunks to the whole body" % what)
        if warcio_dir:
            wrecs = warcio_read(c, warcio_dir, path, what)
            if wrecs is not None:
                compare_warcio(c, recs, wrecs, path, what)
                meta = [r["outlinks"] for r in wrecs if r["type"] == "metadata"]
                c.eq(meta[:1], [["http://example.com/x a@href", "http://example.com/a%20b",
                                 "http://example.com/i.png img@src"]],
                     "%s: warcio.js: metadata outlink lines" % what)


# --- crawls ---------------------------------------------------------------

def crawl_warc(c, args, warc, start, extra, what):
    """Crawl with --warc; the result, or None when --warc is not there yet."""
    res = run_crawl(args.crawl, ["--warc", warc] + extra + [start], timeout=120)
    if res.rc == 2 and "not implemented" in res.err:
        print("SKIP: %s: crawl --warc is not implemented yet" % what)
        return None
    if not check_run_ok(c, res, "%s: crawl" % what):
        return None
    if not c.check(os.path.isfile(warc), "%s: %s was written" % (what, os.path.basename(warc)),
                   "directory holds: %s" % os.listdir(os.path.dirname(warc))):
        return None
    return res


def is_html(ct):
    return (ct or "").split(";")[0].strip().lower() in ("text/html", "application/xhtml+xml")


def parsed_pages(res):
    """JSONL records the crawler parsed: an HTML body was received."""
    return [r for r in res.records if r["status"] is not None and is_html(r["content_type"])
            and not 300 <= r["status"] < 400]


def disk_file(site_dir, path):
    p = os.path.join(site_dir, urllib.parse.unquote(path).lstrip("/"))
    if os.path.isdir(p):
        p = os.path.join(p, "index.html")
    return p if os.path.isfile(p) else None


def check_metadata(c, recs, res, what, key):
    """One metadata record per parsed page (pages without links may have
    none), WARC-Refers-To its response/resource, outlinks = JSONL links."""
    by_id = {r.get("WARC-Record-ID"): r for r in recs}
    meta = [r for r in recs if r.type == "metadata"]
    pages = {r[key]: r for r in parsed_pages(res)}
    uris = [m.get("WARC-Target-URI") for m in meta]
    c.eq(len(uris), len(set(uris)), "%s: at most one metadata record per page" % what)
    must = {u for u, r in pages.items() if r["links"]}
    c.check(must <= set(uris) <= set(pages),
            "%s: a metadata record for each parsed HTML page" % what,
            "missing: %s\nnot parsed pages: %s" % (sorted(must - set(uris)),
                                                  sorted(set(uris) - set(pages))))
    errs = []
    for m in meta:
        u = m.get("WARC-Target-URI")
        ref = by_id.get(m.get("WARC-Refers-To"))
        if ref is None or ref.type not in ("response", "resource") or \
                ref.get("WARC-Target-URI") != u:
            errs.append("%s: WARC-Refers-To %s is not its record" % (u, m.get("WARC-Refers-To")))
        if m.get("Content-Type") != "application/warc-fields":
            errs.append("%s: Content-Type %s" % (u, m.get("Content-Type")))
        lines = [ln for ln in m.block.decode("utf-8").split("\r\n") if ln]
        got = [ln[len("outlink: "):].split(" ")[0] for ln in lines if ln.startswith("outlink: ")]
        if len(got) != len(lines):
            errs.append("%s: lines other than outlink: %s" % (u, lines))
        if u in pages and sorted(got) != sorted(l["url"] for l in pages[u]["links"]):
            errs.append("%s: outlinks %s\n  JSONL links %s" % (
                u, got, [l["url"] for l in pages[u]["links"]]))
    c.check(not errs, "%s: metadata records refer to their page and list its links" % what,
            "\n".join(errs[:10]))


def check_http_crawl(c, args, tmp, warcio_dir):
    site_dir = os.path.join(args.root, "sample_sites", "docs")
    warc = os.path.join(tmp, "http.warc.gz")
    what = "http crawl"
    with TestServer(site_dir) as srv:
        res = crawl_warc(c, args, warc, srv.url("/"), ["--depth", 3], what)
        if res is None:
            return
        log = srv.requests()
    recs = check_archive(c, warc, what)
    if recs is None:
        return
    types = collections.Counter(r.type for r in recs)
    c.eq(set(types), {"warcinfo", "request", "response", "metadata"}, "%s: record types" % what)
    resp = [r for r in recs if r.type == "response"]
    reqs = [r for r in recs if r.type == "request"]
    want = collections.Counter(srv.url(e.target) for e in log if e.method == "GET")
    c.multiset_eq([r.get("WARC-Target-URI") for r in resp], want.elements(),
                  "%s: one response record per transfer in the server log" % what)
    c.multiset_eq([r.get("WARC-Target-URI") for r in reqs], want.elements(),
                  "%s: one request record per transfer in the server log" % what)
    c.check(srv.url("/robots.txt") in want, "%s: robots.txt was fetched and archived" % what)

    # pairs: WARC-Concurrent-To both ways, same URI, the request as sent
    by_id = {r.get("WARC-Record-ID"): r for r in recs}
    errs = []
    for q in reqs:
        u = q.get("WARC-Target-URI")
        r = by_id.get(q.get("WARC-Concurrent-To"))
        if r is None or r.type != "response" or r.get("WARC-Target-URI") != u or \
                r.get("WARC-Concurrent-To") != q.get("WARC-Record-ID"):
            errs.append("%s: request and response do not name each other" % u)
        line, hdrs, _ = http_parts(q.block)
        target = urllib.parse.urlsplit(u)
        if line != "GET %s HTTP/1.1" % (target.path or "/") or \
                hdrs.get("host") != target.netloc:
            errs.append("%s: request block starts %r, Host %r" % (u, line, hdrs.get("host")))
        if q.get("WARC-IP-Address") != "127.0.0.1" or r is None or \
                r.get("WARC-IP-Address") != "127.0.0.1":
            errs.append("%s: WARC-IP-Address %s" % (u, q.get("WARC-IP-Address")))
    c.check(not errs, "%s: request/response pairs link up and match the wire" % what,
            "\n".join(errs[:10]))

    # responses: status as served, payload = the file on disk
    status = collections.defaultdict(set)
    for e in log:
        status[srv.url(e.target)].add(int(e.status))
    errs = []
    for r in resp:
        u = r.get("WARC-Target-URI")
        line, hdrs, body = http_parts(r.block)
        code = int(line.split(" ")[1])
        if code not in status[u]:
            errs.append("%s: status %d, server sent %s" % (u, code, status[u]))
        f = disk_file(site_dir, urllib.parse.urlsplit(u).path) if code == 200 else None
        if f and open(f, "rb").read() != body:
            errs.append("%s: payload differs from %s" % (u, f))
        if r.get("Content-Type") != "application/http;msgtype=response":
            errs.append("%s: Content-Type %s" % (u, r.get("Content-Type")))
    c.check(not errs, "%s: responses hold the status and bytes served" % what,
            "\n".join(errs[:10]))

    # the JSONL records and the archive describe the same fetches
    fetched = set()
    for rec in res.records:
        if rec["status"] is not None:
            fetched |= {rec["url"], rec["final_url"]} | {h["url"] for h in rec["redirects"]}
    uris = {r.get("WARC-Target-URI") for r in resp}
    c.set_eq(uris - {srv.url("/robots.txt")}, fetched,
             "%s: response URIs = the URLs of the JSONL records and their hops" % what)
    check_metadata(c, recs, res, what, "final_url")

    if warcio_dir:
        wrecs = warcio_read(c, warcio_dir, warc, what)
        if wrecs is not None:
            compare_warcio(c, recs, wrecs, warc, what)
            got = collections.Counter(r["type"] for r in wrecs)
            c.eq(got, types, "%s: warcio.js: record counts by type" % what)
            bad = [r["uri"] for r in wrecs if r["type"] == "request" and r["method"] != "GET"]
            c.check(not bad, "%s: warcio.js: requests parse as GET" % what, bad)


CHUNKED_PAGE = (b"<html><head><title>chunked</title></head><body>"
                + b"<p>filler</p>" * 300 + b'<a href="/end.txt">end</a></body></html>')


def check_chunked_crawl(c, args, tmp, warcio_dir):
    warc = os.path.join(tmp, "chunked.warc.gz")
    what = "chunked crawl"
    empty = os.path.join(tmp, "empty-site")
    os.makedirs(empty)
    with TestServer(empty) as srv:
        srv.add_route("/", page('<a href="/chunked.html">c</a>'))
        srv.add_route("/chunked.html", lambda req: (
            200, [("Content-Type", "text/html"), ("Transfer-Encoding", "chunked")],
            chunked(CHUNKED_PAGE, 1000)))
        srv.add_route("/end.txt", lambda req: (
            200, [("Content-Type", "text/plain"), ("Transfer-Encoding", "chunked")],
            chunked(b"", 1)))
        res = crawl_warc(c, args, warc, srv.url("/"), [], what)
        if res is None:
            return
    recs = check_archive(c, warc, what)
    if recs is None:
        return
    resp = {r.get("WARC-Target-URI"): r for r in recs if r.type == "response"}
    r = resp.get(srv.url("/chunked.html"))
    if c.check(r is not None, "%s: the chunked page has a response record" % what):
        _, hdrs, body = http_parts(r.block)
        c.eq(hdrs.get("transfer-encoding"), "chunked",
             "%s: the header lines are kept as received" % what)
        c.check(body == CHUNKED_PAGE, "%s: the block de-chunks to the page as served" % what)
        c.eq(r.get("WARC-Payload-Digest"), sha1_label(CHUNKED_PAGE),
             "%s: WARC-Payload-Digest is the de-chunked body's" % what)
    r = resp.get(srv.url("/end.txt"))
    if c.check(r is not None, "%s: the empty chunked body has a response record" % what):
        c.check(r.block.endswith(b"\r\n\r\n0\r\n\r\n"),
                "%s: an empty chunked body is stored as the last chunk" % what, repr(r.block))
    check_metadata(c, recs, res, what, "final_url")
    if warcio_dir:
        wrecs = warcio_read(c, warcio_dir, warc, what)
        if wrecs is not None:
            compare_warcio(c, recs, wrecs, warc, what)
            lens = [w["content_len"] for w in wrecs if w["uri"] == srv.url("/chunked.html")
                    and w["type"] == "response"]
            c.eq(lens, [len(CHUNKED_PAGE)], "%s: warcio.js de-chunks the page whole" % what)


def check_file_crawl(c, args, tmp, warcio_dir):
    site_dir = os.path.join(args.root, "sample_sites", "docs")
    warc = os.path.join(tmp, "file.warc")
    what = "offline crawl"
    res = crawl_warc(c, args, warc, file_dir_url(site_dir), ["--depth", 3], what)
    if res is None:
        return
    recs = check_archive(c, warc, what)
    if recs is None:
        return
    c.eq(set(r.type for r in recs), {"warcinfo", "resource", "metadata"},
         "%s: record types" % what)
    res_recs = [r for r in recs if r.type == "resource"]
    want = [rec["final_url"] for rec in res.records if rec["status"] == 200]
    c.multiset_eq([r.get("WARC-Target-URI") for r in res_recs], want,
                  "%s: one resource record per file read" % what)
    root = file_dir_url(site_dir)
    errs = []
    by_url = {rec["final_url"]: rec for rec in res.records}
    for r in res_recs:
        u = r.get("WARC-Target-URI")
        f = disk_file(site_dir, u[len(root) - 1:]) if u.startswith(root) else None
        if f is None or open(f, "rb").read() != r.block:
            errs.append("%s: block is not the file %s" % (u, f))
        ct = by_url.get(u, {}).get("content_type")
        if ct and r.get("Content-Type") != ct:
            errs.append("%s: Content-Type %s, JSONL %s" % (u, r.get("Content-Type"), ct))
    c.check(not errs, "%s: resource blocks are the files on disk" % what, "\n".join(errs[:10]))
    check_metadata(c, recs, res, what, "final_url")
    if warcio_dir:
        wrecs = warcio_read(c, warcio_dir, warc, what)
        if wrecs is not None:
            compare_warcio(c, recs, wrecs, warc, what)


def main():
    args = parse_args(__doc__)
    c = Checker(args.verbose)
    warcio_dir, why = ensure_warcio()
    if warcio_dir is None:
        print("SKIP: warcio.js checks: %s (the stdlib reader still runs)" % why)
    tmp = tempfile.mkdtemp(prefix="crawl-warc-")
    try:
        check_samples(c, args, tmp, warcio_dir)
        check_http_crawl(c, args, tmp, warcio_dir)
        check_chunked_crawl(c, args, tmp, warcio_dir)
        check_file_crawl(c, args, tmp, warcio_dir)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return c.finish()


if __name__ == "__main__":
    sys.exit(main())
