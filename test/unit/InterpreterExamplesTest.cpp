//===- InterpreterExamplesTest.cpp - The other examples on the interpreter ===//
//
// Every example kernel not covered by InterpreterTest.cpp runs on the
// interpreter against an independent reference written here from the
// kernel's header comment (examples/kernels/*.kdsl): plain loops, in double
// unless the header fixes an f32 or integer computation. Inputs come from a
// fixed seed, with negative values, sizes that leave masked tails, and
// special values where the kernel defines them. Outputs are poisoned (NaN or
// a sentinel) before each run, and buffers are padded where the layout
// allows so that a write through a masked-off lane shows. NaN passes only
// where the reference has NaN.
//
// Tolerances, by output type (u = 2^-24, the f32 unit roundoff):
//  - exact (bitwise / integer equality): transpose (a copy), row_argmax
//    (a max or min is one of the inputs), histogram (integer counts, t in f32
//    as the header says), dropout and dropout_backward (the same uint32 hash;
//    one f32 product, correctly rounded on both sides).
//  - f32 elementwise math (activations, rope): |got - want| <= tol *
//    max(1, |want|), tol = 1e-5 for activations (a few f32 ops of 2 ulp
//    each, plus cancellation in squareplus at x << 0) and 1e-4 for rope (the
//    angle is computed in f32 as the header says; an ulp of an angle of up to
//    36 rad moves sin / cos by ~4e-6, see examples/kernels/README.md).
//  - f32 sums (attention_scores, col_mean): the classic bound on a
//    recursive sum, |got - want| <= (n + 2) u sum |terms| (+ u |want|).
//  - f16 output (bias_gelu): |got - want| <= 2^-10 |want| + 2^-19: one f16
//    ulp, as the f32 value may round to the neighbour of the correctly
//    rounded f16; plus an absolute term for the cancellation in 1 + erf /
//    1 + tanh, which the kernel computes in f32 (error ~|v| u for v << 0).
//  - bf16 output (matmul_bias_relu): the f32 sum bound (K + 2) u (sum |a b|
//    + |bias|), plus one bf16 ulp, 2^-7 |want|.
//
//===----------------------------------------------------------------------===//

#include "InterpreterFixture.h"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <random>

using namespace mlir;
using namespace kdsl;
using namespace kdsl::test;

