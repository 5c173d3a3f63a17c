#!/bin/sh
# html.sh - the HTML report (--format html) of the test captures: well-formed, self-contained, one
# section per problem with a ladder (against the JSON report of the same capture), and for a
# sample rendered in headless Chromium: the DOM keeps every section and ladder and builds no
# script, and the screenshot is a drawn page, not a blank one.
#
#   tests/html.sh                 every capture of pcaps/ and tests/hostile/; Chromium for the sample
#   HTML_CHROMIUM_ALL=1 tests/html.sh   Chromium for every capture too (minutes)
#
# Without python3 it is skipped; without Chromium only the browser part is (said on stdout).
set -u
srcdir=${srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
TLSDIAG=${TLSDIAG:-$(pwd)/tlsdiag}
case "$TLSDIAG" in /*) ;; *) TLSDIAG=$(pwd)/$TLSDIAG ;; esac
command -v python3 >/dev/null 2>&1 || { echo "SKIP: html.sh needs python3"; exit 77; }
[ -x "$TLSDIAG" ] || { echo "FAIL: $TLSDIAG is not an executable"; exit 99; }
cd "$srcdir" || exit 99
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
check="python3 tests/html_check.py"

# The sample the browser renders (about 6 s each): each kind of ladder (TLS 1.2 alert, TLS 1.3
# inferred alert, reset, not TLS), many connections, no problem at all, and names that attack the page.
sample="pcaps/mtls-empty-client-cert.pcap pcaps/tls13-mtls-empty-curl.pcap pcaps/reset-after-client-hello.pcap
pcaps/plain-http-to-tls-port.pcap pcaps/many-connections.pcap pcaps/mtls-ok.pcap tests/hostile/html-injection.pcap"
browser=""
for b in chromium chromium-browser google-chrome; do
	command -v "$b" >/dev/null 2>&1 && { browser=$b; break; }
done
[ -n "$browser" ] || echo "SKIP (browser part): no chromium in PATH; CI installs Debian's chromium"

fails=0 pages=0 rendered=0
fail() {
	echo "FAIL: $*"
	fails=$((fails + 1))
}

# One run of the browser, bounded: a hung Chromium must not hang make check.
chrome() {
	timeout -k 5 60 "$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars --no-first-run \
		--disable-extensions --disable-background-networking --user-data-dir="$tmp/profile" "$@" 2>"$tmp/chrome.err" </dev/null
}

render() {
	name=$1 page=$2
	chrome --dump-dom "file://$page" >"$tmp/$name.dom" || { fail "$name: chromium --dump-dom failed"; cat "$tmp/chrome.err"; return; }
	$check dom "$tmp/$name.dom" "$page" || fail "$name: the DOM Chromium built"
	chrome --screenshot="$tmp/$name.png" --window-size=900,1200 "file://$page" >/dev/null ||
		{ fail "$name: chromium --screenshot failed"; cat "$tmp/chrome.err"; return; }
	$check png "$tmp/$name.png" || fail "$name: the screenshot"
	rendered=$((rendered + 1))
}

for cap in pcaps/*.pcap pcaps/*.pcapng pcaps/*.pcap.gz tests/hostile/*.pcap tests/hostile/*.pcapng; do
	[ -f "$cap" ] || continue
	name=$(basename "$cap" | tr -c 'A-Za-z0-9.\n-' _)
	case $cap in
	tests/hostile/*) opts="--ca-file tests/hostile/pki/ca.pem" ;;
	*) opts="--ca-file pcaps/certs/ca-bundle.pem" ;;
	esac
	# shellcheck disable=SC2086
	"$TLSDIAG" $opts --format html -r "$cap" >"$tmp/$name.html" 2>"$tmp/$name.err"
	st=$?
	if [ ! -s "$tmp/$name.html" ]; then
		[ "$st" = 2 ] && continue   # not a capture at all: one line on stderr, no report
		fail "$cap: no HTML written (exit $st)"
		continue
	fi
	# shellcheck disable=SC2086
	"$TLSDIAG" $opts --json -r "$cap" >"$tmp/$name.json" 2>/dev/null
	pages=$((pages + 1))
	echo "$tmp/$name.html $tmp/$name.json" >>"$tmp/pages"
	case " $(echo $sample) " in
	*" $cap "*) echo "$name" >>"$tmp/render" ;;
	*) [ "${HTML_CHROMIUM_ALL:-0}" = 1 ] && echo "$name" >>"$tmp/render" ;;
	esac
done
# shellcheck disable=SC2046
$check pages $(cat "$tmp/pages") || fail "the pages above"
if [ -n "$browser" ]; then
	while read -r name; do
		render "$name" "$tmp/$name.html"
	done <"$tmp/render"
fi

# The page of a capture of many connections keeps its caps and says so.
if [ -f "$tmp/many-connections.pcap.html" ]; then
	grep -q 'id="p1"' "$tmp/many-connections.pcap.html" || fail "many-connections: no problem section"
fi
# The facts before the TLS (a refused STARTTLS) and the trust-store note are on the page, as in the text report.
"$TLSDIAG" --format html -r pcaps/starttls-postgres-refused.pcap >"$tmp/pg.html" 2>/dev/null
grep -q '<p class="meta pre">STARTTLS (PostgreSQL): the client asked with SSLRequest (frame 4); the server refused (frame 6: &quot;N&quot;); no TLS followed' "$tmp/pg.html" ||
	grep -q '<p class="meta pre">STARTTLS (PostgreSQL): the client asked with SSLRequest (frame 4); the server refused (frame 6: "N"); no TLS followed' "$tmp/pg.html" ||
	fail "starttls-postgres-refused: the refused upgrade is not on the page"
"$TLSDIAG" --format html -r pcaps/mtls-empty-client-cert.pcap >"$tmp/trust.html" 2>/dev/null
grep -q '<p class="note" id="trust">Trust: no client trust store given (--ca-file)' "$tmp/trust.html" ||
	fail "mtls-empty-client-cert without --ca-file: no trust note on the page"
echo "html.sh: $pages pages checked, $rendered rendered in ${browser:-no browser}, $fails failures"
[ "$fails" = 0 ] || exit 1
[ "$pages" -gt 100 ] || { echo "FAIL: only $pages pages: the captures are missing"; exit 1; }
exit 0
