#!/bin/sh
# compile.sh PMAPFUZZ - regenerate the binary seed corpus of fuzz_pmap from
# its text sources: fuzz/seeds/fuzz_pmap/X.trace -> fuzz/corpus/fuzz_pmap/X.bin
# (`pmapfuzz compile`, canonical binary form).  Run it after editing a seed;
# the ctest cli_corpus fails while the two disagree.
#
# The seeds must cover every op and every config value, and must not be
# reproducers of the seeded bugs: each replays clean with no bug switch,
# with kmem-litter and with apt-intr-clobber.  This script checks that too.
# Usage: sh fuzz/seeds/compile.sh build/bin/pmapfuzz
set -eu
pf=$1
root=$(cd "$(dirname "$0")/../.." && pwd)
src=$root/fuzz/seeds/fuzz_pmap
dst=$root/fuzz/corpus/fuzz_pmap

mkdir -p "$dst"
rm -f "$dst"/*.bin
for t in "$src"/*.trace; do
	name=$(basename "$t" .trace)
	"$pf" compile "$t" -o "$dst/$name.bin"
	for bugs in '' kmem-litter apt-intr-clobber; do
		if ! "$pf" replay --bugs "$bugs" "$dst/$name.bin" >/dev/null; then
			echo "$name: not clean with bugs '$bugs'" >&2
			exit 1
		fi
	done
done
echo "$(ls "$dst"/*.bin | wc -l) seeds in $dst"
