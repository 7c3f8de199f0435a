//===- Sema.h - Semantic analysis of .kdsl ASTs -----------------*- C++ -*-===//

#ifndef KDSL_FRONTEND_SEMA_H
#define KDSL_FRONTEND_SEMA_H

#include "kdsl/Frontend/AST.h"

#include "mlir/Support/LLVM.h"

namespace mlir {
class MLIRContext;
} // namespace mlir

namespace kdsl {

/// Resolves names, infers types and shapes (NumPy broadcasting, literal
/// typing), evaluates constexpr expressions symbolically, checks attributes
/// and instantiates `fn` calls, filling in the AST's Sema fields. Errors go
/// to `context`'s diagnostic engine at the source locations of `module`.
llvm::LogicalResult analyze(ast::Module &module, mlir::MLIRContext *context);

} // namespace kdsl

#endif // KDSL_FRONTEND_SEMA_H
