// Every verifier error of the kdsl dialect: ops, the kernel, attributes, types.
// RUN: kdsl-opt %s -split-input-file -verify-diagnostics

//===----------------------------------------------------------------------===//
// Grid queries
//===----------------------------------------------------------------------===//

kdsl.kernel @program_id_axis() attributes {param_names = []} {
  // expected-error @+1 {{program_id: axis must be 0, 1 or 2, got 3}}
  %0 = kdsl.program_id 3
  kdsl.return
}

// -----

kdsl.kernel @num_programs_axis() attributes {param_names = []} {
  // expected-error @+1 {{num_programs: axis must be 0, 1 or 2, got 7}}
  %0 = kdsl.num_programs 7
  kdsl.return
}

//===----------------------------------------------------------------------===//
// arange
//===----------------------------------------------------------------------===//

// -----

kdsl.kernel @arange_not_pow2() attributes {param_names = []} {
  %c0 = arith.constant 0 : i32
  %c100 = arith.constant 100 : i32
  // expected-error @+1 {{arange: length must be a positive power of two, got 100}}
  %0 = kdsl.arange %c0, %c100 : tensor<100xi32>
  kdsl.return
}

// -----

kdsl.kernel @arange_empty() attributes {param_names = []} {
  %c0 = arith.constant 0 : i32
  // expected-error @+1 {{arange: length must be a positive power of two, got 0}}
  %0 = kdsl.arange %c0, %c0 : tensor<0xi32>
  kdsl.return
}

// -----

kdsl.kernel @arange_mismatch() attributes {param_names = []} {
  %c0 = arith.constant 0 : i32
  %c64 = arith.constant 64 : i32
  // expected-error @+1 {{arange: range [0, 64) has 64 elements but the result has 128}}
  %0 = kdsl.arange %c0, %c64 : tensor<128xi32>
  kdsl.return
}

// -----

kdsl.kernel @arange_mismatch_offset() attributes {param_names = []} {
  %c16 = arith.constant 16 : i32
  %c64 = arith.constant 64 : i32
  // expected-error @+1 {{arange: range [16, 64) has 48 elements but the result has 64}}
  %0 = kdsl.arange %c16, %c64 : tensor<64xi32>
  kdsl.return
}

//===----------------------------------------------------------------------===//
// splat, broadcast, expand_dims, reshape, trans
//===----------------------------------------------------------------------===//

// -----

kdsl.kernel @splat_element_type(%x: f32) attributes {param_names = ["x"]} {
  // expected-error @+1 {{a scalar used as a block: splats a 'f32' into a block of 'i32'}}
  %0 = kdsl.splat %x : f32 -> tensor<64xi32>
  kdsl.return
}

// -----

kdsl.kernel @splat_missing_size(%x: f32) attributes {param_names = ["x"]} {
  // expected-error @+1 {{a scalar used as a block: expects 1 size operand(s), one per dynamic dimension of 'tensor<?x32xf32>', got 0}}
  %0 = kdsl.splat %x : f32 -> tensor<?x32xf32>
  kdsl.return
}

// -----

kdsl.kernel @splat_extra_size(%x: f32, %n: i32) attributes {param_names = ["x", "n"]} {
  // expected-error @+1 {{a scalar used as a block: expects 0 size operand(s), one per dynamic dimension of 'tensor<64x32xf32>', got 2}}
  %0 = kdsl.splat %x [%n, %n] : f32 -> tensor<64x32xf32>
  kdsl.return
}

// -----

kdsl.kernel @broadcast_element_type(%x: f32) attributes {param_names = ["x"]} {
  %0 = kdsl.splat %x : f32 -> tensor<1x32xf32>
  // expected-error @+1 {{broadcast: changes the element type from 'f32' to 'f16'}}
  %1 = kdsl.broadcast %0 : tensor<1x32xf32> -> tensor<64x32xf16>
  kdsl.return
}

// -----

kdsl.kernel @broadcast_rank(%x: f32) attributes {param_names = ["x"]} {
  %0 = kdsl.splat %x : f32 -> tensor<32xf32>
  // expected-error @+1 {{broadcast: source rank 1 differs from result rank 2}}
  %1 = kdsl.broadcast %0 : tensor<32xf32> -> tensor<64x32xf32>
  kdsl.return
}

// -----

kdsl.kernel @broadcast_dim(%x: f32) attributes {param_names = ["x"]} {
  %0 = kdsl.splat %x : f32 -> tensor<4x32xf32>
  // expected-error @+1 {{broadcast: cannot broadcast shape [4, 32] to [64, 32]: dimension 0 is 4, not 1 or 64}}
  %1 = kdsl.broadcast %0 : tensor<4x32xf32> -> tensor<64x32xf32>
  kdsl.return
}

// -----

kdsl.kernel @broadcast_sizes(%x: f32) attributes {param_names = ["x"]} {
  %0 = kdsl.splat %x : f32 -> tensor<1x32xf32>
  // expected-error @+1 {{broadcast: expects 1 size operand(s), one per dynamic dimension of 'tensor<?x32xf32>', got 0}}
  %1 = kdsl.broadcast %0 : tensor<1x32xf32> -> tensor<?x32xf32>
  kdsl.return
}

// -----

kdsl.kernel @expand_dims_axis(%x: f32) attributes {param_names = ["x"]} {
  %0 = kdsl.splat %x : f32 -> tensor<4x8xf32>
  // expected-error @+1 {{indexing with None: axis 3 is out of range for rank 2}}
  %1 = kdsl.expand_dims %0 {axis = 3 : i32} : tensor<4x8xf32> -> tensor<4x8x1xf32>
  kdsl.return
}

