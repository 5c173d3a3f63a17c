#!/bin/sh
# bench_problems.sh - the problems of a bench capture are the manifest's failure classes (issue 14):
# a small capture from ../shared/bench's generator (8 MiB, seed 1: every one of the 32 templates,
# each failing one at least twice, ~900 connections, well under a second to make), read with the
# bench's roots as the trust store and again without one, both at a time when the bench's
# certificates are valid (--at, so the capture's own clock, 2025, does not decide). Every error
# problem must be exactly one failed template class with exactly its connection count, the error
# problems must hold all failed handshakes of the manifest, and no two problems may read the same.
# Environment: TLSDIAG (default ./tlsdiag), TLSDIAG_BENCH (default $srcdir/../shared/bench: the
# generator, its templates and certificates); skipped when that directory or python3 is absent.
set -u
srcdir=${srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
TLSDIAG=${TLSDIAG:-$(pwd)/tlsdiag}
case "$TLSDIAG" in /*) ;; *) TLSDIAG=$(pwd)/$TLSDIAG ;; esac
bench=${TLSDIAG_BENCH:-$srcdir/../shared/bench}
command -v python3 >/dev/null 2>&1 || { echo "SKIP: bench_problems.sh needs python3 (the generator is python)"; exit 77; }
for f in gen_tls_pcap.py templates/templates.json templates/scenarios.txt certs/rsa-root.crt certs/ec-root.crt \
	certs/cli-root.crt; do
	[ -f "$bench/$f" ] || { echo "SKIP: no bench generator at $bench (missing $f; set TLSDIAG_BENCH)"; exit 77; }
done
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
cap=$tmp/bench-8m.pcap
if ! python3 "$bench/gen_tls_pcap.py" --templates "$bench/templates/templates.json" --out "$cap" \
	--size-mib 8 --seed 1 --manifest "$cap.manifest.json" >"$tmp/gen.log" 2>&1; then
	echo "FAIL: the bench generator did not run:"
	cat "$tmp/gen.log"
	exit 1
fi
cat "$bench/certs/rsa-root.crt" "$bench/certs/ec-root.crt" "$bench/certs/cli-root.crt" >"$tmp/roots.pem"
at=2027-01-01T00:00:00Z   # the bench's certificates: 2026-11-23 .. 2036; expired and future ones stay so
"$TLSDIAG" --json --at "$at" --ca-file "$tmp/roots.pem" -r "$cap" >"$tmp/roots.json" 2>"$tmp/roots.err"
"$TLSDIAG" --json --at "$at" -r "$cap" >"$tmp/system.json" 2>"$tmp/system.err"
exec python3 "$srcdir/tests/bench_problems.py" "$cap.manifest.json" "$bench/templates/scenarios.txt" \
	roots:"$tmp/roots.json" system:"$tmp/system.json"
