//===- Tune.cpp - Timing a kernel's configs on the GPU --------------------===//
//
// Part of the kdsl project.
//
// Kernel::tune times every config of a kernel's @autotune space with the
// caller's arguments: each repetition starts from the arguments' original
// buffer contents and a flushed L2 cache, and is timed with CUDA events.
// The decisions (pruning, noisy repeats, re-validation, the winner) are the
// sweep's (kdsl/Autotune/Sweep.h); every result goes to the tuning cache as
// soon as it is final. Launches consult that cache (tunedConfig), and with
// KDSL_AUTOTUNE=1 a launch whose key has no winner tunes it first.
//
//===----------------------------------------------------------------------===//

#include "kdsl/Autotune/Sweep.h"
#include "kdsl/tune_cache.hpp"

#include "KernelImpl.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>

using namespace kdsl::rt;

//===----------------------------------------------------------------------===//
// The cache launches consult
//===----------------------------------------------------------------------===//

namespace {
// Users keep their own reference, so setTuningCache never frees a cache in
// use; SQLite serializes the queries on its connection.
std::mutex launchCacheMutex;
std::optional<std::string> launchCachePathOverride;
std::shared_ptr<TuneCache> launchCache;
bool launchCacheOpened = false;
std::string launchCacheError;

std::string currentPath() {
  return launchCachePathOverride ? *launchCachePathOverride
                                 : TuneCache::defaultPath();
}
} // namespace

void kdsl::rt::setTuningCache(const std::string &path) {
  std::lock_guard<std::mutex> lock(launchCacheMutex);
  launchCachePathOverride = path;
  launchCache.reset();
  launchCacheOpened = false;
  launchCacheError.clear();
}

std::string kdsl::rt::launchTuningCachePath() {
  std::lock_guard<std::mutex> lock(launchCacheMutex);
  return currentPath();
}

void kdsl::rt::reopenLaunchTuningCache(const std::string &path) {
  std::lock_guard<std::mutex> lock(launchCacheMutex);
  if (currentPath() != path)
    return;
  launchCache.reset();
  launchCacheOpened = false;
  launchCacheError.clear();
}

std::shared_ptr<TuneCache> kdsl::rt::launchTuningCache() {
  std::lock_guard<std::mutex> lock(launchCacheMutex);
  if (!launchCacheOpened) {
    launchCacheOpened = true;
    std::string path = currentPath();
    try {
      if (!path.empty())
        launchCache = std::make_shared<TuneCache>(
            TuneCache::open(path, TuneCache::Mode::ReadOnly));
    } catch (const Error &e) {
      launchCacheError = e.what();
    }
  }
  // A broken file fails every launch that would consult it, the same way.
  if (!launchCacheError.empty())
    throw Error(launchCacheError);
  return launchCache;
}

bool kdsl::rt::autotuneOnLaunch() {
  static const bool enabled = [] {
    const char *value = std::getenv("KDSL_AUTOTUNE");
    return value && std::string(value) == "1";
  }();
  return enabled;
}

//===----------------------------------------------------------------------===//
// Measuring on the device
//===----------------------------------------------------------------------===//

namespace {

/// The arguments' device allocations, copied aside so every run starts
/// from the same inputs (a kernel may write what it reads), and a buffer
/// whose clearing evicts the L2 cache.
class DeviceState {
public:
  DeviceState(const Arg *args, size_t count, const DeviceInfo &info) {
    try {
      save(args, count, info);
    } catch (...) {
      release();
      throw;
    }
  }
  /// Puts the arguments back as they were, whatever happened, and frees.
  ~DeviceState() {
    for (const Saved &s : saved)
      driver().cuMemcpyDtoDAsync(s.base, s.copy, s.size, nullptr);
    release();
  }
  DeviceState(const DeviceState &) = delete;

