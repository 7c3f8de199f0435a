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

cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DKDSL_RUNTIME_SHARED=OFF -DKDSL_DEVICE_STATIC=ON >/dev/null
targets=(kdsl-runtime-tests kdsl-capi-test kdsl-embed kdsl-launch-bench
         kdsl-runtime-test-bundle)
ninja -C "$build" "${targets[@]}"

rm -rf "$stage"
mkdir -p "$stage/bin"
for t in kdsl-runtime-tests kdsl-capi-test kdsl-embed kdsl-launch-bench; do
  cp "$build/test/runtime/$t" "$stage/bin/"
  strip "$stage/bin/$t"
  # Only the C library and the loader: libcuda is dlopen'ed at run time.
  if ldd "$stage/bin/$t" | grep -vE 'linux-vdso|libc\.so|libm\.so|libdl\.so|libpthread\.so|ld-linux|libgcc_s' | grep -q '=>'; then
    echo "pack.sh: $t needs more than libc:" >&2
    ldd "$stage/bin/$t" >&2
    exit 1
  fi
done
cp "$build/test/runtime/runtime_kernels.kpack" "$stage/"
cp bench/launch/triton_launch.py scripts/device/run.sh scripts/device/summary.py "$stage/"
echo "pack.sh: staged $(du -sh "$stage" | cut -f1) in build/device:"
ls -la "$stage" "$stage/bin"
