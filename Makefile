# pmapfuzz entry points.  The build itself is CMake (CMakeLists.txt,
# CMakePresets.json); this file only strings the presets together.
#
#   make            build the release preset: build/bin/pmapfuzz
#   make check      the test command: install missing Debian packages, then
#                   build and run ctest in the asan preset, then in release,
#                   then the OSS-Fuzz build check and the fuzzing gates
#   make fuzz       the main job: build the fuzz preset and run a libFuzzer
#                   campaign, build/fuzz/bin/pmapfuzz fuzz $(FUZZ_ARGS),
#                   e.g. make fuzz FUZZ_ARGS='--bugs kmem-litter --time 30'
#   make fuzz-afl   the same with AFL++ (afl preset, --engine afl)
#   make deps       only the package step of `make check`
#   make docs       regenerate the invariant catalogue in docs/invariants.md
#   make format     clang-format -i every .c/.h of the project
#   make clean      remove build/
#   make build-P    configure + build preset P (debug, release, asan, fuzz,
#                   afl, coverage); make test-P also runs its ctest

CMAKE ?= cmake
CTEST ?= ctest
CLANG_FORMAT ?= clang-format
JOBS ?= 2
# Options of `pmapfuzz fuzz` for make fuzz / make fuzz-afl (see
# pmapfuzz fuzz --help): --time, --jobs, --bugs, --checks, --out, ...
FUZZ_ARGS ?=
# What ctest does when a build has no test at all: error (fail) or ignore.
NO_TESTS ?= error

# Debian packages that `make check` needs (llvm: llvm-symbolizer for
# sanitizer stacks and llvm-cov/llvm-profdata; libclang-rt-14-dev: the ASan,
# UBSan and libFuzzer runtimes of clang 14).
DEB_PACKAGES ?= make cmake gcc libc6-dev clang llvm libclang-rt-14-dev \
	afl++ zip unzip

# Each preset builds in build/<preset>, except release, which builds in build/.
PRESETS := debug release asan fuzz fuzz-asan afl coverage

.PHONY: all check check-oss-fuzz check-gates deps docs fuzz fuzz-afl clean \
	format release \
	$(addprefix build-,$(PRESETS)) $(addprefix test-,$(PRESETS))

all: release

release: build-release

$(addprefix build-,$(PRESETS)): build-%:
	$(CMAKE) --preset $*
	$(CMAKE) --build --preset $* -j$(JOBS)

$(addprefix test-,$(PRESETS)): test-%: build-%
	$(CTEST) --preset $* -j$(JOBS) --output-on-failure --no-tests=$(NO_TESTS)

# Sequential on purpose: the release run comes last so that its ctest
# summary is the last thing printed; the first failure stops the rest.
check: deps
	$(MAKE) --no-print-directory test-asan
	$(MAKE) --no-print-directory test-release
	$(MAKE) --no-print-directory check-oss-fuzz
	$(MAKE) --no-print-directory check-gates

# OSS-Fuzz's build (libFuzzer + ASan variables) into a temporary OUT, each
# target run over its seed corpus.
check-oss-fuzz:
	bash fuzz/oss-fuzz/check.sh

# The fuzzing gates (fuzz/gates.sh): each seeded bug found from an empty
# corpus within GATE_TIME s, the fixed core clean for GATE_TIME s (and for
# ASAN_GATE_TIME s, default 30, under ASan + UBSan), AFL++ executes.
GATE_TIME ?= 60
check-gates: build-fuzz build-afl build-fuzz-asan
	GATE_TIME=$(GATE_TIME) bash fuzz/gates.sh build/fuzz/bin/pmapfuzz \
	    build/afl/bin/pmapfuzz build/fuzz-asan/bin/pmapfuzz

deps:
	@missing=""; \
	if ! command -v dpkg-query >/dev/null 2>&1; then \
		echo "deps: no dpkg-query (not Debian): install $(DEB_PACKAGES) yourself"; \
		exit 0; \
	fi; \
	for p in $(DEB_PACKAGES); do \
		dpkg-query -W -f='$${db:Status-Abbrev}' "$$p" 2>/dev/null | \
		    grep -q '^ii' || missing="$$missing $$p"; \
	done; \
	if [ -z "$$missing" ]; then \
		echo "deps: all present ($(DEB_PACKAGES))"; \
		exit 0; \
	fi; \
	if [ "$$(id -u)" != 0 ]; then \
		echo "deps: missing Debian packages; run:"; \
		echo "sudo apt-get install -y$$missing"; \
		exit 1; \
	fi; \
	echo "deps: installing$$missing"; \
	apt-get update && \
	DEBIAN_FRONTEND=noninteractive apt-get install -y$$missing

# A campaign: fuzz, then triage into out/findings (exit 1 if it found
# something).  The corpus grows in out/corpus; fuzz/corpus is only read.
fuzz: build-fuzz
	build/fuzz/bin/pmapfuzz fuzz $(FUZZ_ARGS)

fuzz-afl: build-afl
	build/afl/bin/pmapfuzz fuzz --engine afl $(FUZZ_ARGS)

# Regenerate the invariant catalogue in docs/invariants.md from inv_table.
docs: build-release
	sh docs/gen-catalogue.sh build/bin/pmapfuzz

format:
	find $(wildcard include src harness fuzz tests bench) -name '*.[ch]' -type f \
	    -exec $(CLANG_FORMAT) -i {} +

clean:
	rm -rf build
