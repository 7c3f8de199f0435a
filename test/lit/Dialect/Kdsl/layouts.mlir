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

// A swizzled shared layout prints its parameters (all three, perPhase = 1
// too) and parses back.
// RUN: kdsl-opt %s -split-input-file -verify-diagnostics -mlir-print-local-scope | kdsl-opt -split-input-file -mlir-print-local-scope \
// RUN:   | FileCheck %s --check-prefix=SWIZZLED
// SWIZZLED-LABEL: kdsl.kernel @swizzled(
// SWIZZLED: tensor<16x64xf16, #kdsl.shared<order = [1, 0], vec = 8, perPhase = 2, maxPhase = 4>>
// SWIZZLED: tensor<16x128xf16, #kdsl.shared<order = [1, 0], vec = 8, perPhase = 1, maxPhase = 8>>
kdsl.kernel @swizzled(%f: f16) attributes {param_names = ["f"]} {
  %x = kdsl.splat %f : f16 -> tensor<16x64xf16, #kdsl.shared<order = [1, 0], vec = 8, perPhase = 2, maxPhase = 4>>
  %y = kdsl.splat %f : f16 -> tensor<16x128xf16, #kdsl.shared<order = [1, 0], vec = 8, perPhase = 1, maxPhase = 8>>
  kdsl.return
}

// -----

kdsl.kernel @swizzle_power_of_two(%f: f16) attributes {param_names = ["f"]} {
  // expected-error @+1 {{shared layout perPhase must be a power of two, got 3}}
  %x = kdsl.splat %f : f16 -> tensor<16x64xf16, #kdsl.shared<order = [1, 0], vec = 8, perPhase = 3, maxPhase = 4>>
  kdsl.return
}

// -----

kdsl.kernel @swizzle_rank(%f: f16) attributes {param_names = ["f"]} {
  // expected-error @+1 {{only a 2-D shared layout can be swizzled}}
  %x = kdsl.splat %f : f16 -> tensor<4x16x64xf16, #kdsl.shared<order = [2, 1, 0], vec = 8, perPhase = 1, maxPhase = 4>>
  kdsl.return
}

// -----

kdsl.kernel @swizzle_row(%f: f16) attributes {param_names = ["f"]} {
  // expected-error @+1 {{a swizzled row of 16 elements does not hold 4 chunks of 8}}
  %x = kdsl.splat %f : f16 -> tensor<64x16xf16, #kdsl.shared<order = [1, 0], vec = 8, perPhase = 1, maxPhase = 4>>
  kdsl.return
}

// -----

kdsl.kernel @unswizzled_vec(%f: f16) attributes {param_names = ["f"]} {
  // expected-error @+1 {{an unswizzled shared layout (maxPhase = 1) takes no vec or perPhase}}
  %x = kdsl.splat %f : f16 -> tensor<16x64xf16, #kdsl.shared<order = [1, 0], vec = 8, perPhase = 2, maxPhase = 1>>
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
