//===- MLIRGen.h - Checked AST to the kdsl dialect --------------*- C++ -*-===//

#ifndef KDSL_FRONTEND_MLIRGEN_H
#define KDSL_FRONTEND_MLIRGEN_H

#include "kdsl/Frontend/AST.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"

namespace kdsl {

/// Emits one generic `kdsl.kernel` per kernel of a module that `analyze`
/// accepted. Returns null (after reporting) if the module fails to verify.
mlir::OwningOpRef<mlir::ModuleOp> mlirGen(mlir::MLIRContext &context,
                                          const ast::Module &module);

} // namespace kdsl

#endif // KDSL_FRONTEND_MLIRGEN_H
