#!/usr/bin/env python3
"""check-manifest.py - does tlsdiag find exactly what the benchmark generator put in?

    tlsdiag --format jsonl --json-full ... -r F | check-manifest.py F.manifest.json

Reads tlsdiag's JSON Lines (one connection per line in full, the problems,
the summary last) and
compares its counts with the generator's manifest: ClientHellos, ServerHellos
(HelloRetryRequests counted apart), server and client Certificate messages,
empty client Certificates, CertificateRequests, plaintext alerts by code,
TLS 1.3 connections, resumptions, failed handshakes, and the failed
handshakes the error problems hold (the generator's failure scenarios are
one problem each: their counts are printed beside the manifest's
per-template counts). Exit 1 on any difference.

A manifest of the key-log generator (bench/keylog/) also lists what only
the key log shows: then tlsdiag (run with --keylog) must find the clear
facts plus the decrypted ones, read the HTTP request's answer on every
completed connection, and report no keylog-no-match or keylog-mismatch.
"""
import collections
import json
import sys


def main():
    manifest = json.load(open(sys.argv[1]))
    keylog = manifest.get("keylog")
    seen = collections.Counter()
    alerts = collections.Counter()
    problems = []
    for line in sys.stdin:
        if not line.strip():
            continue
        c = json.loads(line)
        if set(c) == {"problem"}:
            problems.append(c["problem"])
            continue
        if "stream" not in c:
            continue  # the summary line
        for m in c["messages"]:
            t = m["type"]
            if t in ("client_hello", "server_hello", "hello_retry_request", "certificate_request"):
                seen[t] += 1
            elif t == "certificate":
                seen["server_certificate" if m["from"] == "server" else "client_certificate"] += 1
            elif t == "alert":
                alerts[str(m["code"])] += 1
        dec = c.get("decryption") or {}
        seen["http_status"] += bool(dec.get("http_status"))
        for f in c.get("findings", []):
            if f.get("id") in ("keylog-no-match", "keylog-mismatch"):
                seen[f["id"]] += 1
        cc = c["client_certificates"]
        if cc is not None and cc["count"] == 0:
            seen["client_certificate_empty"] += 1
        if c["version"] == "TLS 1.3":
            seen["tls13"] += 1
        if c["resumed"]:
            seen["resumed"] += 1
        if c["outcome"] == "failed":
            seen["failed"] += 1
    want = {f: manifest[f] for f in ("srv_cert_msgs", "cli_cert_msgs", "cli_cert_empty", "cert_request")}
    want_alerts = collections.Counter(manifest["alerts_plain"])
    if keylog:   # the clear facts and what the key log opens
        for f in want:
            want[f] += keylog["decrypted"][f]
        want_alerts.update(keylog["decrypted"]["alerts"])
        want_alerts["0"] += keylog["close_notify_sealed"] - keylog.get("close_notify_after_16_app_records", 0)
    rows = [
        ("ClientHello", seen["client_hello"], manifest["client_hello"]),
        ("ServerHello + HelloRetryRequest", seen["server_hello"] + seen["hello_retry_request"], manifest["server_hello"]),
        ("server Certificate", seen["server_certificate"], want["srv_cert_msgs"]),
        ("client Certificate", seen["client_certificate"], want["cli_cert_msgs"]),
        ("empty client Certificate", seen["client_certificate_empty"], want["cli_cert_empty"]),
        ("CertificateRequest", seen["certificate_request"], want["cert_request"]),
        ("TLS 1.3 connections", seen["tls13"], manifest["tls13_conns"]),
        ("resumed connections", seen["resumed"], manifest["resumed"]),
        ("failed handshakes", seen["failed"], manifest["failed_handshakes"]),
        ("connections in error problems", sum(p["connections"] for p in problems if p["severity"] == "error"),
         manifest["failed_handshakes"]),
    ]
    if keylog:
        rows += [("HTTP status line read (decrypted)", seen["http_status"], keylog["http_requests"]),
                 ("keylog-no-match findings", seen["keylog-no-match"], 0),
                 ("keylog-mismatch findings", seen["keylog-mismatch"], 0)]
    what = "alert (clear or decrypted)" if keylog else "plaintext alert"
    for code, n in sorted(want_alerts.items()):
        rows.append((f"{what} {code}", alerts[code], n))
    for code in sorted(set(alerts) - set(want_alerts)):
        rows.append((f"{what} {code}", alerts[code], 0))
    bad = 0
    print("| fact | tlsdiag | manifest |")
    print("|---|---:|---:|")
    for name, got, want in rows:
        mark = "" if got == want else " **differs**"
        bad += got != want
        print(f"| {name} | {got} | {want}{mark} |")
    print()
    print("| problem | connections |")
    print("|---|---:|")
    for p in problems:
        print(f"| {p['severity']}: {p['title']} | {p['connections']} |")
    print()
    print("per template (the manifest): " + ", ".join(f"{k} {v}" for k, v in sorted(manifest["per_template"].items())))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
