#!/bin/sh
# run-campaign.sh - the long campaign (issue 6): each harness in turn, one fuzzer process at a time, until it has used FUZZ_CPU seconds of CPU.
#
#   nohup fuzz/run-campaign.sh [BUILD_DIR] >/dev/null 2>&1 &
#
# BUILD_DIR holds fuzz/fuzz_{tls,pcap,x509} (default /tmp/fuzzbuild); they are
# copied first, so a rebuild does not change a running campaign.
# Environment: FUZZ_CPU (default 3600 s of CPU per harness), FUZZ_OUT (default
# /tmp/fuzzruns), FUZZ_HARNESSES (default "tls pcap x509"), TLSDIAG_CORPUS (the
# third-party captures, default ../shared/corpus): fuzz_pcap also starts from
# those under 100 KB (read from a copy in FUZZ_OUT; nothing enters the tree).
# Per harness NAME, in FUZZ_OUT:
#   NAME.log            libFuzzer's output, all restarts, with campaign lines (==campaign==)
#   NAME/corpus/        the growing corpus (seeded from fuzz/corpus/NAME)
#   NAME/crash-*, leak-*, timeout-*, oom-*   inputs that failed
#   NAME/minimized/     those inputs minimized (-minimize_crash=1)
#   NAME/merged/        the corpus minimized with -merge=1, to refresh fuzz/corpus/NAME
# libFuzzer runs in fork mode with one job at a time (-fork=1 -ignore_crashes=1):
# a crash is saved and fuzzing goes on. Findings already written up are
# suppressed (known-findings.supp), so the hour goes to new bugs. CPU is that
# of libFuzzer and its jobs (/proc/PID/stat utime+stime+cutime+cstime); it is
# stopped with SIGINT once the budget is spent (then SIGKILL: in fork mode
# libFuzzer goes on after SIGINT). campaign.done marks the end;
# campaign.log has the campaign lines of all harnesses.
set -u

SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-/tmp/fuzzbuild}
CPU=${FUZZ_CPU:-3600}
OUT=${FUZZ_OUT:-/tmp/fuzzruns}
HARNESSES=${FUZZ_HARNESSES:-"tls pcap x509"}
TICKS=$(getconf CLK_TCK)
OPTS="-rss_limit_mb=2048 -timeout=10 -fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1"
export UBSAN_OPTIONS="suppressions=$SRC/fuzz/known-findings.supp:halt_on_error=1:print_stacktrace=1"

mkdir -p "$OUT/bin"
rm -f "$OUT/campaign.done"
for name in $HARNESSES; do
	cp "$BUILD/fuzz/fuzz_$name" "$OUT/bin/" || exit 1
done
echo "$$" >"$OUT/campaign.pid"

say() {
	echo "==campaign== $(date -u +%FT%TZ) $*" | tee -a "$OUT/campaign.log" >>"$OUT/$name.log"
}

# CPU seconds (user + system, with its reaped children) of a process, and its
# state (R, S ... Z: exited, not yet reaped)
cpu_of() {
	awk -v t="$TICKS" '{ sub(/^.*\) /, ""); print int(($12 + $13 + $14 + $15) / t) }' "/proc/$1/stat" 2>/dev/null
}
state_of() {
	awk '{ sub(/^.*\) /, ""); print $1 }' "/proc/$1/stat" 2>/dev/null
}

