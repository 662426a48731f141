#!/usr/bin/env python3
"""Request controls (issue 12, item 1), against scripted servers on
127.0.0.1 and 127.0.0.2:

- --header: a page that answers 403 without the header;
- cookies: a page that needs the cookie an earlier page set (kept by
  default, not with --no-cookies), --load-cookies, --save-cookies;
- --user/--password: Basic credentials reach the start host, and not the
  other host its robots.txt redirects to;
- TLS: a self-signed certificate fails (error tls) unless
  --no-check-certificate or --ca-certificate;
- --proxy and http_proxy: requests go through a forward proxy;
- usage errors for bad values.
"""

import base64
import http.server
import json
import os
import shutil
import socket
import socketserver
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e2elib import (Checker, ThreadedSite, check_run_ok, free_port, parse_args,  # noqa: E402
                    run_crawl)


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def log_message(self, *a):
        pass

    def do_HEAD(self):
        self.do_GET()

    def do_GET(self):
        srv = self.server
        with srv.lock:
            srv.log.append((self.path, dict(self.headers.items()), self.command))
        fn = srv.routes.get(urllib.parse.urlsplit(self.path).path)
        if srv.proxy_to_origin and self.path.startswith("http://"):
            fn = proxy_route
        status, headers, body = fn(self) if fn else (404, {}, "not here")
        body = body.encode() if isinstance(body, str) else body
        self.send_response(status)
        headers.setdefault("Content-Type", "text/html; charset=utf-8")
        for k, v in headers.items():
            for one in v if isinstance(v, list) else [v]:
                self.send_header(k, one)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


def proxy_route(h):
    """A forward proxy: fetch the absolute URL from its origin."""
    try:
        with urllib.request.urlopen(h.path, timeout=10) as r:
            return r.status, {"Content-Type": r.headers.get("Content-Type", "text/html")}, r.read()
    except urllib.error.HTTPError as e:
        return e.code, {}, e.read()


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        pass  # TLS handshakes the crawl refuses end here


class Site(ThreadedSite):
    def __init__(self, routes, host="127.0.0.1", tls=None, proxy=False):
        self.srv = Server((host, 0), Handler)
        self.srv.routes, self.srv.log, self.srv.lock = routes, [], threading.Lock()
        self.srv.proxy_to_origin = proxy
        self.scheme = "http"
        if tls:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(*tls)
            self.srv.socket = ctx.wrap_socket(self.srv.socket, server_side=True)
            self.scheme = "https"
        self.host = host

    def log(self):
        with self.srv.lock:
            return list(self.srv.log)


def page(body, status=200, headers=None):
    return lambda h: (status, dict(headers or {}), body)


def statuses(res, site):
    base = site.url("")
    return {r["url"][len(base):]: (r["status"], r["error"]) for r in res.records}


def test_header(c, args):
    what = "--header"

    def gated(h):
        ok = h.headers.get("X-Token") == "t0k"
        return (200, {}, "<title>in</title>") if ok else (403, {}, "no")

    routes = {"/": page("<a href='/secret'>s</a>"), "/secret": gated,
              "/robots.txt": page("", 404)}
    with Site(routes) as site:
        res = run_crawl(args.crawl, ["--header", "X-Token: t0k", site.url("/")])
        if check_run_ok(c, res, what):
            c.eq(statuses(res, site).get("/secret"), (200, None), "%s: the gated page" % what)
        res = run_crawl(args.crawl, [site.url("/")])
        if check_run_ok(c, res, what + " (without)"):
            c.eq(statuses(res, site).get("/secret"), (403, None), "%s: without it, 403" % what)
        res = run_crawl(args.crawl, ["--header", "User-Agent: mine/1", site.url("/")])
        uas = {hd.get("User-Agent") for p, hd, m in site.log()[-3:]}
        c.eq(uas, {"mine/1"}, "%s: replaces a header crawl sends" % what)


