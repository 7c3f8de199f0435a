// -kdsl-pipeline-loops: the loads of a loop issued num_stages - 1 iterations
// ahead, one case per kernel.
// RUN: kdsl-opt %s -split-input-file -kdsl-pipeline-loops | FileCheck %s
// Dot operands are pipelined too, but carried staged in shared memory (by
// -kdsl-assign-layouts, which stages each block where it is loaded): the
// prologue loads iteration 0's tiles, then iteration 1's (the order in
// which the back end's copies complete), and the loop reads the oldest of
// each window and stages the tiles of the iteration 2 ahead after the dot.
// RUN: kdslc %examples/matmul.kdsl --emit=kdsl-layouts --config BM=64,BN=64,BK=32,num_warps=4,num_stages=3 | FileCheck %s --check-prefix=DOT
// DOT: %[[A0:.*]] = kdsl.load {{.*}} -> tensor<64x32xf16
// DOT-NEXT: %[[SA0:.*]] = kdsl.convert_layout %[[A0]] : {{.*}} -> tensor<64x32xf16, #[[$SA:shared[0-9]*]]>
// DOT: %[[B0:.*]] = kdsl.load {{.*}} -> tensor<32x64xf16
// DOT-NEXT: %[[SB0:.*]] = kdsl.convert_layout %[[B0]] : {{.*}} -> tensor<32x64xf16, #[[$SB:shared[0-9]*]]>
// DOT: %[[A1:.*]] = kdsl.load {{.*}} -> tensor<64x32xf16
// DOT-NEXT: %[[SA1:.*]] = kdsl.convert_layout %[[A1]]
// DOT: %[[B1:.*]] = kdsl.load {{.*}} -> tensor<32x64xf16
// DOT-NEXT: %[[SB1:.*]] = kdsl.convert_layout %[[B1]]
// DOT: scf.for {{.*}} iter_args(%{{.*}} = %{{.*}}, %[[WA0:.*]] = %[[SA0]], %[[WA1:.*]] = %[[SA1]], %[[WB0:.*]] = %[[SB0]], %[[WB1:.*]] = %[[SB1]]) -> (tensor<64x64xf32, #{{.*}}>, tensor<64x32xf16, #[[$SA]]>, tensor<64x32xf16, #[[$SA]]>, tensor<32x64xf16, #[[$SB]]>, tensor<32x64xf16, #[[$SB]]>)
// DOT: %[[NA:.*]] = kdsl.load
// DOT: %[[NB:.*]] = kdsl.load
// DOT-NEXT: %[[D:.*]] = kdsl.dot %[[WA0]], %[[WB0]], %{{.*}}
// DOT-NEXT: %[[SNA:.*]] = kdsl.convert_layout %[[NA]]
// DOT-NEXT: %[[SNB:.*]] = kdsl.convert_layout %[[NB]]
// DOT-NEXT: scf.yield %[[D]], %[[WA1]], %[[SNA]], %[[WB1]], %[[SNB]]

