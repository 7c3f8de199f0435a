// layer_norm: row-wise layer norm with weight and bias.
// Round trip: the front end's IR prints and parses back twice unchanged
// in shape; a fully static variant for one realistic config (no dynamic
// dimension and no constexpr left anywhere); the typed AST.
// RUN: kdslc %examples/layer_norm.kdsl --emit=kdsl | kdsl-opt | kdsl-opt | FileCheck %s
// RUN: kdslc %examples/layer_norm.kdsl --kernel layer_norm --emit=kdsl --config n_cols=768,num_warps=4 | kdsl-opt \
// RUN:   | FileCheck %s --check-prefix=VARIANT --implicit-check-not='tensor<?' --implicit-check-not='?x' --implicit-check-not=kdsl.constexpr
// RUN: kdslc %examples/layer_norm.kdsl --emit=ast | FileCheck %s --check-prefix=AST

// CHECK-LABEL: kdsl.kernel @layer_norm(
// CHECK-SAME:    %[[EPS:[A-Za-z0-9_]+]]: f32, %[[BLOCK:[A-Za-z0-9_]+]]: i32 {kdsl.constexpr, kdsl.default = "next_pow2(n_cols)"})
// CHECK-SAME:    grid = ["n_rows"]
// CHECK-SAME:    param_names = ["x", "y", "w", "b", "n_rows", "n_cols", "stride", "eps", "BLOCK"]
// CHECK:         kdsl.arange %{{.*}}, %[[BLOCK]] : tensor<?xi32>
// CHECK:         kdsl.reduce sum %{{.*}} {axis = 0 : i32} : tensor<?xf32> -> f32
// CHECK:         arith.select %{{.*}}, %{{.*}}, %{{.*}} : tensor<?xi1>, tensor<?xf32>
// CHECK:         kdsl.reduce sum %{{.*}} {axis = 0 : i32} : tensor<?xf32> -> f32
// CHECK:         %[[VAR:.*]] = arith.addf %{{.*}}, %[[EPS]] : f32
// CHECK:         math.rsqrt %[[VAR]] : f32
// CHECK:         kdsl.store

// VARIANT-LABEL: kdsl.kernel @layer_norm(
// VARIANT-SAME:    bindings = {BLOCK = 1024 : i32}, grid = ["n_rows"], num_stages = 2 : i32, num_warps = 4 : i32
// VARIANT:         kdsl.reduce sum %{{.*}} {axis = 0 : i32} : tensor<1024xf32> -> f32
// VARIANT:         kdsl.store {{.*}} : tensor<1024x!kdsl.ptr<f32>>, tensor<1024xf32>, tensor<1024xi1>

// AST: Let mean : f32
