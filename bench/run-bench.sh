#!/usr/bin/env bash
# run-bench.sh - every output format of tlsdiag against the read floors, tshark
# and ssldump on the same captures, in one run (what `make bench` does).
#
#   BENCH_SIZES="200 2048 8192"  capture sizes in MiB (made by ../shared/bench's generator);
#                            a size whose capture would leave less than 20 GiB of
#                            free disk is skipped and said so ("" for none)
#   BENCH_DATA=/tmp/tlsdiag-bench   where captures, tools and the curve's data go
#   BENCH_RUNS=3             timed runs per fast tool (medians of wall and CPU are kept)
#   BENCH_RUNS_BIG=1         ... on captures above 2 GiB
#   BENCH_SLOW=1             also time tshark and ssldump (once each: minutes)
#   BENCH_PEERS_MAX=2048     on captures up to this size in MiB (tshark needs 4.5 GiB of RAM for 2 GiB)
#   BENCH_STORM=1            a capture with 50,000+ handshakes in flight at once
#   BENCH_RATES="4000 40000" the concurrency series: 200 MiB of the same traffic at
#                            higher connection rates ("" to skip)
#   BENCH_KEYLOG_SIZES="200 2048"  key-log captures (bench/keylog: the same traffic with the
#                            secrets of every connection in FILE.keylog) for text --keylog ("" to skip)
#   BENCH_KEYLOG_PEERS_MAX=200   tshark and ssldump with the key log on key-log captures up to this size
#   BENCH_INSTR_MAX=200      count the instructions of each tool (valgrind) on captures up to
#                            this size in MiB: ratios a shared machine's load does not move ("0": none)
#   BENCH_KEEP=1             keep the generated captures for the next run (0: delete them)
#   BENCH_PLOT=docs/perf-scaling.svg   where gnuplot draws time and memory against size
#   TLSDIAG=./tlsdiag        the binary under test
#
# Prints Markdown. Per capture: wall time and CPU time (user+sys, which the
# load of a shared machine and page-cache misses move far less than wall
# time), peak RSS and output size of each format (text, --format jsonl,
# --json, --format ecs and --keylog when this tlsdiag accepts them, text with
# the progress line forced on), each as a ratio of the flow-aware floor against
# the targets of issue 16; the check of the facts against the generator's
# manifest; the eviction counts. No timed assertion fails the run: only facts
# that differ from the manifest do.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
shared=${TLSDIAG_SHARED:-$top/../shared}
data=${BENCH_DATA:-/tmp/tlsdiag-bench}
sizes=${BENCH_SIZES-"200 2048 8192"}
runs=${BENCH_RUNS:-3}
runs_big=${BENCH_RUNS_BIG:-1}
peers_max=${BENCH_PEERS_MAX:-2048}
slow=${BENCH_SLOW:-1}
storm=${BENCH_STORM:-1}
rates=${BENCH_RATES-"4000 40000"}
keylog_sizes=${BENCH_KEYLOG_SIZES-"200 2048"}
keylog_peers_max=${BENCH_KEYLOG_PEERS_MAX:-200}
keep=${BENCH_KEEP:-1}
instr_max=${BENCH_INSTR_MAX:-200}
command -v valgrind >/dev/null || instr_max=0
plot=${BENCH_PLOT:-$top/docs/perf-scaling.svg}
tlsdiag=${TLSDIAG:-$top/tlsdiag}
gen=$shared/bench

[ -x "$tlsdiag" ] || { echo "run-bench: no tlsdiag at $tlsdiag (make first)" >&2; exit 2; }
[ -d "$gen" ] || { echo "run-bench: the generator is in ../shared/bench; not found at $gen" >&2; exit 2; }
command -v /usr/bin/time >/dev/null || { echo "run-bench: needs /usr/bin/time (apt-get install time)" >&2; exit 2; }
mkdir -p "$data"
made=()   # captures this run generated (deleted at the end unless BENCH_KEEP=1)
cleanup() { [ "$keep" = 1 ] || for f in "${made[@]}"; do rm -f "$f" "$f".*; done; }
trap cleanup EXIT

# The floors: libpcap's read loop, and the flow-aware one (loop + header
# parse + 4-tuple hash) from the generator's directory.
cc -O2 -o "$data/pcap_floor" "$here/pcap_floor.c" -lpcap
cc -O2 -o "$data/pcap_count" "$gen/pcap_count.c" -lpcap