// -----

kdsl.kernel @expand_dims_shape(%x: i32) attributes {param_names = ["x"]} {
  %0 = kdsl.splat %x : i32 -> tensor<64xi32>
  // expected-error @+1 {{indexing with None: result must have shape [64, 1] and element type 'i32', got 'tensor<1x64xi32>'}}
  %1 = kdsl.expand_dims %0 {axis = 1 : i32} : tensor<64xi32> -> tensor<1x64xi32>
  kdsl.return
}

// -----

kdsl.kernel @expand_dims_element_type(%x: i32) attributes {param_names = ["x"]} {
  %0 = kdsl.splat %x : i32 -> tensor<64xi32>
  // expected-error @+1 {{indexing with None: result must have shape [1, 64] and element type 'i32', got 'tensor<1x64xi64>'}}
  %1 = kdsl.expand_dims %0 {axis = 0 : i32} : tensor<64xi32> -> tensor<1x64xi64>
  kdsl.return
}

// -----

kdsl.kernel @expand_dims_rank(%x: i32) attributes {param_names = ["x"]} {
  %0 = kdsl.splat %x : i32 -> tensor<2x4x8xi32>
  // expected-error @+1 {{indexing with None: blocks have rank 1 to 3, got 4}}
  %1 = kdsl.expand_dims %0 {axis = 0 : i32} : tensor<2x4x8xi32> -> tensor<1x2x4x8xi32>
  kdsl.return
}

// -----

kdsl.kernel @reshape_element_type(%x: f32) attributes {param_names = ["x"]} {
  %0 = kdsl.splat %x : f32 -> tensor<16x8xf32>
  // expected-error @+1 {{reshape: changes the element type from 'f32' to 'i32'}}
  %1 = kdsl.reshape %0 : tensor<16x8xf32> -> tensor<128xi32>
  kdsl.return
}

// -----

kdsl.kernel @reshape_count(%x: f32) attributes {param_names = ["x"]} {
  %0 = kdsl.splat %x : f32 -> tensor<16x8xf32>
  // expected-error @+1 {{reshape: cannot reshape [16, 8] (128 elements) to [64] (64 elements)}}
  %1 = kdsl.reshape %0 : tensor<16x8xf32> -> tensor<64xf32>
  kdsl.return
}

// -----

kdsl.kernel @reshape_sizes(%x: f32) attributes {param_names = ["x"]} {
  %0 = kdsl.splat %x : f32 -> tensor<16x8xf32>
  // expected-error @+1 {{reshape: expects 1 size operand(s), one per dynamic dimension of 'tensor<?xf32>', got 0}}
  %1 = kdsl.reshape %0 : tensor<16x8xf32> -> tensor<?xf32>
  kdsl.return
}

// -----

kdsl.kernel @trans_shape(%x: f16) attributes {param_names = ["x"]} {
  %0 = kdsl.splat %x : f16 -> tensor<64x32xf16>
  // expected-error @+1 {{trans: result must have shape [32, 64] and element type 'f16', got 'tensor<64x32xf16>'}}
  %1 = kdsl.trans %0 : tensor<64x32xf16> -> tensor<64x32xf16>
  kdsl.return
}

// -----

kdsl.kernel @trans_element_type(%x: f16) attributes {param_names = ["x"]} {
  %0 = kdsl.splat %x : f16 -> tensor<64x32xf16>
  // expected-error @+1 {{trans: result must have shape [32, 64] and element type 'f16', got 'tensor<32x64xf32>'}}
  %1 = kdsl.trans %0 : tensor<64x32xf16> -> tensor<32x64xf32>
  kdsl.return
}

//===----------------------------------------------------------------------===//
// addptr
//===----------------------------------------------------------------------===//

// -----

kdsl.kernel @addptr_scalar_and_block(%p: !kdsl.ptr<f32>) attributes {param_names = ["p"]} {
  %c0 = arith.constant 0 : i32
  %c64 = arith.constant 64 : i32
  %offs = kdsl.arange %c0, %c64 : tensor<64xi32>
  // expected-error @+1 {{pointer arithmetic: offset 'tensor<64xi32>' and pointer '!kdsl.ptr<f32>' must both be scalars or both be blocks}}
  %0 = kdsl.addptr %p, %offs : !kdsl.ptr<f32>, tensor<64xi32>
  kdsl.return
}

// -----

kdsl.kernel @addptr_shape(%p: !kdsl.ptr<f32>) attributes {param_names = ["p"]} {
  %c0 = arith.constant 0 : i32
  %c64 = arith.constant 64 : i32
  %offs = kdsl.arange %c0, %c64 : tensor<64xi32>
  %ptrs = kdsl.splat %p : !kdsl.ptr<f32> -> tensor<128x!kdsl.ptr<f32>>
  // expected-error @+1 {{pointer arithmetic: offset has shape [64] but pointer has shape [128]}}
  %0 = kdsl.addptr %ptrs, %offs : tensor<128x!kdsl.ptr<f32>>, tensor<64xi32>
  kdsl.return
}

//===----------------------------------------------------------------------===//
// load, store, atomic_add
//===----------------------------------------------------------------------===//

// -----

kdsl.kernel @load_element_type(%p: !kdsl.ptr<f32>) attributes {param_names = ["p"]} {
  // expected-error @+1 {{load: result element type 'f16' differs from the pointee type 'f32'}}
  %0 = kdsl.load %p : !kdsl.ptr<f32> -> f16
  kdsl.return
}

