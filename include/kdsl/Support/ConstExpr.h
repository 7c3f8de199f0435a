//===- ConstExpr.h - Compile-time integer expressions -----------*- C++ -*-===//
//
// Part of the kdsl project.
//
//===----------------------------------------------------------------------===//
///
/// \file
/// A small, dependency-free library for the integer expressions that kdsl
/// evaluates at compile time or at launch time: constexpr defaults
/// (`next_pow2(n_cols)`), grid expressions (`cdiv(M, BM) * cdiv(N, BN)`),
/// autotune `where` filters (`BM * BN <= 16384`) and symbolic block dimensions
/// (`BLOCK`, `BM / 2`).
///
/// This header and its implementation use only the C++17 standard library (no
/// LLVM or MLIR) so that the launch-time runtime can reuse them.
///
/// Semantics follow LANGUAGE.md (C rules): values are `int64_t`; `+`, `-`,
/// `*`, unary `-` and `<<` wrap around in two's complement; `/` truncates
/// toward zero and `%` takes the sign of the dividend; comparisons and logical
/// operators give 0 or 1; `&&` and `||` short-circuit. Division or remainder by
/// zero, `INT64_MIN / -1`, and shifts by a negative amount or by 64 or more are
/// errors. `INT64_MIN % -1` is 0.
///
//===----------------------------------------------------------------------===//

