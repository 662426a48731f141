// warc_read.mjs: read a WARC (plain or gzip) with warcio.js (Webrecorder's
// reader, an implementation independent of ours) and print one JSON line
// per record for tests/e2e/test_warc.py:
//   {type, uri, id, concurrent_to, refers_to, warcinfo_id, date, ip,
//    content_type, length, offset, block_ok, payload_ok, status, method,
//    http_content_type, outlinks, fields}
// block_ok: sha1 of the whole block (read raw) equals WARC-Block-Digest.
// payload_ok: for response records, sha1 of the content as warcio decodes
// it (HTTP headers parsed, chunked coding removed) equals
// WARC-Payload-Digest; for resource records the block is the payload;
// null where the record has no payload digest.
// Usage: node warc_read.mjs FILE   (warcio resolved through NODE_PATH or
// the directory given in WARCIO_DIR)
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";

async function loadWarcio() {
  const dir = process.env.WARCIO_DIR;
  if (dir) {
    const req = createRequire(path.join(dir, "noop.js"));
    return import(pathToFileURL(req.resolve("warcio")).href);
  }
  return import("warcio");
}

// RFC 4648 base32, written here so the check does not share code with C.
function base32(bytes) {
  const abc = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let out = "", bits = 0, val = 0;
  for (const b of bytes) {
    val = (val << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += abc[(val >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += abc[(val << (5 - bits)) & 31];
  while (out.length % 8) out += "=";
  return out;
}

const sha1 = (buf) => "sha1:" + base32(createHash("sha1").update(buf).digest());

async function main() {
  const file = process.argv[2];
  const { WARCParser } = await loadWarcio();

  // Pass 1: raw blocks, record framing, block digests, member offsets.
  const raw = [];
  const p1 = new WARCParser(createReadStream(file), { parseHttp: false });
  for await (const rec of p1) {
    const h = rec.warcHeaders.headers;
    const block = await rec.readFully(false);
    const fields = {};
    for (const [k, v] of h) fields[k] = v;
    raw.push({
      type: rec.warcType,
      uri: rec.warcTargetURI ?? null,
      id: h.get("WARC-Record-ID"),
      concurrent_to: h.get("WARC-Concurrent-To"),
      refers_to: h.get("WARC-Refers-To"),
      warcinfo_id: h.get("WARC-Warcinfo-ID"),
      date: h.get("WARC-Date"),
      ip: h.get("WARC-IP-Address"),
      content_type: h.get("Content-Type"),
      length: Number(h.get("Content-Length")),
      block_len: block.length,
      offset: p1.offset,
      block_ok: sha1(block) === h.get("WARC-Block-Digest"),
      payload_ok:
        rec.warcType === "resource" ? sha1(block) === h.get("WARC-Payload-Digest") : null,
      outlinks:
        rec.warcType === "metadata"
          ? new TextDecoder()
              .decode(block)
              .split("\r\n")
              .filter((l) => l.startsWith("outlink: "))
              .map((l) => l.slice(9))
          : null,
      fields,
    });
  }

  // Pass 2: warcio's HTTP parsing and content decoding.
  let i = 0;
  const p2 = new WARCParser(createReadStream(file));
  for await (const rec of p2) {
    const r = raw[i++];
    if (!r) throw new Error("second pass found more records");
    if (rec.httpHeaders) {
      r.status = rec.httpHeaders.statusCode ?? null;
      r.method = rec.warcType === "request" ? rec.httpHeaders.method ?? null : null;
      r.http_content_type = rec.httpHeaders.headers.get("Content-Type");
    }
    if (rec.warcType === "response") {
      const content = await rec.readFully(true);
      r.payload_ok = sha1(content) === rec.warcHeaders.headers.get("WARC-Payload-Digest");
      r.content_len = content.length;
    } else {
      await rec.skipFully();
    }
  }
  if (i !== raw.length) throw new Error("second pass found fewer records");
  for (const r of raw) process.stdout.write(JSON.stringify(r) + "\n");
}

main().catch((e) => {
  process.stderr.write("warc_read: " + (e && e.stack ? e.stack : e) + "\n");
  process.exit(1);
});