# The trust store a support engineer would hand tlsdiag: the bench PKI's roots.
cat "$gen"/certs/{rsa,ec,cli}-root.crt >"$data/bench-roots.pem"
# The generator stamps packets 2025-06-01 but made its certificates on the day
# it ran: judge validity now, or every certificate is "not yet valid".
at=$(date -u +%Y-%m-%dT%H:%M:%SZ)
diag=(--at "$at" --ca-file "$data/bench-roots.pem" --no-progress)

# A capture whose facts differ from its manifest fails the run, after the
# other measurements (the table above says which facts).
differ=()
# check_facts NAME TLSDIAG-ARGS...: tlsdiag's JSON Lines against $file's manifest
check_facts() {
	local name=$1 st=0 ck=0
	shift
	"$tlsdiag" --format jsonl --json-full "$@" >"$data/facts.jsonl" || st=$?   # 1: errors found, on purpose
	python3 "$here/check-manifest.py" "$file.manifest.json" <"$data/facts.jsonl" || ck=$?
	rm -f "$data/facts.jsonl"
	if [ "$st" -gt 1 ] || [ "$ck" -ne 0 ]; then
		differ+=("$name")
		echo
		echo "**Facts differ from the manifest on $name** (the rows marked above); the run will exit 1."
	fi
}

# Which of the formats and options still being built this tlsdiag accepts
# (exit 2 is a usage error): the bench measures them as soon as they land.
printf '\324\303\262\241\002\000\004\000\000\000\000\000\000\000\000\000\000\000\004\000\001\000\000\000' >"$data/empty.pcap"
: >"$data/empty.keylog"
accepts() { "$tlsdiag" "$@" -r "$data/empty.pcap" >/dev/null 2>&1; [ $? -le 1 ]; }
has_ecs=0; accepts --format ecs && has_ecs=1
has_keylog=0; accepts --keylog "$data/empty.keylog" && has_keylog=1

name_of() { case "$1" in 200) echo tls-200m ;; 2048) echo tls-2g ;; 8192) echo tls-8g ;; *) echo "tls-${1}m" ;; esac; }

# make_capture FILE MIB [generator options]: the generator's capture, made once
# (GEN=... for another generator and templates: the key-log one)
make_capture() {
	local f=$1 mib=$2 pid
	local g=${GEN:-$gen/gen_tls_pcap.py} tpl=${GEN_TEMPLATES:-$gen/templates/templates.json}
	shift 2
	# another run may be making it: wait for its generator (FILE.making holds its pid)
	while [ -s "$f.making" ] && kill -0 "$(cat "$f.making")" 2>/dev/null; do
		sleep 10
	done
	[ -s "$f" ] && [ -s "$f.manifest.json" ] && return 0
	python3 "$g" --templates "$tpl" --out "$f" --size-mib "$mib" --seed 1 --manifest "$f.manifest.json" "$@" >&2 &
	pid=$!
	echo "$pid" >"$f.making"
	wait "$pid" || { rm -f "$f.making"; echo "run-bench: generating $f failed" >&2; exit 1; }
	rm -f "$f.making"
	made+=("$f")
}

# Is the file in the page cache? (percent resident, as fincore says)
resident() {
	command -v fincore >/dev/null || { echo "?"; return; }
	fincore -nb -o RES,SIZE "$1" 2>/dev/null | awk '{ printf "%.0f", $2 ? 100 * $1 / $2 : 0 }'
}

