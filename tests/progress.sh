#!/bin/sh
# progress.sh - the progress line (--progress, --no-progress): on stderr
# only, never in the report; forced into a file, its last line carries the
# run's final counts (percent of all -r files, connections, failed), which
# must be the summary's; no percent for standard input. No timing is
# asserted: lines before the last depend on the clock.
set -u
srcdir=${srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
TLSDIAG=${TLSDIAG:-$(pwd)/tlsdiag}
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

a=$srcdir/pcaps/gnutls-cli-to-openssl-tls13-mtls-no-cert.pcap
b=$srcdir/pcaps/alpn-h2.pcap
[ -f "$a" ] && [ -f "$b" ] || { echo "SKIP: test captures missing"; exit 77; }

# 1. the report is the same with and without the line; the line is on stderr
"$TLSDIAG" --progress -r "$a" -r "$b" >"$tmp/with.out" 2>"$tmp/with.err"
s1=$?
"$TLSDIAG" -r "$a" -r "$b" >"$tmp/without.out" 2>"$tmp/without.err"
s2=$?
[ $s1 = $s2 ] || fail "exit status $s1 with --progress, $s2 without"
cmp -s "$tmp/with.out" "$tmp/without.out" || fail "--progress changed the report"
[ -s "$tmp/without.err" ] && fail "a progress line without --progress, stderr not a terminal: $(cat "$tmp/without.err")"
grep -q "tlsdiag: .*connections" "$tmp/with.out" && fail "the progress line is in the report"

# 2. its last line: 100 % of both files and the summary's counts
"$TLSDIAG" --json -r "$a" -r "$b" >"$tmp/run.json" 2>/dev/null
want=$(python3 -c 'import json,sys; s=json.load(open(sys.argv[1]))["summary"]; print("%d connections, %d failed" % (s["tls_connections"], s["failed"]))' "$tmp/run.json") ||
	fail "no JSON summary"
last=$(tail -1 "$tmp/with.err")
case "$last" in
"tlsdiag: 100%, "*" MB, "*" MB/s, $want") ;;
*) fail "last progress line '$last', expected 100% and '$want'" ;;
esac
[ "$(grep -c . "$tmp/with.err")" -ge 1 ] || fail "no progress line"

# 3. standard input has no size: no percent
"$TLSDIAG" --progress -r - <"$a" >/dev/null 2>"$tmp/stdin.err"
case "$(tail -1 "$tmp/stdin.err")" in
"tlsdiag: "*"%"*) fail "a percent for standard input: $(tail -1 "$tmp/stdin.err")" ;;
"tlsdiag: "*" MB, "*" connections, "*" failed") ;;
*) fail "no progress line for standard input: $(cat "$tmp/stdin.err")" ;;
esac

# 4. --no-progress is silent; both at once are a usage error
"$TLSDIAG" --no-progress --progress -r "$a" >/dev/null 2>"$tmp/both.err"
[ $? = 2 ] || fail "--progress with --no-progress should exit 2"
grep -q "exclude each other" "$tmp/both.err" || fail "no message for --progress with --no-progress"
"$TLSDIAG" --no-progress -r "$a" >/dev/null 2>"$tmp/off.err"
[ -s "$tmp/off.err" ] && fail "--no-progress wrote: $(cat "$tmp/off.err")"
echo "progress: PASS"
