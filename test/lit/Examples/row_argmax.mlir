// row_argmax: per row, max/min and their first indices over a chunked loop.
// Round trip: the front end's IR prints and parses back twice unchanged
// in shape; a fully static variant for one realistic config (no dynamic
// dimension and no constexpr left anywhere); the typed AST.
// RUN: kdslc %examples/row_argmax.kdsl --emit=kdsl | kdsl-opt | kdsl-opt | FileCheck %s
// RUN: kdslc %examples/row_argmax.kdsl --kernel row_argmax --emit=kdsl --config BLOCK=1024,num_warps=8 | kdsl-opt \
// RUN:   | FileCheck %s --check-prefix=VARIANT --implicit-check-not='tensor<?' --implicit-check-not='?x' --implicit-check-not=kdsl.constexpr
// RUN: kdslc %examples/row_argmax.kdsl --emit=ast | FileCheck %s --check-prefix=AST

// CHECK-LABEL: kdsl.kernel @row_argmax(
// CHECK-SAME:    %[[NCOLS:[A-Za-z0-9_]+]]: i32, %{{[A-Za-z0-9_]+}}: i32, %[[BLOCK:[A-Za-z0-9_]+]]: i32 {kdsl.constexpr})
// CHECK-SAME:    grid = ["n_rows"]
// CHECK:         %[[R:.*]]:4 = scf.for %{{.*}} = %{{.*}} to %[[NCOLS]] step %[[BLOCK]] iter_args({{.*}}) -> (f32, i32, f32, i32)
// CHECK:           kdsl.reduce max %{{.*}} {axis = 0 : i32} : tensor<?xf32> -> f32
// CHECK:           kdsl.reduce argmax %{{.*}} {axis = 0 : i32} : tensor<?xf32> -> i32
// CHECK:           kdsl.reduce min %{{.*}} {axis = 0 : i32} : tensor<?xf32> -> f32
// CHECK:           kdsl.reduce argmin %{{.*}} {axis = 0 : i32} : tensor<?xf32> -> i32
// CHECK:         kdsl.store %{{.*}}, %[[R]]#0 : !kdsl.ptr<f32>, f32

// VARIANT-LABEL: kdsl.kernel @row_argmax(
// VARIANT-SAME:    bindings = {BLOCK = 1024 : i32}, grid = ["n_rows"], num_stages = 2 : i32, num_warps = 8 : i32
// VARIANT:         kdsl.reduce argmax %{{.*}} {axis = 0 : i32} : tensor<1024xf32> -> i32

// AST: Let mut best_max_i : i32