def test_cookies(c, args, tmp):
    what = "cookies"

    def members(h):
        ok = "sess=abc" in (h.headers.get("Cookie") or "")
        return (200, {}, "<title>members</title>") if ok else (403, {}, "log in first")

    routes = {"/": page("<a href='/members'>m</a>",
                        headers={"Set-Cookie": "sess=abc; Path=/"}),
              "/members": members, "/robots.txt": page("", 404)}
    with Site(routes) as site:
        jar = os.path.join(tmp, "jar.txt")
        res = run_crawl(args.crawl, ["--save-cookies", jar, site.url("/")])
        if check_run_ok(c, res, what):
            c.eq(statuses(res, site).get("/members"), (200, None),
                 "%s: the cookie set by / is sent to /members" % what)
            text = open(jar).read() if os.path.exists(jar) else ""
            c.check("sess\tabc" in text and text.startswith("# Netscape"),
                    "%s: --save-cookies writes a Netscape cookie file" % what, text[:300])
        res = run_crawl(args.crawl, ["--no-cookies", site.url("/")])
        if check_run_ok(c, res, what + " (--no-cookies)"):
            c.eq(statuses(res, site).get("/members"), (403, None),
                 "%s: --no-cookies sends none" % what)
        # straight to /members with a jar written before
        res = run_crawl(args.crawl, ["-d", "0", "--load-cookies", jar, site.url("/members")])
        if check_run_ok(c, res, what + " (--load-cookies)"):
            c.eq(statuses(res, site).get("/members"), (200, None),
                 "%s: --load-cookies sends the saved cookie" % what)
    res = run_crawl(args.crawl, ["--load-cookies", os.path.join(tmp, "none.txt"),
                                 "http://127.0.0.1:1/"])
    c.check(res.rc == 2 and "--load-cookies" in res.err, "--load-cookies of a missing file: "
            "usage error", res.describe())


def test_auth(c, args):
    what = "--user/--password"
    token = "Basic " + base64.b64encode(b"ann:s3cret").decode()

    def protected(body):
        def fn(h):
            if h.headers.get("Authorization") == token:
                return 200, {}, body
            return 401, {"WWW-Authenticate": 'Basic realm="x"'}, "who?"
        return fn

    with Site({"/robots.txt": page(""), "/q": page("<title>q</title>")}, host="127.0.0.2") as other:
        routes = {"/": protected("<a href='/p'>p</a><a href='%s'>q</a>" % other.url("/q")),
                  "/p": protected("<title>p</title>"),
                  "/robots.txt": lambda h: (302, {"Location": other.url("/robots.txt")}, "")}
        with Site(routes) as site:
            # one connection: the handle that fetched an authenticated page
            # is free when the other host's page starts, and must not serve it
            res = run_crawl(args.crawl, ["--user", "ann", "--password", "s3cret", "-c", "1",
                                         "--domains", "127.0.0.2", site.url("/")])
            if check_run_ok(c, res, what):
                c.eq(statuses(res, site), {"/": (200, None), "/p": (200, None), "/q": (200, None)},
                     "%s: the start host's pages and the other host's" % what)
            sent = {p: hd.get("Authorization") for p, hd, m in other.log()}
            c.check(set(sent) == {"/robots.txt", "/q"} and not any(sent.values()),
                    "%s: not sent to the host robots.txt redirects to, nor to another host's "
                    "page" % what, "requests there: %r" % sent)
            res = run_crawl(args.crawl, [site.url("/")])
            if check_run_ok(c, res, what + " (without)"):
                c.eq(statuses(res, site).get("/"), (401, None), "%s: without them, 401" % what)
    res = run_crawl(args.crawl, ["--password", "x", "http://127.0.0.1:1/"])
    c.check(res.rc == 2 and "--password" in res.err, "--password without --user: usage error",
            res.describe())


def make_cert(tmp):
    if not shutil.which("openssl"):
        return None
    cert, key = os.path.join(tmp, "cert.pem"), os.path.join(tmp, "key.pem")
    r = subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                        "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                        "-keyout", key, "-out", cert], capture_output=True)
    return (cert, key) if r.returncode == 0 else None


def test_tls(c, args, tmp):
    what = "self-signed TLS"
    pair = make_cert(tmp)
    if not pair:
        print("SKIP: %s: the openssl command is missing (scripts/deps.sh installs it)" % what)
        return
    routes = {"/": page("<a href='/a'>a</a>"), "/a": page("<title>a</title>"),
              "/robots.txt": page("", 404)}
    with Site(routes, tls=pair) as site:
        res = run_crawl(args.crawl, [site.url("/")])
        c.check(res.rc == 4 and "TLS" in res.err, "%s: refused by default, exit 4" % what,
                res.describe())
        c.eq(statuses(res, site).get("/"), (None, "tls"), "%s: refused by default" % what)
        for extra in (["--no-check-certificate"], ["--ca-certificate", pair[0]],
                      ["--ca-certificate", pair[0], "--http1.1"]):
            res = run_crawl(args.crawl, extra + [site.url("/")])
            if check_run_ok(c, res, "%s %s" % (what, extra[0])):
                c.eq(statuses(res, site), {"/": (200, None), "/a": (200, None)},
                     "%s with %s" % (what, " ".join(extra)))


