//===- KdslDialect.h - The kdsl dialect -------------------------*- C++ -*-===//
//
// The kdsl dialect: its types, attributes and operations.
//
//===----------------------------------------------------------------------===//

#ifndef KDSL_DIALECT_KDSL_IR_KDSLDIALECT_H
#define KDSL_DIALECT_KDSL_IR_KDSLDIALECT_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/IR/TensorEncoding.h"
#include "mlir/Interfaces/ControlFlowInterfaces.h"
#include "mlir/Interfaces/FunctionInterfaces.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "kdsl/Dialect/Kdsl/IR/KdslEnums.h.inc"
#include "kdsl/Dialect/Kdsl/IR/KdslOpsDialect.h.inc"

#define GET_TYPEDEF_CLASSES
#include "kdsl/Dialect/Kdsl/IR/KdslOpsTypes.h.inc"

#define GET_ATTRDEF_CLASSES
#include "kdsl/Dialect/Kdsl/IR/KdslAttrs.h.inc"

#define GET_OP_CLASSES
#include "kdsl/Dialect/Kdsl/IR/KdslOps.h.inc"

namespace kdsl {
/// Whether `type` is a scalar element type of the language: bool, i8..i64,
/// f16, bf16, f32 or f64 (pointers excluded).
bool isScalarElementType(mlir::Type type);
/// The value of a config or binding entry (`true` is 1, not -1).
int64_t getConfigInt(mlir::IntegerAttr attr);
/// Prints a shape as `[64, ?]`, the way diagnostics show it.
std::string formatShape(llvm::ArrayRef<int64_t> shape);
/// Prints a scalar or block type as the language spells it: `bool`,
/// `f32[64, 32]`.
std::string formatType(mlir::Type type);
} // namespace kdsl

#endif // KDSL_DIALECT_KDSL_IR_KDSLDIALECT_H