# plan LABEL N CMD...: a tool to time N times; run_plan: the planned tools
# take turns, round by round, so that a change in the load of a shared
# machine over the minutes of a run weighs on every tool and on the floor
# alike (the targets are ratios of one run). The file is read into the page
# cache before each run; medians of wall and CPU (user+sys) time are kept,
# the largest peak RSS, the last output's size. measure: plan and run one.
declare -A W C R O
P_LABELS=() P_RUNS=() P_CMDS=()
plan() {
	local label=$1 n=$2
	shift 2
	P_LABELS+=("$label")
	P_RUNS+=("$n")
	P_CMDS+=("$(printf '%q ' "$@")")
}
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
run_plan() {
	local -A walls=() cpus=()
	local max=0 i j n label w u s r
	for n in "${P_RUNS[@]}"; do [ "$n" -gt "$max" ] && max=$n; done
	for ((i = 0; i < max; i++)); do
		for j in "${!P_LABELS[@]}"; do
			[ "$i" -lt "${P_RUNS[j]}" ] || continue
			label=${P_LABELS[j]}
			cat "$file" >/dev/null
			# tlsdiag exits 1 when it found errors, which these captures have on purpose
			eval "/usr/bin/time -f '%e %U %S %M' -o \"\$data/time.out\" ${P_CMDS[j]}" >"$data/out.tmp" 2>"$data/err.tmp" || true
			read -r w u s r <<<"$(tail -1 "$data/time.out")"
			walls[$label]+="$w "
			cpus[$label]+="$(awk -v u="$u" -v s="$s" 'BEGIN { print u + s }') "
			[ "$r" -gt "${R[$label]:-0}" ] && R[$label]=$r
			O[$label]=$(stat -c %s "$data/out.tmp")
		done
	done
	for label in "${P_LABELS[@]}"; do
		# shellcheck disable=SC2086 # the lists are numbers, split on purpose
		W[$label]=$(median ${walls[$label]})
		# shellcheck disable=SC2086
		C[$label]=$(median ${cpus[$label]})
	done
	P_LABELS=() P_RUNS=() P_CMDS=()
	rm -f "$data/out.tmp"
}
measure() { plan "$@"; run_plan; }

# instr LABEL CMD...: the instructions the command executes (valgrind's
# cachegrind without its cache model), into I[LABEL]; instr_table prints
# them against the flow floor's. Unlike times they do not move with the
# load of the machine, so small changes show, but they weigh a cache miss
# as one instruction: a guide beside the times, not their replacement.
declare -A I
instr() {
	local label=$1
	shift
	valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null "$@" >/dev/null 2>"$data/instr.err" || true
	I[$label]=$(awk '/ I +refs:/ { gsub(",", "", $NF); print $NF }' "$data/instr.err")
	rm -f "$data/instr.err"
}
instr_table() { # LABEL:TARGET ...
	local lt l t
	echo
	echo "Instructions executed (valgrind --tool=cachegrind --cache-sim=no):"
	echo
	echo "| tool | instructions | / flow floor | target (issue 16, in time) |"
	echo "|---|---:|---:|---|"
	for lt in floor-flow "$@"; do
		l=${lt%%:*} t=${lt#*:}
		[ "$t" = "$lt" ] && t=
		[ -n "${I[$l]:-}" ] || continue
		awk -v l="$l" -v i="${I[$l]}" -v f="${I[floor-flow]}" -v t="$t" 'BEGIN {
			printf "| %s | %.0f M | %.2f | %s |\n", l, i / 1e6, i / f, t == "" ? "" : "≤ " t "×" }'
	done
}

# row LABEL TARGET: a table row; ratios against the flow-aware floor
row() {
	local l=$1 target=${2:-}
	awk -v l="$l" -v w="${W[$l]}" -v c="${C[$l]}" -v r="${R[$l]}" -v o="${O[$l]}" -v t="$target" \
		-v fw="${W[floor-flow]}" -v fc="${C[floor-flow]}" -v bytes="$bytes" 'BEGIN {
		met = ""
		if (t != "") met = (w / fw <= t && c / fc <= t) ? "yes" : "**no**"
		printf "| %s | %.2f s | %.2f s | %.0f | %.2f | %.2f | %s | %.1f MiB | %.1f MB |\n", l, w, c, bytes / 1e6 / w,
			w / fw, c / fc, t == "" ? "" : "≤ " t "× " met, r / 1024, o / 1e6 }'
}

echo "# tlsdiag benchmark, $(date -u +%Y-%m-%d)"
echo
echo "Machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); load average at the start: $(cut -d' ' -f1-3 /proc/loadavg)."
echo "Versions: $("$tlsdiag" -V | head -1); $(tshark -v 2>/dev/null | head -1 || echo 'tshark missing'); ssldump $(dpkg-query -W -f '${Version}' ssldump 2>/dev/null || echo missing)."
echo "tlsdiag options: ${diag[*]}; --format ecs: $([ $has_ecs = 1 ] && echo measured || echo 'not in this build'); --keylog: $([ $has_keylog = 1 ] && echo accepted || echo 'not in this build')."

