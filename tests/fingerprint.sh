#!/bin/bash
# fingerprint.sh - `make check` wrapper for tests/fingerprint.py: tlsdiag's
# JA3/JA3S against tshark on pcaps/ and the shared corpus, its JA4 against
# FoxIO's published values on FoxIO's test captures.
#
# Environment: TLSDIAG (default ./tlsdiag), FP_DUMP (default ./tests/fp_dump),
# TLSDIAG_CORPUS (default $srcdir/../shared/corpus), TLSDIAG_JA4_REPO (a
# checkout or bare git directory of https://github.com/FoxIO-LLC/ja4; without
# it the JA4 part is skipped, visibly), FINGERPRINT_FLAGS (e.g. -v).
# Exit: 0 agree, 1 disagree, 77 (SKIP) without tshark or python3.
set -u

srcdir=${srcdir:-$(cd "${0%/*}/.." && pwd)}
tlsdiag=${TLSDIAG:-./tlsdiag}
fp_dump=${FP_DUMP:-./tests/fp_dump}
corpus=${TLSDIAG_CORPUS:-$srcdir/../shared/corpus}
ja4_repo=${TLSDIAG_JA4_REPO:-}
expected=$srcdir/tests/data/ja4/expected.txt

for tool in python3 tshark; do
	if ! command -v $tool >/dev/null 2>&1; then
		echo "SKIP: $tool is not installed; the fingerprint differential test needs it"
		exit 77
	fi
done
for bin in "$tlsdiag" "$fp_dump"; do
	if [ ! -x "$bin" ]; then
		echo "fingerprint.sh: no program at $bin (set TLSDIAG and FP_DUMP)" >&2
		exit 1
	fi
done

captures=()
shopt -s nullglob
for f in "$srcdir"/pcaps/*.pcap*; do
	captures+=("$f")
done
if [ -d "$corpus" ]; then
	while IFS= read -r -d '' f; do
		captures+=("$f")
	done < <(find "$corpus" -type f \( -name '*.pcap*' -o -name '*.cap*' -o -name '*.pcapng' \) -print0 | sort -z)
else
	echo "note: no third-party corpus at $corpus (set TLSDIAG_CORPUS): JA3 on pcaps/ only"
fi

# FoxIO's captures, from a checkout (pcap/) or out of a bare git directory
ja4_args=()
tmp=
if [ -n "$ja4_repo" ] && [ -d "$ja4_repo/pcap" ]; then
	ja4_args=(--ja4-expected "$expected" --ja4-pcaps "$ja4_repo/pcap")
elif [ -n "$ja4_repo" ] && git --git-dir="$ja4_repo" rev-parse --verify -q HEAD >/dev/null; then
	tmp=$(mktemp -d) || exit 1
	trap 'rm -rf "$tmp"' EXIT
	while read -r cap; do
		if ! git --git-dir="$ja4_repo" show "HEAD:pcap/$cap" >"$tmp/$cap"; then
			echo "fingerprint.sh: $cap is not in $ja4_repo" >&2
			exit 1
		fi
	done < <(grep -v '^#' "$expected" | cut -d' ' -f1 | sort -u)
	ja4_args=(--ja4-expected "$expected" --ja4-pcaps "$tmp")
else
	echo "note: JA4 part skipped: set TLSDIAG_JA4_REPO to a clone of https://github.com/FoxIO-LLC/ja4 (tests/data/ja4/README.md says why its captures are not bundled)"
fi

# shellcheck disable=SC2086 # FINGERPRINT_FLAGS is a list of flags
python3 "$srcdir/tests/fingerprint.py" --fp-dump "$fp_dump" --tlsdiag "$tlsdiag" \
	--exceptions "$srcdir/tests/fingerprint_exceptions.txt" ${FINGERPRINT_FLAGS:-} \
	"${ja4_args[@]}" "${captures[@]}"
