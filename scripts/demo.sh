#!/usr/bin/env bash
# The main job: set up, build kdslc, compile examples/kernels/softmax.kdsl and
# print its kdsl IR (the generic kernel, then the variant for n_cols = 1000).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cmake -S . -B build -G Ninja >/dev/null
ninja -C build kdslc >/dev/null
echo "== generic kernel: build/bin/kdslc examples/kernels/softmax.kdsl --emit=kdsl"
build/bin/kdslc examples/kernels/softmax.kdsl --emit=kdsl
echo "== variant: --config n_cols=1000,num_warps=4"
build/bin/kdslc examples/kernels/softmax.kdsl --emit=kdsl --config n_cols=1000,num_warps=4
