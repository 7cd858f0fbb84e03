#!/usr/bin/env bash
# The sanitized half of the test command (scripts/test.sh runs it beside the release
# tests, at nice 19): a libFuzzer build of the RESP framers (clang, ASan+UBSan) run for a
# bounded count, then an ASan+UBSan build of the pure modules running the unit tests and
# 1 000 simulation scenarios. Usage: sanitizer_tests.sh [build jobs]
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=${1:-2}

started=$SECONDS
step() { printf '\n==> %s (at %d s)\n' "$*" $((SECONDS - started)); }

step "fuzz: parser_fuzz (clang, address+undefined)"
cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ \
  -DSP_FUZZ=ON -DSP_SANITIZE=address,undefined -DSP_BUILD_PROXY=OFF -DSP_BUILD_BENCH=OFF \
  -DSP_WERROR=ON >/dev/null
cmake --build build-fuzz -j"$jobs" --target parser_fuzz
(cd build-fuzz && ctest -L fuzz --output-on-failure)

step "sanitizers: unit and simulation tests (address+undefined)"
# -O1 -g1: half the compile time of -O2 -g, and still a stack with file and line.
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSP_SANITIZE=address,undefined \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1 -DNDEBUG" \
  -DSP_BUILD_PROXY=OFF -DSP_BUILD_BENCH=OFF -DSP_WERROR=ON >/dev/null
cmake --build build-asan -j"$jobs"
(cd build-asan && SP_SIM_SCENARIOS=1000 ctest -L 'unit|sim' --output-on-failure -j"$jobs")
