//===- Sema.cpp - Semantic analysis of .kdsl ASTs -------------------------===//
//
// Name resolution with scopes, type and shape inference with NumPy
// broadcasting and literal typing, symbolic constexpr evaluation, attribute
// checking and `fn` instantiation. Errors are diagnostics at the offending
// node; an erroneous expression gets the Invalid type, which silences the
// errors that would only follow from it.
//
//===----------------------------------------------------------------------===//

#include "kdsl/Frontend/Sema.h"
#include "kdsl/Support/ConfigSpace.h"
#include "kdsl/Support/Limits.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Location.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/ADT/APFloat.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/MathExtras.h"

#include <cmath>
#include <cstdio>
#include <functional>

using namespace kdsl;
using namespace kdsl::ast;
using mlir::LogicalResult;

namespace {

using CE = ConstExpr;

bool isPow2(int64_t v) { return v > 0 && llvm::isPowerOf2_64(v); }

/// Whether `e` is a bare numeric literal (optionally negated): it takes the
/// element type of the operand it meets.
bool isLiteral(const Expr &e) {
  if (e.kind == Expr::Kind::IntLit || e.kind == Expr::Kind::FloatLit)
    return true;
  return e.kind == Expr::Kind::Unary && e.op == "-" &&
         isLiteral(*e.operands[0]);
}

std::string dimsStr(const std::vector<Dim> &dims) {
  std::string s = "[";
  for (size_t i = 0; i < dims.size(); ++i)
    s += (i ? ", " : "") + dims[i]->print();
  return s + "]";
}

bool sameDims(const std::vector<Dim> &a, const std::vector<Dim> &b) {
  if (a.size() != b.size())
    return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (a[i]->print() != b[i]->print())
      return false;
  return true;
}

bool isOne(const Dim &d) { return d->isConstant() && d->getConstant() == 1; }

const llvm::StringSet<> &mathBuiltins() {
  static const llvm::StringSet<> names = {"exp",  "exp2",  "log",     "log2",
                                          "sqrt", "rsqrt", "abs",     "sin",
                                          "cos",  "tanh",  "sigmoid", "erf"};
  return names;
}

const llvm::StringSet<> &allBuiltins() {
  static const llvm::StringSet<> names = [] {
    llvm::StringSet<> set = {
        "program_id", "num_programs", "arange",       "zeros",     "full",
        "load",       "store",        "atomic_add",   "dot",       "sum",
        "max",        "min",          "argmax",       "argmin",    "where",
        "maximum",    "minimum",      "cdiv",         "next_pow2", "reshape",
        "trans",      "broadcast_to", "static_assert"};
    for (auto &m : mathBuiltins())
      set.insert(m.getKey());
    return set;
  }();
  return names;
}

class Sema {
public:
  Sema(Module &module, mlir::MLIRContext *context)
      : module(module), context(context) {}

  LogicalResult run() {
    llvm::StringMap<Loc> names;
    auto declare = [&](const std::string &name, Loc loc, const char *what) {
      if (allBuiltins().contains(name) || parseScalarKind(name)) {
        error(loc) << "cannot define " << what << " '" << name << "': "
                   << (parseScalarKind(name) ? "it is a type name"
                                             : "the name is a builtin");
        return;
      }
      auto [it, inserted] = names.try_emplace(name, loc);
      if (!inserted)
        error(loc) << "redefinition of '" << name << "' (first defined at line "
                   << it->second.line << ")";
    };
    for (auto &fn : module.fns) {
      declare(fn->name, fn->loc, "fn");
      fns[fn->name] = fn.get();
    }
    for (auto &kernel : module.kernels)
      declare(kernel->name, kernel->loc, "kernel");
    checkFnCallGraph();
    for (auto &kernel : module.kernels)
      analyzeKernel(*kernel);
    for (auto &fn : module.fns)
      if (!fnCalls.count(fn.get()) && !recursiveFns.count(fn.get()))
        checkUncalledFn(*fn);
    return mlir::failure(failed);
  }

private:
  Module &module;
  mlir::MLIRContext *context;
  bool failed = false;
  llvm::StringMap<FnDecl *> fns;
  llvm::DenseMap<const FnDecl *, unsigned> fnCalls;
  llvm::DenseSet<const FnDecl *> recursiveFns;
  std::vector<llvm::StringMap<Var *>> scopes;
  std::vector<const FnDecl *> instantiating;
  std::vector<Loc> callLocs; ///< where each fn in `instantiating` was called
  KernelDecl *kernel = nullptr;
  unsigned instantiations = 0;
  static constexpr unsigned kMaxInstantiations = 4096;
  int loopDepth = 0;
  bool inFn = false;

  //===--------------------------------------------------------------------===//
  // Diagnostics and scopes
  //===--------------------------------------------------------------------===//

  mlir::Location location(Loc loc) {
    return mlir::FileLineColLoc::get(context, module.fileName, loc.line,
                                     loc.col);
  }

  mlir::InFlightDiagnostic error(Loc loc) {
    failed = true;
    mlir::InFlightDiagnostic diag = mlir::emitError(location(loc));
    // Inside an inlined fn, say which call (innermost first) led here.
    for (size_t i = instantiating.size(); i-- > 0;)
      diag.attachNote(location(callLocs[i]))
          << "in the call to fn '" << instantiating[i]->name << "' here";
    return diag;
  }

  Type invalid(Expr &e) {
    e.type = Type();
    return e.type;
  }

  Var *lookup(const std::string &name) {
    for (auto it = scopes.rbegin(); it != scopes.rend(); ++it) {
      auto found = it->find(name);
      if (found != it->end())
        return found->second;
    }
    return nullptr;
  }

  void bind(Var *var) {
    auto [it, inserted] = scopes.back().try_emplace(var->name, var);
    if (!inserted) {
      error(var->loc) << "redefinition of '" << var->name
                      << "' in the same scope (first defined at line "
                      << it->second->loc.line
                      << "); shadowing needs a new block { }";
      it->second = var;
    }
  }

  struct ScopeGuard {
    Sema &sema;
    explicit ScopeGuard(Sema &sema) : sema(sema) { sema.scopes.emplace_back(); }
    ~ScopeGuard() { sema.scopes.pop_back(); }
  };

  //===--------------------------------------------------------------------===//
  // Launch-time expressions: defaults, grid, where
  //===--------------------------------------------------------------------===//

  /// Converts `e` to a ConstExpr over the parameters `allowed` accepts.
  ConstExprRef launchExpr(
      const Expr &e, const char *what,
      const std::function<const char *(const std::string &)> &checkName) {
    switch (e.kind) {
    case Expr::Kind::IntLit:
      return CE::intLit(e.intValue);
    case Expr::Kind::BoolLit:
      return CE::intLit(e.boolValue);
    case Expr::Kind::Name: {
      if (const char *why = checkName(e.name)) {
        error(e.loc) << what << " cannot use '" << e.name << "': " << why;
        return nullptr;
      }
      return CE::param(e.name);
    }
    case Expr::Kind::Unary: {
      ConstExprRef x = launchExpr(*e.operands[0], what, checkName);
      if (!x)
        return nullptr;
      CE::UnaryOp op = e.op == "-"   ? CE::UnaryOp::Neg
                       : e.op == "!" ? CE::UnaryOp::Not
                                     : CE::UnaryOp::BitNot;
      return CE::unary(op, x);
    }
    case Expr::Kind::Binary: {
      ConstExprRef l = launchExpr(*e.operands[0], what, checkName);
      ConstExprRef r =
          l ? launchExpr(*e.operands[1], what, checkName) : nullptr;
      if (!r)
        return nullptr;
      return CE::binary(binaryOp(e.op), l, r);
    }
    case Expr::Kind::Call: {
      unsigned arity = e.name == "next_pow2" ? 1 : 2;
      if (e.name != "next_pow2" && e.name != "cdiv" && e.name != "min" &&
          e.name != "max") {
        error(e.loc) << what << " may only call next_pow2, cdiv, min and max, "
                     << "not '" << e.name << "'";
        return nullptr;
      }
      if (e.operands.size() != arity) {
        error(e.loc) << "'" << e.name << "' takes " << arity
                     << " argument(s), got " << e.operands.size();
        return nullptr;
      }
      std::vector<ConstExprRef> args;
      for (auto &arg : e.operands) {
        args.push_back(launchExpr(*arg, what, checkName));
        if (!args.back())
          return nullptr;
      }
      return CE::call(e.name, args);
    }
    default:
      error(e.loc) << what
                   << " must be built from integer literals, scalar "
                      "parameters, constexprs and next_pow2, cdiv, min, max";
      return nullptr;
    }
  }

