// Every kdsl op and attribute prints, parses back and prints the same, in the
// custom and in the generic form (and through bytecode: --verify-roundtrip).
// RUN: kdsl-opt %s | kdsl-opt | FileCheck %s
// RUN: kdsl-opt %s --mlir-print-op-generic | kdsl-opt | FileCheck %s
// RUN: kdsl-opt %s -o %t.custom
// RUN: kdsl-opt %t.custom -o %t.again
// RUN: diff %t.custom %t.again
// RUN: kdsl-opt %s --mlir-print-op-generic | kdsl-opt -o %t.generic
// RUN: diff %t.custom %t.generic
// RUN: kdsl-opt %s --verify-roundtrip -o /dev/null

// A generic kernel: constexpr parameters (with and without a default), a grid
// and an @autotune space with a key and a `where`.
// CHECK-LABEL: kdsl.kernel @generic(
// CHECK-SAME: %x: !kdsl.ptr<f32>, %out: !kdsl.ptr<f32>, %n: i32,
// CHECK-SAME: %BLOCK: i32 {kdsl.constexpr},
// CHECK-SAME: %UNROLL: i32 {kdsl.constexpr, kdsl.default = "next_pow2(n) / BLOCK"},
// CHECK-SAME: %MASKED: i1 {kdsl.constexpr, kdsl.default = "true"})
// CHECK-SAME: attributes {
// CHECK-SAME: autotune = #kdsl.autotune<space = [#kdsl.tune_param<"BLOCK" = [256, 512, 1024]>, #kdsl.tune_param<"num_warps" = [2, 4, 8]>, #kdsl.tune_param<"num_stages" = [1, 2]>], key = ["n", "exact(n)"], where = "BLOCK / num_warps >= 64">
// CHECK-SAME: grid = ["cdiv(n, BLOCK)", "1"]
// CHECK-SAME: param_names = ["x", "out", "n", "BLOCK", "UNROLL", "MASKED"]
// CHECK: kdsl.return
kdsl.kernel @generic(%x: !kdsl.ptr<f32>, %out: !kdsl.ptr<f32>, %n: i32,
                     %BLOCK: i32 {kdsl.constexpr},
                     %UNROLL: i32 {kdsl.constexpr, kdsl.default = "next_pow2(n) / BLOCK"},
                     %MASKED: i1 {kdsl.constexpr, kdsl.default = "true"})
    attributes {param_names = ["x", "out", "n", "BLOCK", "UNROLL", "MASKED"],
                grid = ["cdiv(n, BLOCK)", "1"],
                autotune = #kdsl.autotune<space = [#kdsl.tune_param<"BLOCK" = [256, 512, 1024]>,
                                                   #kdsl.tune_param<"num_warps" = [2, 4, 8]>,
                                                   #kdsl.tune_param<"num_stages" = [1, 2]>],
                                          key = ["n", "exact(n)"],
                                          where = "BLOCK / num_warps >= 64">} {
  kdsl.return
}

// A fixed @config, an autotune space with no `where`, and no grid.
// CHECK-LABEL: kdsl.kernel @fixed(
// CHECK-SAME: %BM: i32 {kdsl.constexpr}, %BN: i64 {kdsl.constexpr}, %FLAG: i1 {kdsl.constexpr}, %SMALL: i8 {kdsl.constexpr}
// CHECK-SAME: autotune = #kdsl.autotune<space = [#kdsl.tune_param<"BM" = [64]>], key = [], where = "">
// CHECK-SAME: config = {BM = 128 : i64, BN = 64 : i64, FLAG = 1 : i64, SMALL = -128 : i64, num_stages = 3 : i64, num_warps = 8 : i64}
// CHECK-NOT: grid
// CHECK-SAME: param_names = ["BM", "BN", "FLAG", "SMALL"]
kdsl.kernel @fixed(%BM: i32 {kdsl.constexpr}, %BN: i64 {kdsl.constexpr},
                   %FLAG: i1 {kdsl.constexpr}, %SMALL: i8 {kdsl.constexpr})
    attributes {param_names = ["BM", "BN", "FLAG", "SMALL"],
                autotune = #kdsl.autotune<space = [#kdsl.tune_param<"BM" = [64]>], key = [], where = "">,
                config = {BM = 128, BN = 64, FLAG = 1, SMALL = -128, num_warps = 8, num_stages = 3}} {
  kdsl.return
}

