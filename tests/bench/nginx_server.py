"""Serve a generated site with nginx on 127.0.0.1, as the current user.

Owns: a temp prefix (config, pid file, logs, temp paths), the nginx master
and its worker, the access log. Touches no system config: nginx runs with
`-p PREFIX -c nginx.conf`, `daemon off`, and is stopped by its own pid.

Latency: with delay_ms > 0 every request first goes through the echo
module's `echo_sleep` (a timer, not a blocked worker) and then `echo_exec`
to a named location that serves the file, so the delay applies to every
URL, query or not, and to 404s. check_latency() verifies it from the log.
"""

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time

ECHO_MODULE = "/usr/lib/nginx/modules/ngx_http_echo_module.so"
NGINX = "/usr/sbin/nginx"

# $msec: log time (end of the request, seconds with ms); $request_time: seconds
# with ms since the first byte of the request was read.
LOG_FORMAT = '$msec $request_time $connection $connection_requests $status $body_bytes_sent "$request_uri"'


def free_port(preferred):
    """`preferred` when it can be bound on 127.0.0.1, else one the kernel picks."""
    for port in (preferred, 0):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(("127.0.0.1", port))
            return s.getsockname()[1]
        except OSError:
            continue
        finally:
            s.close()
    raise RuntimeError("no free port on 127.0.0.1")


def nginx_conf(prefix, root, port, delay_ms):
    if delay_ms > 0:
        location = """
        location / {
            echo_sleep %.3f;
            echo_exec @file;
        }
        location @file {
            try_files $uri $uri/index.html =404;
        }""" % (delay_ms / 1000.0)
        load = "load_module %s;\n" % ECHO_MODULE
    else:
        location = """
        location / {
            try_files $uri $uri/index.html =404;
        }"""
        load = ""
    return """%(load)sworker_processes 1;
daemon off;
master_process on;
pid %(prefix)s/nginx.pid;
error_log %(prefix)s/error.log warn;
events {
    worker_connections 4096;
    multi_accept on;
}
http {
    default_type text/html;
    types { text/html html; text/css css; }
    charset utf-8;
    sendfile on;
    tcp_nopush on;
    tcp_nodelay on;
    keepalive_timeout 65;
    keepalive_requests 1000000;
    server_tokens off;
    client_body_temp_path %(prefix)s/tmp_body;
    proxy_temp_path %(prefix)s/tmp_proxy;
    fastcgi_temp_path %(prefix)s/tmp_fastcgi;
    uwsgi_temp_path %(prefix)s/tmp_uwsgi;
    scgi_temp_path %(prefix)s/tmp_scgi;
    log_format bench '%(fmt)s';
    access_log %(prefix)s/access.log bench;
    server {
        listen 127.0.0.1:%(port)d reuseport backlog=4096;
        server_name bench;
        root %(root)s;%(location)s
    }
}
""" % {"load": load, "prefix": prefix, "port": port, "root": root, "fmt": LOG_FORMAT, "location": location}


class NginxServer:
    """with NginxServer(root, port, delay_ms) as srv: ... srv.take_log() ..."""

    def __init__(self, root, port, delay_ms=0):
        self.root = os.path.abspath(root)
        self.port = port
        self.delay_ms = delay_ms
        self.prefix = tempfile.mkdtemp(prefix="crawl-bench-nginx-")
        self.proc = None
        self.log_path = os.path.join(self.prefix, "access.log")
        self.log_offset = 0

    def start(self):
        conf = os.path.join(self.prefix, "nginx.conf")
        with open(conf, "w") as f:
            f.write(nginx_conf(self.prefix, self.root, self.port, self.delay_ms))
        errf = open(os.path.join(self.prefix, "stderr.log"), "wb")
        self.proc = subprocess.Popen([NGINX, "-p", self.prefix, "-c", conf], stdin=subprocess.DEVNULL,
                                     stdout=errf, stderr=errf)
        errf.close()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("nginx exited: %s" % self._errors())
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return self
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError("nginx did not listen on 127.0.0.1:%d: %s" % (self.port, self._errors()))

    def _errors(self):
        out = []
        for name in ("stderr.log", "error.log"):
            try:
                with open(os.path.join(self.prefix, name), errors="replace") as f:
                    out.append(f.read()[-2000:])
            except OSError:
                pass
        return " ".join(out).strip()

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGQUIT)  # graceful: finish, flush, exit
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.proc = None

    def cleanup(self):
        self.stop()
        shutil.rmtree(self.prefix, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.cleanup()

    def url(self, path="/"):
        return "http://127.0.0.1:%d%s" % (self.port, path)

    def take_log(self):
        """Access-log entries written since the last call (unbuffered log)."""
        with open(self.log_path, "rb") as f:
            f.seek(self.log_offset)
            data = f.read()
        end = data.rfind(b"\n") + 1
        self.log_offset += end
        entries = []
        for line in data[:end].decode("utf-8", "replace").splitlines():
            entries.append(parse_log_line(line))
        return entries


def parse_log_line(line):
    head, _, uri = line.partition(' "')
    msec, rtime, conn, creq, status, sent = head.split()
    end = float(msec)
    rt = float(rtime)
    return {"end": end, "start": end - rt, "rtime": rt, "conn": int(conn), "creq": int(creq),
            "status": int(status), "bytes": int(sent), "uri": uri[:-1] if uri.endswith('"') else uri}


def check_latency(entries, delay_ms):
    """(ok, min request_time ms, count): every request took at least the delay."""
    if not entries:
        return False, None, 0
    mn = min(e["rtime"] for e in entries) * 1000.0
    # nginx's clock has 1 ms steps: allow one step of rounding
    return mn >= delay_ms - 1, mn, len(entries)
