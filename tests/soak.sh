#!/bin/sh
# soak.sh - memory stays flat while tlsdiag -i lo watches a steady stream of
# handshakes (successful and failing) for SOAK_SECONDS (default 20): the peak
# RSS of the second half may exceed the first half's by at most SOAK_SLACK_KB.
# Needs capture rights; skipped visibly elsewhere.
set -u
srcdir=${srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
TLSDIAG=${TLSDIAG:-$(pwd)/tlsdiag}
SECONDS_RUN=${SOAK_SECONDS:-20}
SLACK_KB=${SOAK_SLACK_KB:-1024}
certs=$srcdir/pcaps/certs
tmp=$(mktemp -d) || exit 99
pids=""
cleanup() { for p in $pids; do kill "$p" 2>/dev/null; done; rm -rf "$tmp"; }
trap cleanup EXIT

command -v openssl >/dev/null || { echo "SKIP: openssl is not installed"; exit 77; }
command -v python3 >/dev/null || { echo "SKIP: python3 is not installed"; exit 77; }
if ldd "$TLSDIAG" 2>/dev/null | grep -q 'libasan\|libtsan\|libmsan'; then
	echo "SKIP: resident memory is not meaningful under a sanitizer (its quarantine grows by design)"
	exit 77
fi
if [ "$(id -u)" != 0 ]; then
	echo "SKIP: live capture needs root (CI runs this test as root)"
	exit 77
fi
ports=$(python3 -c '
import socket
s = [socket.socket() for _ in range(2)]
for x in s: x.bind(("127.0.0.1", 0))
print(" ".join(str(x.getsockname()[1]) for x in s))')
set -- $ports
ok_port=$1 fail_port=$2

"$TLSDIAG" -i lo --idle-timeout 5 tcp port "$ok_port" or tcp port "$fail_port" >"$tmp/out" 2>"$tmp/err" &
td=$!
pids="$td"
i=0
until grep -q "listening on" "$tmp/err" 2>/dev/null; do
	i=$((i + 1)); [ $i -gt 100 ] && { echo "FAIL: tlsdiag did not start"; cat "$tmp/err"; exit 1; }
	sleep 0.1
done
# a server that completes handshakes, and one that rejects clients without a certificate
openssl s_server -accept "127.0.0.1:$ok_port" -cert "$certs/server.crt" -key "$certs/server.key" \
	-cert_chain "$certs/intermediate-ca.crt" -quiet </dev/null >/dev/null 2>&1 &
pids="$pids $!"
openssl s_server -accept "127.0.0.1:$fail_port" -cert "$certs/server.crt" -key "$certs/server.key" \
	-cert_chain "$certs/intermediate-ca.crt" -CAfile "$certs/ca-bundle.pem" -Verify 1 -verify_return_error \
	-tls1_2 -quiet </dev/null >/dev/null 2>&1 &
pids="$pids $!"
sleep 1
openssl s_time -connect "127.0.0.1:$ok_port" -new -time "$SECONDS_RUN" >"$tmp/stime" 2>&1 &
pids="$pids $!"
( end=$(( $(date +%s) + SECONDS_RUN )); while [ "$(date +%s)" -lt $end ]; do
	echo | timeout 5 openssl s_client -connect "127.0.0.1:$fail_port" -tls1_2 >/dev/null 2>&1
  done ) &
pids="$pids $!"

: >"$tmp/rss"
n=0
while [ $n -lt "$SECONDS_RUN" ]; do
	sleep 1
	awk '/^VmRSS/ { print $2 }' /proc/$td/status >>"$tmp/rss" || break
	n=$((n + 1))
done
kill -INT $td
wait $td
status=$?
handshakes=$(grep -o '[0-9]* connections in' "$tmp/stime" | head -1)
python3 - "$tmp/rss" "$SLACK_KB" "$tmp/out" <<'PY'
import re, sys
rss = [int(x) for x in open(sys.argv[1]) if x.strip()]
slack = int(sys.argv[2])
half = len(rss) // 2
first, second = max(rss[:half]), max(rss[half:])
out = open(sys.argv[3], encoding="utf-8").read()
m = re.search(r"Summary: (\d+) TCP connections?, (\d+) reported", out)
print("RSS samples (KiB):", rss)
print(f"peak first half {first} KiB, second half {second} KiB, growth {second - first} KiB (allowed {slack})")
print("summary:", m.group(0) if m else "missing")
assert m and int(m.group(1)) > 100, "too few connections seen for a soak"
assert "client-cert-empty" in out, "failing handshakes were not reported"
assert second - first <= slack, "memory grows"
PY
[ $? = 0 ] || { echo "FAIL: soak"; exit 1; }
[ $status = 1 ] || { echo "FAIL: exit status $status, expected 1 (error findings)"; exit 1; }
echo "soak: PASS ($handshakes)"
