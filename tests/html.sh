#!/bin/sh
# html.sh - the HTML report (--format html) of the test captures: well-formed, self-contained, one
# section per problem with a ladder (against the JSON report of the same capture), and every one
# of them rendered in headless Chromium (tests/html_render.py, one browser for all the pages):
# each problem's ladder laid out with one arrow per message of its representative, nothing of
# zero size or outside its SVG, no overlapping texts, no console error, no fetch, no script, and
# the screenshots drawn. The render checks first prove on broken copies of one page that they fail.
#
#   tests/html.sh            every capture of pcaps/ and tests/hostile/
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
done
# A few without --ca-file, as a support case is often first run: judged against the system's store.
for cap in pcaps/mtls-empty-client-cert.pcap pcaps/clock-behind-many.pcap pcaps/starttls-postgres-refused.pcap; do
	name=no-ca-$(basename "$cap")
	"$TLSDIAG" --format html -r "$cap" >"$tmp/$name.html" 2>/dev/null
	"$TLSDIAG" --json -r "$cap" >"$tmp/$name.json" 2>/dev/null
	pages=$((pages + 1))
	echo "$tmp/$name.html $tmp/$name.json" >>"$tmp/pages"
done
# shellcheck disable=SC2046
$check pages $(cat "$tmp/pages") || fail "the pages above"
# The browser, bounded as a whole: a hung Chromium fails the test, it does not hang make check
# (html_render.py also gives up on a page after 30 s without an answer).
render() {
	limit=$1
	shift
	timeout -k 10 "$limit" python3 tests/html_render.py "$browser" "$@" >"$tmp/render.out" 2>&1
	st=$?
	cat "$tmp/render.out"
	[ "$st" = 124 ] && echo "html_render.py: killed after $limit s"
	return $st
}
if [ -n "$browser" ]; then
	if [ -f "$tmp/mtls-empty-client-cert.pcap.html" ]; then
		render 120 --self-test "$tmp/mtls-empty-client-cert.pcap.html" "$tmp/mtls-empty-client-cert.pcap.json" ||
			fail "the render checks do not fail on broken pages"
	else
		fail "no page of pcaps/mtls-empty-client-cert.pcap for the render self-test"
	fi
	if render 900 "$tmp/pages"; then
		rendered=$(sed -n 's/^\([0-9]*\) pages rendered.*/\1/p' "$tmp/render.out")
		[ "$rendered" = "$pages" ] || fail "$rendered pages rendered of $pages"
	else
		fail "the pages above in $browser"
	fi
fi

# The page of a capture of many connections keeps its caps and says so.
if [ -f "$tmp/many-connections.pcap.html" ]; then
	grep -q 'id="p1"' "$tmp/many-connections.pcap.html" || fail "many-connections: no problem section"
fi
# The facts before the TLS (a refused STARTTLS), the trust-store note and the store a title names
# are on the page, as in the text report.
grep -q '<p class="meta pre">STARTTLS (PostgreSQL): the client asked with SSLRequest (frame 4); the server refused (frame 6: &quot;N&quot;); no TLS followed' "$tmp/no-ca-starttls-postgres-refused.pcap.html" ||
	grep -q '<p class="meta pre">STARTTLS (PostgreSQL): the client asked with SSLRequest (frame 4); the server refused (frame 6: "N"); no TLS followed' "$tmp/no-ca-starttls-postgres-refused.pcap.html" ||
	fail "starttls-postgres-refused: the refused upgrade is not on the page"
grep -q '<p class="note" id="trust">Trust: no client trust store given (--ca-file)' "$tmp/no-ca-mtls-empty-client-cert.pcap.html" ||
	fail "mtls-empty-client-cert without --ca-file: no trust note on the page"
grep -q 'does not verify against the system trust store (no --ca-file given)' "$tmp/no-ca-clock-behind-many.pcap.html" ||
	fail "clock-behind-many without --ca-file: no title names the system trust store"
echo "html.sh: $pages pages checked, $rendered rendered in ${browser:-no browser}, $fails failures"
[ "$fails" = 0 ] || exit 1
[ "$pages" -gt 100 ] || { echo "FAIL: only $pages pages: the captures are missing"; exit 1; }
exit 0