: >"$data/curve.dat"
for size in $sizes; do
	name=$(name_of "$size")
	file=$data/$name.pcap
	if [ ! -s "$file" ]; then
		avail=$(df -Pk "$data" | awk 'NR == 2 {print $4}')
		if [ $((avail / 1024)) -lt $((size + 20480)) ]; then
			echo
			echo "## $name.pcap: skipped ($((avail / 1048576)) GiB free on $data; it needs $((size / 1024 + 20)) GiB to leave 20 GiB)"
			continue
		fi
	fi
	make_capture "$file" "$size"
	bytes=$(stat -L -c %s "$file")
	packets=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["packets"])' "$file.manifest.json")
	conns=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["connections"])' "$file.manifest.json")
	W=() C=() R=() O=()
	runs_here=$runs
	[ "$size" -gt 2048 ] && runs_here=$runs_big
	cat "$file" >/dev/null
	cached=$(resident "$file")
	plan floor "$runs_here" "$data/pcap_floor" "$file"
	plan floor-flow "$runs_here" "$data/pcap_count" -f "$file"
	plan text "$runs_here" "$tlsdiag" "${diag[@]}" -r "$file"
	plan "text --progress" "$runs_here" "$tlsdiag" "${diag[@]/--no-progress/--progress}" -r "$file"
	plan jsonl "$runs_here" "$tlsdiag" --format jsonl "${diag[@]}" -r "$file"
	plan json "$runs_here" "$tlsdiag" --json "${diag[@]}" -r "$file"
	[ $has_ecs = 1 ] && plan ecs "$runs_here" "$tlsdiag" --format ecs "${diag[@]}" -r "$file"
	run_plan
	if [ "$slow" = 1 ] && [ "$size" -le "$peers_max" ]; then
		command -v tshark >/dev/null && measure tshark 1 tshark -r "$file" -d tcp.port==8443,tls \
			-o tcp.reassemble_out_of_order:TRUE -Y tls.handshake -T fields -e frame.number \
			-e tcp.stream -e tls.handshake.type -e tls.handshake.extensions_server_name -e tls.alert_message.desc
		command -v ssldump >/dev/null && measure ssldump 1 ssldump -n -r "$file"
	fi
	echo
	echo "## $name.pcap: $(awk -v b="$bytes" 'BEGIN {printf "%.0f MB", b/1e6}'), $packets packets, $conns connections (${cached}% in the page cache before the runs)"
	echo
	echo "| tool | wall | CPU | MB/s (wall) | wall / flow floor | CPU / flow floor | target (issue 16) | peak RSS | output |"
	echo "|---|---:|---:|---:|---:|---:|---|---:|---:|"
	row floor
	row floor-flow
	row text 1.25
	row "text --progress" 1.25
	row jsonl 1.5
	row json 1.6
	[ -n "${W[ecs]:-}" ] && row ecs 1.5
	[ -n "${W[tshark]:-}" ] && row tshark
	[ -n "${W[ssldump]:-}" ] && row ssldump
	echo
	awk -v t="${C[text]}" -v p="${C[text --progress]}" -v tw="${W[text]}" -v ts="${W[tshark]:-0}" -v sd="${W[ssldump]:-0}" 'BEGIN {
		printf "Text with the progress line forced on: %+.1f %% of CPU time against text without it (compare with the spread of repeated runs).", (p / t - 1) * 100
		if (ts > 0) printf " tshark takes %.1f× tlsdiag'"'"'s wall time", ts / tw
		if (sd > 0) printf ", ssldump %.1f×", sd / tw
		printf "\n" }'
	echo
	echo "Facts found by tlsdiag against the generator's manifest:"
	echo
	check_facts "$name.pcap" "${diag[@]}" -r "$file"
	if [ "$size" -le "$instr_max" ]; then
		I=()
		instr floor-flow "$data/pcap_count" -f "$file"
		instr text "$tlsdiag" "${diag[@]}" -r "$file"
		instr jsonl "$tlsdiag" --format jsonl "${diag[@]}" -r "$file"
		instr json "$tlsdiag" --json "${diag[@]}" -r "$file"
		[ $has_ecs = 1 ] && instr ecs "$tlsdiag" --format ecs "${diag[@]}" -r "$file"
		instr_table text:1.25 jsonl:1.5 json:1.6 ecs:1.5
	fi
	# the curve: size, CPU seconds per GB of each format, RSS
	echo "$bytes ${C[floor-flow]} ${C[text]} ${C[jsonl]} ${C[json]} ${R[text]} ${R[jsonl]} ${R[json]} ${C[ecs]:-NaN} ${R[ecs]:-NaN}" >>"$data/curve.dat"
