// histogram: equal-width f32 histogram with atomic_add; no grid clause.
// Round trip: the front end's IR prints and parses back twice unchanged
// in shape; a fully static variant for one realistic config (no dynamic
// dimension and no constexpr left anywhere); the typed AST.
// RUN: kdslc %examples/histogram.kdsl --emit=kdsl | kdsl-opt | kdsl-opt | FileCheck %s
// RUN: kdslc %examples/histogram.kdsl --kernel histogram --emit=kdsl --config BLOCK=512 | kdsl-opt \
// RUN:   | FileCheck %s --check-prefix=VARIANT --implicit-check-not='tensor<?' --implicit-check-not='?x' --implicit-check-not=kdsl.constexpr
// RUN: kdslc %examples/histogram.kdsl --emit=ast | FileCheck %s --check-prefix=AST

// CHECK-LABEL: kdsl.kernel @histogram(
// CHECK-SAME:    %[[N:[A-Za-z0-9_]+]]: i32, %{{[A-Za-z0-9_]+}}: i32, %{{[A-Za-z0-9_]+}}: f32, %{{[A-Za-z0-9_]+}}: f32, %[[BLOCK:[A-Za-z0-9_]+]]: i32 {kdsl.constexpr})
// CHECK-SAME:    attributes {config = {BLOCK = 1024 : i32, num_stages = 1 : i32, num_warps = 4 : i32}, param_names =
// CHECK-NOT:     grid =
// The early `return;` guards the rest of the kernel.
// CHECK:         %[[LIVE:.*]] = scf.if %{{.*}} -> (i1)
// CHECK:         scf.if %[[LIVE]] {
// CHECK:           %[[NP:.*]] = kdsl.num_programs 0
// CHECK:           %[[STEP:.*]] = arith.muli %[[NP]], %[[BLOCK]] : i32
// CHECK:           scf.for %{{.*}} = %{{.*}} to %[[N]] step %[[STEP]] : i32 {
// CHECK:             arith.fptosi %{{.*}} : tensor<?xf32> to tensor<?xi32>
// CHECK:             kdsl.atomic_add %{{.*}}, %{{.*}} mask %{{.*}} : tensor<?x!kdsl.ptr<i32>>, tensor<?xi32>, tensor<?xi1>

// VARIANT-LABEL: kdsl.kernel @histogram(
// VARIANT-SAME:    attributes {bindings = {BLOCK = 512 : i32}, num_stages = 1 : i32, num_warps = 4 : i32, param_names = ["data", "bins", "n", "n_bins", "lo", "inv_width"]}
// VARIANT:         kdsl.atomic_add {{.*}} : tensor<512x!kdsl.ptr<i32>>, tensor<512xi32>, tensor<512xi1>

// AST: Let ones : i32[BLOCK]