// A variant: no constexpr left, bindings, num_warps and num_stages set.
// CHECK-LABEL: kdsl.kernel @variant(
// CHECK-SAME: %p: !kdsl.ptr<f16>)
// CHECK-SAME: bindings = {BLOCK = 128 : i32}
// CHECK-SAME: num_stages = 2 : i32
// CHECK-SAME: num_warps = 4 : i32
kdsl.kernel @variant(%p: !kdsl.ptr<f16>)
    attributes {param_names = ["p"], bindings = {BLOCK = 128 : i32},
                num_warps = 4 : i32, num_stages = 2 : i32} {
  kdsl.return
}

// Every pointer element type.
// CHECK-LABEL: kdsl.kernel @pointers(
// CHECK-SAME: !kdsl.ptr<i1>, %{{.*}}: !kdsl.ptr<i8>, %{{.*}}: !kdsl.ptr<i16>, %{{.*}}: !kdsl.ptr<i32>, %{{.*}}: !kdsl.ptr<i64>,
// CHECK-SAME: !kdsl.ptr<f16>, %{{.*}}: !kdsl.ptr<bf16>, %{{.*}}: !kdsl.ptr<f32>, %{{.*}}: !kdsl.ptr<f64>)
kdsl.kernel @pointers(%a: !kdsl.ptr<i1>, %b: !kdsl.ptr<i8>, %c: !kdsl.ptr<i16>,
                      %d: !kdsl.ptr<i32>, %e: !kdsl.ptr<i64>, %f: !kdsl.ptr<f16>,
                      %g: !kdsl.ptr<bf16>, %h: !kdsl.ptr<f32>, %i: !kdsl.ptr<f64>)
    attributes {param_names = ["a", "b", "c", "d", "e", "f", "g", "h", "i"]} {
  kdsl.return
}

