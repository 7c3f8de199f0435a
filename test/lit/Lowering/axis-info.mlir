// The axis analysis: [contiguity, divisibility, constancy] along the last
// dimension (divisibility in bytes for pointers).
// RUN: kdsl-opt %s -kdsl-test-axis-info="assume-aligned=true divisible=stride,s equal-to-one=s" | FileCheck %s
// RUN: kdsl-opt %s -kdsl-test-axis-info | FileCheck %s --check-prefix=GENERIC

// CHECK-LABEL: kdsl.kernel @rows
// GENERIC-LABEL: kdsl.kernel @rows
kdsl.kernel @rows(%x: !kdsl.ptr<f32>, %n: i32, %stride: i32) attributes {bindings = {}, num_stages = 2 : i32, num_warps = 4 : i32, param_names = ["x", "n", "stride"]} {
  %c0 = arith.constant 0 : i32
  %c256 = arith.constant 256 : i32
  // CHECK: kdsl.program_id 0 {axis_info = array<i64: 1, 1, 1>}
  %pid = kdsl.program_id 0
  // A row start: divisible by 16 only when the stride is.
  // CHECK: arith.muli %{{.*}} {axis_info = array<i64: 1, 16, 1>}
  // GENERIC: arith.muli %{{.*}} {axis_info = array<i64: 1, 1, 1>}
  %row = arith.muli %pid, %stride : i32
  // CHECK: kdsl.arange %{{.*}} {axis_info = array<i64: 256, 1073741824, 1>}
  %cols = kdsl.arange %c0, %c256 : tensor<256xi32>
  // CHECK: kdsl.splat %{{.*}} {axis_info = array<i64: 1, 16, 256>}
  %rows = kdsl.splat %row : i32 -> tensor<256xi32>
  // CHECK: arith.addi %{{.*}} {axis_info = array<i64: 256, 16, 1>}
  %offs = arith.addi %rows, %cols : tensor<256xi32>
  // CHECK: kdsl.addptr %{{.*}} {axis_info = array<i64: 256, 16, 1>}
  // GENERIC: kdsl.addptr %{{.*}} {axis_info = array<i64: 256, 4, 1>}
  %xs = kdsl.splat %x : !kdsl.ptr<f32> -> tensor<256x!kdsl.ptr<f32>>
  %p = kdsl.addptr %xs, %offs : tensor<256x!kdsl.ptr<f32>>, tensor<256xi32>
  // A product of a contiguous run is contiguous nowhere and divisible only
  // as its factors' single elements are.
  // CHECK: arith.muli %{{.*}} {axis_info = array<i64: 1, 1, 1>}
  %sq = arith.muli %cols, %cols : tensor<256xi32>
  // `cols < n`: uniform over runs of 16 when n is a multiple of 16.
  %nn = kdsl.splat %n : i32 -> tensor<256xi32>
  // CHECK: arith.cmpi slt, %{{.*}} {axis_info = array<i64: 1, 1, 1>}
  %m = arith.cmpi slt, %cols, %nn : tensor<256xi32>
  %ss = kdsl.splat %stride : i32 -> tensor<256xi32>
  // CHECK: arith.cmpi slt, %{{.*}} {axis_info = array<i64: 1, 1, 16>}
  %m2 = arith.cmpi slt, %cols, %ss : tensor<256xi32>
  kdsl.return
}

// A loop's induction variable, lb + i * step, is divisible by what divides
// both: 256 from 0 by 256, 16 from a div16 stride by 256 (1 when the stride
// is not known divisible).
// CHECK-LABEL: kdsl.kernel @chunks
// GENERIC-LABEL: kdsl.kernel @chunks
kdsl.kernel @chunks(%x: !kdsl.ptr<f32>, %n: i32, %stride: i32) attributes {bindings = {}, num_stages = 2 : i32, num_warps = 4 : i32, param_names = ["x", "n", "stride"]} {
  %c0 = arith.constant 0 : i32
  %c256 = arith.constant 256 : i32
  scf.for %i = %c0 to %n step %c256 : i32 {
    // CHECK: kdsl.splat %{{.*}} {axis_info = array<i64: 1, 256, 256>}
    %k = kdsl.splat %i : i32 -> tensor<256xi32>
  }
  scf.for %j = %stride to %n step %c256 : i32 {
    // CHECK: kdsl.splat %{{.*}} {axis_info = array<i64: 1, 16, 256>}
    // GENERIC: kdsl.splat %{{.*}} {axis_info = array<i64: 1, 1, 256>}
    %k = kdsl.splat %j : i32 -> tensor<256xi32>
  }
  kdsl.return
}

// A change of layout keeps what is known of the values: here the constancy
// of a splat and the contiguity and divisibility of an arange.
// CHECK-LABEL: kdsl.kernel @moved
kdsl.kernel @moved(%n: i32) attributes {bindings = {}, num_stages = 2 : i32, num_warps = 4 : i32, param_names = ["n"]} {
  %c0 = arith.constant 0 : i32
  %c256 = arith.constant 256 : i32
  %s = kdsl.splat %n : i32 -> tensor<256xi32, #kdsl.blocked<sizePerThread = [4], threadsPerWarp = [32], warpsPerCTA = [4], order = [0]>>
  // CHECK: kdsl.convert_layout %{{.*}} {axis_info = array<i64: 1, 1, 256>}
  %t = kdsl.convert_layout %s : tensor<256xi32, #kdsl.blocked<sizePerThread = [4], threadsPerWarp = [32], warpsPerCTA = [4], order = [0]>> -> tensor<256xi32, #kdsl.blocked<sizePerThread = [2], threadsPerWarp = [32], warpsPerCTA = [4], order = [0]>>
  %r = kdsl.arange %c0, %c256 : tensor<256xi32, #kdsl.blocked<sizePerThread = [4], threadsPerWarp = [32], warpsPerCTA = [4], order = [0]>>
  // CHECK: kdsl.convert_layout %{{.*}} {axis_info = array<i64: 256, 1073741824, 1>}
  %u = kdsl.convert_layout %r : tensor<256xi32, #kdsl.blocked<sizePerThread = [4], threadsPerWarp = [32], warpsPerCTA = [4], order = [0]>> -> tensor<256xi32, #kdsl.blocked<sizePerThread = [2], threadsPerWarp = [32], warpsPerCTA = [4], order = [0]>>
  kdsl.return
}