  /// Puts the arguments' original contents back (asynchronously).
  void restore() {
    for (const Saved &s : saved)
      check(driver().cuMemcpyDtoDAsync(s.base, s.copy, s.size, nullptr),
            "cuMemcpyDtoDAsync", "restoring tuning arguments");
  }
  void flushL2() {
    check(driver().cuMemsetD8Async(flush, static_cast<unsigned char>(++round),
                                   flushBytes, nullptr),
          "cuMemsetD8Async", "flushing the L2 cache");
  }

private:
  void save(const Arg *args, size_t count, const DeviceInfo &info) {
    const DriverApi &api = driver();
    // Work queued on any stream must finish writing the inputs first.
    check(api.cuCtxSynchronize(), "cuCtxSynchronize", "before tuning");
    for (size_t i = 0; i < count; ++i) {
      if (args[i].kind != Arg::Kind::Pointer || !args[i].pointer)
        continue;
      CUdeviceptr base = 0;
      size_t size = 0;
      check(api.cuMemGetAddressRange(&base, &size,
                                     static_cast<CUdeviceptr>(args[i].pointer)),
            "cuMemGetAddressRange",
            "for tuning argument " + std::to_string(i + 1));
      if (std::any_of(saved.begin(), saved.end(),
                      [&](const Saved &s) { return s.base == base; }))
        continue;
      Saved s{base, size, 0};
      check(api.cuMemAlloc(&s.copy, size), "cuMemAlloc",
            "for a copy of tuning argument " + std::to_string(i + 1) + " (" +
                std::to_string(size) + " bytes)");
      saved.push_back(s);
      check(api.cuMemcpyDtoDAsync(s.copy, base, size, nullptr),
            "cuMemcpyDtoDAsync", "saving tuning arguments");
    }
    int l2 = 0;
    CUdevice device = 0;
    check(api.cuDeviceGet(&device, info.ordinal), "cuDeviceGet");
    check(api.cuDeviceGetAttribute(&l2, CU_DEVICE_ATTRIBUTE_L2_CACHE_SIZE,
                                   device),
          "cuDeviceGetAttribute");
    flushBytes = std::max<size_t>(2 * static_cast<size_t>(l2), 32u << 20);
    check(api.cuMemAlloc(&flush, flushBytes), "cuMemAlloc",
          "for the L2 flush buffer");
    check(api.cuEventCreate(&start, CU_EVENT_DEFAULT), "cuEventCreate");
    check(api.cuEventCreate(&stop, CU_EVENT_DEFAULT), "cuEventCreate");
  }
  void release() {
    const DriverApi &api = driver();
    api.cuCtxSynchronize();
    for (const Saved &s : saved)
      api.cuMemFree(s.copy);
    saved.clear();
    if (flush)
      api.cuMemFree(flush);
    if (start)
      api.cuEventDestroy(start);
    if (stop)
      api.cuEventDestroy(stop);
    flush = 0;
    start = stop = nullptr;
  }

public:
  /// Microseconds `launch` takes, from a flushed cache and restored inputs.
  double time(const std::function<void()> &launch) {
    const DriverApi &api = driver();
    restore();
    flushL2();
    check(api.cuEventRecord(start, nullptr), "cuEventRecord");
    launch();
    check(api.cuEventRecord(stop, nullptr), "cuEventRecord");
    check(api.cuEventSynchronize(stop), "cuEventSynchronize",
          "after a timed run");
    float ms = 0;
    check(api.cuEventElapsedTime(&ms, start, stop), "cuEventElapsedTime");
    return ms * 1000.0;
  }

private:
  struct Saved {
    CUdeviceptr base;
    size_t size;
    CUdeviceptr copy;
  };
  std::vector<Saved> saved;
  CUdeviceptr flush = 0;
  size_t flushBytes = 0;
  unsigned round = 0;
  CUevent start = nullptr, stop = nullptr;
};

class DeviceMeasurer : public kdsl::tune::Measurer {
public:
  DeviceMeasurer(Kernel::Impl &impl, const Arg *args, size_t count,
                 std::vector<Kernel::Impl::Prepared *> &candidates,
                 DeviceState &state)
      : impl(impl), args(args), count(count), candidates(candidates),
        state(state) {}

  kdsl::tune::Timing measure(size_t index, double budgetMs) override {
    if (!broken.empty())
      throw Error("not timed: " + broken);
    try {
      return measureOn(*candidates[index], budgetMs);
    } catch (const Error &e) {
      // A fault (an illegal address) leaves the context unusable: say which
      // config broke it rather than blaming every later one.
      if (driver().cuCtxSynchronize() != CUDA_SUCCESS)
        broken = "the GPU context faulted while timing " +
                 candidates[index]->resources.config + ": " + e.what();
      throw;
    }
  }

  /// Why the context is unusable; empty while it works.
  std::string broken;

private:
  kdsl::tune::Timing measureOn(const Kernel::Impl::Prepared &p,
                               double budgetMs) {
    auto launch = [&] { impl.launchPrepared(p, args, count, LaunchOptions()); };
    state.time(launch); // warm-up: instruction cache, clocks
    std::vector<double> estimate = {state.time(launch), state.time(launch),
                                    state.time(launch)};
    std::sort(estimate.begin(), estimate.end());
    double perRunUs = std::max(estimate[1], 1.0);
    int reps =
        static_cast<int>(std::clamp(budgetMs * 1000.0 / perRunUs, 5.0, 1000.0));
    std::vector<double> samples;
    samples.reserve(reps);
    for (int r = 0; r < reps; ++r)
      samples.push_back(state.time(launch));
    return kdsl::tune::summarize(std::move(samples));
  }

