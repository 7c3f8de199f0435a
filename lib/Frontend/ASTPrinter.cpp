//===- ASTPrinter.cpp - Dump the (typed) AST ------------------------------===//
//
// One node a line, children indented by two spaces. Expressions show their
// kind and payload, then ` : type` and ` = value` once Sema has set them,
// then ` @line:col`. Written types and default values are printed back as
// source text. The output depends on the AST only, so tests can check it.
//
//===----------------------------------------------------------------------===//

#include "kdsl/Frontend/ASTPrinter.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/ADT/StringSwitch.h"

#include <tuple>

using namespace kdsl;
using namespace kdsl::ast;

namespace {

/// Binding strength of a binary operator as written, following LANGUAGE.md
/// section 6; 0 for an unknown spelling.
int binaryPrecedence(llvm::StringRef op) {
  return llvm::StringSwitch<int>(op)
      .Case("||", 1)
      .Case("&&", 2)
      .Case("|", 3)
      .Case("^", 4)
      .Case("&", 5)
      .Cases({"==", "!="}, 6)
      .Cases({"<", "<=", ">", ">="}, 7)
      .Cases({"<<", ">>"}, 8)
      .Cases({"+", "-"}, 9)
      .Cases({"*", "/", "%"}, 10)
      .Default(0);
}

/// Escapes a string literal's value back into source form.
std::string escapeString(llvm::StringRef value) {
  std::string out = "\"";
  for (char c : value) {
    switch (c) {
    case '"':
      out += "\\\"";
      break;
    case '\\':
      out += "\\\\";
      break;
    case '\n':
      out += "\\n";
      break;
    case '\t':
      out += "\\t";
      break;
    default:
      out += c;
    }
  }
  return out + "\"";
}

/// Source text of an expression, with the parentheses its precedence needs.
std::string sourceOf(const Expr *expr);

std::string operandSource(const Expr *operand, bool needsParens) {
  std::string text = sourceOf(operand);
  return needsParens ? "(" + text + ")" : text;
}

std::string sourceOf(const Expr *expr) {
  if (!expr)
    return "<null>";
  switch (expr->kind) {
  case Expr::Kind::IntLit:
  case Expr::Kind::FloatLit:
  case Expr::Kind::BoolLit:
  case Expr::Kind::NoneLit:
    if (!expr->text.empty())
      return expr->text;
    if (expr->kind == Expr::Kind::IntLit)
      return std::to_string(expr->intValue);
    if (expr->kind == Expr::Kind::BoolLit)
      return expr->boolValue ? "true" : "false";
    if (expr->kind == Expr::Kind::NoneLit)
      return "None";
    {
      std::string text;
      llvm::raw_string_ostream(text) << expr->floatValue;
      return text;
    }
  case Expr::Kind::StringLit:
    return escapeString(expr->name);
  case Expr::Kind::Name:
    return expr->name;
  case Expr::Kind::List:
  case Expr::Kind::Call: {
    std::string out = expr->kind == Expr::Kind::Call ? expr->name + "(" : "[";
    for (size_t i = 0; i < expr->operands.size(); ++i) {
      if (i)
        out += ", ";
      out += sourceOf(expr->operands[i].get());
    }
    return out + (expr->kind == Expr::Kind::Call ? ")" : "]");
  }
  case Expr::Kind::Index: {
    const Expr *base =
        expr->operands.empty() ? nullptr : expr->operands[0].get();
    bool parens = base && (base->kind == Expr::Kind::Binary ||
                           base->kind == Expr::Kind::Unary ||
                           base->kind == Expr::Kind::Cast);
    std::string out = operandSource(base, parens) + "[";
    for (size_t i = 0; i < expr->indexIsNone.size(); ++i) {
      if (i)
        out += ", ";
      out += expr->indexIsNone[i] ? "None" : ":";
    }
    return out + "]";
  }
  case Expr::Kind::Cast: {
    const Expr *operand =
        expr->operands.empty() ? nullptr : expr->operands[0].get();
    bool parens = operand && (operand->kind == Expr::Kind::Binary ||
                              operand->kind == Expr::Kind::Unary);
    return operandSource(operand, parens) + " as " + expr->name;
  }
  case Expr::Kind::Unary: {
    const Expr *operand =
        expr->operands.empty() ? nullptr : expr->operands[0].get();
    // Parenthesize nested unary operators too, so `- -x` never prints `--x`.
    bool parens = operand && (operand->kind == Expr::Kind::Binary ||
                              operand->kind == Expr::Kind::Unary);
    return expr->op + operandSource(operand, parens);
  }
  case Expr::Kind::Binary: {
    int prec = binaryPrecedence(expr->op);
    auto side = [&](size_t i, bool isRhs) {
      const Expr *operand =
          i < expr->operands.size() ? expr->operands[i].get() : nullptr;
      bool parens = false;
      if (operand && operand->kind == Expr::Kind::Binary) {
        int inner = binaryPrecedence(operand->op);
        parens = inner < prec || (isRhs && inner == prec);
      }
      return operandSource(operand, parens);
    };
    return side(0, false) + " " + expr->op + " " + side(1, true);
  }
  }
  return "<?>";
}

std::string typeRefSource(const TypeRef &type) {
  std::string out = type.isPtr ? "*" : "";
  out += type.elemName;
  if (type.dims.empty())
    return out;
  out += "[";
  for (size_t i = 0; i < type.dims.size(); ++i) {
    if (i)
      out += ", ";
    out += sourceOf(type.dims[i].get());
  }
  return out + "]";
}

const char *exprKindName(Expr::Kind kind) {
  switch (kind) {
  case Expr::Kind::IntLit:
    return "IntLit";
  case Expr::Kind::FloatLit:
    return "FloatLit";
  case Expr::Kind::BoolLit:
    return "BoolLit";
  case Expr::Kind::NoneLit:
    return "NoneLit";
  case Expr::Kind::StringLit:
    return "StringLit";
  case Expr::Kind::Name:
    return "Name";
  case Expr::Kind::List:
    return "List";
  case Expr::Kind::Call:
    return "Call";
  case Expr::Kind::Index:
    return "Index";
  case Expr::Kind::Cast:
    return "Cast";
  case Expr::Kind::Unary:
    return "Unary";
  case Expr::Kind::Binary:
    return "Binary";
  }
  return "Expr";
}

class ASTPrinter {
public:
  explicit ASTPrinter(llvm::raw_ostream &os) : os(os) {}

