#!/usr/bin/env python3
"""check.py - the invariants and per-case checks of tests/hostile.sh (python3 standard library only).

    check.py NAME CAPTURE CHECKS DIR
    check.py --batch LIST          LIST: one "NAME|CAPTURE|CHECKS|DIR" per line (one python start for all)

DIR holds what hostile.sh captured: txt.out txt.err txt.status (tlsdiag -v OPTIONS -r CAPTURE) and
json.out json.err json.status (tlsdiag --json --pretty OPTIONS -r CAPTURE).  Prints one "FAIL: NAME: ..."
line per violated property (in batch mode into DIR/check, and DIR/check.status is 0 or 1) and exits 1
if there was any.

Invariants (every case):
  * no crash: exit status below 128, no sanitizer or valgrind report on stderr, same status for text and JSON
  * stderr: at most stderr-max lines (default 3), each "tlsdiag: ..." and naming the capture file
  * text output: valid UTF-8, no control byte but \\n (no ESC, no C1 control U+0080..U+009F, no DEL)
  * JSON output: valid UTF-8, parses, schema tlsdiag/2, no control byte but \\n and space in the document;
    every event id is a documented one (read from man/tlsdiag.1, EVENTS) and its frame lies within the capture;
    the summary's outcome counts add up; text and JSON report the same number of connections
Checks (CHECKS, ';'-separated):
  exit=A[,B]             allowed exit statuses
  stderr-max=N           at most N stderr lines;  no-stderr: none at all
  stderr=TEXT            stderr contains TEXT
  input-error            inputs[0].error is set (the file is damaged)
  frames=N               inputs[0].frames == N
  conns=N                N connections reported
  ok=PORT                the connection from client port PORT is reported completed without error finding
  outcome=PORT:OUTCOME   the connection from client port PORT has this outcome
  no-finding=PORT:ID     the connection from client port PORT has no finding ID
  reported=PORT          the connection from client port PORT is reported (whatever its outcome)
  any-event=PORT         the connection from client port PORT has at least one event (a clear event, whatever its id)
  event=ID[@FRAME]       some connection has event ID (at FRAME)
  events=ID:N            exactly N events ID over all connections
  summary.KEY=N | summary.KEY>=N   a summary counter
  text=TEXT              the text report contains TEXT;  no-text=TEXT: it does not
  no-json-value=TEXT     no string in the JSON document is exactly TEXT
  json=KEY               some object of the JSON document has the key KEY
  too-long-detail        each tls.handshake_too_long detail "... of N bytes exceeds the M-byte cap" has N > M
  sni=PORT               the SNI of that connection, in the JSON, is the ClientHello's (up to the 512-byte cap)
                         with its bytes intact: UTF-8 as characters, other bytes as the text \\xHH
  no-raw-name            no certificate / DN text in the JSON is empty when the DER name was not empty
"""
import json
import os
import re
import sys

MAN = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "man", "tlsdiag.1")


def documented_events():
    """The event ids of man/tlsdiag.1's EVENTS section (the documented ones are the contract)."""
    try:
        text = open(MAN, encoding="utf-8").read()
    except OSError:
        return None
    m = re.search(r"^\.SH EVENTS\n(.*?)^\.SH ", text, re.S | re.M)
    if not m:
        return None
    ids = set()
    for line in m.group(1).split("\n"):
        if line.startswith((".B ", ".BR ")):
            ids.update(re.findall(r"\b[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*\b", line))
    return ids or None


EVENTS_BUILTIN = {"tcp.gap", "capture.snaplen", "tcp.overlap_conflict", "tcp.ooo_overflow", "tls.bad_record", "tls.resync",
          "tls.starttls", "tls.malformed", "tls.trailing_bytes", "tls.handshake_too_long",
          "tls.too_many_certificates", "tls.name_too_long", "tls.empty_certificate", "x509.parse_error",
          "tls.explicit_curve", "evidence.truncated"}
EVENTS = documented_events() or EVENTS_BUILTIN
CRASH = re.compile(r"AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|runtime error:|==\d+== |"
                   r"Segmentation fault|core dumped|Assertion .* failed")
fails = []
ARGS = []


def fail(msg):
    fails.append(msg)


class Done(Exception):
    pass


def read(d, n, binary=True):
    with open(os.path.join(d, n), "rb") as f:
        b = f.read()
    return b if binary else b.decode("utf-8", "replace")


