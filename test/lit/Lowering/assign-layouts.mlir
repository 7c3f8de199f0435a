// -kdsl-assign-layouts on small variants, one case per kernel.
// RUN: kdsl-opt %s -split-input-file -kdsl-assign-layouts -mlir-print-local-scope | FileCheck %s

// 512 elements over 4 warps: 4 contiguous elements per thread; the load,
// the add and the store share the layout and nothing is converted.
// CHECK-LABEL: kdsl.kernel @vector(
// CHECK-NOT: kdsl.convert_layout
// CHECK: kdsl.arange %{{.*}} : tensor<512xi32, #[[B:kdsl.blocked<sizePerThread = \[4\], threadsPerWarp = \[32\], warpsPerCTA = \[4\], order = \[0\]>]]>
// CHECK: kdsl.load %{{.*}} -> tensor<512xf32, #[[B]]>
// CHECK: arith.addf %{{.*}} : tensor<512xf32, #[[B]]>
// CHECK-NOT: kdsl.convert_layout
// CHECK: kdsl.return
kdsl.kernel @vector(%x: !kdsl.ptr<f32>, %y: !kdsl.ptr<f32>) attributes {bindings = {}, num_stages = 2 : i32, num_warps = 4 : i32, param_names = ["x", "y"]} {
  %c0 = arith.constant 0 : i32
  %c512 = arith.constant 512 : i32
  %r = kdsl.arange %c0, %c512 : tensor<512xi32>
  %xs = kdsl.splat %x : !kdsl.ptr<f32> -> tensor<512x!kdsl.ptr<f32>>
  %px = kdsl.addptr %xs, %r : tensor<512x!kdsl.ptr<f32>>, tensor<512xi32>
  %v = kdsl.load %px : tensor<512x!kdsl.ptr<f32>> -> tensor<512xf32>
  %w = arith.addf %v, %v : tensor<512xf32>
  %ys = kdsl.splat %y : !kdsl.ptr<f32> -> tensor<512x!kdsl.ptr<f32>>
  %py = kdsl.addptr %ys, %r : tensor<512x!kdsl.ptr<f32>>, tensor<512xi32>
  kdsl.store %py, %w : tensor<512x!kdsl.ptr<f32>>, tensor<512xf32>
  kdsl.return
}

// -----

// A block smaller than the CTA wraps around: 16 elements, 128 threads.
// CHECK-LABEL: kdsl.kernel @small(
// CHECK: tensor<16xi32, #kdsl.blocked<sizePerThread = [1], threadsPerWarp = [32], warpsPerCTA = [4], order = [0]>>
kdsl.kernel @small(%x: !kdsl.ptr<i32>) attributes {bindings = {}, num_stages = 2 : i32, num_warps = 4 : i32, param_names = ["x"]} {
  %c0 = arith.constant 0 : i32
  %c16 = arith.constant 16 : i32
  %r = kdsl.arange %c0, %c16 : tensor<16xi32>
  %xs = kdsl.splat %x : !kdsl.ptr<i32> -> tensor<16x!kdsl.ptr<i32>>
  %px = kdsl.addptr %xs, %r : tensor<16x!kdsl.ptr<i32>>, tensor<16xi32>
  kdsl.store %px, %r : tensor<16x!kdsl.ptr<i32>>, tensor<16xi32>
  kdsl.return
}

// -----

