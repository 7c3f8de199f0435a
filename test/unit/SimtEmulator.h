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
//    the same shuffle, and integer division never divides by zero.
// Transcendentals use the host's libm, so results differ from libdevice's by
// a few ulp.
//
//===----------------------------------------------------------------------===//

#ifndef KDSL_TEST_UNIT_SIMTEMULATOR_H
#define KDSL_TEST_UNIT_SIMTEMULATOR_H

#include "kdsl/Interpreter/Interpreter.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"

#include <array>
#include <string>

namespace kdsl::test {

/// Runs `kernel` over `grid` with `args` (in the gpu.func's parameter order;
/// buffers are used in place and must outlive the call). On failure returns
/// false and sets `error` to what went wrong, naming the block, the thread
/// and the op.
bool emulate(mlir::gpu::GPUFuncOp kernel, std::array<int64_t, 3> grid,
             llvm::ArrayRef<LaunchArg> args, std::string &error);

} // namespace kdsl::test

#endif // KDSL_TEST_UNIT_SIMTEMULATOR_H
