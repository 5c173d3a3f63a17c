#!/bin/bash
# pcapfile.sh - the capture file reader on files made by real tools (mergecap, editcap, gzip) and
# read through pipes: what libpcap could not read must come out as tshark sees it, and what it
# could must not change.
#
#   1. a pcapng of two interfaces, Ethernet and raw IP (mergecap -a): every connection of both
#      inputs, at its frames in the merged file, and tshark_diff.py agrees on every stream
#   2. a pcapng with the key log embedded (editcap --inject-secrets tls,...): decrypted, the
#      same report as the plain capture with --keylog (frames unchanged)
#   3. a nanosecond pcapng (editcap -F pcapng of the nsec variant): tshark_diff.py agrees
#   4. pcap, pcapng and gzip (of either) from a pipe (-r -): the same report as from the file
#
# Environment: TLSDIAG (the binary), srcdir. Exit: 0 pass, 1 fail, 77 skip (no tshark tools).
set -u
srcdir=${srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
TLSDIAG=${TLSDIAG:-$(pwd)/tlsdiag}
case "$TLSDIAG" in /*) ;; *) TLSDIAG=$(pwd)/$TLSDIAG ;; esac
for t in mergecap editcap tshark python3 gzip; do
	command -v $t >/dev/null 2>&1 || { echo "SKIP: pcapfile.sh needs $t"; exit 77; }
done
cd "$srcdir" || exit 99
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
ok() { echo "ok   $*"; }

# facts [SHIFT]: from tlsdiag's JSON on stdin, one line per connection (frames moved by SHIFT)
facts() {
	python3 -c '
import json, sys
d = json.load(sys.stdin)
shift = int(sys.argv[1])
for c in d["connections"]:
    ids = sorted(f["id"] for f in c.get("findings", []))
    print(c["first_frame"] + shift, c["last_frame"] + shift, c["client"]["port"], c["server"]["port"],
          c.get("sni"), c.get("version"), c.get("outcome"), " ".join(ids))
' "${1:-0}"
}

# 1. two link types in one pcapng
a=pcaps/hostname-mismatch.pcap
b=pcaps/variant-rawip-mtls-empty-client-cert.pcap
mergecap -a -F pcapng -w "$tmp/mixed.pcapng" "$a" "$b" 2>/dev/null || fail "mergecap"
na=$(tshark -r "$a" 2>/dev/null | wc -l)
nall=$(tshark -r "$tmp/mixed.pcapng" 2>/dev/null | wc -l)
"$TLSDIAG" --json -v -r "$a" | facts >"$tmp/expect"
"$TLSDIAG" --json -v -r "$b" | facts "$na" >>"$tmp/expect"
"$TLSDIAG" --json -v -r "$tmp/mixed.pcapng" >"$tmp/mixed.json" 2>"$tmp/mixed.err"
facts <"$tmp/mixed.json" >"$tmp/got"
links=$(python3 -c 'import json,sys; i=json.load(sys.stdin)["inputs"][0]; print(i["link_type"], i["frames"])' \
	<"$tmp/mixed.json")
if diff -u "$tmp/expect" "$tmp/got" >"$tmp/diff" && [ "$links" = "EN10MB, RAW $nall" ] && [ ! -s "$tmp/mixed.err" ]; then
	ok "Ethernet + raw IP interfaces: $(wc -l <"$tmp/got") connections at their frames, $links frames"
else
	fail "Ethernet + raw IP interfaces ($links, tshark $nall frames)"
	cat "$tmp/diff" "$tmp/mixed.err"
fi
if python3 tests/tshark_diff.py --tlsdiag "$TLSDIAG" "$tmp/mixed.pcapng" >"$tmp/td.out" 2>&1; then
	ok "tshark_diff.py agrees on the mixed pcapng"
else
	fail "tshark_diff.py on the mixed pcapng"
	tail -20 "$tmp/td.out"
fi

# 2. the key log embedded: read past, nothing else changes
for base in tls13-ok mtls-nginx-verify-on; do
	editcap --inject-secrets "tls,pcaps/$base.keys" -F pcapng "pcaps/$base.pcap" "$tmp/$base-dsb.pcapng" 2>/dev/null ||
		fail "editcap --inject-secrets $base"
	"$TLSDIAG" -v -r "pcaps/$base.pcap" --keylog "pcaps/$base.keys" 2>&1 | grep -v '^Input:' >"$tmp/plain.txt"
	"$TLSDIAG" -v -r "$tmp/$base-dsb.pcapng" 2>&1 | grep -v '^Input:' |
		sed "s|pcapng DSB in $tmp/$base-dsb.pcapng|pcaps/$base.keys|; s|$tmp/$base-dsb.pcapng|pcaps/$base.pcap|" \
		>"$tmp/dsb.txt"
	if ! grep -q "decrypted with pcaps/$base.keys line" "$tmp/dsb.txt"; then
		fail "$base with a Decryption Secrets Block: not decrypted"
	elif diff -u "$tmp/plain.txt" "$tmp/dsb.txt" >"$tmp/diff"; then
		ok "$base with a Decryption Secrets Block: decrypted, the same report as with --keylog"
	else
		fail "$base with a Decryption Secrets Block"
		head -20 "$tmp/diff"
	fi
done

# 3. nanosecond pcapng
editcap -F pcapng pcaps/variant-nsec-mtls-empty-client-cert.pcap "$tmp/nsec.pcapng" 2>/dev/null || fail "editcap nsec"
if python3 tests/tshark_diff.py --tlsdiag "$TLSDIAG" "$tmp/nsec.pcapng" >"$tmp/td.out" 2>&1 &&
	"$TLSDIAG" -v -r "$tmp/nsec.pcapng" | grep -q 'T15:36:20\.257340[0-9]\{3\}Z'; then
	ok "nanosecond pcapng: tshark_diff.py agrees, times have 9 digits"
else
	fail "nanosecond pcapng"
	tail -20 "$tmp/td.out"
fi

# 4. pipes: plain and gzip, pcap and pcapng
gzip -c "$tmp/mixed.pcapng" >"$tmp/mixed.pcapng.gz"
for f in pcaps/mtls-empty-client-cert.pcap pcaps/variant-gzip-mtls-empty-client-cert.pcap.gz \
	pcaps/variant-pcapng-mtls-empty-client-cert.pcapng "$tmp/mixed.pcapng" "$tmp/mixed.pcapng.gz"; do
	"$TLSDIAG" --json -r "$f" 2>&1 | sed "s|$f|FILE|g" >"$tmp/file.out"
	# shellcheck disable=SC2002 # a pipe, on purpose
	cat "$f" | "$TLSDIAG" --json -r - 2>&1 | sed 's|"-"|"FILE"|g' >"$tmp/pipe.out"
	if cmp -s "$tmp/file.out" "$tmp/pipe.out" && grep -q '"frames":[1-9]' "$tmp/pipe.out"; then
		ok "-r - from a pipe: ${f##*/}"
	else
		fail "-r - from a pipe: ${f##*/}"
		diff "$tmp/file.out" "$tmp/pipe.out" | head -10
	fi
done

echo "pcapfile: $fails failed"
[ $fails = 0 ]
