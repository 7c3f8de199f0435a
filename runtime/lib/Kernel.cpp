//===- Kernel.cpp - Bundles, variant choice and launches ------------------===//
//
// Part of the kdsl project.
//
// A launch checks its arguments against the kernel's signature, then looks
// up the prepared variant in a memo keyed by everything that decides the
// choice: the explicit config, the scalar arguments that defaults or `where`
// read, and the specialization bits. A miss resolves the config (the same
// code as -kdsl-specialize: kdsl/Support/ConfigSpace.h), finds the variant,
// loads its module once, and memoizes the result. A hit evaluates the grid,
// packs the arguments and calls cuLaunchKernel.
//
//===----------------------------------------------------------------------===//

#include "kdsl/Support/ConfigSpace.h"
#include "kdsl/Support/ConstExpr.h"
#include "kdsl/Support/Limits.h"
#include "kdsl/bundle.hpp"

#include "KernelImpl.h"

#include "kdsl/Autotune/Sweep.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <mutex>
#include <unordered_map>

using namespace kdsl::rt;

namespace {

/// Rounds `value` to IEEE half (round to nearest even) and returns its bits.
uint16_t toHalfBits(float value) {
  uint32_t bits;
  std::memcpy(&bits, &value, 4);
  uint32_t sign = (bits >> 16) & 0x8000u;
  uint32_t magnitude = bits & 0x7fffffffu;
  if (magnitude >= 0x7f800000u) // inf or NaN
    return sign | 0x7c00u | (magnitude > 0x7f800000u ? 0x200u : 0);
  if (magnitude >= 0x477ff000u) // rounds to infinity
    return sign | 0x7c00u;
  if (magnitude < 0x38800000u) {                   // subnormal or zero
    float scaled = std::fabs(value) * 16777216.0f; // 2^24: units of 2^-24
    return sign | static_cast<uint16_t>(std::nearbyint(scaled));
  }
  uint32_t rounded = magnitude + 0xfffu + ((magnitude >> 13) & 1u);
  return sign | static_cast<uint16_t>((rounded - 0x38000000u) >> 13);
}

uint16_t toBFloat16Bits(float value) {
  uint32_t bits;
  std::memcpy(&bits, &value, 4);
  if ((bits & 0x7fffffffu) > 0x7f800000u)
    return static_cast<uint16_t>((bits >> 16) | 0x40u);
  bits += 0x7fffu + ((bits >> 16) & 1u);
  return static_cast<uint16_t>(bits >> 16);
}

bool fitsInt(int64_t value, DType type) {
  switch (type) {
  case DType::Bool:
    return value == 0 || value == 1;
  case DType::I8:
    return value >= INT8_MIN && value <= INT8_MAX;
  case DType::I16:
    return value >= INT16_MIN && value <= INT16_MAX;
  case DType::I32:
    return value >= INT32_MIN && value <= INT32_MAX;
  default:
    return true;
  }
}

} // namespace

//===----------------------------------------------------------------------===//
// Requirement
//===----------------------------------------------------------------------===//

std::optional<Requirement::Kind> Requirement::parse(const std::string &text) {
  if (text == "align16")
    return Kind::Align16;
  if (text == "div16")
    return Kind::Div16;
  if (text == "eq1")
    return Kind::Equal1;
  return std::nullopt;
}

const char *Requirement::spelling() const {
  switch (kind) {
  case Kind::Align16:
    return "align16";
  case Kind::Div16:
    return "div16";
  case Kind::Equal1:
    return "eq1";
  }
  return "";
}

bool Requirement::holds(const Arg &a) const {
  switch (kind) {
  case Kind::Align16:
    return a.kind == Arg::Kind::Pointer && a.pointer % 16 == 0;
  case Kind::Div16:
    return a.kind == Arg::Kind::Int && a.integer % 16 == 0;
  case Kind::Equal1:
    return a.kind == Arg::Kind::Int && a.integer == 1;
  }
  return false;
}

//===----------------------------------------------------------------------===//
// Kernel::Impl
//===----------------------------------------------------------------------===//

