//===- ConfigSpace.h - @autotune config spaces ------------------*- C++ -*-===//
//
// Enumerates the cartesian product of an @autotune space filtered by `where`.
// Plain C++ (no LLVM): the runtime and the tuner share it.
//
//===----------------------------------------------------------------------===//

#ifndef KDSL_SUPPORT_CONFIGSPACE_H
#define KDSL_SUPPORT_CONFIGSPACE_H

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace kdsl {

/// One tuned parameter and the values it takes, in source order.
struct TuneAxis {
  std::string name;
  std::vector<int64_t> values;
};

/// One point of a config space: (name, value) pairs in axis order.
using Config = std::vector<std::pair<std::string, int64_t>>;

/// The configs of `axes` (last axis varying fastest) for which `where`
/// (a constexpr expression; empty means true) is non-zero. `where` may only
/// name the axes. On an error (a malformed `where`, a name it cannot
/// resolve) returns an empty list and sets `error`.
std::vector<Config> enumerateConfigs(const std::vector<TuneAxis> &axes,
                                     const std::string &where,
                                     std::string &error);

/// Formats a config as `BM=64,BN=128,num_warps=4`.
std::string formatConfig(const Config &config);

/// What choosing a kernel's config needs to know about it, as plain data, so
/// that the compiler (-kdsl-specialize) and the runtime resolve configs with
/// one implementation.
struct KernelConfigInfo {
  struct Param {
    std::string name;
    bool isConstexpr = false;
    /// The constexpr's default expression; empty when it has none.
    std::string defaultExpr;
  };
  std::string name;
  std::vector<Param> params;
  /// @config, empty when absent.
  Config fixedConfig;
  /// @autotune's space and `where`; no axes when absent.
  std::vector<TuneAxis> tuneAxes;
  std::string tuneWhere;
};

/// Values of constexprs, num_warps, num_stages and scalar parameters.
using ConfigValues = std::map<std::string, int64_t>;

/// The defaults of the two tuning knobs when nothing sets them.
constexpr int64_t kDefaultNumWarps = 4;
constexpr int64_t kDefaultNumStages = 2;

/// Completes `values`, which holds the explicit bindings and the scalar
/// parameters' values known so far, with every constexpr of `kernel`,
/// `num_warps` and `num_stages`, taken in order from: `values` itself, then
/// @config, then the first @autotune config that passes `where` and agrees
/// with the values given, then the knobs' defaults, then each constexpr's
/// default expression (in dependency order). Returns an error message naming
/// the kernel, or an empty string on success.
std::string resolveConfig(const KernelConfigInfo &kernel, ConfigValues &values);

} // namespace kdsl

#endif // KDSL_SUPPORT_CONFIGSPACE_H
