#!/usr/bin/env python3
"""A cluster crawl (issue 11): several crawl processes sharing one frontier
in a real redis-server (started here on a free port, scratch directory),
against real HTTP servers on 127.0.0.1, 127.0.0.2 and 127.0.0.3.

- three nodes equal one process: the union of their -o files is the
  single-process crawl's records (same URLs, depths, statuses, reasons,
  parents), no URL twice, no URL fetched twice (server logs), robots.txt
  fetched once per host; the site has a shorter path found late (a slow
  page), so a depth is lowered and a page re-expanded across nodes;
- per-host politeness across nodes: the server never handles more than
  --per-host requests at once, with three nodes on one host;
- a node SIGKILLed mid-crawl and a new node joining: the job completes,
  the union equals one process, and only URLs the dead node had taken are
  fetched twice;
- Redis killed and restarted mid-crawl (appendonly, fsync always): the
  nodes wait, reconnect and finish; nothing lost;
- errors: Redis unreachable (exit 1, says so), a job started with other
  options (refused, names the difference), --status.
"""

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from e2elib import Checker, free_port, parse_args, run_crawl, write_sections_site  # noqa: E402
from httpserver import TestServer, redirect  # noqa: E402

REDIS = shutil.which("redis-server")


class Redis:
    """A scratch redis-server on 127.0.0.1:port, data in a temp dir."""

    def __init__(self, tmp, appendonly=False):
        self.dir = os.path.join(tmp, "redis")
        os.makedirs(self.dir, exist_ok=True)
        self.port = free_port("127.0.0.1")
        self.appendonly = appendonly
        self.proc = None

    def start(self):
        args = [REDIS, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", self.dir,
                "--save", "", "--daemonize", "no", "--protected-mode", "no",
                "--logfile", os.path.join(self.dir, "log")]
        if self.appendonly:
            args += ["--appendonly", "yes", "--appendfsync", "always"]
        self.proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                import socket
                s = socket.create_connection(("127.0.0.1", self.port), timeout=0.2)
                s.sendall(b"PING\r\n")
                if s.recv(16).startswith(b"+PONG"):
                    s.close()
                    return self
                s.close()
            except OSError:
                pass
            time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.kill()

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    @property
    def url(self):
        return "redis://127.0.0.1:%d" % self.port


def redis_cmd(port, *args):
    """One command over RESP; the first line of the answer."""
    import socket
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    msg = "*%d\r\n" % len(args) + "".join("$%d\r\n%s\r\n" % (len(a.encode()), a)
                                         for a in args)
    s.sendall(msg.encode())
    out = s.recv(4096).decode(errors="replace")
    s.close()
    return out


@contextlib.contextmanager
def stopping(servers):
    """The servers (started) are stopped at the end of the block."""
    try:
        yield servers
    finally:
        for s in servers:
            s.stop()


def html(title, links):
    return "<html><head><title>%s</title></head><body>%s</body></html>" % (
        title, "".join('<a href="%s">%s</a> ' % (u, u) for u in links))


def make_site(root, n_sections, n_leaves, extra=True):
    os.makedirs(root)
    home = ["/slow.html", "/a.html", "/private/x.html", "/nf.html", "/moved.html",
            "/jump.html", "/away.html"] if extra else []
    write_sections_site(root, n_sections, n_leaves, html, home_links=home)
    if not extra:
        return
    # a late shorter path: /deep.html is first found at depth 3 (a, b),
    # then at depth 2 through the slow page; /deeper.html (linked from
    # deep) exists at -d 3 only once deep's depth was lowered
    pages = {"a.html": ["/b.html"], "b.html": ["/deep.html"], "slow.html": ["/deep.html"],
             "deep.html": ["/deeper.html"], "deeper.html": ["/"],
             "private/x.html": ["/"],
             "nf.html": ['/nofollowed.html" rel="nofollow', "/missing.html"]}
    for name, links in pages.items():
        os.makedirs(os.path.dirname(os.path.join(root, name)), exist_ok=True)
        with open(os.path.join(root, name), "w") as f:
            f.write(html(name, links))
    with open(os.path.join(root, "nofollowed.html"), "w") as f:
        f.write(html("nofollowed", []))
    with open(os.path.join(root, "moved-target.html"), "w") as f:
        f.write(html("moved here", ["/moved-child.html"]))
    with open(os.path.join(root, "moved-child.html"), "w") as f:
        f.write(html("child of a redirect target", []))
    # reached only by a redirect from another site (add_redirects)
    with open(os.path.join(root, "landing.html"), "w") as f:
        f.write(html("landing", ["/landing-child.html"]))
    with open(os.path.join(root, "landing-child.html"), "w") as f:
        f.write(html("child of a page on another host", []))


