#!/bin/sh
# schema.sh - every JSON and JSON Lines report of the test captures (compact and --json-full)
# validates against the shipped JSON Schema (man/tlsdiag.schema.json) with python3-jsonschema,
# and every connection with an error finding is in exactly one error problem.
set -u
srcdir=${srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
TLSDIAG=${TLSDIAG:-$(pwd)/tlsdiag}
case "$TLSDIAG" in /*) ;; *) TLSDIAG=$(pwd)/$TLSDIAG ;; esac
if ! python3 -c 'import jsonschema' 2>/dev/null; then
	echo "SKIP: python3-jsonschema is not installed (apt-get install python3-jsonschema)"
	exit 77
fi
cd "$srcdir" || exit 99
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
ca="--ca-file pcaps/certs/ca-bundle.pem"
args=""
i=0
for f in pcaps/*.pcap pcaps/*.pcapng pcaps/*.pcap.gz; do
	[ -e "$f" ] || continue
	i=$((i + 1))
	keys=${f%.pcap}.keys
	kl=""   # with its key log where there is one: the decryption members
	[ -f "$keys" ] && kl="--keylog $keys"
	# shellcheck disable=SC2086
	"$TLSDIAG" --json $ca $kl -r "$f" >"$tmp/$i.json" 2>/dev/null
	# shellcheck disable=SC2086
	"$TLSDIAG" --json --json-full --pretty $ca $kl -r "$f" >"$tmp/$i.full.json" 2>/dev/null
	# shellcheck disable=SC2086
	"$TLSDIAG" --format jsonl $ca $kl -r "$f" >"$tmp/$i.jsonl" 2>/dev/null
	args="$args json:$tmp/$i.json json:$tmp/$i.full.json jsonl:$tmp/$i.jsonl"
done
# one report of several files: problems span them
# shellcheck disable=SC2086
"$TLSDIAG" --json $ca -r pcaps/many-connections.pcap -r pcaps/mtls-empty-client-cert.pcap \
	-r pcaps/tls13-mtls-no-cert.pcap >"$tmp/multi.json" 2>/dev/null
"$TLSDIAG" --format jsonl --json-full $ca -r pcaps/many-connections.pcap -r pcaps/mtls-empty-client-cert.pcap \
	>"$tmp/multi.jsonl" 2>/dev/null
# several files, each with its own clock: one behind (inputs[].clock, summary.clock), one right
"$TLSDIAG" --json $ca -r tests/data/not-yet-valid-11-days.pcap -r pcaps/clock-behind-many.pcap \
	>"$tmp/clocks.json" 2>/dev/null
"$TLSDIAG" --format jsonl $ca -r tests/data/not-yet-valid-11-days.pcap -r pcaps/clock-behind-many.pcap \
	>"$tmp/clocks.jsonl" 2>/dev/null
[ "$i" -gt 20 ] || { echo "FAIL: only $i test captures found"; exit 1; }
# shellcheck disable=SC2086
python3 tests/schema_check.py man/tlsdiag.schema.json $args json:"$tmp/multi.json" jsonl:"$tmp/multi.jsonl" \
	json:"$tmp/clocks.json" jsonl:"$tmp/clocks.jsonl"
