#!/bin/sh
# ecs.sh - `make check` wrapper for tests/ecs.py: --format ecs of every test
# capture (pcaps/, tests/hostile/, and the shared corpus when present) against ECS's field
# list (tests/data/ecs/fields.txt) and tlsdiag's --json; --redact covers it.
# Environment: TLSDIAG (default ./tlsdiag), TLSDIAG_CORPUS (default
# $srcdir/../shared/corpus). Exit: 0 pass, 1 fail, 77 (SKIP) without python3.
set -u
srcdir=${srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
TLSDIAG=${TLSDIAG:-$(pwd)/tlsdiag}
corpus=${TLSDIAG_CORPUS:-$srcdir/../shared/corpus}
command -v python3 >/dev/null || { echo "SKIP: python3 is not installed"; exit 77; }

tshark=
command -v tshark >/dev/null && tshark="--tshark tshark"   # Community IDs of pcaps/ checked against it
list=${TMPDIR:-/tmp}/ecs.$$.list
trap 'rm -f "$list"' EXIT
others="$srcdir/tests/hostile"
[ -d "$corpus" ] && others="$others $corpus"
# shellcheck disable=SC2086 # $others and $tshark are lists
for set in "$srcdir/pcaps|$tshark" "$others|"; do
	find ${set%%|*} -name '*.pcap*' -o -name '*.cap*' | sort >"$list" || exit 1
	# shellcheck disable=SC2046 # one argument per capture (no spaces in their names)
	python3 "$srcdir/tests/ecs.py" --tlsdiag "$TLSDIAG" --fields "$srcdir/tests/data/ecs/fields.txt" \
		--template "$srcdir/docs/tlsdiag-index-template.json" ${set#*|} $(cat "$list") || exit 1
done

# an inferred finding says so (TLS 1.3 without keys: record sizes), one seen on the wire does not
out=$("$TLSDIAG" --format ecs -r "$srcdir/pcaps/nginx-tls13-verify-on-no-cert.pcap")
case $out in
*'{"id":"client-cert-empty-inferred","severity":"error","from":"client","inferred":true,"frames":[10,16],'*) ;;
*) echo "FAIL: --format ecs: client-cert-empty-inferred lacks tlsdiag.findings.inferred"; exit 1 ;;
esac
case $out in
*'{"id":"tls13-certificates-encrypted","severity":"info","from":"connection","frames":[6],'*) ;;
*) echo "FAIL: --format ecs: tls13-certificates-encrypted (seen, not inferred) is labelled or missing"; exit 1 ;;
esac
echo "ecs: inferred label: OK"

# --redact=names: no real address or name in an event
out=$("$TLSDIAG" --format ecs --redact=names -r "$srcdir/pcaps/mtls-empty-client-cert.pcap")
case $out in
*127.0.0.1* | *server.example.test* | *tlsdiag\ Test* | *community_id*) echo "FAIL: --redact=names leaves a real name in --format ecs"; exit 1 ;;
*'"ip":"198.1'[89]*) ;;
*) echo "FAIL: --redact=names: no pseudonym address in --format ecs"; exit 1 ;;
esac
echo "ecs: --redact=names: OK"
