//===- SimtEmulatorTest.cpp - The GPU lowering, run without a GPU ---------===//
//
// Every example kernel, at configs and specializations that exercise the
// back end (warp counts, the align16 and div16 variants, num_stages, several
// rows per instance), is lowered to per-thread GPU code (-convert-kdsl-to-gpu
// and what precedes it) and run on the SIMT emulator (SimtEmulator.h), which
// also checks bounds, alignment, shared-memory races and barrier and shuffle
// convergence. Its outputs must match the reference interpreter's on the
// same random inputs (with NaN, infinities and -0 mixed in where marked
// `special`): integers exactly; floats bit for bit where marked `exact` (any
// NaN matches any NaN), else within 1e-5 + max(1e-4, one ulp of the type)
// |want| (reductions sum in another order; the host's libm stands in for
// libdevice).
//
//===----------------------------------------------------------------------===//

#include "kdsl/Emulator/SimtEmulator.h"
#include "InterpreterFixture.h"

#include "kdsl/Lowering/Pipeline.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"

#include <cmath>
#include <map>
#include <random>
#include <tuple>

using namespace mlir;
using namespace kdsl;
using namespace kdsl::test;

namespace {

/// A launch: the kernel's config, its scalar arguments by name, and the
/// element count of each buffer by name.
struct Case {
  std::string file, kernel;
  /// NAME=VALUE entries, comma-separated.
  std::string config;
  std::map<std::string, double> scalars;
  std::map<std::string, int64_t> buffers;
  /// unit, div16, align16 or none, as kdslc --specialize.
  std::string specialize = "div16";
  /// The grid, for kernels without a grid clause.
  std::array<int64_t, 3> grid = {0, 0, 0};
  /// Floats must match bit for bit (no reduction, no transcendental).
  bool exact = false;
  /// One float input in 50 is NaN, an infinity or -0.
  bool special = false;
};

std::vector<std::string> configOf(const Case &c) {
  llvm::SmallVector<llvm::StringRef> entries;
  llvm::StringRef(c.config).split(entries, ',', -1, /*KeepEmpty=*/false);
  return {entries.begin(), entries.end()};
}

/// C[70, 40] = A[70, 100] B[100, 40] in f16, row-major: every tile has tails.
Case matmulWithTails(const std::string &config) {
  return {"examples/kernels/matmul.kdsl",
          "matmul",
          config,
          {{"M", 70},
           {"N", 40},
           {"K", 100},
           {"sam", 100},
           {"sak", 1},
           {"sbk", 40},
           {"sbn", 1},
           {"scm", 40},
           {"scn", 1}},
          {{"a", 70 * 100}, {"b", 100 * 40}, {"c", 70 * 40}},
          "none"};
}

class SimtEmulatorTest : public InterpreterFixture {
protected:
  void SetUp() override {
    InterpreterFixture::SetUp();
    DialectRegistry registry;
    registerGpuLowering(registry);
    context.appendDialectRegistry(registry);
    loadGpuDialects(&context);
  }

