//===- KernelBench.cpp - Memory-bound kernels against copy bandwidth ------===//
//
// Part of the kdsl project.
//
// Times vector add (f32, 2^26), softmax (f32, 4096 x {1024, 4096, 16384}),
// layer norm forward (f32, 4096 x {1024, 4096}) and their several-rows-per-
// instance forms at 4096 x {1024, 4096} (softmax_rows, layer_norm_rows) from
// the bundles scripts/device/pack.sh compiles, with the method of
// GPU-CHECKS.md: warm-up, L2 flushed (a 512 MiB memset) before every
// repetition, CUDA events, median with p20 and p80. Every config in the bundle
// is timed and the best is reported (the tuner's job in a later issue). The
// device-to-device copy bandwidth is measured in the same run; bandwidth counts
// each input read and each output written once.
//
//   kdsl-kernel-bench BUNDLE_DIR OUT.json
//
//===----------------------------------------------------------------------===//

#include "kdsl/bundle.hpp"

#include "Driver.h"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <functional>
#include <random>
#include <string>
#include <vector>

using namespace kdsl::rt;

namespace {

struct Stats {
  double median = 0, p20 = 0, p80 = 0; // milliseconds
};

Stats summarize(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  auto at = [&](double q) {
    return v[static_cast<size_t>(q * (v.size() - 1) + 0.5)];
  };
  return {at(0.5), at(0.2), at(0.8)};
}

class Timer {
public:
  explicit Timer(CUstream stream) : stream(stream), flush(512u << 20) {
    check(driver().cuEventCreate(&start, CU_EVENT_DEFAULT), "cuEventCreate");
    check(driver().cuEventCreate(&stop, CU_EVENT_DEFAULT), "cuEventCreate");
  }
  /// Runs `body` `reps` times after warm-up, flushing L2 before each.
  Stats time(const std::function<void()> &body, int reps = 50) {
    const DriverApi &api = driver();
    for (int i = 0; i < 5; ++i)
      body();
    check(api.cuStreamSynchronize(stream), "cuStreamSynchronize");
    std::vector<double> ms;
    for (int i = 0; i < reps; ++i) {
      check(
          api.cuMemsetD8Async(flush.address(), i & 0xff, flush.bytes(), stream),
          "cuMemsetD8Async");
      check(api.cuEventRecord(start, stream), "cuEventRecord");
      body();
      check(api.cuEventRecord(stop, stream), "cuEventRecord");
      check(api.cuEventSynchronize(stop), "cuEventSynchronize");
      float t = 0;
      check(api.cuEventElapsedTime(&t, start, stop), "cuEventElapsedTime");
      ms.push_back(t);
    }
    return summarize(ms);
  }

private:
  CUstream stream;
  Buffer flush;
  CUevent start, stop;
};

Buffer randomBuffer(size_t n, std::mt19937 &rng) {
  std::uniform_real_distribution<float> dist(-2.0f, 2.0f);
  std::vector<float> host(n);
  for (float &v : host)
    v = dist(rng);
  Buffer b(n * 4, DType::F32);
  b.upload(host);
  return b;
}

/// The configs of `kernel` in `contents` (generic and specialized alike;
/// the runtime picks the specialization).
std::vector<ConfigEntries> configsOf(const BundleContents &contents,
                                     const std::string &kernel,
                                     const std::string &constexprName,
                                     int64_t constexprValue) {
  std::vector<ConfigEntries> configs;
  for (const KernelInfo &k : contents.kernels)
    if (k.name == kernel)
      for (const VariantInfo &v : k.variants) {
        if (!v.specialization.empty())
          continue;
        bool matches = constexprName.empty();
        for (const auto &[name, value] : v.config)
          matches |= name == constexprName && value == constexprValue;
        if (matches)
          configs.push_back(v.config);
      }
  return configs;
}

/// Bandwidth in GB/s; 0 where no time was measured (JSON has no infinity).
double gbps(double bytes, double ms) {
  return ms > 0 ? bytes / (ms * 1e-3) / 1e9 : 0;
}

struct Row {
  std::string name;
  double bytes;
  Stats best;
  std::string config;
  /// The best config's variant: its specialization and registers.
  std::string specialization;
  int registers = 0;
};

} // namespace

