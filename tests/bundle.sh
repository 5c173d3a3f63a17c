#!/bin/sh
# bundle.sh - run every --check-bundle case of tests/bundles/cases.list and compare with tests/expected/.
#
#   tests/bundle.sh                 check all cases (what `make check` runs)
#   tests/bundle.sh --update [NAME] rewrite the expected output of NAME (or all)
#
# Each case runs in the formats its line names (txt, json, md); the expected
# file tests/expected/bundle-NAME.FMT holds stdout, then stderr and the exit
# status, so error paths are golden too. Independently of the golden files,
# the findings of the text output (severity and id) must equal the list's
# "findings expected" column, so an --update cannot bless a wrong verdict.
# JSON output is parsed by python3 when it is installed.
set -u
srcdir=${srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
TLSDIAG=${TLSDIAG:-$(pwd)/tlsdiag}
case "$TLSDIAG" in /*) ;; *) TLSDIAG=$(pwd)/$TLSDIAG ;; esac
AT="--at 2026-11-23T00:00:00Z"
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

run_case() { # name format args
	name=$1 fmt=$2 args=$3
	fopt=""
	case $fmt in
	json) fopt="--format json --pretty" ;;
	md) fopt="--format markdown" ;;
	esac
	# shellcheck disable=SC2086
	"$TLSDIAG" --check-bundle $args $AT $fopt >"$tmp/out" 2>"$tmp/err"
	status=$?
	{
		cat "$tmp/out"
		sed 's/^/stderr: /' "$tmp/err"
		echo "exit status: $status"
	} >"$tmp/$name.$fmt"
	if [ "$fmt" = json ] && [ $have_python = 1 ] && [ -s "$tmp/out" ] &&
	   ! python3 -c 'import json,sys; d=json.load(open(sys.argv[1], encoding="utf-8")); assert d["schema"] == "tlsdiag/1"' "$tmp/out"; then
		echo "FAIL: $name: output is not valid tlsdiag/1 JSON"
		return 1
	fi
	if [ "$fmt" = txt ]; then
		got=$(sed -n -E 's/^(ERROR|WARNING|INFO) ([a-z0-9-]+).*/\1 \2/p' "$tmp/out" | LC_ALL=C sort | paste -sd, - | sed 's/,/, /g')
		[ -n "$got" ] || got="-"
		if [ "$got" != "$want" ]; then
			echo "FAIL: $name: findings are \"$got\", the list expects \"$want\""
			return 1
		fi
		# an unreadable file is said in one line on stderr, and only there
		if [ "$want" = "-" ] && [ $status = 2 ] && { [ -s "$tmp/out" ] || [ "$(wc -l <"$tmp/err")" -ne 1 ]; }; then
			echo "FAIL: $name: exit 2 without a report must print exactly one line on stderr"
			return 1
		fi
	fi
	expected=tests/expected/bundle-$name.$fmt
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

trim() { echo "$1" | sed 's/^ *//; s/ *$//'; }

pass=0 fail=0
while IFS='|' read -r name formats args want why; do
	name=$(echo "$name" | tr -d ' ')
	case "$name" in '' | \#*) continue ;; esac
	[ -n "$only" ] && [ "$only" != "$name" ] && continue
	args=$(trim "$args")
	want=$(trim "$want")
	for fmt in $formats; do
		if run_case "$name" "$fmt" "$args"; then
			pass=$((pass + 1))
		else
			fail=$((fail + 1))
		fi
	done
done <tests/bundles/cases.list
[ $update = 1 ] && [ $fail = 0 ] && { echo "updated"; exit 0; }
echo "bundle: $pass passed, $fail failed"
[ $fail = 0 ]