  /// The gpu.func that kdslc's pipeline makes of `c`'s variant, in `gpu`.
  gpu::GPUFuncOp lower(const Case &c, OwningOpRef<ModuleOp> &gpuModule) {
    auto buffer = llvm::MemoryBuffer::getFile(std::string(KDSL_SOURCE_DIR) +
                                              "/" + c.file);
    EXPECT_TRUE(bool(buffer)) << c.file;
    if (!buffer)
      return nullptr;
    FailureOr<FrontendResult> result =
        runFrontend((*buffer)->getBuffer(), c.file, context, true);
    EXPECT_TRUE(succeeded(result)) << diagnostics;
    if (failed(result))
      return nullptr;
    gpuModule = std::move(result->ir);
    PassManager pm(&context);
    KdslSpecializeOptions options;
    options.kernel = c.kernel;
    std::vector<std::string> config = configOf(c);
    options.config.assign(config.begin(), config.end());
    pm.addPass(createKdslSpecialize(options));
    EXPECT_TRUE(succeeded(pm.run(*gpuModule))) << diagnostics;
    // The other kernels of the file stay generic: drop them, as a bundle's
    // job does.
    for (KernelOp kernel :
         llvm::make_early_inc_range(gpuModule->getOps<KernelOp>()))
      if (kernel.getSymName() != c.kernel)
        kernel.erase();
    pm.clear();
    GpuTarget target;
    target.assumeAligned = c.specialize != "none";
    for (KernelOp kernel : gpuModule->getOps<KernelOp>()) {
      if (kernel.getSymName() != c.kernel)
        continue;
      if (target.assumeAligned)
        target.divisible = strideParams(kernel);
      if (c.specialize == "div16" || c.specialize == "unit")
        llvm::append_range(target.divisible, boundParams(kernel));
      if (c.specialize == "unit") {
        target.equalToOne = unitStrideParams(kernel);
        llvm::erase_if(target.divisible, [&](const std::string &name) {
          return llvm::is_contained(target.equalToOne, name);
        });
      }
    }
    buildGpuPipeline(pm, target, /*toLLVM=*/false);
    EXPECT_TRUE(succeeded(pm.run(*gpuModule))) << diagnostics;
    gpu::GPUFuncOp found;
    gpuModule->walk([&](gpu::GPUFuncOp func) {
      if (func.getName() == c.kernel)
        found = func;
    });
    EXPECT_TRUE(found) << "no gpu.func " << c.kernel;
    // The specialization's assumptions must hold for the arguments, as the
    // runtime checks before it picks the variant.
    for (const std::string &name : target.divisible)
      if (c.scalars.count(name))
        EXPECT_EQ(int64_t(c.scalars.at(name)) % 16, 0)
            << name << " is assumed divisible by 16";
    for (const std::string &name : target.equalToOne)
      EXPECT_EQ(c.scalars.at(name), 1) << name << " is assumed 1";
    return found;
  }

