#!/usr/bin/env python3
"""Generate a deterministic benchmark site whose page set per depth is known.

    python3 tests/bench/gen_site.py --pages 1000 --base http://127.0.0.1:18431 --out DIR

writes DIR/www/ (the document root to serve), DIR/expected.json and
DIR/expected/depth-K.txt (one URL path[?query] per line: the pages whose
shortest link distance from "/" is exactly K), DIR/site.json (the parameters,
so a caller can reuse an existing site).

Layout: N HTML files (N-1 in a tree plus /list.html), 12-70 KB each.

  /                         depth 0   links every section, the CSS, /list.html?page=1
  /sII.html                 depth 1   ~cbrt(N) sections
  /sII/tJJ.html             depth 2   ~cbrt(N)^2 topics
  /sII/tJJ/pKK.html         depth 3   the bulk: ~95% of the pages are within depth 3
  /sII/tJJ/pKK/dLL.html     depth 4   ~4% (never fetched by a depth-3 crawl)
  .../dLL/eMM.html          depth 5   ~1%

A page links: its children (a table, each link in a different spelling, and
again in a relative table of contents), its ancestors (breadcrumb), siblings,
"related" pages at most one level deeper than itself, every section (nav), the
CSS files, /list.html?page=1, off-site hosts, mailto:/javascript:/tel:, and
has fake links that are not links (inside comments, script strings, escaped
text). No cross link points more than one level down, so the tree level of a
page is its shortest depth; the generator checks that with a BFS over the
links it emitted, each resolved from its spelling with urljoin.

Spellings: root-relative, "../", "./", plain relative, absolute
http://HOST:PORT/..., protocol-relative //HOST:PORT/..., dot segments
(/sII/../sII/x.html), with #fragment, single-quoted, unquoted, upper-case
<A HREF>, &amp; in a query, a query-only reference ("?page=2"). An unquoted
value never starts with "/": wget2 1.99.1 (Debian 12) stops parsing the whole
document at `<a href=/x.html>` (try `printf '<a href=/a.html></a><a
href="b.html"></a>' > t.html; wget2 --force-html -i t.html --base=http://h/
-d --spider 2>&1 | grep @href`: nothing), which would leave wget2 with three
pages and no comparison; such values get double quotes.

Queries: a query makes a different URL. Only /list.html is ever linked with a
query, and each spelled query URL counts as its own page: /list.html?page=1
(depth 1), /list.html?page=2, /list.html?page=3&sort=name, /list.html?page=4
(depth 2). nginx serves list.html for all of them. /list.html without a query
is never linked.

Assets: four CSS files under /static/, linked from every page (so depth 1),
counted apart from pages. They contain no url(), so wget finds nothing in them.

Everything depends only on (--pages, --seed, --base): rerunning writes the
same bytes.
"""

import argparse
import hashlib
import html
import json
import os
import posixpath
import random
import shutil
import sys
from collections import deque
from urllib.parse import urljoin, urlsplit

GEN_VERSION = 3  # bump when the output changes, so cached sites are rebuilt

CSS_FILES = ["/static/site.css", "/static/print.css", "/static/theme.css", "/static/fonts.css"]
LIST_URLS = ["/list.html?page=1", "/list.html?page=2", "/list.html?page=3&sort=name", "/list.html?page=4"]
LEVEL_LETTERS = "stpdefgh"

WORDS = (
    "crawler frontier latency bandwidth parser worker socket buffer queue depth "
    "canonical fragment query redirect header status archive index section topic "
    "garden river harbour lantern meadow orchard quarry summit valley willow "
    "naïve café façade Zürich São Paulo Kraków Ærøskøbing smörgåsbord jalapeño "
    "東京 大阪 北京 上海 Москва Санкт-Петербург Αθήνα Θεσσαλονίκη القاهرة "
    "दिल्ली 서울 Việt Nam İstanbul Łódź Ñandú ½ ¾ € £ ¥ ☃ ★ ✓ 🙂 🚀"
).split()
ENTITIES = ["&amp;", "&lt;", "&gt;", "&quot;", "&nbsp;", "&eacute;", "&uuml;", "&mdash;",
            "&ndash;", "&hellip;", "&copy;", "&reg;", "&#8212;", "&#x2603;", "&#169;",
            "&euro;", "&laquo;", "&raquo;", "&times;", "&para;"]


