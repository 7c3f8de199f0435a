//===- ConstExprTest.cpp - Tests for kdsl::ConstExpr ----------------------===//
//
// Part of the kdsl project.
//
//===----------------------------------------------------------------------===//

#include "kdsl/Support/ConstExpr.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <map>
#include <random>
#include <string>

using namespace kdsl;

using BinaryOp = ConstExpr::BinaryOp;
using UnaryOp = ConstExpr::UnaryOp;
using Kind = ConstExpr::Kind;

namespace {

constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
constexpr int64_t kMax = std::numeric_limits<int64_t>::max();

ConstExprRef p(const char *name) { return ConstExpr::param(name); }
ConstExprRef lit(int64_t v) { return ConstExpr::intLit(v); }
ConstExprRef bin(BinaryOp op, ConstExprRef l, ConstExprRef r) {
  return ConstExpr::binary(op, std::move(l), std::move(r));
}

ConstExprRef mustParse(const std::string &text) {
  ConstExprParseResult r = parseConstExpr(text);
  EXPECT_TRUE(r) << "parsing `" << text << "`: " << r.error << " at column "
                 << r.column;
  return r.expr;
}

/// Parses \p text and returns its canonical printed form; also checks that the
/// printed form is a fixed point of parse + print.
std::string roundTrip(const std::string &text) {
  ConstExprRef e = mustParse(text);
  if (!e)
    return "<error>";
  std::string printed = e->print();
  ConstExprRef again = mustParse(printed);
  if (!again)
    return "<error>";
  EXPECT_EQ(again->print(), printed) << "from `" << text << "`";
  EXPECT_TRUE(again->isEqual(*e)) << "from `" << text << "`";
  return printed;
}

/// A lookup from a fixed table.
ConstExprLookup table(std::map<std::string, int64_t> values) {
  return [values](const std::string &name) -> std::optional<int64_t> {
    auto it = values.find(name);
    if (it == values.end())
      return std::nullopt;
    return it->second;
  };
}

ConstExprEvalResult evalText(const std::string &text,
                             std::map<std::string, int64_t> values = {}) {
  ConstExprRef e = mustParse(text);
  if (!e)
    return ConstExprEvalResult{false, 0, "parse failed"};
  return evaluateConstExpr(*e, table(std::move(values)));
}

int64_t evalOk(const std::string &text,
               std::map<std::string, int64_t> values = {}) {
  ConstExprEvalResult r = evalText(text, std::move(values));
  EXPECT_TRUE(r.ok) << "evaluating `" << text << "`: " << r.error;
  return r.value;
}

std::string evalError(const std::string &text,
                      std::map<std::string, int64_t> values = {}) {
  ConstExprEvalResult r = evalText(text, std::move(values));
  EXPECT_FALSE(r.ok) << "evaluating `" << text << "` gave " << r.value;
  return r.error;
}

/// Parses \p text, expects an error, and returns "column: message".
std::string parseError(const std::string &text) {
  ConstExprParseResult r = parseConstExpr(text);
  EXPECT_FALSE(r) << "`" << text << "` parsed as `"
                  << (r.expr ? r.expr->print() : "") << "`";
  EXPECT_FALSE(r.error.empty());
  EXPECT_LE(r.column, text.size());
  return std::to_string(r.column) + ": " + r.error;
}

//===----------------------------------------------------------------------===//
// Printing and precedence
//===----------------------------------------------------------------------===//

TEST(ConstExprPrint, MinimalParentheses) {
  EXPECT_EQ(roundTrip("(a + b) * c"), "(a + b) * c");
  EXPECT_EQ(roundTrip("a + b * c"), "a + b * c");
  EXPECT_EQ(roundTrip("a + (b * c)"), "a + b * c");
  EXPECT_EQ(roundTrip("a - (b - c)"), "a - (b - c)");
  EXPECT_EQ(roundTrip("a - b - c"), "a - b - c");
  EXPECT_EQ(roundTrip("(a - b) - c"), "a - b - c");
  EXPECT_EQ(roundTrip("a + (b + c)"), "a + (b + c)");
  EXPECT_EQ(roundTrip("-(a + 1)"), "-(a + 1)");
  EXPECT_EQ(roundTrip("(-a) + 1"), "-a + 1");
  EXPECT_EQ(roundTrip("a / (b * c)"), "a / (b * c)");
  EXPECT_EQ(roundTrip("a * b / c % d"), "a * b / c % d");
  EXPECT_EQ(roundTrip("((((a))))"), "a");
}

TEST(ConstExprPrint, PrecedenceLevels) {
  // || < && < | < ^ < & < ==,!= < <,<=,>,>= < <<,>> < +,- < *,/,% < unary.
  EXPECT_EQ(roundTrip("a || b && c"), "a || b && c");
  EXPECT_EQ(roundTrip("(a || b) && c"), "(a || b) && c");
  EXPECT_EQ(roundTrip("a && b | c"), "a && b | c");
  EXPECT_EQ(roundTrip("(a && b) | c"), "(a && b) | c");
  EXPECT_EQ(roundTrip("a | b ^ c"), "a | b ^ c");
  EXPECT_EQ(roundTrip("(a | b) ^ c"), "(a | b) ^ c");
  EXPECT_EQ(roundTrip("a ^ b & c"), "a ^ b & c");
  EXPECT_EQ(roundTrip("(a ^ b) & c"), "(a ^ b) & c");
  EXPECT_EQ(roundTrip("a & b == c"), "a & b == c");
  EXPECT_EQ(roundTrip("(a & b) == c"), "(a & b) == c");
  EXPECT_EQ(roundTrip("a == b < c"), "a == b < c");
  EXPECT_EQ(roundTrip("(a == b) < c"), "(a == b) < c");
  EXPECT_EQ(roundTrip("a < b << c"), "a < b << c");
  EXPECT_EQ(roundTrip("(a < b) << c"), "(a < b) << c");
  EXPECT_EQ(roundTrip("a << b + c"), "a << b + c");
  EXPECT_EQ(roundTrip("(a << b) + c"), "(a << b) + c");
  EXPECT_EQ(roundTrip("a + b % c"), "a + b % c");
  EXPECT_EQ(roundTrip("(a + b) % c"), "(a + b) % c");
  EXPECT_EQ(roundTrip("a != b >= c"), "a != b >= c");
  EXPECT_EQ(roundTrip("a <= b > c"), "a <= b > c");
  EXPECT_EQ(roundTrip("a >> b"), "a >> b");
}

TEST(ConstExprPrint, UnaryAndCalls) {
  EXPECT_EQ(roundTrip("!a"), "!a");
  EXPECT_EQ(roundTrip("!(a < b)"), "!(a < b)");
  EXPECT_EQ(roundTrip("~a & b"), "~a & b");
  EXPECT_EQ(roundTrip("-~!a"), "-~!a");
  EXPECT_EQ(roundTrip("- - a"), "a");
  EXPECT_EQ(roundTrip("~~a"), "a");
  EXPECT_EQ(roundTrip("!!a"), "!!a");
  EXPECT_EQ(roundTrip("cdiv(M,BM)*cdiv(N , BN)"), "cdiv(M, BM) * cdiv(N, BN)");
  EXPECT_EQ(roundTrip("next_pow2(n_cols)"), "next_pow2(n_cols)");
  EXPECT_EQ(roundTrip("max(min(a, b + 1), 16)"), "max(min(a, b + 1), 16)");
  EXPECT_EQ(roundTrip("-cdiv(a, b)"), "-cdiv(a, b)");
  EXPECT_EQ(roundTrip("BM * BN <= 16384"), "BM * BN <= 16384");
  // A param may be called like a builtin when it is not called.
  EXPECT_EQ(roundTrip("min + max"), "min + max");
}

TEST(ConstExprPrint, Literals) {
  EXPECT_EQ(roundTrip("-3"), "-3");
  EXPECT_EQ(roundTrip("a - -3"), "a - -3");
  EXPECT_EQ(roundTrip("-3 * a"), "-3 * a");
  EXPECT_EQ(roundTrip("a * -(3)"), "a * -3");
  EXPECT_EQ(roundTrip("0x2A"), "42");
  EXPECT_EQ(roundTrip("0X2a + x"), "42 + x");
  EXPECT_EQ(roundTrip("1_000_000"), "1000000");
  EXPECT_EQ(roundTrip("0x_ff_ff"), "65535");
  EXPECT_EQ(roundTrip("007"), "7");
  EXPECT_EQ(roundTrip("true"), "1");
  EXPECT_EQ(roundTrip("false || x"), "0 || x");
  EXPECT_EQ(roundTrip("9223372036854775807"), "9223372036854775807");
  EXPECT_EQ(roundTrip("-9223372036854775808"), "-9223372036854775808");
  EXPECT_EQ(roundTrip("a - -9223372036854775808"), "a - -9223372036854775808");
  EXPECT_EQ(roundTrip("0x7fffffffffffffff"), "9223372036854775807");
}

TEST(ConstExprPrint, BuiltTreesRoundTrip) {
  ConstExprRef a = p("a"), b = p("b"), c = p("c");
  std::vector<ConstExprRef> trees = {
      bin(BinaryOp::Sub, a, bin(BinaryOp::Sub, b, c)),
      bin(BinaryOp::Mul, bin(BinaryOp::Add, a, b), c),
      bin(BinaryOp::Add, a, lit(-5)),
      bin(BinaryOp::Mul, lit(kMin), a),
      bin(BinaryOp::Div, lit(1), lit(0)),
      bin(BinaryOp::Div, lit(kMin), lit(-1)),
      bin(BinaryOp::Shl, lit(1), lit(64)),
      ConstExpr::unary(UnaryOp::Neg, bin(BinaryOp::Div, lit(1), lit(0))),
      ConstExpr::unary(UnaryOp::Not, ConstExpr::unary(UnaryOp::BitNot, a)),
      ConstExpr::call("cdiv", {lit(4), lit(0)}),
      ConstExpr::call("next_pow2", {lit(kMax)}),
      bin(BinaryOp::LogicalOr, bin(BinaryOp::LogicalAnd, a, b),
          bin(BinaryOp::Xor, c, bin(BinaryOp::Or, a, b))),
  };
  for (const ConstExprRef &e : trees) {
    ASSERT_TRUE(e);
    std::string printed = e->print();
    ConstExprRef parsed = mustParse(printed);
    ASSERT_TRUE(parsed);
    EXPECT_EQ(parsed->print(), printed);
    EXPECT_TRUE(parsed->isEqual(*e)) << printed;
  }
  EXPECT_EQ(trees[0]->print(), "a - (b - c)");
  EXPECT_EQ(trees[2]->print(), "a + -5");
  EXPECT_EQ(trees[4]->print(), "1 / 0");
  EXPECT_EQ(trees[7]->print(), "-(1 / 0)");
  EXPECT_EQ(trees[9]->print(), "cdiv(4, 0)");
}

TEST(ConstExprPrint, StructurallyEqualTreesPrintIdentically) {
  ConstExprRef x = bin(BinaryOp::Mul, bin(BinaryOp::Add, p("a"), lit(1)),
                       ConstExpr::call("max", {p("b"), lit(2)}));
  ConstExprRef y = bin(BinaryOp::Mul, bin(BinaryOp::Add, p("a"), lit(1)),
                       ConstExpr::call("max", {p("b"), lit(2)}));
  EXPECT_NE(x, y);
  EXPECT_TRUE(x->isEqual(*y));
  EXPECT_EQ(x->print(), y->print());
  EXPECT_FALSE(x->isEqual(*p("a")));
}

//===----------------------------------------------------------------------===//
// Builders and folding
//===----------------------------------------------------------------------===//

TEST(ConstExprBuild, FoldsConstants) {
  ConstExprRef e =
      bin(BinaryOp::Add, lit(2), bin(BinaryOp::Mul, lit(3), lit(4)));
  ASSERT_TRUE(e->isConstant());
  EXPECT_EQ(e->getConstant(), 14);
  EXPECT_EQ(e->getKind(), Kind::Int);

  EXPECT_EQ(mustParse("1 + 2 * 3 - 4")->getConstant(), 3);
  EXPECT_EQ(mustParse("cdiv(1000, 128) * next_pow2(100)")->getConstant(),
            8 * 128);
  EXPECT_EQ(mustParse("128 * 128 <= 16384 && true")->getConstant(), 1);
  EXPECT_EQ(mustParse("-(2 + 3)")->getConstant(), -5);
  EXPECT_EQ(mustParse("~0")->getConstant(), -1);
  EXPECT_EQ(mustParse("!5")->getConstant(), 0);
  EXPECT_EQ(mustParse("!0")->getConstant(), 1);
}

TEST(ConstExprBuild, Identities) {
  ConstExprRef x = p("x");
  EXPECT_EQ(bin(BinaryOp::Add, x, lit(0)), x);
  EXPECT_EQ(bin(BinaryOp::Add, lit(0), x), x);
  EXPECT_EQ(bin(BinaryOp::Sub, x, lit(0)), x);
  EXPECT_EQ(bin(BinaryOp::Mul, x, lit(1)), x);
  EXPECT_EQ(bin(BinaryOp::Mul, lit(1), x), x);
  EXPECT_EQ(bin(BinaryOp::Div, x, lit(1)), x);
  EXPECT_EQ(bin(BinaryOp::Shl, x, lit(0)), x);
  EXPECT_EQ(bin(BinaryOp::Mul, x, lit(0))->print(), "0");
  EXPECT_EQ(bin(BinaryOp::Mul, lit(0), x)->print(), "0");
  EXPECT_EQ(bin(BinaryOp::LogicalAnd, lit(0), x)->print(), "0");
  EXPECT_EQ(bin(BinaryOp::LogicalOr, lit(7), x)->print(), "1");
  EXPECT_EQ(ConstExpr::call("min", {x, p("x")})->print(), "x");
  EXPECT_EQ(ConstExpr::call("max", {x, x})->print(), "x");
  EXPECT_EQ(ConstExpr::call("max", {x, p("y")})->print(), "max(x, y)");
  // Not identities.
  EXPECT_EQ(bin(BinaryOp::Sub, lit(0), x)->print(), "0 - x");
  EXPECT_EQ(bin(BinaryOp::Div, lit(1), x)->print(), "1 / x");
  EXPECT_EQ(mustParse("x + 0 * y")->print(), "x");
  EXPECT_EQ(mustParse("BM / 2")->print(), "BM / 2");
}

TEST(ConstExprBuild, ErroneousFoldsStaySymbolic) {
  for (const char *text :
       {"1 / 0", "1 % 0", "-9223372036854775808 / -1", "1 << 64", "1 >> -1",
        "cdiv(5, 0)", "cdiv(5, -2)", "next_pow2(4611686018427387905)"}) {
    ConstExprRef e = mustParse(text);
    ASSERT_TRUE(e) << text;
    EXPECT_FALSE(e->isConstant()) << text;
    EXPECT_FALSE(evaluateConstExpr(*e, nullptr).ok) << text;
  }
  // An erroneous subtree keeps its parents symbolic too.
  ConstExprRef e = mustParse("(1 / 0) + 2");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->print(), "1 / 0 + 2");
  EXPECT_FALSE(e->isConstant());
}

