//===- ConstExpr.cpp - Compile-time integer expressions -------------------===//
//
// Part of the kdsl project.
//
//===----------------------------------------------------------------------===//
//
// Plain C++17 only: this file is shared with the launch-time runtime and must
// not depend on LLVM or MLIR.
//
//===----------------------------------------------------------------------===//

#include "kdsl/Support/ConstExpr.h"

#include <algorithm>
#include <cassert>
#include <limits>
#include <unordered_set>
#include <utility>

using namespace kdsl;

using UnaryOp = ConstExpr::UnaryOp;
using BinaryOp = ConstExpr::BinaryOp;
using Kind = ConstExpr::Kind;

static constexpr int64_t kInt64Min = std::numeric_limits<int64_t>::min();
static constexpr int64_t kInt64Max = std::numeric_limits<int64_t>::max();

//===----------------------------------------------------------------------===//
// Arithmetic
//===----------------------------------------------------------------------===//

namespace {
/// Why folding or evaluating one operation failed.
enum class ArithError {
  None,
  DivByZero,
  DivOverflow,
  ShiftRange,
  CdivDivisor,
  NextPow2Overflow
};

enum class Builtin { NextPow2, Cdiv, Min, Max };
} // namespace

static int64_t wrap(uint64_t v) { return static_cast<int64_t>(v); }

static std::optional<Builtin> lookupBuiltin(const std::string &name) {
  if (name == "next_pow2")
    return Builtin::NextPow2;
  if (name == "cdiv")
    return Builtin::Cdiv;
  if (name == "min")
    return Builtin::Min;
  if (name == "max")
    return Builtin::Max;
  return std::nullopt;
}

static unsigned getArity(Builtin b) { return b == Builtin::NextPow2 ? 1 : 2; }

static ArithError applyUnary(UnaryOp op, int64_t a, int64_t &out) {
  switch (op) {
  case UnaryOp::Neg:
    out = wrap(0 - static_cast<uint64_t>(a));
    return ArithError::None;
  case UnaryOp::Not:
    out = a == 0;
    return ArithError::None;
  case UnaryOp::BitNot:
    out = ~a;
    return ArithError::None;
  }
  return ArithError::None;
}

static ArithError applyBinary(BinaryOp op, int64_t a, int64_t b, int64_t &out) {
  uint64_t ua = static_cast<uint64_t>(a), ub = static_cast<uint64_t>(b);
  switch (op) {
  case BinaryOp::Add:
    out = wrap(ua + ub);
    return ArithError::None;
  case BinaryOp::Sub:
    out = wrap(ua - ub);
    return ArithError::None;
  case BinaryOp::Mul:
    out = wrap(ua * ub);
    return ArithError::None;
  case BinaryOp::Div:
    if (b == 0)
      return ArithError::DivByZero;
    if (a == kInt64Min && b == -1)
      return ArithError::DivOverflow;
    out = a / b;
    return ArithError::None;
  case BinaryOp::Rem:
    if (b == 0)
      return ArithError::DivByZero;
    // Mathematically 0; `INT64_MIN % -1` would trap in C.
    out = b == -1 ? 0 : a % b;
    return ArithError::None;
  case BinaryOp::Shl:
    if (b < 0 || b >= 64)
      return ArithError::ShiftRange;
    out = wrap(ua << b);
    return ArithError::None;
  case BinaryOp::Shr:
    if (b < 0 || b >= 64)
      return ArithError::ShiftRange;
    // Arithmetic shift, spelled without relying on implementation-defined
    // behaviour for negative operands.
    out = a >= 0 ? a >> b : ~(~a >> b);
    return ArithError::None;
  case BinaryOp::And:
    out = a & b;
    return ArithError::None;
  case BinaryOp::Or:
    out = a | b;
    return ArithError::None;
  case BinaryOp::Xor:
    out = a ^ b;
    return ArithError::None;
  case BinaryOp::LogicalAnd:
    out = a != 0 && b != 0;
    return ArithError::None;
  case BinaryOp::LogicalOr:
    out = a != 0 || b != 0;
    return ArithError::None;
  case BinaryOp::Eq:
    out = a == b;
    return ArithError::None;
  case BinaryOp::Ne:
    out = a != b;
    return ArithError::None;
  case BinaryOp::Lt:
    out = a < b;
    return ArithError::None;
  case BinaryOp::Le:
    out = a <= b;
    return ArithError::None;
  case BinaryOp::Gt:
    out = a > b;
    return ArithError::None;
  case BinaryOp::Ge:
    out = a >= b;
    return ArithError::None;
  }
  return ArithError::None;
}