// -----

kdsl.kernel @load_shape(%p: !kdsl.ptr<f32>) attributes {param_names = ["p"]} {
  %ptrs = kdsl.splat %p : !kdsl.ptr<f32> -> tensor<128x!kdsl.ptr<f32>>
  // expected-error @+1 {{load: result has shape [64] but the pointers have shape [128]}}
  %0 = kdsl.load %ptrs : tensor<128x!kdsl.ptr<f32>> -> tensor<64xf32>
  kdsl.return
}

// -----

kdsl.kernel @load_scalar_from_block(%p: !kdsl.ptr<f32>) attributes {param_names = ["p"]} {
  %ptrs = kdsl.splat %p : !kdsl.ptr<f32> -> tensor<128x!kdsl.ptr<f32>>
  // expected-error @+1 {{load: result has shape [] but the pointers have shape [128]}}
  %0 = kdsl.load %ptrs : tensor<128x!kdsl.ptr<f32>> -> f32
  kdsl.return
}

// -----

kdsl.kernel @load_block_mask_on_scalar(%p: !kdsl.ptr<f32>, %x: i32) attributes {param_names = ["p", "x"]} {
  %m = kdsl.splat %x : i32 -> tensor<4xi32>
  %c = arith.trunci %m : tensor<4xi32> to tensor<4xi1>
  // expected-error @+1 {{load: mask has shape [4] but the pointers have shape []}}
  %0 = kdsl.load %p mask %c : !kdsl.ptr<f32>, tensor<4xi1> -> f32
  kdsl.return
}

// -----

kdsl.kernel @load_other_type(%p: !kdsl.ptr<f32>, %o: f16) attributes {param_names = ["p", "o"]} {
  %true = arith.constant true
  // expected-error @+1 {{load: other has type 'f16' but the result has type 'f32'}}
  %0 = kdsl.load %p mask %true other %o : !kdsl.ptr<f32>, i1, f16 -> f32
  kdsl.return
}

// -----

kdsl.kernel @load_other_shape(%p: !kdsl.ptr<f32>, %o: f32) attributes {param_names = ["p", "o"]} {
  %ptrs = kdsl.splat %p : !kdsl.ptr<f32> -> tensor<64x!kdsl.ptr<f32>>
  %m = arith.constant dense<true> : tensor<64xi1>
  %ob = kdsl.splat %o : f32 -> tensor<32xf32>
  // expected-error @+1 {{load: other has type 'tensor<32xf32>' but the result has type 'tensor<64xf32>'}}
  %0 = kdsl.load %ptrs mask %m other %ob : tensor<64x!kdsl.ptr<f32>>, tensor<64xi1>, tensor<32xf32> -> tensor<64xf32>
  kdsl.return
}

// -----

kdsl.kernel @store_element_type(%p: !kdsl.ptr<f32>, %x: i32) attributes {param_names = ["p", "x"]} {
  // expected-error @+1 {{store: value element type 'i32' differs from the pointee type 'f32'}}
  kdsl.store %p, %x : !kdsl.ptr<f32>, i32
  kdsl.return
}

// -----

kdsl.kernel @store_shape(%p: !kdsl.ptr<f32>, %x: f32) attributes {param_names = ["p", "x"]} {
  %ptrs = kdsl.splat %p : !kdsl.ptr<f32> -> tensor<64x!kdsl.ptr<f32>>
  %v = kdsl.splat %x : f32 -> tensor<64x2xf32>
  // expected-error @+1 {{store: value has shape [64, 2] but the pointers have shape [64]}}
  kdsl.store %ptrs, %v : tensor<64x!kdsl.ptr<f32>>, tensor<64x2xf32>
  kdsl.return
}

// -----

kdsl.kernel @store_block_into_scalar(%p: !kdsl.ptr<f32>, %x: f32) attributes {param_names = ["p", "x"]} {
  %v = kdsl.splat %x : f32 -> tensor<64xf32>
  // expected-error @+1 {{store: value has shape [64] but the pointers have shape []}}
  kdsl.store %p, %v : !kdsl.ptr<f32>, tensor<64xf32>
  kdsl.return
}

// -----

kdsl.kernel @store_scalar_mask_on_block(%p: !kdsl.ptr<f32>, %x: f32) attributes {param_names = ["p", "x"]} {
  %ptrs = kdsl.splat %p : !kdsl.ptr<f32> -> tensor<64x!kdsl.ptr<f32>>
  %v = kdsl.splat %x : f32 -> tensor<64xf32>
  %true = arith.constant true
  // expected-error @+1 {{store: mask has shape [] but the pointers have shape [64]}}
  kdsl.store %ptrs, %v mask %true : tensor<64x!kdsl.ptr<f32>>, tensor<64xf32>, i1
  kdsl.return
}

// -----

kdsl.kernel @atomic_add_element_type(%p: !kdsl.ptr<i32>, %x: i64) attributes {param_names = ["p", "x"]} {
  // expected-error @+1 {{atomic_add: value element type 'i64' differs from the pointee type 'i32'}}
  %0 = kdsl.atomic_add %p, %x : !kdsl.ptr<i32>, i64
  kdsl.return
}

// -----

