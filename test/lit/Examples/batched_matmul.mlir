// batched_matmul: C[z] = A[z] @ B[z] over a 2-D grid (tiles, batch).
// Round trip: the front end's IR prints and parses back twice unchanged in
// shape; a fully static variant (no dynamic dimension and no constexpr
// left); the typed AST; and its dot by mma.sync, operands by cp.async.
// RUN: kdslc %examples/batched_matmul.kdsl --emit=kdsl | kdsl-opt | kdsl-opt | FileCheck %s
// RUN: kdslc %examples/batched_matmul.kdsl --kernel batched_matmul --emit=kdsl --config BM=64,BN=64,BK=32,num_warps=4 | kdsl-opt \
// RUN:   | FileCheck %s --check-prefix=VARIANT --implicit-check-not='tensor<?' --implicit-check-not='?x' --implicit-check-not=kdsl.constexpr
// RUN: kdslc %examples/batched_matmul.kdsl --emit=ast | FileCheck %s --check-prefix=AST
// RUN: kdslc %examples/batched_matmul.kdsl --emit=ptx --specialize=unit --config BM=64,BN=64,BK=32,num_warps=4 --remarks -o /dev/null 2>&1 \
// RUN:   | FileCheck %s --check-prefix=REMARKS

// CHECK-LABEL: kdsl.kernel @batched_matmul(
// CHECK-SAME:    grid = ["cdiv(M, BM) * cdiv(N, BN)", "Z"]
// CHECK:         kdsl.program_id 1
// CHECK:         scf.for
// CHECK:           kdsl.dot {{.*}} : tensor<?x?xf16>, tensor<?x?xf16> -> tensor<?x?xf32>

// VARIANT-LABEL: kdsl.kernel @batched_matmul(
// VARIANT:         kdsl.dot {{.*}} : tensor<64x32xf16>, tensor<32x64xf16> -> tensor<64x64xf32>

// AST: kernel batched_matmul

// REMARKS: remark: f16[64, 32] staged in shared memory for dot (4096 bytes, 0 barriers, into slot 0 of a ring of 2 (num_stages); by cp.async from global memory
// REMARKS: remark: dot reads a ring of 2 shared buffers (num_stages), 1 block in flight: cp.async.wait_group 0, then 1 barrier
// REMARKS: remark: dot of f16[64, 32] and f16[32, 64]: mma.sync.m16n8k16 (f16 -> f32), warps 2 x 2, 16 per warp