Kernel::Impl::Impl(KernelInfo kernel, std::string path,
                   std::string compilerVersion)
    : info(std::move(kernel)), bundlePath(std::move(path)) {
  identity = {info.name, info.sourceHash, std::move(compilerVersion)};
  configInfo.name = info.name;
  for (size_t i = 0; i < info.params.size(); ++i) {
    const ParamInfo &p = info.params[i];
    bool isConstexpr = p.kind == ParamInfo::Kind::Constexpr;
    configInfo.params.push_back({p.name, isConstexpr, p.defaultExpr});
    if (!isConstexpr)
      argParams.push_back(i);
  }
  configInfo.fixedConfig.assign(info.fixedConfig.begin(),
                                info.fixedConfig.end());
  for (const auto &[name, values] : info.tuneSpace)
    configInfo.tuneAxes.push_back({name, values});
  configInfo.tuneWhere = info.tuneWhere;

  // The scalars that defaults or `where` read decide the variant.
  std::vector<std::string> read;
  auto collect = [&](const std::string &expr) {
    if (expr.empty())
      return;
    kdsl::ConstExprParseResult parsed = kdsl::parseConstExpr(expr);
    if (!parsed)
      fail("cannot parse '" + expr + "' from the bundle: " + parsed.error);
    for (const std::string &name : parsed.expr->params())
      read.push_back(name);
  };
  for (const ParamInfo &p : info.params)
    collect(p.defaultExpr);
  collect(info.tuneWhere);
  for (size_t a = 0; a < argParams.size(); ++a)
    if (std::find(read.begin(), read.end(), info.params[argParams[a]].name) !=
        read.end())
      choiceArgs.push_back(a);

  // Parse each variant's specialization into requirements on arguments.
  for (const VariantInfo &v : info.variants) {
    std::vector<Requirement> reqs;
    size_t start = 0;
    const std::string &spec = v.specialization;
    while (start < spec.size()) {
      size_t end = spec.find(',', start);
      std::string item = spec.substr(start, end - start);
      start = end == std::string::npos ? spec.size() : end + 1;
      size_t colon = item.find(':');
      std::string name = item.substr(0, colon);
      std::string what =
          colon == std::string::npos ? "" : item.substr(colon + 1);
      auto it = std::find_if(argParams.begin(), argParams.end(), [&](size_t p) {
        return info.params[p].name == name;
      });
      std::optional<Requirement::Kind> kind = Requirement::parse(what);
      if (it == argParams.end() || !kind)
        fail("bad specialization '" + spec + "' in the bundle");
      reqs.push_back({static_cast<size_t>(it - argParams.begin()), *kind});
    }
    for (const Requirement &r : reqs) {
      std::string text =
          info.params[argParams[r.arg]].name + ":" + r.spelling();
      if (std::none_of(keyRequirements.begin(), keyRequirements.end(),
                       [&](const auto &k) { return k.second == text; }))
        keyRequirements.push_back({r, text});
    }
    requirements.push_back(std::move(reqs));
  }

  // The @autotune key: `n` or `exact(n)`, scalar launch arguments. Their
  // values decide the tuned variant, so they are part of the memo key.
  for (const std::string &entry : info.tuneKey) {
    bool exact = entry.rfind("exact(", 0) == 0 && entry.back() == ')';
    std::string name = exact ? entry.substr(6, entry.size() - 7) : entry;
    auto it = std::find_if(argParams.begin(), argParams.end(), [&](size_t p) {
      return info.params[p].name == name;
    });
    if (it == argParams.end())
      fail("@autotune key '" + entry + "' is not a launch argument");
    size_t a = static_cast<size_t>(it - argParams.begin());
    keyArgs.push_back({a, exact});
    if (std::find(choiceArgs.begin(), choiceArgs.end(), a) == choiceArgs.end())
      choiceArgs.push_back(a);
  }
}

bool Kernel::Impl::setsTunedAxis(const ConfigEntries &config) const {
  for (const auto &entry : config)
    for (const auto &axis : info.tuneSpace)
      if (axis.first == entry.first)
        return true;
  return false;
}

