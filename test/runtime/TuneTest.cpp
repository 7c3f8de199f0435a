//===- TuneTest.cpp - Kernel::tune and tuned dispatch on a fake device ----===//
//
// Runs with KDSL_CUDA_DRIVER pointing at libkdsl-fake-cuda.so (FakeCuda.cpp),
// whose launches cost what KDSL_FAKE_CUDA_COST says: the whole path from
// tuning to the launch that uses the winner, without a GPU.
//
//===----------------------------------------------------------------------===//

#include "kdsl/tune_cache.hpp"

#include "TestBundles.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

using namespace kdsl::rt;
using kdsl::rt::test::fakeVariant;
using kdsl::rt::test::TempDir;

namespace {

/// scale(x: *f32, n: i32, BLOCK: const) with @autotune(BLOCK = [128, 256,
/// 512], num_warps = [2, 4], key = [n]); every config has a generic and an
/// aligned variant, whose entries are `s_BLOCK_WARPS` and `..._a`.
BundleContents scaleBundle() {
  BundleContents bundle;
  bundle.producer = "kdslc 0.1.0";
  KernelInfo k;
  k.name = "scale";
  k.params = {{"x", ParamInfo::Kind::Pointer, DType::F32, ""},
              {"n", ParamInfo::Kind::Scalar, DType::I32, ""},
              {"BLOCK", ParamInfo::Kind::Constexpr, DType::I32, ""}};
  k.grid = {"cdiv(n, BLOCK)"};
  k.tuneSpace = {{"BLOCK", {128, 256, 512}}, {"num_warps", {2, 4}}};
  k.tuneKey = {"n"};
  k.sourceHash = "feedbeef";
  for (int64_t block : {128, 256, 512})
    for (int64_t warps : {2, 4}) {
      ConfigEntries config = {
          {"BLOCK", block}, {"num_warps", warps}, {"num_stages", 2}};
      std::string entry =
          "s_" + std::to_string(block) + "_" + std::to_string(warps);
      k.variants.push_back(fakeVariant(config, entry));
      k.variants.push_back(fakeVariant(config, entry + "_a", "x:align16"));
    }
  bundle.kernels.push_back(k);
  return bundle;
}

class TuneTest : public ::testing::Test {
protected:
  void SetUp() override {
    ASSERT_TRUE(driverAvailable()) << "run with KDSL_CUDA_DRIVER set to "
                                      "libkdsl-fake-cuda.so";
    writeBundle(dir.file("scale.kpack"), scaleBundle());
    ::unsetenv("KDSL_FAKE_CUDA_MISSING");
    // s_256_4 is fastest; 512s are slow enough to prune.
    ::setenv("KDSL_FAKE_CUDA_COST",
             "s_128_2_a=30,s_128_4_a=25,s_256_2_a=20,s_256_4_a=12,"
             "s_512_2_a=200,s_512_4_a=210,s_256_4=50",
             1);
    setTuningCache(dir.file("tune.db"));
  }
  void TearDown() override { setTuningCache(""); }