// Grid queries, ranges and shape changes, static and dynamic.
// CHECK-LABEL: kdsl.kernel @shapes(
kdsl.kernel @shapes(%s: f32, %n: i32, %BLOCK: i32 {kdsl.constexpr})
    attributes {param_names = ["s", "n", "BLOCK"]} {
  // CHECK: kdsl.program_id 0
  // CHECK: kdsl.program_id 2
  // CHECK: kdsl.num_programs 1
  %pid0 = kdsl.program_id 0
  %pid2 = kdsl.program_id 2
  %np1 = kdsl.num_programs 1
  %c0 = arith.constant 0 : i32
  %c64 = arith.constant 64 : i32
  %c32 = arith.constant 32 : i32
  // CHECK: %[[R:.*]] = kdsl.arange %{{.*}}, %{{.*}} : tensor<64xi32>
  %r = kdsl.arange %c0, %c64 : tensor<64xi32>
  // CHECK: kdsl.arange %{{.*}}, %BLOCK : tensor<?xi32>
  %rd = kdsl.arange %c0, %BLOCK : tensor<?xi32>
  // CHECK: kdsl.arange %{{.*}}, %{{.*}} : tensor<32xi32>
  %r2 = kdsl.arange %c32, %c64 : tensor<32xi32>
  // CHECK: kdsl.splat %s : f32 -> tensor<64x32xf32>
  %sp = kdsl.splat %s : f32 -> tensor<64x32xf32>
  // CHECK: kdsl.splat %s[%BLOCK] : f32 -> tensor<?x32xf32>
  %spd = kdsl.splat %s [%BLOCK] : f32 -> tensor<?x32xf32>
  // CHECK: kdsl.splat %s[%BLOCK, %n] : f32 -> tensor<?x4x?xf32>
  %spd2 = kdsl.splat %s [%BLOCK, %n] : f32 -> tensor<?x4x?xf32>
  // CHECK: kdsl.splat %n : i32 -> tensor<1xi32>
  %spi = kdsl.splat %n : i32 -> tensor<1xi32>
  // CHECK: %[[E:.*]] = kdsl.expand_dims %[[R]] {axis = 0 : i32} : tensor<64xi32> -> tensor<1x64xi32>
  %e0 = kdsl.expand_dims %r {axis = 0 : i32} : tensor<64xi32> -> tensor<1x64xi32>
  // CHECK: kdsl.expand_dims %[[R]] {axis = 1 : i32} : tensor<64xi32> -> tensor<64x1xi32>
  %e1 = kdsl.expand_dims %r {axis = 1 : i32} : tensor<64xi32> -> tensor<64x1xi32>
  // CHECK: kdsl.expand_dims %{{.*}} {axis = 1 : i32} : tensor<?xi32> -> tensor<?x1xi32>
  %ed = kdsl.expand_dims %rd {axis = 1 : i32} : tensor<?xi32> -> tensor<?x1xi32>
  // CHECK: kdsl.broadcast %[[E]] : tensor<1x64xi32> -> tensor<32x64xi32>
  %b = kdsl.broadcast %e0 : tensor<1x64xi32> -> tensor<32x64xi32>
  // CHECK: kdsl.broadcast %[[E]][%BLOCK] : tensor<1x64xi32> -> tensor<?x64xi32>
  %bd = kdsl.broadcast %e0 [%BLOCK] : tensor<1x64xi32> -> tensor<?x64xi32>
  // CHECK: kdsl.broadcast %[[E]] : tensor<1x64xi32> -> tensor<1x64xi32>
  %bsame = kdsl.broadcast %e0 : tensor<1x64xi32> -> tensor<1x64xi32>
  // CHECK: kdsl.reshape %{{.*}} : tensor<32x64xi32> -> tensor<2048xi32>
  %rs = kdsl.reshape %b : tensor<32x64xi32> -> tensor<2048xi32>
  // CHECK: kdsl.reshape %{{.*}} : tensor<32x64xi32> -> tensor<4x8x64xi32>
  %rs3 = kdsl.reshape %b : tensor<32x64xi32> -> tensor<4x8x64xi32>
  // CHECK: kdsl.reshape %{{.*}}[%BLOCK] : tensor<?x64xi32> -> tensor<?xi32>
  %rsd = kdsl.reshape %bd [%BLOCK] : tensor<?x64xi32> -> tensor<?xi32>
  // CHECK: kdsl.trans %{{.*}} : tensor<32x64xi32> -> tensor<64x32xi32>
  %t = kdsl.trans %b : tensor<32x64xi32> -> tensor<64x32xi32>
  // CHECK: kdsl.trans %{{.*}} : tensor<?x64xi32> -> tensor<64x?xi32>
  %td = kdsl.trans %bd : tensor<?x64xi32> -> tensor<64x?xi32>
  kdsl.return
}

