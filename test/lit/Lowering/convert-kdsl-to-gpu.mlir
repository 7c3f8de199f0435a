// -convert-kdsl-to-gpu on small variants, one case per kernel.
// RUN: kdsl-opt %s -kdsl-assign-layouts -convert-kdsl-to-gpu="assume-aligned=true" | FileCheck %s
// RUN: kdsl-opt %s -kdsl-assign-layouts -convert-kdsl-to-gpu | FileCheck %s --check-prefix=GENERIC

// 512 f32 over 128 threads: chunks of 4, so one 16-byte access per thread
// when the pointers are aligned; the mask is tested at run time.
// CHECK-LABEL: gpu.func @copy(
// CHECK-SAME: known_block_size = array<i32: 128, 1, 1>
// CHECK: %[[TID:.*]] = nvvm.read.ptx.sreg.tid.x : i32
// CHECK: scf.if
// CHECK: llvm.load %{{.*}} {alignment = 16 : i64} : !llvm.ptr<1> -> vector<4xf32>
// CHECK: llvm.store %{{.*}} {alignment = 16 : i64} : vector<4xf32>, !llvm.ptr<1>
// CHECK: gpu.return
// GENERIC-LABEL: gpu.func @copy(
// GENERIC-NOT: vector<4xf32>
// GENERIC: gpu.return
kdsl.kernel @copy(%x: !kdsl.ptr<f32>, %y: !kdsl.ptr<f32>, %n: i32) attributes {bindings = {}, num_stages = 2 : i32, num_warps = 4 : i32, param_names = ["x", "y", "n"]} {
  %c0 = arith.constant 0 : i32
  %c512 = arith.constant 512 : i32
  %pid = kdsl.program_id 0
  %base = arith.muli %pid, %c512 : i32
  %r = kdsl.arange %c0, %c512 : tensor<512xi32>
  %b = kdsl.splat %base : i32 -> tensor<512xi32>
  %offs = arith.addi %b, %r : tensor<512xi32>
  %nn = kdsl.splat %n : i32 -> tensor<512xi32>
  %mask = arith.cmpi slt, %offs, %nn : tensor<512xi32>
  %xs = kdsl.splat %x : !kdsl.ptr<f32> -> tensor<512x!kdsl.ptr<f32>>
  %px = kdsl.addptr %xs, %offs : tensor<512x!kdsl.ptr<f32>>, tensor<512xi32>
  %v = kdsl.load %px mask %mask : tensor<512x!kdsl.ptr<f32>>, tensor<512xi1> -> tensor<512xf32>
  %ys = kdsl.splat %y : !kdsl.ptr<f32> -> tensor<512x!kdsl.ptr<f32>>
  %py = kdsl.addptr %ys, %offs : tensor<512x!kdsl.ptr<f32>>, tensor<512xi32>
  kdsl.store %py, %v mask %mask : tensor<512x!kdsl.ptr<f32>>, tensor<512xf32>, tensor<512xi1>
  kdsl.return
}

// A sum to a scalar: in-thread, then five butterfly shuffles, then across
// the two warps through shared memory (two halves of 2 x 16 bytes, which
// consecutive reductions alternate). The kernel's first reduction needs no
// barrier before its writes: nothing has read the scratch yet.
// CHECK-LABEL: gpu.func @total(
// CHECK-SAME: kdsl.shared_bytes = 64
// CHECK-COUNT-5: gpu.shuffle  xor %{{.*}} : f32
// CHECK-NOT: gpu.barrier
// CHECK: llvm.store %{{.*}} : f32, !llvm.ptr<3>
// CHECK: gpu.barrier
// CHECK: llvm.load %{{.*}} : !llvm.ptr<3> -> f32
kdsl.kernel @total(%x: !kdsl.ptr<f32>, %out: !kdsl.ptr<f32>) attributes {bindings = {}, num_stages = 2 : i32, num_warps = 2 : i32, param_names = ["x", "out"]} {
  %c0 = arith.constant 0 : i32
  %c256 = arith.constant 256 : i32
  %r = kdsl.arange %c0, %c256 : tensor<256xi32>
  %xs = kdsl.splat %x : !kdsl.ptr<f32> -> tensor<256x!kdsl.ptr<f32>>
  %px = kdsl.addptr %xs, %r : tensor<256x!kdsl.ptr<f32>>, tensor<256xi32>
  %v = kdsl.load %px : tensor<256x!kdsl.ptr<f32>> -> tensor<256xf32>
  %s = kdsl.reduce sum %v {axis = 0 : i32} : tensor<256xf32> -> f32
  kdsl.store %out, %s : !kdsl.ptr<f32>, f32
  kdsl.return
}

