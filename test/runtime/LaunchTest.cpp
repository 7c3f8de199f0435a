//===- LaunchTest.cpp - Argument checks, variant choice and grids ---------===//
//
// Kernel::plan runs everything a launch does before the driver: these tests
// need no GPU.
//
//===----------------------------------------------------------------------===//

#include "TestBundles.h"

using namespace kdsl::rt;
using namespace kdsl::rt::test;

namespace {

class LaunchTest : public ::testing::Test {
protected:
  void SetUp() override {
    writeBundle(dir.file("k.kpack"), sampleBundle());
    bundle = std::make_unique<Bundle>(Bundle::open(dir.file("k.kpack")));
  }
  Kernel &add() { return bundle->kernel("vector_add"); }
  Kernel &rows() { return bundle->kernel("row_sum"); }

  TempDir dir;
  std::unique_ptr<Bundle> bundle;
  // Device addresses are only numbers to plan(); 0x1000 is 16-byte aligned.
  Arg x = Arg::ptr(0x1000, DType::F32), y = Arg::ptr(0x2000, DType::F32),
      out = Arg::ptr(0x3000, DType::F32);
};

TEST_F(LaunchTest, FirstValidAutotuneConfigAndGrid) {
  // The first config of the space that passes `where` (256 / 2 >= 128).
  LaunchPlan plan = add().plan({x, y, out, 1000});
  EXPECT_EQ(plan.config, "BLOCK=256,num_warps=2,num_stages=2");
  EXPECT_EQ(plan.grid, (std::array<uint32_t, 3>{4, 1, 1}));
  EXPECT_EQ(plan.blockThreads, 64u);
  EXPECT_EQ(plan.entry, "add_256_2");
}

TEST_F(LaunchTest, ExplicitConfigWins) {
  LaunchOptions options;
  options.config = {{"BLOCK", 1024}, {"num_warps", 4}};
  LaunchPlan plan = add().plan({x, y, out, 1000}, options);
  EXPECT_EQ(plan.config, "BLOCK=1024,num_warps=4,num_stages=2");
  EXPECT_EQ(plan.grid, (std::array<uint32_t, 3>{1, 1, 1}));
  EXPECT_EQ(plan.blockThreads, 128u);
  // Aligned pointers select the specialized variant, others the generic.
  EXPECT_EQ(plan.entry, "add_1024_4_aligned");
  Arg offset = Arg::ptr(0x3004, DType::F32);
  EXPECT_EQ(add().plan({x, y, offset, 1000}, options).entry, "add_1024_4");
  // A memoized choice does not leak to other alignments.
  EXPECT_EQ(add().plan({x, y, out, 1000}, options).entry, "add_1024_4_aligned");
}

TEST_F(LaunchTest, MostSpecializedVariantTheArgumentsAllow) {
  // A strided copy compiled generic, div16 and, with the stride 1 in place
  // of divisible, align16 and div16 again (as kdslc's bundles): the most
  // assumptions that hold win, and a memoized choice follows the stride.
  BundleContents contents;
  KernelInfo k;
  k.name = "strided";
  k.params = {{"x", ParamInfo::Kind::Pointer, DType::F32, ""},
              {"n", ParamInfo::Kind::Scalar, DType::I32, ""},
              {"s", ParamInfo::Kind::Scalar, DType::I32, ""}};
  k.grid = {"1"};
  ConfigEntries config = {{"num_warps", 4}, {"num_stages", 2}};
  k.fixedConfig = {{"num_warps", 4}};
  k.variants = {fakeVariant(config, "generic"),
                fakeVariant(config, "div16", "x:align16,s:div16,n:div16"),
                fakeVariant(config, "unit_align16", "x:align16,s:eq1"),
                fakeVariant(config, "unit", "x:align16,n:div16,s:eq1")};
  contents.kernels.push_back(k);
  writeBundle(dir.file("s.kpack"), contents);
  Bundle strided = Bundle::open(dir.file("s.kpack"));
  Kernel &kernel = strided.kernel("strided");
  EXPECT_EQ(kernel.plan({x, 32, 1}).entry, "unit");
  EXPECT_EQ(kernel.plan({x, 32, 16}).entry, "div16");
  EXPECT_EQ(kernel.plan({x, 32, 3}).entry, "generic");
  EXPECT_EQ(kernel.plan({x, 33, 1}).entry, "unit_align16");
  EXPECT_EQ(kernel.plan({x, 33, 16}).entry, "generic");
  EXPECT_EQ(kernel.plan({Arg::ptr(0x1004, DType::F32), 32, 1}).entry,
            "generic");
  EXPECT_EQ(kernel.plan({x, 32, 1}).specialization, "x:align16,n:div16,s:eq1");
}

TEST_F(LaunchTest, PartialExplicitConfigFollowsAutotune) {
  // BLOCK=1024 alone: the first config agreeing with it has num_warps=2,
  // which the bundle lacks.
  LaunchOptions options;
  options.config = {{"BLOCK", 1024}};
  EXPECT_RT_ERROR(add().plan({x, y, out, 1000}, options),
                  "kernel 'vector_add': the bundle has no variant for "
                  "BLOCK=1024,num_warps=2,num_stages=2 that these arguments "
                  "may use (it holds 3: BLOCK=256,num_warps=2,num_stages=2; ");
}

TEST_F(LaunchTest, GridFollowsTheScalars) {
  EXPECT_EQ(add().plan({x, y, out, 1}).grid[0], 1u);
  EXPECT_EQ(add().plan({x, y, out, 256}).grid[0], 1u);
  EXPECT_EQ(add().plan({x, y, out, 257}).grid[0], 2u);
  EXPECT_EQ(add().plan({x, y, out, 0}).grid[0], 0u); // launches nothing
  EXPECT_RT_ERROR(add().plan({x, y, out, -600}),
                  "grid dimension 0 = -2 (from 'cdiv(n, BLOCK)') is outside "
                  "[0, 2147483647]");
}

TEST_F(LaunchTest, DefaultsReadScalars) {
  Arg h = Arg::ptr(0x1000, DType::F16);
  LaunchPlan plan = rows().plan({h, out, 7, 100, 1e-5f});
  EXPECT_EQ(plan.config, "BLOCK=128,num_warps=8,num_stages=2");
  EXPECT_EQ(plan.grid, (std::array<uint32_t, 3>{7, 1, 1}));
  EXPECT_EQ(rows().plan({h, out, 7, 129, 1e-5f}).config,
            "BLOCK=256,num_warps=8,num_stages=2");
  EXPECT_EQ(rows().plan({h, out, 7, 100, 1e-5f}).config,
            "BLOCK=128,num_warps=8,num_stages=2");
  EXPECT_RT_ERROR(rows().plan({h, out, 7, 1000, 1e-5f}),
                  "no variant for BLOCK=1024,num_warps=8,num_stages=2");
}

TEST_F(LaunchTest, ArgumentCount) {
  EXPECT_RT_ERROR(add().plan({x, y, out}),
                  "kernel 'vector_add': expects 4 arguments (x, y, out, n), "
                  "got 3");
}

TEST_F(LaunchTest, ArgumentKindsAndTypes) {
  EXPECT_RT_ERROR(add().plan({x, y, 5, 1000}),
                  "argument 3 ('out') must be a pointer to f32, got a scalar");
  EXPECT_RT_ERROR(add().plan({x, y, out, out}),
                  "argument 4 ('n') must be a i32 scalar, got a pointer");
  EXPECT_RT_ERROR(add().plan({x, Arg::ptr(0x2000, DType::F16), out, 10}),
                  "argument 2 ('y') must point to f32 elements, got a buffer "
                  "of f16");
  EXPECT_RT_ERROR(add().plan({x, y, out, 2.5}),
                  "argument 4 ('n') must be a i32 integer, got a "
                  "floating-point value");
  EXPECT_RT_ERROR(add().plan({x, y, out, int64_t(1) << 40}),
                  "argument 4 ('n') = 1099511627776 does not fit i32");
  // Untyped pointers are accepted; integers convert to float scalars.
  EXPECT_NO_THROW(add().plan({Arg::ptr(0x1000), y, out, 10}));
  EXPECT_NO_THROW(rows().plan({Arg::ptr(0x1000, DType::F16), out, 7, 100, 1}));
}

TEST_F(LaunchTest, ConfigNames) {
  LaunchOptions options;
  options.config = {{"BLCK", 1024}};
  EXPECT_RT_ERROR(add().plan({x, y, out, 10}, options),
                  "kernel 'vector_add': has no constexpr 'BLCK'");
  options.config = {{"n", 1024}};
  EXPECT_RT_ERROR(add().plan({x, y, out, 10}, options),
                  "'n' is a launch argument, not a config value");
}

TEST_F(LaunchTest, ExplicitGrid) {
  LaunchOptions options;
  options.grid = {3, 2, 0};
  EXPECT_EQ(add().plan({x, y, out, 10}, options).grid,
            (std::array<uint32_t, 3>{3, 2, 1}));
}

TEST(LaunchNoDriverTest, GpuCallsReportTheMissingDriver) {
  std::string why;
  if (driverAvailable(&why))
    GTEST_SKIP() << "a CUDA driver is present; GpuTest covers launches";
  EXPECT_NE(why.find("no CUDA driver found"), std::string::npos) << why;
  EXPECT_RT_ERROR(Device::get(), "no CUDA driver found");
  EXPECT_RT_ERROR(Buffer(1024, DType::F32), "no CUDA driver found");
  TempDir dir;
  writeBundle(dir.file("k.kpack"), sampleBundle());
  Bundle bundle = Bundle::open(dir.file("k.kpack"));
  Arg p = Arg::ptr(0x1000, DType::F32);
  EXPECT_RT_ERROR(bundle.kernel("vector_add").launch({p, p, p, 10}),
                  "no CUDA driver found");
}

} // namespace
