// -convert-kdsl-to-gpu keeps a window of staged dot operands that a loop
// carries in a ring of shared buffers (see -kdsl-assign-layouts); a staged
// block carried in any other way is an error on the loop, never a crash.
// RUN: kdsl-opt %s -split-input-file -convert-kdsl-to-gpu -verify-diagnostics

#blocked = #kdsl.blocked<sizePerThread = [1, 1], threadsPerWarp = [8, 4], warpsPerCTA = [1, 1], order = [1, 0]>
#shared = #kdsl.shared<order = [1, 0]>
// The loop yields the block it started with: no copy of its body fills it.
kdsl.kernel @refilled_outside(%n: i32) attributes {bindings = {}, num_stages = 2 : i32, num_warps = 1 : i32, param_names = ["n"]} {
  %c0 = arith.constant 0 : i32
  %c1 = arith.constant 1 : i32
  %zero = arith.constant 0.0 : f16
  %z = kdsl.splat %zero : f16 -> tensor<16x16xf16, #blocked>
  %s = kdsl.convert_layout %z : tensor<16x16xf16, #blocked> -> tensor<16x16xf16, #shared>
  // expected-error @+1 {{'scf.for' op carries a block staged in shared memory that no convert_layout of its body fills}}
  %r = scf.for %i = %c0 to %n step %c1 iter_args(%w = %s) -> (tensor<16x16xf16, #shared>) : i32 {
    scf.yield %s : tensor<16x16xf16, #shared>
  }
  kdsl.return
}

// -----

#blocked = #kdsl.blocked<sizePerThread = [1, 1], threadsPerWarp = [8, 4], warpsPerCTA = [1, 1], order = [1, 0]>
#shared = #kdsl.shared<order = [1, 0]>
// Two windows start from the same staged block: one ring per block.
kdsl.kernel @shared_start(%n: i32) attributes {bindings = {}, num_stages = 2 : i32, num_warps = 1 : i32, param_names = ["n"]} {
  %c0 = arith.constant 0 : i32
  %c1 = arith.constant 1 : i32
  %zero = arith.constant 0.0 : f16
  %z = kdsl.splat %zero : f16 -> tensor<16x16xf16, #blocked>
  %s = kdsl.convert_layout %z : tensor<16x16xf16, #blocked> -> tensor<16x16xf16, #shared>
  // expected-error @+1 {{'scf.for' op carries a block staged in shared memory whose initial value no convert_layout of its own stages}}
  %r:2 = scf.for %i = %c0 to %n step %c1 iter_args(%w = %s, %v = %s) -> (tensor<16x16xf16, #shared>, tensor<16x16xf16, #shared>) : i32 {
    %a = kdsl.convert_layout %z : tensor<16x16xf16, #blocked> -> tensor<16x16xf16, #shared>
    %b = kdsl.convert_layout %z : tensor<16x16xf16, #blocked> -> tensor<16x16xf16, #shared>
    scf.yield %a, %b : tensor<16x16xf16, #shared>, tensor<16x16xf16, #shared>
  }
  kdsl.return
}
