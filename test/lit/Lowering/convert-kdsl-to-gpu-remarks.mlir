// -convert-kdsl-to-gpu{remarks=true}: a remark at each block load, store and
// reduction saying how it was lowered.
// RUN: kdsl-opt %s -kdsl-assign-layouts -convert-kdsl-to-gpu="assume-aligned=true remarks=true" -verify-diagnostics -o /dev/null
// RUN: kdsl-opt %s -kdsl-assign-layouts -convert-kdsl-to-gpu="remarks=true" -o /dev/null 2>&1 | FileCheck %s --check-prefix=GENERIC
// Without the option, no remark.
// RUN: kdsl-opt %s -kdsl-assign-layouts -convert-kdsl-to-gpu -o /dev/null 2>&1 | not grep "remark:"

// Without the align16 assumption:
// GENERIC: load of f32[512]: 32-bit accesses, 4 per thread, not 128-bit: the addresses are known aligned to only 4 bytes
kdsl.kernel @copy_and_sum(%x: !kdsl.ptr<f32>, %y: !kdsl.ptr<f32>, %total: !kdsl.ptr<f32>) attributes {bindings = {}, num_stages = 2 : i32, num_warps = 4 : i32, param_names = ["x", "y", "total"]} {
  %c0 = arith.constant 0 : i32
  %c512 = arith.constant 512 : i32
  %offs = kdsl.arange %c0, %c512 : tensor<512xi32>
  %xs = kdsl.splat %x : !kdsl.ptr<f32> -> tensor<512x!kdsl.ptr<f32>>
  %xp = kdsl.addptr %xs, %offs : tensor<512x!kdsl.ptr<f32>>, tensor<512xi32>
  // expected-remark @below {{load of f32[512]: 128-bit accesses (4 x f32), 1 per thread}}
  %v = kdsl.load %xp : tensor<512x!kdsl.ptr<f32>> -> tensor<512xf32>
  %ys = kdsl.splat %y : !kdsl.ptr<f32> -> tensor<512x!kdsl.ptr<f32>>
  %yp = kdsl.addptr %ys, %offs : tensor<512x!kdsl.ptr<f32>>, tensor<512xi32>
  // expected-remark @below {{store of f32[512]: 128-bit accesses (4 x f32), 1 per thread}}
  kdsl.store %yp, %v : tensor<512x!kdsl.ptr<f32>>, tensor<512xf32>
  // expected-remark @below {{sum of f32[512]: 4 elements per thread, 5 shuffle rounds, then across 4 warps through shared memory (64 bytes, 1 barrier)}}
  %s = kdsl.reduce sum %v {axis = 0 : i32} : tensor<512xf32> -> f32
  kdsl.store %total, %s : !kdsl.ptr<f32>, f32
  kdsl.return
}