TEST(ConstExprBuild, Accessors) {
  ConstExprRef e = mustParse("-a + cdiv(b, 4)");
  ASSERT_TRUE(e);
  ASSERT_EQ(e->getKind(), Kind::Binary);
  EXPECT_EQ(e->getBinaryOp(), BinaryOp::Add);
  const ConstExprRef &lhs = e->getLHS();
  ASSERT_EQ(lhs->getKind(), Kind::Unary);
  EXPECT_EQ(lhs->getUnaryOp(), UnaryOp::Neg);
  EXPECT_EQ(lhs->getOperand()->getKind(), Kind::Param);
  EXPECT_EQ(lhs->getOperand()->getName(), "a");
  const ConstExprRef &rhs = e->getRHS();
  ASSERT_EQ(rhs->getKind(), Kind::Call);
  EXPECT_EQ(rhs->getName(), "cdiv");
  ASSERT_EQ(rhs->getArgs().size(), 2u);
  EXPECT_EQ(rhs->getArgs()[1]->getConstant(), 4);
  EXPECT_EQ(e->getChildren().size(), 2u);
  EXPECT_EQ(e->getDepth(), 3u);
  EXPECT_TRUE(p("q")->getChildren().empty());
  EXPECT_STREQ(ConstExpr::getOpSpelling(BinaryOp::Shl), "<<");
  EXPECT_STREQ(ConstExpr::getOpSpelling(UnaryOp::BitNot), "~");
  EXPECT_LT(ConstExpr::getPrecedence(BinaryOp::LogicalOr),
            ConstExpr::getPrecedence(BinaryOp::LogicalAnd));
}

