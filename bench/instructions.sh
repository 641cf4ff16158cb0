#!/bin/sh
# instructions.sh BINDIR [CALLS [CORPUS]] - what checking costs, counted in
# instructions under callgrind instead of timed: the same on every run and
# whatever the machine's load, so changes of a few percent show (on a shared
# machine the timed ratios of bench_check and bench_fuzz -l move by more).
#
# For bench_check (BINDIR/bench_check, CALLS calls, default 200000) each
# mode alone (off, log, call, op), and for bench_fuzz (BINDIR/bench_fuzz,
# one pass over CORPUS, default the seed corpus) each check level (none,
# call, op), only LLVMFuzzerTestOneInput counted: the instructions and the
# ratio to the unchecked run.  Needs valgrind; takes about 30 seconds.
set -eu
[ $# -ge 1 ] || { echo "usage: $0 BINDIR [CALLS [CORPUS]]" >&2; exit 2; }
bin=$1
calls=${2:-200000}
corpus=${3:-}
command -v valgrind >/dev/null ||
	{ echo "$0: valgrind not found (apt-get install valgrind)" >&2; exit 2; }
for p in bench_check bench_fuzz; do
	[ -x "$bin/$p" ] || { echo "$0: no $bin/$p" >&2; exit 2; }
done
out=$(mktemp -d) || exit 1
trap 'rm -rf "$out"' EXIT

# collected FILE: the instruction count callgrind wrote to FILE.
collected() {
	awk '/^summary:/ { print $2 }' "$1"
}

# table TITLE BASE-LABEL LABEL COUNT ...: one line per label, with its
# count in millions and its ratio to the first.
table() {
	printf '%s\n' "$1"
	shift
	base=$2
	while [ $# -ge 2 ]; do
		awk -v l="$1" -v n="$2" -v b="$base" 'BEGIN {
			printf "  %-6s %10.1fM %6.3fx\n", l, n / 1e6, n / b }'
		shift 2
	done
}

set --
for mode in off log call op; do
	BENCH_ROUNDS=1 BENCH_NO_BASE=1 valgrind --tool=callgrind \
	    --callgrind-out-file="$out/check.$mode" \
	    "$bin/bench_check" "$calls" "$mode" >"$out/log" 2>&1 ||
		{ cat "$out/log" >&2; echo "$0: bench_check $mode failed" >&2; exit 1; }
	set -- "$@" "$mode" "$(collected "$out/check.$mode")"
done
table "bench_check $calls calls" "$@"

set --
for level in none call op; do
	valgrind --tool=callgrind --toggle-collect=LLVMFuzzerTestOneInput \
	    --callgrind-out-file="$out/fuzz.$level" \
	    "$bin/bench_fuzz" -t 0.0001 -l "$level" ${corpus:+"$corpus"} >"$out/log" 2>&1 ||
		{ cat "$out/log" >&2; echo "$0: bench_fuzz -l $level failed" >&2; exit 1; }
	set -- "$@" "$level" "$(collected "$out/fuzz.$level")"
done
table "bench_fuzz inputs (${corpus:-seed corpus})" "$@"
