#!/bin/sh
# golden.sh - run every case in tests/golden.list and compare with tests/expected/.
#
#   tests/golden.sh                 check all cases (what `make check` runs)
#   tests/golden.sh --update [NAME] rewrite the expected output of NAME (or all)
#
# Each case is run twice, as text and as --json --pretty --json-full; the expected file
# holds stdout, then stderr and the exit status, so error paths are golden
# too. JSON output is also parsed by python3 when it is installed.
set -u
srcdir=${srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
TLSDIAG=${TLSDIAG:-$(pwd)/tlsdiag}
case "$TLSDIAG" in /*) ;; *) TLSDIAG=$(pwd)/$TLSDIAG ;; esac
update=0
only=""
if [ "${1:-}" = "--update" ]; then
	update=1
	only=${2:-}
fi
cd "$srcdir" || exit 99
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
have_python=0
command -v python3 >/dev/null 2>&1 && have_python=1

run_case() { # name capture options format
	name=$1 capture=$2 opts=$3 fmt=$4
	args=""
	# JSON goldens hold the full form (every parsed fact) but for the
	# cases named *-compact, which hold tlsdiag/2's default compact form
	[ "$fmt" = json ] && args="--json --pretty --json-full"
	case "$name" in *-compact) [ "$fmt" = json ] && args="--json --pretty" ;; esac
	# shellcheck disable=SC2086
	"$TLSDIAG" $args $opts -r "$capture" >"$tmp/out" 2>"$tmp/err"
	status=$?
	{
		cat "$tmp/out"
		sed 's/^/stderr: /' "$tmp/err"
		echo "exit status: $status"
	} >"$tmp/$name.$fmt"
	if [ "$fmt" = json ] && [ $have_python = 1 ] && [ -s "$tmp/out" ] &&
	   ! python3 -c 'import json,sys; json.load(open(sys.argv[1], encoding="utf-8"))' "$tmp/out"; then
		echo "FAIL: $name: output is not valid JSON"
		return 1
	fi
	expected=tests/expected/$name.$fmt
	if [ $update = 1 ]; then
		cp "$tmp/$name.$fmt" "$expected"
		return 0
	fi
	if ! diff -u "$expected" "$tmp/$name.$fmt" >"$tmp/diff" 2>&1; then
		echo "FAIL: $name ($fmt): output differs from $expected"
		head -40 "$tmp/diff"
		return 1
	fi
	return 0
}

pass=0 fail=0
while IFS='|' read -r name capture opts why; do
	name=$(echo "$name" | tr -d ' ')
	case "$name" in '' | \#*) continue ;; esac
	[ -n "$only" ] && [ "$only" != "$name" ] && continue
	capture=$(echo "$capture" | tr -d ' ')
	opts=$(echo "$opts" | sed 's/^ *//; s/ *$//')
	for fmt in txt json; do
		if run_case "$name" "$capture" "$opts" "$fmt"; then
			pass=$((pass + 1))
		else
			fail=$((fail + 1))
		fi
	done
done <tests/golden.list
[ $update = 1 ] && { echo "updated"; exit 0; }
echo "golden: $pass passed, $fail failed"
[ $fail = 0 ]
