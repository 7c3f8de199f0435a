//===- SemaTest.cpp - Tests for the semantic analysis of .kdsl ------------===//
//
// Part of the kdsl project.
//
// Small sources through kdsl::runFrontend: the types and shapes Sema infers,
// literal typing, compile-time values, the kernel attributes it collects,
// fn instantiation, and the errors it reports.
//
//===----------------------------------------------------------------------===//

#include "kdsl/Frontend/AST.h"
#include "kdsl/Frontend/Compiler.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Location.h"
#include "mlir/IR/MLIRContext.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <optional>
#include <string>
#include <vector>

using namespace kdsl;
using namespace kdsl::ast;

namespace {

/// Runs the front end on one source and keeps what it produced, and every
/// diagnostic as `line:col: message`.
class SemaTest : public ::testing::Test {
protected:
  SemaTest()
      : handler(&context, [this](mlir::Diagnostic &diag) {
          std::string text;
          if (auto loc =
                  mlir::dyn_cast<mlir::FileLineColLoc>(diag.getLocation()))
            text = std::to_string(loc.getLine()) + ":" +
                   std::to_string(loc.getColumn()) + ": ";
          text += diag.str();
          if (diag.getSeverity() == mlir::DiagnosticSeverity::Error)
            errors.push_back(text);
          return mlir::success();
        }) {}

  /// The checked AST, or null after errors.
  const Module *compile(const std::string &source, bool emitIR = false) {
    errors.clear();
    result.emplace(runFrontend(source, "test.kdsl", context, emitIR));
    if (failed(*result))
      return nullptr;
    return (*result)->ast.get();
  }

  /// Compiles `source`, expecting success.
  const Module &mustCompile(const std::string &source) {
    const Module *module = compile(source);
    EXPECT_NE(module, nullptr) << "errors: " << joinedErrors();
    static const Module empty;
    return module ? *module : empty;
  }

  std::string joinedErrors() const {
    std::string all;
    for (const std::string &e : errors)
      all += e + "\n";
    return all;
  }

  /// Compiles `source`, expecting it to fail with an error whose text is
  /// exactly `expected` (`line:col: message`).
  void expectError(const std::string &source, const std::string &expected) {
    EXPECT_EQ(compile(source), nullptr) << "compiled without errors";
    ASSERT_TRUE(result.has_value());
    EXPECT_TRUE(failed(*result));
    EXPECT_NE(std::find(errors.begin(), errors.end(), expected), errors.end())
        << "expected: " << expected << "\ngot:\n"
        << joinedErrors();
  }