  static CE::BinaryOp binaryOp(const std::string &op) {
    static const std::map<std::string, CE::BinaryOp> ops = {
        {"+", CE::BinaryOp::Add},         {"-", CE::BinaryOp::Sub},
        {"*", CE::BinaryOp::Mul},         {"/", CE::BinaryOp::Div},
        {"%", CE::BinaryOp::Rem},         {"<<", CE::BinaryOp::Shl},
        {">>", CE::BinaryOp::Shr},        {"&", CE::BinaryOp::And},
        {"|", CE::BinaryOp::Or},          {"^", CE::BinaryOp::Xor},
        {"&&", CE::BinaryOp::LogicalAnd}, {"||", CE::BinaryOp::LogicalOr},
        {"==", CE::BinaryOp::Eq},         {"!=", CE::BinaryOp::Ne},
        {"<", CE::BinaryOp::Lt},          {"<=", CE::BinaryOp::Le},
        {">", CE::BinaryOp::Gt},          {">=", CE::BinaryOp::Ge}};
    return ops.at(op);
  }

  //===--------------------------------------------------------------------===//
  // Kernels, parameters and attributes
  //===--------------------------------------------------------------------===//

  std::optional<Type> resolveTypeRef(const TypeRef &ref, bool allowDims) {
    std::optional<ScalarKind> elem = parseScalarKind(ref.elemName);
    if (!elem) {
      error(ref.loc) << "unknown type '" << ref.elemName
                     << "'; expected bool, i8, i16, i32, i64, f16, bf16, f32 "
                        "or f64";
      return std::nullopt;
    }
    Type type = Type::scalar(*elem, ref.isPtr);
    if (ref.dims.empty())
      return type;
    if (!allowDims) {
      error(ref.loc) << "a kernel parameter must be a scalar or a pointer, "
                        "not a block";
      return std::nullopt;
    }
    if (ref.dims.size() > 3) {
      error(ref.loc) << "blocks have rank 1 to 3, got " << ref.dims.size();
      return std::nullopt;
    }
    for (auto &dimExpr : ref.dims) {
      std::optional<Dim> dim = constDim(*dimExpr, "a block dimension");
      if (!dim)
        return std::nullopt;
      type.dims.push_back(*dim);
    }
    return type;
  }

  void analyzeKernel(KernelDecl &k) {
    kernel = &k;
    instantiations = 0;
    inFn = false;
    loopDepth = 0;
    scopes.clear();
    ScopeGuard scope(*this);
    llvm::StringMap<Param *> params;
    for (Param &p : k.params) {
      bool duplicate = !params.try_emplace(p.name, &p).second;
      if (duplicate)
        error(p.loc) << "redefinition of parameter '" << p.name << "'";
      auto var = std::make_unique<Var>();
      var->name = p.name;
      var->loc = p.loc;
      var->isConstexprParam = p.isConstexpr;
      if (std::optional<Type> type = resolveTypeRef(*p.type, false)) {
        var->type = *type;
        if (p.isConstexpr && (type->isPtr || !(isInteger(type->elem) ||
                                               type->elem == ScalarKind::Bool)))
          error(p.type->loc)
              << "constexpr '" << p.name
              << "' must have an integer or bool type, not " << type->str();
      }
      if (p.isConstexpr)
        var->constValue = CE::param(p.name);
      p.var = std::move(var);
      if (!duplicate)
        bind(p.var.get());
    }
    auto paramKind = [&](const std::string &name) -> Param * {
      auto it = params.find(name);
      return it == params.end() ? nullptr : it->second;
    };
    // Defaults: over other constexprs and scalar parameters.
    for (Param &p : k.params) {
      if (!p.defaultValue)
        continue;
      if (!p.isConstexpr) {
        error(p.defaultValue->loc) << "only constexpr parameters have defaults";
        continue;
      }
      ConstExprRef def = launchExpr(
          *p.defaultValue, "a constexpr default",
          [&](const std::string &name) -> const char * {
            Param *q = paramKind(name);
            if (!q)
              return "no parameter has that name";
            if (q == &p)
              return "a default cannot use its own parameter";
            if (q->var && q->var->type.isPtr)
              return "it is a pointer";
            if (q->var && isFloat(q->var->type.elem))
              return "it is a float; launch-time expressions are integers";
            return nullptr;
          });
      if (def && def->isConstant() && p.var && p.var->type.isValue()) {
        unsigned width = bitWidth(p.var->type.elem);
        int64_t v = def->getConstant();
        if (width == 1 ? (v != 0 && v != 1) : !llvm::isIntN(width, v)) {
          error(p.defaultValue->loc)
              << "default " << v << " does not fit "
              << "constexpr '" << p.name << "' of type " << p.var->type.str();
          def = nullptr;
        }
      }
      if (def)
        p.defaultText = def->print();
    }
    // The grid: over scalar parameters and constexprs.
    if (!k.grid.empty() && k.grid.size() > 3)
      error(k.gridLoc) << "grid has " << k.grid.size()
                       << " dimensions; a grid has 1 to 3";
    for (auto &g : k.grid) {
      ConstExprRef dim =
          launchExpr(*g, "a grid expression",
                     [&](const std::string &name) -> const char * {
                       Param *q = paramKind(name);
                       if (!q)
                         return "no parameter has that name";
                       if (q->var && q->var->type.isPtr)
                         return "it is a pointer";
                       if (q->var && isFloat(q->var->type.elem))
                         return "it is a float; launch-time expressions are "
                                "integers";
                       return nullptr;
                     });
      if (dim)
        k.gridText.push_back(dim->print());
    }
    for (Attribute &attr : k.attributes)
      analyzeAttribute(k, attr, paramKind);
    analyzeStmts(k.body);
  }

  /// Checks that `value` fits config entry `name` of `k`.
  bool
  checkConfigValue(Loc loc, Loc nameLoc, const std::string &name, int64_t value,
                   const std::function<Param *(const std::string &)> &param,
                   const std::string &attrName) {
    if (name == "num_warps") {
      if (!isPow2(value) || value > 32) {
        error(loc) << "num_warps must be a power of two from 1 to 32, got "
                   << value;
        return false;
      }
      return true;
    }
    if (name == "num_stages") {
      if (value < 1 || value > 8) {
        error(loc) << "num_stages must be from 1 to 8, got " << value;
        return false;
      }
      return true;
    }
    Param *p = param(name);
    if (!p || !p->isConstexpr) {
      error(nameLoc) << "@" << attrName << " sets '" << name << "', which is "
                     << (p ? "not a constexpr parameter" : "not a parameter")
                     << " of kernel '" << kernel->name
                     << "' (nor num_warps or num_stages)";
      return false;
    }
    const Type &type = p->var->type;
    if (!type.isValue())
      return false;
    unsigned width = bitWidth(type.elem);
    bool fits =
        width == 1 ? (value == 0 || value == 1) : llvm::isIntN(width, value);
    if (!fits) {
      error(loc) << "value " << value << " does not fit constexpr '" << name
                 << "' of type " << type.str();
      return false;
    }
    return true;
  }

  /// An attribute value that must be an integer (or bool) literal.
  std::optional<int64_t> literalInt(const Expr &e) {
    if (e.kind == Expr::Kind::IntLit)
      return e.intValue;
    if (e.kind == Expr::Kind::BoolLit)
      return e.boolValue;
    if (e.kind == Expr::Kind::Unary && e.op == "-" &&
        e.operands[0]->kind == Expr::Kind::IntLit)
      return -e.operands[0]->intValue;
    error(e.loc) << "expected an integer literal";
    return std::nullopt;
  }