  Kernel::Impl &impl;
  const Arg *args;
  size_t count;
  std::vector<Kernel::Impl::Prepared *> &candidates;
  DeviceState &state;
};

/// Whether `a` and `b` launch the same machine code the same way: the same
/// entry in the same PTX and cubins, with the same block, shared memory and
/// grid for these arguments.
bool launchesSameCode(const Kernel::Impl &impl, const Kernel::Impl::Prepared &a,
                      const Kernel::Impl::Prepared &b, const Arg *args) {
  const VariantInfo &va = *a.variant, &vb = *b.variant;
  auto sameBinaries = [&] {
    return std::equal(va.binaries.begin(), va.binaries.end(),
                      vb.binaries.begin(), vb.binaries.end(),
                      [](const BinaryInfo &x, const BinaryInfo &y) {
                        return x.arch == y.arch && x.cubin == y.cubin;
                      });
  };
  return va.entry == vb.entry && a.blockThreads == b.blockThreads &&
         va.sharedBytes == vb.sharedBytes && va.ptx == vb.ptx &&
         sameBinaries() &&
         impl.evaluateGrid(a, args, LaunchOptions()) ==
             impl.evaluateGrid(b, args, LaunchOptions());
}

} // namespace

//===----------------------------------------------------------------------===//
// Kernel::tune
//===----------------------------------------------------------------------===//

TuneReport Kernel::tune(const Arg *args, size_t count, TuneCache &cache) {
  return tune(args, count, cache, TuneOptions());
}

