// bias_gelu: f16 GELU of x + bias, erf or tanh form chosen by APPROX.
// Round trip: the front end's IR prints and parses back twice unchanged
// in shape; a fully static variant for one realistic config (no dynamic
// dimension and no constexpr left anywhere); the typed AST.
// RUN: kdslc %examples/gelu.kdsl --emit=kdsl | kdsl-opt | kdsl-opt | FileCheck %s
// RUN: kdslc %examples/gelu.kdsl --kernel bias_gelu --emit=kdsl --config APPROX=1,BLOCK=1024,num_warps=4 | kdsl-opt \
// RUN:   | FileCheck %s --check-prefix=VARIANT --implicit-check-not='tensor<?' --implicit-check-not='?x' --implicit-check-not=kdsl.constexpr
// RUN: kdslc %examples/gelu.kdsl --emit=ast | FileCheck %s --check-prefix=AST

// CHECK-LABEL: kdsl.kernel @bias_gelu(
// CHECK-SAME:    %[[APPROX:[A-Za-z0-9_]+]]: i1 {kdsl.constexpr}, %[[BLOCK:[A-Za-z0-9_]+]]: i32 {kdsl.constexpr})
// CHECK-SAME:    grid = ["cdiv(n_rows * n_cols, BLOCK)"]
// CHECK:         kdsl.load {{.*}} -> tensor<?xf16>
// CHECK:         arith.extf %{{.*}} : tensor<?xf16> to tensor<?xf32>
// CHECK:         %[[G:.*]] = scf.if %[[APPROX]] -> (tensor<?xf32>) {
// CHECK:           math.tanh
// CHECK:         } else {
// CHECK:           math.erf
// CHECK:         }
// CHECK:         %[[H:.*]] = arith.truncf %[[G]] : tensor<?xf32> to tensor<?xf16>
// CHECK:         kdsl.store %{{.*}}, %[[H]] mask

// APPROX = 1 keeps the tanh form only.
// VARIANT-LABEL: kdsl.kernel @bias_gelu(
// VARIANT-SAME:    bindings = {APPROX = true, BLOCK = 1024 : i32}, grid = ["cdiv(n_rows * n_cols, 1024)"], num_stages = 2 : i32, num_warps = 4 : i32
// VARIANT-NOT:     math.erf
// VARIANT:         math.tanh %{{.*}} : tensor<1024xf32>
// VARIANT-NOT:     math.erf
// VARIANT:         kdsl.store {{.*}} : tensor<1024x!kdsl.ptr<f16>>, tensor<1024xf16>, tensor<1024xi1>

// AST: Let mut g : f32[BLOCK]