  void
  analyzeAttribute(KernelDecl &k, Attribute &attr,
                   const std::function<Param *(const std::string &)> &param) {
    bool tune = attr.name == "autotune";
    if (!tune && attr.name != "config") {
      error(attr.loc) << "unknown attribute '@" << attr.name
                      << "'; expected @autotune or @config";
      return;
    }
    if ((tune && k.hasAutotune) || (!tune && k.hasConfig)) {
      error(attr.loc) << "kernel '" << k.name << "' has more than one @"
                      << attr.name;
      return;
    }
    (tune ? k.hasAutotune : k.hasConfig) = true;
    llvm::StringSet<> seen;
    for (AttrArg &arg : attr.args) {
      if (!seen.insert(arg.name).second) {
        error(arg.loc) << "'" << arg.name << "' is set twice in @" << attr.name;
        continue;
      }
      if (tune && arg.name == "key") {
        if (arg.value->kind != Expr::Kind::List) {
          error(arg.value->loc) << "key must be a list of scalar parameter "
                                   "names, like key = [M, N, exact(K)]";
          continue;
        }
        for (auto &item : arg.value->operands) {
          const Expr *nameExpr = item.get();
          bool exact = false;
          if (item->kind == Expr::Kind::Call && item->name == "exact" &&
              item->operands.size() == 1) {
            nameExpr = item->operands[0].get();
            exact = true;
          }
          if (nameExpr->kind != Expr::Kind::Name) {
            error(item->loc) << "key entries are scalar parameter names or "
                                "exact(name)";
            continue;
          }
          Param *p = param(nameExpr->name);
          if (!p || p->isConstexpr || !p->var || p->var->type.isPtr) {
            error(nameExpr->loc)
                << "key '" << nameExpr->name
                << "' must name a scalar runtime parameter of kernel '"
                << k.name << "'";
            continue;
          }
          k.tuneKey.push_back(exact ? "exact(" + nameExpr->name + ")"
                                    : nameExpr->name);
        }
        continue;
      }
      if (tune && arg.name == "where") {
        ConstExprRef where = launchExpr(
            *arg.value, "where", [&](const std::string &name) -> const char * {
              if (name == "num_warps" || name == "num_stages")
                return nullptr;
              Param *p = param(name);
              if (!p)
                return "no parameter has that name";
              if (!p->isConstexpr)
                return "where may only use constexprs, num_warps and "
                       "num_stages";
              return nullptr;
            });
        if (where)
          k.tuneWhere = where->print();
        continue;
      }
      if (tune) {
        if (arg.value->kind != Expr::Kind::List ||
            arg.value->operands.empty()) {
          error(arg.value->loc) << "@autotune values of '" << arg.name
                                << "' must be a non-empty list, like [64, 128]";
          continue;
        }
        TuneAxis axis{arg.name, {}};
        bool ok = true;
        for (auto &item : arg.value->operands) {
          std::optional<int64_t> v = literalInt(*item);
          if (!v || !checkConfigValue(item->loc, arg.loc, arg.name, *v, param,
                                      attr.name)) {
            ok = false;
            break;
          }
          axis.values.push_back(*v);
        }
        if (ok)
          k.tuneSpace.push_back(std::move(axis));
        continue;
      }
      std::optional<int64_t> v = literalInt(*arg.value);
      if (v && checkConfigValue(arg.value->loc, arg.loc, arg.name, *v, param,
                                attr.name))
        k.fixedConfig.emplace_back(arg.name, *v);
    }
    if (tune) {
      std::vector<size_t> lengths;
      for (const TuneAxis &axis : k.tuneSpace)
        lengths.push_back(axis.values.size());
      if (std::string why = checkAutotuneSpaceSize(lengths); !why.empty()) {
        error(attr.loc) << why;
        return;
      }
    }
    if (tune && !k.tuneWhere.empty() && !k.tuneSpace.empty()) {
      // A `where` over the axes alone can be decided now.
      std::string whyNot;
      if (enumerateConfigs(k.tuneSpace, k.tuneWhere, whyNot).empty() &&
          whyNot.empty())
        error(attr.loc) << "no config of @autotune passes where = "
                        << k.tuneWhere;
    }
  }

  //===--------------------------------------------------------------------===//
  // Statements
  //===--------------------------------------------------------------------===//

  void analyzeStmts(std::vector<StmtPtr> &stmts) {
    for (auto &stmt : stmts)
      analyzeStmt(*stmt, stmt.get() == stmts.back().get());
  }

  /// Makes a literal (or a block of literals' broadcast) take `target`'s
  /// element type, as LANGUAGE.md §2 asks.
  /// A folded constant as the runtime computes it: wrapped to the width of
  /// `elem`, and bool as 0/1 (so `~true` is false, `2147483647 + 1` < 0).
  static ConstExprRef atWidth(ConstExprRef value, ScalarKind elem) {
    if (!value || !value->isConstant())
      return value;
    unsigned width = bitWidth(elem);
    if (width >= 64)
      return value;
    uint64_t bits = static_cast<uint64_t>(value->getConstant());
    if (width == 1)
      return CE::intLit(bits & 1);
    return CE::intLit(llvm::SignExtend64(bits, width));
  }

  /// The value of an integer literal, with its sign.
  static std::optional<int64_t> literalValue(const Expr &e) {
    if (e.kind == Expr::Kind::IntLit)
      return e.intValue;
    if (e.kind == Expr::Kind::Unary && e.op == "-")
      if (std::optional<int64_t> v = literalValue(*e.operands[0]))
        return -*v;
    return std::nullopt;
  }

  /// The value of a numeric literal (integer or float), with its sign.
  static std::optional<double> literalNumber(const Expr &e) {
    if (e.kind == Expr::Kind::IntLit)
      return static_cast<double>(e.intValue);
    if (e.kind == Expr::Kind::FloatLit)
      return e.floatValue;
    if (e.kind == Expr::Kind::Unary && e.op == "-")
      if (std::optional<double> v = literalNumber(*e.operands[0]))
        return -*v;
    return std::nullopt;
  }

  void adoptLiteralType(Expr &e, const Type &target) {
    if (!isLiteral(e) || !e.type.isValue() || !target.isValue() || target.isPtr)
      return;
    if (isInteger(target.elem) && e.type.elem != target.elem) {
      std::optional<int64_t> v = literalValue(e);
      if (v && !llvm::isIntN(bitWidth(target.elem), *v)) {
        error(e.loc) << "integer literal " << *v << " does not fit "
                     << scalarKindName(target.elem);
        e.type.elem = target.elem; // no second error about the same literal
        return;
      }
    }
    // A literal that would round to inf in its float type is an error, as
    // an integer literal that does not fit is (`inf` itself is fine).
    if (isFloat(target.elem) && e.type.elem != ScalarKind::F64) {
      std::optional<double> v = literalNumber(e);
      const llvm::fltSemantics &semantics =
          target.elem == ScalarKind::F16    ? llvm::APFloat::IEEEhalf()
          : target.elem == ScalarKind::BF16 ? llvm::APFloat::BFloat()
          : target.elem == ScalarKind::F32  ? llvm::APFloat::IEEEsingle()
                                            : llvm::APFloat::IEEEdouble();
      llvm::APFloat rounded(v.value_or(0));
      bool lost;
      rounded.convert(semantics, llvm::APFloat::rmNearestTiesToEven, &lost);
      if (v && std::isfinite(*v) && rounded.isInfinity()) {
        llvm::APFloat largest = llvm::APFloat::getLargest(semantics);
        llvm::SmallString<16> text;
        largest.toString(text);
        char shown[32];
        std::snprintf(shown, sizeof(shown), "%.9g", *v);
        error(e.loc) << "literal " << shown << " is out of range for "
                     << scalarKindName(target.elem)
                     << " (its largest finite value is " << text
                     << "); write inf for infinity";
        e.type.elem = target.elem;
        return;
      }
    }
    bool eInt = e.type.elem == ScalarKind::I32 &&
                e.kind != Expr::Kind::FloatLit &&
                !(e.kind == Expr::Kind::Unary &&
                  e.operands[0]->kind == Expr::Kind::FloatLit);
    if (isFloat(target.elem) || (eInt && isInteger(target.elem))) {
      e.type.elem = target.elem;
      for (auto &op : e.operands)
        adoptLiteralType(*op, target);
    }
  }