  /// Runs `c` on the interpreter and on the emulator and compares every
  /// buffer.
  void expectSameAsInterpreter(const Case &c) {
    SCOPED_TRACE(c.file + " " + c.kernel + " " + c.config + " " + c.specialize);
    // The reference runs the variant as written, not pipelined.
    KernelOp variantOp =
        variant(c.file, c.kernel, configOf(c), /*pipeline=*/false);
    ASSERT_TRUE(variantOp);
    OwningOpRef<ModuleOp> gpuModule;
    gpu::GPUFuncOp func = lower(c, gpuModule);
    ASSERT_TRUE(func);

    std::mt19937 gen(20261126);
    std::vector<HostBuffer> inputs;
    std::vector<int> bufferOf;
    std::vector<LaunchArg> args;
    for (auto [name, type] :
         llvm::zip_equal(variantOp.getParamNames(),
                         variantOp.getFunctionType().getInputs())) {
      std::string n = cast<StringAttr>(name).str();
      if (auto ptr = dyn_cast<PtrType>(type)) {
        ASSERT_TRUE(c.buffers.count(n)) << "no size for buffer " << n;
        HostBuffer b;
        b.elementType = ptr.getPointeeType();
        int64_t bytes = (b.elementType.getIntOrFloatBitWidth() + 7) / 8;
        b.bytes.resize(c.buffers.at(n) * bytes);
        // Random floats in [-2, 2), random small integers; the outputs start
        // from the same bits on both sides.
        std::uniform_real_distribution<double> real(-2, 2);
        std::uniform_int_distribution<int> small(-3, 3);
        for (int64_t i = 0; i < c.buffers.at(n); ++i) {
          uint64_t bits;
          if (auto f = dyn_cast<FloatType>(b.elementType)) {
            double x = real(gen);
            if (c.special && gen() % 50 == 0) {
              const double specials[] = {NAN, INFINITY, -INFINITY, -0.0};
              x = specials[gen() % 4];
            }
            APFloat v(x);
            bool lost;
            v.convert(f.getFloatSemantics(), APFloat::rmNearestTiesToEven,
                      &lost);
            bits = v.bitcastToAPInt().getZExtValue();
          } else {
            bits = uint64_t(int64_t(small(gen)));
          }
          std::memcpy(b.bytes.data() + i * bytes, &bits, bytes);
        }
        bufferOf.push_back(inputs.size());
        inputs.push_back(std::move(b));
        args.push_back({});
      } else {
        ASSERT_TRUE(c.scalars.count(n)) << "no value for scalar " << n;
        bufferOf.push_back(-1);
        args.push_back(isa<FloatType>(type)
                           ? LaunchArg::ofFloat(c.scalars.at(n))
                           : LaunchArg::ofInt(int64_t(c.scalars.at(n))));
      }
    }
    auto bind = [&](std::vector<HostBuffer> &buffers) {
      std::vector<LaunchArg> bound = args;
      for (size_t i = 0; i < bound.size(); ++i)
        if (bufferOf[i] >= 0)
          bound[i] = LaunchArg::ofBuffer(buffers[bufferOf[i]]);
      return bound;
    };
    std::vector<HostBuffer> want = inputs, got = inputs;
    std::vector<LaunchArg> wantArgs = bind(want), gotArgs = bind(got);
    FailureOr<std::array<int64_t, 3>> grid = c.grid;
    if (c.grid[0] == 0)
      grid = evaluateGrid(variantOp, wantArgs);
    ASSERT_TRUE(succeeded(grid)) << diagnostics;
    ASSERT_TRUE(succeeded(interpret(variantOp, *grid, wantArgs)))
        << diagnostics;
    ASSERT_TRUE(succeeded(emulate(func, *grid, gotArgs))) << diagnostics;

    for (size_t b = 0; b < inputs.size(); ++b) {
      Type type = inputs[b].elementType;
      int64_t bytes = (type.getIntOrFloatBitWidth() + 7) / 8;
      int bad = 0;
      for (size_t i = 0; i < want[b].bytes.size() / bytes; ++i) {
        uint64_t w = 0, g = 0;
        std::memcpy(&w, want[b].bytes.data() + i * bytes, bytes);
        std::memcpy(&g, got[b].bytes.data() + i * bytes, bytes);
        bool ok = w == g;
        if (!ok && isa<FloatType>(type) && c.exact) {
          APFloat wf(cast<FloatType>(type).getFloatSemantics(),
                     APInt(type.getIntOrFloatBitWidth(), w));
          APFloat gf(cast<FloatType>(type).getFloatSemantics(),
                     APInt(type.getIntOrFloatBitWidth(), g));
          ok = wf.isNaN() && gf.isNaN();
        } else if (!ok && isa<FloatType>(type)) {
          auto f = cast<FloatType>(type);
          auto value = [&](uint64_t bits) {
            APFloat v(f.getFloatSemantics(),
                      APInt(type.getIntOrFloatBitWidth(), bits));
            bool lost;
            v.convert(APFloat::IEEEdouble(), APFloat::rmNearestTiesToEven,
                      &lost);
            return v.convertToDouble();
          };
          double wd = value(w), gd = value(g);
          double ulp = std::ldexp(1.0, -int(f.getFPMantissaWidth()) + 1);
          double tol = 1e-5 + std::max(1e-4, ulp) * std::fabs(wd);
          ok = (std::isnan(wd) && std::isnan(gd)) ||
               (std::isinf(wd) ? gd == wd : std::fabs(gd - wd) <= tol);
        }
        if (!ok && ++bad <= 5)
          ADD_FAILURE() << "buffer " << b << " element " << i
                        << ": emulator bits 0x" << llvm::utohexstr(g)
                        << ", interpreter bits 0x" << llvm::utohexstr(w);
      }
      EXPECT_EQ(bad, 0) << "elements of buffer " << b << " differ";
    }
  }
};

TEST_F(SimtEmulatorTest, VectorAdd) {
  // The whole @autotune space, in each specialization.
  for (std::string specialize : {"none", "align16", "div16"})
    for (int block : {256, 512, 1024, 2048})
      for (int warps : {2, 4, 8}) {
        int64_t n = specialize == "div16" ? 2032 : 2029;
        expectSameAsInterpreter({"examples/kernels/vector_add.kdsl",
                                 "vector_add",
                                 "BLOCK=" + std::to_string(block) +
                                     ",num_warps=" + std::to_string(warps),
                                 {{"n", double(n)}},
                                 {{"x", n}, {"y", n}, {"out", n}},
                                 specialize,
                                 {0, 0, 0},
                                 /*exact=*/true,
                                 /*special=*/true});
      }
}

TEST_F(SimtEmulatorTest, SoftmaxAndLayerNorm) {
  for (std::string specialize : {"none", "div16"})
    for (int warps : {1, 2, 4, 8, 16}) {
      int64_t cols = specialize == "div16" ? 1024 : 1000;
      int64_t stride = specialize == "div16" ? 1040 : 1003;
      std::string config = "n_cols=" + std::to_string(cols) +
                           ",num_warps=" + std::to_string(warps);
      expectSameAsInterpreter({"examples/kernels/softmax.kdsl",
                               "softmax",
                               config,
                               {{"n_rows", 3},
                                {"n_cols", double(cols)},
                                {"stride", double(stride)}},
                               {{"out", 3 * stride}, {"inp", 3 * stride}},
                               specialize,
                               {0, 0, 0},
                               /*exact=*/false,
                               /*special=*/true});
      expectSameAsInterpreter(
          {"examples/kernels/layer_norm.kdsl",
           "layer_norm",
           config,
           {{"n_rows", 3},
            {"n_cols", double(cols)},
            {"stride", double(stride)},
            {"eps", 1e-5}},
           {{"x", 3 * stride}, {"y", 3 * stride}, {"w", cols}, {"b", cols}},
           specialize,
           {0, 0, 0},
           /*exact=*/false,
           /*special=*/true});
    }
}

TEST_F(SimtEmulatorTest, SeveralRowsPerInstance) {
  for (std::string specialize : {"none", "div16"})
    for (const char *rows :
         {"ROWS=1,num_warps=2", "ROWS=1,num_warps=4", "ROWS=1,num_warps=8",
          "ROWS=2,num_warps=2", "ROWS=2,num_warps=4", "ROWS=2,num_warps=8",
          "ROWS=4,num_warps=2", "ROWS=4,num_warps=4", "ROWS=4,num_warps=8"}) {
      int64_t cols = specialize == "div16" ? 128 : 100;
      int64_t stride = specialize == "div16" ? 144 : 103;
      int64_t n = specialize == "div16" ? 32 : 5;
      std::string config = "n_cols=" + std::to_string(cols) + "," + rows;
      expectSameAsInterpreter({"examples/kernels/softmax_rows.kdsl",
                               "softmax_rows",
                               config,
                               {{"n_rows", double(n)},
                                {"n_cols", double(cols)},
                                {"stride", double(stride)}},
                               {{"out", n * stride}, {"inp", n * stride}},
                               specialize});
      expectSameAsInterpreter(
          {"examples/kernels/layer_norm_rows.kdsl",
           "layer_norm_rows",
           config,
           {{"n_rows", double(n)},
            {"n_cols", double(cols)},
            {"stride", double(stride)},
            {"eps", 1e-5}},
           {{"x", n * stride}, {"y", n * stride}, {"w", cols}, {"b", cols}},
           specialize});
    }
}

TEST_F(SimtEmulatorTest, PipelinedLoops) {
  for (const char *stages : {"num_stages=1", "num_stages=2", "num_stages=3"}) {
    expectSameAsInterpreter({"test/kernels/strided_sum.kdsl",
                             "strided_sum",
                             stages,
                             {{"n_rows", 37}, {"n_cols", 100}},
                             {{"x", 37 * 100}, {"out", 100}},
                             "none"});
    expectSameAsInterpreter(matmulWithTails(
        std::string("BM=64,BN=32,BK=32,num_warps=4,") + stages));
  }
  expectSameAsInterpreter({"examples/kernels/matmul.kdsl",
                           "matmul",
                           "BM=64,BN=64,BK=32,num_warps=8,num_stages=2",
                           {{"M", 64},
                            {"N", 64},
                            {"K", 64},
                            {"sam", 64},
                            {"sak", 1},
                            {"sbk", 64},
                            {"sbn", 1},
                            {"scm", 64},
                            {"scn", 1}},
                           {{"a", 64 * 64}, {"b", 64 * 64}, {"c", 64 * 64}},
                           "none"});
  // Unit strides along the tiles' rows: vector loads and stores, with a
  // tail in N (48 of BN=64) and three trips through K. At BN = BK the f16
  // A tile and the f32 C tile have one shape but 8 and 4 per thread.
  for (const char *config : {"BM=64,BN=64,BK=32,num_warps=4,num_stages=1",
                             "BM=64,BN=64,BK=32,num_warps=4,num_stages=2",
                             "BM=64,BN=32,BK=32,num_warps=4,num_stages=2"})
    expectSameAsInterpreter({"examples/kernels/matmul.kdsl",
                             "matmul",
                             config,
                             {{"M", 64},
                              {"N", 48},
                              {"K", 96},
                              {"sam", 96},
                              {"sak", 1},
                              {"sbk", 48},
                              {"sbn", 1},
                              {"scm", 48},
                              {"scn", 1}},
                             {{"a", 64 * 96}, {"b", 96 * 48}, {"c", 64 * 48}},
                             "unit"});
  expectSameAsInterpreter(
      {"examples/kernels/matmul_bias_relu.kdsl",
       "matmul_bias_relu",
       "BM=64,BN=64,BK=32,num_warps=4,num_stages=2",
       {{"M", 70}, {"N", 40}, {"K", 50}, {"lda", 50}, {"ldb", 40}, {"ldc", 40}},
       {{"a", 70 * 50}, {"b", 50 * 40}, {"bias", 40}, {"c", 70 * 40}},
       "none"});
  expectSameAsInterpreter(
      {"examples/kernels/attention_scores.kdsl",
       "attention_scores",
       "D=64,CAUSAL=true,BM=32,BN=32,num_warps=4",
       {{"Z", 2}, {"seq_q", 40}, {"seq_k", 50}, {"scale", 0.125}},
       {{"q", 2 * 40 * 64}, {"k", 2 * 50 * 64}, {"s", 2 * 40 * 50}},
       "none"});
}

TEST_F(SimtEmulatorTest, LoopsNeverWrap) {
  // Bounds and steps known only at run time: the induction variable steps
  // in 64 bits, so the loop that ends near 2^31 ends (the i32 increment
  // wrapped and the GPU never left it), and matches the interpreter.
  struct Bounds {
    int64_t start, end, step;
    int32_t iterations;
  };
  for (Bounds b :
       {Bounds{2147483600, 2147483647, 1000, 1},
        Bounds{2147483600, 2147483647, 20, 3},
        Bounds{-2147483647 - 1, -2147483647 + 5, 3, 2}, Bounds{0, 10, 3, 4},
        Bounds{7, 7, 1, 0}, Bounds{-5, 2147483647, 2147483647, 2}}) {
    Case c{"test/kernels/loop_bounds.kdsl",
           "count_iterations",
           "num_warps=1",
           {{"start", double(b.start)},
            {"end", double(b.end)},
            {"step", double(b.step)}},
           {{"out", 2}},
           "none",
           {0, 0, 0},
           /*exact=*/true};
    expectSameAsInterpreter(c);
    // And the count is the language's, not only the same on both sides.
    KernelOp v = variant(c.file, c.kernel, configOf(c), false);
    HostBuffer out;
    out.elementType = IntegerType::get(&context, 32);
    out.bytes.assign(8, 0);
    ASSERT_TRUE(succeeded(
        interpret(v, {1, 1, 1},
                  {LaunchArg::ofBuffer(out), LaunchArg::ofInt(b.start),
                   LaunchArg::ofInt(b.end), LaunchArg::ofInt(b.step)})))
        << diagnostics;
    int32_t n;
    std::memcpy(&n, out.bytes.data(), 4);
    EXPECT_EQ(n, b.iterations)
        << b.start << " to " << b.end << " by " << b.step;
  }

  // A step of 0 known only at run time: the interpreter reports it, and the
  // GPU code traps with the same words (the emulator runs its assert).
  Case zero{"test/kernels/loop_bounds.kdsl",
            "count_iterations",
            "num_warps=1",
            {{"start", 0}, {"end", 10}, {"step", 0}},
            {{"out", 2}},
            "none"};
  OwningOpRef<ModuleOp> gpuModule;
  gpu::GPUFuncOp func = lower(zero, gpuModule);
  ASSERT_TRUE(func);
  HostBuffer out;
  out.elementType = IntegerType::get(&context, 32);
  out.bytes.assign(8, 0);
  std::vector<LaunchArg> args = {LaunchArg::ofBuffer(out), LaunchArg::ofInt(0),
                                 LaunchArg::ofInt(10), LaunchArg::ofInt(0)};
  EXPECT_TRUE(failed(emulate(func, {1, 1, 1}, args)));
  EXPECT_NE(diagnostics.find("assertion failed: loop step must be positive"),
            std::string::npos)
      << diagnostics;
  KernelOp v = variant(zero.file, zero.kernel, configOf(zero), false);
  EXPECT_TRUE(failed(interpret(v, {1, 1, 1}, args)));
  EXPECT_NE(diagnostics.find("loop step must be positive, got 0"),
            std::string::npos)
      << diagnostics;
}

TEST_F(SimtEmulatorTest, SharedMemoryLayoutsAndAtomics) {
  // Transposes read by dots as views of the staged block, one hoisted out
  // of the loop whose dot reads it, with a round trip in the same loop.
  expectSameAsInterpreter(
      {"test/kernels/trans_dot.kdsl",
       "trans_dot",
       "",
       {{"n", 3}},
       {{"q", 3 * 512}, {"k", 512}, {"p", 512}, {"v", 512}, {"out", 1024}},
       "none"});
  // A tile that leaves tails, then one that does not (div16).
  for (auto [m, n, specialize] :
       {std::tuple<int, int, const char *>{70, 40, "none"}, {64, 48, "div16"}})
    expectSameAsInterpreter({"examples/kernels/transpose.kdsl",
                             "transpose",
                             "",
                             {{"M", m}, {"N", n}, {"s_src", n}, {"s_dst", m}},
                             {{"src", m * n}, {"dst", n * m}},
                             specialize,
                             {0, 0, 0},
                             /*exact=*/true,
                             /*special=*/true});
  expectSameAsInterpreter({"examples/kernels/col_mean.kdsl",
                           "col_mean",
                           "",
                           {{"batch", 2}, {"n_rows", 37}, {"n_cols", 300}},
                           {{"x", 2 * 37 * 300}, {"out", 2 * 300}},
                           "none"});
  expectSameAsInterpreter(
      {"examples/kernels/histogram.kdsl",
       "histogram",
       "",
       {{"n", 5000}, {"n_bins", 16}, {"lo", -2}, {"inv_width", 4}},
       {{"data", 5000}, {"bins", 16}},
       "none",
       {3, 1, 1}});
  expectSameAsInterpreter(
      {"test/kernels/atomics.kdsl",
       "atomic_tickets",
       "",
       {},
       {{"counters", 4 * 9}, {"out", 4 * 8 * 32}, {"first", 4 * 128}},
       "none"});
  // row_argmax: in TileAndWarpSweeps.
}

TEST_F(SimtEmulatorTest, ArgReductionsTiesAndNaNs) {
  // Small integers tie everywhere (with infinities and -0.0 among them) and
  // NaNs are rare or (the nan_ outputs) one value in seven: in-thread,
  // across lanes and across warps, along either axis and flattened, with
  // wrapped-around copies where the block is smaller than the threads.
  for (auto [br, bc] : {std::pair{16, 64}, {64, 16}, {4, 256}, {2, 32}})
    for (int w : {1, 2, 4, 8}) {
      int rows = br > 2 ? br - 1 : br, cols = bc - 3;
      expectSameAsInterpreter({"test/kernels/arg_reduce.kdsl",
                               "arg_reduce",
                               "BR=" + std::to_string(br) +
                                   ",BC=" + std::to_string(bc) +
                                   ",num_warps=" + std::to_string(w),
                               {{"n_rows", rows}, {"n_cols", cols}},
                               {{"q", rows * cols},
                                {"x", rows * cols},
                                {"row_max", br},
                                {"row_min", br},
                                {"col_max", bc},
                                {"col_min", bc},
                                {"int_row_max", br},
                                {"int_col_min", bc},
                                {"flat", 2},
                                {"nan_row_max", br},
                                {"nan_col_min", bc}},
                               "none",
                               {0, 0, 0},
                               /*exact=*/true,
                               /*special=*/true});
    }
}

TEST_F(SimtEmulatorTest, Elementwise) {
  for (const char *config : {"ACT=3,GATED=true,BLOCK=1024,num_warps=4",
                             "ACT=6,GATED=false,BLOCK=2048,num_warps=8",
                             "ACT=8,GATED=true,BLOCK=1024,num_warps=4"})
    expectSameAsInterpreter({"examples/kernels/activations.kdsl",
                             "activation",
                             config,
                             {{"n", 3000}},
                             {{"x", 3000}, {"gate", 3000}, {"y", 3000}},
                             "none",
                             {0, 0, 0},
                             /*exact=*/false,
                             /*special=*/true});
  for (const char *config : {"APPROX=true,BLOCK=512,num_warps=4",
                             "APPROX=false,BLOCK=1024,num_warps=8"})
    expectSameAsInterpreter({"examples/kernels/gelu.kdsl",
                             "bias_gelu",
                             config,
                             {{"n_rows", 5}, {"n_cols", 100}},
                             {{"x", 500}, {"bias", 100}, {"y", 500}},
                             "none"});
  // div16: the bias, at `offs % n_cols`, loads as vectors between multiples
  // of n_cols.
  expectSameAsInterpreter({"examples/kernels/gelu.kdsl",
                           "bias_gelu",
                           "APPROX=true,BLOCK=512,num_warps=4",
                           {{"n_rows", 16}, {"n_cols", 80}},
                           {{"x", 1280}, {"bias", 80}, {"y", 1280}},
                           "div16"});
  expectSameAsInterpreter(
      {"examples/kernels/dropout.kdsl",
       "dropout",
       "BLOCK=1024,num_warps=4",
       {{"n", 3000}, {"p16", 16384}, {"scale", 4.0 / 3.0}, {"seed", 42}},
       {{"x", 3000}, {"y", 3000}, {"keep_mask", 3000}},
       "none",
       {0, 0, 0},
       /*exact=*/true,
       /*special=*/true});
  expectSameAsInterpreter({"examples/kernels/dropout.kdsl",
                           "dropout_backward",
                           "BLOCK=1024,num_warps=4",
                           {{"n", 3000}, {"scale", 4.0 / 3.0}},
                           {{"dy", 3000}, {"keep_mask", 3000}, {"dx", 3000}},
                           "none",
                           {0, 0, 0},
                           /*exact=*/true,
                           /*special=*/true});
  expectSameAsInterpreter(
      {"examples/kernels/rope.kdsl",
       "rope",
       "HALF=32",
       {{"batch", 2}, {"seq", 3}, {"n_heads", 4}, {"base", 10000}},
       {{"x", 2 * 3 * 4 * 64}, {"y", 2 * 3 * 4 * 64}},
       "none"});
}

/// Wider sweeps: tile sizes and warp counts of the kernels with shared
/// memory, dot, atomics and several reductions.
TEST_F(SimtEmulatorTest, TileAndWarpSweeps) {
  for (int bm : {32, 64})
    for (int bn : {32, 64})
      for (int w : {1, 2, 4, 8})
        expectSameAsInterpreter(
            {"examples/kernels/transpose.kdsl",
             "transpose",
             "BM=" + std::to_string(bm) + ",BN=" + std::to_string(bn) +
                 ",num_warps=" + std::to_string(w),
             {{"M", 70}, {"N", 40}, {"s_src", 40}, {"s_dst", 70}},
             {{"src", 70 * 40}, {"dst", 40 * 70}},
             "none"});
  for (int block : {64, 256})
    for (int split : {1, 8})
      for (int w : {1, 4, 8})
        expectSameAsInterpreter(
            {"examples/kernels/col_mean.kdsl",
             "col_mean",
             "BLOCK=" + std::to_string(block) + ",SPLIT=" +
                 std::to_string(split) + ",num_warps=" + std::to_string(w),
             {{"batch", 2}, {"n_rows", 37}, {"n_cols", 300}},
             {{"x", 2 * 37 * 300}, {"out", 2 * 300}},
             "none"});
  for (int block : {256, 1024, 4096})
    for (int w : {1, 4, 8, 16})
      expectSameAsInterpreter(
          {"examples/kernels/row_argmax.kdsl",
           "row_argmax",
           "BLOCK=" + std::to_string(block) + ",num_warps=" + std::to_string(w),
           {{"n_rows", 3}, {"n_cols", 1000}, {"stride", 1003}},
           {{"x", 3 * 1003},
            {"max_val", 3},
            {"max_idx", 3},
            {"min_val", 3},
            {"min_idx", 3}},
           "none"});
  for (int block : {256, 1024})
    for (int w : {1, 2, 8})
      expectSameAsInterpreter(
          {"examples/kernels/histogram.kdsl",
           "histogram",
           "BLOCK=" + std::to_string(block) + ",num_warps=" + std::to_string(w),
           {{"n", 5000}, {"n_bins", 16}, {"lo", -2}, {"inv_width", 4}},
           {{"data", 5000}, {"bins", 16}},
           "none",
           {3, 1, 1}});
  for (int act = 0; act <= 8; ++act)
    expectSameAsInterpreter(
        {"examples/kernels/activations.kdsl",
         "activation",
         "ACT=" + std::to_string(act) + ",GATED=true,BLOCK=4096,num_warps=8",
         {{"n", 5000}},
         {{"x", 5000}, {"gate", 5000}, {"y", 5000}},
         "none"});
  for (int half : {16, 32, 64})
    for (int w : {1, 2, 4})
      expectSameAsInterpreter(
          {"examples/kernels/rope.kdsl",
           "rope",
           "HALF=" + std::to_string(half) + ",num_warps=" + std::to_string(w),
           {{"batch", 2}, {"seq", 3}, {"n_heads", 4}, {"base", 10000}},
           {{"x", 2 * 3 * 4 * 2 * half}, {"y", 2 * 3 * 4 * 2 * half}},
           "none"});
  for (int bm : {32, 64})
    for (int bn : {32, 64})
      for (int w : {4, 8})
        for (const char *causal : {"true", "false"})
          expectSameAsInterpreter(
              {"examples/kernels/attention_scores.kdsl",
               "attention_scores",
               std::string("D=32,CAUSAL=") + causal +
                   ",BM=" + std::to_string(bm) + ",BN=" + std::to_string(bn) +
                   ",num_warps=" + std::to_string(w),
               {{"Z", 2}, {"seq_q", 40}, {"seq_k", 50}, {"scale", 0.125}},
               {{"q", 2 * 40 * 32}, {"k", 2 * 50 * 32}, {"s", 2 * 40 * 50}},
               "none"});
  for (int bm : {64, 128})
    for (int bn : {64, 128})
      for (int bk : {32, 64})
        for (int w : {4, 8})
          expectSameAsInterpreter(matmulWithTails(
              "BM=" + std::to_string(bm) + ",BN=" + std::to_string(bn) +
              ",BK=" + std::to_string(bk) + ",num_warps=" + std::to_string(w) +
              ",num_stages=3"));
}
} // namespace