  void printModule(const Module &module);

private:
  llvm::raw_ostream &line(unsigned indent) { return os.indent(2 * indent); }
  void printLoc(Loc loc) { os << " @" << loc.line << ":" << loc.col; }
  void printSemaSuffix(const Type &type, const ConstExprRef &value) {
    if (type.kind != Type::Kind::Invalid)
      os << " : " << type.str();
    if (value)
      os << " = " << value->print();
  }

  void printKernel(const KernelDecl &kernel, unsigned indent);
  void printFn(const FnDecl &fn, unsigned indent);
  void printParam(const Param &param, unsigned indent, bool showSema);
  void printVar(const Var &var, unsigned indent);
  void printStmts(const std::vector<StmtPtr> &stmts, unsigned indent);
  void printStmt(const Stmt *stmt, unsigned indent);
  void printExpr(const Expr *expr, unsigned indent);
  void printLabeled(const char *label, const Expr *expr, unsigned indent);

  llvm::raw_ostream &os;
};

} // namespace

void ASTPrinter::printModule(const Module &module) {
  // Kernels and fns live in two lists; print them in source order.
  struct Decl {
    Loc loc;
    size_t order;
    const KernelDecl *kernel;
    const FnDecl *fn;
  };
  std::vector<Decl> decls;
  for (const auto &kernel : module.kernels)
    if (kernel)
      decls.push_back({kernel->loc, decls.size(), kernel.get(), nullptr});
  for (const auto &fn : module.fns)
    if (fn)
      decls.push_back({fn->loc, decls.size(), nullptr, fn.get()});
  llvm::sort(decls, [](const Decl &a, const Decl &b) {
    return std::make_tuple(a.loc.line, a.loc.col, a.order) <
           std::make_tuple(b.loc.line, b.loc.col, b.order);
  });
  for (const Decl &decl : decls) {
    if (decl.kernel)
      printKernel(*decl.kernel, 0);
    else
      printFn(*decl.fn, 0);
  }
}

