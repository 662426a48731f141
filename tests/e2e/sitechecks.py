"""Per-page assertions on the sample sites, shared by the file:// and HTTP
tests. They run on a --depth 3 crawl; paths are relative to the site root
("/" is the start page). `mode` is "file" or "http"."""

import os

from e2elib import fold_index, link_tuples

F, T = False, True


def _a(url, ext=F):
    return (url, "a", "href", None, ext)


def _x(ref):
    """A reference that is no URL: listed as written, external."""
    return (ref, "a", "href", None, T)


def check_site(c, site, res, prefix, mode, site_dir, above_root=None):
    fold = fold_index if mode == "file" else (lambda p: p)
    recs = {}
    for r in res.records:
        u = r["url"]
        if u.startswith(prefix):
            recs["/" + u[len(prefix):]] = r
    tag = "%s %s" % (mode, site)

    def rec(path):
        path = fold(path)
        r = recs.get(path)
        c.check(r is not None, "%s: record for %s present" % (tag, path))
        return r

    def links(path, want, what="links"):
        r = rec(path)
        if r is not None:
            want = [(fold(w[0]),) + tuple(w[1:]) for w in want]
            c.multiset_eq(link_tuples(r, prefix), want, "%s: %s of %s" % (tag, what, path))

    def text_of(path, url):
        r = recs.get(path)
        if r is None:
            return None
        for l in r["links"]:
            if l["url"] == prefix + url.lstrip("/") or l["url"] == url:
                return l["text"]
        return None

    def no_record(path, why):
        c.check(path not in recs, "%s: no record for %s (%s)" % (tag, path, why))

    # every HTML page fetched OK is text/html; non-HTML resources have no links
    for path, r in sorted(recs.items()):
        p = path.split("?")[0]
        if r["status"] == 200 and (p.endswith(".html") or p.endswith("/") or r["redirects"]):
            c.eq(r["content_type"], "text/html", "%s: content_type of %s" % (tag, path))
            c.eq(r["error"], None, "%s: error of %s" % (tag, path))
            c.eq(r["reason"], None, "%s: reason of %s" % (tag, path))
            c.check(r["bytes"] > 0, "%s: bytes of %s > 0" % (tag, path), "got %r" % r["bytes"])

    if site == "blog":
        r = rec("/")
        if r:
            c.eq(r["title"], "Notes from the Field", "%s: title of /" % tag)
        links("/", [
            ("/css/style.css", "link", "href", "stylesheet", F),
            _a("/"),  # #top
            _a("/about.html"), _a("/archive.html"),
            _a("/posts/post1.html"), _a("/posts/post2.html"),  # post2.html#comments
            _a("https://example.org/blogroll", T),
            _x("javascript:void(0)"), _x("mailto:author@example.com"),
        ])
        c.eq(text_of("/", "/posts/post2.html"), "Hiking the ridge trail",
             "%s: whitespace-collapsed anchor text" % tag)
        # <base href="posts/">: relative links resolve against /posts/
        links("/archive.html", [
            ("/css/style.css", "link", "href", "stylesheet", F),
            _a("/posts/post1.html"), _a("/posts/post3.html"), _a("/posts/post4.html"),
            _a("/about.html"), _a("/index.html"),
        ], "links (<base href> applied)")
        c.eq(text_of("/archive.html", "/posts/post3.html"), "Winter bread",
             "%s: anchor text on archive.html" % tag)
        no_record("/post3.html", "would mean <base href> was ignored")
        links("/posts/post2.html", [
            ("/css/style.css", "link", "href", "stylesheet", F),
            _a("/index.html"), _a("/posts/post1.html"), _a("/posts/post3.html"),
            _a("/posts/post2.html"),  # #comments -> the page itself
        ])
        links("/about.html", [
            ("/css/style.css", "link", "href", "stylesheet", F),
            _a("/index.html"), _a("/contact.html"), _a("https://example.org/", T),
            _x("mailto:author@example.com?subject=hello"),
        ], "links (mailto: listed as unusable)")
        links("/contact.html", [("/thanks.html", "form", "action", None, F), _a("/thanks.html"),
                                _a("/"), _a("/about.html")],
              "links (a form action is listed, never followed)")
        links("/posts/post4.html", [
            _a("/index.html"), _a("/posts/post1.html"),
            _a("https://example.org/walkers?page=2", T),
        ])
        r = rec("/css/style.css")
        if r:
            c.eq(r["links"], [], "%s: a stylesheet is not parsed for links" % tag)
            c.eq(r["title"], None, "%s: a stylesheet has no title" % tag)
        r = rec("/thanks.html")
        if r:
            c.eq(r["depth"], 3, "%s: thanks.html is at depth 3" % tag)
            links("/thanks.html", [_a("/index.html")], "links of a leaf page at the depth limit")
        ext = [l for r in res.records for l in r["links"] if "example.org" in l["url"]]
        c.check(ext and all(l["external"] for l in ext),
                "%s: every example.org link is external" % tag, repr(ext))
        bad = [(l["url"], l["unusable"]) for r in res.records for l in r["links"]
               if l["url"].split(":")[0] not in ("http", "https", "file")]
        c.check(bad and all(why == "scheme" for _, why in bad),
                "%s: mailto:/javascript: links are listed as unusable (scheme)" % tag, repr(bad))
        ok = [l["url"] for r in res.records for l in r["links"]
              if l["unusable"] is None and l["url"].split(":")[0] not in ("http", "https", "file")]
        c.eq(ok, [], "%s: every usable link is http(s) or file" % tag)

    elif site == "docs":
        r = rec("/faq")
        if r:
            c.eq(r["redirects"], [{"url": prefix + "faq", "status": 301}],
                 "%s: redirect chain of /faq (directory without slash)" % tag)
            c.eq(r["final_url"], prefix + "faq/", "%s: final_url of /faq" % tag)
            c.eq(r["status"], 200, "%s: status of /faq after following the redirect" % tag)
            c.eq(r["title"], "FAQ", "%s: title of /faq" % tag)
            links("/faq", [_a("/faq/general.html"), _a("/guide/install.html")],
                  "links (resolved against the final URL faq/)")
        no_record("/faq/", "the slash form is a redirect hop of /faq")
        r = rec("/missing.html")
        if r:
            if mode == "file":
                c.eq((r["status"], r["error"]), (None, "not_found"),
                     "%s: (status, error) of a missing file" % tag)
            else:
                c.eq(r["status"], 404, "%s: status of a missing page" % tag)
            c.eq(r["links"], [], "%s: a missing page has no links" % tag)
            c.eq(r["reason"], None, "%s: reason of a missing page (it was attempted)" % tag)
        r = rec("/changelog.txt")
        if r:
            c.eq((r["status"], r["error"]), (200, None), "%s: status of changelog.txt" % tag)
            c.eq(r["links"], [], "%s: plain text is not parsed for links" % tag)
            if mode == "http":
                c.eq(r["content_type"], "text/plain", "%s: content_type of changelog.txt" % tag)
            else:
                c.check(r["content_type"] in (None, "text/plain"),
                        "%s: content_type of changelog.txt is text/plain or null" % tag,
                        "got %r" % r["content_type"])
            size = os.path.getsize(os.path.join(site_dir, "changelog.txt"))
            c.eq(r["bytes"], size, "%s: bytes of changelog.txt" % tag)
        no_record("/guide/hidden.html", "only mentioned inside a .txt file")
        links("/guide/install.html", [
            _a("/"), _a("/guide/"), _a("/guide/install.html"), _a("/guide/usage.html"),
            _a("/guide/advanced/"), _a("/changelog.txt"),
        ], "links (../, ./, self#frag, folder/)")
        links("/api/v1/", [
            _a("/index.html"), _a("/api/"), _a("/api/v1/endpoints.html"),
            _a("/api/v1/auth.html"), _a("/guide/usage.html"), _a("/api/v2/"),
        ], "links (dot-segments resolved)")
        links("/guide/advanced/", [
            _a("/"), _a("/guide/"), _a("/guide/advanced/tuning.html"), _a("/guide/install.html"),
        ], "links of a leaf page at the depth limit")
        no_record("/guide/advanced/tuning.html", "depth 4")
        no_record("/api/v1/errors.html", "depth 4")
        no_record("/deprecated.html", "depth 4")
        r = rec("/index.html")
        if r:
            c.eq(r["title"], "Widget Documentation", "%s: title of /index.html" % tag)

    elif site == "messy":
        r = rec("/")
        if r:
            c.eq(r["title"], "Messy & Co. Caf\u00e9",
                 "%s: title (entity decoded, whitespace collapsed, iso-8859-1 decoded)" % tag)
        if above_root is None:
            above = _a("/outside.html")  # HTTP: ../../ is clamped at /
        else:
            above = _a(above_root, T)
        links("/", [
            ("/page2.html", "link", "href", "next", F),
            _a("/tables.html"), _a("/frames.html"), _a("/map.html"),
            _a("/search.html?a=1&b=2"), _a("/unclosed.html"), _a("/outside.html"),
            above, _a("/"), ("/frame-content.html", "iframe", "src", None, F),
            _a("/tables.html"),  # tables.html#row2, in a table cell
            _x("javascript:alert('hi')"), _x(""), _x("data:text/html,hello"),
            _x("mailto:webmaster@example.com"),
        ], "links (uppercase, unquoted, single-quoted, &amp;, iframe, link rel, unusable)")
        c.eq(text_of("/", "/tables.html"), "Our TABLES", "%s: text of <A HREF>" % tag)
        c.eq(text_of("/", "/search.html?a=1&b=2"), "search results",
             "%s: text of the multi-line anchor" % tag)
        fakes = [l["url"] for r in res.records for l in r["links"]
                 if "commented" in l["url"] or "script-fake" in l["url"]]
        c.eq(fakes, [], "%s: no links from comments or <script> strings" % tag)
        no_record("/map.png", "an <img src>, listed but not fetched without -p")
        no_record("/commented.html", "only inside a comment")
        no_record("/script-fake.html", "only inside a script string")
        links("/tables.html", [_a("/chain1.html"), _a("/")], "links in table cells")
        links("/frames.html", [("/nav.html", "frame", "src", None, F),
                               ("/main.html", "frame", "src", None, F)], "frame links")
        links("/map.html", [("/map.png", "img", "src", None, F),
                            ("/area1.html", "area", "href", None, F),
                            ("/area2.html", "area", "href", None, F)], "image-map links")
        links("/page2.html", [("/", "link", "href", "prev", F),
                              ("/page3.html", "link", "href", "next", F)], "<link rel> links")
        links("/unclosed.html", [_a("/")], "links of a page with no closing tags")
        r = rec("/deep.html")
        if r:
            c.eq(r["depth"], 3, "%s: deep.html is at depth 3" % tag)
            c.eq(r["parent"], prefix + "chain1.html", "%s: parent of deep.html" % tag)
        links("/deep.html", [_a("/deeper.html")], "links of a leaf page at the depth limit")
        no_record("/deeper.html", "depth 4")
