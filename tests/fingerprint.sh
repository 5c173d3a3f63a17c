#!/bin/bash
# fingerprint.sh - `make check` wrapper for tests/fingerprint.py: tlsdiag's
# JA3/JA3S against tshark on pcaps/ and the shared corpus, its JA4 against
# FoxIO's reference implementation: always on pcaps/ (the values it gave,
# tests/data/ja4/reference.txt), and on FoxIO's own test captures when a
# clone of its repository is given.
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
reference=$srcdir/tests/data/ja4/reference.txt

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

dirs=(--captures-in "$srcdir/pcaps")
if [ -d "$corpus" ]; then
	dirs+=(--captures-in "$corpus")
else
	echo "note: no third-party corpus at $corpus (set TLSDIAG_CORPUS): JA3 on pcaps/ only"
fi

# FoxIO's captures, from a checkout (pcap/) or out of a bare git directory;
# their hellos are compared with tshark too (many are Chrome's, with GREASE)
ja4_args=()
ja4_pcaps=
if [ -n "$ja4_repo" ] && [ -d "$ja4_repo/pcap" ]; then
	ja4_pcaps=$ja4_repo/pcap
elif [ -n "$ja4_repo" ] && git --git-dir="$ja4_repo" rev-parse --verify -q HEAD >/dev/null; then
	ja4_pcaps=$(mktemp -d) || exit 1
	trap 'rm -rf "$ja4_pcaps"' EXIT
	while read -r path; do
		git --git-dir="$ja4_repo" show "HEAD:$path" >"$ja4_pcaps/${path#pcap/}" || exit 1
	done < <(git --git-dir="$ja4_repo" ls-tree -r --name-only HEAD pcap/)
fi
if [ -n "$ja4_pcaps" ]; then
	ja4_args=(--ja4-expected "$expected" --ja4-pcaps "$ja4_pcaps" --captures-in "$ja4_pcaps")
else
	echo "note: JA4 part skipped: set TLSDIAG_JA4_REPO to a clone of https://github.com/FoxIO-LLC/ja4 (tests/data/ja4/README.md says why its captures are not bundled)"
fi

# shellcheck disable=SC2086 # FINGERPRINT_FLAGS is a list of flags
python3 "$srcdir/tests/fingerprint.py" --fp-dump "$fp_dump" --tlsdiag "$tlsdiag" \
	--exceptions "$srcdir/tests/fingerprint_exceptions.txt" --ja4-reference "$reference" \
	--ja4-reference-dir "$srcdir/pcaps" ${FINGERPRINT_FLAGS:-} \
	"${dirs[@]}" "${ja4_args[@]}"