namespace {

constexpr double kU = 0x1p-24; // f32 unit roundoff

class InterpreterExamplesTest : public kdsl::test::InterpreterFixture {};

std::mt19937 &gen() {
  static std::mt19937 g(20261127);
  return g;
}

std::vector<float> uniform(size_t n, float lo, float hi) {
  std::uniform_real_distribution<float> dist(lo, hi);
  std::vector<float> v(n);
  for (float &x : v)
    x = dist(gen());
  return v;
}

/// `n` values uniform in [lo, hi], rounded to f16.
std::vector<_Float16> uniformHalves(size_t n, float lo, float hi) {
  std::vector<_Float16> h;
  for (float f : uniform(n, lo, hi))
    h.push_back(static_cast<_Float16>(f));
  return h;
}

/// The sum over k < n of x(k) y(k) in double, and of the products'
/// magnitudes (what the tolerance of an f32 accumulation scales with).
struct DotInDouble {
  double sum = 0, magnitude = 0;
};
template <typename X, typename Y> DotInDouble dotInDouble(int n, X x, Y y) {
  DotInDouble d;
  for (int k = 0; k < n; ++k) {
    double p = double(x(k)) * double(y(k));
    d.sum += p;
    d.magnitude += std::fabs(p);
  }
  return d;
}

uint32_t bitsOf(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  return u;
}

/// f32 to bf16 bits, rounding to nearest even (NaN stays a quiet NaN).
uint16_t toBf16(float f) {
  uint32_t u = bitsOf(f);
  if (std::isnan(f))
    return 0x7FC0;
  u += 0x7FFF + ((u >> 16) & 1);
  return static_cast<uint16_t>(u >> 16);
}

float fromBf16(uint16_t h) {
  uint32_t u = uint32_t(h) << 16;
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}

/// Checks got[i] against want[i] within tol[i]. NaN passes only where want is
/// NaN; an infinite want needs the same infinity. Reports at most a few
/// elements, and counts the rest.
void expectWithin(const std::vector<double> &got,
                  const std::vector<double> &want,
                  const std::vector<double> &tol) {
  ASSERT_EQ(got.size(), want.size());
  ASSERT_EQ(tol.size(), want.size());
  int bad = 0;
  for (size_t i = 0; i < got.size(); ++i) {
    bool ok;
    if (std::isnan(want[i]))
      ok = std::isnan(got[i]);
    else if (std::isinf(want[i]))
      ok = got[i] == want[i];
    else
      ok = !std::isnan(got[i]) && std::fabs(got[i] - want[i]) <= tol[i];
    if (!ok && ++bad <= 5)
      ADD_FAILURE() << "element " << i << ": got " << got[i] << ", want "
                    << want[i] << " (tolerance " << tol[i] << ", error "
                    << std::fabs(got[i] - want[i]) << ")";
  }
  EXPECT_EQ(bad, 0) << "elements out of tolerance";
}

/// |got - want| <= rel * max(1, |want|).
void expectRel(const std::vector<double> &got, const std::vector<double> &want,
               double rel) {
  std::vector<double> tol(want.size());
  for (size_t i = 0; i < want.size(); ++i)
    tol[i] = rel * std::max(1.0, std::fabs(want[i]));
  expectWithin(got, want, tol);
}

template <typename T> std::vector<double> toDouble(const std::vector<T> &v) {
  return std::vector<double>(v.begin(), v.end());
}

//===----------------------------------------------------------------------===//
// gelu.kdsl: bias_gelu
//===----------------------------------------------------------------------===//

TEST_F(InterpreterExamplesTest, BiasGeluErfAndTanh) {
  const int rows = 13, cols = 77, n = rows * cols, pad = 29; // 1001 = 512 + 489
  std::vector<float> xf = uniform(n, -5, 5), bf = uniform(cols, -1, 1);
  // Far tails and zero: gelu(-20) rounds to -0, gelu(v) ~ v for v >> 0.
  xf[0] = -20;
  xf[1] = 12;
  xf[2] = 0;
  xf[3] = -7;
  xf[n - 1] = -3.5f; // in the masked program's last real lane
  std::vector<_Float16> x(n), bias(cols);
  for (int i = 0; i < n; ++i)
    x[i] = static_cast<_Float16>(xf[i]);
  for (int c = 0; c < cols; ++c)
    bias[c] = static_cast<_Float16>(bf[c]);
  const _Float16 poison = static_cast<_Float16>(NAN);

  for (int approx = 0; approx <= 1; ++approx) {
    SCOPED_TRACE(approx ? "APPROX=1 (tanh)" : "APPROX=0 (erf)");
    KernelOp k = variant(
        "gelu.kdsl", "bias_gelu",
        {"APPROX=" + std::to_string(approx), "BLOCK=512", "num_warps=4"});
    ASSERT_TRUE(k);
    HostBuffer bx = bufferOf(f16(), x), bb = bufferOf(f16(), bias),
               by = bufferOf(f16(), std::vector<_Float16>(n + pad, poison));
    ASSERT_TRUE(
        succeeded(run(k, {LaunchArg::ofBuffer(bx), LaunchArg::ofBuffer(bb),
                          LaunchArg::ofBuffer(by), LaunchArg::ofInt(rows),
                          LaunchArg::ofInt(cols)})))
        << diagnostics;
    std::vector<_Float16> y = valuesOf<_Float16>(by);
    std::vector<double> got, want, tol;
    for (int i = 0; i < n; ++i) {
      double v = double(x[i]) + double(bias[i % cols]);
      double g = approx ? 0.5 * v *
                              (1 + std::tanh(std::sqrt(2 / std::acos(-1.0)) *
                                             (v + 0.044715 * v * v * v)))
                        : 0.5 * v * (1 + std::erf(v / std::sqrt(2.0)));
      double w = double(static_cast<_Float16>(g));
      got.push_back(double(y[i]));
      want.push_back(w);
      tol.push_back(0x1p-10 * std::fabs(w) + 0x1p-19);
    }
    expectWithin(got, want, tol);
    for (int i = n; i < n + pad; ++i)
      EXPECT_TRUE(std::isnan(double(y[i]))) << "masked lane " << i;
  }
}

//===----------------------------------------------------------------------===//
// transpose.kdsl
//===----------------------------------------------------------------------===//

TEST_F(InterpreterExamplesTest, Transpose) {
  // @config gives BM = 64, BN = 32: both dims leave tails, and both row
  // strides leave padding that must stay poisoned.
  const int M = 100, N = 70, sSrc = 75, sDst = 107;
  KernelOp k = variant("transpose.kdsl", "transpose", {});
  ASSERT_TRUE(k);
  std::vector<float> src = uniform(M * sSrc, -3, 3);
  src[5] = -0.0f;
  HostBuffer bs = bufferOf(f32(), src),
             bd = bufferOf(f32(), std::vector<float>(N * sDst, NAN));
  ASSERT_TRUE(
      succeeded(run(k, {LaunchArg::ofBuffer(bs), LaunchArg::ofBuffer(bd),
                        LaunchArg::ofInt(M), LaunchArg::ofInt(N),
                        LaunchArg::ofInt(sSrc), LaunchArg::ofInt(sDst)})))
      << diagnostics;
  std::vector<float> dst = valuesOf<float>(bd);
  int bad = 0;
  for (int j = 0; j < N; ++j)
    for (int i = 0; i < sDst; ++i) {
      float g = dst[j * sDst + i];
      bool ok = i < M ? bitsOf(g) == bitsOf(src[i * sSrc + j]) : std::isnan(g);
      if (!ok && ++bad <= 5)
        ADD_FAILURE() << "dst[" << j << ", " << i << "] = " << g;
    }
  EXPECT_EQ(bad, 0);
}

//===----------------------------------------------------------------------===//
// row_argmax.kdsl
//===----------------------------------------------------------------------===//

struct RowExtremes {
  float maxVal, minVal;
  int32_t maxIdx, minIdx;
};

/// The header's definition: the extreme, and the smallest index holding it.
RowExtremes rowExtremes(const float *row, int n) {
  RowExtremes e{row[0], row[0], 0, 0};
  for (int c = 1; c < n; ++c) {
    if (row[c] > e.maxVal) {
      e.maxVal = row[c];
      e.maxIdx = c;
    }
    if (row[c] < e.minVal) {
      e.minVal = row[c];
      e.minIdx = c;
    }
  }
  return e;
}

// With the chunk loop's loads 1 and 2 iterations ahead (num_stages 2, 3).
TEST_F(InterpreterExamplesTest, RowArgmaxTiesAndInfinities) {
  for (int stages : {2, 3}) {
    SCOPED_TRACE("num_stages=" + std::to_string(stages));
    KernelOp k = variant("row_argmax.kdsl", "row_argmax",
                         {"BLOCK=256", "num_stages=" + std::to_string(stages)});
    ASSERT_TRUE(k);
    // 600 columns: chunks of 256, 256 and 88 (a masked tail).
    struct Shape {
      int rows, cols, stride;
    };
    for (Shape s : {Shape{7, 600, 613}, Shape{3, 1, 2}}) {
      SCOPED_TRACE("n_cols = " + std::to_string(s.cols));
      std::vector<float> x = uniform(size_t(s.rows) * s.stride, -4, 4);
      auto at = [&](int r, int c) -> float & { return x[r * s.stride + c]; };
      if (s.cols == 600) {
        // Row 1: a max tied across chunks (100 and 400) and within one (101);
        // the min sits in the masked tail chunk, at the last column.
        at(1, 100) = at(1, 101) = at(1, 400) = 9;
        at(1, 599) = -9;
        // Row 2: -inf twice (7 and 520); the max tied inside the last chunk.
        at(2, 7) = at(2, 520) = -INFINITY;
        at(2, 555) = at(2, 556) = 8;
        // Row 3: all -inf: both extremes are -inf at index 0.
        for (int c = 0; c < s.cols; ++c)
          at(3, c) = -INFINITY;
        // Row 4: constant: index 0 for both.
        for (int c = 0; c < s.cols; ++c)
          at(4, c) = -1.5f;
        // Row 5: +inf at 300 and 301; min tied across chunks (3 and 258).
        at(5, 300) = at(5, 301) = INFINITY;
        at(5, 3) = at(5, 258) = -6;
        // Row 6: every value negative, the max in the tail chunk.
        for (int c = 0; c < s.cols; ++c)
          at(6, c) = -5 - std::fabs(at(6, c));
        at(6, 590) = -0.25f;
      }
      HostBuffer bx = bufferOf(f32(), x),
                 maxV = bufferOf(f32(), std::vector<float>(s.rows, NAN)),
                 minV = bufferOf(f32(), std::vector<float>(s.rows, NAN)),
                 maxI = bufferOf(i32(), std::vector<int32_t>(s.rows, -777)),
                 minI = bufferOf(i32(), std::vector<int32_t>(s.rows, -777));
      ASSERT_TRUE(succeeded(
          run(k, {LaunchArg::ofBuffer(bx), LaunchArg::ofBuffer(maxV),
                  LaunchArg::ofBuffer(maxI), LaunchArg::ofBuffer(minV),
                  LaunchArg::ofBuffer(minI), LaunchArg::ofInt(s.rows),
                  LaunchArg::ofInt(s.cols), LaunchArg::ofInt(s.stride)})))
          << diagnostics;
      std::vector<float> gotMax = valuesOf<float>(maxV),
                         gotMin = valuesOf<float>(minV);
      std::vector<int32_t> gotMaxI = valuesOf<int32_t>(maxI),
                           gotMinI = valuesOf<int32_t>(minI);
      for (int r = 0; r < s.rows; ++r) {
        RowExtremes e = rowExtremes(&x[r * s.stride], s.cols);
        EXPECT_EQ(bitsOf(gotMax[r]), bitsOf(e.maxVal))
            << "row " << r << ": max " << gotMax[r] << ", want " << e.maxVal;
        EXPECT_EQ(gotMaxI[r], e.maxIdx) << "row " << r << ": argmax";
        EXPECT_EQ(bitsOf(gotMin[r]), bitsOf(e.minVal))
            << "row " << r << ": min " << gotMin[r] << ", want " << e.minVal;
        EXPECT_EQ(gotMinI[r], e.minIdx) << "row " << r << ": argmin";
      }
      if (s.cols == 600) { // the reference itself sees the intended ties
        EXPECT_EQ(rowExtremes(&x[1 * s.stride], s.cols).maxIdx, 100);
        EXPECT_EQ(rowExtremes(&x[2 * s.stride], s.cols).minIdx, 7);
        EXPECT_EQ(rowExtremes(&x[5 * s.stride], s.cols).minIdx, 3);
      }
    }
  }
}

TEST_F(InterpreterExamplesTest, HistogramSkipsOutOfRangeAndNaN) {
  // @config BLOCK = 1024; n = 3001 is three chunks and a masked tail.
  KernelOp k = variant("histogram.kdsl", "histogram", {});
  ASSERT_TRUE(k);
  const int n = 3001, nBins = 13;
  const float lo = -2.0f, invWidth = 4.0f; // bins cover [-2, 1.25)
  std::vector<float> data = uniform(n, -3, 2);
  const float top = lo + nBins / invWidth; // 1.25 exactly: t == 13, skipped
  std::vector<float> special = {lo,
                                std::nextafter(lo, -INFINITY),
                                top,
                                std::nextafter(top, -INFINITY),
                                std::nextafter(top, INFINITY),
                                NAN,
                                -NAN,
                                INFINITY,
                                -INFINITY,
                                1e30f,
                                -1e30f,
                                -0.0f,
                                0.0f};
  for (size_t s = 0; s < special.size(); ++s) {
    data[7 * s + 1] = special[s];
    data[n - 1 - 3 * s] = special[s]; // the tail chunk too
  }
  std::vector<int32_t> want(nBins, 0);
  int counted = 0;
  for (float v : data) {
    if (!(v >= lo))
      continue;                    // below lo, or NaN
    float t = (v - lo) * invWidth; // in f32, as the header says
    if (!(t < float(nBins)))
      continue;
    ++want[static_cast<int32_t>(t)];
    ++counted;
  }
  ASSERT_GT(counted, n / 2);
  ASSERT_LT(counted, n - 10);
  // Any 1-D grid gives the same counts: fewer instances than chunks (a
  // grid-stride loop), as many, and more (instances that return at once).
  for (int64_t g : {1, 2, 3, 7}) {
    SCOPED_TRACE("grid " + std::to_string(g));
    HostBuffer bd = bufferOf(f32(), data),
               bins = bufferOf(i32(), std::vector<int32_t>(nBins, 0));
    ASSERT_TRUE(succeeded(
        interpret(k, {g, 1, 1},
                  {LaunchArg::ofBuffer(bd), LaunchArg::ofBuffer(bins),
                   LaunchArg::ofInt(n), LaunchArg::ofInt(nBins),
                   LaunchArg::ofFloat(lo), LaunchArg::ofFloat(invWidth)})))
        << diagnostics;
    EXPECT_EQ(valuesOf<int32_t>(bins), want);
  }
}

//===----------------------------------------------------------------------===//
// activations.kdsl
//===----------------------------------------------------------------------===//

double activationRef(int act, double x) {
  if (std::isnan(x))
    return NAN;
  switch (act) {
  case 0:
    return std::max(x, 0.0);
  case 1:
    return std::min(std::max(x, 0.0), 6.0);
  case 2:
    return x >= 0 ? x : 0.01 * x;
  case 3:
    return 1 / (1 + std::exp(-x));
  case 4:
    return x / (1 + std::exp(-x));
  case 5:
    return std::tanh(x);
  case 6:
    return std::log1p(std::exp(x)) - std::log(2.0);
  case 7:
    return x > 0 ? x : std::expm1(x);
  case 8:
    return (x + std::sqrt(x * x + 4)) / 2;
  }
  return NAN;
}

TEST_F(InterpreterExamplesTest, ActivationsEveryActGatedAndNot) {
  const int n = 2500, pad = 21; // 2500 = 2 * 1024 + 452
  std::vector<float> x = uniform(n, -10, 10), gate = uniform(n, -2, 2);
  std::vector<float> special = {0.0f,   -0.0f, 6.0f,   -1e-3f, 1e-3f, 30.0f,
                                -30.0f, 80.0f, -80.0f, 6.5f,   NAN};
  for (size_t s = 0; s < special.size(); ++s) {
    x[3 * s] = special[s];
    x[n - 1 - 2 * s] = special[s];
  }
  for (int act = 0; act <= 8; ++act)
    for (int gated = 0; gated <= 1; ++gated) {
      SCOPED_TRACE("ACT=" + std::to_string(act) +
                   " GATED=" + std::to_string(gated));
      KernelOp k = variant("activations.kdsl", "activation",
                           {"ACT=" + std::to_string(act),
                            gated ? "GATED=true" : "GATED=false", "BLOCK=1024",
                            "num_warps=4"});
      ASSERT_TRUE(k);
      // Ungated, the gate is never read: an empty buffer would fail any load.
      HostBuffer bx = bufferOf(f32(), x),
                 bg = bufferOf(f32(), gated ? gate : std::vector<float>()),
                 by = bufferOf(f32(), std::vector<float>(n + pad, NAN));
      ASSERT_TRUE(
          succeeded(run(k, {LaunchArg::ofBuffer(bx), LaunchArg::ofBuffer(bg),
                            LaunchArg::ofBuffer(by), LaunchArg::ofInt(n)})))
          << diagnostics;
      std::vector<float> y = valuesOf<float>(by);
      std::vector<double> want(n);
      for (int i = 0; i < n; ++i)
        want[i] = activationRef(act, x[i]) * (gated ? double(gate[i]) : 1.0);
      expectRel(toDouble(std::vector<float>(y.begin(), y.begin() + n)), want,
                1e-5);
      for (int i = n; i < n + pad; ++i)
        EXPECT_TRUE(std::isnan(y[i])) << "masked lane " << i;
    }
}

//===----------------------------------------------------------------------===//
// matmul_bias_relu.kdsl
//===----------------------------------------------------------------------===//

TEST_F(InterpreterExamplesTest, MatmulBiasReluBf16) {
  const int M = 70, N = 90, K = 50, lda = K + 3, ldb = N + 5, ldc = N + 7;
  KernelOp k = variant("matmul_bias_relu.kdsl", "matmul_bias_relu",
                       {"BM=64", "BN=64", "BK=32", "num_warps=4"});
  ASSERT_TRUE(k);
  std::vector<uint16_t> a(M * lda), b(K * ldb);
  std::vector<float> af = uniform(M * lda, -2, 2),
                     bfl = uniform(K * ldb, -2, 2);
  for (size_t i = 0; i < a.size(); ++i)
    a[i] = toBf16(af[i]);
  for (size_t i = 0; i < b.size(); ++i)
    b[i] = toBf16(bfl[i]);
  std::vector<float> bias = uniform(N, -3, 3);
  const uint16_t poison = 0x7FC0; // bf16 NaN
  HostBuffer ba = bufferOf(bf16(), a), bb = bufferOf(bf16(), b),
             bbias = bufferOf(f32(), bias),
             bc = bufferOf(bf16(), std::vector<uint16_t>(M * ldc, poison));
  ASSERT_TRUE(
      succeeded(run(k, {LaunchArg::ofBuffer(ba), LaunchArg::ofBuffer(bb),
                        LaunchArg::ofBuffer(bbias), LaunchArg::ofBuffer(bc),
                        LaunchArg::ofInt(M), LaunchArg::ofInt(N),
                        LaunchArg::ofInt(K), LaunchArg::ofInt(lda),
                        LaunchArg::ofInt(ldb), LaunchArg::ofInt(ldc)})))
      << diagnostics;
  std::vector<uint16_t> c = valuesOf<uint16_t>(bc);
  std::vector<double> got, want, tol;
  int zeros = 0;
  for (int i = 0; i < M; ++i) {
    for (int j = 0; j < N; ++j) {
      DotInDouble d = dotInDouble(
          K, [&](int kk) { return fromBf16(a[i * lda + kk]); },
          [&](int kk) { return fromBf16(b[kk * ldb + j]); });
      double s = bias[j] + d.sum, mag = std::fabs(bias[j]) + d.magnitude;
      double w = fromBf16(toBf16(static_cast<float>(std::max(s, 0.0))));
      zeros += w == 0;
      got.push_back(fromBf16(c[i * ldc + j]));
      want.push_back(w);
      double sumErr = (K + 2) * kU * mag;
      tol.push_back(sumErr + 0x1p-7 * (std::fabs(w) + sumErr));
    }
    for (int j = N; j < ldc; ++j)
      EXPECT_EQ(c[i * ldc + j], poison) << "padding at row " << i;
  }
  EXPECT_GT(zeros, 0) << "ReLU never clamped: inputs too positive";
  EXPECT_LT(zeros, M * N) << "everything clamped";
  expectWithin(got, want, tol);
}

//===----------------------------------------------------------------------===//
// attention_scores.kdsl
//===----------------------------------------------------------------------===//

TEST_F(InterpreterExamplesTest, AttentionScoresCausalAndNot) {
  const int Z = 3, seqQ = 50, seqK = 70, D = 32; // tiles of 32 leave tails
  const float scale = 1 / std::sqrt(float(D));
  std::vector<_Float16> q = uniformHalves(Z * seqQ * D, -2, 2),
                        kk = uniformHalves(Z * seqK * D, -2, 2);
  for (int causal = 0; causal <= 1; ++causal) {
    SCOPED_TRACE(causal ? "CAUSAL" : "not CAUSAL");
    KernelOp k = variant("attention_scores.kdsl", "attention_scores",
                         {"D=32", causal ? "CAUSAL=true" : "CAUSAL=false",
                          "BM=32", "BN=32", "num_warps=4"});
    ASSERT_TRUE(k);
    HostBuffer bq = bufferOf(f16(), q), bk = bufferOf(f16(), kk),
               bs = bufferOf(f32(), std::vector<float>(Z * seqQ * seqK, NAN));
    ASSERT_TRUE(
        succeeded(run(k, {LaunchArg::ofBuffer(bq), LaunchArg::ofBuffer(bk),
                          LaunchArg::ofBuffer(bs), LaunchArg::ofInt(Z),
                          LaunchArg::ofInt(seqQ), LaunchArg::ofInt(seqK),
                          LaunchArg::ofFloat(scale)})))
        << diagnostics;
    std::vector<double> want, tol;
    for (int z = 0; z < Z; ++z)
      for (int i = 0; i < seqQ; ++i)
        for (int j = 0; j < seqK; ++j) {
          DotInDouble s = dotInDouble(
              D, [&](int d) { return q[(z * seqQ + i) * D + d]; },
              [&](int d) { return kk[(z * seqK + j) * D + d]; });
          double w = causal && j > i ? -INFINITY : double(scale) * s.sum;
          want.push_back(w);
          tol.push_back((D + 2) * kU * double(scale) * s.magnitude +
                        kU * std::fabs(w));
        }
    expectWithin(toDouble(valuesOf<float>(bs)), want, tol);
  }
}

//===----------------------------------------------------------------------===//
// batched_matmul.kdsl
//===----------------------------------------------------------------------===//

TEST_F(InterpreterExamplesTest, BatchedMatmulWithTails) {
  // C[z] = A[z] B[z] in double; 70 x 40 x 100 leaves tails of every tile.
  const int Z = 3, M = 70, N = 40, K = 100;
  std::vector<_Float16> a = uniformHalves(Z * M * K, -2, 2),
                        bb = uniformHalves(Z * K * N, -2, 2);
  KernelOp k = variant("batched_matmul.kdsl", "batched_matmul",
                       {"BM=64", "BN=32", "BK=32", "num_warps=4"});
  ASSERT_TRUE(k);
  HostBuffer ba = bufferOf(f16(), a), bbuf = bufferOf(f16(), bb),
             bc = bufferOf(f32(), std::vector<float>(Z * M * N, NAN));
  ASSERT_TRUE(succeeded(
      run(k, {LaunchArg::ofBuffer(ba), LaunchArg::ofBuffer(bbuf),
              LaunchArg::ofBuffer(bc), LaunchArg::ofInt(Z), LaunchArg::ofInt(M),
              LaunchArg::ofInt(N), LaunchArg::ofInt(K)})))
      << diagnostics;
  std::vector<double> want, tol;
  for (int z = 0; z < Z; ++z)
    for (int i = 0; i < M; ++i)
      for (int j = 0; j < N; ++j) {
        DotInDouble d = dotInDouble(
            K, [&](int kk) { return a[(z * M + i) * K + kk]; },
            [&](int kk) { return bb[(z * K + kk) * N + j]; });
        want.push_back(d.sum);
        tol.push_back((K + 2) * kU * d.magnitude);
      }
  expectWithin(toDouble(valuesOf<float>(bc)), want, tol);
}

//===----------------------------------------------------------------------===//
// flash_attention.kdsl
//===----------------------------------------------------------------------===//

TEST_F(InterpreterExamplesTest, FlashAttentionCausalAndNot) {
  // softmax(scale Q K^T) V in double, the plain way: every score, the row's
  // maximum and sum, then the weighted rows of V. seq = 100 leaves tails of
  // the 64-row and 32-row blocks.
  const int Z = 2, seq = 100, D = 32;
  const float scale = 1 / std::sqrt(float(D));
  std::vector<_Float16> q = uniformHalves(Z * seq * D, -2, 2),
                        kk = uniformHalves(Z * seq * D, -2, 2),
                        v = uniformHalves(Z * seq * D, -2, 2);
  for (int causal = 0; causal <= 1; ++causal) {
    SCOPED_TRACE(causal ? "CAUSAL" : "not CAUSAL");
    KernelOp k = variant("flash_attention.kdsl", "flash_attention",
                         {"D=32", causal ? "CAUSAL=true" : "CAUSAL=false",
                          "BM=64", "BN=32", "num_warps=4"});
    ASSERT_TRUE(k);
    HostBuffer bq = bufferOf(f16(), q), bk = bufferOf(f16(), kk),
               bv = bufferOf(f16(), v),
               bo = bufferOf(f16(), std::vector<_Float16>(q.size(), NAN));
    ASSERT_TRUE(
        succeeded(run(k, {LaunchArg::ofBuffer(bq), LaunchArg::ofBuffer(bk),
                          LaunchArg::ofBuffer(bv), LaunchArg::ofBuffer(bo),
                          LaunchArg::ofInt(Z), LaunchArg::ofInt(seq),
                          LaunchArg::ofFloat(scale)})))
        << diagnostics;
    std::vector<double> want, tol;
    for (int z = 0; z < Z; ++z)
      for (int i = 0; i < seq; ++i) {
        int keys = causal ? i + 1 : seq;
        std::vector<double> p(keys);
        double top = -INFINITY, total = 0;
        for (int j = 0; j < keys; ++j) {
          double s = 0;
          for (int d = 0; d < D; ++d)
            s += double(q[(z * seq + i) * D + d]) *
                 double(kk[(z * seq + j) * D + d]);
          p[j] = scale * s;
          top = std::max(top, p[j]);
        }
        for (double &x : p)
          total += x = std::exp(x - top);
        for (int d = 0; d < D; ++d) {
          double o = 0;
          for (int j = 0; j < keys; ++j)
            o += p[j] * double(v[(z * seq + j) * D + d]);
          want.push_back(o / total);
          // P is rounded to f16 before its dot with V, the output too: a
          // few f16 ulps of the largest |v|.
          tol.push_back(4e-3);
        }
      }
    std::vector<double> got;
    for (_Float16 h : valuesOf<_Float16>(bo))
      got.push_back(double(h));
    expectWithin(got, want, tol);
  }
}

//===----------------------------------------------------------------------===//
// rope.kdsl
//===----------------------------------------------------------------------===//

/// An f32 op computed in double and rounded once, as a correctly rounded f32
/// implementation gives it.
float f32Of(double v) { return static_cast<float>(v); }

TEST_F(InterpreterExamplesTest, Rope) {
  const int batch = 2, seq = 37, heads = 3, half = 16, width = heads * 2 * half;
  const float base = 10000.0f;
  KernelOp k = variant("rope.kdsl", "rope", {"HALF=16"});
  ASSERT_TRUE(k);
  std::vector<float> x = uniform(size_t(batch) * seq * width, -2, 2);
  HostBuffer bx = bufferOf(f32(), x),
             by = bufferOf(f32(), std::vector<float>(x.size(), NAN));
  ASSERT_TRUE(
      succeeded(run(k, {LaunchArg::ofBuffer(bx), LaunchArg::ofBuffer(by),
                        LaunchArg::ofInt(batch), LaunchArg::ofInt(seq),
                        LaunchArg::ofInt(heads), LaunchArg::ofFloat(base)})))
      << diagnostics;
  std::vector<double> want(x.size());
  // theta = f32(t) * exp2(f32(j) * (-log2(base) / f32(HALF))), each op in f32.
  const float negLog = f32Of(-double(f32Of(std::log2(double(base)))) / half);
  for (int b = 0; b < batch; ++b)
    for (int t = 0; t < seq; ++t)
      for (int h = 0; h < heads; ++h)
        for (int j = 0; j < half; ++j) {
          float theta =
              f32Of(double(t) * f32Of(std::exp2(double(f32Of(j * negLog)))));
          size_t o = (size_t(b) * seq + t) * width + h * 2 * half;
          double x1 = x[o + j], x2 = x[o + half + j];
          want[o + j] = x1 * std::cos(theta) - x2 * std::sin(theta);
          want[o + half + j] = x2 * std::cos(theta) + x1 * std::sin(theta);
        }
  expectRel(toDouble(valuesOf<float>(by)), want, 1e-4);
}

//===----------------------------------------------------------------------===//
// col_mean.kdsl
//===----------------------------------------------------------------------===//

TEST_F(InterpreterExamplesTest, ColMeanSplitRows) {
  struct Case {
    int batch, rows, cols;
    std::vector<std::string> config; // SPLIT > 1 in every case
  };
  for (const Case &cs :
       {Case{3, 45, 300, {"BLOCK=128", "SPLIT=4"}},
        // The row loop's loads 2 iterations ahead (its step is SPLIT, known
        // only at run time), with 12 iterations and with none.
        Case{3, 45, 300, {"BLOCK=128", "SPLIT=4", "num_stages=3"}},
        Case{2, 3, 77, {}}, // @config: BLOCK = 256, SPLIT = 8 > n_rows
        Case{2, 0, 77, {"BLOCK=64", "SPLIT=3", "num_stages=2"}}}) {
    SCOPED_TRACE("n_rows = " + std::to_string(cs.rows));
    KernelOp k = variant("col_mean.kdsl", "col_mean", cs.config);
    ASSERT_TRUE(k);
    std::vector<float> x = uniform(size_t(cs.batch) * cs.rows * cs.cols, -2, 2);
    if (!x.empty())
      x[0] = 1e3f; // one large value, so the columns differ in scale
    HostBuffer bx = bufferOf(f32(), x),
               out = bufferOf(f32(), std::vector<float>(cs.batch * cs.cols,
                                                        0.0f)); // zeroed
    ASSERT_TRUE(
        succeeded(run(k, {LaunchArg::ofBuffer(bx), LaunchArg::ofBuffer(out),
                          LaunchArg::ofInt(cs.batch), LaunchArg::ofInt(cs.rows),
                          LaunchArg::ofInt(cs.cols)})))
        << diagnostics;
    const int split = cs.config.empty() ? 8 : std::stoi(cs.config[1].substr(6));
    std::vector<double> want, tol;
    for (int b = 0; b < cs.batch; ++b)
      for (int c = 0; c < cs.cols; ++c) {
        double s = 0, mag = 0;
        for (int r = 0; r < cs.rows; ++r) {
          double v = x[(size_t(b) * cs.rows + r) * cs.cols + c];
          s += v;
          mag += std::fabs(v);
        }
        double w = cs.rows == 0 ? NAN : s / cs.rows;
        want.push_back(w);
        tol.push_back(
            cs.rows == 0 ? 0 : (cs.rows + split + 2) * kU * mag / cs.rows);
      }
    expectWithin(toDouble(valuesOf<float>(out)), want, tol);
  }
}

//===----------------------------------------------------------------------===//
// softmax_rows.kdsl
//===----------------------------------------------------------------------===//

TEST_F(InterpreterExamplesTest, SoftmaxRowsTailsAndPadding) {
  // ROWS = 4 over 37 rows leaves a last instance with one row; n_cols = 1000
  // leaves a column tail; the stride's padding must stay poisoned.
  const int rows = 37, cols = 1000, stride = 1003;
  for (int r4 : {1, 4}) {
    SCOPED_TRACE("ROWS = " + std::to_string(r4));
    KernelOp k =
        variant("softmax_rows.kdsl", "softmax_rows",
                {"n_cols=1000", "ROWS=" + std::to_string(r4), "num_warps=4"});
    ASSERT_TRUE(k);
    std::vector<float> in = uniform(size_t(rows) * stride, -8, 8);
    in[3] = 60.0f; // a large value: the row maximum must be subtracted
    HostBuffer bi = bufferOf(f32(), in),
               bo = bufferOf(f32(), std::vector<float>(rows * stride, NAN));
    ASSERT_TRUE(
        succeeded(run(k, {LaunchArg::ofBuffer(bo), LaunchArg::ofBuffer(bi),
                          LaunchArg::ofInt(rows), LaunchArg::ofInt(cols),
                          LaunchArg::ofInt(stride)})))
        << diagnostics;
    std::vector<float> out = valuesOf<float>(bo);
    int bad = 0;
    for (int r = 0; r < rows; ++r) {
      double m = -INFINITY, sum = 0;
      for (int c = 0; c < cols; ++c)
        m = std::max(m, double(in[r * stride + c]));
      for (int c = 0; c < cols; ++c)
        sum += std::exp(double(in[r * stride + c]) - m);
      for (int c = 0; c < stride; ++c) {
        float g = out[r * stride + c];
        double want = std::exp(double(in[r * stride + c]) - m) / sum;
        bool ok = c < cols ? std::fabs(g - want) <= 1e-5 * want + 1e-12
                           : std::isnan(g);
        if (!ok && ++bad <= 5)
          ADD_FAILURE() << "out[" << r << ", " << c << "] = " << g << ", want "
                        << want;
      }
    }
    EXPECT_EQ(bad, 0);
  }
}

//===----------------------------------------------------------------------===//
// layer_norm_rows.kdsl
//===----------------------------------------------------------------------===//

TEST_F(InterpreterExamplesTest, LayerNormRowsTailsAndPadding) {
  // ROWS = 4 over 37 rows leaves a last instance with one row; n_cols = 1000
  // leaves a column tail; the stride's padding must stay poisoned.
  const int rows = 37, cols = 1000, stride = 1003;
  const float eps = 1e-5f;
  for (int r4 : {1, 4}) {
    SCOPED_TRACE("ROWS = " + std::to_string(r4));
    KernelOp k =
        variant("layer_norm_rows.kdsl", "layer_norm_rows",
                {"n_cols=1000", "ROWS=" + std::to_string(r4), "num_warps=4"});
    ASSERT_TRUE(k);
    std::vector<float> x = uniform(size_t(rows) * stride, -3, 3),
                       w = uniform(cols, 0.5f, 1.5f), b = uniform(cols, -1, 1);
    x[2] = 40.0f; // a large value, so the mean matters
    HostBuffer bx = bufferOf(f32(), x),
               by = bufferOf(f32(), std::vector<float>(rows * stride, NAN)),
               bw = bufferOf(f32(), w), bb = bufferOf(f32(), b);
    ASSERT_TRUE(
        succeeded(run(k, {LaunchArg::ofBuffer(bx), LaunchArg::ofBuffer(by),
                          LaunchArg::ofBuffer(bw), LaunchArg::ofBuffer(bb),
                          LaunchArg::ofInt(rows), LaunchArg::ofInt(cols),
                          LaunchArg::ofInt(stride), LaunchArg::ofFloat(eps)})))
        << diagnostics;
    std::vector<float> y = valuesOf<float>(by);
    int bad = 0;
    for (int r = 0; r < rows; ++r) {
      double mean = 0, var = 0;
      for (int c = 0; c < cols; ++c)
        mean += x[r * stride + c];
      mean /= cols;
      for (int c = 0; c < cols; ++c)
        var += (x[r * stride + c] - mean) * (x[r * stride + c] - mean);
      var /= cols;
      double rstd = 1 / std::sqrt(var + double(eps));
      for (int c = 0; c < stride; ++c) {
        float g = y[r * stride + c];
        bool ok;
        if (c < cols) {
          double want = (x[r * stride + c] - mean) * rstd * w[c] + b[c];
          ok = std::fabs(g - want) <= 1e-4 * (std::fabs(want) + 1);
          if (!ok && ++bad <= 5)
            ADD_FAILURE() << "y[" << r << ", " << c << "] = " << g << ", want "
                          << want;
        } else {
          ok = std::isnan(g);
          if (!ok && ++bad <= 5)
            ADD_FAILURE() << "padding y[" << r << ", " << c << "] = " << g;
        }
      }
    }
    EXPECT_EQ(bad, 0);
  }
}

//===----------------------------------------------------------------------===//
// dropout.kdsl: dropout, dropout_backward
//===----------------------------------------------------------------------===//

uint32_t hash32(uint32_t x) {
  x ^= x >> 16;
  x *= 0x45d9f3bu;
  x ^= x >> 16;
  x *= 0x45d9f3bu;
  x ^= x >> 16;
  return x;
}

TEST_F(InterpreterExamplesTest, DropoutAndBackwardBitExact) {
  const int n = 5000, pad = 37; // 5000 = 4 * 1024 + 904
  KernelOp fwd = variant("dropout.kdsl", "dropout", {"BLOCK=1024"});
  ASSERT_TRUE(fwd);
  std::vector<float> x = uniform(n + pad, -3, 3);
  x[10] = -0.0f;
  struct Case {
    int32_t seed, p16;
  };
  for (Case cs : {Case{12345, 19661},      // p = 0.3
                  Case{-987654321, 32768}, // negative seed, p = 0.5
                  Case{7, 0},              // keep everything
                  Case{7, 65536}}) {       // drop everything
    SCOPED_TRACE("seed " + std::to_string(cs.seed) + " p16 " +
                 std::to_string(cs.p16));
    const float scale =
        cs.p16 == 65536 ? 1.0f : float(65536.0 / (65536 - cs.p16));
    std::vector<float> wantY(n);
    std::vector<int8_t> wantKeep(n);
    uint32_t h0 = hash32(static_cast<uint32_t>(cs.seed));
    int kept = 0;
    for (int i = 0; i < n; ++i) {
      uint32_t h = hash32(h0 + static_cast<uint32_t>(i));
      bool keep = int32_t(h & 0xFFFF) >= cs.p16;
      wantY[i] = keep ? x[i] * scale : 0.0f;
      wantKeep[i] = keep;
      kept += keep;
    }
    if (cs.p16 == 19661) { // the hash is not constant: about 70 % kept
      EXPECT_GT(kept, n * 65 / 100);
      EXPECT_LT(kept, n * 75 / 100);
    }
    HostBuffer bx = bufferOf(f32(), x),
               by = bufferOf(f32(), std::vector<float>(n + pad, NAN)),
               bm = bufferOf(i8(), std::vector<int8_t>(n + pad, 0x55));
    ASSERT_TRUE(
        succeeded(run(fwd, {LaunchArg::ofBuffer(bx), LaunchArg::ofBuffer(by),
                            LaunchArg::ofBuffer(bm), LaunchArg::ofInt(n),
                            LaunchArg::ofInt(cs.p16), LaunchArg::ofFloat(scale),
                            LaunchArg::ofInt(cs.seed)})))
        << diagnostics;
    std::vector<float> y = valuesOf<float>(by);
    std::vector<int8_t> keep = valuesOf<int8_t>(bm);
    int bad = 0;
    for (int i = 0; i < n; ++i)
      if ((bitsOf(y[i]) != bitsOf(wantY[i]) || keep[i] != wantKeep[i]) &&
          ++bad <= 5)
        ADD_FAILURE() << "element " << i << ": y " << y[i] << " keep "
                      << int(keep[i]) << ", want " << wantY[i] << " keep "
                      << int(wantKeep[i]);
    EXPECT_EQ(bad, 0);
    for (int i = n; i < n + pad; ++i) {
      EXPECT_TRUE(std::isnan(y[i])) << "masked lane " << i;
      EXPECT_EQ(keep[i], 0x55) << "masked lane " << i;
    }
  }

  // Backward, from a 0/1 mask of the same hash (seed 12345, p = 0.3).
  KernelOp bwd = variant("dropout.kdsl", "dropout_backward",
                         {"BLOCK=1024", "num_warps=4"});
  ASSERT_TRUE(bwd);
  const float scale = float(65536.0 / (65536 - 19661));
  std::vector<int8_t> mask(n + pad, 1);
  uint32_t h0 = hash32(12345u);
  for (int i = 0; i < n; ++i)
    mask[i] = (hash32(h0 + uint32_t(i)) & 0xFFFF) >= 19661u;
  std::vector<float> dy = uniform(n + pad, -3, 3);
  HostBuffer bdy = bufferOf(f32(), dy), bm = bufferOf(i8(), mask),
             bdx = bufferOf(f32(), std::vector<float>(n + pad, NAN));
  ASSERT_TRUE(
      succeeded(run(bwd, {LaunchArg::ofBuffer(bdy), LaunchArg::ofBuffer(bm),
                          LaunchArg::ofBuffer(bdx), LaunchArg::ofInt(n),
                          LaunchArg::ofFloat(scale)})))
      << diagnostics;
  std::vector<float> dx = valuesOf<float>(bdx);
  int bad = 0;
  for (int i = 0; i < n; ++i) {
    float w = mask[i] ? dy[i] * scale : 0.0f;
    if (bitsOf(dx[i]) != bitsOf(w) && ++bad <= 5)
      ADD_FAILURE() << "dx[" << i << "] = " << dx[i] << ", want " << w;
  }
  EXPECT_EQ(bad, 0);
  for (int i = n; i < n + pad; ++i)
    EXPECT_TRUE(std::isnan(dx[i])) << "masked lane " << i;
}

} // namespace