std::string Kernel::Impl::tuneKey(const Arg *args,
                                  const ConfigEntries &config) const {
  std::string key;
  for (const auto &[a, exact] : keyArgs) {
    const Arg &arg = args[a];
    long long value = arg.kind == Arg::Kind::Int
                          ? static_cast<long long>(arg.integer)
                      : std::isfinite(arg.real) && std::fabs(arg.real) < 9e18
                          ? static_cast<long long>(arg.real)
                          : 0;
    key += (key.empty() ? "" : ",") + info.params[argParams[a]].name + "=" +
           std::to_string(kdsl::tune::bucketKeyValue(value, exact));
  }
  std::string bits;
  for (const auto &[r, text] : keyRequirements) {
    if (r.holds(args[r.arg]))
      bits += (bits.empty() ? "" : ",") + text;
  }
  ConfigEntries fixed(config.begin(), config.end());
  std::sort(fixed.begin(), fixed.end());
  if (!fixed.empty())
    key += ";" + formatConfig(fixed);
  return bits.empty() ? key : key + ";" + bits;
}

std::optional<ConfigEntries>
Kernel::Impl::tunedConfig(const Arg *args, const ConfigEntries &config) const {
  if (info.tuneSpace.empty() || setsTunedAxis(config) || !driverAvailable())
    return std::nullopt;
  std::shared_ptr<TuneCache> cache = launchTuningCache();
  if (!cache)
    return std::nullopt;
  std::optional<TuneRecord> winner =
      cache->winner(identity, tuneKey(args, config),
                    DeviceIdentity::of(Device::get().info()));
  if (!winner)
    return std::nullopt;
  // Only the space's parameters: the other constexprs' defaults may read
  // scalars that differ within a key bucket, so they are worked out again.
  ConfigEntries tuned;
  try {
    for (const auto &entry : parseConfig(winner->config))
      if (std::any_of(
              info.tuneSpace.begin(), info.tuneSpace.end(),
              [&](const auto &axis) { return axis.first == entry.first; }))
        tuned.push_back(entry);
  } catch (const Error &) {
    return std::nullopt; // a malformed row is no tuning
  }
  return tuned;
}

void Kernel::Impl::checkArgs(const Arg *args, size_t count) const {
  if (count != argParams.size()) {
    std::string expected;
    for (size_t p : argParams)
      expected += (expected.empty() ? "" : ", ") + info.params[p].name;
    fail("expects " + std::to_string(argParams.size()) + " arguments (" +
         expected + "), got " + std::to_string(count));
  }
  for (size_t i = 0; i < count; ++i) {
    const ParamInfo &p = info.params[argParams[i]];
    const Arg &a = args[i];
    auto where = [&] {
      return "argument " + std::to_string(i + 1) + " ('" + p.name + "')";
    };
    if (p.kind == ParamInfo::Kind::Pointer) {
      if (a.kind != Arg::Kind::Pointer)
        fail(where() + " must be a pointer to " + dtypeName(p.type) +
             ", got a scalar");
      if (a.type != DType::Unknown && a.type != p.type)
        fail(where() + " must point to " + dtypeName(p.type) +
             " elements, got a buffer of " + dtypeName(a.type));
      continue;
    }
    if (a.kind == Arg::Kind::Pointer)
      fail(where() + " must be a " + dtypeName(p.type) +
           " scalar, got a pointer");
    if (isFloat(p.type))
      continue; // integers convert to floats
    if (a.kind == Arg::Kind::Float)
      fail(where() + " must be a " + dtypeName(p.type) +
           " integer, got a floating-point value");
    if (!fitsInt(a.integer, p.type))
      fail(where() + " = " + std::to_string(a.integer) + " does not fit " +
           dtypeName(p.type));
  }
}

void Kernel::Impl::makeKey(const Arg *args, const LaunchOptions &options,
                           std::vector<int64_t> &key) const {
  key.clear();
  for (const auto &[name, value] : options.config) {
    key.push_back(static_cast<int64_t>(std::hash<std::string>()(name)));
    key.push_back(value);
  }
  key.push_back(static_cast<int64_t>(options.config.size()));
  for (size_t a : choiceArgs)
    key.push_back(
        args[a].kind == Arg::Kind::Int
            ? args[a].integer
            : static_cast<int64_t>(std::hash<double>()(args[a].real)));
  // Which of the bundle's requirements hold, 64 to a word.
  for (size_t i = 0; i < keyRequirements.size(); i += 64) {
    uint64_t bits = 0;
    for (size_t j = i; j < keyRequirements.size() && j < i + 64; ++j) {
      const Requirement &r = keyRequirements[j].first;
      bits |= static_cast<uint64_t>(r.holds(args[r.arg])) << (j - i);
    }
    key.push_back(static_cast<int64_t>(bits));
  }
}

