#!/usr/bin/env bash
# Installs the runtime into a scratch prefix, builds examples/embed against it
# with find_package(kdsl), and runs it. With no GPU the program must say that
# no CUDA driver was found and exit 1; with one it must print "ok".
# Usage: embed-test.sh BUILD_DIR EMBED_SOURCE_DIR BUNDLE
set -euo pipefail
build=$1 source=$2 bundle=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cmake --install "$build" --component runtime --prefix "$work/prefix" >/dev/null
cmake -S "$source" -B "$work/build" -G Ninja -DCMAKE_PREFIX_PATH="$work/prefix" >/dev/null
cmake --build "$work/build" >/dev/null
# The library links neither LLVM/MLIR nor libcuda.
if ldd "$work/prefix"/lib*/libkdslrt.so | grep -E 'libLLVM|libMLIR|libcuda'; then
  echo "FAIL: libkdslrt.so links LLVM, MLIR or libcuda" >&2
  exit 1
fi
set +e
output=$(LD_LIBRARY_PATH="$work/prefix/lib:${LD_LIBRARY_PATH:-}" "$work/build/kdsl-embed" "$bundle" 2>&1)
status=$?
set -e
echo "$output"
if grep -q "no CUDA driver found" <<<"$output"; then
  [ "$status" -eq 1 ] || { echo "FAIL: exit $status, expected 1" >&2; exit 1; }
  echo "PASS: no GPU here; the embedded runtime reported the missing driver"
else
  [ "$status" -eq 0 ] && grep -q "^ok:" <<<"$output" || { echo "FAIL: exit $status" >&2; exit 1; }
fi
