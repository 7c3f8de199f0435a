#!/usr/bin/env bash
# Builds the GPU checks in Release with SQLite and libstdc++ linked statically
# and stages them, with the bundles and the Python benchmarks, into
# build/device/ (git-ignored, well under 64 MiB). On the GPU machine:
#   bash build/device/run.sh OUTDIR
# See shared/design/GPU-CHECKS.md and README.md ("GPU checks").
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
build=$root/build-device
stage=$root/build/device

# The compiler, from the normal build, compiles the bundles here.
cmake -S . -B build -G Ninja >/dev/null
ninja -C build kdslc
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DKDSL_RUNTIME_SHARED=OFF -DKDSL_DEVICE_STATIC=ON >/dev/null
targets=(kdsl-runtime-tests kdsl-capi-test kdsl-embed kdsl-launch-bench
         kdsl-kernel-bench kdsl-launch kdsl-runtime-test-bundle)
ninja -C "$build" "${targets[@]}"

rm -rf "$stage"
mkdir -p "$stage/bin"
cp "$build/bin/kdsl-launch" "$stage/bin/"
for t in kdsl-runtime-tests kdsl-capi-test kdsl-embed kdsl-launch-bench kdsl-kernel-bench kdsl-launch; do
  [ -f "$stage/bin/$t" ] || cp "$build/test/runtime/$t" "$stage/bin/"
  strip "$stage/bin/$t"
  # Only the C library and the loader: libcuda is dlopen'ed at run time.
  if ldd "$stage/bin/$t" | grep -vE 'linux-vdso|libc\.so|libm\.so|libdl\.so|libpthread\.so|ld-linux|libgcc_s' | grep -q '=>'; then
    echo "pack.sh: $t needs more than libc:" >&2
    ldd "$stage/bin/$t" >&2
    exit 1
  fi
done
cp "$build/test/runtime/runtime_kernels.kpack" "$stage/"
cp bench/launch/triton_launch.py bench/kernels/torch_triton.py scripts/device/run.sh scripts/device/profile.sh \
   scripts/device/summary.py scripts/device/examples.py scripts/device/tune.sh "$stage/"

# A C program using a header from kdslc --emit=c-header, linked statically.
mkdir -p "$build/cheader"
build/bin/kdslc examples/kernels/vector_add.kdsl --emit=c-header -o "$build/cheader/vector_add.h"
cc -O2 -c test/runtime/CHeaderTest.c -I "$build/cheader" -I runtime/include -o "$build/cheader/test.o"
c++ -o "$stage/bin/kdsl-cheader-test" "$build/cheader/test.o" "$build/runtime/libkdslrt.a" \
  "$build/lib/Support/libkdsl_support.a" "$build/lib/Autotune/libkdsl_autotune.a" \
  /usr/lib/x86_64-linux-gnu/libsqlite3.a \
  -static-libstdc++ -static-libgcc -ldl -lpthread -lm
strip "$stage/bin/kdsl-cheader-test"

# Every example, compiled, with inputs and the interpreter's outputs.
/usr/bin/python3 scripts/device/examples.py prepare "$stage/examples" build/bin
# kpack DIR EXAMPLE [CONFIG]: an example's bundle in $stage/DIR.
kpack() {
  mkdir -p "$stage/$1"
  build/bin/kdslc "examples/kernels/$2.kdsl" --emit=kpack -o "$stage/$1/$2.kpack" \
    ${3:+--config "$3"}
}
# The benchmark's bundles.
kpack bench vector_add
kpack bench softmax 'BLOCK=1024|4096|16384,num_warps=4|8|16'
kpack bench layer_norm 'BLOCK=1024|4096,num_warps=4|8|16'
kpack bench softmax_rows 'n_cols=1024'
kpack bench layer_norm_rows 'n_cols=1024'
# Several long rows: where each thread still holds at most 64 elements.
kpack bench/4096 softmax_rows 'n_cols=4096,ROWS=2|4,num_warps=8|16'
kpack bench/4096 layer_norm_rows 'n_cols=4096,ROWS=2|4,num_warps=8|16'
# The tuning's bundles: every config of each space (tune.sh).
kpack tune vector_add
kpack tune softmax 'n_cols=4096'
kpack tune layer_norm 'n_cols=4096'
kpack tune softmax_rows 'n_cols=1024'
kpack tune layer_norm_rows 'n_cols=1024'
kpack tune matmul

# The device tool carries at most 64 MiB.
mib=$(du -sm "$stage" | cut -f1)
if [ "$mib" -gt 60 ]; then
  echo "pack.sh: build/device is $mib MiB, over the 60 MiB this script allows (the device tool carries 64 MiB)" >&2
  exit 1
fi
echo "pack.sh: staged $(du -sh "$stage" | cut -f1) in build/device:"
ls -la "$stage" "$stage/bin"
