//===- Passes.h - kdsl dialect passes ---------------------------*- C++ -*-===//

#ifndef KDSL_DIALECT_KDSL_TRANSFORMS_PASSES_H
#define KDSL_DIALECT_KDSL_TRANSFORMS_PASSES_H

#include "kdsl/Dialect/Kdsl/IR/KdslDialect.h"
#include "kdsl/Support/ConfigSpace.h"
#include "mlir/Pass/Pass.h"

namespace kdsl {

/// The plain-data view of a generic kernel that config resolution reads:
/// parameters and defaults, @config, @autotune's space and `where`.
KernelConfigInfo getConfigInfo(KernelOp kernel);

#define GEN_PASS_DECL
#include "kdsl/Dialect/Kdsl/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "kdsl/Dialect/Kdsl/Transforms/Passes.h.inc"

} // namespace kdsl

#endif // KDSL_DIALECT_KDSL_TRANSFORMS_PASSES_H
