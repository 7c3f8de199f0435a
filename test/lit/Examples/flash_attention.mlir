// flash_attention: FlashAttention-2's forward loop, an online softmax between
// two dots. Round trip: the front end's IR prints and parses back twice
// unchanged in shape; a fully static variant (no dynamic dimension and no
// constexpr left); the typed AST. Its loop carries the row maximum, the row
// sum and the accumulator; both dots take mma.sync, their warps all along M
// (4 x 1) so that each row's softmax stays in one warp, and the statistics
// live in the slice of the dots' layout: no layout change goes through
// shared memory. Both dots' A operands (q, loaded in the accumulator layout
// before the loop, and p, the first dot's result cast to f16) are their A
// fragments in registers: only K and V are staged, K as it is loaded (no
// ldmatrix .trans), V for ldmatrix .trans.
// RUN: kdslc %examples/flash_attention.kdsl --emit=kdsl | kdsl-opt | kdsl-opt | FileCheck %s
// RUN: kdslc %examples/flash_attention.kdsl --kernel flash_attention --emit=kdsl --config D=64,CAUSAL=1,BM=64,BN=32,num_warps=4 | kdsl-opt \
// RUN:   | FileCheck %s --check-prefix=VARIANT --implicit-check-not='tensor<?' --implicit-check-not='?x' --implicit-check-not=kdsl.constexpr
// RUN: kdslc %examples/flash_attention.kdsl --emit=ast | FileCheck %s --check-prefix=AST
// RUN: kdslc %examples/flash_attention.kdsl --emit=ptx --config D=64,CAUSAL=1,BM=64,BN=32,num_warps=4 --remarks -o /dev/null 2>&1 \
// RUN:   | FileCheck %s --check-prefix=REMARKS --implicit-check-not='round trip'

// CHECK-LABEL: kdsl.kernel @flash_attention(
// CHECK-SAME:    grid = ["cdiv(seq, BM)", "Z"]
// CHECK:         kdsl.static_assert %{{.*}}, "dot needs M, N and K of at least 16"
// CHECK:         scf.for {{.*}} -> (tensor<?xf32>, tensor<?x?xf32>, tensor<?xf32>)
// CHECK:           kdsl.dot {{.*}} : tensor<?x?xf16>, tensor<?x?xf16> -> tensor<?x?xf32>
// CHECK:           arith.maximumf
// CHECK:           math.exp2
// CHECK:           kdsl.dot {{.*}} : tensor<?x?xf16>, tensor<?x?xf16> -> tensor<?x?xf32>

// VARIANT-LABEL: kdsl.kernel @flash_attention(
// VARIANT-SAME:    bindings = {BM = 64 : i32, BN = 32 : i32, CAUSAL = true, D = 64 : i32}
// VARIANT:         kdsl.dot {{.*}} : tensor<64x64xf16>, tensor<64x32xf16> -> tensor<64x32xf32>
// VARIANT:         kdsl.dot {{.*}} : tensor<64x32xf16>, tensor<32x64xf16> -> tensor<64x64xf32>

// AST: kernel flash_attention

// REMARKS: remark: dot of f16[64, 64] and f16[64, 32]: mma.sync.m16n8k16 (f16 -> f32), warps 4 x 1, 16 per warp; A from the registers that hold it (the accumulator layout), B by ldmatrix .x2 from shared memory, swizzled
// REMARKS: remark: dot of f16[64, 32] and f16[32, 64]: mma.sync.m16n8k16 (f16 -> f32), warps 4 x 1, 16 per warp; A from the registers that hold it (the accumulator layout), B by ldmatrix .x2.trans from shared memory, swizzled