for name in $HARNESSES; do
	bin=$OUT/bin/fuzz_$name
	dict=$SRC/fuzz/tls.dict
	[ "$name" = x509 ] && dict=$SRC/fuzz/x509.dict
	mkdir -p "$OUT/$name/corpus" "$OUT/$name/minimized"
	cp -n "$SRC/fuzz/corpus/$name/"* "$OUT/$name/corpus/" 2>/dev/null
	extra=
	shared=${TLSDIAG_CORPUS:-$SRC/../shared/corpus}
	if [ "$name" = pcap ] && [ -d "$shared" ]; then
		mkdir -p "$OUT/pcap/shared-seeds"
		find "$shared" -type f -size -100k \( -name '*.pcap' -o -name '*.pcapng' -o -name '*.cap' -o -name '*.gz' \) \
			-exec cp -n {} "$OUT/pcap/shared-seeds/" \;
		extra=$OUT/pcap/shared-seeds
	fi
	spent=0 runs=0 start=$(date +%s)
	say "fuzz_$name: start, budget ${CPU}s CPU"
	while [ "$spent" -lt "$CPU" ] && [ "$runs" -lt 10 ]; do
		runs=$((runs + 1))
		left=$((CPU - spent))
		# wall-clock cap: 3x the CPU still to spend (the machine is shared)
		# its own process group (setsid), so the stop reaches the job it runs too
		# shellcheck disable=SC2086
		setsid "$bin" $OPTS -dict="$dict" -max_total_time=$((left * 3)) -artifact_prefix="$OUT/$name/" \
			"$OUT/$name/corpus" $extra >>"$OUT/$name.log" 2>&1 &
		pid=$!
		used=0
		while st=$(state_of "$pid") && [ -n "$st" ] && [ "$st" != Z ]; do
			sleep 10
			c=$(cpu_of "$pid")
			[ -n "$c" ] && used=$c
			if [ $((spent + used)) -ge "$CPU" ]; then
				# SIGINT stops the running job, but in -fork mode libFuzzer starts the
				# next one: give it a minute to print its stats, then kill the group
				kill -INT -- "-$pid" 2>/dev/null
				k=0
				while [ $k -lt 6 ] && st=$(state_of "$pid") && [ -n "$st" ] && [ "$st" != Z ]; do
					sleep 10
					k=$((k + 1))
				done
				kill -KILL -- "-$pid" 2>/dev/null
				break
			fi
		done
		c=$(cpu_of "$pid")
		[ -n "$c" ] && used=$c
		wait "$pid"
		rc=$?
		kill -KILL -- "-$pid" 2>/dev/null   # a job left behind
		spent=$((spent + used))
		say "fuzz_$name: run $runs exited $rc after ${used}s CPU (total ${spent}s of ${CPU}s)"
		if [ $(($(date +%s) - start)) -gt $((CPU * 4)) ]; then
			say "fuzz_$name: wall-clock limit reached, moving on"
			break
		fi
	done

	# minimize the failing inputs (the first 10), then the corpus
	k=0
	for f in "$OUT/$name"/crash-* "$OUT/$name"/leak-* "$OUT/$name"/timeout-* "$OUT/$name"/oom-*; do
		[ -f "$f" ] || continue
		k=$((k + 1))
		[ "$k" -le 10 ] || break
		[ -f "$OUT/$name/minimized/$(basename "$f")" ] && continue
		"$bin" -minimize_crash=1 -max_total_time=300 -timeout=10 -rss_limit_mb=2048 \
			-exact_artifact_path="$OUT/$name/minimized/$(basename "$f")" "$f" >>"$OUT/$name.minimize.log" 2>&1
		say "fuzz_$name: minimized $(basename "$f")"
	done
	rm -rf "$OUT/$name/merged"
	mkdir -p "$OUT/$name/merged"
	"$bin" -merge=1 -rss_limit_mb=2048 -timeout=10 "$OUT/$name/merged" "$OUT/$name/corpus" \
		>>"$OUT/$name.merge.log" 2>&1
	fails=$(find "$OUT/$name" -maxdepth 1 -type f \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \) | wc -l)
	say "fuzz_$name: done, ${spent}s CPU in $runs run(s), merged corpus: $(find "$OUT/$name/merged" -type f | wc -l)" \
		"files, $(du -sk "$OUT/$name/merged" | cut -f1) KB; failing inputs: $fails"
done
date -u +%FT%TZ >"$OUT/campaign.done"