// Softmax over 4 rows of 256: every reduction is along the rows, so warps
// fill the rows first (one each) and each row is reduced within a warp. The
// row maximum is a slice of the rows' layout, reduced in place (no
// conversion), and expand_dims and the broadcast give the rows' layout back,
// so the subtraction converts nothing. The index vectors are made in slices
// of the layouts their expand_dims give, so they convert nothing either.
// CHECK-LABEL: kdsl.kernel @rows(
// CHECK-NOT: kdsl.convert_layout
// CHECK: %[[X:.*]] = kdsl.load %{{.*}} -> tensor<4x256xf32, #kdsl.blocked[[B:<sizePerThread = \[1, 4\], threadsPerWarp = \[1, 32\], warpsPerCTA = \[4, 1\], order = \[1, 0\]>]]>
// CHECK: %[[MAX:.*]] = kdsl.reduce max %[[X]] {axis = 1 : i32} : tensor<4x256xf32, #kdsl.blocked[[B]]> -> tensor<4xf32, #kdsl.slice<dim = 1, parent = [[B]]>>
// CHECK: %[[E:.*]] = kdsl.expand_dims %[[MAX]] {axis = 1 : i32} : tensor<4xf32, #kdsl.slice<dim = 1, parent = [[B]]>> -> tensor<4x1xf32, #kdsl.blocked[[B]]>
// CHECK: %[[BC:.*]] = kdsl.broadcast %[[E]] : tensor<4x1xf32, #kdsl.blocked[[B]]> -> tensor<4x256xf32, #kdsl.blocked[[B]]>
// CHECK: arith.subf %[[X]], %[[BC]] : tensor<4x256xf32, #kdsl.blocked[[B]]>
// CHECK-NOT: kdsl.convert_layout
// CHECK: kdsl.return
kdsl.kernel @rows(%x: !kdsl.ptr<f32>, %y: !kdsl.ptr<f32>) attributes {bindings = {}, num_stages = 2 : i32, num_warps = 4 : i32, param_names = ["x", "y"]} {
  %c0 = arith.constant 0 : i32
  %c4 = arith.constant 4 : i32
  %c256 = arith.constant 256 : i32
  %r = kdsl.arange %c0, %c4 : tensor<4xi32>
  %c = kdsl.arange %c0, %c256 : tensor<256xi32>
  %r1 = kdsl.expand_dims %r {axis = 1 : i32} : tensor<4xi32> -> tensor<4x1xi32>
  %s = kdsl.splat %c256 : i32 -> tensor<4x1xi32>
  %rs = arith.muli %r1, %s : tensor<4x1xi32>
  %rb = kdsl.broadcast %rs : tensor<4x1xi32> -> tensor<4x256xi32>
  %c1 = kdsl.expand_dims %c {axis = 0 : i32} : tensor<256xi32> -> tensor<1x256xi32>
  %cb = kdsl.broadcast %c1 : tensor<1x256xi32> -> tensor<4x256xi32>
  %offs = arith.addi %rb, %cb : tensor<4x256xi32>
  %xs = kdsl.splat %x : !kdsl.ptr<f32> -> tensor<4x256x!kdsl.ptr<f32>>
  %px = kdsl.addptr %xs, %offs : tensor<4x256x!kdsl.ptr<f32>>, tensor<4x256xi32>
  %v = kdsl.load %px : tensor<4x256x!kdsl.ptr<f32>> -> tensor<4x256xf32>
  %m = kdsl.reduce max %v {axis = 1 : i32} : tensor<4x256xf32> -> tensor<4xf32>
  %m1 = kdsl.expand_dims %m {axis = 1 : i32} : tensor<4xf32> -> tensor<4x1xf32>
  %mb = kdsl.broadcast %m1 : tensor<4x1xf32> -> tensor<4x256xf32>
  %d = arith.subf %v, %mb : tensor<4x256xf32>
  %ys = kdsl.splat %y : !kdsl.ptr<f32> -> tensor<4x256x!kdsl.ptr<f32>>
  %py = kdsl.addptr %ys, %offs : tensor<4x256x!kdsl.ptr<f32>>, tensor<4x256xi32>
  kdsl.store %py, %d : tensor<4x256x!kdsl.ptr<f32>>, tensor<4x256xf32>
  kdsl.return
}

// -----

// Reductions along both axes of one rank: warps fill dimensions from the
// last, as when nothing is reduced (here 2 along the columns, as many as
// their 256 elements hold, and the other 2 along the rows).
// CHECK-LABEL: kdsl.kernel @both_axes(
// CHECK: kdsl.load %{{.*}} -> tensor<4x256xf32, #kdsl.blocked<sizePerThread = [1, 4], threadsPerWarp = [1, 32], warpsPerCTA = [2, 2], order = [1, 0]>>
kdsl.kernel @both_axes(%x: !kdsl.ptr<f32>, %y: !kdsl.ptr<f32>) attributes {bindings = {}, num_stages = 2 : i32, num_warps = 4 : i32, param_names = ["x", "y"]} {
  %c0 = arith.constant 0 : i32
  %c1024 = arith.constant 1024 : i32
  %r = kdsl.arange %c0, %c1024 : tensor<1024xi32>
  %o = kdsl.reshape %r : tensor<1024xi32> -> tensor<4x256xi32>
  %xs = kdsl.splat %x : !kdsl.ptr<f32> -> tensor<4x256x!kdsl.ptr<f32>>
  %px = kdsl.addptr %xs, %o : tensor<4x256x!kdsl.ptr<f32>>, tensor<4x256xi32>
  %v = kdsl.load %px : tensor<4x256x!kdsl.ptr<f32>> -> tensor<4x256xf32>
  %rows = kdsl.reduce sum %v {axis = 1 : i32} : tensor<4x256xf32> -> tensor<4xf32>
  %cols = kdsl.reduce sum %v {axis = 0 : i32} : tensor<4x256xf32> -> tensor<256xf32>
  %a = kdsl.reduce sum %rows {axis = 0 : i32} : tensor<4xf32> -> f32
  %b = kdsl.reduce sum %cols {axis = 0 : i32} : tensor<256xf32> -> f32
  %s = arith.addf %a, %b : f32
  kdsl.store %y, %s : !kdsl.ptr<f32>, f32
  kdsl.return
}

// -----

