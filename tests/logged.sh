#!/bin/sh
# logged.sh - the "Logged by" lines are what the real software printed (issue 13).
#
# pcaps/logs/NAME.log holds what the client and the server logged while
# pcaps/NAME was captured. For every capture, every line tlsdiag says a side
# logged must be found in the logs of the real software: in NAME.log itself
# when the report names the software as identified from its hello, else in
# some log of pcaps/logs (the report's names, e.g. the SNI, are matched as
# the captures' api.example.test; Java's "Received fatal alert: NAME" by its
# format). And on the
# captures listed below, the line the software really printed is reported.
set -u
srcdir=${srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
TLSDIAG=${TLSDIAG:-$(pwd)/tlsdiag}
case "$TLSDIAG" in /*) ;; *) TLSDIAG=$(pwd)/$TLSDIAG ;; esac
command -v python3 >/dev/null 2>&1 || { echo "SKIP: no python3"; exit 77; }
cd "$srcdir" || exit 99
python3 - "$TLSDIAG" <<'PY'
import glob, json, os, subprocess, sys
tlsdiag = sys.argv[1]
ca = "pcaps/certs/ca-bundle.pem"
logs = {os.path.basename(p)[:-4]: open(p, encoding="utf-8", errors="replace").read()
        for p in glob.glob("pcaps/logs/*.log")}
corpus = "\n".join(logs.values())
# Java names the alert it received with its RFC name: the logs show the format for three alerts
# (the playbook of seed 001 quotes it for bad_certificate); the format itself is checked.
JAVA_RECEIVED = "Received fatal alert: "
# (capture, who, line): facts the report must carry
must = [
    ("gnutls-tls12-mtls-no-cert", "server", "Error in handshake: No certificate was found."),
    ("gnutls-tls12-mtls-no-cert", "client", "*** Received alert [50]: Decode error"),
    ("gnutls-cli-to-openssl-tls12-mtls-no-cert", "server", "tls_process_client_certificate:peer did not return a certificate"),
    ("gnutls-cli-to-openssl-tls12-mtls-no-cert", "client", "*** Received alert [40]: Handshake failed"),
    ("java-server-tls12-no-client-cert", "server", "javax.net.ssl.SSLHandshakeException: Empty client certificate chain"),
    ("java-server-tls12-no-client-cert", "client", "sslv3 alert bad certificate"),
    ("protocol-version-client-tls13-only-java", "client", "Received fatal alert: protocol_version"),
    ("protocol-version-server-tls13-only", "client", "tlsv1 alert protocol version"),
    ("tls12-hostname-mismatch-curl", "client", "curl: (60) SSL: no alternative certificate subject name matches target host name 'api.example.test'"),
]
fail = checked = 0
seen = set()
for cap in sorted(glob.glob("pcaps/*.pcap") + glob.glob("pcaps/*.pcapng")):
    name = os.path.basename(cap).rsplit(".", 1)[0]
    for opts in ([], ["--ca-file", ca, "--client-ca-file", ca]):
        out = subprocess.run([tlsdiag, "--json", "-v", *opts, "-r", cap], capture_output=True, text=True).stdout
        if not out.strip():
            continue
        for c in json.loads(out)["connections"]:
            sni = c.get("sni") or ""
            for f in c["findings"]:
                for g in f.get("logged", []):
                    line = g["line"]
                    checked += 1
                    seen.add((name, g["by"], line))
                    if g["identified"] and name in logs:
                        if line not in logs[name]:
                            print(f"FAIL {name}: {f['id']}: the {g['by']} ({g['software']}) is said to log {line!r}; {name}.log does not have it")
                            fail += 1
                        continue
                    norm = line.replace(sni, "api.example.test") if sni else line
                    if line.startswith(JAVA_RECEIVED) and g["software"] == "Java (JSSE)":
                        norm = JAVA_RECEIVED
                    if line not in corpus and norm not in corpus:
                        print(f"FAIL {name}: {f['id']}: {line!r} ({g['software']}) is in no log of real software")
                        fail += 1
for cap, who, line in must:
    if (cap, who, line) not in seen:
        print(f"FAIL {cap}: the {who}'s line {line!r} (in pcaps/logs/{cap}.log) is not reported")
        fail += 1
    elif line not in logs.get(cap, ""):
        print(f"FAIL {cap}: {line!r} is not in pcaps/logs/{cap}.log: the list above is wrong")
        fail += 1
print(f"logged: {checked} lines checked, {len(must)} expected lines, {fail} failure(s)")
sys.exit(1 if fail else 0)
PY