void ASTPrinter::printKernel(const KernelDecl &kernel, unsigned indent) {
  line(indent) << "kernel " << kernel.name;
  printLoc(kernel.loc);
  os << "\n";
  for (const Attribute &attr : kernel.attributes) {
    line(indent + 1) << "attribute " << attr.name;
    printLoc(attr.loc);
    os << "\n";
    for (const AttrArg &arg : attr.args) {
      line(indent + 2) << arg.name << " =";
      printLoc(arg.loc);
      os << "\n";
      printExpr(arg.value.get(), indent + 3);
    }
  }
  for (const Param &param : kernel.params)
    printParam(param, indent + 1, /*showSema=*/true);
  if (!kernel.grid.empty()) {
    line(indent + 1) << "grid";
    printLoc(kernel.gridLoc);
    os << "\n";
    for (const ExprPtr &dim : kernel.grid)
      printExpr(dim.get(), indent + 2);
  }

  // Sema's summary of the launch interface, when it has run.
  if (!kernel.gridText.empty()) {
    line(indent + 1) << "grid text";
    for (const std::string &text : kernel.gridText)
      os << " (" << text << ")";
    os << "\n";
  }
  if (kernel.hasAutotune) {
    line(indent + 1) << "tune space";
    for (const TuneAxis &axis : kernel.tuneSpace) {
      os << " " << axis.name << " = [";
      llvm::interleaveComma(axis.values, os);
      os << "]";
    }
    os << "\n";
    if (!kernel.tuneKey.empty()) {
      line(indent + 1) << "tune key ";
      llvm::interleaveComma(kernel.tuneKey, os);
      os << "\n";
    }
    if (!kernel.tuneWhere.empty())
      line(indent + 1) << "tune where " << kernel.tuneWhere << "\n";
  }
  if (kernel.hasConfig) {
    line(indent + 1) << "config";
    for (const auto &[name, value] : kernel.fixedConfig)
      os << " " << name << " = " << value;
    os << "\n";
  }

  line(indent + 1) << "body\n";
  printStmts(kernel.body, indent + 2);
}

void ASTPrinter::printFn(const FnDecl &fn, unsigned indent) {
  line(indent) << "fn " << fn.name;
  if (fn.returnType)
    os << " -> " << typeRefSource(*fn.returnType);
  printLoc(fn.loc);
  os << "\n";
  for (const Param &param : fn.params)
    printParam(param, indent + 1, /*showSema=*/false);
  line(indent + 1) << "body\n";
  printStmts(fn.body, indent + 2);
}

void ASTPrinter::printParam(const Param &param, unsigned indent,
                            bool showSema) {
  line(indent) << "param " << param.name;
  if (param.type) {
    os << ": " << (param.isConstexpr ? "const " : "")
       << typeRefSource(*param.type);
  }
  if (param.defaultValue)
    os << " = " << sourceOf(param.defaultValue.get());
  if (showSema && !param.defaultText.empty())
    os << " (default " << param.defaultText << ")";
  printLoc(param.loc);
  os << "\n";
}

void ASTPrinter::printVar(const Var &var, unsigned indent) {
  line(indent) << "param " << (var.isMut ? "mut " : "") << var.name;
  printSemaSuffix(var.type, var.constValue);
  printLoc(var.loc);
  os << "\n";
}

void ASTPrinter::printStmts(const std::vector<StmtPtr> &stmts,
                            unsigned indent) {
  for (const StmtPtr &stmt : stmts)
    printStmt(stmt.get(), indent);
}

void ASTPrinter::printLabeled(const char *label, const Expr *expr,
                              unsigned indent) {
  line(indent) << label << "\n";
  printExpr(expr, indent + 1);
}

