//===- LaunchOverhead.cpp - Host time per kernel launch -------------------===//
//
// Part of the kdsl project.
//
// Measures the host time of one asynchronous launch of an empty kernel with
// 4 and with 16 parameters, through kdsl's runtime (Kernel::launch with
// arguments built per call, as an application writes it) and through raw
// cuLaunchKernel on the same cubin with a prebuilt parameter array. Launches
// go in batches of 256 (under the driver's queue depth, so the host never
// waits for the GPU), with a synchronization between batches that is not
// timed; the figure is the median over batches, with p20 and p80.
//
// It also measures device-to-device copy bandwidth (bytes read + written),
// the ceiling memory-bound kernels are compared with.
//
//   kdsl-launch-bench BUNDLE.kpack OUT.json
//
//===----------------------------------------------------------------------===//

#include "kdsl/bundle.hpp"

#include "Driver.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

using namespace kdsl::rt;

namespace {

constexpr int kBatch = 256;
constexpr int kBatches = 200;

struct Stats {
  double median, p20, p80;
};

Stats summarize(std::vector<double> samples) {
  std::sort(samples.begin(), samples.end());
  auto at = [&](double q) {
    return samples[static_cast<size_t>(q * (samples.size() - 1) + 0.5)];
  };
  return {at(0.5), at(0.2), at(0.8)};
}

/// Microseconds per launch of `launchOne`, per batch.
Stats timeLaunches(const std::function<void()> &launchOne, CUstream stream) {
  const DriverApi &api = driver();
  for (int i = 0; i < 2000; ++i) // warm-up
    launchOne();
  check(api.cuStreamSynchronize(stream), "cuStreamSynchronize");
  std::vector<double> perLaunch;
  for (int b = 0; b < kBatches; ++b) {
    auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < kBatch; ++i)
      launchOne();
    auto end = std::chrono::steady_clock::now();
    check(api.cuStreamSynchronize(stream), "cuStreamSynchronize");
    perLaunch.push_back(
        std::chrono::duration<double, std::micro>(end - start).count() /
        kBatch);
  }
  return summarize(perLaunch);
}

/// Device-to-device copy bandwidth in GB/s (read + written), median of 20.
Stats copyBandwidth(size_t bytes, CUstream stream) {
  const DriverApi &api = driver();
  Buffer src(bytes), dst(bytes);
  src.fill(0x3c);
  CUevent start, stop;
  check(api.cuEventCreate(&start, CU_EVENT_DEFAULT), "cuEventCreate");
  check(api.cuEventCreate(&stop, CU_EVENT_DEFAULT), "cuEventCreate");
  std::vector<double> rates;
  for (int i = 0; i < 23; ++i) {
    check(api.cuEventRecord(start, stream), "cuEventRecord");
    check(api.cuMemcpyDtoDAsync(dst.address(), src.address(), bytes, stream),
          "cuMemcpyDtoDAsync");
    check(api.cuEventRecord(stop, stream), "cuEventRecord");
    check(api.cuEventSynchronize(stop), "cuEventSynchronize");
    float ms = 0;
    check(api.cuEventElapsedTime(&ms, start, stop), "cuEventElapsedTime");
    if (i >= 3)
      rates.push_back(2.0 * bytes / (ms * 1e-3) / 1e9);
  }
  api.cuEventDestroy(start);
  api.cuEventDestroy(stop);
  return summarize(rates);
}

} // namespace