// num_stages = 3: a prologue loads iterations 0 and 1, each masked by
// whether it exists (compared in i64, so lb + 2 * step cannot wrap); the
// loop carries both and loads the iteration 2 ahead first thing.
// CHECK-LABEL: kdsl.kernel @chunks(
// CHECK: %[[E0:.*]] = arith.cmpi slt, %{{.*}}, %{{.*}} : i64
// CHECK: %[[M0:.*]] = kdsl.splat %[[E0]] : i1 -> tensor<32xi1>
// CHECK: %[[AND0:.*]] = arith.andi %{{.*}}, %[[M0]] : tensor<32xi1>
// CHECK: %[[L0:.*]] = kdsl.load %{{.*}} mask %[[AND0]] :
// CHECK: %[[L1:.*]] = kdsl.load %{{.*}} mask %{{.*}} :
// CHECK: scf.for %[[IV:.*]] = %{{.*}} to %{{.*}} step %{{.*}} iter_args(%[[ACC:.*]] = %{{.*}}, %[[S0:.*]] = %[[L0]], %[[S1:.*]] = %[[L1]])
// CHECK: %[[NEXT:.*]] = kdsl.load
// CHECK: %[[SUM:.*]] = arith.addf %[[ACC]], %[[S0]] : tensor<32xf32>
// CHECK: scf.yield %[[SUM]], %[[S1]], %[[NEXT]] :
kdsl.kernel @chunks(%x: !kdsl.ptr<f32>, %n: i32) attributes {bindings = {}, num_stages = 3 : i32, num_warps = 1 : i32, param_names = ["x", "n"]} {
  %c0 = arith.constant 0 : i32
  %c32 = arith.constant 32 : i32
  %f0 = arith.constant 0.0 : f32
  %r = kdsl.arange %c0, %c32 : tensor<32xi32>
  %xs = kdsl.splat %x : !kdsl.ptr<f32> -> tensor<32x!kdsl.ptr<f32>>
  %init = kdsl.splat %f0 : f32 -> tensor<32xf32>
  %s = scf.for %i = %c0 to %n step %c32 iter_args(%acc = %init) -> (tensor<32xf32>) : i32 {
    %off = kdsl.splat %i : i32 -> tensor<32xi32>
    %idx = arith.addi %off, %r : tensor<32xi32>
    %nn = kdsl.splat %n : i32 -> tensor<32xi32>
    %m = arith.cmpi slt, %idx, %nn : tensor<32xi32>
    %p = kdsl.addptr %xs, %idx : tensor<32x!kdsl.ptr<f32>>, tensor<32xi32>
    %v = kdsl.load %p mask %m : tensor<32x!kdsl.ptr<f32>>, tensor<32xi1> -> tensor<32xf32>
    %a = arith.addf %acc, %v : tensor<32xf32>
    scf.yield %a : tensor<32xf32>
  }
  %p0 = kdsl.addptr %xs, %r : tensor<32x!kdsl.ptr<f32>>, tensor<32xi32>
  kdsl.store %p0, %s : tensor<32x!kdsl.ptr<f32>>, tensor<32xf32>
  kdsl.return
}

// -----

// A store in the loop may feed a later iteration's load: left alone.
// CHECK-LABEL: kdsl.kernel @writes(
// CHECK-NOT: kdsl.load
// CHECK: scf.for
// CHECK-NEXT: kdsl.splat
// CHECK: kdsl.load
// CHECK: kdsl.store
kdsl.kernel @writes(%x: !kdsl.ptr<f32>, %n: i32) attributes {bindings = {}, num_stages = 3 : i32, num_warps = 1 : i32, param_names = ["x", "n"]} {
  %c0 = arith.constant 0 : i32
  %c32 = arith.constant 32 : i32
  %r = kdsl.arange %c0, %c32 : tensor<32xi32>
  %xs = kdsl.splat %x : !kdsl.ptr<f32> -> tensor<32x!kdsl.ptr<f32>>
  scf.for %i = %c0 to %n step %c32 : i32 {
    %off = kdsl.splat %i : i32 -> tensor<32xi32>
    %idx = arith.addi %off, %r : tensor<32xi32>
    %p = kdsl.addptr %xs, %idx : tensor<32x!kdsl.ptr<f32>>, tensor<32xi32>
    %v = kdsl.load %p : tensor<32x!kdsl.ptr<f32>> -> tensor<32xf32>
    %w = arith.addf %v, %v : tensor<32xf32>
    kdsl.store %p, %w : tensor<32x!kdsl.ptr<f32>>, tensor<32xf32>
  }
  kdsl.return
}

// -----

