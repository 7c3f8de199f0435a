//===- Compiler.h - The .kdsl front end in one call -------------*- C++ -*-===//

#ifndef KDSL_FRONTEND_COMPILER_H
#define KDSL_FRONTEND_COMPILER_H

#include "kdsl/Frontend/AST.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"

namespace kdsl {

/// What the front end produced for one file.
struct FrontendResult {
  std::unique_ptr<ast::Module> ast;     ///< the checked AST
  mlir::OwningOpRef<mlir::ModuleOp> ir; ///< generic kdsl IR, if asked for
};

/// Parses, checks and (when `emitIR`) lowers `source` to the kdsl dialect.
/// Every error is reported through `context`'s diagnostic engine; returns
/// failure after the first stage that reported one.
llvm::FailureOr<FrontendResult> runFrontend(llvm::StringRef source,
                                            llvm::StringRef fileName,
                                            mlir::MLIRContext &context,
                                            bool emitIR);

/// Registers the dialects the front end and the kdsl passes produce.
void registerFrontendDialects(mlir::MLIRContext &context);

} // namespace kdsl

#endif // KDSL_FRONTEND_COMPILER_H