  mlir::MLIRContext context;
  std::vector<std::string> errors;
  mlir::ScopedDiagnosticHandler handler;
  std::optional<llvm::FailureOr<FrontendResult>> result;
};

const KernelDecl *findKernel(const Module &module, const std::string &name) {
  for (const auto &k : module.kernels)
    if (k->name == name)
      return k.get();
  return nullptr;
}

/// Visits statements depth first, through loop, if and block bodies.
void walkStmts(const std::vector<StmtPtr> &stmts,
               const std::function<void(const Stmt &)> &fn) {
  for (const StmtPtr &s : stmts) {
    fn(*s);
    walkStmts(s->body, fn);
    walkStmts(s->elseBody, fn);
  }
}

/// The variable of the first `let` (or loop index) named `name` in `kernel`.
const Var *findLet(const KernelDecl &kernel, const std::string &name) {
  const Var *found = nullptr;
  walkStmts(kernel.body, [&](const Stmt &s) {
    if (!found && s.decl && s.name == name)
      found = s.decl.get();
  });
  return found;
}

/// The type string of binding `name` in the only kernel of `module`.
std::string letType(const Module &module, const std::string &name) {
  if (module.kernels.size() != 1)
    return "<no single kernel>";
  const Var *var = findLet(*module.kernels[0], name);
  return var ? var->type.str() : "<no let " + name + ">";
}

/// The compile-time value of binding `name`, printed, or "<none>".
std::string letValue(const Module &module, const std::string &name) {
  if (module.kernels.size() != 1)
    return "<no single kernel>";
  const Var *var = findLet(*module.kernels[0], name);
  if (!var)
    return "<no let " + name + ">";
  return var->constValue ? var->constValue->print() : "<none>";
}

/// The initializer of binding `name`.
const Expr *letInit(const Module &module, const std::string &name) {
  const Expr *found = nullptr;
  walkStmts(module.kernels[0]->body, [&](const Stmt &s) {
    if (!found && s.kind == Stmt::Kind::Let && s.name == name)
      found = s.value.get();
  });
  return found;
}

//===----------------------------------------------------------------------===//
// Types and shapes
//===----------------------------------------------------------------------===//

TEST_F(SemaTest, LetBindingsGetInferredTypesAndSymbolicDims) {
  const Module &m = mustCompile(R"(
kernel k(x: *f32, n: i32, BLOCK: const i32, BM: const i32, BN: const i32) {
    let pid = program_id(0);
    let offs = pid * BLOCK + arange(0, BLOCK);
    let mask = offs < n;
    let v = load(x + offs, mask, 0.0);
    let ptrs = x + offs;
    let acc = zeros([BM, BN], f32);
    let total = sum(v, 0);
    let best = argmax(v, 0);
}
)");
  EXPECT_EQ(letType(m, "pid"), "i32");
  EXPECT_EQ(letType(m, "offs"), "i32[BLOCK]");
  EXPECT_EQ(letType(m, "mask"), "bool[BLOCK]");
  EXPECT_EQ(letType(m, "v"), "f32[BLOCK]");
  EXPECT_EQ(letType(m, "ptrs"), "*f32[BLOCK]");
  EXPECT_EQ(letType(m, "acc"), "f32[BM, BN]");
  EXPECT_EQ(letType(m, "total"), "f32");
  EXPECT_EQ(letType(m, "best"), "i32");
}

TEST_F(SemaTest, NumPyBroadcasting) {
  const Module &m = mustCompile(R"(
kernel k(p: *f32, s: f32, BM: const i32, BN: const i32, B: const i32) {
    let grid = arange(0, BM)[:, None] + arange(0, BN)[None, :];
    let col_row = zeros([16, 1], f32) * zeros([32], f32);
    let splat = zeros([8, 4], f32) + s;
    let three = zeros([2, 1, 8], f32) + zeros([4, 1], f32);
    let one_stretches = zeros([B], f32) + zeros([1], f32);
    let cmp = arange(0, BM)[:, None] < arange(0, BN)[None, :];
}
)");
  EXPECT_EQ(letType(m, "grid"), "i32[BM, BN]");
  EXPECT_EQ(letType(m, "col_row"), "f32[16, 32]");
  EXPECT_EQ(letType(m, "splat"), "f32[8, 4]");
  EXPECT_EQ(letType(m, "three"), "f32[2, 4, 8]");
  // A symbolic dimension is never the size-1 side of a broadcast.
  EXPECT_EQ(letType(m, "one_stretches"), "f32[B]");
  EXPECT_EQ(letType(m, "cmp"), "bool[BM, BN]");
}

TEST_F(SemaTest, ReductionsRemoveTheAxis) {
  const Module &m = mustCompile(R"(
kernel k(p: *f32) {
    let x = zeros([16, 32], f32);
    let rows = sum(x, 1);
    let cols = max(x, 0);
    let idx = argmin(x, 1);
    let t = trans(x);
    let r = reshape(x, [32, 16]);
    let b = broadcast_to(zeros([1, 32], f32), [16, 32]);
}
)");
  EXPECT_EQ(letType(m, "rows"), "f32[16]");
  EXPECT_EQ(letType(m, "cols"), "f32[32]");
  EXPECT_EQ(letType(m, "idx"), "i32[16]");
  EXPECT_EQ(letType(m, "t"), "f32[32, 16]");
  EXPECT_EQ(letType(m, "r"), "f32[32, 16]");
  EXPECT_EQ(letType(m, "b"), "f32[16, 32]");
}

TEST_F(SemaTest, DotGivesF32OfMByN) {
  const Module &m = mustCompile(R"(
kernel k(p: *f16, BM: const i32, BN: const i32, BK: const i32) {
    let a = zeros([BM, BK], f16);
    let b = zeros([BK, BN], f16);
    let c = dot(a, b);
    let d = dot(zeros([32, 16], bf16), zeros([16, 64], bf16), zeros([32, 64], f32));
}
)");
  EXPECT_EQ(letType(m, "c"), "f32[BM, BN]");
  EXPECT_EQ(letType(m, "d"), "f32[32, 64]");
}

TEST_F(SemaTest, AnnotationSplatsAScalarInitializer) {
  const Module &m = mustCompile(R"(
kernel k(p: *f32, BM: const i32) {
    let mut acc: f32[BM, 16] = 0.0;
    let wide: i64 = 7;
}
)");
  EXPECT_EQ(letType(m, "acc"), "f32[BM, 16]");
  EXPECT_EQ(letType(m, "wide"), "i64");
  EXPECT_EQ(letInit(m, "wide")->type.str(), "i64");
}

TEST_F(SemaTest, ShadowingInANestedBlockKeepsTheOuterBinding) {
  const Module &m = mustCompile(R"(
kernel k(p: *f32, n: i32) {
    let x = 1;
    {
        let x = 2.0;
        store(p, x);
    }
    store(p + x, 3.0);
}
)");
  const KernelDecl &k = *m.kernels[0];
  std::vector<std::string> types;
  walkStmts(k.body, [&](const Stmt &s) {
    if (s.kind == Stmt::Kind::Let && s.name == "x")
      types.push_back(s.decl->type.str());
  });
  EXPECT_EQ(types, (std::vector<std::string>{"i32", "f32"}));
  // The last store adds the outer, integer x to a pointer.
  const Expr &store = *k.body.back()->value;
  EXPECT_EQ(store.operands[0]->type.str(), "*f32");
  EXPECT_EQ(store.operands[0]->operands[1]->var->type.str(), "i32");
}

//===----------------------------------------------------------------------===//
// Literal typing
//===----------------------------------------------------------------------===//

TEST_F(SemaTest, LiteralsTakeTheTypeOfTheOperandTheyMeet) {
  const Module &m = mustCompile(R"(
kernel k(p: *f16, q: *i64, r: *i8) {
    let x = load(p);
    let half = x * 0.5;
    let plus_int = x + 2;
    let left = 1.0 - x;
    let neg = -1 * x;
    let wide = load(q) << 3;
    let small = load(r) + 1;
    let both = 1 + 2.5;
    let alone_int = 7;
    let alone_float = 7.0;
}
)");
  EXPECT_EQ(letType(m, "half"), "f16");
  EXPECT_EQ(letInit(m, "half")->operands[1]->type.str(), "f16");
  EXPECT_EQ(letType(m, "plus_int"), "f16");
  EXPECT_EQ(letInit(m, "plus_int")->operands[1]->type.str(), "f16");
  EXPECT_EQ(letType(m, "left"), "f16");
  EXPECT_EQ(letType(m, "neg"), "f16");
  EXPECT_EQ(letInit(m, "neg")->operands[0]->type.str(), "f16");
  EXPECT_EQ(letType(m, "wide"), "i64");
  EXPECT_EQ(letType(m, "small"), "i8");
  EXPECT_EQ(letType(m, "both"), "f32");
  EXPECT_EQ(letInit(m, "both")->operands[0]->type.str(), "f32");
  EXPECT_EQ(letType(m, "alone_int"), "i32");
  EXPECT_EQ(letType(m, "alone_float"), "f32");
}

TEST_F(SemaTest, IntegerLiteralThatDoesNotFitI32IsI64) {
  const Module &m = mustCompile(R"(
kernel k(p: *f32) {
    let fits = 2147483647;
    let big = 2147483648;
}
)");
  EXPECT_EQ(letType(m, "fits"), "i32");
  EXPECT_EQ(letType(m, "big"), "i64");
  EXPECT_EQ(letValue(m, "big"), "2147483648");
}

TEST_F(SemaTest, AssignmentTypesItsLiteralByTheVariable) {
  const Module &m = mustCompile(R"(
kernel k(p: *f16) {
    let mut x = load(p);
    x = 1;
    x += 2.0;
}
)");
  const KernelDecl &k = *m.kernels[0];
  ASSERT_EQ(k.body.size(), 3u);
  EXPECT_EQ(k.body[1]->value->type.str(), "f16");
  EXPECT_EQ(k.body[2]->value->type.str(), "f16");
  EXPECT_EQ(k.body[1]->target, k.body[0]->decl.get());
}

//===----------------------------------------------------------------------===//
// Compile-time values
//===----------------------------------------------------------------------===//

TEST_F(SemaTest, ConstexprValuesFlowThroughImmutableLets) {
  const Module &m = mustCompile(R"(
kernel k(p: *f32, n: i32, BLOCK: const i32) {
    let half = BLOCK / 2;
    let h = arange(0, half);
    let twelve = 3 * 4;
    let shifted = 1 << 4;
    let runtime = n * 2;
    let mut changing = BLOCK;
    let wider = BLOCK as i64;
    let pow = next_pow2(BLOCK + 1);
}
)");
  EXPECT_EQ(letValue(m, "half"), "BLOCK / 2");
  EXPECT_EQ(letType(m, "h"), "i32[BLOCK / 2]");
  EXPECT_EQ(letValue(m, "twelve"), "12");
  const Var *twelve = findLet(*m.kernels[0], "twelve");
  ASSERT_TRUE(twelve && twelve->constValue);
  EXPECT_TRUE(twelve->constValue->isConstant());
  EXPECT_EQ(twelve->constValue->getConstant(), 12);
  EXPECT_EQ(letValue(m, "shifted"), "16");
  EXPECT_EQ(letValue(m, "runtime"), "<none>");
  EXPECT_EQ(letValue(m, "changing"), "<none>");
  EXPECT_EQ(letValue(m, "wider"), "BLOCK");
  EXPECT_EQ(letValue(m, "pow"), "next_pow2(BLOCK + 1)");
}

TEST_F(SemaTest, ConstexprParametersAreTheirOwnValue) {
  const Module &m = mustCompile(R"(
kernel k(p: *f32, n: i32, BLOCK: const i32, FLAG: const bool) {
    store(p, 1.0);
}
)");
  const KernelDecl &k = *m.kernels[0];
  ASSERT_EQ(k.params.size(), 4u);
  EXPECT_FALSE(k.params[1].isConstexpr);
  EXPECT_EQ(k.params[1].var->constValue, nullptr);
  EXPECT_TRUE(k.params[2].isConstexpr);
  EXPECT_TRUE(k.params[2].var->isConstexprParam);
  ASSERT_NE(k.params[2].var->constValue, nullptr);
  EXPECT_EQ(k.params[2].var->constValue->print(), "BLOCK");
  EXPECT_EQ(k.params[3].var->type.str(), "bool");
}

TEST_F(SemaTest, DefaultsAreKeptSymbolic) {
  const Module &m = mustCompile(R"(
kernel k(p: *f32, n_cols: i32, N: i32, BM: const i32,
         BLOCK: const i32 = next_pow2(n_cols),
         BK: const i32 = max(16, min(BM, next_pow2(cdiv(N, 4)))),
         TWICE: const i32 = 2 * BM, FLAG: const bool = 1) {
    store(p, 1.0);
}
)");
  const KernelDecl &k = *m.kernels[0];
  ASSERT_EQ(k.params.size(), 8u);
  EXPECT_EQ(k.params[3].defaultText, "");
  EXPECT_EQ(k.params[4].defaultText, "next_pow2(n_cols)");
  EXPECT_EQ(k.params[5].defaultText, "max(16, min(BM, next_pow2(cdiv(N, 4))))");
  EXPECT_EQ(k.params[6].defaultText, "2 * BM");
  EXPECT_EQ(k.params[7].defaultText, "1");
}

//===----------------------------------------------------------------------===//
// Kernel attributes
//===----------------------------------------------------------------------===//

TEST_F(SemaTest, AutotuneSpaceKeyAndWhere) {
  const Module &m = mustCompile(R"(
@autotune(BM = [64, 128], BN = [64, 128], num_warps = [4, 8], num_stages = [2, 3],
          key = [M, exact(K)], where = BM * BN <= 16384)
kernel mm(a: *f16, M: i32, N: i32, K: i32, BM: const i32, BN: const i32)
        grid(cdiv(M, BM) * cdiv(N, BN)) {
    store(a, 0.0);
}
)");
  const KernelDecl *k = findKernel(m, "mm");
  ASSERT_NE(k, nullptr);
  EXPECT_TRUE(k->hasAutotune);
  EXPECT_FALSE(k->hasConfig);
  ASSERT_EQ(k->tuneSpace.size(), 4u);
  EXPECT_EQ(k->tuneSpace[0].name, "BM");
  EXPECT_EQ(k->tuneSpace[0].values, (std::vector<int64_t>{64, 128}));
  EXPECT_EQ(k->tuneSpace[2].name, "num_warps");
  EXPECT_EQ(k->tuneSpace[3].name, "num_stages");
  EXPECT_EQ(k->tuneSpace[3].values, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(k->tuneKey, (std::vector<std::string>{"M", "exact(K)"}));
  EXPECT_EQ(k->tuneWhere, "BM * BN <= 16384");
  EXPECT_EQ(k->gridText,
            (std::vector<std::string>{"cdiv(M, BM) * cdiv(N, BN)"}));
  EXPECT_TRUE(k->fixedConfig.empty());
}

TEST_F(SemaTest, FixedConfigAndGrid) {
  const Module &m = mustCompile(R"(
@config(BM = 64, BN = 32, num_warps = 4, num_stages = 1, FLAG = true)
kernel t(p: *f32, M: i32, N: i32, BM: const i32, BN: const i32, FLAG: const bool)
        grid(cdiv(M, BM), cdiv(N, BN), 2) {
    store(p, 1.0);
}

kernel plain(p: *f32) {
    store(p, 1.0);
}
)");
  const KernelDecl *k = findKernel(m, "t");
  ASSERT_NE(k, nullptr);
  EXPECT_TRUE(k->hasConfig);
  EXPECT_FALSE(k->hasAutotune);
  using Entry = std::pair<std::string, int64_t>;
  EXPECT_EQ(k->fixedConfig, (std::vector<Entry>{{"BM", 64},
                                                {"BN", 32},
                                                {"num_warps", 4},
                                                {"num_stages", 1},
                                                {"FLAG", 1}}));
  EXPECT_EQ(k->gridText,
            (std::vector<std::string>{"cdiv(M, BM)", "cdiv(N, BN)", "2"}));
  const KernelDecl *plain = findKernel(m, "plain");
  ASSERT_NE(plain, nullptr);
  EXPECT_FALSE(plain->hasConfig);
  EXPECT_FALSE(plain->hasAutotune);
  EXPECT_TRUE(plain->gridText.empty());
  EXPECT_TRUE(plain->tuneWhere.empty());
}

//===----------------------------------------------------------------------===//
// fn instantiation
//===----------------------------------------------------------------------===//

TEST_F(SemaTest, GenericFnIsInstantiatedPerCall) {
  const Module &m = mustCompile(R"(
fn square(x) {
    let y = x * x;
    return y;
}

kernel k(p: *f32, q: *i32, n: i32) {
    let a = square(load(p + arange(0, 16)));
    let b = square(n);
    let c = square(3);
}
)");
  const Expr *a = letInit(m, "a");
  const Expr *b = letInit(m, "b");
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->type.str(), "f32[16]");
  EXPECT_EQ(b->type.str(), "i32");
  ASSERT_TRUE(a->inlined && b->inlined);
  EXPECT_NE(a->inlined.get(), b->inlined.get());
  EXPECT_EQ(a->inlined->fn, b->inlined->fn);
  EXPECT_EQ(a->inlined->fn->name, "square");
  ASSERT_EQ(a->inlined->params.size(), 1u);
  EXPECT_EQ(a->inlined->params[0]->type.str(), "f32[16]");
  EXPECT_EQ(b->inlined->params[0]->type.str(), "i32");
  // Each instantiation checks its own copy of the body.
  ASSERT_EQ(a->inlined->body.size(), 2u);
  EXPECT_EQ(a->inlined->body[0]->decl->type.str(), "f32[16]");
  EXPECT_EQ(b->inlined->body[0]->decl->type.str(), "i32");
  // A compile-time argument gives a compile-time result.
  EXPECT_EQ(letValue(m, "c"), "9");
  EXPECT_EQ(letValue(m, "b"), "<none>");
  // The declaration itself stays generic.
  ASSERT_EQ(m.fns.size(), 1u);
  EXPECT_FALSE(m.fns[0]->params[0].type.has_value());
}

TEST_F(SemaTest, TypedFnGivesItsDeclaredTypes) {
  const Module &m = mustCompile(R"(
fn row_ptr(base: *f32, row: i32, stride: i32) -> *f32 {
    return base + row * stride;
}

fn offset(i: i32) -> i64 {
    return i as i64 * 2;
}

kernel k(p: *f32, n: i32) {
    let r = row_ptr(p, n, 64);
    let o = offset(n);
    store(r + o, 1.0);
}
)");
  EXPECT_EQ(letType(m, "r"), "*f32");
  EXPECT_EQ(letType(m, "o"), "i64");
  const Expr *r = letInit(m, "r");
  ASSERT_TRUE(r && r->inlined);
  EXPECT_EQ(r->inlined->params[2]->type.str(), "i32");
  ASSERT_NE(r->inlined->params[2]->constValue, nullptr);
  EXPECT_EQ(r->inlined->params[2]->constValue->print(), "64");
}

TEST_F(SemaTest, IRIsProducedOnlyWhenAsked) {
  const std::string source = R"(
kernel k(p: *f32) {
    store(p, 1.0);
}
)";
  ASSERT_NE(compile(source, /*emitIR=*/false), nullptr);
  EXPECT_FALSE((*result)->ir);
  ASSERT_NE(compile(source, /*emitIR=*/true), nullptr);
  ASSERT_TRUE((*result)->ir);
  EXPECT_FALSE((*result)->ir->getBody()->empty());
}

