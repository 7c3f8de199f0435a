//===- InterpreterTest.cpp - Example kernels on the interpreter -----------===//
//
// Each example kernel runs on the interpreter against a reference written
// here with plain loops in double, on random inputs from a fixed seed, with
// sizes that leave masked tails. Outputs are poisoned (NaN / a sentinel)
// before each run; NaN passes only where the reference has NaN.
//
//===----------------------------------------------------------------------===//

#include "InterpreterFixture.h"

#include <cmath>
#include <cstring>
#include <random>

using namespace mlir;
using namespace kdsl;
using namespace kdsl::test;

namespace {

class InterpreterTest : public kdsl::test::InterpreterFixture {};

std::mt19937 &rng() {
  static std::mt19937 gen(20261126);
  return gen;
}

std::vector<float> randomFloats(size_t n, float lo = -2, float hi = 2) {
  std::uniform_real_distribution<float> dist(lo, hi);
  std::vector<float> v(n);
  for (float &x : v)
    x = dist(rng());
  return v;
}

HostBuffer poisonedF32(MLIRContext &ctx, size_t n) {
  return bufferOf(Float32Type::get(&ctx), std::vector<float>(n, std::nanf("")));
}

/// Relative error check; NaN only where expected.
void expectClose(const std::vector<float> &got, const std::vector<double> &want,
                 double tolerance) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    if (std::isnan(want[i])) {
      EXPECT_TRUE(std::isnan(got[i])) << "element " << i;
      continue;
    }
    ASSERT_FALSE(std::isnan(got[i])) << "element " << i << " is NaN";
    double err =
        std::fabs(got[i] - want[i]) / std::max(1.0, std::fabs(want[i]));
    ASSERT_LE(err, tolerance)
        << "element " << i << ": got " << got[i] << ", want " << want[i];
  }
}

TEST_F(InterpreterTest, VectorAdd) {
  KernelOp k = variant("vector_add.kdsl", "vector_add", {"BLOCK=256"});
  ASSERT_TRUE(k);
  const int n = 1000; // not a multiple of BLOCK
  std::vector<float> x = randomFloats(n), y = randomFloats(n);
  Type f32 = Float32Type::get(&context);
  HostBuffer bx = bufferOf(f32, x), by = bufferOf(f32, y),
             out = poisonedF32(context, n);
  ASSERT_TRUE(
      succeeded(run(k, {LaunchArg::ofBuffer(bx), LaunchArg::ofBuffer(by),
                        LaunchArg::ofBuffer(out), LaunchArg::ofInt(n)})))
      << diagnostics;
  std::vector<double> want(n);
  for (int i = 0; i < n; ++i)
    want[i] = double(x[i]) + double(y[i]);
  expectClose(valuesOf<float>(out), want, 1e-6);
}

TEST_F(InterpreterTest, SoftmaxWithInfAndNaNRows) {
  const int rows = 7, cols = 100, stride = 128;
  KernelOp k = variant("softmax.kdsl", "softmax", {"n_cols=100"});
  ASSERT_TRUE(k);
  std::vector<float> in = randomFloats(rows * stride, -5, 5);
  for (int c = 0; c < cols; ++c)
    in[2 * stride + c] = -INFINITY;    // an all -inf row: NaN, as 0/0
  in[4 * stride + 17] = std::nanf(""); // a NaN poisons its row
  in[5 * stride + 3] = -INFINITY;      // one -inf: a zero probability
  Type f32 = Float32Type::get(&context);
  HostBuffer bin = bufferOf(f32, in), out = poisonedF32(context, rows * stride);
  ASSERT_TRUE(
      succeeded(run(k, {LaunchArg::ofBuffer(out), LaunchArg::ofBuffer(bin),
                        LaunchArg::ofInt(rows), LaunchArg::ofInt(cols),
                        LaunchArg::ofInt(stride)})))
      << diagnostics;
  std::vector<float> got = valuesOf<float>(out);
  std::vector<float> gotCols;
  std::vector<double> want;
  for (int r = 0; r < rows; ++r) {
    double m = -INFINITY;
    bool nan = false;
    for (int c = 0; c < cols; ++c) {
      nan |= std::isnan(in[r * stride + c]);
      m = std::max(m, double(in[r * stride + c]));
    }
    double sum = 0;
    for (int c = 0; c < cols; ++c)
      sum += std::exp(double(in[r * stride + c]) - m);
    for (int c = 0; c < cols; ++c) {
      gotCols.push_back(got[r * stride + c]);
      double e = std::exp(double(in[r * stride + c]) - m) / sum;
      want.push_back(nan || std::isinf(m) ? NAN : e);
    }
    for (int c = cols; c < stride; ++c) // masked lanes are never written
      EXPECT_TRUE(std::isnan(got[r * stride + c]));
  }
  expectClose(gotCols, want, 1e-5);
}

