//===- Tune.cpp - Tuning and tuning caches from the command line ----------===//
//
// Part of the kdsl project.
//
// Tuning checks the command line against the kernel's signature, then (with
// a GPU) has the caller make the bundle (kdslc compiles the variants for the
// GPU at hand; kdsl-launch takes one), allocates the buffers, and has the
// runtime time every config of the @autotune space (rt::Kernel::tune), which
// stores each result in the tuning cache as it finishes.
//
//===----------------------------------------------------------------------===//

#include "Tune.h"

#include "Launch.h"
#include "Report.h"

#include "kdsl/Support/Files.h"
#include "kdsl/Support/Npy.h"
#include "kdsl/tune_cache.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <new>
#include <random>
#include <sstream>
#include <unistd.h>

using namespace kdsl;

namespace {

int failWith(const std::string &tool, const std::string &message) {
  std::fprintf(stderr, "%s: error: %s\n", tool.c_str(), message.c_str());
  return 1;
}

/// One pointer argument: its bytes and where they go.
struct TuneBuffer {
  std::vector<uint8_t> bytes;
  rt::DType type;
  size_t arg;
  std::unique_ptr<rt::Buffer> buffer;
};

/// Random elements of `type`: floats in [-1, 1), integers in [0, 64),
/// booleans 0 or 1.
std::vector<uint8_t> randomBytes(rt::DType type, size_t count,
                                 std::mt19937 &rng) {
  size_t size = rt::dtypeSize(type);
  std::vector<uint8_t> bytes(count * size);
  std::uniform_real_distribution<float> real(-1.0f, 1.0f);
  std::uniform_int_distribution<int> integer(0, 63), bit(0, 1);
  for (size_t i = 0; i < count; ++i) {
    uint8_t *at = bytes.data() + i * size;
    switch (type) {
    case rt::DType::F32: {
      float v = real(rng);
      std::memcpy(at, &v, 4);
      break;
    }
    case rt::DType::F64: {
      double v = real(rng);
      std::memcpy(at, &v, 8);
      break;
    }
    case rt::DType::F16: {
      _Float16 v = static_cast<_Float16>(real(rng));
      std::memcpy(at, &v, 2);
      break;
    }
    case rt::DType::BF16: {
      float v = real(rng);
      uint32_t bits;
      std::memcpy(&bits, &v, 4);
      uint16_t high = static_cast<uint16_t>(bits >> 16);
      std::memcpy(at, &high, 2);
      break;
    }
    case rt::DType::Bool:
      *at = static_cast<uint8_t>(bit(rng));
      break;
    default: {
      int64_t v = integer(rng);
      std::memcpy(at, &v, size); // little-endian: the low bytes
    }
    }
  }
  return bytes;
}

/// "an i32", "an f32", "a bool", "a bf16".
std::string withArticle(rt::DType type) {
  std::string name = rt::dtypeName(type);
  return (name[0] == 'i' || name[0] == 'f' ? "an " : "a ") + name;
}

/// Two decimals, or as many significant digits as fit where that would be
/// wide (an imported 1e300 shows as 1e+300, not a truncated row of digits).
std::string fixed(double v) {
  char text[64];
  std::snprintf(text, sizeof(text), std::fabs(v) < 1e9 ? "%.2f" : "%.6g", v);
  return text;
}

std::string pad(std::string text, size_t width, bool right = false) {
  if (text.size() >= width)
    return text;
  return right ? std::string(width - text.size(), ' ') + text
               : text + std::string(width - text.size(), ' ');
}

} // namespace