NGINX_CONF = """daemon off;
%(user)s
worker_processes 1;
error_log %(tmp)s/error.log;
pid %(tmp)s/nginx.pid;
events { worker_connections 64; }
http {
    log_format proto '$request_uri $server_protocol';
    access_log %(tmp)s/access.log proto;
    client_body_temp_path %(tmp)s/body;
    proxy_temp_path %(tmp)s/proxy;
    fastcgi_temp_path %(tmp)s/fastcgi;
    uwsgi_temp_path %(tmp)s/uwsgi;
    scgi_temp_path %(tmp)s/scgi;
    types { text/html html; }
    server {
        listen 127.0.0.1:%(port)d ssl http2;
        ssl_certificate %(cert)s;
        ssl_certificate_key %(key)s;
        root %(root)s;
    }
}
"""


def test_http2(c, args, tmp):
    """HTTP/2 where a TLS server offers it (nginx here); --http1.1 keeps
    to HTTP/1.1. What the server saw is read from its access log."""
    what = "HTTP/2"
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    pair = make_cert(tmp)
    if not os.path.exists(nginx) or not pair:
        c.check(False, "%s: nginx and openssl are installed (scripts/deps.sh)" % what)
        return
    d = os.path.join(tmp, "h2")
    root = os.path.join(d, "root")
    os.makedirs(root)
    with open(os.path.join(root, "index.html"), "w") as f:
        f.write("<a href='/a.html'>a</a>")
    with open(os.path.join(root, "a.html"), "w") as f:
        f.write("<title>a</title>")
    port = free_port("127.0.0.1")
    conf = os.path.join(d, "nginx.conf")
    with open(conf, "w") as f:
        # as root, nginx's workers would drop to nobody and not read tmp
        user = "user root;" if os.geteuid() == 0 else ""
        f.write(NGINX_CONF % {"tmp": d, "port": port, "cert": pair[0], "key": pair[1],
                              "root": root, "user": user})
    proc = subprocess.Popen([nginx, "-p", d, "-c", conf, "-e", os.path.join(d, "error.log")],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        url = "https://127.0.0.1:%d/" % port
        log = os.path.join(d, "access.log")
        for extra, proto in (([], "HTTP/2.0"), (["--http1.1"], "HTTP/1.1")):
            open(log, "w").close()
            res = run_crawl(args.crawl, ["--no-robots", "--ca-certificate", pair[0]] + extra +
                            [url])
            if not check_run_ok(c, res, "%s %s" % (what, extra)):
                continue
            time.sleep(0.2)  # nginx writes its log line after the response
            with open(log) as f:
                seen = sorted(set(line.split()[1] for line in f if line.strip()))
            c.eq(len(res.records), 2, "%s %s: both pages recorded" % (what, extra))
            c.eq(seen, [proto], "%s: the server saw %s %s" % (what, proto,
                                                                 " ".join(extra) or "by default"))
    finally:
        proc.terminate()
        proc.wait()


def test_proxy(c, args):
    what = "proxy"
    routes = {"/": page("<a href='/a'>a</a>"), "/a": page("<title>a</title>"),
              "/robots.txt": page("", 404)}
    with Site(routes) as site, Site({}, proxy=True) as proxy:
        res = run_crawl(args.crawl, ["--proxy", proxy.url(""), site.url("/")])
        if check_run_ok(c, res, what):
            c.eq(statuses(res, site), {"/": (200, None), "/a": (200, None)}, "%s: records" % what)
        through = sorted(p[len(site.url("")):] for p, hd, m in proxy.log())
        c.eq(through, ["/", "/a", "/robots.txt"], "--proxy: every request went through it")
        env = dict(os.environ, http_proxy=proxy.url(""))
        n0 = len(proxy.log())
        p = subprocess.run([args.crawl, site.url("/")], env=env, capture_output=True, timeout=60)
        c.eq((p.returncode, len(proxy.log()) - n0), (0, 3), "http_proxy: obeyed")


def test_usage(c, args):
    for bad in (["--header", "NoColon"], ["--header", "Bad Name: x"], ["--user", "a:b"],
                ["--no-cookies", "--save-cookies", "/tmp/x"],
                ["--ca-certificate", "/nonexistent.pem"]):
        res = run_crawl(args.crawl, bad + ["http://127.0.0.1:1/"], timeout=30)
        c.check(res.rc == 2 and not res.out and res.err.strip(),
                "%s: usage error" % " ".join(bad), res.describe())


def main():
    args = parse_args(__doc__.split("\n")[0])
    c = Checker(args.verbose)
    with tempfile.TemporaryDirectory() as tmp:
        test_header(c, args)
        test_cookies(c, args, tmp)
        test_auth(c, args)
        test_tls(c, args, tmp)
        test_http2(c, args, tmp)
        test_proxy(c, args)
        test_usage(c, args)
    return c.finish()


if __name__ == "__main__":
    sys.exit(main())
