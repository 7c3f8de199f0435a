#!/usr/bin/env bash
# Compile time per variant, source to cubin: `kdslc --emit=cubin` on one
# config of each example (one process: parse, check, specialize, lower, NVPTX,
# ptxas), median of 5 runs, in milliseconds. Also the whole --emit=kpack of
# vector_add (every variant, generic and align16, sm_80 and sm_90a, on a
# thread pool) per variant. Run after building: bash bench/compile-time.sh
set -euo pipefail
cd "$(dirname "$0")/.."
kdslc=build/bin/kdslc
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
printf '%-20s %-18s %10s\n' example kernel ms/variant
for c in "${cases[@]}"; do
  read -r file kernel config <<<"$c"
  [ "$config" = "''" ] && config=""
  times=()
  for _ in 1 2 3 4 5; do
    start=$(date +%s%N)
    $kdslc examples/kernels/$file --kernel "$kernel" --emit=cubin ${config:+--config "$config"} -o /dev/null
    times+=($(( ($(date +%s%N) - start) / 1000000 )))
  done
  median=$(printf '%s\n' "${times[@]}" | sort -n | sed -n 3p)
  printf '%-20s %-18s %10s\n' "$file" "$kernel" "$median"
done
out=$($kdslc examples/kernels/vector_add.kdsl --emit=kpack -o /tmp/kdsl-compile-time.kpack 2>&1)
echo "$out"
rm -f /tmp/kdsl-compile-time.kpack
