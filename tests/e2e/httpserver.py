"""Local HTTP test server for the crawl end-to-end tests (stdlib only).

    from httpserver import TestServer
    with TestServer(root="/path/to/site", latency_ms=20) as srv:
        srv.add_route("/r1", lambda req: (302, {"Location": "/r2"}, b""))
        ... run crawl against srv.url("/") ...
        srv.requests()           # access log: list of LogEntry
        srv.max_open_connections # most connections open at the same time
        srv.max_inflight         # most requests being handled at the same time

Serves `root` (a directory, like python's http.server: `dir` -> 301 `dir/`,
`dir/` -> dir/index.html) over HTTP/1.1 with keep-alive. Every response has
a correct Content-Length, and error responses do NOT close the connection
(python's default send_error does), so that connection counts reflect the
client's behaviour. Binds 127.0.0.1 on an ephemeral port.

Dynamic routes: add_route(path, fn). `path` is matched against the request
path without the query string (an exact match on the full request target,
query included, is tried first). `fn(req)` gets a Request (method, path,
target, headers) and returns (status, headers, body) or (status, headers,
body, close): headers a dict or a list of (name, value) pairs, body bytes or
str (sent as is). Content-Length is added unless the route set it or a
Transfer-Encoding; close=True closes the connection after the response.
A route may sleep to simulate a slow page.
"""

import collections
import http.server
import os
import sys
import threading
import time
import urllib.parse

LogEntry = collections.namedtuple(
    "LogEntry", "method target path start end status conn user_agent")

Request = collections.namedtuple("Request", "method path target headers")


class _Handler(http.server.SimpleHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # headers and body are separate sends: without TCP_NODELAY, Nagle plus
    # the client's delayed ACK stall every response by milliseconds
    disable_nagle_algorithm = True
    timeout = 15  # idle keep-alive connections are dropped after this long

    def __init__(self, request, client_address, server):
        super().__init__(request, client_address, server, directory=server.owner.root)

    # connection accounting: setup/finish run once per TCP connection
    def setup(self):
        super().setup()
        self.conn_id = self.server.owner._conn_opened()

    def finish(self):
        try:
            super().finish()
        finally:
            self.server.owner._conn_closed()

    def log_message(self, fmt, *args):  # keep test output quiet
        pass

    def send_error(self, code, message=None, explain=None):
        """Like the base class, but keeps the connection alive."""
        try:
            short, _long = self.responses[code]
        except KeyError:
            short = "Error"
        body = ("<html><head><title>%d %s</title></head><body>%d %s</body></html>\n"
                % (code, short, code, short)).encode()
        self.send_response(code, message or short)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def send_response(self, code, message=None):
        self._status = code
        super().send_response(code, message)

    def end_headers(self):
        # The request stops counting as in flight once its response is
        # committed: before the client can have it all, so a client that
        # starts its next request on receipt is never over-counted.
        if not self._committed:
            self._committed = True
            self.server.owner._req_committed()
        super().end_headers()

    def _dispatch(self, base_method):
        owner = self.server.owner
        start = time.monotonic()
        self._status = None
        self._committed = False
        owner._req_started()
        try:
            path = urllib.parse.urlsplit(self.path).path
            delay = owner.latency_ms + owner.path_latency_ms.get(path, 0)
            if delay:
                time.sleep(delay / 1000.0)
            route = owner.routes.get(self.path) or owner.routes.get(path)
            if route is not None:
                self._serve_route(route, path)
            else:
                base_method()
        finally:
            if not self._committed:
                self._committed = True
                owner._req_committed()
            owner._req_finished(LogEntry(
                self.command, self.path, urllib.parse.urlsplit(self.path).path,
                start, time.monotonic(), self._status, self.conn_id,
                self.headers.get("User-Agent")))

    def _serve_route(self, route, path):
        result = route(Request(self.command, path, self.path, self.headers))
        status, headers, body = result[:3]
        if len(result) > 3 and result[3]:
            self.close_connection = True  # e.g. a body shorter than announced
        if isinstance(body, str):
            body = body.encode("utf-8")
        body = body or b""
        items = list(headers.items()) if isinstance(headers, dict) else list(headers or [])
        self.send_response(status)
        names = {k.lower() for k, _ in items}
        if "content-length" not in names and "transfer-encoding" not in names:
            items.append(("Content-Length", str(len(body))))
        for k, v in items:
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_GET(self):
        self._dispatch(super().do_GET)

    def do_HEAD(self):
        self._dispatch(super().do_HEAD)


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def handle_error(self, request, client_address):
        # the client gave up on a slow response (e.g. --timeout): not an error
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, TimeoutError)):
            return
        super().handle_error(request, client_address)