  void analyzeStmt(Stmt &s, bool isLast) {
    switch (s.kind) {
    case Stmt::Kind::Let: {
      Type t = analyzeValue(*s.value, "the value bound by let");
      auto var = std::make_unique<Var>();
      var->name = s.name;
      var->loc = s.loc;
      var->isMut = s.isMut;
      if (s.annotation) {
        if (std::optional<Type> want = resolveTypeRef(*s.annotation, true)) {
          adoptLiteralType(*s.value, *want);
          t = s.value->type;
          if (t.isValue() && want->isBlock() && t.isScalar() &&
              t.elem == want->elem && t.isPtr == want->isPtr) {
            t = *want; // a scalar initializer splats to the annotated block
            s.value->type.dims.clear();
          }
          if (t.isValue() && (t.elem != want->elem || t.isPtr != want->isPtr ||
                              !sameDims(t.dims, want->dims))) {
            error(s.value->loc)
                << "'" << s.name << "' is declared " << want->str()
                << " but its value is " << t.str();
          }
          t = *want;
        }
      }
      var->type = t;
      if (!s.isMut)
        var->constValue = s.value->constValue;
      s.decl = std::move(var);
      bind(s.decl.get());
      return;
    }
    case Stmt::Kind::Assign: {
      Var *var = lookup(s.name);
      analyzeValue(*s.value, "an assigned value");
      if (!var) {
        error(s.loc) << "unknown name '" << s.name << "'";
        return;
      }
      s.target = var;
      if (!var->isMut) {
        error(s.loc) << "cannot assign to '" << s.name
                     << "': it is not declared with 'let mut'";
        return;
      }
      if (!var->type.isValue() || !s.value->type.isValue())
        return;
      Type valueType = s.value->type;
      if (s.op != "=") {
        // x op= v is x = x op v.
        Expr lhs(Expr::Kind::Name, s.loc);
        lhs.type = var->type;
        valueType = binaryType(s.op.substr(0, 1), lhs, *s.value, s.loc);
        if (!valueType.isValue())
          return;
      } else {
        adoptLiteralType(*s.value, var->type);
        valueType = s.value->type;
      }
      if (valueType.elem != var->type.elem ||
          valueType.isPtr != var->type.isPtr) {
        error(s.value->loc)
            << "assignment changes the element type of '" << s.name << "' from "
            << var->type.str() << " to " << valueType.str() << "; use 'as'";
        return;
      }
      if (!broadcastsTo(valueType.dims, var->type.dims))
        error(s.value->loc)
            << "assignment changes the shape of '" << s.name << "' from "
            << var->type.str() << " to " << valueType.str();
      return;
    }
    case Stmt::Kind::Expr: {
      Type t = analyzeExpr(*s.value);
      if (t.kind != Type::Kind::Value && t.kind != Type::Kind::Void &&
          t.kind != Type::Kind::Invalid)
        error(s.value->loc)
            << "this statement does nothing: it is " << describe(t);
      return;
    }
    case Stmt::Kind::For: {
      for (Expr *bound : {s.start.get(), s.end.get(), s.step.get()}) {
        if (!bound)
          continue;
        Type t = analyzeValue(*bound, "a range bound");
        adoptLiteralType(*bound, Type::scalar(ScalarKind::I32));
        t = bound->type;
        if (t.isValue() &&
            !(t.isScalar() && t.elem == ScalarKind::I32 && !t.isPtr))
          error(bound->loc)
              << "range bounds must be i32 scalars, got " << t.str();
      }
      if (s.step && s.step->constValue && s.step->constValue->isConstant() &&
          s.step->constValue->getConstant() <= 0)
        error(s.step->loc) << "range step must be positive, got "
                           << s.step->constValue->getConstant();
      ScopeGuard scope(*this);
      auto var = std::make_unique<Var>();
      var->name = s.name;
      var->loc = s.loc;
      var->type = Type::scalar(ScalarKind::I32);
      s.decl = std::move(var);
      bind(s.decl.get());
      ++loopDepth;
      analyzeStmts(s.body);
      --loopDepth;
      return;
    }
    case Stmt::Kind::If: {
      Type c = analyzeValue(*s.value, "an if condition");
      if (c.isValue() &&
          !(c.isScalar() && c.elem == ScalarKind::Bool && !c.isPtr)) {
        if (c.isBlock())
          error(s.value->loc)
              << "an if condition must be a scalar bool, but this is a block ("
              << c.str() << "); use where() or a mask for blocks";
        else
          error(s.value->loc) << "an if condition must be a scalar bool, got "
                              << c.str() << "; compare it, e.g. x != 0";
      }
      {
        ScopeGuard scope(*this);
        analyzeStmts(s.body);
      }
      ScopeGuard scope(*this);
      analyzeStmts(s.elseBody);
      return;
    }
    case Stmt::Kind::Return:
      if (!inFn) {
        if (s.value)
          error(s.value->loc) << "kernels return nothing; write 'return;'";
        if (loopDepth > 0)
          error(s.loc) << "'return' inside a for loop is not supported; "
                          "guard the rest of the body with 'if' instead";
        if (s.value)
          analyzeExpr(*s.value);
        return;
      }
      if (scopes.size() != 2 || !isLast)
        error(s.loc) << "a fn may only return as its last statement (fns are "
                        "inlined); use where() to choose values";
      if (s.value)
        analyzeExpr(*s.value);
      return;
    case Stmt::Kind::Block: {
      ScopeGuard scope(*this);
      analyzeStmts(s.body);
      return;
    }
    }
  }

  //===--------------------------------------------------------------------===//
  // Expressions
  //===--------------------------------------------------------------------===//

  /// NumPy broadcasting of two shapes. Symbolic dimensions that differ are
  /// assumed equal here and checked again once specialization binds them.
  std::optional<std::vector<Dim>>
  broadcastDims(const std::vector<Dim> &a, const std::vector<Dim> &b, Loc loc) {
    size_t rank = std::max(a.size(), b.size());
    std::vector<Dim> out(rank);
    for (size_t i = 0; i < rank; ++i) {
      const Dim *x = i < rank - a.size() ? nullptr : &a[i - (rank - a.size())];
      const Dim *y = i < rank - b.size() ? nullptr : &b[i - (rank - b.size())];
      if (!x || !y) {
        out[i] = x ? *x : *y;
        continue;
      }
      if ((*x)->print() == (*y)->print() || isOne(*y)) {
        out[i] = *x;
      } else if (isOne(*x)) {
        out[i] = *y;
      } else if ((*x)->isConstant() && (*y)->isConstant()) {
        error(loc) << "shape mismatch: cannot broadcast " << dimsStr(a)
                   << " with " << dimsStr(b);
        return std::nullopt;
      } else {
        out[i] = (*x)->isConstant() ? *x : *y;
      }
    }
    if (rank > 3) {
      error(loc) << "blocks have rank 1 to 3; broadcasting " << dimsStr(a)
                 << " with " << dimsStr(b) << " gives rank " << rank;
      return std::nullopt;
    }
    return out;
  }

  /// Whether a value of shape `from` can take the fixed shape `to` (NumPy
  /// rules). Symbolic dimensions that differ are checked at specialization.
  static bool broadcastsTo(const std::vector<Dim> &from,
                           const std::vector<Dim> &to) {
    if (from.size() > to.size())
      return false;
    size_t offset = to.size() - from.size();
    for (size_t i = 0; i < from.size(); ++i) {
      const Dim &f = from[i], &t = to[offset + i];
      if (isOne(f) || f->print() == t->print())
        continue;
      // A symbolic dimension never acts as size 1 (docs/language.md).
      if ((f->isConstant() && t->isConstant()) || isOne(t))
        return false;
    }
    return true;
  }

  /// Unifies the element types of two operands (literal typing), then
  /// checks they agree. Returns false after reporting.
  bool unifyElems(Expr &a, Expr &b, Loc loc, const char *what) {
    if (isLiteral(b) && !isLiteral(a))
      adoptLiteralType(b, a.type);
    else if (isLiteral(a) && !isLiteral(b))
      adoptLiteralType(a, b.type);
    else if (isLiteral(a) && isLiteral(b) && a.type.elem != b.type.elem) {
      // 1 + 2.0: the int literal becomes a float; 1 + 2^32: an i64.
      bool aWins = isFloat(a.type.elem) ||
                   (!isFloat(b.type.elem) &&
                    bitWidth(a.type.elem) > bitWidth(b.type.elem));
      adoptLiteralType(aWins ? b : a, aWins ? a.type : b.type);
    }
    if (a.type.elem != b.type.elem || a.type.isPtr != b.type.isPtr) {
      error(loc) << "mixed element types in " << what << ": "
                 << Type::scalar(a.type.elem, a.type.isPtr).str() << " and "
                 << Type::scalar(b.type.elem, b.type.isPtr).str()
                 << "; convert one with 'as'";
      return false;
    }
    return true;
  }

  Type binaryType(const std::string &op, Expr &lhs, Expr &rhs, Loc loc) {
    Type &l = lhs.type, &r = rhs.type;
    if (!l.isValue() || !r.isValue())
      return Type();
    std::optional<std::vector<Dim>> dims = broadcastDims(l.dims, r.dims, loc);
    if (!dims)
      return Type();
    bool arith = op == "+" || op == "-" || op == "*" || op == "/" || op == "%";
    if (arith && l.isPtr) {
      if (op != "+" && op != "-") {
        error(loc) << "'" << op << "' is not defined on pointers; only p + i "
                   << "and p - i";
        return Type();
      }
      if (r.isPtr || !isInteger(r.elem)) {
        error(loc) << "pointer arithmetic needs an integer offset, got "
                   << r.str();
        return Type();
      }
      return l.withDims(*dims);
    }
    if (l.isPtr || r.isPtr) {
      error(loc) << "'" << op << "' is not defined on pointers"
                 << (r.isPtr && op == "+" ? "; write the pointer first: p + i"
                                          : "");
      return Type();
    }
    if (!unifyElems(lhs, rhs, loc, ("'" + op + "'").c_str()))
      return Type();
    ScalarKind e = l.elem;
    if (arith) {
      if (e == ScalarKind::Bool) {
        error(loc) << "'" << op << "' needs numbers, not bool";
        return Type();
      }
      return Type::block(e, false, *dims);
    }
    if (op == "<<" || op == ">>" || op == "&" || op == "|" || op == "^") {
      bool ok =
          isInteger(e) || (e == ScalarKind::Bool && op != "<<" && op != ">>");
      if (!ok) {
        error(loc) << "'" << op << "' needs integer operands, got "
                   << Type::scalar(e).str();
        return Type();
      }
      return Type::block(e, false, *dims);
    }
    if (op == "&&" || op == "||") {
      if (e != ScalarKind::Bool) {
        error(loc) << "'" << op << "' needs bool operands, got "
                   << Type::scalar(e).str();
        return Type();
      }
      return Type::block(e, false, *dims);
    }
    // Comparisons.
    return Type::block(ScalarKind::Bool, false, *dims);
  }