//===----------------------------------------------------------------------===//
// Errors
//===----------------------------------------------------------------------===//

TEST_F(SemaTest, UnknownNameIsReported) {
  expectError(R"(
kernel k(p: *f32) {
    let a = foo;
}
)",
              "3:13: unknown name 'foo'");
  EXPECT_EQ(errors.size(), 1u) << joinedErrors();
}

TEST_F(SemaTest, MixedElementTypesNameBothTypes) {
  expectError(R"(
kernel k(p: *f32, q: *f16) {
    let a = load(p) + load(q);
}
)",
              "3:21: mixed element types in '+': f32 and f16; convert one "
              "with 'as'");
}

TEST_F(SemaTest, BroadcastMismatchShowsBothShapes) {
  expectError(R"(
kernel k(p: *f32) {
    let c = arange(0, 16) + arange(0, 32);
}
)",
              "3:27: shape mismatch: cannot broadcast [16] with [32]");
}

TEST_F(SemaTest, DotShapeErrors) {
  expectError(R"(
kernel k(p: *f16) {
    let c = dot(zeros([16, 32], f16), zeros([16, 32], f16));
}
)",
              "3:13: shape mismatch in dot: f16[16, 32] times f16[16, 32] "
              "(inner dimensions 32 and 16 differ)");
  expectError(R"(
kernel k(p: *f16) {
    let c = dot(zeros([8, 16], f16), zeros([16, 16], f16));
}
)",
              "3:13: dot needs M, N and K of at least 16; M is 8");
}