// Pointer arithmetic, loads, stores and atomics.
// CHECK-LABEL: kdsl.kernel @memory(
kdsl.kernel @memory(%p: !kdsl.ptr<f32>, %q: !kdsl.ptr<i32>, %h: !kdsl.ptr<f16>, %n: i32, %off: i64)
    attributes {param_names = ["p", "q", "h", "n", "off"]} {
  %c0 = arith.constant 0 : i32
  %c128 = arith.constant 128 : i32
  %offs = kdsl.arange %c0, %c128 : tensor<128xi32>
  // CHECK: kdsl.addptr %p, %n : !kdsl.ptr<f32>, i32
  %ps = kdsl.addptr %p, %n : !kdsl.ptr<f32>, i32
  // CHECK: kdsl.addptr %p, %off : !kdsl.ptr<f32>, i64
  %ps64 = kdsl.addptr %p, %off : !kdsl.ptr<f32>, i64
  %pb0 = kdsl.splat %ps : !kdsl.ptr<f32> -> tensor<128x!kdsl.ptr<f32>>
  // CHECK: %[[PB:.*]] = kdsl.addptr %{{.*}}, %{{.*}} : tensor<128x!kdsl.ptr<f32>>, tensor<128xi32>
  %pb = kdsl.addptr %pb0, %offs : tensor<128x!kdsl.ptr<f32>>, tensor<128xi32>
  %nb = kdsl.splat %n : i32 -> tensor<128xi32>
  %mask = arith.cmpi slt, %offs, %nb : tensor<128xi32>
  %zero = arith.constant dense<0.0> : tensor<128xf32>
  // CHECK: kdsl.load %{{.*}} : !kdsl.ptr<f32> -> f32
  %s = kdsl.load %ps : !kdsl.ptr<f32> -> f32
  // CHECK: kdsl.load %[[PB]] : tensor<128x!kdsl.ptr<f32>> -> tensor<128xf32>
  %v0 = kdsl.load %pb : tensor<128x!kdsl.ptr<f32>> -> tensor<128xf32>
  // CHECK: kdsl.load %[[PB]] mask %{{.*}} : tensor<128x!kdsl.ptr<f32>>, tensor<128xi1> -> tensor<128xf32>
  %v1 = kdsl.load %pb mask %mask : tensor<128x!kdsl.ptr<f32>>, tensor<128xi1> -> tensor<128xf32>
  // CHECK: kdsl.load %[[PB]] mask %{{.*}} other %{{.*}} : tensor<128x!kdsl.ptr<f32>>, tensor<128xi1>, tensor<128xf32> -> tensor<128xf32>
  %v2 = kdsl.load %pb mask %mask other %zero : tensor<128x!kdsl.ptr<f32>>, tensor<128xi1>, tensor<128xf32> -> tensor<128xf32>
  %true = arith.constant true
  // CHECK: kdsl.load %{{.*}} mask %{{.*}} : !kdsl.ptr<f32>, i1 -> f32
  %s1 = kdsl.load %ps mask %true : !kdsl.ptr<f32>, i1 -> f32
  // CHECK: kdsl.store %{{.*}}, %{{.*}} : !kdsl.ptr<f32>, f32
  kdsl.store %ps, %s : !kdsl.ptr<f32>, f32
  // CHECK: kdsl.store %[[PB]], %{{.*}} : tensor<128x!kdsl.ptr<f32>>, tensor<128xf32>
  kdsl.store %pb, %v0 : tensor<128x!kdsl.ptr<f32>>, tensor<128xf32>
  // CHECK: kdsl.store %[[PB]], %{{.*}} mask %{{.*}} : tensor<128x!kdsl.ptr<f32>>, tensor<128xf32>, tensor<128xi1>
  kdsl.store %pb, %v2 mask %mask : tensor<128x!kdsl.ptr<f32>>, tensor<128xf32>, tensor<128xi1>
  %qb0 = kdsl.splat %q : !kdsl.ptr<i32> -> tensor<128x!kdsl.ptr<i32>>
  %qb = kdsl.addptr %qb0, %offs : tensor<128x!kdsl.ptr<i32>>, tensor<128xi32>
  // CHECK: kdsl.atomic_add %{{.*}}, %{{.*}} : tensor<128x!kdsl.ptr<i32>>, tensor<128xi32>
  %old0 = kdsl.atomic_add %qb, %offs : tensor<128x!kdsl.ptr<i32>>, tensor<128xi32>
  // CHECK: kdsl.atomic_add %{{.*}}, %{{.*}} mask %{{.*}} : tensor<128x!kdsl.ptr<i32>>, tensor<128xi32>, tensor<128xi1>
  %old1 = kdsl.atomic_add %qb, %offs mask %mask : tensor<128x!kdsl.ptr<i32>>, tensor<128xi32>, tensor<128xi1>
  // CHECK: kdsl.atomic_add %p, %{{.*}} : !kdsl.ptr<f32>, f32
  %old2 = kdsl.atomic_add %p, %s : !kdsl.ptr<f32>, f32
  %hs = kdsl.load %h : !kdsl.ptr<f16> -> f16
  // CHECK: kdsl.atomic_add %h, %{{.*}} : !kdsl.ptr<f16>, f16
  %old3 = kdsl.atomic_add %h, %hs : !kdsl.ptr<f16>, f16
  kdsl.return
}