  TempDir dir;
};

TEST_F(TuneTest, TheWinnerIsRecordedAndLaunchesUseIt) {
  Bundle bundle = Bundle::open(dir.file("scale.kpack"));
  Kernel &scale = bundle.kernel("scale");
  Buffer x(4096 * 4, DType::F32);
  Arg args[] = {x, 3000};
  // Untuned: the first config of the space.
  EXPECT_EQ(scale.plan(args, 2).config, "BLOCK=128,num_warps=2,num_stages=2");

  TuneCache cache = TuneCache::open(dir.file("tune.db"));
  std::vector<size_t> progress;
  TuneOptions options;
  options.budgetMs = 2;
  options.progress = [&](size_t done, size_t) { progress.push_back(done); };
  TuneReport report = scale.tune(args, 2, cache, options);
  EXPECT_EQ(report.key, "n=4096;x:align16");
  EXPECT_EQ(report.device.name, "kdsl fake GPU");
  EXPECT_EQ(report.device.computeCapability, "9.0");
  ASSERT_EQ(report.records.size(), 6u);
  ASSERT_GE(report.winner, 0);
  const TuneRecord &w = report.records[report.winner];
  EXPECT_EQ(w.config, "BLOCK=256,num_warps=4,num_stages=2");
  EXPECT_NEAR(w.medianUs, 12, 0.01);
  EXPECT_EQ(w.variant, "x:align16");
  EXPECT_TRUE(w.revalidated);
  EXPECT_EQ(w.registers, 32);
  EXPECT_EQ(report.pruned, 2u); // the 512s, over 3x the best
  EXPECT_EQ(report.records[4].status, "pruned");
  EXPECT_EQ(progress.size(), 6u);

  // Every config is a row; the winner is the query's answer.
  std::vector<TuneRecord> rows = cache.rows("scale");
  EXPECT_EQ(rows.size(), 6u);
  std::optional<TuneRecord> best =
      cache.winner({"scale", "feedbeef", "kdslc 0.1.0"}, "n=4096;x:align16",
                   {"kdsl fake GPU", "9.0", "13.0"});
  ASSERT_TRUE(best);
  EXPECT_EQ(best->config, w.config);

  // The same kernel, which chose untuned before, now uses the winner.
  EXPECT_EQ(scale.plan(args, 2).config, "BLOCK=256,num_warps=4,num_stages=2");

  // A new process (a fresh bundle) launching the same key uses the winner;
  // another key bucket or unaligned arguments do not.
  setTuningCache(dir.file("tune.db"));
  Bundle again = Bundle::open(dir.file("scale.kpack"));
  Kernel &tuned = again.kernel("scale");
  EXPECT_EQ(tuned.plan(args, 2).config, "BLOCK=256,num_warps=4,num_stages=2");
  EXPECT_EQ(tuned.plan(args, 2).specialization, "x:align16");
  Arg otherBucket[] = {x, 3000000};
  EXPECT_EQ(tuned.plan(otherBucket, 2).config,
            "BLOCK=128,num_warps=2,num_stages=2");
  Arg unaligned[] = {Arg::ptr(x.address() + 4, DType::F32), 3000};
  EXPECT_EQ(tuned.plan(unaligned, 2).config,
            "BLOCK=128,num_warps=2,num_stages=2");
  // An explicit config still wins over tuning.
  LaunchOptions explicitConfig;
  explicitConfig.config = {{"BLOCK", 512}, {"num_warps", 2}};
  EXPECT_EQ(tuned.plan(args, 2, explicitConfig).config,
            "BLOCK=512,num_warps=2,num_stages=2");
  // And the launch itself runs the winner's entry.
  std::string log = dir.file("launches.log");
  ::setenv("KDSL_FAKE_CUDA_LOG", log.c_str(), 1);
  tuned.launch(args, 2);
  ::unsetenv("KDSL_FAKE_CUDA_LOG");
  std::ifstream in(log);
  std::string entry;
  std::getline(in, entry);
  EXPECT_EQ(entry, "s_256_4_a");
}

TEST_F(TuneTest, ConfigsThatCannotRunAreInvalidWithTheirReason) {
  BundleContents contents = scaleBundle();
  // BLOCK=128, num_warps=4 was not compiled; s_256_2_a fails to load.
  auto &variants = contents.kernels[0].variants;
  variants.erase(variants.begin() + 2, variants.begin() + 4);
  writeBundle(dir.file("partial.kpack"), contents);
  ::setenv("KDSL_FAKE_CUDA_MISSING", "s_256_2_a", 1);
  Bundle bundle = Bundle::open(dir.file("partial.kpack"));
  Buffer x(4096 * 4, DType::F32);
  Arg args[] = {x, 4096};
  TuneCache cache = TuneCache::open(dir.file("tune.db"));
  TuneOptions options;
  options.budgetMs = 1;
  options.prune = false;
  TuneReport report = bundle.kernel("scale").tune(args, 2, cache, options);
  EXPECT_EQ(report.invalid, 2u);
  EXPECT_EQ(report.records[1].status, "invalid");
  EXPECT_NE(report.records[1].reason.find("no variant"), std::string::npos)
      << report.records[1].reason;
  EXPECT_EQ(report.records[2].status, "invalid");
  EXPECT_NE(report.records[2].reason.find("CUDA_ERROR_NOT_FOUND"),
            std::string::npos)
      << report.records[2].reason;
  EXPECT_EQ(report.records[report.winner].config,
            "BLOCK=256,num_warps=4,num_stages=2");
  EXPECT_EQ(cache.rows().size(), 6u);
}

// num_stages = [2, 3] over a kernel whose num_stages changes nothing: each
// num_stages=3 variant is the num_stages=2 one's code, and is not timed.
TEST_F(TuneTest, ConfigsWithTheSameCodeAreTimedOnce) {
  BundleContents contents = scaleBundle();
  KernelInfo &k = contents.kernels[0];
  k.tuneSpace.push_back({"num_stages", {2, 3}});
  std::vector<VariantInfo> stages3;
  for (VariantInfo v : k.variants) {
    for (auto &[name, value] : v.config)
      if (name == "num_stages")
        value = 3;
    v.numStages = 3;
    stages3.push_back(v);
  }
  k.variants.insert(k.variants.end(), stages3.begin(), stages3.end());
  writeBundle(dir.file("stages.kpack"), contents);
  Bundle bundle = Bundle::open(dir.file("stages.kpack"));
  Buffer x(4096 * 4, DType::F32);
  Arg args[] = {x, 3000};
  TuneCache cache = TuneCache::open(dir.file("tune.db"));
  TuneOptions options;
  options.budgetMs = 1;
  options.prune = false;
  size_t timed = 0;
  options.progress = [&](size_t, size_t total) { timed = total; };
  TuneReport report = bundle.kernel("scale").tune(args, 2, cache, options);
  ASSERT_EQ(report.records.size(), 12u);
  EXPECT_EQ(timed, 6u);
  EXPECT_EQ(report.pruned, 6u);
  for (const TuneRecord &r : report.records) {
    size_t at = r.config.find("num_stages=3");
    if (at == std::string::npos) {
      EXPECT_EQ(r.status, "ok") << r.config;
      continue;
    }
    std::string twin = r.config;
    twin.replace(at, 12, "num_stages=2");
    EXPECT_EQ(r.status, "pruned") << r.config;
    EXPECT_EQ(r.reason, "same code as " + twin);
  }
  EXPECT_EQ(report.records[report.winner].config,
            "BLOCK=256,num_warps=4,num_stages=2");
  EXPECT_EQ(cache.rows("scale").size(), 12u);
}

TEST_F(TuneTest, TuningRestoresTheArgumentsBuffers) {
  Bundle bundle = Bundle::open(dir.file("scale.kpack"));
  Buffer x(1024 * 4, DType::F32);
  std::vector<float> data(1024, 1.5f);
  x.upload(data);
  Arg args[] = {x, 1024};
  TuneCache cache = TuneCache::open(dir.file("tune.db"));
  TuneOptions options;
  options.budgetMs = 1;
  bundle.kernel("scale").tune(args, 2, cache, options);
  EXPECT_EQ(x.download<float>(), data);
}

TEST_F(TuneTest, KernelsWithoutASpaceCannotBeTuned) {
  BundleContents contents = scaleBundle();
  contents.kernels[0].tuneSpace.clear();
  contents.kernels[0].tuneKey.clear();
  writeBundle(dir.file("fixed.kpack"), contents);
  Bundle bundle = Bundle::open(dir.file("fixed.kpack"));
  Buffer x(64, DType::F32);
  Arg args[] = {x, 16};
  TuneCache cache = TuneCache::open(dir.file("tune.db"));
  try {
    bundle.kernel("scale").tune(args, 2, cache);
    FAIL() << "expected an error";
  } catch (const Error &e) {
    EXPECT_STREQ(e.what(), "kernel 'scale': has no @autotune space to tune");
  }
}

TEST_F(TuneTest, ACorruptCacheFailsTheLaunchNamingTheFile) {
  std::ofstream(dir.file("bad.db")) << std::string(2048, 'z');
  setTuningCache(dir.file("bad.db"));
  Bundle bundle = Bundle::open(dir.file("scale.kpack"));
  Buffer x(64, DType::F32);
  Arg args[] = {x, 16};
  try {
    bundle.kernel("scale").plan(args, 2);
    FAIL() << "expected an error";
  } catch (const Error &e) {
    EXPECT_NE(std::string(e.what()).find("tuning cache '" + dir.file("bad.db") +
                                         "': the file is corrupt"),
              std::string::npos)
        << e.what();
  }
}

/// Run by its own ctest entry with KDSL_AUTOTUNE=1.
TEST_F(TuneTest, AutotuneOnFirstLaunchOfAnUntunedKey) {
  if (!std::getenv("KDSL_AUTOTUNE"))
    GTEST_SKIP() << "needs KDSL_AUTOTUNE=1 (its own ctest entry)";
  Bundle bundle = Bundle::open(dir.file("scale.kpack"));
  Kernel &scale = bundle.kernel("scale");
  Buffer x(4096 * 4, DType::F32);
  Arg args[] = {x, 4000};
  std::string log = dir.file("launches.log");
  ::setenv("KDSL_FAKE_CUDA_LOG", log.c_str(), 1);
  scale.launch(args, 2);
  ::unsetenv("KDSL_FAKE_CUDA_LOG");
  // The launch tuned first (many launches), then ran the winner.
  std::ifstream in(log);
  std::string line, last;
  size_t launches = 0;
  while (std::getline(in, line)) {
    last = line;
    ++launches;
  }
  EXPECT_GT(launches, 6u);
  EXPECT_EQ(last, "s_256_4_a");
  EXPECT_EQ(TuneCache::open(dir.file("tune.db")).rows("scale").size(), 6u);
  // The next launch of the key does not tune again.
  ::setenv("KDSL_FAKE_CUDA_LOG", dir.file("second.log").c_str(), 1);
  scale.launch(args, 2);
  ::unsetenv("KDSL_FAKE_CUDA_LOG");
  std::ifstream second(dir.file("second.log"));
  std::stringstream text;
  text << second.rdbuf();
  EXPECT_EQ(text.str(), "s_256_4_a\n");
}

} // namespace