// expand_dims and broadcast of an arange are recomputed where they are
// needed (no shared memory); a transpose of loaded data goes through it,
// with one barrier between the writes and the reads (nothing read shared
// memory before, so the writes need none).
// CHECK-LABEL: gpu.func @outer(
// CHECK-SAME: kdsl.shared_bytes = 1024
// CHECK: gpu.barrier
// CHECK-NOT: gpu.barrier
// CHECK: gpu.return
kdsl.kernel @outer(%x: !kdsl.ptr<f32>, %y: !kdsl.ptr<f32>) attributes {bindings = {}, num_stages = 2 : i32, num_warps = 1 : i32, param_names = ["x", "y"]} {
  %c0 = arith.constant 0 : i32
  %c16 = arith.constant 16 : i32
  %r = kdsl.arange %c0, %c16 : tensor<16xi32>
  %row = kdsl.expand_dims %r {axis = 1 : i32} : tensor<16xi32> -> tensor<16x1xi32>
  %rows = kdsl.broadcast %row : tensor<16x1xi32> -> tensor<16x16xi32>
  %s = kdsl.splat %c16 : i32 -> tensor<16x16xi32>
  %scaled = arith.muli %rows, %s : tensor<16x16xi32>
  %col = kdsl.expand_dims %r {axis = 0 : i32} : tensor<16xi32> -> tensor<1x16xi32>
  %cols = kdsl.broadcast %col : tensor<1x16xi32> -> tensor<16x16xi32>
  %offs = arith.addi %scaled, %cols : tensor<16x16xi32>
  %xs = kdsl.splat %x : !kdsl.ptr<f32> -> tensor<16x16x!kdsl.ptr<f32>>
  %px = kdsl.addptr %xs, %offs : tensor<16x16x!kdsl.ptr<f32>>, tensor<16x16xi32>
  %v = kdsl.load %px : tensor<16x16x!kdsl.ptr<f32>> -> tensor<16x16xf32>
  %t = kdsl.trans %v : tensor<16x16xf32> -> tensor<16x16xf32>
  %ys = kdsl.splat %y : !kdsl.ptr<f32> -> tensor<16x16x!kdsl.ptr<f32>>
  %py = kdsl.addptr %ys, %offs : tensor<16x16x!kdsl.ptr<f32>>, tensor<16x16xi32>
  kdsl.store %py, %t : tensor<16x16x!kdsl.ptr<f32>>, tensor<16x16xf32>
  kdsl.return
}

// dot by FMA: both operands through shared memory, then a loop over K with
// the accumulators as iteration values.
// CHECK-LABEL: gpu.func @mm(
// CHECK: gpu.barrier
// CHECK: scf.for %{{.*}} = %{{.*}} to %{{.*}} step %{{.*}} iter_args(%{{.*}} = %{{.*}}, %{{.*}} = %{{.*}}) -> (f32, f32)
// CHECK: llvm.intr.fma
kdsl.kernel @mm(%a: !kdsl.ptr<f16>, %c: !kdsl.ptr<f32>) attributes {bindings = {}, num_stages = 2 : i32, num_warps = 4 : i32, param_names = ["a", "c"]} {
  %c0 = arith.constant 0 : i32
  %c256 = arith.constant 256 : i32
  %zero = arith.constant 0.0 : f32
  %r = kdsl.arange %c0, %c256 : tensor<256xi32>
  %o = kdsl.reshape %r : tensor<256xi32> -> tensor<16x16xi32>
  %as = kdsl.splat %a : !kdsl.ptr<f16> -> tensor<16x16x!kdsl.ptr<f16>>
  %pa = kdsl.addptr %as, %o : tensor<16x16x!kdsl.ptr<f16>>, tensor<16x16xi32>
  %va = kdsl.load %pa : tensor<16x16x!kdsl.ptr<f16>> -> tensor<16x16xf16>
  %acc = kdsl.splat %zero : f32 -> tensor<16x16xf32>
  %d = kdsl.dot %va, %va, %acc : tensor<16x16xf16>, tensor<16x16xf16> -> tensor<16x16xf32>
  %cs = kdsl.splat %c : !kdsl.ptr<f32> -> tensor<16x16x!kdsl.ptr<f32>>
  %pc = kdsl.addptr %cs, %o : tensor<16x16x!kdsl.ptr<f32>>, tensor<16x16xi32>
  kdsl.store %pc, %d : tensor<16x16x!kdsl.ptr<f32>>, tensor<16x16xf32>
  kdsl.return
}

