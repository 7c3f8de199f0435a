// Layout encodings: they parse and print (as #blocked, #slice and #shared
// aliases), and every verifier error of theirs and of kdsl.convert_layout.
// RUN: kdsl-opt %s -split-input-file -verify-diagnostics | FileCheck %s

// CHECK: #[[$B:blocked]] = #kdsl.blocked<sizePerThread = [1, 4], threadsPerWarp = [2, 16], warpsPerCTA = [4, 1], order = [1, 0]>
// CHECK: #[[$M:shared]] = #kdsl.shared<order = [1, 0]>
// CHECK: #[[$S:slice]] = #kdsl.slice<dim = 1, parent = #[[$B]]>
// CHECK-LABEL: kdsl.kernel @roundtrip(
// CHECK: kdsl.convert_layout %{{.*}} : tensor<16x64xf32, #[[$B]]> -> tensor<16x64xf32, #[[$M]]>
// CHECK: kdsl.splat %{{.*}} : f32 -> tensor<16xf32, #[[$S]]>
kdsl.kernel @roundtrip(%f: f32) attributes {bindings = {}, num_stages = 2 : i32, num_warps = 4 : i32, param_names = ["f"]} {
  %x = kdsl.splat %f : f32 -> tensor<16x64xf32, #kdsl.blocked<sizePerThread = [1, 4], threadsPerWarp = [2, 16], warpsPerCTA = [4, 1], order = [1, 0]>>
  %s = kdsl.convert_layout %x : tensor<16x64xf32, #kdsl.blocked<sizePerThread = [1, 4], threadsPerWarp = [2, 16], warpsPerCTA = [4, 1], order = [1, 0]>> -> tensor<16x64xf32, #kdsl.shared<order = [1, 0]>>
  %r = kdsl.splat %f : f32 -> tensor<16xf32, #kdsl.slice<dim = 1, parent = #kdsl.blocked<sizePerThread = [1, 4], threadsPerWarp = [2, 16], warpsPerCTA = [4, 1], order = [1, 0]>>>
  kdsl.return
}

// -----

kdsl.kernel @lanes(%f: f32) attributes {param_names = ["f"]} {
  // expected-error @+1 {{blocked layout threadsPerWarp must multiply to 32, got 16}}
  %x = kdsl.splat %f : f32 -> tensor<16xf32, #kdsl.blocked<sizePerThread = [1], threadsPerWarp = [16], warpsPerCTA = [1], order = [0]>>
  kdsl.return
}

// -----

kdsl.kernel @not_pow2(%f: f32) attributes {param_names = ["f"]} {
  // expected-error @+1 {{blocked layout sizes must be powers of two, got 3}}
  %x = kdsl.splat %f : f32 -> tensor<16xf32, #kdsl.blocked<sizePerThread = [3], threadsPerWarp = [32], warpsPerCTA = [1], order = [0]>>
  kdsl.return
}

// -----

kdsl.kernel @order(%f: f32) attributes {param_names = ["f"]} {
  // expected-error @+1 {{blocked layout order must be a permutation of the dimensions}}
  %x = kdsl.splat %f : f32 -> tensor<4x8xf32, #kdsl.blocked<sizePerThread = [1, 1], threadsPerWarp = [4, 8], warpsPerCTA = [1, 1], order = [1, 1]>>
  kdsl.return
}

// -----

kdsl.kernel @ranks(%f: f32) attributes {param_names = ["f"]} {
  // expected-error @+1 {{blocked layout needs sizePerThread, threadsPerWarp, warpsPerCTA and order of one rank (at least 1)}}
  %x = kdsl.splat %f : f32 -> tensor<4x8xf32, #kdsl.blocked<sizePerThread = [1], threadsPerWarp = [4, 8], warpsPerCTA = [1, 1], order = [1, 0]>>
  kdsl.return
}

// -----

kdsl.kernel @block_rank(%f: f32) attributes {param_names = ["f"]} {
  // expected-error @+1 {{blocked layout of rank 2 on a block of rank 1}}
  %x = kdsl.splat %f : f32 -> tensor<32xf32, #kdsl.blocked<sizePerThread = [1, 1], threadsPerWarp = [4, 8], warpsPerCTA = [1, 1], order = [1, 0]>>
  kdsl.return
}

// -----

kdsl.kernel @slice_dim(%f: f32) attributes {param_names = ["f"]} {
  // expected-error @+1 {{slice dimension 2 needs a parent layout of a higher rank, at least 2}}
  %x = kdsl.splat %f : f32 -> tensor<32xf32, #kdsl.slice<dim = 2, parent = #kdsl.blocked<sizePerThread = [1, 1], threadsPerWarp = [4, 8], warpsPerCTA = [1, 1], order = [1, 0]>>>
  kdsl.return
}

// -----

kdsl.kernel @slice_rank(%f: f32) attributes {param_names = ["f"]} {
  // expected-error @+1 {{slice of a rank-2 layout on a block of rank 2}}
  %x = kdsl.splat %f : f32 -> tensor<4x8xf32, #kdsl.slice<dim = 0, parent = #kdsl.blocked<sizePerThread = [1, 1], threadsPerWarp = [4, 8], warpsPerCTA = [1, 1], order = [1, 0]>>>
  kdsl.return
}

// -----

kdsl.kernel @shared_order(%f: f32) attributes {param_names = ["f"]} {
  // expected-error @+1 {{shared layout order must be a permutation of the dimensions}}
  %x = kdsl.splat %f : f32 -> tensor<4x8xf32, #kdsl.shared<order = [0, 2]>>
  kdsl.return
}

// -----

kdsl.kernel @convert_shape(%f: f32) attributes {param_names = ["f"]} {
  %x = kdsl.splat %f : f32 -> tensor<4x8xf32>
  // expected-error @+1 {{convert_layout: changes the layout only: 'tensor<4x8xf32>' and 'tensor<8x4xf32, #kdsl.shared<order = [1, 0]>>' differ in shape or element type}}
  %y = kdsl.convert_layout %x : tensor<4x8xf32> -> tensor<8x4xf32, #kdsl.shared<order = [1, 0]>>
  kdsl.return
}