TEST(ConstExprBuild, CallValidation) {
  unsigned arity = 0;
  EXPECT_TRUE(ConstExpr::isBuiltin("next_pow2", arity));
  EXPECT_EQ(arity, 1u);
  EXPECT_TRUE(ConstExpr::isBuiltin("cdiv", arity));
  EXPECT_EQ(arity, 2u);
  EXPECT_TRUE(ConstExpr::isBuiltin("min", arity));
  EXPECT_TRUE(ConstExpr::isBuiltin("max", arity));
  EXPECT_FALSE(ConstExpr::isBuiltin("exp", arity));

  std::string error;
  EXPECT_EQ(ConstExpr::call("foo", {p("x")}, &error), nullptr);
  EXPECT_EQ(error, "unknown function 'foo'");
  EXPECT_EQ(ConstExpr::call("cdiv", {p("x")}, &error), nullptr);
  EXPECT_EQ(error, "cdiv takes 2 arguments, got 1");
  EXPECT_EQ(ConstExpr::call("next_pow2", {p("x"), p("y")}, &error), nullptr);
  EXPECT_EQ(error, "next_pow2 takes 1 argument, got 2");
  EXPECT_EQ(ConstExpr::call("min", {p("x"), nullptr}, &error), nullptr);
  EXPECT_FALSE(error.empty());
  EXPECT_EQ(ConstExpr::call("min", {}), nullptr);
  EXPECT_EQ(ConstExpr::unary(UnaryOp::Neg, nullptr), nullptr);
  EXPECT_EQ(bin(BinaryOp::Add, p("x"), nullptr), nullptr);
}

