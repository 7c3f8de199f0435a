// attention_scores: S = scale * Q K^T per batch, causal mask if CAUSAL.
// Round trip: the front end's IR prints and parses back twice unchanged
// in shape; a fully static variant for one realistic config (no dynamic
// dimension and no constexpr left anywhere); the typed AST.
// RUN: kdslc %examples/attention_scores.kdsl --emit=kdsl | kdsl-opt | kdsl-opt | FileCheck %s
// RUN: kdslc %examples/attention_scores.kdsl --kernel attention_scores --emit=kdsl --config D=64,CAUSAL=1,BM=64,BN=64,num_warps=4 | kdsl-opt \
// RUN:   | FileCheck %s --check-prefix=VARIANT --implicit-check-not='tensor<?' --implicit-check-not='?x' --implicit-check-not=kdsl.constexpr
// RUN: kdslc %examples/attention_scores.kdsl --emit=ast | FileCheck %s --check-prefix=AST

// CHECK-LABEL: kdsl.kernel @attention_scores(
// CHECK-SAME:    %[[D:[A-Za-z0-9_]+]]: i32 {kdsl.constexpr}, %[[CAUSAL:[A-Za-z0-9_]+]]: i1 {kdsl.constexpr}, %[[BM:[A-Za-z0-9_]+]]: i32 {kdsl.constexpr}, %[[BN:[A-Za-z0-9_]+]]: i32 {kdsl.constexpr})
// CHECK-SAME:    where = "BM * BN <= 8192">
// CHECK-SAME:    grid = ["cdiv(seq_q, BM)", "cdiv(seq_k, BN)", "Z"]
// CHECK:         kdsl.static_assert %{{.*}}, "dot needs M, N and K of at least 16"
// CHECK:         kdsl.program_id 2
// CHECK:         %[[Q:.*]] = kdsl.load {{.*}} -> tensor<?x?xf16>
// CHECK:         %[[KT:.*]] = kdsl.load {{.*}} -> tensor<?x?xf16>
// CHECK:         %[[KTT:.*]] = kdsl.trans %[[KT]] : tensor<?x?xf16> -> tensor<?x?xf16>
// CHECK:         kdsl.dot %[[Q]], %[[KTT]], %{{.*}} : tensor<?x?xf16>, tensor<?x?xf16> -> tensor<?x?xf32>
// CHECK:         scf.if %[[CAUSAL]] -> (tensor<?x?xf32>)

// VARIANT-LABEL: kdsl.kernel @attention_scores(
// VARIANT-SAME:    bindings = {BM = 64 : i32, BN = 64 : i32, CAUSAL = true, D = 64 : i32}, grid = ["cdiv(seq_q, 64)", "cdiv(seq_k, 64)", "Z"], num_stages = 2 : i32, num_warps = 4 : i32
// VARIANT-NOT:     kdsl.static_assert
// VARIANT:         kdsl.dot %{{.*}}, %{{.*}}, %{{.*}} : tensor<64x64xf16>, tensor<64x64xf16> -> tensor<64x64xf32>

// AST: Let q_t : f16[BM, D]