  /// A compile-time integer: a dimension, an arange bound, an axis.
  std::optional<Dim> constDim(Expr &e, const char *what) {
    Type t = analyzeValue(e, what);
    if (!t.isValue())
      return std::nullopt;
    if (!t.isScalar() || t.isPtr || !isInteger(t.elem)) {
      error(e.loc) << what << " must be an integer scalar, got " << t.str();
      return std::nullopt;
    }
    if (!e.constValue) {
      error(e.loc) << what << " must be known at compile time (a literal or "
                   << "a constexpr), but this is a runtime value";
      return std::nullopt;
    }
    return e.constValue;
  }

  std::optional<int64_t> constInt(Expr &e, const char *what) {
    std::optional<Dim> d = constDim(e, what);
    if (!d)
      return std::nullopt;
    if (!(*d)->isConstant()) {
      error(e.loc) << what << " must be an integer literal here";
      return std::nullopt;
    }
    return (*d)->getConstant();
  }

  std::optional<std::vector<Dim>> shapeArg(Expr &e, const char *builtin) {
    if (e.kind != Expr::Kind::List) {
      error(e.loc) << builtin << " takes its shape as a list, like [64, BLOCK]";
      return std::nullopt;
    }
    if (e.operands.empty() || e.operands.size() > 3) {
      error(e.loc) << "blocks have rank 1 to 3, got " << e.operands.size();
      return std::nullopt;
    }
    std::vector<Dim> dims;
    for (auto &item : e.operands) {
      std::optional<Dim> d = constDim(*item, "a block dimension");
      if (!d)
        return std::nullopt;
      if ((*d)->isConstant() && !isPow2((*d)->getConstant())) {
        error(item->loc) << "block dimensions must be powers of two, got "
                         << (*d)->getConstant();
        return std::nullopt;
      }
      dims.push_back(*d);
    }
    e.type = Type::of(Type::Kind::List);
    return dims;
  }

  Type analyzeExpr(Expr &e) {
    if (e.analyzed)
      return e.type;
    e.analyzed = true;
    e.type = computeType(e);
    return e.type;
  }

  static const char *describe(const Type &t) {
    switch (t.kind) {
    case Type::Kind::DType:
      return "a type name";
    case Type::Kind::List:
      return "a list";
    case Type::Kind::String:
      return "a string";
    case Type::Kind::Void:
      return "a call that gives no value";
    default:
      return "a value";
    }
  }

  /// Analyzes an operand that must be a scalar or a block; anything else
  /// (a type name, a list, a string, a call that gives nothing) is reported
  /// here and becomes Invalid, so no later stage sees it.
  Type analyzeValue(Expr &e, const char *what = "an operand") {
    Type t = analyzeExpr(e);
    if (t.kind == Type::Kind::Value || t.kind == Type::Kind::Invalid)
      return t;
    error(e.loc) << what << " must be a scalar or a block, but this is "
                 << describe(t);
    e.type = Type();
    return e.type;
  }

  Type computeType(Expr &e) {
    switch (e.kind) {
    case Expr::Kind::IntLit:
      e.constValue = CE::intLit(e.intValue);
      if (e.intValue > INT32_MAX)
        return Type::scalar(ScalarKind::I64);
      return Type::scalar(ScalarKind::I32);
    case Expr::Kind::FloatLit:
      return Type::scalar(ScalarKind::F32);
    case Expr::Kind::BoolLit:
      e.constValue = CE::intLit(e.boolValue);
      return Type::scalar(ScalarKind::Bool);
    case Expr::Kind::NoneLit:
      error(e.loc) << "'None' is only allowed in an index, like x[:, None]";
      return Type();
    case Expr::Kind::StringLit:
      return Type::of(Type::Kind::String);
    case Expr::Kind::Name: {
      if (Var *var = lookup(e.name)) {
        e.var = var;
        e.constValue = var->constValue;
        return var->type;
      }
      if (std::optional<ScalarKind> k = parseScalarKind(e.name)) {
        Type t = Type::of(Type::Kind::DType);
        t.elem = *k;
        return t;
      }
      if (fns.count(e.name) || allBuiltins().contains(e.name))
        error(e.loc) << "'" << e.name << "' is a function; call it";
      else
        error(e.loc) << "unknown name '" << e.name << "'";
      return Type();
    }
    case Expr::Kind::List:
      for (auto &item : e.operands)
        analyzeExpr(*item);
      return Type::of(Type::Kind::List);
    case Expr::Kind::Index: {
      Type base = analyzeValue(*e.operands[0], "an indexed operand");
      if (!base.isValue())
        return Type();
      size_t colons =
          std::count(e.indexIsNone.begin(), e.indexIsNone.end(), false);
      if (colons != base.dims.size()) {
        error(e.loc) << "index has " << colons << " ':' but the value has rank "
                     << base.dims.size() << " (" << base.str()
                     << "); only ':' and None are allowed";
        return Type();
      }
      std::vector<Dim> dims;
      size_t next = 0;
      for (bool none : e.indexIsNone)
        dims.push_back(none ? CE::intLit(1) : base.dims[next++]);
      if (dims.size() > 3) {
        error(e.loc) << "blocks have rank 1 to 3; this index gives rank "
                     << dims.size();
        return Type();
      }
      return base.withDims(dims);
    }
    case Expr::Kind::Cast: {
      Type from = analyzeValue(*e.operands[0], "the operand of 'as'");
      std::optional<ScalarKind> to = parseScalarKind(e.name);
      if (!to) {
        error(e.loc) << "unknown type '" << e.name << "' in 'as'";
        return Type();
      }
      if (!from.isValue())
        return Type();
      if (from.isPtr) {
        error(e.loc) << "pointers cannot be converted with 'as'";
        return Type();
      }
      if (e.operands[0]->constValue && isInteger(*to) &&
          (isInteger(from.elem) || from.elem == ScalarKind::Bool) &&
          bitWidth(*to) >= bitWidth(from.elem))
        e.constValue = e.operands[0]->constValue;
      return from.withElem(*to);
    }
    case Expr::Kind::Unary: {
      Expr &x = *e.operands[0];
      Type t = analyzeValue(x);
      if (!t.isValue())
        return Type();
      if (t.isPtr) {
        error(e.loc) << "'" << e.op << "' is not defined on pointers";
        return Type();
      }
      if (e.op == "-" && t.elem == ScalarKind::Bool) {
        error(e.loc) << "'-' needs a number, not bool; use '!'";
        return Type();
      }
      if (e.op == "!" && t.elem != ScalarKind::Bool) {
        error(e.loc) << "'!' needs a bool, got " << t.str()
                     << "; use '~' for bitwise not";
        return Type();
      }
      if (e.op == "~" && !isInteger(t.elem) && t.elem != ScalarKind::Bool) {
        error(e.loc) << "'~' needs an integer, got " << t.str();
        return Type();
      }
      // -2147483648 is an i32 literal, though 2147483648 alone is not.
      if (e.op == "-" && x.kind == Expr::Kind::IntLit &&
          x.intValue == int64_t(INT32_MAX) + 1)
        t.elem = x.type.elem = ScalarKind::I32;
      if (x.constValue)
        e.constValue = atWidth(CE::unary(e.op == "-"   ? CE::UnaryOp::Neg
                                         : e.op == "!" ? CE::UnaryOp::Not
                                                       : CE::UnaryOp::BitNot,
                                         x.constValue),
                               t.elem);
      return t;
    }
    case Expr::Kind::Binary: {
      Expr &l = *e.operands[0], &r = *e.operands[1];
      analyzeValue(l);
      analyzeValue(r);
      Type t = binaryType(e.op, l, r, e.loc);
      if (t.isScalar() && !t.isPtr &&
          (isInteger(t.elem) || t.elem == ScalarKind::Bool) && l.constValue &&
          r.constValue)
        e.constValue = atWidth(
            CE::binary(binaryOp(e.op), l.constValue, r.constValue), t.elem);
      return t;
    }
    case Expr::Kind::Call:
      return analyzeCall(e);
    }
    return Type();
  }

  //===--------------------------------------------------------------------===//
  // Calls
  //===--------------------------------------------------------------------===//

