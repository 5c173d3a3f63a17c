#!/bin/sh
# run-ci.sh - what CI runs: replay fuzz/regress, then fuzz each harness for a bounded time; fails on any crash.
#
#   fuzz/run-ci.sh [BUILD_DIR]      BUILD_DIR holds fuzz/fuzz_{tls,pcap,x509,decrypt} (default: .)
#
# The caller builds (configure --enable-fuzzing CC=clang, see fuzz/README.md).
# Environment: FUZZ_SECONDS per harness (default 60), FUZZ_HARNESSES (default
# "tls pcap x509 decrypt"), FUZZ_KEEP=DIR keeps the work dirs (crash inputs) there.
# Exit: 0 clean, 1 a crash/leak/timeout (the input is printed), 77 SKIP (no binaries).
set -u

SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(cd "${1:-.}" 2>/dev/null && pwd) || BUILD=${1:-.}
SECONDS_EACH=${FUZZ_SECONDS:-60}
HARNESSES=${FUZZ_HARNESSES:-"tls pcap x509 decrypt"}

for name in $HARNESSES; do
	if [ ! -x "$BUILD/fuzz/fuzz_$name" ]; then
		echo "SKIP: $BUILD/fuzz/fuzz_$name not built (configure --enable-fuzzing CC=clang; make fuzz/fuzz_$name)"
		exit 77
	fi
done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/tlsdiag-fuzz-ci.XXXXXX")
# shellcheck disable=SC2317  # called by the trap
cleanup() {
	if [ -n "${FUZZ_KEEP:-}" ]; then
		mkdir -p "$FUZZ_KEEP" && cp -r "$WORK"/. "$FUZZ_KEEP"/ && echo "work dirs kept in $FUZZ_KEEP"
	fi
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# libFuzzer's own exit code for a crash is 77, which would read as SKIP: make it 1.
OPTS="-rss_limit_mb=2048 -timeout=10 -error_exitcode=1 -timeout_exitcode=1 -detect_leaks=1"
status=0

dict_for() {
	case $1 in
	x509) echo "-dict=$SRC/fuzz/x509.dict" ;;
	decrypt) echo "-dict=$SRC/fuzz/keylog.dict" ;;
	*) echo "-dict=$SRC/fuzz/tls.dict" ;;
	esac
}

for name in $HARNESSES; do
	bin=$BUILD/fuzz/fuzz_$name

	# 1. every input that once crashed must run clean now
	for f in $(find "$SRC/fuzz/regress/$name" -type f 2>/dev/null | sort); do
		# shellcheck disable=SC2086
		if "$bin" $OPTS "$f" >"$WORK/$name-regress.log" 2>&1; then
			echo "PASS: fuzz_$name regress/$name/$(basename "$f")"
		else
			echo "FAIL: fuzz_$name regress/$name/$(basename "$f") (see fuzz/FINDINGS.md):"
			grep -E "ERROR|SUMMARY|==fuzz==|runtime error|#[0-9]+ 0x" "$WORK/$name-regress.log" | head -12
			status=1
		fi
	done

	# 2. fuzz from a copy of the corpus (the tree stays clean)
	mkdir -p "$WORK/$name/corpus" "$WORK/$name/artifacts"
	cp "$SRC/fuzz/corpus/$name/"* "$WORK/$name/corpus/" 2>/dev/null
	# shellcheck disable=SC2046,SC2086
	if "$bin" $OPTS $(dict_for "$name") -max_total_time="$SECONDS_EACH" -print_final_stats=1 \
		-artifact_prefix="$WORK/$name/artifacts/" "$WORK/$name/corpus" >"$WORK/$name.log" 2>&1; then
		stats=$(grep -E "^#[0-9]+.*(DONE|pulse|NEW|REDUCE)" "$WORK/$name.log" | tail -1 | grep -oE "cov: [0-9]+ ft: [0-9]+")
		echo "PASS: fuzz_$name ${SECONDS_EACH}s, $stats"
	else
		echo "FAIL: fuzz_$name found a crash, leak or timeout:"
		grep -E "ERROR|SUMMARY|==fuzz==|runtime error|#[0-9]+ 0x|Test unit written" "$WORK/$name.log" | head -40
		for f in "$WORK/$name/artifacts/"*; do
			[ -f "$f" ] || continue
			echo "input $(basename "$f") (base64; minimize it and add it to fuzz/regress/$name/):"
			base64 "$f" | head -200
		done
		status=1
	fi
done
exit $status