// dot(a, trans(b)): b's tile is staged once, transposed in how it is laid
// out, and the dot reads it through the view: two tiles of 512 bytes, one
// barrier (the transpose itself moves nothing).
// CHECK-LABEL: gpu.func @mm_trans(
// CHECK-SAME: kdsl.shared_bytes = 1024
// CHECK: gpu.barrier
// CHECK-NOT: gpu.barrier
// CHECK: llvm.intr.fma
// CHECK-NOT: gpu.barrier
// CHECK: gpu.return
kdsl.kernel @mm_trans(%a: !kdsl.ptr<f16>, %c: !kdsl.ptr<f32>) attributes {bindings = {}, num_stages = 2 : i32, num_warps = 4 : i32, param_names = ["a", "c"]} {
  %c0 = arith.constant 0 : i32
  %c256 = arith.constant 256 : i32
  %zero = arith.constant 0.0 : f32
  %r = kdsl.arange %c0, %c256 : tensor<256xi32>
  %o = kdsl.reshape %r : tensor<256xi32> -> tensor<16x16xi32>
  %as = kdsl.splat %a : !kdsl.ptr<f16> -> tensor<16x16x!kdsl.ptr<f16>>
  %pa = kdsl.addptr %as, %o : tensor<16x16x!kdsl.ptr<f16>>, tensor<16x16xi32>
  %va = kdsl.load %pa : tensor<16x16x!kdsl.ptr<f16>> -> tensor<16x16xf16>
  %acc = kdsl.splat %zero : f32 -> tensor<16x16xf32>
  %vt = kdsl.trans %va : tensor<16x16xf16> -> tensor<16x16xf16>
  %d = kdsl.dot %va, %vt, %acc : tensor<16x16xf16>, tensor<16x16xf16> -> tensor<16x16xf32>
  %cs = kdsl.splat %c : !kdsl.ptr<f32> -> tensor<16x16x!kdsl.ptr<f32>>
  %pc = kdsl.addptr %cs, %o : tensor<16x16x!kdsl.ptr<f32>>, tensor<16x16xi32>
  kdsl.store %pc, %d : tensor<16x16x!kdsl.ptr<f32>>, tensor<16x16xf32>
  kdsl.return
}

// Two reductions in a row: the second writes the other half of the scratch
// and needs no barrier before its writes; two barriers in all, one after
// each reduction's writes.
// CHECK-LABEL: gpu.func @two(
// CHECK-COUNT-2: gpu.barrier
// CHECK-NOT: gpu.barrier
// CHECK: gpu.return
kdsl.kernel @two(%x: !kdsl.ptr<f32>, %out: !kdsl.ptr<f32>) attributes {bindings = {}, num_stages = 2 : i32, num_warps = 4 : i32, param_names = ["x", "out"]} {
  %c0 = arith.constant 0 : i32
  %c512 = arith.constant 512 : i32
  %r = kdsl.arange %c0, %c512 : tensor<512xi32>
  %xs = kdsl.splat %x : !kdsl.ptr<f32> -> tensor<512x!kdsl.ptr<f32>>
  %px = kdsl.addptr %xs, %r : tensor<512x!kdsl.ptr<f32>>, tensor<512xi32>
  %v = kdsl.load %px : tensor<512x!kdsl.ptr<f32>> -> tensor<512xf32>
  %m = kdsl.reduce max %v {axis = 0 : i32} : tensor<512xf32> -> f32
  %s = kdsl.reduce sum %v {axis = 0 : i32} : tensor<512xf32> -> f32
  %t = arith.addf %m, %s : f32
  kdsl.store %out, %t : !kdsl.ptr<f32>, f32
  kdsl.return
}

