#!/bin/sh
# options.sh - every option in the code is documented in --help and in the man page
# (curl's rule: an option nobody can find does not exist).
set -u
srcdir=${srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
TLSDIAG=${TLSDIAG:-./tlsdiag}
help=$("$TLSDIAG" --help) || { echo "FAIL: --help exited non-zero"; exit 1; }
man="$srcdir/man/tlsdiag.1"
fail=0
# long options: the { "name", ... } rows of long_options[] in main.c
longs=$(sed -n '/long_options\[\] = {/,/^};/p' "$srcdir/src/main.c" | sed -n 's/^[[:space:]]*{ "\([a-z0-9-]*\)".*/\1/p')
# short options: the getopt_long option string
shorts=$(sed -n 's/.*getopt_long(argc, argv, "\([^"]*\)".*/\1/p' "$srcdir/src/main.c" | tr -d ':')
[ -n "$longs" ] && [ -n "$shorts" ] || { echo "FAIL: could not read the options from src/main.c"; exit 1; }
for o in $longs; do
	printf '%s\n' "$help" | grep -q -- "--$o\b" || { echo "FAIL: --$o missing from --help"; fail=1; }
	mo=$(printf '%s' "$o" | sed 's/-/\\\\-/g')
	grep -q -- "\\\\-\\\\-$mo\b" "$man" || { echo "FAIL: --$o missing from the man page"; fail=1; }
done
for o in $(printf '%s' "$shorts" | sed 's/./& /g'); do
	printf '%s\n' "$help" | grep -q -- "-$o\b" || { echo "FAIL: -$o missing from --help"; fail=1; }
	grep -q -- "\\\\-$o\b" "$man" || { echo "FAIL: -$o missing from the man page"; fail=1; }
done
# every finding id of the rule catalogue is explained in DIAGNOSTICS
ids=$("$TLSDIAG" --list-findings | cut -f1)
[ -n "$ids" ] || { echo "FAIL: tlsdiag --list-findings printed no finding ids"; exit 1; }
diag=$(sed -n '/^\.SH DIAGNOSTICS/,/^\.SH EVENTS/p' "$man" | sed 's/\\-/-/g')
for id in $ids; do
	printf '%s\n' "$diag" | grep -q -- "\b$id\b" || { echo "FAIL: finding $id missing from the man page's DIAGNOSTICS"; fail=1; }
done
n=$(printf '%s\n' $longs | wc -l)
[ $fail = 0 ] && echo "options: all $n long options, short options '$shorts' and $(printf '%s\n' $ids | wc -l) finding ids documented"
exit $fail