def walk(o):
    yield o
    if isinstance(o, dict):
        for v in o.values():
            yield from walk(v)
    elif isinstance(o, list):
        for v in o:
            yield from walk(v)


def shown(raw):
    """What tlsdiag's JSON shows for network bytes: UTF-8 as is, other bytes as the text \\xHH."""
    out, i = [], 0
    while i < len(raw):
        for n in (1, 2, 3, 4):
            try:
                ch = raw[i:i + n].decode("utf-8")
                if len(ch) == 1:
                    break
            except UnicodeDecodeError:
                pass
        else:
            out.append("\\x%02x" % raw[i])
            i += 1
            continue
        out.append(ch)
        i += n
    return "".join(out)


def client_hello_sni(capture, port):
    """The server_name bytes of the first ClientHello from client port PORT (classic pcap, Ethernet)."""
    data = open(capture, "rb").read()
    off, stream = 24, b""
    while off + 16 <= len(data):
        caplen = int.from_bytes(data[off + 8:off + 12], "little")
        p = data[off + 16:off + 16 + caplen]
        off += 16 + caplen
        ihl = (p[14] & 15) * 4
        t = p[14 + ihl:]
        if int.from_bytes(t[0:2], "big") != port:
            continue
        stream += t[(t[12] >> 4) * 4:]
    # records -> handshake bytes
    hsb, i = b"", 0
    while i + 5 <= len(stream) and stream[i] == 22:
        n = int.from_bytes(stream[i + 3:i + 5], "big")
        hsb += stream[i + 5:i + 5 + n]
        i += 5 + n
    body = hsb[4:4 + int.from_bytes(hsb[1:4], "big")]
    j = 34
    j += 1 + body[j]
    j += 2 + int.from_bytes(body[j:j + 2], "big")
    j += 1 + body[j]
    end = j + 2 + int.from_bytes(body[j:j + 2], "big")
    j += 2
    while j + 4 <= end:
        t, n = int.from_bytes(body[j:j + 2], "big"), int.from_bytes(body[j + 2:j + 4], "big")
        if t == 0:
            e = body[j + 4:j + 4 + n]
            return e[5:5 + int.from_bytes(e[3:5], "big")]
        j += 4 + n
    return None


