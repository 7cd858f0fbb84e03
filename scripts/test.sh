#!/usr/bin/env bash
# Builds and runs every test: installs missing Debian packages, then
#   1. the Release build with warnings as errors, running every test (unit, simulation,
#      integration against real redis-server / redis-sentinel processes);
#   2. from the start, beside it at nice 19 (scripts/sanitizer_tests.sh): a libFuzzer build
#      of the RESP framers and an ASan+UBSan build of the pure modules, with their tests.
#      The integration tests mostly wait on Sentinel's timers; the sanitized builds take
#      the CPU they leave idle instead of a quarter of an hour of their own.
# It fails when either fails. The side's log is printed after CTest's summary of step 1,
# and the last line says how both ended.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=${JOBS:-2}

bash scripts/install-deps.sh

started=$SECONDS
step() { printf '\n==> %s (at %d s)\n' "$*" $((SECONDS - started)); }

mkdir -p build
side_log=build/sanitizer_tests.log
step "fuzz and sanitizer builds and tests started at nice 19 (log: $side_log)"
# A process group of its own (set -m), stopped whole if this script ends first. Not a
# session of its own (setsid): the scheduler's autogroups would then share the CPU between
# the two sessions equally, whatever the nice value.
set -m
nice -n 19 bash scripts/sanitizer_tests.sh "$jobs" </dev/null >"$side_log" 2>&1 &
side=$!
set +m
trap 'kill -- -"$side" 2>/dev/null || true' EXIT

step "release: build"
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DSP_WERROR=ON >/dev/null
release_rc=0
cmake --build build -j"$jobs" || release_rc=$?

if [ "$release_rc" -eq 0 ]; then
  step "release: every test"
  # Three tests at a time on two cores: the integration tests mostly wait on Sentinel's
  # timers (and are run in a loop beside a second ctest to keep them free of flakes).
  (cd build && ctest --output-on-failure -j"${TEST_JOBS:-3}") || release_rc=$?
fi

step "waiting for the fuzz and sanitizer side"
side_rc=0
wait "$side" || side_rc=$?
trap - EXIT
cat "$side_log"

step "done"
echo "release build and tests: $([ "$release_rc" -eq 0 ] && echo passed || echo "FAILED ($release_rc)");" \
  "fuzz and sanitizers: $([ "$side_rc" -eq 0 ] && echo passed || echo "FAILED ($side_rc)")"
[ "$release_rc" -eq 0 ] && [ "$side_rc" -eq 0 ]