// A row of weights scaling every row of a block: the weights' load is made
// in the slice of the block's layout (each warp loads the row it needs), so
// expand_dims and the broadcast move nothing and no loaded value makes a
// round trip through shared memory.
// CHECK-LABEL: kdsl.kernel @row_weights(
// CHECK-NOT: kdsl.convert_layout
// CHECK: %[[W:.*]] = kdsl.load %{{.*}} -> tensor<256xf32, #kdsl.slice<dim = 0, parent = [[B:<sizePerThread = \[1, 4\], threadsPerWarp = \[1, 32\], warpsPerCTA = \[4, 1\], order = \[1, 0\]>]]>>
// CHECK: %[[E:.*]] = kdsl.expand_dims %[[W]] {axis = 0 : i32} : tensor<256xf32, #kdsl.slice<dim = 0, parent = [[B]]>> -> tensor<1x256xf32, #kdsl.blocked[[B]]>
// CHECK: kdsl.broadcast %[[E]] : tensor<1x256xf32, #kdsl.blocked[[B]]> -> tensor<4x256xf32, #kdsl.blocked[[B]]>
// CHECK-NOT: kdsl.convert_layout
// CHECK: kdsl.return
kdsl.kernel @row_weights(%x: !kdsl.ptr<f32>, %w: !kdsl.ptr<f32>, %y: !kdsl.ptr<f32>) attributes {bindings = {}, num_stages = 2 : i32, num_warps = 4 : i32, param_names = ["x", "w", "y"]} {
  %c0 = arith.constant 0 : i32
  %c256 = arith.constant 256 : i32
  %c1024 = arith.constant 1024 : i32
  %r = kdsl.arange %c0, %c1024 : tensor<1024xi32>
  %o = kdsl.reshape %r : tensor<1024xi32> -> tensor<4x256xi32>
  %xs = kdsl.splat %x : !kdsl.ptr<f32> -> tensor<4x256x!kdsl.ptr<f32>>
  %px = kdsl.addptr %xs, %o : tensor<4x256x!kdsl.ptr<f32>>, tensor<4x256xi32>
  %v = kdsl.load %px : tensor<4x256x!kdsl.ptr<f32>> -> tensor<4x256xf32>
  %m = kdsl.reduce max %v {axis = 1 : i32} : tensor<4x256xf32> -> tensor<4xf32>
  %c = kdsl.arange %c0, %c256 : tensor<256xi32>
  %ws = kdsl.splat %w : !kdsl.ptr<f32> -> tensor<256x!kdsl.ptr<f32>>
  %pw = kdsl.addptr %ws, %c : tensor<256x!kdsl.ptr<f32>>, tensor<256xi32>
  %vw = kdsl.load %pw : tensor<256x!kdsl.ptr<f32>> -> tensor<256xf32>
  %w1 = kdsl.expand_dims %vw {axis = 0 : i32} : tensor<256xf32> -> tensor<1x256xf32>
  %wb = kdsl.broadcast %w1 : tensor<1x256xf32> -> tensor<4x256xf32>
  %d = arith.mulf %v, %wb : tensor<4x256xf32>
  %ys = kdsl.splat %y : !kdsl.ptr<f32> -> tensor<4x256x!kdsl.ptr<f32>>
  %py = kdsl.addptr %ys, %o : tensor<4x256x!kdsl.ptr<f32>>, tensor<4x256xi32>
  kdsl.store %py, %d : tensor<4x256x!kdsl.ptr<f32>>, tensor<4x256xf32>
  kdsl.return
}

// -----

