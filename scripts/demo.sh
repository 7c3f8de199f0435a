#!/usr/bin/env bash
# The main job: set up, build, compile examples/kernels/softmax.kdsl to kdsl IR
# and PTX, then run it on random rows (kdslc run --backend auto: on the GPU when
# a CUDA driver is found, else on the interpreter) and show the result. Files go
# to build/demo/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cmake -S . -B build -G Ninja >/dev/null
ninja -C build kdslc kdsl-npy >/dev/null
bin=build/bin
kernel=examples/kernels/softmax.kdsl
echo "== the kdsl IR of $kernel, specialized for n_cols = 100"
$bin/kdslc "$kernel" --emit=kdsl --config n_cols=100
mkdir -p build/demo
$bin/kdslc "$kernel" --emit=ptx --config n_cols=100 -o build/demo/softmax.ptx
echo "== the start of its PTX for sm_90a (build/demo/softmax.ptx)"
head -n 24 build/demo/softmax.ptx
mkdir -p build/demo
$bin/kdsl-npy make build/demo/x.npy --shape 4,100 --random 7 --low -4 --high 4
$bin/kdsl-npy make build/demo/out.npy --shape 4,100 --fill nan
echo "== kdslc run $kernel --kernel softmax (4 rows of 100)"
$bin/kdslc run "$kernel" --kernel softmax out=@build/demo/out.npy \
  inp=@build/demo/x.npy n_rows=4 n_cols=100 stride=100 --save out=build/demo/out.npy
echo "== the first 16 inputs and probabilities of row 0"
$bin/kdsl-npy show build/demo/x.npy --limit 16
$bin/kdsl-npy show build/demo/out.npy --limit 16