kdsl.kernel @atomic_add_i8(%p: !kdsl.ptr<i8>, %x: i8) attributes {param_names = ["p", "x"]} {
  // expected-error @+1 {{atomic_add: atomic_add supports i32, i64, f16, bf16, f32 and f64 elements, got 'i8'}}
  %0 = kdsl.atomic_add %p, %x : !kdsl.ptr<i8>, i8
  kdsl.return
}

// -----

kdsl.kernel @atomic_add_i1(%p: !kdsl.ptr<i1>, %x: i1) attributes {param_names = ["p", "x"]} {
  // expected-error @+1 {{atomic_add: atomic_add supports i32, i64, f16, bf16, f32 and f64 elements, got 'i1'}}
  %0 = kdsl.atomic_add %p, %x : !kdsl.ptr<i1>, i1
  kdsl.return
}

// -----

kdsl.kernel @atomic_add_i16(%p: !kdsl.ptr<i16>, %x: i16) attributes {param_names = ["p", "x"]} {
  %ptrs = kdsl.splat %p : !kdsl.ptr<i16> -> tensor<8x!kdsl.ptr<i16>>
  %v = kdsl.splat %x : i16 -> tensor<8xi16>
  // expected-error @+1 {{atomic_add: atomic_add supports i32, i64, f16, bf16, f32 and f64 elements, got 'i16'}}
  %0 = kdsl.atomic_add %ptrs, %v : tensor<8x!kdsl.ptr<i16>>, tensor<8xi16>
  kdsl.return
}

// -----

kdsl.kernel @atomic_add_shape(%p: !kdsl.ptr<f32>, %x: f32) attributes {param_names = ["p", "x"]} {
  %ptrs = kdsl.splat %p : !kdsl.ptr<f32> -> tensor<64x!kdsl.ptr<f32>>
  %v = kdsl.splat %x : f32 -> tensor<32xf32>
  // expected-error @+1 {{atomic_add: value has shape [32] but the pointers have shape [64]}}
  %0 = kdsl.atomic_add %ptrs, %v : tensor<64x!kdsl.ptr<f32>>, tensor<32xf32>
  kdsl.return
}

// -----

kdsl.kernel @atomic_add_scalar_mask_on_block(%p: !kdsl.ptr<f32>, %x: f32) attributes {param_names = ["p", "x"]} {
  %ptrs = kdsl.splat %p : !kdsl.ptr<f32> -> tensor<64x!kdsl.ptr<f32>>
  %v = kdsl.splat %x : f32 -> tensor<64xf32>
  %true = arith.constant true
  // expected-error @+1 {{atomic_add: mask has shape [] but the pointers have shape [64]}}
  %0 = kdsl.atomic_add %ptrs, %v mask %true : tensor<64x!kdsl.ptr<f32>>, tensor<64xf32>, i1
  kdsl.return
}

//===----------------------------------------------------------------------===//
// dot
//===----------------------------------------------------------------------===//

// -----

kdsl.kernel @dot_element_types(%a: f16, %b: bf16) attributes {param_names = ["a", "b"]} {
  %ta = kdsl.splat %a : f16 -> tensor<32x32xf16>
  %tb = kdsl.splat %b : bf16 -> tensor<32x32xbf16>
  %acc = arith.constant dense<0.0> : tensor<32x32xf32>
  // expected-error @+1 {{dot: operands have different element types: 'f16' and 'bf16'}}
  %0 = kdsl.dot %ta, %tb, %acc : tensor<32x32xf16>, tensor<32x32xbf16> -> tensor<32x32xf32>
  kdsl.return
}

// -----

kdsl.kernel @dot_inner(%a: f16) attributes {param_names = ["a"]} {
  %ta = kdsl.splat %a : f16 -> tensor<64x32xf16>
  %tb = kdsl.splat %a : f16 -> tensor<16x64xf16>
  %acc = arith.constant dense<0.0> : tensor<64x64xf32>
  // expected-error @+1 {{dot: cannot multiply [64, 32] by [16, 64]: inner dimensions differ}}
  %0 = kdsl.dot %ta, %tb, %acc : tensor<64x32xf16>, tensor<16x64xf16> -> tensor<64x64xf32>
  kdsl.return
}

// -----

kdsl.kernel @dot_result(%a: f16) attributes {param_names = ["a"]} {
  %ta = kdsl.splat %a : f16 -> tensor<64x32xf16>
  %tb = kdsl.splat %a : f16 -> tensor<32x64xf16>
  %acc = arith.constant dense<0.0> : tensor<64x32xf32>
  // expected-error @+1 {{dot: result must have shape [64, 64], got [64, 32]}}
  %0 = kdsl.dot %ta, %tb, %acc : tensor<64x32xf16>, tensor<32x64xf16> -> tensor<64x32xf32>
  kdsl.return
}

// -----

kdsl.kernel @dot_small_m(%a: f16) attributes {param_names = ["a"]} {
  %ta = kdsl.splat %a : f16 -> tensor<8x32xf16>
  %tb = kdsl.splat %a : f16 -> tensor<32x64xf16>
  %acc = arith.constant dense<0.0> : tensor<8x64xf32>
  // expected-error @+1 {{dot: M must be at least 16, got 8}}
  %0 = kdsl.dot %ta, %tb, %acc : tensor<8x32xf16>, tensor<32x64xf16> -> tensor<8x64xf32>
  kdsl.return
}

// -----