def level_sizes(n):
    """Pages per tree level (excluding /list.html) for n HTML files."""
    tree = n - 1
    a = max(2, round(tree ** (1.0 / 3.0)))
    b = a * a
    within = int(tree * 0.95)
    c = within - 1 - a - b
    if c < b:
        raise SystemExit("gen_site: --pages %d is too small" % n)
    rest = tree - within
    d = rest * 4 // 5
    return [1, a, b, c, d, rest - d]


class Site:
    def __init__(self, n, seed, base):
        self.n, self.seed, self.base = n, seed, base.rstrip("/")
        parts = urlsplit(self.base)
        if parts.scheme != "http" or not parts.hostname:
            raise SystemExit("gen_site: --base must be http://HOST[:PORT]")
        self.netloc = parts.netloc
        self.sizes = level_sizes(n)
        self.paths = []  # page id -> path
        self.level = []  # page id -> tree level
        self.parent = []  # page id -> parent id (-1 for root)
        self.children = []  # page id -> [ids]
        self.first_of_level = []
        self._build_tree()
        self.edges = {}  # url -> list of target urls (resolved, in-site, no fragment)

    def _build_tree(self):
        prev = []
        for lvl, size in enumerate(self.sizes):
            if size == 0:
                break
            self.first_of_level.append(len(self.paths))
            cur = []
            for j in range(size):
                pid = len(self.paths)
                if lvl == 0:
                    path, par = "/", -1
                else:
                    # contiguous blocks: balanced fan-out; a sparse last level
                    # gets spread over its parents
                    par = prev[j * len(prev) // size]
                    ppath = self.paths[par]
                    stem = "" if ppath == "/" else ppath[: -len(".html")]
                    path = "%s/%s%d.html" % (stem, LEVEL_LETTERS[lvl - 1], pid)
                    self.children[par].append(pid)
                self.paths.append(path)
                self.level.append(lvl)
                self.parent.append(par)
                self.children.append([])
                cur.append(pid)
            prev = cur
        self.first_of_level.append(len(self.paths))

    def ids_at(self, lvl):
        if lvl >= len(self.first_of_level) - 1:
            return range(0)
        return range(self.first_of_level[lvl], self.first_of_level[lvl + 1])

    # ---- link spelling --------------------------------------------------

    def spell(self, src, dst, style, frag=""):
        """An href (raw, possibly with entities) from page path src to dst."""
        if style == "root":
            h = dst
        elif style == "rel":
            h = relref(src, dst)
        elif style == "dot":
            r = relref(src, dst)
            h = r if r.startswith("../") or r == "./" else "./" + r
        elif style == "abs":
            h = "http://" + self.netloc + dst
        elif style == "proto":
            h = "//" + self.netloc + dst
        elif style == "dotseg":
            segs = dst.split("/")
            h = "/%s/../%s" % (segs[1], dst[1:]) if len(segs) >= 3 else dst
        else:
            raise ValueError(style)
        return h + frag

    def anchor(self, src, dst, style, text, quote, upper, frag=""):
        href = self.spell(src, dst, style, frag)
        self.note(src, href, dst)
        return make_a(href, text, quote, upper)

    def note(self, src, href, want):
        """Record an edge and check the spelling resolves where we meant."""
        u = urljoin(self.base + src, html.unescape(href))
        p = urlsplit(u)
        got = (p.path or "/") + ("?" + p.query if p.query else "")
        if p.netloc != self.netloc or got != want:
            raise AssertionError("gen_site: %r from %s resolves to %s, not %s" % (href, src, u, want))
        self.edges.setdefault(src, []).append(want)


STYLES = ["root", "rel", "dot", "abs", "proto", "dotseg"]


def relref(src, dst):
    if dst == "/":
        return "../" * (src.count("/") - 1) or "./"
    return posixpath.relpath(dst, posixpath.dirname(src))


def make_a(href, text, quote, upper):
    if quote == "'":
        attr = "'%s'" % href
    elif quote == "" and not href.startswith("/") and not any(c in href for c in " \"'<>=`"):
        attr = href
    else:
        attr = '"%s"' % href
    if upper:
        return "<A HREF=%s>%s</A>" % (attr, text)
    return "<a href=%s>%s</a>" % (attr, text)


# ---- filler --------------------------------------------------------------


def sentence(rng, nwords):
    out = []
    for _ in range(nwords):
        w = rng.choice(WORDS)
        r = rng.random()
        if r < 0.08:
            w = rng.choice(ENTITIES) + w
        elif r < 0.12:
            w = "<em>%s</em>" % w
        elif r < 0.15:
            w = "<code>%s</code>" % w
        out.append(w)
    s = " ".join(out)
    return s[0].upper() + s[1:] + "."


def para(rng):
    return "<p>%s</p>\n" % " ".join(sentence(rng, rng.randint(8, 22)) for _ in range(rng.randint(2, 6)))


def table(rng, depth=0):
    cols = rng.randint(3, 6)
    rows = rng.randint(4, 12)
    out = ['<table class="data t%d" border="1" cellpadding="2">\n<caption>%s</caption>\n<thead><tr>'
           % (depth, sentence(rng, 4))]
    out.extend("<th scope=col>%s</th>" % rng.choice(WORDS) for _ in range(cols))
    out.append("</tr></thead>\n<tbody>\n")
    for r in range(rows):
        out.append('<tr class="%s">' % ("odd" if r % 2 else "even"))
        for c in range(cols):
            if depth < 2 and rng.random() < 0.04:
                out.append("<td>%s</td>" % table(rng, depth + 1))
            elif rng.random() < 0.3:
                out.append('<td align=right><span class="num">%d&nbsp;%s</span></td>'
                           % (rng.randint(0, 99999), rng.choice(["kB", "ms", "&euro;", "%"])))
            else:
                out.append("<td>%s</td>" % sentence(rng, rng.randint(1, 6)))
        out.append("</tr>\n")
    out.append("</tbody>\n</table>\n")
    return "".join(out)


def nested_list(rng, depth=0):
    tag = rng.choice(["ul", "ol"])
    items = []
    for _ in range(rng.randint(2, 5)):
        inner = nested_list(rng, depth + 1) if depth < 2 and rng.random() < 0.3 else ""
        items.append("<li>%s%s</li>" % (sentence(rng, rng.randint(3, 9)), inner))
    return "<%s>%s</%s>\n" % (tag, "".join(items), tag)


def fake_block(rng, k):
    """Markup that contains link-looking text that is NOT a link."""
    kind = k % 4
    if kind == 0:
        return ('<!-- old navigation, kept for reference:\n<a href="/fake/comment-%d.html">old page</a>\n'
                '<A HREF=/fake/comment-up-%d.html>x</A> -->\n' % (k, k))
    if kind == 1:
        return ('<script>\nvar cfg = {"next": "/fake/script-%d.html", "api": "/fake/api"};\n'
                'function w() { document.write(\'<a href="/fake/docwrite-%d.html">later<\\/a>\'); }\n'
                'if (1 < 2 && "a" !== "b") { var s = "<a href=\'/fake/str-%d.html\'>"; }\n</script>\n' % (k, k, k))
    if kind == 2:
        return ('<pre><code>&lt;a href="/fake/escaped-%d.html"&gt;an example&lt;/a&gt;\n'
                'curl http://127.0.0.1/fake/pre-%d.html</code></pre>\n' % (k, k))
    return ('<style>\n.c%d > a[href^="/fake/"] { color: #%06x; }\n'
            '/* <a href="/fake/style-%d.html"> */\n</style>\n' % (k, rng.randint(0, 0xFFFFFF), k))


def make_fillers(seed, count=400):
    rng = random.Random(seed)
    out = []
    for k in range(count):
        r = rng.random()
        parts = ['<section class="blk" id="b%d">\n<h3>%s</h3>\n' % (k, sentence(rng, 5))]
        if r < 0.35:
            parts.append(table(rng))
        elif r < 0.55:
            parts.append(nested_list(rng))
        elif r < 0.65:
            parts.append('<div class="card"><div class="inner"><div class="body">%s%s</div></div></div>\n'
                         % (para(rng), para(rng)))
        parts.append(para(rng))
        if k % 3 == 0:
            parts.append(fake_block(rng, k))
        parts.append("</section>\n")
        out.append("".join(parts))
    return out


CSS = {
    "/static/site.css": "body { font: 16px/1.4 sans-serif; margin: 0 auto; max-width: 60em; }\n"
                        "table.data { border-collapse: collapse; }\nnav a { padding: 0 .5em; }\n",
    "/static/print.css": "@media print { nav, footer { display: none; } }\n",
    "/static/theme.css": ":root { --fg: #222; --bg: #fafafa; }\nbody { color: var(--fg); background: var(--bg); }\n",
    "/static/fonts.css": "h1, h2, h3 { font-family: Georgia, serif; }\n",
}


# ---- pages -----------------------------------------------------------------


class PageWriter:
    def __init__(self, site, fillers):
        self.site = site
        self.fillers = fillers

    def head(self, path, title, rng, canon_path=None):
        s = self.site
        canon_path = canon_path or path
        hrefs = [s.spell(path, css, st) for css, st in zip(CSS_FILES, ["root", "rel", "proto", "abs"])]
        for css, href in zip(CSS_FILES, hrefs):
            s.note(path, href, css)
        links = [
            '<link rel="stylesheet" href="%s">' % hrefs[0],
            "<link rel=stylesheet href=%s media=print>" % hrefs[1],
            "<link rel='stylesheet' href='%s'>" % hrefs[2],
            '<LINK REL="stylesheet" HREF="%s">' % hrefs[3],
        ]
        canon = "http://%s%s" % (s.netloc, canon_path)
        s.note(path, canon, canon_path)
        return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                "<title>%s</title>\n%s\n<link rel=\"canonical\" href=\"%s\">\n"
                "<style>\nbody > header { border-bottom: 1px solid #ccc; }\n.p%d td:nth-child(2n) { background: #eee; }\n</style>\n"
                "<script>\nwindow.dataLayer = window.dataLayer || [];\nvar page = {\"id\": %d, \"path\": \"%s\", "
                "\"related\": \"/fake/related-%d.html\"};\n</script>\n</head>\n"
                % (title, "\n".join(links), canon, rng.randint(0, 99), rng.randint(0, 10 ** 6),
                   path, rng.randint(0, 10 ** 6)))

    def nav(self, path, k):
        s = self.site
        items = ['<li>%s</li>' % s.anchor(path, "/", ["root", "rel", "abs"][k % 3], "Home", '"', False)]
        for i, sid in enumerate(s.ids_at(1)):
            st = STYLES[(k + i) % len(STYLES)]
            items.append("<li>%s</li>" % s.anchor(path, s.paths[sid], st, "Section&nbsp;%d" % sid,
                                                  ['"', "'", ""][(k + i) % 3], (k + i) % 7 == 0))
        return '<header><nav class="top"><ul>\n%s\n</ul></nav></header>\n' % "\n".join(items)

    def breadcrumb(self, pid):
        s = self.site
        path = s.paths[pid]
        chain = []
        a = s.parent[pid]
        while a >= 0:
            chain.append(a)
            a = s.parent[a]
        parts = []
        for i, aid in enumerate(reversed(chain)):
            st = ["rel", "root", "dot", "abs"][(pid + i) % 4]
            parts.append(s.anchor(path, s.paths[aid], st, html.escape(s.paths[aid]), "'" if i % 2 else '"', False))
        return '<nav class="crumbs" aria-label="breadcrumb">%s &raquo; <b>here</b></nav>\n' % " &rsaquo; ".join(parts)

    def children_table(self, pid, rng):
        s = self.site
        path = s.paths[pid]
        kids = s.children[pid]
        if not kids:
            return ""
        rows = []
        for i, cid in enumerate(kids):
            st = STYLES[(pid + i) % len(STYLES)]
            frag = "#top" if (pid + i) % 5 == 0 else ("#sec-%d" % i if (pid + i) % 5 == 1 else "")
            quote = ['"', "'", ""][(pid + i) % 3]
            upper = (pid + i) % 4 == 0
            a = s.anchor(path, s.paths[cid], st, "Page&nbsp;%d &ndash; %s" % (cid, rng.choice(WORDS)), quote, upper, frag)
            rows.append("<tr><td>%d</td><td>%s</td><td>%s</td></tr>" % (i + 1, a, sentence(rng, 4)))
        return ('<table class="children"><thead><tr><th>#</th><th>Page</th><th>Summary</th></tr></thead>\n'
                "<tbody>\n%s\n</tbody></table>\n" % "\n".join(rows))

    def toc(self, pid):
        """Relative links to every child: keeps the site crawlable offline."""
        s = self.site
        path = s.paths[pid]
        kids = s.children[pid]
        if not kids:
            return ""
        items = ["<li>%s</li>" % s.anchor(path, s.paths[c], "rel", "p%d" % c, '"', False) for c in kids]
        return '<aside class="toc"><ol>%s</ol></aside>\n' % "".join(items)

    def related(self, pid, rng):
        """Siblings and pages at most one level deeper: depths unchanged."""
        s = self.site
        path = s.paths[pid]
        lvl = s.level[pid]
        targets = []
        same = s.ids_at(lvl)
        if len(same) > 1:
            i = pid - same.start
            targets.append(same[(i + 1) % len(same)])
            targets.append(same[(i - 1) % len(same)])
        for _ in range(4):
            pick = rng.choice(range(0, lvl + 2))
            pool = s.ids_at(pick)
            if len(pool):
                targets.append(rng.choice(pool))
        out = []
        for i, t in enumerate(targets):
            st = STYLES[(pid * 7 + i) % len(STYLES)]
            out.append("<li>%s</li>" % s.anchor(path, s.paths[t], st, "see also %d" % t,
                                                ['"', "'", ""][(pid + i) % 3], i % 3 == 2,
                                                "#r%d" % i if i % 2 else ""))
        return '<aside class="related"><h2>Related</h2><ul>%s</ul></aside>\n' % "".join(out)

    def footer(self, path, k):
        s = self.site
        ext = [
            '<a href="https://www.example.invalid/">Partner</a>',
            "<a href='http://cdn.example.invalid/page?x=1&amp;y=2'>CDN</a>",
            '<a href="//static.example.invalid/about.html">Static host</a>',
            '<A HREF="HTTPS://Upper.Example.Invalid/Path">Upper</A>',
            '<a href="mailto:webmaster@example.invalid?subject=Hi&amp;body=x">Mail</a>',
            '<a href="javascript:void(0)" onclick="return false">JS</a>',
            "<a href='javascript:window.open(\"/fake/js-open.html\")'>Open</a>",
            '<a href="tel:+15555550100">Call</a>',
            '<a href="#top">Top</a>',
            '<a href="">Self</a>',
        ]
        s.note(path, "", path)
        s.note(path, "#top", path)
        lst = ["/list.html?page=1", "list.html?page=1", "http://%s/list.html?page=1#results" % s.netloc][k % 3]
        if lst == "list.html?page=1":
            lst = relref(path, "/list.html") + "?page=1"
        s.note(path, lst, "/list.html?page=1")
        return ('<footer><p>&copy; 2024 Example &mdash; <a href="%s">Archive</a></p>\n<p>%s</p>\n</footer>\n'
                % (lst, " | ".join(ext)))

    def page(self, pid):
        s = self.site
        path = s.paths[pid]
        rng = random.Random(s.seed * 1000003 + pid)
        target = rng.randint(12 * 1024, 70 * 1024)
        title = "Page %d &mdash; %s %s" % (pid, rng.choice(WORDS), rng.choice(WORDS))
        top = [self.head(path, title, rng), '<body class="p%d" id="top">\n' % pid, self.nav(path, pid),
               self.breadcrumb(pid), "<main>\n<h1>%s</h1>\n" % title, self.children_table(pid, rng)]
        bottom = [self.related(pid, rng), self.toc(pid), "</main>\n", self.footer(path, pid),
                  "</body>\n</html>\n"]
        return assemble(top, bottom, target, self.fillers, rng)

    def list_page(self):
        """/list.html: served for every ?query; the links are the same for all."""
        s = self.site
        src = "/list.html?page=1"  # resolve from a real query URL
        rng = random.Random(s.seed * 1000003 - 1)
        target = rng.randint(12 * 1024, 70 * 1024)
        links = [("?page=2", "/list.html?page=2"),
                 ("list.html?page=3&amp;sort=name", "/list.html?page=3&sort=name"),
                 ("/list.html?page=4#results", "/list.html?page=4"),
                 ("http://%s/list.html?page=1" % s.netloc, "/list.html?page=1")]
        items = []
        for href, want in links:
            s.note(src, href, want)
            items.append('<li><a href="%s">%s</a></li>' % (href, html.escape(want)))
        for i, sid in enumerate(s.ids_at(1)):
            href = s.spell("/list.html", s.paths[sid], STYLES[i % len(STYLES)])
            s.note(src, href, s.paths[sid])
            items.append("<li>%s</li>" % make_a(href, "Section %d" % sid, "'", i % 2 == 0))
        top = [self.head("/list.html", "Archive", rng, "/list.html?page=1"), "<body>\n<main>\n<h1>Archive</h1>\n",
               '<ul class="pager">%s</ul>\n' % "".join(items)]
        # the head's links were noted under /list.html; copy them to the query URLs below
        return assemble(top, ["</main>\n</body>\n</html>\n"], target, self.fillers, rng)