int main(int argc, char **argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: kdsl-kernel-bench BUNDLE_DIR OUT.json\n");
    return 1;
  }
  try {
    std::string dir = argv[1];
    Device &device = Device::get();
    Stream stream;
    CUstream cu = static_cast<CUstream>(stream.handle());
    Timer timer(cu);
    std::mt19937 rng(20261126);
    std::vector<Row> rows;

    auto bench = [&](const std::string &name, const std::string &bundlePath,
                     const std::string &kernelName, double bytes,
                     const std::string &constexprName, int64_t value,
                     const std::vector<Arg> &args) {
      Bundle bundle = Bundle::open(bundlePath);
      BundleContents contents = readBundle(bundlePath);
      Kernel &kernel = bundle.kernel(kernelName);
      Row row{name, bytes, {}, "", "", 0};
      LaunchOptions best;
      for (const ConfigEntries &config :
           configsOf(contents, kernelName, constexprName, value)) {
        LaunchOptions options;
        options.stream = &stream;
        options.config = config;
        Stats s = timer.time(
            [&] { kernel.launch(args.data(), args.size(), options); });
        if (row.config.empty() || s.median < row.best.median) {
          row.best = s;
          row.config = formatConfig(config);
          best = options;
        }
      }
      VariantResources used = kernel.resources(args.data(), args.size(), best);
      row.specialization = used.specialization;
      row.registers = used.registers;
      std::printf(
          "%-22s %8.4f ms  %7.0f GB/s  (%s; %s; %d registers)\n", name.c_str(),
          row.best.median, gbps(bytes, row.best.median), row.config.c_str(),
          row.specialization.empty() ? "generic" : row.specialization.c_str(),
          row.registers);
      rows.push_back(row);
    };

    // Copy bandwidth: the ceiling.
    {
      size_t n = size_t(1) << 28; // 1 GiB of f32
      Buffer a(n * 4), b(n * 4);
      a.fill(1);
      Stats s = timer.time(
          [&] {
            check(
                driver().cuMemcpyDtoDAsync(b.address(), a.address(), n * 4, cu),
                "cuMemcpyDtoDAsync");
          },
          20);
      rows.push_back({"copy_1GiB", 2.0 * n * 4, s, "cuMemcpyDtoDAsync", "", 0});
      std::printf("%-22s %8.4f ms  %7.0f GB/s\n", "copy 1 GiB", s.median,
                  gbps(2.0 * n * 4, s.median));
    }
    {
      int n = 1 << 26;
      Buffer x = randomBuffer(n, rng), y = randomBuffer(n, rng);
      Buffer out(size_t(n) * 4, DType::F32);
      bench("vector_add_2^26", dir + "/vector_add.kpack", "vector_add",
            3.0 * n * 4, "", 0, std::vector<Arg>{x, y, out, n});
    }
    for (int cols : {1024, 4096, 16384}) {
      int rowsN = 4096;
      Buffer in = randomBuffer(size_t(rowsN) * cols, rng);
      Buffer out(size_t(rowsN) * cols * 4, DType::F32);
      bench("softmax_4096x" + std::to_string(cols), dir + "/softmax.kpack",
            "softmax", 2.0 * rowsN * cols * 4, "BLOCK", cols,
            std::vector<Arg>{out, in, rowsN, cols, cols});
    }
    for (int cols : {1024, 4096}) {
      int rowsN = 4096;
      Buffer x = randomBuffer(size_t(rowsN) * cols, rng);
      Buffer w = randomBuffer(cols, rng), b = randomBuffer(cols, rng);
      Buffer y(size_t(rowsN) * cols * 4, DType::F32);
      bench("layer_norm_4096x" + std::to_string(cols),
            dir + "/layer_norm.kpack", "layer_norm",
            2.0 * rowsN * cols * 4 + 2.0 * cols * 4, "BLOCK", cols,
            std::vector<Arg>{x, y, w, b, rowsN, cols, cols, 1e-5f});
    }

    // Several rows per program instance (ROWS tuned with num_warps; the
    // 4096-column bundles hold fewer configs, in a folder of their own).
    for (int cols : {1024, 4096}) {
      int rowsN = 4096;
      std::string rowsDir = cols == 1024 ? dir : dir + "/4096";
      Buffer in = randomBuffer(size_t(rowsN) * cols, rng);
      Buffer out(size_t(rowsN) * cols * 4, DType::F32);
      bench("softmax_rows_4096x" + std::to_string(cols),
            rowsDir + "/softmax_rows.kpack", "softmax_rows",
            2.0 * rowsN * cols * 4, "BLOCK", cols,
            std::vector<Arg>{out, in, rowsN, cols, cols});
      Buffer w = randomBuffer(cols, rng), b = randomBuffer(cols, rng);
      bench("layer_norm_rows_4096x" + std::to_string(cols),
            rowsDir + "/layer_norm_rows.kpack", "layer_norm_rows",
            2.0 * rowsN * cols * 4 + 2.0 * cols * 4, "BLOCK", cols,
            std::vector<Arg>{in, out, w, b, rowsN, cols, cols, 1e-5f});
    }

    std::ofstream json(argv[2]);
    json << "{\n  \"device\": \"" << device.info().name << "\",\n  \"rows\": [";
    for (size_t i = 0; i < rows.size(); ++i) {
      const Row &r = rows[i];
      char line[512];
      std::snprintf(line, sizeof(line),
                    "%s\n    {\"name\": \"%s\", \"ms\": %.5f, \"p20\": %.5f, "
                    "\"p80\": %.5f, \"GBps\": %.1f, \"config\": \"%s\", "
                    "\"specialization\": \"%s\", \"registers\": %d}",
                    i ? "," : "", r.name.c_str(), r.best.median, r.best.p20,
                    r.best.p80, gbps(r.bytes, r.best.median), r.config.c_str(),
                    r.specialization.c_str(), r.registers);
      json << line;
    }
    json << "\n  ]\n}\n";
    return 0;
  } catch (const Error &error) {
    std::fprintf(stderr, "kdsl-kernel-bench: error: %s\n", error.what());
    return 1;
  }
}
