//===- EmulatorTensorCoreTest.cpp - mma.sync, ldmatrix, cp.async emulated -===//
//
// Hand-written per-thread code for one warp (what a tensor-core lowering
// emits): operand tiles copied to shared memory with cp.async, committed,
// waited for and fenced by a barrier, read back as fragments with
// ldmatrix (.trans for a K-major B), multiplied with mma.sync and stored by
// the accumulator fragment's table. The IR transcribes the PTX ISA's
// fragment tables on its own; the emulator (lib/Emulator/TensorCore.cpp)
// has its own transcription; the result must equal a plain host matmul.
// A missing wait, a missing barrier and a wrong fragment mapping must each
// be caught.
//
//===----------------------------------------------------------------------===//

#include "kdsl/Emulator/SimtEmulator.h"
#include "kdsl/Lowering/Pipeline.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/Parser/Parser.h"
#include "llvm/ADT/APFloat.h"
#include "llvm/ADT/StringExtras.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <vector>

using namespace mlir;
using namespace kdsl;

namespace {

/// D[16x8] f32 = A[16x16] f16 (row-major) x B[16x8] f16 (row-major, so K is
/// not contiguous for B's fragments: ldmatrix .trans).
constexpr const char *kMmaF16 = R"mlir(
gpu.module @m {
  llvm.mlir.global external @kdsl_shared() {addr_space = 3 : i32, alignment = 16 : i64} : !llvm.array<0 x i8>
  gpu.func @mma(%a: !llvm.ptr<1>, %b: !llvm.ptr<1>, %d: !llvm.ptr<1>) kernel
      attributes {kdsl.shared_bytes = 768 : i64, known_block_size = array<i32: 32, 1, 1>} {
    %lane = nvvm.read.ptx.sreg.tid.x : i32
    %smem = llvm.mlir.addressof @kdsl_shared : !llvm.ptr<3>
    %c2 = arith.constant 2 : i32
    %c4 = arith.constant 4 : i32
    %c8 = arith.constant 8 : i32
    %c16 = arith.constant 16 : i32
    %c256 = arith.constant 256 : i32
    // A: 512 bytes, 16 per lane. B: 256 bytes after it, 16 per lane 0-15.
    %chunk = arith.muli %lane, %c8 : i32
    %a_src = llvm.getelementptr %a[%chunk] : (!llvm.ptr<1>, i32) -> !llvm.ptr<1>, f16
    %a_dst = llvm.getelementptr %smem[%chunk] : (!llvm.ptr<3>, i32) -> !llvm.ptr<3>, f16
    nvvm.cp.async.shared.global %a_dst, %a_src, 16, cache = cg : !llvm.ptr<3>, !llvm.ptr<1>
    %copies_b = arith.cmpi slt, %lane, %c16 : i32
    scf.if %copies_b {
      %b_src = llvm.getelementptr %b[%chunk] : (!llvm.ptr<1>, i32) -> !llvm.ptr<1>, f16
      %b_at = arith.addi %chunk, %c256 : i32
      %b_dst = llvm.getelementptr %smem[%b_at] : (!llvm.ptr<3>, i32) -> !llvm.ptr<3>, f16
      nvvm.cp.async.shared.global %b_dst, %b_src, 16, cache = cg : !llvm.ptr<3>, !llvm.ptr<1>
    }
    nvvm.cp.async.commit.group
    nvvm.cp.async.wait.group 0
    gpu.barrier
    // ldmatrix.x4 of A: lane l gives row (l % 8) of matrix j = l / 8, where
    // matrix j holds rows 8 (j % 2).., columns 8 (j / 2)..: a0a1, a2a3, a4a5,
    // a6a7.
    %j = arith.divui %lane, %c8 : i32
    %r = arith.remui %lane, %c8 : i32
    %j_row = arith.remui %j, %c2 : i32
    %j_col = arith.divui %j, %c2 : i32
    %row8 = arith.muli %j_row, %c8 : i32
    %a_row = arith.addi %r, %row8 : i32
    %a_row_at = arith.muli %a_row, %c16 : i32
    %a_col = arith.muli %j_col, %c8 : i32
    %a_at = arith.addi %a_row_at, %a_col : i32
    %a_ptr = llvm.getelementptr %smem[%a_at] : (!llvm.ptr<3>, i32) -> !llvm.ptr<3>, f16
    %fa = nvvm.ldmatrix %a_ptr {num = 4 : i32, layout = #nvvm.mma_layout<row>, shape = #nvvm.ld_st_matrix_shape<m = 8, n = 8>, eltType = #nvvm.ld_st_matrix_elt_type<b16>} : (!llvm.ptr<3>) -> !llvm.struct<(i32, i32, i32, i32)>
    // ldmatrix.x2.trans of B: lane l < 16 gives row k = l of B (8 f16).
    %k = arith.remui %lane, %c16 : i32
    %k_at = arith.muli %k, %c8 : i32
    %b_at2 = arith.addi %k_at, %c256 : i32
    %b_ptr = llvm.getelementptr %smem[%b_at2] : (!llvm.ptr<3>, i32) -> !llvm.ptr<3>, f16
    %fb = nvvm.ldmatrix %b_ptr {num = 2 : i32, layout = #nvvm.mma_layout<col>, shape = #nvvm.ld_st_matrix_shape<m = 8, n = 8>, eltType = #nvvm.ld_st_matrix_elt_type<b16>} : (!llvm.ptr<3>) -> !llvm.struct<(i32, i32)>
    %ra0 = llvm.extractvalue %fa[0] : !llvm.struct<(i32, i32, i32, i32)>
    %ra1 = llvm.extractvalue %fa[1] : !llvm.struct<(i32, i32, i32, i32)>
    %ra2 = llvm.extractvalue %fa[2] : !llvm.struct<(i32, i32, i32, i32)>
    %ra3 = llvm.extractvalue %fa[3] : !llvm.struct<(i32, i32, i32, i32)>
    %rb0 = llvm.extractvalue %fb[0] : !llvm.struct<(i32, i32)>
    %rb1 = llvm.extractvalue %fb[1] : !llvm.struct<(i32, i32)>
    %a0 = llvm.bitcast %ra0 : i32 to vector<2xf16>
    %a1 = llvm.bitcast %ra1 : i32 to vector<2xf16>
    %a2 = llvm.bitcast %ra2 : i32 to vector<2xf16>
    %a3 = llvm.bitcast %ra3 : i32 to vector<2xf16>
    %b0 = llvm.bitcast %rb0 : i32 to vector<2xf16>
    %b1 = llvm.bitcast %rb1 : i32 to vector<2xf16>
    %zero = arith.constant 0.0 : f32
    %acc = nvvm.mma.sync A[%a0, %a1, %a2, %a3] B[%b0, %b1] C[%zero, %zero, %zero, %zero]
      {layoutA = #nvvm.mma_layout<row>, layoutB = #nvvm.mma_layout<col>,
       shape = #nvvm.shape<m = 16, n = 8, k = 16>}
      : (vector<2xf16>, vector<2xf16>, f32) -> !llvm.struct<(f32, f32, f32, f32)>
    // d_i: row groupID (+ 8 for i >= 2), column 2 threadID_in_group + i % 2.
    %g = arith.divui %lane, %c4 : i32
    %t = arith.remui %lane, %c4 : i32
    %g_at = arith.muli %g, %c8 : i32
    %t2 = arith.muli %t, %c2 : i32
    %d_at = arith.addi %g_at, %t2 : i32
    %d_ptr = llvm.getelementptr %d[%d_at] : (!llvm.ptr<1>, i32) -> !llvm.ptr<1>, f32
    %d_hi = llvm.getelementptr %d_ptr[64] : (!llvm.ptr<1>) -> !llvm.ptr<1>, f32
    %d0 = llvm.extractvalue %acc[0] : !llvm.struct<(f32, f32, f32, f32)>
    %d1 = llvm.extractvalue %acc[1] : !llvm.struct<(f32, f32, f32, f32)>
    %d2 = llvm.extractvalue %acc[2] : !llvm.struct<(f32, f32, f32, f32)>
    %d3 = llvm.extractvalue %acc[3] : !llvm.struct<(f32, f32, f32, f32)>
    %lo = vector.from_elements %d0, %d1 : vector<2xf32>
    %hi = vector.from_elements %d2, %d3 : vector<2xf32>
    llvm.store %lo, %d_ptr {alignment = 8 : i64} : vector<2xf32>, !llvm.ptr<1>
    llvm.store %hi, %d_hi {alignment = 8 : i64} : vector<2xf32>, !llvm.ptr<1>
    gpu.return
  }
}
)mlir";

/// Per-thread code for one mma.sync whose fragments each lane loads straight
/// from global memory, 32 bits at a time: register r of A at byte
/// groupID * aG + threadID_in_group * aT + aAt[r] of `a`, register r of B
/// likewise, C from the scalar argument `c`; d_i stored at row groupID
/// (+ 8 for i >= 2), column 2 threadID_in_group + i % 2 of a 16 x 8 `d`.
struct DirectMma {
  std::string ptxType, accumulator; // "tf32", "f32"
  int k;
  int aG, aT, aAt[4];
  int bG, bT, bAt[2];
  /// More attributes of the mma.sync ("intOverflowBehavior = ...").
  std::string attributes = "";
};

std::string directMmaSource(const DirectMma &m) {
  std::string s = "gpu.module @m {\n  gpu.func @mma(%a: !llvm.ptr<1>, %b: "
                  "!llvm.ptr<1>, %d: !llvm.ptr<1>, %c: " +
                  m.accumulator +
                  ") kernel attributes {known_block_size = array<i32: 32, 1, "
                  "1>} {\n";
  auto line = [&](const std::string &text) { s += "    " + text + "\n"; };
  auto constant = [&](const std::string &name, int value) {
    line("%" + name + " = arith.constant " + std::to_string(value) + " : i32");
  };
  line("%lane = nvvm.read.ptx.sreg.tid.x : i32");
  constant("c4", 4);
  line("%g = arith.divui %lane, %c4 : i32");
  line("%t = arith.remui %lane, %c4 : i32");
  auto fragment = [&](const std::string &name, const std::string &base, int g,
                      int t, const int *at, int count) {
    constant(name + "G", g);
    constant(name + "T", t);
    line("%" + name + "g = arith.muli %g, %" + name + "G : i32");
    line("%" + name + "t = arith.muli %t, %" + name + "T : i32");
    line("%" + name + "o = arith.addi %" + name + "g, %" + name + "t : i32");
    line("%" + name + "p = llvm.getelementptr %" + base + "[%" + name +
         "o] : (!llvm.ptr<1>, i32) -> !llvm.ptr<1>, i8");
    for (int r = 0; r < count; ++r) {
      std::string n = name + std::to_string(r);
      line("%" + n + "p = llvm.getelementptr %" + name + "p[" +
           std::to_string(at[r]) + "] : (!llvm.ptr<1>) -> !llvm.ptr<1>, i8");
      line("%" + n + " = llvm.load %" + n +
           "p {alignment = 4 : i64} : !llvm.ptr<1> -> i32");
    }
  };
  fragment("a", "a", m.aG, m.aT, m.aAt, 4);
  fragment("b", "b", m.bG, m.bT, m.bAt, 2);
  std::string acc = m.accumulator;
  line("%acc = nvvm.mma.sync A[%a0, %a1, %a2, %a3] B[%b0, %b1] C[%c, %c, %c, "
       "%c] {layoutA = #nvvm.mma_layout<row>, layoutB = "
       "#nvvm.mma_layout<col>, multiplicandAPtxType = #nvvm.mma_type<" +
       m.ptxType + ">, multiplicandBPtxType = #nvvm.mma_type<" + m.ptxType +
       ">, shape = #nvvm.shape<m = 16, n = 8, k = " + std::to_string(m.k) +
       ">" + (m.attributes.empty() ? "" : ", " + m.attributes) +
       "} : (i32, i32, " + acc + ") -> !llvm.struct<(" + acc + ", " + acc +
       ", " + acc + ", " + acc + ")>");
  constant("c32", 32);
  constant("c8", 8);
  line("%dg = arith.muli %g, %c32 : i32");
  line("%dt = arith.muli %t, %c8 : i32");
  line("%do = arith.addi %dg, %dt : i32");
  line("%dp = llvm.getelementptr %d[%do] : (!llvm.ptr<1>, i32) -> "
       "!llvm.ptr<1>, i8");
  const int dAt[4] = {0, 4, 256, 260};
  for (int i = 0; i < 4; ++i) {
    std::string n = "d" + std::to_string(i);
    line("%" + n + " = llvm.extractvalue %acc[" + std::to_string(i) +
         "] : !llvm.struct<(" + acc + ", " + acc + ", " + acc + ", " + acc +
         ")>");
    line("%" + n + "p = llvm.getelementptr %dp[" + std::to_string(dAt[i]) +
         "] : (!llvm.ptr<1>) -> !llvm.ptr<1>, i8");
    line("llvm.store %" + n + ", %" + n + "p {alignment = 4 : i64} : " + acc +
         ", !llvm.ptr<1>");
  }
  line("gpu.return");
  return s + "  }\n}\n";
}

class EmulatorTensorCoreTest : public ::testing::Test {
protected:
  MLIRContext context;
  std::string diagnostics;
  std::unique_ptr<ScopedDiagnosticHandler> handler;
  EmulatorStats stats;

  void SetUp() override {
    DialectRegistry registry;
    registerGpuLowering(registry);
    context.appendDialectRegistry(registry);
    loadGpuDialects(&context);
    handler = std::make_unique<ScopedDiagnosticHandler>(
        &context, [this](Diagnostic &diag) {
          diagnostics += diag.str() + "\n";
          return success();
        });
  }

  /// Parses `source` (a gpu.module) and runs its one gpu.func on one block
  /// with `args`; returns whether the emulator finished.
  bool run(const std::string &source, std::vector<LaunchArg> args) {
    OwningOpRef<ModuleOp> module =
        parseSourceString<ModuleOp>(source, ParserConfig(&context));
    EXPECT_TRUE(module) << diagnostics;
    if (!module)
      return false;
    gpu::GPUFuncOp func;
    module->walk([&](gpu::GPUFuncOp f) { func = f; });
    return succeeded(emulate(func, {1, 1, 1}, args, {}, &stats));
  }

  /// `count` random f16 values (bits) with few mantissa bits, so that every
  /// product and every partial sum is exact in f32 and the order of the
  /// additions cannot matter.
  static std::vector<uint16_t> halves(size_t count, unsigned seed) {
    std::mt19937 gen(seed);
    std::uniform_int_distribution<int> value(-8, 8);
    std::vector<uint16_t> out;
    for (size_t i = 0; i < count; ++i) {
      llvm::APFloat v(value(gen) / 4.0);
      bool lost;
      v.convert(llvm::APFloat::IEEEhalf(), llvm::APFloat::rmNearestTiesToEven,
                &lost);
      out.push_back(uint16_t(v.bitcastToAPInt().getZExtValue()));
    }
    return out;
  }

  static double halfValue(uint16_t bits) {
    llvm::APFloat v(llvm::APFloat::IEEEhalf(), llvm::APInt(16, bits));
    bool lost;
    v.convert(llvm::APFloat::IEEEdouble(), llvm::APFloat::rmNearestTiesToEven,
              &lost);
    return v.convertToDouble();
  }

  template <typename T> static HostBuffer buffer(Type type, const T &values) {
    HostBuffer b;
    b.elementType = type;
    b.bytes.resize(values.size() * sizeof(values[0]));
    std::memcpy(b.bytes.data(), values.data(), b.bytes.size());
    return b;
  }

  /// The elements of `D`, a 16 x 8 f32 matrix, that differ from
  /// float(want(i, j)); the first few fail the test when `report`.
  static int mismatches(const HostBuffer &D,
                        llvm::function_ref<double(int, int)> want,
                        bool report = true) {
    int bad = 0;
    for (int i = 0; i < 16; ++i)
      for (int j = 0; j < 8; ++j) {
        double expected = want(i, j);
        float got;
        std::memcpy(&got, &D.bytes[(i * 8 + j) * 4], 4);
        if (got != float(expected) && ++bad <= 3 && report)
          ADD_FAILURE() << "D[" << i << "][" << j << "] = " << got << ", want "
                        << expected;
      }
    return bad;
  }

  /// Runs `source` (kMmaF16 or a mutation of it) on random A and B; returns
  /// whether it finished and sets `mismatches` to the elements of D that
  /// differ from the host's A x B (failing the test for the first few when
  /// `report`).
  bool runMmaF16(const std::string &source, int &mismatches,
                 bool report = true) {
    std::vector<uint16_t> a = halves(16 * 16, 1), b = halves(16 * 8, 2);
    HostBuffer A = buffer(Float16Type::get(&context), a);
    HostBuffer B = buffer(Float16Type::get(&context), b);
    HostBuffer D =
        buffer(Float32Type::get(&context), std::vector<float>(16 * 8, NAN));
    if (!run(source, {LaunchArg::ofBuffer(A), LaunchArg::ofBuffer(B),
                      LaunchArg::ofBuffer(D)}))
      return false;
    mismatches = EmulatorTensorCoreTest::mismatches(
        D,
        [&](int i, int j) {
          double sum = 0;
          for (int k = 0; k < 16; ++k)
            sum += halfValue(a[i * 16 + k]) * halfValue(b[k * 8 + j]);
          return sum;
        },
        report);
    return true;
  }
};

std::string replaced(std::string text, const std::string &from,
                     const std::string &to) {
  size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos)
    text.replace(at, from.size(), to);
  return text;
}

TEST_F(EmulatorTensorCoreTest, CpAsyncLdMatrixMmaF16) {
  int mismatches = -1;
  ASSERT_TRUE(runMmaF16(kMmaF16, mismatches)) << diagnostics;
  EXPECT_EQ(mismatches, 0);
  // A's rows, unswizzled 32 bytes apart, pair up in 4 of the 8 groups of
  // banks: 2 wavefronts for each of its 4 matrices; B's 16-byte rows are
  // adjacent: 1 for each of its 2.
  EXPECT_EQ(stats.ldmatrixMatrices, 6);
  EXPECT_EQ(stats.ldmatrixWavefronts, 4 * 2 + 2 * 1);
}

TEST_F(EmulatorTensorCoreTest, AMissingWaitIsARace) {
  // Without wait_group the copies may still be in flight at ldmatrix.
  int mismatches;
  EXPECT_FALSE(runMmaF16(replaced(kMmaF16, "nvvm.cp.async.wait.group 0", ""),
                         mismatches));
  EXPECT_NE(diagnostics.find("a cp.async of thread"), std::string::npos)
      << diagnostics;
  EXPECT_NE(diagnostics.find("may still write it"), std::string::npos)
      << diagnostics;
}

TEST_F(EmulatorTensorCoreTest, WaitingForOlderGroupsOnlyIsARace) {
  // wait_group 1 leaves the newest group, the only one, in flight.
  int mismatches;
  EXPECT_FALSE(runMmaF16(replaced(kMmaF16, "nvvm.cp.async.wait.group 0",
                                  "nvvm.cp.async.wait.group 1"),
                         mismatches));
  EXPECT_NE(diagnostics.find("may still write it"), std::string::npos)
      << diagnostics;
}

TEST_F(EmulatorTensorCoreTest, AMissingBarrierIsARace) {
  // Each lane waited for its own copies only: rows other lanes copied are
  // not visible to it without the barrier.
  int mismatches;
  EXPECT_FALSE(runMmaF16(replaced(kMmaF16, "gpu.barrier", ""), mismatches));
  EXPECT_NE(diagnostics.find("race on shared byte"), std::string::npos)
      << diagnostics;
  EXPECT_NE(diagnostics.find("wrote it since the last barrier"),
            std::string::npos)
      << diagnostics;
}

TEST_F(EmulatorTensorCoreTest, AWrongFragmentMappingGivesWrongResults) {
  // Storing d0, d1 at columns 2t + 1, 2t (a swapped accumulator mapping),
  // or reading B without .trans: the emulator runs them, and D is wrong.
  int mismatches = 0;
  ASSERT_TRUE(runMmaF16(replaced(kMmaF16, "%lo = vector.from_elements %d0, %d1",
                                 "%lo = vector.from_elements %d1, %d0"),
                        mismatches, /*report=*/false))
      << diagnostics;
  EXPECT_GT(mismatches, 0);
  mismatches = 0;
  ASSERT_TRUE(runMmaF16(
      replaced(kMmaF16, "{num = 2 : i32, layout = #nvvm.mma_layout<col>",
               "{num = 2 : i32, layout = #nvvm.mma_layout<row>"),
      mismatches, /*report=*/false))
      << diagnostics;
  EXPECT_GT(mismatches, 0);
}

TEST_F(EmulatorTensorCoreTest, MisalignedAndOutOfBoundsCopies) {
  // A cp.async source off its 16-byte alignment, and an ldmatrix row
  // outside shared memory, are errors naming the op.
  int mismatches;
  EXPECT_FALSE(runMmaF16(
      replaced(kMmaF16,
               "%a_src = llvm.getelementptr %a[%chunk] : (!llvm.ptr<1>, i32) "
               "-> !llvm.ptr<1>, f16",
               "%a_src0 = llvm.getelementptr %a[%chunk] : (!llvm.ptr<1>, i32) "
               "-> !llvm.ptr<1>, f16\n    %a_src = llvm.getelementptr "
               "%a_src0[1] : (!llvm.ptr<1>) -> !llvm.ptr<1>, f16"),
      mismatches));
  EXPECT_NE(diagnostics.find("must be 16-byte aligned"), std::string::npos)
      << diagnostics;
  diagnostics.clear();
  EXPECT_FALSE(runMmaF16(replaced(kMmaF16, "%b_at2 = arith.addi %k_at, %c256",
                                  "%c400 = arith.constant 400 : i32\n    "
                                  "%b_at2 = arith.addi %k_at, %c400"),
                         mismatches));
  EXPECT_NE(diagnostics.find("(nvvm.ldmatrix): ldmatrix row of 16 bytes at "),
            std::string::npos)
      << diagnostics;
  EXPECT_NE(diagnostics.find("is not inside the block's 768 bytes of shared "
                             "memory"),
            std::string::npos)
      << diagnostics;
}

TEST_F(EmulatorTensorCoreTest, MmaTF32) {
  // m16n8k8 .tf32: A 16 x 8 and B 8 x 8 f32, row-major; only the 19 high
  // bits of each operand count.
  DirectMma m{"tf32", "f32", 8, 32, 4, {0, 256, 16, 272}, 4, 32, {0, 128}};
  std::mt19937 gen(3);
  std::uniform_real_distribution<float> value(-2, 2);
  std::vector<float> a(16 * 8), b(8 * 8);
  for (float &v : a)
    v = value(gen);
  for (float &v : b)
    v = value(gen);
  auto tf32 = [](float v) {
    uint32_t bits;
    std::memcpy(&bits, &v, 4);
    bits &= 0xFFFFE000u;
    std::memcpy(&v, &bits, 4);
    return double(v);
  };
  HostBuffer A = buffer(Float32Type::get(&context), a);
  HostBuffer B = buffer(Float32Type::get(&context), b);
  HostBuffer D = buffer(Float32Type::get(&context), std::vector<float>(128));
  ASSERT_TRUE(run(directMmaSource(m),
                  {LaunchArg::ofBuffer(A), LaunchArg::ofBuffer(B),
                   LaunchArg::ofBuffer(D), LaunchArg::ofFloat(0.5)}))
      << diagnostics;
  EXPECT_EQ(mismatches(D,
                       [&](int i, int j) {
                         double sum = 0.5;
                         for (int k = 0; k < 8; ++k)
                           sum += tf32(a[i * 8 + k]) * tf32(b[k * 8 + j]);
                         return sum;
                       }),
            0);
}

TEST_F(EmulatorTensorCoreTest, MmaBF16) {
  // m16n8k16 .bf16: A 16 x 16 row-major, B given as its 8 x 16 transpose
  // (K contiguous), packed two to a register.
  DirectMma m{"bf16", "f32", 16, 32, 4, {0, 256, 16, 272}, 32, 4, {0, 16}};
  std::mt19937 gen(4);
  std::uniform_int_distribution<int> value(-64, 64);
  auto bf16 = [](double v) {
    float f = float(v);
    uint32_t bits;
    std::memcpy(&bits, &f, 4);
    return uint16_t(bits >> 16); // exact: v has few mantissa bits
  };
  auto bf16Value = [](uint16_t bits) {
    uint32_t wide = uint32_t(bits) << 16;
    float f;
    std::memcpy(&f, &wide, 4);
    return double(f);
  };
  std::vector<uint16_t> a(16 * 16), bT(8 * 16);
  for (uint16_t &v : a)
    v = bf16(value(gen) / 8.0);
  for (uint16_t &v : bT)
    v = bf16(value(gen) / 8.0);
  HostBuffer A = buffer(BFloat16Type::get(&context), a);
  HostBuffer B = buffer(BFloat16Type::get(&context), bT);
  HostBuffer D = buffer(Float32Type::get(&context), std::vector<float>(128));
  ASSERT_TRUE(
      run(directMmaSource(m), {LaunchArg::ofBuffer(A), LaunchArg::ofBuffer(B),
                               LaunchArg::ofBuffer(D), LaunchArg::ofFloat(-1)}))
      << diagnostics;
  EXPECT_EQ(mismatches(D,
                       [&](int i, int j) {
                         double sum = -1;
                         for (int k = 0; k < 16; ++k)
                           sum += bf16Value(a[i * 16 + k]) *
                                  bf16Value(bT[j * 16 + k]);
                         return sum;
                       }),
            0);
}

TEST_F(EmulatorTensorCoreTest, MmaS8SaturatesOrWraps) {
  // m16n8k32 .s8 with an i32 accumulator: A 16 x 32 row-major, B given as
  // its 8 x 32 transpose; .satfinite clamps to the i32 range, wrapped wraps.
  std::mt19937 gen(5);
  std::uniform_int_distribution<int> value(-128, 127);
  std::vector<int8_t> a(16 * 32), bT(8 * 32);
  for (int8_t &v : a)
    v = int8_t(value(gen));
  for (int8_t &v : bT)
    v = int8_t(value(gen));
  for (bool wrap : {false, true})
    for (int64_t c : {int64_t(-7), int64_t(2147480000)}) {
      DirectMma m{"s8", "i32", 32, 32, 4, {0, 256, 16, 272}, 32, 4, {0, 16}};
      m.attributes =
          std::string("intOverflowBehavior = #nvvm.mma_int_overflow<") +
          (wrap ? "wrapped" : "satfinite") + ">";
      HostBuffer A = buffer(IntegerType::get(&context, 8), a);
      HostBuffer B = buffer(IntegerType::get(&context, 8), bT);
      HostBuffer D =
          buffer(IntegerType::get(&context, 32), std::vector<int32_t>(128));
      ASSERT_TRUE(run(directMmaSource(m),
                      {LaunchArg::ofBuffer(A), LaunchArg::ofBuffer(B),
                       LaunchArg::ofBuffer(D), LaunchArg::ofInt(c)}))
          << diagnostics;
      int bad = 0, overflowed = 0;
      for (int i = 0; i < 16; ++i)
        for (int j = 0; j < 8; ++j) {
          int64_t want = c;
          for (int k = 0; k < 32; ++k)
            want += int64_t(a[i * 32 + k]) * bT[j * 32 + k];
          if (want > INT32_MAX) {
            ++overflowed;
            want = wrap ? want - (int64_t(1) << 32) : INT32_MAX;
          }
          int32_t got;
          std::memcpy(&got, &D.bytes[(i * 8 + j) * 4], 4);
          if (got != want && ++bad <= 3)
            ADD_FAILURE() << "D[" << i << "][" << j << "] = " << got
                          << ", want " << want;
        }
      EXPECT_EQ(bad, 0);
      EXPECT_EQ(overflowed > 0, c > 0);
    }
}

TEST_F(EmulatorTensorCoreTest, AllLanesMustReachAWarpWideOp) {
  // mma.sync is .aligned: a lane that skips it is an error, not a hang.
  std::string source = directMmaSource(
      {"tf32", "f32", 8, 32, 4, {0, 256, 16, 272}, 4, 32, {0, 128}});
  // Lane 1 skips it: the mma.sync moves into an scf.if that yields
  // undef for lane 1.
  size_t begin = source.find("    %acc = nvvm.mma.sync");
  size_t end = source.find('\n', begin);
  ASSERT_NE(begin, std::string::npos);
  std::string mma = source.substr(begin, end - begin);
  std::string type = "!llvm.struct<(f32, f32, f32, f32)>";
  source.replace(begin, end - begin,
                 "    %one = arith.constant 1 : i32\n"
                 "    %run = arith.cmpi ne, %lane, %one : i32\n"
                 "    %acc = scf.if %run -> " +
                     type + " {\n" + replaced(mma, "%acc = ", "%r = ") +
                     "\n      scf.yield %r : " + type +
                     "\n    } else {\n      %u = llvm.mlir.undef : " + type +
                     "\n      scf.yield %u : " + type + "\n    }");
  std::vector<float> zeros(128);
  HostBuffer A = buffer(Float32Type::get(&context), zeros);
  HostBuffer B = buffer(Float32Type::get(&context), zeros);
  HostBuffer D = buffer(Float32Type::get(&context), zeros);
  EXPECT_FALSE(run(source, {LaunchArg::ofBuffer(A), LaunchArg::ofBuffer(B),
                            LaunchArg::ofBuffer(D), LaunchArg::ofFloat(0)}));
  EXPECT_NE(diagnostics.find("only 31 of its lanes reached 'nvvm.mma.sync', "
                             "which needs all 32"),
            std::string::npos)
      << diagnostics;
}

} // namespace
