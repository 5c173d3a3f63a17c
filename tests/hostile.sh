#!/bin/sh
# hostile.sh - hostile and broken captures (issue 6): tlsdiag must give a clear event or error for
# each, go on analyzing the rest of the capture, and never crash, hang, leak or write a report that
# drives the terminal.
#
#   tests/hostile.sh                  check every case of tests/hostile/cases.list (what `make check` runs)
#   tests/hostile.sh NAME ...         only these cases
#   tests/hostile.sh --update [NAME]  rewrite tests/expected/hostile-NAME.{txt,json} (or all of them)
#
# Each case runs twice, as text with -v and as --json --pretty, with the case's options. Checked:
# the invariants and the case's checks (tests/hostile/check.py: exit status, stderr, valid UTF-8
# JSON, no raw control bytes in the text, expected events and frames, the healthy connection after
# the hostile one still completed), then the golden files (same scheme as tests/golden.sh: stdout,
# "stderr: " lines, "exit status: N").
#
# Environment: TLSDIAG (the binary), srcdir; HOSTILE_TIMEOUT (seconds per run, default 60);
# HOSTILE_VALGRIND=1 runs every case under valgrind memcheck as well (errors and leaks fail).
# With an ASan/UBSan build, sanitizer reports fail the case (ASAN_OPTIONS/UBSAN_OPTIONS get
# defaults that make them fatal and leak-checking).
set -u
srcdir=${srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
TLSDIAG=${TLSDIAG:-$(pwd)/tlsdiag}
case "$TLSDIAG" in /*) ;; *) TLSDIAG=$(pwd)/$TLSDIAG ;; esac
TIMEOUT=${HOSTILE_TIMEOUT:-60}
update=0
if [ "${1:-}" = "--update" ]; then
	update=1
	shift
fi
only=" $* "
[ "$only" = "  " ] && only=""

command -v python3 >/dev/null 2>&1 || { echo "SKIP: hostile.sh needs python3"; exit 77; }
[ -x "$TLSDIAG" ] || { echo "FAIL: $TLSDIAG is not an executable"; exit 99; }
cd "$srcdir" || exit 99
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:exitcode=86:abort_on_error=0}
UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1:exitcode=87}
export ASAN_OPTIONS UBSAN_OPTIONS
to=""
command -v timeout >/dev/null 2>&1 && to="timeout -k 5 $TIMEOUT"
vg=""
if [ "${HOSTILE_VALGRIND:-0}" = 1 ]; then
	command -v valgrind >/dev/null 2>&1 || { echo "SKIP: HOSTILE_VALGRIND=1 but valgrind is not installed"; exit 77; }
	vg="valgrind -q --error-exitcode=88 --leak-check=full --errors-for-leak-kinds=definite,indirect"
	vg="$vg --show-leak-kinds=definite,indirect"
fi

# run FMT OUTDIR OPTIONS CAPTURE: tlsdiag's stdout, stderr and exit status in OUTDIR/FMT.*
run() {
	fmt=$1 dir=$2 opts=$3 capture=$4
	args="-vv"   # every connection, after the problems (if any)
	[ "$fmt" = json ] && args="--json --pretty --json-full"   # every parsed fact
	# shellcheck disable=SC2086
	$to $vg "$TLSDIAG" $args $opts -r "$capture" >"$dir/$fmt.out" 2>"$dir/$fmt.err" </dev/null
	st=$?
	echo "$st" >"$dir/$fmt.status"
	[ "$st" = 124 ] && echo "tlsdiag: $capture: TIMEOUT after $TIMEOUT s (hang)" >>"$dir/$fmt.err"
	{
		cat "$dir/$fmt.out"
		sed 's/^/stderr: /' "$dir/$fmt.err"
		echo "exit status: $st"
	} >"$dir/golden.$fmt"
}

pass=0 fail=0 n=0
: >"$tmp/list"
: >"$tmp/names"
while IFS='|' read -r name capture opts checks why; do
	name=$(echo "$name" | tr -d ' ')
	case "$name" in '' | \#*) continue ;; esac
	if [ -n "$only" ]; then
		case "$only" in *" $name "*) ;; *) continue ;; esac
	fi
	n=$((n + 1))
	capture=$(echo "$capture" | tr -d ' ')
	opts=$(echo "$opts" | sed 's/^ *//; s/ *$//')
	dir=$tmp/$name
	mkdir -p "$dir"
	run txt "$dir" "$opts" "$capture"
	run json "$dir" "$opts" "$capture"
	if [ $update = 1 ]; then
		cp "$dir/golden.txt" "tests/expected/hostile-$name.txt"
		cp "$dir/golden.json" "tests/expected/hostile-$name.json"
		continue
	fi
	: >"$dir/golden"
	for fmt in txt json; do
		expected=tests/expected/hostile-$name.$fmt
		if [ ! -f "$expected" ]; then
			echo "FAIL: $name: $expected is missing (tests/hostile.sh --update $name writes it)" >>"$dir/golden"
		elif ! diff -u "$expected" "$dir/golden.$fmt" >"$dir/diff.$fmt" 2>&1; then
			echo "FAIL: $name ($fmt): output differs from $expected" >>"$dir/golden"
			head -30 "$dir/diff.$fmt" >>"$dir/golden"
		fi
	done
	printf '%s|%s|%s|%s\n' "$name" "$capture" "$checks" "$dir" >>"$tmp/list"
	printf '%s|%s\n' "$name" "$why" >>"$tmp/names"
done <tests/hostile/cases.list
[ $update = 1 ] && { echo "updated $n cases"; exit 0; }
[ $n = 0 ] && { echo "FAIL: no case ran (unknown name?)"; exit 1; }
# the invariants and checks of every case, in one python3 process
python3 tests/hostile/check.py --batch "$tmp/list" >"$tmp/check.out" 2>&1
while IFS='|' read -r name why; do
	dir=$tmp/$name
	if [ "$(cat "$dir/check.status" 2>/dev/null)" = 0 ] && [ ! -s "$dir/golden" ]; then
		pass=$((pass + 1))
		echo "ok   $name"
	else
		fail=$((fail + 1))
		echo "FAIL $name  ($why)"
		[ -f "$dir/check.status" ] || { echo "    check.py did not run:"; sed 's/^/    /' "$tmp/check.out" | head -20; }
		cat "$dir/check" "$dir/golden" 2>/dev/null | sed 's/^/    /' | head -60
	fi
done <"$tmp/names"
echo "hostile: $pass passed, $fail failed"
[ $fail = 0 ]
