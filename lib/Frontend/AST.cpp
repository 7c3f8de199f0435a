//===- AST.cpp - The typed AST of .kdsl files -----------------------------===//
//
// Scalar kinds, type spelling and the syntax-only deep copies that Sema uses
// to instantiate a `fn` at each call.
//
//===----------------------------------------------------------------------===//

#include "kdsl/Frontend/AST.h"

namespace kdsl::ast {

namespace {
struct ScalarKindEntry {
  ScalarKind kind;
  const char *name;
};
} // namespace

static constexpr ScalarKindEntry kScalarKinds[] = {
    {ScalarKind::Bool, "bool"}, {ScalarKind::I8, "i8"},
    {ScalarKind::I16, "i16"},   {ScalarKind::I32, "i32"},
    {ScalarKind::I64, "i64"},   {ScalarKind::F16, "f16"},
    {ScalarKind::BF16, "bf16"}, {ScalarKind::F32, "f32"},
    {ScalarKind::F64, "f64"},
};

std::optional<ScalarKind> parseScalarKind(const std::string &name) {
  for (const ScalarKindEntry &entry : kScalarKinds)
    if (name == entry.name)
      return entry.kind;
  return std::nullopt;
}

const char *scalarKindName(ScalarKind kind) {
  for (const ScalarKindEntry &entry : kScalarKinds)
    if (entry.kind == kind)
      return entry.name;
  return "<unknown>";
}

bool isFloat(ScalarKind kind) {
  switch (kind) {
  case ScalarKind::F16:
  case ScalarKind::BF16:
  case ScalarKind::F32:
  case ScalarKind::F64:
    return true;
  default:
    return false;
  }
}

bool isInteger(ScalarKind kind) {
  switch (kind) {
  case ScalarKind::I8:
  case ScalarKind::I16:
  case ScalarKind::I32:
  case ScalarKind::I64:
    return true;
  default:
    return false;
  }
}

unsigned bitWidth(ScalarKind kind) {
  switch (kind) {
  case ScalarKind::Bool:
    return 1;
  case ScalarKind::I8:
    return 8;
  case ScalarKind::I16:
  case ScalarKind::F16:
  case ScalarKind::BF16:
    return 16;
  case ScalarKind::I32:
  case ScalarKind::F32:
    return 32;
  case ScalarKind::I64:
  case ScalarKind::F64:
    return 64;
  }
  return 0;
}

std::string Type::str() const {
  switch (kind) {
  case Kind::Invalid:
    return "<error>";
  case Kind::Void:
    return "void";
  case Kind::List:
    return "list";
  case Kind::String:
    return "str";
  case Kind::DType:
    return "type";
  case Kind::Value:
    break;
  }
  std::string result = isPtr ? "*" : "";
  result += scalarKindName(elem);
  if (dims.empty())
    return result;
  result += '[';
  for (size_t i = 0; i < dims.size(); ++i) {
    if (i)
      result += ", ";
    result += dims[i] ? dims[i]->print() : "?";
  }
  result += ']';
  return result;
}

static ExprPtr cloneOrNull(const ExprPtr &expr) {
  return expr ? expr->clone() : nullptr;
}

static std::vector<StmtPtr> cloneStmts(const std::vector<StmtPtr> &stmts) {
  std::vector<StmtPtr> result;
  result.reserve(stmts.size());
  for (const StmtPtr &stmt : stmts)
    result.push_back(stmt ? stmt->clone() : nullptr);
  return result;
}

ExprPtr Expr::clone() const {
  auto copy = std::make_unique<Expr>(kind, loc);
  copy->intValue = intValue;
  copy->floatValue = floatValue;
  copy->boolValue = boolValue;
  copy->name = name;
  copy->op = op;
  copy->operands.reserve(operands.size());
  for (const ExprPtr &operand : operands)
    copy->operands.push_back(cloneOrNull(operand));
  copy->indexIsNone = indexIsNone;
  copy->text = text;
  return copy;
}

static TypeRef cloneTypeRef(const TypeRef &ref) {
  TypeRef copy;
  copy.loc = ref.loc;
  copy.isPtr = ref.isPtr;
  copy.elemName = ref.elemName;
  copy.dims.reserve(ref.dims.size());
  for (const ExprPtr &dim : ref.dims)
    copy.dims.push_back(cloneOrNull(dim));
  return copy;
}

StmtPtr Stmt::clone() const {
  auto copy = std::make_unique<Stmt>(kind, loc);
  copy->name = name;
  copy->isMut = isMut;
  if (annotation)
    copy->annotation = cloneTypeRef(*annotation);
  copy->op = op;
  copy->value = cloneOrNull(value);
  copy->start = cloneOrNull(start);
  copy->end = cloneOrNull(end);
  copy->step = cloneOrNull(step);
  copy->body = cloneStmts(body);
  copy->elseBody = cloneStmts(elseBody);
  copy->hasElse = hasElse;
  return copy;
}

} // namespace kdsl::ast
