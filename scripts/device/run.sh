#!/usr/bin/env bash
# The one entry point of the GPU checks, run on the GPU machine from the
# folder scripts/device/pack.sh staged:
#   bash build/device/run.sh OUTDIR
# Prints the GPU first, runs every GPU test, the fault tests in processes of
# their own, compute-sanitizer, and the launch-overhead benchmarks (kdsl, raw
# cuLaunchKernel, Triton), writes JSON and logs into OUTDIR and short tables
# last (the memory-bound kernels' also in OUTDIR/all/kernels.md). Exits
# non-zero when there is no GPU or any check fails.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
final=${1:?usage: run.sh OUTDIR}
# Everything goes to $final/all; it is also packed into results.tar.gz, since
# the device tool brings back at most 8 files.
out=$final/all
mkdir -p "$out"
exec > >(tee "$out/run.log") 2>&1
export PATH=$PATH:/usr/local/cuda/bin
bundle=$here/runtime_kernels.kpack
export KDSL_TEST_BUNDLE=$bundle
status=0
step() { echo; echo "== $*"; }
fail() { echo "run.sh: FAILED: $*"; status=1; }

step "GPU"
if ! command -v nvidia-smi >/dev/null || ! nvidia-smi; then
  echo "run.sh: no GPU on this machine (nvidia-smi is missing or failed)"
  exit 1
fi
nvidia-smi --query-gpu=name,driver_version,compute_cap,clocks.sm,clocks.max.sm,clocks.mem,power.draw,temperature.gpu \
  --format=csv | tee "$out/gpu.csv"

# On a GPU machine a skipped test is a failure: it would hide a missing driver.
no_skips() {
  python3 -c 'import json, sys
r = json.load(open(sys.argv[1]))
s = [t["name"] for x in r["testsuites"] for t in x["testsuite"] if t.get("result") == "SKIPPED"]
sys.exit("skipped: " + ", ".join(s) if s else 0)' "$1"
}
step "GPU tests (GoogleTest)"
"$here/bin/kdsl-runtime-tests" --gtest_output="json:$out/gpu-tests.json" \
  --gtest_filter='-GpuTest.IllegalAddress*:LaunchNoDriverTest.*' \
  && no_skips "$out/gpu-tests.json" || fail "kdsl-runtime-tests"

step "Illegal address, reported at synchronization (own process)"
KDSL_TEST_FAULTS=1 "$here/bin/kdsl-runtime-tests" \
  --gtest_filter='GpuTest.IllegalAddress*' --gtest_output="json:$out/fault.json" \
  && no_skips "$out/fault.json" || fail "fault test"
step "Illegal address, KDSL_LAUNCH_BLOCKING=1 (own process)"
KDSL_TEST_FAULTS=1 KDSL_LAUNCH_BLOCKING=1 "$here/bin/kdsl-runtime-tests" \
  --gtest_filter='GpuTest.IllegalAddress*' --gtest_output="json:$out/fault-blocking.json" \
  && no_skips "$out/fault-blocking.json" || fail "fault test, blocking"

step "C API"
"$here/bin/kdsl-capi-test" "$bundle" || fail "kdsl-capi-test"
step "A kernel through a header from kdslc --emit=c-header"
"$here/bin/kdsl-cheader-test" || fail "kdsl-cheader-test"
step "Embedding example"
"$here/bin/kdsl-embed" "$bundle" || fail "kdsl-embed"

step "compute-sanitizer memcheck"
if command -v compute-sanitizer >/dev/null; then
  compute-sanitizer --tool memcheck --error-exitcode 9 \
    "$here/bin/kdsl-embed" "$bundle" >"$out/memcheck.log" 2>&1 \
    || fail "memcheck on kdsl-embed"
  compute-sanitizer --tool memcheck --error-exitcode 9 \
    "$here/bin/kdsl-capi-test" "$bundle" >>"$out/memcheck.log" 2>&1 \
    || fail "memcheck on kdsl-capi-test"
  tail -n 3 "$out/memcheck.log"
else
  echo "compute-sanitizer not found"
fi

step "Every example on the GPU against the interpreter"
KDSL_EXAMPLES_JSON="$out/examples.json" python3 "$here/examples.py" check \
  "$here/examples" "$here/bin" || fail "examples"

step "compute-sanitizer memcheck on the examples (small sizes)"
if command -v compute-sanitizer >/dev/null; then
  KDSL_WRAP="compute-sanitizer --tool memcheck --error-exitcode 9" \
    python3 "$here/examples.py" check "$here/examples" "$here/bin" \
    vector_add softmax layer_norm row_argmax transpose matmul histogram \
    softmax_div16 layer_norm_div16 strided_sum atomic_tickets matmul_unit \
    >>"$out/memcheck.log" 2>&1 || fail "memcheck on the examples"
  tail -n 1 "$out/memcheck.log"
fi

step "Memory-bound kernels: kdsl"
"$here/bin/kdsl-kernel-bench" "$here/bench" "$out/kernels-kdsl.json" \
  || fail "kdsl-kernel-bench"
step "Memory-bound kernels: PyTorch and Triton"
PYTHONUNBUFFERED=1 timeout 300 python3 "$here/torch_triton.py" \
  "$out/kernels-torch-triton.json" || fail "torch_triton.py"

step "Launch overhead: kdsl and raw cuLaunchKernel"
"$here/bin/kdsl-launch-bench" "$bundle" "$out/launch-kdsl.json" \
  || fail "kdsl-launch-bench"
step "Launch overhead: Triton"
PYTHONUNBUFFERED=1 timeout 300 python3 "$here/triton_launch.py" \
  "$out/launch-triton.json" || fail "triton_launch.py"

step "Tuning: vector add, softmax, layer norm, matmul (tune.sh)"
bash "$here/tune.sh" "$out/tune" || fail "tune.sh"

step "Summary"
python3 "$here/summary.py" "$out" || fail "summary"
[ "$status" -eq 0 ] && echo "run.sh: all GPU checks passed" \
  || echo "run.sh: some GPU checks FAILED"
tar -C "$out" -czf "$final/results.tar.gz" .
exit "$status"