// x % n of a contiguous x >= 0 is consecutive between multiples of n: runs
// of 16 where n is a multiple of 16 (a bias broadcast down rows by
// `offs % n_cols`). A dividend that may be negative gets no runs.
// CHECK-LABEL: kdsl.kernel @remainder
// GENERIC-LABEL: kdsl.kernel @remainder
kdsl.kernel @remainder(%stride: i32) attributes {bindings = {}, num_stages = 2 : i32, num_warps = 4 : i32, param_names = ["stride"]} {
  %c0 = arith.constant 0 : i32
  %c1 = arith.constant 1 : i32
  %c256 = arith.constant 256 : i32
  %pid = kdsl.program_id 0
  %base = arith.muli %pid, %c256 : i32
  %cols = kdsl.arange %c0, %c256 : tensor<256xi32>
  %bases = kdsl.splat %base : i32 -> tensor<256xi32>
  %offs = arith.addi %bases, %cols : tensor<256xi32>
  %n = kdsl.splat %stride : i32 -> tensor<256xi32>
  // CHECK: arith.remsi %{{.*}} {axis_info = array<i64: 16, 16, 1>}
  // GENERIC: arith.remsi %{{.*}} {axis_info = array<i64: 1, 1, 1>}
  %r = arith.remsi %offs, %n : tensor<256xi32>
  %ones = kdsl.splat %c1 : i32 -> tensor<256xi32>
  %shifted = arith.subi %offs, %ones : tensor<256xi32>
  // CHECK: arith.remsi %{{.*}} {axis_info = array<i64: 1, 1, 1>}
  %r2 = arith.remsi %shifted, %n : tensor<256xi32>
  // A uniform dividend keeps what divides both.
  %c64 = arith.constant 64 : i32
  %k = kdsl.splat %c64 : i32 -> tensor<256xi32>
  // CHECK: arith.remsi %{{.*}} {axis_info = array<i64: 1, 16, 256>}
  %r3 = arith.remsi %k, %n : tensor<256xi32>
  kdsl.return
}

// x * 1 is x, for a constant 1 and for a parameter the unit specialization
// assumes 1: the offsets stay contiguous, so the accesses can be vectors. A
// sign-extended i1 true is -1, not 1.
// CHECK-LABEL: kdsl.kernel @unit_stride
// GENERIC-LABEL: kdsl.kernel @unit_stride
kdsl.kernel @unit_stride(%x: !kdsl.ptr<f32>, %s: i32) attributes {bindings = {}, num_stages = 2 : i32, num_warps = 4 : i32, param_names = ["x", "s"]} {
  %c0 = arith.constant 0 : i32
  %c1 = arith.constant 1 : i32
  %c256 = arith.constant 256 : i32
  %cols = kdsl.arange %c0, %c256 : tensor<256xi32>
  // A parameter both 1 and divisible by 16 (the lists disagree) is taken as 1.
  // CHECK: arith.muli %{{.*}} {axis_info = array<i64: 1, 1, 1>}
  %s1 = arith.muli %s, %c1 : i32
  %ss = kdsl.splat %s : i32 -> tensor<256xi32>
  // CHECK: arith.muli %{{.*}} {axis_info = array<i64: 256, 1073741824, 1>}
  // GENERIC: arith.muli %{{.*}} {axis_info = array<i64: 1, 1, 1>}
  %by_s = arith.muli %cols, %ss : tensor<256xi32>
  %ones = kdsl.splat %c1 : i32 -> tensor<256xi32>
  // CHECK: arith.muli %{{.*}} {axis_info = array<i64: 256, 1073741824, 1>}
  // GENERIC: arith.muli %{{.*}} {axis_info = array<i64: 256, 1073741824, 1>}
  %by_one = arith.muli %ones, %cols : tensor<256xi32>
  %true = arith.constant true
  %minus_one = arith.extsi %true : i1 to i32
  %m1 = kdsl.splat %minus_one : i32 -> tensor<256xi32>
  // CHECK: arith.muli %{{.*}} {axis_info = array<i64: 1, 1, 1>}
  %by_minus_one = arith.muli %cols, %m1 : tensor<256xi32>
  %xs = kdsl.splat %x : !kdsl.ptr<f32> -> tensor<256x!kdsl.ptr<f32>>
  %p = kdsl.addptr %xs, %by_s : tensor<256x!kdsl.ptr<f32>>, tensor<256xi32>
  %v = kdsl.load %p : tensor<256x!kdsl.ptr<f32>> -> tensor<256xf32>
  %q = kdsl.addptr %xs, %by_one : tensor<256x!kdsl.ptr<f32>>, tensor<256xi32>
  kdsl.store %q, %v : tensor<256x!kdsl.ptr<f32>>, tensor<256xf32>
  kdsl.return
}