  bool checkArity(Expr &e, size_t lo, size_t hi) {
    size_t n = e.operands.size();
    if (n >= lo && n <= hi)
      return true;
    if (lo == hi)
      error(e.loc) << "'" << e.name << "' takes " << lo << " argument"
                   << (lo == 1 ? "" : "s") << ", got " << n;
    else
      error(e.loc) << "'" << e.name << "' takes " << lo << " to " << hi
                   << " arguments, got " << n;
    return false;
  }

  /// Checks the argument count and that every argument is a value.
  bool valueArgs(Expr &e, size_t lo, size_t hi) {
    if (!checkArity(e, lo, hi))
      return false;
    bool ok = true;
    for (auto &arg : e.operands)
      ok &= analyzeValue(*arg, "an argument").isValue();
    return ok;
  }

  bool needValue(Expr &arg, const char *what) {
    if (arg.type.isValue())
      return true;
    if (arg.type.kind != Type::Kind::Invalid)
      error(arg.loc) << what << " must be a value, got a " << arg.type.str();
    return false;
  }

  /// Checks that `value` can be broadcast to `dims` (for load's mask and
  /// other, store's value).
  bool fitsShape(Expr &value, const std::vector<Dim> &dims, const char *what) {
    if (!broadcastsTo(value.type.dims, dims)) {
      error(value.loc) << what << " has shape " << dimsStr(value.type.dims)
                       << ", which does not broadcast to the pointers' shape "
                       << dimsStr(dims);
      return false;
    }
    return true;
  }

  bool checkMask(Expr *mask, const Type &ptrs) {
    if (!mask)
      return true;
    if (!needValue(*mask, "a mask"))
      return false;
    if (mask->type.elem != ScalarKind::Bool || mask->type.isPtr) {
      error(mask->loc) << "a mask must be bool, got " << mask->type.str()
                       << "; compare, e.g. offs < n";
      return false;
    }
    return fitsShape(*mask, ptrs.dims, "the mask");
  }

