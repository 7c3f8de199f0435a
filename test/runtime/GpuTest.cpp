//===- GpuTest.cpp - The runtime on a GPU ---------------------------------===//
//
// Launches the hand-written kernels of kernels/runtime_kernels.cu from the
// bundle the build writes (KDSL_TEST_BUNDLE, overridable by the environment
// variable of that name). Every test skips with "no CUDA driver found" where
// there is none. IllegalAddress poisons the CUDA context, so it runs only
// with KDSL_TEST_FAULTS=1, in a process of its own (scripts/device/run.sh).
//
//===----------------------------------------------------------------------===//

#include "TestBundles.h"

#include <cmath>
#include <cstring>
#include <random>

using namespace kdsl::rt;

namespace {

std::string bundlePath() {
  const char *env = std::getenv("KDSL_TEST_BUNDLE");
  return env && *env ? env : KDSL_TEST_BUNDLE;
}

class GpuTest : public ::testing::Test {
protected:
  void SetUp() override {
    std::string why;
    if (!driverAvailable(&why))
      GTEST_SKIP() << why;
    if (bundlePath().empty())
      GTEST_SKIP() << "nvcc was not found at build time, so there is no "
                      "bundle of CUDA test kernels";
    bundle = std::make_unique<Bundle>(Bundle::open(bundlePath()));
  }

  static std::vector<float> random(size_t n, unsigned seed) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> dist(-2.0f, 2.0f);
    std::vector<float> values(n);
    for (float &v : values)
      v = dist(rng);
    return values;
  }

  std::unique_ptr<Bundle> bundle;
  std::random_device seeds;
};

/// Runs vector_add on n elements at the given byte offsets and checks it.
void checkVectorAdd(Kernel &kernel, int n, size_t offset, unsigned seed,
                    const LaunchOptions &options, std::string *entry) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(-2.0f, 2.0f);
  std::vector<float> x(n), y(n);
  for (int i = 0; i < n; ++i) {
    x[i] = dist(rng);
    y[i] = dist(rng);
  }
  size_t bytes = n * sizeof(float) + offset;
  Buffer dx(bytes, DType::F32), dy(bytes, DType::F32), dout(bytes, DType::F32);
  dx.upload(x.data(), n * sizeof(float), offset);
  dy.upload(y.data(), n * sizeof(float), offset);
  dout.fill(0xff); // NaN
  Arg args[] = {Arg::ptr(dx.address() + offset, DType::F32),
                Arg::ptr(dy.address() + offset, DType::F32),
                Arg::ptr(dout.address() + offset, DType::F32), n};
  kernel.launch(args, 4, options);
  if (options.stream)
    options.stream->synchronize();
  else
    Device::get().synchronize();
  std::vector<float> out(n);
  dout.download(out.data(), n * sizeof(float), offset);
  int bad = 0;
  for (int i = 0; i < n && bad < 5; ++i)
    if (!(out[i] == x[i] + y[i])) {
      ADD_FAILURE() << "out[" << i << "] = " << out[i] << ", expected "
                    << x[i] + y[i];
      ++bad;
    }
  if (entry)
    *entry = kernel.plan(args, 4, options).entry;
}

TEST_F(GpuTest, DeviceInfo) {
  const DeviceInfo &info = Device::get().info();
  EXPECT_FALSE(info.name.empty());
  EXPECT_GE(info.computeMajor, 7);
  EXPECT_GT(info.multiprocessors, 0);
  EXPECT_GT(info.sharedMemoryPerBlockOptin, 48u * 1024);
  std::printf("device: %s, %s, %d SMs, driver %d\n", info.name.c_str(),
              info.arch().c_str(), info.multiprocessors, info.driverVersion);
}

TEST_F(GpuTest, VectorAddVariantsAndTails) {
  Kernel &add = bundle->kernel("vector_add");
  std::string entry;
  for (int n : {1, 255, 256, 257, 100003, 1 << 20}) {
    checkVectorAdd(add, n, 0, seeds(), {}, &entry);
    EXPECT_EQ(entry, "vector_add_256");
  }
  LaunchOptions big;
  big.config = {{"BLOCK", 1024}};
  checkVectorAdd(add, 100003, 0, seeds(), big, &entry);
  EXPECT_EQ(entry, "vector_add_1024_aligned");
  checkVectorAdd(add, 100003, 4, seeds(), big, &entry);
  EXPECT_EQ(entry, "vector_add_1024");
}

