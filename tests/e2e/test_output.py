#!/usr/bin/env python3
"""Output robustness and record semantics over HTTP: hostile bytes in titles
and links, --max-pages, leaf pages at the depth limit, redirects, errors,
content types, scope by host, --max-size and --timeout."""

import os
import shutil
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e2elib import Checker, check_records, check_run_ok, parse_args, run_crawl  # noqa: E402
from httpserver import TestServer, page, redirect  # noqa: E402


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


HOSTILE_TITLE = (b'<html><head><title>Bad\x01\x02\x1b[31m\x7f \xff\xfe \xc3\x28 "q" \\ back\\'
                 b' nul\x00byte</title></head><body><p>hostile title</p></body></html>')
HOSTILE_LINKS = (b'<html><head><meta charset="utf-8"><title>Links</title></head><body>\n'
                 b'<a href="q&quot;uote.html">say "hi" \\o/ \x01\x1f end</a>\n'
                 b"<a href='a\"b\\c.html'>quote and backslash</a>\n"
                 b'<a href="caf\xc3\xa9.html">caf\xc3\xa9 \xff\xfe</a>\n'
                 b'<a href="sp ace.html">space</a>\n'
                 b'<a href="tab\tnew\nline.html">tab</a>\n'
                 b'<a href="pct%2fx%7e.html">percent</a>\n'
                 b'</body></html>\n')


