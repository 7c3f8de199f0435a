// rope: rotary position embedding, rotate-half form, a loop over heads.
// Round trip: the front end's IR prints and parses back twice unchanged
// in shape; a fully static variant for one realistic config (no dynamic
// dimension and no constexpr left anywhere); the typed AST.
// RUN: kdslc %examples/rope.kdsl --emit=kdsl | kdsl-opt | kdsl-opt | FileCheck %s
// RUN: kdslc %examples/rope.kdsl --kernel rope --emit=kdsl --config HALF=32 | kdsl-opt \
// RUN:   | FileCheck %s --check-prefix=VARIANT --implicit-check-not='tensor<?' --implicit-check-not='?x' --implicit-check-not=kdsl.constexpr
// RUN: kdslc %examples/rope.kdsl --emit=ast | FileCheck %s --check-prefix=AST

// CHECK-LABEL: kdsl.kernel @rope(
// CHECK-SAME:    %[[HEADS:[A-Za-z0-9_]+]]: i32, %[[BASE:[A-Za-z0-9_]+]]: f32, %[[HALF:[A-Za-z0-9_]+]]: i32 {kdsl.constexpr})
// CHECK-SAME:    config = {num_stages = 1 : i32, num_warps = 2 : i32}, grid = ["seq", "batch"]
// CHECK:         kdsl.arange %{{.*}}, %[[HALF]] : tensor<?xi32>
// CHECK:         math.log2 %[[BASE]] : f32
// CHECK:         math.exp2 %{{.*}} : tensor<?xf32>
// CHECK:         math.cos %{{.*}} : tensor<?xf32>
// CHECK:         math.sin %{{.*}} : tensor<?xf32>
// CHECK:         scf.for %{{.*}} = %{{.*}} to %[[HEADS]] step %{{.*}} : i32 {
// CHECK:           kdsl.load %{{.*}} : tensor<?x!kdsl.ptr<f32>> -> tensor<?xf32>
// CHECK:           kdsl.store %{{.*}}, %{{.*}} : tensor<?x!kdsl.ptr<f32>>, tensor<?xf32>

// VARIANT-LABEL: kdsl.kernel @rope(
// VARIANT-SAME:    bindings = {HALF = 32 : i32}, grid = ["seq", "batch"], num_stages = 1 : i32, num_warps = 2 : i32
// VARIANT:         math.exp2 %{{.*}} : tensor<32xf32>
// VARIANT:         kdsl.store %{{.*}}, %{{.*}} : tensor<32x!kdsl.ptr<f32>>, tensor<32xf32>

// AST: Let theta : f32[HALF]