TEST_F(SemaTest, ArangeNeedsAConstexprPowerOfTwo) {
  expectError(R"(
kernel k(p: *f32, n: i32) {
    let a = arange(0, n);
}
)",
              "3:23: arange's end must be known at compile time (a literal "
              "or a constexpr), but this is a runtime value");
  expectError(R"(
kernel k(p: *f32) {
    let a = arange(0, 12);
}
)",
              "3:13: arange(0, 12) has 12 elements; the length must be a "
              "power of two");
}

TEST_F(SemaTest, AssignmentRules) {
  expectError(R"(
kernel k(p: *f32) {
    let a = 1;
    a = 2;
}
)",
              "4:5: cannot assign to 'a': it is not declared with 'let mut'");
  expectError(R"(
kernel k(p: *f32) {
    let mut a = 1;
    a = 2.0;
}
)",
              "4:9: assignment changes the element type of 'a' from i32 to "
              "f32; use 'as'");
}

TEST_F(SemaTest, BlockValuedIfConditionIsAnError) {
  expectError(R"(
kernel k(p: *f32) {
    if arange(0, 16) < 4 {
        store(p, 1.0);
    }
}
)",
              "3:22: an if condition must be a scalar bool, but this is a "
              "block (bool[16]); use where() or a mask for blocks");
}

