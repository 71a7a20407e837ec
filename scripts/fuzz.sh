#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz with clang in ./build-fuzz and fuzzes each for
# ${FUZZ_SECONDS:-60} s (all targets, or those named: names open_options parse_size sem_command
# sysv_table). New inputs go to build-fuzz/fuzz-work/TARGET, crashes to
# build-fuzz/fuzz-crashes/TARGET/; the seed corpus in tests/fuzz/corpus is only read.
set -euo pipefail
cd "$(dirname "$0")/.."
targets=("$@")
((${#targets[@]})) || targets=(names open_options parse_size sem_command sysv_table)
cmake -S . -B build-fuzz -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ -DIPCFS_FUZZ=ON \
  >/dev/null
cmake --build build-fuzz -j2 --target "${targets[@]/#/fuzz_}"
cd build-fuzz
for t in "${targets[@]}"; do
  mkdir -p "fuzz-work/$t" "fuzz-crashes/$t"
  echo "fuzz: $t for ${FUZZ_SECONDS:-60} s"
  "./tests/fuzz/fuzz_$t" -max_total_time="${FUZZ_SECONDS:-60}" -print_final_stats=1 \
    -artifact_prefix="fuzz-crashes/$t/" "fuzz-work/$t" "../tests/fuzz/corpus/$t"
done
