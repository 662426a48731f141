#!/usr/bin/env python3
"""Offline crawls of saved sites (--base-url, root-relative links, a
directory and its index.html as one record, a start directory without an
index) and the links a page lists: international host names in punycode,
unusable references listed with their reason."""

import os
import re
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e2elib import (Checker, check_records, check_run_ok, file_dir_url,  # noqa: E402
                    parse_args, run_crawl)


def write(root, rel, text):
    path = os.path.join(root, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def link_links(c, args, tmp):
    """An IDN link is listed in punycode; references that are no URL are
    listed with their reason instead of vanishing."""
    site = os.path.join(tmp, "links")
    long_ref = "http://h.example/" + "x" * 9000
    write(site, "index.html",
          "<html><title>Links</title>"
          "<a href='http://b\u00fccher.example/buch'>idn</a>"
          "<a href='http://xn--bcher-kva.example/'>puny</a>"
          "<a href='mailto:someone@example.org'>mail</a>"
          "<a href='javascript:void(0)'>js</a>"
          "<a href='http://xn--a/'>bad punycode</a>"
          "<a href='http://h.example:99999/'>bad port</a>"
          "<a href=''>empty</a>"
          "<a href='%s'>long</a>"
          "<a href='page.html'>page</a></html>" % long_ref)
    write(site, "page.html", "<html><title>Page</title></html>")
    what = "links: IDN and unusable references"
    res = run_crawl(args.crawl, ["--depth", 1, site + "/"], timeout=30)
    if not check_run_ok(c, res, what):
        return
    check_records(c, res, what, max_depth=1)
    prefix = file_dir_url(site)
    c.eq(sorted(r["url"] for r in res.records), [prefix, prefix + "page.html"],
         "%s: only the usable in-scope link became a record" % what)
    root = res.by_url().get(prefix)
    if not c.check(root is not None, "%s: root record" % what):
        return
    got = [(l["url"], l["external"], l["unusable"], l["text"]) for l in root["links"]]
    want = [
        ("http://xn--bcher-kva.example/buch", True, None, "idn"),
        ("http://xn--bcher-kva.example/", True, None, "puny"),
        ("mailto:someone@example.org", True, "scheme", "mail"),
        ("javascript:void(0)", True, "scheme", "js"),
        ("http://xn--a/", True, "bad_host", "bad punycode"),
        ("http://h.example:99999/", True, "bad_url", "bad port"),
        ("", True, "empty", "empty"),
        (long_ref[:1024], True, "too_long", "long"),
        (prefix + "page.html", False, None, "page"),
    ]
    c.eq(got, want, "%s: every link listed in order, IDN in punycode, "
         "unusable ones as written with their reason" % what)

    # the graph formats hold URLs only: the unusable references are not edges
    res = run_crawl(args.crawl, ["--depth", 0, "-f", "edges", site + "/"], timeout=30)
    if c.check(res.rc == 0, "%s: -f edges runs" % what, res.describe()):
        rows = res.out.decode().splitlines()[1:]
        targets = [row.split(",")[1] for row in rows]
        c.eq(targets, ["http://xn--bcher-kva.example/buch", "http://xn--bcher-kva.example/",
                       prefix + "page.html"], "%s: -f edges lists the usable links only" % what)


def saved_site(c, args, tmp):
    """crawl --base-url https://example.org/ DIR: the pages are recorded
    under the site's URLs, root-relative and absolute links to the site
    are read from DIR, other hosts stay external, nothing leaves DIR."""
    top = os.path.join(tmp, "saved")
    site = os.path.join(top, "site")
    write(top, "secret.html", "<title>SECRET</title>")
    write(site, "index.html",
          "<title>Home</title><a href='/about.html'>about</a>"
          "<a href='https://example.org/a/b.html'>b</a>"
          "<a href='http://example.org/blog/'>blog, other scheme</a>"
          "<a href='https://other.example/x'>other host</a>"
          "<a href='index.html'>self</a>")
    write(site, "about.html",
          "<title>About</title><a href='/'>home</a><a href='../../secret.html'>up</a>"
          "<a href='/a/%2e%2e/%2e%2e/secret.html'>up2</a>")
    write(site, "a/b.html", "<title>B</title><a href='/blog'>blog without slash</a>")
    write(site, "blog/index.html", "<title>Blog</title><a href='/blog/index.html'>self</a>")
    what = "--base-url saved site"
    res = run_crawl(args.crawl, ["--depth", 3, "--base-url", "https://example.org/", site],
                    timeout=30)
    if not check_run_ok(c, res, what):
        return
    check_records(c, res, what, max_depth=3)
    got = sorted((r["depth"], r["url"], r["status"], r["title"]) for r in res.records)
    o = "https://example.org/"
    c.eq(got, sorted([
        (0, o, 200, "Home"),
        (1, o + "about.html", 200, "About"),
        (1, o + "a/b.html", 200, "B"),
        (1, o + "blog/", 200, "Blog"),
        (2, o + "secret.html", None, None),  # ../../ clamps at the site root
        (2, o + "blog", 301, None),
    ]), "%s: exact page set under the site's URLs" % what)
    c.check(all(r["title"] != "SECRET" for r in res.records),
            "%s: nothing outside the directory was read" % what)
    recs = res.by_url()
    home = recs.get(o)
    if c.check(home is not None, "%s: home record" % what):
        c.eq([(l["url"], l["external"]) for l in home["links"]],
             [(o + "about.html", False), (o + "a/b.html", False), (o + "blog/", False),
              ("https://other.example/x", True), (o, False)],
             "%s: root-relative and absolute site links map into the directory, the other "
             "scheme takes the site's, index.html folds, other hosts stay external" % what)
    r = recs.get(o + "blog")
    if c.check(r is not None, "%s: /blog record" % what):
        c.eq(r["final_url"], o + "blog/", "%s: a directory without its slash redirects" % what)
    c.check("file://" not in res.out.decode(), "%s: no file:// URL in the output" % what)

    res = run_crawl(args.crawl, ["--depth", 3, "-f", "sitemap", "--base-url",
                                 "https://example.org/", site], timeout=30)
    if c.check(res.rc == 0, "%s: -f sitemap runs" % what, res.describe()):
        locs = sorted(re.findall(r"<loc>([^<]*)</loc>", res.out.decode()))
        c.eq(locs, [o, o + "a/b.html", o + "about.html", o + "blog/"],
             "%s: the sitemap lists the site's URLs" % what)

    res = run_crawl(args.crawl, ["--base-url", "https://example.org/", site, top], timeout=30)
    c.eq(res.rc, 2, "%s: a second start directory is a usage error" % what)


def index_one_record(c, args, tmp):
    """dir/ and dir/index.html are one record: the directory's."""
    site = os.path.join(tmp, "fold")
    write(site, "index.html", "<a href='docs/'>1</a><a href='docs/index.html'>2</a>"
                              "<a href='./index.html'>3</a>")
    write(site, "docs/index.html", "<title>Docs</title><a href='index.html'>self</a>")
    what = "dir/ and dir/index.html"
    res = run_crawl(args.crawl, ["--depth", 2, site + "/index.html"], timeout=30)
    if not check_run_ok(c, res, what):
        return
    p = file_dir_url(site)
    c.eq(sorted((r["depth"], r["url"]) for r in res.records), [(0, p), (1, p + "docs/")],
         "%s: one record each, in the directory form" % what)
    root = res.by_url().get(p)
    if c.check(root is not None, "%s: root record" % what):
        c.eq([l["url"] for l in root["links"]], [p + "docs/", p + "docs/", p],
             "%s: links to index.html are listed in the directory form" % what)


def no_index(c, args, tmp):
    """A start directory without index.html: a warning, and its listing."""
    site = os.path.join(tmp, "noindex")
    write(site, "a.html", "<title>A</title>")
    write(site, "b c.txt", "text")
    write(site, "sub/x.html", "<title>X</title>")
    write(site, ".hidden", "x")
    what = "start directory without index.html"
    res = run_crawl(args.crawl, ["--depth", 2, site], timeout=30)
    if not check_run_ok(c, res, what):
        return
    c.check("has no index.html" in res.err, "%s: stderr says so" % what, res.err)
    p = file_dir_url(site)
    c.eq(sorted((r["depth"], r["url"], r["status"]) for r in res.records),
         [(0, p, 200), (1, p + "a.html", 200), (1, p + "b%20c.txt", 200), (1, p + "sub/", 200),
          (2, p + "sub/x.html", 200)],
         "%s: its files are crawled through the listing" % what)


def main():
    args = parse_args(__doc__)
    c = Checker(args.verbose)
    tmp = tempfile.mkdtemp(prefix="crawl-e2e-offline-")
    try:
        link_links(c, args, tmp)
        saved_site(c, args, tmp)
        index_one_record(c, args, tmp)
        no_index(c, args, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return c.finish()


if __name__ == "__main__":
    sys.exit(main())