// A pointer carried by the loop that advances by the same amount every
// iteration (Triton's `p += BK`): the prologue loads at p0 and p0 + 32, the
// loop at p + 32 + 32, two iterations ahead.
// CHECK-LABEL: kdsl.kernel @carried(
// CHECK: %[[P0:.*]] = kdsl.addptr %{{.*}}, %{{.*}} : tensor<32x!kdsl.ptr<f32>>
// CHECK: %[[L0:.*]] = kdsl.load %[[P0]] mask
// CHECK: %[[P1:.*]] = kdsl.addptr %[[P0]], %[[STEP:.*]] :
// CHECK: %[[L1:.*]] = kdsl.load %[[P1]] mask
// CHECK: scf.for {{.*}} iter_args({{.*}}, %[[P:.*]] = %[[P0]], %[[W0:.*]] = %[[L0]], %[[W1:.*]] = %[[L1]])
// CHECK: %[[A1:.*]] = kdsl.addptr %[[P]], %[[S:.*]] :
// CHECK: %[[A2:.*]] = kdsl.addptr %[[A1]], %[[S]] :
// CHECK: %[[NEXT:.*]] = kdsl.load %[[A2]] mask
// CHECK: arith.addf %{{.*}}, %[[W0]]
// CHECK: scf.yield %{{.*}}, %{{.*}}, %[[W1]], %[[NEXT]]
// A carried value that advances by a loop-carried amount is known one
// iteration at a time: left alone. So is every loop at num_stages = 1
// (@one).
// CHECK-LABEL: kdsl.kernel @varying(
// CHECK-NOT: kdsl.load
// CHECK: scf.for
// CHECK: kdsl.load
// CHECK-LABEL: kdsl.kernel @one(
// CHECK-NOT: kdsl.load
// CHECK: scf.for
// CHECK: kdsl.load
kdsl.kernel @carried(%x: !kdsl.ptr<f32>, %n: i32) attributes {bindings = {}, num_stages = 3 : i32, num_warps = 1 : i32, param_names = ["x", "n"]} {
  %c0 = arith.constant 0 : i32
  %c32 = arith.constant 32 : i32
  %f0 = arith.constant 0.0 : f32
  %r = kdsl.arange %c0, %c32 : tensor<32xi32>
  %xs = kdsl.splat %x : !kdsl.ptr<f32> -> tensor<32x!kdsl.ptr<f32>>
  %p0 = kdsl.addptr %xs, %r : tensor<32x!kdsl.ptr<f32>>, tensor<32xi32>
  %init = kdsl.splat %f0 : f32 -> tensor<32xf32>
  %res:2 = scf.for %i = %c0 to %n step %c32 iter_args(%acc = %init, %p = %p0) -> (tensor<32xf32>, tensor<32x!kdsl.ptr<f32>>) : i32 {
    %v = kdsl.load %p : tensor<32x!kdsl.ptr<f32>> -> tensor<32xf32>
    %a = arith.addf %acc, %v : tensor<32xf32>
    %step = kdsl.splat %c32 : i32 -> tensor<32xi32>
    %q = kdsl.addptr %p, %step : tensor<32x!kdsl.ptr<f32>>, tensor<32xi32>
    scf.yield %a, %q : tensor<32xf32>, tensor<32x!kdsl.ptr<f32>>
  }
  kdsl.store %p0, %res#0 : tensor<32x!kdsl.ptr<f32>>, tensor<32xf32>
  kdsl.return
}
kdsl.kernel @varying(%x: !kdsl.ptr<f32>, %n: i32) attributes {bindings = {}, num_stages = 3 : i32, num_warps = 1 : i32, param_names = ["x", "n"]} {
  %c0 = arith.constant 0 : i32
  %c1 = arith.constant 1 : i32
  %c32 = arith.constant 32 : i32
  %f0 = arith.constant 0.0 : f32
  %r = kdsl.arange %c0, %c32 : tensor<32xi32>
  %xs = kdsl.splat %x : !kdsl.ptr<f32> -> tensor<32x!kdsl.ptr<f32>>
  %p0 = kdsl.addptr %xs, %r : tensor<32x!kdsl.ptr<f32>>, tensor<32xi32>
  %init = kdsl.splat %f0 : f32 -> tensor<32xf32>
  %res:3 = scf.for %i = %c0 to %n step %c32 iter_args(%acc = %init, %p = %p0, %d = %c1) -> (tensor<32xf32>, tensor<32x!kdsl.ptr<f32>>, i32) : i32 {
    %v = kdsl.load %p : tensor<32x!kdsl.ptr<f32>> -> tensor<32xf32>
    %a = arith.addf %acc, %v : tensor<32xf32>
    %step = kdsl.splat %d : i32 -> tensor<32xi32>
    %q = kdsl.addptr %p, %step : tensor<32x!kdsl.ptr<f32>>, tensor<32xi32>
    %d2 = arith.addi %d, %d : i32
    scf.yield %a, %q, %d2 : tensor<32xf32>, tensor<32x!kdsl.ptr<f32>>, i32
  }
  kdsl.store %p0, %res#0 : tensor<32x!kdsl.ptr<f32>>, tensor<32xf32>
  kdsl.return
}
kdsl.kernel @one(%x: !kdsl.ptr<f32>, %n: i32) attributes {bindings = {}, num_stages = 1 : i32, num_warps = 1 : i32, param_names = ["x", "n"]} {
  %c0 = arith.constant 0 : i32
  %c32 = arith.constant 32 : i32
  %f0 = arith.constant 0.0 : f32
  %r = kdsl.arange %c0, %c32 : tensor<32xi32>
  %xs = kdsl.splat %x : !kdsl.ptr<f32> -> tensor<32x!kdsl.ptr<f32>>
  %init = kdsl.splat %f0 : f32 -> tensor<32xf32>
  %s = scf.for %i = %c0 to %n step %c32 iter_args(%acc = %init) -> (tensor<32xf32>) : i32 {
    %off = kdsl.splat %i : i32 -> tensor<32xi32>
    %idx = arith.addi %off, %r : tensor<32xi32>
    %p = kdsl.addptr %xs, %idx : tensor<32x!kdsl.ptr<f32>>, tensor<32xi32>
    %v = kdsl.load %p : tensor<32x!kdsl.ptr<f32>> -> tensor<32xf32>
    %a = arith.addf %acc, %v : tensor<32xf32>
    scf.yield %a : tensor<32xf32>
  }
  %p0 = kdsl.addptr %xs, %r : tensor<32x!kdsl.ptr<f32>>, tensor<32xi32>
  kdsl.store %p0, %s : tensor<32x!kdsl.ptr<f32>>, tensor<32xf32>
  kdsl.return
}

