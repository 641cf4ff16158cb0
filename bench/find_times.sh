#!/usr/bin/env bash
# find_times.sh - how fast the fuzzer finds each historical bug: for every
# bug switch, TRIALS libFuzzer runs of fuzz_pmap (seeds 1..TRIALS, one
# process each, a fresh copy of the seed corpus each) with only that switch
# on, each stopped at its first finding or after SECONDS.  Prints per bug
# how many trials found something, the executions and seconds to the first
# finding (median, min and max over the trials that found one) and the
# titles found, marking a title whose invariant is not the one the bug
# catalogue expects.  A benchmark, not a test: it prints numbers and exits
# 0 whatever it finds; execution counts depend only on the seed (and the
# build), seconds on the machine too.
#
#	bench/find_times.sh [-n TRIALS] [-t SECONDS] [-j JOBS] [-c DIR|-e]
#	    FUZZ_PMAP [BUG...]
#
#   -n  trials per bug (default 5)       -t  budget per trial (default 60)
#   -j  trials run at once (default 1)   -c  seed corpus (default the
#   -e  start from an empty corpus           project's fuzz/corpus/fuzz_pmap)
# BUG...: switch names (default every switch of kind "bug" that
# `pmapfuzz list bugs` lists; pmapfuzz is taken from FUZZ_PMAP's directory).
# PMAPFUZZ_CHECKS, if set, reaches the target as it is: with only the
# expected invariant enabled a trial counts only that invariant's findings
# (a bug that also trips asserts or other invariants first, such as
# apt-intr-clobber, is then timed to the finding the catalogue names).
set -u

usage() {
	sed -n '13,24p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
}

here=$(cd "$(dirname "$0")/.." && pwd)
trials=5 budget=60 jobs=1 corpus=$here/fuzz/corpus/fuzz_pmap
while getopts n:t:j:c:e opt; do
	case $opt in
	n) trials=$OPTARG ;;
	t) budget=$OPTARG ;;
	j) jobs=$OPTARG ;;
	c) corpus=$OPTARG ;;
	e) corpus= ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ $# -ge 1 ] || usage
for v in "$trials" "$budget" "$jobs"; do
	case $v in '' | *[!0-9]* | 0) echo "$0: -n, -t and -j take a number > 0" >&2; exit 2 ;; esac
done
target=$1
shift
pmapfuzz=$(dirname "$target")/pmapfuzz
[ -x "$target" ] || { echo "$0: $target: no fuzz target (make build-fuzz)" >&2; exit 2; }
[ -x "$pmapfuzz" ] || { echo "$0: $pmapfuzz: missing beside the target" >&2; exit 2; }
[ -z "$corpus" ] || [ -d "$corpus" ] || { echo "$0: $corpus: no such corpus" >&2; exit 2; }

# name -> the invariant the catalogue expects ("bug" kind only by default).
catalogue=$("$pmapfuzz" list bugs) || exit 2
if [ $# -eq 0 ]; then
	set -- $(echo "$catalogue" | awk '$2 == "bug" { print $1 }')
fi
for bug in "$@"; do
	echo "$catalogue" | awk -v b="$bug" '$1 == b { f = 1 } END { exit !f }' ||
	    { echo "$0: unknown bug switch '$bug' (pmapfuzz list bugs)" >&2; exit 2; }
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM

# One trial: its result line "execs seconds title" ("- - -" if clean) in
# $work/<bug>.<seed>.
trial() {
	local bug=$1 seed=$2 dir=$work/$1.$2.d out t0 t1 execs title
	mkdir -p "$dir/corpus"
	[ -z "$corpus" ] || cp "$corpus"/* "$dir/corpus/" 2>/dev/null
	t0=$(date +%s.%N)
	PMAPFUZZ_BUGS=$bug ASAN_OPTIONS=${ASAN_OPTIONS:-}${ASAN_OPTIONS:+:}symbolize=0 \
	    timeout -k 5 $((budget + 60)) "$target" -seed="$seed" \
	    -max_total_time="$budget" -print_final_stats=1 \
	    -artifact_prefix="$dir/" "$dir/corpus" >"$dir/log" 2>&1
	t1=$(date +%s.%N)
	title=$(sed -n 's/^FINDING: //p' "$dir/log" | head -n 1)
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/log" | tail -n 1)
	if [ -n "$title" ]; then
		echo "${execs:-?} $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }') $title" >"$work/$bug.$seed"
	else
		echo "- - -" >"$work/$bug.$seed"
	fi
	rm -rf "$dir"
}

for bug in "$@"; do
	for seed in $(seq 1 "$trials"); do
		trial "$bug" "$seed" &
		while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do
			wait -n
		done
	done
done
wait

printf '%-21s %-20s %6s  %-24s %-20s %s\n' bug expects found \
    "execs: median (min-max)" "seconds: median" titles
for bug in "$@"; do
	want=$(echo "$catalogue" | awk -v b="$bug" '$1 == b { print $3 }')
	cat "$work/$bug".* | awk -v bug="$bug" -v want="$want" -v n="$trials" '
	function median(a, k,    i, j, t) {
		for (i = 2; i <= k; i++)
			for (j = i; j > 1 && a[j - 1] > a[j]; j--) {
				t = a[j]; a[j] = a[j - 1]; a[j - 1] = t
			}
		return k % 2 ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2
	}
	$1 != "-" {
		k++; ex[k] = $1; se[k] = $2
		t = $0; sub(/^[^ ]+ [^ ]+ /, "", t)
		inv = t; sub(/ .*/, "", inv)
		if (inv != want) t = t " [not " want "]"
		seen[t]++
	}
	END {
		ts = ""
		for (t in seen) ts = ts (ts == "" ? "" : "; ") t " x" seen[t]
		if (k == 0) {
			printf "%-21s %-20s %3d/%-2d  %-24s %-20s %s\n", bug, want, 0, n, "-", "-", "-"
			exit
		}
		lo = hi = ex[1]; slo = shi = se[1]
		for (i = 1; i <= k; i++) {
			if (ex[i] < lo) lo = ex[i]; if (ex[i] > hi) hi = ex[i]
			if (se[i] < slo) slo = se[i]; if (se[i] > shi) shi = se[i]
		}
		printf "%-21s %-20s %3d/%-2d  %-24s %-20s %s\n", bug, want, k, n,
		    sprintf("%d (%d-%d)", median(ex, k), lo, hi),
		    sprintf("%.1f (%.1f-%.1f)", median(se, k), slo, shi), ts
	}'
done
echo "budget ${budget} s per trial, seeds 1-${trials}, corpus: ${corpus:-empty}," \
    "checks: ${PMAPFUZZ_CHECKS:-all}"