// A reduction in a loop: the previous iteration read the scratch, so each
// iteration waits before writing it (a barrier before and one after the
// writes, both in the loop).
// CHECK-LABEL: gpu.func @in_loop(
// CHECK: scf.for
// CHECK: gpu.barrier
// CHECK: llvm.store %{{.*}} : f32, !llvm.ptr<3>
// CHECK: gpu.barrier
// CHECK: scf.yield
kdsl.kernel @in_loop(%x: !kdsl.ptr<f32>, %out: !kdsl.ptr<f32>, %n: i32) attributes {bindings = {}, num_stages = 1 : i32, num_warps = 4 : i32, param_names = ["x", "out", "n"]} {
  %c0 = arith.constant 0 : i32
  %c1 = arith.constant 1 : i32
  %c512 = arith.constant 512 : i32
  %zero = arith.constant 0.0 : f32
  %r = kdsl.arange %c0, %c512 : tensor<512xi32>
  %xs = kdsl.splat %x : !kdsl.ptr<f32> -> tensor<512x!kdsl.ptr<f32>>
  %px = kdsl.addptr %xs, %r : tensor<512x!kdsl.ptr<f32>>, tensor<512xi32>
  %v = kdsl.load %px : tensor<512x!kdsl.ptr<f32>> -> tensor<512xf32>
  %t = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %zero) -> (f32) : i32 {
    %s = kdsl.reduce sum %v {axis = 0 : i32} : tensor<512xf32> -> f32
    %a = arith.addf %acc, %s : f32
    scf.yield %a : f32
  }
  kdsl.store %out, %t : !kdsl.ptr<f32>, f32
  kdsl.return
}

// The maximum of each of 2 rows of 512 over 4 warps. The 2 rows cannot hold
// the 4 warps, so the default layout stays: each warp's 32 lanes along a
// row, all 4 warps along each. In registers, five butterfly shuffles per row
// a thread holds (2), then the 4 warps' partials through shared memory with
// one barrier; the rows never go through shared memory.
// CHECK-LABEL: gpu.func @row_max(
// CHECK-SAME: kdsl.shared_bytes = 32
// CHECK-COUNT-10: gpu.shuffle xor %{{.*}}, %{{.*}}, %{{.*}} : f32
// CHECK-NOT: gpu.shuffle
// CHECK: llvm.store %{{.*}} : f32, !llvm.ptr<3>
// CHECK: gpu.barrier
// CHECK-NOT: gpu.barrier
// CHECK: gpu.return
kdsl.kernel @row_max(%x: !kdsl.ptr<f32>, %y: !kdsl.ptr<f32>) attributes {bindings = {}, num_stages = 2 : i32, num_warps = 4 : i32, param_names = ["x", "y"]} {
  %c0 = arith.constant 0 : i32
  %c2 = arith.constant 2 : i32
  %c1024 = arith.constant 1024 : i32
  %r = kdsl.arange %c0, %c1024 : tensor<1024xi32>
  %o = kdsl.reshape %r : tensor<1024xi32> -> tensor<2x512xi32>
  %xs = kdsl.splat %x : !kdsl.ptr<f32> -> tensor<2x512x!kdsl.ptr<f32>>
  %px = kdsl.addptr %xs, %o : tensor<2x512x!kdsl.ptr<f32>>, tensor<2x512xi32>
  %v = kdsl.load %px : tensor<2x512x!kdsl.ptr<f32>> -> tensor<2x512xf32>
  %m = kdsl.reduce max %v {axis = 1 : i32} : tensor<2x512xf32> -> tensor<2xf32>
  %rows = kdsl.arange %c0, %c2 : tensor<2xi32>
  %ys = kdsl.splat %y : !kdsl.ptr<f32> -> tensor<2x!kdsl.ptr<f32>>
  %py = kdsl.addptr %ys, %rows : tensor<2x!kdsl.ptr<f32>>, tensor<2xi32>
  kdsl.store %py, %m : tensor<2x!kdsl.ptr<f32>>, tensor<2xf32>
  kdsl.return
}

