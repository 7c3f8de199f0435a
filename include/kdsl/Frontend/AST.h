//===- AST.h - The typed AST of .kdsl files ---------------------*- C++ -*-===//
//
// The parser builds these nodes; Sema fills in the `Sema results` fields
// (types, compile-time values, resolved names, instantiated helper calls);
// MLIRGen reads them. Nodes are plain structs tagged by kind.
//
//===----------------------------------------------------------------------===//

#ifndef KDSL_FRONTEND_AST_H
#define KDSL_FRONTEND_AST_H

#include "kdsl/Support/ConfigSpace.h"
#include "kdsl/Support/ConstExpr.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace kdsl::ast {

/// A 1-based line and column in the source file.
struct Loc {
  unsigned line = 0;
  unsigned col = 0;
};

/// Element types of the language.
enum class ScalarKind { Bool, I8, I16, I32, I64, F16, BF16, F32, F64 };

/// Parses `bool`, `i32`, `bf16`, ...; nullopt for other names.
std::optional<ScalarKind> parseScalarKind(const std::string &name);
const char *scalarKindName(ScalarKind kind);
bool isFloat(ScalarKind kind);
bool isInteger(ScalarKind kind); // bool excluded
unsigned bitWidth(ScalarKind kind);

struct Expr;
struct Stmt;
struct FnDecl;
using ExprPtr = std::unique_ptr<Expr>;
using StmtPtr = std::unique_ptr<Stmt>;

/// A dimension of a block: a constant, or a constexpr expression.
using Dim = ConstExprRef;

/// The type Sema gives an expression.
struct Type {
  enum class Kind {
    Invalid, ///< after an error
    Void,    ///< a call that gives nothing (store)
    Value,   ///< a scalar (empty dims) or a block of `elem` / pointers to it
    List,    ///< `[a, b]`: shapes and autotune values
    String,  ///< the message of static_assert
    DType,   ///< a type name used as a value: `zeros([8], f32)`
  };
  Kind kind = Kind::Invalid;
  ScalarKind elem = ScalarKind::I32;
  bool isPtr = false;
  std::vector<Dim> dims; ///< empty for scalars

  static Type scalar(ScalarKind elem, bool isPtr = false) {
    Type t;
    t.kind = Kind::Value;
    t.elem = elem;
    t.isPtr = isPtr;
    return t;
  }
  static Type block(ScalarKind elem, bool isPtr, std::vector<Dim> dims) {
    Type t = scalar(elem, isPtr);
    t.dims = std::move(dims);
    return t;
  }
  static Type of(Kind kind) {
    Type t;
    t.kind = kind;
    return t;
  }
  bool isValue() const { return kind == Kind::Value; }
  bool isScalar() const { return isValue() && dims.empty(); }
  bool isBlock() const { return isValue() && !dims.empty(); }
  Type withElem(ScalarKind e, bool ptr = false) const {
    Type t = *this;
    t.elem = e;
    t.isPtr = ptr;
    return t;
  }
  Type withDims(std::vector<Dim> d) const {
    Type t = *this;
    t.dims = std::move(d);
    return t;
  }
  /// `f32`, `*f16`, `f32[BM, 64]`, `*f32[128]`.
  std::string str() const;
};

/// A written type: `*f16[64, BK]`.
struct TypeRef {
  Loc loc;
  bool isPtr = false;
  std::string elemName;
  std::vector<ExprPtr> dims;
};

/// A variable (parameter, let binding, loop index) after name resolution.
struct Var {
  std::string name;
  Loc loc;
  Type type;
  bool isMut = false;
  bool isConstexprParam = false;
  /// The compile-time value, for constexprs and immutable bindings of them.
  ConstExprRef constValue;
};

struct Expr {
  enum class Kind {
    IntLit,
    FloatLit,
    BoolLit,
    NoneLit,
    StringLit,
    Name,
    List,
    Call,
    Index,
    Cast,
    Unary,
    Binary,
  };
  Kind kind;
  Loc loc;

  int64_t intValue = 0;   ///< IntLit
  double floatValue = 0;  ///< FloatLit (also inf and nan)
  bool boolValue = false; ///< BoolLit
  std::string name;       ///< Name, Call callee, StringLit text, Cast type
  std::string op;         ///< Unary and Binary operator spelling
  std::vector<ExprPtr>
      operands; ///< operands, call args, list items; Index base
  std::vector<bool>
      indexIsNone;  ///< Index items: true for `None`, false for `:`
  std::string text; ///< source spelling (literals, for messages)

  // Sema results.
  bool analyzed = false; ///< Sema visits each node once
  Type type;
  ConstExprRef constValue; ///< set when the value is known at compile time
  Var *var = nullptr;      ///< Name: what it refers to
  /// Call of a `fn`: the instantiated body, in its own copy.
  struct Inlined {
    const FnDecl *fn = nullptr;
    std::vector<std::unique_ptr<Var>> params;
    std::vector<StmtPtr> body;
  };
  std::unique_ptr<Inlined> inlined;

  explicit Expr(Kind kind, Loc loc) : kind(kind), loc(loc) {}
  ExprPtr clone() const;
};

struct Stmt {
  enum class Kind { Let, Assign, Expr, For, If, Return, Block };
  Kind kind;
  Loc loc;

  std::string name;                  ///< Let and For variable; Assign target
  bool isMut = false;                ///< Let
  std::optional<TypeRef> annotation; ///< Let
  std::string op;                    ///< Assign: `=`, `+=`, ...
  ExprPtr value;             ///< Let/Assign/Expr/Return value, If condition
  ExprPtr start, end, step;  ///< For (step may be null)
  std::vector<StmtPtr> body; ///< For/If-then/Block statements
  std::vector<StmtPtr> elseBody;
  bool hasElse = false;

  // Sema results.
  std::unique_ptr<Var> decl; ///< Let binding or For index
  Var *target = nullptr;     ///< Assign

  explicit Stmt(Kind kind, Loc loc) : kind(kind), loc(loc) {}
  StmtPtr clone() const;
};

struct Param {
  Loc loc;
  std::string name;
  bool isConstexpr = false;
  std::optional<TypeRef> type; ///< absent for generic fn parameters
  ExprPtr defaultValue;        ///< constexpr default
  std::unique_ptr<Var> var;    ///< Sema
  std::string defaultText;     ///< Sema: the default as a ConstExpr string
};

struct AttrArg {
  Loc loc;
  std::string name;
  ExprPtr value;
};

struct Attribute {
  Loc loc;
  std::string name; ///< autotune, config
  std::vector<AttrArg> args;
};

struct KernelDecl {
  Loc loc;
  std::string name;
  std::vector<Attribute> attributes;
  std::vector<Param> params;
  Loc gridLoc;
  std::vector<ExprPtr> grid;
  std::vector<StmtPtr> body;

  // Sema results, in the form the kdsl.kernel op carries.
  std::vector<std::string> gridText;
  std::vector<TuneAxis> tuneSpace;
  bool hasAutotune = false;
  std::vector<std::string> tuneKey; ///< `M` or `exact(M)`
  std::string tuneWhere;
  std::vector<std::pair<std::string, int64_t>> fixedConfig;
  bool hasConfig = false;
};

struct FnDecl {
  Loc loc;
  std::string name;
  std::vector<Param> params;
  std::optional<TypeRef> returnType;
  std::vector<StmtPtr> body;
};

struct Module {
  std::string fileName;
  std::vector<std::unique_ptr<KernelDecl>> kernels;
  std::vector<std::unique_ptr<FnDecl>> fns;
};

} // namespace kdsl::ast

#endif // KDSL_FRONTEND_AST_H