/// Applies a builtin to already evaluated arguments (of the right count).
static ArithError applyBuiltin(Builtin b, const std::vector<int64_t> &args,
                               int64_t &out) {
  switch (b) {
  case Builtin::NextPow2: {
    int64_t x = args[0];
    if (x <= 1) {
      out = 1;
      return ArithError::None;
    }
    if (x > (int64_t(1) << 62))
      return ArithError::NextPow2Overflow;
    int64_t p = 1;
    while (p < x)
      p <<= 1;
    out = p;
    return ArithError::None;
  }
  case Builtin::Cdiv: {
    int64_t a = args[0], d = args[1];
    if (d <= 0)
      return ArithError::CdivDivisor;
    // Truncating division already rounds up for a <= 0.
    int64_t q = a / d;
    if (a > 0 && a % d != 0)
      ++q;
    out = q;
    return ArithError::None;
  }
  case Builtin::Min:
    out = std::min(args[0], args[1]);
    return ArithError::None;
  case Builtin::Max:
    out = std::max(args[0], args[1]);
    return ArithError::None;
  }
  return ArithError::None;
}

//===----------------------------------------------------------------------===//
// ConstExpr builders
//===----------------------------------------------------------------------===//

ConstExpr::ConstExpr(PrivateTag, Kind kind) : kind(kind) {}

std::shared_ptr<ConstExpr>
ConstExpr::create(Kind kind, std::vector<ConstExprRef> children) {
  auto node = std::make_shared<ConstExpr>(PrivateTag(), kind);
  unsigned maxChild = 0;
  for (const ConstExprRef &c : children)
    maxChild = std::max(maxChild, c->depth);
  node->depth = maxChild + 1;
  node->children = std::move(children);
  return node;
}

ConstExprRef ConstExpr::intLit(int64_t v) {
  auto node = create(Kind::Int, {});
  node->value = v;
  return node;
}

ConstExprRef ConstExpr::param(std::string name) {
  auto node = create(Kind::Param, {});
  node->name = std::move(name);
  return node;
}

ConstExprRef ConstExpr::unary(UnaryOp op, ConstExprRef operand) {
  if (!operand)
    return nullptr;
  if (operand->isConstant()) {
    int64_t v = 0;
    if (applyUnary(op, operand->value, v) == ArithError::None)
      return intLit(v);
  }
  // - -x == x and ~~x == x; !!x normalizes to 0/1 so it stays.
  if (operand->kind == Kind::Unary && op != UnaryOp::Not &&
      operand->getUnaryOp() == op)
    return operand->children[0];
  auto node = create(Kind::Unary, {std::move(operand)});
  node->op = static_cast<int>(op);
  return node;
}

static bool isInt(const ConstExprRef &e, int64_t v) {
  return e->isConstant() && e->getConstant() == v;
}

ConstExprRef ConstExpr::binary(BinaryOp op, ConstExprRef lhs,
                               ConstExprRef rhs) {
  if (!lhs || !rhs)
    return nullptr;
  if (lhs->isConstant() && rhs->isConstant()) {
    int64_t v = 0;
    if (applyBinary(op, lhs->value, rhs->value, v) == ArithError::None)
      return intLit(v);
  }
  switch (op) {
  case BinaryOp::Add:
    if (isInt(rhs, 0))
      return lhs;
    if (isInt(lhs, 0))
      return rhs;
    break;
  case BinaryOp::Sub:
  case BinaryOp::Shl:
  case BinaryOp::Shr:
    if (isInt(rhs, 0))
      return lhs;
    break;
  case BinaryOp::Mul:
    if (isInt(rhs, 1))
      return lhs;
    if (isInt(lhs, 1))
      return rhs;
    if (isInt(lhs, 0) || isInt(rhs, 0))
      return intLit(0);
    break;
  case BinaryOp::Div:
    if (isInt(rhs, 1))
      return lhs;
    break;
  case BinaryOp::LogicalAnd:
    if (isInt(lhs, 0))
      return intLit(0);
    break;
  case BinaryOp::LogicalOr:
    if (lhs->isConstant() && lhs->value != 0)
      return intLit(1);
    break;
  default:
    break;
  }
  auto node = create(Kind::Binary, {std::move(lhs), std::move(rhs)});
  node->op = static_cast<int>(op);
  return node;
}

