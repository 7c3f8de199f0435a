// softmax (LANGUAGE.md §10): row-wise softmax, BLOCK = next_pow2(n_cols).
// Round trip: the front end's IR prints and parses back twice unchanged
// in shape; a fully static variant for one realistic config (no dynamic
// dimension and no constexpr left anywhere); the typed AST.
// RUN: kdslc %examples/softmax.kdsl --emit=kdsl | kdsl-opt | kdsl-opt | FileCheck %s
// RUN: kdslc %examples/softmax.kdsl --kernel softmax --emit=kdsl --config n_cols=1000,num_warps=4 | kdsl-opt \
// RUN:   | FileCheck %s --check-prefix=VARIANT --implicit-check-not='tensor<?' --implicit-check-not='?x' --implicit-check-not=kdsl.constexpr
// RUN: kdslc %examples/softmax.kdsl --emit=ast | FileCheck %s --check-prefix=AST

// CHECK-LABEL: kdsl.kernel @softmax(
// CHECK-SAME:    %[[OUT:[A-Za-z0-9_]+]]: !kdsl.ptr<f32>, %[[INP:[A-Za-z0-9_]+]]: !kdsl.ptr<f32>, %[[ROWS:[A-Za-z0-9_]+]]: i32, %[[COLS:[A-Za-z0-9_]+]]: i32, %[[STRIDE:[A-Za-z0-9_]+]]: i32,
// CHECK-SAME:    %[[BLOCK:[A-Za-z0-9_]+]]: i32 {kdsl.constexpr, kdsl.default = "next_pow2(n_cols)"})
// CHECK-SAME:    attributes {autotune = #kdsl.autotune<space = [#kdsl.tune_param<"num_warps" = [1, 2, 4, 8, 16]>], key = ["n_cols"], where = "">, grid = ["n_rows"], param_names = ["out", "inp", "n_rows", "n_cols", "stride", "BLOCK"]}
// CHECK:         kdsl.arange %{{.*}}, %[[BLOCK]] : tensor<?xi32>
// CHECK:         %[[NEGINF:.*]] = arith.constant 0xFF800000 : f32
// CHECK:         %[[OTHER:.*]] = kdsl.splat %[[NEGINF]][%[[BLOCK]]] : f32 -> tensor<?xf32>
// CHECK:         %[[X:.*]] = kdsl.load %{{.*}} mask %{{.*}} other %[[OTHER]]
// CHECK:         %[[MAX:.*]] = kdsl.reduce max %[[X]] {axis = 0 : i32} : tensor<?xf32> -> f32
// CHECK:         %[[E:.*]] = math.exp %{{.*}} : tensor<?xf32>
// CHECK:         %[[SUM:.*]] = kdsl.reduce sum %[[E]] {axis = 0 : i32} : tensor<?xf32> -> f32
// CHECK:         arith.divf %[[E]], %{{.*}} : tensor<?xf32>
// CHECK:         kdsl.store

// The default next_pow2(n_cols) gives BLOCK = 1024 for n_cols = 1000;
// n_cols stays a runtime parameter.
// VARIANT-LABEL: kdsl.kernel @softmax(
// VARIANT-SAME:    %{{[A-Za-z0-9_]+}}: !kdsl.ptr<f32>, %{{[A-Za-z0-9_]+}}: !kdsl.ptr<f32>, %{{[A-Za-z0-9_]+}}: i32, %{{[A-Za-z0-9_]+}}: i32, %{{[A-Za-z0-9_]+}}: i32)
// VARIANT-SAME:    attributes {bindings = {BLOCK = 1024 : i32}, grid = ["n_rows"], num_stages = 2 : i32, num_warps = 4 : i32, param_names = ["out", "inp", "n_rows", "n_cols", "stride"]}
// VARIANT:         kdsl.reduce max %{{.*}} {axis = 0 : i32} : tensor<1024xf32> -> f32
// VARIANT:         kdsl.reduce sum %{{.*}} {axis = 0 : i32} : tensor<1024xf32> -> f32

// AST: Let e : f32[BLOCK]