// Two reductions of the same rows, one after the other, as a softmax does:
// the second's partials go to the bytes after the first's, which threads may
// still be reading, so it needs no barrier before its writes: one barrier
// each, where one area would take three.
// CHECK-LABEL: gpu.func @row_max_then_sum(
// CHECK-SAME: kdsl.shared_bytes = 64
// CHECK: llvm.store %{{.*}} : f32, !llvm.ptr<3>
// CHECK: gpu.barrier
// CHECK: llvm.load %{{.*}} : !llvm.ptr<3> -> f32
// CHECK-NOT: gpu.barrier
// CHECK: llvm.getelementptr %{{.*}}[32] : (!llvm.ptr<3>) -> !llvm.ptr<3>, i8
// CHECK: llvm.store %{{.*}} : f32, !llvm.ptr<3>
// CHECK: gpu.barrier
// CHECK-NOT: gpu.barrier
// CHECK: gpu.return
kdsl.kernel @row_max_then_sum(%x: !kdsl.ptr<f32>, %y: !kdsl.ptr<f32>) attributes {bindings = {}, num_stages = 2 : i32, num_warps = 4 : i32, param_names = ["x", "y"]} {
  %c0 = arith.constant 0 : i32
  %c2 = arith.constant 2 : i32
  %c1024 = arith.constant 1024 : i32
  %r = kdsl.arange %c0, %c1024 : tensor<1024xi32>
  %o = kdsl.reshape %r : tensor<1024xi32> -> tensor<2x512xi32>
  %xs = kdsl.splat %x : !kdsl.ptr<f32> -> tensor<2x512x!kdsl.ptr<f32>>
  %px = kdsl.addptr %xs, %o : tensor<2x512x!kdsl.ptr<f32>>, tensor<2x512xi32>
  %v = kdsl.load %px : tensor<2x512x!kdsl.ptr<f32>> -> tensor<2x512xf32>
  %m = kdsl.reduce max %v {axis = 1 : i32} : tensor<2x512xf32> -> tensor<2xf32>
  %m1 = kdsl.expand_dims %m {axis = 1 : i32} : tensor<2xf32> -> tensor<2x1xf32>
  %mb = kdsl.broadcast %m1 : tensor<2x1xf32> -> tensor<2x512xf32>
  %d = arith.subf %v, %mb : tensor<2x512xf32>
  %t = kdsl.reduce sum %d {axis = 1 : i32} : tensor<2x512xf32> -> tensor<2xf32>
  %rows = kdsl.arange %c0, %c2 : tensor<2xi32>
  %ys = kdsl.splat %y : !kdsl.ptr<f32> -> tensor<2x!kdsl.ptr<f32>>
  %py = kdsl.addptr %ys, %rows : tensor<2x!kdsl.ptr<f32>>, tensor<2xi32>
  kdsl.store %py, %t : tensor<2x!kdsl.ptr<f32>>, tensor<2xf32>
  kdsl.return
}

// Two transposes of a 4 KiB tile, one after the other: a large exchange
// does not grow shared memory to skip a barrier (that could cost
// occupancy), so the second reuses the first's area after a barrier.
// CHECK-LABEL: gpu.func @two_transposes(
// CHECK-SAME: kdsl.shared_bytes = 4096
// CHECK-COUNT-3: gpu.barrier
// CHECK-NOT: gpu.barrier
// CHECK: gpu.return
kdsl.kernel @two_transposes(%x: !kdsl.ptr<f32>, %y: !kdsl.ptr<f32>) attributes {bindings = {}, num_stages = 2 : i32, num_warps = 4 : i32, param_names = ["x", "y"]} {
  %c0 = arith.constant 0 : i32
  %c1024 = arith.constant 1024 : i32
  %r = kdsl.arange %c0, %c1024 : tensor<1024xi32>
  %o = kdsl.reshape %r : tensor<1024xi32> -> tensor<32x32xi32>
  %xs = kdsl.splat %x : !kdsl.ptr<f32> -> tensor<32x32x!kdsl.ptr<f32>>
  %px = kdsl.addptr %xs, %o : tensor<32x32x!kdsl.ptr<f32>>, tensor<32x32xi32>
  %v = kdsl.load %px : tensor<32x32x!kdsl.ptr<f32>> -> tensor<32x32xf32>
  %t = kdsl.trans %v : tensor<32x32xf32> -> tensor<32x32xf32>
  %w = arith.addf %t, %v : tensor<32x32xf32>
  %u = kdsl.trans %w : tensor<32x32xf32> -> tensor<32x32xf32>
  %ys = kdsl.splat %y : !kdsl.ptr<f32> -> tensor<32x32x!kdsl.ptr<f32>>
  %py = kdsl.addptr %ys, %o : tensor<32x32x!kdsl.ptr<f32>>, tensor<32x32xi32>
  kdsl.store %py, %u : tensor<32x32x!kdsl.ptr<f32>>, tensor<32x32xf32>
  kdsl.return
}