// A loop carries its initial layout through every iteration, so a block
// that is both loop-carried and broadcast keeps its own layout (a slice
// would be converted to in every iteration); after the loop, expand_dims and
// the broadcast move it once.
// CHECK-LABEL: kdsl.kernel @carried_row(
// CHECK: %[[W:.*]] = kdsl.load %{{.*}} -> tensor<256xf32, #[[D:kdsl.blocked<sizePerThread = \[2\], threadsPerWarp = \[32\], warpsPerCTA = \[4\], order = \[0\]>]]>
// CHECK: scf.for {{.*}} iter_args(%{{.*}} = %[[W]]) -> (tensor<256xf32, #[[D]]>)
// CHECK-NOT: kdsl.convert_layout
// CHECK: scf.yield
// CHECK: kdsl.expand_dims %[[W]] {axis = 0 : i32} : tensor<256xf32, #[[D]]>
kdsl.kernel @carried_row(%x: !kdsl.ptr<f32>, %w: !kdsl.ptr<f32>, %y: !kdsl.ptr<f32>, %n: i32) attributes {bindings = {}, num_stages = 2 : i32, num_warps = 4 : i32, param_names = ["x", "w", "y", "n"]} {
  %c0 = arith.constant 0 : i32
  %c1 = arith.constant 1 : i32
  %c256 = arith.constant 256 : i32
  %c1024 = arith.constant 1024 : i32
  %c = kdsl.arange %c0, %c256 : tensor<256xi32>
  %ws = kdsl.splat %w : !kdsl.ptr<f32> -> tensor<256x!kdsl.ptr<f32>>
  %pw = kdsl.addptr %ws, %c : tensor<256x!kdsl.ptr<f32>>, tensor<256xi32>
  %vw = kdsl.load %pw : tensor<256x!kdsl.ptr<f32>> -> tensor<256xf32>
  %xs1 = kdsl.splat %x : !kdsl.ptr<f32> -> tensor<256x!kdsl.ptr<f32>>
  %px1 = kdsl.addptr %xs1, %c : tensor<256x!kdsl.ptr<f32>>, tensor<256xi32>
  %acc = scf.for %i = %c0 to %n step %c1 iter_args(%a = %vw) -> (tensor<256xf32>) : i32 {
    %v = kdsl.load %px1 : tensor<256x!kdsl.ptr<f32>> -> tensor<256xf32>
    %next = arith.addf %a, %v : tensor<256xf32>
    scf.yield %next : tensor<256xf32>
  }
  kdsl.store %px1, %acc : tensor<256x!kdsl.ptr<f32>>, tensor<256xf32>
  %r = kdsl.arange %c0, %c1024 : tensor<1024xi32>
  %o = kdsl.reshape %r : tensor<1024xi32> -> tensor<4x256xi32>
  %xs = kdsl.splat %x : !kdsl.ptr<f32> -> tensor<4x256x!kdsl.ptr<f32>>
  %px = kdsl.addptr %xs, %o : tensor<4x256x!kdsl.ptr<f32>>, tensor<4x256xi32>
  %xv = kdsl.load %px : tensor<4x256x!kdsl.ptr<f32>> -> tensor<4x256xf32>
  %w1 = kdsl.expand_dims %vw {axis = 0 : i32} : tensor<256xf32> -> tensor<1x256xf32>
  %wb = kdsl.broadcast %w1 : tensor<1x256xf32> -> tensor<4x256xf32>
  %d = arith.mulf %xv, %wb : tensor<4x256xf32>
  %m = kdsl.reduce sum %d {axis = 1 : i32} : tensor<4x256xf32> -> tensor<4xf32>
  %s = kdsl.reduce sum %m {axis = 0 : i32} : tensor<4xf32> -> f32
  kdsl.store %y, %s : !kdsl.ptr<f32>, f32
  kdsl.return
}

// -----

// Storing a row statistic: the value stays in its slice layout and the
// pointers, index arithmetic that can be recomputed, are converted to it.
// CHECK-LABEL: kdsl.kernel @row_sums(
// CHECK: %[[SUM:.*]] = kdsl.reduce sum %{{.*}} -> tensor<64xf32, #[[SL:kdsl.slice<dim = 1, parent = <[^>]*>>]]>
// CHECK: %[[P:.*]] = kdsl.convert_layout %{{.*}} : tensor<64x!kdsl.ptr<f32>, #kdsl.blocked<{{[^>]*}}>> -> tensor<64x!kdsl.ptr<f32>, #[[SL]]>
// CHECK: kdsl.store %[[P]], %[[SUM]] : tensor<64x!kdsl.ptr<f32>, #[[SL]]>, tensor<64xf32, #[[SL]]>
kdsl.kernel @row_sums(%x: !kdsl.ptr<f32>, %y: !kdsl.ptr<f32>) attributes {bindings = {}, num_stages = 2 : i32, num_warps = 2 : i32, param_names = ["x", "y"]} {
  %c0 = arith.constant 0 : i32
  %c64 = arith.constant 64 : i32
  %c1024 = arith.constant 1024 : i32
  %r = kdsl.arange %c0, %c1024 : tensor<1024xi32>
  %o = kdsl.reshape %r : tensor<1024xi32> -> tensor<64x16xi32>
  %xs = kdsl.splat %x : !kdsl.ptr<f32> -> tensor<64x16x!kdsl.ptr<f32>>
  %px = kdsl.addptr %xs, %o : tensor<64x16x!kdsl.ptr<f32>>, tensor<64x16xi32>
  %v = kdsl.load %px : tensor<64x16x!kdsl.ptr<f32>> -> tensor<64x16xf32>
  %s = kdsl.reduce sum %v {axis = 1 : i32} : tensor<64x16xf32> -> tensor<64xf32>
  %rows = kdsl.arange %c0, %c64 : tensor<64xi32>
  %ys = kdsl.splat %y : !kdsl.ptr<f32> -> tensor<64x!kdsl.ptr<f32>>
  %py = kdsl.addptr %ys, %rows : tensor<64x!kdsl.ptr<f32>>, tensor<64xi32>
  kdsl.store %py, %s : tensor<64x!kdsl.ptr<f32>>, tensor<64xf32>
  kdsl.return
}

// -----