//===----------------------------------------------------------------------===//
// Evaluation
//===----------------------------------------------------------------------===//

TEST(ConstExprEval, CDivisionAndRemainder) {
  EXPECT_EQ(evalOk("7 / 2"), 3);
  EXPECT_EQ(evalOk("-7 / 2"), -3);
  EXPECT_EQ(evalOk("7 / -2"), -3);
  EXPECT_EQ(evalOk("-7 / -2"), 3);
  EXPECT_EQ(evalOk("7 % 3"), 1);
  EXPECT_EQ(evalOk("-7 % 3"), -1);
  EXPECT_EQ(evalOk("7 % -3"), 1);
  EXPECT_EQ(evalOk("-7 % -3"), -1);
  EXPECT_EQ(evalOk("a / b", {{"a", -9}, {"b", 4}}), -2);
  EXPECT_EQ(evalOk("a % b", {{"a", -9}, {"b", 4}}), -1);
  EXPECT_EQ(evalOk("-9223372036854775808 % -1"), 0);
  EXPECT_EQ(evalOk("-9223372036854775808 / 1"), kMin);
}

TEST(ConstExprEval, Operators) {
  EXPECT_EQ(evalOk("1 << 10"), 1024);
  EXPECT_EQ(evalOk("1 << 63"), kMin);
  EXPECT_EQ(evalOk("-16 >> 2"), -4);
  EXPECT_EQ(evalOk("-1 >> 63"), -1);
  EXPECT_EQ(evalOk("1024 >> 3"), 128);
  EXPECT_EQ(evalOk("6 & 3"), 2);
  EXPECT_EQ(evalOk("6 | 3"), 7);
  EXPECT_EQ(evalOk("6 ^ 3"), 5);
  EXPECT_EQ(evalOk("~5"), -6);
  EXPECT_EQ(evalOk("!x", {{"x", 3}}), 0);
  EXPECT_EQ(evalOk("!x", {{"x", 0}}), 1);
  EXPECT_EQ(evalOk("3 && 4"), 1);
  EXPECT_EQ(evalOk("3 && 0"), 0);
  EXPECT_EQ(evalOk("0 || -2"), 1);
  EXPECT_EQ(evalOk("0 || 0"), 0);
  EXPECT_EQ(evalOk("2 == 2"), 1);
  EXPECT_EQ(evalOk("2 != 2"), 0);
  EXPECT_EQ(evalOk("1 < 2"), 1);
  EXPECT_EQ(evalOk("2 <= 2"), 1);
  EXPECT_EQ(evalOk("1 > 2"), 0);
  EXPECT_EQ(evalOk("1 >= 2"), 0);
  // Wraparound, as for i64 in kdsl.
  EXPECT_EQ(evalOk("9223372036854775807 + 1"), kMin);
  EXPECT_EQ(evalOk("-(-9223372036854775808)"), kMin);
  EXPECT_EQ(evalOk("a * a", {{"a", int64_t(1) << 32}}), 0);
  // Short-circuiting hides errors on the unevaluated side.
  EXPECT_EQ(evalOk("x && 1 / 0", {{"x", 0}}), 0);
  EXPECT_EQ(evalOk("x || 1 / 0", {{"x", 5}}), 1);
}

