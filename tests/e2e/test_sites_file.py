#!/usr/bin/env python3
"""Offline crawls of sample_sites/* (directory and file:// forms) against
the hand-written expected page sets."""

import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e2elib import (SITES, Checker, check_records, check_run_ok, file_dir_url,  # noqa: E402
                    load_folded, parse_args, rel_set, run_crawl)
from sitechecks import check_site  # noqa: E402


def crawl_and_compare(c, args, site_dir, start, depth, expected, what, prefix=None):
    res = run_crawl(args.crawl, ["--depth", depth, start], timeout=30)
    if not check_run_ok(c, res, what):
        return res
    check_records(c, res, what, max_depth=depth)
    prefix = prefix or file_dir_url(site_dir)
    got = rel_set(c, res, prefix, what)
    c.set_eq(got, expected, "%s: (depth, path) set equals the expected set" % what)
    return res


def escapes(c, args, tmp):
    """Links and symlinks that lead out of the start directory are never read."""
    top = os.path.join(tmp, "esc")
    site = os.path.join(top, "site")
    os.makedirs(os.path.join(site, "sub"))
    os.makedirs(os.path.join(top, "secretdir"))
    secret = "<html><title>SECRET</title><a href='leaked.html'>x</a></html>"
    for p in [os.path.join(top, "secret.html"), os.path.join(top, "secretdir", "index.html")]:
        with open(p, "w") as f:
            f.write(secret)
    with open(os.path.join(site, "sub", "page.html"), "w") as f:
        f.write("<html><title>Sub page</title></html>")
    os.symlink(os.path.join(top, "secret.html"), os.path.join(site, "evil.html"))
    os.symlink(os.path.join(top, "secretdir"), os.path.join(site, "evildir"))
    os.symlink(os.path.join(site, "sub", "page.html"), os.path.join(site, "alias.html"))
    with open(os.path.join(site, "index.html"), "w") as f:
        f.write("<html><title>Escapes</title>"
                "<a href='evil.html'>1</a><a href='evildir/'>2</a>"
                "<a href='%2e%2e/secret.html'>3</a><a href='sub/%2E%2E/%2e%2e/secret.html'>4</a>"
                "<a href='sub/..%2F..%2Fsecret.html'>5</a><a href='alias.html'>6</a></html>")
    what = "file crawl with escaping links and symlinks"
    res = run_crawl(args.crawl, ["--depth", 2, site + "/"], timeout=30)
    if not check_run_ok(c, res, what):
        return
    check_records(c, res, what, max_depth=2)
    leaked = [r["url"] for r in res.records
              if r["title"] == "SECRET" or any("leaked" in l["url"] for l in r["links"])]
    c.eq(leaked, [], "%s: nothing outside the start directory was read" % what)
    prefix = file_dir_url(site)
    recs = {r["url"]: r for r in res.records}
    root = recs.get(prefix)
    if c.check(root is not None, "%s: root record present" % what):
        got = [(l["url"], l["external"]) for l in root["links"]]
        outside = "file://" + os.path.realpath(top) + "/secret.html"
        c.eq(got[2:4], [(outside, True), (outside, True)],
             "%s: %%2e%%2e dot-segments resolve outside and are external" % what)
        c.check(all(not u.startswith(outside) for u in recs),
                "%s: no record for the file outside" % what)
    for name in ["evil.html", "evildir/"]:
        r = recs.get(prefix + name)
        if r is not None:
            c.check(r["error"] is not None and r["status"] is None,
                    "%s: the symlink %s pointing outside gives an error record" % (what, name),
                    repr((r["status"], r["error"], r["title"])))
    r = recs.get(prefix + "alias.html")
    if c.check(r is not None, "%s: record for alias.html (symlink inside)" % what):
        c.eq((r["status"], r["title"]), (200, "Sub page"),
             "%s: a symlink to a file inside the directory is read" % what)

    # a relative start directory without trailing slash (resolved from cwd)
    what = "relative start path sample_sites/blog"
    res = run_crawl(args.crawl, ["--depth", 0, os.path.join("sample_sites", "blog")],
                    timeout=30, cwd=args.root)
    if check_run_ok(c, res, what):
        c.eq([r["url"] for r in res.records],
             [file_dir_url(os.path.join(args.root, "sample_sites", "blog"))],
             "%s: one record for the directory URL" % what)

    # a start directory without index.html
    empty = os.path.join(tmp, "noindex")
    os.makedirs(empty)
    what = "start directory without index.html"
    res = run_crawl(args.crawl, ["--depth", 1, empty], timeout=30)
    if check_run_ok(c, res, what):  # test_offline.py covers a listing with files
        c.eq([(r["url"], r["status"], r["error"], r["links"]) for r in res.records],
             [(file_dir_url(empty), 200, None, [])],
             "%s: one record, the (empty) listing of the directory" % what)
        c.check("has no index.html" in res.err, "%s: stderr says so" % what, res.err)