// dot: both operands are staged in shared memory; the accumulator and the
// result share the default layout of the output tile.
// CHECK-LABEL: kdsl.kernel @mm(
// CHECK: %[[A:.*]] = kdsl.convert_layout %[[V:.*]] : tensor<16x16xf16, #[[B:kdsl.blocked<[^>]*>]]> -> tensor<16x16xf16, #[[M:kdsl.shared<order = \[1, 0\]>]]>
// CHECK: %[[BB:.*]] = kdsl.convert_layout %[[V]] : tensor<16x16xf16, #[[B]]> -> tensor<16x16xf16, #[[M]]>
// CHECK: kdsl.dot %[[A]], %[[BB]], %{{.*}} : tensor<16x16xf16, #[[M]]>, tensor<16x16xf16, #[[M]]> -> tensor<16x16xf32, #[[B]]>
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

// -----

// A dot mma.sync can compute (f16 or bf16 operands, an f32 accumulator, M
// and K multiples of 16, N a multiple of 8 per warp) gets mma.sync's
// accumulator layout: lanes 8 x 4 over a 16x8 tile holding two columns each,
// warps tiled 2 x 2 (Triton's warpsPerTile: along M while each warp has as
// many 16-row tiles as 8-column ones). Its initial accumulator, the loop that carries
// it and the store after it use that layout (only the pointers, which are
// recomputed, are converted). Its operands are staged swizzled for ldmatrix:
// 16-byte chunks XORed with the row's phase, rows of 64 bytes two to a
// phase among 4 chunks, rows of 128 bytes one to a phase among 8. A dot of
// f32 operands keeps the default layout (the FMA path).
// CHECK-LABEL: kdsl.kernel @mm_loop(
// CHECK: %[[INIT:.*]] = kdsl.splat %{{.*}} : f32 -> tensor<64x64xf32, #[[MMA:kdsl.blocked<sizePerThread = \[1, 2\], threadsPerWarp = \[8, 4\], warpsPerCTA = \[2, 2\], order = \[1, 0\]>]]>
// CHECK: %[[SUM:.*]] = scf.for {{.*}} iter_args(%[[ACC:.*]] = %[[INIT]]) -> (tensor<64x64xf32, #[[MMA]]>)
// CHECK: %[[D:.*]] = kdsl.dot %{{.*}}, %{{.*}}, %[[ACC]] : tensor<64x32xf16, #kdsl.shared<order = [1, 0], vec = 8, perPhase = 2, maxPhase = 4>>, tensor<32x64xf16, #kdsl.shared<order = [1, 0], vec = 8, perPhase = 1, maxPhase = 8>> -> tensor<64x64xf32, #[[MMA]]>
// CHECK-NEXT: scf.yield %[[D]] : tensor<64x64xf32, #[[MMA]]>
// CHECK: kdsl.store %{{.*}}, %[[SUM]] : tensor<64x64x!kdsl.ptr<f32>, #[[MMA]]>, tensor<64x64xf32, #[[MMA]]>
// CHECK: kdsl.dot {{.*}} : tensor<64x32xf32, #kdsl.shared<order = [1, 0]>>, tensor<32x64xf32, #kdsl.shared<order = [1, 0]>> -> tensor<64x64xf32, #kdsl.blocked<sizePerThread = [1, 4]
kdsl.kernel @mm_loop(%a: !kdsl.ptr<f16>, %b: !kdsl.ptr<f16>, %x: !kdsl.ptr<f32>, %c: !kdsl.ptr<f32>, %n: i32) attributes {bindings = {}, num_stages = 2 : i32, num_warps = 4 : i32, param_names = ["a", "b", "x", "c", "n"]} {
  %c0 = arith.constant 0 : i32
  %c1 = arith.constant 1 : i32
  %c2048 = arith.constant 2048 : i32
  %c4096 = arith.constant 4096 : i32
  %zero = arith.constant 0.0 : f32
  %r = kdsl.arange %c0, %c2048 : tensor<2048xi32>
  %oa = kdsl.reshape %r : tensor<2048xi32> -> tensor<64x32xi32>
  %ob = kdsl.reshape %r : tensor<2048xi32> -> tensor<32x64xi32>
  %as = kdsl.splat %a : !kdsl.ptr<f16> -> tensor<64x32x!kdsl.ptr<f16>>
  %pa = kdsl.addptr %as, %oa : tensor<64x32x!kdsl.ptr<f16>>, tensor<64x32xi32>
  %bs = kdsl.splat %b : !kdsl.ptr<f16> -> tensor<32x64x!kdsl.ptr<f16>>
  %pb = kdsl.addptr %bs, %ob : tensor<32x64x!kdsl.ptr<f16>>, tensor<32x64xi32>
  %init = kdsl.splat %zero : f32 -> tensor<64x64xf32>
  %sum = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %init) -> (tensor<64x64xf32>) : i32 {
    %va = kdsl.load %pa : tensor<64x32x!kdsl.ptr<f16>> -> tensor<64x32xf16>
    %vb = kdsl.load %pb : tensor<32x64x!kdsl.ptr<f16>> -> tensor<32x64xf16>
    %d = kdsl.dot %va, %vb, %acc : tensor<64x32xf16>, tensor<32x64xf16> -> tensor<64x64xf32>
    scf.yield %d : tensor<64x64xf32>
  }
  %rc = kdsl.arange %c0, %c4096 : tensor<4096xi32>
  %oc = kdsl.reshape %rc : tensor<4096xi32> -> tensor<64x64xi32>
  %cs = kdsl.splat %c : !kdsl.ptr<f32> -> tensor<64x64x!kdsl.ptr<f32>>
  %pc = kdsl.addptr %cs, %oc : tensor<64x64x!kdsl.ptr<f32>>, tensor<64x64xi32>
  kdsl.store %pc, %sum : tensor<64x64x!kdsl.ptr<f32>>, tensor<64x64xf32>
  %xs = kdsl.splat %x : !kdsl.ptr<f32> -> tensor<64x32x!kdsl.ptr<f32>>
  %px = kdsl.addptr %xs, %oa : tensor<64x32x!kdsl.ptr<f32>>, tensor<64x32xi32>
  %vx = kdsl.load %px : tensor<64x32x!kdsl.ptr<f32>> -> tensor<64x32xf32>
  %xs2 = kdsl.splat %x : !kdsl.ptr<f32> -> tensor<32x64x!kdsl.ptr<f32>>
  %px2 = kdsl.addptr %xs2, %ob : tensor<32x64x!kdsl.ptr<f32>>, tensor<32x64xi32>
  %vx2 = kdsl.load %px2 : tensor<32x64x!kdsl.ptr<f32>> -> tensor<32x64xf32>
  %f = kdsl.dot %vx, %vx2, %init : tensor<64x32xf32>, tensor<32x64xf32> -> tensor<64x64xf32>
  kdsl.store %pc, %f : tensor<64x64x!kdsl.ptr<f32>>, tensor<64x64xf32>
  kdsl.return
}

