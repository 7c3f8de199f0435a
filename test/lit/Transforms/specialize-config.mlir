// -kdsl-specialize takes values from the explicit config first, then the
// kernel's @config, then the first config of its @autotune space that passes
// `where` and agrees with the values already chosen, then the defaults. The
// variant drops `autotune` and `config` (its config is `bindings`) and its
// grid reads only runtime parameters.
// RUN: kdsl-opt %s -split-input-file -kdsl-specialize | FileCheck %s
// RUN: kdsl-opt %s -split-input-file -kdsl-specialize="config=BLOCK=128" | FileCheck %s --check-prefix=EXPLICIT

// The first candidate (1024, 8 warps) and the second (1024, 4 warps) fail
// `where`; the third is taken.
// CHECK-LABEL: kdsl.kernel @autotune_where(
// CHECK-SAME: %x: !kdsl.ptr<f32>, %n: i32)
// CHECK-NOT: autotune
// CHECK-SAME: bindings = {BLOCK = 512 : i32}
// CHECK-SAME: grid = ["cdiv(n, 512)", "n", "1"]
// CHECK-SAME: num_stages = 2 : i32
// CHECK-SAME: num_warps = 8 : i32
// CHECK-SAME: param_names = ["x", "n"]
// CHECK-NOT: ?
// CHECK: kdsl.arange %{{.*}}, %{{.*}} : tensor<512xi32>
// CHECK: kdsl.return

// An explicit BLOCK restricts the search to the configs that agree with it.
// EXPLICIT-LABEL: kdsl.kernel @autotune_where(
// EXPLICIT-SAME: bindings = {BLOCK = 128 : i32}
// EXPLICIT-SAME: grid = ["cdiv(n, 128)", "n", "1"]
// EXPLICIT-SAME: num_stages = 2 : i32
// EXPLICIT-SAME: num_warps = 8 : i32
// EXPLICIT: kdsl.arange %{{.*}}, %{{.*}} : tensor<128xi32>
kdsl.kernel @autotune_where(%x: !kdsl.ptr<f32>, %n: i32, %BLOCK: i32 {kdsl.constexpr})
    attributes {param_names = ["x", "n", "BLOCK"], grid = ["cdiv(n, BLOCK)", "n", "BLOCK / BLOCK"],
                autotune = #kdsl.autotune<space = [#kdsl.tune_param<"BLOCK" = [1024, 512, 128]>,
                                                   #kdsl.tune_param<"num_warps" = [8, 4]>],
                                          key = ["n"], where = "BLOCK / num_warps <= 64">} {
  %c0 = arith.constant 0 : i32
  %r = kdsl.arange %c0, %BLOCK : tensor<?xi32>
  %xb = kdsl.splat %x [%BLOCK] : !kdsl.ptr<f32> -> tensor<?x!kdsl.ptr<f32>>
  %xp = kdsl.addptr %xb, %r : tensor<?x!kdsl.ptr<f32>>, tensor<?xi32>
  %v = kdsl.load %xp : tensor<?x!kdsl.ptr<f32>> -> tensor<?xf32>
  kdsl.store %xp, %v : tensor<?x!kdsl.ptr<f32>>, tensor<?xf32>
  kdsl.return
}

// -----

// @config gives every value; it is the fallback when nothing is tuned.
// CHECK-LABEL: kdsl.kernel @fixed(
// CHECK-SAME: %x: !kdsl.ptr<f32>)
// CHECK-SAME: bindings = {BLOCK = 256 : i32, BN = 32 : i32}
// CHECK-NOT: config =
// CHECK-SAME: num_stages = 3 : i32
// CHECK-SAME: num_warps = 8 : i32
// CHECK: kdsl.splat %x : !kdsl.ptr<f32> -> tensor<256x32x!kdsl.ptr<f32>>

