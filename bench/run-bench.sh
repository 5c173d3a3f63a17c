#!/usr/bin/env bash
# run-bench.sh - tlsdiag against the read floor, tshark and ssldump on the same
# large captures, in one run (what `make bench` does).
#
#   BENCH_SIZES="200 2048"   capture sizes in MiB (made by ../shared/bench; "" for none)
#   BENCH_DATA=/tmp/tlsdiag-bench   where captures and tools go
#   BENCH_RUNS=3             timed runs per fast tool (the median is kept)
#   BENCH_SLOW=1             also time tshark and ssldump (once each: minutes)
#   TLSDIAG=./tlsdiag        the binary under test
#   BENCH_RATES="400 4000 40000"  new connections per second of the concurrency
#                            series: 200 MiB captures of the same traffic, more
#                            of it in flight at once ("" to skip)
#
# Prints Markdown: per capture, wall time, MB/s, packets/s and peak RSS of
# each tool, the ratios tlsdiag/floor, tshark/tlsdiag, ssldump/tlsdiag, and
# the check of tlsdiag's facts against the generator's manifest.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
shared=${TLSDIAG_SHARED:-$top/../shared}
data=${BENCH_DATA:-/tmp/tlsdiag-bench}
sizes=${BENCH_SIZES-"200 2048"}
runs=${BENCH_RUNS:-3}
slow=${BENCH_SLOW:-1}
rates=${BENCH_RATES-"400 4000 40000"}
tlsdiag=${TLSDIAG:-$top/tlsdiag}

[ -x "$tlsdiag" ] || { echo "run-bench: no tlsdiag at $tlsdiag (make first)" >&2; exit 2; }
[ -d "$shared/bench" ] || { echo "run-bench: the generator is in ../shared/bench; not found at $shared" >&2; exit 2; }
command -v /usr/bin/time >/dev/null || { echo "run-bench: needs /usr/bin/time (apt-get install time)" >&2; exit 2; }
mkdir -p "$data"

# The floors: libpcap's read loop, and the flow-aware one (loop + header
# parse + 4-tuple hash) from the generator's directory.
cc -O2 -o "$data/pcap_floor" "$here/pcap_floor.c" -lpcap
cc -O2 -o "$data/pcap_count" "$shared/bench/pcap_count.c" -lpcap

# The trust store a support engineer would hand tlsdiag: the bench PKI's roots.
cat "$shared"/bench/certs/{rsa,ec,cli}-root.crt > "$data/bench-roots.pem"
# The generator stamps packets 2025-06-01 but made its certificates on the day
# it ran: judge validity now, or every certificate is "not yet valid".
at=$(date -u +%Y-%m-%dT%H:%M:%SZ)
diag=(--at "$at" --ca-file "$data/bench-roots.pem")

name_of() { case "$1" in 200) echo tls-200m ;; 2048) echo tls-2g ;; *) echo "tls-${1}m" ;; esac; }

