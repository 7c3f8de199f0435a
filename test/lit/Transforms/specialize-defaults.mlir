// -kdsl-specialize takes a constexpr's value from its default expression,
// which may read scalar parameters bound in the config and other constexprs.
// RUN: kdsl-opt %s -split-input-file -kdsl-specialize="config=n_cols=100" | FileCheck %s --check-prefix=DEFAULT
// RUN: kdsl-opt %s -split-input-file -kdsl-specialize="config=n_cols=100,BLOCK=512,num_warps=16,num_stages=5" | FileCheck %s --check-prefix=EXPLICIT


// A default expression over a scalar parameter: next_pow2(100) = 128. The
// scalar parameter keeps its place in the signature. An explicit BLOCK wins
// over the default; explicit num_warps/num_stages win over the 4 and 2.
// DEFAULT-LABEL: kdsl.kernel @row(
// DEFAULT-SAME: %out: !kdsl.ptr<f32>, %inp: !kdsl.ptr<f32>, %n_cols: i32)
// DEFAULT-SAME: bindings = {BLOCK = 128 : i32}
// DEFAULT-SAME: num_stages = 2 : i32
// DEFAULT-SAME: num_warps = 4 : i32
// DEFAULT-SAME: param_names = ["out", "inp", "n_cols"]
// DEFAULT-NOT: kdsl.default
// DEFAULT-NOT: ?
// DEFAULT: kdsl.arange %{{.*}}, %{{.*}} : tensor<128xi32>
// DEFAULT: kdsl.load %{{.*}} mask %{{.*}} other %{{.*}} : tensor<128x!kdsl.ptr<f32>>, tensor<128xi1>, tensor<128xf32> -> tensor<128xf32>
// DEFAULT: kdsl.reduce max %{{.*}} {axis = 0 : i32} : tensor<128xf32> -> f32
// DEFAULT: math.exp %{{.*}} : tensor<128xf32>
// DEFAULT-NOT: ?
// DEFAULT: kdsl.return

// EXPLICIT-LABEL: kdsl.kernel @row(
// EXPLICIT-SAME: %n_cols: i32)
// EXPLICIT-SAME: bindings = {BLOCK = 512 : i32}
// EXPLICIT-SAME: num_stages = 5 : i32
// EXPLICIT-SAME: num_warps = 16 : i32
// EXPLICIT: kdsl.arange %{{.*}}, %{{.*}} : tensor<512xi32>
// EXPLICIT: kdsl.reduce max %{{.*}} {axis = 0 : i32} : tensor<512xf32> -> f32
kdsl.kernel @row(%out: !kdsl.ptr<f32>, %inp: !kdsl.ptr<f32>, %n_cols: i32,
                 %BLOCK: i32 {kdsl.constexpr, kdsl.default = "next_pow2(n_cols)"})
    attributes {param_names = ["out", "inp", "n_cols", "BLOCK"]} {
  %c0 = arith.constant 0 : i32
  %cols = kdsl.arange %c0, %BLOCK : tensor<?xi32>
  %nb = kdsl.splat %n_cols [%BLOCK] : i32 -> tensor<?xi32>
  %mask = arith.cmpi slt, %cols, %nb : tensor<?xi32>
  %ninf = arith.constant 0xFF800000 : f32
  %other = kdsl.splat %ninf [%BLOCK] : f32 -> tensor<?xf32>
  %ib = kdsl.splat %inp [%BLOCK] : !kdsl.ptr<f32> -> tensor<?x!kdsl.ptr<f32>>
  %ip = kdsl.addptr %ib, %cols : tensor<?x!kdsl.ptr<f32>>, tensor<?xi32>
  %x = kdsl.load %ip mask %mask other %other : tensor<?x!kdsl.ptr<f32>>, tensor<?xi1>, tensor<?xf32> -> tensor<?xf32>
  %m = kdsl.reduce max %x {axis = 0 : i32} : tensor<?xf32> -> f32
  %mb = kdsl.splat %m [%BLOCK] : f32 -> tensor<?xf32>
  %d = arith.subf %x, %mb : tensor<?xf32>
  %e = math.exp %d : tensor<?xf32>
  %ob = kdsl.splat %out [%BLOCK] : !kdsl.ptr<f32> -> tensor<?x!kdsl.ptr<f32>>
  %op = kdsl.addptr %ob, %cols : tensor<?x!kdsl.ptr<f32>>, tensor<?xi32>
  kdsl.store %op, %e mask %mask : tensor<?x!kdsl.ptr<f32>>, tensor<?xf32>, tensor<?xi1>
  kdsl.return
}

// -----

// Defaults that read other constexprs are resolved in dependency order, not
// in parameter order.
// DEFAULT-LABEL: kdsl.kernel @chain(
// DEFAULT-SAME: %p: !kdsl.ptr<i32>, %n_cols: i32)
// DEFAULT-SAME: bindings = {BLOCK = 128 : i32, HALF = 64 : i32, WIDE = 1 : i64}
// DEFAULT: kdsl.arange %{{.*}}, %{{.*}} : tensor<64xi32>
// DEFAULT: kdsl.splat %{{.*}} : i64 -> tensor<64xi64>

// EXPLICIT-LABEL: kdsl.kernel @chain(
// EXPLICIT-SAME: bindings = {BLOCK = 512 : i32, HALF = 256 : i32, WIDE = 0 : i64}
// EXPLICIT-SAME: num_stages = 5 : i32
// EXPLICIT-SAME: num_warps = 16 : i32
// EXPLICIT: kdsl.arange %{{.*}}, %{{.*}} : tensor<256xi32>
kdsl.kernel @chain(%p: !kdsl.ptr<i32>, %n_cols: i32,
                   %HALF: i32 {kdsl.constexpr, kdsl.default = "BLOCK / 2"},
                   %WIDE: i64 {kdsl.constexpr, kdsl.default = "HALF < 128"},
                   %BLOCK: i32 {kdsl.constexpr, kdsl.default = "max(next_pow2(n_cols), 16)"})
    attributes {param_names = ["p", "n_cols", "HALF", "WIDE", "BLOCK"]} {
  %c0 = arith.constant 0 : i32
  %r = kdsl.arange %c0, %HALF : tensor<?xi32>
  %w = kdsl.splat %WIDE [%HALF] : i64 -> tensor<?xi64>
  %t = arith.trunci %w : tensor<?xi64> to tensor<?xi32>
  %v = arith.addi %r, %t : tensor<?xi32>
  %pb = kdsl.splat %p [%HALF] : !kdsl.ptr<i32> -> tensor<?x!kdsl.ptr<i32>>
  %ptrs = kdsl.addptr %pb, %r : tensor<?x!kdsl.ptr<i32>>, tensor<?xi32>
  kdsl.store %ptrs, %v : tensor<?x!kdsl.ptr<i32>>, tensor<?xi32>
  kdsl.return
}