// EXPLICIT-LABEL: kdsl.kernel @fixed(
// EXPLICIT-SAME: bindings = {BLOCK = 128 : i32, BN = 32 : i32}
// EXPLICIT-SAME: num_stages = 3 : i32
// EXPLICIT-SAME: num_warps = 8 : i32
// EXPLICIT: kdsl.splat %x : !kdsl.ptr<f32> -> tensor<128x32x!kdsl.ptr<f32>>
kdsl.kernel @fixed(%x: !kdsl.ptr<f32>, %BLOCK: i32 {kdsl.constexpr}, %BN: i32 {kdsl.constexpr})
    attributes {param_names = ["x", "BLOCK", "BN"],
                config = {BLOCK = 256, BN = 32, num_warps = 8, num_stages = 3}} {
  %pb = kdsl.splat %x [%BLOCK, %BN] : !kdsl.ptr<f32> -> tensor<?x?x!kdsl.ptr<f32>>
  %v = kdsl.load %pb : tensor<?x?x!kdsl.ptr<f32>> -> tensor<?x?xf32>
  kdsl.store %pb, %v : tensor<?x?x!kdsl.ptr<f32>>, tensor<?x?xf32>
  kdsl.return
}

// -----

// @config (num_warps = 2) comes before @autotune: the first tuned config that
// agrees with it is (64, 2 warps), so BLOCK = 64. HALF has neither and takes
// its default.
// CHECK-LABEL: kdsl.kernel @config_then_autotune(
// CHECK-SAME: %x: !kdsl.ptr<f32>)
// CHECK-SAME: bindings = {BLOCK = 64 : i32, HALF = 32 : i32}
// CHECK-SAME: num_stages = 2 : i32
// CHECK-SAME: num_warps = 2 : i32
// CHECK: kdsl.splat %x : !kdsl.ptr<f32> -> tensor<32x!kdsl.ptr<f32>>

// EXPLICIT-LABEL: kdsl.kernel @config_then_autotune(
// EXPLICIT-SAME: bindings = {BLOCK = 128 : i32, HALF = 64 : i32}
// EXPLICIT-SAME: num_warps = 2 : i32
kdsl.kernel @config_then_autotune(%x: !kdsl.ptr<f32>, %BLOCK: i32 {kdsl.constexpr},
                                  %HALF: i32 {kdsl.constexpr, kdsl.default = "BLOCK / 2"})
    attributes {param_names = ["x", "BLOCK", "HALF"], config = {num_warps = 2},
                autotune = #kdsl.autotune<space = [#kdsl.tune_param<"BLOCK" = [64, 128]>,
                                                   #kdsl.tune_param<"num_warps" = [4, 2]>],
                                          key = [], where = "">} {
  %pb = kdsl.splat %x [%HALF] : !kdsl.ptr<f32> -> tensor<?x!kdsl.ptr<f32>>
  %v = kdsl.load %pb : tensor<?x!kdsl.ptr<f32>> -> tensor<?xf32>
  kdsl.store %pb, %v : tensor<?x!kdsl.ptr<f32>>, tensor<?xf32>
  kdsl.return
}

// -----

// When no tuned config agrees with the values already chosen, the space
// contributes nothing and the default is used.
// CHECK-LABEL: kdsl.kernel @no_agreeing_config(
// CHECK-SAME: bindings = {BLOCK = 16 : i32}
// CHECK-SAME: num_stages = 1 : i32
// CHECK-SAME: num_warps = 4 : i32

// EXPLICIT-LABEL: kdsl.kernel @no_agreeing_config(
// EXPLICIT-SAME: bindings = {BLOCK = 128 : i32}
// EXPLICIT-SAME: num_stages = 1 : i32
kdsl.kernel @no_agreeing_config(%x: !kdsl.ptr<f32>, %BLOCK: i32 {kdsl.constexpr, kdsl.default = "16"})
    attributes {param_names = ["x", "BLOCK"], config = {num_stages = 1},
                autotune = #kdsl.autotune<space = [#kdsl.tune_param<"num_stages" = [3, 4]>,
                                                   #kdsl.tune_param<"BLOCK" = [256, 128]>],
                                          key = [], where = "">} {
  kdsl.return
}