ConstExprRef ConstExpr::call(std::string name, std::vector<ConstExprRef> args,
                             std::string *error) {
  std::optional<Builtin> b = lookupBuiltin(name);
  if (!b) {
    if (error)
      *error = "unknown function '" + name + "'";
    return nullptr;
  }
  unsigned arity = getArity(*b);
  if (args.size() != arity) {
    if (error)
      *error = name + " takes " + std::to_string(arity) +
               (arity == 1 ? " argument" : " arguments") + ", got " +
               std::to_string(args.size());
    return nullptr;
  }
  bool allConstant = true;
  for (const ConstExprRef &a : args) {
    if (!a) {
      if (error)
        *error = "null argument in call to " + name;
      return nullptr;
    }
    allConstant &= a->isConstant();
  }
  if (allConstant) {
    std::vector<int64_t> values;
    for (const ConstExprRef &a : args)
      values.push_back(a->value);
    int64_t v = 0;
    if (applyBuiltin(*b, values, v) == ArithError::None)
      return intLit(v);
  }
  if ((*b == Builtin::Min || *b == Builtin::Max) && args[0]->isEqual(*args[1]))
    return args[0];
  auto node = create(Kind::Call, std::move(args));
  node->name = std::move(name);
  return node;
}

bool ConstExpr::isBuiltin(const std::string &name, unsigned &arity) {
  std::optional<Builtin> b = lookupBuiltin(name);
  if (!b)
    return false;
  arity = getArity(*b);
  return true;
}

const char *ConstExpr::getOpSpelling(UnaryOp op) {
  switch (op) {
  case UnaryOp::Neg:
    return "-";
  case UnaryOp::Not:
    return "!";
  case UnaryOp::BitNot:
    return "~";
  }
  return "?";
}

const char *ConstExpr::getOpSpelling(BinaryOp op) {
  switch (op) {
  case BinaryOp::Add:
    return "+";
  case BinaryOp::Sub:
    return "-";
  case BinaryOp::Mul:
    return "*";
  case BinaryOp::Div:
    return "/";
  case BinaryOp::Rem:
    return "%";
  case BinaryOp::Shl:
    return "<<";
  case BinaryOp::Shr:
    return ">>";
  case BinaryOp::And:
    return "&";
  case BinaryOp::Or:
    return "|";
  case BinaryOp::Xor:
    return "^";
  case BinaryOp::LogicalAnd:
    return "&&";
  case BinaryOp::LogicalOr:
    return "||";
  case BinaryOp::Eq:
    return "==";
  case BinaryOp::Ne:
    return "!=";
  case BinaryOp::Lt:
    return "<";
  case BinaryOp::Le:
    return "<=";
  case BinaryOp::Gt:
    return ">";
  case BinaryOp::Ge:
    return ">=";
  }
  return "?";
}

int ConstExpr::getPrecedence(BinaryOp op) {
  switch (op) {
  case BinaryOp::LogicalOr:
    return 1;
  case BinaryOp::LogicalAnd:
    return 2;
  case BinaryOp::Or:
    return 3;
  case BinaryOp::Xor:
    return 4;
  case BinaryOp::And:
    return 5;
  case BinaryOp::Eq:
  case BinaryOp::Ne:
    return 6;
  case BinaryOp::Lt:
  case BinaryOp::Le:
  case BinaryOp::Gt:
  case BinaryOp::Ge:
    return 7;
  case BinaryOp::Shl:
  case BinaryOp::Shr:
    return 8;
  case BinaryOp::Add:
  case BinaryOp::Sub:
    return 9;
  case BinaryOp::Mul:
  case BinaryOp::Div:
  case BinaryOp::Rem:
    return 10;
  }
  return 0;
}

//===----------------------------------------------------------------------===//
// ConstExpr accessors and operations
//===----------------------------------------------------------------------===//

int64_t ConstExpr::getConstant() const {
  assert(isConstant() && "not an integer literal");
  return value;
}

const std::string &ConstExpr::getName() const {
  assert((kind == Kind::Param || kind == Kind::Call) && "node has no name");
  return name;
}

UnaryOp ConstExpr::getUnaryOp() const {
  assert(kind == Kind::Unary && "not a unary node");
  return static_cast<UnaryOp>(op);
}

BinaryOp ConstExpr::getBinaryOp() const {
  assert(kind == Kind::Binary && "not a binary node");
  return static_cast<BinaryOp>(op);
}