def record_semantics(c, args, tmp):
    root = os.path.join(tmp, "a")
    with TestServer(root) as srv:
        base = srv.base
        write(os.path.join(root, "index.html"), """<html><head><title>Root</title></head><body>
<a href="/hostile-title.html">t</a> <a href="/hostile-links.html">l</a>
<a href="/ct.html">ct</a> <a href="/x.xhtml">xhtml</a> <a href="/text.txt">txt</a>
<a href="/notitle.html">nt</a> <a href="/r1">r</a> <a href="/loop1">loop</a>
<a href="/hop0">hops</a> <a href="/err500">500</a> <a href="/slowish.html">slow</a>
<a href="http://localhost:%d/ext.html">other host</a>
<a href="HTTP://127.0.0.1:%d/Spelled.html">same host, other spelling</a>
<a href="/dup.html">d1</a> <a href="dup.html">d2</a> <a href="/dup.html#x">d3</a>
</body></html>""" % (srv.port, srv.port))
        write(os.path.join(root, "hostile-title.html"), HOSTILE_TITLE)
        write(os.path.join(root, "hostile-links.html"), HOSTILE_LINKS)
        write(os.path.join(root, "text.txt"), '<a href="/nope.html">not parsed</a>\n')
        write(os.path.join(root, "notitle.html"), "<html><body><p>no title here</p></body></html>")
        write(os.path.join(root, "final.html"), "<html><title>Final</title><a href='/'>home</a></html>")
        write(os.path.join(root, "slowish.html"), "<html><title>Slowish</title></html>")
        write(os.path.join(root, "Spelled.html"), "<html><title>Spelled</title></html>")
        write(os.path.join(root, "dup.html"), "<html><title>Dup</title></html>")
        srv.add_route("/ct.html", page(
            b"<html><head><title>Content type</title></head><body>"
            b"<a href='/ct-child1.html'>c1</a><a href='ct-child2.html'>c2</a></body></html>",
            content_type="TEXT/HTML; Charset=ISO-8859-1"))
        srv.add_route("/x.xhtml", page(
            b'<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"><head>'
            b"<title>XHTML</title></head><body><a href='/x-child.html'>x</a></body></html>",
            content_type="application/xhtml+xml"))
        srv.add_route("/r1", redirect("r2", 302))  # relative Location
        srv.add_route("/r2", redirect(base + "/final.html", 301))
        srv.add_route("/loop1", redirect("/loop2", 302))
        srv.add_route("/loop2", redirect("/loop1", 302))
        for i in range(15):
            srv.add_route("/hop%d" % i, redirect("/hop%d" % (i + 1), 302))
        srv.add_route("/err500", page(b"<html><title>oops</title><a href='/e.html'>e</a></html>",
                                      status=500))
        srv.set_path_latency("/slowish.html", 300)

        what = "record semantics (--depth 1)"
        res = run_crawl(args.crawl, ["--depth", "1", "--timeout", "10", srv.url("/")], timeout=60)
        if not check_run_ok(c, res, what):
            return
        check_records(c, res, what, max_depth=1)
        recs = res.by_url()

        def rec(path):
            r = recs.get(base + path)
            c.check(r is not None, "%s: record for %s present" % (what, path))
            return r

        r = rec("/hostile-title.html")
        if r:
            c.check(isinstance(r["title"], str) and r["title"].startswith("Bad"),
                    "hostile title: title is a string starting with 'Bad'", repr(r["title"]))
        r = rec("/hostile-links.html")
        if r:
            urls = [l["url"] for l in r["links"]]
            badurl = [u for u in urls if any(ch in u for ch in ' "\\<>\x00\t\n')
                      or any(ord(ch) < 0x21 or ord(ch) > 0x7e for ch in u)]
            c.eq(badurl, [], "hostile links: URLs are ASCII with no quotes/backslashes/spaces")
            for want in ["/q%22uote.html", "/a%22b/c.html", "/caf%C3%A9.html", "/sp%20ace.html",
                         "/tabnewline.html", "/pct%2Fx~.html"]:
                c.check(base + want in urls, "hostile links: canonical %s listed" % want,
                        "links: %r" % urls)
            texts = [l["text"] for l in r["links"]]
            c.check(any(t.startswith('say "hi" \\o/') for t in texts),
                    "hostile links: anchor text with quotes and backslash kept", repr(texts))
            c.check(any("\ufffd" in t for t in texts),
                    "hostile links: invalid UTF-8 in a utf-8 page becomes U+FFFD", repr(texts))
            for path in ["/q%22uote.html", "/a%22b/c.html", "/caf%C3%A9.html"]:
                c.check(base + path not in recs, "no record for %s (depth 2)" % path)

        r = rec("/ct.html")
        if r:
            c.eq(r["content_type"], "text/html", "content_type is lowercased, parameters dropped")
            c.eq([l["url"] for l in r["links"]], [base + "/ct-child1.html", base + "/ct-child2.html"],
                 "a leaf page at the depth limit lists its links")
        for path in ["/ct-child1.html", "/ct-child2.html", "/x-child.html"]:
            c.check(base + path not in recs, "no record for %s (depth 2 > --depth 1)" % path)
        r = rec("/x.xhtml")
        if r:
            c.eq((r["content_type"], r["title"], [l["url"] for l in r["links"]]),
                 ("application/xhtml+xml", "XHTML", [base + "/x-child.html"]),
                 "application/xhtml+xml is parsed")
        r = rec("/text.txt")
        if r:
            c.eq((r["content_type"], r["links"], r["title"], r["bytes"]),
                 ("text/plain", [], None, os.path.getsize(os.path.join(root, "text.txt"))),
                 "text/plain: (content_type, links, title, bytes)")
        r = rec("/notitle.html")
        if r:
            c.eq(r["title"], None, "a page without <title> has title null")

        r = rec("/r1")
        if r:
            c.eq((r["status"], r["final_url"], r["redirects"], r["title"]),
                 (200, base + "/final.html",
                  [{"url": base + "/r1", "status": 302}, {"url": base + "/r2", "status": 301}],
                  "Final"),
                 "redirect chain: (status, final_url, redirects, title)")
            c.eq([l["url"] for l in r["links"]], [base + "/"],
                 "redirect chain: links resolved against the final URL")
        for path in ["/r2", "/final.html", "/loop2"]:
            c.check(base + path not in recs, "no record of its own for redirect hop %s" % path)
        r = rec("/loop1")
        if r:
            c.eq(r["error"], "redirect_loop", "/loop1 -> /loop2 -> /loop1: error")
        r = rec("/hop0")
        if r:
            c.eq(r["error"], "too_many_redirects", "15 redirect hops: error")
        r = rec("/err500")
        if r:
            c.eq(r["status"], 500, "a 500 response: status 500")
        r = rec("/slowish.html")
        if r:
            c.check(250 <= r["fetch_ms"] < 10000, "fetch_ms of a 300 ms page is about 300",
                    "fetch_ms %r" % r["fetch_ms"])
        r = rec("/Spelled.html")
        if r:
            c.eq(r["status"], 200, "HTTP://127.0.0.1:PORT/ (other spelling) is in scope and fetched")
        r = rec("/")
        if r:
            ext = [l for l in r["links"] if "localhost" in l["url"]]
            c.eq([(l["url"], l["external"]) for l in ext],
                 [("http://localhost:%d/ext.html" % srv.port, True)],
                 "a link to another host name is external")
            same = [l for l in r["links"] if l["url"].lower().endswith("/spelled.html")]
            c.eq([(l["url"], l["external"]) for l in same], [(base + "/Spelled.html", False)],
                 "scheme lowercased in link URLs, path case kept")
            dup = [l["url"] for l in r["links"] if "dup" in l["url"]]
            c.eq(dup, [base + "/dup.html"] * 3, "duplicate links are all listed (fragment dropped)")
        c.check(all(not u.startswith("http://localhost") for u in recs),
                "no record for the other host")
        gets = srv.fetch_counts("GET")
        c.eq(gets.get("/ext.html"), None, "the other host was never fetched")
        c.eq(gets.get("/nope.html"), None, "links inside text/plain are not followed")
        twice = sorted(p for p, n in gets.items() if n > 1)
        c.eq(twice, [], "no path fetched twice")
        for path in ["/r1", "/r2", "/final.html"]:
            c.eq(gets.get(path), 1, "redirect hop %s fetched once" % path)


