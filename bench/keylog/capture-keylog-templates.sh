#!/usr/bin/env bash
# capture-keylog-templates.sh OUTDIR - the bench's 32 handshake scenarios captured again with
# the client's key log (issue 16: a key-log bench needs secrets for every replayed handshake).
#
# Runs ../shared/bench/capture-templates.sh unchanged (same scenarios, same throwaway PKI) with
# an `openssl` first in PATH that adds `-keylogfile OUTDIR/templates.keys` to every s_client
# (OpenSSL appends; lines are matched to connections by client random later), then
# keylog_templates.py turns capture + key log into templates.json with the secrets of each
# template. Needs root (tcpdump on lo), openssl, tcpdump, python3-cryptography.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
shared=${TLSDIAG_SHARED:-$here/../../../shared}/bench
out=${1:?usage: capture-keylog-templates.sh OUTDIR}
mkdir -p "$out/bin"
out=$(cd "$out" && pwd)
real=$(command -v openssl)
rm -f "$out/templates.keys"
cat >"$out/bin/openssl" <<WRAP
#!/bin/sh
if [ "\$1" = s_client ]; then shift; exec "$real" s_client -keylogfile "$out/templates.keys" "\$@"; fi
exec "$real" "\$@"
WRAP
chmod +x "$out/bin/openssl"
# another port range than the shared capture's, so the two never mix
PATH="$out/bin:$PATH" BASEPORT=24600 CERTS="$shared/certs" bash "$shared/capture-templates.sh" "$out"
python3 "$here/keylog_templates.py" "$out/templates.pcap" "$out/scenarios.txt" "$out/templates.keys" \
	"$out/templates.json"
