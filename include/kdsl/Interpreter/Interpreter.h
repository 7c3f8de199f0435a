//===- Interpreter.h - Reference execution of kdsl variants -----*- C++ -*-===//
//
// Runs a specialized kernel (a variant: static shapes, no constexprs) over a
// whole grid on host memory, with the semantics of LANGUAGE.md §8. Values are
// whole blocks; every op is a loop over its elements. f16 and bf16 results
// are rounded to nearest even after every operation, as the GPU does.
//
//===----------------------------------------------------------------------===//

#ifndef KDSL_INTERPRETER_INTERPRETER_H
#define KDSL_INTERPRETER_INTERPRETER_H

#include "kdsl/Dialect/Kdsl/IR/KdslDialect.h"

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace kdsl {

/// Host memory bound to one pointer parameter: `elementType` elements stored
/// little-endian and densely, as a `.npy` file or a C array holds them.
struct HostBuffer {
  mlir::Type elementType;
  std::vector<uint8_t> bytes;
  int64_t numElements() const;
};

/// One argument of a launch, in parameter order: a buffer for a pointer
/// parameter, a number for a scalar one.
struct LaunchArg {
  HostBuffer *buffer = nullptr; ///< for pointer parameters
  int64_t intValue = 0;         ///< for integer and bool parameters
  double floatValue = 0;        ///< for float parameters
  static LaunchArg ofBuffer(HostBuffer &buffer) {
    LaunchArg arg;
    arg.buffer = &buffer;
    return arg;
  }
  static LaunchArg ofInt(int64_t value) {
    LaunchArg arg;
    arg.intValue = value;
    return arg;
  }
  static LaunchArg ofFloat(double value) {
    LaunchArg arg;
    arg.floatValue = value;
    return arg;
  }
};

/// Evaluates the variant's `grid(...)` expressions with the scalar arguments
/// of a launch; missing dimensions are 1. Fails (reporting) when the kernel
/// has no grid or an expression cannot be evaluated.
llvm::FailureOr<std::array<int64_t, 3>>
evaluateGrid(KernelOp variant, llvm::ArrayRef<LaunchArg> args);

/// Runs `variant` for every program instance of `grid`. Errors (an argument
/// that does not fit, an unmasked access outside a buffer, an op the
/// interpreter does not know) are reported through the context's diagnostic
/// engine at the op's source location, naming the kernel, the program id and
/// the offending element offset; buffers written before the error keep what
/// was written.
llvm::LogicalResult interpret(KernelOp variant, std::array<int64_t, 3> grid,
                              llvm::ArrayRef<LaunchArg> args);

} // namespace kdsl

#endif // KDSL_INTERPRETER_INTERPRETER_H