int kdsl::tuneKernel(const rt::KernelInfo &info, const TuneCommand &command,
                     const BundleMaker &makeBundle) {
  auto fail = [&](const std::string &message) {
    return failWith(command.tool, message);
  };
  std::string error;
  if (!command.report.empty() && !checkOutputPath(command.report, error))
    return fail(error);
  if (info.tuneSpace.empty())
    return fail("kernel '" + command.kernel +
                "' has no @autotune space: there is nothing to tune");
  if (command.top < 1)
    return fail("--top must be at least 1");
  if (!(command.budgetMs > 0))
    return fail("--budget-ms must be positive");

  // The command line against the signature, before any GPU work.
  std::map<std::string, std::string> given;
  if (!splitBindings(command.bindings, given, error))
    return fail(error);
  std::string names;
  for (const rt::ParamInfo &p : info.params)
    names += (names.empty() ? "" : ", ") + p.name;
  for (const auto &entry : given)
    if (std::none_of(
            info.params.begin(), info.params.end(),
            [&](const rt::ParamInfo &p) { return p.name == entry.first; }))
      return fail("kernel '" + command.kernel + "' has no parameter '" +
                  entry.first + "' (parameters: " + names + ")");
  std::mt19937 rng(20261126);
  std::vector<rt::Arg> args;
  std::vector<TuneBuffer> buffers;
  rt::TuneOptions options;
  std::vector<std::string> kpackConfig;
  for (const rt::ParamInfo &p : info.params) {
    auto it = given.find(p.name);
    bool tuned = std::any_of(info.tuneSpace.begin(), info.tuneSpace.end(),
                             [&](const auto &a) { return a.first == p.name; });
    if (p.kind == rt::ParamInfo::Kind::Constexpr) {
      if (it == given.end())
        continue;
      if (tuned)
        return fail("'" + p.name +
                    "' is tuned by @autotune; leave it off the command line");
      rt::Arg v(int64_t(0));
      if (!parseScalarArg(p, it->second, v, error))
        return fail(error);
      options.config.emplace_back(p.name, v.integer);
      kpackConfig.push_back(p.name + "=" + std::to_string(v.integer));
      continue;
    }
    if (it == given.end())
      return fail("kernel '" + command.kernel + "' needs argument '" + p.name +
                  "' (" +
                  (p.kind == rt::ParamInfo::Kind::Pointer
                       ? p.name + "=@FILE.npy or " + p.name + "=" +
                             rt::dtypeName(p.type) + ":COUNT"
                       : p.name + "=VALUE") +
                  ")");
    const std::string &value = it->second;
    if (p.kind == rt::ParamInfo::Kind::Pointer) {
      TuneBuffer b;
      b.type = p.type;
      b.arg = args.size();
      if (value[0] == '@') {
        NpyArray array;
        if (!readNpy(value.substr(1), array, error))
          return fail(error);
        if (!npyMatches(array.dtype, p.type))
          return fail("argument '" + p.name + "' points to " +
                      rt::dtypeName(p.type) + " but '" + value.substr(1) +
                      "' holds " + npyDTypeName(array.dtype));
        b.bytes = std::move(array.data);
      } else {
        size_t colon = value.find(':');
        std::optional<rt::DType> type = rt::parseDType(
            value.substr(0, colon == std::string::npos ? value.size() : colon));
        int64_t count = 0;
        if (colon == std::string::npos || !type ||
            !parseInteger(value.substr(colon + 1), count) || count <= 0 ||
            static_cast<uint64_t>(count) > (uint64_t(1) << 40))
          return fail("argument '" + p.name + "' is a buffer: pass " + p.name +
                      "=@FILE.npy or " + p.name + "=" + rt::dtypeName(p.type) +
                      ":COUNT (random elements), not '" + value + "'");
        if (*type != p.type)
          return fail("argument '" + p.name + "' points to " +
                      rt::dtypeName(p.type) + "; '" + value + "' allocates " +
                      rt::dtypeName(*type));
        try {
          b.bytes = randomBytes(p.type, static_cast<size_t>(count), rng);
        } catch (const std::bad_alloc &) {
          return fail("argument '" + p.name + "': cannot allocate " +
                      std::to_string(count) + " elements of host memory");
        }
      }
      args.push_back(rt::Arg::ptr(0, p.type));
      buffers.push_back(std::move(b));
      continue;
    }
    if (value[0] == '@' || value.find(':') != std::string::npos)
      return fail("argument '" + p.name + "' is " + withArticle(p.type) +
                  " scalar: pass " + p.name + "=VALUE");
    rt::Arg v(int64_t(0));
    if (!parseScalarArg(p, value, v, error))
      return fail(error);
    args.push_back(v);
    // Integer scalars feed constexpr defaults (BLOCK = next_pow2(n)).
    if (!rt::isFloat(p.type))
      kpackConfig.push_back(p.name + "=" + std::to_string(v.integer));
  }

  // Timing needs the GPU.
  std::string why;
  if (!rt::driverAvailable(&why))
    return fail("tuning times kernels on a GPU: " + why);

  try {
    const rt::DeviceInfo &device = rt::Device::get().info();
    std::string arch = device.computeMajor == 9 ? "sm_90a" : "sm_80";
    std::string bundlePath =
        makeBundle(kpackConfig, arch, options.compileFailures);
    if (bundlePath.empty())
      return 1;
    rt::Bundle bundle = rt::Bundle::open(bundlePath);
    rt::Kernel &kernel = bundle.kernel(command.kernel);
    for (TuneBuffer &b : buffers) {
      b.buffer = std::make_unique<rt::Buffer>(b.bytes.size(), b.type);
      b.buffer->upload(b.bytes.data(), b.bytes.size());
      args[b.arg] = *b.buffer;
    }
    std::string dbPath =
        command.db.empty() ? rt::TuneCache::defaultPath() : command.db;
    rt::TuneCache cache = rt::TuneCache::open(dbPath);

    // What an untuned launch would run, for the speed-up.
    rt::setTuningCache("");
    rt::LaunchOptions launch;
    launch.config = options.config;
    std::string untuned = kernel.plan(args.data(), args.size(), launch).config;

    options.budgetMs = command.budgetMs;
    options.revalidateTop = static_cast<size_t>(command.top);
    options.prune = !command.noPrune;
    bool tty = ::isatty(STDERR_FILENO);
    if (tty)
      options.progress = [](size_t done, size_t total) {
        int filled = static_cast<int>(30 * done / std::max<size_t>(total, 1));
        std::fprintf(stderr, "\r  tuning [%s%s] %zu/%zu%s",
                     std::string(filled, '#').c_str(),
                     std::string(30 - filled, '.').c_str(), done, total,
                     done == total ? "\n" : "");
      };
    rt::TuneReport report =
        kernel.tune(args.data(), args.size(), cache, options);

    // The table.
    size_t width = 6;
    for (const rt::TuneRecord &r : report.records)
      width = std::max(width, r.config.size());
    std::cout << "kdslc tune: '" << command.kernel << "', key "
              << (report.key.empty() ? "(none)" : report.key) << ", on "
              << report.device.name << " (compute "
              << report.device.computeCapability << ", CUDA "
              << report.device.driverVersion << ")\n";
    std::cout << "  " << pad("config", width) << "  status   "
              << pad("median us", 10, true) << pad("p20", 10, true)
              << pad("p80", 10, true) << "\n";
    for (size_t i = 0; i < report.records.size(); ++i) {
      const rt::TuneRecord &r = report.records[i];
      bool timed = r.status != "invalid";
      std::cout << (static_cast<int>(i) == report.winner ? "* " : "  ")
                << pad(r.config, width) << "  " << pad(r.status, 7) << "  "
                << pad(timed ? fixed(r.medianUs) : "", 10, true)
                << pad(timed ? fixed(r.p20Us) : "", 10, true)
                << pad(timed ? fixed(r.p80Us) : "", 10, true)
                << (r.reason.empty() ? "" : "  " + r.reason) << "\n";
    }
    if (report.winner < 0) {
      std::cout << "no config ran (" << report.invalid << " invalid)\n";
      return fail("no config of '" + command.kernel + "' could run");
    }
    const rt::TuneRecord &w = report.records[report.winner];
    std::cout << "winner: " << w.config << " at " << fixed(w.medianUs) << " us";
    for (const rt::TuneRecord &r : report.records)
      if (r.config == untuned && r.status != "invalid" && r.medianUs > 0)
        std::cout << ", " << fixed(r.medianUs / w.medianUs)
                  << "x the untuned choice (" << untuned << ", "
                  << fixed(r.medianUs) << " us)";
    std::cout << "\n"
              << report.records.size() << " configs in "
              << fixed(report.seconds) << " s, " << report.pruned << " pruned, "
              << report.invalid << " invalid; stored in " << dbPath << "\n";
    if (!command.report.empty() &&
        !writeOutputFile(
            command.report,
            renderTuneReport("kdsl tuning: " + command.kernel, report.records),
            error))
      return fail(error);
    return 0;
  } catch (const std::exception &e) {
    return fail(e.what());
  }
}