TEST(ConstExprEval, Builtins) {
  EXPECT_EQ(evalOk("cdiv(10, 3)"), 4);
  EXPECT_EQ(evalOk("cdiv(9, 3)"), 3);
  EXPECT_EQ(evalOk("cdiv(0, 3)"), 0);
  EXPECT_EQ(evalOk("cdiv(1, 128)"), 1);
  EXPECT_EQ(evalOk("cdiv(-7, 2)"), -3);
  EXPECT_EQ(evalOk("cdiv(9223372036854775807, 2)"), int64_t(1) << 62);
  EXPECT_EQ(evalOk("cdiv(M, BM) * cdiv(N, BN)",
                   {{"M", 1000}, {"BM", 128}, {"N", 513}, {"BN", 64}}),
            8 * 9);
  EXPECT_EQ(evalOk("next_pow2(0)"), 1);
  EXPECT_EQ(evalOk("next_pow2(-5)"), 1);
  EXPECT_EQ(evalOk("next_pow2(1)"), 1);
  EXPECT_EQ(evalOk("next_pow2(2)"), 2);
  EXPECT_EQ(evalOk("next_pow2(3)"), 4);
  EXPECT_EQ(evalOk("next_pow2(1000)"), 1024);
  EXPECT_EQ(evalOk("next_pow2(1024)"), 1024);
  EXPECT_EQ(evalOk("next_pow2(4611686018427387904)"), int64_t(1) << 62);
  EXPECT_EQ(evalOk("next_pow2(n_cols)", {{"n_cols", 781}}), 1024);
  EXPECT_EQ(evalOk("min(3, -4)"), -4);
  EXPECT_EQ(evalOk("max(3, -4)"), 3);
  EXPECT_EQ(evalOk("min(BLOCK, 1024)", {{"BLOCK", 4096}}), 1024);
}

