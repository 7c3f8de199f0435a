// transpose: dst[j, i] = src[i, j] through trans of a 2-D tile.
// Round trip: the front end's IR prints and parses back twice unchanged
// in shape; a fully static variant for one realistic config (no dynamic
// dimension and no constexpr left anywhere); the typed AST.
// RUN: kdslc %examples/transpose.kdsl --emit=kdsl | kdsl-opt | kdsl-opt | FileCheck %s
// RUN: kdslc %examples/transpose.kdsl --kernel transpose --emit=kdsl --config BM=32,BN=64 | kdsl-opt \
// RUN:   | FileCheck %s --check-prefix=VARIANT --implicit-check-not='tensor<?' --implicit-check-not='?x' --implicit-check-not=kdsl.constexpr
// RUN: kdslc %examples/transpose.kdsl --emit=ast | FileCheck %s --check-prefix=AST

// CHECK-LABEL: kdsl.kernel @transpose(
// CHECK-SAME:    %[[BM:[A-Za-z0-9_]+]]: i32 {kdsl.constexpr}, %[[BN:[A-Za-z0-9_]+]]: i32 {kdsl.constexpr})
// CHECK-SAME:    config = {BM = 64 : i32, BN = 32 : i32, num_stages = 1 : i32, num_warps = 4 : i32}
// CHECK-SAME:    grid = ["cdiv(M, BM)", "cdiv(N, BN)"]
// CHECK:         kdsl.program_id 0
// CHECK:         kdsl.program_id 1
// CHECK:         %[[TILE:.*]] = kdsl.load %{{.*}} mask %{{.*}} : tensor<?x?x!kdsl.ptr<f32>>, tensor<?x?xi1> -> tensor<?x?xf32>
// CHECK:         %[[T:.*]] = kdsl.trans %[[TILE]] : tensor<?x?xf32> -> tensor<?x?xf32>
// CHECK:         kdsl.store %{{.*}}, %[[T]] mask

// The config overrides @config's tile; @config's num_warps and num_stages
// stay.
// VARIANT-LABEL: kdsl.kernel @transpose(
// VARIANT-SAME:    bindings = {BM = 32 : i32, BN = 64 : i32}, grid = ["cdiv(M, 32)", "cdiv(N, 64)"], num_stages = 1 : i32, num_warps = 4 : i32
// VARIANT:         kdsl.trans %{{.*}} : tensor<32x64xf32> -> tensor<64x32xf32>

// AST: Let tile : f32[BM, BN]
