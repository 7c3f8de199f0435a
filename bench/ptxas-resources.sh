#!/usr/bin/env bash
# Registers, spills and shared memory of every config of a kernel's
# @autotune space, for sm_80 and sm_90a (ptxas -v through kdslc --remarks),
# in one specialization (default unit: 16-byte cp.async copies where the
# strides allow). One line per config and arch, then the worst of each:
#   bash bench/ptxas-resources.sh [KDSL [KERNEL [SPECIALIZATION [BUILD_DIR]]]]
# (defaults: examples/kernels/matmul.kdsl, matmul, unit, build/). Constexprs
# outside the space go in KPACK_CONFIG, as --emit=kpack takes them:
#   KPACK_CONFIG='D=64|128,CAUSAL=false|true' bash bench/ptxas-resources.sh \
#     examples/kernels/flash_attention.kdsl flash_attention
# The static figures a session without a GPU can give.
set -euo pipefail
cd "$(dirname "$0")/.."
src=${1:-examples/kernels/matmul.kdsl}
kernel=${2:-matmul}
spec=${3:-unit}
kdslc=${4:-build}/bin/kdslc
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$kdslc" "$src" --kernel "$kernel" --emit=kpack -o "$tmp/all.kpack" \
  ${KPACK_CONFIG:+--config "$KPACK_CONFIG"} >/dev/null
sqlite3 "$tmp/all.kpack" \
  "SELECT config || ' ' || MAX(shared_bytes) FROM variants WHERE kernel = '$kernel' GROUP BY config ORDER BY config" \
  > "$tmp/configs"
printf '%-48s %-7s %9s %7s %12s\n' config arch registers spills shared_bytes
most=0 spilled=0 n=0
while read -r config shared; do
  for arch in sm_80 sm_90a; do
    line=$("$kdslc" "$src" --kernel "$kernel" --emit=cubin --arch "$arch" \
      --specialize="$spec" --config "$config" --remarks -o /dev/null 2>&1 |
      grep -m1 -E 'remark: kernel .*: [0-9]+ registers,' || true)
    regs=$(sed -E 's/.*: ([0-9]+) registers.*/\1/' <<<"$line")
    spill=$(sed -E 's/.* ([0-9]+) bytes spilled.*/\1/' <<<"$line")
    printf '%-48s %-7s %9s %7s %12s\n' "$config" "$arch" "$regs" "$spill" "$shared"
    n=$((n + 1))
    [ "$regs" -gt "$most" ] && most=$regs
    [ "$spill" -gt 0 ] && spilled=$((spilled + 1))
  done
done < "$tmp/configs"
echo "ptxas-resources: $n config x arch; at most $most registers; $spilled spill"