def main():
    name, capture, checks, d = ARGS
    checks = [c.strip() for c in checks.split(";") if c.strip()]
    opt = {}
    for c in checks:
        k, _, v = c.partition("=")
        opt.setdefault(k, []).append(v)

    st_txt = int(read(d, "txt.status", False).strip())
    st_json = int(read(d, "json.status", False).strip())
    for fmt, st in (("text", st_txt), ("json", st_json)):
        if st >= 128 or st < 0:
            fail("%s: tlsdiag died (exit status %d)" % (fmt, st))
    if st_txt != st_json:
        fail("exit status differs: text %d, json %d" % (st_txt, st_json))
    allowed = [int(x) for x in opt.get("exit", ["0,1"])[0].split(",")]
    if st_txt not in allowed:
        fail("exit status %d, expected %s" % (st_txt, "/".join(map(str, allowed))))

    max_err = 0 if "no-stderr" in opt else int(opt.get("stderr-max", ["3"])[0])
    for fmt in ("txt", "json"):
        err = read(d, fmt + ".err", False)
        lines = [line for line in err.split("\n") if line]
        if CRASH.search(err):
            fail("%s: sanitizer/valgrind/crash report on stderr:\n%s" % (fmt, "\n".join(lines[:30])))
            continue
        if len(lines) > max_err:
            fail("%s: %d stderr lines, at most %d expected:\n  %s" % (fmt, len(lines), max_err, "\n  ".join(lines[:15])))
        for line in lines:
            if not line.startswith("tlsdiag: ") or capture not in line:
                fail("%s: stderr line does not name the file: %r" % (fmt, line[:200]))
        for want in opt.get("stderr", []):
            if want not in err:
                fail("%s: stderr lacks %r: %r" % (fmt, want, err[:300]))

    # ---- text ----
    txt = read(d, "txt.out")
    try:
        txt_s = txt.decode("utf-8")
    except UnicodeDecodeError as e:
        fail("text output is not valid UTF-8 (%s)" % e)
        txt_s = txt.decode("utf-8", "replace")
    bad = sorted({"U+%04X" % ord(ch) for ch in txt_s if (ord(ch) < 0x20 and ch != "\n") or 0x7F <= ord(ch) <= 0x9F})
    if bad:
        fail("text output holds raw control characters %s (a report must not drive the terminal)" % ", ".join(bad))
    for want in opt.get("text", []):
        if want not in txt_s:
            fail("text output lacks %r" % want)
    for bad in opt.get("no-text", []):
        if bad in txt_s:
            line = next(x for x in txt_s.split("\n") if bad in x)
            fail("text output shows %r: %s" % (bad, line.strip()[:200]))

    # ---- JSON ----
    raw = read(d, "json.out")
    doc = None
    if raw or st_json != 2:
        bad = sorted({"0x%02x" % b for b in raw if b < 0x20 and b not in (0x0A, 0x20)})
        if bad:
            fail("JSON document holds raw control bytes %s" % ", ".join(bad))
        try:
            doc = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as e:
            fail("JSON output does not parse: %s" % e)
    if doc is None:
        if st_json != 2:
            fail("no JSON document")
        report()
        return
    if doc.get("schema") != "tlsdiag/2":
        fail("JSON schema is %r" % doc.get("schema"))
    conns, summ, inputs = doc.get("connections", []), doc.get("summary", {}), doc.get("inputs", [])
    frames = inputs[0]["frames"] if inputs else 0
    by_port = {}
    for c in conns:
        by_port.setdefault(c["client"]["port"], c)
        for e in c.get("events", []):
            if e["id"] not in EVENTS:
                fail("connection %d: undocumented event id %r" % (c["index"], e["id"]))
            if not 1 <= e["frame"] <= max(frames, 1):
                fail("connection %d: event %s at frame %d, outside the capture's %d frames" %
                     (c["index"], e["id"], e["frame"], frames))
    if summ.get("tls_connections") != len(conns):
        fail("summary.tls_connections %s but %d connections listed" % (summ.get("tls_connections"), len(conns)))
    if sum(summ.get(k, 0) for k in ("completed", "failed", "incomplete", "not_tls")) != summ.get("tls_connections"):
        fail("summary outcome counts do not add up")
    m = re.search(r"^(?:Summary: \d+ TCP connections?,|Connections: \d+ TCP,) (\d+) reported", txt_s, re.M)
    if not m or int(m.group(1)) != len(conns):
        fail("the text summary does not report the %d connections of the JSON" % len(conns))
    events = [(e, c) for c in conns for e in c.get("events", [])]

    if "input-error" in opt and not (inputs and inputs[0].get("error")):
        fail("inputs[0].error is not set")
    if "input-error" not in opt and inputs and inputs[0].get("error"):
        fail("unexpected inputs[0].error: %r" % inputs[0]["error"])
    for v in opt.get("frames", []):
        if frames != int(v):
            fail("inputs[0].frames is %d, expected %s" % (frames, v))
    for v in opt.get("conns", []):
        if len(conns) != int(v):
            fail("%d connections reported, expected %s" % (len(conns), v))
    for v in opt.get("ok", []):
        c = by_port.get(int(v))
        if not c:
            fail("the connection from port %s is not reported" % v)
            continue
        errs = [f["id"] for f in c.get("findings", []) if f["severity"] == "error"]
        if c["outcome"] != "completed" or errs:
            fail("the connection from port %s is %s with errors %s: the rest of the capture must still be "
                 "analyzed" % (v, c["outcome"], errs))
    for v in opt.get("outcome", []):
        port, _, want = v.partition(":")
        c = by_port.get(int(port))
        if not c or c["outcome"] != want:
            fail("connection from port %s: outcome %s, expected %s" % (port, c and c["outcome"], want))
    for v in opt.get("reported", []):
        if int(v) not in by_port:
            fail("the connection from port %s is not reported (%d TCP connections, %d reported)" %
                 (v, summ.get("connections", 0), len(conns)))
    for v in opt.get("any-event", []):
        c = by_port.get(int(v))
        if c is not None and not c.get("events"):
            fail("the connection from port %s (%s) has no event telling what was wrong with its bytes" %
                 (v, c["outcome"]))
    for v in opt.get("no-finding", []):
        port, _, ident = v.partition(":")
        c = by_port.get(int(port))
        for f in (c or {}).get("findings", []):
            if f["id"] == ident:
                fail("connection from port %s: finding %s must not be drawn: %s" % (port, ident, f["summary"][:300]))
    for v in opt.get("event", []):
        ident, _, fr = v.partition("@")
        if not any(e["id"] == ident and (not fr or e["frame"] == int(fr)) for e, _ in events):
            fail("no event %s%s (events: %s)" % (ident, " at frame " + fr if fr else "",
                                                 sorted({"%s@%d" % (e["id"], e["frame"]) for e, _ in events})[:20]))
    for v in opt.get("events", []):
        ident, _, n = v.partition(":")
        got = sum(1 for e, _ in events if e["id"] == ident)
        if got != int(n):
            fail("%d events %s, expected %s" % (got, ident, n))
    for k, v in opt.items():
        if not k.startswith("summary."):
            continue
        key = k[len("summary."):]
        for val in v:
            ge = key.endswith(">")
            key_ = key.rstrip(">")
            got = summ.get(key_)
            if got is None or (got < int(val) if ge else got != int(val)):
                fail("summary.%s is %s, expected %s%s" % (key_, got, ">=" if ge else "", val))
    for v in opt.get("no-json-value", []):
        if any(o == v for o in walk(doc)):
            fail("the JSON shows the string %r: the value was cut short (at a NUL byte?)" % v)
    for v in opt.get("json", []):
        if not any(isinstance(o, dict) and v in o for o in walk(doc)):
            fail("no %r in the JSON document" % v)
    if "too-long-detail" in opt:
        for e, c in events:
            if e["id"] != "tls.handshake_too_long":
                continue
            m = re.search(r"of (\d+) bytes exceeds the (\d+)-byte", e["detail"])
            if m and int(m.group(1)) <= int(m.group(2)):
                fail("connection %d frame %d: tls.handshake_too_long says %r: a message of %s bytes does not exceed "
                     "a %s-byte cap (the cap hit was LIM_HANDSHAKE_BYTES_TOTAL)" %
                     (c["index"], e["frame"], e["detail"], m.group(1), m.group(2)))
    for v in opt.get("sni", []):
        c = by_port.get(int(v))
        sni = client_hello_sni(capture, int(v))
        if c is None or sni is None:
            fail("sni=%s: connection or ClientHello not found" % v)
            continue
        want = shown(sni[:512])
        if c.get("sni") != want:
            fail("connection from port %s: JSON sni %r, the ClientHello's is %r" % (v, (c.get("sni") or "")[:120],
                                                                                    want[:120]))
    if "no-raw-name" in opt:
        for o in walk(doc):
            if isinstance(o, dict) and "subject" in o and "parse_error" not in o:
                for k in ("subject", "issuer"):
                    if o.get(k) == "":
                        fail("a certificate's %s is shown as \"\" although its DER name is not empty" % k)
            if isinstance(o, dict) and "distinguished_names" in o:
                for n in o["distinguished_names"] or []:
                    if n in ("",):
                        fail("an acceptable CA name is shown as \"\" although its DER name is not empty")
    report()


