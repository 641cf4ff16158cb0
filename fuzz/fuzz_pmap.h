/*
 * fuzz_pmap.h - fuzz_pmap.c's entry points for callers other than a fuzz
 * engine (bench_fuzz runs the target's own per-input path): libFuzzer's two
 * hooks, which the engines find by name, and the check level.
 */
#ifndef PMAPFUZZ_FUZZ_PMAP_H
#define PMAPFUZZ_FUZZ_PMAP_H

#include <stddef.h>
#include <stdint.h>

#include "exec.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * Not a libFuzzer hook: run every later input with the checks of level
 * (exec_checks) instead of every call and op, to measure what checking
 * costs on fuzz inputs.  Campaigns always check every call and op.
 */
void fuzz_pmap_set_level(enum exec_checks level);

#endif /* PMAPFUZZ_FUZZ_PMAP_H */
