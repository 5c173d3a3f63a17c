#!/bin/sh
# references.sh - the reference test of issue 13: in every report of every test
# capture, each finding another finding's text names ("see client-cert-empty",
# "(hostname-mismatch)") is present in that same report, and no text says
# "as above" or "the findings above" without naming them.
#
# Every capture of pcaps/ is run four ways: no trust store (the system's),
# the bench's CA for the client only, for both sides, and with a keystore
# from another CA; a fifth, with both stores and its key log, when it has
# one (NAME.keys); every bundle of tests/bundles with --check-bundle.
# references.py also checks that each alert names the findings that explain
# it or says it is generic, and that no connection both sides completed gets
# a trust error when both stores are given (issue 13's "Done when").
set -u
srcdir=${srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
TLSDIAG=${TLSDIAG:-$(pwd)/tlsdiag}
case "$TLSDIAG" in /*) ;; *) TLSDIAG=$(pwd)/$TLSDIAG ;; esac
command -v python3 >/dev/null 2>&1 || { echo "SKIP: no python3"; exit 77; }
cd "$srcdir" || exit 99
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
"$TLSDIAG" --list-findings >"$tmp/ids" || exit 99
ca=pcaps/certs/ca-bundle.pem
i=0
for f in pcaps/*.pcap pcaps/*.pcapng pcaps/*.pcap.gz; do
	[ -f "$f" ] || continue
	for opts in "" "--ca-file $ca" "--ca-file $ca --client-ca-file $ca" "--client-cert pcaps/certs/other-client.pem"; do
		i=$((i + 1))
		# shellcheck disable=SC2086
		"$TLSDIAG" --json -v $opts -r "$f" >"$tmp/$i.json" 2>/dev/null
		echo "$f $opts" >"$tmp/$i.what"
	done
	keys=${f%.gz}; keys=${keys%.pcap*}.keys
	[ -f "$keys" ] || continue
	i=$((i + 1))
	"$TLSDIAG" --json -v --ca-file $ca --client-ca-file $ca --keylog "$keys" -r "$f" >"$tmp/$i.json" 2>/dev/null
	echo "$f --ca-file $ca --client-ca-file $ca --keylog $keys" >"$tmp/$i.what"
done
for b in tests/bundles/*; do
	[ -f "$b" ] || continue
	i=$((i + 1))
	"$TLSDIAG" --json --check-bundle "$b" >"$tmp/$i.json" 2>/dev/null
done
python3 tests/references.py --ids "$tmp/ids" "$tmp"/*.json