kdsl.kernel @dot_small_n(%a: f32) attributes {param_names = ["a"]} {
  %ta = kdsl.splat %a : f32 -> tensor<16x32xf32>
  %tb = kdsl.splat %a : f32 -> tensor<32x4xf32>
  %acc = arith.constant dense<0.0> : tensor<16x4xf32>
  // expected-error @+1 {{dot: N must be at least 16, got 4}}
  %0 = kdsl.dot %ta, %tb, %acc : tensor<16x32xf32>, tensor<32x4xf32> -> tensor<16x4xf32>
  kdsl.return
}

// -----

kdsl.kernel @dot_small_k(%a: bf16) attributes {param_names = ["a"]} {
  %ta = kdsl.splat %a : bf16 -> tensor<16x8xbf16>
  %tb = kdsl.splat %a : bf16 -> tensor<8x16xbf16>
  %acc = arith.constant dense<0.0> : tensor<16x16xf32>
  // expected-error @+1 {{dot: K must be at least 16, got 8}}
  %0 = kdsl.dot %ta, %tb, %acc : tensor<16x8xbf16>, tensor<8x16xbf16> -> tensor<16x16xf32>
  kdsl.return
}

//===----------------------------------------------------------------------===//
// reduce
//===----------------------------------------------------------------------===//

// -----

kdsl.kernel @reduce_axis(%x: f32) attributes {param_names = ["x"]} {
  %v = kdsl.splat %x : f32 -> tensor<128xf32>
  // expected-error @+1 {{sum: axis 1 is out of range for rank 1}}
  %0 = kdsl.reduce sum %v {axis = 1 : i32} : tensor<128xf32> -> f32
  kdsl.return
}

// -----

kdsl.kernel @reduce_pointers(%p: !kdsl.ptr<f32>) attributes {param_names = ["p"]} {
  %v = kdsl.splat %p : !kdsl.ptr<f32> -> tensor<128x!kdsl.ptr<f32>>
  // expected-error @+1 {{max: cannot reduce a block of pointers}}
  %0 = kdsl.reduce max %v {axis = 0 : i32} : tensor<128x!kdsl.ptr<f32>> -> !kdsl.ptr<f32>
  kdsl.return
}

// -----

kdsl.kernel @reduce_result_shape(%x: f32) attributes {param_names = ["x"]} {
  %v = kdsl.splat %x : f32 -> tensor<4x128xf32>
  // expected-error @+1 {{sum: result must be 'tensor<4xf32>', got 'tensor<128xf32>'}}
  %0 = kdsl.reduce sum %v {axis = 1 : i32} : tensor<4x128xf32> -> tensor<128xf32>
  kdsl.return
}

// -----

kdsl.kernel @reduce_result_block_for_scalar(%x: f32) attributes {param_names = ["x"]} {
  %v = kdsl.splat %x : f32 -> tensor<128xf32>
  // expected-error @+1 {{min: result must be 'f32', got 'tensor<1xf32>'}}
  %0 = kdsl.reduce min %v {axis = 0 : i32} : tensor<128xf32> -> tensor<1xf32>
  kdsl.return
}

// -----

kdsl.kernel @reduce_result_element_type(%x: f32) attributes {param_names = ["x"]} {
  %v = kdsl.splat %x : f32 -> tensor<4x128xf32>
  // expected-error @+1 {{max: result must be 'tensor<4xf32>', got 'tensor<4xf16>'}}
  %0 = kdsl.reduce max %v {axis = 1 : i32} : tensor<4x128xf32> -> tensor<4xf16>
  kdsl.return
}

// -----

kdsl.kernel @reduce_argmax_type(%x: f32) attributes {param_names = ["x"]} {
  %v = kdsl.splat %x : f32 -> tensor<4x128xf32>
  // expected-error @+1 {{argmax: result must be 'tensor<4xi32>', got 'tensor<4xf32>'}}
  %0 = kdsl.reduce argmax %v {axis = 1 : i32} : tensor<4x128xf32> -> tensor<4xf32>
  kdsl.return
}

// -----

kdsl.kernel @reduce_argmin_type(%x: f32) attributes {param_names = ["x"]} {
  %v = kdsl.splat %x : f32 -> tensor<128xf32>
  // expected-error @+1 {{argmin: result must be 'i32', got 'i64'}}
  %0 = kdsl.reduce argmin %v {axis = 0 : i32} : tensor<128xf32> -> i64
  kdsl.return
}

//===----------------------------------------------------------------------===//
// kernel: signature
//===----------------------------------------------------------------------===//

// -----

// expected-error @+1 {{kernel 'returns_value': kernels return nothing, but the type has 1 result(s)}}
kdsl.kernel @returns_value(%n: i32) -> i32 attributes {param_names = ["n"]} {
  kdsl.return
}

// -----

// expected-error @+1 {{kernel 'too_few_names': has 2 parameters but 1 parameter names}}
kdsl.kernel @too_few_names(%a: i32, %b: i32) attributes {param_names = ["a"]} {
  kdsl.return
}

// -----

// expected-error @+1 {{kernel 'too_many_names': has 1 parameters but 2 parameter names}}
kdsl.kernel @too_many_names(%a: i32) attributes {param_names = ["a", "b"]} {
  kdsl.return
}

// -----

// expected-error @+1 {{kernel 'repeated': parameter name 'n' is repeated}}
kdsl.kernel @repeated(%a: i32, %b: i32) attributes {param_names = ["n", "n"]} {
  kdsl.return
}

// -----

// expected-error @+1 {{kernel 'block_parameter': parameter 'x' must be a scalar or a pointer, got 'tensor<4xf32>'}}
kdsl.kernel @block_parameter(%x: tensor<4xf32>) attributes {param_names = ["x"]} {
  kdsl.return
}

