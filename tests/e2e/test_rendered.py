#!/usr/bin/env python3
"""Links rendered by the parse workers (issue 13): a page at the depth limit
whose depth is final, written as JSON Lines, has its links classified and
written as the record's links array by its worker. Each sample site over
HTTP and offline: every record of a crawl to depth d has exactly the links
the same page has in a crawl to depth d + 1, where the parent writes them;
--stats-json counts the rendered pages (links_rendered > 0); --sort writes
the same arrays; with another format or a WARC archive the workers render
nothing, since those need the links one by one."""

import json
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e2elib import SITES, Checker, check_records, check_run_ok, parse_args, run_crawl  # noqa: E402
from httpserver import TestServer  # noqa: E402


def crawl(c, args, argv, what):
    """The crawl's result and its --stats-json figures."""
    with tempfile.TemporaryDirectory() as tmp:
        sj = os.path.join(tmp, "stats.json")
        res = run_crawl(args.crawl, ["-q", "--stats-json", sj] + [a.replace("TMP", tmp)
                                                                  for a in map(str, argv)])
        if not check_run_ok(c, res, what):
            return None, {}
        with open(sj, encoding="utf-8") as f:
            return res, json.load(f)


def links(res):
    return {r["url"]: (r["depth"], r["links"]) for r in res.records}


def compare(c, args, start, depth, what):
    res, st = crawl(c, args, ["-d", depth, start], what)
    deeper, _ = crawl(c, args, ["-d", depth + 1, start], what + " (one level deeper)")
    if res is None or deeper is None:
        return
    check_records(c, res, what, max_depth=depth)
    got, ref = links(res), links(deeper)
    last = [u for u, (d, _) in got.items() if d == depth]
    c.check(any(got[u][1] for u in last), "%s: the last level has links (the test can fail)" % what)
    c.eq(got, {u: ref.get(u) for u in got},
         "%s: every record's links as in the crawl one level deeper, where the parent writes "
         "them" % what)
    c.check(st.get("links_rendered", 0) > 0 and st["links_rendered"] <= st["parsed"],
            "%s: the workers rendered the links of some pages" % what, repr(st))
    srt, _ = crawl(c, args, ["-d", depth, "--sort", start], what + " --sort")
    if srt is not None:
        c.eq(links(srt), got, "%s --sort: the same links" % what)
    edges, st_e = crawl(c, args, ["-d", depth, "-f", "edges", "-o", "TMP/e.csv", start],
                        what + " -f edges")
    c.eq(st_e.get("links_rendered"), 0, "%s -f edges: no links rendered by the workers" % what)
    warc, st_w = crawl(c, args, ["-d", depth, "--warc", "TMP/a.warc.gz", start], what + " --warc")
    c.eq(st_w.get("links_rendered"), 0, "%s --warc: no links rendered by the workers" % what)
    if warc is not None:
        c.eq(links(warc), got, "%s --warc: the same links" % what)


def main():
    args = parse_args(__doc__.split("\n")[0])
    c = Checker(args.verbose)
    for site in SITES:
        site_dir = os.path.join(args.root, "sample_sites", site)
        with TestServer(site_dir) as srv:
            for depth in (1, 2):
                compare(c, args, srv.url("/"), depth, "http %s -d %d" % (site, depth))
        compare(c, args, site_dir + "/", 1, "offline %s -d 1" % site)
    return c.finish()


if __name__ == "__main__":
    sys.exit(main())