void ASTPrinter::printStmt(const Stmt *stmt, unsigned indent) {
  if (!stmt) {
    line(indent) << "<null stmt>\n";
    return;
  }
  switch (stmt->kind) {
  case Stmt::Kind::Let:
    line(indent) << "Let " << (stmt->isMut ? "mut " : "") << stmt->name;
    if (stmt->annotation)
      os << " (declared " << typeRefSource(*stmt->annotation) << ")";
    if (stmt->decl)
      printSemaSuffix(stmt->decl->type, stmt->decl->constValue);
    printLoc(stmt->loc);
    os << "\n";
    printExpr(stmt->value.get(), indent + 1);
    return;
  case Stmt::Kind::Assign:
    line(indent) << "Assign " << stmt->name << " " << stmt->op;
    if (stmt->target)
      printSemaSuffix(stmt->target->type, nullptr);
    printLoc(stmt->loc);
    os << "\n";
    printExpr(stmt->value.get(), indent + 1);
    return;
  case Stmt::Kind::Expr:
    line(indent) << "ExprStmt";
    printLoc(stmt->loc);
    os << "\n";
    printExpr(stmt->value.get(), indent + 1);
    return;
  case Stmt::Kind::For:
    line(indent) << "For " << stmt->name;
    if (stmt->decl)
      printSemaSuffix(stmt->decl->type, nullptr);
    printLoc(stmt->loc);
    os << "\n";
    printLabeled("start", stmt->start.get(), indent + 1);
    printLabeled("end", stmt->end.get(), indent + 1);
    if (stmt->step)
      printLabeled("step", stmt->step.get(), indent + 1);
    line(indent + 1) << "do\n";
    printStmts(stmt->body, indent + 2);
    return;
  case Stmt::Kind::If:
    line(indent) << "If";
    printLoc(stmt->loc);
    os << "\n";
    printLabeled("cond", stmt->value.get(), indent + 1);
    line(indent + 1) << "then\n";
    printStmts(stmt->body, indent + 2);
    if (stmt->hasElse) {
      line(indent + 1) << "else\n";
      printStmts(stmt->elseBody, indent + 2);
    }
    return;
  case Stmt::Kind::Return:
    line(indent) << "Return";
    printLoc(stmt->loc);
    os << "\n";
    if (stmt->value)
      printExpr(stmt->value.get(), indent + 1);
    return;
  case Stmt::Kind::Block:
    line(indent) << "Block";
    printLoc(stmt->loc);
    os << "\n";
    printStmts(stmt->body, indent + 1);
    return;
  }
}

void ASTPrinter::printExpr(const Expr *expr, unsigned indent) {
  if (!expr) {
    line(indent) << "<null expr>\n";
    return;
  }
  line(indent) << exprKindName(expr->kind);
  switch (expr->kind) {
  case Expr::Kind::IntLit:
    os << " " << expr->intValue;
    break;
  case Expr::Kind::FloatLit:
  case Expr::Kind::BoolLit:
    os << " " << sourceOf(expr);
    break;
  case Expr::Kind::StringLit:
    os << " " << escapeString(expr->name);
    break;
  case Expr::Kind::Name:
  case Expr::Kind::Call:
  case Expr::Kind::Cast:
    os << " " << expr->name;
    break;
  case Expr::Kind::Unary:
  case Expr::Kind::Binary:
    os << " " << expr->op;
    break;
  case Expr::Kind::Index:
    os << " [";
    for (size_t i = 0; i < expr->indexIsNone.size(); ++i)
      os << (i ? ", " : "") << (expr->indexIsNone[i] ? "None" : ":");
    os << "]";
    break;
  case Expr::Kind::NoneLit:
  case Expr::Kind::List:
    break;
  }
  printSemaSuffix(expr->type, expr->constValue);
  printLoc(expr->loc);
  os << "\n";
  for (const ExprPtr &operand : expr->operands)
    printExpr(operand.get(), indent + 1);

  if (expr->kind == Expr::Kind::Call && expr->inlined) {
    const Expr::Inlined &inlined = *expr->inlined;
    line(indent + 1) << "inlined fn "
                     << (inlined.fn ? inlined.fn->name : expr->name) << "\n";
    for (const auto &param : inlined.params)
      if (param)
        printVar(*param, indent + 2);
    line(indent + 2) << "body\n";
    printStmts(inlined.body, indent + 3);
  }
}

void kdsl::printAST(const Module &module, llvm::raw_ostream &os) {
  ASTPrinter(os).printModule(module);
}
