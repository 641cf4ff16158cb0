#!/bin/sh
# roundtrip.sh - `pmapfuzz print` and `compile`: text -> binary -> text and
# binary -> text -> binary are exact, and both forms replay alike.
# Usage: sh roundtrip.sh PMAPFUZZ
set -u
pf=$1
fails=0
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1

# same NAME A B: files A and B must be byte for byte equal.
same() {
	if cmp -s "$2" "$3"; then
		echo "ok $1"
	else
		echo "FAIL $1: $2 and $3 differ"
		od -c "$2" | head -5
		od -c "$3" | head -5
		fails=$((fails + 1))
	fi
}

# A canonical trace without headers (a binary has none).
cat >canon.trace <<'TRACE'
config cpus=2 ps=1 mem=8192
map as=0 region=1 page=7 npages=3 prot=3 wired=1
fork parent=0 child=1
arm_intr_io_done n=4 site=3 buf=0
kmem_alloc kregion=1 page=0 npages=512 mode=2
touch as=1 region=1 page=8 access=1 cpu=1
TRACE
"$pf" compile canon.trace -o canon.bin 2>err || echo "compile failed"
"$pf" print canon.bin >back.trace 2>err || echo "print failed"
same text_to_binary_to_text_is_exact canon.trace back.trace
"$pf" compile back.trace -o back.bin 2>err
same binary_to_text_to_binary_is_exact canon.bin back.bin

# The docs' example in binary: header, then three 13-byte records.
printf '\000\001\000\000' >seed.bin
printf '\005\000\000\000\000\377\001\001\000\000\000\000\000' >>seed.bin
printf '\006\000\000\000\000\377\001\000\000\000\000\000\000' >>seed.bin
printf '\005\000\000\000\000\377\001\000\000\000\000\000\000' >>seed.bin
cat >seed.trace <<'TRACE'
config cpus=1 ps=1 mem=4096
kmem_alloc kregion=0 page=0 npages=512 mode=1
kmem_free kregion=0 page=0 npages=512
kmem_alloc kregion=0 page=0 npages=512 mode=0
TRACE
"$pf" print seed.bin >seed.out 2>err
same binary_prints_as_the_documented_text seed.trace seed.out
"$pf" compile seed.trace -o seed.out 2>err
same text_compiles_to_the_documented_binary seed.bin seed.out

# A trace keeps its headers through print.
{ printf '# name: x\n# expect: clean\n# bugs: kmem-litter\n'
  printf '# checks: all,-stale-pte\n'; cat seed.trace; } >hdr.trace
"$pf" print hdr.trace >hdr.out 2>err
same print_keeps_trace_headers hdr.trace hdr.out

# A non-canonical binary (out-of-range values, a trailing partial record)
# compiles to its canonical form, which prints the same.
printf '\005\003\007\011' >raw.bin
printf '\377\377\377\377\377\377\377\377\377\377\377\377\377\001\002' >>raw.bin
"$pf" compile raw.bin -o raw.canon 2>err
"$pf" print raw.bin >raw.t1 2>err
"$pf" print raw.canon >raw.t2 2>err
same noncanonical_binary_prints_like_its_canonical_form raw.t1 raw.t2

# Both forms of a program replay to the same outcome and hash.
"$pf" replay --bugs kmem-litter seed.trace | head -n 2 |
    sed 's/seed\.trace/FILE/' >r1
"$pf" replay --bugs kmem-litter seed.bin | head -n 2 |
    sed 's/seed\.bin/FILE/' >r2
same binary_and_text_replay_alike r1 r2

[ "$fails" -eq 0 ] || { echo "$fails failed"; exit 1; }
echo "all passed"