def main():
    args = parse_args(__doc__)
    c = Checker(args.verbose)
    tmp = tempfile.mkdtemp(prefix="crawl-e2e-file-")
    try:
        for site in SITES:
            site_dir = os.path.join(args.root, "sample_sites", site)
            prefix = file_dir_url(site_dir)
            for depth in range(4):
                what = "file %s --depth %d (directory form)" % (site, depth)
                expected = load_folded(args.root, site, depth)
                res = crawl_and_compare(c, args, site_dir, site_dir + "/", depth, expected, what)
                roots = [r for r in res.records if r.get("depth") == 0]
                c.eq([r.get("url") for r in roots], [prefix],
                     "%s: the start record is the directory URL" % what)
                if depth == 3 and res.records:
                    above = None
                    if site == "messy":
                        above = "file://" + os.path.dirname(os.path.dirname(
                            os.path.realpath(site_dir))) + "/outside.html"
                    check_site(c, site, res, prefix, "file", site_dir, above_root=above)

            # file:///.../index.html form: the directory and its index.html
            # are one record, the directory's, so the crawl is the same as
            # from the directory.
            start = prefix + "index.html"
            what = "file %s --depth 1 (file://.../index.html form)" % site
            res = crawl_and_compare(c, args, site_dir, start, 1,
                                    load_folded(args.root, site, 1), what)
            c.eq([r.get("url") for r in res.records if r.get("depth") == 0], [prefix],
                 "%s: the start record is the directory (index.html folded)" % what)

        # Blog at depth 3 from index.html: contact.html (depth 2) links "./",
        # and other pages link "index.html": all one record, the start.
        site_dir = os.path.join(args.root, "sample_sites", "blog")
        res = crawl_and_compare(c, args, site_dir, file_dir_url(site_dir) + "index.html", 3,
                                load_folded(args.root, "blog", 3),
                                "file blog --depth 3 (index.html form)")
        c.eq(sorted(r["url"] for r in res.records if r["url"].endswith("/index.html")), [],
             "file blog --depth 3 (index.html form): no record ends in /index.html")

        # messy copied to TMP/x/messy with a real TMP/outside.html: the link
        # ../../outside.html from the root points at it, outside the start
        # directory, so it must be external and never read.
        copy = os.path.join(tmp, "x", "messy")
        shutil.copytree(os.path.join(args.root, "sample_sites", "messy"), copy)
        with open(os.path.join(tmp, "outside.html"), "w") as f:
            f.write("<html><title>really outside</title><a href='x/messy/deeper.html'>x</a></html>")
        what = "file messy copy with a real ../../outside.html"
        res = crawl_and_compare(c, args, copy, copy + "/", 3,
                                load_folded(args.root, "messy", 3), what)
        above = "file://" + os.path.realpath(tmp) + "/outside.html"
        c.check(all(r.get("url") != above for r in res.records),
                "%s: the file above the start directory has no record" % what)
        root = res.by_url().get(file_dir_url(copy))
        if c.check(root is not None, "%s: root record present" % what):
            hits = [l for l in root["links"] if l["url"] == above]
            c.check(len(hits) == 1 and hits[0]["external"] is True,
                    "%s: the above-root link is listed with external=true" % what, repr(hits))

        # A symlink to a site: scope is the resolved directory, same page set.
        link = os.path.join(tmp, "bloglink")
        os.symlink(os.path.join(args.root, "sample_sites", "blog"), link)
        what = "file blog through a symlink --depth 2"
        res = run_crawl(args.crawl, ["--depth", 2, link + "/"], timeout=30)
        if check_run_ok(c, res, what):
            check_records(c, res, what, max_depth=2)
            roots = [r["url"] for r in res.records if r.get("depth") == 0]
            if c.check(len(roots) == 1, "%s: one start record" % what, repr(roots)):
                got = rel_set(c, res, roots[0], what)
                c.set_eq(got, load_folded(args.root, "blog", 2),
                         "%s: (depth, path) set equals the expected set" % what)
        escapes(c, args, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return c.finish()


if __name__ == "__main__":
    sys.exit(main())
