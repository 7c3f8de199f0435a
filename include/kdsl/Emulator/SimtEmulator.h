//===- SimtEmulator.h - Runs per-thread GPU code on the host ----*- C++ -*-===//
//
// Executes a kernel at the kdsl-gpu stage (a gpu.func of arith, math, scf,
// vector, llvm and nvvm ops, as -convert-kdsl-to-gpu leaves it) the way a GPU
// would: every thread of a block is a coroutine on one host thread,
// `gpu.barrier` waits for the whole block and `gpu.shuffle` for the whole
// warp, so the lowering's layouts, shuffles, shared memory and barriers run
// without a GPU. It also checks what a GPU would not:
//  - every load, store and atomic falls inside one argument buffer or the
//    block's shared memory (compute-sanitizer memcheck's job);
//  - no two threads touch a shared-memory byte between two barriers where one
//    of them writes it (a missing barrier; racecheck's job), and no thread
//    reads a byte of it that the block has not written (initcheck's);
//  - no thread loads or stores a global byte that another thread of its
//    block stored since the last barrier (so each output element has one
//    writer), nor loads one that another block stored or stores other bytes
//    over it (blocks run in no set order); atomics are exempt;
//  - every thread of a block reaches the same barrier, every lane of a warp
//    the same warp-wide op (gpu.shuffle, nvvm.ldmatrix, nvvm.mma.sync), and
//    integer division never divides by zero.
// The tensor-core instructions run as the PTX ISA defines them, from its
// fragment tables (lib/Emulator/TensorCore.cpp, written apart from the
// lowering): mma.sync m16n8k16 f16/bf16, m16n8k8 tf32 and m16n8k32 s8/u8
// (the product exact, rounded once to the accumulator's type; integer sums
// saturate or wrap as the op says), ldmatrix .m8n8 .x1/.x2/.x4 (.trans).
// A cp.async reads its source when issued and lands in shared memory when
// its thread's cp.async.wait_group completes its group: visible to that
// thread then, to the others after the next barrier; any access to the
// bytes while the copy is in flight is a race.
// Transcendentals use the host's libm, so results differ from libdevice's by
// a few ulp. `kdslc run --backend emulate` and the emulator tests run it.
//
//===----------------------------------------------------------------------===//

#ifndef KDSL_EMULATOR_SIMTEMULATOR_H
#define KDSL_EMULATOR_SIMTEMULATOR_H

#include "kdsl/Interpreter/Interpreter.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"

#include <array>
#include <string>

namespace kdsl {

/// What a run did that a profiler would count.
struct EmulatorStats {
  /// 8x8 matrices ldmatrix read, and the shared-memory wavefronts they took:
  /// one each without bank conflicts (ncu's
  /// l1tex__data_bank_conflicts_pipe_lsu_mem_shared_op_ld counts the rest).
  int64_t ldmatrixMatrices = 0, ldmatrixWavefronts = 0;
};

/// Runs `kernel` over `grid` with `args` (in the gpu.func's parameter order;
/// buffers are used in place and must outlive the call). `argNames`, where
/// given, names the parameters in messages (else "argument 2"). The first
/// error is reported through the context's diagnostic engine at the op's
/// source location, naming the block, the thread and the GPU op; buffers
/// keep what was stored before it. A grid beyond CUDA's limits
/// (kdsl/Support/Limits.h) is refused as the runtime refuses it. `stats`,
/// where given, accumulates what the run did.
mlir::LogicalResult emulate(mlir::gpu::GPUFuncOp kernel,
                            std::array<int64_t, 3> grid,
                            llvm::ArrayRef<LaunchArg> args,
                            llvm::ArrayRef<std::string> argNames = {},
                            EmulatorStats *stats = nullptr);

} // namespace kdsl

#endif // KDSL_EMULATOR_SIMTEMULATOR_H