TEST_F(InterpreterTest, MatmulF16) {
  const int M = 70, N = 50, K = 40;
  KernelOp k = variant("matmul.kdsl", "matmul",
                       {"BM=64", "BN=64", "BK=32", "num_warps=4"});
  ASSERT_TRUE(k);
  std::vector<_Float16> a(M * K), b(K * N);
  std::vector<float> af = randomFloats(M * K), bf = randomFloats(K * N);
  for (int i = 0; i < M * K; ++i)
    a[i] = static_cast<_Float16>(af[i]);
  for (int i = 0; i < K * N; ++i)
    b[i] = static_cast<_Float16>(bf[i]);
  Type f16 = Float16Type::get(&context);
  HostBuffer ba = bufferOf(f16, a), bb = bufferOf(f16, b),
             bc = poisonedF32(context, M * N);
  std::vector<LaunchArg> args = {
      LaunchArg::ofBuffer(ba), LaunchArg::ofBuffer(bb), LaunchArg::ofBuffer(bc),
      LaunchArg::ofInt(M),     LaunchArg::ofInt(N),     LaunchArg::ofInt(K),
      LaunchArg::ofInt(K),     LaunchArg::ofInt(1),     LaunchArg::ofInt(N),
      LaunchArg::ofInt(1),     LaunchArg::ofInt(N),     LaunchArg::ofInt(1)};
  ASSERT_TRUE(succeeded(run(k, args))) << diagnostics;
  std::vector<double> want(M * N);
  for (int i = 0; i < M; ++i)
    for (int j = 0; j < N; ++j) {
      double s = 0;
      for (int kk = 0; kk < K; ++kk)
        s += double(a[i * K + kk]) * double(b[kk * N + j]);
      want[i * N + j] = s;
    }
  expectClose(valuesOf<float>(bc), want, 1e-4);
}

TEST_F(InterpreterTest, LayerNorm) {
  const int rows = 5, cols = 77, stride = 80;
  KernelOp k = variant("layer_norm.kdsl", "layer_norm", {"n_cols=77"});
  ASSERT_TRUE(k);
  std::vector<float> x = randomFloats(rows * stride), w = randomFloats(cols),
                     b = randomFloats(cols);
  Type f32 = Float32Type::get(&context);
  HostBuffer bx = bufferOf(f32, x), bw = bufferOf(f32, w),
             bb = bufferOf(f32, b), by = poisonedF32(context, rows * stride);
  const float eps = 1e-5f;
  ASSERT_TRUE(
      succeeded(run(k, {LaunchArg::ofBuffer(bx), LaunchArg::ofBuffer(by),
                        LaunchArg::ofBuffer(bw), LaunchArg::ofBuffer(bb),
                        LaunchArg::ofInt(rows), LaunchArg::ofInt(cols),
                        LaunchArg::ofInt(stride), LaunchArg::ofFloat(eps)})))
      << diagnostics;
  std::vector<float> got = valuesOf<float>(by), gotCols;
  std::vector<double> want;
  for (int r = 0; r < rows; ++r) {
    double mean = 0, var = 0;
    for (int c = 0; c < cols; ++c)
      mean += x[r * stride + c];
    mean /= cols;
    for (int c = 0; c < cols; ++c)
      var += (x[r * stride + c] - mean) * (x[r * stride + c] - mean);
    var /= cols;
    for (int c = 0; c < cols; ++c) {
      gotCols.push_back(got[r * stride + c]);
      want.push_back((x[r * stride + c] - mean) / std::sqrt(var + eps) * w[c] +
                     b[c]);
    }
  }
  expectClose(gotCols, want, 1e-4);
}