const ConstExprRef &ConstExpr::getOperand() const {
  assert(kind == Kind::Unary && "not a unary node");
  return children[0];
}

const ConstExprRef &ConstExpr::getLHS() const {
  assert(kind == Kind::Binary && "not a binary node");
  return children[0];
}

const ConstExprRef &ConstExpr::getRHS() const {
  assert(kind == Kind::Binary && "not a binary node");
  return children[1];
}

const std::vector<ConstExprRef> &ConstExpr::getArgs() const {
  assert(kind == Kind::Call && "not a call node");
  return children;
}

bool ConstExpr::isEqual(const ConstExpr &other) const {
  if (this == &other)
    return true;
  if (kind != other.kind || value != other.value || op != other.op ||
      name != other.name || depth != other.depth ||
      children.size() != other.children.size())
    return false;
  for (size_t i = 0, e = children.size(); i != e; ++i)
    if (!children[i]->isEqual(*other.children[i]))
      return false;
  return true;
}

static void printInto(const ConstExpr &e, std::string &out);

/// Prints \p child as an operand of a binary operator of precedence \p prec.
/// Operands on the right need parentheses at equal precedence, because all
/// binary operators associate to the left.
static void printOperand(const ConstExpr &child, int prec, bool isRhs,
                         std::string &out) {
  bool parens = false;
  if (child.getKind() == Kind::Binary) {
    int childPrec = ConstExpr::getPrecedence(child.getBinaryOp());
    parens = isRhs ? childPrec <= prec : childPrec < prec;
  }
  if (parens)
    out += '(';
  printInto(child, out);
  if (parens)
    out += ')';
}

static void printInto(const ConstExpr &e, std::string &out) {
  switch (e.getKind()) {
  case Kind::Int:
    out += std::to_string(e.getConstant());
    return;
  case Kind::Param:
    out += e.getName();
    return;
  case Kind::Unary: {
    out += ConstExpr::getOpSpelling(e.getUnaryOp());
    const ConstExpr &operand = *e.getOperand();
    // Builders fold unary operators on literals, so a negative literal cannot
    // appear here; parenthesize anyway so that `--` is never printed.
    bool parens = operand.getKind() == Kind::Binary ||
                  (operand.isConstant() && operand.getConstant() < 0);
    if (parens)
      out += '(';
    printInto(operand, out);
    if (parens)
      out += ')';
    return;
  }
  case Kind::Binary: {
    int prec = ConstExpr::getPrecedence(e.getBinaryOp());
    printOperand(*e.getLHS(), prec, /*isRhs=*/false, out);
    out += ' ';
    out += ConstExpr::getOpSpelling(e.getBinaryOp());
    out += ' ';
    printOperand(*e.getRHS(), prec, /*isRhs=*/true, out);
    return;
  }
  case Kind::Call: {
    out += e.getName();
    out += '(';
    bool first = true;
    for (const ConstExprRef &arg : e.getArgs()) {
      if (!first)
        out += ", ";
      first = false;
      printInto(*arg, out);
    }
    out += ')';
    return;
  }
  }
}

std::string ConstExpr::print() const {
  std::string out;
  printInto(*this, out);
  return out;
}

static void collectParams(const ConstExpr &e, std::vector<std::string> &names,
                          std::unordered_set<std::string> &seen) {
  if (e.getKind() == Kind::Param) {
    if (seen.insert(e.getName()).second)
      names.push_back(e.getName());
    return;
  }
  for (const ConstExprRef &c : e.getChildren())
    collectParams(*c, names, seen);
}

std::vector<std::string> ConstExpr::params() const {
  std::vector<std::string> names;
  std::unordered_set<std::string> seen;
  collectParams(*this, names, seen);
  return names;
}

ConstExprRef ConstExpr::substitute(const ConstExprLookup &lookup) const {
  switch (kind) {
  case Kind::Int:
    return shared_from_this();
  case Kind::Param:
    if (lookup)
      if (std::optional<int64_t> v = lookup(name))
        return intLit(*v);
    return shared_from_this();
  case Kind::Unary:
  case Kind::Binary:
  case Kind::Call:
    break;
  }
  std::vector<ConstExprRef> newChildren;
  bool changed = false;
  for (const ConstExprRef &c : children) {
    newChildren.push_back(c->substitute(lookup));
    changed |= newChildren.back() != c;
  }
  if (!changed)
    return shared_from_this();
  if (kind == Kind::Unary)
    return unary(getUnaryOp(), std::move(newChildren[0]));
  if (kind == Kind::Binary)
    return binary(getBinaryOp(), std::move(newChildren[0]),
                  std::move(newChildren[1]));
  return call(name, std::move(newChildren));
}

