#!/usr/bin/env python3
"""Write the hand-made seeds of corpus/{url,html,robots}/ (stdlib only).

    tests/fuzz/seed_from_testdata.py [TESTDATA_DIR]

url:  "BASE\\nREFERENCE" files (the layout fuzz_url.c reads): a spread of
      urltestdata.json entries with an http(s)/file base, plus our own.
html: one file per html_link_cases.json case (first byte 0x00: sniff the
      encoding, no link cap; the rest html_latin1 as latin-1 bytes), plus our
      own pages in other encodings and with link caps (see fuzz_html.c for
      the first byte).
robots: byte 0 picks the product token (see fuzz_robots.c), then the
      robots.txt: a spread of robots_cases.json matching cases (the case's
      path appended as a "# /path" comment line), plus our own.
The committed corpus is what the replay tests run; rerunning this rewrites
the seed_* files only (minimised finds are named otherwise)."""

import json
import os
import re
import sys
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
TESTDATA = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "..", "..", "..", "shared",
                                                                 "testdata")
URL_PICK = 24  # entries taken from urltestdata.json
ROBOTS_PICK = 20  # matching cases taken from robots_cases.json
ROBOTS_TOKENS = ["foobot", "FooBot", "crawl", "googlebot"]  # fuzz_robots.c's first four

OWN_URLS = [
    (b"http://h/a/b/c", b"../../../../x/%2e%2E/./y?q#f"),
    (b"http://h/a/", b"\\\\other\\p\\q"),
    (b"https://h:443/", b"//[::ffff:1.2.3.4]:0443/%7euser/%41%zz"),
    (b"http://h/", b"http://0x7f.1/ \t\r\n"),
    (b"file:///root/sub/", b"%2e%2e/%2E%2E/etc/hostname"),
    (b"http://user:pw@H:80/p", b"?"),
    (b"http://h/p?x", b""),
    (b"http://h/", b"javascript:alert(1)"),
    (b"http://h/", b"HTTP://EXAMPLE.COM:8080/A/../%62\xc3\xa9\x00z"),
    (b"", b"/relative/without/base"),
    (b"http://h/", b"http://h/" + b"a/" * 3000),
]

OWN_HTML = [
    # UTF-16LE as the caller's encoding
    (0x03, "<a href=/u16le>\u00e9</a><title>t\u20ac</title>".encode("utf-16-le")),
    (0x04, "\ufeff<a href=/u16be>x</a>".encode("utf-16-be")),
    (0x06, "<a href=/sjis>\u65e5\u672c</a>".encode("shift_jis")),
    (0x08, "<a href=/jis>\u65e5\u672c</a>".encode("iso2022_jp")),
    (0x0F, b"<base href=//b.example/q/><a href=x>unknown label</a>"),
    (0x80, b"<a href=1>1</a><a href=2>2</a><a href=3>3</a>"),  # cap 1
    (0x40, b"<area href=/no>"),  # cap 0
    (0xC0, b"<meta name=ROBOTS content='NoIndex'><link rel=' a  b ' href=/l>"
           b"<iframe src=/if></iframe><frameset><frame src=/fr></frameset>"),
    (0x00, b"<a href=/x>" + b"\xf0\x9f\x98\x80" * 80 + b"</a>"),
    (0x00, b"<!--><a href=/c>\x00<a/href=/s><a href='&#0;&#x110000;&#128;'>e</a>"),
]


OWN_ROBOTS = [
    (2, b"User-agent: crawl\nDisallow: /private\nAllow: /private/ok$\nCrawl-delay: 2.5\n"
        b"Sitemap: http://h/s.xml\n# /private/ok\n# /private/okay\n"),
    (0, b"\xef\xbb\xbfuser-agent: *\r\ndisallow: /*.php$\r\nallow: /%7Efoo/*\r\n"
        b"disallow: /~foo\r\n# /x.php\n# /~foo/bar\n# /%7efoo\n"),
    (4, b"User-agent: *\rDisallow: /\rUser-agent: foobot\rAllow: /\r"),
    (1, b"User-agent: FooBot/2.1\nUser-agent: other\n\nDisallow: /a\x00b\n"
        b"Disallow: /\xe2\x82\xac\nCrawl-delay: -3\nCrawl-delay: 1e400\n# /\xe2\x82\xac\n"),
    (7, b"Sitemap: a\n" * 40 + b"User-agent: bad token/1\nDisallow: /**$$*\n"),
    (5, b"User-agent: a-b_c-D\nDisallow:\nAllow: /$\nDisallow: /*?\n# /?q\n"),
]


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)


def main():
    udir = os.path.join(HERE, "corpus", "url")
    hdir = os.path.join(HERE, "corpus", "html")
    rdir = os.path.join(HERE, "corpus", "robots")
    for d in (udir, hdir, rdir):
        os.makedirs(d, exist_ok=True)

    for i, (base, ref) in enumerate(OWN_URLS):
        write(os.path.join(udir, "seed_own_%02d" % i), base + b"\n" + ref)
    for i, (lead, body) in enumerate(OWN_HTML):
        write(os.path.join(hdir, "seed_own_%02d" % i), bytes([lead]) + body)
    for i, (lead, body) in enumerate(OWN_ROBOTS):
        write(os.path.join(rdir, "seed_own_%02d" % i), bytes([lead]) + body)

    try:
        with open(os.path.join(TESTDATA, "urltestdata.json"), encoding="utf-8") as f:
            urls = json.load(f)
        with open(os.path.join(TESTDATA, "html_link_cases.json"), encoding="utf-8") as f:
            cases = json.load(f)["cases"]
        with open(os.path.join(TESTDATA, "robots_cases.json"), encoding="utf-8") as f:
            robots = json.load(f)["matching_cases"]
    except OSError as e:
        print("testdata absent (%s): only our own seeds written" % e)
        return 0

    usable = [u for u in urls if isinstance(u, dict) and isinstance(u.get("input"), str)
              and re.match(r"(?i)(https?|file):", u.get("base") or "")
              and "\n" not in (u.get("base") or "")]
    step = max(1, len(usable) // URL_PICK)
    for i, u in enumerate(usable[::step][:URL_PICK]):
        data = (u["base"] + "\n" + u["input"]).encode("utf-8", "surrogatepass")
        write(os.path.join(udir, "seed_wpt_%02d" % i), data)
    for c in cases:
        write(os.path.join(hdir, "seed_case_%s" % c["id"]),
              b"\x00" + c["html_latin1"].encode("latin-1"))
    step = max(1, len(robots) // ROBOTS_PICK)
    for i, c in enumerate(robots[::step][:ROBOTS_PICK]):
        ua = c.get("user_agent") or ""
        lead = ROBOTS_TOKENS.index(ua) if ua in ROBOTS_TOKENS else 0
        path = urllib.parse.urlsplit(c.get("url") or "")
        path = (path.path or "/") + ("?" + path.query if path.query else "")
        body = c["robots_txt"] + "\n# " + path + "\n"
        write(os.path.join(rdir, "seed_rfc_%02d" % i),
              bytes([lead]) + body.encode("utf-8", "surrogatepass"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