TEST(ConstExprEval, Errors) {
  EXPECT_EQ(evalError("a / b", {{"a", 1}, {"b", 0}}),
            "division by zero in `a / b`");
  EXPECT_EQ(evalError("1 % (x - 2)", {{"x", 2}}),
            "division by zero in `1 % (x - 2)`");
  EXPECT_EQ(evalError("1 / 0"), "division by zero in `1 / 0`");
  EXPECT_EQ(evalError("a / -1", {{"a", kMin}}),
            "division overflow in `a / -1`");
  EXPECT_EQ(evalError("1 << s", {{"s", 64}}),
            "shift amount 64 is out of range in `1 << s`");
  EXPECT_EQ(evalError("1 >> s", {{"s", -1}}),
            "shift amount -1 is out of range in `1 >> s`");
  EXPECT_EQ(evalError("cdiv(n, b)", {{"n", 10}, {"b", 0}}),
            "cdiv divisor must be positive, got 0");
  EXPECT_EQ(evalError("cdiv(n, -3)", {{"n", 10}}),
            "cdiv divisor must be positive, got -3");
  EXPECT_EQ(evalError("next_pow2(x)", {{"x", (int64_t(1) << 62) + 1}}),
            "next_pow2(x) overflows for x = 4611686018427387905");
  EXPECT_EQ(evalError("next_pow2(x)", {{"x", kMax}}),
            "next_pow2(x) overflows for x = 9223372036854775807");
  EXPECT_EQ(evalError("x + y", {{"x", 1}}), "no value for parameter 'y'");
  // The first error in evaluation order wins.
  EXPECT_EQ(evalError("1 / 0 + q"), "division by zero in `1 / 0`");
  // An empty lookup knows nothing.
  ConstExprRef e = mustParse("BLOCK * 2");
  ConstExprEvalResult r = evaluateConstExpr(*e, nullptr);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.error, "no value for parameter 'BLOCK'");
}

//===----------------------------------------------------------------------===//
// substitute() and params()
//===----------------------------------------------------------------------===//

TEST(ConstExprSubstitute, Partial) {
  ConstExprRef e = mustParse("cdiv(M, BM) * cdiv(N, BN)");
  ASSERT_TRUE(e);
  ConstExprRef s = e->substitute(table({{"BM", 128}, {"BN", 64}}));
  EXPECT_EQ(s->print(), "cdiv(M, 128) * cdiv(N, 64)");
  ConstExprRef full = s->substitute(table({{"M", 1000}, {"N", 100}}));
  ASSERT_TRUE(full->isConstant());
  EXPECT_EQ(full->getConstant(), 8 * 2);

  ConstExprRef w = mustParse("BM * BN <= 16384 && num_warps >= 4");
  EXPECT_EQ(w->substitute(table({{"BM", 128}}))->print(),
            "128 * BN <= 16384 && num_warps >= 4");
  EXPECT_EQ(w->substitute(table({{"BM", 256}, {"BN", 128}}))->print(), "0");

  // Identities apply after substitution.
  EXPECT_EQ(
      mustParse("a * b + c")->substitute(table({{"b", 1}, {"c", 0}}))->print(),
      "a");
}

TEST(ConstExprSubstitute, UnchangedReturnsSameNode) {
  ConstExprRef e = mustParse("x + y * 2");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->substitute(table({{"z", 1}})), e);
  EXPECT_EQ(e->substitute(nullptr), e);
}

TEST(ConstExprSubstitute, ErrorsStaySymbolic) {
  ConstExprRef e = mustParse("n / d");
  ConstExprRef s = e->substitute(table({{"n", 4}, {"d", 0}}));
  EXPECT_EQ(s->print(), "4 / 0");
  ConstExprEvalResult r = evaluateConstExpr(*s, nullptr);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.error, "division by zero in `4 / 0`");
}

TEST(ConstExprParams, FirstAppearanceOrder) {
  ConstExprRef e = mustParse("cdiv(M, BM) * cdiv(N, BM) + M - K");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->params(), (std::vector<std::string>{"M", "BM", "N", "K"}));
  EXPECT_TRUE(mustParse("1 + 2")->params().empty());
  EXPECT_EQ(mustParse("-x")->params(), std::vector<std::string>{"x"});
}

//===----------------------------------------------------------------------===//
// Parse errors
//===----------------------------------------------------------------------===//

