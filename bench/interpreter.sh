#!/usr/bin/env bash
# Times `kdslc run` on the interpreter (compile + specialize + run + save) for
# the sizes of issue 3: matmul 256^3, softmax and layer norm 1024x1024,
# vector add 2^24. A benchmark that prints figures, not a test.
# Usage: bench/interpreter.sh [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
bin=$build/bin
dir=$build/bench-interp
mkdir -p "$dir"
k=examples/kernels
now() { date +%s.%N; }
timeit() {
  local name=$1; shift
  local t0 t1
  t0=$(now)
  "$@" 2>/dev/null
  t1=$(now)
  printf '%-34s %8.3f s\n' "$name" "$(echo "$t1 - $t0" | bc -l)"
}
$bin/kdsl-npy make $dir/a.npy --dtype f16 --shape 256,256 --random 1
$bin/kdsl-npy make $dir/b.npy --dtype f16 --shape 256,256 --random 2
$bin/kdsl-npy make $dir/c.npy --shape 256,256 --fill 0
$bin/kdsl-npy make $dir/x2.npy --shape 1024,1024 --random 3
$bin/kdsl-npy make $dir/y2.npy --shape 1024,1024 --fill 0
$bin/kdsl-npy make $dir/w.npy --shape 1024 --random 4
$bin/kdsl-npy make $dir/bias.npy --shape 1024 --random 5
n=$((1 << 24))
$bin/kdsl-npy make $dir/vx.npy --shape $n --random 6
$bin/kdsl-npy make $dir/vy.npy --shape $n --random 7
$bin/kdsl-npy make $dir/vo.npy --shape $n --fill 0
echo "kdslc run on the interpreter, $(nproc) cores, $(date -u +%F)"
timeit "matmul M=N=K=256 (f16, 64x64x32)" $bin/kdslc run $k/matmul.kdsl \
  --kernel matmul --config BM=64,BN=64,BK=32 a=@$dir/a.npy b=@$dir/b.npy \
  c=@$dir/c.npy M=256 N=256 K=256 sam=256 sak=1 sbk=256 sbn=1 scm=256 scn=1
timeit "softmax 1024x1024" $bin/kdslc run $k/softmax.kdsl --kernel softmax \
  out=@$dir/y2.npy inp=@$dir/x2.npy n_rows=1024 n_cols=1024 stride=1024
timeit "layer_norm 1024x1024" $bin/kdslc run $k/layer_norm.kdsl \
  --kernel layer_norm x=@$dir/x2.npy y=@$dir/y2.npy w=@$dir/w.npy \
  b=@$dir/bias.npy n_rows=1024 n_cols=1024 stride=1024 eps=1e-5
timeit "vector_add 2^24 (BLOCK=2048)" $bin/kdslc run $k/vector_add.kdsl \
  --kernel vector_add --config BLOCK=2048 x=@$dir/vx.npy y=@$dir/vy.npy \
  out=@$dir/vo.npy n=$n