def assemble(top, bottom, target, fillers, rng):
    out = top
    size = sum(len(x.encode()) for x in top) + sum(len(x.encode()) for x in bottom)
    while size < target:
        f = fillers[rng.randrange(len(fillers))]
        out.append(f)
        size += len(f.encode())
    out.extend(bottom)
    return "".join(out).encode()


def bfs(edges, start):
    depth = {start: 0}
    q = deque([start])
    while q:
        u = q.popleft()
        for v in edges.get(u, ()):
            if v not in depth:
                depth[v] = depth[u] + 1
                q.append(v)
    return depth


def generate(n, seed, base, out):
    site = Site(n, seed, base)
    fillers = make_fillers(seed)
    www = os.path.join(out, "www")
    if os.path.exists(out):
        shutil.rmtree(out)
    os.makedirs(os.path.join(www, "static"))
    pw = PageWriter(site, fillers)
    total = 0
    for pid, path in enumerate(site.paths):
        body = pw.page(pid)
        total += len(body)
        fn = os.path.join(www, "index.html" if path == "/" else path.lstrip("/"))
        os.makedirs(os.path.dirname(fn), exist_ok=True)
        with open(fn, "wb") as f:
            f.write(body)
    body = pw.list_page()
    total += len(body)
    with open(os.path.join(www, "list.html"), "wb") as f:
        f.write(body)
    # every query URL serves list.html: give each the same outgoing links
    common = site.edges.pop("/list.html", []) + site.edges.pop("/list.html?page=1", [])
    for u in LIST_URLS:
        site.edges[u] = list(common)
    for css, text in CSS.items():
        with open(os.path.join(www, css.lstrip("/")), "w") as f:
            f.write(text)

    depth = bfs(site.edges, "/")
    for pid, path in enumerate(site.paths):
        if depth.get(path) != site.level[pid]:
            raise AssertionError("gen_site: %s at level %d has BFS depth %s" % (path, site.level[pid], depth.get(path)))
    pages = {u: d for u, d in depth.items() if u not in CSS}
    assets = {u: d for u, d in depth.items() if u in CSS}
    if len(pages) != n - 1 + len(LIST_URLS) or len(assets) != len(CSS):
        raise AssertionError("gen_site: %d pages, %d assets reached" % (len(pages), len(assets)))

    os.makedirs(os.path.join(out, "expected"))
    maxd = max(pages.values())
    per_depth = {d: sorted(u for u, e in pages.items() if e == d) for d in range(maxd + 1)}
    for d, urls in per_depth.items():
        with open(os.path.join(out, "expected", "depth-%d.txt" % d), "w") as f:
            f.write("".join(u + "\n" for u in urls))
    with open(os.path.join(out, "expected.json"), "w") as f:
        json.dump({"base": site.base, "start": "/", "pages": pages, "assets": assets,
                   "html_files": n, "bytes": total, "level_sizes": site.sizes}, f, indent=0, sort_keys=True)
    params = {"pages": n, "seed": seed, "base": site.base, "version": GEN_VERSION,
              "generator": file_digest(os.path.abspath(__file__)), "bytes": total}
    with open(os.path.join(out, "site.json"), "w") as f:
        json.dump(params, f, sort_keys=True)
    return params, per_depth


def file_digest(fn):
    with open(fn, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()[:16]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pages", type=int, default=1000, help="HTML files to write [1000]")
    ap.add_argument("--seed", type=int, default=7, help="random seed [7]")
    ap.add_argument("--base", required=True, help="http://HOST:PORT the site will be served at")
    ap.add_argument("--out", required=True, help="output folder (replaced)")
    a = ap.parse_args()
    if a.pages < 100:
        ap.error("--pages must be at least 100")
    params, per_depth = generate(a.pages, a.seed, a.base, a.out)
    counts = ", ".join("depth %d: %d" % (d, len(u)) for d, u in per_depth.items())
    print("gen_site: %d files, %.1f MB in %s/www; pages per depth: %s"
          % (a.pages, params["bytes"] / 1e6, a.out, counts), file=sys.stderr)


if __name__ == "__main__":
    main()
