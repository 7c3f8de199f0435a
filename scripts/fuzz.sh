#!/usr/bin/env bash
# Builds the fuzzers (clang 22, libFuzzer + ASan) in build-fuzz/ and runs them.
#
# Usage: scripts/fuzz.sh [SECONDS [TARGET...]]
#   TARGETs: compiler (the .kdsl front end and the lowering to PTX), npy (the
#   .npy reader), bundle (the .kpack reader and launch planning), tune-import
#   (tuning-cache CSV and JSON imports). With no TARGET, the compiler runs for
#   SECONDS (default 60) and each reader for a sixth of that (at least 10 s);
#   with TARGETs, each runs for SECONDS.
#
# Each target starts from its corpus in build-fuzz/corpus/TARGET: the seeds
# of test/fuzz/corpus/TARGET, inputs made by the tools of build/ (example
# kernels, .npy files of every dtype, small bundles, a tuning export), and
# whatever earlier runs found. A crash, or an input that runs longer than
# 60 s (compiler: legitimate kernels at the limits take up to ~25 s under
# ASan) or 10 s (readers), saves its input under build-fuzz/ and prints it
# in base64.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift || true
targets=("$@")
chosen=$#
bash scripts/setup.sh
cmake -S . -B build-fuzz -G Ninja -DKDSL_ENABLE_FUZZER=ON -DBUILD_TESTING=OFF \
  -DKDSL_RUNTIME_SHARED=OFF \
  -DCMAKE_C_COMPILER=/usr/lib/llvm-22/bin/clang \
  -DCMAKE_CXX_COMPILER=/usr/lib/llvm-22/bin/clang++ >/dev/null
all=(compiler npy bundle tune-import)
[ ${#targets[@]} -gt 0 ] || targets=("${all[@]}")
for t in "${targets[@]}"; do
  [[ " ${all[*]} " == *" $t "* ]] || { echo "fuzz: unknown target '$t' (${all[*]})"; exit 1; }
done
ninja -C build-fuzz $(printf 'kdsl-%s-fuzzer ' "${targets[@]}")

# Seeds made by this build's tools (ninja -C build has run: scripts/test.sh
# builds first).
make_seeds() {
  local corpus=build-fuzz/corpus tools=build/bin
  mkdir -p "$corpus"/{compiler,npy,bundle,tune-import}
  cp examples/kernels/*.kdsl test/lit/Frontend/*.kdsl test/kernels/*.kdsl \
    "$corpus/compiler/" 2>/dev/null || true
  for t in "${all[@]}"; do
    [ -d "test/fuzz/corpus/$t" ] && cp test/fuzz/corpus/"$t"/* "$corpus/$t/"
  done
  [ -x $tools/kdsl-npy ] && [ -x $tools/kdslc ] || {
    echo "fuzz: build/ has no kdslc and kdsl-npy; reader seeds are only test/fuzz/corpus's"
    return 0
  }
  for d in i8 i16 i32 i64 f16 bf16 f32 f64 u16; do
    $tools/kdsl-npy make "$corpus/npy/$d.npy" --dtype "$d" --shape 3,2 --range 0,1
  done
  $tools/kdsl-npy make "$corpus/npy/bool.npy" --dtype bool --shape 5 --fill 1
  $tools/kdsl-npy make "$corpus/npy/scalar.npy" --shape "" --fill 2.5
  $tools/kdsl-npy make "$corpus/npy/empty.npy" --shape 0,4
  # Bundles, packed into 512-byte pages so that mutations reach every table.
  $tools/kdslc test/lit/Limits/Inputs/many-variants.kdsl --emit=kpack \
    -o "$corpus/bundle/no-pointers.kpack" --config A=1,B=1 2>/dev/null
  $tools/kdslc examples/kernels/vector_add.kdsl --emit=kpack \
    -o "$corpus/bundle/vector-add.kpack" --config BLOCK=256,num_warps=4 2>/dev/null
  for b in "$corpus"/bundle/*.kpack; do
    sqlite3 "$b" 'PRAGMA page_size = 512; VACUUM;'
  done
  cp test/lit/Tune/Inputs/rows.csv "$corpus/tune-import/"
  rm -f build-fuzz/seed.db
  $tools/kdslc cache import test/lit/Tune/Inputs/rows.csv --db build-fuzz/seed.db >/dev/null
  $tools/kdslc cache export --db build-fuzz/seed.db -o "$corpus/tune-import/rows.json"
}
make_seeds

run() {
  local target=$1 time=$2 dict=test/fuzz/$1.dict
  local log=build-fuzz/fuzz-$target.log
  echo "fuzz: running the $target fuzzer for ${time}s"
  build-fuzz/bin/kdsl-"$target"-fuzzer build-fuzz/corpus/"$target" \
    $([ -f "$dict" ] && echo "-dict=$dict") \
    -max_total_time="$time" -max_len=$([ "$target" = bundle ] && echo 65536 || echo 4096) \
    -timeout=$([ "$target" = compiler ] && echo 60 || echo 10) -rss_limit_mb=4096 -print_final_stats=1 \
    -artifact_prefix=build-fuzz/"$target"- 2>"$log" || {
    # The report from its first line (where the stack is), then the input.
    grep -m1 -A45 'ERROR:' "$log" || tail -60 "$log"
    grep -E '^(MS:|artifact_prefix)' "$log" || true
    for f in build-fuzz/"$target"-{crash,leak,timeout,oom}-*; do
      [[ -f $f ]] && { echo "fuzz: the input, base64:"; base64 -w0 "$f"; echo; break; }
    done
    echo "fuzz: FAILED ($target; input saved under build-fuzz/)"
    return 1
  }
  grep -E "stat::number_of_executed_units|stat::peak_rss_mb" "$log" || true
  echo "fuzz: $target: no crash in ${time}s ($(ls build-fuzz/corpus/"$target" | wc -l) inputs in its corpus)"
}

status=0
for t in "${targets[@]}"; do
  time=$seconds
  if [ "$chosen" -eq 0 ] && [ "$t" != compiler ]; then
    time=$((seconds / 6 > 10 ? seconds / 6 : 10))
  fi
  run "$t" "$time" || status=1
done
exit $status