// -----

// A loop-carried block keeps the layout of its initial value: the row sums
// computed in the body (a slice) are converted to it.
// CHECK-LABEL: kdsl.kernel @carried(
// CHECK: scf.for {{.*}} iter_args(%[[ACC:.*]] = %{{.*}}) -> (tensor<32xf32, #[[B:kdsl.blocked<[^>]*>]]>)
// CHECK: %[[S:.*]] = kdsl.reduce sum {{.*}} -> tensor<32xf32, #[[SL:kdsl.slice<dim = 1, parent = <[^>]*>>]]>
// CHECK: %[[C:.*]] = kdsl.convert_layout %[[S]] : tensor<32xf32, #[[SL]]> -> tensor<32xf32, #[[B]]>
// CHECK: %[[N:.*]] = arith.addf %[[ACC]], %[[C]] : tensor<32xf32, #[[B]]>
// CHECK-NOT: kdsl.convert_layout
// CHECK: scf.yield %[[N]] : tensor<32xf32, #[[B]]>
kdsl.kernel @carried(%x: !kdsl.ptr<f32>, %y: !kdsl.ptr<f32>, %n: i32) attributes {bindings = {}, num_stages = 2 : i32, num_warps = 1 : i32, param_names = ["x", "y", "n"]} {
  %c0 = arith.constant 0 : i32
  %c1 = arith.constant 1 : i32
  %c32 = arith.constant 32 : i32
  %c1024 = arith.constant 1024 : i32
  %zero = arith.constant 0.0 : f32
  %init = kdsl.splat %zero : f32 -> tensor<32xf32>
  %r = kdsl.arange %c0, %c1024 : tensor<1024xi32>
  %o = kdsl.reshape %r : tensor<1024xi32> -> tensor<32x32xi32>
  %xs = kdsl.splat %x : !kdsl.ptr<f32> -> tensor<32x32x!kdsl.ptr<f32>>
  %px = kdsl.addptr %xs, %o : tensor<32x32x!kdsl.ptr<f32>>, tensor<32x32xi32>
  %sum = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %init) -> (tensor<32xf32>) : i32 {
    %v = kdsl.load %px : tensor<32x32x!kdsl.ptr<f32>> -> tensor<32x32xf32>
    %s = kdsl.reduce sum %v {axis = 1 : i32} : tensor<32x32xf32> -> tensor<32xf32>
    %next = arith.addf %acc, %s : tensor<32xf32>
    scf.yield %next : tensor<32xf32>
  }
  %rows = kdsl.arange %c0, %c32 : tensor<32xi32>
  %ys = kdsl.splat %y : !kdsl.ptr<f32> -> tensor<32x!kdsl.ptr<f32>>
  %py = kdsl.addptr %ys, %rows : tensor<32x!kdsl.ptr<f32>>, tensor<32xi32>
  kdsl.store %py, %sum : tensor<32x!kdsl.ptr<f32>>, tensor<32xf32>
  kdsl.return
}

// -----

