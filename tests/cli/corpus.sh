#!/bin/sh
# corpus.sh - the checked-in fuzz corpora: every fuzz_pmap seed replays
# clean with no bug switch and with each seeded bug (no seed is a
# reproducer), is the compiled form of its text source in fuzz/seeds/, and
# together they use every op and every config value; every fuzz_trace seed
# parses.  Runs from the source tree (ctest's working directory).
# Usage: sh corpus.sh PMAPFUZZ
set -u
pf=$1
fails=0
corpus=fuzz/corpus/fuzz_pmap
seeds=fuzz/seeds/fuzz_pmap
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

fail() {
	echo "FAIL $1"
	fails=$((fails + 1))
}

n=0
for f in "$corpus"/*; do
	[ -e "$f" ] || continue
	n=$((n + 1))
	name=$(basename "$f" .bin)
	for bugs in '' kmem-litter apt-intr-clobber; do
		if "$pf" replay --bugs "$bugs" "$f" >"$tmp/out" 2>&1; then
			:
		else
			fail "replay_clean $name (bugs '$bugs'): $(head -n 1 "$tmp/out")"
		fi
	done
	if [ ! -f "$seeds/$name.trace" ]; then
		fail "has_source $name: no $seeds/$name.trace"
	elif ! "$pf" compile "$seeds/$name.trace" -o "$tmp/c.bin" 2>"$tmp/err" ||
	    ! cmp -s "$tmp/c.bin" "$f"; then
		fail "matches_source $name: run sh fuzz/seeds/compile.sh PMAPFUZZ"
	fi
	"$pf" print "$f" >>"$tmp/all.trace" 2>"$tmp/err" ||
	    fail "prints $name: $(cat "$tmp/err")"
done
[ "$n" -ge 10 ] && echo "ok corpus_has_seeds ($n)" ||
    fail "corpus_has_seeds: only $n in $corpus"
for t in "$seeds"/*.trace; do
	[ -e "$corpus/$(basename "$t" .trace).bin" ] ||
	    fail "source_compiled $(basename "$t"): no binary in $corpus"
done

# Every op of the language appears in some seed.
"$pf" list ops | awk '/^ *[0-9]+ /{print $2}' >"$tmp/ops"
[ -s "$tmp/ops" ] || fail "list_ops: no ops listed"
missing=""
while read -r op; do
	grep -q "^$op " "$tmp/all.trace" || missing="$missing $op"
done <"$tmp/ops"
[ -z "$missing" ] && echo "ok every_op_is_covered ($(wc -l <"$tmp/ops"))" ||
    fail "every_op_is_covered: missing$missing"

# Every value of every config axis appears in some seed.
missing=""
for kv in cpus=1 cpus=2 cpus=3 cpus=4 ps=0 ps=1 mem=4096 mem=8192 \
    mem=16384; do
	grep -q "^config.* $kv\( \|$\)" "$tmp/all.trace" ||
	    missing="$missing $kv"
done
[ -z "$missing" ] && echo "ok every_config_value_is_covered" ||
    fail "every_config_value_is_covered: missing$missing"

# The text corpus parses.
m=0
for f in fuzz/corpus/fuzz_trace/*; do
	[ -e "$f" ] || continue
	m=$((m + 1))
	"$pf" print --format text "$f" >/dev/null 2>"$tmp/err" ||
	    fail "trace_parses $(basename "$f"): $(cat "$tmp/err")"
done
[ "$m" -ge 1 ] && echo "ok trace_corpus_parses ($m)" ||
    fail "trace_corpus_parses: no seeds in fuzz/corpus/fuzz_trace"

# The dictionary of fuzz_trace names every op.
missing=""
while read -r op; do
	grep -q "=\"$op \"$" fuzz/fuzz_trace.dict || missing="$missing $op"
done <"$tmp/ops"
[ -z "$missing" ] && echo "ok dict_has_every_op" ||
    fail "dict_has_every_op: missing$missing"

# fuzz_pmap's max_len is the size of the longest program (64 ops).
{ echo "config cpus=1 ps=0 mem=4096"
  i=0
  while [ $i -lt 64 ]; do echo "io_done buf=0"; i=$((i + 1)); done
} >"$tmp/long.trace"
"$pf" compile "$tmp/long.trace" -o "$tmp/long.bin" 2>"$tmp/err"
want=$(wc -c <"$tmp/long.bin" | tr -d ' ')
got=$(sed -n 's/^max_len *= *//p' fuzz/fuzz_pmap.options)
[ "$got" = "$want" ] && echo "ok pmap_max_len_is_the_longest_program" ||
    fail "pmap_max_len_is_the_longest_program: max_len $got, longest $want"

[ "$fails" -eq 0 ] || { echo "$fails failed"; exit 1; }
echo "all passed"
