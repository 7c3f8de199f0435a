// col_mean: split-row column means combined with atomic_add.
// Round trip: the front end's IR prints and parses back twice unchanged
// in shape; a fully static variant for one realistic config (no dynamic
// dimension and no constexpr left anywhere); the typed AST.
// RUN: kdslc %examples/col_mean.kdsl --emit=kdsl | kdsl-opt | kdsl-opt | FileCheck %s
// RUN: kdslc %examples/col_mean.kdsl --kernel col_mean --emit=kdsl --config SPLIT=4,BLOCK=128 | kdsl-opt \
// RUN:   | FileCheck %s --check-prefix=VARIANT --implicit-check-not='tensor<?' --implicit-check-not='?x' --implicit-check-not=kdsl.constexpr
// RUN: kdslc %examples/col_mean.kdsl --emit=ast | FileCheck %s --check-prefix=AST

// CHECK-LABEL: kdsl.kernel @col_mean(
// CHECK-SAME:    %[[ROWS:[A-Za-z0-9_]+]]: i32, %{{[A-Za-z0-9_]+}}: i32, %[[SPLIT:[A-Za-z0-9_]+]]: i32 {kdsl.constexpr}, %[[BLOCK:[A-Za-z0-9_]+]]: i32 {kdsl.constexpr})
// CHECK-SAME:    config = {BLOCK = 256 : i32, SPLIT = 8 : i32, num_stages = 1 : i32, num_warps = 4 : i32}
// CHECK-SAME:    grid = ["cdiv(n_cols, BLOCK)", "SPLIT", "batch"]
// CHECK:         kdsl.program_id 2
// CHECK:         %[[LIVE:.*]] = scf.if %{{.*}} -> (i1)
// CHECK:         scf.if %[[LIVE]] {
// CHECK:           %[[START:.*]] = kdsl.program_id 1
// CHECK:           %[[STEP:.*]] = kdsl.num_programs 1
// CHECK:           %[[ACC:.*]] = scf.for %{{.*}} = %[[START]] to %[[ROWS]] step %[[STEP]] iter_args(%{{.*}} = %{{.*}}) -> (tensor<?xf32>)
// CHECK:           %[[MEAN:.*]] = arith.divf %[[ACC]], %{{.*}} : tensor<?xf32>
// CHECK:           kdsl.atomic_add %{{.*}}, %[[MEAN]] mask %{{.*}} : tensor<?x!kdsl.ptr<f32>>, tensor<?xf32>, tensor<?xi1>

// VARIANT-LABEL: kdsl.kernel @col_mean(
// VARIANT-SAME:    bindings = {BLOCK = 128 : i32, SPLIT = 4 : i32}, grid = ["cdiv(n_cols, 128)", "4", "batch"], num_stages = 1 : i32, num_warps = 4 : i32
// VARIANT:         scf.for {{.*}} -> (tensor<128xf32>)
// VARIANT:         kdsl.atomic_add {{.*}} : tensor<128x!kdsl.ptr<f32>>, tensor<128xf32>, tensor<128xi1>

// AST: Let mut acc : f32[BLOCK]