// -----

// expected-error @+1 {{kernel 'index_parameter': parameter 'i' must be a scalar or a pointer, got 'index'}}
kdsl.kernel @index_parameter(%i: index) attributes {param_names = ["i"]} {
  kdsl.return
}

// -----

// expected-error @+1 {{kernel 'float_constexpr': constexpr parameter 'SCALE' must have an integer or bool type, got 'f32'}}
kdsl.kernel @float_constexpr(%SCALE: f32 {kdsl.constexpr}) attributes {param_names = ["SCALE"]} {
  kdsl.return
}

// -----

// expected-error @+1 {{kernel 'pointer_constexpr': constexpr parameter 'P' must have an integer or bool type, got '!kdsl.ptr<f32>'}}
kdsl.kernel @pointer_constexpr(%P: !kdsl.ptr<f32> {kdsl.constexpr}) attributes {param_names = ["P"]} {
  kdsl.return
}

// -----

// expected-error @+1 {{kernel 'default_on_runtime': parameter 'n' has a default but is not a constexpr}}
kdsl.kernel @default_on_runtime(%n: i32 {kdsl.default = "4"}) attributes {param_names = ["n"]} {
  kdsl.return
}

//===----------------------------------------------------------------------===//
// kernel: default and grid expressions
//===----------------------------------------------------------------------===//

// -----

// expected-error @+1 {{kernel 'malformed_default': default of 'B' 'n +' does not parse: }}
kdsl.kernel @malformed_default(%n: i32, %B: i32 {kdsl.constexpr, kdsl.default = "n +"})
    attributes {param_names = ["n", "B"]} {
  kdsl.return
}

// -----

// expected-error @+1 {{kernel 'default_unknown': default of 'B' 'next_pow2(m)' uses unknown parameter 'm'}}
kdsl.kernel @default_unknown(%n: i32, %B: i32 {kdsl.constexpr, kdsl.default = "next_pow2(m)"})
    attributes {param_names = ["n", "B"]} {
  kdsl.return
}

// -----

// expected-error @+1 {{kernel 'default_self': default of 'B' 'B * 2' may not use parameter 'B'}}
kdsl.kernel @default_self(%B: i32 {kdsl.constexpr, kdsl.default = "B * 2"})
    attributes {param_names = ["B"]} {
  kdsl.return
}

// -----

// expected-error @+1 {{kernel 'default_pointer': default of 'B' 'p' may not use parameter 'p'}}
kdsl.kernel @default_pointer(%p: !kdsl.ptr<f32>, %B: i32 {kdsl.constexpr, kdsl.default = "p"})
    attributes {param_names = ["p", "B"]} {
  kdsl.return
}

// -----

// expected-error @+1 {{kernel 'malformed_grid': grid expression 'cdiv(n, ' does not parse: }}
kdsl.kernel @malformed_grid(%n: i32) attributes {param_names = ["n"], grid = ["cdiv(n, "]} {
  kdsl.return
}

// -----

// expected-error @+1 {{kernel 'grid_unknown_function': grid expression 'sqrt(n)' does not parse: }}
kdsl.kernel @grid_unknown_function(%n: i32) attributes {param_names = ["n"], grid = ["sqrt(n)"]} {
  kdsl.return
}

// -----

// expected-error @+1 {{kernel 'grid_unknown': grid expression 'cdiv(m, 128)' uses unknown parameter 'm'}}
kdsl.kernel @grid_unknown(%n: i32) attributes {param_names = ["n"], grid = ["cdiv(m, 128)"]} {
  kdsl.return
}

// -----

// expected-error @+1 {{kernel 'grid_pointer': grid expression 'p' may not use parameter 'p'}}
kdsl.kernel @grid_pointer(%p: !kdsl.ptr<f32>) attributes {param_names = ["p"], grid = ["p"]} {
  kdsl.return
}

// -----

// expected-error @+1 {{kernel 'grid_4d': grid has 4 dimensions; expected 1 to 3}}
kdsl.kernel @grid_4d(%n: i32) attributes {param_names = ["n"], grid = ["n", "1", "1", "1"]} {
  kdsl.return
}

// -----

// expected-error @+1 {{kernel 'grid_0d': grid has 0 dimensions; expected 1 to 3}}
kdsl.kernel @grid_0d(%n: i32) attributes {param_names = ["n"], grid = []} {
  kdsl.return
}

//===----------------------------------------------------------------------===//
// kernel: @autotune
//===----------------------------------------------------------------------===//

// -----

// expected-error @+1 {{kernel 'autotune_num_warps': autotune: num_warps must be a power of two from 1 to 32, got 3}}
kdsl.kernel @autotune_num_warps(%n: i32) attributes {param_names = ["n"],
    autotune = #kdsl.autotune<space = [#kdsl.tune_param<"num_warps" = [4, 3]>], key = [], where = "">} {
  kdsl.return
}

// -----

// expected-error @+1 {{kernel 'autotune_num_warps_big': autotune: num_warps must be a power of two from 1 to 32, got 64}}
kdsl.kernel @autotune_num_warps_big(%n: i32) attributes {param_names = ["n"],
    autotune = #kdsl.autotune<space = [#kdsl.tune_param<"num_warps" = [64]>], key = [], where = "">} {
  kdsl.return
}

// -----

// expected-error @+1 {{kernel 'autotune_num_stages': autotune: num_stages must be from 1 to 8, got 9}}
kdsl.kernel @autotune_num_stages(%n: i32) attributes {param_names = ["n"],
    autotune = #kdsl.autotune<space = [#kdsl.tune_param<"num_stages" = [2, 9]>], key = [], where = "">} {
  kdsl.return
}