// dot(a, trans(b)): the transpose's source is staged and the transpose
// becomes a view of it (one trip through shared memory, not two). For
// mma.sync's B the source is staged as it is (K contiguous, read by
// ldmatrix without .trans), and the view is K-major; both are swizzled
// alike, along the rows they share (the source's fastest dimension). A
// transpose with another use is left as it is, and staged N contiguous.
// CHECK-LABEL: kdsl.kernel @mm_trans(
// CHECK-NOT: kdsl.trans
// CHECK: %[[A:.*]] = kdsl.convert_layout %[[V:.*]] : tensor<32x16xf16, #{{.*}}> -> tensor<32x16xf16, #[[SW:kdsl.shared<order = \[1, 0\], vec = 8, perPhase = 4, maxPhase = 2>]]>
// CHECK-NEXT: %[[S:.*]] = kdsl.convert_layout %[[V]] : tensor<32x16xf16, #{{.*}}> -> tensor<32x16xf16, #[[SW]]>
// CHECK-NEXT: %[[T:.*]] = kdsl.trans %[[S]] : tensor<32x16xf16, #[[SW]]> -> tensor<16x32xf16, #[[KM:kdsl.shared<order = \[0, 1\], vec = 8, perPhase = 4, maxPhase = 2>]]>
// CHECK-NEXT: kdsl.dot %[[A]], %[[T]], %{{.*}} : tensor<32x16xf16, #[[SW]]>, tensor<16x32xf16, #[[KM]]>
// CHECK: %[[T2:.*]] = kdsl.trans %[[V]] : tensor<32x16xf16, #{{.*}}> -> tensor<16x32xf16, #kdsl.blocked
// CHECK: kdsl.convert_layout %[[T2]] : {{.*}} -> tensor<16x32xf16, #kdsl.shared<order = [1, 0], vec = 8, perPhase = 2, maxPhase = 4>>
kdsl.kernel @mm_trans(%a: !kdsl.ptr<f16>, %c: !kdsl.ptr<f16>) attributes {bindings = {}, num_stages = 2 : i32, num_warps = 4 : i32, param_names = ["a", "c"]} {
  %c0 = arith.constant 0 : i32
  %c512 = arith.constant 512 : i32
  %zero = arith.constant 0.0 : f32
  %r = kdsl.arange %c0, %c512 : tensor<512xi32>
  %o = kdsl.reshape %r : tensor<512xi32> -> tensor<32x16xi32>
  %as = kdsl.splat %a : !kdsl.ptr<f16> -> tensor<32x16x!kdsl.ptr<f16>>
  %pa = kdsl.addptr %as, %o : tensor<32x16x!kdsl.ptr<f16>>, tensor<32x16xi32>
  %va = kdsl.load %pa : tensor<32x16x!kdsl.ptr<f16>> -> tensor<32x16xf16>
  %acc = kdsl.splat %zero : f32 -> tensor<32x32xf32>
  %vt = kdsl.trans %va : tensor<32x16xf16> -> tensor<16x32xf16>
  %d = kdsl.dot %va, %vt, %acc : tensor<32x16xf16>, tensor<16x32xf16> -> tensor<32x32xf32>
  %vt2 = kdsl.trans %va : tensor<32x16xf16> -> tensor<16x32xf16>
  %d2 = kdsl.dot %va, %vt2, %d : tensor<32x16xf16>, tensor<16x32xf16> -> tensor<32x32xf32>
  %o2 = kdsl.reshape %r : tensor<512xi32> -> tensor<16x32xi32>
  %cs = kdsl.splat %c : !kdsl.ptr<f16> -> tensor<16x32x!kdsl.ptr<f16>>
  %pc = kdsl.addptr %cs, %o2 : tensor<16x32x!kdsl.ptr<f16>>, tensor<16x32xi32>
  kdsl.store %pc, %vt2 : tensor<16x32x!kdsl.ptr<f16>>, tensor<16x32xf16>
  kdsl.return
}

// -----