bool Kernel::Impl::isMemoized(const Arg *args,
                              const LaunchOptions &options) const {
  thread_local std::vector<int64_t> key;
  makeKey(args, options, key);
  return memo.count(key) != 0;
}

Kernel::Impl::Prepared &Kernel::Impl::prepare(const Arg *args,
                                              const LaunchOptions &options) {
  thread_local std::vector<int64_t> key;
  makeKey(args, options, key);
  auto it = memo.find(key);
  if (it != memo.end())
    return *it->second;
  std::unique_ptr<Prepared> prepared;
  if (std::optional<ConfigEntries> tuned = tunedConfig(args, options.config)) {
    try {
      prepared = build(args, options, &*tuned);
    } catch (const Error &) {
      // A winner this bundle cannot launch (compiled with a narrower
      // --config): choose as if untuned.
    }
  }
  if (!prepared)
    prepared = build(args, options, nullptr);
  return *memo.emplace(key, std::move(prepared)).first->second;
}

std::unique_ptr<Kernel::Impl::Prepared>
Kernel::Impl::build(const Arg *args, const LaunchOptions &options,
                    const ConfigEntries *tuned) {
  // Explicit values must name constexprs or the two knobs.
  kdsl::ConfigValues values;
  for (const auto &entry : options.config) {
    const std::string &name = entry.first;
    auto param =
        std::find_if(info.params.begin(), info.params.end(),
                     [&](const ParamInfo &p) { return p.name == name; });
    if (param == info.params.end() && name != "num_warps" &&
        name != "num_stages")
      fail("has no constexpr '" + name + "' (config " +
           formatConfig(options.config) + ")");
    if (param != info.params.end() && param->kind != ParamInfo::Kind::Constexpr)
      fail("'" + name + "' is a launch argument, not a config value");
    values[name] = entry.second;
  }
  if (tuned)
    for (const auto &[name, value] : *tuned)
      values.emplace(name, value);
  for (size_t a = 0; a < argParams.size(); ++a)
    if (args[a].kind == Arg::Kind::Int)
      values.emplace(info.params[argParams[a]].name, args[a].integer);
  std::string error = kdsl::resolveConfig(configInfo, values);
  if (!error.empty())
    throw Error(error);

  ConfigEntries wanted;
  for (const ParamInfo &p : info.params)
    if (p.kind == ParamInfo::Kind::Constexpr)
      wanted.emplace_back(p.name, values.at(p.name));
  wanted.emplace_back("num_warps", values.at("num_warps"));
  wanted.emplace_back("num_stages", values.at("num_stages"));
  auto sameConfig = [&](const ConfigEntries &config) {
    if (config.size() != wanted.size())
      return false;
    for (const auto &entry : wanted)
      if (std::find(config.begin(), config.end(), entry) == config.end())
        return false;
    return true;
  };
  const VariantInfo *chosen = nullptr;
  size_t chosenRequirements = 0;
  for (size_t v = 0; v < info.variants.size(); ++v) {
    if (!sameConfig(info.variants[v].config))
      continue;
    bool holds =
        std::all_of(requirements[v].begin(), requirements[v].end(),
                    [&](const Requirement &r) { return r.holds(args[r.arg]); });
    if (holds && (!chosen || requirements[v].size() > chosenRequirements)) {
      chosen = &info.variants[v];
      chosenRequirements = requirements[v].size();
    }
  }
  if (!chosen) {
    std::string held;
    for (size_t v = 0; v < info.variants.size() && v < 4; ++v)
      held += (v ? "; " : "") + formatConfig(info.variants[v].config) +
              (info.variants[v].specialization.empty()
                   ? ""
                   : " [" + info.variants[v].specialization + "]");
    if (info.variants.size() > 4)
      held += "; ...";
    fail("the bundle has no variant for " + formatConfig(wanted) +
         " that these arguments may use (it holds " +
         std::to_string(info.variants.size()) + ": " + held + ")");
  }

  auto prepared = std::make_unique<Prepared>();
  prepared->variant = chosen;
  prepared->blockThreads = static_cast<unsigned>(chosen->numWarps) * 32;
  std::string config = formatConfig(chosen->config);
  prepared->description = intern(
      "'" + info.name + "' (" + config +
      (chosen->specialization.empty() ? "" : ", " + chosen->specialization) +
      ")");
  prepared->resources.config = config;
  prepared->resources.specialization = chosen->specialization;
  for (size_t d = 0; d < info.grid.size(); ++d) {
    kdsl::ConstExprParseResult parsed = kdsl::parseConstExpr(info.grid[d]);
    if (!parsed)
      fail("cannot parse grid expression '" + info.grid[d] +
           "' from the bundle: " + parsed.error);
    kdsl::ConstExprRef expr = parsed.expr->substitute(
        [&](const std::string &name) -> std::optional<int64_t> {
          for (const auto &[bound, value] : wanted)
            if (bound == name)
              return value;
          return std::nullopt;
        });
    if (expr->isConstant()) {
      prepared->constantGrid[d] = expr->getConstant();
    } else {
      for (const std::string &name : expr->params())
        if (std::none_of(argParams.begin(), argParams.end(), [&](size_t p) {
              return info.params[p].name == name &&
                     !isFloat(info.params[p].type) &&
                     info.params[p].kind == ParamInfo::Kind::Scalar;
            }))
          fail("grid expression '" + info.grid[d] + "' reads '" + name +
               "', which is not an integer scalar parameter");
      prepared->grid[d] = expr;
      prepared->gridIsConstant = false;
    }
  }
  return prepared;
}

