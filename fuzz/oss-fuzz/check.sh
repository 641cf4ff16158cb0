#!/bin/bash -eu
#
# check.sh - what `make check` does with the OSS-Fuzz build: run build.sh
# with the variables OSS-Fuzz sets for libFuzzer + AddressSanitizer into a
# temporary OUT, then run every produced target over its unpacked seed
# corpus (each input once) the way OSS-Fuzz's check_build does.  Exit
# non-zero if the build fails, a target is missing its corpus, or an input
# crashes.

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

export CC=clang CXX=clang++
export CFLAGS="-O1 -fno-omit-frame-pointer -gline-tables-only \
-DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION -fsanitize=address \
-fsanitize-address-use-after-scope -fsanitize=fuzzer-no-link"
export CXXFLAGS="$CFLAGS"
export LIB_FUZZING_ENGINE=-fsanitize=fuzzer
export OUT=$tmp/out WORK=$tmp/work SRC_ROOT=$root
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1

"$root/fuzz/oss-fuzz/build.sh"

unzip_to() { # unzip_to ZIP DIR
	mkdir -p "$2"
	if command -v unzip >/dev/null 2>&1; then
		unzip -q "$1" -d "$2"
	else
		python3 -m zipfile -e "$1" "$2"
	fi
}

status=0
ntargets=0
for target in "$OUT"/fuzz_*; do
	name=$(basename "$target")
	case "$name" in *.*) continue ;; esac # .dict, .options, .zip
	zip=$OUT/${name}_seed_corpus.zip
	if [ ! -f "$zip" ]; then
		echo "oss-fuzz check: $name has no seed corpus ($zip)" >&2
		status=1
		continue
	fi
	ntargets=$((ntargets + 1))
	unzip_to "$zip" "$tmp/corpus/$name"
	mapfile -t inputs < <(find "$tmp/corpus/$name" -type f | sort)
	if "$target" "${inputs[@]}" >"$tmp/$name.log" 2>&1; then
		echo "oss-fuzz check: $name ran ${#inputs[@]} seed inputs clean"
	else
		echo "oss-fuzz check: $name failed on its seed corpus:" >&2
		tail -30 "$tmp/$name.log" >&2
		status=1
	fi
done
if [ "$ntargets" = 0 ]; then
	echo "oss-fuzz check: build.sh produced no target with a corpus" >&2
	status=1
fi
exit $status
