#!/usr/bin/env bash
# Builds and runs every test: installs missing Debian packages, then
#   1. a libFuzzer build of the RESP framers (clang, ASan+UBSan), run for a bounded count;
#   2. an ASan+UBSan build of the pure modules, running the unit and simulation tests;
#   3. the Release build with warnings as errors, running every test (unit, simulation,
#      integration against real redis-server / redis-sentinel processes).
# The last lines are CTest's summary for step 3.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
jobs=${JOBS:-2}

bash scripts/install-deps.sh

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

step "release: every test"
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DSP_WERROR=ON >/dev/null
cmake --build build -j"$jobs"
# Three tests at a time on two cores: the integration tests mostly wait on Sentinel's
# timers (and are run in a loop beside a second ctest to keep them free of flakes).
cd build && ctest --output-on-failure -j"${TEST_JOBS:-3}"