done

# The curve: CPU seconds per GB and peak RSS against capture size.
if [ -s "$data/curve.dat" ]; then
	echo
	echo "## Cost against capture size"
	echo
	echo "| capture | flow floor CPU/GB | text CPU/GB | jsonl CPU/GB | json CPU/GB | peak RSS text / jsonl / json |"
	echo "|---:|---:|---:|---:|---:|---|"
	awk '{ g = $1 / 1e9; printf "| %.0f MB | %.2f s | %.2f s | %.2f s | %.2f s | %.1f / %.1f / %.1f MiB |\n",
		$1 / 1e6, $2 / g, $3 / g, $4 / g, $5 / g, $6 / 1024, $7 / 1024, $8 / 1024 }' "$data/curve.dat"
	if command -v gnuplot >/dev/null && [ "$(wc -l <"$data/curve.dat")" -ge 2 ]; then
		gnuplot <<-EOF
			set terminal svg size 900,420 font "sans,11"
			set output "$plot"
			set multiplot layout 1,2 title "tlsdiag: cost against capture size ($(date -u +%Y-%m-%d), $(nproc) cores)"
			set logscale x 2
			set xlabel "capture size (MB)"
			set key top left
			set ylabel "CPU seconds per GB"
			set yrange [0:*]
			plot "$data/curve.dat" using (\$1/1e6):(\$2/(\$1/1e9)) with linespoints title "flow-aware floor", \
			     "" using (\$1/1e6):(\$3/(\$1/1e9)) with linespoints title "text", \
			     "" using (\$1/1e6):(\$4/(\$1/1e9)) with linespoints title "jsonl", \
			     "" using (\$1/1e6):(\$5/(\$1/1e9)) with linespoints title "json"
			set ylabel "peak RSS (MiB)"
			set yrange [0:80]
			plot 64 with lines dashtype 2 title "64 MiB target", \
			     "$data/curve.dat" using (\$1/1e6):(\$6/1024) with linespoints title "text", \
			     "" using (\$1/1e6):(\$7/1024) with linespoints title "jsonl", \
			     "" using (\$1/1e6):(\$8/1024) with linespoints title "json"
			unset multiplot
		EOF
		echo
		echo "Plotted into \`${plot#"$top"/}\`."
	fi
fi

# Key logs: the same traffic made from templates captured with the client's
# key log (bench/keylog), every connection's secrets in FILE.keylog.
if [ $has_keylog = 1 ] && [ -n "$keylog_sizes" ]; then
	for size in $keylog_sizes; do
		file=$data/$(name_of "$size")-keylog.pcap
		GEN=$here/keylog/gen_tls_pcap.py GEN_TEMPLATES=$here/keylog/templates/templates.json \
			make_capture "$file" "$size" --keylog "$file.keylog"
		bytes=$(stat -L -c %s "$file")
		W=() C=() R=() O=()
		runs_here=$runs
		[ "$size" -gt 2048 ] && runs_here=$runs_big
		cat "$file" >/dev/null
		cached=$(resident "$file")
		plan floor-flow "$runs_here" "$data/pcap_count" -f "$file"
		plan text "$runs_here" "$tlsdiag" "${diag[@]}" -r "$file"
		plan "text --keylog" "$runs_here" "$tlsdiag" --keylog "$file.keylog" "${diag[@]}" -r "$file"
		plan "jsonl --keylog" "$runs_here" "$tlsdiag" --format jsonl --keylog "$file.keylog" "${diag[@]}" -r "$file"
		run_plan
		if [ "$slow" = 1 ] && [ "$size" -le "$keylog_peers_max" ]; then
			command -v tshark >/dev/null && measure "tshark, key log" 1 tshark -r "$file" -d tcp.port==8443,tls \
				-o tcp.reassemble_out_of_order:TRUE -o "tls.keylog_file:$file.keylog" -Y tls.handshake \
				-T fields -e frame.number -e tcp.stream -e tls.handshake.type \
				-e tls.handshake.extensions_server_name -e tls.alert_message.desc
			command -v ssldump >/dev/null && measure "ssldump, key log" 1 ssldump -n -l "$file.keylog" -r "$file"
		fi
		echo
		echo "## $(basename "$file"): $(awk -v b="$bytes" 'BEGIN {printf "%.0f MB", b/1e6}'), $(python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); print(m["connections"], "connections,", m["keylog"]["connections_with_keys"], "with secrets in the key log of", m["keylog"]["tls12_lines"] + m["keylog"]["tls13_lines"], "lines")' "$file.manifest.json"), $(awk -v b="$(stat -L -c %s "$file.keylog")" 'BEGIN {printf "%.0f MB", b/1e6}') of key log (${cached}% in the page cache before the runs)"
		echo
		echo "| tool | wall | CPU | MB/s (wall) | wall / flow floor | CPU / flow floor | target (issue 16) | peak RSS | output |"
		echo "|---|---:|---:|---:|---:|---:|---|---:|---:|"
		row floor-flow
		row text 1.25
		row "text --keylog" 1.6
		row "jsonl --keylog"
		[ -n "${W[tshark, key log]:-}" ] && row "tshark, key log"
		[ -n "${W[ssldump, key log]:-}" ] && row "ssldump, key log"
		echo
		echo "Facts found by tlsdiag --keylog against the generator's manifest (clear and decrypted):"
		echo
		check_facts "$(basename "$file")" --keylog "$file.keylog" "${diag[@]}" -r "$file"
		if [ "$size" -le "$instr_max" ]; then
			I=()
			instr floor-flow "$data/pcap_count" -f "$file"
			instr text "$tlsdiag" "${diag[@]}" -r "$file"
			instr "text --keylog" "$tlsdiag" --keylog "$file.keylog" "${diag[@]}" -r "$file"
			instr_table text:1.25 "text --keylog:1.6"
		fi
	done
