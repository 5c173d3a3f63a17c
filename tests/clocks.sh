#!/bin/sh
# clocks.sh - each -r file has its own clock (issue 13): two captures may come
# from two machines. pcaps/clock-behind-many.pcap was stamped two years early
# (editcap -t): its four completed handshakes teach an offset of 2352058 s.
# tests/data/not-yet-valid-11-days.pcap is pcaps/server-not-yet-valid.pcap
# stamped 2029-12-20 (editcap -t 97027200): its clock is right, and its client
# refused the leaf valid from 2030-01-01, 11 days later, with bad_certificate.
# With one offset for the run, that offset (27 days) would hide the real
# cert-not-yet-valid; and a file of many valid handshakes read first would
# outvote the skewed file, whose failed unknown_ca connection would then get a
# false cert-not-yet-valid. Both orders, text and JSON; --at still judges all.
set -u
srcdir=${srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
TLSDIAG=${TLSDIAG:-$(pwd)/tlsdiag}
case $TLSDIAG in /*) ;; *) TLSDIAG=$(pwd)/$TLSDIAG ;; esac
cd "$srcdir" || exit 99
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

skew=pcaps/clock-behind-many.pcap
right=tests/data/not-yet-valid-11-days.pcap
many=pcaps/many-connections.pcap
ca="--ca-file pcaps/certs/ca-bundle.pem"
for f in $skew $right $many; do [ -f "$f" ] || { echo "SKIP: $f missing"; exit 77; }; done

want="Clock: $skew: the capture's clock is at least 27 days 05:20:58 behind (capture-clock-suspect, inferred): \
4 of 4 completed handshakes with a server chain in clear accepted certificates that begin after their capture time, \
the latest on 2025-01-01T00:00:00Z (tcp.stream eq 2 in $skew, frame 34). Validity is judged at capture time + \
2352058 s (+1 h: it is a lower bound); --at TIME judges at TIME"

# The text report: exactly one Clock line, the skewed file's, naming it.
clock_lines() {
	# shellcheck disable=SC2086
	"$TLSDIAG" $ca "$@" >"$tmp/out.txt" 2>"$tmp/err.txt"
	[ $? -eq 1 ] || fail "$*: exit status not 1 (errors found)"
	grep '^Clock: ' "$tmp/out.txt" >"$tmp/clock.txt"
	printf '%s\n' "$want" | cmp -s - "$tmp/clock.txt" ||
		fail "$*: the Clock lines are not the skewed file's alone:$(printf '\n'; cat "$tmp/clock.txt")"
}
clock_lines -r $right -r $skew
clock_lines -r $skew -r $right
clock_lines -r $many -r $skew
clock_lines -r $skew -r $many

# The JSON report: each file's connections judged by its own clock.
# check.py FILE.json ORDER: the facts of every connection of both files.
cat >"$tmp/check.py" <<'EOF'
import json, sys
doc = json.load(open(sys.argv[1]))
skew, right, many, at = sys.argv[2:6]
at = at == "at"
bad = []
def ids(c):
    return [f["id"] for f in c["findings"]]
conns = {}
for c in doc["connections"]:
    conns[(c["file"], c["stream"])] = c
clocks = {i["file"]: i.get("clock") for i in doc["inputs"]}
if at:
    if any(clocks.values()) or "clock" in doc["summary"]:
        bad.append("--at: a clock was learned: %r" % clocks)
else:
    ck = clocks.get(skew)
    if not ck or ck["offset_seconds"] != 2352058 or ck["proof"] != {
            "file": skew, "stream": 2, "frame": 34, "not_before": "2025-01-01T00:00:00Z"}:
        bad.append("%s: inputs[].clock %r" % (skew, ck))
    for f, c in clocks.items():
        if f != skew and c:
            bad.append("%s: its clock is right, yet inputs[].clock %r" % (f, c))
    if doc["summary"].get("clock") != ck:
        bad.append("summary.clock is not the skewed file's: %r" % doc["summary"].get("clock"))
# the skewed file: 0 fails on trust (no validity error), 1 on the 2030 leaf, 2-5 complete, clean
# (so too --at 2029-12-25: the 2025 leaf is valid then, the 2030 one not yet)
want = {0: ["alert"], 1: ["cert-not-yet-valid", "alert"], 2: [], 3: [], 4: [], 5: []}
for s, w in want.items():
    c = conns.get((skew, s))
    if c is None or ids(c) != w:
        bad.append("%s stream %d: findings %r, want %r" % (skew, s, c and ids(c), w))
# the right file: the leaf begins 11 days after its capture time, and its clock is right
if many == "-":
    c = conns.get((right, 0))
    if c is None or ids(c) != ["cert-not-yet-valid", "alert"] or c["findings"][0]["severity"] != "error":
        bad.append("%s stream 0: findings %r, want a cert-not-yet-valid error" % (right, c and ids(c)))
else:   # many-connections: by its own clock, 6 expired leaves and nothing not yet valid
    m = [c for c in doc["connections"] if c["file"] == many]
    nyv = [c["stream"] for c in m if "cert-not-yet-valid" in ids(c) or "capture-clock-suspect" in ids(c)]
    exp = sorted(c["stream"] for c in m if "cert-expired" in ids(c))
    if len(m) != 36 or nyv or len(exp) != 6:
        bad.append("%s: %d connections, not yet valid in %r, expired in %r" % (many, len(m), nyv, exp))
for b in bad:
    print("FAIL: " + sys.argv[1] + ": " + b)
sys.exit(1 if bad else 0)
EOF
n=0
for order in "$right $skew" "$skew $right" "$many $skew" "$skew $many"; do
	n=$((n + 1))
	set -- $order
	# shellcheck disable=SC2086
	"$TLSDIAG" --json $ca -r "$1" -r "$2" >"$tmp/$n.json" 2>/dev/null
	m=-
	[ "$1" = "$many" ] || [ "$2" = "$many" ] && m=$many
	python3 "$tmp/check.py" "$tmp/$n.json" "$skew" "$right" "$m" learn || exit 1
	# JSON Lines: the same inputs[].clock on its last line
	# shellcheck disable=SC2086
	"$TLSDIAG" --format jsonl $ca -r "$1" -r "$2" 2>/dev/null | tail -n 1 >"$tmp/$n.last.json"
	python3 - "$tmp/$n.json" "$tmp/$n.last.json" <<'EOF' || fail "JSON Lines: inputs and summary.clock differ from JSON's"
import json, sys
a, b = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
sys.exit(0 if a["inputs"] == b["inputs"] and a["summary"].get("clock") == b["summary"].get("clock") else 1)
EOF
done

# --at judges every file at that time: no clock learned, no Clock line
# shellcheck disable=SC2086
"$TLSDIAG" $ca --at 2029-12-25 -r $skew -r $right >"$tmp/at.txt" 2>/dev/null
grep -q '^Clock: ' "$tmp/at.txt" && fail "--at: a Clock line: $(grep '^Clock: ' "$tmp/at.txt")"
# shellcheck disable=SC2086
"$TLSDIAG" --json $ca --at 2029-12-25 -r $skew -r $right >"$tmp/at.json" 2>/dev/null
python3 "$tmp/check.py" "$tmp/at.json" "$skew" "$right" - at || exit 1

# One file: its Clock line as before, not named first (the proof names it)
# shellcheck disable=SC2086
"$TLSDIAG" $ca -r $skew | grep '^Clock: ' >"$tmp/one.txt"
printf '%s\n' "$want" | sed "s|^Clock: $skew: |Clock: |" | cmp -s - "$tmp/one.txt" ||
	fail "one file: $(cat "$tmp/one.txt")"
echo "clocks: per-file clocks in 4 orders, --at and one file: ok"
