#!/bin/sh
# keylog.sh - hostile key logs (issue 11) and the shapes of issue 15, and the privacy rule: no
# secret of a key log ever appears in any output.
#
# Each case writes a key log around the real lines of pcaps/tls13-mtls-empty-openssl.keys, runs
# tlsdiag on pcaps/tls13-mtls-empty-openssl.pcap with it and checks: no crash or hang (exit 0 or 1),
# every stderr line is "tlsdiag: FILE:LINE: ..." (or names FILE), at most the expected number of
# them with the expected texts, and whether the connection was still decrypted (the TLS 1.3 empty
# client Certificate is found: client-cert-empty with the decrypted certificate_required alert).
# Then every secret of the key log, lower and upper case, is searched for in the text (-v), JSON,
# JSON Lines and markdown reports and in stderr; and the server's HTTP status line is all that is
# shown of the decrypted application data.
#
# Environment: TLSDIAG (the binary), srcdir; KEYLOG_TIMEOUT (seconds per run, default 60).
set -u
srcdir=${srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
TLSDIAG=${TLSDIAG:-$(pwd)/tlsdiag}
case "$TLSDIAG" in /*) ;; *) TLSDIAG=$(pwd)/$TLSDIAG ;; esac
command -v python3 >/dev/null 2>&1 || { echo "SKIP: keylog.sh needs python3"; exit 77; }
cd "$srcdir" || exit 99
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
exec python3 - "$TLSDIAG" "$tmp" "${KEYLOG_TIMEOUT:-60}" <<'PY'
import json, os, random, re, subprocess, sys, time
tlsdiag, tmp, timeout = sys.argv[1], sys.argv[2], int(sys.argv[3])
CAP = "pcaps/tls13-mtls-empty-openssl.pcap"
REAL = [l for l in open("pcaps/tls13-mtls-empty-openssl.keys").read().splitlines() if l and not l.startswith("#")]
BASE = ["--ca-file", "pcaps/certs/ca-bundle.pem"]
rnd = random.Random(11)
fails = 0

def hexs(n):
    return "".join(rnd.choice("0123456789abcdef") for _ in range(2 * n))

def run(keys, fmt=(), extra=()):
    cmd = [tlsdiag, *fmt, *BASE, *extra, "-r", CAP]
    for k in keys:
        cmd += ["--keylog", k]
    t0 = time.time()
    p = subprocess.run(cmd, capture_output=True, timeout=timeout)
    return p, time.time() - t0

def decrypted(keys):
    p, _ = run(keys, ["--json"])
    doc = json.loads(p.stdout)
    c = doc["connections"][0]
    ids = {(f["id"], f["severity"]) for f in c["findings"]}
    alert = [a for a in c["alerts"] if a.get("code") == 116 and a.get("decrypted")]
    return ("client-cert-empty", "error") in ids and bool(alert)

def case(name, body, warn_max, want=(), decrypts=True, exit_ok=(0, 1), data=None):
    global fails
    path = os.path.join(tmp, name + ".keys")
    with open(path, "wb") as f:
        f.write(data if data is not None else body.encode())
    p, secs = run([path])
    err = p.stderr.decode("utf-8", "replace").splitlines()
    problems = []
    if p.returncode not in exit_ok:
        problems.append("exit status %d" % p.returncode)
    if len(err) > warn_max:
        problems.append("%d stderr lines, at most %d:\n      %s" % (len(err), warn_max, "\n      ".join(err[:8])))
    for line in err:
        if not line.startswith("tlsdiag: ") or path not in line:
            problems.append("stderr line does not name the key log: %r" % line[:160])
            break
    for w in want:
        if not any(re.search(w, l) for l in err):
            problems.append("no stderr line matches %r: %r" % (w, err[:4]))
    if decrypts is not None and p.returncode in (0, 1) and decrypted([path]) != decrypts:
        problems.append("decrypted: %s, expected %s" % (not decrypts, decrypts))
    if problems:
        fails += 1
        print("FAIL %s: %s" % (name, "; ".join(problems)))
    else:
        print("ok   %s (%d warnings, %.2f s)" % (name, len(err), secs))
    return secs

nl = "\n".join
R = REAL[0].split()[1]
case("plain", nl(REAL) + "\n", 0)
case("bad-hex", nl(REAL) + "\nCLIENT_HANDSHAKE_TRAFFIC_SECRET %s %s\n" % (R, "zz" * 48), 1,
     [r":%d: the CLIENT_HANDSHAKE_TRAFFIC_SECRET secret is not hex" % (len(REAL) + 1)])
case("bad-random", "SERVER_TRAFFIC_SECRET_0 %s %s\n" % ("g" * 64, hexs(48)) + nl(REAL) + "\n", 1,
     [r":1: the client random is not hex"])
case("short-secret", "CLIENT_RANDOM %s %s\n" % (hexs(32), hexs(20)) + nl(REAL) + "\n", 1,
     [r":1: the CLIENT_RANDOM secret is 20 bytes, expected 48"])
case("overlong-secret", nl(REAL) + "\nSERVER_TRAFFIC_SECRET_0 %s %s\n" % (hexs(32), hexs(200)), 1,
     [r"secret is 200 bytes, expected 32 or 48"])
case("missing-fields", "CLIENT_RANDOM\nCLIENT_RANDOM %s\n" % hexs(32) + nl(REAL) + "\n", 2,
     [r":1: CLIENT_RANDOM line without client random and secret", r":2: CLIENT_RANDOM line without a secret"])
case("unknown-label", "NOT_A_LABEL_AT_ALL %s %s\n" % (hexs(32), hexs(32)) + nl(REAL) + "\n", 1,
     [r":1: unknown label NOT_A_LABEL_AT_ALL"])
case("overlong-line", "#" + "x" * 5000 + "\nCLIENT_RANDOM " + "a" * 3000 + "\n" + nl(REAL) + "\n", 2,
     [r":1: line longer than 1024 bytes", r":2: line longer than 1024 bytes"])
junk = bytes(rnd.randrange(256) for _ in range(64 * 1024))
# 20 lines warned one by one, then their count (and a junk line may end in CR: that shape is named)
case("binary-junk", None, 22, [r"binary data, not a key log line", r"more malformed lines were skipped"], data=junk + b"\n" + "\n".join(REAL).encode() + b"\n")
case("crlf", "\r\n".join(REAL) + "\r\n", 1, [r"lines end with CRLF"])
case("upper-case", nl(" ".join([l.split()[0], l.split()[1].upper(), l.split()[2].upper()]) for l in REAL) + "\n", 1,
     [r"hex digits in upper case"])
case("timestamp-prefix", nl("1733212800.123456 " + l for l in REAL) + "\n", 1, [r"lines start with a timestamp"])
case("address-prefix", nl("127.0.0.1:48568 127.0.0.1:443 " + l for l in REAL) + "\n", 1, [r"address fields"])
case("syslog-prefix", nl("Dec  3 07:50:48 gw haproxy[123]: " + l for l in REAL) + "\n", 1, [r"a syslog prefix"])
case("empty", "", 1, [r"matched no connection"], decrypts=False)
case("other-run", nl(l.split()[0] + " " + hexs(32) + " " + l.split()[2] for l in REAL) + "\n", 1,
     [r"matched no connection"], decrypts=False)
# a million lines of other connections' secrets, the real ones at the end: O(1) lookup, time measured
big = os.path.join(tmp, "million.keys")
with open(big, "w") as f:
    labels = ["CLIENT_HANDSHAKE_TRAFFIC_SECRET", "SERVER_HANDSHAKE_TRAFFIC_SECRET", "CLIENT_TRAFFIC_SECRET_0",
              "SERVER_TRAFFIC_SECRET_0"]
    for i in range(1000000):
        f.write("%s %064x %s\n" % (labels[i % 4], i // 4 * 2654435761 + 1, "ab" * 48))
    f.write(nl(REAL) + "\n")
p0, base = run([])
p1, secs = run([big])
if p1.returncode != 1 or p1.stderr or not decrypted([big]):
    fails += 1
    print("FAIL million-lines: exit %d, stderr %r" % (p1.returncode, p1.stderr[:200]))
else:
    print("ok   million-lines: %.2f s with the key log, %.2f s without (1,000,004 lines)" % (secs, base))
# missing file: an operational error, one line, exit 2
p, _ = run([os.path.join(tmp, "no-such.keys")])
err = p.stderr.decode().splitlines()
if p.returncode != 2 or len(err) != 1 or "no-such.keys" not in err[0]:
    fails += 1
    print("FAIL missing-file: exit %d, %r" % (p.returncode, err))
else:
    print("ok   missing-file: %s" % err[0])

# privacy: no secret of the key log in any output, whatever the format
secrets = [l.split()[2] for l in REAL]
leaky = os.path.join(tmp, "leaky.keys")
with open(leaky, "w") as f:
    f.write(nl(REAL) + "\n")
    bad = hexs(40)   # a malformed secret: its warning must not quote it either
    f.write("SERVER_TRAFFIC_SECRET_0 %s %s\n" % (R, bad))
    secrets.append(bad)
for fmt in (["-v"], ["--json", "--pretty"], ["--format", "jsonl"], ["--format", "markdown", "-v"]):
    p, _ = run([leaky], fmt, ["-w", os.path.join(tmp, "w.pcap")])
    out = (p.stdout + p.stderr).decode("utf-8", "replace").lower()
    hits = [s[:8] for s in secrets if s.lower() in out or s[:32].lower() in out]
    if hits or p.returncode not in (0, 1):
        fails += 1
        print("FAIL privacy %s: exit %d, secrets printed: %s" % (" ".join(fmt), p.returncode, hits))
    else:
        print("ok   privacy %s: none of %d secrets printed" % (" ".join(fmt), len(secrets)))
# the server's answer after the handshake: its HTTP/1.x status line only (tshark shows frame 14:
# 400 Bad Request, with nginx's error page after it), and only the code with --redact=names
NG = ["-r", "pcaps/nginx-tls13-verify-on-no-cert.pcap", "--keylog", "pcaps/nginx-tls13-verify-on-no-cert.keys"]
p = subprocess.run([tlsdiag, "--json", *NG], capture_output=True, timeout=timeout)
c = json.loads(p.stdout)["connections"][0]
txt = subprocess.run([tlsdiag, "-v", *NG], capture_output=True, timeout=timeout).stdout.decode()
red = subprocess.run([tlsdiag, "-v", "--redact=names", *NG], capture_output=True, timeout=timeout).stdout.decode()
want = {"frame": 14, "code": 400, "line": "HTTP/1.1 400 Bad Request"}
if c["decryption"].get("http_status") != want or "Server answered (frame 14, decrypted): HTTP/1.1 400 Bad Request" not in txt \
        or "Server: nginx" in txt or "Content-Type" in txt or "Bad Request" in red or "HTTP status 400" not in red:
    fails += 1
    print("FAIL http-status: %r" % c["decryption"].get("http_status"))
else:
    print("ok   http-status: frame 14 HTTP/1.1 400 Bad Request, nothing more of the payload; code only when redacted")
# HTTP/2 (ALPN h2) and the TLS 1.3 untrusted certificate: the server's first :status / status line
# at the frame tshark decodes it in, and the refusal it is: outcome failed, exit status 1,
# client-cert-empty (citing that frame) or -issuer-not-requested an error, rejected-after-handshake
# citing it too.
# Only the status is shown of the headers (nginx's server, date, content-type stay out).
import shutil
def tshark_status(cap, keys, field):
    if not shutil.which("tshark"):
        return None
    out = subprocess.run(["tshark", "-r", cap, "-o", "tls.keylog_file:" + keys, "-Y", field, "-T", "fields",
                          "-e", "frame.number", "-e", field], capture_output=True, timeout=timeout).stdout.decode()
    rows = [l.split("\t") for l in out.splitlines() if l.strip()]
    return (int(rows[0][0]), int(rows[0][1].split(",")[0])) if rows else ()
for name, field, want, line, cert_rule in (
        ("nginx-tls13-h2-verify-on-no-cert", "http2.headers.status", (17, 400), "HTTP/2 :status 400", "client-cert-empty"),
        ("nginx-tls13-verify-on-untrusted-cert", "http.response.code", (16, 400), "HTTP/1.1 400 Bad Request",
         "client-cert-issuer-not-requested")):
    cap, keys = "pcaps/%s.pcap" % name, "pcaps/%s.keys" % name
    oracle = tshark_status(cap, keys, field)
    if oracle is not None and oracle != want:
        fails += 1
        print("FAIL %s: tshark %s says %r, the test expects %r" % (name, field, oracle, want))
        continue
    p = subprocess.run([tlsdiag, "--json", "-r", cap, "--keylog", keys], capture_output=True, timeout=timeout)
    c = json.loads(p.stdout)["connections"][0]
    found = {f["id"]: f for f in c["findings"]}
    txt = subprocess.run([tlsdiag, "-v", "-r", cap, "--keylog", keys], capture_output=True, timeout=timeout).stdout.decode()
    got = c["decryption"].get("http_status") or {}
    ok = (p.returncode == 1 and c["outcome"] == "failed" and (got.get("frame"), got.get("code")) == want
          and got.get("line") == line
          and found.get(cert_rule, {}).get("severity") == "error"
          and (cert_rule != "client-cert-empty" or want[0] in found[cert_rule]["frames"])
          and found.get("rejected-after-handshake", {}).get("severity") == "error"
          and want[0] in found["rejected-after-handshake"]["frames"]
          and "Server answered (frame %d, decrypted): %s" % (want[0], line) in txt
          and "nginx/" not in txt and "text/html" not in txt and "GMT" not in txt)
    if not ok:
        fails += 1
        print("FAIL %s: exit %d, outcome %s, status %r, findings %r" % (name, p.returncode, c["outcome"], got,
              {k: (v["severity"], v.get("frames")) for k, v in found.items()}))
    else:
        print("ok   %s: frame %d %s as tshark%s, failed, exit 1, %s, rejected-after-handshake cites it"
              % (name, want[0], line, "" if oracle else " (not run)", cert_rule))
# HTTP/2 (ALPN h2) decrypted: what the server's frames held and its GOAWAY, against tshark with
# the same key log (http2.type, http2.length, http2.streamid, http2.flags.ack.settings,
# http2.goaway.error, http2.goaway.last_stream_id, http2.headers.status): the count of each frame
# type, SETTINGS acks, the response's DATA bytes, the bytes of the frames, and the GOAWAY's frame,
# error code and last stream, in the JSON and in the "Server answered" line
# (e.g. "GOAWAY PROTOCOL_ERROR (0x1), last stream 0").
H2NAMES = ["DATA", "HEADERS", "PRIORITY", "RST_STREAM", "SETTINGS", "PUSH_PROMISE", "PING", "GOAWAY",
           "WINDOW_UPDATE", "CONTINUATION"]
H2ERR = {0: "NO_ERROR", 1: "PROTOCOL_ERROR", 2: "INTERNAL_ERROR", 7: "REFUSED_STREAM", 11: "ENHANCE_YOUR_CALM",
         13: "HTTP_1_1_REQUIRED"}
import glob
h2caps = [c for c in sorted(glob.glob("pcaps/*h2*.pcap")) if os.path.exists(c[:-5] + ".keys")]
if len(h2caps) < 2:
    fails += 1
    print("FAIL http2: expected the h2 captures with key logs, found %r" % h2caps)
for cap in h2caps if shutil.which("tshark") else []:
    keys = cap[:-5] + ".keys"
    c = json.loads(subprocess.run([tlsdiag, "--json", "-r", cap, "--keylog", keys], capture_output=True,
                                  timeout=timeout).stdout)["connections"][0]
    txt = subprocess.run([tlsdiag, "-v", "-r", cap, "--keylog", keys], capture_output=True,
                         timeout=timeout).stdout.decode()
    out = subprocess.run(["tshark", "-r", cap, "-o", "tls.keylog_file:" + keys, "-d",
                          "tcp.port==%d,tls" % c["server"]["port"], "-Y", "http2", "-T", "fields", "-E", "occurrence=a",
                          "-e", "frame.number", "-e", "tcp.srcport", "-e", "http2.type", "-e", "http2.length",
                          "-e", "http2.streamid", "-e", "http2.flags.ack.settings", "-e", "http2.goaway.error",
                          "-e", "http2.goaway.last_stream_id", "-e", "http2.headers.status"],
                         capture_output=True, timeout=timeout).stdout.decode()
    counts, acks, data, nbytes, goaway, status = {}, 0, 0, 0, None, None
    for row in out.splitlines():
        f = row.split("\t")
        if int(f[1]) != c["server"]["port"]:
            continue
        split = lambda v: [x for x in v.split(",") if x != ""]
        types, lens, streams = [int(x) for x in split(f[2])], [int(x) for x in split(f[3])], [int(x) for x in split(f[4])]
        if f[8] and status is None:
            status = (int(f[0]), int(split(f[8])[0]), streams[types.index(1)])
        acks += sum(1 for a in split(f[5]) if a in ("1", "True"))   # one value per SETTINGS frame
        for i, t in enumerate(types):
            counts[H2NAMES[t] if t < 10 else "other"] = counts.get(H2NAMES[t] if t < 10 else "other", 0) + 1
            nbytes += 9 + lens[i]
            if t == 0 and status and streams[i] == status[2]:
                data += lens[i]
        if f[6] and goaway is None:
            goaway = (int(f[0]), int(split(f[6])[0], 0), int(split(f[7])[0]))
    h2 = c["decryption"].get("http2") or {}
    want = {"server_frames": counts, "settings_acks": acks, "bytes": nbytes,
            "response": {"stream": status[2], "data_bytes": data} if status else None,
            "goaway": {"frame": goaway[0], "last_stream": goaway[2], "error_code": goaway[1],
                       "error": H2ERR.get(goaway[1])} if goaway else None}
    line = "Server answered (frame %d, decrypted): " % (status[0] if status else goaway[0])
    line += ("HTTP/2 :status %d" % status[1]) if status else "HTTP/2 "
    if goaway:
        line += "%sGOAWAY %s (0x%x), last stream %d" % ("; " if status else "", H2ERR[goaway[1]], goaway[1], goaway[2])
    if h2 != want or line not in txt or (status and (c["decryption"]["http_status"]["frame"], c["decryption"]["http_status"]["code"]) != status[:2]):
        fails += 1
        print("FAIL http2 %s:\n  tlsdiag %r\n  tshark  %r\n  line %r" % (cap, h2, want, line))
    else:
        print("ok   http2 %s: %s as tshark; %s" % (cap, ", ".join("%d %s" % (v, k) for k, v in sorted(counts.items())),
                                                   line.split(": ", 1)[1]))
print("keylog: %d failure(s)" % fails)
sys.exit(1 if fails else 0)
PY