def report():
    name = ARGS[0]
    seen = set()
    lines = []
    for f in fails:
        if f in seen:
            continue
        seen.add(f)
        f = "".join(ch if ch == "\n" or (" " <= ch and not 0x7F <= ord(ch) <= 0x9F) else "\\x%02x" % ord(ch) for ch in f)
        lines.append("FAIL: %s: %s" % (name, f))
    raise Done("\n".join(lines))


def run(args):
    """Check one case: the FAIL lines ("" when it passed)."""
    global fails
    fails = []
    ARGS[:] = args
    try:
        main()
    except Done as d:
        return str(d)
    except Exception as e:   # a broken document must fail the case, not the checker
        return "FAIL: %s: check.py: %s: %s" % (args[0], type(e).__name__, e)
    return ""


if __name__ == "__main__":
    if sys.argv[1:2] == ["--batch"]:
        bad = 0
        with open(sys.argv[2], encoding="utf-8") as f:
            for line in f:
                if not line.strip():
                    continue
                args = line.rstrip("\n").split("|")
                out = run(args)
                with open(os.path.join(args[3], "check"), "w", encoding="utf-8") as o:
                    o.write(out + "\n" if out else "")
                with open(os.path.join(args[3], "check.status"), "w") as o:
                    o.write("1\n" if out else "0\n")
                bad += bool(out)
        sys.exit(1 if bad else 0)
    out = run(sys.argv[1:5])
    if out:
        print(out)
    sys.exit(1 if out else 0)
