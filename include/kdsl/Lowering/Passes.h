//===- Passes.h - kdsl lowering passes --------------------------*- C++ -*-===//

#ifndef KDSL_LOWERING_PASSES_H
#define KDSL_LOWERING_PASSES_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace kdsl {

#define GEN_PASS_DECL
#include "kdsl/Lowering/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "kdsl/Lowering/Passes.h.inc"

} // namespace kdsl

#endif // KDSL_LOWERING_PASSES_H
