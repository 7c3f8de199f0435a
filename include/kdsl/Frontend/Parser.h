//===- Parser.h - .kdsl source to AST ---------------------------*- C++ -*-===//

#ifndef KDSL_FRONTEND_PARSER_H
#define KDSL_FRONTEND_PARSER_H

#include "kdsl/Frontend/AST.h"

#include "llvm/ADT/StringRef.h"

namespace mlir {
class MLIRContext;
} // namespace mlir

namespace kdsl {

/// Parses `source`, the contents of `fileName`, into an AST. Syntax errors
/// are reported through `context`'s diagnostic engine at
/// `FileLineColLoc(fileName, line, col)`, in words (what was expected and
/// what was found), and null is returned. Never throws.
std::unique_ptr<ast::Module> parseModule(llvm::StringRef source,
                                         llvm::StringRef fileName,
                                         mlir::MLIRContext *context);

} // namespace kdsl

#endif // KDSL_FRONTEND_PARSER_H