// -----

// expected-error @+1 {{kernel 'autotune_num_stages_zero': autotune: num_stages must be from 1 to 8, got 0}}
kdsl.kernel @autotune_num_stages_zero(%n: i32) attributes {param_names = ["n"],
    autotune = #kdsl.autotune<space = [#kdsl.tune_param<"num_stages" = [0]>], key = [], where = "">} {
  kdsl.return
}

// -----

// expected-error @+1 {{kernel 'autotune_i8': autotune: value 300 does not fit constexpr 'B' of type i8}}
kdsl.kernel @autotune_i8(%B: i8 {kdsl.constexpr}) attributes {param_names = ["B"],
    autotune = #kdsl.autotune<space = [#kdsl.tune_param<"B" = [16, 300]>], key = [], where = "">} {
  kdsl.return
}

// -----

// expected-error @+1 {{kernel 'autotune_bool': autotune: value 2 does not fit constexpr 'FLAG' of type bool}}
kdsl.kernel @autotune_bool(%FLAG: i1 {kdsl.constexpr}) attributes {param_names = ["FLAG"],
    autotune = #kdsl.autotune<space = [#kdsl.tune_param<"FLAG" = [0, 1, 2]>], key = [], where = "">} {
  kdsl.return
}

// -----

// expected-error @+1 {{kernel 'autotune_runtime_param': autotune: 'n' is not a constexpr parameter}}
kdsl.kernel @autotune_runtime_param(%n: i32) attributes {param_names = ["n"],
    autotune = #kdsl.autotune<space = [#kdsl.tune_param<"n" = [1, 2]>], key = [], where = "">} {
  kdsl.return
}

// -----

// expected-error @+1 {{kernel 'autotune_unknown_param': autotune: 'BLOCK' is not a constexpr parameter}}
kdsl.kernel @autotune_unknown_param(%n: i32) attributes {param_names = ["n"],
    autotune = #kdsl.autotune<space = [#kdsl.tune_param<"BLOCK" = [128]>], key = [], where = "">} {
  kdsl.return
}

// -----

// expected-error @+1 {{kernel 'autotune_empty': autotune: 'B' has no values}}
kdsl.kernel @autotune_empty(%B: i32 {kdsl.constexpr}) attributes {param_names = ["B"],
    autotune = #kdsl.autotune<space = [#kdsl.tune_param<"B" = []>], key = [], where = "">} {
  kdsl.return
}

// -----

// expected-error @+1 {{kernel 'key_constexpr': autotune key 'B' must name a scalar runtime parameter}}
kdsl.kernel @key_constexpr(%n: i32, %B: i32 {kdsl.constexpr}) attributes {param_names = ["n", "B"],
    autotune = #kdsl.autotune<space = [#kdsl.tune_param<"B" = [64]>], key = ["B"], where = "">} {
  kdsl.return
}

// -----

// expected-error @+1 {{kernel 'key_pointer': autotune key 'p' must name a scalar runtime parameter}}
kdsl.kernel @key_pointer(%p: !kdsl.ptr<f32>) attributes {param_names = ["p"],
    autotune = #kdsl.autotune<space = [], key = ["p"], where = "">} {
  kdsl.return
}

// -----

// expected-error @+1 {{kernel 'key_unknown': autotune key 'm' must name a scalar runtime parameter}}
kdsl.kernel @key_unknown(%n: i32) attributes {param_names = ["n"],
    autotune = #kdsl.autotune<space = [], key = ["exact(m)"], where = "">} {
  kdsl.return
}

// -----

// expected-error @+1 {{kernel 'where_malformed': autotune where 'BM *' does not parse: }}
kdsl.kernel @where_malformed(%BM: i32 {kdsl.constexpr}) attributes {param_names = ["BM"],
    autotune = #kdsl.autotune<space = [#kdsl.tune_param<"BM" = [64]>], key = [], where = "BM *">} {
  kdsl.return
}

// -----

// expected-error @+1 {{kernel 'where_unknown': autotune where 'BX <= 128' uses unknown parameter 'BX'}}
kdsl.kernel @where_unknown(%BM: i32 {kdsl.constexpr}) attributes {param_names = ["BM"],
    autotune = #kdsl.autotune<space = [#kdsl.tune_param<"BM" = [64]>], key = [], where = "BX <= 128">} {
  kdsl.return
}

// -----

// expected-error @+1 {{kernel 'where_runtime': autotune where 'BM <= n' may not use parameter 'n'}}
kdsl.kernel @where_runtime(%n: i32, %BM: i32 {kdsl.constexpr}) attributes {param_names = ["n", "BM"],
    autotune = #kdsl.autotune<space = [#kdsl.tune_param<"BM" = [64]>], key = ["n"], where = "BM <= n">} {
  kdsl.return
}

// -----

// An attribute's own verifier reports at the attribute.
// expected-error @+2 {{autotune space entries must be #kdsl.tune_param, got 64 : i64}}
kdsl.kernel @space_entry(%n: i32) attributes {param_names = ["n"],
    autotune = #kdsl.autotune<space = [64], key = [], where = "">} {
  kdsl.return
}

// -----

// expected-error @+2 {{autotune key entries must be strings, got 1 : i64}}
kdsl.kernel @key_entry(%n: i32) attributes {param_names = ["n"],
    autotune = #kdsl.autotune<space = [], key = [1], where = "">} {
  kdsl.return
}

