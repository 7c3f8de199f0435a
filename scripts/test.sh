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
ctest --test-dir build --output-on-failure