// Blocks joined through elementwise ops, pointer arithmetic, loads and stores
// hold 16 bytes of the widest element type their loads and stores access: 8
// contiguous f16 per thread where only f16 is accessed (in 2048- as in
// 1024-element blocks), 4 where an f32 load joins an f16 one. Groups, not
// shapes, decide: the two 2048-element groups differ, and nothing converts.
// CHECK-LABEL: kdsl.kernel @half(
// CHECK-NOT: kdsl.convert_layout
// CHECK: kdsl.load %{{.*}} -> tensor<1024xf16, #kdsl.blocked<sizePerThread = [8], threadsPerWarp = [32], warpsPerCTA = [4], order = [0]>>
// CHECK-NOT: kdsl.convert_layout
// CHECK: kdsl.load %{{.*}} -> tensor<2048xf16, #kdsl.blocked<sizePerThread = [4], threadsPerWarp = [32], warpsPerCTA = [4], order = [0]>>
// CHECK-NOT: kdsl.convert_layout
// CHECK: kdsl.load %{{.*}} -> tensor<2048xf32, #kdsl.blocked<sizePerThread = [4], threadsPerWarp = [32], warpsPerCTA = [4], order = [0]>>
// CHECK-NOT: kdsl.convert_layout
// CHECK: kdsl.load %{{.*}} -> tensor<2048xf16, #kdsl.blocked<sizePerThread = [8], threadsPerWarp = [32], warpsPerCTA = [4], order = [0]>>
// CHECK-NOT: kdsl.convert_layout
// CHECK: kdsl.return
kdsl.kernel @half(%x: !kdsl.ptr<f16>, %y: !kdsl.ptr<f32>, %z: !kdsl.ptr<f16>) attributes {bindings = {}, num_stages = 2 : i32, num_warps = 4 : i32, param_names = ["x", "y", "z"]} {
  %c0 = arith.constant 0 : i32
  %c1024 = arith.constant 1024 : i32
  %c2048 = arith.constant 2048 : i32
  %r = kdsl.arange %c0, %c1024 : tensor<1024xi32>
  %xs = kdsl.splat %x : !kdsl.ptr<f16> -> tensor<1024x!kdsl.ptr<f16>>
  %px = kdsl.addptr %xs, %r : tensor<1024x!kdsl.ptr<f16>>, tensor<1024xi32>
  %v = kdsl.load %px : tensor<1024x!kdsl.ptr<f16>> -> tensor<1024xf16>
  %w = arith.addf %v, %v : tensor<1024xf16>
  kdsl.store %px, %w : tensor<1024x!kdsl.ptr<f16>>, tensor<1024xf16>
  %h = kdsl.arange %c0, %c2048 : tensor<2048xi32>
  %xh = kdsl.splat %x : !kdsl.ptr<f16> -> tensor<2048x!kdsl.ptr<f16>>
  %ph = kdsl.addptr %xh, %h : tensor<2048x!kdsl.ptr<f16>>, tensor<2048xi32>
  %a = kdsl.load %ph : tensor<2048x!kdsl.ptr<f16>> -> tensor<2048xf16>
  %ys = kdsl.splat %y : !kdsl.ptr<f32> -> tensor<2048x!kdsl.ptr<f32>>
  %py = kdsl.addptr %ys, %h : tensor<2048x!kdsl.ptr<f32>>, tensor<2048xi32>
  %b = kdsl.load %py : tensor<2048x!kdsl.ptr<f32>> -> tensor<2048xf32>
  %ae = arith.extf %a : tensor<2048xf16> to tensor<2048xf32>
  %s = arith.addf %ae, %b : tensor<2048xf32>
  kdsl.store %py, %s : tensor<2048x!kdsl.ptr<f32>>, tensor<2048xf32>
  %g = kdsl.arange %c0, %c2048 : tensor<2048xi32>
  %zs = kdsl.splat %z : !kdsl.ptr<f16> -> tensor<2048x!kdsl.ptr<f16>>
  %pz = kdsl.addptr %zs, %g : tensor<2048x!kdsl.ptr<f16>>, tensor<2048xi32>
  %c = kdsl.load %pz : tensor<2048x!kdsl.ptr<f16>> -> tensor<2048xf16>
  kdsl.store %pz, %c : tensor<2048x!kdsl.ptr<f16>>, tensor<2048xf16>
  kdsl.return
}

// -----

// A loop-carried block joins its initial value, its result and what the
// body yields: the f16 block the loop leaves for a store gets 8 per thread
// in every iteration, and nothing converts.
// CHECK-LABEL: kdsl.kernel @half_loop(
// CHECK-NOT: kdsl.convert_layout
// CHECK: scf.for {{.*}} -> (tensor<1024xf16, #kdsl.blocked<sizePerThread = [8], threadsPerWarp = [32], warpsPerCTA = [4], order = [0]>>)
// CHECK-NOT: kdsl.convert_layout
// CHECK: kdsl.return
kdsl.kernel @half_loop(%y: !kdsl.ptr<f16>, %n: i32) attributes {bindings = {}, num_stages = 1 : i32, num_warps = 4 : i32, param_names = ["y", "n"]} {
  %c0 = arith.constant 0 : i32
  %c1 = arith.constant 1 : i32
  %c1024 = arith.constant 1024 : i32
  %one = arith.constant 1.0 : f16
  %init = kdsl.splat %one : f16 -> tensor<1024xf16>
  %r = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %init) -> (tensor<1024xf16>) : i32 {
    %next = arith.addf %acc, %acc : tensor<1024xf16>
    scf.yield %next : tensor<1024xf16>
  }
  %offs = kdsl.arange %c0, %c1024 : tensor<1024xi32>
  %ys = kdsl.splat %y : !kdsl.ptr<f16> -> tensor<1024x!kdsl.ptr<f16>>
  %py = kdsl.addptr %ys, %offs : tensor<1024x!kdsl.ptr<f16>>, tensor<1024xi32>
  kdsl.store %py, %r : tensor<1024x!kdsl.ptr<f16>>, tensor<1024xf16>
  kdsl.return
}