std::array<uint32_t, 3>
Kernel::Impl::evaluateGrid(const Prepared &prepared, const Arg *args,
                           const LaunchOptions &options) const {
  std::array<uint32_t, 3> grid = options.grid;
  if (grid[0] || grid[1] || grid[2]) {
    std::array<int64_t, 3> given;
    for (size_t d = 0; d < 3; ++d)
      given[d] = std::max<uint32_t>(grid[d], 1);
    if (std::string why = kdsl::checkGrid(given, {"given by the caller",
                                                  "given by the caller",
                                                  "given by the caller"});
        !why.empty())
      fail(why);
    for (size_t d = 0; d < 3; ++d)
      grid[d] = static_cast<uint32_t>(given[d]);
    return grid;
  }
  if (info.grid.empty())
    fail("has no grid expression; give the grid in the launch options");
  std::array<int64_t, 3> values = prepared.constantGrid;
  if (!prepared.gridIsConstant) {
    auto lookup = [&](const std::string &name) -> std::optional<int64_t> {
      for (size_t a = 0; a < argParams.size(); ++a)
        if (info.params[argParams[a]].name == name)
          return args[a].integer;
      return std::nullopt;
    };
    for (size_t d = 0; d < 3; ++d) {
      if (!prepared.grid[d])
        continue;
      kdsl::ConstExprEvalResult result =
          kdsl::evaluateConstExpr(*prepared.grid[d], lookup);
      if (!result.ok)
        fail("grid expression '" + info.grid[d] +
             "' cannot be evaluated: " + result.error);
      values[d] = result.value;
    }
  }
  std::vector<std::string> origins;
  for (const std::string &expr : info.grid)
    origins.push_back("from '" + expr + "'");
  if (std::string why = kdsl::checkGrid(values, origins); !why.empty())
    fail(why);
  for (size_t d = 0; d < 3; ++d)
    grid[d] = static_cast<uint32_t>(values[d]);
  return grid;
}

