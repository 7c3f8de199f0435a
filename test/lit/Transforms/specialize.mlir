// -kdsl-specialize binds every constexpr, removes it from the signature, sets
// num_warps/num_stages and turns every dynamic block dimension static.
// RUN: kdsl-opt %s -split-input-file -kdsl-specialize="config=BLOCK=256" | FileCheck %s --check-prefix=BIND

// A constexpr that sizes an arange, splats and a broadcast: every `?` becomes
// 256, the size operands go, and the argument becomes a constant.
// BIND-LABEL: kdsl.kernel @bind(
// BIND-SAME: %x: !kdsl.ptr<f32>, %out: !kdsl.ptr<f32>, %n: i32)
// BIND-SAME: attributes {bindings = {BLOCK = 256 : i32}, num_stages = 2 : i32, num_warps = 4 : i32, param_names = ["x", "out", "n"]}
// BIND-NOT: ?
// BIND-DAG: %[[C0:.*]] = arith.constant 0 : i32
// BIND-DAG: %[[C256:.*]] = arith.constant 256 : i32
// BIND-DAG: %[[PID:.*]] = kdsl.program_id 0
// BIND: %[[START:.*]] = arith.muli %[[PID]], %[[C256]] : i32
// BIND: %[[R:.*]] = kdsl.arange %[[C0]], %[[C256]] : tensor<256xi32>
// BIND: %[[S:.*]] = kdsl.splat %[[START]] : i32 -> tensor<256xi32>
// BIND: %[[OFFS:.*]] = arith.addi %[[S]], %[[R]] : tensor<256xi32>
// BIND: %[[N:.*]] = kdsl.splat %n : i32 -> tensor<256xi32>
// BIND: %[[MASK:.*]] = arith.cmpi slt, %[[OFFS]], %[[N]] : tensor<256xi32>
// BIND: %[[XB:.*]] = kdsl.splat %x : !kdsl.ptr<f32> -> tensor<256x!kdsl.ptr<f32>>
// BIND: %[[XP:.*]] = kdsl.addptr %[[XB]], %[[OFFS]] : tensor<256x!kdsl.ptr<f32>>, tensor<256xi32>
// BIND: %[[V:.*]] = kdsl.load %[[XP]] mask %[[MASK]] : tensor<256x!kdsl.ptr<f32>>, tensor<256xi1> -> tensor<256xf32>
// BIND: %[[ROW:.*]] = kdsl.expand_dims %[[V]] {axis = 0 : i32} : tensor<256xf32> -> tensor<1x256xf32>
// BIND: %[[B:.*]] = kdsl.broadcast %[[ROW]] : tensor<1x256xf32> -> tensor<4x256xf32>
// BIND: %[[SUM:.*]] = kdsl.reduce sum %[[B]] {axis = 0 : i32} : tensor<4x256xf32> -> tensor<256xf32>
// BIND: %[[OB:.*]] = kdsl.splat %out : !kdsl.ptr<f32> -> tensor<256x!kdsl.ptr<f32>>
// BIND: %[[OP:.*]] = kdsl.addptr %[[OB]], %[[OFFS]]
// BIND: kdsl.store %[[OP]], %[[SUM]] mask %[[MASK]] : tensor<256x!kdsl.ptr<f32>>, tensor<256xf32>, tensor<256xi1>
// BIND-NOT: ?
// BIND: kdsl.return
kdsl.kernel @bind(%x: !kdsl.ptr<f32>, %out: !kdsl.ptr<f32>, %n: i32, %BLOCK: i32 {kdsl.constexpr})
    attributes {param_names = ["x", "out", "n", "BLOCK"]} {
  %c0 = arith.constant 0 : i32
  %pid = kdsl.program_id 0
  %start = arith.muli %pid, %BLOCK : i32
  %r = kdsl.arange %c0, %BLOCK : tensor<?xi32>
  %s = kdsl.splat %start [%BLOCK] : i32 -> tensor<?xi32>
  %offs = arith.addi %s, %r : tensor<?xi32>
  %nb = kdsl.splat %n [%BLOCK] : i32 -> tensor<?xi32>
  %mask = arith.cmpi slt, %offs, %nb : tensor<?xi32>
  %xb = kdsl.splat %x [%BLOCK] : !kdsl.ptr<f32> -> tensor<?x!kdsl.ptr<f32>>
  %xp = kdsl.addptr %xb, %offs : tensor<?x!kdsl.ptr<f32>>, tensor<?xi32>
  %v = kdsl.load %xp mask %mask : tensor<?x!kdsl.ptr<f32>>, tensor<?xi1> -> tensor<?xf32>
  %row = kdsl.expand_dims %v {axis = 0 : i32} : tensor<?xf32> -> tensor<1x?xf32>
  %b = kdsl.broadcast %row [%BLOCK] : tensor<1x?xf32> -> tensor<4x?xf32>
  %sum = kdsl.reduce sum %b {axis = 0 : i32} : tensor<4x?xf32> -> tensor<?xf32>
  %ob = kdsl.splat %out [%BLOCK] : !kdsl.ptr<f32> -> tensor<?x!kdsl.ptr<f32>>
  %op = kdsl.addptr %ob, %offs : tensor<?x!kdsl.ptr<f32>>, tensor<?xi32>
  kdsl.store %op, %sum mask %mask : tensor<?x!kdsl.ptr<f32>>, tensor<?xf32>, tensor<?xi1>
  kdsl.return
}