def max_pages(c, args, tmp):
    root = os.path.join(tmp, "b")
    links = "".join('<a href="m%d.html">m%d</a>\n' % (i, i) for i in range(10))
    write(os.path.join(root, "index.html"), "<html><title>M</title><body>%s</body></html>" % links)
    for i in range(10):
        write(os.path.join(root, "m%d.html" % i),
              "<html><title>m%d</title><a href='deeper%d.html'>d</a></html>" % (i, i))
    with TestServer(root, latency_ms=10) as srv:
        what = "--max-pages 3 --depth 1"
        res = run_crawl(args.crawl, ["--max-pages", "3", "--depth", "1", srv.url("/")], timeout=60)
        if not check_run_ok(c, res, what):
            return
        check_records(c, res, what, max_depth=1)
        fetched = [r for r in res.records if r["reason"] is None]
        skipped = [r for r in res.records if r["reason"] is not None]
        c.eq(len(res.records), 11, "%s: a record for each of the 11 URLs" % what)
        c.eq(len(fetched), 3, "%s: exactly 3 fetched records" % what)
        c.eq(sorted({r["reason"] for r in skipped}), ["max_pages"],
             "%s: the others have reason max_pages" % what)
        c.check(all(r["status"] is None and r["links"] == [] for r in skipped),
                "%s: unfetched records have status null and no links" % what)
        c.check(any(r["depth"] == 0 for r in fetched), "%s: the start page is fetched" % what)
        pages = {p: n for p, n in srv.fetch_counts("GET").items() if p != "/robots.txt"}
        c.eq(sum(pages.values()), 3, "%s: the server saw 3 page requests" % what)


def limits(c, args, tmp):
    root = os.path.join(tmp, "c")
    write(os.path.join(root, "index.html"),
          "<html><title>L</title><a href=big.html>b</a><a href=slow.html>s</a>"
          "<a href=ok.html>o</a></html>")
    write(os.path.join(root, "big.html"), "<html><title>big</title>" + "x" * 20000 + "</html>")
    write(os.path.join(root, "ok.html"), "<html><title>ok</title></html>")
    with TestServer(root) as srv:
        srv.add_route("/slow.html", page(b"<html><title>slow</title></html>", delay_s=4))
        what = "--max-size 2000 --timeout 1"
        t0 = time.monotonic()
        # one transfer per URL here: retries have their own tests
        res = run_crawl(args.crawl, ["--retries", "0", "--max-size", "2000", "--timeout", "1",
                                     "--depth", "1",
                                     srv.url("/")], timeout=60)
        took = time.monotonic() - t0
        if not check_run_ok(c, res, what):
            return
        check_records(c, res, what, max_depth=1)
        recs = {r["url"][len(srv.base):]: r for r in res.records}
        got = {p: (r["error"], r["status"] if r["error"] is None else None)
               for p, r in recs.items()}
        c.eq(got, {"/": (None, 200), "/big.html": ("too_large", None),
                   "/slow.html": ("timeout", None), "/ok.html": (None, 200)},
             "%s: (error, status) per page" % what)
        print("%s: took %.1f s (the slow page answers after 4 s)" % (what, took))