void Kernel::Impl::load(Prepared &prepared) {
  const VariantInfo &v = *prepared.variant;
  Device &device = Device::get();
  const DeviceInfo &dev = device.info();
  const DriverApi &api = driver();
  device.impl().makeCurrent();
  std::string context = "for kernel " + std::string(prepared.description) +
                        " from bundle '" + bundlePath + "'";
  if (v.sharedBytes > dev.sharedMemoryPerBlockOptin)
    fail("variant " + formatConfig(v.config) + " needs " +
         std::to_string(v.sharedBytes) + " bytes of shared memory; " +
         dev.name + " allows " + std::to_string(dev.sharedMemoryPerBlockOptin));

  CUmodule module = nullptr;
  auto found = modules.find(&v);
  if (found != modules.end()) {
    module = found->second;
  } else {
    const BinaryInfo *cubin = nullptr;
    for (const BinaryInfo &b : v.binaries)
      if (b.arch == dev.arch() || b.arch == dev.arch() + "a")
        cubin = &b;
    char log[8192] = {};
    CUjit_option options[] = {CU_JIT_ERROR_LOG_BUFFER,
                              CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES};
    void *optionValues[] = {log, reinterpret_cast<void *>(sizeof(log) - 1)};
    const void *image =
        cubin ? static_cast<const void *>(cubin->cubin.data()) : v.ptx.c_str();
    if (!cubin && v.ptx.empty())
      fail("variant " + formatConfig(v.config) + " has no cubin for " +
           dev.arch() + " and no PTX");
    CUresult result =
        api.cuModuleLoadDataEx(&module, image, 2, options, optionValues);
    if (result != CUDA_SUCCESS)
      throw Error(driverError(
          result, "cuModuleLoadDataEx",
          (cubin ? "loading the " + cubin->arch + " cubin "
                 : std::string("JIT-compiling the PTX ")) +
              context +
              (log[0] ? std::string("; JIT log: ") + log : std::string())));
    modules[&v] = module;
  }
  CUfunction function = nullptr;
  check(api.cuModuleGetFunction(&function, module, v.entry.c_str()),
        "cuModuleGetFunction", "(entry '" + v.entry + "') " + context);
  if (v.sharedBytes > 48 * 1024)
    check(api.cuFuncSetAttribute(
              function, CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES,
              static_cast<int>(v.sharedBytes)),
          "cuFuncSetAttribute", context);
  VariantResources &r = prepared.resources;
  auto attribute = [&](CUfunction_attribute which) {
    int value = 0;
    check(api.cuFuncGetAttribute(&value, which, function), "cuFuncGetAttribute",
          context);
    return value;
  };
  r.registers = attribute(CU_FUNC_ATTRIBUTE_NUM_REGS);
  r.localBytes = attribute(CU_FUNC_ATTRIBUTE_LOCAL_SIZE_BYTES);
  r.staticShared = attribute(CU_FUNC_ATTRIBUTE_SHARED_SIZE_BYTES);
  r.maxThreadsPerBlock = attribute(CU_FUNC_ATTRIBUTE_MAX_THREADS_PER_BLOCK);
  r.dynamicShared = static_cast<int>(v.sharedBytes);
  r.loadedFrom = "ptx (JIT)";
  for (const BinaryInfo &b : v.binaries)
    if (b.arch == dev.arch() || b.arch == dev.arch() + "a") {
      r.loadedFrom = "cubin " + b.arch;
      r.spillBytes = b.spillBytes;
    }
  prepared.function = function;
}

//===----------------------------------------------------------------------===//
// Kernel
//===----------------------------------------------------------------------===//