//===----------------------------------------------------------------------===//
// Evaluation
//===----------------------------------------------------------------------===//

namespace {
class Evaluator {
public:
  explicit Evaluator(const ConstExprLookup &lookup) : lookup(lookup) {}

  /// Evaluates \p e into \p out; on failure sets `error` and returns false.
  bool eval(const ConstExpr &e, int64_t &out) {
    switch (e.getKind()) {
    case Kind::Int:
      out = e.getConstant();
      return true;
    case Kind::Param: {
      std::optional<int64_t> v;
      if (lookup)
        v = lookup(e.getName());
      if (!v) {
        error = "no value for parameter '" + e.getName() + "'";
        return false;
      }
      out = *v;
      return true;
    }
    case Kind::Unary: {
      int64_t a = 0;
      if (!eval(*e.getOperand(), a))
        return false;
      return check(applyUnary(e.getUnaryOp(), a, out), e, a);
    }
    case Kind::Binary: {
      BinaryOp op = e.getBinaryOp();
      int64_t a = 0, b = 0;
      if (!eval(*e.getLHS(), a))
        return false;
      // `&&` and `||` short-circuit as in C.
      if (op == BinaryOp::LogicalAnd && a == 0) {
        out = 0;
        return true;
      }
      if (op == BinaryOp::LogicalOr && a != 0) {
        out = 1;
        return true;
      }
      if (!eval(*e.getRHS(), b))
        return false;
      return check(applyBinary(op, a, b, out), e, b);
    }
    case Kind::Call: {
      std::vector<int64_t> args;
      for (const ConstExprRef &arg : e.getArgs()) {
        int64_t v = 0;
        if (!eval(*arg, v))
          return false;
        args.push_back(v);
      }
      std::optional<Builtin> b = lookupBuiltin(e.getName());
      if (!b || args.size() != getArity(*b)) {
        error = "invalid call to '" + e.getName() + "'";
        return false;
      }
      int64_t culprit = *b == Builtin::Cdiv ? args[1] : args[0];
      return check(applyBuiltin(*b, args, out), e, culprit);
    }
    }
    error = "invalid expression";
    return false;
  }

  std::string error;

private:
  /// Turns an arithmetic error of node \p e into a message; \p culprit is the
  /// offending operand value.
  bool check(ArithError err, const ConstExpr &e, int64_t culprit) {
    switch (err) {
    case ArithError::None:
      return true;
    case ArithError::DivByZero:
      error = "division by zero in `" + e.print() + "`";
      return false;
    case ArithError::DivOverflow:
      error = "division overflow in `" + e.print() + "`";
      return false;
    case ArithError::ShiftRange:
      error = "shift amount " + std::to_string(culprit) +
              " is out of range in `" + e.print() + "`";
      return false;
    case ArithError::CdivDivisor:
      error = "cdiv divisor must be positive, got " + std::to_string(culprit);
      return false;
    case ArithError::NextPow2Overflow:
      error = "next_pow2(x) overflows for x = " + std::to_string(culprit);
      return false;
    }
    return true;
  }

  const ConstExprLookup &lookup;
};
} // namespace

ConstExprEvalResult kdsl::evaluateConstExpr(const ConstExpr &e,
                                            const ConstExprLookup &lookup) {
  ConstExprEvalResult result;
  Evaluator evaluator(lookup);
  int64_t v = 0;
  if (evaluator.eval(e, v)) {
    result.ok = true;
    result.value = v;
  } else {
    result.error = std::move(evaluator.error);
  }
  return result;
}

//===----------------------------------------------------------------------===//
// Parsing
//===----------------------------------------------------------------------===//

