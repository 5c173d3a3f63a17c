#!/bin/sh
# options.sh - the man page documents exactly the options of the table (curl's rule: an option
# nobody can find does not exist), and a bad command line gets one line on stderr and exit 2.
#
# The options are read from `tlsdiag --help`, which src/options.c prints from
# its option table, and the finding ids from `tlsdiag --list-findings`: never
# from the C source.
set -u
srcdir=${srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
TLSDIAG=${TLSDIAG:-./tlsdiag}
help=$("$TLSDIAG" --help) || { echo "FAIL: --help exited non-zero"; exit 1; }
man="$srcdir/man/tlsdiag.1"
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
fail=0

# --help's option lines, "-r, --read FILE" or "    --duration SEC", as "r read" / "- duration"
printf '%s\n' "$help" | sed -n -E 's/^  (-([A-Za-z]), |    )--([a-z0-9-]+)([ [].*)?$/\2 \3/p' |
	sed 's/^ /- /' | LC_ALL=C sort >"$tmp/help"
# the man page's OPTIONS items (the line after each .TP), the same way
sed -n '/^\.SH OPTIONS/,/^\.SH /p' "$man" | awk 'prev == ".TP" { print } { prev = $0 }' | sed 's/\\-/-/g' |
	sed -n -E 's/^\.B[RI]? (-([A-Za-z]) ", " )?--([a-z0-9-]+).*/\2 \3/p' | sed 's/^ /- /' |
	LC_ALL=C sort >"$tmp/man"
n=$(wc -l <"$tmp/help")
[ "$n" -gt 20 ] || { echo "FAIL: read only $n options from tlsdiag --help"; exit 1; }
if ! diff -u "$tmp/help" "$tmp/man" >"$tmp/diff"; then
	echo "FAIL: the options of --help (-) and the man page's OPTIONS items (+) differ:"
	cat "$tmp/diff"
	fail=1
fi
# every option the SYNOPSIS and OPTIONS sections mention exists
mentioned=$(sed -n '/^\.SH SYNOPSIS/,/^\.SH DESCRIPTION/p; /^\.SH OPTIONS/,/^\.SH OUTPUT FORMAT/p' "$man" |
	sed 's/\\-/-/g' | grep -oE '(^|[ "(])--?[A-Za-z][a-z0-9-]*' | sed 's/^[ "(]//' | LC_ALL=C sort -u)
for o in $mentioned; do
	case $o in
	--*) grep -q -- " ${o#--}\$" "$tmp/help" ;;
	-?) grep -q -- "^${o#-} " "$tmp/help" ;;
	*) false ;;
	esac || { echo "FAIL: the man page mentions $o, which is not an option of tlsdiag --help"; fail=1; }
done

# every finding id of the rule catalogue is explained in DIAGNOSTICS
ids=$("$TLSDIAG" --list-findings | cut -f1)
[ -n "$ids" ] || { echo "FAIL: tlsdiag --list-findings printed no finding ids"; exit 1; }
diag=$(sed -n '/^\.SH DIAGNOSTICS/,/^\.SH EVENTS/p' "$man" | sed 's/\\-/-/g')
for id in $ids; do
	printf '%s\n' "$diag" | grep -q -- "\b$id\b" ||
		{ echo "FAIL: finding $id missing from the man page's DIAGNOSTICS"; fail=1; }
done

