// What -convert-kdsl-to-gpu cannot lower is an error on the op, never a
// crash.
// RUN: kdsl-opt %s -split-input-file -kdsl-assign-layouts -convert-kdsl-to-gpu -verify-diagnostics

// expected-error @+1 {{kernel 'generic' is not a variant; run -kdsl-specialize first}}
kdsl.kernel @generic(%x: !kdsl.ptr<f32>, %BLOCK: i32 {kdsl.constexpr}) attributes {param_names = ["x", "BLOCK"]} {
  kdsl.return
}

// -----

kdsl.kernel @asserting(%x: i32) attributes {bindings = {}, num_stages = 2 : i32, num_warps = 1 : i32, param_names = ["x"]} {
  %c0 = arith.constant 0 : i32
  %c = arith.cmpi slt, %x, %c0 : i32
  // expected-error @+1 {{'kdsl.static_assert' op is left after specialization (compile a variant)}}
  kdsl.static_assert %c, "x < 0"
  kdsl.return
}

// -----

kdsl.kernel @ramp(%x: !kdsl.ptr<f32>) attributes {bindings = {}, num_stages = 2 : i32, num_warps = 1 : i32, param_names = ["x"]} {
  %c0 = arith.constant 0 : i32
  %c4 = arith.constant 4 : i32
  %r = kdsl.arange %c0, %c4 : tensor<4xi32>
  %xs = kdsl.splat %x : !kdsl.ptr<f32> -> tensor<4x!kdsl.ptr<f32>>
  %p = kdsl.addptr %xs, %r : tensor<4x!kdsl.ptr<f32>>, tensor<4xi32>
  // expected-error @+1 {{'arith.constant' op with a non-splat block constant cannot be lowered}}
  %v = arith.constant dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>
  kdsl.store %p, %v : tensor<4x!kdsl.ptr<f32>>, tensor<4xf32>
  kdsl.return
}
