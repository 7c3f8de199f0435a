#!/usr/bin/env bash
# Sets up a fresh machine, builds everything and runs every test.
# The fuzzer also runs (60 s) when CI is set or KDSL_FUZZ_SECONDS is given.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cmake -S . -B build -G Ninja >/dev/null
ninja -C build
if [ -n "${CI:-}" ] || [ -n "${KDSL_FUZZ_SECONDS:-}" ]; then
  bash scripts/fuzz.sh "${KDSL_FUZZ_SECONDS:-60}"
fi
set +e
ctest --test-dir build --output-on-failure 2>&1 | tee build/ctest-output.log
status=${PIPESTATUS[0]}
set -e
# The closing line: the counts (ctest lists the GPU tests it skipped after
# its own; lit runs as one ctest entry, its count is in ctest's log).
lit=$(grep -E '^ *Passed: [0-9]+' build/Testing/Temporary/LastTest.log | tail -1 | awk '{print $2}' || true)
summary=$(grep -E 'tests passed|tests failed' build/ctest-output.log | tail -1 || true)
echo "scripts/test.sh: ${summary:-ctest printed no summary}; lit: ${lit:-?} tests passed"
exit "$status"