TEST_F(SemaTest, RecursionIsAnError) {
  expectError(R"(
fn f(x) {
    return f(x - 1);
}

kernel k(p: *i32) {
    store(p, f(3));
}
)",
              "3:12: recursive call to fn 'f': fns are inlined, so recursion "
              "is not allowed");
}

TEST_F(SemaTest, AutotuneValuesMustFit) {
  expectError(R"(
@autotune(S = [1, 300], num_warps = [3])
kernel k(p: *f32, S: const i8) {
    store(p, 1.0);
}
)",
              "2:19: value 300 does not fit constexpr 'S' of type i8");
  EXPECT_NE(std::find(errors.begin(), errors.end(),
                      "2:38: num_warps must be a power of two from 1 to 32, "
                      "got 3"),
            errors.end())
      << joinedErrors();
}

TEST_F(SemaTest, StaticAssertOnLiteralsIsDecidedByTheFrontEnd) {
  mustCompile(R"(
kernel k(p: *f32) {
    static_assert(16 % 4 == 0, "ok");
    store(p, 1.0);
}
)");
  expectError(R"(
kernel k(p: *f32) {
    static_assert(16 % 3 == 0, "16 is a multiple of 3");
}
)",
              "3:5: static_assert failed: 16 is a multiple of 3");
}

TEST_F(SemaTest, EveryErrorInAFileIsReported) {
  EXPECT_EQ(compile(R"(
kernel k(p: *f32) {
    let a = foo;
    let b = bar(1);
    let c: f33 = 1;
}
)"),
            nullptr);
  EXPECT_EQ(errors,
            (std::vector<std::string>{
                "3:13: unknown name 'foo'", "4:13: unknown function 'bar'",
                "5:12: unknown type 'f33'; expected bool, i8, i16, i32, i64, "
                "f16, bf16, f32 or f64"}));
}

TEST_F(SemaTest, SyntaxErrorStopsBeforeSema) {
  EXPECT_EQ(compile(R"(
kernel k(p: *f32) {
    let a = foo
}
)"),
            nullptr);
  EXPECT_EQ(errors, (std::vector<std::string>{
                        "3:16: expected ';' after the statement"}));
}

} // namespace