#ifndef KDSL_SUPPORT_CONSTEXPR_H
#define KDSL_SUPPORT_CONSTEXPR_H

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace kdsl {

class ConstExpr;

/// Expressions are immutable and shared; subtrees may be shared freely.
using ConstExprRef = std::shared_ptr<const ConstExpr>;

/// Gives the value of a parameter, or std::nullopt when it is not known.
using ConstExprLookup =
    std::function<std::optional<int64_t>(const std::string &)>;

/// The parser rejects expressions whose nesting (parentheses, unary operators,
/// call arguments) or whose tree depth exceeds this limit.
constexpr unsigned kMaxConstExprDepth = 256;

/// An immutable integer expression tree over named parameters.
///
/// Nodes are only created through the static builders, which fold eagerly:
/// when every operand is an integer literal the result is a literal, unless
/// folding would be an error (e.g. `1 / 0`), in which case the node stays
/// symbolic so that evaluation reports the error. The builders also apply a few
/// cheap identities (`x + 0`, `0 + x`, `x - 0`, `x * 1`, `1 * x`, `x * 0`,
/// `0 * x`, `x / 1`, `x << 0`, `x >> 0`, `- -x`, `~~x`, `0 && x`, `1 || x`,
/// `min(x, x)`, `max(x, x)`). Booleans are the integers 0 and 1.
class ConstExpr : public std::enable_shared_from_this<ConstExpr> {
  struct PrivateTag {
    explicit PrivateTag() = default;
  };

public:
  enum class Kind { Int, Param, Unary, Binary, Call };
  enum class UnaryOp { Neg, Not, BitNot };
  enum class BinaryOp {
    Add,
    Sub,
    Mul,
    Div,
    Rem,
    Shl,
    Shr,
    And,
    Or,
    Xor,
    LogicalAnd,
    LogicalOr,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge
  };

  //===--------------------------------------------------------------------===//
  // Builders
  //===--------------------------------------------------------------------===//

  /// An integer literal. Booleans are represented as 0 and 1.
  static ConstExprRef intLit(int64_t v);
  /// A named parameter (a constexpr or a scalar launch argument). The name
  /// should be a kdsl identifier for the printed form to parse back.
  static ConstExprRef param(std::string name);
  /// A unary operation; returns nullptr if \p operand is null.
  static ConstExprRef unary(UnaryOp op, ConstExprRef operand);
  /// A binary operation; returns nullptr if an operand is null.
  static ConstExprRef binary(BinaryOp op, ConstExprRef lhs, ConstExprRef rhs);
  /// A call to one of the builtins `next_pow2` (1 argument), `cdiv`, `min`
  /// and `max` (2 arguments). Returns nullptr, and stores a message in
  /// \p error when it is non-null, for an unknown name, a wrong argument count
  /// or a null argument.
  static ConstExprRef call(std::string name, std::vector<ConstExprRef> args,
                           std::string *error = nullptr);

  /// Returns true if \p name is a builtin function and sets \p arity to its
  /// number of arguments.
  static bool isBuiltin(const std::string &name, unsigned &arity);

  /// The kdsl spelling of an operator (`-`, `!`, `~`, `+`, `<<`, `&&`, ...).
  static const char *getOpSpelling(UnaryOp op);
  static const char *getOpSpelling(BinaryOp op);
  /// Binding strength of a binary operator, from 1 (`||`) to 10 (`* / %`),
  /// following LANGUAGE.md section 6. Unary operators bind tighter than all.
  static int getPrecedence(BinaryOp op);

  //===--------------------------------------------------------------------===//
  // Accessors
  //===--------------------------------------------------------------------===//

  Kind getKind() const { return kind; }
  /// True for an integer literal.
  bool isConstant() const { return kind == Kind::Int; }
  /// The literal's value; asserts isConstant().
  int64_t getConstant() const;
  /// The name of a Param, or the callee of a Call; asserts either kind.
  const std::string &getName() const;
  /// Asserts getKind() == Kind::Unary.
  UnaryOp getUnaryOp() const;
  /// Asserts getKind() == Kind::Binary.
  BinaryOp getBinaryOp() const;
  /// The operand of a Unary; asserts getKind() == Kind::Unary.
  const ConstExprRef &getOperand() const;
  /// The operands of a Binary; asserts getKind() == Kind::Binary.
  const ConstExprRef &getLHS() const;
  const ConstExprRef &getRHS() const;
  /// The arguments of a Call; asserts getKind() == Kind::Call.
  const std::vector<ConstExprRef> &getArgs() const;
  /// All children in order: the operand of a Unary, lhs and rhs of a Binary,
  /// the arguments of a Call, nothing for a leaf.
  const std::vector<ConstExprRef> &getChildren() const { return children; }
  /// The height of the tree: 1 for a leaf.
  unsigned getDepth() const { return depth; }

  //===--------------------------------------------------------------------===//
  // Operations
  //===--------------------------------------------------------------------===//

  /// Structural equality.
  bool isEqual(const ConstExpr &other) const;

  /// Prints in kdsl syntax with minimal parentheses (precedence of
  /// LANGUAGE.md section 6, binary operators left-associative). Printing is
  /// canonical: two structurally equal trees print identically, and
  /// `parseConstExpr(print())` prints the same string. Negative literals print
  /// as `-3`.
  std::string print() const;

  /// Names of all Param leaves, in first-appearance order, without duplicates.
  std::vector<std::string> params() const;

  /// Replaces the params that \p lookup knows by their values and folds.
  /// Unknown params stay symbolic. Returns this node itself when nothing
  /// changes.
  ConstExprRef substitute(const ConstExprLookup &lookup) const;

  /// Public only for std::make_shared; use the static builders.
  ConstExpr(PrivateTag, Kind kind);

private:
  Kind kind;
  int64_t value = 0;
  int op = 0;
  std::string name;
  std::vector<ConstExprRef> children;
  unsigned depth = 1;

  static std::shared_ptr<ConstExpr> create(Kind kind,
                                           std::vector<ConstExprRef> children);
};

/// Result of parseConstExpr: either an expression or an error message with a
/// 0-based column (byte offset) into the input.
struct ConstExprParseResult {
  ConstExprRef expr;
  std::string error;
  size_t column = 0;
  explicit operator bool() const { return expr != nullptr; }
};

/// Parses an integer expression in kdsl syntax: decimal literals with optional
/// `_` separators, hexadecimal `0x2A`, `true` / `false`, identifiers,
/// parentheses, unary `- ! ~`, the binary operators of ConstExpr::BinaryOp and
/// calls to the builtins. Never throws and never crashes; nesting deeper than
/// kMaxConstExprDepth is an error.
ConstExprParseResult parseConstExpr(const std::string &text);

/// Result of evaluateConstExpr: a value when `ok`, else an error message.
struct ConstExprEvalResult {
  bool ok = false;
  int64_t value = 0;
  std::string error;
};

/// Evaluates \p e with parameter values from \p lookup (which may be empty).
/// Errors: "no value for parameter 'x'", "division by zero in `a / b`",
/// "division overflow in `a / b`", "shift amount 64 is out of range in
/// `a << b`", "cdiv divisor must be positive, got 0", "next_pow2(x) overflows
/// for x = ...".
ConstExprEvalResult evaluateConstExpr(const ConstExpr &e,
                                      const ConstExprLookup &lookup);

} // namespace kdsl

#endif // KDSL_SUPPORT_CONSTEXPR_H