  Type analyzeCall(Expr &e) {
    auto fn = fns.find(e.name);
    if (fn != fns.end())
      return instantiate(e, *fn->second);
    if (e.name == "exact") {
      error(e.loc) << "exact(...) is only allowed in an @autotune key";
      return Type();
    }
    if (!allBuiltins().contains(e.name)) {
      if (lookup(e.name))
        error(e.loc) << "'" << e.name << "' is a variable, not a function";
      else
        error(e.loc) << "unknown function '" << e.name << "'";
      return Type();
    }
    const std::string &name = e.name;
    std::vector<ExprPtr> &args = e.operands;
    // Arguments that are lists are analyzed by the shape helpers.
    auto analyzeArgs = [&](size_t from) {
      for (size_t i = from; i < args.size(); ++i)
        if (args[i]->kind != Expr::Kind::List)
          analyzeExpr(*args[i]);
    };

    if (name == "program_id" || name == "num_programs") {
      if (!checkArity(e, 1, 1))
        return Type();
      std::optional<int64_t> axis = constInt(*args[0], "the axis");
      if (axis && (*axis < 0 || *axis > 2)) {
        error(args[0]->loc) << "the axis must be 0, 1 or 2, got " << *axis;
        return Type();
      }
      return axis ? Type::scalar(ScalarKind::I32) : Type();
    }
    if (name == "arange") {
      if (!checkArity(e, 2, 2))
        return Type();
      std::optional<Dim> start = constDim(*args[0], "arange's start");
      std::optional<Dim> end =
          start ? constDim(*args[1], "arange's end") : std::nullopt;
      if (!end)
        return Type();
      for (auto &bound : args) {
        adoptLiteralType(*bound, Type::scalar(ScalarKind::I32));
        if (bound->type.elem != ScalarKind::I32) {
          error(bound->loc)
              << "arange bounds must be i32, got " << bound->type.str();
          return Type();
        }
      }
      Dim len = CE::binary(CE::BinaryOp::Sub, *end, *start);
      if (len->isConstant() && !isPow2(len->getConstant())) {
        error(e.loc) << "arange(" << (*start)->print() << ", "
                     << (*end)->print() << ") has " << len->getConstant()
                     << " elements; the length must be a power of two";
        return Type();
      }
      return Type::block(ScalarKind::I32, false, {len});
    }
    if (name == "zeros" || name == "full") {
      bool full = name == "full";
      if (!checkArity(e, full ? 3 : 2, full ? 3 : 2))
        return Type();
      std::optional<std::vector<Dim>> dims = shapeArg(*args[0], name.c_str());
      analyzeArgs(1);
      Expr &dtype = *args.back();
      if (!dims ||
          (!dtype.type.isValue() && dtype.type.kind != Type::Kind::DType))
        return Type();
      if (dtype.type.kind != Type::Kind::DType) {
        error(dtype.loc) << "the last argument of '" << name
                         << "' is an element type, like f32";
        return Type();
      }
      if (full) {
        Expr &value = *args[1];
        if (!needValue(value, "the fill value"))
          return Type();
        adoptLiteralType(value, Type::scalar(dtype.type.elem));
        if (!value.type.isScalar() || value.type.isPtr ||
            value.type.elem != dtype.type.elem) {
          error(value.loc) << "the fill value must be a "
                           << scalarKindName(dtype.type.elem) << " scalar, got "
                           << value.type.str();
          return Type();
        }
      }
      return Type::block(dtype.type.elem, false, *dims);
    }
    if (name == "load" || name == "store" || name == "atomic_add") {
      bool isLoad = name == "load";
      if (!valueArgs(e, isLoad ? 1 : 2, 3))
        return Type();
      Type ptrs = args[0]->type;
      if (!ptrs.isPtr) {
        error(args[0]->loc) << "the first argument of '" << name
                            << "' must be a pointer or a block of pointers, "
                               "got "
                            << ptrs.str();
        return Type();
      }
      Type valueType = ptrs.withElem(ptrs.elem, false);
      if (isLoad) {
        if (!checkMask(args.size() > 1 ? args[1].get() : nullptr, ptrs))
          return Type();
        if (args.size() > 2) {
          Expr &other = *args[2];
          adoptLiteralType(other, valueType);
          if (other.type.isPtr || other.type.elem != ptrs.elem) {
            error(other.loc)
                << "'other' must have the pointee type "
                << scalarKindName(ptrs.elem) << ", got " << other.type.str();
            return Type();
          }
          if (!fitsShape(other, ptrs.dims, "'other'"))
            return Type();
        }
        return valueType;
      }
      Expr &value = *args[1];
      adoptLiteralType(value, valueType);
      if (value.type.isPtr || value.type.elem != ptrs.elem) {
        error(value.loc) << "the value to " << name << " must have the "
                         << "pointee type " << scalarKindName(ptrs.elem)
                         << ", got " << value.type.str()
                         << "; convert it with 'as'";
        return Type();
      }
      if (!fitsShape(value, ptrs.dims, "the value") ||
          !checkMask(args.size() > 2 ? args[2].get() : nullptr, ptrs))
        return Type();
      if (name == "atomic_add" &&
          (ptrs.elem == ScalarKind::Bool || ptrs.elem == ScalarKind::I8 ||
           ptrs.elem == ScalarKind::I16)) {
        error(e.loc) << "atomic_add supports i32, i64, f16, bf16, f32 and f64, "
                     << "not " << scalarKindName(ptrs.elem);
        return Type();
      }
      return name == "store" ? Type::of(Type::Kind::Void) : valueType;
    }
    if (name == "dot") {
      if (!valueArgs(e, 2, 3))
        return Type();
      Type a = args[0]->type, b = args[1]->type;
      for (auto *operand : {args[0].get(), args[1].get()}) {
        const Type &t = operand->type;
        if (t.dims.size() != 2 || t.isPtr ||
            !(t.elem == ScalarKind::F16 || t.elem == ScalarKind::BF16 ||
              t.elem == ScalarKind::F32)) {
          error(operand->loc) << "dot takes rank-2 blocks of f16, bf16 or "
                              << "f32, got " << t.str();
          return Type();
        }
      }
      if (a.elem != b.elem) {
        error(e.loc) << "dot operands have different element types: " << a.str()
                     << " and " << b.str() << "; convert one with "
                     << "'as'";
        return Type();
      }
      if (a.dims[1]->print() != b.dims[0]->print() && a.dims[1]->isConstant() &&
          b.dims[0]->isConstant()) {
        error(e.loc) << "shape mismatch in dot: " << a.str() << " times "
                     << b.str() << " (inner dimensions " << a.dims[1]->print()
                     << " and " << b.dims[0]->print() << " differ)";
        return Type();
      }
      const char *names[] = {"M", "K", "N"};
      Dim dims[] = {a.dims[0], a.dims[1], b.dims[1]};
      for (int i = 0; i < 3; ++i)
        if (dims[i]->isConstant() && dims[i]->getConstant() < 16) {
          error(e.loc) << "dot needs M, N and K of at least 16; " << names[i]
                       << " is " << dims[i]->getConstant();
          return Type();
        }
      Type result = Type::block(ScalarKind::F32, false, {a.dims[0], b.dims[1]});
      if (args.size() == 3) {
        const Type &acc = args[2]->type;
        if (acc.isPtr || acc.elem != ScalarKind::F32 || acc.dims.size() != 2) {
          error(args[2]->loc) << "the accumulator of dot must be f32"
                              << dimsStr(result.dims) << ", got " << acc.str();
          return Type();
        }
        if (!broadcastsTo(acc.dims, result.dims)) {
          error(args[2]->loc)
              << "shape mismatch in dot: the accumulator is " << acc.str()
              << " but the product is " << result.str();
          return Type();
        }
      }
      return result;
    }
    if (name == "sum" || name == "argmax" || name == "argmin" ||
        name == "max" || name == "min") {
      if (!checkArity(e, 2, 2))
        return Type();
      analyzeArgs(0);
      Expr &x = *args[0];
      if (!needValue(x, "the operand"))
        return Type();
      if ((name == "max" || name == "min") && x.type.isScalar()) {
        // max(a, b) of two scalars.
        return elementwiseBinary(e, name == "max" ? "maximum" : "minimum");
      }
      if (!x.type.isBlock() || x.type.isPtr ||
          x.type.elem == ScalarKind::Bool) {
        error(x.loc) << "'" << name << "' reduces a block of numbers, got "
                     << x.type.str();
        return Type();
      }
      Type axisType = analyzeValue(*args[1], "the axis");
      if (axisType.isValue() &&
          (axisType.isBlock() || isFloat(axisType.elem)) &&
          (name == "max" || name == "min")) {
        error(args[1]->loc)
            << "'" << name << "(x, axis)' reduces a block along an axis; for "
            << "the elementwise " << (name == "max" ? "maximum" : "minimum")
            << " of two values use " << (name == "max" ? "maximum" : "minimum")
            << "(x, y)";
        return Type();
      }
      std::optional<int64_t> axis = constInt(*args[1], "the axis");
      if (!axis)
        return Type();
      if (*axis < 0 || *axis >= static_cast<int64_t>(x.type.dims.size())) {
        error(args[1]->loc)
            << "axis " << *axis << " is out of range for " << x.type.str();
        return Type();
      }
      std::vector<Dim> dims = x.type.dims;
      dims.erase(dims.begin() + *axis);
      ScalarKind elem =
          name.rfind("arg", 0) == 0 ? ScalarKind::I32 : x.type.elem;
      return Type::block(elem, false, dims);
    }
    if (name == "where") {
      if (!valueArgs(e, 3, 3))
        return Type();
      Expr &c = *args[0], &a = *args[1], &b = *args[2];
      if (c.type.elem != ScalarKind::Bool || c.type.isPtr) {
        error(c.loc) << "the condition of where must be bool, got "
                     << c.type.str();
        return Type();
      }
      if (a.type.isPtr != b.type.isPtr ||
          (!a.type.isPtr && !unifyElems(a, b, e.loc, "where")) ||
          (a.type.isPtr && a.type.elem != b.type.elem)) {
        if (a.type.isPtr || b.type.isPtr)
          error(e.loc) << "where needs values of one type, got " << a.type.str()
                       << " and " << b.type.str();
        return Type();
      }
      std::optional<std::vector<Dim>> d1 =
          broadcastDims(c.type.dims, a.type.dims, e.loc);
      std::optional<std::vector<Dim>> d2 =
          d1 ? broadcastDims(*d1, b.type.dims, e.loc) : std::nullopt;
      if (!d2)
        return Type();
      return a.type.withDims(*d2);
    }
    if (name == "maximum" || name == "minimum") {
      if (!checkArity(e, 2, 2))
        return Type();
      analyzeArgs(0);
      return elementwiseBinary(e, name);
    }
    if (mathBuiltins().contains(name)) {
      if (!checkArity(e, 1, 1))
        return Type();
      analyzeArgs(0);
      Expr &x = *args[0];
      if (!needValue(x, "the operand"))
        return Type();
      bool intAbs = name == "abs" && isInteger(x.type.elem);
      if (x.type.isPtr || (!isFloat(x.type.elem) && !intAbs)) {
        error(x.loc) << "'" << name << "' needs a float operand, got "
                     << x.type.str() << "; convert it with 'as f32'";
        return Type();
      }
      return x.type;
    }
    if (name == "cdiv" || name == "next_pow2") {
      bool isCdiv = name == "cdiv";
      if (!checkArity(e, isCdiv ? 2 : 1, isCdiv ? 2 : 1))
        return Type();
      analyzeArgs(0);
      for (auto &a : args) {
        if (!needValue(*a, "an argument"))
          return Type();
        if (!a->type.isScalar() || a->type.isPtr || !isInteger(a->type.elem)) {
          error(a->loc) << "'" << name << "' takes integer scalars, got "
                        << a->type.str();
          return Type();
        }
      }
      if (isCdiv && !unifyElems(*args[0], *args[1], e.loc, "cdiv"))
        return Type();
      if (llvm::all_of(args,
                       [](auto &a) { return a->constValue != nullptr; })) {
        std::vector<ConstExprRef> ops;
        for (auto &a : args)
          ops.push_back(a->constValue);
        e.constValue = CE::call(name, ops);
      }
      return args[0]->type;
    }
    if (name == "reshape" || name == "broadcast_to") {
      if (!checkArity(e, 2, 2))
        return Type();
      analyzeArgs(0);
      Expr &x = *args[0];
      std::optional<std::vector<Dim>> dims = shapeArg(*args[1], name.c_str());
      if (!needValue(x, "the operand") || !dims)
        return Type();
      if (name == "broadcast_to") {
        if (!broadcastsTo(x.type.dims, *dims)) {
          error(e.loc) << "cannot broadcast " << x.type.str() << " to "
                       << dimsStr(*dims);
          return Type();
        }
        return x.type.withDims(*dims);
      }
      if (!x.type.isBlock()) {
        error(x.loc) << "reshape needs a block, got " << x.type.str();
        return Type();
      }
      auto count = [](const std::vector<Dim> &d) -> std::optional<int64_t> {
        int64_t n = 1;
        for (auto &dim : d) {
          if (!dim->isConstant())
            return std::nullopt;
          n *= dim->getConstant();
        }
        return n;
      };
      std::optional<int64_t> from = count(x.type.dims), to = count(*dims);
      if (from && to && *from != *to) {
        error(e.loc) << "cannot reshape " << x.type.str() << " (" << *from
                     << " elements) to " << dimsStr(*dims) << " (" << *to
                     << " elements)";
        return Type();
      }
      return x.type.withDims(*dims);
    }
    if (name == "trans") {
      if (!checkArity(e, 1, 1))
        return Type();
      analyzeArgs(0);
      Expr &x = *args[0];
      if (!needValue(x, "the operand"))
        return Type();
      if (x.type.dims.size() != 2) {
        error(x.loc) << "trans needs a rank-2 block, got " << x.type.str();
        return Type();
      }
      return x.type.withDims({x.type.dims[1], x.type.dims[0]});
    }
    if (name == "static_assert") {
      if (!checkArity(e, 2, 2))
        return Type();
      analyzeArgs(0);
      Expr &cond = *args[0], &message = *args[1];
      if (message.kind != Expr::Kind::StringLit) {
        error(message.loc) << "the message of static_assert must be a string";
        return Type();
      }
      if (!needValue(cond, "the condition"))
        return Type();
      if (!cond.type.isScalar() || cond.type.elem != ScalarKind::Bool) {
        error(cond.loc) << "static_assert needs a bool condition, got "
                        << cond.type.str();
        return Type();
      }
      if (!cond.constValue) {
        error(cond.loc) << "static_assert needs a condition known at compile "
                        << "time (constexprs and literals only)";
        return Type();
      }
      if (cond.constValue->isConstant() && cond.constValue->getConstant() == 0)
        error(e.loc) << "static_assert failed: " << message.name;
      return Type::of(Type::Kind::Void);
    }
    error(e.loc) << "unknown function '" << name << "'";
    return Type();
  }

