#!/bin/sh
# run_fuzz.sh FUZZER SEED_CORPUS WORK_DIR [LIBFUZZER_FLAGS...]
# Runs FUZZER from a fresh copy of nothing (WORK_DIR receives the inputs it finds) plus the
# committed SEED_CORPUS, which is only read. Exit status: the fuzzer's (non-zero on a crash,
# a sanitizer report, a leak or a timeout).
set -eu
fuzzer=$1 seeds=$2 work=$3
shift 3
rm -rf "$work"
mkdir -p "$work/artifacts"
exec "$fuzzer" -seed=1 -max_len=8192 -timeout=20 -rss_limit_mb=2048 -print_final_stats=1 \
  -artifact_prefix="$work/artifacts/" "$@" "$work" "$seeds"