TEST(ConstExprParse, Errors) {
  EXPECT_EQ(parseError(""), "0: expected an expression, got end of input");
  EXPECT_EQ(parseError("   "), "3: expected an expression, got end of input");
  EXPECT_EQ(parseError("a +"), "3: expected an expression, got end of input");
  EXPECT_EQ(parseError("a + * b"), "4: expected an expression, got '*'");
  EXPECT_EQ(parseError("(a + b"), "6: expected ')', got end of input");
  EXPECT_EQ(parseError("(a + b c"), "7: expected ')', got 'c'");
  EXPECT_EQ(parseError("a b"), "2: unexpected 'b' after expression");
  EXPECT_EQ(parseError("a + b)"), "5: unexpected ')' after expression");
  EXPECT_EQ(parseError("foo(1)"), "0: unknown function 'foo'");
  EXPECT_EQ(parseError("2 * exp(x)"), "4: unknown function 'exp'");
  EXPECT_EQ(parseError("cdiv(1)"), "0: cdiv takes 2 arguments, got 1");
  EXPECT_EQ(parseError("x + next_pow2(1, 2)"),
            "4: next_pow2 takes 1 argument, got 2");
  EXPECT_EQ(parseError("min()"), "0: min takes 2 arguments, got 0");
  EXPECT_EQ(parseError("max(1,)"), "6: expected an expression, got ')'");
  EXPECT_EQ(parseError("max(1 2)"), "6: expected ',' or ')', got '2'");
  EXPECT_EQ(parseError("a $ b"), "2: unexpected character '$'");
  EXPECT_EQ(parseError("a = b"), "2: unexpected '='; did you mean '=='?");
  EXPECT_EQ(parseError("1.5 * a"),
            "0: floating-point literal '1.5' is not allowed in an integer "
            "constant expression");
  EXPECT_EQ(parseError("12ab"), "0: invalid integer literal '12ab'");
  EXPECT_EQ(parseError("1e5"), "0: invalid integer literal '1e5'");
  EXPECT_EQ(parseError("0x"), "0: invalid integer literal '0x'");
  EXPECT_EQ(parseError("0xg1"), "0: invalid integer literal '0xg1'");
  EXPECT_EQ(parseError("1_"), "0: invalid integer literal '1_'");
  EXPECT_EQ(parseError("let + 1"),
            "0: expected an expression, got keyword 'let'");
  EXPECT_EQ(parseError("x\xff"), "1: unexpected character '\\xFF'");
  EXPECT_EQ(parseError("(a))"), "3: unexpected ')' after expression");
  EXPECT_EQ(parseError("a ! b"), "2: unexpected '!' after expression");
}

TEST(ConstExprParse, IntegerOverflow) {
  EXPECT_EQ(parseError("9223372036854775808"),
            "0: integer literal '9223372036854775808' is too large for i64");
  EXPECT_EQ(parseError("1 + 99999999999999999999999"),
            "4: integer literal '99999999999999999999999' is too large for "
            "i64");
  EXPECT_EQ(parseError("0x8000000000000000"),
            "0: integer literal '0x8000000000000000' is too large for i64");
  EXPECT_EQ(parseError("-9223372036854775809"),
            "1: integer literal '9223372036854775809' is too large for i64");
  EXPECT_EQ(parseError("a - 9223372036854775808"),
            "4: integer literal '9223372036854775808' is too large for i64");
  EXPECT_EQ(mustParse("-0x8000000000000000")->getConstant(), kMin);
  EXPECT_EQ(mustParse("-9_223_372_036_854_775_808")->getConstant(), kMin);
}

TEST(ConstExprParse, NestingLimit) {
  std::string ok = std::string(200, '(') + "a" + std::string(200, ')');
  EXPECT_TRUE(parseConstExpr(ok));
  std::string deep = std::string(300, '(') + "a" + std::string(300, ')');
  ConstExprParseResult r = parseConstExpr(deep);
  EXPECT_FALSE(r);
  EXPECT_NE(r.error.find("nested too deeply"), std::string::npos) << r.error;
  EXPECT_EQ(r.column, 256u);

  ConstExprParseResult unary = parseConstExpr(std::string(100000, '-') + "a");
  EXPECT_FALSE(unary);
  EXPECT_NE(unary.error.find("nested too deeply"), std::string::npos);

  // A long flat chain builds a deep tree; it is rejected too.
  std::string chain = "a";
  for (int i = 0; i < 1000; ++i)
    chain += " + a";
  ConstExprParseResult c = parseConstExpr(chain);
  EXPECT_FALSE(c);
  EXPECT_NE(c.error.find("nested too deeply"), std::string::npos);

  // A long chain that folds stays shallow and is fine.
  std::string sum = "1";
  for (int i = 0; i < 10000; ++i)
    sum += " + 1";
  ConstExprRef s = mustParse(sum);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->getConstant(), 10001);

  std::string calls;
  for (int i = 0; i < 400; ++i)
    calls += "min(";
  calls += "a";
  for (int i = 0; i < 400; ++i)
    calls += ", 1)";
  EXPECT_FALSE(parseConstExpr(calls));
}

TEST(ConstExprParse, Whitespace) {
  EXPECT_EQ(roundTrip(" \t\n a\r\n*\tb "), "a * b");
  EXPECT_EQ(roundTrip("a<<b"), "a << b");
  EXPECT_EQ(parseError("a< <b"), "3: expected an expression, got '<'");
}