TEST_F(GpuTest, ResourcesComeFromTheDriver) {
  Kernel &add = bundle->kernel("vector_add");
  Buffer b(4096, DType::F32);
  VariantResources r = add.resources({b, b, b, 1024});
  EXPECT_EQ(r.loadedFrom,
            "cubin " + std::string(Device::get().info().computeMajor == 9
                                       ? "sm_90a"
                                       : "sm_80"));
  EXPECT_GT(r.registers, 0);
  EXPECT_EQ(r.localBytes, 0);
  EXPECT_EQ(r.config, "BLOCK=256,num_warps=4,num_stages=2");
}

TEST_F(GpuTest, PtxThroughTheJit) {
  Kernel &jit = bundle->kernel("vector_add_jit");
  checkVectorAdd(jit, 5000, 0, seeds(), {}, nullptr);
  Buffer b(4096, DType::F32);
  EXPECT_EQ(jit.resources({b, b, b, 1024}).loadedFrom, "ptx (JIT)");
}

TEST_F(GpuTest, ScalarTypesArePacked) {
  Kernel &scale = bundle->kernel("scale");
  const int n = 1000;
  std::vector<float> x = random(n, seeds());
  Buffer dx(n * 4, DType::F32), dout(n * 4, DType::F32);
  dx.upload(x);
  dout.fill(0xff);
  // 0.333251953125 is exact in f16; 1.5 in bf16.
  scale.launch({dx, dout, 2.5f, 0.333251953125, 1.5, int64_t(n), true});
  Device::get().synchronize();
  std::vector<float> out = dout.download<float>();
  for (int i = 0; i < n; ++i)
    ASSERT_FLOAT_EQ(out[i], x[i] * 2.5f + 0.333251953125f + 1.5f + 1.0f)
        << "at " << i;
}

TEST_F(GpuTest, ArgumentErrorsBeforeLaunch) {
  Kernel &add = bundle->kernel("vector_add");
  Buffer f(4096, DType::F32), h(4096, DType::F16);
  EXPECT_RT_ERROR(add.launch({f, f, f}), "expects 4 arguments");
  EXPECT_RT_ERROR(add.launch({f, h, f, 10}),
                  "argument 2 ('y') must point to f32 elements, got a buffer "
                  "of f16");
}

TEST_F(GpuTest, CallerGivenGrid) {
  Kernel &k = bundle->kernel("empty4_nogrid");
  Buffer b(16, DType::F32);
  EXPECT_RT_ERROR(k.launch({b, b, 1, 1}),
                  "has no grid expression; give the grid in the launch "
                  "options");
  LaunchOptions options;
  options.grid = {8, 1, 1};
  k.launch({b, b, 1, 1}, options);
  Device::get().synchronize();
}

TEST_F(GpuTest, OutOfResourcesNamesTheKernel) {
  Kernel &heavy = bundle->kernel("heavy");
  Buffer b(4096, DType::F32);
  b.fill(0);
  EXPECT_RT_ERROR(heavy.launch({b, 1024}),
                  "cuLaunchKernel failed: CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES");
  EXPECT_RT_ERROR(heavy.launch({b, 1024}),
                  "for kernel 'heavy' (num_warps=32,num_stages=2) with grid "
                  "1x1x1, 1024 threads per block");
  // The context is still usable.
  Device::get().synchronize();
}

TEST_F(GpuTest, DynamicSharedMemoryAbove48K) {
  Kernel &sum = bundle->kernel("shared_sum");
  const int n = 96 * 1024 / 4;
  std::vector<float> x(n);
  for (int i = 0; i < n; ++i)
    x[i] = static_cast<float>(i % 7);
  double expected = 0;
  for (float v : x)
    expected += v;
  Buffer dx(n * 4, DType::F32), dout(4, DType::F32);
  dx.upload(x);
  dout.fill(0xff);
  sum.launch({dx, dout, n});
  Device::get().synchronize();
  EXPECT_EQ(dout.download<float>()[0], static_cast<float>(expected));
  LaunchOptions huge;
  huge.config = {{"KB", 1024}};
  EXPECT_RT_ERROR(sum.launch({dx, dout, n}, huge),
                  "needs 1048576 bytes of shared memory");
}

