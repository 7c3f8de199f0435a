// matmul_bias_relu: bf16(relu(A @ B + bias)), bf16 in, f32 accumulation.
// Round trip: the front end's IR prints and parses back twice unchanged
// in shape; a fully static variant for one realistic config (no dynamic
// dimension and no constexpr left anywhere); the typed AST.
// RUN: kdslc %examples/matmul_bias_relu.kdsl --emit=kdsl | kdsl-opt | kdsl-opt | FileCheck %s
// RUN: kdslc %examples/matmul_bias_relu.kdsl --kernel matmul_bias_relu --emit=kdsl --config BM=64,BN=128,BK=64,num_warps=4,num_stages=2 | kdsl-opt \
// RUN:   | FileCheck %s --check-prefix=VARIANT --implicit-check-not='tensor<?' --implicit-check-not='?x' --implicit-check-not=kdsl.constexpr
// RUN: kdslc %examples/matmul_bias_relu.kdsl --emit=ast | FileCheck %s --check-prefix=AST

// CHECK-LABEL: kdsl.kernel @matmul_bias_relu(
// CHECK-SAME:    %[[K:[A-Za-z0-9_]+]]: i32, %{{[A-Za-z0-9_]+}}: i32, %{{[A-Za-z0-9_]+}}: i32, %{{[A-Za-z0-9_]+}}: i32, %[[BM:[A-Za-z0-9_]+]]: i32 {kdsl.constexpr}, %[[BN:[A-Za-z0-9_]+]]: i32 {kdsl.constexpr}, %[[BK:[A-Za-z0-9_]+]]: i32 {kdsl.constexpr})
// CHECK-SAME:    key = ["M", "N", "exact(K)"], where = "(BM + BN) * BK <= 8192">
// CHECK-SAME:    config = {BK = 32 : i32, BM = 128 : i32, BN = 128 : i32, num_stages = 3 : i32, num_warps = 8 : i32}
// CHECK-SAME:    grid = ["cdiv(M, BM)", "cdiv(N, BN)"]
// CHECK:         kdsl.static_assert
// CHECK:         %[[C:.*]] = scf.for %{{.*}} = %{{.*}} to %[[K]] step %[[BK]] iter_args(%[[ACC:.*]] = %{{.*}}) -> (tensor<?x?xf32>)
// CHECK:           kdsl.dot %{{.*}}, %{{.*}}, %[[ACC]] : tensor<?x?xbf16>, tensor<?x?xbf16> -> tensor<?x?xf32>
// CHECK:         %[[ROW:.*]] = kdsl.reshape %{{.*}}[%[[BN]]] : tensor<?xf32> -> tensor<1x?xf32>
// CHECK:         %[[BIAS:.*]] = kdsl.broadcast %[[ROW]][%[[BM]], %[[BN]]] : tensor<1x?xf32> -> tensor<?x?xf32>
// CHECK:         %[[SUM:.*]] = arith.addf %[[C]], %[[BIAS]] : tensor<?x?xf32>
// CHECK:         arith.maximumf %[[SUM]], %{{.*}} : tensor<?x?xf32>
// CHECK:         arith.truncf %{{.*}} : tensor<?x?xf32> to tensor<?x?xbf16>

// VARIANT-LABEL: kdsl.kernel @matmul_bias_relu(
// VARIANT-SAME:    bindings = {BK = 64 : i32, BM = 64 : i32, BN = 128 : i32}, grid = ["cdiv(M, 64)", "cdiv(N, 128)"], num_stages = 2 : i32, num_warps = 4 : i32
// VARIANT:         kdsl.dot %{{.*}}, %{{.*}}, %{{.*}} : tensor<64x64xbf16>, tensor<64x128xbf16> -> tensor<64x128xf32>
// VARIANT:         kdsl.reshape %{{.*}} : tensor<128xf32> -> tensor<1x128xf32>
// VARIANT:         kdsl.store {{.*}} : tensor<64x128x!kdsl.ptr<bf16>>, tensor<64x128xbf16>, tensor<64x128xi1>

// AST: Let bias_row : f32[1, BN]