//===----------------------------------------------------------------------===//
// kernel: @config
//===----------------------------------------------------------------------===//

// -----

// expected-error @+1 {{kernel 'config_string': config value of 'B' must be an integer}}
kdsl.kernel @config_string(%B: i32 {kdsl.constexpr}) attributes {param_names = ["B"],
    config = {B = "64"}} {
  kdsl.return
}

// -----

// expected-error @+1 {{kernel 'config_num_warps': config: num_warps must be a power of two from 1 to 32, got 3}}
kdsl.kernel @config_num_warps(%n: i32) attributes {param_names = ["n"], config = {num_warps = 3}} {
  kdsl.return
}

// -----

// expected-error @+1 {{kernel 'config_num_stages': config: num_stages must be from 1 to 8, got 9}}
kdsl.kernel @config_num_stages(%n: i32) attributes {param_names = ["n"], config = {num_stages = 9}} {
  kdsl.return
}

// -----

// expected-error @+1 {{kernel 'config_i8': config: value 300 does not fit constexpr 'B' of type i8}}
kdsl.kernel @config_i8(%B: i8 {kdsl.constexpr}) attributes {param_names = ["B"], config = {B = 300}} {
  kdsl.return
}

// -----

// expected-error @+1 {{kernel 'config_i8_negative': config: value -129 does not fit constexpr 'B' of type i8}}
kdsl.kernel @config_i8_negative(%B: i8 {kdsl.constexpr}) attributes {param_names = ["B"], config = {B = -129}} {
  kdsl.return
}

// -----

// expected-error @+1 {{kernel 'config_runtime': config: 'n' is not a constexpr parameter}}
kdsl.kernel @config_runtime(%n: i32) attributes {param_names = ["n"], config = {n = 4}} {
  kdsl.return
}

// -----

// expected-error @+1 {{kernel 'config_unknown': config: 'BLOCK' is not a constexpr parameter}}
kdsl.kernel @config_unknown(%n: i32) attributes {param_names = ["n"], config = {BLOCK = 4}} {
  kdsl.return
}

//===----------------------------------------------------------------------===//
// kernel: variants
//===----------------------------------------------------------------------===//

// -----

// expected-error @+1 {{kernel 'variant_constexpr': variant still has constexpr parameter 'B'}}
kdsl.kernel @variant_constexpr(%n: i32, %B: i32 {kdsl.constexpr}) attributes {param_names = ["n", "B"],
    bindings = {}, num_warps = 4 : i32, num_stages = 2 : i32} {
  kdsl.return
}

// -----

// expected-error @+1 {{kernel 'variant_no_stages': variant must set num_warps and num_stages}}
kdsl.kernel @variant_no_stages(%n: i32) attributes {param_names = ["n"],
    bindings = {B = 64 : i32}, num_warps = 4 : i32} {
  kdsl.return
}

// -----

// expected-error @+1 {{kernel 'variant_num_warps': kernel: num_warps must be a power of two from 1 to 32, got 3}}
kdsl.kernel @variant_num_warps(%n: i32) attributes {param_names = ["n"],
    bindings = {}, num_warps = 3 : i32, num_stages = 2 : i32} {
  kdsl.return
}

// -----

// expected-error @+1 {{kernel 'variant_num_stages': kernel: num_stages must be from 1 to 8, got 0}}
kdsl.kernel @variant_num_stages(%n: i32) attributes {param_names = ["n"],
    bindings = {}, num_warps = 4 : i32, num_stages = 0 : i32} {
  kdsl.return
}

// -----

// FunctionOpInterface's verifier catches this before KernelOp::verifyRegions.
// expected-error @+1 {{'kdsl.kernel' op type of entry block argument #0('i64') must match the type of the corresponding argument in function signature('i32')}}
"kdsl.kernel"() ({
^bb0(%a: i64):
  kdsl.return
}) {function_type = (i32) -> (), param_names = ["a"], sym_name = "block_args"} : () -> ()

//===----------------------------------------------------------------------===//
// !kdsl.ptr
//===----------------------------------------------------------------------===//

// -----

// expected-error @+1 {{pointee of !kdsl.ptr must be a scalar type (bool, i8..i64, f16, bf16, f32, f64), got 'tensor<4xf32>'}}
kdsl.kernel @ptr_to_block(%p: !kdsl.ptr<tensor<4xf32>>) attributes {param_names = ["p"]} {
  kdsl.return
}

// -----

// expected-error @+1 {{pointee of !kdsl.ptr must be a scalar type (bool, i8..i64, f16, bf16, f32, f64), got '!kdsl.ptr<f32>'}}
kdsl.kernel @ptr_to_ptr(%p: !kdsl.ptr<!kdsl.ptr<f32>>) attributes {param_names = ["p"]} {
  kdsl.return
}

// -----

// expected-error @+1 {{pointee of !kdsl.ptr must be a scalar type (bool, i8..i64, f16, bf16, f32, f64), got 'i4'}}
kdsl.kernel @ptr_to_i4(%p: !kdsl.ptr<i4>) attributes {param_names = ["p"]} {
  kdsl.return
}

// -----

// expected-error @+1 {{pointee of !kdsl.ptr must be a scalar type (bool, i8..i64, f16, bf16, f32, f64), got 'ui32'}}
kdsl.kernel @ptr_to_unsigned(%p: !kdsl.ptr<ui32>) attributes {param_names = ["p"]} {
  kdsl.return
}