// Loop-carried pointers and offsets that advance by the same amount every
// iteration (Triton's `p += BK`): -kdsl-pipeline-loops issues their loads
// num_stages - 1 iterations ahead; the sums are the same at every depth,
// with a row count that is not a multiple of ROWS, with fewer rows than the
// stages look ahead, and with none.
TEST_F(InterpreterTest, StridedSumPipelinesCarriedPointers) {
  const int cols = 100;
  for (int stages : {1, 2, 3, 4})
    for (int rows : {0, 3, 10, 37}) {
      SCOPED_TRACE("num_stages = " + std::to_string(stages) +
                   ", n_rows = " + std::to_string(rows));
      KernelOp k = variant("test/kernels/strided_sum.kdsl", "strided_sum",
                           {"num_stages=" + std::to_string(stages)});
      ASSERT_TRUE(k);
      // Pipelined: the prologue's loads come before the loop.
      bool loadsBeforeLoop = false;
      for (Operation &op : k.getBody().front()) {
        if (isa<scf::ForOp>(op))
          break;
        loadsBeforeLoop |= isa<LoadOp>(op);
      }
      EXPECT_EQ(loadsBeforeLoop, stages > 1);
      std::vector<float> x = randomFloats(size_t(rows) * cols);
      Type f32 = Float32Type::get(&context);
      HostBuffer bx = bufferOf(f32, x), out = poisonedF32(context, cols);
      ASSERT_TRUE(
          succeeded(run(k, {LaunchArg::ofBuffer(bx), LaunchArg::ofBuffer(out),
                            LaunchArg::ofInt(rows), LaunchArg::ofInt(cols)})))
          << diagnostics;
      std::vector<double> want(cols, 0.0);
      for (int r = 0; r < rows; ++r)
        for (int c = 0; c < cols; ++c)
          want[c] += x[size_t(r) * cols + c];
      expectClose(valuesOf<float>(out), want, 1e-5);
    }
}

TEST_F(InterpreterTest, OutOfBoundsAccessNamesKernelProgramAndOffset) {
  KernelOp k = variant("vector_add.kdsl", "vector_add", {"BLOCK=256"});
  ASSERT_TRUE(k);
  Type f32 = Float32Type::get(&context);
  // n says 1000 but the buffers hold 10: the masked access still reaches
  // past them, which the interpreter reports instead of reading garbage.
  HostBuffer x = bufferOf(f32, randomFloats(10)), y = x,
             out = poisonedF32(context, 10);
  EXPECT_TRUE(
      failed(run(k, {LaunchArg::ofBuffer(x), LaunchArg::ofBuffer(y),
                     LaunchArg::ofBuffer(out), LaunchArg::ofInt(1000)})));
  EXPECT_NE(diagnostics.find("kernel 'vector_add', program (0, 0, 0)"),
            std::string::npos)
      << diagnostics;
  EXPECT_NE(diagnostics.find("unmasked load at element offset 10 of 'x', "
                             "which has 10 elements"),
            std::string::npos)
      << diagnostics;
}

TEST_F(InterpreterTest, ArgumentsAreChecked) {
  KernelOp k = variant("vector_add.kdsl", "vector_add", {"BLOCK=256"});
  ASSERT_TRUE(k);
  HostBuffer wrong =
      bufferOf(Float64Type::get(&context), std::vector<double>(4));
  EXPECT_TRUE(
      failed(interpret(k, {1, 1, 1},
                       {LaunchArg::ofBuffer(wrong), LaunchArg::ofBuffer(wrong),
                        LaunchArg::ofBuffer(wrong), LaunchArg::ofInt(4)})));
  EXPECT_NE(
      diagnostics.find("argument 'x' points to 'f32' but the buffer holds "
                       "'f64'"),
      std::string::npos)
      << diagnostics;
  diagnostics.clear();
  EXPECT_TRUE(failed(interpret(k, {1, 1, 1}, {LaunchArg::ofInt(4)})));
  EXPECT_NE(diagnostics.find("takes 4 arguments, got 1"), std::string::npos)
      << diagnostics;
}

TEST_F(InterpreterTest, MaximumOfSignedZerosIsPositiveZero) {
  // relu as maximum(x, 0.0): -0.0 gives +0.0 (arith.maximumf: -0.0 < +0.0).
  KernelOp k = variant("activations.kdsl", "activation",
                       {"ACT=0", "GATED=false", "BLOCK=1024"});
  ASSERT_TRUE(k);
  Type f32 = Float32Type::get(&context);
  HostBuffer x = bufferOf(f32, std::vector<float>{-0.0f, 0.0f, -1.0f}),
             gate = bufferOf(f32, std::vector<float>{}),
             y = poisonedF32(context, 3);
  ASSERT_TRUE(
      succeeded(run(k, {LaunchArg::ofBuffer(x), LaunchArg::ofBuffer(gate),
                        LaunchArg::ofBuffer(y), LaunchArg::ofInt(3)})))
      << diagnostics;
  for (float v : valuesOf<float>(y))
    EXPECT_FALSE(std::signbit(v)) << v;
}

} // namespace
