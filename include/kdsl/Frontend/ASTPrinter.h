//===- ASTPrinter.h - Dump the (typed) AST ----------------------*- C++ -*-===//

#ifndef KDSL_FRONTEND_ASTPRINTER_H
#define KDSL_FRONTEND_ASTPRINTER_H

#include "kdsl/Frontend/AST.h"

#include "llvm/Support/raw_ostream.h"

namespace kdsl {

/// Prints `module` as an indented tree, one node a line with its location
/// and, once Sema has run, its type and compile-time value.
void printAST(const ast::Module &module, llvm::raw_ostream &os);

} // namespace kdsl

#endif // KDSL_FRONTEND_ASTPRINTER_H