class TestServer:
    def __init__(self, root=None, latency_ms=0, routes=None, host="127.0.0.1"):
        self.host = host  # any 127.x address: a distinct host for crawl
        self.root = os.path.abspath(root) if root else os.getcwd()
        self.latency_ms = latency_ms
        self.path_latency_ms = {}  # path -> extra ms for that path only
        self.routes = dict(routes or {})
        self._lock = threading.Lock()
        self._log = []
        self.open_connections = 0
        self.max_open_connections = 0
        self.total_connections = 0
        self.inflight = 0
        self.max_inflight = 0
        self.handling = 0  # committed, not yet logged
        self._httpd = None
        self._thread = None

    # --- public API ---------------------------------------------------
    def add_route(self, path, fn):
        self.routes[path] = fn

    def set_path_latency(self, path, ms):
        self.path_latency_ms[path] = ms

    def start(self):
        self._httpd = _Server((self.host, 0), _Handler)
        self._httpd.owner = self
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever,
                                        kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def stop(self):
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._thread.join(timeout=5)
            self._httpd = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
        return False

    @property
    def base(self):
        return "http://%s:%d" % (self.host, self.port)

    def url(self, path="/"):
        return self.base + path

    def requests(self, settle_s=5.0):
        """The access log. A handler logs its request after writing the
        response, so the client can exit before the entry lands: wait
        (bounded) until no request is in flight."""
        deadline = time.monotonic() + settle_s
        while True:
            with self._lock:
                if (self.inflight == 0 and self.handling == 0) or time.monotonic() >= deadline:
                    return list(self._log)
            time.sleep(0.01)

    def reset_stats(self):
        with self._lock:
            self._log = []
            self.max_open_connections = self.open_connections
            self.max_inflight = self.inflight
            self.total_connections = 0

    def fetch_counts(self, method="GET"):
        """Counter of request targets (path + query) for one method."""
        return collections.Counter(e.target for e in self.requests() if e.method == method)

    # --- bookkeeping (handler threads) --------------------------------
    def _conn_opened(self):
        with self._lock:
            self.open_connections += 1
            self.total_connections += 1
            self.max_open_connections = max(self.max_open_connections, self.open_connections)
            return self.total_connections

    def _conn_closed(self):
        with self._lock:
            self.open_connections -= 1

    def _req_started(self):
        with self._lock:
            self.inflight += 1
            self.max_inflight = max(self.max_inflight, self.inflight)

    def _req_committed(self):
        with self._lock:
            self.inflight -= 1
            self.handling += 1

    def _req_finished(self, entry):
        with self._lock:
            self.handling -= 1
            self._log.append(entry)


def redirect(location, status=302):
    """Route helper: a redirect to `location`."""
    return lambda req: (status, {"Location": location}, b"")


def page(body, status=200, content_type="text/html; charset=utf-8", delay_s=0):
    """Route helper: a fixed body (optionally after a delay)."""
    def fn(req):
        if delay_s:
            time.sleep(delay_s)
        return status, {"Content-Type": content_type}, body
    return fn


def chunked(body, size=7):
    """Encode body with chunked transfer coding (for a route's body)."""
    out = b""
    for i in range(0, len(body), size):
        part = body[i:i + size]
        out += b"%x\r\n%s\r\n" % (len(part), part)
    return out + b"0\r\n\r\n"


if __name__ == "__main__":  # manual use: python3 httpserver.py DIR
    import sys
    with TestServer(sys.argv[1] if len(sys.argv) > 1 else ".") as s:
        print("serving on", s.url("/"), flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