# a command line that cannot run: nothing on stdout, this one line on stderr, exit 2
bad() { # expected-stderr-line args...
	want=$1
	shift
	"$TLSDIAG" "$@" >"$tmp/out" 2>"$tmp/err"
	status=$?
	if [ $status != 2 ] || [ -s "$tmp/out" ] || [ "$(cat "$tmp/err")" != "$want" ]; then
		echo "FAIL: tlsdiag $*: exit $status (2 expected), stdout $(wc -c <"$tmp/out") bytes, stderr:"
		sed 's/^/  /' "$tmp/err"
		echo "  expected: $want"
		fail=1
	fi
	nbad=$((nbad + 1))
}
nbad=0
bad "tlsdiag: unrecognized option '--foo' (see tlsdiag --help)" --foo -r x.pcap
bad "tlsdiag: unrecognized option '--foo=1' (see tlsdiag --help)" -v --foo=1
bad "tlsdiag: invalid option -- 'x' (see tlsdiag --help)" -vx
bad "tlsdiag: option -r requires an argument (see tlsdiag --help)" -r
bad "tlsdiag: option '--read' requires an argument (see tlsdiag --help)" --read
bad "tlsdiag: option '--verbose' takes no argument (see tlsdiag --help)" --verbose=1
bad "tlsdiag: option '--ca' is ambiguous (--ca-file, --ca-path) (see tlsdiag --help)" --ca x
bad 'tlsdiag: -s: "x" is not a snapshot length (0-262144)' -s x
bad 'tlsdiag: -c: "0" is not a count (1 or more)' -c 0
bad 'tlsdiag: --memory-limit: "15" is not a number of MiB (16-1048576)' --memory-limit 15
bad 'tlsdiag: --at: "soon" is not a time (2026-01-31, 2026-01-31T12:00:00Z, @UNIXTIME, now)' --at soon
bad 'tlsdiag: --format: "xml" is not a format (text, json, jsonl, markdown, html, ecs, md)' --format xml
bad 'tlsdiag: --redact: "all" is not a choice (--redact or --redact=names)' --redact=all
bad "tlsdiag: -r and -i exclude each other: read files or capture live" -r x.pcap -i lo
bad "tlsdiag: --write-all goes with -w FILE" --write-all -r x.pcap
bad "tlsdiag: --key and --key-pass go with --check-bundle" --key k.pem -r x.pcap
bad "tlsdiag: --check-bundle checks files, not captures: leave out -r, -i and filters" --check-bundle c.pem tcp
bad 'tlsdiag: --hostname given twice ("a", "b"): it takes one value' --hostname a --hostname b -r x.pcap
bad 'tlsdiag: -i given twice ("lo", "eth0"): it takes one value' -i lo -i eth0
bad "tlsdiag: --client-ca-file and --client-ca-path judge client certificates in a capture: with --check-bundle, give the store with --ca-file" --check-bundle c.pem --client-ca-file ca.pem
# --help ends the parse where it stands: an error before it still counts
"$TLSDIAG" -h -s x >/dev/null 2>&1 || { echo "FAIL: tlsdiag -h -s x did not print the help"; fail=1; }

# The README's quick start (issue 13): its first command ends with the demo analysis, run as
# written there (braces and echo), with this tlsdiag: a `set -e` script must see success,
# and the diagnosis and the meaning of exit status 1 must still be shown.
demo=$(sed -n 's/^    sudo apt-get .* make && \({ .* }\)$/\1/p' "${srcdir:-.}/README.md" | head -1)
case $demo in
"{ "*"./tlsdiag "*) ;;
*) echo "FAIL: README's first quick-start command no longer ends with { ./tlsdiag ...; echo ...; }"; fail=1 ;;
esac
if [ -n "$demo" ]; then
	demo=$(printf '%s' "$demo" | sed 's| \./tlsdiag | "$TLSDIAG" |')
	out=$(cd "${srcdir:-.}" && TLSDIAG=$TLSDIAG sh -ec "$demo" 2>&1)
	rc=$?
	case $rc:$out in
	0:*"client-cert-empty"*"tlsdiag exit status 1 (1: the capture shows an error"*) ;;
	*) echo "FAIL: README's quick-start demo: exit $rc (want 0 under set -e), output: $(printf '%s' "$out" | tail -2)"; fail=1 ;;
	esac
fi

[ $fail = 0 ] && echo "options: all $n options of --help in the man page and back, $nbad bad command lines" \
	"refused in one line, $(printf '%s\n' $ids | wc -l) finding ids documented"
exit $fail