// Dynamic-shaped memory ops, as a generic kernel has them.
// CHECK-LABEL: kdsl.kernel @dynamic_memory(
kdsl.kernel @dynamic_memory(%p: !kdsl.ptr<f32>, %BLOCK: i32 {kdsl.constexpr})
    attributes {param_names = ["p", "BLOCK"]} {
  %c0 = arith.constant 0 : i32
  %offs = kdsl.arange %c0, %BLOCK : tensor<?xi32>
  %pb0 = kdsl.splat %p [%BLOCK] : !kdsl.ptr<f32> -> tensor<?x!kdsl.ptr<f32>>
  // CHECK: kdsl.addptr %{{.*}}, %{{.*}} : tensor<?x!kdsl.ptr<f32>>, tensor<?xi32>
  %pb = kdsl.addptr %pb0, %offs : tensor<?x!kdsl.ptr<f32>>, tensor<?xi32>
  // CHECK: kdsl.load %{{.*}} : tensor<?x!kdsl.ptr<f32>> -> tensor<?xf32>
  %v = kdsl.load %pb : tensor<?x!kdsl.ptr<f32>> -> tensor<?xf32>
  // CHECK: kdsl.store %{{.*}}, %{{.*}} : tensor<?x!kdsl.ptr<f32>>, tensor<?xf32>
  kdsl.store %pb, %v : tensor<?x!kdsl.ptr<f32>>, tensor<?xf32>
  kdsl.return
}

// Matrix products and every kind of reduction.
// CHECK-LABEL: kdsl.kernel @compute(
kdsl.kernel @compute(%a: f16, %b: bf16, %x: f32, %i: i32, %BM: i32 {kdsl.constexpr})
    attributes {param_names = ["a", "b", "x", "i", "BM"]} {
  %ta = kdsl.splat %a : f16 -> tensor<64x32xf16>
  %tb = kdsl.splat %a : f16 -> tensor<32x16xf16>
  %acc = arith.constant dense<0.0> : tensor<64x16xf32>
  // CHECK: kdsl.dot %{{.*}}, %{{.*}}, %{{.*}} : tensor<64x32xf16>, tensor<32x16xf16> -> tensor<64x16xf32>
  %d = kdsl.dot %ta, %tb, %acc : tensor<64x32xf16>, tensor<32x16xf16> -> tensor<64x16xf32>
  %ba = kdsl.splat %b : bf16 -> tensor<16x16xbf16>
  %acc2 = arith.constant dense<0.0> : tensor<16x16xf32>
  // CHECK: kdsl.dot %{{.*}}, %{{.*}}, %{{.*}} : tensor<16x16xbf16>, tensor<16x16xbf16> -> tensor<16x16xf32>
  %d2 = kdsl.dot %ba, %ba, %acc2 : tensor<16x16xbf16>, tensor<16x16xbf16> -> tensor<16x16xf32>
  %fa = kdsl.splat %x [%BM] : f32 -> tensor<?x32xf32>
  %fb = kdsl.splat %x : f32 -> tensor<32x32xf32>
  %acc3 = kdsl.splat %x [%BM] : f32 -> tensor<?x32xf32>
  // CHECK: kdsl.dot %{{.*}}, %{{.*}}, %{{.*}} : tensor<?x32xf32>, tensor<32x32xf32> -> tensor<?x32xf32>
  %d3 = kdsl.dot %fa, %fb, %acc3 : tensor<?x32xf32>, tensor<32x32xf32> -> tensor<?x32xf32>
  %v = kdsl.splat %x : f32 -> tensor<128xf32>
  %m = kdsl.splat %x : f32 -> tensor<4x128xf32>
  %iv = kdsl.splat %i : i32 -> tensor<4x8x16xi32>
  // CHECK: kdsl.reduce sum %{{.*}} {axis = 0 : i32} : tensor<128xf32> -> f32
  %s = kdsl.reduce sum %v {axis = 0 : i32} : tensor<128xf32> -> f32
  // CHECK: kdsl.reduce max %{{.*}} {axis = 1 : i32} : tensor<4x128xf32> -> tensor<4xf32>
  %mx = kdsl.reduce max %m {axis = 1 : i32} : tensor<4x128xf32> -> tensor<4xf32>
  // CHECK: kdsl.reduce min %{{.*}} {axis = 0 : i32} : tensor<4x128xf32> -> tensor<128xf32>
  %mn = kdsl.reduce min %m {axis = 0 : i32} : tensor<4x128xf32> -> tensor<128xf32>
  // CHECK: kdsl.reduce argmax %{{.*}} {axis = 1 : i32} : tensor<4x128xf32> -> tensor<4xi32>
  %am = kdsl.reduce argmax %m {axis = 1 : i32} : tensor<4x128xf32> -> tensor<4xi32>
  // CHECK: kdsl.reduce argmin %{{.*}} {axis = 0 : i32} : tensor<128xf32> -> i32
  %an = kdsl.reduce argmin %v {axis = 0 : i32} : tensor<128xf32> -> i32
  // CHECK: kdsl.reduce sum %{{.*}} {axis = 2 : i32} : tensor<4x8x16xi32> -> tensor<4x8xi32>
  %si = kdsl.reduce sum %iv {axis = 2 : i32} : tensor<4x8x16xi32> -> tensor<4x8xi32>
  // CHECK: kdsl.reduce argmax %{{.*}} {axis = 1 : i32} : tensor<4x8x16xi32> -> tensor<4x16xi32>
  %ai = kdsl.reduce argmax %iv {axis = 1 : i32} : tensor<4x8x16xi32> -> tensor<4x16xi32>
  // CHECK: kdsl.reduce max %{{.*}} {axis = 0 : i32} : tensor<?x32xf32> -> tensor<32xf32>
  %md = kdsl.reduce max %d3 {axis = 0 : i32} : tensor<?x32xf32> -> tensor<32xf32>
  kdsl.return
}