namespace {
enum class TokKind { End, Int, Ident, Op, LParen, RParen, Comma, Error };

struct Token {
  TokKind kind = TokKind::End;
  size_t column = 0;
  /// The source text (for Op, the operator spelling).
  std::string text;
  /// For Int: the value, saturated at 2^63.
  uint64_t value = 0;
  /// For Int: the literal exceeds 2^63.
  bool tooLarge = false;
  /// For Error: the message.
  std::string error;
};

bool isIdentStart(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool isDigit(char c) { return c >= '0' && c <= '9'; }
bool isIdentChar(char c) { return isIdentStart(c) || isDigit(c); }
int hexValue(char c) {
  if (isDigit(c))
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

/// Quotes a character for an error message, escaping unprintable bytes.
std::string describeChar(char c) {
  unsigned char u = static_cast<unsigned char>(c);
  if (u >= 0x20 && u < 0x7f)
    return std::string("'") + c + "'";
  static const char digits[] = "0123456789ABCDEF";
  return std::string("'\\x") + digits[u >> 4] + digits[u & 15] + "'";
}

/// Quotes a token's text for an error message, escaping and shortening it.
std::string describeText(const std::string &text) {
  std::string out = "'";
  for (size_t i = 0; i < text.size() && i < 40; ++i) {
    unsigned char u = static_cast<unsigned char>(text[i]);
    if (u >= 0x20 && u < 0x7f && u != '\'') {
      out += text[i];
    } else {
      std::string d = describeChar(text[i]);
      out += d.substr(1, d.size() - 2);
    }
  }
  if (text.size() > 40)
    out += "...";
  return out + "'";
}

const char *const kKeywords[] = {"kernel", "fn", "let",   "mut", "const",
                                 "for",    "in", "range", "if",  "else",
                                 "return", "as", "inf",   "nan", "None"};

bool isReservedKeyword(const std::string &s) {
  for (const char *k : kKeywords)
    if (s == k)
      return true;
  return false;
}

class Lexer {
public:
  explicit Lexer(const std::string &text) : text(text) {}

  /// Lexes the token that starts at or after \p pos (after whitespace) and
  /// returns it; \p next is set to the position after it.
  Token lex(size_t pos, size_t &next) const {
    while (pos < text.size() && (text[pos] == ' ' || text[pos] == '\t' ||
                                 text[pos] == '\n' || text[pos] == '\r'))
      ++pos;
    Token tok;
    tok.column = pos;
    if (pos >= text.size()) {
      tok.kind = TokKind::End;
      next = pos;
      return tok;
    }
    char c = text[pos];
    if (isDigit(c))
      return lexNumber(pos, next);
    if (isIdentStart(c)) {
      size_t end = pos;
      while (end < text.size() && isIdentChar(text[end]))
        ++end;
      tok.kind = TokKind::Ident;
      tok.text = text.substr(pos, end - pos);
      next = end;
      return tok;
    }
    static const char *const twoCharOps[] = {
        "||", "&&", "==", "!=", "<=", ">=", "<<", ">>"};
    if (pos + 1 < text.size()) {
      for (const char *op : twoCharOps) {
        if (text[pos] == op[0] && text[pos + 1] == op[1]) {
          tok.kind = TokKind::Op;
          tok.text = op;
          next = pos + 2;
          return tok;
        }
      }
    }
    next = pos + 1;
    tok.text = std::string(1, c);
    switch (c) {
    case '(':
      tok.kind = TokKind::LParen;
      return tok;
    case ')':
      tok.kind = TokKind::RParen;
      return tok;
    case ',':
      tok.kind = TokKind::Comma;
      return tok;
    case '+':
    case '-':
    case '*':
    case '/':
    case '%':
    case '&':
    case '|':
    case '^':
    case '<':
    case '>':
    case '!':
    case '~':
      tok.kind = TokKind::Op;
      return tok;
    case '=':
      tok.kind = TokKind::Error;
      tok.error = "unexpected '='; did you mean '=='?";
      return tok;
    default:
      tok.kind = TokKind::Error;
      tok.error = "unexpected character " + describeChar(c);
      return tok;
    }
  }

private:
  Token lexNumber(size_t pos, size_t &next) const {
    Token tok;
    tok.column = pos;
    tok.kind = TokKind::Int;
    unsigned base = 10;
    size_t digitsStart = pos;
    if (text[pos] == '0' && pos + 1 < text.size() &&
        (text[pos + 1] == 'x' || text[pos + 1] == 'X')) {
      base = 16;
      digitsStart = pos + 2;
    }
    const uint64_t limit = uint64_t(1) << 63;
    uint64_t value = 0;
    bool tooLarge = false, sawDigit = false, lastWasUnderscore = false;
    size_t end = digitsStart;
    for (; end < text.size(); ++end) {
      char c = text[end];
      if (c == '_') {
        lastWasUnderscore = true;
        continue;
      }
      int d = base == 16 ? hexValue(c) : (isDigit(c) ? c - '0' : -1);
      if (d < 0)
        break;
      sawDigit = true;
      lastWasUnderscore = false;
      if (!tooLarge) {
        if (value > (limit - static_cast<uint64_t>(d)) / base)
          tooLarge = true;
        else
          value = value * base + static_cast<uint64_t>(d);
      }
    }
    bool malformed = !sawDigit || lastWasUnderscore;
    bool isFloat = false;
    if (end < text.size() && base == 10 && text[end] == '.') {
      isFloat = true;
      ++end;
    }
    // Swallow the rest of a malformed literal such as `12ab` or `1.5e3`.
    if (end < text.size() && isIdentChar(text[end])) {
      malformed = true;
      while (end < text.size() &&
             (isIdentChar(text[end]) || (isFloat && text[end] == '.')))
        ++end;
    }
    tok.text = text.substr(pos, end - pos);
    next = end;
    if (isFloat) {
      tok.kind = TokKind::Error;
      tok.error = "floating-point literal " + describeText(tok.text) +
                  " is not allowed in an integer constant expression";
      return tok;
    }
    if (malformed) {
      tok.kind = TokKind::Error;
      tok.error = "invalid integer literal " + describeText(tok.text);
      return tok;
    }
    tok.value = value;
    tok.tooLarge = tooLarge;
    return tok;
  }

  const std::string &text;
};

/// A recursive-descent parser with precedence climbing for binary operators.
class Parser {
public:
  explicit Parser(const std::string &text) : lexer(text) { cur = lexNext(); }

  ConstExprParseResult parseAll() {
    ConstExprParseResult result;
    ConstExprRef e = parseExpr();
    if (e && cur.kind != TokKind::End) {
      if (cur.kind == TokKind::Error)
        fail(cur.error, cur.column);
      else
        fail("unexpected " + describeText(cur.text) + " after expression",
             cur.column);
    }
    if (failed) {
      result.error = error;
      result.column = errorColumn;
      return result;
    }
    result.expr = std::move(e);
    return result;
  }

private:
  Token lexNext() { return lexer.lex(nextPos, nextPos); }
  Token peek() const {
    size_t ignored = 0;
    return lexer.lex(nextPos, ignored);
  }
  void consume() { cur = lexNext(); }

  ConstExprRef fail(std::string message, size_t column) {
    if (!failed) {
      failed = true;
      error = std::move(message);
      errorColumn = column;
    }
    return nullptr;
  }

  /// Describes the current token for "expected X, got Y" messages.
  std::string describeCurrent() const {
    if (cur.kind == TokKind::End)
      return "end of input";
    return describeText(cur.text);
  }

  /// Fails with \p what expected at the current token; a lexer error wins.
  ConstExprRef expected(const std::string &what) {
    if (cur.kind == TokKind::Error)
      return fail(cur.error, cur.column);
    return fail("expected " + what + ", got " + describeCurrent(), cur.column);
  }

  /// Rejects trees deeper than the limit, so that later recursive walks
  /// (printing, evaluation, destruction) stay shallow.
  ConstExprRef checkDepth(ConstExprRef e, size_t column) {
    if (e && e->getDepth() > kMaxConstExprDepth)
      return fail(tooDeepMessage(), column);
    return e;
  }

  static std::string tooDeepMessage() {
    return "expression is nested too deeply (the limit is " +
           std::to_string(kMaxConstExprDepth) + ")";
  }

  std::optional<BinaryOp> currentBinaryOp() const {
    if (cur.kind != TokKind::Op)
      return std::nullopt;
    static const std::pair<const char *, BinaryOp> ops[] = {
        {"+", BinaryOp::Add},         {"-", BinaryOp::Sub},
        {"*", BinaryOp::Mul},         {"/", BinaryOp::Div},
        {"%", BinaryOp::Rem},         {"<<", BinaryOp::Shl},
        {">>", BinaryOp::Shr},        {"&", BinaryOp::And},
        {"|", BinaryOp::Or},          {"^", BinaryOp::Xor},
        {"&&", BinaryOp::LogicalAnd}, {"||", BinaryOp::LogicalOr},
        {"==", BinaryOp::Eq},         {"!=", BinaryOp::Ne},
        {"<", BinaryOp::Lt},          {"<=", BinaryOp::Le},
        {">", BinaryOp::Gt},          {">=", BinaryOp::Ge}};
    for (const auto &entry : ops)
      if (cur.text == entry.first)
        return entry.second;
    return std::nullopt;
  }

  ConstExprRef parseExpr() { return parseBinary(1); }

  /// Parses operators of precedence >= \p minPrec, left-associatively.
  ConstExprRef parseBinary(int minPrec) {
    ConstExprRef lhs = parseUnary();
    while (lhs) {
      std::optional<BinaryOp> op = currentBinaryOp();
      if (!op)
        break;
      int prec = ConstExpr::getPrecedence(*op);
      if (prec < minPrec)
        break;
      size_t opColumn = cur.column;
      consume();
      ConstExprRef rhs = parseBinary(prec + 1);
      if (!rhs)
        return nullptr;
      lhs = checkDepth(ConstExpr::binary(*op, std::move(lhs), std::move(rhs)),
                       opColumn);
    }
    return lhs;
  }

  ConstExprRef parseUnary() {
    // Every level of parentheses, call arguments and unary operators passes
    // through here, so this bounds the recursion.
    struct NestingGuard {
      unsigned &n;
      explicit NestingGuard(unsigned &n) : n(n) { ++n; }
      ~NestingGuard() { --n; }
    } guard(nesting);
    if (nesting > kMaxConstExprDepth)
      return fail(tooDeepMessage(), cur.column);

    if (cur.kind == TokKind::Op &&
        (cur.text == "-" || cur.text == "!" || cur.text == "~")) {
      size_t opColumn = cur.column;
      UnaryOp op = cur.text == "-"   ? UnaryOp::Neg
                   : cur.text == "!" ? UnaryOp::Not
                                     : UnaryOp::BitNot;
      // `-9223372036854775808` is INT64_MIN although its magnitude does not
      // fit; this is how the printer spells INT64_MIN.
      if (op == UnaryOp::Neg) {
        Token next = peek();
        if (next.kind == TokKind::Int && !next.tooLarge &&
            next.value == (uint64_t(1) << 63)) {
          consume();
          consume();
          return ConstExpr::intLit(kInt64Min);
        }
      }
      consume();
      ConstExprRef operand = parseUnary();
      if (!operand)
        return nullptr;
      return checkDepth(ConstExpr::unary(op, std::move(operand)), opColumn);
    }
    return parsePrimary();
  }

  ConstExprRef parsePrimary() {
    switch (cur.kind) {
    case TokKind::Int: {
      if (cur.tooLarge || cur.value > static_cast<uint64_t>(kInt64Max))
        return fail("integer literal " + describeText(cur.text) +
                        " is too large for i64",
                    cur.column);
      int64_t v = static_cast<int64_t>(cur.value);
      consume();
      return ConstExpr::intLit(v);
    }
    case TokKind::Ident:
      return parseIdentifier();
    case TokKind::LParen: {
      consume();
      ConstExprRef e = parseExpr();
      if (!e)
        return nullptr;
      if (cur.kind != TokKind::RParen)
        return expected("')'");
      consume();
      return e;
    }
    default:
      return expected("an expression");
    }
  }

  ConstExprRef parseIdentifier() {
    std::string name = cur.text;
    size_t column = cur.column;
    if (name == "true" || name == "false") {
      consume();
      return ConstExpr::intLit(name == "true" ? 1 : 0);
    }
    if (isReservedKeyword(name))
      return fail("expected an expression, got keyword '" + name + "'", column);
    consume();
    if (cur.kind != TokKind::LParen)
      return ConstExpr::param(std::move(name));

    unsigned arity = 0;
    if (!ConstExpr::isBuiltin(name, arity))
      return fail("unknown function " + describeText(name), column);
    consume();
    std::vector<ConstExprRef> args;
    if (cur.kind == TokKind::RParen) {
      consume();
    } else {
      while (true) {
        ConstExprRef arg = parseExpr();
        if (!arg)
          return nullptr;
        args.push_back(std::move(arg));
        if (cur.kind == TokKind::Comma) {
          consume();
          continue;
        }
        if (cur.kind == TokKind::RParen) {
          consume();
          break;
        }
        return expected("',' or ')'");
      }
    }
    std::string callError;
    ConstExprRef e = ConstExpr::call(name, std::move(args), &callError);
    if (!e)
      return fail(callError, column);
    return checkDepth(std::move(e), column);
  }

  Lexer lexer;
  size_t nextPos = 0;
  Token cur;
  unsigned nesting = 0;
  bool failed = false;
  std::string error;
  size_t errorColumn = 0;
};
} // namespace

ConstExprParseResult kdsl::parseConstExpr(const std::string &text) {
  return Parser(text).parseAll();
}
