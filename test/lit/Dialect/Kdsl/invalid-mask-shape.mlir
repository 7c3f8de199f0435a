// A mask whose shape differs from the pointers' gets one error naming both.
// RUN: kdsl-opt %s -split-input-file -verify-diagnostics

kdsl.kernel @load_mask_shape(%p: !kdsl.ptr<f32>) attributes {param_names = ["p"]} {
  %ptrs = kdsl.splat %p : !kdsl.ptr<f32> -> tensor<64x!kdsl.ptr<f32>>
  %m = arith.constant dense<true> : tensor<32xi1>
  // expected-error-re @+1 {{load: mask {{.*}}[32]{{.*}}[64]}}
  %0 = kdsl.load %ptrs mask %m : tensor<64x!kdsl.ptr<f32>>, tensor<32xi1> -> tensor<64xf32>
  kdsl.return
}

// -----

kdsl.kernel @store_mask_shape(%p: !kdsl.ptr<f32>, %x: f32) attributes {param_names = ["p", "x"]} {
  %ptrs = kdsl.splat %p : !kdsl.ptr<f32> -> tensor<4x16x!kdsl.ptr<f32>>
  %v = kdsl.splat %x : f32 -> tensor<4x16xf32>
  %m = arith.constant dense<true> : tensor<16x4xi1>
  // expected-error-re @+1 {{store: mask {{.*}}[16, 4]{{.*}}[4, 16]}}
  kdsl.store %ptrs, %v mask %m : tensor<4x16x!kdsl.ptr<f32>>, tensor<4x16xf32>, tensor<16x4xi1>
  kdsl.return
}