//===----------------------------------------------------------------------===//
// kdslc cache
//===----------------------------------------------------------------------===//

int kdsl::cacheCommand(const CacheCommand &command) {
  std::string tool = "kdslc cache " + command.action;
  auto fail = [&](const std::string &message) {
    return failWith(tool, message);
  };
  std::string dbPath =
      command.db.empty() ? rt::TuneCache::defaultPath() : command.db;
  auto formatOf = [&](const std::string &path) {
    if (!command.format.empty())
      return command.format;
    bool json =
        path.size() >= 5 && path.compare(path.size() - 5, 5, ".json") == 0;
    return std::string(json ? "json" : "csv");
  };
  std::string error;
  auto write = [&](const std::string &text) {
    std::cout.flush();
    return writeOutputFile(command.output.empty() ? "-" : command.output, text,
                           error);
  };
  if (!command.output.empty() && !checkOutputPath(command.output, error))
    return fail(error);
  try {
    // Reading never writes: a missing or empty file reads as an empty
    // cache, an older schema as it is, a read-only directory is fine.
    bool writes = command.action == "import" || command.action == "prune";
    rt::TuneCache cache =
        rt::TuneCache::open(dbPath, writes ? rt::TuneCache::Mode::ReadWrite
                                           : rt::TuneCache::Mode::ReadOnly);
    if (command.action == "list") {
      std::vector<rt::TuneSummary> list = cache.list();
      if (list.empty()) {
        std::cout << "no tuned kernels in " << dbPath << "\n";
        return 0;
      }
      for (const rt::TuneSummary &s : list)
        std::cout << s.kernel.name << "  key "
                  << (s.key.empty() ? "(none)" : s.key) << "  " << s.device.name
                  << " (" << s.device.computeCapability << ", CUDA "
                  << s.device.driverVersion << ")  " << s.kernel.compilerVersion
                  << "  " << s.configs << " configs, " << s.ok
                  << " ran; winner "
                  << (s.winner.empty()
                          ? "none"
                          : s.winner + " at " + fixed(s.winnerUs) + " us")
                  << "\n";
      return 0;
    }
    if (command.action == "show" || command.action == "report") {
      std::vector<rt::TuneRecord> rows = cache.rows(command.kernel);
      if (rows.empty())
        return fail("no results for kernel '" + command.kernel + "' in " +
                    dbPath);
      if (command.action == "report") {
        if (!write(renderTuneReport("kdsl tuning: " + command.kernel, rows)))
          return fail(error);
        return 0;
      }
      std::string lastGroup;
      for (const rt::TuneRecord &r : rows) {
        std::string group = (r.key.empty() ? "(none)" : r.key) + " on " +
                            r.device.name + " (" + r.device.computeCapability +
                            ", CUDA " + r.device.driverVersion + "), " +
                            r.kernel.compilerVersion + ", source " +
                            r.kernel.sourceHash;
        if (group != lastGroup)
          std::cout << r.kernel.name << ", key " << group << "\n";
        lastGroup = group;
        std::cout << "  " << pad(r.config, 40) << "  " << pad(r.status, 7)
                  << pad(r.status == "invalid" ? "" : fixed(r.medianUs), 10,
                         true)
                  << pad(r.status == "invalid" ? "" : fixed(r.p20Us), 10, true)
                  << pad(r.status == "invalid" ? "" : fixed(r.p80Us), 10, true)
                  << "  " << r.tunedAt
                  << (r.reason.empty() ? "" : "  " + r.reason) << "\n";
      }
      return 0;
    }
    if (command.action == "export") {
      std::string format = formatOf(command.output);
      if (format != "csv" && format != "json")
        return fail("--format must be csv or json, not '" + format + "'");
      std::string text = format == "json" ? cache.exportJson(command.kernel)
                                          : cache.exportCsv(command.kernel);
      if (!write(text))
        return fail(error);
      return 0;
    }
    if (command.action == "import") {
      std::string text;
      if (!readInputFile(command.input, kMaxTextInputBytes, "a tuning export",
                         text, error))
        return fail(error);
      std::string format = formatOf(command.input);
      if (format != "csv" && format != "json")
        return fail("--format must be csv or json, not '" + format + "'");
      rt::TuneCache::ImportResult n =
          format == "json" ? cache.importJson(text) : cache.importCsv(text);
      std::cout << "imported " << n.rows << " rows from " << command.input
                << " into " << dbPath << ": " << n.added << " new, "
                << n.replaced << " replacing rows with the same key\n";
      return 0;
    }
    if (command.action == "prune") {
      std::string keep =
          command.keep.empty() ? command.compilerVersion : command.keep;
      size_t n = cache.prune(keep);
      std::cout << "pruned " << n << " rows of compiler versions other than '"
                << keep << "' from " << dbPath << "\n";
      return 0;
    }
    return fail("unknown action");
  } catch (const std::exception &e) {
    return fail(e.what());
  }
}
