#!/bin/sh
# exit_audit.sh - the verdict of every capture in pcaps/, with and without its key log (issue 12):
# the exit status and the outcome counts tests/exit_audit.list records for it, from what the
# capture truly is. A failed connection never exits 0, never reads "completed" or "healthy",
# and is written by -w; a completed one carries no error; without --ca-file (the system store) the
# verdict is the same, warnings apart. Where tshark (the parsing oracle)
# sees a fatal alert in a TCP stream, that connection is reported failed with an error.
#
# A line whose last column starts "gap(today ...)" is a known gap: the columns hold the right
# verdict, the gap what tlsdiag answers today. It is reported, never hidden; the test fails
# when the answer changes (a gap closed: drop the mark; or it got worse).
#
#   tests/exit_audit.sh                 check every line (what `make check` runs)
#   tests/exit_audit.sh NAME ...        only the lines of these captures
#   TLSDIAG_BENCH_PCAP=/tmp/tlsdiag-bench/tls-200m.pcap tests/exit_audit.sh   also the bench (bench/run-bench.sh)
set -u
srcdir=${srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
TLSDIAG=${TLSDIAG:-$(pwd)/tlsdiag}
case "$TLSDIAG" in /*) ;; *) TLSDIAG=$(pwd)/$TLSDIAG ;; esac
command -v python3 >/dev/null 2>&1 || { echo "SKIP: exit_audit.sh needs python3 to read the JSON"; exit 77; }
cd "$srcdir" || exit 99
python3 - "$TLSDIAG" tests/exit_audit.list "$@" <<'PY'
import json, os, re, shutil, subprocess, sys, tempfile
tlsdiag, listfile, only = sys.argv[1], sys.argv[2], set(sys.argv[3:])
CA = ["--ca-file", "pcaps/certs/ca-bundle.pem"]
CAPTURE = re.compile(r"\.(pcap|pcapng|pcap\.gz)$")
GAP = re.compile(r"^gap\(today (\d) ; (\d+) (\d+) (\d+) (\d+) ; (\d+) (\d+)\): (.+)$")
tshark = shutil.which("tshark")

# the server ports pcaps/expectations.txt tells tshark to decode as TLS
ports, cur = {}, None
for l in open("pcaps/expectations.txt"):
    if l.startswith("file:"):
        cur = l.split()[1]
    elif l.startswith("ports:") and cur:
        ports[cur] = l.split()[1:]

def run(args):
    return subprocess.run([tlsdiag, *args], capture_output=True, text=True)

def fatal_streams(cap, keys):
    """tcp.stream of every connection where tshark sees a fatal alert (decrypted with keys)."""
    args = [tshark, "-n", "-r", cap, "-Y", "tls.alert_message.level == 2", "-T", "fields", "-e", "tcp.stream"]
    for p in ports.get(os.path.basename(cap), []):
        args += ["-d", "tcp.port==%s,tls" % p]
    if keys:
        args += ["-o", "tls.keylog_file:" + keys]
    out = subprocess.run(args, capture_output=True, text=True)
    return {int(x) for l in out.stdout.split() for x in l.split(",") if x.isdigit()}

rows, seen = [], set()
for n, line in enumerate(open(listfile), 1):
    line = line.strip()
    if not line or line.startswith("#"):
        continue
    cols = [c.strip() for c in line.split("|", 5)]
    if len(cols) != 6:
        sys.exit("%s:%d: 6 columns expected" % (listfile, n))
    cap, keys, status, counts, diag, note = cols
    rows.append((n, cap, keys, int(status), tuple(map(int, counts.split())), tuple(map(int, diag.split())), note))
    seen.add((cap, keys))

fail = gaps = checked = 0
def bad(n, cap, keys, why):
    global fail
    fail += 1
    print("FAIL %s%s (line %d): %s" % (cap, " with its key log" if keys == "keys" else "", n, why))

# every capture is in the list, with and without its key log
if not only:
    for f in sorted(os.listdir("pcaps")):
        if not CAPTURE.search(f):
            continue
        base = CAPTURE.sub("", f)
        if (f, "-") not in seen:
            bad(0, f, "-", "no line in %s" % listfile)
        if os.path.exists("pcaps/%s.keys" % base) and (f, "keys") not in seen:
            bad(0, f, "keys", "no line in %s for its key log" % listfile)

for n, cap, keys, want_status, want_counts, want_diag, note in rows:
    if only and cap not in only and CAPTURE.sub("", cap) not in only:
        continue
    path = "pcaps/" + cap
    if not os.path.exists(path):
        bad(n, cap, keys, "no such capture")
        continue
    kl = "pcaps/%s.keys" % CAPTURE.sub("", cap) if keys == "keys" else None
    opts = CA + (["--keylog", kl] if kl else [])
    checked += 1
    with tempfile.TemporaryDirectory() as tmp:
        w = os.path.join(tmp, "w.pcap")
        j = run(["--json", "--json-full", *opts, "-w", w, "-r", path])
        written = os.path.exists(w) and os.path.getsize(w) > 24
    try:
        doc = json.loads(j.stdout)
    except ValueError:
        bad(n, cap, keys, "output is not JSON (%s)" % j.stderr.strip())
        continue
    s = doc["summary"]
    got = (j.returncode, (s["completed"], s["failed"], s["incomplete"], s["not_tls"]), (s["with_error"], s["with_warning"]))
    want = (want_status, want_counts, want_diag)
    fmt = lambda v: "exit %d; %d completed, %d failed, %d incomplete, %d not TLS; %d with errors, %d with warnings only" % (v[0], *v[1], *v[2])
    g = GAP.match(note)
    if g:
        today = (int(g.group(1)), tuple(map(int, g.group(2, 3, 4, 5))), tuple(map(int, g.group(6, 7))))
        if got == want:
            bad(n, cap, keys, "known gap closed: gives the right verdict now, drop the gap mark")
        elif got != today:
            bad(n, cap, keys, "known gap changed: %s (recorded as %s; right: %s)" % (fmt(got), fmt(today), fmt(want)))
        else:
            gaps += 1
            print("KNOWN GAP %s%s (line %d): %s, right: %s. %s" % (cap, " with its key log" if kl else "", n, fmt(got), fmt(want), g.group(8)))
    elif got != want:
        bad(n, cap, keys, "%s, expected %s" % (fmt(got), fmt(want)))

    # what holds for every connection, gap or not
    errs = lambda c: [f["id"] for f in c["findings"] if f["severity"] == "error"]
    for c in doc["connections"]:
        if c["outcome"] in ("failed", "not_tls") and not errs(c):
            bad(n, cap, keys, "tcp.stream %d is %s without an error finding" % (c["stream"], c["outcome"]))
        if c["outcome"] == "completed" and errs(c):
            bad(n, cap, keys, "tcp.stream %d is completed with error %s" % (c["stream"], ", ".join(errs(c))))
    if (j.returncode == 1) != (s["with_error"] > 0) or j.returncode not in (0, 1):
        bad(n, cap, keys, "exit %d with %d connections with errors" % (j.returncode, s["with_error"]))
    if written != (s["with_error"] > 0):
        bad(n, cap, keys, "-w wrote %s with %d connections with errors" % ("packets" if written else "nothing", s["with_error"]))
    # a trust store changes warnings, never the verdict: without --ca-file (the system store) the same
    nc = run(["--json", *(["--keylog", kl] if kl else []), "-r", path])
    try:
        ns = json.loads(nc.stdout)["summary"]
        other = (nc.returncode, (ns["completed"], ns["failed"], ns["incomplete"], ns["not_tls"]), ns["with_error"])
    except ValueError:
        other = None
    if other != (got[0], got[1], got[2][0]):
        bad(n, cap, keys, "without --ca-file: %s, with it: %s" % (other, (got[0], got[1], got[2][0])))
    # the text says the same: every failed connection reads failed, no more connections read healthy than completed
    quiet = sum(1 for c in doc["connections"] if c["outcome"] == "completed" and
                not any(f["severity"] in ("error", "warning") for f in c["findings"]))
    t = run(["-v", *opts, "-r", path]).stdout
    head = re.search(r"^Connections: \d+ TCP, \d+ reported: (\d+) completed, (\d+) failed, (\d+) incomplete", t, re.M)
    if head:   # many connections: the problem view's headline counts them
        if tuple(map(int, head.groups())) != got[1][:3]:
            bad(n, cap, keys, "the text's headline counts %s, the JSON %s" % (head.groups(), got[1][:3]))
        m = re.search(r"^(\d+) connections? completed normally", t, re.M)
        if not m or int(m.group(1)) != quiet:
            bad(n, cap, keys, "the text's headline: %s completed normally, %d completed without a warning" %
                (m.group(1) if m else "no line", quiet))
    else:      # every connection told: each says its outcome
        for word, k in (("completed", 0), ("failed", 1)):
            m = len(re.findall(r"outcome: %s\b" % word, t))
            if m != got[1][k]:
                bad(n, cap, keys, "-v text has %d 'outcome: %s' for %d %s connections" % (m, word, got[1][k], word))
    t = run(opts + ["-r", path]).stdout
    m = re.search(r"(\d+) healthy connections? (and \d+ incomplete \S+ \S+ )?not shown", t)
    if m and int(m.group(1)) > quiet:
        bad(n, cap, keys, "text calls %s connections healthy, %d completed without a warning" % (m.group(1), quiet))
    # the oracle: a fatal alert tshark sees ends a connection that is reported failed
    if tshark:
        by_stream = {c["stream"]: c for c in doc["connections"]}
        for st in sorted(fatal_streams(path, kl)):
            c = by_stream.get(st)
            if c is None:
                bad(n, cap, keys, "tshark sees a fatal alert in tcp.stream %d, tlsdiag reports no such connection" % st)
            elif c["outcome"] not in ("failed", "not_tls") or not errs(c):
                bad(n, cap, keys, "tshark sees a fatal alert in tcp.stream %d, tlsdiag reports it %s%s" %
                    (st, c["outcome"], "" if errs(c) else " without an error"))

# the bench, when asked for (TLSDIAG_BENCH_PCAP=FILE.pcap, its FILE.pcap.manifest.json next to it, the
# roots in TLSDIAG_BENCH_ROOTS or bench-roots.pem beside it): as many failed connections as the
# generator made, each with an error, and no completed connection with one
bench = os.environ.get("TLSDIAG_BENCH_PCAP")
if bench:
    roots = os.environ.get("TLSDIAG_BENCH_ROOTS") or os.path.join(os.path.dirname(bench), "bench-roots.pem")
    try:
        manifest = json.load(open(bench + ".manifest.json"))
        j = run(["--json", "--ca-file", roots, "-r", bench])
        doc = json.loads(j.stdout)
    except (OSError, ValueError) as e:
        sys.exit("FAIL bench %s: %s" % (bench, e))
    sev = {p["id"]: p["severity"] for p in doc["problems"]}
    s = doc["summary"]
    wrong = [c["stream"] for c in doc["connections"]
             if (c["outcome"] == "completed") == (sev.get(c.get("problem")) == "error") and
             c["outcome"] in ("completed", "failed", "not_tls")]
    if s["failed"] != manifest["failed_handshakes"] or s["with_error"] != s["failed"] or wrong or j.returncode != 1:
        fail += 1
        print("FAIL bench %s: exit %d, %d failed (manifest: %d), %d with errors; %d connections completed with "
              "an error or failed without (tcp.stream %s)" % (bench, j.returncode, s["failed"],
              manifest["failed_handshakes"], s["with_error"], len(wrong), ", ".join(map(str, wrong[:10]))))
    else:
        print("ok   bench %s: %d failed as the manifest, each with an error; %d completed, none with one" %
              (bench, s["failed"], s["completed"]))

print("exit_audit: %d capture runs checked, %d known gap%s, %d failure(s)%s" %
      (checked, gaps, "" if gaps == 1 else "s", fail, "" if tshark else " (no tshark: fatal-alert oracle skipped)"))
sys.exit(1 if fail else 0)
PY