// -----

// 512 f32 over 32 threads are 16 registers a stage: num_stages = 4 would
// hold 48 in flight, over the cap of 32, so the loop gets 3 stages (two
// iterations ahead).
// CHECK-LABEL: kdsl.kernel @wide(
// CHECK-COUNT-2: kdsl.load
// CHECK: scf.for %{{.*}} iter_args(%{{.*}} = %{{.*}}, %{{.*}} = %{{.*}}, %{{.*}} = %{{.*}}) -> (tensor<512xf32>, tensor<512xf32>, tensor<512xf32>)
kdsl.kernel @wide(%x: !kdsl.ptr<f32>, %n: i32) attributes {bindings = {}, num_stages = 4 : i32, num_warps = 1 : i32, param_names = ["x", "n"]} {
  %c0 = arith.constant 0 : i32
  %c512 = arith.constant 512 : i32
  %f0 = arith.constant 0.0 : f32
  %r = kdsl.arange %c0, %c512 : tensor<512xi32>
  %xs = kdsl.splat %x : !kdsl.ptr<f32> -> tensor<512x!kdsl.ptr<f32>>
  %init = kdsl.splat %f0 : f32 -> tensor<512xf32>
  %s = scf.for %i = %c0 to %n step %c512 iter_args(%acc = %init) -> (tensor<512xf32>) : i32 {
    %off = kdsl.splat %i : i32 -> tensor<512xi32>
    %idx = arith.addi %off, %r : tensor<512xi32>
    %p = kdsl.addptr %xs, %idx : tensor<512x!kdsl.ptr<f32>>, tensor<512xi32>
    %v = kdsl.load %p : tensor<512x!kdsl.ptr<f32>> -> tensor<512xf32>
    %a = arith.addf %acc, %v : tensor<512xf32>
    scf.yield %a : tensor<512xf32>
  }
  %p0 = kdsl.addptr %xs, %r : tensor<512x!kdsl.ptr<f32>>, tensor<512xi32>
  kdsl.store %p0, %s : tensor<512x!kdsl.ptr<f32>>, tensor<512xf32>
  kdsl.return
}
