// activation: one of 9 activations chosen by ACT, optionally gated.
// Round trip: the front end's IR prints and parses back twice unchanged
// in shape; a fully static variant for one realistic config (no dynamic
// dimension and no constexpr left anywhere); the typed AST.
// RUN: kdslc %examples/activations.kdsl --emit=kdsl | kdsl-opt | kdsl-opt | FileCheck %s
// RUN: kdslc %examples/activations.kdsl --kernel activation --emit=kdsl --config ACT=2,GATED=1,BLOCK=2048,num_warps=8 | kdsl-opt \
// RUN:   | FileCheck %s --check-prefix=VARIANT --implicit-check-not='tensor<?' --implicit-check-not='?x' --implicit-check-not=kdsl.constexpr
// RUN: kdslc %examples/activations.kdsl --emit=ast | FileCheck %s --check-prefix=AST

// CHECK-LABEL: kdsl.kernel @activation(
// CHECK-SAME:    %[[ACT:[A-Za-z0-9_]+]]: i32 {kdsl.constexpr}, %[[GATED:[A-Za-z0-9_]+]]: i1 {kdsl.constexpr}, %[[BLOCK:[A-Za-z0-9_]+]]: i32 {kdsl.constexpr})
// CHECK-SAME:    grid = ["cdiv(n, BLOCK)"]
// CHECK:         kdsl.static_assert %{{.*}}, "ACT selects one of the activations 0..8"
// CHECK:         %[[X:.*]] = kdsl.load {{.*}} -> tensor<?xf32>
// CHECK:         arith.cmpi eq, %[[ACT]], %{{.*}} : i32
// CHECK:         scf.if %{{.*}} -> (tensor<?xf32>) {
// CHECK:           arith.maximumf %[[X]], %{{.*}} : tensor<?xf32>
// CHECK:         scf.if %[[GATED]] -> (tensor<?xf32>) {
// CHECK:         kdsl.store

// ACT = 2 (leaky relu) keeps that branch only; the gate multiplies.
// VARIANT-LABEL: kdsl.kernel @activation(
// VARIANT-SAME:    bindings = {ACT = 2 : i32, BLOCK = 2048 : i32, GATED = true}, grid = ["cdiv(n, 2048)"], num_stages = 2 : i32, num_warps = 8 : i32
// VARIANT-NOT:     scf.if
// VARIANT-NOT:     kdsl.static_assert
// VARIANT:         arith.select %{{.*}}, %{{.*}}, %{{.*}} : tensor<2048xi1>, tensor<2048xf32>
// VARIANT:         arith.mulf %{{.*}}, %{{.*}} : tensor<2048xf32>
// VARIANT:         kdsl.store {{.*}} : tensor<2048x!kdsl.ptr<f32>>, tensor<2048xf32>, tensor<2048xi1>

// AST: Let mut out : f32[BLOCK]