# measure LABEL N CMD...: N runs, file in page cache before each; median wall, max RSS
measure() {
	local label=$1 n=$2
	shift 2
	local walls=() rss=0 out
	for ((i = 0; i < n; i++)); do
		cat "$file" >/dev/null
		/usr/bin/time -f "%e %M" -o "$data/time.out" "$@" >/dev/null 2>&1 || true   # tlsdiag exits 1 on findings
		out=$(tail -1 "$data/time.out")
		walls+=("${out% *}")
		local r=${out#* }
		[ "$r" -gt "$rss" ] && rss=$r
	done
	local median
	median=$(printf '%s\n' "${walls[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
	results+=("$label $median $rss")
}

row() { # label wall rss
	awk -v l="$1" -v w="$2" -v r="$3" -v bytes="$bytes" -v pk="$packets" \
		'BEGIN { printf "| %s | %.2f s | %.0f | %.0f | %.1f MiB |\n", l, w, bytes / 1e6 / w, pk / w, r / 1024 }'
}

echo "# tlsdiag benchmark, $(date -u +%Y-%m-%d)"
echo
echo "Machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')."
echo "Versions: $("$tlsdiag" -V | head -1); $(tshark -v 2>/dev/null | head -1 || echo 'tshark missing'); ssldump $(dpkg-query -W -f '${Version}' ssldump 2>/dev/null || echo missing)."
echo "tlsdiag options: ${diag[*]}"
for size in $sizes; do
	name=$(name_of "$size")
	file=$data/$name.pcap
	if [ ! -s "$file" ] || [ ! -s "$file.manifest.json" ]; then
		bash "$shared/bench/make-bench-pcap.sh" --outdir "$data" --sizes "$size" >&2
	fi
	bytes=$(stat -c %s "$file")
	packets=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["packets"])' "$file.manifest.json")
	results=()
	measure floor "$runs" "$data/pcap_floor" "$file"
	measure floor-flow "$runs" "$data/pcap_count" -f "$file"
	measure tlsdiag-text "$runs" "$tlsdiag" "${diag[@]}" -r "$file"
	measure tlsdiag-json "$runs" "$tlsdiag" --json "${diag[@]}" -r "$file"
	if [ "$slow" = 1 ]; then
		command -v tshark >/dev/null && measure tshark 1 tshark -r "$file" -d tcp.port==8443,tls \
			-o tcp.reassemble_out_of_order:TRUE -Y tls.handshake -T fields -e frame.number -e tcp.stream \
			-e tls.handshake.type -e tls.handshake.extensions_server_name -e tls.alert_message.desc
		command -v ssldump >/dev/null && measure ssldump 1 ssldump -n -r "$file"
	fi
	echo
	echo "## $name.pcap: $(awk -v b="$bytes" 'BEGIN {printf "%.0f MB", b/1e6}'), $packets packets"
	echo
	echo "| tool | wall | MB/s | packets/s | peak RSS |"
	echo "|---|---:|---:|---:|---:|"
	declare -A wall=()
	for r in "${results[@]}"; do
		set -- $r
		wall[$1]=$2
		row "$1" "$2" "$3"
	done
	echo
	awk -v t="${wall[tlsdiag-text]}" -v f="${wall[floor]}" -v ff="${wall[floor-flow]}" \
		-v ts="${wall[tshark]:-0}" -v sd="${wall[ssldump]:-0}" -v j="${wall[tlsdiag-json]}" 'BEGIN {
		printf "Ratios: tlsdiag/floor %.2f, tlsdiag/flow-aware floor %.2f, JSON/flow-aware floor %.2f", t / f, t / ff, j / ff
		if (ts > 0) printf ", tshark/tlsdiag %.1f", ts / t
		if (sd > 0) printf ", ssldump/tlsdiag %.1f", sd / t
		printf ".\n" }'
	echo
	echo "Facts found by tlsdiag against the generator's manifest:"
	echo
	# tlsdiag exits 1 when it found errors, which this capture has on purpose
	set +o pipefail
	"$tlsdiag" --format jsonl --json-full "${diag[@]}" -r "$file" | python3 "$here/check-manifest.py" "$file.manifest.json"
	status=("${PIPESTATUS[@]}")
	set -o pipefail
	[ "${status[0]}" -le 1 ] && [ "${status[1]}" -eq 0 ] || { echo "run-bench: facts differ from the manifest" >&2; exit 1; }
	unset wall
done

# Cost against concurrent connections: the same 200 MiB of traffic made at
# higher connection rates, so more handshakes are in flight at once.
[ -n "$rates" ] || exit 0
echo
echo "## Concurrent connections: 200 MiB captures at higher connection rates"
echo
echo "| new connections/s | most in flight | flow-aware floor | tlsdiag | peak RSS | evicted for memory | facts |"
echo "|---:|---:|---:|---:|---:|---:|---|"
for rate in $rates; do
	file=$data/conc-$rate.pcap
	if [ ! -s "$file" ] || [ ! -s "$file.manifest.json" ]; then
		python3 "$shared/bench/gen_tls_pcap.py" --templates "$shared/bench/templates/templates.json" \
			--out "$file" --size-mib 200 --seed 1 --rate "$rate" --manifest "$file.manifest.json" >&2
	fi
	inflight=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["max_concurrent"])' "$file.manifest.json")
	for limit in "" 160; do
		lim=()
		[ -n "$limit" ] && lim=(--memory-limit "$limit")
		results=()
		measure floor-flow "$runs" "$data/pcap_count" -f "$file"
		measure tlsdiag "$runs" "$tlsdiag" "${diag[@]}" "${lim[@]}" -r "$file"
		"$tlsdiag" --format jsonl --json-full "${diag[@]}" "${lim[@]}" -r "$file" >"$data/conc.jsonl" || true   # 1: errors found
		evicted=$(tail -1 "$data/conc.jsonl" | python3 -c 'import json,sys; print(json.load(sys.stdin)["summary"]["flows_evicted_for_memory"])')
		if python3 "$here/check-manifest.py" "$file.manifest.json" <"$data/conc.jsonl" >/dev/null; then
			facts="all"
		else
			facts="**some lost**"
		fi
		set -- ${results[0]}
		ff=$2
		set -- ${results[1]}
		echo "| $rate | $inflight | $ff s | $2 s${limit:+ (--memory-limit $limit)} | $(awk -v r="$3" 'BEGIN {printf "%.1f MiB", r / 1024}') | $evicted | $facts |"
		# the limit raised only where the default one evicted
		[ "$evicted" -gt 0 ] || break
	done
done
