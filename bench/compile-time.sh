#!/usr/bin/env bash
# Compile time per variant, source to cubin: `kdslc --emit=cubin --timing` on
# one config of each example (one process: parse, check, specialize, lower,
# NVPTX, ptxas), median of 9 runs, in milliseconds:
#   process    the whole kdslc process, wall clock (what a user waits for);
#   compile    the same minus process start and exit (kdslc's --timing
#              total: what each further variant costs inside --emit=kpack
#              or a tuning sweep), and of that
#   llvm+nvptx MLIR to LLVM IR, libdevice, LLVM O3 and the NVPTX back end;
#   ptxas      the ptxas process.
# Also the whole --emit=kpack of vector_add (every config, each generic,
# align16 and div16, sm_80 and sm_90a, on a thread pool). Run after building:
#   bash bench/compile-time.sh [BUILD_DIR]    (default build/)
set -euo pipefail
cd "$(dirname "$0")/.."
kdslc=${1:-build}/bin/kdslc
cases=(
  "vector_add.kdsl vector_add BLOCK=1024,num_warps=4"
  "softmax.kdsl softmax n_cols=1000,num_warps=4"
  "layer_norm.kdsl layer_norm n_cols=1000,num_warps=4"
  "gelu.kdsl bias_gelu APPROX=true"
  "activations.kdsl activation ACT=4,GATED=true"
  "dropout.kdsl dropout BLOCK=1024,num_warps=4"
  "row_argmax.kdsl row_argmax BLOCK=1024,num_warps=4"
  "col_mean.kdsl col_mean ''"
  "histogram.kdsl histogram ''"
  "transpose.kdsl transpose ''"
  "rope.kdsl rope HALF=32"
  "matmul.kdsl matmul BM=64,BN=64,BK=32,num_warps=4"
  "attention_scores.kdsl attention_scores D=64,CAUSAL=true,BM=32,BN=32,num_warps=4"
)
printf '%-22s %-17s %8s %8s %11s %6s\n' example kernel process compile llvm+nvptx ptxas
median() { printf '%s\n' "$@" | sort -n | sed -n 5p; }
ms() { awk -v name="$1" '$0 ~ name"$" { printf "%d", $1 * 1000 }' <<<"$2"; }
for c in "${cases[@]}"; do
  read -r file kernel config <<<"$c"
  [ "$config" = "''" ] && config=""
  wall=() total=() nvptx=() ptxas=()
  for _ in 1 2 3 4 5 6 7 8 9; do
    start=$(date +%s%N)
    report=$($kdslc examples/kernels/$file --kernel "$kernel" --emit=cubin \
      ${config:+--config "$config"} --timing -o /dev/null 2>&1)
    wall+=($(( ($(date +%s%N) - start) / 1000000 )))
    total+=("$(ms Total "$report")")
    nvptx+=("$(ms GpuModuleToBinaryPass "$report")")
    ptxas+=("$(ms ptxas "$report")")
  done
  printf '%-22s %-17s %8s %8s %11s %6s\n' "$file" "$kernel" "$(median "${wall[@]}")" \
    "$(median "${total[@]}")" "$(median "${nvptx[@]}")" "$(median "${ptxas[@]}")"
done
out=$($kdslc examples/kernels/vector_add.kdsl --emit=kpack -o /tmp/kdsl-compile-time.kpack 2>&1)
echo "$out"
rm -f /tmp/kdsl-compile-time.kpack
