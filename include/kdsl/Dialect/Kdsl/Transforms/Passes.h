//===- Passes.h - kdsl dialect passes ---------------------------*- C++ -*-===//

#ifndef KDSL_DIALECT_KDSL_TRANSFORMS_PASSES_H
#define KDSL_DIALECT_KDSL_TRANSFORMS_PASSES_H

#include "kdsl/Dialect/Kdsl/IR/KdslDialect.h"
#include "mlir/Pass/Pass.h"

namespace kdsl {

#define GEN_PASS_DECL
#include "kdsl/Dialect/Kdsl/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "kdsl/Dialect/Kdsl/Transforms/Passes.h.inc"

} // namespace kdsl

#endif // KDSL_DIALECT_KDSL_TRANSFORMS_PASSES_H
