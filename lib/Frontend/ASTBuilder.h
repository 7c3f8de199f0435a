//===- ASTBuilder.h - ANTLR parse tree to AST (private) ---------*- C++ -*-===//
//
// Shared by Parser.cpp and ASTBuilder.cpp only: the mapping from ANTLR token
// positions to the byte columns that diagnostics use, and the builder that
// turns a complete parse tree into an ast::Module.
//
//===----------------------------------------------------------------------===//

#ifndef KDSL_LIB_FRONTEND_ASTBUILDER_H
#define KDSL_LIB_FRONTEND_ASTBUILDER_H

#include "kdsl/Frontend/AST.h"

#include "KdslParser.h"

#include "llvm/ADT/StringRef.h"

#include <memory>
#include <string>
#include <vector>

namespace kdsl::detail {

/// Maps ANTLR positions (code point indices into the lexed text, or a line
/// and a 0-based column counted in code points) to ast::Loc (1-based line,
/// 1-based column counted in bytes, which is what llvm::SourceMgr expects).
class SourceLocator {
public:
  /// `source` is the text as the user wrote it; the lexer saw it without its
  /// first `skippedPrefixBytes` bytes (a byte order mark).
  SourceLocator(llvm::StringRef source, unsigned skippedPrefixBytes);

  /// The start of line `line` plus `charPositionInLine` code points.
  ast::Loc loc(size_t line, size_t charPositionInLine) const;
  /// The first character of `token`.
  ast::Loc loc(const antlr4::Token *token) const;
  /// Just past the last character of `token` (on the same line).
  ast::Loc locAfter(const antlr4::Token *token) const;
  /// The location of byte `offset` in the source.
  ast::Loc locOfOffset(size_t offset) const;

private:
  llvm::StringRef source;
  unsigned skippedPrefix;
  std::vector<size_t> lineStarts;
  /// For each multi-byte character of the lexed text, in order: its code
  /// point index and the extra bytes of all multi-byte characters up to and
  /// including it. Empty for ASCII files.
  std::vector<std::pair<size_t, size_t>> multiByte;
};

/// The first error found, in words, at a source location.
struct SyntaxDiag {
  ast::Loc loc;
  std::string message;
};

/// The deepest nesting of expressions and statements the builder accepts, so
/// that the recursive passes over the AST (Sema, MLIRGen, the destructors)
/// stay well within the stack. Long chains of binary operators count too.
constexpr unsigned kMaxASTDepth = 1000;

/// Builds the AST of a parse tree that parsed without errors. On a semantic
/// error of the syntax (an integer literal that does not fit in 64 bits, a
/// bad escape, a grid clause not named `grid`, too deep a tree) returns null
/// and fills `diag`.
std::unique_ptr<ast::Module>
buildModule(kdsl_antlr::KdslParser::FileContext *file,
            const SourceLocator &locator, llvm::StringRef fileName,
            SyntaxDiag &diag);

} // namespace kdsl::detail

#endif // KDSL_LIB_FRONTEND_ASTBUILDER_H
