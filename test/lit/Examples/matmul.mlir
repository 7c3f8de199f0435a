// matmul (LANGUAGE.md §10): C = A @ B, f16 in, f32 out.
// Round trip: the front end's IR prints and parses back twice unchanged
// in shape; a fully static variant for one realistic config (no dynamic
// dimension and no constexpr left anywhere); the typed AST.
// RUN: kdslc %examples/matmul.kdsl --emit=kdsl | kdsl-opt | kdsl-opt | FileCheck %s
// RUN: kdslc %examples/matmul.kdsl --kernel matmul --emit=kdsl --config BM=128,BN=64,BK=32,num_warps=4,num_stages=3 | kdsl-opt \
// RUN:   | FileCheck %s --check-prefix=VARIANT --implicit-check-not='tensor<?' --implicit-check-not='?x' --implicit-check-not=kdsl.constexpr
// RUN: kdslc %examples/matmul.kdsl --emit=ast | FileCheck %s --check-prefix=AST

// CHECK-LABEL: kdsl.kernel @matmul(
// CHECK-SAME:    %[[K:[A-Za-z0-9_]+]]: i32, %{{[A-Za-z0-9_]+}}: i32, %{{[A-Za-z0-9_]+}}: i32, %{{[A-Za-z0-9_]+}}: i32, %{{[A-Za-z0-9_]+}}: i32, %{{[A-Za-z0-9_]+}}: i32, %{{[A-Za-z0-9_]+}}: i32, %[[BM:[A-Za-z0-9_]+]]: i32 {kdsl.constexpr}, %[[BN:[A-Za-z0-9_]+]]: i32 {kdsl.constexpr}, %[[BK:[A-Za-z0-9_]+]]: i32 {kdsl.constexpr})
// CHECK-SAME:    autotune = #kdsl.autotune<space = [#kdsl.tune_param<"BM" = [64, 128]>, #kdsl.tune_param<"BN" = [64, 128]>, #kdsl.tune_param<"BK" = [32, 64]>, #kdsl.tune_param<"num_warps" = [4, 8]>, #kdsl.tune_param<"num_stages" = [2, 3, 4]>], key = ["M", "N", "K"], where = "BM * BN <= 16384">
// CHECK-SAME:    grid = ["cdiv(M, BM) * cdiv(N, BN)"]
// CHECK:         %[[ACC0:.*]] = kdsl.splat %{{.*}}[%[[BM]], %[[BN]]] : f32 -> tensor<?x?xf32>
// CHECK:         %[[C:.*]] = scf.for %{{.*}} = %{{.*}} to %[[K]] step %[[BK]] iter_args(%[[ACC:.*]] = %[[ACC0]]) -> (tensor<?x?xf32>)
// CHECK:           %[[A:.*]] = kdsl.load {{.*}} -> tensor<?x?xf16>
// CHECK:           %[[B:.*]] = kdsl.load {{.*}} -> tensor<?x?xf16>
// CHECK:           %[[D:.*]] = kdsl.dot %[[A]], %[[B]], %[[ACC]] : tensor<?x?xf16>, tensor<?x?xf16> -> tensor<?x?xf32>
// CHECK:           scf.yield %[[D]] : tensor<?x?xf32>
// CHECK:         kdsl.store %{{.*}}, %[[C]] mask %{{.*}} : tensor<?x?x!kdsl.ptr<f32>>, tensor<?x?xf32>, tensor<?x?xi1>

// VARIANT-LABEL: kdsl.kernel @matmul(
// VARIANT-SAME:    bindings = {BK = 32 : i32, BM = 128 : i32, BN = 64 : i32}, grid = ["cdiv(M, 128) * cdiv(N, 64)"], num_stages = 3 : i32, num_warps = 4 : i32
// VARIANT:         scf.for {{.*}} -> (tensor<128x64xf32>)
// VARIANT:           kdsl.dot %{{.*}}, %{{.*}}, %{{.*}} : tensor<128x32xf16>, tensor<32x64xf16> -> tensor<128x64xf32>
// VARIANT:         kdsl.store {{.*}} : tensor<128x64x!kdsl.ptr<f32>>, tensor<128x64xf32>, tensor<128x64xi1>

// AST: Let mut acc : f32[BM, BN]