// 4 rows of 256 over 4 warps: a warp per row, so each row is reduced by
// five butterfly shuffles alone, with no shared memory and no barrier.
// CHECK-LABEL: gpu.func @row_max_warp_per_row(
// CHECK-SAME: kdsl.shared_bytes = 0
// CHECK-COUNT-5: gpu.shuffle xor %{{.*}}, %{{.*}}, %{{.*}} : f32
// CHECK-NOT: gpu.shuffle
// CHECK-NOT: gpu.barrier
// CHECK-NOT: !llvm.ptr<3>
// CHECK: gpu.return
kdsl.kernel @row_max_warp_per_row(%x: !kdsl.ptr<f32>, %y: !kdsl.ptr<f32>) attributes {bindings = {}, num_stages = 2 : i32, num_warps = 4 : i32, param_names = ["x", "y"]} {
  %c0 = arith.constant 0 : i32
  %c4 = arith.constant 4 : i32
  %c1024 = arith.constant 1024 : i32
  %r = kdsl.arange %c0, %c1024 : tensor<1024xi32>
  %o = kdsl.reshape %r : tensor<1024xi32> -> tensor<4x256xi32>
  %xs = kdsl.splat %x : !kdsl.ptr<f32> -> tensor<4x256x!kdsl.ptr<f32>>
  %px = kdsl.addptr %xs, %o : tensor<4x256x!kdsl.ptr<f32>>, tensor<4x256xi32>
  %v = kdsl.load %px : tensor<4x256x!kdsl.ptr<f32>> -> tensor<4x256xf32>
  %m = kdsl.reduce max %v {axis = 1 : i32} : tensor<4x256xf32> -> tensor<4xf32>
  %rows = kdsl.arange %c0, %c4 : tensor<4xi32>
  %ys = kdsl.splat %y : !kdsl.ptr<f32> -> tensor<4x!kdsl.ptr<f32>>
  %py = kdsl.addptr %ys, %rows : tensor<4x!kdsl.ptr<f32>>, tensor<4xi32>
  kdsl.store %py, %m : tensor<4x!kdsl.ptr<f32>>, tensor<4xf32>
  kdsl.return
}

// One row of 128 over 8 warps: the layout covers it with 4 warps, and warps
// 4-7 hold copies (wrapped around dimension 0). Only lane 0 along the row of
// the first copy writes each warp's partial, so no two threads write one
// scratch slot.
// CHECK-LABEL: gpu.func @row_max_copies(
// CHECK: %[[LANE0:.*]] = arith.cmpi eq
// CHECK: %[[FIRST:.*]] = arith.cmpi ult, %{{.*}}, %c1_i32
// CHECK: scf.if %[[LANE0]] {
// CHECK-NEXT: scf.if %[[FIRST]] {
// CHECK: llvm.store %{{.*}} : f32, !llvm.ptr<3>
// CHECK: gpu.barrier
kdsl.kernel @row_max_copies(%x: !kdsl.ptr<f32>, %y: !kdsl.ptr<f32>) attributes {bindings = {}, num_stages = 2 : i32, num_warps = 8 : i32, param_names = ["x", "y"]} {
  %c0 = arith.constant 0 : i32
  %c1 = arith.constant 1 : i32
  %c128 = arith.constant 128 : i32
  %r = kdsl.arange %c0, %c128 : tensor<128xi32>
  %o = kdsl.reshape %r : tensor<128xi32> -> tensor<1x128xi32>
  %xs = kdsl.splat %x : !kdsl.ptr<f32> -> tensor<1x128x!kdsl.ptr<f32>>
  %px = kdsl.addptr %xs, %o : tensor<1x128x!kdsl.ptr<f32>>, tensor<1x128xi32>
  %v = kdsl.load %px : tensor<1x128x!kdsl.ptr<f32>> -> tensor<1x128xf32>
  %m = kdsl.reduce max %v {axis = 1 : i32} : tensor<1x128xf32> -> tensor<1xf32>
  %rows = kdsl.arange %c0, %c1 : tensor<1xi32>
  %ys = kdsl.splat %y : !kdsl.ptr<f32> -> tensor<1x!kdsl.ptr<f32>>
  %py = kdsl.addptr %ys, %rows : tensor<1x!kdsl.ptr<f32>>, tensor<1xi32>
  kdsl.store %py, %m : tensor<1x!kdsl.ptr<f32>>, tensor<1xf32>
  kdsl.return
}