// static_assert, and the upstream dialects a kernel body uses: scf.for with a
// loop-carried block, scf.if with results, arith and math.
// CHECK-LABEL: kdsl.kernel @control(
kdsl.kernel @control(%p: !kdsl.ptr<f32>, %n: i32, %BLOCK: i32 {kdsl.constexpr},
                     %EVEN: i1 {kdsl.constexpr})
    attributes {param_names = ["p", "n", "BLOCK", "EVEN"], grid = ["cdiv(n, BLOCK)"]} {
  %c16 = arith.constant 16 : i32
  %big = arith.cmpi sge, %BLOCK, %c16 : i32
  // CHECK: kdsl.static_assert %{{.*}}, "BLOCK must be at least 16"
  kdsl.static_assert %big, "BLOCK must be at least 16"
  // CHECK: kdsl.static_assert %EVEN, "needs \22EVEN\22"
  kdsl.static_assert %EVEN, "needs \"EVEN\""
  %c0 = arith.constant 0 : i32
  %init = arith.constant dense<0.0> : tensor<64xf32>
  %offs = kdsl.arange %c0, %c16 : tensor<16xi32>
  // CHECK: %[[SUM:.*]] = scf.for %{{.*}} = %{{.*}} to %n step %BLOCK iter_args(%{{.*}} = %{{.*}}) -> (tensor<64xf32>) : i32 {
  %sum = scf.for %k = %c0 to %n step %BLOCK iter_args(%acc = %init) -> (tensor<64xf32>) : i32 {
    %pk = kdsl.addptr %p, %k : !kdsl.ptr<f32>, i32
    %x = kdsl.load %pk : !kdsl.ptr<f32> -> f32
    // CHECK: math.exp %{{.*}} : f32
    %ex = math.exp %x : f32
    %xb = kdsl.splat %ex : f32 -> tensor<64xf32>
    // CHECK: arith.addf %{{.*}}, %{{.*}} : tensor<64xf32>
    %next = arith.addf %acc, %xb : tensor<64xf32>
    // CHECK: scf.yield %{{.*}} : tensor<64xf32>
    scf.yield %next : tensor<64xf32>
  }
  // CHECK: %[[TOTAL:.*]] = kdsl.reduce sum %[[SUM]] {axis = 0 : i32} : tensor<64xf32> -> f32
  %total = kdsl.reduce sum %sum {axis = 0 : i32} : tensor<64xf32> -> f32
  // CHECK: %[[R:.*]] = scf.if %EVEN -> (f32) {
  %r = scf.if %EVEN -> (f32) {
    %t = math.sqrt %total : f32
    scf.yield %t : f32
  } else {
    scf.yield %total : f32
  }
  // CHECK: kdsl.store %p, %[[R]] : !kdsl.ptr<f32>, f32
  kdsl.store %p, %r : !kdsl.ptr<f32>, f32
  %pos = arith.cmpi sgt, %n, %c0 : i32
  // CHECK: scf.if %{{.*}} {
  scf.if %pos {
    kdsl.store %p, %total : !kdsl.ptr<f32>, f32
  }
  // CHECK: kdsl.return
  kdsl.return
}
