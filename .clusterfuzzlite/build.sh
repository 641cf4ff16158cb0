#!/bin/bash -eu
# ClusterFuzzLite build: the same script OSS-Fuzz runs.
exec "$SRC/pmapfuzz/fuzz/oss-fuzz/build.sh"
