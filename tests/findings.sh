#!/bin/sh
# findings.sh - every finding id fires on its bench capture with the expected severity and side,
# and the healthy captures produce no error or warning (tests/findings.list); every finding has
# a severity the catalogue (tlsdiag --list-findings) allows for its id.
set -u
srcdir=${srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
TLSDIAG=${TLSDIAG:-$(pwd)/tlsdiag}
case "$TLSDIAG" in /*) ;; *) TLSDIAG=$(pwd)/$TLSDIAG ;; esac
command -v python3 >/dev/null 2>&1 || { echo "SKIP: findings.sh needs python3 to read the JSON"; exit 77; }
cd "$srcdir" || exit 99
python3 - "$TLSDIAG" tests/findings.list <<'PY'
import json, os, re, shlex, subprocess, sys, tempfile
tlsdiag, listfile = sys.argv[1:3]
rows = [l.split("\t") for l in subprocess.run([tlsdiag, "--list-findings"], capture_output=True, text=True, check=True).stdout.splitlines()]
catalogue = [r[0] for r in rows]
severities = {r[0]: r[1].split("|") for r in rows}   # the severities each id can take
fail, covered = 0, set()
for line in open(listfile):
    line = line.strip()
    if not line or line.startswith("#"):
        continue
    fid, cap, opts, sev, side = [x.strip() for x in line.split("|")]
    if fid == "failed":
        with tempfile.TemporaryDirectory() as tmp:
            w = os.path.join(tmp, "w.pcap")
            out = subprocess.run([tlsdiag, *shlex.split(opts), "-w", w, "-r", cap], capture_output=True, text=True)
            written = os.path.getsize(w) > 24 if os.path.exists(w) else False
        if out.returncode != 1 or not written:
            print(f"FAIL failed {cap}: exit status {out.returncode} (1 expected), -w wrote {'packets' if written else 'nothing'}")
            fail += 1
        continue
    out = subprocess.run([tlsdiag, "--json", *shlex.split(opts), "-r", cap], capture_output=True, text=True)
    try:
        doc = json.loads(out.stdout)
    except ValueError:
        print(f"FAIL {fid} {cap}: output is not JSON ({out.stderr.strip()})")
        fail += 1
        continue
    found = [(f["id"], f["severity"], f["from"]) for c in doc["connections"] for f in c["findings"]]
    for f in found:
        if f[1] not in severities.get(f[0], []):
            print(f"FAIL {cap}: {f[0]} is {f[1]}, the catalogue says {'|'.join(severities.get(f[0], ['(no such id)']))}")
            fail += 1
    if fid == "healthy":
        bad = [f for f in found if f[1] in ("error", "warning")]
        if bad:
            print(f"FAIL healthy {cap}: {bad}")
            fail += 1
        continue
    hits = [f for f in found if f[0] == fid and f[2] == side]
    if sev == "absent":
        if hits:
            print(f"FAIL {fid} must not fire on {cap}: {hits}")
            fail += 1
        continue
    covered.add(fid)
    if not any(f[1] == sev for f in hits):
        print(f"FAIL {fid} ({sev}, {side}) not found on {cap} {opts}: found {found}")
        fail += 1
missing = [i for i in catalogue if i not in covered]
if missing:
    print("FAIL: finding ids without a capture that fires them:", ", ".join(missing))
    fail += 1
print(f"findings: {len(covered)} of {len(catalogue)} ids fire on their captures; {fail} failure(s)")
sys.exit(1 if fail else 0)
PY
