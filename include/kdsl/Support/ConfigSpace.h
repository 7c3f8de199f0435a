//===- ConfigSpace.h - @autotune config spaces ------------------*- C++ -*-===//
//
// Enumerates the cartesian product of an @autotune space filtered by `where`.
// Plain C++ (no LLVM): the runtime and the tuner share it.
//
//===----------------------------------------------------------------------===//

#ifndef KDSL_SUPPORT_CONFIGSPACE_H
#define KDSL_SUPPORT_CONFIGSPACE_H

#include <cstdint>
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

} // namespace kdsl

#endif // KDSL_SUPPORT_CONFIGSPACE_H