def add_redirects(srv, other):
    """/moved.html -> a page linked nowhere else (fetched as a hop of the
    chain); /jump.html -> /s0.html, known already (the chain stops);
    /away.html -> /landing.html on another host (the chain goes on there,
    at whichever node leases that host)."""
    srv.add_route("/moved.html", redirect("/moved-target.html"))
    srv.add_route("/jump.html", redirect("/s0.html"))
    srv.add_route("/away.html", redirect(other.url("/landing.html")))


def records_of(paths):
    """Every parseable record line of the files (a killed node's last line
    may be torn)."""
    out = []
    for p in paths:
        if not os.path.exists(p):
            continue
        with open(p, encoding="utf-8") as f:
            for line in f:
                try:
                    out.append(json.loads(line))
                except ValueError:
                    pass
    return out


def wait_records(paths, n, timeout=60):
    """Until the -o files in paths hold n records between them (or timeout s)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and len(records_of(paths)) < n:
        time.sleep(0.05)


def key(r):
    return (r["url"], r["depth"], r.get("status"), r.get("reason"), r.get("error"),
            r.get("parent"), r.get("final_url"), json.dumps(r.get("redirects")))


def start_node(crawl, redis, job, starts, out, extra=(), err=None):
    args = [crawl, "--no-progress", "-d", "3", "--redis", redis.url, "--job", job, "-o", out,
            "--lease", "2"] + list(extra) + starts
    return subprocess.Popen(args, stdout=subprocess.DEVNULL,
                            stderr=err if err is not None else subprocess.PIPE)


def wait_all(procs, timeout=120):
    deadline = time.monotonic() + timeout
    rcs = []
    for p in procs:
        try:
            p.wait(timeout=max(1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
        rcs.append(p.returncode)
    return rcs


def single(crawl, starts, extra=()):
    res = run_crawl(crawl, ["-q", "-d", "3"] + list(extra) + starts, timeout=120)
    return [json.loads(l) for l in res.out.splitlines() if l.strip()]


def gets(servers):
    """Counter of (host, target) GETs over all servers."""
    import collections
    c = collections.Counter()
    for s in servers:
        for e in s.requests():
            if e.method == "GET":
                c[(s.host, e.target)] += 1
    return c


def test_equal(c, crawl, tmp):
    servers = []
    for i, host in enumerate(["127.0.0.1", "127.0.0.2", "127.0.0.3"]):
        root = os.path.join(tmp, "site%d" % i)
        make_site(root, 4, 12)
        s = TestServer(root=root, latency_ms=5, host=host).start()
        s.set_path_latency("/slow.html", 1500)
        servers.append(s)
    for i, s in enumerate(servers):
        add_redirects(s, servers[(i + 1) % len(servers)])
    with stopping(servers):
        starts = [s.url("/") for s in servers]
        extra = ["--exclude", "/private/"]
        want = single(crawl, starts, extra)
        c.check(any(r["url"].endswith("/deeper.html") and r["depth"] == 3 for r in want),
                "the site has a lowered depth (deeper.html at depth 3)", None)
        c.check(any(r["url"].endswith("/moved.html") and r.get("status") == 200 and
                    r.get("final_url", "").endswith("/moved-target.html") for r in want) and
                any(r["url"].endswith("/moved-child.html") for r in want) and
                any(r["url"].endswith("/jump.html") and r.get("status") == 302 and
                    r.get("final_url", "").endswith("/s0.html") for r in want),
                "the site has a followed redirect chain and one ending at a known page",
                [r for r in want if "moved" in r["url"] or "jump" in r["url"]])
        c.check(sum(1 for r in want if r["url"].endswith("/away.html") and r.get("status") == 200
                    and r.get("final_url", "").endswith("/landing.html")) == 3 and
                sum(1 for r in want if r["url"].endswith("/landing-child.html")) == 3,
                "the sites have a chain followed onto another host",
                [r for r in want if "away" in r["url"] or "landing" in r["url"]])
        for s in servers:
            s.reset_stats()
        with Redis(tmp) as redis:
            outs = [os.path.join(tmp, "eq%d.jsonl" % i) for i in range(3)]
            procs = [start_node(crawl, redis, "eq", starts, o, extra) for o in outs]
            rcs = wait_all(procs)
            errs = [p.stderr.read().decode() for p in procs]
            c.eq(rcs, [0, 0, 0], "three nodes exit 0 (stderr: %s)" % errs)
            got = records_of(outs)
            c.eq(len(got), len({r["url"] for r in got}), "no URL recorded twice")
            c.set_eq({key(r) for r in got}, {key(r) for r in want},
                     "the union of three nodes' records equals one process's")
            c.check(sum(1 for o in outs if records_of([o])) >= 2,
                    "at least two nodes wrote records", [len(records_of([o])) for o in outs])
            g = gets(servers)
            c.eq(sorted(k for k, n in g.items() if n > 1), [], "no URL fetched twice")
            c.eq(sorted(h for (h, t), n in g.items() if t == "/robots.txt"),
                 ["127.0.0.1", "127.0.0.2", "127.0.0.3"], "robots.txt fetched once per host")
            st = subprocess.run([crawl, "--redis", redis.url, "--job", "eq", "--status"],
                                capture_output=True, text=True, timeout=30)
            c.eq(st.returncode, 0, "--status exits 0")
            c.check("job eq: complete" in st.stdout and "done %d" % len(want) in st.stdout,
                    "--status says complete with every record done", st.stdout)


def test_check_external(c, crawl, tmp):
    """--check-external in a cluster: off-site links are checked once,
    by whichever node leases their host, as in one process."""
    ext_root = os.path.join(tmp, "ext")
    os.makedirs(ext_root)
    with open(os.path.join(ext_root, "ok.html"), "w") as f:
        f.write(html("ok", []))
    with TestServer(root=ext_root, host="127.0.0.4") as ext:
        root = os.path.join(tmp, "xsite")
        os.makedirs(root)
        write_sections_site(root, 3, 4, lambda t, links: html(
            t, links + [ext.url("/ok.html"), ext.url("/gone.html")]))
        with TestServer(root=root) as srv:
            starts = [srv.url("/")]
            extra = ["--check-external"]
            want = single(crawl, starts, extra)
            c.check(any(r.get("status") == 404 and "127.0.0.4" in r["url"] for r in want),
                    "the site has a broken external link", None)
            ext.reset_stats()
            with Redis(tmp) as redis:
                outs = [os.path.join(tmp, "x%d.jsonl" % i) for i in range(2)]
                procs = [start_node(crawl, redis, "ext", starts, o, extra) for o in outs]
                c.eq(wait_all(procs), [0, 0], "two nodes with --check-external exit 0")
                got = records_of(outs)
                c.set_eq({key(r) for r in got}, {key(r) for r in want},
                         "--check-external: the union equals one process")
                c.eq(sorted(ext.fetch_counts("HEAD").values()), [1, 1],
                     "each external link checked once across the nodes")


def test_max_pages(c, crawl, tmp):
    root = os.path.join(tmp, "msite")
    make_site(root, 4, 10, extra=False)
    servers = [TestServer(root=root, host=h).start() for h in ("127.0.0.1", "127.0.0.2")]
    with stopping(servers):
        starts = [s.url("/") for s in servers]
        with Redis(tmp) as redis:
            outs = [os.path.join(tmp, "m%d.jsonl" % i) for i in range(2)]
            procs = [start_node(crawl, redis, "maxp", starts, o, ["--max-pages", "30"])
                     for o in outs]
            c.eq(wait_all(procs), [0, 0], "two nodes with --max-pages exit 0")
            got = records_of(outs)
            fetched = [r for r in got if r.get("reason") != "max_pages"]
            c.eq(len(fetched), 30, "--max-pages 30 counts for the whole job")
            c.eq(len(got), 2 * (1 + 4 + 4 * 10), "every other URL gets a max_pages record")


def test_sitemaps(c, crawl, tmp):
    """--sitemaps across nodes: each host's robots.txt names a sitemap
    listing pages linked from nowhere; they join at depth 0 as in one
    process, and a page two levels down waits for them."""
    servers = []
    for i, host in enumerate(["127.0.0.1", "127.0.0.2"]):
        root = os.path.join(tmp, "smsite%d" % i)
        make_site(root, 3, 5, extra=False)
        with open(os.path.join(root, "robots.txt"), "w") as f:
            f.write("User-agent: *\nAllow: /\nSitemap: /maps/sm.xml\n")
        os.makedirs(os.path.join(root, "maps"))
        # /deep-only.html: depth 3 by links (/, s0, p0), 2 through the
        # (slow) sitemap: written at 2 only if depth 0 waits for sitemaps
        with open(os.path.join(root, "s0", "p0.html"), "w") as f:
            f.write(html("p0", ["/deep-only.html"]))
        for name, links in (("orphan1.html", ["/orphan-child.html"]), ("orphan2.html", []),
                            ("orphan-child.html", ["/deep-only.html"]),
                            ("deep-only.html", [])):
            with open(os.path.join(root, name), "w") as f:
                f.write(html(name, links))
        srv = TestServer(root=root, latency_ms=5, host=host).start()
        srv.set_path_latency("/maps/sm.xml", 1500)
        servers.append(srv)
    with stopping(servers):
        for s, root in zip(servers, [os.path.join(tmp, "smsite%d" % i) for i in range(2)]):
            with open(os.path.join(root, "maps", "sm.xml"), "w") as f:
                f.write('<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/'
                        'sitemap/0.9"><url><loc>%s</loc></url><url><loc>%s</loc></url>'
                        '</urlset>' % (s.url("/orphan1.html"), s.url("/orphan2.html")))
        starts = [s.url("/") for s in servers]
        extra = ["--sitemaps"]
        want = single(crawl, starts, extra)
        c.check(sum(1 for r in want if r["url"].endswith("/orphan1.html") and r["depth"] == 0)
                == 2, "the sites have sitemap-only pages (depth 0)", None)
        c.check(sum(1 for r in want if r["url"].endswith("/deep-only.html") and r["depth"] == 2)
                == 2, "a page is 2 levels down through a slow sitemap, 3 by links", None)
        for s in servers:
            s.reset_stats()
        with Redis(tmp) as redis:
            outs = [os.path.join(tmp, "sm%d.jsonl" % i) for i in range(3)]
            procs = [start_node(crawl, redis, "smp", starts, o, extra) for o in outs]
            c.eq(wait_all(procs), [0, 0, 0], "three nodes with --sitemaps exit 0")
            got = records_of(outs)
            c.set_eq({key(r) for r in got}, {key(r) for r in want},
                     "--sitemaps: the union equals one process")
            g = gets(servers)
            c.eq(sorted(k for k, n in g.items() if n > 1), [],
                 "no URL fetched twice, sitemaps and robots.txt included")


def test_per_host_peak(c, crawl, tmp):
    root = os.path.join(tmp, "peak")
    make_site(root, 5, 20, extra=False)
    with TestServer(root=root, latency_ms=30) as srv:
        with Redis(tmp) as redis:
            outs = [os.path.join(tmp, "peak%d.jsonl" % i) for i in range(3)]
            procs = [start_node(crawl, redis, "peak", [srv.url("/")], o,
                                ["--per-host", "2", "-c", "8"]) for o in outs]
            rcs = wait_all(procs)
            c.eq(rcs, [0, 0, 0], "three nodes on one host exit 0")
            got = records_of(outs)
            c.eq(len(got), 1 + 5 + 5 * 20, "every page recorded once")
            c.check(srv.max_inflight <= 2,
                    "the server never handled more than --per-host 2 requests at once "
                    "from the cluster", srv.max_inflight)


def test_kill_and_join(c, crawl, tmp):
    servers = []
    for i, host in enumerate(["127.0.0.1", "127.0.0.2", "127.0.0.3"]):
        root = os.path.join(tmp, "ksite%d" % i)
        make_site(root, 8, 30)
        servers.append(TestServer(root=root, latency_ms=20, host=host).start())
    with stopping(servers):
        starts = [s.url("/") for s in servers]
        want = single(crawl, starts)
        for s in servers:
            s.reset_stats()
        with Redis(tmp) as redis:
            outs = [os.path.join(tmp, "k%d.jsonl" % i) for i in range(3)]
            a = start_node(crawl, redis, "kill", starts, outs[0], ["-c", "4"])
            b = start_node(crawl, redis, "kill", starts, outs[1], ["-c", "4"])
            wait_records([outs[0]], 30)
            a.send_signal(signal.SIGKILL)
            a.wait()
            killed_at = len(records_of([outs[0]]))
            c.check(killed_at >= 30, "node A wrote records before it was killed", killed_at)
            joined = start_node(crawl, redis, "kill", starts, outs[2], ["-c", "4"])
            rcs = wait_all([b, joined])
            c.eq(rcs, [0, 0], "the surviving and the joining node exit 0")
            got = records_of(outs)
            c.set_eq({key(r) for r in got}, {key(r) for r in want},
                     "after a kill -9 and a join the union equals one process")
            c.check(records_of([outs[2]]) != [], "the joining node took work",
                    len(records_of([outs[2]])))
            g = gets(servers)
            twice = [k for k, n in g.items() if n > 1 and k[1] != "/robots.txt"]
            # only what A had taken can be fetched twice: at most its -c 4
            # transfers plus its claimed batches (16 per host, 3 hosts)
            c.check(len(twice) <= 4 + 16 * 3, "only URLs the dead node had taken are "
                    "fetched twice", twice)
            a_urls = {r["url"] for r in records_of([outs[0]])}
            dup = [u for u in {r["url"] for r in got}
                   if sum(1 for r in got if r["url"] == u) > 1]
            c.check(all(u in a_urls for u in dup),
                    "a URL recorded twice was recorded by the dead node", dup)


def test_interrupt(c, crawl, tmp):
    root = os.path.join(tmp, "isite")
    make_site(root, 6, 30, extra=False)
    servers = [TestServer(root=root, latency_ms=20, host=h).start()
               for h in ("127.0.0.1", "127.0.0.2")]
    with stopping(servers):
        starts = [s.url("/") for s in servers]
        want = single(crawl, starts)
        with Redis(tmp) as redis:
            outs = [os.path.join(tmp, "i%d.jsonl" % i) for i in range(2)]
            a = start_node(crawl, redis, "int", starts, outs[0], ["-c", "4"])
            b = start_node(crawl, redis, "int", starts, outs[1], ["-c", "4"])
            wait_records([outs[0]], 20)
            a.send_signal(signal.SIGINT)
            rcs = wait_all([a, b])
            c.eq(rcs, [130, 0], "SIGINT: that node exits 130, the other finishes (0)")
            ra, rb = records_of([outs[0]]), records_of([outs[1]])
            c.check(not any(r.get("error") == "interrupted" for r in ra),
                    "an interrupted node writes no 'interrupted' records (its URLs are "
                    "given back)", [r["url"] for r in ra if r.get("error")])
            c.eq(sorted({r["url"] for r in ra} & {r["url"] for r in rb}), [],
                 "nothing the stopped node wrote is written again")
            c.set_eq({key(r) for r in ra + rb}, {key(r) for r in want},
                     "SIGINT on one node: the union equals one process")


def test_frozen_node(c, crawl, tmp):
    """A node frozen (SIGSTOP) longer than --lease is taken for dead; its
    hosts and URLs go to the other node. Resumed (SIGCONT), it must not
    fetch a host it no longer holds: the server never sees more than
    --per-host requests at once, and nothing is recorded twice."""
    root = os.path.join(tmp, "fsite")
    make_site(root, 8, 30, extra=False)
    with TestServer(root=root, latency_ms=20) as srv:
        starts = [srv.url("/")]
        want = single(crawl, starts)
        srv.reset_stats()
        with Redis(tmp) as redis:
            outs = [os.path.join(tmp, "f%d.jsonl" % i) for i in range(2)]
            extra = ["-c", "4", "--per-host", "2"]
            a = start_node(crawl, redis, "frz", starts, outs[0], extra)
            wait_records([outs[0]], 20)
            b = start_node(crawl, redis, "frz", starts, outs[1], extra)
            a.send_signal(signal.SIGSTOP)
            time.sleep(3.5)  # --lease 2: a is taken for dead, b takes over
            a.send_signal(signal.SIGCONT)
            rcs = wait_all([a, b])
            c.eq(rcs, [0, 0], "the frozen node and the other exit 0")
            got = records_of(outs)
            a_urls = {r["url"] for r in records_of([outs[0]])}
            b_urls = [r["url"] for r in records_of([outs[1]])]
            # what a was writing when frozen may be written again by b
            # (as after a kill), nothing else
            twice = sorted(u for u in a_urls if u in b_urls)
            c.check(len(twice) <= 4, "at most what was in flight at the freeze is recorded "
                    "twice", twice)
            c.eq(len(b_urls), len(set(b_urls)), "the node that took over records each URL once")
            c.set_eq({key(r) for r in got}, {key(r) for r in want},
                     "a node frozen past its lease: the union equals one process")
            c.check(srv.max_inflight <= 2, "a resumed node never fetched a host it lost "
                    "(at most --per-host 2 requests at once)", srv.max_inflight)
            c.check(records_of([outs[1]]) != [], "the other node took over",
                    len(records_of([outs[1]])))


def test_redis_restart(c, crawl, tmp):
    root = os.path.join(tmp, "rsite")
    make_site(root, 6, 25, extra=False)
    with TestServer(root=root, latency_ms=15) as srv:
        starts = [srv.url("/")]
        want = single(crawl, starts)
        srv.reset_stats()
        with Redis(os.path.join(tmp, "r2"), appendonly=True) as redis:
            outs = [os.path.join(tmp, "rr%d.jsonl" % i) for i in range(2)]
            procs = [start_node(crawl, redis, "rr", starts, o, ["-c", "4"]) for o in outs]
            wait_records(outs, 25)
            redis.kill()
            time.sleep(1.5)
            redis.start()
            rcs = wait_all(procs)
            errs = [p.stderr.read().decode() for p in procs]
            c.eq(rcs, [0, 0], "both nodes exit 0 after Redis came back (stderr: %s)" % errs)
            c.check(any("lost the connection to Redis" in e for e in errs),
                    "a node says it lost Redis", errs)
            got = records_of(outs)
            c.set_eq({key(r) for r in got}, {key(r) for r in want},
                     "Redis killed and restarted: the union equals one process")


def test_errors(c, crawl, tmp):
    port = free_port("127.0.0.1")
    res = run_crawl(crawl, ["--redis", "redis://127.0.0.1:%d" % port, "--job", "x",
                            "http://127.0.0.1:1/"], timeout=30)
    c.eq(res.rc, 1, "Redis unreachable: exit 1")
    c.check("cannot reach Redis at 127.0.0.1:%d" % port in res.err,
            "Redis unreachable: says so", res.err)
    res = run_crawl(crawl, ["--redis", "redis://example.org", "--job", "x", "http://a/"])
    c.eq(res.rc, 2, "a Redis host name (blocking resolution) is a usage error")
    res = run_crawl(crawl, ["--redis", "redis://127.0.0.1", "http://a/"])
    c.check(res.rc == 2 and "--redis and --job go together" in res.err,
            "--redis without --job is refused", res.err)
    with Redis(os.path.join(tmp, "r3")) as redis:
        root = os.path.join(tmp, "esite")
        make_site(root, 1, 2, extra=False)
        with TestServer(root=root) as srv:
            res = run_crawl(crawl, ["-q", "--redis", redis.url, "--job", "j", "-d", "1",
                                    srv.url("/")], timeout=60)
            c.eq(res.rc, 0, "a one-node job completes")
            res = run_crawl(crawl, ["-q", "--redis", redis.url, "--job", "j", "-d", "2",
                                    srv.url("/")], timeout=60)
            c.eq(res.rc, 1, "a job joined with other options: exit 1")
            c.check("started with other options" in res.err and "depth=1" in res.err and
                    "depth=2" in res.err, "the refusal names both option sets", res.err)
            # someone else's keys under the job's name, and job data of
            # another version: refused, never half-used
            redis_cmd(redis.port, "HSET", "crawl:other:seen", "k", "v")
            res = run_crawl(crawl, ["-q", "--redis", redis.url, "--job", "other",
                                    srv.url("/")], timeout=60)
            c.check(res.rc == 1 and "not a crawl job" in res.err,
                    "data that is not a crawl job is refused", res.err)
            redis_cmd(redis.port, "HSET", "crawl:old:meta", "version", "0", "config", "x")
            res = run_crawl(crawl, ["-q", "--redis", redis.url, "--job", "old", srv.url("/")],
                            timeout=60)
            c.check(res.rc == 1 and "version 0" in res.err,
                    "job data of another version is refused", res.err)
            res = run_crawl(crawl, ["--redis", redis.url, "--job", "nosuch", "--status"])
            c.check(res.rc == 1 and "no job named nosuch" in res.err,
                    "--status of an unknown job says so", res.err)


def main():
    args = parse_args(__doc__)
    c = Checker(args.verbose)
    if not REDIS:
        print("FAIL: redis-server is not installed (scripts/deps.sh installs it)")
        sys.exit(1)
    with tempfile.TemporaryDirectory() as tmp:
        for t in (test_errors, test_equal, test_check_external, test_max_pages, test_sitemaps, test_per_host_peak, test_kill_and_join,
                  test_interrupt, test_frozen_node, test_redis_restart):
            d = os.path.join(tmp, t.__name__)
            os.makedirs(d)
            t(c, args.crawl, d)
    c.finish()


if __name__ == "__main__":
    main()