Kernel::Kernel(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Kernel::~Kernel() = default;

const std::string &Kernel::name() const { return impl_->info.name; }

size_t Kernel::numArgs() const { return impl_->argParams.size(); }

std::string Kernel::signature() const {
  std::string text = impl_->info.name + "(";
  for (size_t i = 0; i < impl_->info.params.size(); ++i) {
    const ParamInfo &p = impl_->info.params[i];
    text += (i ? ", " : "") + p.name + ": " +
            (p.kind == ParamInfo::Kind::Pointer     ? "*"
             : p.kind == ParamInfo::Kind::Constexpr ? "const "
                                                    : "") +
            dtypeName(p.type);
    if (!p.defaultExpr.empty())
      text += " = " + p.defaultExpr;
  }
  return text + ")";
}

LaunchPlan Kernel::plan(const Arg *args, size_t count,
                        const LaunchOptions &options) const {
  impl_->checkArgs(args, count);
  std::lock_guard<std::mutex> lock(impl_->mutex);
  Impl::Prepared &prepared = impl_->prepare(args, options);
  LaunchPlan plan;
  plan.grid = impl_->evaluateGrid(prepared, args, options);
  plan.blockThreads = prepared.blockThreads;
  plan.sharedBytes = prepared.variant->sharedBytes;
  plan.config = prepared.resources.config;
  plan.specialization = prepared.variant->specialization;
  plan.entry = prepared.variant->entry;
  return plan;
}

VariantResources Kernel::resources(const Arg *args, size_t count,
                                   const LaunchOptions &options) {
  impl_->checkArgs(args, count);
  std::lock_guard<std::mutex> lock(impl_->mutex);
  Impl::Prepared &prepared = impl_->prepare(args, options);
  if (!prepared.function)
    impl_->load(prepared);
  return prepared.resources;
}

void Kernel::launch(const Arg *args, size_t count,
                    const LaunchOptions &options) {
  Impl &impl = *impl_;
  impl.checkArgs(args, count);
  if (!impl.info.tuneSpace.empty() && autotuneOnLaunch() &&
      !impl.setsTunedAxis(options.config)) {
    bool memoized;
    {
      std::lock_guard<std::mutex> lock(impl.mutex);
      memoized = impl.isMemoized(args, options);
    }
    if (!memoized)
      impl.autotune(*this, args, count, options);
  }
  Impl::Prepared *prepared;
  {
    std::lock_guard<std::mutex> lock(impl.mutex);
    prepared = &impl.prepare(args, options);
    if (!prepared->function)
      impl.load(*prepared);
  }
  impl.launchPrepared(*prepared, args, count, options);
}

void Kernel::Impl::launchPrepared(const Prepared &preparedRef, const Arg *args,
                                  size_t count, const LaunchOptions &options) {
  Impl &impl = *this;
  const Prepared *prepared = &preparedRef;
  std::array<uint32_t, 3> grid = impl.evaluateGrid(*prepared, args, options);
  if (!grid[0] || !grid[1] || !grid[2])
    return; // an empty grid launches nothing, as in Triton

  // Pack each argument as its parameter's type.
  constexpr size_t kInline = 32;
  uint64_t inlineStorage[kInline];
  void *inlinePointers[kInline];
  std::vector<uint64_t> heapStorage;
  std::vector<void *> heapPointers;
  uint64_t *storage = inlineStorage;
  void **pointers = inlinePointers;
  if (count > kInline) {
    heapStorage.resize(count);
    heapPointers.resize(count);
    storage = heapStorage.data();
    pointers = heapPointers.data();
  }
  for (size_t i = 0; i < count; ++i) {
    const ParamInfo &p = impl.info.params[impl.argParams[i]];
    const Arg &a = args[i];
    void *slot = &storage[i];
    pointers[i] = slot;
    if (p.kind == ParamInfo::Kind::Pointer) {
      std::memcpy(slot, &a.pointer, 8);
      continue;
    }
    double real =
        a.kind == Arg::Kind::Float ? a.real : static_cast<double>(a.integer);
    switch (p.type) {
    case DType::Bool:
    case DType::I8: {
      int8_t v = static_cast<int8_t>(a.integer);
      std::memcpy(slot, &v, 1);
      break;
    }
    case DType::I16: {
      int16_t v = static_cast<int16_t>(a.integer);
      std::memcpy(slot, &v, 2);
      break;
    }
    case DType::I32: {
      int32_t v = static_cast<int32_t>(a.integer);
      std::memcpy(slot, &v, 4);
      break;
    }
    case DType::I64:
      std::memcpy(slot, &a.integer, 8);
      break;
    case DType::F16: {
      uint16_t v = toHalfBits(static_cast<float>(real));
      std::memcpy(slot, &v, 2);
      break;
    }
    case DType::BF16: {
      uint16_t v = toBFloat16Bits(static_cast<float>(real));
      std::memcpy(slot, &v, 2);
      break;
    }
    case DType::F32: {
      float v = static_cast<float>(real);
      std::memcpy(slot, &v, 4);
      break;
    }
    case DType::F64:
      std::memcpy(slot, &real, 8);
      break;
    case DType::Unknown:
      impl.fail("parameter '" + p.name + "' has no type in the bundle");
    }
  }

  Device &device = Device::get();
  Device::Impl &dev = device.impl();
  dev.makeCurrent();
  CUstream stream = options.stream ? options.stream->impl().stream : nullptr;
  const DriverApi &api = driver();
  CUresult result = api.cuLaunchKernel(
      prepared->function, grid[0], grid[1], grid[2], prepared->blockThreads, 1,
      1, prepared->variant->sharedBytes, stream, pointers, nullptr);
  if (result != CUDA_SUCCESS)
    throw Error(driverError(
        result, "cuLaunchKernel",
        "for kernel " + std::string(prepared->description) + " with grid " +
            std::to_string(grid[0]) + "x" + std::to_string(grid[1]) + "x" +
            std::to_string(grid[2]) + ", " +
            std::to_string(prepared->blockThreads) + " threads per block, " +
            std::to_string(prepared->variant->sharedBytes) +
            " bytes of dynamic shared memory; the variant uses " +
            std::to_string(prepared->resources.registers) +
            " registers per thread and " +
            std::to_string(prepared->resources.staticShared) +
            " bytes of static shared memory"));
  LaunchRecord &record =
      options.stream ? options.stream->impl().lastLaunch : dev.lastLaunch;
  record.store(prepared->description, std::memory_order_relaxed);
  if (options.stream)
    dev.lastLaunch.store(prepared->description, std::memory_order_relaxed);
  if (dev.launchBlocking) {
    result = stream ? api.cuStreamSynchronize(stream) : api.cuCtxSynchronize();
    if (result != CUDA_SUCCESS)
      throw Error(driverError(result, "synchronizing after launch",
                              "of kernel " +
                                  std::string(prepared->description) +
                                  " (KDSL_LAUNCH_BLOCKING=1)"));
  }
}

//===----------------------------------------------------------------------===//
// Bundle
//===----------------------------------------------------------------------===//

struct Bundle::Impl {
  std::string path;
  std::vector<std::unique_ptr<Kernel>> kernels;
};

Bundle::Bundle() : impl_(std::make_unique<Impl>()) {}
Bundle::Bundle(Bundle &&) noexcept = default;
Bundle &Bundle::operator=(Bundle &&) noexcept = default;
Bundle::~Bundle() {
  if (!impl_ || !driverAvailable())
    return;
  // Unload what the kernels loaded; the primary context lives on.
  for (const std::unique_ptr<Kernel> &kernel : impl_->kernels)
    for (const auto &[variant, module] : kernel->impl_->modules)
      driver().cuModuleUnload(module);
}

Bundle Bundle::open(const std::string &path) {
  return fromContents(readBundle(path), path);
}

Bundle Bundle::fromMemory(const void *bytes, size_t size,
                          const std::string &name) {
  return fromContents(readBundle(bytes, size, name), name);
}

Bundle Bundle::fromContents(BundleContents contents, const std::string &path) {
  Bundle bundle;
  bundle.impl_->path = path;
  for (KernelInfo &info : contents.kernels)
    bundle.impl_->kernels.push_back(
        std::unique_ptr<Kernel>(new Kernel(std::make_unique<Kernel::Impl>(
            std::move(info), path, contents.producer))));
  return bundle;
}

const std::string &Bundle::path() const { return impl_->path; }

std::vector<std::string> Bundle::kernelNames() const {
  std::vector<std::string> names;
  for (const std::unique_ptr<Kernel> &kernel : impl_->kernels)
    names.push_back(kernel->name());
  return names;
}

Kernel &Bundle::kernel(std::string_view name) {
  for (const std::unique_ptr<Kernel> &kernel : impl_->kernels)
    if (kernel->name() == name)
      return *kernel;
  std::string names;
  for (const std::unique_ptr<Kernel> &kernel : impl_->kernels)
    names += (names.empty() ? "" : ", ") + kernel->name();
  throw Error("bundle '" + impl_->path + "' has no kernel '" +
              std::string(name) + "' (it holds: " + names + ")");
}
