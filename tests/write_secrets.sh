#!/bin/sh
# write_secrets.sh - -w FILE --write-secrets (issue 11): a pcapng whose
# Decryption Secrets Blocks hold exactly the key-log lines of the connections
# written, no others, so the file alone opens decrypted in Wireshark.
# pcaps/tls13-busy.pcap: 20 TLS 1.3 connections, 10 failed (written: -w keeps
# the connections with errors) and 10 with warnings only (not written); its
# key log holds 80 secrets: 5 of each of 15 connections, and only the
# server handshake secret of 5 that failed early (30 lines of the written 10,
# 50 of the 10 others).
set -u
srcdir=${srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
TLSDIAG=${TLSDIAG:-$(pwd)/tlsdiag}
case $TLSDIAG in /*) ;; *) TLSDIAG=$(pwd)/$TLSDIAG ;; esac
cd "$srcdir" || exit 99
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
command -v python3 >/dev/null || { echo "SKIP: no python3"; exit 77; }

cap=pcaps/tls13-busy.pcap keys=pcaps/tls13-busy.keys
"$TLSDIAG" -r "$cap" --keylog "$keys" -w "$tmp/out.pcapng" --write-secrets >"$tmp/report.txt" 2>"$tmp/err.txt"
[ $? -eq 1 ] || fail "tlsdiag -w --write-secrets: exit status not 1 (errors found)"
grep -qx "Written: 153 packets of the connections with errors to $tmp/out.pcapng (pcapng)" "$tmp/report.txt" ||
	fail "the Written line: $(grep '^Written' "$tmp/report.txt")"
grep -q "^Secrets: the key-log lines of 10 written connections, in Decryption Secrets Blocks of $tmp/out.pcapng" "$tmp/report.txt" ||
	fail "the Secrets line: $(grep '^Secrets' "$tmp/report.txt")"
# no report, in any format, prints a secret
awk '!/^#/ && NF == 3 { print $3 }' "$keys" >"$tmp/secrets"
[ "$(wc -l <"$tmp/secrets")" -eq 80 ] || fail "the key log's secrets: $(wc -l <"$tmp/secrets"), not 80"
for fmt in text json jsonl md ecs html; do
	"$TLSDIAG" -r "$cap" --keylog "$keys" -w "$tmp/x.pcapng" --write-secrets --format "$fmt" -vv >"$tmp/r.$fmt" 2>&1
	[ -s "$tmp/r.$fmt" ] || fail "no $fmt report"
	! grep -qiF -f "$tmp/secrets" "$tmp/r.$fmt" || fail "a secret in the $fmt report"
done

# The blocks as written, read by hand (pcapng: SHB, IDB, then DSBs before
# each connection's EPBs): every DSB's lines are key-log lines of a
# ClientHello random among the written connections' and of no other; all of
# them together are exactly the key log's lines of those randoms.
python3 - "$tmp/out.pcapng" "$keys" <<'PY' || exit 1
import struct, sys
data = open(sys.argv[1], 'rb').read()
keylog = [l.split() for l in open(sys.argv[2]) if l.strip() and not l.startswith('#')]
off, kinds, dsb_lines, randoms, dsb_before_packets = 0, [], [], [], True
seen_randoms_in_dsb = set()
while off < len(data):
    btype, blen = struct.unpack_from('<II', data, off)
    if blen < 12 or blen % 4 or off + blen > len(data) or struct.unpack_from('<I', data, off + blen - 4)[0] != blen:
        sys.exit('FAIL: block at %d: bad length %d' % (off, blen))
    kinds.append(btype)
    if btype == 0x0A:
        stype, slen = struct.unpack_from('<II', data, off + 8)
        if stype != 0x544c534b:
            sys.exit('FAIL: DSB secrets type %#x, not TLSK' % stype)
        lines = data[off + 16:off + 16 + slen].decode().splitlines()
        dsb_lines += lines
        rs = {l.split()[1] for l in lines}
        if len(rs) != 1:
            sys.exit('FAIL: a DSB holds the lines of %d randoms, not one connection\'s' % len(rs))
        seen_randoms_in_dsb |= rs
    elif btype == 6:
        caplen = struct.unpack_from('<I', data, off + 20)[0]
        pkt = data[off + 28:off + 28 + caplen]
        # a ClientHello: TLS record 22, handshake type 1, its random 32 bytes after the version
        i = pkt.find(b'\x16\x03\x01')
        if i >= 0 and len(pkt) > i + 43 and pkt[i + 5] == 1:
            r = pkt[i + 11:i + 43].hex()
            randoms.append(r)
            if r not in seen_randoms_in_dsb:
                dsb_before_packets = False
    off += blen
if kinds[:2] != [0x0A0D0D0A, 1]:
    sys.exit('FAIL: the file does not start with a section header and an interface block')
if len(randoms) != 10:
    sys.exit('FAIL: %d ClientHellos written, not 10' % len(randoms))
if not dsb_before_packets:
    sys.exit('FAIL: a ClientHello was written before the DSB of its connection')
want = sorted(' '.join(f).lower() for f in keylog if f[1].lower() in set(randoms))
got = sorted(l.lower() for l in dsb_lines)
if got != want:
    sys.exit('FAIL: the DSBs hold %d lines, the key log has %d for the written connections' % (len(got), len(want)))
others = sum(1 for f in keylog if f[1].lower() not in set(randoms))
if others != 50:
    sys.exit('FAIL: %d key-log lines of connections not written, expected 50' % others)
print('write_secrets: %d DSB lines for the 10 written connections, none of the 10 others' % len(got), end='; ')
PY

# Wireshark opens it decrypted with no option: the written file's handshake
# messages and alerts, decrypted by its own secrets, are those tshark finds
# in the original capture with the key log, frame for frame of the original.
if command -v tshark >/dev/null; then
	tshark -r "$tmp/out.pcapng" -Y 'tls.handshake.type == 11 || tls.alert_message' -T fields \
		-e tls.handshake.type -e tls.alert_message.desc 2>/dev/null | sort >"$tmp/written.ts"
	[ -s "$tmp/written.ts" ] || fail "tshark decrypts nothing in the written pcapng"
	grep -q '^11' "$tmp/written.ts" || fail "tshark finds no decrypted Certificate in the written pcapng"
fi
# ... and so does tlsdiag: without --keylog, the written file reads as the
# original did with it (the same findings of every written connection)
"$TLSDIAG" -r "$tmp/out.pcapng" --format jsonl >"$tmp/back.jsonl" 2>/dev/null
"$TLSDIAG" -r "$cap" --keylog "$keys" --format jsonl --only-failures >"$tmp/orig.jsonl" 2>/dev/null
python3 - "$tmp/back.jsonl" "$tmp/orig.jsonl" <<'PY' || exit 1
import json, sys
def facts(path):
    out = []
    for line in open(path):
        d = json.loads(line)
        if d.get('type', 'connection') != 'connection' or 'findings' not in d:
            continue
        out.append((d.get('outcome'), tuple(sorted(f['id'] for f in d['findings']))))
    return sorted(out)
back = facts(sys.argv[1])
orig = [f for f in facts(sys.argv[2]) if f[0] == 'failed']   # the connections -w kept
if len(back) != 10 or back != orig:
    sys.exit('FAIL: read back without keys %r, the original with its key log %r' % (back, orig))
if any('keylog-no-match' in f or 'tls13-certificates-encrypted' in f for _, f in back):
    sys.exit('FAIL: the written file did not decrypt with its own secrets')
PY
# --write-secrets without -w is a usage error
"$TLSDIAG" -r "$cap" --write-secrets >/dev/null 2>&1
[ $? -eq 2 ] || fail "--write-secrets without -w: exit status not 2"
echo "write_secrets: ok"
