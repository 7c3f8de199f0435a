#!/usr/bin/env bash
# Builds the compiler fuzzer (clang 22, libFuzzer + ASan) in build-fuzz/ and
# runs it for SECONDS (default 60), seeded with the example kernels.
# Usage: scripts/fuzz.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
bash scripts/setup.sh
cmake -S . -B build-fuzz -G Ninja -DKDSL_ENABLE_FUZZER=ON -DBUILD_TESTING=OFF \
  -DCMAKE_C_COMPILER=/usr/lib/llvm-22/bin/clang \
  -DCMAKE_CXX_COMPILER=/usr/lib/llvm-22/bin/clang++ >/dev/null
ninja -C build-fuzz kdsl-compiler-fuzzer
corpus=build-fuzz/corpus
mkdir -p "$corpus"
cp examples/kernels/*.kdsl test/lit/Frontend/*.kdsl "$corpus"/ 2>/dev/null || true
echo "fuzz: running the compiler fuzzer for ${seconds}s"
build-fuzz/bin/kdsl-compiler-fuzzer "$corpus" -dict=test/fuzz/kdsl.dict \
  -max_total_time="$seconds" -max_len=4096 -timeout=10 -rss_limit_mb=4096 \
  -print_final_stats=1 -artifact_prefix=build-fuzz/ 2>build-fuzz/fuzz.log ||
  {
    # The report from its first line (where the stack is), then the input.
    grep -m1 -A45 'ERROR:' build-fuzz/fuzz.log || tail -60 build-fuzz/fuzz.log
    grep -E '^(MS:|artifact_prefix)' build-fuzz/fuzz.log || true
    for f in build-fuzz/crash-* build-fuzz/leak-* build-fuzz/timeout-* build-fuzz/oom-*; do
      [[ -f $f ]] && { echo "fuzz: the input, base64:"; base64 -w0 "$f"; echo; break; }
    done
    echo "fuzz: FAILED (crash input saved under build-fuzz/)"
    exit 1
  }
grep -E "stat::number_of_executed_units|stat::peak_rss_mb" build-fuzz/fuzz.log || true
echo "fuzz: no crash in ${seconds}s"
