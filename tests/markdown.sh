#!/bin/sh
# markdown.sh - the Markdown report carries the text report's facts and pastes well (issue 13).
#
# Each bundled capture's --format markdown is rendered with a real CommonMark
# renderer (cmark) and its text compared with the same run's facts: every
# finding's summary, cause, fix and logged line, every timeline message with
# its details as the text report prints them, every certificate subject. The
# raw Markdown must not escape what would not render ("\(", "\-", "\."): it is
# read as plain text in tickets that do not render it; and counts are
# pluralised ("1 TCP connection").
set -u
srcdir=${srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
TLSDIAG=${TLSDIAG:-$(pwd)/tlsdiag}
case "$TLSDIAG" in /*) ;; *) TLSDIAG=$(pwd)/$TLSDIAG ;; esac
command -v python3 >/dev/null 2>&1 || { echo "SKIP: no python3"; exit 77; }
command -v cmark >/dev/null 2>&1 || { echo "SKIP: no cmark (apt-get install cmark)"; exit 77; }
cd "$srcdir" || exit 99
python3 - "$TLSDIAG" <<'PY'
import glob, html, json, re, subprocess, sys
tlsdiag = sys.argv[1]
ca = "pcaps/certs/ca-bundle.pem"
NEEDLESS = re.compile(r"\\[()\-.#+!{}:,;/=]")

def norm(t):
    return re.sub(r"\s+", " ", t).strip()

def rendered(md):
    out = subprocess.run(["cmark", "--to", "html"], input=md, capture_output=True, text=True, check=True).stdout
    out = re.sub(r"</?(?:code|em|strong|a)\b[^>]*>", "", out)   # inline: no space of their own
    return norm(html.unescape(re.sub(r"<[^>]+>", " ", out)))

fail = n = 0
caps = sorted(glob.glob("pcaps/*.pcap")) + ["tests/data/clock-behind.pcap"]
for cap in caps:
    opts = ["-vv", "--ca-file", ca, "--client-ca-file", ca, "-r", cap]
    md = subprocess.run([tlsdiag, "--format", "markdown", *opts], capture_output=True, text=True).stdout
    if not md.strip():
        continue
    doc = json.loads(subprocess.run([tlsdiag, "--json", "--json-full", *opts], capture_output=True, text=True).stdout)
    txt = subprocess.run([tlsdiag, *opts], capture_output=True, text=True).stdout
    page = rendered(md)
    n += 1
    def want(what, s):
        global fail
        # control bytes are shown as \xHH, in text and markdown alike
        s = re.sub(r"[\x00-\x1f\x7f]", lambda m: "\\x%02x" % ord(m.group(0)), s or "")
        if s and norm(s) not in page:
            print(f"FAIL {cap}: the rendered markdown lacks {what}: {s[:160]!r}")
            fail += 1
    for c in doc["connections"]:
        for f in c["findings"]:
            for k in ("summary", "cause", "fix"):
                want(f"{f['id']} {k}", f[k])
            for g in f.get("logged", []):
                want(f"{f['id']} logged line", g["line"])
        for side in ("server_certificates", "client_certificates"):
            for cert in (c.get(side) or {}).get("chain", []):
                if cert.get("subject"):
                    want("a certificate subject", cert["subject"])
                    want("a certificate issuer", cert["issuer"])
    for line in txt.splitlines():
        m = re.match(r"^\s+\d+\s+\S+\s+(?:C->S|S->C)\s+(.*)$", line)
        if m:
            want("a timeline message", m.group(1))
    for m in NEEDLESS.finditer(md):
        print(f"FAIL {cap}: needless escape {m.group(0)!r} in the raw markdown: ...{md[max(0, m.start() - 40):m.end() + 20]!r}")
        fail += 1
        break
    if re.search(r"\b1 TCP connections\b", md):
        print(f"FAIL {cap}: '1 TCP connections'")
        fail += 1
print(f"markdown: {n} reports rendered with cmark, {fail} failure(s)")
sys.exit(1 if fail else 0)
PY