fi

# Memory against concurrent connections: the same traffic at higher
# connection rates, and a storm of 50,000+ real handshakes in flight at once.
conc_row() { # FILE LABEL
	local f=$1 label=$2 inflight limit lim evicted facts
	file=$f
	inflight=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["max_concurrent"])' "$f.manifest.json")
	for limit in "" 160 400; do
		lim=()
		[ -n "$limit" ] && lim=(--memory-limit "$limit")
		W=() C=() R=() O=()
		measure floor-flow 1 "$data/pcap_count" -f "$f"
		measure tlsdiag 1 "$tlsdiag" --format jsonl "${diag[@]}" "${lim[@]}" -r "$f"
		"$tlsdiag" --format jsonl --json-full "${diag[@]}" "${lim[@]}" -r "$f" >"$data/conc.jsonl" || true   # 1: errors found
		evicted=$(tail -1 "$data/conc.jsonl" | python3 -c 'import json,sys; print(json.load(sys.stdin)["summary"]["flows_evicted_for_memory"])')
		if python3 "$here/check-manifest.py" "$f.manifest.json" <"$data/conc.jsonl" >/dev/null; then
			facts="all"
		else
			facts="**some lost** (counted)"
		fi
		echo "| $label | $inflight | ${limit:-40 (default)} | ${C[floor-flow]} s | ${C[tlsdiag]} s | $(awk -v r="${R[tlsdiag]}" 'BEGIN {printf "%.1f MiB", r / 1024}') | $evicted | $facts |"
		[ "$evicted" -gt 0 ] || break   # a higher limit only where this one evicted
	done
	rm -f "$data/conc.jsonl"
}
if [ -n "$rates" ] || [ "$storm" = 1 ]; then
	echo
	echo "## Concurrent connections (JSON Lines; CPU seconds)"
	echo
	echo "| capture | most in flight | --memory-limit (MiB) | flow floor | tlsdiag | peak RSS | evicted for memory | facts |"
	echo "|---|---:|---:|---:|---:|---:|---:|---|"
	for rate in $rates; do
		make_capture "$data/conc-$rate.pcap" 200 --rate "$rate"
		conc_row "$data/conc-$rate.pcap" "200 MiB at $rate connections/s"
	done
	if [ "$storm" = 1 ]; then
		make_capture "$data/storm.pcap" 640 --rate 500000
		conc_row "$data/storm.pcap" "storm: 640 MiB at 500,000 connections/s"
	fi
fi

if [ ${#differ[@]} -gt 0 ]; then
	echo "run-bench: facts differ from the manifest on: ${differ[*]}" >&2
	exit 1
fi