int main(int argc, char **argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: kdsl-launch-bench BUNDLE.kpack OUT.json\n");
    return 1;
  }
  try {
    Device &device = Device::get();
    device.makeCurrent();
    const DriverApi &api = driver();
    Bundle bundle = Bundle::open(argv[1]);
    BundleContents contents = readBundle(argv[1]);
    Stream stream;
    CUstream cuStream = static_cast<CUstream>(stream.handle());
    Buffer a(4096, DType::F32);

    std::string json = "{\n  \"device\": \"" + device.info().name +
                       "\",\n  \"batch\": " + std::to_string(kBatch) +
                       ",\n  \"batches\": " + std::to_string(kBatches) +
                       ",\n  \"launch_us\": {";
    std::printf("%-8s %-12s %10s %10s %10s\n", "kernel", "path", "median_us",
                "p20_us", "p80_us");
    bool first = true;
    for (const char *name : {"empty4", "empty16"}) {
      Kernel &kernel = bundle.kernel(name);
      bool sixteen = std::string(name) == "empty16";

      // Raw: the same cubin, loaded and launched with the driver API alone.
      const KernelInfo *info = nullptr;
      for (const KernelInfo &k : contents.kernels)
        if (k.name == name)
          info = &k;
      const VariantInfo &variant = info->variants.at(0);
      const BinaryInfo *cubin = nullptr;
      for (const BinaryInfo &b : variant.binaries)
        if (b.arch == device.info().arch() ||
            b.arch == device.info().arch() + "a")
          cubin = &b;
      CUmodule module;
      check(cubin ? api.cuModuleLoadDataEx(&module, cubin->cubin.data(), 0,
                                           nullptr, nullptr)
                  : api.cuModuleLoadDataEx(&module, variant.ptx.c_str(), 0,
                                           nullptr, nullptr),
            "cuModuleLoadDataEx");
      CUfunction function;
      check(api.cuModuleGetFunction(&function, module, variant.entry.c_str()),
            "cuModuleGetFunction");
      CUdeviceptr ptr = a.address();
      int n = 1024, m = 1;
      std::vector<void *> params;
      for (int i = 0; i < (sixteen ? 8 : 2); ++i)
        params.push_back(&ptr);
      params.push_back(&n);
      for (int i = 0; i < (sixteen ? 7 : 1); ++i)
        params.push_back(&m);
      Stats raw = timeLaunches(
          [&] {
            api.cuLaunchKernel(function, 1, 1, 1, 128, 1, 1, 0, cuStream,
                               params.data(), nullptr);
          },
          cuStream);

      LaunchOptions options;
      options.stream = &stream;
      Stats ours = timeLaunches(
          sixteen ? std::function<void()>([&] {
            kernel.launch({a, a, a, a, a, a, a, a, 1024, 1, 1, 1, 1, 1, 1, 1},
                          options);
          })
                  : std::function<void()>([&] {
                      kernel.launch({a, a, 1024, 1}, options);
                    }),
          cuStream);
      api.cuModuleUnload(module);

      for (auto [path, s] : {std::pair<const char *, Stats>{"raw", raw},
                             std::pair<const char *, Stats>{"kdsl", ours}}) {
        std::printf("%-8s %-12s %10.3f %10.3f %10.3f\n", name, path, s.median,
                    s.p20, s.p80);
        char entry[256];
        std::snprintf(entry, sizeof(entry),
                      "%s\n    \"%s/%s\": {\"median\": %.4f, \"p20\": %.4f, "
                      "\"p80\": %.4f}",
                      first ? "" : ",", name, path, s.median, s.p20, s.p80);
        json += entry;
        first = false;
      }
      std::printf("%-8s kdsl/raw = %.2fx\n", name, ours.median / raw.median);
    }
    Stats copy = copyBandwidth(size_t(2) << 30, cuStream);
    std::printf("device-to-device copy of 2 GiB: %.0f GB/s (p20 %.0f, p80 "
                "%.0f), read + written\n",
                copy.median, copy.p20, copy.p80);
    char tail[256];
    std::snprintf(tail, sizeof(tail),
                  "\n  },\n  \"copy_GBps\": {\"median\": %.1f, \"p20\": %.1f, "
                  "\"p80\": %.1f}\n}\n",
                  copy.median, copy.p20, copy.p80);
    json += tail;
    std::ofstream(argv[2]) << json;
    return 0;
  } catch (const Error &error) {
    std::fprintf(stderr, "kdsl-launch-bench: error: %s\n", error.what());
    return 1;
  }
}
