#!/bin/bash
# tshark_diff.sh - `make check` wrapper for the Wireshark differential test
# (tests/tshark_diff.py): tlsdiag against tshark on the bench captures in
# pcaps/ and, when it is there, on the shared third-party corpus.
#
# Environment: TLSDIAG (default ./tlsdiag), TLSDIAG_CORPUS (default
# $srcdir/../shared/corpus), TSHARK_DIFF_FLAGS (extra flags, e.g. -v).
# Exit: 0 agree, 1 disagree, 77 (SKIP) without tshark or python3.
set -u

srcdir=${srcdir:-$(cd "${0%/*}/.." && pwd)}
tlsdiag=${TLSDIAG:-./tlsdiag}
corpus=${TLSDIAG_CORPUS:-$srcdir/../shared/corpus}

if ! command -v python3 >/dev/null 2>&1; then
	echo "SKIP: python3 is not installed; the tshark differential test needs it"
	exit 77
fi
if ! command -v tshark >/dev/null 2>&1; then
	echo "SKIP: tshark is not installed; the tshark differential test needs it (apt-get install tshark)"
	exit 77
fi
if [ ! -x "$tlsdiag" ]; then
	echo "tshark_diff.sh: no tlsdiag at $tlsdiag (set TLSDIAG)" >&2
	exit 1
fi

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
	echo "note: no third-party corpus at $corpus (set TLSDIAG_CORPUS): comparing pcaps/ only"
fi
if [ ${#captures[@]} -eq 0 ]; then
	echo "SKIP: no captures found under $srcdir/pcaps or $corpus"
	exit 77
fi

# shellcheck disable=SC2086 # TSHARK_DIFF_FLAGS is a list of flags
exec python3 "$srcdir/tests/tshark_diff.py" --tlsdiag "$tlsdiag" \
	--exceptions "$srcdir/tests/tshark_exceptions.txt" ${TSHARK_DIFF_FLAGS:-} "${captures[@]}"