TEST_F(GpuTest, BadPtxReportsTheJitLog) {
  Kernel &bad = bundle->kernel("bad_ptx");
  Buffer b(16, DType::F32);
  try {
    bad.launch({b, 1});
    ADD_FAILURE() << "loading bad PTX succeeded";
  } catch (const Error &error) {
    std::string message = error.what();
    EXPECT_NE(message.find("cuModuleLoadDataEx failed"), std::string::npos)
        << message;
    EXPECT_NE(message.find("JIT-compiling the PTX for kernel 'bad_ptx'"),
              std::string::npos)
        << message;
    EXPECT_NE(message.find("JIT log:"), std::string::npos) << message;
  }
}

TEST_F(GpuTest, ManyLaunchesOnSeveralStreams) {
  Kernel &add = bundle->kernel("vector_add");
  constexpr int kStreams = 4, kLaunches = 250, n = 70000;
  std::vector<Stream> streams;
  std::vector<Buffer> xs, ys, outs;
  std::vector<std::vector<float>> hostX, hostY;
  for (int s = 0; s < kStreams; ++s) {
    streams.emplace_back();
    hostX.push_back(random(n, seeds()));
    hostY.push_back(random(n, seeds()));
    xs.emplace_back(n * 4, DType::F32);
    ys.emplace_back(n * 4, DType::F32);
    outs.emplace_back(n * 4, DType::F32);
    xs.back().upload(hostX.back());
    ys.back().upload(hostY.back());
    outs.back().fill(0xff);
  }
  for (int i = 0; i < kLaunches; ++i)
    for (int s = 0; s < kStreams; ++s) {
      LaunchOptions options;
      options.stream = &streams[s];
      add.launch({xs[s], ys[s], outs[s], n}, options);
    }
  for (Stream &stream : streams)
    stream.synchronize();
  for (int s = 0; s < kStreams; ++s) {
    std::vector<float> out = outs[s].download<float>();
    for (int i = 0; i < n; ++i)
      ASSERT_EQ(out[i], hostX[s][i] + hostY[s][i]) << "stream " << s;
  }
}

TEST_F(GpuTest, IllegalAddressSurfacesAtSynchronization) {
  if (!std::getenv("KDSL_TEST_FAULTS"))
    GTEST_SKIP() << "the fault poisons the CUDA context: run with "
                    "KDSL_TEST_FAULTS=1 in a process of its own "
                    "(scripts/device/run.sh does)";
  Kernel &fault = bundle->kernel("fault");
  Stream stream;
  Buffer b(16, DType::F32);
  LaunchOptions options;
  options.stream = &stream;
  // With KDSL_LAUNCH_BLOCKING=1 the launch itself reports the fault.
  bool blocking = std::getenv("KDSL_LAUNCH_BLOCKING") &&
                  std::string(std::getenv("KDSL_LAUNCH_BLOCKING")) == "1";
  try {
    fault.launch({b, 1000}, options);
    stream.synchronize();
    ADD_FAILURE() << "the fault went unnoticed";
  } catch (const Error &error) {
    std::string message = error.what();
    EXPECT_NE(message.find("CUDA_ERROR_ILLEGAL_ADDRESS"), std::string::npos)
        << message;
    if (blocking)
      EXPECT_NE(message.find("synchronizing after launch failed: "
                             "CUDA_ERROR_ILLEGAL_ADDRESS (an illegal memory "
                             "access was encountered) of kernel 'fault' "
                             "(num_warps=1,num_stages=2)"),
                std::string::npos)
          << message;
    else
      EXPECT_NE(message.find("cuStreamSynchronize failed: "
                             "CUDA_ERROR_ILLEGAL_ADDRESS (an illegal memory "
                             "access was encountered) after kernel 'fault' "
                             "(num_warps=1,num_stages=2) was the last "
                             "launched on this stream"),
                std::string::npos)
          << message;
    std::printf("reported: %s\n", message.c_str());
  }
}

} // namespace