TuneReport Kernel::tune(const Arg *args, size_t count, TuneCache &cache,
                        const TuneOptions &options) {
  auto started = std::chrono::steady_clock::now();
  Impl &impl = *impl_;
  impl.checkArgs(args, count);
  if (impl.info.tuneSpace.empty())
    impl.fail("has no @autotune space to tune");
  Device &device = Device::get();
  device.makeCurrent();
  if (impl.setsTunedAxis(options.config))
    impl.fail("tuning config " + formatConfig(options.config) +
              " sets a parameter of the @autotune space; give only the "
              "constexprs outside it");
  TuneReport report;
  report.key = impl.tuneKey(args, options.config);
  report.device = DeviceIdentity::of(device.info());

  std::string error;
  std::vector<kdsl::Config> configs = kdsl::enumerateConfigs(
      impl.configInfo.tuneAxes, impl.configInfo.tuneWhere, error);
  if (!error.empty())
    impl.fail(error);

  // Each config's variant for these arguments, loaded; what cannot be is
  // invalid with its reason.
  size_t n = configs.size();
  std::vector<Impl::Prepared *> candidates(n, nullptr);
  std::vector<std::string> invalid(n);
  report.records.resize(n);
  {
    std::lock_guard<std::mutex> lock(impl.mutex);
    for (size_t i = 0; i < n; ++i) {
      LaunchOptions explicitConfig;
      explicitConfig.config = options.config;
      explicitConfig.config.insert(explicitConfig.config.end(),
                                   configs[i].begin(), configs[i].end());
      TuneRecord &r = report.records[i];
      r.config = formatConfig(explicitConfig.config);
      // A variant that failed to compile: its reason, not "no variant".
      for (const auto &failure : options.compileFailures) {
        const ConfigEntries &failed = failure.first;
        if (std::all_of(explicitConfig.config.begin(),
                        explicitConfig.config.end(), [&](const auto &entry) {
                          return std::find(failed.begin(), failed.end(),
                                           entry) != failed.end();
                        })) {
          invalid[i] = "failed to compile: " + failure.second;
          r.config = formatConfig(failed);
        }
      }
      if (!invalid[i].empty())
        continue;
      try {
        Impl::Prepared &p = impl.prepare(args, explicitConfig);
        r.config = p.resources.config;
        r.variant = p.variant->specialization;
        r.sharedBytes = static_cast<int>(p.variant->sharedBytes);
        if (!p.function)
          impl.load(p);
        r.registers = p.resources.registers;
        r.spillBytes = p.resources.spillBytes;
        if (p.resources.maxThreadsPerBlock < static_cast<int>(p.blockThreads))
          invalid[i] = "needs " + std::to_string(p.blockThreads) +
                       " threads per block; with " +
                       std::to_string(p.resources.registers) +
                       " registers per thread the GPU runs at most " +
                       std::to_string(p.resources.maxThreadsPerBlock);
        candidates[i] = &p;
      } catch (const Error &e) {
        invalid[i] = e.what();
      }
    }
  }

  // Configs that compile to the same code and launch alike (a num_stages
  // with no loop to pipeline, say) are timed once: the others are pruned,
  // naming the config that was timed.
  std::vector<size_t> timed;
  std::vector<std::string> timedInvalid;
  std::vector<Impl::Prepared *> timedCandidates;
  size_t sameCode = 0;
  for (size_t i = 0; i < n; ++i) {
    auto same = std::find_if(timed.begin(), timed.end(), [&](size_t j) {
      return candidates[i] && candidates[j] &&
             launchesSameCode(impl, *candidates[i], *candidates[j], args);
    });
    if (same == timed.end()) {
      timed.push_back(i);
      timedInvalid.push_back(invalid[i]);
      timedCandidates.push_back(candidates[i]);
      continue;
    }
    TuneRecord &r = report.records[i];
    r.kernel = impl.identity;
    r.key = report.key;
    r.device = report.device;
    r.status = kdsl::tune::outcomeName(kdsl::tune::Outcome::Pruned);
    r.reason = "same code as " + report.records[*same].config;
    cache.record(r);
    ++sameCode;
  }

  DeviceState state(args, count, device.info());
  DeviceMeasurer measurer(impl, args, count, timedCandidates, state);
  kdsl::tune::SweepOptions sweepOptions;
  sweepOptions.budgetMs = options.budgetMs;
  sweepOptions.estimateBudgetMs = std::max(1.0, options.budgetMs / 10);
  sweepOptions.revalidateTop = options.revalidateTop;
  sweepOptions.prune = options.prune;
  auto onResult = [&](const kdsl::tune::CandidateResult &c) {
    TuneRecord &r = report.records[timed[c.index]];
    r.kernel = impl.identity;
    r.key = report.key;
    r.device = report.device;
    r.status = kdsl::tune::outcomeName(c.outcome);
    r.reason = c.reason;
    r.medianUs = c.timing.medianUs;
    r.p20Us = c.timing.p20Us;
    r.p80Us = c.timing.p80Us;
    r.reps = c.timing.reps;
    r.revalidated = c.revalidated;
    r.tunedAt.clear();
    cache.record(r);
  };
  kdsl::tune::SweepResult result = kdsl::tune::sweep(
      timedInvalid, measurer, sweepOptions, onResult, options.progress);
  if (!measurer.broken.empty())
    impl.fail("tuning stopped: " + measurer.broken);
  state.restore();
  check(driver().cuCtxSynchronize(), "cuCtxSynchronize", "after tuning");
  // Launches prepared before now chose without these results; keep the old
  // choices alive (a launch may hold one) but choose again.
  {
    std::lock_guard<std::mutex> lock(impl.mutex);
    for (auto &entry : impl.memo)
      impl.retired.push_back(std::move(entry.second));
    impl.memo.clear();
  }
  reopenLaunchTuningCache(cache.path());
  report.winner = result.winner ? static_cast<int>(timed[*result.winner]) : -1;
  report.pruned = result.pruned + sameCode;
  report.invalid = result.invalid;
  report.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started)
          .count();
  return report;
}

void Kernel::Impl::autotune(Kernel &kernel, const Arg *args, size_t count,
                            const LaunchOptions &launch) {
  if (!driverAvailable())
    return; // the launch reports the missing driver
  std::lock_guard<std::mutex> guard(tuneMutex);
  std::string key = tuneKey(args, launch.config);
  if (!autotunedKeys.insert(key).second || tunedConfig(args, launch.config))
    return;
  std::string path = launchTuningCachePath();
  if (path.empty())
    return;
  TuneReport report;
  try {
    TuneCache cache = TuneCache::open(path, TuneCache::Mode::ReadWrite);
    TuneOptions options;
    options.config = launch.config;
    report = kernel.tune(args, count, cache, options);
  } catch (const Error &e) {
    // The launch goes on untuned (and fails itself if the GPU is broken).
    std::fprintf(stderr, "kdsl: KDSL_AUTOTUNE=1 could not tune '%s': %s\n",
                 info.name.c_str(), e.what());
    return;
  }
  std::fprintf(
      stderr, "kdsl: KDSL_AUTOTUNE=1 tuned '%s' for %s on %s in %.1f s: %s\n",
      info.name.c_str(), key.empty() ? "(no key)" : key.c_str(),
      report.device.name.c_str(), report.seconds,
      report.winner < 0 ? "no config ran"
                        : report.records[report.winner].config.c_str());
}