  Type elementwiseBinary(Expr &e, const std::string &name) {
    Expr &a = *e.operands[0], &b = *e.operands[1];
    if (!needValue(a, "an argument") || !needValue(b, "an argument"))
      return Type();
    if (a.type.isPtr || b.type.isPtr || a.type.elem == ScalarKind::Bool) {
      error(e.loc) << "'" << e.name << "' needs numbers, got " << a.type.str()
                   << " and " << b.type.str();
      return Type();
    }
    if (!unifyElems(a, b, e.loc, ("'" + e.name + "'").c_str()))
      return Type();
    std::optional<std::vector<Dim>> dims =
        broadcastDims(a.type.dims, b.type.dims, e.loc);
    if (!dims)
      return Type();
    if (a.constValue && b.constValue && isInteger(a.type.elem) && dims->empty())
      e.constValue = CE::call(name == "maximum" ? "max" : "min",
                              {a.constValue, b.constValue});
    return a.type.withDims(*dims);
  }

  /// Inlines a call of `fn`: a private copy of its body, checked with the
  /// argument types in a scope that sees only the fn's parameters.
  Type instantiate(Expr &e, const FnDecl &fn) {
    ++fnCalls[&fn];
    // Recursion is reported once per cycle by checkFnCallGraph().
    if (llvm::is_contained(instantiating, &fn) || recursiveFns.count(&fn))
      return Type();
    // Inlining is exponential in the worst case (each fn calling the next
    // twice); bound the work so no input can hang the compiler.
    if (++instantiations > kMaxInstantiations) {
      error(e.loc) << "kernel '" << kernel->name << "' inlines more than "
                   << kMaxInstantiations << " fn calls";
      return Type();
    }
    if (e.operands.size() != fn.params.size()) {
      error(e.loc) << "fn '" << fn.name << "' takes " << fn.params.size()
                   << " argument" << (fn.params.size() == 1 ? "" : "s")
                   << ", got " << e.operands.size();
      return Type();
    }
    bool ok = true;
    for (auto &arg : e.operands)
      ok &= analyzeValue(*arg, "an argument").isValue();
    if (!ok)
      return Type();

    // From here on, names resolve in the fn's own scope.
    std::vector<llvm::StringMap<Var *>> saved = std::move(scopes);
    bool savedInFn = inFn;
    int savedLoops = loopDepth;
    scopes.clear();
    scopes.emplace_back(); // the fn's parameters
    scopes.emplace_back(); // its body's top level
    inFn = true;
    loopDepth = 0;
    llvm::scope_exit restore([&] {
      inFn = savedInFn;
      loopDepth = savedLoops;
      scopes = std::move(saved);
    });

    auto inlined = std::make_unique<Expr::Inlined>();
    inlined->fn = &fn;
    for (size_t i = 0; i < fn.params.size(); ++i) {
      const Param &p = fn.params[i];
      Expr &arg = *e.operands[i];
      Type type = arg.type;
      if (p.type) {
        std::optional<Type> want = resolveTypeRef(*p.type, true);
        if (!want) {
          ok = false;
          continue;
        }
        adoptLiteralType(arg, *want);
        if (arg.type.elem != want->elem || arg.type.isPtr != want->isPtr ||
            !sameDims(arg.type.dims, want->dims)) {
          error(arg.loc) << "argument '" << p.name << "' of fn '" << fn.name
                         << "' must be " << want->str() << ", got "
                         << arg.type.str();
          ok = false;
        }
        type = *want;
      }
      auto var = std::make_unique<Var>();
      var->name = p.name;
      var->loc = p.loc;
      var->type = type;
      var->constValue = arg.constValue;
      inlined->params.push_back(std::move(var));
    }
    if (!ok)
      return Type();
    for (auto &param : inlined->params) {
      auto [it, inserted] =
          scopes.front().try_emplace(param->name, param.get());
      if (!inserted)
        error(param->loc) << "redefinition of parameter '" << param->name
                          << "' of fn '" << fn.name << "'";
    }
    for (auto &stmt : fn.body)
      inlined->body.push_back(stmt->clone());
    instantiating.push_back(&fn);
    callLocs.push_back(e.loc);
    analyzeStmts(inlined->body);
    callLocs.pop_back();
    instantiating.pop_back();

    Type result = Type::of(Type::Kind::Void);
    if (!inlined->body.empty() &&
        inlined->body.back()->kind == Stmt::Kind::Return &&
        inlined->body.back()->value) {
      Expr &value = *inlined->body.back()->value;
      result = value.type;
      e.constValue = value.constValue;
    }
    if (fn.returnType) {
      std::optional<Type> want = resolveTypeRef(*fn.returnType, true);
      if (want && result.kind == Type::Kind::Void) {
        error(fn.loc) << "fn '" << fn.name << "' is declared to return "
                      << want->str() << " but ends without 'return value;'";
        return Type();
      }
      if (want && result.isValue() &&
          (result.elem != want->elem || result.isPtr != want->isPtr ||
           !sameDims(result.dims, want->dims))) {
        error(e.loc) << "fn '" << fn.name << "' is declared to return "
                     << want->str() << " but returns " << result.str()
                     << " here";
        return Type();
      }
    }
    e.inlined = std::move(inlined);
    return result;
  }

  //===--------------------------------------------------------------------===//
  // fns on their own: recursion and names, also for fns never called
  //===--------------------------------------------------------------------===//

  /// Calls of fns in `stmts`/`e`, in source order.
  static void collectCalls(const Expr &e, std::vector<const Expr *> &out) {
    if (e.kind == Expr::Kind::Call)
      out.push_back(&e);
    for (const auto &op : e.operands)
      collectCalls(*op, out);
  }
  static void collectCalls(const std::vector<StmtPtr> &stmts,
                           std::vector<const Expr *> &out) {
    for (const auto &s : stmts) {
      for (const Expr *e :
           {s->value.get(), s->start.get(), s->end.get(), s->step.get()})
        if (e)
          collectCalls(*e, out);
      collectCalls(s->body, out);
      collectCalls(s->elseBody, out);
    }
  }

  /// Reports each cycle of fn calls once, at the call that closes it.
  void checkFnCallGraph() {
    llvm::DenseMap<const FnDecl *, int> state; // 1 on the stack, 2 done
    std::function<void(const FnDecl *)> visit = [&](const FnDecl *fn) {
      state[fn] = 1;
      std::vector<const Expr *> calls;
      collectCalls(fn->body, calls);
      for (const Expr *call : calls) {
        auto it = fns.find(call->name);
        if (it == fns.end())
          continue;
        const FnDecl *callee = it->second;
        if (state.lookup(callee) == 1) {
          error(call->loc) << "recursive call to fn '" << callee->name
                           << "': fns are inlined, so recursion is not "
                              "allowed";
          recursiveFns.insert(callee);
          recursiveFns.insert(fn);
        } else if (state.lookup(callee) == 0) {
          visit(callee);
        }
      }
      state[fn] = 2;
    };
    for (auto &fn : module.fns)
      if (state.lookup(fn.get()) == 0)
        visit(fn.get());
  }

  /// Checks the names a fn that no kernel calls uses, so its mistakes are
  /// reported too (its types are unknown without a call).
  void checkUncalledFn(const FnDecl &fn) {
    std::vector<llvm::StringSet<>> names(1);
    for (const Param &p : fn.params)
      names.back().insert(p.name);
    auto known = [&](const std::string &name) {
      for (auto &scope : names)
        if (scope.contains(name))
          return true;
      return fns.count(name) || allBuiltins().contains(name) ||
             parseScalarKind(name).has_value();
    };
    std::function<void(const Expr &)> visitExpr = [&](const Expr &e) {
      if (e.kind == Expr::Kind::Name && !known(e.name))
        error(e.loc) << "unknown name '" << e.name << "'";
      if (e.kind == Expr::Kind::Call && !known(e.name) && e.name != "exact")
        error(e.loc) << "unknown function '" << e.name << "'";
      for (const auto &op : e.operands)
        visitExpr(*op);
    };
    std::function<void(const std::vector<StmtPtr> &)> visitStmts =
        [&](const std::vector<StmtPtr> &stmts) {
          names.emplace_back();
          for (const auto &s : stmts) {
            for (const Expr *e :
                 {s->value.get(), s->start.get(), s->end.get(), s->step.get()})
              if (e)
                visitExpr(*e);
            if (s->kind == Stmt::Kind::Assign && !known(s->name))
              error(s->loc) << "unknown name '" << s->name << "'";
            if (s->kind == Stmt::Kind::For) {
              names.emplace_back();
              names.back().insert(s->name);
            }
            visitStmts(s->body);
            if (s->kind == Stmt::Kind::For)
              names.pop_back();
            visitStmts(s->elseBody);
            if (s->kind == Stmt::Kind::Let)
              names.back().insert(s->name);
          }
          names.pop_back();
        };
    visitStmts(fn.body);
  }
};

} // namespace

llvm::LogicalResult kdsl::analyze(Module &module, mlir::MLIRContext *context) {
  return Sema(module, context).run();
}
