#!/usr/bin/env python3
"""Offline crawls of saved sites (--base-url, root-relative links, a
directory and its index.html as one record, a start directory without an
index) and the links a page lists: international host names in punycode,
unusable references listed with their reason."""

import os
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


def main():
    args = parse_args(__doc__)
    c = Checker(args.verbose)
    tmp = tempfile.mkdtemp(prefix="crawl-e2e-offline-")
    try:
        link_links(c, args, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return c.finish()


if __name__ == "__main__":
    sys.exit(main())