TEST(ConstExprParse, GarbageDoesNotCrash) {
  const char *inputs[] = {
      "((((",  "))))",      ",,,",         "cdiv(", "cdiv(,",  "min(1,2,3",
      "-",     "!",         "~~~~",        "0x_",   "_",       "__a__",
      "&&||",  "a ? b : c", "a[0]",        "a.b",   "\"str\"", "/* c */ 1",
      "1 2 3", "next_pow2", "next_pow2()", "()",    "( )",     "-(",
      "x(",    "1__0",      "0x0x1",       "\0",    "é",       "a +\n",
  };
  for (const char *input : inputs) {
    ConstExprParseResult r = parseConstExpr(input);
    if (r) {
      EXPECT_EQ(mustParse(r.expr->print())->print(), r.expr->print());
    } else {
      EXPECT_LE(r.column, std::string(input).size());
    }
  }

  // Random strings over an alphabet rich in syntax.
  const std::string alphabet = "()+-*/%<>=!&|^~,_ 0123456789xabXAB\t.$";
  std::mt19937 rng(12345);
  unsigned parsedCount = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string s;
    size_t len = rng() % 24;
    for (size_t j = 0; j < len; ++j)
      s += alphabet[rng() % alphabet.size()];
    if (rng() % 8 == 0)
      s.insert(s.begin() + (s.empty() ? 0 : rng() % s.size()),
               static_cast<char>(rng() % 256));
    ConstExprParseResult r = parseConstExpr(s);
    if (!r) {
      EXPECT_LE(r.column, s.size()) << s;
      EXPECT_FALSE(r.error.empty()) << s;
      continue;
    }
    ++parsedCount;
    std::string printed = r.expr->print();
    ConstExprParseResult again = parseConstExpr(printed);
    ASSERT_TRUE(again) << "`" << s << "` printed as `" << printed
                       << "`: " << again.error;
    EXPECT_EQ(again.expr->print(), printed) << s;
    // Evaluation never crashes either; values for every param.
    (void)evaluateConstExpr(*r.expr, [](const std::string &name) {
      return std::optional<int64_t>(static_cast<int64_t>(name.size()) - 2);
    });
    (void)r.expr->substitute(
        [](const std::string &) { return std::optional<int64_t>(0); });
  }
  EXPECT_GT(parsedCount, 100u);
}

TEST(ConstExprParse, RandomTreesRoundTrip) {
  // Random well-formed expressions over the whole grammar must print in a
  // canonical form that parses back to an equal tree.
  std::mt19937 rng(777);
  const char *binOps[] = {"+", "-",  "*",  "/",  "%",  "<<", ">>", "&", "|",
                          "^", "&&", "||", "==", "!=", "<",  "<=", ">", ">="};
  const char *leaves[] = {"a", "b", "c", "0", "1", "2", "-3", "64", "true"};
  std::function<std::string(int)> gen = [&](int depth) -> std::string {
    unsigned pick = depth <= 0 ? 0 : rng() % 6;
    switch (pick) {
    case 0:
    case 1:
      return leaves[rng() % 9];
    case 2: {
      const char *un[] = {"-", "!", "~"};
      return std::string(un[rng() % 3]) + "(" + gen(depth - 1) + ")";
    }
    case 3: {
      const char *fns[] = {"min", "max", "cdiv"};
      if (rng() % 4 == 0)
        return "next_pow2(" + gen(depth - 1) + ")";
      return std::string(fns[rng() % 3]) + "(" + gen(depth - 1) + ", " +
             gen(depth - 1) + ")";
    }
    default:
      return "(" + gen(depth - 1) + ") " + binOps[rng() % 18] + " (" +
             gen(depth - 1) + ")";
    }
  };
  for (int i = 0; i < 3000; ++i) {
    std::string text = gen(5);
    ConstExprRef e = mustParse(text);
    ASSERT_TRUE(e) << text;
    std::string printed = e->print();
    ConstExprRef again = mustParse(printed);
    ASSERT_TRUE(again) << printed;
    EXPECT_EQ(again->print(), printed) << text;
    EXPECT_TRUE(again->isEqual(*e)) << text << " -> " << printed;
    // Parsing the printed form must not change the value either.
    auto lookup = table({{"a", 5}, {"b", -7}, {"c", 3}});
    ConstExprEvalResult r1 = evaluateConstExpr(*e, lookup);
    ConstExprEvalResult r2 = evaluateConstExpr(*again, lookup);
    EXPECT_EQ(r1.ok, r2.ok) << text;
    if (r1.ok && r2.ok) {
      EXPECT_EQ(r1.value, r2.value) << text;
    }
  }
}

} // namespace