// f32 division, of blocks and of scalars, is PTX's div.full.f32 (within
// 2 ulp, as Triton lowers it); f64 division stays correctly rounded.
// CHECK-LABEL: gpu.func @divide(
// CHECK: llvm.call_intrinsic "llvm.nvvm.div.full"(%{{.*}}, %{{.*}}) : (f32, f32) -> f32
// CHECK: llvm.call_intrinsic "llvm.nvvm.div.full"(%{{.*}}, %{{.*}}) : (f32, f32) -> f32
// CHECK-NOT: arith.divf %{{.*}} : f32
// CHECK: arith.divf %{{.*}}, %{{.*}} : f64
// CHECK: gpu.return
kdsl.kernel @divide(%x: !kdsl.ptr<f32>, %s: f32, %d: f64, %out: !kdsl.ptr<f64>) attributes {bindings = {}, num_stages = 2 : i32, num_warps = 1 : i32, param_names = ["x", "s", "d", "out"]} {
  %c0 = arith.constant 0 : i32
  %c32 = arith.constant 32 : i32
  %one = arith.constant 1.0 : f32
  %inv = arith.divf %one, %s : f32
  %r = kdsl.arange %c0, %c32 : tensor<32xi32>
  %xs = kdsl.splat %x : !kdsl.ptr<f32> -> tensor<32x!kdsl.ptr<f32>>
  %px = kdsl.addptr %xs, %r : tensor<32x!kdsl.ptr<f32>>, tensor<32xi32>
  %v = kdsl.load %px : tensor<32x!kdsl.ptr<f32>> -> tensor<32xf32>
  %is = kdsl.splat %inv : f32 -> tensor<32xf32>
  %q = arith.divf %v, %is : tensor<32xf32>
  kdsl.store %px, %q : tensor<32x!kdsl.ptr<f32>>, tensor<32xf32>
  %half = arith.divf %d, %d : f64
  kdsl.store %out, %half : !kdsl.ptr<f64>, f64
  kdsl.return
}

// argmax over 8 slots per thread: a thread meets its slots in index order,
// so a later slot wins only by a larger value or a NaN (unordered-greater,
// unless the best so far is a NaN); no index is compared until the lanes
// exchange theirs, where a tie goes to the smaller index.
// CHECK-LABEL: gpu.func @first_max(
// CHECK-NOT: arith.cmpi
// CHECK-COUNT-7: arith.cmpf ugt
// CHECK-NOT: arith.cmpf ugt
// CHECK: gpu.shuffle  xor %{{.*}} : f32
// CHECK: gpu.shuffle  xor %{{.*}} : i32
// CHECK: arith.cmpi slt
// CHECK: arith.cmpf uno
// CHECK: arith.cmpf oeq
kdsl.kernel @first_max(%x: !kdsl.ptr<f32>, %out: !kdsl.ptr<i32>) attributes {bindings = {}, num_stages = 2 : i32, num_warps = 1 : i32, param_names = ["x", "out"]} {
  %c0 = arith.constant 0 : i32
  %c256 = arith.constant 256 : i32
  %r = kdsl.arange %c0, %c256 : tensor<256xi32>
  %xs = kdsl.splat %x : !kdsl.ptr<f32> -> tensor<256x!kdsl.ptr<f32>>
  %px = kdsl.addptr %xs, %r : tensor<256x!kdsl.ptr<f32>>, tensor<256xi32>
  %v = kdsl.load %px : tensor<256x!kdsl.ptr<f32>> -> tensor<256xf32>
  %i = kdsl.reduce argmax %v {axis = 0 : i32} : tensor<256xf32> -> i32
  kdsl.store %out, %i : !kdsl.ptr<i32>, i32
  kdsl.return
}