// -----

// An scf.for that carries a dynamic-shaped block: the init, the region
// argument, the yield and the result all become tensor<256xf32>.
// BIND-LABEL: kdsl.kernel @loop(
// BIND-SAME: %p: !kdsl.ptr<f32>, %n: i32)
// BIND-SAME: bindings = {BLOCK = 256 : i32}
// BIND-NOT: ?
// BIND-DAG: %[[C0:.*]] = arith.constant 0 : i32
// BIND-DAG: %[[C256:.*]] = arith.constant 256 : i32
// BIND: %[[INIT:.*]] = kdsl.splat %{{.*}} : f32 -> tensor<256xf32>
// BIND: %[[ACC:.*]] = scf.for %[[K:.*]] = %[[C0]] to %n step %[[C256]] iter_args(%[[A:.*]] = %[[INIT]]) -> (tensor<256xf32>) : i32 {
// BIND: %[[X:.*]] = kdsl.load %{{.*}} : tensor<256x!kdsl.ptr<f32>> -> tensor<256xf32>
// BIND: %[[NEXT:.*]] = arith.addf %[[A]], %[[X]] : tensor<256xf32>
// BIND: scf.yield %[[NEXT]] : tensor<256xf32>
// BIND: }
// BIND: kdsl.reduce sum %[[ACC]] {axis = 0 : i32} : tensor<256xf32> -> f32
// BIND-NOT: ?
// BIND: kdsl.return
kdsl.kernel @loop(%p: !kdsl.ptr<f32>, %n: i32, %BLOCK: i32 {kdsl.constexpr})
    attributes {param_names = ["p", "n", "BLOCK"]} {
  %c0 = arith.constant 0 : i32
  %zero = arith.constant 0.0 : f32
  %init = kdsl.splat %zero [%BLOCK] : f32 -> tensor<?xf32>
  %r = kdsl.arange %c0, %BLOCK : tensor<?xi32>
  %acc = scf.for %k = %c0 to %n step %BLOCK iter_args(%a = %init) -> (tensor<?xf32>) : i32 {
    %pk = kdsl.addptr %p, %k : !kdsl.ptr<f32>, i32
    %pb = kdsl.splat %pk [%BLOCK] : !kdsl.ptr<f32> -> tensor<?x!kdsl.ptr<f32>>
    %ptrs = kdsl.addptr %pb, %r : tensor<?x!kdsl.ptr<f32>>, tensor<?xi32>
    %x = kdsl.load %ptrs : tensor<?x!kdsl.ptr<f32>> -> tensor<?xf32>
    %next = arith.addf %a, %x : tensor<?xf32>
    scf.yield %next : tensor<?xf32>
  }
  %t = kdsl.reduce sum %acc {axis = 0 : i32} : tensor<?xf32> -> f32
  kdsl.store %p, %t : !kdsl.ptr<f32>, f32
  kdsl.return
}

// -----

// static_asserts whose conditions fold to true disappear; a bool constexpr
// whose default reads another constexpr folds the scf.if on it away.
// BIND-LABEL: kdsl.kernel @checked(
// BIND-SAME: %p: !kdsl.ptr<f32>)
// BIND-SAME: bindings = {BLOCK = 256 : i32, EVEN = true}
// BIND-NOT: kdsl.static_assert
// BIND-NOT: scf.if
// BIND: %[[V:.*]] = kdsl.load %p : !kdsl.ptr<f32> -> f32
// BIND: %[[S:.*]] = math.sqrt %[[V]] : f32
// BIND: kdsl.store %p, %[[S]] : !kdsl.ptr<f32>, f32
// BIND-NOT: kdsl.static_assert
// BIND: kdsl.return
kdsl.kernel @checked(%p: !kdsl.ptr<f32>, %BLOCK: i32 {kdsl.constexpr},
                     %EVEN: i1 {kdsl.constexpr, kdsl.default = "BLOCK % 2 == 0"})
    attributes {param_names = ["p", "BLOCK", "EVEN"]} {
  %c16 = arith.constant 16 : i32
  %c0 = arith.constant 0 : i32
  %big = arith.cmpi sge, %BLOCK, %c16 : i32
  kdsl.static_assert %big, "BLOCK must be at least 16"
  %one = arith.constant 1 : i32
  %minus = arith.subi %BLOCK, %one : i32
  %and = arith.andi %BLOCK, %minus : i32
  %pow2 = arith.cmpi eq, %and, %c0 : i32
  kdsl.static_assert %pow2, "BLOCK must be a power of two"
  kdsl.static_assert %EVEN, "EVEN must be set"
  %v = kdsl.load %p : !kdsl.ptr<f32> -> f32
  %r = scf.if %EVEN -> (f32) {
    %s = math.sqrt %v : f32
    scf.yield %s : f32
  } else {
    scf.yield %v : f32
  }
  kdsl.store %p, %r : !kdsl.ptr<f32>, f32
  kdsl.return
}