def edge_cases(c, args, tmp):
    import gzip
    root = os.path.join(tmp, "d")
    gz_body = (b"<html><head><title>Gzipped</title></head><body>"
               + b"<p>padding</p>" * 200 + b"<a href='/gz-child.html'>c</a></body></html>")
    with TestServer(root) as srv:
        base = srv.base
        write(os.path.join(root, "index.html"), """<html><title>Edge</title>
<a href=gz.html>1</a><a href=chunked.html>2</a><a href=short.html>3</a>
<a href=cp1251.html>4</a><a href=utf16.html>5</a><a href=empty.html>6</a>
<a href=binary.html>7</a><a href=nolocation>8</a><a href=toext>9</a>
<a href=many-links.html>10</a></html>""")

        def gz(req):
            if "gzip" in (req.headers.get("Accept-Encoding") or ""):
                return 200, {"Content-Type": "text/html", "Content-Encoding": "gzip"}, \
                    gzip.compress(gz_body)
            return 200, {"Content-Type": "text/html"}, gz_body
        srv.add_route("/gz.html", gz)
        from httpserver import chunked
        srv.add_route("/chunked.html", lambda req: (
            200, {"Content-Type": "text/html", "Transfer-Encoding": "chunked"},
            chunked(b"<html><title>Chunked</title><a href='/ch-child.html'>c</a></html>")))
        srv.add_route("/short.html", lambda req: (
            200, {"Content-Type": "text/html", "Content-Length": "1000"},
            b"<html><title>Short", True))
        srv.add_route("/cp1251.html", page(
            "<html><title>\u041f\u0440\u0438\u0432\u0435\u0442</title></html>".encode("cp1251"),
            content_type="text/html; charset=windows-1251"))
        srv.add_route("/utf16.html", page(
            "\ufeff<html><title>Gr\u00fc\u00dfe</title><a href='/u16-child.html'>c</a></html>"
            .encode("utf-16-le"), content_type="text/html"))
        srv.add_route("/empty.html", page(b"", content_type="text/html"))
        srv.add_route("/binary.html", page(bytes((i * 7919 + 13) % 256 for i in range(5000)),
                                           content_type="text/html"))
        srv.add_route("/nolocation", lambda req: (302, {}, b""))
        srv.add_route("/toext", redirect("http://localhost:%d/ext2.html" % srv.port))
        srv.add_route("/many-links.html", page(
            b"<html><title>many</title>" + b"".join(
                b"<a href='/l%d.html'>%d</a>" % (i, i) for i in range(12000)) + b"</html>"))

        what = "edge cases (--depth 1)"
        # a truncated body is a transport error that would be retried
        res = run_crawl(args.crawl, ["--retries", "0", "--depth", "1", "--timeout", "10",
                                     srv.url("/")], timeout=60)
        if not check_run_ok(c, res, what):
            return
        check_records(c, res, what, max_depth=1)
        recs = res.by_url()

        def rec(path):
            r = recs.get(base + path)
            c.check(r is not None, "%s: record for %s present" % (what, path))
            return r

        r = rec("/gz.html")
        if r:
            c.eq((r["title"], [l["url"] for l in r["links"]], r["bytes"]),
                 ("Gzipped", [base + "/gz-child.html"], len(gz_body)),
                 "gzip: (title, links, decompressed bytes)")
        r = rec("/chunked.html")
        if r:
            c.eq((r["status"], r["title"], [l["url"] for l in r["links"]]),
                 (200, "Chunked", [base + "/ch-child.html"]), "chunked: (status, title, links)")
        r = rec("/short.html")
        if r:
            c.check(r["error"] is not None, "a body shorter than Content-Length is an error",
                    "error %r status %r" % (r["error"], r["status"]))
        r = rec("/cp1251.html")
        if r:
            c.eq(r["title"], "\u041f\u0440\u0438\u0432\u0435\u0442",
                 "charset from the Content-Type header (windows-1251)")
        r = rec("/utf16.html")
        if r:
            c.eq((r["title"], [l["url"] for l in r["links"]]),
                 ("Gr\u00fc\u00dfe", [base + "/u16-child.html"]), "UTF-16LE with BOM")
        r = rec("/empty.html")
        if r:
            c.eq((r["status"], r["bytes"], r["title"], r["links"], r["error"]),
                 (200, 0, None, [], None), "empty 200 text/html body")
        r = rec("/binary.html")
        if r:
            c.eq(r["status"], 200, "binary garbage as text/html: a record with status 200")
        r = rec("/nolocation")
        if r:
            c.check(r["status"] == 302 and r["redirects"] == [] and
                    r["error"] in (None, "bad_redirect"),
                    "a 302 without Location: status 302, nothing followed",
                    repr((r["status"], r["error"], r["redirects"])))
        rec("/toext")
        c.eq(srv.fetch_counts("GET").get("/ext2.html"), None,
             "a redirect to another host is not followed")
        r = rec("/many-links.html")
        if r:
            c.eq(len(r["links"]), 10000, "12000 links: the first 10000 (--max-links default) kept")
            c.check(r["links"] and r["links"][0]["url"] == base + "/l0.html",
                    "12000 links: kept in document order")
        twice = sorted(p for p, n in srv.fetch_counts("GET").items() if n > 1)
        c.eq(twice, [], "%s: no path fetched twice" % what)

        # start URLs are canonicalised and deduplicated
        what = "start URL canonicalisation"
        res = run_crawl(args.crawl, ["--depth", "0", "HTTP://127.0.0.1:%d/index.html#top" % srv.port,
                                     srv.url("/./index.html"), srv.url("/index.html?")[:-1]],
                        timeout=30)
        if check_run_ok(c, res, what):
            c.eq([(r["url"], r["depth"]) for r in res.records], [(base + "/index.html", 0)],
                 "%s: three spellings of one start URL give one record" % what)


def main():
    args = parse_args(__doc__)
    c = Checker(args.verbose)
    tmp = tempfile.mkdtemp(prefix="crawl-e2e-out-")
    try:
        record_semantics(c, args, tmp)
        max_pages(c, args, tmp)
        limits(c, args, tmp)
        edge_cases(c, args, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return c.finish()


if __name__ == "__main__":
    sys.exit(main())
